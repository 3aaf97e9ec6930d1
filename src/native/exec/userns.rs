//! The namespaces a runc invocation starts in, entered by the child between fork and
//! exec: a private mount namespace holding the step's overlay (so the mount never
//! reaches the host's table and disappears with the last process), and, when layerlab
//! is not root, a user namespace in which the caller is root.
//!
//! Rootless follows what `unshare --map-root-user` and rootlesskit/podman do
//! (`user_namespaces(7)`): `unshare(CLONE_NEWUSER | CLONE_NEWNS)`, then the id maps.
//! With subordinate ranges for the caller in `/etc/subuid` and `/etc/subgid`
//! (`subuid(5)`) and the setuid helpers `newuidmap`/`newgidmap` (Debian's `uidmap`),
//! the maps are `0 <caller> 1` plus `1 <start> <count>` for each, written by the
//! helpers from the parent (an unprivileged process may not map ids other than its
//! own), so a RUN can `chown 1000` or `adduser`, and an image `USER` runs as itself.
//! Without them there is only the single mapping an unprivileged process may write
//! itself: `deny` to `/proc/self/setgroups`, `0 <uid> 1` and `0 <gid> 1`, and only
//! container uid/gid 0 exist ([`check_user`] says why, naming what is missing).
//! Inside, overlayfs can be mounted (Linux 5.11 and later) with `userxattr`, which
//! keeps opaque markers in `user.overlay.*` xattrs since `trusted.*` needs host root
//! (kernel `Documentation/filesystems/overlayfs.rst`, "Non-standard behavior"), and
//! runc runs as that fake root with `--rootless true` (no cgroup writes).

use super::user::ExecUser;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The sysctls and kernel features rootless mode needs, named in its errors.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RootlessError {
    #[error("rootless mode needs unprivileged user namespaces, which this kernel refuses (unshare(CLONE_NEWUSER): {cause}): {fix}, or run layerlab as root")]
    NoUserNamespaces { cause: String, fix: String },
    #[error("rootless mode needs overlayfs mounts inside a user namespace (Linux 5.11 or later with CONFIG_OVERLAY_FS), which this kernel refuses (mount overlay: {0}): run layerlab as root")]
    NoOverlayInUserNamespace(String),
    #[error("rootless mode maps only uid 0 and gid 0 ({why}): USER {user} (uid {uid}, gid {gid}) cannot run; run layerlab as root or drop USER")]
    UserNotMapped {
        user: String,
        uid: u32,
        gid: u32,
        why: String,
    },
    #[error("USER {user} (uid {uid}, gid {gid}) is outside the subordinate ids of this user (container ids 0 to {max_uid}:{max_gid}, from /etc/subuid and /etc/subgid)")]
    UserOutOfRange {
        user: String,
        uid: u32,
        gid: u32,
        max_uid: u32,
        max_gid: u32,
    },
    #[error("setting up the user namespace with {0}")]
    Helper(String),
}

/// A range of subordinate ids (`subuid(5)`: `owner:start:count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdRange {
    pub start: u32,
    pub count: u32,
}

/// The first range of `owner` (a user name or a numeric uid, as shadow accepts both)
/// in a `/etc/subuid`-format text; malformed lines are skipped, as shadow skips them.
pub fn subordinate_range(text: &str, name: Option<&str>, id: u32) -> Option<IdRange> {
    let id = id.to_string();
    text.lines().find_map(|line| {
        let mut f = line.trim().splitn(3, ':');
        let (owner, start, count) = (f.next()?, f.next()?, f.next()?);
        if owner != id && Some(owner) != name {
            return None;
        }
        let start = start.trim().parse::<u32>().ok()?;
        let count = count.trim().parse::<u32>().ok().filter(|c| *c > 0)?;
        start.checked_add(count)?;
        Some(IdRange { start, count })
    })
}

/// Host ids as a user namespace shows them (`Copy`, for reading upper dirs back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostIds {
    /// The caller: container root.
    pub uid: u32,
    pub gid: u32,
    /// Subordinate ranges: container ids 1 and up.
    pub uids: Option<IdRange>,
    pub gids: Option<IdRange>,
}

impl HostIds {
    /// The container id a host uid (`gid`: a gid) shows as; unmapped ids stay.
    pub fn to_container(&self, host: u32, gid: bool) -> u32 {
        let (caller, range) = if gid {
            (self.gid, self.gids)
        } else {
            (self.uid, self.uids)
        };
        if host == caller {
            return 0;
        }
        match range {
            Some(r) if host >= r.start && host - r.start < r.count => host - r.start + 1,
            _ => host,
        }
    }
}

/// How container ids map to host ids in rootless mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// Only the caller, as root; `why` names what is missing for more.
    Single { uid: u32, gid: u32, why: String },
    /// The caller as root and the subordinate ranges as ids 1 and up.
    Subordinate {
        uid: u32,
        gid: u32,
        uids: IdRange,
        gids: IdRange,
        newuidmap: PathBuf,
        newgidmap: PathBuf,
    },
}

fn find_tool(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .chain(["/usr/bin", "/bin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.get(2)? == &uid.to_string().as_str()).then(|| f[0].to_string())
    })
}

impl Mapping {
    /// The mapping for the calling user (see the module docs).
    pub fn detect() -> Mapping {
        // SAFETY: getuid/getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        let name = user_name(uid);
        let single = |why: String| Mapping::Single { uid, gid, why };
        let (Some(newuidmap), Some(newgidmap)) = (find_tool("newuidmap"), find_tool("newgidmap"))
        else {
            return single("newuidmap and newgidmap not found: install the uidmap package".into());
        };
        let who = name.clone().unwrap_or_else(|| uid.to_string());
        let range = |file: &str, id: u32| {
            std::fs::read_to_string(file)
                .ok()
                .and_then(|t| subordinate_range(&t, name.as_deref(), id))
        };
        let Some(uids) = range("/etc/subuid", uid) else {
            return single(format!("no subordinate uid range for {who} in /etc/subuid"));
        };
        let Some(gids) = range("/etc/subgid", uid) else {
            return single(format!("no subordinate gid range for {who} in /etc/subgid"));
        };
        Mapping::Subordinate {
            uid,
            gid,
            uids,
            gids,
            newuidmap,
            newgidmap,
        }
    }

    /// The host ids of this mapping, for reading owners back.
    pub fn host_ids(&self) -> HostIds {
        let (uid, gid) = self.caller();
        let (uids, gids) = match self {
            Mapping::Single { .. } => (None, None),
            Mapping::Subordinate { uids, gids, .. } => (Some(*uids), Some(*gids)),
        };
        HostIds {
            uid,
            gid,
            uids,
            gids,
        }
    }

    /// Host (uid, gid) standing for container root.
    pub fn caller(&self) -> (u32, u32) {
        match self {
            Mapping::Single { uid, gid, .. } | Mapping::Subordinate { uid, gid, .. } => {
                (*uid, *gid)
            }
        }
    }

    /// Highest container (uid, gid) that exists.
    pub fn max_ids(&self) -> (u32, u32) {
        match self {
            Mapping::Single { .. } => (0, 0),
            Mapping::Subordinate { uids, gids, .. } => (uids.count, gids.count),
        }
    }
}

/// Whether this process is unprivileged (and so runs rootless).
pub fn is_rootless() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() != 0 }
}

/// Only ids the mapping has can run: with the single mapping, uid/gid 0 (and
/// supplementary groups are dropped, setgroups being denied there); with subordinate
/// ranges, container ids up to the range size.
pub fn check_user(spec: &str, user: &mut ExecUser, mapping: &Mapping) -> Result<(), RootlessError> {
    let (max_uid, max_gid) = mapping.max_ids();
    match mapping {
        Mapping::Single { why, .. } if user.uid != 0 || user.gid != 0 => {
            Err(RootlessError::UserNotMapped {
                user: spec.to_string(),
                uid: user.uid,
                gid: user.gid,
                why: why.clone(),
            })
        }
        Mapping::Single { .. } => {
            user.additional_gids.clear();
            Ok(())
        }
        Mapping::Subordinate { .. } if user.uid > max_uid || user.gid > max_gid => {
            Err(RootlessError::UserOutOfRange {
                user: spec.to_string(),
                uid: user.uid,
                gid: user.gid,
                max_uid,
                max_gid,
            })
        }
        Mapping::Subordinate { .. } => {
            user.additional_gids.retain(|g| *g <= max_gid);
            Ok(())
        }
    }
}

/// The id maps a new user namespace gets.
#[derive(Debug, Clone)]
enum Maps {
    /// Not rootless: no user namespace.
    None,
    /// `uid_map` and `gid_map` written by the child itself.
    Single(Vec<u8>, Vec<u8>),
    /// Written from the parent by newuidmap/newgidmap ([`MapHelper`]).
    Helpers(Mapping),
}

/// What the child does before exec (see the module docs).
#[derive(Debug, Clone)]
pub struct Setup {
    maps: Maps,
    /// Pipe ends the child uses to hand its pid to the [`MapHelper`] and wait for it:
    /// (write pid, read go-ahead, and the helper's two ends, closed in the child).
    pipes: Option<[libc::c_int; 4]>,
    /// `lchown`s done as root of the namespace once it is mapped (path, uid, gid,
    /// mode to restore when it has setuid/setgid bits, which chown clears).
    chowns: Vec<(CString, u32, u32, Option<u32>)>,
    /// Where to mount the overlay, and its options.
    overlay: Option<(CString, CString)>,
    /// Start a new session first (a detached container's waiter outlives layerlab).
    new_session: bool,
}

fn cstr(b: &[u8]) -> io::Result<CString> {
    CString::new(b).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL byte in path"))
}

impl Setup {
    /// A private mount namespace, plus a user namespace when `rootless` (with the
    /// subordinate ranges when this user has them: [`Mapping::detect`]).
    pub fn new(rootless: bool) -> Setup {
        if !rootless {
            return Setup::with_maps(Maps::None);
        }
        match Mapping::detect() {
            m @ Mapping::Subordinate { .. } => Setup::with_maps(Maps::Helpers(m)),
            Mapping::Single { .. } => Setup::single(true),
        }
    }

    /// [`Setup::new`] with only the caller mapped (enough to manage runc state).
    pub fn single(rootless: bool) -> Setup {
        if !rootless {
            return Setup::with_maps(Maps::None);
        }
        // SAFETY: getuid/getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        Setup::with_maps(Maps::Single(
            format!("0 {uid} 1\n").into_bytes(),
            format!("0 {gid} 1\n").into_bytes(),
        ))
    }

    fn with_maps(maps: Maps) -> Setup {
        Setup {
            maps,
            pipes: None,
            chowns: Vec::new(),
            overlay: None,
            new_session: false,
        }
    }

    /// Whether container ids other than 0 exist in this namespace.
    pub fn maps_subordinate_ids(&self) -> bool {
        matches!(self.maps, Maps::Helpers(_))
    }

    /// Also gives `path` the owner `uid:gid` (container ids) once the namespace is
    /// mapped: an unprivileged caller cannot chown to its subordinate ids from outside.
    pub fn chown(&mut self, path: &Path, uid: u32, gid: u32, mode: Option<u32>) -> io::Result<()> {
        self.chowns
            .push((cstr(path.as_os_str().as_bytes())?, uid, gid, mode));
        Ok(())
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
        if !matches!(self.maps, Maps::None) {
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

    /// Installs the setup on `cmd` (runs in the child after fork). Keep the returned
    /// helper until `cmd` has been spawned: it writes the child's id maps.
    pub fn apply(mut self, cmd: &mut Command) -> MapHelper {
        let mut helper = MapHelper::default();
        if let Maps::Helpers(m) = &self.maps {
            if let Ok((h, fds)) = MapHelper::start(m) {
                helper = h;
                self.pipes = Some(fds);
            }
        }
        // SAFETY: `enter` only makes raw syscalls on data allocated before the fork.
        unsafe {
            cmd.pre_exec(move || self.enter());
        }
        helper
    }

    fn enter(&self) -> io::Result<()> {
        // SAFETY: plain syscalls with NUL-terminated strings and buffers prepared
        // before fork.
        unsafe {
            if self.new_session {
                libc::setsid();
            }
            match &self.maps {
                Maps::Single(uid_map, gid_map) => {
                    check(libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS))?;
                    write_proc(c"/proc/self/setgroups", b"deny")?;
                    write_proc(c"/proc/self/uid_map", uid_map)?;
                    write_proc(c"/proc/self/gid_map", gid_map)?;
                }
                Maps::Helpers(_) => {
                    let [pid_w, go_r, helper_r, helper_w] = self
                        .pipes
                        .ok_or_else(|| io::Error::from_raw_os_error(libc::EIO))?;
                    libc::close(helper_r);
                    libc::close(helper_w);
                    check(libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS))?;
                    let pid = libc::getpid().to_ne_bytes();
                    if libc::write(pid_w, pid.as_ptr().cast(), pid.len()) != pid.len() as isize {
                        return Err(io::Error::last_os_error());
                    }
                    let mut go = 0u8;
                    let n = libc::read(go_r, (&mut go as *mut u8).cast(), 1);
                    if n != 1 || go != 1 {
                        return Err(io::Error::from_raw_os_error(libc::EPERM));
                    }
                    // Root of the namespace now, with its capabilities.
                    check(libc::setresgid(0, 0, 0))?;
                    check(libc::setresuid(0, 0, 0))?;
                }
                Maps::None => check(libc::unshare(libc::CLONE_NEWNS))?,
            }
            for (path, uid, gid, mode) in &self.chowns {
                check(libc::lchown(path.as_ptr(), *uid, *gid))?;
                if let Some(mode) = mode {
                    check(libc::chmod(path.as_ptr(), *mode))?;
                }
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

/// The parent's side of a subordinate mapping: a thread that waits for the child's
/// pid (sent once it has unshared its user namespace), runs `newuidmap PID 0 UID 1 1
/// START COUNT` and the same for gids (`newuidmap(1)`), and lets the child go on.
/// `Command::spawn` returns only once the child has exec'd, so this cannot run on
/// the spawning thread.
#[must_use = "keep the helper until the command is spawned"]
#[derive(Debug, Default)]
pub struct MapHelper {
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
    /// Our copies of the child's pipe ends, closed after spawn (so the thread sees
    /// end-of-file when no child ever writes).
    child_ends: Vec<std::os::fd::OwnedFd>,
}

fn pipe() -> io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills two fds we then own.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: both fds are fresh and ours.
    unsafe {
        Ok((
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        ))
    }
}

fn write_maps(m: &Mapping, pid: i32) -> Result<(), String> {
    let Mapping::Subordinate {
        uid,
        gid,
        uids,
        gids,
        newuidmap,
        newgidmap,
    } = m
    else {
        return Ok(());
    };
    for (tool, own, r) in [(newuidmap, uid, uids), (newgidmap, gid, gids)] {
        let out = Command::new(tool)
            .args([
                pid.to_string(),
                "0".into(),
                own.to_string(),
                "1".into(),
                "1".into(),
                r.start.to_string(),
                r.count.to_string(),
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", tool.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{}: {}",
                tool.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    Ok(())
}

impl MapHelper {
    fn start(m: &Mapping) -> io::Result<(MapHelper, [libc::c_int; 4])> {
        use std::io::{Read, Write};
        use std::os::fd::AsRawFd;
        let (pid_r, pid_w) = pipe()?;
        let (go_r, go_w) = pipe()?;
        let fds = [
            pid_w.as_raw_fd(),
            go_r.as_raw_fd(),
            pid_r.as_raw_fd(),
            go_w.as_raw_fd(),
        ];
        let m = m.clone();
        let thread = std::thread::spawn(move || {
            let mut from_child = std::fs::File::from(pid_r);
            let mut to_child = std::fs::File::from(go_w);
            let mut pid = [0u8; 4];
            if from_child.read_exact(&mut pid).is_err() {
                return Ok(());
            }
            let result = write_maps(&m, i32::from_ne_bytes(pid));
            let _ = to_child.write_all(&[u8::from(result.is_ok())]);
            result
        });
        Ok((
            MapHelper {
                thread: Some(thread),
                child_ends: vec![pid_w, go_r],
            },
            fds,
        ))
    }

    /// After the spawn: what newuidmap/newgidmap said if they failed.
    pub fn finish(mut self) -> Result<(), RootlessError> {
        self.child_ends.clear();
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(Err(e))) => Err(RootlessError::Helper(e)),
            _ => Ok(()),
        }
    }
}

impl Drop for MapHelper {
    fn drop(&mut self) {
        self.child_ends.clear();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
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
    let run = |setup: Setup| -> Result<io::Result<()>, RootlessError> {
        let mut cmd = Command::new(probe);
        cmd.arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let helper = setup.apply(&mut cmd);
        let status = cmd.status().map(|_| ());
        helper.finish()?;
        Ok(status)
    };
    run(Setup::single(true))?.map_err(|e| RootlessError::NoUserNamespaces {
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
    let result = run(setup)
        .and_then(|r| r.map_err(|e| RootlessError::NoOverlayInUserNamespace(e.to_string())));
    let _ = super::rootfs::remove_tree(scratch);
    result
}

/// `rm -rf path` that also removes what subordinate ids own (a RUN's `chown 1000`),
/// which the caller can only do as root of a user namespace mapping them.
pub fn remove_tree(path: &Path) -> io::Result<()> {
    let first = super::rootfs::remove_tree(path);
    if first.is_ok() || !is_rootless() {
        return first;
    }
    let setup = Setup::new(true);
    if !setup.maps_subordinate_ids() {
        return first;
    }
    let mut cmd = Command::new("rm");
    cmd.arg("-rf")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let helper = setup.apply(&mut cmd);
    let status = cmd.status();
    let _ = helper.finish();
    match status {
        Ok(s) if s.success() && !path.exists() => Ok(()),
        _ => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single() -> Mapping {
        Mapping::Single {
            uid: 1234,
            gid: 1234,
            why: "no subordinate uid range for u in /etc/subuid".into(),
        }
    }

    fn subordinate() -> Mapping {
        Mapping::Subordinate {
            uid: 1234,
            gid: 1235,
            uids: IdRange {
                start: 100_000,
                count: 65_536,
            },
            gids: IdRange {
                start: 200_000,
                count: 1_000,
            },
            newuidmap: "/usr/bin/newuidmap".into(),
            newgidmap: "/usr/bin/newgidmap".into(),
        }
    }

    #[test]
    fn single_mapping_runs_only_root_and_says_why() {
        let mut root = ExecUser {
            uid: 0,
            gid: 0,
            additional_gids: vec![10],
        };
        check_user("", &mut root, &single()).unwrap();
        assert!(root.additional_gids.is_empty());
        let mut app = ExecUser {
            uid: 1000,
            gid: 1000,
            additional_gids: vec![],
        };
        assert_eq!(
            check_user("appuser", &mut app, &single()).unwrap_err().to_string(),
            "rootless mode maps only uid 0 and gid 0 (no subordinate uid range for u in /etc/subuid): USER appuser (uid 1000, gid 1000) cannot run; run layerlab as root or drop USER"
        );
    }

    #[test]
    fn subordinate_ranges_run_users_inside_them() {
        let m = subordinate();
        let mut app = ExecUser {
            uid: 1000,
            gid: 1000,
            additional_gids: vec![10, 5000],
        };
        check_user("app", &mut app, &m).unwrap();
        assert_eq!(app.additional_gids, [10]);
        let mut far = ExecUser {
            uid: 70_000,
            gid: 1,
            additional_gids: vec![],
        };
        assert_eq!(
            check_user("far", &mut far, &m).unwrap_err().to_string(),
            "USER far (uid 70000, gid 1) is outside the subordinate ids of this user (container ids 0 to 65536:1000, from /etc/subuid and /etc/subgid)"
        );
        let ids = m.host_ids();
        assert_eq!(ids.to_container(1234, false), 0);
        assert_eq!(ids.to_container(1235, true), 0);
        assert_eq!(ids.to_container(100_999, false), 1000);
        assert_eq!(ids.to_container(200_000, true), 1);
        assert_eq!(ids.to_container(201_000, true), 201_000, "past the range");
        assert_eq!(single().host_ids().to_container(100_999, false), 100_999);
    }

    #[test]
    fn subuid_lines_by_name_or_uid() {
        let text =
            "alice:100000:65536\n# comment\nbad line\n1001:300000:10\nzero:1:0\nbig:4294967295:2\n";
        assert_eq!(
            subordinate_range(text, Some("alice"), 1000),
            Some(IdRange {
                start: 100_000,
                count: 65_536
            })
        );
        assert_eq!(
            subordinate_range(text, Some("bob"), 1001),
            Some(IdRange {
                start: 300_000,
                count: 10
            })
        );
        assert_eq!(subordinate_range(text, Some("zero"), 5), None);
        assert_eq!(subordinate_range(text, Some("big"), 6), None);
        assert_eq!(subordinate_range(text, None, 7), None);
    }
}
