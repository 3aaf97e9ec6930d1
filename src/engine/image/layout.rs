//! Export and import of images as an OCI image layout (`image-layout.md`): an
//! `oci-layout` file, `index.json` naming each manifest with
//! `org.opencontainers.image.ref.name` (and containerd's `io.containerd.image.name`,
//! as `docker save` v25+ writes), and `blobs/sha256/<hex>`. Docker's own
//! `manifest.json` rides along, so `docker load` accepts the same archive.
//!
//! Import reads either that layout or a classic `docker save` archive
//! (`manifest.json` with `Config`/`RepoTags`/`Layers`), verifying every digest, size
//! and diff_id before anything reaches the store.

use super::manifest::{Descriptor, Index, Manifest};
use super::media_type::{self, ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME};
use super::store::{ImageStore, LayerBlob, StoreError};
use super::tar::{self, TarError};
use crate::engine::digest::Digest;
use crate::engine::reference::{self, Reference};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

/// Largest uncompressed layer import will inflate (a gzip bomb stops here).
#[cfg(not(target_arch = "wasm32"))]
pub const MAX_LAYER_SIZE: u64 = 4 << 30;
/// In the browser (wasm32, 4 GiB of memory in all): 512 MiB.
#[cfg(target_arch = "wasm32")]
pub const MAX_LAYER_SIZE: u64 = 512 << 20;
/// Deepest nesting of indexes import follows.
const MAX_INDEX_DEPTH: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error(transparent)]
    Tar(#[from] TarError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Reference(#[from] crate::engine::reference::ReferenceError),
    #[error("archive is neither an OCI image layout nor a docker save archive: no index.json or manifest.json")]
    UnknownFormat,
    #[error("missing {0} in archive")]
    Missing(String),
    #[error("invalid {what}: {message}")]
    Invalid { what: String, message: String },
    #[error("layer {0} is larger than the {MAX_LAYER_SIZE}-byte limit when uncompressed")]
    LayerTooLarge(String),
}

fn invalid(what: &str, e: impl std::fmt::Display) -> LayoutError {
    LayoutError::Invalid {
        what: what.to_string(),
        message: e.to_string(),
    }
}

/// One entry of Docker's `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DockerManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

fn blob_path(d: &Digest) -> String {
    format!("blobs/sha256/{}", d.hex())
}

/// The files of an OCI image layout holding the images `names` resolve to (names
/// as `docker save` takes them: references or IDs), sorted by path.
pub fn export(
    store: &ImageStore,
    names: &[&str],
) -> Result<BTreeMap<String, Vec<u8>>, LayoutError> {
    let mut files = BTreeMap::new();
    for (path, bytes) in export_shared(store, names)? {
        files.insert(path, bytes.to_vec());
    }
    Ok(files)
}

/// [`export`] with the blobs shared with the store, not copied (a saved image can be
/// hundreds of MB).
fn export_shared(
    store: &ImageStore,
    names: &[&str],
) -> Result<BTreeMap<String, Arc<[u8]>>, LayoutError> {
    let mut files: BTreeMap<String, Arc<[u8]>> = BTreeMap::new();
    let mut index_entries = Vec::new();
    let mut docker: Vec<(Digest, DockerManifestEntry)> = Vec::new();
    for name in names {
        let id = store.resolve(name)?;
        let img = store
            .image(&id)
            .ok_or_else(|| StoreError::NoSuchImage(name.to_string()))?;
        let named: Option<Reference> = if img
            .id
            .hex()
            .starts_with(name.strip_prefix("sha256:").unwrap_or(name))
        {
            None
        } else {
            Some(reference::parse_normalized_tagged(name)?)
        };
        let blobs = store.blobs();
        let manifest_bytes = blobs.get(&img.manifest_digest)?;
        files.insert(blob_path(&img.manifest_digest), manifest_bytes.clone());
        files.insert(blob_path(&img.id), blobs.get(&img.id)?);
        for l in &img.layers {
            files.insert(
                blob_path(&l.descriptor.digest),
                blobs.get(&l.descriptor.digest)?,
            );
        }
        let mut desc = Descriptor::new(
            media_type::IMAGE_MANIFEST,
            img.manifest_digest.clone(),
            manifest_bytes.len() as u64,
        );
        if let Some(r) = &named {
            desc.annotations
                .insert(ANNOTATION_IMAGE_NAME.into(), r.to_string());
            if let Some(tag) = r.tag() {
                desc.annotations
                    .insert(ANNOTATION_REF_NAME.into(), tag.to_string());
            }
        }
        if !index_entries.contains(&desc) {
            index_entries.push(desc);
        }
        let tag = named
            .as_ref()
            .filter(|r| r.tag().is_some())
            .map(Reference::familiar_string);
        match docker.iter_mut().find(|(i, _)| *i == id) {
            Some((_, entry)) => {
                let tags = entry.repo_tags.get_or_insert_with(Vec::new);
                tags.extend(tag.filter(|t| !tags.contains(t)));
            }
            None => docker.push((
                id.clone(),
                DockerManifestEntry {
                    config: blob_path(&id),
                    repo_tags: Some(tag.into_iter().collect()),
                    layers: img
                        .layers
                        .iter()
                        .map(|l| blob_path(&l.descriptor.digest))
                        .collect(),
                },
            )),
        }
    }
    let json = |v: Result<Vec<u8>, serde_json::Error>| v.map_err(|e| invalid("json", e));
    files.insert(
        "oci-layout".into(),
        Arc::from(&br#"{"imageLayoutVersion":"1.0.0"}"#[..]),
    );
    files.insert(
        "index.json".into(),
        Arc::from(json(Index::new(index_entries).to_bytes())?),
    );
    let entries: Vec<DockerManifestEntry> = docker.into_iter().map(|(_, e)| e).collect();
    files.insert(
        "manifest.json".into(),
        Arc::from(json(super::json::to_bytes(&entries))?),
    );
    Ok(files)
}

/// [`export`] as a deterministic tar archive (`docker save -o` / `oci-archive:`).
pub fn export_tar(store: &ImageStore, names: &[&str]) -> Result<Vec<u8>, LayoutError> {
    Ok(tar::write(&export_shared(store, names)?)?)
}

/// What one loaded image became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedImage {
    pub id: Digest,
    pub references: Vec<Reference>,
}

impl LoadedImage {
    /// `docker load`'s lines: `Loaded image: app:1.0`, or `Loaded image ID: sha256:...`
    /// for an image without a name.
    pub fn lines(&self) -> Vec<String> {
        if self.references.is_empty() {
            return vec![format!("Loaded image ID: {}", self.id)];
        }
        self.references
            .iter()
            .map(|r| format!("Loaded image: {}", r.familiar_string()))
            .collect()
    }
}

/// Imports an archive (OCI layout tar, or `docker save` tar) into `store`.
/// A gzipped archive (`docker save x | gzip > x.tar.gz`) is read too, as `docker load`
/// does.
pub fn import_tar(store: &mut ImageStore, bytes: &[u8]) -> Result<Vec<LoadedImage>, LayoutError> {
    let bytes = crate::engine::layer::decompress(bytes).map_err(|e| invalid("archive", e))?;
    let (files, links) = tar::read(&bytes)?;
    import(store, &Archive { files, links })
}

/// Imports already-unpacked layout files (path → bytes).
pub fn import_files(
    store: &mut ImageStore,
    files: BTreeMap<String, Vec<u8>>,
) -> Result<Vec<LoadedImage>, LayoutError> {
    import(
        store,
        &Archive {
            files,
            links: BTreeMap::new(),
        },
    )
}

struct Archive {
    files: BTreeMap<String, Vec<u8>>,
    links: BTreeMap<String, String>,
}

impl Archive {
    /// A file by path, following in-archive symlinks (as `docker save` v25 writes for
    /// its legacy `<id>/layer.tar` entries), never outside the archive.
    fn get(&self, path: &str) -> Result<&[u8], LayoutError> {
        let mut path = path.trim_start_matches("./").to_string();
        for _ in 0..8 {
            if let Some(b) = self.files.get(&path) {
                return Ok(b);
            }
            let Some(target) = self.links.get(&path) else {
                break;
            };
            let base = path.rsplit_once('/').map_or("", |(d, _)| d);
            let mut parts: Vec<&str> = if target.starts_with('/') {
                Vec::new()
            } else {
                base.split('/').filter(|p| !p.is_empty()).collect()
            };
            for p in target.split('/') {
                match p {
                    "" | "." => {}
                    ".." => {
                        if parts.pop().is_none() {
                            return Err(LayoutError::Tar(TarError::UnsafePath(target.clone())));
                        }
                    }
                    p => parts.push(p),
                }
            }
            path = parts.join("/");
        }
        Err(LayoutError::Missing(path))
    }

    fn blob(&self, d: &Descriptor) -> Result<&[u8], LayoutError> {
        let bytes = self.get(&blob_path(&d.digest))?;
        let actual = Digest::sha256(bytes);
        if actual != d.digest {
            return Err(StoreError::DigestMismatch {
                what: blob_path(&d.digest),
                expected: d.digest.clone(),
                actual,
            }
            .into());
        }
        if d.size != bytes.len() as u64 {
            return Err(StoreError::SizeMismatch {
                what: blob_path(&d.digest),
                expected: d.size,
                actual: bytes.len() as u64,
            }
            .into());
        }
        Ok(bytes)
    }
}

fn import(store: &mut ImageStore, archive: &Archive) -> Result<Vec<LoadedImage>, LayoutError> {
    if archive.files.contains_key("index.json") {
        import_oci(store, archive)
    } else if archive.files.contains_key("manifest.json") {
        import_docker(store, archive)
    } else {
        Err(LayoutError::UnknownFormat)
    }
}

/// Inflates (if gzip) and hashes a layer: its diff_id and uncompressed size.
fn diff_id_of(what: &str, bytes: &[u8]) -> Result<(Digest, u64), LayoutError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok((Digest::sha256(bytes), bytes.len() as u64));
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_LAYER_SIZE + 1)
        .read_to_end(&mut out)
        .map_err(|e| invalid(&format!("gzip layer {what}"), e))?;
    if out.len() as u64 > MAX_LAYER_SIZE {
        return Err(LayoutError::LayerTooLarge(what.to_string()));
    }
    Ok((Digest::sha256(&out), out.len() as u64))
}

fn import_oci(store: &mut ImageStore, archive: &Archive) -> Result<Vec<LoadedImage>, LayoutError> {
    let header: serde_json::Value =
        serde_json::from_slice(archive.get("oci-layout")?).map_err(|e| invalid("oci-layout", e))?;
    if header["imageLayoutVersion"] != "1.0.0" {
        return Err(invalid(
            "oci-layout",
            "imageLayoutVersion must be \"1.0.0\"",
        ));
    }
    let index =
        Index::from_bytes(archive.get("index.json")?).map_err(|e| invalid("index.json", e))?;
    let mut loaded: Vec<LoadedImage> = Vec::new();
    for desc in &index.manifests {
        let id = import_oci_manifest(store, archive, desc, 0)?;
        let name = match (
            desc.annotations.get(ANNOTATION_IMAGE_NAME),
            desc.annotations.get(ANNOTATION_REF_NAME),
        ) {
            (Some(full), _) => Some(reference::parse_normalized_named(full)?),
            // A bare tag (`latest`) names nothing by itself; a full reference does.
            (None, Some(r)) if r.contains(['/', ':']) => reference::parse_normalized_named(r).ok(),
            _ => None,
        };
        if let Some(r) = &name {
            store.add_reference(r, &id)?;
        }
        let refs: Vec<Reference> = name.into_iter().map(|r| r.tag_name_only()).collect();
        match loaded.iter_mut().find(|l| l.id == id) {
            Some(l) => l.references.extend(refs),
            None => loaded.push(LoadedImage {
                id,
                references: refs,
            }),
        }
    }
    Ok(loaded)
}

fn import_oci_manifest(
    store: &mut ImageStore,
    archive: &Archive,
    desc: &Descriptor,
    depth: usize,
) -> Result<Digest, LayoutError> {
    let bytes = archive.blob(desc)?;
    if media_type::is_index(&desc.media_type) {
        if depth >= MAX_INDEX_DEPTH {
            return Err(invalid("index", "indexes nested too deeply"));
        }
        let index = Index::from_bytes(bytes).map_err(|e| invalid("index", e))?;
        // A multi-platform image: take linux/amd64 if present, else the first entry.
        let pick = index
            .manifests
            .iter()
            .find(|m| {
                m.platform
                    .as_ref()
                    .is_some_and(|p| p.os == "linux" && p.architecture == "amd64")
            })
            .or_else(|| index.manifests.first())
            .ok_or_else(|| invalid("index", "no manifests"))?;
        return import_oci_manifest(store, archive, pick, depth + 1);
    }
    if !media_type::is_manifest(&desc.media_type) {
        return Err(invalid(
            "index.json",
            format!("unsupported media type {}", desc.media_type),
        ));
    }
    let manifest = Manifest::from_bytes(bytes).map_err(|e| invalid("manifest", e))?;
    let config = archive.blob(&manifest.config)?;
    let mut layers = Vec::new();
    for l in &manifest.layers {
        if !media_type::is_layer(&l.media_type) {
            return Err(invalid(
                "manifest",
                format!("unsupported layer media type {}", l.media_type),
            ));
        }
        let blob = archive.blob(l)?;
        let (diff_id, size) = diff_id_of(&l.digest.to_string(), blob)?;
        layers.push(LayerBlob {
            media_type: l.media_type.clone(),
            bytes: blob.to_vec(),
            diff_id,
            uncompressed_size: size,
        });
    }
    Ok(store.insert(bytes, config, layers)?)
}

fn import_docker(
    store: &mut ImageStore,
    archive: &Archive,
) -> Result<Vec<LoadedImage>, LayoutError> {
    let entries: Vec<DockerManifestEntry> = serde_json::from_slice(archive.get("manifest.json")?)
        .map_err(|e| invalid("manifest.json", e))?;
    let mut loaded = Vec::new();
    for entry in entries {
        let config = archive.get(&entry.config)?;
        let mut layers = Vec::new();
        for path in &entry.layers {
            let blob = archive.get(path)?;
            let (diff_id, size) = diff_id_of(path, blob)?;
            let media_type = if blob.starts_with(&[0x1f, 0x8b]) {
                media_type::IMAGE_LAYER_GZIP
            } else {
                media_type::IMAGE_LAYER
            };
            layers.push(LayerBlob {
                media_type: media_type.into(),
                bytes: blob.to_vec(),
                diff_id,
                uncompressed_size: size,
            });
        }
        // The archive has no manifest of its own: make the OCI one, keeping the
        // config's exact bytes so the image ID is unchanged.
        let descriptors = layers
            .iter()
            .map(|l| Descriptor::of(&l.media_type, &l.bytes))
            .collect();
        let manifest = Manifest::for_image(config, descriptors)
            .to_bytes()
            .map_err(|e| invalid("manifest", e))?;
        let id = store.insert(&manifest, config, layers)?;
        let mut refs = Vec::new();
        for tag in entry.repo_tags.unwrap_or_default() {
            let r = reference::parse_normalized_tagged(&tag)?;
            store.add_reference(&r, &id)?;
            refs.push(r);
        }
        loaded.push(LoadedImage {
            id,
            references: refs,
        });
    }
    Ok(loaded)
}
