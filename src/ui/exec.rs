//! The executor the page uses for RUN: the engine's simulated shell.

pub use crate::engine::build::simulated::SimulatedExecutor;
