//! Golden transcripts: every `tests/data/transcripts/NAME.txt` runs against a fresh
//! world whose build context is `tests/data/transcripts/context/`; the output must
//! equal `NAME.out` byte for byte. The cases are compiled into the engine
//! (`engine::cli::script::golden_cases`) so wasm32 runs the very same ones; this test
//! also checks that list against the folder. `UPDATE_GOLDEN=1 cargo test --test
//! suite cli_golden::` rewrites the `.out` files (then rebuild so the compiled copies follow).

use layerlab::engine::cli::script::{
    bench_transcript, golden_cases, golden_context, run_bench, run_golden,
};
use std::path::{Path, PathBuf};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/transcripts");

fn files(dir: &Path, root: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, root, out);
        } else {
            let rel = path.strip_prefix(root).unwrap();
            out.push(rel.to_string_lossy().into_owned());
        }
    }
}

#[test]
fn every_transcript_file_is_a_compiled_case() {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let compiled: Vec<&str> = golden_cases().iter().map(|(n, _, _)| *n).collect();
    assert_eq!(names, compiled);
    // The compiled context is the folder's.
    let root = Path::new(DIR).join("context");
    let mut on_disk = Vec::new();
    files(&root, &root, &mut on_disk);
    on_disk.sort();
    let ctx = golden_context();
    for f in &on_disk {
        let bytes = std::fs::read(root.join(f)).unwrap();
        let compiled = ctx.fs().read_file(&format!("/{f}")).map(|c| c.to_vec());
        assert_eq!(compiled.ok(), Some(bytes), "{f}");
    }
}

#[test]
fn golden_transcripts() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let (mut passed, mut failed) = (0, Vec::new());
    for (name, _, want) in golden_cases() {
        // Read the input from disk so an edited transcript is seen without waiting
        // for the compiled copy (they are checked equal below when not updating).
        let input = PathBuf::from(DIR).join(format!("{name}.txt"));
        let text = std::fs::read_to_string(&input).unwrap();
        let got = run_golden(&text);
        // Determinism: a second fresh world prints the same.
        assert_eq!(got, run_golden(&text), "{name}: not deterministic");
        if update {
            std::fs::write(input.with_extension("out"), &got).unwrap();
            passed += 1;
            continue;
        }
        if got == *want {
            passed += 1;
        } else {
            failed.push(format!("{name}: output differs\n--- got ---\n{got}"));
        }
    }
    println!(
        "golden transcripts: {passed} passed, {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// The benchmark transcript (`examples/bench_cli.rs`) is 1,000 commands that all
/// succeed, and deterministic.
#[test]
fn bench_transcript_runs_clean() {
    let commands = bench_transcript()
        .lines()
        .filter(|l| l.starts_with("docker "))
        .count();
    assert_eq!(commands, 1000);
    let out = run_bench();
    assert_eq!(out.matches("\n$ docker ").count() + 1, 1000);
    assert!(!out.contains("[exit "), "{out}");
    assert!(out.contains("Layer already exists") || out.contains(": Pushed"));
    assert_eq!(out, run_bench());
}
