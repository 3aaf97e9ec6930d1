//! The native CLI's own surface: `layerlab completions bash|zsh|fish` prints
//! clap_complete's scripts for every verb, and the bash one really completes in bash.
//! Needs no root and no tools beyond bash.
#![cfg(all(feature = "native", target_os = "linux"))]

mod native_support;

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
