//! Under the layer stack: dive's efficiency (bytes later layers hide), size by layer,
//! the image config, and "what would rebuild?" before building.

use yew::prelude::*;

use crate::engine::analysis::{efficiency, StepForecast, StepOutcome};
use crate::engine::build::events::human_size;
use crate::engine::daemon::ImageRecord;

use super::markup::fixed;

#[derive(Clone, PartialEq)]
pub struct AnalysisView {
    pub score: f64,
    pub wasted_bytes: u64,
    pub total_bytes: u64,
    pub wasted: Vec<(String, usize, u64)>,
    /// (label, content bytes) per layer, bottom first.
    pub sizes: Vec<(String, u64)>,
    pub config_json: String,
}

pub fn analysis_view(img: &ImageRecord) -> AnalysisView {
    let eff = efficiency(&img.layers);
    let labels: Vec<String> = img
        .config
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| {
            h.created_by
                .clone()
                .unwrap_or_default()
                .trim_end_matches(" # buildkit")
                .to_string()
        })
        .collect();
    let sizes = img
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let label = labels
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("layer {i}"));
            (label, l.content_size)
        })
        .collect();
    AnalysisView {
        score: eff.score,
        wasted_bytes: eff.wasted_bytes,
        total_bytes: eff.total_bytes,
        wasted: eff
            .wasted
            .iter()
            .take(8)
            .map(|w| (w.path.clone(), w.count, w.bytes))
            .collect(),
        sizes,
        config_json: serde_json::to_string_pretty(&img.config).unwrap_or_default(),
    }
}

/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
pub fn analysis(v: &AnalysisView) -> Html {
    let max = v.sizes.iter().map(|s| s.1).max().unwrap_or(1).max(1);
    html! {
        <div class="analysis">
            <details class="efficiency" open=true>
                <summary>{format!("Efficiency {:.1}% · wasted {} of {}", v.score * 100.0, human_size(v.wasted_bytes), human_size(v.total_bytes))}</summary>
                { fixed("<p class=\"muted small\">Bytes that a later layer overwrites or deletes are still stored (and shipped) in the earlier layer. Each hidden version is counted once.</p>") }
                if v.wasted.is_empty() {
                    { fixed("<p class=\"small\">Nothing wasted: no layer hides another layer's files.</p>") }
                } else {
                    <ul class="wasted">
                        { for v.wasted.iter().map(|(p, n, b)| html! {
                            <li><code>{p.clone()}</code><span class="muted small">{format!(" {} version{} · {}", n, if *n == 1 { "" } else { "s" }, human_size(*b))}</span></li>
                        }) }
                    </ul>
                }
            </details>
            <details class="sizes">
                { fixed("<summary>Size by layer</summary>") }
                <ul class="size-chart" aria-label="size by layer, bottom first">
                    { for v.sizes.iter().map(|(label, size)| {
                        let pct = (*size as f64 / max as f64 * 100.0).max(0.5);
                        let bar = format!("bar w{}", ((pct / 5.0).ceil() as u32 * 5).min(100));
                        html! {
                            <li>
                                <span class="size-label" title={label.clone()}>{label.clone()}</span>
                                <span class={bar} aria-hidden="true"></span>
                                <span class="muted small">{human_size(*size)}</span>
                            </li>
                        }
                    }) }
                </ul>
            </details>
            <details class="config">
                { fixed("<summary>Image config (its sha256 is the image ID)</summary>") }
                <pre class="json">{v.config_json.clone()}</pre>
            </details>
        </div>
    }
}

/// Turns a forecast into rows: (step title, outcome text, would run).
pub fn forecast_rows(f: &[StepForecast]) -> Vec<(String, String, bool)> {
    f.iter()
        .map(|s| {
            let text = match &s.outcome {
                StepOutcome::Base => "base image".to_string(),
                StepOutcome::Hit => "CACHED".to_string(),
                StepOutcome::Miss(r) => format!("would run: {r}"),
                StepOutcome::Fails(e) => format!("would fail: {e}"),
            };
            (s.step.title(), text, s.would_run())
        })
        .collect()
}

/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
pub fn forecast(steps: &[(String, String, bool)]) -> Html {
    html! {
        <ul class="forecast" aria-label="what would rebuild">
            { for steps.iter().map(|(title, text, run)| html! {
                <li class={classes!(run.then_some("would-run"))}>
                    <code>{title.clone()}</code>{" "}<span class="small">{text.clone()}</span>
                </li>
            }) }
        </ul>
    }
}
