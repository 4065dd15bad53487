//! What following sources keeps: feeds followed ([`crate::feeds`]) and saved alerts with their
//! delivery log ([`crate::alerts`]). Types only: the store keeps them.

use serde::{Deserialize, Serialize};

/// A feed followed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Feed {
    pub id: i64,
    pub url: String,
    pub name: Option<String>,
    pub added_at: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_polled: Option<String>,
    pub last_ok: Option<String>,
    /// Failures in a row (0 after a success).
    pub failures: u32,
    pub last_error: Option<String>,
    /// When a failing feed is tried again (None: at the next poll).
    pub next_try: Option<String>,
    /// Items stored from it so far.
    pub items: u64,
}

impl Feed {
    /// The name, else the URL.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.url)
    }
}

/// A point and a radius.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Near {
    /// The place as the user named it.
    pub place: String,
    pub latitude: f64,
    pub longitude: f64,
    pub km: f64,
}

/// What a fused event must be for an alert to fire. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertQuery {
    /// min_lon, min_lat, max_lon, max_lat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near: Option<Near>,
    /// An actor by any of its names (actor1 or actor2, or any report's claim of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// An ACLED event type or sub-event type.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_fatalities: Option<u32>,
    /// Distinct outlets reporting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sources: Option<usize>,
}

/// Where an alert's matches go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sink {
    Webhook {
        url: String,
    },
    /// One JSON object a line, appended.
    File {
        path: String,
    },
}

impl std::fmt::Display for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sink::Webhook { url } => write!(f, "webhook {url}"),
            Sink::File { path } => write!(f, "file {path}"),
        }
    }
}

/// A saved alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub name: String,
    pub query: AlertQuery,
    pub sink: Sink,
    /// The HMAC key of webhook signatures.
    #[serde(skip_serializing)]
    pub secret: String,
    /// Changes up to this `seq` happened before the alert was saved.
    pub after_seq: i64,
    pub created_at: String,
}

/// One row of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub alert: String,
    pub fused_id: String,
    /// created | updated
    pub kind: super::ChangeKind,
    #[serde(skip_serializing)]
    pub payload: String,
    /// pending | delivered | failed
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_try: String,
    pub created_at: String,
    pub delivered_at: Option<String>,
}
