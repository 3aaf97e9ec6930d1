//! File content: real bytes, or synthetic bytes generated on demand.
//!
//! Simulated base images hold big files (a 40 MB `node` binary) that nobody reads; storing
//! them would cost the browser tab hundreds of megabytes. A synthetic file's bytes are a
//! pure function of `(seed, size)`, so it hashes and archives exactly like the same bytes
//! stored for real, while costing 16 bytes.

use crate::engine::digest::{Digest, Sha256Writer};
use std::fmt;
use std::sync::Arc;

/// Chunk size used when streaming content (hashing, archiving).
pub const CHUNK: usize = 64 * 1024;

/// The bytes of a regular file.
#[derive(Clone)]
pub enum Content {
    /// Stored bytes, shared between snapshots.
    Bytes(Arc<[u8]>),
    /// `size` pseudo-random bytes derived from `seed` (see [`Content::synthetic_fill`]).
    Synthetic { seed: u64, size: u64 },
}

impl Content {
    pub fn empty() -> Content {
        Content::Bytes(Arc::from(&[][..]))
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Content::Bytes(b) => b.len() as u64,
            Content::Synthetic { size, .. } => *size,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fill `buf` with the bytes of synthetic content `seed` starting at `offset`.
    ///
    /// Byte `i` is byte `i % 8` (little-endian) of `splitmix64(seed, i / 8)`; a counter-based
    /// generator, so any range can be produced without generating what precedes it.
    pub fn synthetic_fill(seed: u64, offset: u64, buf: &mut [u8]) {
        let mut pos = offset;
        let mut i = 0;
        while i < buf.len() {
            let word = mix(seed, pos / 8).to_le_bytes();
            let start = (pos % 8) as usize;
            let n = (8 - start).min(buf.len() - i);
            buf[i..i + n].copy_from_slice(&word[start..start + n]);
            i += n;
            pos += n as u64;
        }
    }

    /// Stream the content in chunks of at most [`CHUNK`] bytes, without materialising a
    /// synthetic file.
    pub fn for_each_chunk(&self, mut f: impl FnMut(&[u8])) {
        match self {
            Content::Bytes(b) => {
                for c in b.chunks(CHUNK) {
                    f(c);
                }
            }
            Content::Synthetic { seed, size } => {
                let mut buf = vec![0u8; CHUNK.min(*size as usize)];
                let mut off = 0u64;
                while off < *size {
                    let n = ((*size - off) as usize).min(buf.len());
                    Content::synthetic_fill(*seed, off, &mut buf[..n]);
                    f(&buf[..n]);
                    off += n as u64;
                }
            }
        }
    }

    /// All bytes in one vector (materialises synthetic content; callers reading big
    /// files should prefer [`Content::read_range`] or [`Content::for_each_chunk`]).
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            Content::Bytes(b) => b.to_vec(),
            Content::Synthetic { .. } => {
                let mut v = Vec::with_capacity(self.len() as usize);
                self.for_each_chunk(|c| v.extend_from_slice(c));
                v
            }
        }
    }

    /// Up to `len` bytes starting at `offset` (clamped to the content).
    pub fn read_range(&self, offset: u64, len: u64) -> Vec<u8> {
        let total = self.len();
        let start = offset.min(total);
        let end = offset.saturating_add(len).min(total);
        match self {
            Content::Bytes(b) => b[start as usize..end as usize].to_vec(),
            Content::Synthetic { seed, .. } => {
                let mut v = vec![0u8; (end - start) as usize];
                Content::synthetic_fill(*seed, start, &mut v);
                v
            }
        }
    }

    /// sha256 of the bytes, streamed.
    pub fn sha256(&self) -> Digest {
        let mut w = Sha256Writer::new();
        self.for_each_chunk(|c| w.update(c));
        w.finish()
    }

    /// Whether both hold the same bytes. Shared storage and equal synthetic parameters
    /// answer without reading; otherwise the bytes are compared chunk by chunk.
    pub fn same_bytes(&self, other: &Content) -> bool {
        match (self, other) {
            (Content::Bytes(a), Content::Bytes(b)) => Arc::ptr_eq(a, b) || a[..] == b[..],
            (
                Content::Synthetic { seed: s1, size: n1 },
                Content::Synthetic { seed: s2, size: n2 },
            ) if s1 == s2 && n1 == n2 => true,
            _ => {
                if self.len() != other.len() {
                    return false;
                }
                let mut off = 0u64;
                let mut same = true;
                self.for_each_chunk(|c| {
                    if same {
                        same = other.read_range(off, c.len() as u64) == c;
                        off += c.len() as u64;
                    }
                });
                same
            }
        }
    }

    /// Whether both are the very same stored value (no byte comparison).
    pub(crate) fn ptr_eq(&self, other: &Content) -> bool {
        match (self, other) {
            (Content::Bytes(a), Content::Bytes(b)) => Arc::ptr_eq(a, b),
            (
                Content::Synthetic { seed: s1, size: n1 },
                Content::Synthetic { seed: s2, size: n2 },
            ) => s1 == s2 && n1 == n2,
            _ => false,
        }
    }

    /// Bytes actually stored for this content (0 for synthetic content).
    pub fn stored_bytes(&self) -> u64 {
        match self {
            Content::Bytes(b) => b.len() as u64,
            Content::Synthetic { .. } => 0,
        }
    }
}

fn mix(seed: u64, word: u64) -> u64 {
    let mut z = seed.wrapping_add(word.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl From<Vec<u8>> for Content {
    fn from(v: Vec<u8>) -> Self {
        Content::Bytes(Arc::from(v))
    }
}
impl From<&[u8]> for Content {
    fn from(v: &[u8]) -> Self {
        Content::Bytes(Arc::from(v))
    }
}
impl From<&str> for Content {
    fn from(v: &str) -> Self {
        Content::Bytes(Arc::from(v.as_bytes()))
    }
}
impl From<String> for Content {
    fn from(v: String) -> Self {
        Content::from(v.into_bytes())
    }
}
impl From<Arc<[u8]>> for Content {
    fn from(v: Arc<[u8]>) -> Self {
        Content::Bytes(v)
    }
}

impl PartialEq for Content {
    fn eq(&self, other: &Self) -> bool {
        self.same_bytes(other)
    }
}
impl Eq for Content {}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Content::Bytes(b) if b.len() <= 64 => {
                write!(f, "Bytes({:?})", String::from_utf8_lossy(b))
            }
            Content::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Content::Synthetic { seed, size } => write!(f, "Synthetic(seed={seed}, {size} bytes)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_is_pure_and_streams_like_bytes() {
        let s = Content::Synthetic {
            seed: 7,
            size: 200_003,
        };
        let bytes = s.to_vec();
        assert_eq!(bytes.len(), 200_003);
        let b = Content::from(bytes.clone());
        assert_eq!(s.sha256(), b.sha256());
        assert_eq!(s.sha256(), Digest::sha256(&bytes));
        assert!(s.same_bytes(&b) && b.same_bytes(&s));
        assert_eq!(s.read_range(100_001, 13), bytes[100_001..100_014].to_vec());
        assert_ne!(
            Content::Synthetic {
                seed: 8,
                size: 200_003
            }
            .sha256(),
            s.sha256()
        );
    }
}
