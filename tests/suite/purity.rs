//! Architecture invariant: the engine is pure. No UI crates, no file system, no clock,
//! no threads, no randomness anywhere under `src/engine/`.

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "yew",
    "web_sys",
    "js_sys",
    "wasm_bindgen",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "SystemTime::now",
    "Instant::now",
    "std::thread",
    "thread::spawn",
    "rand::",
    "getrandom",
];

fn visit(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for word in FORBIDDEN {
                    if code.contains(word) {
                        found.push(format!("{}:{}: uses `{word}`", path.display(), n + 1));
                    }
                }
            }
        }
    }
}

#[test]
fn engine_has_no_io_clock_threads_or_randomness() {
    let mut found = Vec::new();
    visit(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine")),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "impure engine code:\n{}",
        found.join("\n")
    );
}

#[test]
fn purity_check_detects_violations() {
    // The scanner itself must be able to fail: feed it a file that breaks the rule.
    let dir = std::env::temp_dir().join(format!("layerlab-purity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.rs"),
        "fn f() { let _ = std::time::Instant::now(); }\n",
    )
    .unwrap();
    let mut found = Vec::new();
    visit(&dir, &mut found);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
}
