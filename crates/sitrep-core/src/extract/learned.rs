//! The learned sentence typer: multinomial logistic regression over hashed word and
//! character n-grams, trained from the annotated corpus's train part (`sitrep train typer`).
//!
//! A sentence's classes are ACLED's 25 sub-event types ([`Typology`], `data/typology.tsv`)
//! and "none". The model is a versioned data file (`data/typer.tsv.gz`, format below),
//! embedded; training is deterministic (a fixed example order from a seeded shuffle, one
//! thread, weights rounded to 1e-4), so the same corpus gives the same bytes.
//!
//! Model file, gzip-compressed UTF-8 text, format version 1 (`<TAB>` is a tab):
//! ```text
//! # comment lines
//! sitrep-typer <TAB> 1 <TAB> <number of classes> <TAB> <number of features>
//! classes <TAB> none <TAB> Armed clash <TAB> ...              (tab-separated class names, "none" first)
//! bias <TAB> <one integer per class>                  (weight x 10,000)
//! <feature hash, 16 hex digits> <TAB> <one integer per class>
//! ...                                             (sorted by hash)
//! ```
//! A feature is a lower-cased word, a word pair, or a character 3-5-gram of a word, hashed with
//! 64-bit FNV-1a over a one-byte kind and its text.

use super::{Typer, Typing};
use crate::extract::lexicon::Lexicon;
use crate::model::{EventType, SubEventType};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::LazyLock;

const TYPOLOGY_TSV: &str = include_str!("../../data/typology.tsv");
const TYPER_GZ: &[u8] = include_bytes!("../../data/typer.tsv.gz");

/// The class name for a sentence that reports no event.
pub const NONE: &str = "none";

/// One ACLED sub-event type.
#[derive(Debug, Clone)]
pub struct Class {
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub cameo: String,
    pub territory: bool,
}

/// ACLED's typology, from `data/typology.tsv`.
#[derive(Debug, Clone)]
pub struct Typology {
    pub classes: Vec<Class>,
}

impl Typology {
    pub fn parse(tsv: &str) -> Result<Self, String> {
        let mut classes = Vec::new();
        for (n, line) in tsv.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() || line.starts_with("event_type\t") {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 4 {
                return Err(format!("typology.tsv line {}: expected 4 tab-separated fields, found {}", n + 1, f.len()));
            }
            let bad = |e: String| format!("typology.tsv line {}: {e}", n + 1);
            let (event_type, sub_event_type): (EventType, SubEventType) = (f[0].parse().map_err(bad)?, f[1].parse().map_err(bad)?);
            if sub_event_type.event_type() != event_type {
                return Err(format!(
                    "typology.tsv line {}: {sub_event_type} is of {}, not {event_type}",
                    n + 1,
                    sub_event_type.event_type()
                ));
            }
            classes.push(Class { event_type, sub_event_type, cameo: f[2].to_string(), territory: f[3] == "yes" });
        }
        Ok(Typology { classes })
    }

    pub fn builtin() -> &'static Typology {
        static T: LazyLock<Typology> = LazyLock::new(|| Typology::parse(TYPOLOGY_TSV).expect("embedded data/typology.tsv is valid"));
        &T
    }

    /// The class of a sub-event type.
    pub fn get(&self, sub_event_type: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.sub_event_type.as_str() == sub_event_type)
    }

    /// The event type of a sub-event type.
    pub fn event_type_of(&self, sub_event_type: &str) -> Option<&str> {
        self.get(sub_event_type).map(|c| c.event_type.as_str())
    }

    /// The learned typer's class names: "none", then the sub-event types in file order.
    pub fn class_names(&self) -> Vec<String> {
        std::iter::once(NONE.to_string()).chain(self.classes.iter().map(|c| c.sub_event_type.to_string())).collect()
    }
}

/// A word of a sentence: its byte range and its normalized form.
#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    norm: String,
}

fn tokens(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        let word = c.is_alphanumeric();
        match (start, word) {
            (None, true) => start = Some(i),
            (Some(a), false) => {
                let w = &s[a..i];
                let norm = if w.chars().all(|c| c.is_ascii_digit()) { "0".to_string() } else { w.to_lowercase() };
                out.push(Token { start: a, end: i, norm });
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn fnv(kind: u8, parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut eat = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    };
    eat(kind);
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            eat(0x1f);
        }
        for &b in p.as_bytes() {
            eat(b);
        }
    }
    h
}

/// The features of a sentence: each hash with the token it comes from (`usize::MAX` for a
/// pair of words), deduplicated.
fn features(s: &str) -> (Vec<Token>, Vec<(u64, usize)>) {
    let toks = tokens(s);
    let mut out: Vec<(u64, usize)> = Vec::with_capacity(toks.len() * 12);
    let mut prev = "^";
    for (k, t) in toks.iter().enumerate() {
        out.push((fnv(b'w', &[&t.norm]), k));
        out.push((fnv(b'b', &[prev, &t.norm]), usize::MAX));
        prev = &t.norm;
        if t.norm.chars().all(char::is_alphabetic) {
            // Character n-grams of "<word>", hashed from slices (no string per n-gram).
            let padded = format!("<{}>", t.norm);
            let bounds: Vec<usize> = padded.char_indices().map(|(b, _)| b).chain(std::iter::once(padded.len())).collect();
            let chars = bounds.len() - 1;
            for n in 3..=5 {
                if chars < n {
                    break;
                }
                for i in 0..=chars - n {
                    out.push((fnv(b'c', &[&padded[bounds[i]..bounds[i + n]]]), k));
                }
            }
        }
    }
    out.push((fnv(b'b', &[prev, "$"]), usize::MAX));
    out.sort_unstable();
    out.dedup_by_key(|f| f.0);
    (toks, out)
}

/// Feature keys are hashes already: the index uses them as they are.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Index = HashMap<u64, u32, std::hash::BuildHasherDefault<KeyHasher>>;

/// What the learned typer says of a sentence.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// Probability of each class, in the model's class order ("none" first).
    pub probs: Vec<f32>,
    /// The most likely class.
    pub best: usize,
    /// Byte range of the word that speaks most for the best class (its trigger).
    pub trigger: (usize, usize),
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Model {
    pub classes: Vec<String>,
    index: Index,
    /// Row-major: feature row x class.
    weights: Vec<f32>,
    bias: Vec<f32>,
    keys: Vec<u64>,
}

const SCALE: f32 = 10_000.0;

impl Model {
    /// Parses a model file (gzip-compressed, the format in the module docs).
    pub fn parse(gz: &[u8]) -> Result<Self, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz).read_to_string(&mut text).map_err(|e| format!("typer model: {e}"))?;
        let mut lines = text.lines().filter(|l| !l.starts_with('#'));
        let head: Vec<&str> = lines.next().ok_or("typer model: empty")?.split('\t').collect();
        if head.first() != Some(&"sitrep-typer") || head.get(1) != Some(&"1") {
            return Err("typer model: not a sitrep-typer version 1 file".into());
        }
        let n: usize = head.get(2).and_then(|x| x.parse().ok()).ok_or("typer model: bad class count")?;
        let rows: usize = head.get(3).and_then(|x| x.parse().ok()).ok_or("typer model: bad feature count")?;
        let classes: Vec<String> = lines.next().ok_or("typer model: no classes line")?.split('\t').skip(1).map(str::to_string).collect();
        if classes.len() != n {
            return Err(format!("typer model: {} class names for {n} classes", classes.len()));
        }
        let ints = |l: &str, skip: usize| -> Result<Vec<f32>, String> {
            let v: Result<Vec<f32>, _> = l.split(['\t', ' ']).skip(skip).map(|x| x.parse::<i32>().map(|i| i as f32 / SCALE)).collect();
            let v = v.map_err(|e| format!("typer model: {e}"))?;
            if v.len() != n {
                return Err(format!("typer model: a row of {} weights for {n} classes", v.len()));
            }
            Ok(v)
        };
        let bias = ints(lines.next().ok_or("typer model: no bias line")?, 1)?;
        let mut keys = Vec::with_capacity(rows);
        let mut weights = Vec::with_capacity(rows * n);
        for l in lines {
            let (k, _) = l.split_once('\t').ok_or("typer model: a row without weights")?;
            keys.push(u64::from_str_radix(k, 16).map_err(|e| format!("typer model: feature {k}: {e}"))?);
            weights.extend(ints(l, 1)?);
        }
        if keys.len() != rows {
            return Err(format!("typer model: {} features, header says {rows}", keys.len()));
        }
        let index = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
        Ok(Model { classes, index, weights, bias, keys })
    }

    /// The embedded model (`data/typer.tsv.gz`).
    pub fn builtin() -> &'static Model {
        static M: LazyLock<Model> = LazyLock::new(|| Model::parse(TYPER_GZ).expect("embedded data/typer.tsv.gz is valid"));
        &M
    }

    /// The model file's bytes: gzip with no name and no time stamp, so the same model is the
    /// same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.classes.len();
        let q = |w: f32| (w * SCALE).round() as i32;
        let mut text = String::new();
        text.push_str("# sitrep learned typer: logistic regression over hashed word and character n-grams.\n");
        text.push_str("# Made by `sitrep train typer` from the corpus's train part; see src/extract/learned.rs.\n");
        text.push_str(&format!("sitrep-typer\t1\t{n}\t{}\n", self.keys.len()));
        text.push_str("classes");
        for c in &self.classes {
            text.push('\t');
            text.push_str(c);
        }
        text.push_str("\nbias");
        for &b in &self.bias {
            text.push_str(&format!("\t{}", q(b)));
        }
        text.push('\n');
        for (r, k) in self.keys.iter().enumerate() {
            text.push_str(&format!("{k:016x}"));
            for (j, &w) in self.weights[r * n..(r + 1) * n].iter().enumerate() {
                text.push(if j == 0 { '\t' } else { ' ' });
                text.push_str(&q(w).to_string());
            }
            text.push('\n');
        }
        let mut enc = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
        enc.write_all(text.as_bytes()).expect("writing to memory");
        enc.finish().expect("writing to memory")
    }

    /// Class probabilities of a sentence, and the word that speaks most for the best class.
    pub fn predict(&self, s: &str) -> Prediction {
        let n = self.classes.len();
        let (toks, feats) = features(s);
        let rows: Vec<(usize, usize)> = feats.iter().filter_map(|&(h, tok)| self.index.get(&h).map(|&r| (r as usize, tok))).collect();
        let x = 1.0 / (feats.len().max(1) as f32).sqrt();
        let mut z = self.bias.clone();
        for &(r, _) in &rows {
            for (zc, w) in z.iter_mut().zip(&self.weights[r * n..(r + 1) * n]) {
                *zc += w * x;
            }
        }
        let probs = softmax(&z);
        let best = argmax(&probs);
        // The trigger: the word whose features add most to the best class against "none".
        let mut by_tok = vec![0f32; toks.len()];
        for &(r, tok) in &rows {
            if tok != usize::MAX {
                by_tok[tok] += self.weights[r * n + best] - self.weights[r * n];
            }
        }
        let trigger = argmax(&by_tok);
        let trigger = toks.get(trigger).map_or((0, s.len()), |t| (t.start, t.end));
        Prediction { probs, best, trigger }
    }
}

fn softmax(z: &[f32]) -> Vec<f32> {
    let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = z.iter().map(|v| (v - m).exp()).collect();
    let s: f32 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// A feature must occur in at least this many training sentences.
    pub min_count: usize,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 30, learning_rate: 2.0, l2: 1e-5, min_count: 2, seed: 20261202 }
    }
}

/// Trains a model on sentences and their class indexes (into `classes`).
pub fn train(examples: &[(String, usize)], classes: &[String], opts: &TrainOptions) -> Model {
    let n = classes.len();
    let feats: Vec<Vec<u64>> = examples.iter().map(|(s, _)| features(s).1.into_iter().map(|f| f.0).collect()).collect();
    let mut count: HashMap<u64, usize> = HashMap::new();
    for f in &feats {
        for &h in f {
            *count.entry(h).or_default() += 1;
        }
    }
    let mut keys: Vec<u64> = count.into_iter().filter(|&(_, c)| c >= opts.min_count).map(|(h, _)| h).collect();
    keys.sort_unstable();
    let index: Index = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
    // Each example: its rows and the value of each feature (the vector has unit length over
    // all its features, kept or not, as at prediction time).
    let data: Vec<(Vec<usize>, f32, usize)> = feats
        .iter()
        .zip(examples)
        .map(|(f, (_, y))| {
            let x = 1.0 / (f.len().max(1) as f32).sqrt();
            (f.iter().filter_map(|h| index.get(h).map(|&r| r as usize)).collect(), x, *y)
        })
        .collect();
    let mut w = vec![0f32; keys.len() * n];
    let mut b = vec![0f32; n];
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = opts.seed.max(1);
    let mut g = vec![0f32; n];
    for epoch in 0..opts.epochs {
        // Fisher-Yates with xorshift64: the same order for the same seed, on any machine.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        let lr = opts.learning_rate / (1.0 + epoch as f32 * 0.2);
        for &e in &order {
            let (rows, x, y) = &data[e];
            let mut z = b.clone();
            for &r in rows {
                for (zc, wc) in z.iter_mut().zip(&w[r * n..(r + 1) * n]) {
                    *zc += wc * x;
                }
            }
            let p = softmax(&z);
            for c in 0..n {
                g[c] = p[c] - if c == *y { 1.0 } else { 0.0 };
                b[c] -= lr * g[c] * 0.1;
            }
            for &r in rows {
                for c in 0..n {
                    let wc = &mut w[r * n + c];
                    *wc -= lr * (g[c] * x + opts.l2 * *wc);
                }
            }
        }
    }
    // Round as the file does, so a trained model predicts exactly as its file will.
    let round = |v: &mut [f32]| v.iter_mut().for_each(|x| *x = (*x * SCALE).round() / SCALE);
    round(&mut w);
    round(&mut b);
    Model { classes: classes.to_vec(), index, weights: w, bias: b, keys }
}

/// Which typer extraction uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TyperKind {
    /// The lexicon's triggers and non-event cues alone.
    Lexicon,
    /// The learned sentence typer alone (with the lexicon's non-event cues at its trigger).
    Learned,
    /// Both: the lexicon's triggers, retyped or dropped where the learned typer is sure, and
    /// the learned typer's events where the lexicon has no trigger.
    #[default]
    Combined,
}

impl TyperKind {
    pub const ALL: [TyperKind; 3] = [TyperKind::Lexicon, TyperKind::Learned, TyperKind::Combined];

    pub fn name(self) -> &'static str {
        match self {
            TyperKind::Lexicon => "lexicon",
            TyperKind::Learned => "learned",
            TyperKind::Combined => "combined",
        }
    }

    /// A typer of this kind over a given model and thresholds (for cross-validation).
    pub fn with_model(self, model: &Model, thresholds: Thresholds) -> Box<dyn Typer + '_> {
        match self {
            TyperKind::Lexicon => Box::new(LexiconRef(Lexicon::builtin())),
            TyperKind::Learned => Box::new(LearnedTyper::new(model)),
            TyperKind::Combined => Box::new(CombinedTyper { learned: LearnedTyper::new(model), thresholds }),
        }
    }

    /// The built-in typer of this kind.
    pub fn typer(self) -> &'static dyn Typer {
        static LEARNED: LazyLock<LearnedTyper<'static>> = LazyLock::new(|| LearnedTyper::new(Model::builtin()));
        static COMBINED: LazyLock<CombinedTyper<'static>> =
            LazyLock::new(|| CombinedTyper { learned: LearnedTyper::new(Model::builtin()), thresholds: Thresholds::default() });
        match self {
            TyperKind::Lexicon => Lexicon::builtin(),
            TyperKind::Learned => &*LEARNED,
            TyperKind::Combined => &*COMBINED,
        }
    }
}

impl std::str::FromStr for TyperKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        TyperKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| format!("unknown typer {s:?}: lexicon, learned or combined"))
    }
}

struct LexiconRef(&'static Lexicon);

impl Typer for LexiconRef {
    fn type_sentence(&self, s: &str) -> Vec<Typing> {
        self.0.type_sentence(s)
    }
}

/// The learned typer alone: one event (the most likely sub-type) per sentence it does not
/// find eventless, its trigger the word that speaks most for it; the lexicon's non-event
/// cues (intent, negation, background, ...) still apply at that word.
pub struct LearnedTyper<'a> {
    pub model: &'a Model,
    pub lexicon: &'a Lexicon,
    pub typology: &'a Typology,
}

impl<'a> LearnedTyper<'a> {
    /// The learned typer of a model, with the built-in lexicon and typology.
    pub fn new(model: &'a Model) -> Self {
        LearnedTyper { model, lexicon: Lexicon::builtin(), typology: Typology::builtin() }
    }

    /// The typing of a prediction's best class, or none when it is "none" or the lexicon's
    /// cues say the sentence does not report it.
    fn typing(&self, s: &str, p: &Prediction, class: usize) -> Option<Typing> {
        let c = self.typology.get(&self.model.classes[class])?;
        // Where the event is told: the first word of an act, else the word that speaks most
        // for the class (often a name: "Daesh militants").
        let (start, end) = self.lexicon.action_word(s).unwrap_or(p.trigger);
        if self.lexicon.non_event(s, start).is_some() {
            return None;
        }
        Some(Typing {
            event_type: c.event_type,
            sub_event_type: c.sub_event_type,
            cameo: c.cameo.clone(),
            territory: c.territory && c.event_type == EventType::Battles,
            passive: false,
            yields: false,
            strength: p.probs[class],
            trigger: format!("learned:{}", s[start..end].to_lowercase()),
            start,
            end,
        })
    }

    /// The probability of a sub-type, the two territory sub-types of battles counted as one
    /// (which of them an event is, its taker's side decides).
    fn prob_of(&self, p: &Prediction, sub: &str) -> f32 {
        let territory = |c: &str| matches!(c, "Government regains territory" | "Non-state actor overtakes territory");
        self.model
            .classes
            .iter()
            .zip(&p.probs)
            .filter(|(c, _)| c.as_str() == sub || (territory(sub) && territory(c)))
            .map(|(_, &q)| q)
            .sum()
    }
}

impl Typer for LearnedTyper<'_> {
    fn type_sentence(&self, s: &str) -> Vec<Typing> {
        let p = self.model.predict(s);
        if p.best == 0 {
            return Vec::new();
        }
        self.typing(s, &p, p.best).into_iter().collect()
    }
}

/// When the combined typer trusts the learned one.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// A lexicon trigger is dropped when the learned typer gives "none" at least this.
    pub drop: f32,
    /// A lexicon trigger takes the learned sub-type when that has at least this probability
    /// and the trigger's own sub-type less than half of it.
    pub retype: f32,
    /// A sentence without a lexicon trigger gets the learned event at this probability.
    pub add: f32,
    /// A lexicon trigger at least this strong keeps its event type (it may change sub-type
    /// within it).
    pub sure: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { drop: 0.7, retype: 0.3, add: 0.35, sure: 0.85 }
    }
}

/// The lexicon and the learned typer together (see [`TyperKind::Combined`]).
pub struct CombinedTyper<'a> {
    pub learned: LearnedTyper<'a>,
    pub thresholds: Thresholds,
}

impl Typer for CombinedTyper<'_> {
    fn type_sentence(&self, s: &str) -> Vec<Typing> {
        let lex = self.learned.lexicon.type_sentence(s);
        let p = self.learned.model.predict(s);
        let t = self.thresholds;
        // The best class other than "none".
        let best = (1..p.probs.len()).max_by(|&a, &b| p.probs[a].total_cmp(&p.probs[b])).unwrap_or(0);
        let p_best = p.probs.get(best).copied().unwrap_or(0.0);
        if lex.is_empty() {
            if p.best == best && p_best >= t.add {
                return self.learned.typing(s, &p, best).into_iter().collect();
            }
            return Vec::new();
        }
        // The learned typer may silence words of war that report nothing ("attacked each
        // other's policies"), never the words that name an act surely ("air strike").
        let lex: Vec<Typing> = lex.into_iter().filter(|x| x.strength >= t.sure || p.probs[0] < t.drop).collect();
        // Acts of different kinds the lexicon tells apart in one sentence, each in its own part
        // ("Airstrikes target Deir Ezzor and shelling targets Aleppo"), stay apart: none is
        // retyped into another's sub-type, which would make the two one event. (A second
        // trigger in the same words, "protested ... against the offensive", may still be.)
        let kinds: Vec<(usize, usize, SubEventType)> = lex.iter().map(|x| (x.start, x.end, x.sub_event_type)).collect();
        lex.into_iter()
            .map(|mut typing| {
                // The trigger's own clause decides its sub-type: "Backed by Russian air
                // strikes, the army attacked rebel positions" is an attack, not an air strike;
                // where the clause tells several acts, the trigger's own part of it.
                let clause = crate::extract::lexicon::clause_bounds(s, typing.start);
                let others: Vec<(usize, usize)> = kinds
                    .iter()
                    .filter(|&&(a, b, k)| (a, b) != (typing.start, typing.end) && k != typing.sub_event_type)
                    .map(|&(a, b, _)| (a, b))
                    .collect();
                let (ps, ce) = crate::extract::lexicon::own_part(s, &others, (typing.start, typing.end), clause, &[], &[]);
                let cs = self.learned.lexicon.context_start(s, typing.start).max(ps);
                let p = if (cs, ce) == (0, s.len()) { p.clone() } else { self.learned.model.predict(&s[cs..ce]) };
                let best = (1..p.probs.len()).max_by(|&a, &b| p.probs[a].total_cmp(&p.probs[b])).unwrap_or(0);
                let p_best = p.probs.get(best).copied().unwrap_or(0.0);
                let Some(class) = self.learned.typology.get(&self.learned.model.classes[best]) else { return typing };
                let own = self.learned.prob_of(&p, typing.sub_event_type.as_str());
                // A change of control the lexicon's words name ("captured", "seized") stays one,
                // and words that name the act surely ("car bomb", "shelling") keep its event type.
                let apart = (ps, ce) != clause;
                let taken = apart && kinds.iter().any(|&(a, b, k)| (a, b) != (typing.start, typing.end) && k == class.sub_event_type);
                let keeps =
                    taken || (typing.territory && !class.territory) || (typing.strength >= t.sure && typing.event_type != class.event_type);
                if !keeps && p_best >= t.retype && own < p_best / 2.0 && self.learned.prob_of(&p, class.sub_event_type.as_str()) > own {
                    typing.event_type = class.event_type;
                    typing.sub_event_type = class.sub_event_type;
                    typing.cameo = class.cameo.clone();
                    typing.territory = class.territory && class.event_type == EventType::Battles;
                    typing.trigger = format!("{}+learned", typing.trigger);
                }
                typing
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Vec<(String, usize)>, Vec<String>) {
        let classes = vec!["none".to_string(), "Air/drone strike".to_string(), "Peaceful protest".to_string()];
        let mut ex = Vec::new();
        for town in ["Douma", "Saraqib", "Ariha", "Binnish", "Taftanaz", "Atarib"] {
            ex.push((format!("Warplanes struck {town} on Monday, killing five people."), 1));
            ex.push((format!("Russian jets carried out air strikes on {town}."), 1));
            ex.push((format!("Hundreds of people protested in {town} against the council."), 2));
            ex.push((format!("Demonstrators marched peacefully through {town}."), 2));
            ex.push((format!("The football club of {town} won the cup final."), 0));
            ex.push((format!("The weather in {town} was sunny all week."), 0));
        }
        (ex, classes)
    }

    #[test]
    fn learns_a_toy_task_and_names_its_trigger() {
        let (ex, classes) = toy();
        let m = train(&ex, &classes, &TrainOptions::default());
        let p = m.predict("Warplanes struck Kafranbel on Tuesday.");
        assert_eq!(m.classes[p.best], "Air/drone strike");
        let s = "Warplanes struck Kafranbel on Tuesday.";
        let word = &s[p.trigger.0..p.trigger.1];
        assert!(["Warplanes", "struck"].contains(&word), "trigger {word}");
        assert_eq!(m.classes[m.predict("Hundreds of people protested in Idlib.").best], "Peaceful protest");
        assert_eq!(m.classes[m.predict("The football club won the final.").best], "none");
    }

    #[test]
    fn training_is_reproducible_and_the_file_round_trips() {
        let (ex, classes) = toy();
        let a = train(&ex, &classes, &TrainOptions::default()).to_bytes();
        let b = train(&ex, &classes, &TrainOptions::default()).to_bytes();
        assert_eq!(a, b, "same corpus, same bytes");
        let m = Model::parse(&a).unwrap();
        assert_eq!(m.to_bytes(), a);
        let t = train(&ex, &classes, &TrainOptions::default());
        let s = "Jets bombed Ariha at dawn.";
        assert_eq!(t.predict(s).probs, m.predict(s).probs, "the file predicts as the trained model");
    }

    #[test]
    fn bad_model_files_are_refused_with_a_reason() {
        assert!(Model::parse(b"not gzip").is_err());
        let mut enc = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"sitrep-typer\t2\t3\t0\n").unwrap();
        let e = Model::parse(&enc.finish().unwrap()).unwrap_err();
        assert!(e.contains("version 1"), "{e}");
    }

    #[test]
    fn typology_has_acleds_25_sub_types() {
        let t = Typology::builtin();
        assert_eq!(t.classes.len(), 25);
        assert_eq!(t.event_type_of("Grenade"), Some("Explosions/Remote violence"));
        assert_eq!(t.class_names()[0], NONE);
    }

    #[test]
    fn tokens_keep_offsets_and_fold_numbers() {
        let t = tokens("Jets hit Ma'arrat 12 times");
        let words: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(words, ["jets", "hit", "ma", "arrat", "0", "times"]);
        assert_eq!(&"Jets hit Ma'arrat 12 times"[t[2].start..t[3].end], "Ma'arrat");
    }
}
