//! BuildKit's `frontend/dockerfile/parser`: the text → untyped node layer.
//!
//! Lines are read like BuildKit's `bufio.Scanner` (65,535-byte limit), the leading
//! comment block is scanned for parser directives (`# syntax=`, `# escape=`,
//! `# check=`), escape-terminated lines are joined (comment lines inside a
//! continuation dropped, empty ones warned about), each logical line is split
//! into command, `--flags` and arguments and shaped by the per-command line
//! parser (JSON vs shell form, ENV/LABEL key-value triples, ...), and heredoc
//! bodies are attached to RUN/COPY/ADD. Values stay raw: quote removal and `$VAR`
//! expansion belong to [`super::expand`].

use super::expand::{EmptyEnv, Lexer};
use super::gostr::{is_space, quote, quote_list, split_ws, to_lower, trim_space};
use super::{Diagnostic, Origin, Severity};

/// BuildKit's `bufio.MaxScanTokenSize - 1`.
pub const MAX_LINE_LENGTH: usize = 65535;

/// Rule URL of BuildKit's parser warning about empty continuation lines.
pub const NO_EMPTY_CONTINUATION_URL: &str =
    "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/";

/// A heredoc attached to a RUN/COPY/ADD node (BuildKit `parser.Heredoc`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Heredoc {
    /// The terminator word, with quotes removed.
    pub name: String,
    /// `3` for `3<<EOF`, else 0.
    pub file_descriptor: u32,
    /// False when any part of the name was quoted (`<<'EOF'`): no expansion.
    pub expand: bool,
    /// True for `<<-`: leading tabs are stripped when used (not in `content`).
    pub chomp: bool,
    /// The raw body, every line with its trailing newline.
    pub content: String,
}

/// One node of BuildKit's parse tree (`parser.Node`). An instruction node has
/// `value` = the command as written, `next` = its arguments; ONBUILD has one
/// `next` node whose `children` hold the triggered instruction.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Node {
    /// The command word as written (case kept) or an argument value.
    pub value: String,
    /// The argument chain (BuildKit's `Next` list).
    pub next: Vec<Node>,
    /// Nested instructions (only ONBUILD).
    pub children: Vec<Node>,
    /// Heredocs of RUN/COPY/ADD.
    pub heredocs: Vec<Heredoc>,
    /// Exec (JSON array) form.
    pub json: bool,
    /// The whole logical line as written (after joining continuations).
    pub original: String,
    /// `--flag` words before the arguments, raw.
    pub flags: Vec<String>,
    /// First line (1-based).
    pub start_line: usize,
    /// Last line (1-based), including continuation and heredoc lines.
    pub end_line: usize,
    /// Comment lines directly above the instruction (without `#`).
    pub prev_comment: Vec<String>,
}

impl Node {
    /// BuildKit's `Node.Dump()`.
    pub fn dump(&self) -> String {
        let mut s = to_lower(&self.value);
        if !self.flags.is_empty() {
            s.push(' ');
            s.push_str(&quote_list(&self.flags));
        }
        for c in &self.children {
            s.push('(');
            s.push_str(&c.dump());
            s.push_str(")\n");
        }
        for n in &self.next {
            s.push(' ');
            if n.children.is_empty() {
                s.push_str(&quote(&n.value));
            } else {
                s.push_str(&n.dump());
            }
        }
        trim_space(&s).to_string()
    }

    /// The argument values (`Next` chain) as strings.
    pub fn args(&self) -> Vec<&str> {
        self.next.iter().map(|n| n.value.as_str()).collect()
    }

    /// Lower-cased command name.
    pub fn command(&self) -> String {
        to_lower(&self.value)
    }

    fn can_contain_heredoc(&self) -> bool {
        let mut node = self;
        if node.command() == "onbuild" {
            if let Some(child) = node.next.first().and_then(|n| n.children.first()) {
                node = child;
            }
        }
        matches!(node.command().as_str(), "add" | "copy" | "run") && !node.json
    }
}

/// A parser directive found in the leading comment block.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    /// The raw value.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

/// The parse result: tree, directives and diagnostics. BuildKit stops at the
/// first error; the nodes before it are kept so an editor can still show them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Parsed {
    /// Top-level instruction nodes.
    pub nodes: Vec<Node>,
    /// The escape character in effect (`\` or `` ` ``).
    pub escape: char,
    /// Directives from the leading comment block.
    pub directives: Vec<Directive>,
    /// Parser warnings and, when the input is rejected, one error (last).
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The error that makes BuildKit reject the file, if any.
    pub fn error(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|d| d.is_error())
    }

    /// Parser warnings (empty continuation lines).
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }

    /// The value of a directive (`syntax`, `escape`, `check`) if present.
    pub fn directive(&self, name: &str) -> Option<&str> {
        self.directives
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }

    /// BuildKit's root `Node.Dump()` (without the trailing newline that the
    /// `result` files add).
    pub fn dump(&self) -> String {
        let mut s = String::new();
        for c in &self.nodes {
            s.push('(');
            s.push_str(&c.dump());
            s.push_str(")\n");
        }
        trim_space(&s).to_string()
    }
}

struct DirectiveState {
    escape: char,
    done: bool,
    line: usize,
    found: Vec<Directive>,
}

impl DirectiveState {
    /// BuildKit `DirectiveParser.ParseLine` + `possibleParserDirective`.
    /// Returns whether a directive was consumed.
    fn possible_directive(&mut self, line: &str) -> Result<bool, String> {
        self.line += 1;
        if self.done {
            return Ok(false);
        }
        let Some((name, value)) = match_directive(line, "#") else {
            self.done = true;
            return Ok(false);
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(false);
        }
        if self.found.iter().any(|d| d.name == name) {
            return Err(format!("only one {name} parser directive can be used"));
        }
        self.found.push(Directive {
            name: name.clone(),
            value: value.to_string(),
            line: self.line,
        });
        if name == "escape" {
            match value {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => {
                    return Err(format!(
                        "invalid escape token '{value}' does not match ` or \\"
                    ))
                }
            }
        }
        Ok(true)
    }
}

fn is_re_s(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// The directive regex `^<prefix>\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`.
pub(crate) fn match_directive<'a>(line: &'a str, prefix: &str) -> Option<(&'a str, &'a str)> {
    let rest = line.strip_prefix(prefix)?;
    let rest = rest.trim_start_matches(is_re_s);
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let (name, rest) = rest.split_at(name_len);
    let rest = rest.trim_start_matches(is_re_s).strip_prefix('=')?;
    if rest.contains('\n') || rest.is_empty() {
        return None;
    }
    let left = rest.trim_start_matches(is_re_s);
    let value = if left.is_empty() {
        // `\s*` gives back exactly one blank to `.+?`.
        let last = rest.char_indices().last().map(|(i, _)| i).unwrap_or(0);
        &rest[last..]
    } else {
        left.trim_end_matches(is_re_s)
    };
    Some((name, value))
}

/// BuildKit `DetectSyntax` / `ParseDirective`: find directive `key` in the
/// leading block (after an optional BOM and `#!` line); with `any_format` also
/// `//key=` comments and a JSON object first line. Returns `(ref, cmdline, line)`
/// where `ref` is the value up to the first space.
pub fn detect_directive(key: &str, src: &str, any_format: bool) -> Option<(String, String, usize)> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let (first, rest) = src.split_once('\n').unwrap_or((src, ""));
    let (dt, line) = if first.starts_with("#!") {
        (rest, 1)
    } else {
        (src, 0)
    };
    let from_parser = |prefix: &str, mut line: usize| {
        for l in dt.split('\n') {
            let l = l.strip_suffix('\r').unwrap_or(l);
            line += 1;
            let (name, value) = match_directive(l, prefix)?;
            let name = name.to_ascii_lowercase();
            if !matches!(name.as_str(), "syntax" | "escape" | "check") {
                return None;
            }
            if name == key {
                let r = value.split(' ').next().unwrap_or("").to_string();
                return Some((r, value.to_string(), line));
            }
        }
        None
    };
    if let Some(found) = from_parser("#", line) {
        return Some(found);
    }
    if !any_format {
        return None;
    }
    if let Some(found) = from_parser("//", line) {
        return Some(found);
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(dt) {
        if let Some(serde_json::Value::String(v)) = map.get(key) {
            return Some((v.clone(), v.clone(), line));
        }
    }
    None
}

/// Splits like BuildKit's `scanLines` (newline kept) and reports whether the
/// scanner stopped at a line over [`MAX_LINE_LENGTH`].
fn split_lines(src: &str) -> (Vec<&str>, bool) {
    let mut out = Vec::new();
    let mut rest = src;
    while !rest.is_empty() {
        let (line, next) = match rest.find('\n') {
            Some(i) => rest.split_at(i + 1),
            None => (rest, ""),
        };
        let content = line.strip_suffix('\n').unwrap_or(line);
        if content.len() > MAX_LINE_LENGTH {
            return (out, true);
        }
        out.push(line);
        rest = next;
    }
    (out, false)
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn trim_leading_ws(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

fn is_comment(line: &str) -> bool {
    trim_leading_ws(line).starts_with('#')
}

fn is_empty_continuation_line(line: &str) -> bool {
    trim_leading_ws(trim_newline(line)).is_empty()
}

/// BuildKit's line-continuation regex
/// `([^E])E[ \t]*$|^E[ \t]*$` (E = escape), replaced by `$1`.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(before) = t.strip_suffix(escape) {
        if before.is_empty() || !before.ends_with(escape) {
            return (before, false);
        }
    }
    (line, true)
}

/// BuildKit `processLine`: newline trimmed, optional left trim, directive
/// detection, comment lines blanked.
fn process_line<'a>(
    d: &mut DirectiveState,
    token: &'a str,
    strip_left: bool,
) -> (&'a str, Result<bool, String>) {
    let mut token = trim_newline(token);
    if strip_left {
        token = trim_leading_ws(token);
    }
    let ok = d.possible_directive(token);
    let out = if is_comment(token) { "" } else { token };
    (out, ok)
}

/// Parses a Dockerfile into BuildKit's tree. Never panics; rejected input yields
/// an error diagnostic.
pub fn parse(src: &str) -> Parsed {
    let (lines, too_long) = split_lines(src);
    let mut d = DirectiveState {
        escape: '\\',
        done: false,
        line: 0,
        found: Vec::new(),
    };
    let mut nodes: Vec<Node> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    let mut current = 0usize;
    let mut idx = 0usize;
    let mut fatal: Option<Diagnostic> = None;

    'outer: while idx < lines.len() {
        let mut raw = lines[idx];
        idx += 1;
        if current == 0 {
            raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        }
        if is_comment(raw) {
            let after = String::from_utf8_lossy(raw.as_bytes().get(1..).unwrap_or_default());
            let c = trim_space(&after);
            if c.is_empty() {
                comments.clear();
            } else {
                comments.push(c.to_string());
            }
        }
        let (token, ok) = process_line(&mut d, raw, true);
        match ok {
            Ok(true) => {
                comments.pop();
            }
            Ok(false) => {}
            Err(e) => {
                fatal = Some(Diagnostic::error(
                    Origin::Syntax,
                    current + 1,
                    current + 1,
                    e,
                ));
                break;
            }
        }
        current += 1;
        let start = current;
        let (first, mut eol) = trim_continuation(token, d.escape);
        if eol && first.is_empty() {
            continue;
        }
        let mut buf = first.to_string();
        let mut has_empty = false;
        while !eol && idx < lines.len() {
            let raw2 = lines[idx];
            idx += 1;
            let (tok2, ok) = process_line(&mut d, raw2, false);
            if let Err(e) = ok {
                fatal = Some(Diagnostic::error(
                    Origin::Syntax,
                    current + 1,
                    current + 1,
                    e,
                ));
                break 'outer;
            }
            current += 1;
            if is_comment(raw2) {
                continue;
            }
            if is_empty_continuation_line(tok2) {
                has_empty = true;
                continue;
            }
            let (t, e2) = trim_continuation(tok2, d.escape);
            eol = e2;
            buf.push_str(t);
        }
        if has_empty {
            diagnostics.push(Diagnostic {
                severity: Severity::Warning,
                line: current,
                end_line: current,
                message: format!("Empty continuation line found in: {buf}"),
                rule: Some("NoEmptyContinuation"),
                origin: Origin::Syntax,
            });
        }
        let mut child = match new_node_from_line(&buf, d.escape, comments.clone()) {
            Ok(c) => c,
            Err(e) => {
                fatal = Some(Diagnostic::error(Origin::Syntax, start, current, e));
                break;
            }
        };
        if child.can_contain_heredoc() && buf.contains("<<") {
            let heredocs = match heredocs_from_line(&buf) {
                Ok(h) => h,
                Err(e) => {
                    fatal = Some(Diagnostic::error(Origin::Syntax, start, current, e));
                    break;
                }
            };
            for mut heredoc in heredocs {
                let mut terminated = false;
                while idx < lines.len() {
                    let body = lines[idx];
                    idx += 1;
                    current += 1;
                    let mut possible = trim_newline(body);
                    if heredoc.chomp {
                        possible = possible.trim_start_matches('\t');
                    }
                    if possible == heredoc.name {
                        terminated = true;
                        break;
                    }
                    heredoc.content.push_str(body);
                }
                if !terminated {
                    fatal = Some(Diagnostic::error(
                        Origin::Syntax,
                        start,
                        current,
                        "unterminated heredoc",
                    ));
                    break 'outer;
                }
                child.heredocs.push(heredoc);
            }
        }
        child.start_line = start;
        child.end_line = current;
        nodes.push(child);
        comments.clear();
    }

    if fatal.is_none() && too_long {
        fatal = Some(Diagnostic::error(
            Origin::Syntax,
            current + 1,
            current + 1,
            format!("dockerfile line greater than max allowed size of {MAX_LINE_LENGTH}"),
        ));
    }
    if fatal.is_none() && nodes.is_empty() {
        fatal = Some(Diagnostic::error(
            Origin::Syntax,
            current,
            current,
            "file with no instructions",
        ));
    }
    diagnostics.extend(fatal);
    Parsed {
        nodes,
        escape: d.escape,
        directives: d.found,
        diagnostics,
    }
}

/// BuildKit `newNodeFromLine`: split command/flags/args and run the line parser
/// for the command.
fn new_node_from_line(line: &str, escape: char, comments: Vec<String>) -> Result<Node, String> {
    let (cmd, flags, args) = split_command(line);
    let (next, json) = match to_lower(&cmd).as_str() {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(&args)?,
        "arg" => (
            parse_words(&args, escape).into_iter().map(leaf).collect(),
            false,
        ),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(&args)?,
        "env" => (parse_name_val(&args, "ENV", escape)?, false),
        "label" => (parse_name_val(&args, "LABEL", escape)?, false),
        "expose" | "from" => (parse_strings_ws(&args), false),
        "healthcheck" => parse_health_config(&args)?,
        "maintainer" | "stopsignal" | "user" | "workdir" => (
            if args.is_empty() {
                vec![]
            } else {
                vec![leaf(args.clone())]
            },
            false,
        ),
        "onbuild" => {
            if args.is_empty() {
                (vec![], false)
            } else {
                let child = new_node_from_line(&args, escape, Vec::new())?;
                (
                    vec![Node {
                        children: vec![child],
                        ..Node::default()
                    }],
                    false,
                )
            }
        }
        // BuildKit's parseIgnore: unknown commands get one empty argument node.
        _ => (vec![leaf(String::new())], false),
    };
    Ok(Node {
        value: cmd,
        next,
        json,
        original: line.to_string(),
        flags,
        prev_comment: comments,
        ..Node::default()
    })
}

fn leaf(value: String) -> Node {
    Node {
        value,
        ..Node::default()
    }
}

/// BuildKit `splitCommand`.
fn split_command(line: &str) -> (String, Vec<String>, String) {
    let parts = split_ws(trim_space(line), 2);
    let cmd = parts.first().copied().unwrap_or("").to_string();
    let (args, flags) = match parts.get(1) {
        Some(rest) => extract_builder_flags(rest),
        None => (String::new(), Vec::new()),
    };
    (cmd, flags, trim_space(&args).to_string())
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Phase {
    Spaces,
    Word,
    Quote,
}

/// BuildKit `extractBuilderFlags`: leading `--flag` words, byte-wise like Go
/// (each byte becomes `string(rune(b))`).
fn extract_builder_flags(line: &str) -> (String, Vec<String>) {
    let b = line.as_bytes();
    let len = b.len();
    let rest_from =
        |pos: usize| String::from_utf8_lossy(b.get(pos..).unwrap_or_default()).into_owned();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote_ch = 0u8;
    let mut blank_ok = false;
    let mut pos = 0usize;
    while pos <= len {
        let mut ch = b.get(pos).copied().unwrap_or(0);
        if phase == Phase::Spaces {
            if pos == len {
                break;
            }
            if is_space(char::from(ch)) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == len || b.get(pos + 1) != Some(&b'-') {
                return (rest_from(pos), words);
            }
            phase = Phase::Word;
        }
        if pos == len {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space(char::from(ch)) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (rest_from(pos), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote_ch = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            if ch == b'\\' {
                if pos + 1 == len {
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = b[pos];
            }
            word.push(char::from(ch));
            pos += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote_ch {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        if ch == b'\\' {
            if pos + 1 == len {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            ch = b[pos];
        }
        word.push(char::from(ch));
        pos += 1;
    }
    (String::new(), words)
}

/// BuildKit `parseWords`: split on unquoted whitespace, keeping quotes and
/// escapes (used for ARG and to detect the ENV/LABEL form).
pub fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote_ch = '\0';
    let mut blank_ok = false;
    let len = rest.len();
    let decode = |pos: usize| rest.get(pos..).and_then(|s| s.chars().next());
    let mut pos = 0usize;
    let mut ch = '\0';
    let mut width = 0usize;
    loop {
        if pos > len {
            break;
        }
        if pos != len {
            ch = decode(pos).unwrap_or('\u{FFFD}');
            width = ch.len_utf8();
        }
        if phase == Phase::Spaces {
            if pos == len {
                break;
            }
            if is_space(ch) {
                pos += width;
                continue;
            }
            phase = Phase::Word;
        }
        if pos == len {
            if blank_ok || !word.is_empty() {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += width;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote_ch = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + width == len {
                    pos += width;
                    continue;
                }
                word.push(ch);
                pos += width;
                ch = decode(pos).unwrap_or('\u{FFFD}');
                width = ch.len_utf8();
            }
            word.push(ch);
            pos += width;
            continue;
        }
        // Phase::Quote
        if ch == quote_ch {
            phase = Phase::Word;
        }
        if ch == escape && quote_ch != '\'' {
            if pos + width == len {
                phase = Phase::Word;
                pos += width;
                continue;
            }
            pos += width;
            word.push(ch);
            ch = decode(pos).unwrap_or('\u{FFFD}');
            width = ch.len_utf8();
        }
        word.push(ch);
        pos += width;
    }
    words
}

/// BuildKit `parseNameVal`: `KEY name value` (legacy, separator `""`) or
/// `KEY a=b c=d` (separator `"="`), as key/value/separator triples.
fn parse_name_val(rest: &str, key: &str, escape: char) -> Result<Vec<Node>, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let parts = split_ws(rest, 2);
        if parts.len() < 2 {
            return Err(format!("{key} must have two arguments"));
        }
        return Ok(vec![
            leaf(parts[0].to_string()),
            leaf(parts[1].to_string()),
            leaf(String::new()),
        ]);
    }
    let mut out = Vec::new();
    for word in &words {
        let Some((k, v)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                quote(word)
            ));
        };
        out.push(leaf(k.to_string()));
        out.push(leaf(v.to_string()));
        out.push(leaf("=".to_string()));
    }
    Ok(out)
}

/// BuildKit `parseStringsWhitespaceDelimited`.
fn parse_strings_ws(rest: &str) -> Vec<Node> {
    if rest.is_empty() {
        return Vec::new();
    }
    split_ws(rest, -1)
        .into_iter()
        .map(|s| leaf(s.to_string()))
        .collect()
}

const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

enum JsonForm {
    Strings(Vec<String>),
    NotStrings,
    NotJson,
}

/// BuildKit `parseJSON`: a JSON array of strings only.
fn parse_json(rest: &str) -> JsonForm {
    let rest = rest.trim_start_matches(is_space);
    if !rest.starts_with('[') {
        return JsonForm::NotJson;
    }
    match serde_json::from_str::<Vec<serde_json::Value>>(rest) {
        Err(_) => JsonForm::NotJson,
        Ok(values) => {
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    serde_json::Value::String(s) => out.push(s),
                    _ => return JsonForm::NotStrings,
                }
            }
            JsonForm::Strings(out)
        }
    }
}

/// Exec-form detection as used by CMD/RUN/ENTRYPOINT/SHELL (public for tests
/// and tooling): `Ok(Some(words))` for a JSON string array, `Ok(None)` for shell
/// form, `Err` for a JSON array with non-string elements.
pub fn parse_exec_form(rest: &str) -> Result<Option<Vec<String>>, String> {
    match parse_json(rest) {
        JsonForm::Strings(v) => Ok(Some(v)),
        JsonForm::NotStrings => Err(NOT_STRING_ARRAY.to_string()),
        JsonForm::NotJson => Ok(None),
    }
}

fn parse_maybe_json(rest: &str) -> Result<(Vec<Node>, bool), String> {
    if rest.is_empty() {
        return Ok((Vec::new(), false));
    }
    match parse_json(rest) {
        JsonForm::Strings(v) => Ok((v.into_iter().map(leaf).collect(), true)),
        JsonForm::NotStrings => Err(NOT_STRING_ARRAY.to_string()),
        JsonForm::NotJson => Ok((vec![leaf(rest.to_string())], false)),
    }
}

fn parse_maybe_json_to_list(rest: &str) -> Result<(Vec<Node>, bool), String> {
    match parse_json(rest) {
        JsonForm::Strings(v) => Ok((v.into_iter().map(leaf).collect(), true)),
        JsonForm::NotStrings => Err(NOT_STRING_ARRAY.to_string()),
        JsonForm::NotJson => Ok((parse_strings_ws(rest), false)),
    }
}

/// BuildKit `parseHealthConfig`: the type word (`CMD`, `NONE`, ...) is its own
/// node, then parseMaybeJSON. Byte-wise space test, like Go.
fn parse_health_config(rest: &str) -> Result<(Vec<Node>, bool), String> {
    let b = rest.as_bytes();
    let sep = b
        .iter()
        .position(|&c| is_space(char::from(c)))
        .unwrap_or(b.len());
    if sep == 0 {
        return Ok((Vec::new(), false));
    }
    let next = b[sep..]
        .iter()
        .position(|&c| !is_space(char::from(c)))
        .map(|p| p + sep)
        .unwrap_or(b.len());
    let typ = String::from_utf8_lossy(&b[..sep]).into_owned();
    let cmd_text = String::from_utf8_lossy(&b[next..]).into_owned();
    let (cmd, json) = parse_maybe_json(&cmd_text)?;
    let mut out = vec![leaf(typ)];
    out.extend(cmd);
    Ok((out, json))
}

/// BuildKit `ParseHeredoc` on one word (`<<EOF`, `3<<-'EOF'`, `<< EOF`):
/// `Ok(None)` when the word is not a heredoc.
pub fn parse_heredoc(word: &str) -> Result<Option<Heredoc>, String> {
    // ^(\d*)<<(-?)\s*([^<]*)$
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, after),
    };
    let rest = after.trim_start_matches(is_re_s);
    if rest.contains('<') {
        return Ok(None);
    }
    if rest.is_empty() {
        return Ok(None);
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    let mut lex = Lexer::new('\\');
    lex.skip_unset_env = true;
    let words = lex
        .process_words(rest, &EmptyEnv)
        .map_err(|e| e.to_string())?;
    if words.len() != 1 {
        return Ok(None);
    }
    lex.raw_quotes = true;
    let raw = lex
        .process_words(rest, &EmptyEnv)
        .map_err(|e| e.to_string())?;
    if raw.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let count = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let expand = count(&words[0]) == count(&raw[0]);
    Ok(Some(Heredoc {
        name: words[0].clone(),
        file_descriptor: fd,
        expand,
        chomp,
        content: String::new(),
    }))
}

/// BuildKit `heredocsFromLine`.
pub fn heredocs_from_line(line: &str) -> Result<Vec<Heredoc>, String> {
    let mut lex = Lexer::new('\\');
    lex.raw_quotes = true;
    lex.raw_escapes = true;
    lex.skip_unset_env = true;
    let words = lex.process_words(line, &EmptyEnv).unwrap_or_default();
    let mut docs = Vec::new();
    for w in words {
        if let Some(h) = parse_heredoc(&w)? {
            docs.push(h);
        }
    }
    Ok(docs)
}

/// BuildKit `ChompHeredocContent`: strip leading tabs from every line.
pub fn chomp_heredoc_content(src: &str) -> String {
    src.split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}
