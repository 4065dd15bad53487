//! A page's own metadata: its JSON-LD (`headline`, `datePublished`, `author`, `publisher`),
//! OpenGraph and `<meta>` tags, and the document `<title>` (the first, in the head: an SVG
//! icon's `<title>Arrow</title>` is not the page's). Found by a scan of the tags, not a
//! parse; values have their HTML entities decoded.

use crate::dates::{self, DateOrder};
use crate::model::Published;
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// What the page says of itself. Each field is the first found, best source first.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageMeta {
    /// JSON-LD `headline` (or `name` of an article).
    pub headline: Option<String>,
    /// `og:title` or `twitter:title`.
    pub og_title: Option<String>,
    /// The document's `<title>`.
    pub title: Option<String>,
    /// `og:site_name`, else JSON-LD `publisher.name`.
    pub site_name: Option<String>,
    /// JSON-LD `author` names, else `<meta name="author">`.
    pub author: Option<String>,
    /// JSON-LD `datePublished`, else `article:published_time` and the like.
    pub published: Option<Published>,
    /// The first few `<h1>` headings' text: the title as the reader sees it.
    pub h1: Vec<String>,
}

impl PageMeta {
    /// The page's title: its headline as shown (an `<h1>` that agrees with the metadata's
    /// title: the metadata's may be shortened, or written for search engines), else the
    /// metadata's (JSON-LD, OpenGraph, `<title>`), each with `clean` applied (site names off).
    pub fn best_title(&self, clean: impl Fn(&str) -> String) -> Option<String> {
        let meta: Vec<String> =
            [&self.headline, &self.og_title, &self.title].into_iter().flatten().map(|t| clean(t)).filter(|t| !t.is_empty()).collect();
        let agrees = |h: &str| meta.iter().any(|m| word_overlap(h, m) >= 0.5);
        let Some(h) = self.h1.iter().find(|h| h.split_whitespace().count() >= 3 && agrees(h)) else { return meta.into_iter().next() };
        // A heading that is a metadata title behind a kicker ("Politics | ...") gives that title.
        let lower = h.to_lowercase();
        let inside =
            meta.iter().filter(|m| m.len() < h.len() && m.split_whitespace().count() >= 3).find(|m| lower.contains(&m.to_lowercase()));
        Some(inside.cloned().unwrap_or_else(|| h.clone()))
    }
}

/// Shared words over the longer text's words (lower-cased, letters and digits).
fn word_overlap(a: &str, b: &str) -> f64 {
    let words = |s: &str| -> std::collections::HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    };
    let (a, b) = (words(a), words(b));
    let shared = a.intersection(&b).count();
    shared as f64 / a.len().max(b.len()).max(1) as f64
}

/// Most bytes of a page scanned for metadata (JSON-LD may sit at the end of the body).
const SCAN_BYTES: usize = 4 << 20;

/// Reads the page's metadata.
pub fn page_meta(html: &str) -> PageMeta {
    let html = cut(html, SCAN_BYTES);
    let mut m = PageMeta::default();
    json_ld(html, &mut m);
    meta_tags(html, &mut m);
    m.title = document_title(html);
    m.h1 = H1.captures_iter(html).take(3).filter_map(|c| clean_text(&TAG.replace_all(&c[1], " "))).collect();
    m
}

static H1: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<h1\b[^>]*>(.*?)</h1>").expect("valid regex"));
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("valid regex"));

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Entities decoded, whitespace squashed; `None` when nothing is left.
pub fn clean_text(s: &str) -> Option<String> {
    // Twice: pages double-escape ("&amp;quot;").
    let once = html_escape::decode_html_entities(s);
    let twice = if once.contains('&') { html_escape::decode_html_entities(&once).into_owned() } else { once.into_owned() };
    let t = twice.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// A date-time as pages write it (ISO 8601, with or without a zone; RFC 2822), else through
/// sitrep's date grammar.
pub fn parse_published(s: &str) -> Option<Published> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s).or_else(|_| chrono::DateTime::parse_from_rfc2822(s)) {
        // The page's own clock: the day it was published where it was published.
        let n = d.naive_local();
        return Some(Published { date: n.date(), time: Some(n.time()) });
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(Published { date: n.date(), time: Some(n.time()) });
        }
        if let Ok(d) = chrono::DateTime::parse_from_str(s, f) {
            let n = d.naive_local();
            return Some(Published { date: n.date(), time: Some(n.time()) });
        }
    }
    if let Some(day) = s.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
        return Some(Published { date: day, time: None });
    }
    dates::parse_date(s, DateOrder::default())
}

static LD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<script\b[^>]*\btype\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script>"#).expect("valid regex")
});

/// Types of JSON-LD objects that are the page's article.
const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
    "socialmediaposting",
];

fn json_ld(html: &str, m: &mut PageMeta) {
    let mut values = Vec::new();
    for c in LD.captures_iter(html) {
        let raw = c[1].trim().trim_start_matches("<!--").trim_end_matches("-->").trim();
        // Some pages put raw newlines inside JSON strings: read them as spaces.
        let v = serde_json::from_str::<Value>(raw).or_else(|_| serde_json::from_str::<Value>(&raw.replace(['\n', '\r', '\t'], " ")));
        values.extend(v.ok());
    }
    let mut objects = Vec::new();
    for v in &values {
        flatten(v, &mut objects, 0);
    }
    let is_article = |o: &&&serde_json::Map<String, Value>| types(o).iter().any(|t| ARTICLE_TYPES.contains(&t.as_str()));
    // The article first; a web page's fields only if no article gives them.
    let article = objects.iter().find(is_article).copied();
    let page = objects.iter().find(|o| types(o).iter().any(|t| t == "webpage")).copied();
    for o in article.into_iter().chain(page) {
        if m.headline.is_none() {
            m.headline = str_of(o.get("headline")).or_else(|| article.and(str_of(o.get("name")))).and_then(|s| clean_text(&s));
        }
        if m.published.is_none() {
            m.published = str_of(o.get("datePublished")).and_then(|d| parse_published(&d));
        }
        if m.author.is_none() {
            m.author = names(o.get("author"));
        }
        if m.site_name.is_none() {
            m.site_name = o.get("publisher").and_then(|p| names(Some(p)));
        }
    }
}

/// Every object of a JSON-LD value: arrays and `@graph` opened.
fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a serde_json::Map<String, Value>>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out, depth + 1)),
        Value::Object(o) => {
            out.push(o);
            if let Some(g) = o.get("@graph") {
                flatten(g, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn types(o: &serde_json::Map<String, Value>) -> Vec<String> {
    match o.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str()).map(|s| s.to_ascii_lowercase()).collect(),
        _ => Vec::new(),
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.iter().find_map(|x| x.as_str()).map(str::to_string),
        _ => None,
    }
}

/// Names of a person or organisation value: a string, an object's `name`, or a list of them.
fn names(v: Option<&Value>) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        if let Some(t) = clean_text(s) {
            if !out.contains(&t) && !t.starts_with("http") {
                out.push(t);
            }
        }
    };
    match v? {
        Value::String(s) => add(s),
        Value::Object(o) => {
            if let Some(n) = o.get("name").and_then(|n| n.as_str()) {
                add(n)
            }
        }
        Value::Array(a) => {
            for x in a {
                match x {
                    Value::String(s) => add(s),
                    Value::Object(o) => {
                        if let Some(n) = o.get("name").and_then(|n| n.as_str()) {
                            add(n)
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    (!out.is_empty()).then(|| out.join(", "))
}

static META: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<meta\b([^>]*)>").expect("valid regex"));
static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?s)([a-zA-Z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#).expect("valid regex"));

/// `<meta>` keys of the publication date, best first.
const DATE_KEYS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
    "article.published",
    "published-date",
    "release_date",
];

fn meta_tags(html: &str, m: &mut PageMeta) {
    let mut og_title = None;
    let mut tw_title = None;
    let mut site = None;
    let mut author = None;
    let mut date: Option<(usize, String)> = None;
    for c in META.captures_iter(html) {
        let (mut key, mut content) = (None, None);
        for a in ATTR.captures_iter(&c[1]) {
            let name = a[1].to_ascii_lowercase();
            let value = a.get(2).or(a.get(3)).or(a.get(4)).map_or("", |v| v.as_str());
            match name.as_str() {
                "property" | "name" | "itemprop" if key.is_none() => key = Some(value.trim().to_ascii_lowercase()),
                "content" => content = Some(value),
                _ => {}
            }
        }
        let (Some(key), Some(content)) = (key, content) else { continue };
        match key.as_str() {
            "og:title" if og_title.is_none() => og_title = clean_text(content),
            "twitter:title" if tw_title.is_none() => tw_title = clean_text(content),
            "og:site_name" if site.is_none() => site = clean_text(content),
            "author" | "article:author" | "byl" | "parsely-author" | "sailthru.author" | "dc.creator" if author.is_none() => {
                author = clean_text(content).filter(|a| !a.starts_with("http")).map(|a| a.trim_start_matches("By ").to_string())
            }
            k => {
                if let Some(rank) = DATE_KEYS.iter().position(|d| *d == k) {
                    if date.as_ref().is_none_or(|(r, _)| rank < *r) && parse_published(content).is_some() {
                        date = Some((rank, content.to_string()));
                    }
                }
            }
        }
    }
    m.og_title = og_title.or(tw_title);
    if site.is_some() {
        m.site_name = site;
    }
    m.author = m.author.take().or(author);
    if m.published.is_none() {
        m.published = date.and_then(|(_, d)| parse_published(&d));
    }
}

static TITLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<title\b[^>]*>(.*?)</title>").expect("valid regex"));

/// The first `<title>` before the body (an `<svg>`'s titles are not the page's).
fn document_title(html: &str) -> Option<String> {
    let lower_end = find_ci(html, "<body").unwrap_or(html.len());
    let head = &html[..lower_end];
    let c = TITLE.captures(head)?;
    clean_text(&c[1])
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes().windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_comes_first_and_arrays_and_graphs_are_opened() {
        let html = r#"<html><head><title>Strikes hit Idlib &amp; Hama | Example News</title>
            <meta property="og:title" content="Strikes hit Idlib &amp;amp; Hama">
            <meta property="og:site_name" content="Example News">
            <meta property="article:published_time" content="2016-05-02T09:00:00+03:00">
            <meta name="author" content="By Jane Roe">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebPage","name":"Home"},
              {"@type":["NewsArticle"],"headline":"Air strikes hit Idlib &amp; Hama","datePublished":"2016-05-01T22:30:00Z",
               "author":[{"@type":"Person","name":"John Doe"},{"@type":"Person","name":"Ann Lee"}],
               "publisher":{"@type":"Organization","name":"Example"}}]}</script>
            </head><body><svg><title>Arrow</title></svg></body></html>"#;
        let m = page_meta(html);
        assert_eq!(m.headline.as_deref(), Some("Air strikes hit Idlib & Hama"));
        assert_eq!(m.og_title.as_deref(), Some("Strikes hit Idlib & Hama"));
        assert_eq!(m.title.as_deref(), Some("Strikes hit Idlib & Hama | Example News"));
        assert_eq!(m.site_name.as_deref(), Some("Example News"));
        assert_eq!(m.author.as_deref(), Some("John Doe, Ann Lee"));
        let p = m.published.unwrap();
        assert_eq!((p.date.to_string(), p.time.map(|t| t.to_string())), ("2016-05-01".into(), Some("22:30:00".into())));
    }

    #[test]
    fn the_shown_headline_wins_when_it_agrees_with_the_metadata() {
        let m = |h1: &[&str]| PageMeta {
            og_title: Some("New York ramps up mass burials amid virus outbreak".into()),
            title: Some("Coronavirus: New York ramps up mass burials - BBC News".into()),
            h1: h1.iter().map(|s| s.to_string()).collect(),
            ..PageMeta::default()
        };
        let plain = |t: &str| t.to_string();
        let shown = "Coronavirus: New York ramps up mass burials amid outbreak";
        assert_eq!(m(&[shown]).best_title(plain).as_deref(), Some(shown));
        // A site's logo in an <h1> is no headline.
        assert_eq!(m(&["BBC News"]).best_title(plain).as_deref(), Some("New York ramps up mass burials amid virus outbreak"));
        assert_eq!(
            m(&["Sign up for our newsletter today"]).best_title(plain).as_deref(),
            Some("New York ramps up mass burials amid virus outbreak")
        );
        assert_eq!(PageMeta::default().best_title(plain), None);
        // A kicker before the headline is not part of it.
        let kicker = PageMeta {
            og_title: Some("St. Louis Park elects a new mayor".into()),
            h1: vec!["Politics | St. Louis Park elects a new mayor".into()],
            ..PageMeta::default()
        };
        assert_eq!(kicker.best_title(plain).as_deref(), Some("St. Louis Park elects a new mayor"));
    }

    #[test]
    fn meta_tags_alone_and_svg_titles_ignored() {
        let html = r#"<head><meta content="2019-11-05" name="pubdate"><meta name=author content="Jane Roe"></head>
            <body><svg><title>Arrow</title></svg><p>x</p></body>"#;
        let m = page_meta(html);
        assert_eq!(m.title, None);
        assert_eq!(m.author.as_deref(), Some("Jane Roe"));
        assert_eq!(m.published.map(|p| p.date.to_string()).as_deref(), Some("2019-11-05"));
        // A broken JSON-LD block is no error, and no metadata.
        assert_eq!(page_meta(r#"<script type="application/ld+json">{"headline": </script>"#), PageMeta::default());
    }

    #[test]
    fn dates_as_pages_write_them() {
        let d = |s: &str| parse_published(s).map(|p| (p.date.to_string(), p.time.map(|t| t.to_string())));
        assert_eq!(d("2023-11-09T14:05:00-06:00"), Some(("2023-11-09".into(), Some("14:05:00".into()))));
        assert_eq!(d("2023-11-09T14:05:00.000Z"), Some(("2023-11-09".into(), Some("14:05:00".into()))));
        assert_eq!(d("2023-11-09T14:05:00+0100"), Some(("2023-11-09".into(), Some("14:05:00".into()))));
        assert_eq!(d("2023-11-09"), Some(("2023-11-09".into(), None)));
        assert_eq!(d("Thu, 09 Nov 2023 14:05:00 GMT"), Some(("2023-11-09".into(), Some("14:05:00".into()))));
        assert_eq!(d("not a date"), None);
    }
}
