//! Containers: a writable layer over an image's read-only layers, a main process,
//! its logs, ports and mounts. States follow Docker's (`created`, `running`, `paused`,
//! `exited`); `stop` keeps the writable layer, `rm` deletes it, volumes outlive both.
//!
//! The writable layer is an [`Fs`] that starts as the image's top snapshot (an O(1)
//! clone): writes copy-up, deletions whiteout, and `fs::diff(image rootfs, rootfs)` is
//! what overlayfs's upper directory would hold — which is `docker diff` and what
//! `docker commit` turns into a layer. The image's layers are held by `Rc`, so no
//! amount of container writes can change them.

pub mod names;
pub mod process;
pub mod volume;
pub mod writable;

use std::rc::Rc;

use crate::engine::build::executor::Executor;
use crate::engine::clock::human_duration;
use crate::engine::daemon::layers::Layer;
use crate::engine::digest::Digest;
use crate::engine::fs::{self, DockerDiffKind, Fs, Metadata};
use process::{Outcome, Spawn, SpawnError};

/// Docker's container states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Created,
    Running,
    Paused,
    Exited { code: i32 },
}

impl State {
    /// `State.Status` in `docker inspect`.
    pub fn status(self) -> &'static str {
        match self {
            State::Created => "created",
            State::Running => "running",
            State::Paused => "paused",
            State::Exited { .. } => "exited",
        }
    }

    pub fn is_running(self) -> bool {
        matches!(self, State::Running | State::Paused)
    }
}

/// A published port (`-p 8080:3000/tcp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    pub proto: String,
}

/// What a mount brings into the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountSource {
    /// A named or anonymous volume.
    Volume(String),
    /// A folder of the build context (`-v ./src:/app/src`), layerlab's host directory.
    Bind(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub source: MountSource,
    pub destination: String,
    pub read_only: bool,
}

/// One line of `docker logs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: i64,
    pub stderr: bool,
    pub text: String,
}

/// A container.
#[derive(Debug, Clone)]
pub struct Container {
    /// 64 hex characters.
    pub id: String,
    pub name: String,
    pub image_id: Digest,
    /// The image as the user named it (`docker ps` IMAGE column).
    pub image: String,
    /// The image's layers, held so the image's content cannot go while we exist.
    pub image_layers: Vec<Rc<Layer>>,
    /// The image's root filesystem (the read-only lower layers).
    pub lower: Fs,
    /// The container's root filesystem: lower + writable layer.
    pub rootfs: Fs,
    /// Main process: executable and arguments (`Path`/`Args` in `docker inspect`).
    pub path: String,
    pub args: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub tty: bool,
    pub interactive: bool,
    pub auto_remove: bool,
    pub state: State,
    pub created: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// For a process that exits by itself later (`sleep 30`).
    pub exits_at: Option<i64>,
    pub ports: Vec<PortBinding>,
    /// Ports the image exposes (`3000/tcp`).
    pub exposed: Vec<String>,
    pub mounts: Vec<Mount>,
    pub logs: Vec<LogLine>,
    pub restart_count: u32,
    pub labels: Vec<(String, String)>,
}

impl Container {
    /// `docker ps` COMMAND, untruncated: the argv joined by spaces.
    pub fn command(&self) -> String {
        let mut parts = vec![self.path.clone()];
        parts.extend(self.args.iter().cloned());
        parts.join(" ")
    }

    pub fn argv(&self) -> Vec<String> {
        let mut argv = vec![self.path.clone()];
        argv.extend(self.args.iter().cloned());
        argv
    }

    pub fn short_id(&self) -> &str {
        self.id.get(..12).unwrap_or(&self.id)
    }

    /// `docker ps` STATUS: `Created`, `Up 2 minutes`, `Exited (0) 5 seconds ago`.
    pub fn status(&self, now: i64) -> String {
        match self.state {
            State::Created => "Created".to_string(),
            State::Running => format!(
                "Up {}",
                human_duration(now - self.started_at.unwrap_or(self.created))
            ),
            State::Paused => format!(
                "Up {} (Paused)",
                human_duration(now - self.started_at.unwrap_or(self.created))
            ),
            State::Exited { code } => format!(
                "Exited ({code}) {} ago",
                human_duration(now - self.finished_at.unwrap_or(self.created))
            ),
        }
    }

    /// Mount destinations (their content is not part of the writable layer).
    pub fn mount_points(&self) -> Vec<String> {
        self.mounts.iter().map(|m| m.destination.clone()).collect()
    }

    /// `docker diff`.
    pub fn diff(&self) -> Vec<(DockerDiffKind, String)> {
        writable::docker_diff(&self.lower, &self.rootfs, &self.mount_points())
    }

    /// Bytes in the writable layer (`docker ps -s`).
    pub fn size_rw(&self) -> u64 {
        writable::size_rw(&self.lower, &self.rootfs)
    }

    /// Bytes of the image below (`virtual` in `docker ps -s`).
    pub fn size_image(&self) -> u64 {
        self.image_layers.iter().map(|l| l.content_size).sum()
    }

    /// Appends a process's output to the logs.
    pub fn log(&mut self, at: i64, outcome: &Outcome) {
        self.logs.extend(outcome.output.iter().map(|o| LogLine {
            at,
            stderr: o.stderr,
            text: o.text.clone(),
        }));
    }
}

/// A filesystem mounted into the container for one process run: `fs` below `root`
/// appears at `destination`.
#[derive(Debug, Clone)]
pub struct Mounted {
    pub destination: String,
    pub fs: Fs,
    pub root: String,
}

/// Runs `argv` in the container: its root with every mount laid over it, then splits
/// what the process wrote between the writable layer and the mounts.
pub fn run_process(
    c: &mut Container,
    mounts: &mut [Mounted],
    argv: &[String],
    now: i64,
    interactive: bool,
    exec: &mut dyn Executor,
) -> Result<Outcome, SpawnError> {
    let mut view = c.rootfs.clone();
    let dir = Metadata::new(0o755, 0, 0, now);
    for m in mounts.iter() {
        let _ = view.remove_all(&m.destination);
        let _ = view.mkdir_all(&m.destination, dir);
        let _ = writable::copy_tree(&m.fs, &m.root, &mut view, &m.destination);
    }
    let before = view.clone();
    // Docker gives every container process `HOSTNAME` (the short ID) unless `-e` sets it.
    let hostname = c.id.get(..12).unwrap_or(&c.id).to_string();
    let mut env = Vec::with_capacity(c.env.len() + 1);
    if !c.env.iter().any(|e| e.starts_with("HOSTNAME=")) {
        env.push(format!("HOSTNAME={hostname}"));
    }
    env.extend(c.env.iter().cloned());
    let spawn = Spawn {
        argv,
        env: &env,
        workdir: if c.working_dir.is_empty() {
            "/"
        } else {
            &c.working_dir
        },
        user: &c.user,
        now,
        interactive,
        hostname: &hostname,
    };
    let outcome = process::start(&mut view, &spawn, exec)?;
    let changes = fs::diff(&before, &view);
    let points: Vec<String> = mounts.iter().map(|m| m.destination.clone()).collect();
    let outside = |p: &str| !points.iter().any(|m| writable::is_under(p, m));
    writable::replay(&changes, &view, &mut c.rootfs, &outside, "/", "/");
    for m in mounts.iter_mut() {
        let root = m.root.clone();
        writable::replay(&changes, &view, &mut m.fs, &|_| true, &m.destination, &root);
    }
    Ok(outcome)
}
