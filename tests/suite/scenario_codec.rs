//! Every way a shared link or stored state can be wrong gets its own clear error,
//! through both encodings (link payload and storage JSON), and nothing panics.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::Compression;
use layerlab::engine::examples::NODE_API;
use layerlab::engine::scenario::base64url;
use layerlab::engine::scenario::codec::{MAX_ENCODED_BYTES, MAX_JSON_BYTES};
use layerlab::engine::scenario::{
    decode, encode, from_json, to_json, LessonProgress, Panel, Scenario, ScenarioError, Theme,
    MAX_COMMANDS, MAX_COMMAND_BYTES, MAX_FILES,
};
use serde_json::{json, Value};

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A link payload carrying exactly these JSON bytes.
fn payload(json: &[u8]) -> String {
    format!("v1.{}", base64url::encode(&deflate(json)))
}

/// A valid scenario as JSON, with `edit` applied.
fn scenario_json(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = serde_json::to_value(Scenario::from_example(&NODE_API)).unwrap();
    edit(&mut v);
    v.to_string()
}

/// The error a payload gives.
fn link_error(payload: &str) -> String {
    decode(payload).expect_err("must be refused").to_string()
}

/// The same JSON must give the same error through a link and through storage.
fn check_json(name: &str, json: &str, expect: &str) -> bool {
    let via_link = link_error(&payload(json.as_bytes()));
    let via_storage = from_json(json).expect_err("must be refused").to_string();
    let ok = via_link == via_storage && via_link.contains(expect);
    if !ok {
        eprintln!("{name}: expected {expect:?}\n  link:    {via_link}\n  storage: {via_storage}");
    }
    ok
}

#[test]
fn payload_errors() {
    let valid = encode(&Scenario::from_example(&NODE_API)).unwrap();
    let deflated = base64url::decode(valid.strip_prefix("v1.").unwrap()).unwrap();
    let truncated = format!("v1.{}", base64url::encode(&deflated[..deflated.len() / 2]));
    let mut with_tail = deflated.clone();
    with_tail.extend_from_slice(b"tail");
    let trailing = format!("v1.{}", base64url::encode(&with_tail));
    let bomb = payload(&vec![b' '; MAX_JSON_BYTES + 1]);
    let too_long = format!("v1.{}", "A".repeat(MAX_ENCODED_BYTES));

    let cases: &[(&str, &str, &str)] = &[
        (
            "too long",
            &too_long,
            "scenario link is too long: 65539 bytes (at most 65536)",
        ),
        (
            "no marker",
            "eJxLTEo",
            "scenario has no version marker (expected \"v1.\")",
        ),
        ("not a marker", "x1.eJxL", "scenario has no version marker"),
        (
            "future version",
            "v2.eJxL",
            "unsupported scenario version \"v2\" (this layerlab reads version 1)",
        ),
        (
            "base64 +",
            "v1.ab+c",
            "scenario link is not valid base64url: unexpected character '+' at offset 2",
        ),
        (
            "base64 padding",
            "v1.Zg==",
            "not valid base64url: unexpected character '='",
        ),
        (
            "base64 unicode",
            "v1.Zé",
            "unexpected character 'é' at offset 1",
        ),
        (
            "base64 length",
            "v1.abcde",
            "length 5 is not a possible base64url length (truncated)",
        ),
        ("base64 bits", "v1.Zh", "non-canonical encoding"),
        ("empty", "v1.", "not a deflate stream (empty payload)"),
        (
            "not deflate",
            "v1.____",
            "scenario link is corrupted: not a deflate stream",
        ),
        (
            "truncated deflate",
            &truncated,
            "scenario link is corrupted: not a deflate stream",
        ),
        (
            "trailing data",
            &trailing,
            "unexpected data after the deflate stream",
        ),
        (
            "deflate bomb",
            &bomb,
            "scenario is too large: more than 1048576 bytes of JSON",
        ),
        (
            "not json",
            &payload(b"{not json"),
            "scenario is not valid JSON: key must be a string",
        ),
        (
            "json array",
            &payload(b"[1,2]"),
            "scenario is not valid JSON",
        ),
    ];
    let mut failed = Vec::new();
    for (name, input, expect) in cases {
        let got = link_error(input);
        if !got.contains(expect) {
            failed.push(format!("{name}: expected {expect:?}, got {got:?}"));
        }
    }
    println!(
        "scenario payload errors: {} passed, {} failed",
        cases.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn content_errors() {
    let many_files: Vec<Value> = (0..=MAX_FILES)
        .map(|i| json!([format!("f{i}"), ""]))
        .collect();
    let many_commands = vec!["docker ps"; MAX_COMMANDS + 1];
    let long_command = "x".repeat(MAX_COMMAND_BYTES + 1);
    let long_path = format!("{}/x", "d/".repeat(600));
    let long_name = "n".repeat(256);
    type Case = (&'static str, Box<dyn FnOnce(&mut Value)>, &'static str);
    let file = |path: &str| {
        let path = path.to_string();
        Box::new(move |v: &mut Value| v["context"] = json!([[path, "x"]]))
            as Box<dyn FnOnce(&mut Value)>
    };
    let cases: Vec<Case> = vec![
        ("version 2", Box::new(|v| v["version"] = json!(2)), "unsupported scenario version \"2\""),
        ("version 2 with new fields", Box::new(|v| { v["version"] = json!(2); v["future"] = json!(1) }), "unsupported scenario version \"2\""),
        ("version missing", Box::new(|v| { v.as_object_mut().unwrap().remove("version"); }), "missing field `version`"),
        ("unknown field", Box::new(|v| v["extra"] = json!(1)), "unknown field `extra`"),
        ("dockerfile not a string", Box::new(|v| v["dockerfile"] = json!(5)), "invalid type: integer `5`, expected a string"),
        ("too many files", Box::new(move |v| v["context"] = Value::Array(many_files)), "scenario has too many files: 257 (at most 256)"),
        ("dot-dot", file("../etc/passwd"), "invalid build context path \"../etc/passwd\": \"..\" components are not allowed"),
        ("inner dot-dot", file("a/../../b"), "\"..\" components are not allowed"),
        ("absolute", file("/etc/passwd"), "absolute paths are not allowed"),
        ("empty path", file(""), "invalid build context path \"\": empty path"),
        ("empty component", file("a//b"), "empty path component"),
        ("dot component", file("./a"), "\".\" components are not allowed"),
        ("control character", file("a\nb"), "control characters are not allowed"),
        ("path too long", file(&long_path), "path is too long"),
        ("name too long", file(&long_name), "path component is too long"),
        ("duplicate path", Box::new(|v| v["context"] = json!([["a", "1"], ["b", ""], ["a", "2"]])), "build context path \"a\" appears twice"),
        ("file and directory", Box::new(|v| v["context"] = json!([["src/app", "1"], ["src/app/x.js", ""]])), "build context path \"src/app\" is a file, but \"src/app/x.js\" needs it to be a directory"),
        ("too many commands", Box::new(move |v| v["commands"] = json!(many_commands)), "scenario has too many commands: 257 (at most 256)"),
        ("command too long", Box::new(move |v| v["commands"] = json!(["docker ps", long_command])), "command 1 is too long: 4097 bytes (at most 4096)"),
        ("two commands in one", Box::new(|v| v["commands"] = json!(["docker ps\ndocker rm -f x"])), "command 0 contains a control character"),
        ("bad tag", Box::new(|v| v["tag"] = json!("My-Api:1.0")), "invalid tag \"My-Api:1.0\": invalid reference format: repository name (library/My-Api) must be lowercase"),
        ("bad tag format", Box::new(|v| v["tag"] = json!("a:b:c")), "invalid tag \"a:b:c\": invalid reference format"),
        ("lesson id", Box::new(|v| v["lesson"] = json!({"id": "Bad Id", "step": 0})), "invalid lesson: lesson id may only contain a-z, 0-9 and -"),
        ("lesson empty", Box::new(|v| v["lesson"] = json!({"id": "", "step": 0})), "invalid lesson: empty lesson id"),
        ("lesson long", Box::new(|v| v["lesson"] = json!({"id": "a".repeat(65), "step": 0})), "invalid lesson: lesson id is too long"),
        ("lesson step", Box::new(|v| v["lesson"] = json!({"id": "cache", "step": 5000})), "invalid lesson: lesson step is out of range"),
        ("lesson step negative", Box::new(|v| v["lesson"] = json!({"id": "cache", "step": -1})), "invalid value: integer `-1`"),
        ("unknown panel", Box::new(|v| v["panels"] = json!(["stack", "sidebar"])), "unknown variant `sidebar`"),
        ("duplicate panel", Box::new(|v| v["panels"] = json!(["stack", "stack"])), "panel \"stack\" is listed twice"),
        ("unknown theme", Box::new(|v| v["theme"] = json!("neon")), "unknown variant `neon`"),
    ];
    let total = cases.len();
    let mut failed = 0;
    for (name, edit, expect) in cases {
        if !check_json(name, &scenario_json(edit), expect) {
            failed += 1;
        }
    }
    println!(
        "scenario content errors: {} passed, {failed} failed",
        total - failed
    );
    assert_eq!(failed, 0);
}

#[test]
fn storage_errors() {
    let huge = " ".repeat(MAX_JSON_BYTES + 1);
    assert_eq!(
        from_json(&huge),
        Err(ScenarioError::TooLarge {
            max: MAX_JSON_BYTES
        })
    );
    assert!(matches!(from_json(""), Err(ScenarioError::Json(_))));
    assert!(matches!(from_json("null"), Err(ScenarioError::Json(_))));
}

/// A minimal scenario: only `version` and `dockerfile` are required.
#[test]
fn optional_fields_default() {
    let s = from_json(r#"{"version":1,"dockerfile":"FROM alpine\n"}"#).unwrap();
    assert_eq!(s.context, Vec::<(String, String)>::new());
    assert_eq!(s.tag, "");
    assert!(s.commands.is_empty() && s.panels.is_empty() && s.lesson.is_none());
    assert_eq!(s.theme, Theme::System);
}

#[test]
fn encoding_refuses_what_decoding_would_refuse() {
    let mut s = Scenario::from_example(&NODE_API);
    s.context.push(("../escape".into(), String::new()));
    assert!(matches!(encode(&s), Err(ScenarioError::InvalidPath { .. })));
    assert!(matches!(
        to_json(&s),
        Err(ScenarioError::InvalidPath { .. })
    ));

    // Incompressible content: fine for storage, too long for a link.
    let mut s = Scenario::from_example(&NODE_API);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: String = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect();
    s.context.push(("noise.txt".into(), noise));
    assert!(to_json(&s).is_ok());
    match encode(&s) {
        Err(ScenarioError::EncodedTooLarge { len, max }) => {
            assert!(len > max && max == MAX_ENCODED_BYTES)
        }
        other => panic!("{other:?}"),
    }

    let mut s = Scenario::from_example(&NODE_API);
    s.dockerfile = "#".repeat(MAX_JSON_BYTES);
    assert_eq!(
        to_json(&s),
        Err(ScenarioError::TooLarge {
            max: MAX_JSON_BYTES
        })
    );
}

#[test]
fn everything_round_trips() {
    let s = Scenario {
        version: 1,
        dockerfile: "FROM alpine\nRUN echo 'ünïcødé ✓' > /x\n".into(),
        context: vec![
            ("a b/c d.txt".into(), "spaces\tand tabs\n".into()),
            (
                "src/ßpecial/😀.js".into(),
                "\"quotes\" <script>alert(1)</script>".into(),
            ),
        ],
        tag: "registry.example.com:5000/team/app:v1.2".into(),
        commands: vec![
            "docker build -t x .".into(),
            "docker run --rm x echo \"hi\"".into(),
        ],
        lesson: Some(LessonProgress {
            id: "cache-order".into(),
            step: 3,
        }),
        panels: vec![Panel::Terminal, Panel::Stack],
        theme: Theme::Dark,
    };
    let link = encode(&s).unwrap();
    assert!(link.starts_with("v1."));
    assert!(link[3..]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(decode(&link).unwrap(), s);
    assert_eq!(from_json(&to_json(&s).unwrap()).unwrap(), s);
}

/// The default example fits in a link short enough for chat tools and slides.
#[test]
fn default_example_link_is_short() {
    let mut s = Scenario::from_example(&NODE_API);
    s.commands = vec!["docker build -t my-api:1.0 .".into()];
    let link = s.share_fragment().unwrap();
    println!("default example link: {} bytes", link.len());
    assert!(link.len() < 1500, "{} bytes: {link}", link.len());
}
