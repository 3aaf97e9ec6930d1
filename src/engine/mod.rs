//! The pure engine: everything layerlab knows about Dockerfiles, images, layers,
//! containers and registries.
//!
//! Architecture invariant: nothing under `engine/` does IO, reads a clock, spawns
//! threads or draws randomness (see `tests/suite/purity.rs`). Time comes in as a value,
//! RUN goes through an executor trait, so the browser, the tests and the native CLI
//! all get the same, deterministic results.

pub mod analysis;
pub mod base;
pub mod build;
pub mod cli;
pub mod clock;
pub mod daemon;
pub mod digest;
pub mod dockerfile;
pub mod examples;
pub mod fs;
pub mod image;
pub mod layer;
pub mod lessons;
pub mod pkg;
pub mod reference;
pub mod registry;
pub mod runtime;
pub mod scenario;
pub mod shell;
pub mod sort;
pub mod teach;
pub mod world;
