//! Between the in-memory [`Fs`] and real directories: materialising a rootfs as the
//! overlay's lower directory, and reading the overlay's upper directory back as
//! changes on top of it.
//!
//! The upper directory is overlayfs's own changeset format (kernel
//! `Documentation/filesystems/overlayfs.rst`): a deleted entry is a *whiteout*, a
//! character device 0/0; a directory that replaces a lower one entirely carries the
//! xattr `trusted.overlay.opaque=y` (`user.overlay.opaque=y` on a rootless
//! `userxattr` mount). They become, respectively, a removal and a
//! remove-then-create in the tree, which the engine's diff turns into the OCI
//! `.wh.<name>` and `.wh..wh..opq` entries (image-spec `layer.md`).

use crate::engine::fs::{DeviceKind, FileType, Fs, FsError, Metadata};
use std::collections::BTreeMap;
use std::ffi::CString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Deepest directory nesting read back (a hostile command cannot make us recurse
/// without bound).
const MAX_DEPTH: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum RootfsError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: {source}")]
    Fs { path: String, source: FsError },
    #[error("{0}: directories nested too deeply")]
    TooDeep(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> RootfsError + '_ {
    move |source| RootfsError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn fs_err(path: &str) -> impl FnOnce(FsError) -> RootfsError + '_ {
    move |source| RootfsError::Fs {
        path: path.to_string(),
        source,
    }
}

fn cpath(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// How owners are written when materialising.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owners {
    /// `lchown` to the tree's uid/gid (needs root).
    Exact,
    /// Leave everything owned by the caller, who is root in the rootless user
    /// namespace: other owners are given inside it when it maps subordinate ids
    /// ([`foreign_owners`]); with a single id mapping they cannot be represented, so
    /// inside the step every file is root's (read back, unchanged entries keep their
    /// recorded owner; see `userns`).
    Caller,
}

impl Owners {
    /// [`Owners::Caller`] when rootless.
    pub fn for_rootless(rootless: bool) -> Owners {
        if rootless {
            Owners::Caller
        } else {
            Owners::Exact
        }
    }
}

/// `lchown` (with [`Owners::Exact`]), permissions (not for symlinks: Linux has no
/// lchmod) and `utimensat` with `AT_SYMLINK_NOFOLLOW`. Ownership first: chown clears
/// setuid/setgid bits.
pub(crate) fn apply_meta_as(
    path: &Path,
    meta: Metadata,
    symlink: bool,
    owners: Owners,
) -> io::Result<()> {
    if owners == Owners::Exact {
        std::os::unix::fs::lchown(path, Some(meta.uid), Some(meta.gid))?;
    }
    if !symlink {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(meta.mode & 0o7777))?;
    }
    let c = cpath(path)?;
    let t = libc::timespec {
        tv_sec: meta.mtime as libc::time_t,
        tv_nsec: 0,
    };
    let times = [t, t];
    // SAFETY: valid NUL-terminated path and a two-element timespec array.
    check(unsafe {
        libc::utimensat(
            libc::AT_FDCWD,
            c.as_ptr(),
            times.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    })
}

fn mknod(path: &Path, dev: DeviceKind, mode: u32) -> io::Result<()> {
    let (kind, major, minor) = match dev {
        DeviceKind::Char { major, minor } => (libc::S_IFCHR, major, minor),
        DeviceKind::Block { major, minor } => (libc::S_IFBLK, major, minor),
        DeviceKind::Fifo => (libc::S_IFIFO, 0, 0),
    };
    let c = cpath(path)?;
    // SAFETY: valid path; mknod takes plain integers.
    check(unsafe {
        libc::mknod(
            c.as_ptr(),
            kind | (mode & 0o7777),
            libc::makedev(major, minor),
        )
    })
}

/// Writes `fs` into the empty (or missing) directory `dest`, with every type, mode,
/// owner, mtime and hardlink group.
pub fn materialize(fs: &Fs, dest: &Path) -> Result<(), RootfsError> {
    materialize_as(fs, dest, Owners::Exact)
}

/// A path to chown: (path, uid, gid, mode to restore for setuid/setgid files).
pub type Chown = (PathBuf, u32, u32, Option<u32>);

/// Entries of `fs` not owned by root, as (path under `dest`, uid, gid, mode to
/// restore after chown for setuid/setgid files): what a rootless step with
/// subordinate ids chowns inside its user namespace ([`super::userns::Setup::chown`]).
pub fn foreign_owners(fs: &Fs, dest: &Path) -> Result<Vec<Chown>, RootfsError> {
    let mut out = Vec::new();
    let root = fs.stat("/").map_err(fs_err("/"))?;
    let entries = fs.walk("/").map_err(fs_err("/"))?;
    let all = std::iter::once(("/".to_string(), root))
        .chain(entries.into_iter().map(|e| (e.path.clone(), e.stat)));
    for (path, stat) in all {
        let m = stat.meta;
        if m.uid == 0 && m.gid == 0 {
            continue;
        }
        let special = m.mode & 0o6000 != 0 && stat.file_type != FileType::Symlink;
        out.push((
            dest.join(path.trim_start_matches('/')),
            m.uid,
            m.gid,
            special.then_some(m.mode & 0o7777),
        ));
    }
    Ok(out)
}

/// [`materialize`] with the owner policy (rootless: [`Owners::Caller`]).
pub fn materialize_as(fs: &Fs, dest: &Path, owners: Owners) -> Result<(), RootfsError> {
    std::fs::create_dir_all(dest).map_err(io_err(dest))?;
    let mut inodes: BTreeMap<u64, PathBuf> = BTreeMap::new();
    let mut dirs: Vec<(PathBuf, Metadata)> = Vec::new();
    let entries = fs.walk("/").map_err(fs_err("/"))?;
    for e in &entries {
        let target = dest.join(e.path.trim_start_matches('/'));
        let t = &target;
        match e.stat.file_type {
            FileType::Dir => {
                std::fs::create_dir(t).map_err(io_err(t))?;
                dirs.push((target.clone(), e.stat.meta));
                continue;
            }
            FileType::Symlink => {
                let link = e.stat.link_target.clone().unwrap_or_default();
                std::os::unix::fs::symlink(link, t).map_err(io_err(t))?;
                apply_meta_as(t, e.stat.meta, true, owners).map_err(io_err(t))?;
                continue;
            }
            _ => {}
        }
        if e.stat.nlink > 1 {
            if let Some(first) = inodes.get(&e.stat.ino) {
                std::fs::hard_link(first, t).map_err(io_err(t))?;
                continue;
            }
            inodes.insert(e.stat.ino, target.clone());
        }
        match (e.stat.file_type, e.stat.device) {
            (FileType::File, _) => {
                let content = fs.read_file(&e.path).map_err(fs_err(&e.path))?;
                let mut f = std::fs::File::create(t).map_err(io_err(t))?;
                let mut result = Ok(());
                content.for_each_chunk(|c| {
                    if result.is_ok() {
                        result = f.write_all(c);
                    }
                });
                result.map_err(io_err(t))?;
            }
            (_, Some(dev)) => mknod(t, dev, e.stat.meta.mode).map_err(io_err(t))?,
            _ => continue,
        }
        apply_meta_as(t, e.stat.meta, false, owners).map_err(io_err(t))?;
    }
    let root = fs.stat("/").map_err(fs_err("/"))?;
    dirs.insert(0, (dest.to_path_buf(), root.meta));
    // Directory mtimes last, deepest first, so creating children does not bump them.
    for (d, meta) in dirs.iter().rev() {
        apply_meta_as(d, *meta, false, owners).map_err(io_err(d))?;
    }
    Ok(())
}

/// `rm -rf` that also works rootless: overlayfs leaves its `work/work` directory with
/// mode 000, and a step may leave read-only directories; as their (host) owner we may
/// chmod them, which root never needs to. Depth-bounded like [`read_upper`].
/// (Rootless with subordinate ids: [`super::userns::remove_tree`].)
pub fn remove_tree(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            open_up(path, 0);
            std::fs::remove_dir_all(path)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn open_up(dir: &Path, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            open_up(&e.path(), depth + 1);
        }
    }
}

/// How mtimes of read-back entries are chosen.
#[derive(Debug, Clone, Copy)]
pub struct ReadBack {
    /// The step's clock value: entries the command created or changed get it, so a
    /// real RUN is as reproducible as the simulated one (like buildah `--timestamp`,
    /// but only for what changed). Unchanged copied-up parents keep their mtime.
    pub mtime: i64,
    /// How host owners show in the user namespace (rootless); `None` when root.
    pub id_map: Option<super::userns::HostIds>,
}

fn lgetxattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let c = cpath(path).ok()?;
    let n = CString::new(name).ok()?;
    let mut buf = [0u8; 16];
    // SAFETY: valid C strings and a buffer of the given length.
    let len =
        unsafe { libc::lgetxattr(c.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if len < 0 {
        return None;
    }
    buf.get(..len as usize).map(<[u8]>::to_vec)
}

/// Is this upper-dir entry an overlay whiteout (char device 0/0)?
fn is_whiteout(m: &std::fs::Metadata) -> bool {
    m.file_type().is_char_device() && m.rdev() == 0
}

/// Applies the overlay upper directory `upper` onto `lower` (the tree the overlay's
/// lower dir was materialised from) and returns the resulting tree.
pub fn read_upper(lower: &Fs, upper: &Path, opts: ReadBack) -> Result<Fs, RootfsError> {
    let mut fs = lower.clone();
    let mut links: BTreeMap<(u64, u64), String> = BTreeMap::new();
    let root_meta = std::fs::symlink_metadata(upper).map_err(io_err(upper))?;
    let m = meta_of(lower, "/", &root_meta, opts);
    fs.set_metadata("/", m).map_err(fs_err("/"))?;
    read_dir(lower, &mut fs, upper, "", opts, &mut links, 0)?;
    Ok(fs)
}

fn meta_of(lower: &Fs, path: &str, m: &std::fs::Metadata, opts: ReadBack) -> Metadata {
    let (uid, gid) = match opts.id_map {
        Some(ids) => (
            ids.to_container(m.uid(), false),
            ids.to_container(m.gid(), true),
        ),
        None => (m.uid(), m.gid()),
    };
    let unchanged = lower.lstat(path).is_ok_and(|s| s.meta.mtime == m.mtime());
    Metadata::new(
        m.mode() & 0o7777,
        uid,
        gid,
        if unchanged { m.mtime() } else { opts.mtime },
    )
}

fn read_dir(
    lower: &Fs,
    fs: &mut Fs,
    dir: &Path,
    rel: &str,
    opts: ReadBack,
    links: &mut BTreeMap<(u64, u64), String>,
    depth: usize,
) -> Result<(), RootfsError> {
    if depth > MAX_DEPTH {
        return Err(RootfsError::TooDeep(rel.to_string()));
    }
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(io_err(dir))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(io_err(dir))?;
    names.sort();
    for name in names {
        let host = dir.join(&name);
        let path = format!("{rel}/{}", name.to_string_lossy());
        let p = path.as_str();
        let m = std::fs::symlink_metadata(&host).map_err(io_err(&host))?;
        let existing = fs.lstat(p).ok().map(|s| s.file_type);
        if is_whiteout(&m) {
            if existing.is_some() {
                fs.remove_all(p).map_err(fs_err(p))?;
            }
            continue;
        }
        let meta = meta_of(lower, p, &m, opts);
        let ft = m.file_type();
        if ft.is_dir() {
            // `userxattr` mounts (rootless) keep the marker under `user.`; only the
            // mode's own name counts (a command can set `user.*` xattrs itself).
            let xattr = if opts.id_map.is_some() {
                "user.overlay.opaque"
            } else {
                "trusted.overlay.opaque"
            };
            let opaque = lgetxattr(&host, xattr).is_some_and(|v| v == b"y");
            match existing {
                Some(FileType::Dir) if !opaque => fs.set_metadata(p, meta).map_err(fs_err(p))?,
                Some(_) => {
                    fs.remove_all(p).map_err(fs_err(p))?;
                    fs.mkdir(p, meta).map_err(fs_err(p))?;
                }
                None => fs.mkdir(p, meta).map_err(fs_err(p))?,
            }
            read_dir(lower, fs, &host, p, opts, links, depth + 1)?;
            // Adding children does not change a directory's recorded mtime here.
            fs.set_metadata(p, meta).map_err(fs_err(p))?;
            continue;
        }
        if existing.is_some() {
            fs.remove_all(p).map_err(fs_err(p))?;
        }
        if m.nlink() > 1 && !ft.is_dir() {
            let key = (m.dev(), m.ino());
            if let Some(first) = links.get(&key) {
                fs.hardlink(first, p).map_err(fs_err(p))?;
                continue;
            }
            links.insert(key, path.clone());
        }
        if ft.is_file() {
            let bytes = std::fs::read(&host).map_err(io_err(&host))?;
            fs.put_file(p, bytes, meta).map_err(fs_err(p))?;
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&host).map_err(io_err(&host))?;
            fs.symlink(&target.to_string_lossy(), p, meta)
                .map_err(fs_err(p))?;
            fs.set_metadata(p, meta).map_err(fs_err(p))?;
        } else {
            let major = libc::major(m.rdev());
            let minor = libc::minor(m.rdev());
            let dev = if ft.is_char_device() {
                DeviceKind::Char { major, minor }
            } else if ft.is_block_device() {
                DeviceKind::Block { major, minor }
            } else if ft.is_fifo() {
                DeviceKind::Fifo
            } else {
                continue; // sockets are not part of images
            };
            fs.mknod(p, dev, meta).map_err(fs_err(p))?;
        }
    }
    Ok(())
}
