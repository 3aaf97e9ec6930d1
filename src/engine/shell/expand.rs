//! Word expansion (XCU 2.6): tilde, parameters, command substitution, arithmetic,
//! field splitting on `IFS`, pathname expansion, quote removal.

use super::arith::{self, ArithVars};
use super::ast::{List, Param, ParamOp, Part, Word};
use super::glob;
use super::interp::{Flow, Shell};
use super::state::{Io, Sink};

#[derive(Default, Clone)]
struct Field {
    text: String,
    /// The same text as a pattern: characters from quotes are backslash-escaped.
    pat: String,
    glob: bool,
}

/// How a word is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Command words: split fields and glob.
    Fields,
    /// Assignments, redirection targets, here-documents, `case` words: one string.
    String,
    /// `case` patterns and `${v#p}` operands: one pattern.
    Pattern,
}

struct Builder {
    fields: Vec<Field>,
    cur: Field,
    started: bool,
    mode: Mode,
    ifs: String,
}

impl Builder {
    fn push_quoted(&mut self, s: &str) {
        self.started = true;
        self.cur.text.push_str(s);
        self.cur.pat.push_str(&glob::escape(s));
    }

    fn push_literal(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.started = true;
        self.cur.text.push_str(s);
        self.cur.pat.push_str(s);
        if glob::has_glob(s) {
            self.cur.glob = true;
        }
    }

    /// An unquoted expansion result: split on IFS (in Fields mode).
    fn push_split(&mut self, s: &str) {
        if self.mode != Mode::Fields {
            // Unquoted expansions in patterns stay pattern-active.
            self.push_literal(s);
            return;
        }
        if self.ifs.is_empty() {
            self.push_literal(s);
            return;
        }
        let ifs = self.ifs.clone();
        let mut chunk = String::new();
        for c in s.chars() {
            if ifs.contains(c) {
                self.push_literal(&std::mem::take(&mut chunk));
                if c.is_whitespace() {
                    if self.started {
                        self.end_field();
                    }
                } else {
                    self.started = true;
                    self.end_field();
                }
            } else {
                chunk.push(c);
            }
        }
        self.push_literal(&chunk);
    }

    fn end_field(&mut self) {
        if self.started {
            self.fields.push(std::mem::take(&mut self.cur));
        }
        self.started = false;
    }
}

/// Values of parameters: a string, or the list of `$@`/`$*`.
enum Value {
    Str(String),
    List(Vec<String>),
}

impl Value {
    fn joined(&self, sep: &str) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::List(v) => v.join(sep),
        }
    }
}

impl Shell {
    fn ifs(&self) -> String {
        self.env
            .get("IFS")
            .map_or_else(|| " \t\n".to_string(), str::to_string)
    }

    pub fn expand_fields(&mut self, word: &Word, io: Io) -> Result<Vec<String>, Flow> {
        let b = self.expand(word, io, Mode::Fields)?;
        let noglob = self.env.opts.noglob;
        let mut out = Vec::new();
        for f in b {
            if f.glob && !noglob {
                let matches = glob::expand_path(&self.fs, &self.env.cwd, &f.pat);
                self.step(1 + matches.len() as u64 / 16)?;
                if !matches.is_empty() {
                    out.extend(matches);
                    continue;
                }
            }
            out.push(f.text);
        }
        Ok(out)
    }

    pub fn expand_string(&mut self, word: &Word, io: Io) -> Result<String, Flow> {
        let fields = self.expand(word, io, Mode::String)?;
        Ok(fields
            .into_iter()
            .map(|f| f.text)
            .collect::<Vec<_>>()
            .join(" "))
    }

    pub fn expand_pattern(&mut self, word: &Word, io: Io) -> Result<String, Flow> {
        let fields = self.expand(word, io, Mode::Pattern)?;
        Ok(fields
            .into_iter()
            .map(|f| f.pat)
            .collect::<Vec<_>>()
            .join(" "))
    }

    fn expand(&mut self, word: &Word, io: Io, mode: Mode) -> Result<Vec<Field>, Flow> {
        self.step(1)?;
        let mut b = Builder {
            fields: Vec::new(),
            cur: Field::default(),
            started: false,
            mode,
            ifs: self.ifs(),
        };
        for (i, part) in word.iter().enumerate() {
            if i == 0 {
                if let Part::Lit(s) = part {
                    if s.starts_with('~') {
                        let (tilde, rest) = s.split_at(s.find('/').unwrap_or(s.len()));
                        if let Some(home) = self.tilde(&tilde[1..]) {
                            b.push_quoted(&home);
                            b.push_literal(rest);
                            continue;
                        }
                    }
                }
            }
            self.expand_part(part, false, io, &mut b)?;
        }
        if mode != Mode::Fields {
            b.started = true;
        }
        b.end_field();
        Ok(b.fields)
    }

    fn tilde(&self, user: &str) -> Option<String> {
        if user.is_empty() {
            return Some(self.get_var("HOME").unwrap_or_else(|| "/".into()));
        }
        let passwd = self.fs.read_file("/etc/passwd").ok()?.to_vec();
        let text = String::from_utf8_lossy(&passwd);
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&user) && f.len() > 5).then(|| f[5].to_string())
        })
    }

    fn expand_part(
        &mut self,
        part: &Part,
        quoted: bool,
        io: Io,
        b: &mut Builder,
    ) -> Result<(), Flow> {
        match part {
            Part::Lit(s) if quoted => b.push_quoted(s),
            Part::Lit(s) => b.push_literal(s),
            Part::Quoted(s) => b.push_quoted(s),
            Part::Double(parts) => {
                // `"$@"` with no parameters is no field at all.
                let only_at = matches!(parts.as_slice(), [Part::Param(p)] if p.name == "@" && matches!(p.op, ParamOp::Plain));
                if !only_at {
                    b.started = true;
                }
                for p in parts {
                    self.expand_part(p, true, io, b)?;
                }
            }
            Part::Param(p) => {
                let v = self.param(p, quoted, io)?;
                match v {
                    // `"$@"` keeps each parameter a field of its own; unquoted `$@`/`$*`
                    // split each parameter further (XCU 2.5.2).
                    Value::List(items) if !quoted || p.name == "@" => {
                        for (i, item) in items.iter().enumerate() {
                            if i > 0 {
                                if b.mode == Mode::Fields {
                                    b.end_field();
                                } else if quoted {
                                    b.push_quoted(" ");
                                } else {
                                    b.push_literal(" ");
                                }
                            }
                            if quoted {
                                b.push_quoted(item);
                            } else {
                                b.push_split(item);
                            }
                        }
                    }
                    v => {
                        let sep = self
                            .ifs()
                            .chars()
                            .next()
                            .map(String::from)
                            .unwrap_or_default();
                        let s = v.joined(&sep);
                        if quoted {
                            b.push_quoted(&s);
                        } else {
                            b.push_split(&s);
                        }
                    }
                }
            }
            Part::CmdSub(list) => {
                let s = self.command_subst(list, io)?;
                if quoted {
                    b.push_quoted(&s);
                } else {
                    b.push_split(&s);
                }
            }
            Part::Arith(w) => {
                let expr = self.expand_string(w, io)?;
                let v = self.arith(&expr, io)?;
                b.push_quoted(&v.to_string());
            }
        }
        Ok(())
    }

    pub fn arith(&mut self, expr: &str, io: Io) -> Result<i64, Flow> {
        let mut vars = Vars {
            sh: self,
            err: None,
        };
        match arith::eval(expr, &mut vars) {
            Ok(v) => Ok(v),
            Err(msg) => {
                self.sh_error(io.err, &msg);
                Err(Flow::Exit(2))
            }
        }
    }

    pub fn command_subst(&mut self, list: &List, io: Io) -> Result<String, Flow> {
        self.flush_files();
        let pid = self.new_pipe();
        let cio = Io {
            stdin: io.stdin,
            out: Sink::Pipe(pid),
            err: io.err,
        };
        let r = self.subshell(|sh| sh.run_list(list, cio));
        let data = self.take_pipe(pid);
        let st = r?;
        self.env.status = st;
        self.env.status_from_sub = Some(st);
        let mut s = String::from_utf8_lossy(&data).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        Ok(s)
    }

    fn raw_param(&self, name: &str) -> Option<Value> {
        match name {
            "@" | "*" => Some(Value::List(self.env.params.clone())),
            "#" => Some(Value::Str(self.env.params.len().to_string())),
            "?" => Some(Value::Str(self.env.status.to_string())),
            "$" => Some(Value::Str("1".into())),
            "!" => None,
            "-" => Some(Value::Str(self.env.flags())),
            "0" => Some(Value::Str(self.env.arg0.clone())),
            n if n.bytes().all(|c| c.is_ascii_digit()) => {
                let i: usize = n.parse().ok()?;
                self.env
                    .params
                    .get(i.checked_sub(1)?)
                    .cloned()
                    .map(Value::Str)
            }
            n => self.get_var(n).map(Value::Str),
        }
    }

    fn param(&mut self, p: &Param, quoted: bool, io: Io) -> Result<Value, Flow> {
        let raw = self.raw_param(&p.name);
        let is_set = raw.is_some();
        let is_null = match &raw {
            None => true,
            Some(Value::Str(s)) => s.is_empty(),
            Some(Value::List(v)) => v.is_empty() || (v.len() == 1 && v[0].is_empty()),
        };
        let unset_check = |sh: &mut Shell| -> Result<(), Flow> {
            if !is_set && sh.env.opts.nounset && !matches!(p.name.as_str(), "@" | "*") {
                sh.sh_error(io.err, &format!("{}: parameter not set", p.name));
                return Err(Flow::Exit(2));
            }
            Ok(())
        };
        let sep = if quoted { "" } else { " " };
        let _ = sep;
        let value = |raw: Option<Value>| raw.unwrap_or(Value::Str(String::new()));
        Ok(match &p.op {
            ParamOp::Plain => {
                unset_check(self)?;
                value(raw)
            }
            ParamOp::Length => {
                unset_check(self)?;
                let n = match &raw {
                    Some(Value::List(v)) => v.len(),
                    Some(Value::Str(s)) => s.chars().count(),
                    None => 0,
                };
                Value::Str(n.to_string())
            }
            ParamOp::Default(colon, w) => {
                if !is_set || (*colon && is_null) {
                    Value::Str(self.expand_string(w, io)?)
                } else {
                    value(raw)
                }
            }
            ParamOp::Assign(colon, w) => {
                if !is_set || (*colon && is_null) {
                    let v = self.expand_string(w, io)?;
                    if let Err(msg) = self.set_var(&p.name, v.clone()) {
                        self.sh_error(io.err, &msg);
                        return Err(Flow::Exit(2));
                    }
                    Value::Str(v)
                } else {
                    value(raw)
                }
            }
            ParamOp::Error(colon, w) => {
                if !is_set || (*colon && is_null) {
                    let mut msg = self.expand_string(w, io)?;
                    if msg.is_empty() {
                        msg = if *colon {
                            "parameter null or not set".into()
                        } else {
                            "parameter not set".into()
                        };
                    }
                    self.sh_error(io.err, &format!("{}: {msg}", p.name));
                    return Err(Flow::Exit(2));
                }
                value(raw)
            }
            ParamOp::Alt(colon, w) => {
                if !is_set || (*colon && is_null) {
                    Value::Str(String::new())
                } else {
                    Value::Str(self.expand_string(w, io)?)
                }
            }
            ParamOp::TrimPrefix(long, w) | ParamOp::TrimSuffix(long, w) => {
                unset_check(self)?;
                let pat = self.expand_pattern(w, io)?;
                let suffix = matches!(p.op, ParamOp::TrimSuffix(..));
                let s = value(raw).joined(" ");
                self.step(s.len() as u64 / 64)?;
                Value::Str(trim(&s, &pat, suffix, *long))
            }
            ParamOp::Replace(all, pw, rw) => {
                unset_check(self)?;
                let pat = self.expand_pattern(pw, io)?;
                let rep = self.expand_string(rw, io)?;
                let s = value(raw).joined(" ");
                self.step(s.len() as u64 / 16)?;
                Value::Str(replace(&s, &pat, &rep, *all))
            }
            ParamOp::Substring(ow, lw) => {
                unset_check(self)?;
                let s: Vec<char> = value(raw).joined(" ").chars().collect();
                let off = self.expand_string(ow, io)?;
                let off = self.arith(&off, io)?;
                let len = match lw {
                    Some(w) => {
                        let l = self.expand_string(w, io)?;
                        Some(self.arith(&l, io)?)
                    }
                    None => None,
                };
                let n = s.len() as i64;
                let start = if off < 0 {
                    (n + off).max(0)
                } else {
                    off.min(n)
                };
                let end = match len {
                    None => n,
                    Some(l) if l < 0 => (n + l).max(start),
                    Some(l) => start.saturating_add(l).min(n),
                };
                Value::Str(s[start as usize..end.max(start) as usize].iter().collect())
            }
        })
    }
}

/// `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`.
fn trim(s: &str, pat: &str, suffix: bool, long: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let n = chars.len();
    let idx: Vec<usize> = if long {
        (0..=n).rev().collect()
    } else {
        (0..=n).collect()
    };
    for i in idx {
        if suffix {
            if glob::match_chars(&p, &chars[n - i..]) {
                return chars[..n - i].iter().collect();
            }
        } else if glob::match_chars(&p, &chars[..i]) {
            return chars[i..].iter().collect();
        }
    }
    s.to_string()
}

/// bash `${v/p/r}` and `${v//p/r}` (longest match at each position).
fn replace(s: &str, pat: &str, rep: &str, all: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    if p.is_empty() {
        return s.to_string();
    }
    let mut out = String::new();
    let mut i = 0;
    let mut done = false;
    while i < chars.len() {
        if !done {
            if let Some(end) = (i + 1..=chars.len())
                .rev()
                .find(|&e| glob::match_chars(&p, &chars[i..e]))
            {
                out.push_str(rep);
                i = end;
                done = !all;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

struct Vars<'a> {
    sh: &'a mut Shell,
    err: Option<String>,
}

impl ArithVars for Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.sh.get_var(name)
    }

    fn set(&mut self, name: &str, value: i64) -> Result<(), String> {
        let r = self.sh.set_var(name, value.to_string());
        if let Err(e) = &r {
            self.err = Some(e.clone());
        }
        r
    }
}
