//! push/pull against Debian's real `docker-registry` (distribution 2.8) on 127.0.0.1,
//! storage in a temporary directory: monolithic and chunked uploads, "Layer already
//! exists" on re-push, pull by tag and by digest into a fresh store with identical
//! IDs, skopeo agreeing with what we pushed, and a corrupted registry blob failing the
//! pull with a digest error and storing nothing. Needs root, busybox-static,
//! docker-registry (and skopeo for its check).
#![cfg(all(feature = "native", target_os = "linux"))]

use crate::native_support;

use native_support::{ok, run, TempDir};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A registry process, stopped (and its storage removed) on drop.
struct Registry {
    child: Child,
    port: u16,
    storage: TempDir,
}

impl Registry {
    fn start() -> Registry {
        let storage = TempDir::new("registry");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                storage.path().display()
            ),
        )
        .unwrap();
        let child = Command::new("/usr/bin/docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Registry {
            child,
            port,
            storage,
        }
    }

    fn name(&self, repo: &str) -> String {
        format!("127.0.0.1:{}/{repo}", self.port)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn files_named(dir: &std::path::Path, name: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_named(&p, name, out);
        } else if e.file_name() == name {
            out.push(p);
        }
    }
}

#[test]
fn push_pull_round_trip_and_corrupted_blob() {
    require!("/bin/busybox", "/usr/bin/docker-registry");
    let reg = Registry::start();
    let a = TempDir::new("push");
    ok(a.path(), &["busybox-image"]);
    let r1 = reg.name("bb:1");
    ok(a.path(), &["tag", "busybox:1.35", &r1]);

    let (code, out, err) = run(a.path(), &["push", &r1]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "no progress bars when stderr is not a terminal");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!("The push refers to repository [{}]", reg.name("bb"))
    );
    assert!(lines[1].ends_with(": Pushed"), "{out}");
    assert!(
        lines[2].starts_with("1: digest: sha256:") && lines[2].contains(" size: "),
        "{out}"
    );
    let digest = lines[2].split_whitespace().nth(2).unwrap().to_string();

    // Again: nothing to upload.
    let out = ok(a.path(), &["push", &r1]);
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .ends_with(": Layer already exists"),
        "{out}"
    );

    // Chunked upload into another repository, on a terminal: docker's progress row
    // is drawn while the layer moves, then cleared; the plain lines follow.
    let r2 = reg.name("chunked:2");
    ok(a.path(), &["tag", "busybox:1.35", &r2]);
    let (code, out) =
        native_support::run_on_terminal(a.path(), &["push", "--chunk-size", "65536", &r2]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(": Pushing [="),
        "no progress bar on a terminal: {out}"
    );
    assert!(out.contains(": Pushed") && out.contains(&digest), "{out}");

    if native_support::missing(&["skopeo"]).is_none() {
        let o = Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", &format!("docker://{r2}")])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["Digest"], digest.as_str());
    }

    // Pull by tag into an empty store: same image ID.
    let b = TempDir::new("pull");
    let (code, out, err) = run(b.path(), &["pull", &r2]);
    assert_eq!((code, err.as_str()), (0, ""), "no bars off a terminal");
    assert!(out.starts_with("2: Pulling from chunked\n"), "{out}");
    assert!(out.contains(": Pull complete\n"), "{out}");
    assert!(out.contains(&format!("Digest: {digest}\n")), "{out}");
    assert!(
        out.contains(&format!("Status: Downloaded newer image for {r2}\n")),
        "{out}"
    );
    let ids = |h: &std::path::Path| ok(h, &["images", "-q", "--no-trunc"]);
    assert_eq!(ids(a.path()), ids(b.path()));
    let out = ok(b.path(), &["pull", &r2]);
    assert!(out.contains("Status: Image is up to date"), "{out}");
    // By digest.
    let c = TempDir::new("pull-digest");
    ok(c.path(), &["pull", &format!("{}@{digest}", reg.name("bb"))]);
    assert_eq!(ids(a.path()), ids(c.path()));
    assert!(ok(c.path(), &["fsck"]).ends_with("ok\n"));
    let (code, _, err) = run(c.path(), &["pull", &reg.name("bb:nosuchtag")]);
    assert_eq!(code, 1);
    assert!(err.contains("manifest unknown"), "{err}");

    // Corrupt every layer blob the registry stores (same size, flipped bytes).
    let mut datas = Vec::new();
    files_named(&reg.storage.path().join("data"), "data", &mut datas);
    let layer = datas
        .iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(layer).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(layer, bytes).unwrap();
    let d = TempDir::new("pull-corrupt");
    let (code, out, err) = run(d.path(), &["pull", &r1]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("filesystem layer verification failed for digest sha256:"),
        "{err}"
    );
    assert_eq!(ok(d.path(), &["images", "-q"]), "");
    assert_eq!(
        std::fs::read_dir(d.path().join("blobs/sha256"))
            .unwrap()
            .count(),
        0
    );
    assert!(ok(d.path(), &["fsck"]).ends_with("ok\n"));
}
