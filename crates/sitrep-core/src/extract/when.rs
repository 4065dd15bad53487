//! When an event happened: explicit dates ("May 28", "(May 28)", "28/5/2016"), weekdays
//! ("on Thursday", "Tuesday evening"), "yesterday", "today", and spans ("last week", "over
//! the past few days"), resolved against the publication date when there is one. Without a
//! publication date a weekday stays a weekday: no date is ever invented.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// A date expression read from a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    /// The resolved date, when the text or the publication date fixes it.
    pub date: Option<NaiveDate>,
    /// The weekday the text names, when it names one.
    pub weekday: Option<String>,
    /// ACLED time precision: 1 day, 2 week, 3 month.
    pub precision: u8,
    /// The words it came from.
    pub text: String,
}

pub(crate) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

static DATE_EXPR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<explicit>
            (?-u:\b)(?P<m1>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?-u:\b)(?:,?\s+(?P<y1>(?:19|20)\d\d))?
          | (?-u:\b)(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)(?-u:\b)\.?(?:,?\s+(?P<y2>(?:19|20)\d\d))?
          | (?-u:\b)(?P<d3>\d{1,2})/(?P<m3>\d{1,2})/(?P<y3>(?:19|20)\d\d)(?-u:\b)
        )
        | (?P<weekday>(?-u:\b)(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?-u:\b))
        | (?P<yesterday>(?-u:\b)(?i:yesterday|last\s+night)(?-u:\b))
        | (?P<today>(?-u:\b)(?i:today|tonight|this\s+morning|this\s+evening|earlier\s+today)(?-u:\b))
        | (?P<week>(?-u:\b)(?i:last\s+week|past\s+week|this\s+week|(?:over|in|during)\s+the\s+(?:past|last)\s+(?:few|several|two|three|four|five|couple\s+of)\s+days|recent\s+days)(?-u:\b))
        | (?P<month>(?-u:\b)(?i:last\s+month|past\s+month|this\s+month)(?-u:\b))
    ",
    )
    .expect("valid date expression regex")
});

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    const NAMES: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    NAMES.iter().position(|m| n.starts_with(m)).map(|i| i as u32 + 1)
}

/// The most recent `wd` on or before `pub_date`.
pub fn last_weekday(pub_date: NaiveDate, wd: Weekday) -> NaiveDate {
    let back = (7 + pub_date.weekday().num_days_from_monday() as i64 - wd.num_days_from_monday() as i64) % 7;
    pub_date - Duration::days(back)
}

/// The words after a date that make it a name: "April 7th Street", "the 8 March Square".
static NAMED_AFTER_A_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?:Street|St\.?|Road|Square|Avenue|Boulevard|Bridge|Roundabout|Stadium|Hospital|School|Brigade|Battalion|Movement)\b")
        .expect("valid")
});

/// Date expressions in a sentence, in text order, with their byte ranges.
pub fn find(s: &str, published: Option<NaiveDate>) -> Vec<(When, usize, usize)> {
    let mut out: Vec<(When, usize, usize)> = Vec::new();
    for c in DATE_EXPR.captures_iter(s) {
        let m = c.get(0).expect("whole match");
        let text = m.as_str().to_string();
        let when = if c.name("explicit").is_some() {
            let (mo, d, y) = if let Some(mo) = c.name("m1") {
                (month_number(mo.as_str()), c.name("d1"), c.name("y1"))
            } else if let Some(mo) = c.name("m2") {
                (month_number(mo.as_str()), c.name("d2"), c.name("y2"))
            } else {
                (c.name("m3").and_then(|x| x.as_str().parse().ok()), c.name("d3"), c.name("y3"))
            };
            let Some(mo) = mo else { continue };
            // A date that names a street, square or bridge ("April 7th Street") is a name.
            if NAMED_AFTER_A_DATE.is_match(&s[m.end()..]) {
                continue;
            }
            let Some(d) = d.and_then(|d| d.as_str().parse::<u32>().ok()) else {
                continue;
            };
            // "May" alone is a modal as often as a month: require a day (done by the regex).
            let year = y.and_then(|y| y.as_str().parse::<i32>().ok());
            let date = match (year, published) {
                (Some(y), _) => NaiveDate::from_ymd_opt(y, mo, d),
                (None, Some(p)) => NaiveDate::from_ymd_opt(p.year(), mo, d).map(|dt| {
                    // A date after publication without a year is last year's.
                    if dt > p {
                        NaiveDate::from_ymd_opt(p.year() - 1, mo, d).unwrap_or(dt)
                    } else {
                        dt
                    }
                }),
                (None, None) => None,
            };
            // An explicit date right after a weekday ("Saturday (May 28)") refines it.
            if let Some(prev) = out.last_mut() {
                if prev.0.weekday.is_some() && m.start().saturating_sub(prev.2) <= 3 && date.is_some() {
                    prev.0.date = date;
                    prev.0.text = s[prev.1..m.end()].to_string();
                    prev.2 = m.end();
                    continue;
                }
            }
            When { date, weekday: date.map(|d| weekday_name(d.weekday()).to_string()), precision: 1, text }
        } else if let Some(w) = c.name("weekday") {
            let lw = w.as_str().to_ascii_lowercase();
            let wd = WEEKDAYS.iter().find(|(n, _)| *n == lw).map(|(_, d)| *d).expect("weekday names match");
            When { date: published.map(|p| last_weekday(p, wd)), weekday: Some(weekday_name(wd).to_string()), precision: 1, text }
        } else if c.name("yesterday").is_some() {
            let date = published.and_then(|p| p.pred_opt());
            When { date, weekday: date.map(|d| weekday_name(d.weekday()).to_string()), precision: 1, text }
        } else if c.name("today").is_some() {
            When { date: published, weekday: published.map(|d| weekday_name(d.weekday()).to_string()), precision: 1, text }
        } else if c.name("week").is_some() {
            // ACLED codes a span at its middle with the span's precision: "last week" is the
            // seven days before this week's, "this week" or "the past few days" the days up to
            // publication.
            let back = if text.to_ascii_lowercase().starts_with("last") { 4 } else { 3 };
            When { date: published.map(|p| p - Duration::days(back)), weekday: None, precision: 2, text }
        } else {
            // "last month": the middle of the month before publication's.
            let date = if text.to_ascii_lowercase().starts_with("last") {
                published.and_then(|p| p.with_day(1)).and_then(|first| first.pred_opt()).and_then(|d| d.with_day(15))
            } else {
                published
            };
            When { date, weekday: None, precision: 3, text }
        };
        out.push((when, m.start(), m.end()));
    }
    out
}

/// The days of a span the sentence names: two day-precision dates joined by "and", "to",
/// "until", "through" or a dash ("on Monday and Tuesday", "from May 27 to May 29"), with the
/// days between filled in (a week at most). Fewer than two: no span.
pub fn days_of_span(s: &str, whens: &[(When, usize, usize)]) -> Vec<When> {
    static JOIN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^\W*(?:and|to|until|till|through|thru|-|–|—)\W*(?:on\s+)?(?:the\s+)?$").expect("valid"));
    let day: Vec<&(When, usize, usize)> =
        whens.iter().filter(|w| w.0.precision == 1 && (w.0.date.is_some() || w.0.weekday.is_some())).collect();
    for pair in day.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if !JOIN.is_match(&s[a.2..b.1]) {
            continue;
        }
        let range = !s[a.2..b.1].to_ascii_lowercase().contains("and");
        let mut out = vec![a.0.clone()];
        match (a.0.date, b.0.date, &a.0.weekday, &b.0.weekday) {
            (Some(x), Some(y), _, _) if y > x && (y - x).num_days() <= 7 => {
                let mut d = x.succ_opt();
                while let Some(day) = d.filter(|d| *d < y && range) {
                    out.push(When {
                        date: Some(day),
                        weekday: Some(weekday_name(day.weekday()).to_string()),
                        precision: 1,
                        text: a.0.text.clone(),
                    });
                    d = day.succ_opt();
                }
            }
            (None, None, Some(x), Some(y)) if range => {
                let idx = |n: &str| WEEKDAYS.iter().position(|(w, _)| w.eq_ignore_ascii_case(n));
                if let (Some(i), Some(j)) = (idx(x), idx(y)) {
                    let mut k = (i + 1) % 7;
                    while k != j && out.len() < 7 {
                        out.push(When {
                            date: None,
                            weekday: Some(weekday_name(WEEKDAYS[k].1).to_string()),
                            precision: 1,
                            text: a.0.text.clone(),
                        });
                        k = (k + 1) % 7;
                    }
                }
            }
            _ => {}
        }
        out.push(b.0.clone());
        return out;
    }
    Vec::new()
}

pub fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_date_that_names_a_street_is_no_date() {
        let p = NaiveDate::from_ymd_opt(2016, 11, 7);
        assert!(find("Shells landed near the bakery and April 7th Street.", p).is_empty());
        assert_eq!(find("Shells landed on April 7th.", p).len(), 1);
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekdays_resolve_against_publication() {
        let p = Some(d("2016-05-30")); // a Monday
        let w = &find("entered the town early on Saturday", p)[0].0;
        assert_eq!(w.date, Some(d("2016-05-28")));
        assert_eq!(w.weekday.as_deref(), Some("Saturday"));
        assert_eq!(find("on Monday", p)[0].0.date, Some(d("2016-05-30")));
        assert_eq!(find("yesterday", p)[0].0.date, Some(d("2016-05-29")));
    }

    #[test]
    fn weekdays_stay_unresolved_without_publication() {
        let w = &find("Clashes broke out on Thursday", None)[0].0;
        assert_eq!(w.date, None);
        assert_eq!(w.weekday.as_deref(), Some("Thursday"));
        assert_eq!(find("until Tuesday midnight", None)[0].0.weekday.as_deref(), Some("Tuesday"));
    }

    #[test]
    fn explicit_dates() {
        let p = Some(d("2016-05-30"));
        let all = find("said on Saturday (May 28).", p);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0.date, Some(d("2016-05-28")));
        assert_eq!(find("on Friday (May 27) that cut", None)[0].0.weekday.as_deref(), Some("Friday"));
        assert_eq!(find("on 28/5/2016", None)[0].0.date, Some(d("2016-05-28")));
        assert_eq!(find("on March 3, 2015", None)[0].0.date, Some(d("2015-03-03")));
        assert_eq!(find("on 3 March", None)[0].0.date, None, "no year and no publication date: unresolved");
        assert_eq!(find("on December 30", p)[0].0.date, Some(d("2015-12-30")), "after publication means last year");
        assert!(find("ISIS may attack", p).is_empty());
    }

    #[test]
    fn weeks_and_months_are_coded_at_their_middle() {
        let p = Some(d("2013-08-03"));
        let w = &find("last month witnessed heavy clashes", p)[0].0;
        assert_eq!((w.date, w.precision), (Some(d("2013-07-15")), 3));
        let w = &find("clashes went on last week", p)[0].0;
        assert_eq!((w.date, w.precision), (Some(d("2013-07-30")), 2));
        let w = &find("clashes this week", p)[0].0;
        assert_eq!((w.date, w.precision), (Some(d("2013-07-31")), 2));
        assert_eq!(find("clashes last month", None)[0].0.date, None);
    }

    #[test]
    fn spans_of_named_days() {
        let s = "clashes on Monday and Tuesday";
        let days = days_of_span(s, &find(s, None));
        assert_eq!(days.iter().map(|d| d.weekday.clone().unwrap()).collect::<Vec<_>>(), vec!["Monday", "Tuesday"]);
        let s = "fighting from Monday until Wednesday";
        assert_eq!(days_of_span(s, &find(s, None)).len(), 3);
        let s = "an offensive from May 27 to May 29";
        let days = days_of_span(s, &find(s, Some(d("2016-05-30"))));
        assert_eq!(days.iter().map(|d| d.date.unwrap().to_string()).collect::<Vec<_>>(), vec!["2016-05-27", "2016-05-28", "2016-05-29"]);
        let s = "a monitor said on Saturday (May 28) that the toll rose";
        assert!(days_of_span(s, &find(s, Some(d("2016-05-30")))).is_empty());
    }

    #[test]
    fn spans_have_week_precision() {
        let w = &find("Over the past few days, the areas witnessed battles", None)[0].0;
        assert_eq!(w.precision, 2);
        assert_eq!(find("in the last two days", None)[0].0.precision, 2);
    }
}
