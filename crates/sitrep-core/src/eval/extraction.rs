//! The article-extraction benchmark's scoring method (ScrapingHub/Zyte
//! article-extraction-benchmark, `evaluate.py`), re-implemented from its description:
//! tokens are runs of Unicode letters, numbers and `_`; 4-token shingles as a multiset;
//! per-page precision and recall; macro averages over pages; F1 of the averages.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Python's `\w`: letters (L*), numbers (N*) and underscore. Marks split tokens, as in Python.
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\p{L}\p{N}_]+").expect("valid regex"));

/// The benchmark's tokens of a text.
pub fn tokens(text: &str) -> Vec<&str> {
    WORD.find_iter(text).map(|m| m.as_str()).collect()
}

fn shingles<'a>(toks: &[&'a str]) -> HashMap<Vec<&'a str>, usize> {
    let mut out = HashMap::new();
    if toks.is_empty() {
        return out;
    }
    if toks.len() < 4 {
        out.insert(toks.to_vec(), 1);
        return out;
    }
    for w in toks.windows(4) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// One page's score. `precision` is `None` when the prediction has no shingle, `recall` is
/// `None` when the gold has none (both are then left out of the corpus means).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageScore {
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    /// Same token sequence as the gold.
    pub exact: bool,
}

/// Scores one predicted body against its gold body.
pub fn score_page(gold: &str, pred: &str) -> PageScore {
    let gt = tokens(gold);
    let pt = tokens(pred);
    let gs = shingles(&gt);
    let ps = shingles(&pt);
    let (mut tp, mut fp, mut fne) = (0usize, 0usize, 0usize);
    for (k, &g) in &gs {
        let p = ps.get(k).copied().unwrap_or(0);
        tp += g.min(p);
        fne += g.saturating_sub(p);
    }
    for (k, &p) in &ps {
        let g = gs.get(k).copied().unwrap_or(0);
        fp += p.saturating_sub(g);
    }
    let (precision, recall) = if fp == 0 && fne == 0 {
        (1.0, 1.0)
    } else {
        let pr = if tp + fp == 0 { 0.0 } else { tp as f64 / (tp + fp) as f64 };
        let re = if tp + fne == 0 { 0.0 } else { tp as f64 / (tp + fne) as f64 };
        (pr, re)
    };
    PageScore { precision: (!ps.is_empty()).then_some(precision), recall: (!gs.is_empty()).then_some(recall), exact: gt == pt }
}

/// Corpus scores: macro means over pages.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CorpusScore {
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
    pub accuracy: f64,
    pub pages: usize,
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs {
        s += x;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

/// Combines page scores into the corpus score.
pub fn score_corpus(pages: &[PageScore]) -> CorpusScore {
    let precision = mean(pages.iter().filter_map(|p| p.precision));
    let recall = mean(pages.iter().filter_map(|p| p.recall));
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    let accuracy = mean(pages.iter().map(|p| if p.exact { 1.0 } else { 0.0 }));
    CorpusScore { f1, precision, recall, accuracy, pages: pages.len() }
}

/// Standard deviation of F1 over `n` bootstrap resamples of the pages (deterministic seed).
pub fn bootstrap_f1_sd(pages: &[PageScore], n: usize, seed: u64) -> f64 {
    if pages.is_empty() {
        return 0.0;
    }
    let mut state = seed;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut f1s = Vec::with_capacity(n);
    let mut sample = Vec::with_capacity(pages.len());
    for _ in 0..n {
        sample.clear();
        for _ in 0..pages.len() {
            sample.push(pages[(next() % pages.len() as u64) as usize]);
        }
        f1s.push(score_corpus(&sample).f1);
    }
    let m = mean(f1s.iter().copied());
    mean(f1s.iter().map(|x| (x - m) * (x - m))).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_python_word_chars() {
        assert_eq!(tokens("Hello, world! it's 2019_x"), vec!["Hello", "world", "it", "s", "2019_x"]);
        // Arabic harakat (marks) split tokens; ½ is a number.
        assert_eq!(tokens("كَتَب ½"), vec!["ك", "ت", "ب", "½"]);
    }

    #[test]
    fn identical_texts_score_one() {
        let s = score_page("a b c d e f", "a  b, c d e f.");
        assert_eq!(s, PageScore { precision: Some(1.0), recall: Some(1.0), exact: true });
    }

    #[test]
    fn extra_text_costs_precision_only() {
        // gold: 3 shingles; pred has 3 more shingles after them.
        let s = score_page("a b c d e f", "a b c d e f g h i");
        assert_eq!(s.recall, Some(1.0));
        assert_eq!(s.precision, Some(0.5));
        assert!(!s.exact);
    }

    #[test]
    fn empty_prediction_is_skipped_for_precision() {
        let s = score_page("a b c d", "");
        assert_eq!(s.precision, None);
        assert_eq!(s.recall, Some(0.0));
        let c = score_corpus(&[s, score_page("x y z w", "x y z w")]);
        assert_eq!(c.precision, 1.0);
        assert_eq!(c.recall, 0.5);
    }

    #[test]
    fn short_texts_make_one_shingle() {
        let s = score_page("a b", "a b");
        assert_eq!(s.precision, Some(1.0));
        let s = score_page("a b", "a c");
        assert_eq!(s.precision, Some(0.0));
    }

    #[test]
    fn repeats_count() {
        let s = score_page("a b c d", "a b c d a b c d");
        // pred shingles: abcd x2, bcda, cdab, dabc -> tp 1, fp 4
        assert_eq!(s.precision, Some(0.2));
    }
}
