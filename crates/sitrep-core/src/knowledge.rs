//! sitrep's knowledge, as data: the files under `crates/sitrep-core/data/`, embedded in the
//! binary at compile time and parsed once, on first use. Their formats are documented at the
//! top of each file; `DATA_VERSION` changes whenever any of them does.

use regex::Regex;
use serde::Deserialize;
use std::sync::LazyLock;

/// Version of the embedded data files, stamped on outputs that depend on them.
pub const DATA_VERSION: &str = "2026.12.04-1";

const BOILERPLATE_TOML: &str = include_str!("../data/boilerplate.toml");
const OUTLETS_TSV: &str = include_str!("../data/outlets.tsv");

/// What a boilerplate rule does to the line it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Remove the line.
    Drop,
    /// Remove the line and everything after it.
    Cut,
    /// Remove the line and everything after it when all that follows is short lines (a list
    /// of headlines); otherwise remove the line alone.
    CutList,
}

#[derive(Debug, Deserialize)]
struct RuleFile {
    version: u32,
    dateline: DatelineSpec,
    #[serde(default)]
    meta: Vec<MetaSpec>,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
struct DatelineSpec {
    pattern: String,
    #[serde(default)]
    not_places: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct MetaSpec {
    field: MetaField,
    pattern: String,
    #[serde(default)]
    head_only: bool,
}

#[derive(Debug, Deserialize)]
struct RuleSpec {
    name: String,
    kind: String,
    action: Action,
    pattern: String,
    max_words: Option<usize>,
}

/// A metadata field that a body line can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetaField {
    Byline,
    Source,
    Published,
}

/// One compiled boilerplate rule.
#[derive(Debug)]
pub struct Rule {
    pub regex: Regex,
    pub name: String,
    pub kind: String,
    pub action: Action,
    pub max_words: Option<usize>,
}

/// One compiled metadata-line rule.
#[derive(Debug)]
pub struct MetaRule {
    pub field: MetaField,
    pub regex: Regex,
    pub head_only: bool,
}

/// The compiled boilerplate patterns.
#[derive(Debug)]
pub struct Boilerplate {
    /// In file order; the first that applies to a line wins.
    pub rules: Vec<Rule>,
    pub meta: Vec<MetaRule>,
    pub dateline: Regex,
    /// All-caps openers that are not dateline places ("VIDEO", "BREAKING").
    pub not_dateline: Vec<String>,
}

impl Boilerplate {
    /// The first rule that matches a line of `words` words.
    pub fn matching(&self, line: &str, words: usize) -> Option<&Rule> {
        self.rules.iter().find(|r| r.max_words.is_none_or(|m| words <= m) && r.regex.is_match(line))
    }

    /// Parses and compiles a patterns file (the format of `data/boilerplate.toml`).
    pub fn parse(toml_text: &str) -> Result<Self, String> {
        let file: RuleFile = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        if file.version != 1 {
            return Err(format!("unsupported boilerplate patterns version {}", file.version));
        }
        // One regex per rule rather than a RegexSet: each gets its own literal prefilter and
        // lazy DFA, and rules for short lines are not even tried on long ones (a set fell back
        // to its slow PikeVM on long story lines).
        let rules = file
            .rule
            .into_iter()
            .map(|r| {
                Regex::new(&r.pattern)
                    .map(|regex| Rule { regex, name: r.name, kind: r.kind, action: r.action, max_words: r.max_words })
                    .map_err(|e| format!("rule {}: {e}", r.pattern))
            })
            .collect::<Result<_, _>>()?;
        let meta = file
            .meta
            .into_iter()
            .map(|m| {
                Regex::new(&m.pattern).map(|regex| MetaRule { field: m.field, regex, head_only: m.head_only }).map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let dateline = Regex::new(&file.dateline.pattern).map_err(|e| e.to_string())?;
        Ok(Boilerplate { rules, meta, dateline, not_dateline: file.dateline.not_places })
    }

    /// The patterns shipped with sitrep.
    pub fn builtin() -> &'static Boilerplate {
        static B: LazyLock<Boilerplate> =
            LazyLock::new(|| Boilerplate::parse(BOILERPLATE_TOML).expect("embedded data/boilerplate.toml is valid"));
        &B
    }
}

/// A news outlet.
#[derive(Debug, Clone)]
pub struct Outlet {
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: String,
    pub leaning: String,
    pub country: String,
}

/// The outlets file, parsed.
#[derive(Debug)]
pub struct Outlets {
    pub outlets: Vec<Outlet>,
    by_name: std::collections::HashMap<String, usize>,
}

impl Outlets {
    /// Parses an outlets file (the format of `data/outlets.tsv`).
    pub fn parse(tsv: &str) -> Result<Self, String> {
        let mut outlets = Vec::new();
        let mut by_name = std::collections::HashMap::new();
        for (n, line) in tsv.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() || line.starts_with("name\t") {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 5 {
                return Err(format!("outlets line {}: expected 5 tab-separated columns, found {}", n + 1, cols.len()));
            }
            let o = Outlet {
                name: cols[0].to_string(),
                aliases: cols[1].split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
                kind: cols[2].to_string(),
                leaning: cols[3].to_string(),
                country: cols[4].to_string(),
            };
            for k in std::iter::once(&o.name).chain(o.aliases.iter()) {
                by_name.entry(k.to_lowercase()).or_insert(outlets.len());
            }
            outlets.push(o);
        }
        Ok(Outlets { outlets, by_name })
    }

    /// The outlets shipped with sitrep.
    pub fn builtin() -> &'static Outlets {
        static O: LazyLock<Outlets> = LazyLock::new(|| Outlets::parse(OUTLETS_TSV).expect("embedded data/outlets.tsv is valid"));
        &O
    }

    /// The outlet a name (or alias, any case) stands for.
    pub fn lookup(&self, name: &str) -> Option<&Outlet> {
        self.by_name.get(&name.trim().to_lowercase()).map(|&i| &self.outlets[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses() {
        let b = Boilerplate::builtin();
        assert!(b.rules.len() >= 20);
        let o = Outlets::builtin();
        assert_eq!(o.lookup("ara news").map(|o| o.name.as_str()), Some("ARA News"));
        assert_eq!(o.lookup("sana").map(|o| o.leaning.as_str()), Some("pro_government"));
        assert!(o.lookup("Aleppo").is_none());
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(Boilerplate::parse("version = 2\n[dateline]\npattern='x'").is_err());
        assert!(Outlets::parse("a\tb\n").is_err());
    }
}
