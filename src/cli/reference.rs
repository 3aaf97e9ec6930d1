//! `layerlab reference parse REF`: shows how Docker reads an image reference.
//!
//! The reference goes through `ParseNormalizedNamed`, exactly what the docker CLI does to
//! what a user types, and comes out as one JSON object. Errors are
//! distribution/reference's own text on stderr, with exit code 1.

use crate::engine::reference;

#[derive(serde::Serialize)]
struct Parsed {
    name: String,
    domain: String,
    path: String,
    tag: String,
    digest: String,
    familiar: String,
    normalized: String,
}

pub fn run(args: &[String]) -> i32 {
    match args {
        [sub, r] if sub == "parse" => match reference::parse_normalized_named(r) {
            Ok(named) => {
                let parsed = Parsed {
                    name: named.name(),
                    domain: named.domain().to_string(),
                    path: named.path().to_string(),
                    tag: named.tag().unwrap_or("").to_string(),
                    digest: named.digest().unwrap_or("").to_string(),
                    familiar: named.familiar_string(),
                    normalized: named.to_string(),
                };
                match serde_json::to_string(&parsed) {
                    Ok(json) => {
                        println!("{json}");
                        0
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        1
                    }
                }
            }
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        _ => {
            eprintln!("Usage:  layerlab reference parse REF");
            1
        }
    }
}
