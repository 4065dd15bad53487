//! Exports of events: ACLED's CSV layout (so that ACLED users' scripts read it unchanged) and
//! GeoJSON (a FeatureCollection of points, every field a property).

use crate::model::Event;
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

/// ISO 3166 numeric codes and names of the countries the gazetteer covers.
fn country(cc: &str) -> (&'static str, &'static str) {
    match cc {
        "SY" => ("760", "Syria"),
        "IQ" => ("368", "Iraq"),
        "LB" => ("422", "Lebanon"),
        "JO" => ("400", "Jordan"),
        "TR" => ("792", "Turkey"),
        _ => ("", ""),
    }
}

/// One event as an ACLED row (values in [`ACLED_COLUMNS`] order). `timestamp` is the export
/// time, as ACLED's is the time of the row's last change.
pub fn acled_row(e: &Event, timestamp: i64) -> Vec<String> {
    let disorder = match e.event_type.as_str() {
        "Protests" | "Riots" => "Demonstrations",
        "Strategic developments" => "Strategic developments",
        _ => "Political violence",
    };
    let inter = |a: &Option<crate::model::EventActor>| a.as_ref().map_or(0, |a| a.inter);
    let (i1, i2) = (inter(&e.actor1), inter(&e.actor2));
    let interaction =
        if i1 == 0 { String::new() } else { format!("{}{}", i1.min(if i2 == 0 { i1 } else { i2 }), if i2 == 0 { 0 } else { i1.max(i2) }) };
    let civilian = e.actor2.as_ref().is_some_and(|a| a.side == "civilian") && e.event_type != "Protests";
    let (iso, country_name) = country(e.country.as_deref().unwrap_or(""));
    let opt = |x: Option<String>| x.unwrap_or_default();
    vec![
        format!("SYR{}", e.event_id),
        opt(e.event_date.map(|d| d.format("%Y-%m-%d").to_string())),
        opt(e.event_date.map(|d| d.format("%Y").to_string())),
        e.time_precision.to_string(),
        disorder.to_string(),
        e.event_type.clone(),
        e.sub_event_type.clone(),
        opt(e.actor1.as_ref().map(|a| a.name.clone())),
        String::new(),
        if i1 == 0 { String::new() } else { i1.to_string() },
        opt(e.actor2.as_ref().map(|a| a.name.clone())),
        String::new(),
        if i2 == 0 { String::new() } else { i2.to_string() },
        interaction,
        if civilian { "Civilian targeting".into() } else { String::new() },
        iso.to_string(),
        if iso.is_empty() { String::new() } else { "Middle East".into() },
        country_name.to_string(),
        opt(e.admin1.clone()),
        opt(e.admin2.clone()),
        String::new(),
        opt(e.location.clone()),
        opt(e.latitude.map(|v| format!("{v:.4}"))),
        opt(e.longitude.map(|v| format!("{v:.4}"))),
        opt(e.geo_precision.map(|v| v.to_string())),
        opt(e.source.clone()),
        String::new(),
        e.notes.clone(),
        e.fatalities.to_string(),
        String::new(),
        timestamp.to_string(),
    ]
}

/// Events as a GeoJSON FeatureCollection: a point where the event is placed (no geometry
/// where it is not), every field of the event a property.
pub fn geojson(events: &[Event]) -> Value {
    let features: Vec<Value> = events
        .iter()
        .map(|e| {
            let geometry = match (e.longitude, e.latitude) {
                (Some(lon), Some(lat)) => json!({"type": "Point", "coordinates": [lon, lat]}),
                _ => Value::Null,
            };
            json!({"type": "Feature", "id": e.event_id, "geometry": geometry, "properties": serde_json::to_value(e).unwrap_or(Value::Null)})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
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
        e.event_type.clone(),
        e.sub_event_type.clone(),
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
        e.fatalities_bound.clone(),
        opt(e.injured.map(|v| v.to_string())),
        format!("{:.2}", e.confidence),
        e.article_id.clone(),
        e.notes.clone(),
        e.evidence.iter().map(|x| format!("{}-{}", x.start, x.end)).collect::<Vec<_>>().join(";"),
    ]
}
