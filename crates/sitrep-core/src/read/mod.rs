//! Reading: from paths (files, folders, globs, `-` for stdin) to cleaned [`Article`]s.
//!
//! Each input's format is detected (plain text, HTML, JSON, JSON Lines, CSV) unless forced;
//! bytes are decoded ([`decode`]); each document or record becomes a [`RawDoc`] that
//! [`crate::clean`] turns into an article. One bad input or record is one [`ReadError`] handed
//! to the caller, and reading goes on with the rest.

pub mod decode;
pub mod html;
mod records;

use crate::clean;
use crate::dates::DateOrder;
use crate::error::{ReadError, ReadErrorKind};
use crate::knowledge::{Boilerplate, Outlets};
use crate::model::{Article, Format, Published};
use std::io::Read;
use std::path::{Path, PathBuf};

pub use records::FieldMap;

/// A document as read, before cleaning.
#[derive(Debug, Clone)]
pub struct RawDoc {
    pub input: String,
    pub format: Format,
    /// The decoded original text; the article's offsets point into it.
    pub text: String,
    /// Where the body starts in `text`.
    pub body_start: usize,
    pub title: Option<String>,
    pub source: Option<String>,
    pub byline: Option<String>,
    pub published: Option<Published>,
    pub url: Option<String>,
    /// Plain text: the first non-blank line is the title.
    pub first_line_is_title: bool,
}

impl RawDoc {
    /// A document with text only.
    pub fn plain(input: &str, format: Format, text: String, first_line_is_title: bool) -> Self {
        RawDoc {
            input: input.to_string(),
            format,
            text,
            body_start: 0,
            title: None,
            source: None,
            byline: None,
            published: None,
            url: None,
            first_line_is_title,
        }
    }
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force this format instead of detecting it.
    pub format: Option<Format>,
    /// Replace invalid UTF-8 instead of refusing the input.
    pub lossy: bool,
    /// Largest document (a file, or one record of a CSV/JSON Lines file) in bytes.
    pub max_bytes: u64,
    /// Largest file, in bytes (CSV and JSON Lines files hold many documents).
    pub max_file_bytes: u64,
    /// Field and column names for JSON and CSV.
    pub fields: FieldMap,
    /// How to read all-numeric dates; `None` picks by layout (FA-KES CSV is month-first).
    pub date_order: Option<DateOrder>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            lossy: false,
            max_bytes: 10 * 1024 * 1024,
            max_file_bytes: 2 * 1024 * 1024 * 1024,
            fields: FieldMap::default(),
            date_order: None,
        }
    }
}

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::Path(p) => p.display().to_string(),
        }
    }
}

/// Expands command-line arguments into inputs: `-` is stdin, a folder is walked recursively
/// (hidden files skipped, sorted), a glob is matched. Arguments that match nothing are errors.
pub fn expand(args: &[String]) -> (Vec<Input>, Vec<ReadError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let p = Path::new(arg);
        if p.is_dir() {
            let walk = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
            let before = (inputs.len(), errors.len());
            for e in walk {
                match e {
                    Ok(e) if e.file_type().is_file() => inputs.push(Input::Path(e.into_path())),
                    Ok(_) => {}
                    Err(err) => {
                        let name = err.path().map_or_else(|| arg.clone(), |p| p.display().to_string());
                        errors.push(ReadError::new(name, ReadErrorKind::Io(err.into())));
                    }
                }
            }
            if (inputs.len(), errors.len()) == before {
                errors.push(ReadError::new(arg.clone(), ReadErrorKind::EmptyFolder));
            }
        } else if p.exists() {
            match not_regular(p) {
                Some(kind) => errors.push(ReadError::new(arg.clone(), kind)),
                None => inputs.push(Input::Path(p.to_path_buf())),
            }
        } else if arg.contains(['*', '?', '[']) {
            match glob::glob(arg) {
                Ok(paths) => {
                    let before = inputs.len();
                    for g in paths {
                        match g {
                            Ok(path) if path.is_file() => inputs.push(Input::Path(path)),
                            Ok(_) => {}
                            Err(e) => errors.push(ReadError::new(e.path().display().to_string(), ReadErrorKind::Io(e.into()))),
                        }
                    }
                    if inputs.len() == before {
                        errors.push(ReadError::new(arg.clone(), ReadErrorKind::Glob("no file matches".into())));
                    }
                }
                Err(e) => errors.push(ReadError::new(arg.clone(), ReadErrorKind::Glob(e.to_string()))),
            }
        } else {
            errors.push(ReadError::new(arg.clone(), ReadErrorKind::NotFound));
        }
    }
    (inputs, errors)
}

/// Reads one input, handing each article (or error) to `sink` as soon as it is ready.
pub fn read_input(input: &Input, opts: &ReadOptions, sink: &mut dyn FnMut(Result<Article, ReadError>)) {
    let name = input.name();
    let bytes = match load(input, opts) {
        Ok(b) => b,
        Err(kind) => return sink(Err(ReadError::new(name, kind))),
    };
    read_bytes(&name, &bytes, opts, sink);
}

/// Why a path that exists is not read: a named pipe, socket or device (`None`: a regular
/// file, or a symbolic link to one). Checked before opening: opening a pipe blocks until a
/// writer comes.
fn not_regular(p: &Path) -> Option<ReadErrorKind> {
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) => return Some(ReadErrorKind::Io(e)),
    };
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some(ReadErrorKind::NotRegular("a named pipe"));
        }
        if t.is_socket() {
            return Some(ReadErrorKind::NotRegular("a socket"));
        }
        if t.is_char_device() || t.is_block_device() {
            return Some(ReadErrorKind::NotRegular("a device"));
        }
    }
    Some(ReadErrorKind::NotRegular(if t.is_dir() { "a folder" } else { "not a file" }))
}

/// Reads a stream (standard input) with the limits applied as it comes: at most one
/// document's worth (`max_bytes`), unless what came so far holds many documents (CSV or JSON
/// Lines, forced or detected), which may go on to `max_file_bytes`. Never more is read.
fn load_stream(mut r: impl Read, opts: &ReadOptions) -> Result<Vec<u8>, ReadErrorKind> {
    let mut buf = Vec::new();
    (&mut r).take(opts.max_bytes + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 <= opts.max_bytes {
        return Ok(buf);
    }
    let head = String::from_utf8_lossy(&buf[..buf.len().min(64 * 1024)]);
    let format = opts.format.unwrap_or_else(|| detect("-", &head));
    if !matches!(format, Format::Csv | Format::Jsonl) {
        return Err(ReadErrorKind::StreamTooLarge { limit: opts.max_bytes });
    }
    let rest = opts.max_file_bytes.saturating_sub(buf.len() as u64) + 1;
    r.take(rest).read_to_end(&mut buf)?;
    if buf.len() as u64 > opts.max_file_bytes {
        return Err(ReadErrorKind::StreamTooLarge { limit: opts.max_file_bytes });
    }
    Ok(buf)
}

fn load(input: &Input, opts: &ReadOptions) -> Result<Vec<u8>, ReadErrorKind> {
    let mut buf = Vec::new();
    match input {
        Input::Stdin => return load_stream(std::io::stdin().lock(), opts),
        Input::Path(p) => {
            if let Some(kind) = not_regular(p) {
                return Err(kind);
            }
            let f = std::fs::File::open(p)?;
            let len = f.metadata()?.len();
            if len > opts.max_file_bytes {
                return Err(ReadErrorKind::TooLarge { size: len, limit: opts.max_file_bytes });
            }
            let many_docs = matches!(format_from_extension(p), Some(Format::Csv | Format::Jsonl));
            if !many_docs && len > opts.max_bytes {
                return Err(ReadErrorKind::TooLarge { size: len, limit: opts.max_bytes });
            }
            buf.reserve(len as usize);
            f.take(opts.max_file_bytes + 1).read_to_end(&mut buf)?;
        }
    }
    if buf.len() as u64 > opts.max_file_bytes {
        return Err(ReadErrorKind::TooLarge { size: buf.len() as u64, limit: opts.max_file_bytes });
    }
    Ok(buf)
}

fn format_from_extension(p: &Path) -> Option<Format> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    let ext = if ext == "gz" { return None } else { ext };
    Some(match ext.as_str() {
        "html" | "htm" | "xhtml" | "shtml" => Format::Html,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::Jsonl,
        "csv" | "tsv" => Format::Csv,
        "txt" | "text" | "md" => Format::Text,
        _ => return None,
    })
}

/// Detects the format of decoded text: the extension first, then the content.
pub fn detect(name: &str, text: &str) -> Format {
    if let Some(f) = format_from_extension(Path::new(name)) {
        if f == Format::Json && looks_like_jsonl(text) {
            return Format::Jsonl;
        }
        return f;
    }
    let t = text.trim_start_matches('\u{FEFF}').trim_start();
    if t.starts_with('<') {
        let head: String = t.chars().take(2048).collect::<String>().to_ascii_lowercase();
        if ["<!doctype html", "<html", "<head", "<body", "<article", "<div", "<p>", "<p ", "<meta", "<title"]
            .iter()
            .any(|m| head.contains(m))
        {
            return Format::Html;
        }
    }
    if t.starts_with('{') {
        return if looks_like_jsonl(t) { Format::Jsonl } else { Format::Json };
    }
    if t.starts_with('[') && serde_json::from_str::<serde_json::Value>(t).is_ok() {
        return Format::Json;
    }
    if looks_like_csv(t) {
        return Format::Csv;
    }
    Format::Text
}

/// A CSV header: the first line is two or more comma-separated names (short, no spaces
/// inside), one of them a field that holds an article's text or title. Prose never looks so.
fn looks_like_csv(t: &str) -> bool {
    const TEXT_FIELDS: &[&str] = &[
        "text",
        "content",
        "body",
        "article_content",
        "articlebody",
        "maintext",
        "article",
        "story",
        "html",
        "title",
        "headline",
        "article_title",
    ];
    let Some(first) = t.lines().next() else { return false };
    let names: Vec<String> = first.split(',').map(|f| f.trim().trim_matches('"').trim().to_ascii_lowercase()).collect();
    names.len() >= 2
        && names.iter().all(|n| !n.is_empty() && n.len() <= 40 && n.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        && names.iter().any(|n| TEXT_FIELDS.contains(&n.as_str()))
}

fn looks_like_jsonl(t: &str) -> bool {
    let mut lines = t.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next();
    let second = lines.next();
    matches!((first, second), (Some(a), Some(b)) if a.starts_with('{') && a.ends_with('}') && b.starts_with('{'))
}

/// Reads a whole input from its bytes (`name` names it in errors and in `Article::input`).
pub fn read_bytes(name: &str, bytes: &[u8], opts: &ReadOptions, sink: &mut dyn FnMut(Result<Article, ReadError>)) {
    let text = match decode::decode(bytes, opts.lossy) {
        Ok(t) => t,
        Err(kind) => return sink(Err(ReadError::new(name, kind))),
    };
    let format = opts.format.unwrap_or_else(|| detect(name, &text));
    let one_doc = !matches!(format, Format::Csv | Format::Jsonl);
    if one_doc && text.len() as u64 > opts.max_bytes {
        return sink(Err(ReadError::new(name, ReadErrorKind::TooLarge { size: text.len() as u64, limit: opts.max_bytes })));
    }
    let order = opts.date_order.unwrap_or_default();
    let finish = |doc: RawDoc, order: DateOrder| -> Result<Article, ReadError> {
        let input = doc.input.clone();
        clean::clean(doc, Boilerplate::builtin(), Outlets::builtin(), order).map_err(|k| ReadError::new(input, k))
    };
    match format {
        Format::Text => sink(finish(RawDoc::plain(name, Format::Text, text, true), order)),
        Format::Html => match html::read(name, &text) {
            Ok(doc) => sink(finish(doc, order)),
            Err(kind) => sink(Err(ReadError::new(name, kind))),
        },
        Format::Json | Format::Jsonl | Format::Csv => {
            records::read(name, format, &text, opts, &mut |doc, order| match doc {
                Ok(doc) => sink(finish(doc, order)),
                Err(e) => sink(Err(e)),
            });
        }
    }
}

/// Reads every input, in order; returns the articles and the errors.
pub fn read_all(inputs: &[Input], opts: &ReadOptions) -> (Vec<Article>, Vec<ReadError>) {
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        read_input(input, opts, &mut |r| match r {
            Ok(a) => articles.push(a),
            Err(e) => errors.push(e),
        });
    }
    (articles, errors)
}

/// One article from a text, for tests: the text must read.
#[cfg(test)]
pub(crate) fn test_article(name: &str, text: &str) -> crate::model::Article {
    let mut out = None;
    read_bytes(name, text.as_bytes(), &ReadOptions::default(), &mut |r| out = r.ok());
    out.expect("the test text reads")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that never ends and counts what was taken from it.
    struct Endless<'a>(&'a std::cell::Cell<u64>, u8);
    impl Read for Endless<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(self.1);
            self.0.set(self.0.get() + buf.len() as u64);
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_stream_is_cut_at_the_document_limit() {
        let opts = ReadOptions { max_bytes: 1 << 20, ..ReadOptions::default() };
        for byte in [0u8, b'a'] {
            let taken = std::cell::Cell::new(0);
            let err = load_stream(Endless(&taken, byte), &opts).unwrap_err();
            assert!(matches!(err, ReadErrorKind::StreamTooLarge { limit } if limit == 1 << 20), "{err}");
            assert!(err.to_string().contains("1048576"), "{err}");
            // Read in buffer-sized steps: a little past the limit, never the 2 GiB file limit.
            assert!(taken.get() < 2 << 20, "read {} bytes", taken.get());
        }
        // CSV may hold many documents: it goes on to the file limit.
        let opts = ReadOptions { max_bytes: 64, max_file_bytes: 4096, ..ReadOptions::default() };
        let csv = "title,text\n".to_string() + &"A,B\n".repeat(100);
        assert_eq!(load_stream(csv.as_bytes(), &opts).unwrap().len(), csv.len());
        let err = load_stream(csv.repeat(20).as_bytes(), &opts).unwrap_err();
        assert!(err.to_string().contains("4096"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn pipes_and_devices_are_refused_without_opening_them() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        if made {
            let (inputs, errors) = expand(&[fifo.display().to_string()]);
            assert!(inputs.is_empty());
            assert_eq!(errors.len(), 1);
            assert!(errors[0].to_string().contains("named pipe"), "{}", errors[0]);
            // Read directly (not through `expand`): refused too, without blocking on open.
            let mut got = Vec::new();
            read_input(&Input::Path(fifo), &ReadOptions::default(), &mut |r| got.push(r.map(|_| ()).map_err(|e| e.to_string())));
            assert!(matches!(&got[..], [Err(e)] if e.contains("named pipe")), "{got:?}");
        }
        let (inputs, errors) = expand(&["/dev/zero".to_string()]);
        assert!(inputs.is_empty());
        assert!(errors[0].to_string().starts_with("/dev/zero: not a regular file (a device)"), "{}", errors[0]);
    }

    #[test]
    fn detection() {
        assert_eq!(detect("a.txt", "<html>"), Format::Text);
        assert_eq!(detect("a", "<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(detect("a", "{\"title\": 1}\n{\"title\": 2}\n"), Format::Jsonl);
        assert_eq!(detect("a", "{\"title\": 1,\n \"text\": 2}"), Format::Json);
        assert_eq!(detect("a", "[{\"title\": 1}]"), Format::Json);
        assert_eq!(detect("a.json", "{\"a\":1}\n{\"a\":2}"), Format::Jsonl);
        assert_eq!(detect("a", "ISIS takes town\n\nText"), Format::Text);
        assert_eq!(detect("x.CSV", "a,b"), Format::Csv);
        // CSV without a name to tell it (standard input): by its header.
        assert_eq!(detect("-", "unit_id,article_title,article_content,source,date\n1,T,\"Text, more\",SANA,2016-01-01\n"), Format::Csv);
        assert_eq!(detect("-", "\"title\",\"text\"\nA,B\n"), Format::Csv);
        assert_eq!(detect("-", "Aleppo, Syria, title and text\nA car bomb exploded.\n"), Format::Text);
        assert_eq!(detect("-", "Title\n\nBody text, with a comma.\n"), Format::Text);
    }
}
