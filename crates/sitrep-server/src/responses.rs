//! The bodies the routes answer, as types: the handlers serialize these, and the OpenAPI
//! document describes them from the same types (utoipa's `ToSchema`), so the two cannot drift.

use serde::Serialize;
use sitrep_core::alerts::Alert;
use sitrep_core::control::{Holding, Timeline};
use sitrep_core::credibility::{ArticleScore, EventCredibility};
use sitrep_core::fuse::{ArticleCredibility, FusedEvent};
use sitrep_core::model::{Event, Evidence, Paragraph, Published};
use sitrep_core::store::{ActorCount, Change, PlaceCount, SearchHit};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An error: its message and HTTP status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub status: u16,
}

/// A page of events.
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    /// Every matching event.
    pub total: u64,
    /// Events on this page.
    pub count: usize,
    /// The `cursor` of the next page; null on the last.
    pub next_cursor: Option<String>,
    pub events: Vec<Event>,
}

/// An article that reports an event.
#[derive(Serialize, ToSchema)]
pub struct ReportingArticle {
    pub id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    /// YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS when the page gives a time.
    #[schema(value_type = Option<String>)]
    pub published: Option<Published>,
    pub url: Option<String>,
    /// The spans of the article that state the event (this event's article only).
    pub evidence: Vec<Evidence>,
}

/// The fused event an event belongs to.
#[derive(Serialize, ToSchema)]
pub struct FusedOf {
    pub id: String,
    pub sources: Vec<String>,
    /// How many articles report it.
    pub articles: usize,
    pub credibility: EventCredibility,
}

/// One event with every article that reports it.
#[derive(Serialize, ToSchema)]
pub struct EventDetail {
    pub event: Event,
    pub articles: Vec<ReportingArticle>,
    /// Null before fusion.
    pub fused: Option<FusedOf>,
}

/// An article's metadata.
#[derive(Serialize, ToSchema)]
pub struct ArticleHead {
    pub id: String,
    /// The input it was read from.
    pub input: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    /// YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS when the page gives a time.
    #[schema(value_type = Option<String>)]
    pub published: Option<Published>,
    pub url: Option<String>,
}

/// An evidence span to mark in the text (character and byte offsets into `text`).
#[derive(Serialize, ToSchema)]
pub struct Mark {
    pub event_id: String,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// An article: its text, clean paragraphs, events, and the evidence spans to mark.
#[derive(Serialize, ToSchema)]
pub struct ArticleDetail {
    pub article: ArticleHead,
    /// The corrected version that replaced it, if one did.
    pub superseded_by: Option<String>,
    /// How its claims fare against other outlets (null before fusion).
    pub credibility: Option<ArticleCredibility>,
    /// The article credibility model's probability, its terms and reasons.
    pub credibility_model: ArticleScore,
    pub text: String,
    pub paragraphs: Vec<Paragraph>,
    pub events: Vec<Event>,
    pub marks: Vec<Mark>,
}

/// Search hits, best first.
#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    pub count: usize,
    pub hits: Vec<SearchHit>,
}

#[derive(Serialize, ToSchema)]
pub struct ActorsAnswer {
    pub actors: Vec<ActorCount>,
}

#[derive(Serialize, ToSchema)]
pub struct PlacesAnswer {
    pub places: Vec<PlaceCount>,
}

/// A fused event with its credibility: its reports' article scores combined with its
/// corroboration, and the reasons.
#[derive(Serialize, ToSchema)]
pub struct FusedWithCredibility {
    #[serde(flatten)]
    pub fused: FusedEvent,
    pub credibility: EventCredibility,
}

/// A page of fused events, most reported first.
#[derive(Serialize, ToSchema)]
pub struct FusedPage {
    pub count: usize,
    /// The `cursor` of the next page; null on the last.
    pub next_cursor: Option<String>,
    pub fused: Vec<FusedWithCredibility>,
}

/// A page of the change feed, oldest first.
#[derive(Serialize, ToSchema)]
pub struct ChangesPage {
    pub count: usize,
    /// The `seq` of the last change returned: the next call's `cursor`.
    pub next_cursor: String,
    /// Whether the page was full (ask again until false).
    pub more: bool,
    pub changes: Vec<Change>,
}

/// Control timelines, or (with `date`) who held each place on that date.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ControlAnswer {
    Held {
        #[schema(value_type = String, format = Date)]
        date: chrono::NaiveDate,
        held: Vec<Holding>,
    },
    Timelines {
        timelines: Vec<Timeline>,
    },
}

/// One point the map draws: [event id, latitude, longitude, index into `types`, index into
/// `sub_types`, date (YYYY-MM-DD or null), place (or null), fatalities].
pub type PointRow = (String, f64, f64, usize, usize, Option<String>, Option<String>, u32);

/// What the map draws.
#[derive(Serialize, ToSchema)]
pub struct PointsAnswer {
    /// Every matching event, placed or not.
    pub total: u64,
    pub count: usize,
    /// More placed events matched than `limit`.
    pub truncated: bool,
    pub types: Vec<String>,
    pub sub_types: Vec<String>,
    #[schema(value_type = Vec<(String, f64, f64, usize, usize, Option<String>, Option<String>, u32)>)]
    pub points: Vec<PointRow>,
    /// When the last article was stored (UTC, RFC 3339): the next call's `new_since`.
    pub newest: Option<String>,
    /// The indexes into `points` of the points whose article was stored after `new_since`.
    pub new: Vec<usize>,
}

/// Dated events per day.
#[derive(Serialize, ToSchema)]
pub struct TimelineAnswer {
    /// Dated events matching the filters.
    pub dated: u64,
    /// [YYYY-MM-DD, events], by day.
    pub days: Vec<(String, u64)>,
}

/// Liveness, with the store's counts.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// "ok".
    pub status: String,
    pub articles: u64,
    pub events: u64,
}

/// A saved alert (its secret never), with its deliveries by status.
#[derive(Serialize, ToSchema)]
pub struct AlertOut {
    #[serde(flatten)]
    pub alert: Alert,
    /// Deliveries by status (pending, delivered, failed...).
    pub deliveries: BTreeMap<String, u64>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertList {
    pub alerts: Vec<AlertOut>,
}

/// A saved alert with its signature secret (answered once, when it is saved).
#[derive(Serialize, ToSchema)]
pub struct AlertCreated {
    #[serde(flatten)]
    pub alert: AlertOut,
    /// The HMAC key of X-Sitrep-Signature.
    pub secret: String,
}

/// What an ingest stored (and `fusion`, when fusing after it was deferred).
#[derive(Serialize, ToSchema)]
pub struct IngestAnswer {
    #[serde(flatten)]
    pub summary: sitrep_core::ingest::Summary,
    /// Set when the fusion after the ingest failed and was deferred to the next ingest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fusion: Option<String>,
}

/// An ingest that failed part-way: the error, and what was stored before it.
#[derive(Serialize, ToSchema)]
pub struct IngestFailure {
    pub error: String,
    pub status: u16,
    pub stored: sitrep_core::ingest::Summary,
}
