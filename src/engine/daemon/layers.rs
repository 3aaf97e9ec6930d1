//! The daemon's layer store: every layer it knows, keyed by chain ID, each holding the
//! changes it makes (and through them the root filesystem after it). Tar bytes and the
//! gzip blob are produced from the changes when first needed and then kept.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::engine::digest::Digest;
use crate::engine::fs::{Changeset, Fs};
use crate::engine::layer::{self, Blob, LayerOptions};

/// One read-only layer.
#[derive(Debug)]
pub struct Layer {
    pub chain_id: Digest,
    pub diff_id: Digest,
    /// Bytes of the uncompressed tar.
    pub size: u64,
    /// Bytes of the files the layer adds or rewrites: what `docker history` and
    /// `docker images` report as SIZE (a WORKDIR that only makes a directory is 0B).
    pub content_size: u64,
    pub changes: Changeset,
    pub options: LayerOptions,
    blob: OnceCell<Blob>,
    /// Digest and size of the gzip blob when known without compressing (memo).
    known_blob: Option<(Digest, u64)>,
    /// A loaded layer's own tar (`docker load`): its bytes are the diff_id's, so they
    /// are kept rather than re-generated from the changes.
    original: Option<Original>,
}

/// A loaded layer's tar bytes (debug output shows only their length).
struct Original(Rc<[u8]>);

impl std::fmt::Debug for Original {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Original({} bytes)", self.0.len())
    }
}

impl Layer {
    /// Root filesystem after this layer.
    pub fn rootfs(&self) -> &Fs {
        self.changes.upper()
    }

    /// The layer tar (re-generated from the changes, deterministic; a loaded layer's
    /// own bytes).
    pub fn tar(&self) -> Vec<u8> {
        match &self.original {
            Some(t) => t.0.to_vec(),
            None => layer::build_layer(&self.changes, &self.options).bytes,
        }
    }

    /// The gzip blob registries store and manifests reference.
    pub fn blob(&self) -> &Blob {
        self.blob.get_or_init(|| layer::compress(&self.tar()))
    }

    /// Digest and size of the gzip blob (what manifests and registries name),
    /// compressing only when not known already.
    pub fn blob_digest(&self) -> (Digest, u64) {
        if let Some(b) = self.blob.get() {
            return (b.digest.clone(), b.size);
        }
        if let Some(k) = &self.known_blob {
            return k.clone();
        }
        let b = self.blob();
        (b.digest.clone(), b.size)
    }

    /// Whether the blob has been computed yet.
    pub fn has_blob(&self) -> bool {
        self.blob.get().is_some()
    }
}

/// Layers by chain ID.
#[derive(Debug, Default, Clone)]
pub struct LayerStore {
    layers: BTreeMap<Digest, Rc<Layer>>,
}

impl LayerStore {
    /// Records the layer of `changes` on top of `parent` (a chain ID) and returns it;
    /// an identical layer already known is returned as is.
    pub fn create(
        &mut self,
        parent: Option<&Digest>,
        changes: Changeset,
        options: LayerOptions,
    ) -> Rc<Layer> {
        let (diff_id, size) = layer::diff_id(&changes, &options);
        self.create_known(parent, changes, options, diff_id, size, None)
    }

    /// Records an existing layer (e.g. one a registry holds) under its chain ID.
    pub fn insert(&mut self, layer: Rc<Layer>) -> Rc<Layer> {
        self.layers
            .entry(layer.chain_id.clone())
            .or_insert(layer)
            .clone()
    }

    /// Like [`LayerStore::create`] for a layer whose diff_id and size are already known
    /// (a memo of a simulated base image's layer, verified by `tests/suite/base_memo.rs`):
    /// nothing is hashed.
    pub fn create_known(
        &mut self,
        parent: Option<&Digest>,
        changes: Changeset,
        options: LayerOptions,
        diff_id: Digest,
        size: u64,
        known_blob: Option<(Digest, u64)>,
    ) -> Rc<Layer> {
        self.record(parent, changes, options, diff_id, size, known_blob, None)
    }

    /// A layer `docker load` read: its changes (from applying `tar`) and its own
    /// bytes, whose sha256 is `diff_id` (the archive's digests were verified).
    pub fn create_loaded(
        &mut self,
        parent: Option<&Digest>,
        changes: Changeset,
        diff_id: Digest,
        tar: Rc<[u8]>,
    ) -> Rc<Layer> {
        let size = tar.len() as u64;
        let options = LayerOptions::default();
        self.record(parent, changes, options, diff_id, size, None, Some(tar))
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        parent: Option<&Digest>,
        changes: Changeset,
        options: LayerOptions,
        diff_id: Digest,
        size: u64,
        known_blob: Option<(Digest, u64)>,
        original: Option<Rc<[u8]>>,
    ) -> Rc<Layer> {
        let chain_id = match parent {
            None => diff_id.clone(),
            Some(p) => Digest::sha256(format!("{p} {diff_id}").as_bytes()),
        };
        if let Some(existing) = self.layers.get(&chain_id) {
            return existing.clone();
        }
        let content_size = content_size(&changes);
        let layer = Rc::new(Layer {
            chain_id: chain_id.clone(),
            diff_id,
            size,
            content_size,
            changes,
            options,
            blob: OnceCell::new(),
            known_blob,
            original: original.map(Original),
        });
        self.layers.insert(chain_id, layer.clone());
        layer
    }

    pub fn get(&self, chain_id: &Digest) -> Option<&Rc<Layer>> {
        self.layers.get(chain_id)
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Forgets every layer not in `live`.
    pub fn retain(&mut self, live: &std::collections::BTreeSet<Digest>) {
        self.layers.retain(|k, _| live.contains(k));
    }
}

/// Sum of the sizes of the regular files a changeset adds or modifies.
pub fn content_size(changes: &Changeset) -> u64 {
    changes
        .changes()
        .iter()
        .filter(|c| c.kind != crate::engine::fs::ChangeKind::Deleted)
        .filter(|c| c.file_type() == Some(crate::engine::fs::FileType::File))
        .fold(0u64, |acc, c| acc.saturating_add(c.size()))
}
