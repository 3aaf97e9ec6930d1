//! `layerlab load -i FILE [-o OUT]` and `layerlab save`.
//!
//! The host CLI has no persistent store yet, so `load` imports into a fresh in-memory
//! store, prints docker's `Loaded image: NAME` lines, and with `-o OUT` writes the
//! loaded images back out as an OCI layout tar (with Docker's `manifest.json`). The
//! work itself is `engine::image::layout`, which the lead can wire to a real store.

use crate::engine::image::layout;
use crate::engine::image::store::ImageStore;

fn flag<'a>(args: &'a [String], names: &[&str]) -> Option<&'a str> {
    args.windows(2)
        .find(|w| names.contains(&w[0].as_str()))
        .map(|w| w[1].as_str())
}

pub fn load(args: &[String]) -> i32 {
    let Some(input) = flag(args, &["-i", "--input"]) else {
        eprintln!("Usage:  layerlab load -i FILE [-o OUT]");
        return 1;
    };
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("open {input}: {e}");
            return 1;
        }
    };
    let mut store = ImageStore::new();
    let loaded = match layout::import_tar(&mut store, &bytes) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    for image in &loaded {
        for line in image.lines() {
            println!("{line}");
        }
    }
    if let Some(out) = flag(args, &["-o", "--output"]) {
        let names: Vec<String> = loaded
            .iter()
            .flat_map(|l| {
                if l.references.is_empty() {
                    vec![l.id.to_string()]
                } else {
                    l.references.iter().map(|r| r.to_string()).collect()
                }
            })
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let written = layout::export_tar(&store, &names).map_err(|e| e.to_string());
        if let Err(e) = written
            .and_then(|tar| std::fs::write(out, tar).map_err(|e| format!("write {out}: {e}")))
        {
            eprintln!("{e}");
            return 1;
        }
    }
    0
}

/// `save` needs images that outlive one command: the on-disk store of native mode.
pub fn save(_args: &[String]) -> i32 {
    eprintln!(
        "layerlab save: images live in the on-disk store of native mode; run `layerlab` built with \
`--features native` (e.g. `cargo run --features native -- save -o FILE IMAGE...`), or write a \
build's image directly with `layerlab build --output type=oci,dest=FILE DIR`"
    );
    1
}
