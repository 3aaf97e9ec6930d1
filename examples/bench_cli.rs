//! CLI benchmark (`name: value unit` lines): issue 6's 1,000-command transcript
//! (`engine::cli::script::bench_transcript`: build, run, exec, diff, push, pull, rm)
//! in a fresh world — wall time and peak heap, counted by a wrapping allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use layerlab::engine::cli::script::{bench_transcript, run_bench};

/// The system allocator, counting live bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let commands = bench_transcript()
        .lines()
        .filter(|l| l.starts_with("docker "))
        .count();
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let transcript = run_bench();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let failures = transcript
        .lines()
        .filter(|l| l.starts_with("[exit"))
        .count();
    assert_eq!(
        failures, 0,
        "every benchmark command succeeds:\n{transcript}"
    );
    println!("cli_transcript_commands: {commands} commands");
    println!("cli_transcript_total: {ms:.1} ms");
    println!(
        "cli_transcript_per_command: {:.3} ms",
        ms / commands.max(1) as f64
    );
    println!(
        "cli_transcript_peak_heap: {:.1} MB",
        peak as f64 / 1_000_000.0
    );
    println!(
        "cli_transcript_output: {:.1} kB",
        transcript.len() as f64 / 1000.0
    );
}
