//! Ingest: clean articles in, events stored. Articles are collected into batches; each batch
//! skips what the store already holds, extracts and geocodes the rest in parallel (rayon, one
//! article per task) and is stored in one transaction, so a killed ingest loses at most the
//! batches in flight and a rerun completes them. Storing a batch overlaps extracting the next
//! (the store writes on one thread while the others extract).

use crate::model::{Article, Event};
use crate::store::{EventStore, StoreError, Stored};
use rayon::prelude::*;
use serde::Serialize;

/// An input or article that could not be ingested, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Failure {
    pub input: String,
    pub reason: String,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    /// Articles read (failures aside).
    pub read: usize,
    pub new: usize,
    /// Corrected versions that replaced a stored article's events.
    pub replaced: usize,
    pub unchanged: usize,
    pub failed: Vec<Failure>,
    pub events_added: usize,
    /// Seconds spent extracting (in parallel) and storing; the two overlap.
    pub extract_secs: f64,
    pub store_secs: f64,
}

/// Feeds articles to a store in batches.
pub struct Ingester<'s> {
    store: &'s mut dyn EventStore,
    pending: Vec<Article>,
    /// Extracted, waiting to be stored while the next batch is extracted.
    ready: Option<Vec<(Article, Vec<Event>)>>,
    batch: usize,
    summary: Summary,
}

impl<'s> Ingester<'s> {
    /// An ingester committing every `batch` articles (at least 1).
    pub fn new(store: &'s mut dyn EventStore, batch: usize) -> Self {
        Ingester { store, pending: Vec::new(), ready: None, batch: batch.max(1), summary: Summary::default() }
    }

    /// Takes one article; stores a batch when one is full.
    pub fn push(&mut self, article: Article) -> Result<(), StoreError> {
        self.summary.read += 1;
        self.pending.push(article);
        if self.pending.len() >= self.batch {
            self.flush()?;
        }
        Ok(())
    }

    /// Records an input that could not be read.
    pub fn failed(&mut self, input: impl Into<String>, reason: impl Into<String>) {
        self.summary.failed.push(Failure { input: input.into(), reason: reason.into() });
    }

    /// The counts so far (stored articles only count once their batch is committed).
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Extracts the pending articles while storing the batch extracted before.
    fn flush(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.pending);
        let ids: Vec<&str> = pending.iter().map(|a| a.id.as_str()).collect();
        let known = self.store.known(&ids)?;
        let (old, fresh): (Vec<Article>, Vec<Article>) = pending.into_iter().partition(|a| known.contains(&a.id));
        self.summary.unchanged += old.len();
        let previous = self.ready.take();
        let store = &mut *self.store;
        let (stored, (extracted, extract_secs)) = rayon::join(
            || {
                let t = std::time::Instant::now();
                let r = match &previous {
                    Some(b) => store.put_batch(b),
                    None => Ok(Vec::new()),
                };
                (r, t.elapsed().as_secs_f64())
            },
            || {
                let t = std::time::Instant::now();
                let batch: Vec<(Article, Vec<Event>)> = fresh
                    .into_par_iter()
                    .map(|a| {
                        let events = crate::events_of(&a);
                        (a, events)
                    })
                    .collect();
                (batch, t.elapsed().as_secs_f64())
            },
        );
        self.summary.extract_secs += extract_secs;
        self.summary.store_secs += stored.1;
        self.count(stored.0?);
        if !extracted.is_empty() {
            self.ready = Some(extracted);
        }
        Ok(())
    }

    fn count(&mut self, stored: Vec<Stored>) {
        for s in stored {
            match s {
                Stored::New { events } => {
                    self.summary.new += 1;
                    self.summary.events_added += events;
                }
                Stored::Replaced { events, .. } => {
                    self.summary.replaced += 1;
                    self.summary.events_added += events;
                }
                Stored::Unchanged => self.summary.unchanged += 1,
            }
        }
    }

    /// Stores everything pending and returns the summary.
    pub fn finish(self) -> Result<Summary, StoreError> {
        match self.finish_partial() {
            (summary, None) => Ok(summary),
            (_, Some(e)) => Err(e),
        }
    }

    /// [`Self::finish`], keeping the summary of what was stored when a batch fails: each batch
    /// is one transaction, so the counts are exactly what was committed before the error.
    pub fn finish_partial(mut self) -> (Summary, Option<StoreError>) {
        if let Err(e) = self.flush() {
            return (self.summary, Some(e));
        }
        if let Some(b) = self.ready.take() {
            let t = std::time::Instant::now();
            match self.store.put_batch(&b) {
                Ok(stored) => {
                    self.summary.store_secs += t.elapsed().as_secs_f64();
                    self.count(stored);
                }
                Err(e) => return (self.summary, Some(e)),
            }
        }
        (self.summary, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    use crate::read::test_article as article;

    #[test]
    fn batches_skip_known_articles_and_count_everything() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let texts: Vec<String> = (0..7)
            .map(|i| format!("Title {i}\n\nISIS militants captured the town of Marea on Monday, killing {} rebels.\n", i + 2))
            .collect();
        let mut ing = Ingester::new(&mut store, 3);
        for (i, t) in texts.iter().enumerate() {
            ing.push(article(&format!("{i}.txt"), t)).unwrap();
        }
        ing.failed("bad.bin", "binary data");
        let s = ing.finish().unwrap();
        assert_eq!((s.read, s.new, s.unchanged, s.events_added, s.failed.len()), (7, 7, 0, 7, 1));
        let mut again = Ingester::new(&mut store, 3);
        for (i, t) in texts.iter().enumerate() {
            again.push(article(&format!("{i}.txt"), t)).unwrap();
        }
        let s = again.finish().unwrap();
        assert_eq!((s.read, s.new, s.unchanged, s.events_added), (7, 0, 7, 0));
    }
}
