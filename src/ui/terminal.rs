//! The terminal: the engine's docker CLI, with history (arrow keys), tab completion
//! of verbs, and output rendered as text.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// One line of the transcript.
#[derive(Clone, PartialEq)]
pub enum TermLine {
    /// The prompt it was typed at and the line.
    Input(String, String),
    Stdout(String),
    Stderr(String),
}

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub lines: Vec<TermLine>,
    pub history: Vec<String>,
    /// The prompt of the container shell the terminal is attached to
    /// (`docker run -it alpine sh`); `None`: the host's `$`.
    #[prop_or_default]
    pub attached: Option<String>,
    pub on_command: Callback<String>,
    #[prop_or_default]
    pub on_select_id: Callback<String>,
}

/// Verbs and sub-verbs offered by Tab.
const COMPLETIONS: &[&str] = &[
    "docker build -t my-api:1.0 .",
    "docker images",
    "docker image ls",
    "docker image history ",
    "docker image inspect ",
    "docker image prune",
    "docker image tag ",
    "docker image save -o ",
    "docker image load",
    "docker image import ",
    "docker inspect ",
    "docker tag ",
    "docker rmi ",
    "docker save -o ",
    "docker load",
    "docker export -o ",
    "docker import ",
    "docker login ",
    "docker logout ",
    "docker push ",
    "docker pull ",
    "docker run ",
    "docker create ",
    "docker start ",
    "docker attach ",
    "docker stop ",
    "docker restart ",
    "docker rm ",
    "docker ps -a",
    "docker ps",
    "docker logs ",
    "docker exec ",
    "docker diff ",
    "docker commit ",
    "docker volume ls",
    "docker volume create ",
    "docker volume rm ",
    "docker system df",
    "docker system prune -f",
    "docker container prune -f",
    "docker help",
    "docker version",
    "clear",
    "help",
];

/// Completes `input` to the longest common prefix of the matching completions.
pub fn complete(input: &str) -> Option<String> {
    let typed = if input.starts_with("docker") || input.is_empty() {
        input.to_string()
    } else {
        format!("docker {input}")
    };
    let matches: Vec<&str> = COMPLETIONS
        .iter()
        .copied()
        .filter(|c| c.starts_with(&typed) && c.len() > typed.len())
        .collect();
    let first = matches.first()?;
    let mut prefix = first.to_string();
    for m in &matches[1..] {
        while !m.starts_with(&prefix) {
            prefix.pop();
        }
    }
    (prefix.len() > typed.len()).then_some(prefix)
}

/// Splits output text into runs, marking 12-hex image/container IDs clickable.
fn linkify(text: &str, on_select: &Callback<String>) -> Html {
    let mut out: Vec<Html> = Vec::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(html! { {" "} });
        }
        let bare = word.trim_start_matches("sha256:");
        let is_id = bare.len() == 12
            && bare
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if is_id {
            let id = bare.to_string();
            let cb = on_select.clone();
            let onclick = Callback::from(move |_| cb.emit(id.clone()));
            out.push(html! { <button class="term-id" {onclick} title="inspect">{word.to_string()}</button> });
        } else {
            out.push(html! { {word.to_string()} });
        }
    }
    html! { <>{ for out }</> }
}

#[component]
pub fn Terminal(props: &TerminalProps) -> Html {
    let input = use_state(String::new);
    let cursor = use_state(|| None::<usize>);
    let input_ref = use_node_ref();
    let screen_ref = use_node_ref();

    // Keep the newest output in view.
    {
        let screen_ref = screen_ref.clone();
        let len = props.lines.len();
        use_effect_with(len, move |_| {
            if let Some(el) = screen_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let oninput = {
        let input = input.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            input.set(el.value());
        })
    };
    let onkeydown = {
        let input = input.clone();
        let cursor = cursor.clone();
        let history = props.history.clone();
        let on_command = props.on_command.clone();
        let in_container = props.attached.is_some();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                let line = (*input).clone();
                input.set(String::new());
                cursor.set(None);
                on_command.emit(line);
            }
            "ArrowUp" => {
                e.prevent_default();
                if history.is_empty() {
                    return;
                }
                let next = match *cursor {
                    None => history.len() - 1,
                    Some(0) => 0,
                    Some(i) => i - 1,
                };
                cursor.set(Some(next));
                input.set(history[next].clone());
            }
            "ArrowDown" => {
                e.prevent_default();
                match *cursor {
                    Some(i) if i + 1 < history.len() => {
                        cursor.set(Some(i + 1));
                        input.set(history[i + 1].clone());
                    }
                    _ => {
                        cursor.set(None);
                        input.set(String::new());
                    }
                }
            }
            // Tab completes docker commands, not what is typed in a container's shell.
            "Tab" if !in_container => {
                e.prevent_default();
                if let Some(done) = complete(&input) {
                    input.set(done);
                }
            }
            _ => {}
        })
    };
    let focus = {
        let input_ref = input_ref.clone();
        Callback::from(move |_| {
            if let Some(el) = input_ref.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        })
    };
    html! {
        <div class="terminal" onclick={focus}>
            <div class="term-screen" ref={screen_ref} tabindex="0" role="log" aria-live="polite" aria-label="terminal output">
                { for props.lines.iter().map(|l| match l {
                    TermLine::Input(p, t) => html! { <div class="term-line term-in">{p.clone()}{t.clone()}</div> },
                    TermLine::Stdout(t) => html! { <div class="term-line">{linkify(t, &props.on_select_id)}</div> },
                    TermLine::Stderr(t) => {
                        let bad = t.starts_with("ERROR") || t.starts_with("Error") || t.starts_with("docker:") || t.contains(" ERROR: ");
                        html! { <div class={classes!("term-line", "term-err", bad.then_some("bad"))}>{t.clone()}</div> }
                    }
                }) }
            </div>
            <div class={classes!("term-prompt", props.attached.is_some().then_some("in-container"))}>
                <span aria-hidden="true">{props.attached.as_deref().map_or("$", str::trim_end)}</span>
                <input
                    ref={input_ref}
                    id="terminal-input"
                    aria-label={if props.attached.is_some() { "command in the container's shell" } else { "terminal command" }}
                    autocomplete="off"
                    spellcheck="false"
                    placeholder={if props.attached.as_deref() == Some("> ") { "JavaScript for node (.exit leaves)" } else if props.attached.as_deref() == Some(">>> ") { "Python (exit() leaves)" } else if props.attached.is_some() { "a command inside the container (exit leaves the shell)" } else { "docker run --name api-1 -p 8080:3000 my-api:1.0   (Tab completes, ↑↓ history)" }}
                    value={(*input).clone()}
                    {oninput}
                    {onkeydown}
                />
            </div>
        </div>
    }
}
