//! Compressed inputs: gzip (`.gz`, several members too, as `.warc.gz` files are written) and
//! Zstandard (`.zst`), known by their magic bytes or their extension. Decompression is
//! bounded: it stops one byte past the limit, so a compression bomb costs the limit, not its
//! decompressed size.

use crate::error::ReadErrorKind;
use std::io::Read;

/// A compression format sitrep reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Zstd,
}

impl Codec {
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
        }
    }
}

const GZIP_MAGIC: &[u8] = b"\x1F\x8B";
const ZSTD_MAGIC: &[u8] = b"\x28\xB5\x2F\xFD";

/// The codec of the bytes, by their magic number (the extension alone does not decide: a
/// `.gz` file that is not gzip is read as what it is).
pub fn codec_of(bytes: &[u8]) -> Option<Codec> {
    if bytes.starts_with(GZIP_MAGIC) {
        Some(Codec::Gzip)
    } else if bytes.starts_with(ZSTD_MAGIC) {
        Some(Codec::Zstd)
    } else {
        None
    }
}

/// The name without its compression extension (`a.html.gz` -> `a.html`), which tells the
/// format inside.
pub fn inner_name(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for ext in [".gz", ".gzip", ".zst", ".zstd"] {
        if lower.ends_with(ext) {
            return &name[..name.len() - ext.len()];
        }
    }
    name
}

/// A decompressing reader over the bytes.
pub fn reader<'a>(codec: Codec, bytes: &'a [u8]) -> Result<Box<dyn Read + 'a>, ReadErrorKind> {
    Ok(match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
        Codec::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(bytes)
                .map_err(|e| ReadErrorKind::Decompress { codec: codec.name(), reason: e.to_string() })?,
        ),
    })
}

/// What decompression gave: the bytes, and the error that stopped it early, if one did (the
/// bytes before a corrupt or cut-off end are kept: a WARC or CSV file reads up to there).
pub struct Decompressed {
    pub bytes: Vec<u8>,
    pub error: Option<ReadErrorKind>,
}

/// Decompresses at most `limit` bytes; past it, [`ReadErrorKind::DecompressedTooLarge`].
/// `grow` is asked, once `first` bytes have come, whether the data may go on to `limit`
/// (files of many documents may; one document may not).
pub fn decompress(
    codec: Codec,
    bytes: &[u8],
    first: u64,
    limit: u64,
    grow: impl FnOnce(&[u8]) -> bool,
) -> Result<Decompressed, ReadErrorKind> {
    let mut r = reader(codec, bytes)?;
    let mut out = Vec::new();
    let bad = |e: std::io::Error| ReadErrorKind::Decompress { codec: codec.name(), reason: e.to_string() };
    if let Err(e) = (&mut r).take(first + 1).read_to_end(&mut out) {
        return Ok(Decompressed { bytes: out, error: Some(bad(e)) });
    }
    if out.len() as u64 <= first {
        return Ok(Decompressed { bytes: out, error: None });
    }
    if first >= limit || !grow(&out) {
        return Err(ReadErrorKind::DecompressedTooLarge { limit: first });
    }
    let rest = limit - out.len() as u64 + 1;
    if let Err(e) = r.take(rest).read_to_end(&mut out) {
        return Ok(Decompressed { bytes: out, error: Some(bad(e)) });
    }
    if out.len() as u64 > limit {
        return Err(ReadErrorKind::DecompressedTooLarge { limit });
    }
    Ok(Decompressed { bytes: out, error: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn magic_and_names() {
        assert_eq!(codec_of(&gzip(b"x")), Some(Codec::Gzip));
        assert_eq!(codec_of(&zstd::encode_all(&b"x"[..], 3).unwrap()), Some(Codec::Zstd));
        assert_eq!(codec_of(b"<html>"), None);
        assert_eq!(inner_name("a/b.html.GZ"), "a/b.html");
        assert_eq!(inner_name("b.jsonl.zst"), "b.jsonl");
        assert_eq!(inner_name("b.warc"), "b.warc");
    }

    #[test]
    fn gzip_members_are_all_read() {
        let mut two = gzip(b"first ");
        two.extend(gzip(b"second"));
        let d = decompress(Codec::Gzip, &two, 100, 100, |_| false).unwrap();
        assert_eq!(d.bytes, b"first second");
        assert!(d.error.is_none());
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let bomb = gzip(&vec![b'a'; 50 << 20]);
        assert!(bomb.len() < 100_000);
        let err = decompress(Codec::Gzip, &bomb, 1 << 20, 1 << 30, |_| false).err().unwrap();
        assert!(matches!(err, ReadErrorKind::DecompressedTooLarge { limit } if limit == 1 << 20), "{err}");
        // Allowed to grow, it still stops at the larger limit.
        let err = decompress(Codec::Gzip, &bomb, 1 << 20, 2 << 20, |_| true).err().unwrap();
        assert!(matches!(err, ReadErrorKind::DecompressedTooLarge { limit } if limit == 2 << 20), "{err}");
        let zbomb = zstd::encode_all(&vec![b'a'; 50 << 20][..], 3).unwrap();
        assert!(decompress(Codec::Zstd, &zbomb, 1 << 20, 1 << 20, |_| true).is_err());
    }

    #[test]
    fn a_cut_stream_keeps_what_came() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let gz = gzip(&data);
        let cut = &gz[..gz.len() / 2];
        let d = decompress(Codec::Gzip, cut, 1 << 30, 1 << 30, |_| true).unwrap();
        assert!(d.error.as_ref().is_some_and(|e| e.to_string().starts_with("bad gzip data")), "{:?}", d.error);
        assert!(!d.bytes.is_empty() && data.starts_with(&d.bytes));
    }
}
