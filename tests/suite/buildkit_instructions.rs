//! Conformance: BuildKit's instruction data (`../shared/conformance/buildkit/instructions`).
//! Each source prints `<source>: N passed, M failed`; a failure fails the test
//! unless it is listed in `KNOWN_FAILURES` with a reason.

use std::path::{Path, PathBuf};

use layerlab::engine::dockerfile::instruction::{
    parse_device, parse_instruction, Instruction, ShellOrExec,
};
use layerlab::engine::dockerfile::{parse, Dockerfile};
use serde_json::{json, Value};

const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn data(name: &str) -> Value {
    let p: PathBuf = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/buildkit/instructions"
    ))
    .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn finish(source: &str, passed: usize, failed: Vec<String>) {
    crate::conformance::finish(source, passed, &failed, KNOWN_FAILURES);
}

#[test]
fn error_cases() {
    let (mut passed, mut failed) = (0, Vec::new());
    for c in data("error_cases.json")["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let parsed = parse(c["dockerfile"].as_str().unwrap());
        let got = match (parsed.error(), parsed.nodes.first()) {
            (None, Some(node)) => parse_instruction(node).err().map(|d| d.message),
            _ => Some(format!("PARSE FAILED {:?}", parsed.error())),
        };
        let ok = match (&got, c.get("error_equals"), c.get("error_contains")) {
            (Some(m), Some(eq), _) => eq.as_str() == Some(m.as_str()),
            (Some(m), None, Some(ct)) => m.contains(ct.as_str().unwrap()),
            _ => false,
        };
        if ok {
            passed += 1
        } else {
            failed.push(format!("{id}: {got:?}"))
        }
    }
    finish("instructions/error_cases.json", passed, failed);
}

#[test]
fn heredoc_instructions() {
    let d = data("heredoc_instructions.json");
    let (mut passed, mut failed) = (0, Vec::new());
    for (i, c) in d["copy"].as_array().unwrap().iter().enumerate() {
        let parsed = parse(c["dockerfile"].as_str().unwrap());
        let got = parsed.nodes.first().map(parse_instruction);
        let want = &c["sourcesAndDest"];
        let ok = match &got {
            Some(Ok(Instruction::Copy(cp))) => {
                let contents: Vec<Value> = cp
                    .contents
                    .iter()
                    .map(|s| json!({"Path": s.path, "Data": s.data, "Expand": s.expand}))
                    .collect();
                let want_contents = want.get("SourceContents").cloned().unwrap_or(json!([]));
                let want_paths = want.get("SourcePaths").cloned().unwrap_or(json!([]));
                json!(cp.dest) == want["DestPath"]
                    && json!(cp.sources) == want_paths
                    && Value::Array(contents) == want_contents
            }
            _ => false,
        };
        if ok {
            passed += 1
        } else {
            failed.push(format!("copy-{i}: {got:?}"))
        }
    }
    for (i, c) in d["run"].as_array().unwrap().iter().enumerate() {
        let parsed = parse(c["dockerfile"].as_str().unwrap());
        let got = parsed.nodes.first().map(parse_instruction);
        let ok = match &got {
            Some(Ok(Instruction::Run(run))) => {
                let (shell, cmdline) = match &run.cmd {
                    ShellOrExec::Shell(s) => (true, vec![s.clone()]),
                    ShellOrExec::Exec(v) => (false, v.clone()),
                };
                let files: Vec<Value> = run
                    .heredocs
                    .iter()
                    .map(|h| json!({"Name": h.name, "Data": h.content, "Chomp": h.chomp}))
                    .collect();
                let want_files: Vec<Value> = c.get("files").and_then(|f| f.as_array()).map(|a| a.iter().map(|f| json!({"Name": f["Name"], "Data": f["Data"], "Chomp": f.get("Chomp").cloned().unwrap_or(json!(false))})).collect()).unwrap_or_default();
                json!(shell) == c["shell"] && json!(cmdline) == c["command"] && files == want_files
            }
            _ => false,
        };
        if ok {
            passed += 1
        } else {
            failed.push(format!("run-{i}: {got:?}"))
        }
    }
    finish("instructions/heredoc_instructions.json", passed, failed);
}

#[test]
fn run_device() {
    let (mut passed, mut failed) = (0, Vec::new());
    for (i, c) in data("run_device.json")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let got = parse_device(c["input"].as_str().unwrap());
        let ok = match (&got, c["expectedErr"].as_object()) {
            (Err(e), Some(want)) => want["error"].as_str() == Some(e.as_str()),
            (Ok(dev), None) => json!({"Name": dev.name, "Required": dev.required}) == c["expected"],
            _ => false,
        };
        if ok {
            passed += 1
        } else {
            failed.push(format!("device-{i}: {got:?}"))
        }
    }
    finish("instructions/run_device.json", passed, failed);
}

#[test]
fn stages_and_meta_args() {
    let df = Dockerfile::from_source("ARG BASE=alpine\nFROM $BASE AS Build\nRUN npm ci --omit=dev\nFROM scratch\nCOPY --from=build /a /b\n").unwrap();
    assert_eq!(df.meta_args.len(), 1);
    assert_eq!(df.stages.len(), 2);
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
    assert_eq!(df.stages[0].base, "$BASE");
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.original(), "RUN npm ci --omit=dev");
    assert_eq!(run.line_range(), (3, 3));
    match &df.stages[1].instructions[0] {
        Instruction::Copy(c) => assert_eq!(c.from.as_deref(), Some("build")),
        other => panic!("{other:?}"),
    }
    let err = Dockerfile::from_source("FROM a\nBADCMD x\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "dockerfile parse error on line 2: unknown instruction: BADCMD"
    );
}
