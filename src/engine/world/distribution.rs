//! Registry verbs: login, logout, push, pull, and the lessons' "someone else pushed a
//! new image under this tag". Output lines are the docker CLI's (moby
//! `distribution/push_v2.go`, `pull_v2.go`): layer IDs are the first 12 hex digits of
//! the diff_id when pushing and of the blob digest when pulling.

use std::rc::Rc;

use super::{World, WorldError};
use crate::engine::clock::rfc3339;
use crate::engine::daemon::layers::Layer;
use crate::engine::digest::Digest;
use crate::engine::fs::{self, Metadata};
use crate::engine::image::config::{History, ImageConfig};
use crate::engine::image::manifest::{Descriptor, Manifest};
use crate::engine::image::media_type;
use crate::engine::layer::LayerOptions;
use crate::engine::reference::{self, Reference};
use crate::engine::registry::{RegistryError, RegistryImage, DOCKER_IO};
use crate::engine::{base, daemon};

/// Output of a push or pull: the lines printed so far, and the error that ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub lines: Vec<String>,
    pub error: Option<WorldError>,
}

impl Transfer {
    fn fail(lines: Vec<String>, e: impl Into<WorldError>) -> Transfer {
        Transfer {
            lines,
            error: Some(e.into()),
        }
    }
}

fn short(d: &Digest) -> &str {
    d.hex().get(..12).unwrap_or(d.hex())
}

fn parse(name: &str) -> Result<Reference, WorldError> {
    reference::parse_normalized_named(name).map_err(|e| WorldError::Invalid(e.to_string()))
}

impl World {
    /// `docker login [SERVER] -u USER`: simulated credentials, always accepted.
    pub fn login(&mut self, server: Option<&str>, user: &str) -> Result<(), WorldError> {
        let host = registry_host(server);
        self.registries.get(&host)?;
        self.logins.insert(host, user.to_string());
        Ok(())
    }

    /// `docker logout [SERVER]`: false when not logged in.
    pub fn logout(&mut self, server: Option<&str>) -> bool {
        self.logins.remove(&registry_host(server)).is_some()
    }

    /// `docker push NAME[:TAG]`.
    pub fn push(&mut self, name: &str) -> Transfer {
        let named = match parse(name) {
            Ok(n) => n.tag_name_only(),
            Err(e) => return Transfer::fail(Vec::new(), e),
        };
        let Ok(id) = self.daemon.images.resolve(&named.to_string()) else {
            return Transfer::fail(Vec::new(), WorldError::NoLocalTag(named.familiar_name()));
        };
        let mut lines = vec![format!("The push refers to repository [{}]", named.name())];
        let host = named.domain().to_string();
        let repo = named.path().to_string();
        let Some(image) = self.daemon.image(&id) else {
            return Transfer::fail(lines, WorldError::NoLocalTag(named.familiar_name()));
        };
        let user = self.login_of(&host).map(str::to_string);
        if let Err(e) = self.registries.check_push(&host, &repo, user.as_deref()) {
            if !matches!(e, RegistryError::NoSuchHost(_)) {
                for l in image.layers.iter().rev() {
                    lines.push(format!("{}: Preparing", short(&l.diff_id)));
                }
            }
            return Transfer::fail(lines, e);
        }
        let manifest_bytes = match registry_manifest(&image.config, &image.layers) {
            Ok(m) => m,
            Err(e) => return Transfer::fail(lines, e),
        };
        let manifest_digest = Digest::sha256(&manifest_bytes);
        let Ok(reg) = self.registries.get_mut(&host) else {
            return Transfer::fail(lines, RegistryError::NoSuchHost(host));
        };
        let mut seen = Vec::new();
        for l in image.layers.iter().rev() {
            if seen.contains(&l.diff_id) {
                continue;
            }
            seen.push(l.diff_id.clone());
            let (blob_digest, blob_size) = l.blob_digest();
            if reg.has_blob(&blob_digest) {
                lines.push(format!("{}: Layer already exists", short(&l.diff_id)));
            } else {
                reg.put_blob(blob_digest.clone(), blob_size);
                lines.push(format!("{}: Pushed", short(&l.diff_id)));
            }
        }
        let tag = named.tag().unwrap_or("latest").to_string();
        reg.put_manifest(
            &repo,
            Some(&tag),
            RegistryImage {
                manifest_digest: manifest_digest.clone(),
                manifest_bytes: manifest_bytes.clone(),
                config: image.config.clone(),
                layers: image.layers.clone(),
            },
        );
        lines.push(format!(
            "{tag}: digest: {manifest_digest} size: {}",
            manifest_bytes.len()
        ));
        if let Ok(r) = named.trim().with_digest(&manifest_digest.to_string()) {
            let _ = self.daemon.images.add_reference(&r, &id);
        }
        Transfer { lines, error: None }
    }

    /// The docker.io catalog image `named` (tag only), registered in the docker.io
    /// registry on first use so it can be pulled by digest later.
    fn catalog_image(&mut self, named: &Reference) -> Option<RegistryImage> {
        let tag = named.tag()?;
        base::lookup(named.path(), tag)?;
        let (_, rec) = self.daemon.base_image(&named.to_string()).ok()?;
        let manifest_bytes = registry_manifest(&rec.config, &rec.layers).ok()?;
        let image = RegistryImage {
            manifest_digest: Digest::sha256(&manifest_bytes),
            manifest_bytes,
            config: rec.config,
            layers: rec.layers,
        };
        let reg = self.registries.get_mut(DOCKER_IO).ok()?;
        reg.put_manifest(named.path(), Some(tag), image.clone());
        Some(image)
    }

    /// `docker pull NAME[:TAG|@DIGEST]`.
    pub fn pull(&mut self, name: &str) -> Transfer {
        let parsed = match parse(name) {
            Ok(n) => n,
            Err(e) => return Transfer::fail(Vec::new(), e),
        };
        let mut lines = Vec::new();
        let named = if parsed.tag().is_none() && parsed.digest().is_none() {
            lines.push("Using default tag: latest".to_string());
            parsed.tag_name_only()
        } else {
            parsed
        };
        let host = named.domain().to_string();
        let repo = named.path().to_string();
        let reg = match self.registries.get(&host) {
            Ok(r) => r,
            Err(e) => return Transfer::fail(lines, e),
        };
        let digest = named.sha256();
        let found = match (&digest, named.tag()) {
            (Some(d), _) => reg.manifest(&repo, d).cloned(),
            (None, Some(t)) => reg.resolve_tag(&repo, t).cloned(),
            (None, None) => None,
        };
        let found = match found {
            Some(f) => Some(f),
            None if host == DOCKER_IO && digest.is_none() => self.catalog_image(&named),
            None if host == DOCKER_IO => {
                // A digest of a catalog image: resolve its tags once, then look again.
                for (path, tag) in base::catalog() {
                    if path == repo {
                        if let Ok(r) = named.trim().with_tag(tag) {
                            self.catalog_image(&r);
                        }
                    }
                }
                digest.as_ref().and_then(|d| {
                    self.registries
                        .get(DOCKER_IO)
                        .ok()
                        .and_then(|r| r.manifest(&repo, d).cloned())
                })
            }
            None => None,
        };
        let Some(image) = found else {
            let err = if host == DOCKER_IO
                && !self.registries.get(&host).is_ok_and(|r| r.has_repo(&repo))
            {
                RegistryError::PullDenied(named.trim().familiar_name())
            } else {
                RegistryError::ManifestUnknown(named.familiar_string())
            };
            return Transfer::fail(lines, err);
        };
        let what = match named.tag() {
            Some(t) if digest.is_none() => t.to_string(),
            _ => named.digest().unwrap_or("").to_string(),
        };
        lines.push(format!("{what}: Pulling from {repo}"));
        let before = self.daemon.images.resolve(&named.to_string()).ok();
        let config_id = image.config.id().ok();
        let local_chains: Vec<Digest> = self
            .daemon
            .images
            .images()
            .flat_map(|i| i.layers.iter().map(|l| l.chain_id.clone()))
            .collect();
        let up_to_date = before.is_some() && before == config_id;
        let mut layers: Vec<Rc<Layer>> = Vec::new();
        for l in &image.layers {
            if !up_to_date {
                let status = if local_chains.contains(&l.chain_id) {
                    "Already exists"
                } else {
                    "Pull complete"
                };
                lines.push(format!("{}: {status}", short(&l.blob_digest().0)));
            }
            // The registry's layer is the very same content: record it, no re-hashing.
            layers.push(self.daemon.layers.insert(l.clone()));
        }
        let id = match self.daemon.commit_image(&image.config, layers) {
            Ok(id) => id,
            Err(e) => return Transfer::fail(lines, e),
        };
        if let Some(t) = named.tag().filter(|_| digest.is_none()) {
            if let Ok(r) = named.trim().with_tag(t) {
                let _ = self.daemon.images.add_reference(&r, &id);
            }
        }
        if let Ok(r) = named.trim().with_digest(&image.manifest_digest.to_string()) {
            let _ = self.daemon.images.add_reference(&r, &id);
        }
        lines.push(format!("Digest: {}", image.manifest_digest));
        let shown = named.familiar_string();
        lines.push(if up_to_date {
            format!("Status: Image is up to date for {shown}")
        } else {
            format!("Status: Downloaded newer image for {shown}")
        });
        lines.push(named.to_string());
        Transfer { lines, error: None }
    }

    /// A lesson action: someone else pushes a new image under `name` (one more layer
    /// on top of what the tag pointed at), so the tag moves while a digest stays pinned.
    /// Returns the new manifest digest.
    pub fn someone_else_pushes(&mut self, name: &str) -> Result<Digest, WorldError> {
        let named = parse(name)?.tag_name_only();
        let tag = named.tag().unwrap_or("latest").to_string();
        let repo = named.path().to_string();
        let now = self.now();
        let reg = self.registries.get(named.domain())?;
        let current = match reg.resolve_tag(&repo, &tag) {
            Some(c) => c.clone(),
            None if named.domain() == DOCKER_IO => self
                .catalog_image(&named)
                .ok_or_else(|| RegistryError::ManifestUnknown(named.familiar_string()))?,
            None => return Err(RegistryError::ManifestUnknown(named.familiar_string()).into()),
        };
        let lower = current
            .layers
            .last()
            .map(|l| l.rootfs().clone())
            .unwrap_or_else(daemon::empty_root);
        let mut upper = lower.clone();
        let dir = Metadata::new(0o755, 0, 0, now);
        let _ = upper.mkdir_all("/srv", dir);
        let _ = upper.write_file(
            "/srv/release.txt",
            format!("pushed by someone else at {}\n", rfc3339(now)),
            Metadata::new(0o644, 0, 0, now),
        );
        let parent = current.layers.last().map(|l| l.chain_id.clone());
        let layer = self.daemon.layers.create(
            parent.as_ref(),
            fs::diff(&lower, &upper),
            LayerOptions {
                whiteout_mtime: now,
                ..LayerOptions::default()
            },
        );
        let mut layers = current.layers.clone();
        layers.push(layer);
        let mut config = current.config.clone();
        config.created = Some(rfc3339(now));
        config.history.push(History {
            created: Some(rfc3339(now)),
            created_by: Some("COPY release.txt /srv/ # buildkit".to_string()),
            comment: Some("buildkit.dockerfile.v0".to_string()),
            ..History::default()
        });
        config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
        let manifest_bytes = registry_manifest(&config, &layers)?;
        let digest = Digest::sha256(&manifest_bytes);
        let reg = self.registries.get_mut(named.domain())?;
        reg.put_manifest(
            &repo,
            Some(&tag),
            RegistryImage {
                manifest_digest: digest.clone(),
                manifest_bytes,
                config,
                layers,
            },
        );
        Ok(digest)
    }
}

/// The manifest a registry holds for an image: it names the config and the gzip
/// blobs (Docker compresses layers when it pushes; the local store keeps them
/// uncompressed).
fn registry_manifest(config: &ImageConfig, layers: &[Rc<Layer>]) -> Result<Vec<u8>, WorldError> {
    let invalid = |e: serde_json::Error| WorldError::Invalid(e.to_string());
    let config_bytes = config.to_bytes().map_err(invalid)?;
    let descriptors = layers
        .iter()
        .map(|l| {
            let (digest, size) = l.blob_digest();
            Descriptor::new(media_type::IMAGE_LAYER_GZIP, digest, size)
        })
        .collect();
    Manifest::for_image(&config_bytes, descriptors)
        .to_bytes()
        .map_err(invalid)
}

/// `docker login` / `logout` server argument → registry host (Docker Hub's aliases
/// included).
pub fn registry_host(server: Option<&str>) -> String {
    match server {
        None => DOCKER_IO.to_string(),
        Some(s) => {
            let s = s
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/');
            let s = s.strip_suffix("/v1").unwrap_or(s);
            match s {
                "index.docker.io" | "registry-1.docker.io" | "docker.io" => DOCKER_IO.to_string(),
                other => other.to_string(),
            }
        }
    }
}
