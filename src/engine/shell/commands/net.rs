//! Network tools: layerlab has no network, so `curl`, `wget`, `git clone` and friends
//! fail the way the real tools do when a host cannot be resolved, with an explanation.

use super::Ctx;

const WHY: &str = "layerlab: no network in layerlab (the simulated build has no internet access; COPY files from the build context instead)";

fn host_of(args: &[String]) -> String {
    args.iter()
        .find(|a| a.contains("://") || (a.contains('.') && !a.starts_with('-')))
        .map(|u| {
            let rest = u.split_once("://").map_or(u.as_str(), |x| x.1);
            let host = rest.split(['/', ':', '?']).next().unwrap_or(rest);
            host.rsplit('@').next().unwrap_or(host).to_string()
        })
        .unwrap_or_else(|| "example.com".into())
}

pub(crate) fn net(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let name = ctx.name();
    let host = host_of(&args);
    let silent = args.iter().any(|a| {
        a == "-s"
            || a == "-q"
            || a == "--silent"
            || (a.starts_with('-') && !a.starts_with("--") && a.contains('s') && name == "curl")
    });
    let show_err = args.iter().any(|a| {
        a == "-S"
            || a == "--show-error"
            || (a.starts_with('-') && !a.starts_with("--") && a.contains('S'))
    });
    match name.as_str() {
        "curl" => {
            if args.iter().any(|a| a == "--version" || a == "-V") {
                ctx.out("curl 8.5.0 (x86_64-pc-linux-musl) (simulated by layerlab)\n");
                return 0;
            }
            if !silent || show_err {
                ctx.err(format!("curl: (6) Could not resolve host: {host}\n"));
            }
            ctx.err(format!("{WHY}\n"));
            6
        }
        "wget" => {
            if !silent {
                let url = args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .cloned()
                    .unwrap_or_default();
                ctx.err(format!("Connecting to {host} ({url})\n"));
            }
            ctx.err(format!("wget: bad address '{host}'\n{WHY}\n"));
            1
        }
        "git" => match args.first().map(String::as_str) {
            Some("--version") => {
                ctx.out("git version 2.43.0 (simulated by layerlab)\n");
                0
            }
            Some("clone" | "fetch" | "pull" | "push" | "ls-remote" | "submodule") => {
                ctx.err(format!(
                    "fatal: unable to access '{}': Could not resolve host: {host}\n{WHY}\n",
                    args.iter()
                        .skip(1)
                        .find(|a| !a.starts_with('-'))
                        .cloned()
                        .unwrap_or_default()
                ));
                128
            }
            Some("config" | "init") | None => 0,
            Some(_) => {
                ctx.err("fatal: not a git repository (or any of the parent directories): .git\n");
                128
            }
        },
        _ => {
            ctx.err(format!("{name}: bad address '{host}'\n{WHY}\n"));
            1
        }
    }
}
