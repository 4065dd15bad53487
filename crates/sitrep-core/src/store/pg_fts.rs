//! Full-text search for the PostgreSQL store with the query syntax of SQLite's FTS5 (what
//! `sitrep search` and the `q` filter accept on an SQLite store), so that a query means the
//! same on both backends.
//!
//! Text is cut into tokens here, in Rust, as SQLite's `unicode61 remove_diacritics 2` tokenizer
//! cuts it (runs of letters and digits, case and diacritics folded), and the article's
//! `tsvector` is written from those tokens directly (PostgreSQL's own parser, which depends on
//! the server's locale and splits URLs and hyphenated words its own way, never sees the text).
//! The title's tokens carry weight A, the body's weight B (FTS5's columns `title` and `body`);
//! each column starts with the lexeme [`START`], which no token can be, so that `^word` (the
//! first token of a column) is the phrase `START <-> word` and no phrase runs from one column
//! into the other.
//!
//! A query is parsed into a small tree ([`Node`], FTS5's grammar: phrases `"..."` and `a + b`,
//! prefixes `word*`, `^`, column filters `title:`, `{title body}:`, `-body:`, `NEAR(a b, N)`,
//! implicit AND, `AND`, `OR`, `NOT` with FTS5's precedence) and written as a `tsquery` literal
//! ([`tsquery`]) that reaches the server as a bound parameter. Bad syntax is a reason string
//! (the store makes it [`super::StoreError::BadQuery`], as SQLite's errors are).
//!
//! Ranking is FTS5's bm25 ([`bm25`], [`idf`], [`counts`]): a phrase's instances counted only
//! in the parts of the query a document matches, and in a NEAR group only those near enough,
//! as FTS5 counts them.
//!
//! What differs from FTS5: positions past 16,383 (PostgreSQL's limit) count as 16,383 and a
//! lexeme keeps its first 256 positions, so phrases and NEAR deep in very long articles may
//! match where FTS5 would not; a NEAR group expands into the placements it allows, and one
//! that would expand into more than [`MAX_NEAR_PLACEMENTS`] is refused as a bad query.

use std::collections::HashMap;

/// The lexeme that starts each column: a caret, which the tokenizer (letters and digits only)
/// never makes.
pub const START: &str = "^";

/// The most placements a NEAR group may expand into (orders of its phrases times the gaps
/// between them); `NEAR(a b c)` with the default distance is 330.
pub const MAX_NEAR_PLACEMENTS: usize = 4096;

/// PostgreSQL's largest position in a `tsvector`.
const MAX_POSITION: u32 = 16_383;
/// PostgreSQL keeps at most this many positions of one lexeme.
const MAX_POSITIONS: usize = 256;
/// PostgreSQL's longest lexeme, in bytes.
const MAX_LEXEME: usize = 2_046;
/// A `tsvector` must stay under 1 MiB: past this estimate no new lexeme is added.
const MAX_TSVECTOR: usize = 900_000;

/// Whether a character belongs to a token: letters and digits, and the combining marks that
/// sit on them (dropped by the folding, as `remove_diacritics 2` drops them).
fn token_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// Appends `c` folded: lower case, diacritics removed.
fn push_folded(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        unicode_normalization::char::decompose_canonical(l, |d| {
            if !unicode_normalization::char::is_combining_mark(d) {
                out.push(d);
            }
        });
    }
}

/// The tokens of a text, as SQLite's `unicode61 remove_diacritics 2` makes them.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if token_char(c) {
            push_folded(&mut cur, c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A lexeme quoted for a `tsvector` or `tsquery` literal.
fn quoted(lexeme: &str) -> String {
    let mut q = String::with_capacity(lexeme.len() + 2);
    q.push('\'');
    for c in lexeme.chars() {
        if c == '\'' || c == '\\' {
            q.push(c);
        }
        q.push(c);
    }
    q.push('\'');
    q
}

/// The `tsvector` literal of an article: its title's tokens (weight A) and its body's (B),
/// each column opened by [`START`].
pub fn tsvector(title: Option<&str>, body: &str) -> String {
    let mut positions: HashMap<String, Vec<(u32, char)>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut size = 0usize;
    let mut pos = 1u32;
    for (text, weight) in [(title.unwrap_or(""), 'A'), (body, 'B')] {
        let column = std::iter::once(START.to_string()).chain(tokens(text));
        for t in column {
            let p = pos.min(MAX_POSITION);
            pos = pos.saturating_add(1);
            if t.len() > MAX_LEXEME {
                continue;
            }
            match positions.get_mut(&t) {
                Some(v) => {
                    if v.len() < MAX_POSITIONS {
                        v.push((p, weight));
                        size += 2;
                    }
                }
                None => {
                    if size + t.len() + 8 > MAX_TSVECTOR {
                        continue;
                    }
                    size += t.len() + 8;
                    order.push(t.clone());
                    positions.insert(t, vec![(p, weight)]);
                }
            }
        }
    }
    let mut out = String::with_capacity(size + order.len() * 4);
    for t in order {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&quoted(&t));
        out.push(':');
        // Positions clamped to the limit may repeat: PostgreSQL keeps one of each.
        let mut last = None;
        let mut first = true;
        for (p, w) in &positions[&t] {
            if last == Some((*p, *w)) {
                continue;
            }
            last = Some((*p, *w));
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&p.to_string());
            out.push(*w);
        }
    }
    out
}

/// The columns a part of a query may match: FTS5's `id` (never indexed), `title`, `body`.
const ID: u8 = 1;
const TITLE: u8 = 2;
const BODY: u8 = 4;
const ALL: u8 = ID | TITLE | BODY;

/// One string of a phrase: its tokens, and whether the last is a prefix (`word*`).
type Part = (Vec<String>, bool);

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A phrase that holds no token (`""`, `_`): FTS5 drops it from an implicit AND and from a
    /// NEAR group; anywhere else it matches nothing.
    Empty,
    /// Matches nothing (a column filter that leaves no indexed column).
    Nothing,
    /// Tokens in a row, the last of each part maybe a prefix; `caret`: at the start of a column.
    Phrase {
        parts: Vec<Part>,
        caret: bool,
        cols: u8,
    },
    /// Phrases within `distance` tokens of each other, in any order.
    Near {
        phrases: Vec<Vec<Part>>,
        distance: usize,
        cols: u8,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    /// The left without the right.
    Not(Box<Node>, Box<Node>),
}

/// A lexical token of the query language.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A bareword or a "quoted string" (its quotes removed, `""` made `"`).
    Str {
        text: String,
        quoted: bool,
    },
    Lp,
    Rp,
    Lcp,
    Rcp,
    Colon,
    Comma,
    Plus,
    Star,
    Minus,
    Caret,
    And,
    Or,
    Not,
    Eof,
}

impl Tok {
    /// How an error names it: FTS5's "syntax error near X".
    fn shown(&self) -> String {
        match self {
            Tok::Str { text, quoted: false } => text.clone(),
            Tok::Str { text, quoted: true } => format!("\"{}\"", text.replace('"', "\"\"")),
            Tok::Lp => "(".into(),
            Tok::Rp => ")".into(),
            Tok::Lcp => "{".into(),
            Tok::Rcp => "}".into(),
            Tok::Colon => ":".into(),
            Tok::Comma => ",".into(),
            Tok::Plus => "+".into(),
            Tok::Star => "*".into(),
            Tok::Minus => "-".into(),
            Tok::Caret => "^".into(),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::Not => "NOT".into(),
            Tok::Eof => String::new(),
        }
    }
}

/// FTS5's bareword characters: ASCII letters and digits, `_`, 0x1A, and anything not ASCII.
fn bareword_char(c: char) -> bool {
    !c.is_ascii() || c.is_ascii_alphanumeric() || c == '_' || c == '\u{1a}'
}

fn lex(query: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = query.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let tok = match c {
            c if c.is_ascii_whitespace() => continue,
            '(' => Tok::Lp,
            ')' => Tok::Rp,
            '{' => Tok::Lcp,
            '}' => Tok::Rcp,
            ':' => Tok::Colon,
            ',' => Tok::Comma,
            '+' => Tok::Plus,
            '*' => Tok::Star,
            '-' => Tok::Minus,
            '^' => Tok::Caret,
            '"' => {
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) => {
                            if matches!(chars.peek(), Some((_, '"'))) {
                                chars.next();
                                text.push('"');
                            } else {
                                break;
                            }
                        }
                        Some((_, c)) => text.push(c),
                        None => return Err("unterminated string".into()),
                    }
                }
                Tok::Str { text, quoted: true }
            }
            c if bareword_char(c) => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !bareword_char(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                match &query[i..end] {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    word => Tok::Str { text: word.to_string(), quoted: false },
                }
            }
            other => return Err(format!("syntax error near \"{other}\"")),
        };
        out.push(tok);
    }
    out.push(Tok::Eof);
    Ok(out)
}

/// The deepest nesting of parentheses a query may have (SQLite's FTS5 parser runs out of stack
/// near there too): the parser recurses, and a query is user text.
const MAX_DEPTH: usize = 97;

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    /// Parentheses open here.
    depth: usize,
    /// AND, OR and NOT met so far.
    operators: usize,
}

/// The most AND, OR and NOT operators a query may hold: the tree they make is walked
/// recursively, and empty phrases (`"" OR "" OR ...`) are no terms to count.
const MAX_OPERATORS: usize = 1000;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)]
    }

    fn peek2(&self) -> &Tok {
        &self.toks[(self.at + 1).min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.at += 1;
        t
    }

    fn error(&self) -> String {
        format!("syntax error near \"{}\"", self.peek().shown())
    }

    fn expect(&mut self, t: Tok) -> Result<(), String> {
        if *self.peek() == t {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn or(&mut self) -> Result<Node, String> {
        let mut left = self.and()?;
        while *self.peek() == Tok::Or {
            self.at += 1;
            self.operator()?;
            let right = self.and()?;
            left = Node::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, String> {
        let mut left = self.not()?;
        while *self.peek() == Tok::And {
            self.at += 1;
            self.operator()?;
            let right = self.not()?;
            left = Node::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Node, String> {
        let mut left = self.primary()?;
        while *self.peek() == Tok::Not {
            self.at += 1;
            self.operator()?;
            let right = self.primary()?;
            left = Node::Not(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn operator(&mut self) -> Result<(), String> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(format!("more than {MAX_OPERATORS} operators"));
        }
        Ok(())
    }

    /// Whether a column filter starts here: `-`, `{`, or a string before `:`.
    fn at_colset(&self) -> bool {
        match self.peek() {
            Tok::Minus | Tok::Lcp => true,
            Tok::Str { .. } => *self.peek2() == Tok::Colon,
            _ => false,
        }
    }

    /// `( expr )`, after its `(`.
    fn group(&mut self) -> Result<Node, String> {
        self.at += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("parser stack overflow".into());
        }
        let e = self.or()?;
        self.expect(Tok::Rp)?;
        self.depth -= 1;
        Ok(e)
    }

    /// `( expr )`, `cols : ( expr )`, or phrases and NEAR groups side by side (implicit AND).
    fn primary(&mut self) -> Result<Node, String> {
        if *self.peek() == Tok::Lp {
            return self.group();
        }
        let mut items = Vec::new();
        if self.at_colset() {
            let cols = self.colset()?;
            self.expect(Tok::Colon)?;
            if *self.peek() == Tok::Lp {
                return Ok(restrict(self.group()?, cols));
            }
            items.push(self.nearset(cols)?);
        } else {
            items.push(self.nearset(ALL)?);
        }
        while matches!(self.peek(), Tok::Str { .. } | Tok::Caret | Tok::Minus | Tok::Lcp) {
            let cols = if self.at_colset() {
                let cols = self.colset()?;
                self.expect(Tok::Colon)?;
                cols
            } else {
                ALL
            };
            items.push(self.nearset(cols)?);
        }
        // Empty phrases drop out of an implicit AND; all empty, the list is.
        let mut kept = items.into_iter().filter(|n| *n != Node::Empty);
        let Some(first) = kept.next() else { return Ok(Node::Empty) };
        Ok(kept.fold(first, |l, r| Node::And(Box::new(l), Box::new(r))))
    }

    /// `name`, `-name`, `{a b}`, `-{a b}`: the columns named (or all but them).
    fn colset(&mut self) -> Result<u8, String> {
        let negate = *self.peek() == Tok::Minus;
        if negate {
            self.at += 1;
        }
        let mut cols = 0u8;
        if *self.peek() == Tok::Lcp {
            self.at += 1;
            loop {
                match self.next() {
                    Tok::Str { text, .. } => cols |= column(&text)?,
                    Tok::Rcp if cols != 0 => break,
                    _ => {
                        self.at -= 1;
                        return Err(self.error());
                    }
                }
            }
        } else {
            match self.next() {
                Tok::Str { text, .. } => cols = column(&text)?,
                _ => {
                    self.at -= 1;
                    return Err(self.error());
                }
            }
        }
        Ok(if negate { ALL & !cols } else { cols })
    }

    /// A phrase, `^` and a phrase, or `NEAR( phrases [, N] )`.
    fn nearset(&mut self, cols: u8) -> Result<Node, String> {
        let caret = *self.peek() == Tok::Caret;
        if caret {
            self.at += 1;
        }
        let is_near = matches!(self.peek(), Tok::Str { text, quoted: false } if text == "NEAR") && *self.peek2() == Tok::Lp;
        if !caret && is_near {
            self.at += 2;
            let mut phrases = vec![self.phrase()?];
            while matches!(self.peek(), Tok::Str { .. }) {
                phrases.push(self.phrase()?);
            }
            let mut distance = 10;
            if *self.peek() == Tok::Comma {
                self.at += 1;
                match self.next() {
                    Tok::Str { text, .. } if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                        distance = text.parse().unwrap_or(usize::MAX);
                    }
                    Tok::Str { text, .. } => return Err(format!("expected integer, got \"{text}\"")),
                    _ => {
                        self.at -= 1;
                        return Err(self.error());
                    }
                }
            }
            self.expect(Tok::Rp)?;
            phrases.retain(|p| p.iter().any(|(t, _)| !t.is_empty()));
            return Ok(match phrases.len() {
                0 => Node::Empty,
                1 => Node::Phrase { parts: phrases.remove(0), caret: false, cols },
                _ => Node::Near { phrases, distance, cols },
            });
        }
        let parts = self.phrase()?;
        if parts.iter().all(|(t, _)| t.is_empty()) {
            return Ok(Node::Empty);
        }
        Ok(Node::Phrase { parts, caret, cols })
    }

    /// `string [*] (+ string [*])*`.
    fn phrase(&mut self) -> Result<Vec<Part>, String> {
        let mut parts = Vec::new();
        loop {
            match self.next() {
                Tok::Str { text, .. } => {
                    let star = *self.peek() == Tok::Star;
                    if star {
                        self.at += 1;
                    }
                    parts.push((tokens(&text), star));
                }
                _ => {
                    self.at -= 1;
                    return Err(self.error());
                }
            }
            if *self.peek() != Tok::Plus {
                return Ok(parts);
            }
            self.at += 1;
        }
    }
}

/// A column of the search index by name (any case).
fn column(name: &str) -> Result<u8, String> {
    match name.to_ascii_lowercase().as_str() {
        "id" => Ok(ID),
        "title" => Ok(TITLE),
        "body" => Ok(BODY),
        _ => Err(format!("no such column: {name}")),
    }
}

/// A subtree limited to some columns (a filter inside a filter: both hold).
fn restrict(n: Node, cols: u8) -> Node {
    match n {
        Node::Phrase { parts, caret, cols: c } => Node::Phrase { parts, caret, cols: c & cols },
        Node::Near { phrases, distance, cols: c } => Node::Near { phrases, distance, cols: c & cols },
        Node::And(a, b) => Node::And(Box::new(restrict(*a, cols)), Box::new(restrict(*b, cols))),
        Node::Or(a, b) => Node::Or(Box::new(restrict(*a, cols)), Box::new(restrict(*b, cols))),
        Node::Not(a, b) => Node::Not(Box::new(restrict(*a, cols)), Box::new(restrict(*b, cols))),
        other => other,
    }
}

/// Parses a query in FTS5's syntax; an error is the reason, in FTS5's words where it has some.
pub fn parse(query: &str) -> Result<Node, String> {
    let mut p = Parser { toks: lex(query)?, at: 0, depth: 0, operators: 0 };
    let n = p.or()?;
    if *p.peek() != Tok::Eof {
        return Err(p.error());
    }
    Ok(n)
}

/// The weights a `tsquery` lexeme is limited to for these columns ("" for both), or `None`
/// when no indexed column is left.
fn weights(cols: u8) -> Option<&'static str> {
    match (cols & TITLE != 0, cols & BODY != 0) {
        (true, true) => Some(""),
        (true, false) => Some("A"),
        (false, true) => Some("B"),
        (false, false) => None,
    }
}

fn lexeme(t: &str, prefix: bool, w: &str) -> String {
    let mut s = quoted(t);
    if prefix || !w.is_empty() {
        s.push(':');
        if prefix {
            s.push('*');
        }
        s.push_str(w);
    }
    s
}

/// The lexemes of a phrase in a row (`a <-> b`), maybe opened by [`START`].
fn phrase_query(parts: &[Part], caret: bool, w: &str) -> String {
    let mut lex = Vec::new();
    if caret {
        lex.push(lexeme(START, false, w));
    }
    for (toks, star) in parts {
        for (i, t) in toks.iter().enumerate() {
            lex.push(lexeme(t, *star && i + 1 == toks.len(), w));
        }
    }
    if lex.len() == 1 {
        lex.remove(0)
    } else {
        format!("({})", lex.join(" <-> "))
    }
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// Gap choices (tokens between consecutive phrases) of `slots` gaps summing to at most `budget`.
fn gaps(slots: usize, budget: usize, limit: usize, out: &mut Vec<Vec<usize>>, cur: &mut Vec<usize>) -> bool {
    if cur.len() == slots {
        out.push(cur.clone());
        return out.len() <= limit;
    }
    for g in 0..=budget {
        cur.push(g);
        let ok = gaps(slots, budget - g, limit, out, cur);
        cur.pop();
        if !ok {
            return false;
        }
    }
    true
}

/// Whether a phrase holds a token too long for a `tsvector` (never indexed: it matches nothing,
/// and PostgreSQL would refuse it in a `tsquery`).
fn too_long(parts: &[Part]) -> bool {
    parts.iter().any(|(t, _)| t.iter().any(|t| t.len() > MAX_LEXEME))
}

/// The `tsquery` of a node, or `None` when it matches nothing.
fn build(n: &Node) -> Result<Option<String>, String> {
    Ok(match n {
        Node::Empty | Node::Nothing => None,
        Node::Phrase { parts, .. } if too_long(parts) => None,
        Node::Phrase { parts, caret, cols } => weights(*cols).map(|w| phrase_query(parts, *caret, w)),
        Node::Near { phrases, .. } if phrases.iter().any(|p| too_long(p)) => None,
        Node::Near { phrases, distance, cols } => {
            let Some(w) = weights(*cols) else { return Ok(None) };
            let lens: Vec<usize> = phrases.iter().map(|p| p.iter().map(|(t, _)| t.len()).sum()).collect();
            let texts: Vec<String> = phrases.iter().map(|p| phrase_query(p, false, w)).collect();
            let mut placements = Vec::new();
            for order in permutations(phrases.len()) {
                // Tokens between the end of the first phrase and the start of the last: the
                // gaps and the phrases between.
                let middle: usize = order[1..order.len() - 1].iter().map(|&i| lens[i]).sum();
                let Some(budget) = distance.checked_sub(middle) else { continue };
                let mut choices = Vec::new();
                if !gaps(order.len() - 1, budget, MAX_NEAR_PLACEMENTS, &mut choices, &mut Vec::new())
                    || placements.len() + choices.len() > MAX_NEAR_PLACEMENTS
                {
                    return Err(format!("a NEAR group too wide for the PostgreSQL store (more than {MAX_NEAR_PLACEMENTS} placements)"));
                }
                for g in choices {
                    let mut q = texts[order[0]].clone();
                    for (k, &i) in order[1..].iter().enumerate() {
                        q = format!("({q} <{}> {})", g[k] + 1, texts[i]);
                    }
                    placements.push(q);
                }
            }
            (!placements.is_empty()).then(|| format!("({})", placements.join(" | ")))
        }
        Node::And(a, b) => match (build(a)?, build(b)?) {
            (Some(a), Some(b)) => Some(format!("({a} & {b})")),
            _ => None,
        },
        Node::Or(a, b) => match (build(a)?, build(b)?) {
            (Some(a), Some(b)) => Some(format!("({a} | {b})")),
            (a, b) => a.or(b),
        },
        Node::Not(a, b) => match (build(a)?, build(b)?) {
            (Some(a), Some(b)) => Some(format!("({a} & !{b})")),
            (a, None) => a,
            (None, _) => None,
        },
    })
}

/// The `tsquery` literal of a query in FTS5's syntax (`None`: it can match nothing), or why
/// the query is bad.
pub fn tsquery(query: &str) -> Result<Option<String>, String> {
    build(&parse(query)?)
}

/// How many tokens a document holds (its title's and its body's): FTS5's column sizes, which
/// bm25 reads.
pub fn token_count(title: Option<&str>, body: &str) -> usize {
    tokens(title.unwrap_or("")).len() + tokens(body).len()
}

/// A phrase of a query as ranking sees it: its terms (token, prefix), whether it is at a
/// column's start, the columns it may match, and its own `tsquery` (`None`: no indexed column).
#[derive(Debug, Clone)]
pub struct RankPhrase {
    terms: Vec<(String, bool)>,
    caret: bool,
    cols: u8,
    pub tsquery: Option<String>,
}

/// The phrases of a parsed query in the order FTS5 numbers them (as written), which bm25 sums
/// over.
pub fn phrases(query: &str) -> Result<Vec<RankPhrase>, String> {
    fn walk(n: &Node, out: &mut Vec<RankPhrase>) {
        let phrase = |parts: &[Part], caret: bool, cols: u8| RankPhrase {
            terms: parts
                .iter()
                .flat_map(|(t, star)| t.iter().enumerate().map(move |(i, x)| (x.clone(), *star && i + 1 == t.len())))
                .collect(),
            caret,
            cols,
            tsquery: if too_long(parts) { None } else { weights(cols).map(|w| phrase_query(parts, caret, w)) },
        };
        match n {
            Node::Empty | Node::Nothing => {}
            Node::Phrase { parts, caret, cols } => out.push(phrase(parts, *caret, *cols)),
            Node::Near { phrases, cols, .. } => out.extend(phrases.iter().map(|p| phrase(p, false, *cols))),
            Node::And(a, b) | Node::Or(a, b) | Node::Not(a, b) => {
                walk(a, out);
                walk(b, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&parse(query)?, &mut out);
    Ok(out)
}

/// Per phrase of a query (in [`phrases`]' order), its instances in a document as FTS5's bm25
/// counts them: only in the parts of the query the document matches (a phrase on the side of
/// an OR that fails, or on the right of a NOT, counts nothing), and in a NEAR group only the
/// instances near enough to the others.
pub fn counts(query: &str, doc: &HashMap<String, Vec<(u32, char)>>) -> Result<Vec<usize>, String> {
    let node = parse(query)?;
    let phrases = phrases(query)?;
    let mut out = vec![0; phrases.len()];
    let mut next = 0;
    eval(&node, doc, &phrases, &mut next, &mut out);
    Ok(out)
}

/// Whether a document matches a node, its phrases' counts written into `out` (cleared where
/// the part does not match); `next`: the index of the node's first phrase.
fn eval(n: &Node, doc: &HashMap<String, Vec<(u32, char)>>, phrases: &[RankPhrase], next: &mut usize, out: &mut [usize]) -> bool {
    let clear = |out: &mut [usize], from: usize, to: usize| out[from..to].iter_mut().for_each(|c| *c = 0);
    match n {
        Node::Empty | Node::Nothing => false,
        Node::Phrase { .. } => {
            let i = *next;
            *next += 1;
            let Some(p) = phrases.get(i) else { return false };
            out[i] = starts(doc, p).len();
            out[i] > 0
        }
        Node::Near { phrases: group, distance, .. } => {
            let from = *next;
            *next += group.len();
            let Some(ps) = phrases.get(from..*next) else { return false };
            let found: Vec<Vec<(u32, char)>> = ps.iter().map(|p| starts(doc, p)).collect();
            let lens: Vec<u32> = ps.iter().map(|p| p.terms.len() as u32).collect();
            let mut any = false;
            for (k, inst) in found.iter().enumerate() {
                let kept = inst.iter().filter(|x| near_with(&found, &lens, *distance, k, **x)).count();
                out[from + k] = kept;
                any |= kept > 0;
            }
            if !any {
                clear(out, from, *next);
            }
            any
        }
        Node::And(a, b) | Node::Or(a, b) | Node::Not(a, b) => {
            let from = *next;
            let ma = eval(a, doc, phrases, next, out);
            let mid = *next;
            let mb = eval(b, doc, phrases, next, out);
            let to = *next;
            let (keep_a, keep_b, matched) = match n {
                Node::And(..) => (ma && mb, ma && mb, ma && mb),
                Node::Or(..) => (ma, mb, ma || mb),
                _ => (ma && !mb, false, ma && !mb),
            };
            if !keep_a {
                clear(out, from, mid);
            }
            if !keep_b {
                clear(out, mid, to);
            }
            matched
        }
    }
}

/// Whether instance `x` of phrase `k` of a NEAR group has an instance of every other phrase
/// (in its column) such that at most `distance` tokens lie between the end of the first and
/// the start of the last.
fn near_with(found: &[Vec<(u32, char)>], lens: &[u32], distance: usize, k: usize, x: (u32, char)) -> bool {
    fn pick(found: &[Vec<(u32, char)>], lens: &[u32], distance: i64, i: usize, chosen: &mut Vec<(u32, u32)>, w: char) -> bool {
        if i == found.len() {
            let first = chosen.iter().min_by_key(|(s, _)| *s).copied().unwrap_or((0, 0));
            let last = chosen.iter().map(|(s, _)| *s).max().unwrap_or(0);
            return i64::from(last) - i64::from(first.0 + first.1) <= distance;
        }
        for &(s, wi) in &found[i] {
            if wi != w {
                continue;
            }
            chosen.push((s, lens[i]));
            if pick(found, lens, distance, i + 1, chosen, w) {
                return true;
            }
            chosen.pop();
        }
        false
    }
    // `k` first (it is `x`), the others chosen by the search.
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.swap(0, k);
    let found: Vec<Vec<(u32, char)>> = order.iter().map(|&i| found[i].clone()).collect();
    let lens: Vec<u32> = order.iter().map(|&i| lens[i]).collect();
    let mut chosen = vec![(x.0, lens[0])];
    pick(&found, &lens, distance as i64, 1, &mut chosen, x.1)
}

/// A stored `tsvector` as PostgreSQL prints it (`'lexeme':1A,5B ...`): positions and weights
/// by lexeme.
pub fn read_tsvector(text: &str) -> HashMap<String, Vec<(u32, char)>> {
    let mut out: HashMap<String, Vec<(u32, char)>> = HashMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ' ').is_some() {}
        if chars.next() != Some('\'') {
            return out;
        }
        let mut lexeme = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.next_if_eq(&'\'').is_some() => lexeme.push('\''),
                '\'' => break,
                '\\' => lexeme.extend(chars.next()),
                c => lexeme.push(c),
            }
        }
        let entry = out.entry(lexeme).or_default();
        if chars.next_if_eq(&':').is_none() {
            continue;
        }
        loop {
            let mut pos = 0u32;
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                pos = pos.saturating_mul(10).saturating_add(d.to_digit(10).unwrap_or(0));
            }
            let weight = chars.next_if(|c| matches!(c, 'A' | 'B' | 'C' | 'D')).unwrap_or('D');
            entry.push((pos, weight));
            if chars.next_if_eq(&',').is_none() {
                break;
            }
        }
    }
}

/// Where a phrase occurs in a document (in the columns it may match): the start of each of
/// FTS5's phrase instances, with its column's weight.
fn starts(doc: &HashMap<String, Vec<(u32, char)>>, p: &RankPhrase) -> Vec<(u32, char)> {
    let allowed = |w: char| match w {
        'A' => p.cols & TITLE != 0,
        'B' => p.cols & BODY != 0,
        _ => false,
    };
    let at = |(t, prefix): &(String, bool)| -> std::collections::HashSet<(u32, char)> {
        if *prefix {
            doc.iter().filter(|(l, _)| l.as_str() != START && l.starts_with(t.as_str())).flat_map(|(_, v)| v.iter().copied()).collect()
        } else {
            doc.get(t).map(|v| v.iter().copied().collect()).unwrap_or_default()
        }
    };
    let sets: Vec<std::collections::HashSet<(u32, char)>> = p.terms.iter().map(at).collect();
    let starts: std::collections::HashSet<(u32, char)> = doc.get(START).map(|v| v.iter().copied().collect()).unwrap_or_default();
    let Some(first) = sets.first() else { return Vec::new() };
    first
        .iter()
        .filter(|(pos, w)| {
            allowed(*w)
                && (!p.caret || starts.contains(&(pos.saturating_sub(1), *w)))
                && sets[1..].iter().enumerate().all(|(k, s)| s.contains(&(pos + k as u32 + 1, *w)))
        })
        .copied()
        .collect()
}

/// FTS5's bm25 (k1 1.2, b 0.75, every column weighing 1) of a document: `freq` its phrase
/// counts, `idf` the phrases' weights, `tokens` its size, `avgdl` the mean size. Negated:
/// lower is better, as SQLite returns it.
pub fn bm25(freq: &[usize], idf: &[f64], tokens: f64, avgdl: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let mut score = 0.0;
    for (f, idf) in freq.iter().zip(idf) {
        let f = *f as f64;
        score += idf * ((f * (K1 + 1.0)) / (f + K1 * (1.0 - B + B * tokens / avgdl)));
    }
    -score
}

/// A phrase's weight for bm25 from how many of `rows` documents hold it (FTS5's IDF, never
/// below a millionth).
pub fn idf(rows: u64, hits: u64) -> f64 {
    let idf = ((rows as f64 - hits as f64 + 0.5) / (hits as f64 + 0.5)).ln();
    if idf <= 0.0 {
        1e-6
    } else {
        idf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_and_diacritics_and_split_on_everything_else() {
        assert_eq!(tokens("Deir ez-Zōr, CAFÉ x_y 12:30 Ḥalab"), ["deir", "ez", "zor", "cafe", "x", "y", "12", "30", "halab"]);
        assert_eq!(tokens("حلب، سوريا"), ["حلب", "سوريا"]);
        assert!(tokens(" – ... ").is_empty());
    }

    #[test]
    fn a_tsvector_holds_both_columns_each_opened_by_the_start_lexeme() {
        assert_eq!(tsvector(Some("Air strike"), "strike it's"), "'^':1A,4B 'air':2A 'strike':3A,5B 'it':6B 's':7B");
        assert_eq!(tsvector(None, "O'Brien"), "'^':1A,2B 'o':3B 'brien':4B");
        let long = "word ".repeat(20_000);
        let v = tsvector(None, &long);
        // START's two positions, and the word's first 256.
        assert_eq!(v.matches(',').count(), 1 + (MAX_POSITIONS - 1));
    }

    #[test]
    fn queries_become_tsqueries_with_fts5s_precedence() {
        let q = |s: &str| tsquery(s).unwrap().unwrap_or_else(|| "NOTHING".into());
        assert_eq!(q("Aleppo"), "'aleppo'");
        assert_eq!(q("\"captured the town\""), "('captured' <-> 'the' <-> 'town')");
        assert_eq!(q("on* + tw*"), "('on':* <-> 'tw':*)");
        assert_eq!(q("a b OR c"), "(('a' & 'b') | 'c')");
        assert_eq!(q("a OR b c"), "('a' | ('b' & 'c'))");
        assert_eq!(q("a NOT b c"), "('a' & !('b' & 'c'))");
        assert_eq!(q("a OR b AND c NOT d"), "('a' | ('b' & ('c' & !'d')))");
        assert_eq!(q("title:hello one"), "('hello':A & 'one')");
        assert_eq!(q("-title:(x OR y*)"), "('x':B | 'y':*B)");
        assert_eq!(q("{title body}:x ^y"), "('x' & ('^' <-> 'y'))");
        assert_eq!(q("id:x"), "NOTHING");
        assert_eq!(q("id:x two"), "NOTHING");
        assert_eq!(q("\"\" one"), "'one'");
        assert_eq!(q("one AND \"\""), "NOTHING");
        assert_eq!(q("one OR \"\""), "'one'");
        assert_eq!(q("one NOT \"\""), "'one'");
        assert_eq!(q("NEAR(a b, 1)"), "(('b' <1> 'a') | ('b' <2> 'a') | ('a' <1> 'b') | ('a' <2> 'b'))");
        assert_eq!(q("NEAR(a)"), "'a'");
        // User text stays inside quoted lexemes.
        assert!(q("\"x'); DROP TABLE events; --\"").starts_with("('x' <-> 'drop'"));
    }

    #[test]
    fn bm25_counts_what_fts5_counts() {
        let doc = read_tsvector(&tsvector(Some("One title"), "one two three. two one six"));
        assert_eq!(doc["one"], vec![(2, 'A'), (5, 'B'), (9, 'B')]);
        assert_eq!(
            read_tsvector("'it''s':3B 'a\\\\b':1 '^':2A"),
            HashMap::from([("it's".into(), vec![(3, 'B')]), ("a\\b".into(), vec![(1, 'D')]), ("^".into(), vec![(2, 'A')])])
        );
        let c = |q: &str| counts(q, &doc).unwrap();
        assert_eq!(c("one"), [3]);
        assert_eq!(c("body:one"), [2]);
        assert_eq!(c("^one"), [2], "the first token of each column");
        assert_eq!(c("^two"), [0]);
        assert_eq!(c("\"two one\" OR six"), [1, 1]);
        // A phrase counts only where its part of the query matches.
        assert_eq!(c("one OR two seven"), [3, 0, 0]);
        assert_eq!(c("one NOT seven"), [3, 0]);
        assert_eq!(c("one NOT two"), [0, 0]);
        assert_eq!(c("NEAR(three six, 2)"), [1, 1]);
        assert_eq!(c("NEAR(one six, 0)"), [1, 1], "only the instances near enough");
        assert_eq!(c("NEAR(title six, 0)"), [0, 0]);
        assert!(bm25(&[1], &[idf(10, 1)], 5.0, 5.0) < bm25(&[1], &[idf(10, 5)], 5.0, 5.0), "a rarer phrase ranks higher");
        assert_eq!(idf(2, 2), 1e-6);
    }

    #[test]
    fn bad_syntax_is_an_error_in_fts5s_words() {
        for (q, why) in [
            ("\"", "unterminated string"),
            ("*", "syntax error near \"*\""),
            ("-Aleppo", "no such column: Aleppo"),
            ("car-bomb", "no such column: bomb"),
            ("AND (", "syntax error near \"AND\""),
            ("car\"bomb", "unterminated string"),
            ("one AND", "syntax error near \"\""),
            ("NOT one", "syntax error near \"NOT\""),
            ("one.two", "syntax error near \".\""),
            ("it's", "syntax error near \"'\""),
            ("(one OR six) two", "syntax error near \"two\""),
            ("one (two OR six)", "syntax error near \"(\""),
            ("near(one two)", "syntax error near \"(\""),
            ("NEAR(one two, x)", "expected integer, got \"x\""),
            ("{}:one", "syntax error near \"}\""),
            ("title:one:two", "syntax error near \":\""),
            ("12:30", "no such column: 12"),
            ("()", "syntax error near \")\""),
        ] {
            assert_eq!(tsquery(q), Err(why.to_string()), "{q}");
        }
        assert!(tsquery("NEAR(a b c d e, 30)").unwrap_err().contains("too wide"));
        // Nesting is bounded (the parser recurses), as FTS5's parser's stack is.
        let nested = |n: usize| format!("{}one{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(tsquery(&nested(MAX_DEPTH)), Ok(Some("'one'".into())));
        assert_eq!(tsquery(&nested(100_000)), Err("parser stack overflow".into()));
        assert_eq!(tsquery(&format!("title:{}", nested(200_000))), Err("parser stack overflow".into()));
        assert!(tsquery(&"\"\" OR ".repeat(100_000)).unwrap_err().contains("operators"));
        assert_eq!(tsquery("\"\" OR ".repeat(500).trim_end_matches(" OR ")), Ok(None));
        // A token too long to index matches nothing (and never reaches PostgreSQL).
        assert_eq!(tsquery(&"a".repeat(3000)), Ok(None));
        assert_eq!(tsquery(&format!("one NOT {}", "a".repeat(3000))), Ok(Some("'one'".into())));
    }

    /// SQLite's FTS5 (the bundled one the SQLite store runs) on an empty table: whether it
    /// accepts a query.
    fn fts5_accepts(c: &rusqlite::Connection, q: &str) -> bool {
        c.query_row("SELECT count(*) FROM f WHERE f MATCH ?1", [q], |r| r.get::<_, i64>(0)).is_ok()
    }

    fn fts5() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE VIRTUAL TABLE f USING fts5(id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')")
            .unwrap();
        c
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 2000, ..proptest::test_runner::Config::default() })]

        /// What FTS5 accepts, the parser accepts, and what it refuses, the parser refuses.
        #[test]
        fn the_parser_accepts_what_fts5_accepts(q in "([a-c]{1,3}|[0-9]|Title|BODY|title|body|id|NEAR|AND|OR|NOT|and|\"[a-c ]{0,4}\"|\"\"|[(){}:^+*,\\-_.'é ]){0,14}") {
            thread_local! { static C: rusqlite::Connection = fts5(); }
            let sqlite = C.with(|c| fts5_accepts(c, &q));
            proptest::prop_assert_eq!(parse(&q).is_ok(), sqlite, "{:?}: FTS5 {}", q, if sqlite { "accepts" } else { "refuses" });
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(q in "\\PC{0,40}") {
            let _ = tsquery(&q);
        }

        #[test]
        fn parsing_fts5ish_text_never_panics(q in "[a-zA-Z\"*(){}:^+, -]{0,30}( (AND|OR|NOT|NEAR) [a-z(\"]{0,5}){0,4}") {
            let _ = tsquery(&q);
        }
    }
}
