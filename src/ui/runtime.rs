//! The runtime view: each container drawn as its writable layer on top of the image's
//! read-only layers (the seed's runtime diagram), with state, ports, volumes outside
//! the stack, and `docker diff` as a tree (directories `C`, files `A`/`C`/`D`, icons as
//! well as colours).

use yew::prelude::*;

use crate::engine::build::events::human_size;
use crate::engine::fs::FileType;
use crate::engine::runtime::{MountSource, State};
use crate::engine::world::World;

use super::file_tree::{from_diff, FileTree, SharedTree};
use super::markup::fixed;

/// What the runtime view shows of one container.
#[derive(Clone, PartialEq)]
pub struct ContainerView {
    pub name: String,
    pub short_id: String,
    pub image: String,
    pub state: String,
    pub state_class: &'static str,
    pub status: String,
    pub command: String,
    pub ports: Vec<String>,
    pub mounts: Vec<String>,
    pub size_rw: u64,
    pub diff: Vec<(char, String)>,
    pub diff_tree: SharedTree,
    /// Image layers, top first: (instruction or diff_id, size).
    pub image_layers: Vec<(String, u64)>,
}

/// Volumes outside any container.
#[derive(Clone, PartialEq)]
pub struct VolumeView {
    pub name: String,
    pub used_by: Vec<String>,
}

pub fn container_views(world: &World) -> (Vec<ContainerView>, Vec<VolumeView>) {
    let now = world.daemon.clock.now();
    let views = world
        .containers
        .iter()
        .map(|c| {
            let diff: Vec<(char, String)> =
                c.diff().into_iter().map(|(k, p)| (k.letter(), p)).collect();
            let (state, class) = match c.state {
                State::Created => ("created".to_string(), "created"),
                State::Running => ("running".to_string(), "running"),
                State::Paused => ("paused".to_string(), "paused"),
                State::Exited { code } => (format!("exited ({code})"), "exited"),
            };
            let history: Vec<String> = world
                .daemon
                .image(&c.image_id)
                .map(|img| {
                    img.config
                        .history
                        .iter()
                        .filter(|h| !h.empty_layer)
                        .map(|h| h.created_by.clone().unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default();
            let image_layers = c
                .image_layers
                .iter()
                .enumerate()
                .rev()
                .map(|(i, l)| {
                    let label = history
                        .get(i)
                        .cloned()
                        .map(|h| h.trim_end_matches(" # buildkit").to_string())
                        .unwrap_or_else(|| l.diff_id.to_string()[7..19].to_string());
                    (label, l.content_size)
                })
                .collect();
            ContainerView {
                name: c.name.clone(),
                short_id: c.short_id().to_string(),
                image: c.image.clone(),
                state,
                state_class: class,
                status: c.status(now),
                command: c.command(),
                ports: c
                    .ports
                    .iter()
                    .map(|p| {
                        format!(
                            "{}:{} → {}/{}",
                            p.host_ip, p.host_port, p.container_port, p.proto
                        )
                    })
                    .collect(),
                mounts: c
                    .mounts
                    .iter()
                    .map(|m| match &m.source {
                        MountSource::Volume(v) => format!("volume {v} → {}", m.destination),
                        MountSource::Bind(b) => format!("bind ./{b} → {}", m.destination),
                    })
                    .collect(),
                size_rw: c.size_rw(),
                diff_tree: SharedTree(std::rc::Rc::new(from_diff(&diff, |p| {
                    // A deleted path is a directory if the image had one there.
                    [&c.rootfs, &c.lower]
                        .iter()
                        .find_map(|fs| fs.lstat(p).ok())
                        .is_some_and(|st| st.file_type == FileType::Dir)
                }))),
                diff,
                image_layers,
            }
        })
        .collect();
    let volumes = world
        .volumes
        .list()
        .map(|v| VolumeView {
            used_by: world.volume_users(&v.name),
            name: v.name.clone(),
        })
        .collect();
    (views, volumes)
}

/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
/// Keyed, so that switching tabs replaces the Tags view instead of patching it.
pub fn runtime(containers: &[ContainerView], volumes: &[VolumeView]) -> Html {
    if containers.is_empty() && volumes.is_empty() {
        return fixed(
            "<p class=\"empty-note\">No containers yet. A container is the image's read-only layers plus a writable layer and a process. Try \
            <code>docker run -d --name api-1 -p 8080:3000 my-api:1.0</code></p>",
        );
    }
    html! {
        <div key="runtime" class="runtime">
            { for containers.iter().map(|c| html! {
                <article class={classes!("container-card", c.state_class)} aria-label={format!("container {}", c.name)}>
                    <header>
                        <strong>{c.name.clone()}</strong>
                        <span class={classes!("state-badge", c.state_class)}>{c.state.clone()}</span>
                        <code class="muted">{c.short_id.clone()}</code>
                    </header>
                    <div class="muted small">{format!("{} · {} · {}", c.image, c.command, c.status)}</div>
                    if !c.ports.is_empty() {
                        <div class="ports">{ for c.ports.iter().map(|p| html!{ <span class="port">{p.clone()}</span> }) }</div>
                    }
                    <ol class="container-stack">
                        <li class="writable">
                            <span>{"container writable layer"}</span>
                            <span class="muted">{format!("{} · {} changes", human_size(c.size_rw), c.diff.len())}</span>
                        </li>
                        { for c.image_layers.iter().map(|(label, size)| html! {
                            <li class="ro"><span>{format!("image layer: {label}")}</span><span class="muted">{human_size(*size)}</span></li>
                        }) }
                    </ol>
                    if !c.diff.is_empty() {
                        <details class="diff" open=true>
                            <summary>{format!("docker diff {}", c.name)}</summary>
                            { fixed("<p class=\"muted small\">A added · C changed (a directory is C when something below it changed) · D deleted. Only the writable layer: the image is untouched.</p>") }
                            <FileTree tree={c.diff_tree.clone()} label={format!("docker diff {}", c.name)} open_depth={usize::MAX} />
                        </details>
                    }
                    if !c.mounts.is_empty() {
                        <div class="mounts">{ for c.mounts.iter().map(|m| html!{ <span class="mount">{m.clone()}</span> }) }</div>
                    }
                </article>
            }) }
            if !volumes.is_empty() {
                <section class="volumes" aria-label="volumes">
                    { fixed("<h3>Volumes (outside every container's layers; they survive docker rm)</h3>") }
                    { for volumes.iter().map(|v| html! {
                        <div class="volume"><strong>{v.name.clone()}</strong>
                            <span class="muted">{ if v.used_by.is_empty() { "unused".to_string() } else { format!("used by {}", v.used_by.join(", ")) } }</span>
                        </div>
                    }) }
                </section>
            }
        </div>
    }
}
