//! Native-mode figures, side by side with the real tools in one run, as
//! `name: value unit` lines:
//!
//! * one real RUN step (materialise + overlay + runc + read back) over busybox;
//! * per oracle sample (`../shared/oracle/samples/`): cold (`--no-cache`) and cached
//!   build time of layerlab with `--exec=linux` (store load, base import, build, commit
//!   to the on-disk store) vs `buildah bud --layers` with the oracle's exact settings
//!   (`../shared/oracle/README.md`, `env.sh`; the oracle's `setup.sh` must have built
//!   `localhost/busybox:1.35` under `$ORACLE_HOME`, default `/tmp/oracle`). layerlab's
//!   cached build reuses the engine's in-memory build cache of the same process (the
//!   cache is not persisted across CLI invocations yet);
//! * push and pull throughput of a 32 MiB incompressible layer to Debian's
//!   `docker-registry` on 127.0.0.1: layerlab's client vs `skopeo copy`.
//!
//! `cargo run --release --features native --example bench_native` (as root, with
//! runc, busybox-static, buildah, skopeo and docker-registry; see scripts/native-setup).

#[cfg(all(feature = "native", target_os = "linux"))]
fn main() {
    use layerlab::engine::build::executor::{Executor, RunCommand, RunRequest};
    use layerlab::native::{busybox, exec::RuncExecutor};
    use std::time::Instant;

    let rootfs = match busybox::rootfs() {
        Ok(fs) => fs,
        Err(e) => return println!("skipped: {e}"),
    };
    let mut ex = match RuncExecutor::detect() {
        Ok(ex) => ex,
        Err(e) => return println!("skipped: {e}"),
    };
    let req = RunRequest {
        command: RunCommand::Shell {
            shell: vec!["/bin/sh".into(), "-c".into()],
            script: "echo hi > /x".into(),
        },
        env: vec![],
        workdir: "/".into(),
        user: String::new(),
        mtime: 0,
        files: vec![],
        hostname: String::new(),
    };
    let runs = 5;
    let start = Instant::now();
    for _ in 0..runs {
        let r = ex.run(rootfs.clone(), &req);
        assert_eq!(r.exit_code, 0, "{:?}", r.output);
    }
    println!(
        "run_step_busybox: {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0 / runs as f64
    );
    builds::run(&rootfs, &mut ex);
    transfer::run(&rootfs);
}

#[cfg(all(feature = "native", target_os = "linux"))]
mod builds {
    use layerlab::cli::build::read_context;
    use layerlab::engine::build::BuildRequest;
    use layerlab::engine::fs::Fs;
    use layerlab::native::build::{build_in, daemon_from_store};
    use layerlab::native::exec::RuncExecutor;
    use layerlab::native::store::DiskStore;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::Instant;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/oracle/samples");

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read sample") {
            let p = e.expect("entry").path();
            let dest = to.join(p.file_name().expect("name"));
            if p.is_dir() {
                copy_dir(&p, &dest);
            } else {
                std::fs::copy(&p, &dest).expect("copy");
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&dest).expect("meta").permissions().mode() | 0o200;
                let _ = std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(mode));
            }
        }
    }

    /// `buildah bud` exactly as the oracle's `oracle.sh` runs it; seconds or None.
    fn buildah(ctx: &Path, name: &str, no_cache: bool) -> Option<f64> {
        let home = std::env::var("ORACLE_HOME").unwrap_or_else(|_| "/tmp/oracle".into());
        let mut c = Command::new("buildah");
        c.env(
            "CONTAINERS_STORAGE_CONF",
            format!("{home}/conf/storage.conf"),
        )
        .env("CONTAINERS_CONF", format!("{home}/conf/containers.conf"))
        .env(
            "CONTAINERS_REGISTRIES_CONF",
            format!("{home}/conf/registries.conf"),
        )
        .env("TMPDIR", format!("{home}/tmp"))
        .env("BUILDAH_ISOLATION", "oci")
        .args([
            "bud",
            "--layers",
            "--format",
            "docker",
            "--isolation",
            "oci",
        ])
        .args(["--pull=never", "--identity-label=false", "-f"])
        .arg(ctx.join("Dockerfile"))
        .args([
            "-t",
            &format!("localhost/bench-{name}:latest"),
            "--network",
            "none",
        ]);
        if no_cache {
            c.arg("--no-cache");
        }
        c.arg(ctx);
        let start = Instant::now();
        let out = c.output().ok()?;
        if !out.status.success() {
            eprintln!("buildah {name}: {}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        Some(start.elapsed().as_secs_f64())
    }

    pub fn run(rootfs: &Fs, ex: &mut RuncExecutor) {
        let work = std::env::temp_dir().join(format!("layerlab-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let home = work.join("home");
        let store = DiskStore::open(&home).expect("store");
        let mut images = store.load().expect("load");
        let (config, layer) = layerlab::native::busybox::image(rootfs);
        let id = images.add_image(&config, vec![layer]).expect("base");
        for t in ["busybox:1.35", "busybox:latest"] {
            let r = layerlab::engine::reference::parse_normalized_named(t).expect("ref");
            images.add_reference(&r, &id).expect("tag");
        }
        store.commit(&images).expect("commit");
        drop(store);
        let mut have_buildah = buildah_ready();
        let (mut ours_cold, mut ours_warm, mut theirs_cold, mut theirs_warm) = (0.0, 0.0, 0.0, 0.0);
        for name in ["a", "b", "c", "d", "h-special-files"] {
            let ctx: PathBuf = work.join("samples").join(name);
            copy_dir(&Path::new(SAMPLES).join(name), &ctx);
            let dockerfile = std::fs::read_to_string(ctx.join("Dockerfile")).expect("Dockerfile");
            let request = |no_cache: bool| {
                let mut r = BuildRequest::new(&dockerfile, read_context(&ctx).expect("context"));
                r.tags = vec![format!("bench-{name}")];
                r.no_cache = no_cache;
                r
            };
            // Cold: what `layerlab build --exec=linux --no-cache` does in one process.
            let start = Instant::now();
            let store = DiskStore::open(&home).expect("store");
            let mut images = store.load().expect("load");
            let (mut daemon, _) = daemon_from_store(&images).expect("import");
            let (out, _) = build_in(&mut daemon, &mut images, request(true), ex).expect("build");
            assert!(out.result.is_ok(), "layerlab build {name} failed");
            store.commit(&images).expect("commit");
            let cold = start.elapsed().as_secs_f64();
            let start = Instant::now();
            let (out, _) = build_in(&mut daemon, &mut images, request(false), ex).expect("build");
            assert!(out.result.is_ok(), "layerlab cached build {name} failed");
            store.commit(&images).expect("commit");
            let warm = start.elapsed().as_secs_f64();
            drop(store);
            println!("build_cold_layerlab_{name}: {:.0} ms", cold * 1000.0);
            println!("build_cached_layerlab_{name}: {:.0} ms", warm * 1000.0);
            ours_cold += cold;
            ours_warm += warm;
            if have_buildah {
                match (buildah(&ctx, name, true), buildah(&ctx, name, false)) {
                    (Some(c), Some(w)) => {
                        println!("build_cold_buildah_{name}: {:.0} ms", c * 1000.0);
                        println!("build_cached_buildah_{name}: {:.0} ms", w * 1000.0);
                        theirs_cold += c;
                        theirs_warm += w;
                    }
                    _ => have_buildah = false,
                }
            }
        }
        println!("build_cold_layerlab_total: {:.0} ms", ours_cold * 1000.0);
        println!("build_cached_layerlab_total: {:.0} ms", ours_warm * 1000.0);
        if have_buildah {
            println!("build_cold_buildah_total: {:.0} ms", theirs_cold * 1000.0);
            println!("build_cached_buildah_total: {:.0} ms", theirs_warm * 1000.0);
            println!(
                "build_cold_speedup_vs_buildah: {:.2} x",
                theirs_cold / ours_cold
            );
            println!(
                "build_cached_speedup_vs_buildah: {:.2} x",
                theirs_warm / ours_warm
            );
        } else {
            println!("buildah: skipped (run ../shared/oracle/setup.sh with ORACLE_HOME set)");
        }
        let _ = std::fs::remove_dir_all(&work);
    }

    fn buildah_ready() -> bool {
        let home = std::env::var("ORACLE_HOME").unwrap_or_else(|_| "/tmp/oracle".into());
        Path::new(&home).join("conf/storage.conf").is_file()
    }
}

#[cfg(all(feature = "native", target_os = "linux"))]
mod transfer {
    use layerlab::engine::fs::{Fs, Metadata};
    use layerlab::engine::image::store::{ImageStore, LayerBlob};
    use layerlab::engine::layer::{self, LayerOptions};
    use layerlab::native::registry::{self, PushOptions};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    const SIZE: usize = 32 << 20;

    struct Registry(Child, u16, std::path::PathBuf);

    impl Drop for Registry {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
            let _ = std::fs::remove_dir_all(&self.2);
        }
    }

    fn start_registry() -> Option<Registry> {
        let dir = std::env::temp_dir().join(format!("layerlab-bench-reg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let config = dir.join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}/data\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.display()
            ),
        )
        .ok()?;
        let child = Command::new("/usr/bin/docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let reg = Registry(child, port, dir);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(reg)
    }

    /// busybox plus one layer holding `SIZE` bytes of xorshift noise (gzip cannot
    /// shrink it, so bytes on the wire = layer size).
    fn image(rootfs: &Fs) -> ImageStore {
        let mut images = ImageStore::new();
        let (mut config, base) = layerlab::native::busybox::image(rootfs);
        let mut next = rootfs.clone();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let noise: Vec<u8> = (0..SIZE / 8)
            .flat_map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()
            })
            .collect();
        next.write_file("/noise.bin", noise, Metadata::new(0o644, 0, 0, 0))
            .expect("noise");
        let tar = layer::build_layer(
            &layerlab::engine::fs::diff(rootfs, &next),
            &LayerOptions::default(),
        );
        let blob = layer::compress(&tar.bytes);
        config.rootfs.diff_ids.push(tar.diff_id.clone());
        let big = LayerBlob {
            media_type: layerlab::engine::image::media_type::IMAGE_LAYER_GZIP.into(),
            bytes: blob.bytes,
            diff_id: tar.diff_id,
            uncompressed_size: tar.size,
        };
        let id = images.add_image(&config, vec![base, big]).expect("image");
        let r = layerlab::engine::reference::parse_normalized_named("bench/noise:1").expect("ref");
        images.add_reference(&r, &id).expect("tag");
        images
    }

    fn mb_s(bytes: f64, secs: f64) -> f64 {
        bytes / secs / 1e6
    }

    pub fn run(rootfs: &Fs) {
        let Some(reg) = start_registry() else {
            return println!("registry: skipped (docker-registry not available)");
        };
        let images = image(rootfs);
        let bytes: f64 = images.blobs().total_size() as f64;
        let host = format!("127.0.0.1:{}", reg.1);
        let mut to_push = images.clone();
        let name = format!("{host}/layerlab/noise:1");
        to_push.tag("bench/noise:1", &name).expect("tag");
        let start = Instant::now();
        registry::push(&to_push, &name, &PushOptions::default()).expect("push");
        let push = start.elapsed().as_secs_f64();
        let mut fresh = ImageStore::new();
        let start = Instant::now();
        registry::pull(&mut fresh, &name).expect("pull");
        let pull = start.elapsed().as_secs_f64();
        println!("push_layerlab: {:.1} MB/s", mb_s(bytes, push));
        println!("pull_layerlab: {:.1} MB/s", mb_s(bytes, pull));

        // skopeo: the same image as an OCI layout directory.
        let dir = std::env::temp_dir().join(format!("layerlab-bench-oci-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("oci dir");
        let tar = layerlab::engine::image::layout::export_tar(&to_push, &["bench/noise:1"])
            .expect("export");
        std::fs::write(dir.join("image.tar"), tar).expect("write");
        let untar = Command::new("tar")
            .arg("-xf")
            .arg(dir.join("image.tar"))
            .arg("-C")
            .arg(&dir)
            .status();
        if !untar.is_ok_and(|s| s.success()) {
            return println!("skopeo: skipped (tar failed)");
        }
        let skopeo = |args: &[String]| -> Option<f64> {
            let start = Instant::now();
            let out = Command::new("skopeo").args(args).output().ok()?;
            if !out.status.success() {
                eprintln!("skopeo: {}", String::from_utf8_lossy(&out.stderr));
                return None;
            }
            Some(start.elapsed().as_secs_f64())
        };
        let src = format!("oci:{}", dir.display());
        let dst = format!("docker://{host}/skopeo/noise:1");
        let back = format!("oci:{}/back:noise", dir.display());
        let (Some(sp), Some(sl)) = (
            skopeo(&[
                "copy".into(),
                "--dest-tls-verify=false".into(),
                src.clone(),
                dst.clone(),
            ]),
            skopeo(&["copy".into(), "--src-tls-verify=false".into(), dst, back]),
        ) else {
            let _ = std::fs::remove_dir_all(&dir);
            return println!("skopeo: skipped (copy failed; see stderr)");
        };
        println!("push_skopeo: {:.1} MB/s", mb_s(bytes, sp));
        println!("pull_skopeo: {:.1} MB/s", mb_s(bytes, sl));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(not(all(feature = "native", target_os = "linux")))]
fn main() {
    println!("skipped: build with --features native on Linux");
}
