//! JSON, JSON Lines and CSV: many articles to a file, fields found by name.

use super::{html, RawDoc, ReadOptions};
use crate::dates::{self, DateOrder};
use crate::error::{ReadError, ReadErrorKind};
use crate::model::Format;
use serde_json::Value;

/// Which field (JSON key or CSV column, matched case-insensitively) holds what. Each list is
/// tried in order; the first present, non-empty field wins.
#[derive(Debug, Clone)]
pub struct FieldMap {
    pub title: Vec<String>,
    pub text: Vec<String>,
    pub html: Vec<String>,
    pub url: Vec<String>,
    pub source: Vec<String>,
    pub date: Vec<String>,
    pub byline: Vec<String>,
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            title: names(&["title", "headline", "article_title", "name"]),
            text: names(&["text", "content", "body", "article_content", "articleBody", "maintext", "article", "story"]),
            html: names(&["html", "raw_html", "page"]),
            url: names(&["url", "link", "source_url", "canonical_url"]),
            source: names(&["source", "publisher", "outlet", "site_name", "sitename", "source_domain", "domain"]),
            date: names(&[
                "published",
                "date",
                "pubdate",
                "publication_date",
                "date_publish",
                "datePublished",
                "published_at",
                "timestamp",
            ]),
            byline: names(&["byline", "author", "authors", "writer"]),
        }
    }
}

/// One record's fields, read in file order; [`to_doc`] makes the document (the costly part,
/// HTML extraction, run in parallel by the caller).
pub(super) struct Record {
    pub input: String,
    pub format: Format,
    fields: Fields,
    pub order: DateOrder,
}

type Sink<'a> = &'a mut dyn FnMut(Result<Record, ReadError>);

pub(super) fn read(name: &str, format: Format, text: &str, opts: &ReadOptions, sink: Sink<'_>) {
    let order = opts.date_order.unwrap_or_default();
    match format {
        Format::Json => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    let input = format!("{name}:[{i}]");
                    sink(json_record(&input, Format::Json, v, opts, order));
                }
            }
            Ok(v) => sink(json_record(name, Format::Json, &v, opts, order)),
            Err(e) => sink(Err(ReadError::new(name, ReadErrorKind::Json(e.to_string())))),
        },
        Format::Jsonl => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let input = format!("{name}:{}", i + 1);
                if line.len() as u64 > opts.max_bytes {
                    let kind = ReadErrorKind::TooLarge { size: line.len() as u64, limit: opts.max_bytes };
                    sink(Err(ReadError::new(input, kind)));
                    continue;
                }
                let r = serde_json::from_str::<Value>(line)
                    .map_err(|e| ReadError::new(&input, ReadErrorKind::Json(e.to_string())))
                    .and_then(|v| json_record(&input, Format::Jsonl, &v, opts, order));
                sink(r);
            }
        }
        Format::Csv => csv_records(name, text, opts, sink),
        Format::Text | Format::Html => unreachable!("records::read is for JSON and CSV"),
    }
}

fn get_str(obj: &serde_json::Map<String, Value>, keys: &[String]) -> Option<String> {
    for k in keys {
        let v = obj.get(k.as_str()).or_else(|| obj.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v));
        let s = match v {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        if !s.trim().is_empty() {
            return Some(s);
        }
    }
    None
}

fn looks_like_html(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with('<') && t.contains("</")
}

struct Fields {
    title: Option<String>,
    text: Option<String>,
    html: Option<String>,
    url: Option<String>,
    source: Option<String>,
    date: Option<String>,
    byline: Option<String>,
}

fn json_record(input: &str, format: Format, v: &Value, opts: &ReadOptions, order: DateOrder) -> Result<Record, ReadError> {
    let Value::Object(obj) = v else {
        return Err(ReadError::new(input, ReadErrorKind::Json("expected an object with article fields".into())));
    };
    let f = &opts.fields;
    let fields = Fields {
        title: get_str(obj, &f.title),
        text: get_str(obj, &f.text),
        html: get_str(obj, &f.html),
        url: get_str(obj, &f.url),
        source: get_str(obj, &f.source),
        date: get_str(obj, &f.date),
        byline: get_str(obj, &f.byline),
    };
    Ok(Record { input: input.to_string(), format, fields, order })
}

/// The document of a record: its text, or the article of its HTML, with the record's fields.
pub(super) fn to_doc(rec: Record, opts: &ReadOptions) -> Result<RawDoc, ReadError> {
    let Record { input, format, fields: f, order } = rec;
    let input = input.as_str();
    let err = |k| ReadError::new(input, k);
    let published = f.date.as_deref().and_then(|d| dates::parse_date(d.trim(), order));
    let (body, is_html) = match (f.text, f.html) {
        (Some(t), _) => {
            let h = looks_like_html(&t);
            (t, h)
        }
        (None, Some(h)) => (h, true),
        (None, None) => {
            let keys = opts.fields.text.join(", ");
            return Err(err(ReadErrorKind::Field(format!("no article text (looked for fields: {keys}; choose one with --text-field)"))));
        }
    };
    if body.len() as u64 > opts.max_bytes {
        return Err(err(ReadErrorKind::TooLarge { size: body.len() as u64, limit: opts.max_bytes }));
    }
    let mut doc = if is_html {
        let mut d = html::read(input, &body).map_err(err)?;
        d.format = format;
        d
    } else {
        RawDoc::plain(input, format, body, false)
    };
    doc.title = f.title.map(|t| t.trim().to_string()).or(doc.title);
    doc.source = f.source.map(|s| s.trim().to_string()).or(doc.source);
    doc.byline = f.byline.or(doc.byline);
    doc.published = published.or(doc.published);
    doc.url = f.url.or(doc.url);
    Ok(doc)
}

fn csv_records(name: &str, text: &str, opts: &ReadOptions, sink: Sink<'_>) {
    let delimiter = if super::compressed::inner_name(name).to_ascii_lowercase().ends_with(".tsv") { b'\t' } else { b',' };
    let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            return sink(Err(ReadError::new(name, ReadErrorKind::Csv(format!("cannot read the header: {e}")))));
        }
    };
    let col =
        |keys: &[String]| -> Vec<usize> { keys.iter().filter_map(|k| headers.iter().position(|h| h.eq_ignore_ascii_case(k))).collect() };
    let f = &opts.fields;
    let cols = [col(&f.title), col(&f.text), col(&f.html), col(&f.url), col(&f.source), col(&f.date), col(&f.byline)];
    // The FA-KES layout writes its dates month first (m/d/yy).
    let fakes = headers.iter().any(|h| h == "unit_id") && headers.iter().any(|h| h == "article_content");
    let order = opts.date_order.unwrap_or(if fakes { DateOrder::MonthFirst } else { DateOrder::DayFirst });
    if cols[1].is_empty() && cols[2].is_empty() {
        let keys = f.text.join(", ");
        let msg = format!("no text column (looked for: {keys}; the header has: {}; choose one with --text-field)", headers.join(", "));
        return sink(Err(ReadError::new(name, ReadErrorKind::Csv(msg))));
    }
    let mut record = csv::StringRecord::new();
    // Line numbers from byte offsets (the csv crate's own line count is off in CRLF files).
    let (mut counted_to, mut line_no) = (0usize, 1usize);
    let mut line_at = |byte: u64| -> usize {
        // A record's position can fall on the line ending before it (CRLF files).
        let mut b = (byte as usize).min(text.len());
        while b < text.len() && matches!(text.as_bytes()[b], b'\r' | b'\n') {
            b += 1;
        }
        if b >= counted_to {
            line_no += text.as_bytes()[counted_to..b].iter().filter(|&&c| c == b'\n').count();
            counted_to = b;
        }
        line_no
    };
    loop {
        let line = line_at(rdr.position().byte());
        let input = format!("{name}:{line}");
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let pick = |c: &Vec<usize>| c.iter().filter_map(|&i| record.get(i)).find(|s| !s.trim().is_empty()).map(String::from);
                let fields = Fields {
                    title: pick(&cols[0]),
                    text: pick(&cols[1]),
                    html: pick(&cols[2]),
                    url: pick(&cols[3]),
                    source: pick(&cols[4]),
                    date: pick(&cols[5]),
                    byline: pick(&cols[6]),
                };
                sink(Ok(Record { input, format: Format::Csv, fields, order }));
            }
            Err(e) => {
                let msg = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("found {len} fields, expected {expected_len}")
                    }
                    _ => e.to_string(),
                };
                let input = match e.position() {
                    Some(p) => format!("{name}:{}", line_at(p.byte())),
                    None => input,
                };
                sink(Err(ReadError::new(input, ReadErrorKind::Csv(msg))));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
}
