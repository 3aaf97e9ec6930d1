//! Build benchmarks (`name: value unit` lines): the seed example cold and cached, a
//! 200-instruction Dockerfile, and a 10,000-file / 100 MB build context.

use std::time::Instant;

use layerlab::engine::build::simulated::SimulatedExecutor;
use layerlab::engine::build::{BuildContext, BuildRequest, BuildSession, ContextFile};
use layerlab::engine::daemon::Daemon;
use layerlab::engine::examples::NODE_API;

fn seed_context() -> BuildContext {
    BuildContext::from_files(
        NODE_API
            .context
            .iter()
            .map(|f| ContextFile::text(f.path, f.text)),
    )
    .unwrap()
}

fn build(daemon: &mut Daemon, dockerfile: &str, ctx: BuildContext) -> f64 {
    let start = Instant::now();
    let mut req = BuildRequest::new(dockerfile, ctx);
    req.tags = vec!["bench:1".into()];
    let out = BuildSession::new(daemon, req)
        .expect("plan")
        .run(daemon, &mut SimulatedExecutor::new());
    out.result.expect("build succeeds");
    start.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    // Cold: a fresh daemon whose base image was already pulled (pulling is separate).
    let mut cold = Vec::new();
    let mut cached = Vec::new();
    let mut pull = Vec::new();
    for _ in 0..7 {
        let mut daemon = Daemon::new();
        let t = Instant::now();
        daemon.base_image("node:lts-alpine").unwrap();
        pull.push(t.elapsed().as_secs_f64() * 1000.0);
        cold.push(build(&mut daemon, NODE_API.dockerfile, seed_context()));
        cached.push(build(&mut daemon, NODE_API.dockerfile, seed_context()));
    }
    println!("build_seed_base_import: {:.2} ms", median(pull));
    println!("build_seed_cold: {:.2} ms", median(cold));
    println!("build_seed_cached: {:.3} ms", median(cached));

    // 200 instructions over busybox: RUN, ENV, COPY, WORKDIR mixed.
    let mut df = String::from("FROM busybox\n");
    for i in 0..50 {
        df.push_str(&format!(
            "ENV STEP{i}={i}\nRUN echo {i} > /tmp/f{i}\nCOPY a.txt /data/{i}/\nWORKDIR /w{i}\n"
        ));
    }
    let ctx = || BuildContext::from_files([ContextFile::text("a.txt", "hello")]).unwrap();
    let mut daemon = Daemon::new();
    println!(
        "build_200_instructions_cold: {:.1} ms",
        build(&mut daemon, &df, ctx())
    );
    println!(
        "build_200_instructions_cached: {:.1} ms",
        build(&mut daemon, &df, ctx())
    );

    // 10,000 files, 100 MB of context, copied in one layer.
    let files: Vec<ContextFile> = (0..10_000)
        .map(|i| ContextFile {
            path: format!("src/d{}/f{i}.bin", i % 100),
            bytes: vec![(i % 251) as u8; 10_000],
            mode: 0o644,
        })
        .collect();
    let t = Instant::now();
    let big = BuildContext::from_files(files).unwrap();
    println!(
        "context_10k_files_100mb_load: {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut daemon = Daemon::new();
    println!(
        "build_context_10k_files_100mb: {:.1} ms",
        build(&mut daemon, "FROM scratch\nCOPY . /app/\n", big)
    );
}
