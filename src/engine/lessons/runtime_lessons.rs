//! Runtime lessons: running containers, the writable layer, build time vs runtime.

use super::build_lessons::{BUILD_SEED, SEED};
use super::checks::{check, is_verb};
use super::{Lesson, LessonState, Scenario, Step};
use crate::engine::examples::ExampleFile;
use crate::engine::fs::DockerDiffKind;
use crate::engine::runtime::{Container, MountSource, State};

fn running<'a>(s: &LessonState<'a>, name: &str) -> Result<&'a Container, String> {
    let c = s.container(name)?;
    if c.state != State::Running {
        return Err(format!("{name} is not running"));
    }
    Ok(c)
}

fn has_volume(c: &Container, volume: &str, destination: &str) -> bool {
    c.mounts
        .iter()
        .any(|m| m.source == MountSource::Volume(volume.into()) && m.destination == destination)
}

fn in_diff(c: &Container, path: &str) -> bool {
    c.diff().iter().any(|(_, p)| p == path)
}

/// No layer of `image` stores `path`.
fn image_lacks(s: &LessonState<'_>, image: &str, path: &str) -> Result<(), String> {
    let img = s.image(image)?;
    let stored = img
        .layers
        .iter()
        .any(|l| l.changes.changes().iter().any(|c| c.path == path));
    if stored || img.rootfs().exists(path) {
        return Err(format!("{image} contains {path}?"));
    }
    Ok(())
}

// ---------------------------------------------------------------- 7. run

check!(api_running, |s| {
    let img = s.image("my-api:1.0")?;
    let c = running(s, "api-1")?;
    if c.image_id != img.id {
        return Err("api-1 is not from my-api:1.0".into());
    }
    if !c
        .ports
        .iter()
        .any(|p| p.host_port == 8080 && p.container_port == 3000)
    {
        return Err("publish the port with -p 8080:3000".into());
    }
    if !c.env.iter().any(|e| e == "NODE_ENV=production") {
        return Err("set the environment with -e NODE_ENV=production".into());
    }
    if !has_volume(c, "api-data", "/data") || s.world.volumes.get("api-data").is_none() {
        return Err("mount a volume with -v api-data:/data".into());
    }
    Ok(format!(
        "api-1 runs `{}`: host port 8080 → container port 3000, NODE_ENV=production, volume api-data at /data",
        c.command()
    ))
});

check!(env_override, |s| {
    let img = s.image("my-api:1.0")?;
    let c = running(s, "api-2")?;
    if !c.env.iter().any(|e| e == "PORT=4000") {
        return Err("set -e PORT=4000".into());
    }
    if !c
        .ports
        .iter()
        .any(|p| p.host_port == 8081 && p.container_port == 4000)
    {
        return Err("publish -p 8081:4000".into());
    }
    if !c.logs.iter().any(|l| l.text.contains("4000")) {
        return Err("api-2 does not listen on 4000".into());
    }
    if img.config.config.env.iter().any(|e| e.starts_with("PORT=")) {
        return Err("the image itself sets PORT?".into());
    }
    Ok(
        "same image, different runtime settings: api-2 listens on 4000, the image is unchanged"
            .into(),
    )
});

pub(super) const RUN_CONTAINER: Lesson = Lesson {
    id: "run-container",
    title: "docker run: a container from an image",
    concepts: &[7],
    intro: "docker run creates and starts a container from an image. At runtime Docker adds what is specific to this instance: the main process, a name, a writable layer, environment overrides, published ports and volumes. The image remains unchanged.",
    scenario: Some(SEED),
    steps: &[
        BUILD_SEED,
        Step {
            instructions: "Run it: `docker run -d --name api-1 -p 8080:3000 -e NODE_ENV=production -v api-data:/data my-api:1.0`",
            hint: Some("-d runs it in the background; `docker ps` lists it."),
            check: api_running,
        },
        Step {
            instructions: "Run a second container with other settings: `docker run -d --name api-2 -p 8081:4000 -e PORT=4000 my-api:1.0`, then `docker logs api-2`.",
            hint: None,
            check: env_override,
        },
    ],
};

// ---------------------------------------------------------------- 8. writable layer

const LOGGING_SERVER: &str = "const express = require(\"express\");
const fs = require(\"fs\");

const app = express();
const port = process.env.PORT || 3000;

app.get(\"/\", (req, res) => {
  res.json({ message: \"hello from my-api\" });
});

app.listen(port, () => {
  fs.appendFileSync(\"logs/access.log\", `started on port ${port}\\n`);
  console.log(`my-api listening on port ${port}`);
});
";

const LOGGING_FILES: &[ExampleFile] = &[
    ExampleFile {
        path: ".dockerignore",
        text: include_str!("../examples/node-api/.dockerignore"),
    },
    ExampleFile {
        path: "package.json",
        text: include_str!("../examples/node-api/package.json"),
    },
    ExampleFile {
        path: "package-lock.json",
        text: include_str!("../examples/node-api/package-lock.json"),
    },
    ExampleFile {
        path: "server.js",
        text: LOGGING_SERVER,
    },
];

const LOG: &str = "/app/logs/access.log";

check!(logging_container, |s| {
    let img = s.image("my-api:1.0")?;
    let c = running(s, "api-1")?;
    if c.image_id != img.id {
        return Err("api-1 is not from my-api:1.0".into());
    }
    if !in_diff(c, LOG) {
        return Err("api-1 has not written its log yet".into());
    }
    Ok("api-1 is running and has written /app/logs/access.log".into())
});

check!(diff_shown, |s| {
    let c = s.container("api-1")?;
    s.ran(|w| is_verb(w, "diff", "container", "diff"))
        .filter(|r| r.output.stdout.lines().any(|l| l == format!("A {LOG}")))
        .ok_or("run `docker diff api-1`")?;
    let added = c
        .diff()
        .iter()
        .filter(|(k, _)| *k == DockerDiffKind::Added)
        .count();
    Ok(format!(
        "{added} paths were added in api-1's writable layer (A), C marks changed directories"
    ))
});

check!(exec_wrote, |s| {
    let c = running(s, "api-1")?;
    if !c.rootfs.exists("/app/upload.txt") || !in_diff(c, "/app/upload.txt") {
        return Err("api-1 has no /app/upload.txt yet".into());
    }
    Ok("exec ran a second process in api-1; its file landed in the writable layer".into())
});

check!(image_unchanged, |s| {
    image_lacks(s, "my-api:1.0", LOG)?;
    image_lacks(s, "my-api:1.0", "/app/upload.txt")?;
    let img = s.image("my-api:1.0")?;
    let shown = s
        .ran(|w| {
            is_verb(w, "run", "container", "run")
                && w.iter().any(|a| a == "my-api:1.0")
                && w.iter().any(|a| a == "ls")
        })
        .ok_or("run `docker run --rm my-api:1.0 ls /app`")?;
    let out = &shown.output.stdout;
    if !out.contains("server.js") || out.contains("upload.txt") {
        return Err("list /app of a fresh container: `docker run --rm my-api:1.0 ls /app`".into());
    }
    Ok(format!(
        "a fresh container from my-api:1.0 ({}) has neither the log nor upload.txt: the image never changed",
        img.id.short()
    ))
});

check!(stopped_keeps_layer, |s| {
    let c = s.container("api-1")?;
    if c.state.is_running() {
        return Err("api-1 is still running".into());
    }
    if !in_diff(c, "/app/upload.txt") {
        return Err("api-1's writable layer lost upload.txt?".into());
    }
    Ok("stopped, not removed: api-1's writable layer still has upload.txt and the log".into())
});

check!(removed_layer, |s| {
    if s.world.container("api-1").is_ok() {
        return Err("api-1 still exists: `docker rm api-1`".into());
    }
    image_lacks(s, "my-api:1.0", "/app/upload.txt")?;
    Ok("docker rm deleted api-1 and its writable layer; my-api:1.0 is as it was built".into())
});

pub(super) const WRITABLE_LAYER: Lesson = Lesson {
    id: "writable-layer",
    title: "Prove the container's log file is not in my-api:1.0",
    concepts: &[8, 9],
    intro: "If the app writes logs, cache files, uploads, or package installs inside the container filesystem, those changes belong to the container writable layer. They do not update my-api:1.0. docker stop keeps the writable layer; docker rm deletes it.",
    scenario: Some(Scenario {
        dockerfile: SEED.dockerfile,
        files: LOGGING_FILES,
    }),
    steps: &[
        Step {
            instructions: "Build and run: `docker build -t my-api:1.0 .` then `docker run -d --name api-1 my-api:1.0`. This server.js appends to logs/access.log when it starts.",
            hint: None,
            check: logging_container,
        },
        Step {
            instructions: "See the container's changes: `docker diff api-1`",
            hint: Some("A = added, C = changed, D = deleted, compared with the image."),
            check: diff_shown,
        },
        Step {
            instructions: "Write a file inside it: `docker exec api-1 sh -c \"echo upload > /app/upload.txt\"`",
            hint: None,
            check: exec_wrote,
        },
        Step {
            instructions: "Prove the image is unchanged: `docker run --rm my-api:1.0 ls /app`",
            hint: Some("A new container starts from the image's layers only."),
            check: image_unchanged,
        },
        Step {
            instructions: "Stop it: `docker stop api-1`, then `docker diff api-1` still works.",
            hint: None,
            check: stopped_keeps_layer,
        },
        Step {
            instructions: "Remove it: `docker rm api-1`",
            hint: None,
            check: removed_layer,
        },
    ],
};

// ---------------------------------------------------------------- a shell inside

check!(shell_attached, |s| {
    let c = running(s, "shell")?;
    match &s.world.attached {
        Some(a) if a.container == c.id => Ok(format!(
            "the terminal is attached to shell's main process: its prompt is `{}`",
            crate::engine::cli::attach::prompt(a).trim_end()
        )),
        _ => Err("run `docker run -it --name shell my-api:1.0 sh` (the prompt changes)".into()),
    }
});

check!(shell_wrote, |s| {
    let c = running(s, "shell")?;
    if s.world.attached.is_none() {
        return Err("you left the shell: start over with `docker start -ai shell`".into());
    }
    if !in_diff(c, "/app/scratch.txt") {
        return Err("no /app/scratch.txt in shell's writable layer yet".into());
    }
    Ok("typed inside the container: the file landed in shell's writable layer".into())
});

check!(shell_exited, |s| {
    let c = s.container("shell")?;
    if s.world.attached.is_some() || c.state.is_running() {
        return Err("still inside: type `exit`".into());
    }
    if !in_diff(c, "/app/scratch.txt") {
        return Err("shell's writable layer lost scratch.txt?".into());
    }
    Ok(format!(
        "the shell was the container's main process: when it exited, the container stopped ({})",
        c.state.status()
    ))
});

check!(shell_image_unchanged, |s| {
    image_lacks(s, "my-api:1.0", "/app/scratch.txt")?;
    s.ran(|w| is_verb(w, "diff", "container", "diff") && w.iter().any(|a| a == "shell"))
        .ok_or("run `docker diff shell`")?;
    Ok("docker diff shell lists scratch.txt; my-api:1.0 does not have it".into())
});

pub(super) const SHELL_INSIDE: Lesson = Lesson {
    id: "shell-inside",
    title: "A shell inside a container: -it, exit, and what stays",
    concepts: &[7, 8],
    intro: "docker run -it gives the container a terminal: with sh as its command, the shell is the container's main process and you type inside it. What you change lands in the container's writable layer. When the shell exits, the container stops; the image never changed.",
    scenario: Some(SEED),
    steps: &[
        Step {
            instructions: "Build, then open a shell: `docker build -t my-api:1.0 .` then `docker run -it --name shell my-api:1.0 sh`",
            hint: Some("The prompt turns into the container's (`/app #`): lines now run inside it."),
            check: shell_attached,
        },
        Step {
            instructions: "Inside the container: `echo notes > scratch.txt` then `ls`",
            hint: Some("WORKDIR /app is where the shell starts."),
            check: shell_wrote,
        },
        Step {
            instructions: "Leave: `exit`",
            hint: Some("docker ps -a shows it Exited (0)."),
            check: shell_exited,
        },
        Step {
            instructions: "Compare: `docker diff shell`",
            hint: Some("`docker run --rm my-api:1.0 ls /app` would show no scratch.txt."),
            check: shell_image_unchanged,
        },
    ],
};

// ---------------------------------------------------------------- 12. build vs runtime

check!(built_with_run, |s| {
    let img = s.image("my-api:1.0")?;
    s.row("RUN npm ci")?;
    if !img.rootfs().exists("/app/node_modules") {
        return Err("my-api:1.0 has no /app/node_modules".into());
    }
    Ok("build time: `docker build` → image; RUN npm ci's files went into an image layer".into())
});

check!(runtime_started, |s| {
    let c = running(s, "api-1")?;
    if !has_volume(c, "api-data", "/data") {
        return Err("mount the volume: -v api-data:/data".into());
    }
    Ok(format!(
        "runtime: `docker run` → container; its process is `{}`",
        c.command()
    ))
});

check!(runtime_writes, |s| {
    let c = running(s, "api-1")?;
    if !in_diff(c, "/tmp/cache.txt") {
        return Err("api-1 has no /tmp/cache.txt yet".into());
    }
    let vol = s
        .world
        .volumes
        .get("api-data")
        .ok_or("there is no volume api-data")?;
    if !vol.fs.exists("/keep.txt") {
        return Err("the volume api-data has no keep.txt yet".into());
    }
    if in_diff(c, "/data/keep.txt") {
        return Err("keep.txt landed in the writable layer?".into());
    }
    image_lacks(s, "my-api:1.0", "/tmp/cache.txt")?;
    Ok("runtime file changes go to the writable layer (/tmp/cache.txt), unless written to a mount (keep.txt is in the volume)".into())
});

check!(volume_outlives, |s| {
    if s.world.container("api-1").is_ok() {
        return Err("api-1 still exists: `docker rm -f api-1`".into());
    }
    let vol = s
        .world
        .volumes
        .get("api-data")
        .ok_or("the volume api-data is gone?")?;
    if !vol.fs.exists("/keep.txt") {
        return Err("keep.txt is gone from the volume?".into());
    }
    Ok("the writable layer went with the container; the volume and keep.txt remain".into())
});

pub(super) const BUILD_VS_RUNTIME: Lesson = Lesson {
    id: "build-vs-runtime",
    title: "Build time vs runtime, side by side",
    concepts: &[12, 3, 8],
    intro: "Build time: docker build makes an image, file changes go to image layers, RUN apt-get install is a typical instruction. Runtime: docker run makes a container, file changes go to its writable layer unless you use mounts, CMD [\"node\", \"server.js\"] is the process it starts.",
    scenario: Some(SEED),
    steps: &[
        Step {
            instructions: "Build time: `docker build -t my-api:1.0 .`",
            hint: None,
            check: built_with_run,
        },
        Step {
            instructions: "Runtime: `docker run -d --name api-1 -v api-data:/data my-api:1.0`",
            hint: None,
            check: runtime_started,
        },
        Step {
            instructions: "Write two files at runtime: `docker exec api-1 sh -c \"echo cache > /tmp/cache.txt && echo keep > /data/keep.txt\"`, then `docker diff api-1`.",
            hint: Some("/data is a volume mount: not part of the writable layer."),
            check: runtime_writes,
        },
        Step {
            instructions: "Remove the container: `docker rm -f api-1`, then `docker volume ls`.",
            hint: None,
            check: volume_outlives,
        },
    ],
};
