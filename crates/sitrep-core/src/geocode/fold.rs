//! Transliteration-aware folding of place names, so that the spellings of one place meet:
//! "As-Safira" / "Safīrah" / "Al-Safirah", "Tel Jabin" / "Tall Jibbin", "Qereh Kubri" /
//! "Qarah Kubri", "Marea" / "Mari`", "Azaz" / "A'zaz" / "I‘zāz".
//!
//! Two keys: [`fold`] (light: case, diacritics, apostrophes and ayn/hamza marks, Arabic
//! articles, hyphens, common generic words spelled alike) and [`key`] (phonetic: every vowel
//! one vowel, doubled letters single, q = k, a final h after a vowel dropped). Arabic script is
//! folded in Arabic (harakat and tatweel dropped, alef and ya forms unified).

use std::sync::LazyLock;

/// The name-word table shipped with sitrep (`data/name_words.tsv`; its header documents it).
pub const NAME_WORDS_TSV: &str = include_str!("../../data/name_words.tsv");

/// The words of place names, by class (see `data/name_words.tsv`).
#[derive(Debug, Default)]
pub struct Words {
    /// Arabic definite articles as transliterated.
    pub articles: Vec<String>,
    /// Generic first words: (form, its one spelling), sorted by form ([`Words::generic`]).
    generic_forms: Vec<(String, String)>,
    /// Kind words after a name, (words, cue kind), longest first.
    pub kinds: Vec<(Vec<String>, String)>,
    /// Words before a name in a gazetteer's own terms, longest first.
    pub leads: Vec<Vec<String>>,
    /// The words that make a governorate's name one, longest first.
    pub admin: Vec<Vec<String>>,
    /// Words that tell twin villages apart ("Tahtani", "East").
    pub qualifiers: Vec<String>,
    /// Generic first words a name may go without ("tal", "khirbat").
    pub heads: Vec<String>,
    /// Words that make a name a quarter of a town ("dahiyat", "suburb").
    pub quarters: Vec<String>,
}

impl Words {
    /// Parses the table; a line of an unknown class or of the wrong shape is an error.
    pub fn parse(tsv: &str) -> Result<Words, String> {
        let mut w = Words::default();
        for line in tsv.lines().filter(|l| !l.starts_with('#') && !l.starts_with("class\t") && !l.trim().is_empty()) {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() != 3 {
                return Err(format!("name word line has {} columns, expected 3: {line}", c.len()));
            }
            let forms = c[2].split(';').map(|f| f.trim().to_ascii_lowercase()).filter(|f| !f.is_empty());
            let split = |f: String| f.split_whitespace().map(str::to_string).collect::<Vec<_>>();
            match c[0] {
                "article" => w.articles.extend(forms),
                "generic" => w.generic_forms.extend(forms.map(|f| (f, c[1].to_string()))),
                "kind" => w.kinds.extend(forms.map(|f| (split(f), c[1].to_string()))),
                "lead" => w.leads.extend(forms.map(split)),
                "admin" => w.admin.extend(forms.map(split)),
                "qualifier" => w.qualifiers.extend(forms),
                "head" => w.heads.extend(forms),
                "quarter" => w.quarters.extend(forms),
                other => return Err(format!("name word line of unknown class {other:?}: {line}")),
            }
        }
        w.generic_forms.sort();
        w.generic_forms.dedup_by(|a, b| a.0 == b.0);
        w.kinds.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
        w.leads.sort_by_key(|f| std::cmp::Reverse(f.len()));
        w.admin.sort_by_key(|f| std::cmp::Reverse(f.len()));
        Ok(w)
    }

    /// The table shipped with sitrep.
    pub fn builtin() -> &'static Words {
        static W: LazyLock<Words> = LazyLock::new(|| Words::parse(NAME_WORDS_TSV).expect("data/name_words.tsv is valid"));
        &W
    }

    /// Whether a (folded) word is an article.
    pub fn is_article(&self, w: &str) -> bool {
        w.len() <= 3 && self.articles.iter().any(|a| a == w)
    }

    /// The one spelling of a generic word ("sheikh" -> "shaykh"), if it is one.
    pub fn generic(&self, w: &str) -> Option<&str> {
        if w.len() > 12 {
            return None;
        }
        self.generic_forms.binary_search_by(|(f, _)| f.as_str().cmp(w)).ok().map(|i| self.generic_forms[i].1.as_str())
    }
}

/// The light fold of a name without the words that tell twin villages apart ("Baghuz
/// at-Tahtani" -> "baghuz", "East Farahaniah" -> "farahaniah") and without a generic first
/// word it may lack ("Mashrafat al Buwayr" -> "buwayr", "Tall Bardayah" -> "bardayah"; not
/// "Umm", "Kafr"...); `None` when it has
/// neither, or when nothing else would remain.
pub fn without_qualifiers(name: &str) -> Option<String> {
    let table = Words::builtin();
    let f = fold(name);
    let ws: Vec<&str> = f.split(' ').collect();
    let skip_head = ws.len() > 1 && table.heads.iter().any(|h| h == ws[0]);
    let kept: Vec<&str> = ws
        .iter()
        .enumerate()
        .filter(|&(i, w)| !(table.qualifiers.iter().any(|x| x == w) || i == 0 && skip_head))
        .map(|(_, w)| *w)
        .collect();
    (!kept.is_empty() && kept.len() < ws.len()).then(|| kept.join(" "))
}

/// A word without an article written onto it ("alsafira", "elasad", "assafira" with the sun
/// letter doubled, "ashshaykh"), if it has one and something of three letters remains.
pub fn unglued_article(word: &str) -> Option<&str> {
    let w = word.as_bytes();
    if w.len() < 5 {
        return None;
    }
    // "al"/"el" + the word; a + a doubled sun letter ("as-s", "ar-r", "ash-sh").
    let rest = if (w[0] == b'a' || w[0] == b'e') && w[1] == b'l' {
        &word[2..]
    } else if w[0] == b'a' && word[1..].starts_with("shsh") {
        &word[3..]
    } else if w[0] == b'a' && b"stdrznl".contains(&w[1]) && w[2] == w[1] {
        &word[2..]
    } else {
        return None;
    };
    (rest.len() >= 3).then_some(rest)
}

pub fn is_arabic(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c)
}

fn fold_arabic(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{064B}'..='\u{0652}' | '\u{0640}' | '\u{0670}' => {} // harakat, tatweel, dagger alef
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ى' => out.push('ي'),
            'ة' => out.push('ه'),
            c if c.is_whitespace() || c == '-' => out.push(' '),
            c => out.push(c),
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    words.iter().map(|w| w.strip_prefix("ال").filter(|r| r.chars().count() >= 2).unwrap_or(w)).collect::<Vec<_>>().join(" ")
}

/// The light fold of a place name.
pub fn fold(name: &str) -> String {
    if name.chars().any(is_arabic) {
        return fold_arabic(name);
    }
    let ascii = any_ascii::any_ascii(name).to_ascii_lowercase();
    let mut cleaned = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        match c {
            '\'' | '`' | '"' | '^' => {}
            c if c.is_ascii_alphanumeric() => cleaned.push(c),
            _ => cleaned.push(' '),
        }
    }
    let table = Words::builtin();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut out = String::with_capacity(cleaned.len());
    for (i, w) in words.iter().enumerate() {
        // An article before another word goes ("as safira", "tall al ahmar").
        if i + 1 < words.len() && table.is_article(w) {
            continue;
        }
        // "Alsafira" (an article written onto the word) is left to the look-up, which tries
        // the word without it when the name is otherwise unknown.
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(table.generic(w).unwrap_or(w));
    }
    out
}

/// The phonetic key of a place name: vowels one, doubled letters single, q = k, a final "h"
/// after a vowel dropped ("Safirah" = "Safira", "Qereh" = "Qarah").
pub fn key(name: &str) -> String {
    let f = fold(name);
    if f.chars().any(is_arabic) {
        return f;
    }
    let mut words = Vec::new();
    for w in f.split(' ') {
        let mut k = String::with_capacity(w.len());
        let mut prev: Option<char> = None;
        // Digraphs of one Arabic letter spelled two ways: gh = g, th = t, dh = d, dj = j.
        let mut chars: Vec<char> = Vec::with_capacity(w.len());
        let mut it = w.chars().peekable();
        while let Some(c) = it.next() {
            match (c, it.peek()) {
                ('g' | 't' | 'd', Some('h')) => {
                    it.next();
                    chars.push(c);
                }
                ('d', Some('j')) => {
                    it.next();
                    chars.push('j');
                }
                _ => chars.push(c),
            }
        }
        for (i, &c) in chars.iter().enumerate() {
            let vowel = |c: Option<&char>| matches!(c, Some('a' | 'e' | 'i' | 'o' | 'u'));
            let c = match c {
                'e' | 'i' | 'o' | 'u' => 'a',
                'q' => 'k',
                // A glide after a vowel and before a consonant is part of the vowel
                // ("Qaryatayn" = "Qaryatain", "Zawr" = "Zor").
                'y' | 'w' if i > 0 && vowel(chars.get(i - 1)) && !vowel(chars.get(i + 1)) => 'a',
                c => c,
            };
            if prev == Some(c) {
                continue;
            }
            k.push(c);
            prev = Some(c);
        }
        if k.len() > 2 && k.ends_with('h') && k[..k.len() - 1].ends_with('a') {
            k.pop();
        }
        if k.len() > 2 && k.ends_with('y') && k[..k.len() - 1].ends_with('a') {
            k.pop();
        }
        words.push(k);
    }
    words.join(" ")
}

/// The consonant skeleton of a place name: its phonetic key without vowels, glides (y, w but
/// at the start of a word) or a final h, its words run together. Spellings that differ in vowels, in
/// those suffixes, or in where the words break ("Kafrnabl" / "Kafr Nabl") share it. Loose: the
/// look-up uses it only among the places of a governorate the context names, and only for
/// spellings close to the name. Empty when fewer than two consonants remain.
pub fn skeleton(name: &str) -> String {
    let k = key(name);
    if k.chars().any(is_arabic) {
        return String::new();
    }
    let mut out = String::with_capacity(k.len());
    for w in k.split(' ') {
        let b = w.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            let drop = match c {
                b'a' => true,
                b'y' | b'w' => i > 0,
                b'h' => i + 1 == b.len() && i > 0,
                _ => false,
            };
            if !drop && out.as_bytes().last() != Some(&c) {
                out.push(c as char);
            }
        }
    }
    if out.len() < 2 {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_apostrophes_and_diacritics() {
        assert_eq!(fold("As-Safira"), "safira");
        assert_eq!(fold("Al-Safirah"), "safirah");
        assert_eq!(fold("Safīrah"), "safirah");
        assert_eq!(fold("Mari`"), "mari");
        assert_eq!(fold("Mare'"), "mare");
        assert_eq!(fold("I‘zāz"), "izaz");
        assert_eq!(fold("A'zaz"), "azaz");
        assert_eq!(fold("Deir ez-Zor"), "dayr zor");
        assert_eq!(fold("Dayr az Zawr"), "dayr zawr");
    }

    #[test]
    fn tel_tall_and_generic_words() {
        assert_eq!(fold("Tel Jabin"), fold("Tall Jabin"));
        assert_eq!(fold("Kfar Nabl"), fold("Kafr Nabl"));
        assert_eq!(fold("Jebel al-Zawiya"), "jabal zawiya");
    }

    #[test]
    fn phonetic_keys_meet_across_spellings() {
        assert_eq!(key("As-Safira"), key("Safīrah"));
        assert_eq!(key("Qereh Kubri"), key("Qarah Kubri"));
        assert_eq!(key("Tel Jabin"), key("Tall Jibbin"));
        assert_eq!(key("Marea"), key("Mari`"));
        assert_eq!(key("Ithreya"), key("Athriya"));
        assert_eq!(key("Khanasser"), key("Khanasir"));
        assert_eq!(key("Azaz"), key("A'zaz"));
        assert_ne!(key("Hama"), key("Homs"));
        assert_eq!(key("Qaryatain"), key("Al Qaryatayn"));
        assert_eq!(key("Eastern Gouta"), key("Eastern Ghouta"));
        assert_eq!(key("Deir ez-Zor"), key("Dayr az Zawr"));
    }

    #[test]
    fn generic_words_fold_alike() {
        assert_eq!(fold("Sheikh Hadid"), fold("Ash Shaykh Hadid"));
        assert_eq!(fold("Beit Jinn"), fold("Bayt Jinn"));
        assert_eq!(fold("Khirbet Ghazaleh"), fold("Khirbat Ghazalah").replace("ghazalah", "ghazaleh"));
        assert_eq!(fold("Ein Tarma"), fold("Ayn Tarma"));
        assert_eq!(fold("Dahiet Qudsaya"), fold("Dahiyat Qudsaya"));
        assert_eq!(fold("Jebel Zawiya"), "jabal zawiya");
    }

    #[test]
    fn sun_letter_articles_are_articles() {
        assert_eq!(fold("Ash Shaykh Miskin"), fold("Sheikh Miskin"));
        assert_eq!(fold("adh-Dhiyabiyah"), "dhiyabiyah");
        assert_eq!(fold("Esh Shajara"), "shajara");
        assert_eq!(unglued_article("alsafira"), Some("safira"));
        assert_eq!(unglued_article("assafira"), Some("safira"));
        assert_eq!(unglued_article("arraqqa"), Some("raqqa"));
        assert_eq!(unglued_article("elasad"), Some("asad"));
        assert_eq!(unglued_article("alep"), None);
        assert_eq!(unglued_article("asmar"), None);
    }

    #[test]
    fn qualifiers_of_twin_villages_come_off() {
        assert_eq!(without_qualifiers("Baghuz at-Tahtani").as_deref(), Some("baghuz"));
        assert_eq!(without_qualifiers("East Farahaniah").as_deref(), Some("farahaniah"));
        assert_eq!(without_qualifiers("Umm Tuwaynah al Janubiyah").as_deref(), Some("umm tuwaynah"));
        assert_eq!(without_qualifiers("Tahtani"), None, "nothing would remain");
        assert_eq!(without_qualifiers("Safira"), None);
        assert_eq!(without_qualifiers("Mashrafat al Buwayr").as_deref(), Some("buwayr"));
        assert_eq!(without_qualifiers("Tall Bardayah").as_deref(), Some("bardayah"));
        assert_eq!(without_qualifiers("Kafr Nabl"), None, "Kafr is part of the name");
    }

    #[test]
    fn digraphs_meet_their_letters() {
        assert_eq!(key("Thawra"), key("Tawra"));
        assert_eq!(key("Dhahab"), key("Dahab"));
        assert_eq!(key("Djebel Druze"), key("Jabal Druze"));
    }

    #[test]
    fn skeletons_meet_across_vowels_suffixes_and_word_breaks() {
        assert_eq!(skeleton("Zainiyah"), skeleton("Zayniyah"));
        assert_eq!(skeleton("Bayanoon"), skeleton("Biyanun"));
        assert_eq!(skeleton("Hamadaniyeh"), skeleton("Hamdaniya"));
        assert_eq!(skeleton("Hamadanieh"), skeleton("Hamadaniyah"));
        assert_eq!(skeleton("Kafrnabl"), skeleton("Kafr Nabl"));
        assert_eq!(skeleton("Tallabyad"), skeleton("Tall Abyad"));
        assert_ne!(skeleton("Hama"), skeleton("Homs"));
        assert_eq!(skeleton("Ula"), "", "too short to tell places apart");
        assert_eq!(skeleton("Umm Twaynah"), skeleton("Umm Tuwaynah"));
    }

    #[test]
    fn the_word_table_parses_and_rejects_bad_lines() {
        let w = Words::builtin();
        assert!(w.articles.iter().any(|a| a == "ash"));
        assert_eq!(w.generic("sheikh"), Some("shaykh"));
        assert_eq!(w.generic("safira"), None);
        assert!(w.kinds.iter().any(|(f, k)| f == &["idp", "camp"] && k == "camp"));
        assert!(w.kinds.windows(2).all(|p| p[0].0.len() >= p[1].0.len()), "longest kind words first");
        assert!(Words::parse("class\tcanonical\tforms\nnoun\t-\tx\n").is_err());
        assert!(Words::parse("generic\tx\n").is_err());
    }

    #[test]
    fn arabic_script() {
        assert_eq!(fold("حَلَب"), "حلب");
        assert_eq!(fold("الرقة"), "رقه");
        assert_eq!(fold("إدلب"), "ادلب");
    }
}
