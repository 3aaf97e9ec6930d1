//! Registry lessons: the lifecycle through a registry, tags as references, digests.

use super::build_lessons::{BUILD_SEED, SEED};
use super::checks::{check, is_verb};
use super::{Lesson, LessonState, Step};
use crate::engine::registry::{DOCKER_IO, EXAMPLE};
use crate::engine::runtime::State;

const REMOTE: &str = "registry.example.com/team/my-api:1.0";

/// The config ID (image ID) of the manifest a registry tag points at.
fn remote_id(s: &LessonState<'_>, host: &str, repo: &str, tag: &str) -> Option<String> {
    let reg = s.world.registries.get(host).ok()?;
    let img = reg.resolve_tag(repo, tag)?;
    img.config.id().ok().map(|d| d.to_string())
}

/// The manifest digest a registry tag points at.
fn remote_digest(s: &LessonState<'_>, host: &str, repo: &str, tag: &str) -> Option<String> {
    let reg = s.world.registries.get(host).ok()?;
    reg.repositories()
        .get(repo)?
        .get(tag)
        .map(|d| d.to_string())
}

// ---------------------------------------------------------------- 9. lifecycle

check!(tagged, |s| {
    let local = s.image_id("my-api:1.0").ok_or("build my-api:1.0 first")?;
    match s.image_id(REMOTE) {
        Some(id) if id == local => {
            Ok("one image, two names: the tag names the registry and repository".into())
        }
        _ => Err(format!("tag it: `docker tag my-api:1.0 {REMOTE}`")),
    }
});

check!(logged_in, |s| {
    s.world
        .login_of(EXAMPLE)
        .map(|u| format!("logged in to registry.example.com as {u}"))
        .ok_or_else(|| "log in: `docker login registry.example.com -u alice`".into())
});

check!(pushed, |s| {
    let local = s.image_id(REMOTE).ok_or("the tag is gone")?;
    match remote_id(s, EXAMPLE, "team/my-api", "1.0") {
        Some(id) if id == local => Ok(
            "the registry now holds the layers and the manifest; nothing started running".into(),
        ),
        _ => Err(format!("push it: `docker push {REMOTE}`")),
    }
});

check!(removed_locally, |s| {
    if s.image_id("my-api:1.0").is_some() || s.image_id(REMOTE).is_some() {
        return Err(format!(
            "remove both names: `docker rmi my-api:1.0 {REMOTE}`"
        ));
    }
    remote_id(s, EXAMPLE, "team/my-api", "1.0").ok_or("the registry lost it?")?;
    Ok("gone locally, still in the registry".into())
});

check!(pulled_back, |s| {
    let remote = remote_id(s, EXAMPLE, "team/my-api", "1.0").ok_or("push it first")?;
    match s.image_id(REMOTE) {
        Some(id) if id == remote => Ok("pulled: the same image ID as before the push".into()),
        _ => Err(format!("pull it: `docker pull {REMOTE}`")),
    }
});

check!(ran_pulled, |s| {
    let id = s.image_id(REMOTE).ok_or("pull it first")?;
    let c = s.container("api-1")?;
    if c.image_id.to_string() != id || !c.state.is_running() {
        return Err(format!("run it: `docker run -d --name api-1 {REMOTE}`"));
    }
    Ok("a container from the pulled image".into())
});

check!(stopped, |s| {
    let c = s.container("api-1")?;
    match c.state {
        State::Exited { code } => Ok(format!(
            "stopped (exit code {code}); the container and its writable layer still exist"
        )),
        _ => Err("stop it: `docker stop api-1`".into()),
    }
});

check!(container_removed, |s| {
    if s.world.container("api-1").is_ok() {
        return Err("remove it: `docker rm api-1`".into());
    }
    s.image_id(REMOTE).ok_or("the image is gone too?")?;
    Ok("the container is gone; the image stays until you remove it".into())
});

check!(image_removed, |s| {
    if s.image_id(REMOTE).is_some() {
        return Err(format!("remove the image: `docker rmi {REMOTE}`"));
    }
    remote_id(s, EXAMPLE, "team/my-api", "1.0").ok_or("the registry lost it?")?;
    Ok("local image removed; the registry copy remains for the next pull".into())
});

pub(super) const LIFECYCLE: Lesson = Lesson {
    id: "lifecycle",
    title: "The lifecycle: build → tag → login → push → pull → run → stop → rm",
    concepts: &[9, 10],
    intro: "docker push shares an image through a registry. It does not start the application. docker run starts a container from an image. Stop and rm act on the container, not the image; rmi and prune remove local images.",
    scenario: Some(SEED),
    steps: &[
        BUILD_SEED,
        Step {
            instructions: "Tag: `docker tag my-api:1.0 registry.example.com/team/my-api:1.0`",
            hint: None,
            check: tagged,
        },
        Step {
            instructions: "Log in: `docker login registry.example.com -u alice`",
            hint: Some("layerlab's registries accept any user."),
            check: logged_in,
        },
        Step {
            instructions: "Push: `docker push registry.example.com/team/my-api:1.0`",
            hint: None,
            check: pushed,
        },
        Step {
            instructions: "Remove the local image: `docker rmi my-api:1.0 registry.example.com/team/my-api:1.0`",
            hint: None,
            check: removed_locally,
        },
        Step {
            instructions: "Pull it back: `docker pull registry.example.com/team/my-api:1.0`",
            hint: None,
            check: pulled_back,
        },
        Step {
            instructions: "Run: `docker run -d --name api-1 registry.example.com/team/my-api:1.0`",
            hint: None,
            check: ran_pulled,
        },
        Step {
            instructions: "Stop: `docker stop api-1`, then `docker ps -a`",
            hint: None,
            check: stopped,
        },
        Step {
            instructions: "Remove the container: `docker rm api-1`",
            hint: None,
            check: container_removed,
        },
        Step {
            instructions: "Remove the image: `docker rmi registry.example.com/team/my-api:1.0`",
            hint: None,
            check: image_removed,
        },
    ],
};

// ---------------------------------------------------------------- 10. tags

check!(pulled_latest, |s| {
    s.image_id("docker.io/library/nginx:latest")
        .ok_or("pull it: `docker pull nginx`")?;
    s.ran(|w| is_verb(w, "pull", "image", "pull"))
        .filter(|c| c.output.stdout.contains("Using default tag: latest"))
        .ok_or("pull it without a tag: `docker pull nginx`")?;
    Ok("`nginx` meant docker.io/library/nginx:latest: default registry, library/ namespace, tag latest".into())
});

check!(second_name, |s| {
    let id = s.image_id("nginx:latest").ok_or("pull nginx first")?;
    match s.image_id("my-nginx:prod") {
        Some(other) if other == id => Ok(
            "`docker images` shows two rows with one IMAGE ID: a tag is a reference, not a copy"
                .into(),
        ),
        _ => Err("tag it: `docker tag nginx my-nginx:prod`".into()),
    }
});

check!(untagged, |s| {
    if s.image_id("my-nginx:prod").is_some() {
        return Err("remove the name: `docker rmi my-nginx:prod`".into());
    }
    s.image_id("nginx:latest")
        .ok_or("nginx:latest is gone too?")?;
    Ok("rmi removed only the reference: the image is still there as nginx:latest".into())
});

check!(latest_not_newest, |s| {
    let latest = s.image_id("nginx:latest").ok_or("pull nginx first")?;
    match s.image_id("nginx:alpine") {
        Some(alpine) if alpine != latest => Ok(
            "two tags, two different images: latest is just the default tag name, not the newest or safest".into(),
        ),
        _ => Err("pull another tag: `docker pull nginx:alpine`".into()),
    }
});

pub(super) const TAGS: Lesson = Lesson {
    id: "tags",
    title: "Tags: names for images",
    concepts: &[10],
    intro: "An image tag is a human-readable reference: registry.example.com/team/my-api:1.0 is registry, repository and tag. docker tag adds another reference to the same image content; it does not copy or rename. With no tag, Docker uses latest: docker pull nginx is docker pull docker.io/library/nginx:latest.",
    scenario: None,
    steps: &[
        Step {
            instructions: "Pull without a tag: `docker pull nginx`",
            hint: None,
            check: pulled_latest,
        },
        Step {
            instructions: "Add a name: `docker tag nginx my-nginx:prod`, then `docker images`",
            hint: None,
            check: second_name,
        },
        Step {
            instructions: "Remove that name: `docker rmi my-nginx:prod`",
            hint: None,
            check: untagged,
        },
        Step {
            instructions: "Pull another tag of the same repository: `docker pull nginx:alpine`, then `docker images`",
            hint: None,
            check: latest_not_newest,
        },
    ],
};

// ---------------------------------------------------------------- 11. digests

/// The `name@sha256:...` reference of the learner's last successful pinned pull.
fn pinned_ref(s: &LessonState<'_>) -> Option<String> {
    let cmd =
        s.ran(|w| is_verb(w, "pull", "image", "pull") && w.iter().any(|a| a.contains("@sha256:")))?;
    super::words(&cmd.line)
        .into_iter()
        .find(|a| a.contains("@sha256:"))
}

fn pinned_digest(r: &str) -> &str {
    r.split_once('@').map_or("", |(_, d)| d)
}

check!(pulled_tag, |s| {
    s.image_id("nginx:latest")
        .ok_or("pull it: `docker pull nginx`")?;
    let digest = remote_digest(s, DOCKER_IO, "library/nginx", "latest").unwrap_or_default();
    Ok(format!(
        "nginx:latest currently points at manifest {digest}"
    ))
});

check!(pinned, |s| {
    let r = pinned_ref(s).ok_or("pull by digest: `docker pull nginx@sha256:<digest>`")?;
    let id = s
        .image_id(&r)
        .ok_or("the pinned reference does not resolve")?;
    if s.image_id("nginx:latest") != Some(id) {
        return Err("pin the digest nginx:latest has now (see `docker images --digests`)".into());
    }
    Ok(
        "nginx@sha256:... names exact content: a manifest digest is a hash of the manifest bytes"
            .into(),
    )
});

check!(tag_moved, |s| {
    let r = pinned_ref(s).ok_or("pin a digest first")?;
    match remote_digest(s, DOCKER_IO, "library/nginx", "latest") {
        Some(now) if now != pinned_digest(&r) => Ok(format!(
            "in the registry, nginx:latest now points at {now}: the tag moved"
        )),
        _ => Err("let someone else push: `!someone-pushes nginx`".into()),
    }
});

check!(pin_holds, |s| {
    let r = pinned_ref(s).ok_or("pin a digest first")?;
    let old = s.image_id(&r).ok_or("the pinned image is gone")?;
    let latest = s.image_id("nginx:latest").ok_or("pull nginx")?;
    if latest == old {
        return Err("pull the tag again: `docker pull nginx`".into());
    }
    Ok(format!(
        "nginx:latest is now a different image; {r} still names the old one"
    ))
});

check!(ran_pinned, |s| {
    let r = pinned_ref(s).ok_or("pin a digest first")?;
    let old = s.image_id(&r).ok_or("the pinned image is gone")?;
    let c = s.container("pinned")?;
    if c.image_id.to_string() != old {
        return Err(format!(
            "run the pinned image: `docker run -d --name pinned {r}`"
        ));
    }
    Ok("the container runs exactly the content you pinned, whatever the tag says".into())
});

pub(super) const DIGESTS: Lesson = Lesson {
    id: "digests",
    title: "Tags move, digests pin: pull nginx by digest, then watch the tag move",
    concepts: &[11],
    intro: "Tags are convenient, but tags can move: a registry can make a tag point to a different image when someone pushes a new image under it. A digest (name@sha256:...) identifies exact image content. The image ID is the digest of the config; the manifest digest is what registries and pins use; each layer has its own digest.",
    scenario: None,
    steps: &[
        Step {
            instructions: "Pull the tag: `docker pull nginx`",
            hint: None,
            check: pulled_tag,
        },
        Step {
            instructions: "Find its digest with `docker images --digests`, then pin it: `docker pull nginx@sha256:<digest>`",
            hint: Some("Copy the whole sha256:... value from the DIGEST column."),
            check: pinned,
        },
        Step {
            instructions: "Someone else pushes a new nginx:latest: `!someone-pushes nginx`",
            hint: Some("A lesson action: the registry gets a new image under the same tag."),
            check: tag_moved,
        },
        Step {
            instructions: "Pull the tag again: `docker pull nginx`, then `docker images --digests`",
            hint: None,
            check: pin_holds,
        },
        Step {
            instructions: "Run the pinned content: `docker run -d --name pinned nginx@sha256:<the digest you pinned>`",
            hint: None,
            check: ran_pinned,
        },
    ],
};

// ---------------------------------------------------------------- 15. images are files

/// The image ID in `my-api.tar`'s `manifest.json` (the config blob's name), if the
/// simulated host holds that archive and it names my-api:1.0.
fn archived_id(s: &LessonState<'_>) -> Result<(String, usize), String> {
    let bytes = s
        .world
        .host_files
        .get("my-api.tar")
        .ok_or("save it: `docker save -o my-api.tar my-api:1.0`")?;
    let (files, _) = crate::engine::image::tar::read(bytes).map_err(|e| e.to_string())?;
    let manifest = files
        .get("manifest.json")
        .and_then(|m| String::from_utf8(m.clone()).ok())
        .ok_or("my-api.tar has no manifest.json")?;
    if !manifest.contains("\"my-api:1.0\"") {
        return Err("save my-api:1.0 into it: `docker save -o my-api.tar my-api:1.0`".into());
    }
    let id = manifest
        .split("blobs/sha256/")
        .nth(1)
        .and_then(|rest| rest.get(..64))
        .ok_or("my-api.tar's manifest.json names no config")?;
    let blobs = files
        .keys()
        .filter(|k| k.starts_with("blobs/sha256/"))
        .count();
    Ok((format!("sha256:{id}"), blobs))
}

check!(saved, |s| {
    let (id, blobs) = archived_id(s)?;
    let built = s.image_id("my-api:1.0").ok_or("build my-api:1.0 first")?;
    if id != built {
        return Err("save the image you built: `docker save -o my-api.tar my-api:1.0`".into());
    }
    Ok(format!(
        "my-api.tar holds {blobs} blobs: the config (its sha256 is the image ID), the manifest and one tar per layer (it is in your downloads too)"
    ))
});

check!(removed_for_load, |s| {
    archived_id(s)?;
    if s.image_id("my-api:1.0").is_some() {
        return Err("remove it: `docker rmi my-api:1.0`".into());
    }
    Ok("no my-api:1.0 on this host any more; only the file has it".into())
});

check!(loaded_back, |s| {
    let (id, _) = archived_id(s)?;
    s.ran(|w| is_verb(w, "load", "image", "load"))
        .ok_or("load it: `docker load -i my-api.tar`")?;
    match s.image_id("my-api:1.0") {
        Some(now) if now == id => Ok(format!(
            "loaded: the same image ID, {}, because an image is its content, and the ID is the digest of it",
            &id[7..19]
        )),
        _ => Err("load it: `docker load -i my-api.tar`".into()),
    }
});

pub(super) const IMAGES_ARE_FILES: Lesson = Lesson {
    id: "images-are-files",
    title: "Images are files: docker save and docker load",
    concepts: &[4, 11],
    intro: "An image is a set of files: a config (JSON), a manifest, and one tar archive per layer, each named by its sha256. docker save writes them into one tar archive; docker load reads one back. Nothing in the image depends on where it is stored, so it comes back with the same image ID.",
    scenario: Some(SEED),
    steps: &[
        BUILD_SEED,
        Step {
            instructions: "Save it to a file: `docker save -o my-api.tar my-api:1.0` (the page also downloads it: open it with `tar -tf` or `skopeo inspect oci-archive:my-api.tar`)",
            hint: None,
            check: saved,
        },
        Step {
            instructions: "Remove the image: `docker rmi my-api:1.0`",
            hint: None,
            check: removed_for_load,
        },
        Step {
            instructions: "Load the file: `docker load -i my-api.tar`. Compare the image ID with the one before.",
            hint: Some("The image panel takes the loaded image apart from its history."),
            check: loaded_back,
        },
    ],
};
