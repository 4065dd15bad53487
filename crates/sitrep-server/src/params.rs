//! Query-string parameters: parsed by hand so that every bad value, unknown name or repeated
//! name is a 400 that says which parameter and why.

use crate::ApiError;
use sitrep_core::store::{EventFilter, Sort};

/// A query string as name/value pairs, with the names a route accepts.
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Checks the names against `allowed`; a name twice is an error.
    pub fn new(pairs: Vec<(String, String)>, allowed: &[&str]) -> Result<Params, ApiError> {
        for (i, (k, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::bad_request(format!("unknown parameter {k:?} (accepted: {})", allowed.join(", "))));
            }
            if pairs[..i].iter().any(|(x, _)| x == k) {
                return Err(ApiError::bad_request(format!("parameter {k:?} given twice")));
            }
        }
        Ok(Params { pairs })
    }

    /// A parameter's value; empty values count as absent.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn string(&self, k: &str) -> Option<String> {
        self.get(k).map(String::from)
    }

    /// A date parameter (YYYY-MM-DD).
    pub fn date(&self, k: &str) -> Result<Option<chrono::NaiveDate>, ApiError> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|e| ApiError::bad_request(format!("parameter {k}={v:?}: not a date YYYY-MM-DD ({e})"))),
        }
    }

    pub fn parse<T: std::str::FromStr>(&self, k: &str, what: &str) -> Result<Option<T>, ApiError> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| ApiError::bad_request(format!("parameter {k}={v:?}: not {what}"))),
        }
    }
}

/// The output formats of `/api/events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsFormat {
    Json,
    Geojson,
    Csv,
    Acled,
}

/// The names `/api/events` accepts.
pub const EVENT_PARAMS: &[&str] = &[
    "type",
    "sub_type",
    "actor",
    "since",
    "until",
    "admin1",
    "place",
    "bbox",
    "source",
    "text",
    "min_fatalities",
    "sort",
    "limit",
    "cursor",
    "format",
];

/// The default and largest page of events.
pub const DEFAULT_LIMIT: usize = 100;

/// A page position. Cursors are opaque to clients: `next_cursor` of one page asks for the next.
pub fn parse_cursor(c: &str) -> Result<usize, ApiError> {
    c.strip_prefix('o')
        .and_then(|n| n.parse::<usize>().ok())
        .ok_or_else(|| ApiError::bad_request(format!("parameter cursor={c:?}: not a cursor this server gave")))
}

pub fn cursor(offset: usize) -> String {
    format!("o{offset}")
}

/// The filter, sort, page and format of an events request.
pub fn event_filter(p: &Params) -> Result<(EventFilter, EventsFormat), ApiError> {
    let bbox = match p.get("bbox") {
        None => None,
        Some(v) => {
            let n: Vec<f64> =
                v.split(',').map(|x| x.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| {
                    ApiError::bad_request(format!("parameter bbox={v:?}: want four numbers min_lon,min_lat,max_lon,max_lat"))
                })?;
            match n.as_slice() {
                &[a, b, c, d] if n.iter().all(|x| x.is_finite()) => Some([a, b, c, d]),
                _ => return Err(ApiError::bad_request(format!("parameter bbox={v:?}: want four numbers min_lon,min_lat,max_lon,max_lat"))),
            }
        }
    };
    let sort = match p.get("sort") {
        None | Some("date") => Sort::DateDesc,
        Some("date_asc") => Sort::DateAsc,
        Some("fatalities") => Sort::FatalitiesDesc,
        Some(v) => return Err(ApiError::bad_request(format!("parameter sort={v:?}: one of date, date_asc, fatalities"))),
    };
    let format = match p.get("format") {
        None | Some("json") => EventsFormat::Json,
        Some("geojson") => EventsFormat::Geojson,
        Some("csv") => EventsFormat::Csv,
        Some("acled") => EventsFormat::Acled,
        Some(v) => return Err(ApiError::bad_request(format!("parameter format={v:?}: one of json, geojson, csv, acled"))),
    };
    let limit = p.parse::<usize>("limit", "a whole number")?.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > EventFilter::MAX_LIMIT {
        return Err(ApiError::bad_request(format!("parameter limit={limit}: must be 1 to {}", EventFilter::MAX_LIMIT)));
    }
    let offset = match p.get("cursor") {
        None => 0,
        Some(c) => parse_cursor(c)?,
    };
    let filter = EventFilter {
        event_type: p.string("type"),
        sub_event_type: p.string("sub_type"),
        actor: p.string("actor"),
        since: p.date("since")?,
        until: p.date("until")?,
        admin1: p.string("admin1"),
        place: p.string("place"),
        bbox,
        source: p.string("source"),
        text: p.string("text"),
        min_fatalities: p.parse::<u32>("min_fatalities", "a whole number")?,
        sort,
        limit,
        offset,
    };
    Ok((filter, format))
}
