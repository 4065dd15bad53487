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

/// A webhook receiver that answers 503 to its first `fail_first` requests.
fn receiver(fail_first: usize) -> Server {
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Server::start(move |_| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < fail_first {
            Response::new(503, "text/plain", "busy")
        } else {
            Response::new(204, "text/plain", "")
        }
    })
    .unwrap()
}

#[test]
fn alerts_from_an_ingest_one_signed_delivery_each_and_a_flaky_receiver_on_its_third_try() {
    let hook = receiver(0);
    let flaky = receiver(2);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("a.txt"), "Marea falls\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n").unwrap();
    std::fs::write(docs.join("b.txt"), "Azaz\n\nISIS militants captured the town of Azaz on Monday, killing 3 rebels.\n").unwrap();
    let jsonl = dir.path().join("out.jsonl");
    sitrep().args(["alerts", "add", "all", "--webhook", &hook.url("/h"), "--secret", "k1", "--db", db]).assert().success();
    sitrep()
        .args(["alerts", "add", "deadly", "--min-fatalities", "10", "--webhook", &flaky.url("/h"), "--secret", "k2", "--db", db])
        .assert()
        .success();
    sitrep().args(["alerts", "add", "isis-file", "--actor", "Daesh", "--file", jsonl.to_str().unwrap(), "--db", db]).assert().success();
    let out =
        sitrep().args(["alerts", "add", "bad", "--type", "Battle", "--file", "x.jsonl", "--db", db]).assert().code(2).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"Battle\""));
    sitrep().args(["alerts", "add", "nowhere", "--db", db]).assert().code(2);

    let out = sitrep()
        .args(["ingest", "--quiet", "--db", db, "--delivery-backoff", "20ms"])
        .arg(&docs)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("alerts: 5 matched, 5 delivered, 0 pending"), "{}", String::from_utf8_lossy(&out));
    let got = hook.requests();
    assert_eq!(got.len(), 2, "one delivery per fused event");
    for r in &got {
        assert!(sitrep_core::alerts::verify("k1", &r.body, r.header("x-sitrep-signature").unwrap()));
    }
    let places: std::collections::BTreeSet<String> = got
        .iter()
        .map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["event"]["location"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(places.into_iter().collect::<Vec<_>>(), ["Azaz", "Marea"]);
    let tries = flaky.requests();
    assert_eq!(tries.len(), 3, "two failures, then delivered on the third try");
    assert!(tries.iter().all(|r| sitrep_core::alerts::verify("k2", &r.body, r.header("x-sitrep-signature").unwrap())));
    assert_eq!(std::fs::read_to_string(&jsonl).unwrap().lines().count(), 2);

    // The same files again: nothing new to tell.
    sitrep().args(["ingest", "--quiet", "--db", db]).arg(&docs).assert().success();
    assert_eq!(hook.requests().len(), 2);
    let out = sitrep().args(["alerts", "list", "--db", db]).assert().success().get_output().stdout.clone();
    let list = String::from_utf8_lossy(&out);
    assert!(list.contains("deadly: {\"min_fatalities\":10} -> webhook") && list.contains("deliveries: delivered 1"), "{list}");
    let out = sitrep().args(["alerts", "log", "--db", db]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).contains("deadly") && String::from_utf8_lossy(&out).contains("attempts 3"));
    sitrep().args(["alerts", "remove", "deadly", "--db", db]).assert().success();
    sitrep().args(["alerts", "remove", "deadly", "--db", db]).assert().code(1);
}

#[test]
fn a_delivery_that_keeps_failing_is_reported_and_the_ingest_stands() {
    let down = receiver(usize::MAX);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    let doc = dir.path().join("a.txt");
    std::fs::write(&doc, "Marea falls\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n").unwrap();
    sitrep().args(["alerts", "add", "down", "--webhook", &down.url("/h"), "--db", db]).assert().success();
    let out = sitrep()
        .args(["ingest", "--quiet", "--db", db, "--delivery-backoff", "10ms", "--delivery-attempts", "2"])
        .arg(&doc)
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("alert down: delivery of F") && stderr.contains("failed after its last attempt") && stderr.contains("HTTP 503"),
        "{stderr}"
    );
    let out = sitrep().args(["alerts", "list", "--db", db]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).contains("deliveries: failed 1"));
    let out = sitrep().args(["events", "--db", db, "--format", "jsonl"]).assert().success().get_output().stdout.clone();
    assert_eq!(String::from_utf8_lossy(&out).lines().count(), 1);
}

#[test]
fn watch_ingests_a_file_written_in_pieces_once_whole() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let db = dir.path().join("t.db");
    let bin = assert_cmd::cargo::cargo_bin("sitrep");
    let mut child = std::process::Command::new(bin)
        .args(["watch", "--settle", "1s", "--db"])
        .arg(&db)
        .arg(&inbox)
        .env_remove("SITREP_DB")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its first line says it watches.
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert!(line.starts_with("watching "), "{line}");
    let mut f = std::fs::File::create(inbox.join("story.txt")).unwrap();
    for piece in ["Marea falls\n\nISIS militants captured the town ", "of Marea on Monday, killing 12 rebels, ", "a monitor said.\n"] {
        f.write_all(piece.as_bytes()).unwrap();
        f.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(f);
    // The round's line, then a quiet while: one round only.
    line.clear();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert!(line.starts_with("1 files: 1 articles read, 1 new"), "{line}");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap();
    let _ = child.wait();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(!rest.contains("files:"), "read once: {rest}");
    let out = sitrep().args(["events", "--format", "jsonl", "--db"]).arg(&db).assert().success().get_output().stdout.clone();
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["fatalities"], 12, "the whole file: {:?}", events[0]);
}

#[test]
fn serve_poll_ingests_the_feeds_beside_the_api() {
    let srv = feed_server();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    sitrep().args(["feeds", "add", &srv.url("/feed.xml"), "--db"]).arg(&db).assert().success();
    let bin = assert_cmd::cargo::cargo_bin("sitrep");
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--poll", "--every", "1s"])
        .args(FAST)
        .arg("--db")
        .arg(&db)
        .env_remove("SITREP_DB")
        .env_remove("SITREP_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut err, &mut line).unwrap();
    let base = line.trim().rsplit_once(" on ").map(|(_, a)| a.to_string()).unwrap_or_else(|| panic!("{line}"));
    let end = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut total = String::new();
    while std::time::Instant::now() < end {
        if let Ok(r) = ureq::get(&format!("{base}/healthz")).call() {
            let v: serde_json::Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
            total = v["events"].to_string();
            if total == "2" {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(total, "2", "the feed's two items, served");
}
