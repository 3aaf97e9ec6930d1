//! Path helpers: every path in the engine's filesystem is absolute and `/`-separated.
//!
//! These helpers are *lexical*: they never look at the tree, so `..` after a symlink is
//! not resolved physically here (the tree's own lookup does that, as the kernel does).

/// Longest path the tree accepts, as Linux `PATH_MAX`.
pub const PATH_MAX: usize = 4096;
/// Longest single name the tree accepts, as Linux `NAME_MAX`.
pub const NAME_MAX: usize = 255;

/// Resolve `.` and `..` lexically and collapse repeated `/`; `..` clamps at `/`.
///
/// The result is always absolute and has no trailing slash (except `/` itself):
/// `normalize("a/./b/../c//")` is `/a/c`, `normalize("/../x")` is `/x`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return "/".to_string();
    }
    let mut out = String::with_capacity(path.len() + 1);
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    out
}

/// `path` interpreted relative to `cwd` (when not absolute), then [`normalize`]d.
/// This is how the shell turns `cd ../x` into an absolute path.
pub fn join(cwd: &str, path: &str) -> String {
    if path.starts_with('/') {
        normalize(path)
    } else {
        normalize(&format!("{cwd}/{path}"))
    }
}

/// The directory holding `path`, lexically: `/a/b` → `/a`, `/a` → `/`, `a` → `/`.
///
/// `path` is expected to be normalised already (as the build context and COPY
/// produce it); like Go's `filepath.Dir` on a clean absolute path, the root is its
/// own parent.
pub fn parent_of(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path.get(..i).unwrap_or("/").to_string(),
    }
}

/// The components of `path`, with empty and `.` components dropped (`..` kept).
pub(crate) fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

/// `/a/b` from `["a", "b"]`.
pub(crate) fn to_path(comps: &[String]) -> String {
    if comps.is_empty() {
        return "/".to_string();
    }
    let mut s = String::new();
    for c in comps {
        s.push('/');
        s.push_str(c);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_cases() {
        for (input, want) in [
            ("", "/"),
            ("/", "/"),
            ("a/./b/../c//", "/a/c"),
            ("/../../x", "/x"),
            ("/a/b/..", "/a"),
            ("//a//b/", "/a/b"),
            ("..", "/"),
        ] {
            assert_eq!(normalize(input), want, "{input:?}");
        }
        assert_eq!(join("/app", "../etc/./passwd"), "/etc/passwd");
        assert_eq!(join("/app", "/x"), "/x");
    }

    #[test]
    fn parent_of_cases() {
        for (input, want) in [
            ("/a/b", "/a"),
            ("/a", "/"),
            ("/", "/"),
            ("a", "/"),
            ("/a/b/c", "/a/b"),
        ] {
            assert_eq!(parent_of(input), want, "{input:?}");
        }
    }
}
