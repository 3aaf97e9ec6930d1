//! Image store semantics as Docker shows them: tags share one image, `rmi` untags
//! before it deletes, dangling images, `image prune` and `image prune -a`.

use layerlab::engine::digest::Digest;
use layerlab::engine::image::store::{
    BlobStore, ContainerUse, ImageStore, LayerBlob, RemovalLine, StoreError,
};
use layerlab::engine::image::{chain_ids, media_type, ImageConfig};
use std::collections::{BTreeMap, BTreeSet};

fn layer(content: &str) -> LayerBlob {
    LayerBlob {
        media_type: media_type::IMAGE_LAYER.to_string(),
        bytes: content.as_bytes().to_vec(),
        diff_id: Digest::sha256(content.as_bytes()),
        uncompressed_size: content.len() as u64,
    }
}

fn image(store: &mut ImageStore, layers: &[&str], cmd: &str) -> Digest {
    let layers: Vec<LayerBlob> = layers.iter().map(|l| layer(l)).collect();
    let mut config = ImageConfig::default();
    config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
    config.config.cmd = Some(vec![cmd.to_string()]);
    store.add_image(&config, layers).unwrap()
}

fn text(lines: &[RemovalLine]) -> Vec<String> {
    lines.iter().map(RemovalLine::rmi_text).collect()
}

fn none() -> BTreeMap<Digest, ContainerUse> {
    BTreeMap::new()
}

#[test]
fn blob_store_is_idempotent_and_verifies() {
    let mut blobs = BlobStore::new();
    let d = blobs.put(b"hello");
    assert_eq!(blobs.put(b"hello"), d);
    assert_eq!(blobs.len(), 1);
    assert_eq!(&*blobs.get(&d).unwrap(), b"hello");
    let err = blobs.put_verified("layer", &d, b"other").unwrap_err();
    assert!(
        err.to_string().starts_with("digest mismatch for layer"),
        "{err}"
    );
    // Restored content is checked when read.
    let restored = BlobStore::restore(vec![(d.clone(), b"tampered".to_vec())]);
    assert_eq!(restored.get(&d), Err(StoreError::BlobCorrupted(d.clone())));
    let missing = Digest::sha256(b"nope");
    assert_eq!(blobs.get(&missing), Err(StoreError::BlobNotFound(missing)));
    let swept = blobs.sweep(&BTreeSet::new());
    assert_eq!(swept, vec![(d, 5)]);
    assert!(blobs.is_empty());
}

#[test]
fn tag_adds_a_reference_without_copying() {
    let mut s = ImageStore::new();
    let id = image(&mut s, &["base", "app"], "run");
    s.tag(&id.to_string(), "my-api:1.0").unwrap();
    let blobs_before = s.blobs().len();
    assert_eq!(
        s.tag("my-api:1.0", "registry.example.com/team/my-api:1.0")
            .unwrap(),
        id
    );
    assert_eq!(s.tag("my-api:1.0", "my-api").unwrap(), id);
    assert_eq!(s.blobs().len(), blobs_before);
    let refs: Vec<String> = s.references(&id).iter().map(|r| r.to_string()).collect();
    assert_eq!(
        refs,
        [
            "docker.io/library/my-api:1.0",
            "docker.io/library/my-api:latest",
            "registry.example.com/team/my-api:1.0"
        ]
    );
    assert_eq!(s.resolve("docker.io/library/my-api").unwrap(), id);
    assert_eq!(s.resolve(id.short()).unwrap(), id);
    assert_eq!(s.resolve(&id.to_string()).unwrap(), id);
    assert_eq!(
        s.resolve("nope").unwrap_err().to_string(),
        "No such image: nope:latest"
    );
    let rows = s.list();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.id == id && r.size == 7));
    assert_eq!(
        s.tag(
            "my-api",
            "x@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ),
        Err(StoreError::TagWithDigest)
    );
}

#[test]
fn rmi_untags_until_the_last_reference_then_deletes_unshared_layers() {
    let mut s = ImageStore::new();
    let base = image(&mut s, &["base"], "base");
    s.tag(&base.to_string(), "base:1").unwrap();
    let app = image(&mut s, &["base", "app"], "app");
    s.tag(&app.to_string(), "app:1").unwrap();
    s.tag("app:1", "app:2").unwrap();

    assert_eq!(
        text(&s.rmi("app:1", false, &none()).unwrap()),
        ["Untagged: app:1"]
    );
    assert!(s.image(&app).is_some());

    let chains = chain_ids(&[Digest::sha256(b"base"), Digest::sha256(b"app")]);
    assert_eq!(
        text(&s.rmi("app:2", false, &none()).unwrap()),
        [
            "Untagged: app:2".to_string(),
            format!("Deleted: {app}"),
            // Only the top layer: the base layer is still used by base:1.
            format!("Deleted: {}", chains[1]),
        ]
    );
    assert!(s.image(&app).is_none());
    assert!(!s.blobs().contains(&Digest::sha256(b"app")));
    assert!(s.blobs().contains(&Digest::sha256(b"base")));
}

#[test]
fn rmi_by_id_with_several_repositories_needs_force() {
    let mut s = ImageStore::new();
    let id = image(&mut s, &["x"], "x");
    s.tag(&id.to_string(), "a:1").unwrap();
    s.tag(&id.to_string(), "b:1").unwrap();
    let err = s.rmi(id.short(), false, &none()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories", id.short())
    );
    let lines = text(&s.rmi(id.short(), true, &none()).unwrap());
    assert_eq!(
        lines[..2],
        ["Untagged: a:1".to_string(), "Untagged: b:1".to_string()]
    );
    assert_eq!(lines[2], format!("Deleted: {id}"));
}

#[test]
fn containers_hold_images() {
    let mut s = ImageStore::new();
    let id = image(&mut s, &["x"], "x");
    s.tag(&id.to_string(), "a:1").unwrap();
    let mut used = BTreeMap::new();
    used.insert(
        id.clone(),
        ContainerUse {
            container_id: "0123456789abcdef".into(),
            running: false,
        },
    );
    let err = s.rmi("a:1", false, &used).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("conflict: unable to remove repository reference \"a:1\" (must force) - container 0123456789ab is using its referenced image {}", id.short())
    );
    // A running container: forcing removes the tag, but the image stays (dangling).
    used.get_mut(&id).unwrap().running = true;
    assert_eq!(text(&s.rmi("a:1", true, &used).unwrap()), ["Untagged: a:1"]);
    assert_eq!(s.dangling(), vec![id.clone()]);
    let err = s.rmi(&id.to_string(), true, &used).unwrap_err();
    assert!(
        err.to_string()
            .contains("(cannot be forced) - image is being used by running container 0123456789ab"),
        "{err}"
    );
    // A stopped one only needs force (moby: a soft conflict).
    used.get_mut(&id).unwrap().running = false;
    let err = s.rmi(id.short(), false, &used).unwrap_err();
    assert!(
        err.to_string()
            .contains("(must be forced) - image is being used by stopped container"),
        "{err}"
    );
    assert_eq!(
        text(&s.rmi(id.short(), true, &used).unwrap())[0],
        format!("Deleted: {id}")
    );
}

#[test]
fn moving_a_tag_leaves_a_dangling_image_and_prune_removes_it() {
    let mut s = ImageStore::new();
    let old = image(&mut s, &["v1"], "v1");
    s.tag(&old.to_string(), "app:latest").unwrap();
    let new = image(&mut s, &["v2"], "v2");
    s.tag(&new.to_string(), "app").unwrap();
    assert_eq!(s.dangling(), vec![old.clone()]);
    let rows = s.list();
    assert_eq!(
        (rows[1].repository.as_str(), rows[1].tag.as_str()),
        ("<none>", "<none>")
    );
    assert_eq!(
        (rows[0].repository.as_str(), rows[0].tag.as_str()),
        ("app", "latest")
    );

    let report = s.prune(false, &BTreeSet::new());
    let lines: Vec<String> = report.lines.iter().map(RemovalLine::prune_text).collect();
    assert_eq!(
        lines,
        [
            format!("deleted: {old}"),
            format!("deleted: {}", Digest::sha256(b"v1"))
        ]
    );
    assert_eq!(report.reclaimed, 2);
    assert!(s.image(&new).is_some());
}

#[test]
fn prune_all_spares_images_used_by_containers() {
    let mut s = ImageStore::new();
    let used = image(&mut s, &["u"], "u");
    s.tag(&used.to_string(), "used:1").unwrap();
    let unused = image(&mut s, &["n"], "n");
    s.tag(&unused.to_string(), "unused:1").unwrap();
    let report = s.prune(true, &BTreeSet::from([used.clone()]));
    let lines: Vec<String> = report.lines.iter().map(RemovalLine::prune_text).collect();
    assert_eq!(lines[0], "untagged: unused:1");
    assert_eq!(lines[1], format!("deleted: {unused}"));
    assert!(s.image(&used).is_some() && s.image(&unused).is_none());
    // Only the used image's blobs are left: manifest, config, one layer.
    assert_eq!(s.blobs().len(), 3);
}

#[test]
fn insert_rejects_content_that_does_not_match_the_manifest() {
    let mut s = ImageStore::new();
    let l = layer("data");
    let mut config = ImageConfig::default();
    config.rootfs.diff_ids = vec![Digest::sha256(b"something else")];
    let err = s.add_image(&config, vec![l]).unwrap_err();
    assert!(err.to_string().contains("diff_ids"), "{err}");
}
