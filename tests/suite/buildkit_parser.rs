//! Conformance: BuildKit's parser test data (`../shared/conformance/buildkit/parser`).
//! Each source prints `<source>: N passed, M failed`; a failure fails the test
//! unless it is listed in `KNOWN_FAILURES` with a reason.

use std::path::{Path, PathBuf};

use layerlab::engine::dockerfile::syntax::{
    chomp_heredoc_content, detect_directive, heredocs_from_line, parse, parse_exec_form,
    parse_heredoc, parse_words,
};
use serde_json::Value;

const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/buildkit/parser"
    ))
    .to_path_buf()
}

fn json(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

struct Tally {
    source: &'static str,
    passed: usize,
    failed: Vec<String>,
}

impl Tally {
    fn new(source: &'static str) -> Self {
        Tally {
            source,
            passed: 0,
            failed: Vec::new(),
        }
    }
    fn check(&mut self, id: &str, ok: bool, detail: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed.push(format!("{id}: {}", detail()));
        }
    }
    fn finish(self) {
        crate::conformance::finish(self.source, self.passed, &self.failed, KNOWN_FAILURES);
    }
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn testfiles_dump_byte_exact() {
    let mut t = Tally::new("parser/testfiles");
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("testfiles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read(dir.join("Dockerfile")).unwrap();
        let want = std::fs::read(dir.join("result")).unwrap();
        let src = String::from_utf8(src).unwrap();
        let parsed = parse(&src);
        let got = format!("{}\n", parsed.dump());
        t.check(
            &name,
            parsed.error().is_none() && got.as_bytes() == want.as_slice(),
            || {
                format!(
                    "error={:?}\n--- got\n{got}--- want\n{}",
                    parsed.error(),
                    String::from_utf8_lossy(&want)
                )
            },
        );
    }
    t.finish();
}

#[test]
fn testfiles_negative_are_rejected() {
    let mut t = Tally::new("parser/testfiles-negative");
    for e in std::fs::read_dir(root().join("testfiles-negative")).unwrap() {
        let dir = e.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let parsed = parse(&src);
        t.check(&name, parsed.error().is_some(), || {
            "parsed without error".into()
        });
    }
    t.finish();
}

#[test]
fn parse_words_cases() {
    let mut t = Tally::new("parser/parse_words.json");
    for c in json("parse_words.json")["cases"].as_array().unwrap() {
        let got = parse_words(c["input"].as_str().unwrap(), '\\');
        let want = strs(&c["expect"]);
        t.check(c["id"].as_str().unwrap(), got == want, || {
            format!("{got:?} != {want:?}")
        });
    }
    t.finish();
}

#[test]
fn json_arrays_cases() {
    let mut t = Tally::new("parser/json_arrays.json");
    let data = json("json_arrays.json");
    for (i, c) in data["valid"].as_array().unwrap().iter().enumerate() {
        let got = parse_exec_form(c["input"].as_str().unwrap());
        let want = strs(&c["expect"]);
        t.check(&format!("valid-{i}"), got == Ok(Some(want.clone())), || {
            format!("{got:?}")
        });
    }
    for (i, c) in data["invalid"].as_array().unwrap().iter().enumerate() {
        let got = parse_exec_form(c.as_str().unwrap());
        t.check(
            &format!("invalid-{i}"),
            matches!(got, Err(ref e) if e.contains("strings only")),
            || format!("{got:?}"),
        );
    }
    t.finish();
}

fn heredoc_json(h: &layerlab::engine::dockerfile::Heredoc) -> Value {
    serde_json::json!({
        "Name": h.name, "Content": h.content, "Expand": h.expand,
        "Chomp": h.chomp, "FileDescriptor": h.file_descriptor,
    })
}

fn normalize_heredoc(v: &Value) -> Value {
    serde_json::json!({
        "Name": v["Name"].as_str().unwrap_or(""),
        "Content": v["Content"].as_str().unwrap_or(""),
        "Expand": v["Expand"].as_bool().unwrap_or(false),
        "Chomp": v["Chomp"].as_bool().unwrap_or(false),
        "FileDescriptor": v["FileDescriptor"].as_u64().unwrap_or(0),
    })
}

#[test]
fn heredoc_cases() {
    let mut t = Tally::new("parser/heredocs.json");
    let data = json("heredocs.json");
    let parsed = parse(data["extract"]["dockerfile"].as_str().unwrap());
    t.check("extract-parse", parsed.error().is_none(), || {
        format!("{:?}", parsed.error())
    });
    for (i, want) in data["extract"]["expected_heredocs"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let got: Vec<Value> = parsed
            .nodes
            .get(i + 1)
            .map(|n| n.heredocs.iter().map(heredoc_json).collect())
            .unwrap_or_default();
        let want: Vec<Value> = want
            .as_array()
            .map(|a| a.iter().map(normalize_heredoc).collect())
            .unwrap_or_default();
        t.check(&format!("extract-{}", i + 1), got == want, || {
            format!("{got:?} != {want:?}")
        });
    }
    let parsed = parse(data["json_form"]["dockerfile"].as_str().unwrap());
    for i in 1..=3 {
        let ok = parsed.nodes.get(i).is_some_and(|n| n.heredocs.is_empty());
        t.check(&format!("json_form-{i}"), ok, || {
            "heredoc in exec form".into()
        });
    }
    for (i, c) in data["chomp"].as_array().unwrap().iter().enumerate() {
        let got = chomp_heredoc_content(c["input"].as_str().unwrap());
        t.check(
            &format!("chomp-{i}"),
            got == c["expect"].as_str().unwrap(),
            || got.clone(),
        );
    }
    let helpers = &data["helpers"];
    for w in helpers["valid"].as_array().unwrap() {
        let got = parse_heredoc(w.as_str().unwrap());
        t.check(
            &format!("valid {w}"),
            matches!(&got, Ok(Some(h)) if h.name == "EOF"),
            || format!("{got:?}"),
        );
    }
    for w in helpers["invalid"].as_array().unwrap() {
        let got = parse_heredoc(w.as_str().unwrap());
        t.check(&format!("invalid {w}"), got.is_err(), || format!("{got:?}"));
    }
    for w in helpers["not_heredoc"].as_array().unwrap() {
        let got = parse_heredoc(w.as_str().unwrap());
        t.check(&format!("not_heredoc {w}"), matches!(got, Ok(None)), || {
            format!("{got:?}")
        });
    }
    for c in data["from_line"].as_array().unwrap() {
        let got: Vec<String> = heredocs_from_line(c["line"].as_str().unwrap())
            .unwrap()
            .into_iter()
            .map(|h| h.name)
            .collect();
        let want = strs(&c["heredoc_names"]);
        t.check(c["line"].as_str().unwrap(), got == want, || {
            format!("{got:?}")
        });
    }
    t.finish();
}

#[test]
fn misc_cases() {
    let mut t = Tally::new("parser/misc.json");
    let data = json("misc.json");
    // line numbers
    let src = std::fs::read_to_string(root().join("testfile-line/Dockerfile")).unwrap();
    let parsed = parse(&src);
    let ranges: Vec<Value> = parsed
        .nodes
        .iter()
        .map(|n| serde_json::json!([n.start_line, n.end_line]))
        .collect();
    let root_range = serde_json::json!([
        parsed.nodes.first().map(|n| n.start_line),
        parsed.nodes.last().map(|n| n.end_line)
    ]);
    t.check(
        "line_numbers",
        Value::Array(ranges.clone()) == data["line_numbers"]["children"]
            && root_range == data["line_numbers"]["root"],
        || format!("{ranges:?} {root_range}"),
    );
    // empty continuation warnings
    let parsed = parse(
        data["empty_continuation_warnings"]["dockerfile"]
            .as_str()
            .unwrap(),
    );
    let w: Vec<String> = parsed.warnings().map(|d| d.message.clone()).collect();
    let ok = w.len() == 2
        && w[0].contains("Empty continuation line found in")
        && w[0].contains("RUN something     following     more")
        && w[1].contains("RUN another     thing");
    t.check("empty_continuation_warnings", ok, || format!("{w:?}"));
    // max line length
    let long = format!("LABEL test={}", "a".repeat(65536));
    let parsed = parse(&long);
    let msg = parsed
        .error()
        .map(|d| d.message.clone())
        .unwrap_or_default();
    t.check(
        "max_line_length",
        msg == "dockerfile line greater than max allowed size of 65535",
        || msg.clone(),
    );
    // name_val
    for c in data["name_val"].as_array().unwrap() {
        let src = format!(
            "{} {}",
            c["instruction"].as_str().unwrap(),
            c["input"].as_str().unwrap()
        );
        let parsed = parse(&src);
        let id = c["test"].as_str().unwrap();
        if c["expect_error"].as_bool().unwrap_or(false) {
            t.check(id, parsed.error().is_some(), || "no error".into());
        } else {
            let got: Vec<String> = parsed
                .nodes
                .first()
                .map(|n| n.args().iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            t.check(id, got == strs(&c["expect_nodes"]), || format!("{got:?}"));
        }
    }
    // directives
    for (i, c) in data["directives"].as_array().unwrap().iter().enumerate() {
        let src = format!("{}FROM x\n", c["input"].as_str().unwrap());
        let parsed = parse(&src);
        let got: Vec<Value> = parsed
            .directives
            .iter()
            .map(|d| serde_json::json!({"name": d.name, "value": d.value}))
            .collect();
        t.check(
            &format!("directives-{i}"),
            Value::Array(got.clone()) == c["expect"],
            || format!("{got:?}"),
        );
    }
    for (section, key, any) in [
        ("detect_syntax", "syntax", true),
        ("parse_directive_check", "check", false),
    ] {
        for (i, c) in data[section].as_array().unwrap().iter().enumerate() {
            let input = match c.get("input_base64") {
                Some(b) => String::from_utf8(b64(b.as_str().unwrap())).unwrap(),
                None => c["input"].as_str().unwrap().to_string(),
            };
            let got = detect_directive(key, &input, any);
            let mut ok = got.is_some() == c["ok"].as_bool().unwrap();
            if let Some((r, cmdline, line)) = &got {
                if let Some(w) = c.get("ref") {
                    ok &= w.as_str() == Some(r.as_str());
                }
                if let Some(w) = c.get("cmdline") {
                    ok &= w.as_str() == Some(cmdline.as_str());
                }
                if let Some(w) = c.get("line") {
                    ok &= w.as_u64() == Some(*line as u64);
                }
            }
            t.check(&format!("{section}-{i}"), ok, || format!("{got:?}"));
        }
    }
    t.finish();
}

fn b64(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = alphabet.iter().position(|&a| a == c).unwrap() as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}
