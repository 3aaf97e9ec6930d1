//! Behaviour of the in-memory filesystem: POSIX-like operations and their errors,
//! symlink resolution inside the root, hardlinks, snapshots and diffs.

use layerlab::engine::fs::{
    diff, join, normalize, ChangeKind, Content, DeviceKind, FileType, Fs, FsError, Metadata,
};

const DIR: Metadata = Metadata::new(0o755, 0, 0, 100);
const FILE: Metadata = Metadata::new(0o644, 0, 0, 100);

fn text(fs: &Fs, p: &str) -> String {
    String::from_utf8(fs.read_file(p).unwrap().to_vec()).unwrap()
}

fn base() -> Fs {
    let mut fs = Fs::new();
    fs.mkdir_all("/etc/conf.d", DIR).unwrap();
    fs.write_file("/etc/passwd", "root:x:0:0\n", FILE).unwrap();
    fs.mkdir_all("/usr/bin", DIR).unwrap();
    fs.write_file(
        "/usr/bin/busybox",
        Content::Synthetic {
            seed: 1,
            size: 1000,
        },
        Metadata::new(0o755, 0, 0, 50),
    )
    .unwrap();
    fs.symlink("/usr/bin", "/bin", DIR).unwrap();
    fs.symlink("busybox", "/usr/bin/sh", DIR).unwrap();
    fs
}

#[test]
fn posix_errors_have_strerror_text() {
    let mut fs = base();
    let cases: Vec<(Result<(), FsError>, &str)> = vec![
        (fs.remove_file("/nope"), "No such file or directory"),
        (fs.mkdir("/etc", DIR), "File exists"),
        (fs.mkdir("/etc/passwd/x", DIR), "Not a directory"),
        (fs.remove_file("/etc"), "Is a directory"),
        (fs.remove_dir("/etc"), "Directory not empty"),
        (fs.write_file("/etc", "x", FILE), "Is a directory"),
        (fs.rename("/etc", "/etc/conf.d/x"), "Invalid argument"),
        (fs.hardlink("/etc", "/etc2"), "Operation not permitted"),
        (fs.remove_all("/"), "Device or resource busy"),
        (fs.mkdir_all("/etc/passwd", DIR), "File exists"),
        (fs.mkdir_all("/etc/passwd/y", DIR), "Not a directory"),
    ];
    for (i, (r, want)) in cases.into_iter().enumerate() {
        assert_eq!(r.unwrap_err().to_string(), want, "case {i}");
    }
}

#[test]
fn symlinks_resolve_inside_root_and_loops_fail() {
    let mut fs = base();
    assert_eq!(fs.canonicalize("/bin/sh").unwrap(), "/usr/bin/busybox");
    assert_eq!(fs.stat("/bin/sh").unwrap().size, 1000);
    assert_eq!(fs.lstat("/bin").unwrap().file_type, FileType::Symlink);
    // `..` after a symlink is physical: /bin/.. is /usr.
    assert_eq!(fs.canonicalize("/bin/../bin/..").unwrap(), "/usr");
    // Escaping attempts stay inside the root.
    fs.symlink("../../../../etc", "/usr/up", DIR).unwrap();
    assert_eq!(fs.canonicalize("/usr/up/passwd").unwrap(), "/etc/passwd");
    fs.symlink("/loop2", "/loop1", DIR).unwrap();
    fs.symlink("/loop1", "/loop2", DIR).unwrap();
    assert_eq!(fs.stat("/loop1/x").unwrap_err(), FsError::Loop);
    assert_eq!(fs.lstat("/loop1").unwrap().file_type, FileType::Symlink);
    // Writing through a dangling symlink creates its target.
    fs.symlink("/etc/new.conf", "/cfg", DIR).unwrap();
    fs.write_file("/cfg", "v", FILE).unwrap();
    assert_eq!(text(&fs, "/etc/new.conf"), "v");
    assert_eq!(fs.read_link("/cfg").unwrap(), "/etc/new.conf");
}

#[test]
fn write_append_truncate_keep_mode_and_owner() {
    let mut fs = base();
    fs.chmod("/etc/passwd", 0o4600).unwrap();
    fs.chown("/etc/passwd", 7, 8).unwrap();
    fs.append(
        "/etc/passwd",
        b"app:x:1000\n",
        Metadata::new(0o644, 0, 0, 200),
    )
    .unwrap();
    let st = fs.stat("/etc/passwd").unwrap();
    assert_eq!(
        (st.meta.mode, st.meta.uid, st.meta.gid, st.meta.mtime),
        (0o4600, 7, 8, 200)
    );
    assert_eq!(text(&fs, "/etc/passwd"), "root:x:0:0\napp:x:1000\n");
    fs.write_file("/etc/passwd", "", FILE).unwrap();
    assert_eq!(fs.stat("/etc/passwd").unwrap().size, 0);
    fs.put_file("/etc/passwd", "new", FILE).unwrap();
    assert_eq!(fs.stat("/etc/passwd").unwrap().meta, FILE);
}

#[test]
fn hardlinks_share_content_and_metadata() {
    let mut fs = base();
    fs.write_file("/f1", "a\n", FILE).unwrap();
    fs.hardlink("/f1", "/etc/f2").unwrap();
    assert_eq!(fs.stat("/f1").unwrap().nlink, 2);
    fs.append("/etc/f2", b"b\n", FILE).unwrap();
    fs.chmod("/f1", 0o600).unwrap();
    assert_eq!(text(&fs, "/f1"), "a\nb\n");
    assert_eq!(fs.stat("/etc/f2").unwrap().meta.mode, 0o600);
    fs.rename("/etc", "/etc-old").unwrap();
    assert_eq!(
        fs.hardlinks_of("/f1").unwrap(),
        vec!["/etc-old/f2".to_string()]
    );
    fs.remove_all("/etc-old").unwrap();
    assert_eq!(fs.stat("/f1").unwrap().nlink, 1);
}

#[test]
fn listing_walking_sizes_and_rename() {
    let mut fs = base();
    fs.mknod("/fifo", DeviceKind::Fifo, FILE).unwrap();
    let names: Vec<String> = fs
        .list_dir("/")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["bin", "etc", "fifo", "usr"]);
    let walk: Vec<String> = fs.walk("/").unwrap().into_iter().map(|e| e.path).collect();
    assert_eq!(
        walk,
        [
            "/bin",
            "/etc",
            "/etc/conf.d",
            "/etc/passwd",
            "/fifo",
            "/usr",
            "/usr/bin",
            "/usr/bin/busybox",
            "/usr/bin/sh"
        ]
    );
    assert_eq!(fs.total_size(), 1011);
    assert_eq!(fs.file_count(), 2);
    fs.rename("/etc/passwd", "/usr/passwd").unwrap();
    assert_eq!(fs.usage("/usr").unwrap(), (1011, 2));
    assert_eq!(fs.usage("/etc").unwrap(), (0, 0));
    assert_eq!(fs.rename("/usr", "/etc").unwrap_err(), FsError::NotEmpty);
    fs.remove_dir("/etc/conf.d").unwrap();
    fs.rename("/usr", "/etc").unwrap();
    assert!(fs.exists("/etc/bin/busybox") && !fs.exists("/usr"));
    assert_eq!(normalize("a/../../b/."), "/b");
    assert_eq!(join("/w", "x/.."), "/w");
}

#[test]
fn snapshots_share_and_diff_reports_changes_in_layer_order() {
    let lower = base();
    let mut upper = lower.clone();
    assert!(upper.same_as(&lower));
    upper.write_file("/etc/conf.d/a", "1", FILE).unwrap();
    upper.remove_all("/usr/bin/sh").unwrap();
    upper.chmod("/etc/passwd", 0o600).unwrap();
    upper.remove_all("/etc/conf.d").unwrap();
    upper.mkdir("/etc/conf.d", DIR).unwrap();
    upper.write_file("/etc/conf.d/b", "2", FILE).unwrap();
    let cs = diff(&lower, &upper);
    let got: Vec<(String, ChangeKind, bool)> = cs
        .changes()
        .iter()
        .map(|c| (c.path.clone(), c.kind, c.opaque))
        .collect();
    assert_eq!(
        got,
        vec![
            ("/etc/conf.d".into(), ChangeKind::Modified, true),
            ("/etc/conf.d/b".into(), ChangeKind::Added, false),
            ("/etc/passwd".into(), ChangeKind::Modified, false),
            ("/usr/bin/sh".into(), ChangeKind::Deleted, false),
        ]
    );
    let dd: Vec<String> = cs
        .docker_diff()
        .iter()
        .map(|(k, p)| format!("{} {p}", k.letter()))
        .collect();
    assert_eq!(
        dd,
        [
            "C /etc",
            "C /etc/conf.d",
            "A /etc/conf.d/b",
            "C /etc/passwd",
            "C /usr",
            "C /usr/bin",
            "D /usr/bin/sh"
        ]
    );
    assert!(diff(&lower, &lower).is_empty());
}
