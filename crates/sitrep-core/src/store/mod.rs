//! The event store: one SQLite file (bundled SQLite, nothing to install) holding articles,
//! their full text for search (FTS5), and their events. Only this module knows SQL.
//!
//! The schema is versioned (`meta.schema_version`); a file from a newer sitrep is refused with
//! advice, a file from an older one is upgraded by the migrations below.

use crate::extract::actors::ActorDict;
use crate::model::{Article, Event};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

/// Migrations, in order: `MIGRATIONS[n]` takes a file from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("{path}: the database is schema version {found}, newer than this sitrep understands ({SCHEMA_VERSION}); use a newer sitrep")]
    TooNew { path: String, found: i64 },
    #[error("bad search query: {0}")]
    BadQuery(String),
    #[error("bad filter: {0}")]
    BadFilter(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// What an ingest did with one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New { events: usize },
    Unchanged,
}

/// Filters for [`Store::events`].
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub sub_event_type: Option<String>,
    /// An actor by any of its names ("Daesh" finds Islamic State).
    pub actor: Option<String>,
    pub since: Option<chrono::NaiveDate>,
    pub until: Option<chrono::NaiveDate>,
    pub admin1: Option<String>,
    pub min_fatalities: Option<u32>,
    pub limit: usize,
    pub offset: usize,
}

/// A search hit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchHit {
    pub article_id: String,
    pub title: Option<String>,
    pub snippet: String,
    pub rank: f64,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: String,
}

impl Store {
    /// Opens (creating or upgrading) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let p = path.display().to_string();
        let err = |source| StoreError::Sqlite { path: p.clone(), source };
        let conn = Connection::open(path).map_err(err)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(err)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)").map_err(err)?;
        let version: i64 = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get::<_, String>(0))
            .optional()
            .map_err(err)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: p, found: version });
        }
        for (n, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.unchecked_transaction().map_err(err)?;
            tx.execute_batch(m).map_err(err)?;
            tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)", params![(n as i64 + 1).to_string()])
                .map_err(err)?;
            tx.commit().map_err(err)?;
        }
        Ok(Store { conn, path: p })
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    /// Stores a batch of articles with their events in one transaction. An article already
    /// stored (same id: same source and text) is left as it is.
    pub fn put_batch(&mut self, batch: &[(Article, Vec<Event>)]) -> Result<Vec<Stored>, StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        let mut out = Vec::with_capacity(batch.len());
        for (a, events) in batch {
            let exists: bool =
                tx.query_row("SELECT 1 FROM articles WHERE id = ?1", params![a.id], |_| Ok(true)).optional().map_err(err)?.unwrap_or(false);
            if exists {
                out.push(Stored::Unchanged);
                continue;
            }
            let json = serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let body = a.body();
            tx.execute(
                "INSERT INTO articles (id, input, format, title, source, byline, dateline, published, url, text, body, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![a.id, a.input, a.format.as_str(), a.title, a.source, a.byline, a.dateline, a.published.map(|p| p.to_string()), a.url, a.text, body, json],
            )
            .map_err(err)?;
            tx.execute("INSERT INTO articles_fts (id, title, body) VALUES (?1, ?2, ?3)", params![a.id, a.title, body]).map_err(err)?;
            for e in events {
                let json = serde_json::to_string(e).map_err(|x| StoreError::Corrupt(x.to_string()))?;
                tx.execute(
                    "INSERT OR REPLACE INTO events (id, article_id, event_date, event_type, sub_event_type, actor1, actor2, location, latitude, longitude, country, admin1, admin2, geo_precision, fatalities, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                    params![
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
                        json
                    ],
                )
                .map_err(err)?;
            }
            out.push(Stored::New { events: events.len() });
        }
        tx.commit().map_err(err)?;
        Ok(out)
    }

    /// Counts of stored articles and events.
    pub fn counts(&self) -> Result<(u64, u64), StoreError> {
        let a: i64 = self.conn.query_row("SELECT count(*) FROM articles", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        let e: i64 = self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok((a as u64, e as u64))
    }

    /// Events matching a filter, newest first. Every value reaches SQL as a parameter.
    pub fn events(&self, f: &EventFilter) -> Result<Vec<Event>, StoreError> {
        let mut sql = String::from("SELECT json FROM events WHERE 1 = 1");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        let mut push = |clause: &str, v: Box<dyn rusqlite::ToSql>, sql: &mut String| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(t) = &f.event_type {
            push(" AND event_type = ?", Box::new(t.clone()), &mut sql);
        }
        if let Some(t) = &f.sub_event_type {
            push(" AND sub_event_type = ?", Box::new(t.clone()), &mut sql);
        }
        if let Some(a) = &f.actor {
            let name = ActorDict::builtin().lookup(a).map_or_else(|| a.clone(), |x| x.name.clone());
            push(" AND (actor1 = ?", Box::new(name.clone()), &mut sql);
            push(" OR actor2 = ?)", Box::new(name), &mut sql);
        }
        if let Some(d) = f.since {
            push(" AND event_date >= ?", Box::new(d.to_string()), &mut sql);
        }
        if let Some(d) = f.until {
            push(" AND event_date <= ?", Box::new(d.to_string()), &mut sql);
        }
        if let Some(a) = &f.admin1 {
            push(" AND admin1 = ?", Box::new(a.clone()), &mut sql);
        }
        if let Some(n) = f.min_fatalities {
            push(" AND fatalities >= ?", Box::new(n), &mut sql);
        }
        if f.limit == 0 || f.limit > 100_000 {
            return Err(StoreError::BadFilter(format!("limit {} (must be 1 to 100000)", f.limit)));
        }
        push(" ORDER BY event_date DESC, id LIMIT ?", Box::new(f.limit as i64), &mut sql);
        push(" OFFSET ?", Box::new(f.offset as i64), &mut sql);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let rows = stmt.query_map(params.as_slice(), |r| r.get::<_, String>(0)).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let json = row.map_err(|e| self.err(e))?;
            out.push(serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        Ok(out)
    }

    /// Full-text search over titles and bodies (FTS5 syntax: phrases in quotes, prefix*,
    /// AND/OR/NOT), best first, with highlighted snippets.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        if limit == 0 || limit > 10_000 {
            return Err(StoreError::BadFilter(format!("limit {limit} (must be 1 to 10000)")));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT a.id, a.title, snippet(articles_fts, 2, '[', ']', '…', 12), bm25(articles_fts) FROM articles_fts JOIN articles a ON a.id = articles_fts.id WHERE articles_fts MATCH ?1 ORDER BY bm25(articles_fts) LIMIT ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![query, limit as i64], |r| {
                Ok(SearchHit { article_id: r.get(0)?, title: r.get(1)?, snippet: r.get(2)?, rank: r.get(3)? })
            })
            .map_err(|e| StoreError::BadQuery(format!("{query:?}: {e}")))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| StoreError::BadQuery(format!("{query:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> Article {
        let mut out = None;
        crate::read::read_bytes("t.txt", text.as_bytes(), &crate::read::ReadOptions::default(), &mut |r| out = r.ok());
        out.expect("reads")
    }

    #[test]
    fn ingest_is_idempotent_and_queries_find_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.db")).unwrap();
        let a = article("Title\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n");
        let ev = crate::events_of(&a);
        assert_eq!(s.put_batch(&[(a.clone(), ev.clone())]).unwrap(), vec![Stored::New { events: ev.len() }]);
        assert_eq!(s.put_batch(&[(a, ev)]).unwrap(), vec![Stored::Unchanged]);
        let f = EventFilter { actor: Some("Daesh".into()), limit: 10, ..EventFilter::default() };
        assert_eq!(s.events(&f).unwrap().len(), 1);
        assert!(s.events(&EventFilter { limit: 0, ..EventFilter::default() }).is_err());
        let hits = s.search("\"captured the town\"", 5).unwrap();
        assert_eq!(hits.len(), 1);
        assert!(hits[0].snippet.contains('['));
        assert!(matches!(s.search("AND OR (", 5), Err(StoreError::BadQuery(_))));
        assert!(
            s.search("x'); DROP TABLE events; --", 5).is_ok()
                || matches!(s.search("x'); DROP TABLE events; --", 5), Err(StoreError::BadQuery(_)))
        );
        assert_eq!(s.counts().unwrap().0, 1);
    }

    #[test]
    fn a_newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.db");
        drop(Store::open(&p).unwrap());
        let c = Connection::open(&p).unwrap();
        c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
        drop(c);
        assert!(matches!(Store::open(&p), Err(StoreError::TooNew { found: 99, .. })));
    }
}
