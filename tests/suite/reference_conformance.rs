//! distribution/reference conformance: every table in
//! `../shared/conformance/distribution-reference/`.
//!
//! Each table prints `<source>: N passed, M failed`; a failure not listed in
//! `KNOWN_FAILURES` (with a reason) fails the test.

use layerlab::engine::digest::DigestError;
use layerlab::engine::reference::{self, grammar, AnyReference, Reference, ReferenceError};
use serde_json::Value;

const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn load(name: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/distribution-reference/"
    );
    let text = std::fs::read_to_string(format!("{path}{name}")).expect("conformance file");
    serde_json::from_str(&text).expect("conformance json")
}

fn s<'a>(case: &'a Value, key: &str) -> &'a str {
    case.get(key).and_then(Value::as_str).unwrap_or("")
}

type Outcome = Result<(), String>;

/// Runs `check` over every case of `file` and prints the pass/fail line.
fn run(file: &str, check: impl Fn(&Value) -> Outcome) {
    let data = load(file);
    let cases = data["cases"].as_array().expect("cases");
    let mut passed = 0;
    let mut unexpected = Vec::new();
    for case in cases {
        let id = s(case, "id");
        match check(case) {
            Ok(()) => passed += 1,
            Err(e) if KNOWN_FAILURES.iter().any(|(k, _)| *k == id) => {
                println!("known failure {id}: {e}")
            }
            Err(e) => unexpected.push(format!("{id}: {e}")),
        }
    }
    println!(
        "distribution-reference/{file}: {passed} passed, {} failed",
        cases.len() - passed
    );
    assert!(unexpected.is_empty(), "{file}:\n{}", unexpected.join("\n"));
}

fn error_name(e: &ReferenceError) -> &'static str {
    match e {
        ReferenceError::InvalidFormat => "ErrReferenceInvalidFormat",
        ReferenceError::TagInvalidFormat => "ErrTagInvalidFormat",
        ReferenceError::DigestInvalidFormat => "ErrDigestInvalidFormat",
        ReferenceError::NameContainsUppercase => "ErrNameContainsUppercase",
        ReferenceError::NameEmpty => "ErrNameEmpty",
        ReferenceError::NameTooLong => "ErrNameTooLong",
        ReferenceError::NameNotCanonical => "ErrNameNotCanonical",
        ReferenceError::NameIsIdentifier(_) => "identifier",
        ReferenceError::RemoteNameNotLowercase(_) => "uppercase",
        ReferenceError::Digest(DigestError::Unsupported) => "digest.ErrDigestUnsupported",
        ReferenceError::Digest(DigestError::InvalidFormat) => "digest.ErrDigestInvalidFormat",
        ReferenceError::Digest(DigestError::InvalidLength) => "digest.ErrDigestInvalidLength",
    }
}

fn expect_err<T: std::fmt::Debug>(got: Result<T, ReferenceError>, case: &Value) -> Outcome {
    match got {
        Err(e) if error_name(&e) == s(case, "err") && e.to_string() == s(case, "err_message") => {
            Ok(())
        }
        other => Err(format!("got {other:?}, want {}", s(case, "err"))),
    }
}

fn eq(what: &str, got: &str, want: &str) -> Outcome {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

fn check_parts(r: &Reference, case: &Value, name_key: &str) -> Outcome {
    eq("name", &r.name(), s(case, name_key))?;
    eq("tag", r.tag().unwrap_or(""), s(case, "tag"))?;
    eq("digest", r.digest().unwrap_or(""), s(case, "digest"))
}

#[test]
fn parse() {
    run("parse.json", |case| {
        let got = reference::parse(s(case, "input"));
        if !s(case, "err").is_empty() {
            return expect_err(got, case);
        }
        let r = got.map_err(|e| e.to_string())?;
        eq("string", &r.to_string(), s(case, "input"))?;
        eq("domain", r.domain(), s(case, "domain"))?;
        check_parts(&r, case, "repository")
    });
}

#[test]
fn with_name_failure() {
    run("with_name_failure.json", |case| {
        expect_err(reference::with_name(s(case, "input")), case)
    });
}

#[test]
fn domain_and_path() {
    run("domain_and_path.json", |case| {
        let r = reference::with_name(s(case, "input")).map_err(|e| e.to_string())?;
        eq("domain", r.domain(), s(case, "domain"))?;
        eq("path", r.path(), s(case, "path"))
    });
}

#[derive(serde::Serialize, serde::Deserialize)]
struct FieldDoc {
    #[serde(rename = "Description")]
    description: String,
    #[serde(rename = "Field")]
    field: Reference,
}

#[test]
fn serialization() {
    run("serialization.json", |case| {
        let json =
            serde_json::json!({"Description": s(case, "description"), "Field": s(case, "input")});
        let text = serde_json::to_string(&json).unwrap();
        let doc: FieldDoc = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        check_parts(&doc.field, case, "name")?;
        eq("remarshal", &serde_json::to_string(&doc).unwrap(), &text)
    });
}

#[test]
fn with_tag() {
    run("with_tag.json", |case| {
        let mut r = reference::with_name(s(case, "name")).map_err(|e| e.to_string())?;
        if !s(case, "digest").is_empty() {
            r = r
                .with_digest(s(case, "digest"))
                .map_err(|e| e.to_string())?;
        }
        let r = r.with_tag(s(case, "tag")).map_err(|e| e.to_string())?;
        eq("combined", &r.to_string(), s(case, "combined"))
    });
}

#[test]
fn with_digest() {
    run("with_digest.json", |case| {
        let mut r = reference::with_name(s(case, "name")).map_err(|e| e.to_string())?;
        if !s(case, "tag").is_empty() {
            r = r.with_tag(s(case, "tag")).map_err(|e| e.to_string())?;
        }
        let r = r
            .with_digest(s(case, "digest"))
            .map_err(|e| e.to_string())?;
        eq("combined", &r.to_string(), s(case, "combined"))
    });
}

#[test]
fn parse_named() {
    run("parse_named.json", |case| {
        let got = reference::parse_named(s(case, "input"));
        if !s(case, "err").is_empty() {
            return expect_err(got, case);
        }
        let r = got.map_err(|e| e.to_string())?;
        eq("domain", r.domain(), s(case, "domain"))?;
        eq("path", r.path(), s(case, "path"))
    });
}

fn validity(file: &str) {
    run(file, |case| {
        let got = reference::parse_normalized_named(s(case, "input"));
        let want = case["valid"].as_bool().unwrap_or(false);
        if got.is_ok() == want {
            Ok(())
        } else {
            Err(format!("got {got:?}, want valid={want}"))
        }
    });
}

#[test]
fn normalized_name_validity() {
    validity("normalized_name_validity.json");
}

#[test]
fn remote_name_validity() {
    validity("remote_name_validity.json");
}

#[test]
fn repository_info() {
    run("repository_info.json", |case| {
        for input in case["inputs"].as_array().unwrap() {
            let r = reference::parse_normalized_named(input.as_str().unwrap())
                .map_err(|e| e.to_string())?;
            eq("familiar", &r.familiar_name(), s(case, "FamiliarName"))?;
            eq("full", &r.to_string(), s(case, "FullName"))?;
            eq("domain", r.domain(), s(case, "Domain"))?;
            eq("path", r.path(), s(case, "RemoteName"))?;
        }
        Ok(())
    });
}

#[test]
fn parse_any() {
    run("parse_any.json", |case| {
        let got =
            reference::parse_any_reference(s(case, "Reference")).map_err(|e| e.to_string())?;
        eq("equivalent", &got.to_string(), s(case, "Equivalent"))?;
        match (&got, case.get("Expected")) {
            (AnyReference::Digest(d), Some(want)) => {
                eq("digest", &d.to_string(), s(want, "digest"))
            }
            (AnyReference::Named(r), None) => {
                let want = reference::parse(s(case, "Equivalent")).map_err(|e| e.to_string())?;
                if *r == want {
                    Ok(())
                } else {
                    Err(format!("got {r:?}, want {want:?}"))
                }
            }
            _ => Err(format!("wrong kind: {got:?}")),
        }
    });
}

#[test]
fn normalized_split_hostname() {
    run("normalized_split_hostname.json", |case| {
        let r = reference::parse_normalized_named(s(case, "input")).map_err(|e| e.to_string())?;
        eq("domain", r.domain(), s(case, "domain"))?;
        eq("path", r.path(), s(case, "path"))
    });
}

#[test]
fn familiar_match() {
    run("familiar_match.json", |case| {
        let r = reference::parse_any_reference(s(case, "reference")).map_err(|e| e.to_string())?;
        let got = reference::familiar_match(s(case, "pattern"), &r).map_err(|e| e.to_string())?;
        let want = case["expected"].as_bool().unwrap_or(false);
        if got == want {
            Ok(())
        } else {
            Err(format!("got {got}"))
        }
    });
}

#[test]
fn parse_docker_ref() {
    run("parse_docker_ref.json", |case| {
        let r = reference::parse_docker_ref(s(case, "input")).map_err(|e| e.to_string())?;
        eq("normalized", &r.to_string(), s(case, "expected"))?;
        let again = reference::parse(s(case, "expected")).map_err(|e| e.to_string())?;
        eq("reparse", &again.to_string(), s(case, "expected"))
    });
}

#[test]
fn normalize_misc() {
    run("normalize_misc.json", |case| match s(case, "test") {
        "TestParseReferenceWithTagAndDigest" => {
            let r =
                reference::parse_normalized_named(s(case, "input")).map_err(|e| e.to_string())?;
            eq("string", &r.to_string(), s(case, "expected_string"))?;
            if r.tag().is_none() || r.digest().is_none() {
                return Err("not both tagged and canonical".into());
            }
            eq("familiar", &r.familiar_string(), s(case, "input"))
        }
        "TestInvalidReferenceComponents" if s(case, "tag").is_empty() => {
            match reference::parse_normalized_named(s(case, "input")) {
                Err(_) => Ok(()),
                Ok(r) => Err(format!("parsed {r}")),
            }
        }
        "TestInvalidReferenceComponents" => {
            let r =
                reference::parse_normalized_named(s(case, "input")).map_err(|e| e.to_string())?;
            match r.with_tag(s(case, "tag")) {
                Err(ReferenceError::TagInvalidFormat) => Ok(()),
                other => Err(format!("got {other:?}")),
            }
        }
        "TestMatchError" => {
            let r = reference::parse_any_reference(s(case, "input")).map_err(|e| e.to_string())?;
            match reference::familiar_match(s(case, "pattern"), &r) {
                Err(_) => Ok(()),
                Ok(m) => Err(format!("no error, matched={m}")),
            }
        }
        other => Err(format!("unknown check {other}")),
    });
}

fn regexp_table(file: &str, subs_of: impl Fn(&str) -> Option<Vec<String>>) {
    run(file, |case| {
        let got = subs_of(s(case, "input"));
        let want = case["match"].as_bool().unwrap_or(false);
        match (got, want) {
            (None, false) => Ok(()),
            (Some(subs), true) => match case.get("subs").and_then(Value::as_array) {
                None => Ok(()),
                Some(want) => {
                    let want: Vec<String> = want
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect();
                    if subs == want {
                        Ok(())
                    } else {
                        Err(format!("subs {subs:?}, want {want:?}"))
                    }
                }
            },
            (got, _) => Err(format!("got {got:?}, want match={want}")),
        }
    });
}

#[test]
fn regexp_domain() {
    regexp_table("regexp_domain.json", |i| {
        grammar::is_domain_and_port(i).then(Vec::new)
    });
}

#[test]
fn regexp_identifier() {
    regexp_table("regexp_identifier.json", |i| {
        grammar::is_identifier(i).then(|| vec![i.to_string()])
    });
}

#[test]
fn regexp_full_name() {
    regexp_table("regexp_full_name.json", |i| {
        grammar::split_name(i).map(|(d, p)| vec![d.to_string(), p.to_string()])
    });
}

#[test]
fn regexp_reference() {
    regexp_table("regexp_reference.json", |i| {
        grammar::match_reference(i)
            .map(|(n, t, d)| vec![n.to_string(), t.to_string(), d.to_string()])
    });
}
