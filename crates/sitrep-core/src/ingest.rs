//! Ingest: clean articles in, events stored and fused. One orchestration serves every way in
//! (`sitrep ingest`, the server's POST, followed feeds, watched folders, the benchmarks):
//! [`run`] tunes the store for a bulk write ([`Policy`]), hands an [`Ingester`] to the caller's
//! source of articles, stores what is left of the last batch, then fuses what changed
//! ([`crate::fuse::fuse_changed`]). Articles stored under older rules (another
//! [`crate::knowledge::DATA_VERSION`]) are extracted again first ([`reextract`]).
//!
//! Articles are collected into batches; each batch skips what the store already holds,
//! extracts and geocodes the rest in parallel (rayon, one article per task) and is stored in
//! one transaction, so a killed ingest loses at most the batches in flight and a rerun
//! completes them. Storing a batch overlaps extracting the next (the store writes on one
//! thread while the others extract).

use crate::model::{Article, Event};
use crate::pipeline::Knowledge;
use crate::store::{EventStore, FusionCounts, StoreError, Stored};
use rayon::prelude::*;
use serde::Serialize;

/// How an ingest runs; the same everywhere unless a caller asks otherwise (`sitrep ingest
/// --batch`).
#[derive(Clone)]
pub struct Policy<'k> {
    /// Articles per transaction. Two batches are in memory at once (one extracting, one
    /// storing); a larger batch commits less often.
    pub batch: usize,
    /// The page cache of the writing connection while the ingest runs, MiB
    /// ([`EventStore::set_cache_mib`]; the default is restored after, so that a pooled
    /// connection does not keep it): index
    /// pages of random keys (article and event ids) stay in memory as the file grows (measured
    /// over 100,000 articles: storing took 64 s with 64 MiB, 52 s with 128, 50 s with 256; peak
    /// RSS 379 MiB).
    pub cache_mib: u32,
    /// What extraction and fusion run on.
    pub knowledge: &'k Knowledge<'k>,
}

impl Policy<'_> {
    pub const DEFAULT_BATCH: usize = 2000;
    pub const DEFAULT_CACHE_MIB: u32 = 256;
}

impl Default for Policy<'static> {
    /// The default batch and cache, and the knowledge embedded in this build.
    fn default() -> Self {
        Policy { batch: Self::DEFAULT_BATCH, cache_mib: Self::DEFAULT_CACHE_MIB, knowledge: Knowledge::builtin() }
    }
}

impl std::fmt::Debug for Policy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy").field("batch", &self.batch).field("cache_mib", &self.cache_mib).finish_non_exhaustive()
    }
}

/// How an ingest ended.
#[derive(Debug)]
pub struct Outcome {
    /// What was read and stored: exactly what was committed, even when a batch failed (each
    /// batch is one transaction).
    pub summary: Summary,
    /// The store error that stopped the ingest; nothing after it was stored, nothing before
    /// it lost.
    pub failure: Option<StoreError>,
    /// The fusion after the ingest (not run after a failure): what it changed, or why it failed
    /// (the articles stay stored and the next fusion catches up).
    pub fusion: Option<Result<FusionCounts, StoreError>>,
    /// Seconds the fusion took.
    pub fusion_secs: f64,
}

impl Outcome {
    /// The summary and fusion counts, or the first error (storing, then fusing).
    pub fn into_result(self) -> Result<(Summary, FusionCounts), StoreError> {
        if let Some(e) = self.failure {
            return Err(e);
        }
        let fusion = self.fusion.unwrap_or_else(|| Ok(FusionCounts::default()))?;
        Ok((self.summary, fusion))
    }
}

/// Ingests what `source` pushes into the [`Ingester`] it is handed, then fuses what changed.
/// The fusion runs even when nothing new was stored, so that an ingest killed before its
/// fusion is caught up; with nothing stale it reads one index and writes nothing.
pub fn run(store: &mut dyn EventStore, policy: &Policy<'_>, source: impl FnOnce(&mut Ingester<'_>)) -> Outcome {
    if let Err(e) = store.set_cache_mib(Some(policy.cache_mib)) {
        return Outcome { summary: Summary::default(), failure: Some(e), fusion: None, fusion_secs: 0.0 };
    }
    let outcome = ingest_and_fuse(store, policy, source);
    // A failure to shrink the cache loses nothing: the connection only keeps more memory.
    let _ = store.set_cache_mib(None);
    outcome
}

/// [`run`] without its fusion (and without `reextract`), to measure storing alone
/// (`sitrep-bench ingest --no-fusion`); the next [`run`] fuses what this stored.
pub fn run_unfused(store: &mut dyn EventStore, policy: &Policy<'_>, source: impl FnOnce(&mut Ingester<'_>)) -> Outcome {
    if let Err(e) = store.set_cache_mib(Some(policy.cache_mib)) {
        return Outcome { summary: Summary::default(), failure: Some(e), fusion: None, fusion_secs: 0.0 };
    }
    let mut ingester = Ingester::new(store, policy.batch, policy.knowledge);
    source(&mut ingester);
    let (summary, failure) = ingester.finish();
    let _ = store.set_cache_mib(None);
    Outcome { summary, failure, fusion: None, fusion_secs: 0.0 }
}

fn ingest_and_fuse(store: &mut dyn EventStore, policy: &Policy<'_>, source: impl FnOnce(&mut Ingester<'_>)) -> Outcome {
    // Events stored by older rules are made again first, so that the new reports fuse with
    // reports read the same way.
    let reextracted = match reextract(store, policy, &mut |_, _| {}) {
        Ok(r) => r,
        Err(e) => return Outcome { summary: Summary::default(), failure: Some(e), fusion: None, fusion_secs: 0.0 },
    };
    let mut ingester = Ingester::new(store, policy.batch, policy.knowledge);
    ingester.summary.reextracted = reextracted.articles;
    source(&mut ingester);
    let (summary, failure) = ingester.finish();
    if failure.is_some() {
        return Outcome { summary, failure, fusion: None, fusion_secs: 0.0 };
    }
    let started = std::time::Instant::now();
    let fusion = crate::fuse::fuse_changed(store, policy.knowledge);
    Outcome { summary, failure: None, fusion: Some(fusion), fusion_secs: started.elapsed().as_secs_f64() }
}

/// What [`reextract`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reextracted {
    /// Articles extracted again.
    pub articles: usize,
    /// Their events now.
    pub events: usize,
    /// The fusion after (every stored event fused again).
    pub fusion: FusionCounts,
}

/// Extracts again every stored article whose events were made by other rules than this
/// build's ([`crate::knowledge::DATA_VERSION`]), in batches of `policy.batch` (each one
/// transaction: a killed run resumes where it stopped), then fuses the whole store again.
/// Event ids stay those of the article and the event's rank, as at ingest. `progress` is told
/// (done, total) after each batch. Nothing stale: nothing done, nothing written.
pub fn reextract(
    store: &mut dyn EventStore,
    policy: &Policy<'_>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Reextracted, StoreError> {
    let version = crate::knowledge::DATA_VERSION;
    let stale = store.stale_articles(version)?;
    let mut out = Reextracted::default();
    if stale.is_empty() {
        return Ok(out);
    }
    for chunk in stale.chunks(policy.batch.max(1)) {
        let mut articles = Vec::with_capacity(chunk.len());
        for id in chunk {
            if let Some(stored) = store.article(id)? {
                articles.push(stored.article);
            }
        }
        let batch: Vec<(String, Vec<Event>)> = articles.into_par_iter().map(|a| (a.id.clone(), policy.knowledge.events_of(&a))).collect();
        out.articles += batch.len();
        out.events += batch.iter().map(|(_, e)| e.len()).sum::<usize>();
        store.replace_events(&batch, version)?;
        progress(out.articles, stale.len());
    }
    out.fusion = crate::fuse::refuse_all(store, policy.knowledge)?;
    Ok(out)
}

/// [`run`] over articles at hand.
pub fn articles(store: &mut dyn EventStore, policy: &Policy<'_>, articles: impl IntoIterator<Item = Article>) -> Outcome {
    run(store, policy, |ing| {
        for a in articles {
            if !ing.push(a) {
                break;
            }
        }
    })
}

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
    /// Stored articles extracted again first, their events made by older rules
    /// ([`reextract`]).
    pub reextracted: usize,
    /// Seconds spent extracting (in parallel) and storing; the two overlap.
    pub extract_secs: f64,
    pub store_secs: f64,
}

/// Takes articles, in batches, to a store; made by [`run`].
pub struct Ingester<'s> {
    store: &'s mut dyn EventStore,
    /// The store error that stopped it: later articles are counted as read, not stored.
    stopped: Option<StoreError>,
    pending: Vec<Article>,
    /// Extracted, waiting to be stored while the next batch is extracted.
    ready: Option<Vec<(Article, Vec<Event>)>>,
    batch: usize,
    knowledge: &'s Knowledge<'s>,
    summary: Summary,
}

impl<'s> Ingester<'s> {
    /// An ingester committing every `batch` articles (at least 1), extracting with `knowledge`.
    fn new(store: &'s mut dyn EventStore, batch: usize, knowledge: &'s Knowledge<'s>) -> Self {
        Ingester { store, stopped: None, pending: Vec::new(), ready: None, batch: batch.max(1), knowledge, summary: Summary::default() }
    }

    /// Takes one article; stores a batch when one is full. False once a batch could not be
    /// stored: the ingest is over (its error is the [`Outcome`]'s failure), and the source
    /// should stop.
    pub fn push(&mut self, article: Article) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        self.summary.read += 1;
        self.pending.push(article);
        if self.pending.len() >= self.batch {
            if let Err(e) = self.flush() {
                self.stopped = Some(e);
            }
        }
        self.stopped.is_none()
    }

    /// Whether a store error stopped the ingest.
    pub fn stopped(&self) -> bool {
        self.stopped.is_some()
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
        let knowledge = self.knowledge;
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
                        let events = knowledge.events_of(&a);
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

    /// Stores everything pending; the summary counts exactly what was committed, and the error
    /// is the one that stopped the ingest, if one did.
    fn finish(mut self) -> (Summary, Option<StoreError>) {
        if let Some(e) = self.stopped.take() {
            return (self.summary, Some(e));
        }
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
    fn batches_skip_known_articles_count_everything_and_fuse() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let texts: Vec<String> = (0..7)
            .map(|i| format!("Title {i}\n\nISIS militants captured the town of Marea on Monday, killing {} rebels.\n", i + 2))
            .collect();
        let policy = Policy { batch: 3, ..Policy::default() };
        let out = run(&mut store, &policy, |ing| {
            for (i, t) in texts.iter().enumerate() {
                assert!(ing.push(article(&format!("{i}.txt"), t)));
            }
            ing.failed("bad.bin", "binary data");
        });
        let (s, fusion) = out.into_result().unwrap();
        assert_eq!((s.read, s.new, s.unchanged, s.events_added, s.failed.len()), (7, 7, 0, 7, 1));
        assert_eq!(fusion.created, fusion.fused_events);
        assert!(fusion.fused_events >= 1, "{fusion:?}");
        let again = articles(&mut store, &policy, texts.iter().enumerate().map(|(i, t)| article(&format!("{i}.txt"), t)));
        let (s, fusion) = again.into_result().unwrap();
        assert_eq!((s.read, s.new, s.unchanged, s.events_added), (7, 0, 7, 0));
        assert_eq!((fusion.created, fusion.updated, fusion.deleted), (0, 0, 0));
    }

    #[test]
    fn articles_of_older_rules_are_extracted_again_with_their_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = SqliteStore::open(&path).unwrap();
        let texts = [
            "Title\n\nISIS militants captured the town of Marea on Monday, killing 4 rebels.\n",
            "Title\n\nA car bomb exploded in Azaz on Sunday, killing 9 civilians.\n",
            "Title\n\nRegime aircraft struck Saraqib on Tuesday, killing 3 people.\n",
        ];
        let docs = || texts.iter().enumerate().map(|(i, t)| article(&format!("{i}.txt"), t));
        articles(&mut store, &Policy::default(), docs()).into_result().unwrap();
        let filter = crate::store::EventFilter { limit: 100, ..Default::default() };
        let ids = |s: &SqliteStore| s.events(&filter).unwrap().into_iter().map(|e| e.event_id).collect::<std::collections::BTreeSet<_>>();
        let (before, fused_before) = (ids(&store), store.fused_events(1, 100, 0).unwrap());
        assert_eq!(before.len(), 3);
        assert_eq!(store.stale_articles(crate::knowledge::DATA_VERSION).unwrap().len(), 0);
        // Older rules: one article's events lost, every row stamped with another version (and
        // one with none, as a store upgraded from before the stamp).
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("DELETE FROM events WHERE article_id = (SELECT min(id) FROM articles); UPDATE articles SET data_version = '2000.01.01'; UPDATE articles SET data_version = NULL WHERE id = (SELECT max(id) FROM articles);").unwrap();
        drop(c);
        assert_eq!(store.stale_articles(crate::knowledge::DATA_VERSION).unwrap().len(), 3);
        assert_eq!(ids(&store).len(), 2);
        // An ingest of nothing new catches up: the same events, ids and fused events.
        let out = articles(&mut store, &Policy::default(), docs());
        let (s, _) = out.into_result().unwrap();
        assert_eq!((s.reextracted, s.new, s.unchanged), (3, 0, 3));
        assert_eq!(ids(&store), before);
        assert_eq!(store.fused_events(1, 100, 0).unwrap(), fused_before);
        assert_eq!(store.stale_articles(crate::knowledge::DATA_VERSION).unwrap().len(), 0);
        // Nothing stale: nothing done.
        let again = reextract(&mut store, &Policy::default(), &mut |_, _| panic!("no batch")).unwrap();
        assert_eq!(again.articles, 0);
    }
}
