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
        let name = format!("{}_{}", path.trim_start_matches("library/"), tag)
            .replace(['.', '-', ':'], "_");
        println!("base_{name}_lookup: {ms:.2} ms");
        println!("base_{name}_size: {:.1} MB", size as f64 / 1e6);
        println!("base_{name}_layers: {} layers", img.snapshots.len());
        println!("base_{name}_files: {files} files");
    }
}
