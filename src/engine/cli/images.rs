//! Image commands: build, images, history, tag, rmi, image prune.

use super::argv::Parsed;
use super::table::{ellipsis, go_time, human_size_prec, render, Row};
use super::{daemon_error, parse_for, specs, CommandOutput, LifecycleStage};
use crate::engine::build::executor::Executor;
use crate::engine::build::{
    failure_report, plain_progress_of, BuildOutput, BuildRequest, BuildSession,
};
use crate::engine::clock::human_duration;
use crate::engine::image::store::RemovalLine;
use crate::engine::reference::Reference;
use crate::engine::world::World;
use std::collections::BTreeSet;

/// Seconds since the epoch of an RFC 3339 UTC time (`2026-01-01T00:00:00Z`).
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    if b.len() < 19 {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let days = crate::engine::clock::days_from_civil(y, m, d);
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// `2 minutes ago`, or `N/A` without a time.
pub fn since(now: i64, created: Option<&str>) -> String {
    match created.and_then(parse_time) {
        Some(t) => format!("{} ago", human_duration(now - t)),
        None => "N/A".to_string(),
    }
}

fn format_of<'a>(p: &'a Parsed, default: &'a str) -> &'a str {
    match p.value("format") {
        Some("table") | None => default,
        Some(f) => f,
    }
}

pub fn build(world: &mut World, words: &[String], exec: &mut dyn Executor) -> CommandOutput {
    let p = match parse_for(&specs::BUILD, words) {
        Ok(p) => p,
        Err(o) => return o.stage(LifecycleStage::Build),
    };
    let path = p.args.first().map(String::as_str).unwrap_or(".");
    if path != "." && path != "./" {
        return CommandOutput::err(
            format!("ERROR: unable to prepare context: path {path:?} not found\n"),
            1,
        );
    }
    let file = p.value("file");
    let dockerfile = match file {
        None if !world.dockerfile.is_empty() => world.dockerfile.clone(),
        _ => {
            let name = file.unwrap_or("Dockerfile");
            match world.context.read_text(name.trim_start_matches("./")) {
                Some(t) => t,
                None => {
                    return CommandOutput::err(
                        format!("ERROR: failed to solve: failed to read dockerfile: open {name}: no such file or directory\n"),
                        1,
                    )
                }
            }
        }
    };
    let mut req = BuildRequest::new(&dockerfile, world.context.clone());
    req.dockerfile_name = file.unwrap_or("Dockerfile").to_string();
    req.tags = p.values("tag");
    req.target = p.value("target").map(str::to_string);
    req.no_cache = p.has("no-cache");
    req.build_args = p
        .values("build-arg")
        .into_iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a, String::new()),
        })
        .collect();
    let quiet = p.has("quiet");
    let session = match BuildSession::new(&mut world.daemon, req) {
        Ok(s) => s,
        Err(e) => {
            // Keep the failure as the last build, so the UI can point at its line.
            let message = match e.line() {
                Some(l) => format!(
                    "ERROR: failed to solve: {}:{l}: {e}\n",
                    file.unwrap_or("Dockerfile")
                ),
                None => format!("ERROR: failed to solve: {e}\n"),
            };
            world.last_build = Some(BuildOutput {
                events: Vec::new(),
                result: Err(e),
                simulated_ms: 0,
                warnings: Vec::new(),
            });
            return CommandOutput::err(message, 1).stage(LifecycleStage::Build);
        }
    };
    let output = session.run(&mut world.daemon, exec);
    let mut out = CommandOutput::default();
    match &output.result {
        Ok(img) => {
            if quiet {
                out.out(img.id.to_string());
            } else {
                out.stderr.push_str(&plain_progress_of(&output.events));
            }
            for w in &output.warnings {
                out.warn(w);
            }
        }
        Err(e) => {
            if !quiet {
                out.stderr.push_str(&plain_progress_of(&output.events));
            }
            match failure_report(&output.events, file.unwrap_or("Dockerfile"), &dockerfile) {
                Some(report) => out.stderr.push_str(&report),
                None => out.warn(format!("ERROR: failed to solve: {e}")),
            }
            out.exit_code = 1;
        }
    }
    world.last_build = Some(output);
    out.stage(LifecycleStage::Build)
}

pub fn images(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::IMAGES, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut by = match super::filter::ImageFilter::parse(&p.values("filter")) {
        Ok(f) => f,
        Err(e) => return e.output(),
    };
    if let Err(e) = by.resolve(world) {
        return e.output();
    }
    let now = world.now();
    let store = &world.daemon.images;
    let filter = p
        .args
        .first()
        .and_then(|f| crate::engine::reference::parse_normalized_named(f).ok());
    let no_trunc = p.has("no-trunc");
    let show_digests = p.has("digests");
    let format = format_of(
        &p,
        if show_digests {
            "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
        } else {
            "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
        },
    );
    // `NewImageFormat`: `--digests` with a custom table format adds the column.
    let mut format = format.to_string();
    if show_digests && format.starts_with("table") && !format.contains("{{.Digest}}") {
        format.push_str("\t{{.Digest}}");
    }
    let need_digest = show_digests || format.contains("{{.Digest}}");
    let mut rows = Vec::new();
    let mut last_id = None;
    for r in store.list() {
        // `list` gives one row per tag; the rows of an image are laid out again from
        // all of its references, as the docker CLI does.
        if last_id.as_ref() == Some(&r.id) {
            continue;
        }
        last_id = Some(r.id.clone());
        let refs = store.references(&r.id);
        let labels = world
            .daemon
            .image(&r.id)
            .map(|i| i.config.config.labels)
            .unwrap_or_default();
        if !by.matches(&refs, &labels, r.created.as_deref()) {
            continue;
        }
        for (repository, tag, digest) in reference_rows(&refs, show_digests, need_digest) {
            if !by.row_matches(&repository, &tag) {
                continue;
            }
            if let Some(f) = &filter {
                let name_ok = repository == f.familiar_name();
                let tag_ok = f.tag().is_none_or(|t| t == tag);
                if !name_ok || !tag_ok {
                    continue;
                }
            }
            let id = if no_trunc {
                r.id.to_string()
            } else {
                r.id.short().to_string()
            };
            rows.push(
                Row::default()
                    .with("Repository", "REPOSITORY", repository)
                    .with("Tag", "TAG", tag)
                    .with("Digest", "DIGEST", digest)
                    .with("ID", "IMAGE ID", id)
                    .with("CreatedSince", "CREATED", since(now, r.created.as_deref()))
                    .with(
                        "CreatedAt",
                        "CREATED AT",
                        r.created
                            .as_deref()
                            .and_then(parse_time)
                            .map(go_time)
                            .unwrap_or_default(),
                    )
                    .with("Size", "SIZE", human_size_prec(r.size, 3)),
            );
        }
    }
    if p.has("quiet") {
        let mut out = CommandOutput::default();
        for r in &rows {
            out.out(&r.fields[3].2);
        }
        return out;
    }
    match render(&format, &rows, "imageContext") {
        Ok(s) => CommandOutput::ok(s),
        Err(e) => CommandOutput::err(format!("{}\n", e.0), 1),
    }
}

/// The `(REPOSITORY, TAG, DIGEST)` rows of one image, as docker/cli's
/// `imageFormatTaggedAndDigest` lays out its RepoTags and RepoDigests.
///
/// * no reference at all: one dangling row, `<none>` everywhere;
/// * each tag gets a row per digest of the same repository when digests are shown
///   (`--digests`, or a format naming `{{.Digest}}`), else one row with `<none>`;
/// * a repository known only by digest (an image pulled as `name@sha256:...`) still
///   gets rows with TAG `<none>`: one per digest under `--digests`, else a single
///   row with an empty DIGEST.
///
/// Go walks maps here; rows follow the familiar reference's order instead, so the
/// output is stable.
fn reference_rows(
    refs: &[Reference],
    show_digests: bool,
    need_digest: bool,
) -> Vec<(String, String, String)> {
    let none = || "<none>".to_string();
    if refs.is_empty() {
        return vec![(none(), none(), none())];
    }
    // Tags in `ImageStore::list`'s order (by familiar string), digests by repository.
    let mut by_tag: Vec<&Reference> = refs.iter().filter(|r| r.tag().is_some()).collect();
    crate::engine::sort::sort_by_key(&mut by_tag, |r| r.familiar_string());
    let tagged: Vec<(String, String)> = by_tag
        .iter()
        .map(|r| (r.familiar_name(), r.tag().unwrap_or("").to_string()))
        .collect();
    let mut digests: Vec<(String, String)> = refs
        .iter()
        .filter_map(|r| Some((r.familiar_name(), r.digest()?.to_string())))
        .collect();
    crate::engine::sort::sort(&mut digests);
    let mut rows = Vec::new();
    for (repo, tag) in &tagged {
        let mut any = false;
        if need_digest {
            for (_, d) in digests.iter().filter(|(r, _)| r == repo) {
                rows.push((repo.clone(), tag.clone(), d.clone()));
                any = true;
            }
        }
        if !any {
            rows.push((repo.clone(), tag.clone(), none()));
        }
    }
    let mut last_repo: Option<&String> = None;
    for (repo, d) in &digests {
        if tagged.iter().any(|(r, _)| r == repo) {
            continue;
        }
        if show_digests {
            rows.push((repo.clone(), none(), d.clone()));
        } else if last_repo != Some(repo) {
            rows.push((repo.clone(), none(), String::new()));
        }
        last_repo = Some(repo);
    }
    rows
}

pub fn history(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::HISTORY, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = &p.args[0];
    let img = match world.daemon.find_image(name) {
        Ok(i) => i,
        Err(e) => return CommandOutput::err(format!("{}\n", daemon_error(e)), 1),
    };
    let now = world.now();
    let no_trunc = p.has("no-trunc");
    let mut sizes = img.layers.iter().map(|l| l.content_size);
    let mut rows = Vec::new();
    let count = img.config.history.len();
    for (i, h) in img.config.history.iter().enumerate() {
        let size = if h.empty_layer {
            0
        } else {
            sizes.next().unwrap_or(0)
        };
        let id = if i + 1 == count {
            if no_trunc {
                img.id.to_string()
            } else {
                img.id.short().to_string()
            }
        } else {
            "<missing>".to_string()
        };
        let created_by = h.created_by.clone().unwrap_or_default().replace('\t', " ");
        rows.push(
            Row::default()
                .with("ID", "IMAGE", id)
                .with("CreatedSince", "CREATED", since(now, h.created.as_deref()))
                .with(
                    "CreatedAt",
                    "CREATED AT",
                    h.created.clone().unwrap_or_default(),
                )
                .with(
                    "CreatedBy",
                    "CREATED BY",
                    if no_trunc {
                        created_by
                    } else {
                        ellipsis(&created_by, 45)
                    },
                )
                .with("Size", "SIZE", human_size_prec(size, 3))
                .with("Comment", "COMMENT", h.comment.clone().unwrap_or_default()),
        );
    }
    rows.reverse();
    if p.has("quiet") {
        let mut out = CommandOutput::default();
        for r in &rows {
            out.out(&r.fields[0].2);
        }
        return out;
    }
    let default = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
    match render(format_of(&p, default), &rows, "historyContext") {
        Ok(s) => CommandOutput::ok(s),
        Err(e) => CommandOutput::err(format!("{}\n", e.0), 1),
    }
}

pub fn tag(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::TAG, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    match world.daemon.images.tag(&p.args[0], &p.args[1]) {
        Ok(_) => CommandOutput::default().stage(LifecycleStage::Tag),
        Err(e) => {
            let msg = match e {
                crate::engine::image::store::StoreError::NoSuchImage(_) => {
                    daemon_error(format!("No such image: {}", p.args[0]))
                }
                crate::engine::image::store::StoreError::Reference(r) => {
                    format!(
                        "Error parsing reference: {:?} is not a valid repository/tag: {r}",
                        p.args[1]
                    )
                }
                other => daemon_error(other),
            };
            CommandOutput::err(format!("{msg}\n"), 1)
        }
    }
}

pub fn rmi(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::RMI, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let force = p.has("force");
    let mut out = CommandOutput::default();
    for name in &p.args {
        let in_use = world.images_in_use();
        match world.daemon.images.rmi(name, force, &in_use) {
            Ok(lines) => {
                let held = world.container_layers();
                for l in lines {
                    // A layer a container's writable layer still sits on is released
                    // by the image but not deleted (moby's layer reference count).
                    if matches!(&l, RemovalLine::Deleted(d) if held.contains(d)) {
                        continue;
                    }
                    out.out(l.rmi_text());
                }
            }
            Err(e) => out.fail(daemon_error(e)),
        }
    }
    world.gc_layers();
    out.stage(LifecycleStage::Rmi)
}

pub fn prune(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::IMAGE_PRUNE, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if !p.has("force") {
        // No stdin to confirm with: Docker's non-interactive behaviour is to need -f.
        let what = if p.has("all") {
            "all images without at least one container associated to them"
        } else {
            "all dangling images"
        };
        return super::other::not_confirmed(&format!("WARNING! This will remove {what}."));
    }
    let mut in_use = BTreeSet::new();
    in_use.extend(world.images_in_use().into_keys());
    let report = world.daemon.images.prune(p.has("all"), &in_use);
    world.gc_layers();
    let mut out = CommandOutput::default();
    let lines: Vec<String> = report.lines.iter().map(|l| l.prune_text()).collect();
    super::other::deleted_section(&mut out, "Images", &lines);
    out.out(format!(
        "Total reclaimed space: {}",
        super::table::human_size(report.reclaimed)
    ));
    out.stage(LifecycleStage::Rmi)
}

/// The `-o` file of `save`/`export`: the name it has on the simulated host. The
/// terminal is a terminal, so without `-o` the docker CLI refuses to write a tar to it.
fn output_name(p: &super::argv::Parsed) -> Result<String, CommandOutput> {
    let Some(path) = p.value("output") else {
        return Err(CommandOutput::err(
            "cowardly refusing to save to a terminal. Use the -o flag or redirect\n",
            1,
        ));
    };
    let name = crate::engine::world::host_file_name(path);
    if name.is_empty() || name == "." || name == ".." {
        return Err(CommandOutput::err(
            format!("open {path}: is a directory\n"),
            1,
        ));
    }
    Ok(name.to_string())
}

/// A tar written to the simulated host (so `load`/`import` can read it back) and
/// offered as a download, `about` saying what it is.
fn written(world: &mut World, about: String, name: String, bytes: Vec<u8>) -> CommandOutput {
    let bytes = std::rc::Rc::new(bytes);
    world.host_files.insert(name.clone(), bytes.clone());
    CommandOutput {
        file: Some(super::SavedFile { name, about, bytes }),
        ..CommandOutput::default()
    }
}

/// `docker save -o FILE IMAGE...`: the images as one tar archive, an OCI image layout
/// with Docker's `manifest.json` (what `docker save` v25+ writes), which the page offers
/// as a download; real `docker load`, skopeo and umoci read it.
pub fn save(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::SAVE, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match output_name(&p) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let names: Vec<&str> = p.args.iter().map(String::as_str).collect();
    // Layers are kept as stacks until something needs their bytes: this does.
    for n in &names {
        if let Ok(id) = world.daemon.images.resolve(n) {
            world.daemon.materialize(&id);
        }
    }
    match crate::engine::image::layout::export_tar(&world.daemon.images, &names) {
        Ok(bytes) => written(
            world,
            format!("an OCI image layout with docker's manifest.json, which `docker load -i {name}` and `skopeo inspect oci-archive:{name}` read"),
            name,
            bytes,
        ),
        Err(e) => CommandOutput::err(format!("{}\n", super::daemon_error(e)), 1),
    }
}

/// `docker export -o FILE CONTAINER`: the container's flattened filesystem as a file
/// of the host (and the page's download).
pub fn export(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::EXPORT, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match output_name(&p) {
        Ok(n) => n,
        Err(o) => return o,
    };
    match world.export_container(&p.args[0]) {
        Ok(bytes) => written(
            world,
            format!("the container's whole filesystem in one tar, flattened: no layers, history or config; `docker import {name}` makes a one-layer image of it"),
            name,
            bytes,
        ),
        Err(e) => CommandOutput::err(format!("{}\n", super::daemon_error(e)), 1),
    }
}

/// `docker import FILE [REPOSITORY[:TAG]]`: a filesystem tar of the host becomes a
/// one-layer image; prints its ID.
pub fn import(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::IMPORT, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let source = p.args[0].as_str();
    if source == "-" {
        return CommandOutput::err(
            "layerlab: nothing is piped into docker here: import a file of the host (`docker export -o fs.tar CONTAINER`, then `docker import fs.tar`)\n",
            1,
        );
    }
    if source.starts_with("http://") || source.starts_with("https://") {
        return CommandOutput::err(
            format!("layerlab: {source}: there is no network here: import a file of the host\n"),
            1,
        );
    }
    let Some(bytes) = world.host_file(source) else {
        return CommandOutput::err(format!("open {source}: no such file or directory\n"), 1);
    };
    let reference = p.args.get(1).map(String::as_str);
    match world.import_filesystem(&bytes, reference, &p.values("change"), p.value("message")) {
        Ok(id) => CommandOutput::ok(format!("{id}\n")),
        Err(e) => CommandOutput::err(format!("{}\n", super::daemon_error(e)), 1),
    }
}

/// `docker load -i FILE`: reads a file of the simulated host (one `docker save -o`
/// wrote, or one the page's file picker put there) and loads its images.
pub fn load(world: &mut World, words: &[String]) -> CommandOutput {
    let p = match parse_for(&specs::LOAD, words) {
        Ok(p) => p,
        Err(o) => return o,
    };
    // The terminal is a terminal: nothing is piped into docker's stdin.
    let Some(path) = p.value("input") else {
        return CommandOutput::err("requested load from stdin, but stdin is empty\n", 1);
    };
    let Some(bytes) = world.host_file(path) else {
        return CommandOutput::err(format!("open {path}: no such file or directory\n"), 1);
    };
    match world.daemon.load_archive(&bytes) {
        Ok(loaded) => {
            let mut out = CommandOutput::default();
            for l in &loaded {
                for line in l.lines() {
                    out.out(line);
                }
            }
            // `-q` only drops the progress bars, which a non-terminal never shows.
            out
        }
        Err(e) => CommandOutput::err(format!("{}\n", super::daemon_error(e)), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cli::run;

    fn rows(world: &mut World, line: &str) -> Vec<String> {
        let out = run(world, line);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        out.stdout.lines().map(str::to_string).collect()
    }

    /// An image pulled only by digest has no tag: docker/cli still lists it, TAG
    /// `<none>`, with its DIGEST under `--digests` and an empty one in a `{{.Digest}}`
    /// format without the flag.
    #[test]
    fn digest_only_reference_gets_its_row() {
        let mut world = World::new();
        let digest = "sha256:308c0f8bb5c182f783e0df0bf169c925ab24965d7cfef2d9e127b5d94783caaa";
        let pulled = run(&mut world, &format!("docker pull alpine@{digest}"));
        assert_eq!(pulled.exit_code, 0, "{}", pulled.stderr);
        let table = rows(&mut world, "docker images --digests");
        assert_eq!(table.len(), 2, "{table:?}");
        let cells: Vec<&str> = table[1].split_whitespace().collect();
        assert_eq!(&cells[..3], ["alpine", "<none>", digest], "{table:?}");
        let plain = rows(
            &mut world,
            "docker images --format {{.Repository}}:{{.Tag}}:{{.Digest}}",
        );
        assert_eq!(plain, ["alpine:<none>:"]);
        // Once tagged, the digest belongs to the tag's row and the `<none>` row goes.
        rows(
            &mut world,
            &format!("docker tag alpine@{digest} alpine:pinned"),
        );
        let tagged = rows(&mut world, "docker images --format {{.Tag}}={{.Digest}}");
        assert_eq!(tagged, [format!("pinned={digest}")]);
        let without = rows(&mut world, "docker images --format {{.Tag}}");
        assert_eq!(without, ["pinned"]);
    }

    #[test]
    fn reference_rows_follow_docker_cli() {
        let r = |s: &str| crate::engine::reference::parse_normalized_named(s).unwrap();
        let d1 = format!("sha256:{}", "1".repeat(64));
        let d2 = format!("sha256:{}", "2".repeat(64));
        let none = "<none>".to_string();
        assert_eq!(
            reference_rows(&[], true, true),
            [(none.clone(), none.clone(), none.clone())]
        );
        let refs = [
            r("app:1"),
            r(&format!("app@{d1}")),
            r(&format!("app@{d2}")),
            r(&format!("registry.example.com/app@{d1}")),
        ];
        let row = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            reference_rows(&refs, true, true),
            [
                row("app", "1", &d1),
                row("app", "1", &d2),
                row("registry.example.com/app", "<none>", &d1),
            ]
        );
        assert_eq!(
            reference_rows(&refs, false, false),
            [
                row("app", "1", "<none>"),
                row("registry.example.com/app", "<none>", "")
            ]
        );
    }
}
