//! A terminal attached to a shell inside a container: `docker run -it alpine sh` and
//! `docker exec -it web sh` give a prompt (`/ # `), and the lines typed go to that
//! shell, not to the docker CLI, until `exit`.
//!
//! Each line runs in the container like `docker exec` does (same filesystem, env,
//! user), with the shell's working directory carried over from the previous line, so
//! `cd /app` then `ls` behaves as in a real session. `exit` (or a line that makes the
//! shell exit) ends the session: for `run -it` it was the container's main process,
//! so the container stops (`Exited (N)`; `--rm` removes it), as in Docker; an
//! `exec -it` session leaves the container running.

use super::CommandOutput;
use crate::engine::build::executor::Executor;
use crate::engine::runtime::process::Outcome;
use crate::engine::shell::builtins::quote;
use crate::engine::world::{Attached, ExecSpec, World};

/// The marker before the working directory the wrapper script prints last.
const CWD_MARK: char = '\u{1f}';

/// The one program `argv` runs, after an official image's `docker-entrypoint.sh`
/// (which ends in `exec "$@"`), when it is run with no arguments.
fn lone_program(argv: &[String]) -> Option<&[String]> {
    match argv {
        [entry, rest @ ..]
            if matches!(
                basename(entry),
                "docker-entrypoint.sh" | "docker-entrypoint"
            ) =>
        {
            lone_program(rest)
        }
        [_] => Some(argv),
        _ => None,
    }
}

/// The shell whose interactive session the terminal can attach to: a bare `sh`,
/// `bash`, ... as the whole command (`docker run -it node sh`).
pub fn shell_of(argv: &[String]) -> Option<&[String]> {
    lone_program(argv).filter(|p| matches!(basename(&p[0]), "sh" | "bash" | "ash" | "dash"))
}

/// An interpreter started with no script (`docker run -it node`, `python:3.12`'s
/// `python3`): its interactive prompt, which the terminal attaches to like a shell.
pub fn repl_of(argv: &[String]) -> Option<&[String]> {
    lone_program(argv).filter(|p| is_repl(basename(&p[0])))
}

/// A program name that is an interpreter's interactive prompt, not a shell.
fn is_repl(program: &str) -> bool {
    program == "node" || program == "python" || program.starts_with("python3")
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Attaches the terminal to `shell` in `container` (already running), starting in
/// `workdir` and running as `user` when given (`exec -it -w DIR -u USER`), else in the
/// container's own.
pub fn attach(
    world: &mut World,
    container: &str,
    shell: &[String],
    main: bool,
    workdir: Option<&str>,
    user: Option<&str>,
) {
    let Ok(c) = world.container(container) else {
        return;
    };
    let cwd = match workdir.unwrap_or(&c.working_dir) {
        "" => "/".to_string(),
        w => w.to_string(),
    };
    world.attached = Some(Attached {
        container: c.id.clone(),
        main,
        shell: basename(&shell[0]).to_string(),
        cwd,
        user: user.unwrap_or(&c.user).to_string(),
    });
}

/// The user name a prompt shows for a `USER`/`-u` value (`root` for none or uid 0).
fn prompt_user(user: &str) -> &str {
    match user.split(':').next().unwrap_or("") {
        "" | "0" => "root",
        u => u,
    }
}

/// The prompt the attached shell shows: bash's `root@<short id>:/app# `, ash's
/// `/app # ` (BusyBox's default for `sh`); `$` instead of `#` for other users.
pub fn prompt(a: &Attached) -> String {
    if is_repl(&a.shell) {
        return if a.shell == "node" { "> " } else { ">>> " }.to_string();
    }
    let user = prompt_user(&a.user);
    let sigil = if user == "root" { '#' } else { '$' };
    if a.shell == "bash" {
        let short = a.container.get(..12).unwrap_or(&a.container);
        format!("{user}@{short}:{}{sigil} ", a.cwd)
    } else {
        format!("{} {sigil} ", a.cwd)
    }
}

/// Runs one line in the attached shell.
pub fn line(world: &mut World, a: Attached, line: &str, exec: &mut dyn Executor) -> CommandOutput {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return CommandOutput::default();
    }
    if !world
        .container(&a.container)
        .is_ok_and(|c| c.state.is_running())
    {
        // The container went away under the session: nothing is attached any more.
        world.attached = None;
        return CommandOutput::default();
    }
    if a.main {
        // With a TTY the terminal echoes what was typed after the prompt, and it all
        // goes to the container's log.
        let echo = Outcome {
            output: vec![crate::engine::runtime::process::Output {
                stderr: false,
                text: format!("{}{trimmed}", prompt(&a)),
            }],
            exit_code: None,
            exits_after: None,
        };
        let _ = world.log_terminal_output(&a.container, &echo);
    }
    if is_repl(&a.shell) {
        return repl(world, &a, trimmed);
    }
    // `exit [N]` typed at the prompt ends the session without running anything.
    let mut words = trimmed.split_whitespace();
    if words.next() == Some("exit") {
        let code = match words.next() {
            None => 0,
            Some(n) => n.parse::<i32>().map(|n| n & 0xff).unwrap_or(2),
        };
        return end(world, &a, code, CommandOutput::default());
    }
    // A line that does not parse is the shell's error, and the session goes on (it
    // must not swallow the wrapper below and end the shell).
    if let Err(e) = crate::engine::shell::check_syntax(trimmed) {
        return CommandOutput::err(format!("{}: {e}\n", a.shell), 2);
    }
    // The line runs in a fresh shell that starts in the session's directory and
    // reports where it ended up; its own exit status is kept.
    // The line itself is `$1`, run by `eval`, so nothing it opens (a quote, a
    // here-document) can reach the wrapper's own lines.
    let script = format!(
        "cd {} 2>/dev/null\n__layerlab_line=$1\nset --\neval \"$__layerlab_line\"\n__layerlab_status=$?\nprintf '\\037%s\\n' \"$PWD\"\nexit $__layerlab_status",
        quote(&a.cwd)
    );
    let spec = ExecSpec {
        command: vec![
            a.shell.clone(),
            "-c".to_string(),
            script,
            a.shell.clone(),
            trimmed.to_string(),
        ],
        env: Vec::new(),
        workdir: None,
        user: (!a.user.is_empty()).then(|| a.user.clone()),
        interactive: false,
    };
    let mut outcome = match world.exec_in(&a.container, &spec, exec) {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            return CommandOutput::err(format!("{}: {e}\n", a.shell), 127);
        }
        Err(e) => return CommandOutput::err(format!("{e}\n"), 1),
    };
    let cwd = take_cwd(&mut outcome);
    let code = outcome.exit_code.unwrap_or(0);
    if a.main {
        // A TTY merges stdout and stderr: `docker logs` shows both as one stream.
        let mut tty = outcome.clone();
        for l in tty.output.iter_mut() {
            l.stderr = false;
        }
        let _ = world.log_terminal_output(&a.container, &tty);
    }
    let mut out = CommandOutput::default();
    super::containers::print_outcome(&mut out, &outcome);
    out.exit_code = code;
    match cwd {
        Some(cwd) => {
            world.attached = Some(Attached { cwd, ..a });
            out
        }
        // No working directory reported: the line made the shell exit (`ls; exit 3`).
        None => end(world, &a, code, out),
    }
}

/// A line at node's or python's prompt (see `pkg::interp::repl_line`).
fn repl(world: &mut World, a: &Attached, line: &str) -> CommandOutput {
    use crate::engine::pkg::interp::{repl_line, ReplLine};
    let node = a.shell == "node";
    let mut out = CommandOutput::default();
    match repl_line(node, line) {
        ReplLine::Exit(code) => return end(world, a, code, out),
        ReplLine::Print(lines) => {
            for l in &lines {
                out.out(l);
            }
            if a.main {
                let printed = Outcome {
                    output: lines
                        .into_iter()
                        .map(|text| crate::engine::runtime::process::Output {
                            stderr: false,
                            text,
                        })
                        .collect(),
                    exit_code: None,
                    exits_after: None,
                };
                let _ = world.log_terminal_output(&a.container, &printed);
            }
        }
        ReplLine::Unsupported => {
            let (what, leave) = if node {
                ("node", ".exit")
            } else {
                ("python", "exit()")
            };
            out.warn(format!(
                "layerlab: the simulated {what} prompt evaluates strings, whole-number sums and products, and {}(...); {leave} leaves",
                if node { "console.log" } else { "print" }
            ));
            out.exit_code = 1;
        }
    }
    out
}

/// Removes the wrapper's working-directory line from the output.
fn take_cwd(o: &mut Outcome) -> Option<String> {
    let i = o
        .output
        .iter()
        .rposition(|l| !l.stderr && l.text.starts_with(CWD_MARK))?;
    let line = o.output.remove(i);
    Some(line.text[CWD_MARK.len_utf8()..].to_string())
}

/// The shell exited with `code`: the terminal detaches; for `run -it` the container's
/// main process is gone, so the container stops.
fn end(world: &mut World, a: &Attached, code: i32, mut out: CommandOutput) -> CommandOutput {
    world.attached = None;
    if a.main {
        if let Err(e) = world.main_process_exited(&a.container, code) {
            out.warn(format!("{e}"));
        }
    }
    out.exit_code = code;
    out
}
