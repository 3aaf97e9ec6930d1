//! Simulated-shell benchmarks (`name: value unit` lines): the seed example's
//! `RUN npm ci --omit=dev` over the `node:lts-alpine` tree, a 10,000-line script, and
//! the interpreter's throughput in steps per second (host compute time, not the
//! simulated duration the build log shows).
//!
//! `cargo run --release --example bench_shell`

use std::time::Instant;

use layerlab::engine::daemon::Daemon;
use layerlab::engine::examples::NODE_API;
use layerlab::engine::fs::{Fs, Metadata};
use layerlab::engine::shell::{run, Budgets, RunSpec};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn timed(fs: &Fs, spec: &RunSpec) -> (f64, u64) {
    let t = Instant::now();
    let out = run(fs.clone(), spec);
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(out.exit_code, 0, "{}", out.text());
    (ms, out.steps)
}

fn big_budgets() -> Budgets {
    Budgets {
        steps: 50_000_000,
        time_ms: 24 * 3600 * 1000,
        ..Budgets::default()
    }
}

fn main() {
    // The seed example's npm ci: package*.json copied to /app of node:lts-alpine.
    let mut daemon = Daemon::new();
    let (_, image) = daemon.base_image("node:lts-alpine").expect("base image");
    let mut fs = image.rootfs();
    let meta = Metadata::new(0o644, 0, 0, 1_700_000_000);
    fs.mkdir_all("/app", Metadata::new(0o755, 0, 0, 1_700_000_000))
        .unwrap();
    for f in NODE_API.context {
        if f.path.starts_with("package") {
            fs.write_file(&format!("/app/{}", f.path), f.text, meta)
                .unwrap();
        }
    }
    let mut spec = RunSpec::shell("npm ci --omit=dev");
    spec.workdir = "/app".into();
    spec.env = image
        .config
        .config
        .env
        .iter()
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    spec.mtime = 1_700_000_000;
    let npm: Vec<f64> = (0..9).map(|_| timed(&fs, &spec).0).collect();
    println!("shell_npm_ci_seed: {:.2} ms", median(npm));

    // A 10,000-line script of the kind RUN heredocs hold: assignments, tests,
    // arithmetic, redirections, sed and a pipeline every 100 lines.
    let mut script = String::from("set -e\nmkdir -p /tmp/w\ncd /tmp/w\n");
    for i in 0..10_000 {
        let line = match i % 100 {
            0 => format!("seq 1 20 | sed -n 's/1/one/p' | sort > s{i}.txt"),
            _ => match i % 5 {
                0 => format!("X{0}=$((i{0} + {0})); export X{0}", i % 50),
                1 => format!("if [ -n \"$X{}\" ]; then :; else true; fi", i % 50),
                2 => format!("echo line {i} >> log.txt"),
                3 => format!("case {i} in *7) c=seven ;; *) c=other ;; esac"),
                _ => format!("v=\"${{c:-none}}-{i}\""),
            },
        };
        script.push_str(&line);
        script.push('\n');
    }
    let root = layerlab::engine::daemon::empty_root();
    let mut root = root;
    for d in ["/bin", "/tmp"] {
        root.mkdir_all(d, Metadata::new(0o1777, 0, 0, 0)).unwrap();
    }
    root.write_file("/bin/busybox", "ELF", Metadata::new(0o755, 0, 0, 0))
        .unwrap();
    for a in ["sh", "echo", "mkdir", "seq", "sed", "sort", "true", "["] {
        root.symlink(
            "busybox",
            &format!("/bin/{a}"),
            Metadata::new(0o777, 0, 0, 0),
        )
        .unwrap();
    }
    let mut spec = RunSpec::shell(&script);
    spec.budgets = big_budgets();
    let mut runs = Vec::new();
    let mut steps = 0;
    for _ in 0..5 {
        let (ms, s) = timed(&root, &spec);
        runs.push(ms);
        steps = s;
    }
    let script_ms = median(runs);
    println!("shell_10k_line_script: {script_ms:.1} ms");

    // Interpreter throughput: a tight loop of builtins and arithmetic.
    let mut spec = RunSpec::shell("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done");
    spec.budgets = big_budgets();
    let mut rates = Vec::new();
    for _ in 0..5 {
        let (ms, s) = timed(&root, &spec);
        rates.push(s as f64 / (ms / 1000.0));
    }
    println!("shell_steps_per_second: {:.0} steps/s", median(rates));
    println!(
        "shell_10k_line_script_steps_per_second: {:.0} steps/s",
        steps as f64 / (script_ms / 1000.0)
    );
}
