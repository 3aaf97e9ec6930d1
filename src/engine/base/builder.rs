//! Building a simulated image layer by layer, the way its Dockerfile did: each `layer`
//! runs a closure over the root filesystem and snapshots it, each `meta` adds an
//! `empty_layer` history row.

use super::{BaseHistory, BaseImage};
use crate::engine::fs::{Fs, Metadata};
use crate::engine::pkg::Tree;
use std::fmt::Write as _;

/// The comment BuildKit puts on every history entry it creates.
pub(crate) const BUILDKIT: &str = "buildkit.dockerfile.v0";

pub(crate) struct ImageBuilder {
    pub(crate) fs: Fs,
    pub(crate) snapshots: Vec<Fs>,
    pub(crate) history: Vec<BaseHistory>,
    pub(crate) env: Vec<String>,
    pub(crate) cmd: Option<Vec<String>>,
    pub(crate) entrypoint: Option<Vec<String>>,
    pub(crate) working_dir: String,
    pub(crate) labels: Vec<(String, String)>,
}

pub(crate) fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl ImageBuilder {
    pub(crate) fn new(mtime: i64) -> ImageBuilder {
        ImageBuilder {
            fs: Fs::with_root(Metadata::new(0o755, 0, 0, mtime)),
            snapshots: Vec::new(),
            history: Vec::new(),
            env: Vec::new(),
            cmd: None,
            entrypoint: None,
            working_dir: String::new(),
            labels: Vec::new(),
        }
    }

    /// Continue from a parent image (`FROM alpine:3.20`): its layers, history and config.
    pub(crate) fn from(base: BaseImage) -> ImageBuilder {
        ImageBuilder {
            fs: base.snapshots.last().cloned().unwrap_or_default(),
            snapshots: base.snapshots,
            history: base.history,
            env: base.env,
            cmd: base.cmd,
            entrypoint: base.entrypoint,
            working_dir: base.working_dir,
            labels: base.labels,
        }
    }

    /// A filesystem layer made at `created` by `created_by`.
    ///
    /// `f` is a `dyn` closure so that the two dozen image steps share one copy of this
    /// function instead of one monomorphised copy each (the web bundle's size budget).
    pub(crate) fn layer(
        &mut self,
        created: i64,
        created_by: &str,
        comment: Option<&str>,
        f: &mut dyn FnMut(&mut Tree<'_>),
    ) {
        let mut tree = Tree::new(&mut self.fs, 0, 0, created);
        f(&mut tree);
        self.snapshots.push(self.fs.clone());
        self.history.push(BaseHistory {
            created,
            created_by: created_by.to_string(),
            empty_layer: false,
            comment: comment.map(str::to_string),
        });
    }

    /// A metadata-only instruction (`ENV`, `CMD`, ...).
    pub(crate) fn meta(&mut self, created: i64, created_by: &str, comment: Option<&str>) {
        self.history.push(BaseHistory {
            created,
            created_by: created_by.to_string(),
            empty_layer: true,
            comment: comment.map(str::to_string),
        });
    }

    /// `ENV K=V` as BuildKit records it, updating the config's Env in place.
    pub(crate) fn env(&mut self, created: i64, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        match self
            .env
            .iter_mut()
            .find(|e| e.split('=').next() == Some(key))
        {
            Some(e) => *e = entry.clone(),
            None => self.env.push(entry.clone()),
        }
        self.meta(created, &format!("ENV {entry}"), Some(BUILDKIT));
    }

    pub(crate) fn finish(self, reference: &str, created: i64) -> BaseImage {
        BaseImage {
            reference: reference.to_string(),
            memo_reference: reference.to_string(),
            snapshots: self.snapshots,
            env: self.env,
            cmd: self.cmd,
            entrypoint: self.entrypoint,
            working_dir: self.working_dir,
            user: String::new(),
            exposed_ports: Vec::new(),
            volumes: Vec::new(),
            labels: self.labels,
            stop_signal: None,
            history: self.history,
            created,
            architecture: "amd64".to_string(),
            os: "linux".to_string(),
        }
    }
}

/// Appends a user and its group the way `adduser -D`/`useradd` write them.
pub(crate) fn add_user(
    tree: &mut Tree<'_>,
    name: &str,
    uid: u32,
    home: &str,
    shell: &str,
    gecos: &str,
) {
    let mut passwd = tree.read("/etc/passwd");
    let _ = writeln!(passwd, "{name}:x:{uid}:{uid}:{gecos}:{home}:{shell}");
    tree.text("/etc/passwd", &passwd, 0o644);
    let mut group = tree.read("/etc/group");
    let _ = writeln!(group, "{name}:x:{uid}:");
    tree.text("/etc/group", &group, 0o644);
    let mut shadow = tree.read("/etc/shadow");
    let _ = writeln!(shadow, "{name}:!:19993:0:99999:7:::");
    tree.text("/etc/shadow", &shadow, 0o640);
    if home != "/nonexistent" && home != "/var/cache/nginx" {
        tree.dir(home, 0o755);
        let _ = tree.fs.chown(home, uid, uid);
    }
}
