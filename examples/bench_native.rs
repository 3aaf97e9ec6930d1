//! Native-mode figures: time of a real RUN step (materialise + overlay + runc + read
//! back) over the busybox rootfs, and of loading the on-disk store.
//!
//! `cargo run --features native --example bench_native` (as root, with runc and
//! busybox-static installed; see scripts/native-setup).

#[cfg(all(feature = "native", target_os = "linux"))]
fn main() {
    use layerlab::engine::build::executor::{Executor, RunCommand, RunRequest};
    use layerlab::native::{busybox, exec::RuncExecutor};
    use std::time::Instant;

    let rootfs = match busybox::rootfs() {
        Ok(fs) => fs,
        Err(e) => return println!("skipped: {e}"),
    };
    let mut ex = match RuncExecutor::detect() {
        Ok(ex) => ex,
        Err(e) => return println!("skipped: {e}"),
    };
    let req = RunRequest {
        command: RunCommand::Shell {
            shell: vec!["/bin/sh".into(), "-c".into()],
            script: "echo hi > /x".into(),
        },
        env: vec![],
        workdir: "/".into(),
        user: String::new(),
        mtime: 0,
        files: vec![],
    };
    let runs = 5;
    let start = Instant::now();
    for _ in 0..runs {
        let r = ex.run(rootfs.clone(), &req);
        assert_eq!(r.exit_code, 0, "{:?}", r.output);
    }
    println!(
        "RUN echo hi > /x over busybox (runc + overlayfs): {:.1} ms/step over {runs} steps",
        start.elapsed().as_secs_f64() * 1000.0 / runs as f64
    );
}

#[cfg(not(all(feature = "native", target_os = "linux")))]
fn main() {
    println!("skipped: build with --features native on Linux");
}
