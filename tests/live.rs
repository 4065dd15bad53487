//! Following sources end to end through the binary: feeds polled from a local server the test
//! starts, alerts delivered to a local webhook receiver, watched folders.

use assert_cmd::Command;
use sitrep_core::localhttp::{Response, Server};
use std::sync::Arc;

fn sitrep() -> Command {
    let mut c = Command::cargo_bin("sitrep").unwrap();
    c.env_remove("SITREP_DB");
    c
}

fn page(place: &str, killed: u32) -> String {
    format!(
        "<html><head><title>{place}</title></head><body><article>\n<h1>Fighting in {place}</h1>\n\
         <p>ISIS militants captured the town of {place} on Monday, killing {killed} rebels, a monitor said.</p>\n\
         <p>Residents of {place} said the fighting went on into the night.</p>\n</article></body></html>"
    )
}

fn rss(base: &str, items: &[&str]) -> String {
    let items: String = items
        .iter()
        .map(|p| {
            format!(
                "<item><title>Report from {p}</title><link>{base}/page/{p}</link><pubDate>Mon, 07 Mar 2016 10:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local Wire</title><link>{base}/</link>{items}</channel></rss>")
}

/// A server with a good feed (two pages) and a failing one.
fn feed_server() -> Server {
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let b = base.clone();
    let s = Server::start(move |req| {
        let base = b.get().cloned().unwrap_or_default();
        match req.path.as_str() {
            "/feed.xml" => Response::new(200, "application/rss+xml", rss(&base, &["Marea", "Azaz"])),
            "/broken.xml" => Response::new(500, "text/plain", "down"),
            p if p.starts_with("/page/") => Response::new(200, "text/html", page(&p[6..], 5)),
            _ => Response::new(404, "text/plain", ""),
        }
    })
    .unwrap();
    base.set(s.url("")).unwrap();
    s
}

const FAST: &[&str] = &["--timeout", "2s", "--retries", "0", "--host-delay", "0s", "--backoff", "10ms"];

#[test]
fn feeds_add_list_poll_remove() {
    let srv = feed_server();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    sitrep().args(["feeds", "add", &srv.url("/feed.xml"), "--name", "local", "--db", db]).assert().success();
    sitrep().args(["feeds", "add", &srv.url("/broken.xml"), "--db", db]).assert().success();
    let out = sitrep().args(["feeds", "add", &srv.url("/feed.xml"), "--db", db]).assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&out).contains("followed already"));
    sitrep().args(["feeds", "add", "not-a-url", "--db", db]).assert().code(2);

    let out = sitrep().args(["feeds", "poll", "--db", db]).args(FAST).assert().code(1).get_output().clone();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("local: 2 items, 2 new"), "{stdout}");
    assert!(stdout.contains("stored 2 new articles"), "{stdout}");
    assert!(stderr.contains("/broken.xml: HTTP 500"), "{stderr}");

    let out = sitrep().args(["feeds", "list", "--db", db]).assert().success().get_output().stdout.clone();
    let list = String::from_utf8_lossy(&out);
    assert!(list.contains("(local)") && list.contains("items 2"), "{list}");
    assert!(list.contains("FAILING (1 in a row): ") && list.contains("HTTP 500") && list.contains("next try 20"), "{list}");

    // Polled again: nothing new, the failing feed waits for its next try.
    let out = sitrep().args(["feeds", "poll", "--db", db]).args(FAST).assert().success().get_output().stdout.clone();
    let stdout = String::from_utf8_lossy(&out);
    assert!(stdout.contains("local: 2 items, 0 new") && stdout.contains("failing, next try"), "{stdout}");

    sitrep().args(["feeds", "remove", "local", "--db", db]).assert().success();
    sitrep().args(["feeds", "remove", "local", "--db", db]).assert().code(1);
    let out = sitrep().args(["events", "--db", db, "--format", "jsonl"]).assert().success().get_output().stdout.clone();
    assert_eq!(String::from_utf8_lossy(&out).lines().count(), 2, "the items' events stay stored");
}
