use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::app::ContextFile;

#[derive(Properties, PartialEq)]
pub struct DockerfileEditorProps {
    pub text: String,
    pub highlighted_line: Option<usize>,
    pub error_line: Option<usize>,
    #[prop_or_default]
    pub warning_lines: Vec<usize>,
    pub on_change: Callback<String>,
}

/// A plain textarea with a line-number gutter; the gutter marks the line that the
/// hovered layer row came from.
#[component]
pub fn DockerfileEditor(props: &DockerfileEditorProps) -> Html {
    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_change.emit(area.value());
        })
    };
    let line_count = props.text.lines().count().max(1) + usize::from(props.text.ends_with('\n'));
    html! {
        <div class="code-editor">
            <div class="gutter" aria-hidden="true">
                { for (1..=line_count).map(|n| {
                    let class = classes!(
                        "line-no",
                        (props.highlighted_line == Some(n)).then_some("hl"),
                        (props.error_line == Some(n)).then_some("err"),
                        props.warning_lines.contains(&n).then_some("warn"),
                    );
                    html! { <div {class}>{n}</div> }
                }) }
            </div>
            <textarea
                id="dockerfile"
                aria-label="Dockerfile"
                spellcheck="false"
                value={props.text.clone()}
                rows={line_count.max(8).to_string()}
                {oninput}
            />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ContextEditorProps {
    pub files: Vec<ContextFile>,
    pub on_change: Callback<(usize, String)>,
}

/// The build context: one tab per file, the selected file's text below.
#[component]
pub fn ContextEditor(props: &ContextEditorProps) -> Html {
    let selected = use_state(|| 0usize);
    let index = (*selected).min(props.files.len().saturating_sub(1));
    let tabs = props.files.iter().enumerate().map(|(i, f)| {
        let selected = selected.clone();
        let onclick = Callback::from(move |_| selected.set(i));
        let class = if i == index { "tab active" } else { "tab" };
        html! { <button class={class} {onclick}>{f.path.clone()}</button> }
    });
    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_change.emit((index, area.value()));
        })
    };
    html! {
        <div class="context-editor">
            <h2>{"Build context"}</h2>
            <div class="tabs" role="tablist">{ for tabs }</div>
            if let Some(file) = props.files.get(index) {
                <textarea
                    class="context-file"
                    aria-label={format!("context file {}", file.path)}
                    spellcheck="false"
                    value={file.text.clone()}
                    {oninput}
                />
            }
        </div>
    }
}
