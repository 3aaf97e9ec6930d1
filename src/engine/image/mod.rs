//! Images as real OCI artifacts: the config (whose digest is the image ID), the
//! manifest (whose digest is what `name@sha256:...` pins), indexes, chain IDs,
//! validation as image-spec does it, the blob and image stores behind `docker images`
//! / `tag` / `rmi` / `image prune`, and export/import as an OCI image layout that
//! `docker load`, skopeo and umoci read.
//!
//! JSON goes through serde structs of our own with the spec's exact field spelling
//! rather than the `oci-spec` crate: oci-spec 0.10 (even with only the `image`
//! feature) depends on `regex`, `derive_builder`, `getset`, `strum` and
//! `const_format`, which the 400 KB web bundle and the engine's no-regex rule cannot
//! afford, and its builders would not give us control of byte-exact output.

pub mod chain;
pub mod config;
pub mod json;
pub mod layout;
pub mod manifest;
pub mod media_type;
pub mod store;
pub mod tar;
pub mod validate;

pub use chain::{chain_id_strings, chain_ids};
pub use config::{ContainerConfig, Healthcheck, History, ImageConfig, RootFs};
pub use manifest::{Descriptor, Index, Manifest, Platform};
