//! The app's URL fragments — the only routing a static, server-less page has:
//!
//! * `#/` (or nothing): the default example;
//! * `#/s/<payload>`: the full app, loaded with a shared scenario;
//! * `#/embed?panels=stack,terminal&theme=dark&s=<payload>`: embed mode for
//!   documentation pages, showing only the listed panels.
//!
//! The scenario lives in the fragment, not the query string, because browsers never
//! send the fragment to the server (RFC 3986 §3.5): a shared scenario stays in the
//! learner's tab, and the page can be served by any static host.

use super::codec::{self, MAX_ENCODED_BYTES};
use super::{shorten, Panel, Scenario, ScenarioError, Theme};

/// Room for the route and the embed parameters around a payload.
const MAX_FRAGMENT_BYTES: usize = MAX_ENCODED_BYTES + 1024;
/// Longest base URL accepted for links and iframe snippets.
const MAX_BASE_URL_BYTES: usize = 2048;

/// A parsed fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// `#/` or no fragment: the default example.
    Home,
    /// `#/s/<payload>`: the full app with a shared scenario.
    App(Scenario),
    /// `#/embed?...`: embed mode.
    Embed(Embed),
}

/// What an embed shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Embed {
    /// The scenario to load; `None`: the default example.
    pub scenario: Option<Scenario>,
    /// Panels chosen by the link (`panels=`); empty: see [`Embed::shown_panels`].
    pub panels: Vec<Panel>,
    /// Theme chosen by the link (`theme=`), overriding the scenario's.
    pub theme: Option<Theme>,
}

impl Embed {
    /// The panels to show: the link's choice, else the scenario's, else
    /// [`Panel::EMBED_DEFAULT`].
    pub fn shown_panels(&self) -> Vec<Panel> {
        if !self.panels.is_empty() {
            return self.panels.clone();
        }
        match &self.scenario {
            Some(s) if !s.panels.is_empty() => s.panels.clone(),
            _ => Panel::EMBED_DEFAULT.to_vec(),
        }
    }

    /// The theme to use: the link's, else the scenario's, else `System`.
    pub fn shown_theme(&self) -> Theme {
        self.theme
            .or_else(|| self.scenario.as_ref().map(|s| s.theme))
            .unwrap_or_default()
    }

    /// `#/embed?panels=...&theme=...&s=...` (parameters left out when not set).
    pub fn to_fragment(&self) -> Result<String, ScenarioError> {
        let mut params = Vec::new();
        if !self.panels.is_empty() {
            check_unique(&self.panels)?;
            let ids: Vec<&str> = self.panels.iter().map(|p| p.id()).collect();
            params.push(format!("panels={}", ids.join(",")));
        }
        if let Some(theme) = self.theme {
            params.push(format!("theme={}", theme.id()));
        }
        if let Some(scenario) = &self.scenario {
            params.push(format!("s={}", codec::encode(scenario)?));
        }
        if params.is_empty() {
            Ok("#/embed".to_string())
        } else {
            Ok(format!("#/embed?{}", params.join("&")))
        }
    }
}

impl Fragment {
    /// Parses `location.hash` (with or without the leading `#`).
    pub fn parse(fragment: &str) -> Result<Fragment, ScenarioError> {
        if fragment.len() > MAX_FRAGMENT_BYTES {
            return Err(ScenarioError::EncodedTooLarge {
                len: fragment.len(),
                max: MAX_FRAGMENT_BYTES,
            });
        }
        let route = fragment.strip_prefix('#').unwrap_or(fragment);
        if route.is_empty() || route == "/" {
            return Ok(Fragment::Home);
        }
        if let Some(payload) = route.strip_prefix("/s/") {
            return codec::decode(payload).map(Fragment::App);
        }
        if route == "/embed" {
            return Ok(Fragment::Embed(Embed::default()));
        }
        if let Some(query) = route.strip_prefix("/embed?") {
            return parse_embed(query).map(Fragment::Embed);
        }
        Err(ScenarioError::UnknownRoute(shorten(&format!("#{route}"))))
    }

    /// The fragment text, with its leading `#`.
    pub fn to_fragment(&self) -> Result<String, ScenarioError> {
        match self {
            Fragment::Home => Ok("#/".to_string()),
            Fragment::App(scenario) => Ok(format!("#/s/{}", codec::encode(scenario)?)),
            Fragment::Embed(embed) => embed.to_fragment(),
        }
    }

    /// The full link: `base_url` (its own fragment, if any, dropped) + this fragment.
    pub fn url(&self, base_url: &str) -> Result<String, ScenarioError> {
        Ok(format!(
            "{}{}",
            clean_base_url(base_url)?,
            self.to_fragment()?
        ))
    }
}

fn parse_embed(query: &str) -> Result<Embed, ScenarioError> {
    let mut embed = Embed::default();
    let mut seen: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key)?;
        let value = percent_decode(value)?;
        if seen.contains(&key) {
            return Err(ScenarioError::InvalidParameter(format!(
                "{:?} is given twice",
                shorten(&key)
            )));
        }
        match key.as_str() {
            "s" => embed.scenario = Some(codec::decode(&value)?),
            "panels" => {
                for id in value.split(',') {
                    embed.panels.push(Panel::from_id(id)?);
                }
                check_unique(&embed.panels)?;
            }
            "theme" => {
                embed.theme = Some(Theme::from_id(&value).ok_or_else(|| {
                    ScenarioError::InvalidParameter(format!(
                        "unknown theme {:?} (expected system, light or dark)",
                        shorten(&value)
                    ))
                })?);
            }
            other => {
                return Err(ScenarioError::InvalidParameter(format!(
                    "unknown parameter {:?}",
                    shorten(other)
                )))
            }
        }
        seen.push(key);
    }
    Ok(embed)
}

fn check_unique(panels: &[Panel]) -> Result<(), ScenarioError> {
    for (i, p) in panels.iter().enumerate() {
        if panels[..i].contains(p) {
            return Err(ScenarioError::DuplicatePanel(p.id()));
        }
    }
    Ok(())
}

/// `%XX` decoding (RFC 3986 §2.1), for links whose commas a tool escaped as `%2C`.
/// `+` stays `+`: fragments are not form-encoded.
fn percent_decode(text: &str) -> Result<String, ScenarioError> {
    if !text.contains('%') {
        return Ok(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                return Err(ScenarioError::InvalidParameter(format!(
                    "bad percent-encoding in {:?}",
                    shorten(text)
                )));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        ScenarioError::InvalidParameter(format!(
            "percent-encoding in {:?} is not UTF-8",
            shorten(text)
        ))
    })
}

/// An `http(s)` URL without its fragment, safe to place in an HTML attribute.
fn clean_base_url(base_url: &str) -> Result<&str, ScenarioError> {
    let fail = |reason| {
        Err(ScenarioError::InvalidBaseUrl {
            url: shorten(base_url),
            reason,
        })
    };
    let base = base_url.split('#').next().unwrap_or("");
    if base.len() > MAX_BASE_URL_BYTES {
        return fail("too long");
    }
    let lower = base.get(..8).unwrap_or(base).to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return fail("must start with http:// or https://");
    }
    if base
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
    {
        return fail("contains characters that are not allowed in a URL");
    }
    Ok(base)
}

/// The `<iframe>` a documentation author pastes into a page to embed `embed`,
/// served from `base_url` (e.g. `https://example.org/layerlab/`).
///
/// No `sandbox` attribute: the app needs scripts and same-origin storage, and an
/// embed is isolated from the host page by the cross-origin iframe boundary anyway.
pub fn iframe_snippet(base_url: &str, embed: &Embed) -> Result<String, ScenarioError> {
    let src = Fragment::Embed(embed.clone()).url(base_url)?;
    // Only `&` can occur in `src` among the characters HTML attributes escape:
    // `clean_base_url` refused quotes and angle brackets, and the fragment uses
    // base64url and panel ids only.
    let src = src.replace('&', "&amp;");
    Ok(format!(
        "<iframe src=\"{src}\" title=\"layerlab: Docker image build and runtime\" \
         width=\"100%\" height=\"560\" style=\"border:0\" loading=\"lazy\"></iframe>"
    ))
}

impl Scenario {
    /// `#/s/<payload>`: the fragment of a share link for the full app.
    pub fn share_fragment(&self) -> Result<String, ScenarioError> {
        Fragment::App(self.clone()).to_fragment()
    }

    /// `#/embed?panels=...&s=<payload>`: the fragment of an embed of this scenario.
    pub fn embed_fragment(&self, panels: &[Panel]) -> Result<String, ScenarioError> {
        Embed {
            scenario: Some(self.clone()),
            panels: panels.to_vec(),
            theme: None,
        }
        .to_fragment()
    }
}
