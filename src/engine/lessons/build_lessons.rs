//! Build-time lessons: the build's inputs and output, instructions, RUN vs CMD, the
//! layer stack and its sizes, the layer cache, `docker image history`, multi-stage.

use super::checks::{check, is_verb};
use super::{Lesson, Scenario, Step};
use crate::engine::analysis;
use crate::engine::build::events::human_size;
use crate::engine::build::plan::RowKind;
use crate::engine::build::MissReason;
use crate::engine::examples::{ExampleFile, NODE_API};

/// The seed's Node API as the starting point.
pub(super) const SEED: Scenario = Scenario {
    dockerfile: NODE_API.dockerfile,
    files: NODE_API.context,
};

/// The first step of the lessons that start from the seed: build it.
pub(super) const BUILD_SEED: Step = Step {
    instructions: "Build: `docker build -t my-api:1.0 .`",
    hint: None,
    check: seed_built,
};

// `my-api:1.0` exists and is what the editor's files built.
check!(pub(super) seed_built, |s| {
    let img = s.image("my-api:1.0")?;
    let server = s.context_file("server.js").unwrap_or_default();
    if s.file_in_image("my-api:1.0", "/app/server.js")? != server {
        return Err("my-api:1.0 does not hold the current server.js: build again".into());
    }
    Ok(format!(
        "my-api:1.0 is image {}: {} read-only layers (the base image's plus yours) and a config",
        img.id.short(),
        img.layers.len()
    ))
});

// ---------------------------------------------------------------- 1. build

check!(inspected, |s| {
    let img = s.image("my-api:1.0")?;
    let id = img.id.to_string();
    s.ran(|w| is_verb(w, "inspect", "image", "inspect"))
        .filter(|c| c.output.stdout.contains(&id))
        .ok_or("run `docker image inspect my-api:1.0`")?;
    Ok("the config is the image's metadata: Cmd, Env, WorkingDir and the layer diff_ids".into())
});

check!(notes_in_image, |s| {
    let notes = s
        .context_file("notes.txt")
        .ok_or("add a file notes.txt to the build context")?;
    match s.file_in_image("my-api:1.0", "/app/notes.txt") {
        Ok(t) if t == notes => {
            Ok("COPY . . copied notes.txt from the build context into the image".into())
        }
        Ok(_) => Err("/app/notes.txt in my-api:1.0 is an older version: build again".into()),
        Err(_) => Err("my-api:1.0 has no /app/notes.txt yet: build again".into()),
    }
});

pub(super) const BUILD: Lesson = Lesson {
    id: "build",
    title: "Build: Dockerfile + context + base image → image",
    concepts: &[1],
    intro: "docker build reads a Dockerfile and a build context (the files COPY and ADD can see), starts from the base image named in FROM, and produces an image: read-only layers plus metadata. The image is not running yet.",
    scenario: Some(SEED),
    steps: &[
        Step {
            instructions: "Build the example and tag it: `docker build -t my-api:1.0 .` (the `.` is the build context).",
            hint: Some("-t adds the tag my-api:1.0 to the image the build produces."),
            check: seed_built,
        },
        Step {
            instructions: "Look at the image's metadata: `docker image inspect my-api:1.0`.",
            hint: Some("Find Config.Cmd and RootFS.Layers in the JSON."),
            check: inspected,
        },
        Step {
            instructions: "Add a file `notes.txt` (any text) to the build context, then build again with `docker build -t my-api:1.0 .`.",
            hint: Some("COPY . . copies the whole context (minus .dockerignore) into /app."),
            check: notes_in_image,
        },
    ],
};

// ---------------------------------------------------------------- 2. instructions

const INSTRUCTIONS_DOCKERFILE: &str = "FROM node:lts-alpine
ARG APP_VERSION=1.0
LABEL org.opencontainers.image.title=\"my-api\"
ENV NODE_ENV=production
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
USER node
EXPOSE 3000
HEALTHCHECK CMD wget -qO- http://localhost:3000/ || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT [\"node\"]
CMD [\"server.js\"]
";

check!(rows_classified, |s| {
    let img = s.built()?;
    let fs_rows = img
        .rows
        .iter()
        .filter(|r| r.kind == RowKind::Filesystem)
        .count();
    let meta_rows = img
        .rows
        .iter()
        .filter(|r| r.kind == RowKind::Metadata)
        .count();
    let built = s.image("my-api:1.0")?;
    if built.id != img.id {
        return Err("build with `-t my-api:1.0`".into());
    }
    if fs_rows == 0 {
        return Err("the last build made no filesystem layer".into());
    }
    Ok(format!(
        "{fs_rows} instructions made filesystem layers (WORKDIR, COPY, RUN); {meta_rows} only changed the config"
    ))
});

check!(label_is_metadata, |s| {
    let img = s.image("my-api:1.0")?;
    if !img
        .config
        .config
        .labels
        .contains_key("org.opencontainers.image.authors")
    {
        return Err("my-api:1.0 has no label org.opencontainers.image.authors yet".into());
    }
    let entry = img
        .config
        .history
        .iter()
        .find(|h| {
            h.created_by
                .as_deref()
                .is_some_and(|c| c.contains("LABEL org.opencontainers.image.authors"))
        })
        .ok_or("the history has no LABEL entry for the authors")?;
    if !entry.empty_layer {
        return Err("the LABEL made a layer?".into());
    }
    let non_empty = img.config.history.iter().filter(|h| !h.empty_layer).count();
    if non_empty != img.layers.len() {
        return Err("history and layers disagree".into());
    }
    Ok(
        "LABEL changed the config and added a history entry with empty_layer: true: no new layer"
            .into(),
    )
});

check!(run_makes_layer, |s| {
    let img = s.image("my-api:1.0")?;
    let entry = img
        .config
        .history
        .iter()
        .find(|h| {
            h.created_by
                .as_deref()
                .is_some_and(|c| c.starts_with("RUN") && c.contains("mkdir -p /app/data"))
        })
        .ok_or("my-api:1.0 has no `RUN mkdir -p /app/data` step yet")?;
    if entry.empty_layer {
        return Err("the RUN step changed nothing".into());
    }
    let st = img
        .rootfs()
        .stat("/app/data")
        .map_err(|_| "/app/data is not in the image")?;
    if st.file_type != crate::engine::fs::FileType::Dir {
        return Err("/app/data is not a directory".into());
    }
    Ok("RUN changed the filesystem, so it made a new layer on the stack".into())
});

pub(super) const INSTRUCTIONS: Lesson = Lesson {
    id: "instructions",
    title: "Instructions: which make layers, which only metadata",
    concepts: &[2, 4],
    intro: "RUN, COPY and ADD change files, so each makes a filesystem layer; WORKDIR makes a tiny one (BuildKit creates the directory). ARG, LABEL, ENV, USER, EXPOSE, HEALTHCHECK, STOPSIGNAL, ENTRYPOINT and CMD only change the image config and add a history entry.",
    scenario: Some(Scenario {
        dockerfile: INSTRUCTIONS_DOCKERFILE,
        files: NODE_API.context,
    }),
    steps: &[
        Step {
            instructions: "Build it: `docker build -t my-api:1.0 .` and compare filesystem rows with metadata rows in the image view.",
            hint: None,
            check: rows_classified,
        },
        Step {
            instructions: "Add `LABEL org.opencontainers.image.authors=\"you\"` above the CMD line and build again with `docker build -t my-api:1.0 .`.",
            hint: Some("Count the layers before and after."),
            check: label_is_metadata,
        },
        Step {
            instructions: "Add `RUN mkdir -p /app/data` right after the `RUN npm ci` line and build again.",
            hint: Some("It must come before USER node: the node user cannot write /app."),
            check: run_makes_layer,
        },
    ],
};

// ---------------------------------------------------------------- 3. RUN vs CMD

const TIMING_DOCKERFILE: &str = "FROM alpine
RUN echo \"built at build time\" > /build.txt
CMD [\"cat\", \"/build.txt\"]
";

const TIMING_FILES: &[ExampleFile] = &[ExampleFile {
    path: "README.md",
    text: "RUN runs during docker build; CMD runs when a container starts.\n",
}];

check!(run_at_build, |s| {
    let img = s.image("timing:1.0")?;
    let text = s.file_in_image("timing:1.0", "/build.txt")?;
    let cmd = img.config.config.cmd.clone().unwrap_or_default();
    if cmd != ["cat", "/build.txt"] {
        return Err("the image's CMD should be [\"cat\", \"/build.txt\"]".into());
    }
    if s.world.containers.iter().any(|c| c.image_id == img.id) {
        return Err(
            "a container already ran from timing:1.0: start over to see the difference".into(),
        );
    }
    Ok(format!(
        "RUN already ran: /build.txt ({}) is in a layer. CMD was only recorded: no container exists",
        text.trim()
    ))
});

check!(cmd_at_runtime, |s| {
    let img = s.image("timing:1.0")?;
    let c = s.container("t1")?;
    if c.image_id != img.id {
        return Err("t1 was not created from timing:1.0".into());
    }
    if !c
        .logs
        .iter()
        .any(|l| l.text.contains("built at build time"))
    {
        return Err("t1's output does not show the file's text".into());
    }
    Ok("CMD ran now, in container t1: it printed the file RUN wrote at build time".into())
});

check!(args_replace_cmd, |s| {
    let img = s.image("timing:1.0")?;
    let c = s.container("t2")?;
    if c.cmd.as_deref() != Some(&["echo".to_string(), "hello".to_string()][..]) {
        return Err("run t2 with the command `echo hello` after the image name".into());
    }
    if !c.logs.iter().any(|l| l.text == "hello") {
        return Err("t2 did not print hello".into());
    }
    if img.config.config.cmd.as_deref() != Some(&["cat".to_string(), "/build.txt".to_string()][..])
    {
        return Err("the image's CMD changed?".into());
    }
    Ok("arguments after the image replace CMD for this container only; the image still says cat /build.txt".into())
});

pub(super) const RUN_VS_CMD: Lesson = Lesson {
    id: "run-vs-cmd",
    title: "RUN happens at build time, CMD at runtime",
    concepts: &[3],
    intro: "RUN happens during build time and its result is stored in the image. CMD is saved as metadata for what should run later, when a container starts.",
    scenario: Some(Scenario {
        dockerfile: TIMING_DOCKERFILE,
        files: TIMING_FILES,
    }),
    steps: &[
        Step {
            instructions: "Build: `docker build -t timing:1.0 .`",
            hint: Some("Watch the build log: the RUN step executes, CMD does not."),
            check: run_at_build,
        },
        Step {
            instructions: "Start a container: `docker run --name t1 timing:1.0`",
            hint: None,
            check: cmd_at_runtime,
        },
        Step {
            instructions: "Override the command: `docker run --name t2 timing:1.0 echo hello`",
            hint: None,
            check: args_replace_cmd,
        },
    ],
};

// ---------------------------------------------------------------- 4. sizes

fn npm_cache_waste(layers: &[std::rc::Rc<crate::engine::daemon::layers::Layer>]) -> u64 {
    analysis::efficiency(layers)
        .wasted
        .iter()
        .filter(|w| w.path.starts_with("/root/.npm/"))
        .map(|w| w.bytes)
        .sum()
}

check!(biggest_layer, |s| {
    s.image("my-api:1.0")?;
    let img = s.built()?;
    let row = img
        .rows
        .iter()
        .filter(|r| r.kind == RowKind::Filesystem)
        .max_by_key(|r| r.size)
        .ok_or("the last build made no layer")?;
    Ok(format!(
        "your biggest layer is `{}` ({}); the base image's layers are below it",
        row.instruction,
        human_size(row.size)
    ))
});

check!(rm_later_wastes, |s| {
    let img = s.image("my-api:1.0")?;
    let wasted = npm_cache_waste(&img.layers);
    if wasted == 0 {
        return Err("my-api:1.0 wastes nothing under /root/.npm yet".into());
    }
    if img.rootfs().exists("/root/.npm") {
        return Err("/root/.npm is still in the image's filesystem".into());
    }
    Ok(format!(
        "/root/.npm is gone from the filesystem but its {} still ship in the npm ci layer: a later layer only hides files",
        human_size(wasted)
    ))
});

check!(same_layer_saves, |s| {
    let img = s.image("my-api:1.0")?;
    if npm_cache_waste(&img.layers) > 0 {
        return Err("a layer still stores /root/.npm that a later layer deletes".into());
    }
    let stored = img.layers.iter().any(|l| {
        l.changes
            .changes()
            .iter()
            .any(|c| c.path.starts_with("/root/.npm/"))
    });
    if stored || img.rootfs().exists("/root/.npm") {
        return Err("/root/.npm is still stored in a layer".into());
    }
    Ok("deleting the cache in the same RUN keeps it out of every layer".into())
});

pub(super) const LAYER_SIZES: Lesson = Lesson {
    id: "layer-sizes",
    title: "The layer stack and its sizes",
    concepts: &[4],
    intro: "An image is a stack of read-only layers plus metadata. Each layer stores only what its instruction changed; deleting a file in a later layer hides it but does not make the image smaller.",
    scenario: Some(SEED),
    steps: &[
        Step {
            instructions: "Build: `docker build -t my-api:1.0 .` and find the biggest layer in the image view.",
            hint: None,
            check: biggest_layer,
        },
        Step {
            instructions: "Add a new line `RUN rm -rf /root/.npm` after `RUN npm ci --omit=dev`, then `docker build -t my-api:1.0 .`.",
            hint: Some("npm keeps its download cache in /root/.npm."),
            check: rm_later_wastes,
        },
        Step {
            instructions: "Now join them into one instruction, `RUN npm ci --omit=dev && rm -rf /root/.npm`, delete the separate rm line, and build again.",
            hint: None,
            check: same_layer_saves,
        },
    ],
};

// ---------------------------------------------------------------- 5. cache

const BAD_ORDER_DOCKERFILE: &str = "FROM node:lts-alpine
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
CMD [\"node\", \"server.js\"]
";

fn server_js_changed(reason: &MissReason) -> bool {
    matches!(reason, MissReason::SourcesChanged(files) if files.iter().any(|f| f == "server.js"))
}

check!(bad_order_built, |s| {
    s.image("my-api:1.0")?;
    s.row("RUN npm ci")?;
    Ok("built: every step ran once and is now in the build cache".into())
});

check!(edit_reinstalls, |s| {
    let copy = match s.cached("COPY . .") {
        Ok(_) => return Err("edit server.js, then build again".into()),
        Err(r) => r,
    };
    if !server_js_changed(&copy) {
        return Err("edit server.js, then build again".into());
    }
    match s.cached("RUN npm ci") {
        Err(r) => Ok(format!(
            "server.js changed, so COPY . . missed the cache, and RUN npm ci ran again ({r})"
        )),
        Ok(_) => Err("RUN npm ci came from the cache".into()),
    }
});

check!(reordered, |s| {
    let rows = &s.built()?.rows;
    let pos = |p: &str| rows.iter().position(|r| r.instruction.starts_with(p));
    match (pos("COPY package"), pos("RUN npm ci"), pos("COPY . .")) {
        (Some(a), Some(b), Some(c)) if a < b && b < c => {
            Ok("the manifests are copied first, then installed, then the rest".into())
        }
        _ => Err(
            "order the steps: COPY package*.json ./, RUN npm ci --omit=dev, COPY . . (and build)"
                .into(),
        ),
    }
});

check!(edit_reuses_npm, |s| {
    s.built()?;
    if s.cached("RUN npm ci") != Ok(true) {
        return Err("RUN npm ci still ran: edit only server.js and build again".into());
    }
    match s.cached("COPY . .") {
        Err(r) if server_js_changed(&r) => {}
        _ => return Err("edit server.js, then build again".into()),
    }
    let server = s.context_file("server.js").unwrap_or_default();
    if s.file_in_image("my-api:1.0", "/app/server.js")? != server {
        return Err("tag the build as my-api:1.0".into());
    }
    Ok("RUN npm ci was CACHED: only COPY . . ran, because only server.js changed".into())
});

/// The image ID a `docker build` command printed (`writing image sha256:...`, or the
/// ID alone with `-q`).
fn printed_image_id(c: &super::CommandRecord) -> Option<&str> {
    let o = &c.output;
    o.stderr
        .lines()
        .chain(o.stdout.lines())
        .find_map(|l| {
            let at = l.find("writing image sha256:")?;
            l[at + "writing image ".len()..].split_whitespace().next()
        })
        .or_else(|| {
            o.stdout
                .trim()
                .strip_prefix("sha256:")
                .map(|_| o.stdout.trim())
        })
}

check!(rebuild_same_id, |s| {
    let rows = &s.built()?.rows;
    if rows
        .iter()
        .any(|r| r.kind == RowKind::Filesystem && !r.cached)
    {
        return Err("build again without changing anything: every step should say CACHED".into());
    }
    let ids: Vec<&str> = s
        .commands
        .iter()
        .filter(|c| {
            c.output.exit_code == 0 && super::words(&c.line).first().is_some_and(|v| v == "build")
        })
        .filter_map(printed_image_id)
        .collect();
    match ids.as_slice() {
        [.., before, last] if before == last => Ok(format!(
            "every step CACHED and the same image ID, {}: the ID is the digest of the image's config, and nothing in it changed",
            last.get(7..19).unwrap_or(last)
        )),
        [.., _, _] => Err("the last two builds gave different image IDs: build once more without editing".into()),
        _ => Err("build again without changing anything".into()),
    }
});

pub(super) const LAYER_CACHE: Lesson = Lesson {
    id: "layer-cache",
    title: "The layer cache: copy manifests, install, then copy the rest",
    concepts: &[5],
    intro: "Docker reuses a layer when the step and everything before it are unchanged. If only application source changes, Docker may reuse the dependency install layer and rebuild only the later COPY . . layer. That is why Dockerfiles often copy dependency files first, install dependencies, then copy the rest of the application.",
    scenario: Some(Scenario {
        dockerfile: BAD_ORDER_DOCKERFILE,
        files: NODE_API.context,
    }),
    steps: &[
        Step {
            instructions: "Build this Dockerfile: `docker build -t my-api:1.0 .`",
            hint: None,
            check: bad_order_built,
        },
        Step {
            instructions: "Change the message in server.js, then build again. Watch the RUN npm ci step.",
            hint: Some("COPY . . hashes every file it copies."),
            check: edit_reinstalls,
        },
        Step {
            instructions: "Reorder the Dockerfile: `COPY package*.json ./`, then `RUN npm ci --omit=dev`, then `COPY . .`. Build once.",
            hint: None,
            check: reordered,
        },
        Step {
            instructions: "Change server.js again and build. RUN npm ci should now say CACHED.",
            hint: None,
            check: edit_reuses_npm,
        },
        Step {
            instructions: "Build once more without changing anything. Every step says CACHED: compare the image ID on the `writing image sha256:...` line with the build before.",
            hint: Some("The image ID is the sha256 of the image's config, which lists the layers' digests."),
            check: rebuild_same_id,
        },
    ],
};

// ---------------------------------------------------------------- 6. history

/// Index of the last command whose words satisfy `pred` (any exit status).
fn last_index(s: &super::LessonState<'_>, pred: impl Fn(&[String]) -> bool) -> Option<usize> {
    s.commands
        .iter()
        .rposition(|c| pred(&super::words(&c.line)))
}

fn is_history(w: &[String]) -> bool {
    is_verb(w, "history", "image", "history")
}

check!(history_shown, |s| {
    let img = s.image("my-api:1.0")?;
    let short = img.id.short().to_string();
    let out = s
        .ran(is_history)
        .filter(|c| {
            c.output
                .stdout
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with(&short))
        })
        .ok_or("run `docker image history my-api:1.0`")?;
    let zero = out
        .output
        .stdout
        .lines()
        .filter(|l| l.contains(" 0B "))
        .count();
    Ok(format!(
        "one row per history entry, newest first; {zero} rows are 0B: metadata-only instructions"
    ))
});

check!(env_in_history, |s| {
    let img = s.image("my-api:1.0")?;
    if !img.config.config.env.iter().any(|e| e == "PORT=8080") {
        return Err("my-api:1.0 has no ENV PORT=8080 yet".into());
    }
    let build =
        last_index(s, |w| w.first().is_some_and(|v| v == "build")).ok_or("build the image")?;
    let history = last_index(s, is_history).filter(|h| *h > build);
    let out = history
        .and_then(|i| s.commands.get(i))
        .filter(|c| c.output.exit_code == 0)
        .ok_or("run `docker image history my-api:1.0` again")?;
    if !out
        .output
        .stdout
        .lines()
        .any(|l| l.contains("ENV PORT=8080") && l.contains(" 0B "))
    {
        return Err("the history you printed has no ENV PORT=8080 row".into());
    }
    Ok("ENV PORT=8080 is a new 0B row: recorded in the config, no files changed".into())
});

pub(super) const HISTORY: Lesson = Lesson {
    id: "history",
    title: "docker image history",
    concepts: &[6],
    intro: "docker image history lists how an image was made: one row per instruction, newest first, with the size each added. Rows of 0B changed only metadata.",
    scenario: Some(SEED),
    steps: &[
        Step {
            instructions: "Build with `docker build -t my-api:1.0 .`, then run `docker image history my-api:1.0`.",
            hint: Some("<missing> in the IMAGE column is normal: only the top row is an image."),
            check: history_shown,
        },
        Step {
            instructions: "Add `ENV PORT=8080` above CMD, build again, and run `docker image history my-api:1.0` again.",
            hint: None,
            check: env_in_history,
        },
    ],
};

// ---------------------------------------------------------------- 13. multi-stage

const MULTI_STAGE_DOCKERFILE: &str = "FROM alpine AS build
WORKDIR /src
COPY app.txt .
RUN mkdir -p /out && cp app.txt /out/app && echo \"compiler cache\" > /src/tools.txt

FROM alpine
COPY --from=build /out/app /usr/local/share/app
CMD [\"cat\", \"/usr/local/share/app\"]
";

const MULTI_STAGE_FILES: &[ExampleFile] = &[ExampleFile {
    path: "app.txt",
    text: "hello from the build stage\n",
}];

check!(final_stage_only, |s| {
    let app = s.file_in_image("app:1.0", "/usr/local/share/app")?;
    if s.file_in_image("app:1.0", "/src/tools.txt").is_ok() {
        return Err("app:1.0 contains the build stage's files".into());
    }
    Ok(format!(
        "app:1.0 holds only what COPY --from took ({}), not the build stage's /src",
        app.trim()
    ))
});

check!(target_stage, |s| {
    s.file_in_image("app:build", "/src/tools.txt")?;
    if s.file_in_image("app:1.0", "/src/tools.txt").is_ok() {
        return Err("app:1.0 contains the build stage's files".into());
    }
    Ok(
        "--target build stopped at the first stage: its image has /src/tools.txt, app:1.0 does not"
            .into(),
    )
});

pub(super) const MULTI_STAGE: Lesson = Lesson {
    id: "multi-stage",
    title: "Multi-stage builds: FROM ... AS and COPY --from",
    concepts: &[2, 4],
    intro: "A Dockerfile can have several stages. Only the last stage (or the --target) becomes the image; COPY --from=NAME takes files out of an earlier stage, leaving its tools behind.",
    scenario: Some(Scenario {
        dockerfile: MULTI_STAGE_DOCKERFILE,
        files: MULTI_STAGE_FILES,
    }),
    steps: &[
        Step {
            instructions: "Build: `docker build -t app:1.0 .`",
            hint: None,
            check: final_stage_only,
        },
        Step {
            instructions: "Build only the first stage: `docker build --target build -t app:build .`",
            hint: None,
            check: target_stage,
        },
    ],
};
