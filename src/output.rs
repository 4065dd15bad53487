//! Readable renderings of the library's types for the terminal.

use sitrep_core::Article;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// An article as readable text: a header of fields, then the clean body.
pub fn article_text(out: &mut impl Write, a: &Article) -> io::Result<()> {
    let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    writeln!(out, "== {}  [{}]  id {}", a.input, a.format.as_str(), a.id)?;
    writeln!(out, "title:      {}", dash(&a.title))?;
    writeln!(out, "source:     {}", dash(&a.source))?;
    writeln!(out, "byline:     {}", dash(&a.byline))?;
    writeln!(out, "dateline:   {}", dash(&a.dateline))?;
    writeln!(
        out,
        "published:  {}",
        a.published.map_or_else(|| "-".into(), |p| p.to_string())
    )?;
    writeln!(out, "url:        {}", dash(&a.url))?;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &a.dropped {
        *kinds.entry(d.kind.as_str()).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(
        out,
        "dropped:    {}",
        if kinds.is_empty() {
            "-".into()
        } else {
            kinds.join(", ")
        }
    )?;
    writeln!(out)?;
    for p in &a.paragraphs {
        writeln!(out, "{}", p.text)?;
        writeln!(out)?;
    }
    Ok(())
}
