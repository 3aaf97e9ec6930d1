//! Build checks (`docker build --check`) with BuildKit's rule names,
//! descriptions, URLs and messages (`frontend/dockerfile/linter`), each tied to
//! the line of the offending instruction. All stages are checked (the lint
//! request's behaviour). `# check=skip=...;error=true` is honoured, both as the
//! leading directive and (per instruction) as a comment right above it; the
//! `BUILDKIT_DOCKERFILE_CHECK` build arg overrides the directive.

use std::collections::{BTreeMap, BTreeSet};

use super::dockerignore::{clean, Matcher};
use super::expand::{Env, Lexer};
use super::gostr::to_lower;
use super::instruction::{parse_instruction, Instruction, ShellOrExec};
use super::syntax::{match_directive, parse, Node};
use super::{Diagnostic, Origin};

/// Default `PATH` BuildKit assumes for an image whose config does not set one.
pub const DEFAULT_PATH_ENV: &str =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Platform args BuildKit predefines (usable in FROM without declaring them).
const BUILTIN_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

/// A build-check rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// e.g. `JSONArgsRecommended`.
    pub name: &'static str,
    /// BuildKit's one-line description.
    pub description: &'static str,
    /// Experimental rules run only when enabled with `experimental=`.
    pub experimental: bool,
}

impl Rule {
    /// `https://docs.docker.com/go/dockerfile/rule/<kebab-name>/`.
    pub fn url(&self) -> String {
        let mut kebab = String::new();
        let chars: Vec<char> = self.name.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                let prev_lower = chars[i - 1].is_ascii_lowercase();
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                if prev_lower || (next_lower && chars[i - 1].is_ascii_uppercase()) {
                    kebab.push('-');
                }
            }
            kebab.push(c.to_ascii_lowercase());
        }
        format!("https://docs.docker.com/go/dockerfile/rule/{kebab}/")
    }
}

macro_rules! rules {
    ($($id:ident = $name:literal, $desc:literal, $exp:literal;)*) => {
        $(#[doc = $desc] pub const $id: Rule = Rule { name: $name, description: $desc, experimental: $exp };)*
        /// Every rule, in BuildKit's order.
        pub const ALL_RULES: &[Rule] = &[$($id),*];
    };
}

rules! {
    STAGE_NAME_CASING = "StageNameCasing", "Stage names should be lowercase", false;
    FROM_AS_CASING = "FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword", false;
    NO_EMPTY_CONTINUATION = "NoEmptyContinuation", "Empty continuation lines will become errors in a future release", false;
    CONSISTENT_INSTRUCTION_CASING = "ConsistentInstructionCasing", "All commands within the Dockerfile should use the same casing (either upper or lower)", false;
    DUPLICATE_STAGE_NAME = "DuplicateStageName", "Stage names should be unique", false;
    RESERVED_STAGE_NAME = "ReservedStageName", "Reserved words should not be used as stage names", false;
    JSON_ARGS_RECOMMENDED = "JSONArgsRecommended", "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals", false;
    MAINTAINER_DEPRECATED = "MaintainerDeprecated", "The MAINTAINER instruction is deprecated, use a label instead to define an image author", false;
    UNDEFINED_ARG_IN_FROM = "UndefinedArgInFrom", "FROM command must use declared ARGs", false;
    WORKDIR_RELATIVE_PATH = "WorkdirRelativePath", "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes", false;
    UNDEFINED_VAR = "UndefinedVar", "Variables should be defined before their use", false;
    MULTIPLE_INSTRUCTIONS_DISALLOWED = "MultipleInstructionsDisallowed", "Multiple instructions of the same type should not be used in the same stage", false;
    LEGACY_KEY_VALUE_FORMAT = "LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used", false;
    REDUNDANT_TARGET_PLATFORM = "RedundantTargetPlatform", "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior", false;
    SECRETS_USED_IN_ARG_OR_ENV = "SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands", false;
    INVALID_DEFAULT_ARG_IN_FROM = "InvalidDefaultArgInFrom", "Default value for global ARG results in an empty or invalid base image name", false;
    FROM_PLATFORM_FLAG_CONST_DISALLOWED = "FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value", false;
    COPY_IGNORED_FILE = "CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore", false;
    INVALID_DEFINITION_DESCRIPTION = "InvalidDefinitionDescription", "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.", true;
    EXPOSE_PROTO_CASING = "ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase", false;
    EXPOSE_INVALID_FORMAT = "ExposeInvalidFormat", "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release", false;
}

/// One build-check warning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// Rule name, e.g. `UndefinedVar`.
    pub rule: &'static str,
    /// The rule's description.
    pub description: &'static str,
    /// The rule's documentation URL.
    pub url: String,
    /// The specific message, e.g. `Usage of undefined variable '$foo'`.
    pub detail: String,
    /// 1-based start line of the offending instruction.
    pub line: usize,
    /// 1-based end line.
    pub end_line: usize,
}

impl Warning {
    /// As a [`Diagnostic`] for editors.
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic {
            severity: super::Severity::Warning,
            line: self.line,
            end_line: self.end_line,
            message: self.detail.clone(),
            rule: Some(self.rule),
            origin: Origin::Lint,
        }
    }
}

/// Inputs the checks need from outside the Dockerfile.
pub struct CheckOptions<'a> {
    /// `--build-arg` values (also `BUILDKIT_DOCKERFILE_CHECK`).
    pub build_args: BTreeMap<String, String>,
    /// `.dockerignore` text, for CopyIgnoredFile.
    pub dockerignore: Option<&'a str>,
    /// Maps an image reference to its config Env; `None` = unknown, then
    /// [`DEFAULT_PATH_ENV`] is assumed.
    pub base_env: &'a dyn Fn(&str) -> Option<Vec<String>>,
}

fn unknown_env(_: &str) -> Option<Vec<String>> {
    None
}

impl Default for CheckOptions<'_> {
    fn default() -> Self {
        CheckOptions {
            build_args: BTreeMap::new(),
            dockerignore: None,
            base_env: &unknown_env,
        }
    }
}

/// The outcome of `docker build --check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Warnings sorted by line, then message.
    pub warnings: Vec<Warning>,
    /// A parse error, or `lint violation found for rules: ...` when
    /// `error=true` and a rule fired.
    pub error: Option<Diagnostic>,
}

#[derive(Debug, Default, Clone)]
struct CheckConfig {
    skip_all: bool,
    skip: BTreeSet<String>,
    error: bool,
    experimental_all: bool,
    experimental: BTreeSet<String>,
}

/// Parses `skip=a,b;error=true;experimental=c` (BuildKit `linter.ParseLintOptions`).
fn parse_check_value(value: &str) -> CheckConfig {
    let mut c = CheckConfig::default();
    for part in value.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let k = to_lower(k.trim());
        let v = v.trim();
        match k.as_str() {
            "skip" => {
                for r in v.split(',').map(str::trim) {
                    if r.eq_ignore_ascii_case("all") {
                        c.skip_all = true;
                    } else if !r.is_empty() {
                        c.skip.insert(r.to_string());
                    }
                }
            }
            "error" => c.error = v.eq_ignore_ascii_case("true"),
            "experimental" => {
                for r in v.split(',').map(str::trim) {
                    if r.eq_ignore_ascii_case("all") {
                        c.experimental_all = true;
                    } else if !r.is_empty() {
                        c.experimental.insert(r.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    c
}

/// Rules skipped for one instruction by `# check=skip=...` comments above it.
fn local_skips(node: &Node) -> (bool, BTreeSet<String>) {
    let mut all = false;
    let mut set = BTreeSet::new();
    for comment in &node.prev_comment {
        let line = format!("#{comment}");
        if let Some((name, value)) = match_directive(&line, "#") {
            if name.eq_ignore_ascii_case("check") {
                let v = value.split_whitespace().next().unwrap_or("");
                let c = parse_check_value(v);
                all |= c.skip_all;
                set.extend(c.skip);
            }
        }
    }
    (all, set)
}

struct Linter {
    config: CheckConfig,
    warnings: Vec<Warning>,
}

impl Linter {
    fn enabled(&self, rule: &Rule) -> bool {
        if rule.experimental
            && !self.config.experimental_all
            && !self.config.experimental.contains(rule.name)
        {
            return false;
        }
        !self.config.skip_all && !self.config.skip.contains(rule.name)
    }

    fn warn(
        &mut self,
        rule: &Rule,
        node: Option<&Node>,
        line: usize,
        end_line: usize,
        detail: String,
    ) {
        if !self.enabled(rule) {
            return;
        }
        if let Some(node) = node {
            let (all, set) = local_skips(node);
            if all || set.contains(rule.name) {
                return;
            }
        }
        self.warnings.push(Warning {
            rule: rule.name,
            description: rule.description,
            url: rule.url(),
            detail,
            line,
            end_line,
        });
    }

    fn warn_at(&mut self, rule: &Rule, node: &Node, detail: String) {
        self.warn(rule, Some(node), node.start_line, node.end_line, detail);
    }
}

/// Levenshtein distance, for BuildKit's "did you mean" suggestions.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// BuildKit `suggest.Search`: the closest option within a small edit distance.
fn suggest<'a>(name: &str, options: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = to_lower(name);
    let mut best: Option<(usize, &str)> = None;
    for o in options {
        if o == name {
            continue;
        }
        let d = distance(&lower, &to_lower(o));
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, o));
        }
    }
    let (d, o) = best?;
    let threshold = (name.chars().count() / 3).max(2);
    (d <= threshold).then(|| o.to_string())
}

/// A loose image-reference validity check (enough for InvalidDefaultArgInFrom).
fn valid_reference(s: &str) -> bool {
    if s.is_empty() || s.contains(char::is_whitespace) {
        return false;
    }
    let (name, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        if !d.contains(':') {
            return false;
        }
    }
    let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if let Some(t) = tag {
        let ok = t.len() <= 128
            && t.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return false;
        }
    }
    !repo.is_empty()
        && !repo.starts_with(['/', '.', '-', ':'])
        && !repo.ends_with(['/', '.', '-'])
        && repo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'))
}

#[derive(Default, Clone)]
struct StageFacts {
    name: Option<String>,
    shell_set: bool,
    workdir_abs: bool,
    vars: Vec<(String, String)>,
}

/// Runs the build checks over a Dockerfile.
pub fn check(src: &str, opts: &CheckOptions) -> Report {
    let parsed = parse(src);
    let directive = opts
        .build_args
        .get("BUILDKIT_DOCKERFILE_CHECK")
        .cloned()
        .or_else(|| {
            parsed
                .directive("check")
                .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
        });
    let config = directive.map(|v| parse_check_value(&v)).unwrap_or_default();
    let mut l = Linter {
        config,
        warnings: Vec::new(),
    };
    let mut error = parsed.error().cloned();

    for w in parsed.warnings() {
        l.warn(
            &NO_EMPTY_CONTINUATION,
            None,
            w.line,
            w.end_line,
            "Empty continuation line".to_string(),
        );
    }

    // Instruction casing: majority over all top-level commands.
    let (mut upper, mut lower) = (0, 0);
    for n in &parsed.nodes {
        if n.value == n.value.to_uppercase() {
            upper += 1;
        } else if n.value == to_lower(&n.value) {
            lower += 1;
        }
    }
    let majority_lower = lower > upper;
    for n in &parsed.nodes {
        let ok = if majority_lower {
            n.value == to_lower(&n.value)
        } else {
            n.value == n.value.to_uppercase()
        };
        if !ok {
            let which = if majority_lower {
                "lowercase"
            } else {
                "uppercase"
            };
            l.warn_at(
                &CONSISTENT_INSTRUCTION_CASING,
                n,
                format!(
                    "Command '{}' should match the case of the command majority ({which})",
                    n.value
                ),
            );
        }
    }

    let ignore = opts.dockerignore.and_then(|t| Matcher::parse(t).ok());
    let lex = Lexer::new(parsed.escape);
    let mut meta: Vec<(String, Option<String>)> = Vec::new();
    let mut stages: Vec<StageFacts> = Vec::new();
    let mut stage_names: BTreeSet<String> = BTreeSet::new();
    let mut multi: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();

    let flush_multi = |l: &mut Linter,
                       multi: &mut BTreeMap<&'static str, Vec<usize>>,
                       nodes: &[Node]| {
        for (name, idxs) in std::mem::take(multi) {
            for &i in idxs.iter().take(idxs.len().saturating_sub(1)) {
                l.warn_at(
                    &MULTIPLE_INSTRUCTIONS_DISALLOWED,
                    &nodes[i],
                    format!("Multiple {name} instructions should not be used in the same stage because only the last one will be used"),
                );
            }
        }
    };

    for (idx, node) in parsed.nodes.iter().enumerate() {
        let inst = match parse_instruction(node) {
            Ok(i) => i,
            Err(e) => {
                error.get_or_insert(e);
                break;
            }
        };
        match &inst {
            Instruction::From(from) => {
                flush_multi(&mut l, &mut multi, &parsed.nodes);
                lint_from(
                    &mut l,
                    node,
                    from,
                    &meta,
                    &opts.build_args,
                    &lex,
                    &mut stage_names,
                );
                let parent = stages
                    .iter()
                    .find(|s| {
                        s.name.is_some() && s.name.as_deref() == Some(to_lower(&from.base).as_str())
                    })
                    .cloned();
                let mut facts = parent.unwrap_or_else(|| {
                    let env = (opts.base_env)(&from.base)
                        .unwrap_or_else(|| vec![DEFAULT_PATH_ENV.to_string()]);
                    let mut vars: Vec<(String, String)> = env
                        .iter()
                        .map(|e| match e.split_once('=') {
                            Some((k, v)) => (k.to_string(), v.to_string()),
                            None => (e.clone(), String::new()),
                        })
                        .collect();
                    if !vars.iter().any(|(k, _)| k == "PATH") {
                        vars.push(("PATH".into(), DEFAULT_PATH_ENV[5..].to_string()));
                    }
                    StageFacts {
                        vars,
                        ..StageFacts::default()
                    }
                });
                facts.name = from.name.clone();
                stages.push(facts);
            }
            other => {
                let Some(stage) = stages.last_mut() else {
                    if let Instruction::Arg(a) = other {
                        lint_secrets(&mut l, node, "ARG", a.args.iter().map(|(k, _)| k.as_str()));
                        lint_definition(
                            &mut l,
                            node,
                            a.args.iter().map(|(k, _)| k.as_str()).collect(),
                            "ARG",
                        );
                        for (k, v) in &a.args {
                            let v = v
                                .as_ref()
                                .map(|d| lex.process_word(d, &pairs(&meta)).unwrap_or_default());
                            meta.push((k.clone(), v));
                        }
                    }
                    continue;
                };
                lint_stage_instruction(
                    &mut l,
                    node,
                    other,
                    stage,
                    &meta,
                    &opts.build_args,
                    &lex,
                    ignore.as_ref(),
                );
                match other {
                    Instruction::Cmd(_) => multi.entry("CMD").or_default().push(idx),
                    Instruction::Entrypoint(_) => multi.entry("ENTRYPOINT").or_default().push(idx),
                    Instruction::Healthcheck(_) => {
                        multi.entry("HEALTHCHECK").or_default().push(idx)
                    }
                    _ => {}
                }
            }
        }
    }
    flush_multi(&mut l, &mut multi, &parsed.nodes);

    let mut warnings = l.warnings;
    crate::engine::sort::sort_by(&mut warnings, |a, b| {
        (a.line, &a.detail).cmp(&(b.line, &b.detail))
    });
    if error.is_none() && l.config.error && !warnings.is_empty() {
        let mut names: Vec<&str> = Vec::new();
        for w in &warnings {
            if !names.contains(&w.rule) {
                names.push(w.rule);
            }
        }
        let first = &warnings[0];
        error = Some(Diagnostic {
            severity: super::Severity::Error,
            line: first.line,
            end_line: first.end_line,
            message: format!("lint violation found for rules: {}", names.join(", ")),
            rule: None,
            origin: Origin::Lint,
        });
    }
    Report { warnings, error }
}

fn pairs(meta: &[(String, Option<String>)]) -> Vec<(String, String)> {
    meta.iter()
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn lint_from(
    l: &mut Linter,
    node: &Node,
    from: &super::instruction::From,
    meta: &[(String, Option<String>)],
    build_args: &BTreeMap<String, String>,
    lex: &Lexer,
    names: &mut BTreeSet<String>,
) {
    let args = node.args();
    if args.len() == 3 {
        let (f, a) = (node.value.as_str(), args[1]);
        let is_upper = |s: &str| s == s.to_uppercase();
        let is_lower = |s: &str| s == to_lower(s);
        if (is_upper(f) && !is_upper(a)) || (is_lower(f) && !is_lower(a)) {
            l.warn_at(
                &FROM_AS_CASING,
                node,
                format!("'{a}' and '{f}' keywords' casing do not match"),
            );
        }
        let raw = args[2];
        if raw != to_lower(raw) {
            l.warn_at(
                &STAGE_NAME_CASING,
                node,
                format!("Stage name '{raw}' should be lowercase"),
            );
        }
        let lower = to_lower(raw);
        if lower == "scratch" || lower == "context" {
            l.warn_at(
                &RESERVED_STAGE_NAME,
                node,
                format!("Stage name should not use the same name as reserved stage \"{lower}\""),
            );
        }
        if !names.insert(lower.clone()) {
            l.warn_at(
                &DUPLICATE_STAGE_NAME,
                node,
                format!("Duplicate stage name \"{lower}\", stage names should be unique"),
            );
        }
    }
    lint_definition(
        l,
        node,
        from.name
            .iter()
            .map(|_| args.get(2).copied().unwrap_or(""))
            .collect(),
        "FROM",
    );

    // Variables FROM can see: meta ARGs (build args override) and builtins.
    let mut env: Vec<(String, String)> = Vec::new();
    for (k, v) in meta {
        let val = build_args
            .get(k)
            .cloned()
            .or_else(|| v.clone())
            .unwrap_or_default();
        env.push((k.clone(), val));
    }
    for b in BUILTIN_ARGS {
        env.push((b.to_string(), String::new()));
    }
    let declared: Vec<&str> = meta
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(BUILTIN_ARGS.iter().copied())
        .collect();
    let mut words = vec![from.base.as_str()];
    if let Some(p) = &from.platform {
        words.push(p);
    }
    for w in words {
        if let Ok(r) = lex.process_word_with_matches(w, &env) {
            for name in &r.unmatched {
                let hint = suggest(name, declared.iter().copied())
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                l.warn_at(
                    &UNDEFINED_ARG_IN_FROM,
                    node,
                    format!("FROM argument '{name}' is not declared{hint}"),
                );
            }
        }
    }
    // InvalidDefaultArgInFrom: the base with meta ARG defaults only.
    if from.base.contains('$') {
        let defaults: Vec<(String, String)> = pairs(meta);
        let expanded = lex.process_word(&from.base, &defaults).unwrap_or_default();
        if !valid_reference(&expanded) {
            l.warn_at(
                &INVALID_DEFAULT_ARG_IN_FROM,
                node,
                format!(
                    "Default value for ARG {} results in empty or invalid base image name",
                    from.base
                ),
            );
        }
    }
    if let Some(p) = &from.platform {
        if p == "$TARGETPLATFORM" || p == "${TARGETPLATFORM}" {
            l.warn_at(&REDUNDANT_TARGET_PLATFORM, node, format!("Setting platform to predefined {p} in FROM is redundant as this is the default behavior"));
        } else if !p.contains('$') {
            let stage = from.name.clone().unwrap_or_default();
            let parts: Vec<String> = p.split('/').map(to_lower).collect();
            let named_after = !stage.is_empty()
                && parts
                    .iter()
                    .take(2)
                    .any(|x| !x.is_empty() && stage.contains(x.as_str()));
            if !named_after {
                l.warn_at(
                    &FROM_PLATFORM_FLAG_CONST_DISALLOWED,
                    node,
                    format!("FROM --platform flag should not use constant value \"{p}\""),
                );
            }
        }
    }
}

/// InvalidDefinitionDescription (experimental): a comment right above ARG or
/// FROM AS must start with the name it describes.
fn lint_definition(l: &mut Linter, node: &Node, names: Vec<&str>, cmd: &str) {
    let Some(first) = node.prev_comment.first() else {
        return;
    };
    if names.is_empty() {
        return;
    }
    let word = first.split_whitespace().next().unwrap_or("");
    let described = names.contains(&word);
    if described {
        return;
    }
    let shown = if names.len() == 1 {
        names[0].to_string()
    } else {
        "<arg_key>".to_string()
    };
    let shown = if cmd == "FROM" {
        to_lower(&shown)
    } else {
        shown
    };
    l.warn_at(
        &INVALID_DEFINITION_DESCRIPTION,
        node,
        format!("Comment for {cmd} should follow the format: `# {shown} <description>`"),
    );
}

/// SecretsUsedInArgOrEnv: the last `_`/`-` separated part of the name is a
/// secret-ish word, and no part is `public`.
fn lint_secrets<'a>(l: &mut Linter, node: &Node, cmd: &str, keys: impl Iterator<Item = &'a str>) {
    const SECRET: &[&str] = &[
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
        "passphrase",
    ];
    for key in keys {
        let lower = to_lower(key);
        let parts: Vec<&str> = lower.split(['_', '-']).collect();
        let last = parts.last().copied().unwrap_or("");
        if SECRET.contains(&last) && !parts.contains(&"public") {
            l.warn_at(
                &SECRETS_USED_IN_ARG_OR_ENV,
                node,
                format!("Do not use ARG or ENV instructions for sensitive data ({cmd} \"{key}\")"),
            );
        }
    }
}

struct ScopeEnv<'a>(&'a [(String, String)]);

impl Env for ScopeEnv<'_> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[allow(clippy::too_many_arguments)]
fn lint_stage_instruction(
    l: &mut Linter,
    node: &Node,
    inst: &Instruction,
    stage: &mut StageFacts,
    meta: &[(String, Option<String>)],
    build_args: &BTreeMap<String, String>,
    lex: &Lexer,
    ignore: Option<&Matcher>,
) {
    // Words this instruction expands at build time (shell-form RUN/CMD/
    // ENTRYPOINT are left to the shell and not checked).
    let mut words: Vec<String> = Vec::new();
    match inst {
        Instruction::Env(kv) | Instruction::Label(kv) => {
            let cmd = if matches!(inst, Instruction::Env(_)) {
                "ENV"
            } else {
                "LABEL"
            };
            if kv.legacy {
                l.warn_at(&LEGACY_KEY_VALUE_FORMAT, node, format!("\"{cmd} key=value\" should be used instead of legacy \"{cmd} key value\" format"));
            }
            if cmd == "ENV" {
                lint_secrets(l, node, "ENV", kv.pairs.iter().map(|(k, _)| k.as_str()));
            }
            for (k, v) in &kv.pairs {
                words.push(k.clone());
                words.push(v.clone());
            }
        }
        Instruction::Arg(a) => {
            lint_secrets(l, node, "ARG", a.args.iter().map(|(k, _)| k.as_str()));
            lint_definition(
                l,
                node,
                a.args.iter().map(|(k, _)| k.as_str()).collect(),
                "ARG",
            );
            words.extend(a.args.iter().filter_map(|(_, v)| v.clone()));
        }
        Instruction::Cmd(c) | Instruction::Entrypoint(c) => {
            if let ShellOrExec::Shell(_) = c.cmd {
                if !stage.shell_set {
                    let name = inst.name();
                    l.warn_at(&JSON_ARGS_RECOMMENDED, node, format!("JSON arguments recommended for {name} to prevent unintended behavior related to OS signals"));
                }
            }
        }
        Instruction::Shell(_) => stage.shell_set = true,
        Instruction::Maintainer(_) => {
            l.warn_at(
                &MAINTAINER_DEPRECATED,
                node,
                "Maintainer instruction is deprecated in favor of using label".to_string(),
            );
        }
        Instruction::Workdir(w) => {
            let expanded = lex
                .process_word(&w.value, &ScopeEnv(&stage.vars))
                .unwrap_or_else(|_| w.value.clone());
            if expanded.starts_with('/') {
                stage.workdir_abs = true;
            } else if !stage.workdir_abs {
                l.warn_at(&WORKDIR_RELATIVE_PATH, node, format!("Relative workdir \"{}\" can have unexpected results if the base image changes", w.value));
            }
            words.push(w.value.clone());
        }
        Instruction::Expose(e) => {
            for p in &e.values {
                if p.contains(':') {
                    l.warn_at(&EXPOSE_INVALID_FORMAT, node, format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{p}'"));
                }
                if let Some((_, proto)) = p.rsplit_once('/') {
                    if proto != to_lower(proto) {
                        l.warn_at(
                            &EXPOSE_PROTO_CASING,
                            node,
                            format!(
                                "Defined protocol '{p}' in EXPOSE instruction should be lowercase"
                            ),
                        );
                    }
                }
            }
            words.extend(e.values.iter().cloned());
        }
        Instruction::Volume(v) => words.extend(v.values.iter().cloned()),
        Instruction::User(s) | Instruction::StopSignal(s) => words.push(s.value.clone()),
        Instruction::Copy(c) | Instruction::Add(c) => {
            words.extend(c.sources.iter().cloned());
            words.push(c.dest.clone());
            words.extend(c.chown.iter().cloned());
            words.extend(c.chmod.iter().cloned());
            words.extend(c.from.iter().cloned());
            if let (Some(m), None) = (ignore, &c.from) {
                let cmd = if matches!(inst, Instruction::Add(_)) {
                    "Add"
                } else {
                    "Copy"
                };
                for src in &c.sources {
                    let expanded = lex
                        .process_word(src, &ScopeEnv(&stage.vars))
                        .unwrap_or_else(|_| src.clone());
                    let mut path = clean(&expanded);
                    while let Some(p) = path.strip_prefix('/') {
                        path = p.to_string();
                    }
                    let root = path == "." || path.is_empty();
                    let probe = if root { String::new() } else { path.clone() };
                    if m.matches(&probe) && !(root && m.may_reinclude_below("")) {
                        l.warn_at(&COPY_IGNORED_FILE, node, format!("Attempting to {cmd} file \"{src}\" that is excluded by .dockerignore"));
                    }
                }
            }
        }
        _ => {}
    }

    let mut undefined = BTreeSet::new();
    for w in &words {
        if let Ok(r) = lex.process_word_with_matches(w, &ScopeEnv(&stage.vars)) {
            undefined.extend(r.unmatched);
        }
    }
    {
        {
            for name in &undefined {
                let hint = suggest(name, stage.vars.iter().map(|(k, _)| k.as_str()))
                    .map(|s| format!(" (did you mean ${s}?)"))
                    .unwrap_or_default();
                l.warn_at(
                    &UNDEFINED_VAR,
                    node,
                    format!("Usage of undefined variable '${name}'{hint}"),
                );
            }
        }
    }

    // Scope updates after the instruction.
    match inst {
        Instruction::Arg(a) => {
            for (k, v) in &a.args {
                let value = build_args
                    .get(k)
                    .cloned()
                    .or_else(|| {
                        v.as_ref().map(|d| {
                            lex.process_word(d, &ScopeEnv(&stage.vars))
                                .unwrap_or_default()
                        })
                    })
                    .or_else(|| {
                        meta.iter()
                            .rev()
                            .find(|(mk, _)| mk == k)
                            .and_then(|(_, mv)| mv.clone())
                    })
                    .unwrap_or_default();
                stage.vars.push((k.clone(), value));
            }
        }
        Instruction::Env(kv) => {
            for (k, v) in &kv.pairs {
                let value = lex
                    .process_word(v, &ScopeEnv(&stage.vars))
                    .unwrap_or_default();
                stage.vars.push((k.clone(), value));
            }
        }
        _ => {}
    }
}
