//! Query strings as typed structs. Each route's parameters are one or two structs (the event
//! filters are [`sitrep_core::query::EventQuery`], the same struct `sitrep events` takes its
//! options from) read by [`StrictQuery`]: a name the structs do not have, or a name given twice,
//! is a 400 naming it; a bad value is a 400 naming the parameter, its value and why. Empty values
//! count as absent and values are trimmed. The same structs describe the parameters in the
//! OpenAPI document (utoipa's `IntoParams`).

use crate::ApiError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};
use sitrep_core::query::parse_count;
use sitrep_core::store::{EventFilter, EventKey, Sort};
use std::str::FromStr;

/// A route's query string as `A` and `B` (a route with one struct leaves `B` as [`NoParams`]).
pub struct StrictQuery<A, B = NoParams>(pub A, pub B);

impl<S: Send + Sync, A: DeserializeOwned, B: DeserializeOwned> FromRequestParts<S> for StrictQuery<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
        let (a, b) = from_pairs(&pairs)?;
        Ok(StrictQuery(a, b))
    }
}

/// No parameters.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(test, derive(PartialEq))]
pub struct NoParams {}

/// Reads name/value pairs into `A` and `B`: every name must be one of theirs, and given once.
pub fn from_pairs<A: DeserializeOwned, B: DeserializeOwned>(pairs: &[(String, String)]) -> Result<(A, B), ApiError> {
    let (names_a, names_b) = (names::<A>(), names::<B>());
    for (i, (k, _)) in pairs.iter().enumerate() {
        if !names_a.contains(&k.as_str()) && !names_b.contains(&k.as_str()) {
            let accepted: Vec<&str> = names_a.iter().chain(names_b).copied().collect();
            let accepted =
                if accepted.is_empty() { "this route takes none".to_string() } else { format!("accepted: {}", accepted.join(", ")) };
            return Err(ApiError::bad_request(format!("unknown parameter {k:?} ({accepted})")));
        }
        if pairs[..i].iter().any(|(x, _)| x == k) {
            return Err(ApiError::bad_request(format!("parameter {k:?} given twice")));
        }
    }
    let present: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.trim())).filter(|(_, v)| !v.is_empty()).collect();
    let read = |names: &[&str]| Pairs(present.iter().filter(|(k, _)| names.contains(k)).copied().collect());
    let a = A::deserialize(read(names_a)).map_err(|e| ApiError::bad_request(e.0))?;
    let b = B::deserialize(read(names_b)).map_err(|e| ApiError::bad_request(e.0))?;
    Ok((a, b))
}

/// The field names of a struct that derives `Deserialize` (its parameter names, renames
/// applied), as serde's derive hands them to the deserializer.
pub fn names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Names<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Names<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("names only"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Names(&mut fields));
    fields
}

/// A message for the client.
#[derive(Debug)]
pub struct ParamError(String);

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

impl de::Error for ParamError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ParamError(msg.to_string())
    }
}

/// The pairs of one struct, as a map.
struct Pairs<'a>(Vec<(&'a str, &'a str)>);

impl<'de> Deserializer<'de> for Pairs<'_> {
    type Error = ParamError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_map(PairsAccess { pairs: self.0.into_iter(), value: None })
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct PairsAccess<'a> {
    pairs: std::vec::IntoIter<(&'a str, &'a str)>,
    value: Option<(&'a str, &'a str)>,
}

impl<'de> de::MapAccess<'de> for PairsAccess<'_> {
    type Error = ParamError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ParamError> {
        match self.pairs.next() {
            None => Ok(None),
            Some((k, v)) => {
                self.value = Some((k, v));
                seed.deserialize(k.into_deserializer()).map(Some)
            }
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ParamError> {
        let (key, value) = self.value.take().ok_or_else(|| ParamError("a value without a name".into()))?;
        seed.deserialize(Value(value)).map_err(|e| ParamError(format!("parameter {key}={value:?}: {}", e.0)))
    }
}

/// One parameter's value: numbers and yes/no read here, with a message; other types read it as
/// a string and parse it by their `FromStr` (bounding box, sort, date, ...).
struct Value<'a>(&'a str);

impl Value<'_> {
    fn count<T: FromStr>(&self) -> Result<T, ParamError> {
        parse_count(self.0).map_err(ParamError)
    }
}

impl<'de> Deserializer<'de> for Value<'_> {
    type Error = ParamError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_str(self.0)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self.0 {
            "true" | "1" => visitor.visit_bool(true),
            "false" | "0" => visitor.visit_bool(false),
            _ => Err(ParamError("true or false".into())),
        }
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_u8(self.count()?)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_u16(self.count()?)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_u32(self.count()?)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_u64(self.count()?)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_i64(self.0.parse().map_err(|_| ParamError("not a whole number".into()))?)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self.0.parse::<f64>() {
            Ok(x) if x.is_finite() => visitor.visit_f64(x),
            _ => Err(ParamError("not a number".into())),
        }
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_some(self)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_enum(self.0.into_deserializer())
    }
    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u128 f32 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

/// Deserializes through `FromStr` (the type's one parser) from a string.
macro_rules! deserialize_from_str {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(de::Error::custom)
            }
        }
    )*};
}
deserialize_from_str!(EventsFormat, Cursor, EventCursor, ChangeCursor, Moment);

/// The output formats of `/api/events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum EventsFormat {
    /// A page of events (JSON).
    #[default]
    Json,
    /// Every matching event, streamed: a GeoJSON FeatureCollection.
    Geojson,
    /// CSV with ACLED's column names where ACLED has the field.
    Csv,
    /// ACLED's CSV layout (integer columns never blank; timestamp = when the event was stored).
    Acled,
    /// JSON Lines, one event a line.
    Jsonl,
}

impl EventsFormat {
    const NAMES: [(&'static str, EventsFormat); 5] = [
        ("json", EventsFormat::Json),
        ("geojson", EventsFormat::Geojson),
        ("csv", EventsFormat::Csv),
        ("acled", EventsFormat::Acled),
        ("jsonl", EventsFormat::Jsonl),
    ];
}

impl FromStr for EventsFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| format!("one of {}", Self::NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")))
    }
}

/// A page position. Cursors are opaque to clients: `next_cursor` of one page asks for the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub usize);

impl FromStr for Cursor {
    type Err = String;
    fn from_str(c: &str) -> Result<Self, String> {
        c.strip_prefix('o').and_then(|n| n.parse::<usize>().ok()).map(Cursor).ok_or_else(|| "not a cursor this server gave".into())
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "o{}", self.0)
    }
}

pub fn cursor(offset: usize) -> String {
    Cursor(offset).to_string()
}

/// The cursor of `/api/events`: a keyset position, the sort it was made under and the sort key
/// of the last event of the page it came with (date, toll, the store's row sequence). Opaque to
/// clients: base64url (no padding) of a small versioned JSON object; checked when read (a
/// damaged or forged one, or an offset cursor of an older server, is a 400 saying why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCursor {
    pub sort: Sort,
    pub key: EventKey,
}

/// The JSON inside an [`EventCursor`] (version 1).
#[derive(serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventCursorV1 {
    v: u32,
    sort: String,
    date: Option<String>,
    fatalities: i64,
    seq: i64,
}

impl EventCursor {
    pub fn new(sort: Sort, key: EventKey) -> EventCursor {
        EventCursor { sort, key }
    }
}

impl FromStr for EventCursor {
    type Err = String;
    fn from_str(c: &str) -> Result<Self, String> {
        if c.len() > 1 && c.starts_with('o') && c[1..].bytes().all(|b| b.is_ascii_digit()) {
            return Err("an offset cursor of an older server: events now page by keyset; start again without cursor".into());
        }
        let bytes = base64url_decode(c).ok_or("not a cursor this server gave (not base64url)")?;
        let v: EventCursorV1 = serde_json::from_slice(&bytes).map_err(|_| "not a cursor this server gave (damaged or forged)")?;
        if v.v != 1 {
            return Err(format!("a cursor of version {} (this server reads version 1); start again without cursor", v.v));
        }
        let sort: Sort = v.sort.parse().map_err(|_| "not a cursor this server gave (no such sort)")?;
        let date_ok = v.date.as_ref().is_none_or(|d| d.len() <= 64);
        if v.seq < 1 || v.fatalities < 0 || !date_ok {
            return Err("not a cursor this server gave (damaged or forged)".into());
        }
        Ok(EventCursor { sort, key: EventKey { date: v.date, fatalities: v.fatalities, seq: v.seq } })
    }
}

impl std::fmt::Display for EventCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let k = &self.key;
        let v = EventCursorV1 { v: 1, sort: self.sort.name().to_string(), date: k.date.clone(), fatalities: k.fatalities, seq: k.seq };
        f.write_str(&base64url_encode(&serde_json::to_vec(&v).unwrap_or_default()))
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// base64url without padding; None when it is not (or has bits left over).
fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 || s.len() > 4096 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let d = B64.iter().position(|b| b == c)? as u32;
            n |= d << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = chunk.len() - 1;
        if n << (8 * keep) & 0xFF_FFFF != 0 {
            return None;
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Some(out)
}

/// The change feed's cursor: the `seq` of the last change seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeCursor(pub i64);

impl FromStr for ChangeCursor {
    type Err = String;
    fn from_str(c: &str) -> Result<Self, String> {
        c.parse().map(ChangeCursor).map_err(|_| "not a cursor (the seq of the last change seen)".into())
    }
}

/// A moment, RFC 3339 (as `/api/points` answers it in `newest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment(pub String);

impl FromStr for Moment {
    type Err = String;
    fn from_str(t: &str) -> Result<Self, String> {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|_| Moment(t.to_string()))
            .map_err(|_| "a UTC time as /api/points answers it in `newest`".into())
    }
}

/// The default and largest page of events.
pub const DEFAULT_LIMIT: usize = 100;

/// The most points `/api/points` returns (the map draws them all; beyond, it says so).
pub const MAX_POINTS: usize = 200_000;

/// What `/api/events` takes besides the filters: order, page and format.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[cfg_attr(test, derive(PartialEq))]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct EventsPage {
    /// date (newest first), date_asc (oldest first) or fatalities (deadliest first).
    #[param(inline)]
    pub sort: Option<Sort>,
    /// JSON: a page of this many (default 100, at most 100000). Other formats: at most this many
    /// rows (default: every matching event, streamed).
    #[param(minimum = 1)]
    pub limit: Option<usize>,
    /// The next_cursor of the previous page (JSON), or X-Next-Cursor of an export cut short: a
    /// keyset position, opaque, only for the same sort (events stored before it since do not
    /// shift the next page). A damaged or forged cursor, one made under another sort, or an
    /// offset cursor of an older server is a 400.
    #[param(value_type = Option<String>)]
    pub cursor: Option<EventCursor>,
    /// json (a page), or an export streamed whole: geojson, csv, acled (ACLED's CSV layout;
    /// integer columns never blank; timestamp = when the event was stored), jsonl.
    #[param(inline)]
    pub format: Option<EventsFormat>,
    /// With format=geojson: plain properties (actors, place, toll as plain values) for GIS tools.
    pub flat: Option<bool>,
}

/// What `/api/points` takes besides the filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PointsParams {
    /// At most this many points (default and largest 200000); truncated says when more matched.
    #[param(minimum = 1, maximum = 200000)]
    pub limit: Option<usize>,
    /// A moment (UTC, RFC 3339: the `newest` an earlier answer gave): `new` lists the points
    /// whose article was stored after it.
    #[param(value_type = Option<String>, format = DateTime)]
    pub new_since: Option<Moment>,
}

/// `/api/timeline` takes the filters; `limit` is refused with a reason (it counts every day).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    #[param(ignore)]
    pub limit: Option<String>,
}

/// `/api/search`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// FTS5 query: "a phrase", prefix*, AND/OR/NOT; at most 64 terms (400 beyond); a query over
    /// its 10 s budget is stopped with a 503.
    #[param(required = true)]
    pub q: Option<String>,
    /// At most this many hits (default 20).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<usize>,
}

/// `/api/places`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PlacesParams {
    /// At most this many places, most events first (default 1000).
    #[param(minimum = 1)]
    pub limit: Option<usize>,
}

/// `/api/fused`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FusedParams {
    /// Only events reported by at least this many outlets.
    #[param(minimum = 1)]
    pub min_sources: Option<usize>,
    /// Page size (default 100).
    #[param(minimum = 1)]
    pub limit: Option<usize>,
    /// The next_cursor of the previous page.
    #[param(value_type = Option<String>)]
    pub cursor: Option<Cursor>,
}

/// `/api/changes`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// Instead of cursor, for a first call: a date YYYY-MM-DD or an RFC 3339 time; the changes at
    /// that moment are included.
    pub since: Option<String>,
    /// The seq of the last change seen (next_cursor of the previous page); 0 or absent: from the
    /// start. Page until more is false: no change is skipped or repeated.
    #[param(value_type = Option<i64>)]
    pub cursor: Option<ChangeCursor>,
    /// At most this many (default 1000).
    #[param(minimum = 1)]
    pub limit: Option<usize>,
}

/// `/api/control`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ControlParams {
    /// A place or admin area by name.
    pub place: Option<String>,
    /// Who held what on this date (YYYY-MM-DD).
    #[serde(deserialize_with = "sitrep_core::query::de_date")]
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<chrono::NaiveDate>,
    /// Only places in this governorate.
    pub admin1: Option<String>,
}

/// The full-text filter's number of terms, checked before the query runs.
pub fn check_text(text: &Option<String>, param: &str) -> Result<(), ApiError> {
    if let Some(q) = text {
        sitrep_core::store::sqlite::check_search_terms(q).map_err(|e| ApiError::from(e).for_param(param))?;
    }
    Ok(())
}

/// The filters alone (no sort, page or format): `/api/points` and `/api/timeline`.
pub fn filters(q: sitrep_core::query::EventQuery) -> Result<EventFilter, ApiError> {
    check_text(&q.text, "text")?;
    q.filter(Sort::default(), sitrep_core::extract::actors::ActorDict::builtin()).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// What an events request asks for.
#[derive(Debug)]
pub struct EventsRequest {
    pub filter: EventFilter,
    pub format: EventsFormat,
    /// GeoJSON with plain properties.
    pub flat: bool,
    /// For an export (every format but JSON): the most rows to write (None: all).
    pub export_limit: Option<usize>,
}

/// The filter, sort, page and format of an events request.
pub fn event_filter(q: sitrep_core::query::EventQuery, page: EventsPage) -> Result<EventsRequest, ApiError> {
    let format = page.format.unwrap_or_default();
    let export = format != EventsFormat::Json;
    // A page of JSON: 100 by default, 100,000 at most. An export: every matching event unless
    // a limit is given, streamed.
    let limit = if export {
        if page.limit == Some(0) {
            return Err(ApiError::bad_request("parameter limit=0: must be 1 or more (or none: every matching event)"));
        }
        EventFilter::MAX_LIMIT
    } else {
        sitrep_core::query::check_limit(page.limit, DEFAULT_LIMIT, EventFilter::MAX_LIMIT)
            .map_err(|e| ApiError::bad_request(format!("parameter {e}")))?
    };
    let flat = page.flat.unwrap_or(false);
    if flat && format != EventsFormat::Geojson {
        return Err(ApiError::bad_request("parameter flat: only with format=geojson"));
    }
    check_text(&q.text, "text")?;
    let sort = page.sort.unwrap_or_default();
    let mut filter =
        q.filter(sort, sitrep_core::extract::actors::ActorDict::builtin()).map_err(|e| ApiError::bad_request(e.to_string()))?;
    filter.limit = limit;
    if let Some(c) = page.cursor {
        if c.sort != sort {
            return Err(ApiError::bad_request(format!(
                "parameter cursor: made under sort={}, not sort={sort} (a cursor continues the listing it came from; start again without cursor)",
                c.sort
            )));
        }
        filter.after = Some(c.key);
    }
    Ok(EventsRequest { filter, format, flat, export_limit: if export { page.limit } else { None } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_core::query::{Bbox, EventQuery};

    fn pairs(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').map_or((p.into(), String::new()), |(k, v)| (k.into(), v.into())))
            .collect()
    }

    fn events(q: &str) -> Result<(EventQuery, EventsPage), String> {
        from_pairs::<EventQuery, EventsPage>(&pairs(q)).map_err(|e| e.message)
    }

    #[test]
    fn the_names_are_the_structs_fields_renamed() {
        assert_eq!(
            names::<EventQuery>(),
            ["type", "sub_type", "actor", "since", "until", "admin1", "place", "bbox", "source", "text", "min_fatalities"]
        );
        assert_eq!(names::<EventsPage>(), ["sort", "limit", "cursor", "format", "flat"]);
        assert!(names::<NoParams>().is_empty());
    }

    #[test]
    fn values_are_typed() {
        let key = EventKey { date: Some("2016-01-02".into()), fatalities: 7, seq: 10 };
        let c = EventCursor::new(Sort::FatalitiesDesc, key.clone());
        let (q, page) = events(&format!(
            "type=Battles&since=2016-01-02&bbox=36,35,37,36&min_fatalities=3&sort=fatalities&limit=5&cursor={c}&format=geojson&flat=1"
        ))
        .unwrap();
        assert_eq!(q.event_type.as_deref(), Some("Battles"));
        assert_eq!(q.since, chrono::NaiveDate::from_ymd_opt(2016, 1, 2));
        assert_eq!(q.bbox, Some(Bbox([36.0, 35.0, 37.0, 36.0])));
        assert_eq!(q.min_fatalities, Some(3));
        assert_eq!(
            page,
            EventsPage {
                sort: Some(Sort::FatalitiesDesc),
                limit: Some(5),
                cursor: Some(EventCursor::new(Sort::FatalitiesDesc, key)),
                format: Some(EventsFormat::Geojson),
                flat: Some(true)
            }
        );
        // Empty values are absent; values are trimmed.
        let (q, page) = events("type=&since=&flat=&limit=&actor=%20x%20".replace("%20", " ").as_str()).unwrap();
        assert_eq!(q, EventQuery { actor: Some("x".into()), ..EventQuery::default() });
        assert_eq!(page, EventsPage::default());
    }

    #[test]
    fn bad_names_and_values_are_refused_naming_them() {
        for (q, want) in [
            ("colour=red", "unknown parameter \"colour\" (accepted: type, sub_type, actor, since, until, admin1, place, bbox, source, text, min_fatalities, sort, limit, cursor, format, flat)"),
            ("type=Battles&type=Riots", "parameter \"type\" given twice"),
            ("limit=1&limit=", "parameter \"limit\" given twice"),
            ("bbox=1,2,3", "parameter bbox=\"1,2,3\": want four numbers min_lon,min_lat,max_lon,max_lat, got 3"),
            ("bbox=a,b,c,d", "parameter bbox=\"a,b,c,d\": \"a\" is not a number"),
            ("bbox=40,0,30,10", "parameter bbox=\"40,0,30,10\": want min_lon,min_lat,max_lon,max_lat in degrees"),
            ("sort=random", "parameter sort=\"random\": one of date, date_asc, fatalities"),
            ("format=xml", "parameter format=\"xml\": one of json, geojson, csv, acled, jsonl"),
            ("cursor=zzz", "parameter cursor=\"zzz\": not a cursor this server gave"),
            ("cursor=o40", "parameter cursor=\"o40\": an offset cursor of an older server"),
            ("since=2016-13-01", "parameter since=\"2016-13-01\": not a date YYYY-MM-DD"),
            ("until=yesterday", "parameter until=\"yesterday\": not a date YYYY-MM-DD"),
            ("min_fatalities=many", "parameter min_fatalities=\"many\": not a whole number"),
            ("limit=-1", "parameter limit=\"-1\": not a whole number"),
            ("flat=maybe", "parameter flat=\"maybe\": true or false"),
        ] {
            let e = events(q).unwrap_err();
            assert!(e.starts_with(want), "{q}: {e}");
        }
        let e = from_pairs::<NoParams, NoParams>(&pairs("x=1")).unwrap_err().message;
        assert_eq!(e, "unknown parameter \"x\" (this route takes none)");
    }

    #[test]
    fn limits_formats_and_flat_together() {
        let req = |q: &str| {
            let (q, p) = events(q)?;
            event_filter(q, p).map_err(|e| e.message)
        };
        assert_eq!(req("").unwrap().filter.limit, DEFAULT_LIMIT);
        assert!(req("limit=0").unwrap_err().contains("must be 1 to 100000"));
        assert!(req("limit=100001").unwrap_err().contains("must be 1 to 100000"));
        let csv = req("format=csv&limit=100001").unwrap();
        assert_eq!((csv.export_limit, csv.filter.limit), (Some(100001), EventFilter::MAX_LIMIT));
        assert!(req("format=csv&limit=0").unwrap_err().contains("limit=0"));
        assert!(req("flat=true").unwrap_err().contains("only with format=geojson"));
        assert!(req("format=geojson&flat=true").unwrap().flat);
        let c = EventCursor::new(Sort::DateAsc, EventKey { date: None, fatalities: 0, seq: 40 });
        assert_eq!(req(&format!("sort=date_asc&cursor={c}")).unwrap().filter.after, Some(c.key.clone()));
        assert!(req(&format!("sort=date&cursor={c}")).unwrap_err().contains("made under sort=date_asc, not sort=date"));
        assert!(req("type=Picnics").unwrap_err().contains("not one of ACLED's"));
        let many = format!("text={}", vec!["w"; 65].join("+"));
        assert!(req(&many).unwrap_err().starts_with("parameter text: bad search query"));
    }

    #[test]
    fn event_cursors_round_trip_and_refuse_forgeries() {
        for sort in Sort::ALL {
            for date in [None, Some("2016-05-05".to_string()), Some("x\"é".to_string())] {
                let c = EventCursor::new(sort, EventKey { date, fatalities: 3, seq: 12345 });
                let s = c.to_string();
                assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{s}");
                assert_eq!(s.parse::<EventCursor>().unwrap(), c);
            }
        }
        let forged = |json: &str| base64url_encode(json.as_bytes()).parse::<EventCursor>().unwrap_err();
        assert!(forged(r#"{"v":2,"sort":"date","date":null,"fatalities":0,"seq":1}"#).contains("version 2"));
        assert!(forged(r#"{"v":1,"sort":"random","date":null,"fatalities":0,"seq":1}"#).contains("no such sort"));
        assert!(forged(r#"{"v":1,"sort":"date","date":null,"fatalities":0,"seq":0}"#).contains("forged"));
        assert!(forged(r#"{"v":1,"sort":"date","date":null,"fatalities":0}"#).contains("forged"));
        assert!(forged(r#"{"v":1,"sort":"date","date":null,"fatalities":0,"seq":1,"offset":5}"#).contains("forged"));
        assert!(forged("[1,2]").contains("forged"));
        for bad in ["", "a", "ab=c", "eyJ2Ijox!", "ab+/"] {
            assert!(bad.parse::<EventCursor>().is_err(), "{bad}");
        }
        for n in 0..40usize {
            let bytes: Vec<u8> = (0..n as u8).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)), Some(bytes));
        }
    }

    proptest::proptest! {
        /// Any parameter not of the route is refused by name; any given twice too.
        #[test]
        fn unknown_or_repeated_names_are_refused(name in "[a-z_]{1,12}", v1 in "[a-z0-9]{0,5}", v2 in "[a-z0-9]{0,5}") {
            let known = names::<EventQuery>().contains(&name.as_str()) || names::<EventsPage>().contains(&name.as_str());
            let once = events(&format!("{name}={v1}"));
            if !known {
                let e = once.unwrap_err();
                proptest::prop_assert!(e.starts_with(&format!("unknown parameter {name:?}")), "{}", e);
            }
            let e = events(&format!("{name}={v1}&{name}={v2}")).unwrap_err();
            if known {
                proptest::prop_assert_eq!(e, format!("parameter {name:?} given twice"));
            }
        }

        /// A bounding box in range parses back to its corners, written as the API shows it.
        #[test]
        fn bboxes_round_trip(a in -180.0f64..=180.0, b in -90.0f64..=90.0, w in 0.0f64..=1.0, h in 0.0f64..=1.0) {
            let c = (a + (180.0 - a) * w).min(180.0);
            let d = (b + (90.0 - b) * h).min(90.0);
            let text = Bbox([a, b, c, d]).to_string();
            let (q, _) = events(&format!("bbox={text}")).unwrap();
            proptest::prop_assert_eq!(q.bbox, Some(Bbox([a, b, c, d])));
        }
    }
}
