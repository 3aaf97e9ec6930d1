//! The simulated POSIX shell that executes RUN (and later `docker exec`).
//!
//! BuildKit runs a shell-form `RUN cmd` as `SHELL + [cmd]` (default
//! `["/bin/sh", "-c", cmd]`) and an exec-form `RUN ["a", "b"]` as that argv, inside the
//! image's filesystem with the image's `Env`, `WorkingDir` and `User`. This module does
//! the same over the in-memory [`Fs`]: the program must exist in the filesystem (found
//! through `PATH`, busybox applets chosen by the invoked name, `#!` scripts run by their
//! interpreter), `/bin/sh` is a POSIX shell with ash's messages, and the common
//! coreutils/busybox programs are simulated. Package managers are delegated to
//! [`crate::engine::pkg`].
//!
//! Architecture invariant: pure and deterministic. No clock (time is [`RunSpec::mtime`]
//! and a simulated duration), no randomness (`$$` is 1, `mktemp` names are counters),
//! and every loop is metered by [`Budgets`], so no script can hang or overflow the stack.
//!
//! Codemap: `parser` (+`ast`) → `interp` (lists, pipelines, redirections) with
//! `expand` (words), `arith`, `glob`; `builtins` (cd, export, set, ...); `resolve`
//! (PATH, shebang, busybox, pkg); `commands/*` (programs); `regex` (grep/sed);
//! `budget`.

mod arith;
mod ast;
mod budget;
pub(crate) mod builtins;
mod commands;
mod expand;
mod glob;
mod interp;
mod parser;
mod perm;
pub(crate) mod regex;
mod resolve;
mod state;

pub use budget::{Budget, Budgets};
pub use parser::SyntaxError;
pub use resolve::DEFAULT_PATH;

use crate::engine::fs::Fs;
use interp::{Flow, Shell};
use state::{Env, Io, Var};

/// What a RUN executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunCommand {
    /// Shell form: `shell` (the Dockerfile's `SHELL`, default `["/bin/sh", "-c"]`)
    /// followed by the script as one argument.
    Shell { shell: Vec<String>, script: String },
    /// Exec form: the argv as written.
    Exec(Vec<String>),
}

/// Everything a RUN (or `docker exec`) needs besides the filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    pub command: RunCommand,
    /// The process environment (image `Env` plus build args in scope), in order.
    pub env: Vec<(String, String)>,
    /// Absolute working directory (`WorkingDir`, `/` when empty).
    pub workdir: String,
    pub uid: u32,
    pub gid: u32,
    /// The user name, for `whoami`/`id` when `/etc/passwd` lacks it.
    pub user: String,
    /// Modification time given to files written (simulated clock, seconds).
    pub mtime: i64,
    /// `uname -n`/`hostname`: BuildKit's RUN containers are `buildkitsandbox`.
    pub hostname: String,
    pub budgets: Budgets,
}

impl RunSpec {
    /// `RUN <script>` with the default shell, as root in `/`.
    pub fn shell(script: &str) -> RunSpec {
        RunSpec::new(RunCommand::Shell {
            shell: vec!["/bin/sh".into(), "-c".into()],
            script: script.to_string(),
        })
    }

    /// `RUN ["argv", ...]`, as root in `/`.
    pub fn exec(argv: &[&str]) -> RunSpec {
        RunSpec::new(RunCommand::Exec(
            argv.iter().map(|s| s.to_string()).collect(),
        ))
    }

    pub fn new(command: RunCommand) -> RunSpec {
        RunSpec {
            command,
            env: vec![("PATH".into(), DEFAULT_PATH.into())],
            workdir: "/".into(),
            uid: 0,
            gid: 0,
            user: "root".into(),
            mtime: 0,
            hostname: "buildkitsandbox".into(),
            budgets: Budgets::default(),
        }
    }

    /// The argv actually executed (shell + script, or the exec form).
    pub fn argv(&self) -> Vec<String> {
        match &self.command {
            RunCommand::Shell { shell, script } => {
                let mut v = shell.clone();
                v.push(script.clone());
                v
            }
            RunCommand::Exec(argv) => argv.clone(),
        }
    }
}

/// Which stream a line was written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of output, in the order it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    pub stream: Stream,
    pub text: String,
}

/// The result of a RUN.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The filesystem after the command (also after a failure or a stopped budget).
    pub fs: Fs,
    pub exit_code: i32,
    /// stdout and stderr lines, interleaved as written.
    pub output: Vec<OutputLine>,
    /// Simulated duration of the command, milliseconds.
    pub duration_ms: u64,
    /// Interpreter steps used.
    pub steps: u64,
    /// The budget that stopped the command, if any (its message is the last stderr line).
    pub budget_exceeded: Option<Budget>,
}

impl RunOutcome {
    fn text_of(&self, stream: Option<Stream>) -> String {
        let mut s = String::new();
        for l in &self.output {
            if stream.is_none_or(|st| st == l.stream) {
                s.push_str(&l.text);
                s.push('\n');
            }
        }
        s
    }

    /// All output, interleaved, one line per line.
    pub fn text(&self) -> String {
        self.text_of(None)
    }

    pub fn stdout(&self) -> String {
        self.text_of(Some(Stream::Stdout))
    }

    pub fn stderr(&self) -> String {
        self.text_of(Some(Stream::Stderr))
    }
}

/// Exit status reported when a budget kills the command (SIGKILL, as an OOM kill).
pub const BUDGET_EXIT_CODE: i32 = 137;

/// Execute a RUN over `fs`.
///
/// A missing program in exec form (or a missing `SHELL`) gives runc's message as the
/// build shows it: `exec: "foo": executable file not found in $PATH`, exit 127.
pub fn run(fs: Fs, spec: &RunSpec) -> RunOutcome {
    let argv = spec.argv();
    let mut env = Env::new(&crate::engine::fs::normalize(&spec.workdir), "sh");
    let mut penv: Vec<(String, String)> = Vec::new();
    for (k, v) in &spec.env {
        penv.retain(|(n, _)| n != k);
        penv.push((k.clone(), v.clone()));
    }
    if !penv.iter().any(|(k, _)| k == "PATH") {
        penv.insert(0, ("PATH".into(), DEFAULT_PATH.into()));
    }
    if !penv.iter().any(|(k, _)| k == "HOSTNAME") {
        penv.push(("HOSTNAME".into(), spec.hostname.clone()));
    }
    if !penv.iter().any(|(k, _)| k == "HOME") {
        let home = home_of(&fs, spec.uid).unwrap_or_else(|| {
            if spec.uid == 0 {
                "/root".into()
            } else {
                "/".into()
            }
        });
        penv.push(("HOME".into(), home));
    }
    for (k, v) in &penv {
        env.vars.insert(
            k.clone(),
            Var {
                value: v.clone(),
                exported: true,
                readonly: false,
            },
        );
    }
    let mut sh = Shell::new(fs, env, spec.budgets);
    sh.uid = spec.uid;
    sh.gid = spec.gid;
    sh.user = spec.user.clone();
    if spec.uid != 0 {
        sh.groups = commands::groups_of(&sh.fs, &spec.user)
            .into_iter()
            .map(|(g, _)| g)
            .collect();
    }
    sh.mtime = spec.mtime;
    sh.hostname = spec.hostname.clone();
    let io = Io::top();
    let exit_code = match argv.first() {
        None => {
            sh.write(io.err, b"exec: \"\": executable file not found in $PATH\n");
            127
        }
        Some(prog) => match sh.locate(prog) {
            Err(_) => {
                let msg = if prog.contains('/') {
                    format!("exec: \"{prog}\": stat {prog}: no such file or directory\n")
                } else {
                    format!("exec: \"{prog}\": executable file not found in $PATH\n")
                };
                sh.write(io.err, msg.as_bytes());
                127
            }
            Ok(path) => {
                let r = sh.exec_file(&path, argv.clone(), penv, io);
                match r {
                    Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) => s,
                    Err(Flow::Break(_) | Flow::Continue(_)) => 0,
                    Err(Flow::Stop) => BUDGET_EXIT_CODE,
                }
            }
        },
    };
    sh.flush_files();
    sh.finish_output();
    let mut exit_code = exit_code;
    if let Some(b) = sh.stopped {
        exit_code = BUDGET_EXIT_CODE;
        sh.lines.push(OutputLine {
            stream: Stream::Stderr,
            text: b.message(&spec.budgets),
        });
    }
    RunOutcome {
        duration_ms: sh.meter.time_us.div_ceil(1000),
        steps: sh.meter.steps,
        fs: sh.fs,
        exit_code,
        output: sh.lines,
        budget_exceeded: sh.stopped,
    }
}

/// `docker exec`: run `argv` (exec form, as `docker exec` always is) in a container
/// filesystem with the environment, user and budgets of `spec`.
pub fn exec(fs: Fs, argv: &[String], spec: &RunSpec) -> RunOutcome {
    let spec = RunSpec {
        command: RunCommand::Exec(argv.to_vec()),
        ..spec.clone()
    };
    run(fs, &spec)
}

/// Parse a script without running it (for editors and the Dockerfile linter).
pub fn check_syntax(script: &str) -> Result<(), SyntaxError> {
    parser::parse(script).map(|_| ())
}

fn home_of(fs: &Fs, uid: u32) -> Option<String> {
    let data = fs.read_file("/etc/passwd").ok()?.read_range(0, 1 << 20);
    let text = String::from_utf8_lossy(&data);
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 5 && f[2].parse::<u32>().ok() == Some(uid)).then(|| f[5].to_string())
    })
}
