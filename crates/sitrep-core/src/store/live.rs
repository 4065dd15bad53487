//! What following sources keeps in the SQLite store (since schema version 10): feeds with their HTTP
//! validators and failures, the feed items seen, saved alerts with their delivery log, and the
//! files a watched folder ingested. Only this file and `sqlite.rs` know SQL.

use super::{LiveStore, SqliteStore, StoreError};
use crate::model::live::Feed;
use crate::model::live::{Alert, AlertQuery, Delivery, Sink};
use rusqlite::{params, OptionalExtension};

/// The time as the live tables keep it: UTC, RFC 3339 with milliseconds (sorts as text).
pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Now, as [`stamp`] writes it.
pub fn now() -> String {
    stamp(chrono::Utc::now())
}

/// How a poll of one feed ended, for [`SqliteStore::feed_polled`].
#[derive(Debug, Clone)]
pub enum FeedPoll {
    /// Fetched (or answered 304): the validators to send next time, and how many new items.
    Ok { etag: Option<String>, last_modified: Option<String>, new_items: u64 },
    /// Failed: why, and when to try again.
    Failed { error: String, next_try: String },
}

/// What the store knows of a feed item (by URL, whichever feed carried it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub done: bool,
    pub attempts: u32,
}

const FEED_COLUMNS: &str = "id, url, name, added_at, etag, last_modified, last_polled, last_ok, failures, last_error, next_try, items";

fn feed_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Feed> {
    Ok(Feed {
        id: r.get(0)?,
        url: r.get(1)?,
        name: r.get(2)?,
        added_at: r.get(3)?,
        etag: r.get(4)?,
        last_modified: r.get(5)?,
        last_polled: r.get(6)?,
        last_ok: r.get(7)?,
        failures: r.get(8)?,
        last_error: r.get(9)?,
        next_try: r.get(10)?,
        items: r.get::<_, i64>(11)? as u64,
    })
}

impl SqliteStore {
    fn live_err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |e| self.err(e)
    }

    fn deliveries_where(&self, clause: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Delivery>, StoreError> {
        let err = self.live_err();
        let sql = format!(
            "SELECT id, alert, fused_id, kind, payload, status, attempts, last_error, next_try, created_at, delivered_at FROM deliveries WHERE {clause}"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(&err)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(Delivery {
                    id: r.get(0)?,
                    alert: r.get(1)?,
                    fused_id: r.get(2)?,
                    kind: r.get(3)?,
                    payload: r.get(4)?,
                    status: r.get(5)?,
                    attempts: r.get(6)?,
                    last_error: r.get(7)?,
                    next_try: r.get(8)?,
                    created_at: r.get(9)?,
                    delivered_at: r.get(10)?,
                })
            })
            .map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }
}

impl LiveStore for SqliteStore {
    fn add_feed(&mut self, url: &str, name: Option<&str>) -> Result<Feed, StoreError> {
        let err = self.live_err();
        let known: Option<i64> =
            self.conn.query_row("SELECT id FROM feeds WHERE url = ?1", [url], |r| r.get(0)).optional().map_err(&err)?;
        if known.is_some() {
            return Err(StoreError::Invalid(format!("the feed {url} is followed already")));
        }
        if let Some(n) = name {
            let taken: i64 = self.conn.query_row("SELECT count(*) FROM feeds WHERE name = ?1", [n], |r| r.get(0)).map_err(&err)?;
            if taken > 0 {
                return Err(StoreError::Invalid(format!("a feed is named {n:?} already")));
            }
        }
        self.conn.execute("INSERT INTO feeds (url, name, added_at) VALUES (?1, ?2, ?3)", params![url, name, now()]).map_err(&err)?;
        let id = self.conn.last_insert_rowid();
        self.conn.query_row(&format!("SELECT {FEED_COLUMNS} FROM feeds WHERE id = ?1"), [id], feed_row).map_err(&err)
    }

    fn feeds(&self) -> Result<Vec<Feed>, StoreError> {
        let err = self.live_err();
        let mut stmt = self.conn.prepare(&format!("SELECT {FEED_COLUMNS} FROM feeds ORDER BY id")).map_err(&err)?;
        let rows = stmt.query_map([], feed_row).map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }

    fn remove_feed(&mut self, which: &str) -> Result<Option<Feed>, StoreError> {
        let Some(feed) =
            self.feeds()?.into_iter().find(|f| f.url == which || f.name.as_deref() == Some(which) || f.id.to_string() == which)
        else {
            return Ok(None);
        };
        self.conn.execute("DELETE FROM feeds WHERE id = ?1", [feed.id]).map_err(self.live_err())?;
        Ok(Some(feed))
    }

    fn feed_polled(&mut self, id: i64, poll: &FeedPoll) -> Result<(), StoreError> {
        let now = now();
        let r = match poll {
            FeedPoll::Ok { etag, last_modified, new_items } => self.conn.execute(
                "UPDATE feeds SET etag = coalesce(?2, etag), last_modified = coalesce(?3, last_modified), last_polled = ?4, last_ok = ?4, \
                 failures = 0, last_error = NULL, next_try = NULL, items = items + ?5 WHERE id = ?1",
                params![id, etag, last_modified, now, *new_items as i64],
            ),
            FeedPoll::Failed { error, next_try } => self.conn.execute(
                "UPDATE feeds SET last_polled = ?2, failures = failures + 1, last_error = ?3, next_try = ?4 WHERE id = ?1",
                params![id, now, error, next_try],
            ),
        };
        r.map(|_| ()).map_err(self.live_err())
    }

    fn feed_item(&self, url: &str) -> Result<Option<ItemState>, StoreError> {
        self.conn
            .query_row("SELECT done, attempts FROM feed_items WHERE url = ?1", [url], |r| {
                Ok(ItemState { done: r.get::<_, i64>(0)? != 0, attempts: r.get(1)? })
            })
            .optional()
            .map_err(self.live_err())
    }

    fn feed_item_done(&mut self, url: &str, feed_id: i64, article_id: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO feed_items (url, feed_id, first_seen, article_id, attempts, done) VALUES (?1, ?2, ?3, ?4, 1, 1) \
                 ON CONFLICT(url) DO UPDATE SET article_id = ?4, attempts = attempts + 1, error = NULL, done = 1",
                params![url, feed_id, now(), article_id],
            )
            .map(|_| ())
            .map_err(self.live_err())
    }

    fn feed_item_failed(&mut self, url: &str, feed_id: i64, error: &str, max_attempts: u32) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO feed_items (url, feed_id, first_seen, attempts, error, done) VALUES (?1, ?2, ?3, 1, ?4, ?5 <= 1) \
                 ON CONFLICT(url) DO UPDATE SET attempts = attempts + 1, error = ?4, done = attempts + 1 >= ?5",
                params![url, feed_id, now(), error, max_attempts],
            )
            .map(|_| ())
            .map_err(self.live_err())
    }

    fn has_article(&self, id: &str) -> Result<bool, StoreError> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM articles WHERE id = ?1", [id], |r| r.get(0)).map_err(self.live_err())?;
        Ok(n > 0)
    }

    fn add_alert(&mut self, name: &str, query: &AlertQuery, sink: &Sink, secret: &str) -> Result<Alert, StoreError> {
        let err = self.live_err();
        let taken: i64 = self.conn.query_row("SELECT count(*) FROM alerts WHERE name = ?1", [name], |r| r.get(0)).map_err(&err)?;
        if taken > 0 {
            return Err(StoreError::Invalid(format!("an alert is named {name:?} already")));
        }
        let after: i64 = self.conn.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| r.get(0)).map_err(&err)?;
        let q = serde_json::to_string(query).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let s = serde_json::to_string(sink).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let created = now();
        self.conn
            .execute(
                "INSERT INTO alerts (name, query, sink, secret, after_seq, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![name, q, s, secret, after, created],
            )
            .map_err(&err)?;
        Ok(Alert {
            name: name.to_string(),
            query: query.clone(),
            sink: sink.clone(),
            secret: secret.to_string(),
            after_seq: after,
            created_at: created,
        })
    }

    fn alerts(&self) -> Result<Vec<Alert>, StoreError> {
        let err = self.live_err();
        let mut stmt =
            self.conn.prepare("SELECT name, query, sink, secret, after_seq, created_at FROM alerts ORDER BY name").map_err(&err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .map_err(&err)?;
        let mut out = Vec::new();
        for row in rows {
            let (name, q, s, secret, after_seq, created_at) = row.map_err(&err)?;
            let query = serde_json::from_str(&q).map_err(|e| StoreError::Corrupt(format!("alert {name}: {e}")))?;
            let sink = serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("alert {name}: {e}")))?;
            out.push(Alert { name, query, sink, secret, after_seq, created_at });
        }
        Ok(out)
    }

    fn remove_alert(&mut self, name: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute("DELETE FROM alerts WHERE name = ?1", [name]).map_err(self.live_err())?;
        Ok(n > 0)
    }

    fn alerts_cursor(&self) -> Result<i64, StoreError> {
        let v: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'alerts_seq'", [], |r| r.get(0)).optional().map_err(self.live_err())?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    fn set_alerts_cursor(&mut self, seq: i64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES ('alerts_seq', ?1) \
                 ON CONFLICT(key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), CAST(?1 AS INTEGER)) AS TEXT)",
                [seq.to_string()],
            )
            .map(|_| ())
            .map_err(self.live_err())
    }

    fn fused_digest(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.conn.query_row("SELECT digest FROM fused_events WHERE id = ?1", [id], |r| r.get(0)).optional().map_err(self.live_err())
    }

    fn queue_delivery(
        &mut self,
        alert: &str,
        fused_id: &str,
        kind: crate::model::ChangeKind,
        digest: &str,
        payload: &str,
    ) -> Result<bool, StoreError> {
        let now = now();
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO deliveries (alert, fused_id, kind, digest, payload, status, next_try, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
                params![alert, fused_id, kind.as_str(), digest, payload, now],
            )
            .map_err(self.live_err())?;
        Ok(n > 0)
    }

    fn due_deliveries(&self, at: &str, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.deliveries_where("status = 'pending' AND next_try <= ?1 ORDER BY id LIMIT ?2", params![at, limit as i64])
    }

    fn next_delivery_due(&self) -> Result<Option<String>, StoreError> {
        self.conn.query_row("SELECT min(next_try) FROM deliveries WHERE status = 'pending'", [], |r| r.get(0)).map_err(self.live_err())
    }

    fn deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.deliveries_where("1 ORDER BY id DESC LIMIT ?1", params![limit as i64])
    }

    fn claim_delivery(&mut self, id: i64, at: &str, lease_until: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE deliveries SET next_try = ?3 WHERE id = ?1 AND status = 'pending' AND next_try <= ?2",
                params![id, at, lease_until],
            )
            .map_err(self.live_err())?;
        Ok(n > 0)
    }

    fn delivery_attempted(&mut self, id: i64, result: Result<(), &str>, next_try: Option<&str>) -> Result<(), StoreError> {
        let now = now();
        let r = match result {
            Ok(()) => self.conn.execute(
                "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?2 WHERE id = ?1",
                params![id, now],
            ),
            Err(e) => self.conn.execute(
                "UPDATE deliveries SET status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END, attempts = attempts + 1, \
                 last_error = ?2, next_try = coalesce(?3, next_try) WHERE id = ?1",
                params![id, e, next_try],
            ),
        };
        r.map(|_| ()).map_err(self.live_err())
    }

    fn delivery_counts(&self) -> Result<Vec<(String, String, u64)>, StoreError> {
        let err = self.live_err();
        let mut stmt = self
            .conn
            .prepare("SELECT alert, status, count(*) FROM deliveries GROUP BY alert, status ORDER BY alert, status")
            .map_err(&err)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))).map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }

    fn watched_file(&self, path: &str) -> Result<Option<(u64, i64)>, StoreError> {
        self.conn
            .query_row("SELECT size, modified FROM watched_files WHERE path = ?1", [path], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
            .optional()
            .map_err(self.live_err())
    }

    fn set_watched_file(&mut self, path: &str, size: u64, modified: i64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO watched_files (path, size, modified, ingested_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(path) DO UPDATE SET size = ?2, modified = ?3, ingested_at = ?4",
                params![path, size as i64, modified, now()],
            )
            .map(|_| ())
            .map_err(self.live_err())
    }

    fn events_stored_after(&self, at: &str, limit: usize) -> Result<std::collections::HashSet<String>, StoreError> {
        let err = self.live_err();
        let mut stmt = self
            .conn
            .prepare("SELECT e.id FROM articles a JOIN events e ON e.article_id = a.id WHERE a.ingested_at > ?1 LIMIT ?2")
            .map_err(&err)?;
        let rows = stmt.query_map(params![at, limit as i64], |r| r.get::<_, String>(0)).map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }

    fn newest_stored(&self) -> Result<Option<String>, StoreError> {
        self.conn.query_row("SELECT max(ingested_at) FROM articles", [], |r| r.get(0)).map_err(self.live_err())
    }
}
