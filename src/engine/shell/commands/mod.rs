//! The programs RUN scripts call: the busybox/coreutils set, user management,
//! archives, and network tools that explain there is no network.
//!
//! Each program is a `fn(&mut Ctx) -> i32` (the exit status); it reads stdin and writes
//! stdout/stderr through [`Ctx`], which also meters the budgets. Messages follow
//! BusyBox's wording (`rm: can't remove 'x': No such file or directory`), since the
//! reference images (busybox, alpine) use it.

mod archive;
pub(crate) mod env;
mod files;
mod find;
mod grep;
mod info;
mod net;
mod printf;
mod sed;
mod shell;
mod test;
mod text;
mod users;

pub(crate) use users::groups_of;

use super::interp::Shell;
use super::perm::OpError;
use super::state::Io;
use crate::engine::fs::Metadata;

pub(crate) type CmdFn = fn(&mut Ctx<'_>) -> i32;

/// A running program: the shell (filesystem, budgets), its streams and arguments.
pub(crate) struct Ctx<'a> {
    pub sh: &'a mut Shell,
    pub io: Io,
    /// `argv[0]` included.
    pub argv: Vec<String>,
    /// The process environment.
    pub env: Vec<(String, String)>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        sh: &'a mut Shell,
        io: Io,
        argv: Vec<String>,
        env: Vec<(String, String)>,
    ) -> Ctx<'a> {
        Ctx { sh, io, argv, env }
    }

    /// The program name for messages (`rm`, not `/bin/rm`).
    pub fn name(&self) -> String {
        super::resolve::basename(&self.argv[0]).to_string()
    }

    pub fn args(&self) -> Vec<String> {
        self.argv[1..].to_vec()
    }

    pub fn out(&mut self, s: impl AsRef<[u8]>) -> bool {
        self.sh.write(self.io.out, s.as_ref())
    }

    pub fn err(&mut self, s: impl AsRef<[u8]>) -> bool {
        self.sh.write(self.io.err, s.as_ref())
    }

    /// `name: msg` on stderr; returns 1 for `return ctx.fail(..)`.
    pub fn fail(&mut self, msg: impl AsRef<str>) -> i32 {
        let line = format!("{}: {}\n", self.name(), msg.as_ref());
        self.err(line);
        1
    }

    pub fn stopped(&self) -> bool {
        self.sh.stopped.is_some()
    }

    /// Charge `n` steps; false once a budget has run out.
    pub fn tick(&mut self, n: u64) -> bool {
        self.sh.step(n).is_ok()
    }

    pub fn stdin(&mut self) -> Vec<u8> {
        self.sh.read_all(self.io.stdin)
    }

    pub fn path(&self, p: &str) -> String {
        self.sh.abs(p)
    }

    pub fn getenv(&self, k: &str) -> Option<String> {
        self.env
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    }

    /// The bytes of a file; `-` is stdin. Errors are strerror text.
    pub fn read(&mut self, p: &str) -> Result<Vec<u8>, String> {
        if p == "-" || p == "/dev/stdin" {
            return Ok(self.stdin());
        }
        let abs = self.path(p);
        match self.sh.read_bytes(&abs) {
            Ok(b) => {
                self.tick(b.len() as u64 / 4096);
                Ok(b)
            }
            Err(Some(e)) => Err(e.to_string()),
            Err(None) => Err("Cannot allocate memory".into()),
        }
    }

    /// Input files, or stdin when there are none (the filter convention).
    pub fn inputs(&mut self, files: &[String]) -> Vec<(String, Result<Vec<u8>, String>)> {
        if files.is_empty() {
            let d = self.stdin();
            return vec![("-".into(), Ok(d))];
        }
        files.iter().map(|f| (f.clone(), self.read(f))).collect()
    }

    /// Whether `abs` is a directory, following symlinks (`test -d`): the question every
    /// program with a DEST or a recursive walk asks.
    #[inline(never)]
    pub fn is_dir(&self, abs: &str) -> bool {
        self.sh
            .fs
            .stat(abs)
            .is_ok_and(|s| s.file_type == crate::engine::fs::FileType::Dir)
    }

    /// Metadata for a file the program creates (`mode & ~umask`, running user, mtime).
    pub fn meta(&self, mode: u32) -> Metadata {
        self.sh.new_file_meta(mode)
    }

    /// Write a whole file (O_TRUNC), checking the filesystem budgets.
    pub fn write_file(&mut self, p: &str, data: Vec<u8>, mode: u32) -> Result<(), OpError> {
        let abs = self.path(p);
        let meta = self.meta(mode);
        self.tick(data.len() as u64 / 4096);
        let r = self.sh.write_file(&abs, data, meta);
        let _ = self.sh.check_fs();
        r
    }
}

/// Look up a program's simulation by name.
pub(crate) fn lookup(name: &str) -> Option<CmdFn> {
    Some(match name {
        "sh" | "ash" | "bash" | "dash" => shell::sh,
        "echo" => printf::echo,
        "printf" => printf::printf,
        "test" | "[" | "[[" => test::test,
        "true" => |_| 0,
        "false" => |_| 1,
        "env" | "printenv" => env::env,
        "cat" => text::cat,
        "head" => text::head,
        "tail" => text::tail,
        "wc" => text::wc,
        "tr" => text::tr,
        "cut" => text::cut,
        "sort" => text::sort,
        "uniq" => text::uniq,
        "tee" => text::tee,
        "rev" => text::rev,
        "seq" => text::seq,
        "yes" => text::yes,
        "xargs" => text::xargs,
        "grep" | "egrep" | "fgrep" => grep::grep,
        "sed" => sed::sed,
        "ls" => files::ls,
        "mkdir" => files::mkdir,
        "rmdir" => files::rmdir,
        "touch" => files::touch,
        "rm" => files::rm,
        "cp" => files::cp,
        "mv" => files::mv,
        "ln" => files::ln,
        "chmod" => files::chmod,
        "chown" | "chgrp" => files::chown,
        "stat" => files::stat,
        "du" => files::du,
        "df" => files::df,
        "mktemp" => files::mktemp,
        "install" => files::install,
        "realpath" => files::realpath,
        "readlink" => files::readlink,
        "mkfifo" => files::mkfifo,
        "mknod" => files::mknod,
        "find" => find::find,
        "basename" => info::basename,
        "dirname" => info::dirname,
        "pwd" => info::pwd,
        "id" => info::id,
        "whoami" => info::whoami,
        "uname" => info::uname,
        "date" => info::date,
        "sleep" => info::sleep,
        "which" => info::which,
        "nproc" => info::nproc,
        "hostname" => info::hostname,
        "sync" | "kill" => |_| 0,
        "useradd" | "adduser" => users::useradd,
        "groupadd" | "addgroup" => users::groupadd,
        "usermod" => users::usermod,
        "getent" => users::getent,
        "tar" => archive::tar,
        "gzip" | "gunzip" | "zcat" => archive::gzip,
        "curl" | "wget" | "git" | "ping" | "nslookup" | "ssh" | "scp" => net::net,
        _ => return None,
    })
}

/// An existing program with no simulation: it runs, prints nothing and succeeds.
pub(crate) fn fallback(_: &mut Ctx<'_>) -> i32 {
    0
}

/// Split `-abc` style short options from operands; `--` ends options. Options that take
/// a value (listed in `with_value`) consume the rest of the cluster or the next argument.
pub(crate) fn getopt(
    args: &[String],
    with_value: &str,
) -> (Vec<(char, Option<String>)>, Vec<String>) {
    let mut opts = Vec::new();
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            rest.extend(args[i + 1..].iter().cloned());
            break;
        }
        if a.starts_with('-') && a.len() > 1 && !a.starts_with("--") {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                if with_value.contains(c) {
                    let v: String = chars[k + 1..].iter().collect();
                    if v.is_empty() {
                        i += 1;
                        opts.push((c, args.get(i).cloned()));
                    } else {
                        opts.push((c, Some(v)));
                    }
                    break;
                }
                opts.push((c, None));
                k += 1;
            }
        } else if let Some(long) = a.strip_prefix("--") {
            // Long options are passed through as ('-', Some(name[=value])).
            opts.push(('-', Some(long.to_string())));
        } else {
            rest.push(a.clone());
        }
        i += 1;
    }
    (opts, rest)
}

/// Whether [`getopt`] saw option `c`.
pub(crate) fn has(opts: &[(char, Option<String>)], c: char) -> bool {
    opts.iter().any(|(o, _)| *o == c)
}

/// Whether [`getopt`] saw the long option `--name`.
pub(crate) fn long_flag(opts: &[(char, Option<String>)], name: &str) -> bool {
    opts.iter()
        .any(|(o, v)| *o == '-' && v.as_deref() == Some(name))
}

/// The value of option `c`; the last one wins when it is repeated, as with getopt(3).
pub(crate) fn opt_val(opts: &[(char, Option<String>)], c: char) -> Option<String> {
    opts.iter()
        .rev()
        .find(|(o, _)| *o == c)
        .and_then(|(_, v)| v.clone())
}

/// Lines of a byte buffer (without their newlines).
pub(crate) fn lines(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut v: Vec<String> = text.split('\n').map(str::to_string).collect();
    if v.last().is_some_and(String::is_empty) {
        v.pop();
    }
    v
}
