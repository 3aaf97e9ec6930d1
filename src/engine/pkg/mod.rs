//! Simulated package managers (`apt-get`, `apk`, `npm`, `pip`, `yarn`): they write
//! plausible files and caches into the filesystem so that size and caching lessons work.
//!
//! Contract with the shell: when the shell runs a program whose name is a package
//! manager, it calls [`run`]; `None` means "not a package manager", and the shell
//! goes on resolving the program itself.

use crate::engine::fs::Fs;

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

/// What the program did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PkgOutcome {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Simulated wall time the real tool would have taken, in milliseconds.
    pub simulated_ms: u64,
}

/// Runs a package-manager program over `fs`; `None` if `inv.program` is not one.
pub fn run(fs: &mut Fs, inv: &PkgInvocation<'_>) -> Option<PkgOutcome> {
    let _ = (fs, inv);
    None
}
