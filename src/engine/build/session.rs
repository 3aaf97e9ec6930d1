//! One `docker build` as a state machine: [`BuildSession::new`] parses the Dockerfile,
//! picks the stages the target needs and resolves their base images; each
//! [`BuildSession::step`] then runs one vertex (a FROM, a RUN/COPY/ADD/WORKDIR, the
//! export) and the metadata instructions around it, emitting [`BuildEvent`]s. The UI
//! can yield between steps; the CLI simply runs [`BuildSession::run`].
//!
//! Semantics follow BuildKit's `dockerfile2llb`: RUN, COPY, ADD and WORKDIR make
//! filesystem layers (a step that changes nothing leaves an `empty_layer` history
//! entry); every other instruction changes the config and adds an `empty_layer`
//! history entry. Values are expanded at dispatch time with the stage's ENV and ARGs.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

use super::cache::{CacheEntry, StepInputs};
use super::context::BuildContext;
use super::copy::{self, CopySpec};
use super::events::{BuildEvent, MissReason, StepRef};
use super::executor::{Executor, OutputLine, RunCommand, RunRequest};
use super::history::{go_list, go_plain_list, parse_go_duration, run_args_prefix};
use super::plan::RowKind;
use super::users;
use crate::engine::clock::rfc3339;
use crate::engine::daemon::layers::Layer;
use crate::engine::daemon::{empty_root, Daemon, ImageRecord};
use crate::engine::digest::Digest;
use crate::engine::dockerfile::expand::{process_word, process_words};
use crate::engine::dockerfile::instruction::{self as ins, Instruction, ShellOrExec};
use crate::engine::dockerfile::{Diagnostic, Dockerfile};
use crate::engine::fs::{self, FileType, Fs, Metadata};
use crate::engine::image::config::{Empty, Healthcheck, History, ImageConfig};
use crate::engine::layer::{LayerOptions, MtimePolicy};

/// A filesystem step that failed: the message and what the process printed.
struct StepFailure {
    message: String,
    output: Vec<OutputLine>,
}

/// The work of a filesystem step: from the current rootfs to the next one, what it
/// printed, and its simulated duration in ms.
type StepWork<'a> = Box<dyn FnOnce(&Fs) -> Result<(Fs, Vec<OutputLine>, u64), StepFailure> + 'a>;

impl From<String> for StepFailure {
    fn from(message: String) -> Self {
        StepFailure {
            message,
            output: Vec::new(),
        }
    }
}

/// `(KEY, value)` pairs.
type KeyValues = Vec<(String, String)>;

/// The PATH BuildKit puts in an image config that has none.
pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What `docker build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub dockerfile: String,
    /// Name shown in errors (`Dockerfile:4`).
    pub dockerfile_name: String,
    pub context: BuildContext,
    /// `-t` values.
    pub tags: Vec<String>,
    /// `--build-arg` values.
    pub build_args: Vec<(String, String)>,
    /// `--target`.
    pub target: Option<String>,
    /// `--no-cache`.
    pub no_cache: bool,
}

impl BuildRequest {
    pub fn new(dockerfile: &str, context: BuildContext) -> BuildRequest {
        BuildRequest {
            dockerfile: dockerfile.to_string(),
            dockerfile_name: "Dockerfile".to_string(),
            context,
            tags: Vec::new(),
            build_args: Vec::new(),
            target: None,
            no_cache: false,
        }
    }
}

/// Why a build failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The Dockerfile does not parse (BuildKit's message and line).
    #[error("{0}")]
    Parse(Diagnostic),
    /// A step failed.
    #[error("{message}")]
    Step {
        line: usize,
        end_line: usize,
        message: String,
    },
    /// The request itself is wrong (bad tag, unknown target, ...).
    #[error("{0}")]
    Invalid(String),
}

impl BuildError {
    /// The Dockerfile line the error points at, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            BuildError::Parse(d) if d.line > 0 => Some(d.line),
            BuildError::Step { line, .. } if *line > 0 => Some(*line),
            _ => None,
        }
    }
}

/// One row of the built image's layer stack (the seed's diagram), bottom first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackRow {
    pub line: usize,
    pub end_line: usize,
    pub instruction: String,
    pub kind: RowKind,
    /// The filesystem layer this row made (`None` for metadata, or a step that changed
    /// nothing).
    pub diff_id: Option<Digest>,
    pub chain_id: Option<Digest>,
    /// Bytes of the layer tar (for FROM: all base layers).
    pub size: u64,
    /// Base layers (FROM rows only).
    pub base_layers: usize,
    pub cached: bool,
    pub miss: Option<MissReason>,
    pub simulated_ms: u64,
    /// What a metadata row set, e.g. `Cmd = ["node" "server.js"]`.
    pub config_change: Option<String>,
}

/// The image a successful build produced.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    pub id: Digest,
    /// Normalised names it was tagged with.
    pub names: Vec<String>,
    pub config: ImageConfig,
    pub layers: Vec<Rc<Layer>>,
    /// Rows of the target stage, bottom (FROM) first.
    pub rows: Vec<StackRow>,
    /// The target stage's base image reference.
    pub base: String,
}

/// Everything a finished build reports.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    pub events: Vec<BuildEvent>,
    pub result: Result<BuiltImage, BuildError>,
    /// Total simulated time.
    pub simulated_ms: u64,
    /// Warnings printed after the build (unused build args, ...).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
enum Op {
    Definition,
    Metadata(String),
    DockerIgnore,
    From(usize),
    Context,
    Instr { stage: usize, index: usize },
    Trigger { stage: usize, text: String },
    Export,
}

#[derive(Debug, Clone)]
struct StageState {
    label: Option<String>,
    base_name: String,
    rootfs: Fs,
    config: ImageConfig,
    layers: Vec<Rc<Layer>>,
    key: Digest,
    args: BTreeMap<String, Option<String>>,
    shell: Vec<String>,
    cmd_set: bool,
    missed: bool,
    step_index: usize,
    step_total: usize,
    rows: Vec<StackRow>,
}

/// A build in progress.
pub struct BuildSession {
    req: BuildRequest,
    dockerfile: Dockerfile,
    context: BuildContext,
    ops: VecDeque<Op>,
    events: Vec<BuildEvent>,
    vertex: u32,
    stages: Vec<Option<StageState>>,
    bases: BTreeMap<usize, (String, ImageRecord)>,
    target: usize,
    meta_env: BTreeMap<String, String>,
    build_args: BTreeMap<String, String>,
    consumed_args: BTreeSet<String>,
    epoch: Option<i64>,
    simulated_ms: u64,
    result: Option<Result<BuiltImage, BuildError>>,
    names: Vec<String>,
}

/// Automatic platform ARGs (BuildKit defines them for every build).
fn platform_args() -> Vec<(&'static str, &'static str)> {
    vec![
        ("BUILDPLATFORM", "linux/amd64"),
        ("BUILDOS", "linux"),
        ("BUILDARCH", "amd64"),
        ("BUILDVARIANT", ""),
        ("TARGETPLATFORM", "linux/amd64"),
        ("TARGETOS", "linux"),
        ("TARGETARCH", "amd64"),
        ("TARGETVARIANT", ""),
    ]
}

fn stage_error(src: &ins::Source, message: impl Into<String>) -> BuildError {
    BuildError::Step {
        line: src.start_line,
        end_line: src.end_line,
        message: message.into(),
    }
}

impl BuildSession {
    /// Parses, plans and resolves base images. Errors here fail the build before any
    /// step runs (a Dockerfile that does not parse, a bad tag, a missing base image).
    pub fn new(daemon: &mut Daemon, req: BuildRequest) -> Result<BuildSession, BuildError> {
        let dockerfile = Dockerfile::from_source(&req.dockerfile).map_err(BuildError::Parse)?;
        if dockerfile.stages.is_empty() {
            return Err(BuildError::Invalid(
                "the Dockerfile has no FROM instruction".to_string(),
            ));
        }
        let mut names = Vec::new();
        for t in &req.tags {
            let named = crate::engine::reference::parse_normalized_tagged(t)
                .map_err(|e| BuildError::Invalid(format!("invalid tag {t:?}: {e}")))?;
            names.push(named.to_string());
        }
        let build_args = crate::engine::image::config::key_value_map(&req.build_args);
        let epoch = build_args
            .get("SOURCE_DATE_EPOCH")
            .and_then(|v| v.parse::<i64>().ok());

        // Meta ARGs (before the first FROM) are visible only in FROM lines.
        let mut meta_env: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in platform_args() {
            meta_env.insert(k.to_string(), v.to_string());
        }
        let mut consumed_args = BTreeSet::new();
        for arg in &dockerfile.meta_args {
            for (name, default) in &arg.args {
                let value = match build_args.get(name) {
                    Some(v) => {
                        consumed_args.insert(name.clone());
                        Some(v.clone())
                    }
                    None => match default {
                        Some(d) => Some(
                            process_word(d, &meta_env)
                                .map_err(|e| stage_error(&arg.src, e.to_string()))?,
                        ),
                        None => None,
                    },
                };
                if let Some(v) = value {
                    meta_env.insert(name.clone(), v);
                }
            }
        }

        // The target and every stage it depends on.
        let target = match &req.target {
            Some(t) => dockerfile
                .stages
                .iter()
                .position(|s| s.name.as_deref() == Some(t.to_ascii_lowercase().as_str()))
                .ok_or_else(|| {
                    BuildError::Invalid(format!("target stage \"{t}\" could not be found"))
                })?,
            None => dockerfile.stages.len() - 1,
        };
        let mut base_names = Vec::new();
        for stage in &dockerfile.stages {
            let name = process_word(&stage.base, &meta_env)
                .map_err(|e| stage_error(&stage.from.src, e.to_string()))?;
            if name.is_empty() {
                return Err(stage_error(
                    &stage.from.src,
                    "base name (${...}) should not be blank",
                ));
            }
            base_names.push(name);
        }
        let stage_index = |name: &str, before: usize| -> Option<usize> {
            let lower = name.to_ascii_lowercase();
            dockerfile.stages[..before]
                .iter()
                .position(|s| s.name.as_deref() == Some(lower.as_str()))
                .or_else(|| name.parse::<usize>().ok().filter(|&i| i < before))
        };
        let mut needed = BTreeSet::new();
        let mut todo = vec![target];
        while let Some(i) = todo.pop() {
            if !needed.insert(i) {
                continue;
            }
            if let Some(dep) = stage_index(&base_names[i], i) {
                todo.push(dep);
            }
            for inst in &dockerfile.stages[i].instructions {
                if let Instruction::Copy(c) = inst {
                    if let Some(from) = &c.from {
                        if let Some(dep) = stage_index(from, i) {
                            todo.push(dep);
                        }
                    }
                }
            }
        }

        // Resolve external base images (pulling them into the daemon if needed).
        let mut bases = BTreeMap::new();
        let mut metadata = Vec::new();
        for &i in &needed {
            let name = &base_names[i];
            if stage_index(name, i).is_some() || name.eq_ignore_ascii_case("scratch") {
                continue;
            }
            let (full, rec) = daemon
                .base_image(name)
                .map_err(|e| stage_error(&dockerfile.stages[i].from.src, e.to_string()))?;
            if !metadata.contains(&full) {
                metadata.push(full.clone());
            }
            bases.insert(i, (full, rec));
        }

        let mut ops = VecDeque::new();
        ops.push_back(Op::Definition);
        for m in metadata {
            ops.push_back(Op::Metadata(m));
        }
        ops.push_back(Op::DockerIgnore);
        let uses_context = needed.iter().any(|&i| {
            dockerfile.stages[i].instructions.iter().any(|inst| {
                matches!(inst, Instruction::Copy(c) if c.from.is_none())
                    || matches!(inst, Instruction::Add(_))
            })
        });
        let mut context_pending = uses_context;
        for &i in &needed {
            ops.push_back(Op::From(i));
            if context_pending {
                ops.push_back(Op::Context);
                context_pending = false;
            }
            for index in 0..dockerfile.stages[i].instructions.len() {
                ops.push_back(Op::Instr { stage: i, index });
            }
        }
        ops.push_back(Op::Export);
        let (context, _) = req.context.filtered().map_err(BuildError::Invalid)?;
        let stages = vec![None; dockerfile.stages.len()];
        Ok(BuildSession {
            names,
            context,
            dockerfile,
            ops,
            events: Vec::new(),
            vertex: 0,
            stages,
            bases,
            target,
            meta_env,
            build_args,
            consumed_args,
            epoch,
            simulated_ms: 0,
            result: None,
            req,
        })
    }

    /// Events so far.
    pub fn events(&self) -> &[BuildEvent] {
        &self.events
    }

    /// True when the build has finished (successfully or not).
    pub fn is_done(&self) -> bool {
        self.result.is_some()
    }

    /// Runs until the next vertex has finished. Returns false once the build is done.
    pub fn step(&mut self, daemon: &mut Daemon, exec: &mut dyn Executor) -> bool {
        if self.result.is_some() {
            return false;
        }
        while let Some(op) = self.ops.pop_front() {
            let is_vertex = !matches!(
                &op,
                Op::Instr { stage, index } if !self.is_vertex_instr(*stage, *index)
            );
            if let Err(e) = self.run_op(op, daemon, exec) {
                if let BuildError::Step {
                    line,
                    end_line,
                    message,
                } = &e
                {
                    // A metadata instruction fails as BuildKit's Dockerfile conversion
                    // does: before any vertex, so none is named (0).
                    self.events.push(BuildEvent::StepFailed {
                        vertex: if is_vertex { self.vertex } else { 0 },
                        message: message.clone(),
                        line: *line,
                        end_line: *end_line,
                    });
                }
                self.result = Some(Err(e));
                return false;
            }
            if is_vertex {
                return !self.ops.is_empty() || self.result.is_none();
            }
        }
        false
    }

    /// Runs the whole build.
    pub fn run(mut self, daemon: &mut Daemon, exec: &mut dyn Executor) -> BuildOutput {
        while self.step(daemon, exec) {}
        self.finish()
    }

    /// The outcome (call when [`BuildSession::is_done`] or to abandon the build).
    pub fn finish(self) -> BuildOutput {
        let mut warnings = Vec::new();
        let unused: Vec<&String> = self
            .build_args
            .keys()
            .filter(|k| !self.consumed_args.contains(*k) && k.as_str() != "SOURCE_DATE_EPOCH")
            .collect();
        if !unused.is_empty() {
            let list: Vec<&str> = unused.iter().map(|s| s.as_str()).collect();
            warnings.push(format!(
                "[Warning] One or more build-args [{}] were not consumed",
                list.join(" ")
            ));
        }
        BuildOutput {
            events: self.events,
            result: self
                .result
                .unwrap_or_else(|| Err(BuildError::Invalid("build was not finished".to_string()))),
            simulated_ms: self.simulated_ms,
            warnings,
        }
    }

    fn is_vertex_instr(&self, stage: usize, index: usize) -> bool {
        matches!(
            self.dockerfile.stages[stage].instructions.get(index),
            Some(
                Instruction::Run(_)
                    | Instruction::Copy(_)
                    | Instruction::Add(_)
                    | Instruction::Workdir(_)
            )
        )
    }

    fn next_vertex(&mut self) -> u32 {
        self.vertex += 1;
        self.vertex
    }

    fn spend(&mut self, daemon: &mut Daemon, ms: u64) {
        self.simulated_ms += ms;
        daemon.clock.advance_ms(ms);
    }

    fn now(&self, daemon: &Daemon) -> i64 {
        match self.epoch {
            Some(e) => e,
            None => daemon.clock.now(),
        }
    }

    fn layer_options(&self, daemon: &Daemon) -> LayerOptions {
        LayerOptions {
            mtime: match self.epoch {
                Some(e) => MtimePolicy::Clamp(e),
                None => MtimePolicy::Keep,
            },
            whiteout_mtime: daemon.clock.now(),
        }
    }

    fn run_op(
        &mut self,
        op: Op,
        daemon: &mut Daemon,
        exec: &mut dyn Executor,
    ) -> Result<(), BuildError> {
        match op {
            Op::Definition => {
                let title = format!(
                    "[internal] load build definition from {}",
                    self.req.dockerfile_name
                );
                let size = self.req.dockerfile.len() as u64;
                self.internal(daemon, title, Some(("dockerfile", size)), 20);
            }
            Op::Metadata(name) => {
                let title = format!("[internal] load metadata for {name}");
                self.internal(daemon, title, None, 400);
            }
            Op::DockerIgnore => {
                let size = self
                    .req
                    .context
                    .read_text(".dockerignore")
                    .map_or(2, |t| t.len() as u64);
                let title = "[internal] load .dockerignore".to_string();
                self.internal(daemon, title, Some(("context", size)), 10);
            }
            Op::Context => {
                let size = self.context.size();
                let title = "[internal] load build context".to_string();
                self.internal(daemon, title, Some(("context", size)), 30 + size / 100_000);
            }
            Op::From(i) => self.dispatch_from(i, daemon)?,
            Op::Instr { stage, index } => {
                let inst = self.dockerfile.stages[stage].instructions[index].clone();
                self.dispatch(stage, &inst, daemon, exec)?;
            }
            Op::Trigger { stage, text } => {
                let parsed = crate::engine::dockerfile::parse(&text);
                let node = parsed.nodes.first().cloned().ok_or_else(|| {
                    BuildError::Invalid(format!("invalid ONBUILD trigger {text:?}"))
                })?;
                let mut inst = ins::parse_instruction(&node).map_err(BuildError::Parse)?;
                // Triggers point at the FROM line of the stage that inherits them.
                let from_src = self.dockerfile.stages[stage].from.src.clone();
                set_source_lines(&mut inst, &from_src, &text);
                self.dispatch(stage, &inst, daemon, exec)?;
            }
            Op::Export => self.export(daemon)?,
        }
        Ok(())
    }

    /// An `[internal]` vertex (definition, metadata, .dockerignore, context): its title,
    /// maybe a `transferring <what>: <size> done` line, and its simulated duration.
    fn internal(
        &mut self,
        daemon: &mut Daemon,
        title: String,
        transfer: Option<(&str, u64)>,
        ms: u64,
    ) {
        let vertex = self.next_vertex();
        let lines = match transfer {
            Some((what, size)) => vec![format!(
                "transferring {what}: {} done",
                super::events::human_size(size)
            )],
            None => vec![],
        };
        self.events.push(BuildEvent::Internal {
            vertex,
            title,
            lines,
            ms,
        });
        self.spend(daemon, ms);
    }

    fn stage_label(&self, i: usize) -> Option<String> {
        if self.stages.len() == 1 {
            return None;
        }
        Some(
            self.dockerfile.stages[i]
                .name
                .clone()
                .unwrap_or_else(|| format!("stage-{i}")),
        )
    }

    fn stage_index_of(&self, name: &str, before: usize) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        self.dockerfile.stages[..before]
            .iter()
            .position(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| name.parse::<usize>().ok().filter(|&i| i < before))
    }

    fn dispatch_from(&mut self, i: usize, _daemon: &mut Daemon) -> Result<(), BuildError> {
        let stage = self.dockerfile.stages[i].clone();
        let base_name = process_word(&stage.base, &self.meta_env)
            .map_err(|e| stage_error(&stage.from.src, e.to_string()))?;
        let vertex_total = 1 + stage
            .instructions
            .iter()
            .filter(|inst| {
                matches!(
                    inst,
                    Instruction::Run(_)
                        | Instruction::Copy(_)
                        | Instruction::Add(_)
                        | Instruction::Workdir(_)
                )
            })
            .count();
        let (mut config, layers, rootfs, base_display, parent_key, triggers) =
            if let Some(dep) = self.stage_index_of(&base_name, i) {
                let st = self.stages[dep].clone().ok_or_else(|| {
                    stage_error(&stage.from.src, format!("stage {base_name} was not built"))
                })?;
                // A stage used as a base fires its ONBUILD triggers too.
                let triggers = st.config.config.on_build.clone();
                (
                    st.config.clone(),
                    st.layers.clone(),
                    st.rootfs.clone(),
                    base_name.clone(),
                    st.key.clone(),
                    triggers,
                )
            } else if base_name.eq_ignore_ascii_case("scratch") {
                (
                    ImageConfig::default(),
                    vec![],
                    empty_root(),
                    "scratch".to_string(),
                    super::cache::from_key(None),
                    vec![],
                )
            } else {
                let (full, rec) = self.bases.get(&i).cloned().ok_or_else(|| {
                    stage_error(
                        &stage.from.src,
                        format!("base image {base_name} was not resolved"),
                    )
                })?;
                let key = super::cache::from_key(Some(&rec.id));
                let triggers = rec.config.config.on_build.clone();
                (
                    rec.config.clone(),
                    rec.layers.clone(),
                    rec.rootfs(),
                    full,
                    key,
                    triggers,
                )
            };
        // BuildKit: the new image starts from the base config, without its triggers.
        config.config.on_build.clear();
        if !config.config.env.iter().any(|e| e.starts_with("PATH=")) {
            config.config.env.insert(0, DEFAULT_PATH.to_string());
        }
        config.created = None;
        let size: u64 = layers.iter().map(|l| l.content_size).sum();
        let label = self.stage_label(i);
        let mut state = StageState {
            label: label.clone(),
            base_name: base_display.clone(),
            rootfs,
            config,
            layers: layers.clone(),
            key: parent_key,
            args: BTreeMap::new(),
            shell: vec!["/bin/sh".into(), "-c".into()],
            cmd_set: false,
            missed: false,
            step_index: 1,
            step_total: vertex_total + triggers.len(),
            rows: Vec::new(),
        };
        if !state.config.config.shell.is_empty() {
            state.shell = state.config.config.shell.clone();
        }
        let v = self.next_vertex();
        let step = StepRef {
            stage: i,
            stage_label: label,
            index: 1,
            total: state.step_total,
            instruction: format!("FROM {base_display}"),
            line: stage.from.src.start_line,
            end_line: stage.from.src.end_line,
        };
        self.events
            .push(BuildEvent::StepStarted { vertex: v, step });
        self.events.push(BuildEvent::StepDone { vertex: v, ms: 0 });
        state.rows.push(StackRow {
            line: stage.from.src.start_line,
            end_line: stage.from.src.end_line,
            instruction: stage.from.src.original.clone(),
            kind: RowKind::Base,
            diff_id: layers.last().map(|l| l.diff_id.clone()),
            chain_id: layers.last().map(|l| l.chain_id.clone()),
            size,
            base_layers: layers.len(),
            cached: true,
            miss: None,
            simulated_ms: 0,
            config_change: None,
        });
        self.stages[i] = Some(state);
        for t in triggers.into_iter().rev() {
            self.ops.push_front(Op::Trigger { stage: i, text: t });
        }
        Ok(())
    }

    /// The word-expansion environment of a stage: ARGs in scope, then ENV (which wins).
    fn expand_env(&self, st: &StageState) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        for (k, v) in &st.args {
            if let Some(v) = v {
                env.insert(k.clone(), v.clone());
            }
        }
        for e in &st.config.config.env {
            if let Some((k, v)) = e.split_once('=') {
                env.insert(k.to_string(), v.to_string());
            }
        }
        env
    }

    fn dispatch(
        &mut self,
        si: usize,
        inst: &Instruction,
        daemon: &mut Daemon,
        exec: &mut dyn Executor,
    ) -> Result<(), BuildError> {
        let mut st = self.stages[si]
            .take()
            .ok_or_else(|| BuildError::Invalid("stage not started".into()))?;
        let result = self.dispatch_in(si, &mut st, inst, daemon, exec);
        self.stages[si] = Some(st);
        result
    }

    fn dispatch_in(
        &mut self,
        si: usize,
        st: &mut StageState,
        inst: &Instruction,
        daemon: &mut Daemon,
        exec: &mut dyn Executor,
    ) -> Result<(), BuildError> {
        let src = inst.source().clone();
        let env = self.expand_env(st);
        let expand = |w: &str| process_word(w, &env).map_err(|e| stage_error(&src, e.to_string()));
        let now = self.now(daemon);
        match inst {
            Instruction::Run(run) => self.dispatch_run(si, st, run, daemon, exec),
            Instruction::Copy(c) => self.dispatch_copy(si, st, c, false, daemon),
            Instruction::Add(c) => self.dispatch_copy(si, st, c, true, daemon),
            Instruction::Workdir(w) => {
                let path = expand(&w.value)?;
                let abs = fs::join(
                    if st.config.config.working_dir.is_empty() {
                        "/"
                    } else {
                        &st.config.config.working_dir
                    },
                    &path,
                );
                st.config.config.working_dir = abs.clone();
                let owner = if st.config.config.user.is_empty() {
                    users::Owner { uid: 0, gid: 0 }
                } else {
                    users::resolve(&st.rootfs, &st.config.config.user)
                        .unwrap_or(users::Owner { uid: 0, gid: 0 })
                };
                let inputs = StepInputs {
                    instruction: format!("WORKDIR {abs}"),
                    env: vec![],
                    settings: st.config.config.user.clone(),
                    sources: vec![],
                };
                let rootfs = st.rootfs.clone();
                let v = self.begin_step(si, st, &src);
                self.fs_step(
                    v,
                    st,
                    &src,
                    inputs,
                    daemon,
                    Box::new(move |_| {
                        let mut next = rootfs;
                        if !next.stat(&abs).is_ok_and(|s| s.file_type == FileType::Dir) {
                            next.mkdir_all(&abs, Metadata::new(0o755, owner.uid, owner.gid, now))
                                .map_err(|e| format!("mkdir {abs}: {e}"))?;
                        }
                        Ok((next, vec![], 20))
                    }),
                )
            }
            Instruction::Env(kv) => {
                let mut shown = Vec::new();
                for (k, v) in &kv.pairs {
                    let value = process_word(v, &self.expand_env(st))
                        .map_err(|e| stage_error(&src, e.to_string()))?;
                    set_env(&mut st.config.config.env, k, &value);
                    shown.push(format!("{k}={value}"));
                }
                self.meta(
                    st,
                    &src,
                    format!("ENV {}", shown.join(" ")),
                    "Env",
                    shown.join(" "),
                );
                Ok(())
            }
            Instruction::Label(kv) => {
                let mut shown = Vec::new();
                for (k, v) in &kv.pairs {
                    let key = expand(k)?;
                    let value = expand(v)?;
                    shown.push(format!("{key}={value}"));
                    st.config.config.labels.insert(key, value);
                }
                self.meta(
                    st,
                    &src,
                    format!("LABEL {}", shown.join(" ")),
                    "Labels",
                    shown.join(" "),
                );
                Ok(())
            }
            Instruction::Arg(arg) => {
                let mut shown = Vec::new();
                for (name, default) in &arg.args {
                    let value = if let Some(v) = self.build_args.get(name) {
                        self.consumed_args.insert(name.clone());
                        Some(v.clone())
                    } else if let Some((_, v)) =
                        platform_args().into_iter().find(|(k, _)| k == name)
                    {
                        Some(v.to_string())
                    } else if let Some(d) = default {
                        Some(expand(d)?)
                    } else {
                        self.meta_env.get(name).cloned().filter(|_| {
                            self.dockerfile
                                .meta_args
                                .iter()
                                .any(|a| a.args.iter().any(|(n, _)| n == name))
                        })
                    };
                    shown.push(match &value {
                        Some(v) => format!("{name}={v}"),
                        None => name.clone(),
                    });
                    st.args.insert(name.clone(), value);
                }
                self.meta(
                    st,
                    &src,
                    format!("ARG {}", shown.join(" ")),
                    "ARG",
                    shown.join(" "),
                );
                Ok(())
            }
            Instruction::Cmd(c) => {
                let argv = self.command_argv(st, &c.cmd);
                st.config.config.cmd = Some(argv.clone());
                st.cmd_set = true;
                self.meta(
                    st,
                    &src,
                    format!("CMD {}", go_list(&argv)),
                    "Cmd",
                    go_list(&argv),
                );
                Ok(())
            }
            Instruction::Entrypoint(c) => {
                let argv = self.command_argv(st, &c.cmd);
                st.config.config.entrypoint = Some(argv.clone());
                if !st.cmd_set {
                    // BuildKit: ENTRYPOINT resets a CMD inherited from the base image.
                    st.config.config.cmd = None;
                }
                self.meta(
                    st,
                    &src,
                    format!("ENTRYPOINT {}", go_list(&argv)),
                    "Entrypoint",
                    go_list(&argv),
                );
                Ok(())
            }
            Instruction::Shell(s) => {
                st.shell = s.shell.clone();
                st.config.config.shell = s.shell.clone();
                self.meta(
                    st,
                    &src,
                    format!("SHELL {}", go_plain_list(&s.shell)),
                    "Shell",
                    go_list(&s.shell),
                );
                Ok(())
            }
            Instruction::User(u) => {
                let user = expand(&u.value)?;
                st.config.config.user = user.clone();
                self.meta(st, &src, format!("USER {user}"), "User", user);
                Ok(())
            }
            Instruction::Expose(list) => {
                let mut ports = Vec::new();
                for raw in &list.values {
                    for p in
                        process_words(raw, &env).map_err(|e| stage_error(&src, e.to_string()))?
                    {
                        let port = if p.contains('/') {
                            p.to_ascii_lowercase()
                        } else {
                            format!("{p}/tcp")
                        };
                        let (num, proto) = port.split_once('/').unwrap_or((&port, "tcp"));
                        let valid_num = num
                            .split('-')
                            .all(|n| n.parse::<u16>().is_ok_and(|n| n > 0));
                        if !valid_num || !matches!(proto, "tcp" | "udp" | "sctp") {
                            return Err(stage_error(&src, format!("invalid containerPort: {p}")));
                        }
                        st.config
                            .config
                            .exposed_ports
                            .insert(port.clone(), Empty {});
                        ports.push(port);
                    }
                }
                let mut sorted = ports.clone();
                crate::engine::sort::sort(&mut sorted);
                sorted.dedup();
                let map: Vec<String> = sorted.iter().map(|p| format!("{p}:{{}}")).collect();
                self.meta(
                    st,
                    &src,
                    format!("EXPOSE map[{}]", map.join(" ")),
                    "ExposedPorts",
                    ports.join(" "),
                );
                Ok(())
            }
            Instruction::Volume(list) => {
                let mut vols = Vec::new();
                for raw in &list.values {
                    let v = expand(raw)?;
                    if v.trim().is_empty() {
                        return Err(stage_error(
                            &src,
                            "VOLUME specified can not be an empty string",
                        ));
                    }
                    st.config.config.volumes.insert(v.clone(), Empty {});
                    vols.push(v);
                }
                self.meta(
                    st,
                    &src,
                    format!("VOLUME {}", go_plain_list(&vols)),
                    "Volumes",
                    vols.join(" "),
                );
                Ok(())
            }
            Instruction::StopSignal(s) => {
                let sig = expand(&s.value)?;
                st.config.config.stop_signal = sig.clone();
                self.meta(st, &src, format!("STOPSIGNAL {sig}"), "StopSignal", sig);
                Ok(())
            }
            Instruction::Healthcheck(h) => {
                let parse = |v: &Option<String>| -> Result<i64, BuildError> {
                    match v {
                        Some(s) => parse_go_duration(s).map_err(|e| stage_error(&src, e)),
                        None => Ok(0),
                    }
                };
                let hc = match &h.test {
                    None => Healthcheck {
                        test: vec!["NONE".into()],
                        ..Healthcheck::default()
                    },
                    Some(test) => Healthcheck {
                        test: test.clone(),
                        interval: parse(&h.interval)?,
                        timeout: parse(&h.timeout)?,
                        start_period: parse(&h.start_period)?,
                        start_interval: parse(&h.start_interval)?,
                        retries: h.retries.unwrap_or(0),
                    },
                };
                let shown = go_list(&hc.test);
                let created_by = healthcheck_history(&hc);
                st.config.config.healthcheck = Some(hc);
                self.meta(st, &src, created_by, "Healthcheck", shown);
                Ok(())
            }
            Instruction::Onbuild(o) => {
                st.config.config.on_build.push(o.expression.clone());
                self.meta(
                    st,
                    &src,
                    format!("ONBUILD {}", o.expression),
                    "OnBuild",
                    o.expression.clone(),
                );
                Ok(())
            }
            Instruction::Maintainer(m) => {
                let name = expand(&m.value)?;
                st.config.author = Some(name.clone());
                self.meta(st, &src, format!("MAINTAINER {name}"), "Author", name);
                Ok(())
            }
            Instruction::From(_) => Ok(()),
        }
    }

    fn command_argv(&self, st: &StageState, cmd: &ShellOrExec) -> Vec<String> {
        match cmd {
            ShellOrExec::Exec(argv) => argv.clone(),
            ShellOrExec::Shell(s) => {
                let mut argv = st.shell.clone();
                argv.push(s.clone());
                argv
            }
        }
    }

    /// Starts the vertex of a filesystem step (`#N [2/5] COPY . .`), before the step's
    /// own work: COPY starts it before it reads its sources, so that a missing file or
    /// user fails that vertex, as in BuildKit.
    fn begin_step(&mut self, si: usize, st: &mut StageState, src: &ins::Source) -> u32 {
        st.step_index += 1;
        let v = self.next_vertex();
        let step = StepRef {
            stage: si,
            stage_label: st.label.clone(),
            index: st.step_index,
            total: st.step_total,
            instruction: src.original.clone(),
            line: src.start_line,
            end_line: src.end_line,
        };
        self.events
            .push(BuildEvent::StepStarted { vertex: v, step });
        v
    }

    /// A metadata-only instruction: history entry with `empty_layer`, a row, an event.
    fn meta(
        &mut self,
        st: &mut StageState,
        src: &ins::Source,
        created_by: String,
        field: &str,
        value: String,
    ) {
        // Dated at export from the layers around it (`date_history`), as BuildKit does,
        // unless SOURCE_DATE_EPOCH dates everything.
        st.config.history.push(History {
            created: self.epoch.map(rfc3339),
            created_by: Some(created_by),
            comment: Some("buildkit.dockerfile.v0".into()),
            empty_layer: true,
            author: None,
        });
        st.rows.push(StackRow {
            line: src.start_line,
            end_line: src.end_line,
            instruction: src.original.clone(),
            kind: RowKind::Metadata,
            diff_id: None,
            chain_id: None,
            size: 0,
            base_layers: 0,
            cached: false,
            miss: None,
            simulated_ms: 0,
            config_change: Some(format!("{field} = {value}")),
        });
        self.events.push(BuildEvent::ConfigChanged {
            line: src.start_line,
            instruction: src.original.clone(),
            field: field.to_string(),
            value,
        });
    }

    fn run_env(&self, st: &StageState) -> (KeyValues, KeyValues) {
        let mut env: Vec<(String, String)> = st
            .config
            .config
            .env
            .iter()
            .filter_map(|e| {
                e.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
        let mut args_in_scope = Vec::new();
        for (k, v) in &st.args {
            if let Some(v) = v {
                if !platform_args().iter().any(|(p, _)| p == k) || self.build_args.contains_key(k) {
                    args_in_scope.push((k.clone(), v.clone()));
                }
                if !env.iter().any(|(ek, _)| ek == k) {
                    env.push((k.clone(), v.clone()));
                }
            }
        }
        (env, args_in_scope)
    }

    fn dispatch_run(
        &mut self,
        si: usize,
        st: &mut StageState,
        run: &ins::Run,
        daemon: &mut Daemon,
        exec: &mut dyn Executor,
    ) -> Result<(), BuildError> {
        let src = run.src.clone();
        let command = match &run.cmd {
            ShellOrExec::Exec(argv) => RunCommand::Exec(argv.clone()),
            ShellOrExec::Shell(script) => {
                let mut script = script.clone();
                if let [doc] = run.heredocs.as_slice() {
                    if script.trim() == format!("<<{}", doc.name)
                        || script.trim() == format!("<<-{}", doc.name)
                        || script.trim_start().starts_with("<<") && !script.contains(' ')
                    {
                        // `RUN <<EOF`: the heredoc is the script.
                        script = doc.content.clone();
                    } else {
                        script = with_heredocs(&script, &run.heredocs);
                    }
                } else if !run.heredocs.is_empty() {
                    script = with_heredocs(&script, &run.heredocs);
                }
                RunCommand::Shell {
                    shell: st.shell.clone(),
                    script,
                }
            }
        };
        let (env, args_in_scope) = self.run_env(st);
        let created_by = format!(
            "RUN {}{}",
            run_args_prefix(&args_in_scope),
            command.display()
        );
        let mut env_key: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        crate::engine::sort::sort(&mut env_key);
        let workdir = if st.config.config.working_dir.is_empty() {
            "/".to_string()
        } else {
            st.config.config.working_dir.clone()
        };
        let inputs = StepInputs {
            instruction: created_by.clone(),
            env: env_key,
            settings: format!(
                "user={} workdir={} network={:?}",
                st.config.config.user, workdir, run.network
            ),
            sources: vec![],
        };
        let request = RunRequest {
            command: command.clone(),
            env,
            workdir,
            user: st.config.config.user.clone(),
            mtime: self.now(daemon),
            files: vec![],
            hostname: String::new(),
        };
        let rootfs = st.rootfs.clone();
        let v = self.begin_step(si, st, &src);
        self.fs_step(
            v,
            st,
            &src,
            inputs,
            daemon,
            Box::new(|_| {
                let result = exec.run(rootfs, &request);
                if let Some(budget) = &result.stopped_by {
                    return Err(StepFailure {
                        message: budget.clone(),
                        output: result.output,
                    });
                }
                if result.exit_code != 0 {
                    return Err(StepFailure {
                        message: format!(
                            "process \"{}\" did not complete successfully: exit code: {}",
                            command.display(),
                            result.exit_code
                        ),
                        output: result.output,
                    });
                }
                Ok((result.fs, result.output, result.simulated_ms + 150))
            }),
        )
        .map(|_| {
            if let Some(h) = st.config.history.last_mut() {
                h.created_by = Some(format!("{created_by} # buildkit"));
            }
        })
    }

    fn dispatch_copy(
        &mut self,
        si: usize,
        st: &mut StageState,
        c: &ins::Copy,
        is_add: bool,
        daemon: &mut Daemon,
    ) -> Result<(), BuildError> {
        let src = c.src.clone();
        let env = self.expand_env(st);
        let expand = |w: &str| process_word(w, &env).map_err(|e| stage_error(&src, e.to_string()));
        let mut sources = Vec::new();
        for s in &c.sources {
            sources.push(expand(s)?);
        }
        let dest = expand(&c.dest)?;
        let chmod = match &c.chmod {
            Some(m) => Some(
                u32::from_str_radix(&expand(m)?, 8)
                    .map_err(|_| stage_error(&src, format!("invalid chmod parameter: {m}")))?,
            ),
            None => None,
        };
        // Where the sources come from: the context, an earlier stage or an image.
        let (source_fs, source_name) = match &c.from {
            None => (self.context.fs().clone(), "context".to_string()),
            Some(from) => {
                let from = expand(from)?;
                if let Some(dep) = self.stage_index_of(&from, si) {
                    let dep_state = self.stages[dep]
                        .as_ref()
                        .ok_or_else(|| stage_error(&src, format!("stage {from} was not built")))?;
                    (dep_state.rootfs.clone(), from.clone())
                } else {
                    let (_, rec) = daemon
                        .base_image(&from)
                        .map_err(|e| stage_error(&src, e.to_string()))?;
                    (rec.rootfs(), from.clone())
                }
            }
        };
        // What BuildKit checks when it converts the Dockerfile is done; from here on
        // (the user to chown to, the sources) it is the COPY vertex that fails.
        let chown = match &c.chown {
            Some(spec) => Some(expand(spec)?),
            None => None,
        };
        let v = self.begin_step(si, st, &src);
        let owner = match chown {
            Some(spec) => {
                Some(users::resolve(&st.rootfs, &spec).map_err(|e| stage_error(&src, e))?)
            }
            None => None,
        };
        let workdir = if st.config.config.working_dir.is_empty() {
            "/".to_string()
        } else {
            st.config.config.working_dir.clone()
        };
        let spec = CopySpec {
            sources: sources.clone(),
            dest: dest.clone(),
            workdir,
            owner,
            chmod,
            is_add,
            exclude: c.exclude.clone(),
            parents: c.parents,
            now: self.now(daemon),
            source_name,
        };
        // Copy first (onto a cheap snapshot): the checksums of what was read are part
        // of the cache key.
        let mut next = st.rootfs.clone();
        let mut checksums =
            copy::copy(&mut next, &source_fs, &spec).map_err(|e| stage_error(&src, e))?;
        for content in &c.contents {
            let data = if content.expand {
                expand(&content.data)?
            } else {
                content.data.clone()
            };
            let target = if dest.ends_with('/') || c.contents.len() > 1 {
                fs::join(&fs::join(&spec.workdir, &dest), &content.path)
            } else {
                fs::join(&spec.workdir, &dest)
            };
            let parent = target
                .rsplit_once('/')
                .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p })
                .to_string();
            let o = owner.unwrap_or(users::Owner { uid: 0, gid: 0 });
            next.mkdir_all(&parent, Metadata::new(0o755, o.uid, o.gid, spec.now))
                .map_err(|e| stage_error(&src, e.to_string()))?;
            next.write_file(
                &target,
                data.clone().into_bytes(),
                Metadata::new(chmod.unwrap_or(0o644), o.uid, o.gid, spec.now),
            )
            .map_err(|e| stage_error(&src, e.to_string()))?;
            checksums.push(copy::SourceChecksum {
                path: format!("<<{}", content.path),
                digest: Digest::sha256(data.as_bytes()),
            });
        }
        let keyword = if is_add { "ADD" } else { "COPY" };
        let mut flags = String::new();
        if let Some(from) = &c.from {
            flags.push_str(&format!("--from={from} "));
        }
        if let Some(chown) = &c.chown {
            flags.push_str(&format!("--chown={chown} "));
        }
        if let Some(chmod) = &c.chmod {
            flags.push_str(&format!("--chmod={chmod} "));
        }
        let mut shown_sources = sources.clone();
        shown_sources.extend(c.contents.iter().map(|h| format!("<<{}", h.path)));
        let created_by = format!("{keyword} {flags}{} {dest}", shown_sources.join(" "));
        let inputs = StepInputs {
            instruction: created_by.clone(),
            env: vec![],
            settings: format!("workdir={}", spec.workdir),
            sources: checksums,
        };
        let size: u64 = self.context.size().min(u64::MAX / 2);
        self.fs_step(
            v,
            st,
            &src,
            inputs,
            daemon,
            Box::new(move |_| Ok((next, vec![], 40 + size / 200_000))),
        )
        .map(|_| {
            if let Some(h) = st.config.history.last_mut() {
                h.created_by = Some(format!("{created_by} # buildkit"));
            }
        })
    }

    /// A filesystem vertex: consult the cache, otherwise run `work`, then record the
    /// layer (if anything changed), the history entry and the row.
    ///
    /// `work` is boxed so that this long function exists once in the binary rather
    /// than once per instruction kind (RUN, COPY/ADD, WORKDIR).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn fs_step(
        &mut self,
        v: u32,
        st: &mut StageState,
        src: &ins::Source,
        inputs: StepInputs,
        daemon: &mut Daemon,
        work: StepWork<'_>,
    ) -> Result<(), BuildError> {
        let key = inputs.key(&st.key);
        let now = self.now(daemon);
        let cached = if self.req.no_cache {
            None
        } else {
            daemon.cache.get(&key).cloned()
        };
        let (rootfs, layer, ms, was_cached, miss, made_at) = match cached {
            Some(entry) => {
                self.events.push(BuildEvent::CacheHit {
                    vertex: v,
                    key: key.clone(),
                });
                let layer = entry
                    .layer
                    .as_ref()
                    .and_then(|c| daemon.layers.get(c).cloned());
                (
                    entry.rootfs.clone(),
                    layer,
                    entry.simulated_ms,
                    true,
                    None,
                    entry.created,
                )
            }
            None => {
                let reason = if self.req.no_cache {
                    MissReason::NoCache
                } else {
                    daemon.cache.explain_miss(&st.key, &inputs, st.missed)
                };
                self.events.push(BuildEvent::CacheMiss {
                    vertex: v,
                    reason: reason.clone(),
                });
                let (next, output, ms) = match work(&st.rootfs) {
                    Ok(r) => r,
                    Err(StepFailure { message, output }) => {
                        for line in output {
                            self.events.push(BuildEvent::Output {
                                vertex: v,
                                at_ms: line.at_ms,
                                stderr: line.stderr,
                                text: line.text,
                            });
                        }
                        return Err(stage_error(src, message));
                    }
                };
                for line in &output {
                    self.events.push(BuildEvent::Output {
                        vertex: v,
                        at_ms: line.at_ms,
                        stderr: line.stderr,
                        text: line.text.clone(),
                    });
                }
                self.spend(daemon, ms);
                let changes = fs::diff(&st.rootfs, &next);
                let layer = if changes.is_empty() {
                    None
                } else {
                    let parent = st.layers.last().map(|l| l.chain_id.clone());
                    let opts = self.layer_options(daemon);
                    Some(daemon.layers.create(parent.as_ref(), changes, opts))
                };
                daemon.cache.insert(
                    &st.key,
                    &inputs,
                    CacheEntry {
                        rootfs: next.clone(),
                        layer: layer.as_ref().map(|l| l.chain_id.clone()),
                        output,
                        simulated_ms: ms,
                        created: now,
                    },
                );
                st.missed = true;
                (next, layer, ms, false, Some(reason), now)
            }
        };
        if let Some(l) = &layer {
            self.events.push(BuildEvent::LayerCreated {
                vertex: v,
                diff_id: l.diff_id.clone(),
                size: l.size,
                changes: l.changes.len(),
                empty: false,
            });
            st.layers.push(l.clone());
            st.config.rootfs.diff_ids.push(l.diff_id.clone());
        }
        if was_cached {
            // BuildKit prints CACHED and no DONE line for cache hits.
        } else {
            self.events.push(BuildEvent::StepDone { vertex: v, ms });
        }
        // BuildKit dates a layer's history entry by when the layer was made (its cache
        // record), so a cached rebuild repeats it; a step without a layer is dated at
        // export, like a metadata step (see `date_history`).
        let created = match (self.epoch, &layer) {
            (Some(e), _) => Some(rfc3339(e)),
            (None, Some(_)) => Some(rfc3339(made_at)),
            (None, None) => None,
        };
        st.config.history.push(History {
            created,
            created_by: Some(inputs.instruction.clone()),
            comment: Some("buildkit.dockerfile.v0".into()),
            empty_layer: layer.is_none(),
            author: None,
        });
        st.rows.push(StackRow {
            line: src.start_line,
            end_line: src.end_line,
            instruction: src.original.clone(),
            kind: RowKind::Filesystem,
            diff_id: layer.as_ref().map(|l| l.diff_id.clone()),
            chain_id: layer.as_ref().map(|l| l.chain_id.clone()),
            size: layer.as_ref().map_or(0, |l| l.content_size),
            base_layers: 0,
            cached: was_cached,
            miss,
            simulated_ms: if was_cached { 0 } else { ms },
            config_change: None,
        });
        st.rootfs = rootfs;
        st.key = key;
        Ok(())
    }

    fn export(&mut self, daemon: &mut Daemon) -> Result<(), BuildError> {
        let st = self.stages[self.target]
            .clone()
            .ok_or_else(|| BuildError::Invalid("target stage was not built".into()))?;
        let v = self.next_vertex();
        let mut config = st.config.clone();
        date_history(&mut config.history);
        // The image is as old as its newest history entry, so a fully cached rebuild
        // writes the very same config and image ID.
        config.created = match self.epoch {
            Some(e) => Some(rfc3339(e)),
            None => config.history.iter().rev().find_map(|h| h.created.clone()),
        };
        let ms = 50 + st.layers.iter().map(|l| l.size).sum::<u64>() / 5_000_000;
        let id = daemon
            .commit_image(&config, st.layers.clone())
            .map_err(|e| BuildError::Invalid(format!("exporting image: {e}")))?;
        let mut names = Vec::new();
        for n in &self.names {
            let full = daemon.tag(n, &id).map_err(BuildError::Invalid)?;
            names.push(full);
        }
        self.spend(daemon, ms);
        self.events.push(BuildEvent::ImageWritten {
            vertex: v,
            id: id.clone(),
            names: names.clone(),
            ms,
        });
        self.result = Some(Ok(BuiltImage {
            id,
            names,
            config,
            layers: st.layers.clone(),
            rows: st.rows.clone(),
            base: st.base_name.clone(),
        }));
        Ok(())
    }
}

/// BuildKit's `fmt.Sprintf("HEALTHCHECK %q", config.Healthcheck)`.
fn healthcheck_history(hc: &Healthcheck) -> String {
    format!(
        "HEALTHCHECK &{{{} \"{}\" \"{}\" \"{}\" \"{}\" '\\x{:02x}'}}",
        go_list(&hc.test),
        go_duration(hc.interval),
        go_duration(hc.timeout),
        go_duration(hc.start_period),
        go_duration(hc.start_interval),
        hc.retries.clamp(0, 255)
    )
}

/// Go's `time.Duration.String()` (to millisecond precision).
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", trim_float(nanos as f64 / 1e6));
    }
    let total = nanos as f64 / 1e9;
    let h = (total / 3600.0).floor() as i64;
    let m = ((total - h as f64 * 3600.0) / 60.0).floor() as i64;
    let s = total - h as f64 * 3600.0 - m as f64 * 60.0;
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{}s", trim_float(s)));
    out
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Sets `KEY=value` in an Env list, replacing an earlier value in place.
fn set_env(env: &mut Vec<String>, key: &str, value: &str) {
    let entry = format!("{key}={value}");
    match env
        .iter_mut()
        .find(|e| e.split_once('=').map(|(k, _)| k) == Some(key))
    {
        Some(e) => *e = entry,
        None => env.push(entry),
    }
}

/// A shell-form RUN with heredocs: the script as the shell sees it, bodies included.
fn with_heredocs(script: &str, docs: &[crate::engine::dockerfile::Heredoc]) -> String {
    let mut out = script.to_string();
    for d in docs {
        out.push('\n');
        out.push_str(&d.content);
        out.push_str(&d.name);
    }
    out
}

/// Gives an ONBUILD trigger the location of the FROM that fired it.
fn set_source_lines(inst: &mut Instruction, from: &ins::Source, text: &str) {
    let fix = |s: &mut ins::Source| {
        s.start_line = from.start_line;
        s.end_line = from.end_line;
        s.original = format!("ONBUILD {text}");
    };
    match inst {
        Instruction::From(i) => fix(&mut i.src),
        Instruction::Run(i) => fix(&mut i.src),
        Instruction::Cmd(i) | Instruction::Entrypoint(i) => fix(&mut i.src),
        Instruction::Shell(i) => fix(&mut i.src),
        Instruction::Copy(i) | Instruction::Add(i) => fix(&mut i.src),
        Instruction::Env(i) | Instruction::Label(i) => fix(&mut i.src),
        Instruction::Arg(i) => fix(&mut i.src),
        Instruction::Workdir(i)
        | Instruction::User(i)
        | Instruction::StopSignal(i)
        | Instruction::Maintainer(i) => fix(&mut i.src),
        Instruction::Expose(i) | Instruction::Volume(i) => fix(&mut i.src),
        Instruction::Healthcheck(i) => fix(&mut i.src),
        Instruction::Onbuild(i) => fix(&mut i.src),
    }
}

/// BuildKit's exporter (`normalizeLayersAndHistory`): history entries without a time
/// (metadata steps, steps that changed nothing) take the time of the first dated entry
/// after the first undated one, or, once a dated entry follows an undated one, that
/// entry's time.
fn date_history(history: &mut [History]) {
    let mut created: Option<String> = None;
    let mut undated = false;
    for h in history.iter() {
        match &h.created {
            Some(t) => {
                created = Some(t.clone());
                if undated {
                    break;
                }
            }
            None => undated = true,
        }
    }
    undated = false;
    for h in history.iter_mut() {
        match &h.created {
            Some(t) => {
                if undated {
                    created = Some(t.clone());
                }
            }
            None => {
                undated = true;
                h.created = created.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undated_history_takes_buildkits_times() {
        let h = |t: Option<&str>| History {
            created: t.map(str::to_string),
            ..History::default()
        };
        // base (t0), ENV, RUN (t1), ENV, CMD, COPY (t2), LABEL
        let mut history = vec![
            h(Some("t0")),
            h(None),
            h(Some("t1")),
            h(None),
            h(None),
            h(Some("t2")),
            h(None),
        ];
        date_history(&mut history);
        let times: Vec<_> = history.iter().map(|x| x.created.as_deref()).collect();
        // Metadata before the first new layer takes that layer's time; later ones the
        // time of the layer before them.
        assert_eq!(
            times,
            [
                Some("t0"),
                Some("t1"),
                Some("t1"),
                Some("t1"),
                Some("t1"),
                Some("t2"),
                Some("t2")
            ]
        );
        // Only metadata after the base: the base's last time.
        let mut only_meta = vec![h(Some("t0")), h(None), h(None)];
        date_history(&mut only_meta);
        assert!(only_meta.iter().all(|x| x.created.as_deref() == Some("t0")));
    }
}
