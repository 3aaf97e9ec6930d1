//! Running programs: `PATH` lookup in the image's filesystem, `#!` scripts, busybox
//! applets chosen by the invoked name, and the package-manager contract.
//!
//! A command exists only if an executable file (or a symlink to one) is found, exactly
//! as `execve` would, so `apt-get` in an alpine image is `sh: apt-get: not found`.

use super::commands::{self, Ctx};
use super::interp::{Flow, Res, Shell};
use super::state::Io;
use crate::engine::fs::{join, FileType};
use crate::engine::pkg::{self, PkgInvocation};

/// Docker's default `PATH` when the image sets none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Programs whose simulation is the package-manager contract's.
const PKG_PROGRAMS: &[&str] = &[
    "apt-get", "apt", "apk", "npm", "npx", "yarn", "pip", "pip3", "dpkg", "node", "python",
    "python3",
];

/// Why a program could not be started.
pub(crate) enum NotRunnable {
    NotFound,
    Denied,
}

pub(crate) fn basename(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    t.rsplit('/').next().unwrap_or(t)
}

impl Shell {
    fn is_executable(&self, path: &str) -> bool {
        match self.fs.stat(path) {
            Ok(s) => {
                s.file_type == FileType::File
                    && s.meta.mode & 0o111 != 0
                    && self.check_access(path, super::perm::EXEC).is_ok()
            }
            Err(_) => false,
        }
    }

    /// The first executable `dir/name` of `PATH` (`any`: also a non-executable match,
    /// as `type` reports).
    pub fn find_in_path(&self, name: &str, _any: bool) -> Option<String> {
        if name.contains('/') {
            let p = self.abs(name);
            return self.is_executable(&p).then(|| name.to_string());
        }
        let path = self
            .get_var("PATH")
            .unwrap_or_else(|| DEFAULT_PATH.to_string());
        for dir in path.split(':') {
            let dir = if dir.is_empty() { "." } else { dir };
            let cand = if dir.ends_with('/') {
                format!("{dir}{name}")
            } else {
                format!("{dir}/{name}")
            };
            if self.is_executable(&join(&self.env.cwd, &cand)) {
                return Some(cand);
            }
        }
        None
    }

    /// Locate `argv[0]` like `execvp`: the path to run, or why not.
    pub(crate) fn locate(&self, name: &str) -> Result<String, NotRunnable> {
        if name.is_empty() {
            return Err(NotRunnable::NotFound);
        }
        if name.contains('/') {
            let p = self.abs(name);
            return match self.fs.stat(&p) {
                Ok(s) if s.file_type == FileType::File && self.is_executable(&p) => Ok(p),
                Ok(_) => Err(NotRunnable::Denied),
                Err(_) => Err(NotRunnable::NotFound),
            };
        }
        self.find_in_path(name, false)
            .map(|p| self.abs(&p))
            .ok_or(NotRunnable::NotFound)
    }

    /// Run a program found through `PATH` with the given process environment.
    pub fn run_program(&mut self, argv: Vec<String>, env: Vec<(String, String)>, io: Io) -> Res {
        self.flush_files();
        self.spend_us(1000)?;
        let name = argv[0].clone();
        let path = match self.locate(&name) {
            Ok(p) => p,
            Err(NotRunnable::NotFound) => {
                self.sh_error(io.err, &format!("{name}: not found"));
                return Ok(127);
            }
            Err(NotRunnable::Denied) => {
                self.sh_error(io.err, &format!("{name}: Permission denied"));
                return Ok(126);
            }
        };
        self.exec_file(&path, argv, env, io)
    }

    /// `execve(path, argv, env)`: scripts go to their interpreter, binaries are
    /// simulated by the name they were invoked as.
    pub(crate) fn exec_file(
        &mut self,
        path: &str,
        argv: Vec<String>,
        env: Vec<(String, String)>,
        io: Io,
    ) -> Res {
        // Simulated programs (npm, pip, ...) are often `#!` scripts in real images
        // (`npm -> npm-cli.js`): run the simulation by the invoked name, not the script.
        if argv
            .first()
            .is_some_and(|a| PKG_PROGRAMS.contains(&basename(a)))
        {
            return self.dispatch(argv, env, io);
        }
        let head = self
            .fs
            .read_file(path)
            .map(|c| c.read_range(0, 256))
            .unwrap_or_default();
        if head.starts_with(b"#!") {
            let first = head[2..].split(|&b| b == b'\n').next().unwrap_or_default();
            let line = String::from_utf8_lossy(first).trim().to_string();
            let mut parts = line.splitn(2, [' ', '\t']);
            let interp = parts.next().unwrap_or_default().to_string();
            let arg = parts
                .next()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            let mut new_argv = vec![interp.clone()];
            new_argv.extend(arg);
            new_argv.push(path.to_string());
            new_argv.extend(argv.into_iter().skip(1));
            self.enter()?;
            let r = match self.locate(&interp) {
                Ok(ip) => self.exec_file(&ip, new_argv, env, io),
                Err(_) => {
                    self.sh_error(io.err, &format!("{}: not found", argv_name(path)));
                    Ok(127)
                }
            };
            self.leave();
            return r;
        }
        self.dispatch(argv, env, io)
    }

    /// Run the simulation of a program by the basename it was invoked as.
    pub(crate) fn dispatch(
        &mut self,
        mut argv: Vec<String>,
        env: Vec<(String, String)>,
        io: Io,
    ) -> Res {
        let mut prog = basename(&argv[0]).to_string();
        if prog == "busybox" {
            if argv.len() < 2 {
                let s = "BusyBox v1.36.1 (simulated by layerlab) multi-call binary.\n\nUsage: busybox [function [arguments]...]\n";
                self.write(io.out, s.as_bytes());
                return Ok(0);
            }
            argv.remove(0);
            prog = basename(&argv[0]).to_string();
        }
        if prog == "env" && argv.len() > 1 {
            return commands::env::run_env(self, argv, env, io);
        }
        if PKG_PROGRAMS.contains(&prog.as_str()) {
            let args = argv[1..].to_vec();
            let cwd = self.env.cwd.clone();
            let inv = PkgInvocation {
                program: &prog,
                args: &args,
                env: &env,
                cwd: &cwd,
                uid: self.uid,
                gid: self.gid,
                mtime: self.mtime,
            };
            if let Some(out) = pkg::run(&mut self.fs, &inv) {
                self.write(io.out, out.stdout.as_bytes());
                self.write(io.err, out.stderr.as_bytes());
                self.spend_us(out.simulated_ms.saturating_mul(1000))?;
                if self.stopped.is_some() {
                    return Err(Flow::Stop);
                }
                return Ok(out.exit_code);
            }
            return Ok(0);
        }
        let f = commands::lookup(&prog).unwrap_or(commands::fallback);
        let mut ctx = Ctx::new(self, io, argv, env);
        let status = f(&mut ctx);
        if self.stopped.is_some() {
            return Err(Flow::Stop);
        }
        Ok(status)
    }
}

fn argv_name(p: &str) -> &str {
    p
}
