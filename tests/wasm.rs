//! Engine behaviour checked on both targets: `cargo test --test wasm` on the host and
//! `cargo test --target wasm32-unknown-unknown --test wasm` in headless Chromium, so the
//! browser build is proven to compute exactly what the host build computes.
//!
//! Expected values are literals pinned here; both targets must reproduce them.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use layerlab::engine::build::plan::{plan, RowKind};
use layerlab::engine::digest::Digest;
use layerlab::engine::examples::NODE_API;

#[test]
fn sha256_matches_known_vectors() {
    assert_eq!(
        Digest::sha256(b"abc").to_string(),
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let big = vec![b'a'; 1_000_000];
    assert_eq!(
        Digest::sha256(&big).hex(),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
}

#[test]
fn seed_example_plans_the_same_rows() {
    let rows = plan(NODE_API.dockerfile);
    let fs = rows
        .iter()
        .filter(|r| r.kind == RowKind::Filesystem)
        .count();
    assert_eq!(rows.len(), 6);
    assert_eq!(fs, 4);
}
