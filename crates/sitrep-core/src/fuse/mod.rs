//! Fusion: the reports of one real event, from different articles, become one fused event
//! that keeps every report, every claim side by side, and how far the claims are corroborated.
//!
//! Two reports can be one event when (all of):
//! - they come from different articles (an article's own events are distinct by extraction);
//! - their dates overlap: a day-precise date is that day, a week- or month-precise date a
//!   window around it, an unresolved date the week before the article's publication; a report
//!   with neither is never fused (no confident wrong merge);
//! - their places agree: within 10 km for two town-level places, 30 km when one is "near" a
//!   place or part of a region, the same governorate when one is only a region;
//! - their actors agree by side (aliases and allegiance: "pro-regime forces" and the Syrian
//!   army are one side; an unknown actor agrees with anyone), in either order;
//! - their types agree (ACLED: shelling or an air strike inside a battle belongs to the battle;
//!   an attack on civilians by explosives is the explosion), and reports of different
//!   sub-types share a known side;
//! - in a city of 100,000 or more, they share the sub-type and a known side (a city sees many
//!   events a day);
//! - their stated tolls are not far apart (7 and 42 dead are two events; 27 and 12 are one
//!   event's conflicting claims).
//!
//! Clustering is deterministic and independent of input order: candidate pairs are scored and
//! merged best first (ties broken by event ids), and two clusters merge only when every pair
//! across them agrees (complete linkage) and no article would report two of its events as one.
//! A fused event's id derives from its founding report (the earliest published, then the
//! smallest event id), so it survives re-ingest in any order and usually survives new reports.

mod stored;

pub use crate::model::fused::{ArticleCredibility, Claim, Corroboration, FusedEvent, Lookup, Verdict};
pub use stored::{fuse_changed, refuse, refuse_all, refuse_changed};

use crate::extract::actors::ActorDict;
use crate::geocode::distance_km;
use crate::model::{Event, EventType, Side};
use crate::pipeline::Knowledge;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The id fusion gives a fused event founded by this report.
pub fn fused_id(founder_event_id: &str) -> String {
    format!("F{}", &blake3::hash(founder_event_id.as_bytes()).to_hex()[..15])
}

/// One report to fuse: an event and its article's publication date.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub event: &'a Event,
    pub published: Option<NaiveDate>,
}

/// What the rules compare, computed once per report.
struct Key<'a> {
    event: &'a Event,
    lo: i32,
    hi: i32,
    sides: [Option<&'a str>; 2],
    group: u8,
    /// Placed at a city of 100,000 or more, where many events share a day.
    city: bool,
    /// The founding order: publication (or event) day, then id.
    found: (i32, &'a str),
}

fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

use chrono::Datelike;

/// The days a report's event may have happened on, or None when nothing fixes it.
fn window(e: &Event, published: Option<NaiveDate>) -> Option<(i32, i32)> {
    match (e.event_date, published) {
        (Some(d), _) => {
            let r = match e.time_precision {
                1 => 0,
                2 => 3,
                _ => MAX_RADIUS,
            };
            Some((day(d) - r, day(d) + r))
        }
        (None, Some(p)) => Some((day(p) - UNDATED_SPAN, day(p))),
        (None, None) => None,
    }
}

/// Type groups that may be one event: 1 battles and the shelling inside them, 2 explosions and
/// the attacks on civilians they are, 4 protests, 8 riots, 16 strategic developments.
fn type_groups(t: EventType) -> u8 {
    match t {
        EventType::Battles => 1,
        EventType::ExplosionsRemoteViolence => 1 | 2,
        EventType::ViolenceAgainstCivilians => 2,
        EventType::Protests => 4,
        EventType::Riots => 8,
        EventType::StrategicDevelopments => 16,
    }
}

fn side_of<'a>(dict: &'a ActorDict, name: Option<&'a str>) -> Option<&'a str> {
    let n = name?;
    match dict.lookup(n) {
        Some(a) if a.side != Side::Unknown => Some(a.side.as_str()),
        Some(_) => None,
        None => Some(n),
    }
}

fn sides_agree(a: [Option<&str>; 2], b: [Option<&str>; 2]) -> bool {
    let ok = |x: Option<&str>, y: Option<&str>| x.is_none() || y.is_none() || x == y;
    (ok(a[0], b[0]) && ok(a[1], b[1])) || (ok(a[0], b[1]) && ok(a[1], b[0]))
}

/// Whether two reports can be one event, and how alike they are (higher is more alike).
fn compatible(a: &Key, b: &Key) -> Option<f32> {
    let (ea, eb) = (a.event, b.event);
    if ea.article_id == eb.article_id || a.hi < b.lo || b.hi < a.lo || a.group & b.group == 0 {
        return None;
    }
    if !sides_agree(a.sides, b.sides) {
        return None;
    }
    // Different kinds of event (a clash, an air strike) are one only when a known side is
    // shared: "unknown" agreeing with anyone is not enough to join them.
    let shared_side = a.sides.iter().flatten().any(|s| b.sides.contains(&Some(s)));
    if ea.sub_event_type != eb.sub_event_type && !shared_side {
        return None;
    }
    // A city sees many events a day: two reports placed only at the same city are one event
    // when they agree on what happened and on a side, not merely for want of disagreement.
    if a.city && b.city && (ea.sub_event_type != eb.sub_event_type || !shared_side) {
        return None;
    }
    // Stated tolls far apart (7 and 42 dead) are two events, not one event's rising toll.
    if ea.states_toll() && eb.states_toll() {
        let (lo, hi) = (ea.fatalities.min(eb.fatalities), ea.fatalities.max(eb.fatalities));
        if hi > 3 * lo.max(1) && hi - lo > 5 {
            return None;
        }
    }
    let coarse = ea.geo_precision.unwrap_or(3).max(eb.geo_precision.unwrap_or(3));
    let mut score = 1.0f32;
    match (ea.latitude.zip(ea.longitude), eb.latitude.zip(eb.longitude)) {
        (Some(pa), Some(pb)) => {
            let d = distance_km(pa, pb);
            let allowed = match coarse {
                1 => 10.0,
                2 => 30.0,
                _ => f64::INFINITY,
            };
            if d > allowed || (coarse >= 3 && ea.admin1 != eb.admin1) {
                return None;
            }
            score += (1.0 - (d / 30.0).min(1.0)) as f32;
        }
        _ => return None,
    }
    if ea.admin1.is_none() || ea.admin1 != eb.admin1 {
        // Different governorates are different events unless both points say otherwise.
        if coarse >= 2 {
            return None;
        }
    }
    if a.lo == b.lo && a.hi == b.hi {
        score += 0.5;
    }
    if ea.sub_event_type == eb.sub_event_type {
        score += 0.5;
    }
    if a.sides == b.sides && a.sides[0].is_some() {
        score += 0.3;
    }
    if coarse == 1 {
        score += 0.2;
    }
    // Among several candidates a few kilometres apart (villages of one district), the report
    // of the same named place and the same toll is the better match.
    if ea.geo_id.is_some() && ea.geo_id == eb.geo_id {
        score += 1.0;
    }
    if ea.states_toll() && eb.states_toll() {
        score += if tolls_agree(ea.fatalities, eb.fatalities) { 0.5 } else { -0.5 };
    }
    Some(score)
}

/// What the rules compare, for one report.
fn key<'a>(e: &'a Event, published: Option<NaiveDate>, k: &Knowledge<'a>) -> Key<'a> {
    let dict = k.actors;
    let (lo, hi) = window(e, published).unwrap_or((i32::MIN, i32::MIN));
    let found_day = published.or(e.event_date).map_or(i32::MAX, day);
    Key {
        event: e,
        lo,
        hi,
        sides: [side_of(dict, e.actor1.as_ref().map(|x| x.name.as_str())), side_of(dict, e.actor2.as_ref().map(|x| x.name.as_str()))],
        group: type_groups(e.event_type),
        city: e.geo_precision == Some(1)
            && e.geo_id.as_deref().and_then(|id| k.gazetteer.entry(id)).is_some_and(|g| g.population >= 100_000),
        found: (found_day, e.event_id.as_str()),
    }
}

impl Key<'_> {
    /// Whether the report can be fused at all (it has a window of days and a point), and its
    /// candidates' bucket: its governorate.
    fn bucket(&self) -> Option<&str> {
        (self.lo != i32::MIN && self.event.latitude.is_some()).then(|| self.event.admin1.as_deref().unwrap_or(""))
    }
}

/// Fuses reports into events. The result is sorted by id and does not depend on the order of
/// `reports`.
pub fn fuse(reports: &[Report<'_>], k: &Knowledge<'_>) -> Vec<FusedEvent> {
    let mut keys: Vec<Key> = reports.iter().map(|r| key(r.event, r.published, k)).collect();
    // A canonical order: the result must not depend on the caller's.
    keys.sort_by(|a, b| a.event.event_id.cmp(&b.event.event_id));
    keys.dedup_by(|a, b| a.event.event_id == b.event.event_id);

    // Candidate pairs: reports sharing a governorate and a day of their windows.
    let mut buckets: HashMap<(&str, i32), Vec<usize>> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        let Some(a1) = k.bucket() else { continue };
        for d in k.lo..=k.hi {
            buckets.entry((a1, d)).or_default().push(i);
        }
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for members in buckets.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                pairs.insert((i.min(j), i.max(j)));
            }
        }
    }
    let mut scored: Vec<(f32, usize, usize)> =
        pairs.into_iter().filter_map(|(i, j)| compatible(&keys[i], &keys[j]).map(|s| (s, i, j))).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));

    // Merge best first; complete linkage, one report per article in a cluster.
    let mut cluster: Vec<usize> = (0..keys.len()).collect();
    let mut members: Vec<Vec<usize>> = (0..keys.len()).map(|i| vec![i]).collect();
    for (_, i, j) in scored {
        let (ci, cj) = (cluster[i], cluster[j]);
        if ci == cj {
            continue;
        }
        let ok = members[ci].iter().all(|&x| members[cj].iter().all(|&y| compatible(&keys[x], &keys[y]).is_some()));
        if !ok {
            continue;
        }
        let (keep, gone) = (ci.min(cj), ci.max(cj));
        let moved = std::mem::take(&mut members[gone]);
        for &m in &moved {
            cluster[m] = keep;
        }
        members[keep].extend(moved);
    }
    let mut out: Vec<FusedEvent> = members.into_iter().filter(|m| !m.is_empty()).map(|m| fused(&keys, m, k.outlets)).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The widest window a dated report can have: a month-precise date, ±15 days.
const MAX_RADIUS: i32 = 15;
/// An undated report's window: the week before its article's publication.
const UNDATED_SPAN: i32 = 7;

/// The part of a store that a change can alter: the `seeds` (new reports, and the remaining
/// reports of fused events that lost one) and every report linked to them by a chain of
/// reports that may be one event.
///
/// Clusters never cross a missing link, so fusing this part alone gives exactly the fused
/// events (and reports' verdicts) that fusing the whole store gives for it: incremental fusion
/// is as deterministic and order-free as a full run. `lookup` reads from the store.
pub fn neighbourhood<E>(
    seeds: Vec<(Event, Option<NaiveDate>)>,
    kb: &Knowledge<'_>,
    mut lookup: impl FnMut(Lookup) -> Result<Vec<(Event, Option<NaiveDate>)>, E>,
) -> Result<Vec<(Event, Option<NaiveDate>)>, E> {
    /// The reports loaded so far, which are in the part, and where to find them.
    #[derive(Default)]
    struct Loaded {
        all: Vec<(Event, Option<NaiveDate>)>,
        in_part: Vec<bool>,
        index: HashMap<String, usize>,
        /// By governorate (numbered) and day of their window, as in `fuse`.
        buckets: HashMap<(u32, i32), Vec<usize>>,
        admin1s: HashMap<String, u32>,
    }
    impl Loaded {
        fn add(&mut self, r: (Event, Option<NaiveDate>), kb: &Knowledge<'_>) -> usize {
            if let Some(&i) = self.index.get(&r.0.event_id) {
                return i;
            }
            let i = self.all.len();
            let k = key(&r.0, r.1, kb);
            if let Some(a1) = k.bucket() {
                let n = self.admin1s.len() as u32;
                let a1 = *self.admin1s.entry(a1.to_string()).or_insert(n);
                for d in k.lo..=k.hi {
                    self.buckets.entry((a1, d)).or_default().push(i);
                }
            }
            self.index.insert(r.0.event_id.clone(), i);
            self.all.push(r);
            self.in_part.push(false);
            i
        }
        /// Adds a report to the part: its index, when it was not in it yet.
        fn join(&mut self, r: (Event, Option<NaiveDate>), kb: &Knowledge<'_>) -> Option<usize> {
            let i = self.add(r, kb);
            (!std::mem::replace(&mut self.in_part[i], true)).then_some(i)
        }
    }
    let mut loaded = Loaded::default();
    let mut queried_days: BTreeSet<i32> = BTreeSet::new();
    let mut frontier: Vec<usize> = Vec::new();
    for r in seeds {
        frontier.extend(loaded.join(r, kb));
    }
    let date = |d: i32| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or(NaiveDate::MIN);
    while !frontier.is_empty() {
        // Every report whose window shares a day with a frontier report's window.
        let mut days: BTreeSet<i32> = BTreeSet::new();
        for &i in &frontier {
            let k = key(&loaded.all[i].0, loaded.all[i].1, kb);
            if k.bucket().is_some() {
                days.extend((k.lo..=k.hi).filter(|d| !queried_days.contains(d)));
            }
        }
        queried_days.extend(days.iter().copied());
        let mut runs: Vec<(i32, i32)> = Vec::new();
        for d in days {
            match runs.last_mut() {
                Some(r) if r.1 + 1 == d => r.1 = d,
                _ => runs.push((d, d)),
            }
        }
        for (lo, hi) in runs {
            let found = lookup(Lookup {
                dated: (date(lo - MAX_RADIUS), date(hi + MAX_RADIUS)),
                undated_published: (date(lo), date(hi + UNDATED_SPAN)),
            })?;
            for r in found {
                loaded.add(r, kb);
            }
        }
        // Links from the frontier to reports not yet in the part, one frontier report at a time.
        let mut keys: HashMap<usize, Key> = HashMap::new();
        let mut joined: BTreeSet<usize> = BTreeSet::new();
        let mut checked: HashSet<usize> = HashSet::new();
        for &i in &frontier {
            let ki = key(&loaded.all[i].0, loaded.all[i].1, kb);
            let Some(a1) = ki.bucket().and_then(|a1| loaded.admin1s.get(a1)) else { continue };
            checked.clear();
            for d in ki.lo..=ki.hi {
                for &j in loaded.buckets.get(&(*a1, d)).map_or(&[][..], Vec::as_slice) {
                    if loaded.in_part[j] || joined.contains(&j) || !checked.insert(j) {
                        continue;
                    }
                    let kj = keys.entry(j).or_insert_with(|| key(&loaded.all[j].0, loaded.all[j].1, kb));
                    if compatible(&ki, kj).is_some() {
                        joined.insert(j);
                    }
                }
            }
        }
        for &j in &joined {
            loaded.in_part[j] = true;
        }
        frontier = joined.into_iter().collect();
    }
    Ok(loaded.all.into_iter().zip(loaded.in_part).filter(|(_, p)| *p).map(|(r, _)| r).collect())
}

fn fused(keys: &[Key], mut m: Vec<usize>, outlets: &crate::knowledge::Outlets) -> FusedEvent {
    m.sort_by(|&a, &b| keys[a].found.cmp(&keys[b].found));
    let founder = keys[m[0]].event;
    let events: Vec<&Event> = m.iter().map(|&i| keys[i].event).collect();
    let outlet = |e: &Event| e.source.clone().unwrap_or_else(|| "unknown source".to_string());
    let mut claims: BTreeMap<String, Vec<Claim>> = BTreeMap::new();
    let mut claim = |field: &str, value: String, e: &Event| {
        let list = claims.entry(field.to_string()).or_default();
        match list.iter_mut().find(|c| c.value == value) {
            Some(c) => {
                if !c.sources.contains(&outlet(e)) {
                    c.sources.push(outlet(e));
                }
                c.events.push(e.event_id.clone());
            }
            None => list.push(Claim { value, sources: vec![outlet(e)], events: vec![e.event_id.clone()] }),
        }
    };
    // A toll is claimed only when a report states one.
    for e in &events {
        if e.states_toll() {
            claim("fatalities", e.fatalities.to_string(), e);
        }
        if let Some(a) = &e.actor1 {
            claim("actor1", a.name.clone(), e);
        }
        if let Some(a) = &e.actor2 {
            claim("actor2", a.name.clone(), e);
        }
        if let Some(d) = e.event_date {
            claim("date", d.to_string(), e);
        }
        claim("type", format!("{} / {}", e.event_type, e.sub_event_type), e);
    }
    for list in claims.values_mut() {
        for c in list.iter_mut() {
            c.sources.sort();
            c.events.sort();
        }
        list.sort_by(|a, b| b.events.len().cmp(&a.events.len()).then(a.value.cmp(&b.value)));
    }
    // Coded values: the claim most reports make (ties: the founder's), the most conservative
    // toll, the most precise place.
    let top = |field: &str| claims.get(field).and_then(|l| l.first()).map(|c| c.value.clone());
    let tolls: Vec<u32> = events.iter().filter(|e| e.states_toll()).map(|e| e.fatalities).collect();
    // No stated toll: ACLED's default for deaths reported without a figure, else none.
    let fallback = events.iter().map(|e| e.fatalities).min().unwrap_or(0);
    let (lo, hi) = (tolls.iter().copied().min().unwrap_or(fallback), tolls.iter().copied().max().unwrap_or(fallback));
    let placed = events.iter().min_by_key(|e| (e.geo_precision.unwrap_or(9), e.event_id.clone())).copied().unwrap_or(founder);
    let claimed = top("type").and_then(|t| {
        let (a, b) = t.split_once(" / ")?;
        Some((a.parse().ok()?, b.parse().ok()?))
    });
    let (event_type, sub_event_type) = claimed.unwrap_or((founder.event_type, founder.sub_event_type));
    // Battles outrank the shelling inside them.
    let (event_type, sub_event_type) = match events.iter().find(|e| e.event_type == EventType::Battles) {
        Some(b) if event_type != EventType::Battles => (b.event_type, b.sub_event_type),
        _ => (event_type, sub_event_type),
    };
    let mut articles: Vec<String> = events.iter().map(|e| e.article_id.clone()).collect();
    articles.sort();
    articles.dedup();
    let mut sources: Vec<String> = events.iter().filter_map(|e| e.source.clone()).collect();
    sources.sort();
    sources.dedup();
    let mut ids: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
    ids.sort();
    let corroboration = corroboration(&claims, &sources, events.len(), outlets);
    FusedEvent {
        id: fused_id(&founder.event_id),
        events: ids,
        articles,
        sources,
        event_date: top("date").and_then(|d| d.parse().ok()),
        event_type,
        sub_event_type,
        actor1: top("actor1"),
        actor2: top("actor2"),
        location: placed.location.clone(),
        admin1: placed.admin1.clone(),
        latitude: placed.latitude,
        longitude: placed.longitude,
        geo_precision: placed.geo_precision,
        fatalities: lo,
        fatalities_range: (lo, hi),
        territory_change: events.iter().any(|e| e.territory_change),
        claims,
        corroboration,
    }
}

/// Whether two tolls agree: equal, or within a fifth of the larger (tolls rise as bodies are found).
pub fn tolls_agree(a: u32, b: u32) -> bool {
    let (lo, hi) = (a.min(b) as f32, a.max(b) as f32);
    hi - lo <= (0.2 * hi).max(2.0)
}

fn corroboration(
    claims: &BTreeMap<String, Vec<Claim>>,
    sources: &[String],
    reports: usize,
    outlets: &crate::knowledge::Outlets,
) -> Corroboration {
    let mut leanings: Vec<String> =
        sources.iter().map(|s| outlets.lookup(s).map_or_else(|| "unknown".to_string(), |o| o.leaning.clone())).collect();
    leanings.sort();
    leanings.dedup();
    // Agreement per field: the share of reports in the largest agreeing group.
    let mut shares = Vec::new();
    for (field, list) in claims {
        let total: usize = list.iter().map(|c| c.events.len()).sum();
        if total < 2 {
            continue;
        }
        let agreeing = if field == "fatalities" {
            let values: Vec<(u32, usize)> = list.iter().filter_map(|c| c.value.parse().ok().map(|v| (v, c.events.len()))).collect();
            values
                .iter()
                .map(|&(v, _)| values.iter().filter(|&&(w, _)| tolls_agree(v, w)).map(|&(_, n)| n).sum::<usize>())
                .max()
                .unwrap_or(0)
        } else {
            list.first().map_or(0, |c| c.events.len())
        };
        shares.push(agreeing as f32 / total as f32);
    }
    let agreement = if shares.is_empty() { 1.0 } else { shares.iter().sum::<f32>() / shares.len() as f32 };
    let n = sources.len().max(1);
    let independence = 1.0 - 0.5f32.powi(n as i32);
    let diversity = ((leanings.len() as f32 - 1.0) * 0.1).clamp(0.0, 0.2);
    let score = ((0.3 + 0.5 * independence + diversity) * (0.5 + 0.5 * agreement)).clamp(0.0, 1.0);
    let reason = if reports < 2 {
        format!("one report ({}), uncorroborated", sources.first().map_or("unknown source", |s| s.as_str()))
    } else {
        format!(
            "{reports} reports from {} outlet{} ({}); claims agree {:.0}%",
            sources.len(),
            if sources.len() == 1 { "" } else { "s" },
            leanings.join(", "),
            agreement * 100.0
        )
    };
    Corroboration { sources: sources.len(), leanings, agreement, score: (score * 100.0).round() / 100.0, reason }
}

/// Each report's verdict, by event id. A verdict depends only on the report's fused event, so
/// fusing part of a store gives the part's verdicts whole.
pub fn verdicts(fused: &[FusedEvent], events: &[&Event]) -> Vec<(String, Verdict)> {
    let by_id: HashMap<&str, &Event> = events.iter().map(|e| (e.event_id.as_str(), *e)).collect();
    let mut out = Vec::new();
    for f in fused {
        let members: Vec<&Event> = f.events.iter().filter_map(|id| by_id.get(id.as_str()).copied()).collect();
        for e in &members {
            let others: Vec<&&Event> =
                members.iter().filter(|o| o.source != e.source || o.source.is_none()).filter(|o| o.article_id != e.article_id).collect();
            let verdict = if others.is_empty() {
                Verdict::Uncorroborated
            } else {
                let toll_clash = e.states_toll() && others.iter().any(|o| o.states_toll() && !tolls_agree(e.fatalities, o.fatalities));
                let actor_clash = others.iter().any(|o| {
                    let name = |a: &Option<crate::model::EventActor>| a.as_ref().map(|x| x.name.clone());
                    let (a, b) = (name(&e.actor1), name(&o.actor1));
                    a.is_some() && b.is_some() && a != b && name(&e.actor2) != b
                });
                if toll_clash || actor_clash {
                    Verdict::Contradicted
                } else {
                    Verdict::Corroborated
                }
            };
            out.push((e.event_id.clone(), verdict));
        }
    }
    out
}

impl ArticleCredibility {
    /// An article's score from its reports' verdicts.
    pub fn from_counts(article_id: String, corroborated: usize, uncorroborated: usize, contradicted: usize) -> ArticleCredibility {
        let (c, u, x) = (corroborated, uncorroborated, contradicted);
        let total = (c + u + x).max(1) as f32;
        let score = ((c as f32 + 0.6 * u as f32 + 0.1 * x as f32) / total * 100.0).round() / 100.0;
        let reason = if c + u + x == 0 {
            "no events to check".to_string()
        } else {
            format!("{c} of its events corroborated by other outlets, {u} uncorroborated, {x} contradicted")
        };
        ArticleCredibility { article_id, corroborated: c, uncorroborated: u, contradicted: x, score, reason }
    }
}

/// Each article's claims checked against the other outlets' reports of the same events (see
/// [`Verdict`]), combined into a score with its reason.
pub fn article_credibility(fused: &[FusedEvent], events: &[&Event]) -> Vec<ArticleCredibility> {
    let article_of: HashMap<&str, &str> = events.iter().map(|e| (e.event_id.as_str(), e.article_id.as_str())).collect();
    let mut per: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for e in events {
        per.entry(e.article_id.as_str()).or_default();
    }
    for (id, v) in verdicts(fused, events) {
        if let Some(a) = article_of.get(id.as_str()) {
            per.entry(a).or_default()[v as usize] += 1;
        }
    }
    per.into_iter().map(|(a, [c, u, x])| ArticleCredibility::from_counts(a.to_string(), c, u, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events_of(name: &str, text: &str, published: &str) -> (Vec<Event>, NaiveDate) {
        let mut a = crate::read::test_article(name, text);
        let p: NaiveDate = published.parse().unwrap();
        a.published = Some(crate::model::Published { date: p, time: None });
        (crate::events_of(&a), p)
    }

    /// One car bomb told by two outlets (Reuters: 27 dead; SANA: 12).
    fn azaz_car_bomb() -> [(Vec<Event>, NaiveDate); 2] {
        [
            events_of(
                "a.txt",
                "Car bomb kills 27 in Azaz\n\nSource: Reuters\n\nA car bomb exploded near a mosque in the town of Azaz on Monday, killing 27 people, a monitor said.\n",
                "2016-05-03",
            ),
            events_of(
                "b.txt",
                "Blast in A'zaz\n\nSource: SANA\n\nTerrorists detonated a car bomb in the city of A'zaz on Monday, killing 12 citizens.\n",
                "2016-05-03",
            ),
        ]
    }

    #[test]
    fn one_event_told_twice_is_one_event_with_both_tolls() {
        let [(a, pa), (b, pb)] = azaz_car_bomb();
        assert_eq!((a.len(), b.len()), (1, 1), "{a:#?} {b:#?}");
        let reports: Vec<Report> = a
            .iter()
            .map(|e| Report { event: e, published: Some(pa) })
            .chain(b.iter().map(|e| Report { event: e, published: Some(pb) }))
            .collect();
        let fused = fuse(&reports, crate::pipeline::Knowledge::builtin());
        assert_eq!(fused.len(), 1, "{fused:#?}");
        let f = &fused[0];
        assert_eq!(f.articles.len(), 2);
        assert_eq!(f.fatalities, 12, "ACLED: the most conservative toll");
        assert_eq!(f.fatalities_range, (12, 27));
        let tolls: Vec<&str> = f.claims["fatalities"].iter().map(|c| c.value.as_str()).collect();
        assert_eq!(tolls.len(), 2);
        assert!(tolls.contains(&"27") && tolls.contains(&"12"));
        // Any order, same result.
        let mut reversed = reports.clone();
        reversed.reverse();
        assert_eq!(fuse(&reversed, crate::pipeline::Knowledge::builtin()), fused);
    }

    #[test]
    fn fusion_runs_on_the_knowledge_it_is_given() {
        let [(a, pa), (b, pb)] = azaz_car_bomb();
        let reports: Vec<Report> = a
            .iter()
            .map(|e| Report { event: e, published: Some(pa) })
            .chain(b.iter().map(|e| Report { event: e, published: Some(pb) }))
            .collect();
        let builtin = crate::pipeline::Knowledge::builtin();
        let leanings = |k: &crate::pipeline::Knowledge<'_>| fuse(&reports, k)[0].corroboration.leanings.clone();
        assert_eq!(leanings(builtin), ["independent", "pro_government"]);
        // Another outlets table (both outlets one wire service's): another corroboration,
        // with nothing else changed.
        let outlets = crate::knowledge::Outlets::parse("Reuters\t\twire\twire\tGB\nSANA\t\twire\twire\tGB\n").unwrap();
        let other = crate::pipeline::Knowledge { outlets: &outlets, ..*builtin };
        assert_eq!(leanings(&other), ["wire"]);
        assert_eq!(fuse(&reports, &other)[0].events, fuse(&reports, builtin)[0].events);
    }

    #[test]
    fn different_days_or_places_stay_apart() {
        let (a, pa) = events_of("a.txt", "T\n\nA car bomb exploded in the town of Azaz on Monday, killing 5 people.\n", "2016-05-03");
        let (b, pb) = events_of("b.txt", "T\n\nA car bomb exploded in the town of Azaz on Saturday, killing 5 people.\n", "2016-05-03");
        let (c, pc) = events_of(
            "c.txt",
            "T\n\nA car bomb exploded in the town of Saraqeb in Idlib province on Monday, killing 5 people.\n",
            "2016-05-03",
        );
        let reports: Vec<Report> = [(&a, pa), (&b, pb), (&c, pc)]
            .iter()
            .flat_map(|(v, p)| v.iter().map(move |e| Report { event: e, published: Some(*p) }))
            .collect();
        assert_eq!(fuse(&reports, crate::pipeline::Knowledge::builtin()).len(), 3);
    }

    #[test]
    fn a_city_needs_more_than_the_day_and_the_place() {
        // Aleppo city, one day: shelling by unknown hands and rebel shelling are not known to be one.
        let (a, pa) = events_of("a.txt", "T\n\nShells fell on the city of Aleppo on Monday, killing 4 people.\n", "2016-05-03");
        let (b, pb) = events_of("b.txt", "T\n\nRebel shelling hit the city of Aleppo on Monday, killing 4 civilians.\n", "2016-05-03");
        let reports: Vec<Report> =
            [(&a, pa), (&b, pb)].iter().flat_map(|(v, p)| v.iter().map(move |e| Report { event: e, published: Some(*p) })).collect();
        assert!(reports.iter().all(|r| r.event.geo_precision == Some(1)), "{reports:#?}");
        assert_eq!(
            fuse(&reports, crate::pipeline::Knowledge::builtin()).len(),
            reports.len(),
            "{:#?}",
            fuse(&reports, crate::pipeline::Knowledge::builtin())
        );
    }

    #[test]
    fn the_same_place_and_toll_pair_first() {
        // Three villages 3-5 km apart, shelled the same day, told by two outlets: each report
        // joins its own village's, not a neighbour's that happens to match on more else.
        let (a, pa) = events_of(
            "a.txt",
            "T\n\nSource: TRT World\n\nShelling on the town of Jisreen on Tuesday killed seven civilians. Shelling on the town of Mesraba on Tuesday killed three people.\n",
            "2017-10-31",
        );
        let (b, pb) = events_of(
            "b.txt",
            "T\n\nSource: The Jordan Times\n\nShelling hit the town of Mesraba on Tuesday, killing three civilians. Shells also fell on the town of Jisreen on Tuesday. In the town of Harasta, shelling on Tuesday hit near a school.\n",
            "2017-10-31",
        );
        assert_eq!((a.len(), b.len()), (2, 3), "{a:#?} {b:#?}");
        // As in the article this comes from: its Mesraba is "the Mesraba area", its Jisreen
        // report dated only to the week, so the neighbour's report matches on more else.
        let mut b = b;
        b[0].geo_precision = Some(2);
        b[1].time_precision = 2;
        let reports: Vec<Report> =
            [(&a, pa), (&b, pb)].iter().flat_map(|(v, p)| v.iter().map(move |e| Report { event: e, published: Some(*p) })).collect();
        let fused = fuse(&reports, crate::pipeline::Knowledge::builtin());
        assert_eq!(fused.len(), 3, "{fused:#?}");
        for f in &fused {
            let places: BTreeSet<Option<&str>> =
                f.events.iter().map(|id| reports.iter().find(|r| &r.event.event_id == id).unwrap().event.location.as_deref()).collect();
            assert_eq!(places.len(), 1, "one village per fused event: {places:?}");
        }
    }

    #[test]
    fn tolls() {
        assert!(tolls_agree(27, 25));
        assert!(tolls_agree(3, 5));
        assert!(!tolls_agree(27, 12));
    }
}
