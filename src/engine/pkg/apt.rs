//! `apt-get`/`apt` and `dpkg` as on Debian 12 and Ubuntu 24.04.
//!
//! State lives where dpkg and apt keep it: `/var/lib/dpkg/status` (one stanza per
//! package, sorted by name, as dpkg writes it), `/var/lib/dpkg/info/<pkg>.list`,
//! `/var/lib/apt/extended_states` (which packages were only pulled in as dependencies,
//! for `autoremove`), the package lists in `/var/lib/apt/lists` (written by `update`;
//! without them `install` fails with `E: Unable to locate package`, exactly as in a
//! fresh `debian` image), and downloaded `.deb`s in `/var/cache/apt/archives`.

use super::catalog::{Catalog, CatalogPackage, Ecosystem};
use super::files::{human_kb, Tree};
use super::install::unpack;
use super::{Args, PkgInvocation, PkgOutcome};
use crate::engine::fs::Fs;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const STATUS: &str = "/var/lib/dpkg/status";
const INFO: &str = "/var/lib/dpkg/info";
const LISTS: &str = "/var/lib/apt/lists";
const ARCHIVES: &str = "/var/cache/apt/archives";
const EXTENDED: &str = "/var/lib/apt/extended_states";
/// Share of `Installed-Size` left once `/usr/share/{doc,man,locale}` are excluded.
const DOCS_EXCLUDED_PERCENT: u64 = 62;

/// Which distribution the image is, from `/etc/os-release`.
struct Distro {
    ubuntu: bool,
    codename: String,
}

impl Distro {
    fn detect(tree: &Tree<'_>) -> Distro {
        let text = tree.read("/etc/os-release");
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k))
                .map(|v| v.trim_matches('"').to_string())
        };
        let ubuntu = field("ID=").as_deref() == Some("ubuntu");
        let codename = field("VERSION_CODENAME=").unwrap_or_else(|| {
            if ubuntu {
                "noble".into()
            } else {
                "bookworm".into()
            }
        });
        Distro { ubuntu, codename }
    }

    fn mirror(&self) -> &'static str {
        if self.ubuntu {
            "http://archive.ubuntu.com/ubuntu"
        } else {
            "http://deb.debian.org/debian"
        }
    }

    /// `(list file stem, Get: line label, size)` of the indexes `apt-get update` fetches,
    /// in the order apt prints them. Each comes from a row `(repository, suite suffix,
    /// component, size)` of a table: an empty component is the suite's `InRelease`,
    /// otherwise the component's amd64 `Packages` index (fetched as `.lz4`, as the
    /// images' apt config asks). The list file name is the URI with `/` as `_`, as apt
    /// names files in `/var/lib/apt/lists`.
    fn indexes(&self) -> Vec<(String, String, u64)> {
        const UBUNTU: &[(&str, &str, &str, u64)] = &[
            ("security.ubuntu.com/ubuntu", "-security", "", 126_000),
            ("archive.ubuntu.com/ubuntu", "", "", 256_000),
            ("archive.ubuntu.com/ubuntu", "-updates", "", 126_000),
            ("archive.ubuntu.com/ubuntu", "-backports", "", 126_000),
            ("security.ubuntu.com/ubuntu", "-security", "main", 1_180_000),
            ("archive.ubuntu.com/ubuntu", "", "universe", 19_300_000),
            ("archive.ubuntu.com/ubuntu", "", "main", 1_808_000),
            ("archive.ubuntu.com/ubuntu", "", "restricted", 117_000),
            ("archive.ubuntu.com/ubuntu", "", "multiverse", 331_000),
            ("archive.ubuntu.com/ubuntu", "-updates", "main", 1_460_000),
        ];
        const DEBIAN: &[(&str, &str, &str, u64)] = &[
            ("deb.debian.org/debian", "", "", 151_000),
            ("deb.debian.org/debian", "-updates", "", 55_400),
            ("deb.debian.org/debian-security", "-security", "", 48_000),
            ("deb.debian.org/debian", "", "main", 8_789_000),
            ("deb.debian.org/debian", "-updates", "main", 13_500),
            (
                "deb.debian.org/debian-security",
                "-security",
                "main",
                241_000,
            ),
        ];
        let c = &self.codename;
        let rows = if self.ubuntu { UBUNTU } else { DEBIAN };
        let mut out = Vec::new();
        for &(repo, suffix, component, size) in rows {
            let mut stem = repo.replace('/', "_");
            let mut label = format!("http://{repo} {c}{suffix}");
            stem.push_str("_dists_");
            stem.push_str(c);
            stem.push_str(suffix);
            if component.is_empty() {
                stem.push_str("_InRelease");
                label.push_str(" InRelease");
            } else {
                stem.push('_');
                stem.push_str(component);
                stem.push_str("_binary-amd64_Packages.lz4");
                label.push('/');
                label.push_str(component);
                label.push_str(" amd64 Packages");
            }
            out.push((stem, label, size));
        }
        out
    }
}

/// A dpkg status stanza for `p`.
fn stanza(p: &CatalogPackage) -> String {
    let mut s = format!(
        "Package: {}\nStatus: install ok installed\nPriority: optional\nSection: {}\nInstalled-Size: {}\n",
        p.name, p.section, p.size_kb
    );
    s.push_str(
        "Maintainer: Debian Developers <debian-devel@lists.debian.org>\nArchitecture: amd64\n",
    );
    let _ = writeln!(s, "Version: {}", p.version);
    if !p.depends.is_empty() {
        let _ = writeln!(s, "Depends: {}", p.depends.join(", "));
    }
    if !p.recommends.is_empty() {
        let _ = writeln!(s, "Recommends: {}", p.recommends.join(", "));
    }
    let _ = writeln!(s, "Description: {}", p.description);
    s
}

/// Status stanzas by package name (dpkg keeps the file sorted by name).
fn read_status(tree: &Tree<'_>) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for block in tree.read(STATUS).split("\n\n") {
        if let Some(name) = block.lines().find_map(|l| l.strip_prefix("Package: ")) {
            m.insert(
                name.trim().to_string(),
                block.trim_matches('\n').to_string() + "\n",
            );
        }
    }
    m
}

fn write_status(tree: &mut Tree<'_>, status: &BTreeMap<String, String>) {
    let text: Vec<&str> = status.values().map(String::as_str).collect();
    tree.text(STATUS, &(text.join("\n")), 0o644);
}

fn field<'s>(stanza: &'s str, key: &str) -> &'s str {
    stanza
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .map(str::trim)
        .unwrap_or("")
}

fn read_auto(tree: &Tree<'_>) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for block in tree.read(EXTENDED).split("\n\n") {
        if field(block, "Auto-Installed:") == "1" {
            set.insert(field(block, "Package:").to_string());
        }
    }
    set
}

fn write_auto(tree: &mut Tree<'_>, auto: &BTreeSet<String>) {
    let mut text = String::new();
    for a in auto {
        let _ = write!(
            text,
            "Package: {a}\nArchitecture: amd64\nAuto-Installed: 1\n\n"
        );
    }
    tree.text(EXTENDED, &text, 0o644);
}

fn unpack_deb(tree: &mut Tree<'_>, p: &CatalogPackage, docs: bool) {
    let mut files = unpack(tree, p, "debian", DOCS_EXCLUDED_PERCENT);
    let copyright = format!("/usr/share/doc/{}/copyright", p.name);
    tree.text(
        &copyright,
        &format!(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: {}\n",
            p.name
        ),
        0o644,
    );
    files.push(copyright);
    if docs {
        let changelog = format!("/usr/share/doc/{}/changelog.Debian.gz", p.name);
        tree.blob(
            &changelog,
            p.size_kb * 1024 * (100 - DOCS_EXCLUDED_PERCENT) / 100,
            0o644,
            "debian-doc",
        );
        files.push(changelog);
    }
    let mut list = String::from("/.\n");
    for f in &files {
        list.push_str(f);
        list.push('\n');
    }
    tree.text(&format!("{INFO}/{}.list", p.name), &list, 0o644);
}

/// Install `names` and their dependencies into a fresh root as a base image has them;
/// `docs` keeps `/usr/share/doc` (the full images), slim images drop it.
pub(crate) fn install_base(tree: &mut Tree<'_>, names: &[&str], docs: bool) {
    let cat = Catalog::load(Ecosystem::Debian);
    let mut status = BTreeMap::new();
    tree.dir(INFO, 0o755);
    for p in cat.closure(names, false) {
        unpack_deb(tree, p, docs);
        status.insert(p.name.to_string(), stanza(p));
    }
    write_status(tree, &status);
}

fn deb_file(p: &CatalogPackage) -> String {
    format!("{}_{}_amd64.deb", p.name, p.version.replace(':', "%3a"))
}

fn deb_size(p: &CatalogPackage) -> u64 {
    p.size_kb * 1024 * 3 / 10 + 1024
}

fn lists_present(fs: &Fs) -> bool {
    fs.list_dir(LISTS)
        .map(|es| es.iter().any(|e| e.name.contains("_Packages")))
        .unwrap_or(false)
}

fn fail(mut out: PkgOutcome, msg: &str, code: i32) -> PkgOutcome {
    out.stderr.push_str(msg);
    out.exit_code = code;
    out
}

/// Wraps names into apt's indented, 80-column package lists.
fn wrap(names: &[&str]) -> String {
    let mut out = String::new();
    let mut line = String::from(" ");
    for n in names {
        if line.len() + n.len() + 1 > 79 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(n);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

pub(crate) fn run_apt(fs: &mut Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let mut out = PkgOutcome::default();
    if inv.program == "apt" {
        out.stderr.push_str(
            "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n",
        );
    }
    let args = Args::parse(inv.args, &["-o", "-c", "-t", "--target-release"]);
    let Some(cmd) = args.positional.first().cloned() else {
        out.stdout
            .push_str("apt 2.6.1 (amd64)\nUsage: apt-get [options] command\n");
        return fail(out, "", 1);
    };
    let names: Vec<String> = args.positional[1..].to_vec();
    if inv.uid != 0 && cmd != "moo" {
        return fail(
            out,
            "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n",
            100,
        );
    }
    let mut tree = Tree::new(fs, inv.uid, inv.gid, inv.mtime);
    let yes = args.has(&["-y", "--yes", "--assume-yes"]) || args.has(&["-qq"]) && args.has(&["-y"]);
    match cmd.as_str() {
        "update" => update(&mut tree, out),
        "install" | "reinstall" => {
            let recommends = !args.has(&["--no-install-recommends"]);
            install(&mut tree, out, &names, recommends, yes)
        }
        "remove" | "purge" => remove(&mut tree, out, &names, cmd == "purge", yes),
        "autoremove" => autoremove(&mut tree, out, yes),
        "clean" | "autoclean" => {
            tree.empty_dir(ARCHIVES);
            tree.dir(&format!("{ARCHIVES}/partial"), 0o700);
            for f in [
                "/var/cache/apt/pkgcache.bin",
                "/var/cache/apt/srcpkgcache.bin",
            ] {
                tree.remove(f);
            }
            out.simulated_ms = 40;
            out
        }
        "upgrade" | "dist-upgrade" | "full-upgrade" => {
            out.stdout.push_str("Reading package lists...\nBuilding dependency tree...\nReading state information...\nCalculating upgrade...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
            out.simulated_ms = 600;
            out
        }
        other => fail(out, &format!("E: Invalid operation {other}\n"), 100),
    }
}

fn update(tree: &mut Tree<'_>, mut out: PkgOutcome) -> PkgOutcome {
    let distro = Distro::detect(tree);
    tree.dir(LISTS, 0o755);
    tree.dir(&format!("{LISTS}/partial"), 0o700);
    let _ = tree.fs.chown(&format!("{LISTS}/partial"), 42, 0);
    tree.text(&format!("{LISTS}/lock"), "", 0o640);
    let mut total = 0;
    for (i, (file, label, size)) in distro.indexes().into_iter().enumerate() {
        let _ = writeln!(out.stdout, "Get:{} {label} [{}]", i + 1, human_kb(size));
        tree.blob(&format!("{LISTS}/{file}"), size, 0o644, &label);
        total += size;
    }
    let secs = (total / 4_000_000).max(1);
    let _ = writeln!(
        out.stdout,
        "Fetched {} in {secs}s ({} kB/s)\nReading package lists...",
        human_kb(total),
        total / 1000 / secs
    );
    out.simulated_ms = 2500 + total / 5_000;
    out
}

const HEADER: &str =
    "Reading package lists...\nBuilding dependency tree...\nReading state information...\n";

fn install(
    tree: &mut Tree<'_>,
    mut out: PkgOutcome,
    names: &[String],
    recommends: bool,
    yes: bool,
) -> PkgOutcome {
    let cat = Catalog::load(Ecosystem::Debian);
    let mut status = read_status(tree);
    let mut auto = read_auto(tree);
    let lists = lists_present(tree.fs);
    out.stdout.push_str(HEADER);
    out.simulated_ms = 400;
    // Package arguments may pin a version (`curl=7.88.1-10`); the simulation keeps its own.
    let requested: Vec<&str> = names
        .iter()
        .map(|n| n.split(['=', '/']).next().unwrap_or(n))
        .collect();
    let mut errors = String::new();
    for n in &requested {
        if status.contains_key(*n) {
            continue;
        }
        if !lists || cat.get(n).is_none() {
            let _ = writeln!(errors, "E: Unable to locate package {n}");
        }
    }
    if !errors.is_empty() {
        return fail(out, &errors, 100);
    }
    for n in &requested {
        if let Some(st) = status.get(*n) {
            let _ = writeln!(
                out.stdout,
                "{n} is already the newest version ({}).",
                field(st, "Version:")
            );
            if auto.remove(*n) {
                let _ = writeln!(out.stdout, "{n} set to manually installed.");
            }
        }
    }
    let todo: Vec<&CatalogPackage> = cat
        .closure(&requested, recommends)
        .into_iter()
        .filter(|p| !status.contains_key(p.name))
        .collect();
    if todo.is_empty() {
        write_auto(tree, &auto);
        out.stdout
            .push_str("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
        return out;
    }
    let mut extra: Vec<&str> = todo
        .iter()
        .map(|p| p.name)
        .filter(|n| !requested.contains(n))
        .collect();
    crate::engine::sort::sort(&mut extra);
    if !extra.is_empty() {
        out.stdout
            .push_str("The following additional packages will be installed:\n");
        out.stdout.push_str(&wrap(&extra));
    }
    let mut all: Vec<&str> = todo.iter().map(|p| p.name).collect();
    crate::engine::sort::sort(&mut all);
    out.stdout
        .push_str("The following NEW packages will be installed:\n");
    out.stdout.push_str(&wrap(&all));
    let download: u64 = todo.iter().map(|p| deb_size(p)).sum();
    let unpacked: u64 = todo.iter().map(|p| p.size_kb * 1024).sum();
    let _ = writeln!(out.stdout, "0 upgraded, {} newly installed, 0 to remove and 0 not upgraded.\nNeed to get {} of archives.\nAfter this operation, {} of additional disk space will be used.",
        todo.len(),
        human_kb(download),
        human_kb(unpacked));
    if !extra.is_empty() && !yes {
        out.stdout
            .push_str("Do you want to continue? [Y/n] Abort.\n");
        out.exit_code = 1;
        return out;
    }
    let distro = Distro::detect(tree);
    tree.dir(&format!("{ARCHIVES}/partial"), 0o700);
    for (i, p) in todo.iter().enumerate() {
        let _ = writeln!(
            out.stdout,
            "Get:{} {} {}/main amd64 {} amd64 {} [{}]",
            i + 1,
            distro.mirror(),
            distro.codename,
            p.name,
            p.version,
            human_kb(deb_size(p))
        );
        tree.blob(
            &format!("{ARCHIVES}/{}", deb_file(p)),
            deb_size(p),
            0o644,
            "deb",
        );
    }
    let secs = (download / 8_000_000).max(1);
    out.stderr
        .push_str("debconf: delaying package configuration, since apt-utils is not installed\n");
    let _ = writeln!(
        out.stdout,
        "Fetched {} in {secs}s ({} kB/s)",
        human_kb(download),
        download / 1000 / secs
    );
    let db_entries = tree.fs.file_count() + tree.fs.file_count() / 8;
    for (i, p) in todo.iter().enumerate() {
        let _ = writeln!(
            out.stdout,
            "Selecting previously unselected package {}.",
            p.name
        );
        if i == 0 {
            let _ = writeln!(
                out.stdout,
                "(Reading database ... {db_entries} files and directories currently installed.)"
            );
        }
        let _ = writeln!(
            out.stdout,
            "Preparing to unpack .../{:02}-{} ...\nUnpacking {} ({}) ...",
            i,
            deb_file(p),
            p.name,
            p.version
        );
        unpack_deb(tree, p, false);
        status.insert(p.name.to_string(), stanza(p));
        if !requested.contains(&p.name) {
            auto.insert(p.name.to_string());
        }
    }
    let mut log = String::new();
    for p in &todo {
        let _ = writeln!(out.stdout, "Setting up {} ({}) ...", p.name, p.version);
        let _ = writeln!(log, "status installed {}:amd64 {}", p.name, p.version);
    }
    if todo.iter().any(|p| p.section == "libs") {
        if let Some(libc) = status.get("libc-bin") {
            let _ = writeln!(
                out.stdout,
                "Processing triggers for libc-bin ({}) ...",
                field(libc, "Version:")
            );
        }
    }
    write_status(tree, &status);
    write_auto(tree, &auto);
    append(tree, "/var/log/dpkg.log", &log);
    append(
        tree,
        "/var/log/apt/history.log",
        &format!(
            "\nCommandline: apt-get install {}\nInstall: {}\n",
            names.join(" "),
            all.join(", ")
        ),
    );
    out.simulated_ms += 800 + download / 8_000 + unpacked / 40_000 + 50 * todo.len() as u64;
    out
}

fn append(tree: &mut Tree<'_>, path: &str, text: &str) {
    let mut t = tree.read(path);
    t.push_str(text);
    tree.text(path, &t, 0o644);
}

fn purge_files(tree: &mut Tree<'_>, name: &str, purge: bool) {
    let list = tree.read(&format!("{INFO}/{name}.list"));
    for f in list.lines().filter(|l| *l != "/.") {
        if !purge && f.starts_with("/etc/") {
            continue;
        }
        tree.remove_pruning(
            f,
            &[
                "/usr",
                "/usr/bin",
                "/usr/lib",
                "/usr/share",
                "/etc",
                "/usr/sbin",
            ],
        );
    }
    tree.remove(&format!("{INFO}/{name}.list"));
}

fn remove_packages(
    tree: &mut Tree<'_>,
    mut out: PkgOutcome,
    names: &[String],
    purge: bool,
    yes: bool,
) -> PkgOutcome {
    let mut status = read_status(tree);
    let mut auto = read_auto(tree);
    let freed: u64 = names
        .iter()
        .filter_map(|n| status.get(n))
        .map(|s| field(s, "Installed-Size:").parse::<u64>().unwrap_or(0) * 1024)
        .sum();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let _ = writeln!(out.stdout, "The following packages will be REMOVED:\n{}0 upgraded, 0 newly installed, {} to remove and 0 not upgraded.\nAfter this operation, {} disk space will be freed.",
        wrap(&refs),
        names.len(),
        human_kb(freed));
    if !yes {
        out.stdout
            .push_str("Do you want to continue? [Y/n] Abort.\n");
        out.exit_code = 1;
        return out;
    }
    let _ = writeln!(
        out.stdout,
        "(Reading database ... {} files and directories currently installed.)",
        tree.fs.file_count() + tree.fs.file_count() / 8
    );
    for n in names {
        let version = status
            .get(n)
            .map(|s| field(s, "Version:").to_string())
            .unwrap_or_default();
        let _ = writeln!(out.stdout, "Removing {n} ({version}) ...");
        purge_files(tree, n, purge);
        status.remove(n);
        auto.remove(n);
    }
    write_status(tree, &status);
    write_auto(tree, &auto);
    out.simulated_ms += 300 + 40 * names.len() as u64;
    out
}

fn remove(
    tree: &mut Tree<'_>,
    mut out: PkgOutcome,
    names: &[String],
    purge: bool,
    yes: bool,
) -> PkgOutcome {
    let cat = Catalog::load(Ecosystem::Debian);
    let status = read_status(tree);
    let lists = lists_present(tree.fs);
    out.stdout.push_str(HEADER);
    let mut errors = String::new();
    let mut todo = Vec::new();
    for n in names {
        if status.contains_key(n) {
            todo.push(n.clone());
        } else if lists && cat.get(n).is_some() || !lists && cat.get(n).is_some() {
            let _ = writeln!(out.stdout, "Package '{n}' is not installed, so not removed");
        } else {
            let _ = writeln!(errors, "E: Unable to locate package {n}");
        }
    }
    if !errors.is_empty() {
        return fail(out, &errors, 100);
    }
    if todo.is_empty() {
        out.stdout
            .push_str("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
        return out;
    }
    remove_packages(tree, out, &todo, purge, yes)
}

fn autoremove(tree: &mut Tree<'_>, mut out: PkgOutcome, yes: bool) -> PkgOutcome {
    let status = read_status(tree);
    let auto = read_auto(tree);
    // Keep everything reachable from manually installed packages through Depends.
    let mut keep = BTreeSet::new();
    let mut stack: Vec<String> = status
        .keys()
        .filter(|n| !auto.contains(*n))
        .cloned()
        .collect();
    while let Some(n) = stack.pop() {
        if keep.len() > 100_000 {
            break;
        }
        if keep.insert(n.clone()) {
            if let Some(st) = status.get(&n) {
                for d in field(st, "Depends:").split(',') {
                    let d = d.split_whitespace().next().unwrap_or("");
                    if !d.is_empty() {
                        stack.push(d.to_string());
                    }
                }
            }
        }
    }
    let unused: Vec<String> = auto
        .iter()
        .filter(|a| status.contains_key(*a) && !keep.contains(*a))
        .cloned()
        .collect();
    out.stdout.push_str(HEADER);
    if unused.is_empty() {
        out.stdout
            .push_str("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
        return out;
    }
    remove_packages(tree, out, &unused, false, yes)
}

/// `dpkg -l [pattern]`, `dpkg -s pkg`, `dpkg -L pkg`.
pub(crate) fn run_dpkg(fs: &mut Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let tree = Tree::new(fs, inv.uid, inv.gid, inv.mtime);
    let status = read_status(&tree);
    let mut out = PkgOutcome::ok(String::new(), 30);
    let args = Args::parse(inv.args, &[]);
    let names: Vec<&str> = args.positional.iter().map(String::as_str).collect();
    if args.has(&["-l", "--list"]) {
        let rows: Vec<(&String, &String)> = status
            .iter()
            .filter(|(n, _)| names.is_empty() || names.contains(&n.as_str()))
            .collect();
        if rows.is_empty() && !names.is_empty() {
            return fail(
                out,
                &format!(
                    "dpkg-query: no packages found matching {}\n",
                    names.join(" ")
                ),
                1,
            );
        }
        let nw = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(4).max(4);
        let vw = rows
            .iter()
            .map(|(_, s)| field(s, "Version:").len())
            .max()
            .unwrap_or(7)
            .max(7);
        out.stdout.push_str("Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n");
        let _ = writeln!(
            out.stdout,
            "||/ {:nw$} {:vw$} Architecture Description\n+++-{}-{}-============-{}",
            "Name",
            "Version",
            "=".repeat(nw),
            "=".repeat(vw),
            "=".repeat(40)
        );
        for (n, s) in rows {
            let _ = writeln!(
                out.stdout,
                "ii  {n:nw$} {:vw$} amd64        {}",
                field(s, "Version:"),
                field(s, "Description:")
            );
        }
        return out;
    }
    if args.has(&["-s", "--status"]) {
        for n in &names {
            match status.get(*n) {
                Some(s) => {
                    out.stdout.push_str(s);
                    out.stdout.push('\n');
                }
                None => {
                    let _ = writeln!(out.stderr, "dpkg-query: package '{n}' is not installed and no information is available\nUse dpkg --info (= dpkg-deb --info) to examine archive files.");
                    out.exit_code = 1;
                }
            }
        }
        return out;
    }
    if args.has(&["-L", "--listfiles"]) {
        for n in &names {
            if status.contains_key(*n) {
                out.stdout.push_str(&tree.read(&format!("{INFO}/{n}.list")));
            } else {
                let _ = writeln!(out.stderr, "dpkg-query: package '{n}' is not installed\nUse dpkg --contents (= dpkg-deb --contents) to list archive files contents.");
                out.exit_code = 1;
            }
        }
        return out;
    }
    if args.has(&["--version"]) {
        out.stdout
            .push_str("Debian 'dpkg' package management program version 1.21.22 (amd64).\n");
        return out;
    }
    fail(
        out,
        "dpkg: error: need an action option\n\nType dpkg --help for help about installing and deinstalling packages [*];\nUse 'apt' or 'aptitude' for user-friendly package management;\n",
        2,
    )
}
