use std::rc::Rc;

use yew::prelude::*;

use crate::engine::build::plan::{plan, PlanRow};
use crate::engine::examples::NODE_API;

use super::editor::{ContextEditor, DockerfileEditor};
use super::stack::LayerStack;

/// A file of the build context as the learner edits it.
#[derive(Clone, PartialEq)]
pub struct ContextFile {
    pub path: String,
    pub text: String,
}

/// The whole page state: what the learner made, and what the last build produced.
#[derive(Clone, PartialEq)]
pub struct AppState {
    pub dockerfile: String,
    pub context: Vec<ContextFile>,
    pub tag: String,
    pub rows: Vec<PlanRow>,
    pub highlighted_line: Option<usize>,
}

pub enum Action {
    EditDockerfile(String),
    EditFile(usize, String),
    Build,
    Highlight(Option<usize>),
}

impl AppState {
    fn initial() -> Self {
        let dockerfile = NODE_API.dockerfile.to_string();
        let rows = plan(&dockerfile);
        AppState {
            dockerfile,
            context: NODE_API
                .context
                .iter()
                .map(|f| ContextFile {
                    path: f.path.to_string(),
                    text: f.text.to_string(),
                })
                .collect(),
            tag: NODE_API.tag.to_string(),
            rows,
            highlighted_line: None,
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::EditDockerfile(text) => next.dockerfile = text,
            Action::EditFile(index, text) => {
                if let Some(file) = next.context.get_mut(index) {
                    file.text = text;
                }
            }
            Action::Build => next.rows = plan(&next.dockerfile),
            Action::Highlight(line) => next.highlighted_line = line,
        }
        Rc::new(next)
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::initial);

    // Marks the moment the default example is built and drawn, for scripts/bench.
    use_effect_with((), |_| {
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            let _ = perf.mark("layerlab:ready");
        }
    });

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
        Callback::from(move |_| state.dispatch(Action::Build))
    };
    let on_highlight = {
        let state = state.clone();
        Callback::from(move |line: Option<usize>| state.dispatch(Action::Highlight(line)))
    };

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
                        on_change={on_dockerfile}
                    />
                    <ContextEditor files={state.context.clone()} on_change={on_file} />
                </section>
                <section class="panel image-panel" aria-label="Image">
                    <div class="panel-head">
                        <h2>{format!("{} image", state.tag)}</h2>
                    </div>
                    <LayerStack rows={state.rows.clone()} highlighted_line={state.highlighted_line} on_highlight={on_highlight} />
                </section>
            </main>
        </div>
    }
}
