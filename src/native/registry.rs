//! `push` and `pull` over the OCI distribution API (distribution-spec `spec.md`) to a
//! registry reached by plain HTTP, such as Debian's `docker-registry` on 127.0.0.1.
//!
//! * push: `HEAD /v2/<name>/blobs/<digest>` first and skip what exists (docker's
//!   "Layer already exists"); otherwise `POST /v2/<name>/blobs/uploads/` and either a
//!   monolithic `PUT <location>?digest=` or `PATCH` chunks with `Content-Range` then
//!   a closing `PUT`; layers, then the config, then `PUT /v2/<name>/manifests/<tag>`
//!   with the manifest's own media type, so the registry's digest equals ours.
//! * pull: `GET /v2/<name>/manifests/<tag|digest>` accepting OCI and Docker manifests
//!   and indexes (an index picks linux/amd64), then every blob, each verified against
//!   its digest and size *before* anything is stored, with moby's error wording
//!   (`filesystem layer verification failed for digest ...`).

use super::http::{self, HttpError, Url};
use super::store::{diff_id_of, DiskError};
use crate::engine::digest::Digest;
use crate::engine::image::manifest::{Descriptor, Index, Manifest};
use crate::engine::image::media_type;
use crate::engine::image::store::{ImageStore, LayerBlob, StoreError};
use crate::engine::reference::{self, Reference, ReferenceError};

/// Most index levels followed on pull.
const MAX_INDEX_DEPTH: usize = 2;
/// Most redirects followed for one request.
const MAX_REDIRECTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Disk(#[from] DiskError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{0} is Docker Hub, which needs HTTPS and authentication: native mode speaks plain HTTP to a local registry (for example 127.0.0.1:5000/NAME)")]
    DockerHub(String),
    #[error("{what}: unexpected status {status}: {body}")]
    Status {
        what: String,
        status: u16,
        body: String,
    },
    #[error("manifest for {0} not found: manifest unknown: manifest unknown")]
    ManifestUnknown(String),
    #[error("manifest verification failed for digest {0}")]
    ManifestVerification(Digest),
    #[error("filesystem layer verification failed for digest {0}")]
    LayerVerification(Digest),
    #[error("invalid {what}: {message}")]
    Invalid { what: String, message: String },
}

fn invalid(what: &str, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Invalid {
        what: what.into(),
        message: e.to_string(),
    }
}

/// How to upload blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushOptions {
    /// `None`: one monolithic `PUT`; `Some(n)`: `PATCH` chunks of `n` bytes.
    pub chunk_size: Option<usize>,
}

/// Watches blob transfers as they happen (the progress bars of `docker push/pull`);
/// the final [`Transfer::lines`] do not depend on it. `id` is the short ID docker
/// shows for the layer, `action` its live verb (`Pushing`, `Downloading`).
pub trait TransferObserver {
    /// A layer transfer of `total` bytes begins.
    fn start(&mut self, _id: &str, _action: &str, _total: u64) {}
    /// `bytes` more of it moved.
    fn advance(&mut self, _id: &str, _bytes: u64) {}
    /// It ended with docker's status (`Pushed`, `Layer already exists`, `Pull complete`).
    fn done(&mut self, _id: &str, _status: &str) {}
}

/// No progress display.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl TransferObserver for NoProgress {}

/// What a push or pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Docker's output lines.
    pub lines: Vec<String>,
    /// Manifest digest.
    pub digest: Digest,
    /// Blobs actually sent or received.
    pub blobs_transferred: usize,
    pub bytes_transferred: u64,
}

struct Repo {
    base: String,
    path: String,
}

impl Repo {
    fn of(r: &Reference) -> Result<Repo, RegistryError> {
        if r.domain() == "docker.io" {
            return Err(RegistryError::DockerHub(r.familiar_string()));
        }
        Ok(Repo {
            base: format!("http://{}/v2/{}", r.domain(), r.path()),
            path: r.path().to_string(),
        })
    }

    fn url(&self, rest: &str) -> Result<Url, RegistryError> {
        Ok(Url::parse(&format!("{}/{rest}", self.base))?)
    }
}

fn status_error(what: &str, r: &http::Response) -> RegistryError {
    RegistryError::Status {
        what: what.to_string(),
        status: r.status,
        body: String::from_utf8_lossy(&r.body)
            .trim()
            .chars()
            .take(300)
            .collect(),
    }
}

/// Follows redirects (a registry may send blob GETs to storage elsewhere).
fn get(url: Url, headers: &[(&str, &str)]) -> Result<http::Response, RegistryError> {
    get_with(url, headers, &mut |_| {})
}

/// [`get`] counting body bytes received.
fn get_with(
    url: Url,
    headers: &[(&str, &str)],
    on_body: &mut dyn FnMut(u64),
) -> Result<http::Response, RegistryError> {
    let mut url = url;
    for _ in 0..MAX_REDIRECTS {
        let r = http::request_with("GET", &url, headers, &[], &mut *on_body)?;
        if matches!(r.status, 301 | 302 | 303 | 307 | 308) {
            if let Some(loc) = r.header("location") {
                url = url.join(loc)?;
                continue;
            }
        }
        return Ok(r);
    }
    Err(invalid("redirects", "too many redirects"))
}

fn short(d: &Digest) -> &str {
    d.hex().get(..12).unwrap_or(d.hex())
}

/// `docker push NAME[:TAG]` of an image in `images`.
pub fn push(
    images: &ImageStore,
    name: &str,
    opts: &PushOptions,
) -> Result<Transfer, RegistryError> {
    push_with(images, name, opts, &mut NoProgress)
}

/// [`push`], reporting each layer upload to `obs`.
pub fn push_with(
    images: &ImageStore,
    name: &str,
    opts: &PushOptions,
    obs: &mut dyn TransferObserver,
) -> Result<Transfer, RegistryError> {
    let r = reference::parse_normalized_named(name)?.tag_name_only();
    let repo = Repo::of(&r)?;
    let id = images.resolve(&r.to_string())?;
    let img = images
        .image(&id)
        .ok_or_else(|| StoreError::NoSuchImage(name.to_string()))?;
    let tag = r.tag().unwrap_or("latest").to_string();
    let mut t = Transfer {
        lines: vec![format!(
            "The push refers to repository [{}]",
            r.trim().familiar_string()
        )],
        digest: img.manifest_digest.clone(),
        blobs_transferred: 0,
        bytes_transferred: 0,
    };
    for l in img.layers.iter().rev() {
        let id = short(&l.diff_id);
        let uploaded = upload_blob(
            &repo,
            images,
            &l.descriptor.digest,
            opts,
            &mut t,
            &mut |n| {
                if n == 0 {
                    obs.start(id, "Pushing", l.descriptor.size);
                } else {
                    obs.advance(id, n);
                }
            },
        )?;
        let what = if uploaded {
            "Pushed"
        } else {
            "Layer already exists"
        };
        obs.done(id, what);
        t.lines.push(format!("{id}: {what}"));
    }
    upload_blob(&repo, images, &img.id, opts, &mut t, &mut |_| {})?;
    let manifest = images.blobs().get(&img.manifest_digest)?;
    let mt = Manifest::from_bytes(&manifest)
        .ok()
        .and_then(|m| m.media_type)
        .unwrap_or_else(|| media_type::IMAGE_MANIFEST.to_string());
    let url = repo.url(&format!("manifests/{tag}"))?;
    let resp = http::request("PUT", &url, &[("Content-Type", &mt)], &manifest)?;
    if resp.status != 201 {
        return Err(status_error("manifest upload", &resp));
    }
    if let Some(d) = resp.header("docker-content-digest") {
        if d != img.manifest_digest.to_string() {
            return Err(RegistryError::ManifestVerification(
                img.manifest_digest.clone(),
            ));
        }
    }
    t.lines.push(format!(
        "{tag}: digest: {} size: {}",
        img.manifest_digest,
        manifest.len()
    ));
    Ok(t)
}

/// Uploads one blob unless the registry has it; returns whether it was sent.
/// `progress(0)` announces the upload, then `progress(n)` counts bytes sent.
fn upload_blob(
    repo: &Repo,
    images: &ImageStore,
    d: &Digest,
    opts: &PushOptions,
    t: &mut Transfer,
    progress: &mut dyn FnMut(u64),
) -> Result<bool, RegistryError> {
    let head = http::request("HEAD", &repo.url(&format!("blobs/{d}"))?, &[], &[])?;
    if head.status == 200 {
        return Ok(false);
    }
    let bytes = images.blobs().get(d)?;
    progress(0);
    let start = http::request("POST", &repo.url("blobs/uploads/")?, &[], &[])?;
    if start.status != 202 {
        return Err(status_error("blob upload", &start));
    }
    let mut loc = start
        .header("location")
        .ok_or_else(|| invalid("upload response", "no Location header"))?
        .to_string();
    let base = repo.url("")?;
    let mut final_body: &[u8] = &bytes;
    if let Some(chunk) = opts.chunk_size.filter(|c| *c > 0) {
        let mut offset = 0usize;
        for part in bytes.chunks(chunk) {
            let range = format!("{}-{}", offset, offset + part.len() - 1);
            let url = base.join(&loc)?;
            let resp = http::request_with(
                "PATCH",
                &url,
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("Content-Range", &range),
                ],
                part,
                &mut *progress,
            )?;
            if resp.status != 202 {
                return Err(status_error("blob chunk upload", &resp));
            }
            loc = resp
                .header("location")
                .ok_or_else(|| invalid("upload response", "no Location header"))?
                .to_string();
            offset += part.len();
        }
        final_body = &[];
    }
    let sep = if loc.contains('?') { '&' } else { '?' };
    let url = base.join(&format!("{loc}{sep}digest={d}"))?;
    let resp = http::request_with(
        "PUT",
        &url,
        &[("Content-Type", "application/octet-stream")],
        final_body,
        &mut *progress,
    )?;
    if resp.status != 201 {
        return Err(status_error("blob upload", &resp));
    }
    t.blobs_transferred += 1;
    t.bytes_transferred += bytes.len() as u64;
    Ok(true)
}

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// `docker pull NAME[:TAG|@DIGEST]` into `images` (nothing is stored unless every
/// blob verified).
pub fn pull(images: &mut ImageStore, name: &str) -> Result<Transfer, RegistryError> {
    pull_with(images, name, &mut NoProgress)
}

/// [`pull`], reporting each layer download to `obs`.
pub fn pull_with(
    images: &mut ImageStore,
    name: &str,
    obs: &mut dyn TransferObserver,
) -> Result<Transfer, RegistryError> {
    let r = reference::parse_normalized_named(name)?.tag_name_only();
    let repo = Repo::of(&r)?;
    let wanted = r
        .digest()
        .map(str::to_string)
        .or(r.tag().map(str::to_string));
    let wanted = wanted.unwrap_or_else(|| "latest".into());
    let mut t = Transfer {
        lines: vec![format!("{wanted}: Pulling from {}", repo.path)],
        digest: Digest::sha256(b""),
        blobs_transferred: 0,
        bytes_transferred: 0,
    };
    let (mut manifest_bytes, mut mt) = get_manifest(&repo, &r, &wanted, r.sha256())?;
    let mut top_digest = Digest::sha256(&manifest_bytes);
    for _ in 0..MAX_INDEX_DEPTH {
        if !media_type::is_index(&mt) {
            break;
        }
        let index = Index::from_bytes(&manifest_bytes).map_err(|e| invalid("index", e))?;
        let pick: Descriptor = index
            .manifests
            .iter()
            .find(|m| {
                m.platform
                    .as_ref()
                    .is_some_and(|p| p.os == "linux" && p.architecture == "amd64")
            })
            .or_else(|| index.manifests.first())
            .cloned()
            .ok_or_else(|| invalid("index", "no manifests"))?;
        (manifest_bytes, mt) = get_manifest(
            &repo,
            &r,
            &pick.digest.to_string(),
            Some(pick.digest.clone()),
        )?;
        top_digest = pick.digest;
    }
    if !media_type::is_manifest(&mt) {
        return Err(invalid("manifest", format!("unsupported media type {mt}")));
    }
    let manifest = Manifest::from_bytes(&manifest_bytes).map_err(|e| invalid("manifest", e))?;
    let config = fetch_blob(&repo, images, &manifest.config, &mut t, &mut NoProgress)?;
    let mut layers = Vec::new();
    for l in &manifest.layers {
        let had = images.blobs().contains(&l.digest);
        let bytes = fetch_blob(&repo, images, l, &mut t, obs)?;
        let (diff_id, size) = diff_id_of(&l.digest.to_string(), &bytes)?;
        let status = if had {
            "Already exists"
        } else {
            "Pull complete"
        };
        obs.done(short(&l.digest), status);
        t.lines.push(format!("{}: {status}", short(&l.digest)));
        layers.push(LayerBlob {
            media_type: l.media_type.clone(),
            bytes,
            diff_id,
            uncompressed_size: size,
        });
    }
    let before = images.resolve(&r.to_string()).ok();
    let id = images.insert(&manifest_bytes, &config, layers)?;
    if r.digest().is_none() {
        images.add_reference(&r, &id)?;
    } else {
        images.add_reference(&r.trim().with_digest(&top_digest.to_string())?, &id)?;
    }
    t.digest = top_digest.clone();
    t.lines.push(format!("Digest: {top_digest}"));
    let shown = r.familiar_string();
    t.lines.push(if before.as_ref() == Some(&id) {
        format!("Status: Image is up to date for {shown}")
    } else {
        format!("Status: Downloaded newer image for {shown}")
    });
    t.lines.push(r.to_string());
    Ok(t)
}

fn get_manifest(
    repo: &Repo,
    r: &Reference,
    reference: &str,
    expect: Option<Digest>,
) -> Result<(Vec<u8>, String), RegistryError> {
    let resp = get(
        repo.url(&format!("manifests/{reference}"))?,
        &[("Accept", MANIFEST_ACCEPT)],
    )?;
    if resp.status == 404 {
        return Err(RegistryError::ManifestUnknown(r.familiar_string()));
    }
    if resp.status != 200 {
        return Err(status_error("manifest", &resp));
    }
    let actual = Digest::sha256(&resp.body);
    if let Some(e) = expect {
        if e != actual {
            return Err(RegistryError::ManifestVerification(e));
        }
    }
    if let Some(h) = resp.header("docker-content-digest") {
        if h != actual.to_string() {
            return Err(RegistryError::ManifestVerification(actual));
        }
    }
    // The body's own mediaType wins over a generic Content-Type.
    let mt = serde_json::from_slice::<serde_json::Value>(&resp.body)
        .ok()
        .and_then(|v| v["mediaType"].as_str().map(str::to_string))
        .or_else(|| resp.header("content-type").map(str::to_string))
        .unwrap_or_else(|| media_type::IMAGE_MANIFEST.into());
    Ok((resp.body, mt))
}

/// A blob from the local store if present, else from the registry, verified.
fn fetch_blob(
    repo: &Repo,
    images: &ImageStore,
    d: &Descriptor,
    t: &mut Transfer,
    obs: &mut dyn TransferObserver,
) -> Result<Vec<u8>, RegistryError> {
    if let Ok(b) = images.blobs().get(&d.digest) {
        return Ok(b.to_vec());
    }
    let id = short(&d.digest);
    obs.start(id, "Downloading", d.size);
    let resp = get_with(repo.url(&format!("blobs/{}", d.digest))?, &[], &mut |n| {
        obs.advance(id, n)
    })?;
    if resp.status != 200 {
        return Err(status_error(&format!("blob {}", d.digest), &resp));
    }
    if Digest::sha256(&resp.body) != d.digest || resp.body.len() as u64 != d.size {
        return Err(RegistryError::LayerVerification(d.digest.clone()));
    }
    t.blobs_transferred += 1;
    t.bytes_transferred += resp.body.len() as u64;
    Ok(resp.body)
}
