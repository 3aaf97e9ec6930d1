//! Every lesson completed by scripted actions (editor edits and terminal lines), with
//! each step's check asserted to fail before its actions and to pass after them.

use layerlab::engine::lessons::{self, Lesson, LessonProgress, Workspace};
use std::collections::BTreeSet;

/// One thing the learner does.
enum Act {
    /// A terminal line (must succeed).
    Cmd(&'static str),
    /// A terminal line computed from the current state (e.g. a digest).
    CmdFrom(fn(&Workspace) -> String),
    /// Replace text in the editor's Dockerfile.
    Edit(&'static str, &'static str),
    /// Write a build-context file.
    File(&'static str, &'static str),
}
use Act::*;

fn script(id: &str) -> Vec<Vec<Act>> {
    const BUILD: Act = Cmd("docker build -t my-api:1.0 .");
    match id {
        "build" => vec![
            vec![BUILD],
            vec![Cmd("docker image inspect my-api:1.0")],
            vec![File("notes.txt", "remember the context\n"), BUILD],
        ],
        "instructions" => vec![
            vec![BUILD],
            vec![
                Edit("CMD [", "LABEL org.opencontainers.image.authors=\"you\"\nCMD ["),
                BUILD,
            ],
            vec![
                Edit("RUN npm ci --omit=dev\n", "RUN npm ci --omit=dev\nRUN mkdir -p /app/data\n"),
                BUILD,
            ],
        ],
        "run-vs-cmd" => vec![
            vec![Cmd("docker build -t timing:1.0 .")],
            vec![Cmd("docker run --name t1 timing:1.0")],
            vec![Cmd("docker run --name t2 timing:1.0 echo hello")],
        ],
        "layer-sizes" => vec![
            vec![BUILD],
            vec![
                Edit("RUN npm ci --omit=dev\n", "RUN npm ci --omit=dev\nRUN rm -rf /root/.npm\n"),
                BUILD,
            ],
            vec![
                Edit(
                    "RUN npm ci --omit=dev\nRUN rm -rf /root/.npm\n",
                    "RUN npm ci --omit=dev && rm -rf /root/.npm\n",
                ),
                BUILD,
            ],
        ],
        "layer-cache" => vec![
            vec![BUILD],
            vec![File("server.js", "console.log('v2');\n"), BUILD],
            vec![
                Edit(
                    "COPY . .\nRUN npm ci --omit=dev\n",
                    "COPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n",
                ),
                BUILD,
            ],
            vec![File("server.js", "console.log('v3');\n"), BUILD],
            vec![BUILD],
        ],
        "history" => vec![
            vec![BUILD, Cmd("docker image history my-api:1.0")],
            vec![
                Edit("CMD [", "ENV PORT=8080\nCMD ["),
                BUILD,
                Cmd("docker image history my-api:1.0"),
            ],
        ],
        "run-container" => vec![
            vec![BUILD],
            vec![Cmd("docker run -d --name api-1 -p 8080:3000 -e NODE_ENV=production -v api-data:/data my-api:1.0")],
            vec![
                Cmd("docker run -d --name api-2 -p 8081:4000 -e PORT=4000 my-api:1.0"),
                Cmd("docker logs api-2"),
            ],
        ],
        "writable-layer" => vec![
            vec![BUILD, Cmd("docker run -d --name api-1 my-api:1.0")],
            vec![Cmd("docker diff api-1")],
            vec![Cmd("docker exec api-1 sh -c \"echo upload > /app/upload.txt\"")],
            vec![Cmd("docker run --rm my-api:1.0 ls /app")],
            vec![Cmd("docker stop api-1"), Cmd("docker diff api-1")],
            vec![Cmd("docker rm api-1")],
        ],
        "shell-inside" => vec![
            vec![BUILD, Cmd("docker run -it --name shell my-api:1.0 sh")],
            vec![Cmd("echo notes > scratch.txt"), Cmd("ls")],
            vec![Cmd("exit")],
            vec![Cmd("docker diff shell")],
        ],
        "lifecycle" => vec![
            vec![BUILD],
            vec![Cmd("docker tag my-api:1.0 registry.example.com/team/my-api:1.0")],
            vec![Cmd("docker login registry.example.com -u alice")],
            vec![Cmd("docker push registry.example.com/team/my-api:1.0")],
            vec![Cmd("docker rmi my-api:1.0 registry.example.com/team/my-api:1.0")],
            vec![Cmd("docker pull registry.example.com/team/my-api:1.0")],
            vec![Cmd("docker run -d --name api-1 registry.example.com/team/my-api:1.0")],
            vec![Cmd("docker stop api-1"), Cmd("docker ps -a")],
            vec![Cmd("docker rm api-1")],
            vec![Cmd("docker rmi registry.example.com/team/my-api:1.0")],
        ],
        "images-are-files" => vec![
            vec![BUILD],
            vec![Cmd("docker save -o my-api.tar my-api:1.0")],
            vec![Cmd("docker rmi my-api:1.0")],
            vec![Cmd("docker load -i my-api.tar")],
        ],
        "tags" => vec![
            vec![Cmd("docker pull nginx")],
            vec![Cmd("docker tag nginx my-nginx:prod"), Cmd("docker images")],
            vec![Cmd("docker rmi my-nginx:prod")],
            vec![Cmd("docker pull nginx:alpine")],
        ],
        "digests" => vec![
            vec![Cmd("docker pull nginx")],
            vec![Cmd("docker images --digests"), CmdFrom(|w| format!("docker pull nginx@{}", latest_digest(w)))],
            vec![Cmd("!someone-pushes nginx")],
            vec![Cmd("docker pull nginx")],
            vec![CmdFrom(|w| format!("docker run -d --name pinned {}", pinned(w)))],
        ],
        "build-vs-runtime" => vec![
            vec![BUILD],
            vec![Cmd("docker run -d --name api-1 -v api-data:/data my-api:1.0")],
            vec![
                Cmd("docker exec api-1 sh -c \"echo cache > /tmp/cache.txt && echo keep > /data/keep.txt\""),
                Cmd("docker diff api-1"),
            ],
            vec![Cmd("docker rm -f api-1"), Cmd("docker volume ls")],
        ],
        "multi-stage" => vec![
            vec![Cmd("docker build -t app:1.0 .")],
            vec![Cmd("docker build --target build -t app:build .")],
        ],
        other => panic!("no script for lesson {other}"),
    }
}

/// The DIGEST column of `docker images --digests` for nginx:latest, as a learner reads it.
fn latest_digest(w: &Workspace) -> String {
    let out = &w.commands.last().unwrap().output.stdout;
    let line = out
        .lines()
        .find(|l| l.starts_with("nginx ") && l.contains(" latest "))
        .unwrap();
    line.split_whitespace().nth(2).unwrap().to_string()
}

fn pinned(w: &Workspace) -> String {
    w.commands
        .iter()
        .find(|c| c.line.contains("pull nginx@"))
        .unwrap()
        .line
        .trim_start_matches("docker pull ")
        .to_string()
}

fn act(ws: &mut Workspace, a: &Act) {
    match a {
        Cmd(line) => {
            let o = ws.run(line).clone();
            assert_eq!(o.exit_code, 0, "`{line}` failed:\n{}{}", o.stdout, o.stderr);
        }
        CmdFrom(f) => {
            let line = f(ws);
            let o = ws.run(&line).clone();
            assert_eq!(o.exit_code, 0, "`{line}` failed:\n{}{}", o.stdout, o.stderr);
        }
        Edit(from, to) => {
            let text = ws.world.dockerfile.clone();
            assert!(
                text.contains(from),
                "the Dockerfile has no {from:?}:\n{text}"
            );
            ws.set_dockerfile(&text.replacen(from, to, 1));
        }
        File(path, text) => ws.write_file(path, text).unwrap(),
    }
}

fn walk(lesson: &Lesson) {
    walk_from(lesson, lesson.start());
}

/// A fresh world whose docker.io registry already holds nginx:latest and nginx:alpine
/// (pulled once, then removed locally): the same state as a fresh world as far as
/// any command can tell, but later pulls skip compressing ~200 MB of simulated base
/// layers, which takes seconds in a debug build.
fn nginx_warmed_world() -> Workspace {
    let mut ws = Workspace {
        world: layerlab::engine::world::World::new(),
        commands: Vec::new(),
    };
    for line in [
        "docker pull nginx",
        "docker pull nginx:alpine",
        "docker rmi nginx nginx:alpine",
    ] {
        act(&mut ws, &Cmd(line));
    }
    assert!(ws.world.daemon.images.images().next().is_none());
    ws.commands.clear();
    ws
}

fn walk_from(lesson: &Lesson, mut ws: Workspace) {
    let steps = script(lesson.id);
    assert_eq!(
        steps.len(),
        lesson.steps.len(),
        "{}: one action list per step",
        lesson.id
    );
    let mut progress = LessonProgress::new(lesson.id);
    for (i, (step, acts)) in lesson.steps.iter().zip(&steps).enumerate() {
        let before = (step.check)(&ws.state());
        assert!(
            !before.done,
            "{} step {}: the check passes before the action: {}",
            lesson.id,
            i + 1,
            before.feedback
        );
        assert!(!before.feedback.is_empty());
        for a in acts {
            act(&mut ws, a);
        }
        let after = (step.check)(&ws.state());
        assert!(
            after.done,
            "{} step {}: {}\n(instructions: {})",
            lesson.id,
            i + 1,
            after.feedback,
            step.instructions
        );
        let verdicts = progress.advance(lesson, &ws.state());
        assert_eq!(verdicts.first().map(|(s, v)| (*s, v.done)), Some((i, true)));
        assert_eq!(progress.step, i + 1);
    }
    assert!(progress.is_finished(lesson));
    assert_eq!(
        progress.completed,
        (0..lesson.steps.len()).collect::<BTreeSet<_>>()
    );
    assert!(progress.advance(lesson, &ws.state()).is_empty());
}

macro_rules! lesson_tests {
    ($($name:ident => $id:literal),* $(,)?) => {
        $(#[test] fn $name() { walk(lessons::find($id).expect($id)); })*

        #[test]
        fn every_lesson_has_a_walkthrough() {
            let tested: BTreeSet<&str> = [$($id,)* "tags", "digests"].into_iter().collect();
            let all: BTreeSet<&str> = lessons::all().iter().map(|l| l.id).collect();
            assert_eq!(tested, all);
        }
    };
}

lesson_tests! {
    build => "build",
    instructions => "instructions",
    run_vs_cmd => "run-vs-cmd",
    layer_sizes => "layer-sizes",
    layer_cache => "layer-cache",
    history => "history",
    run_container => "run-container",
    writable_layer => "writable-layer",
    shell_inside => "shell-inside",
    lifecycle => "lifecycle",
    images_are_files => "images-are-files",
    build_vs_runtime => "build-vs-runtime",
    multi_stage => "multi-stage",
}

#[test]
fn lessons_cover_the_twelve_concepts() {
    let all = lessons::all();
    assert!(all.len() >= 10);
    let covered: BTreeSet<u8> = all
        .iter()
        .flat_map(|l| l.concepts.iter().copied())
        .collect();
    assert_eq!(covered, (1..=12).collect::<BTreeSet<u8>>());
    let ids: BTreeSet<&str> = all.iter().map(|l| l.id).collect();
    assert_eq!(ids.len(), all.len(), "ids are unique");
    for l in all {
        assert!(!l.steps.is_empty() && !l.intro.is_empty() && !l.title.is_empty());
    }
}

#[test]
fn progress_round_trips_and_survives_hostile_state() {
    let lesson = lessons::find("build").unwrap();
    let mut p = LessonProgress::new("build");
    p.completed.insert(0);
    p.step = 1;
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<LessonProgress>(&json).unwrap(), p);
    // A stored step beyond the lesson: finished, no panic.
    let mut hostile: LessonProgress =
        serde_json::from_str(r#"{"lesson":"build","step":999,"completed":[]}"#).unwrap();
    let ws = lesson.start();
    assert!(hostile.is_finished(lesson));
    assert!(hostile.advance(lesson, &ws.state()).is_empty());
}

/// The lessons that pull nginx share one warmed registry (see [`nginx_warmed_world`]).
#[test]
fn nginx_lessons_and_someone_pushes() {
    let warm = nginx_warmed_world();
    for id in ["tags", "digests"] {
        let lesson = lessons::find(id).unwrap();
        assert!(lesson.scenario.is_none(), "{id} starts from any state");
        walk_from(lesson, warm.clone());
    }
    let mut ws = warm.clone();
    let o = ws.run("!someone-pushes").clone();
    assert_eq!(o.exit_code, 1);
    let o = ws.run("!someone-pushes no.such.host/x:1").clone();
    assert_eq!(o.exit_code, 1, "{}", o.stdout);
    assert!(o.stderr.contains("no such host"), "{}", o.stderr);
    let o = ws.run("!someone-pushes nginx").clone();
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("new digest: sha256:"));
}
