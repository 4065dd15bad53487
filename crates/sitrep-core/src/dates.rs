//! The date grammar for publication dates: ISO 8601, "Mon May 30, 2016 12:49:41",
//! "Wed 05 Apr 2017", "12 February 2015", "May 30, 2016 8:05 PM", "30/5/2016", "5/30/16".
//!
//! Also `parse_duration`, the durations of command-line options (`500ms`, `15m`).
//!
//! Only whole strings are parsed here (a date line, a metadata field); a string that is not
//! entirely a date is `None`, so that no date is ever guessed from a stray number.

use crate::model::Published;
use chrono::{NaiveDate, NaiveTime};
use regex::Regex;
use std::sync::LazyLock;

/// How to read an all-numeric date whose day and month could be swapped (`4/5/16`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Day first, unless only month-first makes a valid date.
    #[default]
    DayFirst,
    /// Month first (US), unless only day-first makes a valid date.
    MonthFirst,
}

const WEEKDAY: &str = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?,?";
const MONTH: &str = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const TIME: &str = r"(?:(?:\s*,?\s*|\s+(?:at\s+)?|T)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\.\d+)?\s*(?P<ampm>[ap]\.?m\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT|EST|EDT|CET|CEST|BST)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?)?";

static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let pre = format!(r"(?i)^\s*(?:(?:published|updated|posted|last updated|date)\s*:?\s*)?(?:{WEEKDAY}\s*)?");
    let post = format!(r"{TIME}(?:\s*(?:UTC|GMT))?\s*$");
    [
        // 2016-05-30, 2016-05-30T12:49:41Z
        format!(r"{pre}(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){post}"),
        // May 30, 2016 / May 30th 2016
        format!(r"{pre}{MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){post}"),
        // 30 May 2016 / 05 Apr 2017 / 12 February, 2015
        format!(r"{pre}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH},?\s+(?P<y>\d{{4}}){post}"),
        // 30/5/2016, 5/30/16, 30.05.2016
        format!(r"{pre}(?P<a>\d{{1,2}})[/.-](?P<b>\d{{1,2}})[/.-](?P<y>\d{{2}}|\d{{4}}){post}"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid date regex"))
    .collect()
});

/// Whether a word is a month's name or its usual abbreviation ("August", "Aug.", "Sept").
pub(crate) fn is_month_name(word: &str) -> bool {
    const FULL: [&str; 12] =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    FULL.contains(&w.as_str()) || (w.len() >= 3 && FULL.iter().any(|m| m.starts_with(&w) && (w.len() == 3 || w == "sept")))
}

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let n = n.trim_end_matches('.');
    const NAMES: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    NAMES.iter().position(|m| n.starts_with(m)).map(|i| i as u32 + 1)
}

fn year(y: &str) -> Option<i32> {
    let v: i32 = y.parse().ok()?;
    Some(if y.len() == 2 {
        if v < 70 {
            2000 + v
        } else {
            1900 + v
        }
    } else {
        v
    })
}

static PREFIX_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|re| {
            let p = re.as_str().strip_suffix(r"\s*$").expect("date patterns end in \\s*$");
            Regex::new(&format!(r"{p}(?:\s*[|:–—-]\s*|\s+)")).expect("valid date prefix regex")
        })
        .collect()
});

/// Parses a whole string as a date (and time, when given).
pub fn parse_date(s: &str, order: DateOrder) -> Option<Published> {
    if s.len() > 80 {
        return None;
    }
    parse_with(&PATTERNS, s, order).map(|(p, _)| p)
}

/// Parses a date at the start of a line followed by other text ("Sun 16 Apr 2017 Death toll
/// from ..."): the date and the byte length of the prefix, separator included.
pub fn parse_date_prefix(s: &str, order: DateOrder) -> Option<(Published, usize)> {
    let head = match s.char_indices().nth(80) {
        Some((i, _)) => &s[..i],
        None => s,
    };
    parse_with(&PREFIX_PATTERNS, head, order)
}

fn parse_with(patterns: &[Regex], s: &str, order: DateOrder) -> Option<(Published, usize)> {
    for (i, re) in patterns.iter().enumerate() {
        let Some(c) = re.captures(s) else { continue };
        let len = c.get(0).map_or(0, |m| m.end());
        let y = year(c.name("y")?.as_str())?;
        let date = match i {
            0 => NaiveDate::from_ymd_opt(y, c["m"].parse().ok()?, c["d"].parse().ok()?)?,
            1 | 2 => NaiveDate::from_ymd_opt(y, month_number(&c["month"])?, c["d"].parse().ok()?)?,
            _ => {
                let a: u32 = c["a"].parse().ok()?;
                let b: u32 = c["b"].parse().ok()?;
                let dmy = NaiveDate::from_ymd_opt(y, b, a);
                let mdy = NaiveDate::from_ymd_opt(y, a, b);
                match order {
                    DateOrder::DayFirst => dmy.or(mdy)?,
                    DateOrder::MonthFirst => mdy.or(dmy)?,
                }
            }
        };
        let time = match c.name("h") {
            Some(h) => {
                let mut h: u32 = h.as_str().parse().ok()?;
                let mi: u32 = c["mi"].parse().ok()?;
                let sec: u32 = c.name("s").map_or(Some(0), |s| s.as_str().parse().ok())?;
                if let Some(ap) = c.name("ampm") {
                    let pm = ap.as_str().to_ascii_lowercase().starts_with('p');
                    if h == 12 {
                        h = 0;
                    }
                    if pm {
                        h += 12;
                    }
                }
                Some(NaiveTime::from_hms_opt(h, mi, sec)?)
            }
            None => None,
        };
        return Some((Published { date, time }, len));
    }
    None
}

/// A duration: `500ms`, `10s`, `15m`, `2h`, or a number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = s.find(|c: char| c.is_ascii_alphabetic()).map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: f64 = num.trim().parse().map_err(|_| format!("bad duration {s:?}: a number with ms, s, m or h (\"15m\")"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("bad duration {s:?}: the unit is ms, s, m or h")),
    };
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(format!("bad duration {s:?}"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        parse_date(s, DateOrder::DayFirst).map(|d| d.to_string())
    }

    #[test]
    fn forms_news_pages_use() {
        assert_eq!(p("Mon May 30, 2016 12:49:41").as_deref(), Some("2016-05-30T12:49:41"));
        assert_eq!(p("Wed 05 Apr 2017").as_deref(), Some("2017-04-05"));
        assert_eq!(p("12 February 2015").as_deref(), Some("2015-02-12"));
        assert_eq!(p("Tuesday, October 13, 2015").as_deref(), Some("2015-10-13"));
        assert_eq!(p("May 30th, 2016 8:05 PM").as_deref(), Some("2016-05-30T20:05:00"));
        assert_eq!(p("2016-05-30T12:49:41Z").as_deref(), Some("2016-05-30T12:49:41"));
        assert_eq!(p("2016-05-30").as_deref(), Some("2016-05-30"));
        assert_eq!(p("Published: 3 Sept 2015 GMT").as_deref(), Some("2015-09-03"));
        assert_eq!(p("Updated 12 Feb 2015 10:00 GMT").as_deref(), Some("2015-02-12T10:00:00"));
    }

    #[test]
    fn numeric_dates_respect_order_and_validity() {
        assert_eq!(p("28/5/2016").as_deref(), Some("2016-05-28"));
        assert_eq!(p("5/28/2016").as_deref(), Some("2016-05-28"));
        assert_eq!(p("4/5/16").as_deref(), Some("2016-05-04"));
        assert_eq!(p("17-05-2016").as_deref(), Some("2016-05-17"));
        assert_eq!(parse_date("4/5/16", DateOrder::MonthFirst).map(|d| d.to_string()).as_deref(), Some("2016-04-05"));
    }

    #[test]
    fn date_prefixes() {
        let (d, n) = parse_date_prefix("Sun 16 Apr 2017 Death toll from Aleppo", DateOrder::DayFirst).unwrap();
        assert_eq!(d.to_string(), "2017-04-16");
        assert_eq!(&"Sun 16 Apr 2017 Death toll from Aleppo"[n..], "Death toll from Aleppo");
        assert!(parse_date_prefix("Sunday saw clashes", DateOrder::DayFirst).is_none());
    }

    #[test]
    fn non_dates_are_none() {
        assert_eq!(p("ARA News"), None);
        assert_eq!(p("19 + fifteen ="), None);
        assert_eq!(p("May 30, 2016 ISIS fighters entered Marea"), None);
        assert_eq!(p("31/31/2016"), None);
        assert_eq!(p("February 30 2016"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m"), Ok(std::time::Duration::from_secs(900)));
        assert_eq!(parse_duration("500ms"), Ok(std::time::Duration::from_millis(500)));
        assert_eq!(parse_duration("10"), Ok(std::time::Duration::from_secs(10)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
