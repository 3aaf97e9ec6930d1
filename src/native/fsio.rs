//! Crash-safe file writes and the store lock.
//!
//! A file is written as a temporary file in the same directory, fsynced, renamed over
//! its final name and the directory fsynced (the ext4/XFS recipe: rename is atomic,
//! and the directory fsync makes the rename durable). A reader therefore sees either
//! the old or the new file, never a torn one; a crash leaves at most a `.tmp-*` file,
//! which `fsck --repair` removes.
//!
//! Crash testing: when `LAYERLAB_CRASH_AFTER_WRITES=N` is set, the process aborts at the
//! N-th *crash point* (half-way through a temp file, or after a rename before the
//! directory fsync). Tests use it to kill a child at every point of an operation.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Prefix of temporary files; anything named so is garbage after a crash.
pub const TMP_PREFIX: &str = ".tmp-";

/// Name of the test-only variable that aborts the process after N crash points.
pub const CRASH_ENV: &str = "LAYERLAB_CRASH_AFTER_WRITES";

static CRASH_POINTS: AtomicU64 = AtomicU64::new(0);
static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

/// Counts a crash point and aborts (as `kill -9` would stop it) when the test asks.
fn crash_point() {
    let n = CRASH_POINTS.fetch_add(1, Ordering::SeqCst) + 1;
    if let Some(limit) = std::env::var(CRASH_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        if n >= limit {
            std::process::abort();
        }
    }
}

/// Writes `bytes` to `dir/name` atomically and durably (see the module docs).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!(
        "{TMP_PREFIX}{}-{}-{name}",
        std::process::id(),
        TMP_SEQ.fetch_add(1, Ordering::SeqCst)
    ));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let half = bytes.len() / 2;
        f.write_all(&bytes[..half])?;
        crash_point();
        f.write_all(&bytes[half..])?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(name))?;
        crash_point();
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes `path` and makes the removal durable; a missing file is fine.
pub fn remove_durable(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    crash_point();
    match path.parent() {
        Some(dir) => sync_dir(dir),
        None => Ok(()),
    }
}

/// fsync a directory, so renames and unlinks in it survive a power loss.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// An exclusive `flock(2)` on a file, held until dropped (the kernel also drops it when
/// the process dies, so a crashed `layerlab` never leaves the store locked).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Blocks until the lock on `path` (created if missing) is ours.
    pub fn exclusive(path: &Path) -> io::Result<Lock> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        loop {
            // SAFETY: flock on an fd we own; no memory is passed.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                return Ok(Lock { _file: file });
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
}
