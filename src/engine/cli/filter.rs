//! `docker ps --filter KEY=VALUE` (moby `daemon/list.go` `foldFilter`): the same key
//! given twice matches either value, different keys must all match; a `status`
//! filter lists stopped containers without `-a`.

use super::CommandOutput;
use crate::engine::runtime::{Container, MountSource};
use crate::engine::world::World;

/// The filter keys moby accepts for containers.
const KNOWN: &[&str] = &[
    "ancestor",
    "before",
    "expose",
    "exited",
    "health",
    "id",
    "isolation",
    "is-task",
    "label",
    "name",
    "network",
    "publish",
    "since",
    "status",
    "volume",
];

/// Keys layerlab has no model for (no networks, isolation or swarm tasks).
const NOT_SIMULATED: &[&str] = &["isolation", "is-task", "network"];

/// moby's `container.IsValidHealthString`.
const HEALTH: &[&str] = &["starting", "healthy", "unhealthy", "none"];

const STATES: &[&str] = &[
    "created",
    "restarting",
    "running",
    "removing",
    "paused",
    "exited",
    "dead",
];

/// A refused `--filter`: the message and Docker's exit code (125 when the CLI rejects
/// a malformed flag value, 1 for the daemon's refusals).
#[derive(Debug)]
pub struct Refused {
    message: String,
    code: i32,
}

impl Refused {
    fn daemon(message: String) -> Refused {
        Refused { message, code: 1 }
    }

    pub fn output(&self) -> CommandOutput {
        CommandOutput::err(format!("{}\n", self.message), self.code)
    }
}

/// `KEY=VALUE` arguments of `docker <verb> --filter`, keys lower-cased.
fn split_pairs(args: &[String], verb: &str) -> Result<Vec<(String, String)>, Refused> {
    let mut pairs = Vec::new();
    for a in args {
        let Some((k, v)) = a.split_once('=') else {
            return Err(Refused {
                message: format!(
                    "invalid argument \"{a}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\nSee 'docker {verb} --help'."
                ),
                code: 125,
            });
        };
        pairs.push((k.trim().to_ascii_lowercase(), v.to_string()));
    }
    Ok(pairs)
}

/// Parsed `--filter` arguments.
pub struct PsFilter {
    pairs: Vec<(String, String)>,
}

impl PsFilter {
    /// Parses `KEY=VALUE` arguments, refusing what moby refuses.
    pub fn parse(args: &[String]) -> Result<PsFilter, Refused> {
        let pairs = split_pairs(args, "ps")?;
        for (k, v) in &pairs {
            if !KNOWN.contains(&k.as_str()) {
                return Err(Refused::daemon(format!(
                    "Error response from daemon: invalid filter '{k}'"
                )));
            }
            if NOT_SIMULATED.contains(&k.as_str()) {
                return Err(Refused::daemon(format!(
                    "layerlab: the '{k}' filter needs networks, isolation or swarm tasks, which are not simulated"
                )));
            }
            if k == "publish" || k == "expose" {
                port_range(k, v).map_err(Refused::daemon)?;
            }
            if k == "health" && !HEALTH.contains(&v.as_str()) {
                return Err(Refused::daemon(format!(
                    "Error response from daemon: Unrecognised filter value for health: {v}"
                )));
            }
            if k == "status" && !STATES.contains(&v.as_str()) {
                return Err(Refused::daemon(format!(
                    "Error response from daemon: invalid filter 'status={v}'"
                )));
            }
            if k == "exited" && v.parse::<i32>().is_err() {
                return Err(Refused::daemon(format!(
                    "Error response from daemon: strconv.Atoi: parsing \"{v}\": invalid syntax"
                )));
            }
        }
        Ok(PsFilter { pairs })
    }

    /// A `status` filter shows stopped containers too, as `-a` does.
    pub fn implies_all(&self) -> bool {
        self.pairs.iter().any(|(k, _)| k == "status")
    }

    /// Checks `before`/`since` name existing containers (moby refuses otherwise), and
    /// that a `health` filter can be answered: health checks are not run here, so only
    /// containers without one (`none`) have a known health.
    pub fn check_refs(&self, world: &World) -> Result<(), Refused> {
        for (k, v) in &self.pairs {
            if (k == "before" || k == "since") && world.container(v).is_err() {
                return Err(Refused::daemon(format!(
                    "Error response from daemon: No such container: {v}"
                )));
            }
            if k == "health" && world.containers.iter().any(|c| has_healthcheck(world, c)) {
                return Err(Refused::daemon(
                    "layerlab: HEALTHCHECK commands are not run, so the 'health' of a container with one is unknown (health=none still works when no container has one)".into(),
                ));
            }
        }
        Ok(())
    }

    /// Does `c` pass? `index` is its position in creation order.
    pub fn matches(&self, world: &World, c: &Container, index: usize) -> bool {
        every_key_any_value(&self.pairs, |k, v| one(world, c, index, k, v))
    }
}

/// moby's `filters.Args`: every key must match, by any of the values given for it.
fn every_key_any_value(
    pairs: &[(String, String)],
    mut one: impl FnMut(&str, &str) -> bool,
) -> bool {
    pairs.iter().all(|(key, _)| {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .any(|(k, v)| one(k, v))
    })
}

fn one(world: &World, c: &Container, index: usize, key: &str, v: &str) -> bool {
    match key {
        "id" => c.id.starts_with(v),
        "name" => name_matches(&c.name, v),
        "status" => c.state.status() == v,
        "exited" => {
            matches!(c.state, crate::engine::runtime::State::Exited { code } if v.parse() == Ok(code))
        }
        "label" => match v.split_once('=') {
            Some((k, val)) => c.labels.iter().any(|(lk, lv)| lk == k && lv == val),
            None => c.labels.iter().any(|(lk, _)| lk == v),
        },
        "volume" => c.mounts.iter().any(|m| {
            m.destination == v
                || matches!(&m.source, MountSource::Volume(n) | MountSource::Bind(n) if n == v)
        }),
        "ancestor" => is_descendant(world, c, v),
        // Checked by `check_refs`: no container has a health check.
        "health" => v == "none",
        // `HostConfig.PortBindings`: the container side of `-p`.
        "publish" => port_range(key, v).is_ok_and(|(proto, lo, hi)| {
            c.ports
                .iter()
                .any(|b| b.proto == proto && (lo..=hi).contains(&b.container_port))
        }),
        // `Config.ExposedPorts`: the image's EXPOSE, `--expose` and every `-p`.
        "expose" => port_range(key, v).is_ok_and(|(proto, lo, hi)| {
            let published = c.ports.iter().map(|b| (b.container_port, b.proto.as_str()));
            let exposed = c.exposed.iter().filter_map(|e| {
                let (port, proto) = e.split_once('/').unwrap_or((e, "tcp"));
                Some((port.parse::<u16>().ok()?, proto))
            });
            published
                .chain(exposed)
                .any(|(port, p)| p == proto && (lo..=hi).contains(&port))
        }),
        "before" | "since" => {
            let Some(other) = world
                .containers
                .iter()
                .position(|o| o.id.starts_with(v) || o.name == v.trim_start_matches('/'))
            else {
                return false;
            };
            if key == "before" {
                index < other
            } else {
                index > other
            }
        }
        _ => false,
    }
}

/// The image's config has a HEALTHCHECK that is not `NONE`.
fn has_healthcheck(world: &World, c: &Container) -> bool {
    world
        .daemon
        .image(&c.image_id)
        .and_then(|i| i.config.config.healthcheck)
        .is_some_and(|h| !h.test.is_empty() && h.test[0] != "NONE")
}

/// A `publish`/`expose` value: `PORT[/PROTO]` or `START-END[/PROTO]` (moby's
/// `nat.SplitProtoPort` and `nat.ParsePortRange`), as (proto, first, last).
fn port_range(key: &str, v: &str) -> Result<(String, u16, u16), String> {
    if v.contains(':') {
        return Err(format!(
            "Error response from daemon: filter for '{key}' should not contain ':': {v}"
        ));
    }
    let (port, proto) = v.split_once('/').unwrap_or((v, "tcp"));
    let proto = if proto.is_empty() { "tcp" } else { proto };
    let num = |s: &str| {
        s.parse::<u16>().map_err(|_| {
            format!(
                "Error response from daemon: strconv.ParseUint: parsing \"{s}\": invalid syntax"
            )
        })
    };
    let (lo, hi) = match port.split_once('-') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => (num(port)?, num(port)?),
    };
    if hi < lo {
        return Err(format!(
            "Error response from daemon: invalid range specified for port: {port}"
        ));
    }
    Ok((proto.to_string(), lo, hi))
}

/// moby matches names with a regular expression; the anchors `^` and `$` are the
/// parts of it people use, and everything else is a substring match.
fn name_matches(name: &str, pattern: &str) -> bool {
    let (start, p) = match pattern.strip_prefix('^') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    let p = p.trim_start_matches('/');
    let (end, p) = match p.strip_suffix('$') {
        Some(p) => (true, p),
        None => (false, p),
    };
    match (start, end) {
        (true, true) => name == p,
        (true, false) => name.starts_with(p),
        (false, true) => name.ends_with(p),
        (false, false) => name.contains(p),
    }
}

/// The container's image is `reference`'s image or was built on top of it (its
/// layers start with all of that image's layers), as moby's `ancestor` filter.
fn is_descendant(world: &World, c: &Container, reference: &str) -> bool {
    let Ok(ancestor) = world.daemon.find_image(reference) else {
        return false;
    };
    if ancestor.id == c.image_id {
        return true;
    }
    !ancestor.layers.is_empty()
        && ancestor.layers.len() <= c.image_layers.len()
        && ancestor
            .layers
            .iter()
            .zip(&c.image_layers)
            .all(|(a, b)| a.chain_id == b.chain_id)
}

/// `docker images --filter`: `dangling`, `reference` (Go `path.Match`, as
/// `FamiliarMatch`), `label`, and `before`/`since` (created before or after a given
/// image's creation) and `until` (created before a time or duration ago), as moby's
/// image list.
pub struct ImageFilter {
    pairs: Vec<(String, String)>,
    /// Created strictly before / after / before, in seconds (from `resolve`).
    before: Option<i64>,
    since: Option<i64>,
    until: Option<i64>,
}

impl ImageFilter {
    pub fn parse(args: &[String]) -> Result<ImageFilter, Refused> {
        let pairs = split_pairs(args, "images")?;
        for (k, v) in &pairs {
            let refused = match k.as_str() {
                "dangling" if v != "true" && v != "false" => {
                    format!("Error response from daemon: invalid filter 'dangling={v}'")
                }
                "dangling" | "reference" | "label" | "before" | "since" | "until" => continue,
                _ => format!("Error response from daemon: invalid filter '{k}'"),
            };
            return Err(Refused::daemon(refused));
        }
        Ok(ImageFilter {
            pairs,
            before: None,
            since: None,
            until: None,
        })
    }

    /// Turns `before`/`since` images and `until` times into bounds, as moby: the
    /// earliest `before`, the latest `since`; an unknown image or a value that is
    /// neither a time nor a duration is refused.
    pub fn resolve(&mut self, world: &World) -> Result<(), Refused> {
        let now = world.now();
        for (k, v) in &self.pairs {
            let t = match k.as_str() {
                "before" | "since" => match world.daemon.find_image(v) {
                    Ok(img) => created_seconds(img.config.created.as_deref()),
                    Err(_) => {
                        return Err(Refused::daemon(format!(
                            "Error response from daemon: No such image: {v}"
                        )))
                    }
                },
                "until" => timestamp(v, now).ok_or_else(|| {
                    Refused::daemon(format!(
                        "Error response from daemon: failed to parse value as time or duration: \"{v}\""
                    ))
                })?,
                _ => continue,
            };
            let slot = match k.as_str() {
                "before" => &mut self.before,
                "since" => &mut self.since,
                _ => &mut self.until,
            };
            *slot = Some(match (*slot, k.as_str()) {
                (Some(old), "since") => old.max(t),
                (Some(old), _) => old.min(t),
                (None, _) => t,
            });
        }
        Ok(())
    }

    /// With `reference` filters, only the matching rows of an image are listed (moby
    /// keeps just the matching `RepoTags`).
    pub fn row_matches(&self, repository: &str, tag: &str) -> bool {
        let patterns: Vec<&str> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == "reference")
            .map(|(_, v)| v.as_str())
            .collect();
        if patterns.is_empty() {
            return true;
        }
        let Ok(r) =
            crate::engine::reference::parse_normalized_named(&format!("{repository}:{tag}"))
        else {
            return false;
        };
        let any = crate::engine::reference::AnyReference::Named(r);
        patterns
            .iter()
            .any(|p| crate::engine::reference::familiar_match(p, &any).unwrap_or(false))
    }

    /// Does an image with these references, labels and creation time pass
    /// (`reference` aside)?
    pub fn matches(
        &self,
        refs: &[crate::engine::reference::Reference],
        labels: &std::collections::BTreeMap<String, String>,
        created: Option<&str>,
    ) -> bool {
        let t = created_seconds(created);
        if self.before.is_some_and(|b| t >= b)
            || self.since.is_some_and(|s| t <= s)
            || self.until.is_some_and(|u| t >= u)
        {
            return false;
        }
        every_key_any_value(&self.pairs, |key, v| match key {
            "dangling" => (v == "true") == refs.is_empty(),
            // Matched per row by `row_matches`: only the matching references are listed.
            "reference" | "before" | "since" | "until" => true,
            "label" => match v.split_once('=') {
                Some((k, val)) => labels.get(k).is_some_and(|l| l == val),
                None => labels.contains_key(v),
            },
            _ => false,
        })
    }
}

/// An image's `created` in seconds; none is Go's zero time, before everything.
fn created_seconds(created: Option<&str>) -> i64 {
    created
        .and_then(super::images::parse_time)
        .unwrap_or(i64::MIN)
}

/// moby's `timetypes.GetTimestamp`: a Go duration (`10m`, `1h30m`: that long before
/// `now`), an RFC 3339 time or date (`2026-01-02`, `2026-01-02T15:04:05Z`, UTC), or
/// Unix seconds (`1767225600`, a fraction allowed).
pub fn timestamp(value: &str, now: i64) -> Option<i64> {
    if let Some(d) = go_duration(value) {
        return Some(now - d);
    }
    let (secs, frac) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !secs.is_empty() && digits(secs) && digits(frac) {
        return secs.parse().ok();
    }
    let v = value.trim_end_matches('Z');
    let full = match v.len() {
        10 => format!("{v}T00:00:00"),
        13 => format!("{v}:00:00"),
        16 => format!("{v}:00"),
        _ => v.to_string(),
    };
    let b = full.as_bytes();
    let shaped = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    if shaped {
        super::images::parse_time(&full)
    } else {
        None
    }
}

/// Go's `time.ParseDuration`, in whole seconds: `[-]` then number+unit pieces with the
/// units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h` (`1h30m`, `1.5h`, `90s`).
fn go_duration(s: &str) -> Option<i64> {
    let (sign, mut rest) = match s.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[u..];
    }
    Some((sign * total) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_like_moby_patterns() {
        assert!(name_matches("api-1", "api"));
        assert!(name_matches("api-1", "^api"));
        assert!(!name_matches("my-api", "^api"));
        assert!(name_matches("my-api", "api$"));
        assert!(name_matches("api", "^/api$"));
        assert!(!name_matches("api-1", "^api$"));
    }

    #[test]
    fn bad_filters_are_refused_with_dockers_words() {
        let f = |s: &str| PsFilter::parse(&[s.to_string()]).err().map(|e| e.message);
        assert!(f("status")
            .unwrap()
            .contains("bad format of filter (expected name=value)"));
        assert_eq!(
            f("colour=red"),
            Some("Error response from daemon: invalid filter 'colour'".into())
        );
        assert_eq!(
            f("status=rubbish"),
            Some("Error response from daemon: invalid filter 'status=rubbish'".into())
        );
        assert!(f("network=bridge").unwrap().contains("not simulated"));
        assert_eq!(
            f("publish=8080:80"),
            Some(
                "Error response from daemon: filter for 'publish' should not contain ':': 8080:80"
                    .into()
            )
        );
        assert_eq!(
            f("expose=90-80"),
            Some("Error response from daemon: invalid range specified for port: 90-80".into())
        );
        assert_eq!(
            f("health=ok"),
            Some("Error response from daemon: Unrecognised filter value for health: ok".into())
        );
        assert!(f("publish=8000-8080/tcp").is_none());
        assert!(f("name=api").is_none());
        assert!(PsFilter::parse(&["status=exited".into()])
            .unwrap()
            .implies_all());
    }

    #[test]
    fn timestamps_are_durations_times_or_unix_seconds() {
        let now = 1_767_225_600; // 2026-01-01T00:00:00Z
        assert_eq!(timestamp("10m", now), Some(now - 600));
        assert_eq!(timestamp("1h30m", now), Some(now - 5400));
        assert_eq!(timestamp("1.5h", now), Some(now - 5400));
        assert_eq!(timestamp("2026-01-01", now), Some(now));
        assert_eq!(timestamp("2025-12-31T23:00:00Z", now), Some(now - 3600));
        assert_eq!(timestamp("2025-12-31T23", now), Some(now - 3600));
        assert_eq!(timestamp("1767225600", now), Some(now));
        assert_eq!(timestamp("1767225600.5", now), Some(now));
        assert_eq!(timestamp("yesterday", now), None);
        assert_eq!(timestamp("10", now), Some(10));
        assert_eq!(timestamp("5x", now), None);
    }
}
