//! The map page in a real browser: Debian's chromium driven headless through chromedriver
//! (WebDriver, spoken here with a plain HTTP client). `sitrep serve` runs on a generated store
//! of 5,000 events or more (the seed fixtures copied, `SITREP_MAP_EVENTS` to choose how many:
//! 100000 to measure): the page must cluster and draw every placed event, show the timeline,
//! open an event's card with its evidence sentence on a click, change its markers when a
//! filter is applied, and draw the control layer with its legend. It prints how long drawing
//! the markers took after the data arrived.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`),
//! so it is ignored by default; `.ci/run` installs both and runs it with
//! `cargo test --test browser -- --ignored`. The screenshot lands in
//! `target/browser-artifacts/map.png`.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let t = Instant::now();
    while t.elapsed() < timeout {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

/// A WebDriver session.
struct Browser {
    base: String,
    session: String,
}

impl Browser {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = ureq::request(method, &url);
        let r = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        match r {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].clone(),
            Err(ureq::Error::Status(code, r)) => panic!("WebDriver {method} {path}: {code} {}", r.into_string().unwrap_or_default()),
            Err(e) => panic!("WebDriver {method} {path}: {e}"),
        }
    }

    fn js(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    fn find(&self, css: &str) -> String {
        let v = self.call("POST", "/element", Some(json!({ "using": "css selector", "value": css })));
        v.as_object().unwrap().values().next().unwrap().as_str().unwrap().to_string()
    }

    fn click(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), Some(json!({})));
    }

    fn wait_ready(&self) {
        wait_for("the page to load its events", Duration::from_secs(30), || {
            self.js("return document.body.dataset.ready === '1'") == json!(true)
        });
    }
}

fn api(base: &str, path: &str) -> Value {
    ureq::get(&format!("{base}{path}")).call().unwrap().into_json().unwrap()
}

#[test]
#[ignore = "needs chromium and chromedriver; .ci/run installs them and runs this"]
fn the_map_shows_the_events_and_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("map.db");
    let want_events = std::env::var("SITREP_MAP_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5000usize);
    let held = common::generated_store(&db, want_events.max(5000));
    let bin = assert_cmd::cargo::cargo_bin("sitrep");

    let port = free_port();
    let _server = Kill(
        Command::new(&bin)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--db"])
            .arg(&db)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let site = format!("http://127.0.0.1:{port}");
    wait_for("sitrep serve", Duration::from_secs(30), || ureq::get(&format!("{site}/healthz")).call().is_ok());

    let driver_port = free_port();
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let _driver =
        Kill(Command::new(&driver).arg(format!("--port={driver_port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let wd = format!("http://127.0.0.1:{driver_port}");
    wait_for("chromedriver", Duration::from_secs(30), || {
        ureq::get(&format!("{wd}/status"))
            .call()
            .ok()
            .and_then(|r| r.into_json::<Value>().ok())
            .is_some_and(|v| v["value"]["ready"] == json!(true))
    });
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1400,900"]
    }}}});
    let session: Value = ureq::post(&format!("{wd}/session")).send_json(caps).unwrap().into_json().unwrap();
    let b = Browser { base: wd.clone(), session: session["value"]["sessionId"].as_str().unwrap().to_string() };

    // The page loads, clusters and draws every placed event, and the timeline of the store.
    b.call("POST", "/url", Some(json!({ "url": format!("{site}/") })));
    b.wait_ready();
    let points = api(&site, "/api/points");
    assert_eq!(points["total"].as_u64(), Some(held));
    let want = points["count"].as_u64().unwrap() as usize;
    assert!(want >= 5000 || held < 5000, "{want} placed of {held}");
    assert_eq!(b.js("return document.body.dataset.markers"), json!(want.to_string()));
    assert_eq!(b.js("return document.body.dataset.drawn"), json!("1"));
    let status = b.js("return document.getElementById('count').textContent").as_str().unwrap().to_string();
    assert!(!status.contains("error") && status.contains(&format!("{held} events")), "{status}");
    let clusters = b.js("return document.querySelectorAll('.marker-cluster').length").as_u64().unwrap();
    assert!(clusters > 0, "clustered at this size");
    let in_clusters = b
        .js("return Array.from(document.querySelectorAll('.marker-cluster span')).reduce((a, s) => a + Number(s.textContent), 0)")
        .as_u64()
        .unwrap() as usize;
    let single = b.js("return document.querySelectorAll('path.ev-marker').length").as_u64().unwrap() as usize;
    assert!(in_clusters + single <= want && in_clusters + single > want / 2, "{in_clusters} in clusters + {single} of {want}");
    let draw_ms = b.js("return document.body.dataset.drawMs").as_str().unwrap().parse::<u64>().unwrap();
    eprintln!("map: {held} events, {want} placed: markers drawn {draw_ms} ms after the data arrived");
    let bars = b.js("return document.querySelectorAll('#timeline rect.bar').length").as_u64().unwrap();
    assert!(bars > 50, "the timeline has its bars: {bars}");
    let timeline = api(&site, "/api/timeline");
    let days = timeline["days"].as_array().unwrap();
    let first_day = days[0][0].as_str().unwrap();
    assert!(
        b.js("return document.querySelector('#timeline text').textContent").as_str().unwrap() <= first_day,
        "the timeline starts at the store's first day {first_day}"
    );

    // Zoomed in on an event, clusters open into single markers; a click on one (not covered
    // by another) opens its card with its evidence.
    let (lat, lon) = (points["points"][0][1].as_f64().unwrap(), points["points"][0][2].as_f64().unwrap());
    b.js(&format!("map.setView([{lat}, {lon}], 13, {{ animate: false }}); return true"));
    wait_for("single markers", Duration::from_secs(20), || {
        b.js("return document.querySelectorAll('path.ev-marker').length").as_u64().unwrap() > 0
    });
    std::thread::sleep(Duration::from_millis(500));
    let id = b
        .js("for (const m of document.querySelectorAll('path.ev-marker')) {
               const r = m.getBoundingClientRect();
               const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
               if (hit === m) { m.id = 'clickme'; return m.getAttribute('data-event-id'); }
             }
             return null;")
        .as_str()
        .expect("a marker that can be clicked")
        .to_string();
    let target = b.find("#clickme");
    b.click(&target);
    wait_for("the event card", Duration::from_secs(20), || {
        b.js("const c = document.getElementById('card'); return !c.hidden && !!c.querySelector('blockquote.evidence')") == json!(true)
    });
    let event = api(&site, &format!("/api/events/{id}"));
    let sentence = event["event"]["evidence"][0]["text"].as_str().unwrap().to_string();
    let shown = b.js("return Array.from(document.querySelectorAll('#card blockquote.evidence')).map(e => e.textContent)");
    assert!(
        shown.as_array().unwrap().iter().any(|s| s.as_str() == Some(sentence.as_str())),
        "the card shows the evidence sentence: {shown}"
    );
    let marked = b.js("return Array.from(document.querySelectorAll('#card .article mark')).map(e => e.textContent).join(' ')");
    assert!(marked.as_str().unwrap().contains(sentence.trim()), "the evidence is highlighted in its article: {marked}");
    assert!(b.js("return location.search").as_str().unwrap().contains(&format!("event={id}")), "the URL keeps the open event");
    // The card shows the credibility of the fused event the event belongs to, with its reasons.
    let first = event["fused"]["credibility"]["reasons"][0].as_str().expect("the event is fused").to_string();
    let reasons = b.js("return Array.from(document.querySelectorAll('#card ul.reasons li')).map(e => e.textContent)");
    assert_eq!(reasons[0].as_str(), Some(first.as_str()), "the card lists the credibility's reasons: {reasons}");

    // A filter changes the markers, to the API's count for it, and goes into the URL.
    let option = b.find("#f-type option[value='Battles']");
    b.click(&option);
    wait_for("the filtered markers", Duration::from_secs(30), || {
        b.js("return location.search.includes('type=Battles') && document.body.dataset.ready === '1'") == json!(true)
    });
    let battles = api(&site, "/api/points?type=Battles")["count"].as_u64().unwrap();
    assert_eq!(b.js("return document.body.dataset.markers"), json!(battles.to_string()));
    assert_ne!(battles as usize, want, "the filter changed the markers");

    // A shared URL restores the view.
    b.call("POST", "/url", Some(json!({ "url": format!("{site}/?type=Battles") })));
    b.wait_ready();
    assert_eq!(b.js("return document.getElementById('f-type').value"), json!("Battles"));
    assert_eq!(b.js("return document.body.dataset.markers"), json!(battles.to_string()));

    // The control layer: one flag per place whose change of control stands on the chosen day.
    b.call("POST", "/url", Some(json!({ "url": format!("{site}/?until=2016-06-01&control=1") })));
    b.wait_ready();
    let held = api(&site, "/api/control?date=2016-06-01");
    let want_flags = held["held"].as_array().unwrap().iter().filter(|h| h["latitude"].is_number()).count();
    assert!(want_flags > 0, "{held}");
    wait_for("the control layer", Duration::from_secs(20), || {
        b.js("return document.body.dataset.control") == json!(want_flags.to_string())
    });
    assert_eq!(b.js("return document.querySelectorAll('.control-flag').length").as_u64().unwrap() as usize, want_flags);
    assert!(b
        .js("return Array.from(document.querySelectorAll('.control-flag')).map(e => e.dataset.holder).join(',')")
        .as_str()
        .unwrap()
        .contains("Islamic State"));
    // Its legend: which colour is who.
    let legend = b.js("return Array.from(document.querySelectorAll('#control-legend .holder')).map(e => e.dataset.holder)");
    assert!(legend.as_array().unwrap().iter().any(|h| h == "Islamic State"), "{legend}");
    assert_eq!(b.js("return document.getElementById('control-legend').hidden"), json!(false));

    // The screenshot, as a test artifact.
    b.call("POST", "/url", Some(json!({ "url": format!("{site}/?event={id}&control=1") })));
    b.wait_ready();
    wait_for("the card", Duration::from_secs(20), || b.js("return !!document.querySelector('#card blockquote.evidence')") == json!(true));
    let png = b.call("GET", "/screenshot", None);
    let bytes = base64_decode(png.as_str().unwrap());
    assert!(bytes.starts_with(b"\x89PNG"));
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("map.png"), &bytes).unwrap();
    eprintln!("screenshot: {}", out.join("map.png").display());
    let _ = ureq::delete(&format!("{wd}/session/{}", b.session)).call();
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
