//! BuildKit's `instructions/bflag.go`: the `--name=value` flags an instruction
//! accepts, parsed with BuildKit's error texts.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    String,
    Strings,
}

/// The parsed flags of one instruction.
#[derive(Debug, Default)]
pub(crate) struct Flags {
    values: BTreeMap<&'static str, Vec<String>>,
}

impl Flags {
    /// Parses raw `--flag` words against the allowed set (BuildKit `BFlags.Parse`).
    pub(crate) fn parse(raw: &[String], allowed: &[(&'static str, Kind)]) -> Result<Flags, String> {
        let mut out = Flags::default();
        for arg in raw {
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("arg should start with -- : {arg}"));
            };
            if body.is_empty() {
                break;
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let Some(&(key, kind)) = allowed.iter().find(|(n, _)| *n == name) else {
                return Err(format!("unknown flag: --{name}"));
            };
            if out.values.contains_key(key) && kind != Kind::Strings {
                return Err(format!("duplicate flag specified: {name}"));
            }
            let v = match kind {
                Kind::Bool => {
                    if value == Some("") {
                        return Err(format!("missing a value on flag: {name}"));
                    }
                    match value.map(str::to_ascii_lowercase).as_deref() {
                        None | Some("true") => "true".to_string(),
                        Some("false") => "false".to_string(),
                        Some(_) => {
                            return Err(format!(
                                "expecting boolean value for flag {name}, not: {}",
                                value.unwrap_or_default()
                            ))
                        }
                    }
                }
                Kind::String | Kind::Strings => match value {
                    Some(v) => v.to_string(),
                    None => return Err(format!("missing a value on flag: {name}")),
                },
            };
            out.values.entry(key).or_default().push(v);
        }
        Ok(out)
    }

    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.values.get(name).and_then(|v| v.last().cloned())
    }

    pub(crate) fn strings(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    pub(crate) fn bool(&self, name: &str) -> bool {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .is_some_and(|v| v == "true")
    }
}
