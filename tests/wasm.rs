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

mod build {
    use layerlab::engine::build::simulated::SimulatedExecutor;
    use layerlab::engine::build::{BuildContext, BuildRequest, BuildSession, ContextFile};
    use layerlab::engine::daemon::Daemon;

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The seed's layering over `scratch`: the same digests on host and in the browser.
    #[test]
    fn scratch_build_digests_are_the_same_everywhere() {
        let ctx = BuildContext::from_files([
            ContextFile::text("package.json", "{\"name\":\"api\"}\n"),
            ContextFile::text("package-lock.json", "{}\n"),
            ContextFile::text("server.js", "console.log(1)\n"),
        ])
        .unwrap();
        let df = "FROM scratch\nWORKDIR /app\nCOPY package*.json ./\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
        let mut req = BuildRequest::new(df, ctx);
        req.tags = vec!["my-api:1.0".into()];
        let mut daemon = Daemon::new();
        let out = BuildSession::new(&mut daemon, req)
            .unwrap()
            .run(&mut daemon, &mut SimulatedExecutor::new());
        let img = out.result.unwrap();
        let diff_ids: Vec<String> = img.layers.iter().map(|l| l.diff_id.to_string()).collect();
        let blob = img.layers[2].blob().digest.to_string();
        assert_eq!(
            (img.id.to_string(), diff_ids, blob),
            (
                EXPECTED_ID.to_string(),
                EXPECTED_DIFF_IDS.iter().map(|s| s.to_string()).collect(),
                EXPECTED_BLOB.to_string()
            )
        );
    }

    const EXPECTED_ID: &str =
        "sha256:ea04fcf133f8a05afdb246d1879d87f4d1f300951ad2f0cf40f4d4acc69f2434";
    const EXPECTED_DIFF_IDS: [&str; 3] = [
        "sha256:fa60ba874913b32160d2adb4d40d0f6bc9179320eda1907a7377e39b3e05bc4b",
        "sha256:5a3d10f6c44bc6271ba9d91556e0cf7cea9d5f4dee5a997cf4784281e2009fae",
        "sha256:7ae55fc9ee0834d60621f67805e47e9a4e74d8316ae7b5ed58d0d81b32381612",
    ];
    const EXPECTED_BLOB: &str =
        "sha256:cec0e7f142f36c395a5059d061aae8dd1bb484682a960c52344299e49c992e3b";
}

mod golden {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Every golden docker transcript (`tests/data/transcripts/`) gives the same output
    /// in the browser build as on the host.
    #[test]
    fn golden_transcripts() {
        assert_eq!(
            layerlab::engine::cli::script::golden_failures(),
            Vec::<&str>::new()
        );
    }
}
