//! Layer analysis for the image view: what one layer changes (as a tree), what the
//! whole image's filesystem looks like and which layer last wrote each path, how much
//! space later layers waste (dive's efficiency, counted correctly), and which build
//! steps an edit would rebuild.
//!
//! The overlay model is dive's (`filetree/`): layers are applied bottom-up, an added or
//! modified entry in a higher layer hides the lower version, a whiteout (`.wh.NAME`,
//! OCI image-spec "Whiteouts") deletes it, and an opaque directory (`.wh..wh..opq`)
//! hides everything the lower layers had below it. Unlike dive, view state never
//! enters the domain types: the trees here are plain data the UI renders.
//!
//! Trees are flat arenas in pre-order (a directory before its children, siblings in
//! byte order, as layer tars list them), so building and walking them never recurses,
//! however deep a hostile path is.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::engine::build::plan::RowKind;
use crate::engine::build::simulated::SimulatedExecutor;
use crate::engine::build::StackRow;
use crate::engine::build::{
    BuildContext, BuildEvent, BuildRequest, BuildSession, MissReason, StepRef,
};
use crate::engine::daemon::layers::Layer;
use crate::engine::daemon::{empty_root, ImageRecord};
use crate::engine::fs::{ChangeKind, Changeset, FileType, Fs};
use crate::engine::world::World;

/// Errors of the analyses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("layer index {index} out of range: the image has {count} layers")]
    NoSuchLayer { index: usize, count: usize },
    /// The edited Dockerfile or context cannot be built at all (parse error, unknown
    /// target, ...): nothing can be forecast.
    #[error("{0}")]
    Build(String),
}

/// One node of a [`Tree`]: a path with its type and sizes, plus what the analysis
/// attaches (`T`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode<T> {
    /// Absolute path (`/` for the root).
    pub path: String,
    /// Last component (empty for the root).
    pub name: String,
    /// 0 for the root.
    pub depth: usize,
    pub parent: Option<usize>,
    /// Indices into [`Tree::nodes`], in name order.
    pub children: Vec<usize>,
    /// `None` only for a directory shown because something below it changed but that
    /// is not itself in the layer, or for a deletion whose lower type is unknown.
    pub file_type: Option<FileType>,
    /// Bytes of this entry (regular files; 0 for others).
    pub size: u64,
    /// `size` plus every descendant's `size`.
    pub total_size: u64,
    pub info: T,
}

/// A filesystem tree as a pre-order arena: `nodes[0]` is `/`, each directory comes
/// before its children, siblings sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree<T> {
    pub nodes: Vec<TreeNode<T>>,
}

impl<T> Tree<T> {
    pub fn root(&self) -> &TreeNode<T> {
        &self.nodes[0]
    }

    /// The node at `path`, if the tree has it.
    pub fn get(&self, path: &str) -> Option<&TreeNode<T>> {
        self.nodes.iter().find(|n| n.path == path)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }
}

/// An entry given to [`build_tree`].
struct Entry<T> {
    file_type: Option<FileType>,
    size: u64,
    info: T,
}

fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn path_of(comps: &[String]) -> String {
    if comps.is_empty() {
        "/".to_string()
    } else {
        format!("/{}", comps.join("/"))
    }
}

/// Builds the arena from entries keyed by path; ancestors missing from `entries` are
/// added with `file_type: None`, `size: 0` and `structural()` as info.
fn build_tree<T>(entries: Vec<(String, Entry<T>)>, structural: impl Fn() -> T) -> Tree<T> {
    // Component vectors order exactly as a pre-order walk with sorted siblings.
    let mut sorted: BTreeMap<Vec<String>, Entry<T>> = BTreeMap::new();
    for (path, entry) in entries {
        sorted.insert(components(&path), entry);
    }
    let keys: Vec<Vec<String>> = sorted.keys().cloned().collect();
    for key in keys {
        for n in 0..key.len() {
            let prefix = key[..n].to_vec();
            sorted.entry(prefix).or_insert_with(|| Entry {
                file_type: if n == 0 { Some(FileType::Dir) } else { None },
                size: 0,
                info: structural(),
            });
        }
    }
    sorted.entry(Vec::new()).or_insert_with(|| Entry {
        file_type: Some(FileType::Dir),
        size: 0,
        info: structural(),
    });
    let mut index: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut nodes: Vec<TreeNode<T>> = Vec::with_capacity(sorted.len());
    for (comps, entry) in sorted {
        let parent = if comps.is_empty() {
            None
        } else {
            index.get(&comps[..comps.len() - 1]).copied()
        };
        let i = nodes.len();
        if let Some(p) = parent {
            nodes[p].children.push(i);
        }
        nodes.push(TreeNode {
            path: path_of(&comps),
            name: comps.last().cloned().unwrap_or_default(),
            depth: comps.len(),
            parent,
            children: Vec::new(),
            file_type: entry.file_type,
            size: entry.size,
            total_size: entry.size,
            info: entry.info,
        });
        index.insert(comps, i);
    }
    // Children come after their parent: a reverse sweep sums subtrees bottom-up.
    for i in (1..nodes.len()).rev() {
        if let Some(p) = nodes[i].parent {
            nodes[p].total_size = nodes[p].total_size.saturating_add(nodes[i].total_size);
        }
    }
    Tree { nodes }
}

// ---------------------------------------------------------------------------
// (a) a layer's changes as a tree, and the image's cumulative tree
// ---------------------------------------------------------------------------

/// How a path changed in a layer (the image view's colour and icon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerChange {
    Added,
    Modified,
    /// Removed: the layer tar holds a whiteout `.wh.NAME` for it.
    Deleted,
    /// A directory that replaces the lower one wholesale: the tar holds
    /// `DIR/.wh..wh..opq`, so nothing the lower layers had below it shows through.
    OpaqueDir,
}

/// What a layer tree attaches to each node.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayerEntry {
    /// `None`: an unchanged ancestor shown only to hold changed descendants.
    pub change: Option<LayerChange>,
    /// The layer expresses this change with a whiteout file rather than content
    /// (deletions and opaque directories).
    pub whiteout: bool,
    /// The whiteout's path inside the layer tar (`app/.wh.tmp`,
    /// `app/cache/.wh..wh..opq`), for the "whiteouts explained" panel.
    pub whiteout_entry: Option<String>,
    /// Bytes of lower-layer files this entry hides (a deleted file or directory, or
    /// what an opaque directory replaced): still stored in the lower layers.
    pub hidden_bytes: u64,
}

/// Bytes of regular files at or below `path` in `fs` (without following a symlink
/// at `path` itself).
fn bytes_at(fs: &Fs, path: &str) -> u64 {
    match fs.lstat(path) {
        Ok(st) if st.file_type == FileType::Dir => fs.usage(path).map(|u| u.0).unwrap_or(0),
        Ok(st) if st.file_type == FileType::File => st.size,
        _ => 0,
    }
}

fn whiteout_name(path: &str, opaque: bool) -> String {
    let rel = path.trim_start_matches('/');
    if opaque {
        return format!("{rel}/.wh..wh..opq");
    }
    match rel.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.wh.{name}"),
        None => format!(".wh.{rel}"),
    }
}

/// The changes of `changes` (a layer made on top of `lower`) as a tree: every
/// changed path, with its unchanged ancestors as structural nodes.
pub fn changes_tree(lower: &Fs, changes: &Changeset) -> Tree<LayerEntry> {
    let entries = changes
        .changes()
        .iter()
        .map(|c| {
            let (change, whiteout, entry, hidden, file_type) = match c.kind {
                ChangeKind::Deleted => (
                    LayerChange::Deleted,
                    true,
                    Some(whiteout_name(&c.path, false)),
                    bytes_at(lower, &c.path),
                    lower.lstat(&c.path).ok().map(|s| s.file_type),
                ),
                _ if c.opaque => (
                    LayerChange::OpaqueDir,
                    true,
                    Some(whiteout_name(&c.path, true)),
                    bytes_at(lower, &c.path),
                    c.file_type(),
                ),
                ChangeKind::Added => (LayerChange::Added, false, None, 0, c.file_type()),
                ChangeKind::Modified => (LayerChange::Modified, false, None, 0, c.file_type()),
            };
            let size = if file_type == Some(FileType::File) && change != LayerChange::Deleted {
                c.size()
            } else {
                0
            };
            (
                c.path.clone(),
                Entry {
                    file_type,
                    size,
                    info: LayerEntry {
                        change: Some(change),
                        whiteout,
                        whiteout_entry: entry,
                        hidden_bytes: hidden,
                    },
                },
            )
        })
        .collect();
    build_tree(entries, LayerEntry::default)
}

/// The root filesystem below layer `index` of `layers` (bottom first).
fn lower_of(layers: &[Rc<Layer>], index: usize) -> Fs {
    match index.checked_sub(1).and_then(|i| layers.get(i)) {
        Some(l) => l.rootfs().clone(),
        None => empty_root(),
    }
}

/// Layer `index` (0 = bottom) of an image's stack as a change tree.
pub fn layer_tree(layers: &[Rc<Layer>], index: usize) -> Result<Tree<LayerEntry>, AnalysisError> {
    let layer = layers.get(index).ok_or(AnalysisError::NoSuchLayer {
        index,
        count: layers.len(),
    })?;
    Ok(changes_tree(&lower_of(layers, index), &layer.changes))
}

/// Path → index of the layer that last added or modified it, for every path of the
/// image's final filesystem (deleted paths are gone from the map).
pub fn last_writers(layers: &[Rc<Layer>]) -> BTreeMap<String, usize> {
    let mut map: BTreeMap<String, usize> = BTreeMap::new();
    for (i, layer) in layers.iter().enumerate() {
        for c in layer.changes.changes() {
            if c.kind == ChangeKind::Deleted || c.opaque {
                remove_below(&mut map, &c.path);
            }
            if c.kind != ChangeKind::Deleted {
                map.insert(c.path.clone(), i);
            } else {
                map.remove(&c.path);
            }
        }
    }
    map
}

/// Removes every key strictly below directory `dir`.
fn remove_below<V>(map: &mut BTreeMap<String, V>, dir: &str) -> Vec<(String, V)> {
    let prefix = format!("{}/", dir.trim_end_matches('/'));
    let keys: Vec<String> = map
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    keys.into_iter()
        .filter_map(|k| map.remove(&k).map(|v| (k, v)))
        .collect()
}

/// The layer stack of any local image (a loaded or pulled one, not the last build),
/// bottom first, from its config's history: entries with `empty_layer` are metadata
/// rows, the others take the image's layers in order. No Dockerfile lines (0). An image
/// whose history does not account for its layers gets one row per layer.
pub fn history_rows(img: &ImageRecord) -> Vec<StackRow> {
    let row = |instruction: String, layer: Option<&Rc<Layer>>| StackRow {
        line: 0,
        end_line: 0,
        instruction,
        kind: if layer.is_some() {
            RowKind::Filesystem
        } else {
            RowKind::Metadata
        },
        diff_id: layer.map(|l| l.diff_id.clone()),
        chain_id: layer.map(|l| l.chain_id.clone()),
        size: layer.map_or(0, |l| l.content_size),
        base_layers: 0,
        cached: false,
        miss: None,
        simulated_ms: 0,
        config_change: None,
    };
    let history = &img.config.history;
    let with_layers = history.iter().filter(|h| !h.empty_layer).count();
    if history.is_empty() || with_layers != img.layers.len() {
        return img
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| row(format!("layer {}", i + 1), Some(l)))
            .collect();
    }
    let mut layers = img.layers.iter();
    history
        .iter()
        .map(|h| {
            let by = h.created_by.as_deref().unwrap_or("");
            // Classic builders wrote `/bin/sh -c #(nop) CMD [...]` for metadata.
            let by = by.strip_prefix("/bin/sh -c #(nop) ").unwrap_or(by).trim();
            let by = by.strip_suffix(" # buildkit").unwrap_or(by).to_string();
            row(by, if h.empty_layer { None } else { layers.next() })
        })
        .collect()
}

/// The whole image filesystem as a tree; each node's info is the index of the layer
/// that last wrote it (`None` for the root).
pub fn image_tree(layers: &[Rc<Layer>]) -> Tree<Option<usize>> {
    let top = layers
        .last()
        .map(|l| l.rootfs().clone())
        .unwrap_or_else(empty_root);
    let writers = last_writers(layers);
    let entries = top
        .walk("/")
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let size = if e.stat.file_type == FileType::File {
                e.stat.size
            } else {
                0
            };
            let layer = writers.get(&e.path).copied();
            (
                e.path,
                Entry {
                    file_type: Some(e.stat.file_type),
                    size,
                    info: layer,
                },
            )
        })
        .collect();
    build_tree(entries, || None)
}

// ---------------------------------------------------------------------------
// (b) wasted space and efficiency
// ---------------------------------------------------------------------------

/// A path some of whose versions are wasted: written by a layer, then overwritten or
/// deleted by a later one, yet still stored (and shipped) in the earlier layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WastedPath {
    pub path: String,
    /// How many stored versions are hidden.
    pub count: usize,
    /// Their bytes, each version counted once.
    pub bytes: u64,
    /// The layers holding the hidden versions, bottom first.
    pub layers: Vec<usize>,
}

/// dive's efficiency report.
#[derive(Debug, Clone, PartialEq)]
pub struct Efficiency {
    /// Sorted by bytes (largest first), then path.
    pub wasted: Vec<WastedPath>,
    pub wasted_bytes: u64,
    /// Bytes of regular files every layer adds or rewrites (what all layer tars hold).
    pub total_bytes: u64,
    /// `1 - wasted_bytes / total_bytes` (1 for an image with no file bytes).
    pub score: f64,
}

/// Computes which file versions later layers hide. Each layer's regular files are
/// "live" until a higher layer rewrites the path (a modification, even of metadata
/// only, stores the whole file again: overlayfs copies up), deletes it or a directory
/// above it (whiteout), replaces a directory above it (opaque directory), or puts a
/// non-directory where its parent directory was. A hidden version is counted once,
/// when it is first hidden.
pub fn efficiency(layers: &[Rc<Layer>]) -> Efficiency {
    // Path → (layer, bytes) of the visible version of every regular file.
    let mut live: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let mut wasted: BTreeMap<String, WastedPath> = BTreeMap::new();
    let mut total: u64 = 0;
    for (i, layer) in layers.iter().enumerate() {
        for c in layer.changes.changes() {
            let is_dir = c.file_type() == Some(FileType::Dir);
            // Whatever was below this path goes unless a plain directory update keeps it.
            if c.kind == ChangeKind::Deleted || c.opaque || !is_dir {
                for (p, v) in remove_below(&mut live, &c.path) {
                    hide(&mut wasted, p, v);
                }
            }
            if let Some(v) = live.remove(&c.path) {
                hide(&mut wasted, c.path.clone(), v);
            }
            if c.kind != ChangeKind::Deleted && c.file_type() == Some(FileType::File) {
                let size = c.size();
                total = total.saturating_add(size);
                live.insert(c.path.clone(), (i, size));
            }
        }
    }
    let mut wasted: Vec<WastedPath> = wasted.into_values().collect();
    crate::engine::sort::sort_by(&mut wasted, |a, b| {
        b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path))
    });
    let wasted_bytes = wasted
        .iter()
        .fold(0u64, |acc, w| acc.saturating_add(w.bytes));
    let score = if total == 0 {
        1.0
    } else {
        1.0 - wasted_bytes as f64 / total as f64
    };
    Efficiency {
        wasted,
        wasted_bytes,
        total_bytes: total,
        score,
    }
}

// ---------------------------------------------------------------------------
// (c) what would rebuild?
// ---------------------------------------------------------------------------

/// Whether a step would come from the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// `FROM`: the base image (resolved, never "built").
    Base,
    /// `CACHED`: the layer is reused.
    Hit,
    /// The step would run, and why (BuildKit's cache key changed).
    Miss(MissReason),
    /// The step would fail when run.
    Fails(String),
}

/// One step of the forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepForecast {
    pub step: StepRef,
    pub outcome: StepOutcome,
}

impl StepForecast {
    pub fn would_run(&self) -> bool {
        matches!(self.outcome, StepOutcome::Miss(_) | StepOutcome::Fails(_))
    }
}

/// Which steps the build of `dockerfile` over `context` would run and which it would
/// take from `world`'s build cache. The build runs for real on a clone of the world
/// (cheap: layers and trees are shared), so the answer is exactly what `docker build`
/// would do next, cache-miss reasons included; `world` itself is not touched.
pub fn what_would_rebuild(
    world: &World,
    dockerfile: &str,
    context: &BuildContext,
) -> Result<Vec<StepForecast>, AnalysisError> {
    forecast(world, BuildRequest::new(dockerfile, context.clone()))
}

/// [`what_would_rebuild`] for a full build request (build args, target, `--no-cache`).
pub fn forecast(world: &World, req: BuildRequest) -> Result<Vec<StepForecast>, AnalysisError> {
    let mut scratch = world.clone();
    let session = BuildSession::new(&mut scratch.daemon, req)
        .map_err(|e| AnalysisError::Build(e.to_string()))?;
    let output = session.run(&mut scratch.daemon, &mut SimulatedExecutor::new());
    let mut steps: Vec<(u32, StepForecast)> = Vec::new();
    for event in &output.events {
        match event {
            BuildEvent::StepStarted { vertex, step } => steps.push((
                *vertex,
                StepForecast {
                    step: step.clone(),
                    outcome: StepOutcome::Base,
                },
            )),
            BuildEvent::CacheHit { vertex, .. } => set(&mut steps, *vertex, StepOutcome::Hit),
            BuildEvent::CacheMiss { vertex, reason } => {
                set(&mut steps, *vertex, StepOutcome::Miss(reason.clone()))
            }
            BuildEvent::StepFailed {
                vertex, message, ..
            } => set(&mut steps, *vertex, StepOutcome::Fails(message.clone())),
            _ => {}
        }
    }
    Ok(steps.into_iter().map(|(_, s)| s).collect())
}

fn hide(wasted: &mut BTreeMap<String, WastedPath>, path: String, (layer, bytes): (usize, u64)) {
    let w = wasted.entry(path.clone()).or_insert(WastedPath {
        path,
        count: 0,
        bytes: 0,
        layers: Vec::new(),
    });
    w.count += 1;
    w.bytes = w.bytes.saturating_add(bytes);
    w.layers.push(layer);
}

fn set(steps: &mut [(u32, StepForecast)], vertex: u32, outcome: StepOutcome) {
    if let Some((_, s)) = steps.iter_mut().rev().find(|(v, _)| *v == vertex) {
        s.outcome = outcome;
    }
}
