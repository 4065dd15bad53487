//! The HTTP fetcher of feeds and their pages: timeouts, a body size cap (after gzip), a
//! redirect limit, conditional GET (ETag / Last-Modified), one request at a time per host with
//! a delay between them, retries with backoff on transient failures, robots.txt respected, and
//! a User-Agent naming sitrep.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a site's operator reads what sitrep is (sent in the User-Agent). The project has no
/// published home yet: change it here when it does, or send another with `--user-agent`.
pub const PROJECT_URL: &str = "https://github.com/sitrep/sitrep";

/// The User-Agent sitrep sends.
pub const USER_AGENT: &str = concat!("sitrep/", env!("CARGO_PKG_VERSION"), " (+https://github.com/sitrep/sitrep)");

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Connecting, and the whole of one request (headers and body).
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// The largest body accepted, after decompression.
    pub max_bytes: u64,
    /// Redirects followed before giving up.
    pub redirects: u32,
    /// Tries after the first on a transient failure (connection, timeout, 429, 5xx).
    pub retries: u32,
    /// The wait before the first retry; doubled for each next one.
    pub backoff: Duration,
    /// The least time between two requests to one host (a robots.txt Crawl-delay may raise it).
    pub host_delay: Duration,
    pub user_agent: String,
    /// Ask each host's robots.txt before fetching from it.
    pub robots: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_bytes: 5 * 1024 * 1024,
            redirects: 5,
            retries: 2,
            backoff: Duration::from_secs(2),
            host_delay: Duration::from_secs(1),
            user_agent: USER_AGENT.to_string(),
            robots: true,
        }
    }
}

/// Why a fetch failed; each is one line naming the URL.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FetchError {
    #[error("{url}: not an http(s) URL")]
    BadUrl { url: String },
    #[error("{url}: no answer within {secs} s (timed out)")]
    Timeout { url: String, secs: f64 },
    #[error("{url}: HTTP {code} {text}")]
    Status { url: String, code: u16, text: String },
    #[error("{url}: the body is over the size cap of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: more than {limit} redirects (a redirect loop?)")]
    Redirects { url: String, limit: u32 },
    #[error("{url}: disallowed for sitrep by the site's robots.txt")]
    Robots { url: String },
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
}

impl FetchError {
    /// Worth trying again soon: the network or the server, not the request.
    fn transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. } | FetchError::Transport { .. } => true,
            FetchError::Status { code, .. } => *code == 429 || *code >= 500,
            _ => false,
        }
    }
}

/// HTTP validators of the last copy fetched, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a fetch brought.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: the copy the validators name is current.
    NotModified,
    Body {
        bytes: Vec<u8>,
        /// The URL after redirects.
        url: String,
        content_type: Option<String>,
        validators: Validators,
    },
}

/// How long a site's robots.txt is trusted before it is fetched again.
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);

/// A site's robots.txt rules; `None`: everything allowed.
type Robots = Option<Arc<texting_robots::Robot>>;

/// One host's turn-taking: held during a request, it remembers when the last one ended.
type HostSlot = Arc<Mutex<Option<Instant>>>;

/// The fetcher. Shareable between threads: requests to one host wait their turn.
pub struct Fetcher {
    agent: ureq::Agent,
    opts: FetchOptions,
    hosts: Mutex<HashMap<String, HostSlot>>,
    /// robots.txt per origin, with when it was fetched: `None` when it allows everything
    /// (missing, unreachable). Fetched again after [`ROBOTS_TTL`].
    robots: Mutex<HashMap<String, (Instant, Robots)>>,
}

/// `scheme://host[:port]` of an http(s) URL.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    (!host.is_empty()).then(|| format!("{}://{}", scheme.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

impl Fetcher {
    pub fn new(opts: FetchOptions) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirects(opts.redirects)
            .user_agent(&opts.user_agent)
            .build();
        Fetcher { agent, opts, hosts: Mutex::new(HashMap::new()), robots: Mutex::new(HashMap::new()) }
    }

    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// GETs a URL (conditionally when validators are given), retrying transient failures.
    pub fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let origin = origin(url).ok_or_else(|| FetchError::BadUrl { url: url.to_string() })?;
        let delay = if self.opts.robots { self.check_robots(&origin, url)? } else { None };
        let mut wait = self.opts.backoff;
        let mut tries = 0;
        loop {
            let r = self.polite(&origin, delay, || self.get_once(url, validators));
            match r {
                Err(e) if e.transient() && tries < self.opts.retries => {
                    tries += 1;
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                }
                r => return r,
            }
        }
    }

    /// Runs `f` in the host's turn, at least the host delay after its last request.
    fn polite<T>(&self, origin: &str, crawl_delay: Option<Duration>, f: impl FnOnce() -> T) -> T {
        let slot = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts.entry(origin.to_string()).or_default().clone()
        };
        let mut last = slot.lock().unwrap_or_else(|p| p.into_inner());
        let delay = crawl_delay.map_or(self.opts.host_delay, |d| d.max(self.opts.host_delay));
        if let Some(t) = *last {
            let since = t.elapsed();
            if since < delay {
                std::thread::sleep(delay - since);
            }
        }
        let out = f();
        *last = Some(Instant::now());
        out
    }

    /// Whether robots.txt lets sitrep fetch the URL; the Crawl-delay it asks for, if any. A
    /// robots.txt that is missing or cannot be fetched allows everything.
    fn check_robots(&self, origin: &str, url: &str) -> Result<Option<Duration>, FetchError> {
        let cached = self
            .robots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(origin)
            .filter(|(at, _)| at.elapsed() < ROBOTS_TTL)
            .map(|(_, r)| r.clone());
        let robot = match cached {
            Some(r) => r,
            None => {
                let txt = format!("{origin}/robots.txt");
                let got = self.polite(origin, None, || self.get_once(&txt, &Validators::default()));
                let robot = match got {
                    Ok(Fetched::Body { bytes, .. }) => texting_robots::Robot::new("sitrep", &bytes).ok().map(Arc::new),
                    _ => None,
                };
                self.robots.lock().unwrap_or_else(|p| p.into_inner()).insert(origin.to_string(), (Instant::now(), robot.clone()));
                robot
            }
        };
        match robot {
            Some(r) if !r.allowed(url) => Err(FetchError::Robots { url: url.to_string() }),
            Some(r) => Ok(r.delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| Duration::from_secs_f32(d.min(60.0)))),
            None => Ok(None),
        }
    }

    fn get_once(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut req = self.agent.get(url).set("Accept-Encoding", "gzip");
        if let Some(e) = &validators.etag {
            req = req.set("If-None-Match", e);
        }
        if let Some(m) = &validators.last_modified {
            req = req.set("If-Modified-Since", m);
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                return Err(FetchError::Status { url: url.to_string(), code, text: r.status_text().to_string() });
            }
            Err(ureq::Error::Transport(t)) => return Err(self.transport(url, &t)),
        };
        if resp.status() == 304 {
            return Ok(Fetched::NotModified);
        }
        let limit = self.opts.max_bytes;
        let too_large = || FetchError::TooLarge { url: url.to_string(), limit };
        if resp
            .header("Content-Length")
            .and_then(|l| l.trim().parse::<u64>().ok())
            .is_some_and(|l| l > limit && resp.header("Content-Encoding").is_none())
        {
            return Err(too_large());
        }
        let final_url = resp.get_url().to_string();
        let content_type = resp.header("Content-Type").map(String::from);
        let validators =
            Validators { etag: resp.header("ETag").map(String::from), last_modified: resp.header("Last-Modified").map(String::from) };
        let gzip = resp.header("Content-Encoding").is_some_and(|e| e.trim().eq_ignore_ascii_case("gzip"));
        let raw = resp.into_reader().take(limit + 1);
        let mut bytes = Vec::new();
        let read = if gzip {
            flate2::read::MultiGzDecoder::new(raw).take(limit + 1).read_to_end(&mut bytes)
        } else {
            { raw }.read_to_end(&mut bytes)
        };
        if let Err(e) = read {
            return Err(self.io(url, &e));
        }
        if bytes.len() as u64 > limit {
            return Err(too_large());
        }
        Ok(Fetched::Body { bytes, url: final_url, content_type, validators })
    }

    fn io(&self, url: &str, e: &std::io::Error) -> FetchError {
        if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) {
            return FetchError::Timeout { url: url.to_string(), secs: self.opts.timeout.as_secs_f64() };
        }
        FetchError::Transport { url: url.to_string(), reason: format!("reading the body: {e}") }
    }

    fn transport(&self, url: &str, t: &ureq::Transport) -> FetchError {
        let url = url.to_string();
        match t.kind() {
            ureq::ErrorKind::TooManyRedirects => FetchError::Redirects { url, limit: self.opts.redirects },
            ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => FetchError::BadUrl { url },
            _ => {
                let text = t.to_string();
                let timed_out = std::error::Error::source(t)
                    .and_then(|s| s.downcast_ref::<std::io::Error>())
                    .is_some_and(|e| matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock))
                    || text.contains("timed out");
                if timed_out {
                    FetchError::Timeout { url, secs: self.opts.timeout.as_secs_f64() }
                } else {
                    FetchError::Transport { url: url.clone(), reason: text.replace(&format!("{url}: "), "") }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::localhttp::{Response, Server};
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_bodies_are_unpacked_and_capped_after_unpacking() {
        let small = gzip(b"<rss version=\"2.0\"><channel><title>z</title></channel></rss>");
        let bomb = gzip(&vec![b'a'; 1 << 20]);
        let srv = Server::start(move |req| {
            assert_eq!(req.header("accept-encoding"), Some("gzip"));
            let body = if req.path == "/bomb" { bomb.clone() } else { small.clone() };
            Response::new(200, "application/rss+xml", body).header("Content-Encoding", "gzip")
        })
        .unwrap();
        let f = Fetcher::new(FetchOptions { max_bytes: 64 * 1024, host_delay: Duration::ZERO, robots: false, ..FetchOptions::default() });
        match f.get(&srv.url("/feed"), &Validators::default()).unwrap() {
            Fetched::Body { bytes, .. } => assert!(bytes.starts_with(b"<rss")),
            Fetched::NotModified => panic!("304?"),
        }
        let e = f.get(&srv.url("/bomb"), &Validators::default()).unwrap_err();
        assert!(matches!(e, FetchError::TooLarge { limit: 65536, .. }), "{e}");
    }

    #[test]
    fn origins() {
        assert_eq!(origin("https://Example.org/a/b?c").as_deref(), Some("https://example.org"));
        assert_eq!(origin("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin("ftp://x/y"), None);
        assert_eq!(origin("not a url"), None);
    }
}
