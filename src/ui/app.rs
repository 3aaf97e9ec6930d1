use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::build::{
    failure_report, plain_progress_of, BuildContext, BuildRequest, BuildSession,
    ContextFile as EngineFile, StackRow,
};
use crate::engine::daemon::Daemon;
use crate::engine::examples::NODE_API;

use super::editor::{ContextEditor, DockerfileEditor};
use super::exec::SimulatedExecutor;
use super::stack::LayerStack;

/// A file of the build context as the learner edits it.
#[derive(Clone, PartialEq)]
pub struct ContextFile {
    pub path: String,
    pub text: String,
}

/// What the last build produced, ready to draw.
#[derive(Clone, PartialEq, Default)]
pub struct BuildView {
    pub rows: Vec<StackRow>,
    pub log: String,
    pub image_id: Option<String>,
    pub names: Vec<String>,
    pub error: Option<String>,
    pub error_line: Option<usize>,
    pub simulated_ms: u64,
    pub build_count: u32,
}

/// A build-check warning shown under the editor.
#[derive(Clone, PartialEq)]
pub struct LintItem {
    pub line: usize,
    pub rule: String,
    pub detail: String,
    pub url: String,
    pub why: String,
}

/// Runs the build checks (`docker build --check`) on the editor's text.
pub fn lint(dockerfile: &str, context: &[ContextFile]) -> Vec<LintItem> {
    use crate::engine::dockerfile::lint::{check, CheckOptions};
    let ignore = context
        .iter()
        .find(|f| f.path == ".dockerignore")
        .map(|f| f.text.as_str());
    let opts = CheckOptions {
        dockerignore: ignore,
        ..CheckOptions::default()
    };
    check(dockerfile, &opts)
        .warnings
        .into_iter()
        .map(|w| LintItem {
            line: w.line,
            rule: w.rule.to_string(),
            detail: w.detail.clone(),
            url: w.url.clone(),
            why: crate::engine::teach::why_rule_matters(w.rule).to_string(),
        })
        .collect()
}

/// The whole page state: what the learner made, and what the last build produced.
#[derive(Clone, PartialEq)]
pub struct AppState {
    pub dockerfile: String,
    pub context: Vec<ContextFile>,
    pub tag: String,
    pub build: BuildView,
    pub lint: Vec<LintItem>,
    pub highlighted_line: Option<usize>,
}

pub enum Action {
    EditDockerfile(String),
    EditFile(usize, String),
    Built(BuildView),
    Highlight(Option<usize>),
}

impl AppState {
    fn initial() -> Self {
        let context: Vec<ContextFile> = NODE_API
            .context
            .iter()
            .map(|f| ContextFile {
                path: f.path.to_string(),
                text: f.text.to_string(),
            })
            .collect();
        AppState {
            dockerfile: NODE_API.dockerfile.to_string(),
            lint: lint(NODE_API.dockerfile, &context),
            context,
            tag: NODE_API.tag.to_string(),
            build: BuildView::default(),
            highlighted_line: None,
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::EditDockerfile(text) => {
                next.lint = lint(&text, &next.context);
                next.dockerfile = text;
            }
            Action::EditFile(index, text) => {
                if let Some(file) = next.context.get_mut(index) {
                    file.text = text;
                }
                next.lint = lint(&next.dockerfile, &next.context);
            }
            Action::Built(view) => next.build = view,
            Action::Highlight(line) => next.highlighted_line = line,
        }
        Rc::new(next)
    }
}

/// Runs `docker build -t TAG .` on the daemon and turns the outcome into a view.
pub fn run_build(daemon: &mut Daemon, state: &AppState) -> BuildView {
    let count = state.build.build_count + 1;
    let files = state
        .context
        .iter()
        .map(|f| EngineFile::text(&f.path, &f.text));
    let context = match BuildContext::from_files(files) {
        Ok(c) => c,
        Err(e) => {
            return BuildView {
                error: Some(e.to_string()),
                build_count: count,
                ..BuildView::default()
            }
        }
    };
    let mut req = BuildRequest::new(&state.dockerfile, context);
    req.tags = vec![state.tag.clone()];
    let session = match BuildSession::new(daemon, req) {
        Ok(s) => s,
        Err(e) => {
            return BuildView {
                rows: planned_rows(&state.dockerfile),
                error_line: e.line(),
                error: Some(format!("ERROR: {e}")),
                build_count: count,
                ..BuildView::default()
            }
        }
    };
    let out = session.run(daemon, &mut SimulatedExecutor::new());
    let mut log = plain_progress_of(&out.events);
    if let Some(report) = failure_report(&out.events, "Dockerfile", &state.dockerfile) {
        log.push_str(&report);
    }
    for w in &out.warnings {
        log.push_str(w);
        log.push('\n');
    }
    match out.result {
        Ok(img) => BuildView {
            rows: img.rows,
            log,
            image_id: Some(img.id.to_string()),
            names: img.names,
            error: None,
            error_line: None,
            simulated_ms: out.simulated_ms,
            build_count: count,
        },
        Err(e) => BuildView {
            rows: planned_rows(&state.dockerfile),
            log,
            image_id: None,
            names: vec![],
            error_line: e.line(),
            error: Some(e.to_string()),
            simulated_ms: out.simulated_ms,
            build_count: count,
        },
    }
}

/// When a build fails, the stack still shows which instructions would make layers.
fn planned_rows(dockerfile: &str) -> Vec<StackRow> {
    crate::engine::build::plan::plan(dockerfile)
        .into_iter()
        .map(|p| StackRow {
            line: p.first_line,
            end_line: p.last_line,
            instruction: p.text,
            kind: p.kind,
            diff_id: None,
            chain_id: None,
            size: 0,
            base_layers: 0,
            cached: false,
            miss: None,
            simulated_ms: 0,
            config_change: None,
        })
        .collect()
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::initial);
    let daemon = use_mut_ref(Daemon::new);

    // Build the default example once on load, then mark the moment for scripts/bench.
    {
        let state = state.clone();
        let daemon = daemon.clone();
        use_effect_with((), move |_| {
            let view = run_build(&mut daemon.borrow_mut(), &state);
            state.dispatch(Action::Built(view));
            if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                let _ = perf.mark("layerlab:ready");
            }
        });
    }

    let on_dockerfile = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(Action::EditDockerfile(text)))
    };
    let on_file = {
        let state = state.clone();
        Callback::from(move |(i, text): (usize, String)| state.dispatch(Action::EditFile(i, text)))
    };
    let on_build = {
        let state = state.clone();
        let daemon: Rc<RefCell<Daemon>> = daemon.clone();
        Callback::from(move |_| {
            let view = run_build(&mut daemon.borrow_mut(), &state);
            state.dispatch(Action::Built(view));
        })
    };
    let on_highlight = {
        let state = state.clone();
        Callback::from(move |line: Option<usize>| state.dispatch(Action::Highlight(line)))
    };

    let build = &state.build;
    html! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand">{"layerlab"}</h1>
                <p class="tagline">{"Docker you can take apart: build an image and watch instructions become layers and metadata."}</p>
            </header>
            <main class="panels">
                <section class="panel editor-panel" aria-label="Dockerfile and build context">
                    <div class="panel-head">
                        <h2>{"Dockerfile"}</h2>
                        <button class="primary" onclick={on_build} id="build-button">
                            {format!("docker build -t {} .", state.tag)}
                        </button>
                    </div>
                    <DockerfileEditor
                        text={state.dockerfile.clone()}
                        highlighted_line={state.highlighted_line}
                        error_line={build.error_line}
                        warning_lines={state.lint.iter().map(|w| w.line).collect::<Vec<_>>()}
                        on_change={on_dockerfile}
                    />
                    if !state.lint.is_empty() {
                        <ul class="lint" aria-label="build check warnings">
                            { for state.lint.iter().map(|w| html! {
                                <li class="lint-item">
                                    <span class="lint-line">{format!("line {}", w.line)}</span>
                                    <strong class="lint-rule">{w.rule.clone()}</strong>
                                    <span class="lint-detail">{w.detail.clone()}</span>
                                    <span class="lint-why">{w.why.clone()}</span>
                                </li>
                            }) }
                        </ul>
                    }
                    if let Some(err) = &build.error {
                        <p class="diagnostic" role="alert">
                            { match build.error_line { Some(l) => format!("line {l}: {err}"), None => err.clone() } }
                        </p>
                    }
                    <ContextEditor files={state.context.clone()} on_change={on_file} />
                </section>
                <section class="panel image-panel" aria-label="Image">
                    <div class="panel-head">
                        <h2>{format!("{} image", state.tag)}</h2>
                        if let Some(id) = &build.image_id {
                            <code class="image-id" title={id.clone()}>{format!("IMAGE ID {}", &id[7..19.min(id.len())])}</code>
                        }
                    </div>
                    <p class="legend">
                        <span class="swatch fs"></span>{"filesystem layer (read-only)"}
                        <span class="swatch meta"></span>{"metadata only (config + history)"}
                        <span class="swatch base"></span>{"base image layers"}
                    </p>
                    <LayerStack rows={build.rows.clone()} highlighted_line={state.highlighted_line} on_highlight={on_highlight} />
                    <details class="build-log" open=true>
                        <summary>{format!("Build log (docker build --progress=plain) · simulated {:.1}s", build.simulated_ms as f64 / 1000.0)}</summary>
                        <pre class="log">{build.log.clone()}</pre>
                    </details>
                </section>
            </main>
        </div>
    }
}
