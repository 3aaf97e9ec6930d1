use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::build::{
    failure_report, plain_progress_of, BuildContext, BuildOutput, ContextFile as EngineFile,
    StackRow,
};
use crate::engine::cli::{self, LifecycleStage};
use crate::engine::examples::NODE_API;
use crate::engine::world::World;

use super::editor::{ContextEditor, DockerfileEditor};
use super::layer_detail::{file_preview, layer_detail, LayerDetail};
use super::lifecycle::Lifecycle;
use super::runtime::{container_views, Runtime};
use super::stack::LayerStack;
use super::tags::{tag_views, Tags};
use super::terminal::{TermLine, Terminal};

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
    pub stage: Option<LifecycleStage>,
    /// Bumped whenever the world changed, so views computed from it redraw.
    pub revision: u64,
    pub selected_row: Option<usize>,
    pub preview: Option<(String, String)>,
    pub right_tab: RightTab,
}

pub enum Action {
    EditDockerfile(String),
    EditFile(usize, String),
    Highlight(Option<usize>),
    Ran {
        input: String,
        stdout: String,
        stderr: String,
        stage: Option<LifecycleStage>,
        build: Option<BuildView>,
    },
    Clear,
    SelectRow(Option<usize>),
    Preview(Option<(String, String)>),
    Tab(RightTab),
}

impl AppState {
    fn initial() -> Self {
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
            stage: None,
            revision: 0,
            selected_row: None,
            preview: None,
            right_tab: RightTab::Runtime,
        }
    }
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
                stdout,
                stderr,
                stage,
                build,
            } => {
                next.term.push(TermLine::Input(input.clone()));
                push_text(&mut next.term, &stdout, false);
                push_text(&mut next.term, &stderr, true);
                // Keep the transcript bounded.
                let excess = next.term.len().saturating_sub(2000);
                next.term.drain(..excess);
                if !input.trim().is_empty() && next.history.last() != Some(&input) {
                    next.history.push(input);
                }
                if stage.is_some() {
                    next.stage = stage;
                }
                if let Some(b) = build {
                    next.build = b;
                    next.selected_row = None;
                    next.preview = None;
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
                next.selected_row = row;
                next.preview = None;
            }
            Action::Preview(p) => next.preview = p,
            Action::Tab(t) => next.right_tab = t,
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
            BuildView {
                rows: img.rows.clone(),
                log,
                image_id: Some(img.id.to_string()),
                names: img.names.clone(),
                error: None,
                error_line: None,
                simulated_ms: out.simulated_ms,
                ran,
                recorded,
            }
        }
        Err(e) => BuildView {
            rows: planned_rows(dockerfile),
            log,
            image_id: None,
            names: vec![],
            error_line: e.line(),
            error: Some(e.to_string()),
            simulated_ms: out.simulated_ms,
            ran: vec![],
            recorded: vec![],
        },
    }
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

/// Runs one terminal line against the world (after syncing the editors into it).
pub fn run_line(world: &mut World, state: &AppState, line: &str) -> Action {
    let trimmed = line.trim();
    if trimmed == "clear" {
        return Action::Clear;
    }
    let files = state
        .context
        .iter()
        .map(|f| EngineFile::text(&f.path, &f.text));
    match BuildContext::from_files(files) {
        Ok(ctx) => world.context = ctx,
        Err(e) => {
            return Action::Ran {
                input: line.to_string(),
                stdout: String::new(),
                stderr: format!("ERROR: {e}"),
                stage: None,
                build: None,
            }
        }
    }
    world.dockerfile = state.dockerfile.clone();
    let before = world.last_build.as_ref().map(|b| b.events.len());
    let had = world.last_build.is_some();
    let out = if trimmed.is_empty() {
        cli::CommandOutput::default()
    } else {
        cli::run(world, trimmed)
    };
    let is_build = trimmed.starts_with("docker build")
        || trimmed.starts_with("build ")
        || trimmed.starts_with("docker image build")
        || trimmed.starts_with("docker buildx build");
    let build = if is_build
        || (!had && world.last_build.is_some())
        || before != world.last_build.as_ref().map(|b| b.events.len())
    {
        world
            .last_build
            .as_ref()
            .map(|b| build_view(b, &state.dockerfile))
    } else {
        None
    };
    Action::Ran {
        input: line.to_string(),
        stdout: out.stdout,
        stderr: out.stderr,
        stage: out.stage,
        build,
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::initial);
    let world = use_mut_ref(World::default);

    // Build the default example once on load (through the terminal, so the transcript
    // shows it), then mark the moment for scripts/bench.
    {
        let state = state.clone();
        let world = world.clone();
        use_effect_with((), move |_| {
            let line = format!("docker build -t {} .", state.tag);
            let action = run_line(&mut world.borrow_mut(), &state, &line);
            state.dispatch(action);
            if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                let _ = perf.mark("layerlab:ready");
            }
        });
    }

    let on_command = {
        let state = state.clone();
        let world: Rc<RefCell<World>> = world.clone();
        Callback::from(move |line: String| {
            let action = run_line(&mut world.borrow_mut(), &state, &line);
            state.dispatch(action);
        })
    };
    let on_build = {
        let on_command = on_command.clone();
        let tag = state.tag.clone();
        Callback::from(move |_| on_command.emit(format!("docker build -t {tag} .")))
    };
    let on_dockerfile = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(Action::EditDockerfile(text)))
    };
    let on_file = {
        let state = state.clone();
        Callback::from(move |(i, text): (usize, String)| state.dispatch(Action::EditFile(i, text)))
    };
    let on_highlight = {
        let state = state.clone();
        Callback::from(move |line: Option<usize>| state.dispatch(Action::Highlight(line)))
    };
    let on_select_row = {
        let state = state.clone();
        Callback::from(move |row: Option<usize>| state.dispatch(Action::SelectRow(row)))
    };
    let on_select_id = {
        let on_command = on_command.clone();
        Callback::from(move |id: String| {
            on_command.emit(format!(
                "docker image inspect --format '{{{{.Id}}}} {{{{.RepoTags}}}} {{{{.Size}}}}' {id}"
            ))
        })
    };

    let w = world.borrow();
    let build = &state.build;
    let (containers, volumes) = container_views(&w);
    let (images, repos) = tag_views(&w);
    let detail = state
        .selected_row
        .and_then(|i| build.rows.get(i))
        .and_then(|row| {
            let chain = row.chain_id.as_ref()?;
            let layer = w.daemon.layers.get(chain)?;
            Some((layer_detail(&row.instruction, layer), layer.clone()))
        });
    let on_open = {
        let state = state.clone();
        let layer = detail.as_ref().map(|(_, l)| l.clone());
        Callback::from(move |path: String| {
            if let Some(l) = &layer {
                let text = file_preview(l, &path);
                state.dispatch(Action::Preview(Some((path, text))));
            }
        })
    };
    let on_close = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::SelectRow(None)))
    };
    let tab = |t: RightTab, label: &str| {
        let active = state.right_tab == t;
        let state = state.clone();
        let onclick = Callback::from(move |_| state.dispatch(Action::Tab(t)));
        html! { <button role="tab" aria-selected={active.to_string()} class={classes!("tab", active.then_some("active"))} {onclick}>{label.to_string()}</button> }
    };

    html! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand">{"layerlab"}</h1>
                <p class="tagline">{"Docker you can take apart: build time makes an image, runtime makes containers."}</p>
            </header>
            <Lifecycle stage={state.stage} />
            <main class="panels">
                <section class="panel editor-panel" aria-label="Dockerfile and build context">
                    <div class="panel-head">
                        <h2>{"Dockerfile"}</h2>
                        <button class="primary" onclick={on_build} id="build-button">
                            {format!("docker build -t {} .", state.tag)}
                        </button>
                    </div>
                    <DockerfileEditor
                        text={state.dockerfile.clone()}
                        highlighted_line={state.highlighted_line}
                        error_line={build.error_line}
                        warning_lines={state.lint.iter().map(|w| w.line).collect::<Vec<_>>()}
                        on_change={on_dockerfile}
                    />
                    if let Some(err) = &build.error {
                        <p class="diagnostic" role="alert">
                            { match build.error_line { Some(l) => format!("line {l}: {err}"), None => err.clone() } }
                        </p>
                    }
                    if !state.lint.is_empty() {
                        <ul class="lint" aria-label="build check warnings">
                            { for state.lint.iter().map(|w| html! {
                                <li class="lint-item">
                                    <span class="lint-line">{format!("line {}", w.line)}</span>
                                    <strong class="lint-rule">{w.rule.clone()}</strong>
                                    <span class="lint-detail">{w.detail.clone()}</span>
                                    <span class="lint-why">{w.why.clone()}</span>
                                </li>
                            }) }
                        </ul>
                    }
                    <ContextEditor files={state.context.clone()} on_change={on_file} />
                </section>
                <section class="panel image-panel" aria-label="Image">
                    <div class="panel-head">
                        <h2>{format!("{} image", state.tag)}</h2>
                        if let Some(id) = &build.image_id {
                            <code class="image-id" title={id.clone()}>{format!("IMAGE ID {}", &id[7..19.min(id.len())])}</code>
                        }
                    </div>
                    if !build.ran.is_empty() || !build.recorded.is_empty() {
                        <div class="build-vs-run" aria-label="build time versus runtime">
                            <div><strong>{"Ran at build time: "}</strong>{ if build.ran.is_empty() { "nothing (all cached)".to_string() } else { build.ran.join(" · ") } }</div>
                            <div><strong>{"Recorded for runtime (not run): "}</strong>{build.recorded.join(" · ")}</div>
                        </div>
                    }
                    <p class="legend">
                        <span class="swatch fs"></span>{"filesystem layer (read-only)"}
                        <span class="swatch meta"></span>{"metadata only"}
                        <span class="swatch base"></span>{"base image layers"}
                    </p>
                    <LayerStack rows={build.rows.clone()} highlighted_line={state.highlighted_line} selected={state.selected_row} on_highlight={on_highlight} on_select={on_select_row} />
                    if let Some((d, _)) = &detail {
                        <LayerDetail detail={d.clone()} preview={state.preview.clone()} {on_open} {on_close} />
                    }
                    <details class="build-log">
                        <summary>{format!("Build log (docker build --progress=plain) · simulated {:.1}s", build.simulated_ms as f64 / 1000.0)}</summary>
                        <pre class="log">{build.log.clone()}</pre>
                    </details>
                </section>
                <section class="panel right-panel" aria-label="Containers, tags and registries">
                    <div class="tabs" role="tablist">
                        { tab(RightTab::Runtime, "Containers") }
                        { tab(RightTab::Tags, "Tags & registries") }
                    </div>
                    if state.right_tab == RightTab::Runtime {
                        <Runtime {containers} {volumes} />
                    } else {
                        <Tags {images} {repos} />
                    }
                </section>
                <section class="panel terminal-panel" aria-label="Terminal">
                    <Terminal lines={state.term.clone()} history={state.history.clone()} {on_command} {on_select_id} />
                </section>
            </main>
        </div>
    }
}
