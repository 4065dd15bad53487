//! WARC files (ISO 28500, versions 0.x and 1.x): how news crawls are distributed. Each
//! `response` record whose HTTP response is a successful HTML page is one article, its URL
//! (`WARC-Target-URI`) and crawl date (`WARC-Date`) from the record's headers; other records
//! (requests, metadata, images, redirects) are skipped and counted. A record that cannot be
//! read is one error: a corrupt header is skipped up to the next record, a record cut short
//! by the end of the file ends the file.

use super::compressed::{self, Codec};
use crate::error::ReadErrorKind;
use crate::model::Published;

/// Whether the bytes are a WARC file (they start with a WARC record header).
pub fn is_warc(bytes: &[u8]) -> bool {
    bytes.starts_with(b"WARC/")
}

/// An HTML page found in a WARC file.
#[derive(Debug)]
pub struct Page {
    /// The record's number in the file (1-based, counting every record).
    pub record: usize,
    pub url: Option<String>,
    pub date: Option<Published>,
    /// The charset the HTTP `Content-Type` names, if any.
    pub charset: Option<String>,
    pub body: Vec<u8>,
}

/// One item of a WARC file, in file order.
#[derive(Debug)]
pub enum Item {
    Page(Page),
    /// A record that is not an HTML page.
    Skipped,
    /// A record that could not be read: its number and why.
    Error(usize, ReadErrorKind),
}

/// Reads the records of a WARC file (already decompressed), handing each to `out` in order.
/// Returns whether the file ended inside a record (that record's error was handed on).
pub fn records(bytes: &[u8], max_body: u64, out: &mut dyn FnMut(Item)) -> bool {
    let mut pos = 0;
    let mut n = 0;
    while pos < bytes.len() {
        // Blank lines between records.
        while pos < bytes.len() && matches!(bytes[pos], b'\r' | b'\n') {
            pos += 1;
        }
        if pos >= bytes.len() {
            break;
        }
        n += 1;
        let bad = |why: String| ReadErrorKind::Warc(why);
        if !bytes[pos..].starts_with(b"WARC/") {
            out(Item::Error(n, bad(format!("no WARC header at byte {pos}; skipped to the next record"))));
            match next_record(bytes, pos) {
                Some(p) => {
                    pos = p;
                    continue;
                }
                None => break,
            }
        }
        let Some((head_len, sep)) = find_blank_line(&bytes[pos..]) else {
            out(Item::Error(n, bad(format!("the header at byte {pos} has no end: the file is cut short"))));
            return true;
        };
        let head = String::from_utf8_lossy(&bytes[pos..pos + head_len]);
        let headers = parse_headers(head.lines().skip(1));
        let block_start = pos + head_len + sep;
        let Some(len) = header(&headers, "content-length").and_then(|v| v.trim().parse::<usize>().ok()) else {
            out(Item::Error(n, bad(format!("the record at byte {pos} has no valid Content-Length; skipped to the next record"))));
            match next_record(bytes, block_start) {
                Some(p) => {
                    pos = p;
                    continue;
                }
                None => break,
            }
        };
        let left = bytes.len() - block_start;
        if len > left {
            out(Item::Error(n, bad(format!("cut short: Content-Length {len}, {left} bytes left in the file"))));
            return true;
        }
        let block = &bytes[block_start..block_start + len];
        pos = block_start + len;
        out(match record_item(n, &headers, block, max_body) {
            Ok(Some(page)) => Item::Page(page),
            Ok(None) => Item::Skipped,
            Err(kind) => Item::Error(n, kind),
        });
    }
    false
}

/// The page a record holds, if it is a successful HTML response.
fn record_item(n: usize, headers: &[(String, String)], block: &[u8], max_body: u64) -> Result<Option<Page>, ReadErrorKind> {
    let kind = header(headers, "warc-type").unwrap_or("").trim().to_ascii_lowercase();
    let ctype = header(headers, "content-type").unwrap_or("").to_ascii_lowercase();
    if kind != "response" || !ctype.starts_with("application/http") {
        return Ok(None);
    }
    let Some((head_len, sep)) = find_blank_line(block) else {
        return Err(ReadErrorKind::Warc("the HTTP response has no end of headers".into()));
    };
    let head = String::from_utf8_lossy(&block[..head_len]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("");
    let code = status.split_whitespace().nth(1).and_then(|c| c.parse::<u16>().ok());
    if !code.is_some_and(|c| (200..300).contains(&c)) {
        return Ok(None);
    }
    let http = parse_headers(lines);
    let body = &block[head_len + sep..];
    let http_type = header(&http, "content-type").unwrap_or("").to_ascii_lowercase();
    let html_type = http_type.contains("html");
    if !(html_type || http_type.is_empty() && sniff_html(body)) {
        return Ok(None);
    }
    let mut body = body.to_vec();
    if header(&http, "transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        body = dechunk(&body).ok_or_else(|| ReadErrorKind::Warc("bad chunked transfer encoding".into()))?;
    }
    match header(&http, "content-encoding").map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("identity") => {}
        Some("gzip") | Some("x-gzip") => body = inflate(Codec::Gzip, &body, max_body)?,
        Some("zstd") => body = inflate(Codec::Zstd, &body, max_body)?,
        Some(other) => return Err(ReadErrorKind::Warc(format!("content encoding {other} is not supported"))),
    }
    let charset = http_type.split(';').find_map(|p| p.trim().strip_prefix("charset=").map(|c| c.trim_matches(['"', '\'']).to_string()));
    let url = header(headers, "warc-target-uri").map(|u| u.trim().trim_start_matches('<').trim_end_matches('>').to_string());
    let date = header(headers, "warc-date").and_then(|d| {
        let d = chrono::DateTime::parse_from_rfc3339(d.trim()).ok()?.naive_utc();
        Some(Published { date: d.date(), time: Some(d.time()) })
    });
    Ok(Some(Page { record: n, url: url.filter(|u| !u.is_empty()), date, charset, body }))
}

fn inflate(codec: Codec, body: &[u8], max_body: u64) -> Result<Vec<u8>, ReadErrorKind> {
    let d = compressed::decompress(codec, body, max_body, max_body, |_| false)?;
    match d.error {
        Some(e) => Err(e),
        None => Ok(d.bytes),
    }
}

/// A page without a declared type: HTML if it starts like one.
fn sniff_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// Where the header ends: the length up to the blank line and the blank line's length.
fn find_blank_line(b: &[u8]) -> Option<(usize, usize)> {
    let crlf = b.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    let lf = b.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// The start of the next record header after `from`: a line beginning `WARC/`.
fn next_record(b: &[u8], from: usize) -> Option<usize> {
    b[from..].windows(6).position(|w| w == b"\nWARC/").map(|i| from + i + 1)
}

fn parse_headers<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Undoes HTTP chunked transfer encoding.
fn dechunk(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    let mut pos = 0;
    loop {
        let eol = b[pos..].windows(2).position(|w| w == b"\r\n")? + pos;
        let size_text = std::str::from_utf8(&b[pos..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        pos = eol + 2;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(pos..pos.checked_add(size)?)?);
        pos += size + 2;
        if pos > b.len() {
            return Some(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, ctype: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://example.org/a\r\nWARC-Date: 2016-03-04T05:06:07Z\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn items(bytes: &[u8]) -> Vec<Item> {
        let mut v = Vec::new();
        let cut = records(bytes, 1 << 20, &mut |i| v.push(i));
        assert_eq!(cut, matches!(v.last(), Some(Item::Error(_, e)) if e.to_string().contains("cut short")));
        v
    }

    const PAGE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hi</p></body></html>";

    #[test]
    fn responses_with_html_are_pages_the_rest_skipped() {
        let mut f = record("warcinfo", "application/warc-fields", b"software: test\r\n");
        f.extend(record("request", "application/http; msgtype=request", b"GET /a HTTP/1.1\r\n\r\n"));
        f.extend(record("response", "application/http; msgtype=response", PAGE));
        f.extend(record("response", "application/http; msgtype=response", b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"));
        f.extend(record("response", "application/http; msgtype=response", b"HTTP/1.1 301 Moved\r\nLocation: /b\r\n\r\n"));
        let got = items(&f);
        assert_eq!(got.len(), 5);
        assert_eq!(got.iter().filter(|i| matches!(i, Item::Skipped)).count(), 4);
        let Item::Page(p) = &got[2] else { panic!("{got:?}") };
        assert_eq!((p.record, p.url.as_deref(), p.charset.as_deref()), (3, Some("https://example.org/a"), Some("utf-8")));
        assert_eq!(p.date.as_ref().map(|d| d.date.to_string()), Some("2016-03-04".to_string()));
        assert!(p.body.starts_with(b"<html>"));
    }

    #[test]
    fn a_cut_record_is_one_error_and_a_corrupt_one_is_skipped() {
        let mut f = record("response", "application/http; msgtype=response", PAGE);
        f.extend(b"garbage that is no record\r\n\r\n");
        f.extend(record("response", "application/http; msgtype=response", PAGE));
        let whole = record("response", "application/http; msgtype=response", PAGE);
        f.extend(&whole[..whole.len() - 20]);
        let got = items(&f);
        let kinds: Vec<&str> = got
            .iter()
            .map(|i| match i {
                Item::Page(_) => "page",
                Item::Skipped => "skipped",
                Item::Error(..) => "error",
            })
            .collect();
        assert_eq!(kinds, ["page", "error", "page", "error"]);
        let Item::Error(n, e) = &got[3] else { unreachable!() };
        assert_eq!(*n, 4);
        assert!(e.to_string().contains("cut short"), "{e}");
    }

    #[test]
    fn chunked_and_gzip_bodies() {
        assert_eq!(dechunk(b"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n").unwrap(), b"Wikipedia");
        assert!(dechunk(b"zz\r\n").is_none());
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"<html><body><p>Zipped</p></body></html>").unwrap();
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend(e.finish().unwrap());
        let got = items(&record("response", "application/http; msgtype=response", &block));
        assert!(matches!(&got[..], [Item::Page(p)] if p.body.ends_with(b"</html>")), "{got:?}");
    }
}
