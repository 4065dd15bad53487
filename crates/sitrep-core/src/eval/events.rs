//! Scoring extracted events against a gold file in the format of `fixtures/gold/seeds.json`:
//! recall of `must` events, precision (events matching neither a `must` nor a `may` count
//! against it), per-field accuracy, and `must_not` violations (an event whose evidence holds
//! text no event may come from).

use crate::extract::actors::ActorDict;
use crate::model::{Article, Event};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A gold file.
#[derive(Debug, Deserialize)]
pub struct Gold {
    #[serde(default)]
    pub actor_aliases: HashMap<String, Vec<String>>,
    /// Reference points of the canonical places.
    #[serde(default)]
    pub places: HashMap<String, GoldPlace>,
    #[serde(default)]
    pub place_aliases: HashMap<String, Vec<String>>,
    pub documents: Vec<GoldDoc>,
}

/// A gold place's reference point.
#[derive(Debug, Deserialize)]
pub struct GoldPlace {
    pub lat: f64,
    pub lon: f64,
    pub admin1: Option<String>,
    pub within_km: f64,
}

/// One gold document.
#[derive(Debug, Deserialize)]
pub struct GoldDoc {
    pub doc: String,
    pub published: Option<String>,
    #[serde(default)]
    pub must: Vec<Value>,
    #[serde(default)]
    pub may: Vec<Value>,
    #[serde(default)]
    pub must_not: Vec<String>,
}

/// Scores for one document.
#[derive(Debug, Serialize, Default)]
pub struct DocReport {
    pub doc: String,
    pub must: usize,
    pub must_found: usize,
    pub may: usize,
    pub may_found: usize,
    pub events: usize,
    pub missed: Vec<String>,
    pub unmatched: Vec<String>,
    pub must_not_violations: Vec<String>,
    pub field_errors: Vec<String>,
}

/// The whole report.
#[derive(Debug, Serialize, Default)]
pub struct Report {
    pub must: usize,
    pub must_found: usize,
    /// Must events found with every field right.
    pub must_fully_right: usize,
    pub must_recall: f64,
    pub may: usize,
    pub may_found: usize,
    pub events: usize,
    /// Events that match neither a must nor a may event (the gold's "extra" events).
    pub unmatched: usize,
    pub precision: f64,
    pub must_not_violations: usize,
    /// Over matched must events: share with the field right.
    pub field_accuracy: BTreeMap<String, f64>,
    pub documents: Vec<DocReport>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fold(s: &str) -> String {
    s.to_lowercase().replace(['’', '\''], "").replace('-', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The alternatives a gold field allows: a string, or a list whose `null` means "may be
/// left unresolved".
fn alts(v: Option<&Value>) -> Option<Vec<Option<String>>> {
    match v? {
        Value::String(s) => Some(vec![Some(s.clone())]),
        Value::Array(a) => Some(a.iter().map(|x| x.as_str().map(String::from)).collect()),
        Value::Null => None,
        other => Some(vec![Some(other.to_string())]),
    }
}

struct Matcher<'a> {
    gold: &'a Gold,
    dict: &'a ActorDict,
}

impl Matcher<'_> {
    fn actor_is(&self, ours: Option<&crate::model::EventActor>, canon: &str) -> bool {
        let Some(a) = ours else { return false };
        if a.name.eq_ignore_ascii_case(canon) {
            return true;
        }
        if let Some(aliases) = self.gold.actor_aliases.get(canon) {
            let t = fold(&a.text);
            if aliases.iter().any(|x| fold(x) == t) {
                return true;
            }
        }
        match (self.dict.index_of(&a.name), self.dict.lookup(canon).and_then(|g| self.dict.index_of(&g.name))) {
            (Some(i), Some(j)) => self.dict.is_within(i, j),
            _ => false,
        }
    }

    fn actors_ok(&self, g: &Value, e: &Event) -> bool {
        let a1 = alts(g.get("actor1"));
        let a2 = alts(g.get("actor2"));
        let one = |alts: &Option<Vec<Option<String>>>, ours: Option<&crate::model::EventActor>| match alts {
            None => true,
            Some(list) => list.iter().any(|x| match x {
                Some(c) => self.actor_is(ours, c),
                None => ours.is_none(),
            }),
        };
        let straight = one(&a1, e.actor1.as_ref()) && one(&a2, e.actor2.as_ref());
        let both_lists = matches!(g.get("actor1"), Some(Value::Array(_))) && matches!(g.get("actor2"), Some(Value::Array(_)));
        straight || (both_lists && one(&a1, e.actor2.as_ref()) && one(&a2, e.actor1.as_ref()))
    }

    fn place_ok(&self, g: &Value, e: &Event) -> bool {
        let Some(list) = alts(g.get("location")) else {
            return true;
        };
        let Some(loc) = e.location.as_deref() else {
            return list.contains(&None);
        };
        let ours = fold(loc);
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let within = |a: &str, b: &str| {
            let (wa, wb) = (words(a), words(b));
            !wa.is_empty() && wb.windows(wa.len()).any(|w| w == wa.as_slice())
        };
        list.iter().flatten().any(|canon| {
            let mut names = vec![canon.clone()];
            names.extend(self.gold.place_aliases.get(canon).cloned().unwrap_or_default());
            names.iter().any(|n| {
                let n = fold(n);
                n == ours || within(&ours, &n) || within(&n, &ours)
            })
        })
    }

    /// Whether the event's point lies within `within_km` of one of the gold location's
    /// reference points (`None` when the gold gives no reference point).
    fn point_ok(&self, g: &Value, e: &Event) -> Option<bool> {
        let refs: Vec<&GoldPlace> = alts(g.get("location"))?.iter().flatten().filter_map(|c| self.gold.places.get(c)).collect();
        if refs.is_empty() {
            return None;
        }
        let (Some(lat), Some(lon)) = (e.latitude, e.longitude) else {
            return Some(false);
        };
        Some(refs.iter().any(|p| crate::geocode::distance_km((lat, lon), (p.lat, p.lon)) <= p.within_km))
    }

    fn admin1_ok(&self, g: &Value, e: &Event) -> Option<bool> {
        let list = alts(g.get("admin1"))?;
        Some(list.iter().any(|a| match a {
            Some(a) => e.admin1.as_deref() == Some(a.as_str()),
            None => e.admin1.is_none(),
        }))
    }

    fn date_ok(&self, g: &Value, e: &Event) -> bool {
        if let Some(d) = g.get("date").and_then(Value::as_str) {
            return e.event_date.map(|x| x.to_string()).as_deref() == Some(d);
        }
        match alts(g.get("weekday")) {
            None => true,
            Some(list) => {
                let ours = e.weekday.clone();
                list.iter().any(|w| match w {
                    Some(w) => ours.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(w)),
                    None => ours.is_none() && e.event_date.is_none(),
                })
            }
        }
    }

    fn fatalities_ok(&self, g: &Value, e: &Event) -> bool {
        let f_ok = match (g.get("fatalities").and_then(Value::as_u64), g.get("fatalities_min").and_then(Value::as_u64)) {
            (Some(x), _) => e.fatalities as u64 == x,
            (None, Some(m)) => e.fatalities as u64 >= m,
            (None, None) => true,
        };
        let i_ok = match g.get("injured").and_then(Value::as_u64) {
            Some(x) => e.injured.map(u64::from) == Some(x),
            None => true,
        };
        f_ok && i_ok
    }

    fn type_ok(&self, g: &Value, e: &Event) -> bool {
        g.get("event_type").and_then(Value::as_str) == Some(e.event_type.as_str())
            && alts(g.get("sub_event_type")).is_none_or(|l| l.iter().flatten().any(|s| *s == e.sub_event_type))
    }

    /// Core match: type, actors and place; the score counts the other fields right too.
    fn score(&self, g: &Value, e: &Event) -> Option<usize> {
        if g.get("event_type").and_then(Value::as_str) != Some(e.event_type.as_str()) || !self.actors_ok(g, e) || !self.place_ok(g, e) {
            return None;
        }
        Some(1 + usize::from(self.type_ok(g, e)) + usize::from(self.date_ok(g, e)) + usize::from(self.fatalities_ok(g, e)))
    }
}

fn describe_gold(g: &Value) -> String {
    let f = |k: &str| g.get(k).map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    format!(
        "{} / {} | {} vs {} | {} | {}{}",
        f("event_type"),
        f("sub_event_type"),
        f("actor1"),
        f("actor2"),
        f("location"),
        g.get("date").or(g.get("weekday")).map(|v| v.to_string()).unwrap_or_default(),
        g.get("fatalities").or(g.get("fatalities_min")).map(|v| format!(" | fatalities {v}")).unwrap_or_default()
    )
}

/// A one-line description of an event, for reports.
pub fn describe(e: &Event) -> String {
    let a = |x: &Option<crate::model::EventActor>| x.as_ref().map_or("-".to_string(), |a| a.name.clone());
    let date = e.event_date.map(|d| d.to_string()).or_else(|| e.weekday.clone()).unwrap_or_else(|| "-".into());
    format!(
        "{} / {} | {} vs {} | {} | {} | fatalities {} | \"{}\"",
        e.event_type,
        e.sub_event_type,
        a(&e.actor1),
        a(&e.actor2),
        e.location.as_deref().unwrap_or("-"),
        date,
        e.fatalities,
        e.notes.chars().take(90).collect::<String>()
    )
}

/// Scores the events extracted from each gold document (`docs`: name, article, events).
pub fn score(gold: &Gold, docs: &[(String, Article, Vec<Event>)]) -> Report {
    let m = Matcher { gold, dict: ActorDict::builtin() };
    let mut r = Report::default();
    let mut tally = Tally::default();
    for gd in &gold.documents {
        let Some((_, _, events)) = docs.iter().find(|(n, _, _)| *n == gd.doc) else {
            continue;
        };
        let mut d = DocReport { doc: gd.doc.clone(), must: gd.must.len(), may: gd.may.len(), events: events.len(), ..DocReport::default() };
        let mut taken = vec![false; events.len()];
        let assign = |g: &Value, taken: &mut Vec<bool>| -> Option<usize> {
            let best = events
                .iter()
                .enumerate()
                .filter(|(i, _)| !taken[*i])
                .filter_map(|(i, e)| m.score(g, e).map(|s| (s, i)))
                .max_by_key(|&(s, i)| (s, std::cmp::Reverse(i)));
            best.map(|(_, i)| {
                taken[i] = true;
                i
            })
        };
        for g in &gd.must {
            match assign(g, &mut taken) {
                Some(i) => {
                    d.must_found += 1;
                    check_matched(&m, g, &events[i], &mut d, &mut tally);
                }
                None => d.missed.push(describe_gold(g)),
            }
        }
        for g in &gd.may {
            if assign(g, &mut taken).is_some() {
                d.may_found += 1;
            }
        }
        list_unmatched_and_forbidden(&mut d, gd, events, &taken);
        r.must += d.must;
        r.must_found += d.must_found;
        r.may += d.may;
        r.may_found += d.may_found;
        r.events += d.events;
        r.unmatched += d.unmatched.len();
        r.must_not_violations += d.must_not_violations.len();
        r.documents.push(d);
    }
    r.must_fully_right = tally.fully_right;
    r.must_recall = if r.must == 0 { 1.0 } else { r.must_found as f64 / r.must as f64 };
    r.precision = if r.events == 0 { 1.0 } else { (r.events - r.unmatched) as f64 / r.events as f64 };
    for k in ["type", "actors", "place", "date", "fatalities"] {
        let v = tally.fields.get(k).copied().unwrap_or(0);
        r.field_accuracy.insert(k.to_string(), if r.must_found == 0 { 0.0 } else { v as f64 / r.must_found as f64 });
    }
    // Geocoding: over matched must events whose gold gives a reference point / an admin1.
    for (k, (ok, n)) in tally.geo {
        r.field_accuracy.insert(k, if n == 0 { 0.0 } else { ok as f64 / n as f64 });
    }
    r
}

/// What the matched must events of every document got right: per field, per geocoding check
/// (right, of how many), and how many were right on every field.
#[derive(Default)]
struct Tally {
    fields: BTreeMap<String, usize>,
    geo: BTreeMap<String, (usize, usize)>,
    fully_right: usize,
}

/// A must event matched by one of ours: each field checked, counted, and its errors listed.
fn check_matched(m: &Matcher<'_>, g: &Value, e: &Event, d: &mut DocReport, t: &mut Tally) {
    let checks =
        [("type", m.type_ok(g, e)), ("actors", true), ("place", true), ("date", m.date_ok(g, e)), ("fatalities", m.fatalities_ok(g, e))];
    if checks.iter().all(|c| c.1) {
        t.fully_right += 1;
    }
    for (k, ok) in [("place_within_km", m.point_ok(g, e)), ("admin1", m.admin1_ok(g, e))] {
        if let Some(ok) = ok {
            let n = t.geo.entry(k.to_string()).or_default();
            n.0 += usize::from(ok);
            n.1 += 1;
            if !ok {
                d.field_errors.push(format!(
                    "{k}: gold {} / ours {} at {:?},{:?} admin1 {:?}",
                    describe_gold(g),
                    e.location.as_deref().unwrap_or("-"),
                    e.latitude,
                    e.longitude,
                    e.admin1
                ));
            }
        }
    }
    for (k, ok) in checks {
        *t.fields.entry(k.to_string()).or_default() += usize::from(ok);
        if !ok {
            d.field_errors.push(format!("{k}: gold {} / ours {}", describe_gold(g), describe(e)));
        }
    }
}

/// Our events no gold event took, and those whose evidence holds a text the gold forbids.
fn list_unmatched_and_forbidden(d: &mut DocReport, gd: &GoldDoc, events: &[Event], taken: &[bool]) {
    for (i, e) in events.iter().enumerate() {
        if !taken[i] {
            d.unmatched.push(describe(e));
        }
        for bad in &gd.must_not {
            let b = squash(bad);
            if e.evidence.iter().any(|ev| squash(&ev.text).contains(&b)) {
                d.must_not_violations.push(format!("{} <- \"{bad}\"", e.event_id));
            }
        }
    }
}
