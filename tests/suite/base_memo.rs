//! The memoised base layers (`engine::daemon::base_memo`) are exactly what the engine
//! computes: the memo is a cache, never a made-up digest. Layers up to 16 MB are
//! rebuilt here (tar and gzip) and compared; `scripts/test` also regenerates the whole
//! table in release mode and diffs it against the committed one. Aliases of a catalog
//! image (`alpine:latest` for `alpine:3.20`) use its entries, so the small ones are
//! checked against them here.

use layerlab::engine::base;
use layerlab::engine::daemon::base_memo;
use layerlab::engine::fs::{self, Fs, Metadata};
use layerlab::engine::layer::{self, LayerOptions};

#[test]
fn memo_matches_computed_layers() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (path, tag) in base::catalog() {
        let Some(img) = base::lookup(path, tag) else {
            continue;
        };
        let mut prev = Fs::with_root(Metadata::new(0o755, 0, 0, 0));
        for (i, snap) in img.snapshots.iter().enumerate() {
            // An alias (`alpine:latest`) is checked against its catalog image's entries.
            let memo = base_memo::lookup(&img.memo_reference, i);
            let grown = snap.total_size().saturating_sub(prev.total_size());
            if grown <= 16 << 20 {
                let changes = fs::diff(&prev, snap);
                let tar = layer::build_layer(&changes, &LayerOptions::default());
                let blob = layer::compress(&tar.bytes);
                let ok = memo.as_ref().is_some_and(|m| {
                    m.diff_id == tar.diff_id
                        && m.size == tar.size
                        && m.blob == (blob.digest.clone(), blob.size)
                });
                if ok {
                    checked += 1;
                } else {
                    wrong.push(format!(
                        "{} layer {i}: memo {memo:?}, computed {} / {}",
                        img.reference, tar.diff_id, blob.digest
                    ));
                }
            } else if memo.is_none() {
                wrong.push(format!("{} layer {i}: no memo", img.reference));
            }
            prev = snap.clone();
        }
    }
    println!("base memo: {checked} passed, {} failed", wrong.len());
    assert!(checked > 10);
    assert!(
        wrong.is_empty(),
        "regenerate with `cargo run --release --example gen_base_memo`:\n{}",
        wrong.join("\n")
    );
}
