//! `layerlab script FILE [--context DIR]`: runs a transcript of `docker ...` lines
//! against a fresh simulated world whose build context is DIR (default: FILE's
//! folder), printing `$ docker ...` and each command's output.

use crate::engine::build::simulated::SimulatedExecutor;
use crate::engine::build::{BuildContext, ContextFile};
use crate::engine::cli::script::run_script;
use crate::engine::world::World;
use std::path::Path;

fn collect(root: &Path, dir: &Path, out: &mut Vec<ContextFile>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let bytes = std::fs::read(&path)?;
            out.push(ContextFile {
                path: rel.to_string_lossy().replace('\\', "/"),
                bytes,
                mode: 0o644,
            });
        }
    }
    Ok(())
}

/// Loads a folder as a build context.
pub fn load_context(dir: &Path) -> Result<BuildContext, String> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    BuildContext::from_files(files).map_err(|e| e.to_string())
}

pub fn run(args: &[String]) -> i32 {
    let mut file = None;
    let mut context = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--context" => {
                context = args.get(i + 1).cloned();
                i += 1;
            }
            other if file.is_none() => file = Some(other.to_string()),
            other => {
                eprintln!("layerlab script: unexpected argument {other:?}");
                return 1;
            }
        }
        i += 1;
    }
    let Some(file) = file else {
        eprintln!("Usage:  layerlab script FILE [--context DIR]");
        return 1;
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("layerlab script: {file}: {e}");
            return 1;
        }
    };
    let mut world = World::new();
    if let Some(dir) = context {
        match load_context(Path::new(&dir)) {
            Ok(ctx) => world.context = ctx,
            Err(e) => {
                eprintln!("layerlab script: {e}");
                return 1;
            }
        }
    }
    print!(
        "{}",
        run_script(&mut world, &text, &mut SimulatedExecutor::new())
    );
    0
}
