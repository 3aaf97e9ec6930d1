//! Reading layer tars: a strict parser that yields entries with their data slices,
//! understanding USTAR, PAX (`x`, `g`) and GNU long names (`L`, `K`).

use super::header::{padding, BLOCK};
use super::LayerError;

/// Largest PAX or GNU long-name payload accepted (Go's `maxSpecialFileSize`).
const MAX_SPECIAL: u64 = 1 << 20;

/// A raw entry: header fields after PAX/GNU overrides, and its data.
pub(crate) struct RawEntry<'a> {
    pub name: String,
    pub linkname: String,
    pub typeflag: u8,
    pub mode: u64,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub mtime: i64,
    pub devmajor: u64,
    pub devminor: u64,
    pub data: &'a [u8],
}

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            done: false,
        }
    }

    fn block(&mut self) -> Result<&'a [u8], LayerError> {
        let end = self.pos.checked_add(BLOCK).ok_or(LayerError::Truncated)?;
        let b = self.buf.get(self.pos..end).ok_or(LayerError::Truncated)?;
        self.pos = end;
        Ok(b)
    }

    fn data(&mut self, size: u64) -> Result<&'a [u8], LayerError> {
        let remaining = (self.buf.len() - self.pos) as u64;
        if size > remaining {
            return Err(LayerError::Truncated);
        }
        let start = self.pos;
        let end = start + size as usize;
        let padded = end + padding(size);
        // A final data block without its padding is still a truncated archive.
        if padded > self.buf.len() {
            return Err(LayerError::Truncated);
        }
        self.pos = padded;
        Ok(&self.buf[start..end])
    }

    /// The next entry, `None` at the end-of-archive marker.
    pub(crate) fn next_entry(&mut self) -> Result<Option<RawEntry<'a>>, LayerError> {
        if self.done {
            return Ok(None);
        }
        let mut pax: Vec<(String, String)> = Vec::new();
        let mut long_name: Option<String> = None;
        let mut long_link: Option<String> = None;
        loop {
            let at = self.pos as u64;
            if self.pos == self.buf.len() {
                // EOF without the two zero blocks: the archive was cut off.
                return Err(LayerError::Truncated);
            }
            let blk = self.block()?;
            if blk.iter().all(|b| *b == 0) {
                self.done = true;
                return Ok(None);
            }
            verify_checksum(blk).map_err(|why| LayerError::InvalidHeader(at, why))?;
            let bad = |why| LayerError::InvalidHeader(at, why);
            let typeflag = blk[156];
            let mut size = parse_num(&blk[124..136]).ok_or(bad("size"))?;
            if let Some(v) = pax_get(&pax, "size") {
                size = v.parse().map_err(|_| bad("pax size"))?;
            }
            if size > i64::MAX as u64 {
                return Err(bad("size"));
            }
            match typeflag {
                b'x' | b'g' | b'L' | b'K' => {
                    if size > MAX_SPECIAL {
                        return Err(bad("extended header too large"));
                    }
                    let data = self.data(size)?;
                    match typeflag {
                        b'x' => pax.extend(parse_pax(data).ok_or(bad("pax records"))?),
                        b'g' => {}
                        b'L' => long_name = Some(cstr(data)),
                        _ => long_link = Some(cstr(data)),
                    }
                    continue;
                }
                _ => {}
            }
            let magic = &blk[257..263];
            let mut name = cstr(&blk[0..100]);
            if magic == b"ustar\0" {
                let prefix = cstr(&blk[345..500]);
                if !prefix.is_empty() {
                    name = format!("{prefix}/{name}");
                }
            }
            let mut linkname = cstr(&blk[157..257]);
            if let Some(n) = long_name.take() {
                name = n;
            }
            if let Some(l) = long_link.take() {
                linkname = l;
            }
            if let Some(v) = pax_get(&pax, "path") {
                name = v.to_string();
            }
            if let Some(v) = pax_get(&pax, "linkpath") {
                linkname = v.to_string();
            }
            let mut uid = parse_num(&blk[108..116]).ok_or(bad("uid"))?;
            let mut gid = parse_num(&blk[116..124]).ok_or(bad("gid"))?;
            let mut mtime = parse_num(&blk[136..148]).ok_or(bad("mtime"))? as i64;
            if let Some(v) = pax_get(&pax, "uid") {
                uid = v.parse().map_err(|_| bad("pax uid"))?;
            }
            if let Some(v) = pax_get(&pax, "gid") {
                gid = v.parse().map_err(|_| bad("pax gid"))?;
            }
            if let Some(v) = pax_get(&pax, "mtime") {
                let secs = v.split('.').next().unwrap_or("0");
                mtime = secs.parse().map_err(|_| bad("pax mtime"))?;
            }
            let mode = parse_num(&blk[100..108]).ok_or(bad("mode"))?;
            let (devmajor, devminor) = if typeflag == b'3' || typeflag == b'4' {
                (
                    parse_num(&blk[329..337]).ok_or(bad("devmajor"))?,
                    parse_num(&blk[337..345]).ok_or(bad("devminor"))?,
                )
            } else {
                (0, 0)
            };
            // Only regular files carry data; other types' size field is ignored by
            // extractors but still occupies the stream when set.
            let data = self.data(size)?;
            return Ok(Some(RawEntry {
                name,
                linkname,
                typeflag,
                mode,
                uid,
                gid,
                size,
                mtime,
                devmajor,
                devminor,
                data,
            }));
        }
    }
}

fn pax_get<'p>(pax: &'p [(String, String)], key: &str) -> Option<&'p str> {
    pax.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// Octal (space/NUL padded) or GNU base-256 (high bit set) numbers.
fn parse_num(field: &[u8]) -> Option<u64> {
    let first = *field.first()?;
    if first & 0x80 != 0 {
        if first == 0xff {
            return None; // negative
        }
        let mut v: u64 = u64::from(first & 0x7f);
        for b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(*b))?;
        }
        return Some(v);
    }
    let text: &[u8] = {
        let end = field.iter().position(|c| *c == 0).unwrap_or(field.len());
        &field[..end]
    };
    let s = std::str::from_utf8(text).ok()?.trim_matches(' ');
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

fn verify_checksum(blk: &[u8]) -> Result<(), &'static str> {
    let stored = parse_num(&blk[148..156]).ok_or("checksum")?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, b) in blk.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { *b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || stored as i64 == signed {
        Ok(())
    } else {
        Err("checksum mismatch")
    }
}

/// `"%d key=value\n"` records; the length prefix must match.
fn parse_pax(data: &[u8]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let sp = rest.iter().position(|c| *c == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..sp]).ok()?.parse().ok()?;
        if len <= sp + 1 || len > rest.len() {
            return None;
        }
        let rec = &rest[sp + 1..len];
        let rec = rec.strip_suffix(b"\n")?;
        let eq = rec.iter().position(|c| *c == b'=')?;
        let key = String::from_utf8(rec[..eq].to_vec()).ok()?;
        let value = String::from_utf8(rec[eq + 1..].to_vec()).ok()?;
        out.push((key, value));
        rest = &rest[len..];
    }
    Some(out)
}
