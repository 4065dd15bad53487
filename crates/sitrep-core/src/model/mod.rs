//! The article model: what every stage after reading works on.
//!
//! Offsets point into [`Article::text`], the decoded original input of the article (the whole
//! file for plain text, the body field for CSV and JSON records, the extracted main text for
//! HTML pages). Each span carries both kinds of offset:
//! `start`/`end` count Unicode characters (code points, as Python's `str` indexes), and
//! `byte_start`/`byte_end` count UTF-8 bytes (as Rust's `str` indexes), so
//! `&article.text[p.byte_start..p.byte_end] == p.text` always holds.

pub mod fused;
pub mod live;
mod names;

pub use names::{ChangeKind, ControlStatus, EventType, FatalityBound, Side, StateOf, SubEventType};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The format an input was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Html,
    Json,
    Jsonl,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

/// A half-open byte range `[start, end)` into [`Article::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A stretch of the article's original text, with both kinds of offset into
/// [`Article::text`], and the text itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextSpan {
    /// Character offsets into [`Article::text`].
    pub start: usize,
    pub end: usize,
    /// Byte offsets into [`Article::text`].
    pub byte_start: usize,
    pub byte_end: usize,
    pub text: String,
}

/// One paragraph of the clean body.
pub type Paragraph = TextSpan;

/// Text that cleaning removed from the body, and why (the rule's kind and name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dropped {
    /// Character offsets into [`Article::text`].
    pub start: usize,
    pub end: usize,
    /// Byte offsets into [`Article::text`].
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: String,
    pub rule: String,
}

/// A publication date, with the time when the page gives one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Published {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
}

impl Published {
    pub fn datetime(&self) -> Option<NaiveDateTime> {
        self.time.map(|t| self.date.and_time(t))
    }
}

impl std::fmt::Display for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.time {
            Some(t) => write!(f, "{}T{}", self.date.format("%Y-%m-%d"), t.format("%H:%M:%S")),
            None => write!(f, "{}", self.date.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for Published {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Published {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if let Ok(dt) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S") {
            return Ok(Published { date: dt.date(), time: Some(dt.time()) });
        }
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map(|date| Published { date, time: None }).map_err(serde::de::Error::custom)
    }
}

/// A cleaned article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    /// Stable id: hash of the source and the normalized clean body (16 hex digits).
    pub id: String,
    /// Where it came from: a path, `-` for stdin, with `:N` (line or record) for multi-record files.
    pub input: String,
    pub format: Format,
    pub title: Option<String>,
    /// Publisher or outlet ("ARA News").
    pub source: Option<String>,
    /// Author(s), from "Reporting by: ..." lines or page metadata.
    pub byline: Option<String>,
    /// The dateline place ("ALEPPO –" gives "Aleppo").
    pub dateline: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2016-05-04T10:00:00"))]
    pub published: Option<Published>,
    pub url: Option<String>,
    /// The decoded original text that every offset points into.
    pub text: String,
    /// The clean body, paragraph by paragraph.
    pub paragraphs: Vec<Paragraph>,
    /// What cleaning removed from the body, with the rule that removed it.
    pub dropped: Vec<Dropped>,
}

impl Article {
    /// What identifies the document whatever its version: its URL, else the file it was read
    /// from. A record of a multi-record file (CSV, JSON Lines) without a URL has none: its
    /// row may move between versions of the file, so a new text there is a new article.
    pub fn doc_key(&self) -> Option<String> {
        if let Some(u) = self.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            return Some(u.to_string());
        }
        let record = self.input.rsplit_once(':').is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let multi = matches!(self.format, Format::Csv | Format::Jsonl);
        (!record && !multi && self.input != "-").then(|| self.input.clone())
    }

    /// The clean body: paragraphs joined by blank lines.
    pub fn body(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for (i, p) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            out.push_str(&p.text);
        }
        out
    }
}

/// The stable article id: blake3 of the source and the normalized body (lowercased, whitespace
/// collapsed), as 16 hex digits. The same story read from another file gets the same id.
pub fn article_id(source: Option<&str>, paragraphs: &[Paragraph]) -> String {
    let mut buf = String::with_capacity(paragraphs.iter().map(|p| p.text.len() + 1).sum::<usize>() + 64);
    buf.push_str(&source.unwrap_or("").trim().to_lowercase());
    buf.push('\0');
    for p in paragraphs {
        for w in p.text.split_whitespace() {
            if w.is_ascii() {
                buf.extend(w.bytes().map(|b| b.to_ascii_lowercase() as char));
            } else {
                buf.extend(w.chars().flat_map(char::to_lowercase));
            }
            buf.push(' ');
        }
    }
    let hex = blake3::hash(buf.as_bytes()).to_hex();
    hex[..16].to_string()
}

/// Converts byte offsets into `text` to character offsets, for many offsets in one pass.
/// Offsets that are not on a character boundary count the characters before them.
pub fn char_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..byte_offsets.len()).collect();
    order.sort_by_key(|&i| byte_offsets[i]);
    let mut out = vec![0; byte_offsets.len()];
    let mut chars = text.char_indices().peekable();
    let mut count = 0;
    for i in order {
        let b = byte_offsets[i];
        while let Some(&(pos, _)) = chars.peek() {
            if pos >= b {
                break;
            }
            chars.next();
            count += 1;
        }
        out[i] = count;
    }
    out
}

/// A span of evidence: where in the article's original text an event was read.
pub type Evidence = TextSpan;

/// An actor as an event names it: canonical name, side, and the words of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventActor {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub side: Side,
    /// ACLED interaction code of the actor.
    pub inter: u8,
    pub text: String,
}

/// Who took a place from whom, and who took it back the same day if the text says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Control {
    pub taker: Option<String>,
    pub from: Option<String>,
    pub reversed_by: Option<String>,
}

/// One event, coded ACLED-style. Field names follow ACLED where ACLED has the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub event_id: String,
    pub article_id: String,
    /// `YYYY-MM-DD`, or `None` when the text does not fix the date (then `weekday` or
    /// `date_text` says what it does say).
    pub event_date: Option<NaiveDate>,
    pub weekday: Option<String>,
    pub date_text: Option<String>,
    /// ACLED time precision: 1 day, 2 week, 3 month.
    pub time_precision: u8,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub cameo: String,
    pub actor1: Option<EventActor>,
    pub actor2: Option<EventActor>,
    /// The place as the text names it ("Qereh Kubri", "western Qalamoun").
    pub location: Option<String>,
    /// How the text points at the place: town, facility, district, road, region, relative,
    /// near, in, known (named before in the article).
    pub location_cue: Option<String>,
    /// Direction or distance words of the place ("western", "12 km north of").
    pub location_qualifier: Option<String>,
    /// Filled by the geocoder.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    /// ACLED geo precision: 1 the place, 2 near it or part of a region, 3 the region only.
    pub geo_precision: Option<u8>,
    /// The gazetteer entry the place resolved to.
    pub geo_id: Option<String>,
    /// The candidates the geocoder considered, best first, with their scores ("why here?").
    pub geo_alternatives: Vec<Alternative>,
    pub fatalities: u32,
    /// How the fatality figure is bounded: exact, at_least, about, at_most, unstated (no
    /// figure in the text; ACLED's default), none (no deaths reported).
    pub fatalities_bound: FatalityBound,
    pub injured: Option<u32>,
    /// Deaths by side, as the text splits them.
    pub fatalities_by_actor: Vec<(String, u32)>,
    /// Whether the event changed who controls the place (false for a change reversed the
    /// same day).
    pub territory_change: bool,
    /// The change of control the text asserts, for territory events (taken, and retaken?).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<Control>,
    pub notes: String,
    /// The outlet of the article it was read from.
    #[serde(default)]
    pub source: Option<String>,
    pub evidence: Vec<Evidence>,
    /// The lexicon triggers that coded it.
    pub triggers: Vec<String>,
    pub confidence: f32,
}

impl Event {
    /// Whether the report states a death toll: "unstated" (deaths without a figure) and
    /// "none" (no deaths mentioned) claim nothing to compare.
    pub fn states_toll(&self) -> bool {
        !matches!(self.fatalities_bound, FatalityBound::Unstated | FatalityBound::None)
    }
}

/// A bounding box in degrees: min_lon, min_lat, max_lon, max_lat (mins first, longitudes -180
/// to 180, latitudes -90 to 90). Parsed from "min_lon,min_lat,max_lon,max_lat".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox(pub [f64; 4]);

impl Bbox {
    /// The form a bounding box is written in.
    pub const FORM: &'static str = "min_lon,min_lat,max_lon,max_lat";

    /// Checks the corners: finite, in range, mins first.
    pub fn new(b: [f64; 4]) -> Result<Bbox, String> {
        let [min_lon, min_lat, max_lon, max_lat] = b;
        let ok = [min_lon, max_lon].iter().all(|x| (-180.0..=180.0).contains(x))
            && [min_lat, max_lat].iter().all(|y| (-90.0..=90.0).contains(y))
            && min_lon <= max_lon
            && min_lat <= max_lat;
        if ok {
            Ok(Bbox(b))
        } else {
            Err(format!("want {} in degrees (longitudes -180 to 180, latitudes -90 to 90), mins first", Self::FORM))
        }
    }
}

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

/// A candidate considered for a place, with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alternative {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub admin1: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub score: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_code_points() {
        let t = "a–b “c” d";
        let bytes: Vec<usize> = vec![0, 1, 4, t.find('c').unwrap(), t.len()];
        assert_eq!(char_offsets(t, &bytes), vec![0, 1, 2, 5, 9]);
    }
}
