//! Feeds against a local server started by the test: every kind of feed, every kind of
//! failure, conditional GET, deduplication.

use super::fetch::{FetchOptions, Fetcher};
use super::*;
use crate::localhttp::{Response, Server};
use crate::store::{EventStore, LiveStore, SqliteStore};
use std::time::Duration;

fn page(title: &str, place: &str, killed: u32) -> String {
    format!(
        "<html><head><title>Page title {title}</title><meta name=\"author\" content=\"Page Author\"></head><body><article>\n\
         <h1>Page title {title}</h1>\n\
         <p>ISIS militants captured the town of {place} on Monday, killing {killed} rebels, a monitor said.</p>\n\
         <p>The fighting went on into the night, residents of {place} told reporters by telephone.</p>\
         </article></body></html>"
    )
}

fn rss(base: &str, items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(path, title)| {
            format!(
                "<item><title>{title}</title><link>{base}{path}</link><pubDate>Mon, 07 Mar 2016 10:00:00 GMT</pubDate>\
                 <author>desk@example.org (Item Author)</author><guid>{base}{path}</guid></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Test Wire</title><link>{base}/</link><description>d</description>{items}</channel></rss>")
}

fn atom(base: &str, path: &str, title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom Wire</title><id>urn:x</id>\
         <updated>2016-03-07T10:00:00Z</updated><entry><title>{title}</title><link href=\"{base}{path}\"/><id>urn:1</id>\
         <updated>2016-03-07T11:00:00Z</updated><author><name>Atom Author</name></author></entry></feed>"
    )
}

fn json_feed(base: &str, path: &str, title: &str) -> String {
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON Wire",
        "items": [{"id": "1", "url": format!("{base}{path}"), "title": title, "date_published": "2016-03-07T12:00:00Z",
                   "authors": [{"name": "Json Author"}]}]
    })
    .to_string()
}

fn options() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_millis(500),
        max_bytes: 64 * 1024,
        redirects: 3,
        retries: 1,
        backoff: Duration::from_millis(10),
        host_delay: Duration::ZERO,
        ..FetchOptions::default()
    }
}

/// The server: feeds of each kind, pages, and each failure.
fn server() -> Server {
    let base = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let b = base.clone();
    let server = Server::start(move |req| {
        let base = b.get().cloned().unwrap_or_default();
        let xml = "application/rss+xml";
        match req.path.as_str() {
            "/robots.txt" => Response::new(200, "text/plain", "User-agent: *\nDisallow: /private/\n"),
            "/rss.xml" => Response::new(200, xml, rss(&base, &[("/a1", "Item title one"), ("/a2", "Item title two")])),
            "/atom.xml" => Response::new(200, "application/atom+xml", atom(&base, "/a3", "Item title three")),
            "/feed.json" => Response::new(200, "application/feed+json", json_feed(&base, "/a4", "Item title four")),
            "/again.xml" => Response::new(200, xml, rss(&base, &[("/a1", "Item title one"), ("/a1-copy", "Item title one")])),
            "/bad.xml" => Response::new(200, xml, "<rss><channel><item><title>cut off"),
            "/500.xml" => Response::new(500, "text/plain", "boom"),
            "/slow.xml" => Response::new(200, xml, rss(&base, &[])).delayed(Duration::from_secs(2)),
            "/loop.xml" => Response::new(302, "text/plain", "").header("Location", "/loop.xml"),
            "/big.xml" => Response::new(200, xml, rss(&base, &[("/big", "A big page")])),
            "/private/feed.xml" => Response::new(200, xml, rss(&base, &[])),
            "/etag.xml" => {
                if req.header("if-none-match") == Some("\"v1\"") {
                    Response::new(304, xml, "")
                } else {
                    Response::new(200, xml, rss(&base, &[("/a5", "Item title five")])).header("ETag", "\"v1\"")
                }
            }
            "/a1" | "/a1-copy" => Response::new(200, "text/html", page("one", "Marea", 4)),
            "/a2" => Response::new(200, "text/html", page("two", "Azaz", 5)),
            "/a3" => Response::new(200, "text/html", page("three", "Manbij", 6)),
            "/a4" => Response::new(200, "text/html", page("four", "Tadef", 7)),
            "/a5" => Response::new(200, "text/html", page("five", "Jarablus", 8)),
            "/big" => Response::new(200, "text/html", format!("<html><body><p>{}</p></body></html>", "word ".repeat(30_000))),
            _ => Response::new(404, "text/plain", "not found"),
        }
    })
    .unwrap();
    base.set(server.url("")).unwrap();
    server
}

#[test]
fn every_feed_kind_and_every_failure_each_a_clear_line_and_the_good_feeds_ingested() {
    let srv = server();
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    for path in [
        "/rss.xml",
        "/atom.xml",
        "/feed.json",
        "/bad.xml",
        "/500.xml",
        "/slow.xml",
        "/loop.xml",
        "/big.xml",
        "/private/feed.xml",
        "/etag.xml",
    ] {
        store.add_feed(&srv.url(path), None).unwrap();
    }
    assert!(store.add_feed(&srv.url("/rss.xml"), None).unwrap_err().to_string().contains("followed already"));
    let fetcher = Fetcher::new(options());
    let r = poll_once(&mut store, &fetcher, &PollOptions::default()).unwrap();
    let status = |p: &str| r.feeds.iter().find(|f| f.feed == srv.url(p)).map(|f| f.status.clone()).unwrap();
    let error = |p: &str| match status(p) {
        FeedStatus::Failed { error } => error,
        s => panic!("{p}: {s:?}"),
    };
    assert_eq!(status("/rss.xml"), FeedStatus::Read { items: 2, new: 2, failed: 0 });
    assert_eq!(status("/atom.xml"), FeedStatus::Read { items: 1, new: 1, failed: 0 });
    assert_eq!(status("/feed.json"), FeedStatus::Read { items: 1, new: 1, failed: 0 });
    assert_eq!(status("/etag.xml"), FeedStatus::Read { items: 1, new: 1, failed: 0 });
    assert!(error("/bad.xml").contains("not a feed (RSS, Atom or JSON Feed)"), "{}", error("/bad.xml"));
    assert!(error("/500.xml").contains("HTTP 500 Internal Server Error"), "{}", error("/500.xml"));
    assert!(error("/slow.xml").contains("timed out"), "{}", error("/slow.xml"));
    assert!(error("/loop.xml").contains("redirects (a redirect loop?)"), "{}", error("/loop.xml"));
    assert!(error("/private/feed.xml").contains("robots.txt"), "{}", error("/private/feed.xml"));
    assert_eq!(status("/big.xml"), FeedStatus::Read { items: 1, new: 0, failed: 1 });
    assert_eq!(r.item_errors.len(), 1);
    assert!(r.item_errors[0].1.contains("over the size cap of 65536 bytes"), "{:?}", r.item_errors);
    let failures = r.feeds.iter().filter_map(|f| match &f.status {
        FeedStatus::Failed { error } => Some(error.clone()),
        _ => None,
    });
    for e in failures.chain(r.item_errors.iter().map(|(_, e)| e.clone())) {
        assert!(!e.contains('\n') && e.contains("http://127.0.0.1:"), "one line naming the URL: {e}");
    }
    // The good feeds' items are stored, with the item's own metadata.
    assert_eq!(r.ingest.new, 5);
    assert!(r.fusion.created > 0);
    assert_eq!(store.counts().unwrap().0, 5);
    let events = store.events(&crate::store::EventFilter { limit: 100, ..Default::default() }).unwrap().len();
    assert!(events >= 5, "events of the five pages: {events}");
    let ids = store.article_ids().unwrap();
    let stored: Vec<Article> = ids.iter().map(|id| store.article(id).unwrap().unwrap().article).collect();
    let one = stored.iter().find(|a| a.url.as_deref() == Some(srv.url("/a1").as_str())).unwrap();
    assert_eq!(one.title.as_deref(), Some("Item title one"));
    assert_eq!(one.byline.as_deref(), Some("Item Author"), "{one:?}");
    assert_eq!(one.published.map(|p| p.to_string()).as_deref(), Some("2016-03-07T10:00:00"));
    let four = stored.iter().find(|a| a.url.as_deref() == Some(srv.url("/a4").as_str())).unwrap();
    assert_eq!((four.title.as_deref(), four.byline.as_deref()), (Some("Item title four"), Some("Json Author")));

    // The failing feeds are shown with their error and next try.
    let feeds = store.feeds().unwrap();
    let slow = feeds.iter().find(|f| f.url.ends_with("/slow.xml")).unwrap();
    assert_eq!(slow.failures, 1);
    assert!(slow.last_error.as_deref().unwrap().contains("timed out") && slow.next_try.is_some());
    let good = feeds.iter().find(|f| f.url.ends_with("/rss.xml")).unwrap();
    assert_eq!((good.failures, good.items, good.last_error.is_none()), (0, 2, true));
    assert_eq!(feeds.iter().find(|f| f.url.ends_with("/etag.xml")).unwrap().etag.as_deref(), Some("\"v1\""));

    // A second poll: the unchanged feed answers 304, no page is fetched again, the failing
    // feeds wait for their next try.
    let pages_before = srv.requests().iter().filter(|q| q.path.starts_with("/a") && !q.path.contains('.')).count();
    let r = poll_once(&mut store, &fetcher, &PollOptions::default()).unwrap();
    assert_eq!(status_of(&r, &srv.url("/etag.xml")), FeedStatus::NotModified);
    assert_eq!(status_of(&r, &srv.url("/rss.xml")), FeedStatus::Read { items: 2, new: 0, failed: 0 });
    assert!(matches!(status_of(&r, &srv.url("/500.xml")), FeedStatus::Waiting { .. }));
    assert_eq!(srv.requests().iter().filter(|q| q.path.starts_with("/a") && !q.path.contains('.')).count(), pages_before);
    assert_eq!(r.ingest.new, 0);
    let etag_requests: Vec<_> = srv.requests().into_iter().filter(|q| q.path == "/etag.xml").collect();
    assert_eq!(etag_requests.last().unwrap().header("if-none-match"), Some("\"v1\""));
    assert!(srv.requests().iter().all(|q| q.header("user-agent").is_some_and(|u| u.starts_with("sitrep/"))));

    // Another feed carrying the same item (same URL) and the same story under another URL
    // (same content id): nothing stored twice.
    store.add_feed(&srv.url("/again.xml"), Some("again")).unwrap();
    let r = poll_once(&mut store, &fetcher, &PollOptions::default()).unwrap();
    assert_eq!(status_of(&r, "again"), FeedStatus::Read { items: 2, new: 1, failed: 0 });
    assert_eq!((r.ingest.new, r.ingest.unchanged), (0, 1));
    assert_eq!(store.counts().unwrap().0, 5);
    assert!(store.remove_feed("again").unwrap().is_some());
    assert!(store.remove_feed("again").unwrap().is_none());
}

fn status_of(r: &PollReport, feed: &str) -> FeedStatus {
    r.feeds.iter().find(|f| f.feed == feed).map(|f| f.status.clone()).unwrap()
}

#[test]
fn an_item_whose_page_fails_is_read_from_its_own_text() {
    let parsed = parse(
        b"<rss version=\"2.0\"><channel><title>W</title><item><title>T</title><link>http://127.0.0.1:9/x</link>\
          <description>&lt;p&gt;ISIS militants captured the town of Marea on Monday, killing 4 rebels.&lt;/p&gt;</description></item>\
          <item><title>no link</title></item></channel></rss>",
        "http://127.0.0.1:9/",
    )
    .unwrap();
    assert_eq!((parsed.items.len(), parsed.without_url), (1, 1));
    let a = article_of(&parsed.items[0], None, parsed.title.as_deref()).unwrap();
    assert_eq!(a.title.as_deref(), Some("T"));
    assert!(a.body().contains("Marea"), "{}", a.body());
}
