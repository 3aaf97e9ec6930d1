//! Just enough tar for image archives: a deterministic ustar writer, and a reader
//! that refuses hostile archives (absolute paths, `..`, sizes past the end, too many
//! entries) instead of trusting them.

use std::collections::BTreeMap;

/// Most entries an archive may have before it is refused.
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TarError {
    #[error("invalid tar header at offset {0}")]
    BadHeader(usize),
    #[error("tar entry {path:?} claims {size} bytes but the archive ends first")]
    Truncated { path: String, size: u64 },
    #[error("refusing unsafe path in archive: {0:?}")]
    UnsafePath(String),
    #[error("archive has more than {MAX_ENTRIES} entries")]
    TooManyEntries,
    #[error("name too long for a ustar header: {0:?}")]
    NameTooLong(String),
}

fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let s = format!("{value:0width$o}");
    field[..width].copy_from_slice(&s.as_bytes()[s.len() - width..]);
    field[width] = 0;
}

fn header(name: &str, size: u64, dir: bool) -> Result<[u8; 512], TarError> {
    let mut h = [0u8; 512];
    if name.len() > 100 {
        return Err(TarError::NameTooLong(name.to_string()));
    }
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], if dir { 0o755 } else { 0o644 });
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 0);
    h[156] = if dir { b'5' } else { b'0' };
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    Ok(h)
}

/// Writes `files` (sorted by path, parent directories first) as a ustar archive with
/// fixed metadata: mode 0644/0755, uid/gid 0, mtime 0. Same input, same bytes.
pub fn write<V: AsRef<[u8]>>(files: &BTreeMap<String, V>) -> Result<Vec<u8>, TarError> {
    let mut out = Vec::with_capacity(
        files
            .values()
            .map(|d| d.as_ref().len().div_ceil(512) * 512 + 1024)
            .sum::<usize>()
            + 1024,
    );
    let mut dirs_done = std::collections::BTreeSet::new();
    for (path, data) in files {
        let mut prefix = String::new();
        for part in path
            .split('/')
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .skip(1)
            .rev()
        {
            prefix.push_str(part);
            prefix.push('/');
            if dirs_done.insert(prefix.clone()) {
                out.extend_from_slice(&header(&prefix, 0, true)?);
            }
        }
        let data = data.as_ref();
        out.extend_from_slice(&header(path, data.len() as u64, false)?);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    Ok(out)
}

/// Cleans an archive path: strips `./`, refuses absolute paths and `..`.
fn clean(path: &str) -> Result<String, TarError> {
    if path.starts_with('/') || path.contains('\0') || path.contains('\\') {
        return Err(TarError::UnsafePath(path.to_string()));
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(TarError::UnsafePath(path.to_string())),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

fn field_str(f: &[u8]) -> String {
    let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
    String::from_utf8_lossy(&f[..end]).into_owned()
}

fn parse_octal(f: &[u8]) -> Option<u64> {
    let s = field_str(f);
    let s = s.trim_matches(|c| c == ' ' || c == '\0');
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

/// The regular files of an archive, and its symlinks (path → target), with paths
/// cleaned. PAX `path` and GNU long names are honoured; devices and other types are
/// skipped (image archives have none).
pub type Entries = (BTreeMap<String, Vec<u8>>, BTreeMap<String, String>);

pub fn read(bytes: &[u8]) -> Result<Entries, TarError> {
    let mut files = BTreeMap::new();
    let mut links = BTreeMap::new();
    let mut pos = 0;
    let mut long_name: Option<String> = None;
    let mut count = 0;
    while pos + 512 <= bytes.len() {
        let h = &bytes[pos..pos + 512];
        if h.iter().all(|&b| b == 0) {
            break;
        }
        count += 1;
        if count > MAX_ENTRIES {
            return Err(TarError::TooManyEntries);
        }
        let stored: u64 = h[..148]
            .iter()
            .chain(&[b' '; 8])
            .chain(&h[156..])
            .map(|&b| u64::from(b))
            .sum();
        if parse_octal(&h[148..156]) != Some(stored) {
            return Err(TarError::BadHeader(pos));
        }
        let mut name = field_str(&h[..100]);
        if &h[257..262] == b"ustar" {
            let prefix = field_str(&h[345..500]);
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        if let Some(n) = long_name.take() {
            name = n;
        }
        let size = parse_octal(&h[124..136]).ok_or(TarError::BadHeader(pos))?;
        let start = pos + 512;
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| start.checked_add(s))
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| TarError::Truncated {
                path: name.clone(),
                size,
            })?;
        let data = &bytes[start..end];
        match h[156] {
            b'0' | 0 | b'7' => {
                files.insert(clean(&name)?, data.to_vec());
            }
            b'2' => {
                links.insert(clean(&name)?, field_str(&h[157..257]));
            }
            b'x' => {
                long_name = pax_path(data);
            }
            b'L' => {
                long_name = Some(field_str(data));
            }
            b'5' => {
                clean(&name)?;
            }
            _ => {}
        }
        pos = start + data.len().div_ceil(512) * 512;
    }
    Ok((files, links))
}

/// The `path` record of a PAX extended header (`"<len> path=<value>\n"` records).
fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    let mut rest: &str = &text;
    let mut found = None;
    while !rest.is_empty() {
        let (len, _) = rest.split_once(' ')?;
        let len: usize = len.parse().ok().filter(|&l: &usize| l > 0)?;
        let record = rest.get(..len)?;
        rest = rest.get(len..)?;
        let (_, kv) = record.split_once(' ')?;
        if let Some(v) = kv.strip_prefix("path=") {
            found = Some(v.trim_end_matches('\n').to_string());
        }
    }
    found
}
