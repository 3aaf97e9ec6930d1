//! Content digests (`algorithm:encoded`), as go-digest defines them.
//!
//! This module is the only user of `sha2`: every other part of the engine asks it
//! for digests, so the algorithm and its string form live in one place.

use sha2::{Digest as _, Sha256};
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
