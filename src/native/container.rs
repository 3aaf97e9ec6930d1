//! Real containers (`layerlab run --exec=linux`): a container is a directory in the
//! store, `containers/<id>/`, holding the image's rootfs materialised as the overlay's
//! `lower/`, its writable layer `upper/` (overlayfs' upper dir, whiteouts as 0/0 char
//! devices: exactly what `docker diff` reads back), `work/`, the runc `bundle/`, the
//! combined output `log` and the process' `exitcode`. Its record (image, command,
//! status, exit code, mounts) is in the store's `state.json`; volumes are directories
//! `volumes/<name>/_data`, as Docker's local volume driver keeps them.
//!
//! The process runs under `runc run` in new mount, PID, IPC, UTS and network namespaces
//! (same bundle as a RUN step, plus read-write volume binds), as the image's USER, in its
//! WorkingDir, with its Env plus `-e` overrides and ENTRYPOINT + CMD (run arguments
//! replace CMD), as `docker run` does. A small host shell waits for runc and writes the
//! exit code, so a detached (`-d`) container's exit status is known after `layerlab`
//! exits, the job conmon does for podman. The store lock is not held while the
//! container runs. When layerlab is not root, the container runs rootless in a user
//! namespace that maps the caller to root, exactly as a rootless RUN step does
//! (`exec::userns`: image USER must then be root).

use super::exec::{bundle, rootfs, runc_command, user, userns, ExecOptions, DEFAULT_PATH};
use super::store::{ContainerRecord, DiskStore, State, VolumeRecord};
use crate::engine::daemon::ImageRecord;
use crate::engine::digest::Digest;
use crate::engine::fs::Fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error("No such container: {0}")]
    NoSuchContainer(String),
    #[error("Conflict. The container name \"/{0}\" is already in use")]
    NameInUse(String),
    #[error("cannot remove container \"/{0}\": container is running: stop the container before removing or force remove")]
    Running(String),
    #[error("remove {0}: volume is in use")]
    VolumeInUse(String),
    #[error("get {0}: no such volume")]
    NoSuchVolume(String),
    #[error("invalid volume specification: '{0}'")]
    BadVolume(String),
    #[error(transparent)]
    Rootless(#[from] userns::RootlessError),
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    #[error("{0}")]
    Other(String),
}

fn io_err(what: impl std::fmt::Display) -> impl FnOnce(io::Error) -> ContainerError {
    let what = what.to_string();
    move |source| ContainerError::Io { what, source }
}

/// What `run` needs besides the image.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    pub name: Option<String>,
    /// `-e K=V` (or `-e K`: taken from the caller's environment).
    pub env: Vec<String>,
    /// `-v NAME:/path` or `-v /host:/path`.
    pub volumes: Vec<String>,
    /// Replaces CMD when not empty.
    pub args: Vec<String>,
    pub entrypoint: Option<String>,
    pub detach: bool,
}

/// A container ID: 64 hex digits, unique per call (time, pid, a counter).
fn new_id(seed: &str) -> String {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    Digest::sha256(format!("{t} {} {n} {seed}", std::process::id()).as_bytes())
        .hex()
        .to_string()
}

/// Docker's generated names are `adjective_surname`; these are a few of its words.
fn generated_name(id: &str, taken: &State) -> String {
    const ADJ: &[&str] = &[
        "admiring", "brave", "clever", "dreamy", "eager", "focused", "gallant", "happy", "jolly",
        "keen", "loving", "modest", "nifty", "quirky", "serene", "vibrant",
    ];
    const NAMES: &[&str] = &[
        "babbage", "curie", "darwin", "euclid", "fermi", "hopper", "lovelace", "noether",
        "pasteur", "ritchie", "shannon", "thompson", "torvalds", "turing", "wozniak", "yalow",
    ];
    let b = id.as_bytes();
    let pick = |i: usize, n: usize| b.get(i).map_or(0, |c| *c as usize) % n;
    let base = format!(
        "{}_{}",
        ADJ[pick(0, ADJ.len())],
        NAMES[pick(1, NAMES.len())]
    );
    let mut name = base.clone();
    let mut k = 1;
    while taken.containers.values().any(|c| c.name == name) && k < 1000 {
        k += 1;
        name = format!("{base}{k}");
    }
    name
}

/// Resolves a container by full ID, unique ID prefix or name.
pub fn resolve(state: &State, key: &str) -> Result<String, ContainerError> {
    if let Some((id, _)) = state.containers.iter().find(|(_, c)| c.name == key) {
        return Ok(id.clone());
    }
    let matches: Vec<&String> = state
        .containers
        .keys()
        .filter(|id| !key.is_empty() && id.starts_with(key))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(ContainerError::NoSuchContainer(key.to_string())),
    }
}

/// The container's directory in the store.
pub fn dir(store_root: &Path, id: &str) -> PathBuf {
    store_root.join("containers").join(id)
}

fn volume_dir(store_root: &Path, name: &str) -> PathBuf {
    store_root.join("volumes").join(name).join("_data")
}

/// A volume name as Docker accepts it (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`).
fn valid_volume_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|f| f.is_ascii_alphanumeric())
        && c.all(|x| x.is_ascii_alphanumeric() || "_.-".contains(x))
}

/// Creates a named volume (no error if it exists, as `docker volume create`).
pub fn volume_create(
    store: &DiskStore,
    state: &mut State,
    name: &str,
) -> Result<(), ContainerError> {
    if !valid_volume_name(name) {
        return Err(ContainerError::Other(format!(
            "create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed"
        )));
    }
    let d = volume_dir(store.root(), name);
    std::fs::create_dir_all(&d).map_err(io_err(d.display()))?;
    state
        .volumes
        .entry(name.to_string())
        .or_insert(VolumeRecord {
            created: super::build::now_secs(),
        });
    Ok(())
}

/// Removes a volume no container uses.
pub fn volume_rm(store: &DiskStore, state: &mut State, name: &str) -> Result<(), ContainerError> {
    if !state.volumes.contains_key(name) {
        return Err(ContainerError::NoSuchVolume(name.to_string()));
    }
    if state
        .containers
        .values()
        .any(|c| c.mounts.iter().any(|(v, _)| v == name))
    {
        return Err(ContainerError::VolumeInUse(name.to_string()));
    }
    let d = store.root().join("volumes").join(name);
    std::fs::remove_dir_all(&d).or_else(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            Ok(())
        } else {
            Err(io_err(d.display())(e))
        }
    })?;
    state.volumes.remove(name);
    Ok(())
}

/// Everything prepared for starting a container (the store lock can then be dropped).
#[derive(Debug)]
pub struct Prepared {
    pub id: String,
    pub name: String,
    dir: PathBuf,
    runc: PathBuf,
}

/// Creates the container: directories, rootfs, bundle, record (`created`).
pub fn create(
    store: &DiskStore,
    state: &mut State,
    image_name: &str,
    image: &ImageRecord,
    spec: &RunSpec,
) -> Result<Prepared, ContainerError> {
    let rootless = userns::is_rootless();
    let runc = ExecOptions::detect()
        .map_err(|e| ContainerError::Other(e.to_string()))?
        .runc;
    if rootless {
        let probe = store
            .root()
            .join("containers")
            .join(format!(".probe-{}", std::process::id()));
        userns::probe(&runc, &probe)?;
    }
    let owners = rootfs::Owners::for_rootless(rootless);
    if let Some(n) = &spec.name {
        if state.containers.values().any(|c| &c.name == n) {
            return Err(ContainerError::NameInUse(n.clone()));
        }
    }
    let id = new_id(image_name);
    let name = spec
        .name
        .clone()
        .unwrap_or_else(|| generated_name(&id, state));
    let cfg = &image.config.config;
    // Volumes: -v first, then the image's VOLUMEs as anonymous volumes.
    let mut mounts: Vec<(String, String)> = Vec::new();
    for v in &spec.volumes {
        let (src, dst) = v
            .split_once(':')
            .map(|(s, d)| (s, d.split(':').next().unwrap_or(d)))
            .ok_or_else(|| ContainerError::BadVolume(v.clone()))?;
        if !dst.starts_with('/') || src.is_empty() {
            return Err(ContainerError::BadVolume(v.clone()));
        }
        if !src.starts_with('/') {
            volume_create(store, state, src)?;
        }
        mounts.push((src.to_string(), dst.to_string()));
    }
    for v in cfg.volumes.keys() {
        if !mounts.iter().any(|(_, d)| d == v) {
            let anon = new_id(v);
            volume_create(store, state, &anon)?;
            mounts.push((anon, v.clone()));
        }
    }
    let dir = dir(store.root(), &id);
    let (lower, upper, work, merged, bundle_dir) = (
        dir.join("lower"),
        dir.join("upper"),
        dir.join("work"),
        dir.join("merged"),
        dir.join("bundle"),
    );
    for d in [&upper, &work, &merged, &bundle_dir] {
        std::fs::create_dir_all(d).map_err(io_err(d.display()))?;
    }
    let fs = image.rootfs();
    rootfs::materialize_as(&fs, &lower, owners)
        .map_err(|e| ContainerError::Other(e.to_string()))?;
    if let Ok(s) = fs.stat("/") {
        rootfs::apply_meta_as(&upper, s.meta, false, owners).map_err(io_err("upper dir"))?;
    }
    let mut env = cfg.env.clone();
    if !env.iter().any(|e| e.starts_with("PATH=")) {
        env.insert(0, format!("PATH={DEFAULT_PATH}"));
    }
    for e in &spec.env {
        let kv = if e.contains('=') {
            e.clone()
        } else {
            match std::env::var(e) {
                Ok(v) => format!("{e}={v}"),
                Err(_) => continue,
            }
        };
        let key = kv.split('=').next().unwrap_or("").to_string();
        env.retain(|x| x.split('=').next() != Some(key.as_str()));
        env.push(kv);
    }
    let mut args: Vec<String> = match &spec.entrypoint {
        Some(e) if e.is_empty() => vec![],
        Some(e) => vec![e.clone()],
        None => cfg.entrypoint.clone().unwrap_or_default(),
    };
    if spec.args.is_empty() {
        if spec.entrypoint.is_none() {
            args.extend(cfg.cmd.clone().unwrap_or_default());
        }
    } else {
        args.extend(spec.args.iter().cloned());
    }
    if args.is_empty() {
        return Err(ContainerError::Other("no command specified".to_string()));
    }
    let mut exec_user =
        user::resolve(&fs, &cfg.user).map_err(|e| ContainerError::Other(e.to_string()))?;
    if rootless {
        userns::check_user(&cfg.user, &mut exec_user, &userns::Mapping::detect())?;
    }
    let volumes: Vec<(String, String)> = mounts
        .iter()
        .map(|(src, dst)| {
            let host = if src.starts_with('/') {
                PathBuf::from(src)
            } else {
                volume_dir(store.root(), src)
            };
            (host.display().to_string(), dst.clone())
        })
        .collect();
    let cwd = if cfg.working_dir.is_empty() {
        "/"
    } else {
        cfg.working_dir.as_str()
    };
    let config = bundle::config(&bundle::BundleSpec {
        rootfs: &merged,
        args: &args,
        env: &env,
        cwd,
        user: &exec_user,
        hostname: id.get(..12).unwrap_or(&id),
        binds: &[],
        volumes: &volumes,
    });
    let cfg_path = bundle_dir.join("config.json");
    std::fs::write(&cfg_path, config.to_string()).map_err(io_err(cfg_path.display()))?;
    state.containers.insert(
        id.clone(),
        ContainerRecord {
            image: image_name.to_string(),
            image_id: image.id.clone(),
            command: args,
            created: super::build::now_secs(),
            status: "created".into(),
            name: name.clone(),
            exit_code: None,
            finished: None,
            mounts,
        },
    );
    Ok(Prepared {
        id,
        name,
        dir,
        runc,
    })
}

fn runc_root(store_root: &Path) -> PathBuf {
    store_root.join("containers").join(".runc")
}

/// Starts the prepared container: a host `sh` in a private mount namespace (and a user
/// namespace when rootless) mounts the overlay, runs `runc run` with output to `log`,
/// then writes `exitcode`. Returns the waiter process; foreground callers wait for it.
pub fn start(store_root: &Path, p: &Prepared) -> Result<std::process::Child, ContainerError> {
    let d = &p.dir;
    let setup = userns::Setup::new(userns::is_rootless())
        .with_overlay(
            &d.join("lower"),
            &d.join("upper"),
            &d.join("work"),
            &d.join("merged"),
        )
        .map_err(io_err("overlay options"))?
        .in_new_session();
    let _ = std::fs::remove_file(d.join("exitcode"));
    let log = std::fs::File::create(d.join("log")).map_err(io_err("log"))?;
    let log2 = log.try_clone().map_err(io_err("log"))?;
    let runc = runc_command(&p.runc, &runc_root(store_root), false);
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(r#"f=$1; shift; "$@"; echo $? > "$f""#)
        .arg("sh")
        .arg(d.join("exitcode"))
        .arg(runc.get_program())
        .args(runc.get_args())
        .arg("run")
        .arg("--bundle")
        .arg(d.join("bundle"))
        .arg(&p.id)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    let helper = setup.apply(&mut cmd);
    let child = cmd.spawn();
    helper.finish()?;
    child.map_err(io_err("starting runc"))
}

/// Brings `running` records up to date from their `exitcode` files.
pub fn refresh(store_root: &Path, state: &mut State) {
    for (id, c) in state.containers.iter_mut() {
        if c.status != "running" {
            continue;
        }
        let f = dir(store_root, id).join("exitcode");
        if let Ok(text) = std::fs::read_to_string(&f) {
            c.status = "exited".into();
            c.exit_code = text.trim().parse().ok();
            c.finished = std::fs::metadata(&f)
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64);
        }
    }
}

/// `docker stop`: SIGTERM (or the image's STOPSIGNAL), then SIGKILL after `timeout`.
pub fn stop(store_root: &Path, id: &str, signal: &str, timeout: Duration) {
    let runc = ExecOptions::detect().map(|o| o.runc);
    let Ok(runc) = runc else { return };
    let exitcode = dir(store_root, id).join("exitcode");
    let kill = |sig: &str| {
        let _ = runc_command(&runc, &runc_root(store_root), true)
            .args(["kill", id, sig])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    };
    kill(if signal.is_empty() { "TERM" } else { signal });
    let start = std::time::Instant::now();
    while !exitcode.exists() {
        if start.elapsed() > timeout {
            kill("KILL");
            let wait = std::time::Instant::now();
            while !exitcode.exists() && wait.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(20));
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = runc_command(&runc, &runc_root(store_root), true)
        .args(["delete", "--force", id])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// `docker diff`: the container's writable layer against its image, as A/C/D lines
/// (every ancestor of a change is C; a deleted directory is one D).
pub fn diff(store_root: &Path, id: &str, image_rootfs: &Fs) -> Result<Vec<String>, ContainerError> {
    let upper = dir(store_root, id).join("upper");
    let now = super::build::now_secs();
    let after = rootfs::read_upper(
        image_rootfs,
        &upper,
        rootfs::ReadBack {
            mtime: now,
            id_map: userns::is_rootless().then(|| userns::Mapping::detect().host_ids()),
        },
    )
    .map_err(|e| ContainerError::Other(e.to_string()))?;
    Ok(crate::engine::fs::diff(image_rootfs, &after)
        .docker_diff()
        .into_iter()
        .map(|(k, p)| format!("{} {p}", k.letter()))
        .collect())
}

/// Removes the container's runc state and directory (the caller stops it first).
pub fn remove(store_root: &Path, id: &str) -> Result<(), ContainerError> {
    if let Ok(o) = ExecOptions::detect() {
        let _ = runc_command(&o.runc, &runc_root(store_root), true)
            .args(["delete", "--force", id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let d = dir(store_root, id);
    userns::remove_tree(&d).map_err(io_err(d.display()))
}

fn daemon_err(e: impl std::fmt::Display) -> String {
    format!("Error response from daemon: {e}")
}

fn open_store() -> Result<(DiskStore, State), String> {
    let store = DiskStore::open(&super::store::default_home()).map_err(|e| e.to_string())?;
    let mut state = store.read_state().map_err(|e| e.to_string())?;
    refresh(store.root(), &mut state);
    Ok((store, state))
}

fn save(store: &DiskStore, state: &State) -> Result<(), String> {
    store.write_state(state).map_err(|e| e.to_string())
}

/// The image record (with its layers) for `name`, via the daemon bridge.
fn find_image(store: &DiskStore, name: &str) -> Result<ImageRecord, String> {
    let images = store.load().map_err(|e| e.to_string())?;
    let (daemon, _) = super::build::daemon_from_store(&images).map_err(|e| e.to_string())?;
    daemon.find_image(name).map_err(|_| {
        format!("Unable to find image '{name}' locally\nError response from daemon: pull access denied for {name}, repository does not exist or may require 'docker login'")
    })
}

/// `"cmd args"` as `docker ps` shows COMMAND (quoted, 20 characters then `…`).
fn ps_command(cmd: &[String], no_trunc: bool) -> String {
    let c = cmd.join(" ");
    if no_trunc || c.chars().count() <= 20 {
        return format!("\"{c}\"");
    }
    let head: String = c.chars().take(19).collect();
    format!("\"{head}…\"")
}

fn ps_status(c: &ContainerRecord, now: i64) -> String {
    let ago = |t: i64| super::cli::human_duration(now - t);
    match c.status.as_str() {
        "running" => format!("Up {}", ago(c.created)),
        "exited" => format!(
            "Exited ({}) {} ago",
            c.exit_code.map_or("unknown".into(), |e| e.to_string()),
            ago(c.finished.unwrap_or(c.created))
        ),
        _ => "Created".into(),
    }
}

/// The container verbs: `run`, `ps`, `diff`, `logs`, `stop`, `rm`, `volume`.
pub(crate) fn run_cli(verb: &str, m: &clap::ArgMatches) -> Result<i32, String> {
    let one = |k: &str| m.get_one::<String>(k).cloned();
    let many = |k: &str| -> Vec<String> {
        m.get_many::<String>(k)
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    };
    match verb {
        "run" => {
            let image_name = one("image").unwrap_or_default();
            let spec = RunSpec {
                name: one("name"),
                env: many("env"),
                volumes: many("volume"),
                args: many("args"),
                entrypoint: one("entrypoint"),
                detach: m.get_flag("detach"),
            };
            let (store, mut state) = open_store()?;
            let image = find_image(&store, &image_name)?;
            let p = create(&store, &mut state, &image_name, &image, &spec).map_err(daemon_err)?;
            let root = store.root().to_path_buf();
            let mut child = start(&root, &p).map_err(daemon_err)?;
            if let Some(c) = state.containers.get_mut(&p.id) {
                c.status = "running".into();
            }
            save(&store, &state)?;
            // The store lock is released while the container runs.
            drop(store);
            if spec.detach {
                println!("{}", p.id);
                // The waiter shell lives on (own session) and writes the exit code.
                std::mem::forget(child);
                return Ok(0);
            }
            let _ = child.wait();
            let log = std::fs::read(p.dir.join("log")).unwrap_or_default();
            use std::io::Write;
            let _ = std::io::stdout().write_all(&log);
            let (store, mut state) = open_store()?;
            let code = state
                .containers
                .get(&p.id)
                .and_then(|c| c.exit_code)
                .unwrap_or(125);
            if m.get_flag("rm") {
                remove(store.root(), &p.id).map_err(daemon_err)?;
                state.containers.remove(&p.id);
            }
            save(&store, &state)?;
            Ok(code)
        }
        "ps" => {
            let (store, state) = open_store()?;
            save(&store, &state)?;
            let all = m.get_flag("all");
            let no_trunc = m.get_flag("no-trunc");
            let mut rows: Vec<(&String, &ContainerRecord)> = state
                .containers
                .iter()
                .filter(|(_, c)| all || c.status == "running")
                .collect();
            rows.sort_by(|a, b| b.1.created.cmp(&a.1.created).then(a.0.cmp(b.0)));
            let short = |id: &str| {
                if no_trunc {
                    id.to_string()
                } else {
                    id.get(..12).unwrap_or(id).to_string()
                }
            };
            if m.get_flag("quiet") {
                rows.iter().for_each(|(id, _)| println!("{}", short(id)));
                return Ok(0);
            }
            let now = super::build::now_secs();
            let mut table = vec![[
                "CONTAINER ID",
                "IMAGE",
                "COMMAND",
                "CREATED",
                "STATUS",
                "PORTS",
                "NAMES",
            ]
            .map(String::from)
            .to_vec()];
            for (id, c) in rows {
                table.push(vec![
                    short(id),
                    c.image.clone(),
                    ps_command(&c.command, no_trunc),
                    format!("{} ago", super::cli::human_duration(now - c.created)),
                    ps_status(c, now),
                    String::new(),
                    c.name.clone(),
                ]);
            }
            print!("{}", super::cli::tabwrite(&table));
            Ok(0)
        }
        "diff" => {
            let (store, state) = open_store()?;
            let key = one("container").unwrap_or_default();
            let id = resolve(&state, &key).map_err(daemon_err)?;
            let c = state.containers.get(&id).ok_or_else(|| daemon_err(&key))?;
            let image = find_image(&store, &c.image_id.to_string())?;
            for line in diff(store.root(), &id, &image.rootfs()).map_err(daemon_err)? {
                println!("{line}");
            }
            Ok(0)
        }
        "logs" => {
            let (store, state) = open_store()?;
            let key = one("container").unwrap_or_default();
            let id = resolve(&state, &key).map_err(daemon_err)?;
            let log = std::fs::read(dir(store.root(), &id).join("log")).unwrap_or_default();
            use std::io::Write;
            let _ = std::io::stdout().write_all(&log);
            Ok(0)
        }
        "stop" | "rm" => {
            let (store, mut state) = open_store()?;
            let mut code = 0;
            let timeout = Duration::from_secs(
                m.try_get_one::<u64>("time")
                    .ok()
                    .flatten()
                    .copied()
                    .unwrap_or(10),
            );
            for key in many("containers") {
                let id = match resolve(&state, &key) {
                    Ok(id) => id,
                    Err(e) => {
                        eprintln!("{}", daemon_err(e));
                        code = 1;
                        continue;
                    }
                };
                let Some(c) = state.containers.get(&id).cloned() else {
                    continue;
                };
                let running = c.status == "running";
                if verb == "rm" && running && !m.get_flag("force") {
                    eprintln!("{}", daemon_err(ContainerError::Running(c.name.clone())));
                    code = 1;
                    continue;
                }
                if running {
                    let image = find_image(&store, &c.image_id.to_string()).ok();
                    let sig = image
                        .map(|i| i.config.config.stop_signal.clone())
                        .unwrap_or_default();
                    let sig = if verb == "rm" {
                        "KILL".to_string()
                    } else {
                        sig
                    };
                    stop(store.root(), &id, sig.trim_start_matches("SIG"), timeout);
                    refresh(store.root(), &mut state);
                }
                if verb == "rm" {
                    if let Err(e) = remove(store.root(), &id) {
                        eprintln!("{}", daemon_err(e));
                        code = 1;
                        continue;
                    }
                    state.containers.remove(&id);
                    if m.get_flag("volumes") {
                        for (v, _) in &c.mounts {
                            // Anonymous volumes are named by a 64-hex ID.
                            if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
                                let _ = volume_rm(&store, &mut state, v);
                            }
                        }
                    }
                }
                println!("{key}");
            }
            save(&store, &state)?;
            Ok(code)
        }
        _ => {
            let (store, mut state) = open_store()?;
            let code = match m.subcommand() {
                Some(("create", sm)) => {
                    let name = sm.get_one::<String>("name").cloned().unwrap_or_default();
                    volume_create(&store, &mut state, &name).map_err(daemon_err)?;
                    println!("{name}");
                    0
                }
                Some(("ls", sm)) => {
                    if sm.get_flag("quiet") {
                        state.volumes.keys().for_each(|v| println!("{v}"));
                    } else {
                        let mut table = vec![vec!["DRIVER".to_string(), "VOLUME NAME".into()]];
                        for v in state.volumes.keys() {
                            table.push(vec!["local".into(), v.clone()]);
                        }
                        print!("{}", super::cli::tabwrite(&table));
                    }
                    0
                }
                Some(("rm", sm)) => {
                    let mut code = 0;
                    let names: Vec<String> = sm
                        .get_many::<String>("names")
                        .map(|v| v.cloned().collect())
                        .unwrap_or_default();
                    for n in names {
                        match volume_rm(&store, &mut state, &n) {
                            Ok(()) => println!("{n}"),
                            Err(e) => {
                                eprintln!("{}", daemon_err(e));
                                code = 1;
                            }
                        }
                    }
                    code
                }
                _ => 1,
            };
            save(&store, &state)?;
            Ok(code)
        }
    }
}
