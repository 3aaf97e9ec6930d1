//! The on-disk store: `$LAYERLAB_HOME` is an OCI image layout (`image-layout.md`) that
//! skopeo (`oci:$LAYERLAB_HOME:REF`), umoci and podman read directly.
//!
//! ```text
//! $LAYERLAB_HOME/
//!   oci-layout          {"imageLayoutVersion":"1.0.0"}
//!   index.json          one manifest descriptor per reference, annotated with
//!                       org.opencontainers.image.ref.name and io.containerd.image.name
//!                       (both the full reference, as containerd writes them); an image
//!                       without a name is an entry without annotations
//!   blobs/sha256/<hex>  manifests, configs, layer blobs
//!   state.json          containers and volumes (not part of the OCI layout)
//!   .lock               flock(2) target serialising layerlab processes
//! ```
//!
//! Crash safety comes from the write order and atomic files ([`super::fsio`]): blobs
//! (layers, then config, then manifest) before `index.json`, and unreferenced blobs are
//! deleted only after the new `index.json` is durable. A crash at any point leaves the
//! old or the new `index.json`, both of which reference only blobs that exist; what a
//! crash can leave behind is garbage (`.tmp-*` files, unreferenced blobs), which
//! [`DiskStore::fsck`] reports and `--repair` removes, but which is not an error — as
//! `git fsck` treats dangling objects.
//!
//! The store is loaded into the engine's [`ImageStore`] for every operation, so `tag`,
//! `rmi`, `images` and name resolution follow exactly the engine's (moby's) rules, and
//! every blob is verified against its digest on the way in.

use super::fsio::{self, Lock, TMP_PREFIX};
use crate::engine::digest::Digest;
use crate::engine::image::layout::{LayoutError, MAX_LAYER_SIZE};
use crate::engine::image::manifest::{Descriptor, Index, Manifest};
use crate::engine::image::media_type::{self, ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME};
use crate::engine::image::store::{ImageStore, LayerBlob, StoreError};
use crate::engine::reference;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Deepest nesting of indexes followed when marking reachable blobs.
const MAX_INDEX_DEPTH: usize = 4;

/// Errors of the on-disk store.
#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("blob {0} not found in the store")]
    BlobNotFound(Digest),
    #[error("blob {0} is corrupted: its content no longer matches its digest (run layerlab fsck --repair)")]
    Corrupted(Digest),
    #[error("invalid {what}: {message}")]
    Invalid { what: String, message: String },
    #[error(transparent)]
    Image(#[from] StoreError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> DiskError + '_ {
    move |source| DiskError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> DiskError {
    DiskError::Invalid {
        what: what.to_string(),
        message: e.to_string(),
    }
}

/// `$LAYERLAB_HOME`, else `$XDG_DATA_HOME/layerlab`, else `~/.local/share/layerlab`
/// (the XDG base-directory default for user data).
pub fn default_home() -> PathBuf {
    if let Some(h) = std::env::var_os("LAYERLAB_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(x).join("layerlab");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".local/share/layerlab")
}

/// Containers and volumes: the non-OCI part of the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub containers: BTreeMap<String, ContainerRecord>,
    #[serde(default)]
    pub volumes: BTreeMap<String, VolumeRecord>,
}

/// A container as `ps` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerRecord {
    pub image: String,
    pub image_id: Digest,
    pub command: Vec<String>,
    pub created: i64,
    /// `created`, `running` or `exited`.
    pub status: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub finished: Option<i64>,
    /// Volume mounts: (volume name or host path, container path).
    #[serde(default)]
    pub mounts: Vec<(String, String)>,
}

/// A named volume: a directory under `volumes/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeRecord {
    pub created: i64,
}

/// What `fsck` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FsckReport {
    pub blobs_checked: usize,
    pub images: usize,
    /// Blobs whose bytes do not hash to their name (errors).
    pub corrupted: Vec<Digest>,
    /// Index entries (and what they reference) that are missing blobs (errors).
    pub dangling: Vec<String>,
    /// Blobs no index entry reaches (garbage, not errors).
    pub unreferenced: Vec<Digest>,
    /// Leftover temporary files (garbage, not errors).
    pub temp_files: Vec<String>,
    /// What `--repair` removed.
    pub repaired: Vec<String>,
}

impl FsckReport {
    /// No corruption and nothing dangling: every image is readable.
    pub fn is_clean(&self) -> bool {
        self.corrupted.is_empty() && self.dangling.is_empty()
    }

    /// The lines `layerlab fsck` prints.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for d in &self.corrupted {
            out.push(format!("corrupted blob: {d}"));
        }
        for d in &self.dangling {
            out.push(format!("dangling: {d}"));
        }
        for d in &self.unreferenced {
            out.push(format!("unreferenced blob: {d}"));
        }
        for t in &self.temp_files {
            out.push(format!("temporary file: {t}"));
        }
        for r in &self.repaired {
            out.push(format!("removed: {r}"));
        }
        out.push(format!(
            "checked {} blobs, {} index entries: {}",
            self.blobs_checked,
            self.images,
            if self.is_clean() {
                "ok"
            } else {
                "errors found"
            }
        ));
        out
    }
}

/// An opened (and locked) store directory.
#[derive(Debug)]
pub struct DiskStore {
    root: PathBuf,
    _lock: Lock,
}

impl DiskStore {
    /// Opens the store at `root`, creating an empty layout if needed, and waits for
    /// the exclusive lock: one `layerlab` process works on a store at a time.
    pub fn open(root: &Path) -> Result<DiskStore, DiskError> {
        let blobs = root.join("blobs/sha256");
        std::fs::create_dir_all(&blobs).map_err(io_err(&blobs))?;
        let lock_path = root.join(".lock");
        let lock = Lock::exclusive(&lock_path).map_err(io_err(&lock_path))?;
        let store = DiskStore {
            root: root.to_path_buf(),
            _lock: lock,
        };
        if !root.join("oci-layout").exists() {
            store.write("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        }
        if !root.join("index.json").exists() {
            let empty = Index::new(Vec::new())
                .to_bytes()
                .map_err(|e| invalid("index.json", e))?;
            store.write("index.json", &empty)?;
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        fsio::write_atomic(&self.root, name, bytes).map_err(io_err(&self.root.join(name)))
    }

    fn blobs_dir(&self) -> PathBuf {
        self.root.join("blobs/sha256")
    }

    pub fn blob_path(&self, d: &Digest) -> PathBuf {
        self.blobs_dir().join(d.hex())
    }

    pub fn has_blob(&self, d: &Digest) -> bool {
        self.blob_path(d).is_file()
    }

    /// Stores `bytes` (atomically) unless a blob with their digest is there already.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<Digest, DiskError> {
        let d = Digest::sha256(bytes);
        let path = self.blob_path(&d);
        let present = std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64);
        if !present {
            fsio::write_atomic(&self.blobs_dir(), d.hex(), bytes).map_err(io_err(&path))?;
        }
        Ok(d)
    }

    /// A blob's bytes, verified against its digest.
    pub fn get_blob(&self, d: &Digest) -> Result<Vec<u8>, DiskError> {
        let path = self.blob_path(d);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(DiskError::BlobNotFound(d.clone()))
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        if &Digest::sha256(&bytes) != d {
            return Err(DiskError::Corrupted(d.clone()));
        }
        Ok(bytes)
    }

    pub fn read_index(&self) -> Result<Index, DiskError> {
        let path = self.root.join("index.json");
        let bytes = std::fs::read(&path).map_err(io_err(&path))?;
        Index::from_bytes(&bytes).map_err(|e| invalid("index.json", e))
    }

    pub fn read_state(&self) -> Result<State, DiskError> {
        let path = self.root.join("state.json");
        match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| invalid("state.json", e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    pub fn write_state(&self, state: &State) -> Result<(), DiskError> {
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| invalid("state.json", e))?;
        self.write("state.json", &bytes)
    }

    /// Loads every image of `index.json` into the engine's store, verifying each blob,
    /// layer diff_id and size.
    pub fn load(&self) -> Result<ImageStore, DiskError> {
        let index = self.read_index()?;
        let mut images = ImageStore::new();
        let mut ids: BTreeMap<Digest, Digest> = BTreeMap::new();
        for desc in &index.manifests {
            let id = match ids.get(&desc.digest) {
                Some(id) => id.clone(),
                None => {
                    let id = self.load_manifest(&mut images, desc)?;
                    ids.insert(desc.digest.clone(), id.clone());
                    id
                }
            };
            if let Some(r) = entry_reference(desc) {
                images.add_reference(&r, &id)?;
            }
        }
        Ok(images)
    }

    fn load_manifest(
        &self,
        images: &mut ImageStore,
        desc: &Descriptor,
    ) -> Result<Digest, DiskError> {
        if !media_type::is_manifest(&desc.media_type) {
            return Err(invalid(
                "index.json",
                format!("unsupported media type {}", desc.media_type),
            ));
        }
        let manifest_bytes = self.get_blob(&desc.digest)?;
        let manifest = Manifest::from_bytes(&manifest_bytes).map_err(|e| invalid("manifest", e))?;
        let config = self.get_blob(&manifest.config.digest)?;
        let mut layers = Vec::with_capacity(manifest.layers.len());
        for l in &manifest.layers {
            let bytes = self.get_blob(&l.digest)?;
            let (diff_id, size) = diff_id_of(&l.digest.to_string(), &bytes)?;
            layers.push(LayerBlob {
                media_type: l.media_type.clone(),
                bytes,
                diff_id,
                uncompressed_size: size,
            });
        }
        Ok(images.insert(&manifest_bytes, &config, layers)?)
    }

    /// Makes the disk hold exactly `images`: writes missing blobs (layers, config,
    /// manifest per image), then `index.json`. Blobs no longer referenced stay until
    /// [`DiskStore::gc`] (so a crash mid-commit never loses the old images).
    pub fn commit(&self, images: &ImageStore) -> Result<(), DiskError> {
        let blobs = images.blobs();
        let mut entries = Vec::new();
        let mut order: Vec<Digest> = Vec::new();
        for row in images.list().into_iter().rev() {
            if !order.contains(&row.id) {
                order.push(row.id);
            }
        }
        for id in &order {
            let Some(img) = images.image(id) else {
                continue;
            };
            for l in &img.layers {
                if !self.has_blob(&l.descriptor.digest) {
                    self.put_blob(&blobs.get(&l.descriptor.digest)?)?;
                }
            }
            if !self.has_blob(&img.id) {
                self.put_blob(&blobs.get(&img.id)?)?;
            }
            let manifest_bytes = blobs.get(&img.manifest_digest)?;
            if !self.has_blob(&img.manifest_digest) {
                self.put_blob(&manifest_bytes)?;
            }
            let mt = Manifest::from_bytes(&manifest_bytes)
                .ok()
                .and_then(|m| m.media_type)
                .unwrap_or_else(|| media_type::IMAGE_MANIFEST.to_string());
            let base = Descriptor::new(
                &mt,
                img.manifest_digest.clone(),
                manifest_bytes.len() as u64,
            );
            let refs = images.references(id);
            if refs.is_empty() {
                entries.push(base.clone());
            }
            for r in refs {
                let mut d = base.clone();
                let full = r.to_string();
                if r.tag().is_some() {
                    d.annotations
                        .insert(ANNOTATION_REF_NAME.into(), full.clone());
                }
                d.annotations.insert(ANNOTATION_IMAGE_NAME.into(), full);
                entries.push(d);
            }
        }
        let index = Index::new(entries)
            .to_bytes()
            .map_err(|e| invalid("index.json", e))?;
        self.write("index.json", &index)
    }

    /// Every blob reachable from `index.json`, and what is missing.
    fn reachable(
        &self,
        corrupted: &BTreeSet<Digest>,
    ) -> Result<(BTreeSet<Digest>, Vec<String>), DiskError> {
        let index = self.read_index()?;
        let mut live = BTreeSet::new();
        let mut dangling = Vec::new();
        for desc in &index.manifests {
            let name = desc
                .annotations
                .get(ANNOTATION_IMAGE_NAME)
                .or_else(|| desc.annotations.get(ANNOTATION_REF_NAME))
                .cloned()
                .unwrap_or_else(|| desc.digest.to_string());
            self.mark(desc, &name, 0, corrupted, &mut live, &mut dangling);
        }
        Ok((live, dangling))
    }

    fn mark(
        &self,
        desc: &Descriptor,
        name: &str,
        depth: usize,
        corrupted: &BTreeSet<Digest>,
        live: &mut BTreeSet<Digest>,
        dangling: &mut Vec<String>,
    ) {
        live.insert(desc.digest.clone());
        let bytes = match self.get_blob(&desc.digest) {
            Ok(b) => b,
            Err(_) => {
                dangling.push(format!("{name}: missing or corrupted {}", desc.digest));
                return;
            }
        };
        let mut children = Vec::new();
        if media_type::is_index(&desc.media_type) {
            if depth < MAX_INDEX_DEPTH {
                if let Ok(ix) = Index::from_bytes(&bytes) {
                    for m in &ix.manifests {
                        self.mark(m, name, depth + 1, corrupted, live, dangling);
                    }
                }
            }
            return;
        }
        if let Ok(m) = Manifest::from_bytes(&bytes) {
            children.push(m.config);
            children.extend(m.layers);
        }
        for c in children {
            live.insert(c.digest.clone());
            if corrupted.contains(&c.digest) {
                dangling.push(format!("{name}: corrupted blob {}", c.digest));
            } else if !self.has_blob(&c.digest) {
                dangling.push(format!("{name}: missing blob {}", c.digest));
            }
        }
    }

    /// Removes blobs that neither `index.json` nor the build cache reaches (after
    /// `rmi`, `builder prune`); returns them. An unreadable build cache stops it, so
    /// that its blobs are not taken for garbage.
    pub fn gc(&self) -> Result<Vec<Digest>, DiskError> {
        let (mut live, _) = self.reachable(&BTreeSet::new())?;
        live.extend(super::buildcache::read(self)?.blobs());
        let mut removed = Vec::new();
        for (d, path) in self.blob_files()? {
            if let Some(d) = d.filter(|d| !live.contains(d)) {
                fsio::remove_durable(&path).map_err(io_err(&path))?;
                removed.push(d);
            }
        }
        Ok(removed)
    }

    /// Files under `blobs/sha256/`, with their digest when the name is one.
    pub(crate) fn blob_files(&self) -> Result<Vec<(Option<Digest>, PathBuf)>, DiskError> {
        let dir = self.blobs_dir();
        let mut out = Vec::new();
        for e in std::fs::read_dir(&dir).map_err(io_err(&dir))? {
            let e = e.map_err(io_err(&dir))?;
            let name = e.file_name().to_string_lossy().to_string();
            out.push((Digest::from_hex(&name).ok(), e.path()));
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// `layerlab fsck`: verifies every blob, checks that every index entry reaches
    /// only present, intact blobs, and lists garbage. With `repair`, removes temporary
    /// files, unreferenced and corrupted blobs, and index entries left dangling.
    pub fn fsck(&self, repair: bool) -> Result<FsckReport, DiskError> {
        let mut report = FsckReport::default();
        for dir in [self.root.clone(), self.blobs_dir()] {
            for e in std::fs::read_dir(&dir).map_err(io_err(&dir))? {
                let e = e.map_err(io_err(&dir))?;
                if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    report.temp_files.push(e.path().display().to_string());
                }
            }
        }
        report.temp_files.sort();
        let files = self.blob_files()?;
        for (d, path) in &files {
            let Some(d) = d else {
                continue;
            };
            report.blobs_checked += 1;
            let bytes = std::fs::read(path).map_err(io_err(path))?;
            if &Digest::sha256(&bytes) != d {
                report.corrupted.push(d.clone());
            }
        }
        let corrupted: BTreeSet<Digest> = report.corrupted.iter().cloned().collect();
        let (mut live, mut dangling) = self.reachable(&corrupted)?;
        // The build cache's blobs are live too; a cache that cannot be read or misses
        // a blob is an error, and --repair drops the whole cache (it is only a cache:
        // BuildKit's answer to a damaged one is `docker builder prune`).
        let mut drop_cache = false;
        match super::buildcache::read(self) {
            Ok(cache) => {
                for b in cache.blobs() {
                    if corrupted.contains(&b) {
                        dangling.push(format!("build cache: corrupted blob {b}"));
                        drop_cache = true;
                    } else if !self.has_blob(&b) {
                        dangling.push(format!("build cache: missing blob {b}"));
                        drop_cache = true;
                    }
                    live.insert(b);
                }
            }
            Err(e) => {
                dangling.push(e.to_string());
                drop_cache = true;
            }
        }
        report.dangling = dangling;
        report.images = self.read_index()?.manifests.len();
        report.unreferenced = files
            .iter()
            .filter_map(|(d, _)| d.clone())
            .filter(|d| !live.contains(d))
            .collect();
        if repair {
            if drop_cache {
                let path = super::buildcache::path(self);
                fsio::remove_durable(&path).map_err(io_err(&path))?;
                report.repaired.push(path.display().to_string());
            }
            for t in &report.temp_files {
                fsio::remove_durable(Path::new(t)).map_err(io_err(Path::new(t)))?;
                report.repaired.push(t.clone());
            }
            for d in report.unreferenced.iter().chain(&report.corrupted) {
                let path = self.blob_path(d);
                fsio::remove_durable(&path).map_err(io_err(&path))?;
                report.repaired.push(path.display().to_string());
            }
            if !report.dangling.is_empty() || !report.corrupted.is_empty() {
                self.drop_dangling_entries(&mut report)?;
                for d in self.gc()? {
                    report
                        .repaired
                        .push(self.blob_path(&d).display().to_string());
                }
            }
        }
        Ok(report)
    }

    fn drop_dangling_entries(&self, report: &mut FsckReport) -> Result<(), DiskError> {
        let index = self.read_index()?;
        let mut keep = Vec::new();
        for desc in index.manifests {
            let mut live = BTreeSet::new();
            let mut dangling = Vec::new();
            self.mark(&desc, "", 0, &BTreeSet::new(), &mut live, &mut dangling);
            if dangling.is_empty() {
                keep.push(desc);
            } else {
                report
                    .repaired
                    .push(format!("index entry {}", entry_name(&desc)));
            }
        }
        let bytes = Index::new(keep)
            .to_bytes()
            .map_err(|e| invalid("index.json", e))?;
        self.write("index.json", &bytes)
    }
}

fn entry_name(desc: &Descriptor) -> String {
    desc.annotations
        .get(ANNOTATION_IMAGE_NAME)
        .or_else(|| desc.annotations.get(ANNOTATION_REF_NAME))
        .cloned()
        .unwrap_or_else(|| desc.digest.to_string())
}

/// The reference an index entry names: containerd's full name, else a ref.name that is
/// itself a reference (a bare tag such as `latest` names nothing on its own).
fn entry_reference(desc: &Descriptor) -> Option<reference::Reference> {
    if let Some(full) = desc.annotations.get(ANNOTATION_IMAGE_NAME) {
        return reference::parse_normalized_named(full).ok();
    }
    desc.annotations
        .get(ANNOTATION_REF_NAME)
        .filter(|r| r.contains(['/', ':']))
        .and_then(|r| reference::parse_normalized_named(r).ok())
}

/// Inflates (if gzip) and hashes a layer: its diff_id and uncompressed size.
pub fn diff_id_of(what: &str, bytes: &[u8]) -> Result<(Digest, u64), DiskError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok((Digest::sha256(bytes), bytes.len() as u64));
    }
    let mut hash = crate::engine::digest::Sha256Writer::new();
    let mut dec = flate2::read::GzDecoder::new(bytes);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = dec
            .read(&mut buf)
            .map_err(|e| invalid(&format!("gzip layer {what}"), e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > MAX_LAYER_SIZE {
            return Err(LayoutError::LayerTooLarge(what.to_string()).into());
        }
        hash.update(&buf[..n]);
    }
    Ok((hash.finish(), total))
}
