//! Tree nodes. A directory owns its children through `Arc`s, so a snapshot is one `Arc`
//! clone and a write copies only the directories on the path to the changed node
//! (path copying, as in persistent maps).

use super::content::Content;
use super::{DeviceKind, FileType, Metadata};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// Inode number: kept by in-place changes, new on create. Two paths with the same
    /// `ino` are hardlinks; a directory whose `ino` changed was removed and recreated.
    pub(crate) ino: u64,
    pub(crate) meta: Metadata,
    pub(crate) kind: Kind,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Dir(Dir),
    File(Content),
    Symlink(String),
    Device(DeviceKind),
}

/// Children sorted by name (byte order, as Go's `filepath.Walk` and `ls` in the C locale),
/// plus totals of the subtree kept up to date on every path copy.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dir {
    pub(crate) children: BTreeMap<String, Arc<Node>>,
    pub(crate) bytes: u64,
    pub(crate) files: u64,
}

impl Dir {
    pub(crate) fn recount(&mut self) {
        let (mut bytes, mut files) = (0u64, 0u64);
        for c in self.children.values() {
            let (b, f) = c.totals();
            bytes = bytes.saturating_add(b);
            files += f;
        }
        self.bytes = bytes;
        self.files = files;
    }
}

impl Node {
    pub(crate) fn file_type(&self) -> FileType {
        match &self.kind {
            Kind::Dir(_) => FileType::Dir,
            Kind::File(_) => FileType::File,
            Kind::Symlink(_) => FileType::Symlink,
            Kind::Device(DeviceKind::Char { .. }) => FileType::CharDevice,
            Kind::Device(DeviceKind::Block { .. }) => FileType::BlockDevice,
            Kind::Device(DeviceKind::Fifo) => FileType::Fifo,
        }
    }

    /// (bytes of regular files, number of regular files) in this subtree.
    pub(crate) fn totals(&self) -> (u64, u64) {
        match &self.kind {
            Kind::Dir(d) => (d.bytes, d.files),
            Kind::File(c) => (c.len(), 1),
            _ => (0, 0),
        }
    }

    pub(crate) fn size(&self) -> u64 {
        match &self.kind {
            Kind::File(c) => c.len(),
            Kind::Symlink(t) => t.len() as u64,
            _ => 0,
        }
    }

    pub(crate) fn dir(&self) -> Option<&Dir> {
        match &self.kind {
            Kind::Dir(d) => Some(d),
            _ => None,
        }
    }

    /// Same type, metadata and content (ignoring `ino`); directories compare only
    /// their own metadata, not children.
    pub(crate) fn same_entry(&self, other: &Node) -> bool {
        if self.meta != other.meta {
            return false;
        }
        match (&self.kind, &other.kind) {
            (Kind::Dir(_), Kind::Dir(_)) => true,
            (Kind::File(a), Kind::File(b)) => a.ptr_eq(b) || a.same_bytes(b),
            (Kind::Symlink(a), Kind::Symlink(b)) => a == b,
            (Kind::Device(a), Kind::Device(b)) => a == b,
            _ => false,
        }
    }
}
