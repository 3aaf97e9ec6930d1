//! The Dockerfile front end, layered exactly like BuildKit's `frontend/dockerfile`:
//!
//! * [`syntax`] — BuildKit's `parser` package: lines, directives, continuations,
//!   heredocs, JSON vs shell form → untyped [`syntax::Node`]s with line ranges, and
//!   `Node.Dump()`. Parsing never fails: it returns the tree plus [`Diagnostic`]s.
//! * [`instruction`] — BuildKit's `instructions` package: a typed [`Instruction`]
//!   per node, stages and meta ARGs ([`Dockerfile`]). Values stay raw (unexpanded).
//! * [`expand`] — BuildKit's `shell/lex.go`: `$VAR`/`${VAR:-x}` word expansion. The
//!   build engine expands at dispatch time, as `dockerfile2llb` does.
//! * [`lint`] — `docker build --check` rules with BuildKit's names and messages.
//! * [`dockerignore`] — `.dockerignore` matching (moby/patternmatcher semantics).
//!
//! Architecture invariant: nothing here does IO; every input comes in as a value.

pub mod dockerignore;
pub mod expand;
mod flags;
mod gostr;
pub mod instruction;
pub mod lint;
pub mod syntax;

pub use instruction::{Dockerfile, Instruction, Stage};
pub use syntax::{parse, Heredoc, Node, Parsed};

use std::fmt;

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Severity {
    /// The input is rejected by BuildKit.
    Error,
    /// BuildKit accepts the input but warns (parser warnings and build checks).
    Warning,
}

/// Which layer produced a diagnostic; it decides the BuildKit-style prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Origin {
    /// The line parser (`parser.Parse`): plain message, e.g. `file with no instructions`.
    Syntax,
    /// Instruction typing (`instructions.Parse`): `dockerfile parse error on line N: ...`.
    Instruction,
    /// A build check (`docker build --check`).
    Lint,
}

/// A problem tied to a line range of the Dockerfile (1-based, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error (rejected) or warning.
    pub severity: Severity,
    /// First line (1-based) of the offending instruction; 0 when unknown.
    pub line: usize,
    /// Last line (1-based) of the offending instruction.
    pub end_line: usize,
    /// BuildKit's message text.
    pub message: String,
    /// Build-check rule name (e.g. `NoEmptyContinuation`) when there is one.
    pub rule: Option<&'static str>,
    /// The layer that produced it.
    pub origin: Origin,
}

impl Diagnostic {
    pub(crate) fn error(
        origin: Origin,
        line: usize,
        end_line: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            line,
            end_line: end_line.max(line),
            message: message.into(),
            rule: None,
            origin,
        }
    }

    /// Whether the input is rejected.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// BuildKit wraps instruction errors as `dockerfile parse error on line N: msg`
    /// (instructions/parse.go `parseError`); parser errors print bare.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            Origin::Instruction => {
                write!(
                    f,
                    "dockerfile parse error on line {}: {}",
                    self.line, self.message
                )
            }
            _ => f.write_str(&self.message),
        }
    }
}
