//! The build: Dockerfile + context + base image → image (layers plus metadata).
//!
//! `plan` is the first slice: it reads the instructions and says which of them will
//! make a filesystem layer and which only change metadata, as BuildKit decides it.

// pub mod context; (waits for dockerignore::Matcher)
pub mod executor;
pub mod plan;
