//! File programs: `ls mkdir rmdir touch rm cp mv ln chmod chown chgrp stat du df mktemp
//! install realpath readlink mkfifo mknod`, with BusyBox's messages.

use super::info::format_time;
use super::users::{group_name, lookup_group, lookup_user, user_name};
use super::{getopt, has, long_flag, opt_val, Ctx};
use crate::engine::fs::{join, normalize, DeviceKind, FileType, Metadata, Stat};
use crate::engine::shell::perm::READ;
use crate::engine::shell::resolve::basename;

/// `drwxr-xr-x` for a stat.
pub(crate) fn mode_string(s: &Stat) -> String {
    let t = match s.file_type {
        FileType::Dir => 'd',
        FileType::File => '-',
        FileType::Symlink => 'l',
        FileType::CharDevice => 'c',
        FileType::BlockDevice => 'b',
        FileType::Fifo => 'p',
    };
    let m = s.meta.mode;
    let mut out = String::from(t);
    for (shift, special, sc) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (m >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        out.push(match (m & special != 0, x) {
            (true, true) => sc,
            (true, false) => sc.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

fn human(n: u64) -> String {
    if n < 1024 {
        return n.to_string();
    }
    let units = ["K", "M", "G", "T"];
    let mut v = n as f64;
    let mut u = 0;
    v /= 1024.0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if v < 10.0 {
        format!("{:.1}{}", v, units[u])
    } else {
        format!("{:.0}{}", v, units[u])
    }
}

pub(crate) fn ls(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, mut paths) = getopt(&ctx.args(), "");
    let long = has(&opts, 'l') || has(&opts, 'n') || has(&opts, 'g') || has(&opts, 'o');
    let numeric = has(&opts, 'n');
    let all = has(&opts, 'a');
    let almost = has(&opts, 'A');
    let dir_only = has(&opts, 'd');
    let recursive = has(&opts, 'R');
    let human_sizes = has(&opts, 'h');
    let classify = has(&opts, 'F');
    let inode = has(&opts, 'i');
    let by_time = has(&opts, 't');
    let by_size = has(&opts, 'S');
    let reverse = has(&opts, 'r');
    if paths.is_empty() {
        paths.push(".".into());
    }
    let now = ctx.sh.mtime;
    let mut status = 0;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in &paths {
        let abs = ctx.path(p);
        let st = match ctx.sh.fs.lstat(&abs) {
            Ok(s) => s,
            Err(e) => {
                ctx.err(format!("ls: {p}: {e}\n"));
                status = 2;
                continue;
            }
        };
        let is_dir = ctx.is_dir(&abs);
        if is_dir && !dir_only && !(long && st.file_type == FileType::Symlink) {
            dirs.push(p.clone());
        } else {
            files.push((p.clone(), st));
        }
    }
    let fmt = |ctx: &mut Ctx<'_>, name: &str, st: &Stat| -> String {
        let mut line = String::new();
        if inode {
            line.push_str(&format!("{:>8} ", st.ino));
        }
        let mut shown = name.to_string();
        if classify {
            match st.file_type {
                FileType::Dir => shown.push('/'),
                FileType::Symlink => shown.push('@'),
                FileType::Fifo => shown.push('|'),
                FileType::File if st.meta.mode & 0o111 != 0 => shown.push('*'),
                _ => {}
            }
        }
        if !long {
            line.push_str(&shown);
            return line;
        }
        let (u, g) = if numeric {
            (st.meta.uid.to_string(), st.meta.gid.to_string())
        } else {
            (
                user_name(&ctx.sh.fs, st.meta.uid).unwrap_or_else(|| st.meta.uid.to_string()),
                group_name(&ctx.sh.fs, st.meta.gid).unwrap_or_else(|| st.meta.gid.to_string()),
            )
        };
        let size = match st.device {
            Some(DeviceKind::Char { major, minor } | DeviceKind::Block { major, minor }) => {
                format!("{major}, {minor}")
            }
            // Directories occupy one 4 KiB block on ext4/overlayfs, as ls shows.
            _ if st.file_type == FileType::Dir => {
                if human_sizes {
                    "4.0K".into()
                } else {
                    "4096".into()
                }
            }
            _ if human_sizes => human(st.size),
            _ => st.size.to_string(),
        };
        line.push_str(&format!(
            "{} {:>4} {:<8} {:<8} {:>9} {} {}",
            mode_string(st),
            st.nlink,
            u,
            g,
            size,
            ls_time(st.meta.mtime, now),
            shown
        ));
        if let Some(t) = &st.link_target {
            line.push_str(&format!(" -> {t}"));
        }
        line
    };
    let sort = |v: &mut Vec<(String, Stat)>| {
        if by_time {
            crate::engine::sort::sort_by(v, |a, b| {
                b.1.meta.mtime.cmp(&a.1.meta.mtime).then(a.0.cmp(&b.0))
            });
        } else if by_size {
            crate::engine::sort::sort_by(v, |a, b| b.1.size.cmp(&a.1.size).then(a.0.cmp(&b.0)));
        } else {
            crate::engine::sort::sort_by(v, |a, b| a.0.cmp(&b.0));
        }
        if reverse {
            v.reverse();
        }
    };
    sort(&mut files);
    let mut out = String::new();
    for (name, st) in &files {
        let l = fmt(ctx, name, st);
        out.push_str(&l);
        out.push('\n');
    }
    let many = paths.len() > 1 || recursive;
    let mut queue: Vec<String> = dirs;
    crate::engine::sort::sort(&mut queue);
    if reverse {
        queue.reverse();
    }
    let mut first = files.is_empty();
    let mut qi = 0;
    while qi < queue.len() {
        let d = queue[qi].clone();
        qi += 1;
        if !ctx.tick(1) {
            break;
        }
        let abs = ctx.path(&d);
        if ctx.sh.check_access(&abs, READ).is_err() {
            ctx.err(format!("ls: can't open '{d}': Permission denied\n"));
            status = 2;
            continue;
        }
        let entries = match ctx.sh.fs.list_dir(&abs) {
            Ok(e) => e,
            Err(e) => {
                ctx.err(format!("ls: {d}: {e}\n"));
                status = 2;
                continue;
            }
        };
        if many {
            if !first {
                out.push('\n');
            }
            out.push_str(&format!("{d}:\n"));
        }
        first = false;
        let mut list: Vec<(String, Stat)> = Vec::new();
        if all {
            for n in [".", ".."] {
                if let Ok(s) = ctx.sh.fs.stat(&join(&abs, n)) {
                    list.push((n.to_string(), s));
                }
            }
        }
        for e in entries {
            if e.name.starts_with('.') && !all && !almost {
                continue;
            }
            list.push((e.name, e.stat));
        }
        sort(&mut list);
        if long {
            let blocks: u64 = list.iter().map(|(_, s)| s.size.div_ceil(4096) * 4).sum();
            out.push_str(&format!("total {blocks}\n"));
        }
        let mut subdirs = Vec::new();
        for (name, st) in &list {
            let l = fmt(ctx, name, st);
            out.push_str(&l);
            out.push('\n');
            if recursive && st.file_type == FileType::Dir && name != "." && name != ".." {
                subdirs.push(if d.ends_with('/') {
                    format!("{d}{name}")
                } else {
                    format!("{d}/{name}")
                });
            }
        }
        for (k, s) in subdirs.into_iter().enumerate() {
            queue.insert(qi + k, s);
        }
        if out.len() > 64 * 1024 && !ctx.out(std::mem::take(&mut out)) {
            return 1;
        }
    }
    ctx.out(out);
    status
}

/// `Jan  2 15:04` within six months of now, `Jan  2  2006` otherwise (ls's rule).
fn ls_time(t: i64, now: i64) -> String {
    let (y, mo, d, h, mi, _, _) = super::info::civil(t);
    let month = super::info::MONTHS[(mo - 1) as usize];
    if (now - t).abs() < 180 * 86400 {
        format!("{month} {d:>2} {h:02}:{mi:02}")
    } else {
        format!("{month} {d:>2}  {y}")
    }
}

pub(crate) fn mkdir(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, dirs) = getopt(&ctx.args(), "m");
    let parents = has(&opts, 'p');
    let mode = opt_val(&opts, 'm').and_then(|m| parse_mode(&m, 0o777).ok());
    if dirs.is_empty() {
        return ctx.fail("missing operand");
    }
    let mut status = 0;
    for d in dirs {
        let abs = ctx.path(&d);
        let meta = ctx.meta(0o777);
        let r = if parents {
            ctx.sh.mkdir_all(&abs, meta)
        } else {
            ctx.sh.mkdir(&abs, meta).map_err(|e| (None, e))
        };
        match r {
            Ok(()) => {
                if let Some(m) = mode {
                    let _ = ctx.sh.chmod(&abs, m);
                }
            }
            Err((at, e)) => {
                let shown = match at {
                    None => d.clone(),
                    Some(dir) if d.starts_with('/') => dir,
                    Some(dir) => {
                        let cwd = format!("{}/", ctx.sh.env.cwd.trim_end_matches('/'));
                        dir.strip_prefix(&cwd).map_or(dir.clone(), str::to_string)
                    }
                };
                ctx.err(format!("mkdir: can't create directory '{shown}': {e}\n"));
                status = 1;
            }
        }
        if !ctx.tick(1) {
            break;
        }
    }
    status
}

pub(crate) fn rmdir(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, dirs) = getopt(&ctx.args(), "");
    let parents = has(&opts, 'p');
    let mut status = 0;
    for d in dirs {
        let mut cur = d.trim_end_matches('/').to_string();
        loop {
            let abs = ctx.path(&cur);
            if let Err(e) = ctx.sh.remove_dir(&abs) {
                ctx.err(format!("rmdir: '{cur}': {e}\n"));
                status = 1;
                break;
            }
            if !parents {
                break;
            }
            match cur.rfind('/') {
                Some(0) | None => break,
                Some(i) => cur.truncate(i),
            }
        }
    }
    status
}

pub(crate) fn touch(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "dtr");
    let no_create = has(&opts, 'c');
    let mut when = ctx.sh.mtime;
    let explicit = ['d', 't', 'r']
        .into_iter()
        .any(|c| opt_val(&opts, c).is_some());
    if let Some(d) = opt_val(&opts, 'd') {
        when = super::info::parse_date(&d).unwrap_or(when);
    }
    if let Some(t) = opt_val(&opts, 't') {
        when = super::info::parse_touch_t(&t).unwrap_or(when);
    }
    if let Some(r) = opt_val(&opts, 'r') {
        match ctx.sh.fs.stat(&ctx.path(&r)) {
            Ok(s) => when = s.meta.mtime,
            Err(e) => return ctx.fail(format!("{r}: {e}")),
        }
    }
    let mut status = 0;
    for f in files {
        let abs = ctx.path(&f);
        if ctx.sh.fs.exists(&abs) {
            if let Err(e) = ctx.sh.set_mtime(&abs, when, explicit) {
                ctx.err(format!("touch: {f}: {e}\n"));
                status = 1;
            }
            continue;
        }
        if no_create {
            continue;
        }
        let mut meta = ctx.meta(0o666);
        meta.mtime = when;
        if let Err(e) = ctx.sh.write_file(&abs, Vec::new(), meta) {
            ctx.err(format!("touch: {f}: {e}\n"));
            status = 1;
        }
        if !ctx.tick(1) {
            break;
        }
    }
    let _ = ctx.sh.check_fs();
    status
}

pub(crate) fn rm(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "");
    let recursive = has(&opts, 'r') || has(&opts, 'R') || long_flag(&opts, "recursive");
    let force = has(&opts, 'f') || long_flag(&opts, "force");
    let dir_ok = has(&opts, 'd');
    if files.is_empty() && !force {
        return ctx.fail("missing operand");
    }
    let mut status = 0;
    for f in files {
        let abs = ctx.path(&f);
        let base = basename(&f);
        if base == "." || base == ".." {
            ctx.err("rm: can't remove '.' or '..'\n");
            status = 1;
            continue;
        }
        let st = match ctx.sh.fs.lstat(&abs) {
            Ok(s) => s,
            Err(e) => {
                if !force {
                    ctx.err(format!("rm: can't remove '{f}': {e}\n"));
                    status = 1;
                }
                continue;
            }
        };
        let r = if st.file_type == FileType::Dir {
            if recursive {
                if abs == "/" {
                    ctx.err("rm: can't remove '/': Device or resource busy\n");
                    status = 1;
                    continue;
                }
                let n = ctx.sh.fs.walk(&abs).map(|w| w.len()).unwrap_or(0);
                ctx.tick(n as u64 / 8);
                match ctx.sh.remove_all(&abs) {
                    Err((Some(inner), e)) => {
                        ctx.err(format!("rm: can't remove '{inner}': {e}\n"));
                        status = 1;
                        continue;
                    }
                    r => r.map_err(|(_, e)| e),
                }
            } else if dir_ok {
                ctx.sh.remove_dir(&abs)
            } else {
                ctx.err(format!("rm: '{f}' is a directory\n"));
                status = 1;
                continue;
            }
        } else {
            ctx.sh.remove_file(&abs)
        };
        if let Err(e) = r {
            ctx.err(format!("rm: can't remove '{f}': {e}\n"));
            status = 1;
        }
        if !ctx.tick(1) {
            break;
        }
    }
    status
}

struct CopyOpts {
    recursive: bool,
    preserve: bool,
    no_deref: bool,
    no_clobber: bool,
}

/// The destination operand of `cp`, `mv` and `install`: `SRC... DEST` or `-t DIR SRC...`.
/// As BusyBox (`cp_mv_stat`, `concat_path_file`), a source goes inside a directory DEST
/// under its own basename, and otherwise becomes DEST.
struct Dest {
    abs: String,
    is_dir: bool,
}

impl Dest {
    /// Takes DEST off `args` (leaving the sources); `Err` is the exit status, the message
    /// already written. cp and mv refuse several sources into a DEST that is no
    /// directory; for `install` (`install: true`), `-D` first creates DEST's parents.
    fn parse(
        ctx: &mut Ctx<'_>,
        opts: &[(char, Option<String>)],
        args: &mut Vec<String>,
        install: bool,
    ) -> Result<Dest, i32> {
        if let Some(t) = opt_val(opts, 't') {
            args.push(t);
        }
        if args.len() < 2 {
            return Err(ctx.fail("missing file operand"));
        }
        let dest = args.pop().unwrap_or_default();
        let abs = ctx.path(&dest);
        if install && has(opts, 'D') {
            let parent = normalize(&format!("{abs}/.."));
            let meta = Metadata::new(0o755, ctx.sh.uid, ctx.sh.gid, ctx.sh.mtime);
            let _ = ctx.sh.mkdir_all(&parent, meta);
        }
        let is_dir = ctx.is_dir(&abs);
        if !install && args.len() > 1 && !is_dir {
            return Err(ctx.fail(format!("'{dest}' is not a directory")));
        }
        Ok(Dest { abs, is_dir })
    }

    /// The absolute source path and where it goes.
    fn target(&self, ctx: &Ctx<'_>, src: &str) -> (String, String) {
        let sabs = ctx.path(src);
        let target = if self.is_dir {
            join(&self.abs, basename(&sabs))
        } else {
            self.abs.clone()
        };
        (sabs, target)
    }
}

pub(crate) fn cp(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, mut args) = getopt(&ctx.args(), "t");
    let archive = has(&opts, 'a');
    let co = CopyOpts {
        recursive: archive || has(&opts, 'r') || has(&opts, 'R'),
        preserve: archive || has(&opts, 'p'),
        no_deref: archive
            || has(&opts, 'P')
            || has(&opts, 'd')
            || ((has(&opts, 'r') || has(&opts, 'R')) && !has(&opts, 'L')),
        no_clobber: has(&opts, 'n'),
    };
    let dest = match Dest::parse(ctx, &opts, &mut args, false) {
        Ok(d) => d,
        Err(status) => return status,
    };
    let mut status = 0;
    for src in args {
        let (sabs, target) = dest.target(ctx, &src);
        if let Err(msg) = copy(ctx, &sabs, &target, &co, true) {
            ctx.err(format!("cp: {}\n", msg.replace("{src}", &src)));
            status = 1;
        }
        if ctx.stopped() {
            break;
        }
    }
    status
}

fn copy(ctx: &mut Ctx<'_>, src: &str, dst: &str, co: &CopyOpts, top: bool) -> Result<(), String> {
    if !ctx.tick(1) {
        return Ok(());
    }
    let lst = ctx
        .sh
        .fs
        .lstat(src)
        .map_err(|e| format!("can't stat '{{src}}': {e}"))?;
    let st = if lst.file_type == FileType::Symlink && !(co.no_deref || (!top && co.recursive)) {
        ctx.sh
            .fs
            .stat(src)
            .map_err(|e| format!("can't stat '{{src}}': {e}"))?
    } else {
        lst
    };
    let meta = if co.preserve {
        st.meta
    } else {
        let mut m = ctx.meta(st.meta.mode & 0o777);
        m.mode = st.meta.mode & 0o777 & !ctx.sh.env.umask;
        m
    };
    match st.file_type {
        FileType::Dir => {
            if !co.recursive {
                return Err("omitting directory '{src}'".into());
            }
            if dst == src || dst.starts_with(&format!("{src}/")) {
                return Err("can't copy a directory into itself".into());
            }
            match ctx.sh.fs.stat(dst) {
                Ok(s) if s.file_type == FileType::Dir => {}
                Ok(_) => return Err(format!("'{dst}' is not a directory")),
                Err(_) => {
                    let dmeta = Metadata {
                        mode: st.meta.mode & 0o7777,
                        ..meta
                    };
                    ctx.sh
                        .fs
                        .mkdir(dst, dmeta)
                        .map_err(|e| format!("can't create directory '{dst}': {e}"))?;
                }
            }
            let entries = ctx.sh.fs.list_dir(src).map_err(|e| e.to_string())?;
            for e in entries {
                copy(ctx, &join(src, &e.name), &join(dst, &e.name), co, false)?;
                if ctx.stopped() {
                    return Ok(());
                }
            }
            if co.preserve {
                let _ = ctx.sh.set_metadata(dst, st.meta);
            }
            Ok(())
        }
        FileType::Symlink => {
            let target = st.link_target.clone().unwrap_or_default();
            if ctx.sh.fs.lstat(dst).is_ok() {
                if co.no_clobber {
                    return Ok(());
                }
                let _ = ctx.sh.remove_file(dst);
            }
            let m = Metadata {
                mode: 0o777,
                ..meta
            };
            ctx.sh
                .fs
                .symlink(&target, dst, m)
                .map_err(|e| format!("can't create symlink '{dst}': {e}"))
        }
        FileType::File => {
            if co.no_clobber && ctx.sh.fs.exists(dst) {
                return Ok(());
            }
            if ctx.is_dir(dst) {
                return Err(format!("can't create '{dst}': Is a directory"));
            }
            let content = ctx
                .sh
                .fs
                .read_file(src)
                .map_err(|e| format!("can't open '{{src}}': {e}"))?;
            let exists = ctx.sh.fs.stat(dst).is_ok();
            let r = if exists && !co.preserve {
                // cp onto an existing file truncates it, keeping its mode and owner.
                ctx.sh.write_file(dst, content, meta)
            } else {
                ctx.sh.put_file(dst, content, meta)
            };
            r.map_err(|e| format!("can't create '{dst}': {e}"))?;
            if ctx.sh.check_fs().is_err() {
                return Ok(());
            }
            Ok(())
        }
        _ => {
            let dev = st.device.unwrap_or(DeviceKind::Fifo);
            ctx.sh
                .fs
                .mknod(dst, dev, meta)
                .map_err(|e| format!("can't create '{dst}': {e}"))
        }
    }
}

pub(crate) fn mv(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, mut args) = getopt(&ctx.args(), "t");
    let no_clobber = has(&opts, 'n');
    let dest = match Dest::parse(ctx, &opts, &mut args, false) {
        Ok(d) => d,
        Err(status) => return status,
    };
    let mut status = 0;
    for src in args {
        let (sabs, target) = dest.target(ctx, &src);
        if ctx.sh.fs.lstat(&sabs).is_err() {
            ctx.err(format!(
                "mv: can't rename '{src}': No such file or directory\n"
            ));
            status = 1;
            continue;
        }
        if no_clobber && ctx.sh.fs.lstat(&target).is_ok() {
            continue;
        }
        if let Err(e) = ctx.sh.rename(&sabs, &target) {
            ctx.err(format!("mv: can't rename '{src}': {e}\n"));
            status = 1;
        }
    }
    status
}

pub(crate) fn ln(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, mut args) = getopt(&ctx.args(), "t");
    let symbolic = has(&opts, 's');
    let force = has(&opts, 'f');
    let no_deref = has(&opts, 'n') || has(&opts, 'T');
    if let Some(t) = opt_val(&opts, 't') {
        args.push(t);
    }
    if args.is_empty() {
        return ctx.fail("missing file operand");
    }
    if args.len() == 1 {
        let t = args[0].clone();
        args.push(basename(&t).to_string());
    }
    let dest = args.pop().unwrap_or_default();
    let dabs = ctx.path(&dest);
    let dest_is_dir = !no_deref && ctx.is_dir(&dabs);
    let mut status = 0;
    for target in args {
        let link = if dest_is_dir {
            join(&dabs, basename(&target))
        } else {
            dabs.clone()
        };
        if force
            && ctx
                .sh
                .fs
                .lstat(&link)
                .is_ok_and(|s| s.file_type != FileType::Dir)
        {
            let _ = ctx.sh.remove_file(&link);
        }
        let r = if symbolic {
            let meta = ctx.meta(0o777);
            ctx.sh.symlink(&target, &link, meta)
        } else {
            let tabs = ctx.path(&target);
            ctx.sh.hardlink(&tabs, &link)
        };
        if let Err(e) = r {
            let shown = if dest_is_dir {
                format!("{}/{}", dest.trim_end_matches('/'), basename(&target))
            } else {
                dest.clone()
            };
            ctx.err(format!("ln: {shown}: {e}\n"));
            status = 1;
        }
    }
    status
}

/// Parse an octal or symbolic (`u+x,go-w`, `a=r`, `+x`) mode against `old`.
pub(crate) fn parse_mode(spec: &str, old: u32) -> Result<u32, ()> {
    if !spec.is_empty() && spec.chars().all(|c| c.is_digit(8)) {
        return u32::from_str_radix(spec, 8)
            .map(|m| m & 0o7777)
            .map_err(|_| ());
    }
    let mut mode = old & 0o7777;
    for clause in spec.split(',') {
        let chars: Vec<char> = clause.chars().collect();
        let mut i = 0;
        let mut who = 0u32;
        while i < chars.len() && "ugoa".contains(chars[i]) {
            who |= match chars[i] {
                'u' => 0o4700,
                'g' => 0o2070,
                'o' => 0o1007,
                _ => 0o7777,
            };
            i += 1;
        }
        if who == 0 {
            who = 0o7777;
        }
        if i >= chars.len() {
            return Err(());
        }
        while i < chars.len() {
            let op = chars[i];
            if !"+-=".contains(op) {
                return Err(());
            }
            i += 1;
            let mut bits = 0u32;
            while i < chars.len() && !"+-=".contains(chars[i]) {
                bits |= match chars[i] {
                    'r' => 0o444,
                    'w' => 0o222,
                    'x' => 0o111,
                    'X' => {
                        if old & 0o111 != 0 || old & 0o40000 != 0 {
                            0o111
                        } else {
                            0
                        }
                    }
                    's' => 0o6000,
                    't' => 0o1000,
                    'u' => ((old >> 6) & 7) * 0o111,
                    'g' => ((old >> 3) & 7) * 0o111,
                    'o' => (old & 7) * 0o111,
                    _ => return Err(()),
                };
                i += 1;
            }
            let eff = bits & who;
            match op {
                '+' => mode |= eff,
                '-' => mode &= !eff,
                _ => mode = (mode & !(who & 0o777 | (who & 0o7000))) | eff,
            }
        }
    }
    Ok(mode)
}

fn walk_targets(ctx: &mut Ctx<'_>, abs: &str, recursive: bool) -> Vec<String> {
    let mut v = vec![abs.to_string()];
    if recursive
        && ctx
            .sh
            .fs
            .lstat(abs)
            .is_ok_and(|s| s.file_type == FileType::Dir)
    {
        if let Ok(w) = ctx.sh.fs.walk(abs) {
            ctx.tick(w.len() as u64 / 8);
            v.extend(w.into_iter().map(|e| e.path));
        }
    }
    v
}

pub(crate) fn chmod(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let recursive = args.iter().any(|a| a == "-R");
    let rest: Vec<String> = args
        .into_iter()
        .filter(|a| !matches!(a.as_str(), "-R" | "-v" | "-c" | "-f"))
        .collect();
    let Some((spec, files)) = rest.split_first() else {
        return ctx.fail("missing operand");
    };
    if files.is_empty() {
        return ctx.fail(format!("missing operand after '{spec}'"));
    }
    let mut status = 0;
    for f in files {
        let abs = ctx.path(f);
        if let Err(e) = ctx.sh.fs.stat(&abs) {
            ctx.err(format!("chmod: {f}: {e}\n"));
            status = 1;
            continue;
        }
        for p in walk_targets(ctx, &abs, recursive) {
            let Ok(st) = ctx.sh.fs.lstat(&p) else {
                continue;
            };
            if st.file_type == FileType::Symlink && p != abs {
                continue;
            }
            let old = ctx
                .sh
                .fs
                .stat(&p)
                .map(|s| {
                    s.meta.mode
                        | if s.file_type == FileType::Dir {
                            0o40000
                        } else {
                            0
                        }
                })
                .unwrap_or(0);
            match parse_mode(spec, old) {
                Ok(m) => {
                    if let Err(e) = ctx.sh.chmod(&p, m) {
                        let shown = if p == abs { f.clone() } else { p.clone() };
                        ctx.err(format!("chmod: {shown}: {e}\n"));
                        status = 1;
                    }
                }
                Err(()) => return ctx.fail(format!("invalid mode '{spec}'")),
            }
        }
    }
    status
}

pub(crate) fn chown(ctx: &mut Ctx<'_>) -> i32 {
    let is_chgrp = ctx.name() == "chgrp";
    let args = ctx.args();
    let recursive = args.iter().any(|a| a == "-R");
    let no_deref = args.iter().any(|a| a == "-h");
    let rest: Vec<String> = args
        .into_iter()
        .filter(|a| !(a.starts_with('-') && a.len() > 1))
        .collect();
    let Some((spec, files)) = rest.split_first() else {
        return ctx.fail("missing operand");
    };
    if files.is_empty() {
        return ctx.fail(format!("missing operand after '{spec}'"));
    }
    let (user, group) = if is_chgrp {
        (None, Some(spec.as_str()))
    } else {
        match spec.split_once([':', '.']) {
            Some((u, g)) => (Some(u).filter(|u| !u.is_empty()), Some(g)),
            None => (Some(spec.as_str()), None),
        }
    };
    let fs = &ctx.sh.fs;
    let uid = match user {
        None => None,
        Some(u) => match u
            .parse::<u32>()
            .ok()
            .or_else(|| lookup_user(fs, u).map(|x| x.0))
        {
            Some(id) => Some(id),
            None => return ctx.fail(format!("unknown user {u}")),
        },
    };
    let gid = match group {
        None => None,
        Some("") => user.and_then(|u| lookup_user(fs, u)).map(|x| x.1),
        Some(g) => match g.parse::<u32>().ok().or_else(|| lookup_group(fs, g)) {
            Some(id) => Some(id),
            None => return ctx.fail(format!("unknown group {g}")),
        },
    };
    let mut status = 0;
    for f in files {
        let abs = ctx.path(f);
        if ctx.sh.fs.lstat(&abs).is_err() {
            ctx.err(format!("{}: {f}: No such file or directory\n", ctx.name()));
            status = 1;
            continue;
        }
        for p in walk_targets(ctx, &abs, recursive) {
            let Ok(st) = ctx.sh.fs.lstat(&p) else {
                continue;
            };
            let link = st.file_type == FileType::Symlink;
            let cur = if link && !no_deref && p == abs {
                ctx.sh.fs.stat(&p).map(|s| s.meta).unwrap_or(st.meta)
            } else {
                st.meta
            };
            let (u, g) = (uid.unwrap_or(cur.uid), gid.unwrap_or(cur.gid));
            let follow = !(link && (no_deref || p != abs));
            if let Err(e) = ctx.sh.chown(&p, u, g, follow) {
                let shown = if p == abs { f.clone() } else { p.clone() };
                ctx.err(format!("{}: {shown}: {e}\n", ctx.name()));
                status = 1;
            }
        }
    }
    status
}

pub(crate) fn stat(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "c");
    let follow = has(&opts, 'L');
    let format = opt_val(&opts, 'c').or_else(|| {
        opts.iter()
            .find(|(c, v)| {
                *c == '-'
                    && v.as_deref()
                        .is_some_and(|v| v.starts_with("format=") || v.starts_with("printf="))
            })
            .and_then(|(_, v)| {
                v.as_ref()
                    .and_then(|v| v.split_once('=').map(|x| x.1.to_string()))
            })
    });
    let mut status = 0;
    let mut out = String::new();
    for f in files {
        let abs = ctx.path(&f);
        let r = if follow {
            ctx.sh.fs.stat(&abs)
        } else {
            ctx.sh.fs.lstat(&abs)
        };
        let st = match r {
            Ok(s) => s,
            Err(e) => {
                ctx.err(format!("stat: can't stat '{f}': {e}\n"));
                status = 1;
                continue;
            }
        };
        let fs = &ctx.sh.fs;
        let uname = user_name(fs, st.meta.uid).unwrap_or_else(|| "UNKNOWN".into());
        let gname = group_name(fs, st.meta.gid).unwrap_or_else(|| "UNKNOWN".into());
        let kind = match st.file_type {
            FileType::Dir => "directory",
            FileType::File if st.size == 0 => "regular empty file",
            FileType::File => "regular file",
            FileType::Symlink => "symbolic link",
            FileType::CharDevice => "character special file",
            FileType::BlockDevice => "block special file",
            FileType::Fifo => "fifo",
        };
        match &format {
            Some(fmt) => {
                let mut s = String::new();
                let mut chars = fmt.chars();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        s.push(c);
                        continue;
                    }
                    match chars.next() {
                        Some('a') => s.push_str(&format!("{:o}", st.meta.mode & 0o7777)),
                        Some('A') => s.push_str(&mode_string(&st)),
                        Some('u') => s.push_str(&st.meta.uid.to_string()),
                        Some('g') => s.push_str(&st.meta.gid.to_string()),
                        Some('U') => s.push_str(&uname),
                        Some('G') => s.push_str(&gname),
                        Some('s') => s.push_str(&st.size.to_string()),
                        Some('n') => s.push_str(&f),
                        Some('N') => s.push_str(&format!("'{f}'")),
                        Some('F') => s.push_str(kind),
                        Some('Y') | Some('Z') | Some('X') => s.push_str(&st.meta.mtime.to_string()),
                        Some('y') | Some('z') | Some('x') => s.push_str(&format_time(
                            st.meta.mtime,
                            "%Y-%m-%d %H:%M:%S.000000000 +0000",
                        )),
                        Some('i') => s.push_str(&st.ino.to_string()),
                        Some('h') => s.push_str(&st.nlink.to_string()),
                        Some('b') => s.push_str(&(st.size.div_ceil(512)).to_string()),
                        Some('B') => s.push_str("512"),
                        Some('f') => s.push_str(&format!("{:x}", st.meta.mode)),
                        Some('%') => s.push('%'),
                        Some(o) => {
                            s.push('%');
                            s.push(o);
                        }
                        None => s.push('%'),
                    }
                }
                out.push_str(&s);
                out.push('\n');
            }
            None => {
                let name = match &st.link_target {
                    Some(t) => format!("'{f}' -> '{t}'"),
                    None => format!("'{f}'"),
                };
                let t = format_time(st.meta.mtime, "%Y-%m-%d %H:%M:%S.000000000 +0000");
                out.push_str(&format!(
                    "  File: {name}\n  Size: {:<10}\tBlocks: {:<10} IO Block: 4096   {kind}\nDevice: 0h/0d\tInode: {:<11} Links: {}\nAccess: ({:04o}/{})  Uid: ({:>5}/{:>8})   Gid: ({:>5}/{:>8})\nAccess: {t}\nModify: {t}\nChange: {t}\n",
                    st.size,
                    st.size.div_ceil(512),
                    st.ino,
                    st.nlink,
                    st.meta.mode & 0o7777,
                    mode_string(&st),
                    st.meta.uid,
                    uname,
                    st.meta.gid,
                    gname
                ));
            }
        }
    }
    ctx.out(out);
    status
}

pub(crate) fn du(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, mut paths) = getopt(&ctx.args(), "d");
    let summary = has(&opts, 's');
    let human_sizes = has(&opts, 'h');
    let all = has(&opts, 'a');
    let total = has(&opts, 'c');
    let bytes = has(&opts, 'b');
    let max_depth: Option<usize> = opt_val(&opts, 'd')
        .and_then(|d| d.parse().ok())
        .or(if summary { Some(0) } else { None });
    if paths.is_empty() {
        paths.push(".".into());
    }
    let show = |n: u64| -> String {
        if human_sizes {
            human(n)
        } else if bytes {
            n.to_string()
        } else {
            n.div_ceil(1024).to_string()
        }
    };
    let usage = |st: &Stat| -> u64 {
        if bytes {
            st.size
        } else {
            match st.file_type {
                FileType::File => st.size.div_ceil(4096) * 4096,
                FileType::Dir => 4096,
                _ => 0,
            }
        }
    };
    let mut out = String::new();
    let mut grand = 0u64;
    let mut status = 0;
    for p in paths {
        let abs = ctx.path(&p);
        let Ok(root) = ctx.sh.fs.stat(&abs) else {
            ctx.err(format!("du: {p}: No such file or directory\n"));
            status = 1;
            continue;
        };
        let entries = if root.file_type == FileType::Dir {
            ctx.sh.fs.walk(&abs).unwrap_or_default()
        } else {
            Vec::new()
        };
        ctx.tick(entries.len() as u64 / 8);
        let root_real = ctx.sh.fs.canonicalize(&abs).unwrap_or(abs.clone());
        let depth_of = |real: &str| {
            real.strip_prefix(&root_real)
                .map_or(0, |r| r.matches('/').count())
        };
        // Sum per directory: the walk is pre-order, so the directories enclosing an
        // entry are the ones still open on `stack` (entry index, depth).
        let mut root_sum = usage(&root);
        let mut sums = vec![0u64; entries.len()];
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for (k, e) in entries.iter().enumerate() {
            let u = usage(&e.stat);
            let d = depth_of(&e.path);
            while stack.last().is_some_and(|&(_, sd)| sd >= d) {
                stack.pop();
            }
            root_sum += u;
            for &(j, _) in &stack {
                sums[j] += u;
            }
            if e.stat.file_type == FileType::Dir {
                sums[k] = u;
                stack.push((k, d));
            }
        }
        let shown = |real: &str| -> String {
            let rel = real.strip_prefix(&root_real).unwrap_or("");
            format!("{}{}", p.trim_end_matches('/'), rel).replace("//", "/")
        };
        let mut lines_out: Vec<(usize, String, u64)> = Vec::new();
        for (e, sum) in entries.iter().zip(&sums).rev() {
            let d = depth_of(&e.path);
            if max_depth.is_some_and(|m| d > m) {
                continue;
            }
            if e.stat.file_type == FileType::Dir {
                lines_out.push((d, shown(&e.path), *sum));
            } else if all {
                lines_out.push((d, shown(&e.path), usage(&e.stat)));
            }
        }
        // Post-order: walk is pre-order; reversing gives children before parents.
        for (_, name, n) in lines_out {
            out.push_str(&format!("{}\t{}\n", show(n), name));
        }
        out.push_str(&format!("{}\t{}\n", show(root_sum), p));
        grand += root_sum;
    }
    if total {
        out.push_str(&format!("{}\ttotal\n", show(grand)));
    }
    ctx.out(out);
    status
}

pub(crate) fn df(ctx: &mut Ctx<'_>) -> i32 {
    let used = ctx.sh.fs.total_size().div_ceil(1024);
    let size = 61_255_492u64;
    let avail = size.saturating_sub(used);
    let human_sizes = ctx.args().iter().any(|a| a.contains('h'));
    let f = |n: u64| {
        if human_sizes {
            human(n * 1024)
        } else {
            n.to_string()
        }
    };
    ctx.out(format!(
        "Filesystem           1K-blocks      Used Available Use% Mounted on\noverlay              {:>9} {:>9} {:>9} {:>3}% /\n",
        f(size),
        f(used),
        f(avail),
        (used * 100).div_ceil(size.max(1))
    ));
    0
}

pub(crate) fn mktemp(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, args) = getopt(&ctx.args(), "p");
    let dir = has(&opts, 'd');
    let dry = has(&opts, 'u');
    let tmpdir = opt_val(&opts, 'p')
        .or_else(|| ctx.getenv("TMPDIR"))
        .unwrap_or_else(|| "/tmp".into());
    let template = args.first().cloned().unwrap_or_else(|| "tmp.XXXXXX".into());
    let base = if template.contains('/') {
        template.clone()
    } else if args.is_empty() || has(&opts, 'p') || has(&opts, 't') {
        format!("{}/{template}", tmpdir.trim_end_matches('/'))
    } else {
        template.clone()
    };
    let xs = base.chars().rev().take_while(|c| *c == 'X').count();
    if xs < 3 {
        return ctx.fail("Invalid argument");
    }
    let stem = &base[..base.len() - xs];
    const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for n in 0u64..10_000 {
        // Deterministic names: a counter mixed into the X positions.
        let mut v = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d;
        let mut suffix = String::new();
        for _ in 0..xs {
            suffix.push(ALPHA[(v % 62) as usize] as char);
            v /= 62;
            v = v.wrapping_add(n.wrapping_mul(31));
        }
        let name = format!("{stem}{suffix}");
        let abs = ctx.path(&name);
        if ctx.sh.fs.lstat(&abs).is_ok() {
            continue;
        }
        if !dry {
            let r = if dir {
                let m = Metadata::new(0o700, ctx.sh.uid, ctx.sh.gid, ctx.sh.mtime);
                ctx.sh.mkdir(&abs, m)
            } else {
                let m = Metadata::new(0o600, ctx.sh.uid, ctx.sh.gid, ctx.sh.mtime);
                ctx.sh.write_file(&abs, Vec::new(), m)
            };
            if let Err(e) = r {
                return ctx.fail(format!("{e}"));
            }
        }
        ctx.out(format!("{name}\n"));
        return 0;
    }
    ctx.fail("can't create a unique name")
}

pub(crate) fn install(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, mut args) = getopt(&ctx.args(), "mogtS");
    let mode = opt_val(&opts, 'm').map(|m| parse_mode(&m, 0o755));
    let mode = match mode {
        Some(Err(())) => return ctx.fail("invalid mode"),
        Some(Ok(m)) => Some(m),
        None => None,
    };
    let fs = &ctx.sh.fs;
    let uid = opt_val(&opts, 'o')
        .and_then(|u| u.parse().ok().or_else(|| lookup_user(fs, &u).map(|x| x.0)));
    let gid = opt_val(&opts, 'g').and_then(|g| g.parse().ok().or_else(|| lookup_group(fs, &g)));
    let chown = |ctx: &mut Ctx<'_>, p: &str| {
        if uid.is_some() || gid.is_some() {
            let cur = ctx
                .sh
                .fs
                .stat(p)
                .map(|s| s.meta)
                .unwrap_or(Metadata::new(0, 0, 0, 0));
            let _ = ctx
                .sh
                .chown(p, uid.unwrap_or(cur.uid), gid.unwrap_or(cur.gid), true);
        }
    };
    if has(&opts, 'd') {
        for d in &args {
            let abs = ctx.path(d);
            let meta = Metadata::new(0o755, ctx.sh.uid, ctx.sh.gid, ctx.sh.mtime);
            if let Err((at, e)) = ctx.sh.mkdir_all(&abs, meta) {
                let shown = at.unwrap_or_else(|| d.clone());
                return ctx.fail(format!("can't create directory '{shown}': {e}"));
            }
            if let Some(m) = mode {
                let _ = ctx.sh.chmod(&abs, m);
            }
            chown(ctx, &abs);
        }
        return 0;
    }
    let dest = match Dest::parse(ctx, &opts, &mut args, true) {
        Ok(d) => d,
        Err(status) => return status,
    };
    for src in args {
        let (sabs, target) = dest.target(ctx, &src);
        let content = match ctx.sh.fs.read_file(&sabs) {
            Ok(c) => c,
            Err(e) => return ctx.fail(format!("can't stat '{src}': {e}")),
        };
        let meta = Metadata::new(mode.unwrap_or(0o755), ctx.sh.uid, ctx.sh.gid, ctx.sh.mtime);
        if let Err(e) = ctx.sh.put_file(&target, content, meta) {
            return ctx.fail(format!("can't create '{target}': {e}"));
        }
        chown(ctx, &target);
    }
    let _ = ctx.sh.check_fs();
    0
}

pub(crate) fn realpath(ctx: &mut Ctx<'_>) -> i32 {
    let (_, files) = getopt(&ctx.args(), "");
    let mut status = 0;
    for f in files {
        let abs = ctx.path(&f);
        match ctx.sh.fs.canonicalize(&abs) {
            Ok(p) => {
                ctx.out(format!("{p}\n"));
            }
            Err(e) => {
                ctx.err(format!("realpath: {f}: {e}\n"));
                status = 1;
            }
        }
    }
    status
}

pub(crate) fn readlink(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "");
    let canon = has(&opts, 'f') || has(&opts, 'e') || has(&opts, 'm');
    let mut status = 0;
    for f in files {
        let abs = ctx.path(&f);
        let r = if canon {
            ctx.sh.fs.canonicalize(&abs)
        } else {
            ctx.sh.fs.read_link(&abs)
        };
        match r {
            Ok(p) => {
                ctx.out(format!("{p}\n"));
            }
            Err(_) => status = 1,
        }
    }
    status
}

pub(crate) fn mkfifo(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, files) = getopt(&ctx.args(), "m");
    let mode = opt_val(&opts, 'm')
        .and_then(|m| parse_mode(&m, 0o666).ok())
        .unwrap_or(0o666);
    let mut status = 0;
    for f in files {
        let abs = ctx.path(&f);
        let meta = ctx.meta(mode);
        if let Err(e) = ctx.sh.mknod(&abs, DeviceKind::Fifo, meta) {
            ctx.err(format!("mkfifo: {f}: {e}\n"));
            status = 1;
        }
    }
    status
}

pub(crate) fn mknod(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, args) = getopt(&ctx.args(), "m");
    let mode = opt_val(&opts, 'm')
        .and_then(|m| parse_mode(&m, 0o666).ok())
        .unwrap_or(0o666);
    let (Some(name), Some(kind)) = (args.first(), args.get(1)) else {
        return ctx.fail("missing operand");
    };
    let num = |i: usize| args.get(i).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    let dev = match kind.as_str() {
        "p" => DeviceKind::Fifo,
        "c" | "u" => DeviceKind::Char {
            major: num(2),
            minor: num(3),
        },
        "b" => DeviceKind::Block {
            major: num(2),
            minor: num(3),
        },
        _ => return ctx.fail(format!("invalid device type '{kind}'")),
    };
    let abs = ctx.path(name);
    let meta = ctx.meta(mode);
    match ctx.sh.mknod(&abs, dev, meta) {
        Ok(()) => 0,
        Err(e) => ctx.fail(format!("{name}: {e}")),
    }
}
