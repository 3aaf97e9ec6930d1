//! The in-memory filesystem every image layer and container sits on.
//!
//! # Model
//!
//! [`Fs`] is a persistent tree of directories, regular files, symlinks, hardlinks and
//! metadata-only device/fifo nodes, each with a [`Metadata`] (mode = permission bits plus
//! setuid/setgid/sticky, uid, gid, mtime in seconds — a value, never read from a clock).
//! Nodes are shared through `Arc`s: `fs.clone()` is an O(1) snapshot and a write copies
//! only the directories on the path to the changed entry, so 100 layers over a
//! 10,000-file base hold the base once. File [`Content`] is bytes (`Arc<[u8]>`) or
//! synthetic bytes generated from `(seed, size)`; both hash and archive identically.
//!
//! # API (stable; the shell, build engine and runtime build on it)
//!
//! Paths are absolute, `/`-separated strings; [`normalize`] and [`join`] are the lexical
//! helpers (`..` clamps at `/`). Lookups resolve symlinks inside the root (an absolute
//! target restarts at this root's `/`, `..` never escapes it) and fail with
//! [`FsError::Loop`] after 40 hops, like Linux.
//!
//! | operation | method |
//! |---|---|
//! | snapshot | `fs.clone()` |
//! | stat / lstat / exists / realpath | [`Fs::stat`], [`Fs::lstat`], [`Fs::exists`], [`Fs::canonicalize`] |
//! | read | [`Fs::read_file`], [`Fs::read_link`], [`Fs::list_dir`] (sorted), [`Fs::walk`] (sorted, depth-first) |
//! | write (O_TRUNC) / append / replace | [`Fs::write_file`], [`Fs::append`], [`Fs::put_file`] |
//! | directories | [`Fs::mkdir`], [`Fs::mkdir_all`] |
//! | remove | [`Fs::remove_file`] (unlink), [`Fs::remove_dir`] (rmdir), [`Fs::remove_all`] (rm -r) |
//! | move | [`Fs::rename`] |
//! | links, nodes | [`Fs::symlink`], [`Fs::hardlink`], [`Fs::hardlinks_of`], [`Fs::mknod`] |
//! | metadata | [`Fs::chmod`], [`Fs::chown`], [`Fs::lchown`], [`Fs::set_mtime`], [`Fs::set_metadata`] |
//! | sizes | [`Fs::total_size`], [`Fs::file_count`], [`Fs::usage`] |
//! | comparison | [`Fs::same_as`], [`diff`] → [`Changeset`], [`Changeset::docker_diff`] |
//!
//! Errors are [`FsError`], whose `Display` is the POSIX `strerror` text, so the shell can
//! print `rm: can't remove 'x': No such file or directory`.
//!
//! Architecture invariant: this module is pure (no IO, no clock); time comes in as
//! `Metadata::mtime`.

mod content;
mod diff;
mod node;
mod path;
mod tree;

pub use content::{Content, CHUNK};
pub use diff::{diff, Change, ChangeKind, Changeset, DockerDiffKind};
pub use path::{join, normalize, parent_of, NAME_MAX, PATH_MAX};
pub use tree::Fs;

pub(crate) use node::{Kind, Node};

/// Errors of filesystem operations, worded as POSIX `strerror` (what `sh` prints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    #[error("No such file or directory")]
    NotFound,
    #[error("Not a directory")]
    NotDir,
    #[error("Is a directory")]
    IsDir,
    #[error("Directory not empty")]
    NotEmpty,
    #[error("File exists")]
    Exists,
    #[error("Too many levels of symbolic links")]
    Loop,
    #[error("File name too long")]
    NameTooLong,
    #[error("Invalid argument")]
    InvalidArgument,
    #[error("Operation not permitted")]
    NotPermitted,
    #[error("Device or resource busy")]
    Busy,
}

impl FsError {
    /// The Linux errno name (`ENOENT`, ...), for messages that show it.
    pub fn errno_name(self) -> &'static str {
        match self {
            FsError::NotFound => "ENOENT",
            FsError::NotDir => "ENOTDIR",
            FsError::IsDir => "EISDIR",
            FsError::NotEmpty => "ENOTEMPTY",
            FsError::Exists => "EEXIST",
            FsError::Loop => "ELOOP",
            FsError::NameTooLong => "ENAMETOOLONG",
            FsError::InvalidArgument => "EINVAL",
            FsError::NotPermitted => "EPERM",
            FsError::Busy => "EBUSY",
        }
    }
}

/// Ownership, permissions and modification time of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Metadata {
    /// Permission bits plus setuid (04000), setgid (02000) and sticky (01000); the file
    /// type is not part of it (see [`FileType`]).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Seconds since the Unix epoch.
    pub mtime: i64,
}

impl Metadata {
    pub const fn new(mode: u32, uid: u32, gid: u32, mtime: i64) -> Metadata {
        Metadata {
            mode,
            uid,
            gid,
            mtime,
        }
    }

    pub(crate) fn masked(self) -> Metadata {
        Metadata {
            mode: self.mode & 0o7777,
            ..self
        }
    }
}

/// What kind of entry a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    Dir,
    File,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
}

/// A device or fifo node: only its numbers are modelled, it cannot be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Char { major: u32, minor: u32 },
    Block { major: u32, minor: u32 },
    Fifo,
}

/// What `stat(2)` reports for an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub file_type: FileType,
    pub meta: Metadata,
    /// Bytes of a regular file, length of a symlink's target, 0 otherwise.
    pub size: u64,
    /// Inode number (unique within one tree's history; shared by hardlinks).
    pub ino: u64,
    /// Number of names of a file; `2 + subdirectories` for a directory.
    pub nlink: u64,
    pub link_target: Option<String>,
    pub device: Option<DeviceKind>,
}

/// One entry of [`Fs::list_dir`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub stat: Stat,
}

/// One entry of [`Fs::walk`]: absolute real path and its `lstat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    pub path: String,
    pub stat: Stat,
}
