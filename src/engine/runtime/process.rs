//! A container's processes, simulated. The main process is ENTRYPOINT + CMD as Docker
//! resolves them (run arguments replace CMD, `--entrypoint` replaces ENTRYPOINT and
//! drops the image's CMD); the executable is looked up in the container's PATH like
//! runc's `exec` does. What well-known programs do is simulated plausibly (`node
//! server.js` logs that it listens, `nginx` starts, `python app.py` prints); anything
//! else runs through the build's [`Executor`] (the simulated shell).

use crate::engine::build::executor::{Executor, RunCommand, RunRequest};
use crate::engine::fs::{self, FileType, Fs, Metadata};

/// Where a process's output line went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stderr: bool,
    pub text: String,
}

/// What a started process did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub output: Vec<Output>,
    /// `None`: it keeps running (a server, `sleep infinity`, an interactive shell).
    pub exit_code: Option<i32>,
    /// For `sleep N`: seconds after which it exits with 0.
    pub exits_after: Option<i64>,
}

impl Outcome {
    fn running(output: Vec<Output>) -> Outcome {
        Outcome {
            output,
            exit_code: None,
            exits_after: None,
        }
    }

    fn exited(code: i32, output: Vec<Output>) -> Outcome {
        Outcome {
            output,
            exit_code: Some(code),
            exits_after: None,
        }
    }
}

/// Why a process could not start; runc's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpawnError {
    #[error("exec: \"{0}\": executable file not found in $PATH")]
    NotInPath(String),
    #[error("exec: \"{0}\": stat {0}: no such file or directory")]
    NoSuchFile(String),
    #[error("exec: \"{0}\": permission denied")]
    PermissionDenied(String),
    #[error("no command specified")]
    NoCommand,
}

/// Everything a process starts with.
pub struct Spawn<'a> {
    pub argv: &'a [String],
    /// `KEY=value` entries (image Env with `-e` overrides).
    pub env: &'a [String],
    pub workdir: &'a str,
    pub user: &'a str,
    /// Seconds since the epoch (log timestamps, file mtimes).
    pub now: i64,
    /// `-i`: stdin stays open, so a shell or REPL waits instead of exiting.
    pub interactive: bool,
    /// The container's host name (its short ID, as Docker sets it).
    pub hostname: &'a str,
}

/// The value of `key` in a `KEY=value` list (last one wins, as in a process env).
pub fn env_value<'a>(env: &'a [String], key: &str) -> Option<&'a str> {
    env.iter()
        .rev()
        .find_map(|e| e.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Resolves `argv0` as runc does (`exec.LookPath` in the container's PATH).
pub fn look_path(
    fs: &Fs,
    argv0: &str,
    env: &[String],
    workdir: &str,
) -> Result<String, SpawnError> {
    // Go's `exec.LookPath` (which runc uses) accepts only a regular file with an
    // execute bit; execve(2) of anything else fails with EACCES.
    let check = |path: &str| -> Option<Result<String, SpawnError>> {
        let st = fs.stat(path).ok()?;
        if st.file_type != FileType::File || st.meta.mode & 0o111 == 0 {
            return Some(Err(SpawnError::PermissionDenied(argv0.to_string())));
        }
        Some(Ok(path.to_string()))
    };
    if argv0.contains('/') {
        let path = fs::join(workdir, argv0);
        return check(&path).unwrap_or_else(|| Err(SpawnError::NoSuchFile(argv0.to_string())));
    }
    let path_var = env_value(env, "PATH").unwrap_or(DEFAULT_PATH);
    for dir in path_var.split(':').filter(|d| d.starts_with('/')) {
        let candidate = fs::join(dir, argv0);
        if let Some(Ok(p)) = check(&candidate) {
            return Ok(p);
        }
    }
    Err(SpawnError::NotInPath(argv0.to_string()))
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn out(text: impl Into<String>) -> Output {
    Output {
        stderr: false,
        text: text.into(),
    }
}

fn err(text: impl Into<String>) -> Output {
    Output {
        stderr: true,
        text: text.into(),
    }
}

/// Starts `spawn.argv` in `fs` (the container's root with its volumes mounted) and
/// returns what it did; files it writes land in `fs`.
pub fn start(
    fs: &mut Fs,
    spawn: &Spawn<'_>,
    exec: &mut dyn Executor,
) -> Result<Outcome, SpawnError> {
    let Some(argv0) = spawn.argv.first() else {
        return Err(SpawnError::NoCommand);
    };
    look_path(fs, argv0, spawn.env, spawn.workdir)?;
    Ok(simulate(fs, spawn, spawn.argv, exec, 0))
}

fn simulate(
    fs: &mut Fs,
    spawn: &Spawn<'_>,
    argv: &[String],
    exec: &mut dyn Executor,
    depth: u32,
) -> Outcome {
    let Some(argv0) = argv.first() else {
        return Outcome::exited(0, Vec::new());
    };
    let args = argv.get(1..).unwrap_or(&[]);
    match base_name(argv0) {
        // The official images' entrypoints end in `exec "$@"` (node's prepends `node`
        // when the first argument is a flag).
        "docker-entrypoint.sh" | "docker-entrypoint" if depth < 4 => {
            let mut output = Vec::new();
            let mut rest: Vec<String> = args.to_vec();
            if rest.first().is_some_and(|a| a.starts_with('-')) {
                rest.insert(0, "node".to_string());
            }
            if rest.first().is_some_and(|a| a == "nginx") {
                output.push(out(
                    "/docker-entrypoint.sh: Configuration complete; ready for start up",
                ));
            }
            let mut o = simulate(fs, spawn, &rest, exec, depth + 1);
            output.append(&mut o.output);
            o.output = output;
            o
        }
        // hello-world's static binary.
        "hello" if argv0 == "/hello" && fs.exists("/hello") => {
            Outcome::exited(0, HELLO.lines().map(out).collect())
        }
        // `node -e CODE`, `python -c CODE`, `--version`: one-shot runs, simulated as in
        // a RUN step (the same interpreter stand-in), not as a long-running app.
        "node" | "python" | "python3" if one_shot(program_name(argv0), args) => {
            run_one_shot(fs, spawn, program_name(argv0), args)
        }
        "node" => node(fs, spawn, args),
        "nginx" => nginx(fs, spawn),
        "python" | "python3" => python(fs, spawn, args),
        "sleep" => match args.first().map(String::as_str) {
            Some("infinity") => Outcome::running(Vec::new()),
            Some(n) => match n.trim_end_matches('s').parse::<i64>() {
                Ok(secs) => Outcome {
                    output: Vec::new(),
                    exit_code: None,
                    exits_after: Some(secs.max(0)),
                },
                Err(_) => Outcome::exited(1, vec![err(format!("sleep: invalid number '{n}'"))]),
            },
            None => Outcome::exited(1, vec![err("sleep: missing operand")]),
        },
        "tail" if args.iter().any(|a| a == "-f" || a == "-F") => Outcome::running(Vec::new()),
        "sh" | "bash" | "ash" | "dash" if args.is_empty() => {
            // A shell reading stdin: with `-i` it waits, otherwise stdin is closed and
            // it exits at once (`docker run alpine` stops immediately).
            if spawn.interactive {
                Outcome::running(Vec::new())
            } else {
                Outcome::exited(0, Vec::new())
            }
        }
        name => {
            let command = match (name, args) {
                // `sh -c SCRIPT` (with no `$0 $1...` after it: those go through the
                // shell's own `sh` program, which passes them on).
                ("sh" | "bash" | "ash" | "dash", [flag, script]) if flag == "-c" => {
                    RunCommand::Shell {
                        shell: vec![argv0.clone(), "-c".to_string()],
                        script: script.clone(),
                    }
                }
                _ => RunCommand::Exec(argv.to_vec()),
            };
            run_in_executor(fs, spawn, command, exec)
        }
    }
}

/// Runs a command through the executor (the simulated shell) and keeps its files.
pub fn run_in_executor(
    fs: &mut Fs,
    spawn: &Spawn<'_>,
    command: RunCommand,
    exec: &mut dyn Executor,
) -> Outcome {
    let req = RunRequest {
        command,
        env: spawn
            .env
            .iter()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (e.clone(), String::new()),
            })
            .collect(),
        workdir: spawn.workdir.to_string(),
        user: spawn.user.to_string(),
        mtime: spawn.now,
        files: Vec::new(),
        hostname: spawn.hostname.to_string(),
    };
    let result = exec.run(fs.clone(), &req);
    *fs = result.fs;
    let output = result
        .output
        .into_iter()
        .map(|l| Output {
            stderr: l.stderr,
            text: l.text,
        })
        .collect();
    Outcome::exited(result.exit_code, output)
}

/// The string literals passed to `call(` in `source`, in order (enough to know what a
/// small app prints).
fn call_literals(source: &str, call: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find(call) {
        rest = rest.get(i + call.len()..).unwrap_or("");
        let trimmed = rest.trim_start();
        let mut chars = trimmed.chars();
        if let Some(q @ ('"' | '\'' | '`')) = chars.next() {
            let body = chars.as_str();
            if let Some(end) = body.find(q) {
                found.push(body.get(..end).unwrap_or("").to_string());
            }
        }
    }
    found
}

/// The first run of ASCII digits after `marker`, within a few characters.
fn number_after(source: &str, marker: &str) -> Option<u16> {
    let i = source.find(marker)?;
    let rest = source.get(i + marker.len()..)?;
    let rest = rest.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The port a Node/Python app listens on: `PORT` from the environment when the code
/// reads it, else the literal after `PORT ||` / `listen(` / `port=`, else `default`.
pub fn app_port(source: &str, env: &[String], default: u16) -> u16 {
    if source.contains("PORT") {
        if let Some(p) = env_value(env, "PORT").and_then(|v| v.parse().ok()) {
            return p;
        }
    }
    ["PORT ||", "PORT||", "listen(", "port=", "port = ", "PORT ="]
        .iter()
        .find_map(|m| number_after(source, m))
        .unwrap_or(default)
}

fn write_log(fs: &mut Fs, path: &str, line: &str, now: i64) {
    let meta = Metadata::new(0o644, 0, 0, now);
    if let Some((dir, _)) = path.rsplit_once('/') {
        if !dir.is_empty() {
            let _ = fs.mkdir_all(dir, Metadata::new(0o755, 0, 0, now));
        }
    }
    let _ = fs.append(path, format!("{line}\n").as_bytes(), meta);
}

/// What hello-world's `/hello` prints (docker-library/hello-world `hello.c`).
const HELLO: &str = "
Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the \"hello-world\" image from the Docker Hub.
    (amd64)
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.

To try something more ambitious, you can run an Ubuntu container with:
 $ docker run -it ubuntu bash

Share images, automate workflows, and more with a free Docker ID:
 https://hub.docker.com/

For more examples and ideas, visit:
 https://docs.docker.com/get-started/

";

/// Files an app writes: the literal path of `appendFileSync(`/`writeFileSync(` calls
/// (Node) or `open(..., "a"|"w")` (Python), relative to the working directory.
fn written_files(source: &str, calls: &[&str], workdir: &str) -> Vec<String> {
    calls
        .iter()
        .flat_map(|c| call_literals(source, c))
        .filter(|p| !p.is_empty() && !p.contains("${"))
        .map(|p| fs::join(workdir, &p))
        .collect()
}

fn program_name(argv0: &str) -> &str {
    argv0.rsplit('/').next().unwrap_or(argv0)
}

/// Arguments that make node or python run once and exit rather than serve.
fn one_shot(program: &str, args: &[String]) -> bool {
    let first = args.first().map(String::as_str);
    match program {
        "node" => matches!(
            first,
            Some("-e" | "--eval" | "-p" | "--print" | "-v" | "--version")
        ),
        _ => matches!(first, Some("-c" | "-V" | "--version")),
    }
}

/// A one-shot node/python run through the package-manager interpreter stand-in
/// (`pkg::interp`): its output lines and exit code.
fn run_one_shot(fs: &mut Fs, spawn: &Spawn<'_>, program: &str, args: &[String]) -> Outcome {
    let env: Vec<(String, String)> = spawn
        .env
        .iter()
        .filter_map(|e| {
            e.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let inv = crate::engine::pkg::PkgInvocation {
        program,
        args,
        env: &env,
        cwd: spawn.workdir,
        uid: 0,
        gid: 0,
        mtime: spawn.now,
    };
    match crate::engine::pkg::run(fs, &inv) {
        Some(o) => {
            let mut output: Vec<Output> = o.stdout.lines().map(out).collect();
            output.extend(o.stderr.lines().map(err));
            Outcome::exited(o.exit_code, output)
        }
        None => Outcome::exited(
            127,
            vec![err(format!(
                "exec: \"{program}\": executable file not found in $PATH"
            ))],
        ),
    }
}

fn node(fs: &mut Fs, spawn: &Spawn<'_>, args: &[String]) -> Outcome {
    let Some(script) = args.iter().find(|a| !a.starts_with('-')) else {
        // The REPL: waits on stdin with `-i`, exits when stdin is closed.
        return if spawn.interactive {
            let version = env_value(spawn.env, "NODE_VERSION").unwrap_or("22.11.0");
            Outcome::running(
                crate::engine::pkg::interp::banner(true, version)
                    .map(out)
                    .to_vec(),
            )
        } else {
            Outcome::exited(0, Vec::new())
        };
    };
    let path = fs::join(spawn.workdir, script);
    let Ok(content) = fs.read_file(&path) else {
        return Outcome::exited(
            1,
            vec![
                err("node:internal/modules/cjs/loader:1228"),
                err("  throw err;"),
                err("  ^"),
                err(""),
                err(format!("Error: Cannot find module '{path}'")),
            ],
        );
    };
    let source = String::from_utf8_lossy(&content.to_vec()).into_owned();
    let port = app_port(&source, spawn.env, 3000);
    let mut output: Vec<Output> = call_literals(&source, "console.log(")
        .into_iter()
        .map(|t| {
            out(t
                .replace("${port}", &port.to_string())
                .replace("${PORT}", &port.to_string()))
        })
        .collect();
    let serves = source.contains(".listen(") || source.contains("setInterval(");
    if serves && output.is_empty() {
        output.push(out(format!("listening on port {port}")));
    }
    for file in written_files(
        &source,
        &["appendFileSync(", "writeFileSync("],
        spawn.workdir,
    ) {
        write_log(fs, &file, &format!("started on port {port}"), spawn.now);
    }
    if serves {
        Outcome::running(output)
    } else {
        Outcome::exited(0, output)
    }
}

fn nginx(fs: &mut Fs, spawn: &Spawn<'_>) -> Outcome {
    let now = spawn.now;
    let dir = Metadata::new(0o755, 101, 0, now);
    for d in [
        "/var/cache/nginx/client_temp",
        "/var/cache/nginx/proxy_temp",
        "/var/cache/nginx/fastcgi_temp",
        "/var/cache/nginx/uwsgi_temp",
        "/var/cache/nginx/scgi_temp",
    ] {
        let _ = fs.mkdir_all(d, dir);
    }
    let _ = fs.mkdir_all("/run", Metadata::new(0o755, 0, 0, now));
    let _ = fs.write_file("/run/nginx.pid", "1\n", Metadata::new(0o644, 0, 0, now));
    let stamp = nginx_time(now);
    Outcome::running(vec![
        err(format!(
            "{stamp} [notice] 1#1: using the \"epoll\" event method"
        )),
        err(format!("{stamp} [notice] 1#1: start worker processes")),
        err(format!("{stamp} [notice] 1#1: start worker process 29")),
    ])
}

/// nginx's log time: `2026/01/01 00:00:00`.
fn nginx_time(now: i64) -> String {
    crate::engine::clock::rfc3339(now)
        .trim_end_matches('Z')
        .replace('-', "/")
        .replace('T', " ")
}

fn python(fs: &mut Fs, spawn: &Spawn<'_>, args: &[String]) -> Outcome {
    let Some(script) = args.iter().find(|a| !a.starts_with('-')) else {
        return if spawn.interactive {
            let version = env_value(spawn.env, "PYTHON_VERSION").unwrap_or("3.12.7");
            Outcome::running(
                crate::engine::pkg::interp::banner(false, version)
                    .map(out)
                    .to_vec(),
            )
        } else {
            Outcome::exited(0, Vec::new())
        };
    };
    let path = fs::join(spawn.workdir, script);
    let Ok(content) = fs.read_file(&path) else {
        let name = args.first().map_or("python", |_| "python");
        return Outcome::exited(
            2,
            vec![err(format!(
                "{name}: can't open file '{path}': [Errno 2] No such file or directory"
            ))],
        );
    };
    let source = String::from_utf8_lossy(&content.to_vec()).into_owned();
    let mut output: Vec<Output> = call_literals(&source, "print(")
        .into_iter()
        .map(out)
        .collect();
    for file in written_files(&source, &["open("], spawn.workdir) {
        write_log(fs, &file, "started", spawn.now);
    }
    let serves = ["app.run(", "serve_forever(", "uvicorn.run("]
        .iter()
        .any(|m| source.contains(m));
    if serves {
        let port = app_port(&source, spawn.env, 5000);
        output.push(err(format!(" * Running on http://0.0.0.0:{port}")));
        Outcome::running(output)
    } else {
        Outcome::exited(0, output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::build::executor::RunResult;

    struct Never;
    impl Executor for Never {
        fn run(&mut self, rootfs: Fs, _req: &RunRequest) -> RunResult {
            RunResult {
                fs: rootfs,
                exit_code: 3,
                output: Vec::new(),
                simulated_ms: 0,
                stopped_by: None,
            }
        }
    }

    fn world_fs() -> Fs {
        let m = Metadata::new(0o755, 0, 0, 0);
        let mut fs = Fs::with_root(m);
        fs.mkdir_all("/usr/local/bin", m).unwrap();
        fs.write_file("/usr/local/bin/node", "ELF", m).unwrap();
        fs.write_file("/etc-passwd", "root:x:0:0", Metadata::new(0o644, 0, 0, 0))
            .unwrap();
        fs.mkdir_all("/app", m).unwrap();
        fs.write_file(
            "/app/server.js",
            "const port = process.env.PORT || 3000;\napp.listen(port, () => {\n  console.log(`my-api listening on port ${port}`);\n});\nfs.appendFileSync('logs/access.log', 'x')\n",
            m,
        )
        .unwrap();
        fs
    }

    fn spawn<'a>(argv: &'a [String], env: &'a [String]) -> Spawn<'a> {
        Spawn {
            argv,
            env,
            workdir: "/app",
            user: "",
            now: 0,
            interactive: false,
            hostname: "c0ffee000000",
        }
    }

    #[test]
    fn node_server_listens_and_logs() {
        let mut fs = world_fs();
        let argv = vec!["node".to_string(), "server.js".to_string()];
        let env = vec!["PORT=8081".to_string()];
        let o = start(&mut fs, &spawn(&argv, &env), &mut Never).unwrap();
        assert_eq!(o.exit_code, None);
        assert_eq!(o.output[0].text, "my-api listening on port 8081");
        assert!(fs.exists("/app/logs/access.log"));
    }

    #[test]
    fn missing_executable_is_runc_error() {
        let mut fs = world_fs();
        let argv = vec!["foo".to_string()];
        let e = start(&mut fs, &spawn(&argv, &[]), &mut Never).unwrap_err();
        assert_eq!(
            e.to_string(),
            "exec: \"foo\": executable file not found in $PATH"
        );
        let argv = vec!["/nope".to_string()];
        let e = start(&mut fs, &spawn(&argv, &[]), &mut Never).unwrap_err();
        assert_eq!(
            e.to_string(),
            "exec: \"/nope\": stat /nope: no such file or directory"
        );
        let argv = vec!["/etc-passwd".to_string()];
        let e = start(&mut fs, &spawn(&argv, &[]), &mut Never).unwrap_err();
        assert_eq!(e.to_string(), "exec: \"/etc-passwd\": permission denied");
    }

    #[test]
    fn other_commands_go_to_the_executor() {
        let mut fs = world_fs();
        let argv = vec!["node".to_string(), "-e".to_string()];
        let o = start(&mut fs, &spawn(&argv, &[]), &mut Never).unwrap();
        assert_eq!(o.exit_code, Some(0));
        fs.write_file("/usr/local/bin/true", "", Metadata::new(0o755, 0, 0, 0))
            .unwrap();
        let argv = vec!["true".to_string()];
        let o = start(&mut fs, &spawn(&argv, &[]), &mut Never).unwrap();
        assert_eq!(o.exit_code, Some(3));
    }
}
