//! The build cache between `layerlab build` processes.
//!
//! The engine keeps its [`BuildCache`](crate::engine::build::cache::BuildCache) in the
//! `Daemon`, so within one process a second build shows `CACHED` for unchanged steps.
//! Native mode builds once per process, so the records are kept on disk, as BuildKit
//! keeps its cache records (`cache.db`) and snapshots beside the image store. The file
//! `$LAYERLAB_HOME/buildcache.json` holds, under the very keys the engine computes
//! ([`StepInputs::key`]):
//!
//! ```text
//! {"version": 1,
//!  "layers":  [{chain_id, diff_id, blob, mtime, whiteout_mtime}],
//!  "entries": [{key, parent, stack, layer, output, simulated_ms, created}],
//!  "inputs":  [{parent, instruction, env, settings, sources}]}
//! ```
//!
//! A step's root filesystem is not stored as a tree: it is the top of the entry's
//! `stack` (chain IDs, bottom first). Each layer of a stack is a blob in
//! `blobs/sha256/`: a stored image's blob when one has that diff_id, else the layer's
//! uncompressed tar (named by its diff_id, as an OCI `layer.v1.tar` blob is). Restoring
//! applies the blobs in order (containers/storage's `ApplyDiff`) and re-creates each
//! layer with the options it was written with (`SOURCE_DATE_EPOCH`, whiteout mtimes);
//! an entry is restored only when every chain ID comes out the same, so a hit can never
//! give a different layer than the build that recorded it. The previous key of an
//! entry (`parent`) is what lets a later process find the stack of a step that made no
//! layer (`RUN echo hi`): it is the stack of the step before it, or of the `FROM`
//! image.
//!
//! The file is written atomically ([`super::fsio`]) under the store lock, after the
//! blobs it names; [`super::store::DiskStore::gc`] and `fsck` count those blobs as
//! live; `layerlab builder prune` deletes the file and then collects the blobs. A file
//! that does not parse, or has another `version`, is an error naming the file (and
//! `builder prune` as the way out), never a panic and never silently ignored.

use super::fsio;
use super::store::{DiskError, DiskStore};
use crate::engine::build::cache::{from_key, CacheEntry, StepInputs};
use crate::engine::build::copy::SourceChecksum;
use crate::engine::build::executor::OutputLine;
use crate::engine::build::BuildEvent;
use crate::engine::daemon::{empty_root, Daemon};
use crate::engine::digest::Digest;
use crate::engine::fs::{self, Fs};
use crate::engine::image::chain::chain_ids;
use crate::engine::image::store::ImageStore;
use crate::engine::layer::{self, LayerOptions, MtimePolicy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::PathBuf;

/// Name of the cache file in the store.
pub const FILE: &str = "buildcache.json";

/// Format version this layerlab reads and writes.
pub const VERSION: u64 = 1;

/// Larger cache files are refused rather than read into memory.
const MAX_FILE_SIZE: u64 = 256 << 20;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheFile {
    pub version: u64,
    #[serde(default)]
    pub layers: Vec<LayerRecord>,
    #[serde(default)]
    pub entries: Vec<EntryRecord>,
    #[serde(default)]
    pub inputs: Vec<InputsRecord>,
}

impl Default for CacheFile {
    fn default() -> Self {
        CacheFile {
            version: VERSION,
            layers: Vec::new(),
            entries: Vec::new(),
            inputs: Vec::new(),
        }
    }
}

/// One layer some entry's root filesystem stacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRecord {
    pub chain_id: Digest,
    pub diff_id: Digest,
    /// The blob that applies this layer (gzip or plain tar).
    pub blob: Digest,
    #[serde(default)]
    pub mtime: MtimeRecord,
    #[serde(default)]
    pub whiteout_mtime: i64,
}

/// [`MtimePolicy`] as JSON: `{"policy":"clamp","at":1700000000}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "policy", content = "at")]
pub enum MtimeRecord {
    #[default]
    Keep,
    Clamp(i64),
    Set(i64),
}

impl LayerRecord {
    fn options(&self) -> LayerOptions {
        LayerOptions {
            mtime: match self.mtime {
                MtimeRecord::Keep => MtimePolicy::Keep,
                MtimeRecord::Clamp(t) => MtimePolicy::Clamp(t),
                MtimeRecord::Set(t) => MtimePolicy::Set(t),
            },
            whiteout_mtime: self.whiteout_mtime,
        }
    }
}

/// One cached step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRecord {
    pub key: Digest,
    /// The key of the step (or `FROM`) before it.
    pub parent: Digest,
    /// Chain IDs of the root filesystem after the step, bottom first.
    pub stack: Vec<Digest>,
    /// Whether the top of `stack` is the layer this step made.
    pub layer: bool,
    #[serde(default)]
    pub output: Vec<OutputRecord>,
    #[serde(default)]
    pub simulated_ms: u64,
    #[serde(default)]
    pub created: i64,
}

/// A line the step printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRecord {
    pub at_ms: u64,
    pub stderr: bool,
    pub text: String,
}

/// The inputs last seen for an instruction on a parent key (to explain misses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputsRecord {
    pub parent: Digest,
    pub instruction: String,
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub settings: String,
    #[serde(default)]
    pub sources: Vec<SourceRecord>,
}

/// A COPY/ADD source checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub path: String,
    pub digest: Digest,
}

impl InputsRecord {
    fn to_inputs(&self) -> StepInputs {
        StepInputs {
            instruction: self.instruction.clone(),
            env: self.env.clone(),
            settings: self.settings.clone(),
            sources: self
                .sources
                .iter()
                .map(|s| SourceChecksum {
                    path: s.path.clone(),
                    digest: s.digest.clone(),
                })
                .collect(),
        }
    }

    fn of(parent: &Digest, i: &StepInputs) -> InputsRecord {
        InputsRecord {
            parent: parent.clone(),
            instruction: i.instruction.clone(),
            env: i.env.clone(),
            settings: i.settings.clone(),
            sources: i
                .sources
                .iter()
                .map(|s| SourceRecord {
                    path: s.path.clone(),
                    digest: s.digest.clone(),
                })
                .collect(),
        }
    }
}

/// Where the cache file of `disk` is.
pub fn path(disk: &DiskStore) -> PathBuf {
    disk.root().join(FILE)
}

fn invalid(disk: &DiskStore, message: impl std::fmt::Display) -> DiskError {
    DiskError::Invalid {
        what: format!("build cache {}", path(disk).display()),
        message: format!("{message} (`layerlab builder prune -f` removes it)"),
    }
}

/// Reads the cache file; no file is an empty cache.
pub fn read(disk: &DiskStore) -> Result<CacheFile, DiskError> {
    let p = path(disk);
    let io_err = |source: io::Error| DiskError::Io {
        path: p.display().to_string(),
        source,
    };
    match std::fs::metadata(&p) {
        Ok(m) if m.len() > MAX_FILE_SIZE => {
            return Err(invalid(disk, format!("larger than {MAX_FILE_SIZE} bytes")))
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(CacheFile::default()),
        Err(e) => return Err(io_err(e)),
    }
    let bytes = std::fs::read(&p).map_err(io_err)?;
    parse(&bytes).map_err(|m| invalid(disk, m))
}

/// Parses the file's bytes, checking the version before the rest.
pub fn parse(bytes: &[u8]) -> Result<CacheFile, String> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u64,
    }
    let v: Versioned = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if v.version != VERSION {
        return Err(format!(
            "unsupported format version {} (this layerlab reads version {VERSION})",
            v.version
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// Writes the cache file atomically (its blobs must be in the store already).
pub fn write(disk: &DiskStore, file: &CacheFile) -> Result<(), DiskError> {
    let bytes = serde_json::to_vec(file).map_err(|e| invalid(disk, e))?;
    fsio::write_atomic(disk.root(), FILE, &bytes).map_err(|source| DiskError::Io {
        path: path(disk).display().to_string(),
        source,
    })
}

/// What `builder prune` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Keys of the cached steps.
    pub entries: Vec<Digest>,
    /// Bytes of the blobs removed.
    pub reclaimed: u64,
}

/// `docker builder prune`: forgets every cached step (a corrupted file included) and
/// removes the blobs nothing else uses.
pub fn prune(disk: &DiskStore) -> Result<Pruned, DiskError> {
    let p = path(disk);
    let entries = read(disk)
        .map(|f| f.entries.into_iter().map(|e| e.key).collect())
        .unwrap_or_default();
    fsio::remove_durable(&p).map_err(|source| DiskError::Io {
        path: p.display().to_string(),
        source,
    })?;
    let sizes: BTreeMap<Digest, u64> = disk
        .blob_files()?
        .into_iter()
        .filter_map(|(d, path)| Some((d?, std::fs::metadata(path).ok()?.len())))
        .collect();
    let reclaimed = disk
        .gc()?
        .iter()
        .map(|d| sizes.get(d).copied().unwrap_or(0))
        .sum();
    Ok(Pruned { entries, reclaimed })
}

impl CacheFile {
    /// Every blob the cache keeps alive.
    pub fn blobs(&self) -> BTreeSet<Digest> {
        self.layers.iter().map(|l| l.blob.clone()).collect()
    }

    /// Puts every entry whose layers come out exactly as recorded into
    /// `daemon.cache`; returns how many. Layers are made once even when many entries
    /// stack them; an entry whose blob is gone or differs is left out (a miss, not an
    /// error: `fsck` reports the blob).
    pub fn restore(&self, disk: &DiskStore, daemon: &mut Daemon) -> usize {
        let layers: BTreeMap<&Digest, &LayerRecord> =
            self.layers.iter().map(|l| (&l.chain_id, l)).collect();
        let mut failed = BTreeSet::new();
        let mut restored = 0;
        for e in &self.entries {
            if e.layer && e.stack.is_empty() {
                continue;
            }
            let Some(rootfs) = make_stack(&e.stack, &layers, disk, daemon, &mut failed) else {
                continue;
            };
            let entry = CacheEntry {
                rootfs,
                layer: if e.layer {
                    e.stack.last().cloned()
                } else {
                    None
                },
                output: e
                    .output
                    .iter()
                    .map(|o| OutputLine {
                        at_ms: o.at_ms,
                        stderr: o.stderr,
                        text: o.text.clone(),
                    })
                    .collect(),
                simulated_ms: e.simulated_ms,
                created: e.created,
            };
            daemon.cache.restore(e.key.clone(), entry);
            restored += 1;
        }
        for i in &self.inputs {
            daemon.cache.restore_inputs(i.parent.clone(), i.to_inputs());
        }
        restored
    }

    /// The records of `daemon.cache` after a build whose events are `events`: every
    /// entry whose stack can be named, with the blobs of its layers written to `disk`
    /// (a blob of `images` when one has the layer's diff_id). Records of `self` are
    /// kept for entries whose parent this process cannot resolve.
    pub fn record(
        &self,
        disk: &DiskStore,
        images: &ImageStore,
        daemon: &mut Daemon,
        events: &[BuildEvent],
    ) -> Result<CacheFile, DiskError> {
        let bases = base_stacks(daemon, events);
        let mut parent_of: BTreeMap<Digest, Digest> = self
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.parent.clone()))
            .collect();
        for (p, inputs) in daemon.cache.seen_inputs() {
            parent_of.insert(inputs.key(p), p.clone());
        }
        let old: BTreeMap<&Digest, &EntryRecord> =
            self.entries.iter().map(|e| (&e.key, e)).collect();
        let entries: BTreeMap<Digest, CacheEntry> = daemon
            .cache
            .entries()
            .map(|(k, e)| (k.clone(), e.clone()))
            .collect();
        let mut stacks: BTreeMap<Digest, Vec<Digest>> = BTreeMap::new();
        let mut records = Vec::new();
        for (key, entry) in &entries {
            let Some(parent) = parent_of.get(key) else {
                continue;
            };
            let stack = match old.get(key) {
                // Unchanged since it was read (`--no-cache` may have replaced it).
                Some(r)
                    if r.layer == entry.layer.is_some()
                        && (!r.layer || r.stack.last() == entry.layer.as_ref()) =>
                {
                    Some(r.stack.clone())
                }
                _ => stack_of(key, &entries, &parent_of, &bases, daemon, &mut stacks),
            };
            let Some(stack) = stack else {
                continue;
            };
            records.push(EntryRecord {
                key: key.clone(),
                parent: parent.clone(),
                stack,
                layer: entry.layer.is_some(),
                output: entry
                    .output
                    .iter()
                    .map(|o| OutputRecord {
                        at_ms: o.at_ms,
                        stderr: o.stderr,
                        text: o.text.clone(),
                    })
                    .collect(),
                simulated_ms: entry.simulated_ms,
                created: entry.created,
            });
        }
        // The blobs, before the file that names them.
        let known: BTreeMap<&Digest, &LayerRecord> =
            self.layers.iter().map(|l| (&l.chain_id, l)).collect();
        let mut store_blobs: BTreeMap<&Digest, &Digest> = BTreeMap::new();
        for img in images.images() {
            for l in &img.layers {
                store_blobs.insert(&l.diff_id, &l.descriptor.digest);
            }
        }
        let mut layers: BTreeMap<Digest, LayerRecord> = BTreeMap::new();
        let mut unusable: BTreeSet<Digest> = BTreeSet::new();
        for r in &records {
            for c in &r.stack {
                if layers.contains_key(c) || unusable.contains(c) {
                    continue;
                }
                match layer_record(c, &known, &store_blobs, disk, daemon)? {
                    Some(l) => {
                        layers.insert(c.clone(), l);
                    }
                    None => {
                        unusable.insert(c.clone());
                    }
                }
            }
        }
        records.retain(|r| r.stack.iter().all(|c| layers.contains_key(c)));
        let mut inputs: Vec<InputsRecord> = daemon
            .cache
            .seen_inputs()
            .map(|(p, i)| InputsRecord::of(p, i))
            .collect();
        inputs.sort_by(|a, b| (&a.parent, &a.instruction).cmp(&(&b.parent, &b.instruction)));
        Ok(CacheFile {
            version: VERSION,
            layers: layers.into_values().collect(),
            entries: records,
            inputs,
        })
    }
}

/// The root filesystem on top of `stack`, re-making layers the daemon lacks.
fn make_stack(
    stack: &[Digest],
    records: &BTreeMap<&Digest, &LayerRecord>,
    disk: &DiskStore,
    daemon: &mut Daemon,
    failed: &mut BTreeSet<Digest>,
) -> Option<Fs> {
    let mut parent: Option<Digest> = None;
    for c in stack {
        if failed.contains(c) {
            return None;
        }
        if daemon.layers.get(c).is_none() {
            let made = (|| {
                let rec = records.get(c)?;
                let bytes = disk.get_blob(&rec.blob).ok()?;
                let prev = parent
                    .as_ref()
                    .and_then(|p| daemon.layers.get(p))
                    .map_or_else(empty_root, |l| l.rootfs().clone());
                let next = layer::apply(&prev, &bytes).ok()?;
                let changes = fs::diff(&prev, &next);
                let made = daemon
                    .layers
                    .create(parent.as_ref(), changes, rec.options());
                (made.chain_id == *c && made.diff_id == rec.diff_id).then_some(())
            })();
            if made.is_none() {
                failed.insert(c.clone());
                return None;
            }
        }
        parent = Some(c.clone());
    }
    Some(
        parent
            .and_then(|p| daemon.layers.get(&p))
            .map_or_else(empty_root, |l| l.rootfs().clone()),
    )
}

/// Stacks of every image a `FROM` may have named: the daemon's images and the bases
/// the build's `FROM` steps resolved (simulated bases are not in the image store).
fn base_stacks(daemon: &mut Daemon, events: &[BuildEvent]) -> BTreeMap<Digest, Vec<Digest>> {
    let mut out = BTreeMap::new();
    out.insert(from_key(None), Vec::new());
    let ids: Vec<Digest> = daemon.images.images().map(|i| i.id.clone()).collect();
    for id in ids {
        if let Some(rec) = daemon.image(&id) {
            out.insert(
                from_key(Some(&id)),
                rec.layers.iter().map(|l| l.chain_id.clone()).collect(),
            );
        }
    }
    for ev in events {
        let BuildEvent::StepStarted { step, .. } = ev else {
            continue;
        };
        let Some(name) = step.instruction.strip_prefix("FROM ") else {
            continue;
        };
        if let Ok((_, rec)) = daemon.base_image(name) {
            out.insert(
                from_key(Some(&rec.id)),
                rec.layers.iter().map(|l| l.chain_id.clone()).collect(),
            );
        }
    }
    out
}

/// The stack of entry `key`: its parent's stack (an earlier entry's, or a base's)
/// plus its own layer, checked against the OCI chain ID rule. Iterative, bounded by
/// the number of entries.
fn stack_of(
    key: &Digest,
    entries: &BTreeMap<Digest, CacheEntry>,
    parent_of: &BTreeMap<Digest, Digest>,
    bases: &BTreeMap<Digest, Vec<Digest>>,
    daemon: &Daemon,
    memo: &mut BTreeMap<Digest, Vec<Digest>>,
) -> Option<Vec<Digest>> {
    let mut pending = Vec::new();
    let mut k = key;
    let mut stack = loop {
        if let Some(s) = memo.get(k).or_else(|| bases.get(k)) {
            break s.clone();
        }
        if pending.len() > entries.len() {
            return None;
        }
        pending.push(k.clone());
        k = parent_of.get(k)?;
    };
    for k in pending.into_iter().rev() {
        let entry = entries.get(&k)?;
        if let Some(c) = &entry.layer {
            let mut diff_ids = Vec::with_capacity(stack.len() + 1);
            for s in &stack {
                diff_ids.push(daemon.layers.get(s)?.diff_id.clone());
            }
            diff_ids.push(daemon.layers.get(c)?.diff_id.clone());
            let mut expected = stack.clone();
            expected.push(c.clone());
            if chain_ids(&diff_ids) != expected {
                return None;
            }
            stack = expected;
        }
        memo.insert(k, stack.clone());
    }
    Some(stack)
}

/// The record of layer `c`, writing its blob unless the store has one already.
fn layer_record(
    c: &Digest,
    known: &BTreeMap<&Digest, &LayerRecord>,
    store_blobs: &BTreeMap<&Digest, &Digest>,
    disk: &DiskStore,
    daemon: &Daemon,
) -> Result<Option<LayerRecord>, DiskError> {
    if let Some(r) = known.get(c).filter(|r| disk.has_blob(&r.blob)) {
        return Ok(Some((*r).clone()));
    }
    let Some(l) = daemon.layers.get(c) else {
        return Ok(None);
    };
    let blob = match store_blobs.get(&l.diff_id).filter(|b| disk.has_blob(b)) {
        Some(b) => (*b).clone(),
        None => disk.put_blob(&l.tar())?,
    };
    Ok(Some(LayerRecord {
        chain_id: c.clone(),
        diff_id: l.diff_id.clone(),
        blob,
        mtime: match l.options.mtime {
            MtimePolicy::Keep => MtimeRecord::Keep,
            MtimePolicy::Clamp(t) => MtimeRecord::Clamp(t),
            MtimePolicy::Set(t) => MtimeRecord::Set(t),
        },
        whiteout_mtime: l.options.whiteout_mtime,
    }))
}
