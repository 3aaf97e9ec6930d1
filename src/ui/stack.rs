use yew::prelude::*;

use crate::engine::build::events::human_size;
use crate::engine::build::plan::RowKind;
use crate::engine::build::StackRow;

/// What the layer stack draws, and where its rows' events go.
pub struct LayerStackProps<'a> {
    pub rows: &'a [StackRow],
    pub highlighted_line: Option<usize>,
    pub selected: Option<usize>,
    pub on_highlight: &'a Callback<Option<usize>>,
    pub on_select: &'a Callback<Option<usize>>,
    /// Step mode: each row slides in as it is revealed, not only the ones that ran.
    pub stepping: bool,
    /// Bumped by every build: the list is keyed by it, so it is drawn afresh and
    /// its new rows slide in.
    pub build_seq: u64,
}

/// The seed's diagram, live: one row per instruction, newest on top, filesystem
/// layers distinct from metadata rows, each linked to the Dockerfile line that made it.
/// Clicking a layer opens its file changes. Rows a build just executed (and, in step
/// mode, each revealed row) carry `fresh`: CSS slides them in, unless the learner
/// asked for reduced motion.
///
/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
pub fn layer_stack(props: &LayerStackProps) -> Html {
    let rows = props.rows.iter().enumerate().rev().map(|(index, row)| {
        let built = row.diff_id.is_some() || row.cached || row.miss.is_some();
        let (class, what) = match (row.kind, &row.diff_id) {
            (RowKind::Base, _) if row.base_layers > 0 => ("layer-row base", format!("base image: {} layers", row.base_layers)),
            (RowKind::Base, _) => ("layer-row base", "base image".to_string()),
            (RowKind::Filesystem, Some(_)) => ("layer-row fs", "filesystem layer".to_string()),
            (RowKind::Filesystem, None) if built => ("layer-row fs empty", "no file changes (empty layer)".to_string()),
            (RowKind::Filesystem, None) => ("layer-row fs empty", "filesystem layer (not built)".to_string()),
            (RowKind::Metadata, _) => ("layer-row meta", "metadata".to_string()),
        };
        // Rows of a loaded image have no Dockerfile line (0): nothing to link.
        let hl = row.line > 0
            && props
                .highlighted_line
                .is_some_and(|l| l >= row.line && l <= row.end_line);
        let selected = props.selected == Some(index);
        // In step mode only the row just revealed (the top one): Yew may move the
        // older rows' elements, which would restart their animation.
        let fresh = if props.stepping {
            index + 1 == props.rows.len()
        } else {
            row.kind == RowKind::Filesystem && !row.cached && row.miss.is_some()
        };
        let line = row.line;
        let onmouseenter = {
            let cb = props.on_highlight.clone();
            Callback::from(move |_| cb.emit((line > 0).then_some(line)))
        };
        let onmouseleave = {
            let cb = props.on_highlight.clone();
            Callback::from(move |_| cb.emit(None))
        };
        let clickable = row.chain_id.is_some();
        let onclick = {
            let cb = props.on_select.clone();
            Callback::from(move |_| if clickable { cb.emit(if selected { None } else { Some(index) }) })
        };
        let onkeydown = {
            let cb = props.on_select.clone();
            Callback::from(move |e: KeyboardEvent| {
                if clickable && (e.key() == "Enter" || e.key() == " ") {
                    e.prevent_default();
                    cb.emit(if selected { None } else { Some(index) });
                }
            })
        };
        let size = match row.kind {
            RowKind::Metadata => "0B".to_string(),
            _ => human_size(row.size),
        };
        let digest = row.diff_id.as_ref().map(|d| d.to_string()[7..19].to_string());
        let status = match (row.kind, row.cached, &row.miss) {
            (RowKind::Filesystem, true, _) => super::markup::fixed("<span class=\"badge cached\">CACHED</span>"),
            (RowKind::Filesystem, false, Some(reason)) => html! {
                <span class="badge ran" title={reason.to_string()}>{format!("ran {:.1}s", row.simulated_ms as f64 / 1000.0)}</span>
            },
            _ => html! {},
        };
        html! {
            <li key={index} class={classes!(class, hl.then_some("hl"), selected.then_some("selected"), clickable.then_some("clickable"), fresh.then_some("fresh"))}
                {onmouseenter} {onmouseleave} {onclick} {onkeydown}
                data-line={line.to_string()} tabindex="0"
                aria-label={if line == 0 { format!("{}: {}", row.instruction, what) } else { format!("{}: {}, line {}", row.instruction, what, line) }}>
                <span class="instr">{row.instruction.clone()}</span>
                <span class="kind">{what}</span>
                <span class="size">{size}</span>
                <span class="digest">{digest.unwrap_or_default()}</span>
                {status}
                if line > 0 {
                    <span class="line-ref">{format!("line {}", line)}</span>
                }
                if let Some(reason) = row.miss.as_ref().filter(|_| row.kind == RowKind::Filesystem) {
                    <span class="miss">{format!("cache miss: {reason}")}</span>
                }
                if let Some(change) = &row.config_change {
                    <span class="miss">{change.clone()}</span>
                }
            </li>
        }
    });
    html! {
        <ol key={props.build_seq.to_string()} class="layer-stack" aria-label="image layers, newest on top">
            { for rows }
        </ol>
    }
}
