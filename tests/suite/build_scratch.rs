//! Builds from `scratch` with the engine alone (no base catalog, no shell): layers,
//! history, config, cache hits and miss reasons.

use layerlab::engine::build::{
    plain_progress_of, BuildContext, BuildEvent, BuildRequest, BuildSession, ContextFile, Executor,
    MissReason, RunRequest, RunResult,
};
use layerlab::engine::daemon::Daemon;

struct NoRun;
impl Executor for NoRun {
    fn run(&mut self, rootfs: layerlab::engine::fs::Fs, _req: &RunRequest) -> RunResult {
        RunResult {
            fs: rootfs,
            exit_code: 127,
            output: vec![],
            simulated_ms: 0,
            stopped_by: None,
        }
    }
}

const DOCKERFILE: &str = "FROM scratch\nWORKDIR /app\nCOPY package*.json ./\nENV NODE_ENV=production\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";

fn context(server: &str) -> BuildContext {
    BuildContext::from_files([
        ContextFile::text("package.json", "{\"name\":\"x\"}"),
        ContextFile::text("package-lock.json", "{}"),
        ContextFile::text("server.js", server),
        ContextFile::text(".dockerignore", "node_modules\n"),
        ContextFile::text("node_modules/junk.js", "ignored"),
    ])
    .unwrap()
}

fn build(daemon: &mut Daemon, server: &str) -> layerlab::engine::build::BuildOutput {
    let mut req = BuildRequest::new(DOCKERFILE, context(server));
    req.tags = vec!["my-api:1.0".into()];
    BuildSession::new(daemon, req)
        .unwrap()
        .run(daemon, &mut NoRun)
}

#[test]
fn layers_history_and_config() {
    let mut daemon = Daemon::new();
    let out = build(&mut daemon, "console.log(1)");
    let img = out.result.expect("build succeeds");
    assert_eq!(img.layers.len(), 3, "WORKDIR, COPY, COPY");
    assert_eq!(img.names, vec!["docker.io/library/my-api:1.0"]);
    let cfg = &img.config.config;
    assert_eq!(
        cfg.cmd.as_deref(),
        Some(&["node".to_string(), "server.js".to_string()][..])
    );
    assert_eq!(cfg.working_dir, "/app");
    assert!(cfg.env.contains(&"NODE_ENV=production".to_string()));
    let hist: Vec<(String, bool)> = img
        .config
        .history
        .iter()
        .map(|h| (h.created_by.clone().unwrap(), h.empty_layer))
        .collect();
    assert_eq!(
        hist,
        vec![
            ("WORKDIR /app".to_string(), false),
            ("COPY package*.json ./ # buildkit".to_string(), false),
            ("ENV NODE_ENV=production".to_string(), true),
            ("COPY . . # buildkit".to_string(), false),
            ("CMD [\"node\" \"server.js\"]".to_string(), true),
        ]
    );
    // .dockerignore kept node_modules out of the image.
    let top = img.layers.last().unwrap().rootfs().clone();
    assert!(top.exists("/app/server.js"));
    assert!(!top.exists("/app/node_modules"));
    // Image ID is the digest of the config bytes.
    assert_eq!(img.id, img.config.id().unwrap());
    let log = plain_progress_of(&out.events);
    assert!(log.contains("[2/4] WORKDIR /app"), "{log}");
    assert!(
        log.contains("naming to docker.io/library/my-api:1.0 done"),
        "{log}"
    );
}

#[test]
fn editing_source_reuses_earlier_layers() {
    let mut daemon = Daemon::new();
    let first = build(&mut daemon, "console.log(1)").result.unwrap();
    let second_out = build(&mut daemon, "console.log(2)");
    let hits = second_out
        .events
        .iter()
        .filter(|e| matches!(e, BuildEvent::CacheHit { .. }))
        .count();
    assert_eq!(hits, 2, "WORKDIR and COPY package*.json are cached");
    let miss = second_out
        .events
        .iter()
        .find_map(|e| match e {
            BuildEvent::CacheMiss { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(miss, MissReason::SourcesChanged(vec!["server.js".into()]));
    let second = second_out.result.unwrap();
    assert_eq!(first.layers[1].diff_id, second.layers[1].diff_id);
    assert_ne!(first.layers[2].diff_id, second.layers[2].diff_id);
    assert_ne!(first.id, second.id);
    // The tag moved to the new image; the old one is dangling.
    assert_eq!(daemon.find_image("my-api:1.0").unwrap().id, second.id);
}

#[test]
fn same_inputs_same_digests() {
    let mut a = Daemon::new();
    let mut b = Daemon::new();
    let x = build(&mut a, "same").result.unwrap();
    let y = build(&mut b, "same").result.unwrap();
    assert_eq!(x.id, y.id);
}

#[test]
fn missing_source_fails_at_its_line() {
    let mut daemon = Daemon::new();
    let req = BuildRequest::new("FROM scratch\nCOPY nope.txt /\n", context(""));
    let out = BuildSession::new(&mut daemon, req)
        .unwrap()
        .run(&mut daemon, &mut NoRun);
    let err = out.result.unwrap_err();
    assert_eq!(err.line(), Some(2));
    assert!(
        err.to_string().contains("\"/nope.txt\": not found"),
        "{err}"
    );
}
