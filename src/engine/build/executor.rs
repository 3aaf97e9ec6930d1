//! How RUN executes. The build engine hands a step to an [`Executor`]; the default is
//! the simulated shell (in the engine, so it runs in the browser), and the native CLI
//! can provide one that runs the command for real (runc over overlayfs).

use crate::engine::fs::Fs;

/// The command of a RUN step as BuildKit resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunCommand {
    /// Shell form: run `shell` (SHELL, default `["/bin/sh", "-c"]`) with the script.
    Shell { shell: Vec<String>, script: String },
    /// Exec form: the argv, run directly.
    Exec(Vec<String>),
}

impl RunCommand {
    /// The argv the container process gets.
    pub fn argv(&self) -> Vec<String> {
        match self {
            RunCommand::Shell { shell, script } => {
                let mut argv = shell.clone();
                argv.push(script.clone());
                argv
            }
            RunCommand::Exec(argv) => argv.clone(),
        }
    }

    /// What BuildKit prints in `process "..." did not complete successfully`.
    pub fn display(&self) -> String {
        self.argv().join(" ")
    }
}

/// Everything a RUN step executes with.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub command: RunCommand,
    /// The process environment: image Env, then build args in scope (`KEY`, `value`).
    pub env: Vec<(String, String)>,
    /// Absolute working directory (created if missing, as BuildKit does).
    pub workdir: String,
    /// `USER` as written (`name`, `uid`, `name:group`, ...), empty for root.
    pub user: String,
    /// mtime for files the step writes (the simulated clock).
    pub mtime: i64,
    /// Heredoc files to provide (path, content) before running.
    pub files: Vec<(String, String)>,
    /// The process's host name: empty in a build (BuildKit's `buildkitsandbox`), a
    /// container's short ID at runtime (what Docker gives a container).
    pub hostname: String,
}

/// One line of process output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    /// Milliseconds since the step started (BuildKit prefixes `#8 1.234 ...`).
    pub at_ms: u64,
    pub stderr: bool,
    pub text: String,
}

/// What a RUN step did.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The root filesystem after the command.
    pub fs: Fs,
    pub exit_code: i32,
    pub output: Vec<OutputLine>,
    /// How long the real command would have taken (simulated).
    pub simulated_ms: u64,
    /// A budget that stopped the command, with its message.
    pub stopped_by: Option<String>,
}

/// Executes RUN steps.
pub trait Executor {
    /// Runs `req` over `rootfs` and returns the resulting filesystem and status.
    fn run(&mut self, rootfs: Fs, req: &RunRequest) -> RunResult;
}
