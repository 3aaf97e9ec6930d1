//! The build context: the files `COPY` and `ADD` can see, as an in-memory tree.
//!
//! Files the `.dockerignore` excludes are removed before the build sees the context,
//! as the docker CLI does when it sends the context (the Dockerfile and
//! `.dockerignore` themselves are always sent but `COPY` skips them when ignored).

use crate::engine::dockerfile::dockerignore::Matcher;
use crate::engine::fs::{self, Fs, Metadata};

/// mtime of every context file: 2024-01-01T00:00:00Z, as the oracle sets it, so
/// layers built from the same files are byte-identical whenever they are built.
pub const CONTEXT_MTIME: i64 = 1_704_067_200;

/// Largest context layerlab accepts (bytes of file content).
pub const MAX_CONTEXT_BYTES: u64 = 512 << 20;

/// A context that could not be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    #[error("invalid build context path {path:?}: {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("build context is larger than {MAX_CONTEXT_BYTES} bytes")]
    TooLarge,
}

/// A build context: a tree rooted at `/` holding the context's files.
#[derive(Debug, Clone)]
pub struct BuildContext {
    fs: Fs,
    /// Total bytes of file content (what "transferring context" reports).
    size: u64,
}

/// One file given to [`BuildContext::from_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextFile {
    /// Path relative to the context root, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    /// Permission bits (0644 for ordinary files, 0755 for scripts).
    pub mode: u32,
}

impl ContextFile {
    pub fn text(path: &str, text: &str) -> ContextFile {
        ContextFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
            mode: 0o644,
        }
    }
}

impl BuildContext {
    /// Assembles a context; parent directories are created 0755.
    pub fn from_files(files: impl IntoIterator<Item = ContextFile>) -> Result<Self, ContextError> {
        let dir_meta = Metadata::new(0o755, 0, 0, CONTEXT_MTIME);
        let mut tree = Fs::with_root(dir_meta);
        let mut size = 0u64;
        for file in files {
            let clean = fs::normalize(&format!("/{}", file.path));
            if file.path.is_empty() || clean == "/" {
                return Err(ContextError::InvalidPath {
                    path: file.path,
                    reason: "empty path".into(),
                });
            }
            if file.path.split('/').any(|c| c == "..") {
                return Err(ContextError::InvalidPath {
                    path: file.path,
                    reason: "must stay inside the context".into(),
                });
            }
            size = size.saturating_add(file.bytes.len() as u64);
            if size > MAX_CONTEXT_BYTES {
                return Err(ContextError::TooLarge);
            }
            let parent = fs::parent_of(&clean);
            tree.mkdir_all(&parent, dir_meta)
                .map_err(|e| ContextError::InvalidPath {
                    path: file.path.clone(),
                    reason: e.to_string(),
                })?;
            let meta = Metadata::new(file.mode & 0o7777, 0, 0, CONTEXT_MTIME);
            tree.write_file(&clean, file.bytes, meta)
                .map_err(|e| ContextError::InvalidPath {
                    path: file.path.clone(),
                    reason: e.to_string(),
                })?;
        }
        Ok(BuildContext { fs: tree, size })
    }

    /// A context from an existing tree (the host CLI reads a directory into one).
    pub fn from_fs(tree: Fs) -> BuildContext {
        let size = tree.total_size();
        BuildContext { fs: tree, size }
    }

    pub fn fs(&self) -> &Fs {
        &self.fs
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Text of a context file, if it exists and is UTF-8.
    pub fn read_text(&self, path: &str) -> Option<String> {
        let content = self
            .fs
            .read_file(&fs::normalize(&format!("/{path}")))
            .ok()?;
        String::from_utf8(content.to_vec()).ok()
    }

    /// The context as the build sees it: every path the `.dockerignore` excludes is
    /// removed (directories whose contents are all excluded stay, empty, unless the
    /// directory itself matches).
    pub fn filtered(&self) -> Result<(BuildContext, Option<Matcher>), String> {
        let Some(text) = self.read_text(".dockerignore") else {
            return Ok((self.clone(), None));
        };
        let matcher = Matcher::parse(&text).map_err(|e| format!(".dockerignore: {e}"))?;
        let mut tree = self.fs.clone();
        let entries = self.fs.walk("/").unwrap_or_default();
        for entry in entries {
            let rel = entry.path.trim_start_matches('/');
            if rel.is_empty() || !tree.exists(&entry.path) {
                continue;
            }
            if matcher.matches(rel) {
                let _ = tree.remove_all(&entry.path);
            }
        }
        let size = tree.total_size();
        Ok((BuildContext { fs: tree, size }, Some(matcher)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_and_rejects_escapes() {
        let ctx = BuildContext::from_files([
            ContextFile::text("src/app.js", "x"),
            ContextFile::text("package.json", "{}"),
        ])
        .unwrap();
        assert!(ctx.fs().exists("/src/app.js"));
        assert_eq!(ctx.size(), 3);
        let err = BuildContext::from_files([ContextFile::text("../etc/passwd", "x")]).unwrap_err();
        assert!(err.to_string().contains("inside the context"), "{err}");
    }
}
