//! The reference grammar of distribution/reference (`regexp.go`), as hand-written
//! matchers instead of regexps, so the engine does not carry a regex engine.
//!
//! Each function states the RE2 pattern it is equivalent to; `tests/reference_*.rs`
//! checks them against the upstream `regexp_*` tables.

/// Longest `[\w][\w.-]{0,127}` tag, in characters.
pub const TAG_MAX: usize = 128;

fn is_alnum_any_case(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `domainNameComponent`: `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`.
fn is_domain_component(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            is_alnum_any_case(f)
                && is_alnum_any_case(l)
                && b.iter().all(|&c| is_alnum_any_case(c) || c == b'-')
        }
        _ => false,
    }
}

/// `domainName`: components joined by `.`.
fn is_domain_name(s: &str) -> bool {
    s.split('.').all(is_domain_component)
}

/// `ipv6address`: `\[(?:[a-fA-F0-9:]+)\]`. The content is deliberately not checked
/// further (upstream: "port range / IPv6 content is NOT validated"), but zones (`%eth0`)
/// and dotted IPv4 tails are outside the character set and so rejected.
fn is_ipv6_literal(s: &str) -> bool {
    match s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => {
            !inner.is_empty() && inner.bytes().all(|c| c.is_ascii_hexdigit() || c == b':')
        }
        None => false,
    }
}

/// Anchored `domainAndPort`: `^(?:domainName|ipv6address)(?::[0-9]+)?$`.
pub fn is_domain_and_port(s: &str) -> bool {
    let (host, port) = if s.starts_with('[') {
        match s.find(']') {
            Some(end) => (&s[..=end], &s[end + 1..]),
            None => return false,
        }
    } else {
        match s.find(':') {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        }
    };
    let host_ok = if host.starts_with('[') {
        is_ipv6_literal(host)
    } else {
        is_domain_name(host)
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

/// `pathComponent`: `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let lower_alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && lower_alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let sep_start = i;
        while i < b.len() && !lower_alnum(b[i]) {
            i += 1;
        }
        let sep = &s[sep_start..i];
        let sep_ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|c| c == b'-');
        if !sep_ok {
            return false;
        }
    }
}

/// `remoteName`: path components joined by `/`.
pub fn is_remote_name(s: &str) -> bool {
    s.split('/').all(is_path_component)
}

/// Anchored `tag`: `^[\w][\w.-]{0,127}$`.
pub fn is_tag(s: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= TAG_MAX
        && word(b[0])
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// Anchored `digest`: `^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}$`.
pub fn is_digest(s: &str) -> bool {
    let Some((alg, hex)) = s.split_once(':') else {
        return false;
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|part| {
        let b = part.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
    });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Anchored `identifier`: `^([a-f0-9]{64})$`, a full image ID without `sha256:`.
pub fn is_identifier(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// `anchoredNameRegexp`: `^(?:(domainAndPort)/)?(remoteName)$`, returning
/// `(domain, path)` with `domain == ""` when absent.
///
/// The optional domain group is greedy, so a first component that is a valid domain is
/// taken as one (`simple/name` → domain `simple`). A domain cannot contain `/`, so the
/// only candidate is the text before the first `/`; when it does not fit, the whole
/// string must be a remote name.
pub fn split_name(s: &str) -> Option<(&str, &str)> {
    if let Some((domain, path)) = s.split_once('/') {
        if is_domain_and_port(domain) && is_remote_name(path) {
            return Some((domain, path));
        }
    }
    is_remote_name(s).then_some(("", s))
}

/// The three capture groups of `ReferenceRegexp`:
/// `^(name)(?::(tag))?(?:@(digest))?$` → `(name, tag, digest)`, empty when absent.
pub fn match_reference(s: &str) -> Option<(&str, &str, &str)> {
    let (left, digest) = match s.split_once('@') {
        Some((left, digest)) => {
            if !is_digest(digest) {
                return None;
            }
            (left, digest)
        }
        None => (s, ""),
    };
    // With a domain: the name runs past the domain's `/` up to the tag's `:`.
    if let Some((domain, rest)) = left.split_once('/') {
        if is_domain_and_port(domain) {
            let (path, tag) = rest.split_once(':').unwrap_or((rest, ""));
            let tag_ok = tag.is_empty() && !rest.contains(':') || is_tag(tag);
            if is_remote_name(path) && tag_ok {
                let name_len = domain.len() + 1 + path.len();
                return Some((&left[..name_len], tag, digest));
            }
        }
    }
    let (path, tag) = left.split_once(':').unwrap_or((left, ""));
    let tag_ok = tag.is_empty() && !left.contains(':') || is_tag(tag);
    (is_remote_name(path) && tag_ok).then_some((path, tag, digest))
}
