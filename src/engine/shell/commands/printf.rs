//! `echo` and `printf`.

use super::Ctx;

/// Interpret backslash escapes (`echo -e`, `printf %b`); `\c` stops output (returns true).
pub(crate) fn escapes(s: &str, out: &mut String) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' || i >= chars.len() {
            out.push(c);
            continue;
        }
        let e = chars[i];
        i += 1;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            'e' => out.push('\u{1b}'),
            '\\' => out.push('\\'),
            'c' => return true,
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                let max = if e == '0' { 3 } else { 2 };
                for _ in 0..max {
                    match chars.get(i).and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v & 0xff).unwrap_or('?'));
            }
            'x' => {
                let mut v = 0;
                let mut n = 0;
                while n < 2 {
                    match chars.get(i).and_then(|c| c.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(char::from_u32(v).unwrap_or('?'));
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    false
}

/// `echo [-neE] args...` (BusyBox: no escapes unless `-e`).
pub(crate) fn echo(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let mut newline = true;
    let mut esc = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => esc = true,
                    _ => esc = false,
                }
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut out = String::new();
    for (k, a) in args[i..].iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        if esc {
            if escapes(a, &mut out) {
                ctx.out(out);
                return 0;
            }
        } else {
            out.push_str(a);
        }
    }
    if newline {
        out.push('\n');
    }
    ctx.out(out);
    0
}

/// `printf FORMAT [ARG]...`: the format is reused until the arguments are consumed.
pub(crate) fn printf(ctx: &mut Ctx<'_>) -> i32 {
    let mut args = ctx.args();
    if args.first().is_some_and(|a| a == "--") {
        args.remove(0);
    }
    let Some(fmt) = args.first().cloned() else {
        ctx.err("printf: usage: printf FORMAT [ARGUMENT]...\n");
        return 2;
    };
    let rest = &args[1..];
    let mut out = String::new();
    let mut idx = 0;
    let mut status = 0;
    loop {
        let before = idx;
        let stop = format_once(&fmt, rest, &mut idx, &mut out, &mut status);
        if stop || idx >= rest.len() || idx == before {
            break;
        }
        if !ctx.tick(1) {
            break;
        }
    }
    ctx.out(out);
    if status != 0 {
        let name = ctx.name();
        ctx.err(format!("{name}: invalid number\n"));
    }
    status
}

fn format_once(
    fmt: &str,
    args: &[String],
    idx: &mut usize,
    out: &mut String,
    status: &mut i32,
) -> bool {
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let next = |idx: &mut usize| -> Option<String> {
        let v = args.get(*idx).cloned();
        *idx += 1;
        v
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let mut j = i + 1;
            let mut seq = String::from("\\");
            if let Some(&e) = chars.get(j) {
                seq.push(e);
                j += 1;
                if e.is_digit(8) {
                    while j < chars.len() && j < i + 5 && chars[j].is_digit(8) {
                        seq.push(chars[j]);
                        j += 1;
                    }
                } else if e == 'x' {
                    while j < chars.len() && j < i + 4 && chars[j].is_ascii_hexdigit() {
                        seq.push(chars[j]);
                        j += 1;
                    }
                }
            }
            if escapes(&seq, out) {
                return true;
            }
            i = j;
            continue;
        }
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.get(i).filter(|c| "-+ #0".contains(**c)) {
            flags.push(f);
            i += 1;
        }
        let mut width = String::new();
        if chars.get(i) == Some(&'*') {
            width = next(idx).unwrap_or_default();
            i += 1;
        }
        while let Some(&d) = chars.get(i).filter(|c| c.is_ascii_digit()) {
            width.push(d);
            i += 1;
        }
        let mut prec: Option<String> = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = String::new();
            if chars.get(i) == Some(&'*') {
                p = next(idx).unwrap_or_default();
                i += 1;
            }
            while let Some(&d) = chars.get(i).filter(|c| c.is_ascii_digit()) {
                p.push(d);
                i += 1;
            }
            prec = Some(p);
        }
        while chars.get(i).is_some_and(|c| "hlLqjzt".contains(*c)) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            out.push('%');
            break;
        };
        i += 1;
        let width: usize = width.trim_start_matches('-').parse().unwrap_or(0).min(4096);
        let left = flags.contains('-');
        let prec_n: Option<usize> = prec.as_ref().map(|p| p.parse().unwrap_or(0).min(4096));
        let body = match conv {
            's' => {
                let s = next(idx).unwrap_or_default();
                match prec_n {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            'b' => {
                let s = next(idx).unwrap_or_default();
                let mut o = String::new();
                let stop = escapes(&s, &mut o);
                if stop {
                    out.push_str(&o);
                    return true;
                }
                o
            }
            'c' => next(idx)
                .and_then(|s| s.chars().next())
                .map(String::from)
                .unwrap_or_default(),
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                let a = next(idx).unwrap_or_default();
                let n = parse_int(&a).unwrap_or_else(|| {
                    *status = 1;
                    0
                });
                let mut s = match conv {
                    'x' => format!("{:x}", n),
                    'X' => format!("{:X}", n),
                    'o' => format!("{:o}", n),
                    'u' => format!("{}", n as u64),
                    _ => format!("{}", n.unsigned_abs()),
                };
                if let Some(p) = prec_n {
                    while s.len() < p {
                        s.insert(0, '0');
                    }
                }
                let neg = n < 0 && matches!(conv, 'd' | 'i');
                let sign = if neg {
                    "-"
                } else if flags.contains('+') && matches!(conv, 'd' | 'i') {
                    "+"
                } else if flags.contains(' ') && matches!(conv, 'd' | 'i') {
                    " "
                } else {
                    ""
                };
                if flags.contains('0') && !left && prec.is_none() {
                    while s.len() + sign.len() < width {
                        s.insert(0, '0');
                    }
                }
                format!("{sign}{s}")
            }
            'f' | 'F' | 'e' | 'g' | 'G' | 'E' => {
                let a = next(idx).unwrap_or_default();
                let v: f64 = a.trim().parse().unwrap_or_else(|_| {
                    if !a.is_empty() {
                        *status = 1;
                    }
                    0.0
                });
                let p = prec_n.unwrap_or(6);
                let mut s = match conv {
                    'e' | 'E' => format!("{:.*e}", p, v),
                    'g' | 'G' => format!("{}", v),
                    _ => format!("{:.*}", p, v),
                };
                if flags.contains('0') && !left {
                    let neg = s.starts_with('-');
                    let digits = if neg { s[1..].to_string() } else { s.clone() };
                    let mut d = digits;
                    while d.len() + usize::from(neg) < width {
                        d.insert(0, '0');
                    }
                    s = if neg { format!("-{d}") } else { d };
                }
                s
            }
            other => {
                out.push('%');
                out.push(other);
                continue;
            }
        };
        let len = body.chars().count();
        if len < width {
            let pad = " ".repeat(width - len);
            if left {
                out.push_str(&body);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(&body);
            }
        } else {
            out.push_str(&body);
        }
    }
    false
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if t.is_empty() {
        return Some(0);
    }
    if let Some(c) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return Some(c.chars().next().map_or(0, |c| c as i64));
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = crate::engine::shell::arith::parse_number(body)?;
    Some(if neg { v.wrapping_neg() } else { v })
}
