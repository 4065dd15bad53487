//! Reading: from paths (files, folders, globs, `-` for stdin) to cleaned [`Article`]s.
//!
//! Each input's format is detected (plain text, HTML, JSON, JSON Lines, CSV) unless forced;
//! bytes are decoded ([`decode`]); each document or record becomes a [`RawDoc`] that
//! [`crate::clean`] turns into an article. One bad input or record is one [`ReadError`] handed
//! to the caller, and reading goes on with the rest.

pub mod compressed;
pub mod decode;
pub mod html;
pub mod meta;
mod records;
pub mod warc;

use crate::clean;
use crate::dates::DateOrder;
use crate::error::{ReadError, ReadErrorKind};
use crate::knowledge::{Boilerplate, Outlets};
use crate::model::{Article, Format};
use rayon::prelude::*;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

pub use crate::model::RawDoc;
pub use records::FieldMap;

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

/// What reading an input counted besides its articles and errors.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// WARC records that are not HTML pages (requests, metadata, images, redirects).
    pub skipped: usize,
}

/// Reads one input, handing each article (or error) to `sink` as soon as it is ready, in
/// input order (the records of a file are read in parallel, in chunks).
pub fn read_input(input: &Input, opts: &ReadOptions, sink: &mut dyn FnMut(Result<Article, ReadError>)) -> Summary {
    let name = input.name();
    let bytes = match load(input, opts) {
        Ok(b) => b,
        Err(kind) => {
            sink(Err(ReadError::new(name, kind)));
            return Summary::default();
        }
    };
    read_bytes(&name, &bytes, opts, sink)
}

/// What [`read_inputs`] hands on, in input order.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // handed on by value, one at a time: never stored in bulk
pub enum Item<'a> {
    Article(Result<Article, ReadError>),
    /// An input is done (after its articles).
    Done(&'a Input, Summary),
}

/// Most files read side by side (and held until handed on).
const GROUP_FILES: usize = 64;
/// Largest file read side by side with others; larger ones, and files of many documents, are
/// read alone, their records in parallel and handed on as they come.
const GROUP_FILE_BYTES: u64 = 4 << 20;

/// Reads every input on every core (rayon), handing the articles, errors and ends of inputs
/// to `sink` in input order; `sink` stops the reading by breaking.
pub fn read_inputs<'a>(inputs: &'a [Input], opts: &ReadOptions, sink: &mut dyn FnMut(Item<'a>) -> ControlFlow<()>) {
    let small = |i: &Input| match i {
        Input::Stdin => false,
        Input::Path(p) => {
            let name = p.to_string_lossy();
            let inner = compressed::inner_name(&name);
            // A compressed page is one document too (its size, decompressed, is bounded by
            // the document limit); a compressed crawl or CSV is many.
            let limit = if inner.len() < name.len() { GROUP_FILE_BYTES / 4 } else { GROUP_FILE_BYTES };
            !many_docs_name(inner) && std::fs::metadata(p).is_ok_and(|m| m.len() <= limit)
        }
    };
    let mut i = 0;
    while i < inputs.len() {
        let mut j = i;
        while j < inputs.len() && j - i < GROUP_FILES && small(&inputs[j]) {
            j += 1;
        }
        if j <= i + 1 {
            let mut stop = false;
            let summary = read_input(&inputs[i], opts, &mut |r| {
                if !stop {
                    stop = sink(Item::Article(r)).is_break();
                }
            });
            if stop || sink(Item::Done(&inputs[i], summary)).is_break() {
                return;
            }
            i += 1;
            continue;
        }
        let read: Vec<(Vec<Result<Article, ReadError>>, Summary)> = inputs[i..j]
            .par_iter()
            .map(|input| {
                let mut got = Vec::new();
                let summary = read_input(input, opts, &mut |r| got.push(r));
                (got, summary)
            })
            .collect();
        for (input, (got, summary)) in inputs[i..j].iter().zip(read) {
            for r in got {
                if sink(Item::Article(r)).is_break() {
                    return;
                }
            }
            if sink(Item::Done(input, summary)).is_break() {
                return;
            }
        }
        i = j;
    }
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
    let many = compressed::codec_of(&buf).is_some() || warc::is_warc(&buf);
    if !many && !matches!(format, Format::Csv | Format::Jsonl) {
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
            if !many_docs_name(&p.to_string_lossy()) && len > opts.max_bytes {
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

/// Whether a file of this name may hold many documents (CSV, JSON Lines, WARC), or is
/// compressed (its size is checked once decompressed).
fn many_docs_name(name: &str) -> bool {
    let inner = compressed::inner_name(name);
    inner.len() < name.len() || is_warc_name(inner) || matches!(format_from_extension(Path::new(inner)), Some(Format::Csv | Format::Jsonl))
}

fn is_warc_name(name: &str) -> bool {
    let n = compressed::inner_name(name).to_ascii_lowercase();
    n.ends_with(".warc") || n.ends_with(".arc")
}

/// The format an extension names; a compression extension is looked through (`a.csv.gz`).
fn format_from_extension(p: &Path) -> Option<Format> {
    let name = p.to_str()?;
    let ext = Path::new(compressed::inner_name(name)).extension()?.to_str()?.to_ascii_lowercase();
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

/// Reads a whole input from its bytes (`name` names it in errors and in `Article::input`),
/// handing each article or error to `sink` in input order. Compressed bytes are decompressed
/// first; records (CSV rows, JSON objects, WARC pages) are made into articles in parallel.
pub fn read_bytes(name: &str, bytes: &[u8], opts: &ReadOptions, sink: &mut dyn FnMut(Result<Article, ReadError>)) -> Summary {
    let mut runner = Runner { opts, jobs: Vec::new(), sink };
    let (summary, _) = split(name, name, bytes, opts, false, &mut |job| runner.push(job));
    runner.flush();
    summary
}

/// What is left to do for one article once its input has been split into documents: the
/// costly part (HTML extraction, cleaning), run in parallel.
enum Job {
    Text(RawDoc),
    Html { input: String, html: String },
    Page { input: String, page: warc::Page },
    Record(records::Record),
    Failed(ReadError),
}

/// Runs jobs in parallel chunks and hands their results on in order.
struct Runner<'a, 'b> {
    opts: &'a ReadOptions,
    jobs: Vec<Job>,
    sink: &'b mut dyn FnMut(Result<Article, ReadError>),
}

impl Runner<'_, '_> {
    fn push(&mut self, job: Job) {
        self.jobs.push(job);
        if self.jobs.len() >= 16 * rayon::current_num_threads() {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let opts = self.opts;
        let jobs = std::mem::take(&mut self.jobs);
        if jobs.len() == 1 {
            jobs.into_iter().for_each(|j| (self.sink)(run(j, opts)));
        } else {
            let done: Vec<_> = jobs.into_par_iter().map(|j| run(j, opts)).collect();
            done.into_iter().for_each(|r| (self.sink)(r));
        }
    }
}

fn run(job: Job, opts: &ReadOptions) -> Result<Article, ReadError> {
    let default_order = opts.date_order.unwrap_or_default();
    let (doc, order) = match job {
        Job::Text(doc) => (doc, default_order),
        Job::Html { input, html } => (html::read(&input, &html).map_err(|k| ReadError::new(&input, k))?, default_order),
        Job::Page { input, page } => (page_doc(&input, page, opts).map_err(|k| ReadError::new(&input, k))?, default_order),
        Job::Record(rec) => {
            let order = rec.order;
            (records::to_doc(rec, opts)?, order)
        }
        Job::Failed(e) => return Err(e),
    };
    let input = doc.input.clone();
    clean::clean(doc, Boilerplate::builtin(), Outlets::builtin(), order).map_err(|k| ReadError::new(input, k))
}

/// The article of a WARC page: decoded by the charset its response names (else as any
/// input), its URL the record's, its date the page's or else the crawl's.
fn page_doc(input: &str, page: warc::Page, opts: &ReadOptions) -> Result<RawDoc, ReadErrorKind> {
    if page.body.len() as u64 > opts.max_bytes {
        return Err(ReadErrorKind::TooLarge { size: page.body.len() as u64, limit: opts.max_bytes });
    }
    let declared = page.charset.as_deref().and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()));
    let text = match declared {
        Some(enc) if enc != encoding_rs::UTF_8 => {
            let text = enc.decode(&page.body).0.into_owned();
            if text.trim().is_empty() {
                return Err(ReadErrorKind::Empty);
            }
            text
        }
        _ => decode::decode(&page.body, opts.lossy)?,
    };
    let mut doc = html::read(input, &text)?;
    doc.url = page.url.or(doc.url);
    doc.published = doc.published.or(page.date);
    Ok(doc)
}

/// Splits an input into jobs, in order. `detect_name` tells the format (the name without
/// its compression extension); `name` names the input. Also returns whether the data ended
/// inside a WARC record (an error already said so).
fn split(name: &str, detect_name: &str, bytes: &[u8], opts: &ReadOptions, inner: bool, push: &mut dyn FnMut(Job)) -> (Summary, bool) {
    let fail = |kind| Job::Failed(ReadError::new(name, kind));
    if let (Some(codec), false) = (compressed::codec_of(bytes), inner) {
        let inner_name = compressed::inner_name(detect_name);
        let many_by_name = many_docs_name(inner_name);
        let first = if many_by_name { opts.max_file_bytes } else { opts.max_bytes };
        let grow = |head: &[u8]| {
            warc::is_warc(head)
                || matches!(detect("-", &String::from_utf8_lossy(&head[..head.len().min(64 * 1024)])), Format::Csv | Format::Jsonl)
        };
        let d = match compressed::decompress(codec, bytes, first, opts.max_file_bytes, grow) {
            Ok(d) => d,
            Err(kind) => {
                push(fail(kind));
                return (Summary::default(), false);
            }
        };
        // Cut short: what came is read when it holds many documents (a crawl, a CSV).
        let (summary, cut) = if d.error.is_none() || (!d.bytes.is_empty() && (many_by_name || grow(&d.bytes))) {
            split(name, inner_name, &d.bytes, opts, true, push)
        } else {
            (Summary::default(), false)
        };
        // A crawl cut inside a record has said so for that record: one error, not two.
        if let (Some(kind), false) = (d.error, cut) {
            push(fail(kind));
        }
        return (summary, false);
    }
    if opts.format.is_none() && (warc::is_warc(bytes) || is_warc_name(detect_name)) {
        let mut summary = Summary::default();
        let cut = warc::records(bytes, opts.max_bytes, &mut |item| match item {
            warc::Item::Page(page) => push(Job::Page { input: format!("{name}#{}", page.record), page }),
            warc::Item::Skipped => summary.skipped += 1,
            warc::Item::Error(n, kind) => push(Job::Failed(ReadError::new(format!("{name}#{n}"), kind))),
        });
        return (summary, cut);
    }
    let text = match decode::decode(bytes, opts.lossy) {
        Ok(t) => t,
        Err(kind) => {
            push(fail(kind));
            return (Summary::default(), false);
        }
    };
    let format = opts.format.unwrap_or_else(|| detect(detect_name, &text));
    let one_doc = !matches!(format, Format::Csv | Format::Jsonl);
    if one_doc && text.len() as u64 > opts.max_bytes {
        push(fail(ReadErrorKind::TooLarge { size: text.len() as u64, limit: opts.max_bytes }));
        return (Summary::default(), false);
    }
    match format {
        Format::Text => push(Job::Text(RawDoc::plain(name, Format::Text, text, true))),
        Format::Html => push(Job::Html { input: name.to_string(), html: text }),
        Format::Json | Format::Jsonl | Format::Csv => {
            records::read(name, format, &text, opts, &mut |r| {
                push(match r {
                    Ok(rec) => Job::Record(rec),
                    Err(e) => Job::Failed(e),
                })
            });
        }
    }
    (Summary::default(), false)
}

/// Reads every input, in order; returns the articles and the errors.
pub fn read_all(inputs: &[Input], opts: &ReadOptions) -> (Vec<Article>, Vec<ReadError>) {
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    read_inputs(inputs, opts, &mut |item| {
        match item {
            Item::Article(Ok(a)) => articles.push(a),
            Item::Article(Err(e)) => errors.push(e),
            Item::Done(..) => {}
        }
        ControlFlow::Continue(())
    });
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

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn outcomes(name: &str, bytes: &[u8], opts: &ReadOptions) -> Vec<Result<String, String>> {
        let mut got = Vec::new();
        read_bytes(name, bytes, opts, &mut |r| got.push(r.map(|a| a.input).map_err(|e| e.to_string())));
        got
    }

    #[test]
    fn compressed_records_grow_to_the_file_limit_and_no_further() {
        let opts = ReadOptions { max_bytes: 1000, max_file_bytes: 100_000, ..ReadOptions::default() };
        let line = "{\"title\": \"T\", \"text\": \"Shelling hit Douma on Monday, rescuers said.\"}\n";
        // Past the document limit, within the file limit: every record, in order.
        let many = gzip(line.repeat(200).as_bytes());
        let got = outcomes("a.jsonl.gz", &many, &opts);
        assert_eq!(got.len(), 200);
        assert!(got.iter().enumerate().all(|(i, r)| r.as_deref() == Ok(format!("a.jsonl.gz:{}", i + 1).as_str())), "{got:?}");
        // Without a telling name, the content decides that it may grow.
        assert_eq!(outcomes("upload", &many, &opts).len(), 200);
        // A bomb of records: one error at the file limit.
        let bomb = gzip(line.repeat(5000).as_bytes());
        let got = outcomes("a.jsonl.gz", &bomb, &opts);
        assert!(
            matches!(&got[..], [Err(e)] if e == "a.jsonl.gz: decompresses to over 100000 bytes, the limit (--max-bytes for one document, the file limit for CSV, JSON Lines and WARC): refused"),
            "{got:?}"
        );
        // One document may not grow past the document limit.
        let page = gzip(format!("<html><body><p>{}</p></body></html>", "word ".repeat(400)).as_bytes());
        let got = outcomes("a.html.gz", &page, &opts);
        assert!(matches!(&got[..], [Err(e)] if e.contains("decompresses to over 1000 bytes")), "{got:?}");
    }

    #[test]
    fn a_cut_gzip_crawl_is_one_error_after_its_whole_records() {
        let page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>Raid</title></head><body><p>Rebels shelled the town of Nubl on Sunday, state media reported, and several people were hurt in the attack on the market.</p></body></html>";
        let rec = |n: usize| {
            let mut r = format!("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/{n}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n", page.len()).into_bytes();
            r.extend_from_slice(page);
            r.extend_from_slice(b"\r\n\r\n");
            gzip(&r)
        };
        let mut f = rec(1);
        f.extend(rec(2));
        let last = rec(3);
        f.extend(&last[..last.len() / 2]);
        let got = outcomes("c.warc.gz", &f, &ReadOptions::default());
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].as_deref(), Ok("c.warc.gz#1"));
        assert_eq!(got[1].as_deref(), Ok("c.warc.gz#2"));
        assert!(got[2].as_ref().is_err_and(|e| e.starts_with("c.warc.gz#3: bad WARC record: ")), "{got:?}");
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
