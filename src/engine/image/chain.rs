//! Chain IDs (`config.md`, "Layer ChainID"): the identity of a stack of layers, so two
//! images that share their first n layers share their first n chain IDs.
//!
//! `ChainID(L0) = DiffID(L0)`, `ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))`.
//! Docker's `rmi` prints these as the `Deleted: sha256:...` layer lines.

use crate::engine::digest::Digest;

/// Chain IDs over digest strings, exactly as the spec's definition (which does not
/// require the inputs to be valid digests).
pub fn chain_id_strings<S: AsRef<str>>(diff_ids: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.as_ref().to_string(),
            Some(parent) => {
                Digest::sha256(format!("{parent} {}", d.as_ref()).as_bytes()).to_string()
            }
        };
        out.push(next);
    }
    out
}

/// Chain IDs of a stack of layers, bottom first.
pub fn chain_ids(diff_ids: &[Digest]) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.clone(),
            Some(parent) => Digest::sha256(format!("{parent} {d}").as_bytes()),
        };
        out.push(next);
    }
    out
}
