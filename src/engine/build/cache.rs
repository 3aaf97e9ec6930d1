//! The build cache, keyed as Docker keys it: the parent's key, the instruction, the
//! environment and settings the step sees, and for COPY/ADD the content and metadata
//! of every source. A miss changes the key of every later step, so it invalidates
//! them all, exactly like BuildKit's cache chain.

use std::collections::BTreeMap;

use super::copy::SourceChecksum;
use super::events::MissReason;
use super::executor::OutputLine;
use crate::engine::digest::{Digest, Sha256Writer};
use crate::engine::fs::Fs;

/// What a filesystem step's key is made of.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepInputs {
    /// The instruction as BuildKit records it (`RUN /bin/sh -c npm ci`).
    pub instruction: String,
    /// `KEY=value` pairs the step sees (image Env and build args in scope), sorted.
    pub env: Vec<String>,
    /// USER, WORKDIR, SHELL in effect.
    pub settings: String,
    /// COPY/ADD: what was read.
    pub sources: Vec<SourceChecksum>,
}

impl StepInputs {
    /// The cache key of this step on top of `parent`.
    pub fn key(&self, parent: &Digest) -> Digest {
        let mut h = Sha256Writer::new();
        h.update(b"layerlab-cache-v1\n");
        h.update(parent.hex().as_bytes());
        h.update(b"\n");
        h.update(self.instruction.as_bytes());
        h.update(b"\n");
        for e in &self.env {
            h.update(e.as_bytes());
            h.update(b"\0");
        }
        h.update(b"\n");
        h.update(self.settings.as_bytes());
        h.update(b"\n");
        for s in &self.sources {
            h.update(s.path.as_bytes());
            h.update(b"\0");
            h.update(s.digest.hex().as_bytes());
            h.update(b"\n");
        }
        h.finish()
    }
}

/// A cached step result: the root filesystem after it and what it printed.
#[derive(Debug, Clone)]
pub struct CacheEntry {
    pub rootfs: Fs,
    /// Chain ID of the layer the step made (`None`: no filesystem change).
    pub layer: Option<Digest>,
    pub output: Vec<OutputLine>,
    pub simulated_ms: u64,
    /// When it was made (simulated seconds), for history `created`.
    pub created: i64,
}

/// All cached steps of a daemon.
#[derive(Debug, Clone, Default)]
pub struct BuildCache {
    entries: BTreeMap<Digest, CacheEntry>,
    /// (parent key, instruction) → the inputs last seen, to explain misses.
    last_inputs: BTreeMap<(Digest, String), StepInputs>,
}

impl BuildCache {
    pub fn get(&self, key: &Digest) -> Option<&CacheEntry> {
        self.entries.get(key)
    }

    pub fn insert(&mut self, parent: &Digest, inputs: &StepInputs, entry: CacheEntry) {
        let key = inputs.key(parent);
        self.entries.insert(key, entry);
        self.last_inputs
            .insert((parent.clone(), inputs.instruction.clone()), inputs.clone());
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every layer chain ID the cache keeps alive.
    pub fn layers(&self) -> impl Iterator<Item = &Digest> {
        self.entries.values().filter_map(|e| e.layer.as_ref())
    }

    /// Every cached step with its key, in key order: what native mode persists between
    /// processes (BuildKit keeps its cache records on disk the same way).
    pub fn entries(&self) -> impl Iterator<Item = (&Digest, &CacheEntry)> {
        self.entries.iter()
    }

    /// The inputs last seen on each parent key (what [`BuildCache::explain_miss`]
    /// compares against), with that parent key.
    pub fn seen_inputs(&self) -> impl Iterator<Item = (&Digest, &StepInputs)> {
        self.last_inputs.iter().map(|((parent, _), i)| (parent, i))
    }

    /// Puts back a step listed by [`BuildCache::entries`] (in another process).
    pub fn restore(&mut self, key: Digest, entry: CacheEntry) {
        self.entries.insert(key, entry);
    }

    /// Puts back inputs listed by [`BuildCache::seen_inputs`].
    pub fn restore_inputs(&mut self, parent: Digest, inputs: StepInputs) {
        self.last_inputs
            .insert((parent, inputs.instruction.clone()), inputs);
    }

    /// `docker builder prune`: forget everything.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.last_inputs.clear();
    }

    /// Why `inputs` on `parent` missed. `earlier_miss`: a previous step of this stage
    /// already ran.
    pub fn explain_miss(
        &self,
        parent: &Digest,
        inputs: &StepInputs,
        earlier_miss: bool,
    ) -> MissReason {
        let Some(prev) = self
            .last_inputs
            .get(&(parent.clone(), inputs.instruction.clone()))
        else {
            // "A previous step was rebuilt" only explains a miss when this instruction
            // did run before, on the parent that earlier step used to produce; on a
            // first build nothing was ever cached.
            let ran_before = self
                .last_inputs
                .keys()
                .any(|(_, instruction)| *instruction == inputs.instruction);
            return if earlier_miss && ran_before {
                MissReason::ParentChanged
            } else {
                MissReason::NotBuiltBefore
            };
        };
        if prev.sources != inputs.sources {
            let old = by_path(&prev.sources);
            let new = by_path(&inputs.sources);
            let mut changed: Vec<String> = Vec::new();
            for (p, d) in &new {
                if old.get(p) != Some(d) {
                    changed.push(p.trim_start_matches('/').to_string());
                }
            }
            for p in old.keys() {
                if !new.contains_key(p) {
                    changed.push(format!("{} (removed)", p.trim_start_matches('/')));
                }
            }
            return MissReason::SourcesChanged(changed);
        }
        if prev.env != inputs.env {
            let mut names: Vec<String> = Vec::new();
            for e in inputs.env.iter().filter(|e| !prev.env.contains(e)) {
                names.push(e.split('=').next().unwrap_or("").to_string());
            }
            for e in prev.env.iter().filter(|e| !inputs.env.contains(e)) {
                let n = e.split('=').next().unwrap_or("").to_string();
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            return MissReason::EnvironmentChanged(names);
        }
        if prev.settings != inputs.settings {
            return MissReason::SettingsChanged("USER, WORKDIR or SHELL".into());
        }
        MissReason::NotBuiltBefore
    }
}

/// The cache key of `FROM <image>`: the base's image ID, or a constant for `scratch`.
/// Every later step's key chains from it; the native CLI's persisted cache uses it too.
pub fn from_key(image_id: Option<&Digest>) -> Digest {
    match image_id {
        Some(id) => Digest::sha256(format!("FROM {id}").as_bytes()),
        None => Digest::sha256(b"FROM scratch"),
    }
}

/// Checksums by path. Built by inserting: `collect` into a map would add one more
/// copy of the standard library's sort to the web bundle.
fn by_path(sources: &[SourceChecksum]) -> BTreeMap<&str, &Digest> {
    let mut m = BTreeMap::new();
    for s in sources {
        m.insert(s.path.as_str(), &s.digest);
    }
    m
}
