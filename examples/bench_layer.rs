//! Layer-creation and snapshot-memory figures (issue 4).
//!
//! `cargo run --release --example bench_layer` prints:
//! * `layer_create_100mb_10k_files`: diff of an empty tree against a 100 MB, 10,000-file
//!   tree, written as a layer tar and hashed (`diff_id`) in one pass;
//! * `layer_create_tar_sha256sum_baseline`: the same files written to a temp dir, then
//!   `tar -c -C dir . | sha256sum` (the write itself is not timed);
//! * `stack_100_layers_memory_ratio`: live heap bytes of 100 snapshots, each editing 10
//!   files over the 10,000-file base, divided by the unique file content they hold
//!   (measured with a counting global allocator).

use layerlab::engine::fs::{diff, Content, Fs, Metadata};
use layerlab::engine::layer::{build_layer, LayerOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const DIRS: usize = 100;
const PER_DIR: usize = 100;
const FILE_SIZE: u64 = 10_000;

fn file_path(d: usize, f: usize) -> String {
    format!("/data/d{d:03}/f{f:03}.bin")
}

fn main() {
    let dir_meta = Metadata::new(0o755, 0, 0, 1_700_000_000);
    let file_meta = Metadata::new(0o644, 0, 0, 1_700_000_000);

    // 100 MB in 10,000 files of real (stored) bytes.
    let live0 = LIVE.load(Ordering::Relaxed);
    let mut base = Fs::new();
    for d in 0..DIRS {
        base.mkdir_all(&format!("/data/d{d:03}"), dir_meta).unwrap();
        for f in 0..PER_DIR {
            let bytes = Content::Synthetic {
                seed: (d * PER_DIR + f) as u64,
                size: FILE_SIZE,
            }
            .to_vec();
            base.write_file(&file_path(d, f), bytes, file_meta).unwrap();
        }
    }
    let base_live = LIVE.load(Ordering::Relaxed) - live0;

    let start = Instant::now();
    let layer = build_layer(&diff(&Fs::new(), &base), &LayerOptions::default());
    let ms = start.elapsed().as_secs_f64() * 1e3;
    println!(
        "layer_create_100mb_10k_files: {ms:.0} ms ({} bytes, {})",
        layer.size, layer.diff_id
    );
    drop(layer);
    let start = Instant::now();
    let (id, _) =
        layerlab::engine::layer::diff_id(&diff(&Fs::new(), &base), &LayerOptions::default());
    let ms = start.elapsed().as_secs_f64() * 1e3;
    println!("layer_diff_id_streamed_100mb_10k_files: {ms:.0} ms ({id})");

    // Baseline: the same files on disk, `tar -c | sha256sum`.
    let tmp = std::env::temp_dir().join(format!("layerlab-bench-{}", std::process::id()));
    for d in 0..DIRS {
        std::fs::create_dir_all(tmp.join(format!("data/d{d:03}"))).unwrap();
        for f in 0..PER_DIR {
            let p = file_path(d, f);
            let bytes = base.read_file(&p).unwrap().to_vec();
            std::fs::write(tmp.join(&p[1..]), bytes).unwrap();
        }
    }
    let start = Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("tar -c -C '{}' . | sha256sum", tmp.display()))
        .output()
        .expect("run tar | sha256sum");
    let ms = start.elapsed().as_secs_f64() * 1e3;
    std::fs::remove_dir_all(&tmp).ok();
    println!(
        "layer_create_tar_sha256sum_baseline: {ms:.0} ms ({})",
        String::from_utf8_lossy(&out.stdout).trim()
    );

    // 100 layers, each rewriting 10 files with new content, all snapshots kept.
    let before = LIVE.load(Ordering::Relaxed);
    let mut stack = vec![base.clone()];
    let mut unique: u64 = base.total_size();
    for layer in 0..100 {
        let mut next = stack.last().unwrap().clone();
        for i in 0..10 {
            let n = layer * 10 + i;
            let bytes = Content::Synthetic {
                seed: 1_000_000 + n as u64,
                size: FILE_SIZE,
            }
            .to_vec();
            next.write_file(&file_path(n % DIRS, (n * 7) % PER_DIR), bytes, file_meta)
                .unwrap();
            unique += FILE_SIZE;
        }
        stack.push(next);
    }
    let stack_live = base_live + (LIVE.load(Ordering::Relaxed) - before);
    println!("stack_100_layers_live_bytes: {stack_live} (unique content {unique}, base tree {base_live})");
    println!(
        "stack_100_layers_memory_ratio: {:.3} x",
        stack_live as f64 / unique as f64
    );
    println!(
        "naive_copy_ratio_for_comparison: {:.1} x",
        (101.0 * base.total_size() as f64) / unique as f64
    );
}
