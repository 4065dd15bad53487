//! Article credibility: a calibrated probability that an article's account agrees with an
//! independent casualty record, from features a reader can check, with its reasons.
//!
//! The features are counts of the word lists in `data/credibility_words.toml` (loaded
//! vocabulary of each party to the war, state-media stock phrases, hedges, attribution, named
//! and unnamed sources, dates), the article's figures and length, and, as a separate term,
//! the outlet's record in the training data. A logistic regression (`train`, Newton's method
//! with an L2 penalty, deterministic) weighs them; `sitrep train credibility` fits it on the
//! FA-KES dev labels (`label_features_file`) into `data/credibility.tsv`, embedded.
//!
//! What the probability means and does not: see ARCHITECTURE.md, "Article credibility".

use crate::model::Article;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

const WORDS_TOML: &str = include_str!("../data/credibility_words.toml");
const MODEL_TSV: &str = include_str!("../data/credibility.tsv");

/// A data file or an input the credibility model could not use: which, and why.
#[derive(Debug, thiserror::Error)]
#[error("{input}: {reason}")]
pub struct CredibilityError {
    pub input: String,
    pub reason: String,
}

fn err(input: &str, reason: impl std::fmt::Display) -> CredibilityError {
    CredibilityError { input: input.to_string(), reason: reason.to_string() }
}

#[derive(Debug, Deserialize)]
struct WordFile {
    version: u32,
    list: Vec<WordListSpec>,
}

#[derive(Debug, Clone, Deserialize)]
struct WordListSpec {
    name: String,
    describe: String,
    absent: String,
    phrases: Vec<String>,
}

/// The word lists, compiled for matching over an article's words.
#[derive(Debug)]
pub struct WordLists {
    lists: Vec<WordListSpec>,
    /// First word -> (list index, the phrase's words).
    by_first: HashMap<String, Vec<(usize, Vec<String>)>>,
}

/// Feature names after the lists: how many figures (numbers) the text gives, and its length.
const FIGURES: &str = "figures";
const LENGTH: &str = "length";

impl WordLists {
    /// Parses a file of the format of `data/credibility_words.toml`.
    pub fn parse(name: &str, toml_text: &str) -> Result<WordLists, CredibilityError> {
        let file: WordFile = toml::from_str(toml_text).map_err(|e| err(name, e))?;
        if file.version != 1 {
            return Err(err(name, format!("unsupported word list version {}", file.version)));
        }
        let mut by_first: HashMap<String, Vec<(usize, Vec<String>)>> = HashMap::new();
        for (i, l) in file.list.iter().enumerate() {
            if l.describe.contains('\'') || l.absent.contains('\'') {
                return Err(err(name, format!("list {}: describe and absent hold no apostrophe (reasons quote in '...')", l.name)));
            }
            if l.name == FIGURES || l.name == LENGTH {
                return Err(err(name, format!("list name {:?} is reserved", l.name)));
            }
            for p in &l.phrases {
                let words = tokens(p);
                if words.is_empty() {
                    return Err(err(name, format!("list {}: phrase {p:?} has no word", l.name)));
                }
                by_first.entry(words[0].clone()).or_default().push((i, words));
            }
        }
        Ok(WordLists { lists: file.list, by_first })
    }

    /// The embedded lists.
    pub fn builtin() -> &'static WordLists {
        static W: LazyLock<WordLists> = LazyLock::new(|| {
            WordLists::parse("data/credibility_words.toml", WORDS_TOML).expect("embedded credibility_words.toml is valid")
        });
        &W
    }

    /// Every feature's name, in the order of [`Features::values`].
    pub fn feature_names(&self) -> Vec<String> {
        let mut n: Vec<String> = self.lists.iter().map(|l| l.name.clone()).collect();
        n.push(FIGURES.to_string());
        n.push(LENGTH.to_string());
        n
    }

    /// The features of a text (title and body).
    pub fn features(&self, text: &str) -> Features {
        let words = tokens(text);
        let mut counts = vec![0usize; self.lists.len()];
        let mut found: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); self.lists.len()];
        // Per list, leftmost-longest: a phrase inside a longer one of the same list that was
        // found there counts once ("regime" in "assad regime").
        let mut covered = vec![0usize; self.lists.len()];
        for i in 0..words.len() {
            let Some(cands) = self.by_first.get(&words[i]) else { continue };
            let mut best: Vec<Option<&Vec<String>>> = vec![None; self.lists.len()];
            for (l, p) in cands {
                if i >= covered[*l] && words[i..].starts_with(p) && best[*l].is_none_or(|b| b.len() < p.len()) {
                    best[*l] = Some(p);
                }
            }
            for (l, p) in best.iter().enumerate() {
                if let Some(p) = p {
                    counts[l] += 1;
                    *found[l].entry(p.join(" ")).or_default() += 1;
                    covered[l] = i + p.len();
                }
            }
        }
        let figures = words.iter().filter(|w| w.chars().all(|c| c.is_ascii_digit())).count();
        let mut values: Vec<f64> = counts.iter().map(|&c| (c as f64).ln_1p()).collect();
        values.push((figures as f64).ln_1p());
        values.push((words.len().max(1) as f64).ln());
        let mut counts_all = counts;
        counts_all.push(figures);
        counts_all.push(words.len());
        found.push(BTreeMap::new());
        found.push(BTreeMap::new());
        Features { values, counts: counts_all, found }
    }
}

/// Lower-cased words: letters and digits, inner hyphens kept, apostrophes dropped.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if (c == '\'' || c == '’') && !cur.is_empty() {
            // "Assad's" -> "assads"
        } else if c == '-' && !cur.is_empty() && chars.peek().is_some_and(|n| n.is_alphanumeric()) {
            cur.push('-');
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What the model reads of one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// One value per feature (`WordLists::feature_names`): ln(1 + count), length ln(words).
    pub values: Vec<f64>,
    /// The raw counts behind them (length: words).
    pub counts: Vec<usize>,
    /// Per feature, the phrases found and how often.
    pub found: Vec<BTreeMap<String, usize>>,
}

/// The text the model reads: the title and the clean body.
pub fn article_text(a: &Article) -> String {
    format!("{}\n\n{}", a.title.as_deref().unwrap_or(""), a.body())
}

/// One feature's standardisation and weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureWeight {
    pub name: String,
    pub mean: f64,
    pub sd: f64,
    pub weight: f64,
}

/// The fitted model: standardised features, an intercept, and the outlet term (the outlet's
/// log-odds of credible in training, times `outlet_weight`; 0 for an outlet it never saw).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub intercept: f64,
    pub features: Vec<FeatureWeight>,
    pub outlet_weight: f64,
    pub outlets: BTreeMap<String, f64>,
    /// What it was trained on, for the file's header.
    pub trained_on: String,
}

/// Training options.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Fit the outlet term (else text features only).
    pub outlet: bool,
    /// L2 penalty on the standardised weights.
    pub l2: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { outlet: true, l2: 1.0 }
    }
}

/// One training example.
pub struct Example<'a> {
    pub features: &'a Features,
    pub outlet: Option<&'a str>,
    pub credible: bool,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The key an outlet is known by: its canonical name, lower case.
pub fn outlet_key(source: &str) -> String {
    source.trim().to_lowercase()
}

/// Fits the model: each outlet's smoothed log-odds (Laplace) against the base rate, then a
/// logistic regression by Newton's method over standardised features (and the outlet term).
/// Deterministic: the same examples give the same model, and weights are rounded to 1e-4.
#[allow(clippy::needless_range_loop)] // matrix code reads best with indexes
pub fn train(examples: &[Example], names: &[String], opts: &TrainOptions) -> Model {
    let n = examples.len().max(1) as f64;
    let d = names.len();
    let pos = examples.iter().filter(|e| e.credible).count() as f64;
    let neg = examples.len() as f64 - pos;
    let mut per: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for e in examples {
        if let Some(o) = e.outlet {
            let c = per.entry(outlet_key(o)).or_default();
            if e.credible {
                c.0 += 1.0
            } else {
                c.1 += 1.0
            }
        }
    }
    let base = ((pos + 1.0) / (neg + 1.0)).ln();
    let outlets: BTreeMap<String, f64> = if opts.outlet {
        per.iter().map(|(k, (p, q))| (k.clone(), round4(((p + 1.0) / (q + 1.0)).ln() - base))).collect()
    } else {
        BTreeMap::new()
    };
    let mut mean = vec![0.0; d];
    let mut sd = vec![0.0; d];
    for e in examples {
        for j in 0..d {
            mean[j] += e.features.values[j] / n;
        }
    }
    for e in examples {
        for j in 0..d {
            sd[j] += (e.features.values[j] - mean[j]).powi(2) / n;
        }
    }
    let mean: Vec<f64> = mean.into_iter().map(round4).collect();
    let sd: Vec<f64> = sd.into_iter().map(|v| round4(v.sqrt().max(1e-4))).collect();
    // Columns: the standardised features, then the outlet term (if fitted), then the intercept.
    let k = d + usize::from(opts.outlet) + 1;
    let rows: Vec<(Vec<f64>, f64)> = examples
        .iter()
        .map(|e| {
            let mut z: Vec<f64> = (0..d).map(|j| (e.features.values[j] - mean[j]) / sd[j]).collect();
            if opts.outlet {
                z.push(e.outlet.and_then(|o| outlets.get(&outlet_key(o))).copied().unwrap_or(0.0));
            }
            z.push(1.0);
            (z, if e.credible { 1.0 } else { 0.0 })
        })
        .collect();
    let mut w = vec![0.0; k];
    for _ in 0..50 {
        let mut g = vec![0.0; k];
        let mut h = vec![vec![0.0; k]; k];
        for (z, y) in &rows {
            let p = sigmoid(dot(&w, z));
            for a in 0..k {
                g[a] += (p - y) * z[a];
                for b in 0..k {
                    h[a][b] += p * (1.0 - p) * z[a] * z[b];
                }
            }
        }
        for a in 0..k - 1 {
            g[a] += opts.l2 * w[a];
            h[a][a] += opts.l2;
        }
        let Some(step) = solve(h, g) else { break };
        let mut biggest: f64 = 0.0;
        for a in 0..k {
            w[a] -= step[a];
            biggest = biggest.max(step[a].abs());
        }
        if biggest < 1e-9 {
            break;
        }
    }
    let features = names
        .iter()
        .enumerate()
        .map(|(j, name)| FeatureWeight { name: name.clone(), mean: mean[j], sd: sd[j], weight: round4(w[j]) })
        .collect();
    Model {
        intercept: round4(w[k - 1]),
        features,
        outlet_weight: if opts.outlet { round4(w[d]) } else { 0.0 },
        outlets,
        trained_on: format!("{} articles ({} credible)", examples.len(), pos as usize),
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x.clamp(-40.0, 40.0)).exp())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `h x = g` by Gaussian elimination with partial pivoting; None when singular.
#[allow(clippy::needless_range_loop)]
fn solve(mut h: Vec<Vec<f64>>, mut g: Vec<f64>) -> Option<Vec<f64>> {
    let k = g.len();
    for i in 0..k {
        let piv = (i..k).max_by(|&a, &b| h[a][i].abs().total_cmp(&h[b][i].abs()))?;
        if h[piv][i].abs() < 1e-12 {
            return None;
        }
        h.swap(i, piv);
        g.swap(i, piv);
        for r in 0..k {
            if r != i {
                let f = h[r][i] / h[i][i];
                if f != 0.0 {
                    for c in i..k {
                        h[r][c] -= f * h[i][c];
                    }
                    g[r] -= f * g[i];
                }
            }
        }
    }
    Some((0..k).map(|i| g[i] / h[i][i]).collect())
}

/// One feature's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    pub feature: String,
    pub count: usize,
    /// Its addition to the log-odds.
    pub contribution: f64,
}

/// An article's credibility: the probability, the terms behind it and reasons in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleScore {
    /// Probability that its account agrees with an independent casualty record, 0 to 1.
    pub probability: f64,
    /// The text's part of the log-odds (the intercept and every text feature).
    pub text_logit: f64,
    /// The outlet's part (0 for an outlet the model never saw).
    pub outlet_term: f64,
    pub outlet: Option<String>,
    pub terms: Vec<Term>,
    /// The largest terms in words, largest first; never empty.
    pub reasons: Vec<String>,
}

impl Model {
    /// Parses a model file (the format `to_tsv` writes).
    pub fn parse(name: &str, text: &str) -> Result<Model, CredibilityError> {
        let mut m = Model { intercept: 0.0, features: Vec::new(), outlet_weight: 0.0, outlets: BTreeMap::new(), trained_on: String::new() };
        let mut format = None;
        for (i, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let bad = |what: &str| err(name, format!("line {}: {what}", i + 1));
            let num = |s: &str| s.trim().parse::<f64>().map_err(|_| bad(&format!("not a number: {s:?}")));
            match (f[0], f.len()) {
                ("format", 2) => format = Some(f[1].to_string()),
                ("trained_on", 2) => m.trained_on = f[1].to_string(),
                ("intercept", 2) => m.intercept = num(f[1])?,
                ("outlet_weight", 2) => m.outlet_weight = num(f[1])?,
                ("feature", 5) => {
                    m.features.push(FeatureWeight { name: f[1].to_string(), mean: num(f[2])?, sd: num(f[3])?, weight: num(f[4])? })
                }
                ("outlet", 3) => {
                    m.outlets.insert(f[1].to_string(), num(f[2])?);
                }
                _ => return Err(bad("unknown or malformed line")),
            }
        }
        if format.as_deref() != Some("1") {
            return Err(err(name, "not a credibility model of format 1"));
        }
        if m.features.iter().any(|f| f.sd <= 0.0) {
            return Err(err(name, "a feature's sd is not positive"));
        }
        Ok(m)
    }

    /// The model file: a documented header, then one line per value (tab-separated).
    pub fn to_tsv(&self) -> String {
        let mut s = String::new();
        s.push_str("# sitrep article credibility model (crates/sitrep-core/src/credibility.rs); made by\n");
        s.push_str("# `sitrep train credibility` from FA-KES dev and its label_features_file: do not edit.\n");
        s.push_str("# Format 1, tab-separated lines:\n");
        s.push_str("#   format N | trained_on TEXT | intercept W | outlet_weight W\n");
        s.push_str("#   feature NAME MEAN SD WEIGHT   (a word list of data/credibility_words.toml, figures or length;\n");
        s.push_str("#                                  value ln(1+count), length ln(words); term WEIGHT*(value-MEAN)/SD)\n");
        s.push_str("#   outlet NAME LOGODDS            (the outlet's smoothed log-odds of credible against the base rate;\n");
        s.push_str("#                                  term outlet_weight*LOGODDS)\n");
        s.push_str("format\t1\n");
        s.push_str(&format!("trained_on\t{}\n", self.trained_on));
        s.push_str(&format!("intercept\t{}\n", self.intercept));
        s.push_str(&format!("outlet_weight\t{}\n", self.outlet_weight));
        for f in &self.features {
            s.push_str(&format!("feature\t{}\t{}\t{}\t{}\n", f.name, f.mean, f.sd, f.weight));
        }
        for (o, v) in &self.outlets {
            s.push_str(&format!("outlet\t{o}\t{v}\n"));
        }
        s
    }

    /// The embedded model (`data/credibility.tsv`).
    pub fn builtin() -> &'static Model {
        static M: LazyLock<Model> =
            LazyLock::new(|| Model::parse("data/credibility.tsv", MODEL_TSV).expect("embedded credibility.tsv is valid"));
        &M
    }

    /// The probability alone.
    pub fn probability(&self, features: &Features, outlet: Option<&str>) -> f64 {
        let (t, o) = self.logits(features, outlet);
        sigmoid(t + o)
    }

    fn logits(&self, features: &Features, outlet: Option<&str>) -> (f64, f64) {
        let text: f64 =
            self.intercept + self.features.iter().zip(&features.values).map(|(f, v)| f.weight * (v - f.mean) / f.sd).sum::<f64>();
        let o = outlet.and_then(|o| self.outlets.get(&outlet_key(o))).map_or(0.0, |v| self.outlet_weight * v);
        (text, o)
    }

    /// Scores features (of [`WordLists::builtin`] or `lists`) with reasons.
    pub fn score_features(&self, lists: &WordLists, features: &Features, outlet: Option<&str>) -> ArticleScore {
        let (text_logit, outlet_term) = self.logits(features, outlet);
        let mut terms: Vec<(Term, usize)> = self
            .features
            .iter()
            .zip(&features.values)
            .enumerate()
            .map(|(j, (f, v))| {
                (Term { feature: f.name.clone(), count: features.counts[j], contribution: round4(f.weight * (v - f.mean) / f.sd) }, j)
            })
            .collect();
        terms.sort_by(|a, b| b.0.contribution.abs().total_cmp(&a.0.contribution.abs()).then(a.1.cmp(&b.1)));
        let mut reasons = Vec::new();
        let known = outlet.filter(|o| self.outlets.contains_key(&outlet_key(o)));
        if let Some(o) = known {
            reasons.push(format!(
                "outlet {o}: its record in training {} it ({:+.2})",
                if outlet_term >= 0.0 { "raises" } else { "lowers" },
                outlet_term
            ));
        }
        for (t, j) in terms.iter().filter(|(t, _)| t.contribution.abs() >= 0.1).take(4) {
            reasons.push(self.reason(lists, t, &features.found[*j]));
        }
        if reasons.is_empty() {
            if let Some((t, j)) = terms.first() {
                reasons.push(self.reason(lists, t, &features.found[*j]));
            } else {
                reasons.push("no feature the model reads".to_string());
            }
        }
        ArticleScore {
            probability: round4(sigmoid(text_logit + outlet_term)),
            text_logit: round4(text_logit),
            outlet_term: round4(outlet_term),
            outlet: outlet.map(str::to_string),
            terms: terms.into_iter().map(|(t, _)| t).collect(),
            reasons,
        }
    }

    fn reason(&self, lists: &WordLists, t: &Term, found: &BTreeMap<String, usize>) -> String {
        let dir = if t.contribution >= 0.0 { "raises" } else { "lowers" };
        let what = match t.feature.as_str() {
            FIGURES => format!("gives {} figure{}", t.count, if t.count == 1 { "" } else { "s" }),
            LENGTH => format!("{} words long", t.count),
            name => {
                let spec = lists.lists.iter().find(|l| l.name == name);
                let describe = spec.map_or(name, |l| l.describe.as_str());
                if t.count == 0 {
                    spec.map_or_else(|| format!("no {name}"), |l| l.absent.clone())
                } else {
                    let mut top: Vec<(&String, &usize)> = found.iter().collect();
                    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                    let quoted: Vec<String> =
                        top.iter().take(3).map(|(p, c)| if **c == 1 { format!("'{p}'") } else { format!("'{p}' ({c} times)") }).collect();
                    format!("{describe}: {}", quoted.join(", "))
                }
            }
        };
        format!("{what} ({dir} it, {:+.2})", t.contribution)
    }

    /// Scores an article with the embedded word lists.
    pub fn score(&self, a: &Article) -> ArticleScore {
        let lists = WordLists::builtin();
        self.score_features(lists, &lists.features(&article_text(a)), a.source.as_deref())
    }
}

/// An article's credibility by the embedded model.
pub fn score_article(a: &Article) -> ArticleScore {
    Model::builtin().score(a)
}

/// A labelled FA-KES article, as `sitrep train credibility` and `bench fakes-credibility` read it.
pub struct LabelledArticle {
    pub article: Article,
    pub unit_id: String,
    /// FA-KES's public `label` (1 credible).
    pub label_public: bool,
    /// The label of the makers' features file (`label_features_file`): the one to score against.
    pub label_features_file: bool,
    /// The row's raw fields by column name (location, date, ...).
    pub row: HashMap<String, String>,
}

/// Reads the FA-KES CSV and its labels file (`unit_id,label_public,label_features_file`),
/// joined by `unit_id`. A row without labels, or that does not read as an article, is an error
/// naming it; the others are still returned beside the errors.
pub fn read_fakes(
    csv_name: &str,
    csv_text: &str,
    labels_name: &str,
    labels_text: &str,
) -> Result<(Vec<LabelledArticle>, Vec<CredibilityError>), CredibilityError> {
    let mut labels: HashMap<String, (bool, bool)> = HashMap::new();
    let mut rdr = csv::Reader::from_reader(labels_text.as_bytes());
    let h = rdr.headers().map_err(|e| err(labels_name, e))?.clone();
    let col = |h: &csv::StringRecord, name: &str, file: &str| {
        h.iter().position(|c| c == name).ok_or_else(|| err(file, format!("no column {name}")))
    };
    let (lu, lp, lf) =
        (col(&h, "unit_id", labels_name)?, col(&h, "label_public", labels_name)?, col(&h, "label_features_file", labels_name)?);
    for (i, r) in rdr.records().enumerate() {
        let r = r.map_err(|e| err(labels_name, format!("row {}: {e}", i + 2)))?;
        labels.insert(r[lu].trim().to_string(), (r[lp].trim() == "1", r[lf].trim() == "1"));
    }
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let h = rdr.headers().map_err(|e| err(csv_name, e))?.clone();
    let (cu, ct, cc, cs, cd) = (
        col(&h, "unit_id", csv_name)?,
        col(&h, "article_title", csv_name)?,
        col(&h, "article_content", csv_name)?,
        col(&h, "source", csv_name)?,
        col(&h, "date", csv_name)?,
    );
    let opts = crate::read::ReadOptions { date_order: Some(crate::dates::DateOrder::MonthFirst), ..crate::read::ReadOptions::default() };
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    for (i, r) in rdr.records().enumerate() {
        let here = format!("{csv_name}:{}", i + 2);
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(&here, e));
                continue;
            }
        };
        let unit = r[cu].trim().to_string();
        let Some(&(label_public, label_features_file)) = labels.get(&unit) else {
            errors.push(err(&here, format!("unit_id {unit} has no labels in {labels_name}")));
            continue;
        };
        let doc = serde_json::json!({ "title": &r[ct], "text": &r[cc], "source": &r[cs], "date": &r[cd] }).to_string();
        let mut article = None;
        crate::read::read_bytes(&format!("fakes-{i}.json"), doc.as_bytes(), &opts, &mut |a| article = Some(a));
        match article {
            Some(Ok(article)) => {
                let row = h.iter().zip(r.iter()).map(|(k, v)| (k.to_string(), v.to_string())).collect();
                out.push(LabelledArticle { article, unit_id: unit, label_public, label_features_file, row });
            }
            Some(Err(e)) => errors.push(err(&here, e)),
            None => errors.push(err(&here, "no article")),
        }
    }
    Ok((out, errors))
}

/// Trains the model on labelled articles against `label_features_file`.
pub fn train_on(articles: &[LabelledArticle], opts: &TrainOptions) -> Model {
    let lists = WordLists::builtin();
    let feats: Vec<Features> = articles.iter().map(|a| lists.features(&article_text(&a.article))).collect();
    let examples: Vec<Example> = articles
        .iter()
        .zip(&feats)
        .map(|(a, f)| Example { features: f, outlet: a.article.source.as_deref(), credible: a.label_features_file })
        .collect();
    train(&examples, &lists.feature_names(), opts)
}

/// A fused event's credibility: its reports' article probabilities (mean) combined with how
/// far other outlets corroborate it, with the reasons of both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventCredibility {
    /// 0 to 1.
    pub score: f64,
    /// The mean of its articles' probabilities (None when none could be scored).
    pub reports: Option<f64>,
    /// The corroboration score (fusion's).
    pub corroboration: f64,
    pub reasons: Vec<String>,
}

/// Combines article scores with corroboration: the mean article probability, moved toward the
/// corroboration score by its weight (0.5 when several outlets tell it, else 0.25, since a
/// single report's corroboration says little). Without article scores, corroboration alone.
pub fn event_credibility(articles: &[(String, ArticleScore)], corroboration: &crate::model::fused::Corroboration) -> EventCredibility {
    let mean = (!articles.is_empty()).then(|| articles.iter().map(|(_, s)| s.probability).sum::<f64>() / articles.len() as f64);
    let c = corroboration.score as f64;
    let wc = if corroboration.sources > 1 { 0.5 } else { 0.25 };
    let score = mean.map_or(c, |m| (1.0 - wc) * m + wc * c);
    let mut reasons = vec![corroboration.reason.clone()];
    for (source, s) in articles {
        reasons.push(format!("{source}: {:.2}, {}", s.probability, s.reasons.first().map_or("", |r| r.as_str())));
    }
    EventCredibility { score: round4(score), reports: mean.map(round4), corroboration: c, reasons }
}

/// A stored fused event's credibility: its articles read back from the store and scored by the
/// embedded model, combined with its corroboration. An article the store no longer holds is
/// left out (the score then rests on the others, or on corroboration alone).
pub fn fused_event_credibility(
    store: &dyn crate::store::EventStore,
    f: &crate::model::fused::FusedEvent,
) -> Result<EventCredibility, crate::store::StoreError> {
    let mut scored = Vec::new();
    for id in &f.articles {
        if let Some(a) = store.article(id)? {
            let s = score_article(&a.article);
            scored.push((a.article.source.clone().unwrap_or_else(|| "unknown source".to_string()), s));
        }
    }
    Ok(event_credibility(&scored, &f.corroboration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_drop_apostrophes_and_keep_inner_hyphens() {
        assert_eq!(tokens("Assad's rebel-held town, 12 killed -"), vec!["assads", "rebel-held", "town", "12", "killed"]);
    }

    #[test]
    fn phrases_count_once_inside_longer_ones() {
        let l = WordLists::builtin();
        let names = l.feature_names();
        let f = l.features("The Assad regime shelled it; the regime denied it. Terrorists, terrorists and takfiri gangs.");
        let opp = names.iter().position(|n| n == "opposition_loaded").unwrap();
        assert_eq!(f.counts[opp], 2, "{:?}", f.found[opp]);
        assert_eq!(f.found[opp].get("assad regime"), Some(&1));
        let gov = names.iter().position(|n| n == "government_loaded").unwrap();
        assert_eq!(f.counts[gov], 3);
        assert_eq!(f.found[gov].get("terrorists"), Some(&2));
    }

    #[test]
    fn the_model_file_round_trips_and_the_builtin_loads() {
        let m = Model::builtin();
        assert_eq!(
            m.features.len(),
            WordLists::builtin().feature_names().len(),
            "model and word lists out of step: run `sitrep train credibility`"
        );
        assert_eq!(&Model::parse("x", &m.to_tsv()).unwrap(), m);
        assert!(Model::parse("bad.tsv", "format\t1\nfeature\tx\t1\tzero\t1\n").unwrap_err().to_string().contains("bad.tsv: line 2"));
    }

    #[test]
    fn training_is_deterministic_and_learns_a_separable_feature() {
        let l = WordLists::builtin();
        let texts = [
            ("The terrorists fired shells, causing material damage to citizens' properties.", false),
            ("At least 12 people were killed by regime barrel bombs, the Syrian Observatory said.", true),
        ];
        let feats: Vec<(Features, bool)> = (0..20).map(|i| (l.features(texts[i % 2].0), texts[i % 2].1)).collect();
        let ex: Vec<Example> =
            feats.iter().map(|(f, y)| Example { features: f, outlet: Some(if *y { "A" } else { "B" }), credible: *y }).collect();
        let a = train(&ex, &l.feature_names(), &TrainOptions::default());
        let b = train(&ex, &l.feature_names(), &TrainOptions::default());
        assert_eq!(a.to_tsv(), b.to_tsv());
        assert!(a.probability(&feats[1].0, Some("A")) > 0.8);
        assert!(a.probability(&feats[0].0, Some("B")) < 0.2);
        assert!(a.outlets["a"] > 0.0 && a.outlets["b"] < 0.0);
    }

    #[test]
    fn a_fused_event_weighs_its_reports_against_corroboration() {
        let score = |p: f64| ArticleScore {
            probability: p,
            text_logit: 0.0,
            outlet_term: 0.0,
            outlet: None,
            terms: Vec::new(),
            reasons: vec!["a reason".into()],
        };
        let corr = |sources: usize, score: f32| crate::fuse::Corroboration {
            sources,
            leanings: Vec::new(),
            agreement: 1.0,
            score,
            reason: "the corroboration's reason".into(),
        };
        // Two outlets: half the reports' mean, half corroboration.
        let two = event_credibility(&[("A".into(), score(0.2)), ("B".into(), score(0.6))], &corr(2, 1.0));
        assert!((two.score - 0.7).abs() < 1e-9, "{two:?}");
        assert_eq!(two.reports, Some(0.4));
        assert_eq!(two.reasons, vec!["the corroboration's reason", "A: 0.20, a reason", "B: 0.60, a reason"]);
        // One report: corroboration says little (a quarter).
        let one = event_credibility(&[("A".into(), score(0.2))], &corr(1, 0.6));
        assert!((one.score - 0.3).abs() < 1e-9, "{one:?}");
        // No article left to score: corroboration alone, and still a reason.
        let none = event_credibility(&[], &corr(1, 0.6));
        assert!((none.score - 0.6).abs() < 1e-6 && none.reports.is_none() && !none.reasons.is_empty());
    }

    #[test]
    fn a_fixture_article_gets_reasons_that_quote_it() {
        // The first row of fixtures/fakes-sample.csv's kind: a state-media report.
        let text = "Terrorists target residential neighborhoods in Aleppo\n\nAleppo SANA Terrorists positioned in the eastern neighborhoods fired rocket shells on residential neighborhoods, causing material damage to citizens' properties. The terrorists also targeted houses with mortar shells, a reporter said.";
        let mut a = crate::read::test_article("fixture.txt", text);
        a.source = Some("SANA".into());
        let s = score_article(&a);
        assert!(s.reasons.iter().any(|r| r.starts_with("outlet SANA: its record in training lowers it")), "{:?}", s.reasons);
        // The reasons quote the article's own words, with how often it uses them.
        assert!(
            s.reasons.iter().any(|r| r.contains("state-media stock phrases: 'residential neighborhoods' (2 times)")),
            "{:?}",
            s.reasons
        );
        let lower = text.to_lowercase().replace('\'', "");
        for r in &s.reasons {
            for quoted in r.split('\'').skip(1).step_by(2) {
                assert!(lower.contains(quoted), "{quoted:?} of {r:?} is not in the text");
            }
        }
        assert!(s.probability < 0.5, "{s:?}");
    }
}
