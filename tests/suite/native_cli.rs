//! The native CLI's own surface: `layerlab completions bash|zsh|fish` prints
//! clap_complete's scripts for every verb, and the bash one really completes in bash
//! (needs only bash); progress bars appear on a terminal only (needs root, runc,
//! busybox-static and util-linux `script`).
#![cfg(all(feature = "native", target_os = "linux"))]

use crate::native_support;

use native_support::{ok, run, TempDir};
use std::process::Command;

#[test]
fn completions_name_every_verb_in_each_shell() {
    let home = TempDir::new("completions");
    let h = home.path();
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(h, &["completions", shell]);
        for verb in [
            "build",
            "run",
            "push",
            "pull",
            "images",
            "busybox-image",
            "fsck",
        ] {
            assert!(script.contains(verb), "{shell} script lacks {verb}");
        }
    }
    let (code, _, err) = run(h, &["completions", "tcsh"]);
    assert_eq!(code, 125, "{err}");
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn the_bash_script_completes_verbs_and_flags() {
    let home = TempDir::new("completions-bash");
    let h = home.path();
    let script = h.join("layerlab.bash");
    std::fs::write(&script, ok(h, &["completions", "bash"])).unwrap();
    // What bash's programmable completion does on `layerlab pu<TAB>` and
    // `layerlab build --ex<TAB>`: call the registered function with COMP_WORDS set.
    let complete = |words: &str| {
        let program = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _layerlab layerlab \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = Command::new("bash")
            .args(["--norc", "-c", &program])
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut words: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        words.sort();
        words
    };
    assert_eq!(complete("layerlab pu"), ["pull", "push"]);
    assert_eq!(complete("layerlab build --ex"), ["--exec"]);
    assert!(complete("layerlab r").contains(&"run".to_string()));
}

/// A real build shows BuildKit's live `[+] Building` header and the running RUN step
/// with its latest output line on a terminal, clears them, and prints the same plain
/// log as without one; off a terminal (here: a pipe) no bar is drawn at all.
#[test]
fn build_progress_bars_only_on_a_terminal() {
    require!("runc", "/bin/busybox", "script");
    let home = TempDir::new("progress");
    let h = home.path();
    ok(h, &["busybox-image"]);
    let ctx = native_support::context(
        h,
        "FROM busybox:1.35\nRUN for i in 1 2 3; do echo tick $i; sleep 0.3; done\n",
    );
    let args = ["build", "--exec=linux", "-t", "p:1", ctx.to_str().unwrap()];
    let (code, _, plain) = run(h, &args);
    assert_eq!(code, 0, "{plain}");
    assert!(
        !plain.contains("[+] Building") && !plain.contains('\u{1b}'),
        "{plain}"
    );
    assert!(plain.contains("#5 DONE"), "{plain}");

    // The first build is cached in the store now: run the step again.
    let again = [&args[..4], &["--no-cache"], &args[4..]].concat();
    let (code, tty) = native_support::run_on_terminal(h, &again);
    assert_eq!(code, 0, "{tty}");
    assert!(tty.contains("[+] Building"), "{tty}");
    assert!(tty.contains("RUN /bin/sh -c for i in 1 2 3"), "{tty}");
    assert!(tty.contains("    tick 1"), "live output line: {tty}");
    // The bars are erased, then the plain log follows, as on a pipe.
    let after = tty.rsplit("\u{1b}[2K").next().unwrap_or("");
    assert!(
        after.contains("#5 [2/2] RUN for i in 1 2 3") && after.contains("sha256:"),
        "{tty}"
    );
}
