//! Random Dockerfiles: instructions assembled from fragments that real Dockerfiles use
//! (and some they get wrong), built with `docker build` against the seed's Node
//! context. Every build must end (no panic, the step budgets stop runaway scripts), a
//! failed build must say `ERROR` with what failed, and a successful one must be
//! listed by `docker images` and rebuild fully from the cache.
//!
//! `LAYERLAB_FUZZ=N` builds N Dockerfiles per seed (default 60), seeds as in
//! `cli_fuzz` (`LAYERLAB_FUZZ_SEEDS`, `LAYERLAB_FUZZ_SEED`).

use crate::fuzz::Rng;
use layerlab::engine::build::{BuildContext, ContextFile};
use layerlab::engine::cli::run;
use layerlab::engine::world::World;

const FROMS: &[&str] = &[
    "FROM node:lts-alpine",
    "FROM alpine",
    "FROM busybox",
    "FROM debian:bookworm-slim",
    "FROM python:3.12-slim",
    "FROM scratch",
    "FROM node:lts-alpine AS build",
    "FROM $BASE",
    "FROM ${BASE:-alpine}",
    "FROM --platform=linux/amd64 alpine",
];

/// Fragments that are wrong in themselves (picked one time in ten).
const BAD: &[&str] = &[
    "FROM nope:404",
    "FROM",
    "FROM alpine AS",
    "COPY nope.txt /",
    "ADD https://example.com/x.tgz /",
    "RUN exit 3",
    "RUN nosuchcommand",
    "RUN while true; do :; done",
    "RUN [\"broken\"",
    "ENV",
    "ARG",
    "EXPOSE 99999",
    "EXPOSE abc/tcp",
    "HEALTHCHECK --interval=abc CMD true",
    "SHELL sh",
    "FRUM alpine",
    "\\",
    "RUN echo ${UNSET:?must be set}",
];

const STEPS: &[&str] = &[
    "WORKDIR /app",
    "WORKDIR app/sub",
    "WORKDIR $DIR",
    "COPY package*.json ./",
    "COPY . .",
    "COPY server.js /srv/",
    "COPY --chown=node:node . /app",
    "COPY --chmod=755 server.js /usr/local/bin/server",
    "COPY --from=build /app /app",
    "COPY --from=0 / /",
    "COPY --link . /l",
    "ADD package.json /p/",
    "RUN npm ci --omit=dev",
    "RUN apk add --no-cache curl",
    "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
    "RUN pip install flask",
    "RUN echo hi > /hi.txt && cat /hi.txt",
    "RUN rm -rf /app && mkdir -p /app/x",
    "RUN for i in 1 2 3; do echo $i >> /n; done",
    "RUN yes | head -n 5",
    "RUN [\"sh\", \"-c\", \"echo exec form\"]",
    "RUN <<EOF\necho heredoc\nEOF",
    "RUN echo a \\\n  && echo b",
    "ENV NODE_ENV=production",
    "ENV A=1 B=\"two words\" C=$A",
    "ARG BASE=alpine",
    "ARG DIR=/work",
    "LABEL org.opencontainers.image.title=\"x\"",
    "EXPOSE 3000",
    "USER node",
    "USER 1000:1000",
    "USER nobody",
    "VOLUME /data",
    "VOLUME [\"/a\", \"/b\"]",
    "HEALTHCHECK CMD wget -q -O- localhost:3000 || exit 1",
    "SHELL [\"/bin/sh\", \"-c\"]",
    "STOPSIGNAL SIGTERM",
    "ONBUILD RUN echo later",
    "ENTRYPOINT [\"node\"]",
    "CMD [\"node\", \"server.js\"]",
    "CMD node server.js",
    "MAINTAINER someone",
    "# a comment",
    "",
    "RUN echo ${A:-${B:-c}}",
    "COPY [\"server.js\", \"/q/\"]",
];

const DIRECTIVES: &[&str] = &[
    "",
    "# syntax=docker/dockerfile:1\n",
    "# escape=`\n",
    "# escape=x\n",
];

/// Usually one of `good`, one time in ten a fragment from `BAD`.
fn fragment<'a>(rng: &mut Rng, good: &[&'a str]) -> &'a str {
    if rng.below(10) == 0 {
        rng.pick(BAD)
    } else {
        rng.pick(good)
    }
}

fn dockerfile(rng: &mut Rng) -> String {
    let mut text = match rng.below(12) {
        i if i < DIRECTIVES.len() => DIRECTIVES[i].to_string(),
        _ => String::new(),
    };
    for _ in 0..1 + rng.below(2) {
        text.push_str(fragment(rng, FROMS));
        text.push('\n');
        for _ in 0..rng.below(7) {
            text.push_str(fragment(rng, STEPS));
            text.push('\n');
        }
    }
    text
}

fn world(dockerfile: &str) -> World {
    let ex = layerlab::engine::examples::by_id("node-api").unwrap();
    let mut files: Vec<ContextFile> = ex
        .context
        .iter()
        .map(|f| ContextFile::text(f.path, f.text))
        .collect();
    files.retain(|f| f.path != "Dockerfile");
    files.push(ContextFile::text("Dockerfile", dockerfile));
    World::with_context(BuildContext::from_files(files).unwrap(), dockerfile)
}

/// Builds `count` random Dockerfiles; returns how many built.
fn builds(seed: u64, count: usize) -> usize {
    let mut built = 0;
    let mut rng = Rng::new(seed);
    for _ in 0..count {
        let text = dockerfile(&mut rng);
        let mut w = world(&text);
        let build = "docker build -t fuzz:1 .";
        let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&mut w, build)))
            .unwrap_or_else(|_| panic!("seed {seed}: the build panicked on:\n{text}"));
        if first.exit_code != 0 {
            if std::env::var("FUZZ_SHOW").is_ok() {
                let why = first.stderr.lines().rfind(|l| l.starts_with("ERROR"));
                eprintln!("refused: {}", why.unwrap_or(""));
            }
            assert!(
                first.stderr.contains("ERROR"),
                "seed {seed}: failed (exit {}) without an ERROR line:\n{text}\n--- stderr:\n{}",
                first.exit_code,
                first.stderr
            );
            continue;
        }
        built += 1;
        let listed = run(&mut w, "docker images fuzz:1 -q");
        assert!(
            !listed.stdout.trim().is_empty(),
            "seed {seed}: built but not listed:\n{text}"
        );
        let again = run(&mut w, build);
        assert_eq!(
            again.exit_code, 0,
            "seed {seed}: the rebuild failed:\n{text}"
        );
        let id = |o: &layerlab::engine::cli::CommandOutput| {
            o.stderr
                .lines()
                .chain(o.stdout.lines())
                .find_map(|l| l.split("writing image ").nth(1).map(str::to_string))
        };
        assert_eq!(
            id(&first),
            id(&again),
            "seed {seed}: the rebuild gave another image:\n{text}"
        );
    }
    built
}

#[test]
fn random_dockerfiles_build_or_say_why() {
    let (count, seeds) = crate::fuzz::settings(60, 2);
    let (mut total, mut built) = (0, 0);
    for seed in seeds {
        built += builds(seed, count);
        total += count;
    }
    println!(
        "random Dockerfiles: {built} built and rebuilt from the cache, {} refused with an ERROR",
        total - built
    );
    // The fragments are meant to build often; if almost nothing builds, the test
    // checks only error paths.
    assert!(built * 5 >= total, "only {built} of {total} built");
}
