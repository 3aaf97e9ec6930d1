//! `.dockerignore` matching with moby/patternmatcher semantics: patterns are
//! cleaned (`path.Clean`, leading `/` dropped), later patterns override earlier
//! ones, `!pattern` re-includes, `*` and `?` never cross `/`, `**` spans
//! directories, `[...]` classes, `\` escapes, and a path also matches when one of
//! its parent directories does (`MatchesOrParentMatches`).
//!
//! The build engine reuses this for build contexts; the linter uses it for
//! CopyIgnoredFile.

/// Why a `.dockerignore` could not be used (patternmatcher's errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DockerignoreError {
    /// A lone `!`.
    #[error("illegal exclusion pattern: \"!\"")]
    IllegalExclusion,
    /// An unterminated `[` class or similar (Go's `filepath.ErrBadPattern`).
    #[error("syntax error in pattern")]
    BadPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `*`: `[^/]*`
    Star,
    /// `?`: `[^/]`
    Any,
    /// `**/` inside a pattern: `(.*/)?`
    DirStar,
    /// trailing `**`: `.*`
    AllStar,
    Class(bool, Vec<(char, char)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Glob(Vec<Tok>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    exclusion: bool,
    cleaned: String,
    kind: Kind,
}

/// A compiled `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

/// Go's `path.Clean` (slash paths).
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

impl Matcher {
    /// Parses `.dockerignore` text (BuildKit `ignorefile.ReadAll` + `patternmatcher.New`).
    pub fn parse(text: &str) -> Result<Matcher, DockerignoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let invert = p.starts_with('!');
            if invert {
                p = p[1..].trim();
            }
            let mut cleaned = p.to_string();
            if !cleaned.is_empty() {
                cleaned = clean(&cleaned);
                if cleaned.len() > 1 && cleaned.starts_with('/') {
                    cleaned.remove(0);
                }
            }
            lines.push(if invert {
                format!("!{cleaned}")
            } else {
                cleaned
            });
        }
        Self::new(&lines)
    }

    /// `patternmatcher.New` over already-read patterns.
    pub fn new(patterns: &[String]) -> Result<Matcher, DockerignoreError> {
        let mut out = Vec::new();
        for p in patterns {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            let mut p = clean(p);
            let exclusion = p.starts_with('!');
            if exclusion {
                if p.len() == 1 {
                    return Err(DockerignoreError::IllegalExclusion);
                }
                p.remove(0);
            }
            let kind = compile(&p)?;
            out.push(Pattern {
                exclusion,
                cleaned: p,
                kind,
            });
        }
        Ok(Matcher { patterns: out })
    }

    /// Whether any pattern is an exclusion (`!`).
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// `MatchesOrParentMatches`: is this slash path (relative to the context)
    /// ignored?
    pub fn matches(&self, path: &str) -> bool {
        let parent = match path.rfind('/') {
            Some(i) => clean(&path[..i]),
            None => ".".to_string(),
        };
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut m = pattern.matches(path);
            if !m && parent != "." {
                for i in 0..parent_dirs.len() {
                    if pattern.matches(&parent_dirs[..=i].join("/")) {
                        m = true;
                        break;
                    }
                }
            }
            if m {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// Whether an exclusion pattern could re-include something below `dir`.
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        self.patterns.iter().any(|p| {
            p.exclusion
                && (dir.is_empty() || dir == "." || p.cleaned.starts_with(&format!("{dir}/")))
        })
    }
}

fn compile(pattern: &str) -> Result<Kind, DockerignoreError> {
    #[derive(PartialEq)]
    enum Mt {
        Exact,
        Prefix,
        Suffix,
        Regexp,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::new();
    // The match type evolves token by token exactly like patternmatcher's
    // `compile`: a later wildcard turns a suffix/prefix match into a regexp.
    let mut mt = Mt::Exact;
    let mut i = 0;
    let mut idx = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if mt == Mt::Exact {
                        mt = Mt::Prefix;
                    } else {
                        mt = Mt::Regexp;
                    }
                    toks.push(Tok::AllStar);
                } else {
                    mt = Mt::Regexp;
                    toks.push(Tok::DirStar);
                }
                if idx == 0 {
                    mt = Mt::Suffix;
                }
            }
            '*' => {
                toks.push(Tok::Star);
                mt = Mt::Regexp;
            }
            '?' => {
                toks.push(Tok::Any);
                mt = Mt::Regexp;
            }
            '\\' => match chars.get(i) {
                Some(&c) => {
                    i += 1;
                    toks.push(Tok::Lit(c));
                    mt = Mt::Regexp;
                }
                None => toks.push(Tok::Lit('\\')),
            },
            '[' => {
                mt = Mt::Regexp;
                let neg = chars.get(i) == Some(&'^');
                if neg {
                    i += 1;
                }
                let mut items = Vec::new();
                let mut closed = false;
                let mut first = true;
                while i < chars.len() {
                    let mut c = chars[i];
                    i += 1;
                    if c == ']' && !first {
                        closed = true;
                        break;
                    }
                    first = false;
                    if c == '\\' {
                        match chars.get(i) {
                            Some(&e) => {
                                c = e;
                                i += 1;
                            }
                            None => return Err(DockerignoreError::BadPattern),
                        }
                    }
                    if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&e| e != ']') {
                        let hi = chars[i + 1];
                        i += 2;
                        if hi < c {
                            return Err(DockerignoreError::BadPattern);
                        }
                        items.push((c, hi));
                    } else {
                        items.push((c, c));
                    }
                }
                if !closed {
                    return Err(DockerignoreError::BadPattern);
                }
                toks.push(Tok::Class(neg, items));
            }
            ']' => return Err(DockerignoreError::BadPattern),
            c => toks.push(Tok::Lit(c)),
        }
        idx += 1;
    }
    Ok(match mt {
        Mt::Exact => Kind::Exact,
        Mt::Prefix => Kind::Prefix,
        Mt::Suffix => Kind::Suffix,
        Mt::Regexp => Kind::Glob(toks),
    })
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.cleaned,
            Kind::Prefix => {
                path.starts_with(self.cleaned.get(..self.cleaned.len() - 2).unwrap_or(""))
            }
            Kind::Suffix => {
                let suffix = self.cleaned.get(2..).unwrap_or("");
                path.ends_with(suffix) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            Kind::Glob(toks) => {
                let s: Vec<char> = path.chars().collect();
                let mut failed = vec![false; (toks.len() + 1) * (s.len() + 1)];
                glob(toks, &s, 0, 0, &mut failed)
            }
        }
    }
}

fn glob(toks: &[Tok], s: &[char], t: usize, p: usize, failed: &mut [bool]) -> bool {
    let idx = t * (s.len() + 1) + p;
    if failed.get(idx).copied().unwrap_or(true) {
        return false;
    }
    let ok = match toks.get(t) {
        None => p == s.len(),
        Some(Tok::Lit(c)) => s.get(p) == Some(c) && glob(toks, s, t + 1, p + 1, failed),
        Some(Tok::Any) => {
            s.get(p).is_some_and(|&c| c != '/' && c != '\n') && glob(toks, s, t + 1, p + 1, failed)
        }
        Some(Tok::Class(neg, items)) => {
            s.get(p).is_some_and(|&c| {
                let inside = items.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                inside != *neg && !(*neg && c == '\n')
            }) && glob(toks, s, t + 1, p + 1, failed)
        }
        Some(Tok::Star) => {
            let mut q = p;
            loop {
                if glob(toks, s, t + 1, q, failed) {
                    break true;
                }
                if q >= s.len() || s[q] == '/' || s[q] == '\n' {
                    break false;
                }
                q += 1;
            }
        }
        Some(Tok::AllStar) => (p..=s.len())
            .take_while(|&q| q == p || s[q - 1] != '\n')
            .any(|q| glob(toks, s, t + 1, q, failed)),
        Some(Tok::DirStar) => {
            // (.*/)? — zero chars, or anything up to and including a '/'.
            glob(toks, s, t + 1, p, failed)
                || (p..s.len())
                    .take_while(|&q| s[q] != '\n')
                    .any(|q| s[q] == '/' && glob(toks, s, t + 1, q + 1, failed))
        }
    };
    if !ok {
        if let Some(f) = failed.get_mut(idx) {
            *f = true;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str, path: &str) -> bool {
        Matcher::parse(text).unwrap().matches(path)
    }

    #[test]
    fn patternmatcher_semantics() {
        assert!(m("Dockerfile", "Dockerfile"));
        assert!(m("*", "."));
        assert!(!m(".*", "a"));
        assert!(m("**\n!Dockerfile", "src/a.js"));
        assert!(!m("**\n!Dockerfile", "Dockerfile"));
        assert!(m("node_modules", "node_modules/x/y.js"));
        assert!(m("/build/", "build/out"));
        assert!(m("**/*.log", "a/b/c.log"));
        assert!(m("**/*.log", "c.log"));
        assert!(m("*.md\n!README.md", "CHANGES.md"));
        assert!(!m("*.md\n!README.md", "README.md"));
        assert!(m("[a-c]at", "bat"));
        assert!(!m("[a-c]at", "rat"));
        assert!(!m("a/*", "a"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
        assert!(m("./tmp", "tmp/x"));
        assert_eq!(
            Matcher::parse("!").unwrap_err(),
            DockerignoreError::IllegalExclusion
        );
        assert_eq!(
            Matcher::parse("[a").unwrap_err(),
            DockerignoreError::BadPattern
        );
    }
}
