//! RuncExecutor over a busybox rootfs: real RUN steps give the expected tree changes,
//! whiteouts and opaque directories come back as deletions and recreations, output
//! lines and exit codes are captured, and the step is isolated (no writes outside its
//! root through `..`, absolute symlinks or `/proc/1/root`, no host processes, no
//! network). Needs root, runc and busybox-static.
#![cfg(all(feature = "native", target_os = "linux"))]

use crate::native_support;

use layerlab::engine::build::executor::{Executor, RunCommand, RunRequest};
use layerlab::engine::fs::{diff, FileType, Fs};
use layerlab::native::busybox;
use layerlab::native::exec::{ExecOptions, RuncExecutor};
use native_support::TempDir;
use std::time::Duration;

const MTIME: i64 = 1_700_000_000;

fn sh(script: &str) -> RunRequest {
    RunRequest {
        command: RunCommand::Shell {
            shell: vec!["/bin/sh".into(), "-c".into()],
            script: script.into(),
        },
        env: vec![],
        workdir: "/".into(),
        user: String::new(),
        mtime: MTIME,
        files: vec![],
        hostname: String::new(),
    }
}

fn executor(work: &TempDir) -> RuncExecutor {
    let mut opts = ExecOptions::detect().expect("runc");
    opts.work_root = work.path().to_path_buf();
    opts.timeout = Duration::from_secs(60);
    RuncExecutor::new(opts).expect("executor")
}

fn base() -> Fs {
    busybox::rootfs().expect("busybox rootfs")
}

fn stdout(r: &layerlab::engine::build::executor::RunResult) -> String {
    r.output
        .iter()
        .filter(|l| !l.stderr)
        .map(|l| format!("{}\n", l.text))
        .collect()
}

fn changes(before: &Fs, after: &Fs) -> Vec<String> {
    diff(before, after)
        .docker_diff()
        .into_iter()
        .map(|(k, p)| format!("{} {p}", k.letter()))
        .collect()
}

#[test]
fn echo_and_rm_give_the_expected_changes() {
    require!("runc", "/bin/busybox");
    let work = TempDir::new("exec");
    let mut ex = executor(&work);
    let fs = base();
    let r = ex.run(fs.clone(), &sh("echo hi > /x; rm /etc/hostname; echo done"));
    assert_eq!(r.exit_code, 0, "{:?}", r.output);
    assert_eq!(stdout(&r), "done\n");
    assert_eq!(r.fs.read_file("/x").unwrap().to_vec(), b"hi\n");
    let x = r.fs.lstat("/x").unwrap();
    assert_eq!(
        (x.meta.mode, x.meta.uid, x.meta.gid, x.meta.mtime),
        (0o644, 0, 0, MTIME)
    );
    assert!(!r.fs.exists("/etc/hostname"));
    assert_eq!(changes(&fs, &r.fs), ["C /etc", "D /etc/hostname", "A /x"]);
}

#[test]
fn opaque_dirs_hardlinks_user_env_and_exit_codes() {
    require!("runc", "/bin/busybox");
    let work = TempDir::new("exec2");
    let mut ex = executor(&work);
    let mut fs = base();
    let m = layerlab::engine::fs::Metadata::new(0o755, 0, 0, 1);
    fs.mkdir("/d", m).unwrap();
    fs.write_file("/d/old", b"o".to_vec(), m).unwrap();
    let r = ex.run(
        fs.clone(),
        &sh("rm -rf /d && mkdir /d && echo n > /d/new && ln /d/new /d/link && mkfifo /f"),
    );
    assert_eq!(r.exit_code, 0, "{:?}", r.output);
    assert!(!r.fs.exists("/d/old"));
    assert_eq!(r.fs.hardlinks_of("/d/new").unwrap(), ["/d/link"]);
    assert_eq!(r.fs.lstat("/f").unwrap().file_type, FileType::Fifo);
    let cs = diff(&fs, &r.fs);
    assert!(
        cs.changes().iter().any(|c| c.path == "/d" && c.opaque),
        "{:?}",
        changes(&fs, &r.fs)
    );

    let mut req = sh("id -u; id -g; echo $GREETING; pwd; touch mine; exit 3");
    req.user = "appuser".into();
    req.env = vec![("GREETING".into(), "hello".into())];
    req.workdir = "/tmp".into();
    let r = ex.run(fs.clone(), &req);
    assert_eq!(r.exit_code, 3, "{:?}", r.output);
    assert_eq!(stdout(&r), "1000\n1000\nhello\n/tmp\n");
    let mine = r.fs.lstat("/tmp/mine").unwrap();
    assert_eq!((mine.meta.uid, mine.meta.gid), (1000, 1000));

    let mut req = sh("true");
    req.user = "nosuchuser".into();
    let r = ex.run(fs.clone(), &req);
    assert_ne!(r.exit_code, 0);
    assert_eq!(
        r.stopped_by.as_deref(),
        Some("unable to find user nosuchuser: no matching entries in passwd file")
    );
}

#[test]
fn a_step_cannot_escape_its_root_see_host_processes_or_reach_the_network() {
    require!("runc", "/bin/busybox");
    let work = TempDir::new("exec3");
    let host_dir = TempDir::new("host-target");
    let target = host_dir.path().join("escaped");
    let t = target.display().to_string();
    let mut ex = executor(&work);
    let fs = base();
    let script = format!(
        "echo a > ../../../../../..{t}; \
         ln -s / /hostroot; echo b > /hostroot{t}; \
         echo c > /proc/1/root{t}; \
         mount --bind / /mnt 2>/dev/null && echo mounted; \
         ls /proc | grep -c '^[0-9]' ; \
         grep -c ':' /proc/net/dev; \
         wget -T 2 -q -O- http://127.0.0.1:1/ 2>/dev/null || echo no-network"
    );
    let r = ex.run(fs, &sh(&script));
    assert!(!target.exists(), "a RUN step wrote outside its root");
    let out = stdout(&r);
    let lines: Vec<&str> = out.lines().collect();
    assert!(!out.contains("mounted"), "bind mount succeeded: {out}");
    let procs: u32 = lines.first().and_then(|l| l.parse().ok()).unwrap_or(99);
    assert!(procs <= 4, "container sees {procs} processes: {out}");
    assert_eq!(lines.get(1), Some(&"1"), "interfaces other than lo: {out}");
    assert_eq!(lines.last(), Some(&"no-network"));
}

#[test]
fn timeout_kills_the_step() {
    require!("runc", "/bin/busybox");
    let work = TempDir::new("exec4");
    let mut opts = ExecOptions::detect().expect("runc");
    opts.work_root = work.path().to_path_buf();
    opts.timeout = Duration::from_millis(500);
    let mut ex = RuncExecutor::new(opts).expect("executor");
    let r = ex.run(base(), &sh("sleep 30"));
    assert_ne!(r.exit_code, 0);
    assert!(r.stopped_by.unwrap_or_default().contains("timeout"));
}

#[test]
fn missing_runc_says_what_to_install() {
    let opts = ExecOptions {
        work_root: std::env::temp_dir(),
        timeout: Duration::from_secs(1),
        runc: "/nonexistent/runc".into(),
        keep_work: false,
    };
    let e = RuncExecutor::new(opts).unwrap_err().to_string();
    assert!(e.contains("apt-get install runc"), "{e}");
}
