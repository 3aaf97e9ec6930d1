//! Rootless native mode: `layerlab` run as an unprivileged user (uid 65534 through
//! `setpriv`, so the suite must be root like the other native suites) builds with real RUN steps and runs containers in
//! a user namespace that maps it to root. The rootless build must give the very same
//! image ID as the root build of the same Dockerfile (fixed SOURCE_DATE_EPOCH). Where
//! the kernel refuses unprivileged user namespaces or overlayfs inside them, the test
//! checks that layerlab's error names exactly that, and prints `skipped: <reason>`.
#![cfg(all(feature = "native", target_os = "linux"))]

use crate::native_support;

use native_support::{ok, TempDir};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const NOBODY: u32 = 65534;
const EPOCH: &str = "SOURCE_DATE_EPOCH=1700000000";

/// Runs `program args` as uid/gid 65534 with no supplementary groups.
fn unprivileged(program: &Path, args: &[&str], envs: &[(&str, &Path)]) -> (i32, String, String) {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        format!("--reuid={NOBODY}"),
        format!("--regid={NOBODY}"),
        "--clear-groups".into(),
    ])
    .arg(program)
    .args(args)
    .env_remove(layerlab::native::fsio::CRASH_ENV)
    .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("spawn");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What the kernel refuses to an unprivileged user, checked with util-linux's
/// `unshare` independently of layerlab: `None` when both pieces work.
fn kernel_refusal(scratch: &Path) -> Option<&'static str> {
    let (code, _, _) = unprivileged(
        Path::new("unshare"),
        &["--user", "--map-root-user", "true"],
        &[],
    );
    if code != 0 {
        return Some("rootless mode needs unprivileged user namespaces");
    }
    let d = |n: &str| scratch.join(n).display().to_string();
    let script = format!(
        "mkdir -p {l} {u} {w} {m} && mount -t overlay overlay -o lowerdir={l},upperdir={u},workdir={w},userxattr {m}",
        l = d("l"),
        u = d("u"),
        w = d("w"),
        m = d("m")
    );
    let (code, _, _) = unprivileged(
        Path::new("unshare"),
        &["--user", "--map-root-user", "--mount", "sh", "-c", &script],
        &[],
    );
    (code != 0).then_some("rootless mode needs overlayfs mounts inside a user namespace")
}

struct Rootless {
    _dir: TempDir,
    home: PathBuf,
    tmp: PathBuf,
    bin: PathBuf,
}

impl Rootless {
    /// A store and TMPDIR the unprivileged user owns, and a `layerlab` it can execute.
    fn new() -> Rootless {
        let dir = TempDir::new("rootless");
        let (home, tmp) = (dir.path().join("home"), dir.path().join("tmp"));
        for d in [dir.path(), &home, &tmp] {
            std::fs::create_dir_all(d).unwrap();
            std::os::unix::fs::chown(d, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        let mut bin = PathBuf::from(env!("CARGO_BIN_EXE_layerlab"));
        let (code, _, _) = unprivileged(Path::new("test"), &["-x", bin.to_str().unwrap()], &[]);
        if code != 0 {
            // The build tree is not reachable for uid 65534: use a copy it can run.
            let copy = dir.path().join("layerlab");
            std::fs::copy(&bin, &copy).unwrap();
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
            bin = copy;
        }
        Rootless {
            _dir: dir,
            home,
            tmp,
            bin,
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        unprivileged(
            &self.bin,
            args,
            &[("LAYERLAB_HOME", &self.home), ("TMPDIR", &self.tmp)],
        )
    }

    fn ok(&self, args: &[&str]) -> (String, String) {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "rootless layerlab {args:?} failed:\n{out}\n{err}");
        (out, err)
    }

    fn context(&self, name: &str, dockerfile: &str) -> String {
        let ctx = self.home.parent().unwrap().join(name);
        std::fs::create_dir_all(&ctx).unwrap();
        std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
        let _ = std::fs::set_permissions(&ctx, std::fs::Permissions::from_mode(0o755));
        ctx.display().to_string()
    }
}

const DOCKERFILE: &str = "FROM busybox:1.35\nRUN echo hello from $(id -u) > /greeting && rm -rf /home && mkdir -p /etc/foo && cat /greeting\n";

#[test]
fn an_unprivileged_user_builds_and_runs_in_a_user_namespace() {
    require!("runc", "/bin/busybox", "setpriv", "unshare");
    let r = Rootless::new();
    r.ok(&["busybox-image"]);
    let ctx = r.context("ctx", DOCKERFILE);
    let build = [
        "build",
        "--exec=linux",
        "--build-arg",
        EPOCH,
        "-t",
        "r:1",
        &ctx,
    ];
    if let Some(refusal) = kernel_refusal(&r.tmp.join("probe")) {
        let (code, out, err) = r.run(&build);
        assert_eq!(code, 1, "{out}\n{err}");
        assert!(
            err.contains(refusal) && err.contains("run layerlab as root"),
            "the error must say what is missing ({refusal}):\n{err}"
        );
        println!("skipped: {refusal}, which this kernel refuses to uid {NOBODY}");
        return;
    }

    // A real RUN step as the unprivileged user: root inside, same image as root gets.
    let (id, err) = r.ok(&build);
    assert!(err.contains("hello from 0"), "{err}");
    let root_home = TempDir::new("rootless-ref");
    ok(root_home.path(), &["busybox-image"]);
    let root_id = ok(root_home.path(), &build);
    assert_eq!(id, root_id, "rootless and root builds differ");

    // A container: rootless run, diff of its writable layer, rm.
    let (out, _) = r.ok(&[
        "run",
        "--name",
        "c1",
        "r:1",
        "sh",
        "-c",
        "cat /greeting; id -u; echo x > /new; rm /greeting; ls /proc | grep -c '^[0-9]'",
    ]);
    assert_eq!(out, "hello from 0\n0\n3\n", "own user and PID namespaces");
    assert_eq!(r.ok(&["diff", "c1"]).0, "D /greeting\nA /new\n");
    r.ok(&["rm", "c1"]);
    assert_eq!(r.ok(&["ps", "-a", "-q"]).0, "");

    // Only root maps: a non-root USER is refused with the reason.
    let ctx = r.context("ctx-user", "FROM busybox:1.35\nUSER appuser\nRUN id\n");
    let (code, _, err) = r.run(&["build", "--exec=linux", &ctx]);
    assert_eq!(code, 1);
    assert!(
        err.contains("rootless mode maps only uid 0 and gid 0")
            && err.contains("USER appuser (uid 1000, gid 1000)"),
        "{err}"
    );

    // Step and container directories are cleaned up (overlay's mode-000 work dirs too).
    let leftovers: Vec<String> = std::fs::read_dir(r.tmp.join(format!("layerlab-exec-{NOBODY}")))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "runc-state")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A kernel that refuses unprivileged user namespaces, made for real: inside a user
/// namespace (mapping root to uid 65534) whose `user.max_user_namespaces` is 0 —
/// the sysctl distributions use to turn them off — a rootless build and a rootless
/// run fail before doing anything, with the sysctl to change.
#[test]
fn a_kernel_refusing_user_namespaces_gets_an_error_naming_the_fix() {
    require!("runc", "/bin/busybox", "setpriv", "unshare");
    // Owned by host root, which is the one mapped (to 65534) in that namespace.
    let dir = TempDir::new("rootless-refused");
    let (home, tmp, ctx) = (
        dir.path().join("home"),
        dir.path().join("tmp"),
        dir.path().join("ctx"),
    );
    for d in [&home, &tmp, &ctx] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(ctx.join("Dockerfile"), DOCKERFILE).unwrap();
    let ctx = ctx.display().to_string();
    ok(&home, &["busybox-image"]);
    let limited = |args: &[&str]| -> (i32, String) {
        let script = "echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv --inh-caps=-all --ambient-caps=-all \"$@\"";
        let out = Command::new("unshare")
            .args([
                "--user",
                &format!("--map-user={NOBODY}"),
                &format!("--map-group={NOBODY}"),
                "--keep-caps",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .arg(env!("CARGO_BIN_EXE_layerlab"))
            .args(args)
            .env("LAYERLAB_HOME", &home)
            .env("TMPDIR", &tmp)
            .env_remove(layerlab::native::fsio::CRASH_ENV)
            .output()
            .expect("unshare");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = limited(&["build", "--exec=linux", "-t", "r:1", &ctx]);
    if code != 1 && err.contains("max_user_namespaces") {
        println!("skipped: cannot set user.max_user_namespaces in a user namespace here: {err}");
        return;
    }
    let expected = "rootless mode needs unprivileged user namespaces, which this kernel refuses (unshare(CLONE_NEWUSER): No space left on device (os error 28)): enable them with `sysctl -w user.max_user_namespaces=15000`, or run layerlab as root";
    assert_eq!(code, 1, "{err}");
    assert_eq!(err, format!("ERROR: {expected}\n"));
    let (code, err) = limited(&["run", "--rm", "busybox:1.35", "true"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err, format!("Error response from daemon: {expected}\n"));
    assert_eq!(
        ok(&home, &["images", "-q"]).lines().count(),
        1,
        "nothing was built"
    );
}

/// The user the subordinate-id test runs as: made here (useradd) with its own
/// ranges in /etc/subuid and /etc/subgid (usermod), as a distribution gives them to
/// every regular user. Returns its uid, or why it cannot be made.
fn user_with_subordinate_ids() -> Result<u32, String> {
    const NAME: &str = "layerlab-subid";
    let uid_of = || -> Option<u32> {
        let out = Command::new("id").args(["-u", NAME]).output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    if uid_of().is_none() {
        let out = Command::new("useradd")
            .args(["--no-create-home", "--shell", "/usr/sbin/nologin", NAME])
            .output()
            .map_err(|e| format!("useradd: {e}"))?;
        // A parallel run may have made it meanwhile.
        if !out.status.success() && uid_of().is_none() {
            return Err(format!("useradd: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    let has = |file: &str| {
        std::fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with(&format!("{NAME}:")))
    };
    if !has("/etc/subuid") || !has("/etc/subgid") {
        let out = Command::new("usermod")
            .args([
                "--add-subuids",
                "400000-465535",
                "--add-subgids",
                "400000-465535",
                NAME,
            ])
            .output()
            .map_err(|e| format!("usermod: {e}"))?;
        if !out.status.success() {
            return Err(format!("usermod: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    uid_of().ok_or_else(|| format!("no user {NAME}"))
}

/// With subordinate ids (newuidmap/newgidmap from `uidmap`), a rootless RUN can
/// `adduser` and `chown 1000`, a later `USER app` step runs as uid 1000, and the
/// image is the very one root builds (owners and all).
#[test]
fn subordinate_ids_let_a_rootless_run_chown_and_switch_user() {
    require!(
        "runc",
        "/bin/busybox",
        "setpriv",
        "unshare",
        "newuidmap",
        "newgidmap",
        "useradd",
        "usermod"
    );
    let uid = match user_with_subordinate_ids() {
        Ok(u) => u,
        Err(e) => panic!("test user: {e}"),
    };
    let dir = TempDir::new("rootless-subid");
    let (home, tmp, ctx) = (
        dir.path().join("home"),
        dir.path().join("tmp"),
        dir.path().join("ctx"),
    );
    for d in [dir.path(), &home, &tmp, &ctx] {
        std::fs::create_dir_all(d).unwrap();
        std::os::unix::fs::chown(d, Some(uid), Some(uid)).unwrap();
    }
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox:1.35\n\
         RUN echo app:x:1000:1000::/home/app:/bin/sh >> /etc/passwd && echo app:x:1000: >> /etc/group \
             && mkdir -p /home/app /data && echo hi > /data/f && chown -R 1000:1000 /data /home/app && ls -ln /data\n\
         USER app\n\
         RUN id -u && id -g && echo mine > /home/app/mine && ls -ln /home/app\n",
    )
    .unwrap();
    let mut bin = PathBuf::from(env!("CARGO_BIN_EXE_layerlab"));
    let copy = dir.path().join("layerlab");
    std::fs::copy(&bin, &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin = copy;
    let as_user = |args: &[&str]| -> (i32, String, String) {
        let out = Command::new("setpriv")
            .args([
                format!("--reuid={uid}"),
                format!("--regid={uid}"),
                "--clear-groups".into(),
            ])
            .arg(&bin)
            .args(args)
            .env_remove(layerlab::native::fsio::CRASH_ENV)
            .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
            .env("LAYERLAB_HOME", &home)
            .env("TMPDIR", &tmp)
            .output()
            .expect("spawn");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = as_user(&["busybox-image"]);
    assert_eq!(code, 0, "{err}");
    let ctx = ctx.display().to_string();
    let build = [
        "build",
        "--exec=linux",
        "--build-arg",
        EPOCH,
        "-t",
        "s:1",
        &ctx,
    ];
    let probe = dir.path().join("probe");
    std::fs::create_dir_all(&probe).unwrap();
    std::os::unix::fs::chown(&probe, Some(NOBODY), Some(NOBODY)).unwrap();
    if let Some(refusal) = kernel_refusal(&probe.join("p")) {
        println!("skipped: {refusal}");
        return;
    }
    let (code, id, err) = as_user(&build);
    assert_eq!(
        code, 0,
        "rootless build with subordinate ids failed:\n{err}"
    );
    let owned = |step: &str| {
        err.lines()
            .filter(|l| l.starts_with(step) && l.contains(" 1000     1000 "))
            .count()
    };
    assert_eq!(owned("#5 "), 1, "chown 1000 inside: {err}");
    assert_eq!(owned("#6 "), 1, "a file USER app made: {err}");
    let ids = err
        .lines()
        .filter(|l| l.starts_with("#6 ") && l.ends_with(" 1000"))
        .count();
    assert_eq!(ids, 2, "id -u and id -g as USER app: {err}");
    let root_home = TempDir::new("rootless-subid-ref");
    ok(root_home.path(), &["busybox-image"]);
    let root_id = ok(root_home.path(), &build);
    assert_eq!(
        id, root_id,
        "rootless (subordinate ids) and root builds differ:\n{err}"
    );
    let leftovers: Vec<String> = std::fs::read_dir(tmp.join(format!("layerlab-exec-{uid}")))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "runc-state")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
