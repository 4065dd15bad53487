//! Alerts: saved queries over fused events, evaluated on every fused event an ingest creates or
//! updates, delivered as webhooks (a signed JSON POST) or appended to a JSON Lines file.
//!
//! Evaluation reads the store's change feed after a cursor kept in the store
//! (`meta.alerts_seq`), so whatever wrote the changes (an ingest, a feed poll, the API, a run
//! killed before it evaluated) every created or updated fused event is evaluated once. An
//! alert sees only changes after it was saved. A match is queued in the delivery log (one row
//! per alert and version of a fused event: evaluating twice queues nothing new), then
//! delivered; a failed delivery is tried again with a doubling wait and, after its last try,
//! kept as `failed` with its error: reported, never dropped. Delivery runs after the ingest
//! has committed, so it never holds an ingest back.
//!
//! A webhook is a `POST` of `{"alert", "kind", "event", "sources"}` with the headers
//! `X-Sitrep-Alert`, `X-Sitrep-Delivery` (the log's id: a receiver can drop repeats) and
//! `X-Sitrep-Signature: sha256=<hex>`, the HMAC-SHA256 of the body under the alert's secret.

use crate::extract::actors::ActorDict;
use crate::fuse::FusedEvent;
pub use crate::model::live::{Alert, AlertQuery, Delivery, Near, Sink};
use crate::pipeline::Knowledge;
use crate::store::live::{now, stamp};
use crate::store::{ChangeKind, Store, StoreError};
use hmac::{KeyInit, Mac};
use serde::Serialize;
use std::io::Write;
use std::time::{Duration, Instant};

impl Near {
    /// Within `km` of the place `place` names in the shipped gazetteer (its best match), and
    /// that entry; an error naming the place when the gazetteer has none.
    pub fn resolve(place: &str, km: f64, gazetteer: &crate::geocode::Gazetteer) -> Result<(Near, crate::geocode::Alternative), StoreError> {
        let Some(p) = gazetteer.lookup(place, 1).into_iter().next() else {
            return Err(StoreError::Invalid(format!("near {place:?}: no such place in the gazetteer (sitrep places NAME)")));
        };
        Ok((Near { place: place.to_string(), latitude: p.latitude, longitude: p.longitude, km }, p))
    }
}

/// Refuses an alert that could never match or is ill-formed, naming the value.
pub fn check(name: &str, q: &AlertQuery, sink: &Sink) -> Result<(), StoreError> {
    let bad = |m: String| Err(StoreError::Invalid(m));
    if name.trim().is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return bad(format!("bad alert name {name:?}: 1 to 100 characters, no control characters"));
    }
    if let Some(b) = q.bbox {
        if !(b.iter().all(|v| v.is_finite()) && b[0] <= b[2] && b[1] <= b[3] && b[1] >= -90.0 && b[3] <= 90.0) {
            return bad(format!("bad bbox {b:?}: min_lon,min_lat,max_lon,max_lat"));
        }
    }
    if let Some(n) = &q.near {
        if !(n.km.is_finite() && n.km > 0.0) {
            return bad(format!("bad radius {} km: a positive number", n.km));
        }
    }
    if let Some(t) = &q.event_type {
        let known = crate::store::ACLED_TYPES
            .iter()
            .any(|(e, subs)| e.eq_ignore_ascii_case(t.trim()) || subs.iter().any(|s| s.eq_ignore_ascii_case(t.trim())));
        if !known {
            return bad(format!("event type {t:?} is not one of ACLED's types or sub-event types"));
        }
    }
    match sink {
        Sink::Webhook { url } if crate::feeds::fetch::origin(url).is_none() => bad(format!("bad webhook URL {url:?}: http:// or https://")),
        Sink::File { path } if path.trim().is_empty() => bad("an empty file path".into()),
        _ => Ok(()),
    }
}

/// A fresh secret: 32 random bytes as hex (the system's random source; where it has none, a
/// hash of the time, the process and the name).
pub fn new_secret(salt: &str) -> String {
    let mut bytes = [0u8; 32];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes)).is_ok();
    if !random {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        bytes = *blake3::hash(format!("{t:?}{}{salt}", std::process::id()).as_bytes()).as_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    format!("sha256={}", tag.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Whether a signature header is the body's under the secret (in constant time).
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let expected = signature(secret, body);
    expected.len() == header.len() && expected.bytes().zip(header.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

fn matches_name(query: &str, name: &str, dict: &ActorDict) -> bool {
    let (q, n) = (query.trim(), name.trim());
    if q.eq_ignore_ascii_case(n) {
        return true;
    }
    match (dict.lookup(q), dict.lookup(n)) {
        (Some(a), Some(b)) => a.name == b.name,
        _ => false,
    }
}

/// Whether a fused event matches an alert's query.
/// `actors` tells an actor's names apart from another's.
pub fn matches(q: &AlertQuery, e: &FusedEvent, actors: &ActorDict) -> bool {
    let at = e.latitude.zip(e.longitude);
    if let Some(b) = q.bbox {
        if !at.is_some_and(|(lat, lon)| lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3]) {
            return false;
        }
    }
    if let Some(n) = &q.near {
        if !at.is_some_and(|p| crate::geocode::distance_km(p, (n.latitude, n.longitude)) <= n.km) {
            return false;
        }
    }
    if let Some(t) = &q.event_type {
        if !(e.event_type.as_str().eq_ignore_ascii_case(t.trim()) || e.sub_event_type.as_str().eq_ignore_ascii_case(t.trim())) {
            return false;
        }
    }
    if q.min_fatalities.is_some_and(|m| e.fatalities < m) {
        return false;
    }
    if q.min_sources.is_some_and(|m| e.corroboration.sources < m) {
        return false;
    }
    if let Some(a) = &q.actor {
        let claimed = ["actor1", "actor2"].iter().filter_map(|k| e.claims.get(*k)).flatten().map(|c| c.value.as_str());
        let mut names = e.actor1.iter().chain(e.actor2.iter()).map(String::as_str).chain(claimed);
        if !names.any(|n| matches_name(a, n, actors)) {
            return false;
        }
    }
    true
}

/// One source of a fused event, as a delivery carries it.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub article_id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
}

fn payload(store: &dyn Store, alert: &str, kind: ChangeKind, e: &FusedEvent) -> Result<String, StoreError> {
    let mut sources = Vec::new();
    for id in &e.articles {
        if let Some(a) = store.article(id)? {
            let a = a.article;
            sources.push(Source {
                article_id: a.id,
                title: a.title,
                source: a.source,
                url: a.url,
                published: a.published.map(|p| p.to_string()),
            });
        }
    }
    let body = serde_json::json!({ "alert": alert, "kind": kind, "event": e, "sources": sources });
    serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Evaluates the alerts on the changes after the cursor, queueing a delivery for each match;
/// returns how many were queued. With no alert saved, the cursor just moves on.
pub fn evaluate(store: &mut dyn Store, k: &Knowledge<'_>) -> Result<usize, StoreError> {
    let alerts = store.alerts()?;
    let mut cursor = store.alerts_cursor()?;
    let mut queued = 0;
    loop {
        let changes = store.changes_after(cursor, 1000)?;
        let Some(last) = changes.last().map(|c| c.seq) else { break };
        if !alerts.is_empty() {
            for c in changes.iter().filter(|c| matches!(c.kind, ChangeKind::Created | ChangeKind::Updated)) {
                let watching: Vec<&Alert> = alerts.iter().filter(|a| c.seq > a.after_seq).collect();
                if watching.is_empty() {
                    continue;
                }
                let (Some(event), Some(digest)) = (store.fused_event(&c.fused_id)?, store.fused_digest(&c.fused_id)?) else { continue };
                for a in watching.into_iter().filter(|a| matches(&a.query, &event, k.actors)) {
                    let body = payload(store, &a.name, c.kind, &event)?;
                    if store.queue_delivery(&a.name, &event.id, c.kind, &digest, &body)? {
                        queued += 1;
                    }
                }
            }
        }
        store.set_alerts_cursor(last)?;
        cursor = last;
    }
    Ok(queued)
}

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// One attempt's timeout.
    pub timeout: Duration,
    /// Attempts in all before a delivery is given up (and kept as failed).
    pub attempts: u32,
    /// The wait after the first failure; doubled for each next one.
    pub backoff: Duration,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions { timeout: Duration::from_secs(10), attempts: 5, backoff: Duration::from_secs(2) }
    }
}

/// What a delivery run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Delivered {
    pub delivered: usize,
    /// Attempts that failed and will be tried again.
    pub retrying: usize,
    /// Deliveries given up after their last attempt: alert, fused event, error.
    pub failed: Vec<(String, String, String)>,
    /// Still pending when the run ended.
    pub pending: usize,
}

/// Sends one delivery.
fn send(agent: &ureq::Agent, alert: Option<&Alert>, d: &Delivery) -> Result<(), String> {
    let Some(alert) = alert else { return Err(format!("the alert {:?} was removed", d.alert)) };
    match &alert.sink {
        Sink::Webhook { url } => {
            let sig = signature(&alert.secret, d.payload.as_bytes());
            let r = agent
                .post(url)
                .set("Content-Type", "application/json")
                .set("X-Sitrep-Alert", &alert.name)
                .set("X-Sitrep-Delivery", &d.id.to_string())
                .set("X-Sitrep-Signature", &sig)
                .send_string(&d.payload);
            match r {
                Ok(_) => Ok(()),
                Err(ureq::Error::Status(code, r)) => Err(format!("{url}: HTTP {code} {}", r.status_text())),
                Err(ureq::Error::Transport(t)) => Err(format!("{url}: {t}")),
            }
        }
        Sink::File { path } => {
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| format!("{path}: {e}"))?;
            let mut line = d.payload.clone().into_bytes();
            line.push(b'\n');
            f.write_all(&line).map_err(|e| format!("{path}: {e}"))
        }
    }
}

/// Delivers what is due, and goes on delivering retries as they fall due until nothing is
/// pending or `wait` has passed (zero: one pass over what is due now).
pub fn deliver(store: &mut dyn Store, opts: &DeliveryOptions, wait: Duration) -> Result<Delivered, StoreError> {
    let until = Instant::now() + wait;
    let agent = ureq::AgentBuilder::new().timeout(opts.timeout).redirects(0).user_agent(crate::feeds::fetch::USER_AGENT).build();
    let mut out = Delivered::default();
    let lease = chrono::Duration::from_std(opts.timeout * 2 + Duration::from_secs(5)).unwrap_or(chrono::Duration::minutes(1));
    loop {
        let alerts = store.alerts()?;
        let now_s = now();
        let due = store.due_deliveries(&now_s, 500)?;
        for d in &due {
            if !store.claim_delivery(d.id, &now_s, &stamp(chrono::Utc::now() + lease))? {
                continue;
            }
            match send(&agent, alerts.iter().find(|a| a.name == d.alert), d) {
                Ok(()) => {
                    store.delivery_attempted(d.id, Ok(()), None)?;
                    out.delivered += 1;
                }
                Err(e) => {
                    let tried = d.attempts + 1;
                    if tried >= opts.attempts {
                        store.delivery_attempted(d.id, Err(&e), None)?;
                        out.failed.push((d.alert.clone(), d.fused_id.clone(), e));
                    } else {
                        let wait = opts.backoff.saturating_mul(1u32 << (tried - 1).min(16));
                        let next = chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                        store.delivery_attempted(d.id, Err(&e), Some(&stamp(next)))?;
                        out.retrying += 1;
                    }
                }
            }
        }
        let Some(next) = store.next_delivery_due()? else { break };
        let next_at =
            chrono::DateTime::parse_from_rfc3339(&next).map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_else(|_| chrono::Utc::now());
        let sleep = (next_at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO);
        if Instant::now() + sleep > until {
            break;
        }
        std::thread::sleep(sleep.max(Duration::from_millis(5)));
    }
    out.pending = store.deliveries(100_000)?.iter().filter(|d| d.status == "pending").count();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EventStore, LiveStore, SqliteStore};

    #[test]
    fn near_a_place_is_its_gazetteer_point_or_an_error_naming_it() {
        let (near, entry) = Near::resolve("Aleppo", 20.0, crate::geocode::Gazetteer::builtin()).expect("Aleppo is in the gazetteer");
        assert_eq!((near.place.as_str(), near.km), ("Aleppo", 20.0));
        assert!((near.latitude - entry.latitude).abs() < 1e-9 && (35.5..37.0).contains(&near.latitude));
        let e = Near::resolve("Xqzzvvq", 5.0, crate::geocode::Gazetteer::builtin()).expect_err("no such place");
        assert!(e.to_string().contains("\"Xqzzvvq\""), "{e}");
    }

    #[test]
    fn signatures_are_hmac_sha256_and_verify() {
        // RFC 4231 test case 2.
        let s = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(s, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert!(verify("Jefe", b"what do ya want for nothing?", &s));
        assert!(!verify("Jefe", b"what do ya want for nothing!", &s));
        assert_eq!(new_secret("a").len(), 64);
    }

    #[test]
    fn bad_alerts_are_refused_naming_the_value() {
        let hook = Sink::Webhook { url: "http://127.0.0.1:9/h".into() };
        let q = AlertQuery { event_type: Some("Battle".into()), ..AlertQuery::default() };
        assert!(check("a", &q, &hook).unwrap_err().to_string().contains("\"Battle\""));
        let q = AlertQuery { bbox: Some([40.0, 30.0, 35.0, 37.0]), ..AlertQuery::default() };
        assert!(check("a", &q, &hook).unwrap_err().to_string().contains("bbox"));
        assert!(check("a", &AlertQuery::default(), &Sink::Webhook { url: "ftp://x".into() }).is_err());
        assert!(check("", &AlertQuery::default(), &hook).is_err());
        assert!(check("ok", &AlertQuery { event_type: Some("armed clash".into()), ..AlertQuery::default() }, &hook).is_ok());
    }

    use crate::localhttp::{Response, Server};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn ingest(store: &mut dyn Store, docs: &[(&str, &str)]) {
        let articles = docs.iter().map(|(name, text)| {
            let mut a = crate::read::test_article(name, text);
            a.published = Some(crate::model::Published { date: "2016-03-07".parse().unwrap(), time: None });
            a
        });
        crate::ingest::articles(store, &crate::ingest::Policy::default(), articles).into_result().unwrap();
    }

    fn fast() -> DeliveryOptions {
        DeliveryOptions { timeout: Duration::from_secs(2), attempts: 4, backoff: Duration::from_millis(20) }
    }

    const MAREA: &str = "Marea falls\n\nISIS militants captured the town of Marea on Monday, killing 12 rebels.\n";
    const AZAZ: &str = "Azaz shelled\n\nISIS militants captured the town of Azaz on Monday, killing 3 rebels.\n";

    #[test]
    fn a_webhook_gets_one_signed_delivery_per_matching_fused_event_and_a_flaky_one_gets_it_on_the_third_try() {
        let good = Server::start(|_| Response::new(204, "text/plain", "")).unwrap();
        let tries = Arc::new(AtomicUsize::new(0));
        let t = tries.clone();
        let flaky = Server::start(move |_| {
            if t.fetch_add(1, Ordering::SeqCst) < 2 {
                Response::new(500, "text/plain", "not now")
            } else {
                Response::new(200, "text/plain", "ok")
            }
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        // History before the alerts: never delivered.
        ingest(&mut store, &[("old.txt", "Old\n\nISIS militants captured the town of Tadef on Monday, killing 9 rebels.\n")]);
        let deadly = AlertQuery { min_fatalities: Some(10), ..AlertQuery::default() };
        let all = AlertQuery { actor: Some("Daesh".into()), ..AlertQuery::default() };
        store.add_alert("deadly", &deadly, &Sink::Webhook { url: good.url("/hook") }, "s3cret").unwrap();
        store.add_alert("flaky", &deadly, &Sink::Webhook { url: flaky.url("/hook") }, "other").unwrap();
        let jsonl = dir.path().join("alerts.jsonl");
        store.add_alert("file", &all, &Sink::File { path: jsonl.display().to_string() }, "x").unwrap();
        assert!(store.add_alert("deadly", &deadly, &Sink::Webhook { url: good.url("/") }, "s").is_err());

        ingest(&mut store, &[("marea.txt", MAREA), ("azaz.txt", AZAZ)]);
        assert_eq!(evaluate(&mut store, Knowledge::builtin()).unwrap(), 4, "deadly and flaky: Marea; file: Marea and Azaz");
        assert_eq!(evaluate(&mut store, Knowledge::builtin()).unwrap(), 0, "evaluated once");
        let d = deliver(&mut store, &fast(), Duration::from_secs(10)).unwrap();
        assert_eq!((d.delivered, d.retrying, d.failed.len(), d.pending), (4, 2, 0, 0), "{d:?}");

        let got = good.requests();
        assert_eq!(got.len(), 1, "one delivery per matching fused event");
        let body = &got[0].body;
        assert!(verify("s3cret", body, got[0].header("x-sitrep-signature").unwrap()));
        assert!(!verify("wrong", body, got[0].header("x-sitrep-signature").unwrap()));
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!((v["alert"].as_str(), v["kind"].as_str()), (Some("deadly"), Some("created")));
        assert_eq!(v["event"]["location"], "Marea");
        assert_eq!(v["event"]["fatalities"], 12);
        assert_eq!(v["sources"][0]["title"], "Marea falls");
        assert_eq!(got[0].header("x-sitrep-alert"), Some("deadly"));

        // The flaky receiver: two failures, then the delivery on the third try, the same body.
        let flaky_got = flaky.requests();
        assert_eq!(flaky_got.len(), 3);
        assert!(flaky_got.iter().all(|r| verify("other", &r.body, r.header("x-sitrep-signature").unwrap())));
        assert!(flaky_got.iter().all(|r| r.body == flaky_got[0].body));
        let log = store.deliveries(10).unwrap();
        let flaky_log: Vec<_> = log.iter().filter(|d| d.alert == "flaky").collect();
        assert_eq!(flaky_log.len(), 1);
        assert_eq!((flaky_log[0].status.as_str(), flaky_log[0].attempts), ("delivered", 3));

        let lines = std::fs::read_to_string(&jsonl).unwrap();
        assert_eq!(lines.lines().count(), 2);
        assert!(lines.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["alert"] == "file"));

        // Nothing changed: nothing more. A re-fusion that changes nothing delivers nothing.
        crate::fuse::refuse_all(&mut store, crate::pipeline::Knowledge::builtin()).unwrap();
        assert_eq!(evaluate(&mut store, Knowledge::builtin()).unwrap(), 0);
        assert_eq!(deliver(&mut store, &fast(), Duration::ZERO).unwrap().delivered, 0);
        assert_eq!(good.requests().len(), 1);
    }

    #[test]
    fn a_delivery_that_keeps_failing_is_kept_as_failed_and_ingest_goes_on() {
        let down = Server::start(|_| Response::new(503, "text/plain", "")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        store.add_alert("a", &AlertQuery::default(), &Sink::Webhook { url: down.url("/") }, "k").unwrap();
        ingest(&mut store, &[("marea.txt", MAREA)]);
        evaluate(&mut store, Knowledge::builtin()).unwrap();
        let d = deliver(&mut store, &DeliveryOptions { attempts: 3, ..fast() }, Duration::from_secs(10)).unwrap();
        assert_eq!((d.delivered, d.failed.len(), d.pending), (0, 1, 0));
        assert!(d.failed[0].2.contains("HTTP 503"), "{:?}", d.failed);
        let log = store.deliveries(10).unwrap();
        assert_eq!((log[0].status.as_str(), log[0].attempts), ("failed", 3));
        assert!(log[0].last_error.as_deref().unwrap().contains("503"));
        assert_eq!(down.requests().len(), 3);
        // Later ingests go on and their matches are queued as usual.
        ingest(&mut store, &[("azaz.txt", AZAZ)]);
        assert_eq!(evaluate(&mut store, Knowledge::builtin()).unwrap(), 1);
    }

    #[test]
    fn queries_match_place_type_actor_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        ingest(&mut store, &[("azaz.txt", AZAZ)]);
        let e = store.fused_events(0, 10, 0).unwrap().remove(0);
        let (lat, lon) = (e.latitude.unwrap(), e.longitude.unwrap());
        let q = |f: &dyn Fn(&mut AlertQuery)| {
            let mut q = AlertQuery::default();
            f(&mut q);
            matches(&q, &e, ActorDict::builtin())
        };
        assert!(q(&|_| {}));
        assert!(q(&|q| q.bbox = Some([lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1])));
        assert!(!q(&|q| q.bbox = Some([lon + 1.0, lat, lon + 2.0, lat + 1.0])));
        assert!(q(&|q| q.near = Some(Near { place: "x".into(), latitude: lat + 0.05, longitude: lon, km: 10.0 })));
        assert!(!q(&|q| q.near = Some(Near { place: "x".into(), latitude: lat + 1.0, longitude: lon, km: 10.0 })));
        assert!(q(&|q| q.event_type = Some(e.event_type.as_str().to_lowercase())));
        assert!(!q(&|q| q.event_type = Some("Protests".into())));
        assert!(q(&|q| q.actor = Some("ISIS".into())));
        assert!(!q(&|q| q.actor = Some("Hezbollah".into())));
        assert!(q(&|q| q.min_fatalities = Some(3)));
        assert!(!q(&|q| q.min_fatalities = Some(4)));
        assert!(!q(&|q| q.min_sources = Some(1)));
    }
}
