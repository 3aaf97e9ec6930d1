//! Parse + instruction typing + word expansion + lint must never panic or hang.
#![no_main]

use std::collections::BTreeMap;

use layerlab::engine::dockerfile::expand::{Lexer, Scope};
use layerlab::engine::dockerfile::instruction::parse_instruction;
use layerlab::engine::dockerfile::lint::{check, CheckOptions};
use layerlab::engine::dockerfile::{dockerignore::Matcher, parse, Dockerfile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let parsed = parse(src);
    let _ = parsed.dump();
    for node in &parsed.nodes {
        let _ = parse_instruction(node);
        for word in node.args() {
            let mut env = BTreeMap::new();
            env.insert("A".to_string(), word.to_string());
            let _ = Lexer::new(parsed.escape).process_word_with_matches(word, &env);
            let mut raw = Lexer::new('\\');
            raw.raw_quotes = true;
            raw.raw_escapes = true;
            raw.skip_unset_env = true;
            let _ = raw.process_words(word, &env);
        }
    }
    let _ = Dockerfile::from_source(src);
    let _ = Scope::for_from(&[("A".into(), Some(src.chars().take(64).collect()))], &BTreeMap::new());
    let opts = CheckOptions { dockerignore: Some(src), ..CheckOptions::default() };
    let _ = check(src, &opts);
    if let Ok(m) = Matcher::parse(src) {
        let _ = m.matches("a/b/c");
    }
});
