//! Scoring against sitrep's annotated corpus (`corpus/train.jsonl`, `corpus/test.jsonl`; the
//! format and the coding rules are in `corpus/GUIDELINES.md`).
//!
//! Each corpus article is read as sitrep reads a JSON record (so cleaning runs), its events
//! extracted and geocoded with a chosen typer. A predicted event belongs to a gold sentence
//! when one of its evidence spans overlaps the sentence. Then, per coded sentence:
//! - sub-type: the set of sub-types the gold gives against the set predicted there; each
//!   class counts true positives, false positives (predicted, not in the gold, including on
//!   eventless sentences) and false negatives; F1 weighted by gold support over the 25 classes;
//! - the fields of each gold event, against the predicted event of the sentence that matches
//!   it best (its sub-type, else its event type; one not matched to another gold event yet;
//!   at its place): actor1 and actor2 (canonical names,
//!   or the dictionary's `acled` name; "none" must be none), place within 10 km (gold with a
//!   point), admin1, date (exact), fatalities (exact). A gold event with no predicted event
//!   counts wrong on every field.

use crate::extract::actors::ActorDict;
use crate::extract::learned::TyperKind;
use crate::geocode::distance_km;
use crate::model::{Article, Event};
use crate::read::{read_bytes, ReadOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One article of the corpus.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CorpusArticle {
    pub id: String,
    pub origin: String,
    #[serde(default)]
    pub written: bool,
    #[serde(default)]
    pub split: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    pub text: String,
    pub sentences: Vec<GoldSentence>,
}

/// A sentence and its events (`None`: not coded yet, not scored).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldSentence {
    /// Character offsets into the article's text.
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub events: Option<Vec<GoldEvent>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldActor {
    #[serde(default)]
    pub text: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldPlace {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub admin1: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub precision: Option<u8>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldEvent {
    pub event_type: String,
    pub sub_event_type: String,
    #[serde(default)]
    pub actor1: Option<GoldActor>,
    #[serde(default)]
    pub actor2: Option<GoldActor>,
    #[serde(default)]
    pub place: Option<GoldPlace>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub time_precision: Option<u8>,
    #[serde(default)]
    pub fatalities: Option<u32>,
}

/// Reads a corpus file (JSON Lines); a bad line is an error naming it.
pub fn parse_corpus(name: &str, text: &str) -> Result<Vec<CorpusArticle>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| serde_json::from_str(l).map_err(|e| format!("{name}:{}: {e}", n + 1)))
        .collect()
}

/// The article as sitrep reads it: a JSON record with its title, text, source and date.
pub fn article_of(a: &CorpusArticle) -> Result<Article, String> {
    let record = serde_json::json!({"title": a.title, "text": a.text, "source": a.source, "published": a.published});
    let mut out = None;
    read_bytes(&format!("{}.json", a.id), record.to_string().as_bytes(), &ReadOptions::default(), &mut |r| out = Some(r));
    match out {
        Some(Ok(article)) => Ok(article),
        Some(Err(e)) => Err(e.to_string()),
        None => Err(format!("{}: no article read", a.id)),
    }
}

/// The learned typer's training examples: every coded sentence's text with the class of its
/// first event ("none" for none), as class indexes into `classes`.
pub fn typer_examples(corpus: &[CorpusArticle], classes: &[String]) -> Result<Vec<(String, usize)>, String> {
    let mut examples = Vec::new();
    for a in corpus {
        let bytes: Vec<usize> = a.text.char_indices().map(|(b, _)| b).chain(std::iter::once(a.text.len())).collect();
        let byte = |c: usize| bytes.get(c).copied().unwrap_or(a.text.len());
        for s in &a.sentences {
            let Some(events) = &s.events else { continue };
            let label = events.first().map_or(crate::extract::learned::NONE, |e| e.sub_event_type.as_str());
            let class = classes.iter().position(|c| c == label).ok_or_else(|| format!("{}: unknown sub-type {label:?}", a.id))?;
            examples.push((a.text[byte(s.start)..byte(s.end)].to_string(), class));
        }
    }
    Ok(examples)
}

/// The fold (of `k`) an article belongs to in cross-validation: from a hash of its id.
pub fn fold_of(id: &str, k: usize) -> usize {
    (blake3::hash(id.as_bytes()).as_bytes()[0] as usize) % k.max(1)
}

/// Cross-validation on a corpus (its train part): for each of `k` folds, a model trained on
/// the other folds, each typer scored on the fold's articles; the folds' scores added up.
pub fn cross_validate(
    corpus: &[CorpusArticle],
    k: usize,
    opts: &crate::extract::learned::TrainOptions,
    thresholds: crate::extract::learned::Thresholds,
    min_confidence: f32,
) -> Result<Vec<Report>, String> {
    use crate::extract::learned::{train, Typology};
    use crate::extract::Extractor;
    let classes = Typology::builtin().class_names();
    // What is scored is the embedded knowledge, with typers trained on each fold.
    let kb = crate::pipeline::Knowledge::builtin();
    let mut reports: Vec<Report> = TyperKind::ALL
        .iter()
        .map(|t| Report { typer: t.name().to_string(), all: Scores::default(), by_origin: BTreeMap::new(), failed: Vec::new() })
        .collect();
    for fold in 0..k {
        let (test, train_part): (Vec<CorpusArticle>, Vec<CorpusArticle>) = corpus.iter().cloned().partition(|a| fold_of(&a.id, k) == fold);
        let model = train(&typer_examples(&train_part, &classes)?, &classes, opts);
        for (r, kind) in reports.iter_mut().zip(TyperKind::ALL) {
            let typer = kind.with_model(&model, thresholds);
            let ex = Extractor { typer: &*typer, min_confidence, ..kb.extractor(TyperKind::Lexicon) };
            r.absorb(&score_with(&test, kind.name(), &|a| kb.events_by(&ex, a)));
        }
    }
    Ok(reports)
}

/// A count of right answers out of a number of questions.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Ratio {
    pub right: usize,
    pub of: usize,
}

impl Ratio {
    fn add(&mut self, ok: bool) {
        self.of += 1;
        self.right += ok as usize;
    }
    pub fn value(&self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.right as f64 / self.of as f64
        }
    }
}

/// Counts of one class.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ClassCounts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl ClassCounts {
    pub fn f1(&self) -> f64 {
        let d = 2 * self.tp + self.fp + self.fn_;
        if d == 0 {
            0.0
        } else {
            2.0 * self.tp as f64 / d as f64
        }
    }
}

/// The scores of one typer on a corpus (or a part of it).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub articles: usize,
    pub sentences: usize,
    pub gold_events: usize,
    pub classes: BTreeMap<String, ClassCounts>,
    /// Sentences with a gold event that got any predicted event / sentences with a predicted
    /// event that have a gold one.
    pub detection_recall: Ratio,
    pub detection_precision: Ratio,
    pub actor1: Ratio,
    pub actor2: Ratio,
    pub place_10km: Ratio,
    pub admin1: Ratio,
    pub date: Ratio,
    pub fatalities: Ratio,
    /// One line per wrong field: article, field, gold, ours, sentence.
    #[serde(skip)]
    pub misses: Vec<String>,
}

impl Report {
    /// Adds another report's scores (a fold of a cross-validation) to this one.
    pub fn absorb(&mut self, o: &Report) {
        self.all.merge(&o.all);
        for (k, v) in &o.by_origin {
            self.by_origin.entry(k.clone()).or_default().merge(v);
        }
        self.failed.extend(o.failed.iter().cloned());
    }
}

impl Scores {
    /// F1 over ACLED's classes, weighted by their gold support.
    pub fn weighted_f1(&self) -> f64 {
        let support: usize = self.classes.values().map(|c| c.tp + c.fn_).sum();
        if support == 0 {
            return 0.0;
        }
        self.classes.values().map(|c| c.f1() * (c.tp + c.fn_) as f64).sum::<f64>() / support as f64
    }

    fn merge(&mut self, o: &Scores) {
        self.articles += o.articles;
        self.sentences += o.sentences;
        self.gold_events += o.gold_events;
        self.misses.extend(o.misses.iter().cloned());
        for (k, c) in &o.classes {
            let e = self.classes.entry(k.clone()).or_default();
            e.tp += c.tp;
            e.fp += c.fp;
            e.fn_ += c.fn_;
        }
        for (a, b) in [
            (&mut self.detection_recall, o.detection_recall),
            (&mut self.detection_precision, o.detection_precision),
            (&mut self.actor1, o.actor1),
            (&mut self.actor2, o.actor2),
            (&mut self.place_10km, o.place_10km),
            (&mut self.admin1, o.admin1),
            (&mut self.date, o.date),
            (&mut self.fatalities, o.fatalities),
        ] {
            a.right += b.right;
            a.of += b.of;
        }
    }
}

/// Whether a predicted actor is the gold one.
fn actor_right(dict: &ActorDict, gold: Option<&GoldActor>, ours: Option<&crate::model::EventActor>) -> bool {
    match (gold, ours) {
        (None, None) => true,
        (Some(g), Some(o)) => {
            g.name == o.name
                || dict.actors.iter().any(|a| a.name == o.name && (a.acled.as_deref() == Some(g.name.as_str()) || a.name == g.name))
        }
        _ => false,
    }
}

/// Character offsets of an event's evidence overlap a sentence's.
fn overlaps(e: &Event, s: &GoldSentence) -> bool {
    e.evidence.iter().any(|v| v.start < s.end && s.start < v.end)
}

/// Scores one article's predicted events against its gold sentences.
pub fn score_article(dict: &ActorDict, a: &CorpusArticle, events: &[Event]) -> Scores {
    let mut sc = Scores { articles: 1, ..Scores::default() };
    for s in &a.sentences {
        let Some(gold) = &s.events else { continue };
        sc.sentences += 1;
        sc.gold_events += gold.len();
        let ours: Vec<&Event> = events.iter().filter(|e| overlaps(e, s)).collect();
        let sentence: String = a.text.chars().skip(s.start).take(s.end - s.start).collect();
        let at = Sentence { article: &a.id, text: &sentence };
        score_sub_types(&mut sc, at, gold, &ours);
        let mut used = vec![false; ours.len()];
        for g in gold {
            score_gold_event(&mut sc, dict, at, g, &ours, &mut used);
        }
    }
    sc
}

/// A gold sentence being scored: its article and its text, for the misses listed.
#[derive(Clone, Copy)]
struct Sentence<'a> {
    article: &'a str,
    text: &'a str,
}

impl Sentence<'_> {
    /// Lists a field we got wrong.
    fn miss(self, sc: &mut Scores, field: &str, gold: String, ours: String) {
        sc.misses.push(format!("{}\t{field}\t{gold}\t{ours}\t{}", self.article, self.text));
    }
}

/// A sentence's sub-types (the sets of gold and of ours: per-class counts), whether it was
/// found to report events at all, and the sub-types we coded that the gold has not.
fn score_sub_types(sc: &mut Scores, at: Sentence<'_>, gold: &[GoldEvent], ours: &[&Event]) {
    let g_set: std::collections::BTreeSet<&str> = gold.iter().map(|g| g.sub_event_type.as_str()).collect();
    let p_set: std::collections::BTreeSet<&str> = ours.iter().map(|e| e.sub_event_type.as_str()).collect();
    for c in g_set.union(&p_set) {
        let e = sc.classes.entry(c.to_string()).or_default();
        match (g_set.contains(c), p_set.contains(c)) {
            (true, true) => e.tp += 1,
            (false, true) => e.fp += 1,
            (true, false) => e.fn_ += 1,
            _ => {}
        }
    }
    if !gold.is_empty() {
        sc.detection_recall.add(!ours.is_empty());
    }
    if !ours.is_empty() {
        sc.detection_precision.add(!gold.is_empty());
    }
    for c in p_set.difference(&g_set) {
        at.miss(sc, "sub_type", "-".into(), c.to_string());
    }
}

/// One gold event against the sentence's events: the one that matches it best is compared
/// field by field. Best: one of its sub-type (else of its type), not yet matched to another
/// gold event of the sentence, at its place (within 10 km, else in its governorate); so a
/// sentence of three strikes at three places is scored event against event, not each gold
/// event against our first. With every one of ours matched already, the best of them again.
fn score_gold_event(sc: &mut Scores, dict: &ActorDict, at: Sentence<'_>, g: &GoldEvent, ours: &[&Event], used: &mut [bool]) {
    let near = |e: &Event| match (g.place.as_ref().and_then(|p| p.lat.zip(p.lon)), e.latitude.zip(e.longitude)) {
        (Some(a), Some(b)) => distance_km(a, b) <= 10.0,
        _ => false,
    };
    let same_admin1 = |e: &Event| {
        g.place.as_ref().and_then(|p| p.admin1.as_deref()).zip(e.admin1.as_deref()).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let fit = |k: usize| {
        let e = ours[k];
        (e.sub_event_type == g.sub_event_type, e.event_type == g.event_type, !used[k], near(e), same_admin1(e))
    };
    // The first of the best, in text order.
    let best = (0..ours.len()).rev().max_by_key(|&k| fit(k));
    let Some(k) = best else {
        score_unmatched(sc, at, g);
        return;
    };
    used[k] = true;
    let e = ours[k];
    list_misses(sc, dict, at, g, e);
    count_fields(sc, dict, g, e);
}

/// A gold event none of ours matches: every field it gives is wrong.
fn score_unmatched(sc: &mut Scores, at: Sentence<'_>, g: &GoldEvent) {
    at.miss(sc, "sub_type", g.sub_event_type.clone(), "-".into());
    sc.actor1.add(false);
    sc.actor2.add(false);
    if g.place.as_ref().is_some_and(|p| p.lat.is_some() && p.lon.is_some()) {
        sc.place_10km.add(false);
    }
    if g.place.as_ref().is_some_and(|p| p.admin1.is_some()) {
        sc.admin1.add(false);
    }
    if g.date.is_some() {
        sc.date.add(false);
    }
    if g.fatalities.is_some() {
        sc.fatalities.add(false);
    }
}

/// The fields of our event that differ from the gold's, listed.
fn list_misses(sc: &mut Scores, dict: &ActorDict, at: Sentence<'_>, g: &GoldEvent, e: &Event) {
    let mut miss = |field: &str, gold: String, ours: String| at.miss(sc, field, gold, ours);
    if e.sub_event_type != g.sub_event_type {
        miss("sub_type", g.sub_event_type.clone(), e.sub_event_type.to_string());
    }
    let name = |x: Option<&GoldActor>| x.map_or("-".to_string(), |x| x.name.clone());
    let oname = |x: Option<&crate::model::EventActor>| x.map_or("-".to_string(), |x| x.name.clone());
    if !actor_right(dict, g.actor1.as_ref(), e.actor1.as_ref()) {
        miss("actor1", name(g.actor1.as_ref()), oname(e.actor1.as_ref()));
    }
    if !actor_right(dict, g.actor2.as_ref(), e.actor2.as_ref()) {
        miss("actor2", name(g.actor2.as_ref()), oname(e.actor2.as_ref()));
    }
    if let Some(p) = &g.place {
        let ok = match (p.lat, p.lon, e.latitude, e.longitude) {
            (Some(a), Some(b), Some(c), Some(d)) => distance_km((a, b), (c, d)) <= 10.0,
            _ => false,
        };
        if p.lat.is_some() && !ok {
            miss(
                "place",
                format!("{} ({})", p.text.as_deref().unwrap_or("-"), p.admin1.as_deref().unwrap_or("-")),
                format!("{} ({})", e.location.as_deref().unwrap_or("-"), e.admin1.as_deref().unwrap_or("-")),
            );
        }
    }
    if g.date.is_some() && g.date != e.event_date.map(|x| x.format("%Y-%m-%d").to_string()) {
        miss("date", g.date.clone().unwrap_or_default(), e.event_date.map_or("-".into(), |x| x.to_string()));
    }
    if g.fatalities.is_some_and(|f| f != e.fatalities) {
        miss("fatalities", g.fatalities.unwrap_or(0).to_string(), e.fatalities.to_string());
    }
}

/// Each field of our event right or wrong, where the gold gives it.
fn count_fields(sc: &mut Scores, dict: &ActorDict, g: &GoldEvent, e: &Event) {
    sc.actor1.add(actor_right(dict, g.actor1.as_ref(), e.actor1.as_ref()));
    sc.actor2.add(actor_right(dict, g.actor2.as_ref(), e.actor2.as_ref()));
    if let Some(p) = &g.place {
        if let (Some(lat), Some(lon)) = (p.lat, p.lon) {
            let near = e.latitude.zip(e.longitude).is_some_and(|at| distance_km((lat, lon), at) <= 10.0);
            sc.place_10km.add(near);
        }
        if let Some(a1) = &p.admin1 {
            sc.admin1.add(e.admin1.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(a1)));
        }
    }
    if let Some(d) = &g.date {
        sc.date.add(e.event_date.map(|x| x.format("%Y-%m-%d").to_string()).as_deref() == Some(d.as_str()));
    }
    if let Some(f) = g.fatalities {
        sc.fatalities.add(e.fatalities == f);
    }
}

/// Scores of one typer: over the whole file and by origin ("fakes-dev", "written", ...).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub typer: String,
    pub all: Scores,
    pub by_origin: BTreeMap<String, Scores>,
    /// Articles that could not be read, with the reason.
    pub failed: Vec<String>,
}

/// Extracts and scores every article of a corpus with a built-in typer, reporting events of
/// at least `min_confidence`.
pub fn score(corpus: &[CorpusArticle], typer: TyperKind, min_confidence: f32) -> Report {
    let kb = crate::pipeline::Knowledge::builtin();
    let ex = crate::extract::Extractor { min_confidence, ..kb.extractor(typer) };
    score_with(corpus, typer.name(), &|article| kb.events_by(&ex, article))
}

/// Scores every article of a corpus with the events a function gives.
pub fn score_with(corpus: &[CorpusArticle], name: &str, events_of: &(dyn Fn(&Article) -> Vec<Event> + Sync)) -> Report {
    use rayon::prelude::*;
    let dict = ActorDict::builtin();
    let scored: Vec<Result<(String, Scores), String>> = corpus
        .par_iter()
        .map(|a| {
            let article = article_of(a)?;
            let events = events_of(&article);
            Ok((a.origin.clone(), score_article(dict, a, &events)))
        })
        .collect();
    let mut report = Report { typer: name.to_string(), all: Scores::default(), by_origin: BTreeMap::new(), failed: Vec::new() };
    for r in scored {
        match r {
            Ok((origin, s)) => {
                report.all.merge(&s);
                report.by_origin.entry(origin).or_default().merge(&s);
            }
            Err(e) => report.failed.push(e),
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<CorpusArticle> {
        let line = r#"{"id":"t1","origin":"written","written":true,"split":"train","title":null,"source":null,"published":"2016-05-03","text":"Syrian army shelled the town of Kafr Zita in Hama on Monday, killing three civilians. The weather was fine.","sentences":[{"start":0,"end":85,"events":[{"event_type":"Explosions/Remote violence","sub_event_type":"Shelling/artillery/missile attack","actor1":{"text":"Syrian army","name":"Military Forces of Syria"},"actor2":{"text":"civilians","name":"Civilians (Syria)"},"place":{"text":"Kafr Zita","admin1":"Hama","country":"SY","lat":35.37425,"lon":36.6033,"precision":1},"date":"2016-05-02","time_precision":1,"fatalities":3}]},{"start":86,"end":107,"events":[]}]}"#;
        parse_corpus("test", line).unwrap()
    }

    #[test]
    fn a_right_event_scores_right_on_every_field() {
        let r = score(&corpus(), TyperKind::Lexicon, 0.0);
        let s = &r.all;
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        assert_eq!(s.sentences, 2);
        assert_eq!(s.weighted_f1(), 1.0);
        for (name, x) in [
            ("actor1", s.actor1),
            ("actor2", s.actor2),
            ("place", s.place_10km),
            ("admin1", s.admin1),
            ("date", s.date),
            ("toll", s.fatalities),
        ] {
            assert_eq!(x, Ratio { right: 1, of: 1 }, "{name}");
        }
        assert_eq!(s.detection_precision, Ratio { right: 1, of: 1 });
    }

    #[test]
    fn each_gold_event_of_a_sentence_meets_its_own_event() {
        let g = |place: &str, lat: f64, lon: f64| -> GoldEvent {
            serde_json::from_value(serde_json::json!({"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
                "place": {"text": place, "admin1": "Idleb", "lat": lat, "lon": lon, "precision": 1}, "fatalities": 0}))
            .unwrap()
        };
        let (a, b) = (g("Saraqib", 35.86, 36.80), g("Maarat al-Numan", 35.64, 36.67));
        let strike = crate::events_of(&crate::read::test_article("t.txt", "T\n\nWarplanes struck Saraqib on Monday.\n"));
        assert_eq!(strike.len(), 1, "{strike:#?}");
        let mut ours: Vec<Event> = [&a, &b]
            .iter()
            .map(|x| {
                let p = x.place.as_ref().unwrap();
                let mut e = strike[0].clone();
                e.latitude = p.lat;
                e.longitude = p.lon;
                e
            })
            .collect();
        // Ours in the other order: each gold event is still scored against its own.
        ours.reverse();
        let (dict, at) = (ActorDict::builtin(), Sentence { article: "t", text: "s" });
        let mut sc = Scores::default();
        let mut used = vec![false; 2];
        let refs: Vec<&Event> = ours.iter().collect();
        for x in [&a, &b] {
            score_gold_event(&mut sc, dict, at, x, &refs, &mut used);
        }
        assert_eq!(sc.place_10km, Ratio { right: 2, of: 2 });
        // With one of ours for two gold events, the second is scored against it again.
        let mut sc = Scores::default();
        let mut used = vec![false; 1];
        for x in [&a, &b] {
            score_gold_event(&mut sc, dict, at, x, &refs[..1], &mut used);
        }
        assert_eq!(sc.place_10km, Ratio { right: 1, of: 2 });
    }

    #[test]
    fn a_missed_event_is_wrong_on_every_field_and_a_false_one_costs_precision() {
        let mut c = corpus();
        // The gold says the second sentence has the event and the first has none.
        let ev = c[0].sentences[0].events.take().unwrap();
        c[0].sentences[0].events = Some(Vec::new());
        c[0].sentences[1].events = Some(ev);
        let s = score(&c, TyperKind::Lexicon, 0.0).all;
        assert_eq!(s.weighted_f1(), 0.0);
        assert_eq!(s.actor1, Ratio { right: 0, of: 1 });
        assert_eq!(s.detection_precision, Ratio { right: 0, of: 1 });
        assert_eq!(s.classes["Shelling/artillery/missile attack"].fp, 1);
    }

    #[test]
    fn a_bad_line_names_its_file_and_line() {
        let e = parse_corpus("corpus/x.jsonl", "{\"id\": 1}\n").unwrap_err();
        assert!(e.starts_with("corpus/x.jsonl:1:"), "{e}");
    }
}
