//! The benchmarks, one function each, and their command line.

use crate::expect;
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use sitrep_core::eval::extraction::{bootstrap_f1_sd, score_corpus, score_page, PageScore};
use sitrep_core::read::{self, ReadOptions};
use sitrep_core::store::{Access, Location};
use sitrep_core::Format;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Reading and cleaning speed: a CSV corpus replicated to N articles, read on one core.
    Read {
        /// A CSV of articles (e.g. the FA-KES layout).
        #[arg(long)]
        input: PathBuf,
        /// How many articles to read in all.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
    },
    /// Event extraction speed: the articles of a corpus, extracted over and over to N.
    Extract {
        /// A file or folder of articles (any format `sitrep read` takes).
        #[arg(long)]
        input: PathBuf,
        /// How many articles to extract in all.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
    },
    /// Geocoding speed: the events of a corpus geocoded over and over to N articles.
    Geocode {
        /// A file or folder of articles.
        #[arg(long)]
        input: PathBuf,
        /// How many articles to geocode in all.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
    },
    /// The whole pipeline into a fresh database: a corpus replicated to N distinct articles
    /// (each copy tagged, so each is new), read, cleaned, extracted, geocoded and stored.
    Ingest {
        /// A file or folder of articles (e.g. the FA-KES CSV).
        #[arg(long)]
        input: PathBuf,
        /// How many articles to ingest in all.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// Articles per transaction.
        #[arg(long, default_value_t = 2000)]
        batch: usize,
        /// The database to create: a file (removed first, and afterwards unless given) or a
        /// PostgreSQL URL (of an empty database or schema).
        #[arg(long)]
        db: Option<sitrep_core::store::Location>,
        /// Worker processes ingesting into the one store at once, each every K-th article
        /// (disjoint shares): copies of this program with `--share`. 0: this process alone.
        #[arg(long, default_value_t = 0)]
        workers: usize,
        /// Be worker I of K (`I/K`): ingest articles I, I + K, I + 2K ... into a store made
        /// ready by the parent (what `--workers` passes its children).
        #[arg(long, hide = true, value_parser = parse_share)]
        share: Option<(usize, usize)>,
        /// Store without the fusion after (the replicated corpus puts every copy of an event
        /// on the same day and place, which fusion compares pair by pair).
        #[arg(long)]
        no_fusion: bool,
    },
    /// A big store to query: the corpus's events extracted and geocoded once, then its
    /// articles and their events copied (new ids, dates shifted a week per copy, spread over
    /// ten years) until the store holds N events, written in batches through the store trait
    /// (`put_batch`, as ingest stores); no fusion.
    Populate {
        /// A file or folder of articles (e.g. the FA-KES CSV).
        #[arg(long)]
        input: PathBuf,
        /// How many events in all (at least: whole copies of the corpus).
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
        /// Articles per `put_batch`.
        #[arg(long, default_value_t = 2000)]
        batch: usize,
        /// The store to fill: a new file or an empty PostgreSQL database or schema.
        #[arg(long)]
        db: sitrep_core::store::Location,
    },
    /// HTTP load: `sitrep serve` in-process on a loopback port, N clients requesting in a loop
    /// for S seconds; prints requests/s, latency percentiles and errors.
    Http {
        /// The database to serve (e.g. one made by `bench ingest --db` or `bench populate`):
        /// a file or a PostgreSQL URL.
        #[arg(long)]
        db: sitrep_core::store::Location,
        /// Concurrent clients.
        #[arg(long, default_value_t = 20)]
        clients: usize,
        /// How long, in seconds.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Paths to request, in turn (repeat the flag for a mix). `cursor=@P` in a path is
        /// replaced, before the load starts, by the keyset cursor of its page P (found by
        /// following `next_cursor` from the first page).
        #[arg(long = "path", default_values_t = vec!["/api/events".to_string()])]
        paths: Vec<String>,
        /// Load each path alone for S seconds, one line of figures each, instead of the mix.
        #[arg(long)]
        each: bool,
    },
    /// Credibility on FA-KES against `label_features_file` (the public label beside it): the
    /// article credibility model in 10-fold CV and with each outlet held out, with and without
    /// its outlet term (ROC AUC, Brier score), beside TF-IDF and naive Bayes baselines and the
    /// corroboration score; with consistency features (an article's claims against other
    /// outlets' about the same place and days), from sitrep's extraction and from the
    /// crowd-coded claims; and the multi-source clusters found.
    FakesCredibility {
        /// The FA-KES CSV.
        #[arg(long)]
        input: PathBuf,
        /// Its labels file (unit_id, label_public, label_features_file); default: the
        /// `fakes-dev-labels.csv` beside the input.
        #[arg(long)]
        labels: Option<PathBuf>,
        /// Print every cluster of several outlets.
        #[arg(long)]
        clusters: bool,
    },
    /// Fusion speed: the events of a corpus replicated to N events (each copy its own article,
    /// dates shifted), fused in one run.
    Fuse {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        /// Also time incremental fusion in a store of about N events when this many new
        /// articles arrive, against a full run.
        #[arg(long)]
        incremental: Option<usize>,
    },
    /// Place accuracy on FA-KES: the governorate of each article's main event against the
    /// crowd-coded `location` column.
    FakesPlaces {
        /// The FA-KES CSV (unit_id, article_title, article_content, source, date, location, ...).
        #[arg(long)]
        input: PathBuf,
        /// Print every miss.
        #[arg(long)]
        misses: bool,
    },
    /// Events coded on news pages that report no war (the article-extraction and trafilatura
    /// news pages): each typer's count at the default confidence, and below it.
    NewsEvents {
        /// Folders holding `html/*.html.gz` or `html/*.gz` pages (repeat the flag).
        #[arg(long = "dir", required = true)]
        dirs: Vec<PathBuf>,
        /// Print every event coded at the default confidence, with its sentence.
        #[arg(long)]
        show: bool,
    },
    /// Toponym resolution on UCDP GED: every distinct place coded at `where_prec` 1, its name
    /// from `where_coordinates` and its governorate from `adm_1`, resolved with the governorate
    /// as context; within 10 km / 25 km of UCDP's point, in another governorate, unresolved.
    /// Places split by a hash of the name into a tune half (60%) and a check half (40%).
    UcdpPlaces {
        /// The UCDP GED CSV (e.g. ../shared/data/ucdp/ucdp-ged-syria-dev.csv).
        #[arg(long)]
        input: PathBuf,
        /// Print the tune half's misses (never the check half's).
        #[arg(long)]
        misses: bool,
    },
    /// Time against input size: generated texts of repeated story sentences and HTML pages
    /// (paragraphs of story, a run of `&amp;` entities) of each size, read and extracted; prints
    /// seconds per size and per MB (flat per MB: linear). Needs no data.
    Scaling {
        /// Sizes in MB.
        #[arg(long, value_delimiter = ',', default_value = "0.5,1,2,4,8")]
        sizes: Vec<f64>,
    },
    /// Following sources end to end, on loopback: an item appears in a local feed; the time
    /// until its alert is delivered to a local webhook, polled every --every. No data needed.
    Live {
        /// Items, appearing one after another.
        #[arg(long, default_value_t = 20)]
        items: usize,
        /// The poll interval.
        #[arg(long, value_parser = sitrep_core::dates::parse_duration, default_value = "10s")]
        every: std::time::Duration,
        /// The time between two items appearing (spread over the poll's phases).
        #[arg(long, value_parser = sitrep_core::dates::parse_duration, default_value = "3.3s")]
        spacing: std::time::Duration,
    },
    /// Main-text extraction quality on the article-extraction benchmark, beside its peers.
    Html {
        /// The benchmark folder (ground-truth.json, html/, peers/).
        #[arg(long)]
        dataset: PathBuf,
        /// Optional: trafilatura's news pages with must/must-not snippets (gold.json, html/).
        #[arg(long)]
        snippets: Option<PathBuf>,
        /// Print each page's sitrep score.
        #[arg(long)]
        pages: bool,
    },
}

pub fn run(cmd: BenchCmd) -> Result<bool> {
    match cmd {
        BenchCmd::Read { input, articles } => bench_read(&input, articles),
        BenchCmd::Extract { input, articles } => bench_extract(&input, articles),
        BenchCmd::Geocode { input, articles } => bench_geocode(&input, articles),
        BenchCmd::Ingest { input, articles, batch, db, workers, share, no_fusion } => {
            let how = IngestHow { n: articles, batch, fuse: !no_fusion };
            match share {
                Some(share) => ingest_worker(&input, how, db, share),
                None if workers > 0 => ingest_workers(&input, how, db, workers),
                None => bench_ingest(&input, how, db),
            }
        }
        BenchCmd::Populate { input, events, batch, db } => bench_populate(&input, events, batch, &db),
        BenchCmd::Http { db, clients, seconds, paths, each } => bench_http(&db, clients, seconds, &paths, each),
        BenchCmd::FakesCredibility { input, labels, clusters } => bench_fakes_credibility(&input, labels.as_deref(), clusters),
        BenchCmd::Fuse { input, events, incremental } => bench_fuse(&input, events, incremental),
        BenchCmd::FakesPlaces { input, misses } => bench_fakes_places(&input, misses),
        BenchCmd::NewsEvents { dirs, show } => bench_news_events(&dirs, show),
        BenchCmd::UcdpPlaces { input, misses } => bench_ucdp_places(&input, misses),
        BenchCmd::Scaling { sizes } => bench_scaling(&sizes),
        BenchCmd::Live { items, every, spacing } => bench_live(items, every, spacing),
        BenchCmd::Html { dataset, snippets, pages } => {
            bench_html(&dataset, pages)?;
            if let Some(s) = snippets {
                bench_snippets(&s)?;
            }
            Ok(true)
        }
    }
}

/// `bench live`: the latency from an item appearing in a feed to its alert delivered. A local
/// feed server (items appear every `spacing`), a local webhook receiver, an alert matching
/// every event, and the poller of `sitrep feeds poll --every` in this process: each cycle polls,
/// ingests, fuses, evaluates and delivers. Prints p50 and max over the items.
fn bench_live(items: usize, every: std::time::Duration, spacing: std::time::Duration) -> Result<bool> {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    // Which items have appeared, and when.
    let appeared: Arc<Mutex<Vec<Instant>>> = Arc::new(Mutex::new(Vec::new()));
    let feed = bench_wire(appeared.clone())?;
    // The receiver: when each item's alert came (by the item's URL in the sources).
    let received: Arc<Mutex<Vec<(String, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let hook = alert_receiver(received.clone())?;
    let dir = tempfile_dir()?;
    let mut store =
        sitrep_core::store::open(&sitrep_core::store::Location::sqlite(dir.join("live.db")), sitrep_core::store::Access::ReadWrite)?;
    store.add_feed(&feed.url("/feed.xml"), Some("bench"))?;
    store.add_alert("all", &Default::default(), &sitrep_core::alerts::Sink::Webhook { url: hook.url("/hook") }, "bench")?;
    let fetcher = sitrep_core::feeds::fetch::Fetcher::new(sitrep_core::feeds::fetch::FetchOptions {
        host_delay: std::time::Duration::ZERO,
        ..Default::default()
    });
    // Items appear on their own thread; the poller runs here every `every`.
    let a = appeared.clone();
    let producer = std::thread::spawn(move || {
        for _ in 0..items {
            std::thread::sleep(spacing);
            if let Ok(mut v) = a.lock() {
                v.push(Instant::now());
            }
        }
    });
    let deadline = Instant::now() + spacing * items as u32 + every * 3 + std::time::Duration::from_secs(30);
    let mut cycles: Vec<f64> = Vec::new();
    loop {
        let started = Instant::now();
        sitrep_core::feeds::poll_once(store.as_mut(), &fetcher, &Default::default())?;
        sitrep_core::alerts::evaluate(store.as_mut(), sitrep_core::Knowledge::builtin())?;
        sitrep_core::alerts::deliver(store.as_mut(), &Default::default(), std::time::Duration::ZERO)?;
        cycles.push(started.elapsed().as_secs_f64());
        let done = received.lock().map(|r| r.len()).unwrap_or(0);
        if (done >= items && producer.is_finished()) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(every.saturating_sub(started.elapsed()));
    }
    let _ = producer.join();
    let appeared = appeared.lock().map(|v| v.clone()).unwrap_or_default();
    let received = received.lock().map(|v| v.clone()).unwrap_or_default();
    let latencies = delivery_latencies(&feed, &appeared, &received);
    let missing = appeared.len() - latencies.len();
    let p50 = latencies.get(latencies.len().saturating_sub(1) / 2).copied().unwrap_or(f64::NAN);
    let max = latencies.last().copied().unwrap_or(f64::NAN);
    cycles.sort_by(f64::total_cmp);
    println!(
        "live: {} items, poll every {:.1} s, an item every {:.1} s: item appeared -> alert delivered p50 {p50:.2} s, max {max:.2} s; {missing} not delivered; poll cycle (poll, ingest, fuse, alert) median {:.3} s, max {:.3} s",
        appeared.len(),
        every.as_secs_f64(),
        spacing.as_secs_f64(),
        cycles.get(cycles.len() / 2).copied().unwrap_or(f64::NAN),
        cycles.last().copied().unwrap_or(f64::NAN)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(missing == 0)
}

/// A wire's feed of `appeared.len()` items (a town captured each), and the items' pages.
fn bench_wire(appeared: std::sync::Arc<std::sync::Mutex<Vec<Instant>>>) -> Result<sitrep_core::localhttp::Server> {
    use sitrep_core::localhttp::{Response, Server};
    use std::sync::Arc;
    const TOWNS: &[&str] = &[
        "Marea",
        "Azaz",
        "Manbij",
        "Tadef",
        "Jarablus",
        "Dabiq",
        "Akhtarin",
        "Tal Rifaat",
        "Mennagh",
        "Deir Hafer",
        "Maskanah",
        "Raqqa",
        "Tabqa",
        "Palmyra",
        "Qaryatayn",
        "Homs",
        "Hama",
        "Idlib",
        "Daraa",
        "Aleppo",
    ];
    let town = |i: usize| TOWNS[i % TOWNS.len()];
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let (a, b) = (appeared, base.clone());
    let feed = Server::start(move |req| {
        let base = b.get().cloned().unwrap_or_default();
        let n = a.lock().map(|v| v.len()).unwrap_or(0);
        if req.path == "/feed.xml" {
            let items: String = (0..n)
                .rev()
                .map(|i| format!("<item><title>Report {i} from {}</title><link>{base}/item/{i}</link></item>", town(i)))
                .collect();
            return Response::new(
                200,
                "application/rss+xml",
                format!("<rss version=\"2.0\"><channel><title>Bench Wire</title>{items}</channel></rss>"),
            );
        }
        match req.path.strip_prefix("/item/").and_then(|i| i.parse::<usize>().ok()) {
            Some(i) => Response::new(
                200,
                "text/html",
                format!(
                    "<html><body><article>\n<h1>Report {i}</h1>\n<p>ISIS militants captured the town of {} on {} March 2016, killing {} rebels, a monitor said.</p>\n</article></body></html>",
                    town(i),
                    1 + i % 28,
                    3 + i
                ),
            ),
            None => Response::new(404, "text/plain", ""),
        }
    })?;
    base.set(feed.url("")).ok();
    Ok(feed)
}

/// A webhook receiver noting when each item's alert came (by the item URLs in its sources).
fn alert_receiver(received: std::sync::Arc<std::sync::Mutex<Vec<(String, Instant)>>>) -> Result<sitrep_core::localhttp::Server> {
    use sitrep_core::localhttp::{Response, Server};
    let r = received;
    let hook = Server::start(move |req| {
        let at = Instant::now();
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&req.body) {
            for s in v["sources"].as_array().into_iter().flatten() {
                if let (Some(u), Ok(mut r)) = (s["url"].as_str(), r.lock()) {
                    r.push((u.to_string(), at));
                }
            }
        }
        Response::new(204, "text/plain", "")
    })?;
    Ok(hook)
}

/// Seconds from each item's appearing to its alert's delivery, sorted (items never delivered
/// left out).
fn delivery_latencies(feed: &sitrep_core::localhttp::Server, appeared: &[Instant], received: &[(String, Instant)]) -> Vec<f64> {
    let mut latencies: Vec<f64> = Vec::new();
    for (i, t) in appeared.iter().enumerate() {
        let url = feed.url(&format!("/item/{i}"));
        if let Some((_, at)) = received.iter().find(|(u, _)| *u == url) {
            latencies.push(at.duration_since(*t).as_secs_f64());
        }
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

/// A fresh folder under the system's temporary folder.
fn tempfile_dir() -> Result<PathBuf> {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let dir = std::env::temp_dir().join(format!("sitrep-bench-{}-{t}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Peak resident memory of this process, from /proc (Linux), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench_read(input: &Path, n: usize) -> Result<bool> {
    let bytes = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    // Split the corpus into its records, then replicate them to n with varied ids.
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = rdr.headers()?.clone();
    let records: Vec<csv::StringRecord> = rdr.records().filter_map(|r| r.ok()).collect();
    if records.is_empty() {
        bail!("{}: no CSV records", input.display());
    }
    expect::count(input, "articles", records.len())?;
    let text_col = headers.iter().position(|h| h == "article_content" || h == "text").context("no text column")?;
    let title_col = headers.iter().position(|h| h == "article_title" || h == "title");
    let mut wtr = csv::Writer::from_writer(Vec::new());
    wtr.write_record(&headers)?;
    let mut docs: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let mut r: Vec<String> = records[i % records.len()].iter().map(String::from).collect();
        r[0] = format!("{i}");
        let copy = i / records.len();
        if copy > 0 {
            r[text_col] = format!("{} (copy {copy})", r[text_col]);
        }
        let title = title_col.map_or("", |c| records[i % records.len()].get(c).unwrap_or(""));
        docs.push(format!("{title}\n\n{}\n", r[text_col]));
        wtr.write_record(&r)?;
    }
    let csv_bytes = wtr.into_inner()?;
    let opts = ReadOptions::default();
    println!("corpus: {} ({} records) replicated to {n} articles", input.display(), records.len());

    let t = Instant::now();
    let (ok, failed) = read_counting([("bench.csv".to_string(), csv_bytes.as_slice())], &opts);
    print_read_speed("csv path: ", ok, failed, t.elapsed().as_secs_f64(), csv_bytes.len());

    let text_bytes: usize = docs.iter().map(String::len).sum();
    let t = Instant::now();
    let (ok, failed) = read_counting(docs.iter().enumerate().map(|(i, d)| (format!("{i}.txt"), d.as_bytes())), &opts);
    print_read_speed("text path:", ok, failed, t.elapsed().as_secs_f64(), text_bytes);
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (RSS): {m:.0} MiB (the replicated corpus is held in memory twice)");
    }
    Ok(true)
}

/// Reads each (name, bytes): how many articles came, how many failed.
fn read_counting<'a>(docs: impl IntoIterator<Item = (String, &'a [u8])>, opts: &ReadOptions) -> (usize, usize) {
    let (mut ok, mut failed) = (0usize, 0usize);
    for (name, bytes) in docs {
        read::read_bytes(&name, bytes, opts, &mut |r| {
            if r.is_ok() {
                ok += 1
            } else {
                failed += 1
            }
        });
    }
    (ok, failed)
}

fn print_read_speed(path: &str, ok: usize, failed: usize, secs: f64, bytes: usize) {
    println!(
        "{path} {ok} articles ({failed} failed) in {secs:.2} s = {:.0} articles/s, {:.1} MB/s",
        ok as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}

/// Every article of a file or folder, read and cleaned.
fn corpus(input: &Path) -> Result<Vec<sitrep_core::Article>> {
    let (inputs, errors) = read::expand(&[input.display().to_string()]);
    if let Some(e) = errors.first() {
        bail!("{e}");
    }
    let (articles, _) = read::read_all(&inputs, &ReadOptions::default());
    if articles.is_empty() {
        bail!("{}: no articles", input.display());
    }
    expect::count(input, "articles", articles.len())?;
    Ok(articles)
}

fn bench_extract(input: &Path, n: usize) -> Result<bool> {
    let articles = corpus(input)?;
    // Warm the lazily built knowledge outside the timing.
    let extractor = sitrep_core::Knowledge::builtin().extractor(sitrep_core::extract::learned::TyperKind::default());
    let _ = extractor.extract(&articles[0]);
    let t = Instant::now();
    let mut events = 0usize;
    for i in 0..n {
        events += extractor.extract(&articles[i % articles.len()]).len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!("corpus: {} ({} articles) extracted {n} times in all", input.display(), articles.len());
    println!("extraction: {n} articles, {events} events in {secs:.2} s = {:.0} articles/s on one core", n as f64 / secs);
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (RSS): {m:.0} MiB");
    }
    Ok(true)
}

fn bench_geocode(input: &Path, n: usize) -> Result<bool> {
    let articles = corpus(input)?;
    let t = Instant::now();
    let _ = sitrep_core::geocode::Gazetteer::builtin();
    println!("gazetteer loaded in {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let kb = sitrep_core::Knowledge::builtin();
    let extractor = kb.extractor(sitrep_core::extract::learned::TyperKind::default());
    let extracted: Vec<_> = articles.iter().map(|a| extractor.extract_with_places(a)).collect();
    let t = Instant::now();
    let (mut events, mut placed) = (0usize, 0usize);
    for i in 0..n {
        let k = i % articles.len();
        let (evs, places) = &extracted[k];
        let mut evs = evs.clone();
        sitrep_core::geocode::geocode_events(kb.gazetteer, &articles[k], &mut evs, places);
        events += evs.len();
        placed += evs.iter().filter(|e| e.latitude.is_some()).count();
    }
    let secs = t.elapsed().as_secs_f64();
    println!("corpus: {} ({} articles) geocoded {n} times in all", input.display(), articles.len());
    println!("geocoding: {n} articles, {events} events ({placed} placed) in {secs:.2} s = {:.0} articles/s on one core", n as f64 / secs);
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (RSS): {m:.0} MiB");
    }
    Ok(true)
}

/// `I/K`: worker I of K (`--share`).
fn parse_share(s: &str) -> std::result::Result<(usize, usize), String> {
    let (i, k) = s.split_once('/').ok_or_else(|| format!("{s:?}: not I/K"))?;
    let (i, k) = (i.parse::<usize>().map_err(|e| e.to_string())?, k.parse::<usize>().map_err(|e| e.to_string())?);
    if i >= k {
        return Err(format!("{s:?}: worker I of K needs I < K"));
    }
    Ok((i, k))
}

/// A store location as a command line gives it (a URL with its password: for a child process).
fn location_arg(loc: &Location) -> String {
    match loc {
        Location::Sqlite(p) => p.display().to_string(),
        Location::Postgres(url) => url.clone(),
    }
}

/// Removes an SQLite store's files (a PostgreSQL store is left to its owner).
fn remove_store(loc: &Location) {
    if let Some(path) = loc.file() {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
    }
}

/// The store a bench ingest writes, made ready: the given one (a file removed first) or a
/// temporary file, created and migrated, refused if it holds an article; whether to keep it.
fn fresh_store(db: Option<Location>) -> Result<(Location, bool)> {
    let keep = db.is_some();
    let loc = db.unwrap_or_else(|| Location::sqlite(std::env::temp_dir().join(format!("sitrep-bench-{}.db", std::process::id()))));
    remove_store(&loc);
    let store = sitrep_core::store::open(&loc, Access::ReadWrite)?;
    let (articles, _) = store.counts()?;
    if articles > 0 {
        bail!("{loc}: holds {articles} articles; give an empty database or schema");
    }
    Ok((loc, keep))
}

/// How a bench ingest runs: `n` copies in all, articles per batch, whether fusion follows.
#[derive(Clone, Copy)]
struct IngestHow {
    n: usize,
    batch: usize,
    fuse: bool,
}

/// What one ingest (of a share of the copies) did.
struct IngestRun {
    read: usize,
    new: usize,
    failed: usize,
    /// Seconds of the ingest, its fusion excluded.
    secs: f64,
    extract_secs: f64,
    store_secs: f64,
    fusion_secs: f64,
    fused: usize,
}

/// The corpus as the parts of its copies: each article's title and clean body.
fn raw_parts(articles: &[sitrep_core::Article]) -> Vec<(String, String)> {
    articles
        .iter()
        .map(|a| (a.title.clone().unwrap_or_default(), a.paragraphs.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n\n")))
        .collect()
}

/// The ingest `sitrep ingest` runs, of copies `i`, `i + k`, ... below `n` (`share` (i, k)), each
/// copy raw text with a tag that makes it new; timed from after opening, its fusion apart.
fn ingest_share(raw: &[(String, String)], how: IngestHow, loc: &Location, share: (usize, usize)) -> Result<IngestRun> {
    let (n, batch) = (how.n, how.batch);
    let mut store = sitrep_core::store::open(loc, Access::ReadWrite)?;
    let _ = sitrep_core::geocode::Gazetteer::builtin();
    let opts = ReadOptions::default();
    let t = Instant::now();
    let mut failed = 0usize;
    let policy = sitrep_core::ingest::Policy { batch, ..sitrep_core::ingest::Policy::default() };
    let source = |ing: &mut sitrep_core::ingest::Ingester<'_>| {
        for k in (share.0..n).step_by(share.1) {
            let (title, body) = &raw[k % raw.len()];
            let text = format!("{title}\n\nCopy {k}. {body}\n");
            read::read_bytes(&format!("bench/{k}.txt"), text.as_bytes(), &opts, &mut |r| match r {
                Ok(a) => {
                    ing.push(a);
                }
                Err(_) => failed += 1,
            });
            if ing.stopped() {
                return;
            }
        }
    };
    let outcome = match how.fuse {
        true => sitrep_core::ingest::run(store.as_mut(), &policy, source),
        false => sitrep_core::ingest::run_unfused(store.as_mut(), &policy, source),
    };
    if let Some(e) = outcome.failure {
        return Err(e.into());
    }
    let fused = match outcome.fusion {
        Some(f) => f?.fused_events,
        None => 0,
    };
    let secs = t.elapsed().as_secs_f64() - outcome.fusion_secs;
    store.checkpoint()?;
    let s = outcome.summary;
    Ok(IngestRun {
        read: s.read,
        new: s.new,
        failed: failed + s.failed.len(),
        secs,
        extract_secs: s.extract_secs,
        store_secs: s.store_secs,
        fusion_secs: outcome.fusion_secs,
        fused,
    })
}

/// What the store holds after a bench: articles, events, and an SQLite file's size.
fn print_database(loc: &Location) -> Result<()> {
    let store = sitrep_core::store::open(loc, Access::ReadOnly)?;
    let (stored, events) = store.counts()?;
    drop(store);
    match loc.file() {
        Some(path) => {
            let mib = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;
            let per = mib / (stored.max(1) as f64 / 1000.0);
            println!("database: {stored} articles, {events} events, {mib:.1} MiB = {per:.2} MiB per 1,000 articles ({loc})");
        }
        None => println!("database: {stored} articles, {events} events ({loc})"),
    }
    Ok(())
}

fn bench_ingest(input: &Path, how: IngestHow, db: Option<Location>) -> Result<bool> {
    let (n, batch) = (how.n, how.batch);
    let articles = corpus(input)?;
    let raw = raw_parts(&articles);
    let (loc, keep) = fresh_store(db)?;
    let run = ingest_share(&raw, how, &loc, (0, 1))?;
    println!("corpus: {} ({} articles) replicated to {n} distinct articles; batches of {batch}", input.display(), articles.len());
    println!(
        "ingest: {} read, {} new, {} failed in {:.1} s = {:.0} articles/s on {} threads",
        run.read,
        run.new,
        run.failed,
        run.secs,
        n as f64 / run.secs,
        rayon::current_num_threads()
    );
    println!("of which: extracting and geocoding {:.1} s (in parallel), storing {:.1} s", run.extract_secs, run.store_secs);
    if how.fuse {
        println!("then fusion: {} fused events in {:.1} s", run.fused, run.fusion_secs);
    }
    print_database(&loc)?;
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (RSS): {m:.0} MiB");
    }
    if !keep {
        remove_store(&loc);
    }
    Ok(true)
}

/// Worker `share` of `bench ingest --workers`: its share of the copies into the store its
/// parent made ready; one line for people, one (`share ...`) for the parent.
fn ingest_worker(input: &Path, how: IngestHow, db: Option<Location>, share: (usize, usize)) -> Result<bool> {
    let loc = db.context("--share needs --db (the store its parent made ready)")?;
    let raw = raw_parts(&corpus(input)?);
    let run = ingest_share(&raw, how, &loc, share)?;
    let rss = peak_rss_mib().unwrap_or(f64::NAN);
    println!(
        "worker {}/{}: {} read, {} new, {} failed; ingest {:.1} s (extracting {:.1} s, storing {:.1} s), then fusion {:.1} s ({} fused events); peak RSS {rss:.0} MiB",
        share.0, share.1, run.read, run.new, run.failed, run.secs, run.extract_secs, run.store_secs, run.fusion_secs, run.fused
    );
    println!("share {} {} {} {rss}", share.0, run.secs, run.fusion_secs);
    Ok(true)
}

/// `bench ingest --workers K`: K copies of this program at once, each ingesting every K-th
/// copy into one store. Prints the wall time from their start to the last one's exit, the
/// rate over the longest worker's own ingest time, and each worker's peak memory.
fn ingest_workers(input: &Path, how: IngestHow, db: Option<Location>, workers: usize) -> Result<bool> {
    let (n, batch) = (how.n, how.batch);
    let (loc, keep) = fresh_store(db)?;
    let exe = std::env::current_exe()?;
    let t = Instant::now();
    let children = (0..workers)
        .map(|i| {
            std::process::Command::new(&exe)
                .args(["ingest", "--input", &input.display().to_string(), "--articles", &n.to_string(), "--batch", &batch.to_string()])
                .args(["--db", &location_arg(&loc), "--share", &format!("{i}/{workers}")])
                .args((!how.fuse).then_some("--no-fusion"))
                .stdout(std::process::Stdio::piped())
                .spawn()
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let outputs = children.into_iter().map(|c| c.wait_with_output()).collect::<std::io::Result<Vec<_>>>()?;
    let wall = t.elapsed().as_secs_f64();
    let (mut longest, mut rss) = (0f64, Vec::new());
    for (i, out) in outputs.iter().enumerate() {
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!("worker {i} failed ({}): {text}", out.status);
        }
        for line in text.lines() {
            match line.strip_prefix("share ").map(|l| l.split(' ').filter_map(|x| x.parse::<f64>().ok()).collect::<Vec<_>>()) {
                Some(v) if v.len() == 4 => {
                    longest = longest.max(v[1]);
                    rss.push(v[3]);
                }
                _ => println!("{line}"),
            }
        }
    }
    println!("corpus: {} replicated to {n} distinct articles; batches of {batch}; {workers} worker processes", input.display());
    println!(
        "ingest: {:.0} articles/s over the longest worker's ingest ({longest:.1} s, fusion excluded); {wall:.1} s wall from start to the last exit (loading, ingest and any fusion)",
        n as f64 / longest
    );
    let shown: Vec<String> = rss.iter().map(|m| format!("{m:.0}")).collect();
    println!("peak memory (RSS) per worker: {} MiB; together {:.0} MiB", shown.join(", "), rss.iter().sum::<f64>());
    print_database(&loc)?;
    if !keep {
        remove_store(&loc);
    }
    Ok(true)
}

/// Copy `c` of an article and its events: new ids and URL, dates a week earlier per copy
/// (ten years round, then again).
fn copy_with_events(a: &sitrep_core::Article, events: &[sitrep_core::Event], c: usize) -> (sitrep_core::Article, Vec<sitrep_core::Event>) {
    let shift = chrono::Duration::days(-((c as i64 * 7) % 3654));
    let mut a = a.clone();
    a.id = format!("{}-{c}", a.id);
    a.url = Some(format!("bench://{c}/{}", a.id));
    if let Some(p) = a.published.as_mut() {
        p.date += shift;
    }
    let events = events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.event_id = format!("{}-{c}", e.event_id);
            e.article_id = a.id.clone();
            e.event_date = e.event_date.map(|d| d + shift);
            e
        })
        .collect();
    (a, events)
}

fn bench_populate(input: &Path, n: usize, batch: usize, loc: &Location) -> Result<bool> {
    let articles = corpus(input)?;
    let base: Vec<_> = articles.iter().map(|a| (a, sitrep_core::events_of(a))).collect();
    let per_copy: usize = base.iter().map(|(_, e)| e.len()).sum();
    if per_copy == 0 {
        bail!("{}: no events", input.display());
    }
    let (loc, _) = fresh_store(Some(loc.clone()))?;
    let mut store = sitrep_core::store::open(&loc, Access::ReadWrite)?;
    store.set_cache_mib(Some(sitrep_core::ingest::Policy::DEFAULT_CACHE_MIB))?;
    let copies = n.div_ceil(per_copy);
    let t = Instant::now();
    let mut chunk = Vec::with_capacity(batch);
    for c in 0..copies {
        for (a, events) in &base {
            chunk.push(copy_with_events(a, events, c));
            if chunk.len() >= batch {
                store.put_batch(&chunk)?;
                chunk.clear();
            }
        }
    }
    if !chunk.is_empty() {
        store.put_batch(&chunk)?;
    }
    store.set_cache_mib(None)?;
    store.checkpoint()?;
    let secs = t.elapsed().as_secs_f64();
    drop(store);
    println!("corpus: {} ({} articles, {per_copy} events) copied {copies} times; batches of {batch}", input.display(), articles.len());
    println!("stored in {secs:.1} s = {:.0} events/s", (copies * per_copy) as f64 / secs);
    print_database(&loc)?;
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (RSS): {m:.0} MiB");
    }
    Ok(true)
}

/// `sitrep serve` in this process on a loopback port, for `db`: its base URL.
fn serve_in_process(db: &Location) -> Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let config =
        sitrep_server::Config { db: db.clone(), addr: "127.0.0.1:0".parse()?, token: None, max_body: 1 << 20, limits: Default::default() };
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(config.addr).await.expect("a loopback port");
            tx.send(listener.local_addr().expect("an address")).expect("the bench waits");
            let _ = sitrep_server::serve_on(listener, config, std::future::pending()).await;
        });
    });
    Ok(format!("http://{}", rx.recv()?))
}

/// A path with `cursor=@P` made the path of page P: the first page's `next_cursor` followed
/// P - 1 times (each page asked for as the path asks, without the cursor).
fn resolve_cursor(base: &str, path: &str) -> Result<String> {
    let re = regex::Regex::new(r"cursor=@(\d+)").expect("a regex");
    let Some(m) = re.captures(path) else { return Ok(path.to_string()) };
    let page: usize = m[1].parse()?;
    let first = re.replace(path, "").replace("?&", "?").replace("&&", "&").trim_end_matches(['?', '&']).to_string();
    let sep = if first.contains('?') { '&' } else { '?' };
    let mut cursor = String::new();
    for _ in 1..page.max(1) {
        let url = if cursor.is_empty() { format!("{base}{first}") } else { format!("{base}{first}{sep}cursor={cursor}") };
        let v: serde_json::Value = ureq::get(&url).call()?.into_json()?;
        cursor = v["next_cursor"].as_str().with_context(|| format!("{path}: no page {page}"))?.to_string();
    }
    Ok(re.replace(path, format!("cursor={cursor}").as_str()).into_owned())
}

fn bench_http(db: &Location, clients: usize, seconds: u64, paths: &[String], each: bool) -> Result<bool> {
    if db.file().is_some_and(|p| !p.exists()) {
        bail!("{db}: no such database (make one with `sitrep-bench ingest --db ...` or `sitrep-bench populate`)");
    }
    let base = serve_in_process(db)?;
    let health: serde_json::Value = ureq::get(&format!("{base}/healthz")).call()?.into_json()?;
    println!("serving {db} ({} articles, {} events) on {base}", health["articles"], health["events"]);
    let paths = paths.iter().map(|p| resolve_cursor(&base, p)).collect::<Result<Vec<_>>>()?;
    if !each {
        return http_load(&base, clients, seconds, &paths);
    }
    let mut ok = true;
    for p in &paths {
        ok &= http_load(&base, clients, seconds, std::slice::from_ref(p))?;
    }
    Ok(ok)
}

/// `clients` clients requesting `paths` in turn for `seconds`: requests/s, latency
/// percentiles, errors (false if any).
fn http_load(base: &str, clients: usize, seconds: u64, paths: &[String]) -> Result<bool> {
    let deadline = Instant::now() + std::time::Duration::from_secs(seconds);
    let results: Vec<(Vec<f64>, usize, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients).map(|c| s.spawn(move || http_client(base, paths, c, deadline))).collect();
        handles.into_iter().map(|h| h.join().expect("a client thread")).collect()
    });
    let mut lat: Vec<f64> = results.iter().flat_map(|r| r.0.iter().copied()).collect();
    let errors: usize = results.iter().map(|r| r.1).sum();
    let bytes: u64 = results.iter().map(|r| r.2).sum();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat.get(((lat.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN);
    println!("load: {clients} clients for {seconds} s on {}", paths.join(", "));
    println!(
        "{} requests, {errors} errors: {:.0} requests/s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.1} MiB served",
        lat.len(),
        lat.len() as f64 / seconds as f64,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        lat.last().copied().unwrap_or(f64::NAN),
        bytes as f64 / 1048576.0
    );
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (RSS, server and clients): {m:.0} MiB");
    }
    Ok(errors == 0)
}

/// One client of [`http_load`] (the `c`-th: it starts at that path): latencies in ms, errors,
/// bytes read.
fn http_client(base: &str, paths: &[String], c: usize, deadline: Instant) -> (Vec<f64>, usize, u64) {
    let agent = ureq::AgentBuilder::new().build();
    let (mut lat, mut errors, mut bytes) = (Vec::new(), 0usize, 0u64);
    let mut i = c;
    while Instant::now() < deadline {
        let path = &paths[i % paths.len()];
        i += 1;
        let t = Instant::now();
        match agent.get(&format!("{base}{path}")).call() {
            Ok(r) => {
                let mut body = Vec::new();
                if r.into_reader().read_to_end(&mut body).is_ok() {
                    bytes += body.len() as u64;
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                } else {
                    errors += 1;
                }
            }
            Err(_) => errors += 1,
        }
    }
    (lat, errors, bytes)
}
/// ROC AUC of scores against binary labels (1 positive), ties counted half.
fn roc_auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            ranks[idx[k]] = r;
        }
        i = j + 1;
    }
    let pos = labels.iter().filter(|&&l| l).count() as f64;
    let neg = labels.len() as f64 - pos;
    let sum: f64 = ranks.iter().zip(labels).filter(|(_, &l)| l).map(|(r, _)| r).sum();
    (sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// The best accuracy any threshold on the scores reaches, and the threshold.
fn best_accuracy(scores: &[f64], labels: &[bool]) -> (f64, f64) {
    let mut cuts: Vec<f64> = scores.to_vec();
    cuts.push(f64::NEG_INFINITY);
    cuts.push(f64::INFINITY);
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let mut best = (0.0, 0.0);
    for &t in &cuts {
        let right = scores.iter().zip(labels).filter(|(&s, &l)| (s >= t) == l).count() as f64 / labels.len() as f64;
        if right > best.0 {
            best = (right, t);
        }
    }
    best
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 1).map(|w| w.to_lowercase()).collect()
}

/// Multinomial naive Bayes over words, scored by k-fold cross-validation (`fold_of` each row's fold):
/// each article's log-odds of "credible" from a model that never saw it.
fn naive_bayes_cv(docs: &[Vec<String>], labels: &[bool], fold_of: &[usize], k: usize) -> Vec<f64> {
    let mut out = vec![0.0; docs.len()];
    for fold in 0..k {
        let mut counts: [std::collections::HashMap<&str, f64>; 2] = Default::default();
        let (mut totals, mut priors) = ([0.0f64; 2], [0.0f64; 2]);
        for (i, d) in docs.iter().enumerate() {
            if fold_of[i] == fold {
                continue;
            }
            let c = usize::from(labels[i]);
            priors[c] += 1.0;
            for w in d {
                *counts[c].entry(w.as_str()).or_default() += 1.0;
                totals[c] += 1.0;
            }
        }
        let vocab: std::collections::HashSet<&str> = counts[0].keys().chain(counts[1].keys()).copied().collect();
        let v = vocab.len() as f64;
        for (i, d) in docs.iter().enumerate() {
            if fold_of[i] != fold {
                continue;
            }
            let mut lp = [priors[0].max(1.0).ln(), priors[1].max(1.0).ln()];
            for w in d {
                for c in 0..2 {
                    lp[c] += ((counts[c].get(w.as_str()).copied().unwrap_or(0.0) + 1.0) / (totals[c] + v)).ln();
                }
            }
            out[i] = lp[1] - lp[0];
        }
    }
    out
}

/// Each article's fold (0..k), by a seeded shuffle of the rows: folds by article.
fn folds_of(n: usize, k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut x: u64 = 0x005e_ed17;
    for i in (1..n).rev() {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        order.swap(i, ((x >> 33) as usize) % (i + 1));
    }
    let mut fold = vec![0; n];
    for (pos, &i) in order.iter().enumerate() {
        fold[i] = pos % k;
    }
    fold
}

/// Mean squared error of probabilities against labels.
fn brier(p: &[f64], labels: &[bool]) -> f64 {
    p.iter().zip(labels).map(|(p, &l)| (p - if l { 1.0 } else { 0.0 }).powi(2)).sum::<f64>() / p.len().max(1) as f64
}

/// TF-IDF (sublinear tf, smoothed idf, L2-normalised) of words, logistic regression by full-batch
/// gradient descent with an L2 penalty; each fold's vocabulary and idf from its training part.
/// Returns out-of-fold probabilities.
fn tfidf_cv(docs: &[Vec<String>], labels: &[bool], fold: &[usize], k: usize) -> Vec<f64> {
    let mut out = vec![0.5; docs.len()];
    for f in 0..k {
        let train: Vec<usize> = (0..docs.len()).filter(|&i| fold[i] != f).collect();
        let mut df: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for &i in &train {
            let set: std::collections::HashSet<&str> = docs[i].iter().map(String::as_str).collect();
            for w in set {
                *df.entry(w).or_default() += 1;
            }
        }
        let mut vocab: Vec<&str> = df.keys().copied().collect();
        vocab.sort_unstable();
        let index: std::collections::HashMap<&str, usize> = vocab.iter().enumerate().map(|(j, w)| (*w, j)).collect();
        let n = train.len() as f64;
        let idf: Vec<f64> = vocab.iter().map(|w| ((1.0 + n) / (1.0 + df[w] as f64)).ln() + 1.0).collect();
        let vec_of = |d: &Vec<String>| -> Vec<(usize, f64)> {
            let mut tf: BTreeMap<usize, f64> = BTreeMap::new();
            for w in d {
                if let Some(&j) = index.get(w.as_str()) {
                    *tf.entry(j).or_default() += 1.0;
                }
            }
            let mut v: Vec<(usize, f64)> = tf.into_iter().map(|(j, c)| (j, (1.0 + c.ln()) * idf[j])).collect();
            let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt().max(1e-12);
            v.iter_mut().for_each(|(_, x)| *x /= norm);
            v
        };
        let xs: Vec<Vec<(usize, f64)>> = train.iter().map(|&i| vec_of(&docs[i])).collect();
        let ys: Vec<f64> = train.iter().map(|&i| if labels[i] { 1.0 } else { 0.0 }).collect();
        let (mut w, mut b) = (vec![0.0; vocab.len()], 0.0);
        let (lr, l2) = (4.0, 1e-3);
        for _ in 0..400 {
            let mut g = vec![0.0; vocab.len()];
            let mut gb = 0.0;
            for (x, y) in xs.iter().zip(&ys) {
                let z: f64 = b + x.iter().map(|(j, v)| w[*j] * v).sum::<f64>();
                let e = 1.0 / (1.0 + (-z).exp()) - y;
                gb += e;
                for (j, v) in x {
                    g[*j] += e * v;
                }
            }
            for j in 0..w.len() {
                w[j] -= lr * (g[j] / n + l2 * w[j]);
            }
            b -= lr * gb / n;
        }
        for i in (0..docs.len()).filter(|&i| fold[i] == f) {
            let z: f64 = b + vec_of(&docs[i]).iter().map(|(j, v)| w[*j] * v).sum::<f64>();
            out[i] = 1.0 / (1.0 + (-z).exp());
        }
    }
    out
}

/// The credibility model's out-of-fold probabilities: trained on the other folds, each article
/// scored by the model that never saw it (fold `usize::MAX` rows are never held out).
/// The outlet's record alone: the training folds' rate of credible for the outlet (Laplace),
/// the base rate for an outlet the folds never saw.
fn outlet_cv(outlets: &[Option<String>], labels: &[bool], fold: &[usize], k: usize) -> Vec<f64> {
    let mut out = vec![0.5; outlets.len()];
    for f in 0..k {
        let mut per: std::collections::HashMap<&str, (f64, f64)> = std::collections::HashMap::new();
        let (mut pos, mut all) = (0.0f64, 0.0f64);
        for i in (0..outlets.len()).filter(|&i| fold[i] != f) {
            let c = per.entry(outlets[i].as_deref().unwrap_or("")).or_default();
            c.1 += 1.0;
            all += 1.0;
            if labels[i] {
                c.0 += 1.0;
                pos += 1.0;
            }
        }
        for i in (0..outlets.len()).filter(|&i| fold[i] == f) {
            out[i] = per.get(outlets[i].as_deref().unwrap_or("")).map_or(pos / all.max(1.0), |(p, n)| (p + 1.0) / (n + 2.0));
        }
    }
    out
}

fn model_cv(
    feats: &[sitrep_core::credibility::Features],
    outlets: &[Option<String>],
    labels: &[bool],
    fold: &[usize],
    k: usize,
    outlet: bool,
) -> Vec<f64> {
    use sitrep_core::credibility::{train, Example, TrainOptions, WordLists};
    let mut names = WordLists::builtin().feature_names();
    // Extra columns (the corroboration variant) get names of their own.
    for j in names.len()..feats.first().map_or(0, |f| f.values.len()) {
        names.push(format!("extra{j}"));
    }
    let mut out = vec![0.5; feats.len()];
    for f in 0..k {
        let ex: Vec<Example> = (0..feats.len())
            .filter(|&i| fold[i] != f)
            .map(|i| Example { features: &feats[i], outlet: outlets[i].as_deref(), credible: labels[i] })
            .collect();
        let m = train(&ex, &names, &TrainOptions { outlet, ..TrainOptions::default() });
        for i in (0..feats.len()).filter(|&i| fold[i] == f) {
            out[i] = m.probability(&feats[i], outlets[i].as_deref());
        }
    }
    out
}

/// FA-KES dev and its labels, joined; the rows that do not read are reported and skipped.
fn read_fakes(input: &Path, labels: &Path) -> Result<Vec<sitrep_core::credibility::LabelledArticle>> {
    let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    let ltext = std::fs::read_to_string(labels).with_context(|| format!("reading {}", labels.display()))?;
    let (rows, errors) = sitrep_core::credibility::read_fakes(&input.display().to_string(), &text, &labels.display().to_string(), &ltext)?;
    for e in &errors {
        eprintln!("{e}");
    }
    Ok(rows)
}

fn bench_fakes_credibility(input: &Path, labels_path: Option<&Path>, show_clusters: bool) -> Result<bool> {
    let labels_path = labels_path.map(Path::to_path_buf).unwrap_or_else(|| input.with_file_name("fakes-dev-labels.csv"));
    let FakesRows { rows, gold, public, crowd } = fakes_rows(input, &labels_path)?;
    let t = Instant::now();
    let events: Vec<Vec<sitrep_core::Event>> = rows.iter().map(|(a, _, _)| sitrep_core::events_of(a)).collect();
    let reports: Vec<sitrep_core::fuse::Report> = rows
        .iter()
        .zip(&events)
        .flat_map(|((a, _, _), evs)| {
            evs.iter().map(move |e| sitrep_core::fuse::Report { event: e, published: a.published.map(|p| p.date) })
        })
        .collect();
    let fused = sitrep_core::fuse::fuse(&reports, sitrep_core::Knowledge::builtin());
    let all: Vec<&sitrep_core::Event> = events.iter().flatten().collect();
    let cred = sitrep_core::fuse::article_credibility(&fused, &all);
    let run = CredRun::new(&rows, &public, &cred);
    let multi: Vec<&sitrep_core::fuse::FusedEvent> = fused.iter().filter(|f| f.sources.len() > 1).collect();
    let labels = &run.labels;
    println!(
        "FA-KES: {} articles ({} credible, {} fake by label_features_file; {} credible by the public label), {} events, {} fused events, {} from several outlets ({:.1} s)",
        rows.len(),
        labels.iter().filter(|&&l| l).count(),
        labels.iter().filter(|&&l| !l).count(),
        public.iter().filter(|&&l| l).count(),
        all.len(),
        fused.len(),
        multi.len(),
        t.elapsed().as_secs_f64()
    );
    print_credibility_models(&run);
    print_consistency_models(&run, &text_claims(&rows, &events), &crowd);
    print_corroboration(&run, &cred);
    let main_scores = main_event_scores(&rows, &events, &fused, &all);
    println!("  main event only (agreement of its toll with other outlets'): ROC AUC {:.3}", roc_auc(&main_scores, labels));
    let (nb, labels) = (&run.nb, labels.as_slice());
    let (acc, thr) = best_accuracy(nb, labels);
    println!(
        "baseline, bag-of-words naive Bayes (10-fold CV): ROC AUC {:.3}; best-threshold accuracy {:.3} (log-odds >= {thr:.2})",
        roc_auc(nb, labels),
        acc
    );
    let base = labels.iter().filter(|&&l| l).count().max(labels.iter().filter(|&&l| !l).count()) as f64 / labels.len() as f64;
    println!("majority class accuracy: {base:.3}");
    print_clusters(&rows, &fused, &multi, &gold, show_clusters);
    Ok(true)
}

/// Each article's claim as sitrep reads it: its main event's toll, date and governorate.
fn text_claims(rows: &[FakesRow], events: &[Vec<sitrep_core::Event>]) -> Vec<Claim> {
    rows.iter()
        .zip(events)
        .map(|((a, _, _), evs)| {
            let m = sitrep_core::main_event(a, evs, sitrep_core::Knowledge::builtin());
            Claim {
                outlet: a.source.as_deref().unwrap_or("").to_lowercase(),
                toll: m.filter(|m| m.states_toll()).map(|m| m.fatalities),
                date: m.and_then(|m| m.event_date),
                place: m.and_then(|m| m.admin1.as_deref()).map(str::to_lowercase),
            }
        })
        .collect()
}

/// The fused clusters: their sizes, how many multi-outlet ones agree on the crowd's date and
/// place, and (with `show`) each multi-outlet cluster with its articles.
fn print_clusters(
    rows: &[FakesRow],
    fused: &[sitrep_core::fuse::FusedEvent],
    multi: &[&sitrep_core::fuse::FusedEvent],
    gold: &std::collections::HashMap<String, (Option<chrono::NaiveDate>, String)>,
    show_clusters: bool,
) {
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for f in fused {
        *sizes.entry(f.articles.len()).or_default() += 1;
    }
    println!("clusters by articles: {}", sizes.iter().map(|(k, v)| format!("{k} articles: {v}")).collect::<Vec<_>>().join(", "));
    // A check that needs no reading, and is only a proxy: the articles of a multi-outlet cluster
    // should agree on their crowd-coded main event's date (within 3 days) and place. FA-KES codes
    // one event per article, so a right cluster of two articles' secondary events can fail it.
    let consistent = multi
        .iter()
        .filter(|f| {
            let g: Vec<&(Option<chrono::NaiveDate>, String)> = f.articles.iter().filter_map(|a| gold.get(a)).collect();
            g.iter().enumerate().all(|(i, a)| {
                g[i + 1..].iter().all(|b| matches!((a.0, b.0), (Some(x), Some(y)) if (x - y).num_days().abs() <= 3) && a.1 == b.1)
            })
        })
        .count();
    println!(
        "multi-outlet clusters whose articles' crowd-coded date (within 3 days) and place agree: {consistent} of {} ({:.0}%)",
        multi.len(),
        100.0 * consistent as f64 / multi.len().max(1) as f64
    );
    if show_clusters {
        let title: std::collections::HashMap<&str, (&str, bool)> =
            rows.iter().map(|(a, l, _)| (a.id.as_str(), (a.title.as_deref().unwrap_or("-"), *l))).collect();
        for f in multi {
            println!(
                "{} | {} articles, {} | {} | {} vs {} | {} ({}) | {} | fatalities {} ({}-{}) | {}",
                f.id,
                f.articles.len(),
                f.sources.join(", "),
                f.sub_event_type,
                f.actor1.as_deref().unwrap_or("-"),
                f.actor2.as_deref().unwrap_or("-"),
                f.location.as_deref().unwrap_or("-"),
                f.admin1.as_deref().unwrap_or("-"),
                f.event_date.map_or("-".to_string(), |d| d.to_string()),
                f.fatalities,
                f.fatalities_range.0,
                f.fatalities_range.1,
                f.corroboration.reason
            );
            for a in &f.articles {
                let (t, l) = title.get(a.as_str()).copied().unwrap_or(("-", false));
                println!("    [{}] {t}", if l { "credible" } else { "fake" });
            }
        }
    }
}

/// FA-KES dev articles: (article, label_features_file, its words).
type FakesRow = (sitrep_core::Article, bool, Vec<String>);

/// FA-KES dev with both label columns: the rows, each article's crowd-coded main event (its
/// date and place), and the public labels.
struct FakesRows {
    rows: Vec<FakesRow>,
    gold: std::collections::HashMap<String, (Option<chrono::NaiveDate>, String)>,
    public: Vec<bool>,
    /// Each article's crowd-coded claim (its toll: civilians and non-civilians killed).
    crowd: Vec<Claim>,
}

fn fakes_rows(input: &Path, labels_path: &Path) -> Result<FakesRows> {
    let labelled = read_fakes(input, labels_path)?;
    expect::count(input, "labelled articles", labelled.len())?;
    let mut out = FakesRows { rows: Vec::new(), gold: Default::default(), public: Vec::new(), crowd: Vec::new() };
    for l in labelled {
        let field = |n: &str| l.row.get(n).map(|s| s.trim().to_string()).unwrap_or_default();
        out.gold.insert(l.article.id.clone(), (fakes_date(&field("date")), field("location").to_lowercase()));
        let num = |n: &str| field(n).parse::<u32>().unwrap_or(0);
        out.crowd.push(Claim {
            outlet: field("source").to_lowercase(),
            toll: Some(num("nb_civilians") + num("nb_noncivilians")),
            date: fakes_date(&field("date")),
            place: Some(field("location").to_lowercase()).filter(|p| !p.is_empty()),
        });
        let w = words(&format!("{} {}", field("article_title"), field("article_content")));
        out.public.push(l.label_public);
        out.rows.push((l.article, l.label_features_file, w));
    }
    Ok(out)
}

/// What the credibility predictors are scored on: the rows, their labels (both columns), the
/// folds, fusion's article scores, and the naive Bayes baseline's cross-validated scores.
struct CredRun<'a> {
    rows: &'a [FakesRow],
    labels: Vec<bool>,
    public: &'a [bool],
    docs: Vec<Vec<String>>,
    fold: Vec<usize>,
    k: usize,
    by_article: std::collections::HashMap<&'a str, &'a sitrep_core::fuse::ArticleCredibility>,
    nb: Vec<f64>,
    /// sitrep's corroboration score of each article (0.6 when fusion scored none).
    ours: Vec<f64>,
}

impl<'a> CredRun<'a> {
    fn new(rows: &'a [FakesRow], public: &'a [bool], cred: &'a [sitrep_core::fuse::ArticleCredibility]) -> CredRun<'a> {
        let by_article: std::collections::HashMap<&str, &sitrep_core::fuse::ArticleCredibility> =
            cred.iter().map(|c| (c.article_id.as_str(), c)).collect();
        let labels: Vec<bool> = rows.iter().map(|r| r.1).collect();
        let ours: Vec<f64> = rows.iter().map(|(a, _, _)| by_article.get(a.id.as_str()).map_or(0.6, |c| c.score as f64)).collect();
        let docs: Vec<Vec<String>> = rows.iter().map(|r| r.2.clone()).collect();
        let k = 10;
        let fold = folds_of(rows.len(), k);
        let nb = naive_bayes_cv(&docs, &labels, &fold, k);
        CredRun { rows, labels, public, docs, fold, k, by_article, nb, ours }
    }
}

/// Each article's word-list features, its outlet, and its outlet's index among the outlets
/// (sorted by name), and how many outlets there are: what the credibility model's
/// cross-validations share.
fn word_features_and_outlets(rows: &[FakesRow]) -> (Vec<sitrep_core::credibility::Features>, Vec<Option<String>>, Vec<usize>, usize) {
    let lists = sitrep_core::credibility::WordLists::builtin();
    let feats = rows.iter().map(|(a, _, _)| lists.features(&sitrep_core::credibility::article_text(a))).collect();
    let outlets: Vec<Option<String>> = rows.iter().map(|(a, _, _)| a.source.clone()).collect();
    let mut outlet_names: Vec<String> = outlets.iter().map(|o| o.clone().unwrap_or_default()).collect();
    outlet_names.sort();
    outlet_names.dedup();
    let by_outlet = outlets.iter().map(|o| outlet_names.binary_search(&o.clone().unwrap_or_default()).unwrap_or(0)).collect();
    (feats, outlets, by_outlet, outlet_names.len())
}

/// The credibility model's table: cross-validated by article and by outlet, with and without
/// the outlet term, with corroboration features, beside the baselines and sitrep's score.
fn print_credibility_models(run: &CredRun<'_>) {
    let CredRun { rows, labels, public, docs, fold, k, by_article, nb, ours } = run;
    let (labels, public, fold, k) = (labels.as_slice(), *public, fold.as_slice(), *k);
    // The article credibility model, cross-validated (10 folds by article, a seeded shuffle), and
    // with each outlet held out of training in turn; with and without the outlet term.
    let (feats, outlets, by_outlet, n_outlets) = word_features_and_outlets(rows);
    let tfidf = tfidf_cv(docs, labels, fold, k);
    let tfidf_outlet = tfidf_cv(docs, labels, &by_outlet, n_outlets);
    println!("credibility against label_features_file (public label beside it):");
    println!("  {:<66} {:>8} {:>7} {:>8}", "predictor", "ROC AUC", "Brier", "(public)");
    let line = |name: &str, p: &[f64], brier_ok: bool| {
        println!(
            "  {name:<66} {:>8.3} {:>7} {:>8.3}",
            roc_auc(p, labels),
            if brier_ok { format!("{:.3}", brier(p, labels)) } else { "-".into() },
            roc_auc(p, public)
        )
    };
    for (outlet, tag) in [(true, "with the outlet term"), (false, "without the outlet term")] {
        line(&format!("model, 10-fold CV, {tag}"), &model_cv(&feats, &outlets, labels, fold, k, outlet), true);
        line(&format!("model, each outlet held out, {tag}"), &model_cv(&feats, &outlets, labels, &by_outlet, n_outlets, outlet), true);
    }
    // The same with the article's corroboration by other outlets (fusion's verdicts on its
    // events: corroborated, contradicted, as ln(1 + count)) as two more features.
    let with_corroboration: Vec<sitrep_core::credibility::Features> = rows
        .iter()
        .zip(&feats)
        .map(|((a, _, _), f)| {
            let mut f = f.clone();
            let c = by_article.get(a.id.as_str());
            f.values.push((c.map_or(0, |c| c.corroborated) as f64).ln_1p());
            f.values.push((c.map_or(0, |c| c.contradicted) as f64).ln_1p());
            f
        })
        .collect();
    line(
        "model + corroboration features, 10-fold CV, with the outlet term",
        &model_cv(&with_corroboration, &outlets, labels, fold, k, true),
        true,
    );
    line("baseline: outlet alone (its training record), 10-fold CV", &outlet_cv(&outlets, labels, fold, k), true);
    line("baseline: TF-IDF logistic regression, 10-fold CV", &tfidf, true);
    line("baseline: TF-IDF logistic regression, each outlet held out", &tfidf_outlet, true);
    line("baseline: bag-of-words naive Bayes (log-odds), 10-fold CV", nb, false);
    line("sitrep corroboration score (no training)", ours, false);
}

/// One article's claim about its main event: its toll (none when it states none), date and
/// place (governorate).
#[derive(Debug, Clone)]
struct Claim {
    outlet: String,
    toll: Option<u32>,
    date: Option<chrono::NaiveDate>,
    place: Option<String>,
}

/// Names of [`consistency_features`]' columns.
const CONSISTENCY: [&str; 7] = ["has_others", "others", "toll_gap", "toll_is_max", "toll_is_min", "tolls_agreeing", "date_off_majority"];

/// Each article's consistency with the other outlets' claims about the same event (the
/// articles of another outlet whose claim has the same place and a date within `days` of its
/// own). Label-free: it reads other articles' claims, never their labels. Columns
/// ([`CONSISTENCY`]): whether any other outlet tells it; ln(1 + how many); |ln(1 + toll) -
/// median ln(1 + the others' tolls)|; its toll above all the others'; below all; ln(1 + how
/// many others' tolls are within 10% of its own); its date not the others' most common date.
fn consistency_features(claims: &[Claim], days: i64) -> Vec<Vec<f64>> {
    claims
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let others: Vec<&Claim> = claims
                .iter()
                .enumerate()
                .filter(|&(j, o)| {
                    j != i
                        && o.outlet != c.outlet
                        && c.place.is_some()
                        && o.place == c.place
                        && matches!((c.date, o.date), (Some(a), Some(b)) if (a - b).num_days().abs() <= days)
                })
                .map(|(_, o)| o)
                .collect();
            let mut f = vec![0.0; CONSISTENCY.len()];
            if others.is_empty() {
                return f;
            }
            f[0] = 1.0;
            f[1] = (others.len() as f64).ln_1p();
            let tolls: Vec<u32> = others.iter().filter_map(|o| o.toll).collect();
            if let (Some(t), false) = (c.toll, tolls.is_empty()) {
                let mut logs: Vec<f64> = tolls.iter().map(|&x| f64::from(x).ln_1p()).collect();
                logs.sort_by(f64::total_cmp);
                let med = if logs.len() % 2 == 1 { logs[logs.len() / 2] } else { (logs[logs.len() / 2 - 1] + logs[logs.len() / 2]) / 2.0 };
                f[2] = (f64::from(t).ln_1p() - med).abs();
                f[3] = f64::from(u8::from(tolls.iter().all(|&x| t > x)));
                f[4] = f64::from(u8::from(tolls.iter().all(|&x| t < x)));
                let agree = tolls.iter().filter(|&&x| f64::from(x.abs_diff(t)) <= 0.1 * f64::from(x.max(t))).count();
                f[5] = (agree as f64).ln_1p();
            }
            let mut dates: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
            for d in others.iter().filter_map(|o| o.date) {
                *dates.entry(d).or_default() += 1;
            }
            let majority = dates.iter().max_by_key(|(_, n)| **n).map(|(d, _)| *d);
            f[6] = f64::from(u8::from(c.date.is_some() && majority.is_some() && c.date != majority));
            f
        })
        .collect()
}

/// The credibility model with consistency features added, from sitrep's own extraction (the
/// text only) and, for comparison, from FA-KES's crowd-coded claims; and the consistency
/// features alone.
fn print_consistency_models(run: &CredRun<'_>, text: &[Claim], crowd: &[Claim]) {
    let CredRun { rows, labels, public, fold, k, .. } = run;
    let (labels, public, fold, k) = (labels.as_slice(), *public, fold.as_slice(), *k);
    let (feats, outlets, by_outlet, n_outlets) = word_features_and_outlets(rows);
    let line =
        |name: &str, p: &[f64]| println!("  {name:<66} {:>8.3} {:>7.3} {:>8.3}", roc_auc(p, labels), brier(p, labels), roc_auc(p, public));
    for (claims, tag) in [(text, "sitrep's extracted claims"), (crowd, "crowd-coded claims")] {
        let cons = consistency_features(claims, 3);
        let told = cons.iter().filter(|c| c[0] > 0.0).count();
        let with_tolls = cons.iter().filter(|c| c[2] > 0.0 || c[5] > 0.0 || c[3] + c[4] > 0.0).count();
        println!(
            "consistency from {tag} (same place, dates within 3 days, another outlet): {told} articles have others, {with_tolls} a toll to compare"
        );
        for (j, name) in CONSISTENCY.iter().enumerate() {
            let v: Vec<f64> = cons.iter().map(|c| c[j]).collect();
            let sub: Vec<usize> = (0..cons.len()).filter(|&i| cons[i][0] > 0.0).collect();
            let vs: Vec<f64> = sub.iter().map(|&i| v[i]).collect();
            let ls: Vec<bool> = sub.iter().map(|&i| labels[i]).collect();
            println!("    {name:<20} ROC AUC alone {:.3} (on the {} with others {:.3})", roc_auc(&v, labels), sub.len(), roc_auc(&vs, &ls));
        }
        let extended: Vec<sitrep_core::credibility::Features> = feats
            .iter()
            .zip(&cons)
            .map(|(f, c)| {
                let mut f = f.clone();
                f.values.extend(c);
                f
            })
            .collect();
        let alone: Vec<sitrep_core::credibility::Features> = feats
            .iter()
            .zip(&cons)
            .map(|(f, c)| {
                let mut f = f.clone();
                f.values.iter_mut().for_each(|v| *v = 0.0);
                f.values.extend(c);
                f
            })
            .collect();
        for (outlet, otag) in [(true, "with the outlet term"), (false, "without the outlet term")] {
            line(&format!("model + consistency, 10-fold CV, {otag}"), &model_cv(&extended, &outlets, labels, fold, k, outlet));
            line(
                &format!("model + consistency, each outlet held out, {otag}"),
                &model_cv(&extended, &outlets, labels, &by_outlet, n_outlets, outlet),
            );
        }
        line("consistency features alone, 10-fold CV", &model_cv(&alone, &outlets, labels, fold, k, false));
    }
}

/// Fusion's verdicts on the articles' claims, and how well sitrep's corroboration score
/// separates the labels (over all articles, and over those another outlet also reports).
fn print_corroboration(run: &CredRun<'_>, cred: &[sitrep_core::fuse::ArticleCredibility]) {
    let CredRun { rows, labels, by_article, nb, ours, .. } = run;
    let (c, u, x) = cred.iter().fold((0, 0, 0), |acc, c| (acc.0 + c.corroborated, acc.1 + c.uncorroborated, acc.2 + c.contradicted));
    println!("article claims: {c} corroborated, {u} uncorroborated, {x} contradicted");
    let (acc, thr) = best_accuracy(ours, labels);
    println!("sitrep corroboration score: ROC AUC {:.3}; best-threshold accuracy {:.3} (score >= {thr:.2})", roc_auc(ours, labels), acc);
    // Where corroboration can speak at all: articles with an event another outlet also tells.
    let covered: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, (a, _, _))| by_article.get(a.id.as_str()).is_some_and(|c| c.corroborated + c.contradicted > 0))
        .map(|(i, _)| i)
        .collect();
    if !covered.is_empty() {
        let s: Vec<f64> = covered.iter().map(|&i| ours[i]).collect();
        let l: Vec<bool> = covered.iter().map(|&i| labels[i]).collect();
        let nb_s: Vec<f64> = covered.iter().map(|&i| nb[i]).collect();
        println!(
            "  on the {} articles another outlet also reports: ROC AUC {:.3} (baseline on them {:.3}; {} credible)",
            covered.len(),
            roc_auc(&s, &l),
            roc_auc(&nb_s, &l),
            l.iter().filter(|&&x| x).count()
        );
    }
}

/// Per article, how many other outlets' reports of its main event (what FA-KES's annotators
/// coded) agree with its toll (0.5 when none tells it).
fn main_event_scores(
    rows: &[FakesRow],
    events: &[Vec<sitrep_core::Event>],
    fused: &[sitrep_core::fuse::FusedEvent],
    all: &[&sitrep_core::Event],
) -> Vec<f64> {
    let fused_of: std::collections::HashMap<&str, &sitrep_core::fuse::FusedEvent> =
        fused.iter().flat_map(|f| f.events.iter().map(move |e| (e.as_str(), f))).collect();
    let by_event: std::collections::HashMap<&str, &sitrep_core::Event> = all.iter().map(|e| (e.event_id.as_str(), *e)).collect();
    rows.iter()
        .zip(events)
        .map(|((a, _, _), evs)| {
            let Some(m) = sitrep_core::main_event(a, evs, sitrep_core::Knowledge::builtin()) else { return 0.5 };
            let Some(f) = fused_of.get(m.event_id.as_str()) else { return 0.5 };
            let others: Vec<&sitrep_core::Event> = f
                .events
                .iter()
                .filter_map(|id| by_event.get(id.as_str()).copied())
                .filter(|o| o.article_id != m.article_id && o.source != m.source)
                .collect();
            if others.is_empty() {
                return 0.5;
            }
            let agree = others
                .iter()
                .filter(|o| !m.states_toll() || !o.states_toll() || sitrep_core::fuse::tolls_agree(m.fatalities, o.fatalities))
                .count();
            agree as f64 / others.len() as f64
        })
        .collect()
}

fn bench_fuse(input: &Path, n: usize, incremental: Option<usize>) -> Result<bool> {
    let articles = corpus(input)?;
    let base: Vec<(sitrep_core::Event, Option<chrono::NaiveDate>)> =
        articles.iter().flat_map(|a| sitrep_core::events_of(a).into_iter().map(move |e| (e, a.published.map(|p| p.date)))).collect();
    if base.is_empty() {
        bail!("{}: no events", input.display());
    }
    // Copies: each its own article, dates shifted by a year per copy so copies do not all pile
    // onto the same days (a corpus of N events spans years).
    let mut events: Vec<(sitrep_core::Event, Option<chrono::NaiveDate>)> = Vec::with_capacity(n);
    for i in 0..n {
        let (e, p) = &base[i % base.len()];
        let copy = i / base.len();
        let mut e = e.clone();
        let shift = chrono::Duration::days(365 * copy as i64);
        e.article_id = format!("{}-{copy}", e.article_id);
        e.event_id = format!("{}-{copy}", e.event_id);
        e.event_date = e.event_date.map(|d| d + shift);
        events.push((e, p.map(|d| d + shift)));
    }
    let reports: Vec<sitrep_core::fuse::Report> =
        events.iter().map(|(e, p)| sitrep_core::fuse::Report { event: e, published: *p }).collect();
    let t = Instant::now();
    let fused = sitrep_core::fuse::fuse(&reports, sitrep_core::Knowledge::builtin());
    let secs = t.elapsed().as_secs_f64();
    println!("corpus: {} ({} events) replicated to {n} events", input.display(), base.len());
    println!(
        "fusion: {n} events -> {} fused events ({} from several outlets) in {secs:.2} s = {:.0} events/s on one core",
        fused.len(),
        fused.iter().filter(|f| f.sources.len() > 1).count(),
        n as f64 / secs
    );
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (RSS): {m:.0} MiB");
    }
    if let Some(batch) = incremental {
        bench_fuse_incremental(&articles, n, batch)?;
    }
    Ok(true)
}

/// Incremental fusion in a store: the corpus's articles copied (dates shifted a year per copy,
/// as above) until the store holds about `n` events, fused whole; then `batch` new articles
/// (a further copy) stored and fused incrementally, and the result checked against a full run.
fn bench_fuse_incremental(articles: &[sitrep_core::Article], n: usize, batch: usize) -> Result<()> {
    let path = std::env::temp_dir().join(format!("sitrep-bench-fuse-{}.db", std::process::id()));
    let result = fuse_incremental_in(&path, articles, n, batch);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result
}

fn fuse_incremental_in(path: &Path, articles: &[sitrep_core::Article], n: usize, batch: usize) -> Result<()> {
    let mut store = sitrep_core::store::open(&sitrep_core::store::Location::sqlite(path), sitrep_core::store::Access::ReadWrite)?;
    let copy_of = |a: &sitrep_core::Article, copy: usize| {
        let mut a = a.clone();
        let shift = chrono::Duration::days(365 * copy as i64);
        a.id = format!("{}-{copy}", a.id);
        a.url = Some(format!("bench://{copy}/{}", a.id));
        if let Some(p) = a.published.as_mut() {
            p.date += shift;
        }
        let events = sitrep_core::events_of(&a);
        (a, events)
    };
    let (mut stored, mut copy) = (0usize, 0usize);
    while stored < n {
        let chunk: Vec<_> = articles.iter().map(|a| copy_of(a, copy)).collect();
        stored += chunk.iter().map(|(_, e)| e.len()).sum::<usize>();
        store.put_batch(&chunk)?;
        copy += 1;
    }
    let t = Instant::now();
    let full = sitrep_core::fuse::refuse(store.as_mut(), sitrep_core::Knowledge::builtin())?;
    let full_secs = t.elapsed().as_secs_f64();
    let new: Vec<_> = articles.iter().take(batch).map(|a| copy_of(a, copy)).collect();
    let new_events: usize = new.iter().map(|(_, e)| e.len()).sum();
    store.put_batch(&new)?;
    let t = Instant::now();
    let inc = sitrep_core::fuse::refuse_changed(store.as_mut(), sitrep_core::Knowledge::builtin())?;
    let inc_secs = t.elapsed().as_secs_f64();
    let scores = |store: &dyn sitrep_core::store::Store| -> Result<Vec<_>> {
        let ids = store.article_ids()?;
        ids.iter().map(|id| Ok(store.article_credibility(id)?)).collect()
    };
    let before = scores(store.as_ref())?;
    let check = sitrep_core::fuse::refuse(store.as_mut(), sitrep_core::Knowledge::builtin())?;
    let same = check.created + check.updated + check.merged + check.deleted == 0 && scores(store.as_ref())? == before;
    println!(
        "store: {stored} events ({copy} copies), full fusion {full_secs:.2} s ({} fused events); then {} articles ({new_events} events) added",
        full.fused_events,
        new.len()
    );
    println!(
        "incremental fusion: {inc_secs:.2} s ({} created, {} updated, {} merged), {:.0}x faster than the full run; fused events and article scores equal to a full run's: {}",
        inc.created,
        inc.updated,
        inc.merged,
        full_secs / inc_secs.max(1e-9),
        if same { "yes" } else { "NO" }
    );
    if !same {
        bail!("incremental fusion differs from a full run: {check:?}");
    }
    Ok(())
}

/// FA-KES's crowd-coded `date` (month/day/two-digit year).
fn fakes_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%m/%d/%y").ok()
}

/// A day for a miss line (`-` for none).
fn fmt_day(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "-".into(), |d| d.to_string())
}

/// FA-KES's spelling of a governorate.
fn fakes_governorate(admin1: &str) -> String {
    match admin1 {
        "Rural Damascus" | "Damascus" => "damascus".into(),
        "Deir ez Zor" => "deir ezzor".into(),
        "Al Hasakeh" => "hasakeh".into(),
        "Ar-Raqqa" => "raqqa".into(),
        "Idleb" => "idlib".into(),
        "Dar'a" => "daraa".into(),
        "As-Sweida" => "sweida".into(),
        other => other.to_lowercase(),
    }
}

/// The main event's date and toll against FA-KES's crowd-coded `date` and deaths
/// (`nb_civilians` + `nb_noncivilians`), the CSV read as sitrep reads it (the `date` column
/// is the article's date).
/// `text_dates`: the dates right and dated when the articles were read as bare text
/// ([`bench_fakes_places`]).
fn fakes_date_and_toll(input: &Path, text: &str, show_misses: bool, text_dates: (usize, usize)) -> Result<()> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n).with_context(|| format!("no column {n}"));
    let (cd, cc, cn) = (col("date")?, col("nb_civilians")?, col("nb_noncivilians")?);
    let mut gold = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        let num = |i: usize| rec[i].trim().parse::<f64>().unwrap_or(0.0) as u32;
        gold.push((fakes_date(&rec[cd]), num(cc) + num(cn)));
    }
    let mut articles = Vec::new();
    read::read_bytes(&input.display().to_string(), text.as_bytes(), &ReadOptions::default(), &mut |r| articles.push(r.ok()));
    anyhow::ensure!(articles.len() == gold.len(), "{} rows read as {} articles", gold.len(), articles.len());
    let (mut dated, mut date_right, mut toll_right, mut with_event) = (0, 0, 0, 0);
    for (a, (gd, gt)) in articles.iter().zip(&gold) {
        let Some(a) = a else { continue };
        let events = sitrep_core::events_of(a);
        let main = sitrep_core::main_event(a, &events, sitrep_core::Knowledge::builtin()).or(events.first());
        with_event += main.is_some() as usize;
        let ours = main.and_then(|e| e.event_date);
        if gd.is_some() {
            dated += 1;
            date_right += (ours == *gd) as usize;
            if show_misses && ours != *gd {
                let said = main.and_then(|e| e.date_text.clone()).unwrap_or_default();
                println!("date miss: gold {} / ours {} ({said:?}) | {}", fmt_day(*gd), fmt_day(ours), a.title.as_deref().unwrap_or(""));
            }
        }
        let toll = main.map(|e| e.fatalities);
        toll_right += (toll == Some(*gt)) as usize;
        if show_misses && toll != Some(*gt) {
            let bound = main.map(|e| e.fatalities_bound.to_string()).unwrap_or_default();
            println!("toll miss: gold {gt} / ours {toll:?} {bound} | {}", a.title.as_deref().unwrap_or(""));
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "FA-KES main event (read as CSV): {with_event} of {} articles with one; date = crowd-coded date {date_right}/{dated} ({:.1}%); toll = nb_civilians + nb_noncivilians {toll_right}/{} ({:.1}%)",
        gold.len(),
        pct(date_right, dated),
        gold.len(),
        pct(toll_right, gold.len())
    );
    let (text_right, text_dated) = text_dates;
    println!(
        "FA-KES main event (title and body as text, no date column): date = crowd-coded date {text_right}/{text_dated} ({:.1}%)",
        pct(text_right, text_dated)
    );
    Ok(())
}

fn bench_fakes_places(input: &Path, show_misses: bool) -> Result<bool> {
    let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n).with_context(|| format!("no column {n}"));
    let (ct, cc, cl, cd) = (col("article_title")?, col("article_content")?, col("location")?, col("date")?);
    let mut confusion: BTreeMap<(String, String), usize> = BTreeMap::new();
    let (mut total, mut right, mut from_event, mut none) = (0usize, 0usize, 0usize, 0usize);
    // Read as bare text (title and body, no date column), the date must come from the text.
    let (mut text_right, mut text_dated) = (0usize, 0usize);
    for rec in rdr.records() {
        let rec = rec?;
        let doc = format!("{}\n\n{}\n", &rec[ct], &rec[cc]);
        let gold = rec[cl].trim().to_lowercase();
        let mut article = None;
        read::read_bytes("fakes.txt", doc.as_bytes(), &ReadOptions::default(), &mut |r| article = r.ok());
        let Some(a) = article else { continue };
        let events = sitrep_core::events_of(&a);
        let main = sitrep_core::main_event(&a, &events, sitrep_core::Knowledge::builtin());
        if let Some(d) = fakes_date(&rec[cd]) {
            text_dated += 1;
            text_right += (main.or(events.first()).and_then(|e| e.event_date) == Some(d)) as usize;
        }
        let guess = match main {
            Some(e) => {
                from_event += 1;
                fakes_governorate(e.admin1.as_deref().unwrap_or(""))
            }
            None => {
                none += 1;
                "none".to_string()
            }
        };
        total += 1;
        if guess == gold {
            right += 1;
        } else if show_misses {
            let place = main.map_or("-".to_string(), |e| {
                format!("{} ({:?}, precision {:?})", e.location.as_deref().unwrap_or("-"), e.location_cue, e.geo_precision)
            });
            println!("miss: gold {gold} / ours {guess} from {place} | {}", &rec[ct]);
        }
        *confusion.entry((gold, guess)).or_default() += 1;
    }
    expect::count(input, "articles", total)?;
    println!("FA-KES places: {total} articles; main event's governorate = location for {right} ({:.1}%); {from_event} with a placed event, {none} without", 100.0 * right as f64 / total.max(1) as f64);
    fakes_date_and_toll(input, &text, show_misses, (text_right, text_dated))?;
    println!("confusion (gold -> ours: count), misses only:");
    for ((g, o), n) in confusion.iter().filter(|((g, o), _)| g != o) {
        println!("  {g} -> {o}: {n}");
    }
    Ok(true)
}

/// FNV-1a of a name: which half of the UCDP places it is in (below 6 of 10: tune).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

#[derive(Default)]
struct PlaceTally {
    n: usize,
    km10: usize,
    km25: usize,
    wrong_gov: usize,
    unresolved: usize,
    /// Resolved to the governorate only (precision 3): the name not found in it.
    governorate_only: usize,
}

impl PlaceTally {
    fn line(&self, label: &str) -> String {
        let r = |k: usize| k as f64 / self.n.max(1) as f64;
        format!(
            "{label:<28} {:>4} places  within 10 km {:.3}  within 25 km {:.3}  wrong governorate {:.3}  unresolved {:.3}  governorate only {:.3}",
            self.n,
            r(self.km10),
            r(self.km25),
            r(self.wrong_gov),
            r(self.unresolved),
            r(self.governorate_only)
        )
    }
}

fn bench_ucdp_places(input: &Path, show_misses: bool) -> Result<bool> {
    let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n).with_context(|| format!("no column {n}"));
    let (cw, cp, ca, clat, clon) = (col("where_coordinates")?, col("where_prec")?, col("adm_1")?, col("latitude")?, col("longitude")?);
    // Distinct places (name, governorate), first point seen.
    let mut places: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec?;
        if rec[cp].trim().parse::<f64>().ok() != Some(1.0) {
            continue;
        }
        let (Ok(lat), Ok(lon)) = (rec[clat].trim().parse::<f64>(), rec[clon].trim().parse::<f64>()) else { continue };
        places.entry((rec[cw].trim().to_string(), rec[ca].trim().to_string())).or_insert((lat, lon));
    }
    expect::count(input, "places at where_prec 1", places.len())?;
    let g = sitrep_core::geocode::Gazetteer::builtin();
    let t = Instant::now();
    // [half][form]: half 0 tune, 1 check; form 0 the kind word stripped, 1 the raw name.
    let mut tally: [[PlaceTally; 2]; 2] = Default::default();
    for ((raw, adm1), point) in &places {
        let half = usize::from(fnv1a(raw) % 10 >= 6);
        let gov = (!adm1.is_empty()).then_some(adm1.as_str());
        let want = gov.and_then(|a| g.admin1_named(a));
        let stripped = sitrep_core::geocode::split_kind(raw).0;
        for (form, name) in [stripped, raw.as_str()].into_iter().enumerate() {
            let r = g.resolve_in(name, gov);
            let t = &mut tally[half][form];
            t.n += 1;
            let (ok10, miss) = match &r {
                None => {
                    t.unresolved += 1;
                    (false, "unresolved".to_string())
                }
                Some(r) => {
                    if r.geo_precision == 3 {
                        t.governorate_only += 1;
                    }
                    let d = sitrep_core::geocode::distance_km((r.latitude, r.longitude), *point);
                    if d <= 10.0 {
                        t.km10 += 1;
                    }
                    if d <= 25.0 {
                        t.km25 += 1;
                    }
                    if want.is_some() && r.admin1 != want {
                        t.wrong_gov += 1;
                    }
                    let alts: Vec<String> = r
                        .alternatives
                        .iter()
                        .take(3)
                        .map(|a| {
                            let d = sitrep_core::geocode::distance_km((a.latitude, a.longitude), *point);
                            format!("{} {}/{} {:.0} km {:.2}", a.name, a.country, a.admin1.as_deref().unwrap_or("-"), d, a.score)
                        })
                        .collect();
                    let what = format!(
                        "{:.0} km: {} ({}, {}, precision {}, {}) | {}",
                        d,
                        r.name.as_deref().unwrap_or("-"),
                        r.country,
                        r.admin1.as_deref().unwrap_or("-"),
                        r.geo_precision,
                        r.id.as_deref().unwrap_or("-"),
                        alts.join("; ")
                    );
                    (d <= 10.0, what)
                }
            };
            if show_misses && half == 0 && form == 0 && !ok10 {
                println!("miss: {raw:?} [{adm1}] at {:.5},{:.5} -> {miss}", point.0, point.1);
            }
        }
    }
    println!(
        "UCDP places: {} distinct places at where_prec 1 from {}, resolved in {:.0} ms",
        places.len(),
        input.display(),
        t.elapsed().as_secs_f64() * 1e3
    );
    for (h, label) in [(0, "tune (60%)"), (1, "check (40%)")] {
        println!("{}", tally[h][0].line(&format!("{label}, kind word off")));
        println!("{}", tally[h][1].line(&format!("{label}, raw name")));
    }
    Ok(true)
}

fn gunzip(path: &Path) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(f).read_to_end(&mut out).with_context(|| format!("decompressing {}", path.display()))?;
    Ok(out)
}

fn bench_news_events(dirs: &[PathBuf], show: bool) -> Result<bool> {
    use sitrep_core::extract::learned::TyperKind;
    let opts = ReadOptions { format: Some(Format::Html), lossy: true, ..ReadOptions::default() };
    let mut articles = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("html"))
            .with_context(|| format!("reading {}/html", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "gz"))
            .collect();
        files.sort();
        expect::count(dir, "pages", files.len())?;
        for f in files {
            let html = gunzip(&f)?;
            read::read_bytes(&f.display().to_string(), &html, &opts, &mut |r| {
                if let Ok(a) = r {
                    articles.push(a);
                }
            });
        }
    }
    println!("{} news pages read", articles.len());
    let min = sitrep_core::extract::DEFAULT_MIN_CONFIDENCE;
    for kind in TyperKind::ALL {
        let (mut kept, mut below, mut pages) = (0, 0, 0);
        for a in &articles {
            let kb = sitrep_core::Knowledge::builtin();
            let all = sitrep_core::extract::Extractor { min_confidence: 0.0, ..kb.extractor(kind) };
            let events = kb.events_by(&all, a);
            let k: Vec<_> = events.iter().filter(|e| e.confidence >= min).collect();
            below += events.len() - k.len();
            kept += k.len();
            pages += (!k.is_empty()) as usize;
            if show && kind == TyperKind::default() {
                for e in k {
                    println!(
                        "  {} | {} | {:.2} | {}",
                        a.input,
                        e.sub_event_type,
                        e.confidence,
                        e.notes.chars().take(160).collect::<String>()
                    );
                }
            }
        }
        println!("{:>9}: {kept} events on {pages} pages at confidence >= {min}; {below} below it", kind.name());
    }
    Ok(true)
}

/// sitrep's body of an HTML page, as the pipeline produces it (read + clean).
fn sitrep_body(name: &str, html: &[u8]) -> String {
    let opts = ReadOptions { format: Some(Format::Html), lossy: true, ..ReadOptions::default() };
    let mut body = String::new();
    read::read_bytes(name, html, &opts, &mut |r| {
        if let Ok(a) = r {
            body = a.body();
        }
    });
    body
}

fn bench_html(dir: &Path, per_page: bool) -> Result<()> {
    let gt_text = std::fs::read_to_string(dir.join("ground-truth.json")).context("reading ground-truth.json")?;
    let gt: BTreeMap<String, serde_json::Value> = serde_json::from_str(&gt_text)?;
    let gold: BTreeMap<&str, &str> =
        gt.iter().map(|(k, v)| (k.as_str(), v.get("articleBody").and_then(|b| b.as_str()).unwrap_or(""))).collect();
    expect::count(dir, "pages", gold.len())?;

    let mut systems: Vec<(String, String, Vec<PageScore>)> = Vec::new();
    let t = Instant::now();
    let mut ours = Vec::new();
    let mut raw = Vec::new();
    for (id, g) in &gold {
        let html = gunzip(&dir.join("html").join(format!("{id}.html.gz")))?;
        let body = sitrep_body(id, &html);
        let s = score_page(g, &body);
        ours.push(s);
        let text = String::from_utf8_lossy(&html);
        let plain = read::html::extract_body(&text).map(|b| b.text).unwrap_or_default();
        let r = score_page(g, &plain);
        raw.push(r);
        if per_page {
            let f = |x: Option<f64>| x.unwrap_or(0.0);
            println!(
                "page {id}  P {:.3}  R {:.3}  (before cleaning: P {:.3}  R {:.3})",
                f(s.precision),
                f(s.recall),
                f(r.precision),
                f(r.recall)
            );
        }
    }
    let secs = t.elapsed().as_secs_f64();
    systems.push(("sitrep".into(), env!("CARGO_PKG_VERSION").into(), ours));
    systems.push(("(sitrep without its cleaning)".into(), "main-text extraction only".into(), raw));

    let peers_dir = dir.join("peers");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&peers_dir)
        .with_context(|| format!("listing {}", peers_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in names {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").trim_end_matches(".json.gz").to_string();
        let v: serde_json::Value = serde_json::from_slice(&gunzip(&p)?)?;
        let (version, output) = match v.get("output") {
            Some(o) => (v.get("version").and_then(|x| x.as_str()).unwrap_or("").to_string(), o.clone()),
            None => (String::new(), v),
        };
        let scores = gold
            .iter()
            .map(|(id, g)| {
                let pred = output.get(*id).and_then(|x| x.get("articleBody")).and_then(|b| b.as_str()).unwrap_or("");
                score_page(g, pred)
            })
            .collect();
        systems.push((name, version, scores));
    }
    let mut rows: Vec<_> = systems.iter().map(|(n, v, s)| (n, v, score_corpus(s), bootstrap_f1_sd(s, 1000, 20261125))).collect();
    rows.sort_by(|a, b| b.2.f1.total_cmp(&a.2.f1));
    println!("article-extraction benchmark: {} pages ({})", gold.len(), dir.display());
    println!("sitrep extracted {} pages in {secs:.2} s", gold.len());
    println!("| extractor | version | F1 | precision | recall | accuracy |");
    println!("|---|---|---|---|---|---|");
    for (n, v, c, sd) in rows {
        println!("| {n} | {v} | {:.4} ± {sd:.3} | {:.4} | {:.4} | {:.3} |", c.f1, c.precision, c.recall, c.accuracy);
    }
    Ok(())
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn bench_snippets(dir: &Path) -> Result<()> {
    let gold: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("gold.json")).context("reading gold.json")?)?;
    expect::count(dir, "pages", gold.len())?;
    let (mut with_found, mut with_total, mut without_absent, mut without_total) = (0, 0, 0, 0);
    let mut perfect = 0;
    for (file, entry) in &gold {
        let html = gunzip(&dir.join("html").join(format!("{file}.gz")))?;
        let body = squash(&sitrep_body(file, &html));
        let list = |k: &str| -> Vec<String> {
            entry.get(k).and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|s| s.as_str().map(squash)).collect()).unwrap_or_default()
        };
        let (w, wo) = (list("with"), list("without"));
        let wf = w.iter().filter(|s| body.contains(s.as_str())).count();
        let wa = wo.iter().filter(|s| !body.contains(s.as_str())).count();
        if wf == w.len() && wa == wo.len() {
            perfect += 1;
        }
        with_found += wf;
        with_total += w.len();
        without_absent += wa;
        without_total += wo.len();
    }
    println!("trafilatura news pages: {} pages ({})", gold.len(), dir.display());
    bench_metadata(dir, &gold)?;
    println!(
        "must-contain snippets found: {with_found}/{with_total} ({:.1}%); must-not snippets absent: {without_absent}/{without_total} ({:.1}%); pages with every snippet right: {perfect}/{}",
        100.0 * with_found as f64 / with_total.max(1) as f64,
        100.0 * without_absent as f64 / without_total.max(1) as f64,
        gold.len()
    );
    Ok(())
}

/// The whole article of an HTML page, as the pipeline produces it.
fn sitrep_article(name: &str, html: &[u8]) -> Option<sitrep_core::Article> {
    let opts = ReadOptions { format: Some(Format::Html), lossy: true, ..ReadOptions::default() };
    let mut out = None;
    read::read_bytes(name, html, &opts, &mut |r| out = r.ok());
    out
}

/// Metadata against trafilatura's gold: titles equal to the gold title (whitespace and
/// typographic quotes aside), and publication dates where the page's JSON-LD gives
/// `datePublished` (found, and equal to its day).
fn bench_metadata(dir: &Path, gold: &BTreeMap<String, serde_json::Value>) -> Result<()> {
    let norm = |s: &str| squash(&s.replace(['\u{2018}', '\u{2019}'], "'").replace(['\u{201C}', '\u{201D}'], "\""));
    let ld_date = regex::Regex::new(r#""datePublished"\s*:\s*"(\d{4}-\d{2}-\d{2})"#).expect("valid regex");
    let (mut titled, mut title_ok, mut ld, mut ld_found, mut ld_ok, mut dated, mut date_ok) = (0, 0, 0, 0, 0, 0, 0);
    let mut misses = Vec::new();
    for (file, entry) in gold {
        let html = gunzip(&dir.join("html").join(format!("{file}.gz")))?;
        let a = sitrep_article(file, &html);
        let meta = entry.get("metadata");
        let got_title = a.as_ref().and_then(|a| a.title.as_deref()).map(norm);
        if let Some(t) = meta.and_then(|m| m.get("title")).and_then(|t| t.as_str()).filter(|t| !t.trim().is_empty()) {
            titled += 1;
            if got_title.as_deref() == Some(norm(t).as_str()) {
                title_ok += 1;
            } else {
                misses.push(format!("  title {file}: {:?} (gold {:?})", got_title.unwrap_or_default(), t));
            }
        }
        let published = a.as_ref().and_then(|a| a.published.as_ref()).map(|p| p.date.to_string());
        if let Some(d) = meta.and_then(|m| m.get("date")).and_then(|t| t.as_str()).filter(|t| !t.trim().is_empty()) {
            dated += 1;
            date_ok += (published.as_deref() == Some(d)) as usize;
        }
        let text = String::from_utf8_lossy(&html);
        if text.contains("application/ld+json") {
            if let Some(c) = ld_date.captures(&text) {
                ld += 1;
                ld_found += published.is_some() as usize;
                if published.as_deref() == Some(&c[1]) {
                    ld_ok += 1;
                } else {
                    misses.push(format!("  date {file}: {:?} (JSON-LD {})", published, &c[1]));
                }
            }
        }
    }
    println!("titles equal to the gold title: {title_ok}/{titled} pages with a gold title");
    println!("publication dates: found on {ld_found}/{ld} pages whose JSON-LD has datePublished, its day on {ld_ok}; the gold date's day on {date_ok}/{dated} pages with a gold date");
    for m in misses {
        println!("{m}");
    }
    Ok(())
}

/// Story sentences for [`bench_scaling`]'s generated inputs (events, places, dates, tolls).
const STORY: &[&str] = &[
    "Syrian government forces shelled the town of Kafr Nabl in Idlib on Sunday, killing four civilians, a monitor said.",
    "Islamic State fighters seized the village of Tal Shair north of Aleppo after clashes with rebels on Monday.",
    "A car bomb exploded near a checkpoint in the city of Azaz on Tuesday, wounding 12 people, activists reported.",
    "Russian warplanes carried out air strikes on the eastern outskirts of Deir ez-Zor, the Syrian Observatory said.",
    "Rebels of the Levant Front pushed back an attack on Marea, and at least 17 fighters were killed.",
];

/// The inputs of [`bench_scaling`]: (name, file name for format detection, bytes).
fn scaling_inputs(bytes: usize) -> Vec<(&'static str, &'static str, String)> {
    let mut text = String::from("Fighting in northern Syria\n\n");
    let mut html = String::from("<html><head><title>Fighting in northern Syria</title></head><body><article><h1>Fighting</h1>\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(STORY[i % STORY.len()]);
        text.push(if i % 4 == 3 { '\n' } else { ' ' });
        if i % 4 == 3 {
            text.push('\n');
        }
        i += 1;
    }
    i = 0;
    while html.len() < bytes {
        html.push_str("<p>");
        html.push_str(STORY[i % STORY.len()]);
        html.push_str("</p>\n");
        i += 1;
    }
    html.push_str("</article></body></html>\n");
    let mut amp = String::from("<html><head><title>Entities</title></head><body><article><p>Clashes in Aleppo &amp; Idlib, ");
    while amp.len() < bytes {
        amp.push_str("&amp;&amp;&amp;&amp; ");
    }
    amp.push_str("</p></article></body></html>\n");
    vec![("story text", "story.txt", text), ("story HTML", "story.html", html), ("&amp; HTML", "amp.html", amp)]
}

/// `sitrep bench scaling`: seconds to read and extract generated inputs of each size.
fn bench_scaling(sizes: &[f64]) -> Result<bool> {
    let opts = ReadOptions::default();
    println!("{:<12} {:>8} {:>10} {:>10} {:>10} {:>8}", "input", "MB", "read s", "extract s", "total s", "s/MB");
    for &mb in sizes {
        for (name, file, input) in scaling_inputs((mb * 1_000_000.0) as usize) {
            let started = Instant::now();
            let mut articles = Vec::new();
            let mut errors = Vec::new();
            read::read_bytes(file, input.as_bytes(), &opts, &mut |r| match r {
                Ok(a) => articles.push(a),
                Err(e) => errors.push(e.to_string()),
            });
            let read_s = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let events: usize = articles.iter().map(|a| sitrep_core::events_of(a).len()).sum();
            let extract_s = started.elapsed().as_secs_f64();
            let total = read_s + extract_s;
            let size = input.len() as f64 / 1e6;
            print!("{name:<12} {size:>8.2} {read_s:>10.2} {extract_s:>10.2} {total:>10.2} {:>8.2}", total / size);
            match errors.first() {
                Some(e) => println!("  (refused: {e})"),
                None => println!("  ({events} events)"),
            }
        }
    }
    Ok(true)
}
