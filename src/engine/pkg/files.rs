//! Writing package files into a tree: the one place that turns "this package has these
//! paths and this installed size" into entries, shared by the package managers and by
//! the base images (which are built by "installing" their packages the same way).
//!
//! Every write here is best effort on purpose: a learner may have replaced `/usr/bin`
//! with a file or removed `/var/lib/dpkg`; a real package manager would then print an
//! error for that one file and go on, and we must never panic. Results are therefore
//! ignored where the real tool would only warn.

use crate::engine::fs::{normalize, Content, FileType, Fs, Metadata};

/// A writer over a tree with fixed ownership and modification time (one process, one
/// clock tick), as files a package manager unpacks get the installing user and "now".
pub(crate) struct Tree<'a> {
    pub(crate) fs: &'a mut Fs,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) mtime: i64,
}

/// 64-bit FNV-1a: stable seeds for synthetic content. The same package version writes
/// the same bytes in every image, so shared layers (alpine under node:alpine) hash alike.
pub(crate) fn seed(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

impl<'a> Tree<'a> {
    pub(crate) fn new(fs: &'a mut Fs, uid: u32, gid: u32, mtime: i64) -> Tree<'a> {
        Tree {
            fs,
            uid,
            gid,
            mtime,
        }
    }

    fn meta(&self, mode: u32) -> Metadata {
        Metadata::new(mode, self.uid, self.gid, self.mtime)
    }

    /// `mkdir -p path` then set its mode (existing directories keep theirs unless `mode`
    /// differs, as `install -d -m` would set it).
    pub(crate) fn dir(&mut self, path: &str, mode: u32) {
        let path = normalize(path);
        if !self.fs.exists(&path) {
            let _ = self.fs.mkdir_all(&path, self.meta(0o755));
            let _ = self.fs.chmod(&path, mode);
        }
    }

    /// Make the parent directory of `path` exist.
    pub(crate) fn parent(&mut self, path: &str) {
        let path = normalize(path);
        if let Some(i) = path.rfind('/') {
            if i > 0 {
                let p = &path[..i];
                if !self.fs.exists(p) {
                    let _ = self.fs.mkdir_all(p, self.meta(0o755));
                }
            }
        }
    }

    /// A regular file with real bytes (replacing whatever non-directory was there).
    pub(crate) fn text(&mut self, path: &str, text: &str, mode: u32) {
        self.parent(path);
        let _ = self.fs.put_file(path, text, self.meta(mode));
    }

    /// A regular file of `size` synthetic bytes whose seed depends on `salt` and the path.
    pub(crate) fn blob(&mut self, path: &str, size: u64, mode: u32, salt: &str) {
        self.parent(path);
        let content = Content::Synthetic {
            seed: seed(&[salt, path]),
            size,
        };
        let _ = self.fs.put_file(path, content, self.meta(mode));
    }

    /// A symlink `path -> target`, replacing a non-directory already there.
    pub(crate) fn link(&mut self, path: &str, target: &str) {
        self.parent(path);
        if let Ok(st) = self.fs.lstat(path) {
            if st.file_type == FileType::Dir {
                return;
            }
            let _ = self.fs.remove_file(path);
        }
        let _ = self.fs.symlink(target, path, self.meta(0o777));
    }

    /// Read a text file (lossy), empty when missing.
    pub(crate) fn read(&self, path: &str) -> String {
        self.fs
            .read_file(path)
            .map(|c| String::from_utf8_lossy(&c.read_range(0, 16 << 20)).into_owned())
            .unwrap_or_default()
    }

    /// Remove `path` (file, symlink or whole directory) if present.
    pub(crate) fn remove(&mut self, path: &str) {
        if let Ok(st) = self.fs.lstat(path) {
            if st.file_type == FileType::Dir {
                let _ = self.fs.remove_all(path);
            } else {
                let _ = self.fs.remove_file(path);
            }
        }
    }

    /// Remove every entry inside directory `path`, keeping the directory.
    pub(crate) fn empty_dir(&mut self, path: &str) {
        if let Ok(entries) = self.fs.list_dir(path) {
            for e in entries {
                self.remove(&format!("{}/{}", path.trim_end_matches('/'), e.name));
            }
        }
    }

    /// Remove `path` and then its parents while they are empty, stopping at `stop`.
    pub(crate) fn remove_pruning(&mut self, path: &str, stop: &[&str]) {
        self.remove(path);
        let mut p = normalize(path);
        while let Some(i) = p.rfind('/') {
            if i == 0 {
                break;
            }
            p.truncate(i);
            if stop.contains(&p.as_str()) {
                break;
            }
            match self.fs.list_dir(&p) {
                Ok(e) if e.is_empty() => {
                    let _ = self.fs.remove_dir(&p);
                }
                _ => break,
            }
        }
    }
}

/// Split `total` bytes over `n` files, the first ones taking the remainder; a real
/// package's size is dominated by a few files, so the first file gets half.
pub(crate) fn split_sizes(total: u64, n: usize) -> Vec<u64> {
    match n {
        0 => Vec::new(),
        1 => vec![total],
        _ => {
            let first = total / 2;
            let rest = total - first;
            let each = rest / (n as u64 - 1);
            let mut v = vec![first];
            for i in 1..n {
                let extra = if i == 1 {
                    rest - each * (n as u64 - 1)
                } else {
                    0
                };
                v.push(each + extra);
            }
            v
        }
    }
}

/// `1234567` → `1235 kB` style (decimal kB as apt prints, rounded).
pub(crate) fn human_kb(bytes: u64) -> String {
    let kb = bytes.div_ceil(1000);
    if kb >= 10_000 {
        format!("{:.1} MB", kb as f64 / 1000.0)
    } else {
        format!("{kb} kB")
    }
}
