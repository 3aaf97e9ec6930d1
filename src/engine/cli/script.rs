//! Transcripts: a file of `docker ...` lines run one by one against a fresh world,
//! printing each as `$ docker ...` followed by its output — deterministic, so golden
//! tests and documentation can be generated from them.
//!
//! Lines starting with `#` are comments (not printed); blank lines are skipped.
//! `!someone-pushes REF` is the lessons' action "someone else pushes a new image under
//! this tag"; `!advance SECONDS` lets simulated time pass silently.

use super::{run_with, CommandOutput};
use crate::engine::build::executor::Executor;
use crate::engine::build::simulated::SimulatedExecutor;
use crate::engine::build::{BuildContext, ContextFile};
use crate::engine::world::World;

/// Runs `text` against `world`; returns the transcript.
pub fn run_script(world: &mut World, text: &str, exec: &mut dyn Executor) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(r) = line.strip_prefix("!someone-pushes ") {
            out.push_str(&format!("# someone else pushes {}\n", r.trim()));
            match world.someone_else_pushes(r.trim()) {
                Ok(d) => out.push_str(&format!("# new digest: {d}\n")),
                Err(e) => out.push_str(&format!("# failed: {e}\n")),
            }
            continue;
        }
        if let Some(secs) = line.strip_prefix("!advance ") {
            world.advance(secs.trim().parse().unwrap_or(0));
            continue;
        }
        // Attached to a container's shell (`docker run -it alpine sh`): its prompt.
        match &world.attached {
            Some(a) => out.push_str(&format!("{}{line}\n", super::attach::prompt(a))),
            None => out.push_str(&format!("$ {line}\n")),
        }
        let o: CommandOutput = run_with(world, line, exec);
        out.push_str(&o.text());
        if o.exit_code != 0 {
            out.push_str(&format!("[exit {}]\n", o.exit_code));
        }
    }
    out
}

macro_rules! transcript {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../../tests/data/transcripts/", $name, ".txt")),
            include_str!(concat!("../../../tests/data/transcripts/", $name, ".out")),
        )
    };
}

/// The golden transcripts of `tests/data/transcripts/` as (name, input, expected
/// output), compiled in so the very same cases run on the host (`tests/suite/cli_golden.rs`)
/// and under wasm32 in the browser, where no files can be read.
pub fn golden_cases() -> &'static [(&'static str, &'static str, &'static str)] {
    const CASES: &[(&str, &str, &str)] = &[
        transcript!("archives"),
        transcript!("containers"),
        transcript!("errors"),
        transcript!("filters"),
        transcript!("hello"),
        transcript!("help"),
        transcript!("inspect"),
        transcript!("interactive"),
        transcript!("lifecycle"),
        transcript!("registry"),
        transcript!("rmi"),
        transcript!("volumes"),
    ];
    CASES
}

macro_rules! context_file {
    ($path:literal, $mode:literal) => {
        ContextFile {
            path: $path.to_string(),
            bytes: include_bytes!(concat!("../../../tests/data/transcripts/context/", $path))
                .to_vec(),
            mode: $mode,
        }
    };
}

/// The build context of the golden transcripts (`tests/data/transcripts/context/`);
/// `bin/node` is executable, as runc's `exec.LookPath` requires.
pub fn golden_context() -> BuildContext {
    BuildContext::from_files([
        context_file!("Dockerfile", 0o644),
        context_file!("app.env", 0o644),
        context_file!("bin/node", 0o755),
        context_file!("package.json", 0o644),
        context_file!("server.js", 0o644),
    ])
    .unwrap_or_else(|_| BuildContext::from_fs(crate::engine::daemon::empty_root()))
}

/// Runs a golden transcript's input in a fresh world over [`golden_context`] with the
/// simulated shell.
pub fn run_golden(input: &str) -> String {
    let mut world = World::new();
    world.context = golden_context();
    run_script(&mut world, input, &mut SimulatedExecutor::new())
}

/// Names of the golden transcripts whose output differs from the expected one (empty
/// when all pass): the one call a wasm32 test needs.
pub fn golden_failures() -> Vec<&'static str> {
    golden_cases()
        .iter()
        .filter(|(_, input, want)| run_golden(input) != *want)
        .map(|(name, _, _)| *name)
        .collect()
}

/// The Dockerfile of [`bench_context`]: alpine plus a RUN that depends on a build
/// argument, so every `docker build --build-arg N=i` makes a fresh small layer while
/// the steps before it come from the cache.
const BENCH_DOCKERFILE: &str = "FROM alpine:3.20\nWORKDIR /app\nCOPY server.js ./\nARG N=0\nRUN echo \"build $N\" > /app/build.txt && mkdir -p /app/logs\nCMD [\"sleep\", \"infinity\"]\n";

/// The build context of [`bench_transcript`].
pub fn bench_context() -> BuildContext {
    BuildContext::from_files([
        ContextFile::text("Dockerfile", BENCH_DOCKERFILE),
        ContextFile::text(
            "server.js",
            "const port = process.env.PORT || 3000;\nconsole.log(`listening on ${port}`);\n",
        ),
    ])
    .unwrap_or_else(|_| BuildContext::from_fs(crate::engine::daemon::empty_root()))
}

/// The 1,000-command benchmark transcript (issue 6's figure): 100 rounds of build,
/// run, exec, diff, tag, push, rmi, pull, stop and rm, each round on a new image.
pub fn bench_transcript() -> String {
    let mut s = String::from("# 1,000 docker commands: build, run, exec, diff, push, pull, rm\n");
    for i in 0..100 {
        let port = 8000 + i;
        s.push_str(&format!(
            "docker build -q --build-arg N={i} -t app:{i} .\n\
             docker run -d --name c{i} -p {port}:3000 app:{i}\n\
             docker exec c{i} sh -c 'echo round {i} >> /app/logs/rounds.log && ls /app'\n\
             docker diff c{i}\n\
             docker tag app:{i} localhost:5000/app:{i}\n\
             docker push localhost:5000/app:{i}\n\
             docker rmi localhost:5000/app:{i}\n\
             docker pull localhost:5000/app:{i}\n\
             docker stop c{i}\n\
             docker rm c{i}\n"
        ));
    }
    s
}

/// Runs [`bench_transcript`] in a fresh world over [`bench_context`]; returns the
/// transcript (its length and content are what a benchmark can check).
pub fn run_bench() -> String {
    let mut world = World::new();
    world.context = bench_context();
    run_script(
        &mut world,
        &bench_transcript(),
        &mut SimulatedExecutor::new(),
    )
}
