//! Figures for the simulated base images: layers, uncompressed size, files, lookup time.
use layerlab::engine::base::{catalog, lookup};
use std::time::Instant;

fn main() {
    for (path, tag) in catalog() {
        let t = Instant::now();
        let img = lookup(path, tag).expect("catalog entry");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let size = img.snapshots.last().map(|f| f.total_size()).unwrap_or(0);
        let files = img.snapshots.last().map(|f| f.file_count()).unwrap_or(0);
        println!(
            "{:<28} layers {:>2}  history {:>2}  {:>7.1} MB  {:>6} files  lookup {:>6.2} ms",
            format!("{}:{}", path.trim_start_matches("library/"), tag),
            img.snapshots.len(),
            img.history.len(),
            size as f64 / 1e6,
            files,
            ms
        );
    }
}
