//! Container commands: run, create, start, stop, restart, kill, rm, ps, logs, exec,
//! diff, commit.

use super::argv::Parsed;
use super::attach;
use super::table::{ellipsis, go_quote, go_time, human_size_prec, render, Row};
use super::{daemon_error, parse_for, specs, CommandOutput, LifecycleStage};
use crate::engine::build::executor::Executor;
use crate::engine::runtime::process::{Outcome, SpawnError};
use crate::engine::runtime::{Container, MountSource};
use crate::engine::world::{ExecSpec, RunSpec, World, WorldError};

/// `docker run` failures: `docker: ...` plus the hint, status 125 (126/127 when the
/// process could not be executed).
fn run_error(e: &WorldError, verb: &str) -> CommandOutput {
    let code = match e {
        WorldError::Spawn(SpawnError::PermissionDenied(_)) => 126,
        WorldError::Spawn(_) => 127,
        _ => 125,
    };
    CommandOutput::err(
        format!(
            "docker: {}\n\nRun 'docker {verb} --help' for more information\n",
            daemon_error(e)
        ),
        code,
    )
}

fn env_file(world: &World, name: &str) -> Result<Vec<String>, String> {
    let text = world
        .context
        .read_text(name.trim_start_matches("./"))
        .ok_or_else(|| format!("open {name}: no such file or directory"))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

pub(super) fn print_outcome(out: &mut CommandOutput, o: &Outcome) {
    for l in &o.output {
        if l.stderr {
            out.warn(&l.text);
        } else {
            out.out(&l.text);
        }
    }
}

pub fn run(
    world: &mut World,
    words: &[String],
    exec: &mut dyn Executor,
    start: bool,
) -> CommandOutput {
    let spec = if start { &specs::RUN } else { &specs::CREATE };
    let verb = if start { "run" } else { "create" };
    let p = match parse_for(spec, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut env = Vec::new();
    for f in p.values("env-file") {
        match env_file(world, &f) {
            Ok(mut lines) => env.append(&mut lines),
            Err(e) => {
                return CommandOutput::err(
                    format!("docker: {e}\n\nRun 'docker {verb} --help' for more information\n"),
                    125,
                )
            }
        }
    }
    env.extend(p.values("env"));
    let run_spec = RunSpec {
        image: p.args[0].clone(),
        name: p.value("name").map(str::to_string),
        env,
        workdir: p.value("workdir").map(str::to_string),
        user: p.value("user").map(str::to_string),
        entrypoint: p.value("entrypoint").map(str::to_string),
        command: p.args[1..].to_vec(),
        ports: p.values("publish"),
        publish_all: p.has("publish-all"),
        expose: p.values("expose"),
        volumes: p.values("volume"),
        interactive: p.has("interactive"),
        tty: p.has("tty"),
        auto_remove: p.has("rm"),
        labels: p
            .values("label")
            .into_iter()
            .map(|l| match l.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (l, String::new()),
            })
            .collect(),
    };
    if let Err(e) = crate::engine::world::check_cli_values(&run_spec) {
        // The CLI's own refusal (`reportError`): no daemon involved, a full stop added.
        return CommandOutput::err(
            format!("docker: {e}.\n\nRun 'docker {verb} --help' for more information\n"),
            125,
        );
    }
    let mut out = CommandOutput::default();
    if world.daemon.find_image(&run_spec.image).is_err() {
        let shown = crate::engine::reference::parse_normalized_named(&run_spec.image)
            .map(|r| r.tag_name_only().familiar_string())
            .unwrap_or_else(|_| run_spec.image.clone());
        out.warn(format!("Unable to find image '{shown}' locally"));
        out.stderr_first = true;
        let t = world.pull(&run_spec.image);
        // `docker run` shows the pull's progress but not its final reference line.
        let shown_lines = if t.error.is_none() {
            t.lines.len().saturating_sub(1)
        } else {
            t.lines.len()
        };
        for l in t.lines.iter().take(shown_lines) {
            if !l.starts_with("Using default tag") {
                out.warn(l);
            }
        }
        if let Some(e) = t.error {
            let mut o = run_error(&e, verb);
            o.stderr = format!("{}{}", out.stderr, o.stderr);
            return o;
        }
    }
    let id = match world.create_container(&run_spec) {
        Ok(id) => id,
        Err(e) => {
            let mut o = run_error(&e, verb);
            o.stderr = format!("{}{}", out.stderr, o.stderr);
            return o;
        }
    };
    if !start {
        out.out(&id);
        return out.stage(LifecycleStage::Run);
    }
    match world.start_container(&id, exec) {
        Ok(o) => {
            if p.has("detach") {
                out.out(&id);
            } else {
                print_outcome(&mut out, &o);
                out.exit_code = o.exit_code.unwrap_or(0);
                // `-it` with a shell: the terminal is now that shell's (a prompt).
                attach_main_shell(world, &id);
            }
        }
        Err(e) => {
            let mut o = run_error(&e, verb);
            o.stderr = format!("{}{}", out.stderr, o.stderr);
            return o;
        }
    }
    out.stage = Some(LifecycleStage::Run);
    out
}

/// Runs `f` for each named container, printing the name as typed on success.
fn each(
    world: &mut World,
    names: &[String],
    mut f: impl FnMut(&mut World, &str) -> Result<(), WorldError>,
) -> CommandOutput {
    let mut out = CommandOutput::default();
    for n in names {
        match f(world, n) {
            Ok(()) => out.out(n),
            Err(e) => out.fail(daemon_error(e)),
        }
    }
    out
}

fn timeout(p: &Parsed) -> u64 {
    p.value("time").and_then(|t| t.parse().ok()).unwrap_or(10)
}

pub fn start(world: &mut World, words: &[String], exec: &mut dyn Executor) -> CommandOutput {
    let p = match parse_for(&specs::START, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut attached = Vec::new();
    let mut out = each(world, &p.args, |w, n| {
        let o = w.start_container(n, exec)?;
        attached.push(o);
        Ok(())
    });
    if p.has("attach") {
        out.stdout.clear();
        for o in &attached {
            print_outcome(&mut out, o);
        }
        // `start -ai` of a container made with `-it` and a shell: its prompt.
        if p.has("interactive") && out.exit_code == 0 {
            if let Some(name) = p.args.first() {
                attach_main_shell(world, name);
            }
        }
    }
    out.stage(LifecycleStage::Run)
}

/// Attaches the terminal to `key`'s main process when that is an interactive shell
/// with a TTY (`docker run -dit alpine sh`); returns whether it did.
fn attach_main_shell(world: &mut World, key: &str) -> bool {
    let Ok(c) = world.container(key) else {
        return false;
    };
    if !(c.state.is_running() && c.tty && c.interactive) {
        return false;
    }
    let (id, argv) = (c.id.clone(), c.argv());
    match attach::shell_of(&argv).or_else(|| attach::repl_of(&argv)) {
        Some(program) => {
            attach::attach(world, &id, program, true, None, None);
            true
        }
        None => false,
    }
}

/// `docker attach`: the terminal becomes the container's main process's terminal.
/// A shell started with `-it` gives its prompt; other processes have nothing new to
/// show here (their output so far is in `docker logs`).
pub fn attach(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::ATTACH, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    world.refresh();
    let key = &p.args[0];
    match world.container(key) {
        Err(e) => CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
        Ok(c) if !c.state.is_running() => CommandOutput::err(
            "You cannot attach to a stopped container, start it first\n",
            1,
        ),
        Ok(_) => {
            if !p.has("no-stdin") {
                attach_main_shell(world, key);
            }
            CommandOutput::default()
        }
    }
}

pub fn stop(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::STOP, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let t = timeout(&p);
    each(world, &p.args, |w, n| w.stop_container(n, t)).stage(LifecycleStage::Stop)
}

pub fn restart(world: &mut World, words: &[String], exec: &mut dyn Executor) -> CommandOutput {
    let p = match parse_for(&specs::RESTART, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let t = timeout(&p);
    each(world, &p.args, |w, n| w.restart_container(n, t, exec)).stage(LifecycleStage::Run)
}

pub fn kill(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::KILL, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    each(world, &p.args, |w, n| w.kill_container(n)).stage(LifecycleStage::Stop)
}

pub fn rm(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::RM, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (force, volumes) = (p.has("force"), p.has("volumes"));
    each(world, &p.args, |w, n| w.remove_container(n, force, volumes)).stage(LifecycleStage::Rm)
}

/// `0.0.0.0:8080->3000/tcp, [::]:8080->3000/tcp` for running containers; exposed but
/// unpublished ports as `3000/tcp`.
fn ports_column(c: &Container) -> String {
    if !c.state.is_running() {
        return String::new();
    }
    let mut parts = Vec::new();
    for e in &c.exposed {
        let bound: Vec<_> = c
            .ports
            .iter()
            .filter(|p| format!("{}/{}", p.container_port, p.proto) == *e)
            .collect();
        if bound.is_empty() {
            parts.push(e.clone());
        }
        for b in bound {
            parts.push(format!("{}:{}->{e}", b.host_ip, b.host_port));
            if b.host_ip == "0.0.0.0" {
                parts.push(format!("[::]:{}->{e}", b.host_port));
            }
        }
    }
    parts.join(", ")
}

/// docker/cli `ContainerContext.Mounts`: volume names (bind mounts: the source),
/// each cut to 15 characters unless `--no-trunc`.
fn mounts_column(c: &Container, no_trunc: bool) -> String {
    c.mounts
        .iter()
        .map(|m| {
            let name = match &m.source {
                MountSource::Volume(n) => n.clone(),
                MountSource::Bind(p) => format!("/context{p}"),
            };
            if no_trunc {
                name
            } else {
                ellipsis(&name, 15)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The image as the user named it, or its ID once that name no longer resolves to the
/// container's image (the tag moved or was removed): moby `daemon/list.go`
/// `refreshImage`, shortened by the CLI like any ID.
fn image_column(world: &World, c: &Container, no_trunc: bool) -> String {
    if world.daemon.images.resolve(&c.image).ok().as_ref() == Some(&c.image_id) {
        return c.image.clone();
    }
    if no_trunc {
        c.image_id.to_string()
    } else {
        c.image_id.short().to_string()
    }
}

/// `key=value` pairs joined by commas, as `ContainerContext.Labels` prints them.
fn labels_column(c: &Container) -> String {
    let mut labels: Vec<String> = c.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    crate::engine::sort::sort(&mut labels);
    labels.join(",")
}

pub fn ps(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::PS, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    world.refresh();
    let filter = match super::filter::PsFilter::parse(&p.values("filter")) {
        Ok(f) => f,
        Err(e) => return e.output(),
    };
    if let Err(e) = filter.check_refs(world) {
        return e.output();
    }
    let now = world.now();
    let no_trunc = p.has("no-trunc");
    let all = p.has("all") || p.has("latest") || p.value("last").is_some() || filter.implies_all();
    let mut list: Vec<&Container> = world
        .containers
        .iter()
        .enumerate()
        .filter(|(i, c)| (all || c.state.is_running()) && filter.matches(world, c, *i))
        .map(|(_, c)| c)
        .collect();
    list.reverse();
    if p.has("latest") {
        list.truncate(1);
    }
    if let Some(n) = p.value("last").and_then(|n| n.parse::<usize>().ok()) {
        list.truncate(n);
    }
    let rows: Vec<Row> = list
        .iter()
        .map(|c| {
            let command = if no_trunc {
                go_quote(&c.command())
            } else {
                go_quote(&ellipsis(&c.command(), 20))
            };
            Row::default()
                .with(
                    "ID",
                    "CONTAINER ID",
                    if no_trunc {
                        c.id.clone()
                    } else {
                        c.short_id().to_string()
                    },
                )
                .with("Image", "IMAGE", image_column(world, c, no_trunc))
                .with("Command", "COMMAND", command)
                .with(
                    "RunningFor",
                    "CREATED",
                    format!(
                        "{} ago",
                        crate::engine::clock::human_duration(now - c.created)
                    ),
                )
                .with("CreatedAt", "CREATED AT", go_time(c.created))
                .with("Status", "STATUS", c.status(now))
                .with("State", "STATE", c.state.status())
                .with("Ports", "PORTS", ports_column(c))
                .with("Names", "NAMES", c.name.clone())
                .with(
                    "Size",
                    "SIZE",
                    format!(
                        "{} (virtual {})",
                        human_size_prec(c.size_rw(), 3),
                        human_size_prec(c.size_rw() + c.size_image(), 3)
                    ),
                )
                .with("Mounts", "MOUNTS", mounts_column(c, no_trunc))
                .with("Labels", "LABELS", labels_column(c))
                .with(
                    "LocalVolumes",
                    "LOCAL VOLUMES",
                    c.mounts
                        .iter()
                        .filter(|m| matches!(m.source, MountSource::Volume(_)))
                        .count()
                        .to_string(),
                )
                .with("Networks", "NETWORKS", "bridge")
        })
        .collect();
    if p.has("quiet") {
        let mut out = CommandOutput::default();
        for r in &rows {
            out.out(&r.fields[0].2);
        }
        return out;
    }
    let default = if p.has("size") {
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}"
    } else {
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
    };
    let format = match p.value("format") {
        Some("table") | None => default,
        Some(f) => f,
    };
    match render(format, &rows, "ContainerContext") {
        Ok(s) => CommandOutput::ok(s),
        Err(e) => CommandOutput::err(format!("{}\n", e.0), 1),
    }
}

pub fn logs(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::LOGS, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    world.refresh();
    let c = match world.container(&p.args[0]) {
        Ok(c) => c,
        Err(e) => return CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
    };
    let tail = p
        .value("tail")
        .filter(|t| *t != "all")
        .and_then(|t| t.parse::<usize>().ok());
    let skip = tail.map_or(0, |n| c.logs.len().saturating_sub(n));
    let mut out = CommandOutput::default();
    for l in c.logs.iter().skip(skip) {
        let text = if p.has("timestamps") {
            format!(
                "{}.000000000Z {}",
                crate::engine::clock::rfc3339(l.at).trim_end_matches('Z'),
                l.text
            )
        } else {
            l.text.clone()
        };
        if l.stderr {
            out.warn(text);
        } else {
            out.out(text);
        }
    }
    out
}

/// `docker exec` of a program that cannot start: runc's words, 126 or 127.
fn exec_failed(e: &SpawnError) -> CommandOutput {
    let code = if matches!(e, SpawnError::PermissionDenied(_)) {
        126
    } else {
        127
    };
    CommandOutput::err(
        format!("OCI runtime exec failed: exec failed: unable to start container process: {e}: unknown\n"),
        code,
    )
}

/// `exec -it CONTAINER node|python3`: runs `PROGRAM --version` first (so a container
/// without it fails as `exec` does), then prints the interpreter's banner and attaches
/// the terminal to its prompt.
fn exec_repl(
    world: &mut World,
    container: &str,
    program: &[String],
    executor: &mut dyn Executor,
) -> CommandOutput {
    let spec = ExecSpec {
        command: vec![program[0].clone(), "--version".to_string()],
        env: Vec::new(),
        workdir: None,
        user: None,
        interactive: false,
    };
    let version = match world.exec_in(container, &spec, executor) {
        Ok(Ok(o)) if o.exit_code == Some(0) => o
            .output
            .iter()
            .map(|l| l.text.trim().to_string())
            .find(|t| !t.is_empty())
            .unwrap_or_default(),
        Ok(Ok(o)) => {
            let mut out = CommandOutput::default();
            print_outcome(&mut out, &o);
            out.exit_code = o.exit_code.unwrap_or(1);
            return out;
        }
        Ok(Err(e)) => return exec_failed(&e),
        Err(e) => return CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
    };
    let id = match world.container(container) {
        Ok(c) => c.id.clone(),
        Err(e) => return CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
    };
    attach::attach(world, &id, program, false, None, None);
    let mut out = CommandOutput::default();
    // `--version` printed `v22.11.0` (node) or `Python 3.12.7`.
    let node = program[0].ends_with("node");
    let bare = version
        .trim_start_matches('v')
        .trim_start_matches("Python ");
    for line in crate::engine::pkg::interp::banner(node, bare) {
        out.out(line);
    }
    out
}

pub fn exec(world: &mut World, words: &[String], executor: &mut dyn Executor) -> CommandOutput {
    let p = match parse_for(&specs::EXEC, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    world.refresh();
    let command = p.args[1..].to_vec();
    let it = p.has("interactive") && p.has("tty") && !p.has("detach");
    // `exec -it CONTAINER node`: node's (python's) prompt, if the container has it.
    if let Some(repl) = attach::repl_of(&command).filter(|_| it) {
        return exec_repl(world, &p.args[0], repl, executor);
    }
    // `exec -it CONTAINER sh`: the terminal attaches to a new shell in the container.
    let shell = attach::shell_of(&command).filter(|_| it);
    if let Some(shell) = shell {
        return match world.container(&p.args[0]).map(|c| (c.state, c.id.clone())) {
            Ok((state, id)) if state.is_running() => {
                attach::attach(
                    world,
                    &id,
                    shell,
                    false,
                    p.value("workdir"),
                    p.value("user"),
                );
                CommandOutput::default()
            }
            Ok((_, id)) => {
                CommandOutput::err(format!("{}\n", daemon_error(WorldError::NotRunning(id))), 1)
            }
            Err(e) => CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
        };
    }
    let spec = ExecSpec {
        command,
        env: p.values("env"),
        workdir: p.value("workdir").map(str::to_string),
        user: p.value("user").map(str::to_string),
        interactive: p.has("interactive"),
    };
    match world.exec_in(&p.args[0], &spec, executor) {
        Err(e) => CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
        Ok(Err(e)) => exec_failed(&e),
        Ok(Ok(o)) => {
            let mut out = CommandOutput::default();
            if !p.has("detach") {
                print_outcome(&mut out, &o);
                out.exit_code = o.exit_code.unwrap_or(0);
            }
            out
        }
    }
}

pub fn diff(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::DIFF, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    match world.container(&p.args[0]) {
        Ok(c) => {
            let mut out = CommandOutput::default();
            for (k, path) in c.diff() {
                out.out(format!("{} {path}", k.letter()));
            }
            out
        }
        Err(e) => CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
    }
}

pub fn commit(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::COMMIT, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    match world.commit_container(
        &p.args[0],
        p.args.get(1).map(String::as_str),
        p.value("message"),
        p.value("author"),
    ) {
        Ok(id) => CommandOutput::ok(format!("{id}\n")).stage(LifecycleStage::Build),
        Err(e) => CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
    }
}
