//! A busybox base rootfs from Debian's `busybox-static`, built the way
//! `../shared/oracle/setup.sh` builds the oracle's `localhost/busybox:1.35`: `/bin/busybox`
//! plus a symlink to it for every applet `busybox --list-full` names, the same
//! `/etc/passwd` and `/etc/group`, empty `dev proc sys home`, `root` 0700, `tmp` 1777,
//! `var/spool/mail`, `var/www`, the runtime's mount targets (`etc/hostname`, `etc/hosts`,
//! `etc/resolv.conf`, empty) and `etc/mtab -> /proc/mounts`. Everything is `0:0` with
//! mtime 2023-01-01, so the layer is reproducible.
//!
//! From a shell: `layerlab busybox-image [TAG]` stores it as an image (default
//! `busybox:1.35`), the equivalent of setup.sh's `podman import`.

use crate::engine::fs::{Fs, FsError, Metadata};
use crate::engine::image::store::LayerBlob;
use crate::engine::image::{History, ImageConfig};
use std::path::Path;

use crate::engine::base::busybox::{EMPTY_FILES, GROUP, MTIME as BASE_MTIME, PASSWD, ROOT_DIRS};

/// Where Debian's `busybox-static` installs the binary.
pub const BUSYBOX: &str = "/bin/busybox";

#[derive(Debug, thiserror::Error)]
pub enum BusyboxError {
    #[error("{BUSYBOX} not found: install it with `apt-get install busybox-static`")]
    Missing,
    #[error("{BUSYBOX} is not statically linked: install Debian's busybox-static (`apt-get install busybox-static`), not busybox")]
    NotStatic,
    #[error("running busybox --list-full: {0}")]
    List(std::io::Error),
    #[error("building the rootfs at {path}: {source}")]
    Fs { path: String, source: FsError },
}

/// The busybox rootfs as an in-memory tree.
pub fn rootfs() -> Result<Fs, BusyboxError> {
    let path = Path::new(BUSYBOX);
    let bin = std::fs::read(path).map_err(|_| BusyboxError::Missing)?;
    if !is_static_elf(&bin) {
        return Err(BusyboxError::NotStatic);
    }
    let out = std::process::Command::new(BUSYBOX)
        .arg("--list-full")
        .output()
        .map_err(BusyboxError::List)?;
    let applets = String::from_utf8_lossy(&out.stdout).to_string();
    build(&bin, applets.lines())
}

/// A 64-bit little-endian ELF without a `PT_INTERP` program header (no dynamic
/// loader), so it runs in a rootfs that has no libc.
pub fn is_static_elf(bin: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    let u16_at = |o: usize| {
        bin.get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |o: usize| {
        bin.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |o: usize| {
        bin.get(o..o + 8).map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a) as usize
        })
    };
    if !bin.starts_with(b"\x7fELF\x02\x01") {
        return false;
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38))
    else {
        return false;
    };
    (0..phnum).all(|i| {
        let ty = phoff
            .checked_add(i.saturating_mul(phentsize))
            .and_then(u32_at);
        ty.is_some_and(|t| t != PT_INTERP)
    })
}

/// The rootfs from the busybox binary and its applet paths (`usr/bin/env`, ...).
pub fn build<'a>(
    busybox: &[u8],
    applets: impl Iterator<Item = &'a str>,
) -> Result<Fs, BusyboxError> {
    let dir = Metadata::new(0o755, 0, 0, BASE_MTIME);
    let file = Metadata::new(0o644, 0, 0, BASE_MTIME);
    let mut fs = Fs::with_root(dir);
    let e = |path: &str| {
        let path = path.to_string();
        move |source| BusyboxError::Fs { path, source }
    };
    for d in ROOT_DIRS {
        fs.mkdir_all(d, dir).map_err(e(d))?;
    }
    fs.mkdir("/root", Metadata::new(0o700, 0, 0, BASE_MTIME))
        .map_err(e("/root"))?;
    fs.mkdir("/tmp", Metadata::new(0o1777, 0, 0, BASE_MTIME))
        .map_err(e("/tmp"))?;
    fs.write_file(
        "/bin/busybox",
        busybox.to_vec(),
        Metadata::new(0o755, 0, 0, BASE_MTIME),
    )
    .map_err(e("/bin/busybox"))?;
    for a in applets {
        let p = format!("/{}", a.trim().trim_start_matches('/'));
        if p == "/" || fs.lstat(&p).is_ok() {
            continue;
        }
        if let Some((parent, _)) = p.rsplit_once('/') {
            if !parent.is_empty() {
                fs.mkdir_all(parent, dir).map_err(e(parent))?;
            }
        }
        fs.symlink("/bin/busybox", &p, file).map_err(e(&p))?;
    }
    fs.write_file("/etc/passwd", PASSWD.as_bytes().to_vec(), file)
        .map_err(e("/etc/passwd"))?;
    fs.write_file("/etc/group", GROUP.as_bytes().to_vec(), file)
        .map_err(e("/etc/group"))?;
    for f in EMPTY_FILES {
        fs.write_file(f, Vec::new(), file).map_err(e(f))?;
    }
    fs.symlink("/proc/mounts", "/etc/mtab", file)
        .map_err(e("/etc/mtab"))?;
    // Creating children bumped nothing (mtimes are values here), so all dirs keep BASE_MTIME.
    Ok(fs)
}

/// The image `podman import --change 'CMD ["sh"]' --change 'ENV PATH=...'` makes of
/// the rootfs: one gzip layer, `CMD ["sh"]`, the default PATH and one history entry
/// `ADD file:<diff_id hex> in /` ("imported from tarball"), created at [`BASE_MTIME`].
pub fn image(fs: &Fs) -> (ImageConfig, LayerBlob) {
    use crate::engine::layer::{self, LayerOptions};
    let changes = crate::engine::fs::diff(&Fs::with_root(*ROOT_META), fs);
    let tar = layer::build_layer(&changes, &LayerOptions::default());
    let blob = layer::compress(&tar.bytes);
    let created = "2023-01-01T00:00:00Z".to_string();
    let mut config = ImageConfig {
        created: Some(created.clone()),
        ..ImageConfig::default()
    };
    config.config.env =
        vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()];
    config.config.cmd = Some(vec!["sh".into()]);
    config.rootfs.diff_ids = vec![tar.diff_id.clone()];
    config.history = vec![History {
        created: Some(created),
        created_by: Some(format!(
            "/bin/sh -c #(nop) ADD file:{} in / ",
            tar.diff_id.hex()
        )),
        comment: Some("imported from tarball".into()),
        ..History::default()
    }];
    let layer = LayerBlob {
        media_type: crate::engine::image::media_type::IMAGE_LAYER_GZIP.into(),
        bytes: blob.bytes,
        diff_id: tar.diff_id,
        uncompressed_size: tar.size,
    };
    (config, layer)
}

const ROOT_META: &Metadata = &Metadata::new(0o755, 0, 0, BASE_MTIME);
