//! Real containers through the `layerlab` binary: `build --exec=linux` from the
//! busybox-static base, `run` (env, entrypoint/cmd, volumes), `ps -a`, `diff` (A/C/D as
//! `docker diff`), `logs`, `run -d` + `stop`, `rm`, `volume ls/rm`, and that a
//! container's writes never reach the image. Needs root, runc and busybox-static.
#![cfg(all(feature = "native", target_os = "linux"))]

use crate::native_support;

use native_support::{ok, run, TempDir};

#[test]
fn build_run_diff_logs_stop_rm() {
    require!("runc", "/bin/busybox");
    let home = TempDir::new("containers");
    let h = home.path();
    ok(h, &["busybox-image"]);
    let ctx = native_support::context(h, "FROM busybox:1.35\nWORKDIR /app\nRUN echo keep > keep.txt && rm /bin/vi\nENV GREETING=hi\nCMD [\"sh\", \"-c\", \"echo $GREETING\"]\n");
    let id = ok(
        h,
        &[
            "build",
            "--exec=linux",
            "-t",
            "app:1",
            ctx.to_str().unwrap(),
        ],
    );
    assert!(id.trim().starts_with("sha256:"), "{id}");
    assert!(ok(h, &["images"]).contains("app "));

    // Default command, then an override with -e.
    assert_eq!(
        ok(h, &["run", "--exec=linux", "--name", "d", "app:1"]),
        "hi\n"
    );
    let out = ok(h, &[
        "run", "--name", "c1", "-e", "GREETING=yo", "app:1", "sh", "-c",
        "echo $GREETING; echo x > /app/new.txt; rm /app/keep.txt; mkdir -p /var/log/x; ls /proc | grep -c '^[0-9]'",
    ]);
    assert_eq!(out, "yo\n3\n", "own PID namespace: only sh, ls and grep");
    assert_eq!(
        ok(h, &["diff", "c1"]),
        "C /app\nD /app/keep.txt\nA /app/new.txt\nC /var\nA /var/log\nA /var/log/x\n"
    );
    assert_eq!(ok(h, &["logs", "c1"]), "yo\n3\n");
    let (code, _, _) = run(h, &["run", "app:1", "sh", "-c", "exit 3"]);
    assert_eq!(code, 3, "run exits with the container's code");
    let ps = ok(h, &["ps", "-a"]);
    assert!(
        ps.contains("Exited (0)") && ps.contains("Exited (3)") && ps.contains(" c1\n"),
        "{ps}"
    );

    // The image is unchanged: a new container still has keep.txt.
    assert_eq!(
        ok(h, &["run", "--rm", "app:1", "cat", "/app/keep.txt"]),
        "keep\n"
    );

    // Detached with a named volume; stop kills it after the timeout (sh ignores TERM).
    let bg = ok(
        h,
        &[
            "run",
            "-d",
            "--name",
            "bg",
            "-v",
            "data:/data",
            "app:1",
            "sh",
            "-c",
            "echo v > /data/f; sleep 60",
        ],
    );
    assert_eq!(bg.trim().len(), 64);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(ok(h, &["ps"]).contains("Up "));
    let (code, _, err) = run(h, &["rm", "bg"]);
    assert_eq!(code, 1);
    assert!(err.contains("container is running"), "{err}");
    ok(h, &["stop", "-t", "1", "bg"]);
    assert!(ok(h, &["ps", "-a"]).contains("Exited (137)"));
    assert_eq!(
        std::fs::read_to_string(h.join("volumes/data/_data/f")).unwrap(),
        "v\n"
    );
    assert!(ok(h, &["volume", "ls"]).contains("local    data"));
    let (code, _, err) = run(h, &["volume", "rm", "data"]);
    assert_eq!(code, 1, "{err}");
    ok(h, &["rm", "bg", "c1", "d"]);
    ok(h, &["volume", "rm", "data"]);
    assert!(!ok(h, &["ps", "-a", "-q"]).contains(bg.get(..12).unwrap()));
    let (code, _, err) = run(h, &["diff", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("No such container: nope"), "{err}");
}

/// `FROM scratch` + `COPY` of Debian's static busybox, with a real RUN step: no
/// `/etc/passwd` is needed for the default user (runc resolves an unset USER as uid 0),
/// the RUN layer holds only what the command wrote (runc's `/proc`, `/dev`, `/sys`
/// mount points are dropped, as BuildKit does), and the image runs.
#[test]
fn from_scratch_with_a_static_binary_builds_and_runs() {
    require!("runc", "/bin/busybox");
    let home = TempDir::new("scratch");
    let h = home.path();
    let ctx = native_support::context(h, "FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"/busybox echo built > /built\"]\nCMD [\"/busybox\", \"cat\", \"/built\"]\n");
    std::fs::copy("/bin/busybox", ctx.join("busybox")).unwrap();
    let id = ok(
        h,
        &[
            "build",
            "--exec=linux",
            "-t",
            "tiny:1",
            ctx.to_str().unwrap(),
        ],
    );
    assert!(id.trim().starts_with("sha256:"), "{id}");
    assert_eq!(
        ok(
            h,
            &[
                "run",
                "--exec=linux",
                "--rm",
                "tiny:1",
                "/busybox",
                "echo",
                "hi"
            ]
        ),
        "hi\n"
    );
    assert_eq!(ok(h, &["run", "--rm", "tiny:1"]), "built\n");

    let store = layerlab::native::store::DiskStore::open(h).unwrap();
    let images = store.load().unwrap();
    let img = images
        .image(&images.resolve("tiny:1").unwrap())
        .unwrap()
        .clone();
    drop(store);
    let paths = |i: usize| -> Vec<String> {
        let blob = images
            .blobs()
            .get(&img.layers[i].descriptor.digest)
            .unwrap();
        let fs =
            layerlab::engine::layer::apply(&layerlab::engine::daemon::empty_root(), &blob).unwrap();
        fs.walk("/").unwrap().into_iter().map(|e| e.path).collect()
    };
    assert_eq!(img.layers.len(), 2);
    assert_eq!(paths(0), ["/busybox"]);
    assert_eq!(paths(1), ["/built"]);
}
