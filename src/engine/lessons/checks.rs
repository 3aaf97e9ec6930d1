//! What checks look at: images, build rows, containers and commands, read from the
//! engine. Every helper answers `Result<_, String>` so a check reads as a chain of
//! facts, each failing with the feedback the learner sees.

use super::{CommandRecord, LessonState};
use crate::engine::build::{BuildOutput, BuiltImage, MissReason, StackRow};
use crate::engine::cli::argv::split_words;
use crate::engine::daemon::ImageRecord;
use crate::engine::runtime::Container;

/// Declares a check: `check!(name, |s| { ...; Ok("feedback".into()) })`; `?` on a
/// `Result<_, String>` fails the check with that message.
macro_rules! check {
    ($vis:vis $name:ident, |$s:ident| $body:block) => {
        $vis fn $name($s: &$crate::engine::lessons::LessonState<'_>) -> $crate::engine::lessons::CheckResult {
            #[allow(clippy::redundant_closure_call)]
            let verdict: Result<String, String> = (|| $body)();
            verdict.into()
        }
    };
}
pub(super) use check;

/// The words of a command line without a leading `docker` (empty when unparsable).
pub fn words(line: &str) -> Vec<String> {
    let mut w = split_words(line).unwrap_or_default();
    if w.first().is_some_and(|f| f == "docker") {
        w.remove(0);
    }
    w
}

impl<'a> LessonState<'a> {
    /// A local image by reference or ID.
    pub fn image(&self, name: &str) -> Result<ImageRecord, String> {
        self.world
            .daemon
            .find_image(name)
            .map_err(|_| format!("there is no local image {name} yet"))
    }

    /// The image a reference resolves to, as an ID string (for comparisons).
    pub fn image_id(&self, name: &str) -> Option<String> {
        self.world
            .daemon
            .images
            .resolve(name)
            .ok()
            .map(|d| d.to_string())
    }

    pub fn last_build(&self) -> Result<&'a BuildOutput, String> {
        self.world
            .last_build
            .as_ref()
            .ok_or_else(|| "run `docker build` first".to_string())
    }

    /// The last build's image, if it succeeded.
    pub fn built(&self) -> Result<&'a BuiltImage, String> {
        match &self.last_build()?.result {
            Ok(img) => Ok(img),
            Err(e) => Err(format!("the last build failed: {e}")),
        }
    }

    /// The last build's row whose instruction starts with `prefix`.
    pub fn row(&self, prefix: &str) -> Result<&'a StackRow, String> {
        self.built()?
            .rows
            .iter()
            .find(|r| r.instruction.starts_with(prefix))
            .ok_or_else(|| format!("the last build has no `{prefix}` step"))
    }

    /// Was the last build's `prefix` step CACHED? `Err` when it ran, with the reason.
    pub fn cached(&self, prefix: &str) -> Result<bool, MissReason> {
        match self.row(prefix) {
            Ok(r) if r.cached => Ok(true),
            Ok(r) => Err(r.miss.clone().unwrap_or(MissReason::NotBuiltBefore)),
            Err(_) => Ok(false),
        }
    }

    pub fn container(&self, name: &str) -> Result<&'a Container, String> {
        self.world
            .container(name)
            .map_err(|_| format!("there is no container {name} yet"))
    }

    /// The most recent successful command whose words (without `docker`) satisfy
    /// `pred`.
    pub fn ran(&self, pred: impl Fn(&[String]) -> bool) -> Option<&'a CommandRecord> {
        self.commands
            .iter()
            .rev()
            .find(|c| c.output.exit_code == 0 && pred(&words(&c.line)))
    }

    /// Text of a file in an image's filesystem.
    pub fn file_in_image(&self, image: &str, path: &str) -> Result<String, String> {
        let img = self.image(image)?;
        let content = img
            .rootfs()
            .read_file(path)
            .map_err(|_| format!("{image} has no {path}"))?;
        Ok(String::from_utf8_lossy(&content.to_vec()).into_owned())
    }

    /// Text of a build context file.
    pub fn context_file(&self, path: &str) -> Option<String> {
        self.context.read_text(path)
    }
}

/// `words[0] == verb` or `words[0..2] == [group, sub]` for the management form.
pub fn is_verb(w: &[String], verb: &str, group: &str, sub: &str) -> bool {
    match w {
        [v, ..] if v == verb => true,
        [g, s, ..] if g == group && s == sub => true,
        _ => false,
    }
}
