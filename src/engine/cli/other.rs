//! Registry, volume and system commands: login, logout, push, pull, volume *, system
//! df, version, info — plus `sleep N`, the terminal's way to let simulated time pass.

use super::table::{human_size, render, Row};
use super::{daemon_error, parse_for, specs, CommandOutput, LifecycleStage};
use crate::engine::world::{registry_host, Transfer, World};

pub fn login(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::LOGIN, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let server = p.args.first().map(String::as_str);
    let mut out = CommandOutput::default();
    if p.value("password").is_some() {
        // The CLI warns (on stderr) before it talks to the registry.
        out.warn("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        out.stderr_first = true;
    }
    let user = p.value("username").unwrap_or("learner").to_string();
    match world.login(server, &user) {
        Ok(()) => {
            if p.value("username").is_none() {
                // No prompt in a one-line terminal: a simulated account stands in.
                out.out("Username: learner (simulated: use -u to choose)");
            }
            out.out("Login Succeeded");
            out.stage(LifecycleStage::Login)
        }
        Err(e) => {
            out.fail(daemon_error(e));
            out
        }
    }
}

pub fn logout(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::LOGOUT, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let server = p.args.first().map(String::as_str);
    let host = registry_host(server);
    let shown = if host == "docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.clone()
    };
    if world.logout(server) {
        CommandOutput::ok(format!("Removing login credentials for {shown}\n"))
    } else {
        CommandOutput::ok(format!("Not logged in to {shown}\n"))
    }
}

fn transfer_output(t: Transfer, quiet: bool, stage: LifecycleStage) -> CommandOutput {
    let mut out = CommandOutput::default();
    if quiet {
        if t.error.is_none() {
            if let Some(last) = t.lines.last() {
                out.out(last);
            }
        }
    } else {
        for l in &t.lines {
            out.out(l);
        }
    }
    match t.error {
        Some(e) => {
            let text = match &e {
                crate::engine::world::WorldError::Registry(r)
                    if matches!(
                        r,
                        crate::engine::registry::RegistryError::Denied
                            | crate::engine::registry::RegistryError::NoCredentials
                    ) && stage == LifecycleStage::Push =>
                {
                    e.to_string()
                }
                _ => daemon_error(&e),
            };
            out.fail(text);
            out
        }
        None => out.stage(stage),
    }
}

pub fn push(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::PUSH, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let t = world.push(&p.args[0]);
    transfer_output(t, p.has("quiet"), LifecycleStage::Push)
}

pub fn pull(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::PULL, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let t = world.pull(&p.args[0]);
    transfer_output(t, p.has("quiet"), LifecycleStage::Pull)
}

pub fn volume_ls(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::VOLUME_LS, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let rows: Vec<Row> = world
        .volumes
        .list()
        .map(|v| {
            Row::default()
                .with("Driver", "DRIVER", "local")
                .with("Name", "VOLUME NAME", v.name.clone())
                .with("Mountpoint", "MOUNTPOINT", v.mountpoint())
                .with("Scope", "SCOPE", "local")
        })
        .collect();
    if p.has("quiet") {
        let mut out = CommandOutput::default();
        for r in &rows {
            out.out(&r.fields[1].2);
        }
        return out;
    }
    let format = match p.value("format") {
        Some("table") | None => "table {{.Driver}}\t{{.Name}}",
        Some(f) => f,
    };
    match render(format, &rows, "volumeContext") {
        Ok(s) => CommandOutput::ok(s),
        Err(e) => CommandOutput::err(format!("{}\n", e.0), 1),
    }
}

pub fn volume_create(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::VOLUME_CREATE, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let now = world.now();
    let name = match p.args.first() {
        Some(n) => n.clone(),
        None => world.volumes.create_anonymous(now),
    };
    match world.volumes.create(&name, now) {
        Ok(_) => {
            if let Some(v) = world.volumes.get_mut(&name) {
                for l in p.values("label") {
                    let (k, val) = l.split_once('=').unwrap_or((l.as_str(), ""));
                    v.labels.insert(k.to_string(), val.to_string());
                }
            }
            CommandOutput::ok(format!("{name}\n"))
        }
        Err(e) => CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
    }
}

pub fn volume_rm(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::VOLUME_RM, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut out = CommandOutput::default();
    for name in &p.args {
        let users = world.volume_users(name);
        match world.volumes.remove(name, &users) {
            Ok(_) => out.out(name),
            Err(crate::engine::runtime::volume::VolumeError::NoSuchVolume(_)) if p.has("force") => {
                out.out(name)
            }
            Err(e) => out.fail(daemon_error(e)),
        }
    }
    out
}

pub fn volume_prune(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::VOLUME_PRUNE, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if !p.has("force") {
        return not_confirmed(
            "WARNING! This will remove anonymous local volumes not used by at least one container.",
        );
    }
    let mut out = CommandOutput::default();
    let (names, reclaimed) = prune_volumes(world, p.has("all"));
    deleted_section(&mut out, "Volumes", &names);
    out.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
    out
}

/// Removes the volumes no container uses (anonymous ones only unless `all`): their
/// names and the bytes they held.
fn prune_volumes(world: &mut World, all: bool) -> (Vec<String>, u64) {
    let victims: Vec<(String, u64)> = world
        .volumes
        .list()
        .filter(|v| all || v.anonymous)
        .map(|v| (v.name.clone(), v.size()))
        .filter(|(n, _)| world.volume_users(n).is_empty())
        .collect();
    let mut names = Vec::new();
    let mut reclaimed = 0;
    for (n, size) in victims {
        if world.volumes.remove(&n, &[]).is_ok() {
            names.push(n);
            reclaimed += size;
        }
    }
    (names, reclaimed)
}

/// Without `-f` the CLI asks on the terminal; layerlab has no answer to give.
pub(super) fn not_confirmed(warning: &str) -> CommandOutput {
    CommandOutput::err(
        format!("{warning}\nAre you sure you want to continue? [y/N] \nNot confirmed (no terminal input in layerlab): use -f\n"),
        1,
    )
}

/// Removes every container that is not running: their full IDs and the bytes their
/// writable layers held.
fn prune_containers(world: &mut World) -> (Vec<String>, u64) {
    let stopped: Vec<(String, u64)> = world
        .containers
        .iter()
        .filter(|c| !c.state.is_running())
        .map(|c| (c.id.clone(), c.size_rw()))
        .collect();
    let mut ids = Vec::new();
    let mut reclaimed = 0;
    for (id, size) in stopped {
        if world.remove_container(&id, false, false).is_ok() {
            ids.push(id);
            reclaimed += size;
        }
    }
    (ids, reclaimed)
}

/// `Deleted X:` and one line each, then a blank line (nothing when there is none).
pub(super) fn deleted_section(out: &mut CommandOutput, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    out.out(format!("Deleted {title}:"));
    for l in lines {
        out.out(l);
    }
    out.out("");
}

/// `docker container prune -f`: every stopped container goes, with its writable layer.
pub fn container_prune(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::CONTAINER_PRUNE, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    world.refresh();
    if !p.has("force") {
        return not_confirmed("WARNING! This will remove all stopped containers.");
    }
    let (ids, reclaimed) = prune_containers(world);
    let mut out = CommandOutput::default();
    deleted_section(&mut out, "Containers", &ids);
    out.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
    out.stage(LifecycleStage::Rm)
}

/// `docker system prune -f [-a] [--volumes]`: stopped containers, (anonymous unused
/// volumes), dangling (or all unused) images and the build cache, in that order.
pub fn system_prune(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::SYSTEM_PRUNE, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    world.refresh();
    let (all, volumes) = (p.has("all"), p.has("volumes"));
    if !p.has("force") {
        let mut warning = "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container".to_string();
        if volumes {
            warning.push_str("\n  - all anonymous volumes not used by at least one container");
        }
        warning.push_str(if all {
            "\n  - all images without at least one container associated to them\n  - all build cache\n"
        } else {
            "\n  - all dangling images\n  - unused build cache\n"
        });
        return not_confirmed(&warning);
    }
    let mut out = CommandOutput::default();
    let (ids, mut reclaimed) = prune_containers(world);
    deleted_section(&mut out, "Containers", &ids);
    if volumes {
        let (names, bytes) = prune_volumes(world, false);
        deleted_section(&mut out, "Volumes", &names);
        reclaimed += bytes;
    }
    let mut in_use = std::collections::BTreeSet::new();
    in_use.extend(world.images_in_use().into_keys());
    let report = world.daemon.images.prune(all, &in_use);
    let lines: Vec<String> = report.lines.iter().map(|l| l.prune_text()).collect();
    deleted_section(&mut out, "Images", &lines);
    reclaimed += report.reclaimed;
    // BuildKit's cache records: listed by a record ID, their layers' bytes reclaimed.
    let mut records = Vec::new();
    for (key, entry) in world.daemon.cache.entries() {
        records.push(record_id(key));
        if let Some(l) = entry
            .layer
            .as_ref()
            .and_then(|c| world.daemon.layers.get(c))
        {
            reclaimed += l.content_size;
        }
    }
    world.daemon.cache.clear();
    world.gc_layers();
    deleted_section(&mut out, "build cache objects", &records);
    out.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
    out.stage(LifecycleStage::Rmi)
}

/// A BuildKit cache record ID (25 characters of `[a-z0-9]`), from the cache key.
fn record_id(key: &crate::engine::digest::Digest) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    key.hex()
        .as_bytes()
        .chunks(2)
        .take(25)
        .map(|pair| {
            let v = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
            ALPHABET[usize::from(v) % ALPHABET.len()] as char
        })
        .collect()
}

pub fn system_df(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::SYSTEM_DF, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let in_use = world.images_in_use();
    let store = &world.daemon.images;
    // Layers shared between images count once, as Docker's SharedSize does.
    let mut seen = std::collections::BTreeMap::new();
    let mut active_layers = std::collections::BTreeSet::new();
    let mut images = 0;
    let mut active = 0;
    for img in store.images() {
        images += 1;
        let used = in_use.contains_key(&img.id);
        if used {
            active += 1;
        }
        for l in &img.layers {
            seen.insert(l.chain_id.clone(), l.uncompressed_size);
            if used {
                active_layers.insert(l.chain_id.clone());
            }
        }
    }
    let total: u64 = seen.values().sum();
    let reclaim_img: u64 = seen
        .iter()
        .filter(|(k, _)| !active_layers.contains(*k))
        .map(|(_, v)| v)
        .sum();
    let containers = world.containers.len();
    let running = world
        .containers
        .iter()
        .filter(|c| c.state.is_running())
        .count();
    let c_size: u64 = world.containers.iter().map(|c| c.size_rw()).sum();
    let c_reclaim: u64 = world
        .containers
        .iter()
        .filter(|c| !c.state.is_running())
        .map(|c| c.size_rw())
        .sum();
    let vols = world.volumes.len();
    let vol_active = world
        .volumes
        .list()
        .filter(|v| !world.volume_users(&v.name).is_empty())
        .count();
    let v_size: u64 = world.volumes.list().map(|v| v.size()).sum();
    let v_reclaim: u64 = world
        .volumes
        .list()
        .filter(|v| world.volume_users(&v.name).is_empty())
        .map(|v| v.size())
        .sum();
    // docker/cli `diskUsage*Context.Reclaimable`: a percentage only of a non-zero total.
    let pct = |part: u64, whole: u64| -> String {
        match part.saturating_mul(100).checked_div(whole) {
            Some(p) => format!("{} ({p}%)", human_size(part)),
            None => human_size(part),
        }
    };
    let row = |kind: &str, total: usize, active: usize, size: u64, reclaim: String| {
        Row::default()
            .with("Type", "TYPE", kind)
            .with("TotalCount", "TOTAL", total.to_string())
            .with("Active", "ACTIVE", active.to_string())
            .with("Size", "SIZE", human_size(size))
            .with("Reclaimable", "RECLAIMABLE", reclaim)
    };
    let rows = vec![
        row("Images", images, active, total, pct(reclaim_img, total)),
        row(
            "Containers",
            containers,
            running,
            c_size,
            pct(c_reclaim, c_size),
        ),
        row(
            "Local Volumes",
            vols,
            vol_active,
            v_size,
            pct(v_reclaim, v_size),
        ),
        row("Build Cache", 0, 0, 0, "0B".to_string()),
    ];
    let format = match p.value("format") {
        Some("table") | None => {
            "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
        }
        Some(f) => f,
    };
    match render(format, &rows, "diskUsageImagesContext") {
        Ok(s) => CommandOutput::ok(s),
        Err(e) => CommandOutput::err(format!("{}\n", e.0), 1),
    }
}

pub fn version(world: &mut World, words: &[String]) -> CommandOutput {
    if let Err(o) = parse_for(&specs::VERSION, words) {
        return o;
    }
    let _ = world;
    CommandOutput::ok(
        "Client:\n Version:           27.5.1 (simulated by layerlab)\n API version:       1.47\n OS/Arch:           linux/amd64\n\nServer: layerlab simulated engine\n Engine:\n  Version:          27.5.1\n  API version:      1.47 (minimum version 1.24)\n  OS/Arch:          linux/amd64\n",
    )
}

pub fn info(world: &mut World, words: &[String]) -> CommandOutput {
    if let Err(o) = parse_for(&specs::INFO, words) {
        return o;
    }
    let running = world
        .containers
        .iter()
        .filter(|c| c.state.is_running())
        .count();
    let paused = world
        .containers
        .iter()
        .filter(|c| c.state == crate::engine::runtime::State::Paused)
        .count();
    let stopped = world.containers.len() - running;
    let logins: Vec<String> = world
        .logins
        .iter()
        .map(|(h, u)| format!("  {h} ({u})"))
        .collect();
    CommandOutput::ok(format!(
        "Client:\n Version:    27.5.1 (simulated)\n Context:    default\n\nServer:\n Containers: {}\n  Running: {running}\n  Paused: {paused}\n  Stopped: {}\n Images: {}\n Server Version: 27.5.1 (layerlab simulated engine)\n Storage Driver: overlay2 (simulated)\n Operating System: layerlab (in-memory)\n Architecture: x86_64\n Registries: docker.io, registry.example.com, localhost:5000\n Logged in:{}\n",
        world.containers.len(),
        stopped - paused.min(stopped),
        world.daemon.images.images().count(),
        if logins.is_empty() {
            " none".to_string()
        } else {
            format!("\n{}", logins.join("\n"))
        }
    ))
}

/// `sleep N[s|m|h]`: lets simulated time pass (not a docker command, but what a
/// learner types to see `Up 2 minutes`).
pub fn sleep(world: &mut World, words: &[String]) -> CommandOutput {
    let Some(arg) = words.first() else {
        return CommandOutput::err("sleep: missing operand\n", 1);
    };
    let (num, mult) = match arg.chars().last() {
        Some('s') => (&arg[..arg.len() - 1], 1),
        Some('m') => (&arg[..arg.len() - 1], 60),
        Some('h') => (&arg[..arg.len() - 1], 3600),
        _ => (arg.as_str(), 1),
    };
    match num.parse::<u64>() {
        Ok(n) => {
            world.advance(n.saturating_mul(mult).saturating_sub(1));
            CommandOutput::default()
        }
        Err(_) => CommandOutput::err(format!("sleep: invalid time interval '{arg}'\n"), 1),
    }
}
