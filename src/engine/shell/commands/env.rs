//! `env` and `printenv`.

use super::Ctx;
use crate::engine::shell::interp::{Res, Shell};
use crate::engine::shell::state::Io;

/// `env` / `printenv` without a command: print the environment.
pub(crate) fn env(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    if ctx.name() == "printenv" && !args.is_empty() {
        let mut status = 0;
        for a in &args {
            match ctx.getenv(a) {
                Some(v) => {
                    ctx.out(format!("{v}\n"));
                }
                None => status = 1,
            }
        }
        return status;
    }
    let mut out = String::new();
    for (k, v) in &ctx.env {
        out.push_str(&format!("{k}={v}\n"));
    }
    ctx.out(out);
    0
}

/// `env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...]`.
pub(crate) fn run_env(
    sh: &mut Shell,
    argv: Vec<String>,
    mut env: Vec<(String, String)>,
    io: Io,
) -> Res {
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "-i" || a == "-" {
            env.clear();
        } else if a == "-u" {
            i += 1;
            if let Some(n) = argv.get(i) {
                env.retain(|(k, _)| k != n);
            }
        } else if a == "--" {
            i += 1;
            break;
        } else if let Some((k, v)) = a.split_once('=') {
            env.retain(|(n, _)| n != k);
            env.push((k.to_string(), v.to_string()));
        } else {
            break;
        }
        i += 1;
    }
    if i >= argv.len() {
        let mut out = String::new();
        for (k, v) in &env {
            out.push_str(&format!("{k}={v}\n"));
        }
        sh.write(io.out, out.as_bytes());
        return Ok(0);
    }
    let rest = argv[i..].to_vec();
    let saved_path = sh.env.vars.get("PATH").cloned();
    if let Some((_, p)) = env.iter().find(|(k, _)| k == "PATH") {
        let _ = sh.set_var("PATH", p.clone());
    }
    let name = rest[0].clone();
    let located = sh.locate(&name);
    match saved_path {
        Some(v) => {
            sh.env.vars.insert("PATH".into(), v);
        }
        None => {
            sh.env.vars.remove("PATH");
        }
    }
    match located {
        Ok(p) => sh.exec_file(&p, rest, env, io),
        Err(_) => {
            sh.write(
                io.err,
                format!("env: can't execute '{name}': No such file or directory\n").as_bytes(),
            );
            Ok(127)
        }
    }
}
