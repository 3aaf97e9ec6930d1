//! The catalog of simulated base images (`alpine`, `node:lts-alpine`, `busybox`, ...).
//!
//! They are clearly simulated: plausible file trees, sizes, layer counts, config and
//! history, with big files as synthetic content. Contract with the build engine:
//! [`lookup`] gives every layer as the full root filesystem after that layer, so the
//! layer's changes are `fs::diff(previous, this)`.

use crate::engine::fs::Fs;

/// A history entry of a base image (`docker image history` rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseHistory {
    pub created: i64,
    pub created_by: String,
    pub empty_layer: bool,
    pub comment: Option<String>,
}

/// A simulated base image: its layers and its config.
#[derive(Debug, Clone)]
pub struct BaseImage {
    /// Canonical reference, e.g. `docker.io/library/node:lts-alpine`.
    pub reference: String,
    /// Root filesystem after each layer, bottom first; never empty except for `scratch`.
    pub snapshots: Vec<Fs>,
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub working_dir: String,
    pub user: String,
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub stop_signal: Option<String>,
    pub history: Vec<BaseHistory>,
    /// Creation time (seconds since the epoch).
    pub created: i64,
    pub architecture: String,
    pub os: String,
}

/// Looks up a base image by repository path (`library/node`, `library/alpine`) and tag.
/// `None` when the catalog has no such image (the build then fails like a pull of a
/// missing image).
pub fn lookup(path: &str, tag: &str) -> Option<BaseImage> {
    let _ = (path, tag);
    None
}

/// Every `(repository path, tag)` the catalog offers, for help texts and completion.
pub fn catalog() -> Vec<(&'static str, &'static str)> {
    Vec::new()
}
