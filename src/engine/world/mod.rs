//! The world: one simulated Docker host — the daemon (images, layers, build cache,
//! clock), containers, volumes, the registries it can reach, login state, and the
//! build context that `docker build .` refers to. Every `docker ...` command acts on a
//! `World`; the same commands on a fresh world always give the same output.

mod containers;
mod distribution;

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::build::{BuildContext, BuildOutput};
use crate::engine::daemon::Daemon;
use crate::engine::digest::Digest;
use crate::engine::image::store::{ContainerUse, StoreError};
use crate::engine::registry::{Registries, RegistryError};
use crate::engine::runtime::process::SpawnError;
use crate::engine::runtime::volume::{VolumeError, Volumes};
use crate::engine::runtime::Container;

pub use containers::{check_cli_values, parse_port, ExecSpec, RunSpec};
pub use distribution::{registry_host, Transfer};

/// Errors of world operations, worded as the Docker daemon words them (the CLI adds
/// `Error response from daemon: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    #[error("No such container: {0}")]
    NoSuchContainer(String),
    #[error("container {0} is not running")]
    NotRunning(String),
    #[error("container {0} is paused, unpause the container before exec")]
    Paused(String),
    #[error("cannot remove container \"/{0}\": container is running: stop the container before removing or force remove")]
    RemoveRunning(String),
    #[error("Conflict. The container name \"/{name}\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name.")]
    NameInUse { name: String, id: String },
    #[error("Invalid container name ({0}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")]
    InvalidName(String),
    #[error("driver failed programming external connectivity on endpoint {name} ({id}): Bind for 0.0.0.0:{port} failed: port is already allocated")]
    PortAllocated { name: String, id: String, port: u16 },
    #[error("failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: {0}: unknown")]
    Spawn(SpawnError),
    #[error("{0}")]
    Invalid(String),
    #[error("An image does not exist locally with the tag: {0}")]
    NoLocalTag(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Volume(#[from] VolumeError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// A simulated Docker host.
#[derive(Debug, Clone)]
pub struct World {
    pub daemon: Daemon,
    /// In creation order.
    pub containers: Vec<Container>,
    pub volumes: Volumes,
    pub registries: Registries,
    /// Registry host → logged-in user.
    pub logins: BTreeMap<String, String>,
    /// The folder `docker build .` sends (the UI's context editor).
    pub context: BuildContext,
    /// The Dockerfile `docker build` uses when `-f` is not given (the UI's editor);
    /// empty: the context's `Dockerfile`.
    pub dockerfile: String,
    /// The last build's events and result, for the UI's build view.
    pub last_build: Option<BuildOutput>,
    /// The interactive shell the terminal is attached to (`docker run -it alpine sh`,
    /// `docker exec -it web sh`): until it exits, terminal lines go to it.
    pub attached: Option<Attached>,
    /// Files on the simulated host that docker commands write and read by name
    /// (`docker save -o my-api.tar`, `docker load -i my-api.tar`; the page puts a file
    /// the learner picks here).
    pub host_files: BTreeMap<String, std::rc::Rc<Vec<u8>>>,
    container_seq: u64,
}

/// A terminal attached to a shell in a container (see `engine::cli::attach`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// The container's full ID.
    pub container: String,
    /// The container's main process (`run -it`): when it exits, the container stops.
    /// Otherwise an `exec -it` session, which leaves the container running.
    pub main: bool,
    /// The shell's program name (`sh`, `bash`, ...): the prompt follows it.
    pub shell: String,
    /// The shell's working directory, carried from one line to the next.
    pub cwd: String,
    /// The user the shell runs as, as `USER`/`-u` give it (empty: root).
    pub user: String,
}

impl Default for World {
    fn default() -> Self {
        World::with_context(
            BuildContext::from_fs(crate::engine::daemon::empty_root()),
            "",
        )
    }
}

impl World {
    /// A fresh host: no images, no containers, empty context.
    pub fn new() -> World {
        World::default()
    }

    /// A fresh host whose build context and Dockerfile are given.
    pub fn with_context(context: BuildContext, dockerfile: &str) -> World {
        World {
            daemon: Daemon::new(),
            containers: Vec::new(),
            volumes: Volumes::default(),
            registries: Registries::default(),
            logins: BTreeMap::new(),
            context,
            dockerfile: dockerfile.to_string(),
            last_build: None,
            attached: None,
            host_files: BTreeMap::new(),
            container_seq: 0,
        }
    }

    /// A file of the simulated host by the path typed: the host is one folder, so
    /// only the last part of the path names it.
    pub fn host_file(&self, path: &str) -> Option<std::rc::Rc<Vec<u8>>> {
        self.host_files.get(host_file_name(path)).cloned()
    }

    /// Seconds since the epoch on the simulated clock.
    pub fn now(&self) -> i64 {
        self.daemon.clock.now()
    }

    /// Lets simulated time pass (processes with a deadline exit).
    pub fn advance(&mut self, seconds: u64) {
        self.daemon.clock.advance_ms(seconds.saturating_mul(1000));
        self.refresh();
    }

    /// Which images containers use (for `rmi` conflicts): running ones take precedence.
    pub fn images_in_use(&self) -> BTreeMap<Digest, ContainerUse> {
        let mut used: BTreeMap<Digest, ContainerUse> = BTreeMap::new();
        for c in &self.containers {
            let running = c.state.is_running();
            let entry = used.entry(c.image_id.clone()).or_insert(ContainerUse {
                container_id: c.id.clone(),
                running,
            });
            if running && !entry.running {
                *entry = ContainerUse {
                    container_id: c.id.clone(),
                    running,
                };
            }
        }
        used
    }

    /// Chain IDs of the image layers containers sit on.
    pub fn container_layers(&self) -> BTreeSet<Digest> {
        // Inserted one by one: `collect` into a set would add a sort to the bundle.
        let mut set = BTreeSet::new();
        for c in &self.containers {
            set.extend(c.image_layers.iter().map(|l| l.chain_id.clone()));
        }
        set
    }

    /// Forgets every layer of the daemon's layer store that no image, container or
    /// build-cache entry uses any more (after `rmi` / `image prune`). Returns how many
    /// layers were dropped.
    pub fn gc_layers(&mut self) -> usize {
        let held = self.container_layers();
        self.daemon.gc_layers(&held)
    }

    /// Finds a container by name, full ID or unique ID prefix, as the daemon does.
    pub fn container_index(&self, key: &str) -> Result<usize, WorldError> {
        let missing = || WorldError::NoSuchContainer(key.to_string());
        if key.is_empty() {
            return Err(missing());
        }
        if let Some(i) = self.containers.iter().position(|c| c.id == key) {
            return Ok(i);
        }
        let name = key.strip_prefix('/').unwrap_or(key);
        if let Some(i) = self.containers.iter().position(|c| c.name == name) {
            return Ok(i);
        }
        let matches: Vec<usize> = self
            .containers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.id.starts_with(key))
            .map(|(i, _)| i)
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            _ => Err(missing()),
        }
    }

    pub fn container(&self, key: &str) -> Result<&Container, WorldError> {
        let i = self.container_index(key)?;
        Ok(&self.containers[i])
    }

    /// The user logged in to `host`, if any.
    pub fn login_of(&self, host: &str) -> Option<&str> {
        self.logins.get(host).map(String::as_str)
    }
}

/// The name a path gives a file of the simulated host (its last part).
pub fn host_file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
