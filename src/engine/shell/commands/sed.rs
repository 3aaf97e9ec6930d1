//! `sed [-n] [-E|-r] [-i[SUF]] [-e SCRIPT]... [-f FILE] [SCRIPT] [FILE]...`: addresses
//! (`N`, `$`, `/re/`, ranges, `!`), commands `s y d p q = a i c { }`, `s` flags
//! `g p i N`.

use super::{lines, Ctx};
use crate::engine::shell::regex::Regex;

#[derive(Debug, Clone)]
enum Addr {
    Line(usize),
    Last,
    Re(Regex),
}

#[derive(Debug, Clone)]
enum Cmd {
    Subst {
        re: Regex,
        rep: String,
        global: bool,
        nth: usize,
        print: bool,
    },
    Translit(Vec<char>, Vec<char>),
    Delete,
    Print,
    Quit,
    LineNo,
    Append(String),
    Insert(String),
    Change(String),
    Block(Vec<Rule>),
    Nop,
}

#[derive(Debug, Clone)]
struct Rule {
    a1: Option<Addr>,
    a2: Option<Addr>,
    neg: bool,
    cmd: Cmd,
}

struct P {
    s: Vec<char>,
    pos: usize,
    ere: bool,
    depth: usize,
}

impl P {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.pos += 1;
        }
    }

    /// Text up to an unescaped `delim`; `\delim` becomes `delim`, other escapes kept.
    fn until(&mut self, delim: char) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let c = self.peek().ok_or("unterminated `s' command")?;
            self.pos += 1;
            if c == delim {
                return Ok(out);
            }
            if c == '\\' {
                let n = self.peek().ok_or("unterminated `s' command")?;
                self.pos += 1;
                if n == delim {
                    out.push(n);
                } else if n == 'n' && delim != 'n' {
                    out.push_str("\\n");
                } else {
                    out.push('\\');
                    out.push(n);
                }
                continue;
            }
            out.push(c);
        }
    }

    fn regex(&mut self, src: &str, icase: bool) -> Result<Regex, String> {
        let src = src.replace("\\n", "\n");
        Regex::with_case(&src, self.ere, icase)
    }

    fn addr(&mut self) -> Result<Option<Addr>, String> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                let mut n = String::new();
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    n.push(d);
                    self.pos += 1;
                }
                Ok(Some(Addr::Line(
                    n.parse().map_err(|_| "invalid line number")?,
                )))
            }
            Some('$') => {
                self.pos += 1;
                Ok(Some(Addr::Last))
            }
            Some('/') | Some('\\') => {
                let delim = if self.peek() == Some('\\') {
                    self.pos += 1;
                    self.peek().ok_or("unexpected end")?
                } else {
                    '/'
                };
                self.pos += 1;
                let src = self.until(delim)?;
                let icase = self.peek() == Some('I');
                if icase {
                    self.pos += 1;
                }
                Ok(Some(Addr::Re(self.regex(&src, icase)?)))
            }
            _ => Ok(None),
        }
    }

    fn text_arg(&mut self) -> String {
        // `a text`, `a\` newline `text`, GNU one-liner `a\text`.
        self.skip_ws();
        if self.peek() == Some('\\') {
            self.pos += 1;
            if self.peek() == Some('\n') {
                self.pos += 1;
            }
        }
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.pos += 1;
            if c == '\\' {
                if let Some(n) = self.peek() {
                    self.pos += 1;
                    out.push(if n == 'n' { '\n' } else { n });
                    continue;
                }
            }
            out.push(c);
        }
        out
    }

    fn script(&mut self, in_block: bool) -> Result<Vec<Rule>, String> {
        self.depth += 1;
        if self.depth > 50 {
            return Err("too many nested blocks".into());
        }
        let mut rules = Vec::new();
        loop {
            while self.peek().is_some_and(|c| c.is_whitespace() || c == ';') {
                self.pos += 1;
            }
            let Some(c) = self.peek() else { break };
            if c == '}' {
                if !in_block {
                    return Err("unexpected `}'".into());
                }
                self.pos += 1;
                self.depth -= 1;
                return Ok(rules);
            }
            if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
                continue;
            }
            let a1 = self.addr()?;
            let mut a2 = None;
            if a1.is_some() && self.peek() == Some(',') {
                self.pos += 1;
                a2 = self.addr()?;
                if a2.is_none() {
                    return Err("unexpected `,'".into());
                }
            }
            self.skip_ws();
            let mut neg = false;
            while self.peek() == Some('!') {
                neg = true;
                self.pos += 1;
                self.skip_ws();
            }
            let c = self.peek().ok_or("missing command")?;
            self.pos += 1;
            let cmd = match c {
                's' => {
                    let delim = self.peek().ok_or("unterminated `s' command")?;
                    self.pos += 1;
                    let pat = self.until(delim)?;
                    let rep = self.until(delim)?;
                    let (mut global, mut nth, mut print, mut icase) = (false, 1, false, false);
                    while let Some(f) = self.peek() {
                        match f {
                            'g' => global = true,
                            'p' => print = true,
                            'i' | 'I' => icase = true,
                            d if d.is_ascii_digit() => nth = d.to_digit(10).unwrap_or(1) as usize,
                            _ => break,
                        }
                        self.pos += 1;
                    }
                    Cmd::Subst {
                        re: self.regex(&pat, icase)?,
                        rep,
                        global,
                        nth,
                        print,
                    }
                }
                'y' => {
                    let delim = self.peek().ok_or("unterminated `y' command")?;
                    self.pos += 1;
                    let a: Vec<char> = self.until(delim)?.chars().collect();
                    let b: Vec<char> = self.until(delim)?.chars().collect();
                    if a.len() != b.len() {
                        return Err("strings for `y' command are different lengths".into());
                    }
                    Cmd::Translit(a, b)
                }
                'd' => Cmd::Delete,
                'p' => Cmd::Print,
                'q' => Cmd::Quit,
                '=' => Cmd::LineNo,
                'a' => Cmd::Append(self.text_arg()),
                'i' => Cmd::Insert(self.text_arg()),
                'c' => Cmd::Change(self.text_arg()),
                '{' => Cmd::Block(self.script(true)?),
                'h' | 'H' | 'g' | 'G' | 'x' | 'n' | 'N' | 'D' | 'P' | 'l' | 'b' | 't' | ':' => {
                    while self
                        .peek()
                        .is_some_and(|c| c != ';' && c != '\n' && c != '}')
                    {
                        self.pos += 1;
                    }
                    Cmd::Nop
                }
                other => return Err(format!("unknown command: `{other}'")),
            };
            rules.push(Rule { a1, a2, neg, cmd });
        }
        if in_block {
            return Err("unmatched `{'".into());
        }
        self.depth -= 1;
        Ok(rules)
    }
}

/// Expand `&`, `\1`..`\9`, `\n` in a replacement.
fn replacement(rep: &str, chars: &[char], caps: &[Option<(usize, usize)>]) -> String {
    let mut out = String::new();
    let mut it = rep.chars().peekable();
    let group = |g: usize| -> String {
        caps.get(g)
            .copied()
            .flatten()
            .map(|(a, b)| chars[a..b].iter().collect())
            .unwrap_or_default()
    };
    while let Some(c) = it.next() {
        match c {
            '&' => out.push_str(&group(0)),
            '\\' => match it.next() {
                Some(d) if d.is_ascii_digit() => {
                    out.push_str(&group(d.to_digit(10).unwrap_or(0) as usize))
                }
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

struct Run {
    out: String,
    append: Vec<String>,
    quit: bool,
    deleted: bool,
    quiet: bool,
    ranges: Vec<bool>,
}

fn matches(a: &Addr, line: &str, n: usize, last: bool) -> bool {
    match a {
        Addr::Line(k) => n == *k,
        Addr::Last => last,
        Addr::Re(r) => r.is_match(line),
    }
}

fn apply(
    rules: &[Rule],
    ps: &mut String,
    n: usize,
    last: bool,
    st: &mut Run,
    base: usize,
) -> usize {
    let mut idx = base;
    for rule in rules {
        let my = idx;
        idx += 1;
        if st.deleted || st.quit {
            return idx;
        }
        let sel = match (&rule.a1, &rule.a2) {
            (None, _) => true,
            (Some(a), None) => matches(a, ps, n, last),
            (Some(a), Some(b)) => {
                if my >= st.ranges.len() {
                    st.ranges.resize(my + 1, false);
                }
                if st.ranges[my] {
                    let end = match b {
                        Addr::Line(k) => n >= *k,
                        _ => matches(b, ps, n, last),
                    };
                    if end {
                        st.ranges[my] = false;
                    }
                    true
                } else if matches(a, ps, n, last) {
                    let end_now = matches!(b, Addr::Line(k) if *k <= n);
                    st.ranges[my] = !end_now;
                    true
                } else {
                    false
                }
            }
        };
        if sel == rule.neg {
            if let Cmd::Block(inner) = &rule.cmd {
                idx += count(inner);
            }
            continue;
        }
        match &rule.cmd {
            Cmd::Subst {
                re,
                rep,
                global,
                nth,
                print,
            } => {
                let chars: Vec<char> = ps.chars().collect();
                let mut out = String::new();
                let mut pos = 0;
                let mut k = 0;
                let mut done = false;
                let mut last_end = 0;
                while pos <= chars.len() {
                    let Some(c) = re.find_at(&chars, pos) else {
                        break;
                    };
                    let (s, e) = c[0].unwrap_or((pos, pos));
                    k += 1;
                    if k >= *nth {
                        out.extend(&chars[last_end..s]);
                        out.push_str(&replacement(rep, &chars, &c));
                        last_end = e;
                        done = true;
                        if !global {
                            break;
                        }
                    }
                    pos = if e > s { e } else { e + 1 };
                    if e == s && s < chars.len() && k >= *nth {
                        out.push(chars[s]);
                        last_end = s + 1;
                    }
                }
                if done {
                    out.extend(&chars[last_end.min(chars.len())..]);
                    *ps = out;
                    if *print {
                        st.out.push_str(ps);
                        st.out.push('\n');
                    }
                }
            }
            Cmd::Translit(a, b) => {
                *ps = ps
                    .chars()
                    .map(|c| a.iter().position(|x| *x == c).map_or(c, |i| b[i]))
                    .collect();
            }
            Cmd::Delete => st.deleted = true,
            Cmd::Print => {
                st.out.push_str(ps);
                st.out.push('\n');
            }
            Cmd::Quit => st.quit = true,
            Cmd::LineNo => st.out.push_str(&format!("{n}\n")),
            Cmd::Append(t) => st.append.push(t.clone()),
            Cmd::Insert(t) => {
                st.out.push_str(t);
                st.out.push('\n');
            }
            Cmd::Change(t) => {
                st.out.push_str(t);
                st.out.push('\n');
                st.deleted = true;
            }
            Cmd::Block(inner) => {
                idx = apply(inner, ps, n, last, st, idx);
            }
            Cmd::Nop => {}
        }
    }
    idx
}

fn count(rules: &[Rule]) -> usize {
    rules
        .iter()
        .map(|r| {
            1 + if let Cmd::Block(i) = &r.cmd {
                count(i)
            } else {
                0
            }
        })
        .sum()
}

fn run_script(rules: &[Rule], data: &[u8], quiet: bool, ctx: &mut Ctx<'_>) -> String {
    let ls = lines(data);
    let total = ls.len();
    let mut st = Run {
        out: String::new(),
        append: Vec::new(),
        quit: false,
        deleted: false,
        quiet,
        ranges: Vec::new(),
    };
    for (i, line) in ls.into_iter().enumerate() {
        if !ctx.tick(1) {
            break;
        }
        let mut ps = line;
        st.deleted = false;
        apply(rules, &mut ps, i + 1, i + 1 == total, &mut st, 0);
        if !st.deleted && !st.quiet {
            st.out.push_str(&ps);
            st.out.push('\n');
        }
        for a in std::mem::take(&mut st.append) {
            st.out.push_str(&a);
            st.out.push('\n');
        }
        if st.quit {
            break;
        }
    }
    st.out
}

pub(crate) fn sed(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let mut scripts: Vec<String> = Vec::new();
    let mut files = Vec::new();
    let mut quiet = false;
    let mut ere = false;
    let mut in_place: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        match a.as_str() {
            "-n" | "--quiet" | "--silent" => quiet = true,
            "-E" | "-r" | "--regexp-extended" => ere = true,
            "-e" => {
                i += 1;
                scripts.push(args.get(i).cloned().unwrap_or_default());
            }
            "-f" => {
                i += 1;
                let f = args.get(i).cloned().unwrap_or_default();
                match ctx.read(&f) {
                    Ok(d) => scripts.push(String::from_utf8_lossy(&d).into_owned()),
                    Err(e) => return ctx.fail(format!("couldn't open file {f}: {e}")),
                }
            }
            "--in-place" => in_place = Some(String::new()),
            s if s.starts_with("--in-place=") => {
                in_place = Some(s["--in-place=".len()..].to_string())
            }
            s if s.starts_with("-i") => in_place = Some(s[2..].to_string()),
            s if s.starts_with('-')
                && s.len() > 1
                && s[1..].chars().all(|c| "nErs".contains(c)) =>
            {
                quiet |= s.contains('n');
                ere |= s.contains('E') || s.contains('r');
            }
            s if s.starts_with("-e") => scripts.push(s[2..].to_string()),
            _ => files.push(a.clone()),
        }
        i += 1;
    }
    if scripts.is_empty() {
        if files.is_empty() {
            ctx.err("Usage: sed [-inrE] [-e SCRIPT]... [FILE]...\n");
            return 1;
        }
        scripts.push(files.remove(0));
    }
    let src = scripts.join("\n");
    let mut p = P {
        s: src.chars().collect(),
        pos: 0,
        ere,
        depth: 0,
    };
    let rules = match p.script(false) {
        Ok(r) => r,
        Err(e) => return ctx.fail(format!("-e expression #1, char {}: {e}", p.pos)),
    };
    if let Some(suffix) = in_place {
        if files.is_empty() {
            return ctx.fail("no input files");
        }
        let mut status = 0;
        for f in files {
            let data = match ctx.read(&f) {
                Ok(d) => d,
                Err(e) => {
                    ctx.fail(format!("can't read {f}: {e}"));
                    status = 4;
                    continue;
                }
            };
            let out = run_script(&rules, &data, quiet, ctx);
            if !suffix.is_empty() {
                let _ = ctx.write_file(&format!("{f}{suffix}"), data, 0o644);
            }
            // sed -i writes a new file (new inode) with the old one's mode and owner.
            let abs = ctx.path(&f);
            let meta = ctx
                .sh
                .fs
                .stat(&abs)
                .map(|s| crate::engine::fs::Metadata {
                    mtime: ctx.sh.mtime,
                    ..s.meta
                })
                .unwrap_or_else(|_| ctx.meta(0o644));
            let target = ctx.sh.fs.canonicalize(&abs).unwrap_or(abs);
            if let Err(e) = ctx.sh.put_file(&target, out.into_bytes(), meta) {
                ctx.fail(format!("{f}: {e}"));
                status = 4;
            }
        }
        let _ = ctx.sh.check_fs();
        return status;
    }
    let mut data = Vec::new();
    let mut status = 0;
    for (f, r) in ctx.inputs(&files) {
        match r {
            Ok(d) => {
                data.extend(d);
                if !data.is_empty() && !data.ends_with(b"\n") {
                    data.push(b'\n');
                }
            }
            Err(e) => {
                ctx.fail(format!("{f}: {e}"));
                status = 2;
            }
        }
    }
    let out = run_script(&rules, &data, quiet, ctx);
    ctx.out(out);
    status
}
