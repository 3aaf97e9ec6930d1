//! `grep [-EFivcnqrlLhHowxs] [-e PAT]... [-f FILE] PATTERN [FILE]...` over the
//! engine's own regex (no `regex` crate in the web bundle).

use super::Ctx;
use crate::engine::fs::FileType;
use crate::engine::shell::regex::Regex;

pub(crate) fn grep(ctx: &mut Ctx<'_>) -> i32 {
    let name = ctx.name();
    let args = ctx.args();
    let mut flags = String::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    let mut opts_done = false;
    while i < args.len() {
        let a = &args[i];
        if !opts_done && a == "--" {
            opts_done = true;
        } else if !opts_done && a.starts_with("--") {
            match a.as_str() {
                "--recursive" => flags.push('r'),
                "--ignore-case" => flags.push('i'),
                "--invert-match" => flags.push('v'),
                "--count" => flags.push('c'),
                "--quiet" | "--silent" => flags.push('q'),
                "--extended-regexp" => flags.push('E'),
                "--fixed-strings" => flags.push('F'),
                "--files-with-matches" => flags.push('l'),
                "--line-number" => flags.push('n'),
                "--only-matching" => flags.push('o'),
                _ => {}
            }
        } else if !opts_done && a.starts_with('-') && a.len() > 1 {
            let chars: Vec<char> = a[1..].chars().collect();
            for (k, c) in chars.iter().enumerate() {
                if *c == 'e' || *c == 'f' || *c == 'm' || *c == 'A' || *c == 'B' || *c == 'C' {
                    let v: String = chars[k + 1..].iter().collect();
                    let v = if v.is_empty() {
                        i += 1;
                        args.get(i).cloned().unwrap_or_default()
                    } else {
                        v
                    };
                    if *c == 'e' {
                        patterns.push(v);
                    } else if *c == 'f' {
                        match ctx.read(&v) {
                            Ok(d) => patterns.extend(super::lines(&d)),
                            Err(e) => {
                                ctx.err(format!("{name}: {v}: {e}\n"));
                                return 2;
                            }
                        }
                    }
                    break;
                }
                flags.push(*c);
            }
        } else {
            operands.push(a.clone());
        }
        i += 1;
    }
    let has = |c: char| flags.contains(c);
    if patterns.is_empty() {
        if operands.is_empty() {
            ctx.err(format!(
                "Usage: {name} [-EFivcnqrlLhHowxs] PATTERN [FILE]...\n"
            ));
            return 2;
        }
        patterns.push(operands.remove(0));
    }
    let ere = has('E') || name == "egrep";
    let fixed = has('F') || name == "fgrep";
    let icase = has('i') || has('y');
    let mut res = Vec::new();
    for p in patterns
        .iter()
        .flat_map(|p| p.split('\n').map(str::to_string).collect::<Vec<_>>())
    {
        let src = if has('w') && !fixed {
            format!(
                "\\b{}\\b",
                if ere {
                    format!("({p})")
                } else {
                    format!("\\({p}\\)")
                }
            )
        } else {
            p.clone()
        };
        let r = if fixed {
            Ok(Regex::literal(&p, icase))
        } else {
            Regex::with_case(&src, ere, icase)
        };
        match r {
            Ok(r) => res.push(r),
            Err(e) => {
                ctx.err(format!("{name}: {e}\n"));
                return 2;
            }
        }
    }
    let recursive = has('r') || has('R');
    if operands.is_empty() {
        operands.push(if recursive { ".".into() } else { "-".into() });
    }
    let mut files: Vec<String> = Vec::new();
    let mut status_err = false;
    for f in &operands {
        let abs = ctx.path(f);
        if recursive && ctx.is_dir(&abs) {
            let walked = ctx.sh.fs.walk(&abs).unwrap_or_default();
            let real = ctx.sh.fs.canonicalize(&abs).unwrap_or(abs.clone());
            for e in walked {
                if e.stat.file_type == FileType::File {
                    let rel = e
                        .path
                        .strip_prefix(&real)
                        .unwrap_or(&e.path)
                        .trim_start_matches('/');
                    files.push(if f.ends_with('/') {
                        format!("{f}{rel}")
                    } else {
                        format!("{f}/{rel}")
                    });
                }
            }
        } else {
            files.push(f.clone());
        }
    }
    let show_name = (files.len() > 1 || recursive || has('H')) && !has('h');
    let mut any = false;
    let mut out = String::new();
    for f in files {
        if !ctx.tick(1) {
            break;
        }
        let data = match ctx.read(&f) {
            Ok(d) => d,
            Err(e) => {
                if !has('s') {
                    let shown = if e.contains("Is a directory") {
                        format!("{name}: {f}: Is a directory\n")
                    } else {
                        format!("{name}: {f}: {e}\n")
                    };
                    ctx.err(shown);
                }
                status_err = true;
                continue;
            }
        };
        let shown = if f == "-" {
            "(standard input)".to_string()
        } else {
            f.clone()
        };
        let mut count = 0;
        for (n, line) in super::lines(&data).iter().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            let mut hit = None;
            for r in &res {
                if let Some(c) = r.find_at(&chars, 0) {
                    let (s, e) = c[0].unwrap_or((0, 0));
                    if has('x') && !(s == 0 && e == chars.len()) {
                        // Try for a whole-line match from the start only.
                        continue;
                    }
                    hit = Some((s, e));
                    break;
                }
            }
            if hit.is_some() == has('v') {
                continue;
            }
            count += 1;
            any = true;
            if has('q') {
                ctx.out(out);
                return 0;
            }
            if has('l') || has('L') || has('c') {
                continue;
            }
            let prefix = format!(
                "{}{}",
                if show_name {
                    format!("{shown}:")
                } else {
                    String::new()
                },
                if has('n') {
                    format!("{}:", n + 1)
                } else {
                    String::new()
                }
            );
            if has('o') && !has('v') {
                let mut pos = 0;
                while pos <= chars.len() {
                    let Some(c) = res.iter().find_map(|r| r.find_at(&chars, pos)) else {
                        break;
                    };
                    let (s, e) = c[0].unwrap_or((pos, pos));
                    if e > s {
                        out.push_str(&prefix);
                        out.extend(&chars[s..e]);
                        out.push('\n');
                    }
                    pos = if e > s { e } else { e + 1 };
                }
            } else {
                out.push_str(&prefix);
                out.push_str(line);
                out.push('\n');
            }
        }
        if has('c') {
            out.push_str(&if show_name {
                format!("{shown}:{count}\n")
            } else {
                format!("{count}\n")
            });
        }
        if has('l') && count > 0 {
            out.push_str(&format!("{shown}\n"));
        }
        if has('L') && count == 0 {
            out.push_str(&format!("{shown}\n"));
        }
        if out.len() > 64 * 1024 && !ctx.out(std::mem::take(&mut out)) {
            return 2;
        }
    }
    if has('q') {
        return if any {
            0
        } else if status_err {
            2
        } else {
            1
        };
    }
    ctx.out(out);
    if status_err && !any {
        2
    } else if any {
        0
    } else {
        1
    }
}
