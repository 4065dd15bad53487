//! The typed query of stored events: the filters that `sitrep events` takes as options and the
//! server's `/api/events`, `/api/points` and `/api/timeline` take as query parameters, with one
//! parser for each kind of value (bounding box, sort, date, whole number) used by both.
//!
//! [`EventQuery`] derives serde's `Deserialize` (the server reads a query string into it), clap's
//! `Args` with the feature `cli` (the CLI flattens it into `sitrep events`) and utoipa's
//! `IntoParams` with the feature `openapi` (the server's OpenAPI document describes its
//! parameters from it); it becomes the store's [`EventFilter`] by [`EventQuery::filter`].

pub use crate::model::Bbox;
use crate::store::{EventFilter, Sort};
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

impl FromStr for Bbox {
    type Err = String;
    fn from_str(s: &str) -> Result<Bbox, String> {
        let n: Vec<f64> = s
            .split(',')
            .map(|x| x.trim().parse::<f64>().map_err(|_| format!("{:?} is not a number (want four numbers {})", x.trim(), Bbox::FORM)))
            .collect::<Result<_, _>>()?;
        match n.as_slice() {
            &[a, b, c, d] => Bbox::new([a, b, c, d]),
            _ => Err(format!("want four numbers {}, got {}", Bbox::FORM, n.len())),
        }
    }
}

impl std::fmt::Display for Bbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a},{b},{c},{d}")
    }
}

impl Sort {
    /// The names a sort is written as, in the order of [`Sort::ALL`].
    pub const NAMES: [&'static str; 3] = ["date", "date_asc", "fatalities"];
    pub const ALL: [Sort; 3] = [Sort::DateDesc, Sort::DateAsc, Sort::FatalitiesDesc];

    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|s| *s == self).unwrap_or(0)]
    }
}

/// `date` (newest first), `date_asc` (oldest first; `date-asc` too, the CLI's old spelling) or
/// `fatalities` (deadliest first).
impl FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Sort, String> {
        match s.trim() {
            "date" => Ok(Sort::DateDesc),
            "date_asc" | "date-asc" => Ok(Sort::DateAsc),
            "fatalities" => Ok(Sort::FatalitiesDesc),
            _ => Err(format!("one of {}", Sort::NAMES.join(", "))),
        }
    }
}

impl std::fmt::Display for Sort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A calendar date, YYYY-MM-DD (the one date parser of queries: CLI options and API parameters).
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| format!("not a date YYYY-MM-DD ({e})"))
}

/// A whole number, 0 or more (the one parser of counts and limits).
pub fn parse_count<T: FromStr>(s: &str) -> Result<T, String> {
    s.trim().parse().map_err(|_| "not a whole number".to_string())
}

/// A limit checked against its range: `given` (or `default`) must be 1 to `max`.
pub fn check_limit(given: Option<usize>, default: usize, max: usize) -> Result<usize, String> {
    let n = given.unwrap_or(default);
    if n == 0 || n > max {
        return Err(format!("limit={n}: must be 1 to {max}"));
    }
    Ok(n)
}

/// Deserializes through `FromStr` (the type's one parser) from a string.
macro_rules! deserialize_from_str {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}
deserialize_from_str!(Bbox, Sort);

/// serde's `deserialize_with` for an optional date by [`parse_date`].
pub fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    let s = String::deserialize(d)?;
    parse_date(&s).map(Some).map_err(serde::de::Error::custom)
}

/// The filters of stored events, shared by `sitrep events` (options `--type`, `--sub-type`, ...)
/// and the API (parameters `type`, `sub_type`, ...). Every one narrows; none given: every event.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct EventQuery {
    /// ACLED event type ("Battles"), case-insensitive.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "cli", arg(long = "type"))]
    pub event_type: Option<String>,
    /// ACLED sub-event type ("Armed clash").
    #[cfg_attr(feature = "cli", arg(long))]
    pub sub_type: Option<String>,
    /// An actor by any of its names ("Daesh" finds Islamic State).
    #[cfg_attr(feature = "cli", arg(long))]
    pub actor: Option<String>,
    /// Events on or after this date (YYYY-MM-DD).
    #[serde(deserialize_with = "de_date")]
    #[cfg_attr(feature = "cli", arg(long, value_parser = parse_date))]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    pub since: Option<chrono::NaiveDate>,
    /// Events on or before this date (YYYY-MM-DD).
    #[serde(deserialize_with = "de_date")]
    #[cfg_attr(feature = "cli", arg(long, value_parser = parse_date))]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    pub until: Option<chrono::NaiveDate>,
    /// Governorate ("Aleppo").
    #[cfg_attr(feature = "cli", arg(long))]
    pub admin1: Option<String>,
    /// A place or admin area by name: the location as written, its district or governorate.
    #[cfg_attr(feature = "cli", arg(long))]
    pub place: Option<String>,
    /// A bounding box: min_lon,min_lat,max_lon,max_lat (degrees, mins first).
    #[cfg_attr(feature = "cli", arg(long, value_parser = Bbox::from_str, allow_hyphen_values = true))]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, example = "36.5,35.5,38.5,37.0"))]
    pub bbox: Option<Bbox>,
    /// The outlet ("ARA News").
    #[cfg_attr(feature = "cli", arg(long))]
    pub source: Option<String>,
    /// Full-text query over the reporting article (FTS5: "a phrase", prefix*, AND/OR/NOT; at
    /// most 64 terms; bad syntax is an error naming the parameter).
    #[cfg_attr(feature = "cli", arg(long))]
    pub text: Option<String>,
    /// At least this many deaths.
    #[cfg_attr(feature = "cli", arg(long, value_parser = parse_count::<u32>))]
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub min_fatalities: Option<u32>,
}

impl EventQuery {
    /// The store's filter of these: sorted by `sort`, the largest page (the caller sets
    /// `limit` and `offset`), its event types checked against ACLED's, an actor named by any
    /// of its names in `actors` ("Daesh") resolved to the name events are stored under
    /// ("Islamic State"); a name `actors` does not know is kept as given.
    pub fn filter(self, sort: Sort, actors: &crate::extract::actors::ActorDict) -> Result<EventFilter, crate::store::StoreError> {
        let actor = self.actor.map(|a| actors.lookup(&a).map_or_else(|| a.trim().to_string(), |x| x.name.clone()));
        let filter = EventFilter {
            event_type: self.event_type,
            sub_event_type: self.sub_type,
            actor,
            since: self.since,
            until: self.until,
            admin1: self.admin1,
            place: self.place,
            bbox: self.bbox.map(|b| b.0),
            source: self.source,
            text: self.text,
            min_fatalities: self.min_fatalities,
            sort,
            limit: EventFilter::MAX_LIMIT,
            offset: 0,
            after: None,
        };
        filter.check_types()?;
        Ok(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_by_any_of_its_names_is_the_name_events_are_stored_under() {
        let dict = crate::extract::actors::ActorDict::builtin();
        let q = |a: &str| EventQuery { actor: Some(a.into()), ..EventQuery::default() }.filter(Sort::default(), dict).unwrap().actor;
        assert_eq!(q("Daesh").as_deref(), Some("Islamic State"));
        assert_eq!(q(" isis ").as_deref(), Some("Islamic State"));
        assert_eq!(q("Nobody We Know").as_deref(), Some("Nobody We Know"));
    }

    #[test]
    fn bboxes_parse_or_say_why() {
        assert_eq!("36.5,35.5,38.5,37".parse::<Bbox>().unwrap(), Bbox([36.5, 35.5, 38.5, 37.0]));
        assert_eq!(" -10 , -5,10, 5 ".parse::<Bbox>().unwrap(), Bbox([-10.0, -5.0, 10.0, 5.0]));
        assert_eq!("-180,-90,180,90".parse::<Bbox>().unwrap(), Bbox([-180.0, -90.0, 180.0, 90.0]));
        for (bad, why) in [
            ("1,2,3", "four numbers"),
            ("1,2,3,4,5", "four numbers"),
            ("", "not a number"),
            ("a,b,c,d", "\"a\" is not a number"),
            ("1,2,,4", "\"\" is not a number"),
            ("40,0,30,10", "mins first"),
            ("0,40,10,30", "mins first"),
            ("-181,0,10,10", "-180 to 180"),
            ("0,-91,10,10", "-90 to 90"),
            ("0,0,10,NaN", "in degrees"),
            ("0,0,inf,10", "in degrees"),
        ] {
            let e = bad.parse::<Bbox>().unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }

    #[test]
    fn sorts_dates_and_counts_parse_or_say_why() {
        for (s, name) in Sort::ALL.iter().zip(Sort::NAMES) {
            assert_eq!(name.parse::<Sort>().unwrap(), *s);
            assert_eq!(s.to_string(), name);
        }
        assert_eq!("date-asc".parse::<Sort>().unwrap(), Sort::DateAsc);
        for bad in ["random", "", "Date", "date_desc"] {
            assert_eq!(bad.parse::<Sort>().unwrap_err(), "one of date, date_asc, fatalities");
        }
        assert_eq!(parse_date("2016-02-29").unwrap(), chrono::NaiveDate::from_ymd_opt(2016, 2, 29).unwrap());
        for bad in ["2016-02-30", "2016-13-01", "yesterday", "20160101", "2016-1-1x"] {
            assert!(parse_date(bad).unwrap_err().starts_with("not a date YYYY-MM-DD"), "{bad}");
        }
        assert_eq!(parse_count::<u32>(" 20 "), Ok(20));
        for bad in ["-1", "many", "1.5", "99999999999"] {
            assert_eq!(parse_count::<u32>(bad), Err("not a whole number".to_string()), "{bad}");
        }
        assert_eq!(check_limit(None, 100, 1000), Ok(100));
        assert_eq!(check_limit(Some(1000), 100, 1000), Ok(1000));
        assert!(check_limit(Some(0), 100, 1000).unwrap_err().contains("1 to 1000"));
        assert!(check_limit(Some(1001), 100, 1000).is_err());
    }

    #[test]
    fn a_query_becomes_the_store_filter() {
        let q = EventQuery {
            event_type: Some("battles".into()),
            bbox: Some(Bbox([1.0, 2.0, 3.0, 4.0])),
            min_fatalities: Some(3),
            ..EventQuery::default()
        };
        let f = q.filter(Sort::FatalitiesDesc, crate::extract::actors::ActorDict::builtin()).unwrap();
        assert_eq!(f.event_type.as_deref(), Some("battles"));
        assert_eq!(f.bbox, Some([1.0, 2.0, 3.0, 4.0]));
        assert_eq!((f.min_fatalities, f.sort, f.limit, f.offset), (Some(3), Sort::FatalitiesDesc, EventFilter::MAX_LIMIT, 0));
        let bad = EventQuery { event_type: Some("Picnics".into()), ..EventQuery::default() };
        assert!(bad
            .filter(Sort::default(), crate::extract::actors::ActorDict::builtin())
            .unwrap_err()
            .to_string()
            .contains("not one of ACLED's"));
    }
}
