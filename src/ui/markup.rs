//! Markup shared by several views, and markup that never changes.

use yew::prelude::*;

/// Static markup (no data, no listeners) from one HTML string: the browser parses it
/// into the same elements `html!` would build, but the bundle holds the string instead
/// of the code that builds each element one by one. Only for literal text written in
/// this crate (never user data: it is not escaped). Attributes are written in the
/// order `html!` sets them (`class` last), so the page's HTML stays the same.
pub fn fixed(html: &'static str) -> Html {
    Html::from_html_unchecked(AttrValue::Static(html))
}

/// A file's contents under its path: a layer's file or one of the whole filesystem.
pub fn preview((path, text): &(String, String)) -> Html {
    html! {
        <div class="preview">
            <div class="muted small">{path.clone()}</div>
            <pre>{text.clone()}</pre>
        </div>
    }
}
