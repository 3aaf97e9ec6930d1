//! The simulated Docker daemon: the state `docker` commands act on — the simulated
//! clock, layers, images and their references, the build cache, pulled base images.
//! (Containers, volumes and registries join it with the runtime.)

pub mod base_memo;
pub mod layers;

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::engine::base;
use crate::engine::build::cache::BuildCache;
use crate::engine::clock::{rfc3339, Clock};
use crate::engine::digest::Digest;
use crate::engine::fs::{self, Fs};
use crate::engine::image::config::{self, ContainerConfig, History, ImageConfig, RootFs};
use crate::engine::image::layout::{LayoutError, LoadedImage};
use crate::engine::image::manifest::Descriptor;
use crate::engine::image::media_type;
use crate::engine::image::store::{DeferredLayer, ImageStore, StoreError};
use crate::engine::layer::LayerOptions;
use crate::engine::reference;
use layers::{Layer, LayerStore};

/// An image as the daemon holds it: config plus its layer stack.
#[derive(Debug, Clone)]
pub struct ImageRecord {
    pub id: Digest,
    pub config: ImageConfig,
    /// Bottom first.
    pub layers: Vec<Rc<Layer>>,
}

impl ImageRecord {
    /// Root filesystem of the image (the top layer's snapshot).
    pub fn rootfs(&self) -> Fs {
        self.layers
            .last()
            .map(|l| l.rootfs().clone())
            .unwrap_or_else(empty_root)
    }
}

/// The root of `FROM scratch`.
pub fn empty_root() -> Fs {
    Fs::with_root(fs::Metadata::new(0o755, 0, 0, 0))
}

/// Why a base image could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    #[error("{0}")]
    InvalidReference(String),
    #[error("pull access denied for {0}, repository does not exist or may require 'docker login'")]
    NotFound(String),
    #[error("{0}")]
    Store(String),
}

/// The daemon.
#[derive(Debug, Clone, Default)]
pub struct Daemon {
    pub clock: Clock,
    pub images: ImageStore,
    pub layers: LayerStore,
    pub cache: BuildCache,
    /// Image ID → its layers, bottom first.
    stacks: BTreeMap<Digest, Vec<Rc<Layer>>>,
    /// Base images already resolved for builds (normalised reference → record).
    bases: BTreeMap<String, ImageRecord>,
}

/// Most bytes of uncompressed layers one `docker load` may bring in (the browser
/// holds every file in memory).
#[cfg(target_arch = "wasm32")]
pub const LOAD_LIMIT: u64 = 1 << 30;
#[cfg(not(target_arch = "wasm32"))]
pub const LOAD_LIMIT: u64 = 16 << 30;

impl Daemon {
    pub fn new() -> Daemon {
        Daemon::default()
    }

    /// The image record for an image ID the store knows.
    pub fn image(&self, id: &Digest) -> Option<ImageRecord> {
        let stored = self.images.image(id)?;
        Some(ImageRecord {
            id: id.clone(),
            config: stored.config.clone(),
            layers: self.stacks.get(id).cloned().unwrap_or_default(),
        })
    }

    /// Resolves what a user typed (`my-api:1.0`, an ID prefix, ...) to an image.
    pub fn find_image(&self, name: &str) -> Result<ImageRecord, StoreError> {
        let id = self.images.resolve(name)?;
        self.image(&id)
            .ok_or_else(|| StoreError::NoSuchImage(name.to_string()))
    }

    /// A base image for `FROM`: a local image of that name if there is one, else the
    /// simulated registry's (pulled once and kept for later builds).
    pub fn base_image(&mut self, name: &str) -> Result<(String, ImageRecord), PullError> {
        let named = reference::parse_normalized_tagged(name)
            .map_err(|e| PullError::InvalidReference(e.to_string()))?;
        let full = named.to_string();
        if let Ok(local) = self.find_image(&full) {
            return Ok((full, local));
        }
        if let Some(rec) = self.bases.get(&full) {
            return Ok((full, rec.clone()));
        }
        let tag = named.tag().unwrap_or("latest").to_string();
        let catalog = if named.domain() == "docker.io" {
            base::lookup(named.path(), &tag)
        } else {
            None
        };
        let Some(img) = catalog else {
            return Err(PullError::NotFound(named.familiar_name()));
        };
        let rec = self.import_base(&img);
        self.bases.insert(full.clone(), rec.clone());
        Ok((full, rec))
    }

    /// Turns a catalog image into layers and a config.
    fn import_base(&mut self, img: &base::BaseImage) -> ImageRecord {
        let mut prev = empty_root();
        let mut parent: Option<Digest> = None;
        let mut layers = Vec::new();
        for (index, snap) in img.snapshots.iter().enumerate() {
            let changes = fs::diff(&prev, snap);
            let layer = match base_memo::lookup(&img.memo_reference, index) {
                Some(memo) => self.layers.create_known(
                    parent.as_ref(),
                    changes,
                    LayerOptions::default(),
                    memo.diff_id,
                    memo.size,
                    Some(memo.blob),
                ),
                None => self
                    .layers
                    .create(parent.as_ref(), changes, LayerOptions::default()),
            };
            parent = Some(layer.chain_id.clone());
            layers.push(layer);
            prev = snap.clone();
        }
        let config = ImageConfig {
            architecture: img.architecture.clone(),
            os: img.os.clone(),
            created: Some(rfc3339(img.created)),
            config: ContainerConfig {
                user: img.user.clone(),
                exposed_ports: config::name_set(&img.exposed_ports),
                env: img.env.clone(),
                entrypoint: img.entrypoint.clone(),
                cmd: img.cmd.clone(),
                volumes: config::name_set(&img.volumes),
                working_dir: img.working_dir.clone(),
                labels: config::key_value_map(&img.labels),
                stop_signal: img.stop_signal.clone().unwrap_or_default(),
                ..ContainerConfig::default()
            },
            history: img
                .history
                .iter()
                .map(|h| History {
                    created: Some(rfc3339(h.created)),
                    created_by: Some(h.created_by.clone()),
                    comment: h.comment.clone(),
                    empty_layer: h.empty_layer,
                    author: None,
                })
                .collect(),
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: layers.iter().map(|l| l.diff_id.clone()).collect(),
            },
            ..ImageConfig::default()
        };
        let id = config.id().unwrap_or_else(|_| Digest::sha256(b""));
        ImageRecord { id, config, layers }
    }

    /// Stores an image (config + layers) and returns its ID. Like Docker's local store,
    /// no compressed blob is made here: the manifest names each layer by its
    /// uncompressed tar (`application/vnd.oci.image.layer.v1.tar`, digest = diff_id), and
    /// the tar bytes are produced only when an export needs them ([`Daemon::materialize`]).
    /// Pushing compresses.
    pub fn commit_image(
        &mut self,
        config: &ImageConfig,
        layers: Vec<Rc<Layer>>,
    ) -> Result<Digest, StoreError> {
        let deferred = layers
            .iter()
            .map(|l| DeferredLayer {
                descriptor: Descriptor::new(media_type::IMAGE_LAYER, l.diff_id.clone(), l.size),
                diff_id: l.diff_id.clone(),
                uncompressed_size: l.content_size,
            })
            .collect();
        let id = self.images.add_image_deferred(config, deferred)?;
        self.stacks.insert(id.clone(), layers);
        Ok(id)
    }

    /// Produces the layer blobs of image `id` that the store does not hold yet, so it
    /// can be exported (`save`, `--output`).
    pub fn materialize(&mut self, id: &Digest) {
        let Some(stack) = self.stacks.get(id).cloned() else {
            return;
        };
        for layer in stack {
            if !self.images.blobs().contains(&layer.diff_id) {
                self.images.put_blob(&layer.tar());
            }
        }
    }

    /// `docker load`: imports an archive (an OCI image layout or a `docker save` tar)
    /// into the store, every digest verified, and turns each image's layers into
    /// layers the engine builds on, runs and shows. Their own bytes are kept: the
    /// diff_ids in the image's config are theirs.
    pub fn load_archive(&mut self, bytes: &[u8]) -> Result<Vec<LoadedImage>, LayoutError> {
        self.load_archive_within(bytes, LOAD_LIMIT)
    }

    /// [`Daemon::load_archive`] keeping at most `limit` bytes of uncompressed layers:
    /// an archive over it (a gzip bomb, an image too big to hold in memory) is
    /// refused and nothing of it stays.
    pub fn load_archive_within(
        &mut self,
        bytes: &[u8],
        limit: u64,
    ) -> Result<Vec<LoadedImage>, LayoutError> {
        let mut before = std::collections::BTreeSet::new();
        for img in self.images.images() {
            before.insert(img.id.clone());
        }
        let bad_layer = |d: &Digest, e: crate::engine::layer::LayerError| LayoutError::Invalid {
            what: format!("layer {d}"),
            message: e.to_string(),
        };
        let loaded = crate::engine::image::layout::import_tar(&mut self.images, bytes)?;
        let total: u64 = loaded
            .iter()
            .filter_map(|l| self.images.image(&l.id))
            .flat_map(|img| img.layers.iter().map(|sl| sl.uncompressed_size))
            .sum();
        if total > limit {
            for l in loaded.iter().filter(|l| !before.contains(&l.id)) {
                let _ = self.images.rmi(&l.id.to_string(), true, &BTreeMap::new());
            }
            return Err(LayoutError::Invalid {
                what: "archive".into(),
                message: format!(
                    "its layers hold {total} bytes uncompressed, more than the {limit} layerlab keeps in memory"
                ),
            });
        }
        for l in &loaded {
            if self.stacks.contains_key(&l.id) {
                continue;
            }
            let Some(stored) = self.images.image(&l.id) else {
                continue;
            };
            let blobs: Vec<(Digest, Digest)> = stored
                .layers
                .iter()
                .map(|sl| (sl.descriptor.digest.clone(), sl.diff_id.clone()))
                .collect();
            let mut prev = empty_root();
            let mut parent: Option<Digest> = None;
            let mut stack = Vec::new();
            for (digest, diff_id) in blobs {
                let blob = self.images.blobs().get(&digest)?;
                let tar: Rc<[u8]> = Rc::from(
                    crate::engine::layer::decompress(&blob).map_err(|e| bad_layer(&digest, e))?,
                );
                let next =
                    crate::engine::layer::apply(&prev, &tar).map_err(|e| bad_layer(&digest, e))?;
                let changes = fs::diff(&prev, &next);
                let layer = self
                    .layers
                    .create_loaded(parent.as_ref(), changes, diff_id, tar);
                parent = Some(layer.chain_id.clone());
                stack.push(layer);
                prev = next;
            }
            let sizes: Vec<u64> = stack.iter().map(|l| l.content_size).collect();
            self.images.set_layer_sizes(&l.id, &sizes);
            self.stacks.insert(l.id.clone(), stack);
        }
        Ok(loaded)
    }

    /// Layer garbage collection after images were deleted (moby releases a layer when
    /// its last reference goes): drops the layer stacks of images the store no longer
    /// holds, forgets base images resolved under those IDs (a later `FROM` pulls
    /// again), and keeps in the [`LayerStore`] only layers that a remaining image, a
    /// remembered base image, the build cache, or `held` (containers' layers) uses.
    /// Returns how many layers were dropped.
    pub fn gc_layers(&mut self, held: &std::collections::BTreeSet<Digest>) -> usize {
        let images = &self.images;
        let gone: Vec<Digest> = self
            .stacks
            .keys()
            .filter(|id| images.image(id).is_none())
            .cloned()
            .collect();
        for id in &gone {
            self.stacks.remove(id);
        }
        self.bases.retain(|_, rec| !gone.contains(&rec.id));
        let mut live: std::collections::BTreeSet<Digest> = held.clone();
        live.extend(self.cache.layers().cloned());
        let stacked = self
            .stacks
            .values()
            .chain(self.bases.values().map(|r| &r.layers));
        for stack in stacked {
            live.extend(stack.iter().map(|l| l.chain_id.clone()));
        }
        let before = self.layers.len();
        self.layers.retain(&live);
        before - self.layers.len()
    }

    /// Points `name` (normalised; `:latest` when bare) at image `id`.
    pub fn tag(&mut self, name: &str, id: &Digest) -> Result<String, String> {
        let named = reference::parse_normalized_tagged(name).map_err(|e| e.to_string())?;
        self.images
            .add_reference(&named, id)
            .map_err(|e| e.to_string())?;
        Ok(named.to_string())
    }
}
