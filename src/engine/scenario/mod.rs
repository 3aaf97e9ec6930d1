//! Shareable scenarios: everything needed to rebuild what a learner sees — the
//! Dockerfile, the build context, the image tag, the terminal history to replay, the
//! lesson position and the view options — as one value that travels in a URL fragment
//! (`#/s/v1.<payload>`, `#/embed?panels=...&s=v1.<payload>`) or sits in browser storage.
//!
//! Only inputs are stored, never results: the engine is deterministic (simulated clock,
//! no randomness), so replaying the commands on a fresh [`World`] reproduces every
//! image ID, digest and container exactly.
//!
//! Architecture invariant: a scenario that came from outside (a link, storage) is
//! untrusted. [`codec`] validates size before allocating, inflates through a bounded
//! reader, and [`Scenario::validate`] checks every field before the UI sees it; a
//! corrupted link gives a [`ScenarioError`], never a panic or a blank page.

pub mod base64url;
pub mod codec;
pub mod fragment;

use serde::{Deserialize, Serialize};

use crate::engine::build::context::ContextError;
use crate::engine::build::{BuildContext, ContextFile};
use crate::engine::cli::{self, CommandOutput};
use crate::engine::examples::Example;
use crate::engine::reference;
use crate::engine::world::World;

pub use codec::{decode, encode, from_json, to_json};
pub use fragment::{iframe_snippet, Embed, Fragment};

/// The scenario format this build writes and reads.
pub const VERSION: u32 = 1;
/// Most files a scenario's build context may hold.
pub const MAX_FILES: usize = 256;
/// Longest context path, in bytes (Linux `PATH_MAX` is 4096; shared scenarios are small).
pub const MAX_PATH_BYTES: usize = 1024;
/// Longest path component, in bytes (Linux `NAME_MAX`).
pub const MAX_NAME_BYTES: usize = 255;
/// Most terminal commands a scenario replays.
pub const MAX_COMMANDS: usize = 256;
/// Longest terminal command, in bytes.
pub const MAX_COMMAND_BYTES: usize = 4096;
/// Longest lesson id, in bytes.
pub const MAX_LESSON_ID_BYTES: usize = 64;
/// Highest lesson step index.
pub const MAX_LESSON_STEP: u32 = 1000;

/// Why a scenario (or a link or stored state holding one) was refused. The UI shows
/// the message and starts fresh.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("scenario link is too long: {len} bytes (at most {max})")]
    EncodedTooLarge { len: usize, max: usize },
    #[error("scenario has no version marker (expected \"v{VERSION}.\")")]
    MissingVersion,
    #[error("unsupported scenario version {0:?} (this layerlab reads version {VERSION})")]
    UnknownVersion(String),
    #[error("scenario link is not valid base64url: {0}")]
    NotBase64(#[from] base64url::Base64Error),
    #[error("scenario link is corrupted: not a deflate stream ({0})")]
    NotDeflate(String),
    #[error("scenario link is corrupted: unexpected data after the deflate stream")]
    TrailingData,
    #[error("scenario is too large: more than {max} bytes of JSON")]
    TooLarge { max: usize },
    #[error("scenario is not valid JSON: {0}")]
    Json(String),
    #[error("scenario has too many files: {count} (at most {max})")]
    TooManyFiles { count: usize, max: usize },
    #[error("invalid build context path {path:?}: {reason}")]
    InvalidPath { path: String, reason: &'static str },
    #[error("build context path {0:?} appears twice")]
    DuplicatePath(String),
    #[error("build context path {file:?} is a file, but {other:?} needs it to be a directory")]
    PathConflict { file: String, other: String },
    #[error("scenario has too many commands: {count} (at most {max})")]
    TooManyCommands { count: usize, max: usize },
    #[error("command {index} is too long: {len} bytes (at most {max})")]
    CommandTooLong {
        index: usize,
        len: usize,
        max: usize,
    },
    #[error("command {index} contains a control character")]
    InvalidCommand { index: usize },
    #[error("invalid tag {tag:?}: {reason}")]
    InvalidTag { tag: String, reason: String },
    #[error("invalid lesson: {0}")]
    InvalidLesson(&'static str),
    #[error("panel {0:?} is listed twice")]
    DuplicatePanel(&'static str),
    #[error("unknown panel {0:?}")]
    UnknownPanel(String),
    #[error("unknown page {0:?}")]
    UnknownRoute(String),
    #[error("invalid embed parameter: {0}")]
    InvalidParameter(String),
    #[error(transparent)]
    Context(#[from] ContextError),
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl { url: String, reason: &'static str },
}

/// A panel of the web application; an embed shows only the ones its author lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Panel {
    /// The Dockerfile editor.
    Editor,
    /// The build-context file tree.
    Context,
    /// The build view (steps, CACHED, cache-miss reasons).
    Build,
    /// The image's layer stack (the seed's diagram).
    Stack,
    /// The docker CLI terminal.
    Terminal,
    /// Containers and their writable layers.
    Runtime,
    /// Local images and the references pointing at them.
    Tags,
    /// The simulated registries.
    Registry,
    /// The build → tag → push → pull → run → stop → rm strip.
    Lifecycle,
}

impl Panel {
    /// Every panel, in the order the app lays them out.
    pub const ALL: [Panel; 9] = [
        Panel::Editor,
        Panel::Context,
        Panel::Build,
        Panel::Stack,
        Panel::Terminal,
        Panel::Runtime,
        Panel::Tags,
        Panel::Registry,
        Panel::Lifecycle,
    ];

    /// What an embed shows when neither the link nor the scenario chooses.
    pub const EMBED_DEFAULT: [Panel; 3] = [Panel::Editor, Panel::Stack, Panel::Terminal];

    /// The id used in links and JSON (`stack`, `terminal`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Panel::Editor => "editor",
            Panel::Context => "context",
            Panel::Build => "build",
            Panel::Stack => "stack",
            Panel::Terminal => "terminal",
            Panel::Runtime => "runtime",
            Panel::Tags => "tags",
            Panel::Registry => "registry",
            Panel::Lifecycle => "lifecycle",
        }
    }

    /// The panel with this id.
    pub fn from_id(id: &str) -> Result<Panel, ScenarioError> {
        Panel::ALL
            .into_iter()
            .find(|p| p.id() == id)
            .ok_or_else(|| ScenarioError::UnknownPanel(shorten(id)))
    }
}

/// Colour theme; `System` follows `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    /// The id used in links and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme with this id.
    pub fn from_id(id: &str) -> Option<Theme> {
        [Theme::System, Theme::Light, Theme::Dark]
            .into_iter()
            .find(|t| t.id() == id)
    }
}

/// Where a learner is in a guided lesson.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    /// The lesson's id (`[a-z0-9-]`).
    pub id: String,
    /// Index of the current step, from 0.
    pub step: u32,
}

/// A complete, replayable layerlab session.
///
/// Fields are public so the UI can assemble one from its state; a scenario is
/// trusted only after [`Scenario::validate`], which [`encode`], [`decode`],
/// [`to_json`] and [`from_json`] all call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version, [`VERSION`].
    pub version: u32,
    /// The editor's Dockerfile text.
    pub dockerfile: String,
    /// The build context: `(path relative to the context root, text)`, `/`-separated;
    /// JSON `[["package.json", "{...}"], ...]`. Files are text and mode 0644 (what
    /// the editor's file tree can create).
    #[serde(default)]
    pub context: Vec<(String, String)>,
    /// The tag the editor's Build button uses (`my-api:1.0`); empty: none.
    #[serde(default)]
    pub tag: String,
    /// Terminal history, replayed in order on a fresh world.
    #[serde(default)]
    pub commands: Vec<String>,
    #[serde(default)]
    pub lesson: Option<LessonProgress>,
    /// Panels to show; empty: the app's default layout.
    #[serde(default)]
    pub panels: Vec<Panel>,
    #[serde(default)]
    pub theme: Theme,
}

impl Scenario {
    /// The scenario of an example project: its files, its tag, nothing run yet.
    pub fn from_example(example: &Example) -> Scenario {
        Scenario {
            version: VERSION,
            dockerfile: example.dockerfile.to_string(),
            context: example
                .context
                .iter()
                .map(|f| (f.path.to_string(), f.text.to_string()))
                .collect(),
            tag: example.tag.to_string(),
            commands: Vec::new(),
            lesson: None,
            panels: Vec::new(),
            theme: Theme::System,
        }
    }

    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != VERSION {
            return Err(ScenarioError::UnknownVersion(self.version.to_string()));
        }
        self.validate_context()?;
        self.validate_tag()?;
        self.validate_commands()?;
        if let Some(lesson) = &self.lesson {
            validate_lesson(lesson)?;
        }
        let mut seen = Vec::with_capacity(self.panels.len());
        for &p in &self.panels {
            if seen.contains(&p) {
                return Err(ScenarioError::DuplicatePanel(p.id()));
            }
            seen.push(p);
        }
        Ok(())
    }

    fn validate_context(&self) -> Result<(), ScenarioError> {
        if self.context.len() > MAX_FILES {
            return Err(ScenarioError::TooManyFiles {
                count: self.context.len(),
                max: MAX_FILES,
            });
        }
        for (path, _) in &self.context {
            validate_path(path)?;
        }
        // Sorted once, then duplicates are neighbours and each ancestor lookup is a
        // binary search: O(n · depth · log n) for at most MAX_FILES paths.
        let mut paths: Vec<&str> = self.context.iter().map(|(p, _)| p.as_str()).collect();
        crate::engine::sort::sort(&mut paths);
        for pair in paths.windows(2) {
            if pair[0] == pair[1] {
                return Err(ScenarioError::DuplicatePath(shorten(pair[0])));
            }
        }
        for path in &paths {
            // Every ancestor of a file must not itself be a file.
            let mut end = 0;
            while let Some(i) = path[end..].find('/') {
                let ancestor = &path[..end + i];
                if paths.binary_search(&ancestor).is_ok() {
                    return Err(ScenarioError::PathConflict {
                        file: shorten(ancestor),
                        other: shorten(path),
                    });
                }
                end += i + 1;
            }
        }
        Ok(())
    }

    fn validate_tag(&self) -> Result<(), ScenarioError> {
        if self.tag.is_empty() {
            return Ok(());
        }
        // The same parser `docker build -t` uses, so a shared tag always builds.
        reference::parse_normalized_named(&self.tag)
            .map(|_| ())
            .map_err(|e| ScenarioError::InvalidTag {
                tag: shorten(&self.tag),
                reason: e.to_string(),
            })
    }

    fn validate_commands(&self) -> Result<(), ScenarioError> {
        if self.commands.len() > MAX_COMMANDS {
            return Err(ScenarioError::TooManyCommands {
                count: self.commands.len(),
                max: MAX_COMMANDS,
            });
        }
        for (index, command) in self.commands.iter().enumerate() {
            if command.len() > MAX_COMMAND_BYTES {
                return Err(ScenarioError::CommandTooLong {
                    index,
                    len: command.len(),
                    max: MAX_COMMAND_BYTES,
                });
            }
            // One terminal line each: a newline would smuggle a second command.
            if command.chars().any(|c| c.is_control() && c != '\t') {
                return Err(ScenarioError::InvalidCommand { index });
            }
        }
        Ok(())
    }

    /// The build context the scenario's files make (all mode 0644).
    pub fn build_context(&self) -> Result<BuildContext, ScenarioError> {
        self.validate_context()?;
        BuildContext::from_files(
            self.context
                .iter()
                .map(|(path, text)| ContextFile::text(path, text)),
        )
        .map_err(ScenarioError::from)
    }

    /// A fresh world holding the scenario's Dockerfile and context, nothing run.
    pub fn world(&self) -> Result<World, ScenarioError> {
        self.validate()?;
        Ok(World::with_context(self.build_context()?, &self.dockerfile))
    }

    /// Runs the scenario's commands in order on `world` (normally [`Scenario::world`])
    /// and returns each command's output, as the terminal showed it.
    pub fn replay(&self, world: &mut World) -> Vec<CommandOutput> {
        self.commands
            .iter()
            .map(|command| cli::run(world, command))
            .collect()
    }
}

/// A context path: relative, `/`-separated, no `.`/`..`/empty components, no control
/// characters, within Linux's `NAME_MAX` and a modest total length.
fn validate_path(path: &str) -> Result<(), ScenarioError> {
    let fail = |reason| {
        Err(ScenarioError::InvalidPath {
            path: shorten(path),
            reason,
        })
    };
    if path.is_empty() {
        return fail("empty path");
    }
    if path.len() > MAX_PATH_BYTES {
        return fail("path is too long");
    }
    if path.starts_with('/') {
        return fail("absolute paths are not allowed");
    }
    if path.chars().any(char::is_control) {
        return fail("control characters are not allowed");
    }
    for component in path.split('/') {
        match component {
            "" => return fail("empty path component"),
            "." => return fail("\".\" components are not allowed"),
            ".." => return fail("\"..\" components are not allowed"),
            c if c.len() > MAX_NAME_BYTES => return fail("path component is too long"),
            _ => {}
        }
    }
    Ok(())
}

fn validate_lesson(lesson: &LessonProgress) -> Result<(), ScenarioError> {
    if lesson.id.is_empty() {
        return Err(ScenarioError::InvalidLesson("empty lesson id"));
    }
    if lesson.id.len() > MAX_LESSON_ID_BYTES {
        return Err(ScenarioError::InvalidLesson("lesson id is too long"));
    }
    if !lesson
        .id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(ScenarioError::InvalidLesson(
            "lesson id may only contain a-z, 0-9 and -",
        ));
    }
    if lesson.step > MAX_LESSON_STEP {
        return Err(ScenarioError::InvalidLesson("lesson step is out of range"));
    }
    Ok(())
}

/// At most 80 characters of untrusted text for an error message (whole characters,
/// so UTF-8 is never split).
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}
