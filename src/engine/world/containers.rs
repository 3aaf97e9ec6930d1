//! Container verbs on the world: create, start, stop, kill, restart, rm, exec, commit.
//! Each follows the daemon's behaviour (moby `daemon/create.go`, `start.go`,
//! `stop.go`, `delete.go`, `exec.go`, `commit.go`).

use super::{World, WorldError};
use crate::engine::build::executor::Executor;
use crate::engine::clock::rfc3339;
use crate::engine::digest::Digest;
use crate::engine::fs::{self, Fs, Metadata};
use crate::engine::image::config::{self, History, ImageConfig};
use crate::engine::layer::LayerOptions;
use crate::engine::runtime::process::{Outcome, SpawnError};
use crate::engine::runtime::{
    names, run_process, writable, Container, Mount, MountSource, Mounted, PortBinding, State,
};

/// What `docker create` / `docker run` were asked for.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    pub image: String,
    pub name: Option<String>,
    /// `-e K=V` (and `--env-file` lines), in order.
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    /// `--entrypoint` (empty string: none).
    pub entrypoint: Option<String>,
    /// Arguments after the image: replace CMD.
    pub command: Vec<String>,
    /// `-p` values as typed.
    pub ports: Vec<String>,
    /// `-P`.
    pub publish_all: bool,
    /// `--expose` values as typed (`9000`, `9000/udp`, `8000-8010`).
    pub expose: Vec<String>,
    /// `-v` values as typed.
    pub volumes: Vec<String>,
    pub interactive: bool,
    pub tty: bool,
    pub auto_remove: bool,
    pub labels: Vec<(String, String)>,
}

/// What `docker exec` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ExecSpec {
    pub command: Vec<String>,
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub interactive: bool,
}

/// moby's container name rule.
fn valid_container_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `-e` semantics: `K=V` sets, `K` alone takes the client's value (none here: unset).
fn merge_env(base: &[String], overrides: &[String]) -> Vec<String> {
    let mut env: Vec<String> = base.to_vec();
    for o in overrides {
        let key = o.split_once('=').map_or(o.as_str(), |(k, _)| k);
        env.retain(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) != key);
        if o.contains('=') {
            env.push(o.clone());
        }
    }
    env
}

/// Parses `-p [ip:][hostPort:]containerPort[/proto]` (host port 0: ephemeral).
/// One `--expose` value as `PORT/PROTO` keys: a port or a range, tcp unless named
/// (the docker CLI's `nat.ParsePortRange` over `nat.SplitProtoPort`).
fn expose_ports(value: &str) -> Result<Vec<String>, WorldError> {
    if value.contains(':') {
        return Err(WorldError::Invalid(format!(
            "invalid port format for --expose: {value}"
        )));
    }
    // `nat.ParsePortRange`'s own error follows the CLI's words.
    let invalid = |why: String| {
        WorldError::Invalid(format!(
            "invalid range format for --expose: {value}, error: {why}"
        ))
    };
    let (range, proto) = value.split_once('/').unwrap_or((value, "tcp"));
    let num = |s: &str| {
        s.parse::<u16>().map_err(|_| {
            let why = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "value out of range"
            } else {
                "invalid syntax"
            };
            invalid(format!("strconv.ParseUint: parsing \"{s}\": {why}"))
        })
    };
    let (lo, hi) = match range.split_once('-') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => (num(range)?, num(range)?),
    };
    if hi < lo {
        return Err(invalid(format!(
            "invalid range specified for port: {range}"
        )));
    }
    Ok((lo..=hi).map(|p| format!("{p}/{proto}")).collect())
}

/// What the docker CLI checks before it asks the daemon anything (`-p`, `--expose`):
/// a bad value is refused before an image is pulled.
pub fn check_cli_values(spec: &RunSpec) -> Result<(), WorldError> {
    for p in &spec.ports {
        parse_port(p)?;
    }
    for e in &spec.expose {
        expose_ports(e)?;
    }
    Ok(())
}

pub fn parse_port(spec: &str) -> Result<(String, u16, u16, String), WorldError> {
    let invalid = || WorldError::Invalid(format!("invalid containerPort: {spec}"));
    let (rest, proto) = match spec.rsplit_once('/') {
        Some((r, p)) if matches!(p, "tcp" | "udp" | "sctp") => (r, p.to_string()),
        Some(_) => return Err(WorldError::Invalid(format!("invalid proto: {spec}"))),
        None => (spec, "tcp".to_string()),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let port = |s: &str| -> Result<u16, WorldError> {
        s.parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| WorldError::Invalid(format!("invalid hostPort: {s}")))
    };
    match parts.as_slice() {
        [c] => Ok(("0.0.0.0".into(), 0, port(c).map_err(|_| invalid())?, proto)),
        [h, c] => Ok((
            "0.0.0.0".into(),
            if h.is_empty() { 0 } else { port(h)? },
            port(c).map_err(|_| invalid())?,
            proto,
        )),
        [ip, h, c] => Ok((
            if ip.is_empty() { "0.0.0.0" } else { ip }.to_string(),
            if h.is_empty() { 0 } else { port(h)? },
            port(c).map_err(|_| invalid())?,
            proto,
        )),
        _ => Err(invalid()),
    }
}

impl World {
    fn next_container_id(&mut self) -> String {
        self.container_seq += 1;
        Digest::sha256(
            format!(
                "container {} {}",
                self.container_seq,
                self.daemon.clock.now_ms()
            )
            .as_bytes(),
        )
        .hex()
        .to_string()
    }

    /// `docker create`: a container in state `created`. The image must be local.
    pub fn create_container(&mut self, spec: &RunSpec) -> Result<String, WorldError> {
        let image = self.daemon.find_image(&spec.image)?;
        let now = self.now();
        let name = match &spec.name {
            Some(n) => {
                let n = n.strip_prefix('/').unwrap_or(n).to_string();
                if !valid_container_name(&n) {
                    return Err(WorldError::InvalidName(n));
                }
                if let Some(c) = self.containers.iter().find(|c| c.name == n) {
                    return Err(WorldError::NameInUse {
                        name: n,
                        id: c.id.clone(),
                    });
                }
                n
            }
            None => {
                let mut n = 0;
                loop {
                    let candidate = names::generate(self.container_seq * 16 + n);
                    if !self.containers.iter().any(|c| c.name == candidate) || n > 64 {
                        break candidate;
                    }
                    n += 1;
                }
            }
        };
        let cfg = &image.config.config;
        let entrypoint = match &spec.entrypoint {
            Some(e) if e.is_empty() => None,
            Some(e) => Some(vec![e.clone()]),
            None => cfg.entrypoint.clone(),
        };
        // Docker: arguments replace CMD; a new entrypoint also drops the image's CMD.
        let cmd = if !spec.command.is_empty() {
            Some(spec.command.clone())
        } else if spec.entrypoint.is_some() {
            None
        } else {
            cfg.cmd.clone()
        };
        let mut argv: Vec<String> = entrypoint.clone().unwrap_or_default();
        argv.extend(cmd.clone().unwrap_or_default());
        let Some((path, args)) = argv.split_first() else {
            return Err(WorldError::Invalid("no command specified".into()));
        };
        let mut env = merge_env(&cfg.env, &spec.env);
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.insert(0, crate::engine::build::session::DEFAULT_PATH.to_string());
        }
        let mut exposed: Vec<String> = cfg.exposed_ports.keys().cloned().collect();
        for e in &spec.expose {
            for key in expose_ports(e)? {
                if !exposed.contains(&key) {
                    exposed.push(key);
                }
            }
        }
        let mut ports = Vec::new();
        for p in &spec.ports {
            let (host_ip, host_port, container_port, proto) = parse_port(p)?;
            let key = format!("{container_port}/{proto}");
            if !exposed.contains(&key) {
                exposed.push(key);
            }
            ports.push(PortBinding {
                host_ip,
                host_port,
                container_port,
                proto,
            });
        }
        if spec.publish_all {
            for e in &exposed {
                let (p, proto) = e.split_once('/').unwrap_or((e.as_str(), "tcp"));
                if let Ok(cp) = p.parse::<u16>() {
                    if !ports
                        .iter()
                        .any(|b| b.container_port == cp && b.proto == proto)
                    {
                        ports.push(PortBinding {
                            host_ip: "0.0.0.0".into(),
                            host_port: 0,
                            container_port: cp,
                            proto: proto.to_string(),
                        });
                    }
                }
            }
        }
        crate::engine::sort::sort(&mut exposed);
        let lower = image.rootfs();
        let mut mounts = Vec::new();
        for v in &spec.volumes {
            mounts.push(self.parse_mount(v, &lower, now)?);
        }
        // Anonymous volumes for the image's VOLUME paths not mounted explicitly.
        for path in cfg.volumes.keys() {
            if !mounts.iter().any(|m: &Mount| &m.destination == path) {
                let name = self.volumes.create_anonymous(now);
                self.seed_volume(&name, &lower, path);
                mounts.push(Mount {
                    source: MountSource::Volume(name),
                    destination: path.clone(),
                    read_only: false,
                });
            }
        }
        let id = self.next_container_id();
        let working_dir = spec
            .workdir
            .clone()
            .unwrap_or_else(|| cfg.working_dir.clone());
        let mut labels: Vec<(String, String)> = cfg
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        labels.extend(spec.labels.iter().cloned());
        self.containers.push(Container {
            id: id.clone(),
            name,
            image_id: image.id.clone(),
            image: spec.image.clone(),
            image_layers: image.layers.clone(),
            rootfs: lower.clone(),
            lower,
            path: path.clone(),
            args: args.to_vec(),
            entrypoint,
            cmd,
            env,
            working_dir,
            user: spec.user.clone().unwrap_or_else(|| cfg.user.clone()),
            tty: spec.tty,
            interactive: spec.interactive,
            auto_remove: spec.auto_remove,
            state: State::Created,
            created: now,
            started_at: None,
            finished_at: None,
            exits_at: None,
            ports,
            exposed,
            mounts,
            logs: Vec::new(),
            restart_count: 0,
            labels,
        });
        Ok(id)
    }

    /// `-v name:/path[:ro]`, `-v /path` (anonymous), `-v ./dir:/path` (a folder of the
    /// build context, layerlab's stand-in for a host directory).
    fn parse_mount(&mut self, v: &str, lower: &Fs, now: i64) -> Result<Mount, WorldError> {
        let parts: Vec<&str> = v.split(':').collect();
        let (source, dest, mode) = match parts.as_slice() {
            [d] => (None, *d, ""),
            [s, d] => (Some(*s), *d, ""),
            [s, d, m] => (Some(*s), *d, *m),
            _ => {
                return Err(WorldError::Invalid(format!(
                    "invalid spec: {v}: too many colons"
                )))
            }
        };
        if !dest.starts_with('/') {
            return Err(WorldError::Invalid(format!(
                "invalid mount config for type \"volume\": invalid mount path: '{dest}' mount path must be absolute"
            )));
        }
        let read_only = match mode {
            "" | "rw" => false,
            "ro" => true,
            other => return Err(WorldError::Invalid(format!("invalid mode: {other}"))),
        };
        let destination = fs::normalize(dest);
        let source = match source {
            None => {
                let name = self.volumes.create_anonymous(now);
                self.seed_volume(&name, lower, &destination);
                MountSource::Volume(name)
            }
            Some(s) if s.starts_with('.') || s.starts_with('/') => {
                let rel = fs::normalize(&format!("/{}", s.trim_start_matches('.')));
                MountSource::Bind(rel)
            }
            Some(s) => {
                let fresh = self.volumes.get(s).is_none();
                self.volumes.create(s, now)?;
                if fresh || self.volumes.get(s).is_some_and(|v| v.is_empty()) {
                    self.seed_volume(s, lower, &destination);
                }
                MountSource::Volume(s.to_string())
            }
        };
        Ok(Mount {
            source,
            destination,
            read_only,
        })
    }

    /// Docker copies the image's content at the mount path into a new, empty volume.
    fn seed_volume(&mut self, name: &str, lower: &Fs, path: &str) {
        if let Some(vol) = self.volumes.get_mut(name) {
            if lower.exists(path) && vol.is_empty() {
                let _ = writable::copy_tree(lower, path, &mut vol.fs, "/");
            }
        }
    }

    fn mounted(&self, c: &Container) -> Vec<Mounted> {
        c.mounts
            .iter()
            .filter_map(|m| match &m.source {
                MountSource::Volume(name) => self.volumes.get(name).map(|v| Mounted {
                    destination: m.destination.clone(),
                    fs: v.fs.clone(),
                    root: "/".to_string(),
                }),
                MountSource::Bind(rel) => {
                    let mut ctx = self.context.fs().clone();
                    let _ = ctx.mkdir_all(rel, Metadata::new(0o755, 0, 0, 0));
                    Some(Mounted {
                        destination: m.destination.clone(),
                        fs: ctx,
                        root: rel.clone(),
                    })
                }
            })
            .collect()
    }

    /// Stores what a process wrote into mounts back into volumes and the context.
    fn unmount(&mut self, i: usize, mounted: Vec<Mounted>) {
        let mounts = self.containers[i].mounts.clone();
        for (m, fs) in mounts.iter().zip(mounted) {
            if m.read_only {
                continue;
            }
            match &m.source {
                MountSource::Volume(name) => {
                    if let Some(v) = self.volumes.get_mut(name) {
                        v.fs = fs.fs;
                    }
                }
                MountSource::Bind(_) => {
                    self.context = crate::engine::build::BuildContext::from_fs(fs.fs);
                }
            }
        }
    }

    /// Runs `argv` inside container `i` and keeps what it wrote.
    fn run_in(
        &mut self,
        i: usize,
        argv: &[String],
        interactive: bool,
        exec: &mut dyn Executor,
    ) -> Result<Outcome, SpawnError> {
        let now = self.now();
        let mut mounted = self.mounted(&self.containers[i]);
        let result = run_process(
            &mut self.containers[i],
            &mut mounted,
            argv,
            now,
            interactive,
            exec,
        );
        if result.is_ok() {
            self.unmount(i, mounted);
        }
        result
    }

    /// The next free ephemeral host port (Docker starts at 32768).
    fn ephemeral_port(&self) -> u16 {
        let used: Vec<u16> = self
            .containers
            .iter()
            .filter(|c| c.state.is_running())
            .flat_map(|c| c.ports.iter().map(|p| p.host_port))
            .collect();
        (32768..=60999).find(|p| !used.contains(p)).unwrap_or(32768)
    }

    /// `docker start`: runs the main process. Returns what it printed.
    pub fn start_container(
        &mut self,
        key: &str,
        exec: &mut dyn Executor,
    ) -> Result<Outcome, WorldError> {
        let i = self.container_index(key)?;
        if self.containers[i].state.is_running() {
            return Ok(Outcome {
                output: Vec::new(),
                exit_code: None,
                exits_after: None,
            });
        }
        // Host ports: a port another running container holds is refused.
        let mut ports = self.containers[i].ports.clone();
        for p in ports.iter_mut() {
            if p.host_port == 0 {
                p.host_port = self.ephemeral_port();
            }
            let taken = self.containers.iter().enumerate().any(|(j, c)| {
                j != i
                    && c.state.is_running()
                    && c.ports
                        .iter()
                        .any(|q| q.host_port == p.host_port && q.proto == p.proto)
            });
            if taken {
                let c = &self.containers[i];
                let e = WorldError::PortAllocated {
                    name: c.name.clone(),
                    id: c.id.clone(),
                    port: p.host_port,
                };
                return Err(self.failed_start(i, e));
            }
        }
        self.containers[i].ports = ports;
        let argv = self.containers[i].argv();
        let interactive = self.containers[i].interactive;
        let outcome = match self.run_in(i, &argv, interactive, exec) {
            Ok(o) => o,
            Err(e) => {
                // The process never ran: the container stays `created` (exit code 127).
                return Err(self.failed_start(i, WorldError::Spawn(e)));
            }
        };
        let now = self.now();
        let c = &mut self.containers[i];
        c.log(now, &outcome);
        c.started_at = Some(now);
        c.finished_at = None;
        match outcome.exit_code {
            Some(code) => {
                c.state = State::Exited { code };
                c.finished_at = Some(now);
            }
            None => {
                c.state = State::Running;
                c.exits_at = outcome.exits_after.map(|s| now + s);
            }
        }
        if c.auto_remove && !c.state.is_running() {
            let id = c.id.clone();
            self.remove_container(&id, true, true)?;
        }
        Ok(outcome)
    }

    /// A start that failed leaves the container `created`, except that `--rm` removes
    /// it with its anonymous volumes (moby `containerStart`'s deferred cleanup).
    fn failed_start(&mut self, i: usize, e: WorldError) -> WorldError {
        if self.containers[i].auto_remove {
            let id = self.containers[i].id.clone();
            let _ = self.remove_container(&id, true, true);
        }
        e
    }

    /// The main process of a running container exited by itself with `code` (the
    /// attached shell of `docker run -it` ran `exit`): the container stops, and `--rm`
    /// removes it as moby does when the process ends.
    pub fn main_process_exited(&mut self, key: &str, code: i32) -> Result<(), WorldError> {
        let i = self.container_index(key)?;
        let now = self.now();
        let c = &mut self.containers[i];
        if !c.state.is_running() {
            return Ok(());
        }
        c.state = State::Exited { code };
        c.finished_at = Some(now);
        c.exits_at = None;
        if c.auto_remove {
            let id = c.id.clone();
            self.remove_container(&id, true, true)?;
        }
        Ok(())
    }

    /// What a process attached to the container's terminal printed goes to its log
    /// (`docker logs` shows a `-it` session's output).
    pub fn log_terminal_output(&mut self, key: &str, outcome: &Outcome) -> Result<(), WorldError> {
        let i = self.container_index(key)?;
        let now = self.now();
        self.containers[i].log(now, outcome);
        Ok(())
    }

    /// Lets processes with a deadline (`sleep 30`) exit.
    pub fn refresh(&mut self) {
        let now = self.now();
        let mut gone = Vec::new();
        for c in self.containers.iter_mut() {
            if let (State::Running, Some(t)) = (c.state, c.exits_at) {
                if t <= now {
                    c.state = State::Exited { code: 0 };
                    c.finished_at = Some(t);
                    c.exits_at = None;
                    if c.auto_remove {
                        gone.push(c.id.clone());
                    }
                }
            }
        }
        for id in gone {
            let _ = self.remove_container(&id, true, true);
        }
    }

    /// Does the main process handle SIGTERM? nginx does; a Node or Python app as PID 1
    /// only if its code installs a handler, else `docker stop` waits out its timeout
    /// and kills it (exit 137).
    fn handles_sigterm(&self, c: &Container) -> bool {
        let argv = c.argv();
        if argv.iter().any(|a| a.ends_with("nginx")) {
            return true;
        }
        let workdir = if c.working_dir.is_empty() {
            "/"
        } else {
            &c.working_dir
        };
        argv.iter().skip(1).any(|a| {
            c.rootfs
                .read_file(&fs::join(workdir, a))
                .is_ok_and(|content| {
                    String::from_utf8_lossy(&content.read_range(0, 1 << 20)).contains("SIGTERM")
                })
        })
    }

    /// `docker stop [-t N]`: SIGTERM, then SIGKILL after the timeout (default 10s).
    pub fn stop_container(&mut self, key: &str, timeout: u64) -> Result<(), WorldError> {
        let i = self.container_index(key)?;
        if !self.containers[i].state.is_running() {
            return Ok(());
        }
        let graceful = self.handles_sigterm(&self.containers[i]);
        let code = if graceful {
            0
        } else {
            self.daemon.clock.advance_ms(timeout.saturating_mul(1000));
            137
        };
        self.finish(i, code);
        Ok(())
    }

    /// `docker kill`: SIGKILL.
    pub fn kill_container(&mut self, key: &str) -> Result<(), WorldError> {
        let i = self.container_index(key)?;
        if !self.containers[i].state.is_running() {
            let id = self.containers[i].id.clone();
            return Err(WorldError::Invalid(format!(
                "cannot kill container: {key}: container {id} is not running"
            )));
        }
        self.finish(i, 137);
        Ok(())
    }

    fn finish(&mut self, i: usize, code: i32) {
        let now = self.now();
        let c = &mut self.containers[i];
        c.state = State::Exited { code };
        c.finished_at = Some(now);
        c.exits_at = None;
        if c.auto_remove {
            let id = c.id.clone();
            let _ = self.remove_container(&id, true, true);
        }
    }

    /// `docker restart`.
    pub fn restart_container(
        &mut self,
        key: &str,
        timeout: u64,
        exec: &mut dyn Executor,
    ) -> Result<(), WorldError> {
        let i = self.container_index(key)?;
        let id = self.containers[i].id.clone();
        self.containers[i].auto_remove = false;
        self.stop_container(&id, timeout)?;
        self.containers[i].restart_count += 1;
        self.start_container(&id, exec).map(|_| ())
    }

    /// `docker rm [-f] [-v]`: deletes the writable layer; `-v` also anonymous volumes.
    pub fn remove_container(
        &mut self,
        key: &str,
        force: bool,
        volumes: bool,
    ) -> Result<(), WorldError> {
        let i = self.container_index(key)?;
        if self.containers[i].state.is_running() && !force {
            return Err(WorldError::RemoveRunning(self.containers[i].name.clone()));
        }
        let c = self.containers.remove(i);
        if volumes {
            for m in &c.mounts {
                if let MountSource::Volume(name) = &m.source {
                    if self.volumes.get(name).is_some_and(|v| v.anonymous) {
                        let _ = self.volumes.remove(name, &[]);
                    }
                }
            }
        }
        Ok(())
    }

    /// IDs of containers mounting volume `name`.
    pub fn volume_users(&self, name: &str) -> Vec<String> {
        self.containers
            .iter()
            .filter(|c| {
                c.mounts
                    .iter()
                    .any(|m| m.source == MountSource::Volume(name.to_string()))
            })
            .map(|c| c.id.clone())
            .collect()
    }

    /// `docker exec`: runs a command in a running container.
    pub fn exec_in(
        &mut self,
        key: &str,
        spec: &ExecSpec,
        exec: &mut dyn Executor,
    ) -> Result<Result<Outcome, SpawnError>, WorldError> {
        let i = self.container_index(key)?;
        let c = &self.containers[i];
        match c.state {
            State::Running => {}
            State::Paused => return Err(WorldError::Paused(c.id.clone())),
            _ => return Err(WorldError::NotRunning(c.id.clone())),
        }
        // The exec sees the container's env plus its own `-e`, its own `-w`/`-u`.
        let saved = (c.env.clone(), c.working_dir.clone(), c.user.clone());
        let c = &mut self.containers[i];
        c.env = merge_env(&saved.0, &spec.env);
        if let Some(w) = &spec.workdir {
            c.working_dir = w.clone();
        }
        if let Some(u) = &spec.user {
            c.user = u.clone();
        }
        let result = self.run_in(i, &spec.command, spec.interactive, exec);
        let c = &mut self.containers[i];
        (c.env, c.working_dir, c.user) = saved;
        Ok(result)
    }

    /// `docker commit`: the container's writable layer becomes a new layer on top of
    /// its image's; the config takes the container's settings (moby `merge`).
    pub fn commit_container(
        &mut self,
        key: &str,
        reference: Option<&str>,
        message: Option<&str>,
        author: Option<&str>,
    ) -> Result<Digest, WorldError> {
        let i = self.container_index(key)?;
        let now = self.now();
        let c = self.containers[i].clone();
        let image = self.daemon.image(&c.image_id).ok_or_else(|| {
            WorldError::Store(crate::engine::image::store::StoreError::NoSuchImage(
                c.image.clone(),
            ))
        })?;
        let changes = fs::diff(&c.lower, &c.rootfs);
        let empty = changes.is_empty();
        let mut layers = image.layers.clone();
        if !empty {
            let parent = layers.last().map(|l| l.chain_id.clone());
            let layer = self.daemon.layers.create(
                parent.as_ref(),
                changes,
                LayerOptions {
                    whiteout_mtime: now,
                    ..LayerOptions::default()
                },
            );
            layers.push(layer);
        }
        let mut config: ImageConfig = image.config.clone();
        config.created = Some(rfc3339(now));
        config.author = author.map(str::to_string).or(config.author);
        config.config.env = c.env.clone();
        config.config.cmd = c.cmd.clone();
        config.config.entrypoint = c.entrypoint.clone();
        config.config.working_dir = c.working_dir.clone();
        config.config.user = c.user.clone();
        config.config.exposed_ports = config::name_set(&c.exposed);
        config.history.push(History {
            created: Some(rfc3339(now)),
            author: author.map(str::to_string),
            created_by: Some(c.command()),
            comment: message.map(str::to_string),
            empty_layer: empty,
        });
        config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
        let id = self.daemon.commit_image(&config, layers)?;
        if let Some(r) = reference {
            self.daemon.tag(r, &id).map_err(WorldError::Invalid)?;
        }
        Ok(id)
    }

    /// `docker export`: the container's whole filesystem (image layers and writable
    /// layer flattened) as one tar: no layers, no history, no config.
    pub fn export_container(&self, key: &str) -> Result<Vec<u8>, WorldError> {
        let c = &self.containers[self.container_index(key)?];
        let changes = fs::diff(&crate::engine::daemon::empty_root(), &c.rootfs);
        Ok(crate::engine::layer::build_layer(&changes, &LayerOptions::default()).bytes)
    }

    /// `docker import`: a filesystem tar (gzip or plain) becomes an image of one layer
    /// whose config has only what `changes` (`-c 'CMD ["sh"]'`) set, and one history
    /// entry, `Imported from -` (or the `-m` message).
    pub fn import_filesystem(
        &mut self,
        tar: &[u8],
        reference: Option<&str>,
        changes: &[String],
        message: Option<&str>,
    ) -> Result<Digest, WorldError> {
        let now = self.now();
        let empty = crate::engine::daemon::empty_root();
        let fs_after = crate::engine::layer::apply(&empty, tar)
            .map_err(|e| WorldError::Invalid(format!("processing tar file: {e}")))?;
        let layer =
            self.daemon
                .layers
                .create(None, fs::diff(&empty, &fs_after), LayerOptions::default());
        let mut config = ImageConfig::default();
        apply_changes(&mut config, changes)?;
        config.created = Some(rfc3339(now));
        config.history.push(History {
            created: Some(rfc3339(now)),
            author: None,
            created_by: None,
            comment: Some(message.unwrap_or("Imported from -").to_string()),
            empty_layer: false,
        });
        config.rootfs.diff_ids = vec![layer.diff_id.clone()];
        let id = self.daemon.commit_image(&config, vec![layer])?;
        if let Some(r) = reference {
            self.daemon.tag(r, &id).map_err(WorldError::Invalid)?;
        }
        Ok(id)
    }
}

/// `docker import -c`/`commit -c`: the Dockerfile instructions that set config (CMD,
/// ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL); any other is refused as moby does.
fn apply_changes(config: &mut ImageConfig, changes: &[String]) -> Result<(), WorldError> {
    use crate::engine::dockerfile::instruction::{parse_instruction, Instruction, ShellOrExec};
    for change in changes {
        let parsed = crate::engine::dockerfile::syntax::parse(change);
        let ins = parsed
            .nodes
            .first()
            .ok_or_else(|| {
                WorldError::Invalid(format!("dockerfile parse error on line 1: {change}"))
            })
            .and_then(|n| {
                parse_instruction(n).map_err(|d| WorldError::Invalid(d.message.clone()))
            })?;
        let argv = |cmd: &ShellOrExec| match cmd {
            ShellOrExec::Exec(v) => v.clone(),
            ShellOrExec::Shell(s) => vec!["/bin/sh".into(), "-c".into(), s.clone()],
        };
        let c = &mut config.config;
        match ins {
            Instruction::Cmd(x) => c.cmd = Some(argv(&x.cmd)),
            Instruction::Entrypoint(x) => c.entrypoint = Some(argv(&x.cmd)),
            Instruction::Workdir(w) => c.working_dir = w.value.clone(),
            Instruction::User(u) => c.user = u.value.clone(),
            Instruction::Env(kv) => {
                for (k, v) in &kv.pairs {
                    c.env
                        .retain(|e| e.split_once('=').map_or(e != k, |(ek, _)| ek != k));
                    c.env.push(format!("{k}={v}"));
                }
            }
            Instruction::Label(kv) => {
                for (k, v) in &kv.pairs {
                    c.labels.insert(k.clone(), v.clone());
                }
            }
            Instruction::Expose(e) => {
                for p in &e.values {
                    let key = if p.contains('/') {
                        p.clone()
                    } else {
                        format!("{p}/tcp")
                    };
                    c.exposed_ports.insert(key, config::Empty {});
                }
            }
            _ => {
                return Err(WorldError::Invalid(format!(
                    "{} is not a valid change command",
                    change
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                )))
            }
        }
    }
    Ok(())
}
