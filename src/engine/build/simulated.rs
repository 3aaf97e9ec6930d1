//! The default executor: RUN steps run in the engine's simulated POSIX shell over the
//! in-memory filesystem (so builds work in the browser, deterministically).

use super::executor::{Executor, OutputLine, RunCommand, RunRequest, RunResult};
use super::users;
use crate::engine::fs::Fs;
use crate::engine::shell::{self, Budgets, RunSpec, Stream};

/// Runs RUN steps in the simulated shell, within its budgets.
#[derive(Debug, Default, Clone)]
pub struct SimulatedExecutor {
    /// Budgets for each step (`Budgets::default()` when not set).
    pub budgets: Option<Budgets>,
}

impl SimulatedExecutor {
    pub fn new() -> Self {
        SimulatedExecutor::default()
    }
}

/// Resolves `USER` for a process: `""` is root; names go through `/etc/passwd`.
pub fn resolve_user(rootfs: &Fs, user: &str) -> Result<(u32, u32, String), String> {
    if user.is_empty() {
        return Ok((0, 0, "root".into()));
    }
    match users::resolve(rootfs, user) {
        Ok(owner) => {
            let name = user.split(':').next().unwrap_or(user).to_string();
            Ok((owner.uid, owner.gid, name))
        }
        Err(_) => Err(format!(
            "unable to find user {}: no matching entries in passwd file",
            user.split(':').next().unwrap_or(user)
        )),
    }
}

impl Executor for SimulatedExecutor {
    fn run(&mut self, rootfs: Fs, req: &RunRequest) -> RunResult {
        let (uid, gid, user) = match resolve_user(&rootfs, &req.user) {
            Ok(u) => u,
            Err(message) => {
                return RunResult {
                    fs: rootfs,
                    exit_code: 1,
                    output: vec![],
                    simulated_ms: 0,
                    stopped_by: Some(message),
                }
            }
        };
        let command = match &req.command {
            RunCommand::Shell { shell: sh, script } => shell::RunCommand::Shell {
                shell: sh.clone(),
                script: script.clone(),
            },
            RunCommand::Exec(argv) => shell::RunCommand::Exec(argv.clone()),
        };
        let budgets = self.budgets.unwrap_or_default();
        let spec = RunSpec {
            command,
            env: req.env.clone(),
            workdir: req.workdir.clone(),
            uid,
            gid,
            user,
            mtime: req.mtime,
            hostname: if req.hostname.is_empty() {
                "buildkitsandbox".into()
            } else {
                req.hostname.clone()
            },
            budgets,
        };
        let outcome = shell::run(rootfs, &spec);
        let n = outcome.output.len() as u64;
        let output = outcome
            .output
            .into_iter()
            .enumerate()
            .map(|(i, l)| OutputLine {
                // Spread the lines over the simulated duration, as a real process would.
                at_ms: (outcome.duration_ms * (i as u64 + 1))
                    .checked_div(n)
                    .unwrap_or(0),
                stderr: l.stream == Stream::Stderr,
                text: l.text,
            })
            .collect();
        RunResult {
            fs: outcome.fs,
            exit_code: outcome.exit_code,
            output,
            simulated_ms: outcome.duration_ms,
            stopped_by: outcome.budget_exceeded.map(|b| b.message(&budgets)),
        }
    }
}
