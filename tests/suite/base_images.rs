//! Structure and config checks for every simulated base image, and the busybox image
//! against the buildah oracle's base rootfs (`tests/data/pkg/busybox-rootfs.tsv`, the
//! `tar tv` of setup.sh's rootfs tar with the sha256 of each file).

use layerlab::engine::base::{catalog, lookup, BaseImage};
use layerlab::engine::fs::{FileType, Fs};

fn image(path: &str, tag: &str) -> BaseImage {
    lookup(path, tag).unwrap_or_else(|| panic!("{path}:{tag} missing from the catalog"))
}

fn top(img: &BaseImage) -> &Fs {
    img.snapshots.last().expect("image has layers")
}

fn env<'a>(img: &'a BaseImage, key: &str) -> Option<&'a str> {
    img.env
        .iter()
        .find_map(|e| e.strip_prefix(&format!("{key}=")))
}

/// Resolves `prog` through the image's PATH as `execvp` would.
fn which(img: &BaseImage, prog: &str) -> Option<String> {
    let fs = top(img);
    env(img, "PATH")?.split(':').find_map(|d| {
        let p = format!("{d}/{prog}");
        match fs.stat(&p) {
            Ok(st) if st.file_type == FileType::File && st.meta.mode & 0o111 != 0 => Some(p),
            _ => None,
        }
    })
}

#[test]
fn every_catalog_entry_resolves_and_unknown_images_do_not() {
    for (path, tag) in catalog() {
        let img = image(path, tag);
        assert_eq!(img.architecture, "amd64");
        assert_eq!(img.os, "linux");
        let filesystem_rows = img.history.iter().filter(|h| !h.empty_layer).count();
        assert_eq!(
            filesystem_rows,
            img.snapshots.len(),
            "{path}:{tag}: history vs layers"
        );
    }
    assert!(lookup("library/foo", "latest").is_none());
    assert!(lookup("library/alpine", "2.0").is_none());
}

/// (image, tag, layers, min MB, max MB, programs that must be in PATH)
type Expect = (
    &'static str,
    &'static str,
    usize,
    u64,
    u64,
    &'static [&'static str],
);

const EXPECT: &[Expect] = &[
    (
        "library/busybox",
        "latest",
        1,
        1,
        3,
        &["sh", "ls", "busybox", "wget", "tar", "sed"],
    ),
    (
        "library/alpine",
        "3.20",
        1,
        7,
        9,
        &["sh", "ls", "apk", "adduser", "wget", "awk"],
    ),
    ("library/alpine", "3.19", 1, 7, 9, &["sh", "apk"]),
    (
        "library/debian",
        "bookworm-slim",
        1,
        65,
        85,
        &[
            "sh", "bash", "ls", "apt-get", "dpkg", "useradd", "awk", "grep", "sed", "tar", "gzip",
            "find", "xargs",
        ],
    ),
    (
        "library/debian",
        "bookworm",
        1,
        100,
        135,
        &["bash", "apt-get"],
    ),
    (
        "library/ubuntu",
        "24.04",
        1,
        70,
        90,
        &["bash", "apt", "apt-get"],
    ),
    (
        "library/node",
        "lts-alpine",
        4,
        125,
        160,
        &[
            "node",
            "npm",
            "npx",
            "yarn",
            "docker-entrypoint.sh",
            "sh",
            "apk",
        ],
    ),
    ("library/node", "20-alpine", 4, 120, 160, &["node", "npm"]),
    (
        "library/node",
        "22",
        8,
        800,
        1300,
        &[
            "node", "npm", "yarn", "git", "gcc", "make", "curl", "apt-get",
        ],
    ),
    (
        "library/python",
        "3.12-slim",
        4,
        115,
        145,
        &["python3", "python", "pip", "pip3", "bash", "apt-get"],
    ),
    (
        "library/golang",
        "1.23-alpine",
        4,
        200,
        300,
        &["go", "gofmt", "apk"],
    ),
    (
        "library/nginx",
        "alpine",
        8,
        40,
        60,
        &["nginx", "curl", "sh"],
    ),
    (
        "library/nginx",
        "latest",
        7,
        170,
        210,
        &["nginx", "curl", "bash"],
    ),
];

#[test]
fn layer_counts_sizes_and_path_programs() {
    for (path, tag, layers, min, max, progs) in EXPECT {
        let img = image(path, tag);
        assert_eq!(img.snapshots.len(), *layers, "{path}:{tag} layers");
        let mb = top(&img).total_size() / 1_000_000;
        assert!(
            (*min..=*max).contains(&mb),
            "{path}:{tag}: {mb} MB not in {min}..={max}"
        );
        for p in *progs {
            assert!(which(&img, p).is_some(), "{path}:{tag}: {p} not in PATH");
        }
    }
}

#[test]
fn fhs_modes_and_account_files() {
    // scratch and hello-world (scratch plus one static binary) have no filesystem tree.
    for (path, tag) in catalog()
        .into_iter()
        .filter(|(p, _)| *p != "library/scratch" && *p != "library/hello-world")
    {
        let img = image(path, tag);
        let fs = top(&img);
        assert_eq!(
            fs.stat("/tmp").unwrap().meta.mode,
            0o1777,
            "{path}:{tag} /tmp"
        );
        assert_eq!(
            fs.stat("/root").unwrap().meta.mode,
            0o700,
            "{path}:{tag} /root"
        );
        for f in ["/etc/passwd", "/etc/group"] {
            let text = fs.read_file(f).unwrap().to_vec();
            assert!(text.starts_with(b"root:x:0:"), "{path}:{tag} {f}");
        }
        if path != "library/busybox" {
            assert!(fs.exists("/etc/shadow"), "{path}:{tag} /etc/shadow");
            assert!(fs.exists("/etc/os-release"), "{path}:{tag} /etc/os-release");
        }
    }
}

#[test]
fn configs_match_the_official_images() {
    let node = image("library/node", "lts-alpine");
    assert_eq!(env(&node, "NODE_VERSION"), Some("22.11.0"));
    assert_eq!(env(&node, "YARN_VERSION"), Some("1.22.22"));
    assert_eq!(
        node.entrypoint.as_deref(),
        Some(&["docker-entrypoint.sh".to_string()][..])
    );
    assert_eq!(node.cmd.as_deref(), Some(&["node".to_string()][..]));
    let script = top(&node)
        .read_file("/usr/local/bin/docker-entrypoint.sh")
        .unwrap()
        .to_vec();
    assert!(script.starts_with(b"#!/bin/sh\n"));
    let passwd = String::from_utf8(top(&node).read_file("/etc/passwd").unwrap().to_vec()).unwrap();
    assert!(passwd.contains("node:x:1000:1000:"));
    assert_eq!(top(&node).stat("/home/node").unwrap().meta.uid, 1000);

    let nginx = image("library/nginx", "latest");
    assert_eq!(nginx.exposed_ports, vec!["80/tcp".to_string()]);
    assert_eq!(nginx.stop_signal.as_deref(), Some("SIGQUIT"));
    assert_eq!(
        nginx.entrypoint.as_deref(),
        Some(&["/docker-entrypoint.sh".to_string()][..])
    );
    let conf = top(&nginx)
        .read_file("/etc/nginx/nginx.conf")
        .unwrap()
        .to_vec();
    assert!(String::from_utf8(conf)
        .unwrap()
        .contains("worker_processes  auto;"));
    assert!(top(&nginx).exists("/usr/share/nginx/html/index.html"));
    for img in [&nginx, &image("library/nginx", "alpine")] {
        let ep = top(img)
            .read_file("/docker-entrypoint.sh")
            .unwrap()
            .to_vec();
        assert!(ep.starts_with(b"#!/bin/sh\n"));
    }

    let py = image("library/python", "3.12-slim");
    assert_eq!(env(&py, "PYTHON_VERSION"), Some("3.12.7"));
    assert_eq!(env(&py, "LANG"), Some("C.UTF-8"));
    assert_eq!(py.cmd.as_deref(), Some(&["python3".to_string()][..]));

    let go = image("library/golang", "1.23-alpine");
    assert_eq!(go.working_dir, "/go");
    assert!(env(&go, "PATH")
        .unwrap()
        .starts_with("/go/bin:/usr/local/go/bin:"));

    let alpine = image("library/alpine", "latest");
    assert_eq!(alpine.cmd.as_deref(), Some(&["/bin/sh".to_string()][..]));
    assert_eq!(alpine.history.len(), 2);
    assert!(alpine.history[1].empty_layer);
    let installed = top(&alpine)
        .read_file("/lib/apk/db/installed")
        .unwrap()
        .to_vec();
    assert_eq!(
        String::from_utf8(installed)
            .unwrap()
            .matches("\nP:")
            .count(),
        15
    );

    let slim = image("library/debian", "bookworm-slim");
    let status = String::from_utf8(
        top(&slim)
            .read_file("/var/lib/dpkg/status")
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(status.contains("Package: apt\n") && status.contains("Package: coreutils\n"));
    assert_eq!(top(&slim).read_link("/bin").unwrap(), "usr/bin");
    assert!(top(&slim)
        .list_dir("/var/lib/apt/lists")
        .unwrap()
        .is_empty());
}

#[test]
fn node_alpine_shares_the_alpine_layer() {
    let alpine = image("library/alpine", "3.20");
    let node = image("library/node", "lts-alpine");
    assert!(node.snapshots[0].same_as(&alpine.snapshots[0]));
}

#[test]
fn lookups_are_deterministic() {
    let a = image("library/python", "3.12-slim");
    let b = image("library/python", "3.12-slim");
    for (x, y) in a.snapshots.iter().zip(&b.snapshots) {
        assert!(x.same_as(y));
    }
}

/// One entry of the oracle's rootfs listing.
struct Entry {
    path: String,
    kind: String,
    mode: u32,
    size: u64,
    mtime: i64,
    link: String,
    sha: String,
}

fn oracle_rootfs() -> Vec<Entry> {
    let text = include_str!("../data/pkg/busybox-rootfs.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Entry {
                path: c[0].to_string(),
                kind: c[1].to_string(),
                mode: u32::from_str_radix(c[2], 8).unwrap(),
                size: c[5].parse().unwrap(),
                mtime: c[6].parse().unwrap(),
                link: c[7].to_string(),
                sha: c.get(8).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

#[test]
fn busybox_matches_the_oracle_base_entry_by_entry() {
    let img = image("library/busybox", "latest");
    let fs = top(&img);
    let oracle = oracle_rootfs();
    let mut ours: Vec<String> = fs
        .walk("/")
        .unwrap()
        .into_iter()
        .map(|e| e.path.trim_start_matches('/').to_string())
        .collect();
    ours.push(".".into());
    ours.sort();
    let mut theirs: Vec<String> = oracle.iter().map(|e| e.path.clone()).collect();
    theirs.sort();
    assert_eq!(ours, theirs, "same path set as the oracle's rootfs tar");
    let (mut passed, mut failed) = (0, 0);
    for e in &oracle {
        let p = if e.path == "." {
            "/".to_string()
        } else {
            format!("/{}", e.path)
        };
        let st = fs.lstat(&p).unwrap();
        let kind = match st.file_type {
            FileType::Dir => "dir",
            FileType::File => "file",
            FileType::Symlink => "symlink",
            _ => "other",
        };
        let mut ok = kind == e.kind
            && st.meta.mode == e.mode
            && st.meta.uid == 0
            && st.meta.gid == 0
            && st.meta.mtime == e.mtime
            && st.link_target.clone().unwrap_or_default() == e.link;
        if kind == "file" {
            ok &= st.size == e.size;
            // The binary's bytes are synthetic (known difference); every other file is exact.
            if e.path != "bin/busybox" {
                ok &= fs.read_file(&p).unwrap().sha256().hex() == e.sha;
            }
        }
        if ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!(
                "mismatch: {} ({kind} {:o} {})",
                e.path, st.meta.mode, st.size
            );
        }
    }
    println!("oracle busybox base: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert_eq!(img.cmd.as_deref(), Some(&["sh".to_string()][..]));
    assert_eq!(
        img.env,
        vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()]
    );
    assert_eq!(img.history.len(), 1);
    assert!(img.history[0].created_by.contains(
        "ADD file:625135ebe04c3fb51fc2accb99f7ad78f702a61aa80ad3890595151cc5e372a4 in /"
    ));
}
