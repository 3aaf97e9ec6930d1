//! Changesets: what changed between a lower and an upper snapshot, as overlayfs would
//! have recorded it in an upper dir, in the order real layer tars list it.

use super::node::{Dir, Kind, Node};
use super::path::{components, to_path};
use super::{FileType, Fs, Metadata};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How an entry differs from the lower snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One changed path.
#[derive(Debug, Clone)]
pub struct Change {
    /// Absolute path.
    pub path: String,
    pub kind: ChangeKind,
    /// A directory that replaced a lower entry wholesale (removed and recreated, or a
    /// file replaced by a directory): the layer marks it `.wh..wh..opq` so nothing of the
    /// lower directory shows through.
    pub opaque: bool,
    /// The upper entry (`None` for deletions).
    pub(crate) node: Option<Arc<Node>>,
}

impl Change {
    /// Type of the upper entry (`None` for deletions).
    pub fn file_type(&self) -> Option<FileType> {
        self.node.as_ref().map(|n| n.file_type())
    }

    /// Metadata of the upper entry (`None` for deletions).
    pub fn metadata(&self) -> Option<Metadata> {
        self.node.as_ref().map(|n| n.meta)
    }

    /// Size of the upper entry if it is a regular file.
    pub fn size(&self) -> u64 {
        self.node.as_ref().map_or(0, |n| n.size())
    }
}

/// The `docker diff` letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DockerDiffKind {
    Added,
    Changed,
    Deleted,
}

impl DockerDiffKind {
    pub fn letter(self) -> char {
        match self {
            DockerDiffKind::Added => 'A',
            DockerDiffKind::Changed => 'C',
            DockerDiffKind::Deleted => 'D',
        }
    }
}

/// The changes from a lower to an upper snapshot, plus the upper snapshot itself (an
/// O(1) clone) so a layer can be written from it.
#[derive(Debug, Clone)]
pub struct Changeset {
    pub(crate) upper: Fs,
    changes: Vec<Change>,
}

impl Changeset {
    /// Changes in layer order: depth-first, each directory's names in byte order, a
    /// deletion at the position of the deleted name (as containers/storage writes them).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// The snapshot the changes lead to.
    pub fn upper(&self) -> &Fs {
        &self.upper
    }

    /// `docker diff` / `podman diff` lines: `A`/`C`/`D` per changed path, every ancestor
    /// of a change as `C` (never `/`), a deleted directory as one `D`, sorted by path.
    pub fn docker_diff(&self) -> Vec<(DockerDiffKind, String)> {
        let mut out: BTreeMap<String, DockerDiffKind> = BTreeMap::new();
        for c in &self.changes {
            let kind = match c.kind {
                ChangeKind::Added => DockerDiffKind::Added,
                ChangeKind::Modified => DockerDiffKind::Changed,
                ChangeKind::Deleted => DockerDiffKind::Deleted,
            };
            out.insert(c.path.clone(), kind);
            let comps = components(&c.path);
            for i in 1..comps.len() {
                out.entry(to_path(&comps[..i]))
                    .or_insert(DockerDiffKind::Changed);
            }
        }
        out.into_iter().map(|(p, k)| (k, p)).collect()
    }
}

/// What changed from `lower` to `upper`.
///
/// Entries compare by type, metadata, content and inode: a file rewritten with the same
/// bytes by a new inode (`rm f && echo same > f`) is modified, as overlayfs would have
/// copied it up. Subtrees shared by pointer are skipped without looking inside, so a
/// small change over a big tree costs only the changed paths. A directory whose inode
/// changed (removed and recreated) or that replaced a non-directory is reported opaque,
/// with all of its content added. A hardlink made to a lower file also reports the
/// lower name, as overlayfs copies the file up to link it (buildah then writes the
/// full file under one name and a hardlink entry under the other).
pub fn diff(lower: &Fs, upper: &Fs) -> Changeset {
    let mut changes = Vec::new();
    let mut comps = Vec::new();
    if let (Kind::Dir(lo), Kind::Dir(up)) = (&lower.root.kind, &upper.root.kind) {
        diff_dir(lo, up, &mut comps, &mut changes);
    }
    add_hardlink_copy_ups(lower, upper, &mut changes);
    Changeset {
        upper: upper.clone(),
        changes,
    }
}

fn diff_dir(lo: &Dir, up: &Dir, comps: &mut Vec<String>, out: &mut Vec<Change>) {
    let mut li = lo.children.iter().peekable();
    let mut ui = up.children.iter().peekable();
    loop {
        let order = match (li.peek(), ui.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((ln, _)), Some((un, _))) => ln.as_bytes().cmp(un.as_bytes()),
        };
        match order {
            std::cmp::Ordering::Less => {
                if let Some((name, _)) = li.next() {
                    comps.push(name.clone());
                    out.push(Change {
                        path: to_path(comps),
                        kind: ChangeKind::Deleted,
                        opaque: false,
                        node: None,
                    });
                    comps.pop();
                }
            }
            std::cmp::Ordering::Greater => {
                if let Some((name, node)) = ui.next() {
                    comps.push(name.clone());
                    added(node, comps, out, false);
                    comps.pop();
                }
            }
            std::cmp::Ordering::Equal => {
                if let (Some((name, l)), Some((_, u))) = (li.next(), ui.next()) {
                    comps.push(name.clone());
                    both(l, u, comps, out);
                    comps.pop();
                }
            }
        }
    }
}

fn both(l: &Arc<Node>, u: &Arc<Node>, comps: &mut Vec<String>, out: &mut Vec<Change>) {
    if Arc::ptr_eq(l, u) {
        return;
    }
    match (&l.kind, &u.kind) {
        (Kind::Dir(ld), Kind::Dir(ud)) if l.ino == u.ino => {
            if !l.same_entry(u) {
                out.push(Change {
                    path: to_path(comps),
                    kind: ChangeKind::Modified,
                    opaque: false,
                    node: Some(u.clone()),
                });
            }
            diff_dir(ld, ud, comps, out);
        }
        (_, Kind::Dir(_)) => {
            // Recreated directory, or a non-directory replaced by one.
            let start = out.len();
            added(u, comps, out, true);
            if let Some(first) = out.get_mut(start) {
                first.kind = ChangeKind::Modified;
            }
        }
        _ => {
            if l.ino != u.ino || !l.same_entry(u) {
                out.push(Change {
                    path: to_path(comps),
                    kind: ChangeKind::Modified,
                    opaque: false,
                    node: Some(u.clone()),
                });
            }
        }
    }
}

fn added(node: &Arc<Node>, comps: &mut Vec<String>, out: &mut Vec<Change>, opaque: bool) {
    out.push(Change {
        path: to_path(comps),
        kind: ChangeKind::Added,
        opaque,
        node: Some(node.clone()),
    });
    if let Kind::Dir(d) = &node.kind {
        for (name, child) in &d.children {
            comps.push(name.clone());
            added(child, comps, out, false);
            comps.pop();
        }
    }
}

fn add_hardlink_copy_ups(lower: &Fs, upper: &Fs, changes: &mut Vec<Change>) {
    let groups = upper.link_groups();
    if groups.is_empty() {
        return;
    }
    let mut present: BTreeSet<String> = BTreeSet::new();
    present.extend(changes.iter().map(|c| c.path.clone()));
    let mut extra = Vec::new();
    for c in changes.iter() {
        let Some(node) = &c.node else { continue };
        if c.kind == ChangeKind::Deleted || node.dir().is_some() {
            continue;
        }
        let Some(group) = groups.get(&node.ino) else {
            continue;
        };
        for p in group {
            if present.contains(p) || extra.iter().any(|e: &Change| &e.path == p) {
                continue;
            }
            if let (Ok(found), Ok(_)) = (upper.lookup(p, false), lower.lookup(p, false)) {
                extra.push(Change {
                    path: p.clone(),
                    kind: ChangeKind::Modified,
                    opaque: false,
                    node: Some(found.node),
                });
            }
        }
    }
    if !extra.is_empty() {
        changes.extend(extra);
        crate::engine::sort::sort_by_key(changes, |c| components(&c.path));
    }
}
