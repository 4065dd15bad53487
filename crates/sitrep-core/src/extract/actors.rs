//! The actor dictionary (`data/actors.toml`) and finding actors in sentences.

use crate::model::{Side, SubEventType};
use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

const ACTORS_TOML: &str = include_str!("../../data/actors.toml");
const COUNTRIES_TSV: &str = include_str!("../../data/countries.tsv");

/// A country of `data/countries.tsv` (its format is at its top).
#[derive(Debug, Clone)]
pub struct Country {
    pub cc: String,
    pub name: String,
    pub of_name: String,
    pub adjectives: Vec<String>,
    /// Its capital, big cities and regions: they say an article is this country's.
    pub places: Vec<String>,
}

/// Parses a countries table (the format of `data/countries.tsv`).
pub fn parse_countries(tsv: &str) -> Result<Vec<Country>, String> {
    let mut out = Vec::new();
    let mut header = true;
    for (n, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if header {
            header = false;
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if !(4..=5).contains(&f.len()) {
            return Err(format!("countries line {}: 4 or 5 tab-separated fields expected", n + 1));
        }
        let list = |x: &str| x.split('|').map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect::<Vec<_>>();
        out.push(Country {
            cc: f[0].to_string(),
            name: f[1].to_string(),
            of_name: f[2].to_string(),
            adjectives: list(f[3]),
            places: f.get(4).map_or_else(Vec::new, |x| list(x)),
        });
    }
    Ok(out)
}

/// One actor of the dictionary.
#[derive(Debug, Clone, Deserialize)]
pub struct Actor {
    pub name: String,
    pub kind: String,
    pub side: Side,
    #[serde(default)]
    pub parent: Option<String>,
    pub country: String,
    pub inter: u8,
    /// The name ACLED and the annotated corpus use (`corpus/GUIDELINES.md`), when it differs.
    #[serde(default)]
    pub acled: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub exact: Vec<String>,
    /// The `[[pattern]]` this actor is the country instance of.
    #[serde(skip)]
    pub pattern: Option<usize>,
}

#[derive(Debug, Deserialize)]
struct Pattern {
    name: String,
    kind: String,
    side: String,
    inter: u8,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    generic: Vec<String>,
    /// Nouns that, after a country's adjective and a few modifiers, name this pattern's actor
    /// of that country ("a Russian Shahed drone", "Israeli F-15 jets").
    #[serde(default)]
    heads: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Generic {
    #[serde(default)]
    phrase: String,
    /// More phrases of the same reference (one entry for a family of phrases).
    #[serde(default)]
    phrases: Vec<String>,
    sides: Vec<Side>,
    /// The actor (canonical or `acled` name) the phrase stands for in an article about `home`
    /// when no armed group of its sides was named before it.
    #[serde(default)]
    fallback: Option<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    version: u32,
    #[serde(default = "default_home")]
    home: String,
    actor: Vec<Actor>,
    #[serde(default)]
    pattern: Vec<Pattern>,
    #[serde(default)]
    generic: Vec<Generic>,
    #[serde(default)]
    civilian_victims: Vec<String>,
    #[serde(default)]
    civilian_targets: Vec<String>,
    #[serde(default)]
    object_ends: Vec<String>,
    /// Words that may stand between a country's adjective and a pattern's head noun.
    #[serde(default)]
    modifiers: Vec<String>,
}

fn default_home() -> String {
    "SY".to_string()
}

/// What a matched phrase stands for.
#[derive(Debug, Clone)]
enum Entry {
    Actor(usize),
    Generic(Vec<Side>, Option<usize>),
}

/// The dictionary, compiled for matching.
pub struct ActorDict {
    pub actors: Vec<Actor>,
    by_name: HashMap<String, usize>,
    /// Every folded alias (and exact name) to its actor.
    by_alias: HashMap<String, usize>,
    folded: AhoCorasick,
    folded_entries: Vec<Entry>,
    exact: AhoCorasick,
    exact_entries: Vec<Entry>,
    /// The war's country: the one generic names ("police") stand for by default.
    pub home: String,
    pub countries: Vec<Country>,
    /// (pattern, country code) -> the actor generated for it.
    instances: HashMap<(usize, String), usize>,
    /// Words that make the victims of a casualty count civilians ("a woman", "five people").
    civilian_victims: Vec<String>,
    /// Places of civilian life that, struck, make the civilians an event's actor2.
    civilian_targets: Vec<String>,
    /// Words that end the object of a trigger ("in", "near", "after").
    object_ends: Vec<String>,
    /// Country names and adjectives (case-sensitive), and the country of each.
    country_words: AhoCorasick,
    country_of_word: Vec<usize>,
    /// The countries' places ([`Country::places`]), as written and in capitals.
    country_places: AhoCorasick,
    country_of_place: Vec<usize>,
    /// Head noun (lower case) -> the pattern it names (`heads`).
    heads: HashMap<String, usize>,
    modifiers: Vec<String>,
}

/// An actor as an event reports it: the canonical name and the words in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRef {
    pub name: String,
    pub text: String,
    pub side: Side,
}

/// An actor mention in a sentence (byte range in the sentence). `actor` is `None` for a generic
/// phrase not yet resolved.
#[derive(Debug, Clone)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub actor: Option<usize>,
    pub generic_sides: Vec<Side>,
    /// For a generic phrase: whom it stands for in an article about `home` when nothing it
    /// can refer to was named before.
    pub fallback: Option<usize>,
}

fn variants(alias: &str) -> Vec<String> {
    let mut v = vec![alias.to_string()];
    if alias.contains('\'') {
        v.push(alias.replace('\'', "’"));
    }
    if alias.contains('-') {
        v.push(alias.replace('-', " "));
    }
    v
}

impl ActorDict {
    /// Parses an actors file (the format of `data/actors.toml`).
    pub fn parse(toml_text: &str) -> Result<Self, String> {
        let mut file: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        if file.version != 1 {
            return Err(format!("unsupported actors file version {}", file.version));
        }
        let countries = parse_countries(COUNTRIES_TSV)?;
        let instances = generate(&mut file, &countries)?;
        let mut words = Vec::new();
        let mut country_of_word = Vec::new();
        for (i, c) in countries.iter().enumerate() {
            for w in std::iter::once(&c.name).chain(c.adjectives.iter()) {
                words.push(w.clone());
                country_of_word.push(i);
            }
        }
        let mut place_words = Vec::new();
        let mut country_of_place = Vec::new();
        for (i, c) in countries.iter().enumerate() {
            for w in &c.places {
                for form in [w.clone(), w.to_uppercase()] {
                    place_words.push(form);
                    country_of_place.push(i);
                }
            }
        }
        let mut folded_pats = Vec::new();
        let mut folded_entries = Vec::new();
        let mut exact_pats = Vec::new();
        let mut exact_entries = Vec::new();
        let mut by_name = HashMap::new();
        let mut by_alias = HashMap::new();
        for (i, a) in file.actor.iter().enumerate() {
            by_name.insert(a.name.to_lowercase(), i);
            for alias in std::iter::once(&a.name).chain(a.aliases.iter()) {
                for v in variants(alias) {
                    by_alias.entry(v.to_ascii_lowercase()).or_insert(i);
                    folded_pats.push(v.to_ascii_lowercase());
                    folded_entries.push(Entry::Actor(i));
                }
            }
            for e in &a.exact {
                by_alias.entry(e.clone()).or_insert(i);
                exact_pats.push(e.clone());
                exact_entries.push(Entry::Actor(i));
            }
        }
        for g in &file.generic {
            let fallback = match &g.fallback {
                Some(f) => Some(
                    file.actor
                        .iter()
                        .position(|a| a.name == *f || a.acled.as_deref() == Some(f.as_str()))
                        .ok_or_else(|| format!("generic {:?}: unknown fallback actor {f}", g.phrase))?,
                ),
                None => None,
            };
            for phrase in std::iter::once(&g.phrase).chain(g.phrases.iter()).filter(|p| !p.is_empty()) {
                folded_pats.push(phrase.to_ascii_lowercase());
                folded_entries.push(Entry::Generic(g.sides.clone(), fallback));
            }
        }
        for p in &file.actor {
            if let Some(parent) = &p.parent {
                if !by_name.contains_key(&parent.to_lowercase()) {
                    return Err(format!("actor {}: unknown parent {parent}", p.name));
                }
            }
        }
        let build = |pats: &[String]| AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(pats).map_err(|e| e.to_string());
        let mut heads = HashMap::new();
        for (pi, p) in file.pattern.iter().enumerate() {
            for h in &p.heads {
                if let Some(other) = heads.insert(h.to_lowercase(), pi) {
                    return Err(format!("head noun {h:?} of pattern {} is also of pattern {}", p.name, file.pattern[other].name));
                }
            }
        }
        Ok(ActorDict {
            heads,
            modifiers: file.modifiers.iter().map(|m| m.to_lowercase()).collect(),
            country_words: build(&words)?,
            country_of_word,
            country_places: AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&place_words).map_err(|e| e.to_string())?,
            country_of_place,
            countries,
            instances,
            home: file.home,
            civilian_victims: file.civilian_victims.iter().map(|w| w.to_lowercase()).collect(),
            civilian_targets: file.civilian_targets.iter().map(|w| w.to_lowercase()).collect(),
            object_ends: file.object_ends.iter().map(|w| w.to_lowercase()).collect(),
            folded: build(&folded_pats)?,
            exact: build(&exact_pats)?,
            actors: file.actor,
            by_name,
            by_alias,
            folded_entries,
            exact_entries,
        })
    }

    /// The dictionary shipped with sitrep.
    pub fn builtin() -> &'static ActorDict {
        static D: LazyLock<ActorDict> = LazyLock::new(|| ActorDict::parse(ACTORS_TOML).expect("embedded data/actors.toml is valid"));
        &D
    }

    /// The actor a canonical name or alias (any case) stands for.
    pub fn lookup(&self, name: &str) -> Option<&Actor> {
        let folded = name.trim().to_ascii_lowercase();
        self.by_name
            .get(&folded)
            .or_else(|| self.by_alias.get(&folded))
            .or_else(|| self.by_alias.get(name.trim()))
            .map(|&i| &self.actors[i])
    }

    /// The first word of `s` naming a place of civilian life (`civilian_targets`: "a
    /// hospital", "their homes", "the market"), as a byte range, within `max_words` words.
    pub fn civilian_target(&self, s: &str, max_words: usize) -> Option<(usize, usize)> {
        first_listed_word(s, max_words, &self.civilian_targets, &[], &[',', ';', '.'])
    }

    /// The first word naming civilians (`civilian_victims`: "a journalist", "three men",
    /// "the residents") in the object of a trigger: the words of `s` (what follows the
    /// trigger) up to `max_words`, a clause mark or a word of `object_ends` ("in", "near";
    /// not as the first word: "fired at protesters"), as a byte range.
    pub fn civilian_object(&self, s: &str, max_words: usize) -> Option<(usize, usize)> {
        first_listed_word(s, max_words, &self.civilian_victims, &self.object_ends, &[',', ';', '.', ':'])
    }

    /// Whether the words naming the victims of a casualty count name civilians ("a woman and
    /// her two children", "five people"): one of `civilian_victims` as a whole word.
    pub fn names_civilians(&self, victims: &str) -> bool {
        let lower = victims.to_lowercase();
        lower.split(|c: char| !c.is_alphanumeric() && c != '-').any(|w| self.civilian_victims.iter().any(|v| v == w))
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.to_lowercase()).copied()
    }

    /// The article's country: `home` when the text names it at all, else the country the text
    /// names most (whole words, their case; a name counts three times, an adjective once),
    /// `home` when it names none.
    pub fn text_country(&self, text: &str) -> String {
        self.text_country_with_places(text, &[])
    }

    /// The article's country as [`ActorDict::text_country`], the countries of the places it
    /// names (`places`, one per name) counted too: a text naming a town of `home` is about it
    /// ("Crowds attacked Turkish lorries in Azaz" is Syria's news, not Turkey's).
    pub fn text_country_with_places(&self, text: &str, places: &[String]) -> String {
        let mut counts = self.country_counts(text, 1);
        for cc in places {
            if let Some(i) = self.countries.iter().position(|c| &c.cc == cc) {
                counts[i] += 3;
            }
        }
        // A text that names the war's country (or a place in it) at all is about it.
        if self.names_home(&counts) {
            return self.home.clone();
        }
        self.most_named(&counts).unwrap_or_else(|| self.home.clone())
    }

    /// Where a text is, when its words say it: the country it names or whose capital, big
    /// cities or regions it names most (a name or place counts, an adjective does not: "US
    /// forces" say who, not where). `None` when it names the war's country or no other.
    pub fn text_where(&self, text: &str) -> Option<String> {
        let counts = self.country_counts(text, 0);
        if self.names_home(&counts) {
            return None;
        }
        self.most_named(&counts)
    }

    /// How much a text names each country (whole words, their case): its name 3, each of its
    /// adjectives `adjective` ("Russian warplanes" may say only who), each of its capital, big
    /// cities and regions 3 ("NAIROBI -", "in Mogadishu").
    fn country_counts(&self, text: &str, adjective: usize) -> Vec<usize> {
        let mut counts = vec![0usize; self.countries.len()];
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
        for m in self.country_words.find_iter(text) {
            let c = self.country_of_word[m.pattern().as_usize()];
            let is_name = text[m.start()..m.end()] == self.countries[c].name;
            // "Syria's", and the scraped "Syrias", are Syria.
            let rest = &text[m.end()..];
            let rest = if is_name { rest.strip_prefix('s').filter(|r| !word(r.chars().next())).unwrap_or(rest) } else { rest };
            if word(text[..m.start()].chars().next_back()) || word(rest.chars().next()) {
                continue;
            }
            counts[c] += if is_name { 3 } else { adjective };
        }
        for m in self.country_places.find_iter(text) {
            if word(text[..m.start()].chars().next_back()) || word(text[m.end()..].chars().next()) {
                continue;
            }
            counts[self.country_of_place[m.pattern().as_usize()]] += 3;
        }
        counts
    }

    fn names_home(&self, counts: &[usize]) -> bool {
        self.countries.iter().position(|c| c.cc == self.home).is_some_and(|h| counts[h] > 0)
    }

    /// The country named most (the first listed on a tie), if any is named.
    fn most_named(&self, counts: &[usize]) -> Option<String> {
        let (i, &n) = counts.iter().enumerate().max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))?;
        (n > 0).then(|| self.countries[i].cc.clone())
    }

    /// The actor of `cc` that a mention of `actor` in `text` stands for: a generated actor of
    /// `home` named without its country ("police", "the army") in an article about another
    /// country is that country's.
    pub fn localize(&self, actor: usize, text: &str, cc: &str) -> usize {
        let a = &self.actors[actor];
        let Some(p) = a.pattern else { return actor };
        if a.country != self.home || cc == self.home {
            return actor;
        }
        let lower = text.to_lowercase();
        let names_home = self
            .countries
            .iter()
            .filter(|c| c.cc == self.home)
            .flat_map(|c| std::iter::once(&c.name).chain(c.adjectives.iter()))
            .any(|w| lower.contains(&w.to_lowercase()));
        if names_home {
            return actor;
        }
        self.instances.get(&(p, cc.to_string())).copied().unwrap_or(actor)
    }

    /// The actor of pattern `pattern_name` (the template, "Civilians ({name})") in `cc`.
    pub fn instance(&self, template: &str, cc: &str) -> Option<usize> {
        let fill = self.countries.iter().find(|c| c.cc == cc).map(|c| template.replace("{name}", &c.name).replace("{of}", &c.of_name))?;
        self.actors.iter().position(|a| a.name == fill || a.acled.as_deref() == Some(fill.as_str()))
    }

    /// Whether `a` is `b` or belongs to it (through parents).
    pub fn is_within(&self, a: usize, b: usize) -> bool {
        let mut cur = Some(a);
        let mut hops = 0;
        while let Some(i) = cur {
            if i == b {
                return true;
            }
            cur = self.actors[i].parent.as_deref().and_then(|p| self.index_of(p));
            hops += 1;
            if hops > 8 {
                break;
            }
        }
        false
    }

    /// Actor mentions in a sentence, left to right, whole words only. Adjacent mentions of
    /// one noun phrase ("rebels of the Levant Front", "militants from ISIS", "the radical group
    /// the Islamic State (ISIS)") become one mention of the more specific actor.
    pub fn mentions(&self, original: &str) -> Vec<Mention> {
        // No-break spaces become spaces (one byte for two): match on the normalized text and
        // map the offsets back.
        if original.contains('\u{a0}') {
            let norm = original.replace('\u{a0}', " ");
            let mut map = Vec::with_capacity(norm.len() + 1);
            for (i, c) in original.char_indices() {
                let n = if c == '\u{a0}' { 1 } else { c.len_utf8() };
                for k in 0..n {
                    map.push(i + k);
                }
            }
            map.push(original.len());
            return self.mentions_plain(&norm).into_iter().map(|m| Mention { start: map[m.start], end: map[m.end], ..m }).collect();
        }
        self.mentions_plain(original)
    }

    /// [`ActorDict::mentions`] of a text without no-break spaces: the dictionary's phrases, joined
    /// by noun phrase, and the actors a country's adjective makes of a pattern's head noun.
    fn mentions_plain(&self, s: &str) -> Vec<Mention> {
        let raw = self.raw_mentions(s);
        let out = outermost(raw);
        let mut joined = self.join_noun_phrases(s, out);
        let found = self.country_pattern_mentions(s, &joined);
        if !found.is_empty() {
            joined.extend(found);
            joined.sort_by_key(|m| m.start);
        }
        self.join_allied_countries(s, &mut joined);
        joined
    }

    /// The dictionary's phrases in a sentence as whole words, sorted by start, longest first.
    fn raw_mentions(&self, s: &str) -> Vec<Mention> {
        let lower = s.to_ascii_lowercase();
        let mut raw: Vec<Mention> = Vec::new();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
        let mut push = |start: usize, end: usize, e: &Entry| {
            let before = s[..start].chars().next_back();
            let after = s[end..].chars().next();
            // "ISIS’s", "ISIS'" are fine; "ISISx" is not; "ISIS-led" names ISIS acting.
            let leads = s[end..].get(..4).is_some_and(|x| x.eq_ignore_ascii_case("-led"));
            if word(before) || (word(after) && !leads) {
                return;
            }
            let (actor, generic_sides, fallback) = match e {
                Entry::Actor(i) => (Some(*i), Vec::new(), None),
                Entry::Generic(sides, fallback) => (None, sides.clone(), *fallback),
            };
            raw.push(Mention { start, end, actor, generic_sides, fallback });
        };
        for m in self.folded.find_iter(&lower) {
            push(m.start(), m.end(), &self.folded_entries[m.pattern().as_usize()]);
        }
        for m in self.exact.find_iter(s) {
            push(m.start(), m.end(), &self.exact_entries[m.pattern().as_usize()]);
        }
        raw.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        raw
    }

    /// Joins the adjacent mentions of one noun phrase into one of the more specific actor.
    fn join_noun_phrases(&self, s: &str, out: Vec<Mention>) -> Vec<Mention> {
        // Join the mentions of one noun phrase.
        let mut joined: Vec<Mention> = Vec::new();
        for m in out {
            if let Some(prev) = joined.last_mut() {
                if self.joins(s, prev, &m) {
                    continue;
                }
            }
            joined.push(m);
        }
        joined
    }

    /// Whether mention `m` is of the noun phrase of `prev` before it, and if so joins it to
    /// `prev`, which takes the more specific actor.
    fn joins(&self, s: &str, prev: &mut Mention, m: &Mention) -> bool {
        let gap = s[prev.end..m.start].trim();
        let gap_l = gap.to_ascii_lowercase();
        let links =
            ["", "of the", "of", "from", "from the", "(", "the", "in the ranks of", "members of", "belonging to", "belonging to the"];
        if !(links.contains(&gap_l.as_str()) || (gap.starts_with('(') && gap.len() < 40 && !gap.contains(')'))) {
            return false;
        }
        let prefer_new = match (prev.actor, m.actor) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => self.is_within(b, a) || self.actors[a].name == self.actors[b].name,
            (None, None) => false,
        };
        let same_or_related = match (prev.actor, m.actor) {
            (Some(a), Some(b)) => a == b || self.is_within(b, a) || self.is_within(a, b),
            _ => true,
        };
        if !same_or_related {
            return false;
        }
        if prefer_new {
            prev.actor = m.actor;
            prev.generic_sides = m.generic_sides.clone();
            prev.fallback = m.fallback;
        }
        prev.end = m.end;
        true
    }

    /// The mentions of a pattern's actor of a country: its adjective, a few modifiers and a
    /// head noun of the pattern, where no other mention is.
    fn country_pattern_mentions(&self, s: &str, joined: &[Mention]) -> Vec<Mention> {
        // A country's adjective, a few modifiers and a head noun of a pattern: that pattern's
        // actor of the country ("a Russian Shahed drone", "Israeli F-15 jets", "Turkish
        // intelligence agents"). Not "Russian-made", not "pro-Russian".
        let mut found: Vec<Mention> = Vec::new();
        for m in self.country_words.find_iter(s) {
            let c = &self.countries[self.country_of_word[m.pattern().as_usize()]];
            if s[m.start()..m.end()] == c.name
                || s[..m.start()].chars().next_back().is_some_and(|ch| ch.is_alphanumeric() || ch == '-')
                || !s[m.end()..].starts_with(' ')
                || joined.iter().any(|j| m.start() < j.end && m.end() > j.start)
            {
                continue;
            }
            found.extend(self.country_pattern_at(s, m.start(), m.end(), c));
        }
        found
    }

    /// The pattern's actor of country `c` whose adjective is at `start..end`: the head noun of
    /// the pattern within four words after, modifiers between.
    fn country_pattern_at(&self, s: &str, start: usize, end: usize, c: &Country) -> Option<Mention> {
        let mut pos = end;
        for _ in 0..4 {
            let rest = &s[pos..];
            let lead = rest.len() - rest.trim_start().len();
            if lead == 0 {
                break;
            }
            let w_end = rest[lead..].find(char::is_whitespace).map_or(rest.len(), |e| lead + e);
            let word = &rest[lead..w_end];
            let core = word.trim_end_matches(|ch: char| !ch.is_alphanumeric());
            let lower = core.to_lowercase();
            if let Some(&p) = self.heads.get(&lower) {
                return self.instances.get(&(p, c.cc.clone())).map(|&i| Mention {
                    start,
                    end: pos + lead + core.len(),
                    actor: Some(i),
                    generic_sides: Vec::new(),
                    fallback: None,
                });
            }
            // A model's designation ("F-15", "Kh-101", "Su-24"); named models are modifiers.
            let model = core.chars().any(|ch| ch.is_ascii_digit());
            if core.len() < word.len() || core.is_empty() || !(model || self.modifiers.contains(&lower)) {
                break;
            }
            pos += w_end;
        }
        None
    }

    /// Makes "Syrian and Russian warplanes" one mention of the first country's forces.
    fn join_allied_countries(&self, s: &str, joined: &mut [Mention]) {
        // "Syrian and Russian warplanes": one mention, of the first country's forces of the
        // same kind (ACLED codes the first named as actor1 and the other as an associate).
        for m in joined {
            let Some(p) = m.actor.and_then(|a| self.actors[a].pattern) else { continue };
            let before = &s[..m.start];
            let Some(head) = before.strip_suffix(" and ").or_else(|| before.strip_suffix(" & ")) else { continue };
            let word_start = head.rfind(|c: char| !c.is_alphanumeric()).map_or(0, |i| i + 1);
            let word = &head[word_start..];
            let Some(c) = self.countries.iter().find(|c| c.adjectives.iter().any(|a| a == word)) else { continue };
            if let Some(&i) = self.instances.get(&(p, c.cc.clone())) {
                m.actor = Some(i);
                m.start = word_start;
            }
        }
    }
}

/// The mentions not inside others, of mentions sorted by start, longest first.
fn outermost(raw: Vec<Mention>) -> Vec<Mention> {
    // Drop mentions inside others.
    let mut out: Vec<Mention> = Vec::new();
    for m in raw {
        if out.last().is_some_and(|l| m.start < l.end) {
            continue;
        }
        out.push(m);
    }
    out
}

const DEFAULTS_TOML: &str = include_str!("../../data/default_actors.toml");

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Actor1,
    Actor2,
}

#[derive(Debug, Deserialize)]
struct DefaultActor {
    #[serde(default)]
    role: Role,
    sub_types: Vec<SubEventType>,
    #[serde(default)]
    countries: Vec<String>,
    /// Only when the event's other actor is of one of these sides (empty: whoever it is, or
    /// no one).
    #[serde(default)]
    other_sides: Vec<Side>,
    /// Only when the event's sentences have one of these words (empty: whatever they say).
    #[serde(default)]
    words: Vec<String>,
    actor: String,
}

/// The role and actor of the crowd of a protest or riot sub-type (`[[crowd]]`).
#[derive(Debug, Deserialize)]
struct Crowd {
    sub_types: Vec<SubEventType>,
    role: Role,
    actor: String,
}

#[derive(Debug, Deserialize)]
struct DefaultsFile {
    version: u32,
    #[serde(default, rename = "default")]
    defaults: Vec<DefaultActor>,
    #[serde(default)]
    crowd: Vec<Crowd>,
}

static DEFAULTS_FILE: LazyLock<DefaultsFile> = LazyLock::new(|| {
    let f: DefaultsFile = toml::from_str(DEFAULTS_TOML).expect("embedded data/default_actors.toml is valid");
    assert_eq!(f.version, 2, "data/default_actors.toml: version 2 expected");
    f
});
static DEFAULTS: LazyLock<&'static [DefaultActor]> = LazyLock::new(|| &DEFAULTS_FILE.defaults);

impl ActorDict {
    /// The crowd of an event of `sub_type` in country `cc`, and its role, for the sub-types of
    /// protests and riots (`[[crowd]]` of data/default_actors.toml).
    pub fn crowd(&self, sub_type: SubEventType, cc: &str) -> Option<(Role, usize)> {
        let c = DEFAULTS_FILE.crowd.iter().find(|c| c.sub_types.contains(&sub_type))?;
        Some((c.role, self.instance(&c.actor, cc)?))
    }

    /// Whether an actor is a crowd: protesters, rioters, or civilians acting together.
    pub fn is_crowd(&self, actor: usize) -> bool {
        matches!(self.actors[actor].kind.as_str(), "protesters" | "rioters" | "civilians")
    }

    /// The actor in `role` of an event of `sub_type` in country `cc` whose sentences (`text`)
    /// name no one in that role, given the event's other actor (`data/default_actors.toml`).
    pub fn default_actor(&self, role: Role, sub_type: SubEventType, cc: &str, other: Option<usize>, text: &[&str]) -> Option<usize> {
        let other_side = other.map(|a| self.actors[a].side);
        let has_word =
            |w: &str| text.iter().flat_map(|s| s.split(|c: char| !c.is_alphanumeric() && c != '-')).any(|x| x.eq_ignore_ascii_case(w));
        let d = DEFAULTS.iter().find(|d| {
            d.role == role
                && d.sub_types.contains(&sub_type)
                && (d.countries.is_empty() || d.countries.iter().any(|c| c == cc))
                && (d.other_sides.is_empty() || other_side.is_some_and(|s| d.other_sides.contains(&s)))
                && (d.words.is_empty() || d.words.iter().any(|w| has_word(w)))
        })?;
        if d.actor.contains('{') {
            self.instance(&d.actor, cc)
        } else {
            self.index_of(&d.actor).or_else(|| self.actors.iter().position(|a| a.acled.as_deref() == Some(d.actor.as_str())))
        }
    }
}

/// The byte range of the first of the first `max_words` words of `s` that is in `words`
/// (lower case; the word stripped of punctuation, any case), unless a word of `ends` (not the
/// first) or a word ending in one of `marks` comes before it.
fn first_listed_word(s: &str, max_words: usize, words: &[String], ends: &[String], marks: &[char]) -> Option<(usize, usize)> {
    for (i, w) in s.split_whitespace().take(max_words).enumerate() {
        let start = w.as_ptr() as usize - s.as_ptr() as usize;
        let core = w.trim_matches(|c: char| !c.is_alphanumeric());
        if i > 0 && ends.iter().any(|e| e.eq_ignore_ascii_case(core)) {
            break;
        }
        if words.iter().any(|t| t.eq_ignore_ascii_case(core)) {
            let lead = w.find(core).unwrap_or(0);
            return Some((start + lead, start + lead + core.len()));
        }
        if w.ends_with(marks) {
            break;
        }
    }
    None
}

/// Adds the actors of every `[[pattern]]` for every country to the file's actors (the rules
/// are at the top of `data/actors.toml`); returns (pattern, country code) -> actor.
fn generate(file: &mut File, countries: &[Country]) -> Result<HashMap<(usize, String), usize>, String> {
    let mut taken: std::collections::HashSet<String> =
        file.actor.iter().flat_map(|a| std::iter::once(&a.name).chain(a.aliases.iter())).map(|s| s.to_ascii_lowercase()).collect();
    let mut instances = HashMap::new();
    for (pi, p) in file.pattern.iter().enumerate() {
        for c in countries {
            let fill = |s: &str| s.replace("{name}", &c.name).replace("{of}", &c.of_name).replace("{cc}", &c.cc);
            let name = fill(&p.name);
            let mut aliases: Vec<String> = Vec::new();
            for a in &p.aliases {
                if a.contains("{adj}") {
                    aliases.extend(c.adjectives.iter().map(|adj| fill(&a.replace("{adj}", adj))));
                } else {
                    aliases.push(fill(a));
                }
            }
            if c.cc == file.home {
                aliases.extend(p.generic.iter().cloned());
            }
            aliases.retain(|a| taken.insert(a.to_ascii_lowercase()));
            let existing = file.actor.iter().position(|a| a.name == name || a.acled.as_deref() == Some(name.as_str()));
            let i = match existing {
                Some(i) => {
                    file.actor[i].aliases.extend(aliases);
                    i
                }
                None => {
                    let side = if p.side == "state" {
                        if c.cc == file.home {
                            Some(Side::Government)
                        } else {
                            Side::state(&c.cc)
                        }
                    } else {
                        fill(&p.side).parse().ok()
                    };
                    let side = side.ok_or_else(|| {
                        format!("pattern {} for country {}: side {:?} is not one of: {}", p.name, c.cc, fill(&p.side), Side::names())
                    })?;
                    file.actor.push(Actor {
                        name,
                        kind: p.kind.clone(),
                        side,
                        parent: None,
                        country: c.cc.clone(),
                        inter: p.inter,
                        acled: None,
                        aliases,
                        exact: Vec::new(),
                        pattern: None,
                    });
                    file.actor.len() - 1
                }
            };
            if file.actor[i].pattern.is_none() {
                file.actor[i].pattern = Some(pi);
            }
            instances.insert((pi, c.cc.clone()), i);
        }
    }
    Ok(instances)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        let d = ActorDict::builtin();
        d.mentions(s)
            .iter()
            .map(|m| m.actor.map_or_else(|| format!("generic:{}", &s[m.start..m.end]), |i| d.actors[i].name.clone()))
            .collect()
    }

    #[test]
    fn aliases_resolve_to_canonical_names() {
        assert_eq!(names("ISIS, IS, ISIL and Daesh"), vec!["Islamic State"; 4]);
        assert_eq!(names("the Islamic State group"), vec!["Islamic State"]);
        assert_eq!(names("pro-Assad forces shelled"), vec!["Syrian government forces"]);
        assert_eq!(names("Syria’s branch of al-Qaeda"), vec!["Nusra Front"]);
        assert_eq!(names("Liwa al-Quds is pro-government"), vec!["Liwa al-Quds"]);
        let d = ActorDict::builtin();
        assert_eq!(d.lookup("Daesh").map(|a| a.name.as_str()), Some("Islamic State"));
        assert_eq!(d.lookup("Levant Front").map(|a| a.side.as_str()), Some("rebel"));
        assert_eq!(d.lookup("Liwa al-Quds").map(|a| a.side.as_str()), Some("government"));
    }

    #[test]
    fn state_forces_of_every_country() {
        assert_eq!(names("Iraqi troops recaptured a village"), vec!["Military Forces of Iraq"]);
        assert_eq!(names("Kenyan police fired tear gas"), vec!["Police Forces of Kenya"]);
        assert_eq!(names("the Nigerian army said"), vec!["Military Forces of Nigeria"]);
        assert_eq!(names("US troops"), vec!["Military Forces of the United States"]);
        // Existing actors keep their names and gain the generated aliases.
        assert_eq!(names("Russian soldiers"), vec!["Russia"]);
        let d = ActorDict::builtin();
        assert_eq!(d.lookup("Military Forces of Iraq").map(|a| a.side.as_str()), Some("state:IQ"));
        assert_eq!(d.lookup("Police Forces of Syria").map(|a| a.side.as_str()), Some("government"));
    }

    #[test]
    fn an_adjective_and_a_head_noun_name_a_state_force() {
        assert_eq!(names("A Russian Shahed drone slammed into a block"), vec!["Russia"]);
        assert_eq!(names("Israeli F-15 jets fired missiles"), vec!["Israel"]);
        assert_eq!(names("a Kenyan police patrol"), vec!["Police Forces of Kenya"]);
        assert_eq!(names("Turkish intelligence agents abducted him"), vec!["Police Forces of Turkey"]);
        assert_eq!(names("a Sudanese army convoy"), vec!["Military Forces of Sudan"]);
        // Made, backed or opposed by a country is not that country's force; nor its refugees.
        assert_eq!(names("rebels fired Russian-made rockets"), vec!["Syrian rebels"]);
        assert!(names("pro-Turkish fighters").is_empty());
        assert!(names("Syrian refugees fled the strikes").iter().all(|n| !n.starts_with("Military")));
        assert!(names("the Turkish lorry drivers").is_empty());
    }

    #[test]
    fn generic_names_are_the_articles_country() {
        let d = ActorDict::builtin();
        assert_eq!(d.text_country("Police in Nairobi, Kenya, fired on protesters."), "KE");
        assert_eq!(d.text_country("Russian jets struck Aleppo, Syrias second city."), "SY");
        assert_eq!(d.text_country("Nothing here."), "SY");
        assert_eq!(d.text_country("Crowds attacked Turkish lorries in Azaz."), "TR");
        assert_eq!(d.text_country_with_places("Crowds attacked Turkish lorries in Azaz.", &["SY".to_string()]), "SY");
        assert_eq!(d.text_country_with_places("Police in Nairobi fired on protesters.", &["KE".to_string()]), "KE");
        let police = d.lookup("police").and_then(|a| d.index_of(&a.name)).expect("police");
        assert_eq!(d.actors[d.localize(police, "police", "KE")].name, "Police Forces of Kenya");
        assert_eq!(d.actors[d.localize(police, "police", "SY")].name, "Police Forces of Syria");
        let army = d.index_of("Syrian government forces").expect("army");
        assert_eq!(d.actors[d.localize(army, "the army", "SD")].name, "Military Forces of Sudan");
        assert_eq!(d.actors[d.localize(army, "the Syrian army", "SD")].name, "Syrian government forces");
    }

    #[test]
    fn case_and_word_boundaries() {
        assert_eq!(names("this is IS territory"), vec!["Islamic State"]);
        assert_eq!(names("ISIS’s control"), vec!["Islamic State"]);
        assert!(names("crisis in the region").is_empty());
    }

    #[test]
    fn noun_phrases_join_to_the_specific_actor() {
        assert_eq!(
            names("Syrian rebels of the Levant Front and militant fighters of the Islamic State (ISIS)"),
            vec!["Levant Front", "Islamic State"]
        );
        assert_eq!(names("12 militants from ISIS were killed"), vec!["Islamic State"]);
        assert_eq!(names("the radical group the Islamic State (ISIS)"), vec!["Islamic State"]);
        assert_eq!(names("the radical group launched"), vec!["generic:the radical group"]);
        assert_eq!(names("between rebel groups and ISIS"), vec!["Syrian rebels", "Islamic State"]);
    }
}
