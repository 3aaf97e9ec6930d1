//! Every example project builds with the engine exactly as the app builds it (context
//! from the example's files, the editor's Dockerfile, `docker build -t <tag> .`), the
//! seed's Node API stays the default, and each example teaches what its doc comment
//! promises.

use std::collections::BTreeSet;

use layerlab::engine::build::{BuildContext, ContextFile};
use layerlab::engine::cli;
use layerlab::engine::dockerfile::lint::{self, CheckOptions};
use layerlab::engine::examples::{self, Example, ALL, BAD_PRACTICE, GO_MULTISTAGE, NODE_API};
use layerlab::engine::fs::ChangeKind;
use layerlab::engine::scenario::Scenario;
use layerlab::engine::world::World;

fn world_for(example: &Example) -> World {
    let context = BuildContext::from_files(
        example
            .context
            .iter()
            .map(|f| ContextFile::text(f.path, f.text)),
    )
    .unwrap_or_else(|e| panic!("{}: context: {e}", example.id));
    let mut world = World::with_context(context, "");
    world.dockerfile = example.dockerfile.to_string();
    world
}

fn build(example: &Example, tag: &str) -> World {
    let mut world = world_for(example);
    let out = cli::run(&mut world, &format!("docker build -t {tag} ."));
    assert_eq!(
        out.exit_code, 0,
        "{}: build failed:\n{}{}",
        example.id, out.stdout, out.stderr
    );
    let built = world.last_build.as_ref().expect("a build ran");
    assert!(built.result.is_ok(), "{}: {:?}", example.id, built.result);
    world
}

/// Bytes that a later layer overwrites or deletes, each file counted once (dive's
/// "wasted space", counted per path: the earliest copy is the one that is wasted).
fn wasted_bytes(world: &World) -> u64 {
    let image = world
        .last_build
        .as_ref()
        .and_then(|b| b.result.as_ref().ok())
        .expect("built");
    let layers = &image.layers;
    let mut wasted = 0;
    for (i, layer) in layers.iter().enumerate() {
        for change in layer.changes.changes() {
            if change.kind == ChangeKind::Deleted || change.size() == 0 {
                continue;
            }
            let later = layers[i + 1..].iter().any(|l| {
                l.changes.changes().iter().any(|c| {
                    c.path == change.path
                        || (c.kind == ChangeKind::Deleted
                            && change.path.starts_with(&format!("{}/", c.path)))
                })
            });
            if later {
                wasted += change.size();
            }
        }
    }
    wasted
}

#[test]
fn seed_example_is_the_default() {
    assert_eq!(ALL[0], NODE_API);
    assert_eq!(ALL[0].tag, "my-api:1.0");
    assert!(ALL.len() >= 5, "node, python, go, nginx, bad practice");
}

#[test]
fn ids_are_unique_and_found_by_id() {
    let ids: BTreeSet<&str> = ALL.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), ALL.len());
    for e in ALL {
        assert_eq!(examples::by_id(e.id), Some(e));
    }
    assert_eq!(examples::by_id("nope"), None);
}

#[test]
fn every_example_builds() {
    let mut passed = 0;
    for example in ALL {
        let world = build(example, example.tag);
        let out = cli::run(
            &mut world.clone(),
            &format!("docker image inspect {}", example.tag),
        );
        assert_eq!(out.exit_code, 0, "{}: {}", example.id, out.stderr);
        passed += 1;
    }
    println!("examples: {passed} passed, 0 failed");
}

#[test]
fn every_example_is_a_valid_scenario() {
    for example in ALL {
        let scenario = Scenario::from_example(example);
        scenario
            .validate()
            .unwrap_or_else(|e| panic!("{}: {e}", example.id));
        let back = Scenario::from_example(example);
        assert_eq!(
            layerlab::engine::scenario::decode(
                &layerlab::engine::scenario::encode(&scenario).unwrap()
            )
            .unwrap(),
            back
        );
    }
}

#[test]
fn good_examples_pass_the_build_checks_and_bad_practice_does_not() {
    for example in ALL {
        let report = lint::check(example.dockerfile, &CheckOptions::default());
        assert!(report.error.is_none(), "{}: {:?}", example.id, report.error);
        let rules: BTreeSet<&str> = report.warnings.iter().map(|w| w.rule).collect();
        if example.id == BAD_PRACTICE.id {
            for rule in ["JSONArgsRecommended", "SecretsUsedInArgOrEnv"] {
                assert!(rules.contains(rule), "bad-practice lacks {rule}: {rules:?}");
            }
        } else {
            assert!(rules.is_empty(), "{}: {rules:?}", example.id);
        }
    }
}

#[test]
fn bad_practice_wastes_space_that_the_seed_does_not() {
    let bad = wasted_bytes(&build(&BAD_PRACTICE, BAD_PRACTICE.tag));
    let seed = wasted_bytes(&build(&NODE_API, NODE_API.tag));
    // The apt lists `apt-get update` wrote stay in its layer after the later `rm -rf`.
    assert!(bad > 1_000_000, "bad-practice wastes only {bad} bytes");
    assert!(
        seed < bad / 100,
        "seed wastes {seed} bytes, bad-practice {bad}"
    );
}

#[test]
fn bad_practice_copies_its_secrets_and_reruns_the_install_on_any_edit() {
    let mut world = build(&BAD_PRACTICE, "a");
    let out = cli::run(&mut world, "docker run --name c a cat /app/notes.txt");
    assert!(out.stdout.contains("hunter2"), "{out:?}");
    // Editing the source re-runs `npm install`: `COPY . .` comes first.
    let files = BAD_PRACTICE.context.iter().map(|f| match f.path {
        "server.js" => ContextFile::text(f.path, "console.log('edited');\n"),
        _ => ContextFile::text(f.path, f.text),
    });
    world.context = BuildContext::from_files(files).unwrap();
    let out = cli::run(&mut world, "docker build -t b .");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let image = world.last_build.as_ref().unwrap().result.as_ref().unwrap();
    let row = |text: &str| {
        image
            .rows
            .iter()
            .find(|r| r.instruction.contains(text))
            .unwrap_or_else(|| panic!("no row {text}"))
    };
    // `apt-get update` still comes from the cache (stale lists, the classic trap);
    // everything after `COPY . .` runs again.
    assert!(row("apt-get update").cached);
    assert!(!row("COPY . .").cached);
    assert!(!row("npm install").cached);
}

#[test]
fn multi_stage_leaves_the_toolchain_behind() {
    let mut world = build(&GO_MULTISTAGE, "hello-go:1.0");
    let out = cli::run(&mut world, "docker run --name c hello-go:1.0");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "hello from a multi-stage build\n");
    let image = world.last_build.as_ref().unwrap().result.as_ref().unwrap();
    let root = image.layers.last().unwrap().rootfs();
    assert!(root.exists("/usr/local/bin/hello"));
    assert!(
        !root.exists("/usr/local/go"),
        "toolchain leaked into the final image"
    );
}
