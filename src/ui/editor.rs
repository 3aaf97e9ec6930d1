use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::state::ContextFile;

/// What the Dockerfile editor shows, and where its edits go.
pub struct DockerfileEditorProps<'a> {
    pub text: &'a str,
    pub highlighted_line: Option<usize>,
    pub error_line: Option<usize>,
    pub warning_lines: Vec<usize>,
    pub on_change: &'a Callback<String>,
}

const KEYWORDS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// Splits one Dockerfile line into highlighted spans (comment, instruction keyword,
/// `--flags`, quoted strings, `$VAR`s). `continued`: the line continues the previous one.
fn highlight_line(line: &str, continued: bool) -> Html {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return html! { <span class="tok-comment">{line.to_string()}</span> };
    }
    let mut out: Vec<Html> = Vec::new();
    let mut rest = line;
    if !continued {
        let indent = &line[..line.len() - trimmed.len()];
        let word_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let word = &trimmed[..word_len];
        if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
            out.push(html! { {indent.to_string()} });
            out.push(html! { <span class="tok-kw">{word.to_string()}</span> });
            rest = &trimmed[word_len..];
        }
    }
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    let mut plain = String::new();
    let flush = |plain: &mut String, out: &mut Vec<Html>| {
        if !plain.is_empty() {
            out.push(html! { {std::mem::take(plain)} });
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let at_word_start = i == 0 || chars[i - 1].is_whitespace();
        if (c == '"' || c == '\'') && !(i > 0 && chars[i - 1] == '\\') {
            flush(&mut plain, &mut out);
            let mut j = i + 1;
            while j < chars.len() && !(chars[j] == c && chars[j - 1] != '\\') {
                j += 1;
            }
            let end = (j + 1).min(chars.len());
            out.push(
                html! { <span class="tok-str">{chars[i..end].iter().collect::<String>()}</span> },
            );
            i = end;
        } else if c == '$'
            && i + 1 < chars.len()
            && (chars[i + 1] == '{' || chars[i + 1].is_ascii_alphabetic() || chars[i + 1] == '_')
        {
            flush(&mut plain, &mut out);
            let mut j = i + 1;
            if chars[j] == '{' {
                while j < chars.len() && chars[j] != '}' {
                    j += 1;
                }
                j = (j + 1).min(chars.len());
            } else {
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
            }
            out.push(
                html! { <span class="tok-var">{chars[i..j].iter().collect::<String>()}</span> },
            );
            i = j;
        } else if c == '-' && at_word_start && i + 1 < chars.len() && chars[i + 1] == '-' {
            flush(&mut plain, &mut out);
            let mut j = i;
            while j < chars.len() && !chars[j].is_whitespace() {
                j += 1;
            }
            out.push(
                html! { <span class="tok-flag">{chars[i..j].iter().collect::<String>()}</span> },
            );
            i = j;
        } else {
            plain.push(c);
            i += 1;
        }
    }
    flush(&mut plain, &mut out);
    html! { <>{ for out }</> }
}

/// The Dockerfile editor: a textarea over a syntax-highlighted copy of its text (the
/// textarea's own text is transparent, so the caret and selection stay native), with
/// a line-number gutter that marks the hovered layer's line, errors and warnings.
///
/// A view function rather than a component: it keeps no state (the highlighted copy
/// is the textarea's previous sibling, found from the scroll event), and each
/// component type adds its own copy of Yew's component machinery to the bundle.
pub fn dockerfile_editor(props: &DockerfileEditorProps) -> Html {
    let onscroll = Callback::from(move |e: Event| {
        let area: HtmlTextAreaElement = e.target_unchecked_into();
        if let Some(pre) = area.previous_element_sibling() {
            pre.set_scroll_left(area.scroll_left());
            pre.set_scroll_top(area.scroll_top());
        }
    });
    let mut continued = false;
    let highlighted: Vec<Html> = props
        .text
        .split('\n')
        .map(|line| {
            let h = highlight_line(line, continued);
            continued = line.trim_end().ends_with('\\');
            html! { <>{h}{"\n"}</> }
        })
        .collect();
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
            <div class="code-area">
                <pre class="code-hl" aria-hidden="true">{ for highlighted }</pre>
                <textarea
                    id="dockerfile"
                    aria-label="Dockerfile"
                    spellcheck="false"
                    wrap="off"
                    value={props.text.to_string()}
                    rows={line_count.max(8).to_string()}
                    {oninput}
                    {onscroll}
                />
            </div>
        </div>
    }
}

/// The context editor's own state: what is typed as a new file's path, and the new
/// name while a file is being renamed. The page owns it (two `use_state`s), so the
/// editor can be a view function.
pub struct ContextEditorState {
    pub new_name: UseStateHandle<String>,
    pub renaming: UseStateHandle<Option<String>>,
}

/// What the context editor shows, and where its edits go.
pub struct ContextEditorProps<'a> {
    pub files: &'a [ContextFile],
    pub selected: usize,
    pub state: &'a ContextEditorState,
    pub on_change: &'a Callback<(usize, String)>,
    pub on_select: &'a Callback<usize>,
    pub on_add: &'a Callback<String>,
    pub on_rename: &'a Callback<(usize, String)>,
    pub on_delete: &'a Callback<usize>,
}

/// The build context: a file list (add, rename, delete), the selected file's text below.
///
/// A view function rather than a component: each component type adds its own copy
/// of Yew's component machinery to the bundle.
pub fn context_editor(props: &ContextEditorProps) -> Html {
    let new_name = props.state.new_name.clone();
    let renaming = props.state.renaming.clone();
    let index = props.selected.min(props.files.len().saturating_sub(1));
    let tabs = props.files.iter().enumerate().map(|(i, f)| {
        let on_select = props.on_select.clone();
        let renaming = renaming.clone();
        let onclick = Callback::from(move |_| {
            renaming.set(None);
            on_select.emit(i)
        });
        let class = if i == index { "tab active" } else { "tab" };
        html! { <button class={class} {onclick} role="tab" aria-selected={(i == index).to_string()}>{f.path.clone()}</button> }
    });
    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_change.emit((index, area.value()));
        })
    };
    let on_new_input = {
        let new_name = new_name.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            new_name.set(el.value());
        })
    };
    let add = {
        let new_name = new_name.clone();
        let on_add = props.on_add.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !new_name.trim().is_empty() {
                on_add.emit((*new_name).clone());
                new_name.set(String::new());
            }
        })
    };
    let start_rename = {
        let renaming = renaming.clone();
        let current = props
            .files
            .get(index)
            .map(|f| f.path.clone())
            .unwrap_or_default();
        Callback::from(move |_| renaming.set(Some(current.clone())))
    };
    let on_rename_input = {
        let renaming = renaming.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            renaming.set(Some(el.value()));
        })
    };
    let finish_rename = {
        let renaming = renaming.clone();
        let on_rename = props.on_rename.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(name) = (*renaming).clone() {
                on_rename.emit((index, name));
            }
            renaming.set(None);
        })
    };
    let delete = {
        let on_delete = props.on_delete.clone();
        Callback::from(move |_| on_delete.emit(index))
    };
    html! {
        <div class="context-editor">
            <h2>{"Build context"}</h2>
            <div class="tabs" role="tablist" aria-label="context files">{ for tabs }</div>
            <form class="file-add" onsubmit={add}>
                <input aria-label="new file path" placeholder="new file, e.g. src/util.js" value={(*new_name).clone()} oninput={on_new_input} />
                <button class="tool" type="submit">{"Add file"}</button>
            </form>
            if let Some(file) = props.files.get(index) {
                <div class="file-actions">
                    if let Some(name) = &*renaming {
                        <form onsubmit={finish_rename}>
                            <input aria-label="rename file to" value={name.clone()} oninput={on_rename_input} />
                            <button class="tool" type="submit">{"Rename"}</button>
                        </form>
                    } else {
                        <code>{file.path.clone()}</code>
                        <button class="link" onclick={start_rename}>{"rename"}</button>
                        <button class="link" onclick={delete} aria-label={format!("delete {}", file.path)}>{"delete"}</button>
                    }
                </div>
                <textarea
                    class="context-file"
                    aria-label={format!("context file {}", file.path)}
                    spellcheck="false"
                    value={file.text.clone()}
                    {oninput}
                />
            } else {
                { super::markup::fixed("<p class=\"empty-note\">The context is empty: COPY has nothing to copy.</p>") }
            }
        </div>
    }
}
