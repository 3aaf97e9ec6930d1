//! Package-manager scenarios over the simulated base images: the size and cache
//! lessons (lists, caches, dev dependencies) and the real tools' error texts.

use layerlab::engine::base::lookup;
use layerlab::engine::fs::{Fs, Metadata};
use layerlab::engine::pkg::{run, PkgInvocation, PkgOutcome};

const T: i64 = 1_735_689_600;

fn base(path: &str, tag: &str) -> (Fs, Vec<(String, String)>) {
    let img = lookup(path, tag).expect("base image");
    let env = img
        .env
        .iter()
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (img.snapshots.last().cloned().expect("layers"), env)
}

fn sh(fs: &mut Fs, env: &[(String, String)], cwd: &str, line: &str) -> Option<PkgOutcome> {
    let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let inv = PkgInvocation {
        program: &words[0],
        args: &words[1..],
        env,
        cwd,
        uid: 0,
        gid: 0,
        mtime: T,
    };
    run(fs, &inv)
}

fn ok(fs: &mut Fs, env: &[(String, String)], cwd: &str, line: &str) -> PkgOutcome {
    let out =
        sh(fs, env, cwd, line).unwrap_or_else(|| panic!("{line}: not a package manager here"));
    assert_eq!(
        out.exit_code, 0,
        "{line}\nstdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    out
}

fn text(fs: &Fs, path: &str) -> String {
    String::from_utf8(fs.read_file(path).unwrap().to_vec()).unwrap()
}

fn count(fs: &Fs, dir: &str) -> usize {
    fs.list_dir(dir).map(|v| v.len()).unwrap_or(0)
}

#[test]
fn apt_install_needs_update_first_exactly_like_apt() {
    let (mut fs, env) = base("library/debian", "bookworm-slim");
    let out = sh(&mut fs, &env, "/", "apt-get install -y curl").unwrap();
    assert_eq!(out.exit_code, 100);
    assert_eq!(out.stderr, "E: Unable to locate package curl\n");
    assert_eq!(
        out.stdout,
        "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
    );
    assert!(!fs.exists("/usr/bin/curl"));
}

#[test]
fn apt_update_install_clean_and_the_lists_lesson() {
    let (mut fs, env) = base("library/debian", "bookworm-slim");
    let before = fs.total_size();
    let up = ok(&mut fs, &env, "/", "apt-get update");
    assert!(up
        .stdout
        .starts_with("Get:1 http://deb.debian.org/debian bookworm InRelease"));
    assert!(
        (2_000..=6_000).contains(&up.simulated_ms),
        "{}",
        up.simulated_ms
    );
    let (lists, _) = fs.usage("/var/lib/apt/lists").unwrap();
    assert!(lists > 5_000_000, "lists are {lists} bytes");
    let out = ok(
        &mut fs,
        &env,
        "/",
        "apt-get install -y --no-install-recommends curl ca-certificates",
    );
    assert!(out
        .stdout
        .contains("The following NEW packages will be installed:"));
    assert!(out
        .stdout
        .contains("Setting up curl (7.88.1-10+deb12u7) ..."));
    assert!(fs.exists("/usr/bin/curl"));
    assert!(text(&fs, "/var/lib/dpkg/status").contains("Package: curl\n"));
    assert!(
        count(&fs, "/var/cache/apt/archives") > 2,
        "debs left in the archives"
    );
    let listing = ok(&mut fs, &env, "/", "dpkg -l curl");
    assert!(listing.stdout.contains("ii  curl"));
    ok(&mut fs, &env, "/", "apt-get clean");
    assert_eq!(
        count(&fs, "/var/cache/apt/archives"),
        1,
        "only partial/ is left"
    );
    assert!(
        lists_present(&fs),
        "apt-get clean keeps the lists, as real apt does"
    );
    fs.remove_all("/var/lib/apt/lists").unwrap();
    assert!(!lists_present(&fs));
    assert!(fs.total_size() > before);
    // unknown package after an update
    let bad = sh(&mut fs, &env, "/", "apt-get install -y foo").unwrap();
    assert_eq!(
        (bad.exit_code, bad.stderr.as_str()),
        (100, "E: Unable to locate package foo\n")
    );
}

fn lists_present(fs: &Fs) -> bool {
    fs.list_dir("/var/lib/apt/lists")
        .map(|v| v.iter().any(|e| e.name.contains("Packages")))
        .unwrap_or(false)
}

#[test]
fn apt_without_yes_aborts_and_remove_autoremove_undo_install() {
    let (mut fs, env) = base("library/ubuntu", "24.04");
    let out = sh(&mut fs, &env, "/", "apt install git").unwrap();
    assert!(out
        .stderr
        .contains("WARNING: apt does not have a stable CLI interface."));
    assert_eq!(out.exit_code, 100);
    ok(&mut fs, &env, "/", "apt-get update");
    let out = sh(&mut fs, &env, "/", "apt-get install git").unwrap();
    assert_eq!(out.exit_code, 1);
    assert!(out
        .stdout
        .ends_with("Do you want to continue? [Y/n] Abort.\n"));
    ok(&mut fs, &env, "/", "apt-get install -y git");
    assert!(fs.exists("/usr/bin/git") && fs.exists("/usr/bin/perl"));
    ok(&mut fs, &env, "/", "apt-get purge -y git");
    assert!(!fs.exists("/usr/bin/git"));
    ok(&mut fs, &env, "/", "apt-get autoremove -y");
    assert!(
        !fs.exists("/usr/bin/perl5.36.0"),
        "perl was only a dependency"
    );
    assert!(fs.exists("/usr/bin/perl"), "perl-base is part of the image");
}

#[test]
fn apk_no_cache_leaves_no_cache_and_errors_like_apk() {
    let (mut fs, env) = base("library/alpine", "3.20");
    let out = ok(&mut fs, &env, "/", "apk add --no-cache curl");
    assert!(out.stdout.starts_with(
        "fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz\n"
    ));
    assert!(out.stdout.contains("Installing curl (8.9.1-r2)"));
    assert!(out.stdout.ends_with("packages\n") && out.stdout.contains("OK: "));
    assert!(fs.exists("/usr/bin/curl"));
    assert_eq!(count(&fs, "/var/cache/apk"), 0);
    assert!(text(&fs, "/lib/apk/db/installed").contains("\nP:curl\n"));
    assert!(text(&fs, "/etc/apk/world").lines().any(|l| l == "curl"));
    ok(&mut fs, &env, "/", "apk add bash");
    assert_eq!(
        count(&fs, "/var/cache/apk"),
        2,
        "indexes cached without --no-cache"
    );
    let bad = sh(&mut fs, &env, "/", "apk add --no-cache foo").unwrap();
    assert_eq!(bad.exit_code, 1);
    assert_eq!(
        bad.stderr,
        "ERROR: unable to select packages:\n  foo (no such package):\n    required by: world[foo]\n"
    );
}

#[test]
fn apk_virtual_packages_are_deleted_with_their_deps() {
    let (mut fs, env) = base("library/alpine", "3.20");
    let out = ok(
        &mut fs,
        &env,
        "/",
        "apk add --no-cache --virtual .build-deps gcc make",
    );
    assert!(out
        .stdout
        .contains("Installing .build-deps (20250101.000000)"));
    assert!(fs.exists("/usr/bin/gcc") && fs.exists("/usr/bin/make"));
    let del = ok(&mut fs, &env, "/", "apk del .build-deps");
    assert!(del.stdout.contains("Purging gcc"));
    assert!(!fs.exists("/usr/bin/gcc") && !fs.exists("/usr/bin/make"));
    assert!(fs.exists("/bin/busybox"), "base packages stay");
    let info = ok(&mut fs, &env, "/", "apk info");
    assert_eq!(info.stdout.lines().count(), 15);
}

fn seed_app(fs: &mut Fs) {
    let m = Metadata::new(0o644, 0, 0, T);
    fs.mkdir_all("/app", Metadata::new(0o755, 0, 0, T)).unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine/examples/node-api/");
    for f in ["package.json", "package-lock.json"] {
        let bytes = std::fs::read(format!("{dir}{f}")).unwrap();
        fs.write_file(&format!("/app/{f}"), bytes, m).unwrap();
    }
}

#[test]
fn npm_ci_omit_dev_installs_express_tree_without_nodemon() {
    let (mut fs, env) = base("library/node", "lts-alpine");
    seed_app(&mut fs);
    let out = ok(&mut fs, &env, "/app", "npm ci --omit=dev");
    // Real npm reports 64: it nests a second `ms` (2.0.0 under debug, 2.1.3 under send);
    // the simulated tree is flat, one version per name.
    assert!(
        out.stdout
            .starts_with("\nadded 63 packages, and audited 91 packages in "),
        "{}",
        out.stdout
    );
    assert!(
        (2_000..=8_000).contains(&out.simulated_ms),
        "{}",
        out.simulated_ms
    );
    assert!(fs.exists("/app/node_modules/express/package.json"));
    assert!(fs.exists("/app/node_modules/express/index.js"));
    assert!(fs.exists("/app/node_modules/mime-db/package.json"));
    assert!(!fs.exists("/app/node_modules/nodemon"));
    assert!(!fs.exists("/app/node_modules/chokidar"));
    assert!(fs.exists("/root/.npm/_cacache"));
    let (nm, _) = fs.usage("/app/node_modules").unwrap();
    assert!(
        (1_500_000..=6_000_000).contains(&nm),
        "node_modules is {nm} bytes"
    );
    ok(&mut fs, &env, "/app", "npm cache clean --force");
    assert!(!fs.exists("/root/.npm/_cacache"));
    // with dev dependencies
    let out = ok(&mut fs, &env, "/app", "npm ci");
    assert!(fs.exists("/app/node_modules/nodemon/package.json"));
    assert!(fs.exists("/app/node_modules/.bin/nodemon"));
    assert!(
        out.stdout.starts_with("\nadded 90 packages"),
        "{}",
        out.stdout
    );
    // npm run prints the script line
    let run = ok(&mut fs, &env, "/app", "npm run start");
    assert_eq!(run.stdout, "\n> my-api@1.0.0 start\n> node server.js\n\n");
}

#[test]
fn npm_errors_are_npm_errors() {
    let (mut fs, env) = base("library/node", "lts-alpine");
    fs.mkdir_all("/app", Metadata::new(0o755, 0, 0, T)).unwrap();
    fs.write_file(
        "/app/package.json",
        "{\"name\":\"x\",\"version\":\"1.0.0\"}",
        Metadata::new(0o644, 0, 0, T),
    )
    .unwrap();
    let out = sh(&mut fs, &env, "/app", "npm ci").unwrap();
    assert_eq!(out.exit_code, 1);
    assert!(out.stderr.starts_with("npm error code EUSAGE\nnpm error\nnpm error The `npm ci` command can only install with an existing package-lock.json or\n"));
    let out = sh(&mut fs, &env, "/app", "npm cache clean").unwrap();
    assert_eq!(out.exit_code, 1);
    let out = sh(&mut fs, &env, "/app", "npm run build").unwrap();
    assert!(out
        .stderr
        .starts_with("npm error Missing script: \"build\"\n"));
    let out = sh(&mut fs, &env, "/app", "npm install left-pad-nope").unwrap();
    assert!(out.stderr.starts_with("npm error code E404\n"));
    // npm is not on plain alpine: the shell reports `sh: npm: not found`
    let (mut alpine, aenv) = base("library/alpine", "3.20");
    assert!(sh(&mut alpine, &aenv, "/", "npm ci").is_none());
    assert!(sh(&mut alpine, &aenv, "/", "ls -l").is_none());
}

#[test]
fn npm_install_and_yarn_write_lockfiles() {
    let (mut fs, env) = base("library/node", "22-alpine");
    fs.mkdir_all("/w", Metadata::new(0o755, 0, 0, T)).unwrap();
    fs.write_file("/w/package.json", "{\"name\":\"w\",\"version\":\"1.0.0\",\"dependencies\":{\"axios\":\"^1.7.0\"},\"devDependencies\":{\"jest\":\"^29.0.0\"}}", Metadata::new(0o644, 0, 0, T)).unwrap();
    ok(&mut fs, &env, "/w", "npm install lodash");
    assert!(text(&fs, "/w/package.json").contains("\"lodash\": \"^4.17.21\""));
    assert!(text(&fs, "/w/package-lock.json").contains("\"node_modules/form-data\""));
    assert!(fs.exists("/w/node_modules/jest/package.json"));
    fs.remove_all("/w/node_modules").unwrap();
    let out = ok(&mut fs, &env, "/w", "yarn install --production");
    assert!(out
        .stdout
        .starts_with("yarn install v1.22.22\ninfo No lockfile found.\n"));
    assert!(fs.exists("/w/yarn.lock") && fs.exists("/w/node_modules/axios/package.json"));
    assert!(!fs.exists("/w/node_modules/jest"));
    let frozen = sh(&mut fs, &env, "/w", "yarn install --frozen-lockfile").unwrap();
    assert_eq!(frozen.exit_code, 0);
}

#[test]
fn pip_install_cache_and_errors() {
    let (mut fs, env) = base("library/python", "3.12-slim");
    let m = Metadata::new(0o644, 0, 0, T);
    fs.mkdir_all("/app", Metadata::new(0o755, 0, 0, T)).unwrap();
    fs.write_file(
        "/app/requirements.txt",
        "flask==3.0.3\n# comment\ngunicorn\n",
        m,
    )
    .unwrap();
    let out = ok(&mut fs, &env, "/app", "pip install -r requirements.txt");
    assert!(out.stdout.contains("Collecting flask==3.0.3\n"));
    assert!(out
        .stdout
        .contains("Successfully installed blinker-1.8.2 click-8.1.7 flask-3.0.3 gunicorn-23.0.0"));
    assert!(out
        .stderr
        .starts_with("WARNING: Running pip as the 'root' user"));
    assert!(fs.exists("/usr/local/lib/python3.12/site-packages/flask/__init__.py"));
    assert!(fs.exists("/usr/local/lib/python3.12/site-packages/flask-3.0.3.dist-info/METADATA"));
    assert!(fs.exists("/usr/local/bin/gunicorn"));
    assert!(fs.exists("/root/.cache/pip"));
    let (mut fs2, env2) = base("library/python", "3.12-slim");
    ok(&mut fs2, &env2, "/", "pip install --no-cache-dir requests");
    assert!(fs2.exists("/usr/local/lib/python3.12/site-packages/requests/__init__.py"));
    assert!(!fs2.exists("/root/.cache/pip"));
    let bad = sh(&mut fs2, &env2, "/", "pip install foo").unwrap();
    assert_eq!(bad.exit_code, 1);
    assert_eq!(bad.stderr, "ERROR: Could not find a version that satisfies the requirement foo (from versions: none)\nERROR: No matching distribution found for foo\n");
    let missing = sh(&mut fs2, &env2, "/", "pip install -r nope.txt").unwrap();
    assert_eq!(missing.stderr, "ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'nope.txt'\n");
}

#[test]
fn interpreters_report_versions_and_run_scripts() {
    let (mut fs, env) = base("library/node", "lts-alpine");
    assert_eq!(
        ok(&mut fs, &env, "/", "node --version").stdout,
        "v22.11.0\n"
    );
    let out = sh(&mut fs, &env, "/", "node server.js").unwrap();
    assert_eq!(out.exit_code, 1);
    assert!(out
        .stderr
        .contains("Error: Cannot find module '/server.js'"));
    let (mut py, penv) = base("library/python", "3.12-slim");
    assert_eq!(
        ok(&mut py, &penv, "/", "python --version").stdout,
        "Python 3.12.7\n"
    );
    let out = sh(&mut py, &penv, "/", "python3 app.py").unwrap();
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            2,
            "python3: can't open file '/app.py': [Errno 2] No such file or directory\n"
        )
    );
}

#[test]
fn outcomes_are_deterministic() {
    let run_all = || {
        let (mut fs, env) = base("library/node", "lts-alpine");
        seed_app(&mut fs);
        let out = ok(&mut fs, &env, "/app", "npm ci --omit=dev");
        (fs, out)
    };
    let (a, oa) = run_all();
    let (b, ob) = run_all();
    assert_eq!(oa, ob);
    assert!(a.same_as(&b));
}
