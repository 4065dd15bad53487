//! The PostgreSQL store: the same interface as [`super::sqlite`] on a PostgreSQL server, for a
//! team (many ingest workers, many readers). Only this file knows its SQL.
//!
//! The sync `postgres` client (the store traits are synchronous; one connection per store, as
//! SQLite's) behind a mutex (queries need `&mut`, readers hold `&self`). No TLS yet
//! (`NoTls`): a server on the same machine or network.
//!
//! The schema is versioned like SQLite's (`sitrep_meta.schema_version`, [`PG_SCHEMA_VERSION`],
//! `PG_MIGRATIONS`): an older one is upgraded under an advisory lock (a second process opening
//! at the same moment waits, then finds it current), a newer one refused with advice, a
//! database (schema) with other tables and no `sitrep_meta` named and left alone. Messages name
//! the URL without its password.
//!
//! Every method of both traits works, with SQLite's results (the tests run one suite on both
//! backends and compare their answers, on a generated store of a thousand articles too):
//! storing batches (`put_batch`: duplicates unchanged, corrected versions superseding by
//! `doc_key`, their events moved to `event_history`), reading articles and events, every
//! [`EventFilter`] field and sort, counts, `for_each_event` (a portal: memory stays flat), map
//! points, days, stats, actors, places, full-text search with FTS5's query syntax
//! ([`super::pg_fts`]), re-extraction (`stale_articles`, `replace_events`), fusion
//! (`write_exclusive`, `fusion_input`, `fused_state`, `write_fusion`, verdicts and credibility,
//! the fused reads), the change feed, and what following sources keeps ([`super::LiveStore`]:
//! feeds, feed items, alerts, deliveries, watched files; schema version 3; version 4 adds what bm25 reads). Every write of
//! several statements is one transaction under a per-schema advisory lock (writers one at a
//! time, as SQLite's write lock makes them); inside `write_exclusive` (one transaction holding
//! the lock from its start) writes nest as savepoints. Writes go a statement per table, not per
//! row (`INSERT ... SELECT FROM unnest(...)`, in order, so `seq` follows SQLite's rowid): what
//! SQLite decides row by row (unchanged, new, replacing) is decided in one pass over the batch.
//! A query's budget (`set_budget`) reaches the server as `statement_timeout` (what is left of
//! the deadline, set before each statement), and a thread watching the stop flags cancels the
//! running statement when one is set; either ends it with [`StoreError::Interrupted`], the
//! connection free again at once. A store opened to read sets its session read-only. The
//! client blocks on a runtime of its own, which panics on a thread that drives another: the
//! connection is opened and closed on a thread of its own (`Conn`).
//!
//! How SQLite's behaviour is kept: TEXT compared bytewise (`COLLATE "C"` wherever SQLite
//! orders or compares ranges), SQLite's NOCASE as `sitrep_nocase` (ASCII letters folded only),
//! SQLite's NULLs-lowest ordering spelled out (`NULLS LAST` / `NULLS FIRST`), its rowid as
//! `events.seq`, and the records (articles' and events' JSON) deflated exactly as SQLite's.
//! Search ranks as FTS5's bm25 does (computed here from the matches' positions, their sizes in
//! tokens and the phrases' frequencies; ties in the order articles were stored, FTS5's rowid):
//! the same articles, in the same order, with the same rank. Snippets come from `ts_headline`
//! and may differ from FTS5's; see [`super::pg_fts`] for the rest.

use super::pg_fts;
use super::sqlite::{check_search_terms, pack, pack_article, unpack_blob};
use super::Sort;
use super::{Access, ChangeKind};
use super::{
    ActorCount, Change, Count, EventFilter, FusedState, FusionScope, FusionWrite, PlaceCount, SearchHit, Stats, StoreError, Stored,
    StoredArticle,
};
use crate::model::{Article, Event};
use postgres::types::ToSql;
use postgres::GenericClient;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;

/// The PostgreSQL schema version this build writes (its own numbering, apart from SQLite's).
pub const PG_SCHEMA_VERSION: i64 = 4;

/// Migrations, in order: `PG_MIGRATIONS[n]` takes a database from version `n` to `n + 1`.
const PG_MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE articles (
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
    json BYTEA NOT NULL,
    doc_key TEXT,
    superseded_by TEXT,
    ingested_at TEXT NOT NULL,
    data_version TEXT,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || body)) STORED
);
CREATE INDEX articles_doc_key ON articles (doc_key) WHERE superseded_by IS NULL;
CREATE INDEX articles_tsv ON articles USING GIN (tsv);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_date TEXT,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    actor1 TEXT,
    actor2 TEXT,
    location TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    geo_precision INTEGER,
    fatalities INTEGER NOT NULL DEFAULT 0,
    source TEXT,
    geo_id TEXT,
    json BYTEA NOT NULL,
    data_version TEXT
);
CREATE INDEX events_article ON events (article_id);
CREATE INDEX events_date ON events (event_date DESC, id);
"#,
    // Version 2: what the queries of the SQLite store need, with SQLite's results.
    // - `sitrep_nocase`: SQLite's NOCASE (ASCII letters folded, nothing else), which the
    //   filters compare names with; `lower()` would fold more, and by the server's locale.
    // - `articles.tsv` written by the store from its own tokens (`pg_fts`: SQLite's unicode61
    //   tokens, title weight A, body B), only for current versions (SQLite's FTS5 index holds
    //   those only); the generated column of version 1 used PostgreSQL's parser.
    // - `events.seq`: the order rows were stored in (SQLite's rowid), which breaks ties of the
    //   sort orders; fatalities as BIGINT (SQLite's integers are 64-bit).
    // - The actors and places events name, the events of replaced versions, and fusion's
    //   tables (fused events, memberships, the change feed with its increasing `seq`,
    //   article credibility).
    // Ordering columns are compared with COLLATE "C" in the queries: SQLite compares TEXT
    // bytewise whatever the server's locale.
    r#"
CREATE FUNCTION sitrep_nocase(TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;
ALTER TABLE articles DROP COLUMN tsv;
ALTER TABLE articles ADD COLUMN tsv TSVECTOR;
CREATE INDEX articles_tsv ON articles USING GIN (tsv);
CREATE INDEX articles_published ON articles ((published COLLATE "C"));
CREATE INDEX articles_ingested ON articles ((ingested_at COLLATE "C"));
CREATE INDEX articles_data_version ON articles (data_version) WHERE superseded_by IS NULL;
ALTER TABLE events ADD COLUMN seq BIGSERIAL;
ALTER TABLE events ALTER COLUMN fatalities TYPE BIGINT;
DROP INDEX events_date;
CREATE INDEX events_date ON events ((event_date COLLATE "C"), seq);
CREATE INDEX events_fatalities ON events (fatalities, (event_date COLLATE "C"), seq);
CREATE INDEX events_type_nc ON events (sitrep_nocase(event_type), sitrep_nocase(sub_event_type));
CREATE INDEX events_admin1_nc ON events (sitrep_nocase(admin1));
CREATE INDEX events_actor1_nc ON events (sitrep_nocase(actor1));
CREATE INDEX events_actor2_nc ON events (sitrep_nocase(actor2));
CREATE INDEX events_lat_lon ON events (latitude, longitude);
CREATE INDEX events_geo_id ON events (geo_id);
CREATE TABLE actors (
    name TEXT PRIMARY KEY,
    side TEXT NOT NULL,
    inter INTEGER NOT NULL
);
CREATE TABLE places (
    id TEXT PRIMARY KEY,
    name TEXT,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION
);
CREATE TABLE event_history (
    id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    replaced_by TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    json BYTEA NOT NULL
);
CREATE INDEX event_history_article ON event_history (article_id);
CREATE TABLE fused_events (
    id TEXT PRIMARY KEY,
    event_date TEXT,
    event_type TEXT,
    admin1 TEXT,
    fatalities BIGINT,
    sources BIGINT NOT NULL,
    reports BIGINT NOT NULL,
    score DOUBLE PRECISION,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    json BYTEA NOT NULL
);
CREATE INDEX fused_events_order ON fused_events (reports DESC, (event_date COLLATE "C") DESC);
CREATE TABLE fused_members (
    event_id TEXT PRIMARY KEY,
    fused_id TEXT NOT NULL,
    verdict INTEGER
);
CREATE INDEX fused_members_fused ON fused_members (fused_id);
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    fused_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'merged', 'deleted')),
    into_id TEXT
);
CREATE INDEX changes_at ON changes ((at COLLATE "C"));
CREATE TABLE article_credibility (
    article_id TEXT PRIMARY KEY,
    score DOUBLE PRECISION NOT NULL,
    corroborated BIGINT NOT NULL,
    uncorroborated BIGINT NOT NULL,
    contradicted BIGINT NOT NULL,
    reason TEXT NOT NULL
);
"#,
    // Version 3: following sources (SQLite's version 10, `store/live.rs`): feeds with their HTTP
    // validators and failures, the items seen (by URL, across feeds), saved alerts and their
    // deliveries (one row per alert and fused-event version), the files a watched folder
    // ingested. The alerts' cursor is a `sitrep_meta` row, as SQLite's is a `meta` row.
    r#"
CREATE TABLE feeds (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    name TEXT,
    added_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_polled TEXT,
    last_ok TEXT,
    failures BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    next_try TEXT,
    items BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE feed_items (
    url TEXT PRIMARY KEY,
    feed_id BIGINT NOT NULL,
    first_seen TEXT NOT NULL,
    article_id TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    done BOOLEAN NOT NULL DEFAULT false
);
CREATE TABLE alerts (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    sink TEXT NOT NULL,
    secret TEXT NOT NULL,
    after_seq BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    alert TEXT NOT NULL,
    fused_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'merged', 'deleted')),
    digest TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    next_try TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (alert, fused_id, digest)
);
CREATE INDEX deliveries_due ON deliveries (status, (next_try COLLATE "C"));
CREATE TABLE watched_files (
    path TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    modified BIGINT NOT NULL,
    ingested_at TEXT NOT NULL
);
"#,
    // Version 4: what FTS5's bm25 reads, so that search ranks as SQLite's does: each article's
    // size in tokens (its title's and body's), and the order articles were stored in (FTS5's
    // rowid: bm25 ties come in that order).
    r#"
ALTER TABLE articles ADD COLUMN seq BIGSERIAL;
ALTER TABLE articles ADD COLUMN tokens BIGINT;
"#,
];

/// The PostgreSQL store.
pub struct PgStore {
    client: Mutex<Conn>,
    /// The URL, its password hidden: what messages name.
    url: String,
    /// Inside [`super::EventStore::write_exclusive`]: the connection holds an open transaction
    /// (and the write lock), and each write nests in it as a savepoint.
    exclusive: AtomicBool,
    /// What bounds the statements run from now on ([`super::EventStore::set_budget`]).
    budget: Arc<Mutex<Budget>>,
    /// The `statement_timeout` (ms) the connection has now; -1: not known (a rolled-back
    /// transaction takes back a SET made in it).
    timeout_ms: AtomicI64,
    /// Cancels the statement the connection runs (from the thread that watches the stop flags).
    cancel: postgres::CancelToken,
}

/// The connection. The sync client runs a runtime of its own and blocks on it, which panics
/// on a thread that drives another runtime (the server opens its first connection from async
/// code, and may drop its pool there): it is opened (`PgStore::open`) and closed (here) on a
/// thread of its own.
struct Conn(Option<postgres::Client>);

impl std::ops::Deref for Conn {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        // Only `drop` takes the client out.
        self.0.as_ref().expect("the client, until dropped")
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        self.0.as_mut().expect("the client, until dropped")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            let _ = std::thread::spawn(move || drop(c)).join();
        }
    }
}

/// A deadline and stop flags ([`super::EventStore::set_budget`]). The deadline reaches the
/// server as `statement_timeout` (what is left of it, set before each statement); a stop flag
/// set is seen by a watching thread, which cancels the running statement.
#[derive(Default)]
struct Budget {
    deadline: Option<std::time::Instant>,
    stops: Vec<Arc<AtomicBool>>,
    /// Bumped by each `set_budget`: the watcher of an older budget ends.
    generation: u64,
}

impl Budget {
    fn stopped(&self) -> bool {
        self.stops.iter().any(|s| s.load(Ordering::Relaxed))
    }
}

/// How often the watcher looks at the stop flags.
const STOP_POLL: std::time::Duration = std::time::Duration::from_millis(10);

/// Why a statement was ended early, as SQLite's store says it.
const CANCELLED: &str = "cancelled (the client went away, or the server is stopping)";
const OVER_BUDGET: &str = "over its time budget";

/// A client error as one line: the server's own words (severity and message) when it sent
/// some, else the client's (connection refused, reset, timed out).
fn one_line(e: &postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => {
            // The client's error names its kind ("error connecting to server"); the cause
            // (refused, timed out) is its source.
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                let more = c.to_string();
                if !text.contains(&more) {
                    text = format!("{text}: {more}");
                }
                cause = c.source();
            }
            text
        }
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:pass@host:port/db`) and brings its
    /// schema to [`PG_SCHEMA_VERSION`] as `access` allows.
    pub fn open(url: &str, access: Access) -> Result<PgStore, StoreError> {
        // On a thread of its own: see `Conn`.
        std::thread::scope(|s| s.spawn(|| Self::open_here(url, access)).join())
            .unwrap_or_else(|_| Err(StoreError::Postgres { url: super::redacted(url), message: "opening the connection panicked".into() }))
    }

    fn open_here(url: &str, access: Access) -> Result<PgStore, StoreError> {
        let shown = super::redacted(url);
        let fail = |message: String| StoreError::Postgres { url: shown.clone(), message };
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| fail(format!("a bad URL ({})", one_line(&e))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let client = config.connect(postgres::NoTls).map_err(|e| fail(one_line(&e)))?;
        let cancel = client.cancel_token();
        let store = PgStore {
            client: Mutex::new(Conn(Some(client))),
            url: shown,
            exclusive: AtomicBool::new(false),
            budget: Arc::new(Mutex::new(Budget::default())),
            timeout_ms: AtomicI64::new(0),
            cancel,
        };
        store.check_schema(access)?;
        if access == Access::ReadOnly {
            // Opened only to read (a server without a token): the session refuses writes, as
            // SQLite's read-only file does.
            store.client()?.batch_execute("SET default_transaction_read_only = on").map_err(|e| store.err(&e))?;
        }
        Ok(store)
    }

    /// Refuses a database that is not sitrep's or too new (or, to read only, too old or empty);
    /// upgrades an older one to write.
    fn check_schema(&self, access: Access) -> Result<(), StoreError> {
        let url = self.url.clone();
        let mut c = self.client()?;
        let (tables, has_meta): (i64, bool) = c
            .query_one(
                "SELECT (SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'sitrep_meta'), to_regclass('sitrep_meta') IS NOT NULL",
                &[],
            )
            .map(|r| (r.get(0), r.get(1)))
            .map_err(|e| self.err(&e))?;
        if tables > 0 && !has_meta {
            return Err(StoreError::NotADatabase {
                path: url,
                reason: "a PostgreSQL database with other tables and no sitrep schema".into(),
            });
        }
        let version = if has_meta { schema_version(&mut **c).map_err(|e| self.err(&e))? } else { 0 };
        if version > PG_SCHEMA_VERSION {
            return Err(StoreError::TooNewPg { path: url, found: version });
        }
        if access != Access::ReadWrite && version == 0 {
            return Err(StoreError::Missing { location: url });
        }
        if access == Access::ReadOnly && version < PG_SCHEMA_VERSION {
            return Err(StoreError::TooOldPg { path: url, found: version });
        }
        if version < PG_SCHEMA_VERSION {
            let now = migrate(&mut c).map_err(|e| self.err(&e))?;
            if now > PG_SCHEMA_VERSION {
                return Err(StoreError::TooNewPg { path: url, found: now });
            }
        }
        Ok(())
    }

    /// The connection (a panic while it was held leaves it usable: a statement is atomic).
    /// Within the budget: refused once it is spent, else with the server's `statement_timeout`
    /// set to what is left of the deadline.
    fn client(&self) -> Result<std::sync::MutexGuard<'_, Conn>, StoreError> {
        let mut c = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let (deadline, stopped) = {
            let b = self.budget.lock().unwrap_or_else(|p| p.into_inner());
            (b.deadline, b.stopped())
        };
        if stopped {
            return Err(StoreError::Interrupted(CANCELLED.into()));
        }
        let want = match deadline {
            None => 0,
            Some(d) => {
                let left = d.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    return Err(StoreError::Interrupted(OVER_BUDGET.into()));
                }
                left.as_millis().clamp(1, i32::MAX as u128) as i64
            }
        };
        // Set again when it would let a statement run past the deadline (by more than a little)
        // or when there is none any more.
        let now = self.timeout_ms.load(Ordering::SeqCst);
        let stale = if want == 0 { now != 0 } else { now <= 0 || now > want + 20 };
        if stale {
            c.batch_execute(&format!("SET statement_timeout = {want}")).map_err(|e| self.err(&e))?;
            self.timeout_ms.store(want, Ordering::SeqCst);
        }
        Ok(c)
    }

    fn err(&self, e: &postgres::Error) -> StoreError {
        if e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED) {
            let stopped = self.budget.lock().map(|b| b.stopped()).unwrap_or(false);
            return StoreError::Interrupted(if stopped { CANCELLED } else { OVER_BUDGET }.into());
        }
        StoreError::Postgres { url: self.url.clone(), message: one_line(e) }
    }

    /// The schema version the database records (0: none yet).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let mut c = self.client()?;
        schema_version(&mut **c).map_err(|e| self.err(&e))
    }
}

/// The version `sitrep_meta` records (0: no table or no row).
fn schema_version(c: &mut impl postgres::GenericClient) -> Result<i64, postgres::Error> {
    let has_meta: bool = c.query_one("SELECT to_regclass('sitrep_meta') IS NOT NULL", &[])?.get(0);
    if !has_meta {
        return Ok(0);
    }
    let row = c.query_opt("SELECT value FROM sitrep_meta WHERE key = 'schema_version'", &[])?;
    Ok(row.and_then(|r| r.get::<_, String>(0).parse().ok()).unwrap_or(0))
}

/// Runs the migrations the database has not had, in one transaction under an advisory lock
/// (per schema): a second process opening at once waits, then finds the version current.
/// Returns the version after.
fn migrate(c: &mut postgres::Client) -> Result<i64, postgres::Error> {
    let mut tx = c.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock(hashtext('sitrep migrate ' || current_schema()))", &[])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS sitrep_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")?;
    let version = schema_version(&mut tx)?;
    for (n, m) in PG_MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        tx.batch_execute(m)?;
        if n == 1 {
            backfill_tsv(&mut tx)?;
        }
        if n == 3 {
            backfill_tokens(&mut tx)?;
        }
        tx.execute(
            "INSERT INTO sitrep_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&(n as i64 + 1).to_string()],
        )?;
    }
    let now = schema_version(&mut tx)?;
    tx.commit()?;
    Ok(now)
}

/// Writes the search index entry (`tsv`, version 2) of every current article stored before
/// version 2 (its tokens are made here, in Rust, as for new articles).
fn backfill_tsv(tx: &mut postgres::Transaction<'_>) -> Result<(), postgres::Error> {
    let rows = tx.query("SELECT id, title, body FROM articles WHERE superseded_by IS NULL AND tsv IS NULL", &[])?;
    let update = tx.prepare("UPDATE articles SET tsv = $2::text::tsvector WHERE id = $1")?;
    for r in rows {
        let (id, title, body): (String, Option<String>, String) = (r.get(0), r.get(1), r.get(2));
        tx.execute(&update, &[&id, &pg_fts::tsvector(title.as_deref(), &body)])?;
    }
    Ok(())
}

/// Writes the size in tokens (version 4) of every current article stored before version 4.
fn backfill_tokens(tx: &mut postgres::Transaction<'_>) -> Result<(), postgres::Error> {
    let rows = tx.query("SELECT id, title, body FROM articles WHERE superseded_by IS NULL AND tokens IS NULL", &[])?;
    let update = tx.prepare("UPDATE articles SET tokens = $2 WHERE id = $1")?;
    for r in rows {
        let (id, title, body): (String, Option<String>, String) = (r.get(0), r.get(1), r.get(2));
        tx.execute(&update, &[&id, &(pg_fts::token_count(title.as_deref(), &body) as i64)])?;
    }
    Ok(())
}

/// A statement's parameters, bound in order (`$1`, `$2`, ...): user values never enter the SQL.
#[derive(Default)]
struct Args(Vec<Box<dyn ToSql + Sync>>);

impl Args {
    /// Binds a value; its placeholder.
    fn bind(&mut self, v: impl ToSql + Sync + 'static) -> String {
        self.0.push(Box::new(v));
        format!("${}", self.0.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0.iter().map(|a| a.as_ref() as &(dyn ToSql + Sync)).collect()
    }
}

/// The `tsquery` of a full-text query in FTS5's syntax (`None`: it matches nothing), or the
/// same error kind SQLite gives for bad syntax.
fn ts_query(q: &str) -> Result<Option<String>, StoreError> {
    check_search_terms(q)?;
    pg_fts::tsquery(q).map_err(|reason| StoreError::BadQuery { query: q.to_string(), reason })
}

/// The WHERE clause of a page: the filter's, and with `after`, only the events after it
/// (dates compared bytewise, as the order sorts them).
fn page_clause(f: &EventFilter, args: &mut Args) -> Result<String, StoreError> {
    let mut clause = where_clause(f, args)?;
    if let Some(k) = &f.after {
        clause.push_str(&super::keyset_clause(f.sort, k, "(event_date COLLATE \"C\")", "seq", &mut |v| match v {
            super::KeyValue::Text(t) => format!("{}::text", args.bind(t.to_string())),
            super::KeyValue::Int(n) => format!("{}::int8", args.bind(n)),
        }));
    }
    Ok(clause)
}

/// The WHERE clause of a filter (SQLite's `where_clause`, NOCASE as `sitrep_nocase`, dates
/// compared bytewise), its parameters bound into `args`.
fn where_clause(f: &EventFilter, args: &mut Args) -> Result<String, StoreError> {
    let mut sql = String::from(" WHERE true");
    let nocase = |col: &str, p: &str| format!("sitrep_nocase({col}) = sitrep_nocase({p}::text)");
    if let Some(t) = &f.event_type {
        let p = args.bind(t.clone());
        sql += &format!(" AND {}", nocase("event_type", &p));
    }
    if let Some(t) = &f.sub_event_type {
        let p = args.bind(t.clone());
        sql += &format!(" AND {}", nocase("sub_event_type", &p));
    }
    if let Some(a) = &f.actor {
        let p = args.bind(a.trim().to_string());
        sql += &format!(" AND ({} OR {})", nocase("actor1", &p), nocase("actor2", &p));
    }
    if let (Some(a), Some(b)) = (f.since, f.until) {
        if a > b {
            return Err(StoreError::BadFilter(format!("since {a} is after until {b}")));
        }
    }
    if let Some(d) = f.since {
        let p = args.bind(d.to_string());
        sql += &format!(" AND event_date COLLATE \"C\" >= {p}::text");
    }
    if let Some(d) = f.until {
        let p = args.bind(d.to_string());
        sql += &format!(" AND event_date COLLATE \"C\" <= {p}::text");
    }
    if let Some(a) = &f.admin1 {
        let p = args.bind(a.clone());
        sql += &format!(" AND {}", nocase("admin1", &p));
    }
    if let Some(place) = &f.place {
        let p = args.bind(place.clone());
        sql += &format!(
            " AND ({} OR {} OR {} OR geo_id IN (SELECT id FROM places WHERE {}))",
            nocase("location", &p),
            nocase("admin2", &p),
            nocase("admin1", &p),
            nocase("name", &p)
        );
    }
    if let Some([min_lon, min_lat, max_lon, max_lat]) = f.bbox {
        if let Err(why) = crate::model::Bbox::new([min_lon, min_lat, max_lon, max_lat]) {
            return Err(StoreError::BadFilter(format!("bbox {min_lon},{min_lat},{max_lon},{max_lat}: {why}")));
        }
        let (a, b, c, d) = (args.bind(min_lat), args.bind(max_lat), args.bind(min_lon), args.bind(max_lon));
        sql += &format!(" AND latitude BETWEEN {a}::float8 AND {b}::float8 AND longitude BETWEEN {c}::float8 AND {d}::float8");
    }
    if let Some(s) = &f.source {
        let p = args.bind(s.clone());
        sql += &format!(" AND {}", nocase("source", &p));
    }
    if let Some(q) = &f.text {
        match ts_query(q)? {
            Some(ts) => {
                let p = args.bind(ts);
                sql += &format!(" AND article_id IN (SELECT id FROM articles WHERE tsv @@ {p}::text::tsquery)");
            }
            None => sql += " AND false",
        }
    }
    if let Some(n) = f.min_fatalities {
        let p = args.bind(i64::from(n));
        sql += &format!(" AND fatalities >= {p}::int8");
    }
    Ok(sql)
}

/// The ORDER BY of a sort: SQLite's, with its NULLs (lowest) and its rowid (`seq`), dates
/// compared bytewise.
fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::DateDesc => " ORDER BY event_date COLLATE \"C\" DESC NULLS LAST, seq DESC",
        Sort::DateAsc => " ORDER BY event_date COLLATE \"C\" ASC NULLS LAST, seq ASC",
        Sort::FatalitiesDesc => " ORDER BY fatalities DESC, event_date COLLATE \"C\" DESC NULLS LAST, seq DESC",
    }
}

/// A LIMIT or OFFSET as PostgreSQL's BIGINT.
fn big(n: usize) -> i64 {
    n.min(i64::MAX as usize) as i64
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// An article's JSON (without its text, which has a column of its own), as SQLite keeps it.
fn unpack_article(json: &[u8], text: String) -> Result<Article, StoreError> {
    let mut a: Article = unpack_blob(json)?;
    if a.text.is_empty() {
        a.text = text;
    }
    Ok(a)
}

/// A store error of a write: the client's error, or a record that would not pack.
enum WriteError {
    Pg(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for WriteError {
    fn from(e: postgres::Error) -> WriteError {
        WriteError::Pg(e)
    }
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> WriteError {
        WriteError::Store(e)
    }
}

/// Stores events, in this order (their `seq`), made by the rules of `version`, with the actors
/// and places they name (the first stored spelling of each kept, as SQLite's INSERT OR IGNORE
/// keeps it): one statement per table, whatever the number of events (a statement per row
/// made a batch wait on a round trip per row).
fn insert_events(tx: &mut impl GenericClient, events: &[&Event], version: &str) -> Result<(), WriteError> {
    if events.is_empty() {
        return Ok(());
    }
    // SQLite's INSERT OR REPLACE: an id given twice is stored once, as its last, at its place.
    let last: HashMap<&str, usize> = events.iter().enumerate().map(|(i, e)| (e.event_id.as_str(), i)).collect();
    let events: Vec<&Event> = events.iter().enumerate().filter(|(i, e)| last[e.event_id.as_str()] == *i).map(|(_, e)| *e).collect();
    let n = events.len();
    let (mut id, mut article, mut date, mut typ, mut sub) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut actor1, mut actor2, mut location, mut lat, mut lon) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut country, mut admin1, mut admin2, mut precision, mut deaths) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut source, mut geo, mut json) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut actor_name, mut actor_side, mut actor_inter) = (Vec::new(), Vec::new(), Vec::new());
    let (mut place_id, mut place_name, mut place_country, mut place_admin1, mut place_admin2, mut place_lat, mut place_lon) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for e in &events {
        id.push(e.event_id.as_str());
        article.push(e.article_id.as_str());
        date.push(e.event_date.map(|d| d.to_string()));
        typ.push(e.event_type.as_str());
        sub.push(e.sub_event_type.as_str());
        actor1.push(e.actor1.as_ref().map(|x| x.name.as_str()));
        actor2.push(e.actor2.as_ref().map(|x| x.name.as_str()));
        location.push(e.location.as_deref());
        lat.push(e.latitude);
        lon.push(e.longitude);
        country.push(e.country.as_deref());
        admin1.push(e.admin1.as_deref());
        admin2.push(e.admin2.as_deref());
        precision.push(e.geo_precision.map(i32::from));
        deaths.push(i64::from(e.fatalities));
        source.push(e.source.as_deref());
        geo.push(e.geo_id.as_deref());
        json.push(pack(*e)?);
        for a in [&e.actor1, &e.actor2].into_iter().flatten() {
            actor_name.push(a.name.as_str());
            actor_side.push(a.side.as_str());
            actor_inter.push(i32::from(a.inter));
        }
        if let Some(g) = &e.geo_id {
            place_id.push(g.as_str());
            place_name.push(e.geo_alternatives.iter().find(|x| &x.id == g).map(|x| x.name.as_str()));
            place_country.push(e.country.as_deref());
            place_admin1.push(e.admin1.as_deref());
            place_admin2.push(e.admin2.as_deref());
            place_lat.push(e.latitude);
            place_lon.push(e.longitude);
        }
    }
    tx.execute(
        "INSERT INTO events (id, article_id, event_date, event_type, sub_event_type, actor1, actor2, location, latitude, longitude, country, admin1, admin2, geo_precision, fatalities, source, geo_id, json, data_version) \
         SELECT id, article_id, event_date, event_type, sub_event_type, actor1, actor2, location, latitude, longitude, country, admin1, admin2, geo_precision, fatalities, source, geo_id, json, $19 \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::float8[], \
                     $11::text[], $12::text[], $13::text[], $14::int4[], $15::int8[], $16::text[], $17::text[], $18::bytea[]) WITH ORDINALITY \
              AS u(id, article_id, event_date, event_type, sub_event_type, actor1, actor2, location, latitude, longitude, country, admin1, admin2, geo_precision, fatalities, source, geo_id, json, ord) \
         ORDER BY ord \
         ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, event_date = excluded.event_date, event_type = excluded.event_type, \
         sub_event_type = excluded.sub_event_type, actor1 = excluded.actor1, actor2 = excluded.actor2, location = excluded.location, \
         latitude = excluded.latitude, longitude = excluded.longitude, country = excluded.country, admin1 = excluded.admin1, \
         admin2 = excluded.admin2, geo_precision = excluded.geo_precision, fatalities = excluded.fatalities, source = excluded.source, \
         geo_id = excluded.geo_id, json = excluded.json, data_version = excluded.data_version, seq = DEFAULT",
        &[
            &id, &article, &date, &typ, &sub, &actor1, &actor2, &location, &lat, &lon, &country, &admin1, &admin2, &precision, &deaths, &source,
            &geo, &json, &version,
        ],
    )?;
    if !actor_name.is_empty() {
        tx.execute(
            "INSERT INTO actors (name, side, inter) SELECT name, side, inter FROM unnest($1::text[], $2::text[], $3::int4[]) WITH ORDINALITY AS u(name, side, inter, ord) \
             ORDER BY ord ON CONFLICT DO NOTHING",
            &[&actor_name, &actor_side, &actor_inter],
        )?;
    }
    if !place_id.is_empty() {
        tx.execute(
            "INSERT INTO places (id, name, country, admin1, admin2, latitude, longitude) SELECT id, name, country, admin1, admin2, latitude, longitude \
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[]) WITH ORDINALITY \
                  AS u(id, name, country, admin1, admin2, latitude, longitude, ord) \
             ORDER BY ord ON CONFLICT DO NOTHING",
            &[&place_id, &place_name, &place_country, &place_admin1, &place_admin2, &place_lat, &place_lon],
        )?;
    }
    Ok(())
}

/// Moves the events of old versions to the history and retires them (out of the search index
/// too): (old, the version that replaced it) pairs.
fn supersede(tx: &mut impl GenericClient, retired: &[(String, String)], now: &str) -> Result<(), postgres::Error> {
    if retired.is_empty() {
        return Ok(());
    }
    let old: Vec<&str> = retired.iter().map(|(o, _)| o.as_str()).collect();
    let new: Vec<&str> = retired.iter().map(|(_, n)| n.as_str()).collect();
    tx.execute(
        "INSERT INTO event_history (id, article_id, replaced_by, replaced_at, json) \
         SELECT e.id, e.article_id, r.new, $3, e.json FROM events e JOIN unnest($1::text[], $2::text[]) AS r(old, new) ON e.article_id = r.old ORDER BY e.seq",
        &[&old, &new, &now],
    )?;
    tx.execute("DELETE FROM events WHERE article_id = ANY($1)", &[&old])?;
    tx.execute(
        "UPDATE articles a SET superseded_by = r.new, tsv = NULL FROM unnest($1::text[], $2::text[]) AS r(old, new) WHERE a.id = r.old",
        &[&old, &new],
    )?;
    Ok(())
}

/// The current event that took over from an event of a replaced article version: the event of
/// the same number in the version that replaced it (following corrections of corrections, 16
/// at most, as SQLite's store), if there is one. `replaced`: old version -> its replacement.
fn successor(event_id: &str, replaced: &HashMap<String, String>, current: &HashSet<String>) -> Option<String> {
    let (first, n) = event_id.rsplit_once('-')?;
    let mut article = first;
    for _ in 0..16 {
        match replaced.get(article) {
            Some(newer) => article = newer,
            None => break,
        }
    }
    let candidate = format!("{article}-{n}");
    current.contains(&candidate).then_some(candidate)
}

/// The table of a [`super::CopyTable`] in this schema, and which of its rows a copy moves (of
/// `sitrep_meta`, the alerts' cursor only).
fn copy_source(t: &super::CopyTable) -> (&'static str, &'static str) {
    if t.name == "meta" {
        ("sitrep_meta", " WHERE key = 'alerts_seq'")
    } else {
        (t.name, "")
    }
}

/// Takes this schema's write lock for the transaction: writers (of any process) go one at a
/// time, as SQLite's write lock makes them, so that two batches never both take a document as
/// new.
fn write_lock(tx: &mut impl GenericClient) -> Result<(), postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock(hashtext('sitrep write ' || current_schema()))", &[]).map(|_| ())
}

impl PgStore {
    /// A write error as a store error.
    fn write_err(&self, e: WriteError) -> StoreError {
        match e {
            WriteError::Pg(e) => self.err(&e),
            WriteError::Store(e) => e,
        }
    }

    /// Runs `work` as one write: a transaction of its own under the write lock, or, inside
    /// `write_exclusive`, a savepoint of its transaction (SQLite's writes nest the same way).
    fn in_write<T>(&self, work: impl FnOnce(&mut postgres::Client) -> Result<T, WriteError>) -> Result<T, StoreError> {
        let mut c = self.client()?;
        let nested = self.exclusive.load(Ordering::SeqCst);
        let (begin, commit, rollback) = if nested {
            (
                "SAVEPOINT sitrep_write",
                "RELEASE SAVEPOINT sitrep_write",
                "ROLLBACK TO SAVEPOINT sitrep_write; RELEASE SAVEPOINT sitrep_write",
            )
        } else {
            ("BEGIN", "COMMIT", "ROLLBACK")
        };
        c.batch_execute(begin).map_err(|e| self.err(&e))?;
        let done = (|| {
            if !nested {
                write_lock(&mut **c)?;
            }
            let v = work(&mut c)?;
            c.batch_execute(commit)?;
            Ok(v)
        })();
        done.map_err(|e| {
            let _ = c.batch_execute(rollback);
            // A SET of the statement timeout made inside is taken back too.
            self.timeout_ms.store(-1, Ordering::SeqCst);
            self.write_err(e)
        })
    }

    /// SQLite's `try_put_batch`, decided here in one pass over the batch (which articles are
    /// new, which replace which: an article stored already or earlier in the batch is
    /// unchanged; one whose document has a current version replaces it, that version maybe
    /// earlier in the batch), then written with a statement per table.
    fn try_put_batch(tx: &mut postgres::Client, batch: &[(Article, Vec<Event>)]) -> Result<Vec<Stored>, WriteError> {
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let ids: Vec<&str> = batch.iter().map(|(a, _)| a.id.as_str()).collect();
        let mut seen: HashSet<String> =
            tx.query("SELECT id FROM articles WHERE id = ANY($1)", &[&ids])?.iter().map(|r| r.get::<_, String>(0)).collect();
        let keys: Vec<String> = batch.iter().filter_map(|(a, _)| a.doc_key()).collect();
        let mut current: HashMap<String, String> = HashMap::new();
        for r in tx.query(
            "SELECT doc_key, id FROM articles WHERE doc_key = ANY($1) AND superseded_by IS NULL ORDER BY id COLLATE \"C\"",
            &[&keys],
        )? {
            current.entry(r.get(0)).or_insert_with(|| r.get(1));
        }
        let mut out = Vec::with_capacity(batch.len());
        let mut stored: Vec<&(Article, Vec<Event>)> = Vec::new();
        let mut retired: Vec<(String, String)> = Vec::new();
        for entry in batch {
            let a = &entry.0;
            if !seen.insert(a.id.clone()) {
                out.push(Stored::Unchanged);
                continue;
            }
            stored.push(entry);
            let previous = match a.doc_key() {
                Some(k) => current.insert(k, a.id.clone()),
                None => None,
            };
            match previous {
                Some(old) => {
                    retired.push((old.clone(), a.id.clone()));
                    out.push(Stored::Replaced { events: entry.1.len(), old });
                }
                None => out.push(Stored::New { events: entry.1.len() }),
            }
        }
        if !stored.is_empty() {
            let n = stored.len();
            let (mut id, mut input, mut format, mut title, mut source) =
                (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            let (mut byline, mut dateline, mut published, mut url, mut text) =
                (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            let (mut body, mut json, mut doc_key, mut tsv) =
                (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            let mut size = Vec::with_capacity(n);
            for (a, _) in &stored {
                let b = a.body();
                id.push(a.id.as_str());
                input.push(a.input.as_str());
                format.push(a.format.as_str());
                title.push(a.title.as_deref());
                source.push(a.source.as_deref());
                byline.push(a.byline.as_deref());
                dateline.push(a.dateline.as_deref());
                published.push(a.published.map(|p| p.to_string()));
                url.push(a.url.as_deref());
                text.push(a.text.as_str());
                json.push(pack_article(a)?);
                doc_key.push(a.doc_key());
                tsv.push(pg_fts::tsvector(a.title.as_deref(), &b));
                size.push(pg_fts::token_count(a.title.as_deref(), &b) as i64);
                body.push(b);
            }
            tx.execute(
                "INSERT INTO articles (id, input, format, title, source, byline, dateline, published, url, text, body, json, doc_key, ingested_at, data_version, tsv, tokens) \
                 SELECT id, input, format, title, source, byline, dateline, published, url, text, body, json, doc_key, $15, $16, tsv::tsvector, tokens \
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
                             $11::text[], $12::bytea[], $13::text[], $14::text[], $17::int8[]) WITH ORDINALITY \
                      AS u(id, input, format, title, source, byline, dateline, published, url, text, body, json, doc_key, tsv, tokens, ord) \
                 ORDER BY ord",
                &[
                    &id, &input, &format, &title, &source, &byline, &dateline, &published, &url, &text, &body, &json, &doc_key, &tsv, &now,
                    &crate::knowledge::DATA_VERSION,
                    &size,
                ],
            )?;
            let events: Vec<&Event> = stored.iter().flat_map(|(_, ev)| ev.iter()).collect();
            insert_events(tx, &events, crate::knowledge::DATA_VERSION)?;
        }
        // After the inserts: a version replaced in the same batch has its events stored by now.
        supersede(tx, &retired, &now)?;
        Ok(out)
    }

    /// Rows of a query with bound parameters.
    fn rows(&self, sql: &str, args: &Args) -> Result<Vec<postgres::Row>, StoreError> {
        self.client()?.query(sql, &args.refs()).map_err(|e| self.err(&e))
    }

    /// Counts by key (a NULL key shown as "-").
    fn counts_of(&self, sql: &str) -> Result<Vec<Count>, StoreError> {
        let rows = self.rows(sql, &Args::default())?;
        Ok(rows
            .iter()
            .map(|r| Count { key: r.get::<_, Option<String>>(0).unwrap_or_else(|| "-".into()), count: r.get::<_, i64>(1) as u64 })
            .collect())
    }

    fn scalar(&self, sql: &str) -> Result<u64, StoreError> {
        let row = self.client()?.query_one(sql, &[]).map_err(|e| self.err(&e))?;
        Ok(row.get::<_, Option<i64>>(0).unwrap_or(0) as u64)
    }
}

impl super::EventStore for PgStore {
    fn write_exclusive(&mut self, work: &mut dyn FnMut(&mut dyn super::EventStore) -> Result<(), StoreError>) -> Result<(), StoreError> {
        // One transaction under the write lock, held from the start (SQLite's BEGIN IMMEDIATE):
        // no other writer, of this process or another, writes until it ends. The writes `work`
        // makes nest in it as savepoints (`in_write`); its reads see its writes.
        {
            let mut c = self.client()?;
            c.batch_execute("BEGIN").map_err(|e| self.err(&e))?;
            if let Err(e) = write_lock(&mut **c) {
                let _ = c.batch_execute("ROLLBACK");
                return Err(self.err(&e));
            }
        }
        self.exclusive.store(true, Ordering::SeqCst);
        // Ended whatever happens in `work` (an error or a panic): rolled back unless committed.
        struct End<'a>(&'a PgStore, bool);
        impl Drop for End<'_> {
            fn drop(&mut self) {
                self.0.exclusive.store(false, Ordering::SeqCst);
                if !self.1 {
                    let mut c = self.0.client.lock().unwrap_or_else(|p| p.into_inner());
                    let _ = c.batch_execute("ROLLBACK");
                    self.0.timeout_ms.store(-1, Ordering::SeqCst);
                }
            }
        }
        let result = work(self);
        let mut end = End(self, false);
        result?;
        let committed = end.0.client()?.batch_execute("COMMIT").map_err(|e| end.0.err(&e));
        end.1 = committed.is_ok();
        committed
    }
    /// PostgreSQL's buffer cache is the server's: nothing to set per connection.
    fn set_cache_mib(&self, _mib: Option<u32>) -> Result<(), StoreError> {
        Ok(())
    }
    /// Nothing to give back: a failed transaction leaves no log on the client's side.
    fn release_space(&self) {}
    /// A commit is durable on the server already.
    fn checkpoint(&self) -> Result<(), StoreError> {
        Ok(())
    }
    fn set_budget(&self, deadline: Option<std::time::Instant>, stops: Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>) {
        let watch = !stops.is_empty();
        let generation = {
            let mut b = self.budget.lock().unwrap_or_else(|p| p.into_inner());
            b.generation += 1;
            b.deadline = deadline;
            b.stops = stops;
            b.generation
        };
        if !watch {
            return;
        }
        // The statement running when a flag is set is cancelled by the server (the connection is
        // free again at once); the next ones are refused before they start (`client`).
        // It ends with the budget: lifted, replaced, or its store gone (a weak reference).
        let (budget, cancel) = (Arc::downgrade(&self.budget), self.cancel.clone());
        std::thread::spawn(move || loop {
            std::thread::sleep(STOP_POLL);
            let Some(budget) = budget.upgrade() else { return };
            let stopped = match budget.lock() {
                Ok(b) if b.generation == generation => b.stopped(),
                _ => return,
            };
            if stopped {
                let _ = cancel.cancel_query(postgres::NoTls);
                return;
            }
        });
    }
    fn count_rows(&self, table: &str) -> Result<u64, StoreError> {
        let t = super::copy_table(table)?;
        let (name, filter) = copy_source(t);
        self.scalar(&format!("SELECT count(*) FROM {name}{filter}"))
    }
    fn export_rows(&self, table: &str, each: &mut dyn FnMut(Vec<super::Raw>) -> Result<(), StoreError>) -> Result<u64, StoreError> {
        use super::{Kind, Raw};
        let t = super::copy_table(table)?;
        let (name, filter) = copy_source(t);
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|(c, kind)| match kind {
                Kind::Int => format!("{c}::int8"),
                Kind::Real => format!("{c}::float8"),
                Kind::Bool => format!("{c}::int::int8"),
                Kind::Text | Kind::Blob => c.to_string(),
            })
            .collect();
        let order = match t.name {
            "articles" | "events" | "changes" => "seq".to_string(),
            "feeds" | "deliveries" => "id".to_string(),
            "event_history" => "replaced_at COLLATE \"C\", id COLLATE \"C\"".to_string(),
            _ => format!("{} COLLATE \"C\"", t.columns[0].0),
        };
        let sql = format!("SELECT {} FROM {name}{filter} ORDER BY {order}", cols.join(", "));
        let row_of = |r: &postgres::Row| -> Vec<Raw> {
            t.columns
                .iter()
                .enumerate()
                .map(|(i, (_, kind))| match kind {
                    Kind::Text => r.get::<_, Option<String>>(i).map_or(Raw::Null, Raw::Text),
                    Kind::Int | Kind::Bool => r.get::<_, Option<i64>>(i).map_or(Raw::Null, Raw::Int),
                    Kind::Real => r.get::<_, Option<f64>>(i).map_or(Raw::Null, Raw::Real),
                    Kind::Blob => r.get::<_, Option<Vec<u8>>>(i).map_or(Raw::Null, Raw::Blob),
                })
                .collect()
        };
        // A portal read a thousand rows at a time, as `for_each_event` reads (`each` runs with
        // the connection held: it must not call this store).
        let mut c = self.client()?;
        if self.exclusive.load(Ordering::SeqCst) {
            let rows = c.query(sql.as_str(), &[]).map_err(|e| self.err(&e))?;
            drop(c);
            for r in &rows {
                each(row_of(r))?;
            }
            return Ok(rows.len() as u64);
        }
        let mut tx = c.transaction().map_err(|e| self.err(&e))?;
        let portal = tx.bind(sql.as_str(), &[]).map_err(|e| self.err(&e))?;
        let mut n = 0;
        loop {
            let rows = tx.query_portal(&portal, 1000).map_err(|e| self.err(&e))?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                each(row_of(r))?;
                n += 1;
            }
        }
        tx.commit().map_err(|e| self.err(&e))?;
        Ok(n)
    }
    fn import_rows(&mut self, table: &str, rows: &[Vec<super::Raw>]) -> Result<(), StoreError> {
        use super::{Kind, Raw};
        let t = super::copy_table(table)?;
        super::check_rows(t, rows)?;
        if rows.is_empty() {
            return Ok(());
        }
        let (name, _) = copy_source(t);
        let mut cols: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
        let articles = t.name == "articles";
        if articles {
            // What search reads, made here as `put_batch` makes it: the current versions'
            // `tsvector`, every version's size in tokens.
            cols.extend(["tsv", "tokens"]);
        }
        let mut args = Args::default();
        let mut tuples = Vec::with_capacity(rows.len());
        for row in rows {
            let mut marks = Vec::with_capacity(cols.len());
            for ((_, kind), v) in t.columns.iter().zip(row) {
                let mark = match (kind, v) {
                    (Kind::Text, Raw::Text(s)) => format!("{}::text", args.bind(Some(s.clone()))),
                    (Kind::Text, Raw::Null) => format!("{}::text", args.bind(None::<String>)),
                    (Kind::Int, Raw::Int(i)) => format!("{}::int8", args.bind(Some(*i))),
                    (Kind::Int, Raw::Null) => format!("{}::int8", args.bind(None::<i64>)),
                    (Kind::Bool, Raw::Int(i)) => format!("({}::int8 <> 0)", args.bind(*i)),
                    (Kind::Real, Raw::Real(r)) => format!("{}::float8", args.bind(Some(*r))),
                    (Kind::Real, Raw::Int(i)) => format!("{}::float8", args.bind(Some(*i as f64))),
                    (Kind::Real, Raw::Null) => format!("{}::float8", args.bind(None::<f64>)),
                    (Kind::Blob, Raw::Blob(b)) => format!("{}::bytea", args.bind(Some(b.clone()))),
                    (Kind::Blob, Raw::Null) => format!("{}::bytea", args.bind(None::<Vec<u8>>)),
                    (kind, v) => return Err(StoreError::Invalid(format!("{}: {v:?} where a {kind:?} value belongs", t.name))),
                };
                marks.push(mark);
            }
            if articles {
                let text = |i: usize| match &row[i] {
                    Raw::Text(s) => Some(s.as_str()),
                    _ => None,
                };
                let (title, body) = (text(3), text(10).unwrap_or(""));
                let tsv = (row[13] == Raw::Null).then(|| pg_fts::tsvector(title, body));
                marks.push(format!("{}::text::tsvector", args.bind(tsv)));
                marks.push(format!("{}::int8", args.bind(pg_fts::token_count(title, body) as i64)));
            }
            tuples.push(format!("({})", marks.join(", ")));
        }
        let conflict = if t.name == "meta" { " ON CONFLICT (key) DO UPDATE SET value = excluded.value" } else { "" };
        let sql = format!("INSERT INTO {name} ({}) VALUES {}{conflict}", cols.join(", "), tuples.join(", "));
        let serial = match t.name {
            "changes" => Some("seq"),
            "feeds" | "deliveries" => Some("id"),
            _ => None,
        };
        self.in_write(|c| {
            c.execute(sql.as_str(), &args.refs())?;
            if let Some(col) = serial {
                // The numbers kept: new ones follow the largest copied.
                c.execute(&format!("SELECT setval(pg_get_serial_sequence('{name}', '{col}'), (SELECT max({col}) FROM {name}))"), &[])?;
            }
            Ok(())
        })
    }
    fn article_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client()?
            .query("SELECT id FROM articles WHERE superseded_by IS NULL ORDER BY id COLLATE \"C\"", &[])
            .map_err(|e| self.err(&e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
    fn known(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        let rows = self.client()?.query("SELECT id FROM articles WHERE id = ANY($1)", &[&ids]).map_err(|e| self.err(&e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
    fn counts(&self) -> Result<(u64, u64), StoreError> {
        let row = self
            .client()?
            .query_one("SELECT (SELECT count(*) FROM articles WHERE superseded_by IS NULL), (SELECT count(*) FROM events)", &[])
            .map_err(|e| self.err(&e))?;
        Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
    }
    fn put_batch(&mut self, batch: &[(Article, Vec<Event>)]) -> Result<Vec<Stored>, StoreError> {
        self.in_write(|c| Self::try_put_batch(c, batch))
    }
    fn events(&self, f: &EventFilter) -> Result<Vec<Event>, StoreError> {
        Ok(self.events_keyed(f)?.into_iter().map(|(e, _)| e).collect())
    }
    fn events_keyed(&self, f: &EventFilter) -> Result<Vec<(Event, super::EventKey)>, StoreError> {
        if f.limit == 0 || f.limit > EventFilter::MAX_LIMIT + 1 {
            return Err(StoreError::BadFilter(format!("limit {} (must be 1 to {})", f.limit, EventFilter::MAX_LIMIT)));
        }
        let mut args = Args::default();
        let clause = page_clause(f, &mut args)?;
        let (limit, offset) = (args.bind(big(f.limit)), args.bind(big(f.offset)));
        let sql = format!(
            "SELECT json, event_date, fatalities, seq FROM events{clause}{} LIMIT {limit}::int8 OFFSET {offset}::int8",
            order_by(f.sort)
        );
        self.rows(&sql, &args)?
            .iter()
            .map(|r| {
                let key = super::EventKey { date: r.get(1), fatalities: r.get(2), seq: r.get(3) };
                Ok((unpack_blob(r.get::<_, &[u8]>(0))?, key))
            })
            .collect()
    }
    fn count_events(&self, f: &EventFilter) -> Result<u64, StoreError> {
        let mut args = Args::default();
        let clause = where_clause(f, &mut args)?;
        let rows = self.rows(&format!("SELECT count(*) FROM events{clause}"), &args)?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0) as u64))
    }
    fn event(&self, id: &str) -> Result<Option<(Event, Vec<String>)>, StoreError> {
        // An event is reported by its own article (SQLite's `event_articles` holds that one
        // row per event).
        let row = self.client()?.query_opt("SELECT json, article_id FROM events WHERE id = $1", &[&id]).map_err(|e| self.err(&e))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((unpack_blob(row.get::<_, &[u8]>(0))?, vec![row.get(1)])))
    }
    fn article(&self, id: &str) -> Result<Option<StoredArticle>, StoreError> {
        let row = {
            let mut c = self.client()?;
            c.query_opt("SELECT json, superseded_by, text FROM articles WHERE id = $1", &[&id]).map_err(|e| self.err(&e))?
        };
        let Some(row) = row else { return Ok(None) };
        let mut args = Args::default();
        let p = args.bind(id.to_string());
        let rows = self.rows(&format!("SELECT json FROM events WHERE article_id = {p}::text ORDER BY id COLLATE \"C\""), &args)?;
        let mut events: Vec<Event> = rows.iter().map(|r| unpack_blob(r.get::<_, &[u8]>(0))).collect::<Result<_, _>>()?;
        events.sort_by_key(|e| e.evidence.first().map_or(usize::MAX, |s| s.start));
        Ok(Some(StoredArticle { article: unpack_article(row.get::<_, &[u8]>(0), row.get(2))?, superseded_by: row.get(1), events }))
    }
    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        if limit == 0 || limit > 10_000 {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to 10000)")));
        }
        if query.trim().is_empty() {
            return Err(StoreError::BadQuery { query: query.to_string(), reason: "empty query".into() });
        }
        let Some(ts) = ts_query(query)? else { return Ok(Vec::new()) };
        let phrases = pg_fts::phrases(query).map_err(|reason| StoreError::BadQuery { query: query.to_string(), reason })?;
        let err = |e: postgres::Error| self.err(&e);
        let mut c = self.client()?;
        // Ranked as FTS5's bm25 ranks (`pg_fts::bm25`): every match scored from its phrase
        // counts and size, ties in the order articles were stored (FTS5's rowid). Like SQLite's,
        // it reads every match (SQLite sorts them all by bm25 before its LIMIT).
        let found =
            c.query("SELECT id, seq, coalesce(tokens, 0), tsv::text FROM articles WHERE tsv @@ $1::text::tsquery", &[&ts]).map_err(err)?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let totals =
            c.query_one("SELECT count(*), coalesce(sum(tokens), 0)::int8 FROM articles WHERE tsv IS NOT NULL", &[]).map_err(err)?;
        let (rows, total): (i64, i64) = (totals.get(0), totals.get(1));
        let avgdl = total as f64 / rows.max(1) as f64;
        let mut idf = Vec::with_capacity(phrases.len());
        for p in &phrases {
            let hits: i64 = match &p.tsquery {
                Some(q) => c.query_one("SELECT count(*) FROM articles WHERE tsv @@ $1::text::tsquery", &[q]).map_err(err)?.get(0),
                None => 0,
            };
            idf.push(pg_fts::idf(rows.max(0) as u64, hits.max(0) as u64));
        }
        let mut ranked: Vec<(f64, i64, String)> = found
            .iter()
            .map(|r| {
                let doc = pg_fts::read_tsvector(r.get(3));
                let freq = pg_fts::counts(query, &doc).map_err(|reason| StoreError::BadQuery { query: query.to_string(), reason })?;
                Ok((pg_fts::bm25(&freq, &idf, r.get::<_, i64>(2) as f64, avgdl), r.get(1), r.get(0)))
            })
            .collect::<Result<_, StoreError>>()?;
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        ranked.truncate(limit);
        let ids: Vec<&str> = ranked.iter().map(|(_, _, id)| id.as_str()).collect();
        // The snippets of the page only (a headline reads the whole body), with "…" where the
        // passage does not reach the body's start or end, as FTS5's snippet.
        let page = c
            .query(
                "SELECT h.id, h.title, h.source, h.published, \
                        CASE WHEN starts_with(btrim(h.body), btrim(p.plain)) THEN '' ELSE '…' END || p.snippet \
                        || CASE WHEN right(btrim(h.body), length(btrim(p.plain))) = btrim(p.plain) THEN '' ELSE '…' END \
                 FROM articles h, \
                      LATERAL (SELECT s AS snippet, replace(replace(s, '[', ''), ']', '') AS plain \
                               FROM ts_headline('simple', h.body, $1::text::tsquery, 'StartSel=[, StopSel=], MaxWords=12, MinWords=5, MaxFragments=1') s) p \
                 WHERE h.id = ANY($2)",
                &[&ts, &ids],
            )
            .map_err(err)?;
        let mut by_id: HashMap<String, postgres::Row> = page.into_iter().map(|r| (r.get::<_, String>(0), r)).collect();
        Ok(ranked
            .into_iter()
            .filter_map(|(rank, _, id)| {
                let r = by_id.remove(&id)?;
                Some(SearchHit { article_id: id, title: r.get(1), source: r.get(2), published: r.get(3), snippet: r.get(4), rank })
            })
            .collect())
    }
    fn stats(&self) -> Result<Stats, StoreError> {
        // SQLite's `ORDER BY 2 DESC, 1`: keys bytewise, NULL first.
        let by = |col: &str| format!("SELECT {col}, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, ({col}) COLLATE \"C\" NULLS FIRST");
        Ok(Stats {
            articles: self.scalar("SELECT count(*) FROM articles WHERE superseded_by IS NULL")?,
            superseded_articles: self.scalar("SELECT count(*) FROM articles WHERE superseded_by IS NOT NULL")?,
            articles_without_events: self.scalar(
                "SELECT count(*) FROM articles a WHERE a.superseded_by IS NULL AND NOT EXISTS (SELECT 1 FROM events x WHERE x.article_id = a.id)",
            )?,
            events: self.scalar("SELECT count(*) FROM events")?,
            fatalities: self.scalar("SELECT sum(fatalities)::int8 FROM events")?,
            events_without_place: self.scalar("SELECT count(*) FROM events WHERE latitude IS NULL")?,
            by_type: self.counts_of(&by("event_type"))?,
            by_sub_type: self.counts_of(&by("event_type || ' / ' || sub_event_type"))?,
            by_actor: self.counts_of(
                "SELECT name, count(*) FROM (SELECT actor1 AS name FROM events WHERE actor1 IS NOT NULL UNION ALL SELECT actor2 FROM events WHERE actor2 IS NOT NULL) x \
                 GROUP BY 1 ORDER BY 2 DESC, name COLLATE \"C\"",
            )?,
            by_admin1: self.counts_of(&by("admin1"))?,
            by_month: self.counts_of(
                "SELECT coalesce(substr(event_date, 1, 7), 'undated'), count(*) FROM events GROUP BY 1 ORDER BY coalesce(substr(event_date, 1, 7), 'undated') COLLATE \"C\"",
            )?,
            by_day: self
                .counts_of("SELECT coalesce(event_date, 'undated'), count(*) FROM events GROUP BY 1 ORDER BY coalesce(event_date, 'undated') COLLATE \"C\"")?,
            sources: self.counts_of(
                "SELECT source, count(*) FROM articles WHERE superseded_by IS NULL GROUP BY 1 ORDER BY 2 DESC, source COLLATE \"C\" NULLS FIRST",
            )?,
        })
    }
    fn actors(&self) -> Result<Vec<ActorCount>, StoreError> {
        // An event counts once for an actor it names as both sides (SQLite's `actor1 = name OR
        // actor2 = name`): distinct (event, name) pairs.
        let rows = self.rows(
            "SELECT a.name, a.side, a.inter, c.n FROM actors a JOIN \
               (SELECT name, count(*) AS n FROM (SELECT id, actor1 AS name FROM events WHERE actor1 IS NOT NULL \
                                                UNION SELECT id, actor2 FROM events WHERE actor2 IS NOT NULL) u GROUP BY name) c \
               ON c.name = a.name \
             ORDER BY c.n DESC, a.name COLLATE \"C\"",
            &Args::default(),
        )?;
        rows.iter()
            .map(|r| {
                Ok(ActorCount {
                    name: r.get(0),
                    side: r.get::<_, String>(1).parse().map_err(corrupt)?,
                    inter: r.get::<_, i32>(2) as u8,
                    events: r.get::<_, i64>(3) as u64,
                })
            })
            .collect()
    }
    fn places(&self, limit: usize) -> Result<Vec<PlaceCount>, StoreError> {
        if limit == 0 || limit > EventFilter::MAX_LIMIT {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to {})", EventFilter::MAX_LIMIT)));
        }
        let mut args = Args::default();
        let p = args.bind(limit as i64);
        let rows = self.rows(
            &format!(
                "SELECT p.id, p.name, p.country, p.admin1, p.admin2, p.latitude, p.longitude, count(e.id) AS n \
                 FROM places p JOIN events e ON e.geo_id = p.id GROUP BY p.id ORDER BY n DESC, p.id COLLATE \"C\" LIMIT {p}::int8"
            ),
            &args,
        )?;
        Ok(rows
            .iter()
            .map(|r| PlaceCount {
                id: r.get(0),
                name: r.get(1),
                country: r.get(2),
                admin1: r.get(3),
                admin2: r.get(4),
                latitude: r.get(5),
                longitude: r.get(6),
                events: r.get::<_, i64>(7) as u64,
            })
            .collect())
    }
    fn fusion_input(&self, scope: FusionScope) -> Result<Vec<(Event, Option<chrono::NaiveDate>)>, StoreError> {
        const SELECT: &str = "SELECT e.json, a.published FROM events e JOIN articles a ON a.id = e.article_id";
        let day = |d: chrono::NaiveDate| d.to_string();
        // The end of a day as text: "2016-05-03T10:00:00" sorts before "2016-05-03~" (bytewise).
        let day_end = |d: chrono::NaiveDate| format!("{d}~");
        let mut args = Args::default();
        let sql = match scope {
            FusionScope::All => format!("{SELECT} ORDER BY e.seq"),
            FusionScope::Stale => format!(
                "{SELECT} WHERE NOT EXISTS (SELECT 1 FROM fused_members m WHERE m.event_id = e.id) \
                 OR e.id IN (SELECT m.event_id FROM fused_members m WHERE m.fused_id IN \
                    (SELECT g.fused_id FROM fused_members g WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.id = g.event_id))) \
                 ORDER BY e.seq"
            ),
            FusionScope::Near(crate::model::fused::Lookup { dated, undated_published }) => {
                let (a, b) = (args.bind(day(dated.0)), args.bind(day(dated.1)));
                let (c, d) = (args.bind(day(undated_published.0)), args.bind(day_end(undated_published.1)));
                format!(
                    "{SELECT} WHERE e.event_date COLLATE \"C\" BETWEEN {a}::text AND {b}::text \
                     OR (e.event_date IS NULL AND a.published COLLATE \"C\" >= {c}::text AND a.published COLLATE \"C\" <= {d}::text) \
                     ORDER BY e.seq"
                )
            }
        };
        self.rows(&sql, &args)?
            .iter()
            .map(|r| {
                let published: Option<String> = r.get(1);
                let date = published.and_then(|p| chrono::NaiveDate::parse_from_str(p.get(..10).unwrap_or(&p), "%Y-%m-%d").ok());
                Ok((unpack_blob(r.get::<_, &[u8]>(0))?, date))
            })
            .collect()
    }
    fn fused_state(&self, part: Option<&[String]>) -> Result<FusedState, StoreError> {
        // Which event is in which fused event now, and which events are current.
        let members: Vec<(String, String)> =
            self.rows("SELECT event_id, fused_id FROM fused_members", &Args::default())?.iter().map(|r| (r.get(0), r.get(1))).collect();
        let current: HashSet<String> = self.rows("SELECT id FROM events", &Args::default())?.iter().map(|r| r.get(0)).collect();
        // The fused events being replaced: all, or those of the part and of vanished events.
        let scope: Option<HashSet<String>> = part.map(|ids| {
            let ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
            members.iter().filter(|(e, _)| ids.contains(e.as_str()) || !current.contains(e)).map(|(_, f)| f.clone()).collect()
        });
        let in_scope = |id: &str| scope.as_ref().is_none_or(|s| s.contains(id));
        let mut state = FusedState::default();
        for r in self.rows("SELECT id, digest FROM fused_events", &Args::default())? {
            let (id, digest): (String, String) = (r.get(0), r.get(1));
            if in_scope(&id) {
                state.digests.insert(id.clone(), digest);
            }
            state.all_ids.insert(id);
        }
        // The corrections (old version -> the one that replaced it), read once when a report
        // in the scope vanished, to follow each report to its successor.
        let mut replaced: Option<HashMap<String, String>> = None;
        for (event, fused_id) in members {
            if !in_scope(&fused_id) {
                continue;
            }
            if !current.contains(&event) {
                if replaced.is_none() {
                    let rows = self.rows("SELECT id, superseded_by FROM articles WHERE superseded_by IS NOT NULL", &Args::default())?;
                    replaced = Some(rows.iter().map(|r| (r.get(0), r.get(1))).collect());
                }
                if let Some(next) = successor(&event, replaced.as_ref().unwrap_or(&HashMap::new()), &current) {
                    state.successors.insert(event.clone(), next);
                }
            }
            state.members.entry(fused_id).or_default().push(event);
        }
        state.scope = scope;
        Ok(state)
    }
    fn write_fusion(&mut self, write: &FusionWrite<'_>) -> Result<(), StoreError> {
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        // SQLite's upserts and INSERT OR REPLACE row by row: a key given twice ends as its last.
        let last_upsert: HashMap<&str, usize> = write.upserts.iter().enumerate().map(|(i, (f, _))| (f.id.as_str(), i)).collect();
        let last_member: HashMap<&str, usize> = write.members.iter().enumerate().map(|(i, (e, _, _))| (*e, i)).collect();
        let (mut id, mut date, mut typ, mut admin1, mut deaths, mut sources, mut reports, mut score, mut digest, mut json) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for (i, (f, d)) in write.upserts.iter().enumerate() {
            if last_upsert[f.id.as_str()] != i {
                continue;
            }
            id.push(f.id.as_str());
            date.push(f.event_date.map(|d| d.to_string()));
            typ.push(f.event_type.as_str());
            admin1.push(f.admin1.as_deref());
            deaths.push(i64::from(f.fatalities));
            sources.push(f.sources.len() as i64);
            reports.push(f.events.len() as i64);
            score.push(f64::from(f.corroboration.score));
            digest.push(d.as_str());
            json.push(pack(*f)?);
        }
        let (mut member, mut fused, mut verdict) = (vec![], vec![], vec![]);
        for (i, (e, f, v)) in write.members.iter().enumerate() {
            if last_member[*e] == i {
                member.push(*e);
                fused.push(*f);
                verdict.push(*v as i32);
            }
        }
        let changed: Vec<&str> = write.changes.iter().map(|(f, _, _)| f.as_str()).collect();
        let kinds: Vec<&str> = write.changes.iter().map(|(_, k, _)| k.as_str()).collect();
        let into: Vec<Option<&str>> = write.changes.iter().map(|(_, _, i)| i.as_deref()).collect();
        self.in_write(|tx| {
            match write.scope {
                None => {
                    tx.execute("DELETE FROM fused_members", &[])?;
                }
                Some(ids) => {
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    tx.execute("DELETE FROM fused_members WHERE fused_id = ANY($1)", &[&ids])?;
                }
            }
            if !id.is_empty() {
                tx.execute(
                    "INSERT INTO fused_events (id, event_date, event_type, admin1, fatalities, sources, reports, score, digest, created_at, updated_at, json) \
                     SELECT id, event_date, event_type, admin1, fatalities, sources, reports, score, digest, $11, $11, json \
                     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[], $8::float8[], $9::text[], $10::bytea[]) \
                          AS u(id, event_date, event_type, admin1, fatalities, sources, reports, score, digest, json) \
                     ON CONFLICT (id) DO UPDATE SET event_date = excluded.event_date, event_type = excluded.event_type, admin1 = excluded.admin1, \
                     fatalities = excluded.fatalities, sources = excluded.sources, reports = excluded.reports, score = excluded.score, \
                     digest = excluded.digest, updated_at = excluded.updated_at, json = excluded.json",
                    &[&id, &date, &typ, &admin1, &deaths, &sources, &reports, &score, &digest, &json, &now],
                )?;
            }
            if !member.is_empty() {
                tx.execute(
                    "INSERT INTO fused_members (event_id, fused_id, verdict) SELECT * FROM unnest($1::text[], $2::text[], $3::int4[]) \
                     ON CONFLICT (event_id) DO UPDATE SET fused_id = excluded.fused_id, verdict = excluded.verdict",
                    &[&member, &fused, &verdict],
                )?;
            }
            if !write.removed.is_empty() {
                tx.execute("DELETE FROM fused_events WHERE id = ANY($1)", &[&write.removed])?;
            }
            if !changed.is_empty() {
                // In order: the feed's seq is the order fusion gave.
                tx.execute(
                    "INSERT INTO changes (at, fused_id, kind, into_id) SELECT $4, fused_id, kind, into_id \
                     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(fused_id, kind, into_id, ord) ORDER BY ord",
                    &[&changed, &kinds, &into, &now],
                )?;
            }
            Ok(())
        })
    }
    fn verdict_counts(&self, events: Option<&[String]>) -> Result<Vec<(String, [usize; 3])>, StoreError> {
        let mut args = Args::default();
        let only = match events {
            None => String::new(),
            Some(ids) => {
                let p = args.bind(ids.to_vec());
                format!(" WHERE e.article_id IN (SELECT article_id FROM events WHERE id = ANY({p}::text[]))")
            }
        };
        let sql = format!(
            "SELECT e.article_id, count(*) FILTER (WHERE m.verdict = 0), count(*) FILTER (WHERE m.verdict = 1), count(*) FILTER (WHERE m.verdict = 2) \
             FROM events e JOIN fused_members m ON m.event_id = e.id{only} GROUP BY e.article_id ORDER BY e.article_id COLLATE \"C\""
        );
        Ok(self
            .rows(&sql, &args)?
            .iter()
            .map(|r| (r.get(0), [r.get::<_, i64>(1) as usize, r.get::<_, i64>(2) as usize, r.get::<_, i64>(3) as usize]))
            .collect())
    }
    fn put_credibility(&mut self, scores: &[crate::model::fused::ArticleCredibility], all: bool) -> Result<(), StoreError> {
        // INSERT OR REPLACE row by row: an article given twice ends with its last score.
        let last: HashMap<&str, usize> = scores.iter().enumerate().map(|(i, c)| (c.article_id.as_str(), i)).collect();
        let kept: Vec<&crate::model::fused::ArticleCredibility> =
            scores.iter().enumerate().filter(|(i, c)| last[c.article_id.as_str()] == *i).map(|(_, c)| c).collect();
        let id: Vec<&str> = kept.iter().map(|c| c.article_id.as_str()).collect();
        let score: Vec<f64> = kept.iter().map(|c| f64::from(c.score)).collect();
        let counts = |f: fn(&crate::model::fused::ArticleCredibility) -> usize| kept.iter().map(|c| f(c) as i64).collect::<Vec<i64>>();
        let (corroborated, uncorroborated, contradicted) =
            (counts(|c| c.corroborated), counts(|c| c.uncorroborated), counts(|c| c.contradicted));
        let reason: Vec<&str> = kept.iter().map(|c| c.reason.as_str()).collect();
        self.in_write(|tx| {
            if all {
                tx.execute("DELETE FROM article_credibility", &[])?;
            } else {
                tx.execute(
                    "DELETE FROM article_credibility WHERE article_id NOT IN (SELECT id FROM articles WHERE superseded_by IS NULL)",
                    &[],
                )?;
            }
            if !id.is_empty() {
                tx.execute(
                    "INSERT INTO article_credibility (article_id, score, corroborated, uncorroborated, contradicted, reason) \
                     SELECT * FROM unnest($1::text[], $2::float8[], $3::int8[], $4::int8[], $5::int8[], $6::text[]) \
                     ON CONFLICT (article_id) DO UPDATE SET score = excluded.score, corroborated = excluded.corroborated, \
                     uncorroborated = excluded.uncorroborated, contradicted = excluded.contradicted, reason = excluded.reason",
                    &[&id, &score, &corroborated, &uncorroborated, &contradicted, &reason],
                )?;
            }
            Ok(())
        })
    }
    fn fused_totals(&self) -> Result<(usize, usize), StoreError> {
        let row = self
            .client()?
            .query_one("SELECT count(*), count(*) FILTER (WHERE sources > 1) FROM fused_events", &[])
            .map_err(|e| self.err(&e))?;
        Ok((row.get::<_, i64>(0) as usize, row.get::<_, i64>(1) as usize))
    }
    fn stale_articles(&self, version: &str) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client()?
            .query(
                "SELECT id FROM articles WHERE superseded_by IS NULL AND (data_version IS NULL OR data_version <> $1) ORDER BY id COLLATE \"C\"",
                &[&version],
            )
            .map_err(|e| self.err(&e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
    fn replace_events(&mut self, batch: &[(String, Vec<Event>)], version: &str) -> Result<(), StoreError> {
        // An article given twice ends with its last events, as SQLite's delete-then-insert per
        // entry leaves it.
        let last: HashMap<&str, usize> = batch.iter().enumerate().map(|(i, (a, _))| (a.as_str(), i)).collect();
        let kept: Vec<&(String, Vec<Event>)> =
            batch.iter().enumerate().filter(|(i, (a, _))| last[a.as_str()] == *i).map(|(_, x)| x).collect();
        let articles: Vec<&str> = kept.iter().map(|(a, _)| a.as_str()).collect();
        let events: Vec<&Event> = kept.iter().flat_map(|(_, ev)| ev.iter()).collect();
        self.in_write(|tx| {
            tx.execute("DELETE FROM events WHERE article_id = ANY($1)", &[&articles])?;
            insert_events(tx, &events, version)?;
            tx.execute("UPDATE articles SET data_version = $2 WHERE id = ANY($1)", &[&articles, &version])?;
            Ok(())
        })
    }
    fn fused_events(&self, min_sources: usize, limit: usize, offset: usize) -> Result<Vec<crate::model::fused::FusedEvent>, StoreError> {
        if limit == 0 || limit > EventFilter::MAX_LIMIT {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to {})", EventFilter::MAX_LIMIT)));
        }
        let rows = self
            .client()?
            .query(
                "SELECT json FROM fused_events WHERE sources >= $1 \
                 ORDER BY reports DESC, event_date COLLATE \"C\" DESC NULLS LAST, id COLLATE \"C\" LIMIT $2 OFFSET $3",
                &[&big(min_sources), &(limit as i64), &big(offset)],
            )
            .map_err(|e| self.err(&e))?;
        rows.iter().map(|r| unpack_blob(r.get::<_, &[u8]>(0))).collect()
    }
    fn fused_event(&self, id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError> {
        let row = self.client()?.query_opt("SELECT json FROM fused_events WHERE id = $1", &[&id]).map_err(|e| self.err(&e))?;
        row.map(|r| unpack_blob(r.get::<_, &[u8]>(0))).transpose()
    }
    fn fused_event_of(&self, event_id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError> {
        let row = self
            .client()?
            .query_opt("SELECT f.json FROM fused_members m JOIN fused_events f ON f.id = m.fused_id WHERE m.event_id = $1", &[&event_id])
            .map_err(|e| self.err(&e))?;
        row.map(|r| unpack_blob(r.get::<_, &[u8]>(0))).transpose()
    }
    fn changes_since(&self, since: &str, limit: usize) -> Result<Vec<Change>, StoreError> {
        let ok = chrono::DateTime::parse_from_rfc3339(since).is_ok() || chrono::NaiveDate::parse_from_str(since, "%Y-%m-%d").is_ok();
        if !ok {
            return Err(StoreError::BadFilter(format!("since {since:?} (want a date YYYY-MM-DD or an RFC 3339 time)")));
        }
        // Times are stored as UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ": a normalized bound compares as
        // text (bytewise).
        let bound = match chrono::DateTime::parse_from_rfc3339(since) {
            Ok(t) => t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            Err(_) => since.to_string(),
        };
        // The first change at or after the bound (a whole fusion run shares one time).
        let first: Option<i64> = self
            .client()?
            .query_one("SELECT min(seq) FROM changes WHERE at COLLATE \"C\" >= $1", &[&bound])
            .map_err(|e| self.err(&e))?
            .get(0);
        match first {
            Some(seq) => self.changes_after(seq - 1, limit),
            None => Ok(Vec::new()),
        }
    }
    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError> {
        if limit == 0 || limit > EventFilter::MAX_LIMIT {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to {})", EventFilter::MAX_LIMIT)));
        }
        let rows = self
            .client()?
            .query("SELECT seq, at, fused_id, kind, into_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2", &[&after, &(limit as i64)])
            .map_err(|e| self.err(&e))?;
        rows.iter()
            .map(|r| {
                Ok(Change {
                    seq: r.get(0),
                    at: r.get(1),
                    fused_id: r.get(2),
                    kind: r.get::<_, String>(3).parse::<ChangeKind>().map_err(corrupt)?,
                    into: r.get(4),
                })
            })
            .collect()
    }
    fn for_each_event(
        &self,
        f: &EventFilter,
        limit: Option<usize>,
        each: &mut dyn FnMut(Event, &str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut args = Args::default();
        let clause = page_clause(f, &mut args)?;
        // LIMIT NULL: no limit.
        let (lim, offset) = (args.bind(limit.map(big)), args.bind(big(f.offset)));
        let sql = format!(
            "SELECT json, (SELECT a.ingested_at FROM articles a WHERE a.id = events.article_id) FROM events{clause}{} LIMIT {lim}::int8 OFFSET {offset}::int8",
            order_by(f.sort)
        );
        // A portal read a thousand rows at a time: memory stays flat at any size. `each` runs
        // with the connection held (it must not call the store).
        let mut c = self.client()?;
        if self.exclusive.load(Ordering::SeqCst) {
            // Inside `write_exclusive` the connection's transaction is open already, and a
            // portal needs one of its own: read the rows at once.
            let rows = c.query(sql.as_str(), &args.refs()).map_err(|e| self.err(&e))?;
            drop(c);
            for r in &rows {
                let at: Option<&str> = r.get(1);
                each(unpack_blob(r.get::<_, &[u8]>(0))?, at.unwrap_or(""))?;
            }
            return Ok(rows.len() as u64);
        }
        let mut tx = c.transaction().map_err(|e| self.err(&e))?;
        let portal = tx.bind(sql.as_str(), &args.refs()).map_err(|e| self.err(&e))?;
        let mut n = 0;
        loop {
            let rows = tx.query_portal(&portal, 1000).map_err(|e| self.err(&e))?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let at: Option<&str> = r.get(1);
                each(unpack_blob(r.get::<_, &[u8]>(0))?, at.unwrap_or(""))?;
                n += 1;
            }
        }
        tx.commit().map_err(|e| self.err(&e))?;
        Ok(n)
    }
    fn points(&self, f: &EventFilter) -> Result<Vec<super::Point>, StoreError> {
        if f.limit == 0 {
            return Err(StoreError::BadFilter("limit 0 (must be at least 1)".into()));
        }
        let mut args = Args::default();
        let clause = where_clause(f, &mut args)?;
        let (limit, offset) = (args.bind(big(f.limit)), args.bind(big(f.offset)));
        let sql = format!(
            "SELECT id, latitude, longitude, event_type, sub_event_type, event_date, location, fatalities FROM events{clause} \
             AND latitude IS NOT NULL AND longitude IS NOT NULL{} LIMIT {limit}::int8 OFFSET {offset}::int8",
            order_by(f.sort)
        );
        Ok(self
            .rows(&sql, &args)?
            .iter()
            .map(|r| super::Point {
                event_id: r.get(0),
                latitude: r.get(1),
                longitude: r.get(2),
                event_type: r.get(3),
                sub_event_type: r.get(4),
                event_date: r.get(5),
                location: r.get(6),
                fatalities: r.get::<_, i64>(7) as u32,
            })
            .collect())
    }
    fn days(&self, f: &EventFilter) -> Result<Vec<Count>, StoreError> {
        let mut args = Args::default();
        let clause = where_clause(f, &mut args)?;
        let sql = format!(
            "SELECT event_date, count(*) FROM events{clause} AND event_date IS NOT NULL GROUP BY event_date ORDER BY event_date COLLATE \"C\""
        );
        Ok(self.rows(&sql, &args)?.iter().map(|r| Count { key: r.get(0), count: r.get::<_, i64>(1) as u64 }).collect())
    }
    fn article_credibility(&self, id: &str) -> Result<Option<crate::model::fused::ArticleCredibility>, StoreError> {
        let row = self
            .client()?
            .query_opt(
                "SELECT article_id, corroborated, uncorroborated, contradicted, score, reason FROM article_credibility WHERE article_id = $1",
                &[&id],
            )
            .map_err(|e| self.err(&e))?;
        Ok(row.map(|r| crate::model::fused::ArticleCredibility {
            article_id: r.get(0),
            corroborated: r.get::<_, i64>(1) as usize,
            uncorroborated: r.get::<_, i64>(2) as usize,
            contradicted: r.get::<_, i64>(3) as usize,
            score: r.get::<_, f64>(4) as f32,
            reason: r.get(5),
        }))
    }
}

const FEED_COLUMNS: &str = "id, url, name, added_at, etag, last_modified, last_polled, last_ok, failures, last_error, next_try, items";

fn feed_row(r: &postgres::Row) -> crate::model::live::Feed {
    crate::model::live::Feed {
        id: r.get(0),
        url: r.get(1),
        name: r.get(2),
        added_at: r.get(3),
        etag: r.get(4),
        last_modified: r.get(5),
        last_polled: r.get(6),
        last_ok: r.get(7),
        failures: r.get::<_, i64>(8) as u32,
        last_error: r.get(9),
        next_try: r.get(10),
        items: r.get::<_, i64>(11) as u64,
    }
}

impl PgStore {
    /// One statement of the live tables, its rows changed.
    fn exec(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        self.client()?.execute(sql, args).map_err(|e| self.err(&e))
    }

    fn deliveries_where(&self, clause: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<crate::model::live::Delivery>, StoreError> {
        let sql = format!(
            "SELECT id, alert, fused_id, kind, payload, status, attempts, last_error, next_try, created_at, delivered_at FROM deliveries WHERE {clause}"
        );
        let rows = self.client()?.query(sql.as_str(), args).map_err(|e| self.err(&e))?;
        rows.iter()
            .map(|r| {
                Ok(crate::model::live::Delivery {
                    id: r.get(0),
                    alert: r.get(1),
                    fused_id: r.get(2),
                    kind: r.get::<_, String>(3).parse::<ChangeKind>().map_err(corrupt)?,
                    payload: r.get(4),
                    status: r.get(5),
                    attempts: r.get::<_, i64>(6) as u32,
                    last_error: r.get(7),
                    next_try: r.get(8),
                    created_at: r.get(9),
                    delivered_at: r.get(10),
                })
            })
            .collect()
    }
}

/// SQLite's `store/live.rs`, statement for statement (times as `live::now` writes them, compared
/// bytewise).
impl super::LiveStore for PgStore {
    fn has_article(&self, id: &str) -> Result<bool, StoreError> {
        let row = self.client()?.query_opt("SELECT 1 FROM articles WHERE id = $1", &[&id]).map_err(|e| self.err(&e))?;
        Ok(row.is_some())
    }
    fn add_feed(&mut self, url: &str, name: Option<&str>) -> Result<crate::model::live::Feed, StoreError> {
        let taken = |sql: &str, v: &str| -> Result<bool, StoreError> {
            Ok(self.client()?.query_opt(sql, &[&v]).map_err(|e| self.err(&e))?.is_some())
        };
        if taken("SELECT 1 FROM feeds WHERE url = $1", url)? {
            return Err(StoreError::Invalid(format!("the feed {url} is followed already")));
        }
        if let Some(n) = name {
            if taken("SELECT 1 FROM feeds WHERE name = $1", n)? {
                return Err(StoreError::Invalid(format!("a feed is named {n:?} already")));
            }
        }
        // Another process adding the same URL at the same moment: refused alike.
        let row = self
            .client()?
            .query_opt(
                &format!(
                    "INSERT INTO feeds (url, name, added_at) VALUES ($1, $2, $3) ON CONFLICT (url) DO NOTHING RETURNING {FEED_COLUMNS}"
                ),
                &[&url, &name, &super::live::now()],
            )
            .map_err(|e| self.err(&e))?;
        row.map(|r| feed_row(&r)).ok_or_else(|| StoreError::Invalid(format!("the feed {url} is followed already")))
    }
    fn feeds(&self) -> Result<Vec<crate::model::live::Feed>, StoreError> {
        let rows = self.client()?.query(&format!("SELECT {FEED_COLUMNS} FROM feeds ORDER BY id"), &[]).map_err(|e| self.err(&e))?;
        Ok(rows.iter().map(feed_row).collect())
    }
    fn remove_feed(&mut self, which: &str) -> Result<Option<crate::model::live::Feed>, StoreError> {
        let Some(feed) =
            self.feeds()?.into_iter().find(|f| f.url == which || f.name.as_deref() == Some(which) || f.id.to_string() == which)
        else {
            return Ok(None);
        };
        self.exec("DELETE FROM feeds WHERE id = $1", &[&feed.id])?;
        Ok(Some(feed))
    }
    fn feed_polled(&mut self, id: i64, poll: &super::live::FeedPoll) -> Result<(), StoreError> {
        let now = super::live::now();
        match poll {
            super::live::FeedPoll::Ok { etag, last_modified, new_items } => self.exec(
                "UPDATE feeds SET etag = coalesce($2, etag), last_modified = coalesce($3, last_modified), last_polled = $4, last_ok = $4, \
                 failures = 0, last_error = NULL, next_try = NULL, items = items + $5 WHERE id = $1",
                &[&id, etag, last_modified, &now, &(*new_items as i64)],
            ),
            super::live::FeedPoll::Failed { error, next_try } => self.exec(
                "UPDATE feeds SET last_polled = $2, failures = failures + 1, last_error = $3, next_try = $4 WHERE id = $1",
                &[&id, &now, error, next_try],
            ),
        }
        .map(|_| ())
    }
    fn feed_item(&self, url: &str) -> Result<Option<super::live::ItemState>, StoreError> {
        let row = self.client()?.query_opt("SELECT done, attempts FROM feed_items WHERE url = $1", &[&url]).map_err(|e| self.err(&e))?;
        Ok(row.map(|r| super::live::ItemState { done: r.get(0), attempts: r.get::<_, i64>(1) as u32 }))
    }
    fn feed_item_done(&mut self, url: &str, feed_id: i64, article_id: &str) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO feed_items (url, feed_id, first_seen, article_id, attempts, done) VALUES ($1, $2, $3, $4, 1, true) \
             ON CONFLICT (url) DO UPDATE SET article_id = $4, attempts = feed_items.attempts + 1, error = NULL, done = true",
            &[&url, &feed_id, &super::live::now(), &article_id],
        )
        .map(|_| ())
    }
    fn feed_item_failed(&mut self, url: &str, feed_id: i64, error: &str, max_attempts: u32) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO feed_items (url, feed_id, first_seen, attempts, error, done) VALUES ($1, $2, $3, 1, $4, $5::int8 <= 1) \
             ON CONFLICT (url) DO UPDATE SET attempts = feed_items.attempts + 1, error = $4, done = feed_items.attempts + 1 >= $5::int8",
            &[&url, &feed_id, &super::live::now(), &error, &i64::from(max_attempts)],
        )
        .map(|_| ())
    }
    fn add_alert(
        &mut self,
        name: &str,
        query: &crate::model::live::AlertQuery,
        sink: &crate::model::live::Sink,
        secret: &str,
    ) -> Result<crate::model::live::Alert, StoreError> {
        let q = serde_json::to_string(query).map_err(corrupt)?;
        let k = serde_json::to_string(sink).map_err(corrupt)?;
        let created = super::live::now();
        // After the feed's current end; a name taken (now or by a process at the same moment)
        // is refused.
        let row = self
            .client()?
            .query_opt(
                "INSERT INTO alerts (name, query, sink, secret, after_seq, created_at) \
                 VALUES ($1, $2, $3, $4, (SELECT coalesce(max(seq), 0) FROM changes), $5) ON CONFLICT (name) DO NOTHING RETURNING after_seq",
                &[&name, &q, &k, &secret, &created],
            )
            .map_err(|e| self.err(&e))?;
        let Some(row) = row else { return Err(StoreError::Invalid(format!("an alert is named {name:?} already"))) };
        Ok(crate::model::live::Alert {
            name: name.to_string(),
            query: query.clone(),
            sink: sink.clone(),
            secret: secret.to_string(),
            after_seq: row.get(0),
            created_at: created,
        })
    }
    fn alerts(&self) -> Result<Vec<crate::model::live::Alert>, StoreError> {
        let rows = self
            .client()?
            .query("SELECT name, query, sink, secret, after_seq, created_at FROM alerts ORDER BY name COLLATE \"C\"", &[])
            .map_err(|e| self.err(&e))?;
        rows.iter()
            .map(|r| {
                let name: String = r.get(0);
                let query = serde_json::from_str(r.get(1)).map_err(|e| StoreError::Corrupt(format!("alert {name}: {e}")))?;
                let sink = serde_json::from_str(r.get(2)).map_err(|e| StoreError::Corrupt(format!("alert {name}: {e}")))?;
                Ok(crate::model::live::Alert { name, query, sink, secret: r.get(3), after_seq: r.get(4), created_at: r.get(5) })
            })
            .collect()
    }
    fn remove_alert(&mut self, name: &str) -> Result<bool, StoreError> {
        Ok(self.exec("DELETE FROM alerts WHERE name = $1", &[&name])? > 0)
    }
    fn alerts_cursor(&self) -> Result<i64, StoreError> {
        let row = self.client()?.query_opt("SELECT value FROM sitrep_meta WHERE key = 'alerts_seq'", &[]).map_err(|e| self.err(&e))?;
        Ok(row.and_then(|r| r.get::<_, String>(0).parse().ok()).unwrap_or(0))
    }
    fn set_alerts_cursor(&mut self, seq: i64) -> Result<(), StoreError> {
        // Never back: two evaluators at once keep the furthest.
        self.exec(
            "INSERT INTO sitrep_meta (key, value) VALUES ('alerts_seq', $1) \
             ON CONFLICT (key) DO UPDATE SET value = greatest(sitrep_meta.value::bigint, excluded.value::bigint)::text",
            &[&seq.to_string()],
        )
        .map(|_| ())
    }
    fn fused_digest(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row = self.client()?.query_opt("SELECT digest FROM fused_events WHERE id = $1", &[&id]).map_err(|e| self.err(&e))?;
        Ok(row.map(|r| r.get(0)))
    }
    fn queue_delivery(&mut self, alert: &str, fused_id: &str, kind: ChangeKind, digest: &str, payload: &str) -> Result<bool, StoreError> {
        let now = super::live::now();
        let n = self.exec(
            "INSERT INTO deliveries (alert, fused_id, kind, digest, payload, status, next_try, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT DO NOTHING",
            &[&alert, &fused_id, &kind.as_str(), &digest, &payload, &now],
        )?;
        Ok(n > 0)
    }
    fn due_deliveries(&self, at: &str, limit: usize) -> Result<Vec<crate::model::live::Delivery>, StoreError> {
        self.deliveries_where("status = 'pending' AND next_try COLLATE \"C\" <= $1 ORDER BY id LIMIT $2", &[&at, &big(limit)])
    }
    fn next_delivery_due(&self) -> Result<Option<String>, StoreError> {
        let row = self
            .client()?
            .query_one("SELECT min(next_try COLLATE \"C\") FROM deliveries WHERE status = 'pending'", &[])
            .map_err(|e| self.err(&e))?;
        Ok(row.get(0))
    }
    fn deliveries(&self, limit: usize) -> Result<Vec<crate::model::live::Delivery>, StoreError> {
        self.deliveries_where("true ORDER BY id DESC LIMIT $1", &[&big(limit)])
    }
    fn claim_delivery(&mut self, id: i64, at: &str, lease_until: &str) -> Result<bool, StoreError> {
        let n = self.exec(
            "UPDATE deliveries SET next_try = $3 WHERE id = $1 AND status = 'pending' AND next_try COLLATE \"C\" <= $2",
            &[&id, &at, &lease_until],
        )?;
        Ok(n > 0)
    }
    fn delivery_attempted(&mut self, id: i64, result: Result<(), &str>, next_try: Option<&str>) -> Result<(), StoreError> {
        let now = super::live::now();
        match result {
            Ok(()) => self
                .exec("UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $2 WHERE id = $1", &[&id, &now]),
            Err(e) => self.exec(
                "UPDATE deliveries SET status = CASE WHEN $3::text IS NULL THEN 'failed' ELSE 'pending' END, attempts = attempts + 1, \
                 last_error = $2, next_try = coalesce($3::text, next_try) WHERE id = $1",
                &[&id, &e, &next_try],
            ),
        }
        .map(|_| ())
    }
    fn delivery_counts(&self) -> Result<Vec<(String, String, u64)>, StoreError> {
        let rows = self
            .client()?
            .query(
                "SELECT alert, status, count(*) FROM deliveries GROUP BY alert, status ORDER BY alert COLLATE \"C\", status COLLATE \"C\"",
                &[],
            )
            .map_err(|e| self.err(&e))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get::<_, i64>(2) as u64)).collect())
    }
    fn watched_file(&self, path: &str) -> Result<Option<(u64, i64)>, StoreError> {
        let row =
            self.client()?.query_opt("SELECT size, modified FROM watched_files WHERE path = $1", &[&path]).map_err(|e| self.err(&e))?;
        Ok(row.map(|r| (r.get::<_, i64>(0) as u64, r.get(1))))
    }
    fn set_watched_file(&mut self, path: &str, size: u64, modified: i64) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO watched_files (path, size, modified, ingested_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (path) DO UPDATE SET size = $2, modified = $3, ingested_at = $4",
            &[&path, &(size.min(i64::MAX as u64) as i64), &modified, &super::live::now()],
        )
        .map(|_| ())
    }
    fn events_stored_after(&self, at: &str, limit: usize) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows = self
            .client()?
            .query(
                "SELECT e.id FROM articles a JOIN events e ON e.article_id = a.id WHERE a.ingested_at COLLATE \"C\" > $1 LIMIT $2",
                &[&at, &big(limit)],
            )
            .map_err(|e| self.err(&e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
    fn newest_stored(&self) -> Result<Option<String>, StoreError> {
        let row = self.client()?.query_one("SELECT max(ingested_at COLLATE \"C\") FROM articles", &[]).map_err(|e| self.err(&e))?;
        Ok(row.get(0))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::{open, Location};

    /// The server the PostgreSQL half of the store's tests runs against: `SITREP_TEST_POSTGRES`
    /// (`bash .ci/postgres start DIR` starts one). Without it the test says it skipped.
    pub(crate) fn server(test: &str) -> Option<String> {
        match std::env::var("SITREP_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => Some(url),
            _ => {
                eprintln!("{test}: skipped, SITREP_TEST_POSTGRES not set");
                None
            }
        }
    }

    /// A fresh, empty PostgreSQL schema of its own for one test (tests run at once), and the
    /// URL that makes it the connection's `search_path`.
    pub(crate) fn fresh(test: &str) -> Option<String> {
        let url = server(test)?;
        let schema = format!("t_{test}");
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("the test server");
        c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).expect("a test schema");
        let sep = if url.contains('?') { '&' } else { '?' };
        Some(format!("{url}{sep}options=-csearch_path%3D{schema}"))
    }

    fn sql(url: &str, q: &str) {
        postgres::Client::connect(url, postgres::NoTls).and_then(|mut c| c.batch_execute(q)).expect("test SQL");
    }

    #[test]
    fn a_refused_connection_is_one_line_naming_the_url_without_its_password() {
        let at: Location = "postgres://ana:s3cret@127.0.0.1:1/sitrep".parse().unwrap();
        let e = open(&at, Access::ReadWrite).err().expect("refused").to_string();
        assert!(e.starts_with("postgres://ana:***@127.0.0.1:1/sitrep: ") && !e.contains("s3cret") && !e.contains('\n'), "{e}");
        assert!(e.contains("refused"), "{e}");
    }

    #[test]
    fn postgres_a_fresh_database_gets_the_schema_and_reopens() {
        let Some(url) = fresh("fresh") else { return };
        let at = Location::Postgres(url.clone());
        for access in [Access::ReadOnly, Access::Existing] {
            let e = open(&at, access).err().expect("empty: refused").to_string();
            assert!(e.contains("no such database") && !e.contains(":sitrep@"), "{e}");
        }
        let s = open(&at, Access::ReadWrite).expect("created");
        assert_eq!(s.counts().unwrap(), (0, 0));
        assert!(s.article_ids().unwrap().is_empty() && s.known(&["x"]).unwrap().is_empty() && !s.has_article("x").unwrap());
        drop(s);
        assert_eq!(PgStore::open(&url, Access::ReadOnly).unwrap().schema_version().unwrap(), PG_SCHEMA_VERSION);
        assert!(open(&at, Access::Existing).is_ok());
    }

    /// Every method of both traits answers on an empty store (nothing is `NotYet` any more,
    /// nothing panics).
    #[test]
    fn postgres_every_method_answers_on_an_empty_store_none_not_yet() {
        use crate::store::{EventStore, FusionScope, LiveStore};
        let Some(url) = fresh("every_method") else { return };
        let mut s = PgStore::open(&url, Access::ReadWrite).unwrap();
        let not_yet = |r: Result<String, StoreError>| assert!(!matches!(r, Err(StoreError::NotYet { .. })), "{r:?}");
        let f = EventFilter { limit: 10, ..EventFilter::default() };
        let d = |v: &dyn std::fmt::Debug| format!("{v:?}");
        not_yet(s.write_exclusive(&mut |_| Ok(())).map(|v| d(&v)));
        not_yet(s.put_batch(&[]).map(|v| d(&v)));
        not_yet(s.events(&f).map(|v| d(&v)));
        not_yet(s.count_events(&f).map(|v| d(&v)));
        not_yet(s.event("x").map(|v| d(&v)));
        not_yet(s.article("x").map(|v| d(&v)));
        not_yet(s.search("x", 1).map(|v| d(&v)));
        not_yet(s.stats().map(|v| d(&v)));
        not_yet(s.actors().map(|v| d(&v)));
        not_yet(s.places(5).map(|v| d(&v)));
        not_yet(s.fusion_input(FusionScope::All).map(|v| d(&v)));
        not_yet(s.fusion_input(FusionScope::Stale).map(|v| d(&v)));
        not_yet(s.fused_state(None).map(|v| d(&v)));
        not_yet(s.write_fusion(&FusionWrite::default()).map(|v| d(&v)));
        not_yet(s.verdict_counts(None).map(|v| d(&v)));
        not_yet(s.put_credibility(&[], true).map(|v| d(&v)));
        not_yet(s.fused_totals().map(|v| d(&v)));
        not_yet(s.stale_articles("v").map(|v| d(&v)));
        not_yet(s.replace_events(&[], "v").map(|v| d(&v)));
        not_yet(s.fused_events(1, 10, 0).map(|v| d(&v)));
        not_yet(s.fused_event("x").map(|v| d(&v)));
        not_yet(s.fused_event_of("x").map(|v| d(&v)));
        not_yet(s.changes_since("2026-01-01", 10).map(|v| d(&v)));
        not_yet(s.changes_after(0, 10).map(|v| d(&v)));
        not_yet(s.for_each_event(&f, None, &mut |_, _| Ok(())).map(|v| d(&v)));
        not_yet(s.points(&f).map(|v| d(&v)));
        not_yet(s.days(&f).map(|v| d(&v)));
        not_yet(s.article_credibility("x").map(|v| d(&v)));
        not_yet(s.feeds().map(|v| d(&v)));
        not_yet(s.remove_feed("x").map(|v| d(&v)));
        not_yet(s.feed_item("x").map(|v| d(&v)));
        not_yet(s.alerts().map(|v| d(&v)));
        not_yet(s.remove_alert("x").map(|v| d(&v)));
        not_yet(s.alerts_cursor().map(|v| d(&v)));
        not_yet(s.fused_digest("x").map(|v| d(&v)));
        not_yet(s.due_deliveries("2026-01-01T00:00:00.000Z", 5).map(|v| d(&v)));
        not_yet(s.next_delivery_due().map(|v| d(&v)));
        not_yet(s.deliveries(5).map(|v| d(&v)));
        not_yet(s.claim_delivery(1, "a", "b").map(|v| d(&v)));
        not_yet(s.delivery_counts().map(|v| d(&v)));
        not_yet(s.watched_file("x").map(|v| d(&v)));
        not_yet(s.events_stored_after("2026-01-01T00:00:00.000Z", 5).map(|v| d(&v)));
        not_yet(s.newest_stored().map(|v| d(&v)));
        // What `copy` reads and writes: every table, none holding a row.
        for t in crate::store::COPY_TABLES {
            assert_eq!(s.count_rows(t.name).unwrap(), 0, "{}", t.name);
            assert_eq!(s.export_rows(t.name, &mut |_| Ok(())).unwrap(), 0, "{}", t.name);
            s.import_rows(t.name, &[]).unwrap();
        }
        assert!(matches!(s.import_rows("articles", &[vec![]]), Err(StoreError::Invalid(_))));
        assert!(matches!(s.count_rows("sitrep_meta"), Err(StoreError::Invalid(_))));
        assert_eq!(s.counts().unwrap(), (0, 0));
    }

    #[test]
    fn postgres_a_newer_schema_is_refused_and_a_foreign_database_named_and_left_alone() {
        let Some(url) = fresh("newer") else { return };
        drop(PgStore::open(&url, Access::ReadWrite).unwrap());
        sql(&url, "UPDATE sitrep_meta SET value = '99' WHERE key = 'schema_version'");
        for access in [Access::ReadWrite, Access::ReadOnly] {
            let e = PgStore::open(&url, access).err().expect("too new").to_string();
            assert!(e.contains("PostgreSQL schema version 99, newer") && e.contains(":***@"), "{e}");
        }
        let Some(url) = fresh("foreign") else { return };
        sql(&url, "CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (7)");
        let e = open(&Location::Postgres(url.clone()), Access::ReadWrite).err().expect("foreign").to_string();
        assert!(e.contains("not a sitrep database") && e.contains(":***@"), "{e}");
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let tables: i64 =
            c.query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()", &[]).unwrap().get(0);
        assert_eq!(tables, 1, "nothing created beside its tables");
    }

    #[test]
    fn postgres_an_older_schema_is_upgraded_to_write_and_refused_to_read() {
        let Some(url) = fresh("older") else { return };
        sql(
            &url,
            "CREATE TABLE sitrep_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO sitrep_meta VALUES ('schema_version', '0')",
        );
        let e = PgStore::open(&url, Access::ReadOnly).err().expect("to read: refused").to_string();
        assert!(e.contains("no such database") || e.contains("older"), "{e}");
        let s = PgStore::open(&url, Access::ReadWrite).expect("upgraded");
        assert_eq!(s.schema_version().unwrap(), PG_SCHEMA_VERSION);
    }

    #[test]
    fn postgres_a_version_1_schema_is_upgraded_with_what_it_holds_kept_and_searchable() {
        let Some(url) = fresh("v1_to_v2") else { return };
        // Version 1 as a sitrep of that version left it, holding one article and its event.
        let a = crate::read::test_article(
            "old.txt",
            "Title\n\nRegime warplanes bombed the town of Saraqeb on 5 May 2016, killing 4 civilians.\n",
        );
        let events = crate::events_of(&a);
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute(
            "CREATE TABLE sitrep_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO sitrep_meta VALUES ('schema_version', '1')",
        )
        .unwrap();
        c.batch_execute(PG_MIGRATIONS[0]).unwrap();
        c.execute(
            "INSERT INTO articles (id, input, format, title, text, body, json, doc_key, ingested_at) VALUES ($1, $2, 'text', $3, $4, $5, $6, $2, '2026-01-01T00:00:00.000Z')",
            &[&a.id, &a.input, &a.title, &a.text, &a.body(), &pack_article(&a).unwrap()],
        )
        .unwrap();
        for e in &events {
            c.execute(
                "INSERT INTO events (id, article_id, event_date, event_type, sub_event_type, fatalities, json) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &e.event_id,
                    &e.article_id,
                    &e.event_date.map(|d| d.to_string()),
                    &e.event_type.as_str(),
                    &e.sub_event_type.as_str(),
                    &(e.fatalities as i32),
                    &pack(e).unwrap(),
                ],
            )
            .unwrap();
        }
        drop(c);
        let e = PgStore::open(&url, Access::ReadOnly).err().expect("to read: refused").to_string();
        assert!(e.contains("PostgreSQL schema version 1, older"), "{e}");
        let s = PgStore::open(&url, Access::ReadWrite).expect("upgraded");
        assert_eq!(s.schema_version().unwrap(), PG_SCHEMA_VERSION);
        use crate::store::EventStore;
        assert_eq!(s.counts().unwrap(), (1, events.len() as u64));
        assert_eq!(s.search("warplanes", 5).unwrap().len(), 1, "the index entry written on upgrade");
        assert_eq!(s.article(&a.id).unwrap().unwrap().article, a);
        let all = s.events(&EventFilter { limit: 10, ..EventFilter::default() }).unwrap();
        assert_eq!(all, events);
        let f = EventFilter { text: Some("\"bombed the town\"".into()), limit: 10, ..EventFilter::default() };
        assert_eq!(s.count_events(&f).unwrap(), events.len() as u64);
    }

    #[test]
    fn postgres_a_query_over_its_budget_or_cancelled_stops_and_frees_the_connection() {
        use crate::store::EventStore;
        use std::time::{Duration, Instant};
        let Some(url) = fresh("budget") else { return };
        let s = PgStore::open(&url, Access::ReadWrite).unwrap();
        // A statement that would run for ten seconds.
        let run = |secs: f64| s.client().and_then(|mut c| c.query_one("SELECT pg_sleep($1)", &[&secs]).map(|_| ()).map_err(|e| s.err(&e)));
        let started = Instant::now();
        s.set_budget(Some(Instant::now() + Duration::from_millis(200)), vec![]);
        let e = run(10.0).unwrap_err();
        assert!(matches!(&e, StoreError::Interrupted(why) if why.contains("time budget")), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        // Spent: the next statement is refused before it starts.
        std::thread::sleep(Duration::from_millis(50));
        assert!(matches!(s.counts(), Err(StoreError::Interrupted(_))));
        let stop = Arc::new(AtomicBool::new(false));
        s.set_budget(None, vec![stop.clone()]);
        let setter = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                stop.store(true, Ordering::Relaxed);
            })
        };
        let started = Instant::now();
        let e = run(10.0).unwrap_err();
        setter.join().unwrap();
        assert!(matches!(&e, StoreError::Interrupted(why) if why.contains("cancelled")), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        // The connection is free again, and without a budget statements run to their end.
        s.set_budget(None, vec![]);
        assert_eq!(s.counts().unwrap(), (0, 0));
        run(0.3).unwrap();
        // A budget that is not spent bounds nothing that ends in time.
        s.set_budget(Some(Instant::now() + Duration::from_secs(30)), vec![Arc::new(AtomicBool::new(false))]);
        run(0.2).unwrap();
        assert!(s.events(&EventFilter { limit: 5, ..EventFilter::default() }).unwrap().is_empty());
    }

    /// The server opens its first connection in async code, queries on blocking threads, and
    /// may drop its pool in async code: the sync client's own runtime must not start inside the
    /// server's (a panic, before `Conn`).
    #[test]
    fn postgres_a_store_opened_and_dropped_in_async_code_works() {
        use crate::store::EventStore;
        let Some(url) = fresh("in_async") else { return };
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async move {
            let s = PgStore::open(&url, Access::ReadWrite).expect("opened in async code");
            let (s, counts) = tokio::task::spawn_blocking(move || {
                let n = s.counts();
                (s, n)
            })
            .await
            .unwrap();
            assert_eq!(counts.unwrap(), (0, 0));
            drop(s);
        });
    }

    /// Writers at once (each its own connection, as ingest workers of several processes): the
    /// write lock makes them one at a time, so one document never has two current versions.
    #[test]
    fn postgres_writers_at_once_never_both_take_a_document_as_new() {
        use crate::store::EventStore;
        let Some(url) = fresh("writers") else { return };
        drop(PgStore::open(&url, Access::ReadWrite).unwrap());
        let versions: Vec<Article> = (0..6)
            .map(|i| {
                let mut a =
                    crate::read::test_article("w.txt", &format!("Title\n\nRegime warplanes bombed Saraqeb, killing {i} civilians.\n"));
                a.url = Some("https://news.example/one".into());
                a
            })
            .collect();
        let threads: Vec<_> = versions
            .iter()
            .cloned()
            .map(|a| {
                let url = url.clone();
                std::thread::spawn(move || {
                    let mut s = PgStore::open(&url, Access::ReadWrite).unwrap();
                    s.put_batch(&[(a, vec![])]).unwrap()
                })
            })
            .collect();
        let outcomes: Vec<Stored> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| matches!(o, Stored::New { .. })).count(), 1, "{outcomes:?}");
        assert_eq!(outcomes.iter().filter(|o| matches!(o, Stored::Replaced { .. })).count(), 5, "{outcomes:?}");
        let s = PgStore::open(&url, Access::ReadOnly).unwrap();
        let st = s.stats().unwrap();
        assert_eq!((st.articles, st.superseded_articles), (1, 5));
    }

    #[test]
    fn postgres_a_store_opened_to_read_refuses_writes_and_reads() {
        use crate::store::{EventStore, LiveStore};
        let Some(url) = fresh("read_only") else { return };
        let a = crate::read::test_article("r.txt", "Title\n\nRegime warplanes bombed Saraqeb on 5 May 2016.\n");
        let events = crate::events_of(&a);
        PgStore::open(&url, Access::ReadWrite).unwrap().put_batch(&[(a.clone(), events.clone())]).unwrap();
        let mut s = PgStore::open(&url, Access::ReadOnly).unwrap();
        assert_eq!(s.counts().unwrap(), (1, events.len() as u64));
        assert_eq!(s.search("warplanes", 5).unwrap().len(), 1);
        let e = s.put_batch(&[(crate::read::test_article("q.txt", "Title\n\nAnother text.\n"), vec![])]).unwrap_err().to_string();
        assert!(e.contains("read-only transaction") && e.contains(":***@"), "{e}");
        assert!(s.add_feed("https://example.org/feed", None).is_err());
        assert_eq!(s.counts().unwrap(), (1, events.len() as u64), "nothing written, the connection usable");
    }

    #[test]
    fn postgres_two_processes_opening_a_fresh_database_at_once_migrate_it_once() {
        let Some(url) = fresh("at_once") else { return };
        let opened: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || PgStore::open(&url, Access::ReadWrite).map(|s| s.schema_version().unwrap()))
            })
            .collect();
        for t in opened {
            assert_eq!(t.join().unwrap().unwrap(), PG_SCHEMA_VERSION);
        }
    }

    #[test]
    fn postgres_a_wrong_password_or_a_missing_database_is_one_line_without_the_password() {
        let Some(url) = server("wrong_password") else { return };
        let (auth, rest) = url.rsplit_once('@').expect("a URL with user:password@");
        let (user, _) = auth.rsplit_once(':').expect("a URL with a password");
        let wrong = format!("{user}:not-the-password@{rest}");
        let e = PgStore::open(&wrong, Access::ReadWrite).err().expect("refused").to_string();
        assert!(e.contains("password authentication failed") && !e.contains("not-the-password") && !e.contains('\n'), "{e}");
        let (base, _) = url.rsplit_once('/').unwrap();
        let e = PgStore::open(&format!("{base}/no_such_db"), Access::ReadWrite).err().expect("missing").to_string();
        assert!(e.contains("database \"no_such_db\" does not exist") && e.contains(":***@"), "{e}");
    }

    /// One suite, two backends: each test body runs on an SQLite store (always) and on a
    /// PostgreSQL store (when `SITREP_TEST_POSTGRES` names a server), and PostgreSQL's answers
    /// must be SQLite's, the reference.
    mod both {
        use super::fresh;
        use crate::model::{Article, Event, EventActor, Side, SubEventType};
        use crate::read::test_article as article;
        use crate::store::{open, Access, EventFilter, Location, Sort, Store, StoreError, Stored};

        /// The stores of one test, SQLite's first.
        struct Stores {
            _dir: tempfile::TempDir,
            list: Vec<(&'static str, Box<dyn Store>)>,
        }

        fn stores(test: &str) -> Stores {
            let dir = tempfile::tempdir().unwrap();
            let sqlite = open(&Location::sqlite(dir.path().join("t.db")), Access::ReadWrite).unwrap();
            let mut list: Vec<(&'static str, Box<dyn Store>)> = vec![("sqlite", sqlite)];
            if let Some(url) = fresh(test) {
                list.push(("postgres", open(&Location::Postgres(url), Access::ReadWrite).unwrap()));
            }
            Stores { _dir: dir, list }
        }

        impl Stores {
            /// The same answer from every store (SQLite's returned); `what` names the probe.
            fn agree<T: PartialEq + std::fmt::Debug>(&self, what: &str, probe: impl Fn(&dyn Store) -> T) -> T {
                let mut answers = self.list.iter().map(|(name, s)| (*name, probe(s.as_ref())));
                let (_, reference) = answers.next().expect("SQLite");
                for (name, answer) in answers {
                    assert_eq!(answer, reference, "{what}: {name} differs from SQLite");
                }
                reference
            }

            /// A batch put on every store; what storing did, the same on each.
            fn put(&mut self, batch: &[(Article, Vec<Event>)]) -> Vec<Stored> {
                let mut outcomes = self.list.iter_mut().map(|(name, s)| (*name, s.put_batch(batch).unwrap()));
                let (_, reference) = outcomes.next().expect("SQLite");
                for (name, o) in outcomes {
                    assert_eq!(o, reference, "put_batch: {name} differs from SQLite");
                }
                reference
            }
        }

        fn with_events(a: Article) -> (Article, Vec<Event>) {
            let ev = crate::events_of(&a);
            (a, ev)
        }

        /// An error's kind, for comparing errors across backends (their words differ).
        fn kind(e: &StoreError) -> &'static str {
            match e {
                StoreError::BadQuery { .. } => "bad query",
                StoreError::BadFilter(_) => "bad filter",
                StoreError::NotYet { .. } => "not yet",
                _ => "other",
            }
        }

        fn ids(r: Result<Vec<Event>, StoreError>) -> Result<Vec<String>, &'static str> {
            r.map(|v| v.into_iter().map(|e| e.event_id).collect()).map_err(|e| kind(&e))
        }

        /// A search's hits in their order, with their bm25 (to nine places).
        fn ranked(s: &dyn Store, q: &str, limit: usize) -> Result<Vec<(String, String)>, &'static str> {
            Ok(s.search(q, limit).map_err(|e| kind(&e))?.into_iter().map(|h| (h.article_id, format!("{:.9}", h.rank))).collect())
        }

        fn hits(s: &dyn Store, q: &str) -> Result<Vec<String>, &'static str> {
            let mut v: Vec<String> = s.search(q, 10_000).map_err(|e| kind(&e))?.into_iter().map(|h| h.article_id).collect();
            v.sort();
            Ok(v)
        }

        #[test]
        fn postgres_and_sqlite_store_dedup_supersede_and_read_back_alike() {
            let mut st = stores("both_exact");
            let (a, ev) =
                with_events(article("t.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n"));
            assert_eq!(st.put(&[(a.clone(), ev.clone())]), vec![Stored::New { events: ev.len() }]);
            assert_eq!(st.put(&[(a.clone(), ev)]), vec![Stored::Unchanged]);
            let f = EventFilter { actor: Some("islamic state".into()), limit: 10, ..EventFilter::default() };
            assert_eq!(st.agree("actor", |s| s.events(&f).unwrap().len()), 1);
            assert_eq!(st.agree("count", |s| s.count_events(&f).unwrap()), 1);
            st.agree("limit 0", |s| kind(&s.events(&EventFilter { limit: 0, ..EventFilter::default() }).unwrap_err()));
            for (_, s) in &st.list {
                let hits = s.search("\"captured the town\"", 5).unwrap();
                assert_eq!(hits.len(), 1);
                assert!(hits[0].snippet.contains("[captured]") || hits[0].snippet.contains("[captured the town]"), "{}", hits[0].snippet);
                assert!(matches!(s.search("AND OR (", 5), Err(StoreError::BadQuery { .. })));
                let _ = s.search("x'); DROP TABLE events; --", 5);
            }
            assert_eq!(st.agree("counts", |s| s.counts().unwrap()), (1, 1));
            st.agree("known", |s| s.known(&[a.id.as_str(), "nope"]).unwrap());
            let stored = st.agree("article", |s| format!("{:?}", s.article(&a.id).unwrap()));
            assert!(stored.contains("captured"));
            let event_id = st.list[0].1.article(&a.id).unwrap().unwrap().events[0].event_id.clone();
            let (e, reporting) = st.agree("event", |s| s.event(&event_id).unwrap()).unwrap();
            assert_eq!(reporting, vec![a.id.clone()]);
            assert!(e.evidence[0].text.contains("captured"));
            st.agree("missing", |s| (s.event("nope").unwrap(), s.article("nope").unwrap().is_none()));

            // A corrected version replaces the old one's events; both versions in one batch
            // leave the later one.
            let v1 =
                with_events(article("story.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 13 rebels.\n"));
            let v2 =
                with_events(article("story.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 14 rebels.\n"));
            st.put(std::slice::from_ref(&v1));
            assert_eq!(st.put(std::slice::from_ref(&v2)), vec![Stored::Replaced { events: 1, old: v1.0.id.clone() }]);
            assert_eq!(st.agree("counts", |s| s.counts().unwrap()), (2, 2));
            st.agree("superseded", |s| s.article(&v1.0.id).unwrap().unwrap().superseded_by);
            assert_eq!(st.agree("old text", |s| hits(s, "13")), Ok(vec![]));
            assert_eq!(st.agree("new text", |s| hits(s, "14")), Ok(vec![v2.0.id.clone()]));
            assert_eq!(st.put(std::slice::from_ref(&v1)), vec![Stored::Unchanged]);
            let w1 = with_events(article(
                "other.txt",
                "Title\n\nRegime warplanes bombed the town of Saraqeb on 5 May 2016, killing 4 civilians.\n",
            ));
            let w2 = with_events(article(
                "other.txt",
                "Title\n\nRegime warplanes bombed the town of Saraqeb on 5 May 2016, killing 5 civilians.\n",
            ));
            let r = st.put(&[w1.clone(), w2.clone()]);
            assert_eq!(r[1], Stored::Replaced { events: w2.1.len(), old: w1.0.id.clone() });
            assert_eq!(st.agree("in-batch old", |s| hits(s, "4")), Ok(vec![]));
            assert_eq!(st.agree("in-batch new", |s| hits(s, "5").map(|v| v.contains(&w2.0.id))), Ok(true));
            for (_, s) in &st.list {
                assert_eq!(s.article(&w2.0.id).unwrap().unwrap().article, w2.0, "an article reads back whole");
            }
            st.agree("stats", |s| format!("{:?}", s.stats().unwrap()));
        }

        #[test]
        fn postgres_and_sqlite_filter_alike() {
            let mut st = stores("both_filters");
            st.put(&[
                with_events(article(
                    "a.txt",
                    "Title\n\nALEPPO – ISIS militants captured the town of Marea on 3 May 2016, killing 12 rebels.\n",
                )),
                with_events(article(
                    "b.txt",
                    "Title\n\nRegime warplanes bombed the town of Saraqeb in Idlib province on 5 May 2016, killing 4 civilians.\n",
                )),
            ]);
            let q = |f: EventFilter| st.agree(&format!("{f:?}"), |s| s.events(&EventFilter { limit: 10, ..f.clone() }).unwrap().len());
            assert_eq!(q(EventFilter::default()), 2);
            assert_eq!(q(EventFilter { admin1: Some("aleppo".into()), ..EventFilter::default() }), 1);
            assert_eq!(q(EventFilter { place: Some("Saraqeb".into()), ..EventFilter::default() }), 1);
            assert_eq!(q(EventFilter { bbox: Some([36.5, 35.7, 37.0, 36.0]), ..EventFilter::default() }), 1);
            assert_eq!(q(EventFilter { min_fatalities: Some(5), ..EventFilter::default() }), 1);
            assert_eq!(q(EventFilter { text: Some("warplanes".into()), ..EventFilter::default() }), 1);
            assert_eq!(q(EventFilter { since: chrono::NaiveDate::from_ymd_opt(2016, 5, 4), ..EventFilter::default() }), 1);
            let deadliest = st.agree("deadliest", |s| {
                s.events(&EventFilter { sort: Sort::FatalitiesDesc, limit: 1, ..EventFilter::default() }).unwrap()[0].fatalities
            });
            assert_eq!(deadliest, 12);
            let bad =
                |f: EventFilter| st.agree(&format!("{f:?}"), |s| kind(&s.events(&EventFilter { limit: 10, ..f.clone() }).unwrap_err()));
            assert_eq!(bad(EventFilter { text: Some("AND (".into()), ..EventFilter::default() }), "bad query");
            assert_eq!(bad(EventFilter { bbox: Some([40.0, 0.0, 30.0, 10.0]), ..EventFilter::default() }), "bad filter");
            let (until, since) = (chrono::NaiveDate::from_ymd_opt(2016, 1, 1), chrono::NaiveDate::from_ymd_opt(2016, 2, 1));
            assert_eq!(bad(EventFilter { since, until, ..EventFilter::default() }), "bad filter");
            let stats = st.agree("stats", |s| format!("{:?}", s.stats().unwrap()));
            assert!(stats.contains("by_month: [Count { key: \"2016-05\", count: 2 }]"), "{stats}");
        }

        /// A small corpus for the query language: two articles as in FTS5's documentation
        /// style, with diacritics, joined words and a title.
        #[test]
        fn postgres_and_sqlite_search_the_same_query_language_alike() {
            let mut st = stores("both_search");
            let mut a1 = article("s1.txt", "Hello world\n\none two three four five Zōr café x_y, Regime warplanes bombed Saraqeb.\n");
            a1.title = Some("Hello world".into());
            let mut a2 = article("s2.txt", "Other\n\ntwo one six. Clashes in Deir ez-Zor killed 4 rebels; the café was shelled.\n");
            a2.title = Some("Other".into());
            let a3 = article("s3.txt", "Third\n\nISIS militants captured the town of Marea, one of many.\n");
            st.put(&[(a1, vec![]), (a2, vec![]), (a3, vec![])]);
            let queries = [
                "one",
                "ONE",
                "one two",
                "one OR two three",
                "one two OR six",
                "one NOT two",
                "one NOT two six",
                "x NOT y z",
                "one AND (two OR six) NOT five",
                "one AND (two OR six)",
                "\"one two\"",
                "\"two one\"",
                "one + two",
                "one+two",
                "one*",
                "on*",
                "\"one tw\"*",
                "on* + tw*",
                "one*two",
                "one * ",
                "\"one\"*",
                "title:hello",
                "body:hello",
                "TITLE:hello",
                "{title body}:hello",
                "{title}:(one OR hello)",
                "-title:hello",
                "-body:hello",
                "id:one",
                "id:one two",
                "two id:one",
                "one AND id:x",
                "one OR id:x",
                "title:hello one",
                "title:(hello one)",
                "title : hello",
                "{title body} : one",
                "-{title body}:one",
                "^one",
                "^two",
                "^ one",
                "^hello",
                "title:^hello",
                "body:^one",
                "a^b",
                "zor",
                "Zōr",
                "ZOR",
                "cafe",
                "CAFÉ",
                "café",
                "x_y",
                "x",
                "x__y",
                "\"x y\"",
                "\"\" one",
                "one \"\"",
                "one AND \"\"",
                "one OR \"\"",
                "one NOT \"\"",
                "\"\" NOT one",
                "\"\"",
                "_",
                "one _",
                "NEAR(one three)",
                "NEAR(one five, 2)",
                "NEAR(one five, 3)",
                "NEAR(two one, 0)",
                "NEAR(one two, 0)",
                "NEAR(one three, 0)",
                "NEAR(one three, 1)",
                "NEAR(\"one two\" four, 1)",
                "NEAR(\"one two\" four, 0)",
                "NEAR(one two six)",
                "NEAR(one two six, 1)",
                "NEAR(six one two, 1)",
                "NEAR(one four five, 2)",
                "NEAR(one four five, 1)",
                "NEAR(one,2)",
                "NEAR (one two)",
                "NEAR(one two) OR six",
                "NEAR(one)",
                "NEAR(one \"\")",
                "title:NEAR(hello world)",
                "NEAR",
                "and",
                "or",
                "near",
                "one or two",
                "(one)",
                "((one))",
                "Regime warplanes",
                "\"warplanes bombed\"",
                "deir ez zor",
                "\"deir ez zor\"",
                "\"deir ez-zor\"",
                "captured the town",
                "\"captured the town\"",
                "marea OR saraqeb",
                "\"world one\"",
                "\"hello world\"",
                "hello world",
                "world one",
                "\"Other two\"",
                "many",
                "4",
                "six.",
                "rebels;",
                // Bad syntax: refused by both.
                "\"",
                "*",
                "-Aleppo",
                "AND (",
                "car\"bomb",
                "car-bomb",
                "NOT one",
                "one NOT",
                "one AND",
                "one.two",
                "one:",
                "()",
                "one (",
                "one AND OR two",
                "OR one",
                "near(one two)",
                "NEAR(one two,x)",
                "one,two",
                "+one",
                "one ^",
                "{}:one",
                "title:one:two",
                "one AND NOT two",
                "12:30",
                "hello:one",
                "(one OR six) two",
                "one (two OR six)",
                "a (b OR c)",
                "it's",
                "title:",
                "{title",
                "-",
                "^",
                "one NOT (two)",
                "(one) NOT two",
                "NEAR(one two",
                "NEAR()",
                "NEAR(one, )",
                "\"unterminated",
            ];
            for q in queries {
                let _ = st.agree(&format!("search {q:?}"), |s| hits(s, q));
                let _ = st.agree(&format!("ranked {q:?}"), |s| ranked(s, q, 10_000));
                let _ = st.agree(&format!("text filter {q:?}"), |s| {
                    s.count_events(&EventFilter { text: Some(q.to_string()), limit: 10, ..EventFilter::default() }).map_err(|e| kind(&e))
                });
            }
            // And queries made at random from the language's pieces (a fixed seed): accepted or
            // refused alike, the same articles found.
            let pieces = [
                "one",
                "two",
                "six",
                "hello",
                "world",
                "zor",
                "café",
                "x",
                "y",
                "on*",
                "tw*",
                "\"one two\"",
                "\"two one\"",
                "\"\"",
                "title:",
                "body:",
                "-title:",
                "{title body}:",
                "^",
                "AND",
                "OR",
                "NOT",
                "(",
                ")",
                "NEAR(one two)",
                "NEAR(one five, 3)",
                "NEAR(two six one, 1)",
                "+",
            ];
            let mut seed: u64 = 2026;
            let (mut accepted, mut found) = (0, 0);
            for _ in 0..400 {
                let mut q = Vec::new();
                for _ in 0..1 + (seed >> 60) as usize % 6 {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    q.push(pieces[(seed >> 33) as usize % pieces.len()]);
                }
                let q = q.join(" ");
                let _ = st.agree(&format!("random ranked {q:?}"), |s| ranked(s, &q, 2));
                if let Ok(h) = st.agree(&format!("random search {q:?}"), |s| hits(s, &q)) {
                    accepted += 1;
                    found += usize::from(!h.is_empty());
                }
            }
            assert!(accepted > 100 && found > 50, "{accepted} of the random queries accepted, {found} finding articles");
            // A passage in the middle of a long body is cut at both ends, marked as FTS5 marks it.
            let long = (0..120).map(|i| if i == 60 { "quarry".to_string() } else { format!("w{i}") }).collect::<Vec<_>>().join(" ");
            st.put(&[(article("s4.txt", &format!("Long\n\n{long}.\n")), vec![])]);
            for (name, s) in &st.list {
                let hit = &s.search("quarry", 5).unwrap()[0];
                assert!(
                    hit.snippet.starts_with('…') && hit.snippet.ends_with('…') && hit.snippet.contains("[quarry]"),
                    "{name}: {}",
                    hit.snippet
                );
                let hit = &s.search("many", 5).unwrap()[0];
                assert!(hit.snippet.contains("[many]") && !hit.snippet.ends_with("many.…"), "{name}: {}", hit.snippet);
            }
            st.agree("empty", |s| kind(&s.search("  ", 5).unwrap_err()));
            st.agree("too many terms", |s| kind(&s.search(&vec!["one"; 65].join(" "), 5).unwrap_err()));
            st.agree("limit", |s| kind(&s.search("one", 0).unwrap_err()));
        }

        /// A generated store: about 1,000 articles and 3,000 events over a year and a half,
        /// every type, a handful of actors, places, outlets (names in several cases and
        /// scripts), articles put twice and corrected versions (in the same batch and in later
        /// ones).
        fn generated() -> Vec<Vec<(Article, Vec<Event>)>> {
            let template =
                crate::events_of(&article("t.txt", "Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n"))
                    .pop()
                    .expect("an event");
            let mut seed: u64 = 14;
            let mut next = move || {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 33) as usize
            };
            let words = [
                "Aleppo",
                "Idlib",
                "Deir ez-Zōr",
                "café",
                "warplanes",
                "bombed",
                "shelling",
                "rebels",
                "regime",
                "Raqqa",
                "Manbij",
                "clashes",
                "killed",
                "civilians",
                "drone",
                "strike",
                "checkpoint",
                "convoy",
                "ambush",
                "protest",
                "حلب",
                "ÄÖ",
                "seized",
                "town",
                "village",
                "Kobanî",
                "barrel",
                "bombs",
                "ceasefire",
                "talks",
            ];
            let actors: Vec<Option<EventActor>> = [
                Some(("Islamic State", Side::Jihadist, 2)),
                Some(("Syrian Arab Army", Side::Government, 1)),
                Some(("Free Syrian Army", Side::Rebel, 2)),
                Some(("Civilians (Syria)", Side::Civilian, 7)),
                Some(("YPG", Side::Kurdish, 2)),
                Some(("ÄÖ Brigade", Side::Rebel, 3)),
                Some(("ypg", Side::Unknown, 8)),
                None,
            ]
            .into_iter()
            .map(|a| a.map(|(name, side, inter)| EventActor { name: name.into(), side, inter, text: name.into() }))
            .collect();
            type Place = (&'static str, &'static str, Option<&'static str>, f64, f64, &'static str);
            let places: [Option<Place>; 7] = [
                Some(("Marea", "Aleppo", Some("Azaz"), 36.48, 37.2, "g-marea")),
                Some(("Manbij", "ALEPPO", Some("Manbij"), 36.52, 37.95, "g-manbij")),
                Some(("Saraqeb", "Idlib", Some("Idlib"), 35.86, 36.8, "g-saraqeb")),
                Some(("Raqqa", "Ar-Raqqa", None, 35.95, 39.01, "g-raqqa")),
                Some(("Deir ez-Zōr", "Deir ez-Zor", Some("Deir ez-Zor"), 35.33, 40.14, "g-deir")),
                Some(("western Qalamoun", "Rif Dimashq", None, 33.9, 36.4, "g-qalamoun")),
                None,
            ];
            let outlets = [Some("ARA News"), Some("ara news"), Some("SOHR"), Some("Enab Baladi"), Some("Zamān al-Wasl"), None];
            let subs = SubEventType::ALL;
            let mut all: Vec<(Article, Vec<Event>)> = Vec::new();
            for i in 0..1000usize {
                let body: Vec<&str> = (0..12).map(|_| words[next() % words.len()]).collect();
                // Every seventh article corrects the one three before it (same URL, new text).
                let doc = if i % 7 == 0 && i >= 3 { i - 3 } else { i };
                let mut a = article(&format!("g{i}.txt"), &format!("Report {i}\n\n{} number {i}.\n", body.join(" ")));
                a.url = (i % 5 != 1).then(|| format!("https://news.example/{doc}"));
                if a.url.is_none() && i % 7 == 0 {
                    a.input = format!("g{doc}.txt");
                }
                a.source = outlets[next() % outlets.len()].map(String::from);
                let day = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap() + chrono::Days::new((next() % 540) as u64);
                a.published = (next() % 9 != 0).then_some(crate::model::Published { date: day, time: None });
                let n = next() % 7;
                let events = (0..n)
                    .map(|k| {
                        let mut e = template.clone();
                        e.event_id = format!("{}-{}", a.id, k + 1);
                        e.article_id = a.id.clone();
                        e.event_date = (next() % 8 != 0).then(|| day - chrono::Days::new((next() % 4) as u64));
                        e.sub_event_type = subs[next() % subs.len()];
                        e.event_type = e.sub_event_type.event_type();
                        e.actor1 = actors[next() % actors.len()].clone();
                        e.actor2 = actors[next() % actors.len()].clone();
                        let place = places[next() % places.len()];
                        e.location = place.map(|p| p.0.to_string());
                        e.admin1 = place.map(|p| p.1.to_string());
                        e.admin2 = place.and_then(|p| p.2.map(String::from));
                        e.latitude = place.map(|p| p.3);
                        e.longitude = place.map(|p| p.4);
                        e.country = place.map(|_| "Syria".to_string());
                        e.geo_id = place.map(|p| p.5.to_string());
                        e.geo_alternatives = place
                            .filter(|_| next() % 2 == 0)
                            .map(|p| crate::model::Alternative {
                                id: p.5.into(),
                                name: p.0.into(),
                                kind: "town".into(),
                                country: "SY".into(),
                                admin1: Some(p.1.into()),
                                latitude: p.3,
                                longitude: p.4,
                                score: 1.0,
                            })
                            .into_iter()
                            .collect();
                        e.fatalities = if next() % 50 == 0 { 300 + (next() % 100) as u32 } else { (next() % 30) as u32 };
                        e.source = a.source.clone();
                        for (j, span) in e.evidence.iter_mut().enumerate() {
                            span.start = (next() % 3) * 10 + j;
                        }
                        e
                    })
                    .collect();
                all.push((a, events));
                // Now and then an article comes again (a feed carrying it twice).
                if i % 11 == 0 && i > 0 {
                    let again = all[all.len() - 2].clone();
                    all.push(again);
                }
            }
            all.chunks(300).map(<[_]>::to_vec).collect()
        }

        /// Every event of a filter by keyset pages of `limit` (each page after the last key of
        /// the one before), with `between` run after the first page.
        fn keyset_pages(s: &mut dyn Store, f: &EventFilter, limit: usize, between: &mut dyn FnMut(&mut dyn Store)) -> Vec<String> {
            let (mut seen, mut after, mut first) = (Vec::new(), None, true);
            loop {
                let page = s.events_keyed(&EventFilter { limit, after: after.clone(), ..f.clone() }).unwrap();
                if first {
                    between(s);
                    first = false;
                }
                let Some((_, last)) = page.last() else { return seen };
                after = Some(last.clone());
                seen.extend(page.into_iter().map(|(e, _)| e.event_id));
            }
        }

        #[test]
        fn postgres_and_sqlite_page_by_keyset_alike() {
            let mut st = stores("both_keyset");
            for b in generated().iter().take(2) {
                st.put(b);
            }
            let text = |t: &str| Some(t.to_string());
            let filters = [
                EventFilter::default(),
                EventFilter { event_type: text("battles"), ..EventFilter::default() },
                EventFilter { min_fatalities: Some(10), ..EventFilter::default() },
                EventFilter { text: text("warplanes"), ..EventFilter::default() },
            ];
            let mut n = 0;
            for sort in [Sort::DateDesc, Sort::DateAsc, Sort::FatalitiesDesc] {
                for f in &filters {
                    let f = EventFilter { sort, ..f.clone() };
                    let all = st.agree(&format!("unpaged {f:?}"), |s| ids(s.events(&EventFilter { limit: 100_000, ..f.clone() })).unwrap());
                    assert!(!all.is_empty(), "{f:?}");
                    for (name, s) in st.list.iter_mut() {
                        let paged = keyset_pages(s.as_mut(), &f, 37, &mut |_| ());
                        assert_eq!(paged, all, "{name}: keyset pages of {f:?}");
                    }
                }
                // Events stored after the first page that sort before its last row shift nothing.
                let f = EventFilter { sort, ..EventFilter::default() };
                let before = st.agree("before", |s| ids(s.events(&EventFilter { limit: 100_000, ..f.clone() })).unwrap());
                // Dated and counted to sort first whatever the generated store holds.
                let year = if sort == Sort::DateAsc { 1900 } else { 2900 };
                let new: Vec<_> = (0..3)
                    .map(|i| {
                        n += 1;
                        let (a, mut ev) = with_events(article(
                            &format!("keyset{n}.txt"),
                            &format!(
                                "Keyset {n}\n\nRegime warplanes bombed the town of Saraqeb on {} May 2016, killing {} civilians.\n",
                                1 + i,
                                400 + n
                            ),
                        ));
                        for e in &mut ev {
                            e.event_date = chrono::NaiveDate::from_ymd_opt(year, 5, 1 + i);
                            e.fatalities = 1_000_000 + n as u32;
                        }
                        (a, ev)
                    })
                    .collect();
                assert!(new.iter().all(|(_, ev)| ev.len() == 1), "{sort:?}: {:?}", new.iter().map(|(_, ev)| ev.len()).collect::<Vec<_>>());
                assert_eq!(
                    st.list[0].1.known(&new.iter().map(|(a, _)| a.id.as_str()).collect::<Vec<_>>()).unwrap().len(),
                    0,
                    "new articles"
                );
                for (name, s) in st.list.iter_mut() {
                    let paged = keyset_pages(s.as_mut(), &f, 25, &mut |s| {
                        s.put_batch(&new).unwrap();
                    });
                    assert_eq!(paged, before, "{name}: {sort:?}, events stored before the cursor");
                }
                let after = st.agree("after", |s| ids(s.events(&EventFilter { limit: 100_000, ..f.clone() })).unwrap());
                assert_eq!((after.len(), sort), (before.len() + 3, sort));
                assert!(after[..3].iter().all(|id| !before.contains(id)), "{sort:?}: the new events sort first");
            }
        }

        #[test]
        fn postgres_and_sqlite_answer_a_generated_store_alike() {
            let mut st = stores("both_generated");
            let batches = generated();
            let mut replaced = 0;
            for b in &batches {
                replaced += st.put(b).iter().filter(|o| matches!(o, Stored::Replaced { .. })).count();
            }
            assert!(replaced > 50, "{replaced} corrections");
            let (articles, events) = st.agree("counts", |s| s.counts().unwrap());
            assert!(articles > 700 && events > 2000, "{articles} articles, {events} events");
            st.agree("article_ids", |s| s.article_ids().unwrap());
            st.agree("stats", |s| format!("{:?}", s.stats().unwrap()));
            st.agree("actors", |s| format!("{:?}", s.actors().unwrap()));
            st.agree("places", |s| format!("{:?}", s.places(1000).unwrap()));
            st.agree("places 3", |s| format!("{:?}", s.places(3).unwrap()));
            st.agree("stale", |s| s.stale_articles("another version").unwrap().len());
            let date = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2016, m, d);
            let text = |t: &str| Some(t.to_string());
            let filters = [
                EventFilter::default(),
                EventFilter { event_type: text("battles"), ..EventFilter::default() },
                EventFilter {
                    event_type: text("Explosions/Remote violence"),
                    sub_event_type: text("air/drone strike"),
                    ..EventFilter::default()
                },
                EventFilter { sub_event_type: text("ARMED CLASH"), ..EventFilter::default() },
                EventFilter { actor: text(" islamic state "), ..EventFilter::default() },
                EventFilter { actor: text("ÄÖ brigade"), ..EventFilter::default() },
                EventFilter { actor: text("äö brigade"), ..EventFilter::default() },
                EventFilter { actor: text("YPG"), ..EventFilter::default() },
                EventFilter { since: date(3, 1), ..EventFilter::default() },
                EventFilter { since: date(3, 1), until: date(3, 31), ..EventFilter::default() },
                EventFilter { until: date(2, 1), ..EventFilter::default() },
                EventFilter { admin1: text("aleppo"), ..EventFilter::default() },
                EventFilter { place: text("manbij"), ..EventFilter::default() },
                EventFilter { place: text("AZAZ"), ..EventFilter::default() },
                EventFilter { place: text("deir ez-zōr"), ..EventFilter::default() },
                EventFilter { bbox: Some([36.0, 35.5, 38.0, 37.0]), ..EventFilter::default() },
                EventFilter { source: text("ara news"), ..EventFilter::default() },
                EventFilter { source: text("zamān al-wasl"), ..EventFilter::default() },
                EventFilter { text: text("warplanes"), ..EventFilter::default() },
                EventFilter { text: text("\"barrel bombs\""), ..EventFilter::default() },
                EventFilter { text: text("cafe OR kobani"), ..EventFilter::default() },
                EventFilter { text: text("zor NOT raqqa"), ..EventFilter::default() },
                EventFilter { text: text("rep* title:report"), ..EventFilter::default() },
                EventFilter { text: text("حلب"), ..EventFilter::default() },
                EventFilter { min_fatalities: Some(10), ..EventFilter::default() },
                EventFilter { min_fatalities: Some(300), admin1: text("ALEPPO"), ..EventFilter::default() },
                EventFilter {
                    event_type: text("battles"),
                    since: date(2, 1),
                    place: text("Marea"),
                    text: text("rebels OR regime"),
                    ..EventFilter::default()
                },
            ];
            for f in &filters {
                for sort in [Sort::DateDesc, Sort::DateAsc, Sort::FatalitiesDesc] {
                    for (limit, offset) in [(50, 0), (40, 37), (100_000, 0)] {
                        let f = EventFilter { sort, limit, offset, ..f.clone() };
                        let _ = st.agree(&format!("events {f:?}"), |s| ids(s.events(&f)));
                        st.agree(&format!("points {f:?}"), |s| s.points(&f).unwrap());
                    }
                    let f = EventFilter { sort, limit: 10, offset: 5, ..f.clone() };
                    st.agree(&format!("events whole {f:?}"), |s| format!("{:?}", s.events(&f).unwrap()));
                    st.agree(&format!("for_each_event {f:?}"), |s| {
                        let mut seen = Vec::new();
                        let n = s.for_each_event(&f, Some(500), &mut |e, at| {
                            assert!(at.ends_with('Z'), "{at}");
                            seen.push(e.event_id);
                            Ok(())
                        });
                        (n.unwrap(), seen)
                    });
                }
                st.agree(&format!("count {f:?}"), |s| s.count_events(f).unwrap());
                st.agree(&format!("days {f:?}"), |s| s.days(f).unwrap());
            }
            let all = st.agree("for_each_event all", |s| {
                let mut seen = Vec::new();
                s.for_each_event(&EventFilter::default(), None, &mut |e, _| {
                    seen.push(e.event_id);
                    Ok(())
                })
                .unwrap();
                seen
            });
            assert_eq!(all.len() as u64, events);
            for b in &batches {
                for (a, _) in b.iter().step_by(17) {
                    st.agree("article", |s| format!("{:?}", s.article(&a.id).unwrap()));
                }
            }
            for id in all.iter().step_by(97) {
                st.agree("event", |s| s.event(id).unwrap());
            }
            for q in ["warplanes", "\"barrel bombs\"", "cafe OR kobani", "zor", "rep*", "title:report", "NEAR(regime bombed, 3)", "^report"]
            {
                let _ = st.agree(&format!("search {q:?}"), |s| hits(s, q));
                let _ = st.agree(&format!("ranked {q:?}"), |s| ranked(s, q, 10_000));
                let _ = st.agree(&format!("top {q:?}"), |s| ranked(s, q, 10));
            }
        }

        #[test]
        fn postgres_and_sqlite_fuse_alike_and_keep_the_same_change_feed() {
            let mut st = stores("both_fusion");
            let k = crate::Knowledge::builtin();
            let batches = generated();
            let feed = |s: &dyn Store| -> Vec<(i64, String, crate::model::ChangeKind, Option<String>)> {
                s.changes_after(0, 100_000).unwrap().into_iter().map(|c| (c.seq, c.fused_id, c.kind, c.into)).collect()
            };
            for (n, b) in batches.iter().enumerate() {
                st.put(b);
                // The first fusion over all, the later ones over what changed.
                let counts: Vec<crate::store::FusionCounts> = st
                    .list
                    .iter_mut()
                    .map(|(_, s)| {
                        let s: &mut dyn crate::store::EventStore = s.as_mut();
                        if n == 0 { crate::fuse::refuse_all(s, k) } else { crate::fuse::fuse_changed(s, k) }.unwrap()
                    })
                    .collect();
                assert!(counts.iter().all(|c| *c == counts[0]), "fusion {n}: {counts:?}");
                st.agree("fused events", |s| format!("{:?}", s.fused_events(1, 100_000, 0).unwrap()));
                st.agree("fused totals", |s| s.fused_totals().unwrap());
                st.agree("feed", feed);
            }
            let (total, multi) = st.agree("fused totals", |s| s.fused_totals().unwrap());
            assert!(total > 500 && multi > 20, "{total} fused events, {multi} from several outlets");
            st.agree("page", |s| format!("{:?}", s.fused_events(2, 25, 10).unwrap()));
            st.agree("verdicts", |s| s.verdict_counts(None).unwrap());
            let ids = st.agree("article ids", |s| s.article_ids().unwrap());
            for id in ids.iter().step_by(23) {
                st.agree("credibility", |s| format!("{:?}", s.article_credibility(id).unwrap()));
            }
            let events = st.agree("events", |s| ids_of(s));
            for id in events.iter().step_by(31) {
                st.agree("fused of", |s| format!("{:?}", s.fused_event_of(id).unwrap()));
            }
            let fused: Vec<String> = st.list[0].1.fused_events(1, 100_000, 0).unwrap().into_iter().map(|f| f.id).collect();
            for id in fused.iter().step_by(29) {
                st.agree("fused", |s| format!("{:?}", s.fused_event(id).unwrap()));
                st.agree("digest", |s| s.fused_digest(id).unwrap().is_some());
            }
            st.agree("since", |s| s.changes_since("2000-01-01", 100_000).unwrap().len());
            st.agree("since later", |s| s.changes_since("2999-01-01T00:00:00+02:00", 10).unwrap().len());
            st.agree("since bad", |s| kind(&s.changes_since("yesterday", 10).unwrap_err()));
            st.agree("after page", |s| feed(s).into_iter().skip(5).take(3).collect::<Vec<_>>());
            st.agree("stored after", |s| s.events_stored_after("2000-01-01T00:00:00Z", 1_000_000).unwrap().len());
            for (_, s) in &st.list {
                assert!(s.newest_stored().unwrap().is_some_and(|t| t.ends_with('Z')));
            }
        }

        fn ids_of(s: &dyn Store) -> Vec<String> {
            s.events(&EventFilter { limit: 100_000, ..EventFilter::default() }).unwrap().into_iter().map(|e| e.event_id).collect()
        }

        #[test]
        fn postgres_and_sqlite_write_exclusively_alike_committed_or_rolled_back() {
            let mut st = stores("both_exclusive");
            let batches = generated();
            st.put(&batches[0]);
            let id = batches[0][0].0.id.clone();
            let score = crate::model::fused::ArticleCredibility::from_counts(id.clone(), 2, 1, 0);
            for (name, s) in st.list.iter_mut() {
                // A failing transaction leaves nothing of its writes; its reads see them.
                let e = s
                    .write_exclusive(&mut |s| {
                        s.put_credibility(std::slice::from_ref(&score), true)?;
                        assert!(s.article_credibility(&id)?.is_some(), "{name}: its reads see its writes");
                        Err(StoreError::Invalid("stop".into()))
                    })
                    .unwrap_err();
                assert!(matches!(e, StoreError::Invalid(_)), "{name}: {e}");
                assert!(s.article_credibility(&id).unwrap().is_none(), "{name}: rolled back");
                s.write_exclusive(&mut |s| s.put_credibility(std::slice::from_ref(&score), true)).unwrap();
                // And the store writes on as before.
                s.put_batch(&batches[1]).unwrap();
            }
            st.agree("credibility", |s| format!("{:?}", s.article_credibility(&id).unwrap()));
            st.agree("counts", |s| s.counts().unwrap());
            st.agree("events", ids_of);
        }

        /// What following sources keeps, driven through the same calls on both backends: the
        /// same answers (times of day aside, which differ between two runs).
        #[test]
        fn postgres_and_sqlite_follow_sources_alike() {
            use crate::model::live::{AlertQuery, Sink};
            use crate::model::ChangeKind;
            use crate::store::live::FeedPoll;
            let mut st = stores("both_live");
            let fixed = ["9999-01-01T00:00:00.000Z", "2000-01-01T00:00:00.000Z"];
            let mut transcripts = Vec::new();
            for (_, s) in st.list.iter_mut() {
                let mut t: Vec<String> = Vec::new();
                let feed = |f: &crate::model::live::Feed| {
                    format!(
                        "{} {} {:?} {:?} {:?} polled {} ok {} {} {:?} {:?} {}",
                        f.id,
                        f.url,
                        f.name,
                        f.etag,
                        f.last_modified,
                        f.last_polled.is_some(),
                        f.last_ok.is_some(),
                        f.failures,
                        f.last_error,
                        f.next_try,
                        f.items
                    )
                };
                let delivery = |d: &crate::model::live::Delivery| {
                    let next = if fixed.contains(&d.next_try.as_str()) { d.next_try.as_str() } else { "now" };
                    format!(
                        "{} {} {} {:?} {} {} {} {:?} {next} delivered {}",
                        d.id,
                        d.alert,
                        d.fused_id,
                        d.kind,
                        d.payload,
                        d.status,
                        d.attempts,
                        d.last_error,
                        d.delivered_at.is_some()
                    )
                };
                let a = s.add_feed("https://a.example/feed", Some("A")).unwrap();
                t.push(feed(&a));
                t.push(kind(&s.add_feed("https://a.example/feed", None).unwrap_err()).into());
                t.push(format!("{:?}", s.add_feed("https://c.example/feed", Some("A")).map(|_| ()).map_err(|e| e.to_string())));
                let b = s.add_feed("https://b.example/rss", None).unwrap();
                s.feed_polled(a.id, &FeedPoll::Ok { etag: Some("e1".into()), last_modified: None, new_items: 3 }).unwrap();
                s.feed_polled(b.id, &FeedPoll::Failed { error: "timeout".into(), next_try: fixed[1].into() }).unwrap();
                s.feed_polled(a.id, &FeedPoll::Ok { etag: None, last_modified: Some("lm".into()), new_items: 2 }).unwrap();
                t.extend(s.feeds().unwrap().iter().map(feed));
                t.push(format!("{:?}", s.feed_item("u1").unwrap()));
                s.feed_item_failed("u1", a.id, "404", 2).unwrap();
                t.push(format!("{:?}", s.feed_item("u1").unwrap()));
                s.feed_item_failed("u1", a.id, "404", 2).unwrap();
                t.push(format!("{:?}", s.feed_item("u1").unwrap()));
                s.feed_item_failed("u3", a.id, "404", 1).unwrap();
                t.push(format!("{:?}", s.feed_item("u3").unwrap()));
                s.feed_item_done("u2", a.id, "art").unwrap();
                s.feed_item_done("u2", b.id, "art").unwrap();
                t.push(format!("{:?}", s.feed_item("u2").unwrap()));
                t.push(format!("{:?}", s.remove_feed("nope").unwrap().map(|f| f.id)));
                t.push(format!("{:?}", s.remove_feed("A").unwrap().map(|f| f.id)));
                t.push(format!("{:?}", s.remove_feed(&b.id.to_string()).unwrap().map(|f| f.id)));
                t.push(format!("{}", s.feeds().unwrap().len()));
                let q = AlertQuery { min_fatalities: Some(10), actor: Some("Daesh".into()), ..AlertQuery::default() };
                let hook = Sink::Webhook { url: "https://hooks.example/x".into() };
                let al = s.add_alert("deadly", &q, &hook, "s3cret").unwrap();
                t.push(format!("{} {:?} {:?} {} {}", al.name, al.query, al.sink, al.secret, al.after_seq));
                t.push(kind(&s.add_alert("deadly", &q, &hook, "x").unwrap_err()).into());
                s.add_alert("file", &AlertQuery::default(), &Sink::File { path: "/tmp/a.jsonl".into() }, "x").unwrap();
                t.extend(s.alerts().unwrap().iter().map(|a| format!("{} {:?} {:?} {} {}", a.name, a.query, a.sink, a.secret, a.after_seq)));
                t.push(s.alerts_cursor().unwrap().to_string());
                s.set_alerts_cursor(5).unwrap();
                s.set_alerts_cursor(3).unwrap();
                t.push(s.alerts_cursor().unwrap().to_string());
                t.push(format!("{:?}", s.queue_delivery("deadly", "F1", ChangeKind::Created, "d1", "{\"n\":1}").unwrap()));
                t.push(format!("{:?}", s.queue_delivery("deadly", "F1", ChangeKind::Created, "d1", "{\"n\":1}").unwrap()));
                t.push(format!("{:?}", s.queue_delivery("deadly", "F1", ChangeKind::Updated, "d2", "{\"n\":2}").unwrap()));
                t.push(format!("{:?}", s.queue_delivery("file", "F2", ChangeKind::Created, "d1", "{}").unwrap()));
                let due = s.due_deliveries(fixed[0], 10).unwrap();
                t.extend(due.iter().map(delivery));
                t.push(format!("{}", s.due_deliveries(fixed[1], 10).unwrap().len()));
                t.push(format!("{}", s.next_delivery_due().unwrap().is_some()));
                t.push(format!("{:?}", s.claim_delivery(due[0].id, "9000-01-01T00:00:00.000Z", fixed[0]).unwrap()));
                t.push(format!("{:?}", s.claim_delivery(due[0].id, "9000-01-01T00:00:00.000Z", fixed[0]).unwrap()));
                s.delivery_attempted(due[0].id, Err("boom"), Some(fixed[1])).unwrap();
                s.delivery_attempted(due[1].id, Err("gone"), None).unwrap();
                s.delivery_attempted(due[2].id, Ok(()), None).unwrap();
                t.extend(s.deliveries(10).unwrap().iter().map(delivery));
                t.extend(s.deliveries(1).unwrap().iter().map(delivery));
                t.push(format!("{:?}", s.delivery_counts().unwrap()));
                t.push(format!("{:?}", s.watched_file("p").unwrap()));
                s.set_watched_file("p", 10, 20).unwrap();
                s.set_watched_file("q", 1, -2).unwrap();
                s.set_watched_file("p", 11, 21).unwrap();
                t.push(format!("{:?} {:?}", s.watched_file("p").unwrap(), s.watched_file("q").unwrap()));
                t.push(format!("{:?} {:?}", s.remove_alert("deadly").unwrap(), s.remove_alert("deadly").unwrap()));
                t.push(format!("{:?} {:?}", s.has_article("x").unwrap(), s.newest_stored().unwrap()));
                transcripts.push(t);
            }
            for t in &transcripts[1..] {
                assert_eq!(t, &transcripts[0]);
            }
            assert!(transcripts[0].iter().any(|l| l.contains("failed 1 Some(\"gone\")")), "{:#?}", transcripts[0]);
        }

        #[test]
        fn postgres_and_sqlite_replace_events_alike() {
            let mut st = stores("both_replace");
            let batches = generated();
            st.put(&batches[0]);
            let stale = st.agree("stale", |s| s.stale_articles("v-next").unwrap());
            assert!(!stale.is_empty());
            let redo: Vec<(String, Vec<Event>)> = stale
                .iter()
                .take(40)
                .map(|id| {
                    let a = st.list[0].1.article(id).unwrap().unwrap();
                    let mut events = a.events;
                    events.iter_mut().for_each(|e| e.fatalities += 1);
                    events.truncate(2);
                    (id.clone(), events)
                })
                .collect();
            for (_, s) in st.list.iter_mut() {
                s.replace_events(&redo, "v-next").unwrap();
            }
            assert_eq!(st.agree("stale after", |s| s.stale_articles("v-next").unwrap().len()), stale.len() - 40);
            let _ = st.agree("events after", |s| ids(s.events(&EventFilter { limit: 100_000, ..EventFilter::default() })));
            st.agree("stats after", |s| format!("{:?}", s.stats().unwrap()));
        }
    }
}
