//! Shared helpers of the native test suites: environment checks that turn into
//! `skipped: <reason>` lines, temporary directories, and the `layerlab` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Why this machine cannot run a native test (not root, not Linux, a tool missing).
pub fn missing(tools: &[&str]) -> Option<String> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not running as root".into());
    }
    for t in tools {
        let found = if t.starts_with('/') {
            Path::new(t).exists()
        } else {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
                .any(|d| d.join(t).is_file())
        };
        if !found {
            return Some(format!("{t} not installed (run scripts/native-setup)"));
        }
    }
    None
}

/// Returns early from a test, printing the reason, when the machine cannot run it.
#[macro_export]
macro_rules! require {
    ($($tool:expr),*) => {
        if let Some(reason) = $crate::native_support::missing(&[$($tool),*]) {
            println!("skipped: {reason}");
            return;
        }
    };
}

/// A fresh directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p =
            std::env::temp_dir().join(format!("layerlab-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `layerlab` binary built with this test, with `LAYERLAB_HOME` set to `home`.
pub fn layerlab(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_layerlab"));
    c.env("LAYERLAB_HOME", home)
        .env_remove(layerlab::native::fsio::CRASH_ENV);
    c
}

/// Runs `layerlab args...`, returning (exit code, stdout, stderr).
pub fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = layerlab(home).args(args).output().expect("run layerlab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs and asserts success; returns stdout.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(home, args);
    assert_eq!(code, 0, "layerlab {args:?} failed:\n{out}\n{err}");
    out
}

/// Runs `layerlab args...` on a pseudo-terminal (util-linux `script`), returning
/// everything it wrote there (stdout and stderr interleaved, with escape codes).
pub fn run_on_terminal(home: &Path, args: &[&str]) -> (i32, String) {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_layerlab"))
        .chain(args.iter().copied())
        .map(quote)
        .collect();
    let out = Command::new("script")
        .args(["-qfec", &line.join(" "), "/dev/null"])
        .env("LAYERLAB_HOME", home)
        .env("TERM", "xterm")
        .env_remove(layerlab::native::fsio::CRASH_ENV)
        .output()
        .expect("run script");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A build context folder `ctx` under `home` holding this Dockerfile.
pub fn context(home: &Path, dockerfile: &str) -> PathBuf {
    let ctx = home.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
    ctx
}
