//! `layerlab build` in native mode: the engine's [`BuildSession`] over the on-disk
//! store, with RUN executed by [`RuncExecutor`] (`--exec=linux`) or by the simulated
//! shell (`--exec=simulated`, the default, as everywhere else).
//!
//! The engine's `Daemon` keeps each image as a stack of in-memory layers (changesets),
//! while the store keeps blobs. [`daemon_from_store`] bridges the two: every stored
//! image's layer blobs are applied in order (`layer::apply`, containers/storage's
//! `UnpackLayer` semantics), each step becomes a daemon layer and the image is committed
//! to the daemon under its references, so `FROM busybox:1.35` finds the image that
//! `layerlab busybox-image` or `layerlab load` stored, as `docker build` finds a local
//! image before pulling. The built image is then copied back into the store
//! ([`commit_built`]) with its tags; base images in the store are left as they are.
//!
//! A cleaner engine hook would be `Daemon::adopt(&ImageStore)`, keeping the stored blobs
//! as the layers' bytes, so that a base whose tar layerlab would write differently
//! (other tools' header choices) keeps its diff_ids; today such a base is re-serialised
//! (see [`ImportedImage::rewritten`]).

use crate::engine::build::{BuildOutput, BuildRequest, BuildSession, Executor};
use crate::engine::daemon::{empty_root, Daemon};
use crate::engine::digest::Digest;
use crate::engine::fs;
use crate::engine::image::store::{ImageStore, LayerBlob, StoreError};
use crate::engine::layer::{self, LayerOptions};
use std::path::Path;

/// Why a store image could not be turned into a daemon image, or a build not stored.
#[derive(Debug, thiserror::Error)]
pub enum NativeBuildError {
    #[error("importing image {id}: {message}")]
    Import { id: Digest, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Context(String),
}

/// One store image as the daemon now holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedImage {
    /// ID in the store.
    pub store_id: Digest,
    /// ID in the daemon (equal unless re-serialising a layer changed its diff_id).
    pub daemon_id: Digest,
    /// Whether some layer's tar came out different from the stored one.
    pub rewritten: bool,
}

/// A daemon holding every image of `images` under the same references.
pub fn daemon_from_store(
    images: &ImageStore,
) -> Result<(Daemon, Vec<ImportedImage>), NativeBuildError> {
    let mut daemon = Daemon::new();
    let mut imported = Vec::new();
    for img in images.images() {
        let err = |message: String| NativeBuildError::Import {
            id: img.id.clone(),
            message,
        };
        let mut prev = empty_root();
        let mut parent: Option<Digest> = None;
        let mut layers = Vec::with_capacity(img.layers.len());
        let mut rewritten = false;
        for l in &img.layers {
            let bytes = images
                .blobs()
                .get(&l.descriptor.digest)
                .map_err(|e| err(e.to_string()))?;
            let next = layer::apply(&prev, &bytes).map_err(|e| err(e.to_string()))?;
            let changes = fs::diff(&prev, &next);
            let created = daemon
                .layers
                .create(parent.as_ref(), changes, LayerOptions::default());
            rewritten |= created.diff_id != l.diff_id;
            parent = Some(created.chain_id.clone());
            layers.push(created);
            prev = next;
        }
        let mut config = img.config.clone();
        config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
        let id = daemon
            .commit_image(&config, layers)
            .map_err(|e| err(e.to_string()))?;
        for r in images.references(&img.id) {
            daemon
                .images
                .add_reference(&r, &id)
                .map_err(|e| err(e.to_string()))?;
        }
        imported.push(ImportedImage {
            store_id: img.id.clone(),
            daemon_id: id,
            rewritten,
        });
    }
    Ok((daemon, imported))
}

/// Copies image `id` of the daemon into `store` and points `names` at it (tags move,
/// as `docker build -t` moves them).
pub fn commit_built(
    daemon: &Daemon,
    store: &mut ImageStore,
    id: &Digest,
    names: &[String],
) -> Result<Digest, NativeBuildError> {
    let img = daemon
        .images
        .image(id)
        .ok_or_else(|| StoreError::NoSuchImage(id.to_string()))?;
    // The daemon keeps layers as changesets (blobs on demand): the store gets gzip
    // blobs, as `docker save`/skopeo would write them.
    let record = daemon
        .image(id)
        .ok_or_else(|| StoreError::NoSuchImage(id.to_string()))?;
    let mut blobs = Vec::with_capacity(img.layers.len());
    for (l, layer) in img.layers.iter().zip(&record.layers) {
        let blob = match daemon.images.blobs().get(&l.descriptor.digest) {
            Ok(bytes) => LayerBlob {
                media_type: l.descriptor.media_type.clone(),
                bytes: bytes.to_vec(),
                diff_id: l.diff_id.clone(),
                uncompressed_size: l.uncompressed_size,
            },
            Err(_) => LayerBlob {
                media_type: crate::engine::image::media_type::IMAGE_LAYER_GZIP.to_string(),
                bytes: layer.blob().bytes.clone(),
                diff_id: l.diff_id.clone(),
                uncompressed_size: l.uncompressed_size,
            },
        };
        blobs.push(blob);
    }
    let stored = store.add_image(&img.config, blobs)?;
    for n in names {
        let r = crate::engine::reference::parse_normalized_named(n)
            .map_err(|e| NativeBuildError::Context(e.to_string()))?;
        store.add_reference(&r, &stored)?;
    }
    Ok(stored)
}

/// Runs a whole build against the store's images: imports them, builds with `exec`,
/// and on success stores the image under its tags. `clock_start` (seconds since the
/// epoch) is where the daemon's clock starts: real time for the CLI, a constant in
/// tests. Returns the build output and the stored image ID (on success).
pub fn build(
    store: &mut ImageStore,
    req: BuildRequest,
    exec: &mut dyn Executor,
    clock_start: Option<i64>,
) -> Result<(BuildOutput, Option<Digest>), NativeBuildError> {
    let (mut daemon, _) = daemon_from_store(store)?;
    if let Some(t) = clock_start {
        daemon.clock = crate::engine::clock::Clock::starting_at(t);
    }
    build_in(&mut daemon, store, req, exec)
}

/// [`build`] with a daemon the caller keeps (so a second build hits its cache).
pub fn build_in(
    daemon: &mut Daemon,
    store: &mut ImageStore,
    req: BuildRequest,
    exec: &mut dyn Executor,
) -> Result<(BuildOutput, Option<Digest>), NativeBuildError> {
    let session = match BuildSession::new(daemon, req) {
        Ok(s) => s,
        Err(e) => {
            return Ok((
                BuildOutput {
                    events: vec![],
                    result: Err(e),
                    simulated_ms: 0,
                    warnings: vec![],
                },
                None,
            ))
        }
    };
    let out = session.run(daemon, exec);
    let stored = match &out.result {
        Ok(img) => Some(commit_built(daemon, store, &img.id, &img.names)?),
        Err(_) => None,
    };
    Ok((out, stored))
}

/// Seconds since the epoch now (native mode stamps builds with real time).
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `layerlab build` with the native feature (arguments parsed by `native::cli`).
/// Prints BuildKit's plain progress on stderr and the image ID on stdout, as
/// `docker build -q` would.
pub(crate) fn run_cli(m: &clap::ArgMatches) -> Result<i32, String> {
    use crate::engine::build::simulated::SimulatedExecutor;
    use crate::engine::build::{failure_report, plain_progress_of};
    let one = |k: &str| m.get_one::<String>(k).cloned();
    let many = |k: &str| -> Vec<String> {
        m.get_many::<String>(k)
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    };
    let path = one("path").unwrap_or_else(|| ".".into());
    let dir = Path::new(&path);
    let dockerfile_path = one("file").map_or_else(|| dir.join("Dockerfile"), Into::into);
    let dockerfile = std::fs::read_to_string(&dockerfile_path).map_err(|e| {
        format!(
            "ERROR: failed to solve: failed to read dockerfile: open {}: {e}",
            dockerfile_path.display()
        )
    })?;
    let context = crate::cli::build::read_context(dir).map_err(|e| format!("ERROR: {e}"))?;
    let mut req = BuildRequest::new(&dockerfile, context);
    req.dockerfile_name = dockerfile_path
        .file_name()
        .map_or("Dockerfile".into(), |n| n.to_string_lossy().to_string());
    req.tags = many("tag");
    req.build_args = many("build-arg")
        .into_iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) => (k.to_string(), val.to_string()),
            None => {
                let val = std::env::var(&v).unwrap_or_default();
                (v, val)
            }
        })
        .collect();
    req.target = one("target");
    req.no_cache = m.get_flag("no-cache");
    let mut linux = None;
    if one("exec").as_deref() == Some("linux") {
        linux = Some(super::exec::RuncExecutor::detect().map_err(|e| format!("ERROR: {e}"))?);
    }
    let mut simulated = SimulatedExecutor::new();
    // Real RUN steps take real time: show them live on a terminal.
    let mut bars = linux.as_mut().map(super::progress::BuildBars::for_stderr);
    let exec: &mut dyn Executor = match bars.as_mut() {
        Some(b) => b,
        None => &mut simulated,
    };
    let disk =
        super::store::DiskStore::open(&super::store::default_home()).map_err(|e| e.to_string())?;
    let mut images = disk.load().map_err(|e| e.to_string())?;
    let (mut daemon, _) = daemon_from_store(&images).map_err(|e| format!("ERROR: {e}"))?;
    daemon.clock = crate::engine::clock::Clock::starting_at(now_secs());
    // The cache of earlier runs (same keys as in one process: see `buildcache`).
    let cache = super::buildcache::read(&disk).map_err(|e| format!("ERROR: {e}"))?;
    cache.restore(&disk, &mut daemon);
    let built = build_in(&mut daemon, &mut images, req, exec);
    if let Some(b) = bars {
        b.clear();
    }
    let (out, stored) = built.map_err(|e| format!("ERROR: {e}"))?;
    if out.result.is_ok() {
        disk.commit(&images).map_err(|e| e.to_string())?;
    }
    // Steps that ran are cached even when a later one failed, as in BuildKit.
    cache
        .record(&disk, &images, &mut daemon, &out.events)
        .and_then(|c| super::buildcache::write(&disk, &c))
        .map_err(|e| format!("ERROR: {e}"))?;
    eprint!("{}", plain_progress_of(&out.events));
    for w in &out.warnings {
        eprintln!("{w}");
    }
    let img = match out.result {
        Ok(img) => img,
        Err(e) => {
            match failure_report(&out.events, &req_name(&dockerfile_path), &dockerfile) {
                Some(report) => eprint!("{report}"),
                None => match e.line() {
                    Some(l) => eprintln!(
                        "ERROR: failed to solve: {}:{l}: {e}",
                        dockerfile_path.display()
                    ),
                    None => eprintln!("ERROR: failed to solve: {e}"),
                },
            }
            return Ok(1);
        }
    };
    if let Some(output) = one("output") {
        let dest = output
            .split(',')
            .find_map(|kv| kv.strip_prefix("dest="))
            .unwrap_or(output.as_str());
        let id = img.id.to_string();
        let names: Vec<&str> = if img.names.is_empty() {
            vec![id.as_str()]
        } else {
            img.names.iter().map(String::as_str).collect()
        };
        let tar = crate::engine::image::layout::export_tar(&daemon.images, &names)
            .map_err(|e| format!("ERROR: exporting {dest}: {e}"))?;
        std::fs::write(dest, tar).map_err(|e| format!("ERROR: write {dest}: {e}"))?;
        eprintln!("wrote OCI image layout archive {dest}");
    }
    println!("{}", stored.unwrap_or(img.id));
    Ok(0)
}

fn req_name(p: &Path) -> String {
    p.file_name()
        .map_or("Dockerfile".into(), |n| n.to_string_lossy().to_string())
}
