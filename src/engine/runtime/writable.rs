//! The container's writable layer as overlayfs keeps it: the container root is the
//! image's top snapshot plus the container's own changes (copy-up on write, whiteouts
//! on delete), so `fs::diff(image rootfs, container rootfs)` is exactly what the upper
//! directory holds. Volumes are mounted over it: their content never enters the
//! writable layer (moby `daemon/changes.go` skips mount points the same way).

use crate::engine::fs::{self, ChangeKind, Changeset, DockerDiffKind, FileType, Fs, FsError};
use std::collections::BTreeMap;

/// Is `path` at or below `dir`?
pub fn is_under(path: &str, dir: &str) -> bool {
    if dir == "/" {
        return true;
    }
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Rebases `path` (below `from`) to `to`.
fn rebase(path: &str, from: &str, to: &str) -> String {
    let rest = if from == "/" {
        path
    } else {
        path.strip_prefix(from).unwrap_or("")
    };
    fs::normalize(&format!("{to}/{rest}"))
}

/// Copies everything below `src_path` of `src` to `dst_path` of `dst` (which is created
/// when missing): directories, regular files and symlinks with their metadata.
/// Devices are skipped (a volume cannot hold them in layerlab).
pub fn copy_tree(src: &Fs, src_path: &str, dst: &mut Fs, dst_path: &str) -> Result<(), FsError> {
    let top = src.stat(src_path)?;
    if top.file_type != FileType::Dir {
        return Err(FsError::NotDir);
    }
    dst.mkdir_all(dst_path, top.meta)?;
    for entry in src.walk(src_path)? {
        let target = rebase(&entry.path, src_path, dst_path);
        put_entry(src, &entry.path, dst, &target)?;
    }
    Ok(())
}

/// Makes `dst_path` in `dst` what `src_path` is in `src` (not recursing).
fn put_entry(src: &Fs, src_path: &str, dst: &mut Fs, dst_path: &str) -> Result<(), FsError> {
    let st = src.lstat(src_path)?;
    match st.file_type {
        FileType::Dir => match dst.lstat(dst_path) {
            Ok(d) if d.file_type == FileType::Dir => dst.set_metadata(dst_path, st.meta),
            Ok(_) => {
                dst.remove_all(dst_path)?;
                dst.mkdir(dst_path, st.meta)
            }
            Err(_) => dst.mkdir_all(dst_path, st.meta),
        },
        FileType::File => {
            let content = src.read_file(src_path)?;
            if dst
                .lstat(dst_path)
                .is_ok_and(|d| d.file_type == FileType::Dir)
            {
                dst.remove_all(dst_path)?;
            }
            dst.put_file(dst_path, content, st.meta)
        }
        FileType::Symlink => {
            let target = src.read_link(src_path)?;
            if dst.lstat(dst_path).is_ok() {
                dst.remove_all(dst_path)?;
            }
            dst.symlink(&target, dst_path, st.meta)
        }
        _ => Ok(()),
    }
}

/// Replays the changes from `before` to `after` onto `dst`: changes below `from` land
/// below `to` (`/` to `/` replays everything). Used to split what a process wrote
/// between the writable layer and the volumes mounted into the container.
pub fn replay(
    changes: &Changeset,
    after: &Fs,
    dst: &mut Fs,
    keep: &dyn Fn(&str) -> bool,
    from: &str,
    to: &str,
) {
    for c in changes.changes() {
        if !keep(&c.path) || !is_under(&c.path, from) {
            continue;
        }
        let target = rebase(&c.path, from, to);
        let _ = match c.kind {
            ChangeKind::Deleted => dst.remove_all(&target),
            ChangeKind::Added | ChangeKind::Modified => put_entry(after, &c.path, dst, &target),
        };
    }
}

/// `docker diff` of a container: A/C/D for every change of its writable layer, every
/// ancestor of a change as `C` (never `/`), nothing at or below a volume mount point
/// (moby's `changes` skip mounts), sorted by path.
pub fn docker_diff(lower: &Fs, upper: &Fs, mounts: &[String]) -> Vec<(DockerDiffKind, String)> {
    let changes = fs::diff(lower, upper);
    let mut out: BTreeMap<String, DockerDiffKind> = BTreeMap::new();
    for c in changes.changes() {
        if mounts.iter().any(|m| is_under(&c.path, m)) {
            continue;
        }
        let kind = match c.kind {
            ChangeKind::Added => DockerDiffKind::Added,
            ChangeKind::Modified => DockerDiffKind::Changed,
            ChangeKind::Deleted => DockerDiffKind::Deleted,
        };
        out.insert(c.path.clone(), kind);
        let mut p = c.path.as_str();
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            if p.is_empty() {
                break;
            }
            out.entry(p.to_string()).or_insert(DockerDiffKind::Changed);
        }
    }
    out.into_iter().map(|(p, k)| (k, p)).collect()
}

/// Bytes the writable layer holds (`docker ps -s` SIZE): regular files added or
/// modified (a copied-up file counts whole, as overlayfs copies it whole).
pub fn size_rw(lower: &Fs, upper: &Fs) -> u64 {
    fs::diff(lower, upper)
        .changes()
        .iter()
        .filter(|c| c.kind != ChangeKind::Deleted)
        .map(|c| c.size())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fs::Metadata;

    fn m() -> Metadata {
        Metadata::new(0o755, 0, 0, 0)
    }

    #[test]
    fn diff_skips_mounts_and_marks_ancestors() {
        let mut lower = Fs::with_root(m());
        lower.mkdir_all("/app/logs", m()).unwrap();
        lower.mkdir_all("/data", m()).unwrap();
        let mut upper = lower.clone();
        upper.write_file("/app/logs/a.log", "x", m()).unwrap();
        upper.write_file("/data/db", "y", m()).unwrap();
        let d = docker_diff(&lower, &upper, &["/data".to_string()]);
        let lines: Vec<String> = d
            .iter()
            .map(|(k, p)| format!("{} {p}", k.letter()))
            .collect();
        assert_eq!(lines, vec!["C /app", "C /app/logs", "A /app/logs/a.log"]);
        assert_eq!(size_rw(&lower, &upper), 2);
    }

    #[test]
    fn copy_and_replay_move_content() {
        let mut a = Fs::with_root(m());
        a.mkdir_all("/v/sub", m()).unwrap();
        a.write_file("/v/sub/f", "hi", m()).unwrap();
        let mut b = Fs::with_root(m());
        copy_tree(&a, "/v", &mut b, "/mnt").unwrap();
        assert_eq!(b.read_file("/mnt/sub/f").unwrap().to_vec(), b"hi");
        let mut after = b.clone();
        after.remove_file("/mnt/sub/f").unwrap();
        after.write_file("/mnt/g", "new", m()).unwrap();
        let changes = fs::diff(&b, &after);
        let mut vol = a.clone();
        replay(&changes, &after, &mut vol, &|_| true, "/mnt", "/v");
        assert!(!vol.exists("/v/sub/f"));
        assert_eq!(vol.read_file("/v/g").unwrap().to_vec(), b"new");
        assert!(is_under("/data/x", "/data"));
        assert!(!is_under("/database", "/data"));
    }
}
