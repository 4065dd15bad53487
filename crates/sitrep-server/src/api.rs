//! The routes: each parses its parameters, calls the store, renders.

use crate::params::{self, EventsFormat, Params, EVENT_PARAMS};
use crate::{assets, ApiError, AppState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sitrep_core::store::EventStore;
use std::sync::Arc;

type Q = Query<Vec<(String, String)>>;

/// The router: API routes, the page, JSON errors for everything else.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.max_body;
    Router::new()
        .route("/api/events", get(events))
        .route("/api/events/{id}", get(event))
        .route("/api/articles", axum::routing::post(post_articles))
        .route("/api/articles/{id}", get(article))
        .route("/api/search", get(search))
        .route("/api/actors", get(actors))
        .route("/api/places", get(places))
        .route("/api/stats", get(stats))
        .route("/api/fused", get(fused_list))
        .route("/api/fused/{id}", get(fused_one))
        .route("/api/changes", get(changes))
        .route("/api/control", get(control))
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/", get(page))
        .route("/{*path}", get(static_asset))
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this route") })
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            ApiError::internal("internal error (a bug: please report it)").into_response()
        }))
        .with_state(state)
}

fn query(q: Result<Q, axum::extract::rejection::QueryRejection>, allowed: &[&str]) -> Result<Params, ApiError> {
    let Query(pairs) = q.map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
    Params::new(pairs, allowed)
}

/// `GET /api/events`: filtered, sorted, paginated events.
async fn events(State(s): State<Arc<AppState>>, q: Result<Q, axum::extract::rejection::QueryRejection>) -> Result<Response, ApiError> {
    let p = query(q, EVENT_PARAMS)?;
    let (filter, format) = params::event_filter(&p)?;
    let (events, total) = s
        .with_store(move |st| {
            let events = st.events(&filter)?;
            let total = st.count_events(&filter)?;
            Ok((events, (total, filter.offset, filter.limit)))
        })
        .await?;
    let (total, offset, _limit) = total;
    let end = offset + events.len();
    let next = (end < total as usize).then(|| params::cursor(end));
    let next_header = next.clone().unwrap_or_default();
    Ok(match format {
        EventsFormat::Json => Json(json!({ "total": total, "count": events.len(), "next_cursor": next, "events": events })).into_response(),
        EventsFormat::Geojson => {
            let mut fc = sitrep_core::export::geojson(&events);
            fc["total"] = json!(total);
            fc["next_cursor"] = json!(next);
            ([(header::CONTENT_TYPE, "application/geo+json")], Json(fc)).into_response()
        }
        EventsFormat::Csv | EventsFormat::Acled => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let now = chrono::Utc::now().timestamp();
            let res = if format == EventsFormat::Csv {
                w.write_record(sitrep_core::export::CSV_COLUMNS)
                    .and_then(|_| events.iter().try_for_each(|e| w.write_record(sitrep_core::export::csv_row(e))))
            } else {
                w.write_record(sitrep_core::export::ACLED_COLUMNS)
                    .and_then(|_| events.iter().try_for_each(|e| w.write_record(sitrep_core::export::acled_row(e, now))))
            };
            res.map_err(|e| ApiError::internal(e.to_string()))?;
            let body = w.into_inner().map_err(|e| ApiError::internal(e.to_string()))?;
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::HeaderName::from_static("x-next-cursor"), next_header),
                ],
                body,
            )
                .into_response()
        }
    })
}

/// `GET /api/events/{id}`: one event, with every article that reports it and its evidence.
async fn event(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let found = s
        .with_store(move |st| {
            let Some((e, article_ids)) = st.event(&id)? else {
                return Err(ApiError::not_found(format!("no event {id:?}")));
            };
            let mut articles = Vec::new();
            for aid in article_ids {
                if let Some(a) = st.article(&aid)? {
                    let evidence: Vec<_> = if e.article_id == aid { e.evidence.clone() } else { Vec::new() };
                    articles.push(json!({
                        "id": a.article.id,
                        "title": a.article.title,
                        "source": a.article.source,
                        "published": a.article.published,
                        "url": a.article.url,
                        "evidence": evidence,
                    }));
                }
            }
            Ok(json!({ "event": e, "articles": articles }))
        })
        .await?;
    Ok(Json(found))
}

/// `GET /api/articles/{id}`: the article's text and clean paragraphs, its events, and the
/// evidence spans to mark (offsets into `text`).
async fn article(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (found, credibility) = s
        .with_store(move |st| {
            let a = st.article(&id)?.ok_or_else(|| ApiError::not_found(format!("no article {id:?}")))?;
            let c = st.article_credibility(&id)?;
            Ok((a, c))
        })
        .await?;
    let marks: Vec<Value> = found
        .events
        .iter()
        .flat_map(|e| e.evidence.iter().map(move |span| json!({ "event_id": e.event_id, "start": span.start, "end": span.end, "byte_start": span.byte_start, "byte_end": span.byte_end })))
        .collect();
    let a = &found.article;
    Ok(Json(json!({
        "article": {
            "id": a.id, "input": a.input, "title": a.title, "source": a.source, "byline": a.byline,
            "dateline": a.dateline, "published": a.published, "url": a.url,
        },
        "superseded_by": found.superseded_by,
        "credibility": credibility,
        "text": a.text,
        "paragraphs": a.paragraphs,
        "events": found.events,
        "marks": marks,
    })))
}

/// `GET /api/search?q=...&limit=`: full-text search with snippets.
async fn search(State(s): State<Arc<AppState>>, q: Result<Q, axum::extract::rejection::QueryRejection>) -> Result<Json<Value>, ApiError> {
    let p = query(q, &["q", "limit"])?;
    let text = p.string("q").ok_or_else(|| ApiError::bad_request("parameter q is required (the search query)"))?;
    let limit = p.parse::<usize>("limit", "a whole number")?.unwrap_or(20);
    let hits = s.with_store(move |st| Ok(st.search(&text, limit)?)).await?;
    Ok(Json(json!({ "count": hits.len(), "hits": hits })))
}

async fn actors(State(s): State<Arc<AppState>>, q: Result<Q, axum::extract::rejection::QueryRejection>) -> Result<Json<Value>, ApiError> {
    query(q, &[])?;
    let actors = s.with_store(|st| Ok(st.actors()?)).await?;
    Ok(Json(json!({ "actors": actors })))
}

async fn places(State(s): State<Arc<AppState>>, q: Result<Q, axum::extract::rejection::QueryRejection>) -> Result<Json<Value>, ApiError> {
    let p = query(q, &["limit"])?;
    let limit = p.parse::<usize>("limit", "a whole number")?.unwrap_or(1000);
    let places = s.with_store(move |st| Ok(st.places(limit)?)).await?;
    Ok(Json(json!({ "places": places })))
}

async fn stats(State(s): State<Arc<AppState>>, q: Result<Q, axum::extract::rejection::QueryRejection>) -> Result<Json<Value>, ApiError> {
    query(q, &[])?;
    let st = s.with_store(|st| Ok(st.stats()?)).await?;
    Ok(Json(serde_json::to_value(st).map_err(|e| ApiError::internal(e.to_string()))?))
}

/// `GET /api/fused`: fused events (one per real event, with every report and claim), most
/// reported first.
async fn fused_list(
    State(s): State<Arc<AppState>>,
    q: Result<Q, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let p = query(q, &["min_sources", "limit", "cursor"])?;
    let min_sources = p.parse::<usize>("min_sources", "a whole number")?.unwrap_or(1);
    let limit = p.parse::<usize>("limit", "a whole number")?.unwrap_or(params::DEFAULT_LIMIT);
    let offset = match p.get("cursor") {
        None => 0,
        Some(c) => params::parse_cursor(c)?,
    };
    let fused = s.with_store(move |st| Ok(st.fused_events(min_sources, limit, offset)?)).await?;
    let next = (fused.len() == limit).then(|| params::cursor(offset + limit));
    Ok(Json(json!({ "count": fused.len(), "next_cursor": next, "fused": fused })))
}

async fn fused_one(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let f = s.with_store(move |st| st.fused_event(&id)?.ok_or_else(|| ApiError::not_found(format!("no fused event {id:?}")))).await?;
    Ok(Json(json!(f)))
}

/// `GET /api/changes?since=T`: the change feed of fused events.
async fn changes(State(s): State<Arc<AppState>>, q: Result<Q, axum::extract::rejection::QueryRejection>) -> Result<Json<Value>, ApiError> {
    let p = query(q, &["since", "limit"])?;
    let since = p.string("since").ok_or_else(|| ApiError::bad_request("parameter since is required (a date or an RFC 3339 time)"))?;
    let limit = p.parse::<usize>("limit", "a whole number")?.unwrap_or(1000);
    let changes = s.with_store(move |st| Ok(st.changes_since(&since, limit)?)).await?;
    Ok(Json(json!({ "count": changes.len(), "changes": changes })))
}

/// `GET /api/control?place=&date=&admin1=`: control timelines, or who held what on a date.
async fn control(State(s): State<Arc<AppState>>, q: Result<Q, axum::extract::rejection::QueryRejection>) -> Result<Json<Value>, ApiError> {
    let p = query(q, &["place", "date", "admin1"])?;
    let date = p.date("date")?;
    let (place, admin1) = (p.string("place"), p.string("admin1"));
    let timelines = s.with_store(move |st| Ok(sitrep_core::store::control_timelines(st, place, admin1)?)).await?;
    Ok(Json(match date {
        Some(d) => {
            let held = sitrep_core::control::holders_on(&timelines, d);
            json!({ "date": d, "held": held })
        }
        None => json!({ "timelines": timelines }),
    }))
}

async fn healthz(State(s): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let (articles, events) = s.with_store(|st| Ok(st.counts()?)).await?;
    Ok(Json(json!({ "status": "ok", "articles": articles, "events": events })))
}

async fn openapi() -> Response {
    match assets::openapi() {
        Some(doc) => ([(header::CONTENT_TYPE, "application/json")], doc).into_response(),
        None => ApiError::internal("the OpenAPI document is missing from this build").into_response(),
    }
}

/// `POST /api/articles`: ingest the body (a JSON article or array, JSON Lines, CSV, HTML or
/// plain text, by Content-Type), behind the bearer token.
async fn post_articles(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Some(token) = s.token.clone() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server is read-only (start it with --token or SITREP_TOKEN to accept articles)",
        ));
    };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|g| constant_time_eq(g.trim().as_bytes(), token.as_bytes())) {
        let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong bearer token (Authorization: Bearer ...)").into_response();
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return Ok(r);
    }
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("request body over the limit of {} bytes", s.max_body))
        }
        status => ApiError::new(status, e.body_text()),
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("empty body: send articles as JSON, JSON Lines, CSV, HTML or text"));
    }
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json").to_ascii_lowercase();
    let name = match ctype.split(';').next().unwrap_or("").trim() {
        "application/json" => "request.json",
        "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" => "request.jsonl",
        "text/csv" => "request.csv",
        "text/html" => "request.html",
        "text/plain" => "request.txt",
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("content type {other:?}: send application/json, application/x-ndjson, text/csv, text/html or text/plain"),
            ))
        }
    };
    let state = s.clone();
    let summary = s
        .with_store(move |st| {
            let _one_at_a_time = state.writes.lock().map_err(|_| ApiError::internal("write lock poisoned"))?;
            let mut ing = sitrep_core::ingest::Ingester::new(st, 500);
            let mut stop = None;
            sitrep_core::read::read_bytes(name, &body, &sitrep_core::read::ReadOptions::default(), &mut |r| match r {
                Ok(a) if stop.is_none() => {
                    if let Err(e) = ing.push(a) {
                        stop = Some(e);
                    }
                }
                Ok(_) => {}
                Err(e) => ing.failed(e.input.clone(), e.kind.to_string()),
            });
            if let Some(e) = stop {
                return Err(e.into());
            }
            let summary = ing.finish()?;
            if summary.new + summary.replaced > 0 {
                sitrep_core::store::refuse_changed(st)?;
            }
            Ok(summary)
        })
        .await?;
    if summary.read == 0 {
        return Err(ApiError::bad_request(format!(
            "no article in the body: {}",
            summary.failed.iter().map(|f| f.reason.as_str()).collect::<Vec<_>>().join("; ")
        )));
    }
    let status = if summary.new + summary.replaced > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!(summary))).into_response())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn page() -> Response {
    assets::asset("").unwrap_or_else(|| ApiError::not_found("no page in this build").into_response())
}

async fn static_asset(Path(path): Path<String>) -> Response {
    if path.starts_with("api/") {
        return ApiError::not_found("no such route").into_response();
    }
    assets::asset(&path).unwrap_or_else(|| ApiError::not_found(format!("no such file: /{path}")).into_response())
}
