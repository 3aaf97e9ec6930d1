//! Tags and digests: every local image with the references pointing at it (several
//! tags → one image ID, drawn as pointers), image ID vs manifest digest vs layer
//! digests, and the registries with their repositories and tags.

use yew::prelude::*;

use crate::engine::build::events::human_size;
use crate::engine::world::World;

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
    images.sort_by(|a, b| a.refs.first().cmp(&b.refs.first()));
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

#[derive(Properties, PartialEq)]
pub struct TagsProps {
    pub images: Vec<LocalImageView>,
    pub repos: Vec<RepoView>,
}

fn short(d: &str) -> String {
    let hex = d.trim_start_matches("sha256:");
    format!("sha256:{}…", hex.get(..12).unwrap_or(hex))
}

#[component]
pub fn Tags(props: &TagsProps) -> Html {
    html! {
        <div class="tags-view">
            <section aria-label="local images">
                <h3>{"Local images"}</h3>
                if props.images.is_empty() {
                    <p class="empty-note">{"No local images yet: build one."}</p>
                }
                { for props.images.iter().map(|img| html! {
                    <div class="image-card">
                        <div class="refs">
                            if img.refs.is_empty() { <span class="ref dangling">{"<none>:<none> (dangling)"}</span> }
                            { for img.refs.iter().map(|r| html! { <span class="ref">{r.clone()}<span class="pointer" aria-hidden="true">{" ➜"}</span></span> }) }
                        </div>
                        <div class="ids">
                            <div><span class="label">{"IMAGE ID (config digest)"}</span><code title={img.id.clone()}>{short(&img.id)}</code></div>
                            <div><span class="label">{"manifest digest"}</span><code title={img.manifest.clone()}>{short(&img.manifest)}</code></div>
                            { for img.digests.iter().map(|d| html! {
                                <div><span class="label">{"pinned by digest"}</span><code>{d.clone()}</code></div>
                            }) }
                            <div class="muted small">{format!("{} layers · {}", img.layers, human_size(img.size))}
                                { if img.in_use_by.is_empty() { String::new() } else { format!(" · used by {}", img.in_use_by.join(", ")) } }
                            </div>
                        </div>
                    </div>
                }) }
            </section>
            <section aria-label="registries">
                <h3>{"Registries"}</h3>
                if props.repos.is_empty() {
                    <p class="empty-note">{"Nothing pushed yet. Try docker tag my-api:1.0 localhost:5000/my-api:1.0 then docker push localhost:5000/my-api:1.0"}</p>
                }
                { for props.repos.iter().map(|r| html! {
                    <div class="repo">
                        <div><span class="muted">{format!("{}/", r.host)}</span><strong>{r.repo.clone()}</strong></div>
                        <ul>
                            { for r.tags.iter().map(|(t, d)| html! {
                                <li><span class="ref">{t.clone()}</span>{" ➜ "}<code title={d.clone()}>{short(d)}</code></li>
                            }) }
                        </ul>
                    </div>
                }) }
            </section>
        </div>
    }
}
