//! `COPY` and `ADD`: which source paths match, where they land, with which owner and
//! mode — BuildKit's rules (wildcards, directory contents, trailing-slash
//! destinations), its error texts, and the checksums the layer cache keys on.

use super::users::Owner;
use crate::engine::digest::{Digest, Sha256Writer};
use crate::engine::fs::{self, FileType, Fs, Metadata};

/// How to copy.
#[derive(Debug, Clone)]
pub struct CopySpec {
    /// Sources as written after expansion (relative to the source root).
    pub sources: Vec<String>,
    /// Destination after expansion; relative destinations are joined to `workdir`.
    pub dest: String,
    pub workdir: String,
    pub owner: Option<Owner>,
    pub chmod: Option<u32>,
    /// `ADD`: local tar archives are extracted.
    pub is_add: bool,
    pub exclude: Vec<String>,
    pub parents: bool,
    /// mtime for directories the copy has to create.
    pub now: i64,
    /// Where sources come from, for error messages (`context`, a stage name, an image).
    pub source_name: String,
}

/// One copied source entry, as the cache key sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceChecksum {
    pub path: String,
    pub digest: Digest,
}

/// Copies per `spec` from `src` into `dst`; returns the checksums of what was read.
pub fn copy(dst: &mut Fs, src: &Fs, spec: &CopySpec) -> Result<Vec<SourceChecksum>, String> {
    let dest_abs = if spec.dest.starts_with('/') {
        spec.dest.clone()
    } else {
        fs::join(&spec.workdir, &spec.dest)
    };
    let dest_is_dir_syntax = spec.dest.ends_with('/')
        || spec.dest == "."
        || spec.dest.ends_with("/.")
        || spec.dest.is_empty();
    let dest_clean = fs::normalize(&dest_abs);

    // Resolve every source to the concrete paths it names.
    let mut matched: Vec<String> = Vec::new();
    let mut any_wildcard = false;
    for raw in &spec.sources {
        if is_url(raw) {
            return Err(if spec.is_add {
                format!("layerlab has no network, so ADD cannot download {raw}: put the file in the build context and ADD or COPY it from there")
            } else {
                format!("source can't be a URL for COPY: {raw}")
            });
        }
        if escapes(raw) {
            return Err(format!(
                "forbidden path outside the build context: {raw} ()"
            ));
        }
        let clean = fs::normalize(&format!("/{raw}"));
        if has_wildcard(&clean) {
            any_wildcard = true;
            let found = glob(src, &clean);
            if found.is_empty() {
                return Err(not_found(&spec.source_name, &clean));
            }
            matched.extend(found);
        } else {
            if src.lstat(&clean).is_err() {
                return Err(not_found(&spec.source_name, &clean));
            }
            matched.push(clean);
        }
    }
    matched.retain(|p| {
        !spec
            .exclude
            .iter()
            .any(|e| glob_match(&fs::normalize(&format!("/{e}")), p))
    });
    let many = matched.len() > 1 || any_wildcard && spec.sources.len() > 1;
    let dest_exists_dir = dst
        .stat(&dest_clean)
        .is_ok_and(|s| s.file_type == FileType::Dir);
    if many && !dest_is_dir_syntax && !dest_exists_dir {
        return Err(
            "When using COPY with more than one source file, the destination must be a directory and end with a /"
                .to_string(),
        );
    }

    let mut checksums = Vec::new();
    for path in &matched {
        let stat = src
            .stat(path)
            .or_else(|_| src.lstat(path))
            .map_err(|e| format!("{path}: {e}"))?;
        let base_name = path.rsplit('/').next().unwrap_or("").to_string();
        let into_dir = dest_is_dir_syntax || dest_exists_dir || many;
        if stat.file_type == FileType::Dir && !spec.parents {
            // A directory source copies its contents, not the directory itself.
            ensure_dir(dst, &dest_clean, spec)?;
            copy_tree(dst, src, path, &dest_clean, spec, &mut checksums)?;
            continue;
        }
        let target = if spec.parents {
            fs::join(&dest_clean, path.trim_start_matches('/'))
        } else if into_dir {
            fs::join(&dest_clean, &base_name)
        } else {
            dest_clean.clone()
        };
        if spec.is_add && stat.file_type == FileType::File {
            if let Some(extracted) = extract_archive(src, path)? {
                ensure_dir(dst, &dest_clean, spec)?;
                checksums.push(SourceChecksum {
                    path: path.clone(),
                    digest: src.read_file(path).map_err(|e| e.to_string())?.sha256(),
                });
                copy_tree(dst, &extracted, "/", &dest_clean, spec, &mut Vec::new())?;
                continue;
            }
        }
        let parent = fs::parent_of(&target);
        ensure_dir(dst, &parent, spec)?;
        copy_entry(dst, src, path, &target, spec, &mut checksums)?;
        if stat.file_type == FileType::Dir {
            copy_tree(dst, src, path, &target, spec, &mut checksums)?;
        }
    }
    Ok(checksums)
}

fn not_found(source_name: &str, path: &str) -> String {
    format!(
        "failed to compute cache key: failed to calculate checksum of ref {source_name}: \"{path}\": not found"
    )
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("git@")
}

/// True when `..` climbs above the source root.
fn escapes(raw: &str) -> bool {
    let mut depth: i64 = 0;
    for c in raw.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

fn has_wildcard(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Every path of `src` matching `pattern` (component-wise `filepath.Match`), sorted.
fn glob(src: &Fs, pattern: &str) -> Vec<String> {
    let depth = pattern.split('/').filter(|c| !c.is_empty()).count();
    let mut out: Vec<String> = src
        .walk("/")
        .unwrap_or_default()
        .into_iter()
        .map(|e| e.path)
        .filter(|p| p != "/" && p.split('/').filter(|c| !c.is_empty()).count() == depth)
        .filter(|p| glob_match(pattern, p))
        .collect();
    crate::engine::sort::sort(&mut out);
    out
}

/// `filepath.Match` over whole paths: `*` and `?` never cross `/`.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pc: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let tc: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    pc.len() == tc.len()
        && pc
            .iter()
            .zip(&tc)
            .all(|(p, t)| match_component(p.as_bytes(), t.as_bytes()))
}

fn match_component(p: &[u8], t: &[u8]) -> bool {
    // Iterative matcher with backtracking on the last `*` (linear-ish, no recursion).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                b'[' => {
                    if let Some((ok, next)) = match_class(&p[pi..], t[ti]) {
                        if ok {
                            pi += next;
                            ti += 1;
                            continue;
                        }
                    }
                }
                b'\\' if pi + 1 < p.len() && p[pi + 1] == t[ti] => {
                    pi += 2;
                    ti += 1;
                    continue;
                }
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// `[...]` class at the start of `p`: (matches, length of the class).
fn match_class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = p.get(1).is_some_and(|&b| b == b'^' || b == b'!');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        let lo = p[i];
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if lo <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

fn meta_for(spec: &CopySpec, src_meta: Metadata, is_dir: bool) -> Metadata {
    let owner = spec.owner.unwrap_or(Owner { uid: 0, gid: 0 });
    let mode = match spec.chmod {
        Some(m) => m,
        None => src_meta.mode,
    };
    let _ = is_dir;
    Metadata::new(mode, owner.uid, owner.gid, src_meta.mtime)
}

/// Creates `dir` and its missing parents (0755, the chown owner, mtime now).
fn ensure_dir(dst: &mut Fs, dir: &str, spec: &CopySpec) -> Result<(), String> {
    if dst.stat(dir).is_ok_and(|s| s.file_type == FileType::Dir) {
        return Ok(());
    }
    let owner = spec.owner.unwrap_or(Owner { uid: 0, gid: 0 });
    dst.mkdir_all(dir, Metadata::new(0o755, owner.uid, owner.gid, spec.now))
        .map_err(|e| format!("mkdir {dir}: {e}"))
}

fn copy_entry(
    dst: &mut Fs,
    src: &Fs,
    from: &str,
    to: &str,
    spec: &CopySpec,
    sums: &mut Vec<SourceChecksum>,
) -> Result<(), String> {
    let st = src.lstat(from).map_err(|e| format!("{from}: {e}"))?;
    let mut h = Sha256Writer::new();
    h.update(format!("{:?} {:o} {}\0", st.file_type, st.meta.mode, st.size).as_bytes());
    match st.file_type {
        FileType::File => {
            let content = src.read_file(from).map_err(|e| format!("{from}: {e}"))?;
            h.update(content.sha256().hex().as_bytes());
            if dst.lstat(to).is_ok_and(|s| s.file_type == FileType::Dir) {
                return Err(format!("cannot copy to non-directory: {to}"));
            }
            if dst.lstat(to).is_ok() {
                let _ = dst.remove_file(to);
            }
            dst.write_file(to, content, meta_for(spec, st.meta, false))
                .map_err(|e| format!("copy {from} to {to}: {e}"))?;
        }
        FileType::Symlink => {
            let target = st.link_target.clone().unwrap_or_default();
            h.update(target.as_bytes());
            if dst.lstat(to).is_ok() {
                let _ = dst.remove_all(to);
            }
            dst.symlink(&target, to, meta_for(spec, st.meta, false))
                .map_err(|e| format!("symlink {to}: {e}"))?;
        }
        FileType::Dir => {
            if !dst.lstat(to).is_ok_and(|s| s.file_type == FileType::Dir) {
                if dst.lstat(to).is_ok() {
                    let _ = dst.remove_all(to);
                }
                dst.mkdir(to, meta_for(spec, st.meta, true))
                    .map_err(|e| format!("mkdir {to}: {e}"))?;
            }
        }
        _ => {
            if let Some(dev) = st.device {
                let _ = dst.mknod(to, dev, meta_for(spec, st.meta, false));
            }
        }
    }
    sums.push(SourceChecksum {
        path: from.to_string(),
        digest: h.finish(),
    });
    Ok(())
}

/// Copies the contents of directory `from` into directory `to` (which exists).
fn copy_tree(
    dst: &mut Fs,
    src: &Fs,
    from: &str,
    to: &str,
    spec: &CopySpec,
    sums: &mut Vec<SourceChecksum>,
) -> Result<(), String> {
    let entries = src.walk(from).map_err(|e| format!("{from}: {e}"))?;
    let prefix = if from == "/" {
        String::new()
    } else {
        from.to_string()
    };
    for entry in entries {
        if entry.path == from {
            continue;
        }
        let rel = &entry.path[prefix.len()..];
        if spec
            .exclude
            .iter()
            .any(|e| glob_match(&fs::normalize(&format!("/{e}")), &entry.path))
        {
            continue;
        }
        let target = fs::join(to, rel.trim_start_matches('/'));
        copy_entry(dst, src, &entry.path, &target, spec, sums)?;
    }
    Ok(())
}

/// If `path` is a tar archive (plain or gzip), its contents as a tree.
fn extract_archive(src: &Fs, path: &str) -> Result<Option<Fs>, String> {
    let content = src.read_file(path).map_err(|e| e.to_string())?;
    let head = content.read_range(0, 512);
    let gzip = head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
    let tar = head.len() >= 262 && &head[257..262] == b"ustar";
    if !gzip && !tar {
        return Ok(None);
    }
    let bytes = content.to_vec();
    let root = Fs::with_root(Metadata::new(0o755, 0, 0, 0));
    match crate::engine::layer::apply(&root, &bytes) {
        Ok(tree) => Ok(Some(tree)),
        Err(e) if gzip => Err(format!("ADD {path}: not a valid archive: {e}")),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Fs {
        let mut fs = Fs::with_root(Metadata::new(0o755, 0, 0, 0));
        let m = Metadata::new(0o644, 0, 0, 100);
        for p in [
            "/package.json",
            "/package-lock.json",
            "/server.js",
            "/src/a.js",
            "/src/lib/b.js",
        ] {
            fs.mkdir_all(&fs::parent_of(p), Metadata::new(0o755, 0, 0, 100))
                .unwrap();
            fs.write_file(p, p.as_bytes().to_vec(), m).unwrap();
        }
        fs
    }

    fn spec(sources: &[&str], dest: &str) -> CopySpec {
        CopySpec {
            sources: sources.iter().map(|s| s.to_string()).collect(),
            dest: dest.into(),
            workdir: "/app".into(),
            owner: None,
            chmod: None,
            is_add: false,
            exclude: vec![],
            parents: false,
            now: 5,
            source_name: "context".into(),
        }
    }

    #[test]
    fn wildcard_into_workdir() {
        let mut dst = Fs::new();
        let sums = copy(&mut dst, &ctx(), &spec(&["package*.json"], "./")).unwrap();
        assert_eq!(sums.len(), 2);
        assert!(dst.exists("/app/package.json") && dst.exists("/app/package-lock.json"));
        assert!(!dst.exists("/app/server.js"));
    }

    #[test]
    fn directory_contents_and_file_rename() {
        let mut dst = Fs::new();
        copy(&mut dst, &ctx(), &spec(&["src"], "/code")).unwrap();
        assert!(dst.exists("/code/a.js") && dst.exists("/code/lib/b.js"));
        copy(&mut dst, &ctx(), &spec(&["server.js"], "/srv/main.js")).unwrap();
        assert!(dst.exists("/srv/main.js"));
    }

    #[test]
    fn errors_in_buildkit_words() {
        let mut dst = Fs::new();
        let e = copy(&mut dst, &ctx(), &spec(&["missing.txt"], ".")).unwrap_err();
        assert!(e.contains("\"/missing.txt\": not found"), "{e}");
        let e = copy(&mut dst, &ctx(), &spec(&["../secret"], ".")).unwrap_err();
        assert!(
            e.starts_with("forbidden path outside the build context"),
            "{e}"
        );
        let e = copy(
            &mut dst,
            &ctx(),
            &spec(&["server.js", "package.json"], "/x"),
        )
        .unwrap_err();
        assert!(e.contains("must be a directory and end with a /"), "{e}");
    }

    #[test]
    fn globbing() {
        assert!(glob_match("/package*.json", "/package-lock.json"));
        assert!(!glob_match("/*.js", "/src/a.js"));
        assert!(glob_match("/src/[a-c].js", "/src/a.js"));
        assert!(!glob_match("/src/[!a].js", "/src/a.js"));
    }
}
