//! The page and its assets, embedded in the binary from `web/` (Leaflet and its marker
//! cluster plugin vendored under `web/vendor/` with their licences; the basemap is
//! `web/basemap.geojson`, built by `tools/basemap/build.mjs`).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "web/"]
struct Web;

/// The asset at `path` ("" is the page), or None.
pub fn asset(path: &str) -> Option<Response> {
    let path = if path.is_empty() { "index.html" } else { path };
    let file = Web::get(path)?;
    let mime = file.metadata.mimetype().to_string();
    let cache = if path == "index.html" { "no-cache" } else { "public, max-age=3600" };
    Some(
        (StatusCode::OK, [(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cache.to_string())], file.data.into_owned())
            .into_response(),
    )
}
