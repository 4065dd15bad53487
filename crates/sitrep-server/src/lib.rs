//! # sitrep-server: the HTTP JSON API and the map page
//!
//! A thin layer over [`sitrep_core::store::Store`]: each route parses its parameters
//! (every bad one is a 400 with a message), runs the store call on a blocking thread with a
//! pooled connection (a `Box<dyn Store>` from [`sitrep_core::store::open`]), and renders JSON
//! (or GeoJSON, CSV, ACLED CSV). The page and its assets
//! (`web/`) are embedded in the binary; nothing is fetched from the internet.
//!
//! Routes are listed in [`ROUTES`]; the OpenAPI document ([`openapi`]) is generated from the
//! routes' types, and a test keeps its paths and methods equal to [`ROUTES`].

mod api;
mod assets;
pub mod openapi;
mod params;
pub mod responses;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sitrep_core::store::{Access, Location, Store, StoreError};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    ("get", "/api/alerts"),
    ("post", "/api/alerts"),
    ("delete", "/api/alerts/{name}"),
    ("get", "/api/openapi.json"),
    ("get", "/healthz"),
];

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: Location,
    pub addr: SocketAddr,
    /// The bearer token that `POST /api/articles` requires; without one the API is read-only.
    pub token: Option<String>,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// Time limits ([`Limits::default`] unless a test needs others).
    pub limits: Limits,
}

/// What bounds a request's cost and a client's hold on the server (ARCHITECTURE.md lists them).
#[derive(Debug, Clone)]
pub struct Limits {
    /// The longest a query may run (its SQLite statements are stopped after it: a 503).
    pub query_budget: Duration,
    /// The longest a client may take to send a request's line and headers, and the longest a
    /// kept-alive connection may stay idle between requests.
    pub header_timeout: Duration,
    /// The longest a request body may pause between two pieces.
    pub body_idle_timeout: Duration,
    /// The longest a whole request body may take.
    pub body_deadline: Duration,
    /// After SIGTERM or Ctrl-C: how long requests in flight may take to finish before the
    /// server ends anyway (running queries are stopped at once).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            query_budget: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(10),
            body_deadline: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// What every request shares: the database's location, a pool of open connections (of
/// whichever backend the location names), the token.
pub struct AppState {
    db: Location,
    pool: Mutex<Vec<Box<dyn Store>>>,
    /// At most this many requests use the database at once (each with its own connection);
    /// the others wait their turn rather than open ever more connections.
    permits: tokio::sync::Semaphore,
    token: Option<String>,
    /// Connections open the file read-only (no token: nothing is written).
    read_only: bool,
    max_body: usize,
    /// Ingests run one at a time: incremental fusion reads what is stale and then writes its
    /// part, and two at once could each write a part computed without the other's reports.
    writes: Mutex<()>,
    limits: Limits,
    /// Set when the server stops: running queries end at their next check.
    stopping: Arc<AtomicBool>,
}

/// How a store call may be stopped early.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// A query: the time budget, the client leaving, the server stopping.
    Query,
    /// A stream of rows: the client leaving (the stream ends) and the server stopping, no budget.
    Stream,
    /// A write: runs to its end (what it committed is answered).
    Write,
}

/// Sets its flag when dropped: the request future was dropped (the client went away, or the
/// answer is done), so the statements it started stop.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl AppState {
    /// Opens the database (creating it if needed) once, to fail early on a bad file.
    pub fn new(config: &Config) -> Result<Arc<AppState>, StoreError> {
        // A server without a token only reads: its connections open the file read-only (a
        // read-only file or folder is served).
        let read_only = config.token.is_none();
        let first = sitrep_core::store::open(&config.db, Self::access(read_only))?;
        Ok(Arc::new(AppState {
            db: config.db.clone(),
            pool: Mutex::new(vec![first]),
            permits: tokio::sync::Semaphore::new(Self::CONNECTIONS),
            token: config.token.clone(),
            read_only,
            max_body: config.max_body,
            writes: Mutex::new(()),
            limits: config.limits.clone(),
            stopping: Arc::new(AtomicBool::new(false)),
        }))
    }

    fn access(read_only: bool) -> Access {
        if read_only {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        }
    }

    /// Database connections (and requests at the database at once).
    const CONNECTIONS: usize = 8;

    /// Runs `f` with a store connection on a blocking thread, within the query budget; the
    /// connection goes back to the pool afterwards.
    async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.run_store(Bound::Query, f).await
    }

    /// [`Self::with_store`] for a write: no budget, not stopped when the client goes.
    async fn with_writer<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.run_store(Bound::Write, f).await
    }

    /// [`Self::with_store`] for a stream of rows: no budget, stopped when the server stops.
    async fn with_stream<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.run_store(Bound::Stream, f).await
    }

    async fn run_store<T: Send + 'static>(
        self: &Arc<Self>,
        bound: Bound,
        f: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let _permit = self.permits.acquire().await.map_err(|_| ApiError::unavailable("the server is shutting down"))?;
        if bound != Bound::Write && self.stopping.load(Ordering::Relaxed) {
            return Err(ApiError::unavailable("the server is shutting down"));
        }
        tokio::task::spawn_blocking(move || {
            let taken = state.pool.lock().map_err(|_| ApiError::internal("connection pool poisoned"))?.pop();
            let mut store = match taken {
                Some(s) => s,
                None => sitrep_core::store::open(&state.db, Self::access(state.read_only))?,
            };
            match bound {
                Bound::Query => {
                    store.set_budget(Some(std::time::Instant::now() + state.limits.query_budget), vec![cancel, state.stopping.clone()])
                }
                Bound::Stream => store.set_budget(None, vec![state.stopping.clone()]),
                Bound::Write => store.set_budget(None, vec![]),
            }
            let out = f(store.as_mut()).map_err(|e| e.with_budget(state.limits.query_budget));
            store.set_budget(None, vec![]);
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
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// A bad search query is the fault of one parameter: name it ("parameter text: ...").
    pub fn for_param(mut self, name: &str) -> Self {
        if self.status == StatusCode::BAD_REQUEST && self.message.starts_with("bad search query") {
            self.message = format!("parameter {name}: {}", self.message);
        }
        self
    }

    /// A stopped query's answer says what the budget is.
    fn with_budget(mut self, budget: Duration) -> Self {
        if self.status == StatusCode::SERVICE_UNAVAILABLE && self.message.contains("time budget") {
            self.message =
                format!("{} of {} s per query: narrow the query down (fewer terms, a filter)", self.message, budget.as_secs_f64());
        }
        self
    }
}

/// Store errors as HTTP answers. Clients never see a file path: the server's log (stderr) has
/// the whole error.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::BadQuery { .. } | StoreError::BadFilter(_) | StoreError::Invalid(_) => ApiError::bad_request(e.to_string()),
            StoreError::Interrupted(why) => ApiError::unavailable(format!("the query was stopped: {why}")),
            StoreError::Sqlite { source, .. } if sitrep_core::store::sqlite::is_busy_error(&source) => {
                ApiError::unavailable("the database is busy with another writer for longer than the wait: try again")
            }
            other => {
                eprintln!("sitrep: error: {other}");
                let message = match &other {
                    StoreError::Sqlite { source, .. } => format!("database error: {source}"),
                    StoreError::TooNew { found, .. } => format!("the database is schema version {found}, newer than this server"),
                    StoreError::TooOld { found, .. } => {
                        format!("the database is schema version {found}, older than this server reads without upgrading it")
                    }
                    StoreError::NotADatabase { reason, .. } => format!("the server's file is not a sitrep database ({reason})"),
                    other => other.to_string(),
                };
                ApiError::internal(message)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = responses::ErrorBody { error: self.message, status: self.status.as_u16() };
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
    eprintln!("sitrep: serving {} on http://{}", config.db, listener.local_addr()?);
    let limits = config.limits.clone();
    let app = router(state.clone());
    // The shutdown signal, seen by the accept loop and every connection.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopping = state.stopping.clone();
    tokio::spawn(async move {
        shutdown.await;
        // Running queries end at their next check; new ones are refused.
        stopping.store(true, Ordering::Relaxed);
        let _ = stop_tx.send(true);
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    // The header timeout also closes a kept-alive connection idle for as long (hyper starts it
    // whenever it waits for a request head).
    http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let mut connections = tokio::task::JoinSet::new();
    let mut stop = stop_rx.clone();
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    eprintln!("sitrep: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        while connections.try_join_next().is_some() {}
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped(&mut stop) => {
                    // Finish the request in flight, take no other.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    // Requests in flight get the grace period; whatever a client does, the server then ends
    // (dropping the set ends the connections still open).
    let all_done = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_grace, all_done).await.is_err() {
        eprintln!("sitrep: {} connections still open after {} s: closed", connections.len(), limits.shutdown_grace.as_secs_f64());
    }
    Ok(())
}

/// Resolves once the shutdown signal is seen.
async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
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
