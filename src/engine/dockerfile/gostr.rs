//! Small Go string helpers the BuildKit formats depend on (`strconv.Quote`,
//! `strings.ToLower`, `unicode.IsSpace`).

/// Go's `unicode.IsSpace`: the Unicode White_Space property, which is exactly
/// what Rust's `char::is_whitespace` implements.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `strings.TrimSpace`.
pub(crate) fn trim_space(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Go's `strings.ToLower`: per-rune lowering (no final-sigma context rule).
pub(crate) fn to_lower(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// Approximates Go's `unicode.IsPrint` (categories L, M, N, P, S plus ASCII
/// space). Without Unicode tables we treat as non-printable: controls, separators
/// other than U+0020, the common format characters, private use and noncharacters.
fn is_print(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFDD0..=0xFDEF)
        && (u & 0xFFFE) != 0xFFFE
}

/// Go's `strconv.Quote`, used by BuildKit's `Node.Dump()`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `fmt.Sprintf("%q", []string{...})`: `["a" "b"]`.
pub(crate) fn quote_list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", parts.join(" "))
}

/// Go `regexp.Split(s, n)` for the pattern `[\t\v\f\r ]+` (BuildKit's
/// `reWhitespace`); `limit` < 0 means no limit.
pub(crate) fn split_ws(s: &str, limit: isize) -> Vec<&str> {
    let is_ws = |b: u8| matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ');
    if limit == 0 {
        return Vec::new();
    }
    if s.is_empty() {
        return vec![""];
    }
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut beg = 0usize;
    let mut end = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        if is_ws(bytes[i]) {
            let start = i;
            while i < bytes.len() && is_ws(bytes[i]) {
                i += 1;
            }
            if limit > 0 && out.len() as isize == limit - 1 {
                break;
            }
            end = start;
            if i != 0 {
                out.push(&s[beg..end]);
            }
            beg = i;
        } else {
            i += 1;
        }
    }
    if end != s.len() {
        out.push(&s[beg..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_go() {
        assert_eq!(quote("a\"b\\c\u{0}"), "\"a\\\"b\\\\c\\x00\"");
        assert_eq!(quote("♥"), "\"♥\"");
        assert_eq!(quote("\u{feff}"), "\"\\ufeff\"");
    }

    #[test]
    fn split_ws_matches_go_regexp_split() {
        assert_eq!(split_ws("a  b c", 2), vec!["a", "b c"]);
        assert_eq!(split_ws("a b ", -1), vec!["a", "b", ""]);
        assert_eq!(split_ws("a", -1), vec!["a"]);
    }
}
