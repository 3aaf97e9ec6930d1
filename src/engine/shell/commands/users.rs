//! Accounts: `useradd`/`groupadd`/`usermod` (shadow-utils flags) and BusyBox
//! `adduser`/`addgroup`, all editing `/etc/passwd`, `/etc/group` and (when present)
//! `/etc/shadow`/`/etc/gshadow`; `getent`; name lookups for `ls -l`, `chown`, `id`.

use super::{getopt, has, opt_val, Ctx};
use crate::engine::fs::{Fs, Metadata};

fn read_db(fs: &Fs, path: &str) -> Vec<Vec<String>> {
    let Ok(c) = fs.read_file(path) else {
        return Vec::new();
    };
    let data = c.read_range(0, c.len().min(4 << 20));
    String::from_utf8_lossy(&data)
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').map(str::to_string).collect())
        .collect()
}

/// (uid, gid) of a user name.
pub(crate) fn lookup_user(fs: &Fs, name: &str) -> Option<(u32, u32)> {
    read_db(fs, "/etc/passwd")
        .into_iter()
        .find(|f| f.first().map(String::as_str) == Some(name) && f.len() > 3)
        .and_then(|f| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
}

pub(crate) fn lookup_group(fs: &Fs, name: &str) -> Option<u32> {
    read_db(fs, "/etc/group")
        .into_iter()
        .find(|f| f.first().map(String::as_str) == Some(name) && f.len() > 2)
        .and_then(|f| f[2].parse().ok())
}

pub(crate) fn user_name(fs: &Fs, uid: u32) -> Option<String> {
    read_db(fs, "/etc/passwd")
        .into_iter()
        .find(|f| f.len() > 2 && f[2].parse::<u32>().ok() == Some(uid))
        .map(|f| f[0].clone())
}

pub(crate) fn group_name(fs: &Fs, gid: u32) -> Option<String> {
    read_db(fs, "/etc/group")
        .into_iter()
        .find(|f| f.len() > 2 && f[2].parse::<u32>().ok() == Some(gid))
        .map(|f| f[0].clone())
}

/// Supplementary groups listing `user` as a member: (gid, name).
pub(crate) fn groups_of(fs: &Fs, user: &str) -> Vec<(u32, String)> {
    read_db(fs, "/etc/group")
        .into_iter()
        .filter(|f| f.len() > 3 && f[3].split(',').any(|m| m == user))
        .filter_map(|f| Some((f[2].parse().ok()?, f[0].clone())))
        .collect()
}

fn append_line(ctx: &mut Ctx<'_>, path: &str, line: &str) {
    let old = ctx
        .sh
        .fs
        .read_file(path)
        .map(|c| c.to_vec())
        .unwrap_or_default();
    let mut data = old;
    if !data.is_empty() && !data.ends_with(b"\n") {
        data.push(b'\n');
    }
    data.extend_from_slice(line.as_bytes());
    data.push(b'\n');
    let mode = if path.contains("shadow") {
        0o640
    } else {
        0o644
    };
    let meta = Metadata::new(mode, 0, 0, ctx.sh.mtime);
    let _ = ctx.sh.write_file(path, data, meta);
}

fn rewrite(ctx: &mut Ctx<'_>, path: &str, f: impl Fn(Vec<String>) -> Vec<String>) {
    let Ok(c) = ctx.sh.fs.read_file(path) else {
        return;
    };
    let text = String::from_utf8_lossy(&c.to_vec()).into_owned();
    let mut out = String::new();
    for l in text.lines() {
        if l.trim().is_empty() || l.starts_with('#') {
            out.push_str(l);
        } else {
            out.push_str(&f(l.split(':').map(str::to_string).collect()).join(":"));
        }
        out.push('\n');
    }
    let meta = Metadata::new(0o644, 0, 0, ctx.sh.mtime);
    let _ = ctx.sh.write_file(path, out, meta);
}

fn used_ids(fs: &Fs, path: &str) -> Vec<u32> {
    read_db(fs, path)
        .iter()
        .filter_map(|f| f.get(2)?.parse().ok())
        .collect()
}

/// The first free id in `lo..=hi` (ascending) or, for shadow's system ids, descending.
fn free_id(used: &[u32], lo: u32, hi: u32, descending: bool) -> u32 {
    if descending {
        (lo..=hi).rev().find(|i| !used.contains(i)).unwrap_or(hi)
    } else {
        let max_used = used.iter().copied().filter(|i| (lo..=hi).contains(i)).max();
        match max_used {
            Some(m) if m < hi && !descending => (m + 1).max(lo),
            _ => (lo..=hi).find(|i| !used.contains(i)).unwrap_or(lo),
        }
    }
}

fn days(ctx: &Ctx<'_>) -> i64 {
    ctx.sh.mtime.div_euclid(86400)
}

fn add_group(ctx: &mut Ctx<'_>, name: &str, gid: u32) {
    append_line(ctx, "/etc/group", &format!("{name}:x:{gid}:"));
    if ctx.sh.fs.exists("/etc/gshadow") {
        append_line(ctx, "/etc/gshadow", &format!("{name}:!::"));
    }
}

fn add_member(ctx: &mut Ctx<'_>, group: &str, user: &str) {
    let (g, u) = (group.to_string(), user.to_string());
    rewrite(ctx, "/etc/group", move |mut f| {
        if f.first() == Some(&g) {
            while f.len() < 4 {
                f.push(String::new());
            }
            let mut members: Vec<String> = f[3]
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect();
            if !members.contains(&u) {
                members.push(u.clone());
            }
            f[3] = members.join(",");
        }
        f
    });
}

fn resolve_group(fs: &Fs, g: &str) -> Option<u32> {
    g.parse()
        .ok()
        .filter(|id| group_name(fs, *id).is_some())
        .or_else(|| lookup_group(fs, g))
}

/// User and group databases are root's to change: BusyBox's applets refuse with
/// `permission denied (are you root?)`, shadow-utils with `Permission denied.` and a
/// failed lock of the database (exit 1).
fn need_root(ctx: &mut Ctx<'_>) -> Option<i32> {
    if ctx.sh.uid == 0 {
        return None;
    }
    let name = ctx.name();
    if matches!(name.as_str(), "adduser" | "addgroup") {
        ctx.err(format!("{name}: permission denied (are you root?)\n"));
    } else {
        let db = if name == "groupadd" {
            "/etc/group"
        } else {
            "/etc/passwd"
        };
        ctx.err(format!(
            "{name}: Permission denied.\n{name}: cannot lock {db}; try again later.\n"
        ));
    }
    Some(1)
}

/// shadow-utils `useradd` (and BusyBox `adduser`, by invoked name).
pub(crate) fn useradd(ctx: &mut Ctx<'_>) -> i32 {
    if let Some(status) = need_root(ctx) {
        return status;
    }
    if ctx.name() == "adduser" {
        return adduser(ctx);
    }
    let args = ctx.args();
    let mut system = false;
    let mut create_home = false;
    let mut uid: Option<u32> = None;
    let mut group: Option<String> = None;
    let mut groups: Vec<String> = Vec::new();
    let mut shell = "/bin/sh".to_string();
    let mut home: Option<String> = None;
    let mut comment = String::new();
    let mut user_group = true;
    let mut name = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut val = || {
            i += 1;
            args.get(i).cloned().unwrap_or_default()
        };
        match a {
            "-r" | "--system" => system = true,
            "-m" | "--create-home" => create_home = true,
            "-M" | "--no-create-home" => create_home = false,
            "-U" | "--user-group" => user_group = true,
            "-N" | "--no-user-group" => user_group = false,
            "-l" | "--no-log-init" | "-o" | "--non-unique" => {}
            "-u" | "--uid" => uid = val().parse().ok(),
            "-g" | "--gid" => group = Some(val()),
            "-G" | "--groups" => {
                groups = val()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "-s" | "--shell" => shell = val(),
            "-d" | "--home-dir" | "--home" => home = Some(val()),
            "-c" | "--comment" => comment = val(),
            "-k" | "-K" | "-e" | "-f" | "-p" | "-b" => {
                val();
            }
            _ if a.starts_with('-') => {}
            _ => name = Some(a.to_string()),
        }
        i += 1;
    }
    let Some(name) = name else {
        ctx.err("Usage: useradd [options] LOGIN\n");
        return 2;
    };
    if lookup_user(&ctx.sh.fs, &name).is_some() {
        ctx.err(format!("useradd: user '{name}' already exists\n"));
        return 9;
    }
    let used = used_ids(&ctx.sh.fs, "/etc/passwd");
    if let Some(u) = uid {
        if used.contains(&u) {
            ctx.err(format!("useradd: UID {u} is not unique\n"));
            return 4;
        }
    }
    let uid = uid.unwrap_or_else(|| {
        if system {
            free_id(&used, 100, 999, true)
        } else {
            free_id(&used, 1000, 60000, false)
        }
    });
    let gid = match &group {
        Some(g) => match resolve_group(&ctx.sh.fs, g) {
            Some(id) => id,
            None => {
                ctx.err(format!("useradd: group '{g}' does not exist\n"));
                return 6;
            }
        },
        None if user_group => {
            if lookup_group(&ctx.sh.fs, &name).is_some() {
                ctx.err(format!("useradd: group {name} exists - if you want to add this user to that group, use -g.\n"));
                return 9;
            }
            let gused = used_ids(&ctx.sh.fs, "/etc/group");
            let gid = if !gused.contains(&uid) {
                uid
            } else if system {
                free_id(&gused, 100, 999, true)
            } else {
                free_id(&gused, 1000, 60000, false)
            };
            add_group(ctx, &name, gid);
            gid
        }
        None => 100,
    };
    for g in &groups {
        if resolve_group(&ctx.sh.fs, g).is_none() {
            ctx.err(format!("useradd: group '{g}' does not exist\n"));
            return 6;
        }
    }
    let home = home.unwrap_or_else(|| format!("/home/{name}"));
    append_line(
        ctx,
        "/etc/passwd",
        &format!("{name}:x:{uid}:{gid}:{comment}:{home}:{shell}"),
    );
    if ctx.sh.fs.exists("/etc/shadow") {
        let line = format!("{name}:!:{}:0:99999:7:::", days(ctx));
        append_line(ctx, "/etc/shadow", &line);
    }
    for g in &groups {
        let gname = g
            .parse::<u32>()
            .ok()
            .and_then(|id| group_name(&ctx.sh.fs, id))
            .unwrap_or_else(|| g.clone());
        add_member(ctx, &gname, &name);
    }
    if create_home {
        make_home(ctx, &home, uid, gid, 0o755);
    }
    0
}

fn make_home(ctx: &mut Ctx<'_>, home: &str, uid: u32, gid: u32, mode: u32) {
    if ctx.sh.fs.exists(home) {
        return;
    }
    let parent = Metadata::new(0o755, 0, 0, ctx.sh.mtime);
    let _ = ctx
        .sh
        .fs
        .mkdir_all(&crate::engine::fs::normalize(&format!("{home}/..")), parent);
    let _ = ctx
        .sh
        .fs
        .mkdir(home, Metadata::new(mode, uid, gid, ctx.sh.mtime));
    // /etc/skel, as useradd -m and adduser copy it.
    if let Ok(entries) = ctx.sh.fs.list_dir("/etc/skel") {
        for e in entries {
            if let Ok(c) = ctx.sh.fs.read_file(&format!("/etc/skel/{}", e.name)) {
                let m = Metadata::new(e.stat.meta.mode, uid, gid, ctx.sh.mtime);
                let _ = ctx.sh.put_file(&format!("{home}/{}", e.name), c, m);
            }
        }
    }
}

/// BusyBox `adduser [-D] [-S] [-H] [-h DIR] [-g GECOS] [-s SHELL] [-G GRP] [-u UID] USER [GROUP]`.
fn adduser(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, rest) = getopt(&ctx.args(), "hgsGuk");
    let Some(name) = rest.first().cloned() else {
        ctx.err("Usage: adduser [OPTIONS] USER [GROUP]\n");
        return 1;
    };
    // `adduser USER GROUP`: add an existing user to a group.
    if let Some(g) = rest.get(1) {
        if lookup_user(&ctx.sh.fs, &name).is_some() {
            if lookup_group(&ctx.sh.fs, g).is_none() {
                return ctx.fail(format!("unknown group {g}"));
            }
            add_member(ctx, g, &name);
            return 0;
        }
    }
    if lookup_user(&ctx.sh.fs, &name).is_some() {
        return ctx.fail(format!("user '{name}' in use"));
    }
    let system = has(&opts, 'S');
    let used = used_ids(&ctx.sh.fs, "/etc/passwd");
    let uid = match opt_val(&opts, 'u').map(|u| u.parse::<u32>()) {
        Some(Ok(u)) => {
            if used.contains(&u) {
                return ctx.fail(format!("uid '{u}' in use"));
            }
            u
        }
        Some(Err(_)) => return ctx.fail("invalid number"),
        None if system => free_id(&used, 100, 999, false).max(100),
        None => (1000..60000).find(|i| !used.contains(i)).unwrap_or(1000),
    };
    let gid = match opt_val(&opts, 'G') {
        Some(g) => match resolve_group(&ctx.sh.fs, &g) {
            Some(id) => id,
            None => return ctx.fail(format!("unknown group {g}")),
        },
        None if system => lookup_group(&ctx.sh.fs, "nogroup").unwrap_or(65533),
        None => {
            if let Some(g) = lookup_group(&ctx.sh.fs, &name) {
                g
            } else {
                let gused = used_ids(&ctx.sh.fs, "/etc/group");
                let gid = if gused.contains(&uid) {
                    (1000..60000).find(|i| !gused.contains(i)).unwrap_or(uid)
                } else {
                    uid
                };
                add_group(ctx, &name, gid);
                gid
            }
        }
    };
    let home = opt_val(&opts, 'h').unwrap_or_else(|| format!("/home/{name}"));
    let shell = opt_val(&opts, 's').unwrap_or_else(|| {
        if system {
            "/sbin/nologin".into()
        } else {
            "/bin/sh".into()
        }
    });
    let gecos = opt_val(&opts, 'g').unwrap_or_else(|| "Linux User,,,".into());
    append_line(
        ctx,
        "/etc/passwd",
        &format!("{name}:x:{uid}:{gid}:{gecos}:{home}:{shell}"),
    );
    if ctx.sh.fs.exists("/etc/shadow") {
        let line = format!("{name}:!:{}:0:99999:7:::", days(ctx));
        append_line(ctx, "/etc/shadow", &line);
    }
    if !has(&opts, 'H') {
        make_home(ctx, &home, uid, gid, 0o2755 & 0o755);
    }
    if !has(&opts, 'D') && !system {
        // Without -D busybox runs passwd, which has no terminal in a build.
        ctx.out(format!("Changing password for {name}\nNew password: "));
        ctx.err(format!("passwd: password for {name} is unchanged\n"));
        return 1;
    }
    0
}

/// shadow-utils `groupadd` (and BusyBox `addgroup`, by invoked name).
pub(crate) fn groupadd(ctx: &mut Ctx<'_>) -> i32 {
    if let Some(status) = need_root(ctx) {
        return status;
    }
    let busybox = ctx.name() == "addgroup";
    let (opts, rest) = getopt(&ctx.args(), "gKp");
    let has = |c: char| {
        opts.iter().any(|(o, _)| {
            *o == c
                || (*o == '-'
                    && matches!(
                        (
                            c,
                            opts.iter()
                                .find(|(x, _)| *x == '-')
                                .and_then(|(_, v)| v.as_deref())
                        ),
                        ('r', Some("system")) | ('f', Some("force"))
                    ))
        })
    };
    let Some(name) = rest.first().cloned() else {
        ctx.err(format!("Usage: {} [options] GROUP\n", ctx.name()));
        return 2;
    };
    if busybox {
        if let Some(g) = rest.get(1) {
            // `addgroup USER GROUP`
            if lookup_user(&ctx.sh.fs, &name).is_none() {
                return ctx.fail(format!("unknown user {name}"));
            }
            if lookup_group(&ctx.sh.fs, g).is_none() {
                return ctx.fail(format!("unknown group {g}"));
            }
            add_member(ctx, g, &name);
            return 0;
        }
    }
    if lookup_group(&ctx.sh.fs, &name).is_some() {
        if has('f') {
            return 0;
        }
        if busybox {
            return ctx.fail(format!("group '{name}' in use"));
        }
        ctx.err(format!("groupadd: group '{name}' already exists\n"));
        return 9;
    }
    let used = used_ids(&ctx.sh.fs, "/etc/group");
    let system = has('r') || (busybox && has('S'));
    let gid = match opt_val(&opts, 'g') {
        Some(g) => match g.parse::<u32>() {
            Ok(id) if used.contains(&id) => {
                if busybox {
                    return ctx.fail(format!("gid '{id}' in use"));
                }
                ctx.err(format!("groupadd: GID '{id}' already exists\n"));
                return 4;
            }
            Ok(id) => id,
            Err(_) => {
                ctx.err(format!("{}: invalid group ID '{g}'\n", ctx.name()));
                return 3;
            }
        },
        None if busybox && system => (100..1000).find(|i| !used.contains(i)).unwrap_or(100),
        None if system => free_id(&used, 100, 999, true),
        None => free_id(&used, 1000, 60000, false),
    };
    add_group(ctx, &name, gid);
    0
}

pub(crate) fn usermod(ctx: &mut Ctx<'_>) -> i32 {
    if let Some(status) = need_root(ctx) {
        return status;
    }
    let args = ctx.args();
    let Some(name) = args.last().cloned() else {
        ctx.err("Usage: usermod [options] LOGIN\n");
        return 2;
    };
    if lookup_user(&ctx.sh.fs, &name).is_none() {
        ctx.err(format!("usermod: user '{name}' does not exist\n"));
        return 6;
    }
    let mut append = false;
    let mut i = 0;
    let mut fields: Vec<(usize, String)> = Vec::new();
    let mut groups = Vec::new();
    while i + 1 < args.len() {
        let a = args[i].as_str();
        let mut val = || {
            i += 1;
            args.get(i).cloned().unwrap_or_default()
        };
        match a {
            "-a" | "--append" => append = true,
            "-aG" => {
                append = true;
                groups = val().split(',').map(str::to_string).collect();
            }
            "-G" | "--groups" => groups = val().split(',').map(str::to_string).collect(),
            "-s" | "--shell" => fields.push((6, val())),
            "-d" | "--home" => fields.push((5, val())),
            "-c" | "--comment" => fields.push((4, val())),
            "-u" | "--uid" => fields.push((2, val())),
            "-l" | "--login" => fields.push((0, val())),
            "-g" | "--gid" => {
                let g = val();
                match resolve_group(&ctx.sh.fs, &g) {
                    Some(id) => fields.push((3, id.to_string())),
                    None => {
                        ctx.err(format!("usermod: group '{g}' does not exist\n"));
                        return 6;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    let _ = append;
    let n = name.clone();
    rewrite(ctx, "/etc/passwd", move |mut f| {
        if f.first() == Some(&n) {
            for (k, v) in &fields {
                if let Some(slot) = f.get_mut(*k) {
                    *slot = v.clone();
                }
            }
        }
        f
    });
    for g in groups.iter().filter(|g| !g.is_empty()) {
        if lookup_group(&ctx.sh.fs, g).is_none() {
            ctx.err(format!("usermod: group '{g}' does not exist\n"));
            return 6;
        }
        add_member(ctx, g, &name);
    }
    0
}

pub(crate) fn getent(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let Some(db) = args.first() else {
        ctx.err("getent: missing database\n");
        return 1;
    };
    let path = match db.as_str() {
        "passwd" => "/etc/passwd",
        "group" => "/etc/group",
        "shadow" => "/etc/shadow",
        "hosts" => "/etc/hosts",
        _ => {
            ctx.err(format!("Unknown database: {db}\n"));
            return 1;
        }
    };
    let rows = read_db(&ctx.sh.fs, path);
    let keys = &args[1..];
    let mut out = String::new();
    let mut found_all = true;
    if keys.is_empty() {
        for r in rows {
            out.push_str(&r.join(":"));
            out.push('\n');
        }
    } else {
        for k in keys {
            match rows
                .iter()
                .find(|r| r.first() == Some(k) || r.get(2) == Some(k))
            {
                Some(r) => {
                    out.push_str(&r.join(":"));
                    out.push('\n');
                }
                None => found_all = false,
            }
        }
    }
    ctx.out(out);
    if found_all {
        0
    } else {
        2
    }
}
