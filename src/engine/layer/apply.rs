//! Layer tar → entries (for listing) and → a new snapshot (for pull and load).

use super::read::{RawEntry, Reader};
use super::write::{OPAQUE_MARKER, WHITEOUT_PREFIX};
use super::{EntryKind, LayerEntry, LayerError};
use crate::engine::digest::Digest;
use crate::engine::fs::{DeviceKind, FileType, Fs, FsError, Metadata};
use std::collections::BTreeSet;

/// Check and normalise an entry path: relative, no `..`, no empty result.
/// `./a/b/` → `a/b`. The root entry (`./`) gives `None`.
fn clean(name: &str) -> Result<Option<String>, LayerError> {
    if name.starts_with('/') {
        return Err(LayerError::UnsafePath(name.to_string(), "absolute path"));
    }
    if name.contains('\0') {
        return Err(LayerError::UnsafePath(name.to_string(), "NUL in path"));
    }
    let mut parts = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                return Err(LayerError::UnsafePath(
                    name.to_string(),
                    "path escapes the layer root",
                ))
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(parts.join("/")))
}

fn kind_of(e: &RawEntry, base: &str) -> Result<EntryKind, LayerError> {
    if base == OPAQUE_MARKER {
        return Ok(EntryKind::Opaque);
    }
    if base.starts_with(WHITEOUT_PREFIX) {
        return Ok(EntryKind::Whiteout);
    }
    Ok(match e.typeflag {
        b'0' | 0 | b'7' => EntryKind::File,
        b'1' => EntryKind::Hardlink,
        b'2' => EntryKind::Symlink,
        b'3' => EntryKind::Char,
        b'4' => EntryKind::Block,
        b'5' => EntryKind::Dir,
        b'6' => EntryKind::Fifo,
        other => {
            return Err(LayerError::UnsupportedType(
                char::from(other),
                e.name.clone(),
            ))
        }
    })
}

/// The entries of a layer (gzip or plain tar), in archive order.
pub(crate) fn list(layer: &[u8], max: u64) -> Result<Vec<LayerEntry>, LayerError> {
    let tar = super::gzip::maybe_decompress(layer, max)?;
    let mut r = Reader::new(&tar);
    let mut out = Vec::new();
    while let Some(e) = r.next_entry()? {
        let Some(path) = clean(&e.name)? else {
            continue;
        };
        let base = path.rsplit('/').next().unwrap_or(&path).to_string();
        let kind = kind_of(&e, &base)?;
        out.push(LayerEntry {
            sha256: (kind == EntryKind::File).then(|| Digest::sha256(e.data)),
            linkname: matches!(kind, EntryKind::Hardlink | EntryKind::Symlink)
                .then(|| e.linkname.clone()),
            path,
            kind,
            mode: (e.mode & 0o7777) as u32,
            uid: e.uid,
            gid: e.gid,
            size: if kind == EntryKind::File { e.size } else { 0 },
            mtime: e.mtime,
            devmajor: e.devmajor,
            devminor: e.devminor,
        });
    }
    Ok(out)
}

fn fs_err(path: &str) -> impl Fn(FsError) -> LayerError + '_ {
    move |source| LayerError::Fs {
        path: path.to_string(),
        source,
    }
}

/// Apply a layer onto `tree`, as containers/storage `UnpackLayer` does: whiteouts remove
/// lower entries, an opaque marker empties the lower directory (keeping what this layer
/// already put there), an existing entry is replaced unless both are directories (then
/// only metadata changes), missing parents are created `0755 0:0`.
pub(crate) fn apply(tree: &Fs, layer: &[u8], max: u64) -> Result<Fs, LayerError> {
    let tar = super::gzip::maybe_decompress(layer, max)?;
    let mut fs = tree.clone();
    let mut r = Reader::new(&tar);
    let mut ours: BTreeSet<String> = BTreeSet::new();
    let parent_meta = Metadata::new(0o755, 0, 0, 0);
    while let Some(e) = r.next_entry()? {
        let Some(rel) = clean(&e.name)? else { continue };
        let path = format!("/{rel}");
        let (parent, base) = match path.rfind('/') {
            Some(0) => ("/".to_string(), path[1..].to_string()),
            Some(i) => (path[..i].to_string(), path[i + 1..].to_string()),
            None => ("/".to_string(), path.clone()),
        };
        let kind = kind_of(&e, &base)?;
        let err = fs_err(&path);
        if !fs.exists(&parent) {
            fs.mkdir_all(&parent, parent_meta).map_err(&err)?;
        }
        match kind {
            EntryKind::Opaque => {
                let children = fs.list_dir(&parent).map_err(&err)?;
                for c in children {
                    let p = if parent == "/" {
                        format!("/{}", c.name)
                    } else {
                        format!("{parent}/{}", c.name)
                    };
                    if !ours.contains(&p) {
                        fs.remove_all(&p).map_err(fs_err(&p))?;
                    }
                }
                continue;
            }
            EntryKind::Whiteout => {
                let Some(target) = base.strip_prefix(WHITEOUT_PREFIX) else {
                    continue;
                };
                if target.starts_with(WHITEOUT_PREFIX) || target.is_empty() || target == ".." {
                    continue; // aufs metadata such as .wh..wh.plnk
                }
                let p = if parent == "/" {
                    format!("/{target}")
                } else {
                    format!("{parent}/{target}")
                };
                match fs.remove_all(&p) {
                    Ok(()) | Err(FsError::NotFound) => {}
                    Err(e) => return Err(fs_err(&p)(e)),
                }
                continue;
            }
            _ => {}
        }
        let meta = Metadata::new(
            (e.mode & 0o7777) as u32,
            u32::try_from(e.uid).map_err(|_| LayerError::InvalidHeader(0, "uid"))?,
            u32::try_from(e.gid).map_err(|_| LayerError::InvalidHeader(0, "gid"))?,
            e.mtime,
        );
        let existing = fs.lstat(&path).ok();
        if kind == EntryKind::Dir {
            match existing {
                Some(st) if st.file_type == FileType::Dir => {
                    fs.set_metadata(&path, meta).map_err(&err)?;
                }
                Some(_) => {
                    fs.remove_all(&path).map_err(&err)?;
                    fs.mkdir(&path, meta).map_err(&err)?;
                }
                None => fs.mkdir(&path, meta).map_err(&err)?,
            }
            ours.insert(path.clone());
            continue;
        }
        if kind == EntryKind::Hardlink {
            let Some(target) = clean(&e.linkname)? else {
                return Err(LayerError::BadHardlink(path.clone(), e.linkname.clone()));
            };
            let target = format!("/{target}");
            if target == path || fs.lstat(&target).is_err() {
                return Err(LayerError::BadHardlink(path.clone(), e.linkname.clone()));
            }
            if existing.is_some() {
                fs.remove_all(&path).map_err(&err)?;
            }
            fs.hardlink(&target, &path).map_err(&err)?;
            ours.insert(path.clone());
            continue;
        }
        if existing.is_some() {
            fs.remove_all(&path).map_err(&err)?;
        }
        match kind {
            EntryKind::File => fs.put_file(&path, e.data, meta),
            EntryKind::Symlink => fs
                .symlink(&e.linkname, &path, meta)
                .and_then(|_| fs.set_metadata(&path, meta)),
            EntryKind::Char => fs.mknod(
                &path,
                DeviceKind::Char {
                    major: e.devmajor as u32,
                    minor: e.devminor as u32,
                },
                meta,
            ),
            EntryKind::Block => fs.mknod(
                &path,
                DeviceKind::Block {
                    major: e.devmajor as u32,
                    minor: e.devminor as u32,
                },
                meta,
            ),
            _ => fs.mknod(&path, DeviceKind::Fifo, meta),
        }
        .map_err(&err)?;
        ours.insert(path.clone());
    }
    Ok(fs)
}
