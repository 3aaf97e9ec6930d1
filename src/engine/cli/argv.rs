//! Command lines: splitting a typed line into words as a POSIX shell would (quotes and
//! backslashes, no expansion), and parsing each command's flags the way the docker CLI
//! (cobra + pflag) does, with its error texts.

/// Splits `line` into words: single quotes keep everything, double quotes allow `\"`
/// and `\\`, a backslash outside quotes escapes the next character. `Err` on an
/// unterminated quote.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("unterminated quoted string".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(x) = chars.next() {
                    cur.push(x);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// One flag of a command.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    pub short: Option<char>,
    pub long: &'static str,
    /// Value type shown in help (`string`, `list`, `int`); `None` for booleans.
    pub value: Option<&'static str>,
    pub help: &'static str,
}

pub const fn flag(
    short: Option<char>,
    long: &'static str,
    value: Option<&'static str>,
    help: &'static str,
) -> Flag {
    Flag {
        short,
        long,
        value,
        help,
    }
}

/// A command's argument rule (cobra's `RequiresMinArgs`, `ExactArgs`, `NoArgs`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    None,
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
    Range(usize, usize),
}

/// A command: name (as typed, e.g. `image ls`), usage line, description, flags.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub usage: &'static str,
    pub about: &'static str,
    pub aliases: &'static str,
    pub flags: &'static [Flag],
    pub arity: Arity,
    /// Flags only before the first positional (run/create/exec take a command after
    /// the image, whose own flags are not docker's).
    pub interspersed: bool,
}

/// Parsed flags and positional arguments.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// (long name, value) in order; booleans have `"true"`/`"false"`.
    pub flags: Vec<(&'static str, String)>,
    pub args: Vec<String>,
    pub help: bool,
}

impl Parsed {
    pub fn has(&self, long: &str) -> bool {
        self.flags
            .iter()
            .rev()
            .find(|(l, _)| *l == long)
            .is_some_and(|(_, v)| v != "false")
    }

    pub fn value(&self, long: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(l, _)| *l == long)
            .map(|(_, v)| v.as_str())
    }

    pub fn values(&self, long: &str) -> Vec<String> {
        self.flags
            .iter()
            .filter(|(l, _)| *l == long)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// A flag error (exit status 125, followed by `See 'docker X --help'.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagError(pub String);

/// Parses `words` (after the command name) against `spec`.
pub fn parse(spec: &Spec, words: &[String]) -> Result<Parsed, FlagError> {
    let mut p = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if !p.args.is_empty() && !spec.interspersed {
            p.args.push(w.clone());
            continue;
        }
        if w == "--" {
            p.args.extend(words[i..].iter().cloned());
            break;
        }
        if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if name == "help" {
                p.help = true;
                continue;
            }
            let Some(f) = spec.flags.iter().find(|f| f.long == name) else {
                return Err(FlagError(format!("unknown flag: --{name}")));
            };
            let value = match (f.value, inline) {
                (None, None) => "true".to_string(),
                (None, Some(v)) => match v.as_str() {
                    "true" | "false" | "1" | "0" => v.replace('1', "true").replace('0', "false"),
                    _ => {
                        return Err(FlagError(format!(
                            "invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax"
                        )))
                    }
                },
                (Some(_), Some(v)) => v,
                (Some(_), None) => match words.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => return Err(FlagError(format!("flag needs an argument: --{name}"))),
                },
            };
            check_value(f, &value)?;
            p.flags.push((f.long, value));
            continue;
        }
        if w.len() > 1 && w.starts_with('-') {
            let shorts: Vec<char> = w.chars().skip(1).collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                j += 1;
                if c == 'h' {
                    p.help = true;
                    continue;
                }
                let Some(f) = spec.flags.iter().find(|f| f.short == Some(c)) else {
                    return Err(FlagError(format!("unknown shorthand flag: '{c}' in {w}")));
                };
                if f.value.is_none() {
                    p.flags.push((f.long, "true".to_string()));
                    continue;
                }
                let rest: String = shorts[j..].iter().collect();
                let value = if !rest.is_empty() {
                    rest.strip_prefix('=').unwrap_or(&rest).to_string()
                } else if let Some(v) = words.get(i) {
                    i += 1;
                    v.clone()
                } else {
                    return Err(FlagError(format!("flag needs an argument: '{c}' in -{c}")));
                };
                check_value(f, &value)?;
                p.flags.push((f.long, value));
                break;
            }
            continue;
        }
        p.args.push(w.clone());
    }
    Ok(p)
}

/// pflag's check of a typed value (`int` flags: Go's `strconv.ParseInt`).
fn check_value(f: &Flag, v: &str) -> Result<(), FlagError> {
    if f.value != Some("int") {
        return Ok(());
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let why = if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        "invalid syntax"
    } else if v.parse::<i64>().is_err() {
        "value out of range"
    } else {
        return Ok(());
    };
    let name = match f.short {
        Some(c) => format!("-{c}, --{}", f.long),
        None => format!("--{}", f.long),
    };
    Err(FlagError(format!(
        "invalid argument \"{v}\" for \"{name}\" flag: strconv.ParseInt: parsing \"{v}\": {why}"
    )))
}

/// cobra's argument-count message, or `None` when `n` fits.
pub fn arity_error(spec: &Spec, n: usize) -> Option<String> {
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let msg = match spec.arity {
        Arity::None if n > 0 => "accepts no arguments.".to_string(),
        Arity::Exactly(k) if n != k => format!("requires exactly {k} {}.", plural(k)),
        Arity::AtLeast(k) if n < k => format!("requires at least {k} {}.", plural(k)),
        Arity::AtMost(k) if n > k => format!("requires at most {k} {}.", plural(k)),
        Arity::Range(a, b) if n < a || n > b => {
            format!("requires at least {a} and at most {b} arguments.")
        }
        _ => return None,
    };
    Some(format!("\"docker {}\" {msg}", spec.name))
}

/// `docker X --help`.
pub fn help_text(spec: &Spec) -> String {
    let mut out = format!("\nUsage:  {}\n\n{}\n", spec.usage, spec.about);
    if !spec.aliases.is_empty() {
        out.push_str(&format!("\nAliases:\n  {}\n", spec.aliases));
    }
    if !spec.flags.is_empty() {
        out.push_str("\nOptions:\n");
        let cells: Vec<(String, &str)> = spec
            .flags
            .iter()
            .map(|f| {
                let short = f.short.map_or("    ".to_string(), |c| format!("-{c}, "));
                let value = f.value.map_or(String::new(), |v| format!(" {v}"));
                (format!("  {short}--{}{value}", f.long), f.help)
            })
            .collect();
        let width = cells.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (l, h) in cells {
            out.push_str(&format!("{l:<width$}   {h}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: Spec = Spec {
        name: "run",
        usage: "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
        about: "Create and run a new container from an image",
        aliases: "",
        flags: &[
            flag(Some('d'), "detach", None, "Run container in background"),
            flag(Some('i'), "interactive", None, "Keep STDIN open"),
            flag(Some('t'), "tty", None, "Allocate a pseudo-TTY"),
            flag(Some('p'), "publish", Some("list"), "Publish ports"),
            flag(None, "name", Some("string"), "Assign a name"),
        ],
        arity: Arity::AtLeast(1),
        interspersed: false,
    };

    fn w(s: &str) -> Vec<String> {
        split_words(s).unwrap()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            w(r#"a "b c" 'd e' f\ g "h\"i""#),
            vec!["a", "b c", "d e", "f g", "h\"i"]
        );
        assert!(split_words("echo 'x").is_err());
    }

    #[test]
    fn parses_docker_style_flags() {
        let p = parse(&RUN, &w("-dit -p8080:3000 --name=api img node -v")).unwrap();
        assert!(p.has("detach") && p.has("interactive") && p.has("tty"));
        assert_eq!(p.value("publish"), Some("8080:3000"));
        assert_eq!(p.value("name"), Some("api"));
        assert_eq!(p.args, vec!["img", "node", "-v"]);
        assert_eq!(
            parse(&RUN, &w("--bar")).unwrap_err().0,
            "unknown flag: --bar"
        );
        assert_eq!(
            parse(&RUN, &w("-z")).unwrap_err().0,
            "unknown shorthand flag: 'z' in -z"
        );
        assert_eq!(
            parse(&RUN, &w("--name")).unwrap_err().0,
            "flag needs an argument: --name"
        );
        assert_eq!(
            arity_error(&RUN, 0).unwrap(),
            "\"docker run\" requires at least 1 argument."
        );
    }
}
