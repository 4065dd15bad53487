//! Stores at realistic sizes, generated in the test (nothing big is shipped): the seed
//! fixtures ingested once, then their articles and events copied with new ids, places moved
//! a little and dates shifted, written with the store's batch writes.

#![allow(dead_code)]

use sitrep_core::store::{EventStore, SqliteStore};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Ingests the seed articles into `db` (with the binary), then adds copies until the store
/// holds at least `events` events; returns how many it holds.
pub fn generated_store(db: &Path, events: usize) -> u64 {
    let bin = assert_cmd::cargo::cargo_bin("sitrep");
    let ok = Command::new(&bin).args(["ingest", "--quiet", "--db"]).arg(db).arg(fixtures().join("seeds")).status().unwrap();
    assert!(ok.success());
    let mut store = SqliteStore::open(db).unwrap();
    let templates: Vec<_> =
        store.article_ids().unwrap().iter().filter_map(|id| store.article(id).unwrap()).filter(|a| !a.events.is_empty()).collect();
    assert!(!templates.is_empty());
    let mut have = store.counts().unwrap().1 as usize;
    let mut i = 0usize;
    while have < events {
        let mut batch = Vec::new();
        while batch.len() < 100 && have < events {
            let t = &templates[i % templates.len()];
            let mut a = t.article.clone();
            a.id = format!("{}g{i}", t.article.id);
            a.input = format!("generated/{i}.txt");
            a.url = None;
            // Thirty events an article (fewer articles to index: the events are what is
            // measured), spread over a few hundred km and two years, deterministically.
            let evs: Vec<_> = (0..30)
                .map(|k| {
                    let n = i * 30 + k;
                    let (dx, dy) = (((n * 7919) % 200) as f64 / 100.0 - 1.0, ((n * 104_729) % 200) as f64 / 100.0 - 1.0);
                    let mut e = t.events[k % t.events.len()].clone();
                    e.event_id = format!("{}-{}", a.id, k + 1);
                    e.article_id = a.id.clone();
                    e.latitude = e.latitude.map(|v| v + dy);
                    e.longitude = e.longitude.map(|v| v + dx);
                    e.event_date = e.event_date.map(|d| d + chrono::Duration::days((n % 730) as i64 - 365));
                    e.fatalities = (n % 40) as u32;
                    e
                })
                .collect();
            have += evs.len();
            batch.push((a, evs));
            i += 1;
        }
        store.put_batch(&batch).unwrap();
    }
    store.counts().unwrap().1
}
