//! What a RUN leaves for its layer: the filesystem diff between the snapshot before
//! and after the command, as overlayfs would record it in the upper directory.
//! A change of a lower file copies it up even when its bytes and mtime stay the same
//! (oracle sample h: `RUN touch /f1` makes a layer holding `f1` alone).

use layerlab::engine::fs::{diff, ChangeKind, Fs, Metadata};
use layerlab::engine::shell::{run, RunSpec};

const T: i64 = 1_700_000_000;

fn base() -> Fs {
    let dir = Metadata::new(0o755, 0, 0, T);
    let mut fs = Fs::new();
    fs.mkdir_all("/bin", dir).unwrap();
    fs.mkdir_all("/etc", dir).unwrap();
    fs.mkdir_all("/var", dir).unwrap();
    fs.mkdir_all("/tmp", Metadata::new(0o1777, 0, 0, T))
        .unwrap();
    fs.write_file("/bin/busybox", "ELF", Metadata::new(0o755, 0, 0, T))
        .unwrap();
    for a in [
        "sh", "echo", "touch", "ln", "chmod", "chown", "mkdir", "cat", "true",
    ] {
        fs.symlink("busybox", &format!("/bin/{a}"), dir).unwrap();
    }
    fs.write_file(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nappuser:x:1000:1000::/home/app:/bin/sh\n",
        Metadata::new(0o644, 0, 0, T),
    )
    .unwrap();
    fs
}

/// Run `script` (as `uid`) at the same simulated second as the base was made.
fn step(fs: &Fs, script: &str, uid: u32) -> (Fs, i32, String) {
    let mut spec = RunSpec::shell(script);
    spec.mtime = T;
    spec.uid = uid;
    spec.gid = uid;
    if uid != 0 {
        spec.user = "appuser".into();
    }
    let out = run(fs.clone(), &spec);
    let text = out.text();
    (out.fs, out.exit_code, text)
}

/// `A /path`, `M /path`, `D /path` lines of the layer diff.
fn layer(lower: &Fs, upper: &Fs) -> Vec<String> {
    diff(lower, upper)
        .changes()
        .iter()
        .map(|c| {
            let k = match c.kind {
                ChangeKind::Added => 'A',
                ChangeKind::Modified => 'M',
                ChangeKind::Deleted => 'D',
            };
            format!("{k} {}", c.path)
        })
        .collect()
}

#[test]
fn touch_in_the_same_second_copies_the_file_up() {
    let (l1, code, _) = step(&base(), "echo a > /f1 && ln /f1 /f2 && ln -s f1 /s1", 0);
    assert_eq!(code, 0);
    let (l2, code, out) = step(&l1, "touch /f1", 0);
    assert_eq!(code, 0, "{out}");
    // As buildah's layer: f1 alone; f2 stays the lower inode (index=off copy-up).
    assert_eq!(layer(&l1, &l2), ["M /f1"]);
    assert_eq!(l2.read_file("/f2").unwrap().to_vec(), b"a\n");
    // A second touch in a later step copies it up again.
    let (l3, _, _) = step(&l2, "touch /f1", 0);
    assert_eq!(layer(&l2, &l3), ["M /f1"]);
}

#[test]
fn touch_of_a_file_made_in_the_same_run_is_one_addition() {
    let (l1, code, _) = step(&base(), "echo a > /new && touch /new && touch /new", 0);
    assert_eq!(code, 0);
    assert_eq!(layer(&base(), &l1), ["A /new"]);
}

#[test]
fn rewriting_the_same_bytes_still_makes_a_layer() {
    let (l1, _, _) = step(&base(), "echo a > /f", 0);
    for script in ["echo a > /f", ": >> /f", "chmod 644 /f", "chown 0:0 /f"] {
        let (l2, code, out) = step(&l1, script, 0);
        assert_eq!(code, 0, "{script}: {out}");
        assert_eq!(layer(&l1, &l2), ["M /f"], "{script}");
    }
}

#[test]
fn reading_a_file_changes_nothing() {
    let (l1, _, _) = step(&base(), "echo a > /f", 0);
    let (l2, code, _) = step(&l1, "cat /f > /dev/null; true < /f", 0);
    assert_eq!(code, 0);
    assert!(layer(&l1, &l2).is_empty());
}

#[test]
fn sample_d_appuser_cannot_create_var_log_app() {
    // RUN echo after-volume > /home/app/data/after-volume.txt;
    //     mkdir -p /var/log/app 2>/dev/null; echo done      (USER appuser)
    let (l1, _, _) = step(
        &base(),
        "mkdir -p /home/app/data && chown 1000:1000 /home/app/data",
        0,
    );
    let (l2, code, out) = step(
        &l1,
        "echo after-volume > /home/app/data/after-volume.txt; mkdir -p /var/log/app 2>/dev/null; echo done",
        1000,
    );
    assert_eq!(code, 0);
    assert_eq!(out, "done\n");
    // The file lands in the layer; /var/log/app does not exist (EACCES on /var).
    assert_eq!(layer(&l1, &l2), ["A /home/app/data/after-volume.txt"]);
}
