//! Image references (`[domain/]path[:tag][@digest]`), parsed and normalised exactly as
//! distribution/reference does (the library behind `docker pull`, `docker tag`, ...).
//!
//! * [`parse`] is `reference.Parse`: the grammar only, no normalisation.
//! * [`parse_normalized_named`] is `ParseNormalizedNamed`: what the docker CLI does to
//!   user input (`nginx` → `docker.io/library/nginx`).
//! * [`parse_docker_ref`], [`parse_any_reference`], [`Reference::with_tag`],
//!   [`Reference::with_digest`], [`familiar_match`] mirror their Go namesakes.

pub mod glob;
pub mod grammar;

use crate::engine::digest::{self, Algorithm, Digest, DigestError};
use std::fmt;

/// Docker Hub's canonical domain (`defaultDomain`).
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The legacy Docker Hub domain, an alias of [`DEFAULT_DOMAIN`] (`legacyDefaultDomain`).
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// Namespace of Docker Hub's official images (`officialRepoPrefix`).
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The tag Docker assumes when none is given (`defaultTag`).
pub const DEFAULT_TAG: &str = "latest";
/// `RepositoryNameTotalLengthMax`: applies to the path, not counting the domain.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// distribution/reference's errors, with its messages (what `docker` prints).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    InvalidFormat,
    #[error("invalid tag format")]
    TagInvalidFormat,
    #[error("invalid digest format")]
    DigestInvalidFormat,
    #[error("repository name must be lowercase")]
    NameContainsUppercase,
    #[error("repository name must have at least one component")]
    NameEmpty,
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,
    #[error("repository name must be canonical")]
    NameNotCanonical,
    /// `ParseNormalizedNamed` refuses a bare 64-hex string: it would read as an image ID.
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    NameIsIdentifier(String),
    /// `ParseNormalizedNamed`'s uppercase check on the remote name, which names it.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    RemoteNameNotLowercase(String),
    #[error(transparent)]
    Digest(#[from] DigestError),
}

/// A named reference: a repository (`domain` + `path`), maybe a tag, maybe a digest.
///
/// Guarantee: built only by the functions of this module, so the parts satisfy the
/// grammar. The digest is kept as text: `WithDigest` only checks the digest grammar, and
/// upstream's own tests use digests shorter than any real algorithm.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// What `ParseAnyReference` returns: a named reference, or a bare image ID / digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyReference {
    Named(Reference),
    Digest(Digest),
}

impl Reference {
    /// `Name()`: `domain/path`, or just `path` without a domain.
    pub fn name(&self) -> String {
        if self.domain.is_empty() {
            self.path.clone()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The digest as a sha256 [`Digest`], when it is one.
    pub fn sha256(&self) -> Option<Digest> {
        self.digest.as_deref().and_then(|d| Digest::parse(d).ok())
    }

    /// The same repository without tag or digest (`TrimNamed`).
    pub fn trim(&self) -> Reference {
        Reference {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: None,
            digest: None,
        }
    }

    /// `WithTag`: replaces the tag, keeping any digest.
    pub fn with_tag(&self, tag: &str) -> Result<Reference, ReferenceError> {
        if !grammar::is_tag(tag) {
            return Err(ReferenceError::TagInvalidFormat);
        }
        Ok(Reference {
            tag: Some(tag.to_string()),
            ..self.clone()
        })
    }

    /// `WithDigest`: replaces the digest, keeping any tag. Only the digest grammar is
    /// checked, as upstream does.
    pub fn with_digest(&self, digest: &str) -> Result<Reference, ReferenceError> {
        if !grammar::is_digest(digest) {
            return Err(ReferenceError::DigestInvalidFormat);
        }
        Ok(Reference {
            digest: Some(digest.to_string()),
            ..self.clone()
        })
    }

    /// The familiar form of the repository: Docker Hub's domain dropped, and
    /// `library/` dropped for official images (`familiarizeName`). `library/a/b` keeps
    /// its prefix: only single-level official names are shortened.
    pub fn familiar(&self) -> Reference {
        let mut r = self.clone();
        if r.domain == DEFAULT_DOMAIN {
            r.domain.clear();
            if let Some(rest) = r.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
                if !rest.contains('/') {
                    r.path = rest.to_string();
                }
            }
        }
        r
    }

    /// `FamiliarName`: `nginx` for `docker.io/library/nginx:1.25`.
    pub fn familiar_name(&self) -> String {
        self.familiar().name()
    }

    /// `FamiliarString`: `nginx:1.25` for `docker.io/library/nginx:1.25`.
    pub fn familiar_string(&self) -> String {
        self.familiar().to_string()
    }

    /// `TagNameOnly`: adds `:latest` when there is neither tag nor digest.
    pub fn tag_name_only(&self) -> Reference {
        if self.tag.is_none() && self.digest.is_none() {
            let mut r = self.clone();
            r.tag = Some(DEFAULT_TAG.to_string());
            r
        } else {
            self.clone()
        }
    }
}

impl fmt::Display for Reference {
    /// `String()`: the name, then `:tag`, then `@digest`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl AnyReference {
    /// `FamiliarString`: a bare digest prints as itself.
    pub fn familiar_string(&self) -> String {
        match self {
            AnyReference::Named(r) => r.familiar_string(),
            AnyReference::Digest(d) => d.to_string(),
        }
    }
}

impl fmt::Display for AnyReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyReference::Named(r) => r.fmt(f),
            AnyReference::Digest(d) => d.fmt(f),
        }
    }
}

/// `reference.Parse`: the grammar only, no normalisation.
///
/// On a mismatch the error says why, in upstream's order: empty input, then "would
/// match if lowercased" (uppercase), then the generic format error. A digest that fits
/// the grammar must also pass go-digest validation with sha256 as the only available
/// algorithm (so `sha512:` is `unsupported digest algorithm`, as in upstream's tests).
pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
    let Some((name, tag, digest)) = grammar::match_reference(s) else {
        if s.is_empty() {
            return Err(ReferenceError::NameEmpty);
        }
        if grammar::match_reference(&s.to_lowercase()).is_some() {
            return Err(ReferenceError::NameContainsUppercase);
        }
        return Err(ReferenceError::InvalidFormat);
    };
    let (domain, path) = grammar::split_name(name).unwrap_or(("", name));
    if path.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    if !digest.is_empty() {
        digest::validate(digest, &[Algorithm::Sha256])?;
    }
    Ok(Reference {
        domain: domain.to_string(),
        path: path.to_string(),
        tag: (!tag.is_empty()).then(|| tag.to_string()),
        digest: (!digest.is_empty()).then(|| digest.to_string()),
    })
}

/// `WithName`: a bare repository name (no tag, no digest), not normalised.
pub fn with_name(name: &str) -> Result<Reference, ReferenceError> {
    let (domain, path) = grammar::split_name(name).ok_or(ReferenceError::InvalidFormat)?;
    if path.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    Ok(Reference {
        domain: domain.to_string(),
        path: path.to_string(),
        tag: None,
        digest: None,
    })
}

/// `splitDockerDomain`: decides whether the first component is a registry.
///
/// It is one if it is `localhost`, contains `.` or `:`, or has uppercase letters
/// (which a repository path may not); otherwise the name is on Docker Hub, under
/// `library/` when it has a single component. `index.docker.io` becomes `docker.io`.
fn split_docker_domain(name: &str) -> (String, String) {
    let Some((maybe_domain, maybe_remote)) = name.split_once('/') else {
        return (
            DEFAULT_DOMAIN.to_string(),
            format!("{OFFICIAL_REPO_PREFIX}{name}"),
        );
    };
    let (domain, remote) = if maybe_domain == "localhost"
        || maybe_domain.contains(['.', ':'])
        || maybe_domain.to_lowercase() != maybe_domain
    {
        let d = if maybe_domain == LEGACY_DEFAULT_DOMAIN {
            DEFAULT_DOMAIN
        } else {
            maybe_domain
        };
        (d.to_string(), maybe_remote.to_string())
    } else {
        (DEFAULT_DOMAIN.to_string(), name.to_string())
    };
    if domain == DEFAULT_DOMAIN && !remote.contains('/') {
        return (domain, format!("{OFFICIAL_REPO_PREFIX}{remote}"));
    }
    (domain, remote)
}

/// `ParseNormalizedNamed`: parses what a user typed into its canonical form
/// (`nginx` → `docker.io/library/nginx`, `localhost:5000/app` stays as it is).
pub fn parse_normalized_named(s: &str) -> Result<Reference, ReferenceError> {
    if grammar::is_identifier(s) {
        return Err(ReferenceError::NameIsIdentifier(s.to_string()));
    }
    let (domain, remainder) = split_docker_domain(s);
    let remote = remainder.split(':').next().unwrap_or("");
    if remote.to_lowercase() != remote {
        return Err(ReferenceError::RemoteNameNotLowercase(remote.to_string()));
    }
    parse(&format!("{domain}/{remainder}"))
}

/// `TagNameOnly(ParseNormalizedNamed(s))`: what `docker tag`, `docker build -t` and
/// `FROM` make of a name — normalised, with `:latest` added when there is neither tag
/// nor digest (`nginx` → `docker.io/library/nginx:latest`; a digest is kept as given).
pub fn parse_normalized_tagged(s: &str) -> Result<Reference, ReferenceError> {
    parse_normalized_named(s).map(|n| n.tag_name_only())
}

/// `ParseNamed`: accepts only references already in canonical form.
pub fn parse_named(s: &str) -> Result<Reference, ReferenceError> {
    let named = parse_normalized_named(s)?;
    if named.to_string() != s {
        return Err(ReferenceError::NameNotCanonical);
    }
    Ok(named)
}

/// `ParseDockerRef`: the reference Docker resolves — `:latest` added when there is
/// neither tag nor digest, and the tag dropped when a digest pins the content.
pub fn parse_docker_ref(s: &str) -> Result<Reference, ReferenceError> {
    let named = parse_normalized_named(s)?;
    if named.digest.is_some() {
        return Ok(Reference { tag: None, ..named });
    }
    Ok(named.tag_name_only())
}

/// `ParseAnyReference`: a 64-hex image ID or a valid `sha256:` digest is a digest
/// reference; anything else goes through [`parse_normalized_named`].
pub fn parse_any_reference(s: &str) -> Result<AnyReference, ReferenceError> {
    if grammar::is_identifier(s) {
        if let Ok(d) = Digest::from_hex(s) {
            return Ok(AnyReference::Digest(d));
        }
    }
    if let Ok(d) = Digest::parse(s) {
        return Ok(AnyReference::Digest(d));
    }
    parse_normalized_named(s).map(AnyReference::Named)
}

/// `FamiliarMatch`: Go `path.Match` of `pattern` against the familiar string, or else
/// against the familiar name (so `nginx` matches `nginx:1.25`).
pub fn familiar_match(pattern: &str, reference: &AnyReference) -> Result<bool, glob::PatternError> {
    let matched = glob::path_match(pattern, &reference.familiar_string())?;
    if matched {
        return Ok(true);
    }
    match reference {
        AnyReference::Named(r) => {
            Ok(glob::path_match(pattern, &r.familiar_name()).unwrap_or(false))
        }
        AnyReference::Digest(_) => Ok(false),
    }
}

impl serde::Serialize for Reference {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Reference {
    /// Like upstream's `reference.Field`: the JSON string is parsed with [`parse`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Reference, D::Error> {
        let s = String::deserialize(deserializer)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}
