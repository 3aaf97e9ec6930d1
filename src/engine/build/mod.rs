//! The build: Dockerfile + context + base image → image (layers plus metadata).
//!
//! BuildKit's `dockerfile2llb`, simulated: [`session::BuildSession`] is a state machine
//! the UI can step through; each step yields [`events::BuildEvent`]s which also render
//! as BuildKit's `--progress=plain` log. `plan` is the quick, build-free view of which
//! instructions make filesystem layers.

pub mod cache;
pub mod context;
pub mod copy;
pub mod events;
pub mod executor;
pub mod history;
pub mod plan;
pub mod session;
pub mod simulated;
pub mod users;

pub use context::{BuildContext, ContextFile};
pub use events::{
    failure_report, plain_progress as plain_progress_of, BuildEvent, MissReason, StepRef,
};
pub use executor::{Executor, RunCommand, RunRequest, RunResult};
pub use session::{BuildError, BuildOutput, BuildRequest, BuildSession, BuiltImage, StackRow};
