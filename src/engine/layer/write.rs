//! Changeset → layer tar, streamed into a [`TarSink`].

use super::header::{
    encode, padding, Header, BLOCK, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG,
};
use super::{LayerOptions, TarSink};
use crate::engine::fs::{Change, ChangeKind, Changeset, DeviceKind, Kind, Metadata, Node};
use std::collections::{BTreeMap, BTreeSet};

/// The whiteout prefix and opaque marker of the OCI layer spec ("Whiteouts").
pub const WHITEOUT_PREFIX: &str = ".wh.";
pub const OPAQUE_MARKER: &str = ".wh..wh..opq";

struct Writer<'a> {
    sink: &'a mut dyn TarSink,
    opts: &'a LayerOptions,
    written: u64,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.sink.write(bytes);
        self.written += bytes.len() as u64;
    }

    fn header(&mut self, h: &Header) {
        let bytes = encode(h);
        self.put(&bytes);
    }

    fn mtime(&self, t: i64) -> i64 {
        self.opts.mtime.apply(t)
    }

    fn dir(&mut self, path: &str, meta: Metadata) {
        let name = format!("{path}/");
        self.header(&Header {
            name: &name,
            linkname: "",
            typeflag: b'5',
            mode: u64::from(meta.mode) | S_IFDIR,
            uid: meta.uid.into(),
            gid: meta.gid.into(),
            size: 0,
            mtime: self.mtime(meta.mtime),
            devmajor: 0,
            devminor: 0,
        });
    }

    /// An empty regular file with mode `mode` and no type bits, as containers/storage
    /// builds whiteout and opaque headers from scratch.
    fn marker(&mut self, name: &str, mode: u32, uid: u32, gid: u32, mtime: i64) {
        self.header(&Header {
            name,
            linkname: "",
            typeflag: b'0',
            mode: mode.into(),
            uid: uid.into(),
            gid: gid.into(),
            size: 0,
            mtime: self.mtime(mtime),
            devmajor: 0,
            devminor: 0,
        });
    }
}

/// Write the layer tar of `cs` into `sink`; returns the number of bytes written.
///
/// Entry order is the changeset's (a depth-first walk by name, whiteouts where the
/// deleted name sorts); every ancestor directory of a change is written first with its
/// upper metadata; a deletion is `.wh.<name>` (regular file, mode 0, 0:0, mtime
/// `opts.whiteout_mtime`); an opaque directory is followed by `.wh..wh..opq` (mode =
/// the directory's permission bits, its owner, mtime 0); the second and later names of
/// an inode become hardlink entries pointing at the first. This is what buildah's
/// overlay diff (containers/storage `archive.TarWithOptions` with the overlay whiteout
/// converter) produces.
pub(crate) fn write_layer(cs: &Changeset, opts: &LayerOptions, sink: &mut dyn TarSink) -> u64 {
    let mut w = Writer {
        sink,
        opts,
        written: 0,
    };
    let upper = cs.upper();
    let mut emitted: BTreeSet<String> = BTreeSet::new();
    let mut first_name: BTreeMap<u64, String> = BTreeMap::new();
    // Inodes with more than one name (the tree keeps them as a map by inode).
    let linked = upper.link_groups();
    for change in cs.changes() {
        let rel = change.path.trim_start_matches('/');
        // Ancestors, outermost first.
        let mut end = 0;
        while let Some(i) = rel[end..].find('/') {
            let anc = &rel[..end + i];
            end += i + 1;
            if emitted.insert(anc.to_string()) {
                let meta = upper
                    .lookup(&format!("/{anc}"), false)
                    .map(|f| f.node.meta)
                    .unwrap_or(Metadata::new(0o755, 0, 0, 0));
                w.dir(anc, meta);
            }
        }
        write_change(&mut w, change, rel, &mut emitted, &mut first_name, linked);
    }
    w.put(&[0u8; 2 * BLOCK]);
    w.written
}

fn write_change(
    w: &mut Writer,
    change: &Change,
    rel: &str,
    emitted: &mut BTreeSet<String>,
    first_name: &mut BTreeMap<u64, String>,
    linked: &BTreeMap<u64, BTreeSet<String>>,
) {
    let Some(node) = change
        .node
        .as_ref()
        .filter(|_| change.kind != ChangeKind::Deleted)
    else {
        let (dir, name) = split(rel);
        let wh = format!("{dir}{WHITEOUT_PREFIX}{name}");
        let t = w.opts.whiteout_mtime;
        w.marker(&wh, 0, 0, 0, t);
        return;
    };
    let node: &Node = node;
    let m = node.meta;
    let mt = w.mtime(m.mtime);
    let base = |typeflag: u8, mode: u64| Header {
        name: rel,
        linkname: "",
        typeflag,
        mode: u64::from(m.mode) | mode,
        uid: m.uid.into(),
        gid: m.gid.into(),
        size: 0,
        mtime: mt,
        devmajor: 0,
        devminor: 0,
    };
    // moby and containers/storage: any non-directory with more than one link is
    // written once in full, later names as hardlink entries to the first.
    if node.dir().is_none() && linked.contains_key(&node.ino) {
        if let Some(first) = first_name.get(&node.ino) {
            let h = Header {
                linkname: first,
                ..base(b'1', type_bits(&node.kind))
            };
            w.header(&h);
            return;
        }
        first_name.insert(node.ino, rel.to_string());
    }
    match &node.kind {
        Kind::Dir(_) => {
            if emitted.insert(rel.to_string()) {
                w.dir(rel, m);
            }
            if change.opaque {
                let name = format!("{rel}/{OPAQUE_MARKER}");
                w.marker(&name, m.mode & 0o777, m.uid, m.gid, 0);
            }
        }
        Kind::File(content) => {
            let h = Header {
                size: content.len(),
                ..base(b'0', S_IFREG)
            };
            w.header(&h);
            content.for_each_chunk(|c| w.put(c));
            let pad = padding(content.len());
            w.put(&[0u8; BLOCK][..pad]);
        }
        Kind::Symlink(target) => {
            let h = Header {
                linkname: target,
                ..base(b'2', S_IFLNK)
            };
            w.header(&h);
        }
        Kind::Device(d) => {
            let h = match *d {
                DeviceKind::Char { major, minor } => Header {
                    devmajor: major.into(),
                    devminor: minor.into(),
                    ..base(b'3', S_IFCHR)
                },
                DeviceKind::Block { major, minor } => Header {
                    devmajor: major.into(),
                    devminor: minor.into(),
                    ..base(b'4', S_IFBLK)
                },
                DeviceKind::Fifo => base(b'6', S_IFIFO),
            };
            w.header(&h);
        }
    }
}

fn type_bits(kind: &Kind) -> u64 {
    match kind {
        Kind::Dir(_) => S_IFDIR,
        Kind::File(_) => S_IFREG,
        Kind::Symlink(_) => S_IFLNK,
        Kind::Device(DeviceKind::Char { .. }) => S_IFCHR,
        Kind::Device(DeviceKind::Block { .. }) => S_IFBLK,
        Kind::Device(DeviceKind::Fifo) => S_IFIFO,
    }
}

/// `("a/b/", "c")` from `"a/b/c"`.
fn split(rel: &str) -> (&str, &str) {
    match rel.rfind('/') {
        Some(i) => (&rel[..=i], &rel[i + 1..]),
        None => ("", rel),
    }
}
