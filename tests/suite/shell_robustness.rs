//! Hostile and random scripts: the shell never panics, never hangs and never overflows
//! the stack (a deterministic, in-process complement of `fuzz/fuzz_targets/shell.rs`).

use layerlab::engine::fs::{Fs, Metadata};
use layerlab::engine::shell::{check_syntax, run, Budgets, RunSpec};

fn root() -> Fs {
    let mut fs = Fs::new();
    let dir = Metadata::new(0o755, 0, 0, 0);
    fs.mkdir_all("/bin", dir).unwrap();
    fs.mkdir_all("/tmp", dir).unwrap();
    fs.write_file("/bin/busybox", "ELF", Metadata::new(0o755, 0, 0, 0))
        .unwrap();
    for a in [
        "sh", "echo", "cat", "ls", "sed", "grep", "find", "tar", "cp", "rm", "mkdir", "printf",
        "seq", "yes", "xargs", "sort", "test", "[", "head", "tr", "sleep",
    ] {
        fs.symlink("busybox", &format!("/bin/{a}"), dir).unwrap();
    }
    fs
}

fn small() -> Budgets {
    Budgets {
        steps: 5_000,
        time_ms: 60_000,
        output_bytes: 16 << 10,
        fs_bytes: 1 << 20,
        fs_files: 500,
        depth: 30,
        memory_bytes: 1 << 20,
    }
}

const PIECES: &[&str] = &[
    "echo ",
    "x",
    "$x",
    "${x:-y}",
    "${#x}",
    "${x%%*}",
    "$((1+",
    "))",
    "$(",
    ")",
    "`",
    "'",
    "\"",
    "\\",
    "|",
    "||",
    "&&",
    ";",
    "&",
    ">",
    ">>",
    "<",
    "2>&1",
    "<<E\n",
    "\nE\n",
    "(",
    ")",
    "{ ",
    " }",
    "if ",
    "then ",
    "else ",
    "fi",
    "for i in 1 2; do ",
    "done",
    "while false; do ",
    "case ",
    " in ",
    "*) ",
    ";;",
    "esac",
    "f() ",
    "f",
    "\n",
    " ",
    "*",
    "?",
    "[a-",
    "]",
    "~",
    "#",
    "=",
    "sed 's/a/b/g'",
    "grep -E '(a|b)+'",
    "ls -l /",
    "cat /bin/busybox",
    "seq 5",
    "yes",
    "find / -name '*'",
    "tar -cf - /bin",
    "set -eux",
    "exit 3",
    "return",
    "break",
    "shift 9",
    "eval ",
    "sh -c ",
    "printf '%s %d' a",
    "[ -f /x ]",
    "read v",
    "$@",
    "\"$@\"",
    "$#",
    "!",
];

#[test]
fn random_scripts_do_not_panic() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..600 {
        let n = (next() % 12) as usize + 1;
        let mut script = String::new();
        for _ in 0..n {
            script.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        let mut spec = RunSpec::shell(&script);
        spec.budgets = small();
        let out = run(root(), &spec);
        assert!(
            out.steps <= small().steps + 1_000,
            "{script:?} used {} steps",
            out.steps
        );
    }
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    for src in [
        "(".repeat(10_000),
        "$(".repeat(10_000),
        "${x:-".repeat(10_000),
        "{ ".repeat(10_000),
        "if true; then ".repeat(10_000),
        format!("echo $(({}1{}))", "(".repeat(10_000), ")".repeat(10_000)),
        "`echo \\`".repeat(200),
    ] {
        let mut spec = RunSpec::shell(&src);
        spec.budgets = small();
        let out = run(root(), &spec);
        assert_ne!(out.exit_code, 0, "{}", &src[..20]);
        let _ = check_syntax(&src);
    }
}

#[test]
fn hostile_regex_and_globs_stay_fast() {
    let script = format!(
        "echo {} | grep -E '(a*)*(a*)*(a*)*b'; echo {} | sed 's/\\(a*\\)*b/x/'; case {} in *a*a*a*a*a*b) echo m;; esac; ls /*/*/*/*/*",
        "a".repeat(2000),
        "a".repeat(2000),
        "a".repeat(200)
    );
    let mut spec = RunSpec::shell(&script);
    spec.budgets = small();
    let out = run(root(), &spec);
    assert!(out.budget_exceeded.is_none(), "{:?}", out.output);
}

#[test]
fn budget_message_names_the_budget() {
    let mut spec = RunSpec::shell("while :; do :; done");
    spec.budgets = small();
    let out = run(root(), &spec);
    assert_eq!(out.exit_code, 137);
    assert_eq!(
        out.output.last().map(|l| l.text.as_str()),
        Some("layerlab: RUN stopped: step budget of 5000 operations exceeded (infinite loop?)")
    );
    // The engine stays usable: the returned filesystem runs the next command.
    let out2 = run(out.fs, &RunSpec::shell("echo next"));
    assert_eq!(out2.stdout(), "next\n");
}

#[test]
fn simulated_duration_counts_sleep_and_commands() {
    let out = run(root(), &RunSpec::shell("sleep 2; echo a; echo b | cat"));
    assert!(
        out.duration_ms >= 2000 && out.duration_ms < 2100,
        "{}",
        out.duration_ms
    );
}
