//! The Yew web application (wasm32 only). It holds view state and draws what the
//! engine computes; it never decides anything about images itself.

mod analysis;
mod app;
mod editor;
mod file_tree;
mod layer_detail;
mod lessons;
mod lifecycle;
mod runtime;
mod session;
mod stack;
mod state;
mod tags;
mod terminal;

/// Mounts the application on `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
