//! Exports of events: ACLED's CSV layout (so that ACLED users' scripts read it unchanged) and
//! GeoJSON (a FeatureCollection of points, every field a property).

use crate::model::{Event, Side};
use serde_json::{json, Value};

/// ACLED's columns, in ACLED's order.
pub const ACLED_COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// ISO 3166 numeric codes and names of the countries the gazetteer covers (0: unknown).
fn country(cc: &str) -> (&'static str, &'static str) {
    match cc {
        "SY" => ("760", "Syria"),
        "IQ" => ("368", "Iraq"),
        "LB" => ("422", "Lebanon"),
        "JO" => ("400", "Jordan"),
        "TR" => ("792", "Turkey"),
        _ => ("0", ""),
    }
}

/// ACLED's `timestamp` (Unix seconds) of a stored time (RFC 3339; 0 when unknown).
pub fn unix_time(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(0, |t| t.timestamp())
}

/// ACLED's interaction code of two inter codes: the smaller first, then the larger (`10`: one
/// actor alone; 0: no actor known).
pub fn interaction(i1: u8, i2: u8) -> u32 {
    match (i1.min(i2), i1.max(i2)) {
        (0, 0) => 0,
        (0, x) => 10 * u32::from(x),
        (a, b) => 10 * u32::from(a) + u32::from(b),
    }
}

/// One event as an ACLED row (values in [`ACLED_COLUMNS`] order). `timestamp` is when the
/// row last changed (Unix seconds), as ACLED's is: for sitrep, when the event was stored
/// (events never change: a corrected article replaces them). ACLED's integer columns are
/// never blank, so that readers (pandas) keep them integers: `year`, `inter1`, `inter2`,
/// `interaction`, `iso` and `geo_precision` are 0 where unknown.
pub fn acled_row(e: &Event, timestamp: i64) -> Vec<String> {
    let disorder = match e.event_type.as_str() {
        "Protests" | "Riots" => "Demonstrations",
        "Strategic developments" => "Strategic developments",
        _ => "Political violence",
    };
    let inter = |a: &Option<crate::model::EventActor>| a.as_ref().map_or(0, |a| a.inter);
    let (i1, i2) = (inter(&e.actor1), inter(&e.actor2));
    let civilian = e.actor2.as_ref().is_some_and(|a| a.side == Side::Civilian) && e.event_type != "Protests";
    let (iso, country_name) = country(e.country.as_deref().unwrap_or(""));
    let opt = |x: Option<String>| x.unwrap_or_default();
    vec![
        format!("SYR{}", e.event_id),
        opt(e.event_date.map(|d| d.format("%Y-%m-%d").to_string())),
        e.event_date.map_or("0".to_string(), |d| d.format("%Y").to_string()),
        e.time_precision.to_string(),
        disorder.to_string(),
        e.event_type.to_string(),
        e.sub_event_type.to_string(),
        opt(e.actor1.as_ref().map(|a| a.name.clone())),
        String::new(),
        i1.to_string(),
        opt(e.actor2.as_ref().map(|a| a.name.clone())),
        String::new(),
        i2.to_string(),
        interaction(i1, i2).to_string(),
        if civilian { "Civilian targeting".into() } else { String::new() },
        iso.to_string(),
        if country_name.is_empty() { String::new() } else { "Middle East".into() },
        country_name.to_string(),
        opt(e.admin1.clone()),
        opt(e.admin2.clone()),
        String::new(),
        opt(e.location.clone()),
        opt(e.latitude.map(|v| format!("{v:.4}"))),
        opt(e.longitude.map(|v| format!("{v:.4}"))),
        e.geo_precision.unwrap_or(0).to_string(),
        opt(e.source.clone()),
        String::new(),
        e.notes.clone(),
        e.fatalities.to_string(),
        String::new(),
        timestamp.to_string(),
    ]
}

/// One event as a GeoJSON Feature: a point where the event is placed (no geometry where it
/// is not). Its properties are the event whole (`flat: false`: actors, evidence and the rest
/// as nested objects), or (`flat: true`, for GIS tools, which show only plain values) plain
/// strings and numbers: actors by name, side and inter code, the place and its admin areas,
/// the toll, its bound and the injured.
pub fn feature(e: &Event, flat: bool) -> Value {
    let geometry = match (e.longitude, e.latitude) {
        (Some(lon), Some(lat)) => json!({"type": "Point", "coordinates": [lon, lat]}),
        _ => Value::Null,
    };
    let properties = if flat {
        let actor = |a: &Option<crate::model::EventActor>| match a {
            Some(a) => (json!(a.name), json!(a.side), json!(a.inter)),
            None => (Value::Null, Value::Null, Value::Null),
        };
        let (a1, s1, i1) = actor(&e.actor1);
        let (a2, s2, i2) = actor(&e.actor2);
        json!({
            "event_id": e.event_id,
            "event_date": e.event_date.map(|d| d.to_string()),
            "time_precision": e.time_precision,
            "event_type": e.event_type,
            "sub_event_type": e.sub_event_type,
            "cameo": e.cameo,
            "actor1": a1, "actor1_side": s1, "inter1": i1,
            "actor2": a2, "actor2_side": s2, "inter2": i2,
            "location": e.location,
            "admin2": e.admin2,
            "admin1": e.admin1,
            "country": e.country,
            "geo_precision": e.geo_precision,
            "fatalities": e.fatalities,
            "fatalities_bound": e.fatalities_bound,
            "injured": e.injured,
            "source": e.source,
            "article_id": e.article_id,
            "confidence": e.confidence,
            "notes": e.notes,
        })
    } else {
        serde_json::to_value(e).unwrap_or(Value::Null)
    };
    json!({"type": "Feature", "id": e.event_id, "geometry": geometry, "properties": properties})
}

/// Events as a GeoJSON FeatureCollection (see [`feature`]).
pub fn geojson(events: &[Event]) -> Value {
    let features: Vec<Value> = events.iter().map(|e| feature(e, false)).collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The formats events are exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// ACLED's CSV layout.
    Acled,
    /// sitrep's flat CSV ([`CSV_COLUMNS`]).
    Csv,
    /// One event as JSON per line.
    Jsonl,
    /// A GeoJSON FeatureCollection; `flat`: plain properties.
    Geojson { flat: bool },
}

/// Writes events one at a time, so that an export of any size streams in flat memory: the
/// header (`start`), each event (`row`), the end (`finish`).
pub struct ExportWriter {
    format: ExportFormat,
    rows: u64,
}

impl ExportWriter {
    pub fn new(format: ExportFormat) -> ExportWriter {
        ExportWriter { format, rows: 0 }
    }

    /// How many events were written.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn start(&mut self, out: &mut Vec<u8>) {
        match self.format {
            ExportFormat::Acled => csv_line(out, ACLED_COLUMNS.iter().copied()),
            ExportFormat::Csv => csv_line(out, CSV_COLUMNS.iter().copied()),
            ExportFormat::Jsonl => {}
            ExportFormat::Geojson { .. } => out.extend_from_slice(b"{\"type\": \"FeatureCollection\", \"features\": [\n"),
        }
    }

    /// One event, stored at `stored_at` (RFC 3339: ACLED's `timestamp`).
    pub fn row(&mut self, out: &mut Vec<u8>, e: &Event, stored_at: &str) {
        match self.format {
            ExportFormat::Acled => csv_line(out, acled_row(e, unix_time(stored_at)).iter().map(String::as_str)),
            ExportFormat::Csv => csv_line(out, csv_row(e).iter().map(String::as_str)),
            ExportFormat::Jsonl => {
                // An Event always serializes (plain data).
                let _ = serde_json::to_writer(&mut *out, e);
                out.push(b'\n');
            }
            ExportFormat::Geojson { flat } => {
                if self.rows > 0 {
                    out.extend_from_slice(b",\n");
                }
                let _ = serde_json::to_writer(&mut *out, &feature(e, flat));
            }
        }
        self.rows += 1;
    }

    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if let ExportFormat::Geojson { .. } = self.format {
            out.extend_from_slice(b"\n]}\n");
        }
    }
}

/// One CSV record (RFC 4180 quoting: fields with a comma, quote or line break are quoted).
fn csv_line<'a>(out: &mut Vec<u8>, fields: impl Iterator<Item = &'a str>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend_from_slice(f.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(f.as_bytes());
        }
    }
    out.push(b'\n');
}

/// The columns of sitrep's flat CSV of events (`--format csv`): ACLED's field names where ACLED
/// has the field, evidence as `start-end` character ranges.
pub const CSV_COLUMNS: &[&str] = &[
    "event_id",
    "event_date",
    "weekday",
    "time_precision",
    "event_type",
    "sub_event_type",
    "cameo",
    "actor1",
    "actor2",
    "location",
    "latitude",
    "longitude",
    "country",
    "admin1",
    "admin2",
    "geo_precision",
    "fatalities",
    "fatalities_bound",
    "injured",
    "confidence",
    "article_id",
    "notes",
    "evidence",
];

/// One event as a row of [`CSV_COLUMNS`].
pub fn csv_row(e: &Event) -> Vec<String> {
    let opt = |x: Option<String>| x.unwrap_or_default();
    vec![
        e.event_id.clone(),
        opt(e.event_date.map(|d| d.to_string())),
        opt(e.weekday.clone()),
        e.time_precision.to_string(),
        e.event_type.to_string(),
        e.sub_event_type.to_string(),
        e.cameo.clone(),
        opt(e.actor1.as_ref().map(|a| a.name.clone())),
        opt(e.actor2.as_ref().map(|a| a.name.clone())),
        opt(e.location.clone()),
        opt(e.latitude.map(|v| v.to_string())),
        opt(e.longitude.map(|v| v.to_string())),
        opt(e.country.clone()),
        opt(e.admin1.clone()),
        opt(e.admin2.clone()),
        opt(e.geo_precision.map(|v| v.to_string())),
        e.fatalities.to_string(),
        e.fatalities_bound.to_string(),
        opt(e.injured.map(|v| v.to_string())),
        format!("{:.2}", e.confidence),
        e.article_id.clone(),
        e.notes.clone(),
        e.evidence.iter().map(|x| format!("{}-{}", x.start, x.end)).collect::<Vec<_>>().join(";"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_codes_are_whole_numbers() {
        assert_eq!(interaction(0, 0), 0);
        assert_eq!(interaction(1, 0), 10);
        assert_eq!(interaction(0, 3), 30);
        assert_eq!(interaction(3, 1), 13);
        assert_eq!(unix_time("2016-05-03T00:00:00.000Z"), 1_462_233_600);
        assert_eq!(unix_time(""), 0);
    }

    #[test]
    fn csv_lines_quote_what_needs_it() {
        let mut out = Vec::new();
        csv_line(&mut out, ["a", "b,c", "say \"x\"", "l1\nl2"].into_iter());
        assert_eq!(String::from_utf8(out).unwrap(), "a,\"b,c\",\"say \"\"x\"\"\",\"l1\nl2\"\n");
    }
}
