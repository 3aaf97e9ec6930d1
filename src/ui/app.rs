use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::engine::analysis::image_tree;
use crate::engine::build::plan::RowKind;
use crate::engine::build::{BuildContext, ContextFile as EngineFile, StackRow};
use crate::engine::daemon::layers::Layer;
use crate::engine::examples;
use crate::engine::lessons::{self, LessonState};
use crate::engine::scenario::{self, Panel, Scenario, Theme};
use crate::engine::world::World;

use super::analysis::{self, analysis_view, forecast, forecast_rows};
use super::editor::{
    context_editor, dockerfile_editor, ContextEditorProps, ContextEditorState,
    DockerfileEditorProps,
};
use super::file_tree::{from_analysis, FileTree, SharedTree, TreeData, Writer};
use super::layer_detail::{file_preview, layer_detail, layer_detail_panel};
use super::lessons::lesson_panel;
use super::lifecycle::lifecycle;
use super::markup::{fixed, preview};
use super::runtime::{container_views, runtime};
use super::session::{self, Start};
use super::stack::{layer_stack, LayerStackProps};
use super::state::{
    example_list, run_line_with, Action, AppState, ContextFile, FilesView, RightTab,
};
use super::tags::{tag_views, tags};
use super::terminal::Terminal;

/// Loads a scenario: editors first, then its commands replayed on a fresh world (or
/// the default build when it has none).
fn load_scenario(state: &UseReducerHandle<AppState>, world: &Rc<RefCell<World>>, s: &Scenario) {
    *world.borrow_mut() = World::default();
    state.dispatch(Action::Load(Box::new(s.clone())));
    let context: Vec<ContextFile> = s
        .context
        .iter()
        .map(|(p, t)| ContextFile {
            path: p.clone(),
            text: t.clone(),
        })
        .collect();
    let tag = if s.tag.is_empty() {
        "my-api:1.0"
    } else {
        &s.tag
    };
    let mut commands = s.commands.clone();
    if commands.is_empty() {
        commands.push(format!("docker build -t {tag} ."));
    }
    for c in commands {
        let action = run_line_with(&mut world.borrow_mut(), &s.dockerfile, &context, &c);
        state.dispatch(action);
    }
}

/// For each layer of an image (bottom first), the stack row that made it: the FROM
/// row owns the base image's layers, then each filesystem row that produced a layer
/// owns the next one (its diff_id must match; rows without file changes made none).
fn layer_rows(rows: &[StackRow], layers: &[Rc<Layer>]) -> Vec<Option<usize>> {
    let mut map = vec![None; layers.len()];
    let mut next = 0;
    for (ri, row) in rows.iter().enumerate() {
        match row.kind {
            RowKind::Base => {
                for _ in 0..row.base_layers {
                    if let Some(slot) = map.get_mut(next) {
                        *slot = Some(ri);
                    }
                    next += 1;
                }
            }
            RowKind::Filesystem if row.diff_id.is_some() => {
                if let (Some(slot), Some(layer)) = (map.get_mut(next), layers.get(next)) {
                    if row.diff_id.as_ref() == Some(&layer.diff_id) {
                        *slot = Some(ri);
                    }
                }
                next += 1;
            }
            _ => {}
        }
    }
    map
}

/// The image's whole filesystem (`engine::analysis::image_tree`), each path tagged with
/// the Dockerfile line of the layer that last wrote it.
fn cumulative_tree(world: &World, image_id: &str, rows: &[StackRow]) -> Option<TreeData> {
    let id = crate::engine::digest::Digest::parse(image_id).ok()?;
    let img = world.daemon.image(&id)?;
    let owners = layer_rows(rows, &img.layers);
    let tree = image_tree(&img.layers);
    Some(from_analysis(&tree, |layer: &Option<usize>| {
        let l = (*layer)?;
        match owners
            .get(l)
            .copied()
            .flatten()
            .and_then(|r| rows.get(r).map(|row| (r, row)))
        {
            Some((r, row)) => Some(Writer {
                label: row.instruction.clone(),
                line: row.line,
                row: row.chain_id.as_ref().map(|_| r),
            }),
            None => Some(Writer {
                label: format!("layer {}", l + 1),
                line: 0,
                row: None,
            }),
        }
    }))
}

/// Is a keypress aimed at a text field or a control (so it must not step the build)?
fn typing_target(e: &web_sys::KeyboardEvent, space: bool) -> bool {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    matches!(tag.as_str(), "input" | "textarea" | "select")
        || (space && matches!(tag.as_str(), "button" | "summary" | "a"))
        || el.get_attribute("contenteditable").is_some()
}

/// Runs a terminal line the learner typed (or the page typed for them) and shows it:
/// a file it wrote (`docker save -o`) goes to the browser's downloads, an embedding
/// page hears of it, the state takes it.
fn run_and_show(state: &UseReducerHandle<AppState>, world: &Rc<RefCell<World>>, line: &str) {
    let mut action = run_line_with(
        &mut world.borrow_mut(),
        &state.dockerfile,
        &state.context,
        line,
    );
    if let Action::Ran {
        file: Some(f),
        stdout,
        ..
    } = &mut action
    {
        let size = crate::engine::cli::table::human_size(f.bytes.len() as u64);
        match session::download(&f.name, &f.bytes, "application/x-tar") {
            Ok(()) => stdout.push_str(&format!(
                "layerlab: {} ({size}) is in your downloads: {}\n",
                f.name, f.about
            )),
            Err(e) => stdout.push_str(&format!(
                "layerlab: the download of {} failed: {e}\n",
                f.name
            )),
        }
    }
    session::notify_parent(&action);
    state.dispatch(action);
}

/// The button that folds a panel to a bar and back (its label names the panel).
fn fold_button(folded: bool, title: &str, onclick: Callback<MouseEvent>) -> Html {
    let label = if folded {
        format!("Show the {title} panel")
    } else {
        format!("Fold the {title} panel")
    };
    html! {
        <button class="fold" {onclick} aria-expanded={(!folded).to_string()} aria-label={label.clone()} title={label}>
            <span aria-hidden="true">{if folded { "▸" } else { "▾" }}</span>
            if folded { <span class="fold-title">{title.to_string()}</span> }
        </button>
    }
}

fn panel_shown(embed: &Option<Vec<Panel>>, p: Panel) -> bool {
    match embed {
        None => true,
        Some(panels) => panels.contains(&p),
    }
}

/// A switch button of the image panel: which files are shown.
fn files_tab(
    state: &UseReducerHandle<AppState>,
    v: FilesView,
    label: &'static str,
    select: fn(MouseEvent) -> Action,
) -> Html {
    let active = state.files_view == v;
    html! { <button class="tool" aria-pressed={active.to_string()} onclick={send(state, select)}>{label}</button> }
}

/// A tab of the right panel.
fn tab(
    state: &UseReducerHandle<AppState>,
    t: RightTab,
    label: &'static str,
    select: fn(MouseEvent) -> Action,
) -> Html {
    let active = state.right_tab == t;
    html! { <button role="tab" aria-selected={active.to_string()} class={classes!("tab", active.then_some("active"))} onclick={send(state, select)}>{label}</button> }
}

/// A callback that turns its argument into one reducer action. Most of the page's
/// callbacks only tell the reducer what happened: sharing one closure type per
/// argument type (a `fn` pointer picks the action) keeps one copy of that code in the
/// bundle instead of one per button.
fn send<T: 'static>(state: &UseReducerHandle<AppState>, make: fn(T) -> Action) -> Callback<T> {
    let state = state.clone();
    Callback::from(move |v: T| state.dispatch(make(v)))
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::initial);
    let world = use_mut_ref(World::default);
    let context_editor_state = ContextEditorState {
        new_name: use_state(String::new),
        renaming: use_state(|| None::<String>),
    };
    // The newest state, for callbacks registered once (postMessage).
    let latest = use_mut_ref(AppState::initial);
    *latest.borrow_mut() = (*state).clone();

    // Start: a shared link, an embed, saved work, or the default example.
    {
        let state = state.clone();
        let world = world.clone();
        use_effect_with((), move |_| {
            let (start, banner) = session::start();
            match start {
                Start::Scenario(s) => load_scenario(&state, &world, &s),
                Start::Embed(e) => {
                    state.dispatch(Action::Embed(e.shown_panels()));
                    state.dispatch(Action::SetTheme(e.shown_theme()));
                    let s = e
                        .scenario
                        .clone()
                        .unwrap_or_else(|| Scenario::from_example(&examples::NODE_API));
                    load_scenario(&state, &world, &s);
                }
                Start::Fresh => {
                    load_scenario(&state, &world, &Scenario::from_example(&examples::NODE_API))
                }
            }
            if banner.is_some() {
                state.dispatch(Action::Banner(banner));
            }
            if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                let _ = perf.mark("layerlab:ready");
            }
        });
    }

    // Save work after every change (not in embeds).
    {
        let s = (*state).clone();
        use_effect_with(
            (
                state.revision,
                state.dockerfile.clone(),
                state.context.clone(),
                state.theme,
            ),
            move |_| {
                if s.revision > 0 {
                    session::save(&s);
                }
            },
        );
    }

    // Lessons: every command or edit re-runs the current step's check on the engine.
    {
        let state = state.clone();
        let world = world.clone();
        let key = (
            state.revision,
            state.dockerfile.clone(),
            state.context.clone(),
            state.lesson.clone().map(|l| l.lesson),
            state.lesson_records.len(),
        );
        use_effect_with(key, move |_| {
            let Some(mut progress) = state.lesson.clone() else {
                return;
            };
            let Some(lesson) = lessons::find(&progress.lesson) else {
                return;
            };
            let files = state
                .context
                .iter()
                .map(|f| EngineFile::text(&f.path, &f.text));
            let Ok(context) = BuildContext::from_files(files) else {
                return;
            };
            let w = world.borrow();
            let ls = LessonState {
                world: &w,
                dockerfile: &state.dockerfile,
                context: &context,
                commands: &state.lesson_records,
            };
            let verdicts = progress.advance(lesson, &ls);
            let feedback = verdicts.last().map(|(_, v)| v.clone());
            if Some(&progress) != state.lesson.as_ref() || feedback != state.lesson_feedback {
                state.dispatch(Action::LessonChecked(progress, feedback));
            }
        });
    }

    // Completed lessons are kept in browser storage.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            state.dispatch(Action::LessonsDone(session::load_lessons_done()))
        });
    }
    {
        let done = state.lessons_done.clone();
        use_effect_with(done, move |done| session::save_lessons_done(done));
    }

    // The postMessage API: a host page can load a scenario and run commands.
    {
        let state = state.clone();
        let world = world.clone();
        let latest = latest.clone();
        use_effect_with((), move |_| {
            let handler = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    let data = event.data();
                    match session::message_field(&data, "type").as_deref() {
                        Some("layerlab:run") => {
                            let Some(command) = session::message_field(&data, "command") else {
                                return;
                            };
                            let snapshot = latest.borrow().clone();
                            let action = run_line_with(
                                &mut world.borrow_mut(),
                                &snapshot.dockerfile,
                                &snapshot.context,
                                &command,
                            );
                            if let Action::Ran {
                                stdout,
                                stderr,
                                exit_code,
                                ..
                            } = &action
                            {
                                let msg = session::js_object(
                                    &[
                                        ("type", "layerlab:output"),
                                        ("command", &command),
                                        ("stdout", stdout),
                                        ("stderr", stderr),
                                    ],
                                    Some(*exit_code),
                                );
                                session::reply(&event, &msg);
                            }
                            state.dispatch(action);
                        }
                        Some("layerlab:load") => {
                            let Some(payload) = session::message_field(&data, "scenario") else {
                                return;
                            };
                            let result = scenario::decode(&payload)
                                .or_else(|_| scenario::from_json(&payload));
                            match result {
                                Ok(s) => {
                                    load_scenario(&state, &world, &s);
                                    session::reply(
                                        &event,
                                        &session::js_object(&[("type", "layerlab:loaded")], None),
                                    );
                                }
                                Err(e) => {
                                    let msg = session::js_object(
                                        &[("type", "layerlab:error"), ("message", &e.to_string())],
                                        None,
                                    );
                                    session::reply(&event, &msg);
                                }
                            }
                        }
                        _ => {}
                    }
                },
            );
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ =
                    w.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "message",
                        handler.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    // Presenter mode and build step mode: arrow keys (and Space in step mode) step
    // through the layer stack; keys typed into the editors or the terminal do not.
    {
        let state = state.clone();
        let latest = latest.clone();
        use_effect_with((), move |_| {
            let handler =
                Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                    let s = latest.borrow();
                    let stepping = s.step_mode && s.reveal.is_some();
                    if !s.presenter && !stepping {
                        return;
                    }
                    let key = e.key();
                    if typing_target(&e, key == " ") {
                        return;
                    }
                    let total = s.build.rows.len();
                    let shown = s.reveal.unwrap_or(total);
                    match key.as_str() {
                        "ArrowRight" | "PageDown" => {
                            state.dispatch(Action::Reveal(Some((shown + 1).min(total))))
                        }
                        " " if stepping => {
                            e.prevent_default();
                            state.dispatch(Action::Reveal(Some((shown + 1).min(total))))
                        }
                        "ArrowLeft" | "PageUp" => {
                            state.dispatch(Action::Reveal(Some(shown.saturating_sub(1))))
                        }
                        "Home" => state.dispatch(Action::Reveal(Some(1))),
                        "End" => state.dispatch(Action::Reveal(None)),
                        _ => {}
                    }
                });
            let doc = web_sys::window().and_then(|w| w.document());
            if let Some(d) = &doc {
                let _ =
                    d.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
            }
            move || {
                if let Some(d) = doc {
                    let _ = d.remove_event_listener_with_callback(
                        "keydown",
                        handler.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let on_command = {
        let state = state.clone();
        let world = world.clone();
        Callback::from(move |line: String| {
            // `docker load` with no archive on the simulated host: the learner picks a
            // file (a `docker save` tar, an OCI archive), then it is loaded by name.
            if let Some(quiet) = super::state::load_needs_file(&world.borrow(), &line) {
                state.dispatch(super::state::note(
                    &world.borrow(),
                    &line,
                    "layerlab: choose an image archive (a `docker save` tar or an OCI image layout tar) in the file dialog\n",
                    false,
                ));
                let (state, world) = (state.clone(), world.clone());
                session::pick_file(
                    ".tar,.tgz,.tar.gz,application/x-tar",
                    300e6,
                    move |name, picked| {
                        let line = format!(
                            "docker load {}-i {}",
                            if quiet { "-q " } else { "" },
                            crate::engine::shell::builtins::quote(&name)
                        );
                        let bytes = match picked {
                            Ok(b) => b,
                            Err(why) => {
                                state.dispatch(super::state::note(
                                    &world.borrow(),
                                    &line,
                                    &format!("layerlab: {why}\n"),
                                    true,
                                ));
                                return;
                            }
                        };
                        world.borrow_mut().host_files.insert(name, Rc::new(bytes));
                        run_and_show(&state, &world, &line);
                    },
                );
                return;
            }
            run_and_show(&state, &world, &line);
        })
    };
    let on_show_image = {
        let state = state.clone();
        let world = world.clone();
        Callback::from(move |id: String| {
            if let Some(view) = super::state::image_view(&world.borrow(), &id) {
                state.dispatch(Action::ShowImage(Box::new(view)));
            }
        })
    };
    let on_build = {
        let on_command = on_command.clone();
        let tag = state.tag.clone();
        Callback::from(move |_| on_command.emit(format!("docker build -t {tag} .")))
    };
    let on_dockerfile = send(&state, Action::EditDockerfile);
    let on_file = send(&state, |(i, text)| Action::EditFile(i, text));
    let on_select_file = send(&state, Action::SelectFile);
    let on_add_file = send(&state, Action::AddFile);
    let on_rename_file = send(&state, |(i, p)| Action::RenameFile(i, p));
    let on_delete_file = send(&state, Action::DeleteFile);
    let on_highlight = send(&state, Action::Highlight);
    let on_select_row = send(&state, Action::SelectRow);
    let on_select_id = {
        let on_command = on_command.clone();
        Callback::from(move |id: String| {
            on_command.emit(format!(
                "docker inspect --format '{{{{.Id}}}} {{{{.RepoTags}}}}' {id}"
            ))
        })
    };
    let on_example = {
        let state = state.clone();
        let world = world.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(ex) = examples::by_id(&el.value()) {
                state.dispatch(Action::LoadExample(ex));
                let s = Scenario::from_example(ex);
                load_scenario(&state, &world, &s);
                state.dispatch(Action::LoadExample(ex));
            }
        })
    };
    let on_share = {
        let state = state.clone();
        Callback::from(move |_| {
            let links = session::share_links(&state);
            if let Ok((link, _)) = &links {
                session::set_fragment(link);
            }
            state.dispatch(Action::Share(Some(links)));
        })
    };
    let on_close_share = send(&state, |_: MouseEvent| Action::Share(None));
    let on_theme = {
        let state = state.clone();
        let next = match state.theme {
            Theme::System | Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        };
        Callback::from(move |_| state.dispatch(Action::SetTheme(next)))
    };
    let on_presenter = send(&state, |_: MouseEvent| Action::TogglePresenter);
    let on_reset = {
        let state = state.clone();
        let world = world.clone();
        Callback::from(move |_| {
            session::clear_saved();
            state.dispatch(Action::Clear);
            state.dispatch(Action::LoadExample(&examples::NODE_API));
            load_scenario(&state, &world, &Scenario::from_example(&examples::NODE_API));
        })
    };
    let on_close_banner = send(&state, |_: MouseEvent| Action::Banner(None));
    let on_lessons = send(&state, |_: MouseEvent| Action::ToggleLessons);
    let on_start_lesson = {
        let state = state.clone();
        let world = world.clone();
        Callback::from(move |id: String| {
            let Some(lesson) = lessons::find(&id) else {
                return;
            };
            *world.borrow_mut() = World::default();
            if let Some(sc) = &lesson.scenario {
                let s = Scenario {
                    version: 1,
                    dockerfile: sc.dockerfile.to_string(),
                    context: sc
                        .files
                        .iter()
                        .map(|f| (f.path.to_string(), f.text.to_string()))
                        .collect(),
                    tag: "my-api:1.0".to_string(),
                    commands: vec![],
                    lesson: None,
                    panels: vec![],
                    theme: state.theme,
                };
                state.dispatch(Action::Load(Box::new(s)));
            }
            state.dispatch(Action::Clear);
            state.dispatch(Action::StartLesson(id));
        })
    };
    let on_exit_lesson = send(&state, |()| Action::ExitLesson);

    let on_forecast = {
        let state = state.clone();
        let world = world.clone();
        Callback::from(move |_| {
            let files = state
                .context
                .iter()
                .map(|f| EngineFile::text(&f.path, &f.text));
            let result = match BuildContext::from_files(files) {
                Ok(ctx) => crate::engine::analysis::what_would_rebuild(
                    &world.borrow(),
                    &state.dockerfile,
                    &ctx,
                )
                .map(|f| forecast_rows(&f))
                .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            state.dispatch(Action::Forecast(Some(result)));
        })
    };

    // The cumulative tree is computed only when shown, once per image.
    let fs_tree = {
        let world = world.clone();
        let rows = state.build.rows.clone();
        let shown = state.files_view == FilesView::Filesystem;
        use_memo(
            (state.build.image_id.clone(), shown, state.build_seq),
            move |(id, shown, _)| match (id, shown) {
                (Some(id), true) => {
                    cumulative_tree(&world.borrow(), id, &rows).map(|t| SharedTree(Rc::new(t)))
                }
                _ => None,
            },
        )
    };
    let on_toggle_step = send(&state, |_: MouseEvent| Action::ToggleStep);
    let on_next_step = {
        let state = state.clone();
        let total = state.build.rows.len();
        let shown = state.reveal.unwrap_or(total);
        Callback::from(move |_| state.dispatch(Action::Reveal(Some((shown + 1).min(total)))))
    };
    let on_show_all = send(&state, |_: MouseEvent| Action::Reveal(None));
    let on_open_fs = {
        let state = state.clone();
        let world = world.clone();
        let id = state.build.image_id.clone();
        Callback::from(move |path: String| {
            let w = world.borrow();
            let top = id
                .as_ref()
                .and_then(|id| crate::engine::digest::Digest::parse(id).ok())
                .and_then(|id| w.daemon.image(&id))
                .and_then(|img| img.layers.last().cloned());
            if let Some(l) = top {
                let text = file_preview(&l, &path);
                state.dispatch(Action::Preview(Some((path, text))));
            }
        })
    };
    let on_writer = send(&state, |row| Action::SelectRow(Some(row)));

    let w = world.borrow();
    let build = &state.build;
    // Efficiency walks every layer's changes (base layers included) and the config is
    // pretty-printed: once per built image, not on every keystroke.
    let analysis = {
        let world = world.clone();
        use_memo(build.image_id.clone(), move |image_id| {
            image_id
                .as_ref()
                .and_then(|id| crate::engine::digest::Digest::parse(id).ok())
                .and_then(|id| world.borrow().daemon.image(&id))
                .map(|img| analysis_view(&img))
        })
    };
    let (containers, volumes) = container_views(&w);
    let (images, repos) = tag_views(&w);
    // The selected layer's changes as a tree (memoised: base layers are big).
    let selected_chain = state
        .selected_row
        .and_then(|i| build.rows.get(i))
        .and_then(|r| r.chain_id.clone());
    let changes_tree = {
        let world = world.clone();
        use_memo(
            (selected_chain, build.image_id.clone()),
            move |(chain, image_id)| {
                let chain = chain.as_ref()?;
                let w = world.borrow();
                let layer = w.daemon.layers.get(chain)?.clone();
                let lower = image_id
                    .as_ref()
                    .and_then(|id| crate::engine::digest::Digest::parse(id).ok())
                    .and_then(|id| w.daemon.image(&id))
                    .and_then(|img| {
                        let pos = img.layers.iter().position(|l| &l.chain_id == chain)?;
                        Some(match pos {
                            0 => crate::engine::daemon::empty_root(),
                            p => img.layers[p - 1].rootfs().clone(),
                        })
                    })
                    .unwrap_or_else(crate::engine::daemon::empty_root);
                let tree = crate::engine::analysis::changes_tree(&lower, &layer.changes);
                Some(SharedTree(Rc::new(super::file_tree::from_layer_changes(
                    &tree,
                ))))
            },
        )
    };
    let detail = state
        .selected_row
        .and_then(|i| build.rows.get(i))
        .and_then(|row| {
            let chain = row.chain_id.as_ref()?;
            let layer = w.daemon.layers.get(chain)?;
            let mut d = layer_detail(&row.instruction, layer);
            d.tree = (*changes_tree).clone();
            Some((d, layer.clone()))
        });
    let on_open = {
        let state = state.clone();
        let layer = detail.as_ref().map(|(_, l)| l.clone());
        Callback::from(move |path: String| {
            if let Some(l) = &layer {
                let text = file_preview(l, &path);
                state.dispatch(Action::Preview(Some((path, text))));
            }
        })
    };
    let on_close = send(&state, |()| Action::SelectRow(None));
    let embed = &state.embed;
    let theme_class = format!("theme-{}", state.theme.id());
    let stepping = state.step_mode && state.reveal.is_some();
    let rows: &[StackRow] = match state.reveal {
        Some(n) if state.presenter || stepping => build.rows.get(..n).unwrap_or(&build.rows),
        _ => &build.rows,
    };
    let step_view = match state.reveal {
        Some(n) if stepping => Some((n, build.rows.len())),
        _ => None,
    };
    let show_right = panel_shown(embed, Panel::Runtime)
        || panel_shown(embed, Panel::Tags)
        || panel_shown(embed, Panel::Registry);
    let show_editor = panel_shown(embed, Panel::Editor) || panel_shown(embed, Panel::Context);
    let show_stack = panel_shown(embed, Panel::Stack) || panel_shown(embed, Panel::Build);
    let show_term = panel_shown(embed, Panel::Terminal);
    // Folding applies to the full page; an embed shows just the panels its author chose.
    let folded = |p: Panel| embed.is_none() && state.folded.contains(&p);
    let (fold_editor, fold_stack, fold_right, fold_term) = (
        folded(Panel::Editor),
        folded(Panel::Stack),
        folded(Panel::Runtime),
        folded(Panel::Terminal),
    );
    let layout = format!(
        "panels{}{}{}{}{}{}{}{}",
        if show_editor { " has-editor" } else { "" },
        if show_stack { " has-stack" } else { "" },
        if show_right { " has-right" } else { "" },
        if show_term { " has-term" } else { "" },
        if fold_editor { " fold-editor" } else { "" },
        if fold_stack { " fold-stack" } else { "" },
        if fold_right { " fold-right" } else { "" },
        if fold_term { " fold-term" } else { "" },
    );
    let fold = |p: Panel, title: &str| -> Html {
        if embed.is_some() {
            return html! {};
        }
        let onclick = match p {
            Panel::Editor => send(&state, |_: MouseEvent| Action::Fold(Panel::Editor)),
            Panel::Stack => send(&state, |_: MouseEvent| Action::Fold(Panel::Stack)),
            Panel::Runtime => send(&state, |_: MouseEvent| Action::Fold(Panel::Runtime)),
            _ => send(&state, |_: MouseEvent| Action::Fold(Panel::Terminal)),
        };
        fold_button(folded(p), title, onclick)
    };

    html! {
        <div class={classes!("app", theme_class, state.presenter.then_some("presenter"), embed.is_some().then_some("embed"))}>
            if embed.is_none() {
                <header class="topbar">
                    { fixed("<h1 class=\"brand\">layerlab</h1>\
                        <p class=\"tagline\">Docker you can take apart: build time makes an image, runtime makes containers.</p>") }
                    <div class="toolbar">
                        { fixed("<label for=\"example-select\" class=\"sr-only\">Example project</label>") }
                        <select id="example-select" onchange={on_example} aria-label="Example project">
                            { for example_list().iter().map(|ex| html! {
                                <option value={ex.id} selected={state.example == ex.id}>{ex.title}</option>
                            }) }
                        </select>
                        <button class="tool" onclick={on_lessons} aria-pressed={state.lessons_open.to_string()}>{"Lessons"}</button>
                        <button class="tool" onclick={on_share}>{"Share"}</button>
                        <button class="tool" onclick={on_presenter} aria-pressed={state.presenter.to_string()} title="Large type; ← → step through the layers">{"Present"}</button>
                        <button class="tool" onclick={on_theme} aria-label="Toggle dark theme">{ if state.theme == Theme::Dark { "Light" } else { "Dark" } }</button>
                        <button class="tool" onclick={on_reset} title="Forget saved work and start over">{"Start over"}</button>
                    </div>
                </header>
            } else {
                <header class="embed-bar">
                    <a href={session::base_url()} target="_blank" rel="noopener">{"layerlab ↗"}</a>
                </header>
            }
            if let Some(msg) = &state.banner {
                <div class="banner" role="alert">
                    <span>{msg.clone()}</span>
                    <button class="link" onclick={on_close_banner} aria-label="dismiss">{"✕"}</button>
                </div>
            }
            if let Some(share) = &state.share {
                <div class="share-dialog" role="dialog" aria-label="Share">
                    { match share {
                        Ok((link, snippet)) => html! {
                            <>
                                <label>{"Link to this scenario (Dockerfile, context and commands)"}
                                    <input readonly=true value={link.clone()} id="share-link" />
                                </label>
                                <label>{"Embed in a documentation page"}
                                    <textarea readonly=true id="share-iframe" value={snippet.clone()} />
                                </label>
                            </>
                        },
                        Err(e) => html! { <p role="alert">{format!("This scenario cannot be shared: {e}")}</p> },
                    } }
                    <button class="tool" onclick={on_close_share}>{"Close"}</button>
                </div>
            }
            if panel_shown(embed, Panel::Lifecycle) && embed.is_none() || embed.as_ref().is_some_and(|p| p.contains(&Panel::Lifecycle)) {
                { lifecycle(state.stage) }
            }
            <main class={layout}>
                if show_editor {
                    <section class={classes!("panel", "editor-panel", fold_editor.then_some("folded"))} aria-label="Dockerfile and build context">
                        { fold(Panel::Editor, "Dockerfile") }
                        if state.lessons_open && embed.is_none() {
                            { lesson_panel(state.lesson.as_ref(), state.lesson_feedback.as_ref(),
                                &state.lessons_done, &on_start_lesson, &on_exit_lesson) }
                        }
                        <div class="panel-head">
                            <h2>{"Dockerfile"}</h2>
                            <div class="build-actions">
                                <button class="tool" id="step-toggle" onclick={on_toggle_step} aria-pressed={state.step_mode.to_string()}
                                    title="Step mode: a build reveals its layers one at a time (→ or Space, or Next step)">{"Step"}</button>
                                <button class="primary" onclick={on_build} id="build-button">
                                    {format!("docker build -t {} .", state.tag)}
                                </button>
                            </div>
                        </div>
                        { dockerfile_editor(&DockerfileEditorProps {
                            text: &state.dockerfile,
                            highlighted_line: state.highlighted_line,
                            error_line: build.error_line,
                            warning_lines: state.lint.iter().map(|w| w.line).collect(),
                            on_change: &on_dockerfile,
                        }) }
                        if let Some(err) = &build.error {
                            <p class="diagnostic" role="alert">
                                { match build.error_line { Some(l) => format!("line {l}: {err}"), None => err.clone() } }
                            </p>
                        }
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
                        if panel_shown(embed, Panel::Context) {
                            { context_editor(&ContextEditorProps {
                                files: &state.context,
                                selected: state.selected_file,
                                state: &context_editor_state,
                                on_change: &on_file,
                                on_select: &on_select_file,
                                on_add: &on_add_file,
                                on_rename: &on_rename_file,
                                on_delete: &on_delete_file,
                            }) }
                        }
                    </section>
                }
                if show_stack {
                    <section class={classes!("panel", "image-panel", fold_stack.then_some("folded"))} aria-label="Image">
                        { fold(Panel::Stack, "Image") }
                        <div class="panel-head">
                            <h2>{format!("{} image", build.shown.as_deref().unwrap_or(&state.tag))}</h2>
                            if let Some(id) = &build.image_id {
                                <code class="image-id" title={id.clone()}>{format!("IMAGE ID {}", id.get(7..19).unwrap_or(id))}</code>
                            }
                        </div>
                        if build.shown.is_some() {
                            { fixed("<p class=\"muted small\">This image is taken apart from its own history and layers, not from a build of the editor's Dockerfile (so no line links): click a layer for its files. Build to see the editor's image again.</p>") }
                        }
                        if !build.ran.is_empty() || !build.recorded.is_empty() {
                            <div class="build-vs-run" aria-label="build time versus runtime">
                                <div><strong>{"Ran at build time: "}</strong>{ if build.ran.is_empty() { "nothing (all cached)".to_string() } else { build.ran.join(" · ") } }</div>
                                <div><strong>{"Recorded for runtime (not run): "}</strong>{build.recorded.join(" · ")}</div>
                            </div>
                        }
                        { fixed("<p class=\"legend\">\
                            <span class=\"swatch fs\"></span>filesystem layer (read-only)\
                            <span class=\"swatch meta\"></span>metadata only\
                            <span class=\"swatch base\"></span>base image layers</p>") }
                        if state.presenter {
                            <p class="muted small">{format!("Presenter: ← → step through the stack ({} of {} rows)", rows.len(), build.rows.len())}</p>
                        }
                        if let Some((n, total)) = step_view {
                            <div class="step-bar">
                                <button class="tool" id="next-step" onclick={on_next_step} disabled={n >= total}>{"Next step →"}</button>
                                <span class="small" aria-live="polite">{
                                    if n >= total { format!("Step mode: all {total} rows shown") }
                                    else { format!("Step mode: {n} of {total} rows · → or Space for the next") }
                                }</span>
                                <button class="link small" onclick={on_show_all}>{"Show all"}</button>
                            </div>
                            if let Some(row) = n.checked_sub(1).and_then(|i| build.rows.get(i)) {
                                <div class="step-log" aria-label="build log of this step">
                                    <div class="small"><strong>{format!("Step {n}: ")}</strong><code>{row.instruction.clone()}</code>{format!(" (line {})", row.line)}</div>
                                    <pre class="log">{build.step_logs.get(n - 1).cloned().unwrap_or_default()}</pre>
                                </div>
                            }
                        }
                        { layer_stack(&LayerStackProps {
                            rows,
                            highlighted_line: state.highlighted_line,
                            selected: state.selected_row,
                            on_highlight: &on_highlight,
                            on_select: &on_select_row,
                            stepping,
                            build_seq: state.build_seq,
                        }) }
                        if build.image_id.is_some() {
                            <div class="files-switch" role="group" aria-label="files shown">
                                { files_tab(&state, FilesView::Layer, "This layer's changes", |_| Action::FilesView(FilesView::Layer)) }
                                { files_tab(&state, FilesView::Filesystem, "Whole filesystem", |_| Action::FilesView(FilesView::Filesystem)) }
                            </div>
                        }
                        if state.files_view == FilesView::Filesystem {
                            if let Some(tree) = (*fs_tree).clone() {
                                <section class="fs-view" aria-label="the image's whole filesystem">
                                    { fixed("<p class=\"muted small\">The image's final filesystem: every layer applied in order, later layers hiding earlier versions and whiteouts removing files. Each entry names the Dockerfile line whose layer last wrote it.</p>") }
                                    <FileTree {tree} label="whole filesystem" sizes=true on_open={on_open_fs}
                                        on_writer={on_writer} on_highlight={on_highlight} />
                                    if let Some(p) = &state.preview {
                                        { preview(p) }
                                    }
                                </section>
                            }
                        } else if let Some((d, _)) = &detail {
                            { layer_detail_panel(d, state.preview.as_ref(), &on_open, &on_close) }
                        } else if build.image_id.is_some() {
                            { fixed("<p class=\"muted small\">Click a filesystem layer to see what it changed.</p>") }
                        }
                        <div class="forecast-bar">
                            <button class="tool" onclick={on_forecast} title="Runs the build on a copy of the engine and reports which steps the cache would answer">{"What would rebuild?"}</button>
                        </div>
                        { match &state.forecast {
                            Some(Ok(steps)) => forecast(steps),
                            Some(Err(e)) => html! { <p class="diagnostic">{e.clone()}</p> },
                            None => html! {},
                        } }
                        if let Some(a) = analysis.as_ref() {
                            { analysis::analysis(a) }
                        }
                        <details class="build-log">
                            <summary>{format!("Build log (docker build --progress=plain) · simulated {:.1}s", build.simulated_ms as f64 / 1000.0)}</summary>
                            <pre class="log">{build.log.clone()}</pre>
                        </details>
                    </section>
                }
                if show_right {
                    <section class={classes!("panel", "right-panel", fold_right.then_some("folded"))} aria-label="Containers, tags and registries">
                        { fold(Panel::Runtime, "Containers and tags") }
                        <div class="tabs" role="tablist">
                            { tab(&state, RightTab::Runtime, "Containers", |_| Action::Tab(RightTab::Runtime)) }
                            { tab(&state, RightTab::Tags, "Tags & registries", |_| Action::Tab(RightTab::Tags)) }
                        </div>
                        if state.right_tab == RightTab::Runtime {
                            { runtime(&containers, &volumes) }
                        } else {
                            { tags(&images, &repos, &state.marks, &on_show_image) }
                        }
                    </section>
                }
                if show_term {
                    <section class={classes!("panel", "terminal-panel", fold_term.then_some("folded"))} aria-label="Terminal">
                        { fold(Panel::Terminal, "Terminal") }
                        <Terminal lines={state.term.clone()} history={state.history.clone()} attached={state.attached.clone()} {on_command} {on_select_id} />
                    </section>
                }
            </main>
        </div>
    }
}
