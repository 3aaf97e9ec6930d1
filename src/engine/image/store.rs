//! The local image store behind `docker images`, `tag`, `rmi` and `image prune`.
//!
//! * [`BlobStore`]: content-addressed bytes. `put` is idempotent (same bytes, same
//!   digest, stored once), `get` re-hashes before handing bytes out, and unreferenced
//!   blobs go by mark-and-sweep ([`BlobStore::sweep`]).
//! * [`ImageStore`]: images keyed by image ID (config digest), each with its manifest
//!   digest and layers; references (`docker.io/library/app:1.0`) point at image IDs, so
//!   many tags share one image and `tag` copies nothing. `rmi` and `prune` follow
//!   moby's `daemon/images/image_delete.go` and `image_prune.go`: untag first, delete
//!   only when the last reference goes, print `Untagged:` / `Deleted:` lines.

use super::chain::chain_ids;
use super::config::ImageConfig;
use super::manifest::{Descriptor, Manifest};
use super::media_type;
use crate::engine::digest::{Digest, DigestSet, LookupError};
use crate::engine::reference::{self, AnyReference, Reference, ReferenceError};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Store errors; conflict texts are moby's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("No such image: {0}")]
    NoSuchImage(String),
    #[error("blob {0} not found")]
    BlobNotFound(Digest),
    #[error("blob {0} is corrupted: its content no longer matches its digest")]
    BlobCorrupted(Digest),
    #[error("digest mismatch for {what}: expected {expected}, computed {actual}")]
    DigestMismatch {
        what: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("size mismatch for {what}: descriptor says {expected} bytes, content has {actual}")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("refusing to create a tag with a digest reference")]
    TagWithDigest,
    #[error("invalid image: {0}")]
    InvalidImage(String),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}

/// Content-addressed blobs (configs, manifests, layer tars), shared by `Arc`.
#[derive(Debug, Clone, Default)]
pub struct BlobStore {
    blobs: BTreeMap<Digest, Arc<[u8]>>,
}

impl BlobStore {
    pub fn new() -> BlobStore {
        BlobStore::default()
    }

    /// Reloads blobs saved earlier (browser storage, a directory) without hashing them
    /// all up front: [`BlobStore::get`] verifies each one when it is read.
    pub fn restore<I: IntoIterator<Item = (Digest, Vec<u8>)>>(entries: I) -> BlobStore {
        BlobStore {
            blobs: entries
                .into_iter()
                .map(|(d, b)| (d, Arc::from(b)))
                .collect(),
        }
    }

    /// Stores `bytes` under their sha256 and returns it; storing the same bytes again
    /// is a no-op.
    pub fn put(&mut self, bytes: &[u8]) -> Digest {
        let digest = Digest::sha256(bytes);
        self.blobs
            .entry(digest.clone())
            .or_insert_with(|| Arc::from(bytes));
        digest
    }

    /// Stores `bytes` only if they hash to `expected` (a descriptor's promise).
    pub fn put_verified(
        &mut self,
        what: &str,
        expected: &Digest,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let actual = Digest::sha256(bytes);
        if &actual != expected {
            return Err(StoreError::DigestMismatch {
                what: what.to_string(),
                expected: expected.clone(),
                actual,
            });
        }
        self.blobs.entry(actual).or_insert_with(|| Arc::from(bytes));
        Ok(())
    }

    /// The blob's bytes, after checking they still hash to `digest`.
    pub fn get(&self, digest: &Digest) -> Result<Arc<[u8]>, StoreError> {
        let bytes = self
            .blobs
            .get(digest)
            .ok_or_else(|| StoreError::BlobNotFound(digest.clone()))?;
        if &Digest::sha256(bytes) != digest {
            return Err(StoreError::BlobCorrupted(digest.clone()));
        }
        Ok(Arc::clone(bytes))
    }

    pub fn contains(&self, digest: &Digest) -> bool {
        self.blobs.contains_key(digest)
    }

    pub fn size(&self, digest: &Digest) -> Option<u64> {
        self.blobs.get(digest).map(|b| b.len() as u64)
    }

    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }

    /// Total stored bytes (each blob once, however many images use it).
    pub fn total_size(&self) -> u64 {
        self.blobs.values().map(|b| b.len() as u64).sum()
    }

    pub fn digests(&self) -> impl Iterator<Item = &Digest> {
        self.blobs.keys()
    }

    /// Mark-and-sweep: removes every blob not in `live`, returning what went.
    pub fn sweep(&mut self, live: &BTreeSet<Digest>) -> Vec<(Digest, u64)> {
        let dead: Vec<Digest> = self
            .blobs
            .keys()
            .filter(|d| !live.contains(*d))
            .cloned()
            .collect();
        dead.into_iter()
            .filter_map(|d| self.blobs.remove(&d).map(|b| (d, b.len() as u64)))
            .collect()
    }
}

/// A layer handed to the store: the blob bytes exactly as given (tar or tar+gzip,
/// produced elsewhere), its media type, and what it is uncompressed.
#[derive(Debug, Clone)]
pub struct LayerBlob {
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry).
    pub diff_id: Digest,
    /// Size of the uncompressed tar: what `docker images` adds up as SIZE.
    pub uncompressed_size: u64,
}

/// A layer given to [`ImageStore::add_image_deferred`]: known by its descriptor, its
/// bytes produced later.
#[derive(Debug, Clone)]
pub struct DeferredLayer {
    pub descriptor: Descriptor,
    pub diff_id: Digest,
    pub uncompressed_size: u64,
}

/// A layer of a stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLayer {
    /// The blob: media type, digest (of the possibly compressed bytes), size.
    pub descriptor: Descriptor,
    pub diff_id: Digest,
    /// The layer's identity in this stack (what `rmi` prints when it goes).
    pub chain_id: Digest,
    pub uncompressed_size: u64,
}

/// One image: config, manifest and layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// Image ID: digest of the config bytes.
    pub id: Digest,
    /// Digest of the manifest bytes (what `name@sha256:...` and `RepoDigests` show).
    pub manifest_digest: Digest,
    pub config: ImageConfig,
    pub layers: Vec<StoredLayer>,
    /// Order of arrival, newest last, for listings.
    seq: u64,
}

impl StoredImage {
    /// Sum of uncompressed layer sizes (`docker images` SIZE).
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.uncompressed_size).sum()
    }
}

/// A running or stopped container's hold on an image, for `rmi` conflicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUse {
    pub container_id: String,
    pub running: bool,
}

/// One line of `docker rmi` / `docker image prune` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovalLine {
    Untagged(String),
    Deleted(Digest),
}

impl RemovalLine {
    /// `rmi` wording: `Untagged: app:1.0`, `Deleted: sha256:...`.
    pub fn rmi_text(&self) -> String {
        match self {
            RemovalLine::Untagged(r) => format!("Untagged: {r}"),
            RemovalLine::Deleted(d) => format!("Deleted: {d}"),
        }
    }

    /// `image prune` wording: lower-case `untagged:` / `deleted:`.
    pub fn prune_text(&self) -> String {
        match self {
            RemovalLine::Untagged(r) => format!("untagged: {r}"),
            RemovalLine::Deleted(d) => format!("deleted: {d}"),
        }
    }
}

/// What `image prune` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub lines: Vec<RemovalLine>,
    /// Bytes of the layers deleted (uncompressed, as Docker counts).
    pub reclaimed: u64,
}

/// One `docker images` row; dangling images show `<none>` / `<none>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub repository: String,
    pub tag: String,
    pub id: Digest,
    pub created: Option<String>,
    pub size: u64,
}

/// Images, their references and their blobs.
#[derive(Debug, Clone, Default)]
pub struct ImageStore {
    blobs: BlobStore,
    images: BTreeMap<Digest, StoredImage>,
    /// Normalised reference string → (reference, image ID).
    refs: BTreeMap<String, (Reference, Digest)>,
    next_seq: u64,
}

impl ImageStore {
    pub fn new() -> ImageStore {
        ImageStore::default()
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    pub fn image(&self, id: &Digest) -> Option<&StoredImage> {
        self.images.get(id)
    }

    pub fn images(&self) -> impl Iterator<Item = &StoredImage> {
        self.images.values()
    }

    /// Builds the OCI manifest for `config` and `layers` and stores the image.
    /// Returns the image ID.
    pub fn add_image(
        &mut self,
        config: &ImageConfig,
        layers: Vec<LayerBlob>,
    ) -> Result<Digest, StoreError> {
        let config_bytes = config
            .to_bytes()
            .map_err(|e| StoreError::InvalidImage(e.to_string()))?;
        let descriptors = layers
            .iter()
            .map(|l| Descriptor::of(&l.media_type, &l.bytes))
            .collect();
        let manifest = Manifest::for_image(&config_bytes, descriptors);
        let manifest_bytes = manifest
            .to_bytes()
            .map_err(|e| StoreError::InvalidImage(e.to_string()))?;
        self.insert(&manifest_bytes, &config_bytes, layers)
    }

    /// Stores an image from its exact manifest and config bytes (so a loaded or pulled
    /// image keeps its manifest digest), checking every digest and size the manifest
    /// promises and that the layers' diff_ids are the config's.
    pub fn insert(
        &mut self,
        manifest_bytes: &[u8],
        config_bytes: &[u8],
        layers: Vec<LayerBlob>,
    ) -> Result<Digest, StoreError> {
        let manifest = Manifest::from_bytes(manifest_bytes)
            .map_err(|e| StoreError::InvalidImage(format!("manifest: {e}")))?;
        let config = ImageConfig::from_bytes(config_bytes)
            .map_err(|e| StoreError::InvalidImage(format!("config: {e}")))?;
        check(&manifest.config, "config", config_bytes)?;
        if manifest.layers.len() != layers.len() {
            return Err(StoreError::InvalidImage(format!(
                "manifest lists {} layers, {} given",
                manifest.layers.len(),
                layers.len()
            )));
        }
        let diff_ids: Vec<Digest> = layers.iter().map(|l| l.diff_id.clone()).collect();
        if diff_ids != config.rootfs.diff_ids {
            return Err(StoreError::InvalidImage(
                "layer diff_ids do not match the config's rootfs.diff_ids".into(),
            ));
        }
        for (d, l) in manifest.layers.iter().zip(&layers) {
            check(d, "layer", &l.bytes)?;
            if !media_type::is_gzip_layer(&d.media_type) && d.digest != l.diff_id {
                return Err(StoreError::DigestMismatch {
                    what: "uncompressed layer".into(),
                    expected: l.diff_id.clone(),
                    actual: d.digest.clone(),
                });
            }
        }
        let id = Digest::sha256(config_bytes);
        let manifest_digest = self.blobs.put(manifest_bytes);
        self.blobs.put(config_bytes);
        let chains = chain_ids(&diff_ids);
        let mut stored_layers = Vec::with_capacity(layers.len());
        for ((d, l), chain_id) in manifest.layers.iter().zip(layers).zip(chains) {
            self.blobs.put(&l.bytes);
            stored_layers.push(StoredLayer {
                descriptor: d.clone(),
                diff_id: l.diff_id,
                chain_id,
                uncompressed_size: l.uncompressed_size,
            });
        }
        if !self.images.contains_key(&id) {
            self.next_seq += 1;
            self.images.insert(
                id.clone(),
                StoredImage {
                    id: id.clone(),
                    manifest_digest,
                    config,
                    layers: stored_layers,
                    seq: self.next_seq,
                },
            );
        }
        Ok(id)
    }

    /// Sets the SIZE each layer of image `id` counts for (`docker images`): the bytes of
    /// the files it holds, as for images built here, rather than its tar's length.
    pub fn set_layer_sizes(&mut self, id: &Digest, sizes: &[u64]) {
        if let Some(img) = self.images.get_mut(id) {
            for (l, s) in img.layers.iter_mut().zip(sizes) {
                l.uncompressed_size = *s;
            }
        }
    }

    /// Stores an image whose layer blobs are not held yet (the daemon produces them
    /// from its layer store when an export or push needs them, see
    /// [`ImageStore::put_blob`]). The manifest names the layers by the given
    /// descriptors; config and manifest bytes are stored as usual.
    pub fn add_image_deferred(
        &mut self,
        config: &ImageConfig,
        layers: Vec<DeferredLayer>,
    ) -> Result<Digest, StoreError> {
        let config_bytes = config
            .to_bytes()
            .map_err(|e| StoreError::InvalidImage(e.to_string()))?;
        let diff_ids: Vec<Digest> = layers.iter().map(|l| l.diff_id.clone()).collect();
        if diff_ids != config.rootfs.diff_ids {
            return Err(StoreError::InvalidImage(
                "layer diff_ids do not match the config's rootfs.diff_ids".into(),
            ));
        }
        let manifest = Manifest::for_image(
            &config_bytes,
            layers.iter().map(|l| l.descriptor.clone()).collect(),
        );
        let manifest_bytes = manifest
            .to_bytes()
            .map_err(|e| StoreError::InvalidImage(e.to_string()))?;
        let id = Digest::sha256(&config_bytes);
        let manifest_digest = self.blobs.put(&manifest_bytes);
        self.blobs.put(&config_bytes);
        let chains = chain_ids(&diff_ids);
        let stored_layers = layers
            .into_iter()
            .zip(chains)
            .map(|(l, chain_id)| StoredLayer {
                descriptor: l.descriptor,
                diff_id: l.diff_id,
                chain_id,
                uncompressed_size: l.uncompressed_size,
            })
            .collect();
        if !self.images.contains_key(&id) {
            self.next_seq += 1;
            self.images.insert(
                id.clone(),
                StoredImage {
                    id: id.clone(),
                    manifest_digest,
                    config: config.clone(),
                    layers: stored_layers,
                    seq: self.next_seq,
                },
            );
        }
        Ok(id)
    }

    /// Adds blob bytes (e.g. a deferred layer produced on demand); idempotent.
    pub fn put_blob(&mut self, bytes: &[u8]) -> Digest {
        self.blobs.put(bytes)
    }

    /// Resolves what a user typed (`app`, `app:1.0`, `app@sha256:...`, a full or short
    /// image ID, `sha256:<prefix>`) to an image ID, as the docker daemon's `GetImage`.
    pub fn resolve(&self, name: &str) -> Result<Digest, StoreError> {
        // moby's `ErrImageDoesNotExist`: a name is shown with its tag (`nope:latest`).
        let missing = || {
            StoreError::NoSuchImage(match reference::parse_normalized_tagged(name) {
                Ok(r) => r.familiar_string(),
                Err(_) => name.to_string(),
            })
        };
        if let Ok(AnyReference::Digest(d)) = reference::parse_any_reference(name) {
            if self.images.contains_key(&d) {
                return Ok(d);
            }
        }
        if let Ok(named) = reference::parse_normalized_tagged(name) {
            if let Some((_, id)) = self.refs.get(&named.to_string()) {
                return Ok(id.clone());
            }
            if let Some(d) = named.sha256() {
                // `name@digest` pins a manifest: find the image it belongs to.
                if let Some(img) = self.images.values().find(|i| {
                    i.manifest_digest == d
                        && self
                            .references(&i.id)
                            .iter()
                            .any(|r| r.name() == named.name())
                }) {
                    return Ok(img.id.clone());
                }
            }
        }
        // A short ID: only hex prefixes, as `docker image inspect 54` accepts.
        let hex = name.strip_prefix("sha256:").unwrap_or(name);
        if hex.is_empty() || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(missing());
        }
        match DigestSet::new(self.images.keys().cloned()).lookup(name) {
            Ok(d) => Ok(d),
            Err(LookupError::Ambiguous) | Err(LookupError::NotFound) => Err(missing()),
        }
    }

    /// Every reference pointing at `id`, sorted.
    pub fn references(&self, id: &Digest) -> Vec<Reference> {
        self.refs
            .values()
            .filter(|(_, i)| i == id)
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// Points `reference` (normalised; `:latest` added when bare) at image `id`. An image
    /// the reference pointed at before loses it and may become dangling: tags move.
    pub fn add_reference(&mut self, reference: &Reference, id: &Digest) -> Result<(), StoreError> {
        if !self.images.contains_key(id) {
            return Err(StoreError::NoSuchImage(id.to_string()));
        }
        let r = reference.tag_name_only();
        self.refs.insert(r.to_string(), (r, id.clone()));
        Ok(())
    }

    /// `docker tag SOURCE TARGET`: a new name for the same image, no copy.
    pub fn tag(&mut self, source: &str, target: &str) -> Result<Digest, StoreError> {
        let id = self.resolve(source)?;
        let target = reference::parse_normalized_named(target)?;
        if target.digest().is_some() {
            return Err(StoreError::TagWithDigest);
        }
        self.add_reference(&target, &id)?;
        Ok(id)
    }

    /// Images with no reference left (`<none>:<none>` in `docker images`).
    pub fn dangling(&self) -> Vec<Digest> {
        self.images
            .keys()
            .filter(|id| self.references(id).is_empty())
            .cloned()
            .collect()
    }

    /// `docker images`: one row per tag, dangling images once as `<none>`, newest
    /// first. Digest-only references do not make rows of their own.
    pub fn list(&self) -> Vec<ImageRow> {
        let mut images: Vec<&StoredImage> = self.images.values().collect();
        crate::engine::sort::sort_by_key(&mut images, |i| std::cmp::Reverse(i.seq));
        let mut rows = Vec::new();
        for img in images {
            let refs = self.references(&img.id);
            let mut tagged: Vec<&Reference> = refs.iter().filter(|r| r.tag().is_some()).collect();
            crate::engine::sort::sort_by_key(&mut tagged, |r| r.familiar_string());
            let row = |repository: String, tag: String| ImageRow {
                repository,
                tag,
                id: img.id.clone(),
                created: img.config.created.clone(),
                size: img.size(),
            };
            if tagged.is_empty() {
                let repository = refs
                    .first()
                    .map_or_else(|| "<none>".to_string(), Reference::familiar_name);
                rows.push(row(repository, "<none>".to_string()));
            }
            for r in tagged {
                rows.push(row(r.familiar_name(), r.tag().unwrap_or("").to_string()));
            }
        }
        rows
    }

    fn remove_ref(&mut self, r: &Reference) -> Option<RemovalLine> {
        self.refs
            .remove(&r.to_string())
            .map(|(r, _)| RemovalLine::Untagged(r.familiar_string()))
    }

    /// `docker rmi NAME`. `in_use` maps image IDs to a container using each.
    pub fn rmi(
        &mut self,
        name: &str,
        force: bool,
        in_use: &BTreeMap<Digest, ContainerUse>,
    ) -> Result<Vec<RemovalLine>, StoreError> {
        let id = self.resolve(name)?;
        let mut lines = Vec::new();
        let by_id = is_id_prefix(&id, name);
        let mut refs = self.references(&id);
        let mut removed_repository_ref = false;
        if !by_id {
            let named = reference::parse_normalized_tagged(name)?;
            if !force && is_single_reference(&refs) {
                if let Some(c) = in_use.get(&id) {
                    return Err(StoreError::Conflict(format!(
                        "conflict: unable to remove repository reference {name:?} (must force) - container {} is using its referenced image {}",
                        truncate_id(&c.container_id),
                        id.short()
                    )));
                }
            }
            lines.extend(self.remove_ref(&named));
            refs = self.references(&id);
            // Removing a repository's last tag also drops its digest references.
            if named.digest().is_none()
                && !refs
                    .iter()
                    .any(|r| r.digest().is_none() && r.name() == named.name())
            {
                for r in refs.iter().filter(|r| r.name() == named.name()) {
                    lines.extend(self.remove_ref(r));
                }
                refs = self.references(&id);
            }
            if !refs.is_empty() {
                return Ok(lines);
            }
            removed_repository_ref = true;
        } else if is_single_reference(&refs) {
            self.check_conflict(&id, force, false, in_use)?;
            for r in &refs {
                lines.extend(self.remove_ref(r));
            }
        }
        // Delete the image itself (moby `imageDeleteHelper`).
        let conflict = self.check_conflict(&id, force, !self.references(&id).is_empty(), in_use);
        if let Err(e) = conflict {
            // Untagging succeeded; the image stays (dangling) rather than failing.
            if removed_repository_ref {
                return Ok(lines);
            }
            return Err(e);
        }
        for r in self.references(&id) {
            lines.extend(self.remove_ref(&r));
        }
        lines.extend(self.delete_image(&id).0);
        Ok(lines)
    }

    fn check_conflict(
        &self,
        id: &Digest,
        force: bool,
        has_refs: bool,
        in_use: &BTreeMap<Digest, ContainerUse>,
    ) -> Result<(), StoreError> {
        if let Some(c) = in_use.get(id) {
            if c.running {
                return Err(StoreError::Conflict(format!(
                    "conflict: unable to delete {} (cannot be forced) - image is being used by running container {}",
                    id.short(),
                    truncate_id(&c.container_id)
                )));
            }
            if !force {
                return Err(StoreError::Conflict(format!(
                    "conflict: unable to delete {} (must be forced) - image is being used by stopped container {}",
                    id.short(),
                    truncate_id(&c.container_id)
                )));
            }
        }
        if has_refs && !force {
            return Err(StoreError::Conflict(format!(
                "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                id.short()
            )));
        }
        Ok(())
    }

    /// Removes the image and every layer no other image stacks on; sweeps blobs.
    /// Returns the `Deleted:` lines (image, then layers top-down) and the bytes freed.
    fn delete_image(&mut self, id: &Digest) -> (Vec<RemovalLine>, u64) {
        let Some(img) = self.images.remove(id) else {
            return (Vec::new(), 0);
        };
        let mut lines = vec![RemovalLine::Deleted(id.clone())];
        let mut live_chains: BTreeSet<&Digest> = BTreeSet::new();
        for i in self.images.values() {
            live_chains.extend(i.layers.iter().map(|l| &l.chain_id));
        }
        let mut freed = 0;
        for l in img.layers.iter().rev() {
            if !live_chains.contains(&l.chain_id) {
                lines.push(RemovalLine::Deleted(l.chain_id.clone()));
                freed += l.uncompressed_size;
            }
        }
        self.gc();
        (lines, freed)
    }

    /// Mark-and-sweep of blobs: keeps the manifest, config and layer blobs of every
    /// image; returns the blobs removed.
    pub fn gc(&mut self) -> Vec<(Digest, u64)> {
        let mut live = BTreeSet::new();
        for img in self.images.values() {
            live.insert(img.manifest_digest.clone());
            live.insert(img.id.clone());
            live.extend(img.layers.iter().map(|l| l.descriptor.digest.clone()));
        }
        self.blobs.sweep(&live)
    }

    /// `docker image prune` (dangling images) or, with `all`, `docker image prune -a`
    /// (every image no container uses). Images in `in_use` are never removed.
    pub fn prune(&mut self, all: bool, in_use: &BTreeSet<Digest>) -> PruneReport {
        let mut report = PruneReport::default();
        let candidates: Vec<Digest> = self
            .images
            .keys()
            .filter(|id| !in_use.contains(*id))
            .filter(|id| all || self.references(id).is_empty())
            .cloned()
            .collect();
        for id in candidates {
            for r in self.references(&id) {
                report.lines.extend(self.remove_ref(&r));
            }
            let (lines, freed) = self.delete_image(&id);
            report.lines.extend(lines);
            report.reclaimed += freed;
        }
        report
    }
}

fn check(d: &Descriptor, what: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let actual = Digest::sha256(bytes);
    if actual != d.digest {
        return Err(StoreError::DigestMismatch {
            what: what.to_string(),
            expected: d.digest.clone(),
            actual,
        });
    }
    if d.size != bytes.len() as u64 {
        return Err(StoreError::SizeMismatch {
            what: what.to_string(),
            expected: d.size,
            actual: bytes.len() as u64,
        });
    }
    Ok(())
}

/// Was `name` an image ID (or a prefix of it) rather than a reference?
fn is_id_prefix(id: &Digest, name: &str) -> bool {
    let hex = name.strip_prefix("sha256:").unwrap_or(name);
    !hex.is_empty() && id.hex().starts_with(hex)
}

/// moby's `isSingleReference`: one tag, possibly with digest references of the same
/// repository.
fn is_single_reference(refs: &[Reference]) -> bool {
    if refs.len() <= 1 {
        return refs.len() == 1;
    }
    let mut single: Option<&Reference> = None;
    let mut canonical = BTreeSet::new();
    for r in refs {
        if r.digest().is_some() {
            canonical.insert(r.name());
        } else if single.is_none() {
            single = Some(r);
        } else {
            return false;
        }
    }
    let single = single.unwrap_or(&refs[0]);
    canonical.len() == 1 && canonical.contains(&single.name())
}

/// `stringid.TruncateID`: 12 characters.
fn truncate_id(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}
