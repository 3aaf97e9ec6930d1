//! Output shaping as the docker CLI does it: Go's `tabwriter` with the CLI's settings
//! (min width 10, padding 3), go-units sizes, `Ellipsis` truncation, and the
//! `--format` Go-template basics (`{{.Field}}`, `{{json .}}`, `table ...`, `\t`).

use std::collections::BTreeMap;

/// One row for `--format`: fields by template name, with their table headers.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub fields: Vec<(&'static str, &'static str, String)>,
}

impl Row {
    pub fn with(
        mut self,
        name: &'static str,
        header: &'static str,
        value: impl Into<String>,
    ) -> Row {
        self.fields.push((name, header, value.into()));
        self
    }

    fn get(&self, name: &str) -> Option<&(&'static str, &'static str, String)> {
        self.fields.iter().find(|(n, _, _)| *n == name)
    }
}

/// Go's tabwriter with `minwidth=10, tabwidth=1, padding=3, padchar=' '`: every cell
/// but the last of a line is padded to its column's width.
pub fn tabwrite(lines: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for l in lines {
        for (i, cell) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            let w = cell.chars().count() + 3;
            if widths.len() <= i {
                widths.push(10);
            }
            widths[i] = widths[i].max(w);
        }
    }
    let mut out = String::new();
    for l in lines {
        let mut line = String::new();
        for (i, cell) in l.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < l.len() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Go's `%.{prec}g` of a non-negative value.
fn g(value: f64, prec: usize) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let exp = value.abs().log10().floor() as i32;
    let decimals = (prec as i32 - 1 - exp).max(0) as usize;
    let mut s = format!("{value:.decimals$}");
    // Rounding may add a digit (999.96 → 1000.0): re-trim to the precision.
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    s
}

/// go-units `HumanSizeWithPrecision` (decimal units), as `docker images` prints SIZE
/// with precision 3 (`12.3MB`, `187MB`).
pub fn human_size_prec(bytes: u64, prec: usize) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{}{}", g(value, prec), UNITS[unit])
}

/// go-units `HumanSize` (4 significant digits): `docker system df`.
pub fn human_size(bytes: u64) -> String {
    human_size_prec(bytes, 4)
}

/// docker/cli `formatter.Ellipsis`: at most `max` characters, the last one `…`.
pub fn ellipsis(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Go's `time.Time.String()` of a UTC time, which `docker ps` / `docker images` print
/// for `{{.CreatedAt}}`: `2026-01-01 00:00:47 +0000 UTC`.
pub fn go_time(secs: i64) -> String {
    let t = crate::engine::clock::rfc3339(secs);
    format!("{} +0000 UTC", t.trim_end_matches('Z').replace('T', " "))
}

/// Go's `strconv.Quote` for the strings the CLI quotes (COMMAND column).
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A template error, worded like Go's `text/template`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

enum Piece {
    Text(String),
    Field(String),
    Json(Option<String>),
    Func(&'static str, String),
}

fn compile(format: &str, context: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = format;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(TemplateError("template: :1: unclosed action".to_string()));
        };
        let action = after[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let words: Vec<&str> = action.split_whitespace().collect();
        let field = |w: &str| -> Result<String, TemplateError> {
            match w.strip_prefix('.') {
                Some(f) if !f.is_empty() => Ok(f.to_string()),
                _ => Err(TemplateError(format!(
                    "template: :1: function \"{w}\" not defined"
                ))),
            }
        };
        pieces.push(match words.as_slice() {
            ["json", "."] => Piece::Json(None),
            ["json", f] => Piece::Json(Some(field(f)?)),
            [func @ ("upper" | "lower" | "title"), f] => Piece::Func(
                match *func {
                    "upper" => "upper",
                    "lower" => "lower",
                    _ => "title",
                },
                field(f)?,
            ),
            ["."] => Piece::Json(None),
            [f] => Piece::Field(field(f)?),
            _ => {
                return Err(TemplateError(format!(
                    "template: :1: unsupported action {{{{{action}}}}} in the {context} template"
                )))
            }
        });
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(pieces)
}

fn execute(pieces: &[Piece], row: &Row, context: &str) -> Result<String, TemplateError> {
    let mut out = String::new();
    let value = |f: &str| -> Result<String, TemplateError> {
        row.get(f).map(|(_, _, v)| v.clone()).ok_or_else(|| {
            TemplateError(format!(
                "template: :1:2: executing \"\" at <.{f}>: can't evaluate field {f} in type *formatter.{context}"
            ))
        })
    };
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Field(f) => out.push_str(&value(f)?),
            Piece::Func(func, f) => {
                let v = value(f)?;
                out.push_str(&match *func {
                    "upper" => v.to_uppercase(),
                    "lower" => v.to_lowercase(),
                    _ => v,
                });
            }
            Piece::Json(None) => {
                // Inserted, not collected: `collect` would add a sort to the bundle.
                let mut map: BTreeMap<&str, &str> = BTreeMap::new();
                for (n, _, v) in &row.fields {
                    map.insert(n, v.as_str());
                }
                out.push_str(&serde_json::to_string(&map).unwrap_or_default());
            }
            Piece::Json(Some(f)) => {
                out.push_str(&serde_json::to_string(&value(f)?).unwrap_or_default())
            }
        }
    }
    Ok(out)
}

/// Renders `rows` with a docker `--format` string (`table` prefix: a header row and
/// aligned columns). `context` names the formatter type in errors.
pub fn render(format: &str, rows: &[Row], context: &str) -> Result<String, TemplateError> {
    let format = format.replace("\\t", "\t").replace("\\n", "\n");
    if let Some(body) = format.strip_prefix("table") {
        let body = body.trim_start();
        let pieces = compile(body, context)?;
        let header_row = Row {
            fields: rows
                .first()
                .map(|r| r.fields.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|(n, h, _)| (n, h, h.to_string()))
                .collect(),
        };
        let mut lines = Vec::new();
        // Headers come from the field names even when there are no rows.
        let header = match execute(&pieces, &header_row, context) {
            Ok(h) => h,
            Err(_) if rows.is_empty() => headers_only(&pieces, context),
            Err(e) => return Err(e),
        };
        lines.push(header.split('\t').map(str::to_string).collect::<Vec<_>>());
        for r in rows {
            let text = execute(&pieces, r, context)?;
            lines.push(text.split('\t').map(str::to_string).collect());
        }
        return Ok(tabwrite(&lines));
    }
    let pieces = compile(&format, context)?;
    let mut out = String::new();
    for r in rows {
        out.push_str(&execute(&pieces, r, context)?);
        out.push('\n');
    }
    Ok(out)
}

/// The docker CLI's column header for a field (used when there are no rows).
fn header_for(field: &str, context: &str) -> String {
    match (field, context) {
        ("ID", "ContainerContext") => "CONTAINER ID",
        ("ID", "imageContext") => "IMAGE ID",
        ("ID", "historyContext") => "IMAGE",
        ("RunningFor" | "CreatedSince", _) => "CREATED",
        ("CreatedAt", _) => "CREATED AT",
        ("CreatedBy", _) => "CREATED BY",
        ("Name", "volumeContext") => "VOLUME NAME",
        ("TotalCount", _) => "TOTAL",
        (f, _) => return f.to_uppercase(),
    }
    .to_string()
}

fn headers_only(pieces: &[Piece], context: &str) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.clone(),
            Piece::Field(f) | Piece::Func(_, f) | Piece::Json(Some(f)) => header_for(f, context),
            Piece::Json(None) => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_go_units() {
        assert_eq!(human_size_prec(0, 3), "0B");
        assert_eq!(human_size_prec(12_345_678, 3), "12.3MB");
        assert_eq!(human_size_prec(187_000_000, 3), "187MB");
        assert_eq!(human_size_prec(7_800_000, 3), "7.8MB");
        assert_eq!(human_size(1_234_567), "1.235MB");
    }

    #[test]
    fn tabwriter_pads_to_ten_and_three() {
        let t = tabwrite(&[
            vec!["REPOSITORY".into(), "TAG".into(), "SIZE".into()],
            vec!["my-api".into(), "1.0".into(), "5MB".into()],
        ]);
        assert_eq!(
            t,
            "REPOSITORY   TAG       SIZE\nmy-api       1.0       5MB\n"
        );
    }

    #[test]
    fn templates() {
        let rows = vec![Row::default()
            .with("ID", "IMAGE ID", "abc")
            .with("Tag", "TAG", "1.0")];
        assert_eq!(
            render("{{.ID}}:{{.Tag}}", &rows, "imageContext").unwrap(),
            "abc:1.0\n"
        );
        assert_eq!(
            render("{{json .}}", &rows, "imageContext").unwrap(),
            "{\"ID\":\"abc\",\"Tag\":\"1.0\"}\n"
        );
        assert_eq!(
            render("table {{.ID}}\\t{{.Tag}}", &rows, "imageContext").unwrap(),
            "IMAGE ID   TAG\nabc        1.0\n"
        );
        assert!(render("{{.Nope}}", &rows, "imageContext")
            .unwrap_err()
            .0
            .contains("can't evaluate field Nope"));
        assert_eq!(
            ellipsis("docker-entrypoint.sh node", 20),
            "docker-entrypoint.s…"
        );
    }
}
