//! `node` and `python3`: enough for a build step or a container's main process —
//! version banners from the image's env, a few one-liners, and "run a script" (which
//! prints nothing and succeeds when the file exists, as a server started in the
//! background would, and fails exactly like the real interpreter when it does not).

use super::{PkgInvocation, PkgOutcome};
use crate::engine::fs::{join, Fs};

/// The printed value of a simple expression: a quoted string, or an integer sum/product.
fn evaluate(expr: &str) -> Option<String> {
    let e = expr.trim();
    for q in ['"', '\'', '`'] {
        if let Some(s) = e.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return Some(s.to_string());
        }
    }
    let mut total: i64 = 0;
    for term in e.split('+') {
        let mut prod: i64 = 1;
        for f in term.split('*') {
            prod = prod.checked_mul(f.trim().parse::<i64>().ok()?)?;
        }
        total = total.checked_add(prod)?;
    }
    Some(total.to_string())
}

/// Extracts the argument of `name(...)` calls in a one-line script.
fn calls<'s>(code: &'s str, name: &str) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(name) {
        rest = &rest[i + name.len()..];
        let Some(end) = rest.rfind(')') else { break };
        let inner = &rest[..end];
        let inner = inner.split(')').next().unwrap_or(inner);
        out.push(inner);
        rest = &rest[inner.len().min(rest.len())..];
    }
    out
}

pub(crate) fn run_node(fs: &mut Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let version = inv.env("NODE_VERSION").unwrap_or("22.11.0");
    let args = inv.args;
    match args.first().map(String::as_str) {
        Some("--version" | "-v") => PkgOutcome::ok(format!("v{version}\n"), 40),
        Some("-e" | "--eval" | "-p" | "--print") => {
            let code = args.get(1).map(String::as_str).unwrap_or("");
            let mut out = String::new();
            for c in calls(code, "console.log(") {
                out.push_str(&evaluate(c).unwrap_or_default());
                out.push('\n');
            }
            if matches!(args.first().map(String::as_str), Some("-p" | "--print")) {
                out.push_str(&evaluate(code).unwrap_or_else(|| "undefined".into()));
                out.push('\n');
            }
            PkgOutcome::ok(out, 60)
        }
        Some(script) if !script.starts_with('-') => {
            let path = join(inv.cwd, script);
            if fs.exists(&path) {
                PkgOutcome::ok(String::new(), 80)
            } else {
                PkgOutcome::failed(1, format!("node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '{path}'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)\n    at Module._load (node:internal/modules/cjs/loader:1051:27)\n    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:174:12)\n    at node:internal/main/run_main_module:28:49 {{\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}}\n\nNode.js v{version}\n"), 60)
            }
        }
        _ => PkgOutcome::ok(String::new(), 40),
    }
}

pub(crate) fn run_python(fs: &mut Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let version = inv
        .env("PYTHON_VERSION")
        .unwrap_or(if inv.program.ends_with("3.11") {
            "3.11.2"
        } else {
            "3.12.7"
        });
    let args = inv.args;
    match args.first().map(String::as_str) {
        Some("--version" | "-V") => PkgOutcome::ok(format!("Python {version}\n"), 30),
        Some("-c") => {
            let code = args.get(1).map(String::as_str).unwrap_or("");
            let mut out = String::new();
            for c in calls(code, "print(") {
                out.push_str(&evaluate(c).unwrap_or_default());
                out.push('\n');
            }
            PkgOutcome::ok(out, 50)
        }
        Some("-m") => PkgOutcome::ok(String::new(), 80),
        Some(script) if !script.starts_with('-') => {
            let path = join(inv.cwd, script);
            if fs.exists(&path) {
                PkgOutcome::ok(String::new(), 60)
            } else {
                PkgOutcome::failed(
                    2,
                    format!(
                        "{}: can't open file '{path}': [Errno 2] No such file or directory\n",
                        inv.program
                    ),
                    30,
                )
            }
        }
        _ => PkgOutcome::ok(String::new(), 30),
    }
}

/// What node (`node`) or python prints when its prompt starts, for `version`
/// (`22.11.0`, `3.12.7`).
pub fn banner(node: bool, version: &str) -> [String; 2] {
    if node {
        [
            format!("Welcome to Node.js v{version}."),
            "Type \".help\" for more information.".to_string(),
        ]
    } else {
        [
            format!("Python {version} (main, Nov 12 2024, 02:12:34) [GCC 12.2.0] on linux"),
            "Type \"help\", \"copyright\", \"credits\" or \"license\" for more information."
                .to_string(),
        ]
    }
}

/// The comma-separated arguments of a call, commas inside quotes kept.
fn split_args(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quote) = (0, None);
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (None, '"' | '\'' | '`') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, ',') => {
                out.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&inner[start..]);
    out
}

/// What one line typed at a simulated interactive interpreter does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplLine {
    /// Lines to print (stdout), possibly none.
    Print(Vec<String>),
    /// The interpreter exits with this status.
    Exit(i32),
    /// Beyond what the stand-in evaluates.
    Unsupported,
}

const NODE_HELP: &str = ".break    Sometimes you get stuck, this gets you out
.clear    Alias for .break
.editor   Enter editor mode
.exit     Exit the REPL
.help     Print this help message
.load     Load JS from a file into the REPL session
.save     Save all evaluated commands in this REPL session to a file

Press Ctrl+C to abort current expression, Ctrl+D to exit the REPL";

/// A line at node's `> ` (`node` is true) or python's `>>> ` prompt: the exits, the
/// print calls and the expressions the stand-in evaluates (strings, integer sums and
/// products), with each REPL's way of showing a value.
pub fn repl_line(node: bool, line: &str) -> ReplLine {
    let l = line.trim();
    let exit_code = |call: &str, prefix: &str| -> Option<i32> {
        let inner = call.strip_prefix(prefix)?.strip_suffix(')')?.trim();
        if inner.is_empty() {
            Some(0)
        } else {
            inner.parse::<i32>().ok().map(|n| n & 0xff)
        }
    };
    if node {
        if l == ".exit" {
            return ReplLine::Exit(0);
        }
        if l == ".help" {
            return ReplLine::Print(NODE_HELP.lines().map(str::to_string).collect());
        }
        if let Some(code) = exit_code(l, "process.exit(") {
            return ReplLine::Exit(code);
        }
    } else {
        for f in ["exit(", "quit("] {
            if let Some(code) = exit_code(l, f) {
                return ReplLine::Exit(code);
            }
        }
        if l == "exit" || l == "quit" {
            return ReplLine::Print(vec!["Use exit() or Ctrl-D (i.e. EOF) to exit".into()]);
        }
    }
    let printer = if node { "console.log(" } else { "print(" };
    if l.starts_with(printer) {
        let mut out = Vec::new();
        for c in calls(l, printer) {
            // Several arguments print separated by spaces.
            let mut values = Vec::new();
            for arg in split_args(c) {
                match evaluate(arg) {
                    Some(v) => values.push(v),
                    None => return ReplLine::Unsupported,
                }
            }
            out.push(values.join(" "));
        }
        if node {
            out.push("undefined".into());
        }
        return ReplLine::Print(out);
    }
    let quoted = l.len() >= 2 && matches!(l.as_bytes()[0], b'"' | b'\'' | b'`');
    match evaluate(l) {
        Some(v) if quoted => ReplLine::Print(vec![format!("'{v}'")]),
        Some(v) => ReplLine::Print(vec![v]),
        None => ReplLine::Unsupported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repl_lines_print_exit_or_say_what_is_simulated() {
        let p = |v: &[&str]| ReplLine::Print(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(repl_line(true, "1+2*3"), p(&["7"]));
        assert_eq!(repl_line(true, "\"hi\""), p(&["'hi'"]));
        assert_eq!(
            repl_line(true, "console.log('a, b', 2)"),
            p(&["a, b 2", "undefined"])
        );
        assert_eq!(repl_line(true, ".exit"), ReplLine::Exit(0));
        assert_eq!(repl_line(true, "process.exit(300)"), ReplLine::Exit(44));
        assert_eq!(repl_line(true, "require('fs')"), ReplLine::Unsupported);
        assert_eq!(repl_line(false, "print('x', 1+1)"), p(&["x 2"]));
        assert_eq!(repl_line(false, "quit()"), ReplLine::Exit(0));
        assert_eq!(repl_line(false, "exit(2)"), ReplLine::Exit(2));
        assert_eq!(
            repl_line(false, "exit"),
            p(&["Use exit() or Ctrl-D (i.e. EOF) to exit"])
        );
        assert_eq!(repl_line(false, "import os"), ReplLine::Unsupported);
    }
}
