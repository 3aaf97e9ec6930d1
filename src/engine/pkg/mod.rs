//! Simulated package managers (`apt-get`, `apk`, `npm`, `pip`, `yarn`): they write
//! plausible files and caches into the filesystem so that size and caching lessons work.
//!
//! Contract with the shell: when the shell runs a program whose name is a package
//! manager, it calls [`run`]; `None` means "not a package manager", and the shell
//! goes on resolving the program itself.
//!
//! A program is only run when the image has it: [`run`] looks the name up in `PATH`
//! inside `fs` (as `execvp` would), so `npm ci` on plain `alpine` returns `None` and the
//! shell prints `sh: npm: not found` as a real one does. Interpreters (`node`,
//! `python3`) are simulated here too, since only their version banner and "run a
//! script" matter to a build.
//!
//! Everything is deterministic: catalogs are fixed tables (`catalog/*.txt`), synthetic
//! content is seeded by package name and version, and `simulated_ms` comes from a
//! simple cost model (a fixed start-up plus a per-package / per-megabyte part).

mod apk;
mod apt;
pub mod catalog;
mod files;
mod install;
pub mod interp;
mod npm;
mod pip;

use crate::engine::fs::{FileType, Fs};

pub(crate) use apk::install_base as apk_install_base;
pub(crate) use apt::install_base as dpkg_install_base;
pub(crate) use files::Tree;

/// One invocation of a package-manager program, as the shell resolved it.
#[derive(Debug, Clone)]
pub struct PkgInvocation<'a> {
    /// The program name as invoked, without directory (`apt-get`, `apk`, `npm`, ...).
    pub program: &'a str,
    /// Arguments after the program name.
    pub args: &'a [String],
    /// The process environment (`KEY`, `value`).
    pub env: &'a [(String, String)],
    /// Absolute working directory.
    pub cwd: &'a str,
    pub uid: u32,
    pub gid: u32,
    /// Modification time for files written (simulated clock, seconds).
    pub mtime: i64,
}

impl PkgInvocation<'_> {
    /// The value of an environment variable.
    pub(crate) fn env(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `$HOME`, defaulting to root's home as a container's root user has it.
    pub(crate) fn home(&self) -> String {
        match self.env("HOME") {
            Some(h) if h.starts_with('/') => h.to_string(),
            _ if self.uid == 0 => "/root".to_string(),
            _ => "/".to_string(),
        }
    }
}

/// What the program did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PkgOutcome {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Simulated wall time the real tool would have taken, in milliseconds.
    pub simulated_ms: u64,
}

impl PkgOutcome {
    /// Success (exit 0) with `stdout` after `ms` simulated milliseconds.
    #[inline(never)]
    pub(crate) fn ok(stdout: String, ms: u64) -> PkgOutcome {
        PkgOutcome {
            stdout,
            simulated_ms: ms,
            ..PkgOutcome::default()
        }
    }

    /// Exit `code` with `stderr` and nothing on stdout. One out-of-line constructor for
    /// the dozens of outcomes the package managers return keeps their code small.
    #[inline(never)]
    pub(crate) fn failed(code: i32, stderr: String, ms: u64) -> PkgOutcome {
        PkgOutcome {
            exit_code: code,
            stderr,
            simulated_ms: ms,
            ..PkgOutcome::default()
        }
    }
}

/// The program names this module simulates.
pub const PROGRAMS: &[&str] = &[
    "apt-get",
    "apt",
    "dpkg",
    "apk",
    "npm",
    "yarn",
    "pip",
    "pip3",
    "pip3.12",
    "pip3.11",
    "node",
    "nodejs",
    "python",
    "python3",
    "python3.12",
    "python3.11",
];

/// Runs a package-manager program over `fs`; `None` if `inv.program` is not one, or if
/// the image has no such program in `PATH`.
pub fn run(fs: &mut Fs, inv: &PkgInvocation<'_>) -> Option<PkgOutcome> {
    if !PROGRAMS.contains(&inv.program) || !in_path(fs, inv) {
        return None;
    }
    Some(match inv.program {
        "apt-get" | "apt" => apt::run_apt(fs, inv),
        "dpkg" => apt::run_dpkg(fs, inv),
        "apk" => apk::run(fs, inv),
        "npm" => npm::run_npm(fs, inv),
        "yarn" => npm::run_yarn(fs, inv),
        "node" | "nodejs" => interp::run_node(fs, inv),
        p if p.starts_with("pip") => pip::run(fs, inv),
        _ => interp::run_python(fs, inv),
    })
}

/// Whether `inv.program` is an executable file somewhere in `$PATH` (symlinks followed).
fn in_path(fs: &Fs, inv: &PkgInvocation<'_>) -> bool {
    let path = inv
        .env("PATH")
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    path.split(':').filter(|d| d.starts_with('/')).any(|d| {
        let p = format!("{}/{}", d.trim_end_matches('/'), inv.program);
        matches!(fs.stat(&p), Ok(st) if st.file_type == FileType::File && st.meta.mode & 0o111 != 0)
    })
}

/// Command-line arguments split into options and positionals, getopt style.
pub(crate) struct Args {
    pub(crate) flags: Vec<String>,
    /// `(option, value)` for options that take a value.
    pub(crate) values: Vec<(String, String)>,
    pub(crate) positional: Vec<String>,
}

impl Args {
    /// `with_value` lists the options that take a separate value (`--virtual NAME`);
    /// `--opt=value` is always split.
    pub(crate) fn parse(args: &[String], with_value: &[&str]) -> Args {
        let mut a = Args {
            flags: Vec::new(),
            values: Vec::new(),
            positional: Vec::new(),
        };
        let mut it = args.iter();
        let mut only_positional = false;
        while let Some(arg) = it.next() {
            if only_positional || !arg.starts_with('-') || arg == "-" {
                a.positional.push(arg.clone());
            } else if arg == "--" {
                only_positional = true;
            } else if let Some((k, v)) = arg.split_once('=') {
                a.values.push((k.to_string(), v.to_string()));
                a.flags.push(k.to_string());
            } else if with_value.contains(&arg.as_str()) {
                let v = it.next().cloned().unwrap_or_default();
                a.values.push((arg.clone(), v));
                a.flags.push(arg.clone());
            } else if !arg.starts_with("--") && arg.len() > 2 {
                // Bundled short options: `-yq` is `-y -q`.
                for c in arg.chars().skip(1) {
                    a.flags.push(format!("-{c}"));
                }
            } else {
                a.flags.push(arg.clone());
            }
        }
        a
    }

    pub(crate) fn has(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|f| names.contains(&f.as_str()))
    }

    pub(crate) fn value(&self, names: &[&str]) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn values_of(&self, names: &[&str]) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// `YYYY-MM-DDTHH_MM_SS_000Z`, the form npm names its debug logs with.
pub(crate) fn timestamp(mtime: i64, sep: char) -> String {
    let (y, m, d) = crate::engine::clock::civil_from_days(mtime.div_euclid(86_400));
    let s = mtime.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}{sep}{:02}{sep}{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}
