//! Parser timing figures: `cargo run --release --example bench_parse`.
//! Prints `name: value unit` lines (median of several runs):
//! the seed's Dockerfile (microseconds) and a generated 10,000-line Dockerfile
//! (milliseconds, target < 10 ms): the parser alone, then parser + instruction
//! typing.

use std::time::Instant;

use layerlab::engine::dockerfile::{parse, Dockerfile};

/// The example Dockerfile from the seed text (docker-image-build-vs-runtime).
const SEED: &str = "FROM node:lts-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";

fn generated(lines: usize) -> String {
    let mut s =
        String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\nFROM $BASE AS build\n");
    let mut n = 3;
    let mut i = 0;
    while n < lines {
        let chunk = match i % 8 {
            0 => format!("RUN apk add --no-cache pkg{i} && \\\n    echo built {i} > /tmp/{i}\n"),
            1 => format!("ENV VAR_{i}=\"value {i}\" OTHER_{i}=$VAR_{i}\n"),
            2 => format!("COPY --chown=app:app src/{i} /app/src/{i}\n"),
            3 => format!("LABEL org.example.k{i}=v{i}\n"),
            4 => format!("RUN <<EOF\necho heredoc {i}\nEOF\n"),
            5 => format!("WORKDIR /app/{i}\n"),
            6 => format!("CMD [\"node\", \"server{i}.js\"]\n"),
            _ => format!("EXPOSE {}/tcp\n", 1000 + i % 60000),
        };
        n += chunk.matches('\n').count();
        s.push_str(&chunk);
        i += 1;
    }
    s
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

fn time<F: FnMut()>(runs: usize, mut f: F) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect()
}

fn main() {
    let seed = time(201, || {
        let p = parse(SEED);
        assert!(p.error().is_none());
        std::hint::black_box(Dockerfile::from_source(SEED).ok());
    });
    println!("parse_seed: {:.1} us", median(seed) * 1e6);

    let big = generated(10_000);
    let big_runs = time(21, || {
        let p = parse(&big);
        assert!(p.error().is_none());
        std::hint::black_box(p);
    });
    println!("parse_10k_lines: {:.2} ms", median(big_runs) * 1e3);
    let typed_runs = time(21, || {
        std::hint::black_box(Dockerfile::from_source(&big).ok());
    });
    println!(
        "parse_and_type_10k_lines: {:.2} ms",
        median(typed_runs) * 1e3
    );
}
