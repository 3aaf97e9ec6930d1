//! A tiny HTTP/1.1 client over `std::net`, enough for the OCI distribution API on a
//! plain-HTTP loopback registry: one request per connection (`Connection: close`),
//! bodies framed by `Content-Length`, `Transfer-Encoding: chunked` or end of stream.
//! A TLS stack would cost more than the rest of the native mode together, and the
//! registries it talks to are local (`docker-registry` on 127.0.0.1).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Largest response body accepted (a hostile server cannot exhaust memory).
pub const MAX_BODY: u64 = 4 << 30;
const MAX_HEADER_LINES: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("invalid url {0:?}: only http://host[:port]/path is supported")]
    Url(String),
    #[error("dial tcp {addr}: {source}")]
    Connect { addr: String, source: io::Error },
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("malformed HTTP response: {0}")]
    Malformed(String),
    #[error("response body larger than {MAX_BODY} bytes")]
    TooLarge,
}

/// A parsed `http://host:port/path?query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub path: String,
}

impl Url {
    pub fn parse(s: &str) -> Result<Url, HttpError> {
        let rest = s
            .strip_prefix("http://")
            .ok_or_else(|| HttpError::Url(s.into()))?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() {
            return Err(HttpError::Url(s.into()));
        }
        Ok(Url {
            host: host.to_string(),
            path: path.to_string(),
        })
    }

    /// Resolves a `Location` header (absolute URL or absolute path) against this URL.
    pub fn join(&self, location: &str) -> Result<Url, HttpError> {
        if location.starts_with("http://") {
            Url::parse(location)
        } else if location.starts_with('/') {
            Ok(Url {
                host: self.host.clone(),
                path: location.to_string(),
            })
        } else {
            Err(HttpError::Url(location.into()))
        }
    }

    pub fn to_string_full(&self) -> String {
        format!("http://{}{}", self.host, self.path)
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Bodies move in pieces of this size, so progress can be reported between them.
const PIECE: usize = 64 * 1024;

/// Sends one request and reads the whole response (no body for HEAD).
pub fn request(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response, HttpError> {
    request_with(method, url, headers, body, &mut |_| {})
}

/// [`request`], calling `on_body(n)` after each piece of `n` body bytes sent or
/// received (what progress bars count: an upload's request body, a download's
/// response body).
pub fn request_with(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
    on_body: &mut dyn FnMut(u64),
) -> Result<Response, HttpError> {
    let mut stream = TcpStream::connect(&url.host).map_err(|source| HttpError::Connect {
        addr: url.host.clone(),
        source,
    })?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: layerlab/{}\r\nConnection: close\r\nContent-Length: {}\r\n",
        url.path,
        url.host,
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    for piece in body.chunks(PIECE) {
        stream.write_all(piece)?;
        on_body(piece.len() as u64);
    }
    stream.flush()?;
    read_response(BufReader::new(stream), method == "HEAD", on_body)
}

/// Appends exactly `len` bytes (or fewer at end of stream) from `r` to `body`.
fn read_body(
    r: &mut impl Read,
    len: u64,
    body: &mut Vec<u8>,
    on_body: &mut dyn FnMut(u64),
) -> io::Result<()> {
    let mut left = len;
    while left > 0 {
        let n = (&mut *r).take(left.min(PIECE as u64)).read_to_end(body)? as u64;
        if n == 0 {
            break;
        }
        on_body(n);
        left -= n;
    }
    Ok(())
}

fn read_line(r: &mut impl BufRead) -> Result<String, HttpError> {
    let mut line = Vec::new();
    r.by_ref().take(16 * 1024).read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        return Err(HttpError::Malformed("truncated line".into()));
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_string())
}

fn read_response(
    mut r: impl BufRead,
    head_only: bool,
    on_body: &mut dyn FnMut(u64),
) -> Result<Response, HttpError> {
    let status_line = read_line(&mut r)?;
    let mut parts = status_line.splitn(3, ' ');
    let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
        return Err(HttpError::Malformed(status_line));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Malformed(status_line));
    }
    let status: u16 = code
        .parse()
        .map_err(|_| HttpError::Malformed(status_line.clone()))?;
    let mut headers = Vec::new();
    loop {
        if headers.len() > MAX_HEADER_LINES {
            return Err(HttpError::Malformed("too many headers".into()));
        }
        let line = read_line(&mut r)?;
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut resp = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if head_only || status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(resp);
    }
    let chunked = resp
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        loop {
            let line = read_line(&mut r)?;
            let size_hex = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(size_hex, 16)
                .map_err(|_| HttpError::Malformed(format!("chunk size {line:?}")))?;
            if size == 0 {
                break;
            }
            if resp.body.len() as u64 + size > MAX_BODY {
                return Err(HttpError::TooLarge);
            }
            let start = resp.body.len();
            read_body(&mut r, size, &mut resp.body, on_body)?;
            if (resp.body.len() - start) as u64 != size {
                return Err(HttpError::Malformed("truncated chunk".into()));
            }
            read_line(&mut r)?;
        }
    } else if let Some(len) = resp.header("content-length") {
        let len: u64 = len
            .parse()
            .map_err(|_| HttpError::Malformed(format!("content-length {len:?}")))?;
        if len > MAX_BODY {
            return Err(HttpError::TooLarge);
        }
        read_body(&mut r, len, &mut resp.body, on_body)?;
        if resp.body.len() as u64 != len {
            return Err(HttpError::Malformed("truncated body".into()));
        }
    } else {
        read_body(&mut r, MAX_BODY + 1, &mut resp.body, on_body)?;
        if resp.body.len() as u64 > MAX_BODY {
            return Err(HttpError::TooLarge);
        }
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chunked_and_content_length_bodies() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let r = read_response(&raw[..], false, &mut |_| {}).unwrap();
        assert_eq!(r.body, b"abcde");
        let raw =
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nDocker-Content-Digest: x\r\n\r\nhi";
        let r = read_response(&raw[..], false, &mut |_| {}).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (404, &b"hi"[..]));
        assert_eq!(r.header("docker-content-digest"), Some("x"));
        assert!(read_response(
            &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"[..],
            false,
            &mut |_| {}
        )
        .is_err());
        assert!(read_response(&b"garbage"[..], false, &mut |_| {}).is_err());
        let big = vec![b'x'; 150_000];
        let mut raw =
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", big.len()).into_bytes();
        raw.extend(&big);
        let mut pieces = Vec::new();
        let r = read_response(&raw[..], false, &mut |n| pieces.push(n)).unwrap();
        assert_eq!(r.body, big);
        assert_eq!(pieces, [65_536, 65_536, 18_928], "progress per piece");
    }

    #[test]
    fn urls() {
        let u = Url::parse("http://127.0.0.1:5000/v2/").unwrap();
        assert_eq!(u.host, "127.0.0.1:5000");
        assert_eq!(
            u.join("/v2/x/blobs/uploads/abc?_state=1").unwrap().path,
            "/v2/x/blobs/uploads/abc?_state=1"
        );
        assert!(Url::parse("https://x/").is_err());
    }
}
