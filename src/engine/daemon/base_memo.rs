//! Memoised diff_ids of the simulated base images' layers. Hashing a 140 MB base
//! image takes about a second in the browser; these are the digests the engine
//! computes for exactly those layers (regenerate with
//! `cargo run --release --example gen_base_memo > src/engine/daemon/base_memo_table.rs`),
//! and `tests/base_memo.rs` recomputes every one of them, so a stale entry fails CI.

use crate::engine::digest::Digest;

include!("base_memo_table.rs");

/// `(diff_id, tar size)` of layer `index` of catalog image `reference`.
pub fn lookup(reference: &str, index: usize) -> Option<(Digest, u64)> {
    TABLE
        .iter()
        .find(|(r, i, _, _)| *r == reference && *i == index)
        .and_then(|(_, _, hex, size)| Digest::from_hex(hex).ok().map(|d| (d, *size)))
}

/// Every memoised entry: (reference, layer index, diff_id hex, size).
pub fn entries() -> &'static [(&'static str, usize, &'static str, u64)] {
    TABLE
}
