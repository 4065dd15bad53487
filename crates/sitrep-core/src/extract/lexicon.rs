//! The event lexicon (`data/events.toml`): triggers that report events, and the cues that
//! make a sentence not a report of something that happened.

use crate::model::{EventType, SubEventType};
use regex::Regex;
use serde::Deserialize;
use std::sync::LazyLock;

const EVENTS_TOML: &str = include_str!("../../data/events.toml");

#[derive(Debug, Deserialize)]
struct TriggerSpec {
    name: String,
    pattern: String,
    event_type: EventType,
    sub_event_type: SubEventType,
    cameo: String,
    #[serde(default)]
    territory: bool,
    requires: Option<String>,
    #[serde(default)]
    passive: bool,
    #[serde(default)]
    yields: bool,
    #[serde(default)]
    defer: bool,
    strength: f32,
}

#[derive(Debug, Deserialize)]
struct NonEventSpec {
    window: usize,
    support_window: usize,
    intent: Vec<String>,
    negation: Vec<String>,
    conditional: Vec<String>,
    support: Vec<String>,
    background: Vec<String>,
    #[serde(default)]
    caption: Vec<String>,
    #[serde(default)]
    allegation: Vec<String>,
    #[serde(default)]
    other_senses: Vec<String>,
    #[serde(default)]
    crime: Vec<String>,
    #[serde(default)]
    crime_types: Vec<SubEventType>,
    #[serde(default)]
    crime_armed_inter: Vec<u8>,
    history_years: Option<i32>,
    #[serde(default)]
    background_days: Option<i64>,
    war_page_sentences: Option<usize>,
    headline_run: Option<HeadlineRun>,
    #[serde(default)]
    title_joiners: Vec<String>,
    #[serde(default)]
    title_nouns: Vec<String>,
    report_verbs: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
struct RolesSpec {
    #[serde(default)]
    action_words: Vec<String>,
    #[serde(default)]
    act_nouns: Vec<String>,
    #[serde(default)]
    means_nouns: Vec<String>,
    #[serde(default)]
    mediation: Vec<String>,
    #[serde(default)]
    informants: Vec<String>,
    #[serde(default)]
    holdings: Vec<String>,
    #[serde(default)]
    victim_leads: Vec<String>,
}

/// `[nonevent] headline_run`: how long and how capitalised a sentence must be to be a run of
/// headlines.
#[derive(Debug, Clone, Copy, Deserialize)]
struct HeadlineRun {
    /// Words of four letters or more at least.
    words: usize,
    /// The share of them written with a capital (or a digit) at least.
    share: f32,
}

#[derive(Debug, Deserialize)]
struct File {
    version: u32,
    /// Named regexes that triggers refer to as `"@name"` (`[patterns]`).
    #[serde(default)]
    patterns: std::collections::BTreeMap<String, String>,
    trigger: Vec<TriggerSpec>,
    nonevent: NonEventSpec,
    #[serde(default)]
    roles: RolesSpec,
    #[serde(default)]
    means: MeansSpec,
}

#[derive(Debug, Default, Deserialize)]
struct MeansSpec {
    #[serde(default)]
    air: Vec<String>,
    #[serde(default)]
    ground: Vec<String>,
}

/// How a strike was delivered, as its clause tells it (`[means]` of `data/events.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Means {
    /// From the air: warplanes, helicopters, drones, barrel bombs.
    Air,
    /// From the ground: artillery, mortars, rockets, tanks.
    Ground,
}

/// One trigger of the lexicon.
#[derive(Debug)]
pub struct Trigger {
    pub name: String,
    pub regex: Regex,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub cameo: String,
    pub territory: bool,
    pub requires: Option<Regex>,
    pub passive: bool,
    /// Its subject gives the place up ("withdrew from", "handed over"): the other party takes it.
    pub yields: bool,
    pub defer: bool,
    pub strength: f32,
}

/// A trigger found in a sentence (byte range in the sentence).
#[derive(Debug, Clone, Copy)]
pub struct TriggerHit<'a> {
    pub trigger: &'a Trigger,
    pub start: usize,
    pub end: usize,
}

/// Why a trigger does not report an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonEvent {
    Intent,
    Negation,
    Conditional,
    Support,
    Background,
    Question,
    /// A photo caption run into the text ("In this photo taken on June 8 ... (AP photo)").
    Caption,
    /// What one side accuses another of ("accused the regime of using barrel bombs").
    Allegation,
    /// A word of war in another sense ("a heart attack", "attacked each other's policies").
    OtherSense,
    /// Ordinary crime and its policing ("arrested for violating an order of protection"):
    /// not political violence.
    Crime,
    /// A word of the capitalised name of a work ("Attack on Titan", "Final Battle 2").
    Title,
    /// A run of headlines (a related-stories list run into the text: nearly every word
    /// capitalised), not prose.
    Headlines,
}

/// The compiled lexicon.
#[derive(Debug)]
pub struct Lexicon {
    pub triggers: Vec<Trigger>,
    /// All trigger patterns at once: one pass tells which triggers to look for.
    any: regex::RegexSet,
    window: usize,
    support_window: usize,
    intent: Regex,
    negation: Regex,
    conditional: Regex,
    support: Regex,
    background: Regex,
    caption: Option<Regex>,
    allegation: Option<Regex>,
    /// `[nonevent] other_senses`: a trigger inside one of their matches is no act.
    other_senses: Option<Regex>,
    /// `[nonevent] crime`: a sentence about ordinary crime reports no event.
    crime: Option<Regex>,
    /// `[nonevent] title_joiners`, lower-cased: the small words inside a name of a work.
    title_joiners: Vec<String>,
    /// `[nonevent] title_nouns`, lower-cased: words for a work before its name.
    title_nouns: Vec<String>,
    /// `[nonevent] crime_types`: the sub-event types ordinary crime resembles.
    pub crime_types: Vec<SubEventType>,
    /// `[nonevent] crime_armed_inter`: the interaction codes of armed groups.
    pub crime_armed_inter: Vec<u8>,
    /// `[nonevent] history_years`: how old a year named before makes the sentences after it history.
    pub history_years: Option<i32>,
    /// `[nonevent] background_days`: how many days before publication a date the sentence
    /// gives makes its act background.
    pub background_days: Option<i64>,
    /// `[nonevent] war_page_sentences`: how long a page with no act of war the lexicon knows
    /// must be for the learned typer's guesses without an act word to be dropped.
    pub war_page_sentences: Option<usize>,
    headline_run: Option<HeadlineRun>,
    pub report_verbs: Regex,
    /// Words that tell an act ("killed", "shelled", "clashes"): where a sentence typed as a
    /// whole (the learned typer) tells its event, for the roles of the words around it.
    action_words: Option<Regex>,
    /// `[roles] act_nouns`, anchored at the start of the text they are tried on.
    act_nouns: Option<Regex>,
    /// `[roles] means_nouns` in a by-phrase before an owner, anchored at the text's end.
    by_means: Option<Regex>,
    /// `[roles] mediation`, anchored at the end of the text before an actor's name.
    mediation: Option<Regex>,
    /// `[roles] informants`, anchored at the end of the text before an actor's name.
    informants: Option<Regex>,
    /// `[roles] holdings`, anchored at the start of the text after an actor's name.
    holdings: Option<Regex>,
    /// `[roles] victim_leads`, anchored at the end of the text before an actor's name.
    victim_leads: Option<Regex>,
    /// `[means] air` and `[means] ground`.
    means: Option<(Regex, Regex)>,
}

/// Prepares a data file's pattern for speed and for scraped text: a space matches any
/// whitespace (no-break spaces are common), and `\w` and `\b` are their ASCII forms, which
/// keep the regex engine on its fast DFA (Unicode word boundaries cannot run on the DFA once
/// a sentence holds a curly quote). Names with non-ASCII letters are still matched by the
/// patterns that list those letters.
pub(crate) fn spaces(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 16);
    let mut in_class = false;
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('w') if in_class => out.push_str("A-Za-z0-9_"),
                Some('w') => out.push_str("[A-Za-z0-9_]"),
                Some('b') if !in_class => out.push_str("(?-u:\\b)"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A leading ']' or '^]' is literal.
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().expect("peeked"));
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next().expect("peeked"));
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            ' ' => out.push_str(if in_class { " " } else { r"\s" }),
            _ => out.push(c),
        }
    }
    out
}

/// Whether a sentence is a run of headlines: at least `h.words` words of four letters or
/// more, a share `h.share` of them capitalised or numbers ("Related Kobani in Ruins After
/// Anti-IS Airstrikes Syrian Government Airstrikes Against IS Kill 36 Civilians ...").
fn is_headline_run(s: &str, h: HeadlineRun) -> bool {
    let words: Vec<&str> = s
        .split_whitespace()
        .map(|w| w.trim_start_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).count() >= 4)
        .collect();
    if words.len() < h.words {
        return false;
    }
    let capital = words.iter().filter(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())).count();
    capital as f32 >= h.share * words.len() as f32
}

/// The phrases `phrases` (regex alternatives), with an optional article and then `tail`, at
/// the very end of the text tried (the words right before an actor's name); `None` for no
/// phrases.
fn ending_before(phrases: &[String], tail: &str) -> Result<Option<Regex>, String> {
    if phrases.is_empty() {
        return Ok(None);
    }
    let m = phrases.join("|");
    Regex::new(&spaces(&format!(r"(?i)\b(?:{m})(?: the| a| an)?{tail}$"))).map(Some).map_err(|e| e.to_string())
}

/// The phrases `phrases` (regex alternatives) at the very start of the text tried (the words
/// right after an actor's name, spaces first); `None` for no phrases.
fn starting_after(phrases: &[String]) -> Result<Option<Regex>, String> {
    if phrases.is_empty() {
        return Ok(None);
    }
    let m = phrases.join("|");
    Regex::new(&spaces(&format!(r"(?i)^\s*(?:{m})\b"))).map(Some).map_err(|e| e.to_string())
}

/// A trigger's regex text: `"@name"` is the pattern of that name in `[patterns]`, anything
/// else the regex itself.
fn named<'a>(patterns: &'a std::collections::BTreeMap<String, String>, text: &'a str) -> Result<&'a str, String> {
    match text.strip_prefix('@') {
        Some(name) => patterns.get(name).map(String::as_str).ok_or_else(|| format!("no pattern named {name:?} in [patterns]")),
        None => Ok(text),
    }
}

fn alternation(words: &[String]) -> Result<Regex, String> {
    Regex::new(&spaces(&format!(r"(?i)\b(?:{})\b", words.join("|")))).map_err(|e| e.to_string())
}

impl Lexicon {
    pub fn parse(toml_text: &str) -> Result<Self, String> {
        let f: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        if f.version != 1 {
            return Err(format!("unsupported event lexicon version {}", f.version));
        }
        let triggers = f
            .trigger
            .into_iter()
            .map(|t| {
                let regex = Regex::new(&spaces(&format!("(?i){}", t.pattern))).map_err(|e| format!("trigger {}: {e}", t.name))?;
                let requires = t
                    .requires
                    .map(|r| {
                        let r = named(&f.patterns, &r).map_err(|e| format!("trigger {}: {e}", t.name))?;
                        Regex::new(&spaces(&format!("(?i){r}"))).map_err(|e| format!("trigger {}: {e}", t.name))
                    })
                    .transpose()?;
                Ok(Trigger {
                    name: t.name,
                    regex,
                    event_type: t.event_type,
                    sub_event_type: t.sub_event_type,
                    cameo: t.cameo,
                    territory: t.territory,
                    requires,
                    passive: t.passive,
                    yields: t.yields,
                    defer: t.defer,
                    strength: t.strength,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let n = f.nonevent;
        let any = regex::RegexSet::new(triggers.iter().map(|t| t.regex.as_str())).map_err(|e| e.to_string())?;
        Ok(Lexicon {
            any,
            triggers,
            window: n.window,
            support_window: n.support_window,
            intent: alternation(&n.intent)?,
            negation: alternation(&n.negation)?,
            conditional: alternation(&n.conditional)?,
            support: alternation(&n.support)?,
            background: Regex::new(&spaces(&format!("(?i)(?:{})", n.background.join("|")))).map_err(|e| e.to_string())?,
            caption: if n.caption.is_empty() {
                None
            } else {
                Some(Regex::new(&spaces(&format!("(?i)(?:{})", n.caption.join("|")))).map_err(|e| e.to_string())?)
            },
            allegation: if n.allegation.is_empty() { None } else { Some(alternation(&n.allegation)?) },
            other_senses: if n.other_senses.is_empty() { None } else { Some(alternation(&n.other_senses)?) },
            crime: if n.crime.is_empty() { None } else { Some(alternation(&n.crime)?) },
            title_joiners: n.title_joiners.iter().map(|w| w.to_lowercase()).collect(),
            title_nouns: n.title_nouns.iter().map(|w| w.to_lowercase()).collect(),
            crime_types: n.crime_types,
            crime_armed_inter: n.crime_armed_inter,
            history_years: n.history_years,
            background_days: n.background_days,
            war_page_sentences: n.war_page_sentences,
            headline_run: n.headline_run,
            report_verbs: alternation(&n.report_verbs)?,
            action_words: if f.roles.action_words.is_empty() { None } else { Some(alternation(&f.roles.action_words)?) },
            by_means: if f.roles.means_nouns.is_empty() {
                None
            } else {
                let means = f.roles.means_nouns.join("|");
                Some(
                    Regex::new(&spaces(&format!(
                        r"(?i)\bby (?:the |a |an |their |its )?(?:[a-z-]+ ){{0,2}}(?:{means}) (?:of|belonging to|from|loyal to)(?: the)?$"
                    )))
                    .map_err(|e| e.to_string())?,
                )
            },
            means: if f.means.air.is_empty() || f.means.ground.is_empty() {
                None
            } else {
                Some((alternation(&f.means.air)?, alternation(&f.means.ground)?))
            },
            mediation: ending_before(&f.roles.mediation, "")?,
            // Up to three names of the informant's place or kind may come between ("a source at
            // the Aleppo Police Command", "a channel run by Lebanese group Hezbollah").
            informants: ending_before(&f.roles.informants, r"(?: (?-i:[A-Z])[\w'’-]*| group| movement| party| militia){0,3}")?,
            victim_leads: ending_before(&f.roles.victim_leads, "")?,
            holdings: starting_after(&f.roles.holdings)?,
            act_nouns: if f.roles.act_nouns.is_empty() {
                None
            } else {
                Some(Regex::new(&spaces(&format!(r"(?i)^(?:{})\b", f.roles.act_nouns.join("|")))).map_err(|e| e.to_string())?)
            },
        })
    }

    /// The first word of `s` that tells an act (`[roles] action_words`), as a byte range.
    /// Every act word of a sentence (`[roles] action_words`), left to right.
    pub fn action_words_in<'s>(&'s self, s: &'s str) -> impl Iterator<Item = (usize, usize)> + 's {
        self.action_words.iter().flat_map(move |re| re.find_iter(s).map(|m| (m.start(), m.end())))
    }

    pub fn action_word(&self, s: &str) -> Option<(usize, usize)> {
        self.action_words.as_ref()?.find(s).map(|m| (m.start(), m.end()))
    }

    /// Whether the actor named at `start..end` of `s` is named as the doer of an act: its
    /// name ends with an act noun or one follows it ("terrorist attacks", "an ISIS ambush",
    /// "regime shelling", `[roles] act_nouns`).
    pub fn names_act(&self, s: &str, start: usize, end: usize) -> bool {
        let Some(re) = &self.act_nouns else { return false };
        let name = &s[start..end];
        let last = name.rfind(char::is_whitespace).map_or(name, |i| &name[i + 1..]);
        let after = s[end..].trim_start();
        let after =
            after.strip_prefix("-led ").or_else(|| after.strip_prefix("’s ")).or_else(|| after.strip_prefix("'s ")).unwrap_or(after);
        (last.len() < name.len() && re.is_match(last))
            || (s[end..].starts_with(char::is_whitespace) || after.len() < s[end..].len()) && re.is_match(after)
    }

    /// How the strike a clause tells was delivered, when it names means of one kind only
    /// ("aerial bombardment", "Turkish artillery struck", "a drone fired two missiles").
    pub fn means(&self, clause: &str) -> Option<Means> {
        let (air, ground) = self.means.as_ref()?;
        match (air.is_match(clause), ground.is_match(clause)) {
            (true, false) => Some(Means::Air),
            (false, true) => Some(Means::Ground),
            _ => None,
        }
    }

    /// Whether the actor named at `pos` of `s` only tells of the act: an informant inside it
    /// ("a source at the Aleppo Police Command told SANA", "according to the army": `[roles]
    /// informants`), no party to it.
    pub fn informs(&self, s: &str, pos: usize) -> bool {
        self.informants.as_ref().is_some_and(|re| re.is_match(s[..pos].trim_end()))
    }

    /// Whether the actor named in `s` before `end` is named as the one holding a place ("the
    /// rebel-held town", "opposition areas", "regime territory": `[roles] holdings`).
    pub fn holds_place(&self, s: &str, end: usize) -> bool {
        self.holdings.as_ref().is_some_and(|re| re.is_match(&s[end..]))
    }

    /// Whether the actor named at `pos` of `s` is named as the one who suffered ("losses among
    /// the rebels", "in the ranks of the regime forces": `[roles] victim_leads`).
    pub fn names_victims(&self, s: &str, pos: usize) -> bool {
        self.victim_leads.as_ref().is_some_and(|re| re.is_match(s[..pos].trim_end()))
    }

    /// Whether the actor named at `pos` is named as a go-between ("a swap mediated by Qatar
    /// and Iran", "talks hosted by Turkey": `[roles] mediation`): no party to the act. The
    /// other names of a list after the phrase are go-betweens too.
    pub fn mediates(&self, s: &str, pos: usize) -> bool {
        let Some(re) = &self.mediation else { return false };
        let before = s[..pos].trim_end();
        // (The names before it in a list: "mediated by Qatar and" Iran.)
        let mut head = before;
        for _ in 0..3 {
            if re.is_match(head) {
                return true;
            }
            let cut = head.strip_suffix(" and").or_else(|| head.strip_suffix(','));
            match cut {
                Some(h) => match h.trim_end().rfind(char::is_whitespace) {
                    Some(i) => head = h[..i].trim_end(),
                    None => return false,
                },
                None => return false,
            }
        }
        false
    }

    /// Whether `before` (the text before an actor's name) ends with a by-phrase naming the
    /// means of an act the actor owns ("by warplanes of the", `[roles] means_nouns`).
    pub fn by_means(&self, before: &str) -> bool {
        self.by_means.as_ref().is_some_and(|re| re.is_match(before))
    }

    pub fn builtin() -> &'static Lexicon {
        static L: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(EVENTS_TOML).expect("embedded data/events.toml is valid"));
        &L
    }

    /// Triggers in a sentence, left to right, without overlaps (the earlier trigger in the
    /// file wins an overlap).
    pub fn triggers_in<'a>(&'a self, s: &str) -> Vec<TriggerHit<'a>> {
        let mut hits: Vec<TriggerHit<'a>> = Vec::new();
        let present = self.any.matches(s);
        if !present.matched_any() {
            return hits;
        }
        for t in present.iter().map(|i| &self.triggers[i]) {
            for m in t.regex.find_iter(s) {
                if hits.iter().any(|h| m.start() < h.end && m.end() > h.start) {
                    continue;
                }
                if let Some(req) = &t.requires {
                    if !req.is_match(&s[clause_bounds(s, m.start()).0..clause_bounds(s, m.end()).1]) {
                        continue;
                    }
                }
                hits.push(TriggerHit { trigger: t, start: m.start(), end: m.end() });
            }
        }
        hits.sort_by_key(|h| h.start);
        hits
    }

    /// The triggers of a sentence that report events: non-events dropped, then deferring
    /// triggers dropped where a more specific trigger of another type remains.
    pub fn events_in<'a>(&'a self, s: &str) -> Vec<TriggerHit<'a>> {
        let mut hits = self.triggers_in(s);
        if hits.is_empty() {
            return hits;
        }
        // Whole-sentence reasons once, then each trigger's own.
        if self.sentence_non_event(s).is_some() {
            return Vec::new();
        }
        hits.retain(|h| self.clause_non_event(s, h.start).is_none());
        let specific: Vec<(&str, &str)> =
            hits.iter().filter(|h| !h.trigger.defer).map(|h| (h.trigger.event_type.as_str(), h.trigger.sub_event_type.as_str())).collect();
        hits.retain(|h| {
            !h.trigger.defer || !specific.iter().any(|t| *t != (h.trigger.event_type.as_str(), h.trigger.sub_event_type.as_str()))
        });
        hits
    }

    /// Whether the trigger at `start` in sentence `s` does not report an event, and why.
    pub fn non_event(&self, s: &str, start: usize) -> Option<NonEvent> {
        self.sentence_non_event(s).or_else(|| self.clause_non_event(s, start))
    }

    /// Where the words that bear on the trigger at `pos` begin: its clause's start, or past a
    /// support phrase before it ("Backed by Russian air strikes, the army attacked ...": the
    /// air strikes are the army's support, not the act).
    pub fn context_start(&self, s: &str, pos: usize) -> usize {
        let (start, _) = clause_bounds(s, pos);
        match self.support.find_iter(&s[start..pos]).last() {
            Some(m) => {
                let after = start + m.end();
                s[after..pos].find(',').map_or(after, |c| after + c + 1)
            }
            None => start,
        }
    }

    /// Whether the words right before `pos` are a support phrase ("backed by", "with the
    /// help of"): what is named at `pos` backs another actor.
    pub fn supports(&self, s: &str, pos: usize) -> bool {
        let before = s[..pos].trim_end();
        let before = before.strip_suffix(" the").unwrap_or(before);
        self.support.find_iter(last_words(before, 5)).last().is_some_and(|m| m.end() == last_words(before, 5).len())
    }

    /// Reasons that concern the whole sentence: a question, a background sentence.
    fn sentence_non_event(&self, s: &str) -> Option<NonEvent> {
        if s.trim_end().trim_end_matches(['"', '”', '’', '\'']).ends_with('?') {
            return Some(NonEvent::Question);
        }
        if self.caption.as_ref().is_some_and(|c| c.is_match(s)) {
            return Some(NonEvent::Caption);
        }
        if self.background.is_match(s) {
            return Some(NonEvent::Background);
        }
        if self.crime.as_ref().is_some_and(|c| c.is_match(s)) {
            return Some(NonEvent::Crime);
        }
        if self.headline_run.is_some_and(|h| is_headline_run(s, h)) {
            return Some(NonEvent::Headlines);
        }
        None
    }

    /// Whether a text tells of ordinary crime (`[nonevent] crime`): a page that does is a
    /// crime story.
    pub fn tells_crime(&self, text: &str) -> bool {
        self.crime.as_ref().is_some_and(|c| c.is_match(text))
    }

    /// Whether the word at `start` is a word of the capitalised name of a work: it is
    /// capitalised, not its sentence's first word nor a quote's, and it belongs to a run of
    /// two or more capitalised words (or numbers) joined only by `[nonevent] title_joiners`
    /// ("Attack on Titan", "Final Battle 2", "Rise of the Rebels").
    fn in_title(&self, s: &str, start: usize) -> bool {
        if self.title_joiners.is_empty() || !s[start..].starts_with(|c: char| c.is_uppercase()) {
            return false;
        }
        let before = s[..start].trim_end();
        // A sentence's or a clause's start capitalises any word.
        if before.is_empty() || before.ends_with(['.', ';', '—', '–', '!', '?']) {
            return false;
        }
        let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
        let capital = |w: &str| bare(w).starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
        let joiner = |w: &str| !capital(w) && self.title_joiners.contains(&bare(w).to_lowercase());
        // Punctuation that ends a name.
        let ends = |w: &str| w.ends_with([',', '.', ';', ':', '!', '?', ')', '"', '”', '’']);
        // The run of the name: capitalised words (and numbers) through small words.
        let back: Vec<&str> = before.split_whitespace().rev().collect();
        let mut first_back = 0; // how many words before the trigger word belong to the run
        let mut capitals = 1;
        for (i, w) in back.iter().enumerate() {
            if ends(w) {
                break;
            }
            if capital(w) {
                capitals += 1;
                first_back = i + 1;
            } else if !joiner(w) {
                break;
            }
        }
        // (A label before a stop or colon, "title:", is no word for a work.)
        let word_before = back.get(first_back).filter(|w| !ends(w)).map(|w| bare(w).to_lowercase()).unwrap_or_default();
        let mut next = "";
        let mut after = s[start..].split_whitespace();
        let own = after.next().unwrap_or("");
        // A sequel's number right after the trigger word ends the name ("Final Battle 2,").
        let sequel = {
            let n = s[start..].split_whitespace().nth(1).unwrap_or("");
            let b = bare(n);
            let number =
                (!b.is_empty() && b.len() <= 2 && b.chars().all(|c| c.is_ascii_digit())) || matches!(b.as_str(), "II" | "III" | "IV");
            // (A count ends a headline's clause with a stop: "Attacks Kill 50.")
            number && !ends(own) && n.ends_with([',', ':', ')'])
        };
        let mut last = own;
        if !ends(own) {
            for w in after.by_ref() {
                if capital(w) {
                    capitals += 1;
                    last = w;
                    if ends(w) {
                        break;
                    }
                } else if !joiner(w) || ends(w) {
                    break;
                }
            }
        }
        if ends(last) {
            next = after.next().unwrap_or("");
        }
        if capitals < 2 {
            return false;
        }
        // What marks the run as a name of a work: a subtitle after a colon ("Attack on Titan:
        // Final Battle 2"), a sequel's number ("Final Battle 2"), or a word for a work before
        // it ("the game Attack on Titan").
        let subtitle = last.ends_with(':') && capital(next);
        subtitle || sequel || self.title_nouns.contains(&word_before)
    }

    /// Reasons that concern the trigger at `start`: cues before it in its clause.
    fn clause_non_event(&self, s: &str, start: usize) -> Option<NonEvent> {
        if self.other_senses.as_ref().is_some_and(|re| re.find_iter(s).any(|m| m.start() <= start && start < m.end())) {
            return Some(NonEvent::OtherSense);
        }
        if self.in_title(s, start) {
            return Some(NonEvent::Title);
        }
        let (clause_start, _) = clause_bounds(s, start);
        let before = &s[clause_start..start];
        let window = last_words(before, self.window);
        // The cue may end in the trigger itself ("to attack").
        let trigger_end = s[start..].find(char::is_whitespace).map_or(s.len(), |e| start + e);
        let with_trigger = &s[start - window.len()..trigger_end];
        if self.intent.is_match(with_trigger) {
            return Some(NonEvent::Intent);
        }
        // An accusation with a day ("accused government forces of killing 1,000 civilians with
        // poison gas on Wednesday") tells a dated event; without one, a charge or a habit.
        if self.allegation.as_ref().is_some_and(|a| a.is_match(with_trigger)) && crate::extract::when::find(s, None).is_empty() {
            return Some(NonEvent::Allegation);
        }
        if self.negation.is_match(window) {
            return Some(NonEvent::Negation);
        }
        if self.conditional.is_match(&s[..start]) {
            return Some(NonEvent::Conditional);
        }
        if self.support.is_match(last_words(before, self.support_window)) {
            return Some(NonEvent::Support);
        }
        None
    }
}

/// The last `n` words of `s`.
fn last_words(s: &str, n: usize) -> &str {
    let mut count = 0;
    let mut in_word = false;
    for (i, c) in s.char_indices().rev() {
        if c.is_whitespace() {
            if in_word {
                count += 1;
                if count == n {
                    return &s[i..];
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    s
}

/// The clause around byte `pos`: bounded by ; : – — and ", but".
pub fn clause_bounds(s: &str, pos: usize) -> (usize, usize) {
    static BREAK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[;:]|\s[–—]\s|,\s*but(?-u:\b)|\.\s").expect("valid"));
    let mut start = 0;
    let mut end = s.len();
    for m in BREAK.find_iter(s) {
        if m.end() <= pos {
            start = m.end();
        } else if m.start() >= pos {
            end = m.start();
            break;
        }
    }
    (start, end)
}

/// The part of a trigger's clause that is its own where the clause tells several acts joined
/// by "and" ("Airstrikes target Deir Ezzor and shelling targets Aleppo", "Shelling on Sahl
/// al-Ghab and clashes in the east of Hama"): from the last "and" between the trigger before it
/// and this one, to the first "and" between this one and the trigger after it. `others` are
/// the (start, end) of the sentence's other triggers; with none in the clause, or no "and"
/// between them, the clause itself. The caller falls back to the whole clause where the part
/// names nothing ("clashes and shelling in Daraa": the clashes' part has no place). An "and"
/// right before a name in `names` (the starts of the sentence's place names) joins a list
/// ("the valleys of az-Zamrani and Martiba"), not two acts; so does one between two of
/// `parties` (the spans of the sentence's actors: "the pro-regime forces and allied
/// militias").
pub fn own_part(
    s: &str,
    others: &[(usize, usize)],
    t: (usize, usize),
    clause: (usize, usize),
    names: &[usize],
    parties: &[(usize, usize)],
) -> (usize, usize) {
    static AND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i),?\s+(?:and|while|as well as)\s+").expect("valid"));
    let (cs, ce) = clause;
    // The "and" opens the second act: at most a doer's few words between it and that act's
    // trigger, and no comma ("rockets and heavy artillery shells, bombing army positions"
    // lists weapons).
    let joins_acts = |m: &regex::Match<'_>, at: usize, act: usize| {
        let (before, after) = (at + m.start(), at + m.end());
        let listed = parties.iter().any(|p| p.1 == before) && parties.iter().any(|p| p.0 == after);
        let gap = s.get(after..act).unwrap_or("");
        !names.contains(&after) && !listed && !gap.contains(',') && gap.split_whitespace().count() <= 4
    };
    let prev = others.iter().filter(|o| o.1 <= t.0 && o.0 >= cs).map(|o| o.1).max();
    let next = others.iter().filter(|o| o.0 >= t.1 && o.1 <= ce).map(|o| o.0).min();
    let start = prev.and_then(|p| AND.find_iter(&s[p..t.0]).filter(|m| joins_acts(m, p, t.0)).last().map(|m| p + m.end())).unwrap_or(cs);
    let end = next.and_then(|n| AND.find_iter(&s[t.1..n]).find(|m| joins_acts(m, t.1, n)).map(|m| t.1 + m.start())).unwrap_or(ce);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(s: &str) -> Option<(String, Option<NonEvent>)> {
        let l = Lexicon::builtin();
        let h = l.triggers_in(s).into_iter().next()?;
        Some((h.trigger.name.clone(), l.non_event(s, h.start)))
    }

    #[test]
    fn each_act_of_a_clause_has_its_own_part() {
        let s = "Airstrikes target the east of Deir Ezzor and shelling targets the west of Aleppo";
        let air = (0, 10);
        let shell = (s.find("shelling").unwrap(), s.find("shelling").unwrap() + 8);
        let clause = clause_bounds(s, 0);
        let (a, b) = own_part(s, &[shell], air, clause, &[], &[]);
        assert_eq!(&s[a..b], "Airstrikes target the east of Deir Ezzor");
        let (a, b) = own_part(s, &[air], shell, clause, &[], &[]);
        assert_eq!(&s[a..b], "shelling targets the west of Aleppo");
        // One act alone, or acts with no "and" between them: the whole clause.
        assert_eq!(own_part(s, &[], air, clause, &[], &[]), clause);
        // An "and" before a place name lists places, it does not join acts.
        let s3 = "Rebels attacked the valleys of Zamrani and Martiba, and clashes broke out";
        let martiba = s3.find("Martiba").unwrap();
        let clashes = (s3.find("clashes").unwrap(), s3.find("clashes").unwrap() + 7);
        let (a, b) = own_part(s3, &[clashes], (7, 15), clause_bounds(s3, 7), &[martiba], &[]);
        assert_eq!(&s3[a..b], "Rebels attacked the valleys of Zamrani and Martiba");
        // Nor one that lists weapons before the next act.
        let s5 = "They targeted the city with rockets and heavy artillery shells, bombing army positions";
        let bombing = (s5.find("bombing").unwrap(), s5.find("bombing").unwrap() + 7);
        assert_eq!(own_part(s5, &[bombing], (5, 13), clause_bounds(s5, 5), &[], &[]), clause_bounds(s5, 5));
        // Nor does one between two parties.
        let s4 = "ISIS holds checkpoints of the regime forces and allied militias, as the district fell to the group";
        let (f, m) = (s4.find("regime forces").unwrap(), s4.find("allied militias").unwrap());
        let fell = (s4.find("fell to").unwrap(), s4.find("fell to").unwrap() + 7);
        let parties = [(f, f + "regime forces".len()), (m, m + "allied militias".len())];
        assert_eq!(own_part(s4, &[fell], (5, 10), clause_bounds(s4, 5), &[], &parties), clause_bounds(s4, 5));
        let s2 = "Warplanes bombed the town, killing five";
        assert_eq!(own_part(s2, &[(27, 34)], (10, 16), clause_bounds(s2, 10), &[], &[]), clause_bounds(s2, 10));
    }

    #[test]
    fn pattern_preparation() {
        assert_eq!(spaces(r"\bat least [\w'’]+\w"), r"(?-u:\b)at\sleast\s[A-Za-z0-9_'’]+[A-Za-z0-9_]");
        assert_eq!(spaces(r"[ ]a b"), r"[ ]a\sb");
    }

    #[test]
    fn trigger_families() {
        assert_eq!(first("ISIS militants reportedly captured the town").unwrap().0, "capture");
        assert_eq!(first("Clashes broke out on Thursday").unwrap().0, "clash");
        assert_eq!(first("launched a mortar attack on the town").unwrap().0, "shelling");
        assert_eq!(first("Russian air strikes hit the town").unwrap().0, "air-strike");
        assert_eq!(Lexicon::builtin().events_in("attacked by an ISIS-led car bomb")[0].trigger.name, "car-bomb");
        assert_eq!(first("a suicide bomber blew himself up").unwrap().0, "suicide-bombing");
        assert_eq!(first("the entire district fell to the radical group").unwrap().0, "fell-to");
        assert_eq!(first("rebels regained it a few hours later").unwrap().0, "regain");
        assert_eq!(first("Gunmen abducted two aid workers").unwrap().0, "abduction");
        assert_eq!(first("Hundreds protested against the siege in Idlib").unwrap().0, "protest");
        assert_eq!(first("Police arrested ten people").unwrap().0, "arrest");
    }

    /// A minimal lexicon file: `[patterns]` and one trigger with the given `requires`.
    fn tiny(patterns: &str, requires: &str) -> String {
        format!(
            "version = 1\n[patterns]\n{patterns}\n[[trigger]]\nname = \"deploy\"\npattern = 'deployed'\nevent_type = \"Strategic developments\"\nsub_event_type = \"Change to group/activity\"\ncameo = \"154\"\nrequires = '{requires}'\nstrength = 0.5\n[nonevent]\nwindow = 5\nsupport_window = 3\nintent = []\nnegation = []\nconditional = []\nsupport = []\nbackground = []\nreport_verbs = []\n"
        )
    }

    #[test]
    fn requires_names_a_shared_pattern() {
        let l = Lexicon::parse(&tiny(r"armed = '\b(?:troops|militants)\b'", "@armed")).unwrap();
        let req = l.triggers[0].requires.as_ref().unwrap();
        assert!(req.is_match("Turkish troops"));
        assert!(!req.is_match("the company deployed its software"));
        // A plain regex is still a regex, even where a pattern of the same name exists.
        let l = Lexicon::parse(&tiny(r"armed = '\btroops\b'", "armed")).unwrap();
        assert!(l.triggers[0].requires.as_ref().unwrap().is_match("armed men"));
        // A name that is not in [patterns] is an error naming the trigger and the name.
        let e = Lexicon::parse(&tiny(r"armed = '\btroops\b'", "@armd")).unwrap_err();
        assert!(e.contains("trigger deploy") && e.contains("\"armd\""), "{e}");
        // The built-in lexicon's shared pattern reaches every trigger that names it.
        let b = Lexicon::builtin();
        let armed: Vec<&str> =
            b.triggers.iter().filter(|t| t.requires.as_ref().is_some_and(|r| r.is_match("Hezbollah"))).map(|t| t.name.as_str()).collect();
        for name in ["weapons-seized", "deployment", "group-change", "base-established"] {
            assert!(armed.contains(&name), "{name} lost its @armed requirement: {armed:?}");
        }
    }

    #[test]
    fn weapons_need_an_act() {
        assert!(first("We have an excellent supply of missiles").is_none());
        assert_eq!(first("they targeted the city with dozens of rockets").unwrap().0, "weapons-fired");
        // "attacked ... with mortar shells" is shelling, not a clash.
        let l = Lexicon::builtin();
        let hits: Vec<_> = l
            .events_in("ISIS attacked their headquarters with a number of mortar shells")
            .into_iter()
            .map(|h| h.trigger.name.clone())
            .collect();
        assert_eq!(hits, vec!["weapons-fired"]);
    }

    #[test]
    fn non_events() {
        assert_eq!(first("the group is now preparing to storm the district").unwrap().1, Some(NonEvent::Intent));
        assert_eq!(first("ISIS will storm the town").unwrap().1, Some(NonEvent::Intent));
        assert_eq!(first("The army denied that clashes took place").unwrap().1, Some(NonEvent::Negation));
        assert_eq!(first("If ISIS' latest offensive is successful, refugees could suffer").unwrap().1, Some(NonEvent::Conditional));
        assert_eq!(first("In 2015, rebels captured the base").unwrap().1, Some(NonEvent::Background));
        assert_eq!(first("This comes after ISIS militants lost areas in clashes with the SDF").unwrap().1, Some(NonEvent::Background));
        assert_eq!(
            first("That agreement came after regime warplanes bombed the town, killing 20 people").unwrap().1,
            Some(NonEvent::Background)
        );
        // Background, however the war is named; habits are not events.
        let bg = |s: &str| first(s).unwrap().1;
        assert_eq!(
            bg("Several government aircraft have been shot down by rebels since the civil war erupted five years ago."),
            Some(NonEvent::Background)
        );
        assert_eq!(bg("It is regularly targeted in strikes by the regime as well as Russian warplanes."), Some(NonEvent::Background));
        assert_eq!(bg("Rebels shelled the town on Monday, killing three people."), None);
        assert_eq!(bg("Takfiri groups operating in Syria launch frequent attacks against residential areas."), Some(NonEvent::Background));
        assert_eq!(
            bg("The advances against Daesh in Deir Ezzor have resulted in a heavy civilian death toll through Russian and coalition air raids."),
            Some(NonEvent::Background)
        );
        assert_eq!(bg("A daily bread queue was hit by shelling on Monday, killing four people."), None);
        // Warnings are not events.
        assert_eq!(bg("Moscow warns against new US missile strikes on Syria, a general said on Tuesday."), Some(NonEvent::Intent));
        // A caption run into the text.
        assert_eq!(
            bg("In this photo taken on June 8 provided by the Syrian Civil Defence, workers help an injured woman after warplanes attacked a street in Aleppo (AP photo)"),
            Some(NonEvent::Caption)
        );
        assert_eq!(
            bg("A man gets treatment at a hospital after the chlorine gas attack in Idlib [Anadolu] It is hit by strikes."),
            Some(NonEvent::Caption)
        );
        assert_eq!(bg("The photo agency said warplanes struck the town on Monday, killing four."), None);
        // Accusations are not events; what is blamed on someone happened.
        assert_eq!(bg("Syrias regime has been accused of regularly using barrel bombs on rebel-held areas."), Some(NonEvent::Allegation));
        assert_eq!(
            bg("Residents had previously accused Russian aircraft of using napalm bombs in attacks on the area."),
            Some(NonEvent::Allegation)
        );
        assert_eq!(
            bg("Syrian regime and rebels have traded accusations over which side is using toxic gas in their shelling."),
            Some(NonEvent::Allegation)
        );
        assert_eq!(bg("A car bomb exploded in the town of Al-Horra on Monday, an attack the government blamed on rebels."), None);
        assert_eq!(bg("The opposition has accused government forces of shelling the town of Douma on Wednesday."), None);
        let s = "The opposition has accused government forces of killing well over 1000 civilians with poison gas in Damascus suburbs on Wednesday.";
        assert_eq!(first(s).map(|x| (x.0, x.1)), Some(("chemical".to_string(), None)));
        assert_eq!(
            bg("(Photos Heavy smoke billows following a US airstrike on the western frontline of Raqqah on July 17 2017. by AFP)"),
            Some(NonEvent::Caption)
        );
        assert_eq!(bg("BEIRUT (Reuters) - Warplanes struck the town of Saraqeb on Monday, killing four."), None);
        assert_eq!(bg("AMMAN (AFP) — Warplanes struck the town of Saraqeb on Monday, killing four."), None);
        assert_eq!(first("The army, backed by Russian air strikes, attacked").unwrap().1, Some(NonEvent::Support));
        assert_eq!(first("Were the rebels able to control the town?").unwrap().1, Some(NonEvent::Question));
        // Reported speech of what happened is an event.
        assert_eq!(first("Hussein reported ISIS repelled the attack").unwrap().1, None);
        // A related-stories list run into the text is no prose.
        let related = "43 Topic Violence Erupts as Islamic State Rises (1881) Related Kobani in Ruins After Anti-IS Airstrikes Syrian \
            Government Airstrikes Against IS Kill 36 Civilians Watchdog Britons Support Germans Oppose Airstrikes Against \
            Islamic State Poll US-Led Airstrikes Against Islamic State Kill Over 900 in Syria Watchdog Tags airstrikes Syria";
        assert_eq!(bg(related), Some(NonEvent::Headlines));
        let dense = "Syrian Arab Army units backed by Hezbollah and the National Defence Forces recaptured Tal Hamid, Kafr Zita and \
            Morek in northern Hama on Monday after fierce clashes with Jaish al-Izza and Hayat Tahrir al-Sham fighters, killing 30.";
        assert_eq!(bg(dense), None);
    }
}
