//! The docker command line, emulated: one typed line → argv → world operations →
//! the text the docker CLI would print, its exit status, and the lifecycle stage the
//! UI highlights. The browser terminal and the host `layerlab script` share it.
//!
//! Exit statuses follow the docker CLI: 0 success, 1 daemon errors and argument-count
//! errors, 125 flag errors and `docker run` failures, 126/127 for a process that cannot
//! be executed.

pub mod argv;
pub mod attach;
mod containers;
mod filter;
mod images;
mod inspect;
mod other;
pub mod script;
pub mod specs;
pub mod table;

use crate::engine::build::executor::Executor;
use crate::engine::build::simulated::SimulatedExecutor;
use crate::engine::world::World;
use argv::{arity_error, help_text, parse, Parsed, Spec};

/// The lifecycle strip's stages (the seed's build → tag → ... → rm flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleStage {
    Build,
    Tag,
    Login,
    Push,
    Registry,
    Pull,
    Run,
    Stop,
    Rm,
    Rmi,
}

/// A file a command wrote on the host (`docker save -o my-api.tar`): the page offers
/// it as a download; bytes are shared, not copied, when the output is cloned.
#[derive(Clone, PartialEq, Eq)]
pub struct SavedFile {
    /// The file name (the `-o` path's last part).
    pub name: String,
    /// What it is and what reads it, for the page to say.
    pub about: String,
    pub bytes: std::rc::Rc<Vec<u8>>,
}

impl std::fmt::Debug for SavedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SavedFile({}, {} bytes)", self.name, self.bytes.len())
    }
}

/// What a command printed and returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    pub stage: Option<LifecycleStage>,
    /// A file written on the host, if any.
    pub file: Option<SavedFile>,
    /// The stderr text was printed before the stdout text: `docker run` of an image
    /// it first had to pull prints `Unable to find image ...` and the pull progress
    /// (stderr) before anything the container prints.
    pub stderr_first: bool,
}

impl CommandOutput {
    fn ok(stdout: impl Into<String>) -> CommandOutput {
        CommandOutput {
            stdout: stdout.into(),
            ..CommandOutput::default()
        }
    }

    fn err(stderr: impl Into<String>, code: i32) -> CommandOutput {
        CommandOutput {
            stderr: stderr.into(),
            exit_code: code,
            ..CommandOutput::default()
        }
    }

    fn stage(mut self, stage: LifecycleStage) -> CommandOutput {
        if self.exit_code == 0 {
            self.stage = Some(stage);
        }
        self
    }

    /// Both streams in the order a terminal shows them.
    pub fn text(&self) -> String {
        if self.stderr_first {
            format!("{}{}", self.stderr, self.stdout)
        } else {
            format!("{}{}", self.stdout, self.stderr)
        }
    }

    /// Adds a line to stdout.
    fn out(&mut self, line: impl AsRef<str>) {
        self.stdout.push_str(line.as_ref());
        self.stdout.push('\n');
    }

    /// Adds a line to stderr.
    fn warn(&mut self, line: impl AsRef<str>) {
        self.stderr.push_str(line.as_ref());
        self.stderr.push('\n');
    }

    /// Output of a command that acts on several objects: errors go to stderr, the
    /// status is 1 if any failed.
    fn fail(&mut self, message: impl AsRef<str>) {
        self.warn(message);
        self.exit_code = 1;
    }
}

/// `Error response from daemon: ...`.
fn daemon_error(e: impl std::fmt::Display) -> String {
    format!("Error response from daemon: {e}")
}

/// Runs one terminal line (`docker ps -a`, or just `ps -a`) against `world` with the
/// simulated shell as executor.
pub fn run(world: &mut World, line: &str) -> CommandOutput {
    run_with(world, line, &mut SimulatedExecutor::new())
}

/// [`run`] with a chosen executor for container processes. While the terminal is
/// attached to a container's shell (`docker run -it alpine sh`), the line goes to that
/// shell instead (see [`attach`]).
pub fn run_with(world: &mut World, line: &str, exec: &mut dyn Executor) -> CommandOutput {
    if let Some(a) = world.attached.clone() {
        world.advance(1);
        return attach::line(world, a, line, exec);
    }
    let words = match argv::split_words(line) {
        Ok(w) => w,
        Err(e) => return CommandOutput::err(format!("docker: {e}\n"), 1),
    };
    let words: &[String] = match words.first().map(String::as_str) {
        Some("docker") => &words[1..],
        Some(_) => &words,
        None => return CommandOutput::default(),
    };
    // Typing takes time: each command moves the simulated clock by a second.
    world.advance(1);
    dispatch(world, words, exec)
}

/// Parses flags for `spec`; `Err` is the output to return (help or an error).
fn parse_for(spec: &Spec, words: &[String]) -> Result<Parsed, CommandOutput> {
    let parsed = match parse(spec, words) {
        Ok(p) => p,
        Err(e) => {
            return Err(CommandOutput::err(
                format!("{}\nSee 'docker {} --help'.\n", e.0, spec.name),
                125,
            ))
        }
    };
    if parsed.help {
        return Err(CommandOutput::ok(help_text(spec)));
    }
    if let Some(msg) = arity_error(spec, parsed.args.len()) {
        return Err(CommandOutput::err(
            format!(
                "{msg}\nSee 'docker {} --help'.\n\nUsage:  {}\n\n{}\n",
                spec.name,
                spec.usage,
                spec.about.lines().next().unwrap_or("")
            ),
            1,
        ));
    }
    Ok(parsed)
}

fn dispatch(world: &mut World, words: &[String], exec: &mut dyn Executor) -> CommandOutput {
    let Some(verb) = words.first() else {
        return CommandOutput::ok(usage());
    };
    let rest = &words[1..];
    // Management commands map onto the classic verbs.
    let sub = rest.first().map(String::as_str);
    let rest2 = rest.get(1..).unwrap_or(&[]);
    match (verb.as_str(), sub) {
        ("image", Some("ls" | "list")) => images::images(world, rest2),
        ("image", Some("history")) | ("history", _) => {
            images::history(world, if verb == "history" { rest } else { rest2 })
        }
        ("image", Some("inspect")) => inspect::inspect(world, rest2, Some("image")),
        ("image", Some("tag")) => images::tag(world, rest2),
        ("image", Some("rm" | "remove")) => images::rmi(world, rest2),
        ("image", Some("prune")) => images::prune(world, rest2),
        ("image", Some("build")) | ("builder", Some("build")) => images::build(world, rest2, exec),
        ("image", Some("push")) => other::push(world, rest2),
        ("image", Some("pull")) => other::pull(world, rest2),
        ("image", Some("save")) => images::save(world, rest2),
        ("image", Some("load")) => images::load(world, rest2),
        ("image", Some("import")) => images::import(world, rest2),
        ("buildx", Some("build" | "b")) => images::build(world, rest2, exec),
        ("container", Some("ls" | "list" | "ps")) => containers::ps(world, rest2),
        ("container", Some("run")) => containers::run(world, rest2, exec, true),
        ("container", Some("create")) => containers::run(world, rest2, exec, false),
        ("container", Some("inspect")) => inspect::inspect(world, rest2, Some("container")),
        ("container", Some(v @ ("attach" | "start" | "stop" | "restart" | "kill" | "rm" | "remove" | "logs" | "exec" | "diff" | "commit" | "export"))) => {
            let v = if v == "remove" { "rm" } else { v };
            verb_dispatch(world, v, rest2, exec)
        }
        ("container" | "image" | "volume" | "system", None | Some("--help" | "-h" | "help")) => {
            CommandOutput::ok(management_usage(verb))
        }
        ("volume", Some("ls" | "list")) => other::volume_ls(world, rest2),
        ("volume", Some("create")) => other::volume_create(world, rest2),
        ("volume", Some("rm" | "remove")) => other::volume_rm(world, rest2),
        ("volume", Some("prune")) => other::volume_prune(world, rest2),
        ("container", Some("prune")) => other::container_prune(world, rest2),
        ("system", Some("prune")) => other::system_prune(world, rest2),
        ("volume", Some("inspect")) => inspect::volume_inspect(world, rest2),
        ("system", Some("df")) => other::system_df(world, rest2),
        ("system", Some("info")) => other::info(world, rest2),
        ("container" | "image" | "volume" | "system", Some(other)) => CommandOutput::err(
            format!("docker: unknown command: docker {verb} {other}\n\nRun 'docker {verb} --help' for more information\n"),
            1,
        ),
        ("help", None) | ("--help" | "-h", _) => CommandOutput::ok(usage()),
        ("help", Some(cmd)) => dispatch(world, &[cmd.to_string(), "--help".to_string()], exec),
        ("--version" | "-v", _) => CommandOutput::ok("Docker version 27.5.1, build layerlab (simulated)\n"),
        _ => verb_dispatch(world, verb, rest, exec),
    }
}

fn verb_dispatch(
    world: &mut World,
    verb: &str,
    rest: &[String],
    exec: &mut dyn Executor,
) -> CommandOutput {
    match verb {
        "build" => images::build(world, rest, exec),
        "images" => images::images(world, rest),
        "inspect" => inspect::inspect(world, rest, None),
        "tag" => images::tag(world, rest),
        "rmi" => images::rmi(world, rest),
        "login" => other::login(world, rest),
        "logout" => other::logout(world, rest),
        "push" => other::push(world, rest),
        "save" => images::save(world, rest),
        "load" => images::load(world, rest),
        "export" => images::export(world, rest),
        "import" => images::import(world, rest),
        "pull" => other::pull(world, rest),
        "run" => containers::run(world, rest, exec, true),
        "create" => containers::run(world, rest, exec, false),
        "start" => containers::start(world, rest, exec),
        "attach" => containers::attach(world, rest),
        "stop" => containers::stop(world, rest),
        "restart" => containers::restart(world, rest, exec),
        "kill" => containers::kill(world, rest),
        "rm" => containers::rm(world, rest),
        "ps" => containers::ps(world, rest),
        "logs" => containers::logs(world, rest),
        "exec" => containers::exec(world, rest, exec),
        "diff" => containers::diff(world, rest),
        "commit" => containers::commit(world, rest),
        "version" => other::version(world, rest),
        "info" => other::info(world, rest),
        "sleep" => other::sleep(world, rest),
        other => CommandOutput::err(
            format!("docker: '{other}' is not a docker command.\nSee 'docker --help'\n"),
            1,
        ),
    }
}

fn management_usage(group: &str) -> String {
    let (about, cmds): (&str, &[(&str, &str)]) = match group {
        "container" => (
            "Manage containers",
            &[
                (
                    "attach",
                    "Attach local standard input, output, and error streams to a running container",
                ),
                ("commit", "Create a new image from a container's changes"),
                ("create", "Create a new container"),
                (
                    "diff",
                    "Inspect changes to files or directories on a container's filesystem",
                ),
                ("exec", "Execute a command in a running container"),
                ("export", "Export a container's filesystem as a tar archive"),
                (
                    "inspect",
                    "Display detailed information on one or more containers",
                ),
                ("kill", "Kill one or more running containers"),
                ("logs", "Fetch the logs of a container"),
                ("ls", "List containers"),
                ("prune", "Remove all stopped containers"),
                ("restart", "Restart one or more containers"),
                ("rm", "Remove one or more containers"),
                ("run", "Create and run a new container from an image"),
                ("start", "Start one or more stopped containers"),
                ("stop", "Stop one or more running containers"),
            ],
        ),
        "image" => (
            "Manage images",
            &[
                ("build", "Build an image from a Dockerfile"),
                ("history", "Show the history of an image"),
                (
                    "import",
                    "Import the contents from a tarball to create a filesystem image",
                ),
                (
                    "inspect",
                    "Display detailed information on one or more images",
                ),
                ("load", "Load an image from a tar archive or STDIN"),
                ("ls", "List images"),
                ("prune", "Remove unused images"),
                ("pull", "Download an image from a registry"),
                ("push", "Upload an image to a registry"),
                ("rm", "Remove one or more images"),
                (
                    "save",
                    "Save one or more images to a tar archive (streamed to STDOUT by default)",
                ),
                (
                    "tag",
                    "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
                ),
            ],
        ),
        "volume" => (
            "Manage volumes",
            &[
                ("create", "Create a volume"),
                (
                    "inspect",
                    "Display detailed information on one or more volumes",
                ),
                ("ls", "List volumes"),
                ("prune", "Remove unused local volumes"),
                ("rm", "Remove one or more volumes"),
            ],
        ),
        _ => (
            "Manage Docker",
            &[
                ("df", "Show docker disk usage"),
                ("info", "Display system-wide information"),
                ("prune", "Remove unused data"),
            ],
        ),
    };
    let mut out = format!("\nUsage:  docker {group} COMMAND\n\n{about}\n\nCommands:\n");
    for (c, h) in cmds {
        out.push_str(&format!("  {c:<11} {h}\n"));
    }
    out.push_str(&format!(
        "\nRun 'docker {group} COMMAND --help' for more information on a command.\n"
    ));
    out
}

/// `docker --help` (the subset layerlab simulates).
pub fn usage() -> String {
    let common: &[(&str, &str)] = &[
        ("run", "Create and run a new container from an image"),
        ("exec", "Execute a command in a running container"),
        ("ps", "List containers"),
        ("build", "Build an image from a Dockerfile"),
        ("pull", "Download an image from a registry"),
        ("push", "Upload an image to a registry"),
        ("images", "List images"),
        ("login", "Authenticate to a registry"),
        ("logout", "Log out from a registry"),
        ("version", "Show the Docker version information"),
        ("info", "Display system-wide information"),
    ];
    let management: &[(&str, &str)] = &[
        ("container", "Manage containers"),
        ("image", "Manage images"),
        ("system", "Manage Docker"),
        ("volume", "Manage volumes"),
    ];
    let commands: &[(&str, &str)] = &[
        (
            "attach",
            "Attach local standard input, output, and error streams to a running container",
        ),
        ("commit", "Create a new image from a container's changes"),
        ("create", "Create a new container"),
        (
            "diff",
            "Inspect changes to files or directories on a container's filesystem",
        ),
        ("export", "Export a container's filesystem as a tar archive"),
        ("history", "Show the history of an image"),
        (
            "import",
            "Import the contents from a tarball to create a filesystem image",
        ),
        ("inspect", "Return low-level information on Docker objects"),
        ("kill", "Kill one or more running containers"),
        ("load", "Load an image from a tar archive or STDIN"),
        ("logs", "Fetch the logs of a container"),
        ("restart", "Restart one or more containers"),
        ("rm", "Remove one or more containers"),
        ("rmi", "Remove one or more images"),
        (
            "save",
            "Save one or more images to a tar archive (streamed to STDOUT by default)",
        ),
        ("start", "Start one or more stopped containers"),
        ("stop", "Stop one or more running containers"),
        (
            "tag",
            "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
        ),
    ];
    let mut out = String::from(
        "Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers (simulated by layerlab)\n\nCommon Commands:\n",
    );
    let section = |out: &mut String, title: &str, rows: &[(&str, &str)]| {
        if !title.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
        }
        for (c, h) in rows {
            out.push_str(&format!("  {c:<11} {h}\n"));
        }
    };
    section(&mut out, "", common);
    section(&mut out, "Management Commands", management);
    section(&mut out, "Commands", commands);
    out.push_str("\nRun 'docker COMMAND --help' for more information on a command.\n");
    out
}
