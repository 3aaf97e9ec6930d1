//! Word expansion exactly as BuildKit's `frontend/dockerfile/shell/lex.go`: quotes,
//! escapes, `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`,
//! `${VAR:?msg}`, `${VAR?msg}`, `${VAR#pat}`, `${VAR##pat}`, `${VAR%pat}`,
//! `${VAR%%pat}`, `${VAR/pat/repl}` and `${VAR//pat/repl}`.
//!
//! It is deliberately not a shell: no command substitution, no globbing, no
//! assignment forms (`${X:=y}` is an error, as in BuildKit). Patterns follow
//! BuildKit's `convertShellPatternToRegex` (`*`, `?`, backslash escapes; no
//! brackets) but are matched by a small backtracking matcher instead of a regex
//! engine, so the wasm bundle stays small.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::gostr::{is_space, quote};

/// Nesting limit for `${a:-${b:-...}}`: BuildKit has none, but hostile input must
/// not overflow the stack.
const MAX_DEPTH: usize = 64;

/// A variable environment the lexer reads from. A variable that is present with
/// an empty value is *set but empty* (`${NULL?}` succeeds, `${NULL:?}` fails).
pub trait Env {
    /// The value of `name`, or `None` when unset.
    fn lookup(&self, name: &str) -> Option<&str>;
}

impl Env for BTreeMap<String, String> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl Env for HashMap<String, String> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

/// Ordered `(name, value)` pairs; a later pair overrides an earlier one, like
/// BuildKit's `BuildEnvs`.
impl Env for [(String, String)] {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Env for Vec<(String, String)> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.as_slice().lookup(name)
    }
}

/// An environment with nothing set.
pub struct EmptyEnv;

impl Env for EmptyEnv {
    fn lookup(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// Why a word could not be expanded. Displays like BuildKit:
/// `failed to process "${x": syntax error: missing '}'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to process {}: {message}", quote(.word))]
pub struct ExpandError {
    /// The word being processed.
    pub word: String,
    /// The inner message, e.g. `syntax error: bad substitution`.
    pub message: String,
}

/// The full result of one expansion (BuildKit's `ProcessWordResult`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The word with quotes removed and variables expanded (no field splitting).
    pub result: String,
    /// The word split into fields on unquoted whitespace (after expansion).
    pub words: Vec<String>,
    /// Variables that were looked up and set.
    pub matched: BTreeSet<String>,
    /// Variables that were looked up and unset.
    pub unmatched: BTreeSet<String>,
}

/// BuildKit's `shell.Lex`: the escape token plus the processing switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    /// `\` by default, or `` ` `` via `# escape=`.
    pub escape: char,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters.
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written.
    pub skip_unset_env: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer::new('\\')
    }
}

impl Lexer {
    /// A lexer with the given escape token and all switches off.
    pub fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// BuildKit's `ProcessWord`: one word, no field splitting.
    pub fn process_word(&self, word: &str, env: &dyn Env) -> Result<String, ExpandError> {
        self.process(word, env).map(|e| e.result)
    }

    /// BuildKit's `ProcessWords`: expansion followed by field splitting on
    /// unquoted whitespace.
    pub fn process_words(&self, word: &str, env: &dyn Env) -> Result<Vec<String>, ExpandError> {
        self.process(word, env).map(|e| e.words)
    }

    /// BuildKit's `ProcessWordWithMatches`: result, words and the variables used.
    pub fn process_word_with_matches(
        &self,
        word: &str,
        env: &dyn Env,
    ) -> Result<Expansion, ExpandError> {
        self.process(word, env)
    }

    fn process(&self, word: &str, env: &dyn Env) -> Result<Expansion, ExpandError> {
        let mut sw = ShellWord {
            lex: *self,
            chars: word.chars().collect(),
            pos: 0,
            env,
            raw_escapes: self.raw_escapes,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
            depth: 0,
        };
        let raw = sw.raw_escapes;
        match sw.process_stop_on(None, raw) {
            Ok((result, words)) => Ok(Expansion {
                result,
                words,
                matched: sw.matched,
                unmatched: sw.unmatched,
            }),
            Err(message) => Err(ExpandError {
                word: word.to_string(),
                message,
            }),
        }
    }
}

/// `ProcessWord` with the default lexer (escape `\`).
pub fn process_word(word: &str, env: &dyn Env) -> Result<String, ExpandError> {
    Lexer::default().process_word(word, env)
}

/// `ProcessWords` with the default lexer (escape `\`).
pub fn process_words(word: &str, env: &dyn Env) -> Result<Vec<String>, ExpandError> {
    Lexer::default().process_words(word, env)
}

/// `ProcessWordWithMatches` with the default lexer (escape `\`).
pub fn process_word_with_matches(word: &str, env: &dyn Env) -> Result<Expansion, ExpandError> {
    Lexer::default().process_word_with_matches(word, env)
}

#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if is_space(ch) && self.in_word {
            if !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else if !is_space(ch) {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.word.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for ch in s.chars() {
            self.add_char(ch);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }

    fn into_words(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(std::mem::take(&mut self.word));
        }
        self.words
    }
}

struct ShellWord<'a> {
    lex: Lexer,
    chars: Vec<char>,
    pos: usize,
    env: &'a dyn Env,
    raw_escapes: bool,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
    depth: usize,
}

/// Go's `string(rune)` of a scanner result, where EOF (-1) becomes U+FFFD.
fn rune_str(ch: Option<char>) -> String {
    ch.unwrap_or('\u{FFFD}').to_string()
}

impl ShellWord<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn get_env(&mut self, name: &str) -> (String, bool) {
        match self.env.lookup(name) {
            Some(v) => {
                self.matched.insert(name.to_string());
                (v.to_string(), true)
            }
            None => {
                self.unmatched.insert(name.to_string());
                (String::new(), false)
            }
        }
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("syntax error: substitution nested too deeply".to_string());
        }
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let r = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        r
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        let mut words = Words::default();
        let quotes = !self.lex.skip_process_quotes;
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.next();
                return Ok((result, words.into_words()));
            }
            let special = match ch {
                '$' => Some(self.process_dollar()?),
                '\'' if quotes => Some(self.process_single_quote()?),
                '"' if quotes => Some(self.process_double_quote()?),
                '<' => Some(self.process_possible_heredoc()),
                _ => None,
            };
            if let Some(tmp) = special {
                result.push_str(&tmp);
                if ch == '$' {
                    words.add_string(&tmp);
                } else {
                    words.add_raw_string(&tmp);
                }
                continue;
            }
            let mut ch = match self.next() {
                Some(c) => c,
                None => break,
            };
            if ch == self.lex.escape {
                if self.raw_escapes {
                    words.add_raw_char(ch);
                    result.push(ch);
                }
                match self.next() {
                    None => break,
                    Some(c) => ch = c,
                }
                words.add_raw_char(ch);
            } else {
                words.add_char(ch);
            }
            result.push(ch);
        }
        if let Some(s) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {s}"
            ));
        }
        Ok((result, words.into_words()))
    }

    /// `<<` (or `<<-`) plus following blanks stay glued to the heredoc word, so that
    /// `RUN <<  EOF` yields the single word `<<  EOF` (BuildKit
    /// `processPossibleHeredoc`).
    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        let mut out = String::from("<<");
        if self.peek() == Some('-') {
            self.next();
            out.push('-');
        }
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' {
                out.push(c);
                self.next();
            } else {
                break;
            }
        }
        out
    }

    fn process_single_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.push_str(&rune_str(open));
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    )
                }
                Some('\'') => {
                    if self.lex.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.push_str(&rune_str(open));
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    )
                }
                Some('"') => {
                    self.next();
                    if self.lex.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let v = self.process_dollar()?;
                    result.push_str(&v);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or('\u{FFFD}');
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.lex.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            let (value, found) = self.get_env(&name);
            if !found && self.lex.skip_unset_env {
                return Ok(format!("${name}"));
            }
            return Ok(value);
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{') | Some('}') | Some(':') => {
                return Err("syntax error: bad substitution".to_string())
            }
            _ => {}
        }
        let name = self.process_name();
        let mut ch = self.next();
        let mut chs = rune_str(ch);
        let mut null_is_unset = false;
        match ch {
            Some('}') => {
                let (value, set) = self.get_env(&name);
                if !set && self.lex.skip_unset_env {
                    return Ok(format!("${{{name}}}"));
                }
                Ok(value)
            }
            Some(':') | Some('+') | Some('-') | Some('?') | Some('#') | Some('%') => {
                if ch == Some(':') {
                    null_is_unset = true;
                    ch = self.next();
                    chs.push_str(&rune_str(ch));
                }
                let raw = ch == Some('#') || ch == Some('%');
                let word = match self.process_stop_on(Some('}'), raw) {
                    Ok((w, _)) => w,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '}'".to_string());
                        }
                        return Err(e);
                    }
                };
                let (value, set) = self.get_env(&name);
                if self.lex.skip_unset_env && !set {
                    return Ok(format!("${{{name}{chs}{word}}}"));
                }
                let empty = null_is_unset && value.is_empty();
                match ch {
                    Some('-') => Ok(if !set || empty { word } else { value }),
                    Some('+') => Ok(if !set || empty { String::new() } else { word }),
                    Some('?') => {
                        if !set {
                            let m = if word.is_empty() {
                                "is not allowed to be unset".to_string()
                            } else {
                                word
                            };
                            return Err(format!("{name}: {m}"));
                        }
                        if empty {
                            let m = if word.is_empty() {
                                "is not allowed to be empty".to_string()
                            } else {
                                word
                            };
                            return Err(format!("{name}: {m}"));
                        }
                        Ok(value)
                    }
                    // `${VAR:#pat}` / `${VAR:%pat}` have no meaning in POSIX sh and
                    // BuildKit rejects them.
                    Some('%' | '#') if null_is_unset => {
                        Err(format!("unsupported modifier ({chs}) in substitution"))
                    }
                    Some(c @ ('%' | '#')) => {
                        let mut pattern = word;
                        let mut greedy = false;
                        if pattern.starts_with(c) {
                            greedy = true;
                            pattern.remove(0);
                        }
                        if c == '%' {
                            trim_suffix(&pattern, &value, greedy)
                        } else {
                            trim_prefix(&pattern, &value, greedy)
                        }
                    }
                    _ => Err(format!("unsupported modifier ({chs}) in substitution")),
                }
            }
            Some('/') => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true) {
                    Ok((w, _)) => w,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '/' in ${}".to_string());
                        }
                        return Err(e);
                    }
                };
                let replacement = match self.process_stop_on(Some('}'), true) {
                    Ok((w, _)) => w,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '}'".to_string());
                        }
                        return Err(e);
                    }
                };
                let (value, set) = self.get_env(&name);
                if self.lex.skip_unset_env && !set {
                    return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                }
                let pat = Pattern::compile(&pattern, true)
                    .map_err(|e| format!("invalid pattern ({pattern}) in substitution: {e}"))?;
                Ok(if replace_all {
                    pat.replace_all(&value, &replacement)
                } else {
                    let v: Vec<char> = value.chars().collect();
                    match pat.find(&v, false) {
                        Some((s, e)) => {
                            let mut out: String = v[..s].iter().collect();
                            out.push_str(&replacement);
                            out.extend(&v[e..]);
                            out
                        }
                        None => value,
                    }
                })
            }
            _ => Err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                while let Some(c) = self.peek() {
                    if !c.is_numeric() {
                        break;
                    }
                    self.next();
                    name.push(c);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !ch.is_numeric() && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }
}

/// POSIX special parameters; never set in a Dockerfile.
fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Star,
    Any,
    Lit(char),
}

/// A compiled `${VAR#pattern}`-style pattern: BuildKit's regex `.*`/`.*?`/`.`
/// and literals. Like Go's `.`, wildcards never match a newline.
struct Pattern {
    toks: Vec<Tok>,
    greedy: bool,
}

impl Pattern {
    /// BuildKit `convertShellPatternToRegex` (the tokens only).
    fn compile(pattern: &str, greedy: bool) -> Result<Pattern, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut toks = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '*' => toks.push(Tok::Star),
                '?' => toks.push(Tok::Any),
                '\\' => {
                    let next = chars.get(i).copied();
                    if next == Some('}') || next == Some('/') {
                        continue;
                    }
                    i += 1;
                    match next {
                        Some(n @ ('*' | '?' | '\\')) => toks.push(Tok::Lit(n)),
                        other => {
                            return Err(format!("invalid escape '\\{}'", rune_str(other)));
                        }
                    }
                }
                c => toks.push(Tok::Lit(c)),
            }
        }
        Ok(Pattern { toks, greedy })
    }

    /// Leftmost-first match (Perl/Go semantics): the first start position that
    /// matches, and there the end preferred by greedy/lazy wildcards.
    fn find(&self, s: &[char], anchored: bool) -> Option<(usize, usize)> {
        let last = if anchored { 0 } else { s.len() };
        // Failure at (token, position) does not depend on the start, so one memo
        // serves every start position.
        let mut failed = vec![false; (self.toks.len() + 1) * (s.len() + 1)];
        (0..=last).find_map(|start| {
            self.match_at(s, 0, start, &mut failed, 0)
                .map(|end| (start, end))
        })
    }

    fn match_at(
        &self,
        s: &[char],
        mut t: usize,
        mut p: usize,
        failed: &mut [bool],
        depth: usize,
    ) -> Option<usize> {
        // Literal runs are walked iteratively; recursion happens only at stars and
        // is memoised on (token, position), so hostile patterns stay polynomial.
        loop {
            match self.toks.get(t) {
                None => return Some(p),
                Some(Tok::Lit(c)) if s.get(p) == Some(c) => {}
                Some(Tok::Any) if s.get(p).is_some_and(|&c| c != '\n') => {}
                Some(Tok::Star) => break,
                Some(_) => return None,
            }
            t += 1;
            p += 1;
        }
        let idx = t * (s.len() + 1) + p;
        if depth > 4096 || failed.get(idx).copied().unwrap_or(true) {
            return None;
        }
        let mut max = p;
        while max < s.len() && s[max] != '\n' {
            max += 1;
        }
        let found = if self.greedy {
            (p..=max)
                .rev()
                .find_map(|q| self.match_at(s, t + 1, q, failed, depth + 1))
        } else {
            (p..=max).find_map(|q| self.match_at(s, t + 1, q, failed, depth + 1))
        };
        if found.is_none() {
            if let Some(f) = failed.get_mut(idx) {
                *f = true;
            }
        }
        found
    }

    /// Go's `Regexp.ReplaceAllString`: non-overlapping matches, empty matches
    /// right after a previous match skipped, `$` templates expanded (there are
    /// no groups, so `$0` is the match and any other group is empty).
    fn replace_all(&self, value: &str, template: &str) -> String {
        let s: Vec<char> = value.chars().collect();
        let mut out = String::new();
        let mut last_end = 0usize;
        let mut search = 0usize;
        let mut prev_match_end: Option<usize> = None;
        let mut failed = vec![false; (self.toks.len() + 1) * (s.len() + 1)];
        while search <= s.len() {
            let hit = (search..=s.len()).find_map(|start| {
                self.match_at(&s, 0, start, &mut failed, 0)
                    .map(|end| (start, end))
            });
            let Some((a, b)) = hit else { break };
            if a == b && prev_match_end == Some(a) {
                // Empty match abutting the previous one: skip one char.
                search = a + 1;
                prev_match_end = None;
                continue;
            }
            out.extend(&s[last_end..a]);
            let matched: String = s[a..b].iter().collect();
            out.push_str(&expand_template(template, &matched));
            last_end = b;
            prev_match_end = Some(b);
            search = if b > a { b } else { b + 1 };
            if a == b && a < s.len() {
                out.push(s[a]);
                last_end = a + 1;
            }
        }
        if last_end <= s.len() {
            out.extend(&s[last_end..]);
        }
        out
    }
}

/// Go's `Regexp.Expand` for a regex without capture groups.
fn expand_template(template: &str, matched: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (name, after) = if let Some(r) = rest.strip_prefix('{') {
            let end = r
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
                .map(|(i, _)| i)
                .unwrap_or(r.len());
            if end == 0 || !r[end..].starts_with('}') {
                out.push('$');
                continue;
            }
            (&r[..end], &r[end + 1..])
        } else {
            let end = rest
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            if end == 0 {
                out.push('$');
                continue;
            }
            (&rest[..end], &rest[end..])
        };
        rest = after;
        let is_num = name.bytes().all(|b| b.is_ascii_digit()) && name.len() < 9;
        if is_num && name.parse::<u32>().ok() == Some(0) {
            out.push_str(matched);
        }
    }
    out.push_str(rest);
    out
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let pat = Pattern::compile(pattern, greedy)
        .map_err(|e| format!("invalid pattern ({pattern}) in substitution: {e}"))?;
    let v: Vec<char> = value.chars().collect();
    Ok(match pat.find(&v, true) {
        Some((_, end)) => v[end..].iter().collect(),
        None => value.to_string(),
    })
}

/// BuildKit reverses pattern (keeping `\x` pairs) and value to turn the
/// rightmost-shortest search into a leftmost one.
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; p.len()];
    let mut i = 0usize;
    while i < p.len() {
        let out_idx = p.len() - 1 - i;
        if p[i] == '\\' && i + 1 < p.len() && out_idx >= 1 {
            out[out_idx - 1] = '\\';
            out[out_idx] = p[i + 1];
            i += 2;
        } else {
            out[out_idx] = p[i];
            i += 1;
        }
    }
    let rpattern: String = out.into_iter().collect();
    let rvalue: String = value.chars().rev().collect();
    let r = trim_prefix(&rpattern, &rvalue, greedy)?;
    Ok(r.chars().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_all_with_empty_pattern_keeps_value() {
        let p = Pattern::compile("", true).unwrap();
        assert_eq!(p.replace_all("ab", ""), "ab");
        assert_eq!(p.replace_all("ab", "-"), "-a-b-");
    }

    #[test]
    fn error_mentions_word() {
        let e = process_word("a${}", &EmptyEnv).unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to process \"a${}\": syntax error: bad substitution"
        );
    }
}

/// ARG/ENV scoping of one build stage, as BuildKit's dockerfile2llb applies it:
/// meta ARGs (before the first FROM) are visible only to FROM lines; inside a
/// stage a name becomes visible when an `ARG` declares it (value: build arg,
/// else its default, else the meta ARG's value when declared without default)
/// or when `ENV` sets it. ENV wins over ARG of the same name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    args: Vec<(String, String)>,
    env: Vec<(String, String)>,
}

impl Scope {
    /// The variables visible to FROM lines: meta ARG defaults overridden by
    /// build args.
    pub fn for_from(
        meta_args: &[(String, Option<String>)],
        build_args: &BTreeMap<String, String>,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (name, default) in meta_args {
            let value = build_args.get(name).cloned().or_else(|| {
                default.as_ref().map(|d| {
                    Lexer::default()
                        .process_word(d, &out)
                        .unwrap_or_else(|_| d.clone())
                })
            });
            if let Some(v) = value {
                out.push((name.clone(), v));
            }
        }
        out
    }

    /// A stage scope starting from the base image's Env (`K=V` strings).
    pub fn from_image_env(env: &[String]) -> Self {
        Scope {
            args: Vec::new(),
            env: env
                .iter()
                .map(|e| match e.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (e.clone(), String::new()),
                })
                .collect(),
        }
    }

    /// Applies `ARG name[=default]` (default already expanded by the caller).
    pub fn declare_arg(
        &mut self,
        name: &str,
        default: Option<String>,
        build_args: &BTreeMap<String, String>,
        meta: &[(String, String)],
    ) {
        let value = build_args
            .get(name)
            .cloned()
            .or(default)
            .or_else(|| meta.lookup(name).map(str::to_string));
        if let Some(v) = value {
            self.args.retain(|(k, _)| k != name);
            self.args.push((name.to_string(), v));
        }
    }

    /// Applies `ENV name=value` (value already expanded by the caller).
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    /// The ENV part (what ends up in the image config).
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }
}

impl Env for Scope {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.env.lookup(name).or_else(|| self.args.lookup(name))
    }
}
