//! `sitrep feeds ...`, `sitrep alerts ...`: following sources and alerting, as thin shells over
//! `sitrep_core::feeds` and `sitrep_core::alerts`.

use crate::DbArg;
use anyhow::Result;
use clap::{Args, Subcommand};
use sitrep_core::dates::parse_duration;
use sitrep_core::feeds::fetch::{FetchOptions, Fetcher};
use sitrep_core::feeds::{FeedStatus, PollOptions};
use sitrep_core::store::Store;
use std::time::Duration;

#[derive(Subcommand)]
pub enum FeedsCmd {
    /// Follow a feed (RSS, Atom or JSON Feed).
    Add {
        url: String,
        /// A short name for it.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// The feeds followed, with their last error and next try when failing.
    List {
        #[command(flatten)]
        db: DbArg,
        /// One JSON object a line instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Stop following a feed (by URL, name or id); what it brought stays stored.
    Remove {
        feed: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Poll the feeds: once, or every interval until stopped.
    Poll(PollCmd),
}

#[derive(Args, Clone)]
pub struct PollArgs {
    /// One request's timeout.
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub timeout: Duration,
    /// The largest feed or page accepted, in bytes (after decompression).
    #[arg(long, default_value_t = 5 * 1024 * 1024)]
    pub max_bytes: u64,
    /// Tries after the first on a transient failure.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// The wait before the first retry (doubled for each next one).
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    pub backoff: Duration,
    /// The least time between two requests to one host.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    pub host_delay: Duration,
    /// The wait after a feed's first failure before it is tried again (doubled each time).
    #[arg(long, value_parser = parse_duration, default_value = "1m")]
    pub retry_after: Duration,
    /// Send this User-Agent instead of sitrep's.
    #[arg(long)]
    pub user_agent: Option<String>,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

impl PollArgs {
    pub fn fetcher(&self) -> Fetcher {
        let d = FetchOptions::default();
        Fetcher::new(FetchOptions {
            connect_timeout: self.timeout.min(d.connect_timeout),
            timeout: self.timeout,
            max_bytes: self.max_bytes,
            retries: self.retries,
            backoff: self.backoff,
            host_delay: self.host_delay,
            user_agent: self.user_agent.clone().unwrap_or(d.user_agent),
            ..d
        })
    }

    pub fn poll_options(&self) -> PollOptions {
        PollOptions { retry_after: self.retry_after, ..PollOptions::default() }
    }
}

#[derive(Args, Clone)]
pub struct DeliveryArgs {
    /// Attempts of an alert delivery before it is given up (kept as failed in the log).
    #[arg(long, default_value_t = 5)]
    pub delivery_attempts: u32,
    /// The wait after a delivery's first failure (doubled for each next one).
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    pub delivery_backoff: Duration,
    /// How long a command waits for deliveries being retried before leaving them pending
    /// (the next run delivers them).
    #[arg(long, value_parser = parse_duration, default_value = "20s")]
    pub delivery_wait: Duration,
}

impl DeliveryArgs {
    pub fn options(&self) -> sitrep_core::alerts::DeliveryOptions {
        sitrep_core::alerts::DeliveryOptions {
            attempts: self.delivery_attempts.max(1),
            backoff: self.delivery_backoff,
            ..Default::default()
        }
    }
}

#[derive(Args, Clone)]
pub struct PollCmd {
    #[command(flatten)]
    pub db: DbArg,
    /// Poll again every interval ("15m") until stopped; without it, poll once.
    #[arg(long, value_parser = parse_duration)]
    pub every: Option<Duration>,
    #[command(flatten)]
    pub args: PollArgs,
}

pub fn run_feeds(cmd: FeedsCmd) -> Result<bool> {
    match cmd {
        FeedsCmd::Add { url, name, db } => {
            if sitrep_core::feeds::fetch::origin(&url).is_none() {
                anyhow::bail!("{url}: not an http(s) URL");
            }
            let mut store = crate::open_store(&db.db)?;
            let f = store.add_feed(&url, name.as_deref())?;
            println!("following feed {} ({})", f.id, f.label());
            Ok(true)
        }
        FeedsCmd::List { db, json } => {
            let store = crate::open_existing(&db.db)?;
            let feeds = store.feeds()?;
            if json {
                for f in &feeds {
                    println!("{}", serde_json::to_string(f)?);
                }
                return Ok(true);
            }
            if feeds.is_empty() {
                println!("no feeds (sitrep feeds add URL)");
            }
            for f in &feeds {
                let name = f.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
                println!("{:>3} {}{name}", f.id, f.url);
                let last = f.last_ok.as_deref().unwrap_or("never");
                println!("    items {}, last read {last}", f.items);
                if f.failures > 0 {
                    println!(
                        "    FAILING ({} in a row): {}; next try {}",
                        f.failures,
                        f.last_error.as_deref().unwrap_or("?"),
                        f.next_try.as_deref().unwrap_or("at the next poll")
                    );
                }
            }
            Ok(true)
        }
        FeedsCmd::Remove { feed, db } => {
            let mut store = crate::open_to_update(&db.db)?;
            match store.remove_feed(&feed)? {
                Some(f) => {
                    println!("stopped following {} ({} items it brought stay stored)", f.url, f.items);
                    Ok(true)
                }
                None => {
                    eprintln!("sitrep: error: no feed is {feed:?} (sitrep feeds list)");
                    Ok(false)
                }
            }
        }
        FeedsCmd::Poll(cmd) => run_poll(cmd),
    }
}

/// One poll cycle: feeds, ingest and fusion, alerts. Returns whether every feed went well.
pub fn poll_cycle(store: &mut dyn Store, fetcher: &Fetcher, args: &PollArgs) -> Result<bool> {
    let r = sitrep_core::feeds::poll_once(store, fetcher, &args.poll_options())?;
    let mut ok = true;
    for f in &r.feeds {
        match &f.status {
            FeedStatus::NotModified => println!("{}: not modified", f.feed),
            FeedStatus::Read { items, new, failed } => {
                println!(
                    "{}: {items} items, {new} new{}",
                    f.feed,
                    if *failed > 0 { format!(", {failed} unreadable") } else { String::new() }
                )
            }
            FeedStatus::Waiting { next_try } => println!("{}: failing, next try {next_try}", f.feed),
            FeedStatus::Failed { error } => {
                ok = false;
                eprintln!("sitrep: error: feed {error}");
            }
        }
    }
    for (_, e) in &r.item_errors {
        eprintln!("sitrep: error: item {e}");
    }
    let s = &r.ingest;
    if s.read > 0 {
        println!(
            "stored {} new articles ({} events), {} already stored; fusion: {} created, {} updated",
            s.new, s.events_added, s.unchanged, r.fusion.created, r.fusion.updated
        );
    }
    run_alerts_after_ingest(store, &args.delivery)?;
    Ok(ok)
}

/// Alerts on what an ingest changed: evaluated, queued, delivered (retries waited for up to
/// `--delivery-wait`); a delivery given up is said on stderr and kept in the log.
pub fn run_alerts_after_ingest(store: &mut dyn Store, args: &DeliveryArgs) -> Result<()> {
    let queued = sitrep_core::alerts::evaluate(store, sitrep_core::Knowledge::builtin())?;
    let d = sitrep_core::alerts::deliver(store, &args.options(), args.delivery_wait)?;
    if queued + d.delivered + d.failed.len() > 0 {
        println!("alerts: {queued} matched, {} delivered, {} pending", d.delivered, d.pending);
    }
    for (alert, fused, e) in &d.failed {
        eprintln!("sitrep: error: alert {alert}: delivery of {fused} failed after its last attempt: {e} (kept in `sitrep alerts log`)");
    }
    Ok(())
}

fn run_poll(cmd: PollCmd) -> Result<bool> {
    let mut store = crate::open_store(&cmd.db.db)?;
    let fetcher = cmd.args.fetcher();
    let Some(every) = cmd.every else { return poll_cycle(store.as_mut(), &fetcher, &cmd.args) };
    loop {
        let started = std::time::Instant::now();
        if let Err(e) = poll_cycle(store.as_mut(), &fetcher, &cmd.args) {
            // A store error (the disk full, a lock held too long): said, and the next cycle tries again.
            eprintln!("sitrep: error: {}", crate::error_line(&e));
        }
        std::thread::sleep(every.saturating_sub(started.elapsed()));
    }
}

#[derive(Subcommand)]
pub enum AlertsCmd {
    /// Save an alert: every condition given must hold; matches go to a webhook or a file.
    Add(Box<AlertAddCmd>),
    /// The saved alerts, with their deliveries counted by status.
    List {
        #[command(flatten)]
        db: DbArg,
        /// One JSON object a line instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Remove an alert (its delivery log stays).
    Remove {
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// The delivery log, newest first.
    Log {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Evaluate the alerts on what changed and deliver what is pending (retries included).
    Deliver {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        delivery: DeliveryArgs,
    },
}

#[derive(Args)]
pub struct AlertAddCmd {
    name: String,
    #[command(flatten)]
    db: DbArg,
    /// min_lon,min_lat,max_lon,max_lat
    #[arg(long, value_parser = <sitrep_core::query::Bbox as std::str::FromStr>::from_str, allow_hyphen_values = true)]
    bbox: Option<sitrep_core::query::Bbox>,
    /// Within --km of this place (a gazetteer name).
    #[arg(long, requires = "km")]
    near: Option<String>,
    #[arg(long, requires = "near")]
    km: Option<f64>,
    /// An actor by any of its names.
    #[arg(long)]
    actor: Option<String>,
    /// An ACLED event type or sub-event type.
    #[arg(long = "type")]
    event_type: Option<String>,
    #[arg(long)]
    min_fatalities: Option<u32>,
    /// Distinct outlets reporting it.
    #[arg(long)]
    min_sources: Option<usize>,
    /// POST each match here (JSON, signed with HMAC-SHA256 in X-Sitrep-Signature).
    #[arg(long, required_unless_present = "file", conflicts_with = "file")]
    webhook: Option<String>,
    /// Append each match to this JSON Lines file.
    #[arg(long)]
    file: Option<std::path::PathBuf>,
    /// The webhook signature key (a random one is made and printed otherwise).
    #[arg(long, env = "SITREP_ALERT_SECRET")]
    secret: Option<String>,
}

pub fn run_alerts(cmd: AlertsCmd) -> Result<bool> {
    use sitrep_core::alerts::{AlertQuery, Near, Sink};
    match cmd {
        AlertsCmd::Add(a) => {
            let near = match (&a.near, a.km) {
                (Some(place), Some(km)) => {
                    let (near, p) = Near::resolve(place, km, sitrep_core::geocode::Gazetteer::builtin())?;
                    println!(
                        "near {} ({}, {}) {:.4},{:.4}",
                        p.name,
                        p.admin1.as_deref().unwrap_or("-"),
                        p.country,
                        p.latitude,
                        p.longitude
                    );
                    Some(near)
                }
                _ => None,
            };
            let query = AlertQuery {
                bbox: a.bbox.map(|b| b.0),
                near,
                actor: a.actor,
                event_type: a.event_type,
                min_fatalities: a.min_fatalities,
                min_sources: a.min_sources,
            };
            let sink = match (a.webhook, a.file) {
                (Some(url), _) => Sink::Webhook { url },
                (None, Some(path)) => Sink::File { path: std::path::absolute(&path).unwrap_or(path).display().to_string() },
                (None, None) => anyhow::bail!("--webhook URL or --file PATH"),
            };
            sitrep_core::alerts::check(&a.name, &query, &sink)?;
            let made = a.secret.is_none();
            let secret = a.secret.unwrap_or_else(|| sitrep_core::alerts::new_secret(&a.name));
            let mut store = crate::open_store(&a.db.db)?;
            let alert = store.add_alert(&a.name, &query, &sink, &secret)?;
            println!("alert {} saved: {} -> {}", alert.name, serde_json::to_string(&alert.query)?, alert.sink);
            if made && matches!(sink, Sink::Webhook { .. }) {
                println!("signature secret (HMAC-SHA256 of the body, header X-Sitrep-Signature): {secret}");
            }
            Ok(true)
        }
        AlertsCmd::List { db, json } => {
            let store = crate::open_existing(&db.db)?;
            let counts = store.delivery_counts()?;
            let alerts = store.alerts()?;
            if alerts.is_empty() && !json {
                println!("no alerts (sitrep alerts add NAME ...)");
            }
            for a in &alerts {
                let mine: Vec<String> = counts.iter().filter(|(n, _, _)| *n == a.name).map(|(_, s, c)| format!("{s} {c}")).collect();
                if json {
                    let mut v = serde_json::to_value(a)?;
                    v["deliveries"] =
                        counts.iter().filter(|(n, _, _)| *n == a.name).map(|(_, s, c)| (s.clone(), serde_json::json!(c))).collect();
                    println!("{v}");
                } else {
                    let deliveries = if mine.is_empty() { "none".to_string() } else { mine.join(", ") };
                    println!("{}: {} -> {}; deliveries: {deliveries}", a.name, serde_json::to_string(&a.query)?, a.sink);
                }
            }
            Ok(true)
        }
        AlertsCmd::Remove { name, db } => {
            let mut store = crate::open_to_update(&db.db)?;
            if store.remove_alert(&name)? {
                println!("alert {name} removed");
                Ok(true)
            } else {
                eprintln!("sitrep: error: no alert is named {name:?} (sitrep alerts list)");
                Ok(false)
            }
        }
        AlertsCmd::Log { db, limit } => {
            let store = crate::open_existing(&db.db)?;
            for d in store.deliveries(limit)? {
                let err = d.last_error.as_deref().map(|e| format!(" last error: {e}")).unwrap_or_default();
                let when = d.delivered_at.as_deref().unwrap_or(&d.next_try);
                println!("{:>5} {} {} {} {} attempts {} {when}{err}", d.id, d.alert, d.fused_id, d.kind, d.status, d.attempts);
            }
            Ok(true)
        }
        AlertsCmd::Deliver { db, delivery } => {
            let mut store = crate::open_to_update(&db.db)?;
            run_alerts_after_ingest(store.as_mut(), &delivery)?;
            Ok(store.deliveries(100_000)?.iter().all(|d| d.status != "failed"))
        }
    }
}

#[derive(Args)]
pub struct WatchCmd {
    /// Folders to watch (recursively).
    #[arg(required = true)]
    dirs: Vec<std::path::PathBuf>,
    #[command(flatten)]
    db: DbArg,
    /// How long a file must stay unchanged before it is read.
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    settle: Duration,
    #[command(flatten)]
    input: crate::InputArgs,
    #[command(flatten)]
    delivery: DeliveryArgs,
}

/// `sitrep watch`: runs until stopped (Ctrl-C); each round is committed when it is read.
pub fn run_watch(cmd: WatchCmd) -> Result<bool> {
    for d in &cmd.dirs {
        if !d.is_dir() {
            anyhow::bail!("{}: not a folder", d.display());
        }
    }
    let mut store = crate::open_store(&cmd.db.db)?;
    let opts = sitrep_core::watch::WatchOptions { settle: cmd.settle, read: cmd.input.options() };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let names: Vec<String> = cmd.dirs.iter().map(|d| d.display().to_string()).collect();
    println!("watching {} (files are read once unchanged for {:?})", names.join(", "), cmd.settle);
    let delivery = cmd.delivery.clone();
    sitrep_core::watch::watch(store.as_mut(), &cmd.dirs, &opts, &stop, &mut |store, b| {
        for f in &b.summary.failed {
            eprintln!("sitrep: error: {}: {}", f.input, f.reason);
        }
        let s = &b.summary;
        println!(
            "{} files: {} articles read, {} new, {} replaced, {} unchanged, {} events added; fusion: {} created, {} updated",
            b.files.len(),
            s.read,
            s.new,
            s.replaced,
            s.unchanged,
            s.events_added,
            b.fusion.created,
            b.fusion.updated
        );
        if let Err(e) = run_alerts_after_ingest(store, &delivery) {
            eprintln!("sitrep: error: alerts: {}", crate::error_line(&e));
        }
    })?;
    Ok(true)
}
