//! Place strings in sentences, found by their cues ("the town of X", "in X", "near X",
//! "12 km north of X", "X countryside"), as `data/places.toml` describes. The geocoder
//! resolves them; here they are text with a cue kind and a precision hint.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

const PLACES_TOML: &str = include_str!("../../data/places.toml");

#[derive(Debug, Deserialize)]
struct CueSpec {
    pattern: String,
    kind: String,
    precision: u8,
}

#[derive(Debug, Deserialize)]
struct File {
    version: u32,
    name: String,
    cue: Vec<CueSpec>,
    not_places: Vec<String>,
    #[serde(default)]
    organisation_words: Vec<String>,
    #[serde(default)]
    leading_words: Vec<String>,
    #[serde(default)]
    trailing_breaks: Vec<String>,
    #[serde(default)]
    person_words: Vec<String>,
    #[serde(default)]
    headline_words: Vec<String>,
    reporting: Vec<String>,
}

struct Cue {
    regex: Regex,
    kind: String,
    precision: u8,
}

/// The compiled place cues.
pub struct PlaceCues {
    cues: Vec<Cue>,
    not_places: Vec<String>,
    organisation_words: Vec<String>,
    leading_words: Vec<String>,
    trailing_breaks: Vec<String>,
    person_words: Vec<String>,
    headline_words: Vec<String>,
    /// The reporting phrases, as one regex.
    reporting: Regex,
    splitter: Regex,
}

/// A place mention: the name, where it is in the sentence (bytes), its cue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceMention {
    pub name: String,
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub precision: u8,
    /// A qualifier the text gives ("western", "12 km north of").
    pub qualifier: Option<String>,
}

/// Names a gazetteer knows as places: how extraction finds a place no cue word points at
/// ("regime forces seized Kafr Nabudah"). The geocoder's gazetteer implements it.
pub trait Toponyms: Send + Sync {
    /// Whether `name`, as written, is the name of a place: a town, village, quarter or
    /// district (exact spelling, folded; one-word names only where the war is).
    fn is_toponym(&self, name: &str) -> bool;

    /// The country (ISO code) of the places of that name, when they are all in one.
    fn toponym_country(&self, _name: &str) -> Option<String> {
        None
    }

    /// Whether `name` is the name of a region (a governorate) where the war is.
    fn is_region(&self, _name: &str) -> bool {
        false
    }

    /// Whether a word may stand beside a place name in a run of capitalised words that
    /// still names a place ("Tishreen Dam", "Eastern Ghouta", "Sheikh Maqsoud"): a kind,
    /// qualifier, quarter, generic or governorate word of place names.
    fn is_place_word(&self, _word: &str) -> bool {
        false
    }
}

/// Lower-case words inside a place name ("Deir ez Zor", "Jisr al Shughur").
const NAME_PARTICLES: &[&str] = &["al", "el", "ez", "ed", "es", "az", "as", "ash", "at", "ar", "an", "ad", "bin", "ibn", "ul"];
/// Words after a run of capitalised words that make it a person ("Rami Abdel Rahman said").
/// Whether a name after this text is an end of a route ("the road between Hama and Aleppo",
/// "the supply line between Aleppo and Hama"): where a road runs, not where an act happened.
fn route_end(before: &str) -> bool {
    let words: Vec<String> = before.split_whitespace().rev().take(6).map(|w| w.to_ascii_lowercase()).collect();
    words.first().is_some_and(|w| w == "between")
        || words.first().is_some_and(|w| w == "and") && words.iter().skip(1).take(4).any(|w| w == "between")
}

/// Whether a sentence is a headline in title case: most of its words capitalised.
fn is_title_case(s: &str) -> bool {
    let lettered: Vec<&str> = s.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).collect();
    let caps = lettered
        .iter()
        .filter(|w| w.trim_start_matches(|c: char| !c.is_alphanumeric()).chars().next().is_some_and(char::is_uppercase))
        .count();
    caps * 2 > lettered.len()
}

/// A word in capitals of at most five letters ("ARA", "SANA", "SDF") abbreviates an outlet or a
/// group; mid-sentence it is not a place name.
fn is_acronym(name: &str) -> bool {
    !name.contains(' ') && (2..=5).contains(&name.chars().count()) && name.chars().all(|c| c.is_uppercase())
}

const SPEECH_VERBS: &[&str] = &["said", "says", "told", "added", "stated", "noted", "explained", "announced", "reported", "confirmed"];

/// Cuts a name of several words the gazetteer does not know to the known place after a
/// possessive ("Aleppos Marjeh"), or to the region it opens with.
fn cut_to_known_names(out: &mut [PlaceMention], toponyms: &dyn Toponyms) {
    for p in out {
        if p.name.contains(' ') && !toponyms.is_toponym(&p.name) {
            let first_end = p.name.find(' ').unwrap_or(p.name.len());
            let (first, rest) = (&p.name[..first_end], p.name[first_end..].trim_start());
            if first.strip_suffix('s').is_some_and(|stem| toponyms.is_region(stem) || toponyms.is_toponym(stem))
                && toponyms.is_toponym(rest)
            {
                p.start += p.name.len() - rest.len();
                p.name = rest.to_string();
            } else if toponyms.is_region(first) {
                p.end = p.start + first.len();
                p.name = first.to_string();
            }
        }
    }
}

/// An Arabic article written as a word of its own between the words of a name ("Jisr ash
/// Shughur", "Ma'arrat an Nu'man", "Deir ez Zor", as ACLED and GeoNames spell them): the
/// words after a name a cue took, when the gazetteer knows the whole. ("an", "as", "at" are
/// English words too: only a known name joins them.)
static SPACED_ARTICLE: LazyLock<Regex> = LazyLock::new(|| {
    let particles = NAME_PARTICLES.join("|");
    Regex::new(&format!(r"^\s+(?:{particles})\s+[A-Z][\w'’`]*(?:-[A-Z][\w'’`]*)*")).expect("valid regex")
});

fn join_spaced_articles(s: &str, out: &mut Vec<PlaceMention>, toponyms: &dyn Toponyms) {
    let mut k = 0;
    while k < out.len() {
        let p = &out[k];
        let joined = SPACED_ARTICLE.find(&s[p.end..]).map(|m| p.end + m.end()).filter(|&end| toponyms.is_toponym(&s[p.start..end]));
        match joined {
            Some(end) => {
                let (start, old_end) = (out[k].start, out[k].end);
                out[k].name = s[start..end].to_string();
                out[k].end = end;
                // The words joined were no place of their own.
                let mut j = 0;
                out.retain(|q| {
                    j += 1;
                    j - 1 == k || !(q.start >= old_end && q.start < end)
                });
            }
            None => k += 1,
        }
    }
}

/// The words of a sentence with their byte ranges, punctuation at their ends cut off, and
/// whether each ends a run of capitalised words (punctuation does).
fn words_of(s: &str) -> Vec<(usize, usize, bool)> {
    // Words with their byte ranges, punctuation at their ends cut off (a run ends there).
    let mut words: Vec<(usize, usize, bool)> = Vec::new(); // (start, end, ends the run)
    for w in s.split_whitespace() {
        let start = w.as_ptr() as usize - s.as_ptr() as usize;
        let lead = w.len() - w.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
        let core = w.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            words.push((start, start, true));
            continue;
        }
        let a = start + lead;
        let b = a + core.len();
        let breaks = b < start + w.len() || lead > 0;
        words.push((a, b, breaks));
    }
    words
}

/// Whether a word is capitalised, after a lower-case prefix and a hyphen ("al-Bab").
fn is_cap(w: &str) -> bool {
    let w = w.trim_start_matches(|c: char| c.is_lowercase() && c.is_alphabetic());
    let w = w.strip_prefix('-').unwrap_or(w);
    w.chars().next().is_some_and(char::is_uppercase)
}

/// A sentence being scanned for the names a gazetteer knows in its runs of capitalised words.
struct RunScan<'x> {
    s: &'x str,
    /// The sentence's words: [`words_of`].
    words: Vec<(usize, usize, bool)>,
    /// Where a source spoke: no place there.
    excluded: Vec<(usize, usize)>,
    title_case: bool,
    toponyms: &'x dyn Toponyms,
}

impl RunScan<'_> {
    /// Whether the bytes `a..b` overlap a place found already or a reporting phrase.
    fn taken(&self, out: &[PlaceMention], a: usize, b: usize) -> bool {
        out.iter().any(|p| a < p.end && b > p.start) || self.excluded.iter().any(|&(x, y)| a < y && b > x)
    }

    /// Whether a word of a run may be part of a place name: a particle, a place word or a place.
    fn placey(&self, w: &str) -> bool {
        NAME_PARTICLES.contains(&w) || self.toponyms.is_place_word(w) || self.toponyms.is_toponym(w)
    }

    /// The last word of the run of capitalised words (particles inside) that starts at word `i`.
    fn run_end(&self, i: usize) -> usize {
        let (s, words) = (self.s, &self.words);
        // The run: capitalised words, with particles inside.
        let mut j = i;
        while j < words.len() && !words[j].2 && j + 1 < words.len() {
            let (na, nb, _) = words[j + 1];
            let next = &s[na..nb];
            if na == nb || !(is_cap(next) || NAME_PARTICLES.contains(&next)) {
                break;
            }
            j += 1;
        }
        while j > i && NAME_PARTICLES.contains(&&s[words[j].0..words[j].1]) {
            j -= 1;
        }
        j
    }
}

impl PlaceCues {
    /// Place mentions as [`PlaceCues::find`] gives them, and the names `toponyms` knows in
    /// the runs of capitalised words no cue took (kind "gazetteer"). A run said to speak
    /// ("... said") is a person; a one-word name opening the sentence is not looked up.
    pub fn find_with(&self, s: &str, known: &[String], toponyms: &dyn Toponyms) -> Vec<PlaceMention> {
        let mut out = self.find(s, known);
        let title_case = is_title_case(s);
        if title_case {
            self.cut_headline_names(&mut out, toponyms);
        }
        cut_to_known_names(&mut out, toponyms);
        join_spaced_articles(s, &mut out, toponyms);
        // Where a source spoke ("Speaking to ARA News in Aleppo") is no more a place here than
        // behind a cue.
        let excluded: Vec<(usize, usize)> = self.reporting.find_iter(s).map(|m| (m.start(), m.end())).collect();
        let scan = RunScan { s, words: words_of(s), excluded, title_case, toponyms };
        self.add_gazetteer_names(&scan, &mut out);
        out.sort_by_key(|p| p.start);
        out
    }

    /// Cuts the names a cue took in a title-case headline to the names the gazetteer knows.
    fn cut_headline_names(&self, out: &mut Vec<PlaceMention>, toponyms: &dyn Toponyms) {
        // A headline in title case runs a governorate into the words after it ("Hama Breaks
        // Siege", "Idlib Dozens", "Homs Two"), or puts a possessive before a place ("Aleppos
        // Marjeh"): a name the gazetteer does not know is cut to the one it does.
        // Any name a cue took in a headline: cut to the longest known name it opens with
        // ("Palmyra After Heavy Fighting"); with none, a name of place words alone stays
        // ("Tal Kurdi"), the rest is headline ("Syrian Town After Russian Helicopter").
        out.retain_mut(|p| {
            let ws: Vec<&str> = p.name.split_whitespace().collect();
            if ws.len() < 2 || toponyms.is_toponym(&p.name) {
                return true;
            }
            for n in (1..ws.len()).rev() {
                let head = ws[..n].join(" ");
                let len = ws[n - 1].as_ptr() as usize - p.name.as_ptr() as usize + ws[n - 1].len();
                if toponyms.is_toponym(&p.name[..len]) && p.name[..len] == head {
                    p.end = p.start + len;
                    p.name.truncate(len);
                    return true;
                }
            }
            ws.iter().all(|w| NAME_PARTICLES.contains(w) || toponyms.is_place_word(w))
                || !ws
                    .iter()
                    .any(|w| self.not_places.iter().any(|x| x.eq_ignore_ascii_case(w)) || self.headline_words.contains(&w.to_lowercase()))
        });
    }

    /// Finds the names the gazetteer knows in the runs of capitalised words of a sentence.
    fn add_gazetteer_names(&self, sc: &RunScan, out: &mut Vec<PlaceMention>) {
        let (s, words) = (sc.s, &sc.words);
        // (A headline in title case runs every word into one run: its parts are looked up.)
        let mut i = 0;
        while i < words.len() {
            let (a, b, _) = words[i];
            if a == b || !is_cap(&s[a..b]) {
                i += 1;
                continue;
            }
            let j = sc.run_end(i);
            let run_end = words[j].1;
            let next_word = words.get(j + 1).map(|&(x, y, _)| s[x..y].to_ascii_lowercase()).unwrap_or_default();
            // A run that is an organisation ("ARA News", "Levant Front") or a listed non-place is
            // a name, and no part of it is a place.
            let whole = &s[words[i].0..run_end];
            let names_other = j > i && !self.is_place_name(whole);
            if !names_other && !SPEECH_VERBS.contains(&next_word.as_str()) {
                self.add_run_names(sc, i, j, out);
            }
            i = j + 1;
        }
    }

    /// Finds the names the gazetteer knows in the run of words `i..=j`, longest first, left to
    /// right.
    fn add_run_names(&self, sc: &RunScan, i: usize, j: usize, out: &mut Vec<PlaceMention>) {
        let (s, words) = (sc.s, &sc.words);
        // In prose, a run of capitalised words is one name: a place there only when its
        // other words are place words or places too. "Ahmad Rahhal", "Karim Masimov",
        // "Aung San Suu Kyi" are people, however many villages are called Ahmad or San.
        let run_words: Vec<&str> = (i..=j).map(|w| &s[words[w].0..words[w].1]).collect();
        // Longest names first, left to right.
        let mut k = i;
        while k <= j {
            match self.name_at(sc, (i, j), k, &run_words, out) {
                Some((start, end, e)) => {
                    out.push(PlaceMention {
                        name: s[start..end].to_string(),
                        start,
                        end,
                        kind: "gazetteer".into(),
                        precision: 1,
                        qualifier: None,
                    });
                    k = e + 1;
                }
                None => k += 1,
            }
        }
    }

    /// The longest name the gazetteer knows that starts at word `k` of the run `(i, j)`, not
    /// taken already: its byte range and last word.
    fn name_at(
        &self,
        sc: &RunScan,
        (i, j): (usize, usize),
        k: usize,
        run_words: &[&str],
        out: &[PlaceMention],
    ) -> Option<(usize, usize, usize)> {
        let (s, words, toponyms) = (sc.s, &sc.words, sc.toponyms);
        for e in (k..=j.min(k + 3)).rev() {
            let (start, end) = (words[k].0, words[e].1);
            let name = &s[start..end];
            let opens = s[..start].trim().is_empty();
            if (opens && e == k) || sc.taken(out, start, end) || !self.is_place_name(name) {
                continue;
            }
            // (The run's words after punctuation, "Kabani (Al-Haffa, Lattakia)", are
            // names of their own.)
            let opens_after_mark = |w: usize| s[..words[w].0].chars().next_back().is_some_and(|c| !c.is_whitespace());
            let from = (i..=k).rev().find(|&w| w == i || opens_after_mark(w)).unwrap_or(i);
            let to = (e + 1..=j).find(|&w| opens_after_mark(w)).map_or(j, |w| w - 1);
            let others_placey = || (from..=to).all(|w| (k..=e).contains(&w) || sc.placey(run_words[w - i]));
            if toponyms.is_toponym(name) && !route_end(&s[..start]) && (sc.title_case || others_placey()) {
                return Some((start, end, e));
            }
        }
        None
    }

    pub fn parse(toml_text: &str) -> Result<Self, String> {
        let f: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        if f.version != 1 {
            return Err(format!("unsupported places file version {}", f.version));
        }
        let name = crate::extract::lexicon::spaces(&f.name);
        let list = format!(r"(?P<list>{n}(?:(?:,\s*|,?\s+and\s+|,?\s+or\s+){n})*)", n = name);
        let mut cues = Vec::new();
        for c in f.cue {
            // A cue with two {NAME}s names two places ("between A and B"): each is its own group.
            let n = c.pattern.matches("{NAME}").count();
            let mut p = crate::extract::lexicon::spaces(&c.pattern);
            if n == 1 {
                p = p.replace("{NAME}", &list);
            } else {
                for i in 0..n {
                    p = p.replacen("{NAME}", &format!("(?P<n{i}>{})", name), 1);
                }
            }
            let regex = Regex::new(&p).map_err(|e| format!("cue {}: {e}", c.pattern))?;
            cues.push(Cue { regex, kind: c.kind, precision: c.precision });
        }
        let reporting =
            Regex::new(&format!("(?:{})", f.reporting.iter().map(|r| crate::extract::lexicon::spaces(r)).collect::<Vec<_>>().join("|")))
                .map_err(|e| e.to_string())?;
        let splitter = Regex::new(r",\s*|,?\s+and\s+|,?\s+or\s+").map_err(|e| e.to_string())?;
        Ok(PlaceCues {
            cues,
            not_places: f.not_places,
            organisation_words: f.organisation_words,
            leading_words: f.leading_words,
            trailing_breaks: f.trailing_breaks,
            person_words: f.person_words,
            headline_words: f.headline_words.iter().map(|w| w.to_lowercase()).collect(),
            reporting,
            splitter,
        })
    }

    pub fn builtin() -> &'static PlaceCues {
        static P: LazyLock<PlaceCues> = LazyLock::new(|| PlaceCues::parse(PLACES_TOML).expect("embedded data/places.toml is valid"));
        &P
    }

    /// Whether a run of capitalised words at the start of `s` names an organisation: it ends
    /// with one of `organisation_words` ("Syrian Observatory for Human Rights", "Syrian
    /// National Coalition"), the words "for", "of", "the" allowed inside.
    pub fn opens_with_organisation(&self, s: &str) -> bool {
        let mut last_cap: Option<&str> = None;
        for w in s.split_whitespace().take(8) {
            let core = w.trim_end_matches(|c: char| !c.is_alphanumeric());
            if core.chars().next().is_some_and(char::is_uppercase) {
                if self.organisation_words.iter().any(|o| o == core) {
                    return true;
                }
                last_cap = Some(core);
            } else if !(matches!(core, "for" | "of" | "the" | "and") && last_cap.is_some()) {
                return false;
            }
            if core.len() < w.len() {
                return false;
            }
        }
        false
    }

    fn is_place_name(&self, name: &str) -> bool {
        let n = name.trim();
        let last = n.rsplit(char::is_whitespace).next().unwrap_or("");
        // (A possessive whose apostrophe scraping lost is the word: "in Mondays fighting".)
        let bare = n.strip_suffix("'s").or_else(|| n.strip_suffix("’s")).or_else(|| n.strip_suffix('s')).unwrap_or(n);
        !n.is_empty()
            && !self.not_places.iter().any(|x| x.eq_ignore_ascii_case(n) || (!n.contains(' ') && x.eq_ignore_ascii_case(bare)))
            && n.chars().any(|c| c.is_alphabetic())
            && !is_acronym(n)
            && (!n.contains(' ') || !self.organisation_words.iter().any(|w| w == last))
            && !n.split_whitespace().any(|w| self.person_words.iter().any(|p| p == w))
    }

    /// The place name inside a run of capitalised words (byte range within `name`): without a
    /// country's possessive before it ("Syrias Idlib") and without what a headline run into the
    /// text put after it ("Raqa Monitor AFP", "Aleppo Saturday").
    fn trim(&self, name: &str) -> (usize, usize) {
        let words: Vec<(usize, &str)> = name.split_whitespace().map(|w| (w.as_ptr() as usize - name.as_ptr() as usize, w)).collect();
        let is = |list: &[String], w: &str| list.iter().any(|x| x.eq_ignore_ascii_case(w));
        let first = words.iter().position(|(_, w)| !is(&self.leading_words, w)).unwrap_or(0);
        let last = words[first..].iter().skip(1).position(|(_, w)| is(&self.trailing_breaks, w)).map_or(words.len(), |i| first + 1 + i);
        match (words.get(first), last.checked_sub(1).and_then(|l| words.get(l))) {
            (Some(&(a, _)), Some(&(b, w))) => (a, b + w.len()),
            _ => (0, name.len()),
        }
    }

    /// Place mentions in a sentence, left to right; where cues overlap, the earlier cue in the
    /// file wins. `known` are names already found as places in the article: they count as
    /// places wherever they appear ("cut Marea off from Azaz").
    pub fn find(&self, s: &str, known: &[String]) -> Vec<PlaceMention> {
        let excluded: Vec<(usize, usize)> = self.reporting.find_iter(s).map(|m| (m.start(), m.end())).collect();
        let inside_excluded = |a: usize, b: usize| excluded.iter().any(|&(x, y)| a >= x && b <= y);
        let mut out: Vec<PlaceMention> = Vec::new();
        // Where a source spoke ("Speaking to ARA News in Aleppo") is no more a place here than
        // behind a cue.
        let excluded: Vec<(usize, usize)> = self.reporting.find_iter(s).map(|m| (m.start(), m.end())).collect();
        let taken = |out: &Vec<PlaceMention>, a: usize, b: usize| {
            out.iter().any(|p| a < p.end && b > p.start) || excluded.iter().any(|&(x, y)| a < y && b > x)
        };
        for cue in &self.cues {
            for c in cue.regex.captures_iter(s) {
                let whole = c.get(0).expect("whole match");
                let groups: Vec<regex::Match> = match c.name("list") {
                    Some(l) => vec![l],
                    None => (0..4).filter_map(|i| c.name(&format!("n{i}"))).collect(),
                };
                for g in groups {
                    // Split a list into names, keeping byte positions.
                    let text = g.as_str();
                    let mut pos = 0;
                    let mut pieces = Vec::new();
                    for sep in self.splitter.find_iter(text) {
                        pieces.push((pos, sep.start()));
                        pos = sep.end();
                    }
                    pieces.push((pos, text.len()));
                    for (a, b) in pieces {
                        let (a, b) = {
                            let (x, y) = self.trim(&text[a..b]);
                            (a + x, a + y)
                        };
                        let (start, end) = (g.start() + a, g.start() + b);
                        let name = strip_article(&s[start..end]);
                        if !self.is_place_name(name) || inside_excluded(start, end) || taken(&out, start, end) {
                            continue;
                        }
                        let qual = qualifier(&s[whole.start()..start]);
                        out.push(PlaceMention {
                            name: name.to_string(),
                            start,
                            end,
                            kind: cue.kind.clone(),
                            precision: cue.precision,
                            qualifier: qual,
                        });
                    }
                }
            }
        }
        for k in known {
            for (i, _) in s.match_indices(k.as_str()) {
                let end = i + k.len();
                let before = s[..i].chars().next_back();
                let after = s[end..].chars().next();
                if before.is_some_and(char::is_alphanumeric)
                    || after.is_some_and(char::is_alphanumeric)
                    || taken(&out, i, end)
                    || inside_excluded(i, end)
                {
                    continue;
                }
                out.push(PlaceMention { name: k.clone(), start: i, end, kind: "known".into(), precision: 1, qualifier: None });
            }
        }
        out.sort_by_key(|p| p.start);
        out
    }
}

/// "the Khanasser" -> "Khanasser".
fn strip_article(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix("the ").or_else(|| t.strip_prefix("The ")).unwrap_or(t)
}

/// The direction or distance words of a cue ("western", "12 km north of").
fn qualifier(cue_text: &str) -> Option<String> {
    static Q: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b((?:\d+\s?(?:km|kilometers|kilometres|miles)\s+)?(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)(?:ern)?(?: of)?|central|rural)\b").expect("valid")
    });
    Q.find(cue_text).map(|m| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<(String, String)> {
        PlaceCues::builtin().find(s, &[]).into_iter().map(|p| (p.name, p.kind)).collect()
    }

    #[test]
    fn cues() {
        assert_eq!(names("captured the town of Qereh Kubri on the border"), vec![("Qereh Kubri".into(), "town".into())]);
        assert_eq!(
            names("took control of large areas in the towns of Ahras and Tel Jabin (12 km north of Aleppo)"),
            vec![("Ahras".into(), "town".into()), ("Tel Jabin".into(), "town".into()), ("Aleppo".into(), "relative".into())]
        );
        assert_eq!(names("stormed the town of As-Safira in the southern countryside of Aleppo")[0].0, "As-Safira");
        assert_eq!(names("in the valleys of az-Zamrani and Martiba")[0].0, "az-Zamrani");
        assert_eq!(
            names("strategic locations on the Khanasser-Ithreya highway near Aleppo")[0],
            ("Khanasser-Ithreya".into(), "road".into())
        );
        assert_eq!(names("the rebel-held town of Marea north of Aleppo")[0].0, "Marea");
        assert_eq!(names("another key insurgent-held town, Azaz, was")[0].0, "Azaz");
        assert_eq!(names("Hama province")[0], ("Hama".into(), "region".into()));
        assert_eq!(names("rocket fire on Syrias second city Aleppo killed five")[0], ("Aleppo".into(), "town".into()));
        assert_eq!(names("shelling of the border town Azaz went on")[0], ("Azaz".into(), "town".into()));
        // Headline words run into the text around a place.
        assert_eq!(names("A US-led strike killed 18 civilians in the city of Syrias Raqa Monitor AFP Tuesday")[0].0, "Raqa");
        assert_eq!(names("Strike kills 15 in the town of Syrias Idlib Monitor An air strike")[0].0, "Idlib");
        assert_eq!(names("fighting in the town of Tal Abyad went on")[0].0, "Tal Abyad");
        assert_eq!(names("fighting in the city of Deir Ezzor Saturday")[0].0, "Deir Ezzor");
        assert_eq!(PlaceCues::builtin().trim("  "), (0, 2));
        assert_eq!(PlaceCues::builtin().trim(""), (0, 0));
    }

    #[test]
    fn non_places_and_reporting_places() {
        assert!(names("clashes on Thursday near the Turkish border").is_empty());
        assert!(names("Speaking to ARA News in Aleppo, he said").is_empty());
        // People and peoples are not places, nor are month abbreviations.
        assert!(names("a message from Bashar Assad to Putin in Jan was read").is_empty());
        assert!(names("clashes between Kurds and Arabs").is_empty());
        // Nor are the countries and capitals a monitor or a government is based in.
        assert!(names("the Syrian Observatory, a monitoring group based in the UK, reported the strikes").is_empty());
        assert_eq!(names("he told ARA News in Qalamoun that fighting in Idlib went on")[0].0, "Idlib");
    }

    #[test]
    fn organisations_are_not_places() {
        assert!(names("students gathered at Aleppo University on Monday").is_empty());
        assert!(names("a statement from the Hama Military Council said").is_empty());
        // Nor are people with their titles.
        assert!(names("a letter to UN Secretary General Antonio Guterres in the town of Wednesday US Defence Secretary").is_empty());
        assert!(names("rebels in the city of President Bashar al-Assad").is_empty());
        assert_eq!(names("clashes near the Sheikh Maqsoud district")[0].0, "Sheikh Maqsoud");
        assert_eq!(names("fighting in Aleppo city went on")[0].0, "Aleppo");
    }

    struct Names(&'static [&'static str]);
    impl Toponyms for Names {
        fn is_toponym(&self, name: &str) -> bool {
            self.0.contains(&name)
        }
    }

    #[test]
    fn gazetteer_names_without_a_cue() {
        let g = Names(&["Kafr Nabudah", "Hajin", "Rami", "Aleppo"]);
        let found = |s: &str| PlaceCues::builtin().find_with(s, &[], &g).into_iter().map(|p| (p.name, p.kind)).collect::<Vec<_>>();
        assert_eq!(found("Regime forces seized Kafr Nabudah from HTS on Thursday."), vec![("Kafr Nabudah".into(), "gazetteer".into())]);
        assert_eq!(
            found("Coalition artillery pounded positions inside Hajin, the monitor said."),
            vec![("Hajin".into(), "gazetteer".into())]
        );
        // A run that speaks is a person; a name opening the sentence is not looked up alone.
        assert!(found("the head of the monitor Rami Abdel Rahman said.").is_empty());
        assert!(found("Hajin was quiet.").is_empty());
        // Multi-byte spaces and letters keep their boundaries.
        assert_eq!(found("shelling\u{a0}hit\u{a0}Hajin\u{a0}on Friday")[0].0, "Hajin");
        assert!(found("Ä\u{a0}Ö ü\u{a0}").is_empty());
        // Outlets and groups named with a place are not the place; capitals abbreviate.
        let g = Names(&["ARA", "Aleppo", "Hajin"]);
        let found = |s: &str| PlaceCues::builtin().find_with(s, &[], &g).into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert!(found("the clashes went on, an activist told ARA News on Tuesday.").is_empty());
        assert!(found("fighters of the Aleppo Front advanced").is_empty());
        assert!(found("the fighters ARA held the road").is_empty());
        assert_eq!(found("fighters of the Aleppo Front advanced on Hajin"), vec!["Hajin".to_string()]);
        assert!(found("ISIS cut the supply line between Aleppo and Hajin.").is_empty());
        assert!(found("Speaking to ARA News in Aleppo, an activist said the road was cut.").is_empty());
        let p = PlaceCues::builtin();
        assert!(p.opens_with_organisation("Syrian Observatory for Human Rights said"));
        assert!(p.opens_with_organisation("Syrian National Coalition, which"));
        assert!(!p.opens_with_organisation("Aleppo on Friday"));
    }

    struct Regions;
    impl Toponyms for Regions {
        fn is_toponym(&self, name: &str) -> bool {
            ["Hama", "Aleppo", "Marjeh", "Kafr Nabl", "Zara"].contains(&name)
        }
        fn is_region(&self, name: &str) -> bool {
            ["Hama", "Aleppo"].contains(&name)
        }
    }

    #[test]
    fn title_case_runs_are_cut_to_the_known_name() {
        let found = |s: &str| PlaceCues::builtin().find_with(s, &[], &Regions).into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(found("Syrian Army Kills over 125 Terrorists in Hama Breaks Siege."), vec!["Hama"]);
        assert_eq!(found("Air raids on Aleppos Marjeh district killed at least 10 people"), vec!["Marjeh"]);
        assert_eq!(found("shelling in Kafr Nabl on Friday"), vec!["Kafr Nabl"]);
        // An unknown village keeps its whole name.
        assert_eq!(found("shelling in Tal Abu Zanad on Friday"), vec!["Tal Abu Zanad"]);
        // A headline's cue name: cut to the known name it opens with, or no place at all.
        assert_eq!(found("Regime Barrel Bombs in Zara After Rebel Advance"), vec!["Zara"]);
        assert!(found("Gas Attack on Syrian Town After Russian Helicopter Downed").is_empty());
        // A weekday with a possessive lost is no place.
        assert!(found("troops were killed in Mondays fighting").is_empty());
    }

    #[test]
    fn known_places_count_without_a_cue() {
        let p = PlaceCues::builtin().find("an advance that cut Marea off from Azaz", &["Marea".to_string()]);
        assert_eq!(p[0].name, "Marea");
    }
}
