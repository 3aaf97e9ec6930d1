//! Gzip for layer blobs: a fixed header (mtime 0, no file name, OS byte 255 "unknown",
//! as Go's `compress/gzip` writes it) so the same tar always gives the same blob digest.

use super::LayerError;
use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};
use std::io::{Read, Write};

pub(crate) fn compress(tar: &[u8]) -> Vec<u8> {
    let enc: GzEncoder<Vec<u8>> = GzBuilder::new().mtime(0).operating_system(255).write(
        Vec::with_capacity(tar.len() / 3 + 64),
        Compression::default(),
    );
    let mut enc = enc;
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(tar);
    enc.finish().unwrap_or_default()
}

/// The tar inside `layer`: decompressed when it starts with the gzip magic, refused
/// when it would exceed `max` bytes.
pub(crate) fn maybe_decompress(
    layer: &[u8],
    max: u64,
) -> Result<std::borrow::Cow<'_, [u8]>, LayerError> {
    if layer.len() >= 2 && layer[0] == 0x1f && layer[1] == 0x8b {
        let mut out = Vec::new();
        let dec = flate2::read::MultiGzDecoder::new(layer);
        dec.take(max.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| LayerError::Gzip(e.to_string()))?;
        if out.len() as u64 > max {
            return Err(LayerError::TooLarge(max));
        }
        Ok(std::borrow::Cow::Owned(out))
    } else {
        if layer.len() as u64 > max {
            return Err(LayerError::TooLarge(max));
        }
        Ok(std::borrow::Cow::Borrowed(layer))
    }
}
