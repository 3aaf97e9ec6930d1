//! Deterministic JSON bytes, because digests are taken over bytes.
//!
//! The output is what Go's `encoding/json` writes for the same value: compact, fields in
//! struct order, map keys sorted (`BTreeMap`), and `<`, `>`, `&`, U+2028, U+2029
//! escaped as `\u003c` ... (Go's HTML-safe default). So a config layerlab writes for
//! an image hashes the same as the one Docker would write.

use serde::Serialize;

/// Serialises `value` to canonical JSON bytes.
pub fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let text = serde_json::to_string(value)?;
    // These characters can only occur inside strings in JSON text, so a plain
    // replacement cannot change the structure.
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_like_go() {
        let v = serde_json::json!({"b": "<a&b>", "a": 1});
        assert_eq!(
            String::from_utf8(super::to_bytes(&v).unwrap()).unwrap(),
            r#"{"a":1,"b":"\u003ca\u0026b\u003e"}"#
        );
    }
}
