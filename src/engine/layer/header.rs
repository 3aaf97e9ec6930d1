//! Tar headers byte-for-byte as Go's `archive/tar` writes them, because that is what
//! containers/storage (buildah, podman) and moby (Docker) use for layer diffs: USTAR when
//! the header fits, a PAX `x` header (records sorted by key, named
//! `dir/PaxHeaders.0/name`) when it does not, octal fields zero-padded with a NUL
//! terminator, the checksum as six octal digits, NUL, space. No record padding: the
//! archive ends after two zero blocks.

pub(crate) const BLOCK: usize = 512;

/// File type bits containers/storage and moby add to the tar mode
/// (`fillGo18FileTypeBits`, kept so layer digests did not change with Go 1.9).
pub(crate) const S_IFDIR: u64 = 0o040000;
pub(crate) const S_IFREG: u64 = 0o100000;
pub(crate) const S_IFLNK: u64 = 0o120000;
pub(crate) const S_IFIFO: u64 = 0o010000;
pub(crate) const S_IFCHR: u64 = 0o020000;
pub(crate) const S_IFBLK: u64 = 0o060000;

/// One header as the writer needs it (`hdr` in Go).
pub(crate) struct Header<'a> {
    pub name: &'a str,
    pub linkname: &'a str,
    pub typeflag: u8,
    pub mode: u64,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub mtime: i64,
    pub devmajor: u64,
    pub devminor: u64,
}

fn fits_octal(width: usize, x: i64) -> bool {
    // Go: fitsInOctal(n, x) = x >= 0 && (n >= 22 || x < 1<<(3*(n-1)))
    let octbits = 3 * (width as u32 - 1);
    x >= 0 && (width >= 22 || x < (1i64 << octbits))
}

fn put_octal(field: &mut [u8], x: i64) {
    let x = if fits_octal(field.len(), x) { x } else { 0 };
    let s = format!("{:o}", x);
    let pad = field.len().saturating_sub(s.len() + 1);
    let mut text = "0".repeat(pad);
    text.push_str(&s);
    put_str(field, &text);
}

fn put_str(field: &mut [u8], s: &str) {
    let b = s.as_bytes();
    let n = b.len().min(field.len());
    field[..n].copy_from_slice(&b[..n]);
    if b.len() < field.len() {
        field[b.len()] = 0;
    }
    if b.len() > field.len() && field.last() == Some(&b'/') {
        // Go: a truncated name must not end in '/' (readers would see a directory).
        let trimmed = s.as_bytes()[..field.len()]
            .iter()
            .rposition(|c| *c != b'/')
            .map_or(0, |i| i + 1);
        field[trimmed] = 0;
    }
}

fn to_ascii(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii()).collect()
}

/// Go's `splitUSTARPath`: split a long ASCII name into prefix (≤155) and name (≤100).
fn split_ustar(name: &str) -> Option<(&str, &str)> {
    let b = name.as_bytes();
    if b.len() <= 100 || !name.is_ascii() {
        return None;
    }
    let mut length = b.len();
    if length > 156 {
        length = 156;
    } else if b[length - 1] == b'/' {
        length -= 1;
    }
    let i = b[..length].iter().rposition(|c| *c == b'/')?;
    let nlen = b.len() - i - 1;
    if i == 0 || nlen > 100 || nlen == 0 || i > 155 {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

fn pax_record(key: &str, value: &str) -> String {
    let mut size = key.len() + value.len() + 3;
    size += size.to_string().len();
    let mut rec = format!("{size} {key}={value}\n");
    if rec.len() != size {
        size = rec.len();
        rec = format!("{size} {key}={value}\n");
    }
    rec
}

fn finish(blk: &mut [u8; BLOCK]) {
    blk[257..263].copy_from_slice(b"ustar\0");
    blk[263..265].copy_from_slice(b"00");
    blk[148..156].copy_from_slice(b"        ");
    let sum: u64 = blk.iter().map(|b| u64::from(*b)).sum();
    put_octal(&mut blk[148..155], sum as i64);
    blk[155] = b' ';
}

fn v7_plus(h: &Header, name: &str, linkname: &str) -> [u8; BLOCK] {
    let mut blk = [0u8; BLOCK];
    blk[156] = h.typeflag;
    put_str(&mut blk[0..100], name);
    put_str(&mut blk[157..257], linkname);
    put_octal(&mut blk[100..108], h.mode as i64);
    put_octal(&mut blk[108..116], h.uid as i64);
    put_octal(&mut blk[116..124], h.gid as i64);
    put_octal(&mut blk[124..136], h.size as i64);
    put_octal(&mut blk[136..148], h.mtime);
    put_octal(&mut blk[329..337], h.devmajor as i64);
    put_octal(&mut blk[337..345], h.devminor as i64);
    blk
}

/// Encode `h` as Go's `tar.Writer.WriteHeader` would (format chosen automatically):
/// the returned bytes are the PAX extended header (if any) followed by the header block.
pub(crate) fn encode(h: &Header) -> Vec<u8> {
    let mut pax: Vec<(&str, String)> = Vec::new();
    let mut ustar_ok = true;
    // Strings: name may be split into prefix/name; linkname cannot.
    if (!h.name.is_ascii() || h.name.len() > 100) && split_ustar(h.name).is_none() {
        ustar_ok = false;
        pax.push(("path", h.name.to_string()));
    }
    if !h.linkname.is_ascii() || h.linkname.len() > 100 {
        ustar_ok = false;
        pax.push(("linkpath", h.linkname.to_string()));
    }
    for (key, width, value) in [
        ("uid", 8usize, h.uid as i64),
        ("gid", 8, h.gid as i64),
        ("size", 12, h.size as i64),
    ] {
        if !fits_octal(width, value) {
            ustar_ok = false;
            pax.push((key, value.to_string()));
        }
    }
    if !fits_octal(12, h.mtime) {
        ustar_ok = false;
        pax.push(("mtime", h.mtime.to_string()));
    }
    // Device numbers have no PAX record; values beyond 7 octal digits are written as 0
    // (Go would refuse them; the filesystem model never holds such numbers).
    let mut out = Vec::with_capacity(BLOCK * 2);
    if ustar_ok {
        let (prefix, name) = split_ustar(h.name).unwrap_or(("", h.name));
        let mut blk = v7_plus(h, name, h.linkname);
        put_str(&mut blk[345..500], prefix);
        finish(&mut blk);
        out.extend_from_slice(&blk);
        return out;
    }
    crate::engine::sort::sort_by(&mut pax, |a, b| a.0.cmp(b.0));
    let data: String = pax.iter().map(|(k, v)| pax_record(k, v)).collect();
    let (dir, file) = match h.name.rfind('/') {
        Some(i) => (&h.name[..=i], &h.name[i + 1..]),
        None => ("", h.name),
    };
    let mut xname = to_ascii(&go_path_join(dir, file));
    xname.truncate(100);
    let xname = xname.trim_end_matches('/');
    let mut xblk = [0u8; BLOCK];
    xblk[156] = b'x';
    put_str(&mut xblk[0..100], xname);
    put_octal(&mut xblk[100..108], 0);
    put_octal(&mut xblk[108..116], 0);
    put_octal(&mut xblk[116..124], 0);
    put_octal(&mut xblk[124..136], data.len() as i64);
    put_octal(&mut xblk[136..148], 0);
    finish(&mut xblk);
    out.extend_from_slice(&xblk);
    out.extend_from_slice(data.as_bytes());
    pad(&mut out);
    let mut blk = v7_plus(h, &to_ascii(h.name), &to_ascii(h.linkname));
    finish(&mut blk);
    out.extend_from_slice(&blk);
    out
}

/// Go's `path.Join(dir, "PaxHeaders.0", file)` (cleaned, no trailing slash).
fn go_path_join(dir: &str, file: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    parts.push("PaxHeaders.0");
    if !file.is_empty() {
        parts.push(file);
    }
    parts.join("/")
}

/// Zero-pad `out` to a block boundary.
pub(crate) fn pad(out: &mut Vec<u8>) {
    let rem = out.len() % BLOCK;
    if rem != 0 {
        out.resize(out.len() + BLOCK - rem, 0);
    }
}

/// Bytes of zero padding after `size` bytes of data.
pub(crate) fn padding(size: u64) -> usize {
    ((BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(name: &str) -> Header<'_> {
        Header {
            name,
            linkname: "",
            typeflag: b'0',
            mode: 0o100644,
            uid: 0,
            gid: 0,
            size: 0,
            mtime: 0,
            devmajor: 0,
            devminor: 0,
        }
    }

    #[test]
    fn ustar_split_and_pax_fallback() {
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(50));
        let out = encode(&hdr(&long));
        assert_eq!(out.len(), BLOCK);
        assert_eq!(&out[345..465], "d".repeat(120).as_bytes());
        let longer = "x".repeat(150);
        let out = encode(&hdr(&longer));
        assert_eq!(out.len(), 3 * BLOCK);
        assert_eq!(out[156], b'x');
        assert_eq!(&out[0..12], b"PaxHeaders.0");
        assert!(String::from_utf8_lossy(&out[512..700]).starts_with("160 path=xxx"));
        assert_eq!(pax_record("path", "a"), "9 path=a\n");
        assert_eq!(
            pax_record("k", &"v".repeat(94)),
            "101 k=".to_string() + &"v".repeat(94) + "\n"
        );
    }
}
