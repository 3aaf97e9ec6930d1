//! Content digests (`algorithm:encoded`), as go-digest defines them.
//!
//! This module is the only user of `sha2`: every other part of the engine asks it
//! for digests, so the algorithm and its string form live in one place.

use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// A `sha256:<64 lowercase hex>` digest.
///
/// Guarantee: the encoded part is exactly 64 lowercase hex characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    hex: String,
}

impl Digest {
    /// The sha256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Digest {
        let mut h = Sha256::new();
        h.update(bytes);
        Digest::from_hash(h.finalize().as_slice())
    }

    fn from_hash(hash: &[u8]) -> Digest {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(64);
        for b in hash {
            hex.push(HEX[(b >> 4) as usize] as char);
            hex.push(HEX[(b & 15) as usize] as char);
        }
        Digest { hex }
    }

    /// The 64 hex characters after `sha256:`.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The 12-character short form Docker prints as an image ID.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }

    /// Parses `sha256:<64 lowercase hex>`, the only algorithm the engine hashes with.
    ///
    /// Other well-formed algorithms give [`DigestError::Unsupported`], as go-digest does
    /// for an algorithm whose hash is not linked in.
    pub fn parse(s: &str) -> Result<Digest, DigestError> {
        let parsed = validate(s, &[Algorithm::Sha256])?;
        Ok(Digest {
            hex: parsed.encoded.to_string(),
        })
    }

    /// Builds a digest from 64 lowercase hex characters (a bare image ID).
    pub fn from_hex(hex: &str) -> Result<Digest, DigestError> {
        Digest::parse(&format!("sha256:{hex}"))
    }
}

/// go-digest's error kinds (`digest.ErrDigest*`), with its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("invalid checksum digest format")]
    InvalidFormat,
    #[error("invalid checksum digest length")]
    InvalidLength,
    #[error("unsupported digest algorithm")]
    Unsupported,
}

/// A registered hash algorithm and the length of its lowercase-hex encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    /// Every algorithm go-digest registers when its hash is linked in.
    pub const ALL: &'static [Algorithm] =
        &[Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512];

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn encoded_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha384 => 96,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A digest string split into its two parts, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestParts<'a> {
    pub algorithm: &'a str,
    pub encoded: &'a str,
}

/// `digest.Parse` / `Digest.Validate` from go-digest, with `registered` as the set of
/// available algorithms.
///
/// Order of checks, as in go-digest's `Validate`: split at the first `:` (none, or an
/// empty encoded part, is InvalidFormat); an unregistered algorithm is InvalidFormat when
/// the whole string fails `^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$` and
/// Unsupported otherwise; a registered one needs exactly its hex length (InvalidLength)
/// of lowercase hex (InvalidFormat).
pub fn validate<'a>(s: &'a str, registered: &[Algorithm]) -> Result<DigestParts<'a>, DigestError> {
    let Some((algorithm, encoded)) = s.split_once(':') else {
        return Err(DigestError::InvalidFormat);
    };
    if encoded.is_empty() {
        return Err(DigestError::InvalidFormat);
    }
    let parts = DigestParts { algorithm, encoded };
    let Some(alg) = registered.iter().find(|a| a.name() == algorithm) else {
        if is_algorithm_identifier(algorithm, b".+_-")
            && encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'=' || b == b'_' || b == b'-')
        {
            return Err(DigestError::Unsupported);
        }
        return Err(DigestError::InvalidFormat);
    };
    if encoded.len() != alg.encoded_len() {
        return Err(DigestError::InvalidLength);
    }
    if !encoded
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(DigestError::InvalidFormat);
    }
    Ok(parts)
}

/// `^[a-z0-9]+(?:[<separators>][a-z0-9]+)*$`: go-digest's algorithm identifier grammar
/// (`algorithm.go` uses `[+._-]`, the digest regexp `[.+_-]`: the same set).
pub fn is_algorithm_identifier(s: &str, separators: &[u8]) -> bool {
    let mut prev_alnum = false;
    for b in s.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            prev_alnum = true;
        } else if separators.contains(&b) && prev_alnum {
            prev_alnum = false;
        } else {
            return false;
        }
    }
    prev_alnum
}

/// Why a short ID did not resolve (go-digest `digestset` errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("ambiguous digest string")]
    Ambiguous,
    #[error("digest not found")]
    NotFound,
}

/// A set of digests that resolves short IDs, like `docker image inspect 54` does
/// (go-digest `digestset.Set`).
#[derive(Debug, Clone, Default)]
pub struct DigestSet {
    digests: Vec<Digest>,
}

impl DigestSet {
    pub fn new<I: IntoIterator<Item = Digest>>(digests: I) -> DigestSet {
        let mut digests: Vec<Digest> = digests.into_iter().collect();
        crate::engine::sort::sort(&mut digests);
        digests.dedup();
        DigestSet { digests }
    }

    /// Resolves a hex prefix, optionally written `sha256:<prefix>`, to the one digest
    /// that starts with it. An exact full match always wins.
    pub fn lookup(&self, query: &str) -> Result<Digest, LookupError> {
        let prefix = match query.split_once(':') {
            Some(("sha256", hex)) => hex,
            Some(_) => return Err(LookupError::NotFound),
            None => query,
        };
        if prefix.is_empty() {
            return Err(LookupError::NotFound);
        }
        let mut found = self.digests.iter().filter(|d| d.hex().starts_with(prefix));
        match (found.next(), found.next()) {
            (None, _) => Err(LookupError::NotFound),
            (Some(d), None) => Ok(d.clone()),
            (Some(_), Some(_)) => match self.digests.iter().find(|d| d.hex() == prefix) {
                Some(d) => Ok(d.clone()),
                None => Err(LookupError::Ambiguous),
            },
        }
    }

    /// `ShortCodeTable`: the shortest prefix (at least `min_len` characters) that tells
    /// each digest apart from every other one in the set.
    pub fn short_code_table(&self, min_len: usize) -> BTreeMap<Digest, String> {
        let mut table = BTreeMap::new();
        for (i, d) in self.digests.iter().enumerate() {
            // Sorted order puts the longest shared prefixes next door.
            let mut need = min_len;
            for j in [i.wrapping_sub(1), i + 1] {
                if let Some(other) = self.digests.get(j) {
                    let common = d
                        .hex()
                        .bytes()
                        .zip(other.hex().bytes())
                        .take_while(|(a, b)| a == b)
                        .count();
                    need = need.max(common + 1);
                }
            }
            let need = need.min(d.hex().len());
            table.insert(d.clone(), d.hex()[..need].to_string());
        }
        table
    }
}

impl std::str::FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Digest, DigestError> {
        Digest::parse(s)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Digest, D::Error> {
        let s = String::deserialize(deserializer)?;
        Digest::parse(&s).map_err(|e| serde::de::Error::custom(format!("{e}: {s:?}")))
    }
}

/// Incremental sha256, for content too large or too scattered to hash in one slice.
#[derive(Default, Clone)]
pub struct Sha256Writer {
    hasher: Sha256,
}

impl Sha256Writer {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }
    pub fn finish(self) -> Digest {
        Digest::from_hash(self.hasher.finalize().as_slice())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sha256() {
        assert_eq!(
            Digest::sha256(b"").to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut w = Sha256Writer::new();
        w.update(b"a");
        w.update(b"bc");
        assert_eq!(w.finish(), Digest::sha256(b"abc"));
    }
}
