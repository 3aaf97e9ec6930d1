//! `busybox`: the oracle's base image, entry for entry.
//!
//! `../shared/oracle/setup.sh` builds it from Debian's busybox-static 1.35: `/bin/busybox`
//! plus one symlink to it per applet of `busybox --list-full` (the list below is that
//! command's output), fixed `/etc/passwd` and `/etc/group`, empty `dev proc sys home`,
//! `root` 0700, `tmp` 1777, the runtime's mount targets, every mtime 2023-01-01, and
//! `podman import --change 'CMD ["sh"]'`. Only the binary's bytes are synthetic (same
//! size), so paths, modes, owners and sizes match the oracle's base layer; its diff_id
//! differs because of those bytes alone.

use super::builder::{strings, ImageBuilder};
use super::BaseImage;

const APPLETS: &str = include_str!("busybox-1.35-applets.txt");
/// 2023-01-01T00:00:00Z, the `--mtime` of the oracle's rootfs tar.
pub const MTIME: i64 = 1_672_531_200;
/// Size of Debian's `/bin/busybox` from busybox-static 1:1.35.0-4+deb12u1.
const BUSYBOX_SIZE: u64 = 1_982_256;
/// The oracle's base diff_id (`ADD file:<diff_id> in /` in its history).
const ORACLE_DIFF_ID: &str = "625135ebe04c3fb51fc2accb99f7ad78f702a61aa80ad3890595151cc5e372a4";

/// The oracle base's `/etc/passwd` (shared/oracle setup.sh), also written by the native
/// `busybox-image`.
/// The directories (mode 755) of the oracle's busybox rootfs, besides `/root` (700)
/// and `/tmp` (1777).
pub const ROOT_DIRS: [&str; 11] = [
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/etc",
    "/home",
    "/var/spool/mail",
    "/var/www",
    "/dev",
    "/proc",
    "/sys",
];

/// Files the rootfs has empty (the runtime fills them in a container).
pub const EMPTY_FILES: [&str; 3] = ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"];

pub const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
appuser:x:1000:1000:appuser:/home/appuser:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
";

pub const GROUP: &str = "root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
www-data:x:33:
appuser:x:1000:
nogroup:x:65534:
";

/// The applet paths (`/bin/ls`, `/usr/bin/awk`, ...), without `/bin/busybox` itself.
pub fn applets() -> impl Iterator<Item = &'static str> {
    APPLETS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "bin/busybox")
}

/// `version` only changes the reference and the binary's seed and size: 1.36 is a
/// rebuilt binary with the same layout.
pub(crate) fn image(tag: &str, version: &str) -> BaseImage {
    let mut b = ImageBuilder::new(MTIME);
    b.layer(
        MTIME,
        &format!("/bin/sh -c #(nop) ADD file:{ORACLE_DIFF_ID} in / "),
        Some("imported from tarball"),
        &mut |t| {
            for d in ROOT_DIRS {
                t.dir(d, 0o755);
            }
            t.dir("/root", 0o700);
            t.dir("/tmp", 0o1777);
            let size = if version == "1.35" {
                BUSYBOX_SIZE
            } else {
                BUSYBOX_SIZE + 87_312
            };
            t.blob("/bin/busybox", size, 0o755, &format!("busybox-{version}"));
            for a in applets() {
                t.link(&format!("/{a}"), "/bin/busybox");
            }
            t.text("/etc/passwd", PASSWD, 0o644);
            t.text("/etc/group", GROUP, 0o644);
            for f in EMPTY_FILES {
                t.text(f, "", 0o644);
            }
            t.link("/etc/mtab", "/proc/mounts");
        },
    );
    b.env = strings(&["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    b.cmd = Some(strings(&["sh"]));
    b.finish(&format!("docker.io/library/busybox:{tag}"), MTIME)
}
