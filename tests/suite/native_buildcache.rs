//! The build cache across `layerlab build` processes: each scenario is a sequence of
//! builds (with edits of the context in between) run twice — once as separate
//! `layerlab build` processes on one on-disk store, once in a single in-memory engine
//! daemon — and the two must print the very same BuildKit progress (`CACHED` on the
//! same steps, the same step output) and give the same image IDs; the keys kept in
//! `buildcache.json` are the engine's. Then `builder prune`, `rmi`, `fsck` and a
//! damaged cache file. Simulated RUN only: needs no root, runc or network.
#![cfg(all(feature = "native", target_os = "linux"))]

use crate::native_support;

use layerlab::engine::build::simulated::SimulatedExecutor;
use layerlab::engine::build::{plain_progress_of, BuildRequest};
use layerlab::engine::daemon::Daemon;
use layerlab::engine::image::store::ImageStore;
use native_support::{ok, run, TempDir};
use std::path::Path;

const EPOCH: &str = "1700000000";

const DOCKERFILE: &str = "FROM alpine:3.19 AS deps
ARG FLAVOUR=plain
COPY package.json /app/
RUN echo installing $FLAVOUR && mkdir -p /app/node_modules && echo $FLAVOUR > /app/node_modules/dep
RUN echo no filesystem change
COPY . /app
RUN rm -rf /etc/motd && cat /app/src.js
WORKDIR /app
FROM scratch
COPY --from=deps /app /app
";

/// One build of a scenario: files written into the context first, build args.
struct Step {
    write: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
}

struct Scenario {
    name: &'static str,
    dockerfile: &'static str,
    steps: &'static [Step],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "unchanged rebuild hits every step",
        dockerfile: DOCKERFILE,
        steps: &[
            Step {
                write: &[("package.json", "{}"), ("src.js", "v1")],
                args: &[],
            },
            Step {
                write: &[],
                args: &[],
            },
        ],
    },
    Scenario {
        name: "app source edit reuses the install layer",
        dockerfile: DOCKERFILE,
        steps: &[
            Step {
                write: &[("package.json", "{}"), ("src.js", "v1")],
                args: &[],
            },
            Step {
                write: &[("src.js", "v2")],
                args: &[],
            },
            Step {
                write: &[("src.js", "v1")],
                args: &[],
            },
        ],
    },
    Scenario {
        name: "a build arg change misses from the RUN that sees it",
        dockerfile: DOCKERFILE,
        steps: &[
            Step {
                write: &[("package.json", "{}"), ("src.js", "v1")],
                args: &["FLAVOUR=fancy"],
            },
            Step {
                write: &[],
                args: &["FLAVOUR=plain"],
            },
            Step {
                write: &[],
                args: &["FLAVOUR=fancy"],
            },
        ],
    },
    Scenario {
        name: "steps before a failure are cached",
        dockerfile: "FROM scratch\nCOPY a.txt /a.txt\nCOPY missing.txt /\nCOPY b.txt /b.txt\n",
        steps: &[
            Step {
                write: &[("a.txt", "a"), ("b.txt", "b")],
                args: &[],
            },
            Step {
                write: &[("missing.txt", "now here")],
                args: &[],
            },
            Step {
                write: &[],
                args: &[],
            },
        ],
    },
];

fn write_files(ctx: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        std::fs::write(ctx.join(name), content).unwrap();
    }
}

fn build_args(step: &Step) -> Vec<String> {
    let mut args = vec![format!("SOURCE_DATE_EPOCH={EPOCH}")];
    args.extend(step.args.iter().map(|a| a.to_string()));
    args
}

/// What the in-memory engine prints for one build on `daemon`, and the image ID.
fn in_memory(daemon: &mut Daemon, ctx: &Path, step: &Step) -> (String, Option<String>) {
    let dockerfile = std::fs::read_to_string(ctx.join("Dockerfile")).unwrap();
    let context = layerlab::cli::build::read_context(ctx).unwrap();
    let mut req = BuildRequest::new(&dockerfile, context);
    req.tags = vec!["cache-test:1".into()];
    req.build_args = build_args(step)
        .into_iter()
        .map(|a| {
            let (k, v) = a.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let mut store = ImageStore::new();
    let (out, id) =
        layerlab::native::build::build_in(daemon, &mut store, req, &mut SimulatedExecutor::new())
            .unwrap();
    (plain_progress_of(&out.events), id.map(|d| d.to_string()))
}

/// What `layerlab build` prints (progress on stderr, image ID on stdout).
fn on_disk(home: &Path, ctx: &Path, step: &Step) -> (String, Option<String>) {
    let mut args = vec!["build".to_string(), "-t".into(), "cache-test:1".into()];
    for a in build_args(step) {
        args.push("--build-arg".into());
        args.push(a);
    }
    args.push(ctx.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(home, &args);
    let progress: String = err
        .lines()
        .take_while(|l| *l != "------" && !l.starts_with("ERROR"))
        .map(|l| format!("{l}\n"))
        .collect();
    let id = (code == 0).then(|| out.trim().to_string());
    (progress, id)
}

fn cached_steps(progress: &str) -> usize {
    progress.lines().filter(|l| l.ends_with(" CACHED")).count()
}

#[test]
fn builds_in_separate_processes_hit_the_cache_as_one_daemon_does() {
    let mut passed = 0;
    let mut failed = Vec::new();
    for sc in SCENARIOS {
        let dir = TempDir::new("buildcache");
        let (home, ctx) = (dir.path().join("home"), dir.path().join("ctx"));
        std::fs::create_dir_all(&ctx).unwrap();
        std::fs::write(ctx.join("Dockerfile"), sc.dockerfile).unwrap();
        let mut daemon = Daemon::new();
        let mut problems = Vec::new();
        let mut hits = 0;
        for (i, step) in sc.steps.iter().enumerate() {
            write_files(&ctx, step.write);
            let (want, want_id) = in_memory(&mut daemon, &ctx, step);
            let (got, got_id) = on_disk(&home, &ctx, step);
            if got != want {
                problems.push(format!(
                    "build {}: progress differs\n--- in one daemon\n{want}--- in separate processes\n{got}",
                    i + 1
                ));
            }
            if got_id != want_id {
                problems.push(format!("build {}: image {got_id:?} != {want_id:?}", i + 1));
            }
            if i > 0 {
                hits += cached_steps(&got);
            }
        }
        // The scenario must exercise the cache at all (a harness that never hits
        // would agree with an engine that never hits).
        if hits == 0 {
            problems.push("no step was CACHED after the first build".into());
        }
        // The keys on disk are the engine's own.
        let file = layerlab::native::buildcache::parse(
            &std::fs::read(home.join("buildcache.json")).unwrap(),
        )
        .unwrap();
        let mut disk_keys: Vec<String> = file.entries.iter().map(|e| e.key.to_string()).collect();
        let mut engine_keys: Vec<String> =
            daemon.cache.entries().map(|(k, _)| k.to_string()).collect();
        disk_keys.sort();
        engine_keys.sort();
        if disk_keys != engine_keys {
            problems.push(format!(
                "cache keys differ:\n{disk_keys:?}\n{engine_keys:?}"
            ));
        }
        let fsck = ok(&home, &["fsck"]);
        if !fsck.ends_with(": ok\n") {
            problems.push(format!("fsck: {fsck}"));
        }
        if problems.is_empty() {
            passed += 1;
        } else {
            failed.push(format!("{}:\n{}", sc.name, problems.join("\n")));
        }
    }
    println!(
        "native build cache scenarios: {passed} passed, {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

fn context(dir: &Path) -> (std::path::PathBuf, String) {
    let (home, ctx) = (dir.join("home"), dir.join("ctx"));
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), DOCKERFILE).unwrap();
    write_files(&ctx, &[("package.json", "{}"), ("src.js", "v1")]);
    (home, ctx.display().to_string())
}

fn build(home: &Path, ctx: &str) -> (i32, String) {
    let (code, _, err) = run(home, &["build", "-t", "cache-test:1", ctx]);
    (code, err)
}

/// The cache is not the image: `rmi` leaves it (BuildKit's cache is separate from
/// the image store), `builder prune` empties it and frees its blobs.
#[test]
fn rmi_keeps_the_cache_and_builder_prune_clears_it() {
    let dir = TempDir::new("buildcache-prune");
    let (home, ctx) = context(dir.path());
    let (code, first) = build(&home, &ctx);
    assert_eq!(code, 0, "{first}");
    assert_eq!(cached_steps(&first), 0, "{first}");
    ok(&home, &["rmi", "cache-test:1"]);
    let (code, again) = build(&home, &ctx);
    assert_eq!(code, 0, "{again}");
    assert_eq!(cached_steps(&again), 7, "{again}");

    // Not confirmed: nothing happens.
    let out = native_support::layerlab(&home)
        .args(["builder", "prune"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("WARNING! This will remove all dangling build cache."));
    assert!(home.join("buildcache.json").exists());

    let blobs_before = std::fs::read_dir(home.join("blobs/sha256"))
        .unwrap()
        .count();
    let pruned = ok(&home, &["builder", "prune", "-f"]);
    assert!(
        pruned.starts_with("Deleted build cache objects:\n"),
        "{pruned}"
    );
    assert_eq!(
        pruned.lines().filter(|l| l.len() == 25).count(),
        7,
        "{pruned}"
    );
    assert!(pruned.contains("\nTotal reclaimed space: "), "{pruned}");
    assert!(!pruned.ends_with("space: 0B\n"), "{pruned}");
    assert!(!home.join("buildcache.json").exists());
    let blobs_after = std::fs::read_dir(home.join("blobs/sha256"))
        .unwrap()
        .count();
    assert!(
        blobs_after < blobs_before,
        "{blobs_before} -> {blobs_after}"
    );
    assert!(ok(&home, &["fsck"]).ends_with(": ok\n"));
    assert_eq!(
        ok(&home, &["builder", "prune", "-a", "-f"]),
        "Total reclaimed space: 0B\n"
    );
    let (code, cold) = build(&home, &ctx);
    assert_eq!(code, 0, "{cold}");
    assert_eq!(cached_steps(&cold), 0, "{cold}");
}

/// A damaged cache file stops the build with an error naming the file (never a
/// panic), `fsck` reports it, and `fsck --repair` or `builder prune` removes it.
#[test]
fn a_damaged_cache_file_is_an_error_naming_it() {
    let dir = TempDir::new("buildcache-damaged");
    let (home, ctx) = context(dir.path());
    assert_eq!(build(&home, &ctx).0, 0);
    let file = home.join("buildcache.json");
    let good = std::fs::read(&file).unwrap();
    let cases: &[(&str, &[u8], &str)] = &[
        ("truncated", &good[..good.len() / 2], "EOF while parsing"),
        ("not json", b"\x00\xffgarbage", "expected value"),
        (
            "newer format",
            br#"{"version":2,"entries":[]}"#,
            "unsupported format version 2 (this layerlab reads version 1)",
        ),
        (
            "no version",
            br#"{"entries":[]}"#,
            "missing field `version`",
        ),
        (
            "bad digest",
            br#"{"version":1,"entries":[{"key":"sha256:xyz"}]}"#,
            "sha256:xyz",
        ),
    ];
    for (name, bytes, cause) in cases {
        std::fs::write(&file, bytes).unwrap();
        let (code, err) = build(&home, &ctx);
        let expected = format!("ERROR: invalid build cache {}: ", file.display());
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.starts_with(&expected), "{name}: {err}");
        assert!(err.contains(cause), "{name}: {err}");
        assert!(
            err.contains("`layerlab builder prune -f` removes it"),
            "{name}: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        let (code, report, _) = run(&home, &["fsck"]);
        assert_eq!(code, 1, "{name}: {report}");
        assert!(report.contains(&expected[7..]), "{name}: {report}");
    }
    let repaired = ok(&home, &["fsck", "--repair"]);
    assert!(
        repaired.contains(&format!("removed: {}", file.display())),
        "{repaired}"
    );
    assert!(ok(&home, &["fsck"]).ends_with(": ok\n"));
    let (code, err) = build(&home, &ctx);
    assert_eq!(code, 0, "{err}");

    // A blob only the cache uses goes missing: fsck names it, the build misses the
    // steps stacked on it (and re-records them), and the store is clean again.
    let cache = layerlab::native::buildcache::parse(&std::fs::read(&file).unwrap()).unwrap();
    let index = std::fs::read_to_string(home.join("index.json")).unwrap();
    let lost = cache
        .blobs()
        .into_iter()
        .find(|b| {
            !index.contains(&b.to_string())
                && !ok(&home, &["save", "cache-test:1"]).contains(b.hex())
        })
        .expect("the deps stage's layers are kept by the cache only");
    std::fs::remove_file(home.join("blobs/sha256").join(lost.hex())).unwrap();
    let (code, report, _) = run(&home, &["fsck"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("dangling: build cache: missing blob {lost}")),
        "{report}"
    );
    let (code, err) = build(&home, &ctx);
    assert_eq!(code, 0, "{err}");
    assert!(cached_steps(&err) < 7, "{err}");
    assert!(ok(&home, &["fsck"]).ends_with(": ok\n"));
}
