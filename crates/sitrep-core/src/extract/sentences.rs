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
            // A short parenthesis right after the stop belongs to the sentence before it: the
            // credit of a caption ("... on July 21 2015. (AFP Photo) At least 18 ...").
            end += trailing_parenthesis(&s[end..]);
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
        // An agency's credit in brackets between two runs of words, with no stop before it
        // ("... Idlib province Syria August 6 2016 (TRT World and Agencies) A suicide bomber
        // ..."): scraping lost the stop after a caption; the credit opens the story.
        if c == b'(' && i > start && s[start..i].split_whitespace().count() >= 6 && opens_with_credit(&s[i..]) {
            push(&mut out, s, from, start, i);
            start = i;
        }
        // Headlines joined by a bare semicolon ("... shelling at Tafas;132 were killed
        // yesterday ...", as UCDP lists its sources): a capital or a digit right after it
        // opens the next one. Prose puts a space after its semicolons.
        if c == b';' && i > start && s[i + 1..].chars().next().is_some_and(|ch| ch.is_uppercase() || ch.is_ascii_digit()) {
            push(&mut out, s, from, start, i + 1);
            start = i + 1;
        }
        i += 1;
    }
    push(&mut out, s, from, start, s.len());
    out
}

/// The words of an agency's credit in brackets ("(TRT World and Agencies)", "(AFP)").
const CREDIT_WORDS: &[&str] = &["agencies", "afp", "ap", "reuters", "anadolu", "aa", "sana", "dpa", "xinhua"];

/// Whether `rest` opens with an agency's credit in brackets, a capital after it.
fn opens_with_credit(rest: &str) -> bool {
    let Some(close) = rest.char_indices().take(40).find(|&(_, c)| c == ')').map(|(i, _)| i) else { return false };
    let inside = &rest[1..close];
    let after = &rest[close + 1..];
    !inside.contains(['.', '!', '?', '('])
        && inside.split(|c: char| !c.is_alphanumeric()).any(|w| CREDIT_WORDS.contains(&w.to_ascii_lowercase().as_str()))
        && after.starts_with(char::is_whitespace)
        && after.trim_start().chars().next().is_some_and(char::is_uppercase)
}

/// The length of a photo credit in parentheses at the head of `rest` after spaces ("(AFP
/// Photo)", "(Reuters/File Photo)": short, no stop inside, a word for a picture), when a capital,
/// a digit or the end follows it: 0 when there is none. An agency's name alone ("(Reuters) It
/// rose") opens the next sentence.
fn trailing_parenthesis(rest: &str) -> usize {
    let lead = rest.len() - rest.trim_start().len();
    let body = &rest[lead..];
    if lead == 0 || !body.starts_with('(') {
        return 0;
    }
    let Some(close) = body.char_indices().take(60).find(|&(_, c)| c == ')').map(|(i, _)| i) else { return 0 };
    let inside = &body[1..close];
    let pictured = inside
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w.to_ascii_lowercase().as_str(), "photo" | "photos" | "image" | "images" | "picture" | "pictures" | "pic"));
    let after = &body[close + 1..];
    let next_opens = after.is_empty()
        || (after.starts_with(char::is_whitespace)
            && after.trim_start().chars().next().is_none_or(|ch| ch.is_uppercase() || ch.is_ascii_digit()));
    if pictured && !inside.contains(['.', '!', '?', '(']) && next_opens {
        lead + close + 1
    } else {
        0
    }
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
        assert_eq!(
            texts("A boy sits on the rubble in Aleppo on July 21. (AFP Photo) At least 18 were killed."),
            vec!["A boy sits on the rubble in Aleppo on July 21. (AFP Photo)", "At least 18 were killed."]
        );
        assert_eq!(
            texts("A civil defence member runs near an ambulance in Idlib province Syria August 6 2016 (TRT World and Agencies) A bomber struck."),
            vec!["A civil defence member runs near an ambulance in Idlib province Syria August 6 2016", "(TRT World and Agencies) A bomber struck."]
        );
        assert_eq!(texts("Clashes with al-Nusra continued. 17 were killed."), vec!["Clashes with al-Nusra continued.", "17 were killed."]);
        assert_eq!(texts("A base to attack Turkey.At least 6,000 fled."), vec!["A base to attack Turkey.At least 6,000 fled."]);
        // Headlines joined by a bare semicolon are sentences; prose's semicolons are not.
        assert_eq!(
            texts("Shelling hits Tafas;132 were killed yesterday;Clashes in Daraa"),
            vec!["Shelling hits Tafas;", "132 were killed yesterday;", "Clashes in Daraa"]
        );
        assert_eq!(texts("The army advanced; rebels withdrew."), vec!["The army advanced; rebels withdrew."]);
    }
}
