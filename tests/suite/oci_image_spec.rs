//! OCI image-spec conformance: every table in `../shared/conformance/image-spec/cases/`.
//!
//! Each table prints `<source>: N passed, M failed`; a failure not listed in
//! `KNOWN_FAILURES` (with a reason) fails the test.

use layerlab::engine::digest::Digest;
use layerlab::engine::image::{self, media_type, validate, ImageConfig, Index, Manifest};
use serde_json::Value;

const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn load(name: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/image-spec/cases/"
    );
    let text = std::fs::read_to_string(format!("{path}{name}")).expect("conformance file");
    serde_json::from_str(&text).expect("conformance json")
}

fn s<'a>(case: &'a Value, key: &str) -> &'a str {
    case.get(key).and_then(Value::as_str).unwrap_or("")
}

fn run(file: &str, id_key: &str, check: impl Fn(&Value, &Value) -> Result<(), String>) {
    let data = load(file);
    let cases = data["cases"].as_array().expect("cases");
    let mut passed = 0;
    let mut unexpected = Vec::new();
    for case in cases {
        let id = s(case, id_key);
        match check(&data, case) {
            Ok(()) => passed += 1,
            Err(e) if KNOWN_FAILURES.iter().any(|(k, _)| *k == id) => {
                println!("known failure {id}: {e}")
            }
            Err(e) => unexpected.push(format!("{id}: {e}")),
        }
    }
    println!(
        "image-spec/cases/{file}: {passed} passed, {} failed",
        cases.len() - passed
    );
    assert!(unexpected.is_empty(), "{file}:\n{}", unexpected.join("\n"));
}

fn expect_validity(media_type: &str, body: &str, fail: bool) -> Result<(), String> {
    match (validate::validate(media_type, body.as_bytes()), fail) {
        (Ok(()), false) | (Err(_), true) => Ok(()),
        (Ok(()), true) => Err("validated, expected failure".into()),
        (Err(e), false) => Err(format!("rejected: {e}")),
    }
}

fn validity_table(file: &str) {
    run(file, "id", |data, case| {
        expect_validity(
            s(data, "media_type"),
            s(case, "body"),
            case["fail"].as_bool().unwrap_or(false),
        )
    });
}

#[test]
fn manifest() {
    validity_table("manifest.json");
}

#[test]
fn config() {
    validity_table("config.json");
}

#[test]
fn descriptor() {
    validity_table("descriptor.json");
}

#[test]
fn imageindex() {
    validity_table("imageindex.json");
}

#[test]
fn imagelayout() {
    validity_table("imagelayout.json");
}

#[test]
fn spec_examples() {
    run("spec_examples.json", "id", |_, case| {
        expect_validity(s(case, "mediatype"), s(case, "body"), false)
    });
}

#[test]
fn backwards_compatibility() {
    run("backwards_compatibility.json", "id", |data, case| {
        let body = s(case, "body");
        let got = Digest::sha256(body.as_bytes());
        if got.to_string() != s(case, "digest") {
            return Err(format!("digest {got}"));
        }
        let mut oci = body.to_string();
        for (docker, oci_type) in data["docker_to_oci_media_types"].as_object().unwrap() {
            oci = oci.replace(docker.as_str(), oci_type.as_str().unwrap());
        }
        expect_validity(
            s(case, "validate_as"),
            &oci,
            case["fail"].as_bool().unwrap_or(false),
        )?;
        // The typed model must read these real documents too.
        let typed = match s(case, "kind") {
            "config" => ImageConfig::from_bytes(body.as_bytes()).map(|_| ()),
            "manifest" => Manifest::from_bytes(body.as_bytes()).map(|_| ()),
            "imageIndex" => Index::from_bytes(body.as_bytes()).map(|_| ()),
            other => return Err(format!("unknown kind {other}")),
        };
        typed.map_err(|e| format!("typed decode: {e}"))
    });
}

#[test]
fn chainid() {
    run("chainid.json", "name", |_, case| {
        let input: Vec<&str> = case["digests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let want: Vec<&str> = case["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let got = image::chain_id_strings(&input);
        if got == want {
            Ok(())
        } else {
            Err(format!("got {got:?}"))
        }
    });
}

/// What layerlab writes must itself validate, and hash as the ID/digest it reports.
#[test]
fn own_documents_validate() {
    let mut cfg = ImageConfig::default();
    cfg.config.env = vec!["PATH=/usr/bin:/bin".into()];
    cfg.config.cmd = Some(vec!["sh".into()]);
    cfg.created = Some("2024-01-01T00:00:00Z".into());
    let layer = b"not really a tar";
    cfg.rootfs.diff_ids = vec![Digest::sha256(layer)];
    cfg.history.push(image::History {
        created_by: Some("/bin/sh -c #(nop) CMD [\"sh\"]".into()),
        empty_layer: true,
        ..Default::default()
    });
    let config_bytes = cfg.to_bytes().unwrap();
    validate::validate(media_type::IMAGE_CONFIG, &config_bytes).unwrap();
    assert_eq!(cfg.id().unwrap(), Digest::sha256(&config_bytes));
    assert_eq!(ImageConfig::from_bytes(&config_bytes).unwrap(), cfg);
    let m = Manifest::for_image(
        &config_bytes,
        vec![image::Descriptor::of(media_type::IMAGE_LAYER, layer)],
    );
    let mb = m.to_bytes().unwrap();
    validate::validate(media_type::IMAGE_MANIFEST, &mb).unwrap();
    assert_ne!(Digest::sha256(&mb), cfg.id().unwrap());
    let text = String::from_utf8(config_bytes).unwrap();
    assert!(text.starts_with(r#"{"architecture":"amd64","config":{"Env":["PATH=/usr/bin:/bin"],"Cmd":["sh"]},"created":"2024-01-01T00:00:00Z","history":[{"created_by":"/bin/sh -c #(nop) CMD [\"sh\"]","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:"#), "{text}");
}
