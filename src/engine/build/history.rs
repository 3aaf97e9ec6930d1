//! How BuildKit words history `created_by` entries and a few config values.

/// Go's `%q` of a `[]string`: `["node" "server.js"]`.
pub fn go_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `strconv.Quote` for the common cases (escapes quotes, backslashes, controls).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `[/data /logs]`: Go's `%v` of a `[]string`.
pub fn go_plain_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// The `|2 A=1 B=2 ` prefix BuildKit puts before RUN commands when build args are in
/// scope, so that changing an arg changes the history (and the cache key).
pub fn run_args_prefix(args: &[(String, String)]) -> String {
    if args.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("|{} {} ", args.len(), pairs.join(" "))
}

/// Parses a Go duration (`30s`, `1m30s`, `500ms`, `1h`) into nanoseconds.
pub fn parse_go_duration(s: &str) -> Result<i64, String> {
    let err = || format!("time: invalid duration \"{s}\"");
    if s == "0" {
        return Ok(0);
    }
    let mut rest = s;
    let mut total: f64 = 0.0;
    if rest.is_empty() {
        return Err(err());
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(err)?;
        if num_len == 0 {
            return Err(err());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| err())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(err()),
        };
        total += value * scale;
    }
    if total > i64::MAX as f64 {
        return Err(err());
    }
    Ok(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            go_list(&["node".into(), "server.js".into()]),
            r#"["node" "server.js"]"#
        );
        assert_eq!(run_args_prefix(&[("A".into(), "1".into())]), "|1 A=1 ");
        assert_eq!(parse_go_duration("1m30s").unwrap(), 90_000_000_000);
        assert_eq!(parse_go_duration("500ms").unwrap(), 500_000_000);
        assert!(parse_go_duration("5x").is_err());
    }
}
