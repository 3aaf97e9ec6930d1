//! base64url without padding (RFC 4648 §5), the alphabet that survives URL fragments
//! and query strings untouched (`A-Z a-z 0-9 - _`, no `+ / =`).
//!
//! Written here rather than pulled in as a crate: it is forty lines and the web bundle
//! has a size budget. Decoding is strict so every payload has exactly one spelling:
//! padding, characters outside the alphabet, an impossible length (4n+1) and
//! non-zero unused trailing bits are all rejected (RFC 4648 §3.5 allows decoders to
//! reject non-canonical encodings).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Why a text is not canonical unpadded base64url.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    #[error("unexpected character {found:?} at offset {offset}")]
    InvalidCharacter { offset: usize, found: char },
    #[error("length {0} is not a possible base64url length (truncated)")]
    InvalidLength(usize),
    #[error("unused trailing bits are not zero (non-canonical encoding)")]
    NonCanonical,
}

/// Encodes `bytes` as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // 1 byte → 2 characters, 2 → 3, 3 → 4.
        for i in 0..=chunk.len() {
            let sextet = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[sextet as usize]));
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes canonical unpadded base64url.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(Base64Error::InvalidLength(bytes.len()));
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for (index, chunk) in bytes.chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let Some(v) = sextet(c) else {
                let offset = index * 4 + i;
                // Report the whole character, not a byte of it (the text is UTF-8).
                let found = text
                    .get(offset..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                return Err(Base64Error::InvalidCharacter { offset, found });
            };
            n |= v << (18 - 6 * i);
        }
        // 2 characters carry 1 byte, 3 carry 2, 4 carry 3.
        let len = chunk.len() - 1;
        let unused_mask = match len {
            1 => 0xffff,
            2 => 0xff,
            _ => 0,
        };
        if n & unused_mask != 0 {
            return Err(Base64Error::NonCanonical);
        }
        for i in 0..len {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors, with `=` padding removed.
    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn url_alphabet_replaces_plus_and_slash() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn strictness() {
        assert_eq!(
            decode("Zg=="),
            Err(Base64Error::InvalidCharacter {
                offset: 2,
                found: '='
            })
        );
        assert_eq!(
            decode("Zm+v"),
            Err(Base64Error::InvalidCharacter {
                offset: 2,
                found: '+'
            })
        );
        assert_eq!(
            decode("Zé"),
            Err(Base64Error::InvalidCharacter {
                offset: 1,
                found: 'é'
            })
        );
        assert_eq!(decode("Zm9vY"), Err(Base64Error::InvalidLength(5)));
        assert_eq!(decode("Zh"), Err(Base64Error::NonCanonical));
        assert_eq!(decode("Zm9"), Err(Base64Error::NonCanonical));
    }
}
