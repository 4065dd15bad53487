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
pub mod pipeline;
pub mod query;
pub mod read;
pub mod store;
pub mod watch;

pub use error::{ReadError, ReadErrorKind};

pub use model::{Article, Event, Format, Paragraph, Published, Span};
pub use pipeline::{events_of, events_of_with, main_event, Knowledge};
