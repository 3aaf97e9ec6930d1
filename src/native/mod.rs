//! Native mode (Linux, `--features native`): where layerlab stops simulating.
//!
//! * [`store`]: `$LAYERLAB_HOME`, an on-disk store that *is* an OCI image layout
//!   (`oci-layout`, `index.json`, `blobs/sha256/`), written crash-safely and locked
//!   against concurrent `layerlab` processes, with `fsck`.
//! * [`registry`]: an OCI distribution client (plain HTTP, for a local registry).
//! * [`exec`]: [`exec::RuncExecutor`], the real `Executor` for RUN: overlayfs over the
//!   materialised rootfs, `runc run` in fresh namespaces, the upper dir read back.
//! * [`buildcache`]: the build cache kept in the store between `layerlab build` runs.
//! * [`busybox`]: a base rootfs from Debian's `busybox-static`.
//! * [`progress`]: progress bars on stderr (terminal only) for push/pull and real RUN.
//! * [`cli`]: the `layerlab` verbs that use the store (`load`, `save`, `images`, `tag`,
//!   `rmi`, `push`, `pull`, `fsck`).
//!
//! Architecture invariant: everything here depends on `engine`, never the reverse; the
//! engine's semantics (reference parsing, `rmi` rules, layout import/export, layer tars)
//! are reused, not re-implemented.

pub mod build;
pub mod buildcache;
pub mod busybox;
pub mod cli;
pub mod container;
pub mod exec;
pub mod fsio;
pub mod http;
pub mod progress;
pub mod registry;
pub mod store;
