//! A layer's file changes (added, modified, deleted/whiteout; icons as well as
//! colours) and the content of a selected file.

use yew::prelude::*;

use crate::engine::build::events::human_size;
use crate::engine::daemon::layers::Layer;
use crate::engine::fs::{ChangeKind, FileType};

#[derive(Clone, PartialEq)]
pub struct ChangeView {
    pub path: String,
    pub kind: &'static str,
    pub icon: &'static str,
    pub file_type: &'static str,
    pub size: u64,
    pub opaque: bool,
}

#[derive(Clone, PartialEq)]
pub struct LayerDetailView {
    /// The changes as a tree (the list below stays for screen readers and search).
    pub tree: Option<super::file_tree::SharedTree>,
    pub title: String,
    pub diff_id: String,
    pub size: u64,
    pub content_size: u64,
    pub changes: Vec<ChangeView>,
    pub truncated: usize,
}

/// At most this many entries are drawn (a base layer can have thousands).
const MAX_ROWS: usize = 400;

pub fn layer_detail(title: &str, layer: &Layer) -> LayerDetailView {
    let all = layer.changes.changes();
    let changes = all
        .iter()
        .take(MAX_ROWS)
        .map(|c| {
            let (kind, icon) = match c.kind {
                ChangeKind::Added => ("added", "+"),
                ChangeKind::Modified => ("modified", "~"),
                ChangeKind::Deleted => ("deleted", "−"),
            };
            let file_type = match c.file_type() {
                Some(FileType::Dir) => "dir",
                Some(FileType::File) => "file",
                Some(FileType::Symlink) => "symlink",
                Some(_) => "special",
                None => "whiteout",
            };
            ChangeView {
                path: c.path.clone(),
                kind,
                icon,
                file_type,
                size: c.size(),
                opaque: c.opaque,
            }
        })
        .collect();
    LayerDetailView {
        tree: None,
        title: title.to_string(),
        diff_id: layer.diff_id.to_string(),
        size: layer.size,
        content_size: layer.content_size,
        changes,
        truncated: all.len().saturating_sub(MAX_ROWS),
    }
}

/// Text of a file in a layer's resulting filesystem, for the viewer.
pub fn file_preview(layer: &Layer, path: &str) -> String {
    match layer.rootfs().read_file(path) {
        Ok(content) => {
            let head = content.read_range(0, 8192);
            match String::from_utf8(head) {
                Ok(text) if !text.contains('\0') => {
                    if content.len() > 8192 {
                        format!("{text}\n… ({} more bytes)", content.len() - 8192)
                    } else {
                        text
                    }
                }
                _ => format!(
                    "binary content, {} ({} bytes; large files of simulated images are synthetic)",
                    human_size(content.len()),
                    content.len()
                ),
            }
        }
        Err(e) => format!("{path}: {e}"),
    }
}

/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
/// Keyed, so that it replaces the whole-filesystem section instead of patching it.
pub fn layer_detail_panel(
    d: &LayerDetailView,
    preview: Option<&(String, String)>,
    on_open: &Callback<String>,
    on_close: &Callback<()>,
) -> Html {
    let close = {
        let cb = on_close.clone();
        Callback::from(move |_| cb.emit(()))
    };
    html! {
            <section key="layer-detail" class="layer-detail" aria-label="layer contents">
                <header>
                    <strong>{d.title.clone()}</strong>
                    <button class="link" onclick={close} aria-label="close layer contents">{"✕"}</button>
                </header>
                <div class="muted small"><code>{d.diff_id.clone()}</code>{format!(" · {} of files · {} as a tar", human_size(d.content_size), human_size(d.size))}</div>
                { super::markup::fixed("<p class=\"muted small\">+ added, ~ modified, − deleted (stored in the layer as a .wh. whiteout file; a directory replaced wholesale is marked opaque with .wh..wh..opq).</p>") }
                if let Some(tree) = &d.tree {
                    <super::file_tree::FileTree tree={tree.clone()} label={format!("changes of {}", d.title)}
                        open_depth={usize::MAX} sizes=true on_open={Some(on_open.clone())} />
                }
                <details class="changes-list" open={d.tree.is_none()}>
                    <summary class="small">{"as a list"}</summary
    >
                <ul class="changes">
                        { for d.changes.iter().map(|c| {
                            let open = {
                                let cb = on_open.clone();
                                let path = c.path.clone();
                                Callback::from(move |_| cb.emit(path.clone()))
                            };
                            html! {
                                <li class={classes!("change", c.kind)}>
                                    <span class="change-icon" title={c.kind}>{c.icon}</span>
                                    if c.file_type == "file" {
                                        <button class="link path" onclick={open}>{c.path.clone()}</button>
                                    } else {
                                        <span class="path">{c.path.clone()}{ if c.file_type == "dir" { "/" } else { "" } }</span>
                                    }
                                    <span class="muted small">
                                        { match (c.file_type, c.opaque) {
                                            ("whiteout", _) => "whiteout".to_string(),
                                            ("dir", true) => "opaque dir".to_string(),
                                            ("file", _) => human_size(c.size),
                                            (t, _) => t.to_string(),
                                        } }
                                    </span>
                                </li>
                            }
                        }) }
                        if d.truncated > 0 { <li class="muted small">{format!("… and {} more entries", d.truncated)}</li> }
                    </ul>
                </details>
                if let Some(p) = preview {
                    { super::markup::preview(p) }
                }
            </section>
        }
}
