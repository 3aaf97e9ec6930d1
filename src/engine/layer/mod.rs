//! OCI layers: changesets ⇄ layer tarballs, gzip blobs, and layer listings.
//!
//! A layer is an uncompressed tar (its sha256 is the `diff_id` the image config lists
//! under `rootfs.diff_ids`) and, when pushed or saved, a gzip blob whose sha256 is the
//! digest the manifest references (OCI image-spec `layer.md`, "Changesets"). The tar is
//! written exactly as buildah/podman (containers/storage over Go `archive/tar`) write
//! it — checked against the oracle's diff_ids in `tests/suite/layer_oracle.rs`:
//!
//! * USTAR headers, PAX only when a value does not fit; numeric uid/gid, empty
//!   uname/gname; the mode field carries the file type bits (`040755` for a directory);
//! * names relative to the root, directories with a trailing `/`, no `./` entry;
//! * entries in a depth-first walk by name, whiteouts where the deleted name sorts;
//! * every ancestor directory of a change; `.wh.<name>` for a deletion;
//!   `.wh..wh..opq` after a directory that was recreated or replaced a file;
//! * a second name of an inode as a hardlink entry;
//! * two zero blocks at the end, no record padding.
//!
//! # API
//!
//! * [`build_layer`]`(&Changeset, &LayerOptions) -> LayerTar` — tar bytes, `diff_id`, size.
//! * [`diff_id`]`(&Changeset, &LayerOptions) -> (Digest, u64)` — streamed, no tar in memory.
//! * [`write_tar`]`(&Changeset, &LayerOptions, &mut dyn TarSink) -> u64` — any sink.
//! * [`compress`]`(&[u8]) -> Blob` — gzip blob and its digest (only when asked).
//! * [`apply`]`(&Fs, &[u8]) -> Result<Fs, LayerError>` — gzip or plain tar onto a tree.
//! * [`list_entries`]`(&[u8]) -> Result<Vec<LayerEntry>, LayerError>`.

mod apply;
mod gzip;
mod header;
mod read;
mod write;

pub use write::{OPAQUE_MARKER, WHITEOUT_PREFIX};

use crate::engine::digest::{Digest, Sha256Writer};
use crate::engine::fs::{Changeset, Fs, FsError};

/// Largest uncompressed layer [`apply`] and [`list_entries`] accept (4 GiB): a guard
/// against decompression bombs in a browser tab.
#[cfg(not(target_arch = "wasm32"))]
pub const MAX_LAYER_SIZE: u64 = 4 << 30;
/// In the browser (wasm32, 4 GiB of memory in all): 512 MiB.
#[cfg(target_arch = "wasm32")]
pub const MAX_LAYER_SIZE: u64 = 512 << 20;

/// Errors reading or applying a layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    #[error("unexpected end of tar archive")]
    Truncated,
    #[error("invalid tar header at offset {0}: {1}")]
    InvalidHeader(u64, &'static str),
    #[error("invalid tar entry path {0:?}: {1}")]
    UnsafePath(String, &'static str),
    #[error(
        "invalid hardlink {0:?} -> {1:?}: target is not an earlier entry inside the layer root"
    )]
    BadHardlink(String, String),
    #[error("unsupported tar entry type {0:?} for {1:?}")]
    UnsupportedType(char, String),
    #[error("layer exceeds the size limit of {0} bytes")]
    TooLarge(u64),
    #[error("gzip: {0}")]
    Gzip(String),
    #[error("applying {path}: {source}")]
    Fs { path: String, source: FsError },
}

/// Where layer bytes go as they are produced: hashing, collecting, or both.
pub trait TarSink {
    fn write(&mut self, bytes: &[u8]);
}

impl TarSink for Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl TarSink for Sha256Writer {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Feeds two sinks at once (e.g. hash while collecting).
pub struct Tee<'a>(pub &'a mut dyn TarSink, pub &'a mut dyn TarSink);

impl TarSink for Tee<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
        self.1.write(bytes);
    }
}

/// How entry mtimes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MtimePolicy {
    /// As in the tree (Docker's and buildah's default).
    #[default]
    Keep,
    /// `min(mtime, t)`: BuildKit's `SOURCE_DATE_EPOCH` with `rewrite-timestamp=true`.
    Clamp(i64),
    /// Every entry gets `t`: buildah's `--timestamp t`.
    Set(i64),
}

impl MtimePolicy {
    pub fn apply(self, t: i64) -> i64 {
        match self {
            MtimePolicy::Keep => t,
            MtimePolicy::Clamp(c) => t.min(c),
            MtimePolicy::Set(s) => s,
        }
    }
}

/// Options for writing a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerOptions {
    pub mtime: MtimePolicy,
    /// mtime of `.wh.` whiteouts: the time of the deletion (the step's clock value),
    /// before [`MtimePolicy`] is applied.
    pub whiteout_mtime: i64,
}

/// An uncompressed layer tar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerTar {
    pub bytes: Vec<u8>,
    /// sha256 of `bytes`: the layer's `diff_id`.
    pub diff_id: Digest,
    pub size: u64,
}

/// A compressed layer blob as registries store it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub bytes: Vec<u8>,
    /// sha256 of the gzip bytes: the manifest's layer digest.
    pub digest: Digest,
    pub size: u64,
}

/// Kind of a tar entry, in the oracle's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Whiteout,
    Opaque,
    Char,
    Block,
    Fifo,
}

impl EntryKind {
    /// `file`, `dir`, `symlink`, ... as the oracle reports write them.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Dir => "dir",
            EntryKind::Symlink => "symlink",
            EntryKind::Hardlink => "hardlink",
            EntryKind::Whiteout => "whiteout",
            EntryKind::Opaque => "opaque",
            EntryKind::Char => "char",
            EntryKind::Block => "block",
            EntryKind::Fifo => "fifo",
        }
    }
}

/// One entry of a layer, for the UI and for comparison with the oracle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerEntry {
    /// Relative path without `./` or trailing `/`.
    pub path: String,
    pub kind: EntryKind,
    /// Permission bits plus setuid/setgid/sticky (type bits removed).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Bytes of a regular file, 0 otherwise.
    pub size: u64,
    pub sha256: Option<Digest>,
    pub linkname: Option<String>,
    pub mtime: i64,
    pub devmajor: u64,
    pub devminor: u64,
}

/// Write the layer tar of `changes` into `sink`; returns its size in bytes.
pub fn write_tar(changes: &Changeset, opts: &LayerOptions, sink: &mut dyn TarSink) -> u64 {
    write::write_layer(changes, opts, sink)
}

/// The layer tar of `changes`, with its `diff_id`.
pub fn build_layer(changes: &Changeset, opts: &LayerOptions) -> LayerTar {
    // Reserve about the final size up front: growing a 100 MB vector by doubling would
    // copy it twice more than the tar itself.
    let estimate = changes
        .changes()
        .iter()
        .map(|c| c.size() + 2 * 512)
        .sum::<u64>()
        .saturating_add(1024);
    let mut bytes = Vec::with_capacity(usize::try_from(estimate).unwrap_or(0).min(1 << 31));
    let mut hash = Sha256Writer::new();
    let size = write_tar(changes, opts, &mut Tee(&mut bytes, &mut hash));
    LayerTar {
        bytes,
        diff_id: hash.finish(),
        size,
    }
}

/// `diff_id` and size of the layer of `changes`, hashing as the tar is produced, so
/// layers full of synthetic content never exist in memory.
pub fn diff_id(changes: &Changeset, opts: &LayerOptions) -> (Digest, u64) {
    let mut hash = Sha256Writer::new();
    let size = write_tar(changes, opts, &mut hash);
    (hash.finish(), size)
}

/// Gzip `tar` with a fixed header (see `gzip.rs`) and digest the result.
pub fn compress(tar: &[u8]) -> Blob {
    let bytes = gzip::compress(tar);
    Blob {
        digest: Digest::sha256(&bytes),
        size: bytes.len() as u64,
        bytes,
    }
}

/// Apply a layer (gzip or plain tar) onto `tree`, returning the new snapshot.
/// Hostile archives (`..` or absolute entry names, hardlinks to outside or missing
/// targets, truncated data, bad checksums, more than [`MAX_LAYER_SIZE`]) are refused.
pub fn apply(tree: &Fs, layer: &[u8]) -> Result<Fs, LayerError> {
    apply::apply(tree, layer, MAX_LAYER_SIZE)
}

/// A layer blob as a plain tar (gunzipped when gzip, up to [`MAX_LAYER_SIZE`]).
pub fn decompress(layer: &[u8]) -> Result<Vec<u8>, LayerError> {
    Ok(gzip::maybe_decompress(layer, MAX_LAYER_SIZE)?.into_owned())
}

/// The entries of a layer (gzip or plain tar) in archive order.
pub fn list_entries(layer: &[u8]) -> Result<Vec<LayerEntry>, LayerError> {
    apply::list(layer, MAX_LAYER_SIZE)
}
