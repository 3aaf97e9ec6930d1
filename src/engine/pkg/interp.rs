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
