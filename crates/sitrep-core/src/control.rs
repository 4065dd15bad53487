//! Territorial control: from the events that assert a change of control, a timeline per place
//! of who took it from whom and when, with the evidence.
//!
//! ACLED's rule: a change of control must last more than a day. A place taken and retaken
//! within the day (one report saying both, or two reports of opposite takings a day apart or
//! less) is "contested", not a change. Several reports of one taking (same taker, dates within
//! a few days or unresolved) are one entry with all their evidence.

use crate::model::{ControlStatus, Event};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One step of a place's control timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlEntry {
    pub date: Option<NaiveDate>,
    /// What the text says of the date when it is unresolved ("Wednesday").
    pub date_text: Option<String>,
    pub taker: Option<String>,
    pub from: Option<String>,
    pub retaken_by: Option<String>,
    /// "change" (control passed) or "contested" (taken and lost again within a day).
    pub status: ControlStatus,
    pub summary: String,
    pub events: Vec<String>,
    pub evidence: Vec<String>,
}

/// A place's control timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeline {
    pub place: String,
    pub place_id: Option<String>,
    pub admin1: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub entries: Vec<ControlEntry>,
    /// Who holds it after the last change, if any change stands.
    pub holder: Option<String>,
}

fn name(x: &Option<String>) -> &str {
    x.as_deref().unwrap_or("unknown forces")
}

fn when(e: &ControlEntry) -> String {
    match (e.date, &e.date_text) {
        (Some(d), _) => d.to_string(),
        (None, Some(t)) => format!("{t} (date unresolved)"),
        (None, None) => "date unknown".to_string(),
    }
}

fn summarize(e: &mut ControlEntry) {
    e.summary = match (e.status, &e.retaken_by) {
        (ControlStatus::Contested, Some(r)) => format!(
            "{}: taken by {} from {}, retaken by {r} the same day: contested, not a change of control",
            when(e),
            name(&e.taker),
            name(&e.from)
        ),
        (ControlStatus::Contested, None) => {
            format!("{}: taken by {} and lost again within a day: contested, not a change of control", when(e), name(&e.taker))
        }
        _ => format!("{}: taken by {} from {}", when(e), name(&e.taker), name(&e.from)),
    };
}

/// Timelines of every place the events assert a change of control at, by place name.
pub fn timelines(events: &[&Event]) -> Vec<Timeline> {
    let mut by_place: BTreeMap<String, (Timeline, Vec<&Event>)> = BTreeMap::new();
    for e in events {
        if e.control.is_none() {
            continue;
        }
        let Some(place) = e.location.clone().or_else(|| e.admin1.clone()) else { continue };
        let key = e.geo_id.clone().unwrap_or_else(|| format!("{}|{}", place.to_lowercase(), e.admin1.as_deref().unwrap_or("")));
        let entry = by_place.entry(key).or_insert_with(|| {
            (
                Timeline {
                    place: place.clone(),
                    place_id: e.geo_id.clone(),
                    admin1: e.admin1.clone(),
                    latitude: e.latitude,
                    longitude: e.longitude,
                    entries: Vec::new(),
                    holder: None,
                },
                Vec::new(),
            )
        });
        entry.1.push(e);
    }
    let mut out = Vec::new();
    for (_, (mut t, mut evs)) in by_place {
        // Dated first, by date; undated after, in the order reported.
        evs.sort_by(|a, b| (a.event_date.is_none(), a.event_date, &a.event_id).cmp(&(b.event_date.is_none(), b.event_date, &b.event_id)));
        for e in evs {
            let c = e.control.as_ref().expect("filtered above");
            let span = e.evidence.iter().map(|s| s.text.clone());
            // Another report of a taking already listed: same taker, close or unknown dates.
            let same = t.entries.iter_mut().find(|x| {
                x.taker == c.taker
                    && x.retaken_by == c.reversed_by
                    && match (x.date, e.event_date) {
                        (Some(a), Some(b)) => (a - b).num_days().abs() <= 3,
                        _ => x.date_text == e.date_text || x.date.is_none() || e.event_date.is_none(),
                    }
            });
            if let Some(x) = same {
                x.events.push(e.event_id.clone());
                x.evidence.extend(span);
                continue;
            }
            t.entries.push(ControlEntry {
                date: e.event_date,
                date_text: e.date_text.clone(),
                taker: c.taker.clone(),
                from: c.from.clone(),
                retaken_by: c.reversed_by.clone(),
                status: if c.reversed_by.is_some() { ControlStatus::Contested } else { ControlStatus::Change },
                summary: String::new(),
                events: vec![e.event_id.clone()],
                evidence: span.collect(),
            });
        }
        // Opposite takings a day apart or less: neither lasted, both contested.
        let n = t.entries.len();
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (&t.entries[i], &t.entries[j]);
                if let (Some(da), Some(db)) = (a.date, b.date) {
                    if (db - da).num_days().abs() <= 1 && a.taker.is_some() && b.taker.is_some() && a.taker != b.taker {
                        let retaker = b.taker.clone();
                        t.entries[i].status = ControlStatus::Contested;
                        t.entries[i].retaken_by.get_or_insert(retaker.unwrap_or_default());
                        t.entries[j].status = ControlStatus::Contested;
                    }
                }
            }
        }
        for e in t.entries.iter_mut() {
            summarize(e);
        }
        t.holder = t.entries.iter().rev().find(|e| e.status == ControlStatus::Change).and_then(|e| e.taker.clone());
        out.push(t);
    }
    out
}

/// Who holds a place since when, by the last standing change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holding {
    pub place: String,
    pub admin1: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub holder: String,
    pub since: NaiveDate,
}

/// Who held each place on a date: the last standing change on or before it.
pub fn holders_on(timelines: &[Timeline], date: NaiveDate) -> Vec<Holding> {
    let mut out = Vec::new();
    for t in timelines {
        if let Some(e) = t.entries.iter().rev().find(|e| e.status == ControlStatus::Change && e.date.is_some_and(|d| d <= date)) {
            out.push(Holding {
                place: t.place.clone(),
                admin1: t.admin1.clone(),
                latitude: t.latitude,
                longitude: t.longitude,
                holder: name(&e.taker).to_string(),
                since: e.date.expect("filtered"),
            });
        }
    }
    out
}

/// Control timelines of the stored events, for a place or governorate (or everywhere).
pub fn stored_timelines(
    store: &dyn crate::store::EventStore,
    place: Option<String>,
    admin1: Option<String>,
) -> Result<Vec<Timeline>, crate::store::StoreError> {
    use crate::store::EventFilter;
    let events = store.events(&EventFilter { place, admin1, limit: EventFilter::MAX_LIMIT, ..EventFilter::default() })?;
    let refs: Vec<&Event> = events.iter().collect();
    Ok(timelines(&refs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Vec<Event> {
        crate::events_of(&crate::read::test_article("t.txt", text))
    }

    #[test]
    fn taken_and_retaken_the_same_day_is_contested() {
        let ev = events(
            "Clashes north of Aleppo\n\nALEPPO – ISIS militants took control of the town of Ahras on Wednesday before being pushed back by rebel groups.\n",
        );
        let refs: Vec<&Event> = ev.iter().collect();
        let t = timelines(&refs);
        let ahras = t.iter().find(|t| t.place == "Ahras").expect("a timeline for Ahras");
        assert_eq!(ahras.entries.len(), 1);
        let e = &ahras.entries[0];
        assert_eq!(
            (e.taker.as_deref(), e.retaken_by.as_deref(), e.status.as_str()),
            (Some("Islamic State"), Some("Syrian rebels"), "contested")
        );
        assert!(e.summary.contains("contested, not a change of control"), "{}", e.summary);
        assert_eq!(ahras.holder, None);
    }

    #[test]
    fn a_taking_that_stands_changes_the_holder() {
        let ev = events("Marea falls\n\nALEPPO – ISIS militants captured the town of Marea on 3 May 2016, killing 12 rebels.\n");
        let refs: Vec<&Event> = ev.iter().collect();
        let t = timelines(&refs);
        assert_eq!(t[0].holder.as_deref(), Some("Islamic State"));
        assert_eq!(t[0].entries[0].status, ControlStatus::Change);
        let on = holders_on(&t, "2016-05-10".parse().unwrap());
        assert_eq!(on[0].holder, "Islamic State");
        assert!(on[0].latitude.is_some());
        assert!(holders_on(&t, "2016-05-01".parse().unwrap()).is_empty());
    }
}
