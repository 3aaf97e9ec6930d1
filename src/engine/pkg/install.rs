//! Unpacking a catalog package's files, shared by dpkg, apk and the base images.

use super::catalog::CatalogPackage;
use super::files::{split_sizes, Tree};

/// Whether a path is conventionally executable (bin dirs, libexec, shared objects).
fn is_exec(path: &str) -> bool {
    path.contains("/bin/")
        || path.contains("/sbin/")
        || path.contains("/libexec/")
        || path.ends_with("/tini")
        || path.starts_with("/usr/lib/gcc/") && !path.contains('.')
}

/// Write `pkg`'s files into `tree`; returns the paths written (files and symlinks), in
/// the order a package's file list (`dpkg -L`, `apk info -L`) shows them.
///
/// Configuration files under `/etc` get a short real text (a learner will `cat` them);
/// every other regular file gets synthetic bytes, together making up the package's
/// installed size, seeded by name and version so the same package is byte-identical in
/// every image that installs it.
///
/// `percent` scales the installed size: Debian's `Installed-Size` counts the docs, man
/// pages and translations that the docker images' dpkg config path-excludes.
pub(crate) fn unpack(
    tree: &mut Tree<'_>,
    pkg: &CatalogPackage,
    tag: &str,
    percent: u64,
) -> Vec<String> {
    let salt = format!("{tag}:{}={}", pkg.name, pkg.version);
    let regular: Vec<&str> = pkg
        .files
        .iter()
        .copied()
        .filter(|f| !f.contains('>') && !f.starts_with("/etc/"))
        .collect();
    let sizes = split_sizes(pkg.size_kb * 1024 * percent / 100, regular.len());
    let mut written = Vec::new();
    let mut n = 0usize;
    for spec in &pkg.files {
        if let Some((path, target)) = spec.split_once('>') {
            tree.link(path, target);
            written.push(path.to_string());
        } else if spec.starts_with("/etc/") {
            let text = format!(
                "# {spec}: configuration installed by {} {}\n",
                pkg.name, pkg.version
            );
            tree.text(spec, &text, 0o644);
            written.push(spec.to_string());
        } else {
            let size = sizes.get(n).copied().unwrap_or(0);
            n += 1;
            let mode = if is_exec(spec) { 0o755 } else { 0o644 };
            tree.blob(spec, size, mode, &salt);
            written.push(spec.to_string());
        }
    }
    written
}
