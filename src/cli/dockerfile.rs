//! `layerlab dockerfile dump FILE` and `layerlab check [-f FILE] [DIR]`: the
//! Dockerfile front end on the host binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::engine::dockerfile::lint::{check, CheckOptions, Warning};
use crate::engine::dockerfile::parse;

/// `layerlab dockerfile SUBCOMMAND ...`
pub fn run_dockerfile(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("dump") => match args.get(1) {
            Some(file) if args.len() == 2 => dump(Path::new(file)),
            _ => usage_error("\"layerlab dockerfile dump\" requires exactly 1 argument.\nUsage:  layerlab dockerfile dump FILE"),
        },
        _ => usage_error("Usage:  layerlab dockerfile dump FILE\n\nPrint the BuildKit parse tree of a Dockerfile."),
    }
}

fn usage_error(msg: &str) -> i32 {
    eprintln!("{msg}");
    1
}

fn read(path: &Path) -> Result<String, i32> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => {
            eprintln!("ERROR: failed to read {}: {e}", path.display());
            Err(1)
        }
    }
}

fn dump(path: &Path) -> i32 {
    let src = match read(path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let parsed = parse(&src);
    if let Some(e) = parsed.error() {
        eprintln!("ERROR: {e}");
        return 1;
    }
    println!("{}", parsed.dump());
    0
}

/// `layerlab check [-f FILE] [--build-arg K=V] [DIR]`, like `docker build --check`.
pub fn run_check(args: &[String]) -> i32 {
    let mut file: Option<PathBuf> = None;
    let mut dir = PathBuf::from(".");
    let mut build_args = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--file" => match it.next() {
                Some(f) => file = Some(PathBuf::from(f)),
                None => return usage_error("flag needs an argument: 'f' in -f"),
            },
            "--build-arg" => match it.next().and_then(|v| v.split_once('=')) {
                Some((k, v)) => {
                    build_args.insert(k.to_string(), v.to_string());
                }
                None => return usage_error("flag needs an argument: --build-arg KEY=VALUE"),
            },
            "-h" | "--help" => {
                println!("Usage:  layerlab check [-f FILE] [--build-arg KEY=VALUE] [DIR]\n\nRun Dockerfile build checks, like docker build --check.");
                return 0;
            }
            s if s.starts_with('-') => return usage_error(&format!("unknown flag: {s}")),
            s => dir = PathBuf::from(s),
        }
    }
    let file = file.unwrap_or_else(|| dir.join("Dockerfile"));
    let src = match read(&file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ignore = std::fs::read_to_string(dir.join(".dockerignore")).ok();
    let opts = CheckOptions {
        build_args,
        dockerignore: ignore.as_deref(),
        ..CheckOptions::default()
    };
    let report = check(&src, &opts);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    print!("{}", format_report(&name, &src, &report.warnings));
    if let Some(e) = &report.error {
        eprintln!("ERROR: {e}");
        return 1;
    }
    i32::from(!report.warnings.is_empty())
}

/// docker's `--check` output: a summary line, then per warning the rule and
/// URL, the message, `Dockerfile:LINE` and the source excerpt.
pub fn format_report(name: &str, src: &str, warnings: &[Warning]) -> String {
    let mut out = String::new();
    match warnings.len() {
        0 => out.push_str("Check complete, no warnings found.\n"),
        1 => out.push_str("Check complete, 1 warning has been found!\n"),
        n => out.push_str(&format!("Check complete, {n} warnings have been found!\n")),
    }
    let lines: Vec<&str> = src.lines().collect();
    for w in warnings {
        out.push_str(&format!(
            "\nWARNING: {} - {}\n{}\n{name}:{}\n",
            w.rule, w.url, w.detail, w.line
        ));
        out.push_str("--------------------\n");
        let first = w.line.saturating_sub(2).max(1);
        let last = (w.end_line + 1).min(lines.len());
        for n in first..=last {
            let text = lines.get(n - 1).copied().unwrap_or("");
            let mark = if n >= w.line && n <= w.end_line {
                ">>>"
            } else {
                "   "
            };
            out.push_str(&format!(" {n:>3} | {mark} {text}\n"));
        }
        out.push_str("--------------------\n");
    }
    out
}
