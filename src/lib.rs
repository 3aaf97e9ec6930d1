//! layerlab: Docker you can take apart.
//!
//! * [`engine`] is pure (no IO, clock, threads or randomness) and runs the same in the
//!   browser, in tests and natively.
//! * `ui` (wasm32 only) is the Yew web application.
//! * `cli` (host only) is the `layerlab` command-line binary.

pub mod engine;

#[cfg(target_arch = "wasm32")]
pub mod ui;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(all(feature = "native", target_os = "linux"))]
pub mod native;
