//! The default executor: RUN steps run in the engine's simulated shell.

use super::executor::{Executor, OutputLine, RunRequest, RunResult};
use crate::engine::fs::Fs;

/// Runs RUN steps in the simulated POSIX shell over the in-memory filesystem.
#[derive(Debug, Default, Clone, Copy)]
pub struct SimulatedExecutor;

impl Executor for SimulatedExecutor {
    fn run(&mut self, rootfs: Fs, req: &RunRequest) -> RunResult {
        let name = req.command.argv().first().cloned().unwrap_or_default();
        RunResult {
            fs: rootfs,
            exit_code: 127,
            output: vec![OutputLine {
                at_ms: 0,
                stderr: true,
                text: format!("{name}: the simulated shell is not available yet"),
            }],
            simulated_ms: 0,
            stopped_by: None,
        }
    }
}
