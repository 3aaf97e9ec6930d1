//! The namespaces a runc invocation starts in, entered by the child between fork and
//! exec: a private mount namespace holding the step's overlay (so the mount never
//! reaches the host's table and disappears with the last process), and, when layerlab
//! is not root, a user namespace in which the caller is root.
//!
//! Rootless follows what `unshare --map-root-user` and rootlesskit do with a single
//! mapping (`user_namespaces(7)`): `unshare(CLONE_NEWUSER | CLONE_NEWNS)`, `deny` to
//! `/proc/self/setgroups` (required before an unprivileged process may write its own
//! `gid_map`), then `0 <uid> 1` and `0 <gid> 1`. Inside, overlayfs can be mounted
//! (Linux 5.11 and later) with `userxattr`, which keeps opaque markers in
//! `user.overlay.*` xattrs since `trusted.*` needs host root (kernel
//! `Documentation/filesystems/overlayfs.rst`, "Non-standard behavior"), and runc runs as
//! that fake root with `--rootless true` (no cgroup writes). Only container uid/gid 0
//! exist there: an image `USER` other than root would need subordinate id ranges
//! (`newuidmap`), which this does not set up, and says so ([`check_user`]).

use super::user::ExecUser;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// The sysctls and kernel features rootless mode needs, named in its errors.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RootlessError {
    #[error("rootless mode needs unprivileged user namespaces, which this kernel refuses (unshare(CLONE_NEWUSER): {cause}): {fix}, or run layerlab as root")]
    NoUserNamespaces { cause: String, fix: String },
    #[error("rootless mode needs overlayfs mounts inside a user namespace (Linux 5.11 or later with CONFIG_OVERLAY_FS), which this kernel refuses (mount overlay: {0}): run layerlab as root")]
    NoOverlayInUserNamespace(String),
    #[error("rootless mode maps only uid 0 and gid 0 (no subordinate id ranges from /etc/subuid and newuidmap): USER {user} (uid {uid}, gid {gid}) cannot run; run layerlab as root or drop USER")]
    UserNotMapped { user: String, uid: u32, gid: u32 },
}

/// Whether this process is unprivileged (and so runs rootless).
pub fn is_rootless() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() != 0 }
}

/// Rootless mode has only uid/gid 0 inside: any other USER fails with the reason.
/// Supplementary groups are dropped (setgroups is denied in the namespace).
pub fn check_user(spec: &str, user: &mut ExecUser) -> Result<(), RootlessError> {
    if user.uid != 0 || user.gid != 0 {
        return Err(RootlessError::UserNotMapped {
            user: spec.to_string(),
            uid: user.uid,
            gid: user.gid,
        });
    }
    user.additional_gids.clear();
    Ok(())
}

/// What the child does before exec (see the module docs).
#[derive(Debug, Clone)]
pub struct Setup {
    /// `uid_map` and `gid_map` contents when rootless.
    maps: Option<(Vec<u8>, Vec<u8>)>,
    /// Where to mount the overlay, and its options.
    overlay: Option<(CString, CString)>,
    /// Start a new session first (a detached container's waiter outlives layerlab).
    new_session: bool,
}

fn cstr(b: &[u8]) -> io::Result<CString> {
    CString::new(b).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL byte in path"))
}

impl Setup {
    /// A private mount namespace, plus a user namespace when `rootless`.
    pub fn new(rootless: bool) -> Setup {
        // SAFETY: getuid/getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        Setup {
            maps: rootless.then(|| {
                (
                    format!("0 {uid} 1\n").into_bytes(),
                    format!("0 {gid} 1\n").into_bytes(),
                )
            }),
            overlay: None,
            new_session: false,
        }
    }

    /// Also mounts `overlay lowerdir=…,upperdir=…,workdir=…` on `merged`.
    pub fn with_overlay(
        mut self,
        lower: &Path,
        upper: &Path,
        work: &Path,
        merged: &Path,
    ) -> io::Result<Setup> {
        let mut opts = format!(
            "lowerdir={},upperdir={},workdir={}",
            lower.display(),
            upper.display(),
            work.display()
        );
        if self.maps.is_some() {
            opts.push_str(",userxattr");
        }
        self.overlay = Some((cstr(merged.as_os_str().as_bytes())?, cstr(opts.as_bytes())?));
        Ok(self)
    }

    /// Calls `setsid` first.
    pub fn in_new_session(mut self) -> Setup {
        self.new_session = true;
        self
    }

    /// Installs the setup on `cmd` (runs in the child after fork).
    pub fn apply(self, cmd: &mut Command) {
        // SAFETY: `enter` only makes raw syscalls on data allocated before the fork.
        unsafe {
            cmd.pre_exec(move || self.enter());
        }
    }

    fn enter(&self) -> io::Result<()> {
        // SAFETY: plain syscalls with NUL-terminated strings prepared before fork.
        unsafe {
            if self.new_session {
                libc::setsid();
            }
            match &self.maps {
                Some((uid_map, gid_map)) => {
                    check(libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS))?;
                    write_proc(c"/proc/self/setgroups", b"deny")?;
                    write_proc(c"/proc/self/uid_map", uid_map)?;
                    write_proc(c"/proc/self/gid_map", gid_map)?;
                }
                None => check(libc::unshare(libc::CLONE_NEWNS))?,
            }
            check(libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ))?;
            if let Some((merged, opts)) = &self.overlay {
                check(libc::mount(
                    c"overlay".as_ptr(),
                    merged.as_ptr(),
                    c"overlay".as_ptr(),
                    0,
                    opts.as_ptr().cast(),
                ))?;
            }
        }
        Ok(())
    }
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Writes to a /proc file with raw syscalls (safe between fork and exec).
fn write_proc(path: &std::ffi::CStr, data: &[u8]) -> io::Result<()> {
    // SAFETY: `path` is NUL-terminated; the fd is closed before returning.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        libc::close(fd);
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The fix for a refused user namespace, from the sysctls this kernel has: Debian's
/// `kernel.unprivileged_userns_clone`, Ubuntu's AppArmor restriction, the namespace
/// count limit.
fn userns_fix() -> String {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    let mut fixes = Vec::new();
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        fixes.push("sysctl -w kernel.unprivileged_userns_clone=1");
    }
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        fixes.push("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
    }
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        fixes.push("sysctl -w user.max_user_namespaces=15000");
    }
    if fixes.is_empty() {
        "enable CONFIG_USER_NS and unprivileged user namespaces (a container may also forbid them through its seccomp profile)".to_string()
    } else {
        format!("enable them with `{}`", fixes.join("` and `"))
    }
}

/// Probes, with `probe` as a harmless program to exec (`runc --version`), whether
/// this kernel lets the caller create a user namespace and mount overlayfs in it;
/// the error names what is missing. `scratch` is an empty directory to mount in.
pub fn probe(probe: &Path, scratch: &Path) -> Result<(), RootlessError> {
    let run = |setup: Setup| -> io::Result<()> {
        let mut cmd = Command::new(probe);
        cmd.arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        setup.apply(&mut cmd);
        cmd.status().map(|_| ())
    };
    run(Setup::new(true)).map_err(|e| RootlessError::NoUserNamespaces {
        cause: e.to_string(),
        fix: userns_fix(),
    })?;
    let dirs: Vec<_> = ["lower", "upper", "work", "merged"]
        .iter()
        .map(|d| scratch.join(d))
        .collect();
    for d in &dirs {
        std::fs::create_dir_all(d)
            .map_err(|e| RootlessError::NoOverlayInUserNamespace(e.to_string()))?;
    }
    let setup = Setup::new(true)
        .with_overlay(&dirs[0], &dirs[1], &dirs[2], &dirs[3])
        .map_err(|e| RootlessError::NoOverlayInUserNamespace(e.to_string()))?;
    let result = run(setup).map_err(|e| RootlessError::NoOverlayInUserNamespace(e.to_string()));
    let _ = super::rootfs::remove_tree(scratch);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_root_maps_in_rootless_mode() {
        let mut root = ExecUser {
            uid: 0,
            gid: 0,
            additional_gids: vec![10],
        };
        check_user("", &mut root).unwrap();
        assert!(root.additional_gids.is_empty());
        let mut app = ExecUser {
            uid: 1000,
            gid: 1000,
            additional_gids: vec![],
        };
        assert_eq!(
            check_user("appuser", &mut app).unwrap_err().to_string(),
            "rootless mode maps only uid 0 and gid 0 (no subordinate id ranges from /etc/subuid and newuidmap): USER appuser (uid 1000, gid 1000) cannot run; run layerlab as root or drop USER"
        );
    }
}
