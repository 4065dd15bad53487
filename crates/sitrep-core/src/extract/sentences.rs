//! Sentence splitting that survives news prose: abbreviations ("U.S.", "Mr.", "Gen."),
//! initials, decimal numbers, closing quotes and brackets after the full stop.

/// Words that end with a full stop without ending the sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "pvt", "adm", "gov", "sen", "rep", "st", "mt", "no",
    "vs", "etc", "inc", "ltd", "co", "corp", "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "u.s", "u.n", "u.k", "e.g", "i.e", "approx", "est", "dept", "brig",
];

/// A sentence: byte range into the text it was split from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

/// Splits `text[from..to]` into sentences; the ranges are trimmed of surrounding whitespace.
pub fn split(text: &str, from: usize, to: usize) -> Vec<Sentence> {
    let s = &text[from..to];
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'.' || c == b'!' || c == b'?' {
            // Extend over closing quotes and brackets, and runs of terminal punctuation.
            let mut end = i + 1;
            loop {
                let rest = &s[end..];
                let step =
                    rest.chars().next().filter(|ch| matches!(ch, '"' | '\'' | '”' | '’' | ')' | ']' | '.' | '!' | '?')).map(char::len_utf8);
                match step {
                    Some(n) => end += n,
                    None => break,
                }
            }
            let next = s[end..].chars().next();
            let after_space = next.is_some_and(char::is_whitespace);
            if after_space && c == b'.' && is_abbreviation(&s[start..i]) {
                i = end;
                continue;
            }
            if after_space {
                let rest = s[end..].trim_start();
                let starts_sentence =
                    rest.chars().next().is_some_and(|ch| ch.is_uppercase() || ch.is_ascii_digit() || "\"“‘'(".contains(ch));
                if starts_sentence {
                    push(&mut out, s, from, start, end);
                    start = end;
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    push(&mut out, s, from, start, s.len());
    out
}

fn push(out: &mut Vec<Sentence>, s: &str, base: usize, start: usize, end: usize) {
    let piece = &s[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let st = base + start + lead;
        out.push(Sentence { start: st, end: st + trimmed.len() });
    }
}

/// Whether the word before a full stop (the end of `before`) is an abbreviation or initial.
fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“').next().unwrap_or("");
    let lower = word.trim_start_matches(['(', '"', '“']).to_lowercase();
    if lower.is_empty() {
        return false;
    }
    // Single capital initial ("J. Smith") or dotted acronym ("U.S", "U.N").
    let letters: Vec<char> = lower.chars().collect();
    if letters.len() == 1 && word.chars().next().is_some_and(char::is_uppercase) {
        return true;
    }
    if lower.contains('.') && lower.split('.').all(|p| p.chars().count() <= 1) {
        return true;
    }
    ABBREVIATIONS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<&str> {
        split(t, 0, t.len()).into_iter().map(|s| &t[s.start..s.end]).collect()
    }

    #[test]
    fn news_prose() {
        assert_eq!(
            texts("As the U.S. has offered support to rebels, Gen. Smith left. Clashes erupted on Monday."),
            vec!["As the U.S. has offered support to rebels, Gen. Smith left.", "Clashes erupted on Monday."]
        );
        assert_eq!(
            texts("“We were obliged to leave,” he said. “ISIS attacked.” Then J. Doe spoke."),
            vec!["“We were obliged to leave,” he said.", "“ISIS attacked.”", "Then J. Doe spoke."]
        );
        assert_eq!(
            texts("The toll was 3.5 times higher. (Reuters) It rose."),
            vec!["The toll was 3.5 times higher.", "(Reuters) It rose."]
        );
        assert_eq!(texts("Clashes with al-Nusra continued. 17 were killed."), vec!["Clashes with al-Nusra continued.", "17 were killed."]);
        assert_eq!(texts("A base to attack Turkey.At least 6,000 fled."), vec!["A base to attack Turkey.At least 6,000 fled."]);
    }
}
