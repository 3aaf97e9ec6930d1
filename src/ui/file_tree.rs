//! A collapsible file tree shared by the image's cumulative filesystem and the
//! runtime view's `docker diff`. Trees of simulated base images hold thousands of
//! entries, so only open directories are drawn, each with at most a fixed number of
//! children (then a "… N more" line), and the walk is iterative: a hostile path depth
//! cannot exhaust the stack.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::analysis::Tree;
use crate::engine::build::events::human_size;
use crate::engine::fs::FileType;

/// How an entry changed (icon and colour class), for diffs.
#[derive(Clone, PartialEq)]
pub struct Mark {
    /// CSS class: `added`, `changed`, `deleted`.
    pub class: &'static str,
    /// Shown before the name (`A +`), also as text so colour is never the only cue.
    pub icon: String,
    pub title: &'static str,
}

/// The layer that last wrote an entry: its Dockerfile line and instruction.
#[derive(Clone, PartialEq)]
pub struct Writer {
    pub label: String,
    pub line: usize,
    /// Index into the build view's rows, to open that layer.
    pub row: Option<usize>,
}

#[derive(Clone, PartialEq)]
pub struct Node {
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub children: Vec<usize>,
    pub is_dir: bool,
    pub is_file: bool,
    pub total_size: u64,
    pub mark: Option<Mark>,
    pub writer: Option<Writer>,
}

/// A tree ready to draw: `nodes[0]` is `/`, children in name order.
#[derive(Clone, PartialEq, Default)]
pub struct TreeData {
    pub nodes: Vec<Node>,
}

/// Shared, cheaply compared tree (the cumulative tree is memoised: comparing by
/// pointer first keeps re-renders O(1)).
#[derive(Clone)]
pub struct SharedTree(pub Rc<TreeData>);

impl PartialEq for SharedTree {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

/// Converts an engine analysis tree, attaching what `info` says about each node.
pub fn from_analysis<T>(tree: &Tree<T>, info: impl Fn(&T) -> Option<Writer>) -> TreeData {
    TreeData {
        nodes: tree
            .nodes
            .iter()
            .map(|n| Node {
                path: n.path.clone(),
                name: n.name.clone(),
                depth: n.depth,
                children: n.children.clone(),
                is_dir: n.file_type == Some(FileType::Dir) || !n.children.is_empty(),
                is_file: n.file_type == Some(FileType::File),
                total_size: n.total_size,
                mark: None,
                writer: info(&n.info),
            })
            .collect(),
    }
}

fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// `docker diff` lines (`A /app/app.log`, parents as `C`) as a tree. `is_dir` says
/// whether a leaf path is a directory (the diff itself does not tell).
pub fn from_diff(diff: &[(char, String)], is_dir: impl Fn(&str) -> bool) -> TreeData {
    // Component vectors sort exactly as a pre-order walk with sorted siblings.
    let mut sorted: BTreeMap<Vec<String>, Option<char>> = BTreeMap::new();
    for (kind, path) in diff {
        let comps = components(path);
        for n in 0..comps.len() {
            sorted.entry(comps[..n].to_vec()).or_insert(None);
        }
        sorted.insert(comps, Some(*kind));
    }
    sorted.entry(Vec::new()).or_insert(None);
    let mut index: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut nodes: Vec<Node> = Vec::with_capacity(sorted.len());
    for (comps, kind) in sorted {
        let i = nodes.len();
        if let Some(parent) = comps
            .len()
            .checked_sub(1)
            .and_then(|n| index.get(&comps[..n]).copied())
        {
            nodes[parent].children.push(i);
            nodes[parent].is_dir = true;
        }
        let path = format!("/{}", comps.join("/"));
        let mark = kind.map(|k| {
            let (class, icon, title) = match k {
                'A' => ("added", "+", "added"),
                'D' => ("deleted", "−", "deleted"),
                _ => ("changed", "~", "changed"),
            };
            Mark {
                class,
                icon: format!("{k} {icon}"),
                title,
            }
        });
        nodes.push(Node {
            is_dir: comps.is_empty() || is_dir(&path),
            is_file: false,
            name: comps.last().cloned().unwrap_or_default(),
            depth: comps.len(),
            children: Vec::new(),
            total_size: 0,
            path,
            mark,
            writer: None,
        });
        index.insert(comps, i);
    }
    for n in &mut nodes {
        n.is_file = !n.is_dir && n.mark.as_ref().is_none_or(|m| m.class != "deleted");
    }
    TreeData { nodes }
}

#[derive(Properties, PartialEq)]
pub struct FileTreeProps {
    pub tree: SharedTree,
    pub label: String,
    /// Directories shallower than this start open (1: only `/`).
    #[prop_or(1)]
    pub open_depth: usize,
    /// Children drawn per directory before "… N more".
    #[prop_or(100)]
    pub cap: usize,
    /// Sizes are shown (the cumulative view; a diff has none).
    #[prop_or_default]
    pub sizes: bool,
    #[prop_or_default]
    pub on_open: Option<Callback<String>>,
    #[prop_or_default]
    pub on_writer: Option<Callback<usize>>,
    #[prop_or_default]
    pub on_highlight: Option<Callback<Option<usize>>>,
}

/// At most this many rows are drawn in total, however many directories are open.
const MAX_ROWS: usize = 3000;
/// Indentation classes exist up to this depth.
const MAX_INDENT: usize = 24;

enum Item {
    Node(usize),
    More {
        depth: usize,
        count: usize,
        path: String,
    },
}

#[component]
pub fn FileTree(props: &FileTreeProps) -> Html {
    // Paths whose open/closed state differs from the default.
    let toggled = use_state(HashSet::<String>::new);
    // Directories whose children are all shown (past the cap).
    let expanded = use_state(HashSet::<String>::new);
    let nodes = &props.tree.0.nodes;
    let is_open =
        |n: &Node| n.is_dir && ((n.depth < props.open_depth) != toggled.contains(&n.path));
    let Some(root) = nodes.first() else {
        return html! {};
    };
    let mut rows: Vec<Html> = Vec::new();
    // Pre-order with an explicit stack: children pushed in reverse.
    let mut stack: Vec<Item> = Vec::new();
    let push_children = |stack: &mut Vec<Item>, n: &Node| {
        let cap = if expanded.contains(&n.path) {
            usize::MAX
        } else {
            props.cap
        };
        let shown = n.children.len().min(cap);
        if n.children.len() > shown {
            stack.push(Item::More {
                depth: n.depth + 1,
                count: n.children.len() - shown,
                path: n.path.clone(),
            });
        }
        for &c in n.children.iter().take(shown).rev() {
            stack.push(Item::Node(c));
        }
    };
    push_children(&mut stack, root);
    let mut truncated = false;
    while let Some(item) = stack.pop() {
        if rows.len() >= MAX_ROWS {
            truncated = true;
            break;
        }
        let n = match item {
            Item::More { depth, count, path } => {
                let onclick = {
                    let expanded = expanded.clone();
                    Callback::from(move |_| {
                        let mut next = (*expanded).clone();
                        next.insert(path.clone());
                        expanded.set(next);
                    })
                };
                rows.push(html! {
                    <li class={classes!("tree-row", "tree-more", format!("d{}", depth.min(MAX_INDENT)))}>
                        <button class="link" {onclick}>{format!("… {count} more")}</button>
                    </li>
                });
                continue;
            }
            Item::Node(i) => match nodes.get(i) {
                Some(n) => n,
                None => continue,
            },
        };
        let open = is_open(n);
        let indent = format!("d{}", n.depth.min(MAX_INDENT));
        let name = html! {
            if n.is_dir {
                <button class="tree-toggle" aria-expanded={open.to_string()}
                    aria-label={format!("{} {}", if open { "collapse" } else { "expand" }, n.path)}
                    onclick={{
                        let toggled = toggled.clone();
                        let path = n.path.clone();
                        Callback::from(move |_| {
                            let mut next = (*toggled).clone();
                            if !next.remove(&path) {
                                next.insert(path.clone());
                            }
                            toggled.set(next);
                        })
                    }}>
                    <span class="tree-caret" aria-hidden="true">{ if open { "▾" } else { "▸" } }</span>
                    <span class="tree-name">{format!("{}/", n.name)}</span>
                </button>
            } else if let (true, Some(cb)) = (n.is_file, &props.on_open) {
                <button class="link tree-name tree-file" title={n.path.clone()} onclick={{
                    let cb = cb.clone();
                    let path = n.path.clone();
                    Callback::from(move |_| cb.emit(path.clone()))
                }}>{n.name.clone()}</button>
            } else {
                <span class="tree-name tree-file">{n.name.clone()}</span>
            }
        };
        let writer = n.writer.as_ref().map(|w| {
            let text = if w.line == 0 {
                w.label.clone()
            } else {
                format!("line {}: {}", w.line, w.label)
            };
            match (&props.on_writer, w.row) {
                (Some(cb), Some(row)) => {
                    let cb = cb.clone();
                    let line = w.line;
                    let enter = props.on_highlight.clone();
                    let leave = props.on_highlight.clone();
                    html! {
                        <button class="tree-writer" title="the layer that last wrote this path: open its changes"
                            onclick={Callback::from(move |_| cb.emit(row))}
                            onmouseenter={Callback::from(move |_| if let Some(h) = &enter { h.emit(Some(line)) })}
                            onmouseleave={Callback::from(move |_| if let Some(h) = &leave { h.emit(None) })}>
                            {text}
                        </button>
                    }
                }
                _ => html! { <span class="tree-writer">{text}</span> },
            }
        });
        rows.push(html! {
            <li class={classes!("tree-row", indent, n.mark.as_ref().map(|m| m.class), n.is_dir.then_some("dir"))}
                data-path={n.path.clone()}>
                if let Some(m) = &n.mark {
                    <span class="tree-mark" title={m.title}>{m.icon.clone()}</span>
                }
                {name}
                if n.mark.is_some() {
                    // The indented drawing loses structure for a screen reader (and for
                    // copying): the full path, as `docker diff` prints it.
                    <span class="sr-only">{format!(" {}", n.path)}</span>
                }
                if props.sizes && n.total_size > 0 {
                    <span class="tree-size">{human_size(n.total_size)}</span>
                }
                { writer.unwrap_or_default() }
            </li>
        });
        if open {
            push_children(&mut stack, n);
        }
    }
    html! {
        <ul class="file-tree" aria-label={props.label.clone()}>
            { for rows }
            if truncated {
                <li class="tree-row tree-more">{format!("… only the first {MAX_ROWS} entries are drawn: collapse a directory to see more")}</li>
            }
        </ul>
    }
}

/// A layer's changes as a tree: added (+), modified (~), deleted (−, stored as a
/// `.wh.` whiteout) and opaque directories, with unchanged ancestors unmarked.
pub fn from_layer_changes(tree: &Tree<crate::engine::analysis::LayerEntry>) -> TreeData {
    use crate::engine::analysis::LayerChange;
    let mut data = from_analysis(tree, |_| None);
    for (node, src) in data.nodes.iter_mut().zip(&tree.nodes) {
        node.mark = src.info.change.as_ref().map(|c| {
            let (class, icon, title) = match c {
                LayerChange::Added => ("added", "+", "added"),
                LayerChange::Modified => ("changed", "~", "modified"),
                LayerChange::Deleted => ("deleted", "−", "deleted: a .wh. whiteout in this layer"),
                LayerChange::OpaqueDir => (
                    "changed",
                    "▣",
                    "opaque directory: .wh..wh..opq hides the lower one",
                ),
            };
            Mark {
                class,
                icon: icon.to_string(),
                title,
            }
        });
        if matches!(src.info.change, Some(LayerChange::Deleted)) {
            node.is_file = false;
        }
    }
    data
}
