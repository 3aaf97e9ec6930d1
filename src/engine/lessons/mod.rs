//! Guided lessons: each a short sequence of steps over the real engine, each step
//! with an automatic check that inspects engine state (images, layers, the build
//! cache's verdicts, containers' writable layers, registries), never only what was
//! typed. Together the lessons cover the product brief's twelve concepts, taken from
//! the seed note "Docker image build time vs container runtime".
//!
//! The UI keeps a [`Workspace`] (the world plus the commands run so far) and a
//! [`LessonProgress`]; after every command or edit it calls
//! [`LessonProgress::advance`], which runs the current step's check and moves on while
//! checks pass.

mod build_lessons;
mod checks;
mod registry_lessons;
mod runtime_lessons;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::engine::build::{BuildContext, ContextFile};
use crate::engine::cli::{self, CommandOutput};
use crate::engine::examples::ExampleFile;
use crate::engine::world::World;

pub use checks::words;

/// One command the learner ran, with what it printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRecord {
    pub line: String,
    pub output: CommandOutput,
}

/// Everything a check may look at.
#[derive(Debug, Clone, Copy)]
pub struct LessonState<'a> {
    pub world: &'a World,
    /// The editor's Dockerfile (what `docker build .` uses).
    pub dockerfile: &'a str,
    /// The editor's build context.
    pub context: &'a BuildContext,
    /// Commands run since the lesson started, oldest first.
    pub commands: &'a [CommandRecord],
}

/// A check's verdict and what to tell the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub done: bool,
    pub feedback: String,
}

impl From<Result<String, String>> for CheckResult {
    fn from(r: Result<String, String>) -> CheckResult {
        match r {
            Ok(feedback) => CheckResult {
                done: true,
                feedback,
            },
            Err(feedback) => CheckResult {
                done: false,
                feedback,
            },
        }
    }
}

/// A step's automatic check.
pub type Check = fn(&LessonState<'_>) -> CheckResult;

/// One step: what to do, a hint, and how the engine decides it was done.
#[derive(Clone, Copy)]
pub struct Step {
    /// What to type or edit, with the exact commands.
    pub instructions: &'static str,
    pub hint: Option<&'static str>,
    pub check: Check,
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("instructions", &self.instructions)
            .field("hint", &self.hint)
            .finish_non_exhaustive()
    }
}

/// The Dockerfile and build context a lesson starts from.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub dockerfile: &'static str,
    pub files: &'static [ExampleFile],
}

impl Scenario {
    pub fn context(&self) -> BuildContext {
        // The files are ours and valid; an empty context is the safe fallback.
        BuildContext::from_files(self.files.iter().map(|f| ContextFile::text(f.path, f.text)))
            .unwrap_or_else(|_| World::new().context)
    }
}

/// A guided lesson.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    /// Stable identifier (URLs and stored progress use it).
    pub id: &'static str,
    pub title: &'static str,
    /// Which of the product brief's twelve concepts it teaches (1-based).
    pub concepts: &'static [u8],
    pub intro: &'static str,
    /// What to load into the editor and context first (`None`: keep the current one).
    pub scenario: Option<Scenario>,
    pub steps: &'static [Step],
}

impl Lesson {
    /// A fresh world with the lesson's scenario loaded.
    pub fn start(&self) -> Workspace {
        let world = match &self.scenario {
            Some(s) => World::with_context(s.context(), s.dockerfile),
            None => World::new(),
        };
        Workspace {
            world,
            commands: Vec::new(),
        }
    }
}

/// Every lesson, in teaching order.
pub fn all() -> &'static [Lesson] {
    &LESSONS
}

/// The lesson with this id.
pub fn find(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.id == id)
}

static LESSONS: [Lesson; 15] = [
    build_lessons::BUILD,
    build_lessons::INSTRUCTIONS,
    build_lessons::RUN_VS_CMD,
    build_lessons::LAYER_SIZES,
    build_lessons::LAYER_CACHE,
    build_lessons::HISTORY,
    runtime_lessons::RUN_CONTAINER,
    runtime_lessons::WRITABLE_LAYER,
    runtime_lessons::SHELL_INSIDE,
    registry_lessons::LIFECYCLE,
    registry_lessons::TAGS,
    registry_lessons::DIGESTS,
    registry_lessons::IMAGES_ARE_FILES,
    runtime_lessons::BUILD_VS_RUNTIME,
    build_lessons::MULTI_STAGE,
];

/// Where a learner is in a lesson; serialisable so the UI can keep it in storage.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LessonProgress {
    pub lesson: String,
    /// Index of the step being worked on (`== steps.len()`: finished).
    pub step: usize,
    /// Indices of the steps whose checks passed.
    pub completed: BTreeSet<usize>,
}

impl LessonProgress {
    pub fn new(lesson: &str) -> LessonProgress {
        LessonProgress {
            lesson: lesson.to_string(),
            step: 0,
            completed: BTreeSet::new(),
        }
    }

    pub fn is_finished(&self, lesson: &Lesson) -> bool {
        self.step >= lesson.steps.len()
    }

    /// Runs the current step's check; while checks pass, records the step and moves
    /// to the next one (several steps can complete after one command). Returns every
    /// verdict evaluated, as `(step index, verdict)`: the passed steps, then the
    /// current step's failing verdict (what to show next). Empty when finished.
    pub fn advance(
        &mut self,
        lesson: &Lesson,
        state: &LessonState<'_>,
    ) -> Vec<(usize, CheckResult)> {
        let mut verdicts = Vec::new();
        while let Some(step) = lesson.steps.get(self.step) {
            let verdict = (step.check)(state);
            let done = verdict.done;
            verdicts.push((self.step, verdict));
            if !done {
                break;
            }
            self.completed.insert(self.step);
            self.step += 1;
        }
        verdicts
    }
}

/// The learner's side of a lesson: the world and the commands run in it.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub world: World,
    pub commands: Vec<CommandRecord>,
}

impl Workspace {
    /// Runs a terminal line (see [`run_line`]) and records it.
    pub fn run(&mut self, line: &str) -> &CommandOutput {
        let output = run_line(&mut self.world, line);
        self.commands.push(CommandRecord {
            line: line.to_string(),
            output,
        });
        &self.commands[self.commands.len() - 1].output
    }

    /// The editor's Dockerfile changes.
    pub fn set_dockerfile(&mut self, text: &str) {
        self.world.dockerfile = text.to_string();
    }

    /// A context file is created or replaced (0644, like the context editor's files).
    pub fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.world.context = with_file(&self.world.context, path, text)?;
        Ok(())
    }

    pub fn state(&self) -> LessonState<'_> {
        LessonState {
            world: &self.world,
            dockerfile: &self.world.dockerfile,
            context: &self.world.context,
            commands: &self.commands,
        }
    }
}

/// `context` with `path` set to `text`.
pub fn with_file(context: &BuildContext, path: &str, text: &str) -> Result<BuildContext, String> {
    let mut files: Vec<ContextFile> = context
        .fs()
        .walk("/")
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.stat.file_type == crate::engine::fs::FileType::File)
        .filter_map(|e| {
            let bytes = context.fs().read_file(&e.path).ok()?.to_vec();
            Some(ContextFile {
                path: e.path.trim_start_matches('/').to_string(),
                bytes,
                mode: e.stat.meta.mode,
            })
        })
        .filter(|f| f.path != path.trim_start_matches('/'))
        .collect();
    files.push(ContextFile::text(path.trim_start_matches('/'), text));
    BuildContext::from_files(files).map_err(|e| e.to_string())
}

/// One terminal line: the docker CLI, plus the lessons' action `!someone-pushes REF`
/// ("someone else pushes a new image under this tag", so the tag moves in the
/// registry while digests stay pinned).
pub fn run_line(world: &mut World, line: &str) -> CommandOutput {
    let trimmed = line.trim();
    if let Some(r) = trimmed.strip_prefix("!someone-pushes") {
        let r = r.trim();
        if r.is_empty() {
            return CommandOutput {
                stderr: "usage: !someone-pushes NAME[:TAG]\n".into(),
                exit_code: 1,
                ..CommandOutput::default()
            };
        }
        return match world.someone_else_pushes(r) {
            Ok(d) => CommandOutput {
                stdout: format!("someone else pushed {r}\nnew digest: {d}\n"),
                ..CommandOutput::default()
            },
            Err(e) => CommandOutput {
                stderr: format!("Error response from daemon: {e}\n"),
                exit_code: 1,
                ..CommandOutput::default()
            },
        };
    }
    cli::run(world, line)
}
