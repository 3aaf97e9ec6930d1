//! The hand-written reference grammar against upstream's own regexps
//! (`regex_patterns.json`, compiled with the `regex` crate, RE2 syntax), on a
//! deterministic corpus of strings built from the characters that matter.

use layerlab::engine::reference::grammar;
use regex::Regex;
use serde_json::Value;

fn patterns() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/distribution-reference/regex_patterns.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `\w` is ASCII in RE2 but Unicode in the `regex` crate; spell it out.
fn compile(p: &Value, name: &str) -> Regex {
    let src = p["patterns"][name]
        .as_str()
        .unwrap()
        .replace("\\w", "0-9A-Za-z_");
    Regex::new(&src).unwrap()
}

/// Small xorshift: a fixed corpus, the same on every run.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn string(&mut self, alphabet: &[&str], max: u64) -> String {
        let n = self.next() % max;
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

const ALPHABET: &[&str] = &[
    "a",
    "b",
    "z",
    "0",
    "9",
    "A",
    "F",
    "G",
    ".",
    "_",
    "__",
    "-",
    "--",
    ":",
    "/",
    "@",
    "[",
    "]",
    "::1",
    "sha256:",
    "0123456789abcdef0123456789abcdef",
    "%",
    "+",
    "localhost",
    "é",
];

#[test]
fn grammar_matches_upstream_regexps() {
    let p = patterns();
    let reference = compile(&p, "ReferenceRegexp");
    let name = compile(&p, "anchoredNameRegexp");
    let domain = compile(&p, "anchoredDomain (TestDomainRegexp)");
    let tag = compile(&p, "anchoredTag");
    let digest = compile(&p, "anchoredDigest");
    let identifier = compile(&p, "anchoredIdentifier");
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    let mut matched = 0;
    let mut mismatches = Vec::new();
    for _ in 0..30_000 {
        let s = g.string(ALPHABET, 9);
        let caps = |re: &Regex| {
            re.captures(&s).map(|c| {
                (1..c.len())
                    .map(|i| c.get(i).map_or("", |m| m.as_str()).to_string())
                    .collect::<Vec<_>>()
            })
        };
        let got_ref =
            grammar::match_reference(&s).map(|(a, b, c)| vec![a.into(), b.into(), c.into()]);
        let got_name = grammar::split_name(&s).map(|(a, b)| vec![a.to_string(), b.to_string()]);
        let pairs = [
            ("reference", got_ref, caps(&reference)),
            ("name", got_name, caps(&name)),
            (
                "domain",
                grammar::is_domain_and_port(&s).then(Vec::new),
                domain.is_match(&s).then(Vec::new),
            ),
            (
                "tag",
                grammar::is_tag(&s).then(Vec::new),
                tag.is_match(&s).then(Vec::new),
            ),
            (
                "digest",
                grammar::is_digest(&s).then(Vec::new),
                digest.is_match(&s).then(Vec::new),
            ),
            (
                "identifier",
                grammar::is_identifier(&s).then(Vec::new),
                identifier.is_match(&s).then(Vec::new),
            ),
        ];
        for (what, got, want) in pairs {
            checked += 1;
            matched += usize::from(want.is_some());
            if got != want {
                mismatches.push(format!("{what} {s:?}: got {got:?}, want {want:?}"));
            }
        }
    }
    let failed = mismatches.len();
    println!(
        "distribution-reference/regex_patterns.json (differential): {} passed, {failed} failed",
        checked - failed
    );
    println!("  of which {matched} matched");
    // The corpus must exercise matches too, not only rejections.
    assert!(
        matched > checked / 40,
        "corpus too sparse: {matched} of {checked}"
    );
    mismatches.truncate(20);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
