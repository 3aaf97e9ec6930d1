//! The Yew web application (wasm32 only). It holds view state and draws what the
//! engine computes; it never decides anything about images itself.

mod analysis;
mod app;
mod editor;
mod file_tree;
mod layer_detail;
mod lessons;
mod lifecycle;
mod markup;
mod runtime;
mod session;
mod stack;
mod state;
mod tags;
mod terminal;

/// Mounts the application on `<body>`.
pub fn start() {
    install_panic_hook();
    yew::Renderer::<app::App>::new().render();
}

/// An internal error must never leave a blank page: show what happened (as text) and
/// how to recover; saved work stays in browser storage.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!(
            "layerlab hit an internal error and stopped: {info}. Your saved work is kept; reload the page to continue, or use “Start over”."
        );
        web_sys::console::error_1(&message.clone().into());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let (Ok(el), Some(body)) = (doc.create_element("div"), doc.body()) {
                el.set_class_name("fatal");
                el.set_attribute("role", "alert").ok();
                el.set_text_content(Some(&message));
                let _ = body.prepend_with_node_1(&el);
            }
        }
    }));
}
