//! The seed's image lifecycle as a strip: build → tag → login → push → registry →
//! pull → run → stop → rm (and rmi/prune), the stage of the last command highlighted.

use yew::prelude::*;

use crate::engine::cli::LifecycleStage;

const STAGES: &[(LifecycleStage, &str, &str)] = &[
    (
        LifecycleStage::Build,
        "build",
        "docker build: layers + metadata → local image",
    ),
    (
        LifecycleStage::Tag,
        "tag",
        "docker tag: another name for the same image",
    ),
    (
        LifecycleStage::Login,
        "login",
        "docker login: credentials for a registry",
    ),
    (
        LifecycleStage::Push,
        "push",
        "docker push: upload missing layers + manifest",
    ),
    (
        LifecycleStage::Registry,
        "registry",
        "the registry stores blobs, manifests and tags",
    ),
    (
        LifecycleStage::Pull,
        "pull",
        "docker pull: download missing layers",
    ),
    (
        LifecycleStage::Run,
        "run",
        "docker run: a container = image + writable layer + process",
    ),
    (
        LifecycleStage::Stop,
        "stop",
        "docker stop: the process ends, the writable layer stays",
    ),
    (
        LifecycleStage::Rm,
        "rm",
        "docker rm: the writable layer is deleted",
    ),
    (
        LifecycleStage::Rmi,
        "rmi / prune",
        "docker rmi / image prune: remove image references and unused layers",
    ),
];

/// A view function rather than a component: it keeps no state, and each component
/// type adds its own copy of Yew's component machinery to the bundle.
pub fn lifecycle(current: Option<LifecycleStage>) -> Html {
    html! {
        <nav class="lifecycle" aria-label="image lifecycle">
            <ol>
                { for STAGES.iter().enumerate().map(|(i, (stage, label, what))| {
                    let active = current == Some(*stage);
                    html! {
                        <>
                            if i > 0 { { super::markup::fixed("<li aria-hidden=\"true\" class=\"arrow\">→</li>") } }
                            <li class={classes!("stage", active.then_some("active"))}
                                title={*what}
                                aria-current={active.then_some("step")}>
                                {*label}
                            </li>
                        </>
                    }
                }) }
            </ol>
        </nav>
    }
}
