//! # sitrep-core: the sitrep pipeline
//!
//! sitrep turns raw war reporting into conflict-event data. Data flows one way:
//!
//! ```text
//! read -> clean -> extract -> geocode -> fuse -> store -> serve
//! ```
//!
//! This crate holds the stages as modules with small typed interfaces, and everything a front
//! end needs; the `sitrep` binary and `sitrep-server` are thin shells over it.
//!
//! - [`read`]: inputs (files, folders, globs, stdin; plain text, HTML, JSON, JSON Lines, CSV,
//!   WARC, compressed) decoded into [`model::RawDoc`]s, each handed to [`clean`];
//! - [`clean`]: boilerplate removal and metadata (title, source, byline, dateline, publication
//!   date) into an [`Article`] whose paragraphs keep offsets into the original text;
//! - [`extract`] and [`geocode`]: an article's ACLED-style [`Event`]s, placed; chained by
//!   [`pipeline`], which also holds [`Knowledge`], the loaded data files every stage runs on;
//! - [`fuse`]: reports of one real event into one fused event, claims side by side;
//!   [`control`]: territorial control timelines; [`credibility`]: article credibility;
//! - [`store`]: the [`store::Store`] traits and their SQLite implementation;
//!   [`ingest`]: the one ingest (batches, extraction, storing, fusion); [`query`]: typed
//!   event queries; [`export`]: ACLED CSV and GeoJSON;
//! - [`feeds`], [`alerts`], [`watch`]: following sources and alerting;
//! - [`eval`]: scoring against references.
//!
//! The types stages hand each other live in [`model`]. Knowledge (triggers, actors, places,
//! the gazetteer, outlets, boilerplate, learned models) is data under `data/`, embedded at
//! compile time; [`knowledge::DATA_VERSION`] names its version.
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
pub mod pipeline;
pub mod query;
pub mod read;
pub mod store;
pub mod watch;

pub use error::{ReadError, ReadErrorKind};

pub use model::{Article, Event, Format, Paragraph, Published, Span};
pub use pipeline::{events_of, events_of_with, main_event, Knowledge};
