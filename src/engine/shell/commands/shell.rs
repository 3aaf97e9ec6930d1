//! `sh`, `ash`, `bash`, `dash`: a child shell process (`sh -c`, scripts, `#!`).

use super::Ctx;
use crate::engine::shell::interp::Flow;
use crate::engine::shell::parser;
use crate::engine::shell::state::{Env, Var};

/// `sh [-eux] [-o opt] [-c string [name [args...]] | file [args...]]`.
pub(crate) fn sh(ctx: &mut Ctx<'_>) -> i32 {
    let argv0 = ctx.argv[0].clone();
    let args = ctx.args();
    let mut env = Env::new(&ctx.sh.env.cwd, &argv0);
    env.umask = ctx.sh.env.umask;
    for (k, v) in &ctx.env {
        env.vars.insert(
            k.clone(),
            Var {
                value: v.clone(),
                exported: true,
                readonly: false,
            },
        );
    }
    let mut command: Option<String> = None;
    let mut want_command = false;
    let mut i = 0;
    let saved = std::mem::replace(&mut ctx.sh.env, env);
    let mut bad = None;
    while i < args.len() {
        let a = &args[i];
        if a == "--" || a == "-" {
            i += 1;
            break;
        }
        let (on, flags) = match a.chars().next() {
            Some('-') if a.len() > 1 => (true, &a[1..]),
            Some('+') if a.len() > 1 => (false, &a[1..]),
            _ => break,
        };
        if flags.starts_with('-') {
            // bash long options (--norc, --login, --posix, ...)
            i += 1;
            continue;
        }
        for c in flags.chars() {
            match c {
                'c' => want_command = true,
                'o' => {
                    i += 1;
                    if let Some(o) = args.get(i) {
                        if !ctx.sh.set_long_option(o, on) {
                            bad = Some(format!("Illegal option -o {o}"));
                        }
                    }
                }
                'l' | 'i' | 's' | 'O' => {}
                c => {
                    if !ctx.sh.set_short_option(c, on) {
                        bad = Some(format!("Illegal option -{c}"));
                    }
                }
            }
        }
        i += 1;
    }
    let status = (|| {
        if let Some(msg) = bad {
            ctx.sh.sh_error(ctx.io.err, &msg);
            return Ok(2);
        }
        let script = if want_command {
            let Some(c) = args.get(i) else {
                ctx.sh.sh_error(ctx.io.err, "-c requires an argument");
                return Ok(2);
            };
            i += 1;
            if let Some(name) = args.get(i) {
                ctx.sh.env.arg0 = name.clone();
                i += 1;
            }
            command = Some(c.clone());
            c.clone()
        } else if let Some(file) = args.get(i) {
            i += 1;
            ctx.sh.env.arg0 = file.clone();
            match ctx.read(file) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => {
                    ctx.sh.env.arg0 = argv0.clone();
                    ctx.sh
                        .sh_error(ctx.io.err, &format!("can't open '{file}': {e}"));
                    return Ok(2);
                }
            }
        } else {
            String::from_utf8_lossy(&ctx.stdin()).into_owned()
        };
        ctx.sh.env.params = args[i.min(args.len())..].to_vec();
        ctx.sh.step(script.len() as u64 / 256)?;
        let list = match parser::parse(&script) {
            Ok(l) => l,
            Err(e) => {
                ctx.sh.sh_error(ctx.io.err, &e.to_string());
                return Ok(2);
            }
        };
        ctx.sh.enter()?;
        let r = ctx.sh.run_list(&list, ctx.io);
        ctx.sh.leave();
        match r {
            Ok(s) | Err(Flow::Exit(s)) => ctx.sh.run_exit_trap(s, ctx.io),
            other => other,
        }
    })();
    let _ = command;
    ctx.sh.env = saved;
    match status {
        Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) => s,
        Err(Flow::Break(_) | Flow::Continue(_)) => 0,
        Err(Flow::Stop) => 137,
    }
}
