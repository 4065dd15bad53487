//! Fused events: what fusion ([`crate::fuse`]) makes of the reports of one real event, and how
//! it judges each report and article. Types only: the store keeps them, the API serves them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One claim (a death toll, an actor, a date) and who makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    pub value: String,
    /// The outlets that claim it ("unknown source" when an article has none).
    pub sources: Vec<String>,
    /// The reports (event ids) that claim it.
    pub events: Vec<String>,
}

/// How far a fused event is corroborated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Corroboration {
    /// Distinct outlets reporting it.
    pub sources: usize,
    /// Distinct leanings among them (state media, opposition, wires, monitors...: data/outlets.tsv).
    pub leanings: Vec<String>,
    /// Share of claims (toll, actors, date) on which the reports agree, 0 to 1.
    pub agreement: f32,
    /// 0 to 1: more independent, more diverse, more agreeing sources score higher.
    pub score: f32,
    pub reason: String,
}

/// A fused event: one real event and every report of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FusedEvent {
    pub id: String,
    /// The reports, by event id, sorted.
    pub events: Vec<String>,
    pub articles: Vec<String>,
    pub sources: Vec<String>,
    pub event_date: Option<NaiveDate>,
    pub event_type: crate::model::EventType,
    pub sub_event_type: crate::model::SubEventType,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub location: Option<String>,
    pub admin1: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geo_precision: Option<u8>,
    /// ACLED's rule: the most conservative figure of the reports.
    pub fatalities: u32,
    /// The lowest and highest figures claimed.
    pub fatalities_range: (u32, u32),
    pub territory_change: bool,
    /// Claims side by side where reports say different things (and where they agree).
    pub claims: BTreeMap<String, Vec<Claim>>,
    pub corroboration: Corroboration,
}

/// What [`crate::fuse::neighbourhood`] asks the store for: events dated within `dated` (inclusive), and
/// undated events of articles published within `undated_published` (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup {
    pub dated: (NaiveDate, NaiveDate),
    pub undated_published: (NaiveDate, NaiveDate),
}

/// How an article's events fare against the other reports of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleCredibility {
    pub article_id: String,
    pub corroborated: usize,
    pub uncorroborated: usize,
    pub contradicted: usize,
    /// 0 to 1.
    pub score: f32,
    pub reason: String,
}

/// How one report fares against the other outlets' reports of the same event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Another outlet reports the event, and their tolls and actors agree.
    Corroborated = 0,
    /// No other outlet reports it.
    Uncorroborated = 1,
    /// Another outlet's toll or actors differ.
    Contradicted = 2,
}

impl Verdict {
    pub fn from_code(code: i64) -> Option<Verdict> {
        [Verdict::Corroborated, Verdict::Uncorroborated, Verdict::Contradicted].into_iter().find(|v| *v as i64 == code)
    }
}
