//! Numbers in news prose ("seven", "11", "more than 20", "at least 27", "dozens", "several",
//! "a number of") and the casualty counts built from them ("killing 17 militants",
//! "at least seven civilians were killed", "11 others were wounded").

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// How a figure is bounded in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// "seven", "11".
    #[default]
    Exact,
    /// "at least 27", "more than 20", "over a dozen", "dozens".
    AtLeast,
    /// "about 30", "nearly 40".
    About,
    /// "up to 50".
    AtMost,
    /// No figure in the text: deaths reported without a number (ACLED's 3, or 10 for a
    /// significant attack).
    Unstated,
}

/// A figure read from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    pub value: u32,
    pub bound: Bound,
}

const UNITS: &[(&str, u32)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];
const TENS: &[(&str, u32)] =
    &[("twenty", 20), ("thirty", 30), ("forty", 40), ("fifty", 50), ("sixty", 60), ("seventy", 70), ("eighty", 80), ("ninety", 90)];
/// Vague quantities, coded by ACLED's conventions: the most conservative reading.
const VAGUE: &[(&str, u32)] = &[
    ("a dozen", 12),
    ("dozens", 12),
    ("tens", 10),
    ("scores", 20),
    ("hundreds", 100),
    ("thousands", 1000),
    ("several", 3),
    ("a number", 3),
    ("a few", 3),
    ("few", 3),
    ("many", 3),
    ("a handful", 3),
    ("some", 3),
];

static QTY: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<&str> = UNITS.iter().chain(TENS.iter()).map(|(w, _)| *w).collect();
    let vague: Vec<&str> = VAGUE.iter().map(|(w, _)| *w).collect();
    let p = format!(
        r"(?i)\b(?P<bound>at least|more than|over|nearly|almost|about|around|approximately|roughly|some|up to|as many as|no fewer than|no less than|at most)?\s*(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{})(?:[- ](?:{}))?|{})\b",
        words.join("|"),
        UNITS[1..10].iter().map(|(w, _)| *w).collect::<Vec<_>>().join("|"),
        vague.join("|")
    );
    Regex::new(&crate::extract::lexicon::spaces(&p)).expect("valid quantity regex")
});

/// Parses one number word or numeral ("seventeen", "twenty-one", "6,000", "dozens").
fn value_of(num: &str) -> Option<(u32, bool)> {
    let n = num.to_ascii_lowercase();
    if let Some(&(_, v)) = VAGUE.iter().find(|(w, _)| *w == n) {
        return Some((v, true));
    }
    if n.chars().next()?.is_ascii_digit() {
        return n.replace(',', "").parse().ok().map(|v| (v, false));
    }
    let mut total = 0;
    for part in n.split(['-', ' ']) {
        let v = UNITS.iter().chain(TENS.iter()).find(|(w, _)| *w == part)?.1;
        total += v;
    }
    Some((total, false))
}

/// All quantities in `s`, with their byte ranges.
pub fn quantities(s: &str) -> Vec<(Quantity, usize, usize)> {
    let mut out = Vec::new();
    for c in QTY.captures_iter(s) {
        let m = c.get(0).expect("whole match");
        let num = &c["num"];
        let Some((value, vague)) = value_of(num) else {
            continue;
        };
        // "some" and "a number" need a following noun or "of" to be quantities; a year or a
        // time is not a count.
        if num.eq_ignore_ascii_case("some") && c.name("bound").is_none() {
            continue;
        }
        if (1900..=2100).contains(&value) && !num.contains(',') {
            continue;
        }
        // A day of a month is a date, not a count ("on August 24", "24 August").
        let word_before = s[..m.start()].trim_end().rsplit(|c: char| !c.is_alphanumeric() && c != '.').next().unwrap_or("");
        let word_after = s[m.end()..].trim_start().split(|c: char| !c.is_alphanumeric() && c != '.').next().unwrap_or("");
        if value <= 31 && c.name("bound").is_none() && (crate::dates::is_month_name(word_before) || crate::dates::is_month_name(word_after))
        {
            continue;
        }
        let bound = match c.name("bound").map(|b| b.as_str().to_ascii_lowercase()) {
            Some(b) if ["at least", "more than", "over", "no fewer than", "no less than"].contains(&b.as_str()) => Bound::AtLeast,
            Some(b) if ["up to", "as many as", "at most"].contains(&b.as_str()) => Bound::AtMost,
            Some(_) => Bound::About,
            None if vague => Bound::AtLeast,
            None => Bound::Exact,
        };
        let start = c.name("bound").map_or_else(|| c.name("num").map_or(m.start(), |n| n.start()), |b| b.start());
        // An age ("a 25-year-old woman", "a 10 year old boy") or a measure ("during 24
        // hours", "5 km from the town") counts no one.
        if AGE.is_match(&s[m.end()..]) || MEASURE.is_match(&s[m.end()..]) {
            continue;
        }
        // "between 229 and 425": one count, the lower figure at least (ACLED: conservative).
        if let Some(prev) = out.last_mut() {
            let (pq, ps, pe): &mut (Quantity, usize, usize) = prev;
            let before = s[..*ps].trim_end();
            // `get`: the seven bytes before may cut a character in two.
            if before.len() >= 7
                && before.get(before.len() - 7..).is_some_and(|w| w.eq_ignore_ascii_case("between"))
                && s[*pe..start].trim().eq_ignore_ascii_case("and")
            {
                *pq = Quantity { value: pq.value.min(value), bound: Bound::AtLeast };
                *pe = m.end();
                continue;
            }
        }
        out.push((Quantity { value, bound }, start, m.end()));
    }
    out
}

/// Whether a casualty count is of deaths or of injuries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Harm {
    Killed,
    Injured,
}

/// A casualty count read from a sentence: how many, of what harm, and the words naming the
/// victims (byte range in the sentence) so that their side can be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Casualty {
    pub harm: Harm,
    pub quantity: Quantity,
    pub victims: (usize, usize),
}

static HARM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&crate::extract::lexicon::spaces(r"(?i)\b(?:put|beat|beaten|tortured|stabbed|hacked|clubbed|burned|burnt|shot)\s+(?P<between>(?:[\w-]+\s+){1,4}?)(?:to death|dead)\b|\b(?P<active>put to death|killing|wounding|injuring|claiming the lives of|claims the lives of|leaving|leaves|left|kills|kill|wounds|wound|injures|injure|claim the lives of|executes|killed|wounded|injured|executed|executing|beheaded|beheading|beheads|behead|massacred|slaughtered|shot dead|gunned down|stoned|stoning|crucified|crucifying|lynched|lynching|(?:tortured|beaten|stabbed|hacked|burned|burnt) to death|burned alive|burnt alive)\b|\b(?P<passive>killed|dead|died|slain|wounded|injured|hurt|lost their lives|perished|martyred|martyrs)\b|\b(?P<toll>death toll|toll)\b"))
        .expect("valid harm regex")
});

static PASSIVE_AUX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&crate::extract::lexicon::spaces(r"(?i)\b(?:were|was|been|are|is|being)\s+(?:\w+\s+)?$")).expect("valid"));
static AND_HARM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&crate::extract::lexicon::spaces(r"(?i)^\s*and\s+(?:killing|wounding|injuring|killed|wounded|injured)\b")).expect("valid")
});
static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^[\w\s'-]*?\s(?:and|as well as|plus)\s+$").expect("valid"));
/// "three civilians including one child": the second count is part of the first.
/// What lies between two counts of one list of victims: a few words of a noun phrase, then
/// "and" or a comma ("HTS militants and ", "women, ").
static JOINED_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?P<np>(?:\s+[\w'-]+){0,4}?)(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|\s+as well as\s+)$").expect("valid"));
static PART_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:including|among them|among whom|of whom|of them)\b").expect("valid"));
static SUBSET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[\w\s',-]*?\s(?:including|among them|among whom|of whom|of them)\s+$").expect("valid"));
/// "killed, including two women": a count right after a harm word and a subset word is a
/// part of a count told elsewhere, never the count of that harm.
static SUBSET_LEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[\s,]*(?:including|among them|among whom|of whom|of them)\s+$").expect("valid"));

/// A count that a harm word right after it owns ("6 citizens killed 22 injured", "two
/// patients killed and eight injured"): not the count of an active harm word before it.
static OWNED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&crate::extract::lexicon::spaces(
        r"(?i)^\s*(?:[a-z]+\s+){0,2}?(?:(?:were|was|are|have been|had been)\s+)?(?:killed|wounded|injured|hurt)\b",
    ))
    .expect("valid")
});

/// Whether the count ending at `end` is owned by a harm word right after it ([`OWNED_AFTER`]),
/// used passively: "22 injured", not "five people and wounded 12" (the harm word right before a
/// number of its own).
fn owned_after(s: &str, qs: &[(Quantity, usize, usize)], end: usize) -> bool {
    OWNED_AFTER.find(&s[end..]).is_some_and(|m| {
        let words = m.as_str().to_ascii_lowercase();
        let after = end + m.end();
        !words.split_whitespace().any(|w| matches!(w, "and" | "or" | "as" | "while"))
            && !qs.iter().any(|x| x.1 >= after && words_between(s, after, x.1) == 0)
    })
}

/// What makes a number an age: "-year-old", " years old", "-month-old".
static AGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^[\s-]*(?:year|years|month|months)[\s-]*old\b").expect("valid"));
/// What makes a number a measure of time, distance or share, not a count of people.
static MEASURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[\s-]*(?:(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|km|kms|kilomet(?:er|re)s?|miles?|met(?:er|re)s?|percent|per cent)\b|%)").expect("valid")
});
/// A singular subject of a passive harm word ("A woman was killed", "He was wounded"): the
/// auxiliary is singular and no count stands before it.
static SINGULAR_PASSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&crate::extract::lexicon::spaces(r"(?i)\b(?:was|has been|is)\s+(?:\w+ly\s+)?(?:shot\s+)?$")).expect("valid")
});
/// Words that end a noun phrase after "a"/"an" ("a young man from Tafas").
const PHRASE_ENDS: &[&str] = &[
    "in", "on", "at", "near", "from", "with", "and", "who", "when", "while", "after", "during", "by", "of", "as", "inside", "outside", "to",
];

/// One victim named in the singular right after an active harm word: "killing a 25-year-old
/// woman", "shot dead a teacher", "wounding an elderly man". Not "a number of", "a dozen".
fn singular_victim(tail: &str) -> bool {
    let mut words = tail.split_whitespace();
    if !matches!(words.next().map(|w| w.to_ascii_lowercase()).as_deref(), Some("a" | "an" | "one")) {
        return false;
    }
    let mut head: Option<&str> = None;
    for w in words.take(4) {
        let core = w.trim_end_matches(|c: char| !c.is_alphanumeric());
        // (A harm word ends it: "kill a woman injure 9".)
        if PHRASE_ENDS.contains(&core.to_ascii_lowercase().as_str()) || core.is_empty() || HARM.is_match(core) {
            break;
        }
        head = Some(core);
        if core.len() < w.len() {
            break; // punctuation ends the phrase
        }
    }
    head.is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        !matches!(h.as_str(), "number" | "dozen" | "few" | "handful" | "lot" | "score" | "total" | "group" | "family")
            && (!h.ends_with('s') || h.ends_with("ss"))
            && h.chars().any(|c| c.is_alphabetic())
    })
}

fn harm_of(word: &str) -> Harm {
    let w = word.to_ascii_lowercase();
    if w.starts_with("wound") || w.starts_with("injur") || w == "hurt" {
        Harm::Injured
    } else {
        Harm::Killed
    }
}

/// Casualty counts in a sentence.
/// The byte ranges of the words of harm in a sentence ("were killed", "wounding", "shot dead").
pub fn harm_words(s: &str) -> Vec<(usize, usize)> {
    HARM.find_iter(s).map(|m| (m.start(), m.end())).collect()
}

pub fn casualties(s: &str) -> Vec<Casualty> {
    let qs = quantities(s);
    let mut scan = CasualtyScan { s, qs: &qs, out: Vec::new(), used: Vec::new() };
    for c in HARM.captures_iter(s) {
        let m = c.get(0).expect("whole match");
        let word = m.as_str();
        let is_passive = is_passive_harm(s, &qs, &c);
        if c.name("toll").is_some() {
            scan.toll(m.end());
            continue;
        }
        let harm = harm_of(word);
        // "put five men to death", "beat a woman to death": the victims are between the words.
        if let Some(b) = c.name("between") {
            scan.active(Harm::Killed, word, b.start());
            continue;
        }
        if is_passive {
            scan.passive(harm, m.start());
        } else {
            scan.active(harm, word, m.end());
        }
    }
    let mut out = scan.out;
    // The victims' span must lie on character boundaries.
    for c in &mut out {
        while !s.is_char_boundary(c.victims.1) {
            c.victims.1 -= 1;
        }
    }
    out
}

/// Whether a harm word ([`HARM`]) is said of its victims before it: a passive ("were killed",
/// "dead") or a reduced relative clause ("31 people killed on Saturday").
fn is_passive_harm(s: &str, qs: &[(Quantity, usize, usize)], c: &regex::Captures) -> bool {
    let m = c.get(0).expect("whole match");
    let word = m.as_str();
    let before = &s[..m.start()];
    let passive_aux = &*PASSIVE_AUX;
    c.name("passive").is_some()
        && (passive_aux.is_match(before) || matches!(word.to_ascii_lowercase().as_str(), "dead" | "died" | "slain" | "perished" | "lost their lives" | "martyrs"))
        || (c.name("active").is_some() && passive_aux.is_match(before))
        // A reduced relative clause: "among at least 31 people killed on Saturday".
        || (c.name("active").is_some()
            && (word.ends_with("ed") || word.ends_with("dead") || word.ends_with("down"))
            && !qs.iter().any(|q| {
                q.1 >= m.end()
                    && words_between(s, m.end(), q.1) <= 2
                    && !SUBSET_LEAD.is_match(&s[m.end()..q.1])
                    && !owned_after(s, qs, q.2)
                    && !s[m.end()..q.1].trim().eq_ignore_ascii_case("by")
            })
            && qs.iter().any(|q| q.2 <= m.start() && words_between(s, q.2, m.start()) <= 2))
}

/// A sentence's casualty counts as they are read, harm word by harm word.
struct CasualtyScan<'x> {
    s: &'x str,
    /// The sentence's quantities: [`quantities`].
    qs: &'x [(Quantity, usize, usize)],
    out: Vec<Casualty>,
    /// The quantities counted already (indices into `qs`).
    used: Vec<usize>,
}

impl CasualtyScan<'_> {
    /// A death toll ending at `end`: the first quantity within a few words after.
    fn toll(&mut self, end: usize) {
        let (s, qs) = (self.s, self.qs);
        // "the death toll rose to 112": the first quantity within a few words after.
        if let Some((i, q)) = qs.iter().enumerate().find(|(i, q)| !self.used.contains(i) && q.1 >= end && words_between(s, end, q.1) <= 5) {
            self.used.push(i);
            self.out.push(Casualty { harm: Harm::Killed, quantity: q.0, victims: (q.2, q.2) });
        }
    }

    /// A passive harm word starting at `start`: the count before it, one victim named in the
    /// singular, or an unstated count of dead.
    fn passive(&mut self, harm: Harm, start: usize) {
        let (s, qs) = (self.s, self.qs);
        let before = &s[..start];
        // "seven civilians were killed": the nearest quantity before, within the clause.
        // When that one is counted already ("has left two patients dead"), this word is
        // the same casualty: no reaching past it to a farther number ("a clinic serving
        // thousands of Syrians").
        let found = qs
            .iter()
            .enumerate()
            .rev()
            .find(|(_, q)| q.2 <= start && words_between(s, q.2, start) <= 14 && !s[q.2..start].contains([';', ':']));
        let found = found.map(|(i, _)| {
            // "10 people, including 3 children and 2 women, were killed": the whole of the
            // list's parts.
            let head = self.list_head(i);
            let whole = self.whole_count(head);
            let i = if whole != head && !self.used.contains(&whole) {
                self.used.extend(head..=i);
                whole
            } else {
                self.whole_count(i)
            };
            (i, &qs[i])
        });
        match found {
            Some((i, _)) if self.used.contains(&i) => {}
            Some((i, q)) => {
                self.used.push(i);
                self.out.push(Casualty { harm, quantity: q.0, victims: (q.2, start) });
                self.joined_counts(harm, i);
            }
            None if SINGULAR_PASSIVE.is_match(before) => {
                let from = before.rfind(['.', ',', ';']).map_or(0, |i| i + 1);
                self.out.push(Casualty { harm, quantity: Quantity { value: 1, bound: Bound::Exact }, victims: (from, start) });
            }
            None => {
                if harm == Harm::Killed {
                    self.out.push(Casualty { harm, quantity: Quantity { value: 0, bound: Bound::Unstated }, victims: (start, start) });
                }
            }
        }
    }

    /// The first count of the list of counts that ends with count `i` ("3 children and 2 women").
    fn list_head(&self, mut i: usize) -> usize {
        while i > 0 && !self.used.contains(&(i - 1)) && JOINED_COUNT.is_match(&self.s[self.qs[i - 1].2..self.qs[i].1]) {
            i -= 1;
        }
        i
    }

    /// The counts joined before count `i` of the same harm ("5 HTS militants and 3 regime
    /// soldiers were killed", "two women, a child and 3 men were wounded"): each its own part.
    fn joined_counts(&mut self, harm: Harm, mut i: usize) {
        let (s, qs) = (self.s, self.qs);
        while let Some(j) = i.checked_sub(1) {
            let gap = &s[qs[j].2..qs[i].1];
            let Some(c) = JOINED_COUNT.captures(gap).filter(|_| !self.used.contains(&j)) else { break };
            // (Parts of a whole told before them are the whole's: "10 people, including 3
            // children and 2 women".)
            let clause = s[..qs[j].1].rsplit(['.', ';']).next().unwrap_or("");
            if PART_WORDS.is_match(clause) {
                break;
            }
            self.used.push(j);
            let end = qs[j].2 + c.name("np").map_or(0, |m| m.end());
            self.out.push(Casualty { harm, quantity: qs[j].0, victims: (qs[j].2, end) });
            i = j;
        }
    }

    /// The whole count quantity `i` is part of ("13 people including six children"): the parts
    /// on the way are counted.
    fn whole_count(&mut self, mut i: usize) -> usize {
        let (s, qs) = (self.s, self.qs);
        // "13 people including six children were killed": the whole count, not its part.
        while let Some(j) = (0..i).rev().find(|&j| qs[j].2 <= qs[i].1 && qs[i].1 - qs[j].2 < 60 && SUBSET.is_match(&s[qs[j].2..qs[i].1])) {
            self.used.push(i);
            i = j;
        }
        i
    }

    /// An active harm word `word` ending at `end`: the counts after it, one victim named in
    /// the singular, or an unstated count of dead.
    fn active(&mut self, harm: Harm, word: &str, end: usize) {
        let s = self.s;
        // "killing 17 militants", "killing and wounding several rebels": quantities after.
        let mut pos = end;
        let tail = &s[pos..];
        let lead = &*AND_HARM;
        let mut harms = vec![harm];
        if let Some(l) = lead.find(tail) {
            harms.push(harm_of(l.as_str().split_whitespace().last().unwrap_or("")));
            pos += l.end();
        }
        let (pos, mut any) = self.counts_after(pos, &harms);
        if !any && singular_victim(&s[pos..]) {
            let stop = s[pos..].find([',', ';', '.']).map_or(s.len(), |e| pos + e);
            for &h in &harms {
                self.out.push(Casualty { harm: h, quantity: Quantity { value: 1, bound: Bound::Exact }, victims: (pos, stop) });
            }
            any = true;
        }
        if !any && harm == Harm::Killed && !word.eq_ignore_ascii_case("left") && !word.eq_ignore_ascii_case("leaving") {
            self.out.push(Casualty {
                harm,
                quantity: Quantity { value: 0, bound: Bound::Unstated },
                victims: (end, (end + 40).min(s.len())),
            });
        }
    }

    /// The counts right after an active harm word, from `pos`, linked ones too ("27 civilians as
    /// well as 41 combatants"), each of every harm of `harms`: where the reading stopped, and
    /// whether any was found.
    fn counts_after(&mut self, mut pos: usize, harms: &[Harm]) -> (usize, bool) {
        let (s, qs) = (self.s, self.qs);
        let mut any = false;
        while let Some((i, q)) = qs.iter().enumerate().find(|(i, q)| {
            !self.used.contains(i)
                    && q.1 >= pos
                    && words_between(s, pos, q.1) <= 2
                    && !SUBSET_LEAD.is_match(&s[pos..q.1])
                    && !owned_after(s, qs, q.2)
                    // ("wounded by four bombs": a by-phrase counts no victims.)
                    && !s[pos..q.1].trim().eq_ignore_ascii_case("by")
        }) {
            self.used.push(i);
            // The victims run to the next quantity, clause break or end.
            let stop = s[q.2..].find([',', ';', '.']).map_or(s.len(), |e| q.2 + e);
            let next_q = qs.iter().find(|x| x.1 > q.2).map_or(s.len(), |x| x.1);
            let end = stop.min(next_q);
            for &h in harms {
                self.out.push(Casualty { harm: h, quantity: q.0, victims: (q.2, end) });
            }
            any = true;
            // "27 civilians as well as 41 combatants"
            let link = &*LINK;
            match qs.iter().enumerate().find(|(_, x)| x.1 >= end) {
                Some((_, nx)) if link.is_match(&s[q.2..nx.1]) && nx.1 - q.2 < 60 => pos = nx.1,
                // Counted already: no later harm word may count it again.
                Some((j, nx)) if SUBSET.is_match(&s[q.2..nx.1]) && nx.1 - q.2 < 60 => {
                    self.used.push(j);
                    break;
                }
                _ => break,
            }
        }
        (pos, any)
    }
}

fn words_between(s: &str, a: usize, b: usize) -> usize {
    if a >= b {
        return 0;
    }
    s[a..b].split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<(u32, Bound)> {
        quantities(s).into_iter().map(|(q, _, _)| (q.value, q.bound)).collect()
    }

    #[test]
    fn numerals_words_and_vague_quantities() {
        assert_eq!(q("seven civilians"), vec![(7, Bound::Exact)]);
        assert_eq!(q("11 others"), vec![(11, Bound::Exact)]);
        assert_eq!(q("more than 20 members"), vec![(20, Bound::AtLeast)]);
        assert_eq!(q("at least 27 civilians"), vec![(27, Bound::AtLeast)]);
        assert_eq!(q("dozens of people"), vec![(12, Bound::AtLeast)]);
        assert_eq!(q("over a dozen more"), vec![(12, Bound::AtLeast)]);
        assert_eq!(q("several rebels"), vec![(3, Bound::AtLeast)]);
        assert_eq!(q("a number of shells"), vec![(3, Bound::AtLeast)]);
        assert_eq!(q("twenty-one fighters"), vec![(21, Bound::Exact)]);
        assert_eq!(q("about 30 soldiers"), vec![(30, Bound::About)]);
        assert_eq!(q("tens of people and hundreds of families"), vec![(10, Bound::AtLeast), (100, Bound::AtLeast)]);
        assert_eq!(q("6,000 civilians"), vec![(6000, Bound::Exact)]);
        assert_eq!(q("In 2015, the leadership"), vec![]);
    }

    fn cas(s: &str) -> Vec<(Harm, u32, Bound, String)> {
        casualties(s)
            .into_iter()
            .map(|c| (c.harm, c.quantity.value, c.quantity.bound, s[c.victims.0..c.victims.1].trim().to_string()))
            .collect()
    }

    #[test]
    fn a_range_is_one_count_at_its_lower_figure() {
        assert_eq!(q("airstrikes have killed between 229 and 425 civilians"), vec![(229, Bound::AtLeast)]);
        assert_eq!(cas("Strikes killed between 229 and 425 civilians.").len(), 1);
    }

    #[test]
    fn deaths_told_by_their_manner_and_a_singular_victim_before_another_harm() {
        let killed = |s: &str| cas(s).iter().filter(|c| c.0 == Harm::Killed).map(|c| c.1).collect::<Vec<_>>();
        assert_eq!(killed("Militants stoned two women to death in Raqqa."), vec![2]);
        assert_eq!(killed("Two women were stoned to death in Raqqa."), vec![2]);
        assert_eq!(killed("Three men were crucified in the town square."), vec![3]);
        assert_eq!(killed("Terrorist attacks kill a woman injure 9 in Hasaka."), vec![1]);
    }

    #[test]
    fn a_measure_counts_no_one() {
        assert_eq!(q("during 24 hours, 5 km away, 40% of them, for three days"), vec![]);
        let c = cas("8 soldiers killed during 24 hours of clashes in Aleppo");
        assert_eq!(c.iter().map(|c| c.1).collect::<Vec<_>>(), vec![8]);
    }

    #[test]
    fn a_counted_number_is_not_passed_over() {
        assert_eq!(
            cas("An attack on a clinic serving thousands of Syrians in Aleppo has left two patients dead."),
            vec![(Harm::Killed, 2, Bound::Exact, "patients dead".to_string())]
        );
    }

    #[test]
    fn a_count_belongs_to_the_harm_word_right_after_it() {
        let by_harm = |s: &str| cas(s).into_iter().map(|c| (c.0, c.1)).collect::<Vec<_>>();
        assert_eq!(by_harm("6 citizens killed 22 injured in attacks with shells."), vec![(Harm::Killed, 6), (Harm::Injured, 22)]);
        assert_eq!(by_harm("Two patients killed and eight injured by four bombs."), vec![(Harm::Killed, 2), (Harm::Injured, 8)]);
        // (An active harm word after the count does not own it.)
        assert_eq!(by_harm("Air strikes killed five people and wounded 12."), vec![(Harm::Killed, 5), (Harm::Injured, 12)]);
        // Headline present tense, plural subject.
        assert_eq!(by_harm("Warplanes kill 6 persons at least in a village east of Hama"), vec![(Harm::Killed, 6)]);
    }

    #[test]
    fn casualty_forms() {
        assert_eq!(
            cas("At least seven civilians were killed and 11 others were wounded in the shelling"),
            vec![
                (Harm::Killed, 7, Bound::AtLeast, "civilians were".to_string()),
                (Harm::Injured, 11, Bound::Exact, "others were".to_string())
            ]
        );
        let c = cas("ISIS repelled the attack, killing 17 militants of the Nusra and injuring over a dozen more, forcing it to retreat");
        assert_eq!((c[0].0, c[0].1), (Harm::Killed, 17));
        assert!(c[0].3.contains("Nusra"));
        assert_eq!((c[1].0, c[1].1, c[1].2), (Harm::Injured, 12, Bound::AtLeast));
        let c = cas("attacked their headquarters with mortar shells, killing and wounding several rebels.");
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].0, c[0].1, c[1].0), (Harm::Killed, 3, Harm::Injured));
        assert_eq!(cas("dozens were reportedly killed on both sides")[0].1, 12);
        let c = cas("The fighting has killed at least 27 civilians as well as 41 combatants, the Observatory said.");
        assert_eq!(c.iter().map(|x| x.1).collect::<Vec<_>>(), vec![27, 41]);
        // A part of a count is not added to it, with or without its commas.
        let c = cas("Shelling on the area killed three civilians including one child the observatory said.");
        assert_eq!(c.iter().map(|x| x.1).collect::<Vec<_>>(), vec![3]);
        let c = cas("Air strikes killed at least 21 civilians, eight of them children, and wounded dozens.");
        assert_eq!(c.iter().filter(|x| x.0 == Harm::Killed).map(|x| x.1).collect::<Vec<_>>(), vec![21]);
        let c = cas("A bomb blast killed 19 people including five children were killed in the south");
        assert_eq!(c.iter().map(|x| x.1).collect::<Vec<_>>(), vec![19]);
        assert_eq!(cas("more than 20 members of al-Quds group were killed")[0].1, 20);
        let c = cas("13 people including six children were killed in the strike");
        assert_eq!(c.iter().map(|x| x.1).collect::<Vec<_>>(), vec![13], "{c:?}");
        let c = cas("Three killed including 2 women, 29 injured in the shelling");
        assert_eq!(c.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(), vec![(Harm::Killed, 3), (Harm::Injured, 29)], "{c:?}");
        let c = cas("Two medics were among at least 31 people killed on Saturday in government shelling of the town.");
        assert_eq!((c[0].1, c[0].2), (31, Bound::AtLeast), "{c:?}");
        assert_eq!(cas("the 12 fighters killed in the raid were buried")[0].1, 12);
        assert_eq!(cas("The death toll rose to 112 on Sunday")[0].1, 112);
        // Non-ASCII right before a count (a cut character must not panic).
        assert!(quantities("DলퟂÕ 12 men").iter().all(|q| q.0.value == 12));
        assert_eq!(cas("Shelling killed civilians in the town")[0].2, Bound::Unstated);
        // One victim in the singular is one.
        assert_eq!(cas("A grenade killed a 25-year-old woman in Afrin")[0].1, 1);
        assert_eq!(cas("Gunmen shot dead a teacher on Monday")[0].1, 1);
        assert_eq!(cas("A child was killed and six other civilians wounded")[0].1, 1);
        assert_eq!(cas("the strike killed a number of fighters")[0].1, 3);
        // Headlines speak in the present.
        assert_eq!(cas("Air strike kills 18 persons in Raqqa")[0].1, 18);
        assert_eq!(cas("Shelling wounds five children in Douma")[0].0, Harm::Injured);
        assert_eq!(cas("the blast killed a family in its home")[0].2, Bound::Unstated);
        assert!(cas("No one was hurt and fighters left the area").iter().all(|c| c.2 == Bound::Unstated || c.0 == Harm::Injured));
    }
}
