//! HTML pages: the main text and the page's metadata.
//!
//! Main-text extraction is rs-trafilatura's (a Rust port of trafilatura); ARCHITECTURE.md says
//! why, with the benchmark figures. On top of it sitrep strips site names from titles and reads
//! the publication date through its own date grammar when the page's metadata has none.

use super::RawDoc;
use crate::error::ReadErrorKind;
use crate::model::{Format, Published};

/// Extracts the article from an HTML page.
pub fn read(input: &str, html: &str) -> Result<RawDoc, ReadErrorKind> {
    let body = extract_body(html)?;
    let meta = body.metadata;
    let title = meta.title.as_deref().map(|t| strip_site_suffix(t, meta.sitename.as_deref()));
    let published = meta.date.map(|d| {
        let naive = d.naive_utc();
        let time = naive.time();
        Published {
            date: naive.date(),
            time: (time != chrono::NaiveTime::MIN).then_some(time),
        }
    });
    Ok(RawDoc {
        input: input.to_string(),
        format: Format::Html,
        text: body.text,
        body_start: 0,
        title: title.filter(|t| !t.is_empty()),
        source: meta.sitename.filter(|s| !s.trim().is_empty()),
        byline: meta.author.filter(|s| !s.trim().is_empty()),
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

/// Main-text extraction alone (what the extraction benchmark scores).
pub fn extract_body(html: &str) -> Result<Body, ReadErrorKind> {
    let opts = rs_trafilatura::Options::default();
    let res = rs_trafilatura::extract_with_options(html, &opts)
        .map_err(|e| ReadErrorKind::Field(format!("HTML extraction failed: {e}")))?;
    if res.content_text.trim().is_empty() {
        return Err(ReadErrorKind::NoText);
    }
    Ok(Body { text: res.content_text, metadata: res.metadata })
}

/// "Title | Site", "Title - Site", "Site: Title" -> "Title", when the other part is the site
/// name or a short tail.
pub fn strip_site_suffix(title: &str, sitename: Option<&str>) -> String {
    let t = title.trim();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_suffixes_are_stripped() {
        assert_eq!(strip_site_suffix("ISIS takes Marea | ARA News", Some("ARA News")), "ISIS takes Marea");
        assert_eq!(strip_site_suffix("Clashes in Hama - Reuters", None), "Clashes in Hama");
        assert_eq!(strip_site_suffix("Aleppo - a history", None), "Aleppo - a history");
    }
}
