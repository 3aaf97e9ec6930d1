//! Which instructions make filesystem layers and which only change the config.
//!
//! BuildKit: RUN, COPY and ADD produce filesystem layers; WORKDIR makes a small
//! layer (its implicit `mkdir`) unless the directory is `/`; every other instruction
//! only changes the image config and adds a history entry with `empty_layer: true`.

/// What one instruction contributes to the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// `FROM`: the base image's layers.
    Base,
    /// A filesystem layer (RUN, COPY, ADD, WORKDIR).
    Filesystem,
    /// Config and history only.
    Metadata,
}

/// One row of the image's layer stack, tied to the Dockerfile lines that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    pub keyword: String,
    pub text: String,
    pub first_line: usize,
    pub last_line: usize,
    pub kind: RowKind,
}

/// Splits a Dockerfile into instructions (joining `\` continuations, dropping
/// comments and blank lines) and classifies each.
pub fn plan(dockerfile: &str) -> Vec<PlanRow> {
    let mut rows = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, raw) in dockerfile.lines().enumerate() {
        let line_no = index + 1;
        let trimmed = raw.trim();
        if current.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if current.is_some() && trimmed.starts_with('#') {
            continue;
        }
        let (continues, body) = match trimmed.strip_suffix('\\') {
            Some(body) => (true, body),
            None => (false, trimmed),
        };
        let (start, mut text) = current.take().unwrap_or((line_no, String::new()));
        if !text.is_empty() && !body.is_empty() {
            text.push(' ');
        }
        text.push_str(body.trim());
        if continues {
            current = Some((start, text));
        } else {
            rows.push(row(start, line_no, text));
        }
    }
    if let Some((start, text)) = current {
        let end = dockerfile.lines().count();
        rows.push(row(start, end, text));
    }
    rows
}

fn row(first_line: usize, last_line: usize, text: String) -> PlanRow {
    let keyword = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let rest = text[text.find(char::is_whitespace).unwrap_or(text.len())..].trim();
    let kind = match keyword.as_str() {
        "FROM" => RowKind::Base,
        "RUN" | "COPY" | "ADD" => RowKind::Filesystem,
        "WORKDIR" if rest != "/" => RowKind::Filesystem,
        _ => RowKind::Metadata,
    };
    PlanRow {
        keyword,
        text,
        first_line,
        last_line,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::examples::NODE_API;

    #[test]
    fn seed_example_rows() {
        let rows = plan(NODE_API.dockerfile);
        let kinds: Vec<_> = rows.iter().map(|r| (r.keyword.as_str(), r.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("FROM", RowKind::Base),
                ("WORKDIR", RowKind::Filesystem),
                ("COPY", RowKind::Filesystem),
                ("RUN", RowKind::Filesystem),
                ("COPY", RowKind::Filesystem),
                ("CMD", RowKind::Metadata),
            ]
        );
        assert_eq!(rows[3].first_line, 4);
    }

    #[test]
    fn continuations_and_comments() {
        let rows = plan("# c\nFROM a\nRUN x \\\n  # note\n  y\nWORKDIR /\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].text, "RUN x y");
        assert_eq!((rows[1].first_line, rows[1].last_line), (3, 5));
        assert_eq!(rows[2].kind, RowKind::Metadata);
    }
}
