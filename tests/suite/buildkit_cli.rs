//! The host CLI face: `layerlab dockerfile dump` prints exactly BuildKit's
//! `result` files; rejected input exits 1 with the error on stderr;
//! `layerlab check` exits 1 on warnings and 0 on a clean Dockerfile.

use std::path::Path;
use std::process::Command;

fn layerlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_layerlab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn dump_matches_result_files_and_rejects_negatives() {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/buildkit/parser"
    ));
    let mut n = 0;
    for e in std::fs::read_dir(root.join("testfiles")).unwrap() {
        let dir = e.unwrap().path();
        let out = layerlab(&[
            "dockerfile",
            "dump",
            dir.join("Dockerfile").to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", dir.display());
        assert_eq!(
            out.stdout,
            std::fs::read(dir.join("result")).unwrap(),
            "{}",
            dir.display()
        );
        n += 1;
    }
    assert!(n > 0);
    let out = layerlab(&[
        "dockerfile",
        "dump",
        root.join("testfiles-negative/env_no_value/Dockerfile")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ENV must have two arguments"));
}

#[test]
fn check_exit_codes_and_format() {
    let dir = std::env::temp_dir().join(format!("layerlab-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM alpine\nCMD echo hi\n").unwrap();
    let out = layerlab(&["check", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("WARNING: JSONArgsRecommended - https://docs.docker.com/go/dockerfile/rule/json-args-recommended/\nJSON arguments recommended for CMD to prevent unintended behavior related to OS signals\nDockerfile:2\n"), "{text}");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM alpine\nCMD [\"echo\", \"hi\"]\n",
    )
    .unwrap();
    let out = layerlab(&["check", "-f", dir.join("Dockerfile").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}
