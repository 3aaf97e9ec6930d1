//! `pip install` (pip 24): requirement arguments and `-r requirements.txt`, packages
//! into `site-packages` of the image's Python (`PYTHON_VERSION`), console scripts into
//! `/usr/local/bin`, and downloaded wheels into `~/.cache/pip` unless `--no-cache-dir`
//! (or `PIP_NO_CACHE_DIR`), which is the size lesson for Python images.

use super::catalog::{Catalog, CatalogPackage, Ecosystem};
use super::files::{seed, Tree};
use super::{Args, PkgInvocation, PkgOutcome};
use crate::engine::fs::{join, Fs};
use std::collections::BTreeSet;
use std::fmt::Write as _;

const ROOT_WARNING: &str = "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager, possibly rendering your system unusable.It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you know what you are doing and want to suppress this warning.\n";

/// `flask==3.0.3` → (`flask`, Some(`3.0.3`)); other specifiers keep the catalog version.
fn requirement(spec: &str) -> (String, Option<String>) {
    let spec = spec.split(';').next().unwrap_or("").trim();
    let end = spec
        .find(['=', '<', '>', '!', '~', '[', ' '])
        .unwrap_or(spec.len());
    let name = spec[..end].to_string();
    let pinned = spec.split_once("==").map(|(_, v)| v.trim().to_string());
    (name, pinned)
}

fn python_version(inv: &PkgInvocation<'_>) -> String {
    let v = inv.env("PYTHON_VERSION").unwrap_or("3.12.7");
    let mut it = v.split('.');
    format!("{}.{}", it.next().unwrap_or("3"), it.next().unwrap_or("12"))
}

pub(crate) fn run(fs: &mut Fs, inv: &PkgInvocation<'_>) -> PkgOutcome {
    let args = Args::parse(
        inv.args,
        &[
            "-r",
            "--requirement",
            "-t",
            "--target",
            "-i",
            "--index-url",
            "--root-user-action",
        ],
    );
    let mut tree = Tree::new(fs, inv.uid, inv.gid, inv.mtime);
    let py = python_version(inv);
    if args.has(&["--version", "-V"]) {
        return PkgOutcome::ok(
            format!("pip 24.2 from /usr/local/lib/python{py}/site-packages/pip (python {py})\n"),
            300,
        );
    }
    let cmd = args.positional.first().map(String::as_str).unwrap_or("");
    let fail = |msg: String, ms: u64| PkgOutcome::failed(1, msg, ms);
    match cmd {
        "install" => {}
        "freeze" | "list" => {
            let site = format!("/usr/local/lib/python{py}/site-packages");
            let mut out = String::new();
            for e in tree.fs.list_dir(&site).unwrap_or_default() {
                if let Some(nv) = e.name.strip_suffix(".dist-info") {
                    if let Some((n, v)) = nv.split_once('-') {
                        let _ = writeln!(out, "{n}=={v}");
                    }
                }
            }
            return PkgOutcome::ok(out, 400);
        }
        "" => return fail(
            "ERROR: You must give at least one requirement to install (see \"pip help install\")\n"
                .into(),
            300,
        ),
        other => return fail(format!("ERROR: unknown command \"{other}\"\n"), 300),
    }
    if tree.fs.exists("/usr/lib/python3.11/EXTERNALLY-MANAGED")
        && inv.env("PYTHON_VERSION").is_none()
        && !args.has(&["--break-system-packages"])
    {
        return fail("error: externally-managed-environment\n\n× This environment is externally managed\n╰─> To install Python packages system-wide, try apt install\n    python3-xyz, where xyz is the package you are trying to\n    install.\n\nnote: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.\nhint: See PEP 668 for the detailed specification.\n".into(), 600);
    }
    let mut specs: Vec<String> = args.positional[1..].to_vec();
    for r in args.values_of(&["-r", "--requirement"]) {
        let path = join(inv.cwd, r);
        if !tree.fs.exists(&path) {
            return fail(format!("ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{r}'\n"), 400);
        }
        for line in tree.read(&path).lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() && !line.starts_with('-') {
                specs.push(line.to_string());
            }
        }
    }
    let cat = Catalog::load(Ecosystem::PyPi);
    let site = format!("/usr/local/lib/python{py}/site-packages");
    let mut out = String::new();
    let mut ms = 900;
    // (package, version, its wheel/dist-info name: `-` as `_`)
    let mut todo: Vec<(&CatalogPackage, String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<(String, Option<String>, Option<String>)> = specs
        .iter()
        .rev()
        .map(|s| {
            let (n, v) = requirement(s);
            (n, v, None)
        })
        .collect();
    while let Some((name, pinned, parent)) = stack.pop() {
        if seen.len() > 5_000 {
            break;
        }
        let Some(p) = cat.get(&name) else {
            let _ = writeln!(out, "Collecting {name}");
            let shown = match &pinned {
                Some(v) => format!("{name}=={v}"),
                None => name.clone(),
            };
            return PkgOutcome {
                exit_code: 1,
                stdout: out,
                stderr: format!("ERROR: Could not find a version that satisfies the requirement {shown} (from versions: none)\nERROR: No matching distribution found for {shown}\n"),
                simulated_ms: ms + 700,
            };
        };
        if !seen.insert(p.name.to_string()) {
            continue;
        }
        let version = pinned.clone().unwrap_or_else(|| p.version.to_string());
        let wheel_name = p.name.replace('-', "_");
        if tree
            .fs
            .exists(&format!("{site}/{wheel_name}-{version}.dist-info"))
        {
            let _ = writeln!(
                out,
                "Requirement already satisfied: {} in {site} ({version})",
                p.name
            );
            continue;
        }
        let _ = write!(out, "Collecting {}", p.name);
        let _ = match (&parent, &pinned) {
            (Some(par), _) => writeln!(out, " (from {par})"),
            (None, Some(v)) => writeln!(out, "=={v}"),
            (None, None) => writeln!(out),
        };
        let _ = writeln!(
            out,
            "  Downloading {wheel_name}-{version}-py3-none-any.whl.metadata ({}.{} kB)",
            2 + p.size_kb % 5,
            p.size_kb % 10
        );
        for d in p.depends.iter().rev() {
            stack.push((d.to_string(), None, Some(p.name.to_string())));
        }
        todo.push((p, version, wheel_name));
    }
    let no_cache = args.has(&["--no-cache-dir"])
        || inv
            .env("PIP_NO_CACHE_DIR")
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    let cache = format!("{}/.cache/pip", inv.home());
    for (p, version, wheel_name) in &todo {
        let wheel = p.size_kb * 1024 / 3 + 1024;
        let _ = writeln!(
            out,
            "Downloading {wheel_name}-{version}-py3-none-any.whl ({} kB)",
            wheel / 1000
        );
        ms += 150 + wheel / 50_000;
        if !no_cache {
            let h = format!(
                "{:016x}{:016x}",
                seed(&["pip", p.name, version]),
                seed(&[version, p.name])
            );
            // pip's HTTP cache shards by the key's first five hex digits.
            let mut entry = format!("{cache}/http-v2");
            for c in h.chars().take(5) {
                entry.push('/');
                entry.push(c);
            }
            let _ = write!(entry, "/{h}");
            tree.blob(&format!("{entry}.body"), wheel, 0o600, &h);
            tree.text(&entry, &format!("cc=max-age=365000000, immutable, public\nurl=https://files.pythonhosted.org/packages/{}-{version}-py3-none-any.whl\n", p.name), 0o600);
        }
    }
    if todo.is_empty() {
        return PkgOutcome::ok(out, ms);
    }
    let mut installed: Vec<String> = Vec::new();
    let mut order: Vec<&str> = todo.iter().rev().map(|(p, _, _)| p.name).collect();
    order.dedup();
    let _ = writeln!(out, "Installing collected packages: {}", order.join(", "));
    for (p, version, wheel_name) in &todo {
        let dist = format!("{site}/{wheel_name}-{version}.dist-info");
        let mut record = String::new();
        let modules: Vec<&str> = p
            .files
            .iter()
            .copied()
            .filter(|f| !f.starts_with("bin:"))
            .collect();
        let per = p.size_kb * 1024 / modules.len().max(1) as u64;
        for m in &modules {
            let init = format!("{site}/{m}/__init__.py");
            tree.text(
                &init,
                &format!(
                    "\"\"\"{}\"\"\"\n\n__version__ = \"{version}\"\n",
                    p.description
                ),
                0o644,
            );
            tree.blob(
                &format!("{site}/{m}/_core.py"),
                per.saturating_sub(512),
                0o644,
                &format!("pypi:{}=={version}", p.name),
            );
            let _ = writeln!(record, "{m}/__init__.py,,\n{m}/_core.py,,");
        }
        for b in p.files.iter().filter_map(|f| f.strip_prefix("bin:")) {
            let module = modules.first().copied().unwrap_or(p.name);
            tree.text(&format!("/usr/local/bin/{b}"), &format!("#!/usr/local/bin/python{py}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {module} import main\nif __name__ == \"__main__\":\n    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    sys.exit(main())\n"), 0o755);
            let _ = writeln!(record, "../../../bin/{b},,");
        }
        let mut metadata = format!(
            "Metadata-Version: 2.1\nName: {}\nVersion: {version}\nSummary: {}\n",
            p.name, p.description
        );
        for d in &p.depends {
            let _ = writeln!(metadata, "Requires-Dist: {d}");
        }
        tree.text(&format!("{dist}/METADATA"), &metadata, 0o644);
        tree.text(&format!("{dist}/WHEEL"), "Wheel-Version: 1.0\nGenerator: setuptools (75.2.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n", 0o644);
        tree.text(&format!("{dist}/INSTALLER"), "pip\n", 0o644);
        tree.text(
            &format!("{dist}/top_level.txt"),
            &(modules.join("\n") + "\n"),
            0o644,
        );
        let _ = writeln!(
            record,
            "{0}/METADATA,,\n{0}/WHEEL,,\n{0}/INSTALLER,,\n{0}/RECORD,,",
            dist.rsplit('/').next().unwrap_or("")
        );
        tree.text(&format!("{dist}/RECORD"), &record, 0o644);
        ms += 80 + p.size_kb / 200;
        installed.push(format!("{}-{version}", p.name));
    }
    crate::engine::sort::sort_by_key(&mut installed, |s| s.to_ascii_lowercase());
    let _ = writeln!(out, "Successfully installed {}", installed.join(" "));
    let mut stderr = String::new();
    if inv.uid == 0
        && args.value(&["--root-user-action"]) != Some("ignore")
        && inv.env("PIP_ROOT_USER_ACTION") != Some("ignore")
    {
        stderr.push_str(ROOT_WARNING);
    }
    PkgOutcome {
        stderr,
        ..PkgOutcome::ok(out, ms)
    }
}
