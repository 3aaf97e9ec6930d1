//! Real tools read what layerlab writes: an image built by the engine and exported as
//! an OCI archive passes `skopeo inspect`, converts with `skopeo copy` to a
//! docker-archive, and `umoci unpack` gives exactly the files the engine says the image
//! has. `scripts/test` installs skopeo and umoci and sets LAYERLAB_REQUIRE_TOOLS=1, so
//! there a missing tool is a failure; elsewhere the test says it did not run.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use layerlab::engine::build::simulated::SimulatedExecutor;
use layerlab::engine::build::{BuildContext, BuildRequest, BuildSession, ContextFile};
use layerlab::engine::daemon::Daemon;
use layerlab::engine::fs::FileType;
use layerlab::engine::image::layout;

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn tools_or_skip() -> bool {
    let missing: Vec<&str> = ["skopeo", "umoci"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("LAYERLAB_REQUIRE_TOOLS").is_none(),
        "missing {missing:?}: run scripts/setup --test"
    );
    eprintln!("real_tools: not run: {missing:?} not installed");
    false
}

const DOCKERFILE: &str = "FROM scratch
WORKDIR /app
COPY etc/ /etc/
COPY app/ ./
COPY --chmod=755 run.sh /usr/local/bin/run
ENV APP_ENV=production
CMD [\"/usr/local/bin/run\"]
";

fn build() -> (Daemon, layerlab::engine::build::BuiltImage) {
    let context = BuildContext::from_files([
        ContextFile::text("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
        ContextFile::text("app/server.js", "console.log('hi')\n"),
        ContextFile::text("app/lib/util.js", "module.exports = 1\n"),
        ContextFile::text("run.sh", "#!/bin/sh\nexec node /app/server.js\n"),
    ])
    .unwrap();
    let mut req = BuildRequest::new(DOCKERFILE, context);
    req.tags = vec!["tools-test:1.0".into()];
    let mut daemon = Daemon::new();
    let out = BuildSession::new(&mut daemon, req)
        .unwrap()
        .run(&mut daemon, &mut SimulatedExecutor::new());
    let img = out.result.expect("build succeeds");
    (daemon, img)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// (path, type, mode, size) of every entry under `root` on disk.
fn disk_entries(root: &Path) -> BTreeMap<String, (char, u32, u64)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let rel = format!("/{}", p.strip_prefix(root).unwrap().display());
            let kind = if m.is_dir() {
                stack.push(p.clone());
                'd'
            } else if m.file_type().is_symlink() {
                'l'
            } else {
                'f'
            };
            let size = if kind == 'f' { m.len() } else { 0 };
            out.insert(rel, (kind, m.permissions().mode() & 0o7777, size));
        }
    }
    out
}

#[test]
fn skopeo_and_umoci_read_our_images() {
    if !tools_or_skip() {
        return;
    }
    let (daemon, img) = build();
    let tmp = std::env::temp_dir().join(format!("layerlab-real-tools-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let archive = tmp.join("image.tar");
    let mut daemon = daemon;
    daemon.materialize(&img.id);
    let tar = layout::export_tar(&daemon.images, &["tools-test:1.0"]).unwrap();
    std::fs::write(&archive, tar).unwrap();

    // skopeo inspect sees our layers and config.
    let inspect = run(Command::new("skopeo")
        .arg("inspect")
        .arg(format!("oci-archive:{}", archive.display())));
    let v: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    let layers = v["Layers"].as_array().unwrap();
    assert_eq!(layers.len(), img.layers.len());
    for (l, ours) in layers.iter().zip(&img.layers) {
        assert_eq!(l.as_str().unwrap(), ours.diff_id.to_string());
    }
    assert!(v["Env"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "APP_ENV=production"));

    // skopeo converts it to a docker-archive.
    let docker = tmp.join("docker.tar");
    run(Command::new("skopeo")
        .arg("copy")
        .arg(format!("oci-archive:{}", archive.display()))
        .arg(format!(
            "docker-archive:{}:tools-test:1.0",
            docker.display()
        )));
    assert!(std::fs::metadata(&docker).unwrap().len() > 0);

    // `docker load` in layerlab reads skopeo's docker-archive (tars of skopeo's own
    // making): the same image ID, and the same files in its last layer.
    let mut w = layerlab::engine::world::World::new();
    w.host_files.insert(
        "docker.tar".into(),
        std::rc::Rc::new(std::fs::read(&docker).unwrap()),
    );
    let out = layerlab::engine::cli::run(&mut w, "docker load -i docker.tar");
    assert_eq!(
        (out.exit_code, out.stdout.as_str()),
        (0, "Loaded image: tools-test:1.0\n")
    );
    let loaded = w.daemon.find_image("tools-test:1.0").unwrap();
    assert_eq!(loaded.id, img.id);
    assert_eq!(loaded.layers.len(), img.layers.len());
    let listing = |fs: &layerlab::engine::fs::Fs| -> Vec<(String, u32, u64)> {
        fs.walk("/")
            .unwrap()
            .into_iter()
            .map(|e| (e.path.clone(), e.stat.meta.mode, e.stat.size))
            .collect()
    };
    assert_eq!(
        listing(loaded.layers.last().unwrap().rootfs()),
        listing(img.layers.last().unwrap().rootfs())
    );

    // umoci unpacks exactly the engine's files.
    let layout_dir = tmp.join("layout");
    std::fs::create_dir_all(&layout_dir).unwrap();
    run(Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&layout_dir));
    let bundle = tmp.join("bundle");
    run(Command::new("umoci")
        .arg("unpack")
        .arg("--image")
        .arg(format!("{}:1.0", layout_dir.display()))
        .arg(&bundle));
    let on_disk = disk_entries(&bundle.join("rootfs"));
    let rootfs = img.layers.last().unwrap().rootfs().clone();
    let mut engine = BTreeMap::new();
    for e in rootfs.walk("/").unwrap() {
        if e.path == "/" {
            continue;
        }
        let kind = match e.stat.file_type {
            FileType::Dir => 'd',
            FileType::Symlink => 'l',
            _ => 'f',
        };
        let size = if kind == 'f' { e.stat.size } else { 0 };
        engine.insert(e.path.clone(), (kind, e.stat.meta.mode & 0o7777, size));
    }
    assert_eq!(on_disk, engine);
    let run_sh = std::fs::read_to_string(bundle.join("rootfs/usr/local/bin/run")).unwrap();
    assert!(run_sh.starts_with("#!/bin/sh"));
    std::fs::remove_dir_all(&tmp).unwrap();
}
