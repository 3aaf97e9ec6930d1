//! Export/import of OCI image layouts and `docker save` archives.

use layerlab::engine::digest::Digest;
use layerlab::engine::image::layout::{self, LayoutError};
use layerlab::engine::image::store::{ImageStore, LayerBlob};
use layerlab::engine::image::tar::{self, TarError};
use layerlab::engine::image::{media_type, validate, ImageConfig};
use std::collections::BTreeMap;
use std::io::Write;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn store_with_image() -> (ImageStore, Digest) {
    let mut s = ImageStore::new();
    let tar1 = b"layer one tar bytes".to_vec();
    let tar2 = b"layer two tar bytes".to_vec();
    let layers = vec![
        LayerBlob {
            media_type: media_type::IMAGE_LAYER_GZIP.into(),
            bytes: gzip(&tar1),
            diff_id: Digest::sha256(&tar1),
            uncompressed_size: tar1.len() as u64,
        },
        LayerBlob {
            media_type: media_type::IMAGE_LAYER.into(),
            bytes: tar2.clone(),
            diff_id: Digest::sha256(&tar2),
            uncompressed_size: tar2.len() as u64,
        },
    ];
    let mut config = ImageConfig::default();
    config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
    config.config.cmd = Some(vec!["node".into(), "server.js".into()]);
    let id = s.add_image(&config, layers).unwrap();
    s.tag(&id.to_string(), "my-api:1.0").unwrap();
    s.tag(&id.to_string(), "registry.example.com/my-api:1.0")
        .unwrap();
    (s, id)
}

#[test]
fn layout_has_the_spec_files_and_validates() {
    let (s, id) = store_with_image();
    let files = layout::export(&s, &["my-api:1.0", "registry.example.com/my-api:1.0"]).unwrap();
    assert_eq!(files["oci-layout"], br#"{"imageLayoutVersion":"1.0.0"}"#);
    validate::validate(media_type::OCI_LAYOUT_HEADER, &files["oci-layout"]).unwrap();
    validate::validate(media_type::IMAGE_INDEX, &files["index.json"]).unwrap();
    let index: serde_json::Value = serde_json::from_slice(&files["index.json"]).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 2);
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "1.0"
    );
    assert_eq!(
        index["manifests"][0]["annotations"]["io.containerd.image.name"],
        "docker.io/library/my-api:1.0"
    );
    let docker: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(docker[0]["Config"], format!("blobs/sha256/{}", id.hex()));
    assert_eq!(
        docker[0]["RepoTags"],
        serde_json::json!(["my-api:1.0", "registry.example.com/my-api:1.0"])
    );
    // Every blob is stored under its own digest.
    for (path, bytes) in &files {
        if let Some(hex) = path.strip_prefix("blobs/sha256/") {
            assert_eq!(Digest::sha256(bytes).hex(), hex);
        }
    }
}

#[test]
fn tar_round_trip_keeps_ids_digests_and_names() {
    let (s, id) = store_with_image();
    let tar = layout::export_tar(&s, &["my-api:1.0"]).unwrap();
    assert_eq!(
        layout::export_tar(&s, &["my-api:1.0"]).unwrap(),
        tar,
        "deterministic"
    );
    let mut fresh = ImageStore::new();
    let loaded = layout::import_tar(&mut fresh, &tar).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].id, id);
    assert_eq!(loaded[0].lines(), ["Loaded image: my-api:1.0"]);
    let original = s.image(&id).unwrap();
    let copy = fresh.image(&id).unwrap();
    assert_eq!(copy.manifest_digest, original.manifest_digest);
    assert_eq!(copy.layers, original.layers);
    assert_eq!(fresh.resolve("my-api:1.0").unwrap(), id);
}

#[test]
fn docker_save_archive_loads() {
    let layer = b"a layer tar".to_vec();
    let mut config = ImageConfig::default();
    config.rootfs.diff_ids = vec![Digest::sha256(&layer)];
    let config_bytes = config.to_bytes().unwrap();
    let id = Digest::sha256(&config_bytes);
    let mut files = BTreeMap::new();
    files.insert(format!("{}.json", id.hex()), config_bytes);
    files.insert("abc/layer.tar".to_string(), layer);
    files.insert(
        "manifest.json".to_string(),
        format!(
            r#"[{{"Config":"{}.json","RepoTags":["busybox:1.35"],"Layers":["abc/layer.tar"]}}]"#,
            id.hex()
        )
        .into_bytes(),
    );
    let mut s = ImageStore::new();
    let loaded = layout::import_tar(&mut s, &tar::write(&files).unwrap()).unwrap();
    assert_eq!(loaded[0].id, id);
    assert_eq!(loaded[0].lines(), ["Loaded image: busybox:1.35"]);
}

#[test]
fn hostile_and_corrupt_archives_are_refused() {
    let (s, _) = store_with_image();
    let mut files = layout::export(&s, &["my-api:1.0"]).unwrap();
    // A blob that does not match its name.
    let blob = files
        .keys()
        .find(|k| k.starts_with("blobs/"))
        .unwrap()
        .clone();
    files.insert(blob, b"tampered".to_vec());
    let err = layout::import_files(&mut ImageStore::new(), files).unwrap_err();
    assert!(err.to_string().contains("mismatch"), "{err}");

    for bad in ["../etc/passwd", "/etc/passwd", "a/../../x"] {
        let mut tar = tar::write(&BTreeMap::from([("x".to_string(), b"1".to_vec())])).unwrap();
        // Rewrite the name field and fix the checksum.
        tar[..100].fill(0);
        tar[..bad.len()].copy_from_slice(bad.as_bytes());
        tar[148..156].copy_from_slice(b"        ");
        let sum: u64 = tar[..512].iter().map(|&b| u64::from(b)).sum();
        tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let err = layout::import_tar(&mut ImageStore::new(), &tar).unwrap_err();
        assert_eq!(
            err,
            LayoutError::Tar(TarError::UnsafePath(bad.to_string())),
            "{bad}"
        );
    }

    // A size field far past the end of the archive.
    let mut tar = tar::write(&BTreeMap::from([("x".to_string(), b"1".to_vec())])).unwrap();
    tar[124..136].copy_from_slice(b"77777777777\0");
    tar[148..156].copy_from_slice(b"        ");
    let sum: u64 = tar[..512].iter().map(|&b| u64::from(b)).sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    assert!(matches!(
        layout::import_tar(&mut ImageStore::new(), &tar),
        Err(LayoutError::Tar(TarError::Truncated { .. }))
    ));

    assert_eq!(
        layout::import_tar(&mut ImageStore::new(), &[]),
        Err(LayoutError::UnknownFormat)
    );
    assert!(layout::import_tar(&mut ImageStore::new(), &[7u8; 1024]).is_err());
}

/// `docker save -o` in the terminal: the archive of a built image loads into a fresh
/// store as the same image (same ID, same references, every layer's bytes verified).
#[test]
fn docker_save_writes_an_archive_that_loads_back_as_the_same_image() {
    use layerlab::engine::build::{BuildContext, ContextFile};
    use layerlab::engine::cli::run;
    use layerlab::engine::world::World;
    let ex = layerlab::engine::examples::by_id("node-api").unwrap();
    let files = ex.context.iter().map(|f| ContextFile::text(f.path, f.text));
    let mut w = World::with_context(BuildContext::from_files(files).unwrap(), ex.dockerfile);
    assert_eq!(run(&mut w, "docker build -q -t my-api:1.0 .").exit_code, 0);
    let id = w.daemon.images.resolve("my-api:1.0").unwrap();
    let refused = run(&mut w, "docker save my-api:1.0");
    assert_eq!(refused.exit_code, 1);
    assert!(refused
        .stderr
        .starts_with("cowardly refusing to save to a terminal"));
    assert!(refused.file.is_none());
    let missing = run(&mut w, "docker save -o x.tar nope:1");
    assert_eq!(
        (missing.exit_code, missing.stderr.as_str()),
        (1, "Error response from daemon: No such image: nope:1\n")
    );
    let out = run(&mut w, "docker image save -o out/my-api.tar my-api:1.0");
    assert_eq!(
        (out.exit_code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let file = out.file.expect("a saved file");
    assert_eq!(file.name, "my-api.tar");
    let (entries, _) = tar::read(&file.bytes).unwrap();
    for f in ["oci-layout", "index.json", "manifest.json"] {
        assert!(entries.contains_key(f), "{f} missing");
    }
    let mut fresh = ImageStore::new();
    let loaded = layout::import_tar(&mut fresh, &file.bytes).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].id, id);
    assert_eq!(loaded[0].lines(), ["Loaded image: my-api:1.0"]);
    // Every layer of the image, the base's included, travelled in the archive.
    let img = fresh.image(&id).unwrap();
    assert_eq!(
        img.layers.len(),
        w.daemon.images.image(&id).unwrap().layers.len()
    );
    assert!(img.layers.len() >= 5);
    // Loaded back into a world, the image's stack comes from its history: a row per
    // entry, the filesystem ones holding the layers in order, no Dockerfile lines.
    let mut w2 = World::new();
    w2.host_files
        .insert("my-api.tar".into(), file.bytes.clone());
    assert_eq!(run(&mut w2, "docker load -i my-api.tar").exit_code, 0);
    let loaded = w2.daemon.find_image("my-api:1.0").unwrap();
    let rows = layerlab::engine::analysis::history_rows(&loaded);
    assert_eq!(rows.len(), loaded.config.history.len());
    let fs_rows: Vec<_> = rows.iter().filter(|r| r.diff_id.is_some()).collect();
    assert_eq!(fs_rows.len(), loaded.layers.len());
    for (r, l) in fs_rows.iter().zip(&loaded.layers) {
        assert_eq!(r.diff_id.as_ref(), Some(&l.diff_id));
    }
    assert!(rows.iter().all(|r| r.line == 0));
    assert_eq!(
        rows.last().unwrap().instruction,
        "CMD [\"node\" \"server.js\"]"
    );
    assert_eq!(fs_rows.last().unwrap().instruction, "COPY . .");
    // `docker save | gzip` archives load too (a small image: gzip is slow in debug
    // builds); something else is refused with a reason.
    let small = BuildContext::from_files([ContextFile::text("a.txt", "a\n")]).unwrap();
    let mut w3 = World::with_context(small, "FROM scratch\nCOPY a.txt /\n");
    assert_eq!(run(&mut w3, "docker build -q -t small:1 .").exit_code, 0);
    let saved = run(&mut w3, "docker save -o small.tar small:1")
        .file
        .unwrap();
    assert_eq!(run(&mut w3, "docker rmi small:1").exit_code, 0);
    w3.host_files
        .insert("small.tar.gz".into(), std::rc::Rc::new(gzip(&saved.bytes)));
    w3.host_files.insert(
        "junk.tar".into(),
        std::rc::Rc::new(b"not an archive at all".to_vec()),
    );
    let out = run(&mut w3, "docker load -i small.tar.gz");
    assert_eq!(
        (out.exit_code, out.stdout.as_str()),
        (0, "Loaded image: small:1\n")
    );
    let junk = run(&mut w3, "docker load -i junk.tar");
    assert_eq!(junk.exit_code, 1);
    assert!(
        junk.stderr.starts_with("Error response from daemon: "),
        "{}",
        junk.stderr
    );
    assert!(junk.stderr.len() > "Error response from daemon: \n".len());
    // Over the memory limit: refused, and nothing of it stays.
    let mut w4 = World::new();
    let err = w4
        .daemon
        .load_archive_within(&saved.bytes, 10)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("more than the 10 layerlab keeps in memory"),
        "{err}"
    );
    assert!(w4.daemon.images.images().next().is_none());
}
