//! Memoised diff_ids of the simulated base images' layers. Hashing a 140 MB base
//! image takes about a second in the browser; these are the digests the engine
//! computes for exactly those layers (regenerate with
//! `cargo run --release --example gen_base_memo > src/engine/daemon/base_memo_table.rs`),
//! and `tests/suite/base_memo.rs` recomputes every one of them, so a stale entry fails CI.

use crate::engine::digest::Digest;

include!("base_memo_table.rs");

/// A memoised base layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoLayer {
    pub diff_id: Digest,
    /// Bytes of the uncompressed tar.
    pub size: u64,
    /// Digest and size of the gzip blob.
    pub blob: (Digest, u64),
}

/// The memo of layer `index` of catalog image `reference`.
pub fn lookup(reference: &str, index: usize) -> Option<MemoLayer> {
    let (_, _, hex, size, blob_hex, blob_size) = TABLE
        .iter()
        .find(|(r, i, ..)| *r == reference && *i == index)?;
    Some(MemoLayer {
        diff_id: Digest::from_hex(hex).ok()?,
        size: *size,
        blob: (Digest::from_hex(blob_hex).ok()?, *blob_size),
    })
}

/// Every memoised entry: (reference, layer index, diff_id hex, size, blob hex, blob size).
pub fn entries() -> &'static [Entry] {
    TABLE
}

type Entry = (&'static str, usize, &'static str, u64, &'static str, u64);
