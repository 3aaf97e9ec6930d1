//! `apk` (apk-tools 2.14), Alpine's package manager.
//!
//! State lives where apk keeps it: `/etc/apk/world` (what the user asked for),
//! `/lib/apk/db/installed` (one block per package: `P:` name, `V:` version, `F:`/`R:`
//! files), and index caches in `/var/cache/apk` unless `--no-cache` (which is why
//! `apk add --no-cache` is the size lesson on Alpine).

use super::catalog::{Catalog, CatalogPackage, Ecosystem};
use super::files::{seed, Tree};
use super::install::unpack;
use super::{Args, PkgInvocation, PkgOutcome};
use std::collections::BTreeSet;
use std::fmt::Write as _;

const DB: &str = "/lib/apk/db/installed";
const WORLD: &str = "/etc/apk/world";
const CACHE: &str = "/var/cache/apk";

/// One installed package as recorded in the database.
struct Installed {
    name: String,
    version: String,
    size: u64,
    deps: Vec<String>,
    block: String,
}

fn parse_db(text: &str) -> Vec<Installed> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut name = None;
        let mut version = String::new();
        let mut size = 0;
        let mut deps = Vec::new();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("P:") {
                name = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("V:") {
                version = v.to_string();
            } else if let Some(v) = line.strip_prefix("I:") {
                size = v.parse().unwrap_or(0);
            } else if let Some(v) = line.strip_prefix("D:") {
                deps = v.split_whitespace().map(str::to_string).collect();
            }
        }
        if let Some(name) = name {
            out.push(Installed {
                name,
                version,
                size,
                deps,
                block: block.trim_matches('\n').to_string(),
            });
        }
    }
    out
}

fn db_block(p: &CatalogPackage, files: &[String], deps: &[&str], mtime: i64) -> String {
    let mut b = String::new();
    let h = seed(&["apk", p.name, p.version]);
    let _ = writeln!(b, "C:Q1{h:016x}{:012x}=", h >> 16);
    let _ = writeln!(b, "P:{}\nV:{}\nA:x86_64", p.name, p.version);
    let _ = writeln!(b, "S:{}\nI:{}", p.size_kb * 1024 / 3, p.size_kb * 1024);
    let _ = writeln!(b, "T:{}", p.description);
    b.push_str("m:Natanael Copa <ncopa@alpinelinux.org>\n");
    let _ = writeln!(b, "t:{mtime}");
    if !deps.is_empty() {
        let _ = writeln!(b, "D:{}", deps.join(" "));
    }
    let mut last_dir = String::new();
    for f in files {
        let rel = f.trim_start_matches('/');
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if dir != last_dir {
            let _ = writeln!(b, "F:{dir}");
            last_dir = dir.to_string();
        }
        let _ = writeln!(b, "R:{name}");
    }
    b
}

fn write_db(tree: &mut Tree<'_>, db: &[Installed]) {
    let mut text = String::new();
    for p in db {
        text.push_str(&p.block);
        text.push_str("\n\n");
    }
    tree.text(DB, &text, 0o644);
}

fn install_one(
    tree: &mut Tree<'_>,
    p: &CatalogPackage,
    db: &mut Vec<Installed>,
    mtime: i64,
    tag: &str,
) {
    let files = unpack(tree, p, tag, 100);
    db.push(Installed {
        name: p.name.to_string(),
        version: p.version.to_string(),
        size: p.size_kb * 1024,
        deps: p.depends.iter().map(|d| d.to_string()).collect(),
        block: db_block(p, &files, &p.depends, mtime),
    });
}

/// Install `names` (and their dependencies) into a fresh Alpine root as the base image
/// does, writing `/lib/apk/db/installed` and `/etc/apk/world`.
pub(crate) fn install_base(tree: &mut Tree<'_>, names: &[&str], world: &[&str]) {
    let cat = Catalog::load(Ecosystem::Alpine);
    let mut db = Vec::new();
    let mtime = tree.mtime;
    for p in cat.closure(names, false) {
        install_one(tree, p, &mut db, mtime, "alpine");
    }
    write_db(tree, &db);
    let mut w: Vec<&str> = world.to_vec();
    crate::engine::sort::sort(&mut w);
    tree.text(WORLD, &(w.join("\n") + "\n"), 0o644);
}

fn repositories(tree: &Tree<'_>) -> Vec<String> {
    tree.read("/etc/apk/repositories")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn index_cache_name(repo: &str) -> String {
    format!("APKINDEX.{:08x}.tar.gz", seed(&[repo]) as u32)
}

/// Fetch the indexes: prints `fetch` lines and, unless `no_cache`, stores them in
/// `/var/cache/apk`. Cached indexes are not fetched again.
fn fetch_indexes(tree: &mut Tree<'_>, out: &mut String, no_cache: bool, force: bool) -> u64 {
    let mut ms = 0;
    for repo in repositories(tree) {
        let cached = format!("{CACHE}/{}", index_cache_name(&repo));
        if !force && !no_cache && tree.fs.exists(&cached) {
            continue;
        }
        let _ = writeln!(out, "fetch {repo}/x86_64/APKINDEX.tar.gz");
        ms += 400;
        if !no_cache {
            let size = if repo.ends_with("/main") {
                742_000
            } else {
                1_012_000
            };
            tree.dir(CACHE, 0o755);
            tree.blob(&cached, size, 0o644, &repo);
        }
    }
    ms
}

fn os_version(tree: &Tree<'_>) -> String {
    let v = tree.read("/etc/alpine-release");
    let v = v.trim();
    if v.is_empty() {
        "3.20.3".to_string()
    } else {
        v.to_string()
    }
}

fn summary(db: &[Installed]) -> String {
    let bytes: u64 = db.iter().map(|p| p.size).sum();
    format!(
        "OK: {} MiB in {} packages\n",
        bytes.div_ceil(1 << 20),
        db.len()
    )
}

/// Strips `=ver`, `~ver`, `>ver`, `<ver` and `@tag` from a package argument.
fn package_name(arg: &str) -> &str {
    let end = arg.find(['=', '~', '>', '<', '@']).unwrap_or(arg.len());
    &arg[..end]
}

pub(crate) fn run(fs: &mut crate::engine::fs::Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let mut tree = Tree::new(fs, inv.uid, inv.gid, inv.mtime);
    let args = Args::parse(inv.args, &["--virtual", "-t", "-X", "--repository", "-p"]);
    let Some(cmd) = args.positional.first().map(String::as_str) else {
        return PkgOutcome {
            exit_code: 1,
            stdout: "apk-tools 2.14.4, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]\n".into(),
            ..PkgOutcome::default()
        };
    };
    let rest: Vec<&str> = args.positional[1..].iter().map(String::as_str).collect();
    if inv.uid != 0 && matches!(cmd, "add" | "del" | "update" | "upgrade") {
        return PkgOutcome::failed(99, "ERROR: Unable to lock database: Permission denied\nERROR: Failed to open apk database: Permission denied\n".into(), 0);
    }
    let no_cache = args.has(&["--no-cache"]);
    match cmd {
        "add" => add(&mut tree, &args, &rest, no_cache),
        "del" => del(&mut tree, &rest),
        "update" => {
            let mut out = String::new();
            let ms = fetch_indexes(&mut tree, &mut out, no_cache, true);
            let ver = os_version(&tree);
            for repo in repositories(&tree) {
                let _ = writeln!(
                    out,
                    "v{ver}-{} [{repo}]",
                    if repo.ends_with("/main") { 62 } else { 66 }
                );
            }
            out.push_str("OK: 24163 distinct packages available\n");
            PkgOutcome::ok(out, ms + 300)
        }
        "upgrade" => {
            let mut out = String::new();
            let ms = fetch_indexes(&mut tree, &mut out, no_cache, false);
            let db = parse_db(&tree.read(DB));
            out.push_str(&summary(&db));
            PkgOutcome::ok(out, ms + 200)
        }
        "info" => info(&tree, &rest),
        "cache" if rest.first() == Some(&"clean") => {
            tree.empty_dir(CACHE);
            PkgOutcome::default()
        }
        other => PkgOutcome::failed(1, format!("apk: unknown command '{other}'\n"), 0),
    }
}

fn add(tree: &mut Tree<'_>, args: &Args, names: &[&str], no_cache: bool) -> PkgOutcome {
    let cat = Catalog::load(Ecosystem::Alpine);
    let mut out = String::new();
    let mut ms = if args.has(&["--update", "-U"]) || no_cache || !tree.fs.exists(CACHE) {
        fetch_indexes(tree, &mut out, no_cache, args.has(&["--update", "-U"]))
    } else {
        fetch_indexes(tree, &mut out, no_cache, false)
    };
    let mut db = parse_db(&tree.read(DB));
    let names: Vec<&str> = names.iter().map(|n| package_name(n)).collect();
    let unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| cat.get(n).is_none() && !db.iter().any(|p| p.name == *n))
        .collect();
    if !unknown.is_empty() {
        let mut err = String::from("ERROR: unable to select packages:\n");
        for n in &unknown {
            let _ = writeln!(err, "  {n} (no such package):\n    required by: world[{n}]");
        }
        return PkgOutcome {
            exit_code: 1,
            stdout: out,
            stderr: err,
            simulated_ms: ms + 100,
        };
    }
    let mut installed = BTreeSet::new();
    for p in &db {
        installed.insert(p.name.clone());
    }
    let todo: Vec<&CatalogPackage> = cat
        .closure(&names, false)
        .into_iter()
        .filter(|p| !installed.contains(p.name))
        .collect();
    let virtual_name = args.value(&["--virtual", "-t"]);
    let total = todo.len() + usize::from(virtual_name.is_some());
    let mtime = tree.mtime;
    for (i, p) in todo.iter().enumerate() {
        let _ = writeln!(
            out,
            "({}/{total}) Installing {} ({})",
            i + 1,
            p.name,
            p.version
        );
        install_one(tree, p, &mut db, mtime, "alpine");
        ms += 60 + p.size_kb / 40;
    }
    let mut world = BTreeSet::new();
    for w in tree.read(WORLD).split_whitespace() {
        world.insert(w.to_string());
    }
    if let Some(v) = virtual_name {
        let version = virtual_version(mtime);
        let _ = writeln!(out, "({total}/{total}) Installing {v} ({version})");
        let deps = names.clone();
        let block = format!(
            "C:Q1{:016x}=\nP:{v}\nV:{version}\nA:noarch\nS:0\nI:0\nT:virtual meta package\nt:{mtime}\nD:{}\n",
            seed(&[v]),
            deps.join(" ")
        );
        db.retain(|p| p.name != v);
        db.push(Installed {
            name: v.to_string(),
            version,
            size: 0,
            deps: deps.iter().map(|d| d.to_string()).collect(),
            block,
        });
        world.insert(v.to_string());
    } else {
        world.extend(names.iter().map(|n| n.to_string()));
    }
    if !todo.is_empty() {
        if let Some(bb) = db.iter().find(|p| p.name == "busybox") {
            let _ = writeln!(out, "Executing busybox-{}.trigger", bb.version);
        }
        if let Some(ca) = todo.iter().find(|p| p.name == "ca-certificates") {
            let _ = writeln!(out, "Executing ca-certificates-{}.trigger", ca.version);
        }
    }
    write_db(tree, &db);
    let w: Vec<String> = world.into_iter().collect();
    tree.text(WORLD, &(w.join("\n") + "\n"), 0o644);
    out.push_str(&summary(&db));
    PkgOutcome::ok(out, ms + 150)
}

/// apk names a virtual package's version after the time it was made (`20241127.052400`).
fn virtual_version(mtime: i64) -> String {
    let days = mtime.div_euclid(86_400);
    let secs = mtime.rem_euclid(86_400);
    let (y, m, d) = crate::engine::clock::civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}.{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn del(tree: &mut Tree<'_>, names: &[&str]) -> PkgOutcome {
    let mut db = parse_db(&tree.read(DB));
    let mut world: Vec<String> = tree
        .read(WORLD)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    world.retain(|w| !names.contains(&package_name(w)));
    // Everything still reachable from the world stays; the rest is purged.
    let mut keep = BTreeSet::new();
    let mut stack: Vec<String> = world.iter().map(|w| package_name(w).to_string()).collect();
    let mut guard = 0;
    while let Some(n) = stack.pop() {
        guard += 1;
        if guard > 100_000 {
            break;
        }
        if keep.insert(n.clone()) {
            if let Some(p) = db.iter().find(|p| p.name == n) {
                stack.extend(p.deps.iter().map(|d| package_name(d).to_string()));
            }
        }
    }
    let purge: Vec<usize> = (0..db.len())
        .rev()
        .filter(|&i| !keep.contains(&db[i].name))
        .collect();
    let mut out = String::new();
    let total = purge.len();
    for (k, &i) in purge.iter().enumerate() {
        let p = &db[i];
        let _ = writeln!(
            out,
            "({}/{total}) Purging {} ({})",
            k + 1,
            p.name,
            p.version
        );
        for f in block_files(&p.block) {
            tree.remove_pruning(
                &f,
                &[
                    "/usr", "/usr/bin", "/usr/lib", "/bin", "/lib", "/sbin", "/etc",
                ],
            );
        }
    }
    for &i in &purge {
        db.remove(i);
    }
    if total > 0 {
        if let Some(bb) = db.iter().find(|p| p.name == "busybox") {
            let _ = writeln!(out, "Executing busybox-{}.trigger", bb.version);
        }
    }
    write_db(tree, &db);
    tree.text(WORLD, &(world.join("\n") + "\n"), 0o644);
    out.push_str(&summary(&db));
    PkgOutcome::ok(out, 100 + 20 * total as u64)
}

/// The absolute paths an installed block lists (`F:` dir + `R:` names).
fn block_files(block: &str) -> Vec<String> {
    let mut dir = String::new();
    let mut out = Vec::new();
    for line in block.lines() {
        if let Some(d) = line.strip_prefix("F:") {
            dir = d.to_string();
        } else if let Some(r) = line.strip_prefix("R:") {
            out.push(if dir.is_empty() {
                format!("/{r}")
            } else {
                format!("/{dir}/{r}")
            });
        }
    }
    out
}

fn info(tree: &Tree<'_>, names: &[&str]) -> PkgOutcome {
    let db = parse_db(&tree.read(DB));
    let mut out = String::new();
    if names.is_empty() {
        for p in &db {
            out.push_str(&p.name);
            out.push('\n');
        }
    } else {
        for n in names {
            if let Some(p) = db.iter().find(|p| p.name == *n) {
                let desc = p
                    .block
                    .lines()
                    .find_map(|l| l.strip_prefix("T:"))
                    .unwrap_or("");
                let _ = write!(
                    out,
                    "{n}-{v} description:\n{desc}\n\n{n}-{v} installed size:\n{} KiB\n\n",
                    p.size / 1024,
                    v = p.version
                );
            }
        }
    }
    PkgOutcome::ok(out, 20)
}
