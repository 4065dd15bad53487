//! HTML pages: the main text and the page's metadata.
//!
//! Main-text extraction is rs-trafilatura's (a Rust port of trafilatura); ARCHITECTURE.md says
//! why, with the benchmark figures. On top of it sitrep strips site names from titles and reads
//! the publication date through its own date grammar when the page's metadata has none.

use super::RawDoc;
use crate::error::ReadErrorKind;
use crate::model::{Format, Published};
use regex::Regex;
use std::sync::LazyLock;

/// Extracts the article from an HTML page. The metadata is the page's own first (JSON-LD,
/// OpenGraph, `<meta>`, its `<title>`: [`super::meta`]), then rs-trafilatura's.
pub fn read(input: &str, html: &str) -> Result<RawDoc, ReadErrorKind> {
    let body = extract_body(html)?;
    let meta = body.metadata;
    let own = super::meta::page_meta(html);
    let theirs_site = meta.sitename.as_deref().map(|s| s.trim().trim_start_matches('@')).and_then(super::meta::clean_text);
    let site = own.site_name.clone().or(theirs_site);
    let title = own.best_title(|t| strip_site_suffix(t, site.as_deref())).or_else(|| {
        meta.title.as_deref().and_then(super::meta::clean_text).map(|t| strip_site_suffix(&t, site.as_deref())).filter(|t| !t.is_empty())
    });
    let published = own.published.or_else(|| {
        meta.date.map(|d| {
            let naive = d.naive_utc();
            let time = naive.time();
            Published { date: naive.date(), time: (time != chrono::NaiveTime::MIN).then_some(time) }
        })
    });
    Ok(RawDoc {
        input: input.to_string(),
        format: Format::Html,
        text: body.text,
        body_start: 0,
        title,
        source: site,
        byline: own.author.or(meta.author).filter(|s| !s.trim().is_empty()),
        published,
        url: meta.url,
        first_line_is_title: false,
    })
}

/// The main text and metadata of a page.
pub struct Body {
    pub text: String,
    pub metadata: rs_trafilatura::Metadata,
}

/// Deepest element nesting accepted, as counted by [`nesting_depth`]. Real pages stay below
/// (all 191 pages of the two extraction benchmarks pass; the deepest counts 528); the extractors recurse
/// over the tree, and a hostile page nested 20,000 deep overflowed the stack after minutes.
pub const MAX_DEPTH: usize = 1024;

/// Elements that never nest (void) or that the HTML parser closes by itself when a sibling
/// opens, so that an unclosed run of them does not deepen the tree.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p", "li", "dt", "dd",
    "tr", "td", "th", "option", "!doctype",
];

/// How deep the element tree gets, from a scan of the tags (no parse).
pub fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let end = b[start..].iter().position(|c| !(c.is_ascii_alphanumeric() || *c == b'!')).map_or(b.len(), |e| start + e);
        if end == start || !(b[start].is_ascii_alphabetic() || b[start] == b'!') {
            continue;
        }
        let name = html[start..end].to_ascii_lowercase();
        if FLAT.contains(&name.as_str()) || name.starts_with("!--") {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            let close = b[end..].iter().position(|&c| c == b'>').map_or(b.len(), |e| end + e);
            if close > 0 && b.get(close - 1) == Some(&b'/') {
                continue;
            }
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// Main-text extraction alone (what the extraction benchmark scores).
pub fn extract_body(html: &str) -> Result<Body, ReadErrorKind> {
    let depth = nesting_depth(html);
    if depth > MAX_DEPTH {
        return Err(ReadErrorKind::Field(format!("HTML nested {depth} elements deep (the limit is {MAX_DEPTH})")));
    }
    let opts = rs_trafilatura::Options { url: page_url(html), ..rs_trafilatura::Options::default() };
    let res =
        rs_trafilatura::extract_with_options(html, &opts).map_err(|e| ReadErrorKind::Field(format!("HTML extraction failed: {e}")))?;
    let mut text = res.content_text;
    // A second opinion from a readability.js port. When its text is (almost) all inside
    // trafilatura's, the two agree on the story: if it is also clearly shorter, trafilatura
    // has taken in boilerplate around the story (teaser lists, whole-page blobs) and the
    // agreed, shorter text is the better body; otherwise trafilatura's lines that readability
    // left out entirely are dropped. Measured on both extraction benchmarks (ARCHITECTURE.md).
    let alt = if escape_scan_cost(html) <= MAX_ESCAPE_SCAN { readability_text(html, opts.url.as_deref()) } else { None };
    if let Some(alt) = alt {
        let (ours, theirs) = (shingles(&text), shingles(&alt));
        if !theirs.is_empty() && !ours.is_empty() {
            let inside = theirs.iter().filter(|s| ours.contains(s)).count();
            if inside * 10 >= theirs.len() * 9 && theirs.len() * 100 < ours.len() * 85 {
                text = alt;
            } else if inside * 10 >= theirs.len() * 9 {
                // They agree on the story: drop trafilatura's lines that readability left out
                // entirely (widgets between paragraphs, captions, link lists).
                let alt_words: String = alt.split_whitespace().collect::<Vec<_>>().join(" ");
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|line| {
                        let sq: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
                        if sq.is_empty() || alt_words.contains(&sq) {
                            return true;
                        }
                        let sh = shingles(line);
                        let hits = sh.iter().filter(|x| theirs.contains(x)).count();
                        hits * 2 >= sh.len()
                    })
                    .collect();
                text = kept.join("\n");
            }
        }
    }
    if text.trim().is_empty() {
        return Err(ReadErrorKind::NoText);
    }
    Ok(Body { text, metadata: res.metadata })
}

/// The most bytes [`escape_scan_cost`] may count for the readability opinion to run (about a
/// tenth of a second of scanning).
const MAX_ESCAPE_SCAN: u64 = 500_000_000;

/// An upper bound of the bytes html5ever 0.40's serializer (dom_smoothie's, when it writes the
/// article's HTML) scans in escaping the page's text: for every `&` of a text run it looks for
/// the next `<`, `>` or quote through the rest of the run, so a run of k ampersands and n bytes
/// costs up to k × n (a 2.5 MB page of `&amp;` took 7 s). Over [`MAX_ESCAPE_SCAN`] the page
/// is read by rs-trafilatura alone (whose html5ever escapes in one pass).
fn escape_scan_cost(html: &str) -> u64 {
    html.as_bytes().split(|&b| b == b'<' || b == b'>').map(|run| ampersands(run) as u64 * run.len() as u64).fold(0u64, u64::saturating_add)
}

fn ampersands(run: &[u8]) -> usize {
    run.iter().filter(|&&b| b == b'&').count()
}

fn readability_text(html: &str, url: Option<&str>) -> Option<String> {
    let cfg = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, ..Default::default() };
    let mut r = dom_smoothie::Readability::new(html, url, Some(cfg)).ok()?;
    let article = r.parse().ok()?;
    let t = article.text_content.to_string();
    (!t.trim().is_empty()).then_some(t)
}

/// The set of hashed 4-word windows of a text (words: runs of letters and digits).
fn shingles(text: &str) -> std::collections::HashSet<u64> {
    use std::hash::{Hash, Hasher};
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words
        .windows(4.min(words.len().max(1)))
        .map(|w| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect()
}

/// The page's own URL: `<link rel="canonical">` or `og:url`, from the head of the page.
/// rs-trafilatura's page-type classifier uses URL features.
fn page_url(html: &str) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?is)<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*\bhref\s*=\s*["']([^"'>\s]+)|<link\b[^>]*\bhref\s*=\s*["']([^"'>\s]+)["'][^>]*\brel\s*=\s*["']?canonical|<meta\b[^>]*\bproperty\s*=\s*["']og:url["'][^>]*\bcontent\s*=\s*["']([^"'>\s]+)|<meta\b[^>]*\bcontent\s*=\s*["']([^"'>\s]+)["'][^>]*\bproperty\s*=\s*["']og:url"#)
            .expect("valid regex")
    });
    let head = match html.char_indices().nth(200_000) {
        Some((i, _)) => &html[..i],
        None => html,
    };
    let c = RE.captures(head)?;
    let url = (1..=4).find_map(|i| c.get(i))?.as_str();
    url.starts_with("http").then(|| url.replace("&amp;", "&"))
}

/// "Title | Site", "Title - Site", "Site: Title" -> "Title", when the other part is the site
/// name or a short tail.
pub fn strip_site_suffix(title: &str, sitename: Option<&str>) -> String {
    let t = strip_crumbs(title.trim());
    for sep in [" | ", " - ", " – ", " — ", " :: ", " » "] {
        if let Some(pos) = t.rfind(sep) {
            let (head, tail) = (&t[..pos], &t[pos + sep.len()..]);
            let is_site = sitename.is_some_and(|s| {
                let s = s.trim().to_lowercase();
                !s.is_empty() && (tail.to_lowercase().contains(&s) || s.contains(&tail.to_lowercase()))
            });
            if is_site || (tail.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 3) {
                return head.trim().to_string();
            }
        }
    }
    t.to_string()
}

/// "Home > World > Title" -> "Title": navigation crumbs, short parts before a `>`, `›` or
/// `»` (the last part the longest).
fn strip_crumbs(t: &str) -> &str {
    for sep in [" > ", " › ", " » "] {
        if let Some(pos) = t.rfind(sep) {
            let (head, last) = (&t[..pos], &t[pos + sep.len()..]);
            let short = head.split(sep).all(|p| p.split_whitespace().count() <= 3);
            if short && last.split_whitespace().count() >= 3 {
                return last.trim();
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_depth_scan() {
        assert_eq!(nesting_depth("<html><body><div><p>a<p>b</div></body></html>"), 3);
        assert_eq!(nesting_depth("<div><br><img src=x/><span/></div>"), 1);
        assert_eq!(nesting_depth(&"<div>".repeat(1000)), 1000);
        assert_eq!(nesting_depth("a < b and <3"), 0);
    }

    #[test]
    fn an_entity_bomb_skips_the_quadratic_serializer() {
        // Ordinary pages keep the readability opinion; a run of 100,000 entities does not.
        assert!(escape_scan_cost("<p>Tom &amp; Jerry</p><a href='?a=1&amp;b=2'>x</a>") < 100);
        let bomb = format!("<html><body><p>{}</p></body></html>", "&amp; ".repeat(100_000));
        assert!(escape_scan_cost(&bomb) > MAX_ESCAPE_SCAN);
        // Many entities spread over many paragraphs cost little: each run is short.
        let spread = format!("<html><body>{}</body></html>", "<p>Aleppo &amp; Idlib &amp; Hama</p>".repeat(100_000));
        assert!(escape_scan_cost(&spread) < MAX_ESCAPE_SCAN);
        // And the bomb still reads (trafilatura alone).
        let body = extract_body(&format!(
            "<html><body><article><p>Clashes in Aleppo &amp; Idlib killed four.</p><p>{}</p></article></body></html>",
            "&amp; ".repeat(100_000)
        ))
        .unwrap();
        assert!(body.text.contains("Clashes in Aleppo & Idlib"), "{}", &body.text[..200.min(body.text.len())]);
    }

    #[test]
    fn site_suffixes_are_stripped() {
        assert_eq!(strip_site_suffix("ISIS takes Marea | ARA News", Some("ARA News")), "ISIS takes Marea");
        assert_eq!(strip_site_suffix("Clashes in Hama - Reuters", None), "Clashes in Hama");
        assert_eq!(strip_site_suffix("Aleppo - a history", None), "Aleppo - a history");
        assert_eq!(strip_site_suffix("Home > World > Air strikes hit Saraqib | Daily", Some("Daily")), "Air strikes hit Saraqib");
        assert_eq!(strip_site_suffix("Aleppo > Idlib", None), "Aleppo > Idlib");
    }
}
