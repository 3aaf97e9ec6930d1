//! Text filters: `cat head tail wc tr cut sort uniq tee rev seq yes xargs`.

use super::{getopt, has, lines, Ctx};

/// Print the inputs' errors as `name: file: error` and return whether any failed.
fn report(ctx: &mut Ctx<'_>, file: &str, e: &str) {
    let name = ctx.name();
    ctx.err(format!("{name}: can't open '{file}': {e}\n"));
}

pub(crate) fn cat(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "");
    let number = has(&opts, 'n');
    let mut status = 0;
    let mut n = 0;
    for (f, r) in ctx.inputs(&files) {
        match r {
            Ok(d) => {
                if number {
                    let mut out = String::new();
                    for l in lines(&d) {
                        n += 1;
                        out.push_str(&format!("{n:>6}\t{l}\n"));
                    }
                    ctx.out(out);
                } else {
                    ctx.out(d);
                }
            }
            Err(e) => {
                report(ctx, &f, &e);
                status = 1;
            }
        }
        if ctx.stopped() {
            break;
        }
    }
    status
}

/// `-n N`, `-N`, `-c N`, with an optional leading `+` (tail) or `-` (head).
fn count_arg(args: &[String]) -> (Vec<String>, Option<String>, Option<String>, bool) {
    let mut lines_n = None;
    let mut bytes_n = None;
    let mut quiet = false;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "-n" || a == "-c" {
            i += 1;
            let v = args.get(i).cloned();
            if a == "-n" {
                lines_n = v;
            } else {
                bytes_n = v;
            }
        } else if let Some(v) = a.strip_prefix("-n") {
            lines_n = Some(v.to_string());
        } else if let Some(v) = a.strip_prefix("-c") {
            bytes_n = Some(v.to_string());
        } else if a == "-q" || a == "-s" || a == "-f" || a == "-F" {
            quiet = true;
        } else if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
            lines_n = Some(a[1..].to_string());
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    (files, lines_n, bytes_n, quiet)
}

fn parse_count(s: &str) -> Option<(bool, usize)> {
    let (plus, body) = match s.strip_prefix('+') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('-').unwrap_or(s)),
    };
    let (num, mult) = match body.chars().last() {
        Some('k' | 'K') => (&body[..body.len() - 1], 1024),
        Some('m' | 'M') => (&body[..body.len() - 1], 1 << 20),
        Some('b') => (&body[..body.len() - 1], 512),
        _ => (body, 1),
    };
    num.parse::<usize>()
        .ok()
        .map(|n| (plus, n.saturating_mul(mult)))
}

pub(crate) fn head(ctx: &mut Ctx<'_>) -> i32 {
    head_tail(ctx, true)
}

pub(crate) fn tail(ctx: &mut Ctx<'_>) -> i32 {
    head_tail(ctx, false)
}

fn head_tail(ctx: &mut Ctx<'_>, head: bool) -> i32 {
    let (files, ln, bn, _) = count_arg(&ctx.args());
    let name = ctx.name();
    let spec = bn.clone().or(ln.clone()).unwrap_or_else(|| "10".into());
    let Some((plus, n)) = parse_count(&spec) else {
        return ctx.fail(format!("invalid number '{spec}'"));
    };
    let bytes = bn.is_some();
    let many = files.len() > 1;
    let mut status = 0;
    for (k, (f, r)) in ctx.inputs(&files).into_iter().enumerate() {
        let d = match r {
            Ok(d) => d,
            Err(e) => {
                report(ctx, &f, &e);
                status = 1;
                continue;
            }
        };
        if many {
            ctx.out(format!("{}==> {f} <==\n", if k > 0 { "\n" } else { "" }));
        }
        let out: Vec<u8> = if bytes {
            if head {
                d[..n.min(d.len())].to_vec()
            } else if plus {
                d[n.saturating_sub(1).min(d.len())..].to_vec()
            } else {
                d[d.len().saturating_sub(n)..].to_vec()
            }
        } else {
            // Split keeping newlines.
            let mut ls: Vec<&[u8]> = d.split_inclusive(|&b| b == b'\n').collect();
            if head {
                ls.truncate(n);
            } else if plus {
                ls = ls.split_off(n.saturating_sub(1).min(ls.len()));
            } else {
                ls = ls.split_off(ls.len().saturating_sub(n));
            }
            ls.concat()
        };
        let _ = &name;
        ctx.out(out);
    }
    status
}

pub(crate) fn wc(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "");
    let mut sel: Vec<char> = opts
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| "lwcmL".contains(*c))
        .collect();
    if sel.is_empty() {
        sel = vec!['l', 'w', 'c'];
    }
    let mut totals = [0usize; 5];
    let mut status = 0;
    let n_files = files.len();
    let mut rows = Vec::new();
    for (f, r) in ctx.inputs(&files) {
        let d = match r {
            Ok(d) => d,
            Err(e) => {
                report(ctx, &f, &e);
                status = 1;
                continue;
            }
        };
        let text = String::from_utf8_lossy(&d);
        let counts = [
            d.iter().filter(|&&b| b == b'\n').count(),
            text.split_whitespace().count(),
            d.len(),
            text.chars().count(),
            text.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        ];
        for (t, c) in totals.iter_mut().zip(counts) {
            *t += c;
        }
        rows.push((
            if f == "-" && n_files == 0 {
                String::new()
            } else {
                f
            },
            counts,
        ));
    }
    if n_files > 1 {
        rows.push(("total".into(), totals));
    }
    let single = sel.len() == 1 && n_files <= 1;
    let mut out = String::new();
    for (name, counts) in rows {
        let mut fields = Vec::new();
        for c in "lwcmL".chars() {
            if sel.contains(&c) {
                let i = "lwcmL".find(c).unwrap_or(0);
                fields.push(if single {
                    counts[i].to_string()
                } else {
                    format!("{:>7}", counts[i])
                });
            }
        }
        let mut line = fields.join(" ");
        if !name.is_empty() {
            line.push(' ');
            line.push_str(&name);
        }
        out.push_str(line.trim_start_matches(|_| false));
        out.push('\n');
    }
    ctx.out(out);
    status
}

/// Expand a `tr` set: ranges, escapes and `[:class:]`.
fn tr_set(s: &str) -> Vec<char> {
    let mut raw = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                for b in 0u8..128 {
                    let c = b as char;
                    if crate::engine::shell::glob::class_matches(class, c) {
                        raw.push(c);
                    }
                }
                i += 2 + class.chars().count() + 2;
                continue;
            }
        }
        let c = if chars[i] == '\\' && i + 1 < chars.len() {
            i += 1;
            match chars[i] {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' => '\\',
                c => c,
            }
        } else {
            chars[i]
        };
        if chars.get(i + 1) == Some(&'-') && i + 2 < chars.len() {
            let hi = chars[i + 2];
            let (lo, hi) = (c as u32, hi as u32);
            for v in lo..=hi.min(lo + 65536) {
                if let Some(ch) = char::from_u32(v) {
                    raw.push(ch);
                }
            }
            i += 3;
            continue;
        }
        raw.push(c);
        i += 1;
    }
    raw
}

pub(crate) fn tr(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, sets) = getopt(&ctx.args(), "");
    let delete = has(&opts, 'd');
    let squeeze = has(&opts, 's');
    let complement = has(&opts, 'c') || has(&opts, 'C');
    let Some(s1) = sets.first() else {
        return ctx.fail("missing operand");
    };
    let set1 = tr_set(s1);
    let set2 = sets.get(1).map(|s| tr_set(s)).unwrap_or_default();
    let data = ctx.stdin();
    let text = String::from_utf8_lossy(&data);
    let mut out = String::with_capacity(text.len());
    let in1 = |c: char| set1.contains(&c) != complement;
    let mut last: Option<char> = None;
    for c in text.chars() {
        let mapped = if delete {
            if in1(c) {
                continue;
            }
            c
        } else if !set2.is_empty() && in1(c) {
            if complement {
                *set2.last().unwrap_or(&c)
            } else {
                let i = set1.iter().position(|x| *x == c).unwrap_or(0);
                *set2.get(i).or(set2.last()).unwrap_or(&c)
            }
        } else {
            c
        };
        if squeeze {
            let sq_set = if set2.is_empty() || delete {
                &set1
            } else {
                &set2
            };
            if last == Some(mapped) && sq_set.contains(&mapped) {
                continue;
            }
        }
        last = Some(mapped);
        out.push(mapped);
    }
    ctx.out(out);
    0
}

/// Parse a cut list (`1,3-5,7-`) into ranges (1-based, inclusive).
fn ranges(s: &str) -> Option<Vec<(usize, usize)>> {
    let mut v = Vec::new();
    for part in s.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (
                if a.is_empty() { 1 } else { a.parse().ok()? },
                if b.is_empty() {
                    usize::MAX
                } else {
                    b.parse().ok()?
                },
            ),
            None => {
                let n = part.parse().ok()?;
                (n, n)
            }
        };
        if a == 0 {
            return None;
        }
        v.push((a, b));
    }
    Some(v)
}

pub(crate) fn cut(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "dfcb");
    let mut delim = '\t';
    let mut list = None;
    let mut chars_mode = false;
    let mut only_delim = false;
    for (c, v) in opts {
        match c {
            'd' => delim = v.and_then(|s| s.chars().next()).unwrap_or('\t'),
            'f' => list = v,
            'c' | 'b' => {
                list = v;
                chars_mode = true;
            }
            's' => only_delim = true,
            _ => {}
        }
    }
    let Some(r) = list.as_deref().and_then(ranges) else {
        return ctx.fail("you must specify a list of bytes, characters, or fields");
    };
    let sel = |i: usize| r.iter().any(|(a, b)| i >= *a && i <= *b);
    let mut out = String::new();
    let mut status = 0;
    for (f, res) in ctx.inputs(&files) {
        let d = match res {
            Ok(d) => d,
            Err(e) => {
                report(ctx, &f, &e);
                status = 1;
                continue;
            }
        };
        for line in lines(&d) {
            if chars_mode {
                let s: String = line
                    .chars()
                    .enumerate()
                    .filter(|(i, _)| sel(i + 1))
                    .map(|(_, c)| c)
                    .collect();
                out.push_str(&s);
            } else if !line.contains(delim) {
                if only_delim {
                    continue;
                }
                out.push_str(&line);
            } else {
                let fields: Vec<&str> = line
                    .split(delim)
                    .enumerate()
                    .filter(|(i, _)| sel(i + 1))
                    .map(|(_, f)| f)
                    .collect();
                out.push_str(&fields.join(&delim.to_string()));
            }
            out.push('\n');
        }
    }
    ctx.out(out);
    status
}

pub(crate) fn sort(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "tkoT");
    let (numeric, reverse, unique, fold) = (
        has(&opts, 'n') || has(&opts, 'g') || has(&opts, 'h'),
        has(&opts, 'r'),
        has(&opts, 'u'),
        has(&opts, 'f'),
    );
    let sep = opts
        .iter()
        .find(|(c, _)| *c == 't')
        .and_then(|(_, v)| v.clone())
        .and_then(|s| s.chars().next());
    let key = opts
        .iter()
        .find(|(c, _)| *c == 'k')
        .and_then(|(_, v)| v.clone())
        .and_then(|k| {
            let first = k.split(',').next().unwrap_or("1");
            first
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .split('.')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
        });
    let output = opts
        .iter()
        .find(|(c, _)| *c == 'o')
        .and_then(|(_, v)| v.clone());
    let mut all = Vec::new();
    let mut status = 0;
    for (f, r) in ctx.inputs(&files) {
        match r {
            Ok(d) => all.extend(lines(&d)),
            Err(e) => {
                report(ctx, &f, &e);
                status = 2;
            }
        }
    }
    ctx.tick(all.len() as u64 / 8);
    let keyf = |l: &str| -> String {
        let Some(k) = key else { return l.to_string() };
        let fields: Vec<&str> = match sep {
            Some(s) => l.split(s).collect(),
            None => l.split_whitespace().collect(),
        };
        fields
            .get(k.saturating_sub(1)..)
            .map(|f| f.join(" "))
            .unwrap_or_default()
    };
    let num = |s: &str| -> f64 {
        let t = s.trim_start();
        let end = t
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
            .map_or(t.len(), |(i, _)| i);
        t[..end].parse().unwrap_or(0.0)
    };
    crate::engine::sort::sort_by(&mut all, |a, b| {
        let (ka, kb) = (keyf(a), keyf(b));
        let o = if numeric {
            num(&ka)
                .partial_cmp(&num(&kb))
                .unwrap_or(std::cmp::Ordering::Equal)
        } else if fold {
            ka.to_lowercase().cmp(&kb.to_lowercase())
        } else {
            ka.cmp(&kb)
        };
        o.then_with(|| {
            if key.is_some() || numeric {
                a.cmp(b)
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    if reverse {
        all.reverse();
    }
    if unique {
        all.dedup_by(|a, b| if numeric { num(a) == num(b) } else { a == b });
    }
    let mut out = String::new();
    for l in all {
        out.push_str(&l);
        out.push('\n');
    }
    match output {
        Some(o) => {
            if let Err(e) = ctx.write_file(&o, out.into_bytes(), 0o666) {
                return ctx.fail(format!("{o}: {e}"));
            }
        }
        None => {
            ctx.out(out);
        }
    }
    status
}

pub(crate) fn uniq(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "fsw");
    let (count, dups, uniques, icase) = (
        has(&opts, 'c'),
        has(&opts, 'd'),
        has(&opts, 'u'),
        has(&opts, 'i'),
    );
    let data = match files.first() {
        Some(f) => match ctx.read(f) {
            Ok(d) => d,
            Err(e) => {
                report(ctx, f, &e);
                return 1;
            }
        },
        None => ctx.stdin(),
    };
    let mut groups: Vec<(String, usize)> = Vec::new();
    for l in lines(&data) {
        match groups.last_mut() {
            Some((prev, n)) if *prev == l || (icase && prev.eq_ignore_ascii_case(&l)) => *n += 1,
            _ => groups.push((l, 1)),
        }
    }
    let mut out = String::new();
    for (l, n) in groups {
        if (dups && n < 2) || (uniques && n > 1) {
            continue;
        }
        if count {
            out.push_str(&format!("{n:>7} {l}\n"));
        } else {
            out.push_str(&l);
            out.push('\n');
        }
    }
    ctx.out(out);
    0
}

pub(crate) fn tee(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "");
    let append = has(&opts, 'a');
    let data = ctx.stdin();
    let mut status = 0;
    for f in &files {
        if f == "/dev/null" {
            continue;
        }
        let abs = ctx.path(f);
        let meta = ctx.meta(0o666);
        let r = if append {
            ctx.sh.append(&abs, &data, meta)
        } else {
            ctx.sh.write_file(&abs, data.clone(), meta)
        };
        if let Err(e) = r {
            ctx.fail(format!("{f}: {e}"));
            status = 1;
        }
    }
    let _ = ctx.sh.check_fs();
    ctx.out(data);
    status
}

pub(crate) fn rev(ctx: &mut Ctx<'_>) -> i32 {
    let files = ctx.args();
    let mut out = String::new();
    for (_, r) in ctx.inputs(&files) {
        if let Ok(d) = r {
            for l in lines(&d) {
                out.extend(l.chars().rev());
                out.push('\n');
            }
        }
    }
    ctx.out(out);
    0
}

pub(crate) fn seq(ctx: &mut Ctx<'_>) -> i32 {
    let mut args = ctx.args();
    let mut sep = "\n".to_string();
    let mut width = false;
    while args.first().is_some_and(|a| {
        a.starts_with('-') && a.len() > 1 && !a[1..].starts_with(|c: char| c.is_ascii_digit())
    }) {
        let a = args.remove(0);
        match a.as_str() {
            "-s" if !args.is_empty() => sep = args.remove(0),
            "-w" => width = true,
            _ => {}
        }
    }
    let nums: Option<Vec<i64>> = args.iter().map(|a| a.parse().ok()).collect();
    let Some(nums) = nums else {
        return ctx.fail(format!("invalid number '{}'", args.join(" ")));
    };
    let (first, step, last) = match nums.as_slice() {
        [l] => (1, 1, *l),
        [f, l] => (*f, 1, *l),
        [f, s, l] => (*f, *s, *l),
        _ => return ctx.fail("missing operand"),
    };
    if step == 0 {
        return ctx.fail("invalid Zero increment value: '0'");
    }
    let w = if width {
        first.to_string().len().max(last.to_string().len())
    } else {
        0
    };
    let mut out = String::new();
    let mut i = first;
    let mut firstv = true;
    while (step > 0 && i <= last) || (step < 0 && i >= last) {
        if !ctx.tick(1) {
            break;
        }
        if !firstv {
            out.push_str(&sep);
        }
        firstv = false;
        out.push_str(&format!("{i:0w$}"));
        if out.len() > 64 * 1024 && !ctx.out(std::mem::take(&mut out)) {
            return 1;
        }
        i = match i.checked_add(step) {
            Some(v) => v,
            None => break,
        };
    }
    if !firstv {
        out.push('\n');
    }
    ctx.out(out);
    0
}

/// `yes`: bounded by the output budget on a terminal, by the filesystem budget into a
/// file, and when piped by Linux's 64 KiB pipe buffer: pipelines run one stage after the
/// other here, so the writer stops where a real one would block on a full pipe.
pub(crate) fn yes(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let line = if args.is_empty() {
        "y".to_string()
    } else {
        args.join(" ")
    };
    let piped = !matches!(
        ctx.io.out,
        crate::engine::shell::state::Sink::Stdout | crate::engine::shell::state::Sink::Stderr
    );
    let mut written = 0usize;
    let mut chunk = String::new();
    loop {
        chunk.push_str(&line);
        chunk.push('\n');
        if chunk.len() >= 4096 {
            written += chunk.len();
            if !ctx.tick(1) || !ctx.out(std::mem::take(&mut chunk)) {
                break;
            }
            if piped && written >= 64 * 1024 {
                break;
            }
        }
    }
    1
}

pub(crate) fn xargs(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let mut i = 0;
    let mut max_args: Option<usize> = None;
    let mut replace: Option<String> = None;
    let mut null = false;
    let mut no_run_empty = false;
    while i < args.len() && args[i].starts_with('-') {
        match args[i].as_str() {
            "-n" => {
                i += 1;
                max_args = args.get(i).and_then(|v| v.parse().ok());
            }
            "-I" => {
                i += 1;
                replace = args.get(i).cloned();
            }
            "-0" => null = true,
            "-r" | "--no-run-if-empty" => no_run_empty = true,
            a if a.starts_with("-n") => max_args = a[2..].parse().ok(),
            a if a.starts_with("-I") => replace = Some(a[2..].to_string()),
            _ => {}
        }
        i += 1;
    }
    let mut cmd: Vec<String> = args[i..].to_vec();
    if cmd.is_empty() {
        cmd.push("echo".into());
    }
    let data = ctx.stdin();
    let text = String::from_utf8_lossy(&data).into_owned();
    let items: Vec<String> = if null {
        text.split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    } else if replace.is_some() {
        text.lines()
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        text.split_whitespace()
            .map(|s| s.trim_matches(|c| c == '"' || c == '\'').to_string())
            .collect()
    };
    if items.is_empty() && (no_run_empty || replace.is_some()) {
        return 0;
    }
    let batches: Vec<Vec<String>> = if let Some(r) = &replace {
        items
            .iter()
            .map(|it| cmd.iter().map(|c| c.replace(r.as_str(), it)).collect())
            .collect()
    } else {
        let n = max_args.unwrap_or(usize::MAX).max(1);
        let chunks: Vec<Vec<String>> = if items.is_empty() {
            vec![vec![]]
        } else {
            items
                .chunks(n.min(items.len().max(1)))
                .map(<[String]>::to_vec)
                .collect()
        };
        chunks
            .into_iter()
            .map(|c| {
                let mut v = cmd.clone();
                v.extend(c);
                v
            })
            .collect()
    };
    let mut status = 0;
    for argv in batches {
        if ctx.stopped() {
            break;
        }
        let env = ctx.env.clone();
        let io = crate::engine::shell::state::Io {
            stdin: None,
            ..ctx.io
        };
        match ctx.sh.run_program(argv, env, io) {
            Ok(0) => {}
            Ok(127) => return 127,
            Ok(_) => status = 123,
            Err(_) => return 1,
        }
    }
    status
}
