//! Conformance: BuildKit's shell lexer data (`../shared/conformance/buildkit/shell`).
//! Each source prints `<source>: N passed, M failed`; a failure fails the test
//! unless it is listed in `KNOWN_FAILURES` with a reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use layerlab::engine::dockerfile::expand::{
    process_word, process_word_with_matches, process_words,
};
use serde_json::Value;

const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/buildkit/shell"
    ))
    .to_path_buf()
}

fn finish(source: &str, passed: usize, failed: Vec<String>) {
    crate::conformance::finish(source, passed, &failed, KNOWN_FAILURES);
}

#[test]
fn env_var_test() {
    let text = std::fs::read_to_string(root().join("envVarTest")).unwrap();
    let mut env = BTreeMap::new();
    for (k, v) in [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ] {
        env.insert(k.to_string(), v.to_string());
    }
    let (mut passed, mut failed) = (0, Vec::new());
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 3, "line {}", n + 1);
        let (platform, input, expected) = (parts[0].trim(), parts[1].trim(), parts[2].trim());
        if platform == "W" {
            continue;
        }
        let got = process_word(input, &env);
        let ok = match &got {
            Ok(r) => expected != "error" && r == expected,
            Err(_) => expected == "error",
        };
        if ok {
            passed += 1;
        } else {
            failed.push(format!(
                "line {}: {input} => {got:?}, want {expected}",
                n + 1
            ));
        }
    }
    finish("shell/envVarTest", passed, failed);
}

#[test]
fn words_test() {
    let text = std::fs::read_to_string(root().join("wordsTest")).unwrap();
    let mut env: Vec<(String, String)> = Vec::new();
    let (mut passed, mut failed) = (0, Vec::new());
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("ENV ") {
            let rest = rest.trim_start();
            let (k, v) = rest.split_once('=').unwrap();
            env.push((k.to_string(), v.to_string()));
            continue;
        }
        let Some((input, expected)) = line.split_once('|') else {
            continue;
        };
        let input = input.trim();
        let expected = expected.trim_start();
        let got = process_words(input, &env);
        let ok = match &got {
            Ok(words) => {
                expected != "error"
                    && *words == expected.split(',').map(str::to_string).collect::<Vec<_>>()
            }
            Err(_) => expected == "error",
        };
        if ok {
            passed += 1;
        } else {
            failed.push(format!(
                "line {}: {input} => {got:?}, want {expected}",
                n + 1
            ));
        }
    }
    finish("shell/wordsTest", passed, failed);
}

#[test]
fn process_word_cases() {
    let text = std::fs::read_to_string(root().join("process_word_cases.json")).unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    let (mut passed, mut failed) = (0, Vec::new());
    for c in data["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let env: BTreeMap<String, String> = c["envs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let got = process_word_with_matches(c["input"].as_str().unwrap(), &env);
        let ok = match &got {
            Err(e) => {
                c["expected_error"].as_bool().unwrap_or(false)
                    && c["error_contains"]
                        .as_str()
                        .is_none_or(|s| e.to_string().contains(s))
            }
            Ok(r) => {
                let names = |k: &str| -> Option<Vec<String>> {
                    c.get(k).map(|v| {
                        v.as_array()
                            .unwrap()
                            .iter()
                            .map(|x| x.as_str().unwrap().to_string())
                            .collect()
                    })
                };
                !c["expected_error"].as_bool().unwrap_or(false)
                    && c["expected"].as_str() == Some(r.result.as_str())
                    && names("matches")
                        .is_none_or(|m| m == r.matched.iter().cloned().collect::<Vec<_>>())
                    && names("unmatched")
                        .is_none_or(|m| m == r.unmatched.iter().cloned().collect::<Vec<_>>())
            }
        };
        if ok {
            passed += 1;
        } else {
            failed.push(format!("{id}: {got:?}"));
        }
    }
    finish("shell/process_word_cases.json", passed, failed);
}
