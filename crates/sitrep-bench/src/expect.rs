//! The counts each benchmark expects of the inputs it was written for (as tantivy's benches
//! assert their corpora's sizes). A file or folder under a known name that gives another count is
//! another version of the data, or was read wrongly: the run stops, naming the input, before any
//! figure is printed. Inputs under other names are measured as they are.

use anyhow::{bail, Result};
use std::path::Path;

/// (file or folder name, what is counted, how many).
const KNOWN: &[(&str, &str, usize)] = &[
    ("fakes-dev.csv", "articles", 398),
    ("fakes-dev.csv", "labelled articles", 398),
    ("ucdp-ged-syria-dev.csv", "places at where_prec 1", 653),
    ("article-extraction", "pages", 109),
    ("trafilatura-news", "pages", 82),
];

/// Fails when `input` is a known input and `got` is not the count of `what` it must give.
pub fn count(input: &Path, what: &str, got: usize) -> Result<()> {
    let name = input.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match KNOWN.iter().find(|(n, w, _)| *n == name && *w == what) {
        Some(&(_, _, want)) if want != got => {
            bail!("{}: {got} {what}, but this benchmark expects {want} of {name}", input.display())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_inputs_must_give_their_counts() {
        assert!(count(Path::new("../shared/data/fakes/fakes-dev.csv"), "articles", 398).is_ok());
        let e = count(Path::new("../shared/data/fakes/fakes-dev.csv"), "articles", 397).unwrap_err();
        assert_eq!(e.to_string(), "../shared/data/fakes/fakes-dev.csv: 397 articles, but this benchmark expects 398 of fakes-dev.csv");
        assert!(count(Path::new("/data/article-extraction/"), "pages", 108).is_err());
        assert!(count(Path::new("mine.csv"), "articles", 5).is_ok());
    }
}
