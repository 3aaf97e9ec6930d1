//! Where a session starts (a shared link, an embed, saved work, or the default
//! example), saving work in browser storage, share links, and the `postMessage` API
//! a host page can drive an embed with.

use wasm_bindgen::JsCast;

use crate::engine::scenario::{self, iframe_snippet, Embed, Fragment, Scenario};

use super::state::AppState;

/// Browser-storage key of the saved scenario.
pub const STORAGE_KEY: &str = "layerlab:state:v1";

/// How the page starts.
pub enum Start {
    /// The default example.
    Fresh,
    /// A scenario from a link or from saved work.
    Scenario(Box<Scenario>),
    /// Embed mode.
    Embed(Box<Embed>),
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Reads the URL fragment, then saved work. Returns the start and a message to show
/// when something could not be used (the page then starts fresh, never blank).
pub fn start() -> (Start, Option<String>) {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if !(hash.is_empty() || hash == "#" || hash == "#/") {
        return match Fragment::parse(&hash) {
            Ok(Fragment::App(s)) => (Start::Scenario(Box::new(s)), None),
            Ok(Fragment::Embed(e)) => (Start::Embed(Box::new(e)), None),
            Ok(Fragment::Home) => (Start::Fresh, None),
            Err(e) => (
                Start::Fresh,
                Some(format!(
                    "This link could not be opened ({e}), so layerlab started with the default example."
                )),
            ),
        };
    }
    let Some(store) = storage() else {
        return (Start::Fresh, None);
    };
    match store.get_item(STORAGE_KEY) {
        Ok(Some(json)) => match scenario::from_json(&json) {
            Ok(s) => (Start::Scenario(Box::new(s)), None),
            Err(e) => {
                let _ = store.remove_item(STORAGE_KEY);
                (
                    Start::Fresh,
                    Some(format!(
                        "Your saved work could not be restored ({e}), so layerlab started fresh."
                    )),
                )
            }
        },
        _ => (Start::Fresh, None),
    }
}

/// Saves the state's scenario (not in embed mode: embeds never touch the host's storage).
pub fn save(state: &AppState) {
    if state.embed.is_some() {
        return;
    }
    let Some(store) = storage() else { return };
    match scenario::to_json(&state.scenario()) {
        Ok(json) => {
            let _ = store.set_item(STORAGE_KEY, &json);
        }
        Err(e) => web_sys::console::warn_1(&format!("layerlab: not saved: {e}").into()),
    }
}

/// Forgets saved work.
pub fn clear_saved() {
    if let Some(store) = storage() {
        let _ = store.remove_item(STORAGE_KEY);
    }
}

/// The page's address without its fragment.
pub fn base_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// A share link for the whole app and an `<iframe>` snippet for embedding.
pub fn share_links(state: &AppState) -> Result<(String, String), String> {
    let s = state.scenario();
    let base = base_url();
    let link = Fragment::App(s.clone())
        .url(&base)
        .map_err(|e| e.to_string())?;
    let embed = Embed {
        scenario: Some(s),
        panels: vec![],
        theme: None,
    };
    let snippet = iframe_snippet(&base, &embed).map_err(|e| e.to_string())?;
    Ok((link, snippet))
}

/// Puts the share link in the address bar (so reloading keeps it too).
pub fn set_fragment(link: &str) {
    if let Some(hash) = link.split_once('#').map(|(_, h)| h) {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(hash);
        }
    }
}

/// Reads `{type, ...}` from a `postMessage` payload.
pub fn message_field(data: &wasm_bindgen::JsValue, field: &str) -> Option<String> {
    js_sys::Reflect::get(data, &field.into())
        .ok()
        .and_then(|v| v.as_string())
}

/// Replies to the window that sent a message.
pub fn reply(event: &web_sys::MessageEvent, message: &wasm_bindgen::JsValue) {
    if let Some(source) = event.source() {
        if let Ok(win) = source.dyn_into::<web_sys::Window>() {
            let origin = event.origin();
            let target = if origin.is_empty() || origin == "null" {
                "*".to_string()
            } else {
                origin
            };
            let _ = win.post_message(message, &target);
        }
    }
}

/// Builds a plain JS object from string pairs and an exit code.
pub fn js_object(pairs: &[(&str, &str)], exit_code: Option<i32>) -> wasm_bindgen::JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&obj, &(*k).into(), &(*v).into());
    }
    if let Some(code) = exit_code {
        let _ = js_sys::Reflect::set(&obj, &"exitCode".into(), &code.into());
    }
    obj.into()
}

/// Browser-storage key of the completed lessons.
pub const LESSONS_KEY: &str = "layerlab:lessons:v1";

/// Completed lesson ids (an unreadable value counts as none).
pub fn load_lessons_done() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(LESSONS_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
        .map(|v| v.into_iter().filter(|id| id.len() < 64).take(100).collect())
        .unwrap_or_default()
}

pub fn save_lessons_done(done: &[String]) {
    if done.is_empty() {
        return;
    }
    if let (Some(store), Ok(json)) = (storage(), serde_json::to_string(done)) {
        let _ = store.set_item(LESSONS_KEY, &json);
    }
}

/// In an embed, tells the host page what the learner ran:
/// `{type: "layerlab:event", command, exitCode, stage}`.
pub fn notify_parent(action: &super::state::Action) {
    let super::state::Action::Ran {
        input,
        exit_code,
        stage,
        ..
    } = action
    else {
        return;
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let stage = stage
        .map(|s| format!("{s:?}").to_lowercase())
        .unwrap_or_default();
    let msg = js_object(
        &[
            ("type", "layerlab:event"),
            ("command", input),
            ("stage", &stage),
        ],
        Some(*exit_code),
    );
    let _ = parent.post_message(&msg, "*");
}

/// Offers `bytes` as a file download (a Blob URL on a clicked link, revoked a minute
/// later): no network involved.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js)?
        .dyn_into()
        .map_err(|_| "not a link".to_string())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)
        .map_err(js)?;
    Ok(())
}

/// Opens the browser's file dialog; `then` gets the chosen file's name and bytes, or
/// why it was not read (larger than `max` bytes, unreadable). Nothing happens when the
/// dialog is cancelled.
pub fn pick_file(
    accept: &str,
    max: f64,
    then: impl FnOnce(String, Result<Vec<u8>, String>) + 'static,
) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(input) = document
        .create_element("input")
        .map(|e| e.unchecked_into::<web_sys::HtmlInputElement>())
    else {
        return;
    };
    input.set_type("file");
    input.set_accept(accept);
    let chosen = input.clone();
    let on_change = wasm_bindgen::closure::Closure::once_into_js(move || {
        let Some(file) = chosen.files().and_then(|f| f.get(0)) else {
            return;
        };
        if file.size() > max {
            let why = format!(
                "{} is {:.0}MB: the page loads archives up to {:.0}MB (the browser keeps an image's files in memory)",
                file.name(),
                file.size() / 1e6,
                max / 1e6
            );
            then(file.name(), Err(why));
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => then(file.name(), Ok(js_sys::Uint8Array::new(&buffer).to_vec())),
                Err(_) => then(
                    file.name(),
                    Err(format!("{} could not be read", file.name())),
                ),
            }
        });
    });
    input.set_onchange(Some(on_change.unchecked_ref()));
    input.click();
}
