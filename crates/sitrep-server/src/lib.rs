//! # sitrep-server: the HTTP JSON API and the map page
//!
//! A thin layer over [`sitrep_core::store::EventStore`]: each route parses its parameters
//! (every bad one is a 400 with a message), runs the store call on a blocking thread with a
//! pooled connection, and renders JSON (or GeoJSON, CSV, ACLED CSV). The page and its assets
//! (`web/`) are embedded in the binary; nothing is fetched from the internet.
//!
//! Routes are listed in [`ROUTES`]; `web/openapi.json` describes them and a test keeps the two
//! in step.

mod api;
mod assets;
mod params;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sitrep_core::store::{SqliteStore, StoreError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use api::router;

/// Every API route: (method, path). The OpenAPI document must list exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/events"),
    ("get", "/api/events/{id}"),
    ("get", "/api/articles/{id}"),
    ("post", "/api/articles"),
    ("get", "/api/search"),
    ("get", "/api/actors"),
    ("get", "/api/places"),
    ("get", "/api/stats"),
    ("get", "/api/fused"),
    ("get", "/api/fused/{id}"),
    ("get", "/api/changes"),
    ("get", "/api/points"),
    ("get", "/api/timeline"),
    ("get", "/api/control"),
    ("get", "/api/openapi.json"),
    ("get", "/healthz"),
];

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub addr: SocketAddr,
    /// The bearer token that `POST /api/articles` requires; without one the API is read-only.
    pub token: Option<String>,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
}

/// What every request shares: the database's path, a pool of open connections, the token.
pub struct AppState {
    db: PathBuf,
    pool: Mutex<Vec<SqliteStore>>,
    /// At most this many requests use the database at once (each with its own connection);
    /// the others wait their turn rather than open ever more connections.
    permits: tokio::sync::Semaphore,
    token: Option<String>,
    max_body: usize,
    /// Ingests run one at a time: incremental fusion reads what is stale and then writes its
    /// part, and two at once could each write a part computed without the other's reports.
    writes: Mutex<()>,
}

impl AppState {
    /// Opens the database (creating it if needed) once, to fail early on a bad file.
    pub fn new(config: &Config) -> Result<Arc<AppState>, StoreError> {
        let first = SqliteStore::open(&config.db)?;
        Ok(Arc::new(AppState {
            db: config.db.clone(),
            pool: Mutex::new(vec![first]),
            permits: tokio::sync::Semaphore::new(Self::CONNECTIONS),
            token: config.token.clone(),
            max_body: config.max_body,
            writes: Mutex::new(()),
        }))
    }

    /// Database connections (and requests at the database at once).
    const CONNECTIONS: usize = 8;

    /// Runs `f` with a store connection on a blocking thread; the connection goes back to the
    /// pool afterwards.
    async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        let _permit = self.permits.acquire().await.map_err(|_| ApiError::internal("the server is shutting down"))?;
        tokio::task::spawn_blocking(move || {
            let taken = state.pool.lock().map_err(|_| ApiError::internal("connection pool poisoned"))?.pop();
            let mut store = match taken {
                Some(s) => s,
                None => SqliteStore::open(&state.db)?,
            };
            let out = f(&mut store);
            if let Ok(mut pool) = state.pool.lock() {
                if pool.len() < Self::CONNECTIONS {
                    pool.push(store);
                }
            }
            out
        })
        .await
        .map_err(|e| ApiError::internal(format!("request task failed: {e}")))?
    }
}

/// An error answer: a status and a message, rendered as JSON `{"error": ..., "status": ...}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into() }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::BadQuery { .. } | StoreError::BadFilter(_) => ApiError::bad_request(e.to_string()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message, "status": self.status.as_u16() });
        (self.status, axum::Json(body)).into_response()
    }
}

/// Serves until `shutdown` resolves (SIGTERM or Ctrl-C from the CLI); requests in flight finish.
pub async fn serve(config: Config, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    serve_on(listener, config, shutdown).await
}

/// [`serve`] on a listener already bound (tests bind port 0 and read the port back).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = AppState::new(&config).map_err(|e| std::io::Error::other(e.to_string()))?;
    eprintln!("sitrep: serving {} on http://{}", config.db.display(), listener.local_addr()?);
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("sitrep: shutting down");
}
