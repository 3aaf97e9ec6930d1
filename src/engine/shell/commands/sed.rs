//! `sed [-n] [-E|-r] [-i[SUF]] [-e SCRIPT]... [-f FILE] [SCRIPT] [FILE]...`: addresses
//! (`N`, `$`, `/re/`, ranges, `!`), commands `s y d p q = a i c { }`, the hold space
//! (`h H g G x`), multi-line commands (`n N D P`), `l`, `Q`, and branches
//! (`:label b t T`); `s` flags `g p i N`. A script is flattened into instructions
//! with jumps and run one cycle per input line, as POSIX describes sed.

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
    /// `h`: copy the pattern space to the hold space.
    Hold,
    /// `H`: append a newline and the pattern space to the hold space.
    HoldAppend,
    /// `g`: copy the hold space to the pattern space.
    Get,
    /// `G`: append a newline and the hold space to the pattern space.
    GetAppend,
    /// `x`: exchange pattern and hold space.
    Exchange,
    /// `n`: print the pattern space (unless `-n`), read the next line into it.
    Next,
    /// `N`: append a newline and the next line to the pattern space.
    NextAppend,
    /// `D`: delete up to the first newline, restart the cycle without reading.
    DeleteFirst,
    /// `P`: print up to the first newline.
    PrintFirst,
    /// `l`: print the pattern space unambiguously.
    List,
    /// `Q`: quit without printing.
    QuitSilent,
    /// `b label` (empty: end of script).
    Branch(String),
    /// `t label`: branch if a substitution was made since the last line read or `t`.
    Test(String),
    /// `T label`: branch if no substitution was made.
    TestNot(String),
    Label(String),
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

    /// A label of `: b t T`: up to a newline or `;`, surrounding blanks dropped.
    fn label(&mut self, in_jump: bool) -> String {
        self.skip_ws();
        let mut out = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| *c != '\n' && *c != ';' && !(in_jump && *c == '}'))
        {
            out.push(c);
            self.pos += 1;
        }
        out.trim_end().to_string()
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
                'h' => Cmd::Hold,
                'H' => Cmd::HoldAppend,
                'g' => Cmd::Get,
                'G' => Cmd::GetAppend,
                'x' => Cmd::Exchange,
                'n' => Cmd::Next,
                'N' => Cmd::NextAppend,
                'D' => Cmd::DeleteFirst,
                'P' => Cmd::PrintFirst,
                'l' => Cmd::List,
                'Q' => Cmd::QuitSilent,
                'b' => Cmd::Branch(self.label(true)),
                't' => Cmd::Test(self.label(true)),
                'T' => Cmd::TestNot(self.label(true)),
                ':' => {
                    if a1.is_some() {
                        return Err(": doesn't want any addresses".into());
                    }
                    let l = self.label(false);
                    if l.is_empty() {
                        return Err("\":\" lacks a label".into());
                    }
                    Cmd::Label(l)
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

/// One instruction of the flattened script: blocks become a start that jumps past its
/// end when its address does not select the line, labels become jump targets (as
/// GNU sed and BusyBox compile scripts).
enum Op<'a> {
    Cmd(&'a Cmd),
    /// `{`: index of the instruction after the matching `}`.
    Block(usize),
}

struct Inst<'a> {
    rule: &'a Rule,
    op: Op<'a>,
}

fn flatten<'a>(rules: &'a [Rule], out: &mut Vec<Inst<'a>>) {
    for rule in rules {
        if let Cmd::Block(inner) = &rule.cmd {
            let at = out.len();
            out.push(Inst {
                rule,
                op: Op::Block(0),
            });
            flatten(inner, out);
            let end = out.len();
            if let Some(i) = out.get_mut(at) {
                i.op = Op::Block(end);
            }
        } else {
            out.push(Inst {
                rule,
                op: Op::Cmd(&rule.cmd),
            });
        }
    }
}

/// The state of a run over the input: pattern and hold space, output, the append
/// queue (`a` text, written when the next line is read or the cycle ends).
struct Run {
    lines: Vec<String>,
    /// Lines read so far (the current line number).
    read: usize,
    out: String,
    append: Vec<String>,
    hold: String,
    quiet: bool,
    ranges: Vec<bool>,
}

impl Run {
    fn last(&self) -> bool {
        self.read >= self.lines.len()
    }

    fn next_line(&mut self) -> Option<String> {
        let l = self.lines.get(self.read).cloned()?;
        self.read += 1;
        Some(l)
    }

    fn emit(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn flush_append(&mut self) {
        for a in std::mem::take(&mut self.append) {
            self.emit(&a);
        }
    }

    fn selects(&mut self, pc: usize, rule: &Rule, ps: &str) -> bool {
        let (n, last) = (self.read, self.last());
        let sel = match (&rule.a1, &rule.a2) {
            (None, _) => true,
            (Some(a), None) => matches(a, ps, n, last),
            (Some(a), Some(b)) => {
                if pc >= self.ranges.len() {
                    self.ranges.resize(pc + 1, false);
                }
                if self.ranges[pc] {
                    let end = match b {
                        Addr::Line(k) => n >= *k,
                        _ => matches(b, ps, n, last),
                    };
                    if end {
                        self.ranges[pc] = false;
                    }
                    true
                } else if matches(a, ps, n, last) {
                    let end_now = matches!(b, Addr::Line(k) if *k <= n);
                    self.ranges[pc] = !end_now;
                    true
                } else {
                    false
                }
            }
        };
        sel != rule.neg
    }
}

fn matches(a: &Addr, line: &str, n: usize, last: bool) -> bool {
    match a {
        Addr::Line(k) => n == *k,
        Addr::Last => last,
        Addr::Re(r) => r.is_match(line),
    }
}

/// `s`: the new pattern space if the regex matched.
fn substitute(re: &Regex, rep: &str, global: bool, nth: usize, ps: &str) -> Option<String> {
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
        if k >= nth {
            out.extend(&chars[last_end.min(s)..s]);
            out.push_str(&replacement(rep, &chars, &c));
            last_end = e;
            done = true;
            if !global {
                break;
            }
        }
        pos = if e > s { e } else { e + 1 };
        if e == s && s < chars.len() && k >= nth {
            out.push(chars[s]);
            last_end = s + 1;
        }
    }
    if !done {
        return None;
    }
    out.extend(&chars[last_end.min(chars.len())..]);
    Some(out)
}

/// `l`: C escapes for non-printable bytes, `\` doubled, lines folded at 69 columns
/// with a trailing `\`, and `$` at the end (POSIX/GNU default width 70).
fn list_line(ps: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for b in ps.bytes() {
        let piece = match b {
            b'\\' => "\\\\".to_string(),
            b'\x07' => "\\a".into(),
            b'\x08' => "\\b".into(),
            b'\x0c' => "\\f".into(),
            b'\n' => "\\n".into(),
            b'\r' => "\\r".into(),
            b'\t' => "\\t".into(),
            b'\x0b' => "\\v".into(),
            0x20..=0x7e => (b as char).to_string(),
            _ => format!("\\{b:03o}"),
        };
        if col + piece.len() > 69 {
            out.push_str("\\\n");
            col = 0;
        }
        col += piece.len();
        out.push_str(&piece);
    }
    out.push('$');
    out
}

/// How a cycle ended.
enum End {
    /// Autoprint (unless `-n`), then the next cycle.
    Print,
    /// `d`: no autoprint.
    Delete,
    /// `D` with a newline: restart with this pattern space, reading nothing.
    Restart(String),
    /// `q` (autoprint) or end of input in `n`/`N`.
    Quit,
    /// `Q`, or a budget ran out.
    QuitSilent,
}

fn cycle(
    prog: &[Inst<'_>],
    labels: &[(String, usize)],
    ps: &mut String,
    st: &mut Run,
    ctx: &mut Ctx<'_>,
) -> End {
    let mut pc = 0;
    let mut tflag = false;
    while let Some(inst) = prog.get(pc) {
        if !st.selects(pc, inst.rule, ps) {
            pc = match inst.op {
                Op::Block(end) => end,
                Op::Cmd(_) => pc + 1,
            };
            continue;
        }
        pc += 1;
        let Op::Cmd(cmd) = inst.op else {
            continue;
        };
        let jump = |l: &str| -> usize {
            if l.is_empty() {
                return prog.len();
            }
            labels
                .iter()
                .find(|(n, _)| n == l)
                .map_or(prog.len(), |(_, i)| *i)
        };
        match cmd {
            Cmd::Subst {
                re,
                rep,
                global,
                nth,
                print,
            } => {
                if let Some(new) = substitute(re, rep, *global, *nth, ps) {
                    *ps = new;
                    tflag = true;
                    if *print {
                        st.emit(ps);
                    }
                }
            }
            Cmd::Translit(a, b) => {
                *ps = ps
                    .chars()
                    .map(|c| a.iter().position(|x| *x == c).map_or(c, |i| b[i]))
                    .collect();
            }
            Cmd::Delete => return End::Delete,
            Cmd::DeleteFirst => match ps.find('\n') {
                None => return End::Delete,
                Some(i) => return End::Restart(ps[i + 1..].to_string()),
            },
            Cmd::Print => st.emit(ps),
            Cmd::PrintFirst => {
                let first = ps.split('\n').next().unwrap_or("").to_string();
                st.emit(&first);
            }
            Cmd::List => {
                let l = list_line(ps);
                st.emit(&l);
            }
            Cmd::Quit => return End::Quit,
            Cmd::QuitSilent => return End::QuitSilent,
            Cmd::LineNo => {
                let n = st.read;
                st.emit(&n.to_string());
            }
            Cmd::Append(t) => st.append.push(t.clone()),
            Cmd::Insert(t) => st.emit(t),
            Cmd::Change(t) => {
                st.emit(t);
                return End::Delete;
            }
            Cmd::Hold => st.hold = ps.clone(),
            Cmd::HoldAppend => {
                st.hold.push('\n');
                st.hold.push_str(ps);
            }
            Cmd::Get => ps.clone_from(&st.hold),
            Cmd::GetAppend => {
                ps.push('\n');
                ps.push_str(&st.hold);
            }
            Cmd::Exchange => std::mem::swap(ps, &mut st.hold),
            Cmd::Next => {
                if st.last() {
                    // GNU and BusyBox: no next line, so quit (autoprinting).
                    return End::Quit;
                }
                if !st.quiet {
                    st.emit(ps);
                }
                st.flush_append();
                *ps = st.next_line().unwrap_or_default();
                if !ctx.tick(1) {
                    return End::QuitSilent;
                }
            }
            Cmd::NextAppend => {
                if st.last() {
                    return End::Quit;
                }
                st.flush_append();
                let next = st.next_line().unwrap_or_default();
                ps.push('\n');
                ps.push_str(&next);
                if !ctx.tick(1) || !ctx.sh.hold(next.len() as u64) {
                    return End::QuitSilent;
                }
            }
            Cmd::Branch(l) => pc = jump(l),
            Cmd::Test(l) => {
                if std::mem::take(&mut tflag) {
                    pc = jump(l);
                }
            }
            Cmd::TestNot(l) => {
                if !std::mem::take(&mut tflag) {
                    pc = jump(l);
                }
            }
            Cmd::Label(_) | Cmd::Block(_) => {}
        }
        // Branches can loop without reading input: every jump costs a step.
        if matches!(cmd, Cmd::Branch(_) | Cmd::Test(_) | Cmd::TestNot(_)) && !ctx.tick(1) {
            return End::QuitSilent;
        }
        if ps.len() > 1 << 24 && !ctx.sh.hold(ps.len() as u64) {
            return End::QuitSilent;
        }
    }
    End::Print
}

/// Labels of the script; an undefined branch target is an error, as in sed.
fn labels(prog: &[Inst<'_>]) -> Result<Vec<(String, usize)>, String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (i, inst) in prog.iter().enumerate() {
        if let Op::Cmd(Cmd::Label(l)) = inst.op {
            out.push((l.clone(), i));
        }
    }
    for inst in prog {
        if let Op::Cmd(Cmd::Branch(l) | Cmd::Test(l) | Cmd::TestNot(l)) = inst.op {
            if !l.is_empty() && !out.iter().any(|(n, _)| n == l) {
                return Err(format!("can't find label for jump to `{l}'"));
            }
        }
    }
    Ok(out)
}

fn run_script(rules: &[Rule], data: &[u8], quiet: bool, ctx: &mut Ctx<'_>) -> String {
    let mut prog = Vec::new();
    flatten(rules, &mut prog);
    let labels = labels(&prog).unwrap_or_default();
    let mut st = Run {
        lines: lines(data),
        read: 0,
        out: String::new(),
        append: Vec::new(),
        hold: String::new(),
        quiet,
        ranges: Vec::new(),
    };
    let mut restart: Option<String> = None;
    loop {
        if !ctx.tick(1) {
            break;
        }
        let mut ps = match restart.take() {
            Some(p) => p,
            None => match st.next_line() {
                Some(l) => l,
                None => break,
            },
        };
        let end = cycle(&prog, &labels, &mut ps, &mut st, ctx);
        if matches!(end, End::Print | End::Quit) && !st.quiet {
            st.emit(&ps);
        }
        if !matches!(end, End::QuitSilent) {
            st.flush_append();
        }
        match end {
            End::Quit | End::QuitSilent => break,
            End::Restart(rest) => restart = Some(rest),
            End::Print | End::Delete => {}
        }
        if st.out.len() as u64 > ctx.sh.limits.output_bytes.saturating_mul(2) {
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
    let mut prog = Vec::new();
    flatten(&rules, &mut prog);
    if let Err(e) = labels(&prog) {
        return ctx.fail(e);
    }
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
