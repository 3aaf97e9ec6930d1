//! [`Fs`]: the persistent tree and its POSIX-like operations.

use super::content::Content;
use super::node::{Dir, Kind, Node};
use super::path::{components, to_path, NAME_MAX, PATH_MAX};
use super::{DeviceKind, DirEntry, FileType, FsError, Metadata, Stat, WalkEntry};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// Linux's `MAXSYMLINKS`: more hops than this is `ELOOP`.
const MAX_SYMLINK_HOPS: usize = 40;

type Result<T> = std::result::Result<T, FsError>;

/// An in-memory filesystem snapshot. `clone()` is O(1) and shares every node; writes
/// copy only the directories on the path to the changed entry.
#[derive(Clone, Debug)]
pub struct Fs {
    pub(crate) root: Arc<Node>,
    next_ino: u64,
    /// Paths of every inode that has more than one name (hardlinks), by `ino`.
    links: Arc<BTreeMap<u64, BTreeSet<String>>>,
}

/// A resolved entry: its real path (no symlinks, no `..`) and node.
pub(crate) struct Found {
    pub(crate) comps: Vec<String>,
    pub(crate) node: Arc<Node>,
}

impl Default for Fs {
    fn default() -> Self {
        Fs::new()
    }
}

impl Fs {
    /// An empty tree: `/` is a directory `0755 0:0` with mtime 0.
    pub fn new() -> Fs {
        Fs::with_root(Metadata::new(0o755, 0, 0, 0))
    }

    /// An empty tree whose root directory has `meta`.
    pub fn with_root(meta: Metadata) -> Fs {
        Fs {
            root: Arc::new(Node {
                ino: 1,
                meta: meta.masked(),
                kind: Kind::Dir(Dir::default()),
            }),
            next_ino: 2,
            links: Arc::new(BTreeMap::new()),
        }
    }

    // ----- lookup -------------------------------------------------------------------

    /// Resolve `path` inside this root. Intermediate symlinks are always followed, the
    /// final one only when `follow`; `..` is physical and stops at `/`.
    pub(crate) fn lookup(&self, path: &str, follow: bool) -> Result<Found> {
        check_path(path)?;
        let trailing_slash = path.len() > 1 && path.ends_with('/');
        let found = self.resolve(components(path).into(), follow || trailing_slash)?;
        if trailing_slash && found.node.dir().is_none() {
            return Err(FsError::NotDir);
        }
        Ok(found)
    }

    fn resolve(&self, mut pending: VecDeque<String>, follow: bool) -> Result<Found> {
        let mut comps: Vec<String> = Vec::new();
        let mut nodes: Vec<Arc<Node>> = vec![self.root.clone()];
        let mut hops = 0usize;
        while let Some(c) = pending.pop_front() {
            if c == ".." {
                if !comps.is_empty() {
                    comps.pop();
                    nodes.pop();
                }
                continue;
            }
            let cur = nodes.last().ok_or(FsError::NotFound)?;
            let dir = cur.dir().ok_or(FsError::NotDir)?;
            let child = dir.children.get(&c).ok_or(FsError::NotFound)?.clone();
            if let Kind::Symlink(target) = &child.kind {
                if !pending.is_empty() || follow {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(FsError::Loop);
                    }
                    if target.is_empty() {
                        return Err(FsError::NotFound);
                    }
                    if target.starts_with('/') {
                        comps.clear();
                        nodes.truncate(1);
                    }
                    for t in components(target).into_iter().rev() {
                        pending.push_front(t);
                    }
                    continue;
                }
            }
            comps.push(c);
            nodes.push(child);
        }
        let node = nodes.pop().ok_or(FsError::NotFound)?;
        Ok(Found { comps, node })
    }

    /// The real path of the parent directory of `path`, and the final name.
    fn parent_of(&self, path: &str) -> Result<(Vec<String>, String)> {
        check_path(path)?;
        let mut comps = components(path);
        let name = comps.pop().ok_or(FsError::Busy)?;
        if name == ".." {
            return Err(FsError::InvalidArgument);
        }
        let parent = self.resolve(comps.into(), true)?;
        if parent.node.dir().is_none() {
            return Err(FsError::NotDir);
        }
        Ok((parent.comps, name))
    }

    /// Where `open(path, O_CREAT)` would create or find the file: follows a final
    /// symlink, even a dangling one, to the place its target names.
    fn create_target(&self, path: &str) -> Result<(Vec<String>, String)> {
        let mut p = path.to_string();
        for _ in 0..=MAX_SYMLINK_HOPS {
            let (pc, name) = self.parent_of(&p)?;
            match self.child(&pc, &name).map(|n| n.kind.clone()) {
                Some(Kind::Symlink(t)) => {
                    p = if t.starts_with('/') {
                        t
                    } else {
                        format!("{}/{}", to_path(&pc), t)
                    };
                }
                _ => return Ok((pc, name)),
            }
        }
        Err(FsError::Loop)
    }

    fn child(&self, parent: &[String], name: &str) -> Option<Arc<Node>> {
        let mut node = &self.root;
        for c in parent {
            node = node.dir()?.children.get(c)?;
        }
        node.dir()?.children.get(name).cloned()
    }

    // ----- reading ------------------------------------------------------------------

    /// `stat(2)`: metadata of `path`, following a final symlink.
    pub fn stat(&self, path: &str) -> Result<Stat> {
        self.lookup(path, true).map(|f| self.stat_of(&f))
    }

    /// `lstat(2)`: metadata of `path` itself (a final symlink is not followed).
    pub fn lstat(&self, path: &str) -> Result<Stat> {
        self.lookup(path, false).map(|f| self.stat_of(&f))
    }

    /// Whether `path` exists (following symlinks).
    pub fn exists(&self, path: &str) -> bool {
        self.lookup(path, true).is_ok()
    }

    /// `realpath(3)`: the absolute path with every symlink and `..` resolved.
    pub fn canonicalize(&self, path: &str) -> Result<String> {
        self.lookup(path, true).map(|f| to_path(&f.comps))
    }

    fn stat_of(&self, f: &Found) -> Stat {
        let n = &f.node;
        let nlink = match &n.kind {
            Kind::Dir(d) => 2 + d.children.values().filter(|c| c.dir().is_some()).count() as u64,
            _ => self.links.get(&n.ino).map_or(1, |s| s.len() as u64),
        };
        Stat {
            file_type: n.file_type(),
            meta: n.meta,
            size: n.size(),
            ino: n.ino,
            nlink,
            link_target: match &n.kind {
                Kind::Symlink(t) => Some(t.clone()),
                _ => None,
            },
            device: match &n.kind {
                Kind::Device(d) => Some(*d),
                _ => None,
            },
        }
    }

    /// The content of the regular file at `path` (following symlinks).
    /// Devices read as empty.
    pub fn read_file(&self, path: &str) -> Result<Content> {
        let f = self.lookup(path, true)?;
        match &f.node.kind {
            Kind::File(c) => Ok(c.clone()),
            Kind::Dir(_) => Err(FsError::IsDir),
            _ => Ok(Content::empty()),
        }
    }

    /// `readlink(2)`: the target of the symlink at `path`.
    pub fn read_link(&self, path: &str) -> Result<String> {
        let f = self.lookup(path, false)?;
        match &f.node.kind {
            Kind::Symlink(t) => Ok(t.clone()),
            _ => Err(FsError::InvalidArgument),
        }
    }

    /// The entries of directory `path`, sorted by name (byte order).
    pub fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>> {
        let f = self.lookup(path, true)?;
        let dir = f.node.dir().ok_or(FsError::NotDir)?;
        let mut comps = f.comps.clone();
        Ok(dir
            .children
            .iter()
            .map(|(name, node)| {
                comps.push(name.clone());
                let stat = self.stat_of(&Found {
                    comps: comps.clone(),
                    node: node.clone(),
                });
                comps.pop();
                DirEntry {
                    name: name.clone(),
                    stat,
                }
            })
            .collect())
    }

    /// Every entry below `path` (not `path` itself), depth-first, each directory's
    /// children in name order: the order of Go's `filepath.Walk`, which is the order
    /// real layer tars are written in. Paths are absolute real paths.
    pub fn walk(&self, path: &str) -> Result<Vec<WalkEntry>> {
        let f = self.lookup(path, true)?;
        let mut out = Vec::new();
        let mut comps = f.comps.clone();
        self.walk_rec(&f.node, &mut comps, &mut out);
        Ok(out)
    }

    fn walk_rec(&self, node: &Arc<Node>, comps: &mut Vec<String>, out: &mut Vec<WalkEntry>) {
        if let Kind::Dir(d) = &node.kind {
            for (name, child) in &d.children {
                comps.push(name.clone());
                let f = Found {
                    comps: comps.clone(),
                    node: child.clone(),
                };
                out.push(WalkEntry {
                    path: to_path(comps),
                    stat: self.stat_of(&f),
                });
                self.walk_rec(child, comps, out);
                comps.pop();
            }
        }
    }

    /// Total bytes of regular files in the tree (each hardlink name counted).
    pub fn total_size(&self) -> u64 {
        self.root.totals().0
    }

    /// Number of regular files in the tree (each hardlink name counted).
    pub fn file_count(&self) -> u64 {
        self.root.totals().1
    }

    /// (bytes, regular files) below `path`, as `du` would sum them.
    pub fn usage(&self, path: &str) -> Result<(u64, u64)> {
        Ok(self.lookup(path, true)?.node.totals())
    }

    /// The other names of the inode at `path` (hardlinks), excluding `path` itself.
    pub fn hardlinks_of(&self, path: &str) -> Result<Vec<String>> {
        let f = self.lookup(path, false)?;
        let me = to_path(&f.comps);
        Ok(self
            .links
            .get(&f.node.ino)
            .map(|s| s.iter().filter(|p| **p != me).cloned().collect())
            .unwrap_or_default())
    }

    /// Inodes with more than one name, as sets of real paths.
    pub(crate) fn link_groups(&self) -> &BTreeMap<u64, BTreeSet<String>> {
        &self.links
    }

    // ----- writing ------------------------------------------------------------------

    fn alloc(&mut self, meta: Metadata, kind: Kind) -> Arc<Node> {
        let ino = self.next_ino;
        self.next_ino += 1;
        Arc::new(Node {
            ino,
            meta: meta.masked(),
            kind,
        })
    }

    /// Apply `f` to the directory at real path `dir`, path-copying on the way down and
    /// refreshing the subtree totals on the way up.
    fn edit_dir<R>(&mut self, dir: &[String], f: impl FnOnce(&mut Dir) -> Result<R>) -> Result<R> {
        fn rec<R>(
            node: &mut Arc<Node>,
            comps: &[String],
            f: impl FnOnce(&mut Dir) -> Result<R>,
        ) -> Result<R> {
            let n = Arc::make_mut(node);
            let Kind::Dir(d) = &mut n.kind else {
                return Err(FsError::NotDir);
            };
            let r = match comps.split_first() {
                None => f(d),
                Some((first, rest)) => {
                    let child = d.children.get_mut(first).ok_or(FsError::NotFound)?;
                    rec(child, rest, f)
                }
            };
            d.recount();
            r
        }
        rec(&mut self.root, dir, f)
    }

    /// Apply `f` to the node at real path `comps` (the root when empty) and to every
    /// other name of the same inode, so hardlinks share content and metadata.
    fn edit_inode(&mut self, comps: &[String], f: &dyn Fn(&mut Node)) -> Result<()> {
        let Some((name, parent)) = comps.split_last() else {
            f(Arc::make_mut(&mut self.root));
            return Ok(());
        };
        let ino = self.edit_dir(parent, |d| {
            let c = d.children.get_mut(name).ok_or(FsError::NotFound)?;
            let n = Arc::make_mut(c);
            f(n);
            Ok(n.ino)
        })?;
        let me = to_path(comps);
        let others: Vec<String> = self
            .links
            .get(&ino)
            .map(|s| s.iter().filter(|p| **p != me).cloned().collect())
            .unwrap_or_default();
        for other in others {
            let mut oc = components(&other);
            if let Some(oname) = oc.pop() {
                self.edit_dir(&oc, |d| {
                    if let Some(c) = d.children.get_mut(&oname) {
                        f(Arc::make_mut(c));
                    }
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    fn insert(&mut self, parent: &[String], name: String, node: Arc<Node>) -> Result<()> {
        check_name(&name)?;
        if to_path(parent).len() + 1 + name.len() > PATH_MAX {
            return Err(FsError::NameTooLong);
        }
        self.edit_dir(parent, |d| {
            if d.children.contains_key(&name) {
                return Err(FsError::Exists);
            }
            d.children.insert(name, node);
            Ok(())
        })
    }

    /// Remove the entry `name` in `parent` and forget its hardlink records.
    fn detach(&mut self, parent: &[String], name: &str) -> Result<Arc<Node>> {
        let node = self.edit_dir(parent, |d| d.children.remove(name).ok_or(FsError::NotFound))?;
        let mut comps = parent.to_vec();
        comps.push(name.to_string());
        self.forget_links(&to_path(&comps));
        Ok(node)
    }

    fn forget_links(&mut self, path: &str) {
        let prefix = format!("{path}/");
        if !self
            .links
            .values()
            .any(|s| s.iter().any(|p| p == path || p.starts_with(&prefix)))
        {
            return;
        }
        let links = Arc::make_mut(&mut self.links);
        for set in links.values_mut() {
            set.retain(|p| p != path && !p.starts_with(&prefix));
        }
        links.retain(|_, s| s.len() > 1);
    }

    fn move_links(&mut self, from: &str, to: &str) {
        let prefix = format!("{from}/");
        if !self
            .links
            .values()
            .any(|s| s.iter().any(|p| p == from || p.starts_with(&prefix)))
        {
            return;
        }
        let links = Arc::make_mut(&mut self.links);
        for set in links.values_mut() {
            *set = set
                .iter()
                .map(|p| {
                    if p == from {
                        to.to_string()
                    } else if let Some(rest) = p.strip_prefix(&prefix) {
                        format!("{to}/{rest}")
                    } else {
                        p.clone()
                    }
                })
                .collect();
        }
    }

    /// `open(O_CREAT|O_TRUNC)` + write: create the file with `meta`, or truncate an
    /// existing one to `content` keeping its mode and owner (as POSIX does) and setting
    /// its mtime to `meta.mtime`. A final symlink is followed, even a dangling one.
    pub fn write_file(
        &mut self,
        path: &str,
        content: impl Into<Content>,
        meta: Metadata,
    ) -> Result<()> {
        let content = content.into();
        let (pc, name) = self.create_target(path)?;
        match self.child(&pc, &name) {
            None => {
                let node = self.alloc(meta, Kind::File(content));
                self.insert(&pc, name, node)
            }
            Some(n) => match n.kind {
                Kind::Dir(_) => Err(FsError::IsDir),
                Kind::File(_) => {
                    let mut comps = pc;
                    comps.push(name);
                    self.edit_inode(&comps, &|n: &mut Node| {
                        n.kind = Kind::File(content.clone());
                        n.meta.mtime = meta.mtime;
                    })
                }
                _ => Ok(()),
            },
        }
    }

    /// Like `>>`: append `bytes`, creating the file with `meta` if missing.
    pub fn append(&mut self, path: &str, bytes: &[u8], meta: Metadata) -> Result<()> {
        let (pc, name) = self.create_target(path)?;
        let mut comps = pc.clone();
        comps.push(name.clone());
        match self.child(&pc, &name).map(|n| n.kind.clone()) {
            None => self.write_file(&to_path(&comps), bytes, meta),
            Some(Kind::Dir(_)) => Err(FsError::IsDir),
            Some(Kind::File(old)) => {
                let mut v = old.to_vec();
                v.extend_from_slice(bytes);
                let content = Content::from(v);
                self.edit_inode(&comps, &|n: &mut Node| {
                    n.kind = Kind::File(content.clone());
                    n.meta.mtime = meta.mtime;
                })
            }
            Some(_) => Ok(()),
        }
    }

    /// Replace whatever non-directory is at `path` (not following a final symlink) by a
    /// new file with exactly `content` and `meta`: what COPY/ADD and `cp` onto an
    /// existing file do to a layer (a new inode, new metadata).
    pub fn put_file(
        &mut self,
        path: &str,
        content: impl Into<Content>,
        meta: Metadata,
    ) -> Result<()> {
        let (pc, name) = self.parent_of(path)?;
        if let Some(n) = self.child(&pc, &name) {
            if n.dir().is_some() {
                return Err(FsError::IsDir);
            }
            self.detach(&pc, &name)?;
        }
        let node = self.alloc(meta, Kind::File(content.into()));
        self.insert(&pc, name, node)
    }

    /// `mkdir(2)`: create directory `path`; its parent must exist.
    pub fn mkdir(&mut self, path: &str, meta: Metadata) -> Result<()> {
        let (pc, name) = self.parent_of(path)?;
        if self.child(&pc, &name).is_some() {
            return Err(FsError::Exists);
        }
        let node = self.alloc(meta, Kind::Dir(Dir::default()));
        self.insert(&pc, name, node)
    }

    /// `mkdir -p`: create `path` and missing parents with `meta`; existing directories
    /// (also through symlinks) are left as they are.
    pub fn mkdir_all(&mut self, path: &str, meta: Metadata) -> Result<()> {
        check_path(path)?;
        let comps = components(path);
        for i in 1..=comps.len() {
            let p = to_path(&comps[..i]);
            match self.stat(&p) {
                Ok(s) if s.file_type == FileType::Dir => {}
                Ok(_) if i == comps.len() => return Err(FsError::Exists),
                Ok(_) => return Err(FsError::NotDir),
                Err(FsError::NotFound) => self.mkdir(&p, meta)?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// `unlink(2)`: remove a non-directory (a symlink itself, not its target).
    pub fn remove_file(&mut self, path: &str) -> Result<()> {
        let (pc, name) = self.parent_of(path)?;
        match self.child(&pc, &name) {
            None => Err(FsError::NotFound),
            Some(n) if n.dir().is_some() => Err(FsError::IsDir),
            Some(_) => self.detach(&pc, &name).map(|_| ()),
        }
    }

    /// `rmdir(2)`: remove an empty directory.
    pub fn remove_dir(&mut self, path: &str) -> Result<()> {
        let (pc, name) = self.parent_of(path)?;
        match self.child(&pc, &name) {
            None => Err(FsError::NotFound),
            Some(n) => match n.dir() {
                None => Err(FsError::NotDir),
                Some(d) if !d.children.is_empty() => Err(FsError::NotEmpty),
                Some(_) => self.detach(&pc, &name).map(|_| ()),
            },
        }
    }

    /// `rm -r`: remove `path` and everything below it (a final symlink is removed, not
    /// followed). Removing `/` is refused with `Device or resource busy`.
    pub fn remove_all(&mut self, path: &str) -> Result<()> {
        let (pc, name) = self.parent_of(path)?;
        self.detach(&pc, &name).map(|_| ())
    }

    /// `rename(2)`: move `from` to `to`, replacing a file, or an empty directory when
    /// `from` is a directory. Moving a directory into itself is `Invalid argument`.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let (pc1, n1) = self.parent_of(from)?;
        let src = self.child(&pc1, &n1).ok_or(FsError::NotFound)?;
        let (pc2, n2) = self.parent_of(to)?;
        let mut src_path = pc1.clone();
        src_path.push(n1.clone());
        let mut dst_path = pc2.clone();
        dst_path.push(n2.clone());
        if src_path == dst_path {
            return Ok(());
        }
        if src.dir().is_some() && dst_path.starts_with(&src_path) {
            return Err(FsError::InvalidArgument);
        }
        if let Some(dst) = self.child(&pc2, &n2) {
            match (src.dir().is_some(), dst.dir()) {
                (true, None) => return Err(FsError::NotDir),
                (false, Some(_)) => return Err(FsError::IsDir),
                (true, Some(d)) if !d.children.is_empty() => return Err(FsError::NotEmpty),
                _ => {}
            }
            if dst.ino == src.ino {
                // Two names of one inode: rename(2) does nothing.
                return Ok(());
            }
            self.detach(&pc2, &n2)?;
        }
        check_name(&n2)?;
        let node = self.edit_dir(&pc1, |d| d.children.remove(&n1).ok_or(FsError::NotFound))?;
        self.insert(&pc2, n2, node)?;
        self.move_links(&to_path(&src_path), &to_path(&dst_path));
        Ok(())
    }

    /// `symlink(2)`: create `link_path` pointing at `target` (stored verbatim; mode is
    /// always 0777 as on Linux).
    pub fn symlink(&mut self, target: &str, link_path: &str, meta: Metadata) -> Result<()> {
        if target.len() > PATH_MAX {
            return Err(FsError::NameTooLong);
        }
        let (pc, name) = self.parent_of(link_path)?;
        if self.child(&pc, &name).is_some() {
            return Err(FsError::Exists);
        }
        let meta = Metadata {
            mode: 0o777,
            ..meta
        };
        let node = self.alloc(meta, Kind::Symlink(target.to_string()));
        self.insert(&pc, name, node)
    }

    /// `link(2)`: give the inode at `existing` (not following a final symlink) the extra
    /// name `new_path`. Directories cannot be hardlinked (`Operation not permitted`).
    pub fn hardlink(&mut self, existing: &str, new_path: &str) -> Result<()> {
        let src = self.lookup(existing, false)?;
        if src.node.dir().is_some() {
            return Err(FsError::NotPermitted);
        }
        let (pc, name) = self.parent_of(new_path)?;
        if self.child(&pc, &name).is_some() {
            return Err(FsError::Exists);
        }
        let mut new_comps = pc.clone();
        new_comps.push(name.clone());
        self.insert(&pc, name, src.node.clone())?;
        let links = Arc::make_mut(&mut self.links);
        let set = links.entry(src.node.ino).or_default();
        set.insert(to_path(&src.comps));
        set.insert(to_path(&new_comps));
        Ok(())
    }

    /// `mknod(2)`/`mkfifo(3)`: a device or fifo node (metadata only).
    pub fn mknod(&mut self, path: &str, device: DeviceKind, meta: Metadata) -> Result<()> {
        let (pc, name) = self.parent_of(path)?;
        if self.child(&pc, &name).is_some() {
            return Err(FsError::Exists);
        }
        let node = self.alloc(meta, Kind::Device(device));
        self.insert(&pc, name, node)
    }

    /// `chmod(2)` (follows symlinks): permission bits plus setuid/setgid/sticky.
    pub fn chmod(&mut self, path: &str, mode: u32) -> Result<()> {
        let f = self.lookup(path, true)?;
        self.edit_inode(&f.comps, &|n: &mut Node| n.meta.mode = mode & 0o7777)
    }

    /// `chown(2)` (follows symlinks).
    pub fn chown(&mut self, path: &str, uid: u32, gid: u32) -> Result<()> {
        let f = self.lookup(path, true)?;
        self.edit_inode(&f.comps, &|n: &mut Node| {
            n.meta.uid = uid;
            n.meta.gid = gid;
        })
    }

    /// `lchown(2)`: like [`Fs::chown`] but changes a final symlink itself.
    pub fn lchown(&mut self, path: &str, uid: u32, gid: u32) -> Result<()> {
        let f = self.lookup(path, false)?;
        self.edit_inode(&f.comps, &|n: &mut Node| {
            n.meta.uid = uid;
            n.meta.gid = gid;
        })
    }

    /// Set the mtime (seconds) of `path`, following symlinks, as `touch -d` does.
    pub fn set_mtime(&mut self, path: &str, mtime: i64) -> Result<()> {
        let f = self.lookup(path, true)?;
        self.edit_inode(&f.comps, &|n: &mut Node| n.meta.mtime = mtime)
    }

    /// Set all metadata of the entry at `path` itself (a final symlink is not followed;
    /// a symlink's mode stays 0777).
    pub fn set_metadata(&mut self, path: &str, meta: Metadata) -> Result<()> {
        let f = self.lookup(path, false)?;
        let is_link = matches!(f.node.kind, Kind::Symlink(_));
        self.edit_inode(&f.comps, &|n: &mut Node| {
            n.meta = meta.masked();
            if is_link {
                n.meta.mode = 0o777;
            }
        })
    }

    /// Whether both trees hold the same entries with the same types, metadata, content,
    /// link targets and hardlink groups (inode numbers are not compared). Shared
    /// subtrees are skipped by pointer, so comparing a snapshot with itself is O(1).
    pub fn same_as(&self, other: &Fs) -> bool {
        fn rec(a: &Arc<Node>, b: &Arc<Node>) -> bool {
            if Arc::ptr_eq(a, b) {
                return true;
            }
            if !a.same_entry(b) {
                return false;
            }
            match (&a.kind, &b.kind) {
                (Kind::Dir(x), Kind::Dir(y)) => {
                    x.children.len() == y.children.len()
                        && x.children
                            .iter()
                            .zip(y.children.iter())
                            .all(|((n1, c1), (n2, c2))| n1 == n2 && rec(c1, c2))
                }
                _ => true,
            }
        }
        let groups =
            |fs: &Fs| -> BTreeSet<BTreeSet<String>> { fs.links.values().cloned().collect() };
        rec(&self.root, &other.root) && groups(self) == groups(other)
    }
}

fn check_path(path: &str) -> Result<()> {
    if path.len() > PATH_MAX {
        return Err(FsError::NameTooLong);
    }
    if path.split('/').any(|c| c.len() > NAME_MAX) {
        return Err(FsError::NameTooLong);
    }
    Ok(())
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.contains('\0') {
        return Err(FsError::InvalidArgument);
    }
    if name.len() > NAME_MAX {
        return Err(FsError::NameTooLong);
    }
    Ok(())
}
