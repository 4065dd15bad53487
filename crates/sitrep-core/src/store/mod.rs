//! The event store: where articles and their events are kept, queried and searched.
//!
//! The pipeline talks to a store only through [`EventStore`], a narrow interface: put a batch of
//! articles with their events, ask which articles are known, query events, search articles,
//! count. What following sources keeps (feeds, alerts, watched files) is [`LiveStore`]'s; a
//! whole store is both, [`Store`]. [`open`] gives one for a [`Location`] (what `--db` names) as a
//! trait object: the CLI, the server and the benchmarks hold nothing else.
//! [`sqlite::SqliteStore`] (one file, nothing to install) is the default;
//! [`postgres::PgStore`] (a `postgres://` URL) is its PostgreSQL backend: both traits, with
//! SQLite's results.

pub mod live;
pub mod pg_fts;
pub mod postgres;
pub mod sqlite;

pub use crate::model::ChangeKind;
use crate::model::{Article, Event};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use postgres::{PgStore, PG_SCHEMA_VERSION};
pub use sqlite::{SqliteStore, SCHEMA_VERSION};

/// Which stored events fusion reads.
#[derive(Debug, Clone, Copy)]
pub enum FusionScope {
    /// Every current event.
    All,
    /// Current events not yet fused, and the current events of fused events that lost a
    /// report (its article was replaced by a corrected version).
    Stale,
    /// What [`crate::fuse::neighbourhood`] asks for.
    Near(crate::model::fused::Lookup),
}

/// Where a store lives: what `--db` (or `SITREP_DB`) names. A file path is an SQLite store
/// (`sqlite:` or `sqlite://` before it is accepted too); a `postgres://` or `postgresql://` URL
/// is a PostgreSQL store. Shown (`Display`), a URL's password is hidden.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL database: its URL, password included (never printed).
    Postgres(String),
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            Location::Postgres(url) => f.debug_tuple("Postgres").field(&redacted(url)).finish(),
        }
    }
}

impl Location {
    /// The SQLite file at `path`.
    pub fn sqlite(path: impl Into<PathBuf>) -> Location {
        Location::Sqlite(path.into())
    }

    /// The file of a store kept in one (SQLite), to measure or remove it.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

impl std::str::FromStr for Location {
    type Err = String;

    fn from_str(s: &str) -> Result<Location, String> {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Location::Postgres(s.to_string()));
        }
        let path = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")).unwrap_or(s);
        if path.is_empty() {
            return Err("an empty database location: give a file path".into());
        }
        Ok(Location::Sqlite(PathBuf::from(path)))
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

/// A URL with its password (the part between `user:` and `@`) hidden, for messages.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (auth, host) = match rest.rfind('@') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// To read and write: created if missing, an older schema upgraded.
    ReadWrite,
    /// Only to read: it must exist; nothing is written, no migration (an older schema is
    /// refused with advice).
    ReadOnly,
    /// To read and write a store that must exist already (an older schema upgraded): work on
    /// what is stored never creates an empty store by mistake.
    Existing,
}

/// Opens the store at `location`.
pub fn open(location: &Location, access: Access) -> Result<Box<dyn Store>, StoreError> {
    match location {
        Location::Sqlite(path) => {
            if access != Access::ReadWrite && !path.exists() {
                return Err(StoreError::Missing { location: location.to_string() });
            }
            let access = if access == Access::Existing { Access::ReadWrite } else { access };
            Ok(Box::new(SqliteStore::open_as(path, access)?))
        }
        Location::Postgres(url) => Ok(Box::new(PgStore::open(url, access)?)),
    }
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("{path}: the database is schema version {found}, newer than this sitrep understands ({SCHEMA_VERSION}); use a newer sitrep")]
    TooNew { path: String, found: i64 },
    #[error("{path}: the database is schema version {found}, older than this sitrep's ({SCHEMA_VERSION}); a command that writes (`sitrep ingest`) upgrades it")]
    TooOld { path: String, found: i64 },
    #[error("{location}: no such database (create one with `sitrep ingest PATH... --db {location}`)")]
    Missing { location: String },
    #[error("{path}: the database is PostgreSQL schema version {found}, newer than this sitrep understands ({PG_SCHEMA_VERSION}); use a newer sitrep")]
    TooNewPg { path: String, found: i64 },
    #[error("{path}: the database is PostgreSQL schema version {found}, older than this sitrep's ({PG_SCHEMA_VERSION}); a command that writes (`sitrep ingest`) upgrades it")]
    TooOldPg { path: String, found: i64 },
    /// The PostgreSQL server's (or the client's) error, on one line, the URL without its password.
    #[error("{url}: {message}")]
    Postgres { url: String, message: String },
    /// What a backend does not do yet (the PostgreSQL backend now does all; kept for a backend
    /// in progress).
    #[error("{what}: not implemented yet for a PostgreSQL store (use an SQLite store for it)")]
    NotYet { what: &'static str },
    #[error("{path}: not a sitrep database ({reason})")]
    NotADatabase { path: String, reason: String },
    #[error("bad search query {query:?}: {reason}")]
    BadQuery { query: String, reason: String },
    /// A query ended early: over its time budget, its client gone, the server stopping.
    #[error("query stopped: {0}")]
    Interrupted(String),
    #[error("bad filter: {0}")]
    BadFilter(String),
    /// A request the store refuses: a name taken, a thing not found, a bad value.
    #[error("{0}")]
    Invalid(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the disk (or the database's size limit) is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, StoreError::Sqlite { source, .. } if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull))
    }
}

/// What storing did with one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A new article, with this many events.
    New { events: usize },
    /// A corrected version of a stored article (same URL, or same file, new text): the old
    /// version's events moved to the history and these replace them.
    Replaced { events: usize, old: String },
    /// Already stored (same id: same source and clean text).
    Unchanged,
}

/// How events are ordered: `date` (newest first), `date_asc` (oldest first), `fatalities`
/// (deadliest first), as [`crate::query`] parses them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sort {
    /// Newest first (undated last).
    #[default]
    #[cfg_attr(feature = "openapi", schema(rename = "date"))]
    DateDesc,
    /// Oldest first.
    #[cfg_attr(feature = "openapi", schema(rename = "date_asc"))]
    DateAsc,
    /// Deadliest first.
    #[cfg_attr(feature = "openapi", schema(rename = "fatalities"))]
    FatalitiesDesc,
}

/// Filters for [`EventStore::events`]. Every value reaches the database as a parameter.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub sub_event_type: Option<String>,
    /// An actor by any of its names ("Daesh" finds Islamic State).
    pub actor: Option<String>,
    pub since: Option<chrono::NaiveDate>,
    pub until: Option<chrono::NaiveDate>,
    /// Governorate ("Aleppo").
    pub admin1: Option<String>,
    /// A place or admin area by name: the location as written, its district or governorate.
    pub place: Option<String>,
    /// min_lon, min_lat, max_lon, max_lat.
    pub bbox: Option<[f64; 4]>,
    /// The outlet ("ARA News").
    pub source: Option<String>,
    /// Full-text query over the reporting article (FTS5 syntax).
    pub text: Option<String>,
    pub min_fatalities: Option<u32>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    /// Keyset paging: only the events after this one in `sort`'s order (the sort key of the
    /// last event of the previous page, from [`EventStore::events_keyed`]). `offset` counts
    /// from there; `count_events` ignores it.
    pub after: Option<EventKey>,
}

/// Where an event stands in each sort order: its date, its toll and the store's row sequence
/// (SQLite's `rowid`, PostgreSQL's `seq`: the order's last tie-breaker on both backends, and
/// unique). A keyset page resumes after one ([`EventFilter::after`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EventKey {
    pub date: Option<String>,
    pub fatalities: i64,
    pub seq: i64,
}

/// A value a keyset clause binds.
pub(crate) enum KeyValue<'a> {
    Text(&'a str),
    Int(i64),
}

/// The condition "after `k` in `sort`'s order" (the orders of both backends: dates bytewise,
/// undated last either way, then the row sequence), for a backend's date and sequence
/// expressions; `bind` binds a value and answers its placeholder.
pub(crate) fn keyset_clause(sort: Sort, k: &EventKey, date: &str, seq: &str, bind: &mut dyn FnMut(KeyValue) -> String) -> String {
    let op = if sort == Sort::DateAsc { ">" } else { "<" };
    let s = bind(KeyValue::Int(k.seq));
    let by_date = match &k.date {
        Some(d) => {
            let d = bind(KeyValue::Text(d));
            format!("({date} {op} {d} OR ({date} = {d} AND {seq} {op} {s}) OR {date} IS NULL)")
        }
        None => format!("({date} IS NULL AND {seq} {op} {s})"),
    };
    match sort {
        Sort::FatalitiesDesc => {
            let f = bind(KeyValue::Int(k.fatalities));
            format!(" AND (fatalities < {f} OR (fatalities = {f} AND {by_date}))")
        }
        _ => format!(" AND {by_date}"),
    }
}

impl EventFilter {
    /// The largest page a query may ask for.
    pub const MAX_LIMIT: usize = 100_000;

    /// Refuses an event type or sub-event type that is not ACLED's (a typo would match
    /// nothing and look like an empty store), naming the allowed values. Case does not matter.
    pub fn check_types(&self) -> Result<(), StoreError> {
        if let Some(t) = &self.event_type {
            if !ACLED_TYPES.iter().any(|(x, _)| x.eq_ignore_ascii_case(t.trim())) {
                let names: Vec<&str> = ACLED_TYPES.iter().map(|(x, _)| *x).collect();
                return Err(StoreError::BadFilter(format!("event type {t:?} is not one of ACLED's: {}", names.join(", "))));
            }
        }
        if let Some(t) = &self.sub_event_type {
            let types: Vec<&(&str, &[&str])> = match &self.event_type {
                Some(e) => ACLED_TYPES.iter().filter(|(x, _)| x.eq_ignore_ascii_case(e.trim())).collect(),
                None => ACLED_TYPES.iter().collect(),
            };
            if !types.iter().any(|(_, subs)| subs.iter().any(|x| x.eq_ignore_ascii_case(t.trim()))) {
                let names: Vec<&str> = types.iter().flat_map(|(_, subs)| subs.iter().copied()).collect();
                return Err(StoreError::BadFilter(format!("sub-event type {t:?} is not one of ACLED's: {}", names.join(", "))));
            }
        }
        Ok(())
    }
}

/// ACLED's event types and their sub-event types (the codebook's 25).
pub const ACLED_TYPES: &[(&str, &[&str])] = &[
    ("Battles", &["Armed clash", "Government regains territory", "Non-state actor overtakes territory"]),
    (
        "Explosions/Remote violence",
        &[
            "Chemical weapon",
            "Air/drone strike",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Grenade",
        ],
    ),
    ("Violence against civilians", &["Sexual violence", "Attack", "Abduction/forced disappearance"]),
    ("Protests", &["Peaceful protest", "Protest with intervention", "Excessive force against protesters"]),
    ("Riots", &["Violent demonstration", "Mob violence"]),
    (
        "Strategic developments",
        &[
            "Agreement",
            "Arrests",
            "Change to group/activity",
            "Disrupted weapons use",
            "Headquarters or base established",
            "Looting/property destruction",
            "Non-violent transfer of territory",
            "Other",
        ],
    ),
];

/// A search hit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub article_id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
    /// The best passage, matches in \[brackets\].
    pub snippet: String,
    /// bm25: lower is better.
    pub rank: f64,
}

/// A stored article with its events.
#[derive(Debug, Clone, Serialize)]
pub struct StoredArticle {
    pub article: Article,
    /// The id of the corrected version that replaced it, if one did.
    pub superseded_by: Option<String>,
    pub events: Vec<Event>,
}

/// A key and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub count: u64,
}

/// What the store holds, counted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    pub articles: u64,
    /// Articles replaced by a corrected version (kept as history).
    pub superseded_articles: u64,
    pub articles_without_events: u64,
    pub events: u64,
    pub fatalities: u64,
    pub events_without_place: u64,
    pub by_type: Vec<Count>,
    pub by_sub_type: Vec<Count>,
    pub by_actor: Vec<Count>,
    pub by_admin1: Vec<Count>,
    pub by_month: Vec<Count>,
    pub by_day: Vec<Count>,
    /// Articles per outlet.
    pub sources: Vec<Count>,
}

/// An actor events name, with how many events.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActorCount {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub side: crate::model::Side,
    /// ACLED interaction code.
    pub inter: u8,
    pub events: u64,
}

/// A gazetteer place events are placed at, with how many events.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceCount {
    pub id: String,
    pub name: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub events: u64,
}

/// What the map draws of an event: where, what, when, how deadly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub event_id: String,
    pub latitude: f64,
    pub longitude: f64,
    pub event_type: String,
    pub sub_event_type: String,
    pub event_date: Option<String>,
    pub location: Option<String>,
    pub fatalities: u32,
}

/// One entry of the change feed of fused events.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub seq: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    pub fused_id: String,
    /// created | updated | merged | deleted
    pub kind: ChangeKind,
    /// For "merged": the fused event it went into.
    pub into: Option<String>,
}

/// The stored fused events a fusion replaces ([`EventStore::fused_state`]).
#[derive(Debug, Clone, Default)]
pub struct FusedState {
    /// The fused events replaced (`None`: all).
    pub scope: Option<HashSet<String>>,
    /// Their digests, by id.
    pub digests: HashMap<String, String>,
    /// Their reports (event ids), by fused id.
    pub members: HashMap<String, Vec<String>>,
    /// Every stored fused id (in the scope or not): a new id must not take one.
    pub all_ids: HashSet<String>,
    /// For a report no longer current (its article corrected): the event of the same number
    /// in the newest version of its article, when that version has one.
    pub successors: HashMap<String, String>,
}

impl FusedState {
    /// Where a stored report is now: `find` of itself, or else of its successor.
    pub fn now_in<T>(&self, event: &str, find: impl Fn(&str) -> Option<T>) -> Option<T> {
        find(event).or_else(|| self.successors.get(event).and_then(|s| find(s)))
    }
}

/// What a fusion writes ([`EventStore::write_fusion`]).
#[derive(Debug, Default)]
pub struct FusionWrite<'a> {
    /// The fused events whose reports are replaced (`None`: all).
    pub scope: Option<&'a HashSet<String>>,
    /// Fused events new or changed, with their digests.
    pub upserts: Vec<(&'a crate::model::fused::FusedEvent, String)>,
    /// Every report of the new fused events: (event id, fused id, verdict).
    pub members: Vec<(&'a str, &'a str, crate::model::fused::Verdict)>,
    /// Fused events gone.
    pub removed: Vec<&'a str>,
    /// The change feed's new entries, in order: (fused id, kind, the fused event it merged into).
    pub changes: Vec<(String, ChangeKind, Option<String>)>,
}

/// What a fusion run changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FusionCounts {
    pub fused_events: usize,
    pub multi_source: usize,
    pub created: usize,
    pub updated: usize,
    pub merged: usize,
    pub deleted: usize,
}

/// A value of a stored row as [`EventStore::export_rows`] hands it and
/// [`EventStore::import_rows`] takes it: the same on every backend, so that a whole store moves
/// from one to another ([`copy`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    /// A deflated record (the JSON columns), as both backends keep it.
    Blob(Vec<u8>),
}

/// What a column of [`COPY_TABLES`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Real,
    Blob,
    /// A flag: 0 or 1 (SQLite's INTEGER, PostgreSQL's BOOLEAN).
    Bool,
}

/// A table as [`copy`] moves it: the columns both backends keep, in order.
#[derive(Debug)]
pub struct CopyTable {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

const T: Kind = Kind::Text;
const I: Kind = Kind::Int;
const R: Kind = Kind::Real;
const B: Kind = Kind::Blob;

/// Every table of a store that [`copy`] moves, in the order it moves them (articles before
/// their events). What a backend derives from them (SQLite's search index, evidence spans and
/// event-article links; PostgreSQL's `tsvector`s, token counts and storing order) is not among
/// them: `import_rows` makes it. `meta` is the alerts' cursor only (the schema version is each
/// backend's own). Articles and events move in the order they were stored (SQLite's rowid,
/// PostgreSQL's `seq`), which breaks the ties of the event sorts; the change feed, feeds and
/// deliveries keep their numbers.
pub const COPY_TABLES: &[CopyTable] = &[
    CopyTable {
        name: "articles",
        columns: &[
            ("id", T),
            ("input", T),
            ("format", T),
            ("title", T),
            ("source", T),
            ("byline", T),
            ("dateline", T),
            ("published", T),
            ("url", T),
            ("text", T),
            ("body", T),
            ("json", B),
            ("doc_key", T),
            ("superseded_by", T),
            ("ingested_at", T),
            ("data_version", T),
        ],
    },
    CopyTable {
        name: "events",
        columns: &[
            ("id", T),
            ("article_id", T),
            ("event_date", T),
            ("event_type", T),
            ("sub_event_type", T),
            ("actor1", T),
            ("actor2", T),
            ("location", T),
            ("latitude", R),
            ("longitude", R),
            ("country", T),
            ("admin1", T),
            ("admin2", T),
            ("geo_precision", I),
            ("fatalities", I),
            ("source", T),
            ("geo_id", T),
            ("json", B),
            ("data_version", T),
        ],
    },
    CopyTable { name: "actors", columns: &[("name", T), ("side", T), ("inter", I)] },
    CopyTable {
        name: "places",
        columns: &[("id", T), ("name", T), ("country", T), ("admin1", T), ("admin2", T), ("latitude", R), ("longitude", R)],
    },
    CopyTable { name: "event_history", columns: &[("id", T), ("article_id", T), ("replaced_by", T), ("replaced_at", T), ("json", B)] },
    CopyTable {
        name: "fused_events",
        columns: &[
            ("id", T),
            ("event_date", T),
            ("event_type", T),
            ("admin1", T),
            ("fatalities", I),
            ("sources", I),
            ("reports", I),
            ("score", R),
            ("digest", T),
            ("created_at", T),
            ("updated_at", T),
            ("json", B),
        ],
    },
    CopyTable { name: "fused_members", columns: &[("event_id", T), ("fused_id", T), ("verdict", I)] },
    CopyTable { name: "changes", columns: &[("seq", I), ("at", T), ("fused_id", T), ("kind", T), ("into_id", T)] },
    CopyTable {
        name: "article_credibility",
        columns: &[("article_id", T), ("score", R), ("corroborated", I), ("uncorroborated", I), ("contradicted", I), ("reason", T)],
    },
    CopyTable {
        name: "feeds",
        columns: &[
            ("id", I),
            ("url", T),
            ("name", T),
            ("added_at", T),
            ("etag", T),
            ("last_modified", T),
            ("last_polled", T),
            ("last_ok", T),
            ("failures", I),
            ("last_error", T),
            ("next_try", T),
            ("items", I),
        ],
    },
    CopyTable {
        name: "feed_items",
        columns: &[("url", T), ("feed_id", I), ("first_seen", T), ("article_id", T), ("attempts", I), ("error", T), ("done", Kind::Bool)],
    },
    CopyTable { name: "alerts", columns: &[("name", T), ("query", T), ("sink", T), ("secret", T), ("after_seq", I), ("created_at", T)] },
    CopyTable {
        name: "deliveries",
        columns: &[
            ("id", I),
            ("alert", T),
            ("fused_id", T),
            ("kind", T),
            ("digest", T),
            ("payload", T),
            ("status", T),
            ("attempts", I),
            ("last_error", T),
            ("next_try", T),
            ("created_at", T),
            ("delivered_at", T),
        ],
    },
    CopyTable { name: "watched_files", columns: &[("path", T), ("size", I), ("modified", I), ("ingested_at", T)] },
    CopyTable { name: "meta", columns: &[("key", T), ("value", T)] },
];

/// The table of [`COPY_TABLES`] of this name, and the position of each row's values checked.
pub(crate) fn copy_table(name: &str) -> Result<&'static CopyTable, StoreError> {
    COPY_TABLES.iter().find(|t| t.name == name).ok_or_else(|| StoreError::Invalid(format!("{name}: not a table a store copies")))
}

/// Refuses rows of the wrong width (before anything of them is written).
pub(crate) fn check_rows(t: &CopyTable, rows: &[Vec<Raw>]) -> Result<(), StoreError> {
    match rows.iter().find(|r| r.len() != t.columns.len()) {
        Some(r) => Err(StoreError::Invalid(format!("{}: a row of {} values, not {}", t.name, r.len(), t.columns.len()))),
        None => Ok(()),
    }
}

/// Rows [`copy`] moves per `import_rows` call.
const COPY_CHUNK: usize = 500;

/// Copies a whole store: every row of [`COPY_TABLES`] of `from` into `to`, ids, times and
/// sequence numbers kept, in one exclusive write transaction of `to` (all or nothing), which
/// must hold no article (refused otherwise: nothing is written). `progress` is told the rows
/// copied of the total after each chunk. Returns how many rows were copied.
pub fn copy(from: &dyn Store, to: &mut dyn Store, progress: &mut dyn FnMut(u64, u64)) -> Result<u64, StoreError> {
    let mut total = 0;
    for t in COPY_TABLES {
        total += from.count_rows(t.name)?;
    }
    let mut done = 0u64;
    to.write_exclusive(&mut |to| {
        let held = to.counts()?.0;
        if held > 0 {
            return Err(StoreError::Invalid(format!("the target already holds {held} articles: copy only into an empty store")));
        }
        done = 0;
        for t in COPY_TABLES {
            let mut rows = Vec::with_capacity(COPY_CHUNK);
            let mut flush = |rows: &mut Vec<Vec<Raw>>, to: &mut dyn EventStore| -> Result<(), StoreError> {
                to.import_rows(t.name, rows)?;
                done += rows.len() as u64;
                rows.clear();
                progress(done, total);
                Ok(())
            };
            from.export_rows(t.name, &mut |row| {
                rows.push(row);
                if rows.len() >= COPY_CHUNK {
                    flush(&mut rows, &mut *to)?;
                }
                Ok(())
            })?;
            if !rows.is_empty() {
                flush(&mut rows, to)?;
            }
        }
        Ok(())
    })?;
    Ok(done)
}

/// The interface between the pipeline and a store. `Send`: ingest writes from a worker
/// thread while others extract.
pub trait EventStore: Send {
    /// Runs `work` as one write transaction, exclusive of every other writer (other processes'
    /// too): committed when it returns `Ok`, rolled back when it fails, retried from the start
    /// while another writer holds the store. Fusion runs this way ([`crate::fuse::fuse_changed`]).
    fn write_exclusive(&mut self, work: &mut dyn FnMut(&mut dyn EventStore) -> Result<(), StoreError>) -> Result<(), StoreError>;
    /// The page cache of this connection, in MiB (`None`: the backend's default, which also
    /// gives back what a larger one held): a bulk writer gains from a large one (index pages of
    /// random keys stay in memory), a reader rarely does. A backend without one ignores it.
    fn set_cache_mib(&self, mib: Option<u32>) -> Result<(), StoreError>;
    /// After a failed write on a full disk: gives back the space the failed write took (SQLite:
    /// its write-ahead log), so that the disk is not left full. Best effort: errors are ignored.
    fn release_space(&self);
    /// Makes everything committed durable in the main files (SQLite: the write-ahead log moved
    /// into the database, after a bulk load, before measuring its size).
    fn checkpoint(&self) -> Result<(), StoreError>;
    /// The ids of every current article, sorted.
    fn article_ids(&self) -> Result<Vec<String>, StoreError>;
    /// Which of these article ids are stored already (current or superseded).
    fn known(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError>;
    /// Stores articles with their events, in one transaction: all of the batch or none.
    fn put_batch(&mut self, batch: &[(Article, Vec<Event>)]) -> Result<Vec<Stored>, StoreError>;
    /// Events matching a filter.
    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>, StoreError>;
    /// Events matching a filter, each with its sort key (for keyset paging: pass the last
    /// one's as the next page's [`EventFilter::after`]).
    fn events_keyed(&self, filter: &EventFilter) -> Result<Vec<(Event, EventKey)>, StoreError>;
    /// How many events match a filter (its limit and offset aside).
    fn count_events(&self, filter: &EventFilter) -> Result<u64, StoreError>;
    /// One event and the ids of the articles that report it.
    fn event(&self, id: &str) -> Result<Option<(Event, Vec<String>)>, StoreError>;
    /// One article with its events.
    fn article(&self, id: &str) -> Result<Option<StoredArticle>, StoreError>;
    /// Full-text search over titles and bodies, best first.
    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError>;
    /// Current articles and events.
    fn counts(&self) -> Result<(u64, u64), StoreError>;
    /// Counts by type, actor, admin area, month, day and source.
    fn stats(&self) -> Result<Stats, StoreError>;
    /// The actors events name, most events first.
    fn actors(&self) -> Result<Vec<ActorCount>, StoreError>;
    /// The places events are at, most events first.
    fn places(&self, limit: usize) -> Result<Vec<PlaceCount>, StoreError>;
    /// Current events with their article's publication date: fusion's input.
    fn fusion_input(&self, scope: FusionScope) -> Result<Vec<(Event, Option<chrono::NaiveDate>)>, StoreError>;
    /// What fusion must know of the fused events stored to keep their ids and tell what changed:
    /// all of them, or (`part`: the event ids fused again) the fused events of those events and
    /// of events no longer current.
    fn fused_state(&self, part: Option<&[String]>) -> Result<FusedState, StoreError>;
    /// Writes what fusion computed ([`crate::fuse::fuse_changed`]), in one transaction: the
    /// fused events of the scope replaced, the change feed appended to.
    fn write_fusion(&mut self, write: &FusionWrite<'_>) -> Result<(), StoreError>;
    /// Per current article, how many of its reports fusion judged corroborated, uncorroborated
    /// and contradicted: every article with a fused report, or (`events`) the articles of these
    /// events.
    fn verdict_counts(&self, events: Option<&[String]>) -> Result<Vec<(String, [usize; 3])>, StoreError>;
    /// Stores article scores: replacing every stored score (`all`), or these articles' (and
    /// dropping the scores of articles no longer current).
    fn put_credibility(&mut self, scores: &[crate::model::fused::ArticleCredibility], all: bool) -> Result<(), StoreError>;
    /// How many fused events, and how many of them from several outlets.
    fn fused_totals(&self) -> Result<(usize, usize), StoreError>;
    /// The current articles whose events were made by rules other than `version` (or before
    /// the store recorded it), sorted.
    fn stale_articles(&self, version: &str) -> Result<Vec<String>, StoreError>;
    /// Replaces stored articles' events with these, made by the rules of `version`, in one
    /// transaction. Fusion must run again after ([`crate::fuse::refuse_all`]).
    fn replace_events(&mut self, batch: &[(String, Vec<Event>)], version: &str) -> Result<(), StoreError>;
    /// Fused events, most reported first (then newest), paginated.
    fn fused_events(&self, min_sources: usize, limit: usize, offset: usize) -> Result<Vec<crate::model::fused::FusedEvent>, StoreError>;
    /// One fused event, by its id.
    fn fused_event(&self, id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError>;
    /// The fused event an event belongs to, once fusion has run.
    fn fused_event_of(&self, event_id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError>;
    /// The change feed from a moment on (RFC 3339, or a date), the changes at that moment
    /// included, in order.
    fn changes_since(&self, since: &str, limit: usize) -> Result<Vec<Change>, StoreError>;
    /// The change feed after a sequence number (the cursor: `seq` of the last change seen; 0
    /// from the start), in order, at most `limit`.
    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError>;
    /// Every event matching a filter, in its order, handed to `each` one at a time with the
    /// time it was stored (UTC, RFC 3339; events never change once stored: a correction
    /// replaces them); `limit` caps how many (None: all). Memory stays flat at any size.
    fn for_each_event(
        &self,
        filter: &EventFilter,
        limit: Option<usize>,
        each: &mut dyn FnMut(Event, &str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;
    /// The placed events matching a filter as map points, in the filter's order, at most
    /// `filter.limit`.
    fn points(&self, filter: &EventFilter) -> Result<Vec<Point>, StoreError>;
    /// Events per day (dated events only) matching a filter, in date order.
    fn days(&self, filter: &EventFilter) -> Result<Vec<Count>, StoreError>;
    /// An article's credibility, once fusion has run.
    fn article_credibility(&self, id: &str) -> Result<Option<crate::model::fused::ArticleCredibility>, StoreError>;
    /// Bounds the statements run from now on: each ends with [`StoreError::Interrupted`] once
    /// `deadline` has passed or any of `stops` is set, and the connection is free again at
    /// once. `set_budget(None, vec![])` lifts the bounds.
    fn set_budget(&self, deadline: Option<std::time::Instant>, stops: Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>);
    /// How many rows a table of [`COPY_TABLES`] holds.
    fn count_rows(&self, table: &str) -> Result<u64, StoreError>;
    /// Every row of a table of [`COPY_TABLES`], its columns in order, handed to `each` one at a
    /// time (articles and events in storing order). Memory stays flat at any size.
    fn export_rows(&self, table: &str, each: &mut dyn FnMut(Vec<Raw>) -> Result<(), StoreError>) -> Result<u64, StoreError>;
    /// Writes rows of a table of [`COPY_TABLES`] as they are (ids, times, numbers kept), with
    /// what this backend derives from them (search index, evidence), in one transaction (a
    /// savepoint inside `write_exclusive`). For an empty store being filled ([`copy`]): a row
    /// whose key is taken is an error.
    fn import_rows(&mut self, table: &str, rows: &[Vec<Raw>]) -> Result<(), StoreError>;
}

/// What following sources keeps in a store beside the events: feeds with their HTTP validators
/// and failures, the feed items seen, saved alerts with their delivery log and cursor, and the
/// files a watched folder ingested ([`crate::feeds`], [`crate::alerts`], [`crate::watch`]).
pub trait LiveStore: Send {
    /// Adds a feed; a URL already followed is refused.
    fn add_feed(&mut self, url: &str, name: Option<&str>) -> Result<crate::model::live::Feed, StoreError>;
    /// The feeds followed, in the order they were added.
    fn feeds(&self) -> Result<Vec<crate::model::live::Feed>, StoreError>;
    /// Stops following a feed, named by its URL, its name or its id; the items it brought stay
    /// stored. Returns the feed removed, or `None` when none matches.
    fn remove_feed(&mut self, which: &str) -> Result<Option<crate::model::live::Feed>, StoreError>;
    /// Records how a poll of a feed ended.
    fn feed_polled(&mut self, id: i64, poll: &live::FeedPoll) -> Result<(), StoreError>;
    /// What is known of a feed item by its URL.
    fn feed_item(&self, url: &str) -> Result<Option<live::ItemState>, StoreError>;
    /// Records a feed item read (its article stored, or already stored under another URL).
    fn feed_item_done(&mut self, url: &str, feed_id: i64, article_id: &str) -> Result<(), StoreError>;
    /// Records a feed item that could not be read; after `max_attempts` it is given up (done,
    /// with its error kept).
    fn feed_item_failed(&mut self, url: &str, feed_id: i64, error: &str, max_attempts: u32) -> Result<(), StoreError>;
    /// Whether an article id is stored (current or superseded): the content id that
    /// deduplicates items carried by several feeds under different URLs.
    fn has_article(&self, id: &str) -> Result<bool, StoreError>;
    /// Saves an alert; a name taken is refused. It is evaluated on changes after the feed's
    /// current end (not on the store's history).
    fn add_alert(
        &mut self,
        name: &str,
        query: &crate::model::live::AlertQuery,
        sink: &crate::model::live::Sink,
        secret: &str,
    ) -> Result<crate::model::live::Alert, StoreError>;
    /// The saved alerts, by name.
    fn alerts(&self) -> Result<Vec<crate::model::live::Alert>, StoreError>;
    /// Removes an alert; its delivery log stays. Whether one was removed.
    fn remove_alert(&mut self, name: &str) -> Result<bool, StoreError>;
    /// The last change-feed `seq` alerts were evaluated on.
    fn alerts_cursor(&self) -> Result<i64, StoreError>;
    /// Moves the alerts' cursor on (never back: two evaluators at once keep the furthest).
    fn set_alerts_cursor(&mut self, seq: i64) -> Result<(), StoreError>;
    /// The digest of a stored fused event (it changes when the fused event does).
    fn fused_digest(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Queues a delivery; a version of a fused event already queued for the alert is not
    /// queued again. Whether it was queued.
    fn queue_delivery(&mut self, alert: &str, fused_id: &str, kind: ChangeKind, digest: &str, payload: &str) -> Result<bool, StoreError>;
    /// Pending deliveries due at `at`, oldest first.
    fn due_deliveries(&self, at: &str, limit: usize) -> Result<Vec<crate::model::live::Delivery>, StoreError>;
    /// When the next pending delivery is due, if any is pending.
    fn next_delivery_due(&self) -> Result<Option<String>, StoreError>;
    /// The delivery log, newest first.
    fn deliveries(&self, limit: usize) -> Result<Vec<crate::model::live::Delivery>, StoreError>;
    /// Takes a due delivery for this process until `lease_until` (another deliverer then
    /// skips it). Whether it was taken.
    fn claim_delivery(&mut self, id: i64, at: &str, lease_until: &str) -> Result<bool, StoreError>;
    /// Records an attempt: delivered, or failed with its error and either the next try or
    /// (`next_try` None) given up.
    fn delivery_attempted(&mut self, id: i64, result: Result<(), &str>, next_try: Option<&str>) -> Result<(), StoreError>;
    /// Counts of deliveries by alert and status.
    fn delivery_counts(&self) -> Result<Vec<(String, String, u64)>, StoreError>;
    /// The size and modification time (ns since the epoch) a watched file had when ingested.
    fn watched_file(&self, path: &str) -> Result<Option<(u64, i64)>, StoreError>;
    /// Records a watched file ingested at this size and modification time.
    fn set_watched_file(&mut self, path: &str, size: u64, modified: i64) -> Result<(), StoreError>;
    /// The ids of current events whose article was stored after `at` (UTC, RFC 3339), at most
    /// `limit`: what arrived since a user last looked.
    fn events_stored_after(&self, at: &str, limit: usize) -> Result<std::collections::HashSet<String>, StoreError>;
    /// When the last article was stored (UTC, RFC 3339), if any was.
    fn newest_stored(&self) -> Result<Option<String>, StoreError>;
}

/// A whole store: its events and what following sources keeps. What [`open`] gives.
pub trait Store: EventStore + LiveStore {}

impl<T: EventStore + LiveStore> Store for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_acleds_or_refused_with_the_list() {
        let f = |t: Option<&str>, s: Option<&str>| EventFilter {
            event_type: t.map(String::from),
            sub_event_type: s.map(String::from),
            ..EventFilter::default()
        };
        assert!(f(Some("battles"), Some("armed clash")).check_types().is_ok());
        assert!(f(None, Some("Air/drone strike")).check_types().is_ok());
        let e = f(Some("Battle"), None).check_types().unwrap_err().to_string();
        assert!(e.contains("\"Battle\"") && e.contains("Battles, Explosions/Remote violence"), "{e}");
        let e = f(Some("Battles"), Some("Air/drone strike")).check_types().unwrap_err().to_string();
        assert!(e.contains("Armed clash") && !e.contains("Grenade"), "{e}");
        assert_eq!(ACLED_TYPES.iter().map(|(_, s)| s.len()).sum::<usize>(), 25);
    }

    #[test]
    fn locations_are_sqlite_paths_or_postgres_urls_shown_without_their_password() {
        assert_eq!("data/s.db".parse::<Location>(), Ok(Location::sqlite("data/s.db")));
        assert_eq!("sqlite://s.db".parse::<Location>(), Ok(Location::sqlite("s.db")));
        assert_eq!("sqlite:s.db".parse::<Location>(), Ok(Location::sqlite("s.db")));
        assert!("".parse::<Location>().is_err());
        let url = "postgres://ana:s3cret@db.example:5432/sitrep";
        let at = url.parse::<Location>().unwrap();
        assert_eq!(at, Location::Postgres(url.into()));
        assert_eq!(at.to_string(), "postgres://ana:***@db.example:5432/sitrep");
        assert!(!format!("{at:?}").contains("s3cret") && at.file().is_none());
        assert!(matches!("POSTGRESQL://db.example/s".parse::<Location>(), Ok(Location::Postgres(_))));
        assert_eq!(redacted("postgresql://db.example/sitrep"), "postgresql://db.example/sitrep");
        assert_eq!(Location::sqlite("s.db").to_string(), "s.db");
    }

    #[test]
    fn a_store_opened_to_read_must_exist_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let at = Location::sqlite(dir.path().join("none.db"));
        for access in [Access::ReadOnly, Access::Existing] {
            let e = open(&at, access).err().expect("refused").to_string();
            assert!(e.contains("none.db: no such database"), "{e}");
            assert!(!dir.path().join("none.db").exists());
        }
        let mut s = open(&at, Access::ReadWrite).expect("created");
        assert_eq!(s.counts().unwrap(), (0, 0));
        assert!(s.feeds().unwrap().is_empty());
        let _: &mut dyn EventStore = s.as_mut();
        drop(s);
        assert!(open(&at, Access::ReadOnly).is_ok());
        assert!(open(&at, Access::Existing).is_ok());
    }
}
