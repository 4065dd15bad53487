//! The SQLite store: one file (bundled SQLite, nothing to install), WAL mode, FTS5 for search.
//! Only this file knows SQL.
//!
//! The schema is versioned (`meta.schema_version`); a file from a newer sitrep is refused with
//! advice, a file from an older one is upgraded by its migrations (`MIGRATIONS`). Tables:
//!
//! - `articles`: every version of every article (metadata, original text, clean body, the
//!   article as JSON); `doc_key` ties the versions of one document, `superseded_by` points an
//!   old version at its correction;
//! - `articles_fts`: FTS5 over the current versions' titles and bodies;
//! - `events`: the current events: the columns queries filter and sort on (with covering
//!   indexes), and each event whole as deflated JSON;
//! - `evidence`: each event's sentence spans; `event_articles`: which articles report an
//!   event; `actors`, `places`: the actors and gazetteer places events name;
//! - `event_history`: events of superseded versions, with when and by what they were replaced.

use super::{
    Access, ActorCount, Change, Count, EventFilter, EventStore, FusedState, FusionScope, FusionWrite, PlaceCount, SearchHit, Sort, Stats,
    StoreError, Stored, StoredArticle,
};
use crate::model::{Article, Event};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use std::collections::HashSet;
use std::path::Path;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 12;

/// Migrations, in order: `MIGRATIONS[n]` takes a file from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    input TEXT NOT NULL,
    format TEXT NOT NULL,
    title TEXT,
    source TEXT,
    byline TEXT,
    dateline TEXT,
    published TEXT,
    url TEXT,
    text TEXT NOT NULL,
    body TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_date TEXT,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    actor1 TEXT,
    actor2 TEXT,
    location TEXT,
    latitude REAL,
    longitude REAL,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    geo_precision INTEGER,
    fatalities INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_article ON events(article_id);
CREATE INDEX IF NOT EXISTS events_date ON events(event_date);
CREATE INDEX IF NOT EXISTS events_type ON events(event_type);
"#,
    r#"
ALTER TABLE articles ADD COLUMN doc_key TEXT;
ALTER TABLE articles ADD COLUMN superseded_by TEXT;
ALTER TABLE articles ADD COLUMN ingested_at TEXT;
UPDATE articles SET doc_key = url WHERE url IS NOT NULL AND url <> '';
UPDATE articles SET doc_key = input WHERE doc_key IS NULL AND format NOT IN ('csv', 'jsonl') AND input <> '-' AND input NOT GLOB '*:[0-9]*';
CREATE INDEX articles_doc_key ON articles(doc_key) WHERE superseded_by IS NULL;
ALTER TABLE events ADD COLUMN source TEXT;
ALTER TABLE events ADD COLUMN geo_id TEXT;
UPDATE events SET source = json_extract(json, '$.source'), geo_id = json_extract(json, '$.geo_id');
CREATE INDEX events_admin1 ON events(admin1);
CREATE INDEX events_actor1 ON events(actor1);
CREATE INDEX events_actor2 ON events(actor2);
CREATE INDEX events_fatalities ON events(fatalities);
CREATE INDEX events_lat ON events(latitude);
CREATE TABLE evidence (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    byte_start INTEGER NOT NULL,
    byte_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (event_id, n)
);
INSERT INTO evidence (event_id, n, start, end, byte_start, byte_end, text)
    SELECT e.id, j.key, json_extract(j.value, '$.start'), json_extract(j.value, '$.end'),
           json_extract(j.value, '$.byte_start'), json_extract(j.value, '$.byte_end'), json_extract(j.value, '$.text')
    FROM events e, json_each(e.json, '$.evidence') j;
CREATE TABLE event_articles (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, article_id)
);
CREATE INDEX event_articles_article ON event_articles(article_id);
INSERT INTO event_articles (event_id, article_id) SELECT id, article_id FROM events;
CREATE TABLE actors (
    name TEXT PRIMARY KEY,
    side TEXT NOT NULL,
    inter INTEGER NOT NULL
);
INSERT OR IGNORE INTO actors (name, side, inter)
    SELECT json_extract(json, '$.actor1.name'), json_extract(json, '$.actor1.side'), json_extract(json, '$.actor1.inter') FROM events WHERE actor1 IS NOT NULL
    UNION ALL
    SELECT json_extract(json, '$.actor2.name'), json_extract(json, '$.actor2.side'), json_extract(json, '$.actor2.inter') FROM events WHERE actor2 IS NOT NULL;
CREATE TABLE places (
    id TEXT PRIMARY KEY,
    name TEXT,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    latitude REAL,
    longitude REAL
);
CREATE TABLE event_history (
    id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    replaced_by TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX event_history_article ON event_history(article_id);
"#,
    // Version 3 writes the `json` columns deflated (BLOB) and an article's JSON without its
    // original text; older rows stay plain JSON text and read as before. Nothing to convert,
    // but a version 2 sitrep must not open a file it would misread. Places are looked up by id.
    "CREATE INDEX IF NOT EXISTS events_geo_id ON events(geo_id);",
    // Version 4: indexes that give the sort orders whole, so a page is read off an index
    // instead of sorting every matching event.
    r#"
DROP INDEX IF EXISTS events_date;
DROP INDEX IF EXISTS events_fatalities;
CREATE INDEX events_date_id ON events(event_date, id);
CREATE INDEX events_fatalities_date_id ON events(fatalities, event_date, id);
"#,
    // Version 5: the events' JSON moves to a table of its own, so that filtering, sorting and
    // counting events scan small rows (the JSON was nine tenths of each row).
    r#"
CREATE TABLE event_records (
    id TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    json BLOB NOT NULL
);
INSERT INTO event_records (id, json) SELECT id, json FROM events;
ALTER TABLE events DROP COLUMN json;
-- Filters compare names without case: their indexes must too. A bounding box is answered from
-- one covering index.
DROP INDEX IF EXISTS events_type;
DROP INDEX IF EXISTS events_admin1;
DROP INDEX IF EXISTS events_actor1;
DROP INDEX IF EXISTS events_actor2;
DROP INDEX IF EXISTS events_lat;
CREATE INDEX events_type_nc ON events(event_type COLLATE NOCASE, sub_event_type COLLATE NOCASE);
CREATE INDEX events_admin1_nc ON events(admin1 COLLATE NOCASE);
CREATE INDEX events_actor1_nc ON events(actor1 COLLATE NOCASE);
CREATE INDEX events_actor2_nc ON events(actor2 COLLATE NOCASE);
CREATE INDEX events_source_nc ON events(source COLLATE NOCASE);
CREATE INDEX events_lat_lon ON events(latitude, longitude);
"#,
    // Version 6: fusion. Fused events (each whole as deflated JSON, with a digest to tell an
    // update), which event belongs to which, the change feed, and article credibility.
    r#"
CREATE TABLE fused_events (
    id TEXT PRIMARY KEY,
    event_date TEXT,
    event_type TEXT,
    admin1 TEXT,
    fatalities INTEGER,
    sources INTEGER NOT NULL,
    reports INTEGER NOT NULL,
    score REAL,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    json BLOB NOT NULL
);
CREATE INDEX fused_events_order ON fused_events(reports DESC, event_date DESC);
CREATE TABLE fused_members (event_id TEXT PRIMARY KEY, fused_id TEXT NOT NULL);
CREATE INDEX fused_members_fused ON fused_members(fused_id);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    fused_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    into_id TEXT
);
CREATE INDEX changes_at ON changes(at);
CREATE TABLE article_credibility (
    article_id TEXT PRIMARY KEY,
    score REAL NOT NULL,
    corroborated INTEGER NOT NULL,
    uncorroborated INTEGER NOT NULL,
    contradicted INTEGER NOT NULL,
    reason TEXT NOT NULL
);
"#,
    // Version 7: the sort indexes break ties by rowid, not by the (random) event id: new rows
    // then land at the end of their date's run instead of anywhere in it, which kept ingest of
    // large stores waiting on index pages.
    r#"
DROP INDEX IF EXISTS events_date_id;
DROP INDEX IF EXISTS events_fatalities_date_id;
CREATE INDEX events_date ON events(event_date);
CREATE INDEX events_fatalities_date ON events(fatalities, event_date);
-- An article's events are found through events.article_id; the outlet filter is rare enough
-- to scan. Two fewer indexes of random keys to keep up on every insert.
DROP INDEX IF EXISTS event_articles_article;
DROP INDEX IF EXISTS events_source_nc;
"#,
    // Version 8: each event's JSON back in its `events` row. Apart (version 5) it cost a
    // B-tree of random keys and a statement per event: ingest of 100,000 articles stored a
    // third slower, while the filters, counts and sorts it was meant to speed up now run on
    // covering indexes and read rows only for the page returned.
    r#"
ALTER TABLE events ADD COLUMN json BLOB;
UPDATE events SET json = (SELECT r.json FROM event_records r WHERE r.id = events.id);
DROP TABLE event_records;
-- Place ids land anywhere in their index; the place filter scans anyway (it also matches
-- names), and /api/places groups one pass over the events.
DROP INDEX IF EXISTS events_geo_id;
"#,
    // Version 9: incremental fusion. Undated events are looked up by their article's
    // publication day; each report keeps its verdict (corroborated, uncorroborated,
    // contradicted) so that an article is scored again without fusing all of its events. Old
    // memberships have no verdict: they are dropped, and the next fusion makes them anew (same
    // ids: fusion is deterministic).
    r#"
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
DELETE FROM fused_members;
ALTER TABLE fused_members ADD COLUMN verdict INTEGER;
"#,
    // Version 10: following sources (`store/live.rs`). Feeds with their HTTP validators and
    // failures; the items seen (by URL, across feeds); saved alerts and their deliveries (the
    // log: one row per alert and fused-event version); files a watched folder ingested.
    r#"
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    name TEXT,
    added_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_polled TEXT,
    last_ok TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_try TEXT,
    items INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE feed_items (
    url TEXT PRIMARY KEY,
    feed_id INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    article_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE alerts (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    sink TEXT NOT NULL,
    secret TEXT NOT NULL,
    after_seq INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert TEXT NOT NULL,
    fused_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    digest TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_try TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (alert, fused_id, digest)
);
CREATE INDEX deliveries_due ON deliveries(status, next_try);
-- The map's "new since your last look": the events of articles stored after a moment.
CREATE INDEX IF NOT EXISTS articles_ingested ON articles(ingested_at);
CREATE TABLE watched_files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
"#,
    // Version 11: which rules made each article's events (`knowledge::DATA_VERSION`; NULL:
    // before the stamp), so that a newer sitrep extracts them again (`ingest::reextract`).
    r#"
ALTER TABLE articles ADD COLUMN data_version TEXT;
ALTER TABLE events ADD COLUMN data_version TEXT;
CREATE INDEX articles_data_version ON articles(data_version) WHERE superseded_by IS NULL;
"#,
    // Version 12: the named values (`model::names`) hold only their spellings in the columns
    // that store them: a value differing from one only in case or spaces is normalised, and
    // triggers refuse an unknown event type or sub-event type (events, fused_events) or change
    // kind (changes, deliveries). (The fatality bound lives only in the deflated event JSON,
    // where the typed model reads and writes it.)
    r#"
UPDATE events SET event_type = CASE lower(trim(replace(replace(event_type, '  ', ' '), '  ', ' ')))
        WHEN 'battles' THEN 'Battles'
        WHEN 'explosions/remote violence' THEN 'Explosions/Remote violence'
        WHEN 'violence against civilians' THEN 'Violence against civilians'
        WHEN 'protests' THEN 'Protests'
        WHEN 'riots' THEN 'Riots'
        WHEN 'strategic developments' THEN 'Strategic developments'
        ELSE event_type END
    WHERE event_type NOT IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests', 'Riots', 'Strategic developments');
UPDATE events SET sub_event_type = CASE lower(trim(replace(replace(sub_event_type, '  ', ' '), '  ', ' ')))
        WHEN 'armed clash' THEN 'Armed clash'
        WHEN 'government regains territory' THEN 'Government regains territory'
        WHEN 'non-state actor overtakes territory' THEN 'Non-state actor overtakes territory'
        WHEN 'chemical weapon' THEN 'Chemical weapon'
        WHEN 'air/drone strike' THEN 'Air/drone strike'
        WHEN 'suicide bomb' THEN 'Suicide bomb'
        WHEN 'shelling/artillery/missile attack' THEN 'Shelling/artillery/missile attack'
        WHEN 'remote explosive/landmine/ied' THEN 'Remote explosive/landmine/IED'
        WHEN 'grenade' THEN 'Grenade'
        WHEN 'sexual violence' THEN 'Sexual violence'
        WHEN 'attack' THEN 'Attack'
        WHEN 'abduction/forced disappearance' THEN 'Abduction/forced disappearance'
        WHEN 'peaceful protest' THEN 'Peaceful protest'
        WHEN 'protest with intervention' THEN 'Protest with intervention'
        WHEN 'excessive force against protesters' THEN 'Excessive force against protesters'
        WHEN 'violent demonstration' THEN 'Violent demonstration'
        WHEN 'mob violence' THEN 'Mob violence'
        WHEN 'agreement' THEN 'Agreement'
        WHEN 'arrests' THEN 'Arrests'
        WHEN 'change to group/activity' THEN 'Change to group/activity'
        WHEN 'disrupted weapons use' THEN 'Disrupted weapons use'
        WHEN 'headquarters or base established' THEN 'Headquarters or base established'
        WHEN 'looting/property destruction' THEN 'Looting/property destruction'
        WHEN 'non-violent transfer of territory' THEN 'Non-violent transfer of territory'
        WHEN 'other' THEN 'Other'
        ELSE sub_event_type END
    WHERE sub_event_type NOT IN ('Armed clash', 'Government regains territory', 'Non-state actor overtakes territory', 'Chemical weapon', 'Air/drone strike', 'Suicide bomb', 'Shelling/artillery/missile attack', 'Remote explosive/landmine/IED', 'Grenade', 'Sexual violence', 'Attack', 'Abduction/forced disappearance', 'Peaceful protest', 'Protest with intervention', 'Excessive force against protesters', 'Violent demonstration', 'Mob violence', 'Agreement', 'Arrests', 'Change to group/activity', 'Disrupted weapons use', 'Headquarters or base established', 'Looting/property destruction', 'Non-violent transfer of territory', 'Other');
UPDATE fused_events SET event_type = CASE lower(trim(replace(replace(event_type, '  ', ' '), '  ', ' ')))
        WHEN 'battles' THEN 'Battles'
        WHEN 'explosions/remote violence' THEN 'Explosions/Remote violence'
        WHEN 'violence against civilians' THEN 'Violence against civilians'
        WHEN 'protests' THEN 'Protests'
        WHEN 'riots' THEN 'Riots'
        WHEN 'strategic developments' THEN 'Strategic developments'
        ELSE event_type END
    WHERE event_type NOT IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests', 'Riots', 'Strategic developments');
UPDATE changes SET kind = CASE lower(trim(replace(replace(kind, '  ', ' '), '  ', ' ')))
        WHEN 'created' THEN 'created'
        WHEN 'updated' THEN 'updated'
        WHEN 'merged' THEN 'merged'
        WHEN 'deleted' THEN 'deleted'
        ELSE kind END
    WHERE kind NOT IN ('created', 'updated', 'merged', 'deleted');
UPDATE deliveries SET kind = CASE lower(trim(replace(replace(kind, '  ', ' '), '  ', ' ')))
        WHEN 'created' THEN 'created'
        WHEN 'updated' THEN 'updated'
        WHEN 'merged' THEN 'merged'
        WHEN 'deleted' THEN 'deleted'
        ELSE kind END
    WHERE kind NOT IN ('created', 'updated', 'merged', 'deleted');
CREATE TRIGGER events_types_insert BEFORE INSERT ON events
    WHEN NEW.event_type NOT IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests', 'Riots', 'Strategic developments')
        OR NEW.sub_event_type NOT IN ('Armed clash', 'Government regains territory', 'Non-state actor overtakes territory', 'Chemical weapon', 'Air/drone strike', 'Suicide bomb', 'Shelling/artillery/missile attack', 'Remote explosive/landmine/IED', 'Grenade', 'Sexual violence', 'Attack', 'Abduction/forced disappearance', 'Peaceful protest', 'Protest with intervention', 'Excessive force against protesters', 'Violent demonstration', 'Mob violence', 'Agreement', 'Arrests', 'Change to group/activity', 'Disrupted weapons use', 'Headquarters or base established', 'Looting/property destruction', 'Non-violent transfer of territory', 'Other')
    BEGIN SELECT RAISE(ABORT, 'events: an event type or sub-event type that is not one of ACLED''s'); END;
CREATE TRIGGER events_types_update BEFORE UPDATE ON events
    WHEN NEW.event_type NOT IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests', 'Riots', 'Strategic developments')
        OR NEW.sub_event_type NOT IN ('Armed clash', 'Government regains territory', 'Non-state actor overtakes territory', 'Chemical weapon', 'Air/drone strike', 'Suicide bomb', 'Shelling/artillery/missile attack', 'Remote explosive/landmine/IED', 'Grenade', 'Sexual violence', 'Attack', 'Abduction/forced disappearance', 'Peaceful protest', 'Protest with intervention', 'Excessive force against protesters', 'Violent demonstration', 'Mob violence', 'Agreement', 'Arrests', 'Change to group/activity', 'Disrupted weapons use', 'Headquarters or base established', 'Looting/property destruction', 'Non-violent transfer of territory', 'Other')
    BEGIN SELECT RAISE(ABORT, 'events: an event type or sub-event type that is not one of ACLED''s'); END;
CREATE TRIGGER fused_events_type_insert BEFORE INSERT ON fused_events
    WHEN NEW.event_type IS NOT NULL AND NEW.event_type NOT IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests', 'Riots', 'Strategic developments')
    BEGIN SELECT RAISE(ABORT, 'fused_events: an event type that is not one of ACLED''s'); END;
CREATE TRIGGER fused_events_type_update BEFORE UPDATE ON fused_events
    WHEN NEW.event_type IS NOT NULL AND NEW.event_type NOT IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests', 'Riots', 'Strategic developments')
    BEGIN SELECT RAISE(ABORT, 'fused_events: an event type that is not one of ACLED''s'); END;
CREATE TRIGGER changes_kind_insert BEFORE INSERT ON changes
    WHEN NEW.kind NOT IN ('created', 'updated', 'merged', 'deleted')
    BEGIN SELECT RAISE(ABORT, 'changes: a change kind that is not created, updated, merged or deleted'); END;
CREATE TRIGGER changes_kind_update BEFORE UPDATE ON changes
    WHEN NEW.kind NOT IN ('created', 'updated', 'merged', 'deleted')
    BEGIN SELECT RAISE(ABORT, 'changes: a change kind that is not created, updated, merged or deleted'); END;
CREATE TRIGGER deliveries_kind_insert BEFORE INSERT ON deliveries
    WHEN NEW.kind NOT IN ('created', 'updated', 'merged', 'deleted')
    BEGIN SELECT RAISE(ABORT, 'deliveries: a change kind that is not created, updated, merged or deleted'); END;
CREATE TRIGGER deliveries_kind_update BEFORE UPDATE ON deliveries
    WHEN NEW.kind NOT IN ('created', 'updated', 'merged', 'deleted')
    BEGIN SELECT RAISE(ABORT, 'deliveries: a change kind that is not created, updated, merged or deleted'); END;
"#,
];

/// The model's named values in TEXT columns: stored by their spelling, read back by it (a
/// value that is not one is an error naming the column's type and the valid names).
macro_rules! text_column {
    ($($t:ty),+) => {$(
        impl rusqlite::types::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $t {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                v.as_str()?.parse().map_err(|e: String| rusqlite::types::FromSqlError::Other(e.into()))
            }
        }
    )+};
}

text_column!(crate::model::ChangeKind, crate::model::Side, crate::model::EventType, crate::model::SubEventType);

/// The most terms a search query (or text filter) may hold: FTS5's cost grows faster than the
/// number of terms (1,500 terms ran over a minute), and real queries hold a handful.
pub const MAX_SEARCH_TERMS: usize = 64;

/// Refuses a full-text query of more than [`MAX_SEARCH_TERMS`] terms (its words, the operators
/// AND, OR, NOT and NEAR apart) before SQLite sees it.
pub fn check_search_terms(query: &str) -> Result<(), StoreError> {
    let terms = query
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT" | "NEAR"))
        .count();
    if terms > MAX_SEARCH_TERMS {
        return Err(StoreError::BadQuery {
            query: query.chars().take(60).collect::<String>() + if query.chars().count() > 60 { "…" } else { "" },
            reason: format!("{terms} terms, at most {MAX_SEARCH_TERMS}"),
        });
    }
    Ok(())
}

/// What ends a running statement early ([`SqliteStore::set_budget`]): a deadline, or any of
/// some flags set (the client went away, the server is stopping). Checked by SQLite's progress
/// handler every [`PROGRESS_OPS`] virtual-machine steps.
#[derive(Default)]
struct Budget {
    deadline: Option<std::time::Instant>,
    stops: Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Why the last statement was stopped, for its error.
    why: Option<String>,
}

/// Virtual-machine steps between two checks of the budget (a step is tens of nanoseconds).
const PROGRESS_OPS: i32 = 1000;

/// The SQLite store.
pub struct SqliteStore {
    pub(super) conn: Connection,
    pub(super) path: String,
    budget: std::sync::Arc<std::sync::Mutex<Budget>>,
    access: Access,
}

/// How long a writer waits for another's write lock (a batch of 2,000 articles holds it about
/// a second; a full fusion of a large store some seconds).
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Whole-transaction attempts when SQLite says "busy" without waiting (a deferred transaction
/// whose snapshot another writer made stale; opening a fresh file at the same moment).
const BUSY_ATTEMPTS: u32 = 5;

/// Whether an error is SQLite's "busy" or "locked" (another connection holds the lock).
pub fn is_busy_error(e: &rusqlite::Error) -> bool {
    is_busy(e)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Runs `f` again (after a pause) while SQLite answers busy, [`BUSY_ATTEMPTS`] times at most.
fn retry_busy<T>(mut f: impl FnMut() -> Result<T, rusqlite::Error>) -> Result<T, rusqlite::Error> {
    let mut attempt = 1;
    loop {
        match f() {
            Err(e) if is_busy(&e) && attempt < BUSY_ATTEMPTS => {
                std::thread::sleep(std::time::Duration::from_millis(50 * u64::from(attempt)));
                attempt += 1;
            }
            r => return r,
        }
    }
}

/// [`retry_busy`] for store calls.
/// The page cache of a connection (MiB) unless a bulk write asks for more.
const DEFAULT_CACHE_MIB: u32 = 16;

fn retry_busy_store<T>(mut f: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut attempt = 1;
    loop {
        match f() {
            Err(StoreError::Sqlite { source, path }) if is_busy(&source) && attempt < BUSY_ATTEMPTS => {
                let _ = (source, path);
                std::thread::sleep(std::time::Duration::from_millis(50 * u64::from(attempt)));
                attempt += 1;
            }
            r => return r,
        }
    }
}

/// A path for an SQLite `file:` URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.display().to_string().replace('%', "%25").replace('?', "%3f").replace('#', "%23")
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Articles and events are kept as JSON, deflated (a third of the size; the columns beside
/// them are what SQL filters on). Files written before version 3 hold plain JSON text, which
/// [`unpack`] reads too.
pub(super) fn pack<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    deflate(&serde_json::to_vec(v).map_err(corrupt)?)
}

/// JSON deflated as [`pack`] keeps it (also a plain-JSON row of an old file, copied as new
/// rows are kept).
pub(super) fn deflate(json: &[u8]) -> Result<Vec<u8>, StoreError> {
    thread_local! {
        // One compressor per thread, reset between records: a fresh one costs more to set up
        // (its tables zeroed) than a record costs to compress.
        static Z: std::cell::RefCell<flate2::Compress> = std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
    }
    Z.with(|z| {
        let mut z = z.borrow_mut();
        z.reset();
        let mut out = Vec::with_capacity(json.len() / 2 + 64);
        loop {
            let consumed = z.total_in() as usize;
            let status = z.compress_vec(&json[consumed..], &mut out, flate2::FlushCompress::Finish).map_err(corrupt)?;
            match status {
                flate2::Status::StreamEnd => return Ok(out),
                _ => out.reserve(out.capacity().max(1024)),
            }
        }
    })
}

fn unpack<T: serde::de::DeserializeOwned>(v: &rusqlite::types::Value) -> Result<T, StoreError> {
    use rusqlite::types::Value;
    match v {
        Value::Text(t) => serde_json::from_str(t).map_err(corrupt),
        Value::Blob(b) => unpack_blob(b),
        other => Err(StoreError::Corrupt(format!("a stored record is {other:?}, not JSON"))),
    }
}

/// A record [`pack`] deflated (the PostgreSQL store keeps the same bytes).
pub(super) fn unpack_blob<T: serde::de::DeserializeOwned>(b: &[u8]) -> Result<T, StoreError> {
    thread_local! {
        // As in `pack`: one decompressor and buffer per thread, reset between records
        // (a fresh decompressor's state costs more to set up than a record to inflate).
        static Z: std::cell::RefCell<(flate2::Decompress, Vec<u8>)> =
            std::cell::RefCell::new((flate2::Decompress::new(false), Vec::new()));
    }
    Z.with(|z| {
        let (z, json) = &mut *z.borrow_mut();
        z.reset(false);
        json.clear();
        json.reserve(b.len() * 4);
        loop {
            let consumed = z.total_in() as usize;
            match z.decompress_vec(&b[consumed..], json, flate2::FlushDecompress::Finish).map_err(corrupt)? {
                flate2::Status::StreamEnd => break,
                // Out of room: grow. No progress with room left: the record is cut short.
                _ if json.len() < json.capacity() && z.total_in() as usize == consumed => {
                    return Err(StoreError::Corrupt("a stored record is truncated".into()));
                }
                _ => json.reserve(json.capacity().max(1024)),
            }
        }
        serde_json::from_slice(json).map_err(corrupt)
    })
}

/// SQLite's words for a bad full-text query, without the error code's prefix.
fn fts_reason(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
        other => other.to_string(),
    }
}

/// An article as stored: its JSON without the original text, which has a column of its own.
pub(super) fn pack_article(a: &Article) -> Result<Vec<u8>, StoreError> {
    let mut slim = a.clone();
    slim.text = String::new();
    pack(&slim)
}

fn unpack_article(json: &rusqlite::types::Value, text: String) -> Result<Article, StoreError> {
    let mut a: Article = unpack(json)?;
    if a.text.is_empty() {
        a.text = text;
    }
    Ok(a)
}

impl SqliteStore {
    /// Opens (creating or upgrading) the store at `path`, for reading and writing.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_as(path, Access::ReadWrite)
    }

    /// Opens an existing store only to read it: no migration, no write (an older schema is
    /// refused with advice), and no `-wal`/`-shm` files left behind. A file or folder that
    /// cannot be written (its permissions) is opened read-only; if no write-ahead log is beside
    /// it, immutable (SQLite then creates no `-shm`: nobody writes a file nobody may write). A
    /// writable one is opened as usual with `query_only` set, so that SQLite tidies its `-wal`
    /// and `-shm` away at the last close as it does for writers.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_as(path, Access::ReadOnly)
    }

    pub(super) fn open_as(path: &Path, access: Access) -> Result<SqliteStore, StoreError> {
        let p = path.display().to_string();
        let err = open_error(p.clone());
        let mut conn = connect(path, access).map_err(&err)?;
        let budget = std::sync::Arc::new(std::sync::Mutex::new(Budget::default()));
        watch_budget(&mut conn, budget.clone()).map_err(&err)?;
        configure(&conn, access).map_err(&err)?;
        if holds_other_tables(&conn).map_err(&err)? {
            return Err(StoreError::NotADatabase { path: p, reason: "an SQLite file with other tables and no sitrep schema".into() });
        }
        let version = schema_version(&conn).map_err(&err)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: p, found: version });
        }
        if access == Access::ReadOnly {
            if version < SCHEMA_VERSION {
                return Err(StoreError::TooOld { path: p, found: version });
            }
            return Ok(SqliteStore { conn, path: p, budget, access });
        }
        if version < SCHEMA_VERSION {
            migrate(&conn).map_err(&err)?;
            let now = schema_version(&conn).map_err(&err)?;
            if now > SCHEMA_VERSION {
                return Err(StoreError::TooNew { path: p, found: now });
            }
        }
        let store = SqliteStore { conn, path: p, budget, access };
        // Fresh statistics for the query planner where they are missing or stale (cheap).
        store.optimize(0x10002);
        Ok(store)
    }

    /// `PRAGMA optimize`, never waiting for the write lock (statistics can wait for next time).
    fn optimize(&self, mask: u32) {
        if self.access == Access::ReadOnly {
            return;
        }
        let _ = self.conn.busy_timeout(std::time::Duration::ZERO);
        let _ = self.conn.execute_batch(&format!("PRAGMA optimize = {mask:#x};"));
        let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
    }

    pub(super) fn err(&self, source: rusqlite::Error) -> StoreError {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) {
            let why = self.budget.lock().ok().and_then(|mut b| b.why.take());
            return StoreError::Interrupted(why.unwrap_or_else(|| "interrupted".into()));
        }
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    /// SQLite's own check of the file: "ok", or what is wrong.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let rows: Vec<String> = {
            let mut stmt = self.conn.prepare("PRAGMA integrity_check").map_err(|e| self.err(e))?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        Ok(rows.join("; "))
    }

    /// Events of superseded article versions: (event id, old article, replacing article).
    pub fn history(&self, doc_key: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT h.id, h.article_id, h.replaced_by FROM event_history h JOIN articles a ON a.id = h.article_id WHERE a.doc_key = ?1 ORDER BY h.replaced_at, h.id")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![doc_key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The WHERE clause and parameters of a filter.
    fn where_clause(f: &EventFilter) -> Result<(String, Vec<rusqlite::types::Value>), StoreError> {
        use rusqlite::types::Value;
        let mut sql = String::from(" WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        let mut push = |clause: &str, vals: Vec<Value>, sql: &mut String| {
            let mut c = clause.to_string();
            for v in vals {
                args.push(v);
                c = c.replacen("??", &format!("?{}", args.len()), 1);
            }
            sql.push_str(&c);
        };
        let text = |s: &str| Value::Text(s.to_string());
        if let Some(t) = &f.event_type {
            push(" AND event_type = ?? COLLATE NOCASE", vec![text(t)], &mut sql);
        }
        if let Some(t) = &f.sub_event_type {
            push(" AND sub_event_type = ?? COLLATE NOCASE", vec![text(t)], &mut sql);
        }
        if let Some(a) = &f.actor {
            let name = a.trim();
            push(" AND (actor1 = ?? COLLATE NOCASE OR actor2 = ?? COLLATE NOCASE)", vec![text(name), text(name)], &mut sql);
        }
        if let (Some(a), Some(b)) = (f.since, f.until) {
            if a > b {
                return Err(StoreError::BadFilter(format!("since {a} is after until {b}")));
            }
        }
        if let Some(d) = f.since {
            push(" AND event_date >= ??", vec![text(&d.to_string())], &mut sql);
        }
        if let Some(d) = f.until {
            push(" AND event_date <= ??", vec![text(&d.to_string())], &mut sql);
        }
        if let Some(a) = &f.admin1 {
            push(" AND admin1 = ?? COLLATE NOCASE", vec![text(a)], &mut sql);
        }
        if let Some(p) = &f.place {
            push(
                " AND (location = ?? COLLATE NOCASE OR admin2 = ?? COLLATE NOCASE OR admin1 = ?? COLLATE NOCASE OR geo_id IN (SELECT id FROM places WHERE name = ?? COLLATE NOCASE))",
                vec![text(p), text(p), text(p), text(p)],
                &mut sql,
            );
        }
        if let Some([min_lon, min_lat, max_lon, max_lat]) = f.bbox {
            if let Err(why) = crate::model::Bbox::new([min_lon, min_lat, max_lon, max_lat]) {
                return Err(StoreError::BadFilter(format!("bbox {min_lon},{min_lat},{max_lon},{max_lat}: {why}")));
            }
            push(
                " AND latitude BETWEEN ?? AND ?? AND longitude BETWEEN ?? AND ??",
                vec![Value::Real(min_lat), Value::Real(max_lat), Value::Real(min_lon), Value::Real(max_lon)],
                &mut sql,
            );
        }
        if let Some(s) = &f.source {
            push(" AND source = ?? COLLATE NOCASE", vec![text(s)], &mut sql);
        }
        if let Some(q) = &f.text {
            check_search_terms(q)?;
            push(" AND article_id IN (SELECT id FROM articles_fts WHERE articles_fts MATCH ??)", vec![text(q)], &mut sql);
        }
        if let Some(n) = f.min_fatalities {
            push(" AND fatalities >= ??", vec![Value::Integer(n as i64)], &mut sql);
        }
        Ok((sql, args))
    }

    /// The WHERE clause of a page: the filter's, and with `after`, only the events after it.
    fn page_clause(f: &EventFilter) -> Result<(String, Vec<rusqlite::types::Value>), StoreError> {
        use rusqlite::types::Value;
        let (mut clause, mut args) = Self::where_clause(f)?;
        if let Some(k) = &f.after {
            clause.push_str(&super::keyset_clause(f.sort, k, "event_date", "rowid", &mut |v| {
                args.push(match v {
                    super::KeyValue::Text(t) => Value::Text(t.to_string()),
                    super::KeyValue::Int(n) => Value::Integer(n),
                });
                format!("?{}", args.len())
            }));
        }
        Ok((clause, args))
    }

    /// The ORDER BY of a sort. Undated events sort last either way (NULLs are lowest in SQLite).
    fn order_by(sort: Sort) -> &'static str {
        match sort {
            Sort::DateDesc => " ORDER BY event_date DESC, rowid DESC",
            Sort::DateAsc => " ORDER BY event_date IS NULL, event_date ASC, rowid ASC",
            Sort::FatalitiesDesc => " ORDER BY fatalities DESC, event_date DESC, rowid DESC",
        }
    }

    /// A query error: the user's FTS syntax when a text filter is set, else the database's.
    /// SQLite's generic error (SQLITE_ERROR) with a text filter is the query's syntax (`"`,
    /// `*`, `-Aleppo`: "unterminated string", "syntax error", "no such column"); our own SQL is
    /// constant and tested. Busy, I/O, read-only, full and corrupt files have codes of their own.
    fn query_err(&self, f: &EventFilter, e: rusqlite::Error) -> StoreError {
        match &f.text {
            Some(q) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::Unknown) => {
                StoreError::BadQuery { query: q.clone(), reason: fts_reason(&e) }
            }
            _ => self.err(e),
        }
    }

    /// The records of the events a clause selects, in its order.
    fn events_where(&self, clause: &str, args: &[rusqlite::types::Value]) -> Result<Vec<rusqlite::types::Value>, rusqlite::Error> {
        let mut stmt = self.conn.prepare(&format!("SELECT json FROM events{clause}"))?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, rusqlite::types::Value>(0))?;
        rows.collect()
    }

    /// The current event that took over from an event of a replaced article version: the
    /// event of the same number in the version that replaced it (following corrections of
    /// corrections), if there is one.
    fn successor(tx: &Connection, event_id: &str) -> Result<Option<String>, rusqlite::Error> {
        let Some((first, n)) = event_id.rsplit_once('-') else { return Ok(None) };
        let mut article = first.to_string();
        for _ in 0..16 {
            let next: Option<Option<String>> = tx
                .prepare_cached("SELECT superseded_by FROM articles WHERE id = ?1")?
                .query_row(params![article], |r| r.get(0))
                .optional()?;
            match next.flatten() {
                Some(newer) => article = newer,
                None => break,
            }
        }
        let candidate = format!("{article}-{n}");
        let current =
            tx.prepare_cached("SELECT 1 FROM events WHERE id = ?1")?.query_row(params![candidate], |_| Ok(())).optional()?.is_some();
        Ok(current.then_some(candidate))
    }

    /// Moves the events of an old version to the history and retires it.
    fn supersede(tx: &Transaction<'_>, old: &str, new: &str, now: &str) -> Result<(), rusqlite::Error> {
        tx.execute(
            "INSERT INTO event_history (id, article_id, replaced_by, replaced_at, json) SELECT id, article_id, ?2, ?3, json FROM events WHERE article_id = ?1",
            params![old, new, now],
        )?;
        tx.execute("DELETE FROM events WHERE article_id = ?1", params![old])?;
        tx.execute("DELETE FROM articles_fts WHERE id = ?1", params![old])?;
        tx.execute("UPDATE articles SET superseded_by = ?2 WHERE id = ?1", params![old, new])?;
        Ok(())
    }

    /// Inserts an article and its events, not yet its search index entry (see `put_batch`).
    fn insert(tx: &Transaction<'_>, a: &Article, events: &[Event], now: &str) -> Result<(), StoreError> {
        let err = |source| StoreError::Sqlite { path: String::new(), source };
        let json = pack_article(a)?;
        let body = a.body();
        tx.prepare_cached(
            "INSERT INTO articles (id, input, format, title, source, byline, dateline, published, url, text, body, json, doc_key, ingested_at, data_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )
        .and_then(|mut s| {
            s.execute(params![
                a.id,
                a.input,
                a.format.as_str(),
                a.title,
                a.source,
                a.byline,
                a.dateline,
                a.published.map(|p| p.to_string()),
                a.url,
                a.text,
                body,
                json,
                a.doc_key(),
                now,
                crate::knowledge::DATA_VERSION
            ])
        })
        .map_err(err)?;
        Self::insert_events(tx, &a.id, events, crate::knowledge::DATA_VERSION)
    }

    /// Stores an article's events, made by the rules of `version`.
    fn insert_events(tx: &Transaction<'_>, article_id: &str, events: &[Event], version: &str) -> Result<(), StoreError> {
        let err = |source| StoreError::Sqlite { path: String::new(), source };
        for e in events {
            let json = pack(e)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO events (id, article_id, event_date, event_type, sub_event_type, actor1, actor2, location, latitude, longitude, country, admin1, admin2, geo_precision, fatalities, source, geo_id, json, data_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    e.event_id,
                    e.article_id,
                    e.event_date.map(|d| d.to_string()),
                    e.event_type,
                    e.sub_event_type,
                    e.actor1.as_ref().map(|x| x.name.clone()),
                    e.actor2.as_ref().map(|x| x.name.clone()),
                    e.location,
                    e.latitude,
                    e.longitude,
                    e.country,
                    e.admin1,
                    e.admin2,
                    e.geo_precision,
                    e.fatalities,
                    e.source,
                    e.geo_id,
                    json,
                    version
                ])
            })
            .map_err(err)?;
            tx.prepare_cached("INSERT OR IGNORE INTO event_articles (event_id, article_id) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![e.event_id, article_id]))
                .map_err(err)?;
            for (n, span) in e.evidence.iter().enumerate() {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO evidence (event_id, n, start, end, byte_start, byte_end, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .and_then(|mut s| s.execute(params![e.event_id, n as i64, span.start as i64, span.end as i64, span.byte_start as i64, span.byte_end as i64, span.text]))
                .map_err(err)?;
            }
            for actor in [&e.actor1, &e.actor2].into_iter().flatten() {
                tx.prepare_cached("INSERT OR IGNORE INTO actors (name, side, inter) VALUES (?1, ?2, ?3)")
                    .and_then(|mut s| s.execute(params![actor.name, actor.side, actor.inter]))
                    .map_err(err)?;
            }
            if let Some(id) = &e.geo_id {
                let name = e.geo_alternatives.iter().find(|x| &x.id == id).map(|x| x.name.clone());
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO places (id, name, country, admin1, admin2, latitude, longitude) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .and_then(|mut s| s.execute(params![id, name, e.country, e.admin1, e.admin2, e.latitude, e.longitude]))
                .map_err(err)?;
            }
        }
        Ok(())
    }

    fn fusion_rows(&self, sql: &str, args: &[rusqlite::types::Value]) -> Result<Vec<(Event, Option<chrono::NaiveDate>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| Ok((r.get::<_, rusqlite::types::Value>(0)?, r.get::<_, Option<String>>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (json, published) = row.map_err(|e| self.err(e))?;
            let date = published.and_then(|p| chrono::NaiveDate::parse_from_str(p.get(..10).unwrap_or(&p), "%Y-%m-%d").ok());
            out.push((unpack(&json)?, date));
        }
        Ok(out)
    }

    fn counts_of(&self, sql: &str) -> Result<Vec<Count>, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Count { key: r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "-".into()), count: r.get::<_, i64>(1)? as u64 })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn scalar(&self, sql: &str) -> Result<u64, StoreError> {
        self.conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).map(|v| v.unwrap_or(0) as u64).map_err(|e| self.err(e))
    }
}

/// Which rows of a table [`super::copy`] moves: of `meta`, the alerts' cursor only.
fn copy_filter(t: &super::CopyTable) -> &'static str {
    if t.name == "meta" {
        " WHERE key = 'alerts_seq'"
    } else {
        ""
    }
}

/// The store error of an SQLite error met while opening the file at `path`: a file that is not
/// SQLite's is said to be no sitrep database.
fn open_error(path: String) -> impl Fn(rusqlite::Error) -> StoreError {
    move |source: rusqlite::Error| match &source {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            StoreError::NotADatabase { path: path.clone(), reason: "the file is not an SQLite database".into() }
        }
        _ => StoreError::Sqlite { path: path.clone(), source },
    }
}

/// The connection to the file, as [`SqliteStore::open`] and [`SqliteStore::open_read_only`]
/// say: a reader never creates the file, and opens one it may not write read-only (immutable
/// when no write-ahead log is beside it).
fn connect(path: &Path, access: Access) -> Result<Connection, rusqlite::Error> {
    use rusqlite::OpenFlags;
    if access == Access::ReadWrite {
        return Connection::open(path);
    }
    if !path.exists() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some("no such database".into()),
        ));
    }
    let unwritable = |q: &Path| std::fs::metadata(q).is_ok_and(|m| m.permissions().readonly());
    let folder = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if unwritable(path) || unwritable(folder) {
        let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
        let immutable = if wal.exists() { "" } else { "&immutable=1" };
        let uri = format!("file:{}?mode=ro{immutable}", uri_path(path));
        let flags = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_READ_ONLY;
        return Connection::open_with_flags(uri, flags);
    }
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    c.execute_batch("PRAGMA query_only = ON;")?;
    Ok(c)
}

/// Makes every statement on `conn` check `budget` every [`PROGRESS_OPS`] steps and stop once
/// it is spent or a stop flag is set, noting why.
fn watch_budget(conn: &mut Connection, budget: std::sync::Arc<std::sync::Mutex<Budget>>) -> Result<(), rusqlite::Error> {
    conn.progress_handler(
        PROGRESS_OPS,
        Some(move || {
            let Ok(mut b) = budget.lock() else { return false };
            let why = if b.stops.iter().any(|s| s.load(std::sync::atomic::Ordering::Relaxed)) {
                Some("cancelled (the client went away, or the server is stopping)".to_string())
            } else if b.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                Some("over its time budget".to_string())
            } else {
                None
            };
            let stop = why.is_some();
            if stop {
                b.why = why;
            }
            stop
        }),
    )
}

/// The connection's settings: the busy wait, the write-ahead log (writers), durability, keys,
/// the page cache.
fn configure(conn: &Connection, access: Access) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if access == Access::ReadWrite {
        // Two processes opening a fresh file at once: one sets WAL, the other may be told
        // "busy" without waiting; it waits its turn here.
        retry_busy(|| conn.execute_batch("PRAGMA journal_mode = WAL;"))?;
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{}; PRAGMA temp_store = MEMORY;",
        DEFAULT_CACHE_MIB * 1024
    ))
}

/// Whether the file holds tables but no sitrep schema: another program's database, left alone.
fn holds_other_tables(conn: &Connection) -> Result<bool, rusqlite::Error> {
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    Ok(count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta') AND name NOT LIKE 'sqlite_%'")? > 0
        && count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")? == 0)
}

/// The schema version the file records (0: none yet).
fn schema_version(c: &Connection) -> Result<i64, rusqlite::Error> {
    let has_meta: i64 = c.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", [], |r| r.get(0))?;
    if has_meta == 0 {
        return Ok(0);
    }
    Ok(c.query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Runs the migrations the file has not had, once, under the write lock: a second process
/// opening the file at the same time waits here, then finds the version current and does
/// nothing.
fn migrate(conn: &Connection) -> Result<(), rusqlite::Error> {
    retry_busy(|| {
        let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")?;
        let version = schema_version(&tx)?;
        for (n, m) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(m)?;
            tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)", params![(n as i64 + 1).to_string()])?;
        }
        tx.commit()
    })
}

impl SqliteStore {
    fn try_put_batch(&mut self, batch: &[(Article, Vec<Event>)]) -> Result<Vec<Stored>, StoreError> {
        let path = self.path.clone();
        let with_path = |e: StoreError| match e {
            StoreError::Sqlite { source, .. } => StoreError::Sqlite { path: path.clone(), source },
            other => other,
        };
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        // Immediate: the write lock taken at the start (waiting up to BUSY_TIMEOUT for another
        // writer), never a read upgraded late, which SQLite refuses without waiting.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(err)?;
        let mut out = Vec::with_capacity(batch.len());
        // The search index is written last: FTS5 flushes its pending terms to disk at every
        // statement savepoint, so interleaved with the other inserts it writes (and merges)
        // hundreds of tiny segments per batch.
        let mut indexed: Vec<&Article> = Vec::with_capacity(batch.len());
        for (a, events) in batch {
            let exists = tx
                .prepare_cached("SELECT 1 FROM articles WHERE id = ?1")
                .and_then(|mut s| s.query_row(params![a.id], |_| Ok(true)).optional())
                .map_err(err)?
                .unwrap_or(false);
            if exists {
                out.push(Stored::Unchanged);
                continue;
            }
            let previous: Option<String> = match a.doc_key() {
                Some(k) => tx
                    .prepare_cached("SELECT id FROM articles WHERE doc_key = ?1 AND superseded_by IS NULL")
                    .and_then(|mut s| s.query_row(params![k], |r| r.get(0)).optional())
                    .map_err(err)?,
                None => None,
            };
            Self::insert(&tx, a, events, &now).map_err(with_path)?;
            indexed.push(a);
            match previous {
                Some(old) => {
                    Self::supersede(&tx, &old, &a.id, &now).map_err(err)?;
                    // Both versions in one batch: the old one never reaches the index.
                    indexed.retain(|x| x.id != old);
                    out.push(Stored::Replaced { events: events.len(), old });
                }
                None => out.push(Stored::New { events: events.len() }),
            }
        }
        for a in indexed {
            tx.prepare_cached("INSERT INTO articles_fts (id, title, body) VALUES (?1, ?2, ?3)")
                .and_then(|mut s| s.execute(params![a.id, a.title, a.body()]))
                .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(out)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // SQLite's advice: let the planner's statistics catch up before a connection closes.
        self.optimize(0xfffe);
    }
}

impl EventStore for SqliteStore {
    fn set_budget(&self, deadline: Option<std::time::Instant>, stops: Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>) {
        if let Ok(mut b) = self.budget.lock() {
            *b = Budget { deadline, stops, why: None };
        }
    }

    fn count_rows(&self, table: &str) -> Result<u64, StoreError> {
        let t = super::copy_table(table)?;
        self.scalar(&format!("SELECT count(*) FROM {}{}", t.name, copy_filter(t)))
    }

    fn export_rows(&self, table: &str, each: &mut dyn FnMut(Vec<super::Raw>) -> Result<(), StoreError>) -> Result<u64, StoreError> {
        use super::{Kind, Raw};
        use rusqlite::types::Value;
        let t = super::copy_table(table)?;
        let cols: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
        let sql = format!("SELECT {} FROM {}{} ORDER BY rowid", cols.join(", "), t.name, copy_filter(t));
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let mut out = Vec::with_capacity(cols.len());
            for (i, (_, kind)) in t.columns.iter().enumerate() {
                let v: Value = row.get(i).map_err(|e| self.err(e))?;
                out.push(match (v, kind) {
                    (Value::Null, _) => Raw::Null,
                    // A file of before version 3 keeps plain JSON: deflated as new rows are.
                    (Value::Text(t), Kind::Blob) => Raw::Blob(deflate(t.as_bytes())?),
                    (Value::Integer(i), Kind::Real) => Raw::Real(i as f64),
                    (Value::Integer(i), _) => Raw::Int(i),
                    (Value::Real(r), _) => Raw::Real(r),
                    (Value::Text(t), _) => Raw::Text(t),
                    (Value::Blob(b), _) => Raw::Blob(b),
                });
            }
            each(out)?;
            n += 1;
        }
        Ok(n)
    }

    fn import_rows(&mut self, table: &str, rows: &[Vec<super::Raw>]) -> Result<(), StoreError> {
        use super::Raw;
        use rusqlite::types::Value;
        let t = super::copy_table(table)?;
        super::check_rows(t, rows)?;
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let value = |v: &Raw| match v {
            Raw::Null => Value::Null,
            Raw::Int(i) => Value::Integer(*i),
            Raw::Real(r) => Value::Real(*r),
            Raw::Text(t) => Value::Text(t.clone()),
            Raw::Blob(b) => Value::Blob(b.clone()),
        };
        let cols: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        // The alerts' cursor may be there already (a fresh store has none; kept the furthest).
        let verb = if t.name == "meta" { "INSERT OR REPLACE" } else { "INSERT" };
        let sql = format!("{verb} INTO {} ({}) VALUES ({})", t.name, cols.join(", "), marks.join(", "));
        // A savepoint: inside `write_exclusive` it nests; alone it is a transaction of its own.
        let tx = self.conn.savepoint().map_err(err)?;
        for row in rows {
            tx.prepare_cached(&sql).and_then(|mut s| s.execute(params_from_iter(row.iter().map(value)))).map_err(err)?;
        }
        let text = |v: &Raw| match v {
            Raw::Text(t) => Some(t.clone()),
            _ => None,
        };
        match t.name {
            // The search index holds the current versions, written after the rows (as put_batch).
            "articles" => {
                for row in rows.iter().filter(|r| r[13] == Raw::Null) {
                    tx.prepare_cached("INSERT INTO articles_fts (id, title, body) VALUES (?1, ?2, ?3)")
                        .and_then(|mut s| s.execute(params![text(&row[0]), text(&row[3]), text(&row[10])]))
                        .map_err(err)?;
                }
            }
            // Which article reports each event, and its evidence spans, as `insert_events` writes them.
            "events" => {
                for row in rows {
                    let Raw::Blob(json) = &row[17] else {
                        return Err(StoreError::Corrupt(format!("event {:?} without its record", row[0])));
                    };
                    let e: Event = unpack_blob(json)?;
                    tx.prepare_cached("INSERT OR IGNORE INTO event_articles (event_id, article_id) VALUES (?1, ?2)")
                        .and_then(|mut s| s.execute(params![text(&row[0]), text(&row[1])]))
                        .map_err(err)?;
                    for (n, span) in e.evidence.iter().enumerate() {
                        tx.prepare_cached(
                            "INSERT OR REPLACE INTO evidence (event_id, n, start, end, byte_start, byte_end, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        )
                        .and_then(|mut s| s.execute(params![text(&row[0]), n as i64, span.start as i64, span.end as i64, span.byte_start as i64, span.byte_end as i64, span.text]))
                        .map_err(err)?;
                    }
                }
            }
            _ => {}
        }
        tx.commit().map_err(err)
    }

    fn write_exclusive(&mut self, work: &mut dyn FnMut(&mut dyn EventStore) -> Result<(), StoreError>) -> Result<(), StoreError> {
        // BEGIN IMMEDIATE takes SQLite's write lock at once: no other connection, of this
        // process or another, writes until COMMIT or ROLLBACK.
        retry_busy_store(|| {
            self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.err(e))?;
            match work(self) {
                Ok(()) => self.conn.execute_batch("COMMIT").map_err(|e| self.err(e)),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        })
    }

    fn set_cache_mib(&self, mib: Option<u32>) -> Result<(), StoreError> {
        let mib = u64::from(mib.unwrap_or(DEFAULT_CACHE_MIB));
        self.conn.execute_batch(&format!("PRAGMA cache_size = -{};", mib * 1024)).map_err(|e| self.err(e))
    }

    /// Moves what the write-ahead log holds into the main file and truncates the log, after a
    /// rollback of anything open.
    fn release_space(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
        let _ = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }

    fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|e| self.err(e))
    }

    fn article_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id FROM articles WHERE superseded_by IS NULL ORDER BY id").map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn known(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        let mut out = HashSet::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self.conn.prepare(&format!("SELECT id FROM articles WHERE id IN ({marks})")).map_err(|e| self.err(e))?;
            let rows = stmt.query_map(params_from_iter(chunk.iter()), |r| r.get::<_, String>(0)).map_err(|e| self.err(e))?;
            for r in rows {
                out.insert(r.map_err(|e| self.err(e))?);
            }
        }
        Ok(out)
    }

    fn put_batch(&mut self, batch: &[(Article, Vec<Event>)]) -> Result<Vec<Stored>, StoreError> {
        // A batch is one transaction: when SQLite says busy without waiting, the whole of it
        // runs again (nothing of it was written).
        retry_busy_store(|| self.try_put_batch(batch))
    }

    fn events(&self, f: &EventFilter) -> Result<Vec<Event>, StoreError> {
        Ok(self.events_keyed(f)?.into_iter().map(|(e, _)| e).collect())
    }

    fn events_keyed(&self, f: &EventFilter) -> Result<Vec<(Event, super::EventKey)>, StoreError> {
        use rusqlite::types::Value;
        if f.limit == 0 || f.limit > EventFilter::MAX_LIMIT + 1 {
            return Err(StoreError::BadFilter(format!("limit {} (must be 1 to {})", f.limit, EventFilter::MAX_LIMIT)));
        }
        let (mut clause, mut args) = Self::page_clause(f)?;
        clause.push_str(Self::order_by(f.sort));
        args.push(Value::Integer(f.limit as i64));
        args.push(Value::Integer(f.offset.min(i64::MAX as usize) as i64));
        clause.push_str(&format!(" LIMIT ?{} OFFSET ?{}", args.len() - 1, args.len()));
        let sql = format!("SELECT json, event_date, fatalities, rowid FROM events{clause}");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.query_err(f, e))?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, Value>(0)?, super::EventKey { date: r.get(1)?, fatalities: r.get(2)?, seq: r.get(3)? }))
            })
            .map_err(|e| self.query_err(f, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.query_err(f, e))?;
        rows.into_iter().map(|(json, key)| Ok((unpack(&json)?, key))).collect()
    }

    fn for_each_event(
        &self,
        f: &EventFilter,
        limit: Option<usize>,
        each: &mut dyn FnMut(Event, &str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        use rusqlite::types::Value;
        let (mut clause, mut args) = Self::page_clause(f)?;
        clause.push_str(Self::order_by(f.sort));
        // LIMIT -1: no limit.
        args.push(Value::Integer(limit.map_or(-1, |n| n.min(i64::MAX as usize) as i64)));
        args.push(Value::Integer(f.offset.min(i64::MAX as usize) as i64));
        clause.push_str(&format!(" LIMIT ?{} OFFSET ?{}", args.len() - 1, args.len()));
        let sql = format!("SELECT json, (SELECT a.ingested_at FROM articles a WHERE a.id = events.article_id) FROM events{clause}");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.query_err(f, e))?;
        let mut rows = stmt.query(params_from_iter(args.iter())).map_err(|e| self.query_err(f, e))?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(|e| self.query_err(f, e))? {
            let json: Value = row.get(0).map_err(|e| self.err(e))?;
            let at: Option<String> = row.get(1).map_err(|e| self.err(e))?;
            each(unpack(&json)?, at.as_deref().unwrap_or(""))?;
            n += 1;
        }
        Ok(n)
    }

    fn points(&self, f: &EventFilter) -> Result<Vec<super::Point>, StoreError> {
        use rusqlite::types::Value;
        if f.limit == 0 {
            return Err(StoreError::BadFilter("limit 0 (must be at least 1)".into()));
        }
        let (mut clause, mut args) = Self::where_clause(f)?;
        clause.push_str(" AND latitude IS NOT NULL AND longitude IS NOT NULL");
        clause.push_str(Self::order_by(f.sort));
        args.push(Value::Integer(f.limit.min(i64::MAX as usize) as i64));
        args.push(Value::Integer(f.offset.min(i64::MAX as usize) as i64));
        clause.push_str(&format!(" LIMIT ?{} OFFSET ?{}", args.len() - 1, args.len()));
        let sql =
            format!("SELECT id, latitude, longitude, event_type, sub_event_type, event_date, location, fatalities FROM events{clause}");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.query_err(f, e))?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok(super::Point {
                    event_id: r.get(0)?,
                    latitude: r.get(1)?,
                    longitude: r.get(2)?,
                    event_type: r.get(3)?,
                    sub_event_type: r.get(4)?,
                    event_date: r.get(5)?,
                    location: r.get(6)?,
                    fatalities: r.get(7)?,
                })
            })
            .map_err(|e| self.query_err(f, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.query_err(f, e))
    }

    fn days(&self, f: &EventFilter) -> Result<Vec<Count>, StoreError> {
        let (clause, args) = Self::where_clause(f)?;
        let sql = format!("SELECT event_date, count(*) FROM events{clause} AND event_date IS NOT NULL GROUP BY 1 ORDER BY 1");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.query_err(f, e))?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| Ok(Count { key: r.get(0)?, count: r.get::<_, i64>(1)? as u64 }))
            .map_err(|e| self.query_err(f, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.query_err(f, e))
    }

    fn count_events(&self, f: &EventFilter) -> Result<u64, StoreError> {
        let (clause, args) = Self::where_clause(f)?;
        self.conn
            .query_row(&format!("SELECT count(*) FROM events{clause}"), params_from_iter(args.iter()), |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.query_err(f, e))
    }

    fn event(&self, id: &str) -> Result<Option<(Event, Vec<String>)>, StoreError> {
        let json: Option<rusqlite::types::Value> =
            self.conn.query_row("SELECT json FROM events WHERE id = ?1", params![id], |r| r.get(0)).optional().map_err(|e| self.err(e))?;
        let Some(json) = json else { return Ok(None) };
        let mut stmt =
            self.conn.prepare("SELECT article_id FROM event_articles WHERE event_id = ?1 ORDER BY article_id").map_err(|e| self.err(e))?;
        let articles = stmt.query_map(params![id], |r| r.get::<_, String>(0)).map_err(|e| self.err(e))?;
        let articles = articles.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))?;
        Ok(Some((unpack(&json)?, articles)))
    }

    fn article(&self, id: &str) -> Result<Option<StoredArticle>, StoreError> {
        let row: Option<(rusqlite::types::Value, Option<String>, String)> = self
            .conn
            .query_row("SELECT json, superseded_by, text FROM articles WHERE id = ?1", params![id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((json, superseded_by, text)) = row else { return Ok(None) };
        let events = self.events_where(" WHERE article_id = ?1 ORDER BY id", &[id.to_string().into()]).map_err(|e| self.err(e))?;
        let mut events: Vec<Event> = events.iter().map(unpack).collect::<Result<_, _>>()?;
        events.sort_by_key(|e| e.evidence.first().map_or(usize::MAX, |s| s.start));
        Ok(Some(StoredArticle { article: unpack_article(&json, text)?, superseded_by, events }))
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        if limit == 0 || limit > 10_000 {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to 10000)")));
        }
        if query.trim().is_empty() {
            return Err(StoreError::BadQuery { query: query.to_string(), reason: "empty query".into() });
        }
        check_search_terms(query)?;
        let bad = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::Unknown) => StoreError::BadQuery { query: query.to_string(), reason: fts_reason(&e) },
            _ => self.err(e),
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.id, a.title, a.source, a.published, snippet(articles_fts, 2, '[', ']', '…', 12), bm25(articles_fts) \
                 FROM articles_fts JOIN articles a ON a.id = articles_fts.id \
                 WHERE articles_fts MATCH ?1 ORDER BY bm25(articles_fts) LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![query, limit as i64], |r| {
                Ok(SearchHit {
                    article_id: r.get(0)?,
                    title: r.get(1)?,
                    source: r.get(2)?,
                    published: r.get(3)?,
                    snippet: r.get(4)?,
                    rank: r.get(5)?,
                })
            })
            .map_err(bad)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(bad)
    }

    fn counts(&self) -> Result<(u64, u64), StoreError> {
        Ok((self.scalar("SELECT count(*) FROM articles WHERE superseded_by IS NULL")?, self.scalar("SELECT count(*) FROM events")?))
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        let by = |col: &str| format!("SELECT {col}, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1");
        Ok(Stats {
            articles: self.scalar("SELECT count(*) FROM articles WHERE superseded_by IS NULL")?,
            superseded_articles: self.scalar("SELECT count(*) FROM articles WHERE superseded_by IS NOT NULL")?,
            articles_without_events: self.scalar(
                "SELECT count(*) FROM articles a WHERE a.superseded_by IS NULL AND NOT EXISTS (SELECT 1 FROM events x WHERE x.article_id = a.id)",
            )?,
            events: self.scalar("SELECT count(*) FROM events")?,
            fatalities: self.scalar("SELECT sum(fatalities) FROM events")?,
            events_without_place: self.scalar("SELECT count(*) FROM events WHERE latitude IS NULL")?,
            by_type: self.counts_of(&by("event_type"))?,
            by_sub_type: self.counts_of(&by("event_type || ' / ' || sub_event_type"))?,
            by_actor: self.counts_of(
                "SELECT name, count(*) FROM (SELECT actor1 AS name FROM events WHERE actor1 IS NOT NULL UNION ALL SELECT actor2 FROM events WHERE actor2 IS NOT NULL) GROUP BY 1 ORDER BY 2 DESC, 1",
            )?,
            by_admin1: self.counts_of(&by("admin1"))?,
            by_month: self.counts_of("SELECT coalesce(substr(event_date, 1, 7), 'undated'), count(*) FROM events GROUP BY 1 ORDER BY 1")?,
            by_day: self.counts_of("SELECT coalesce(event_date, 'undated'), count(*) FROM events GROUP BY 1 ORDER BY 1")?,
            sources: self.counts_of("SELECT source, count(*) FROM articles WHERE superseded_by IS NULL GROUP BY 1 ORDER BY 2 DESC, 1")?,
        })
    }

    fn fusion_input(&self, scope: FusionScope) -> Result<Vec<(Event, Option<chrono::NaiveDate>)>, StoreError> {
        const SELECT: &str = "SELECT e.json, a.published FROM events e JOIN articles a ON a.id = e.article_id";
        let day = |d: chrono::NaiveDate| d.to_string();
        // The end of a day as text: "2016-05-03T10:00:00" sorts before "2016-05-03~".
        let day_end = |d: chrono::NaiveDate| format!("{d}~");
        match scope {
            FusionScope::All => self.fusion_rows(SELECT, &[]),
            FusionScope::Stale => self.fusion_rows(
                &format!(
                    "{SELECT} WHERE NOT EXISTS (SELECT 1 FROM fused_members m WHERE m.event_id = e.id) \
                     OR e.id IN (SELECT m.event_id FROM fused_members m WHERE m.fused_id IN \
                        (SELECT g.fused_id FROM fused_members g WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.id = g.event_id)))"
                ),
                &[],
            ),
            FusionScope::Near(crate::model::fused::Lookup { dated, undated_published }) => {
                let mut out = self
                    .fusion_rows(&format!("{SELECT} WHERE e.event_date BETWEEN ?1 AND ?2"), &[day(dated.0).into(), day(dated.1).into()])?;
                // `+` keeps the planner on the publication index: undated events are many.
                out.extend(self.fusion_rows(
                    &format!("{SELECT} WHERE a.published >= ?1 AND a.published <= ?2 AND +e.event_date IS NULL"),
                    &[day(undated_published.0).into(), day_end(undated_published.1).into()],
                )?);
                Ok(out)
            }
        }
    }

    fn fused_state(&self, part: Option<&[String]>) -> Result<FusedState, StoreError> {
        let err = |e| self.err(e);
        // Which event is in which fused event now.
        let members: Vec<(String, String)> = {
            let mut stmt = self.conn.prepare("SELECT event_id, fused_id FROM fused_members").map_err(err)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)?
        };
        let current: HashSet<String> = {
            let mut stmt = self.conn.prepare("SELECT id FROM events").map_err(err)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)?
        };
        // The fused events being replaced: all, or those of the part and of vanished events.
        let scope: Option<HashSet<String>> = part.map(|ids| {
            let ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
            members.iter().filter(|(e, _)| ids.contains(e.as_str()) || !current.contains(e)).map(|(_, f)| f.clone()).collect()
        });
        let in_scope = |id: &str| scope.as_ref().is_none_or(|s| s.contains(id));
        let mut state = FusedState::default();
        {
            let mut stmt = self.conn.prepare("SELECT id, digest FROM fused_events").map_err(err)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(err)?;
            for row in rows {
                let (id, digest) = row.map_err(err)?;
                if in_scope(&id) {
                    state.digests.insert(id.clone(), digest);
                }
                state.all_ids.insert(id);
            }
        }
        for (event, fused_id) in members {
            if !in_scope(&fused_id) {
                continue;
            }
            if !current.contains(&event) {
                if let Some(next) = Self::successor(&self.conn, &event).map_err(err)? {
                    state.successors.insert(event.clone(), next);
                }
            }
            state.members.entry(fused_id).or_default().push(event);
        }
        state.scope = scope;
        Ok(state)
    }

    fn write_fusion(&mut self, write: &FusionWrite<'_>) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        // A savepoint: inside fusion's exclusive write transaction it nests; alone it is a
        // transaction of its own.
        let tx = self.conn.savepoint().map_err(err)?;
        match write.scope {
            None => {
                tx.execute("DELETE FROM fused_members", []).map_err(err)?;
            }
            Some(ids) => {
                for id in ids {
                    tx.prepare_cached("DELETE FROM fused_members WHERE fused_id = ?1")
                        .and_then(|mut s| s.execute(params![id]))
                        .map_err(err)?;
                }
            }
        }
        for (f, digest) in &write.upserts {
            let json = pack(*f)?;
            tx.prepare_cached(
                "INSERT INTO fused_events (id, event_date, event_type, admin1, fatalities, sources, reports, score, digest, created_at, updated_at, json) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11) \
                 ON CONFLICT(id) DO UPDATE SET event_date = ?2, event_type = ?3, admin1 = ?4, fatalities = ?5, sources = ?6, reports = ?7, score = ?8, digest = ?9, updated_at = ?10, json = ?11",
            )
            .and_then(|mut s| {
                s.execute(params![
                    f.id,
                    f.event_date.map(|d| d.to_string()),
                    f.event_type,
                    f.admin1,
                    f.fatalities,
                    f.sources.len() as i64,
                    f.events.len() as i64,
                    f.corroboration.score,
                    digest,
                    now,
                    json
                ])
            })
            .map_err(err)?;
        }
        for (event, fused, verdict) in &write.members {
            tx.prepare_cached("INSERT OR REPLACE INTO fused_members (event_id, fused_id, verdict) VALUES (?1, ?2, ?3)")
                .and_then(|mut s| s.execute(params![event, fused, *verdict as i64]))
                .map_err(err)?;
        }
        for id in &write.removed {
            tx.execute("DELETE FROM fused_events WHERE id = ?1", params![id]).map_err(err)?;
        }
        for (id, kind, into) in &write.changes {
            tx.prepare_cached("INSERT INTO changes (at, fused_id, kind, into_id) VALUES (?1, ?2, ?3, ?4)")
                .and_then(|mut s| s.execute(params![now, id, kind.as_str(), into]))
                .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    fn verdict_counts(&self, events: Option<&[String]>) -> Result<Vec<(String, [usize; 3])>, StoreError> {
        let err = |e| self.err(e);
        let scored = "SELECT e.article_id, sum(m.verdict = 0), sum(m.verdict = 1), sum(m.verdict = 2) \
                      FROM events e JOIN fused_members m ON m.event_id = e.id";
        let mut rows: Vec<(String, [usize; 3])> = Vec::new();
        let read = |stmt: &mut rusqlite::Statement<'_>, args: &[&str], rows: &mut Vec<(String, [usize; 3])>| -> rusqlite::Result<()> {
            let found = stmt.query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get(0)?, [r.get::<_, i64>(1)? as usize, r.get::<_, i64>(2)? as usize, r.get::<_, i64>(3)? as usize]))
            })?;
            for r in found {
                rows.push(r?);
            }
            Ok(())
        };
        let Some(ids) = events else {
            let mut stmt = self.conn.prepare(&format!("{scored} GROUP BY e.article_id")).map_err(err)?;
            read(&mut stmt, &[], &mut rows).map_err(err)?;
            return Ok(rows);
        };
        let mut articles: Vec<String> = Vec::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self.conn.prepare(&format!("SELECT DISTINCT article_id FROM events WHERE id IN ({marks})")).map_err(err)?;
            let found = stmt.query_map(params_from_iter(chunk.iter()), |r| r.get::<_, String>(0)).map_err(err)?;
            articles.extend(found.collect::<Result<Vec<_>, _>>().map_err(err)?);
        }
        articles.sort();
        articles.dedup();
        for chunk in articles.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self.conn.prepare(&format!("{scored} WHERE e.article_id IN ({marks}) GROUP BY e.article_id")).map_err(err)?;
            let args: Vec<&str> = chunk.iter().map(String::as_str).collect();
            read(&mut stmt, &args, &mut rows).map_err(err)?;
        }
        Ok(rows)
    }

    fn put_credibility(&mut self, scores: &[crate::model::fused::ArticleCredibility], all: bool) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.savepoint().map_err(err)?;
        if all {
            tx.execute("DELETE FROM article_credibility", []).map_err(err)?;
        } else {
            tx.execute("DELETE FROM article_credibility WHERE article_id NOT IN (SELECT id FROM articles WHERE superseded_by IS NULL)", [])
                .map_err(err)?;
        }
        for c in scores {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO article_credibility (article_id, score, corroborated, uncorroborated, contradicted, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| s.execute(params![c.article_id, c.score, c.corroborated as i64, c.uncorroborated as i64, c.contradicted as i64, c.reason]))
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    fn stale_articles(&self, version: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM articles WHERE superseded_by IS NULL AND (data_version IS NULL OR data_version <> ?1) ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![version], |r| r.get::<_, String>(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn replace_events(&mut self, batch: &[(String, Vec<Event>)], version: &str) -> Result<(), StoreError> {
        let path = self.path.clone();
        let with_path = |e: StoreError| match e {
            StoreError::Sqlite { source, .. } => StoreError::Sqlite { path: path.clone(), source },
            other => other,
        };
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        retry_busy_store(|| {
            let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(err)?;
            for (article, events) in batch {
                // Evidence and event_articles rows go with their events (ON DELETE CASCADE).
                tx.prepare_cached("DELETE FROM events WHERE article_id = ?1").and_then(|mut s| s.execute(params![article])).map_err(err)?;
                Self::insert_events(&tx, article, events, version).map_err(with_path)?;
                tx.prepare_cached("UPDATE articles SET data_version = ?2 WHERE id = ?1")
                    .and_then(|mut s| s.execute(params![article, version]))
                    .map_err(err)?;
            }
            tx.commit().map_err(err)
        })
    }

    fn fused_totals(&self) -> Result<(usize, usize), StoreError> {
        let (total, multi): (i64, i64) = self
            .conn
            .query_row("SELECT count(*), coalesce(sum(sources > 1), 0) FROM fused_events", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        Ok((total as usize, multi as usize))
    }

    fn fused_events(&self, min_sources: usize, limit: usize, offset: usize) -> Result<Vec<crate::model::fused::FusedEvent>, StoreError> {
        if limit == 0 || limit > EventFilter::MAX_LIMIT {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to {})", EventFilter::MAX_LIMIT)));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT json FROM fused_events WHERE sources >= ?1 ORDER BY reports DESC, event_date DESC, id LIMIT ?2 OFFSET ?3")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![min_sources.min(i64::MAX as usize) as i64, limit as i64, offset.min(i64::MAX as usize) as i64], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(unpack(&r.map_err(|e| self.err(e))?)?);
        }
        Ok(out)
    }

    fn fused_event(&self, id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError> {
        let json: Option<rusqlite::types::Value> = self
            .conn
            .query_row("SELECT json FROM fused_events WHERE id = ?1", params![id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| unpack(&j)).transpose()
    }

    fn fused_event_of(&self, event_id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError> {
        let json: Option<rusqlite::types::Value> = self
            .conn
            .query_row(
                "SELECT f.json FROM fused_members m JOIN fused_events f ON f.id = m.fused_id WHERE m.event_id = ?1",
                params![event_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| unpack(&j)).transpose()
    }

    fn changes_since(&self, since: &str, limit: usize) -> Result<Vec<Change>, StoreError> {
        let ok = chrono::DateTime::parse_from_rfc3339(since).is_ok() || chrono::NaiveDate::parse_from_str(since, "%Y-%m-%d").is_ok();
        if !ok {
            return Err(StoreError::BadFilter(format!("since {since:?} (want a date YYYY-MM-DD or an RFC 3339 time)")));
        }
        // Times are stored as UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ": a normalized bound compares as text.
        let bound = match chrono::DateTime::parse_from_rfc3339(since) {
            Ok(t) => t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            Err(_) => since.to_string(),
        };
        // The first change at or after the bound (a whole fusion run shares one time: a client
        // resuming from the last `at` it saw gets that run again rather than losing its rest).
        let first: Option<i64> =
            self.conn.query_row("SELECT min(seq) FROM changes WHERE at >= ?1", params![bound], |r| r.get(0)).map_err(|e| self.err(e))?;
        match first {
            Some(seq) => self.changes_after(seq - 1, limit),
            None => Ok(Vec::new()),
        }
    }

    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError> {
        if limit == 0 || limit > EventFilter::MAX_LIMIT {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to {})", EventFilter::MAX_LIMIT)));
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, at, fused_id, kind, into_id FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![after, limit as i64], |r| {
                Ok(Change { seq: r.get(0)?, at: r.get(1)?, fused_id: r.get(2)?, kind: r.get(3)?, into: r.get(4)? })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn article_credibility(&self, id: &str) -> Result<Option<crate::model::fused::ArticleCredibility>, StoreError> {
        self.conn
            .query_row(
                "SELECT article_id, corroborated, uncorroborated, contradicted, score, reason FROM article_credibility WHERE article_id = ?1",
                params![id],
                |r| {
                    Ok(crate::model::fused::ArticleCredibility {
                        article_id: r.get(0)?,
                        corroborated: r.get::<_, i64>(1)? as usize,
                        uncorroborated: r.get::<_, i64>(2)? as usize,
                        contradicted: r.get::<_, i64>(3)? as usize,
                        score: r.get::<_, f64>(4)? as f32,
                        reason: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn actors(&self) -> Result<Vec<ActorCount>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.name, a.side, a.inter, (SELECT count(*) FROM events e WHERE e.actor1 = a.name OR e.actor2 = a.name) AS n \
                 FROM actors a WHERE n > 0 ORDER BY n DESC, a.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ActorCount { name: r.get(0)?, side: r.get(1)?, inter: r.get::<_, i64>(2)? as u8, events: r.get::<_, i64>(3)? as u64 })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn places(&self, limit: usize) -> Result<Vec<PlaceCount>, StoreError> {
        if limit == 0 || limit > EventFilter::MAX_LIMIT {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to {})", EventFilter::MAX_LIMIT)));
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT p.id, p.name, p.country, p.admin1, p.admin2, p.latitude, p.longitude, count(e.id) AS n \
                 FROM places p JOIN events e ON e.geo_id = p.id GROUP BY p.id ORDER BY n DESC, p.id LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![limit as i64], |r| {
                Ok(PlaceCount {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    country: r.get(2)?,
                    admin1: r.get(3)?,
                    admin2: r.get(4)?,
                    latitude: r.get(5)?,
                    longitude: r.get(6)?,
                    events: r.get::<_, i64>(7)? as u64,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FusionCounts;

    use crate::read::test_article as article;

    fn with_events(a: Article) -> (Article, Vec<Event>) {
        let ev = crate::events_of(&a);
        (a, ev)
    }

    #[test]
    fn bad_search_syntax_is_a_bad_query_everywhere_and_names_no_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.put_batch(&[with_events(article("a.txt", "Title\n\nRegime warplanes bombed the town of Saraqeb on 5 May 2016.\n"))]).unwrap();
        for q in ["\"", "*", "-Aleppo", "AND (", "car\"bomb"] {
            let f = EventFilter { text: Some(q.into()), limit: 10, ..EventFilter::default() };
            for e in [s.events(&f).unwrap_err(), s.count_events(&f).unwrap_err(), s.search(q, 10).unwrap_err()] {
                assert!(matches!(e, StoreError::BadQuery { .. }), "{q}: {e}");
                assert!(!e.to_string().contains("t.db"), "{e}");
            }
        }
        // Too many terms: refused before SQLite sees the query.
        let long = vec!["Aleppo"; MAX_SEARCH_TERMS + 1].join(" ");
        let e = s.search(&long, 10).unwrap_err();
        assert!(e.to_string().contains(&format!("{} terms, at most {MAX_SEARCH_TERMS}", MAX_SEARCH_TERMS + 1)), "{e}");
        let f = EventFilter { text: Some(vec!["Aleppo"; 1500].join(" OR ")), limit: 10, ..EventFilter::default() };
        assert!(matches!(s.events(&f).unwrap_err(), StoreError::BadQuery { .. }));
        assert_eq!(s.search(&vec!["warplanes"; MAX_SEARCH_TERMS].join(" "), 10).unwrap().len(), 1);
    }

    #[test]
    fn a_query_over_its_budget_or_cancelled_stops_and_frees_the_connection() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        // A statement that would run for ever.
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
        let run = || s.conn.query_row(endless, [], |r| r.get::<_, i64>(0)).map_err(|e| s.err(e));
        s.set_budget(Some(std::time::Instant::now() + std::time::Duration::from_millis(50)), vec![]);
        let e = run().unwrap_err();
        assert!(matches!(&e, StoreError::Interrupted(why) if why.contains("time budget")), "{e}");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        s.set_budget(None, vec![stop.clone()]);
        let setter = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            })
        };
        let e = run().unwrap_err();
        setter.join().unwrap();
        assert!(matches!(&e, StoreError::Interrupted(why) if why.contains("cancelled")), "{e}");
        // The connection is free again, and without a budget queries run to their end.
        s.set_budget(None, vec![]);
        assert_eq!(s.counts().unwrap(), (0, 0));
        assert_eq!(
            s.conn
                .query_row(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT count(*) FROM c",
                    [],
                    |r| r.get::<_, i64>(0)
                )
                .unwrap(),
            100000
        );
    }

    #[test]
    fn a_full_disk_is_one_clear_error_and_the_log_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut s = SqliteStore::open(&path).unwrap();
        s.put_batch(&[with_events(article("a.txt", "Title\n\nRegime warplanes bombed the town of Saraqeb on 5 May 2016.\n"))]).unwrap();
        // A full disk, as SQLite sees one: no page may be added.
        let pages: i64 = s.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        let _: i64 = s.conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| r.get(0)).unwrap();
        let big: Vec<_> = (0..50)
            .map(|i| {
                with_events(article(
                    &format!("{i}.txt"),
                    &format!("Title {i}\n\n{}\n", "ISIS militants captured the town of Marea on Monday. ".repeat(200)),
                ))
            })
            .collect();
        let e = s.put_batch(&big).unwrap_err();
        assert!(e.is_disk_full(), "{e}");
        let chain = {
            let mut v = vec![e.to_string()];
            let mut c = std::error::Error::source(&e);
            while let Some(x) = c {
                v.push(x.to_string());
                c = x.source();
            }
            v
        };
        // Said once: the path, then SQLite's words (the causes repeat them; `sitrep` prints one).
        assert_eq!(chain[0], format!("{}: database or disk is full", path.display()));
        assert!(chain[1..].iter().all(|c| c.ends_with("database or disk is full")), "{chain:?}");
        s.release_space();
        let wal = std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "the write-ahead log truncated");
        // What was committed is still there.
        assert_eq!(s.counts().unwrap().0, 1);
    }

    #[test]
    fn ingest_is_idempotent_and_queries_find_actors() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let (a, ev) = with_events(article("t.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n"));
        assert_eq!(s.put_batch(&[(a.clone(), ev.clone())]).unwrap(), vec![Stored::New { events: ev.len() }]);
        assert_eq!(s.put_batch(&[(a.clone(), ev)]).unwrap(), vec![Stored::Unchanged]);
        let f = EventFilter { actor: Some("islamic state".into()), limit: 10, ..EventFilter::default() };
        assert_eq!(s.events(&f).unwrap().len(), 1);
        assert_eq!(s.count_events(&f).unwrap(), 1);
        assert!(s.events(&EventFilter { limit: 0, ..EventFilter::default() }).is_err());
        let hits = s.search("\"captured the town\"", 5).unwrap();
        assert_eq!(hits.len(), 1);
        assert!(hits[0].snippet.contains('['));
        assert!(matches!(s.search("AND OR (", 5), Err(StoreError::BadQuery { .. })));
        // User text is a parameter: metacharacters are searched for (or refused), never run.
        let _ = s.search("x'); DROP TABLE events; --", 5);
        assert_eq!(s.counts().unwrap(), (1, 1));
        assert_eq!(s.known(&[a.id.as_str(), "nope"]).unwrap().len(), 1);
        let stored = s.article(&a.id).unwrap().unwrap();
        assert_eq!(stored.events.len(), 1);
        let (e, reporting) = s.event(&stored.events[0].event_id).unwrap().unwrap();
        assert_eq!(reporting, vec![a.id.clone()]);
        assert!(e.evidence[0].text.contains("captured"));
        let ev_rows: i64 = s.conn.query_row("SELECT count(*) FROM evidence", [], |r| r.get(0)).unwrap();
        assert_eq!(ev_rows as usize, e.evidence.len());
        let actors: i64 = s.conn.query_row("SELECT count(*) FROM actors WHERE name = 'Islamic State'", [], |r| r.get(0)).unwrap();
        assert_eq!(actors, 1);
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn a_corrected_version_replaces_the_old_events_and_keeps_history() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let v1 = with_events(article("story.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n"));
        let v2 = with_events(article("story.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 14 rebels.\n"));
        assert_ne!(v1.0.id, v2.0.id);
        s.put_batch(std::slice::from_ref(&v1)).unwrap();
        let r = s.put_batch(std::slice::from_ref(&v2)).unwrap();
        assert_eq!(r, vec![Stored::Replaced { events: 1, old: v1.0.id.clone() }]);
        assert_eq!(s.counts().unwrap(), (1, 1));
        let all = s.events(&EventFilter { limit: 10, ..EventFilter::default() }).unwrap();
        assert_eq!(all[0].fatalities, 14);
        assert_eq!(s.history("story.txt").unwrap(), vec![(v1.1[0].event_id.clone(), v1.0.id.clone(), v2.0.id.clone())]);
        assert_eq!(s.article(&v1.0.id).unwrap().unwrap().superseded_by.as_deref(), Some(v2.0.id.as_str()));
        // Search sees the current version only.
        assert_eq!(s.search("12", 5).unwrap().len(), 0);
        assert_eq!(s.search("14", 5).unwrap().len(), 1);
        // The old text again changes nothing.
        assert_eq!(s.put_batch(std::slice::from_ref(&v1)).unwrap(), vec![Stored::Unchanged]);
    }

    #[test]
    fn two_versions_in_one_batch_leave_the_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let v1 = with_events(article("story.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n"));
        let v2 = with_events(article("story.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 14 rebels.\n"));
        let r = s.put_batch(&[v1.clone(), v2.clone()]).unwrap();
        assert_eq!(r[1], Stored::Replaced { events: 1, old: v1.0.id.clone() });
        assert_eq!(s.counts().unwrap(), (1, 1));
        assert_eq!(s.search("12", 5).unwrap().len(), 0, "the superseded version is not searchable");
        assert_eq!(s.search("14", 5).unwrap().len(), 1);
        assert_eq!(s.article(&v2.0.id).unwrap().unwrap().article, v2.0, "an article reads back whole");
    }

    fn dated(name: &str, text: &str, day: &str) -> (Article, Vec<Event>) {
        let mut a = article(name, text);
        a.published = Some(crate::model::Published { date: day.parse().unwrap(), time: None });
        with_events(a)
    }

    #[test]
    fn the_change_feed_tells_created_updated_and_merged() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let later = dated(
            "b.txt",
            "T\n\nSource: SANA\n\nTerrorists detonated a car bomb in the city of A'zaz on Monday, killing 12 citizens.\n",
            "2016-05-04",
        );
        s.put_batch(&[later]).unwrap();
        let c = crate::fuse::refuse(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!((c.fused_events, c.created), (1, 1));
        let first = s.fused_events(1, 10, 0).unwrap()[0].id.clone();
        // Nothing new: nothing changes.
        assert_eq!(
            crate::fuse::refuse(&mut s, crate::pipeline::Knowledge::builtin()).unwrap(),
            FusionCounts { fused_events: 1, ..FusionCounts::default() }
        );
        // An earlier report of the same event founds it anew: the old id is merged into the new
        // (ids follow the founding report, whatever the order of ingest).
        let earlier = dated(
            "a.txt",
            "T\n\nSource: Reuters\n\nA car bomb exploded near a mosque in the town of Azaz on Monday, killing 14 people.\n",
            "2016-05-03",
        );
        s.put_batch(&[earlier]).unwrap();
        let c = crate::fuse::refuse(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!((c.fused_events, c.multi_source, c.created, c.merged), (1, 1, 1, 1), "{c:?}");
        let now = s.fused_events(1, 10, 0).unwrap();
        assert_eq!(now[0].articles.len(), 2);
        let feed = s.changes_since("2000-01-01", 100).unwrap();
        let kinds: Vec<(&str, &str, Option<&str>)> =
            feed.iter().map(|c| (c.kind.as_str(), c.fused_id.as_str(), c.into.as_deref())).collect();
        assert_eq!(
            kinds,
            vec![
                ("created", first.as_str(), None),
                ("created", now[0].id.as_str(), None),
                ("merged", first.as_str(), Some(now[0].id.as_str()))
            ]
        );
        // `since` includes its moment: resuming from the last `at` seen repeats, never skips.
        assert_eq!(s.changes_since(&feed[1].at, 100).unwrap(), feed[1..]);
        assert_eq!(s.changes_since(&feed[0].at, 100).unwrap(), feed);
        // The cursor: after a sequence number, exactly once.
        assert_eq!(s.changes_after(0, 1).unwrap(), feed[..1]);
        assert_eq!(s.changes_after(feed[0].seq, 100).unwrap(), feed[1..]);
        assert!(s.changes_after(feed[2].seq, 100).unwrap().is_empty());
        assert!(matches!(s.changes_since("yesterday", 10), Err(StoreError::BadFilter(_))));
        // A full run again changes nothing.
        assert_eq!(crate::fuse::refuse(&mut s, crate::pipeline::Knowledge::builtin()).unwrap().updated, 0);
    }

    /// A corrected article (same file, new text: new article and event ids) updates its fused
    /// event, which keeps its id, rather than deleting it and creating another.
    #[test]
    fn a_corrected_article_updates_its_fused_event_under_the_same_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let text = |n: u32| {
            format!("T\n\nSource: SANA\n\nTerrorists detonated a car bomb in the city of A'zaz on Monday, killing {n} citizens.\n")
        };
        s.put_batch(&[dated("b.txt", &text(12), "2016-05-04")]).unwrap();
        crate::fuse::refuse_changed(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        let before = s.fused_events(1, 10, 0).unwrap();
        assert_eq!(before.len(), 1);
        let stored = s.put_batch(&[dated("b.txt", &text(13), "2016-05-04")]).unwrap();
        assert!(matches!(stored[0], Stored::Replaced { .. }), "{stored:?}");
        let c = crate::fuse::refuse_changed(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!((c.created, c.updated, c.merged, c.deleted), (0, 1, 0, 0), "{c:?}");
        let after = s.fused_events(1, 10, 0).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].id, before[0].id);
        assert_eq!(after[0].fatalities, 13);
        assert_ne!(after[0].events, before[0].events);
        // A full run agrees.
        let c = crate::fuse::refuse(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!((c.created, c.updated, c.merged, c.deleted), (0, 0, 0, 0), "{c:?}");
        assert_eq!(s.fused_events(1, 10, 0).unwrap(), after);
    }

    #[test]
    fn min_sources_beyond_any_count_finds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.put_batch(&[dated(
            "b.txt",
            "T\n\nSource: SANA\n\nA car bomb exploded in the town of Azaz on Monday, killing 4 people.\n",
            "2016-05-03",
        )])
        .unwrap();
        crate::fuse::refuse(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!(s.fused_events(1, 10, 0).unwrap().len(), 1);
        assert!(s.fused_events(usize::MAX, 10, 0).unwrap().is_empty());
    }

    /// Incremental fusion, batch after batch (with a corrected article on the way), leaves the
    /// store exactly as a full fusion of it would: same fused events, ids and credibility.
    #[test]
    fn incremental_fusion_equals_a_full_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let outlets = ["Reuters", "SANA", "AFP", "Alalam", "ARA News"];
        let places = ["the town of Azaz", "the town of Marea", "the town of Saraqeb in Idlib province", "the town of Douma near Damascus"];
        let what = [
            "A car bomb exploded in {p}{d}, killing {n} people.",
            "Warplanes struck {p}{d}, killing {n} civilians.",
            "Islamic State militants attacked {p}{d}, killing {n} rebels.",
        ];
        let days = [" on Monday", " on Tuesday", ""];
        let mut seed = 7u64;
        let mut next = |m: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % m
        };
        let mut articles = Vec::new();
        for i in 0..60 {
            let mut body = format!("T{i}\n\nSource: {}\n\n", outlets[next(outlets.len())]);
            for _ in 0..1 + next(2) {
                let n = [3, 4, 12, 27][next(4)];
                let line = what[next(what.len())].replace("{p}", places[next(places.len())]).replace("{d}", days[next(days.len())]);
                body.push_str(&line.replace("{n}", &n.to_string()));
                body.push(' ');
            }
            body.push('\n');
            let published = ["2016-05-03", "2016-05-04", "2016-05-12"][next(3)];
            articles.push(dated(&format!("a{i}.txt"), &body, published));
        }
        // A corrected version of an early article, late in the run.
        articles.push(dated(
            "a3.txt",
            "T\n\nSource: SANA\n\nA car bomb exploded in the town of Azaz on Monday, killing 4 people.\n",
            "2016-05-03",
        ));
        let mut done = 0;
        let mut incremental = FusionCounts::default();
        while done < articles.len() {
            let n = (1 + next(8)).min(articles.len() - done);
            s.put_batch(&articles[done..done + n]).unwrap();
            done += n;
            let c = crate::fuse::refuse_changed(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
            incremental.merged += c.merged;
            incremental.updated += c.updated;
        }
        let snapshot = |s: &SqliteStore| {
            let fused = s.fused_events(1, 10_000, 0).unwrap();
            let cred: Vec<_> = s.article_ids().unwrap().iter().map(|id| s.article_credibility(id).unwrap()).collect();
            (fused, cred)
        };
        let before = snapshot(&s);
        assert!(before.0.iter().any(|f| f.sources.len() >= 2), "the corpus has events told by several outlets");
        assert!(incremental.merged + incremental.updated > 0, "later reports joined earlier events: {incremental:?}");
        let full = crate::fuse::refuse(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!((full.created, full.updated, full.merged, full.deleted), (0, 0, 0, 0), "{full:?}");
        assert_eq!(snapshot(&s), before);
        // Nothing new: the incremental run touches nothing.
        let again = crate::fuse::refuse_changed(&mut s, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!((again.created, again.updated, again.merged, again.deleted), (0, 0, 0, 0));
        // And it is a part, not the store: a report in Idlib reaches no report in Azaz.
        let later = dated(
            "z.txt",
            "T\n\nSource: AFP\n\nWarplanes struck the town of Saraqeb in Idlib province on Monday, killing 3 civilians.\n",
            "2016-05-03",
        );
        s.put_batch(&[later]).unwrap();
        let seeds = s.fusion_input(FusionScope::Stale).unwrap();
        assert_eq!(seeds.len(), 1);
        let part =
            crate::fuse::neighbourhood(seeds, crate::pipeline::Knowledge::builtin(), |l| s.fusion_input(FusionScope::Near(l))).unwrap();
        let total = s.counts().unwrap().1 as usize;
        assert!(part.len() < total, "{} of {total}", part.len());
        assert!(part.iter().all(|(e, _)| e.admin1 == part[0].0.admin1), "links stay within a governorate");
    }

    #[test]
    fn filters() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let b = [
            with_events(article(
                "a.txt",
                "Title\n\nALEPPO – ISIS militants captured the town of Marea on 3 May 2016, killing 12 rebels.\n",
            )),
            with_events(article(
                "b.txt",
                "Title\n\nRegime warplanes bombed the town of Saraqeb in Idlib province on 5 May 2016, killing 4 civilians.\n",
            )),
        ];
        s.put_batch(&b).unwrap();
        let q = |f: EventFilter| s.events(&EventFilter { limit: 10, ..f }).unwrap().len();
        assert_eq!(q(EventFilter::default()), 2);
        assert_eq!(q(EventFilter { admin1: Some("aleppo".into()), ..EventFilter::default() }), 1);
        assert_eq!(q(EventFilter { place: Some("Saraqeb".into()), ..EventFilter::default() }), 1);
        assert_eq!(q(EventFilter { bbox: Some([36.5, 35.7, 37.0, 36.0]), ..EventFilter::default() }), 1);
        assert_eq!(q(EventFilter { min_fatalities: Some(5), ..EventFilter::default() }), 1);
        assert_eq!(q(EventFilter { text: Some("warplanes".into()), ..EventFilter::default() }), 1);
        let since = chrono::NaiveDate::from_ymd_opt(2016, 5, 4);
        assert_eq!(q(EventFilter { since, ..EventFilter::default() }), 1);
        let deadliest = s.events(&EventFilter { sort: Sort::FatalitiesDesc, limit: 1, ..EventFilter::default() }).unwrap();
        assert_eq!(deadliest[0].fatalities, 12);
        let bad = |f: EventFilter| s.events(&EventFilter { limit: 10, ..f }).unwrap_err();
        assert!(matches!(bad(EventFilter { text: Some("AND (".into()), ..EventFilter::default() }), StoreError::BadQuery { .. }));
        assert!(matches!(bad(EventFilter { bbox: Some([40.0, 0.0, 30.0, 10.0]), ..EventFilter::default() }), StoreError::BadFilter(_)));
        let (until, since) = (chrono::NaiveDate::from_ymd_opt(2016, 1, 1), chrono::NaiveDate::from_ymd_opt(2016, 2, 1));
        assert!(matches!(bad(EventFilter { since, until, ..EventFilter::default() }), StoreError::BadFilter(_)));
        let st = s.stats().unwrap();
        assert_eq!((st.articles, st.events, st.articles_without_events), (2, 2, 0));
        assert_eq!(st.by_month, vec![Count { key: "2016-05".into(), count: 2 }]);
    }

    #[test]
    fn a_newer_file_is_refused_and_a_foreign_file_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.db");
        drop(SqliteStore::open(&p).unwrap());
        let c = Connection::open(&p).unwrap();
        c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
        drop(c);
        assert!(matches!(SqliteStore::open(&p), Err(StoreError::TooNew { found: 99, .. })));
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
        assert!(matches!(SqliteStore::open(&junk), Err(StoreError::NotADatabase { .. })), "{:?}", SqliteStore::open(&junk).err());
    }

    #[test]
    fn a_version_1_file_is_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.db");
        let (a, ev) = with_events(article("t.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n"));
        {
            // A file as version 1 wrote it.
            let c = Connection::open(&p).unwrap();
            c.execute_batch(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '1');",
            )
            .unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.execute(
                "INSERT INTO articles (id, input, format, text, body, json) VALUES (?1, 't.txt', 'text', ?2, ?3, ?4)",
                params![a.id, a.text, a.body(), serde_json::to_string(&a).unwrap()],
            )
            .unwrap();
            let e = &ev[0];
            c.execute(
                "INSERT INTO events (id, article_id, event_type, sub_event_type, actor1, fatalities, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![e.event_id, a.id, e.event_type, e.sub_event_type, "Islamic State", e.fatalities, serde_json::to_string(e).unwrap()],
            )
            .unwrap();
        }
        // Read-only, an older file is refused with advice, and left as it was.
        let e = SqliteStore::open_read_only(&p).err().expect("refused");
        assert!(matches!(e, StoreError::TooOld { found: 1, .. }), "{e}");
        assert!(e.to_string().contains("upgrades it"), "{e}");
        let s = SqliteStore::open(&p).unwrap();
        let (e, reporting) = s.event(&ev[0].event_id).unwrap().unwrap();
        assert_eq!(reporting, vec![a.id.clone()]);
        let spans: i64 = s.conn.query_row("SELECT count(*) FROM evidence", [], |r| r.get(0)).unwrap();
        assert_eq!(spans as usize, e.evidence.len());
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn a_version_11_file_is_upgraded_to_named_values_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v11.db");
        let (a, ev) = with_events(article("t.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n"));
        let e = &ev[0];
        {
            // A file as version 11 wrote it, with spellings that differ in case and spaces.
            let c = Connection::open(&p).unwrap();
            c.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);").unwrap();
            for m in &MIGRATIONS[..11] {
                c.execute_batch(m).unwrap();
            }
            c.execute_batch("INSERT INTO meta VALUES ('schema_version', '11');").unwrap();
            c.execute(
                "INSERT INTO articles (id, input, format, text, body, json) VALUES (?1, 't.txt', 'text', ?2, ?3, ?4)",
                params![a.id, a.text, a.body(), serde_json::to_string(&a).unwrap()],
            )
            .unwrap();
            c.execute(
                "INSERT INTO events (id, article_id, event_type, sub_event_type, fatalities, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    e.event_id,
                    a.id,
                    format!(" {} ", e.event_type.as_str().to_uppercase()),
                    e.sub_event_type.as_str().to_lowercase().replace(' ', "  "),
                    e.fatalities,
                    serde_json::to_string(e).unwrap()
                ],
            )
            .unwrap();
            c.execute("INSERT INTO changes (at, fused_id, kind) VALUES ('2026-01-01T00:00:00Z', 'f1', 'Created ')", []).unwrap();
        }
        let s = SqliteStore::open(&p).unwrap();
        assert_eq!(schema_version(&s.conn).unwrap(), 12);
        let (types, subs): (String, String) =
            s.conn.query_row("SELECT event_type, sub_event_type FROM events", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!((types.as_str(), subs.as_str()), (e.event_type.as_str(), e.sub_event_type.as_str()));
        let (back, _) = s.event(&e.event_id).unwrap().unwrap();
        assert_eq!((back.event_type.as_str(), back.sub_event_type.as_str()), (e.event_type.as_str(), e.sub_event_type.as_str()));
        assert_eq!(back.fatalities_bound, e.fatalities_bound);
        let feed = s.changes_after(0, 10).unwrap();
        assert_eq!(feed.iter().map(|c| c.kind).collect::<Vec<_>>(), vec![crate::model::ChangeKind::Created]);
        // Unknown values are refused, by INSERT and by UPDATE, naming the table.
        let refused = |sql: &str| {
            let e = s.conn.execute(sql, []).err().unwrap_or_else(|| panic!("accepted: {sql}"));
            assert!(e.to_string().contains("is not one of") || e.to_string().contains("that is not"), "{sql}: {e}");
        };
        refused(
            "INSERT INTO events (id, article_id, event_type, sub_event_type, fatalities) VALUES ('x', 'a', 'Battle', 'Armed clash', 0)",
        );
        refused("INSERT INTO events (id, article_id, event_type, sub_event_type, fatalities) VALUES ('x', 'a', 'Battles', 'Clash', 0)");
        refused("UPDATE events SET event_type = 'battles'");
        refused("INSERT INTO fused_events (id, event_type, sources, reports, digest, created_at, updated_at, json) VALUES ('f', 'War', 1, 1, 'd', 't', 't', x'')");
        refused("INSERT INTO changes (at, fused_id, kind) VALUES ('t', 'f', 'moved')");
        refused("UPDATE changes SET kind = 'CREATED'");
        refused("INSERT INTO deliveries (alert, fused_id, kind, digest, payload, status, next_try, created_at) VALUES ('a', 'f', 'merged!', 'd', 'p', 'pending', 't', 't')");
        assert_eq!(s.integrity_check().unwrap(), "ok");
        // The migration's lists are the model's names, every one of them.
        let quoted = |x: &str| format!("'{}'", x.replace('\'', "''"));
        for (t, subs) in crate::store::ACLED_TYPES {
            assert!(MIGRATIONS[11].contains(&quoted(t)), "{t}");
            assert!(subs.iter().all(|x| MIGRATIONS[11].contains(&quoted(x))), "{subs:?}");
        }
        assert!(crate::model::ChangeKind::ALL.iter().all(|k| MIGRATIONS[11].contains(&quoted(k.as_str()))));
    }
}
