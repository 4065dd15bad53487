//! The OpenAPI document, generated from the routes' types: each handler's `#[utoipa::path]`
//! (its method, path and responses), the parameter structs of [`crate::params`] and
//! [`sitrep_core::query::EventQuery`] (`IntoParams`), and the bodies of [`crate::responses`] and
//! of sitrep-core (`ToSchema`, sitrep-core's feature `openapi`). Served at `/api/openapi.json`;
//! a test keeps its paths and methods equal to [`crate::ROUTES`].

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sitrep API",
        description = "Conflict events extracted from war reporting: query, search, ingest. Errors are JSON {error, status}; a query parameter the route does not take, or one given twice, is a 400 naming it."
    ),
    paths(
        crate::api::events,
        crate::api::event,
        crate::api::article,
        crate::api::post_articles,
        crate::api::search,
        crate::api::actors,
        crate::api::places,
        crate::api::stats,
        crate::api::fused_list,
        crate::api::fused_one,
        crate::api::changes,
        crate::api::points,
        crate::api::timeline,
        crate::api::control,
        crate::api::alerts_list,
        crate::api::alerts_add,
        crate::api::alerts_remove,
        crate::api::openapi,
        crate::api::healthz,
    ),
    modifiers(&Bearer)
)]
struct ApiDoc;

/// The bearer token scheme of the routes that write.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The document as JSON, made once.
pub fn document_json() -> String {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| document().to_pretty_json().expect("the OpenAPI document serializes")).clone()
}

/// An OpenAPI 3.1 document (this one).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
pub struct Document {
    /// "3.1.0".
    openapi: String,
    #[schema(value_type = Object)]
    info: (),
    /// Each path's operations.
    #[schema(value_type = Object)]
    paths: (),
    #[schema(value_type = Object)]
    components: (),
}

/// A GeoJSON FeatureCollection of event points (`format=geojson`): each feature's properties are
/// the event (or, with `flat=true`, its plain values).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
pub struct FeatureCollection {
    /// "FeatureCollection".
    #[serde(rename = "type")]
    kind: String,
    features: Vec<Feature>,
}

/// One event as a GeoJSON feature.
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
pub struct Feature {
    /// "Feature".
    #[serde(rename = "type")]
    kind: String,
    /// A GeoJSON Point, or null for an event without a place.
    #[schema(value_type = Option<Object>)]
    geometry: Option<()>,
    /// The event's fields.
    #[schema(value_type = Object)]
    properties: (),
}

/// An article as JSON (the field names `sitrep read` knows: title/headline, text/content/body,
/// html, url, source, date/published, author), or an array of them.
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum ArticlesIn {
    One(ArticleIn),
    Many(Vec<ArticleIn>),
}

/// An incoming article (any of the field names `sitrep read` knows; these are the main ones).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ArticleIn {
    title: Option<String>,
    text: Option<String>,
    html: Option<String>,
    url: Option<String>,
    source: Option<String>,
    /// YYYY-MM-DD or an RFC 3339 time.
    date: Option<String>,
    author: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// The values of the first `enum` in a schema, however it is nested (an optional one is a
    /// `oneOf` with null).
    fn enum_in(v: &Value) -> Option<Vec<String>> {
        if let Some(e) = v.get("enum").and_then(Value::as_array) {
            return Some(e.iter().filter_map(|x| x.as_str().map(String::from)).collect());
        }
        match v {
            Value::Object(o) => o.values().find_map(enum_in),
            Value::Array(a) => a.iter().find_map(enum_in),
            _ => None,
        }
    }

    #[test]
    fn the_documented_values_are_what_the_parsers_take() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let params = doc["paths"]["/api/events"]["get"]["parameters"].as_array().unwrap();
        let param = |name: &str| params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("no parameter {name}"));
        let sorts = enum_in(param("sort")).unwrap();
        assert_eq!(sorts, sitrep_core::store::Sort::NAMES);
        assert!(sorts.iter().all(|s| s.parse::<sitrep_core::store::Sort>().is_ok()));
        let formats = enum_in(param("format")).unwrap();
        assert_eq!(formats, ["json", "geojson", "csv", "acled", "jsonl"]);
        assert!(formats.iter().all(|f| f.parse::<crate::params::EventsFormat>().is_ok()));
        // Every filter is documented with a description (from EventQuery's doc comments).
        for name in crate::params::names::<sitrep_core::query::EventQuery>() {
            assert!(param(name)["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}");
        }
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }
}
