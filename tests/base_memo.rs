//! Every memoised base-layer diff_id (`engine::daemon::base_memo`) is exactly what the
//! engine computes for that layer today: the memo is a cache, never a made-up digest.

use layerlab::engine::base;
use layerlab::engine::daemon::base_memo;
use layerlab::engine::fs::{self, Fs, Metadata};
use layerlab::engine::layer::{self, LayerOptions};

#[test]
fn memo_matches_computed_diff_ids() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (path, tag) in base::catalog() {
        let Some(img) = base::lookup(path, tag) else {
            continue;
        };
        let mut prev = Fs::with_root(Metadata::new(0o755, 0, 0, 0));
        for (i, snap) in img.snapshots.iter().enumerate() {
            let changes = fs::diff(&prev, snap);
            let (d, size) = layer::diff_id(&changes, &LayerOptions::default());
            match base_memo::lookup(&img.reference, i) {
                Some((memo, memo_size)) if memo == d && memo_size == size => checked += 1,
                other => wrong.push(format!(
                    "{} layer {i}: memo {other:?}, computed ({d}, {size})",
                    img.reference
                )),
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
