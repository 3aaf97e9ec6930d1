//! engine::analysis with hand-computed expectations: change trees with whiteouts and
//! opaque directories, the cumulative tree, dive's wasted bytes (each hidden version
//! counted once) and the "what would rebuild?" forecast.

use layerlab::engine::analysis::{
    efficiency, image_tree, last_writers, layer_tree, what_would_rebuild, AnalysisError,
    LayerChange, StepOutcome, Tree,
};
use layerlab::engine::build::{BuildContext, ContextFile, MissReason};
use layerlab::engine::cli;
use layerlab::engine::daemon::ImageRecord;
use layerlab::engine::examples::NODE_API;
use layerlab::engine::fs::FileType;
use layerlab::engine::world::World;

const MB10: usize = 10 * 1024 * 1024;

fn world(dockerfile: &str, files: Vec<ContextFile>) -> World {
    World::with_context(BuildContext::from_files(files).unwrap(), dockerfile)
}

fn build(w: &mut World, tag: &str) -> ImageRecord {
    let o = cli::run(w, &format!("docker build -t {tag} ."));
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    w.daemon.find_image(tag).unwrap()
}

fn seed() -> World {
    let files = NODE_API
        .context
        .iter()
        .map(|f| ContextFile::text(f.path, f.text))
        .collect();
    world(NODE_API.dockerfile, files)
}

/// Every tree invariant the UI relies on: pre-order, parents before children, sizes.
fn check_shape<T>(t: &Tree<T>) {
    assert_eq!(t.root().path, "/");
    for (i, n) in t.nodes.iter().enumerate() {
        let sum: u64 = n.children.iter().map(|c| t.nodes[*c].total_size).sum();
        assert_eq!(n.total_size, n.size + sum, "{}", n.path);
        for c in &n.children {
            assert!(*c > i);
            assert_eq!(t.nodes[*c].parent, Some(i));
            assert_eq!(t.nodes[*c].depth, n.depth + 1);
        }
        if i > 0 {
            assert!(t.nodes[i - 1].path.as_str() != n.path.as_str());
        }
    }
}

#[test]
fn ten_megabytes_then_rm_wastes_ten_megabytes() {
    let mut w = world(
        "FROM busybox\nCOPY big.bin /big.bin\nRUN rm /big.bin\n",
        vec![ContextFile {
            path: "big.bin".into(),
            bytes: vec![0u8; MB10],
            mode: 0o644,
        }],
    );
    let img = build(&mut w, "waste:1");
    let n = img.layers.len();
    let e = efficiency(&img.layers);
    assert_eq!(e.wasted_bytes, MB10 as u64);
    assert_eq!(e.wasted.len(), 1, "{:?}", e.wasted);
    assert_eq!(e.wasted[0].path, "/big.bin");
    assert_eq!(e.wasted[0].count, 1);
    assert_eq!(e.wasted[0].layers, vec![n - 2]);
    let base_bytes: u64 = img.layers[0].rootfs().total_size();
    assert_eq!(e.total_bytes, base_bytes + MB10 as u64);
    let expected = 1.0 - MB10 as f64 / (base_bytes + MB10 as u64) as f64;
    assert!((e.score - expected).abs() < 1e-12, "{} {expected}", e.score);

    // The rm layer: one whiteout, hiding the 10 MB still stored below.
    let t = layer_tree(&img.layers, n - 1).unwrap();
    check_shape(&t);
    let big = t.get("/big.bin").unwrap();
    assert_eq!(big.info.change, Some(LayerChange::Deleted));
    assert!(big.info.whiteout);
    assert_eq!(big.info.whiteout_entry.as_deref(), Some(".wh.big.bin"));
    assert_eq!(big.info.hidden_bytes, MB10 as u64);
    assert_eq!(big.file_type, Some(FileType::File));
    assert_eq!(big.size, 0);
    // The COPY layer: the file added with its size.
    let t = layer_tree(&img.layers, n - 2).unwrap();
    let big = t.get("/big.bin").unwrap();
    assert_eq!(big.info.change, Some(LayerChange::Added));
    assert!(!big.info.whiteout);
    assert_eq!(big.size, MB10 as u64);
    assert_eq!(t.root().total_size, MB10 as u64);
    // Gone from the cumulative view.
    assert!(image_tree(&img.layers).get("/big.bin").is_none());
    assert!(!last_writers(&img.layers).contains_key("/big.bin"));
}

#[test]
fn each_hidden_version_counts_once() {
    // 100 bytes, then appended to (the whole 104-byte file is stored again), then
    // deleted: 100 + 104 wasted, two versions.
    let mut w = world(
        "FROM busybox\nCOPY a.txt /a.txt\nRUN echo abc >> /a.txt\nRUN rm /a.txt\n",
        vec![ContextFile::text("a.txt", &"x".repeat(100))],
    );
    let img = build(&mut w, "twice:1");
    let n = img.layers.len();
    let e = efficiency(&img.layers);
    let a = e.wasted.iter().find(|w| w.path == "/a.txt").unwrap();
    assert_eq!(a.count, 2);
    assert_eq!(a.bytes, 204);
    assert_eq!(a.layers, vec![n - 3, n - 2]);
    assert_eq!(
        layer_tree(&img.layers, n - 2)
            .unwrap()
            .get("/a.txt")
            .unwrap()
            .info
            .change,
        Some(LayerChange::Modified)
    );
}

#[test]
fn recreated_directory_is_opaque_and_hides_everything_below() {
    let mut w = world(
        "FROM busybox\nCOPY data/ /data/\nRUN rm -rf /data && mkdir /data && echo new > /data/new.txt\n",
        vec![
            ContextFile::text("data/one.txt", &"1".repeat(1000)),
            ContextFile::text("data/sub/two.txt", &"2".repeat(500)),
        ],
    );
    let img = build(&mut w, "opaque:1");
    let n = img.layers.len();
    let t = layer_tree(&img.layers, n - 1).unwrap();
    check_shape(&t);
    let data = t.get("/data").unwrap();
    assert_eq!(data.info.change, Some(LayerChange::OpaqueDir));
    assert!(data.info.whiteout);
    assert_eq!(
        data.info.whiteout_entry.as_deref(),
        Some("data/.wh..wh..opq")
    );
    assert_eq!(data.info.hidden_bytes, 1500);
    assert_eq!(data.total_size, 4);
    assert_eq!(
        t.get("/data/new.txt").unwrap().info.change,
        Some(LayerChange::Added)
    );
    let e = efficiency(&img.layers);
    let mine: Vec<(&str, u64)> = e
        .wasted
        .iter()
        .filter(|w| w.path.starts_with("/data"))
        .map(|w| (w.path.as_str(), w.bytes))
        .collect();
    assert_eq!(
        mine,
        vec![("/data/one.txt", 1000), ("/data/sub/two.txt", 500)]
    );
    let writers = last_writers(&img.layers);
    assert_eq!(writers.get("/data/new.txt"), Some(&(n - 1)));
    assert!(!writers.contains_key("/data/one.txt"));
}

#[test]
fn seed_copy_dot_recopies_the_manifests_once() {
    let mut w = seed();
    let img = build(&mut w, "my-api:1.0");
    let n = img.layers.len();
    let package = NODE_API
        .context
        .iter()
        .find(|f| f.path == "package.json")
        .unwrap()
        .text
        .len() as u64;
    let lock = NODE_API
        .context
        .iter()
        .find(|f| f.path == "package-lock.json")
        .unwrap()
        .text
        .len() as u64;
    let e = efficiency(&img.layers);
    let copy_manifests = n - 3; // COPY package*.json ./ (then RUN npm ci, COPY . .)
    for (path, bytes) in [
        ("/app/package.json", package),
        ("/app/package-lock.json", lock),
    ] {
        let w = e.wasted.iter().find(|w| w.path == path).unwrap();
        assert_eq!((w.count, w.bytes), (1, bytes), "{path}");
        assert_eq!(w.layers, vec![copy_manifests], "{path}");
    }
    assert!(e.score > 0.99 && e.score < 1.0, "{}", e.score);

    // The COPY . . layer re-writes the manifests (Modified) and adds the source.
    let t = layer_tree(&img.layers, n - 1).unwrap();
    check_shape(&t);
    assert_eq!(t.get("/app").unwrap().info.change, None);
    assert_eq!(
        t.get("/app/package.json").unwrap().info.change,
        Some(LayerChange::Modified)
    );
    assert_eq!(
        t.get("/app/server.js").unwrap().info.change,
        Some(LayerChange::Added)
    );

    // Cumulative tree: who wrote what.
    let it = image_tree(&img.layers);
    check_shape(&it);
    assert_eq!(it.get("/app/server.js").unwrap().info, Some(n - 1));
    assert_eq!(it.get("/app/node_modules").unwrap().info, Some(n - 2));
    assert_eq!(it.get("/app/package.json").unwrap().info, Some(n - 1));
    assert_eq!(it.root().info, None);
    assert_eq!(it.root().total_size, img.rootfs().total_size());
}

#[test]
fn layer_index_out_of_range_is_an_error() {
    let mut w = seed();
    let img = build(&mut w, "my-api:1.0");
    let n = img.layers.len();
    assert_eq!(
        layer_tree(&img.layers, n).unwrap_err(),
        AnalysisError::NoSuchLayer { index: n, count: n }
    );
    assert_eq!(efficiency(&[]).score, 1.0);
    assert_eq!(image_tree(&[]).len(), 1);
}

fn edited(path: &str, text: &str) -> BuildContext {
    let mut files: Vec<ContextFile> = NODE_API
        .context
        .iter()
        .map(|f| ContextFile::text(f.path, f.text))
        .collect();
    for f in &mut files {
        if f.path == path {
            f.bytes = text.as_bytes().to_vec();
        }
    }
    BuildContext::from_files(files).unwrap()
}

#[test]
fn forecast_after_editing_source_reuses_npm_ci() {
    let mut w = seed();
    let before = build(&mut w, "my-api:1.0");
    let ctx = edited("server.js", "console.log('v2');\n");
    let f = what_would_rebuild(&w, NODE_API.dockerfile, &ctx).unwrap();
    let got: Vec<(&str, &StepOutcome)> = f
        .iter()
        .map(|s| (s.step.instruction.as_str(), &s.outcome))
        .collect();
    assert_eq!(
        got,
        vec![
            ("FROM docker.io/library/node:lts-alpine", &StepOutcome::Base),
            ("WORKDIR /app", &StepOutcome::Hit),
            ("COPY package*.json ./", &StepOutcome::Hit),
            ("RUN npm ci --omit=dev", &StepOutcome::Hit),
            (
                "COPY . .",
                &StepOutcome::Miss(MissReason::SourcesChanged(vec!["server.js".into()]))
            ),
        ]
    );
    assert_eq!(f.iter().filter(|s| s.would_run()).count(), 1);
    // The world itself is untouched: same image, no new one.
    assert_eq!(w.daemon.find_image("my-api:1.0").unwrap().id, before.id);
    assert_eq!(w.daemon.images.images().count(), 1);
}

#[test]
fn forecast_after_editing_manifest_rebuilds_from_there() {
    let mut w = seed();
    build(&mut w, "my-api:1.0");
    let pkg = NODE_API
        .context
        .iter()
        .find(|f| f.path == "package.json")
        .unwrap()
        .text
        .replace("1.0.0", "1.0.1");
    let ctx = edited("package.json", &pkg);
    let f = what_would_rebuild(&w, NODE_API.dockerfile, &ctx).unwrap();
    let outcomes: Vec<&StepOutcome> = f.iter().map(|s| &s.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            &StepOutcome::Base,
            &StepOutcome::Hit,
            &StepOutcome::Miss(MissReason::SourcesChanged(vec!["package.json".into()])),
            &StepOutcome::Miss(MissReason::ParentChanged),
            &StepOutcome::Miss(MissReason::ParentChanged),
        ]
    );
    // A Dockerfile that does not parse cannot be forecast.
    let err = what_would_rebuild(&w, "FROM node:lts-alpine\nFOO bar\n", &ctx).unwrap_err();
    assert!(matches!(err, AnalysisError::Build(_)), "{err:?}");
    // A failing step is reported as such.
    let f = what_would_rebuild(&w, "FROM node:lts-alpine\nRUN no-such-tool\n", &ctx).unwrap();
    assert!(
        matches!(&f[1].outcome, StepOutcome::Fails(m) if m.contains("exit code: 127")),
        "{:?}",
        f[1]
    );
}
