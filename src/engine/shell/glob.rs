//! Shell pattern matching (XCU 2.13): `*`, `?`, bracket expressions, and pathname
//! expansion against the in-memory filesystem (results sorted, dotfiles only matched by
//! an explicit leading `.`).
//!
//! Patterns are strings in which a backslash makes the next character literal: the
//! expander escapes characters that came from quotes that way.

use crate::engine::fs::{join, FileType, Fs};

/// Most names one pathname expansion may produce (a bound against hostile globs).
const MAX_MATCHES: usize = 100_000;

/// Whether `pat` contains an unescaped `*`, `?` or `[`.
pub fn has_glob(pat: &str) -> bool {
    let mut esc = false;
    for c in pat.chars() {
        if esc {
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if matches!(c, '*' | '?' | '[') {
            return true;
        }
    }
    false
}

/// Remove the escaping backslashes of a pattern.
pub fn unescape(pat: &str) -> String {
    let mut out = String::with_capacity(pat.len());
    let mut esc = false;
    for c in pat.chars() {
        if esc {
            out.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else {
            out.push(c);
        }
    }
    if esc {
        out.push('\\');
    }
    out
}

/// Escape every pattern-special character of `s` (quoted text in a pattern).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\' | '!' | '^' | '-') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `fnmatch(3)` without flags: does `text` match the whole of `pat`?
pub fn matches(pat: &str, text: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_chars(&p, &t)
}

pub(crate) fn match_chars(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() && p[pi] == '*' {
            pi += 1;
            star = Some((pi, ti));
            continue;
        }
        if ti < t.len() {
            if let Some(n) = match_one(p, pi, t[ti]) {
                pi += n;
                ti += 1;
                continue;
            }
        } else if pi == p.len() {
            return true;
        }
        match star {
            Some((sp, st)) if st < t.len() => {
                pi = sp;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            _ => return false,
        }
    }
}

/// If the pattern element at `p[i]` matches `c`, its length in `p`.
fn match_one(p: &[char], i: usize, c: char) -> Option<usize> {
    match p.get(i)? {
        '?' => Some(1),
        '\\' => match p.get(i + 1) {
            Some(&e) if e == c => Some(2),
            Some(_) => None,
            None if c == '\\' => Some(1),
            None => None,
        },
        '[' => match bracket(p, i, c) {
            Some((true, n)) => Some(n),
            Some((false, _)) => None,
            None if c == '[' => Some(1),
            None => None,
        },
        &x if x == c => Some(1),
        _ => None,
    }
}

/// Match a bracket expression at `p[i] == '['`: `(matched, length)`, or `None` when
/// it is not a valid bracket expression (then `[` is literal).
fn bracket(p: &[char], i: usize, c: char) -> Option<(bool, usize)> {
    let mut j = i + 1;
    let negate = matches!(p.get(j), Some('!' | '^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let &ch = p.get(j)?;
        if ch == ']' && !first {
            return Some((matched != negate, j + 1 - i));
        }
        first = false;
        if ch == '[' && p.get(j + 1) == Some(&':') {
            let rest: String = p[j + 2..].iter().take(10).collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                if class_matches(class, c) {
                    matched = true;
                }
                j += 2 + class.chars().count() + 2;
                continue;
            }
        }
        let (lo, step) = if ch == '\\' {
            (*p.get(j + 1)?, 2)
        } else {
            (ch, 1)
        };
        j += step;
        if p.get(j) == Some(&'-') && p.get(j + 1).is_some_and(|&e| e != ']') {
            let (hi, step) = if p[j + 1] == '\\' {
                (*p.get(j + 2)?, 3)
            } else {
                (p[j + 1], 2)
            };
            j += step;
            if lo <= c && c <= hi {
                matched = true;
            }
        } else if lo == c {
            matched = true;
        }
    }
}

pub(crate) fn class_matches(class: &str, c: char) -> bool {
    match class {
        "alpha" => c.is_ascii_alphabetic(),
        "digit" => c.is_ascii_digit(),
        "alnum" => c.is_ascii_alphanumeric(),
        "upper" => c.is_ascii_uppercase(),
        "lower" => c.is_ascii_lowercase(),
        "space" => c.is_ascii_whitespace() || c == '\u{b}',
        "blank" => c == ' ' || c == '\t',
        "punct" => c.is_ascii_punctuation(),
        "xdigit" => c.is_ascii_hexdigit(),
        "cntrl" => c.is_ascii_control(),
        "print" => (' '..='~').contains(&c),
        "graph" => ('!'..='~').contains(&c),
        _ => false,
    }
}

/// Pathname expansion of `pat` relative to `cwd`: the sorted matches, empty if none.
pub fn expand_path(fs: &Fs, cwd: &str, pat: &str) -> Vec<String> {
    let absolute = pat.starts_with('/');
    let comps: Vec<&str> = pat.split('/').filter(|c| !c.is_empty()).collect();
    let mut cands: Vec<String> = vec![if absolute { "/".into() } else { String::new() }];
    let trailing_slash = pat.ends_with('/') && !comps.is_empty();
    for (k, comp) in comps.iter().enumerate() {
        let last = k + 1 == comps.len();
        let mut next = Vec::new();
        for base in &cands {
            let with = |name: &str| {
                if base.is_empty() {
                    name.to_string()
                } else if base.ends_with('/') {
                    format!("{base}{name}")
                } else {
                    format!("{base}/{name}")
                }
            };
            if has_glob(comp) {
                let dir = if base.is_empty() {
                    cwd.to_string()
                } else {
                    join(cwd, base)
                };
                let Ok(entries) = fs.list_dir(&dir) else {
                    continue;
                };
                for e in entries {
                    if e.name.starts_with('.') && !comp.starts_with('.') {
                        continue;
                    }
                    if !matches(comp, &e.name) {
                        continue;
                    }
                    let is_dir = e.stat.file_type == FileType::Dir
                        || (e.stat.file_type == FileType::Symlink
                            && fs
                                .stat(&join(&dir, &e.name))
                                .is_ok_and(|s| s.file_type == FileType::Dir));
                    if (!last || trailing_slash) && !is_dir {
                        continue;
                    }
                    next.push(with(&e.name));
                    if next.len() > MAX_MATCHES {
                        return Vec::new();
                    }
                }
            } else {
                let name = unescape(comp);
                let p = with(&name);
                if fs.lstat(&join(cwd, &p)).is_ok() {
                    next.push(p);
                }
            }
        }
        cands = next;
        if cands.is_empty() {
            return cands;
        }
    }
    if trailing_slash {
        for c in &mut cands {
            c.push('/');
        }
    }
    crate::engine::sort::sort(&mut cands);
    cands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        for (p, t, want) in [
            ("*.txt", "a.txt", true),
            ("*.txt", "a.txs", false),
            ("a?c", "abc", true),
            ("[a-c]x", "bx", true),
            ("[!a-c]x", "bx", false),
            ("[[:digit:]]*", "1abc", true),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("*a*b", "xxaxxb", true),
            ("[", "[", true),
            ("", "", true),
            ("*", "", true),
        ] {
            assert_eq!(matches(p, t), want, "{p} {t}");
        }
    }
}
