//! Following news feeds: RSS 2.0, Atom and JSON Feed (feed-rs) polled over HTTP
//! ([`fetch::Fetcher`]); each new item's page is fetched and read through the HTML path, the
//! item's own title, date, author and URL winning over the page's; the articles are ingested
//! and fused like any others.
//!
//! State lives in the store (`store/live.rs`): the feeds with their validators (ETag,
//! Last-Modified) and failures, and the items seen by URL across all feeds. An item whose
//! article is already stored under another URL (same content id) is not stored twice. A feed
//! that fails is retried later with a growing wait (shown by `sitrep feeds list`); the others
//! go on.

pub mod fetch;

use crate::ingest::Summary;
pub use crate::model::live::Feed;
use crate::model::{Article, Published};
use crate::store::live::FeedPoll;
use crate::store::{FusionCounts, Store, StoreError};
use fetch::{FetchError, Fetched, Fetcher, Validators};
use serde::Serialize;
use std::time::Duration;

/// One item of a feed, as the feed gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub url: String,
    pub title: Option<String>,
    pub published: Option<Published>,
    pub author: Option<String>,
    /// The item's own text (HTML or plain), used when its page cannot be read.
    pub content: Option<String>,
}

/// A parsed feed: its title and items with a URL (items without one are counted).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub title: Option<String>,
    pub items: Vec<Item>,
    pub without_url: usize,
}

/// Reads RSS (0.9x, 1.0, 2.0), Atom or JSON Feed bytes.
pub fn parse(bytes: &[u8], base: &str) -> Result<Parsed, String> {
    let feed = feed_rs::parser::Builder::new().base_uri(Some(base)).build().parse(bytes).map_err(|e| e.to_string())?;
    let mut items = Vec::new();
    let mut without_url = 0;
    for e in feed.entries {
        let link = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(e.links.first())
            .map(|l| l.href.trim().to_string())
            .or_else(|| e.id.starts_with("http").then(|| e.id.clone()));
        let Some(url) = link.filter(|u| fetch::origin(u).is_some()) else {
            without_url += 1;
            continue;
        };
        let published = e.published.or(e.updated).map(|d| Published { date: d.date_naive(), time: Some(d.time()) });
        let clean = |s: &str| crate::read::meta::clean_text(s);
        items.push(Item {
            url,
            title: e.title.as_ref().and_then(|t| clean(&t.content)),
            published,
            author: e.authors.iter().find_map(|p| p.name.as_deref().and_then(person)),
            content: e.content.and_then(|c| c.body).or(e.summary.map(|s| s.content)).filter(|s| !s.trim().is_empty()),
        });
    }
    Ok(Parsed { title: feed.title.and_then(|t| crate::read::meta::clean_text(&t.content)), items, without_url })
}

/// A person's name as feeds write it: RSS's "desk@example.org (Jane Doe)" leaves
/// "(Jane Doe)"; a bare address is no name.
fn person(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix('(').and_then(|s| s.strip_suffix(')')).unwrap_or(s);
    if s.contains('@') && !s.contains(' ') {
        return None;
    }
    crate::read::meta::clean_text(s)
}

/// How polling behaves.
#[derive(Debug, Clone)]
pub struct PollOptions {
    /// The wait after a feed's first failure; doubled for each next one.
    pub retry_after: Duration,
    /// The longest wait between tries of a failing feed.
    pub max_retry_after: Duration,
    /// Tries of an item whose page fails, over successive polls, before it is given up.
    pub item_attempts: u32,
    /// Items read per feed and poll at most (a feed's first poll can be long).
    pub max_items: usize,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            retry_after: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(6 * 3600),
            item_attempts: 3,
            max_items: 200,
        }
    }
}

/// How one feed's poll went.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FeedStatus {
    /// Answered 304.
    NotModified,
    /// Read: items in it, new ones read, pages that could not be read.
    Read {
        items: usize,
        new: usize,
        failed: usize,
    },
    /// Not due yet (failing: waiting for its next try).
    Waiting {
        next_try: String,
    },
    Failed {
        error: String,
    },
}

/// One feed's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct FeedReport {
    pub feed: String,
    #[serde(flatten)]
    pub status: FeedStatus,
}

/// What a poll of every feed did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PollReport {
    pub feeds: Vec<FeedReport>,
    /// Items whose page (and own text) could not be read: URL and why.
    pub item_errors: Vec<(String, String)>,
    pub ingest: Summary,
    pub fusion: FusionCounts,
}

/// An item's article: its page read through the HTML path, the item's own title, date, author
/// and URL winning over the page's.
pub fn article_of(item: &Item, page: Option<(&[u8], Option<&str>)>, feed_title: Option<&str>) -> Result<Article, String> {
    use crate::read::{decode, html, RawDoc};
    let doc = match page {
        Some((bytes, content_type)) => {
            let text = decode::decode(bytes, false).map_err(|k| format!("{}: {k}", item.url))?;
            let is_html =
                content_type.is_some_and(|c| c.contains("html")) || crate::read::detect(&item.url, &text) == crate::model::Format::Html;
            if is_html {
                html::read(&item.url, &text).map_err(|k| format!("{}: {k}", item.url))?
            } else {
                RawDoc::plain(&item.url, crate::model::Format::Text, text, false)
            }
        }
        None => {
            let content = item.content.as_deref().ok_or_else(|| format!("{}: the item has no text of its own", item.url))?;
            html::read(&item.url, content).map_err(|k| format!("{}: {k}", item.url))?
        }
    };
    let doc = RawDoc {
        title: item.title.clone().or(doc.title),
        published: item.published.or(doc.published),
        byline: item.author.clone().or(doc.byline),
        url: Some(item.url.clone()),
        source: doc.source.or_else(|| feed_title.map(String::from)),
        ..doc
    };
    let kb = crate::knowledge::Boilerplate::builtin();
    crate::clean::clean(doc, kb, crate::knowledge::Outlets::builtin(), Default::default()).map_err(|k| format!("{}: {k}", item.url))
}

/// When a feed that has failed `failures` times in a row is tried again.
fn next_try(failures: u32, opts: &PollOptions) -> String {
    let wait = opts.retry_after.saturating_mul(1u32 << failures.min(16)).min(opts.max_retry_after);
    let at = chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6));
    crate::store::live::stamp(at)
}

/// Polls every feed that is due once: new items read and ingested, then fused. A failing feed
/// is recorded (error, next try) and the others go on; a store error stops the poll.
pub fn poll_once(store: &mut dyn Store, fetcher: &Fetcher, opts: &PollOptions) -> Result<PollReport, StoreError> {
    let mut report = PollReport::default();
    let now = crate::store::live::now();
    let mut articles: Vec<(i64, String, Article)> = Vec::new();
    for feed in store.feeds()? {
        if let Some(t) = feed.next_try.as_ref().filter(|t| **t > now) {
            report.feeds.push(FeedReport { feed: feed.label().to_string(), status: FeedStatus::Waiting { next_try: t.clone() } });
            continue;
        }
        let status = match poll_feed(store, fetcher, opts, &feed, &mut articles, &mut report.item_errors) {
            Ok((status, poll)) => {
                store.feed_polled(feed.id, &poll)?;
                status
            }
            Err(Failure::Store(e)) => return Err(e),
            Err(Failure::Feed(error)) => {
                store.feed_polled(feed.id, &FeedPoll::Failed { error: error.clone(), next_try: next_try(feed.failures, opts) })?;
                FeedStatus::Failed { error }
            }
        };
        report.feeds.push(FeedReport { feed: feed.label().to_string(), status });
    }
    // Ingest what came, then mark the items done (an item is seen once its article is stored).
    let outcome = crate::ingest::articles(store, &crate::ingest::Policy::default(), articles.iter().map(|(_, _, a)| a.clone()));
    (report.ingest, report.fusion) = outcome.into_result()?;
    for (feed_id, url, a) in &articles {
        store.feed_item_done(url, *feed_id, &a.id)?;
    }
    Ok(report)
}

enum Failure {
    Feed(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<FetchError> for Failure {
    fn from(e: FetchError) -> Self {
        Failure::Feed(e.to_string())
    }
}

fn poll_feed(
    store: &mut dyn Store,
    fetcher: &Fetcher,
    opts: &PollOptions,
    feed: &Feed,
    articles: &mut Vec<(i64, String, Article)>,
    item_errors: &mut Vec<(String, String)>,
) -> Result<(FeedStatus, FeedPoll), Failure> {
    let validators = Validators { etag: feed.etag.clone(), last_modified: feed.last_modified.clone() };
    let (bytes, base, validators) = match fetcher.get(&feed.url, &validators)? {
        Fetched::NotModified => return Ok((FeedStatus::NotModified, FeedPoll::Ok { etag: None, last_modified: None, new_items: 0 })),
        Fetched::Body { bytes, url, validators, .. } => (bytes, url, validators),
    };
    let parsed = parse(&bytes, &base).map_err(|e| Failure::Feed(format!("{}: not a feed (RSS, Atom or JSON Feed): {e}", feed.url)))?;
    // The outlet when the page names none: the feed's own title (the user's name for it is a label).
    let title = parsed.title.clone().or(feed.name.clone());
    let (mut new, mut failed) = (0, 0);
    for item in parsed.items.iter() {
        if new + failed >= opts.max_items {
            break;
        }
        if store.feed_item(&item.url)?.is_some_and(|s| s.done) || articles.iter().any(|(_, u, _)| *u == item.url) {
            continue;
        }
        let page = fetcher.get(&item.url, &Validators::default());
        let article = match &page {
            Ok(Fetched::Body { bytes, content_type, .. }) => article_of(item, Some((bytes, content_type.as_deref())), title.as_deref()),
            Ok(Fetched::NotModified) => Err(format!("{}: answered 304 to an unconditional GET", item.url)),
            Err(e) => Err(e.to_string()),
        };
        // A page that cannot be read: the item's own text, when it has some.
        let article =
            article.or_else(|e| if item.content.is_some() { article_of(item, None, title.as_deref()).map_err(|_| e) } else { Err(e) });
        match article {
            Ok(a) => {
                new += 1;
                articles.push((feed.id, item.url.clone(), a));
            }
            Err(e) => {
                failed += 1;
                store.feed_item_failed(&item.url, feed.id, &e, opts.item_attempts)?;
                item_errors.push((item.url.clone(), e));
            }
        }
    }
    let poll = FeedPoll::Ok { etag: validators.etag, last_modified: validators.last_modified, new_items: new as u64 };
    Ok((FeedStatus::Read { items: parsed.items.len(), new, failed }, poll))
}

#[cfg(test)]
mod tests;
