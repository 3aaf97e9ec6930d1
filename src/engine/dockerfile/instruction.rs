//! BuildKit's `frontend/dockerfile/instructions`: parse-tree nodes → typed
//! instructions, grouped into stages. Values stay raw (quotes, `$VAR`); the build
//! engine expands them with [`super::expand`] at dispatch time, like
//! `dockerfile2llb`. Every instruction keeps its line range and original text
//! (BuildKit uses the latter for history `created_by` and the cache key).

use super::flags::{Flags, Kind};
use super::gostr::{to_lower, trim_space};
use super::syntax::{chomp_heredoc_content, parse, Heredoc, Node};
use super::{Diagnostic, Origin};

/// Where an instruction came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// First line (1-based).
    pub start_line: usize,
    /// Last line (1-based), continuation and heredoc lines included.
    pub end_line: usize,
    /// The logical line as written (continuations joined), e.g. `RUN npm ci --omit=dev`.
    pub original: String,
    /// The command word as written (case kept), e.g. `copy`.
    pub command: String,
    /// Raw `--flag` words.
    pub flags: Vec<String>,
    /// Comment lines directly above.
    pub comments: Vec<String>,
}

/// Shell form (run through the stage's SHELL) or exec (JSON) form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum ShellOrExec {
    /// `RUN echo hi` — one raw string.
    Shell(String),
    /// `RUN ["echo", "hi"]` — the argv.
    Exec(Vec<String>),
}

impl ShellOrExec {
    /// True for shell form (BuildKit's `PrependShell`).
    pub fn prepends_shell(&self) -> bool {
        matches!(self, ShellOrExec::Shell(_))
    }
}

/// A `--device` value of RUN (BuildKit `parseDevice`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    /// CDI device name.
    pub name: String,
    /// Whether the build fails without it.
    pub required: bool,
}

/// Inline source of COPY/ADD from a heredoc (BuildKit `SourceContent`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceContent {
    /// The heredoc name, used as the file name.
    pub path: String,
    /// The body (leading tabs already removed for `<<-`).
    pub data: String,
    /// Whether `$VAR`s in the body are expanded.
    pub expand: bool,
}

/// `FROM [--platform=..] image [AS name]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct From {
    pub src: Source,
    /// The base image reference, raw (may contain `$ARG`s).
    pub base: String,
    /// The stage name, lower-cased as BuildKit stores it.
    pub name: Option<String>,
    /// The `--platform` value, raw.
    pub platform: Option<String>,
}

/// `RUN`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Run {
    pub src: Source,
    pub cmd: ShellOrExec,
    /// Heredoc files (content not chomped; see [`Heredoc::chomp`]).
    pub heredocs: Vec<Heredoc>,
    /// Raw `--mount` values.
    pub mounts: Vec<String>,
    /// `--network` (`default`, `none`, `host`).
    pub network: Option<String>,
    /// `--security` (`sandbox`, `insecure`).
    pub security: Option<String>,
    /// `--device` values.
    pub devices: Vec<Device>,
}

/// `CMD` or `ENTRYPOINT`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Command {
    pub src: Source,
    pub cmd: ShellOrExec,
}

/// `SHELL ["executable", "params"]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Shell {
    pub src: Source,
    pub shell: Vec<String>,
}

/// `COPY` and `ADD` (ADD-only flags are false/None for COPY).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Copy {
    pub src: Source,
    /// Source paths, raw.
    pub sources: Vec<String>,
    /// Inline heredoc sources.
    pub contents: Vec<SourceContent>,
    /// Destination, raw.
    pub dest: String,
    /// `--from` (COPY only).
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    pub exclude: Vec<String>,
    /// `--checksum` (ADD only).
    pub checksum: Option<String>,
    /// `--keep-git-dir` (ADD only).
    pub keep_git_dir: bool,
    /// Whether the instruction was written in exec (JSON) form.
    pub json: bool,
}

/// `ENV` or `LABEL` pairs, raw.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyValues {
    pub src: Source,
    pub pairs: Vec<(String, String)>,
    /// Written in the legacy `KEY name value` form.
    pub legacy: bool,
}

/// `ARG name[=default] ...`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Arg {
    pub src: Source,
    pub args: Vec<(String, Option<String>)>,
}

/// An instruction with one raw string argument (WORKDIR, USER, STOPSIGNAL, MAINTAINER).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Single {
    pub src: Source,
    pub value: String,
}

/// An instruction with a list of raw values (EXPOSE, VOLUME).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct List {
    pub src: Source,
    pub values: Vec<String>,
}

/// `HEALTHCHECK`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Healthcheck {
    pub src: Source,
    /// `None` for `HEALTHCHECK NONE`; the test as BuildKit stores it otherwise
    /// (`["CMD-SHELL", cmd]` or `["CMD", argv...]`).
    pub test: Option<Vec<String>>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub start_interval: Option<String>,
    pub retries: Option<i64>,
}

/// `ONBUILD <instruction>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Onbuild {
    pub src: Source,
    /// The trigger text as written after ONBUILD.
    pub expression: String,
}

/// One typed Dockerfile instruction.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Instruction {
    From(From),
    Run(Run),
    Cmd(Command),
    Entrypoint(Command),
    Shell(Shell),
    Copy(Copy),
    Add(Copy),
    Env(KeyValues),
    Label(KeyValues),
    Arg(Arg),
    Workdir(Single),
    User(Single),
    Expose(List),
    Volume(List),
    Healthcheck(Healthcheck),
    StopSignal(Single),
    Onbuild(Onbuild),
    Maintainer(Single),
}

impl Instruction {
    /// Where it came from.
    pub fn source(&self) -> &Source {
        match self {
            Instruction::From(i) => &i.src,
            Instruction::Run(i) => &i.src,
            Instruction::Cmd(i) | Instruction::Entrypoint(i) => &i.src,
            Instruction::Shell(i) => &i.src,
            Instruction::Copy(i) | Instruction::Add(i) => &i.src,
            Instruction::Env(i) | Instruction::Label(i) => &i.src,
            Instruction::Arg(i) => &i.src,
            Instruction::Workdir(i)
            | Instruction::User(i)
            | Instruction::StopSignal(i)
            | Instruction::Maintainer(i) => &i.src,
            Instruction::Expose(i) | Instruction::Volume(i) => &i.src,
            Instruction::Healthcheck(i) => &i.src,
            Instruction::Onbuild(i) => &i.src,
        }
    }

    /// `(start_line, end_line)`, 1-based and inclusive.
    pub fn line_range(&self) -> (usize, usize) {
        let s = self.source();
        (s.start_line, s.end_line)
    }

    /// The instruction text as written (continuations joined).
    pub fn original(&self) -> &str {
        &self.source().original
    }

    /// The upper-case instruction name (`RUN`, `COPY`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Instruction::From(_) => "FROM",
            Instruction::Run(_) => "RUN",
            Instruction::Cmd(_) => "CMD",
            Instruction::Entrypoint(_) => "ENTRYPOINT",
            Instruction::Shell(_) => "SHELL",
            Instruction::Copy(_) => "COPY",
            Instruction::Add(_) => "ADD",
            Instruction::Env(_) => "ENV",
            Instruction::Label(_) => "LABEL",
            Instruction::Arg(_) => "ARG",
            Instruction::Workdir(_) => "WORKDIR",
            Instruction::User(_) => "USER",
            Instruction::Expose(_) => "EXPOSE",
            Instruction::Volume(_) => "VOLUME",
            Instruction::Healthcheck(_) => "HEALTHCHECK",
            Instruction::StopSignal(_) => "STOPSIGNAL",
            Instruction::Onbuild(_) => "ONBUILD",
            Instruction::Maintainer(_) => "MAINTAINER",
        }
    }
}

/// A build stage: `FROM ...` and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stage {
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// 0-based position.
    pub index: usize,
    /// The base image reference, raw (unexpanded).
    pub base: String,
    /// The `--platform` value, raw.
    pub platform: Option<String>,
    /// The FROM instruction itself.
    pub from: From,
    /// The instructions after FROM.
    pub instructions: Vec<Instruction>,
}

/// A typed Dockerfile: meta ARGs (before the first FROM) and stages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dockerfile {
    /// ARGs before the first FROM: visible only in FROM lines unless redeclared.
    pub meta_args: Vec<Arg>,
    pub stages: Vec<Stage>,
    /// The escape character in effect.
    pub escape: char,
    /// Parser warnings (empty continuation lines).
    pub warnings: Vec<Diagnostic>,
}

impl Dockerfile {
    /// Parses and types a whole Dockerfile; the first error (syntax or
    /// instruction) rejects it, as BuildKit does.
    pub fn from_source(src: &str) -> Result<Dockerfile, Diagnostic> {
        let parsed = parse(src);
        if let Some(e) = parsed.error() {
            return Err(e.clone());
        }
        let mut meta_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for node in &parsed.nodes {
            let inst = parse_instruction(node)?;
            match inst {
                Instruction::From(from) => stages.push(Stage {
                    name: from.name.clone(),
                    index: stages.len(),
                    base: from.base.clone(),
                    platform: from.platform.clone(),
                    from,
                    instructions: Vec::new(),
                }),
                other => match stages.last_mut() {
                    Some(stage) => stage.instructions.push(other),
                    None => match other {
                        Instruction::Arg(a) => meta_args.push(a),
                        _ => return Err(node_error(node, "no build stage in current context")),
                    },
                },
            }
        }
        Ok(Dockerfile {
            meta_args,
            stages,
            escape: parsed.escape,
            warnings: parsed.warnings().cloned().collect(),
        })
    }

    /// The stage a `--target`/`COPY --from` name or index refers to
    /// (case-insensitive, like BuildKit).
    pub fn stage(&self, name_or_index: &str) -> Option<&Stage> {
        let lower = to_lower(name_or_index);
        self.stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                name_or_index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.stages.get(i))
            })
    }
}

fn node_error(node: &Node, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Origin::Instruction, node.start_line, node.end_line, msg)
}

fn source(node: &Node) -> Source {
    Source {
        start_line: node.start_line,
        end_line: node.end_line,
        original: node.original.clone(),
        command: node.value.clone(),
        flags: node.flags.clone(),
        comments: node.prev_comment.clone(),
    }
}

/// BuildKit `ParseInstruction`: one node → one typed instruction, with
/// BuildKit's error texts.
pub fn parse_instruction(node: &Node) -> Result<Instruction, Diagnostic> {
    parse_inner(node).map_err(|m| node_error(node, m))
}

fn exactly_one(name: &str, args: &[&str]) -> Result<String, String> {
    match args {
        [one] => Ok(one.to_string()),
        _ => Err(format!("{name} requires exactly one argument")),
    }
}

fn at_least_one(name: &str, args: &[&str]) -> Result<(), String> {
    if args.is_empty() {
        Err(format!("{name} requires at least one argument"))
    } else {
        Ok(())
    }
}

fn shell_or_exec(node: &Node) -> ShellOrExec {
    if node.json {
        ShellOrExec::Exec(node.args().iter().map(|s| s.to_string()).collect())
    } else {
        ShellOrExec::Shell(
            node.args()
                .first()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        )
    }
}

fn key_values(node: &Node, name: &str) -> Result<KeyValues, String> {
    let args = node.args();
    at_least_one(name, &args)?;
    if args.len() % 3 != 0 {
        return Err(format!("Bad input to {name}, too many arguments"));
    }
    let mut pairs = Vec::new();
    let mut legacy = false;
    for t in args.chunks(3) {
        if t[0].is_empty() {
            return Err(format!("{name} names can not be blank"));
        }
        legacy |= t[2].is_empty();
        pairs.push((t[0].to_string(), t[1].to_string()));
    }
    Ok(KeyValues {
        src: source(node),
        pairs,
        legacy,
    })
}

/// BuildKit `parseDevice` for `RUN --device=`.
pub fn parse_device(value: &str) -> Result<Device, String> {
    let mut name = String::new();
    let mut required = false;
    for field in value.split(',') {
        let (k, v) = match field.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (field, None),
        };
        match (to_lower(k).as_str(), v) {
            ("required", None) => required = true,
            ("required", Some(v)) => {
                required = match to_lower(v).as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => return Err(format!("invalid value for required: {v}")),
                }
            }
            ("name", Some(v)) => {
                if !name.is_empty() {
                    return Err(format!("device name already set to {name}"));
                }
                name = v.to_string();
            }
            _ => {
                if !name.is_empty() {
                    return Err(format!("device name already set to {name}"));
                }
                name = field.to_string();
            }
        }
    }
    Ok(Device { name, required })
}

fn copy_like(node: &Node, add: bool) -> Result<Copy, String> {
    let name = if add { "ADD" } else { "COPY" };
    let allowed: &[(&str, Kind)] = if add {
        &[
            ("chown", Kind::String),
            ("chmod", Kind::String),
            ("link", Kind::Bool),
            ("keep-git-dir", Kind::Bool),
            ("checksum", Kind::String),
            ("exclude", Kind::Strings),
            ("parents", Kind::Bool),
            ("unpack", Kind::Bool),
        ]
    } else {
        &[
            ("from", Kind::String),
            ("chown", Kind::String),
            ("chmod", Kind::String),
            ("link", Kind::Bool),
            ("parents", Kind::Bool),
            ("exclude", Kind::Strings),
        ]
    };
    let args = node.args();
    if args.len() < 2 {
        if args.len() == 1 {
            return Err(format!("{name} requires at least two arguments, but only one was provided. Destination could not be determined"));
        }
        return Err(format!("{name} requires at least two arguments"));
    }
    let flags = Flags::parse(&node.flags, allowed)?;
    let (srcs, dest) = args.split_at(args.len() - 1);
    let dest = dest[0];
    let heredoc_of = |word: &str| -> Option<&Heredoc> {
        if node.json {
            return None;
        }
        let h = super::syntax::parse_heredoc(word).ok().flatten()?;
        node.heredocs.iter().find(|d| d.name == h.name)
    };
    if heredoc_of(dest).is_some() {
        return Err(format!("{name} cannot accept a heredoc as a destination"));
    }
    let mut sources = Vec::new();
    let mut contents = Vec::new();
    for s in srcs {
        match heredoc_of(s) {
            Some(h) => contents.push(SourceContent {
                path: h.name.clone(),
                data: if h.chomp {
                    chomp_heredoc_content(&h.content)
                } else {
                    h.content.clone()
                },
                expand: h.expand,
            }),
            None => sources.push(s.to_string()),
        }
    }
    Ok(Copy {
        src: source(node),
        sources,
        contents,
        dest: dest.to_string(),
        from: flags.string("from"),
        chown: flags.string("chown"),
        chmod: flags.string("chmod"),
        link: flags.bool("link"),
        parents: flags.bool("parents"),
        exclude: flags.strings("exclude"),
        checksum: flags.string("checksum"),
        keep_git_dir: flags.bool("keep-git-dir"),
        json: node.json,
    })
}

/// BuildKit stage names: `^[a-z][a-z0-9-_\.]*$` after lower-casing.
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

fn parse_inner(node: &Node) -> Result<Instruction, String> {
    let cmd = node.command();
    let args = node.args();
    let no_flags = |allowed: &[(&'static str, Kind)]| Flags::parse(&node.flags, allowed);
    let src = || source(node);
    Ok(match cmd.as_str() {
        "from" => {
            let flags = no_flags(&[("platform", Kind::String)])?;
            if args.len() != 1 && args.len() != 3 {
                return Err("FROM requires either one or three arguments".to_string());
            }
            let mut name = None;
            if args.len() == 3 {
                if !args[1].eq_ignore_ascii_case("as") {
                    return Err("FROM requires either one or three arguments".to_string());
                }
                let lower = to_lower(args[2]);
                if !valid_stage_name(&lower) {
                    return Err(format!(
                        "invalid name for build stage: \"{}\", name can't start with a number or contain symbols",
                        args[2]
                    ));
                }
                name = Some(lower);
            }
            Instruction::From(From {
                src: src(),
                base: args[0].to_string(),
                name,
                platform: flags.string("platform"),
            })
        }
        "run" => {
            let flags = no_flags(&[
                ("mount", Kind::Strings),
                ("network", Kind::String),
                ("security", Kind::String),
                ("device", Kind::Strings),
            ])?;
            let devices = flags
                .strings("device")
                .iter()
                .map(|d| parse_device(d))
                .collect::<Result<Vec<_>, _>>()?;
            Instruction::Run(Run {
                src: src(),
                cmd: shell_or_exec(node),
                heredocs: node.heredocs.clone(),
                mounts: flags.strings("mount"),
                network: flags.string("network"),
                security: flags.string("security"),
                devices,
            })
        }
        "cmd" | "entrypoint" => {
            no_flags(&[])?;
            let c = Command {
                src: src(),
                cmd: shell_or_exec(node),
            };
            if cmd == "cmd" {
                Instruction::Cmd(c)
            } else {
                Instruction::Entrypoint(c)
            }
        }
        "shell" => {
            no_flags(&[])?;
            if !node.json {
                return Err("SHELL requires the arguments to be in JSON form".to_string());
            }
            at_least_one("SHELL", &args)?;
            Instruction::Shell(Shell {
                src: src(),
                shell: args.iter().map(|s| s.to_string()).collect(),
            })
        }
        "copy" => Instruction::Copy(copy_like(node, false)?),
        "add" => Instruction::Add(copy_like(node, true)?),
        "env" => {
            no_flags(&[])?;
            Instruction::Env(key_values(node, "ENV")?)
        }
        "label" => {
            no_flags(&[])?;
            Instruction::Label(key_values(node, "LABEL")?)
        }
        "arg" => {
            no_flags(&[])?;
            at_least_one("ARG", &args)?;
            let mut out = Vec::new();
            for a in &args {
                match a.split_once('=') {
                    Some((k, v)) => {
                        if k.is_empty() {
                            return Err("ARG names can not be blank".to_string());
                        }
                        out.push((k.to_string(), Some(v.to_string())));
                    }
                    None => out.push((a.to_string(), None)),
                }
            }
            Instruction::Arg(Arg {
                src: src(),
                args: out,
            })
        }
        "workdir" | "user" | "stopsignal" | "maintainer" => {
            no_flags(&[])?;
            let upper = cmd.to_ascii_uppercase();
            let value = exactly_one(&upper, &args)?;
            let s = Single { src: src(), value };
            match cmd.as_str() {
                "workdir" => Instruction::Workdir(s),
                "user" => Instruction::User(s),
                "stopsignal" => Instruction::StopSignal(s),
                _ => Instruction::Maintainer(s),
            }
        }
        "expose" | "volume" => {
            no_flags(&[])?;
            let upper = cmd.to_ascii_uppercase();
            at_least_one(&upper, &args)?;
            let values: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            if cmd == "volume" {
                if values.iter().any(|v| trim_space(v).is_empty()) {
                    return Err("VOLUME specified can not be an empty string".to_string());
                }
                Instruction::Volume(List { src: src(), values })
            } else {
                Instruction::Expose(List { src: src(), values })
            }
        }
        "healthcheck" => parse_healthcheck(node)?,
        "onbuild" => {
            no_flags(&[])?;
            let Some(child) = node.next.first().and_then(|n| n.children.first()) else {
                return Err("ONBUILD requires at least one argument".to_string());
            };
            match child.command().as_str() {
                "onbuild" => {
                    return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string())
                }
                "maintainer" | "from" => {
                    return Err(format!(
                        "{} isn't allowed as an ONBUILD trigger",
                        child.value.to_ascii_uppercase()
                    ))
                }
                _ => {}
            }
            let original = trim_space(&node.original);
            let expression = original
                .get(node.value.len()..)
                .map(trim_space)
                .unwrap_or_default()
                .to_string();
            Instruction::Onbuild(Onbuild {
                src: src(),
                expression,
            })
        }
        _ => return Err(format!("unknown instruction: {}", node.value)),
    })
}

fn parse_healthcheck(node: &Node) -> Result<Instruction, String> {
    let args = node.args();
    at_least_one("HEALTHCHECK", &args)?;
    let typ = args[0].to_ascii_uppercase();
    let flags = Flags::parse(
        &node.flags,
        &[
            ("interval", Kind::String),
            ("timeout", Kind::String),
            ("start-period", Kind::String),
            ("start-interval", Kind::String),
            ("retries", Kind::String),
        ],
    )?;
    let test = match typ.as_str() {
        "NONE" => {
            if args.len() != 1 {
                return Err("HEALTHCHECK NONE takes no arguments".to_string());
            }
            None
        }
        "CMD" => {
            let rest = &args[1..];
            if rest.is_empty() {
                return Err("Missing command after HEALTHCHECK CMD".to_string());
            }
            let mut t = Vec::new();
            if node.json {
                t.push("CMD".to_string());
                t.extend(rest.iter().map(|s| s.to_string()));
            } else {
                t.push("CMD-SHELL".to_string());
                t.push(rest[0].to_string());
            }
            Some(t)
        }
        _ => return Err(format!("Unknown type \"{typ}\" in HEALTHCHECK (try CMD)")),
    };
    let retries = match flags.string("retries") {
        None => None,
        Some(r) => Some(
            r.parse::<i64>()
                .map_err(|_| format!("strconv.ParseInt: parsing \"{r}\": invalid syntax"))?,
        ),
    };
    if retries.is_some_and(|r| r < 0) {
        return Err("--retries cannot be negative".to_string());
    }
    Ok(Instruction::Healthcheck(Healthcheck {
        src: source(node),
        test,
        interval: flags.string("interval"),
        timeout: flags.string("timeout"),
        start_period: flags.string("start-period"),
        start_interval: flags.string("start-interval"),
        retries,
    }))
}
