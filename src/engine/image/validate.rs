//! Validation of OCI JSON documents as image-spec's own validator does it
//! (`schema/validator.go`): the document must decode into the Go struct (types),
//! satisfy the JSON schema of its media type (`schema/*.json`), and pass the extra
//! semantic rules — a descriptor's digest must pass go-digest validation unless its
//! algorithm is merely unsupported, and every config `Env` entry must match
//! `^[^=]+=.*$`.
//!
//! The schemas are small, so each is written out here as rules over a JSON value
//! instead of shipping a JSON-schema engine to the browser.

use super::media_type;
use crate::engine::digest::{self, Algorithm, DigestError};
use serde_json::{Map, Value};

/// Why a document is not valid: the JSON path of the offending field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("{media_type} format mismatch: {message}")]
    Decode { media_type: String, message: String },
    #[error("{path}: {message}")]
    Schema { path: String, message: String },
    #[error("unsupported media type for validation: {0}")]
    UnknownMediaType(String),
}

fn err<T>(path: &str, message: impl Into<String>) -> Result<T, ValidationError> {
    Err(ValidationError::Schema {
        path: path.to_string(),
        message: message.into(),
    })
}

type Checked = Result<(), ValidationError>;

/// Validates `body` as a document of `media_type` (descriptor, manifest, index,
/// config or layout header).
pub fn validate(media_type: &str, body: &[u8]) -> Checked {
    let value: Value = serde_json::from_slice(body).map_err(|e| ValidationError::Decode {
        media_type: media_type.to_string(),
        message: e.to_string(),
    })?;
    let root = object(&value, "$")?;
    match media_type {
        media_type::DESCRIPTOR => descriptor(root, "$", DescriptorKind::Content, true),
        media_type::IMAGE_MANIFEST => manifest(root),
        media_type::IMAGE_INDEX => index(root),
        media_type::IMAGE_CONFIG => config(root),
        media_type::OCI_LAYOUT_HEADER => layout_header(root),
        other => Err(ValidationError::UnknownMediaType(other.to_string())),
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ValidationError> {
    v.as_object()
        .map_or_else(|| err(path, "expected an object"), Ok)
}

fn field<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key)
}

fn required<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, ValidationError> {
    o.get(key)
        .map_or_else(|| err(path, format!("{key} is required")), Ok)
}

fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, ValidationError> {
    v.as_str()
        .map_or_else(|| err(path, "expected a string"), Ok)
}

fn opt_string(o: &Map<String, Value>, key: &str, path: &str) -> Checked {
    if let Some(v) = field(o, key) {
        string(v, &format!("{path}.{key}"))?;
    }
    Ok(())
}

fn string_array(v: &Value, path: &str) -> Checked {
    let Some(items) = v.as_array() else {
        return err(path, "expected an array");
    };
    for (i, item) in items.iter().enumerate() {
        string(item, &format!("{path}[{i}]"))?;
    }
    Ok(())
}

/// `"type": "integer"` as Go's int64 decoding sees it: no fraction, no exponent form.
fn integer(v: &Value, path: &str) -> Result<i64, ValidationError> {
    v.as_i64()
        .map_or_else(|| err(path, "expected an integer"), Ok)
}

/// `mapStringString`: an object whose values are strings.
fn map_string_string(v: &Value, path: &str) -> Checked {
    for (k, item) in object(v, path)? {
        string(item, &format!("{path}.{k}"))?;
    }
    Ok(())
}

/// `mapStringObject`: an object whose values are objects (Go `map[string]struct{}`).
fn map_string_object(v: &Value, path: &str) -> Checked {
    for (k, item) in object(v, path)? {
        object(item, &format!("{path}.{k}"))?;
    }
    Ok(())
}

/// `defs-descriptor.json#/definitions/mediaType`:
/// `^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$`.
pub fn is_media_type(s: &str) -> bool {
    let part = |p: &str| {
        let b = p.as_bytes();
        !b.is_empty()
            && b.len() <= 127
            && b[0].is_ascii_alphanumeric()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(c))
    };
    match s.split_once('/') {
        Some((t, sub)) => part(t) && part(sub),
        None => false,
    }
}

fn media_type_field(v: &Value, path: &str) -> Checked {
    if is_media_type(string(v, path)?) {
        Ok(())
    } else {
        err(path, "does not match the media type pattern")
    }
}

/// `defs-descriptor.json#/definitions/digest`:
/// `^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`.
fn is_digest_pattern(s: &str) -> bool {
    match s.split_once(':') {
        Some((alg, enc)) => {
            digest::is_algorithm_identifier(alg, b"+._-")
                && !enc.is_empty()
                && enc
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'=' || c == b'_' || c == b'-')
        }
        None => false,
    }
}

/// `"format": "uri"` as gojsonschema checks it: parses, and has a scheme.
fn is_uri(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let b = scheme.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"+.-".contains(c))
        && !s.contains('\\')
        && !s.chars().any(|c| c.is_control() || c == ' ')
}

/// Go decodes `[]byte` from standard, padded base64.
fn is_base64(s: &str) -> bool {
    let b: Vec<u8> = s.bytes().filter(|c| *c != b'\r' && *c != b'\n').collect();
    if b.len() % 4 != 0 {
        return false;
    }
    let pad = b.iter().rev().take_while(|c| **c == b'=').count();
    pad <= 2
        && b[..b.len() - pad]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

/// `"format": "date-time"`: RFC 3339, as Go's `time.Parse(time.RFC3339, s)`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .and_then(|t| t.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    };
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || num(11..13) > 23 || num(14..16) > 59 || num(17..19) > 59 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2]
            if (*sign == b'+' || *sign == b'-')
                && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
        {
            num(i + 1..i + 3) <= 23 && num(i + 4..i + 6) <= 59
        }
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DescriptorKind {
    /// `content-descriptor.json`.
    Content,
    /// An index's `manifests[]` item (platform's fields required there).
    IndexEntry,
}

fn descriptor(
    o: &Map<String, Value>,
    path: &str,
    kind: DescriptorKind,
    check_digest: bool,
) -> Checked {
    media_type_field(
        required(o, "mediaType", path)?,
        &format!("{path}.mediaType"),
    )?;
    let size = integer(required(o, "size", path)?, &format!("{path}.size"))?;
    if kind == DescriptorKind::Content && size < 0 {
        return err(&format!("{path}.size"), "must be at least 0");
    }
    let dpath = format!("{path}.digest");
    let digest = string(required(o, "digest", path)?, &dpath)?;
    if !is_digest_pattern(digest) {
        return err(&dpath, "does not match the digest pattern");
    }
    if check_digest {
        match digest::validate(digest, Algorithm::ALL) {
            Ok(_) | Err(DigestError::Unsupported) => {}
            Err(e) => return err(&dpath, e.to_string()),
        }
    }
    if let Some(urls) = field(o, "urls") {
        let upath = format!("{path}.urls");
        string_array(urls, &upath)?;
        for u in urls.as_array().into_iter().flatten() {
            if !u.as_str().is_some_and(is_uri) {
                return err(&upath, "not a uri");
            }
        }
    }
    if let Some(data) = field(o, "data") {
        if !is_base64(string(data, &format!("{path}.data"))?) {
            return err(&format!("{path}.data"), "illegal base64 data");
        }
    }
    if let Some(a) = field(o, "artifactType") {
        media_type_field(a, &format!("{path}.artifactType"))?;
    }
    if let Some(a) = field(o, "annotations") {
        map_string_string(a, &format!("{path}.annotations"))?;
    }
    if let Some(p) = field(o, "platform") {
        platform(
            p,
            &format!("{path}.platform"),
            kind == DescriptorKind::IndexEntry,
        )?;
    }
    Ok(())
}

fn platform(v: &Value, path: &str, require: bool) -> Checked {
    let o = object(v, path)?;
    for key in ["architecture", "os"] {
        match field(o, key) {
            Some(s) => {
                string(s, &format!("{path}.{key}"))?;
            }
            None if require => return err(path, format!("{key} is required")),
            None => {}
        }
    }
    opt_string(o, "os.version", path)?;
    opt_string(o, "variant", path)?;
    if let Some(f) = field(o, "os.features") {
        string_array(f, &format!("{path}.os.features"))?;
    }
    Ok(())
}

fn schema_version(o: &Map<String, Value>) -> Checked {
    if integer(required(o, "schemaVersion", "$")?, "$.schemaVersion")? != 2 {
        return err("$.schemaVersion", "must be 2");
    }
    Ok(())
}

fn common_top(o: &Map<String, Value>) -> Checked {
    schema_version(o)?;
    if let Some(m) = field(o, "mediaType") {
        media_type_field(m, "$.mediaType")?;
    }
    if let Some(a) = field(o, "artifactType") {
        media_type_field(a, "$.artifactType")?;
    }
    if let Some(s) = field(o, "subject") {
        descriptor(
            object(s, "$.subject")?,
            "$.subject",
            DescriptorKind::Content,
            false,
        )?;
    }
    if let Some(a) = field(o, "annotations") {
        map_string_string(a, "$.annotations")?;
    }
    Ok(())
}

fn manifest(o: &Map<String, Value>) -> Checked {
    common_top(o)?;
    let c = required(o, "config", "$")?;
    descriptor(
        object(c, "$.config")?,
        "$.config",
        DescriptorKind::Content,
        false,
    )?;
    let layers = required(o, "layers", "$")?;
    let Some(layers) = layers.as_array() else {
        return err("$.layers", "expected an array");
    };
    if layers.is_empty() {
        return err("$.layers", "must have at least 1 item");
    }
    for (i, l) in layers.iter().enumerate() {
        let p = format!("$.layers[{i}]");
        descriptor(object(l, &p)?, &p, DescriptorKind::Content, false)?;
    }
    Ok(())
}

fn index(o: &Map<String, Value>) -> Checked {
    common_top(o)?;
    let Some(manifests) = required(o, "manifests", "$")?.as_array() else {
        return err("$.manifests", "expected an array");
    };
    for (i, m) in manifests.iter().enumerate() {
        let p = format!("$.manifests[{i}]");
        descriptor(object(m, &p)?, &p, DescriptorKind::IndexEntry, false)?;
    }
    Ok(())
}

/// image-spec's Env rule, `^[^=]+=.*$` with Go's `.` (no newline).
fn is_env_entry(e: &str) -> bool {
    match e.find('=') {
        Some(i) => i > 0 && !e[i + 1..].contains('\n'),
        None => false,
    }
}

fn config(o: &Map<String, Value>) -> Checked {
    for key in ["architecture", "os"] {
        string(required(o, key, "$")?, &format!("$.{key}"))?;
    }
    for key in ["author", "variant", "os.version"] {
        opt_string(o, key, "$")?;
    }
    if let Some(c) = field(o, "created") {
        if !is_rfc3339(string(c, "$.created")?) {
            return err("$.created", "not a date-time");
        }
    }
    if let Some(f) = field(o, "os.features") {
        string_array(f, "$.os.features")?;
    }
    if let Some(c) = field(o, "config") {
        container_config(object(c, "$.config")?)?;
    }
    let rootfs = object(required(o, "rootfs", "$")?, "$.rootfs")?;
    string_array(
        required(rootfs, "diff_ids", "$.rootfs")?,
        "$.rootfs.diff_ids",
    )?;
    if string(required(rootfs, "type", "$.rootfs")?, "$.rootfs.type")? != "layers" {
        return err("$.rootfs.type", "must be \"layers\"");
    }
    if let Some(h) = field(o, "history") {
        let Some(entries) = h.as_array() else {
            return err("$.history", "expected an array");
        };
        for (i, e) in entries.iter().enumerate() {
            let p = format!("$.history[{i}]");
            let e = object(e, &p)?;
            for key in ["author", "created_by", "comment"] {
                opt_string(e, key, &p)?;
            }
            if let Some(c) = field(e, "created") {
                if !is_rfc3339(string(c, &format!("{p}.created"))?) {
                    return err(&format!("{p}.created"), "not a date-time");
                }
            }
            if let Some(b) = field(e, "empty_layer") {
                if !b.is_boolean() {
                    return err(&format!("{p}.empty_layer"), "expected a boolean");
                }
            }
        }
    }
    Ok(())
}

fn container_config(c: &Map<String, Value>) -> Checked {
    let p = "$.config";
    for key in ["User", "WorkingDir", "StopSignal"] {
        opt_string(c, key, p)?;
    }
    if let Some(v) = field(c, "ExposedPorts") {
        map_string_object(v, "$.config.ExposedPorts")?;
    }
    if let Some(env) = field(c, "Env") {
        string_array(env, "$.config.Env")?;
        for e in env
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !is_env_entry(e) {
                return err("$.config.Env", format!("unexpected env: {e:?}"));
            }
        }
    }
    for key in ["Entrypoint", "Cmd"] {
        match field(c, key) {
            None | Some(Value::Null) => {}
            Some(v) => string_array(v, &format!("{p}.{key}"))?,
        }
    }
    match field(c, "Volumes") {
        None | Some(Value::Null) => {}
        Some(v) => map_string_object(v, "$.config.Volumes")?,
    }
    match field(c, "Labels") {
        None | Some(Value::Null) => {}
        Some(v) => map_string_string(v, "$.config.Labels")?,
    }
    if let Some(b) = field(c, "ArgsEscaped") {
        if !b.is_boolean() {
            return err("$.config.ArgsEscaped", "expected a boolean");
        }
    }
    Ok(())
}

fn layout_header(o: &Map<String, Value>) -> Checked {
    let v = string(
        required(o, "imageLayoutVersion", "$")?,
        "$.imageLayoutVersion",
    )?;
    if v != "1.0.0" {
        return err("$.imageLayoutVersion", "must be \"1.0.0\"");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert!(is_rfc3339("2015-10-31T22:22:56.015925234Z"));
        assert!(is_rfc3339("2015-10-31T22:22:56+01:00"));
        assert!(!is_rfc3339("2015-02-30T22:22:56Z"));
        assert!(!is_rfc3339("2015-10-31 22:22:56Z"));
        assert!(!is_rfc3339("2015-10-31T22:22:56."));
    }

    #[test]
    fn env_rule() {
        assert!(is_env_entry("A=b"));
        assert!(is_env_entry("A="));
        assert!(!is_env_entry("=b"));
        assert!(!is_env_entry("foo"));
        assert!(!is_env_entry("A=b\nc"));
    }
}
