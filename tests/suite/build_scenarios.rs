//! Build scenarios as data: `tests/data/build/<case>/` holds a `Dockerfile`, a
//! `context/` directory and an `expected` golden summary of the outcome (layers with
//! their entries, config, history, cache hits and misses, or the error and its line).
//! Optional files: `options` (lines `tag NAME`, `build-arg K=V`, `target S`,
//! `no-cache`) and `edits` (lines `write PATH TEXT` / `remove PATH` applied to the
//! context before a second build, whose summary is appended — for cache lessons).
//! `UPDATE_GOLDEN=1 cargo test --test suite build_scenarios::` rewrites the golden files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use layerlab::engine::build::simulated::SimulatedExecutor;
use layerlab::engine::build::{
    BuildContext, BuildEvent, BuildOutput, BuildRequest, BuildSession, ContextFile,
};
use layerlab::engine::daemon::Daemon;
use layerlab::engine::fs::FileType;

fn read_context(dir: &Path) -> Vec<ContextFile> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                let mode = if rel.ends_with(".sh") { 0o755 } else { 0o644 };
                files.push(ContextFile {
                    path: rel,
                    bytes: std::fs::read(&p).unwrap(),
                    mode,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn summarize(out: &BuildOutput, daemon: &Daemon, s: &mut String) {
    for e in &out.events {
        match e {
            BuildEvent::StepStarted { step, .. } => writeln!(s, "step {}", step.title()).unwrap(),
            BuildEvent::CacheHit { .. } => writeln!(s, "  CACHED").unwrap(),
            BuildEvent::CacheMiss { reason, .. } => writeln!(s, "  miss: {reason}").unwrap(),
            BuildEvent::Output { text, .. } => writeln!(s, "  | {text}").unwrap(),
            BuildEvent::LayerCreated { diff_id, size, .. } => {
                writeln!(s, "  layer {} {size}B", &diff_id.hex()[..12]).unwrap()
            }
            BuildEvent::StepFailed { message, line, .. } => {
                writeln!(s, "  ERROR line {line}: {message}").unwrap()
            }
            _ => {}
        }
    }
    for w in &out.warnings {
        writeln!(s, "warning: {w}").unwrap();
    }
    match &out.result {
        Err(e) => writeln!(s, "error (line {:?}): {e}", e.line()).unwrap(),
        Ok(img) => {
            writeln!(s, "image {} names {:?}", &img.id.hex()[..12], img.names).unwrap();
            let c = &img.config.config;
            writeln!(s, "config User={:?} WorkingDir={:?}", c.user, c.working_dir).unwrap();
            writeln!(s, "config Env={:?}", c.env).unwrap();
            writeln!(s, "config Entrypoint={:?} Cmd={:?}", c.entrypoint, c.cmd).unwrap();
            if !c.exposed_ports.is_empty() {
                writeln!(
                    s,
                    "config ExposedPorts={:?}",
                    c.exposed_ports.keys().collect::<Vec<_>>()
                )
                .unwrap();
            }
            if !c.volumes.is_empty() {
                writeln!(
                    s,
                    "config Volumes={:?}",
                    c.volumes.keys().collect::<Vec<_>>()
                )
                .unwrap();
            }
            if !c.labels.is_empty() {
                writeln!(s, "config Labels={:?}", c.labels).unwrap();
            }
            if !c.stop_signal.is_empty() {
                writeln!(s, "config StopSignal={}", c.stop_signal).unwrap();
            }
            if let Some(h) = &c.healthcheck {
                writeln!(s, "config Healthcheck={:?}", h).unwrap();
            }
            if !c.shell.is_empty() || !c.on_build.is_empty() {
                writeln!(s, "config Shell={:?} OnBuild={:?}", c.shell, c.on_build).unwrap();
            }
            for h in &img.config.history {
                writeln!(
                    s,
                    "history {}{}",
                    h.created_by.clone().unwrap_or_default(),
                    if h.empty_layer { "  (empty_layer)" } else { "" }
                )
                .unwrap();
            }
            let base_layers = img.rows.first().map_or(0, |r| r.base_layers);
            for (i, layer) in img.layers.iter().enumerate().skip(base_layers) {
                writeln!(
                    s,
                    "layer {i} diff_id {} size {}",
                    &layer.diff_id.hex()[..12],
                    layer.size
                )
                .unwrap();
                for c in layer.changes.changes() {
                    let kind = match c.file_type() {
                        Some(FileType::Dir) => "dir",
                        Some(FileType::File) => "file",
                        Some(FileType::Symlink) => "symlink",
                        Some(_) => "other",
                        None => "whiteout",
                    };
                    let meta = c
                        .metadata()
                        .map(|m| format!("{:04o} {}:{}", m.mode, m.uid, m.gid))
                        .unwrap_or_default();
                    writeln!(
                        s,
                        "  {:?} {kind} {} {meta} {}{}",
                        c.kind,
                        c.path,
                        if kind == "file" {
                            c.size().to_string()
                        } else {
                            String::new()
                        },
                        if c.opaque { " opaque" } else { "" }
                    )
                    .unwrap();
                }
            }
            let _ = daemon;
        }
    }
}

fn run_case(dir: &Path) -> String {
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let mut files = read_context(&dir.join("context"));
    let mut tags = vec![];
    let mut args = vec![];
    let mut target = None;
    let mut no_cache = false;
    if let Ok(opts) = std::fs::read_to_string(dir.join("options")) {
        for line in opts.lines().filter(|l| !l.trim().is_empty()) {
            let (k, v) = line.split_once(' ').unwrap_or((line, ""));
            match k {
                "tag" => tags.push(v.to_string()),
                "build-arg" => {
                    let (a, b) = v.split_once('=').unwrap();
                    args.push((a.to_string(), b.to_string()));
                }
                "target" => target = Some(v.to_string()),
                "no-cache" => no_cache = true,
                other => panic!("unknown option {other}"),
            }
        }
    }
    let mut daemon = Daemon::new();
    let mut summary = String::new();
    let build = |files: &Vec<ContextFile>, daemon: &mut Daemon, s: &mut String| {
        let ctx = BuildContext::from_files(files.clone()).unwrap();
        let mut req = BuildRequest::new(&dockerfile, ctx);
        req.tags = tags.clone();
        req.build_args = args.clone();
        req.target = target.clone();
        req.no_cache = no_cache;
        match BuildSession::new(daemon, req) {
            Ok(session) => {
                let out = session.run(daemon, &mut SimulatedExecutor::new());
                summarize(&out, daemon, s);
            }
            Err(e) => writeln!(s, "error before build (line {:?}): {e}", e.line()).unwrap(),
        }
    };
    build(&files, &mut daemon, &mut summary);
    if let Ok(edits) = std::fs::read_to_string(dir.join("edits")) {
        for line in edits.lines().filter(|l| !l.trim().is_empty()) {
            let mut parts = line.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("write"), Some(path), text) => {
                    let text = text.unwrap_or("").replace("\\n", "\n");
                    files.retain(|f| f.path != path);
                    files.push(ContextFile::text(path, &text));
                }
                (Some("remove"), Some(path), _) => files.retain(|f| f.path != path),
                _ => panic!("bad edit line {line:?}"),
            }
        }
        summary.push_str("--- rebuild after edits ---\n");
        build(&files, &mut daemon, &mut summary);
    }
    summary
}

#[test]
fn build_scenarios_match_golden_summaries() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/build"));
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Dockerfile").exists())
        .collect();
    cases.sort();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let (mut passed, mut failed) = (0, Vec::new());
    for case in &cases {
        let actual = run_case(case);
        let golden = case.join("expected");
        if update {
            std::fs::write(&golden, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected == actual {
            passed += 1;
        } else {
            failed.push(format!(
                "{}:\n--- expected\n{expected}\n--- actual\n{actual}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    println!("build scenarios: {passed} passed, {} failed", failed.len());
    assert!(cases.len() >= 5, "scenario cases missing");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
