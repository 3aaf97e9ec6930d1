//! The catalog of simulated base images (`alpine`, `node:lts-alpine`, `busybox`, ...).
//!
//! They are clearly simulated: plausible file trees, sizes, layer counts, config and
//! history, with big files as synthetic content. Contract with the build engine:
//! [`lookup`] gives every layer as the full root filesystem after that layer, so the
//! layer's changes are `fs::diff(previous, this)`.
//!
//! Each image is built the way its real Dockerfile builds it (docker-library's
//! `node`, `python`, `nginx`, `golang`; debuerreotype for `debian`; Alpine's
//! minirootfs), with the same layer count, history rows (`ENV ...`, `RUN ... # buildkit`
//! with comment `buildkit.dockerfile.v0`), config and roughly the same sizes. Packages
//! are installed through the `engine::pkg` simulations, so `apk info`, `dpkg -l` and
//! later `apk add`/`apt-get install` agree with the image's contents. `busybox` mirrors
//! the buildah oracle's base exactly (see [`busybox`]). All times are fixed: the same
//! lookup always gives the same trees.

mod alpine;
mod builder;
pub mod busybox;
mod debian;
mod nginx;

use crate::engine::fs::Fs;

/// A history entry of a base image (`docker image history` rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseHistory {
    pub created: i64,
    pub created_by: String,
    pub empty_layer: bool,
    pub comment: Option<String>,
}

/// A simulated base image: its layers and its config.
#[derive(Debug, Clone)]
pub struct BaseImage {
    /// Canonical reference, e.g. `docker.io/library/node:lts-alpine`.
    pub reference: String,
    /// The catalog reference whose memoised layer digests this image shares (an alias
    /// such as `node:latest` has `node:22`'s content; see `daemon::base_memo`).
    pub memo_reference: String,
    /// Root filesystem after each layer, bottom first; never empty except for `scratch`.
    pub snapshots: Vec<Fs>,
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub working_dir: String,
    pub user: String,
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub stop_signal: Option<String>,
    pub history: Vec<BaseHistory>,
    /// Creation time (seconds since the epoch).
    pub created: i64,
    pub architecture: String,
    pub os: String,
}

/// Looks up a base image by repository path (`library/node`, `library/alpine`) and tag.
/// `None` when the catalog has no such image (the build then fails like a pull of a
/// missing image).
pub fn lookup(path: &str, tag: &str) -> Option<BaseImage> {
    // Each arm names the catalog tag whose memoised digests the image's layers share:
    // the tag typed only goes into the reference, never into the content.
    let (canonical, image) = match (path, tag) {
        ("library/busybox", "latest" | "1.35" | "1.35.0") => ("1.35", busybox::image(tag, "1.35")),
        ("library/busybox", "1.36" | "1.36.1") => ("1.36", busybox::image(tag, "1.36")),
        ("library/alpine", "latest" | "3.20" | "3.20.3" | "3") => {
            ("3.20", alpine::alpine(tag, "3.20"))
        }
        ("library/alpine", "3.19" | "3.19.4") => ("3.19", alpine::alpine(tag, "3.19")),
        ("library/debian", "bookworm-slim" | "12-slim" | "stable-slim") => {
            ("bookworm-slim", debian::debian(tag, true))
        }
        ("library/debian", "bookworm" | "12" | "latest" | "stable") => {
            ("bookworm", debian::debian(tag, false))
        }
        ("library/ubuntu", "24.04" | "latest" | "noble") => ("24.04", debian::ubuntu(tag)),
        ("library/node", "lts-alpine" | "22-alpine" | "alpine" | "22.11.0-alpine") => {
            ("lts-alpine", alpine::node(tag, "22.11.0", 1_730_176_800))
        }
        ("library/node", "20-alpine" | "20.18.0-alpine") => {
            ("20-alpine", alpine::node(tag, "20.18.0", 1_727_985_840))
        }
        ("library/node", "22" | "lts" | "latest" | "22.11.0" | "22-bookworm") => {
            ("22", debian::node(tag, "22.11.0"))
        }
        ("library/python", "3.12-slim" | "3.12.7-slim" | "3.12-slim-bookworm") => {
            ("3.12-slim", debian::python(tag))
        }
        ("library/golang", "1.23-alpine" | "1.23.2-alpine" | "alpine") => {
            ("1.23-alpine", alpine::golang(tag))
        }
        ("library/nginx", "alpine" | "1.27-alpine" | "mainline-alpine") => {
            ("alpine", nginx::alpine(tag))
        }
        ("library/nginx", "latest" | "1.27" | "mainline") => ("latest", nginx::debian(tag)),
        ("library/scratch", "latest") => ("latest", scratch()),
        ("library/hello-world", "latest" | "linux") => ("latest", hello_world(tag)),
        _ => return None,
    };
    Some(BaseImage {
        memo_reference: format!("docker.io/{path}:{canonical}"),
        ..image
    })
}

/// `FROM scratch`: no layers, no config beyond the platform.
fn scratch() -> BaseImage {
    BaseImage {
        reference: "scratch".to_string(),
        memo_reference: String::new(),
        snapshots: Vec::new(),
        env: Vec::new(),
        cmd: None,
        entrypoint: None,
        working_dir: String::new(),
        user: String::new(),
        exposed_ports: Vec::new(),
        volumes: Vec::new(),
        labels: Vec::new(),
        stop_signal: None,
        history: Vec::new(),
        created: 0,
        architecture: "amd64".to_string(),
        os: "linux".to_string(),
    }
}

/// docker-library's `hello-world`: `FROM scratch`, `COPY hello /`, `CMD ["/hello"]`;
/// the static binary is synthetic bytes of the real one's size (the runtime prints its
/// message, see `runtime::process`).
fn hello_world(tag: &str) -> BaseImage {
    /// 2025-08-08T19:25:27Z, a fixed build time.
    const CREATED: i64 = 1_754_681_127;
    let mut b = builder::ImageBuilder::new(CREATED);
    b.layer(
        CREATED,
        "COPY hello / # buildkit",
        Some(builder::BUILDKIT),
        &mut |t| t.blob("/hello", 10_072, 0o755, "hello-world"),
    );
    b.cmd = Some(vec!["/hello".to_string()]);
    b.meta(CREATED, "CMD [\"/hello\"]", Some(builder::BUILDKIT));
    b.finish(&format!("docker.io/library/hello-world:{tag}"), CREATED)
}

/// Every `(repository path, tag)` the catalog offers, for help texts and completion.
pub fn catalog() -> Vec<(&'static str, &'static str)> {
    vec![
        ("library/scratch", "latest"),
        ("library/hello-world", "latest"),
        ("library/busybox", "latest"),
        ("library/busybox", "1.36"),
        ("library/busybox", "1.35"),
        ("library/alpine", "latest"),
        ("library/alpine", "3.20"),
        ("library/alpine", "3.19"),
        ("library/debian", "bookworm-slim"),
        ("library/debian", "bookworm"),
        ("library/ubuntu", "24.04"),
        ("library/ubuntu", "latest"),
        ("library/ubuntu", "noble"),
        ("library/node", "lts-alpine"),
        ("library/node", "22-alpine"),
        ("library/node", "20-alpine"),
        ("library/node", "22"),
        ("library/python", "3.12-slim"),
        ("library/golang", "1.23-alpine"),
        ("library/nginx", "alpine"),
        ("library/nginx", "latest"),
    ]
}
