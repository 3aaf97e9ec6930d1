#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(layerlab::cli::main());
}
