//! The host `layerlab` binary: docker-like verbs over the same engine the browser uses.
//!
//! Each subcommand lives in its own file and parses its own arguments; this file only
//! dispatches on the first word.

pub mod build;
mod dockerfile;
pub mod oci;
pub mod reference;
pub mod script;

pub fn main() -> i32 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args)
}

/// Runs one command line (without the program name) and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    #[cfg(all(feature = "native", target_os = "linux"))]
    if let Some(code) = crate::native::cli::run(args) {
        return code;
    }
    let Some(verb) = args.first() else {
        print!("{}", usage());
        return 0;
    };
    let rest = &args[1..];
    match verb.as_str() {
        "help" | "--help" | "-h" => {
            print!("{}", usage());
            0
        }
        "--version" | "version" => {
            println!("layerlab {}", env!("CARGO_PKG_VERSION"));
            0
        }
        "build" => build::run(rest),
        "reference" => reference::run(rest),
        "load" => oci::load(rest),
        "save" => oci::save(rest),
        "dockerfile" => dockerfile::run_dockerfile(rest),
        "check" => dockerfile::run_check(rest),
        "script" => script::run(rest),
        other => {
            let _ = rest;
            eprintln!("layerlab: '{other}' is not a layerlab command.\nSee 'layerlab --help'");
            1
        }
    }
}

fn usage() -> String {
    "Usage:  layerlab COMMAND\n\nDocker you can take apart.\n\nCommands:\n  build      Build an image from a Dockerfile (simulated engine)\n  check      Run the build checks on a Dockerfile (docker build --check)\n  dockerfile Dump a Dockerfile's parse tree (dockerfile dump FILE)\n  help       Show this help\n  load       Load an image from a tar archive (OCI layout or docker save)\n  reference  Parse an image reference (reference parse REF)\n  save       Save images to a tar archive\n  script     Run a transcript of docker commands (script FILE [--context DIR])\n  version    Show the version\n\nWith --features native (Linux): images, tag, rmi, push, pull, run, ps, diff, logs,\nstop, rm, volume, fsck, busybox-image, completions, and build --exec=linux.\n".to_string()
}
