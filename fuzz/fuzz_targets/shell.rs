//! Random scripts through the simulated shell under small budgets: no panic, no hang.
#![no_main]

use layerlab::engine::fs::{Fs, Metadata};
use layerlab::engine::shell::{run, Budgets, RunSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let script = String::from_utf8_lossy(data);
    let mut fs = Fs::new();
    let dir = Metadata::new(0o755, 0, 0, 0);
    let _ = fs.mkdir_all("/bin", dir);
    let _ = fs.mkdir_all("/tmp", dir);
    let _ = fs.write_file("/bin/busybox", "ELF", Metadata::new(0o755, 0, 0, 0));
    let _ = fs.mkdir_all("/home/app", Metadata::new(0o755, 1000, 1000, 0));
    let _ = fs.write_file("/etc/secret", "s", Metadata::new(0o600, 0, 0, 0));
    for a in [
        "sh", "echo", "cat", "ls", "sed", "grep", "find", "tar", "cp", "rm", "mkdir", "printf",
        "seq", "yes", "xargs", "sort", "test", "[", "touch", "chmod", "chown", "mv", "ln", "tee",
        "head", "mkfifo", "rmdir",
    ] {
        let _ = fs.symlink("busybox", &format!("/bin/{a}"), dir);
    }
    let mut spec = RunSpec::shell(&script);
    // Half of the inputs run as an unprivileged user, to cover the permission checks.
    if data.first().is_some_and(|b| b & 1 == 1) {
        spec.uid = 1000;
        spec.gid = 1000;
        spec.user = "app".into();
    }
    spec.budgets = Budgets {
        steps: 20_000,
        time_ms: 60_000,
        output_bytes: 64 << 10,
        fs_bytes: 1 << 20,
        fs_files: 1_000,
        depth: 30,
        memory_bytes: 1 << 20,
    };
    let _ = run(fs, &spec);
});
