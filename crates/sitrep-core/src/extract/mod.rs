//! Event extraction: from a clean [`Article`] to ACLED-style [`Event`]s with evidence.
//!
//! Sentence by sentence: actors are found ([`actors`]), generic mentions ("the radical group")
//! resolved to the armed group last named in that role; triggers of the lexicon ([`lexicon`])
//! are tested against the non-event cues (intent, negation, conditionals, support phrases,
//! background); each surviving trigger becomes a *mention* with its actors, place
//! ([`places`]), date ([`when`]) and casualties ([`numbers`]). Mentions of one event across
//! the article are then merged into one record whose evidence lists every sentence.
//!
//! Typing goes through the [`Typer`] trait, so that a learned classifier can sit beside the
//! lexicon.

pub mod actors;
pub mod learned;
pub mod lexicon;
pub mod numbers;
pub mod places;
pub mod sentences;
pub mod when;

use crate::model::{char_offsets, Article, Event, EventActor, EventType, Evidence, FatalityBound, Side, SubEventType};
use actors::ActorDict;
use chrono::NaiveDate;
use lexicon::Lexicon;
use numbers::{Bound, Harm, Quantity};
use places::{PlaceCues, PlaceMention};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;
use when::When;

/// What a typer says of one trigger in a sentence.
#[derive(Debug, Clone)]
pub struct Typing {
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub cameo: String,
    pub territory: bool,
    pub passive: bool,
    /// The trigger's subject gives the place up ("rebels withdrew from the town"): it is
    /// actor2, the party it yields to actor1.
    pub yields: bool,
    pub strength: f32,
    pub trigger: String,
    /// Byte range of the trigger words in the sentence.
    pub start: usize,
    pub end: usize,
}

/// Decides which words of a sentence report events, and of what type.
pub trait Typer: Send + Sync {
    fn type_sentence(&self, sentence: &str) -> Vec<Typing>;
}

impl Typer for Lexicon {
    fn type_sentence(&self, s: &str) -> Vec<Typing> {
        self.events_in(s)
            .into_iter()
            .map(|h| Typing {
                event_type: h.trigger.event_type,
                sub_event_type: h.trigger.sub_event_type,
                cameo: h.trigger.cameo.clone(),
                territory: h.trigger.territory,
                passive: h.trigger.passive,
                yields: h.trigger.yields,
                strength: h.trigger.strength,
                trigger: h.trigger.name.clone(),
                start: h.start,
                end: h.end,
            })
            .collect()
    }
}

/// The extractor: the knowledge it uses (built from a [`crate::pipeline::Knowledge`] by
/// [`crate::pipeline::Knowledge::extractor`]).
pub struct Extractor<'a> {
    pub typer: &'a dyn Typer,
    /// The event lexicon's cues about roles (support phrases), whatever the typer.
    pub lexicon: &'a Lexicon,
    pub actors: &'a ActorDict,
    pub places: &'a PlaceCues,
    /// The names known as places, for places no cue word points at.
    pub toponyms: &'a dyn places::Toponyms,
    /// Events less sure than this are not reported.
    pub min_confidence: f32,
}

/// Events below this confidence are not reported unless asked for (`--min-confidence`).
/// An event's confidence is its typer's strength (the lexicon's for its trigger words, the
/// learned typer's probability) times how fully the text pins it down: 0.4, plus 0.3 for a
/// place, 0.15 for an acting side, 0.1 for a date and 0.05 for a target. A sure trigger
/// with a place passes; words of war with no place and no side in a page about something
/// else do not.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.2;

/// The places an article names in its event sentences, for the geocoder's context.
#[derive(Debug, Clone, Default)]
pub struct ArticlePlaces {
    /// Every place name with its cue kind, in text order.
    pub names: Vec<(String, String)>,
    /// Places the headline names.
    pub headline: Vec<String>,
    /// Places the text puts inside or next to another ("the Thirayan barrier on the Khanasser
    /// highway", "the valleys of X in the western Qalamoun"): name -> the other place.
    pub within: HashMap<String, String>,
    /// The article's country (ISO code) when its words place it there (a country's name, its
    /// cities: [`ActorDict::text_where`]) and its actors agree; empty when they do not say.
    pub country: String,
}

/// Words before a country name that make it a place rather than an actor.
const PREPOSITIONS: &[&str] = &["in", "into", "from", "to", "with", "of", "across", "near", "inside", "towards", "toward", "at", "on"];

/// An actor in a role: its index in the dictionary and the words of the text.
type Role = Option<(usize, String)>;

/// A resolved actor mention in a sentence.
#[derive(Debug, Clone)]
struct AMention {
    start: usize,
    end: usize,
    actor: usize,
    /// Named as the party acted on: the victims a casualty count names ("17 rebels were
    /// killed"), the holder of a place ("the rebel-held town"), the one who suffered ("losses
    /// among the rebels"). Such a party may be the target, never the doer.
    acted_on: bool,
}

/// One trigger's reading, before merging.
#[derive(Debug, Clone)]
struct Mention {
    typing: Typing,
    actor1: Option<(usize, String)>,
    actor2: Option<(usize, String)>,
    place: Option<PlaceMention>,
    when: Option<When>,
    killed: Vec<(String, Quantity)>,
    /// Dead counted over the several places (or days) the trigger names together ("42 were
    /// killed in blasts that hit Tartous, Homs and Hasakeh"): a total, not this place's toll.
    killed_over_places: Vec<(String, Quantity)>,
    injured: Vec<(String, Quantity)>,
    /// Sentence byte range in the article text.
    span: (usize, usize),
    /// The sentences after it that only told its toll: evidence too.
    toll_spans: Vec<(usize, usize)>,
    order: usize,
    /// An "-ing" clause after a comma elaborating the trigger before it ("was able to control
    /// the area, taking over the barrier"): part of the same event.
    elaborates: bool,
    /// Its place was found in its own part of a clause that tells several acts ("Airstrikes
    /// target Deir Ezzor and shelling targets Aleppo"): it keeps that place.
    own_place: bool,
}

/// An event being built from mentions.
#[derive(Debug, Clone)]
struct Draft {
    event_type: EventType,
    sub_event_type: SubEventType,
    cameo: String,
    territory: bool,
    reversed: bool,
    /// Who took the place back (a reversed territory change).
    reverser: Option<(usize, String)>,
    taker_side: Option<Side>,
    actor1: Option<(usize, String)>,
    actor2: Option<(usize, String)>,
    place: Option<PlaceMention>,
    place_from_territory: bool,
    when: Option<When>,
    killed: BTreeMap<String, Quantity>,
    /// The sides of `killed` whose count is a total over several places: a count told of this
    /// event's place alone replaces it.
    killed_over_places: BTreeSet<String>,
    injured: BTreeMap<String, Quantity>,
    spans: Vec<(usize, usize)>,
    triggers: Vec<String>,
    strength: f32,
    last_order: usize,
}

/// Words that put a trigger in a phrase about the act before it ("seized the town after a
/// day of heavy fighting", "amid clashes").
static ELABORATING: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)(?-u:\b)(?:after|following|amid|amidst|during|in)\s+(?:(?:a|an|the|several|two|three|hours|days|weeks|of|fierce|heavy|violent|intense|\w+-long|long|day|night)\s+){0,5}$")
        .expect("valid")
});

/// The years a text names as times ("in 1904", "since 2011", "November 8, 1923"): a year
/// after a preposition or a month, not a count ("1500 fighters", "(2000 GMT)").
fn years_named(s: &str) -> impl Iterator<Item = i32> + '_ {
    static YEAR: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)(?:(?-u:\b)(?:in|since|during|by|of|until|till|from|to|and|between|before|after|early|late|mid-?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?)\s+)((?:1[5-9]|20)\d\d)(?-u:\b)")
            .expect("valid")
    });
    YEAR.captures_iter(s).filter_map(|c| c[1].parse().ok())
}

/// Whether the text from `after` (the end of a place name) to `pos` opens a bracket right
/// after the name and does not close it: `pos` is inside "Sarmada (Harim, Idleb)".
fn parenthesised(s: &str, after: usize, pos: usize) -> bool {
    pos > after && {
        let between = &s[after..pos];
        between.trim_start().starts_with('(') && !between.contains(')') && between.len() < 60
    }
}

/// The comma that ends a sentence-initial participial or temporal clause ("Stepping up its
/// airstrikes, ...", "After seizing the hill, ...", "Having shelled the town, ..."), if any.
fn fronted_clause_end(s: &str) -> Option<usize> {
    let first = s.split_whitespace().next()?.to_ascii_lowercase();
    let opens = (first.len() > 5 && first.ends_with("ing")) || matches!(first.as_str(), "after" | "following" | "having" | "while");
    if !opens {
        return None;
    }
    let comma = s.find(',')?;
    (s[..comma].split_whitespace().count() <= 15).then_some(comma)
}

/// Participles whose by-phrase names who holds or backs something, not who acts ("a town held
/// by ISIS", "rebels backed by Turkey").
const HOLDING_PARTICIPLES: &[&str] = &[
    "held",
    "controlled",
    "run",
    "dominated",
    "besieged",
    "surrounded",
    "backed",
    "supported",
    "led",
    "affiliated",
    "linked",
    "allied",
    "occupied",
    "governed",
    "ruled",
    "owned",
    "manned",
    "guarded",
];

/// Whether most letters of `s` are Latin (handles and tags, "@sunday_woman", not counted).
fn mostly_latin(s: &str) -> bool {
    let (mut latin, mut other) = (0usize, 0usize);
    let words = s.split_whitespace().filter(|w| !w.starts_with(['@', '#']) && !w.contains("://"));
    for c in words.flat_map(str::chars).filter(|c| c.is_alphabetic()) {
        if c.is_ascii() || ('\u{c0}'..='\u{24f}').contains(&c) {
            latin += 1;
        } else {
            other += 1;
        }
    }
    latin >= other
}

fn is_vague(p: &Option<PlaceMention>) -> bool {
    match p {
        None => true,
        Some(p) => p.precision >= 3 || matches!(p.kind.as_str(), "near" | "relative"),
    }
}

fn fold(s: &str) -> String {
    s.to_lowercase().replace(['’', '\''], "").replace('-', " ")
}

/// Whether a draft's evidence holds a sentence. Mentions come in text order, so a draft's spans
/// are sorted and only the last can be the sentence at hand: looking through them all made
/// extraction quadratic in the text's length (issue 18). Out of order, the whole list is read.
fn has_span(spans: &[(usize, usize)], span: (usize, usize)) -> bool {
    match spans.last() {
        Some(&last) if last == span => true,
        Some(&last) if last < span => false,
        _ => spans.contains(&span),
    }
}

/// Same place, or one name inside the other ("Ithreya" in "Khanasser-Ithreya").
fn places_related(a: &PlaceMention, b: &PlaceMention) -> bool {
    let (x, y) = (fold(&a.name), fold(&b.name));
    if x == y {
        return true;
    }
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let (wx, wy) = (words(&x), words(&y));
    let contains = |big: &[String], small: &[String]| !small.is_empty() && big.windows(small.len()).any(|w| w == small);
    contains(&wx, &wy) || contains(&wy, &wx)
}

/// An auxiliary that puts the participle after it in the passive voice ("were killed", "was
/// reportedly shelled").
static AUX: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(?i)(?-u:\b)(?:was|were|been|being|is|are|get|got)\s+(?:[a-z]+ly\s+)?$").expect("valid"));

/// Whether a trigger verb is in the passive voice ("were killed", "was reportedly shelled"):
/// a participle after an auxiliary (a trigger written passive in the lexicon is not a verb of
/// this voice).
fn in_passive_voice(s: &str, t: &Typing) -> bool {
    let verb = s[t.start..t.end].split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    let participle = verb.ends_with("ed") || ["hit", "shot", "struck", "taken", "overrun", "blown", "beaten"].contains(&verb.as_str());
    !t.passive && participle && AUX.is_match(&s[..t.start])
}

/// A trigger, its sentence and the parties of its clause, for the steps that give them roles.
struct RoleScene<'x> {
    s: &'x str,
    t: &'x Typing,
    /// The actor mentions of the clause, go-betweens left out.
    ams: &'x [&'x AMention],
}

impl RoleScene<'_> {
    /// An actor mention in a role: its actor and its words.
    fn text(&self, a: &AMention) -> (usize, String) {
        (a.actor, self.s[a.start..a.end].to_string())
    }
}

/// The state an article's reading carries from one sentence to the next.
struct ArticleReading {
    article_places: ArticlePlaces,
    /// Sentences whose places were found.
    scanned: Vec<usize>,
    published: Option<NaiveDate>,
    mentions: Vec<Mention>,
    /// Actors named so far, in order.
    history: Vec<usize>,
    known_places: Vec<String>,
    last_town: Option<PlaceMention>,
    context_when: Option<When>,
    order: usize,
    /// The article's country.
    cc: String,
    crime_story: bool,
    page_year: Option<i32>,
    story_year: Option<i32>,
    /// Whether the lexicon finds an act of war anywhere on the page (worked out when needed).
    war_page: Option<bool>,
    /// The last sentence that reported events: where it ends in the text, and its mentions.
    last_event: Option<(usize, std::ops::Range<usize>)>,
}

/// What a sentence that reports events tells, shared by the steps that read its triggers.
struct SentenceReading<'s> {
    s: &'s str,
    /// Sentence byte range in the article text.
    span: (usize, usize),
    ams: Vec<AMention>,
    typings: Vec<Typing>,
    places: Vec<PlaceMention>,
    whens: Vec<(When, usize, usize)>,
    sentence_when: Option<When>,
}

/// Records the places of a sentence: the names known so far, the article's places and which
/// lies in which.
fn note_places(s: &str, places: &[PlaceMention], known_places: &mut Vec<String>, article_places: &mut ArticlePlaces) {
    for (k, pl) in places.iter().enumerate() {
        if pl.kind != "known" && !known_places.contains(&pl.name) {
            known_places.push(pl.name.clone());
        }
        article_places.names.push((pl.name.clone(), pl.kind.clone()));
        // "X on the Y highway", "X in the Y", "X, north of Y": X lies in or by Y.
        if let Some(next) = places.get(k + 1) {
            let gap = s[pl.end..next.start].trim().to_ascii_lowercase();
            let gap = gap.trim_start_matches(',').trim();
            if links_within(gap, next) && next.name != pl.name {
                article_places.within.entry(pl.name.clone()).or_insert_with(|| next.name.clone());
            }
            // ACLED's own way, "Sarmada (Harim, Idleb)": the last name in the
            // brackets is the governorate the place lies in.
            if gap == "(" {
                let inner = places[k + 1..].iter().take_while(|q| parenthesised(s, pl.end, q.start)).last();
                if let Some(admin) = inner.filter(|q| q.name != pl.name) {
                    article_places.within.entry(pl.name.clone()).or_insert_with(|| admin.name.clone());
                }
            }
        }
    }
}

/// Whether the words between a place and the `next` one put the first in or by the next.
fn links_within(gap: &str, next: &PlaceMention) -> bool {
    ["on the", "in the", "on", "in", "near", "near the", "outside", "outside the", "at", "of", "in the countryside of"].contains(&gap)
        || next.kind == "relative"
        || gap.ends_with("barrier on the")
        || gap.ends_with("area on the")
        || ["barrier", "checkpoint", "area", "district"].iter().any(|w| gap.starts_with(w) && gap.split_whitespace().count() <= 3)
        // "the X district in the city of Raqqa", "the X district of Syria's
        // eastern city of Deir ez-Zor", "the X district in the old quarter of the northern
        // Syrian city of Aleppo" (a city named as such holds it from farther)
        || ["area", "district", "neighbourhood", "neighborhood", "quarter", "suburb", "village", "town"].iter().any(|w| {
            let words: Vec<&str> = gap.split_whitespace().collect();
            let city = gap.ends_with(" city of") || gap.ends_with(" town of");
            // "X neighborhood in Aleppo city", "X village, in the Y countryside".
            let linked = words.iter().skip(1).any(|w| matches!(w.trim_matches(','), "in" | "of"));
            gap.starts_with(w) && linked && (words.len() <= 7 || (city && words.len() <= 12 && !gap.contains([',', ';'])))
        })
}

/// Gives the names of a list the container of its last name.
fn share_list_containers(s: &str, places: &[PlaceMention], within: &mut HashMap<String, String>) {
    // "the neighbourhoods of A and B in Aleppo city": a list shares its container.
    for k in (0..places.len().saturating_sub(1)).rev() {
        let gap = s[places[k].end..places[k + 1].start].trim().trim_matches(',').trim().to_ascii_lowercase();
        if matches!(gap.as_str(), "" | "and" | "or") {
            if let Some(c) = within.get(&places[k + 1].name).cloned() {
                if c != places[k].name {
                    within.entry(places[k].name.clone()).or_insert(c);
                }
            }
        }
    }
}

/// Whether a trigger tells more of the act of the same type named before it in the sentence:
/// ", killing ..." and "after heavy fighting" tell more of that act, not another.
fn elaborates(s: &str, typings: &[Typing], t: &Typing) -> bool {
    typings.iter().any(|o| o.end <= t.start && o.event_type == t.event_type)
        && ((s[..t.start].trim_end().ends_with(',') && s[t.start..t.end].split_whitespace().next().is_some_and(|w| w.ends_with("ing")))
            || ELABORATING.is_match(&s[..t.start]))
}

/// Whether two mentions' dates allow one event. A mention without a date is taken to be recent
/// (the week before publication, as fusion takes it): it is not the event of a day-precise date
/// weeks earlier ("letters sent on August 24" in an article of October 3).
fn dates_compatible(a: &Option<When>, b: &Option<When>, published: Option<NaiveDate>) -> bool {
    match (a, b) {
        (None, Some(w)) | (Some(w), None) => match (w.date, published) {
            (Some(d), Some(p)) if w.precision == 1 => d >= p - chrono::Duration::days(7) && d <= p + chrono::Duration::days(1),
            _ => true,
        },
        (Some(a), Some(b)) => {
            if a.precision >= 2 || b.precision >= 2 {
                return true;
            }
            match (a.date, b.date) {
                (Some(x), Some(y)) => x == y,
                _ => match (&a.weekday, &b.weekday) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                },
            }
        }
        _ => true,
    }
}

impl<'a> Extractor<'a> {
    fn side(&self, i: usize) -> Side {
        self.actors.actors[i].side
    }

    fn actor_compatible(&self, m: usize, d: &Draft) -> bool {
        let parties: Vec<usize> = [d.actor1.as_ref(), d.actor2.as_ref()].into_iter().flatten().map(|a| a.0).collect();
        if parties.iter().any(|&p| p == m || self.actors.is_within(m, p) || self.actors.is_within(p, m) || self.side(p) == self.side(m)) {
            return true;
        }
        parties.len() < 2
    }

    fn compatible(&self, m: &Mention, d: &Draft, published: Option<NaiveDate>) -> bool {
        if m.typing.event_type != d.event_type {
            return false;
        }
        if d.event_type != EventType::Battles && m.typing.sub_event_type != d.sub_event_type {
            return false;
        }
        if !dates_compatible(&m.when, &d.when, published) {
            return false;
        }
        for a in [m.actor1.as_ref(), m.actor2.as_ref()].into_iter().flatten() {
            if !self.actor_compatible(a.0, d) {
                return false;
            }
        }
        match (&m.place, &d.place) {
            (Some(mp), Some(dp)) if !is_vague(&m.place) && !is_vague(&d.place) => places_related(mp, dp),
            _ => true,
        }
    }

    /// Extracts the events of an article.
    pub fn extract(&self, article: &Article) -> Vec<Event> {
        self.extract_with_places(article).0
    }

    /// Extracts the events of an article, and the places its event sentences name.
    pub fn extract_with_places(&self, article: &Article) -> (Vec<Event>, ArticlePlaces) {
        let mut st = self.start_reading(article);
        let mut lead: Vec<sentences::Sentence> = Vec::new(); // the first sentences, for context
        for p in &article.paragraphs {
            let sents = sentences::split(&article.text, p.byte_start, p.byte_end);
            if lead.is_empty() {
                lead = sents.iter().take(4).copied().collect();
            }
            for sent in sents {
                self.read_sentence(article, sent, &mut st);
            }
        }
        self.add_context_places(article, lead, &mut st);
        let ArticleReading { mentions, cc, article_places, .. } = st;
        (self.merge(article, mentions, &cc), article_places)
    }

    /// The state of an article's reading before its first sentence: its country, whether it is a
    /// crime story, its year.
    fn start_reading(&self, article: &Article) -> ArticleReading {
        let mut article_places = ArticlePlaces::default();
        let published = article.published.map(|p| p.date);
        let cc = self.article_country(article);
        article_places.country = match self.actors.text_where(&format!("{}\n{}", article.title.as_deref().unwrap_or(""), article.text)) {
            Some(w) if w == cc => w,
            _ => String::new(),
        };
        // A page with a sentence of ordinary crime is a crime story (`[nonevent] crime`).
        let crime_story = self.lexicon.tells_crime(&article.text);
        // The page's year, and the year the sentences read so far last named: a sentence with
        // no date of its own after one naming a year long before the page's continues the
        // story of that period.
        let page_year = {
            use chrono::Datelike;
            published.map(|d| d.year()).or_else(|| years_named(&article.text).max())
        };
        ArticleReading {
            article_places,
            scanned: Vec::new(),
            published,
            mentions: Vec::new(),
            history: Vec::new(),
            known_places: Vec::new(),
            last_town: None,
            context_when: None,
            order: 0,
            cc,
            crime_story,
            page_year,
            story_year: None,
            war_page: None,
            last_event: None,
        }
    }

    /// Reads one sentence: its actors, its triggers and their mentions, its places and dates.
    fn read_sentence(&self, article: &Article, sent: sentences::Sentence, st: &mut ArticleReading) {
        let s = &article.text[sent.start..sent.end];
        let own_year = years_named(s).max();
        let told_year = st.story_year;
        if own_year.is_some() {
            st.story_year = own_year;
        }
        let ams = self.sentence_actors(s, &st.cc, &mut st.history);
        // The lexicon and the learned typer read English: a sentence mostly in
        // another script ("Аккаунт: @sunday_woman") tells them nothing.
        if !mostly_latin(s) {
            return;
        }
        let mut typings = self.sentence_typings(s, &ams);
        self.drop_non_events(article, s, &ams, &mut typings, st);
        if self.tells_toll_of_last_event(article, sent, &ams, st) {
            return;
        }
        if typings.is_empty() || self.about_an_earlier_year(s, st.published) {
            return;
        }
        // History: the story of a period long before the page's, told on.
        let old_story = match (self.lexicon.history_years, told_year, st.page_year) {
            (Some(h), Some(y), Some(now)) => now - y >= h,
            _ => false,
        };
        if old_story && own_year.is_none() && when::find(s, st.published).is_empty() {
            return;
        }
        st.scanned.push(sent.start);
        let places = self.sentence_places(s, &ams, &st.known_places);
        note_places(s, &places, &mut st.known_places, &mut st.article_places);
        share_list_containers(s, &places, &mut st.article_places.within);
        let whens = when::find(s, st.published);
        // A day or month long before publication that the sentence names: the past.
        if let (Some(days), Some(p)) = (self.lexicon.background_days, st.published) {
            // (A date written out, with its day or year: not "on Monday" nor "last week".)
            let written_out = |w: &When| {
                let t = w.text.to_ascii_lowercase();
                t.contains(|c: char| c.is_ascii_digit()) && !when::WEEKDAYS.iter().any(|(d, _)| t.contains(d))
            };
            let named = |w: &When| written_out(w) && w.date.is_some_and(|d| (p - d).num_days() >= days);
            if !whens.is_empty() && whens.iter().all(|w| named(&w.0)) {
                return;
            }
        }
        let sentence_when = whens.first().map(|w| w.0.clone());
        let casualties = numbers::casualties(s);
        let mut ams = ams;
        for a in ams.iter_mut() {
            a.acted_on = self.acted_on(s, a, &casualties);
        }
        let first_mention = st.mentions.len();
        let reading = SentenceReading { s, span: (sent.start, sent.end), ams, typings, places, whens, sentence_when };
        for t in &reading.typings {
            self.trigger_mentions(&reading, t, st);
        }
        self.assign_casualties(&reading, &casualties, &mut st.mentions[first_mention..]);
        for pl in &reading.places {
            if pl.precision == 1 && pl.kind != "in" || pl.kind == "known" || (pl.kind == "in" && st.known_places.contains(&pl.name)) {
                st.last_town = Some(pl.clone());
            }
        }
        if st.mentions.len() > first_mention {
            st.last_event = Some((sent.end, first_mention..st.mentions.len()));
        }
        // Only a sentence that reports an event sets the date of the sentences after it,
        // and only with a date that says something.
        if let Some(w) = reading.sentence_when {
            if st.mentions.len() > first_mention && (w.date.is_some() || w.weekday.is_some() || w.precision > 1) {
                st.context_when = Some(w);
            }
        }
    }

    /// A sentence that only counts the dead or hurt of the event the sentence before it
    /// reported ("Kafr Nabudah was shelled on Monday. Two civilians were killed."): its
    /// casualties are that event's, and it reports no event of its own. Such a sentence names
    /// no act but harm, no place and no party but its victims.
    fn tells_toll_of_last_event(&self, article: &Article, sent: sentences::Sentence, ams: &[AMention], st: &mut ArticleReading) -> bool {
        let s = &article.text[sent.start..sent.end];
        let Some((last_end, range)) = st.last_event.clone() else { return false };
        if last_end > sent.start || !article.text[last_end..sent.start].trim().is_empty() || range.is_empty() {
            return false;
        }
        let casualties = numbers::casualties(s);
        if casualties.is_empty() {
            return false;
        }
        let harm = numbers::harm_words(s);
        let victims: Vec<(usize, usize)> = casualties.iter().map(|c| c.victims).collect();
        let inside = |(a, b): (usize, usize), spans: &[(usize, usize)]| spans.iter().any(|&(x, y)| a >= x && b <= y);
        let only_harm = self.lexicon.action_words_in(s).all(|w| inside(w, &harm));
        let only_victims = ams.iter().all(|a| inside((a.start, a.end), &victims));
        // (A tally of the war, a quote, a caption: no toll of that act.)
        let said_otherwise = harm.iter().any(|&(a, _)| self.lexicon.non_event(s, a).is_some());
        if !only_harm || !only_victims || said_otherwise || !self.sentence_places(s, ams, &st.known_places).is_empty() {
            return false;
        }
        let reading = SentenceReading {
            s,
            span: (sent.start, sent.end),
            ams: ams.to_vec(),
            typings: Vec::new(),
            places: Vec::new(),
            whens: Vec::new(),
            sentence_when: None,
        };
        let first = range.start;
        self.assign_casualties(&reading, &casualties, &mut st.mentions[range]);
        st.mentions[first].toll_spans.push((sent.start, sent.end));
        st.last_event = Some((sent.end, st.last_event.take().map_or(0..0, |l| l.1)));
        true
    }

    /// The actors a sentence names, generics resolved against those named before (`history`,
    /// which this extends).
    fn sentence_actors(&self, s: &str, cc: &str, history: &mut Vec<usize>) -> Vec<AMention> {
        let mut ams: Vec<AMention> = Vec::new();
        for m in self.actors.mentions(s) {
            if m.actor.is_some_and(|a| self.not_an_actor_here(s, &m, a)) {
                continue;
            }
            let actor = match m.actor {
                Some(a) => Some(a),
                None => m
                    .generic_sides
                    .iter()
                    .find_map(|&side| history.iter().rev().find(|&&h| self.side(h) == side).copied())
                    .or(m.fallback.filter(|_| cc == self.actors.home)),
            };
            if let Some(a) = actor {
                if m.actor.is_some() && self.actors.actors[a].side != Side::Civilian {
                    history.push(a);
                }
                ams.push(AMention { start: m.start, end: m.end, actor: a, acted_on: false });
            }
        }
        ams
    }

    /// Whether a sentence names the party of mention `a` as the one acted on: among the victims
    /// of a casualty count, holding a place, or after words naming who suffered.
    fn acted_on(&self, s: &str, a: &AMention, casualties: &[numbers::Casualty]) -> bool {
        // A count's victims: not a count left unstated (its span is a guess), nor a by-phrase
        // in it ("civilians killed by warplanes of the regime").
        let victim = |c: &numbers::Casualty| {
            c.quantity.bound != numbers::Bound::Unstated
                && c.victims.0 <= a.start
                && a.end <= c.victims.1
                && !s[c.victims.0..a.start].to_ascii_lowercase().contains(" by ")
        };
        casualties.iter().any(victim) || self.lexicon.holds_place(s, a.end) || self.lexicon.names_victims(s, a.start)
    }

    /// Whether the words of actor `a` in a sentence name no actor there: a country after a
    /// preposition, or a word describing an organisation.
    fn not_an_actor_here(&self, s: &str, m: &actors::Mention, a: usize) -> bool {
        // A country named after a preposition is a place ("the border with Turkey").
        let x = &self.actors.actors[a];
        let before = s[..m.start].trim_end().rsplit(char::is_whitespace).next().unwrap_or("").to_ascii_lowercase();
        if x.kind == "foreign_state" && s[m.start..m.end] == x.name && PREPOSITIONS.contains(&before.as_str()) {
            return true;
        }
        // A word describing an organisation ("the opposition Syrian Observatory
        // for Human Rights", "the rebel Syrian National Coalition") is not an actor.
        let words = &s[m.start..m.end];
        !words.chars().any(char::is_uppercase) && self.places.opens_with_organisation(s[m.end..].trim_start())
    }

    /// The typer's triggers of a sentence, their sub-types set by the strike's means and their
    /// words moved off the actors' names.
    fn sentence_typings(&self, s: &str, ams: &[AMention]) -> Vec<Typing> {
        let mut typings = self.typer.type_sentence(s);
        // A strike's means, as its clause tells them, decide between an air strike
        // and shelling.
        let spans: Vec<(usize, usize)> = typings.iter().map(|t| (t.start, t.end)).collect();
        for t in typings.iter_mut() {
            let others: Vec<(usize, usize)> = spans.iter().copied().filter(|&o| o != (t.start, t.end)).collect();
            self.type_by_means(s, t, &others);
        }
        // The learned typer names the word that speaks most for its class; a word of
        // an actor's name ("Daesh militants") is not where the event is told: the
        // trigger moves to the start of that name, so the name reads as the party
        // after it and the one before it as the subject.
        for t in typings.iter_mut().filter(|t| t.trigger.starts_with("learned:")) {
            if let Some(a) = ams.iter().find(|a| a.start <= t.start && t.end <= a.end) {
                t.start = a.start;
                t.end = a.start;
            }
        }
        // A lexicon trigger that opens with an actor's name ("US-led air strikes",
        // "Russian air strikes"): the name is the doer, the act begins after it.
        for t in typings.iter_mut().filter(|t| !t.trigger.starts_with("learned:")) {
            // Not a crowd: "protesters" is the protest, not its doer before it.
            if let Some(a) = ams.iter().find(|a| a.start == t.start && a.end > t.start && !self.actors.is_crowd(a.actor)) {
                t.start = a.end.min(t.end);
            }
        }
        typings
    }

    /// Sets a strike's sub-type (air strike or shelling) by the means its clause names: its own
    /// part of the clause where the clause tells several acts (`others`), else the clause.
    fn type_by_means(&self, s: &str, t: &mut Typing, others: &[(usize, usize)]) {
        const AIR: SubEventType = SubEventType::AirDroneStrike;
        const GROUND: SubEventType = SubEventType::ShellingArtilleryMissileAttack;
        if t.sub_event_type != AIR && t.sub_event_type != GROUND {
            return;
        }
        let (cs, ce) = lexicon::clause_bounds(s, t.start);
        let (ps, pe) = lexicon::own_part(s, others, (t.start, t.end), (cs, ce), &[], &[]);
        let means = self.lexicon.means(&s[ps..pe]).or_else(|| self.lexicon.means(&s[cs..ce]));
        let want = match means {
            Some(lexicon::Means::Air) => AIR,
            Some(lexicon::Means::Ground) => GROUND,
            None => return,
        };
        if let Some(c) = learned::Typology::builtin().get(want.as_str()) {
            t.sub_event_type = c.sub_event_type;
            t.cameo = c.cameo.clone();
        }
    }

    /// Drops the triggers that report no event: learned guesses with no act word on a page not
    /// about war, crimes with no armed group in a crime story.
    fn drop_non_events(&self, article: &Article, s: &str, ams: &[AMention], typings: &mut Vec<Typing>, st: &mut ArticleReading) {
        // The learned typer guesses from a sentence's words alone. A guess in a sentence
        // that names no act (`[roles] action_words`) on a page of some length where the
        // lexicon finds no act of war at all (sport, games, concerts, business) is no
        // event: "Russia beat Croatia on Monday" on a tennis page, a tour's venues.
        if typings.iter().any(|t| t.trigger.starts_with("learned:")) && self.lexicon.action_word(s).is_none() {
            let war = *st.war_page.get_or_insert_with(|| self.lexicon_reports_an_event(article));
            if !war {
                typings.retain(|t| !t.trigger.starts_with("learned:"));
            }
        }
        // In a crime story, a kidnapping, a shooting or an arrest is political violence
        // only where an armed group takes part.
        if st.crime_story {
            typings.retain(|t| {
                !self.lexicon.crime_types.contains(&t.sub_event_type)
                    || ams.iter().any(|a| self.lexicon.crime_armed_inter.contains(&self.actors.actors[a.actor].inter))
            });
        }
    }

    /// The places a sentence names, less the names that are actors, countries or peoples.
    fn sentence_places(&self, s: &str, ams: &[AMention], known_places: &[String]) -> Vec<PlaceMention> {
        let mut places = self.places.find_with(s, known_places, self.toponyms);
        // A name that is an actor ("ISIS strongholds", "Moscow announced") is not a place,
        // nor is a known name inside an actor's ("the Hama Military Council").
        // A whole country ("in Zamfara State, Nigeria") or its people says where the place is, not a
        // place of its own: an event is placed by the article's places, not at a
        // country's centre.
        // A cue's name that runs on from an actor's name ("warplanes of the International
        // Coalition al-Kasrat area") is the words after it.
        for p in places.iter_mut().filter(|p| p.kind != "gazetteer") {
            if let Some(a) = ams.iter().find(|a| a.start <= p.start && a.end > p.start && a.end < p.end) {
                let rest = s[a.end..p.end].trim_start();
                if rest.chars().next().is_some_and(char::is_alphabetic) {
                    p.start = p.end - rest.len();
                    p.name = rest.to_string();
                }
            }
        }
        places.retain(|p| {
            self.actors.lookup(&p.name).is_none()
                && !self.actors.countries.iter().any(|c| {
                    // (Nor is a people: "the Malian army", "Tigrayan forces".)
                    std::iter::once(&c.name).chain(c.adjectives.iter()).any(|n| n.eq_ignore_ascii_case(p.name.trim()))
                })
                && (p.kind != "gazetteer" || !ams.iter().any(|a| p.start < a.end && p.end > a.start))
        });
        places
    }

    /// The mentions of one trigger of a sentence: one per place and day it names.
    fn trigger_mentions(&self, r: &SentenceReading, t: &Typing, st: &mut ArticleReading) {
        let (cs, ce) = lexicon::clause_bounds(r.s, t.start);
        // Where the clause tells several acts, each has its own part of it: its place is looked
        // for there first, then in the whole clause. Its doer is the clause's ("Regime forces
        // shelled Kafr Zita and bombed Latamna"; "withdrew from the crossing and left it to
        // HTS": the taker is named in the other part).
        // Acts of one sub-type too: "Warplanes struck Saraqib, while other jets bombed Maarat
        // al-Numan" are two strikes at two places (ACLED codes an event per place). Acts not
        // joined so stay one event ("ISIS is now in control of 19 checkpoints ..., as the
        // district of Ithreya fell to the group": `unify_sentence_places`).
        let others: Vec<(usize, usize)> = r.typings.iter().map(|o| (o.start, o.end)).filter(|&o| o != (t.start, t.end)).collect();
        let names: Vec<usize> = r.places.iter().map(|p| p.start).collect();
        let parties: Vec<(usize, usize)> = r.ams.iter().map(|a| (a.start, a.end)).collect();
        let (ps, pe) = lexicon::own_part(r.s, &others, (t.start, t.end), (cs, ce), &names, &parties);
        let (actor1, actor2) = self.trigger_roles(r, t, cs, ce);
        let mut place_choices = self.trigger_places(r, t, ps, pe, &st.last_town);
        let own_place = (ps, pe) != (cs, ce) && !place_choices.is_empty();
        if place_choices.is_empty() && (ps, pe) != (cs, ce) {
            place_choices = self.trigger_places(r, t, cs, ce, &st.last_town);
        }
        let informative = |w: &When| w.date.is_some() || w.weekday.is_some() || w.precision > 1;
        let when = r.sentence_when.clone().filter(informative).or_else(|| st.context_when.clone()).or_else(|| r.sentence_when.clone());
        let places_for: Vec<Option<PlaceMention>> =
            if place_choices.is_empty() { vec![None] } else { place_choices.into_iter().map(Some).collect() };
        // A span of days ("on Monday and Tuesday", "from May 27 to May 29") is one
        // event per day.
        let days = when::days_of_span(r.s, &r.whens);
        let whens_for: Vec<Option<When>> = if days.len() >= 2 { days.into_iter().map(Some).collect() } else { vec![when.clone()] };
        let elaborates = elaborates(r.s, &r.typings, t);
        for (place, when) in places_for.iter().flat_map(|p| whens_for.iter().map(move |w| (p.clone(), w.clone()))) {
            st.mentions.push(Mention {
                typing: t.clone(),
                actor1: actor1.clone(),
                actor2: actor2.clone(),
                place,
                when: when.clone(),
                killed: Vec::new(),
                killed_over_places: Vec::new(),
                injured: Vec::new(),
                span: r.span,
                toll_spans: Vec::new(),
                order: st.order,
                elaborates,
                own_place,
            });
            st.order += 1;
        }
    }

    /// actor1 and actor2 of a trigger in its sentence: the roles of its clause, the holder of a
    /// "-held" place, civilians as the victims.
    fn trigger_roles(&self, r: &SentenceReading, t: &Typing, cs: usize, ce: usize) -> (Role, Role) {
        let (s, ams, places) = (r.s, &r.ams, &r.places);
        let in_clause: Vec<&AMention> = ams.iter().filter(|a| a.start >= cs && a.end <= ce.max(t.end)).collect();
        let (actor1, actor2) = self.roles(s, t, &in_clause);
        // The one who gave the place up is acted on; who it went to acts. (With no one named
        // to take it, the withdrawal is the withdrawer's own act.)
        let (actor1, mut actor2) = if t.yields && actor2.is_some() { (actor2, actor1) } else { (actor1, actor2) };
        // "-held" places tell who held them: the other party of a capture or attack.
        if actor2.is_none() {
            let clause_places: Vec<PlaceMention> = places.iter().filter(|p| p.start >= cs && p.end <= ce).cloned().collect();
            actor2 = self.held_by(s, &clause_places).filter(|h| actor1.as_ref().is_none_or(|a| self.side(a.0) != self.side(h.0)));
        }
        // Civilians as victims or targets of remote violence are its actor2.
        if t.event_type != EventType::Battles && t.event_type != EventType::Protests && t.event_type != EventType::Riots {
            // Civilians of the trigger's clause; of another clause only where the sentence tells
            // one act ("killed by warplanes ...; 28 civilians were martyred in an aerial
            // bombardment" is another event's toll). Civilians who tell of it ("villagers who
            // fled said") are its witnesses, not its victims.
            let witness = |a: &AMention| {
                let after: String = s[a.end..].split_whitespace().take(6).collect::<Vec<_>>().join(" ");
                self.lexicon.report_verbs.find(&after).is_some_and(|m| m.start() == 0 || after[..m.start()].starts_with("who "))
            };
            let civilian = |a: &&AMention| self.side(a.actor) == Side::Civilian && !witness(a);
            let in_clause = ams.iter().filter(civilian).find(|a| a.start >= cs && a.end <= ce.max(t.end));
            let one_act = r.typings.len() <= 1;
            if let Some(c) = in_clause.or_else(|| ams.iter().filter(civilian).find(|_| one_act)) {
                let direct_armed_target = actor2.as_ref().is_some_and(|a| self.side(a.0) != Side::Civilian);
                let target_after_trigger =
                    ams.iter().any(|a| a.start >= t.end && a.start <= t.end + 40 && self.side(a.actor) != Side::Civilian);
                if !(direct_armed_target && target_after_trigger) {
                    actor2 = Some((c.actor, s[c.start..c.end].to_string()));
                }
            }
        }
        // Still no target: a party named as acted on ("17 rebels were killed", "rebel areas").
        if actor2.is_none() {
            actor2 = in_clause
                .iter()
                .filter(|a| a.acted_on && actor1.as_ref().is_none_or(|d| self.distinct(d.0, a.actor)))
                .filter(|a| !self.lexicon.mediates(s, a.start) && !self.lexicon.informs(s, a.start))
                .min_by_key(|a| (a.start as i64 - t.start as i64).unsigned_abs())
                .map(|a| (a.actor, s[a.start..a.end].to_string()));
        }
        (actor1, actor2)
    }

    /// The places of a trigger: those its clause names for it, else the town the words after it
    /// refer back to.
    fn trigger_places(&self, r: &SentenceReading, t: &Typing, cs: usize, ce: usize, last_town: &Option<PlaceMention>) -> Vec<PlaceMention> {
        let (s, places) = (r.s, &r.places);
        let mut place_choices = self.pick_places(s, t, places, cs, ce);
        if place_choices.is_empty() {
            // "the town", "there", and "it" after a territory trigger ("regained
            // it"): the last town named, in this sentence or before.
            let tail = format!("{} ", s[t.end..ce].to_ascii_lowercase());
            let refers = [" the town", " the city", " the village", " there"].iter().any(|w| tail.contains(w))
                || (t.territory && tail.starts_with(" it "));
            if refers {
                let here = places.iter().rfind(|p| p.end <= t.start && p.precision == 1).cloned();
                if let Some(lt) = here.or_else(|| last_town.clone()) {
                    place_choices.push(PlaceMention { kind: "known".into(), ..lt });
                }
            }
        }
        place_choices
    }

    /// Gives each casualty figure of a sentence to the nearest of the sentence's mentions.
    fn assign_casualties(&self, r: &SentenceReading, casualties: &[numbers::Casualty], mentions: &mut [Mention]) {
        // Casualties go to the nearest trigger of the sentence.
        if mentions.is_empty() {
            return;
        }
        let s = r.s;
        for c in casualties {
            let pos = c.victims.0;
            let nearest = (0..mentions.len())
                .min_by_key(|&i| (mentions[i].typing.start as i64 - pos as i64).unsigned_abs())
                .expect("at least one mention");
            let victims = &s[c.victims.0..c.victims.1];
            let side = r
                .ams
                .iter()
                .find(|a| a.start >= c.victims.0 && a.end <= c.victims.1.max(a.end).min(c.victims.1 + 1))
                .map(|a| self.actors.actors[a.actor].name.clone())
                .or_else(|| self.actors.names_civilians(victims).then(|| "Civilians".to_string()))
                .unwrap_or_else(|| {
                    // A bare count ("31 dead", "a toll of 15") is a total; one with a noun of no
                    // side ("41 combatants") is a part of its own.
                    let bare = victims.trim().chars().all(|ch| !ch.is_alphabetic());
                    if bare { TOTAL } else { "unknown" }.to_string()
                });
            // The trigger's mentions split over several places or days: a total over them.
            let t = &mentions[nearest].typing;
            let split = mentions.iter().filter(|o| o.typing.start == t.start && o.typing.end == t.end).count() > 1;
            let m = &mut mentions[nearest];
            match c.harm {
                Harm::Killed if split => m.killed_over_places.push((side, c.quantity)),
                Harm::Killed => m.killed.push((side, c.quantity)),
                Harm::Injured => m.injured.push((side, c.quantity)),
            }
        }
    }

    /// Adds the places of the title and the lead, context for the geocoder.
    fn add_context_places(&self, article: &Article, mut lead: Vec<sentences::Sentence>, st: &mut ArticleReading) {
        // The title and the lead name the story's place even when their sentences report no
        // event the lexicon knows: context for the geocoder. The title's places come first
        // and count twice: a headline names the main event's place.
        // The lead: the first four sentences (some inputs are one long paragraph); those that
        // reported events were scanned for places already.
        let (known_places, article_places) = (&st.known_places, &mut st.article_places);
        lead.retain(|x| !st.scanned.contains(&x.start));
        let mut headline: Vec<(String, String)> = Vec::new();
        for pl in self.places.find(article.title.as_deref().unwrap_or(""), known_places) {
            if self.actors.lookup(&pl.name).is_none() {
                headline.push((pl.name.clone(), pl.kind.clone()));
                headline.push((pl.name, pl.kind));
            }
        }
        article_places.headline = headline.iter().step_by(2).map(|(n, _)| n.clone()).collect();
        headline.append(&mut article_places.names);
        article_places.names = headline;
        for sent in lead {
            for pl in self.places.find(&article.text[sent.start..sent.end], known_places) {
                if self.actors.lookup(&pl.name).is_none() {
                    article_places.names.push((pl.name, pl.kind));
                }
            }
        }
    }

    /// Whether the article may be about war: it is shorter than `[nonevent] war_page_sentences`
    /// sentences, or a sentence of it has a lexicon trigger that reports an event.
    fn lexicon_reports_an_event(&self, article: &Article) -> bool {
        let sents: Vec<sentences::Sentence> =
            article.paragraphs.iter().flat_map(|p| sentences::split(&article.text, p.byte_start, p.byte_end)).collect();
        // A short text (an excerpt) says too little of its page to tell it is not about war.
        self.lexicon.war_page_sentences.is_none_or(|min| sents.len() < min)
            || sents.iter().any(|x| {
                let s = &article.text[x.start..x.end];
                mostly_latin(s) && !self.lexicon.events_in(s).is_empty()
            })
    }

    /// Whether a sentence tells of an earlier year: it names a year before the publication's
    /// ("in August 2013", "in 2014 and 2015"), or, with no publication date, any year after
    /// "in", "since", "during" or "by".
    fn about_an_earlier_year(&self, s: &str, published: Option<NaiveDate>) -> bool {
        use chrono::Datelike;
        static YEAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"(?i)(?-u:\b)(?P<lead>in|since|during|by|of|until)?\s*(?:(?:early|late|mid-?)\s*)?(?:(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+(?:\d{1,2},?\s+)?)?(?P<y>(?:19|20)\d\d)(?-u:\b)").expect("valid")
        });
        YEAR.captures_iter(s).any(|c| {
            let y: i32 = c["y"].parse().unwrap_or(0);
            match published {
                Some(p) => y < p.year(),
                None => c.name("lead").is_some(),
            }
        })
    }

    /// actor1 and actor2 of a trigger, from the actor mentions of its clause.
    fn roles(&self, s: &str, t: &Typing, ams: &[&AMention]) -> (Role, Role) {
        let (a1, a2) = self.roles_named(s, t, ams);
        let harms = matches!(t.event_type, EventType::ExplosionsRemoteViolence | EventType::ViolenceAgainstCivilians);
        if a2.is_some() || !(harms || t.sub_event_type == SubEventType::Arrests) {
            return (a1, a2);
        }
        let Some(civ) = self.actors.index_of("Civilians") else { return (a1, a2) };
        // A strike on "a hospital", "their homes": the civilians are its target.
        if harms {
            if let Some((a, b)) = self.actors.civilian_target(&s[t.end..], 8) {
                return (a1, Some((civ, s[t.end + a..t.end + b].to_string())));
            }
        }
        // Its object names civilians ("detained a journalist", "two men were arrested").
        match self.civilian_object(s, t, ams) {
            Some((a, b)) => (a1, Some((civ, s[a..b].to_string()))),
            None => (a1, a2),
        }
    }

    /// The words naming civilians in a trigger's object, as a byte range of the sentence: after
    /// the trigger, or before it in the passive voice, with no actor named between.
    fn civilian_object(&self, s: &str, t: &Typing, ams: &[&AMention]) -> Option<(usize, usize)> {
        let passive = in_passive_voice(s, t);
        let (a, b) = if passive {
            // The subject: the words of the clause before the trigger.
            let head = &s[..t.start];
            let from = head.rfind([',', ';', ':', '.']).map_or(0, |i| i + 1);
            let words: Vec<&str> = head[from..].split_whitespace().collect();
            let skip = words.len().saturating_sub(6);
            let tail_start = words.get(skip).map_or(t.start, |w| w.as_ptr() as usize - s.as_ptr() as usize);
            let (a, b) = self.actors.civilian_object(&s[tail_start..t.start], 6)?;
            (tail_start + a, tail_start + b)
        } else {
            let (a, b) = self.actors.civilian_object(&s[t.end..], 6)?;
            (t.end + a, t.end + b)
        };
        let (lo, hi) = if passive { (a, t.start) } else { (t.end, b) };
        (!ams.iter().any(|m| m.start < hi && m.end > lo)).then_some((a, b))
    }

    /// actor1 and actor2 of a trigger as the phrases of its clause name them (go-betweens left
    /// out): the first step whose phrase the clause has decides.
    fn roles_named(&self, s: &str, t: &Typing, ams: &[&AMention]) -> (Role, Role) {
        // Go-betweens and informants are no party.
        let parties: Vec<&AMention> =
            ams.iter().copied().filter(|a| !self.lexicon.mediates(s, a.start) && !self.lexicon.informs(s, a.start)).collect();
        let sc = RoleScene { s, t, ams: &parties };
        self.roles_between(&sc)
            .or_else(|| self.roles_of_passive_verb(&sc))
            .or_else(|| self.roles_of_agent(&sc))
            .or_else(|| self.roles_of_fronted_clause(&sc))
            .unwrap_or_else(|| self.roles_around(&sc))
    }

    /// Whether a party may act in the trigger's event: an armed side, or anyone in a protest,
    /// not named as the one acted on.
    fn armed(&self, sc: &RoleScene, a: &AMention) -> bool {
        !a.acted_on && (self.side(a.actor) != Side::Civilian || sc.t.event_type == EventType::Protests)
    }

    /// Whether two actors are distinct parties: neither is the other nor within it.
    fn distinct(&self, a: usize, b: usize) -> bool {
        a != b && !self.actors.is_within(a, b) && !self.actors.is_within(b, a)
    }

    /// "between A and B": the two parties named after "between", near the trigger.
    fn roles_between(&self, sc: &RoleScene) -> Option<(Role, Role)> {
        let (s, t) = (sc.s, sc.t);
        let bpos = s.to_ascii_lowercase().find("between ")?;
        let after: Vec<&&AMention> = sc.ams.iter().filter(|a| a.start > bpos).collect();
        (after.len() >= 2
            && s[after[0].end..after[1].start].to_ascii_lowercase().contains("and")
            && (bpos as i64 - t.end as i64).abs() < 80)
            .then(|| (Some(sc.text(after[0])), Some(sc.text(after[1]))))
    }

    /// A trigger verb in the passive voice: the acting party after it, its subject acted on.
    fn roles_of_passive_verb(&self, sc: &RoleScene) -> Option<(Role, Role)> {
        // A verb in the passive voice ("five soldiers were killed in an ISIS ambush", "the
        // town was shelled by regime forces"): its subject is the party acted on, the party
        // acting follows it, if the sentence names it at all.
        let (s, t, ams) = (sc.s, sc.t, sc.ams);
        if !in_passive_voice(s, t) {
            return None;
        }
        let agent = ams
            .iter()
            .filter(|a| self.armed(sc, a))
            .filter(|a| a.start >= t.end && s[t.end..a.start].split_whitespace().count() <= 8)
            .min_by_key(|a| {
                let by = s[..a.start].trim_end().to_ascii_lowercase();
                (!(by.ends_with(" by") || by.ends_with(" by the") || by.ends_with(" by a") || by.ends_with(" by an")), a.start)
            });
        let subject = ams.iter().rfind(|a| a.end <= t.start && agent.is_none_or(|g| g.actor != a.actor));
        Some((agent.map(|a| sc.text(a)), subject.map(|a| sc.text(a))))
    }

    /// A passive agent or a by-phrase ("captured by ISIS"): the agent acts, the party nearest
    /// the trigger is the other.
    fn roles_of_agent(&self, sc: &RoleScene) -> Option<(Role, Role)> {
        let (s, t, ams) = (sc.s, sc.t, sc.ams);
        // A passive agent: "attacked by an ISIS-led car bomb", "fell to the radical group".
        let agent = if t.passive {
            ams.iter().filter(|a| self.armed(sc, a)).find(|a| a.start >= t.end && s[t.end..a.start].split_whitespace().count() <= 3)
        } else {
            // "by X" right after the trigger ("captured by ISIS"), or a by-phrase holding the
            // trigger ("attacked by an ISIS-led car bomb").
            ams.iter()
                .filter(|a| self.armed(sc, a))
                .filter(|a| self.acts_by_phrase(sc, a))
                .min_by_key(|a| (a.start as i64 - t.start as i64).unsigned_abs())
        };
        let ag = agent?;
        let other = ams
            .iter()
            .filter(|a| a.actor != ag.actor && !self.actors.is_within(a.actor, ag.actor) && !self.actors.is_within(ag.actor, a.actor))
            .min_by_key(|a| (a.start as i64 - t.start as i64).unsigned_abs());
        Some((Some(sc.text(ag)), other.map(|o| sc.text(o))))
    }

    /// Whether a party is named by a by-phrase right after the trigger or holding it, not one
    /// saying who holds a place.
    fn acts_by_phrase(&self, sc: &RoleScene, a: &AMention) -> bool {
        let (s, t) = (sc.s, sc.t);
        let before = s[..a.start].trim_end().to_ascii_lowercase();
        let by = before.ends_with(" by")
            || before.ends_with(" by an")
            || before.ends_with(" by a")
            || before.ends_with(" by the")
            || self.lexicon.by_means(&before);
        // "a town held by ISIS" says who holds it, not who acts.
        let by = by && {
            let head = before.trim_end_matches(" the").trim_end_matches(" an").trim_end_matches(" a");
            let head = head.strip_suffix(" by").unwrap_or(head);
            let word = head.rsplit(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
            !HOLDING_PARTICIPLES.contains(&word)
        };
        let near_after = a.start >= t.end && s[t.end..a.start].split_whitespace().count() <= 6;
        let holds_trigger = a.end <= t.start && s[a.end..t.start].split_whitespace().count() <= 2;
        by && (near_after || holds_trigger)
    }

    /// A fronted clause holding the trigger: the subject of the main clause after its comma acts.
    fn roles_of_fronted_clause(&self, sc: &RoleScene) -> Option<(Role, Role)> {
        // A fronted clause holding the trigger ("Stepping up its airstrikes on central Syria,
        // Moscow announced ...", "After shelling the town for days, regime forces stormed it"):
        // its doer is the subject of the main clause after the comma.
        let (s, t, ams) = (sc.s, sc.t, sc.ams);
        let comma = fronted_clause_end(s).filter(|&c| t.end <= c)?;
        let subj =
            ams.iter().filter(|a| self.armed(sc, a)).find(|a| a.start > comma && s[comma + 1..a.start].split_whitespace().count() <= 2)?;
        let other = ams.iter().filter(|a| a.end <= comma && self.distinct(a.actor, subj.actor)).find(|a| a.start >= t.end);
        Some((Some(sc.text(subj)), other.map(|o| sc.text(o))))
    }

    /// The roles of the parties named around the trigger when no phrase sets them: the doer
    /// before it (the first of allies named together), the other after it.
    fn roles_around(&self, sc: &RoleScene) -> (Role, Role) {
        let t = sc.t;
        let before = self.doer_before(sc);
        // Allies named together ("Syrian regime or Russian air strikes", "regime and Russian
        // warplanes"): the first named acts (ACLED codes the other as its associate). Of one
        // side; or of any armed sides where the act is one-sided (a strike, an attack, a
        // capture): two parties of a clash or an agreement are both named before it.
        let one_sided = t.territory || matches!(t.event_type, EventType::ExplosionsRemoteViolence | EventType::ViolenceAgainstCivilians);
        if let Some(roles) = before.filter(|_| !one_sided).and_then(|b| self.roles_of_pair_before(sc, b, one_sided)) {
            return roles;
        }
        let before = before.map(|b| self.first_of_allies(sc, b, one_sided));
        if let Some(roles) = before.and_then(|b| self.roles_of_earlier_act(sc, b)) {
            return roles;
        }
        self.roles_after(sc, before)
    }

    /// The armed party named last before the trigger, not one named as support if another is.
    fn doer_before<'x>(&self, sc: &RoleScene<'x>) -> Option<&'x AMention> {
        // An actor named as support ("government forces backed by Russian airstrikes pushed
        // back ...") is not the one acting when another is named before it.
        let (s, t, ams) = (sc.s, sc.t, sc.ams);
        ams.iter()
            .filter(|a| self.armed(sc, a))
            .filter(|a| a.start < t.start)
            .rfind(|a| !self.lexicon.supports(s, a.start))
            .or_else(|| ams.iter().filter(|a| self.armed(sc, a)).rfind(|a| a.start < t.start))
            .copied()
    }

    /// Whether two parties are allies: of one side, or armed sides of a one-sided act.
    fn allied(&self, p: &AMention, b: &AMention, one_sided: bool) -> bool {
        let (sp, sb) = (self.side(p.actor), self.side(b.actor));
        sp == sb || (one_sided && ![sp, sb].iter().any(|x| matches!(*x, Side::Civilian | Side::Protesters | Side::Rioters)))
    }

    /// Two parties named together ("A and B") just before a two-sided act, `b` the second.
    fn roles_of_pair_before(&self, sc: &RoleScene, b: &AMention, one_sided: bool) -> Option<(Role, Role)> {
        // Two parties named together before a two-sided act ("Rebels and pro-government forces
        // agreed ...", "the army and ISIS clashed"): the first is actor1, the second actor2.
        let p = sc.ams.iter().filter(|a| self.armed(sc, a)).rfind(|p| p.end <= b.start)?;
        let gap = sc.s[p.end..b.start].trim().to_ascii_lowercase();
        (matches!(gap.as_str(), "and" | "and the") && self.distinct(p.actor, b.actor) && !self.allied(p, b, one_sided))
            .then(|| (Some(sc.text(p)), Some(sc.text(b))))
    }

    /// The first of the allies named together ending with `b` ("regime and Russian warplanes").
    fn first_of_allies<'x>(&self, sc: &RoleScene<'x>, b: &'x AMention, one_sided: bool) -> &'x AMention {
        let mut b = b;
        while let Some(p) = sc.ams.iter().rfind(|p| p.end <= b.start) {
            let gap = sc.s[p.end..b.start].trim().to_ascii_lowercase();
            if matches!(gap.as_str(), "and" | "or" | "and the" | "or the" | "and its" | "&" | "and their") && self.allied(p, b, one_sided) {
                b = p;
            } else {
                break;
            }
        }
        b
    }

    /// `b`, named just before the trigger, as the object of an act told first: that act's
    /// subject is the doer.
    fn roles_of_earlier_act(&self, sc: &RoleScene, b: &AMention) -> Option<(Role, Role)> {
        // The one named just before the trigger may be the object of an act the sentence
        // told first ("Rebels killed several soldiers in an ambush", "government forces
        // recaptured the town from rebels after heavy fighting"): the act's subject is the doer.
        let s = sc.s;
        let subj =
            sc.ams.iter().filter(|a| self.armed(sc, a)).filter(|p| p.end <= b.start && self.side(p.actor) != self.side(b.actor)).find(
                |p| {
                    let gap = &s[p.end..b.start];
                    gap.split_whitespace().count() <= 8
                        && !gap.contains([',', ';', '(', ')'])
                        && self.lexicon.action_word(gap).is_some_and(|(a, _)| !AUX.is_match(&gap[..a]))
                },
            )?;
        Some((Some(sc.text(subj)), Some(sc.text(b))))
    }

    /// The doer before the trigger and the party after it; with no one before, the party after
    /// it as the doer, the target or no one, as the act and the words say.
    fn roles_after(&self, sc: &RoleScene, before: Option<&AMention>) -> (Role, Role) {
        let (s, t, ams) = (sc.s, sc.t, sc.ams);
        let after = ams.iter().filter(|a| a.start >= t.end).find(|a| before.is_none_or(|b| self.distinct(b.actor, a.actor)));
        let named_doer =
            ams.iter().find(|o| o.start >= t.end && self.side(o.actor) != Side::Civilian && self.lexicon.names_act(s, o.start, o.end));
        match (before, after) {
            (Some(b), a) => (Some(sc.text(b)), a.map(|a| sc.text(a))),
            // No one before the trigger: "clashes with X" names one party; "air strikes on ISIS
            // positions" name the target.
            // ... unless it is named as the act's doer: "civilians killed in terrorist attacks",
            // "wounded in an ISIS ambush on the road".
            // (Any actor after the trigger so named: "casualties of the Coalition's bombing".)
            (None, Some(_)) if named_doer.is_some() => {
                let doer = named_doer.map(|d| sc.text(d));
                let other = named_doer.and_then(|d| ams.iter().filter(|o| o.start >= t.end).find(|o| self.distinct(o.actor, d.actor)));
                (doer, other.map(|o| sc.text(o)))
            }
            (None, Some(a))
                if !matches!(
                    t.event_type,
                    EventType::Battles | EventType::Protests | EventType::Riots | EventType::StrategicDevelopments
                ) =>
            {
                (None, Some(sc.text(a)))
            }
            (None, Some(a)) if self.armed(sc, a) => (Some(sc.text(a)), None),
            (None, Some(_)) => (None, None),
            (None, None) => (None, None),
        }
    }

    /// Places for a trigger: the first place of its clause after it (all the names of that
    /// list: "the towns of Ahras and Tel Jabin"), else the last before it.
    fn pick_places(&self, s: &str, t: &Typing, places: &[PlaceMention], cs: usize, ce: usize) -> Vec<PlaceMention> {
        let in_clause: Vec<&PlaceMention> = places.iter().filter(|p| p.start >= cs && p.end <= ce).collect();
        // A place that holds the one named just before it ("the town of Saraqib in rural
        // Idlib", "Kafr Takharim in Idlib") is context, not where it happened.
        let container: Vec<bool> = (0..in_clause.len())
            .map(|k| {
                // "Sarmada (Harim, Idleb)": the names in brackets after a place are its areas.
                k > 0 && {
                    let gap = s[in_clause[k - 1].end..in_clause[k].start].trim().trim_matches(',').trim().to_ascii_lowercase();
                    let words: Vec<&str> = gap.split_whitespace().collect();
                    (0..k).any(|j| parenthesised(s, in_clause[j].end, in_clause[k].start))
                        || (words.first() == Some(&"in") && words.len() <= 5)
                        || matches!(gap.as_str(), "of" | "of the" | "")
                }
            })
            .collect::<Vec<bool>>();
        // (Unless the one before is a governorate and this one is not: "the liberated areas in
        // Idlib in Kafr Nabl" happened in Kafr Nabl, and Idlib holds it.)
        let mut container = container;
        for k in 1..in_clause.len() {
            let gap = s[in_clause[k - 1].end..in_clause[k].start].trim_start().to_ascii_lowercase();
            if container[k]
                && gap.starts_with("in ")
                && self.toponyms.is_region(&in_clause[k - 1].name)
                && !self.toponyms.is_region(&in_clause[k].name)
            {
                container[k] = false;
                container[k - 1] = true;
            }
        }
        let first_after = in_clause.iter().enumerate().position(|(k, p)| p.start >= t.end && !container[k]);
        let idx = match first_after {
            Some(i) => i,
            None => match in_clause
                .iter()
                .enumerate()
                .rposition(|(k, p)| p.end <= t.start && !container[k] && !is_vague(&Some((*p).clone())))
                .or_else(|| in_clause.iter().rposition(|p| p.end <= t.start))
            {
                Some(i) => i,
                None => return Vec::new(),
            },
        };
        let mut chosen = vec![in_clause[idx].clone()];
        // A feature ("the valleys of X") inside a named region ("in the western Qalamoun"):
        // the region is where it happened.
        if chosen[0].kind == "feature" {
            if let Some(container) = in_clause[idx + 1..].iter().find(|p| matches!(p.kind.as_str(), "in" | "region")) {
                return vec![(*container).clone()];
            }
        }
        // The rest of a list of names.
        let mut j = idx + 1;
        let mut last = idx;
        while j < in_clause.len() {
            // The areas in brackets after a name are skipped ("Kafr Zita (Hama) and Latamna").
            if (0..j).any(|x| parenthesised(s, in_clause[x].end, in_clause[j].start)) {
                j += 1;
                continue;
            }
            let gap = s[in_clause[last].end..in_clause[j].start].trim();
            let gap = match gap.strip_prefix('(').and_then(|g| g.split_once(')')) {
                Some((_, rest)) => rest.trim(),
                None => gap,
            };
            let gap = gap.to_ascii_lowercase();
            last = j;
            let listy = gap.is_empty() || gap == "," || gap == "and" || gap == ", and" || gap == "or";
            // "in Jisr ash Shughur, Idleb": a governorate after a comma holds the town before it.
            let holds = gap == "," && self.toponyms.is_region(&in_clause[j].name) && !self.toponyms.is_region(&in_clause[j - 1].name);
            if !listy || holds || in_clause[j].kind == "relative" {
                break;
            }
            chosen.push(in_clause[j].clone());
            j += 1;
        }
        // A relative place ("12 km north of Aleppo") qualifying a town is not a place of its own.
        if chosen.len() > 1 {
            chosen.retain(|p| p.kind != "relative");
        }
        chosen
    }

    /// Who held a place, when the text says "the rebel-held town of X".
    fn held_by(&self, s: &str, places: &[PlaceMention]) -> Option<(usize, String)> {
        places.iter().find_map(|p| self.held_before(s, p))
    }

    fn held_before(&self, s: &str, p: &PlaceMention) -> Option<(usize, String)> {
        let before = &s[..p.start];
        let idx = before.rfind("-held").or_else(|| before.rfind("-controlled"))?;
        if p.start - idx > 40 {
            return None;
        }
        let word_start = before[..idx].rfind(|c: char| c.is_whitespace()).map_or(0, |i| i + 1);
        let word = &before[word_start..idx];
        let actor = self.actors.lookup(word).or_else(|| self.actors.lookup(&format!("{word}s"))).or_else(|| {
            match word.to_ascii_lowercase().as_str() {
                "regime" | "government" | "army" => self.actors.lookup("Syrian government forces"),
                "insurgent" | "opposition" => self.actors.lookup("Syrian rebels"),
                _ => None,
            }
        })?;
        let i = self.actors.index_of(&actor.name)?;
        Some((i, format!("{word}-held")))
    }

    fn merge(&self, article: &Article, mut mentions: Vec<Mention>, cc: &str) -> Vec<Event> {
        self.unify_sentence_places(&mut mentions);
        let mut drafts: Vec<Draft> = Vec::new();
        let mut last_draft: Option<usize> = None;
        for m in mentions {
            let elaborated =
                last_draft.filter(|&i| m.elaborates && has_span(&drafts[i].spans, m.span) && drafts[i].event_type == m.typing.event_type);
            let target = if elaborated.is_some() {
                elaborated
            } else {
                let published = article.published.map(|p| p.date);
                let compatible: Vec<usize> = (0..drafts.len()).filter(|&i| self.compatible(&m, &drafts[i], published)).collect();
                let same_place = compatible
                    .iter()
                    .copied()
                    .filter(|&i| matches!((&m.place, &drafts[i].place), (Some(a), Some(b)) if places_related(a, b)))
                    .max_by_key(|&i| drafts[i].last_order);
                let vague_target = if !is_vague(&m.place) {
                    compatible.iter().copied().filter(|&i| is_vague(&drafts[i].place)).max_by_key(|&i| drafts[i].last_order)
                } else {
                    compatible.iter().copied().max_by_key(|&i| drafts[i].last_order)
                };
                same_place.or(vague_target)
            };
            match target {
                Some(i) => {
                    self.absorb(&mut drafts[i], m);
                    last_draft = Some(i);
                }
                None => {
                    drafts.push(self.found(m));
                    last_draft = Some(drafts.len() - 1);
                }
            }
        }
        self.doers_from_context(&mut drafts);
        let mut events: Vec<Event> = drafts.into_iter().enumerate().map(|(i, d)| self.finish(article, i, d, cc)).collect();
        events.retain(|e| e.confidence >= self.min_confidence);
        for (i, e) in events.iter_mut().enumerate() {
            e.event_id = format!("{}-{}", article.id, i + 1);
        }
        events
    }

    /// An act whose doer its sentences do not name is done by the doer the article last named
    /// for an act of its sub-type ("Rebels shelled the Midan district ... Another shell killed
    /// two children"), unless that one is its target (corpus/GUIDELINES.md, section 3: an
    /// actor clear from the article's context).
    fn doers_from_context(&self, drafts: &mut [Draft]) {
        for i in 0..drafts.len() {
            if drafts[i].actor1.is_some() {
                continue;
            }
            let target = drafts[i].actor2.as_ref().map(|a| self.side(a.0));
            let earlier = drafts[..i].iter().rev().filter(|d| d.sub_event_type == drafts[i].sub_event_type).find_map(|d| d.actor1.as_ref());
            if let Some((a, _)) = earlier.filter(|(a, _)| target != Some(self.side(*a))) {
                drafts[i].actor1 = Some((*a, String::new()));
            }
        }
    }

    /// Triggers of one type in one sentence tell one event ("ISIS is now in control of 19
    /// checkpoints ..., as the district of Ithreya fell to the group"): they get one place, the
    /// most specific of theirs, a place of an earlier event first. Mentions that one trigger
    /// split over a list of places ("the towns of A and B") keep their own.
    fn unify_sentence_places(&self, mentions: &mut [Mention]) {
        // The places of the mentions before `i`, one per name (`places_related` compares names
        // only), kept up as `i` advances: rebuilt for every sentence, it made extraction
        // quadratic in the text's length (issue 18).
        let mut earlier: Vec<PlaceMention> = Vec::new();
        let mut earlier_names: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut i = 0;
        while i < mentions.len() {
            let mut j = i;
            while j < mentions.len() && mentions[j].span == mentions[i].span {
                j += 1;
            }
            let types: Vec<&str> = mentions[i..j].iter().map(|m| m.typing.event_type.as_str()).collect();
            for ty in types.iter().collect::<std::collections::BTreeSet<_>>() {
                let idx: Vec<usize> = (i..j).filter(|&k| mentions[k].typing.event_type.as_str() == *ty).collect();
                let starts: std::collections::BTreeSet<usize> = idx.iter().map(|&k| mentions[k].typing.start).collect();
                if starts.len() < 2 {
                    continue;
                }
                // Split siblings (one trigger, several places) keep their places.
                let split = |k: usize| idx.iter().filter(|&&o| mentions[o].typing.start == mentions[k].typing.start).count() > 1;
                // So do acts told in their own parts of a clause, each with its place.
                let single: Vec<usize> = idx.iter().copied().filter(|&k| !split(k) && !mentions[k].own_place).collect();
                let candidates: Vec<PlaceMention> = single.iter().filter_map(|&k| mentions[k].place.clone()).collect();
                let specific = |p: &&PlaceMention| !is_vague(&Some((*p).clone()));
                // A place of an earlier event first, then the main (first) trigger's place, then
                // the most specific.
                let best = candidates
                    .iter()
                    .filter(specific)
                    .find(|p| earlier.iter().any(|e| places_related(e, p)))
                    .or_else(|| single.first().and_then(|&k| mentions[k].place.as_ref()).filter(specific))
                    .or_else(|| candidates.iter().filter(specific).min_by_key(|p| p.precision))
                    .or_else(|| candidates.first())
                    .cloned();
                if let Some(b) = best {
                    for k in single {
                        mentions[k].place = Some(b.clone());
                    }
                }
            }
            for m in &mentions[i..j] {
                if let Some(p) = &m.place {
                    if earlier_names.insert(p.name.clone()) {
                        earlier.push(p.clone());
                    }
                }
            }
            i = j;
        }
    }

    fn found(&self, m: Mention) -> Draft {
        let mut d = Draft {
            event_type: m.typing.event_type,
            sub_event_type: m.typing.sub_event_type,
            cameo: m.typing.cameo.clone(),
            territory: false,
            reversed: false,
            reverser: None,
            taker_side: None,
            actor1: None,
            actor2: None,
            place: None,
            place_from_territory: false,
            when: None,
            killed: BTreeMap::new(),
            killed_over_places: BTreeSet::new(),
            injured: BTreeMap::new(),
            spans: Vec::new(),
            triggers: Vec::new(),
            strength: 0.0,
            last_order: 0,
        };
        self.absorb(&mut d, m);
        d
    }

    fn absorb(&self, d: &mut Draft, m: Mention) {
        let t = &m.typing;
        let reverses = t.trigger == "regain";
        if t.territory && t.trigger != "regain" {
            let taker = m.actor1.as_ref().map(|a| self.side(a.0));
            if !d.territory {
                d.territory = true;
                d.taker_side = taker;
                // The taker is actor1 of a territory event.
                if m.actor1.is_some() {
                    let old = [d.actor1.take(), d.actor2.take()];
                    d.actor1 = m.actor1.clone();
                    d.actor2 = m.actor2.clone().or_else(|| old.into_iter().flatten().find(|a| Some(self.side(a.0)) != taker));
                }
                d.cameo = t.cameo.clone();
            }
            if !is_vague(&m.place) && (!d.place_from_territory || d.place.is_none()) {
                d.place = m.place.clone();
                d.place_from_territory = true;
            }
        } else if reverses {
            // The other side took it back: if the same day, no change of control.
            let side = m.actor1.as_ref().map(|a| self.side(a.0));
            if d.territory && side.is_some() && side != d.taker_side {
                d.reversed = true;
                d.reverser = m.actor1.clone();
            } else if !d.territory && t.trigger == "regain" {
                d.territory = true;
                d.taker_side = side;
                d.cameo = t.cameo.clone();
            }
        }
        if d.actor1.is_none() {
            d.actor1 = m.actor1.clone();
            // A mention read as the target by one trigger and as the doer by another ("kills 18
            // in a new bombing by warplanes of the Coalition") is the doer.
            if d.actor1.is_some() && d.actor1.as_ref().map(|a| a.0) == d.actor2.as_ref().map(|a| a.0) {
                d.actor2 = None;
            }
        }
        if d.actor2.is_none() {
            d.actor2 = m.actor2.clone().filter(|a| d.actor1.as_ref().is_none_or(|b| b.0 != a.0));
        }
        if (d.place.is_none() || (is_vague(&d.place) && !is_vague(&m.place))) && m.place.is_some() {
            d.place = m.place.clone();
        }
        let informative = |w: &When| w.date.is_some() || w.weekday.is_some();
        let better = match (&d.when, &m.when) {
            (None, _) => true,
            (Some(old), Some(new)) => {
                (!informative(old) && informative(new)) || (old.precision > 1 && new.precision == 1 && informative(new))
            }
            (Some(_), None) => false,
        };
        if better {
            d.when = m.when.clone();
        }
        for (side, q) in m.killed {
            // A count of this place alone replaces a total over several places, however small.
            let over_places = d.killed_over_places.remove(&side);
            let e = d.killed.entry(side).or_insert(q);
            if q.value > e.value || e.bound == Bound::Unstated || over_places {
                *e = q;
            }
        }
        for (side, q) in m.killed_over_places {
            if !d.killed.contains_key(&side) {
                d.killed.insert(side.clone(), q);
                d.killed_over_places.insert(side);
            }
        }
        for (side, q) in m.injured {
            let e = d.injured.entry(side).or_insert(q);
            if q.value > e.value {
                *e = q;
            }
        }
        if !has_span(&d.spans, m.span) {
            d.spans.push(m.span);
        }
        for sp in m.toll_spans {
            if !d.spans.contains(&sp) {
                d.spans.push(sp);
            }
        }
        if !d.triggers.contains(&t.trigger) {
            d.triggers.push(t.trigger.clone());
        }
        d.strength = d.strength.max(t.strength);
        d.last_order = m.order;
    }

    /// The article's country: what its title and text name (actors.rs: text_country), the
    /// places they name counted when that is not `home`.
    fn article_country(&self, article: &Article) -> String {
        let text = format!("{}\n{}", article.title.as_deref().unwrap_or(""), article.text);
        let cc = self.actors.text_country(&text);
        if cc == self.actors.home {
            return cc;
        }
        let mut names: Vec<String> = Vec::new();
        for p in &article.paragraphs {
            for sent in sentences::split(&article.text, p.byte_start, p.byte_end) {
                let s = &article.text[sent.start..sent.end];
                names.extend(self.places.find_with(s, &[], self.toponyms).into_iter().map(|m| m.name));
            }
        }
        names.sort();
        names.dedup();
        let ccs: Vec<String> = names.iter().filter_map(|n| self.toponyms.toponym_country(n)).collect();
        self.actors.text_country_with_places(&text, &ccs)
    }

    /// The event of a draft; `cc` is the article's country (generic actors are its own).
    fn finish(&self, article: &Article, i: usize, mut d: Draft, cc: &str) -> Event {
        settle_battle_type(&mut d);
        self.crowd_roles(&mut d, cc);
        let significant =
            matches!(d.sub_event_type, SubEventType::SuicideBomb | SubEventType::RemoteExplosiveLandmineIed | SubEventType::AirDroneStrike);
        let (fatalities, bound) = sum_casualties(&d.killed, if significant { 10 } else { 3 });
        let (injured, _) = sum_casualties(&d.injured, 0);
        let evidence = evidence_of(article, &d.spans);
        let location = location_of(&d.place);
        let text: Vec<&str> = evidence.iter().map(|v| v.text.as_str()).collect();
        let actor1 = self.event_actor1(&d, cc, &text);
        let confidence = confidence_of(&d);
        let (event_date, time_precision) = event_date_of(&d, article);
        let actor2 = self.event_actor2(&d, cc, &actor1, &text);
        Event {
            event_id: format!("{}-{}", article.id, i + 1),
            article_id: article.id.clone(),
            event_date,
            weekday: d.when.as_ref().and_then(|w| w.weekday.clone()),
            date_text: d.when.as_ref().map(|w| w.text.clone()),
            time_precision,
            event_type: d.event_type,
            sub_event_type: d.sub_event_type,
            cameo: d.cameo,
            // No one named: the documented default of the sub-type (data/default_actors.toml).
            actor1,
            actor2,
            location,
            location_cue: d.place.as_ref().map(|p| p.kind.clone()),
            location_qualifier: d.place.as_ref().and_then(|p| p.qualifier.clone()),
            latitude: None,
            longitude: None,
            country: None,
            admin1: None,
            admin2: None,
            geo_precision: None,
            geo_id: None,
            geo_alternatives: Vec::new(),
            fatalities,
            fatalities_bound: bound,
            injured: (!d.injured.is_empty()).then_some(injured),
            fatalities_by_actor: d
                .killed
                .iter()
                .filter(|(side, q)| q.bound != Bound::Unstated && side.as_str() != TOTAL)
                .map(|(k, q)| (k.clone(), q.value))
                .collect(),
            territory_change: d.territory && !d.reversed,
            control: d.territory.then(|| {
                let name = |a: &Option<(usize, String)>| self.event_actor(a, cc).map(|x| x.name);
                crate::model::Control {
                    taker: name(&d.actor1),
                    from: name(&d.actor2),
                    reversed_by: d.reversed.then(|| name(&d.reverser)).flatten(),
                }
            }),
            notes: evidence.first().map(|e| e.text.clone()).unwrap_or_default(),
            source: article.source.clone(),
            evidence,
            triggers: d.triggers,
            confidence: (confidence * 100.0).round() / 100.0,
        }
    }

    /// Gives the crowd of a protest or riot its fixed role.
    fn crowd_roles(&self, d: &mut Draft, cc: &str) {
        // The crowd of a protest or riot has its fixed role (data/default_actors.toml, [[crowd]]):
        // "police dispersed protesters" codes the protesters as actor1.
        if let Some((role, crowd)) = self.actors.crowd(d.sub_event_type, cc) {
            let parties = [d.actor1.take(), d.actor2.take()];
            let named_crowd = parties.iter().flatten().find(|(a, _)| self.actors.is_crowd(*a));
            let crowd = (crowd, named_crowd.map(|(_, t)| t.clone()).unwrap_or_default());
            let other = parties.into_iter().flatten().find(|(a, _)| !self.actors.is_crowd(*a));
            (d.actor1, d.actor2) = match role {
                actors::Role::Actor1 => (Some(crowd), other),
                actors::Role::Actor2 => (other, Some(crowd)),
            };
        }
    }

    /// An actor in a role as the event reports it, localized to the article's country `cc`.
    fn event_actor(&self, a: &Option<(usize, String)>, cc: &str) -> Option<EventActor> {
        a.as_ref().map(|(i, text)| {
            let x = &self.actors.actors[self.actors.localize(*i, text, cc)];
            EventActor { name: x.name.clone(), side: x.side, inter: x.inter, text: text.clone() }
        })
    }

    /// The event's actor1: the one named, else the documented default of the sub-type.
    fn event_actor1(&self, d: &Draft, cc: &str, text: &[&str]) -> Option<EventActor> {
        // No one named: the documented default of the sub-type (data/default_actors.toml).
        self.event_actor(&d.actor1, cc).or_else(|| {
            let default = self.actors.default_actor(actors::Role::Actor1, d.sub_event_type, cc, d.actor2.as_ref().map(|a| a.0), text);
            self.event_actor(&default.map(|i| (i, String::new())), cc)
        })
    }

    /// The event's actor2: the one named, else civilians it harmed, else the documented default
    /// of the sub-type and actor1.
    fn event_actor2(&self, d: &Draft, cc: &str, actor1: &Option<EventActor>, text: &[&str]) -> Option<EventActor> {
        let actor = |a: &Option<(usize, String)>| self.event_actor(a, cc);
        // Civilians killed or hurt by a strike, a bomb or an attack that names no target are
        // its actor2 (corpus/GUIDELINES.md, section 3).
        let civilian_victims = d.killed.keys().chain(d.injured.keys()).any(|side| side == "Civilians");
        let actor2 = actor(&d.actor2).or_else(|| {
            let harms_civilians = civilian_victims
                && !matches!(d.event_type, EventType::Battles | EventType::Protests | EventType::Riots | EventType::StrategicDevelopments);
            harms_civilians.then(|| self.actors.instance("Civilians ({name})", cc)).flatten().and_then(|i| actor(&Some((i, String::new()))))
        });
        // Still no one: the documented default of the sub-type and actor1 ("regime forces
        // advance in Latakia": against the rebels).
        actor2.or_else(|| {
            let a1 = actor1.as_ref().and_then(|a| self.actors.index_of(&a.name));
            let default = self.actors.default_actor(actors::Role::Actor2, d.sub_event_type, cc, a1, text);
            actor(&default.map(|i| (i, String::new())))
        })
    }
}

/// Sets a battle's sub-type: a change of territory by its taker's side, else an armed clash.
fn settle_battle_type(d: &mut Draft) {
    if d.event_type == EventType::Battles {
        d.sub_event_type = if d.territory && !d.reversed {
            match d.taker_side {
                Some(Side::Government | Side::State(_)) => SubEventType::GovernmentRegainsTerritory,
                _ => SubEventType::NonStateActorOvertakesTerritory,
            }
        } else {
            if !d.territory || d.reversed {
                d.cameo = "190".to_string();
            }
            SubEventType::ArmedClash
        };
    }
}

/// The evidence of an event: its sentences (byte ranges of the article text) with their
/// character offsets and words.
fn evidence_of(article: &Article, spans: &[(usize, usize)]) -> Vec<Evidence> {
    let bytes: Vec<usize> = spans.iter().flat_map(|&(a, b)| [a, b]).collect();
    let chars = char_offsets(&article.text, &bytes);
    spans
        .iter()
        .enumerate()
        .map(|(k, &(a, b))| Evidence {
            start: chars[2 * k],
            end: chars[2 * k + 1],
            byte_start: a,
            byte_end: b,
            text: article.text[a..b].to_string(),
        })
        .collect()
}

/// The location's name: a place's, with its qualifier when that is a compass part of it
/// ("western Aleppo").
fn location_of(place: &Option<PlaceMention>) -> Option<String> {
    place.as_ref().map(|p| match &p.qualifier {
        Some(q)
            if matches!(q.to_ascii_lowercase().as_str(), "western" | "eastern" | "northern" | "southern" | "central")
                && p.kind != "relative" =>
        {
            format!("{q} {}", p.name)
        }
        _ => p.name.clone(),
    })
}

/// An event's confidence before rounding: its typer's strength times how fully the text pins
/// it down ([`DEFAULT_MIN_CONFIDENCE`]).
fn confidence_of(d: &Draft) -> f32 {
    let has = |b: bool| if b { 1.0 } else { 0.0 };
    (d.strength
        * (0.4
            + 0.3 * has(d.place.is_some())
            + 0.1 * has(d.when.is_some())
            + 0.15 * has(d.actor1.is_some())
            + 0.05 * has(d.actor2.is_some())))
    .min(1.0)
}

/// An event's date and time precision: its own, else the publication day at week precision.
fn event_date_of(d: &Draft, article: &Article) -> (Option<NaiveDate>, u8) {
    // A report that names no time tells the news of its day (ACLED codes the report's
    // date): the publication day, at week precision, as the text does not fix the day.
    match (&d.when, article.published) {
        (Some(w), _) => (w.date, w.precision),
        (None, Some(p)) => (Some(p.date), 2),
        (None, None) => (None, 3),
    }
}

/// The side key of a bare casualty count ("31 dead"): a total, not one side's dead.
const TOTAL: &str = "total";

/// Deaths (or injuries) of an event: the largest figure per side, summed over sides. A death
/// reported with no figure counts `unstated` (ACLED: 10 for a significant attack, 3 otherwise).
fn sum_casualties(by_side: &BTreeMap<String, Quantity>, unstated: u32) -> (u32, FatalityBound) {
    if by_side.is_empty() {
        return (0, FatalityBound::None);
    }
    let stated: Vec<&Quantity> = by_side.values().filter(|q| q.bound != Bound::Unstated).collect();
    if stated.is_empty() {
        return (unstated, FatalityBound::Unstated);
    }
    // The sides' victims add up ("27 civilians as well as 41 combatants"): victims of no named
    // side in the very number of a named side's are those told again ("31 people" beside "31
    // combatants"). A bare count ("31 dead", "the death toll rose to 25", "an earlier toll of
    // 15") is a total told again, of the same dead: the larger figure stands.
    let stated_of = |side: &str| by_side.get(side).filter(|q| q.bound != Bound::Unstated).map(|q| q.value);
    let named: Vec<u32> = by_side
        .iter()
        .filter(|(side, q)| !matches!(side.as_str(), "unknown" | TOTAL) && q.bound != Bound::Unstated)
        .map(|(_, q)| q.value)
        .collect();
    let unnamed = stated_of("unknown").unwrap_or(0);
    let parts = named.iter().sum::<u32>() + if named.contains(&unnamed) { 0 } else { unnamed };
    let total = parts.max(stated_of(TOTAL).unwrap_or(0));
    let bound = if stated.iter().any(|q| q.bound == Bound::AtLeast) {
        FatalityBound::AtLeast
    } else if stated.iter().any(|q| q.bound == Bound::About) {
        FatalityBound::About
    } else if stated.iter().any(|q| q.bound == Bound::AtMost) {
        FatalityBound::AtMost
    } else {
        FatalityBound::Exact
    };
    (total, bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_other_than_latin() {
        assert!(mostly_latin("Regime forces shelled Kafr Zita on Monday."));
        assert!(mostly_latin("Les forces du régime ont bombardé Kafr Zita."));
        assert!(!mostly_latin("Аккаунт: @sunday_woman"));
        assert!(!mostly_latin("قصف النظام بلدة كفرزيتا"));
    }
}
