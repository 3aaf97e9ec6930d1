//! The `layerlab` verbs backed by the on-disk store: `load`, `save`, `images`, `tag`,
//! `rmi`, `push`, `pull`, `fsck`, and `busybox-image`. Parsing is clap's (so `--help`
//! works everywhere); output and error texts are docker's (`Loaded image: ...`,
//! `Untagged: ...`, `Error response from daemon: No such image: ...`).
//!
//! Each verb opens the store (taking its lock), loads it into the engine's
//! `ImageStore`, lets the engine do the work and commits the result back
//! (blobs, then `index.json`).

use super::registry::{self, PushOptions};
use super::store::{default_home, DiskError, DiskStore};
use crate::engine::image::layout;
use crate::engine::image::store::ImageStore;
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// The verbs handled here.
const VERBS: &[&str] = &[
    "load",
    "save",
    "images",
    "tag",
    "rmi",
    "push",
    "pull",
    "fsck",
    "busybox-image",
    "build",
    "run",
    "ps",
    "diff",
    "logs",
    "stop",
    "rm",
    "volume",
];

/// Runs `args` if its verb is one of ours; `None` lets the host CLI handle it.
pub fn run(args: &[String]) -> Option<i32> {
    let verb = args.first()?;
    if !VERBS.contains(&verb.as_str()) {
        return None;
    }
    let cmd = command(verb);
    let m = match cmd.try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return Some(if e.use_stderr() { 125 } else { 0 });
        }
    };
    Some(match execute(verb, &m) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            1
        }
    })
}

/// The clap definition of one verb.
pub fn command(verb: &str) -> Command {
    let image = |name: &'static str| Arg::new(name).required(true).value_name("IMAGE");
    let name: &'static str = VERBS
        .iter()
        .find(|v| **v == verb)
        .copied()
        .unwrap_or("busybox-image");
    let c = Command::new(name).disable_version_flag(true);
    match verb {
        "load" => c
            .about("Load an image from a tar archive or STDIN (OCI layout or docker save)")
            .arg(Arg::new("input").short('i').long("input").value_name("FILE").help("Read from tar archive file, instead of STDIN")),
        "save" => c
            .about("Save one or more images to a tar archive (streamed to STDOUT by default)")
            .arg(Arg::new("output").short('o').long("output").value_name("FILE").help("Write to a file, instead of STDOUT"))
            .arg(image("images").num_args(1..).action(ArgAction::Append)),
        "images" => c
            .about("List images")
            .arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue).help("Only show image IDs"))
            .arg(Arg::new("no-trunc").long("no-trunc").action(ArgAction::SetTrue).help("Don't truncate output")),
        "tag" => c
            .about("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
            .arg(Arg::new("source").required(true).value_name("SOURCE_IMAGE[:TAG]"))
            .arg(Arg::new("target").required(true).value_name("TARGET_IMAGE[:TAG]")),
        "rmi" => c
            .about("Remove one or more images")
            .arg(Arg::new("force").short('f').long("force").action(ArgAction::SetTrue).help("Force removal of the image"))
            .arg(image("images").num_args(1..).action(ArgAction::Append)),
        "push" => c
            .about("Upload an image to a registry (plain HTTP, e.g. 127.0.0.1:5000/NAME[:TAG])")
            .arg(Arg::new("chunk-size").long("chunk-size").value_name("BYTES").value_parser(clap::value_parser!(usize)).help("Upload blobs in PATCH chunks of this size instead of one PUT"))
            .arg(image("image")),
        "pull" => c
            .about("Download an image from a registry (plain HTTP, e.g. 127.0.0.1:5000/NAME[:TAG|@DIGEST])")
            .arg(image("image")),
        "fsck" => c
            .about("Verify every blob of the store and the references of index.json")
            .arg(Arg::new("repair").long("repair").action(ArgAction::SetTrue).help("Remove temporary files, unreferenced or corrupted blobs and dangling index entries")),
        "build" => c
            .about("Build an image from a Dockerfile into the store (RUN: --exec=linux runs it with runc, --exec=simulated in the simulated shell)")
            .arg(Arg::new("tag").short('t').long("tag").value_name("NAME[:TAG]").action(ArgAction::Append).help("Name and optionally a tag in the \"name:tag\" format"))
            .arg(Arg::new("file").short('f').long("file").value_name("FILE").help("Name of the Dockerfile (default: \"PATH/Dockerfile\")"))
            .arg(Arg::new("build-arg").long("build-arg").value_name("K=V").action(ArgAction::Append).help("Set build-time variables"))
            .arg(Arg::new("target").long("target").value_name("STAGE").help("Set the target build stage to build"))
            .arg(Arg::new("no-cache").long("no-cache").action(ArgAction::SetTrue).help("Do not use cache when building the image"))
            .arg(Arg::new("exec").long("exec").value_name("linux|simulated").value_parser(["linux", "simulated"]).default_value("simulated").help("Where RUN executes: really (runc over overlayfs) or in the simulated shell"))
            .arg(Arg::new("output").short('o').long("output").value_name("type=oci,dest=FILE").help("Also write the image as an OCI layout archive"))
            .arg(Arg::new("path").required(true).value_name("PATH")),
        "run" => c
            .about("Create and run a new container from an image (--exec=linux: a real process under runc)")
            .trailing_var_arg(true)
            .arg(Arg::new("exec").long("exec").value_name("linux").value_parser(["linux"]).default_value("linux").help("Run the container for real with runc over overlayfs (the only mode here)"))
            .arg(Arg::new("name").long("name").value_name("NAME").help("Assign a name to the container"))
            .arg(Arg::new("env").short('e').long("env").value_name("K=V").action(ArgAction::Append).help("Set environment variables"))
            .arg(Arg::new("volume").short('v').long("volume").value_name("VOLUME:/PATH").action(ArgAction::Append).help("Bind mount a volume"))
            .arg(Arg::new("entrypoint").long("entrypoint").value_name("CMD").help("Overwrite the default ENTRYPOINT of the image"))
            .arg(Arg::new("detach").short('d').long("detach").action(ArgAction::SetTrue).help("Run container in background and print container ID"))
            .arg(Arg::new("rm").long("rm").action(ArgAction::SetTrue).help("Automatically remove the container when it exits"))
            .arg(image("image"))
            .arg(Arg::new("args").num_args(0..).allow_hyphen_values(true).value_name("COMMAND")),
        "ps" => c
            .about("List containers")
            .arg(Arg::new("all").short('a').long("all").action(ArgAction::SetTrue).help("Show all containers (default shows just running)"))
            .arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue).help("Only display container IDs"))
            .arg(Arg::new("no-trunc").long("no-trunc").action(ArgAction::SetTrue).help("Don't truncate output")),
        "diff" => c
            .about("Inspect changes to files or directories on a container's filesystem")
            .arg(Arg::new("container").required(true).value_name("CONTAINER")),
        "logs" => c
            .about("Fetch the logs of a container")
            .arg(Arg::new("container").required(true).value_name("CONTAINER")),
        "stop" => c
            .about("Stop one or more running containers")
            .arg(Arg::new("time").short('t').long("time").value_name("SECONDS").value_parser(clap::value_parser!(u64)).default_value("10").help("Seconds to wait before killing the container"))
            .arg(Arg::new("containers").required(true).num_args(1..).action(ArgAction::Append).value_name("CONTAINER")),
        "rm" => c
            .about("Remove one or more containers")
            .arg(Arg::new("force").short('f').long("force").action(ArgAction::SetTrue).help("Force the removal of a running container (uses SIGKILL)"))
            .arg(Arg::new("volumes").short('v').long("volumes").action(ArgAction::SetTrue).help("Remove anonymous volumes associated with the container"))
            .arg(Arg::new("containers").required(true).num_args(1..).action(ArgAction::Append).value_name("CONTAINER")),
        "volume" => c
            .about("Manage volumes")
            .subcommand_required(true)
            .subcommand(Command::new("create").about("Create a volume").arg(Arg::new("name").required(true).value_name("VOLUME")))
            .subcommand(Command::new("ls").about("List volumes").arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue).help("Only display volume names")))
            .subcommand(Command::new("rm").about("Remove one or more volumes").arg(Arg::new("names").required(true).num_args(1..).action(ArgAction::Append).value_name("VOLUME"))),
        _ => c
            .about("Store a busybox base image made from Debian's busybox-static (/bin/busybox)")
            .arg(Arg::new("tag").default_value("busybox:1.35").value_name("TAG")),
    }
}

fn daemon(e: impl std::fmt::Display) -> String {
    format!("Error response from daemon: {e}")
}

fn open() -> Result<(DiskStore, ImageStore), String> {
    let store = DiskStore::open(&default_home()).map_err(|e| e.to_string())?;
    let images = store.load().map_err(|e| e.to_string())?;
    Ok((store, images))
}

fn commit(store: &DiskStore, images: &ImageStore) -> Result<(), String> {
    store.commit(images).map_err(|e: DiskError| e.to_string())
}

fn values<'a>(m: &'a ArgMatches, name: &str) -> Vec<&'a String> {
    m.get_many::<String>(name)
        .map(|v| v.collect())
        .unwrap_or_default()
}

fn execute(verb: &str, m: &ArgMatches) -> Result<i32, String> {
    match verb {
        "load" => {
            let bytes = match m.get_one::<String>("input") {
                Some(f) => std::fs::read(f).map_err(|e| format!("open {f}: {e}"))?,
                None => {
                    let mut b = Vec::new();
                    std::io::stdin()
                        .read_to_end(&mut b)
                        .map_err(|e| e.to_string())?;
                    b
                }
            };
            let (store, mut images) = open()?;
            let loaded = layout::import_tar(&mut images, &bytes).map_err(|e| e.to_string())?;
            commit(&store, &images)?;
            for l in &loaded {
                for line in l.lines() {
                    println!("{line}");
                }
            }
            Ok(0)
        }
        "save" => {
            let (_store, images) = open()?;
            let names = values(m, "images");
            let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
            let tar = layout::export_tar(&images, &names).map_err(daemon)?;
            match m.get_one::<String>("output") {
                Some(out) => std::fs::write(out, tar).map_err(|e| format!("write {out}: {e}"))?,
                None => std::io::stdout()
                    .write_all(&tar)
                    .map_err(|e| e.to_string())?,
            }
            Ok(0)
        }
        "images" => {
            let (_store, images) = open()?;
            print!(
                "{}",
                images_table(&images, m.get_flag("quiet"), m.get_flag("no-trunc"))
            );
            Ok(0)
        }
        "tag" => {
            let (store, mut images) = open()?;
            let (src, dst) = (
                m.get_one::<String>("source").map_or("", |s| s.as_str()),
                m.get_one::<String>("target").map_or("", |s| s.as_str()),
            );
            images.tag(src, dst).map_err(daemon)?;
            commit(&store, &images)?;
            Ok(0)
        }
        "rmi" => {
            let (store, mut images) = open()?;
            let mut code = 0;
            for name in values(m, "images") {
                match images.rmi(name, m.get_flag("force"), &BTreeMap::new()) {
                    Ok(lines) => lines.iter().for_each(|l| println!("{}", l.rmi_text())),
                    Err(e) => {
                        eprintln!("{}", daemon(e));
                        code = 1;
                    }
                }
            }
            commit(&store, &images)?;
            store.gc().map_err(|e| e.to_string())?;
            Ok(code)
        }
        "push" => {
            let (_store, images) = open()?;
            let opts = PushOptions {
                chunk_size: m.get_one::<usize>("chunk-size").copied(),
            };
            let name = m.get_one::<String>("image").map_or("", |s| s.as_str());
            let t = registry::push(&images, name, &opts).map_err(daemon)?;
            t.lines.iter().for_each(|l| println!("{l}"));
            Ok(0)
        }
        "pull" => {
            let (store, mut images) = open()?;
            let name = m.get_one::<String>("image").map_or("", |s| s.as_str());
            let t = registry::pull(&mut images, name).map_err(daemon)?;
            commit(&store, &images)?;
            t.lines.iter().for_each(|l| println!("{l}"));
            Ok(0)
        }
        "fsck" => {
            let store = DiskStore::open(&default_home()).map_err(|e| e.to_string())?;
            let report = store
                .fsck(m.get_flag("repair"))
                .map_err(|e| e.to_string())?;
            report.lines().iter().for_each(|l| println!("{l}"));
            Ok(if report.is_clean() || m.get_flag("repair") {
                0
            } else {
                1
            })
        }
        "build" => super::build::run_cli(m),
        "run" | "ps" | "diff" | "logs" | "stop" | "rm" | "volume" => {
            super::container::run_cli(verb, m)
        }
        _ => {
            let tag = m
                .get_one::<String>("tag")
                .map_or("busybox:1.35", |s| s.as_str());
            let fs = super::busybox::rootfs().map_err(|e| e.to_string())?;
            let (config, layer) = super::busybox::image(&fs);
            let (store, mut images) = open()?;
            let id = images.add_image(&config, vec![layer]).map_err(daemon)?;
            let r =
                crate::engine::reference::parse_normalized_named(tag).map_err(|e| e.to_string())?;
            images.add_reference(&r, &id).map_err(daemon)?;
            commit(&store, &images)?;
            println!("Loaded image: {}", r.tag_name_only().familiar_string());
            Ok(0)
        }
    }
}

/// `docker images` as its tabwriter prints it (columns padded by 3 spaces).
pub fn images_table(images: &ImageStore, quiet: bool, no_trunc: bool) -> String {
    let rows = images.list();
    let id = |d: &crate::engine::digest::Digest| {
        if no_trunc {
            d.to_string()
        } else {
            d.short().to_string()
        }
    };
    if quiet {
        let mut seen = Vec::new();
        for r in &rows {
            let i = id(&r.id);
            if !seen.contains(&i) {
                seen.push(i);
            }
        }
        return seen.iter().map(|i| format!("{i}\n")).collect();
    }
    let now = now_secs();
    let mut table = vec![vec![
        "REPOSITORY".to_string(),
        "TAG".into(),
        "IMAGE ID".into(),
        "CREATED".into(),
        "SIZE".into(),
    ]];
    for r in rows {
        let created = r.created.as_deref().and_then(parse_rfc3339).map_or_else(
            || "N/A".to_string(),
            |t| format!("{} ago", human_duration(now - t)),
        );
        table.push(vec![
            r.repository,
            r.tag,
            id(&r.id),
            created,
            human_size(r.size),
        ]);
    }
    tabwrite(&table)
}

pub(crate) fn tabwrite(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                let pad = widths[c] - cell.chars().count() + 3;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let num = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let rest = s.get(19..)?;
    let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (o.get(1..3)?.parse::<i64>().ok()? * 3600
                + o.get(4..6)?.parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// go-units `HumanDuration`, which `docker images` uses for CREATED.
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    let hours = (s as f64 / 3600.0).round() as i64;
    match s {
        0 => "Less than a second".into(),
        1..=59 => plural(s, "second"),
        60..=119 => "About a minute".into(),
        _ if s < 3600 => plural(s / 60, "minute"),
        _ if hours == 1 => "About an hour".into(),
        _ if s < 48 * 3600 => plural(hours, "hour"),
        _ if s < 7 * 24 * 3600 * 2 => plural(s / 86_400, "day"),
        _ if s < 30 * 24 * 3600 * 3 => plural(s / (7 * 86_400), "week"),
        _ if s < 365 * 24 * 3600 * 2 => plural(s / (30 * 86_400), "month"),
        _ => plural(s / (365 * 86_400), "year"),
    }
}

/// go-units `HumanSizeWithPrecision(size, 3)`: decimal units, 3 significant digits.
pub fn human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let mut s = format!("{v:.digits$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{s}{}", units[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_units() {
        assert_eq!(human_size(2_123_456), "2.12MB");
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1_000), "1kB");
        assert_eq!(human_size(13_300_000), "13.3MB");
        assert_eq!(human_duration(3), "3 seconds");
        assert_eq!(human_duration(90), "About a minute");
        assert_eq!(human_duration(3 * 365 * 86_400), "3 years");
        assert_eq!(parse_rfc3339("2023-01-01T00:00:00Z"), Some(1_672_531_200));
        assert_eq!(
            parse_rfc3339("2023-01-01T01:00:00.5+01:00"),
            Some(1_672_531_200)
        );
        assert_eq!(parse_rfc3339("x"), None);
    }
}
