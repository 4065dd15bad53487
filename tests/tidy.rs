//! The structure's invariants, checked on the sources (as rust-analyzer's tidy tests do):
//! which crate may depend on what, no import cycle between sitrep-core's modules, no function
//! over 100 lines outside tests. ARCHITECTURE.md states them; these keep them true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The source with string and char literals emptied and comments removed, so that braces and
/// paths inside them do not count.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                if b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if c == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) && !is_ident(b, i) {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c as char);
                i += 1;
                continue;
            }
            j += 1;
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            while j < b.len() && !b[j..].starts_with(&close) {
                if b[j] == b'\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j + close.len();
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if b.get(i) == Some(&b'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == b'\'' && char_literal_len(&b[i..]).is_some() {
            out.push_str("' '");
            i += char_literal_len(&b[i..]).unwrap_or(1);
        } else {
            out.push(c as char);
            i += 1;
        }
    }
    out
}

fn is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// The length of a char literal at the start of `b` ('x', '\n', '\u{..}'), if one is there
/// (not a lifetime).
fn char_literal_len(b: &[u8]) -> Option<usize> {
    if b.get(1) == Some(&b'\\') {
        let end = b[2..].iter().position(|&c| c == b'\'')?;
        return Some(end + 3);
    }
    let s = std::str::from_utf8(&b[1..b.len().min(6)]).unwrap_or_else(|e| std::str::from_utf8(&b[1..1 + e.valid_up_to()]).unwrap_or(""));
    let ch = s.chars().next()?;
    (s[ch.len_utf8()..].starts_with('\'')).then_some(ch.len_utf8() + 2)
}

/// The code with every `#[cfg(test)]` item (a test module or function) removed, line breaks kept.
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let (open, semi) = (after.find('{'), after.find(';'));
        let end = match (open, semi) {
            (_, Some(s)) if open.is_none_or(|o| s < o) => s + 1,
            (Some(o), _) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (k, ch) in after[o..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = o + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            _ => after.len(),
        };
        out.extend(after[..end].chars().filter(|&c| c == '\n'));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn manifest(path: &str) -> toml::Table {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.parse().unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn dependencies(m: &toml::Table) -> BTreeSet<String> {
    m.get("dependencies").and_then(|d| d.as_table()).map(|d| d.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn crates_depend_only_on_what_their_role_allows() {
    let cli = dependencies(&manifest("Cargo.toml"));
    let server = dependencies(&manifest("crates/sitrep-server/Cargo.toml"));
    let core = dependencies(&manifest("crates/sitrep-core/Cargo.toml"));
    // SQL lives in the store, behind its traits: only sitrep-core reaches SQLite.
    for (name, deps) in [("sitrep-cli", &cli), ("sitrep-server", &server)] {
        assert!(!deps.contains("rusqlite"), "{name} depends on rusqlite: reach the store through sitrep_core::store");
    }
    // The shipped binary carries no benchmark.
    assert!(!cli.contains("sitrep-bench"), "the sitrep binary depends on sitrep-bench");
    // The library serves no HTTP and parses no command line of its own (clap only behind `cli`).
    for web in ["axum", "tokio", "hyper", "hyper-util", "tower", "tower-http"] {
        assert!(!core.contains(web), "sitrep-core depends on {web}: serving is sitrep-server's");
    }
    let core_manifest = manifest("crates/sitrep-core/Cargo.toml");
    let clap_optional = core_manifest["dependencies"].get("clap").and_then(|c| c.get("optional")).and_then(|o| o.as_bool());
    assert_eq!(clap_optional, Some(true), "sitrep-core's clap must stay optional (feature `cli`)");
}

/// sitrep-core's top-level modules and the other top-level modules each one names
/// (`crate::x`, `crate::{x, ..}`), tests left out.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("crates/sitrep-core/src");
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("sitrep-core/src").flatten() {
        let p = entry.path();
        let name = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        if p.is_dir() {
            let mut files = Vec::new();
            rust_files(&p, &mut files);
            modules.insert(name, files);
        } else if p.extension().is_some_and(|e| e == "rs") && name != "lib" {
            modules.insert(name, vec![p]);
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (m, files) in &modules {
        let mut uses = BTreeSet::new();
        for f in files {
            if f.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let code = without_tests(&code_only(&std::fs::read_to_string(f).expect("source")));
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let words: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    group.split('}').next().unwrap_or("").split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).collect()
                } else {
                    vec![rest]
                };
                for w in words {
                    let first: String = w.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if names.contains(&first) && first != *m {
                        uses.insert(first);
                    }
                }
            }
        }
        graph.insert(m.clone(), uses);
    }
    graph
}

#[test]
fn no_import_cycle_between_the_modules_of_sitrep_core() {
    let graph = module_graph();
    assert!(graph.len() > 15, "found the modules: {:?}", graph.keys());
    assert!(graph["store"].contains("model") && graph["fuse"].contains("store"), "the graph is read: {graph:?}");
    // A path back to a module from one it names is a cycle.
    for (m, uses) in &graph {
        for u in uses {
            let mut seen = BTreeSet::new();
            let mut todo = vec![(u.clone(), vec![m.clone(), u.clone()])];
            while let Some((at, path)) = todo.pop() {
                if !seen.insert(at.clone()) {
                    continue;
                }
                for next in graph.get(&at).into_iter().flatten() {
                    let mut p = path.clone();
                    p.push(next.clone());
                    assert!(next != m, "import cycle: {}", p.join(" -> "));
                    todo.push((next.clone(), p));
                }
            }
        }
    }
}

#[test]
fn no_function_over_100_lines_outside_tests() {
    let mut files = Vec::new();
    for dir in ["src", "crates/sitrep-core/src", "crates/sitrep-server/src", "crates/sitrep-bench/src"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 40, "found the sources: {}", files.len());
    let mut long = Vec::new();
    for f in &files {
        if f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let code = without_tests(&code_only(&std::fs::read_to_string(f).expect("source")));
        let lines: Vec<&str> = code.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let t = lines[i].trim_start();
            let t = t.strip_prefix("pub ").or_else(|| t.strip_prefix("pub(crate) ")).or_else(|| t.strip_prefix("pub(super) ")).unwrap_or(t);
            let t = t.strip_prefix("async ").or_else(|| t.strip_prefix("const ")).unwrap_or(t);
            if let Some(sig) = t.strip_prefix("fn ") {
                let name: String = sig.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let (mut depth, mut started, mut j) = (0i64, false, i);
                'body: while j < lines.len() {
                    for ch in lines[j].chars() {
                        match ch {
                            '{' => {
                                depth += 1;
                                started = true;
                            }
                            '}' => depth -= 1,
                            ';' if !started && depth == 0 => break 'body,
                            _ => {}
                        }
                    }
                    if started && depth == 0 {
                        break;
                    }
                    j += 1;
                }
                let n = j + 1 - i;
                if started && n > 100 {
                    long.push(format!("{}:{} {name} ({n} lines)", f.strip_prefix(root()).unwrap_or(f).display(), i + 1));
                }
                if started {
                    i = j + 1;
                    continue;
                }
            }
            i += 1;
        }
    }
    assert!(long.is_empty(), "functions over 100 lines (split them into named steps):\n{}", long.join("\n"));
}

#[test]
fn the_source_reader_sees_through_literals_and_comments() {
    let code = code_only("let a = \"{ // not code }\"; // a { comment\nlet b = '{'; let c = r#\"}\"#; /* { */ fn f<'a>(x: &'a str) {}");
    assert_eq!(code.matches('{').count(), code.matches('}').count(), "{code}");
    assert!(code.contains("fn f<'a>(x: &'a str) {}"), "{code}");
    let stripped = without_tests("fn a() {}\n#[cfg(test)]\nmod tests {\n fn b() { }\n}\nfn c() {}\n");
    assert!(stripped.contains("fn a") && stripped.contains("fn c") && !stripped.contains("fn b"), "{stripped}");
}
