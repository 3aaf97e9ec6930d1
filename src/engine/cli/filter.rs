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

/// Keys layerlab has no model for (no networks, health checks, isolation, tasks).
const NOT_SIMULATED: &[&str] = &[
    "expose",
    "health",
    "isolation",
    "is-task",
    "network",
    "publish",
];

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
                    "layerlab: the '{k}' filter needs networks, health checks or tasks, which are not simulated"
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

    /// Checks `before`/`since` name existing containers (moby refuses otherwise).
    pub fn check_refs(&self, world: &World) -> Result<(), Refused> {
        for (k, v) in &self.pairs {
            if (k == "before" || k == "since") && world.container(v).is_err() {
                return Err(Refused::daemon(format!(
                    "Error response from daemon: No such container: {v}"
                )));
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
/// `FamiliarMatch`) and `label`, as moby's image list; `before`/`since`/`until` are
/// accepted by Docker but not modelled here.
pub struct ImageFilter {
    pairs: Vec<(String, String)>,
}

impl ImageFilter {
    pub fn parse(args: &[String]) -> Result<ImageFilter, Refused> {
        let pairs = split_pairs(args, "images")?;
        for (k, v) in &pairs {
            let refused = match k.as_str() {
                "dangling" if v != "true" && v != "false" => {
                    format!("Error response from daemon: invalid filter 'dangling={v}'")
                }
                "dangling" | "reference" | "label" => continue,
                "before" | "since" | "until" => {
                    format!("layerlab: the '{k}' filter for images is not simulated")
                }
                _ => format!("Error response from daemon: invalid filter '{k}'"),
            };
            return Err(Refused::daemon(refused));
        }
        Ok(ImageFilter { pairs })
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

    /// Does an image with these references and labels pass (`reference` aside)?
    pub fn matches(
        &self,
        refs: &[crate::engine::reference::Reference],
        labels: &std::collections::BTreeMap<String, String>,
    ) -> bool {
        every_key_any_value(&self.pairs, |key, v| match key {
            "dangling" => (v == "true") == refs.is_empty(),
            // Matched per row by `row_matches`: only the matching references are listed.
            "reference" => true,
            "label" => match v.split_once('=') {
                Some((k, val)) => labels.get(k).is_some_and(|l| l == val),
                None => labels.contains_key(v),
            },
            _ => false,
        })
    }
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
        assert!(f("name=api").is_none());
        assert!(PsFilter::parse(&["status=exited".into()])
            .unwrap()
            .implies_all());
    }
}
