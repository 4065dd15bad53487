//! Fusion of what a store holds: reads the current reports through [`EventStore`], fuses them
//! ([`super::fuse`]), judges every report against its fused event ([`super::verdicts`]) and
//! hands the result back to the store, all in one exclusive write transaction
//! ([`EventStore::write_exclusive`]): what one fusion reads and writes cannot interleave with
//! another process's.

use super::{ArticleCredibility, FusedEvent, Verdict};
use crate::model::Event;
use crate::pipeline::Knowledge;
use crate::store::{ChangeKind, EventStore, FusedState, FusionCounts, FusionScope, FusionWrite, StoreError};
use std::collections::{HashMap, HashSet};

/// Fuses every stored event again and stores the result: deterministic, so an unchanged store
/// gives unchanged fused events and ids; the change feed records the differences.
pub fn refuse_all(store: &mut dyn EventStore, k: &Knowledge<'_>) -> Result<FusionCounts, StoreError> {
    exclusively(store, k, refuse)
}

/// Fuses what changed since the last fusion: the new reports, the reports that shared a fused
/// event with a vanished one (a corrected article's old version), and everything linked to them
/// ([`super::neighbourhood`]). The result equals [`refuse_all`]'s, at the cost of the part that
/// changed rather than of the whole store. With nothing stale it reads one index and writes
/// nothing.
pub fn fuse_changed(store: &mut dyn EventStore, k: &Knowledge<'_>) -> Result<FusionCounts, StoreError> {
    exclusively(store, k, refuse_changed)
}

fn exclusively(
    store: &mut dyn EventStore,
    k: &Knowledge<'_>,
    run: fn(&mut dyn EventStore, &Knowledge<'_>) -> Result<FusionCounts, StoreError>,
) -> Result<FusionCounts, StoreError> {
    let mut counts = FusionCounts::default();
    store.write_exclusive(&mut |s| {
        counts = run(s, k)?;
        Ok(())
    })?;
    Ok(counts)
}

/// [`refuse_all`] inside a transaction the caller holds.
pub fn refuse(store: &mut dyn EventStore, k: &Knowledge<'_>) -> Result<FusionCounts, StoreError> {
    let input = store.fusion_input(FusionScope::All)?;
    put_fused(store, &input, None, k)
}

/// [`fuse_changed`] inside a transaction the caller holds.
pub fn refuse_changed(store: &mut dyn EventStore, k: &Knowledge<'_>) -> Result<FusionCounts, StoreError> {
    let seeds = store.fusion_input(FusionScope::Stale)?;
    // Most of the store stale (a first fusion, an upgraded file): one pass over all is cheaper
    // than growing the part, and gives the same result.
    if seeds.len() > 1000 && seeds.len() as u64 * 4 > store.counts()?.1 {
        return refuse(store, k);
    }
    let part = super::neighbourhood(seeds, k, |l| store.fusion_input(FusionScope::Near(l)))?;
    let ids: Vec<String> = part.iter().map(|(e, _)| e.event_id.clone()).collect();
    put_fused(store, &part, Some(&ids), k)
}

fn put_fused(
    store: &mut dyn EventStore,
    input: &[(Event, Option<chrono::NaiveDate>)],
    part: Option<&[String]>,
    k: &Knowledge<'_>,
) -> Result<FusionCounts, StoreError> {
    let reports: Vec<super::Report> = input.iter().map(|(e, p)| super::Report { event: e, published: *p }).collect();
    let fused = super::fuse(&reports, k);
    let events: Vec<&Event> = input.iter().map(|(e, _)| e).collect();
    let verdicts = super::verdicts(&fused, &events);
    let state = store.fused_state(part)?;
    let fused = keep_ids(&fused, &state);
    let (write, mut counts) = changes(&fused, &verdicts, &state)?;
    store.write_fusion(&write)?;
    // Articles scored again from their reports' verdicts: all, or those of the part.
    let scores: Vec<ArticleCredibility> =
        store.verdict_counts(part)?.into_iter().map(|(article, [c, u, x])| ArticleCredibility::from_counts(article, c, u, x)).collect();
    store.put_credibility(&scores, part.is_none())?;
    (counts.fused_events, counts.multi_source) = store.fused_totals()?;
    Ok(counts)
}

/// Gives the new fused events their ids. Fusion names a fused event after its founding report,
/// so that the same reports give the same ids in any order. A stored fused event whose founder
/// vanished (its article was corrected: new article and event ids) keeps its id, given to the
/// new one that took most of its reports (a report of a replaced version counts as its
/// successor's of the same number): a correction updates the event, it does not delete it and
/// make another. One whose founder is still a report goes by the founding rule (an earlier
/// report founds it anew: "merged"), or ids would depend on the order of ingest.
fn keep_ids(fused: &[FusedEvent], state: &FusedState) -> Vec<FusedEvent> {
    let mut natural_of_event: HashMap<&str, usize> = HashMap::new();
    for (i, f) in fused.iter().enumerate() {
        for e in &f.events {
            natural_of_event.insert(e.as_str(), i);
        }
    }
    let mut overlap: HashMap<(&str, usize), usize> = HashMap::new();
    for (fused_id, events) in &state.members {
        for e in events {
            if let Some(i) = state.now_in(e, |e| natural_of_event.get(e).copied()) {
                *overlap.entry((fused_id.as_str(), i)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<((&str, usize), usize)> = overlap.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0 .0.cmp(b.0 .0)).then_with(|| fused[a.0 .1].id.cmp(&fused[b.0 .1].id)));
    let mut id_of: Vec<Option<String>> = vec![None; fused.len()];
    let mut given: HashSet<&str> = HashSet::new();
    // The ids the current reports would found: a stored id among them is its founder's.
    let founded: HashSet<String> = fused.iter().flat_map(|f| f.events.iter().map(|e| super::fused_id(e))).collect();
    for ((old_id, i), _) in pairs {
        if id_of[i].is_none() && !given.contains(old_id) && !founded.contains(old_id) {
            id_of[i] = Some(old_id.to_string());
            given.insert(old_id);
        }
    }
    let mut taken: HashSet<String> = id_of.iter().flatten().cloned().collect();
    let mut out = Vec::with_capacity(fused.len());
    for (f, id) in fused.iter().zip(id_of) {
        let mut f = f.clone();
        f.id = match id {
            Some(id) => id,
            None => {
                // Its own name, unless a stored event it did not take already bears it.
                let free = |id: &str| {
                    !taken.contains(id) && (!state.all_ids.contains(id) || (state.digests.contains_key(id) && !given.contains(id)))
                };
                let mut id = f.id.clone();
                let mut n = 1;
                while !free(&id) {
                    id = format!("F{}", &blake3::hash(format!("{}/{n}", f.id).as_bytes()).to_hex()[..15]);
                    n += 1;
                }
                id
            }
        };
        taken.insert(f.id.clone());
        out.push(f);
    }
    out
}

/// What to write, and the change feed's entries: a fused event is created (a new id), updated
/// (its digest changed), merged (gone, its reports now in one other) or deleted (gone, its
/// reports in none).
fn changes<'a>(
    fused: &'a [FusedEvent],
    verdicts: &'a [(String, Verdict)],
    state: &'a FusedState,
) -> Result<(FusionWrite<'a>, FusionCounts), StoreError> {
    let mut counts = FusionCounts::default();
    let mut write = FusionWrite { scope: state.scope.as_ref(), ..FusionWrite::default() };
    let mut new_of_event: HashMap<&str, &str> = HashMap::new();
    for f in fused {
        let digest = digest(f)?;
        let old = state.digests.get(&f.id);
        match old {
            None => {
                counts.created += 1;
                write.changes.push((f.id.clone(), ChangeKind::Created, None));
            }
            Some(d) if *d != digest => {
                counts.updated += 1;
                write.changes.push((f.id.clone(), ChangeKind::Updated, None));
            }
            Some(_) => {}
        }
        if old.is_none_or(|d| *d != digest) {
            write.upserts.push((f, digest));
        }
        for e in &f.events {
            new_of_event.insert(e.as_str(), f.id.as_str());
        }
    }
    for (e, verdict) in verdicts {
        if let Some(f) = new_of_event.get(e.as_str()) {
            write.members.push((e.as_str(), f, *verdict));
        }
    }
    let current: HashSet<&str> = fused.iter().map(|f| f.id.as_str()).collect();
    let mut gone: Vec<&String> = state.digests.keys().filter(|id| !current.contains(id.as_str())).collect();
    gone.sort();
    for id in gone {
        // Where did its reports go? Into one fused event: merged; nowhere: deleted.
        let mut into: Vec<&str> = Vec::new();
        for e in state.members.get(id.as_str()).into_iter().flatten() {
            into.extend(state.now_in(e, |e| new_of_event.get(e).copied()));
        }
        into.sort();
        into.dedup();
        match into.first() {
            Some(target) => {
                counts.merged += 1;
                write.changes.push((id.clone(), ChangeKind::Merged, Some(target.to_string())));
            }
            None => {
                counts.deleted += 1;
                write.changes.push((id.clone(), ChangeKind::Deleted, None));
            }
        }
        write.removed.push(id.as_str());
    }
    Ok((write, counts))
}

/// A fused event's digest: a change of any of its fields is an update.
fn digest(f: &FusedEvent) -> Result<String, StoreError> {
    let plain = serde_json::to_vec(f).map_err(|e| StoreError::Corrupt(format!("fused event {}: {e}", f.id)))?;
    Ok(blake3::hash(&plain).to_hex()[..16].to_string())
}
