//! Golden transcripts: every `tests/data/transcripts/NAME.txt` runs against a fresh
//! world whose build context is `tests/data/transcripts/context/`; the output must
//! equal `NAME.out` byte for byte. `UPDATE_GOLDEN=1 cargo test --test cli_golden`
//! rewrites the `.out` files.

use layerlab::engine::build::simulated::SimulatedExecutor;
use layerlab::engine::build::{BuildContext, ContextFile};
use layerlab::engine::cli::script::run_script;
use layerlab::engine::world::World;
use std::path::{Path, PathBuf};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/transcripts");

fn collect(root: &Path, dir: &Path, out: &mut Vec<ContextFile>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            out.push(ContextFile {
                path: path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                bytes: std::fs::read(&path).unwrap(),
                mode: 0o644,
            });
        }
    }
}

fn context() -> BuildContext {
    let root = Path::new(DIR).join("context");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    BuildContext::from_files(files).unwrap()
}

#[test]
fn golden_transcripts() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let (mut passed, mut failed) = (0, Vec::new());
    for input in &inputs {
        let text = std::fs::read_to_string(input).unwrap();
        let mut world = World::new();
        world.context = context();
        let got = run_script(&mut world, &text, &mut SimulatedExecutor::new());
        // Determinism: a second fresh world prints the same.
        let mut again = World::new();
        again.context = context();
        assert_eq!(
            got,
            run_script(&mut again, &text, &mut SimulatedExecutor::new())
        );
        let golden = input.with_extension("out");
        if update {
            std::fs::write(&golden, &got).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got == want {
            passed += 1;
        } else {
            failed.push(format!(
                "{}: output differs\n--- got ---\n{got}",
                input.display()
            ));
        }
    }
    println!(
        "golden transcripts: {passed} passed, {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
