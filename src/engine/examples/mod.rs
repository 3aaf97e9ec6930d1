//! Example scenarios shipped with layerlab: a Dockerfile plus its build context.
//!
//! The default is the seed's Node API (`docs/seed`): the Dockerfile that copies the
//! dependency manifests first, installs, then copies the rest of the source.

/// A build context file of an example: path relative to the context root, and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFile {
    pub path: &'static str,
    pub text: &'static str,
}

/// An example project: a Dockerfile, its build context and the tag it is built as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub id: &'static str,
    pub title: &'static str,
    pub tag: &'static str,
    pub dockerfile: &'static str,
    pub context: &'static [ExampleFile],
}

/// The seed's Node API, the example the page opens on.
pub const NODE_API: Example = Example {
    id: "node-api",
    title: "Node API (the seed's example)",
    tag: "my-api:1.0",
    dockerfile: include_str!("node-api/Dockerfile"),
    context: &[
        ExampleFile {
            path: ".dockerignore",
            text: include_str!("node-api/.dockerignore"),
        },
        ExampleFile {
            path: "package.json",
            text: include_str!("node-api/package.json"),
        },
        ExampleFile {
            path: "package-lock.json",
            text: include_str!("node-api/package-lock.json"),
        },
        ExampleFile {
            path: "server.js",
            text: include_str!("node-api/server.js"),
        },
    ],
};

/// Every example, the default first.
pub const ALL: &[Example] = &[NODE_API];
