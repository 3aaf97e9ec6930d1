//! `docker inspect` / `image inspect` / `container inspect` / `volume inspect`: JSON
//! arrays shaped like the Engine API's (`ImageInspect`, `ContainerJSON`, `Volume`),
//! fields in the API's order, indented with four spaces as the CLI prints them.

use serde::Serialize;
use std::collections::BTreeMap;

use super::table::render;
use super::{daemon_error, parse_for, specs, CommandOutput};
use crate::engine::clock::rfc3339;
use crate::engine::image::config::{ContainerConfig, Empty};
use crate::engine::runtime::{Container, MountSource};
use crate::engine::world::World;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RootFs {
    #[serde(rename = "Type")]
    kind: String,
    layers: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageInspect {
    id: String,
    repo_tags: Vec<String>,
    repo_digests: Vec<String>,
    parent: String,
    comment: String,
    created: String,
    docker_version: String,
    author: String,
    config: ContainerConfig,
    architecture: String,
    os: String,
    size: u64,
    root_f_s: RootFs,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StateJson {
    status: &'static str,
    running: bool,
    paused: bool,
    restarting: bool,
    #[serde(rename = "OOMKilled")]
    oom_killed: bool,
    dead: bool,
    pid: u32,
    exit_code: i32,
    error: String,
    started_at: String,
    finished_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MountJson {
    #[serde(rename = "Type")]
    kind: &'static str,
    name: String,
    source: String,
    destination: String,
    driver: String,
    mode: String,
    #[serde(rename = "RW")]
    rw: bool,
}

#[derive(Serialize)]
struct PortJson {
    #[serde(rename = "HostIp")]
    host_ip: String,
    #[serde(rename = "HostPort")]
    host_port: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerConfigJson {
    hostname: String,
    user: String,
    tty: bool,
    open_stdin: bool,
    exposed_ports: BTreeMap<String, Empty>,
    env: Vec<String>,
    cmd: Option<Vec<String>>,
    image: String,
    working_dir: String,
    entrypoint: Option<Vec<String>>,
    labels: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkSettings {
    ports: BTreeMap<String, Option<Vec<PortJson>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerInspect {
    id: String,
    created: String,
    path: String,
    args: Vec<String>,
    state: StateJson,
    image: String,
    name: String,
    restart_count: u32,
    mounts: Vec<MountJson>,
    config: ContainerConfigJson,
    network_settings: NetworkSettings,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VolumeJson {
    created_at: String,
    driver: &'static str,
    labels: BTreeMap<String, String>,
    mountpoint: String,
    name: String,
    options: BTreeMap<String, String>,
    scope: &'static str,
}

/// JSON with four-space indentation, as the docker CLI prints inspect output.
fn pretty<T: Serialize>(values: &[T]) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if values.serialize(&mut ser).is_err() {
        return "[]\n".to_string();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

fn image_json(world: &World, name: &str) -> Option<ImageInspect> {
    let id = world.daemon.images.resolve(name).ok()?;
    let img = world.daemon.images.image(&id)?;
    let refs = world.daemon.images.references(&id);
    Some(ImageInspect {
        id: id.to_string(),
        repo_tags: refs
            .iter()
            .filter(|r| r.tag().is_some())
            .map(|r| r.familiar_string())
            .collect(),
        repo_digests: refs
            .iter()
            .filter(|r| r.digest().is_some())
            .map(|r| r.familiar_string())
            .collect(),
        parent: String::new(),
        comment: img
            .config
            .history
            .last()
            .and_then(|h| h.comment.clone())
            .unwrap_or_default(),
        created: img.config.created.clone().unwrap_or_default(),
        docker_version: String::new(),
        author: img.config.author.clone().unwrap_or_default(),
        config: img.config.config.clone(),
        architecture: img.config.architecture.clone(),
        os: img.config.os.clone(),
        size: img.size(),
        root_f_s: RootFs {
            kind: "layers".into(),
            layers: img
                .config
                .rootfs
                .diff_ids
                .iter()
                .map(|d| d.to_string())
                .collect(),
        },
    })
}

fn container_json(c: &Container) -> ContainerInspect {
    let exit_code = match c.state {
        crate::engine::runtime::State::Exited { code } => code,
        _ => 0,
    };
    let zero = "0001-01-01T00:00:00Z".to_string();
    let mut ports: BTreeMap<String, Option<Vec<PortJson>>> = BTreeMap::new();
    if c.state.is_running() {
        for e in &c.exposed {
            let bound: Vec<PortJson> = c
                .ports
                .iter()
                .filter(|p| format!("{}/{}", p.container_port, p.proto) == *e)
                .map(|p| PortJson {
                    host_ip: p.host_ip.clone(),
                    host_port: p.host_port.to_string(),
                })
                .collect();
            ports.insert(e.clone(), if bound.is_empty() { None } else { Some(bound) });
        }
    }
    ContainerInspect {
        id: c.id.clone(),
        created: rfc3339(c.created),
        path: c.path.clone(),
        args: c.args.clone(),
        state: StateJson {
            status: c.state.status(),
            running: c.state.is_running(),
            paused: c.state == crate::engine::runtime::State::Paused,
            restarting: false,
            oom_killed: false,
            dead: false,
            pid: if c.state.is_running() { 1 } else { 0 },
            exit_code,
            error: String::new(),
            started_at: c.started_at.map(rfc3339).unwrap_or_else(|| zero.clone()),
            finished_at: c.finished_at.map(rfc3339).unwrap_or(zero),
        },
        image: c.image_id.to_string(),
        name: format!("/{}", c.name),
        restart_count: c.restart_count,
        mounts: c
            .mounts
            .iter()
            .map(|m| match &m.source {
                MountSource::Volume(n) => MountJson {
                    kind: "volume",
                    name: n.clone(),
                    source: format!("/var/lib/docker/volumes/{n}/_data"),
                    destination: m.destination.clone(),
                    driver: "local".into(),
                    mode: "z".into(),
                    rw: !m.read_only,
                },
                MountSource::Bind(p) => MountJson {
                    kind: "bind",
                    name: String::new(),
                    source: format!("/context{p}"),
                    destination: m.destination.clone(),
                    driver: String::new(),
                    mode: String::new(),
                    rw: !m.read_only,
                },
            })
            .collect(),
        config: ContainerConfigJson {
            hostname: c.short_id().to_string(),
            user: c.user.clone(),
            tty: c.tty,
            open_stdin: c.interactive,
            exposed_ports: c.exposed.iter().map(|p| (p.clone(), Empty {})).collect(),
            env: c.env.clone(),
            cmd: c.cmd.clone(),
            image: c.image.clone(),
            working_dir: c.working_dir.clone(),
            entrypoint: c.entrypoint.clone(),
            labels: c.labels.iter().cloned().collect(),
        },
        network_settings: NetworkSettings { ports },
    }
}

/// `docker inspect [--type image|container|volume] NAME...`.
pub fn inspect(world: &mut World, words: &[String], kind: Option<&str>) -> CommandOutput {
    let p = match parse_for(&specs::INSPECT, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let kind = p.value("type").or(kind);
    let mut values: Vec<Inspected> = Vec::new();
    let mut out = CommandOutput::default();
    for name in &p.args {
        let container = if kind.is_none() || kind == Some("container") {
            world.container(name).ok().map(container_json)
        } else {
            None
        };
        let value = match container {
            Some(c) => Some(Inspected::Container(Box::new(c))),
            None if kind.is_none() || kind == Some("image") => {
                image_json(world, name).map(|i| Inspected::Image(Box::new(i)))
            }
            None => None,
        };
        match value {
            Some(v) => values.push(v),
            None => {
                let what = match kind {
                    Some("image") => "No such image",
                    Some("container") => "No such container",
                    _ => "No such object",
                };
                out.fail(format!("Error: {what}: {name}"));
            }
        }
    }
    if let Some(f) = p.value("format") {
        for v in &values {
            let row = super::table::Row {
                fields: flatten(&serde_json::to_value(v).unwrap_or_default()),
            };
            match render(f, &[row], "inspect") {
                Ok(s) => out.stdout.push_str(&s),
                Err(e) => return CommandOutput::err(format!("{}\n", e.0), 1),
            }
        }
        return out;
    }
    out.stdout = pretty(&values);
    out
}

/// Top-level fields of an inspect object for `--format '{{.Id}}'`.
fn flatten(v: &serde_json::Value) -> Vec<(&'static str, &'static str, String)> {
    const KEYS: &[&str] = &[
        "Id",
        "Name",
        "Created",
        "Path",
        "Image",
        "Size",
        "Architecture",
        "Os",
    ];
    KEYS.iter()
        .filter_map(|k| {
            v.get(*k).map(|x| {
                let s = match x {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (*k, *k, s)
            })
        })
        .collect()
}

/// An inspected object; serialised from the typed structs so fields keep the API's
/// order (a `serde_json::Value` would sort them).
#[derive(Serialize)]
#[serde(untagged)]
enum Inspected {
    Image(Box<ImageInspect>),
    Container(Box<ContainerInspect>),
}

pub fn volume_inspect(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::VOLUME_INSPECT, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut found = Vec::new();
    let mut out = CommandOutput::default();
    for n in &p.args {
        match world.volumes.get(n) {
            Some(v) => found.push(VolumeJson {
                created_at: rfc3339(v.created),
                driver: "local",
                labels: v.labels.clone(),
                mountpoint: v.mountpoint(),
                name: v.name.clone(),
                options: BTreeMap::new(),
                scope: "local",
            }),
            None => out.fail(daemon_error(format!("get {n}: no such volume"))),
        }
    }
    out.stdout = pretty(&found);
    out
}
