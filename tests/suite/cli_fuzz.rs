//! Random terminal sessions: docker command lines assembled from the CLI's own flag
//! tables and a pool of plausible and hostile words, run one after another against one
//! world (the seed's Node example as build context), with attached shells taking the
//! lines typed while they are open. Every line must return (no panic) and every
//! failure must say what went wrong: a non-zero exit code comes with a message.
//!
//! `LAYERLAB_FUZZ=N` runs N lines per seed (default 300) and `LAYERLAB_FUZZ_SEEDS=S`
//! seeds 1..=S (default 3), `LAYERLAB_FUZZ_SEED=K` seed K alone; a failure prints the seed and the session up to the failing
//! line. `FUZZ_SHOW=1` prints each line with its exit code and first output line.

use crate::fuzz::Rng;
use layerlab::engine::build::{BuildContext, ContextFile};
use layerlab::engine::cli::argv::{Arity, Spec};
use layerlab::engine::cli::{run, specs};
use layerlab::engine::world::World;

const VERBS: &[(&str, &Spec)] = &[
    ("build", &specs::BUILD),
    ("images", &specs::IMAGES),
    ("history", &specs::HISTORY),
    ("inspect", &specs::INSPECT),
    ("tag", &specs::TAG),
    ("rmi", &specs::RMI),
    ("save", &specs::SAVE),
    ("load", &specs::LOAD),
    ("export", &specs::EXPORT),
    ("import", &specs::IMPORT),
    ("image prune", &specs::IMAGE_PRUNE),
    ("login", &specs::LOGIN),
    ("logout", &specs::LOGOUT),
    ("push", &specs::PUSH),
    ("pull", &specs::PULL),
    ("run", &specs::RUN),
    ("create", &specs::CREATE),
    ("attach", &specs::ATTACH),
    ("start", &specs::START),
    ("stop", &specs::STOP),
    ("restart", &specs::RESTART),
    ("kill", &specs::KILL),
    ("rm", &specs::RM),
    ("ps", &specs::PS),
    ("logs", &specs::LOGS),
    ("exec", &specs::EXEC),
    ("diff", &specs::DIFF),
    ("commit", &specs::COMMIT),
    ("volume ls", &specs::VOLUME_LS),
    ("volume create", &specs::VOLUME_CREATE),
    ("volume rm", &specs::VOLUME_RM),
    ("volume prune", &specs::VOLUME_PRUNE),
    ("volume inspect", &specs::VOLUME_INSPECT),
    ("system df", &specs::SYSTEM_DF),
    ("version", &specs::VERSION),
    ("info", &specs::INFO),
];

/// Words that name things the session makes, and words that should be refused.
const WORDS: &[&str] = &[
    "my-api:1.0",
    "my-api",
    "alpine",
    "busybox",
    "node:lts-alpine",
    "nginx",
    "hello-world",
    "localhost:5000/my-api:1.0",
    "localhost:5000/my-api",
    "api-1",
    "web",
    "data",
    ".",
    "Dockerfile",
    "8080:3000",
    "3000",
    "/app",
    "/data",
    "data:/data",
    "./src:/app/src",
    "sh",
    "-c",
    "'echo hi > /app/f.txt'",
    "'rm -rf /app && ls /'",
    "true",
    "'exit 3'",
    "sleep",
    "5",
    "ls",
    "-la",
    "cat",
    "/etc/os-release",
    "server.js",
    "table",
    "'{{.ID}}'",
    "'{{json .Config}}'",
    "'{{.State.Status'",
    "'{{range .}}'",
    "json",
    "name=api",
    "status=exited",
    "publish=3000",
    "until=1h",
    "dangling=true",
    "A=1",
    "--",
    "-",
    "''",
    "'\"'",
    "'$('",
    "'`'",
    "é∂ƒ",
    "sha256:",
    "sha256:0000",
    "@sha256:",
    "UPPER",
    "a/b/c/d/e:tag",
    "-1",
    "99999999999999999999",
    "0",
    "root",
    "1000:1000",
    "nobody",
    "tcp",
    "out.tar",
    "fs.tar",
    "CMD [\"sh\"]",
    "'RUN x'",
    "--rm",
    "-it",
    "-d",
];

/// Lines typed into an attached shell.
const SHELL_LINES: &[&str] = &[
    "ls",
    "cd /tmp",
    "echo hi > x && cat x",
    "pwd",
    "rm -rf /app",
    "exit",
    "exit 4",
    "for i in 1 2 3; do echo $i; done",
    "cat /nope",
    "if then fi",
    "echo $(",
    "apk add curl",
    "whoami",
    "env",
    "",
];

const IMAGES: &[&str] = &[
    "my-api:1.0",
    "my-api",
    "alpine",
    "busybox",
    "node:lts-alpine",
    "hello-world",
    "localhost:5000/my-api:1.0",
    "localhost:5000/my-api",
    "my-api@sha256:0000",
    "UPPER",
    "",
];

const COMMANDS: &[&str] = &[
    "sh",
    "sh -c 'echo hi > /app/f.txt'",
    "sh -c 'rm -rf /app && ls /'",
    "true",
    "sh -c 'exit 3'",
    "sleep 5",
    "ls -la /",
    "cat /etc/os-release",
    "node server.js",
    "nope",
    "'$('",
];

const VOLUMES: &[&str] = &["data", "cache", "-", "UPPER", ""];

/// How many positionals `arity` allows, mostly; sometimes one too many or too few.
fn positionals(rng: &mut Rng, arity: Arity) -> usize {
    use Arity::*;
    let (lo, hi) = match arity {
        None => (0, 0),
        Exactly(n) => (n, n),
        AtLeast(n) => (n, n + 2),
        AtMost(n) => (0, n),
        Range(a, b) => (a, b),
    };
    match rng.below(10) {
        0 => hi + 1,
        1 => lo.saturating_sub(1),
        _ => lo + rng.below(hi - lo + 1),
    }
}

fn line(rng: &mut Rng, containers: &[String]) -> String {
    let (verb, spec) = VERBS[rng.below(VERBS.len())];
    let mut words = vec!["docker".to_string(), verb.to_string()];
    for _ in 0..rng.below(4) {
        if spec.flags.is_empty() {
            break;
        }
        let f = spec.flags[rng.below(spec.flags.len())];
        let name = match f.short {
            Some(c) if rng.below(2) == 0 => format!("-{c}"),
            _ => format!("--{}", f.long),
        };
        words.push(name);
        if f.value.is_some() && rng.below(8) != 0 {
            words.push(rng.pick(WORDS).to_string());
        }
    }
    let n = positionals(rng, spec.arity);
    for i in 0..n {
        let word = match verb {
            "run" | "create" if i == 0 => rng.pick(IMAGES).to_string(),
            "run" | "create" => rng.pick(COMMANDS).to_string(),
            "exec" if i > 0 => rng.pick(COMMANDS).to_string(),
            "pull" | "push" | "history" | "rmi" | "tag" | "save" => rng.pick(IMAGES).to_string(),
            "import" if i == 0 => rng
                .pick(&["out.tar", "fs.tar", "-", "nope.tar"])
                .to_string(),
            "build" => rng.pick(&[".", "..", "nope", "-"]).to_string(),
            v if v.starts_with("volume") => rng.pick(VOLUMES).to_string(),
            _ if !containers.is_empty() && rng.below(4) != 0 => {
                containers[rng.below(containers.len())].clone()
            }
            _ => rng.pick(WORDS).to_string(),
        };
        words.push(if word.is_empty() { "''".into() } else { word });
    }
    words.join(" ")
}

fn world() -> World {
    let ex = layerlab::engine::examples::by_id("node-api").unwrap();
    let files = ex.context.iter().map(|f| ContextFile::text(f.path, f.text));
    World::with_context(BuildContext::from_files(files).unwrap(), ex.dockerfile)
}

fn session(seed: u64, lines: usize) {
    let mut rng = Rng::new(seed);
    let mut w = world();
    let mut typed = Vec::new();
    // Names and short IDs of the containers the session made, for later lines.
    let mut containers: Vec<String> = Vec::new();
    for _ in 0..lines {
        let l = if w.attached.is_some() {
            rng.pick(SHELL_LINES).to_string()
        } else if rng.below(6) == 0 {
            // Build often, so that there is something to run, tag and push.
            "docker build -t my-api:1.0 .".to_string()
        } else {
            line(&mut rng, &containers)
        };
        typed.push(l.clone());
        let attached = w.attached.is_some();
        let t0 = std::time::Instant::now();
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&mut w, &l)));
        if let Ok(out) = &out {
            if std::env::var("FUZZ_SHOW").is_ok() {
                let first = out
                    .stderr
                    .lines()
                    .chain(out.stdout.lines())
                    .find(|l| !l.is_empty());
                eprintln!(
                    "[{} {}ms] {l}\n    {}",
                    out.exit_code,
                    t0.elapsed().as_millis(),
                    first.unwrap_or("")
                );
            }
        }
        let session = || typed.join("\n");
        let Ok(out) = out else {
            panic!("seed {seed}: panicked on the last line of:\n{}", session());
        };
        for c in &w.containers {
            for n in [c.name.clone(), c.short_id().to_string()] {
                if !containers.contains(&n) {
                    containers.push(n);
                }
            }
        }
        assert!(
            (0..=255).contains(&out.exit_code),
            "seed {seed}: exit code {} out of range after:\n{}",
            out.exit_code,
            session()
        );
        // A failing docker command says why; a shell line may fail quietly (`exit 4`,
        // `test`), as in a real shell, and so may a container's process, whose exit
        // code `run`, `start -a` and `exec` pass on (docker's own failures there are
        // 125, 126 and 127).
        let passes_on = ["run", "start", "exec", "attach"]
            .iter()
            .any(|v| l.starts_with(&format!("docker {v} ")));
        let docker_failed = !passes_on || (125..=127).contains(&out.exit_code);
        if out.exit_code != 0 && !attached && docker_failed {
            assert!(
                !out.stderr.trim().is_empty() || !out.stdout.trim().is_empty(),
                "seed {seed}: exit {} with no message after:\n{}",
                out.exit_code,
                session()
            );
        }
    }
}

#[test]
fn random_sessions_never_panic_and_failures_say_why() {
    let (lines, seeds) = crate::fuzz::settings(300, 3);
    for seed in seeds {
        session(seed, lines);
    }
}
