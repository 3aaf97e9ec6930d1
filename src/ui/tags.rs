//! Tags and digests: every local image with the references pointing at it (several
//! tags → one image ID, drawn as pointers), image ID vs manifest digest vs layer
//! digests, and the registries with their repositories and tags.

use std::collections::{BTreeMap, BTreeSet};

use yew::prelude::*;

use crate::engine::build::events::human_size;
use crate::engine::world::World;

use super::markup::fixed;

#[derive(Clone, PartialEq)]
pub struct LocalImageView {
    pub id: String,
    pub refs: Vec<String>,
    pub digests: Vec<String>,
    pub manifest: String,
    pub size: u64,
    pub layers: usize,
    pub in_use_by: Vec<String>,
}

#[derive(Clone, PartialEq)]
pub struct RepoView {
    pub host: String,
    pub repo: String,
    pub tags: Vec<(String, String)>,
}

pub fn tag_views(world: &World) -> (Vec<LocalImageView>, Vec<RepoView>) {
    let store = &world.daemon.images;
    let mut images: Vec<LocalImageView> = store
        .images()
        .map(|img| {
            let refs = store.references(&img.id);
            LocalImageView {
                id: img.id.to_string(),
                refs: refs
                    .iter()
                    .filter(|r| r.tag().is_some())
                    .map(|r| r.familiar_string())
                    .collect(),
                digests: refs
                    .iter()
                    .filter(|r| r.digest().is_some())
                    .map(|r| r.familiar_string())
                    .collect(),
                manifest: img.manifest_digest.to_string(),
                size: img.size(),
                layers: img.layers.len(),
                in_use_by: world
                    .containers
                    .iter()
                    .filter(|c| c.image_id == img.id)
                    .map(|c| c.name.clone())
                    .collect(),
            }
        })
        .collect();
    crate::engine::sort::sort_by(&mut images, |a, b| a.refs.first().cmp(&b.refs.first()));
    let mut repos = Vec::new();
    for reg in world.registries.hosts() {
        for (repo, tags) in reg.repositories() {
            repos.push(RepoView {
                host: reg.host.clone(),
                repo: repo.clone(),
                tags: tags
                    .iter()
                    .map(|(t, d)| (t.clone(), d.to_string()))
                    .collect(),
            });
        }
    }
    (images, repos)
}

/// Where every reference points, before and after a command, so the view can show
/// which tags moved (`docker tag` onto another image, a pull after someone else
/// pushed) and which digest references a pull by digest pinned.
#[derive(Clone, PartialEq, Default)]
pub struct RefSnapshot {
    /// Local tag (familiar form) → image ID.
    local: BTreeMap<String, String>,
    /// Local digest references (`nginx@sha256:...`).
    pinned: BTreeSet<String>,
    /// `host/repo:tag` → manifest digest, in the registries.
    remote: BTreeMap<String, String>,
}

pub fn ref_snapshot(world: &World) -> RefSnapshot {
    let store = &world.daemon.images;
    let mut snap = RefSnapshot::default();
    for img in store.images() {
        for r in store.references(&img.id) {
            if r.digest().is_some() {
                snap.pinned.insert(r.familiar_string());
            } else if r.tag().is_some() {
                snap.local.insert(r.familiar_string(), img.id.to_string());
            }
        }
    }
    for reg in world.registries.hosts() {
        for (repo, tags) in reg.repositories() {
            for (t, d) in tags {
                snap.remote
                    .insert(format!("{}/{repo}:{t}", reg.host), d.to_string());
            }
        }
    }
    snap
}

/// What one command did to references: drawn as a highlight that fades (CSS only).
#[derive(Clone, PartialEq, Default)]
pub struct RefMarks {
    /// Local tags now pointing at another image: (reference, old image ID).
    pub moved: BTreeMap<String, String>,
    /// The digest reference a pull by digest named.
    pub pinned: BTreeSet<String>,
    /// Registry tags now pointing at another manifest: (`host/repo:tag`, old digest).
    pub remote_moved: BTreeMap<String, String>,
}

/// `command` is the line that ran (empty if it failed): a pull by digest marks its
/// digest reference, even when a pull by tag had already recorded it (as Docker's
/// `RepoDigests` does); a pull by tag records a digest but pins nothing.
pub fn ref_marks(before: &RefSnapshot, after: &RefSnapshot, command: &str) -> RefMarks {
    let moved_in = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| {
        b.iter()
            .filter_map(|(r, now)| match a.get(r) {
                Some(was) if was != now => Some((r.clone(), was.clone())),
                _ => None,
            })
            .collect()
    };
    RefMarks {
        moved: moved_in(&before.local, &after.local),
        pinned: match pulled_digest(command) {
            Some(d) => after
                .pinned
                .iter()
                .filter(|r| r.ends_with(&d))
                .cloned()
                .collect(),
            None => BTreeSet::new(),
        },
        remote_moved: moved_in(&before.remote, &after.remote),
    }
}

/// `@sha256:...` of a `docker pull NAME@DIGEST` line.
fn pulled_digest(command: &str) -> Option<String> {
    let mut words = command.split_whitespace();
    let first = words.next()?;
    let rest: Vec<&str> = if first == "docker" {
        words.collect()
    } else {
        return None;
    };
    let args = match rest.as_slice() {
        ["pull", args @ ..] | ["image", "pull", args @ ..] => args,
        _ => return None,
    };
    args.iter()
        .filter(|a| !a.starts_with('-'))
        .find_map(|a| a.split_once('@').map(|(_, d)| format!("@{d}")))
}

fn short(d: &str) -> String {
    let hex = d.trim_start_matches("sha256:");
    format!("sha256:{}…", hex.get(..12).unwrap_or(hex))
}

/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
/// Keyed, so that switching tabs replaces the Runtime view instead of patching it.
/// `on_show` gets an image ID: the image panel takes that image apart.
pub fn tags(
    images: &[LocalImageView],
    repos: &[RepoView],
    marks: &RefMarks,
    on_show: &Callback<String>,
) -> Html {
    html! {
        <div key="tags" class="tags-view">
            <section aria-label="local images">
                { fixed("<h3>Local images</h3>") }
                if images.is_empty() {
                    { fixed("<p class=\"empty-note\">No local images yet: build one.</p>") }
                }
                { for images.iter().map(|img| html! {
                    <div class="image-card">
                        <div class="refs">
                            if img.refs.is_empty() { { fixed("<span class=\"ref dangling\">&lt;none&gt;:&lt;none&gt; (dangling)</span>") } }
                            { for img.refs.iter().map(|r| {
                                let was = marks.moved.get(r);
                                html! {
                                    <span class={classes!("ref", was.is_some().then_some("moved"))}
                                        title={was.map(|w| format!("tag moved here from image {}", short(w)))}>
                                        {r.clone()}<span class="pointer" aria-hidden="true">{" ➜"}</span>
                                        if let Some(w) = was {
                                            <span class="moved-note">{format!(" moved (was {})", short(w))}</span>
                                        }
                                    </span>
                                }
                            }) }
                        </div>
                        <div class="ids">
                            <div>{ fixed("<span class=\"label\">IMAGE ID (config digest)</span>") }<code title={img.id.clone()}>{short(&img.id)}</code></div>
                            <div>{ fixed("<span class=\"label\">manifest digest</span>") }<code title={img.manifest.clone()}>{short(&img.manifest)}</code></div>
                            { for img.digests.iter().map(|d| html! {
                                <div class={classes!("pin", marks.pinned.contains(d).then_some("pinned"))}>{ fixed("<span class=\"label\">pinned by digest</span>") }<code>{d.clone()}</code></div>
                            }) }
                            <div class="muted small">{format!("{} layers · {}", img.layers, human_size(img.size))}
                                { if img.in_use_by.is_empty() { String::new() } else { format!(" · used by {}", img.in_use_by.join(", ")) } }
                            </div>
                            <button class="link small show-layers" onclick={{
                                let (cb, id) = (on_show.clone(), img.id.clone());
                                Callback::from(move |_| cb.emit(id.clone()))
                            }} aria-label={format!("show the layers of {}", img.refs.first().cloned().unwrap_or_else(|| short(&img.id).to_string()))}>{"Show its layers"}</button>
                        </div>
                    </div>
                }) }
            </section>
            <section aria-label="registries">
                { fixed("<h3>Registries</h3>") }
                if repos.is_empty() {
                    { fixed("<p class=\"empty-note\">Nothing pushed yet. Try docker tag my-api:1.0 localhost:5000/my-api:1.0 then docker push localhost:5000/my-api:1.0</p>") }
                }
                { for repos.iter().map(|r| html! {
                    <div class="repo">
                        <div><span class="muted">{format!("{}/", r.host)}</span><strong>{r.repo.clone()}</strong></div>
                        <ul>
                            { for r.tags.iter().map(|(t, d)| {
                                let was = marks.remote_moved.get(&format!("{}/{}:{t}", r.host, r.repo));
                                html! {
                                    <li>
                                        <span class={classes!("ref", was.is_some().then_some("moved"))}>{t.clone()}</span>{" ➜ "}<code title={d.clone()}>{short(d)}</code>
                                        if let Some(w) = was {
                                            <span class="moved-note">{format!(" tag moved (was {})", short(w))}</span>
                                        }
                                    </li>
                                }
                            }) }
                        </ul>
                    </div>
                }) }
            </section>
        </div>
    }
}
