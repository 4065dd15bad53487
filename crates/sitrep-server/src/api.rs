//! The routes: each parses its parameters, calls the store, renders.

use crate::params::{self, ControlParams, EventsFormat, NoParams, StrictQuery};
use crate::responses::*;
use crate::{assets, ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sitrep_core::query::EventQuery;
use sitrep_core::store::Store;
use std::sync::Arc;

/// The router: API routes, the page, JSON errors for everything else.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.max_body;
    let limits = state.limits.clone();
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
        .route("/api/points", get(points))
        .route("/api/timeline", get(timeline))
        .route("/api/control", get(control))
        .route("/api/alerts", get(alerts_list).post(alerts_add))
        .route("/api/alerts/{name}", axum::routing::delete(alerts_remove))
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/", get(page))
        .route("/{*path}", get(static_asset))
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this route") })
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(DefaultBodyLimit::max(max_body))
        // A body that pauses too long, or takes too long in all, ends the request (408).
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(limits.body_idle_timeout))
        .layer(tower_http::timeout::RequestBodyDeadlineLayer::new(limits.body_deadline))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            ApiError::internal("internal error (a bug: please report it)").into_response()
        }))
        .with_state(state)
}

/// `GET /api/events`: filtered, sorted, paginated events (JSON); or every matching event
/// (or `limit` of them), streamed as GeoJSON, CSV, ACLED CSV or JSON Lines.
#[utoipa::path(get, path = "/api/events", tag = "events",
    summary = "Events by filter, sorted: a JSON page by cursor, or every match streamed as GeoJSON, CSV, ACLED CSV or JSON Lines",
    description = "JSON (the default): a page of `limit` events and `next_cursor`. Any other `format`: every matching event (or `limit` of them) streamed, with the headers X-Total-Count and X-Next-Cursor. Cursors are keyset positions (the sort key of the last event returned, opaque): the next page starts right after that event in the same sort, and events stored meanwhile that sort before it do not shift it. A cursor only continues the sort it was made under; a damaged or forged one, or an older server's offset cursor, is a 400.",
    params(EventQuery, params::EventsPage),
    responses(
        (status = 200, description = "A page of events (format=json), or the export",
            headers(("X-Total-Count" = u64, description = "Exports: every matching event"), ("X-Next-Cursor" = String, description = "Exports cut short by `limit`: the keyset cursor of the last row written, for `cursor` with the same sort (empty at the end)")),
            content((EventPage = "application/json"), (crate::openapi::FeatureCollection = "application/geo+json"), (String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 400, description = "A bad parameter, named in the message", body = ErrorBody), (status = 503, description = "The query was stopped (over its time budget, the server stopping) or the database is busy", body = ErrorBody)
    ))]
async fn events(
    State(s): State<Arc<AppState>>,
    StrictQuery(q, page): StrictQuery<EventQuery, params::EventsPage>,
) -> Result<Response, ApiError> {
    let req = params::event_filter(q, page)?;
    if req.format != EventsFormat::Json {
        return export(s, req).await;
    }
    let mut filter = req.filter;
    let (sort, limit) = (filter.sort, filter.limit);
    // One row past the page: whether there is a next page, without counting positions.
    filter.limit = limit + 1;
    let (mut rows, total) = s
        .with_store(move |st| {
            let rows = st.events_keyed(&filter)?;
            let total = st.count_events(&filter)?;
            Ok((rows, total))
        })
        .await
        .map_err(|e| e.for_param("text"))?;
    let next = (rows.len() > limit).then(|| {
        rows.truncate(limit);
        params::EventCursor::new(sort, rows[limit - 1].1.clone()).to_string()
    });
    let events: Vec<_> = rows.into_iter().map(|(e, _)| e).collect();
    Ok(Json(EventPage { total, count: events.len(), next_cursor: next, events }).into_response())
}

/// The body of a streamed export: chunks from the blocking thread that reads the store.
struct Chunks(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// Streams every matching event (or `limit`): the filter is checked (and the match counted,
/// for `X-Total-Count`) first, so that a bad one is a 400; then rows go out as they are read,
/// in flat memory at any size. `X-Next-Cursor` is the keyset cursor of the last row written
/// when a limit cut the export short (read before the rows: a row stored in between can make
/// it differ from the last row sent, as with any header sent ahead of its body).
async fn export(s: Arc<AppState>, req: params::EventsRequest) -> Result<Response, ApiError> {
    use sitrep_core::export::{ExportFormat, ExportWriter};
    let params::EventsRequest { filter, format, flat, export_limit } = req;
    let checked = filter.clone();
    let (total, next) = s
        .with_store(move |st| {
            let total = st.count_events(&checked)?;
            // Cut short by a limit: the key of the last row written, when a row follows it.
            let next = match export_limit {
                Some(n) => {
                    let probe = sitrep_core::store::EventFilter { limit: 2, offset: n - 1, ..checked };
                    let rows = st.events_keyed(&probe)?;
                    (rows.len() == 2).then(|| params::EventCursor::new(probe.sort, rows[0].1.clone()).to_string())
                }
                None => None,
            };
            Ok((total, next.unwrap_or_default()))
        })
        .await
        .map_err(|e| e.for_param("text"))?;
    let (ctype, export_format) = match format {
        EventsFormat::Csv => ("text/csv; charset=utf-8", ExportFormat::Csv),
        EventsFormat::Acled => ("text/csv; charset=utf-8", ExportFormat::Acled),
        EventsFormat::Jsonl => ("application/x-ndjson", ExportFormat::Jsonl),
        _ => ("application/geo+json", ExportFormat::Geojson { flat }),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let state = s.clone();
    tokio::spawn(async move {
        let failed = tx.clone();
        let result = state
            .with_stream(move |st| {
                let mut w = ExportWriter::new(export_format);
                let mut buf = Vec::with_capacity(1 << 17);
                w.start(&mut buf);
                let gone = || sitrep_core::store::StoreError::Corrupt("the client went away".into());
                st.for_each_event(&filter, export_limit, &mut |e, at| {
                    w.row(&mut buf, &e, at);
                    if buf.len() >= 1 << 16 {
                        tx.blocking_send(Ok(Bytes::from(std::mem::take(&mut buf)))).map_err(|_| gone())?;
                        buf.reserve(1 << 17);
                    }
                    Ok(())
                })?;
                w.finish(&mut buf);
                tx.blocking_send(Ok(Bytes::from(buf))).map_err(|_| gone())?;
                Ok(())
            })
            .await;
        if let Err(e) = result {
            // Mid-stream: the status is sent; an error ends the body short (the client sees a
            // broken transfer, never a silently shorter file).
            let _ = failed.send(Err(std::io::Error::other(e.message))).await;
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (header::HeaderName::from_static("x-total-count"), total.to_string()),
            (header::HeaderName::from_static("x-next-cursor"), next),
        ],
        axum::body::Body::from_stream(Chunks(rx)),
    )
        .into_response())
}

/// `GET /api/points`: what the map draws, for every placed event matching the filters (at
/// most `limit`, 200,000 by default; `total` counts every matching event, placed or not): compact rows `[id, lat, lon, type, sub-type, date,
/// place, fatalities]`, types and sub-types as indexes into `types` and `sub_types`.
#[utoipa::path(get, path = "/api/points", tag = "map",
    summary = "What the map draws: every placed event matching the filters as a compact row",
    params(EventQuery, params::PointsParams),
    responses((status = 200, description = "The points", body = PointsAnswer), (status = 400, description = "A bad parameter, named in the message", body = ErrorBody), (status = 503, description = "The query was stopped (over its time budget, the server stopping) or the database is busy", body = ErrorBody)))]
async fn points(
    State(s): State<Arc<AppState>>,
    StrictQuery(q, p): StrictQuery<EventQuery, params::PointsParams>,
) -> Result<Response, ApiError> {
    // "New since your last look": a moment the page kept (the `newest` it was last answered).
    let new_since = p.new_since.map(|m| m.0);
    let mut filter = params::filters(q)?;
    let limit = sitrep_core::query::check_limit(p.limit, params::MAX_POINTS, params::MAX_POINTS)
        .map_err(|e| ApiError::bad_request(format!("parameter {e}")))?;
    filter.limit = limit;
    let (points, total, fresh, newest) = s
        .with_store(move |st| {
            let points = st.points(&filter)?;
            let total = st.count_events(&filter)?;
            let fresh = match &new_since {
                Some(t) => st.events_stored_after(t, params::MAX_POINTS)?,
                None => Default::default(),
            };
            Ok((points, total, fresh, st.newest_stored()?))
        })
        .await
        .map_err(|e| e.for_param("text"))?;
    let mut types: Vec<String> = Vec::new();
    let mut sub_types: Vec<String> = Vec::new();
    let index = |v: &mut Vec<String>, x: &str| match v.iter().position(|y| y == x) {
        Some(i) => i,
        None => {
            v.push(x.to_string());
            v.len() - 1
        }
    };
    let rows: Vec<PointRow> = points
        .iter()
        .map(|p| {
            let t = index(&mut types, &p.event_type);
            let st = index(&mut sub_types, &p.sub_event_type);
            (p.event_id.clone(), p.latitude, p.longitude, t, st, p.event_date.clone(), p.location.clone(), p.fatalities)
        })
        .collect();
    // `total`: every matching event, placed or not; `truncated`: more placed ones than `limit`.
    let truncated = rows.len() == limit;
    // `new`: the indexes of the points whose article arrived after `new_since`.
    let new: Vec<usize> = points.iter().enumerate().filter(|(_, p)| fresh.contains(&p.event_id)).map(|(i, _)| i).collect();
    Ok(Json(PointsAnswer { total, count: rows.len(), truncated, types, sub_types, points: rows, newest, new }).into_response())
}

/// `GET /api/timeline`: dated events per day matching the filters, over the whole store.
#[utoipa::path(get, path = "/api/timeline", tag = "map",
    summary = "Dated events per day matching the filters, over the whole store",
    params(EventQuery, params::TimelineParams),
    responses((status = 200, description = "Events per day", body = TimelineAnswer), (status = 400, description = "A bad parameter, named in the message", body = ErrorBody), (status = 503, description = "The query was stopped (over its time budget, the server stopping) or the database is busy", body = ErrorBody)))]
async fn timeline(
    State(s): State<Arc<AppState>>,
    StrictQuery(q, p): StrictQuery<EventQuery, params::TimelineParams>,
) -> Result<Json<TimelineAnswer>, ApiError> {
    if p.limit.is_some() {
        return Err(ApiError::bad_request("parameter limit: the timeline counts every day"));
    }
    let filter = params::filters(q)?;
    let days = s.with_store(move |st| Ok(st.days(&filter)?)).await.map_err(|e| e.for_param("text"))?;
    let total: u64 = days.iter().map(|d| d.count).sum();
    let days = days.into_iter().map(|d| (d.key, d.count)).collect();
    Ok(Json(TimelineAnswer { dated: total, days }))
}

/// `GET /api/events/{id}`: one event, with every article that reports it and its evidence.
#[utoipa::path(get, path = "/api/events/{id}", tag = "events",
    summary = "One event with every article that reports it and its evidence spans",
    description = "`fused`: its fused event (id, sources, articles) and that event's credibility (score, reports, corroboration, reasons), or null before fusion.",
    params(("id" = String, Path, description = "An event id")),
    responses((status = 200, description = "The event and its articles", body = EventDetail), (status = 404, description = "Not found", body = ErrorBody)))]
async fn event(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<EventDetail>, ApiError> {
    let found = s
        .with_store(move |st| {
            let Some((e, article_ids)) = st.event(&id)? else {
                return Err(ApiError::not_found(format!("no event {id:?}")));
            };
            let mut articles = Vec::new();
            for aid in article_ids {
                if let Some(a) = st.article(&aid)? {
                    let evidence: Vec<_> = if e.article_id == aid { e.evidence.clone() } else { Vec::new() };
                    let a = a.article;
                    articles.push(ReportingArticle {
                        id: a.id,
                        title: a.title,
                        source: a.source,
                        published: a.published,
                        url: a.url,
                        evidence,
                    });
                }
            }
            // The fused event it belongs to, with the credibility of the whole.
            let fused = match st.fused_event_of(&id)? {
                Some(f) => {
                    let credibility = sitrep_core::credibility::fused_event_credibility(st, &f)?;
                    Some(FusedOf { articles: f.articles.len(), id: f.id, sources: f.sources, credibility })
                }
                None => None,
            };
            Ok(EventDetail { event: e, articles, fused })
        })
        .await?;
    Ok(Json(found))
}

/// `GET /api/articles/{id}`: the article's text and clean paragraphs, its events, and the
/// evidence spans to mark (offsets into `text`).
#[utoipa::path(get, path = "/api/articles/{id}", tag = "articles",
    summary = "An article: original text, clean paragraphs, its events and the evidence spans to mark",
    description = "`credibility`: how its claims fare against other outlets; `credibility_model`: the article credibility model's probability, its terms and reasons.",
    params(("id" = String, Path, description = "An article id")),
    responses((status = 200, description = "The article", body = ArticleDetail), (status = 404, description = "Not found", body = ErrorBody)))]
async fn article(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<ArticleDetail>, ApiError> {
    let (found, credibility) = s
        .with_store(move |st| {
            let a = st.article(&id)?.ok_or_else(|| ApiError::not_found(format!("no article {id:?}")))?;
            let c = st.article_credibility(&id)?;
            Ok((a, c))
        })
        .await?;
    let marks: Vec<Mark> = found
        .events
        .iter()
        .flat_map(|e| {
            e.evidence.iter().map(move |span| Mark {
                event_id: e.event_id.clone(),
                start: span.start,
                end: span.end,
                byte_start: span.byte_start,
                byte_end: span.byte_end,
            })
        })
        .collect();
    let credibility_model = sitrep_core::credibility::score_article(&found.article);
    let a = found.article;
    Ok(Json(ArticleDetail {
        article: ArticleHead {
            id: a.id,
            input: a.input,
            title: a.title,
            source: a.source,
            byline: a.byline,
            dateline: a.dateline,
            published: a.published,
            url: a.url,
        },
        superseded_by: found.superseded_by,
        credibility,
        credibility_model,
        text: a.text,
        paragraphs: a.paragraphs,
        events: found.events,
        marks,
    }))
}

/// `GET /api/search?q=...&limit=`: full-text search with snippets.
#[utoipa::path(get, path = "/api/search", tag = "articles",
    summary = "Full-text search over titles and bodies, best first, with snippets",
    params(params::SearchParams),
    responses((status = 200, description = "Hits", body = SearchAnswer), (status = 400, description = "A bad parameter, named in the message", body = ErrorBody), (status = 503, description = "The query was stopped (over its time budget, the server stopping) or the database is busy", body = ErrorBody)))]
async fn search(
    State(s): State<Arc<AppState>>,
    StrictQuery(p, _): StrictQuery<params::SearchParams>,
) -> Result<Json<SearchAnswer>, ApiError> {
    let text = p.q.ok_or_else(|| ApiError::bad_request("parameter q is required (the search query)"))?;
    let limit = p.limit.unwrap_or(20);
    sitrep_core::store::sqlite::check_search_terms(&text).map_err(|e| ApiError::from(e).for_param("q"))?;
    let hits = s.with_store(move |st| Ok(st.search(&text, limit)?)).await.map_err(|e| e.for_param("q"))?;
    Ok(Json(SearchAnswer { count: hits.len(), hits }))
}

#[utoipa::path(get, path = "/api/actors", tag = "events",
    summary = "Actors events name, with counts",
    responses((status = 200, description = "Actors", body = ActorsAnswer), (status = 400, description = "A parameter given (this route takes none)", body = ErrorBody)))]
async fn actors(State(s): State<Arc<AppState>>, _: StrictQuery<NoParams>) -> Result<Json<ActorsAnswer>, ApiError> {
    let actors = s.with_store(|st| Ok(st.actors()?)).await?;
    Ok(Json(ActorsAnswer { actors }))
}

#[utoipa::path(get, path = "/api/places", tag = "events",
    summary = "Gazetteer places events are at, with counts",
    params(params::PlacesParams),
    responses((status = 200, description = "Places, most events first", body = PlacesAnswer), (status = 400, description = "A bad parameter, named in the message", body = ErrorBody)))]
async fn places(
    State(s): State<Arc<AppState>>,
    StrictQuery(p, _): StrictQuery<params::PlacesParams>,
) -> Result<Json<PlacesAnswer>, ApiError> {
    let limit = p.limit.unwrap_or(1000);
    let places = s.with_store(move |st| Ok(st.places(limit)?)).await?;
    Ok(Json(PlacesAnswer { places }))
}

#[utoipa::path(get, path = "/api/stats", tag = "events",
    summary = "Counts by day, month, type, actor, admin area and source",
    responses((status = 200, description = "Stats", body = sitrep_core::store::Stats), (status = 400, description = "A parameter given (this route takes none)", body = ErrorBody)))]
async fn stats(State(s): State<Arc<AppState>>, _: StrictQuery<NoParams>) -> Result<Json<sitrep_core::store::Stats>, ApiError> {
    let st = s.with_store(|st| Ok(st.stats()?)).await?;
    Ok(Json(st))
}

/// `GET /api/fused`: fused events (one per real event, with every report and claim), most
/// reported first.
#[utoipa::path(get, path = "/api/fused", tag = "fused",
    summary = "Fused events: one per real event, with every report, the claims side by side, their corroboration and credibility; most reported first",
    params(params::FusedParams),
    responses((status = 200, description = "A page of fused events", body = FusedPage), (status = 400, description = "A bad parameter, named in the message", body = ErrorBody)))]
async fn fused_list(
    State(s): State<Arc<AppState>>,
    StrictQuery(p, _): StrictQuery<params::FusedParams>,
) -> Result<Json<FusedPage>, ApiError> {
    let min_sources = p.min_sources.unwrap_or(1);
    let limit = p.limit.unwrap_or(params::DEFAULT_LIMIT);
    let offset = p.cursor.map_or(0, |c| c.0);
    let fused = s
        .with_store(move |st| {
            let fused = st.fused_events(min_sources, limit, offset)?;
            fused.into_iter().map(|f| with_credibility(st, f)).collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    let next = (fused.len() == limit).then(|| params::cursor(offset + limit));
    Ok(Json(FusedPage { count: fused.len(), next_cursor: next, fused }))
}

#[utoipa::path(get, path = "/api/fused/{id}", tag = "fused",
    summary = "One fused event, with its credibility and reasons",
    params(("id" = String, Path, description = "A fused event id")),
    responses((status = 200, description = "The fused event", body = FusedWithCredibility), (status = 404, description = "Not found", body = ErrorBody)))]
async fn fused_one(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<FusedWithCredibility>, ApiError> {
    let f = s
        .with_store(move |st| {
            let f = st.fused_event(&id)?.ok_or_else(|| ApiError::not_found(format!("no fused event {id:?}")))?;
            with_credibility(st, f)
        })
        .await?;
    Ok(Json(f))
}

/// A fused event as JSON with its `credibility`: its reports' article scores combined with
/// its corroboration, and the reasons.
fn with_credibility(st: &dyn Store, fused: sitrep_core::fuse::FusedEvent) -> Result<FusedWithCredibility, ApiError> {
    let credibility = sitrep_core::credibility::fused_event_credibility(st, &fused)?;
    Ok(FusedWithCredibility { fused, credibility })
}

/// `GET /api/changes?cursor=N` (or `since=T`): the change feed of fused events, in order, a
/// page at a time. `next_cursor` is the `seq` of the last change returned: pass it back as
/// `cursor` until a page comes back empty (`more` false); no change is skipped or repeated.
#[utoipa::path(get, path = "/api/changes", tag = "fused",
    summary = "The change feed of fused events (created, updated, merged, deleted), oldest first, paged by cursor",
    params(params::ChangesParams),
    responses((status = 200, description = "A page of changes, oldest first", body = ChangesPage), (status = 400, description = "A bad parameter, named in the message", body = ErrorBody)))]
async fn changes(
    State(s): State<Arc<AppState>>,
    StrictQuery(p, _): StrictQuery<params::ChangesParams>,
) -> Result<Json<ChangesPage>, ApiError> {
    let since = p.since;
    let cursor = p.cursor.map(|c| c.0);
    if since.is_some() && cursor.is_some() {
        return Err(ApiError::bad_request("give since or cursor, not both (cursor is exact; since is for a first call)"));
    }
    let limit = p.limit.unwrap_or(1000);
    let from = cursor.unwrap_or(0);
    let changes = s
        .with_store(move |st| {
            Ok(match &since {
                Some(since) => st.changes_since(since, limit)?,
                None => st.changes_after(from, limit)?,
            })
        })
        .await?;
    let next = changes.last().map_or(from, |c| c.seq);
    Ok(Json(ChangesPage { count: changes.len(), next_cursor: next.to_string(), more: changes.len() == limit, changes }))
}

/// `GET /api/control?place=&date=&admin1=`: control timelines, or who held what on a date.
#[utoipa::path(get, path = "/api/control", tag = "events",
    summary = "Territorial control: timelines per place (contested when retaken within a day), or who held each place on a date",
    params(params::ControlParams),
    responses((status = 200, description = "Timelines, or holders on the date", body = ControlAnswer), (status = 400, description = "A bad parameter, named in the message", body = ErrorBody)))]
async fn control(
    State(s): State<Arc<AppState>>,
    StrictQuery(p, _): StrictQuery<params::ControlParams>,
) -> Result<Json<ControlAnswer>, ApiError> {
    let ControlParams { date, place, admin1 } = p;
    let timelines = s.with_store(move |st| Ok(sitrep_core::control::stored_timelines(st, place, admin1)?)).await?;
    Ok(Json(match date {
        Some(d) => {
            let held = sitrep_core::control::holders_on(&timelines, d);
            ControlAnswer::Held { date: d, held }
        }
        None => ControlAnswer::Timelines { timelines },
    }))
}

#[utoipa::path(get, path = "/healthz", tag = "server",
    summary = "Liveness, with store counts",
    responses((status = 200, description = "ok", body = Health), (status = 500, description = "The database cannot be read", body = ErrorBody)))]
async fn healthz(State(s): State<Arc<AppState>>) -> Result<Json<Health>, ApiError> {
    let (articles, events) = s.with_store(|st| Ok(st.counts()?)).await?;
    Ok(Json(Health { status: "ok".into(), articles, events }))
}

/// The OpenAPI document, generated from the routes' types.
#[utoipa::path(get, path = "/api/openapi.json", tag = "server",
    summary = "This document",
    responses((status = 200, description = "OpenAPI 3.1", body = crate::openapi::Document)))]
async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::document_json()).into_response()
}

/// `POST /api/articles`: ingest the body (a JSON article or array, JSON Lines, CSV, HTML or
/// plain text, by Content-Type), behind the bearer token.
/// The bearer token check of the routes that write: `Err` is the answer to give (403 on a
/// read-only server, 401 without the right token).
fn authorize(s: &AppState, headers: &HeaderMap, what: &str) -> Result<(), Box<Response>> {
    let Some(token) = s.token.clone() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("this server is read-only (start it with --token or SITREP_TOKEN to {what})"),
        )
        .into_response()
        .into());
    };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|g| constant_time_eq(g.trim().as_bytes(), token.as_bytes())) {
        let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong bearer token (Authorization: Bearer ...)").into_response();
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return Err(Box::new(r));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/articles", tag = "articles",
    summary = "Ingest articles (needs the bearer token; read-only servers answer 403)",
    description = "The body by Content-Type: JSON (an article or an array), JSON Lines, CSV, HTML, plain text, a WARC crawl, or any of them compressed (application/gzip, application/zstd, or Content-Encoding gzip or zstd).",
    security(("bearer" = [])),
    request_body(content(
        (crate::openapi::ArticlesIn = "application/json"), (String = "application/x-ndjson"), (String = "text/csv"), (String = "text/html"),
        (String = "text/plain"), (Vec<u8> = "application/warc"), (Vec<u8> = "application/gzip"), (Vec<u8> = "application/zstd"))),
    responses(
        (status = 201, description = "Stored: the ingest summary", body = IngestAnswer),
        (status = 200, description = "Nothing new: the ingest summary", body = IngestAnswer),
        (status = 400, description = "An empty or unreadable body", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody), (status = 403, description = "A read-only server (started without a token)", body = ErrorBody),
        (status = 408, description = "The body came too slowly", body = ErrorBody),
        (status = 413, description = "The body is over the limit", body = ErrorBody),
        (status = 415, description = "An unsupported content type or encoding", body = ErrorBody),
        (status = 503, description = "Stopped part-way (the database busy, a store error): the error and what was stored before it", body = IngestFailure),
    ))]
async fn post_articles(State(s): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Body) -> Result<Response, ApiError> {
    if let Err(answer) = authorize(&s, &headers, "accept articles") {
        return Ok(*answer);
    }
    let body = request_body(&s, &headers, body).await?;
    let name = input_name(&headers)?;
    let read_opts = sitrep_core::read::ReadOptions {
        max_file_bytes: (s.max_body as u64).saturating_mul(16),
        ..sitrep_core::read::ReadOptions::default()
    };
    let state = s.clone();
    // What was committed is always answered: a failure after some batches were stored, or in
    // the fusion after them, is never a bare 500.
    let (summary, failure, fusion) = s
        .with_writer(move |st| {
            let _one_at_a_time = state.writes.lock().map_err(|_| ApiError::internal("write lock poisoned"))?;
            let outcome = sitrep_core::ingest::run(st, &sitrep_core::ingest::Policy::default(), |ing| {
                sitrep_core::read::read_bytes(&name, &body, &read_opts, &mut |r| match r {
                    Ok(a) => {
                        ing.push(a);
                    }
                    Err(e) => ing.failed(e.input.clone(), e.kind.to_string()),
                });
            });
            let fusion = match outcome.fusion {
                Some(Err(e)) => {
                    eprintln!("sitrep: error: fusion after an ingest: {e}");
                    Some(ApiError::from(e).message)
                }
                _ => None,
            };
            let (summary, failure) = (outcome.summary, outcome.failure);
            Ok((summary, failure.map(ApiError::from), fusion))
        })
        .await?;
    ingest_answer(&s, summary, failure, fusion)
}

/// The body of a POST, read up to the size limit: the declared size checked before a byte is
/// read, a body too slow or too large refused, an empty one too.
async fn request_body(s: &AppState, headers: &HeaderMap, body: axum::body::Body) -> Result<axum::body::Bytes, ApiError> {
    // Checked before a byte of the body is read: the token (above), then the declared size.
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("request body over the limit of {} bytes", s.max_body));
    let declared = headers.get(header::CONTENT_LENGTH).map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()));
    match declared {
        Some(None) => return Err(ApiError::bad_request("bad Content-Length header")),
        Some(Some(n)) if n > s.max_body as u64 => return Err(too_large()),
        _ => {}
    }
    let body = axum::body::to_bytes(body, s.max_body).await.map_err(|e| {
        let source = std::error::Error::source(&e).map(|c| c.to_string()).unwrap_or_default();
        if source.contains("length limit") || e.to_string().contains("length limit") {
            too_large()
        } else if source.contains("timed out") || source.contains("timeout") || e.to_string().contains("timed out") {
            ApiError::new(StatusCode::REQUEST_TIMEOUT, "the request body came too slowly")
        } else {
            ApiError::bad_request(format!("reading the request body: {e}"))
        }
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("empty body: send articles as JSON, JSON Lines, CSV, HTML or text"));
    }
    Ok(body)
}

/// The name the reader is given for a POSTed body, from its content type and encoding: the
/// reader knows the format by its extension (and compression by its magic bytes).
fn input_name(headers: &HeaderMap) -> Result<String, ApiError> {
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json").to_ascii_lowercase();
    let name = match ctype.split(';').next().unwrap_or("").trim() {
        "application/json" => "request.json",
        "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" => "request.jsonl",
        "text/csv" => "request.csv",
        "text/html" => "request.html",
        "text/plain" => "request.txt",
        // A crawl, or a compressed body of any of the above (told apart by its content).
        "application/warc" => "request.warc",
        "application/gzip" | "application/x-gzip" | "application/zstd" => "request",
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("content type {other:?}: send application/json, application/x-ndjson, text/csv, text/html, text/plain, application/warc, or any of them compressed (application/gzip, application/zstd, or Content-Encoding gzip or zstd)"),
            ))
        }
    };
    // Content-Encoding gzip or zstd: decompressed by the reader (it knows them by their magic
    // bytes), up to 16 times the body limit.
    let encoded = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_ascii_lowercase());
    let name = match encoded.as_deref() {
        None | Some("identity") => name.to_string(),
        Some("gzip" | "x-gzip") => format!("{name}.gz"),
        Some("zstd") => format!("{name}.zst"),
        Some(other) => {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("content encoding {other:?}: send gzip, zstd or none")))
        }
    };
    Ok(name)
}

/// The answer to a POST of articles: what was stored (201, or 200 when nothing new), with the
/// failure that stopped it (503 when something was committed before it) or a fusion deferred.
fn ingest_answer(
    s: &Arc<AppState>,
    summary: sitrep_core::ingest::Summary,
    failure: Option<ApiError>,
    fusion: Option<String>,
) -> Result<Response, ApiError> {
    let committed = summary.new + summary.replaced;
    if let Some(e) = failure {
        // Busy for longer than the wait, or another store error: say what was stored before it.
        let status =
            if committed > 0 && e.status == StatusCode::INTERNAL_SERVER_ERROR { StatusCode::SERVICE_UNAVAILABLE } else { e.status };
        let message = format!(
            "{}; stored before it: {committed} articles ({} events); sending the same body again is safe (stored articles are skipped)",
            e.message, summary.events_added
        );
        let body = json!({ "error": message, "status": status.as_u16(), "stored": summary });
        return Ok((status, Json(body)).into_response());
    }
    if summary.read == 0 {
        return Err(ApiError::bad_request(format!(
            "no article in the body: {}",
            summary.failed.iter().map(|f| f.reason.as_str()).collect::<Vec<_>>().join("; ")
        )));
    }
    if committed > 0 {
        alert_in_background(s);
    }
    let status = if committed > 0 { StatusCode::CREATED } else { StatusCode::OK };
    let mut body = json!(summary);
    if let Some(why) = fusion {
        body["fusion"] = json!(format!("deferred ({why}): the articles are stored; the next ingest fuses them"));
    }
    Ok((status, Json(body)).into_response())
}

/// Alerts on what an ingest changed, on a thread of their own with their own connection: the
/// answer never waits for a webhook. A failed delivery stays in the log (and on stderr).
fn alert_in_background(s: &Arc<AppState>) {
    let db = s.db.clone();
    std::thread::spawn(move || {
        let run = || -> Result<sitrep_core::alerts::Delivered, sitrep_core::store::StoreError> {
            let mut store = sitrep_core::store::open(&db, sitrep_core::store::Access::ReadWrite)?;
            sitrep_core::alerts::evaluate(store.as_mut(), sitrep_core::Knowledge::builtin())?;
            sitrep_core::alerts::deliver(store.as_mut(), &Default::default(), std::time::Duration::from_secs(120))
        };
        match run() {
            Ok(d) => {
                for (alert, fused, e) in d.failed {
                    eprintln!("sitrep: error: alert {alert}: delivery of {fused} failed after its last attempt: {e}");
                }
            }
            Err(e) => eprintln!("sitrep: error: alerts after an ingest: {e}"),
        }
    });
}

/// A saved alert as the API shows it (its secret never), with its deliveries by status.
fn alert_out(a: sitrep_core::alerts::Alert, counts: &[(String, String, u64)]) -> AlertOut {
    let deliveries = counts.iter().filter(|(n, _, _)| *n == a.name).map(|(_, st, c)| (st.clone(), *c)).collect();
    AlertOut { alert: a, deliveries }
}

/// `GET /api/alerts`: the saved alerts (behind the token: they name webhook URLs).
#[utoipa::path(get, path = "/api/alerts", tag = "alerts",
    summary = "The saved alerts with their deliveries by status (bearer token)",
    security(("bearer" = [])),
    responses((status = 200, description = "The alerts", body = AlertList), (status = 401, description = "Missing or wrong bearer token", body = ErrorBody), (status = 403, description = "A read-only server (started without a token)", body = ErrorBody)))]
async fn alerts_list(State(s): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Err(answer) = authorize(&s, &headers, "manage alerts") {
        return Ok(*answer);
    }
    let body = s
        .with_store(|st| {
            let counts = st.delivery_counts()?;
            let alerts = st.alerts()?.into_iter().map(|a| alert_out(a, &counts)).collect();
            Ok(AlertList { alerts })
        })
        .await?;
    Ok(Json(body).into_response())
}

/// What `POST /api/alerts` takes. Over the API matches go to webhooks only (a file path would
/// let a client write anywhere the server may).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertIn {
    /// 1 to 100 characters.
    name: String,
    /// min_lon, min_lat, max_lon, max_lat.
    bbox: Option<[f64; 4]>,
    /// A gazetteer place; with km.
    near: Option<String>,
    /// The radius around `near`.
    km: Option<f64>,
    actor: Option<String>,
    /// An ACLED event type or sub-event type.
    #[serde(rename = "type")]
    event_type: Option<String>,
    min_fatalities: Option<u32>,
    min_sources: Option<usize>,
    /// An http(s) URL.
    webhook: String,
    /// The HMAC key; a random one is made and answered otherwise.
    secret: Option<String>,
}

/// `POST /api/alerts`: saves an alert; answers it with its signature secret.
#[utoipa::path(post, path = "/api/alerts", tag = "alerts",
    summary = "Save an alert: matches on fused events created or updated by an ingest are POSTed to the webhook, signed X-Sitrep-Signature: sha256=HMAC-SHA256(secret, body) (bearer token)",
    security(("bearer" = [])),
    request_body = AlertIn,
    responses((status = 201, description = "The alert, with its secret", body = AlertCreated), (status = 400, description = "A bad alert", body = ErrorBody), (status = 401, description = "Missing or wrong bearer token", body = ErrorBody), (status = 403, description = "A read-only server (started without a token)", body = ErrorBody)))]
async fn alerts_add(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    use sitrep_core::alerts::{AlertQuery, Near, Sink};
    if let Err(answer) = authorize(&s, &headers, "manage alerts") {
        return Ok(*answer);
    }
    let a: AlertIn = serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("bad alert: {e}")))?;
    let near = match (a.near, a.km) {
        (Some(place), Some(km)) => {
            Some(Near::resolve(&place, km, sitrep_core::geocode::Gazetteer::builtin()).map_err(|e| ApiError::bad_request(e.to_string()))?.0)
        }
        (None, None) => None,
        _ => return Err(ApiError::bad_request("near and km go together")),
    };
    let query = AlertQuery {
        bbox: a.bbox,
        near,
        actor: a.actor,
        event_type: a.event_type,
        min_fatalities: a.min_fatalities,
        min_sources: a.min_sources,
    };
    let sink = Sink::Webhook { url: a.webhook };
    let name = a.name;
    sitrep_core::alerts::check(&name, &query, &sink)?;
    let secret = a.secret.filter(|s| !s.is_empty()).unwrap_or_else(|| sitrep_core::alerts::new_secret(&name));
    let state = s.clone();
    let body = s
        .with_writer(move |st| {
            let _one_at_a_time = state.writes.lock().map_err(|_| ApiError::internal("write lock poisoned"))?;
            let alert = st.add_alert(&name, &query, &sink, &secret)?;
            Ok(AlertCreated { alert: alert_out(alert, &[]), secret })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `DELETE /api/alerts/{name}`: removes an alert (its delivery log stays).
#[utoipa::path(delete, path = "/api/alerts/{name}", tag = "alerts",
    summary = "Remove an alert; its delivery log stays (bearer token)",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The alert's name")),
    responses((status = 204, description = "Removed"), (status = 401, description = "Missing or wrong bearer token", body = ErrorBody), (status = 403, description = "A read-only server (started without a token)", body = ErrorBody), (status = 404, description = "Not found", body = ErrorBody)))]
async fn alerts_remove(State(s): State<Arc<AppState>>, headers: HeaderMap, Path(name): Path<String>) -> Result<Response, ApiError> {
    if let Err(answer) = authorize(&s, &headers, "manage alerts") {
        return Ok(*answer);
    }
    let state = s.clone();
    let n = name.clone();
    let removed = s
        .with_writer(move |st| {
            let _one_at_a_time = state.writes.lock().map_err(|_| ApiError::internal("write lock poisoned"))?;
            Ok(st.remove_alert(&n)?)
        })
        .await?;
    if !removed {
        return Err(ApiError::not_found(format!("no alert is named {name:?}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
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
