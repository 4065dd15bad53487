//! Fusion of what a store holds: reads the current reports through [`EventStore`], fuses them
//! ([`super::fuse`]), judges every report against its fused event ([`super::verdicts`]) and
//! hands the result back to the store, all in one exclusive write transaction
//! ([`EventStore::write_exclusive`]): what one fusion reads and writes cannot interleave with
//! another process's.

use crate::model::Event;
use crate::store::{EventStore, FusionCounts, FusionScope, StoreError};

/// Fuses every stored event again and stores the result: deterministic, so an unchanged store
/// gives unchanged fused events and ids; the change feed records the differences.
pub fn refuse_all(store: &mut dyn EventStore) -> Result<FusionCounts, StoreError> {
    exclusively(store, refuse)
}

/// Fuses what changed since the last fusion: the new reports, the reports that shared a fused
/// event with a vanished one (a corrected article's old version), and everything linked to them
/// ([`super::neighbourhood`]). The result equals [`refuse_all`]'s, at the cost of the part that
/// changed rather than of the whole store. With nothing stale it reads one index and writes
/// nothing.
pub fn fuse_changed(store: &mut dyn EventStore) -> Result<FusionCounts, StoreError> {
    exclusively(store, refuse_changed)
}

fn exclusively(
    store: &mut dyn EventStore,
    run: fn(&mut dyn EventStore) -> Result<FusionCounts, StoreError>,
) -> Result<FusionCounts, StoreError> {
    let mut counts = FusionCounts::default();
    store.write_exclusive(&mut |s| {
        counts = run(s)?;
        Ok(())
    })?;
    Ok(counts)
}

/// [`refuse_all`] inside a transaction the caller holds.
pub fn refuse(store: &mut dyn EventStore) -> Result<FusionCounts, StoreError> {
    let input = store.fusion_input(FusionScope::All)?;
    put_fused(store, &input, None)
}

/// [`fuse_changed`] inside a transaction the caller holds.
pub fn refuse_changed(store: &mut dyn EventStore) -> Result<FusionCounts, StoreError> {
    let seeds = store.fusion_input(FusionScope::Stale)?;
    // Most of the store stale (a first fusion, an upgraded file): one pass over all is cheaper
    // than growing the part, and gives the same result.
    if seeds.len() > 1000 && seeds.len() as u64 * 4 > store.counts()?.1 {
        return refuse(store);
    }
    let part = super::neighbourhood(seeds, |l| store.fusion_input(FusionScope::Near(l)))?;
    let ids: Vec<String> = part.iter().map(|(e, _)| e.event_id.clone()).collect();
    put_fused(store, &part, Some(&ids))
}

fn put_fused(
    store: &mut dyn EventStore,
    input: &[(Event, Option<chrono::NaiveDate>)],
    part: Option<&[String]>,
) -> Result<FusionCounts, StoreError> {
    let reports: Vec<super::Report> = input.iter().map(|(e, p)| super::Report { event: e, published: *p }).collect();
    let fused = super::fuse(&reports);
    let events: Vec<&Event> = input.iter().map(|(e, _)| e).collect();
    let verdicts = super::verdicts(&fused, &events);
    store.put_fusion(&fused, &verdicts, part)
}
