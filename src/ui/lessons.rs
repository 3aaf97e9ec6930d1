//! Guided lessons: pick one, follow its steps; the engine checks each step
//! automatically after every command or edit.

use yew::prelude::*;

use crate::engine::lessons::{self, CheckResult, LessonProgress};

/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
pub fn lesson_panel(
    progress: Option<&LessonProgress>,
    feedback: Option<&CheckResult>,
    done: &[String],
    on_start: &Callback<String>,
    on_exit: &Callback<()>,
) -> Html {
    let Some(progress) = progress else {
        return html! {
            <section class="lessons" aria-label="lessons">
                { super::markup::fixed("<h2>Lessons</h2>\
                    <p class=\"muted small\">Each lesson is a few steps; layerlab checks them against what really happened in the engine.</p>") }
                <ol class="lesson-list">
                    { for lessons::all().iter().map(|l| {
                        let start = {
                            let cb = on_start.clone();
                            let id = l.id.to_string();
                            Callback::from(move |_| cb.emit(id.clone()))
                        };
                        let done = done.iter().any(|d| d == l.id);
                        html! {
                            <li>
                                <button class="link lesson-start" onclick={start} data-lesson={l.id}>{l.title}</button>
                                if done { <span class="lesson-done" aria-label="completed">{" ✓"}</span> }
                                <span class="muted small">{format!(" · {} steps", l.steps.len())}</span>
                            </li>
                        }
                    }) }
                </ol>
            </section>
        };
    };
    let Some(lesson) = lessons::find(&progress.lesson) else {
        return html! {};
    };
    let exit = {
        let cb = on_exit.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let finished = progress.is_finished(lesson);
    html! {
        <section class="lessons active-lesson" aria-label={format!("lesson {}", lesson.title)}>
            <header>
                <h2>{lesson.title}</h2>
                <button class="link" onclick={exit}>{"All lessons"}</button>
            </header>
            <p class="small">{lesson.intro}</p>
            <ol class="lesson-steps">
                { for lesson.steps.iter().enumerate().map(|(i, step)| {
                    let state = if progress.completed.contains(&i) { "done" } else if i == progress.step { "current" } else { "todo" };
                    html! {
                        <li class={classes!("lesson-step", state)} aria-current={(state == "current").then_some("step")}>
                            <span class="step-mark" aria-hidden="true">{ match state { "done" => "✓", "current" => "▶", _ => "·" } }</span>
                            <span class="step-text">{step.instructions}</span>
                            if state == "current" {
                                if let Some(hint) = step.hint {
                                    <details class="hint"><summary>{"Hint"}</summary>{hint}</details>
                                }
                            }
                        </li>
                    }
                }) }
            </ol>
            if finished {
                <p class="lesson-feedback ok" role="status">{"Lesson complete. ✓"}</p>
            } else if let Some(f) = feedback {
                <p class={classes!("lesson-feedback", f.done.then_some("ok"))} role="status">{f.feedback.clone()}</p>
            }
        </section>
    }
}
