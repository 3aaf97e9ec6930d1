//! `find PATH... [EXPR]`: `-name -iname -path -type -maxdepth -mindepth -newer -perm
//! -user -group -size -empty -print -print0 -delete -exec ... {} ;|+ -prune -not ! -a -o ( )`.

use super::Ctx;
use crate::engine::fs::{FileType, Stat};
use crate::engine::shell::glob;
use crate::engine::shell::state::Io;

#[derive(Debug, Clone)]
enum E {
    True,
    Name(String, bool),
    Path(String),
    Type(char),
    Newer(i64),
    Perm(u32, char),
    Uid(u32),
    Gid(u32),
    Size(i64, char, char),
    Empty,
    Print(bool),
    Delete,
    Exec(Vec<String>, bool),
    Prune,
    Not(Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
}

struct P<'a> {
    toks: &'a [String],
    pos: usize,
    depth: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(String::as_str)
    }

    fn or(&mut self, ctx: &Ctx<'_>) -> Result<E, String> {
        let mut l = self.and(ctx)?;
        while matches!(self.peek(), Some("-o" | "-or")) {
            self.pos += 1;
            let r = self.and(ctx)?;
            l = E::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self, ctx: &Ctx<'_>) -> Result<E, String> {
        let mut l = self.not(ctx)?;
        loop {
            match self.peek() {
                Some("-a" | "-and") => self.pos += 1,
                Some("-o" | "-or" | ")") | None => break,
                _ => {}
            }
            let r = self.not(ctx)?;
            l = E::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn not(&mut self, ctx: &Ctx<'_>) -> Result<E, String> {
        self.depth += 1;
        if self.depth > 100 {
            return Err("expression too deep".into());
        }
        let r = if matches!(self.peek(), Some("!" | "-not")) {
            self.pos += 1;
            self.not(ctx).map(|e| E::Not(Box::new(e)))
        } else {
            self.primary(ctx)
        };
        self.depth -= 1;
        r
    }

    fn arg(&mut self, what: &str) -> Result<String, String> {
        self.pos += 1;
        self.toks
            .get(self.pos - 1)
            .cloned()
            .ok_or_else(|| format!("{what}: requires an argument"))
    }

    fn primary(&mut self, ctx: &Ctx<'_>) -> Result<E, String> {
        let Some(t) = self.peek().map(str::to_string) else {
            return Err("expected an expression".into());
        };
        self.pos += 1;
        Ok(match t.as_str() {
            "(" => {
                let e = self.or(ctx)?;
                if self.peek() != Some(")") {
                    return Err("expected ')'".into());
                }
                self.pos += 1;
                e
            }
            "-name" => E::Name(self.arg(&t)?, false),
            "-iname" => E::Name(self.arg(&t)?.to_lowercase(), true),
            "-path" | "-wholename" => E::Path(self.arg(&t)?),
            "-type" => E::Type(self.arg(&t)?.chars().next().unwrap_or('f')),
            "-maxdepth" | "-mindepth" => {
                self.arg(&t)?;
                E::True
            }
            "-newer" => {
                let f = self.arg(&t)?;
                let m = ctx
                    .sh
                    .fs
                    .stat(&ctx.path(&f))
                    .map_err(|e| format!("{f}: {e}"))?
                    .meta
                    .mtime;
                E::Newer(m)
            }
            "-perm" => {
                let p = self.arg(&t)?;
                let (kind, digits) = match p.chars().next() {
                    Some(c @ ('-' | '/')) => (c, &p[1..]),
                    _ => ('=', p.as_str()),
                };
                E::Perm(
                    u32::from_str_radix(digits, 8).map_err(|_| format!("invalid mode '{p}'"))?,
                    kind,
                )
            }
            "-user" | "-uid" => {
                let u = self.arg(&t)?;
                E::Uid(
                    u.parse()
                        .ok()
                        .or_else(|| super::users::lookup_user(&ctx.sh.fs, &u).map(|x| x.0))
                        .ok_or(format!("'{u}' is not the name of a known user"))?,
                )
            }
            "-group" | "-gid" => {
                let g = self.arg(&t)?;
                E::Gid(
                    g.parse()
                        .ok()
                        .or_else(|| super::users::lookup_group(&ctx.sh.fs, &g))
                        .ok_or(format!("'{g}' is not the name of an existing group"))?,
                )
            }
            "-size" => {
                let s = self.arg(&t)?;
                let (cmp, rest) = match s.chars().next() {
                    Some(c @ ('+' | '-')) => (c, &s[1..]),
                    _ => ('=', s.as_str()),
                };
                let (num, unit) = match rest.chars().last() {
                    Some(u) if u.is_ascii_alphabetic() => (&rest[..rest.len() - 1], u),
                    _ => (rest, 'b'),
                };
                E::Size(
                    num.parse().map_err(|_| format!("invalid -size '{s}'"))?,
                    cmp,
                    unit,
                )
            }
            "-empty" => E::Empty,
            "-print" => E::Print(false),
            "-print0" => E::Print(true),
            "-delete" => E::Delete,
            "-prune" => E::Prune,
            "-true" => E::True,
            "-false" => E::Not(Box::new(E::True)),
            "-exec" | "-execdir" | "-ok" => {
                let mut cmd = Vec::new();
                loop {
                    let Some(a) = self.peek().map(str::to_string) else {
                        return Err(format!("{t}: missing argument"));
                    };
                    self.pos += 1;
                    if a == ";" {
                        break E::Exec(cmd, false);
                    }
                    if a == "+" && cmd.last().is_some_and(|l| l == "{}") {
                        break E::Exec(cmd, true);
                    }
                    cmd.push(a);
                }
            }
            "-xdev" | "-mount" | "-follow" | "-depth" | "-noleaf" => E::True,
            _ => return Err(format!("unrecognized: {t}")),
        })
    }
}

fn has_action(e: &E) -> bool {
    match e {
        E::Print(_) | E::Delete | E::Exec(..) => true,
        E::Not(x) => has_action(x),
        E::And(a, b) | E::Or(a, b) => has_action(a) || has_action(b),
        _ => false,
    }
}

struct Walk<'a> {
    batch: Vec<(Vec<String>, Vec<String>)>,
    out: String,
    deletes: Vec<String>,
    execs: Vec<Vec<String>>,
    prune: bool,
    _p: std::marker::PhantomData<&'a ()>,
}

fn eval(e: &E, shown: &str, abs: &str, st: &Stat, w: &mut Walk<'_>) -> bool {
    let name = crate::engine::shell::resolve::basename(shown);
    match e {
        E::True => true,
        E::Name(p, icase) => {
            if *icase {
                glob::matches(p, &name.to_lowercase())
            } else {
                glob::matches(p, name)
            }
        }
        E::Path(p) => glob::matches(p, shown),
        E::Type(t) => matches!(
            (t, st.file_type),
            ('f', FileType::File)
                | ('d', FileType::Dir)
                | ('l', FileType::Symlink)
                | ('c', FileType::CharDevice)
                | ('b', FileType::BlockDevice)
                | ('p', FileType::Fifo)
        ),
        E::Newer(m) => st.meta.mtime > *m,
        E::Perm(m, kind) => match kind {
            '-' => st.meta.mode & m == *m,
            '/' => st.meta.mode & m != 0 || *m == 0,
            _ => st.meta.mode & 0o7777 == *m,
        },
        E::Uid(u) => st.meta.uid == *u,
        E::Gid(g) => st.meta.gid == *g,
        E::Size(n, cmp, unit) => {
            let div: u64 = match unit {
                'c' => 1,
                'k' => 1024,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => 512,
            };
            let v = st.size.div_ceil(div) as i64;
            match cmp {
                '+' => v > *n,
                '-' => v < *n,
                _ => v == *n,
            }
        }
        E::Empty => match st.file_type {
            FileType::File => st.size == 0,
            FileType::Dir => st.nlink <= 2 && w.deletes.iter().all(|_| true) && abs.is_empty(),
            _ => false,
        },
        E::Print(zero) => {
            w.out.push_str(shown);
            w.out.push(if *zero { '\0' } else { '\n' });
            true
        }
        E::Delete => {
            w.deletes.push(abs.to_string());
            true
        }
        E::Prune => {
            w.prune = true;
            true
        }
        E::Exec(cmd, plus) => {
            if *plus {
                match w.batch.iter_mut().find(|(c, _)| c == cmd) {
                    Some((_, files)) => files.push(shown.to_string()),
                    None => w.batch.push((cmd.clone(), vec![shown.to_string()])),
                }
            } else {
                w.execs
                    .push(cmd.iter().map(|a| a.replace("{}", shown)).collect());
            }
            true
        }
        E::Not(x) => !eval(x, shown, abs, st, w),
        E::And(a, b) => eval(a, shown, abs, st, w) && eval(b, shown, abs, st, w),
        E::Or(a, b) => eval(a, shown, abs, st, w) || eval(b, shown, abs, st, w),
    }
}

pub(crate) fn find(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let split = args
        .iter()
        .position(|a| a.starts_with('-') || a == "(" || a == "!")
        .unwrap_or(args.len());
    let mut roots: Vec<String> = args[..split].to_vec();
    if roots.is_empty() {
        roots.push(".".into());
    }
    let expr_toks = &args[split..];
    let num = |flag: &str| {
        expr_toks
            .iter()
            .position(|a| a == flag)
            .and_then(|i| expr_toks.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let (maxdepth, mindepth) = (num("-maxdepth"), num("-mindepth").unwrap_or(0));
    let mut expr = if expr_toks.is_empty() {
        E::True
    } else {
        let mut p = P {
            toks: expr_toks,
            pos: 0,
            depth: 0,
        };
        match p.or(ctx) {
            Ok(e) if p.pos == expr_toks.len() => e,
            Ok(_) => return ctx.fail("unexpected ')'"),
            Err(m) => return ctx.fail(m),
        }
    };
    let empty_fix = |e: &E| matches!(e, E::Empty);
    let _ = empty_fix;
    if !has_action(&expr) {
        expr = E::And(Box::new(expr), Box::new(E::Print(false)));
    }
    let mut w = Walk {
        batch: Vec::new(),
        out: String::new(),
        deletes: Vec::new(),
        execs: Vec::new(),
        prune: false,
        _p: std::marker::PhantomData,
    };
    let mut status = 0;
    for root in roots {
        let abs = ctx.path(&root);
        let Ok(st) = ctx.sh.fs.stat(&abs) else {
            ctx.err(format!("find: {root}: No such file or directory\n"));
            status = 1;
            continue;
        };
        let mut entries = vec![(root.clone(), abs.clone(), st, 0usize)];
        if ctx.is_dir(&abs) {
            let walked = ctx.sh.fs.walk(&abs).unwrap_or_default();
            ctx.tick(walked.len() as u64 / 4);
            let real = ctx.sh.fs.canonicalize(&abs).unwrap_or(abs.clone());
            for e in walked {
                let rel = e
                    .path
                    .strip_prefix(&real)
                    .unwrap_or(&e.path)
                    .trim_start_matches('/');
                let shown = if root.ends_with('/') {
                    format!("{root}{rel}")
                } else {
                    format!("{root}/{rel}")
                };
                let depth = rel.matches('/').count() + 1;
                entries.push((shown, e.path.clone(), e.stat, depth));
            }
        }
        let mut pruned: Vec<String> = Vec::new();
        for (shown, abs, st, depth) in entries {
            if maxdepth.is_some_and(|m| depth > m) || depth < mindepth {
                continue;
            }
            if pruned.iter().any(|p| abs.starts_with(&format!("{p}/"))) {
                continue;
            }
            w.prune = false;
            let is_empty_dir = st.file_type == FileType::Dir
                && ctx.sh.fs.list_dir(&abs).is_ok_and(|l| l.is_empty());
            let e2 = replace_empty(&expr, is_empty_dir);
            eval(&e2, &shown, &abs, &st, &mut w);
            if w.prune {
                pruned.push(abs.clone());
            }
            if w.out.len() > 64 * 1024 && !ctx.out(std::mem::take(&mut w.out)) {
                return 1;
            }
        }
    }
    ctx.out(std::mem::take(&mut w.out));
    for d in w.deletes.iter().rev() {
        let r = match ctx.sh.fs.lstat(d) {
            Ok(s) if s.file_type == FileType::Dir => ctx.sh.remove_dir(d),
            Ok(_) => ctx.sh.remove_file(d),
            Err(_) => Ok(()),
        };
        if let Err(e) = r {
            ctx.err(format!("find: cannot delete '{d}': {e}\n"));
            status = 1;
        }
    }
    let mut runs = w.execs;
    for (mut cmd, files) in w.batch {
        cmd.pop();
        cmd.extend(files);
        runs.push(cmd);
    }
    for argv in runs {
        if argv.is_empty() || ctx.stopped() {
            continue;
        }
        let env = ctx.env.clone();
        let io = Io {
            stdin: None,
            ..ctx.io
        };
        match ctx.sh.run_program(argv, env, io) {
            Ok(0) => {}
            Ok(_) => status = 1,
            Err(_) => return 1,
        }
    }
    status
}

/// `-empty` for directories needs the listing; substitute the answer per entry.
fn replace_empty(e: &E, empty_dir: bool) -> E {
    match e {
        E::Empty if empty_dir => E::True,
        E::Not(x) => E::Not(Box::new(replace_empty(x, empty_dir))),
        E::And(a, b) => E::And(
            Box::new(replace_empty(a, empty_dir)),
            Box::new(replace_empty(b, empty_dir)),
        ),
        E::Or(a, b) => E::Or(
            Box::new(replace_empty(a, empty_dir)),
            Box::new(replace_empty(b, empty_dir)),
        ),
        other => other.clone(),
    }
}
