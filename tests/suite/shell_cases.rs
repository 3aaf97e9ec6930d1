//! Data-driven tests of the simulated shell: every `tests/data/shell/*.txt` file holds
//! cases run over a small busybox-like root (`/bin/busybox` plus applet symlinks,
//! `/etc/passwd`, `/etc/group`), as the busybox base image has.
//!
//! Case format (sections start with `=== `):
//! ```text
//! ### case name
//! === file /path [mode] [uid:gid]  initial file content (following lines)
//! === dir /path mode [uid:gid]      an initial directory (no body)
//! === script                the RUN shell-form script
//! === stdout                expected stdout (exact)
//! === stderr                expected stderr (exact; optional)
//! === exit                  expected exit code (default 0)
//! === expect                one check per line: `content PATH TEXT`, `missing PATH`,
//!                           `dir PATH`, `mode PATH 0755`, `owner PATH UID GID`,
//!                           `symlink PATH TARGET`, `budget NAME`, `user UID GID [NAME]`,
//!                           `env K=V`, `workdir /dir`, `exec`
//! ```

use layerlab::engine::fs::{FileType, Fs, Metadata};
use layerlab::engine::shell::{run, Budget, Budgets, RunCommand, RunSpec};

const APPLETS: &[&str] = &[
    "sh", "ash", "echo", "printf", "cat", "ls", "mkdir", "rmdir", "touch", "rm", "cp", "mv", "ln",
    "chmod", "chown", "chgrp", "pwd", "head", "tail", "wc", "grep", "egrep", "sed", "tr", "cut",
    "sort", "uniq", "tee", "find", "xargs", "basename", "dirname", "test", "[", "[[", "true",
    "false", "env", "id", "whoami", "uname", "date", "sleep", "which", "stat", "du", "df",
    "mktemp", "nproc", "tar", "gzip", "gunzip", "zcat", "adduser", "addgroup", "getent", "install",
    "realpath", "readlink", "seq", "yes", "wget", "mkfifo", "mknod", "printenv", "hostname", "rev",
    "vi",
];

pub fn busybox_root() -> Fs {
    let dir = Metadata::new(0o755, 0, 0, 1_600_000_000);
    let file = Metadata::new(0o644, 0, 0, 1_600_000_000);
    let mut fs = Fs::new();
    for d in [
        "/bin",
        "/etc",
        "/home",
        "/root",
        "/usr/bin",
        "/usr/sbin",
        "/var",
        "/sbin",
    ] {
        fs.mkdir_all(d, dir).unwrap();
    }
    fs.mkdir_all("/tmp", Metadata::new(0o1777, 0, 0, 1_600_000_000))
        .unwrap();
    fs.write_file(
        "/bin/busybox",
        layerlab::engine::fs::Content::Synthetic {
            seed: 7,
            size: 1_000_000,
        },
        Metadata::new(0o755, 0, 0, 1_600_000_000),
    )
    .unwrap();
    for a in APPLETS {
        fs.symlink("busybox", &format!("/bin/{a}"), dir).unwrap();
    }
    fs.write_file(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
        file,
    )
    .unwrap();
    fs.write_file(
        "/etc/group",
        "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n",
        file,
    )
    .unwrap();
    fs
}

#[derive(Default, Debug)]
struct Case {
    name: String,
    files: Vec<(String, u32, (u32, u32), String)>,
    dirs: Vec<(String, u32, (u32, u32))>,
    script: String,
    stdout: Option<String>,
    stderr: Option<String>,
    exit: i32,
    expect: Vec<String>,
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    let mut section = String::new();
    let mut buf = String::new();
    fn flush(c: &mut Case, section: &str, buf: &mut String) {
        let body = std::mem::take(buf);
        let mut words = section.split_whitespace();
        match words.next() {
            Some(kind @ ("file" | "dir")) => {
                let path = words.next().unwrap().to_string();
                let mode = words
                    .next()
                    .map_or(0o644, |m| u32::from_str_radix(m, 8).unwrap());
                let owner = words.next().map_or((0, 0), |o| {
                    let (u, g) = o.split_once(':').unwrap();
                    (u.parse().unwrap(), g.parse().unwrap())
                });
                if kind == "file" {
                    c.files.push((path, mode, owner, body));
                } else {
                    c.dirs.push((path, mode, owner));
                }
            }
            Some("script") => c.script = body,
            Some("stdout") => c.stdout = Some(body),
            Some("stderr") => c.stderr = Some(body),
            Some("exit") => c.exit = body.trim().parse().unwrap(),
            Some("expect") => c.expect.extend(
                body.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string),
            ),
            _ => {}
        }
    }
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("### ") {
            if let Some(mut c) = cur.take() {
                flush(&mut c, &section, &mut buf);
                cases.push(c);
            }
            cur = Some(Case {
                name: name.trim().to_string(),
                ..Case::default()
            });
            section.clear();
            continue;
        }
        if let Some(s) = line.strip_prefix("=== ") {
            if let Some(c) = cur.as_mut() {
                flush(c, &section, &mut buf);
            }
            section = s.trim().to_string();
            continue;
        }
        if cur.is_some() && !section.is_empty() {
            buf.push_str(line);
        }
    }
    if let Some(mut c) = cur.take() {
        flush(&mut c, &section, &mut buf);
        cases.push(c);
    }
    cases
}

fn budget_named(n: &str) -> Budget {
    match n {
        "steps" => Budget::Steps,
        "time" => Budget::Time,
        "output" => Budget::Output,
        "fs_bytes" => Budget::FsBytes,
        "fs_files" => Budget::FsFiles,
        "depth" => Budget::Depth,
        "memory" => Budget::Memory,
        _ => panic!("unknown budget {n}"),
    }
}

fn check(case: &Case) -> Result<(), String> {
    let mut fs = busybox_root();
    for (path, mode, (uid, gid)) in &case.dirs {
        let meta = Metadata::new(*mode, *uid, *gid, 1_600_000_000);
        fs.mkdir_all(path, meta).unwrap();
        fs.set_metadata(path, meta).unwrap();
    }
    for (path, mode, (uid, gid), body) in &case.files {
        let parent = layerlab::engine::fs::normalize(&format!("{path}/.."));
        fs.mkdir_all(&parent, Metadata::new(0o755, 0, 0, 1_600_000_000))
            .unwrap();
        fs.write_file(
            path,
            body.as_str(),
            Metadata::new(*mode, *uid, *gid, 1_600_000_000),
        )
        .unwrap();
    }
    let mut spec = RunSpec::shell(case.script.trim_end_matches('\n'));
    spec.mtime = 1_700_000_000;
    spec.budgets = Budgets {
        steps: 200_000,
        memory_bytes: 8 << 20,
        fs_bytes: 16 << 20,
        fs_files: 5_000,
        ..Budgets::default()
    };
    let mut expected_budget = None;
    for e in &case.expect {
        let w: Vec<&str> = e.split_whitespace().collect();
        match w[0] {
            "user" => {
                spec.uid = w[1].parse().unwrap();
                spec.gid = w[2].parse().unwrap();
                if let Some(name) = w.get(3) {
                    spec.user = name.to_string();
                }
            }
            "env" => {
                let (k, v) = w[1].split_once('=').unwrap();
                spec.env.push((k.into(), v.into()));
            }
            "workdir" => spec.workdir = w[1].into(),
            "exec" => {
                spec.command =
                    RunCommand::Exec(case.script.split_whitespace().map(str::to_string).collect());
            }
            "budget" => expected_budget = Some(budget_named(w[1])),
            _ => {}
        }
    }
    let out = run(fs, &spec);
    let mut errs = Vec::new();
    if out.exit_code != case.exit {
        errs.push(format!("exit: got {}, want {}", out.exit_code, case.exit));
    }
    if let Some(want) = &case.stdout {
        if out.stdout() != *want {
            errs.push(format!(
                "stdout:\n--- got\n{}--- want\n{}",
                out.stdout(),
                want
            ));
        }
    }
    if let Some(want) = &case.stderr {
        if out.stderr() != *want {
            errs.push(format!(
                "stderr:\n--- got\n{}--- want\n{}",
                out.stderr(),
                want
            ));
        }
    }
    if out.budget_exceeded != expected_budget {
        errs.push(format!(
            "budget: got {:?}, want {:?}",
            out.budget_exceeded, expected_budget
        ));
    }
    let fs = &out.fs;
    for e in &case.expect {
        let w: Vec<&str> = e.splitn(3, ' ').collect();
        let path = w.get(1).copied().unwrap_or("");
        let ok = match w[0] {
            "content" => {
                let want = w.get(2).copied().unwrap_or("").replace("\\n", "\n");
                match fs.read_file(path) {
                    Ok(c) => {
                        let got = String::from_utf8_lossy(&c.to_vec()).into_owned();
                        if got != want {
                            errs.push(format!("content {path}: got {got:?}, want {want:?}"));
                        }
                        true
                    }
                    Err(_) => false,
                }
            }
            "missing" => fs.lstat(path).is_err(),
            "dir" => fs.lstat(path).is_ok_and(|s| s.file_type == FileType::Dir),
            "mode" => fs
                .lstat(path)
                .is_ok_and(|s| format!("{:04o}", s.meta.mode) == w[2]),
            "owner" => fs
                .lstat(path)
                .is_ok_and(|s| format!("{} {}", s.meta.uid, s.meta.gid) == w[2]),
            "symlink" => fs.read_link(path).is_ok_and(|t| t == w[2]),
            "fifo" => fs.lstat(path).is_ok_and(|s| s.file_type == FileType::Fifo),
            _ => true,
        };
        if !ok {
            errs.push(format!("check failed: {e}"));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n  output: {:?}", errs.join("\n"), out.output))
    }
}

#[test]
fn shell_data_cases() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/shell");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut passed, mut failed) = (0, Vec::new());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for case in parse_cases(&text) {
            match check(&case) {
                Ok(()) => passed += 1,
                Err(e) => failed.push(format!(
                    "[{}] {}: {e}",
                    f.file_name().unwrap().to_string_lossy(),
                    case.name
                )),
            }
        }
    }
    println!("tests/data/shell: {passed} passed, {} failed", failed.len());
    assert!(passed >= 1, "no cases found");
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
