//! Example projects shipped with layerlab: a Dockerfile plus its build context.
//!
//! The default is the seed's Node API (`docs/seed`): the Dockerfile that copies the
//! dependency manifests first, installs, then copies the rest of the source. The
//! others each teach one more idea: the same pattern for Python, a multi-stage build,
//! an image that is only files on top of a server, and what goes wrong without the
//! pattern (the build checks and the efficiency view have something to say about
//! every line of it). All of them build with the simulated base images of
//! `engine::base::catalog()` (checked by `tests/suite/examples_build.rs`).

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

/// An [`ExampleFile`] read from `<example dir>/<path>` at compile time.
macro_rules! example_file {
    ($dir:literal, $path:literal) => {
        ExampleFile {
            path: $path,
            text: include_str!(concat!($dir, "/", $path)),
        }
    };
}

/// The seed's Node API, the example the page opens on.
pub const NODE_API: Example = Example {
    id: "node-api",
    title: "Node API (the seed's example)",
    tag: "my-api:1.0",
    dockerfile: include_str!("node-api/Dockerfile"),
    context: &[
        example_file!("node-api", ".dockerignore"),
        example_file!("node-api", "package.json"),
        example_file!("node-api", "package-lock.json"),
        example_file!("node-api", "server.js"),
    ],
};

/// A Flask app on `python:3.12-slim`: requirements first, `pip install
/// --no-cache-dir` (no wheel cache left in the layer), then the source, run as a
/// non-root user.
pub const PYTHON_FLASK: Example = Example {
    id: "python-flask",
    title: "Python Flask app",
    tag: "flask-app:1.0",
    dockerfile: include_str!("python-flask/Dockerfile"),
    context: &[
        example_file!("python-flask", ".dockerignore"),
        example_file!("python-flask", "requirements.txt"),
        example_file!("python-flask", "app.py"),
        example_file!("python-flask", "templates/index.html"),
    ],
};

/// A multi-stage build: the Go toolchain stage produces a binary, and only that
/// binary is copied (`COPY --from=build`) into a small alpine runtime image. The
/// compile step is a stand-in written with shell commands, and its Dockerfile comment
/// says so: layerlab simulates the shell and package managers, not `go build`.
pub const GO_MULTISTAGE: Example = Example {
    id: "go-multistage",
    title: "Go multi-stage build",
    tag: "hello-go:1.0",
    dockerfile: include_str!("go-multistage/Dockerfile"),
    context: &[
        example_file!("go-multistage", "go.mod"),
        example_file!("go-multistage", "main.go"),
    ],
};

/// A static site on `nginx:alpine`: the image is the server's layers plus two
/// `COPY` layers of plain files; the base image's ENTRYPOINT/CMD run the server.
pub const STATIC_NGINX: Example = Example {
    id: "static-nginx",
    title: "Static site on nginx",
    tag: "my-site:1.0",
    dockerfile: include_str!("static-nginx/Dockerfile"),
    context: &[
        example_file!("static-nginx", "nginx.conf"),
        example_file!("static-nginx", "site/index.html"),
        example_file!("static-nginx", "site/about.html"),
        example_file!("static-nginx", "site/style.css"),
    ],
};

/// The seed's API built the wrong way: a secret in `ENV`, `COPY . .` before the
/// install (any edit re-runs `npm install`), `apt-get update` in its own cached RUN,
/// debugging tools in the image, cleanup in a later layer (the bytes stay in the
/// earlier one), no `.dockerignore` (notes with a password are copied in), and a
/// shell-form `CMD` (`/bin/sh` is PID 1 and swallows SIGTERM).
pub const BAD_PRACTICE: Example = Example {
    id: "bad-practice",
    title: "Bad practices (find what is wrong)",
    tag: "my-api:bad",
    dockerfile: include_str!("bad-practice/Dockerfile"),
    context: &[
        example_file!("bad-practice", "package.json"),
        example_file!("bad-practice", "package-lock.json"),
        example_file!("bad-practice", "server.js"),
        example_file!("bad-practice", "notes.txt"),
    ],
};

/// Every example, the default first.
pub const ALL: &[Example] = &[
    NODE_API,
    PYTHON_FLASK,
    GO_MULTISTAGE,
    STATIC_NGINX,
    BAD_PRACTICE,
];

/// The example with this id.
pub fn by_id(id: &str) -> Option<&'static Example> {
    ALL.iter().find(|e| e.id == id)
}
