//! The pipeline after reading, chained in one place: a clean [`Article`] -> extract -> geocode
//! -> its [`Event`]s, and the [`Knowledge`] every stage runs on, passed as a value.
//!
//! Reading and cleaning ([`crate::read`], which hands each document to [`crate::clean`] in its
//! parallel runner) come before; fusion ([`crate::fuse`]) and storing ([`crate::ingest`]) after.

use crate::model::{Article, Event};
use crate::{extract, geocode, knowledge};

/// What sitrep knows, loaded once: the data files under `crates/sitrep-core/data/` as the
/// stages use them. Algorithms take it (or the part they use) as a value and never reach for
/// the embedded copies themselves, so that a test can run them on other knowledge:
/// `Knowledge { actors: &my_actors, ..*Knowledge::builtin() }`.
#[derive(Clone, Copy)]
pub struct Knowledge<'k> {
    /// Event triggers and the rules around them (`events.toml`).
    pub lexicon: &'k extract::lexicon::Lexicon,
    /// Actors, their aliases and sides (`actors.toml`, `countries.tsv`, ...).
    pub actors: &'k extract::actors::ActorDict,
    /// The cue words around place names (`places.toml`).
    pub places: &'k extract::places::PlaceCues,
    /// The gazetteer (`gazetteer.tsv.gz` and the places beside it).
    pub gazetteer: &'k geocode::Gazetteer,
    /// News outlets: names, domains, leanings (`outlets.tsv`).
    pub outlets: &'k knowledge::Outlets,
    /// Page furniture to remove (`boilerplate.toml`).
    pub boilerplate: &'k knowledge::Boilerplate,
}

impl Knowledge<'static> {
    /// The knowledge embedded in this build (its version: [`knowledge::DATA_VERSION`]).
    pub fn builtin() -> &'static Knowledge<'static> {
        static K: std::sync::LazyLock<Knowledge<'static>> = std::sync::LazyLock::new(|| Knowledge {
            lexicon: extract::lexicon::Lexicon::builtin(),
            actors: extract::actors::ActorDict::builtin(),
            places: extract::places::PlaceCues::builtin(),
            gazetteer: geocode::Gazetteer::builtin(),
            outlets: knowledge::Outlets::builtin(),
            boilerplate: knowledge::Boilerplate::builtin(),
        });
        &K
    }
}

/// The article's main event: the one its headline reports (the headline's toll, and its type
/// when the headline names one), else the one whose place its headline names, else the first
/// reported event placed at a town or near one, else the first placed at all.
pub fn main_event<'e>(article: &Article, events: &'e [Event], k: &Knowledge<'_>) -> Option<&'e Event> {
    let g = k.gazetteer;
    let title = article.title.as_deref().unwrap_or("");
    // "Suicide bomber kills 16 in Hasakah": the event of that type with 16 dead.
    let title_types: Vec<_> = k.lexicon.events_in(title).iter().map(|h| h.trigger.event_type).collect();
    let title_toll = extract::numbers::casualties(title)
        .iter()
        .filter(|c| c.harm == extract::numbers::Harm::Killed && c.quantity.value > 0)
        .map(|c| c.quantity.value)
        .max();
    let headline_event =
        |e: &Event| title_toll.is_some_and(|t| e.fatalities == t) && (title_types.is_empty() || title_types.contains(&e.event_type));
    let mut headline: Vec<String> = k
        .places
        .find(title, &[])
        .into_iter()
        .filter_map(|p| g.resolve(&p.name, &geocode::Context::default()).and_then(|r| r.admin1))
        .collect();
    headline.extend(g.prominent_name_in(title));
    // The news is what happened lately: an event dated weeks before publication is
    // background ("since it seized Mosul on June 10"), the main event only when nothing recent is.
    let published = article.published.as_ref().map(|p| p.date);
    let recent = |e: &Event| match (e.event_date, published) {
        (Some(d), Some(p)) => (p - d).num_days().abs() <= 7,
        _ => true,
    };
    let pick = |only_recent: bool| {
        let first = |pred: &dyn Fn(&Event) -> bool| {
            events
                .iter()
                .filter(|e| e.admin1.is_some() && (!only_recent || recent(e)) && pred(e))
                .min_by_key(|e| e.evidence.first().map_or(usize::MAX, |v| v.start))
        };
        // The headline's event, else the headline's places in its order: the first one with
        // an event wins.
        first(&headline_event)
            .or_else(|| headline.iter().find_map(|h| first(&|e| e.admin1.as_deref() == Some(h.as_str()))))
            .or_else(|| first(&|e| e.geo_precision.is_some_and(|p| p <= 2)))
            .or_else(|| first(&|_| true))
    };
    pick(true).or_else(|| pick(false))
}

impl<'k> Knowledge<'k> {
    /// The extractor of this knowledge, with a typer of this kind.
    pub fn extractor(&self, kind: extract::learned::TyperKind) -> extract::Extractor<'k> {
        extract::Extractor {
            typer: kind.typer(),
            lexicon: self.lexicon,
            actors: self.actors,
            places: self.places,
            toponyms: self.gazetteer,
            min_confidence: extract::DEFAULT_MIN_CONFIDENCE,
        }
    }
}

impl Knowledge<'_> {
    /// The events of a clean article, extracted and geocoded: the pipeline after reading.
    pub fn events_of(&self, article: &Article) -> Vec<Event> {
        self.events_by(&self.extractor(extract::learned::TyperKind::default()), article)
    }

    /// The events of a clean article by a given extractor, geocoded with this gazetteer.
    pub fn events_by(&self, extractor: &extract::Extractor, article: &Article) -> Vec<Event> {
        let (mut events, places) = extractor.extract_with_places(article);
        geocode::geocode_events(self.gazetteer, article, &mut events, &places);
        events
    }
}

/// [`Knowledge::events_of`] with the embedded knowledge.
pub fn events_of(article: &Article) -> Vec<Event> {
    Knowledge::builtin().events_of(article)
}

/// [`events_of`] with a typer of this kind (`sitrep eval` compares them).
pub fn events_of_with(article: &Article, typer: extract::learned::TyperKind) -> Vec<Event> {
    let k = Knowledge::builtin();
    k.events_by(&k.extractor(typer), article)
}
