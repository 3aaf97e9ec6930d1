//! The page's state: what the learner made (Dockerfile, context), what the world
//! last showed (build view, transcript), and view options. One `Reducible` with an
//! `Action` enum, as Yew's examples do; the world itself lives beside it.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::build::{
    failure_report, plain_progress_of, BuildContext, BuildEvent, BuildOutput,
    ContextFile as EngineFile, StackRow,
};
use crate::engine::cli::{self, LifecycleStage};
use crate::engine::examples::{self, Example, NODE_API};
use crate::engine::lessons::{self, CheckResult, CommandRecord, LessonProgress};
use crate::engine::scenario::{Panel, Scenario, Theme};
use crate::engine::world::World;

use super::tags::{ref_marks, ref_snapshot, RefMarks};
use super::terminal::TermLine;

/// A file of the build context as the learner edits it.
#[derive(Clone, PartialEq)]
pub struct ContextFile {
    pub path: String,
    pub text: String,
}

/// What the last build produced, ready to draw.
#[derive(Clone, PartialEq, Default)]
pub struct BuildView {
    pub rows: Vec<StackRow>,
    pub log: String,
    pub image_id: Option<String>,
    pub names: Vec<String>,
    pub error: Option<String>,
    pub error_line: Option<usize>,
    pub simulated_ms: u64,
    pub ran: Vec<String>,
    pub recorded: Vec<String>,
    /// Per row: the build log lines of its step (BuildKit vertex), or what a
    /// metadata row recorded in the config (BuildKit runs no step for those).
    pub step_logs: Vec<String>,
    /// Set when the panel shows a local image's stack from its history (one just
    /// loaded) rather than the last build: the image's name.
    pub shown: Option<String>,
}

/// The image panel's view of any local image (`docker load`ed, pulled): its layer
/// stack from its history, no build log, no Dockerfile lines.
pub fn image_view(world: &World, name: &str) -> Option<BuildView> {
    let img = world.daemon.find_image(name).ok()?;
    let rows = crate::engine::analysis::history_rows(&img);
    let names: Vec<String> = world
        .daemon
        .images
        .references(&img.id)
        .iter()
        .map(|r| r.familiar_string())
        .collect();
    let shown = names
        .first()
        .cloned()
        .unwrap_or_else(|| img.id.short().to_string());
    Some(BuildView {
        step_logs: vec![String::new(); rows.len()],
        rows,
        image_id: Some(img.id.to_string()),
        names,
        shown: Some(shown),
        ..BuildView::default()
    })
}

/// A build-check warning shown under the editor.
#[derive(Clone, PartialEq)]
pub struct LintItem {
    pub line: usize,
    pub rule: String,
    pub detail: String,
    pub why: String,
}

/// Runs the build checks (`docker build --check`) on the editor's text.
pub fn lint(dockerfile: &str, context: &[ContextFile]) -> Vec<LintItem> {
    use crate::engine::dockerfile::lint::{check, CheckOptions};
    let ignore = context
        .iter()
        .find(|f| f.path == ".dockerignore")
        .map(|f| f.text.as_str());
    let opts = CheckOptions {
        dockerignore: ignore,
        ..CheckOptions::default()
    };
    check(dockerfile, &opts)
        .warnings
        .into_iter()
        .map(|w| LintItem {
            line: w.line,
            rule: w.rule.to_string(),
            detail: w.detail.clone(),
            why: crate::engine::teach::why_rule_matters(w.rule).to_string(),
        })
        .collect()
}

/// "What would rebuild?": (step, outcome, would run) rows, or why it could not tell.
pub type ForecastResult = Result<Vec<(String, String, bool)>, String>;

/// What the image panel shows under the stack: one layer's changes, or the image's
/// whole (cumulative) filesystem with the layer that last wrote each path.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FilesView {
    Layer,
    Filesystem,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RightTab {
    Runtime,
    Tags,
}

/// The whole page state: what the learner made, and what the world last showed.
#[derive(Clone, PartialEq)]
pub struct AppState {
    pub dockerfile: String,
    pub context: Vec<ContextFile>,
    pub tag: String,
    pub build: BuildView,
    pub lint: Vec<LintItem>,
    pub highlighted_line: Option<usize>,
    pub term: Vec<TermLine>,
    pub history: Vec<String>,
    /// The prompt of the container shell the terminal is attached to, if any.
    pub attached: Option<String>,
    pub stage: Option<LifecycleStage>,
    /// Bumped whenever the world changed, so views computed from it redraw.
    pub revision: u64,
    pub selected_row: Option<usize>,
    pub preview: Option<(String, String)>,
    pub right_tab: RightTab,
    pub selected_file: usize,
    pub example: String,
    pub theme: Theme,
    pub presenter: bool,
    /// Panels folded to a bar (`Editor`, `Stack`, `Runtime` for the right-hand panel,
    /// `Terminal`), so the others get their room.
    pub folded: Vec<Panel>,
    /// Rows revealed so far in presenter or build step mode (`None`: all).
    pub reveal: Option<usize>,
    /// Build step mode (for teachers): a build reveals its rows one at a time.
    pub step_mode: bool,
    /// Bumped by every build, so the stack is drawn afresh and its rows slide in.
    pub build_seq: u64,
    pub files_view: FilesView,
    /// References the last command moved or pinned (highlighted in the Tags view).
    pub marks: RefMarks,
    /// Embed mode: only these panels, no editor chrome.
    pub embed: Option<Vec<Panel>>,
    /// A message shown once at the top (broken link, unreadable saved state).
    pub banner: Option<String>,
    /// The share dialog: (link, iframe snippet) or an error.
    pub share: Option<Result<(String, String), String>>,
    /// The lesson panel is open.
    pub lessons_open: bool,
    /// The lesson being followed, its commands so far and the last verdict.
    pub lesson: Option<LessonProgress>,
    pub lesson_records: Vec<CommandRecord>,
    pub lesson_feedback: Option<CheckResult>,
    pub lessons_done: Vec<String>,
    /// "What would rebuild?" for the editors' current contents.
    pub forecast: Option<ForecastResult>,
}

pub enum Action {
    EditDockerfile(String),
    EditFile(usize, String),
    Highlight(Option<usize>),
    Ran {
        input: String,
        /// The prompt the line was typed at (`$ `, or an attached shell's `/ # `).
        prompt: String,
        /// The attached shell's prompt after the line (`docker run -it alpine sh`), if any.
        attached: Option<String>,
        stdout: String,
        stderr: String,
        stage: Option<LifecycleStage>,
        build: Option<Box<BuildView>>,
        exit_code: i32,
        stderr_first: bool,
        marks: RefMarks,
        /// A file the command wrote (`docker save -o`): the terminal's handler offers
        /// it as a download; the state keeps nothing of it.
        file: Option<cli::SavedFile>,
    },
    Clear,
    SelectRow(Option<usize>),
    Preview(Option<(String, String)>),
    Tab(RightTab),
    Load(Box<Scenario>),
    LoadExample(&'static Example),
    SelectFile(usize),
    AddFile(String),
    RenameFile(usize, String),
    DeleteFile(usize),
    Banner(Option<String>),
    SetTheme(Theme),
    TogglePresenter,
    Fold(Panel),
    /// The image panel shows a local image's stack (`image_view`).
    ShowImage(Box<BuildView>),
    Reveal(Option<usize>),
    ToggleStep,
    FilesView(FilesView),
    Embed(Vec<Panel>),
    Share(Option<Result<(String, String), String>>),
    ToggleLessons,
    StartLesson(String),
    ExitLesson,
    LessonChecked(LessonProgress, Option<CheckResult>),
    LessonsDone(Vec<String>),
    Forecast(Option<ForecastResult>),
}

impl AppState {
    pub fn initial() -> Self {
        let context: Vec<ContextFile> = NODE_API
            .context
            .iter()
            .map(|f| ContextFile {
                path: f.path.to_string(),
                text: f.text.to_string(),
            })
            .collect();
        AppState {
            dockerfile: NODE_API.dockerfile.to_string(),
            lint: lint(NODE_API.dockerfile, &context),
            context,
            tag: NODE_API.tag.to_string(),
            build: BuildView::default(),
            highlighted_line: None,
            term: vec![TermLine::Stdout(
                "layerlab: a simulated Docker host in your browser. Type docker commands; Tab completes, ↑↓ recall history.".into(),
            )],
            history: Vec::new(),
            attached: None,
            stage: None,
            revision: 0,
            selected_row: None,
            preview: None,
            right_tab: RightTab::Runtime,
            selected_file: 0,
            example: NODE_API.id.to_string(),
            theme: Theme::System,
            presenter: false,
            folded: Vec::new(),
            reveal: None,
            step_mode: false,
            build_seq: 0,
            files_view: FilesView::Layer,
            marks: RefMarks::default(),
            embed: None,
            banner: None,
            share: None,
            lessons_open: false,
            lesson: None,
            lesson_records: Vec::new(),
            lesson_feedback: None,
            lessons_done: Vec::new(),
            forecast: None,
        }
    }

    /// The scenario this state describes (for links, embeds and browser storage).
    pub fn scenario(&self) -> Scenario {
        let mut commands: Vec<String> = self
            .history
            .iter()
            .filter(|c| c.len() <= crate::engine::scenario::MAX_COMMAND_BYTES)
            .cloned()
            .collect();
        let excess = commands
            .len()
            .saturating_sub(crate::engine::scenario::MAX_COMMANDS);
        commands.drain(..excess);
        Scenario {
            version: 1,
            dockerfile: self.dockerfile.clone(),
            context: self
                .context
                .iter()
                .map(|f| (f.path.clone(), f.text.clone()))
                .collect(),
            tag: self.tag.clone(),
            commands,
            lesson: None,
            panels: self.embed.clone().unwrap_or_default(),
            theme: self.theme,
        }
    }
}

/// Is `path` acceptable as a new context file name?
pub fn valid_path(path: &str, existing: &[ContextFile]) -> Result<String, String> {
    let p = path.trim().trim_start_matches("./").to_string();
    if p.is_empty() {
        return Err("a file needs a name".into());
    }
    if p.starts_with('/') || p.split('/').any(|c| c == ".." || c.is_empty()) {
        return Err(format!(
            "{p:?}: paths are relative to the context and cannot leave it"
        ));
    }
    if existing.iter().any(|f| f.path == p) {
        return Err(format!("{p} already exists"));
    }
    Ok(p)
}

fn push_text(lines: &mut Vec<TermLine>, text: &str, stderr: bool) {
    for l in text.lines() {
        lines.push(if stderr {
            TermLine::Stderr(l.to_string())
        } else {
            TermLine::Stdout(l.to_string())
        });
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::EditDockerfile(text) => {
                next.lint = lint(&text, &next.context);
                next.dockerfile = text;
            }
            Action::EditFile(index, text) => {
                if let Some(file) = next.context.get_mut(index) {
                    file.text = text;
                }
                next.lint = lint(&next.dockerfile, &next.context);
            }
            Action::Highlight(line) => next.highlighted_line = line,
            Action::Ran {
                input,
                prompt,
                attached,
                stdout,
                stderr,
                stage,
                build,
                exit_code,
                stderr_first,
                marks,
                file: _,
            } => {
                next.attached = attached;
                if next.lesson.is_some() {
                    next.lesson_records.push(CommandRecord {
                        line: input.clone(),
                        output: cli::CommandOutput {
                            stdout: stdout.clone(),
                            stderr: stderr.clone(),
                            exit_code,
                            stage,
                            stderr_first,
                            file: None,
                        },
                    });
                }
                next.term.push(TermLine::Input(prompt, input.clone()));
                if stderr_first {
                    push_text(&mut next.term, &stderr, true);
                    push_text(&mut next.term, &stdout, false);
                } else {
                    push_text(&mut next.term, &stdout, false);
                    push_text(&mut next.term, &stderr, true);
                }
                // Keep the transcript bounded.
                let excess = next.term.len().saturating_sub(2000);
                next.term.drain(..excess);
                if !input.trim().is_empty() && next.history.last() != Some(&input) {
                    next.history.push(input);
                }
                if stage.is_some() {
                    next.stage = stage;
                }
                next.marks = marks;
                if let Some(b) = build {
                    next.forecast = None;
                    next.build = *b;
                    next.selected_row = None;
                    next.preview = None;
                    next.build_seq += 1;
                    if next.step_mode {
                        next.reveal = Some(0);
                    }
                }
                if matches!(
                    stage,
                    Some(LifecycleStage::Run | LifecycleStage::Stop | LifecycleStage::Rm)
                ) {
                    next.right_tab = RightTab::Runtime;
                }
                if matches!(
                    stage,
                    Some(
                        LifecycleStage::Tag
                            | LifecycleStage::Push
                            | LifecycleStage::Pull
                            | LifecycleStage::Login
                    )
                ) {
                    next.right_tab = RightTab::Tags;
                }
                next.revision += 1;
            }
            Action::Clear => next.term.clear(),
            Action::SelectRow(row) => {
                if row.is_some() {
                    next.files_view = FilesView::Layer;
                }
                next.selected_row = row;
                next.preview = None;
            }
            Action::Preview(p) => next.preview = p,
            Action::Tab(t) => next.right_tab = t,
            Action::Load(s) => {
                next.dockerfile = s.dockerfile.clone();
                next.context = s
                    .context
                    .iter()
                    .map(|(p, t)| ContextFile {
                        path: p.clone(),
                        text: t.clone(),
                    })
                    .collect();
                if !s.tag.is_empty() {
                    next.tag = s.tag.clone();
                }
                next.theme = s.theme;
                next.lint = lint(&next.dockerfile, &next.context);
                next.selected_file = 0;
            }
            Action::LoadExample(ex) => {
                next.example = ex.id.to_string();
                next.dockerfile = ex.dockerfile.to_string();
                next.context = ex
                    .context
                    .iter()
                    .map(|f| ContextFile {
                        path: f.path.to_string(),
                        text: f.text.to_string(),
                    })
                    .collect();
                next.tag = ex.tag.to_string();
                next.lint = lint(&next.dockerfile, &next.context);
                next.selected_file = 0;
            }
            Action::SelectFile(i) => {
                next.selected_file = i.min(next.context.len().saturating_sub(1))
            }
            Action::AddFile(path) => match valid_path(&path, &next.context) {
                Ok(p) => {
                    next.context.push(ContextFile {
                        path: p,
                        text: String::new(),
                    });
                    next.selected_file = next.context.len() - 1;
                    next.lint = lint(&next.dockerfile, &next.context);
                }
                Err(e) => next.banner = Some(e),
            },
            Action::RenameFile(i, path) => {
                let others: Vec<ContextFile> = next
                    .context
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, f)| f.clone())
                    .collect();
                match valid_path(&path, &others) {
                    Ok(p) => {
                        if let Some(f) = next.context.get_mut(i) {
                            f.path = p;
                        }
                        next.lint = lint(&next.dockerfile, &next.context);
                    }
                    Err(e) => next.banner = Some(e),
                }
            }
            Action::DeleteFile(i) => {
                if i < next.context.len() {
                    next.context.remove(i);
                    next.selected_file =
                        next.selected_file.min(next.context.len().saturating_sub(1));
                    next.lint = lint(&next.dockerfile, &next.context);
                }
            }
            Action::Banner(b) => next.banner = b,
            Action::SetTheme(t) => next.theme = t,
            Action::TogglePresenter => {
                next.presenter = !next.presenter;
                next.reveal = None;
            }
            Action::ShowImage(view) => {
                next.build = *view;
                next.forecast = None;
                next.selected_row = None;
                next.preview = None;
                next.build_seq += 1;
            }
            Action::Fold(p) => match next.folded.iter().position(|f| *f == p) {
                Some(i) => {
                    next.folded.remove(i);
                }
                None => next.folded.push(p),
            },
            Action::Reveal(r) => next.reveal = r,
            Action::ToggleStep => {
                next.step_mode = !next.step_mode;
                next.reveal = None;
            }
            Action::FilesView(v) => {
                next.files_view = v;
                next.preview = None;
            }
            Action::Embed(p) => next.embed = Some(p),
            Action::Share(s) => next.share = s,
            Action::ToggleLessons => next.lessons_open = !next.lessons_open,
            Action::StartLesson(id) => {
                next.lesson = Some(LessonProgress::new(&id));
                next.lesson_records.clear();
                next.lesson_feedback = None;
                next.lessons_open = true;
            }
            Action::ExitLesson => {
                next.lesson = None;
                next.lesson_feedback = None;
            }
            Action::LessonChecked(progress, feedback) => {
                if let Some(lesson) = lessons::find(&progress.lesson) {
                    if progress.is_finished(lesson) && !next.lessons_done.contains(&progress.lesson)
                    {
                        next.lessons_done.push(progress.lesson.clone());
                    }
                }
                next.lesson = Some(progress);
                next.lesson_feedback = feedback;
            }
            Action::LessonsDone(done) => next.lessons_done = done,
            Action::Forecast(f) => next.forecast = f,
        }
        Rc::new(next)
    }
}

/// The build view of a finished build.
pub fn build_view(out: &BuildOutput, dockerfile: &str) -> BuildView {
    let mut log = plain_progress_of(&out.events);
    if let Some(report) = failure_report(&out.events, "Dockerfile", dockerfile) {
        log.push_str(&report);
    }
    for w in &out.warnings {
        log.push_str(w);
        log.push('\n');
    }
    match &out.result {
        Ok(img) => {
            let ran = img
                .rows
                .iter()
                .filter(|r| r.kind == crate::engine::build::plan::RowKind::Filesystem && !r.cached)
                .map(|r| r.instruction.clone())
                .collect();
            let recorded = img
                .rows
                .iter()
                .filter(|r| r.kind == crate::engine::build::plan::RowKind::Metadata)
                .map(|r| r.instruction.clone())
                .collect();
            let logs = step_logs(&img.rows, &out.events, &log);
            BuildView {
                rows: img.rows.clone(),
                log,
                image_id: Some(img.id.to_string()),
                names: img.names.clone(),
                error: None,
                error_line: None,
                simulated_ms: out.simulated_ms,
                step_logs: logs,
                ran,
                recorded,
                shown: None,
            }
        }
        Err(e) => {
            let rows = planned_rows(dockerfile);
            BuildView {
                step_logs: step_logs(&rows, &out.events, &log),
                rows,
                log,
                image_id: None,
                names: vec![],
                error_line: e.line(),
                error: Some(e.to_string()),
                simulated_ms: out.simulated_ms,
                ran: vec![],
                recorded: vec![],
                shown: None,
            }
        }
    }
}

/// The log lines of each row's step: BuildKit numbers vertices (`#5 [3/5] RUN ...`)
/// and prefixes every line of a vertex with its number, so a row's lines are those
/// of the vertex whose step starts at the row's Dockerfile line. Metadata-only
/// instructions have no vertex (they only change the config).
fn step_logs(rows: &[StackRow], events: &[BuildEvent], log: &str) -> Vec<String> {
    rows.iter()
        .map(|row| {
            let vertex = events.iter().rev().find_map(|e| match e {
                BuildEvent::StepStarted { vertex, step } if step.line == row.line => Some(*vertex),
                _ => None,
            });
            match vertex {
                Some(v) => {
                    let prefix = format!("#{v} ");
                    log.lines()
                        .filter(|l| l.starts_with(&prefix))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
                None => {
                    let changes: Vec<String> = events
                        .iter()
                        .filter_map(|e| match e {
                            BuildEvent::ConfigChanged {
                                line, field, value, ..
                            } if *line == row.line => Some(format!("{field} = {value}")),
                            _ => None,
                        })
                        .collect();
                    let what = if changes.is_empty() {
                        row.config_change.clone().unwrap_or_default()
                    } else {
                        changes.join("\n")
                    };
                    format!(
                        "(no build step: recorded in the image config, nothing runs now)\n{what}"
                    )
                    .trim_end()
                    .to_string()
                }
            }
        })
        .collect()
}

/// When a build fails, the stack still shows which instructions would make layers.
fn planned_rows(dockerfile: &str) -> Vec<StackRow> {
    crate::engine::build::plan::plan(dockerfile)
        .into_iter()
        .map(|p| StackRow {
            line: p.first_line,
            end_line: p.last_line,
            instruction: p.text,
            kind: p.kind,
            diff_id: None,
            chain_id: None,
            size: 0,
            base_layers: 0,
            cached: false,
            miss: None,
            simulated_ms: 0,
            config_change: None,
        })
        .collect()
}

/// Runs one terminal line against the world, after syncing the editors into it (the
/// editors' contents are given explicitly: when loading a scenario the state has not
/// caught up yet).
pub fn run_line_with(
    world: &mut World,
    dockerfile: &str,
    context: &[ContextFile],
    line: &str,
) -> Action {
    let trimmed = line.trim();
    if trimmed == "clear" {
        return Action::Clear;
    }
    let files = context.iter().map(|f| EngineFile::text(&f.path, &f.text));
    match BuildContext::from_files(files) {
        Ok(ctx) => world.context = ctx,
        Err(e) => {
            let prompt = prompt_of(world);
            return Action::Ran {
                input: line.to_string(),
                attached: world.attached.is_some().then(|| prompt.clone()),
                prompt,
                stdout: String::new(),
                stderr: format!("ERROR: {e}"),
                stage: None,
                build: None,
                exit_code: 1,
                stderr_first: false,
                marks: RefMarks::default(),
                file: None,
            };
        }
    }
    world.dockerfile = dockerfile.to_string();
    let prompt = prompt_of(world);
    let in_container = world.attached.is_some();
    let refs_before = ref_snapshot(world);
    let before = world.last_build.as_ref().map(|b| b.events.len());
    let had = world.last_build.is_some();
    let containers_before = world.containers.len();
    let mut out = if trimmed.is_empty() {
        cli::CommandOutput::default()
    } else {
        // The docker CLI plus the lessons' `!someone-pushes REF`.
        lessons::run_line(world, trimmed)
    };
    if !in_container
        && out.exit_code == 0
        && foreground_run_left_running(world, trimmed, containers_before)
    {
        out.stdout.push_str(FOREGROUND_NOTE);
    }
    let is_build = !in_container
        && (trimmed.starts_with("docker build")
            || trimmed.starts_with("build ")
            || trimmed.starts_with("docker image build")
            || trimmed.starts_with("docker buildx build"));
    let build = if is_build
        || (!had && world.last_build.is_some())
        || before != world.last_build.as_ref().map(|b| b.events.len())
    {
        world.last_build.as_ref().map(|b| build_view(b, dockerfile))
    } else if out.exit_code == 0 && !in_container {
        // `docker load`: the image panel takes apart the (first) image just loaded.
        out.stdout
            .lines()
            .find_map(|l| {
                l.strip_prefix("Loaded image: ")
                    .or_else(|| l.strip_prefix("Loaded image ID: "))
            })
            .and_then(|name| image_view(world, name))
    } else {
        None
    };
    Action::Ran {
        input: line.to_string(),
        prompt,
        attached: world.attached.as_ref().map(cli::attach::prompt),
        stdout: out.stdout,
        stderr: out.stderr,
        stage: out.stage,
        build: build.map(Box::new),
        exit_code: out.exit_code,
        stderr_first: out.stderr_first,
        marks: ref_marks(
            &refs_before,
            &ref_snapshot(world),
            if out.exit_code == 0 { trimmed } else { "" },
        ),
        file: out.file,
    }
}

/// Said under a `docker run` without `-d` whose container is still running: a real
/// terminal would stay attached to it.
const FOREGROUND_NOTE: &str = "layerlab: a real terminal stays attached to this container until it exits or you press Ctrl-C (docker run -d detaches); here the prompt comes back and the container keeps running (docker ps)\n";

/// `docker run` without `-d`/`-it` made a container that is still running.
fn foreground_run_left_running(world: &World, line: &str, containers_before: usize) -> bool {
    let Ok(words) = cli::argv::split_words(line) else {
        return false;
    };
    let args = match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["docker", "run", ..] => &words[2..],
        ["docker", "container", "run", ..] => &words[3..],
        _ => return false,
    };
    // A detached (`-d`) or interactive (`-i`, `-it`) run is not this case.
    let Ok(p) = cli::argv::parse(&cli::specs::RUN, args) else {
        return false;
    };
    !p.has("detach")
        && !p.has("interactive")
        && world.attached.is_none()
        && world.containers.len() > containers_before
        && world
            .containers
            .last()
            .is_some_and(|c| c.state.is_running())
}

/// A typed line the page answers itself (no docker command ran): `text` is shown
/// under it, as an error (exit status 1) when `error`.
pub fn note(world: &World, input: &str, text: &str, error: bool) -> Action {
    let (stdout, stderr) = if error {
        (String::new(), text.to_string())
    } else {
        (text.to_string(), String::new())
    };
    Action::Ran {
        input: input.to_string(),
        prompt: prompt_of(world),
        attached: None,
        stdout,
        stderr,
        stage: None,
        build: None,
        exit_code: i32::from(error),
        stderr_first: false,
        marks: RefMarks::default(),
        file: None,
    }
}

/// `docker load` (or `docker load -i NAME` of a file the simulated host lacks) typed
/// at the host prompt: the page asks the learner for an archive. Returns whether `-q`
/// was given; `None` when the engine should answer (`--help`, a known file, another
/// command).
pub fn load_needs_file(world: &World, line: &str) -> Option<bool> {
    if world.attached.is_some() {
        return None;
    }
    let words = cli::argv::split_words(line).ok()?;
    let mut w: &[String] = &words;
    if w.first().is_some_and(|v| v == "docker") {
        w = &w[1..];
    }
    let rest = match w {
        [load, rest @ ..] if load == "load" => rest,
        [image, load, rest @ ..] if image == "image" && load == "load" => rest,
        _ => return None,
    };
    // The CLI's own reading of the flags; a bad flag or `--help` is the engine's to answer.
    let p = cli::argv::parse(&cli::specs::LOAD, rest).ok()?;
    if p.help
        || p.value("input")
            .is_some_and(|f| world.host_file(f).is_some())
    {
        return None;
    }
    Some(p.has("quiet"))
}

/// The prompt a terminal line is typed at: the attached container shell's (`/ # `)
/// or the host's `$ `.
fn prompt_of(world: &World) -> String {
    world
        .attached
        .as_ref()
        .map_or_else(|| "$ ".to_string(), cli::attach::prompt)
}

/// Every example project, for the selector.
pub fn example_list() -> &'static [Example] {
    examples::ALL
}
