//! `npm` 10 and `yarn` 1 over `package.json` / `package-lock.json` in the working dir.
//!
//! `npm ci` follows npm's rules: it needs a lockfile (else `EUSAGE`), refuses a lockfile
//! out of sync with `package.json`, deletes `node_modules` first, and with
//! `--omit=dev` / `--production` / `NODE_ENV=production` leaves out packages only the
//! dev dependencies need. Packages the lockfile lists are the roots; their transitive
//! dependencies come from the catalog (the seed's lockfile lists only the direct ones).
//! Each package gets `package.json`, `index.js` and synthetic content up to its
//! unpacked size; tarballs go to `~/.npm/_cacache` (what `npm cache clean --force`
//! removes), so the cache lesson shows in the layer size.

use super::catalog::{Catalog, Ecosystem};
use super::files::{seed, Tree};
use super::{timestamp, Args, PkgInvocation, PkgOutcome};
use crate::engine::fs::{join, Fs};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const NPM_VERSION: &str = "10.9.0";

/// A package to install: name, version, dev-only.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    name: String,
    version: String,
    dev: bool,
}

/// A JSON object from `(key, value)` pairs, inserted in order: one code path for every
/// object npm writes here instead of one `json!` expansion per object.
fn object(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

/// A lockfile `packages` entry: version, the registry tarball it resolved to, license,
/// and `dev` when only dev dependencies need it (npm's lockfile v3 fields).
fn lock_entry(p: &Planned) -> Value {
    let base = p.name.rsplit('/').next().unwrap_or(&p.name);
    let mut fields = vec![
        ("version", string(&p.version)),
        (
            "resolved",
            Value::String(format!(
                "https://registry.npmjs.org/{}/-/{base}-{}.tgz",
                p.name, p.version
            )),
        ),
        ("license", string("MIT")),
    ];
    if p.dev {
        fields.push(("dev", Value::Bool(true)));
    }
    object(fields)
}

fn read_json(tree: &Tree<'_>, path: &str) -> Option<Value> {
    if !tree.fs.exists(path) {
        return None;
    }
    serde_json::from_str(&tree.read(path)).ok()
}

fn deps_of(pkg: &Value, key: &str) -> BTreeMap<String, String> {
    // Inserts, not `collect`: each collect into a map instantiates its own sort.
    let mut out = BTreeMap::new();
    if let Some(m) = pkg.get(key).and_then(Value::as_object) {
        for (k, v) in m {
            out.insert(k.clone(), v.as_str().unwrap_or("*").to_string());
        }
    }
    out
}

fn log_path(inv: &PkgInvocation<'_>) -> String {
    format!(
        "{}/.npm/_logs/{}_000Z-debug-0.log",
        inv.home(),
        timestamp(inv.mtime, '_')
    )
}

fn npm_error(inv: &PkgInvocation<'_>, lines: &str, ms: u64) -> PkgOutcome {
    let mut err = String::new();
    for l in lines.lines() {
        if l.is_empty() {
            err.push_str("npm error\n");
        } else {
            let _ = writeln!(err, "npm error {l}");
        }
    }
    let _ = writeln!(
        err,
        "npm error A complete log of this run can be found in: {}",
        log_path(inv)
    );
    PkgOutcome::failed(1, err, ms)
}

/// npm's error when the working directory has no `package.json`.
fn no_package_json(inv: &PkgInvocation<'_>, pj_path: &str, ms: u64) -> PkgOutcome {
    npm_error(inv, &format!("code ENOENT\nsyscall open\npath {pj_path}\nerrno -2\nenoent Could not read package.json: Error: ENOENT: no such file or directory, open '{pj_path}'\nenoent This is related to npm not being able to find a file.\nenoent"), ms)
}

const CI_USAGE: &str = "The `npm ci` command can only install with an existing package-lock.json or
npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or
later to generate a package-lock.json file, then try again.

Clean install a project

Usage:
npm ci

Options:
[--install-strategy <hoisted|nested|shallow|linked>] [--legacy-bundling]
[--global-style] [--omit <dev|optional|peer> [--omit <dev|optional|peer> ...]]
[--include <prod|dev|optional|peer> [--include <prod|dev|optional|peer> ...]]
[--strict-peer-deps] [--foreground-scripts] [--ignore-scripts] [--no-audit]
[--no-bin-links] [--no-fund] [--dry-run]
[-w|--workspace <workspace-name> [-w|--workspace <workspace-name> ...]]
[-ws|--workspaces] [--include-workspace-root] [--install-links]

aliases: clean-install, ic, install-clean, isntall-clean

Run \"npm help ci\" for more info";

const CACHE_CLEAN_REFUSED: &str = "As of npm@5, the npm cache self-heals from corruption issues
by treating integrity mismatches as cache misses.  As a result,
data extracted from the cache is guaranteed to be valid.  If you
want to make sure everything is consistent, use `npm cache verify`
instead.  Deleting the cache can only make npm go slower, and is
not likely to correct any problems you may be encountering!

On the other hand, if you're debugging an issue with the installer,
or race conditions that depend on the timing of writing to an empty
cache, you can use `npm install --cache /tmp/empty-cache` to use a
temporary cache instead of nuking the actual one.

If you're sure you want to delete the entire cache, rerun this command
with --force.";

/// Expands roots through the catalog's dependency lists; `pinned` versions (from a
/// lockfile) win over the catalog's.
fn expand(
    cat: &Catalog,
    prod: &[String],
    dev: &[String],
    pinned: &BTreeMap<String, String>,
) -> Vec<Planned> {
    let walk = |roots: &[String]| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = roots.to_vec();
        while let Some(n) = stack.pop() {
            if seen.len() > 10_000 {
                break;
            }
            if seen.insert(n.clone()) {
                if let Some(p) = cat.get(&n) {
                    stack.extend(p.depends.iter().map(|d| d.to_string()));
                }
            }
        }
        seen
    };
    let prod_set = walk(prod);
    let dev_set = walk(dev);
    let plan = |name: &String, dev: bool| Planned {
        name: name.clone(),
        version: pinned
            .get(name)
            .cloned()
            .or_else(|| cat.get(name).map(|p| p.version.to_string()))
            .unwrap_or_else(|| "1.0.0".to_string()),
        dev,
    };
    // Both sets are sorted: merge them by name, dev-only names flagged `dev`.
    let mut out = Vec::new();
    let mut dev_only = dev_set.iter().filter(|n| !prod_set.contains(*n)).peekable();
    for n in &prod_set {
        while let Some(d) = dev_only.next_if(|d| *d < n) {
            out.push(plan(d, true));
        }
        out.push(plan(n, false));
    }
    for d in dev_only {
        out.push(plan(d, true));
    }
    out
}

/// The packages to install: all of `full`, or without dev-only ones when `omit_dev`.
fn installable(full: &[Planned], omit_dev: bool) -> Vec<Planned> {
    let mut plan = Vec::new();
    for p in full {
        if !(omit_dev && p.dev) {
            plan.push(p.clone());
        }
    }
    plan
}

/// Writes `node_modules/<name>` for each package and the cache entries; returns the
/// bytes written to node_modules.
fn materialise(
    tree: &mut Tree<'_>,
    cat: &Catalog,
    dir: &str,
    plan: &[Planned],
    cache: Option<&str>,
) -> u64 {
    let nm = format!("{dir}/node_modules");
    tree.dir(&nm, 0o755);
    let mut total = 0;
    let mut hidden = Map::new();
    for p in plan {
        let base = format!("{nm}/{}", p.name);
        let entry = cat.get(&p.name);
        let size = entry.map(|e| e.size_kb * 1024).unwrap_or(16 * 1024);
        let main = if size > 12 * 1024 {
            "lib/index.js"
        } else {
            "index.js"
        };
        let mut fields = vec![
            ("name", string(&p.name)),
            ("version", string(&p.version)),
            ("main", string(main)),
            ("license", string("MIT")),
        ];
        let bins: Vec<&str> = entry.map(|e| e.files.clone()).unwrap_or_default();
        if !bins.is_empty() {
            let mut m = Map::new();
            for b in &bins {
                m.insert(b.to_string(), Value::String(format!("bin/{b}.js")));
            }
            fields.push(("bin", Value::Object(m)));
        }
        let manifest = object(fields);
        let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
        tree.text(&format!("{base}/package.json"), &text, 0o644);
        let index = format!("'use strict';\n\nmodule.exports = require('./{main}');\n");
        if main == "index.js" {
            tree.blob(
                &format!("{base}/index.js"),
                size.saturating_sub(text.len() as u64),
                0o644,
                &format!("npm:{}@{}", p.name, p.version),
            );
        } else {
            tree.text(&format!("{base}/index.js"), &index, 0o644);
            tree.blob(
                &format!("{base}/{main}"),
                size.saturating_sub(2048),
                0o644,
                &format!("npm:{}@{}", p.name, p.version),
            );
        }
        for b in &bins {
            tree.text(
                &format!("{base}/bin/{b}.js"),
                &format!("#!/usr/bin/env node\nrequire('../{main}');\n"),
                0o755,
            );
            tree.link(
                &format!("{nm}/.bin/{b}"),
                &format!("../{}/bin/{b}.js", p.name),
            );
        }
        total += size;
        hidden.insert(format!("node_modules/{}", p.name), lock_entry(p));
        if let Some(cache) = cache {
            let h = format!(
                "{:016x}{:016x}",
                seed(&["sha512", &p.name, &p.version]),
                seed(&[&p.version, &p.name])
            );
            let content = format!(
                "{cache}/_cacache/content-v2/sha512/{}/{}/{}",
                &h[..2],
                &h[2..4],
                &h[4..]
            );
            if !tree.fs.exists(&content) {
                tree.blob(&content, size / 3 + 512, 0o644, &h);
                let k = format!("{:016x}", seed(&["key", &p.name, &p.version]));
                let index = format!(
                    "{cache}/_cacache/index-v5/{}/{}/{}",
                    &k[..2],
                    &k[2..4],
                    &k[4..]
                );
                tree.text(
                    &index,
                    &format!("{k}\t{{\"key\":\"make-fetch-happen:request-cache:https://registry.npmjs.org/{}/-/{}-{}.tgz\",\"integrity\":\"sha512-{h}\",\"size\":{}}}\n", p.name, p.name, p.version, size / 3 + 512),
                    0o644,
                );
            }
        }
    }
    let hidden_lock = object(vec![
        ("name", string("")),
        ("lockfileVersion", Value::from(3)),
        ("requires", Value::Bool(true)),
        ("packages", Value::Object(hidden)),
    ]);
    tree.text(
        &format!("{nm}/.package-lock.json"),
        &(serde_json::to_string_pretty(&hidden_lock).unwrap_or_default() + "\n"),
        0o644,
    );
    total
}

fn added_message(added: usize, audited: usize, ms: u64) -> String {
    let funding = added * 3 / 16;
    let mut s = format!(
        "\nadded {added} package{}, and audited {audited} packages in {}s\n",
        if added == 1 { "" } else { "s" },
        ms.div_ceil(1000)
    );
    if funding > 0 {
        let _ = writeln!(
            s,
            "\n{funding} package{} looking for funding\n  run `npm fund` for details",
            if funding == 1 { " is" } else { "s are" }
        );
    }
    s.push_str("\nfound 0 vulnerabilities\n");
    s
}

fn omit_dev(args: &Args, inv: &PkgInvocation<'_>) -> bool {
    args.values_of(&["--omit"]).contains(&"dev")
        || args.has(&["--production", "--only=production"])
        || args.value(&["--only"]) == Some("production")
        || inv.env("NODE_ENV") == Some("production")
            && !args.values_of(&["--include"]).contains(&"dev")
}

fn cache_dir(args: &Args, inv: &PkgInvocation<'_>) -> String {
    args.value(&["--cache"])
        .map(|c| join(inv.cwd, c))
        .unwrap_or_else(|| format!("{}/.npm", inv.home()))
}

fn write_log(tree: &mut Tree<'_>, inv: &PkgInvocation<'_>, what: &str) {
    let text = format!("0 verbose cli /usr/local/bin/node /usr/local/bin/npm\n1 info using npm@{NPM_VERSION}\n2 verbose title npm {what}\n3 verbose exit 0\n4 info ok\n");
    tree.text(&log_path(inv), &text, 0o644);
}

pub(crate) fn run_npm(fs: &mut Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let args = Args::parse(
        inv.args,
        &[
            "--omit",
            "--include",
            "--cache",
            "--only",
            "-w",
            "--workspace",
            "--prefix",
        ],
    );
    let cmd = args.positional.first().cloned().unwrap_or_default();
    let rest: Vec<String> = args.positional.iter().skip(1).cloned().collect();
    let mut tree = Tree::new(fs, inv.uid, inv.gid, inv.mtime);
    if args.has(&["--version", "-v"]) && cmd.is_empty() {
        return PkgOutcome::ok(format!("{NPM_VERSION}\n"), 150);
    }
    match cmd.as_str() {
        "ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean" => ci(&mut tree, inv, &args),
        "install" | "i" | "add" | "in" => install(&mut tree, inv, &args, &rest),
        "cache" => {
            if rest.first().map(String::as_str) != Some("clean") {
                return PkgOutcome::ok(String::new(), 100);
            }
            if !args.has(&["--force", "-f"]) {
                return npm_error(inv, CACHE_CLEAN_REFUSED, 200);
            }
            let cache = cache_dir(&args, inv);
            tree.remove(&format!("{cache}/_cacache"));
            PkgOutcome::failed(0, "npm warn using --force Recommended protections disabled.\n".into(), 300)
        }
        "run" | "run-script" | "rum" | "urn" | "start" | "test" | "t" | "tst" => {
            let script = if matches!(cmd.as_str(), "start" | "test" | "t" | "tst") {
                if cmd == "start" { "start".to_string() } else { "test".to_string() }
            } else {
                rest.first().cloned().unwrap_or_default()
            };
            run_script(&tree, inv, &script)
        }
        "" => PkgOutcome {
            exit_code: 1,
            stdout: format!("npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in your project\nnpm install <foo>  add the <foo> dependency to your project\nnpm test           run this project's tests\nnpm run <foo>      run the script named <foo>\nnpm <command> -h   quick help on <command>\nnpm -l             display usage info for all commands\nnpm help <term>    search for help on <term>\nnpm help npm       more involved overview\n\nAll commands:\n\n    access, adduser, audit, bugs, cache, ci, completion,\n    config, dedupe, deprecate, diff, dist-tag, docs, doctor,\n    edit, exec, explain, explore, find-dupes, fund, get, help,\n    help-search, hook, init, install, install-ci-test,\n    install-test, link, ll, login, logout, ls, org, outdated,\n    owner, pack, ping, pkg, prefix, profile, prune, publish,\n    query, rebuild, repo, restart, root, run-script, sbom,\n    search, set, shrinkwrap, star, stars, start, stop, team,\n    test, token, uninstall, unpublish, unstar, update, version,\n    view, whoami\n\nnpm@{NPM_VERSION} /usr/local/lib/node_modules/npm\n"),
            ..PkgOutcome::default()
        },
        other => npm_error(inv, &format!("Unknown command: \"{other}\"\n\nTo see a list of supported npm commands, run:\n  npm help"), 150),
    }
}

fn run_script(tree: &Tree<'_>, inv: &PkgInvocation<'_>, script: &str) -> PkgOutcome {
    let pj_path = join(inv.cwd, "package.json");
    let Some(pj) = read_json(tree, &pj_path) else {
        return no_package_json(inv, &pj_path, 150);
    };
    let name = pj.get("name").and_then(Value::as_str).unwrap_or("");
    let version = pj.get("version").and_then(Value::as_str).unwrap_or("");
    let scripts = deps_of(&pj, "scripts");
    let line = match scripts.get(script) {
        Some(l) => l.clone(),
        None if script == "start" && tree.fs.exists(&join(inv.cwd, "server.js")) => {
            "node server.js".to_string()
        }
        None => {
            return npm_error(
                inv,
                &format!(
                    "Missing script: \"{script}\"\n\nTo see a list of scripts, run:\n  npm run"
                ),
                150,
            );
        }
    };
    PkgOutcome::ok(format!("\n> {name}@{version} {script}\n> {line}\n\n"), 200)
}

fn ci(tree: &mut Tree<'_>, inv: &PkgInvocation<'_>, args: &Args) -> PkgOutcome {
    let cat = Catalog::load(Ecosystem::Npm);
    let pj_path = join(inv.cwd, "package.json");
    let lock = read_json(tree, &join(inv.cwd, "package-lock.json"))
        .or_else(|| read_json(tree, &join(inv.cwd, "npm-shrinkwrap.json")));
    let Some(lock) = lock else {
        return npm_error(inv, &format!("code EUSAGE\n\n{CI_USAGE}"), 400);
    };
    let Some(pj) = read_json(tree, &pj_path) else {
        return no_package_json(inv, &pj_path, 300);
    };
    // Lockfile roots: `packages` (lockfile v2/v3) or `dependencies` (v1): the pinned
    // version of each, and which are dev-only (the last entry of a name wins).
    let mut pinned: BTreeMap<String, String> = BTreeMap::new();
    let mut dev_only: BTreeSet<String> = BTreeSet::new();
    let mut record = |name: &str, v: &Value| {
        let ver = v.get("version").and_then(Value::as_str).unwrap_or("1.0.0");
        pinned.insert(name.to_string(), ver.to_string());
        if v.get("dev").and_then(Value::as_bool).unwrap_or(false) {
            dev_only.insert(name.to_string());
        } else {
            dev_only.remove(name);
        }
    };
    if let Some(pk) = lock.get("packages").and_then(Value::as_object) {
        for (k, v) in pk {
            if let Some((_, name)) = k.rsplit_once("node_modules/") {
                record(name, v);
            }
        }
    } else if let Some(deps) = lock.get("dependencies").and_then(Value::as_object) {
        for (k, v) in deps {
            record(k, v);
        }
    }
    let deps = deps_of(&pj, "dependencies");
    let dev_deps = deps_of(&pj, "devDependencies");
    let missing: Vec<String> = deps
        .iter()
        .chain(dev_deps.iter())
        .filter(|(n, _)| !pinned.contains_key(*n))
        .map(|(n, r)| format!("Missing: {n}@{r} from lock file"))
        .collect();
    if !missing.is_empty() {
        return npm_error(inv, &format!("code EUSAGE\n\n`npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.\n\n{}\n\n{}", missing.join("\n"), &CI_USAGE[CI_USAGE.find("Clean install").unwrap_or(0)..]), 500);
    }
    let mut prod = Vec::new();
    let mut dev = Vec::new();
    for n in pinned.keys() {
        if dev_only.contains(n) {
            dev.push(n.clone());
        } else {
            prod.push(n.clone());
        }
    }
    let full = expand(&cat, &prod, &dev, &pinned);
    let omit = omit_dev(args, inv);
    let plan = installable(&full, omit);
    tree.remove(&join(inv.cwd, "node_modules"));
    let cache = cache_dir(args, inv);
    let bytes = materialise(tree, &cat, inv.cwd, &plan, Some(&cache));
    write_log(tree, inv, "ci");
    let ms = 900 + 40 * plan.len() as u64 + bytes / 400_000;
    PkgOutcome::ok(added_message(plan.len(), full.len() + 1, ms), ms)
}

fn install(
    tree: &mut Tree<'_>,
    inv: &PkgInvocation<'_>,
    args: &Args,
    names: &[String],
) -> PkgOutcome {
    let cat = Catalog::load(Ecosystem::Npm);
    let global = args.has(&["-g", "--global"]);
    let dir = if global {
        "/usr/local/lib".to_string()
    } else {
        inv.cwd.to_string()
    };
    let pj_path = join(inv.cwd, "package.json");
    let mut pj = read_json(tree, &pj_path).unwrap_or_else(|| Value::Object(Map::new()));
    // Requested packages must exist in the registry (the catalog).
    let mut wanted = Vec::new();
    for n in names {
        let (name, _) = match n.rfind('@') {
            Some(i) if i > 0 => (&n[..i], &n[i + 1..]),
            _ => (n.as_str(), ""),
        };
        match cat.get(name) {
            Some(p) => wanted.push((p.name.to_string(), p.version.to_string())),
            None => {
                return npm_error(inv, &format!("code E404\n404 Not Found - GET https://registry.npmjs.org/{name} - Not found\n404\n404  '{name}@*' is not in this registry.\n404\n404 Note that you can also install from a\n404 tarball, folder, http url, or git url."), 900);
            }
        }
    }
    let save_dev = args.has(&["-D", "--save-dev"]);
    if !global && !wanted.is_empty() {
        let key = if save_dev {
            "devDependencies"
        } else {
            "dependencies"
        };
        if !pj.is_object() {
            pj = Value::Object(Map::new());
        }
        let mut deps = pj
            .get(key)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (n, v) in &wanted {
            deps.insert(n.clone(), Value::String(format!("^{v}")));
        }
        // `insert` on the object rather than `pj[key] = ...` (serde_json's IndexMut
        // goes through the map's entry API, code the bundle has no other use for).
        if let Value::Object(o) = &mut pj {
            o.insert(key.to_string(), Value::Object(deps));
        }
        tree.text(
            &pj_path,
            &(serde_json::to_string_pretty(&pj).unwrap_or_default() + "\n"),
            0o644,
        );
    }
    let (prod, dev): (Vec<String>, Vec<String>) = if global {
        (wanted.iter().map(|(n, _)| n.clone()).collect(), Vec::new())
    } else {
        (
            deps_of(&pj, "dependencies").into_keys().collect(),
            deps_of(&pj, "devDependencies").into_keys().collect(),
        )
    };
    let full = expand(&cat, &prod, &dev, &BTreeMap::new());
    let omit = omit_dev(args, inv);
    let plan = installable(&full, omit);
    let existing = tree.fs.exists(&format!("{dir}/node_modules"));
    let new: Vec<Planned> = plan
        .iter()
        .filter(|p| {
            !existing
                || !tree
                    .fs
                    .exists(&format!("{dir}/node_modules/{}/package.json", p.name))
        })
        .cloned()
        .collect();
    let cache = cache_dir(args, inv);
    let bytes = materialise(tree, &cat, &dir, &new, Some(&cache));
    if global {
        for p in &new {
            if let Some(e) = cat.get(&p.name) {
                for b in &e.files {
                    tree.link(
                        &format!("/usr/local/bin/{b}"),
                        &format!("../lib/node_modules/{}/bin/{b}.js", p.name),
                    );
                }
            }
        }
    } else {
        let field = |k: &str, default: Value| pj.get(k).cloned().unwrap_or(default);
        let mut packages = Map::new();
        packages.insert(
            String::new(),
            object(vec![
                ("name", field("name", string(""))),
                ("version", field("version", string("1.0.0"))),
                (
                    "dependencies",
                    field("dependencies", Value::Object(Map::new())),
                ),
            ]),
        );
        for p in &full {
            packages.insert(format!("node_modules/{}", p.name), lock_entry(p));
        }
        let lock = object(vec![
            ("name", field("name", string(""))),
            ("version", field("version", string("1.0.0"))),
            ("lockfileVersion", Value::from(3)),
            ("requires", Value::Bool(true)),
            ("packages", Value::Object(packages)),
        ]);
        tree.text(
            &join(inv.cwd, "package-lock.json"),
            &(serde_json::to_string_pretty(&lock).unwrap_or_default() + "\n"),
            0o644,
        );
    }
    write_log(tree, inv, "install");
    let ms = 1200 + 45 * new.len() as u64 + bytes / 400_000;
    let stdout = if new.is_empty() {
        format!(
            "\nup to date, audited {} packages in {}s\n\nfound 0 vulnerabilities\n",
            full.len() + 1,
            ms.div_ceil(1000)
        )
    } else {
        added_message(new.len(), full.len() + 1, ms)
    };
    PkgOutcome {
        stdout,
        simulated_ms: ms,
        ..PkgOutcome::default()
    }
}

/// `yarn install` (v1): dependencies from package.json, `--production` skips dev ones,
/// `--frozen-lockfile` fails without a matching yarn.lock; cache in
/// `/usr/local/share/.cache/yarn` for root.
pub(crate) fn run_yarn(fs: &mut Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let args = Args::parse(inv.args, &["--cache-folder", "--modules-folder"]);
    let cmd = args
        .positional
        .first()
        .map(String::as_str)
        .unwrap_or("install");
    let mut tree = Tree::new(fs, inv.uid, inv.gid, inv.mtime);
    let head = "yarn install v1.22.22\n";
    if args.has(&["--version", "-v"]) {
        return PkgOutcome::ok("1.22.22\n".into(), 120);
    }
    let cache = if inv.uid == 0 {
        "/usr/local/share/.cache/yarn".to_string()
    } else {
        format!("{}/.cache/yarn", inv.home())
    };
    match cmd {
        "install" => {}
        "cache" if args.positional.get(1).map(String::as_str) == Some("clean") => {
            tree.remove(&format!("{cache}/v6"));
            return PkgOutcome::ok(
                "yarn cache v1.22.22\nsuccess Cleared cache.\nDone in 0.12s.\n".into(),
                300,
            );
        }
        other => {
            return PkgOutcome { exit_code: 1, stdout: format!("yarn run v1.22.22\nerror Command \"{other}\" not found.\ninfo Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.\n"), simulated_ms: 200, ..PkgOutcome::default() };
        }
    }
    let pj_path = join(inv.cwd, "package.json");
    let Some(pj) = read_json(&tree, &pj_path) else {
        return PkgOutcome::ok(format!("{head}info No lockfile found.\n[1/4] Resolving packages...\n[2/4] Fetching packages...\n[3/4] Linking dependencies...\n[4/4] Building fresh packages...\nsuccess Saved lockfile.\nDone in 0.08s.\n"), 200);
    };
    let lock_path = join(inv.cwd, "yarn.lock");
    let has_lock = tree.fs.exists(&lock_path);
    if args.has(&["--frozen-lockfile", "--immutable"]) && !has_lock {
        return PkgOutcome { exit_code: 1, stdout: format!("{head}[1/4] Resolving packages...\n"), stderr: "error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.\n".into(), simulated_ms: 500 };
    }
    let cat = Catalog::load(Ecosystem::Npm);
    let prod: Vec<String> = deps_of(&pj, "dependencies").into_keys().collect();
    let dev: Vec<String> = deps_of(&pj, "devDependencies").into_keys().collect();
    let full = expand(&cat, &prod, &dev, &BTreeMap::new());
    let omit = args.has(&["--production", "--prod"]) || inv.env("NODE_ENV") == Some("production");
    let plan = installable(&full, omit);
    let bytes = materialise(&mut tree, &cat, inv.cwd, &plan, None);
    for p in &plan {
        let dir = format!(
            "{cache}/v6/npm-{}-{}-{:016x}-integrity/node_modules/{}",
            p.name.replace('/', "-"),
            p.version,
            seed(&["yarn", &p.name]),
            p.name
        );
        let size = cat
            .get(&p.name)
            .map(|e| e.size_kb * 1024)
            .unwrap_or(16 * 1024);
        tree.blob(
            &format!("{dir}/.yarn-tarball.tgz"),
            size / 3 + 512,
            0o644,
            &dir,
        );
    }
    let mut out = String::from(head);
    if !has_lock {
        out.push_str("info No lockfile found.\n");
        let mut lock = String::from("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n");
        for p in &full {
            let _ = writeln!(lock, "\n\"{}@^{}\":\n  version \"{}\"\n  resolved \"https://registry.yarnpkg.com/{}/-/{}-{}.tgz\"", p.name, p.version, p.version, p.name, p.name.rsplit('/').next().unwrap_or(&p.name), p.version);
        }
        tree.text(&lock_path, &lock, 0o644);
    }
    let ms = 1000 + 35 * plan.len() as u64 + bytes / 500_000;
    out.push_str("[1/4] Resolving packages...\n[2/4] Fetching packages...\n[3/4] Linking dependencies...\n[4/4] Building fresh packages...\n");
    if !has_lock {
        out.push_str("success Saved lockfile.\n");
    }
    let _ = writeln!(out, "Done in {}.{:02}s.", ms / 1000, ms % 1000 / 10);
    PkgOutcome::ok(out, ms)
}
