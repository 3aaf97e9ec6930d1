//! Simulated registries (`docker.io`, `registry.example.com`, `localhost:5000`): each
//! holds repositories of tags pointing at manifest digests, manifests, and the layer
//! blobs they reference, as the OCI distribution spec models a registry. Push uploads
//! only blobs the registry lacks (`Layer already exists`); pull downloads only layers
//! the daemon lacks (`Already exists`). A tag is just a pointer: pushing another image
//! under it repoints it, while `name@sha256:...` keeps naming the old manifest.
//!
//! Blob bytes are the real gzip layer blobs (their digests are what manifests name);
//! the registry also keeps the layer objects so a pull can rebuild the layer without
//! re-parsing its tar — the simulated part.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::engine::daemon::layers::Layer;
use crate::engine::digest::Digest;
use crate::engine::image::config::ImageConfig;

/// The registries a fresh world knows.
pub const DOCKER_IO: &str = "docker.io";
pub const EXAMPLE: &str = "registry.example.com";
pub const LOCAL: &str = "localhost:5000";

/// An image as a registry holds it: the exact manifest and config bytes, and layers.
#[derive(Debug, Clone)]
pub struct RegistryImage {
    pub manifest_digest: Digest,
    pub manifest_bytes: Vec<u8>,
    pub config: ImageConfig,
    /// Bottom first.
    pub layers: Vec<Rc<Layer>>,
}

/// Registry errors, worded as the distribution API / docker CLI report them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("Get \"https://{0}/v2/\": dial tcp: lookup {0}: no such host")]
    NoSuchHost(String),
    #[error("denied: requested access to the resource is denied")]
    Denied,
    #[error("no basic auth credentials")]
    NoCredentials,
    #[error("manifest for {0} not found: manifest unknown: manifest unknown")]
    ManifestUnknown(String),
    #[error("pull access denied for {0}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied")]
    PullDenied(String),
}

/// How a registry authenticates pushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No auth (a local `registry:2`).
    None,
    /// Any logged-in user may push anywhere (a private company registry).
    LoggedIn,
    /// Docker Hub: a user may push only below their own namespace.
    Namespace,
}

/// One registry.
#[derive(Debug, Clone)]
pub struct Registry {
    pub host: String,
    pub auth: Auth,
    /// Blob digest → size in bytes.
    blobs: BTreeMap<Digest, u64>,
    manifests: BTreeMap<Digest, RegistryImage>,
    /// Repository path (`library/nginx`, `alice/my-api`) → tag → manifest digest.
    repos: BTreeMap<String, BTreeMap<String, Digest>>,
}

impl Registry {
    pub fn new(host: &str, auth: Auth) -> Registry {
        Registry {
            host: host.to_string(),
            auth,
            blobs: BTreeMap::new(),
            manifests: BTreeMap::new(),
            repos: BTreeMap::new(),
        }
    }

    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blobs.contains_key(digest)
    }

    pub fn blob_count(&self) -> usize {
        self.blobs.len()
    }

    /// Uploads a blob (idempotent).
    pub fn put_blob(&mut self, digest: Digest, size: u64) {
        self.blobs.insert(digest, size);
    }

    /// Stores a manifest and points `tag` at it; the layer blobs it names are recorded
    /// too. Their digests come from [`Layer::blob_digest`], so a catalog layer whose
    /// gzip digest is memoised is never compressed just to be listed.
    pub fn put_manifest(&mut self, repo: &str, tag: Option<&str>, image: RegistryImage) -> Digest {
        let digest = image.manifest_digest.clone();
        for l in &image.layers {
            let (blob, size) = l.blob_digest();
            self.blobs.insert(blob, size);
        }
        self.manifests.insert(digest.clone(), image);
        let tags = self.repos.entry(repo.to_string()).or_default();
        if let Some(tag) = tag {
            tags.insert(tag.to_string(), digest.clone());
        }
        digest
    }

    /// The manifest a tag points at.
    pub fn resolve_tag(&self, repo: &str, tag: &str) -> Option<&RegistryImage> {
        let d = self.repos.get(repo)?.get(tag)?;
        self.manifests.get(d)
    }

    /// A manifest by digest, if it belongs to `repo`.
    pub fn manifest(&self, repo: &str, digest: &Digest) -> Option<&RegistryImage> {
        self.repos.get(repo)?;
        self.manifests.get(digest)
    }

    pub fn has_repo(&self, repo: &str) -> bool {
        self.repos.contains_key(repo)
    }

    /// Repositories with their tags (tag → manifest digest), for the UI's registry view.
    pub fn repositories(&self) -> &BTreeMap<String, BTreeMap<String, Digest>> {
        &self.repos
    }
}

/// The registries of a world, by host.
#[derive(Debug, Clone)]
pub struct Registries {
    by_host: BTreeMap<String, Registry>,
}

impl Default for Registries {
    fn default() -> Self {
        let mut by_host = BTreeMap::new();
        for (host, auth) in [
            (DOCKER_IO, Auth::Namespace),
            (EXAMPLE, Auth::LoggedIn),
            (LOCAL, Auth::None),
        ] {
            by_host.insert(host.to_string(), Registry::new(host, auth));
        }
        Registries { by_host }
    }
}

impl Registries {
    pub fn get(&self, host: &str) -> Result<&Registry, RegistryError> {
        self.by_host
            .get(host)
            .ok_or_else(|| RegistryError::NoSuchHost(host.to_string()))
    }

    pub fn get_mut(&mut self, host: &str) -> Result<&mut Registry, RegistryError> {
        self.by_host
            .get_mut(host)
            .ok_or_else(|| RegistryError::NoSuchHost(host.to_string()))
    }

    pub fn hosts(&self) -> impl Iterator<Item = &Registry> {
        self.by_host.values()
    }

    /// May `user` (if logged in) push to `repo` of `host`?
    pub fn check_push(
        &self,
        host: &str,
        repo: &str,
        user: Option<&str>,
    ) -> Result<(), RegistryError> {
        let reg = self.get(host)?;
        match (reg.auth, user) {
            (Auth::None, _) => Ok(()),
            (Auth::LoggedIn, Some(_)) => Ok(()),
            (Auth::LoggedIn, None) => Err(RegistryError::NoCredentials),
            (Auth::Namespace, Some(u)) if repo.starts_with(&format!("{u}/")) => Ok(()),
            (Auth::Namespace, _) => Err(RegistryError::Denied),
        }
    }
}
