//! The actor dictionary (`data/actors.toml`) and finding actors in sentences.

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

const ACTORS_TOML: &str = include_str!("../../data/actors.toml");

/// One actor of the dictionary.
#[derive(Debug, Clone, Deserialize)]
pub struct Actor {
    pub name: String,
    pub kind: String,
    pub side: String,
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
}

#[derive(Debug, Deserialize)]
struct Generic {
    phrase: String,
    sides: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    version: u32,
    actor: Vec<Actor>,
    #[serde(default)]
    generic: Vec<Generic>,
}

/// What a matched phrase stands for.
#[derive(Debug, Clone)]
enum Entry {
    Actor(usize),
    Generic(Vec<String>),
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
}

/// An actor as an event reports it: the canonical name and the words in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRef {
    pub name: String,
    pub text: String,
    pub side: String,
}

/// An actor mention in a sentence (byte range in the sentence). `actor` is `None` for a generic
/// phrase not yet resolved.
#[derive(Debug, Clone)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub actor: Option<usize>,
    pub generic_sides: Vec<String>,
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
        let file: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        if file.version != 1 {
            return Err(format!("unsupported actors file version {}", file.version));
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
            folded_pats.push(g.phrase.to_ascii_lowercase());
            folded_entries.push(Entry::Generic(g.sides.clone()));
        }
        for p in &file.actor {
            if let Some(parent) = &p.parent {
                if !by_name.contains_key(&parent.to_lowercase()) {
                    return Err(format!("actor {}: unknown parent {parent}", p.name));
                }
            }
        }
        let build = |pats: &[String]| AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(pats).map_err(|e| e.to_string());
        Ok(ActorDict {
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

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.to_lowercase()).copied()
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

    fn mentions_plain(&self, s: &str) -> Vec<Mention> {
        let lower = s.to_ascii_lowercase();
        let mut raw: Vec<Mention> = Vec::new();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
        let mut push = |start: usize, end: usize, e: &Entry| {
            let before = s[..start].chars().next_back();
            let after = s[end..].chars().next();
            // "ISIS’s", "ISIS'" are fine; "ISISx" is not.
            if word(before) || word(after) {
                return;
            }
            let (actor, generic_sides) = match e {
                Entry::Actor(i) => (Some(*i), Vec::new()),
                Entry::Generic(sides) => (None, sides.clone()),
            };
            raw.push(Mention { start, end, actor, generic_sides });
        };
        for m in self.folded.find_iter(&lower) {
            push(m.start(), m.end(), &self.folded_entries[m.pattern().as_usize()]);
        }
        for m in self.exact.find_iter(s) {
            push(m.start(), m.end(), &self.exact_entries[m.pattern().as_usize()]);
        }
        raw.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        // Drop mentions inside others.
        let mut out: Vec<Mention> = Vec::new();
        for m in raw {
            if out.last().is_some_and(|l| m.start < l.end) {
                continue;
            }
            out.push(m);
        }
        // Join the mentions of one noun phrase.
        let mut joined: Vec<Mention> = Vec::new();
        for m in out {
            if let Some(prev) = joined.last_mut() {
                let gap = s[prev.end..m.start].trim();
                let gap_l = gap.to_ascii_lowercase();
                let links = [
                    "",
                    "of the",
                    "of",
                    "from",
                    "from the",
                    "(",
                    "the",
                    "in the ranks of",
                    "members of",
                    "belonging to",
                    "belonging to the",
                ];
                if links.contains(&gap_l.as_str()) || (gap.starts_with('(') && gap.len() < 40 && !gap.contains(')')) {
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
                    if same_or_related {
                        if prefer_new {
                            prev.actor = m.actor;
                            prev.generic_sides = m.generic_sides.clone();
                        }
                        prev.end = m.end;
                        continue;
                    }
                }
            }
            joined.push(m);
        }
        joined
    }
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
