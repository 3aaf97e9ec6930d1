//! Real RUN: [`RuncExecutor`] implements the engine's `Executor` with runc over
//! overlayfs, the way BuildKit's runc worker does (`executor/runcexecutor`,
//! `snapshot/overlay`):
//!
//! 1. the step's rootfs ([`Fs`]) is materialised as the overlay's lower directory;
//! 2. a child process enters a private mount namespace (so nothing leaks to the host
//!    mount table and the overlay disappears with it), mounts
//!    `overlay lowerdir=…,upperdir=…,workdir=…` and execs `runc run` on a bundle whose
//!    root is the merged directory (see [`bundle`] for namespaces and capabilities);
//! 3. stdout/stderr are captured line by line with their time since start; a timeout
//!    kills the container (`runc kill … KILL`);
//! 4. the upper directory is read back into a new [`Fs`] ([`rootfs::read_upper`]):
//!    whiteouts become deletions, opaque directories are recreated, so the engine's diff
//!    yields exactly the OCI layer.
//!
//! Not root: the child first creates a user namespace mapping the caller to root and,
//! with `/etc/subuid` ranges and newuidmap, container ids 1 and up to subordinate ids
//! ([`userns`]: overlay mounts inside a user namespace need Linux 5.11), and runc runs
//! rootless in it; the lower dir's non-root owners are set inside that namespace. [`RuncExecutor::new`] probes that the kernel allows both, so a
//! refusal is one error naming the missing piece (tests/suite/native_rootless.rs).

pub mod bundle;
pub mod rootfs;
pub mod user;
pub mod userns;

use crate::engine::build::executor::{Executor, OutputLine, RunRequest, RunResult};
use crate::engine::fs::Fs;
use std::io::{self, BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The PATH a RUN step gets when the image sets none (BuildKit's default).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("runc not found in PATH, /usr/sbin or /sbin: install it with `apt-get install runc` (Debian/Ubuntu) or `dnf install runc` (Fedora)")]
    NoRunc,
    #[error("overlayfs is not available: load the kernel module with `modprobe overlay` (CONFIG_OVERLAY_FS)")]
    NoOverlay,
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    #[error(transparent)]
    Rootfs(#[from] rootfs::RootfsError),
    #[error(transparent)]
    User(#[from] user::UserError),
    #[error(transparent)]
    Rootless(#[from] userns::RootlessError),
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> ExecError {
    let what = what.into();
    move |source| ExecError::Io { what, source }
}

/// Where and how RUN steps execute.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// Parent of each step's `lower/ upper/ work/ merged/ bundle/` (must support
    /// overlayfs upper dirs: ext4, xfs, tmpfs; not overlayfs itself).
    pub work_root: PathBuf,
    /// A step running longer is killed (`stopped_by` says so).
    pub timeout: Duration,
    /// The runc binary.
    pub runc: PathBuf,
    /// Keep the step directories (for debugging).
    pub keep_work: bool,
}

impl ExecOptions {
    /// `$TMPDIR/layerlab-exec` (`layerlab-exec-<uid>` when not root, so users do not
    /// share it), a 10-minute timeout, runc from PATH.
    pub fn detect() -> Result<ExecOptions, ExecError> {
        let dir = if userns::is_rootless() {
            // SAFETY: getuid cannot fail.
            format!("layerlab-exec-{}", unsafe { libc::getuid() })
        } else {
            "layerlab-exec".to_string()
        };
        Ok(ExecOptions {
            work_root: std::env::temp_dir().join(dir),
            timeout: Duration::from_secs(600),
            runc: find_runc().ok_or(ExecError::NoRunc)?,
            keep_work: false,
        })
    }
}

/// `runc` from PATH, else the sbin directories non-root PATHs often lack.
pub fn find_runc() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join("runc"))
        .find(|p| p.is_file())
}

/// Whether the kernel lists overlay in /proc/filesystems.
pub fn overlay_available() -> bool {
    std::fs::read_to_string("/proc/filesystems").is_ok_and(|s| {
        s.lines()
            .any(|l| l.split_whitespace().last() == Some("overlay"))
    })
}

/// Sees each output line of a running step as it arrives (progress display).
pub type OutputObserver = Box<dyn FnMut(&OutputLine)>;

/// The real executor (see the module docs).
pub struct RuncExecutor {
    opts: ExecOptions,
    seq: u64,
    observer: Option<OutputObserver>,
}

impl std::fmt::Debug for RuncExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuncExecutor")
            .field("opts", &self.opts)
            .field("seq", &self.seq)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

impl RuncExecutor {
    /// Checks that runc and overlayfs are there and, when not root, that the kernel
    /// allows a user namespace with an overlay mount in it; the error says what to
    /// install or enable.
    pub fn new(opts: ExecOptions) -> Result<RuncExecutor, ExecError> {
        if !opts.runc.is_file() {
            return Err(ExecError::NoRunc);
        }
        if !overlay_available() {
            return Err(ExecError::NoOverlay);
        }
        std::fs::create_dir_all(&opts.work_root)
            .map_err(io_err(opts.work_root.display().to_string()))?;
        if userns::is_rootless() {
            let scratch = opts.work_root.join(format!("probe-{}", std::process::id()));
            userns::probe(&opts.runc, &scratch)?;
        }
        Ok(RuncExecutor {
            opts,
            seq: 0,
            observer: None,
        })
    }

    /// [`RuncExecutor::new`] with [`ExecOptions::detect`].
    pub fn detect() -> Result<RuncExecutor, ExecError> {
        RuncExecutor::new(ExecOptions::detect()?)
    }

    /// Sets (or clears) the observer of live output lines; the step's result still
    /// carries every line.
    pub fn observe_output(&mut self, observer: Option<OutputObserver>) {
        self.observer = observer;
    }

    /// Runs one step; `Err` only for failures of the machinery (not of the command).
    pub fn try_run(&mut self, rootfs: &Fs, req: &RunRequest) -> Result<RunResult, ExecError> {
        self.seq += 1;
        let id = format!("layerlab-{}-{}", std::process::id(), self.seq);
        let dir = self.opts.work_root.join(&id);
        let result = self.run_in(&dir, &id, rootfs, req);
        if !self.opts.keep_work {
            let _ = userns::remove_tree(&dir);
        }
        result
    }

    fn run_in(
        &mut self,
        dir: &Path,
        id: &str,
        rootfs: &Fs,
        req: &RunRequest,
    ) -> Result<RunResult, ExecError> {
        let rootless = userns::is_rootless();
        let mut user = user::resolve(rootfs, &req.user)?;
        let mapping = rootless.then(userns::Mapping::detect);
        if let Some(m) = &mapping {
            userns::check_user(&req.user, &mut user, m)?;
        }
        let owners = rootfs::Owners::for_rootless(rootless);
        let (lower, upper, work, merged, bundle_dir, files) = (
            dir.join("lower"),
            dir.join("upper"),
            dir.join("work"),
            dir.join("merged"),
            dir.join("bundle"),
            dir.join("files"),
        );
        for d in [&upper, &work, &merged, &bundle_dir, &files] {
            std::fs::create_dir_all(d).map_err(io_err(d.display().to_string()))?;
        }
        rootfs::materialize_as(rootfs, &lower, owners)?;
        // The merged root takes the upper root's attributes: start them equal to the
        // lower root's so an untouched `/` reads back unchanged.
        let root_meta = rootfs
            .stat("/")
            .map(|s| s.meta)
            .unwrap_or(crate::engine::fs::Metadata::new(0o755, 0, 0, 0));
        rootfs::apply_meta_as(&upper, root_meta, false, owners).map_err(io_err("upper dir"))?;
        let mut binds = Vec::new();
        for (i, (path, content)) in req.files.iter().enumerate() {
            let host = files.join(i.to_string());
            std::fs::write(&host, content).map_err(io_err(host.display().to_string()))?;
            binds.push((host.display().to_string(), path.clone()));
        }
        let mut env: Vec<String> = req.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !req.env.iter().any(|(k, _)| k == "PATH") {
            env.insert(0, format!("PATH={DEFAULT_PATH}"));
        }
        let args = req.command.argv();
        let cwd = if req.workdir.is_empty() {
            "/"
        } else {
            req.workdir.as_str()
        };
        let mut config = bundle::config(&bundle::BundleSpec {
            rootfs: &merged,
            args: &args,
            env: &env,
            cwd,
            user: &user,
            hostname: "buildkitsandbox",
            binds: &binds,
            volumes: &[],
        });
        if rootless {
            // Device cgroup rules need privileges a user namespace does not have.
            if let Some(linux) = config.get_mut("linux").and_then(|l| l.as_object_mut()) {
                linux.remove("resources");
            }
        }
        let cfg_path = bundle_dir.join("config.json");
        std::fs::write(&cfg_path, config.to_string()).map_err(io_err("config.json"))?;

        let mut setup = userns::Setup::new(rootless)
            .with_overlay(&lower, &upper, &work, &merged)
            .map_err(io_err("overlay options"))?;
        if setup.maps_subordinate_ids() {
            // The lower dir was written as the caller's; its real owners are
            // subordinate ids, which only root of the namespace can give.
            for (path, uid, gid, mode) in rootfs::foreign_owners(rootfs, &lower)? {
                setup
                    .chown(&path, uid, gid, mode)
                    .map_err(io_err(path.display().to_string()))?;
            }
        }
        let state = self.opts.work_root.join("runc-state");
        let mut cmd = runc_command(&self.opts.runc, &state, false);
        cmd.arg("run")
            .arg("--bundle")
            .arg(&bundle_dir)
            .arg(id)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let helper = setup.apply(&mut cmd);
        let start = Instant::now();
        let spawned = cmd.spawn();
        helper.finish()?;
        let mut child =
            spawned.map_err(io_err(format!("starting {}", self.opts.runc.display())))?;
        let (tx, rx) = mpsc::channel::<OutputLine>();
        let mut readers = Vec::new();
        for (stream, stderr) in [
            (
                child
                    .stdout
                    .take()
                    .map(|s| Box::new(s) as Box<dyn io::Read + Send>),
                false,
            ),
            (
                child
                    .stderr
                    .take()
                    .map(|s| Box::new(s) as Box<dyn io::Read + Send>),
                true,
            ),
        ] {
            let Some(stream) = stream else { continue };
            let tx = tx.clone();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stream).split(b'\n') {
                    let Ok(line) = line else { break };
                    let _ = tx.send(OutputLine {
                        at_ms: start.elapsed().as_millis() as u64,
                        stderr,
                        text: String::from_utf8_lossy(&line).into_owned(),
                    });
                }
            }));
        }
        drop(tx);
        let mut stopped_by = None;
        let mut output: Vec<OutputLine> = Vec::new();
        let take_lines = |output: &mut Vec<OutputLine>, observer: &mut Option<OutputObserver>| {
            while let Ok(line) = rx.try_recv() {
                if let Some(f) = observer.as_mut() {
                    f(&line);
                }
                output.push(line);
            }
        };
        let status = loop {
            take_lines(&mut output, &mut self.observer);
            if let Some(s) = child.try_wait().map_err(io_err("waiting for runc"))? {
                break s;
            }
            if start.elapsed() > self.opts.timeout {
                let _ = runc_command(&self.opts.runc, &state, rootless)
                    .args(["kill", id, "KILL"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                let _ = child.kill();
                stopped_by = Some(format!(
                    "process did not complete within the {}s timeout and was killed",
                    self.opts.timeout.as_secs()
                ));
                break child.wait().map_err(io_err("waiting for runc"))?;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        for r in readers {
            let _ = r.join();
        }
        take_lines(&mut output, &mut self.observer);
        output.sort_by_key(|l| l.at_ms);
        let elapsed = start.elapsed().as_millis() as u64;
        let _ = runc_command(&self.opts.runc, &state, rootless)
            .args(["delete", "--force", id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let exit_code = status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
        let mut fs = rootfs::read_upper(
            rootfs,
            &upper,
            rootfs::ReadBack {
                mtime: req.mtime,
                id_map: mapping.as_ref().map(userns::Mapping::host_ids),
            },
        )?;
        drop_mount_stubs(rootfs, &mut fs, &req.files);
        Ok(RunResult {
            fs,
            exit_code,
            output,
            simulated_ms: elapsed,
            stopped_by,
        })
    }
}

/// `runc --root STATE` (with `--rootless true` when not root). With `enter`, the
/// command also gets a fresh user namespace like the one the container was started
/// in (for `kill` and `delete`, whose state files belong to that namespace's root);
/// `run` gets its namespaces from [`userns::Setup`] with the overlay instead.
pub fn runc_command(runc: &Path, state: &Path, enter: bool) -> Command {
    let rootless = userns::is_rootless();
    let mut cmd = Command::new(runc);
    cmd.arg("--root").arg(state);
    if rootless {
        cmd.arg("--rootless").arg("true");
        if enter {
            // Only the caller needs mapping to manage runc's state (no helper to keep).
            let _single = userns::Setup::single(true).apply(&mut cmd);
        }
    }
    cmd
}

/// runc creates missing mount points (`/proc`, `/dev`, `/sys`, bind targets) in the
/// rootfs; BuildKit removes such empty stubs so they do not end up in the layer.
fn drop_mount_stubs(before: &Fs, after: &mut Fs, files: &[(String, String)]) {
    let mut stubs: Vec<String> = ["/proc", "/dev", "/sys"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    stubs.extend(files.iter().map(|(p, _)| p.clone()));
    for p in stubs {
        if before.lstat(&p).is_ok() {
            continue;
        }
        if let Ok(s) = after.lstat(&p) {
            let empty = after
                .list_dir(&p)
                .map(|l| l.is_empty())
                .unwrap_or(s.size == 0);
            if empty {
                let _ = after.remove_all(&p);
            }
        }
    }
}

impl Executor for RuncExecutor {
    /// A failure of the machinery (not of the command) is reported as exit code 126
    /// with the error on stderr and in `stopped_by`.
    fn run(&mut self, rootfs: Fs, req: &RunRequest) -> RunResult {
        match self.try_run(&rootfs, req) {
            Ok(r) => r,
            Err(e) => RunResult {
                fs: rootfs,
                exit_code: 126,
                output: vec![OutputLine {
                    at_ms: 0,
                    stderr: true,
                    text: e.to_string(),
                }],
                simulated_ms: 0,
                stopped_by: Some(e.to_string()),
            },
        }
    }
}
