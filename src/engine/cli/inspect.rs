//! `docker inspect` / `image inspect` / `container inspect` / `volume inspect`: JSON
//! arrays shaped like the Engine API's (`ImageInspect`, `ContainerJSON`, `Volume`),
//! fields in the API's order, indented with four spaces as the CLI prints them.

use serde::Serialize;
use std::collections::BTreeMap;

use super::{daemon_error, parse_for, specs, CommandOutput};
use crate::engine::clock::rfc3339;
use crate::engine::image::config::{self, ContainerConfig, Empty};
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
            exposed_ports: config::name_set(&c.exposed),
            env: c.env.clone(),
            cmd: c.cmd.clone(),
            image: c.image.clone(),
            working_dir: c.working_dir.clone(),
            entrypoint: c.entrypoint.clone(),
            labels: config::key_value_map(&c.labels),
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
    let text = pretty(&values);
    if let Some(f) = p.value("format") {
        // The template runs over the JSON the CLI would print, decoded again (as the
        // docker CLI does with its raw JSON): one serialiser for the inspect types
        // instead of a second one into `serde_json::Value`.
        let decoded: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
        for json in &decoded {
            match execute_template(f, json) {
                Ok(s) => {
                    out.stdout.push_str(&s);
                    out.stdout.push('\n');
                }
                Err(e) => return CommandOutput::err(format!("{e}\n"), 1),
            }
        }
        return out;
    }
    out.stdout = text;
    out
}

/// Go's `fmt` printing of a decoded JSON value, as a template prints it: strings
/// bare, `null` as `<nil>`, arrays `[a b]`, objects `map[k:v]` with sorted keys.
fn go_print(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            crate::engine::sort::sort(&mut keys);
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", go_print(&o[k.as_str()])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// One argument of a template action: a field path (`.State.Status`, `.`) or a
/// quoted string / integer literal.
enum Arg<'a> {
    Path(Option<&'a serde_json::Value>),
    Literal(String),
}

fn eval_arg<'a>(word: &str, root: &'a serde_json::Value) -> Result<Arg<'a>, String> {
    if let Some(path) = word.strip_prefix('.') {
        let mut cur = Some(root);
        for key in path.split('.').filter(|k| !k.is_empty()) {
            cur = cur.and_then(|c| c.get(key));
        }
        return Ok(Arg::Path(cur));
    }
    if let Some(lit) = word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        return Ok(Arg::Literal(lit.to_string()));
    }
    if word.parse::<i64>().is_ok() {
        return Ok(Arg::Literal(word.to_string()));
    }
    Err(format!("template: :1: function \"{word}\" not defined"))
}

/// Splits an action into words, keeping quoted strings whole.
fn action_words(action: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in action.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `docker inspect --format`: the Go-template basics over the object's JSON (the CLI
/// falls back to the raw JSON map, so a missing field prints `<no value>`): field
/// paths, `json`, `index`, `join`, `upper`, `lower`.
fn execute_template(format: &str, root: &serde_json::Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("{{") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find("}}") else {
            return Err("template: :1: unclosed action".to_string());
        };
        let action = after.get(..end).unwrap_or("").trim();
        let words = action_words(action);
        let args = |from: usize| -> Result<Vec<Arg<'_>>, String> {
            words.iter().skip(from).map(|w| eval_arg(w, root)).collect()
        };
        let text = |a: &Arg<'_>| match a {
            Arg::Path(Some(v)) => go_print(v),
            Arg::Path(None) => "<no value>".to_string(),
            Arg::Literal(l) => l.clone(),
        };
        let value = match words.first().map(String::as_str) {
            None => return Err("template: :1: missing value for command".to_string()),
            Some("json") => match args(1)?.as_slice() {
                [Arg::Path(v)] => {
                    serde_json::to_string(v.unwrap_or(&serde_json::Value::Null)).unwrap_or_default()
                }
                _ => return Err("template: :1: wrong number of args for json: want 1".into()),
            },
            Some("index") => match args(1)?.as_slice() {
                [Arg::Path(v), Arg::Literal(k)] => {
                    let item = v.and_then(|v| match v {
                        serde_json::Value::Array(a) => {
                            k.parse::<usize>().ok().and_then(|i| a.get(i))
                        }
                        other => other.get(k.as_str()),
                    });
                    item.map_or_else(|| "<no value>".to_string(), go_print)
                }
                _ => return Err("template: :1: wrong number of args for index".into()),
            },
            Some("join") => match args(1)?.as_slice() {
                [Arg::Path(Some(serde_json::Value::Array(a))), Arg::Literal(sep)] => {
                    a.iter().map(go_print).collect::<Vec<_>>().join(sep)
                }
                _ => return Err("template: :1: wrong arguments for join".into()),
            },
            // Go's builtin: the length of an array, object or string.
            Some("len") => match args(1)?.as_slice() {
                [Arg::Path(Some(serde_json::Value::Array(a)))] => a.len().to_string(),
                [Arg::Path(Some(serde_json::Value::Object(o)))] => o.len().to_string(),
                [Arg::Path(Some(serde_json::Value::String(s)))] => s.len().to_string(),
                [Arg::Literal(s)] => s.len().to_string(),
                [_] => return Err("template: :1: error calling len: len of nil pointer".into()),
                _ => return Err("template: :1: wrong number of args for len: want 1".into()),
            },
            Some(f @ ("upper" | "lower")) => match args(1)?.as_slice() {
                [a] if f == "upper" => text(a).to_uppercase(),
                [a] => text(a).to_lowercase(),
                _ => {
                    return Err(format!(
                        "template: :1: wrong number of args for {f}: want 1"
                    ))
                }
            },
            Some(_) if words.len() == 1 => text(&eval_arg(&words[0], root)?),
            Some(w) => return Err(format!("template: :1: function \"{w}\" not defined")),
        };
        out.push_str(&value);
        rest = after.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
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
