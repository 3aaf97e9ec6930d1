//! The Yew web application (wasm32 only).

pub fn start() {}
