//! Permission checks and overlayfs copy-up for the filesystem operations of RUN.
//!
//! A RUN with `USER appuser` runs as an unprivileged process: the kernel's
//! `generic_permission()` checks the owner, group or other class of the mode bits
//! (in that order, the first class that applies decides), creating or removing an
//! entry needs write and search permission on its directory (and, in a sticky
//! directory such as `/tmp`, ownership of the entry or the directory), and every
//! directory on the way needs search (`x`) permission. Root (uid 0) has
//! `CAP_DAC_OVERRIDE` and `CAP_FOWNER`: it passes every check except executing a file
//! with no `x` bit at all. BuildKit runs RUN with exactly these credentials (uid, gid
//! and the supplementary groups of `/etc/group`), so `mkdir -p /var/log/app` as
//! `appuser` fails with `Permission denied` as it does in a real build.
//!
//! The wrappers here are what the simulated programs call instead of the raw [`Fs`]
//! operations, so every program gets the same checks.
//!
//! Copy-up: a RUN writes into an overlayfs upper directory. The first change of a
//! lower file (even a `touch` that leaves its bytes and, within the same simulated
//! second, its mtime as they were) copies it up as a new inode, so the layer records
//! it. [`Shell::copy_up`] does the same by giving the file a new inode; as overlayfs
//! mounted with `index=off` (what containerd and Docker use) does, that breaks a
//! hardlink to the lower file, which is why buildah's layer for `RUN touch /f1` holds
//! `f1` alone (oracle sample h).
//!
//! [`Fs`]: crate::engine::fs::Fs

use super::interp::Shell;
use crate::engine::fs::{normalize, Content, DeviceKind, FileType, FsError, Metadata, Stat};

/// Read permission bit (of one class).
pub(crate) const READ: u32 = 4;
/// Write permission bit.
pub(crate) const WRITE: u32 = 2;
/// Execute / search permission bit.
pub(crate) const EXEC: u32 = 1;

/// Why a filesystem operation of the shell failed; the text is `strerror`'s, as the
/// programs print it (`mkdir: can't create directory 'x': Permission denied`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OpError {
    /// `EACCES`: the mode bits do not allow the access.
    #[error("Permission denied")]
    Denied,
    #[error(transparent)]
    Fs(#[from] FsError),
}

type Res<T = ()> = Result<T, OpError>;

fn parent_of(path: &str) -> String {
    let p = normalize(path);
    match p.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => p[..i].to_string(),
    }
}

/// `/`, `/a`, `/a/b` for `/a/b`.
fn prefixes(dir: &str) -> Vec<String> {
    let mut out = vec!["/".to_string()];
    let mut cur = String::new();
    for c in dir.split('/').filter(|c| !c.is_empty()) {
        cur.push('/');
        cur.push_str(c);
        out.push(cur.clone());
    }
    out
}

impl Shell {
    /// Whether the running user may access an entry with `want` (`READ|WRITE|EXEC`).
    pub fn allowed(&self, st: &Stat, want: u32) -> bool {
        if self.uid == 0 {
            // CAP_DAC_OVERRIDE: all but executing a file no one may execute.
            return want & EXEC == 0 || st.file_type == FileType::Dir || st.meta.mode & 0o111 != 0;
        }
        let m = st.meta.mode;
        let bits = if st.meta.uid == self.uid {
            (m >> 6) & 7
        } else if self.in_group(st.meta.gid) {
            (m >> 3) & 7
        } else {
            m & 7
        };
        bits & want == want
    }

    pub fn in_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }

    /// Search permission on `dir` and every directory above it.
    fn check_search(&self, dir: &str) -> Res {
        if self.uid == 0 {
            return Ok(());
        }
        for p in prefixes(dir) {
            match self.fs.stat(&p) {
                Ok(s) if s.file_type == FileType::Dir && !self.allowed(&s, EXEC) => {
                    return Err(OpError::Denied)
                }
                Ok(_) => {}
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    /// `access(path, want)`: search permission on the way, `want` on the entry itself
    /// (symlinks followed). A missing entry is left to the operation to report.
    pub fn check_access(&self, path: &str, want: u32) -> Res {
        if self.uid == 0 && want & EXEC == 0 {
            return Ok(());
        }
        let Ok(real) = self.fs.canonicalize(path) else {
            return self.check_search(&parent_of(path));
        };
        self.check_search(&parent_of(&real))?;
        match self.fs.stat(&real) {
            Ok(s) if !self.allowed(&s, want) => Err(OpError::Denied),
            _ => Ok(()),
        }
    }

    /// Creating an entry at `path`: write and search permission on its directory.
    pub fn check_create(&self, path: &str) -> Res {
        if self.uid == 0 {
            return Ok(());
        }
        let Ok(dir) = self.fs.canonicalize(&parent_of(path)) else {
            return Ok(());
        };
        self.check_search(&dir)?;
        match self.fs.stat(&dir) {
            Ok(s) if !self.allowed(&s, WRITE | EXEC) => Err(OpError::Denied),
            _ => Ok(()),
        }
    }

    /// Removing (or renaming away) the entry at `path`: as creating, plus the sticky
    /// rule (`/tmp`): only the owner of the entry or of the directory may remove it.
    pub fn check_remove(&self, path: &str) -> Res {
        self.check_create(path)?;
        if self.uid == 0 {
            return Ok(());
        }
        let Ok(dir) = self.fs.canonicalize(&parent_of(path)) else {
            return Ok(());
        };
        let (Ok(d), Ok(e)) = (self.fs.stat(&dir), self.fs.lstat(path)) else {
            return Ok(());
        };
        if d.meta.mode & 0o1000 != 0 && e.meta.uid != self.uid && d.meta.uid != self.uid {
            return Err(OpError::Denied);
        }
        Ok(())
    }

    /// Opening `path` for writing (`O_CREAT`): write permission on an existing file,
    /// create permission otherwise.
    pub fn check_write(&self, path: &str) -> Res {
        match self.fs.stat(path) {
            Ok(_) => self.check_access(path, WRITE),
            Err(_) => self.check_create(path),
        }
    }

    /// Changing mode or times needs ownership (`CAP_FOWNER` for root): `EPERM`.
    fn check_owner(&self, path: &str) -> Res {
        if self.uid == 0 {
            return Ok(());
        }
        self.check_access(path, 0)?;
        match self.fs.stat(path) {
            Ok(s) if s.meta.uid != self.uid => Err(FsError::NotPermitted.into()),
            _ => Ok(()),
        }
    }

    /// Give the lower file at `path` a new inode (an overlayfs copy-up) unless it was
    /// already copied up (created or replaced) during this RUN. Other names of a
    /// hardlinked lower file keep the old inode: containerd mounts overlayfs with
    /// `index=off`, where a copy-up breaks the hardlink.
    pub fn copy_up(&mut self, path: &str) {
        let Ok(real) = self.fs.canonicalize(path) else {
            return;
        };
        let (Ok(now), Ok(before)) = (self.fs.lstat(&real), self.lower.lstat(&real)) else {
            return;
        };
        if now.file_type != FileType::File || now.ino != before.ino {
            return;
        }
        if let Ok(content) = self.fs.read_file(&real) {
            let _ = self.fs.put_file(&real, content, now.meta);
        }
    }

    // ----- checked operations -------------------------------------------------------

    /// `mkdir(2)`.
    pub fn mkdir(&mut self, path: &str, meta: Metadata) -> Res {
        if self.fs.lstat(path).is_ok() {
            return Err(FsError::Exists.into());
        }
        self.check_create(path)?;
        Ok(self.fs.mkdir(path, meta)?)
    }

    /// `mkdir -p`: on failure, the directory that could not be created (`None`: the
    /// last one) and the error. BusyBox names an intermediate directory with a trailing
    /// slash (`'/var/log/'`), as it calls `mkdir(2)` on that prefix of the argument.
    pub fn mkdir_all(
        &mut self,
        path: &str,
        meta: Metadata,
    ) -> Result<(), (Option<String>, OpError)> {
        let p = normalize(path);
        let all = prefixes(&p);
        let n = all.len();
        for (i, dir) in all.into_iter().enumerate().skip(1) {
            let last = i + 1 == n;
            let shown = (!last).then(|| format!("{dir}/"));
            match self.fs.stat(&dir) {
                Ok(s) if s.file_type == FileType::Dir => continue,
                Ok(_) => {
                    let e = if last {
                        FsError::Exists
                    } else {
                        FsError::NotDir
                    };
                    return Err((shown, e.into()));
                }
                Err(FsError::NotFound) => {}
                Err(e) => return Err((shown, e.into())),
            }
            let mut m = meta;
            if !last {
                // Intermediate directories get at least u+wx (bb_make_directory).
                m.mode |= 0o300;
            }
            self.mkdir(&dir, m).map_err(|e| (shown, e))?;
        }
        Ok(())
    }

    /// `open(O_CREAT|O_TRUNC)` + write.
    pub fn write_file(&mut self, path: &str, content: impl Into<Content>, meta: Metadata) -> Res {
        self.write_content(path, content.into(), meta)
    }

    /// [`Shell::write_file`] without the generic conversion, so the checks exist once.
    fn write_content(&mut self, path: &str, content: Content, meta: Metadata) -> Res {
        if matches!(self.fs.stat(path), Ok(s) if s.file_type == FileType::Dir) {
            return Err(FsError::IsDir.into());
        }
        self.check_write(path)?;
        self.copy_up(path);
        Ok(self.fs.write_file(path, content, meta)?)
    }

    /// `open(O_CREAT|O_APPEND)` + write.
    pub fn append(&mut self, path: &str, bytes: &[u8], meta: Metadata) -> Res {
        self.check_write(path)?;
        self.copy_up(path);
        Ok(self.fs.append(path, bytes, meta)?)
    }

    /// Replace the non-directory at `path` by a new file (COPY-like `cp`/`install`).
    pub fn put_file(&mut self, path: &str, content: impl Into<Content>, meta: Metadata) -> Res {
        self.put_content(path, content.into(), meta)
    }

    /// [`Shell::put_file`] without the generic conversion, so the checks exist once.
    fn put_content(&mut self, path: &str, content: Content, meta: Metadata) -> Res {
        if self.fs.lstat(path).is_ok() {
            self.check_remove(path)?;
        } else {
            self.check_create(path)?;
        }
        Ok(self.fs.put_file(path, content, meta)?)
    }

    /// `unlink(2)`.
    pub fn remove_file(&mut self, path: &str) -> Res {
        if self.fs.lstat(path).is_ok() {
            self.check_remove(path)?;
        }
        Ok(self.fs.remove_file(path)?)
    }

    /// `rmdir(2)`.
    pub fn remove_dir(&mut self, path: &str) -> Res {
        if self.fs.lstat(path).is_ok() {
            self.check_remove(path)?;
        }
        Ok(self.fs.remove_dir(path)?)
    }

    /// `rm -r`: every directory emptied on the way needs read, write and search
    /// permission. On failure, the entry that could not be removed (`None`: `path`
    /// itself); as a simplification nothing is removed then, where `rm` would have
    /// removed the other entries.
    pub fn remove_all(&mut self, path: &str) -> Result<(), (Option<String>, OpError)> {
        self.check_remove(path).map_err(|e| (None, e))?;
        if self.uid != 0 {
            if let (Ok(entries), Ok(top)) = (self.fs.walk(path), self.fs.lstat(path)) {
                let top = crate::engine::fs::WalkEntry {
                    path: path.to_string(),
                    stat: top,
                };
                for e in std::iter::once(top).chain(entries) {
                    let is_dir = e.stat.file_type == FileType::Dir;
                    if is_dir && !self.allowed(&e.stat, READ | WRITE | EXEC) {
                        if let Some(first) = self.fs.list_dir(&e.path).ok().and_then(|l| {
                            l.into_iter()
                                .next()
                                .map(|c| crate::engine::fs::join(&e.path, &c.name))
                        }) {
                            return Err((Some(first), OpError::Denied));
                        }
                    }
                }
            }
        }
        self.fs.remove_all(path).map_err(|e| (None, e.into()))
    }

    /// `rename(2)`.
    pub fn rename(&mut self, from: &str, to: &str) -> Res {
        if self.fs.lstat(from).is_ok() {
            self.check_remove(from)?;
            if self.fs.lstat(to).is_ok() {
                self.check_remove(to)?;
            } else {
                self.check_create(to)?;
            }
        }
        Ok(self.fs.rename(from, to)?)
    }

    /// `symlink(2)`.
    pub fn symlink(&mut self, target: &str, link: &str, meta: Metadata) -> Res {
        self.check_create(link)?;
        Ok(self.fs.symlink(target, link, meta)?)
    }

    /// `link(2)`.
    pub fn hardlink(&mut self, existing: &str, new_path: &str) -> Res {
        self.check_create(new_path)?;
        Ok(self.fs.hardlink(existing, new_path)?)
    }

    /// `mknod(2)`: only root may create device nodes (`CAP_MKNOD`); fifos need create
    /// permission.
    pub fn mknod(&mut self, path: &str, device: DeviceKind, meta: Metadata) -> Res {
        if self.uid != 0 && !matches!(device, DeviceKind::Fifo) {
            return Err(FsError::NotPermitted.into());
        }
        self.check_create(path)?;
        Ok(self.fs.mknod(path, device, meta)?)
    }

    /// `chmod(2)`: the owner or root.
    pub fn chmod(&mut self, path: &str, mode: u32) -> Res {
        self.check_owner(path)?;
        self.copy_up(path);
        Ok(self.fs.chmod(path, mode)?)
    }

    /// `chown(2)`/`lchown(2)`: root only, except an owner "changing" to its own uid and
    /// a group it belongs to (POSIX `_POSIX_CHOWN_RESTRICTED`).
    pub fn chown(&mut self, path: &str, uid: u32, gid: u32, follow: bool) -> Res {
        if self.uid != 0 {
            let st = if follow {
                self.fs.stat(path)
            } else {
                self.fs.lstat(path)
            }?;
            self.check_access(&parent_of(path), EXEC)?;
            if st.meta.uid != self.uid || uid != self.uid || !self.in_group(gid) {
                return Err(FsError::NotPermitted.into());
            }
        }
        self.copy_up(path);
        Ok(if follow {
            self.fs.chown(path, uid, gid)
        } else {
            self.fs.lchown(path, uid, gid)
        }?)
    }

    /// `utimes(2)` for `touch`: an explicit time needs ownership; "now" needs write
    /// permission or ownership. The file is copied up first (see the module docs).
    pub fn set_mtime(&mut self, path: &str, mtime: i64, explicit: bool) -> Res {
        if self.uid != 0 {
            let owner = self.check_owner(path);
            if explicit {
                owner?;
            } else if owner.is_err() {
                self.check_access(path, WRITE)?;
            }
        }
        self.copy_up(path);
        Ok(self.fs.set_mtime(path, mtime)?)
    }

    /// Set all metadata (`cp -p`, `install -m/-o`): ownership rules of chmod/chown.
    pub fn set_metadata(&mut self, path: &str, meta: Metadata) -> Res {
        if self.uid != 0 {
            self.check_owner(path)?;
            if meta.uid != self.uid || !self.in_group(meta.gid) {
                // cp -p as a user keeps the mode but not a foreign owner.
                let st = self.fs.lstat(path)?;
                let kept = Metadata {
                    uid: st.meta.uid,
                    gid: st.meta.gid,
                    ..meta
                };
                return Ok(self.fs.set_metadata(path, kept)?);
            }
        }
        Ok(self.fs.set_metadata(path, meta)?)
    }
}
