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

    /// A yes/no parameter: true, false, 1, 0 (absent: false).
    pub fn flag(&self, k: &str) -> Result<bool, ApiError> {
        match self.get(k) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(v) => Err(ApiError::bad_request(format!("parameter {k}={v:?}: true or false"))),
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
    Jsonl,
    /// GeoJSON with plain properties (`flat=true`).
    GeojsonFlat,
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
    "flat",
];

/// The names `/api/points` accepts: the filters, and the moment a user last looked.
pub const POINT_PARAMS: &[&str] =
    &["type", "sub_type", "actor", "since", "until", "admin1", "place", "bbox", "source", "text", "min_fatalities", "limit", "new_since"];

/// The names `/api/timeline` accepts: the filters.
pub const FILTER_PARAMS: &[&str] =
    &["type", "sub_type", "actor", "since", "until", "admin1", "place", "bbox", "source", "text", "min_fatalities", "limit"];

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

/// The most points `/api/points` returns (the map draws them all; beyond, it says so).
pub const MAX_POINTS: usize = 200_000;

/// The filters alone (no sort, page or format): `/api/points` and `/api/timeline`.
pub fn filters(p: &Params) -> Result<EventFilter, ApiError> {
    let filter = EventFilter {
        event_type: p.string("type"),
        sub_event_type: p.string("sub_type"),
        actor: p.string("actor"),
        since: p.date("since")?,
        until: p.date("until")?,
        admin1: p.string("admin1"),
        place: p.string("place"),
        bbox: bbox(p)?,
        source: p.string("source"),
        text: text(p)?,
        min_fatalities: p.parse::<u32>("min_fatalities", "a whole number")?,
        limit: EventFilter::MAX_LIMIT,
        ..EventFilter::default()
    };
    filter.check_types().map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(filter)
}

/// The full-text filter, its number of terms checked at once.
fn text(p: &Params) -> Result<Option<String>, ApiError> {
    let t = p.string("text");
    if let Some(q) = &t {
        sitrep_core::store::sqlite::check_search_terms(q).map_err(|e| ApiError::from(e).for_param("text"))?;
    }
    Ok(t)
}

fn bbox(p: &Params) -> Result<Option<[f64; 4]>, ApiError> {
    Ok(match p.get("bbox") {
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
    })
}

/// The filter, sort, page and format of an events request.
pub fn event_filter(p: &Params) -> Result<EventsRequest, ApiError> {
    let bbox = bbox(p)?;
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
        Some("jsonl") => EventsFormat::Jsonl,
        Some(v) => return Err(ApiError::bad_request(format!("parameter format={v:?}: one of json, geojson, csv, acled, jsonl"))),
    };
    let given = p.parse::<usize>("limit", "a whole number")?;
    let export = format != EventsFormat::Json;
    // A page of JSON: 100 by default, 100,000 at most. An export: every matching event unless
    // a limit is given, streamed.
    let limit = given.unwrap_or(DEFAULT_LIMIT);
    if given == Some(0) || (!export && limit > EventFilter::MAX_LIMIT) {
        return Err(ApiError::bad_request(format!("parameter limit={limit}: must be 1 to {}", EventFilter::MAX_LIMIT)));
    }
    let flat = p.flag("flat")?;
    if flat && format != EventsFormat::Geojson {
        return Err(ApiError::bad_request("parameter flat: only with format=geojson"));
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
        text: text(p)?,
        min_fatalities: p.parse::<u32>("min_fatalities", "a whole number")?,
        sort,
        limit: if export { EventFilter::MAX_LIMIT } else { limit },
        offset,
    };
    filter.check_types().map_err(|e| ApiError::bad_request(e.to_string()))?;
    let format = match format {
        EventsFormat::Geojson if flat => EventsFormat::GeojsonFlat,
        f => f,
    };
    Ok(EventsRequest { filter, format, export_limit: if export { given } else { None } })
}

/// What an events request asks for.
pub struct EventsRequest {
    pub filter: EventFilter,
    pub format: EventsFormat,
    /// For an export (every format but JSON): the most rows to write (None: all).
    pub export_limit: Option<usize>,
}
