//! go-digest conformance: `../shared/conformance/go-digest/*.json`.
//!
//! Each table prints `<source>: N passed, M failed`; a failure not listed in
//! `KNOWN_FAILURES` (with a reason) fails the test.

use layerlab::engine::digest::{self, Algorithm, Digest, DigestError, DigestSet, LookupError};
use serde_json::Value;

const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn load(name: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/go-digest/"
    );
    let text = std::fs::read_to_string(format!("{path}{name}")).expect("conformance file");
    serde_json::from_str(&text).expect("conformance json")
}

fn s<'a>(case: &'a Value, key: &str) -> &'a str {
    case.get(key).and_then(Value::as_str).unwrap_or("")
}

fn report(source: &str, results: Vec<(String, Result<(), String>)>) {
    let passed = results.iter().filter(|(_, r)| r.is_ok()).count();
    let failed = results.len() - passed;
    println!("{source}: {passed} passed, {failed} failed");
    let unexpected: Vec<String> = results
        .into_iter()
        .filter_map(|(id, r)| r.err().map(|e| (id, e)))
        .filter(|(id, _)| !KNOWN_FAILURES.iter().any(|(k, _)| k == id))
        .map(|(id, e)| format!("{id}: {e}"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{source}:\n{}",
        unexpected.join("\n")
    );
}

fn error_name(e: DigestError) -> &'static str {
    match e {
        DigestError::InvalidFormat => "ErrDigestInvalidFormat",
        DigestError::InvalidLength => "ErrDigestInvalidLength",
        DigestError::Unsupported => "ErrDigestUnsupported",
    }
}

#[test]
fn parse_digest() {
    let data = load("parse_digest.json");
    let mut results = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let input = s(case, "input");
        let got = digest::validate(input, Algorithm::ALL);
        let want_err = s(case, "error");
        let r = match got {
            Err(e) if want_err == error_name(e) => {
                if e.to_string() == s(case, "error_message") {
                    Ok(())
                } else {
                    Err(format!("message {e}"))
                }
            }
            Err(e) => Err(format!("got {e:?}, want {want_err:?}")),
            Ok(_) if !want_err.is_empty() => Err(format!("parsed, want {want_err}")),
            Ok(p) => {
                let round = format!("{}:{}", p.algorithm, p.encoded);
                if p.algorithm == s(case, "algorithm")
                    && p.encoded == s(case, "encoded")
                    && round == input
                    && digest::validate(&round, Algorithm::ALL) == Ok(p)
                {
                    Ok(())
                } else {
                    Err(format!("got {p:?}"))
                }
            }
        };
        results.push((s(case, "id").to_string(), r));
    }
    report("go-digest/parse_digest.json", results);
}

#[test]
fn digestset() {
    let data = load("digestset.json");
    let set = DigestSet::new(
        data["digests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| Digest::parse(d.as_str().unwrap()).unwrap()),
    );
    let mut results = Vec::new();
    for (i, case) in data["lookup"].as_array().unwrap().iter().enumerate() {
        let got = set.lookup(s(case, "query"));
        let r = match (got, s(case, "error")) {
            (Ok(d), "") if d.to_string() == s(case, "expect") => Ok(()),
            (Err(LookupError::Ambiguous), "ErrDigestAmbiguous") => Ok(()),
            (Err(LookupError::NotFound), "ErrDigestNotFound") => Ok(()),
            (got, want) => Err(format!("got {got:?}, want {want:?}")),
        };
        results.push((format!("lookup-{}", i + 1), r));
    }
    let table =
        set.short_code_table(data["short_code_table"]["min_length"].as_u64().unwrap() as usize);
    for (digest, want) in data["short_code_table"]["expect"].as_object().unwrap() {
        let got = table.get(&Digest::parse(digest).unwrap());
        let r = if got.map(String::as_str) == want.as_str() {
            Ok(())
        } else {
            Err(format!("{digest}: got {got:?}, want {want}"))
        };
        results.push((format!("short-{digest}"), r));
    }
    assert_eq!(set.lookup("").unwrap_err().to_string(), "digest not found");
    report("go-digest/digestset.json", results);
}

#[test]
fn algorithm_names() {
    let data = load("algorithm_names.json");
    let mut results = Vec::new();
    for (key, want) in [("valid", true), ("invalid", false)] {
        for name in data[key].as_array().unwrap() {
            let name = name.as_str().unwrap();
            let got = digest::is_algorithm_identifier(name, b"+._-");
            let r = if got == want {
                Ok(())
            } else {
                Err(format!("{name}: got {got}"))
            };
            results.push((format!("{key}-{name}"), r));
        }
    }
    // Verifier panics become errors here: none of these digests can be verified.
    for case in data["verifier_panics"].as_array().unwrap() {
        let d = s(case, "digest");
        let r = match Digest::parse(d) {
            Err(_) => Ok(()),
            Ok(_) => Err(format!("{d:?} parsed")),
        };
        results.push((format!("verifier-{d}"), r));
    }
    report("go-digest/algorithm_names.json", results);
}
