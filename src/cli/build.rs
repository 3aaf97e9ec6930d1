//! `layerlab build [-t TAG] [-f FILE] [--build-arg K=V] [--target S] [--no-cache]
//! [--output type=oci|docker,dest=FILE] DIR`: builds a real directory as the build
//! context in the simulated engine and prints BuildKit's plain progress log. With
//! `--output`, the image is written as an OCI layout tar (which also carries Docker's
//! `manifest.json`), so skopeo, umoci, podman or `docker load` can read it.

use std::path::Path;

use crate::engine::build::simulated::SimulatedExecutor;
use crate::engine::build::{
    failure_report, plain_progress_of, BuildContext, BuildRequest, BuildSession, ContextFile,
};
use crate::engine::daemon::Daemon;
use crate::engine::fs::Metadata;
use crate::engine::image::layout;

const USAGE: &str = "Usage:  layerlab build [OPTIONS] PATH

Build an image from a Dockerfile (simulated engine)

Options:
      --build-arg list     Set build-time variables
  -f, --file string        Name of the Dockerfile (default: \"PATH/Dockerfile\")
      --no-cache           Do not use cache when building the image
  -o, --output string      Output destination (format: \"type=oci,dest=FILE\")
  -t, --tag list           Name and optionally a tag in the \"name:tag\" format
      --target string      Set the target build stage to build
";

/// Parsed `layerlab build` options.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    tags: Vec<String>,
    file: Option<String>,
    build_args: Vec<(String, String)>,
    target: Option<String>,
    no_cache: bool,
    output: Option<String>,
    path: Option<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a, None),
        };
        let value = |i: &mut usize| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("flag needs an argument: {name}"))
        };
        match name {
            "-t" | "--tag" => o.tags.push(value(&mut i)?),
            "-f" | "--file" => o.file = Some(value(&mut i)?),
            "--build-arg" => {
                let v = value(&mut i)?;
                let (k, val) = match v.split_once('=') {
                    Some((k, val)) => (k.to_string(), val.to_string()),
                    None => (v.clone(), std::env::var(&v).unwrap_or_default()),
                };
                o.build_args.push((k, val));
            }
            "--target" => o.target = Some(value(&mut i)?),
            "--no-cache" => o.no_cache = true,
            "-o" | "--output" => o.output = Some(value(&mut i)?),
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown flag: {s}")),
            s => {
                if o.path.is_some() {
                    return Err("\"layerlab build\" requires exactly 1 argument.".into());
                }
                o.path = Some(s.to_string());
            }
        }
        i += 1;
    }
    Ok(o)
}

/// Reads a directory into a build context: regular files with their permission bits,
/// directories, symlinks (as the docker CLI sends them; mtimes are the engine's fixed
/// context mtime, so COPY layers are reproducible). The native CLI uses it too.
pub fn read_context(dir: &Path) -> Result<BuildContext, String> {
    use std::os::unix::fs::PermissionsExt;
    let e = |p: &Path, err: std::io::Error| format!("{}: {err}", p.display());
    let mut files = Vec::new();
    let mut symlinks = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|x| e(&d, x))? {
            let path = entry.map_err(|x| e(&d, x))?.path();
            let meta = std::fs::symlink_metadata(&path).map_err(|x| e(&path, x))?;
            let rel = path
                .strip_prefix(dir)
                .map_err(|x| x.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).map_err(|x| e(&path, x))?;
                symlinks.push((rel, target.to_string_lossy().to_string()));
            } else if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let bytes = std::fs::read(&path).map_err(|x| e(&path, x))?;
                files.push(ContextFile {
                    path: rel,
                    bytes,
                    mode: meta.permissions().mode() & 0o7777,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let ctx = BuildContext::from_files(files).map_err(|x| x.to_string())?;
    if symlinks.is_empty() {
        return Ok(ctx);
    }
    let mut tree = ctx.fs().clone();
    let mtime = crate::engine::build::context::CONTEXT_MTIME;
    for (rel, target) in symlinks {
        if let Some((parent, _)) = rel.rsplit_once('/') {
            tree.mkdir_all(&format!("/{parent}"), Metadata::new(0o755, 0, 0, mtime))
                .map_err(|x| format!("{parent}: {x}"))?;
        }
        tree.symlink(
            &target,
            &format!("/{rel}"),
            Metadata::new(0o777, 0, 0, mtime),
        )
        .map_err(|x| format!("{rel}: {x}"))?;
    }
    Ok(BuildContext::from_fs(tree))
}

pub fn run(args: &[String]) -> i32 {
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return 0;
        }
        Err(e) => {
            eprintln!("ERROR: {e}\nSee 'layerlab build --help'.");
            return 1;
        }
    };
    let Some(path) = opts.path.clone() else {
        eprintln!("ERROR: \"layerlab build\" requires exactly 1 argument.\nSee 'layerlab build --help'.\n\n{USAGE}");
        return 1;
    };
    let dir = Path::new(&path);
    let dockerfile_path = match &opts.file {
        Some(f) => Path::new(f).to_path_buf(),
        None => dir.join("Dockerfile"),
    };
    let dockerfile = match std::fs::read_to_string(&dockerfile_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "ERROR: failed to solve: failed to read dockerfile: open {}: {e}",
                dockerfile_path.display()
            );
            return 1;
        }
    };
    let context = match read_context(dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ERROR: {e}");
            return 1;
        }
    };
    let mut req = BuildRequest::new(&dockerfile, context);
    req.dockerfile_name = dockerfile_path
        .file_name()
        .map_or("Dockerfile".into(), |n| n.to_string_lossy().to_string());
    req.tags = opts.tags.clone();
    req.build_args = opts.build_args.clone();
    req.target = opts.target.clone();
    req.no_cache = opts.no_cache;
    let mut daemon = Daemon::new();
    let session = match BuildSession::new(&mut daemon, req) {
        Ok(s) => s,
        Err(e) => {
            match e.line() {
                Some(l) => eprintln!(
                    "ERROR: failed to solve: {}:{l}: {e}",
                    dockerfile_path.display()
                ),
                None => eprintln!("ERROR: failed to solve: {e}"),
            }
            return 1;
        }
    };
    let out = session.run(&mut daemon, &mut SimulatedExecutor::new());
    eprint!("{}", plain_progress_of(&out.events));
    for w in &out.warnings {
        eprintln!("{w}");
    }
    let image = match out.result {
        Ok(img) => img,
        Err(_) => {
            if let Some(report) = failure_report(&out.events, "Dockerfile", &dockerfile) {
                eprint!("{report}");
            }
            return 1;
        }
    };
    if let Some(output) = &opts.output {
        let dest = output
            .split(',')
            .find_map(|kv| kv.strip_prefix("dest="))
            .unwrap_or(output.as_str());
        let id = image.id.to_string();
        let names: Vec<&str> = if image.names.is_empty() {
            vec![id.as_str()]
        } else {
            image.names.iter().map(String::as_str).collect()
        };
        daemon.materialize(&image.id);
        let tar = match layout::export_tar(&daemon.images, &names) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("ERROR: exporting {dest}: {e}");
                return 1;
            }
        };
        if let Err(e) = std::fs::write(dest, tar) {
            eprintln!("ERROR: write {dest}: {e}");
            return 1;
        }
        eprintln!("wrote OCI image layout archive {dest}");
    }
    println!("{}", image.id);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_docker_build_flags() {
        let o = parse(&s(&[
            "-t",
            "a:1",
            "--build-arg=X=1",
            "--no-cache",
            "--target",
            "build",
            "ctx",
        ]))
        .unwrap();
        assert_eq!(o.tags, vec!["a:1"]);
        assert_eq!(o.build_args, vec![("X".to_string(), "1".to_string())]);
        assert!(o.no_cache);
        assert_eq!(o.target.as_deref(), Some("build"));
        assert_eq!(o.path.as_deref(), Some("ctx"));
        assert!(parse(&s(&["--bogus"]))
            .unwrap_err()
            .contains("unknown flag: --bogus"));
    }
}
