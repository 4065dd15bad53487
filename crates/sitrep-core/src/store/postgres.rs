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
//! This is the first step of the backend: opening, the schema, errors, and the article counts
//! work; every other method answers [`StoreError::NotYet`] (never a panic).

use super::{Access, ChangeKind};
use super::{
    ActorCount, Change, Count, EventFilter, FusedState, FusionScope, FusionWrite, PlaceCount, SearchHit, Stats, StoreError, Stored,
    StoredArticle,
};
use crate::model::{Article, Event};
use std::collections::HashSet;
use std::sync::Mutex;

/// The PostgreSQL schema version this build writes (its own numbering, apart from SQLite's).
pub const PG_SCHEMA_VERSION: i64 = 1;

/// Migrations, in order: `PG_MIGRATIONS[n]` takes a database from version `n` to `n + 1`.
const PG_MIGRATIONS: &[&str] = &[r#"
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
"#];

/// The PostgreSQL store.
pub struct PgStore {
    client: Mutex<postgres::Client>,
    /// The URL, its password hidden: what messages name.
    url: String,
}

/// A method this step of the backend does not have yet.
fn not_yet(what: &'static str) -> StoreError {
    StoreError::NotYet { what }
}

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
        let shown = super::redacted(url);
        let fail = |message: String| StoreError::Postgres { url: shown.clone(), message };
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| fail(format!("a bad URL ({})", one_line(&e))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let client = config.connect(postgres::NoTls).map_err(|e| fail(one_line(&e)))?;
        let store = PgStore { client: Mutex::new(client), url: shown };
        store.check_schema(access)?;
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
        let version = if has_meta { schema_version(&mut *c).map_err(|e| self.err(&e))? } else { 0 };
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
    fn client(&self) -> Result<std::sync::MutexGuard<'_, postgres::Client>, StoreError> {
        Ok(self.client.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn err(&self, e: &postgres::Error) -> StoreError {
        StoreError::Postgres { url: self.url.clone(), message: one_line(e) }
    }

    /// The schema version the database records (0: none yet).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let mut c = self.client()?;
        schema_version(&mut *c).map_err(|e| self.err(&e))
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
        tx.execute(
            "INSERT INTO sitrep_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&(n as i64 + 1).to_string()],
        )?;
    }
    let now = schema_version(&mut tx)?;
    tx.commit()?;
    Ok(now)
}

impl super::EventStore for PgStore {
    fn write_exclusive(&mut self, _work: &mut dyn FnMut(&mut dyn super::EventStore) -> Result<(), StoreError>) -> Result<(), StoreError> {
        Err(not_yet("write_exclusive"))
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
    /// Not bounded yet on PostgreSQL (a `statement_timeout` is the plan): statements run to
    /// their end.
    fn set_budget(&self, _deadline: Option<std::time::Instant>, _stops: Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>) {}
    fn article_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows =
            self.client()?.query("SELECT id FROM articles WHERE superseded_by IS NULL ORDER BY id", &[]).map_err(|e| self.err(&e))?;
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
    fn put_batch(&mut self, _batch: &[(Article, Vec<Event>)]) -> Result<Vec<Stored>, StoreError> {
        Err(not_yet("put_batch"))
    }
    fn events(&self, _filter: &EventFilter) -> Result<Vec<Event>, StoreError> {
        Err(not_yet("events"))
    }
    fn count_events(&self, _filter: &EventFilter) -> Result<u64, StoreError> {
        Err(not_yet("count_events"))
    }
    fn event(&self, _id: &str) -> Result<Option<(Event, Vec<String>)>, StoreError> {
        Err(not_yet("event"))
    }
    fn article(&self, _id: &str) -> Result<Option<StoredArticle>, StoreError> {
        Err(not_yet("article"))
    }
    fn search(&self, _query: &str, _limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        Err(not_yet("search"))
    }
    fn stats(&self) -> Result<Stats, StoreError> {
        Err(not_yet("stats"))
    }
    fn actors(&self) -> Result<Vec<ActorCount>, StoreError> {
        Err(not_yet("actors"))
    }
    fn places(&self, _limit: usize) -> Result<Vec<PlaceCount>, StoreError> {
        Err(not_yet("places"))
    }
    fn fusion_input(&self, _scope: FusionScope) -> Result<Vec<(Event, Option<chrono::NaiveDate>)>, StoreError> {
        Err(not_yet("fusion_input"))
    }
    fn fused_state(&self, _part: Option<&[String]>) -> Result<FusedState, StoreError> {
        Err(not_yet("fused_state"))
    }
    fn write_fusion(&mut self, _write: &FusionWrite<'_>) -> Result<(), StoreError> {
        Err(not_yet("write_fusion"))
    }
    fn verdict_counts(&self, _events: Option<&[String]>) -> Result<Vec<(String, [usize; 3])>, StoreError> {
        Err(not_yet("verdict_counts"))
    }
    fn put_credibility(&mut self, _scores: &[crate::model::fused::ArticleCredibility], _all: bool) -> Result<(), StoreError> {
        Err(not_yet("put_credibility"))
    }
    fn fused_totals(&self) -> Result<(usize, usize), StoreError> {
        Err(not_yet("fused_totals"))
    }
    fn stale_articles(&self, _version: &str) -> Result<Vec<String>, StoreError> {
        Err(not_yet("stale_articles"))
    }
    fn replace_events(&mut self, _batch: &[(String, Vec<Event>)], _version: &str) -> Result<(), StoreError> {
        Err(not_yet("replace_events"))
    }
    fn fused_events(&self, _min_sources: usize, _limit: usize, _offset: usize) -> Result<Vec<crate::model::fused::FusedEvent>, StoreError> {
        Err(not_yet("fused_events"))
    }
    fn fused_event(&self, _id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError> {
        Err(not_yet("fused_event"))
    }
    fn fused_event_of(&self, _event_id: &str) -> Result<Option<crate::model::fused::FusedEvent>, StoreError> {
        Err(not_yet("fused_event_of"))
    }
    fn changes_since(&self, _since: &str, _limit: usize) -> Result<Vec<Change>, StoreError> {
        Err(not_yet("changes_since"))
    }
    fn changes_after(&self, _after: i64, _limit: usize) -> Result<Vec<Change>, StoreError> {
        Err(not_yet("changes_after"))
    }
    fn for_each_event(
        &self,
        _filter: &EventFilter,
        _limit: Option<usize>,
        _each: &mut dyn FnMut(Event, &str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        Err(not_yet("for_each_event"))
    }
    fn points(&self, _filter: &EventFilter) -> Result<Vec<super::Point>, StoreError> {
        Err(not_yet("points"))
    }
    fn days(&self, _filter: &EventFilter) -> Result<Vec<Count>, StoreError> {
        Err(not_yet("days"))
    }
    fn article_credibility(&self, _id: &str) -> Result<Option<crate::model::fused::ArticleCredibility>, StoreError> {
        Err(not_yet("article_credibility"))
    }
}

impl super::LiveStore for PgStore {
    fn has_article(&self, id: &str) -> Result<bool, StoreError> {
        let row = self.client()?.query_opt("SELECT 1 FROM articles WHERE id = $1", &[&id]).map_err(|e| self.err(&e))?;
        Ok(row.is_some())
    }
    fn add_feed(&mut self, _url: &str, _name: Option<&str>) -> Result<crate::model::live::Feed, StoreError> {
        Err(not_yet("add_feed"))
    }
    fn feeds(&self) -> Result<Vec<crate::model::live::Feed>, StoreError> {
        Err(not_yet("feeds"))
    }
    fn remove_feed(&mut self, _which: &str) -> Result<Option<crate::model::live::Feed>, StoreError> {
        Err(not_yet("remove_feed"))
    }
    fn feed_polled(&mut self, _id: i64, _poll: &super::live::FeedPoll) -> Result<(), StoreError> {
        Err(not_yet("feed_polled"))
    }
    fn feed_item(&self, _url: &str) -> Result<Option<super::live::ItemState>, StoreError> {
        Err(not_yet("feed_item"))
    }
    fn feed_item_done(&mut self, _url: &str, _feed_id: i64, _article_id: &str) -> Result<(), StoreError> {
        Err(not_yet("feed_item_done"))
    }
    fn feed_item_failed(&mut self, _url: &str, _feed_id: i64, _error: &str, _max_attempts: u32) -> Result<(), StoreError> {
        Err(not_yet("feed_item_failed"))
    }
    fn add_alert(
        &mut self,
        _name: &str,
        _query: &crate::model::live::AlertQuery,
        _sink: &crate::model::live::Sink,
        _secret: &str,
    ) -> Result<crate::model::live::Alert, StoreError> {
        Err(not_yet("add_alert"))
    }
    fn alerts(&self) -> Result<Vec<crate::model::live::Alert>, StoreError> {
        Err(not_yet("alerts"))
    }
    fn remove_alert(&mut self, _name: &str) -> Result<bool, StoreError> {
        Err(not_yet("remove_alert"))
    }
    fn alerts_cursor(&self) -> Result<i64, StoreError> {
        Err(not_yet("alerts_cursor"))
    }
    fn set_alerts_cursor(&mut self, _seq: i64) -> Result<(), StoreError> {
        Err(not_yet("set_alerts_cursor"))
    }
    fn fused_digest(&self, _id: &str) -> Result<Option<String>, StoreError> {
        Err(not_yet("fused_digest"))
    }
    fn queue_delivery(
        &mut self,
        _alert: &str,
        _fused_id: &str,
        _kind: ChangeKind,
        _digest: &str,
        _payload: &str,
    ) -> Result<bool, StoreError> {
        Err(not_yet("queue_delivery"))
    }
    fn due_deliveries(&self, _at: &str, _limit: usize) -> Result<Vec<crate::model::live::Delivery>, StoreError> {
        Err(not_yet("due_deliveries"))
    }
    fn next_delivery_due(&self) -> Result<Option<String>, StoreError> {
        Err(not_yet("next_delivery_due"))
    }
    fn deliveries(&self, _limit: usize) -> Result<Vec<crate::model::live::Delivery>, StoreError> {
        Err(not_yet("deliveries"))
    }
    fn claim_delivery(&mut self, _id: i64, _at: &str, _lease_until: &str) -> Result<bool, StoreError> {
        Err(not_yet("claim_delivery"))
    }
    fn delivery_attempted(&mut self, _id: i64, _result: Result<(), &str>, _next_try: Option<&str>) -> Result<(), StoreError> {
        Err(not_yet("delivery_attempted"))
    }
    fn delivery_counts(&self) -> Result<Vec<(String, String, u64)>, StoreError> {
        Err(not_yet("delivery_counts"))
    }
    fn watched_file(&self, _path: &str) -> Result<Option<(u64, i64)>, StoreError> {
        Err(not_yet("watched_file"))
    }
    fn set_watched_file(&mut self, _path: &str, _size: u64, _modified: i64) -> Result<(), StoreError> {
        Err(not_yet("set_watched_file"))
    }
    fn events_stored_after(&self, _at: &str, _limit: usize) -> Result<std::collections::HashSet<String>, StoreError> {
        Err(not_yet("events_stored_after"))
    }
    fn newest_stored(&self) -> Result<Option<String>, StoreError> {
        Err(not_yet("newest_stored"))
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

    #[test]
    fn postgres_what_is_not_there_yet_is_an_error_not_a_panic() {
        let Some(url) = fresh("not_yet") else { return };
        let mut s = open(&Location::Postgres(url), Access::ReadWrite).unwrap();
        let e = s.put_batch(&[]).unwrap_err().to_string();
        assert!(e.contains("put_batch: not implemented yet for a PostgreSQL store"), "{e}");
        assert!(matches!(s.feeds(), Err(StoreError::NotYet { what: "feeds" })));
        assert!(matches!(s.search("x", 1), Err(StoreError::NotYet { .. })));
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
}
