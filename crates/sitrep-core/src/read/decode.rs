//! Bytes to text: byte-order marks, UTF-8, legacy single-byte encodings, and the refusal of
//! binary data.

use crate::error::ReadErrorKind;

/// Magic numbers of binary formats people drop into article folders by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1F\x8B", "gzip-compressed data"),
    (b"\x7FELF", "an executable"),
    (b"SQLite format 3\0", "an SQLite database"),
];

/// Decodes an input's bytes to text.
///
/// UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded exactly. Text that has no valid
/// UTF-8 multi-byte sequence but is not UTF-8 is taken to be a legacy encoding (Windows-1252,
/// Latin-1, ...) guessed by `chardetng`. Text that is mostly UTF-8 with some bad bytes is
/// broken: an error, unless `lossy`, which replaces the bad bytes with U+FFFD.
pub fn decode(bytes: &[u8], lossy: bool) -> Result<String, ReadErrorKind> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadErrorKind::Empty);
    }
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors && !lossy && enc == encoding_rs::UTF_8 {
            let pos = first_invalid_utf8(&bytes[bom_len..]).unwrap_or(0) + bom_len;
            return Err(ReadErrorKind::BrokenUtf8(pos));
        }
        return check_text(text.into_owned());
    }
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(ReadErrorKind::Binary((*what).to_string()));
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(ReadErrorKind::Binary("contains NUL bytes".into()));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => check_text(s.to_owned()),
        Err(e) => {
            let (valid_multibyte, invalid) = utf8_census(bytes);
            if valid_multibyte > 0 && valid_multibyte >= invalid {
                if lossy {
                    return check_text(String::from_utf8_lossy(bytes).into_owned());
                }
                return Err(ReadErrorKind::BrokenUtf8(e.valid_up_to()));
            }
            let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            det.feed(bytes, true);
            let enc = det.guess(None, chardetng::Utf8Detection::Deny);
            let (text, _, _) = enc.decode(bytes);
            check_text(text.into_owned())
        }
    }
}

/// Counts valid non-ASCII characters and invalid byte runs.
fn utf8_census(bytes: &[u8]) -> (usize, usize) {
    let mut valid = 0;
    let mut invalid = 0;
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    (valid, invalid)
}

fn first_invalid_utf8(bytes: &[u8]) -> Option<usize> {
    std::str::from_utf8(bytes).err().map(|e| e.valid_up_to())
}

/// Refuses decoded text that is mostly control characters (binary that slipped through).
fn check_text(text: String) -> Result<String, ReadErrorKind> {
    if text.trim().is_empty() {
        return Err(ReadErrorKind::Empty);
    }
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C') {
            control += 1;
        }
    }
    if control * 20 > total {
        return Err(ReadErrorKind::Binary(format!("{control} control characters in {total}")));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through() {
        assert_eq!(decode("Qereh Kubri – Aleppo".as_bytes(), false).unwrap(), "Qereh Kubri – Aleppo");
    }

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(decode(b"\xEF\xBB\xBFHama", false).unwrap(), "Hama");
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Idlib – “rebels”".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes, false).unwrap(), "Idlib – “rebels”");
        let mut be = vec![0xFE, 0xFF];
        for u in "Deir ez-Zor".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&be, false).unwrap(), "Deir ez-Zor");
    }

    #[test]
    fn windows_1252_is_decoded() {
        // “ISIS” – café in Windows-1252
        let bytes = b"\x93ISIS\x94 fighters \x96 caf\xE9 in Aleppo";
        assert_eq!(decode(bytes, false).unwrap(), "“ISIS” fighters – café in Aleppo");
    }

    #[test]
    fn latin1_is_decoded() {
        assert_eq!(decode(b"Ni\xF1o and Fran\xE7ois", false).unwrap(), "Niño and François");
    }

    #[test]
    fn broken_utf8_is_an_error_unless_lossy() {
        let bytes = "Marea – “shelling” ".bytes().chain([0xFF, 0xFE, b'x']).collect::<Vec<_>>();
        assert!(matches!(decode(&bytes, false), Err(ReadErrorKind::BrokenUtf8(_))));
        assert!(decode(&bytes, true).unwrap().contains('\u{FFFD}'));
    }

    #[test]
    fn binary_and_empty_are_refused() {
        assert!(matches!(decode(b"", false), Err(ReadErrorKind::Empty)));
        assert!(matches!(decode(b" \n\t ", false), Err(ReadErrorKind::Empty)));
        assert!(matches!(decode(b"\x89PNG\r\n\x1a\n....", false), Err(ReadErrorKind::Binary(_))));
        assert!(matches!(decode(b"abc\0def", false), Err(ReadErrorKind::Binary(_))));
        let noise: Vec<u8> = (0..4000u32).map(|i| (i % 31) as u8 + 1).collect();
        assert!(matches!(decode(&noise, false), Err(ReadErrorKind::Binary(_))));
    }
}
