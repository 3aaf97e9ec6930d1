//! Package catalogs: real package names with plausible versions, sizes, dependencies
//! and notable files, kept as small text tables (`catalog/*.txt`) so they read like the
//! `apk info` / `apt-cache show` / `npm view` facts they were taken from.

use std::collections::BTreeSet;

/// One package of a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogPackage {
    pub name: &'static str,
    pub version: &'static str,
    /// Installed (unpacked) size in KiB.
    pub size_kb: u64,
    pub section: &'static str,
    pub depends: Vec<&'static str>,
    pub recommends: Vec<&'static str>,
    /// Notable paths; `a>b` is a symlink `a -> b`.
    pub files: Vec<&'static str>,
    pub description: &'static str,
}

/// Which table a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Debian,
    Alpine,
    Npm,
    PyPi,
}

const DEBIAN: &str = include_str!("catalog/debian.txt");
const ALPINE: &str = include_str!("catalog/alpine.txt");
const NPM: &str = include_str!("catalog/npm.txt");
const PYPI: &str = include_str!("catalog/pypi.txt");

fn words(s: &'static str) -> Vec<&'static str> {
    s.split_whitespace().collect()
}

/// Parses one table. Lines: `name version kib [section] | depends | [recommends |] files | description`.
fn parse(text: &'static str, eco: Ecosystem) -> Vec<CatalogPackage> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&'static str> = line.split('|').map(str::trim).collect();
        let head = words(cols.first().copied().unwrap_or(""));
        let (Some(name), Some(version), Some(size)) = (head.first(), head.get(1), head.get(2))
        else {
            continue;
        };
        let col = |i: usize| cols.get(i).copied().unwrap_or("");
        let (depends, recommends, files, description) = match eco {
            Ecosystem::Debian => (col(1), col(2), col(3), col(4)),
            Ecosystem::Alpine | Ecosystem::PyPi => (col(1), "", col(2), col(3)),
            Ecosystem::Npm => (col(1), col(3), col(2), ""),
        };
        out.push(CatalogPackage {
            name,
            version,
            size_kb: size.parse().unwrap_or(0),
            section: head.get(3).copied().unwrap_or(""),
            depends: words(depends),
            recommends: words(recommends),
            files: words(files),
            description,
        });
    }
    out
}

/// A parsed catalog with name lookup (case-insensitive for PyPI, as pip normalises).
pub struct Catalog {
    eco: Ecosystem,
    /// `(lookup key, package)` sorted by key, for binary search (names are unique in
    /// each table). A sorted vector rather than a map: it goes through the crate's one
    /// sort, where a map of this element type would add its own insert, search and
    /// drop code to the web bundle.
    packages: Vec<(String, CatalogPackage)>,
}

impl Catalog {
    pub fn load(eco: Ecosystem) -> Catalog {
        let text = match eco {
            Ecosystem::Debian => DEBIAN,
            Ecosystem::Alpine => ALPINE,
            Ecosystem::Npm => NPM,
            Ecosystem::PyPi => PYPI,
        };
        let mut packages: Vec<(String, CatalogPackage)> = parse(text, eco)
            .into_iter()
            .map(|p| (Catalog::key(eco, p.name), p))
            .collect();
        crate::engine::sort::sort_by(&mut packages, |a, b| a.0.cmp(&b.0));
        Catalog { eco, packages }
    }

    /// PEP 503 normalisation for PyPI (`Flask_SQLAlchemy` = `flask-sqlalchemy`).
    fn key(eco: Ecosystem, name: &str) -> String {
        match eco {
            Ecosystem::PyPi => name.to_ascii_lowercase().replace(['_', '.'], "-"),
            _ => name.to_string(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&CatalogPackage> {
        let key = Catalog::key(self.eco, name);
        let i = self
            .packages
            .binary_search_by(|(k, _)| k.as_str().cmp(&key))
            .ok()?;
        self.packages.get(i).map(|(_, p)| p)
    }

    pub fn len(&self) -> usize {
        self.packages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &CatalogPackage> {
        self.packages.iter().map(|(_, p)| p)
    }

    /// `roots` and everything they depend on (and recommend, when `recommends`), in
    /// install order: dependencies before dependants, as apt and apk unpack them.
    /// Names the catalog does not know are skipped (resolution checks roots first).
    pub fn closure(&self, roots: &[&str], recommends: bool) -> Vec<&CatalogPackage> {
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for r in roots {
            self.visit(r, recommends, &mut seen, &mut order, 0);
        }
        order
    }

    fn visit<'c>(
        &'c self,
        name: &str,
        recommends: bool,
        seen: &mut BTreeSet<String>,
        order: &mut Vec<&'c CatalogPackage>,
        depth: usize,
    ) {
        let Some(p) = self.get(name) else { return };
        if depth > 64 || !seen.insert(p.name.to_string()) {
            return;
        }
        for d in &p.depends {
            self.visit(d, recommends, seen, order, depth + 1);
        }
        if recommends {
            for d in &p.recommends {
                self.visit(d, recommends, seen, order, depth + 1);
            }
        }
        order.push(p);
    }
}
