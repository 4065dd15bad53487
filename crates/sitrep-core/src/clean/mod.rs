//! Page cleaning: from a read document to an [`Article`] whose paragraphs are the story alone.
//!
//! Line by line, the body is tested against the boilerplate patterns of
//! `data/boilerplate.toml` (captions, comment sections, captchas, share and newsletter lines,
//! related-item widgets, machine dumps): a match drops the line, or cuts it and the rest.
//! Metadata lines (byline, source, a date line) become fields of the article. The dateline
//! ("ALEPPO –") becomes a field too, and stays in its paragraph. Every paragraph keeps its byte
//! offsets into the original text.

use crate::dates::{self, DateOrder};
use crate::error::ReadErrorKind;
use crate::knowledge::{Action, Boilerplate, MetaField, Outlets};
use crate::model::{article_id, char_offsets, Article, Dropped, Paragraph, Published, RawDoc};

/// A line of the body: its trimmed byte range and whether a blank line came before it.
struct Line {
    start: usize,
    end: usize,
    after_gap: bool,
}

fn lines_of(text: &str, from: usize) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pos = from;
    let mut gap = false;
    for raw in text[from..].split_inclusive('\n') {
        let line_start = pos;
        pos += raw.len();
        let content = raw.trim_end_matches(['\n', '\r']);
        let lead = content.len() - content.trim_start_matches(is_lead).len();
        let trimmed = content.trim_start_matches(is_lead).trim_end();
        if trimmed.is_empty() {
            gap = true;
            continue;
        }
        let start = line_start + lead;
        out.push(Line { start, end: start + trimmed.len(), after_gap: gap });
        gap = false;
    }
    out
}

/// Leading characters that are layout, not text: whitespace and list bullets.
fn is_lead(c: char) -> bool {
    c.is_whitespace() || matches!(c, '•' | '·' | '▪' | '◦' | '►' | '\u{FEFF}')
}

/// "ALEPPO" -> "Aleppo", "DEIR EZ-ZOR" -> "Deir Ez-Zor".
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start_of_word = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start_of_word {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
            start_of_word = false;
        } else {
            out.push(c);
            start_of_word = matches!(c, ' ' | '-' | '/');
        }
    }
    out
}

/// Where a tail of truncated teasers starts, if the body ends in one.
fn teaser_tail(text: &str, spans: &[(usize, usize)]) -> Option<usize> {
    let truncated = |s: &str| {
        let t = s.trim_end();
        t.ends_with('…') || t.ends_with("...") || t.ends_with("[…]") || t.ends_with("[...]")
    };
    let mut start = None;
    let mut excerpts = 0;
    for k in (1..spans.len()).rev() {
        let p = &text[spans[k].0..spans[k].1];
        if truncated(p) {
            excerpts += 1;
        } else if p.split_whitespace().count() > 15 {
            break;
        }
        if excerpts >= 2 {
            start = Some(k);
        }
    }
    // Start the cut at the first excerpt or headline of the run, not at a story paragraph.
    start
}

impl Dropped {
    fn at(byte_start: usize, byte_end: usize, kind: &str, rule: &str) -> Self {
        // Character offsets are filled in once all spans are known.
        Dropped { start: 0, end: 0, byte_start, byte_end, kind: kind.to_string(), rule: rule.to_string() }
    }
}

/// The publisher named in a machine dump the page left behind (asset paths such as
/// `/2016/05/28/alalam_6360.jpg`, host names): a word of the dump that is an outlet's name.
fn source_in_dumps(text: &str, dropped: &[Dropped], outlets: &Outlets) -> Option<String> {
    for d in dropped.iter().filter(|d| d.kind == "dump") {
        for word in text[d.byte_start..d.byte_end].split(|c: char| !c.is_ascii_alphanumeric() && c != '.') {
            let word = word.trim_matches('.');
            if word.len() >= 5 {
                if let Some(o) = outlets.lookup(word) {
                    return Some(o.name.clone());
                }
            }
        }
    }
    None
}

/// Words that may come before the date at the head of a story.
const DATE_LEADS: &[&str] = &["Date of publication ", "Posted on ", "Published on ", "Published: ", "Published ", "Updated "];

/// Cleans a read document into an article.
pub fn clean(doc: RawDoc, bp: &Boilerplate, outlets: &Outlets, order: DateOrder) -> Result<Article, ReadErrorKind> {
    let RawDoc { input, format, text, body_start, mut title, source, byline, published, url, first_line_is_title } = doc;
    let mut lines = lines_of(&text, body_start);
    if first_line_is_title && !lines.is_empty() {
        let l = lines.remove(0);
        let t = text[l.start..l.end].trim();
        if title.is_none() && !t.is_empty() {
            title = Some(t.to_string());
        }
    }
    let mut body = LineSorter::new(&text, bp, outlets, order, source, byline, published);
    body.sort(&lines);
    let LineSorter { mut source, byline, published, mut dropped, kept, .. } = body;
    let mut spans = paragraph_spans(&text, &kept);
    drop_teaser_tail(&text, &mut spans, &mut dropped);
    let dateline = find_dateline(&text, &spans, bp, &mut source);
    spans.retain(|(s, e)| s < e);
    if spans.is_empty() {
        return Err(ReadErrorKind::NoText);
    }
    let paragraphs = paragraphs_with_offsets(&text, &spans, &mut dropped);
    if source.is_none() {
        source = source_in_dumps(&text, &dropped, outlets);
    }
    let source = source.map(|s| outlets.lookup(&s).map_or(s, |o| o.name.clone()));
    let id = article_id(source.as_deref(), &paragraphs);
    Ok(Article { id, input, format, title, source, byline, dateline, published, url, text, paragraphs, dropped })
}

/// What a boilerplate rule does to a line.
enum Ruled {
    /// No rule applies: the line is the story's.
    NotBoilerplate,
    /// The line is dropped.
    Dropped,
    /// The line and everything after it are cut.
    Cut,
}

/// Sorting a body's lines, in order, into metadata (fields of the article), boilerplate
/// (dropped) and story lines (kept), with the fields found so far.
struct LineSorter<'a> {
    text: &'a str,
    bp: &'a Boilerplate,
    outlets: &'a Outlets,
    order: DateOrder,
    source: Option<String>,
    byline: Option<String>,
    published: Option<Published>,
    dropped: Vec<Dropped>,
    /// (start, end, contiguous with previous kept line)
    kept: Vec<(usize, usize, bool)>,
    story_started: bool,
    head_date_taken: bool,
    prev_kept_line: Option<usize>,
}

impl<'a> LineSorter<'a> {
    /// A sorter starting from the fields the record gave.
    fn new(
        text: &'a str,
        bp: &'a Boilerplate,
        outlets: &'a Outlets,
        order: DateOrder,
        source: Option<String>,
        byline: Option<String>,
        published: Option<Published>,
    ) -> Self {
        LineSorter {
            text,
            bp,
            outlets,
            order,
            source,
            byline,
            published,
            dropped: Vec::new(),
            kept: Vec::new(),
            story_started: false,
            head_date_taken: false,
            prev_kept_line: None,
        }
    }

    /// Sorts the lines one by one, up to a cut.
    fn sort(&mut self, lines: &[Line]) {
        for (i, l) in lines.iter().enumerate() {
            let s = &self.text[l.start..l.end];
            let words = s.split_whitespace().count();
            if let Some(rule) = self.meta_rule(s, words) {
                self.dropped.push(Dropped::at(l.start, l.end, "metadata", rule));
                continue;
            }
            match self.boilerplate(lines, i, s, words) {
                Ruled::NotBoilerplate => {}
                Ruled::Dropped => continue,
                Ruled::Cut => break,
            }
            self.keep(i, l, s, words);
        }
    }

    /// Whether a line is a metadata line (the rule that says so), taking its field when the
    /// article has none yet.
    fn meta_rule(&mut self, s: &str, words: usize) -> Option<&'static str> {
        let mut meta_hit: Option<&'static str> = None;
        for m in &self.bp.meta {
            if m.head_only && self.story_started {
                continue;
            }
            match m.field {
                MetaField::Published => {
                    if self.published.is_none() {
                        if let Some(d) = dates::parse_date(s, self.order) {
                            self.published = Some(d);
                            meta_hit = Some("published");
                        }
                    }
                }
                field => {
                    if let Some(v) = m.regex.captures(s).and_then(|c| c.name("value")) {
                        let v = v.as_str().trim().to_string();
                        let slot = if field == MetaField::Byline { &mut self.byline } else { &mut self.source };
                        if slot.is_none() {
                            *slot = Some(v);
                        }
                        meta_hit = Some(if field == MetaField::Byline { "byline" } else { "source" });
                    }
                }
            }
            if meta_hit.is_some() {
                break;
            }
        }
        if meta_hit.is_none() && words <= 5 && self.outlets.lookup(s).is_some() {
            if self.source.is_none() {
                self.source = Some(s.to_string());
            }
            meta_hit = Some("source-line");
        }
        meta_hit
    }

    /// Boilerplate rules: the first rule (in file order) that applies wins; a dropped or cut
    /// line is recorded.
    fn boilerplate(&mut self, lines: &[Line], i: usize, s: &str, words: usize) -> Ruled {
        let (text, l) = (self.text, &lines[i]);
        let Some(r) = self.bp.matching(s, words) else {
            return Ruled::NotBoilerplate;
        };
        let list_follows = || lines[i + 1..].iter().all(|n| text[n.start..n.end].split_whitespace().count() <= 15);
        let action = match r.action {
            Action::CutList if list_follows() => Action::Cut,
            Action::CutList => Action::Drop,
            a => a,
        };
        match action {
            Action::Drop | Action::CutList => {
                self.dropped.push(Dropped::at(l.start, l.end, &r.kind, &r.name));
                Ruled::Dropped
            }
            Action::Cut => {
                self.dropped.push(Dropped::at(l.start, text.trim_end().len().max(l.end), &r.kind, &r.name));
                Ruled::Cut
            }
        }
    }

    /// Keeps a story line (less a date at its head, [`Self::head_date`]).
    fn keep(&mut self, i: usize, l: &Line, s: &str, words: usize) {
        let start = self.head_date(l, s);
        let contiguous = self.prev_kept_line == Some(i.wrapping_sub(1)) && !l.after_gap;
        self.kept.push((start, l.end, contiguous));
        self.prev_kept_line = Some(i);
        if words >= 12 {
            self.story_started = true;
        }
    }

    /// Where the kept part of a story line starts: after a date at the head of the first
    /// story lines, taken as the publication date.
    fn head_date(&mut self, l: &Line, s: &str) -> usize {
        // A date at the head of the first story lines ("Sun 16 Apr 2017 Death toll ...",
        // "Date of publication 14 October 2016 At least ..."): the publication date when the
        // record gave none. A date the record gave stays: a dataset's date column is its
        // coders' date of the event (FA-KES), which the text's head may contradict.
        let mut start = l.start;
        if !self.story_started && !self.head_date_taken && self.published.is_none() {
            let lead = DATE_LEADS.iter().find_map(|w| s.get(..w.len()).filter(|h| h.eq_ignore_ascii_case(w)).map(|_| w.len())).unwrap_or(0);
            if let Some((d, n)) = dates::parse_date_prefix(&s[lead..], self.order) {
                if lead + n < s.len() {
                    self.published = Some(d);
                    self.head_date_taken = true;
                    self.dropped.push(Dropped::at(start, start + lead + n, "metadata", "published"));
                    start += lead + n;
                }
            }
        }
        start
    }
}

/// The paragraphs' byte spans from the kept lines: hard-wrapped text (lines of similar width
/// inside blank-line separated blocks) is joined back into paragraphs; otherwise every line is
/// a paragraph of its own.
fn paragraph_spans(text: &str, kept: &[(usize, usize, bool)]) -> Vec<(usize, usize)> {
    let hard_wrapped = {
        let widths: Vec<usize> = kept.iter().map(|&(s, e, _)| text[s..e].chars().count()).collect();
        let n = widths.len();
        let in_band = widths.iter().filter(|&&w| (45..=90).contains(&w)).count();
        let long = widths.iter().filter(|&&w| w > 100).count();
        n >= 4 && in_band * 10 >= n * 6 && long == 0 && kept.iter().any(|k| k.2)
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &(s, e, contiguous) in kept {
        match spans.last_mut() {
            Some(last) if hard_wrapped && contiguous => last.1 = e,
            _ => spans.push((s, e)),
        }
    }
    spans
}

/// Drops a teaser list after the story: from some paragraph on, everything is short lines
/// (headlines, categories) or excerpts cut off with an ellipsis, and at least two are
/// excerpts.
fn drop_teaser_tail(text: &str, spans: &mut Vec<(usize, usize)>, dropped: &mut Vec<Dropped>) {
    if let Some(k) = teaser_tail(text, spans) {
        let (s, _) = spans[k];
        let e = spans[spans.len() - 1].1;
        dropped.push(Dropped::at(s, e, "related", "teaser-list"));
        spans.truncate(k);
    }
}

/// The dateline, at the start of one of the first paragraphs (title-cased), and its agency
/// as the source when the article has none.
fn find_dateline(text: &str, spans: &[(usize, usize)], bp: &Boilerplate, source: &mut Option<String>) -> Option<String> {
    for span in spans.iter().take(3) {
        let s = &text[span.0..span.1];
        let Some(c) = bp.dateline.captures(s) else {
            continue;
        };
        let place = c.name("place").map_or("", |m| m.as_str()).trim();
        let whole = c.get(0).map_or(0, |m| m.end());
        let rest = s[whole..].trim_start();
        let starts_sentence = rest.chars().next().is_some_and(|ch| ch.is_alphanumeric() || "\"“‘'(".contains(ch));
        if bp.not_dateline.iter().any(|w| w == place) || !starts_sentence || !place.chars().any(|ch| ch.is_ascii_uppercase()) {
            continue;
        }
        if source.is_none() {
            *source = c.name("agency").map(|a| a.as_str().trim().to_string());
        }
        // The dateline stays in its paragraph: it is part of the published text (and of the
        // benchmarks' gold bodies); the field records it.
        return Some(title_case(place));
    }
    None
}

/// The paragraphs of the spans, with character offsets for them and for the dropped parts,
/// computed in one pass over the text.
fn paragraphs_with_offsets(text: &str, spans: &[(usize, usize)], dropped: &mut [Dropped]) -> Vec<Paragraph> {
    let bytes: Vec<usize> =
        spans.iter().flat_map(|&(s, e)| [s, e]).chain(dropped.iter().flat_map(|d| [d.byte_start, d.byte_end])).collect();
    let chars = char_offsets(text, &bytes);
    let paragraphs: Vec<Paragraph> = spans
        .iter()
        .enumerate()
        .map(|(i, &(bs, be))| Paragraph {
            start: chars[2 * i],
            end: chars[2 * i + 1],
            byte_start: bs,
            byte_end: be,
            text: text[bs..be].to_string(),
        })
        .collect();
    for (j, d) in dropped.iter_mut().enumerate() {
        let k = 2 * (spans.len() + j);
        d.start = chars[k];
        d.end = chars[k + 1];
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;
    use chrono::NaiveDate;

    fn run(text: &str) -> Article {
        let doc = RawDoc::plain("t.txt", Format::Text, text.to_string(), true);
        clean(doc, Boilerplate::builtin(), Outlets::builtin(), DateOrder::DayFirst).unwrap()
    }

    #[test]
    fn title_dateline_source_byline() {
        let a = run("Rebels retake a village\n\nFighters at a checkpoint. File photo\n\nSANA\n\nHOMS – Rebel fighters retook the village of Tal Dahab on Monday after a day of clashes with government forces.\n\nReporting by: Jane Doe\n");
        assert_eq!(a.title.as_deref(), Some("Rebels retake a village"));
        assert_eq!(a.source.as_deref(), Some("SANA"));
        assert_eq!(a.dateline.as_deref(), Some("Homs"));
        assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(a.paragraphs.len(), 1);
        assert!(a.paragraphs[0].text.starts_with("HOMS – Rebel fighters retook"));
        assert!(a.dropped.iter().any(|d| d.kind == "caption"));
    }

    #[test]
    fn offsets_point_into_the_original() {
        let a = run("T\n\nDAMASCUS (Reuters) - A car bomb exploded in the capital on Sunday, killing four people, state media said.\n");
        assert_eq!(a.source.as_deref(), Some("Reuters"));
        for p in &a.paragraphs {
            assert_eq!(&a.text[p.byte_start..p.byte_end], p.text);
            assert_eq!(a.text.chars().skip(p.start).take(p.end - p.start).collect::<String>(), p.text);
        }
    }

    #[test]
    fn comments_and_captcha_are_cut() {
        let a = run("T\n\nThe story sentence is long enough to count as a real paragraph of a news story here.\n\n2 thoughts on “T”\n\nbob says:\n\nI agree with this.\n\nfour + 3 =\n");
        assert_eq!(a.paragraphs.len(), 1);
        assert!(!a.body().contains("agree"));
    }

    #[test]
    fn quotes_in_the_story_are_kept() {
        let a = run("T\n\n“We were obliged to evacuate the town,” the spokesman said, adding that fighting went on all night.\n\nLeave a Reply\n\n“Great article,” a reader wrote.\n");
        assert!(a.body().contains("obliged to evacuate"));
        assert!(!a.body().contains("Great article"));
    }

    #[test]
    fn hard_wrapped_lines_are_joined() {
        let body = "Clashes broke out on Thursday between rebel fighters and\nIslamic State militants near the town of Marea, north of\nAleppo, a monitoring group said in a statement on Friday.\n\nThe group said at least seven civilians were killed in the\nshelling and that eleven others were wounded in the attack.\n";
        let a = run(&format!("Title\n\n{body}"));
        assert_eq!(a.paragraphs.len(), 2);
    }

    #[test]
    fn the_date_at_the_head_of_the_story() {
        let text = "30-04-2016 Suicide Bomber Kills Five Kurdish Police in Syria.\n\nA suicide bomber killed five policemen in Qamishli on Saturday, police said.\n";
        let a = clean(
            RawDoc::plain("t.txt", Format::Text, text.to_string(), false),
            Boilerplate::builtin(),
            Outlets::builtin(),
            DateOrder::DayFirst,
        )
        .unwrap();
        assert_eq!(a.published.map(|p| p.date), NaiveDate::from_ymd_opt(2016, 4, 30));
        let first = &a.text[a.paragraphs[0].byte_start..a.paragraphs[0].byte_end];
        assert!(first.starts_with("Suicide Bomber"), "{first:?}");
        // The record's own date stays.
        let mut doc = RawDoc::plain("t.txt", Format::Text, text.to_string(), false);
        doc.published = Some(crate::Published { date: NaiveDate::from_ymd_opt(2016, 4, 2).unwrap(), time: None });
        let a = clean(doc, Boilerplate::builtin(), Outlets::builtin(), DateOrder::DayFirst).unwrap();
        assert_eq!(a.published.map(|p| p.date), NaiveDate::from_ymd_opt(2016, 4, 2));
        let a =
            run("Report\n\nDate of publication 14 October 2016 At least 20 people were killed in a car bomb blast on Thursday in Azaz.\n");
        assert_eq!(a.published.map(|p| p.date), NaiveDate::from_ymd_opt(2016, 10, 14));
    }

    #[test]
    fn not_every_caps_opener_is_a_dateline() {
        let a = run("T\n\nVIDEO - Footage shows fighting between rebels and the Islamic State near the border.\n");
        assert_eq!(a.dateline, None);
    }

    #[test]
    fn empty_after_cleaning_is_no_text() {
        let doc = RawDoc::plain("t.txt", Format::Text, "Title\n\nFollow us on Twitter\n".into(), true);
        assert!(matches!(clean(doc, Boilerplate::builtin(), Outlets::builtin(), DateOrder::DayFirst), Err(ReadErrorKind::NoText)));
    }

    #[test]
    fn teaser_tails_are_cut() {
        let a = run("T\n\nThe story has a long first paragraph that tells what happened in the town on the day in question.\n\nAnd a second paragraph with more of the detail that readers want to know about it all.\n\nCategory one\n\nAnother story starts here and goes on for a while until it is cut off at some point …\n\nCategory two\n\nA third story starts here too and also goes on for a while until it is cut off...\n");
        assert_eq!(a.paragraphs.len(), 2);
        // One excerpt alone is not a list (a paywalled story ends like that).
        let b = run("T\n\nThe story has a long first paragraph that tells what happened in the town on the day in question.\n\nAll...\n");
        assert_eq!(b.paragraphs.len(), 2);
    }

    #[test]
    fn title_case_datelines() {
        assert_eq!(title_case("DEIR EZ-ZOR"), "Deir Ez-Zor");
        assert_eq!(title_case("ALEPPO"), "Aleppo");
    }
}
