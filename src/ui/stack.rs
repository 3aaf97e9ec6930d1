use yew::prelude::*;

use crate::engine::build::plan::{PlanRow, RowKind};

#[derive(Properties, PartialEq)]
pub struct LayerStackProps {
    pub rows: Vec<PlanRow>,
    pub highlighted_line: Option<usize>,
    pub on_highlight: Callback<Option<usize>>,
}

/// The seed's diagram, live: one row per instruction, newest on top, filesystem
/// layers distinct from metadata rows, each linked to the Dockerfile line that made it.
#[component]
pub fn LayerStack(props: &LayerStackProps) -> Html {
    let rows = props.rows.iter().rev().map(|row| {
        let (class, what) = match row.kind {
            RowKind::Base => ("layer-row base", "base image layers"),
            RowKind::Filesystem => ("layer-row fs", "filesystem layer"),
            RowKind::Metadata => ("layer-row meta", "metadata"),
        };
        let hl = props.highlighted_line == Some(row.first_line);
        let line = row.first_line;
        let onmouseenter = {
            let cb = props.on_highlight.clone();
            Callback::from(move |_| cb.emit(Some(line)))
        };
        let onmouseleave = {
            let cb = props.on_highlight.clone();
            Callback::from(move |_| cb.emit(None))
        };
        html! {
            <li class={classes!(class, hl.then_some("hl"))} {onmouseenter} {onmouseleave}
                data-line={line.to_string()}>
                <span class="instr">{row.text.clone()}</span>
                <span class="kind">{what}</span>
                <span class="line-ref">{format!("line {}", line)}</span>
            </li>
        }
    });
    html! {
        <ol class="layer-stack" aria-label="image layers, newest on top">
            { for rows }
        </ol>
    }
}
