//! # sitrep-core: the sitrep pipeline
//!
//! sitrep turns raw war reporting into conflict-event data. Data flows one way:
//!
//! ```text
//! read -> clean -> extract -> geocode -> fuse -> store -> serve
//! ```
//!
//! This crate holds the stages as modules with small typed interfaces; the `sitrep` binary is a
//! thin shell over it. Implemented so far:
//!
//! - [`read`]: inputs (files, folders, globs, stdin) in plain text, HTML, JSON, JSON Lines and
//!   CSV, decoded from any common encoding, into [`read::RawDoc`]s;
//! - [`clean`]: boilerplate removal and metadata (title, source, byline, dateline, publication
//!   date) into an [`model::Article`] whose paragraphs keep offsets into the original text;
//! - [`eval`]: scoring against references (the article-extraction benchmark's method).
//!
//! Knowledge (boilerplate patterns, outlets) is data under `data/`, embedded at compile time:
//! see [`knowledge`].
//!
//! ```
//! use sitrep_core::read::{read_bytes, ReadOptions};
//! let page = "Rebels retake a village\n\nHOMS – Rebels retook a village near Homs on Monday, a monitor said.\n\nLeave a Reply\n\nNice!";
//! let mut articles = Vec::new();
//! read_bytes("story.txt", page.as_bytes(), &ReadOptions::default(), &mut |r| articles.push(r.unwrap()));
//! assert_eq!(articles[0].dateline.as_deref(), Some("Homs"));
//! assert!(!articles[0].body().contains("Nice"));
//! ```

pub mod alerts;
pub mod clean;
pub mod control;
pub mod credibility;
pub mod dates;
pub mod error;
pub mod eval;
pub mod export;
pub mod extract;
pub mod feeds;
pub mod fuse;
pub mod geocode;
pub mod ingest;
pub mod knowledge;
pub mod localhttp;
pub mod model;
pub mod query;
pub mod read;
pub mod store;
pub mod watch;

pub use error::{ReadError, ReadErrorKind};

/// The article's main event: the one whose place its headline names, else the first
/// reported event placed at a town or near one, else the first placed at all.
pub fn main_event<'e>(article: &Article, events: &'e [Event]) -> Option<&'e Event> {
    let g = geocode::Gazetteer::builtin();
    let title = article.title.as_deref().unwrap_or("");
    let mut headline: Vec<String> = extract::places::PlaceCues::builtin()
        .find(title, &[])
        .into_iter()
        .filter_map(|p| g.resolve(&p.name, &geocode::Context::default()).and_then(|r| r.admin1))
        .collect();
    headline.extend(g.prominent_name_in(title));
    // The news is what happened lately: an event dated weeks before publication is
    // background ("since it seized Mosul on June 10"), the main event only when nothing recent is.
    let published = article.published.as_ref().map(|p| p.date);
    let recent = |e: &Event| match (e.event_date, published) {
        (Some(d), Some(p)) => (p - d).num_days().abs() <= 7,
        _ => true,
    };
    let pick = |only_recent: bool| {
        let first = |pred: &dyn Fn(&Event) -> bool| {
            events
                .iter()
                .filter(|e| e.admin1.is_some() && (!only_recent || recent(e)) && pred(e))
                .min_by_key(|e| e.evidence.first().map_or(usize::MAX, |v| v.start))
        };
        // The headline's places in its order: the first one with an event wins.
        headline
            .iter()
            .find_map(|h| first(&|e| e.admin1.as_deref() == Some(h.as_str())))
            .or_else(|| first(&|e| e.geo_precision.is_some_and(|p| p <= 2)))
            .or_else(|| first(&|_| true))
    };
    pick(true).or_else(|| pick(false))
}

/// The events of a clean article, extracted and geocoded: the pipeline after reading.
pub fn events_of(article: &Article) -> Vec<Event> {
    events_of_with(article, extract::learned::TyperKind::default())
}

/// [`events_of`] with a typer of this kind (`sitrep eval` compares them).
pub fn events_of_with(article: &Article, typer: extract::learned::TyperKind) -> Vec<Event> {
    events_by(&extract::Extractor::with_typer(typer), article)
}

/// The events of a clean article by a given extractor, geocoded.
pub fn events_by(extractor: &extract::Extractor, article: &Article) -> Vec<Event> {
    let (mut events, places) = extractor.extract_with_places(article);
    geocode::geocode_events(article, &mut events, &places);
    events
}
pub use model::{Article, Event, Format, Paragraph, Published, Span};
