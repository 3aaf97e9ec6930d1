//! The two encodings of a [`Scenario`]:
//!
//! * link payload: `v1.` + base64url(raw deflate(JSON)), for URL fragments. Raw deflate
//!   (RFC 1951, no zlib/gzip header) because every byte counts in a link, and base64url
//!   because its alphabet needs no percent-encoding in a fragment or query.
//! * plain JSON, for browser storage (`localStorage` holds strings; compressing would
//!   only make stored state harder to inspect).
//!
//! Both directions validate. Decoding checks the payload length before decoding
//! base64, inflates through a reader that stops one byte past [`MAX_JSON_BYTES`] (a
//! deflate bomb costs at most that much memory), and checks the JSON against
//! [`Scenario::validate`].

use std::io::{Read, Write};

use flate2::bufread::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use serde::Deserialize;

use super::{base64url, shorten, Scenario, ScenarioError, VERSION};

/// Longest link payload accepted or produced (browsers keep far longer URLs, but
/// chat tools and documentation pages truncate or choke on them).
pub const MAX_ENCODED_BYTES: usize = 64 * 1024;
/// Most JSON a scenario may occupy, inflated or stored.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// The link payload of a scenario: `v1.<base64url of deflated JSON>`.
pub fn encode(scenario: &Scenario) -> Result<String, ScenarioError> {
    let json = to_json(scenario)?;
    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail; map anyway rather than unwrap.
    deflater
        .write_all(json.as_bytes())
        .map_err(|e| ScenarioError::NotDeflate(e.to_string()))?;
    let deflated = deflater
        .finish()
        .map_err(|e| ScenarioError::NotDeflate(e.to_string()))?;
    let payload = format!("v{VERSION}.{}", base64url::encode(&deflated));
    if payload.len() > MAX_ENCODED_BYTES {
        return Err(ScenarioError::EncodedTooLarge {
            len: payload.len(),
            max: MAX_ENCODED_BYTES,
        });
    }
    Ok(payload)
}

/// The scenario in a link payload made by [`encode`].
pub fn decode(payload: &str) -> Result<Scenario, ScenarioError> {
    if payload.len() > MAX_ENCODED_BYTES {
        return Err(ScenarioError::EncodedTooLarge {
            len: payload.len(),
            max: MAX_ENCODED_BYTES,
        });
    }
    let Some((marker, data)) = payload.split_once('.') else {
        return Err(ScenarioError::MissingVersion);
    };
    check_marker(marker)?;
    let deflated = base64url::decode(data)?;
    let json = inflate(&deflated)?;
    parse(&json)
}

/// `v1` is this format; `v<digits>` is a format from another layerlab; anything
/// else is not a layerlab payload at all.
fn check_marker(marker: &str) -> Result<(), ScenarioError> {
    if marker == format!("v{VERSION}") {
        return Ok(());
    }
    match marker.strip_prefix('v') {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            Err(ScenarioError::UnknownVersion(shorten(marker)))
        }
        _ => Err(ScenarioError::MissingVersion),
    }
}

/// Inflates raw deflate data, refusing more than [`MAX_JSON_BYTES`] of output and
/// any bytes after the end of the deflate stream.
fn inflate(deflated: &[u8]) -> Result<Vec<u8>, ScenarioError> {
    if deflated.is_empty() {
        return Err(ScenarioError::NotDeflate("empty payload".into()));
    }
    let mut decoder = DeflateDecoder::new(deflated);
    let mut json = Vec::new();
    let limit = MAX_JSON_BYTES as u64 + 1;
    (&mut decoder)
        .take(limit)
        .read_to_end(&mut json)
        .map_err(|e| ScenarioError::NotDeflate(e.to_string()))?;
    if json.len() > MAX_JSON_BYTES {
        return Err(ScenarioError::TooLarge {
            max: MAX_JSON_BYTES,
        });
    }
    // `bufread` decoders consume exactly the input they used: what is left over was
    // appended to the stream.
    if !decoder.get_ref().is_empty() {
        return Err(ScenarioError::TrailingData);
    }
    Ok(json)
}

/// The scenario as JSON for browser storage.
pub fn to_json(scenario: &Scenario) -> Result<String, ScenarioError> {
    scenario.validate()?;
    let json = serde_json::to_string(scenario).map_err(|e| ScenarioError::Json(e.to_string()))?;
    if json.len() > MAX_JSON_BYTES {
        return Err(ScenarioError::TooLarge {
            max: MAX_JSON_BYTES,
        });
    }
    Ok(json)
}

/// The scenario in JSON made by [`to_json`] (e.g. read back from browser storage).
pub fn from_json(json: &str) -> Result<Scenario, ScenarioError> {
    if json.len() > MAX_JSON_BYTES {
        return Err(ScenarioError::TooLarge {
            max: MAX_JSON_BYTES,
        });
    }
    parse(json.as_bytes())
}

/// Reads only `version`, so that a scenario from a newer layerlab (with fields this
/// one does not know) is reported as a version problem, not as a bad field.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<u64>,
}

fn parse(json: &[u8]) -> Result<Scenario, ScenarioError> {
    if let Ok(VersionProbe { version: Some(v) }) = serde_json::from_slice::<VersionProbe>(json) {
        if v != u64::from(VERSION) {
            return Err(ScenarioError::UnknownVersion(v.to_string()));
        }
    }
    let scenario: Scenario =
        serde_json::from_slice(json).map_err(|e| ScenarioError::Json(e.to_string()))?;
    scenario.validate()?;
    Ok(scenario)
}
