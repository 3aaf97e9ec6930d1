//! Property tests of the runtime and registries (modest case counts):
//! * whatever a container writes, its image's diff_ids and ID never change;
//! * `rmi` never deletes a layer another image or a container still uses;
//! * push then pull into a fresh world reproduces identical digests.

use layerlab::engine::build::{BuildContext, ContextFile, Executor, RunRequest, RunResult};
use layerlab::engine::cli::run_with;
use layerlab::engine::fs::{Fs, Metadata};
use layerlab::engine::world::World;
use proptest::prelude::*;

/// A test executor: `write PATH TEXT` writes a file, `rm PATH` deletes one.
struct Writer;
impl Executor for Writer {
    fn run(&mut self, mut fs: Fs, req: &RunRequest) -> RunResult {
        let argv = req.command.argv();
        let m = Metadata::new(0o644, 0, 0, req.mtime);
        let code = match argv
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["write", path, text] => {
                let _ = fs.mkdir_all("/data", Metadata::new(0o755, 0, 0, 0));
                i32::from(fs.write_file(path, *text, m).is_err())
            }
            ["rm", path] => i32::from(fs.remove_all(path).is_err()),
            _ => 127,
        };
        RunResult {
            fs,
            exit_code: code,
            output: Vec::new(),
            simulated_ms: 0,
            stopped_by: None,
        }
    }
}

/// A context file with the execute bits runc's `exec.LookPath` requires.
fn executable(path: &str, text: &str) -> ContextFile {
    ContextFile {
        mode: 0o755,
        ..ContextFile::text(path, text)
    }
}

fn world() -> World {
    let ctx = BuildContext::from_files([
        executable("bin/node", "node"),
        executable("bin/write", "write"),
        executable("bin/rm", "rm"),
        ContextFile::text("server.js", "app.listen(3000)"),
    ])
    .unwrap();
    World::with_context(
        ctx,
        "FROM scratch\nCOPY bin/ /usr/local/bin/\nWORKDIR /app\nCOPY server.js ./\nCMD [\"node\", \"server.js\"]\n",
    )
}

fn sh(w: &mut World, line: &str) -> String {
    let o = run_with(w, line, &mut Writer);
    assert!(o.exit_code == 0, "{line}: {}", o.stderr);
    o.stdout
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn container_writes_never_change_the_image(
        writes in prop::collection::vec(("[a-z]{1,6}", "[a-z0-9 ]{0,12}", any::<bool>()), 1..6)
    ) {
        let mut w = world();
        sh(&mut w, "docker build -t app:1 .");
        let before = w.daemon.find_image("app:1").unwrap();
        sh(&mut w, "docker run -d --name c app:1");
        for (name, text, delete) in &writes {
            let line = if *delete {
                "docker exec c rm /app/server.js".to_string()
            } else {
                format!("docker exec c write /app/{name} '{text}'")
            };
            let _ = run_with(&mut w, &line, &mut Writer);
        }
        let after = w.daemon.find_image("app:1").unwrap();
        prop_assert_eq!(&before.id, &after.id);
        prop_assert_eq!(&before.config.rootfs.diff_ids, &after.config.rootfs.diff_ids);
        prop_assert!(after.rootfs().exists("/app/server.js"));
        let c = w.container("c").unwrap();
        prop_assert!(!c.diff().is_empty());
    }

    #[test]
    fn rmi_keeps_layers_in_use(tags in prop::collection::vec("[a-z]{1,5}", 1..4), force in any::<bool>()) {
        let mut w = world();
        sh(&mut w, "docker build -t app:1 .");
        for t in &tags {
            sh(&mut w, &format!("docker tag app:1 other:{t}"));
        }
        sh(&mut w, "docker run -d --name c app:1");
        sh(&mut w, "docker commit c derived:1");
        let f = if force { "-f " } else { "" };
        let _ = run_with(&mut w, &format!("docker rmi {f}app:1"), &mut Writer);
        for t in &tags {
            let _ = run_with(&mut w, &format!("docker rmi {f}other:{t}"), &mut Writer);
        }
        // Every remaining image still has every layer it names (the blob can be
        // produced from the daemon's layer store, or the store holds it).
        let store = &w.daemon.images;
        for img in store.images() {
            let rec = w.daemon.image(&img.id).unwrap();
            let held: Vec<_> = rec.layers.iter().map(|l| l.diff_id.clone()).collect();
            prop_assert_eq!(&held, &img.config.rootfs.diff_ids);
            for l in &img.layers {
                prop_assert!(
                    store.blobs().contains(&l.descriptor.digest)
                        || rec.layers.iter().any(|r| r.diff_id == l.diff_id)
                );
            }
        }
        // The container still sees its image's files.
        let c = w.container("c").unwrap();
        prop_assert!(c.rootfs.exists("/app/server.js"));
        prop_assert!(w.daemon.find_image("derived:1").is_ok());
        // The daemon's layer store still holds every layer an image or container uses.
        for img in w.daemon.images.images() {
            for l in w.daemon.image(&img.id).unwrap().layers {
                prop_assert!(w.daemon.layers.get(&l.chain_id).is_some());
            }
        }
        for chain in w.container_layers() {
            prop_assert!(w.daemon.layers.get(&chain).is_some());
        }
    }

    #[test]
    fn removing_everything_forgets_every_layer_but_the_cache(
        rounds in prop::collection::vec("[a-z]{1,8}", 1..4)
    ) {
        let mut w = world();
        for (i, text) in rounds.iter().enumerate() {
            w.context = BuildContext::from_files([
                executable("bin/node", "node"),
                executable("bin/write", "write"),
                ContextFile::text("server.js", &format!("app.listen(3000) // {text}")),
            ]).unwrap();
            sh(&mut w, &format!("docker build -t app:{i} ."));
            sh(&mut w, &format!("docker run -d --name c{i} app:{i}"));
            sh(&mut w, &format!("docker exec c{i} write /app/x{i} data"));
            sh(&mut w, &format!("docker commit c{i} snap:{i}"));
        }
        prop_assert!(w.daemon.layers.len() > w.daemon.cache.layers().count());
        for i in 0..rounds.len() {
            sh(&mut w, &format!("docker rm -f c{i}"));
        }
        sh(&mut w, "docker image prune -a -f");
        prop_assert_eq!(w.daemon.images.images().count(), 0);
        // Only what the build cache keeps alive remains.
        let cached: std::collections::BTreeSet<_> = w.daemon.cache.layers().cloned().collect();
        prop_assert_eq!(w.daemon.layers.len(), cached.len());
        for chain in &cached {
            prop_assert!(w.daemon.layers.get(chain).is_some());
        }
    }

    #[test]
    fn push_then_pull_into_a_fresh_world_is_identical(file in "[a-z]{1,8}") {
        let mut a = world();
        a.context = BuildContext::from_files([
            executable("bin/node", "node"),
            ContextFile::text("server.js", &file),
        ]).unwrap();
        sh(&mut a, "docker build -t localhost:5000/app:1 .");
        sh(&mut a, "docker push localhost:5000/app:1");
        let pushed = a.daemon.find_image("localhost:5000/app:1").unwrap();
        let mut b = World::new();
        b.registries = a.registries.clone();
        let out = sh(&mut b, "docker pull localhost:5000/app:1");
        prop_assert!(out.contains("Pull complete"));
        let pulled = b.daemon.find_image("localhost:5000/app:1").unwrap();
        prop_assert_eq!(&pushed.id, &pulled.id);
        prop_assert_eq!(&pushed.config.rootfs.diff_ids, &pulled.config.rootfs.diff_ids);
        let ma = a.daemon.images.image(&pushed.id).unwrap().manifest_digest.clone();
        let mb = b.daemon.images.image(&pulled.id).unwrap().manifest_digest.clone();
        prop_assert_eq!(ma, mb);
    }
}
