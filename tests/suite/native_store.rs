//! The on-disk store against the real world: load → save round trips, skopeo and
//! umoci read `$LAYERLAB_HOME` as the OCI layout it is, `fsck` finds corruption and
//! garbage, the lock serialises concurrent processes, and a crash (abort) at every
//! write point of `load`, `tag` and `rmi` leaves a store that `fsck` calls clean with
//! every earlier image intact. Needs root and busybox-static (skopeo/umoci for theirs).
#![cfg(all(feature = "native", target_os = "linux"))]

use crate::native_support;

use layerlab::engine::fs::{diff, FileType, Fs, Metadata};
use layerlab::engine::image::layout;
use layerlab::engine::image::store::ImageStore;
use layerlab::native::busybox;
use layerlab::native::fsio::CRASH_ENV;
use layerlab::native::store::DiskStore;
use native_support::{layerlab, ok, run, TempDir};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

const BB: &str = "docker.io/library/busybox:1.35";

/// A store holding `busybox:1.35`.
fn busybox_home(tag: &str) -> TempDir {
    let home = TempDir::new(tag);
    ok(home.path(), &["busybox-image"]);
    home
}

/// An OCI layout tar of a small two-layer image `app:2` (busybox + one file), made
/// with the engine.
fn app_tar() -> Vec<u8> {
    let base = busybox::rootfs().expect("busybox");
    let (config, layer) = busybox::image(&base);
    let mut top = base.clone();
    top.write_file("/hello", b"hello\n".to_vec(), Metadata::new(0o644, 0, 0, 5))
        .unwrap();
    let tar = layerlab::engine::layer::build_layer(&diff(&base, &top), &Default::default());
    let blob = layerlab::engine::layer::compress(&tar.bytes);
    let mut config = config;
    config.rootfs.diff_ids.push(tar.diff_id.clone());
    let mut images = ImageStore::new();
    let id = images
        .add_image(
            &config,
            vec![
                layer,
                layerlab::engine::image::store::LayerBlob {
                    media_type: layerlab::engine::image::media_type::IMAGE_LAYER_GZIP.into(),
                    bytes: blob.bytes,
                    diff_id: tar.diff_id,
                    uncompressed_size: tar.size,
                },
            ],
        )
        .unwrap();
    images.tag(&id.to_string(), "app:2").unwrap();
    layout::export_tar(&images, &["app:2"]).unwrap()
}

#[test]
fn load_save_round_trip_keeps_ids_and_bytes() {
    require!("/bin/busybox");
    let a = busybox_home("rt-a");
    let b = TempDir::new("rt-b");
    let tar1 = a.path().join("bb.tar");
    ok(
        a.path(),
        &["save", "-o", tar1.to_str().unwrap(), "busybox:1.35"],
    );
    let out = ok(b.path(), &["load", "-i", tar1.to_str().unwrap()]);
    assert_eq!(out, "Loaded image: busybox:1.35\n");
    let tar2 = b.path().join("bb2.tar");
    ok(
        b.path(),
        &["save", "-o", tar2.to_str().unwrap(), "busybox:1.35"],
    );
    assert_eq!(std::fs::read(&tar1).unwrap(), std::fs::read(&tar2).unwrap());
    assert_eq!(
        std::fs::read(a.path().join("index.json")).unwrap(),
        std::fs::read(b.path().join("index.json")).unwrap()
    );
    let images = ok(b.path(), &["images"]);
    assert!(
        images.starts_with("REPOSITORY   TAG    IMAGE ID       CREATED"),
        "{images}"
    );
    assert!(images.contains("busybox      1.35"), "{images}");
    let (code, _, err) = run(b.path(), &["save", "-o", "/dev/null", "nosuch:1"]);
    assert_eq!(
        (code, err.trim()),
        (1, "Error response from daemon: No such image: nosuch:1")
    );
}

#[test]
fn tag_rmi_and_gc() {
    require!("/bin/busybox");
    let home = busybox_home("rmi");
    let app = home.path().join("app.tar");
    std::fs::write(&app, app_tar()).unwrap();
    assert_eq!(
        ok(home.path(), &["load", "-i", app.to_str().unwrap()]),
        "Loaded image: app:2\n"
    );
    ok(home.path(), &["tag", "app:2", "app:copy"]);
    let blobs = || {
        std::fs::read_dir(home.path().join("blobs/sha256"))
            .unwrap()
            .count()
    };
    assert_eq!(blobs(), 3 + 3); // busybox: manifest, config, layer; app adds 3
    assert_eq!(
        ok(home.path(), &["rmi", "app:copy"]),
        "Untagged: app:copy\n"
    );
    let out = ok(home.path(), &["rmi", "app:2"]);
    assert!(
        out.starts_with("Untagged: app:2\nDeleted: sha256:"),
        "{out}"
    );
    assert_eq!(blobs(), 3, "rmi left blobs behind");
    assert!(ok(home.path(), &["fsck"]).ends_with("ok\n"));
}

#[test]
fn skopeo_reads_the_store_and_saved_archives() {
    require!("/bin/busybox", "skopeo");
    let home = busybox_home("skopeo");
    let out = std::process::Command::new("skopeo")
        .args(["inspect", &format!("oci:{}:{BB}", home.path().display())])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let index = DiskStore::open(home.path()).unwrap().read_index().unwrap();
    assert_eq!(v["Digest"], index.manifests[0].digest.to_string());
    let saved = home.path().join("bb.tar");
    ok(
        home.path(),
        &["save", "-o", saved.to_str().unwrap(), "busybox:1.35"],
    );
    let docker = home.path().join("docker.tar");
    let st = std::process::Command::new("skopeo")
        .args([
            "copy",
            "--quiet",
            &format!("oci-archive:{}", saved.display()),
            &format!("docker-archive:{}:busybox:fromskopeo", docker.display()),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    // And a docker save archive written by skopeo loads back with the same image ID.
    let other = TempDir::new("skopeo-load");
    assert_eq!(
        ok(other.path(), &["load", "-i", docker.to_str().unwrap()]),
        "Loaded image: busybox:fromskopeo\n"
    );
    let ids = |h: &std::path::Path| ok(h, &["images", "-q", "--no-trunc"]);
    assert_eq!(ids(home.path()), ids(other.path()));
}

#[test]
fn umoci_unpack_gives_exactly_the_engine_files() {
    require!("/bin/busybox", "umoci");
    let home = busybox_home("umoci");
    let bundle = TempDir::new("umoci-bundle");
    let dest = bundle.path().join("b");
    let st = std::process::Command::new("umoci")
        .args([
            "unpack",
            "--image",
            &format!("{}:{BB}", home.path().display()),
        ])
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let fs: Fs = busybox::rootfs().unwrap();
    let root = dest.join("rootfs");
    let mut expected = 0;
    for e in fs.walk("/").unwrap() {
        expected += 1;
        let p = root.join(e.path.trim_start_matches('/'));
        let m = std::fs::symlink_metadata(&p).unwrap_or_else(|_| panic!("{} missing", e.path));
        assert_eq!(
            (m.uid(), m.gid()),
            (e.stat.meta.uid, e.stat.meta.gid),
            "{}",
            e.path
        );
        match e.stat.file_type {
            FileType::Dir => assert!(m.is_dir(), "{}", e.path),
            FileType::Symlink => assert_eq!(
                std::fs::read_link(&p).unwrap().to_str(),
                e.stat.link_target.as_deref(),
                "{}",
                e.path
            ),
            FileType::File => {
                assert_eq!(
                    std::fs::read(&p).unwrap(),
                    fs.read_file(&e.path).unwrap().to_vec()
                );
            }
            _ => {}
        }
        if e.stat.file_type != FileType::Symlink {
            assert_eq!(
                m.permissions().mode() & 0o7777,
                e.stat.meta.mode,
                "{}",
                e.path
            );
            assert_eq!(m.mtime(), e.stat.meta.mtime, "{}", e.path);
        }
    }
    let count = walkdir_count(&root);
    assert_eq!(count, expected, "umoci unpacked extra files");
}

fn walkdir_count(dir: &std::path::Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        n += 1;
        if e.file_type().unwrap().is_dir() {
            n += walkdir_count(&e.path());
        }
    }
    n
}

#[test]
fn fsck_reports_and_repairs_corruption_and_garbage() {
    require!("/bin/busybox");
    let home = busybox_home("fsck");
    std::fs::write(home.path().join("blobs/sha256/.tmp-1-2-x"), b"partial").unwrap();
    std::fs::write(
        home.path().join(format!("blobs/sha256/{}", "a".repeat(64))),
        b"stray",
    )
    .unwrap();
    let (code, out, _) = run(home.path(), &["fsck"]);
    assert_eq!(code, 1, "{out}"); // the stray blob does not match its name
    assert!(
        out.contains("temporary file:") && out.contains("unreferenced blob:"),
        "{out}"
    );
    // Corrupt the layer (the biggest blob) of busybox.
    let layer = std::fs::read_dir(home.path().join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(&layer).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&layer, bytes).unwrap();
    let (code, out, _) = run(home.path(), &["images"]);
    assert_ne!(code, 0, "a corrupted store must not list silently: {out}");
    let (code, out, _) = run(home.path(), &["fsck"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("corrupted blob: sha256:")
            && out.contains("dangling: docker.io/library/busybox:1.35"),
        "{out}"
    );
    let out = ok(home.path(), &["fsck", "--repair"]);
    assert!(
        out.contains("removed: index entry docker.io/library/busybox:1.35"),
        "{out}"
    );
    let out = ok(home.path(), &["fsck"]);
    assert_eq!(out, "checked 0 blobs, 0 index entries: ok\n");
}

#[test]
fn the_lock_serialises_concurrent_processes() {
    require!("/bin/busybox");
    let home = busybox_home("lock");
    let children: Vec<_> = (0..8)
        .map(|i| {
            layerlab(home.path())
                .args(["tag", "busybox:1.35", &format!("t:{i}")])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let out = ok(home.path(), &["images"]);
    for i in 0..8 {
        assert!(
            out.contains(&format!("t            {i} ")),
            "tag t:{i} lost:\n{out}"
        );
    }
}

/// Runs `args` aborting at crash point 1, 2, 3... until it completes; after every
/// crash the store must be clean and still hold `busybox:1.35` intact.
/// With `rerun_may_fail`, a normal failure after a crash counts as completion (`rmi`
/// of an image a crashed run already removed says `No such image`).
fn crash_at_every_point(home: &std::path::Path, args: &[&str], rerun_may_fail: bool) -> usize {
    for n in 1..200 {
        let st = layerlab(home)
            .env(CRASH_ENV, n.to_string())
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        let (code, out, err) = run(home, &["fsck"]);
        assert_eq!(
            code, 0,
            "after a crash at point {n} of {args:?}:\n{out}{err}"
        );
        let tar = home.join("check.tar");
        ok(home, &["save", "-o", tar.to_str().unwrap(), "busybox:1.35"]);
        if st.success() || (rerun_may_fail && n > 1 && st.code() == Some(1)) {
            return n;
        }
        assert_eq!(
            st.code(),
            None,
            "{args:?} failed instead of crashing at {n}"
        );
    }
    panic!("{args:?} never completed");
}

#[test]
fn a_crash_at_any_write_point_leaves_a_clean_store() {
    require!("/bin/busybox");
    let home = busybox_home("crash");
    let app = home.path().join("app.tar");
    std::fs::write(&app, app_tar()).unwrap();
    let points = crash_at_every_point(home.path(), &["load", "-i", app.to_str().unwrap()], false);
    // Blobs written before a crash are kept, so each run gets further: at least
    // one crash inside each of the layer, config, manifest and index writes.
    assert!(points > 4, "load crashed only {} times", points - 1);
    assert!(ok(home.path(), &["images"]).contains("app          2"));
    crash_at_every_point(home.path(), &["tag", "app:2", "app:3"], false);
    crash_at_every_point(home.path(), &["rmi", "app:3"], true);
    crash_at_every_point(home.path(), &["rmi", "app:2"], true);
    assert!(!ok(home.path(), &["images"]).contains("app"));
    let out = ok(home.path(), &["fsck", "--repair"]);
    assert!(out.ends_with("ok\n"), "{out}");
    assert_eq!(
        std::fs::read_dir(home.path().join("blobs/sha256"))
            .unwrap()
            .count(),
        3
    );
}
