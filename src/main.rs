//! The `sitrep` command: a thin shell over `sitrep-core`. It parses arguments, runs one mode,
//! reports errors one line each, and sets the exit code (0 all good, 1 some input failed,
//! 2 bad usage).

mod live;
mod output;
mod progress;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use sitrep_core::dates::DateOrder;
use sitrep_core::read::{self, FieldMap, ReadOptions};
use sitrep_core::Format;
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "sitrep", version, about = "Turn raw war reporting into conflict-event data")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and clean articles; print them.
    Read(ReadCmd),
    /// Extract events from articles; print them.
    Extract(ExtractCmd),
    /// Score extraction against a gold file (the format of fixtures/gold/seeds.json).
    Eval(EvalCmd),
    /// Read, clean, extract, geocode and store articles in the database.
    Ingest(IngestCmd),
    /// Extract again the stored articles whose events older rules made (ingest does it too)
    Reextract(ReextractCmd),
    /// Copy a whole store into an empty one (SQLite file or PostgreSQL URL, either way).
    Copy(CopyCmd),
    /// Query the stored events.
    Events(EventsCmd),
    /// Full-text search over the stored articles.
    Search(SearchCmd),
    /// What the store holds: counts by type, actor, governorate, month and source.
    Stats(StatsCmd),
    /// Serve the store: the HTTP JSON API and the map page.
    Serve(ServeCmd),
    /// Fused events: one per real event, with every report and claim (`ingest` fuses).
    Fused(FusedCmd),
    /// The change feed of fused events since a moment.
    Changes(ChangesCmd),
    /// Territorial control: a place's timeline, or who held what on a date.
    Control(ControlCmd),
    /// Resolve the places a text names, and show how each was resolved.
    Geocode(GeocodeCmd),
    /// Look a place name up in the gazetteer (fuzzy, with admin areas).
    Places(PlacesCmd),
    /// Build the gazetteer data file from Who's On First.
    #[command(subcommand)]
    Gazetteer(GazetteerCmd),
    /// Article credibility: each article's probability and its reasons (the embedded model).
    Credibility(CredibilityCmd),
    /// Train a learned model from the annotated corpus.
    #[command(subcommand)]
    Train(TrainCmd),
    /// Follow news feeds: add, list, remove, poll.
    #[command(subcommand)]
    Feeds(live::FeedsCmd),
    /// Saved queries over fused events, delivered as webhooks or to a JSON Lines file.
    #[command(subcommand)]
    Alerts(live::AlertsCmd),
    /// Watch folders: files that appear or change are ingested once stable (until stopped).
    Watch(live::WatchCmd),
}

#[derive(Args)]
struct ReadCmd {
    /// Files, folders (read recursively), globs, or `-` for standard input.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args)]
struct ExtractCmd {
    /// Files, folders (read recursively), globs, or `-` for standard input.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EventFormat::Table)]
    format: EventFormat,
    /// Report only events at least this sure (0 to 1): 0 shows every reading, the default
    /// keeps pages that report no war free of events.
    #[arg(long, default_value_t = sitrep_core::extract::DEFAULT_MIN_CONFIDENCE)]
    min_confidence: f32,
    /// Which typer decides what reports an event: the lexicon, the learned typer, or both
    /// (the default).
    #[arg(long, default_value = "combined", value_parser = ["lexicon", "learned", "combined"])]
    typer: String,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum EventFormat {
    /// A readable table.
    Table,
    /// One JSON event a line.
    Jsonl,
    /// A JSON array of events.
    Json,
    /// CSV with ACLED's column names where ACLED has the field.
    Csv,
    /// ACLED's own CSV layout, every ACLED column in ACLED's order.
    Acled,
    /// A GeoJSON FeatureCollection of points.
    Geojson,
}

#[derive(Args)]
struct EvalCmd {
    /// The gold file.
    #[arg(long, required_unless_present = "corpus", requires = "docs")]
    gold: Option<std::path::PathBuf>,
    /// The folder holding the gold file's documents.
    #[arg(long)]
    docs: Option<std::path::PathBuf>,
    /// Score against the annotated corpus instead (`corpus/test.jsonl`; format in
    /// corpus/GUIDELINES.md): every typer side by side.
    #[arg(long, conflicts_with = "gold")]
    corpus: Option<std::path::PathBuf>,
    /// With --corpus: only this typer.
    #[arg(long, value_parser = ["lexicon", "learned", "combined"])]
    typer: Option<String>,
    /// With --corpus (its train part): K-fold cross-validation, each fold scored with a typer
    /// trained on the others (for tuning without the test part).
    #[arg(long, requires = "corpus", conflicts_with = "typer")]
    cv: Option<usize>,
    /// With --cv: training epochs, learning rate, L2 and minimum feature count (else the
    /// defaults `train typer` uses).
    #[arg(long, requires = "cv", num_args = 4, value_names = ["EPOCHS", "RATE", "L2", "MIN_COUNT"])]
    train_options: Option<Vec<f64>>,
    /// With --corpus: report only events at least this sure.
    #[arg(long, requires = "corpus", default_value_t = sitrep_core::extract::DEFAULT_MIN_CONFIDENCE)]
    min_confidence: f32,
    /// With --cv: the combined typer's thresholds (drop, retype, add; else the built-in ones).
    #[arg(long, requires = "cv", num_args = 3, value_names = ["DROP", "RETYPE", "ADD"])]
    thresholds: Option<Vec<f32>>,
    /// With --corpus: write every wrong field (article, field, gold, ours, sentence; TSV) of
    /// the last typer scored to this file. For the train part only: the test part is never read.
    #[arg(long, requires = "corpus")]
    misses: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum EvalFormat {
    Table,
    Json,
}

/// The database (`--db`, or `SITREP_DB`, or `./sitrep.db`).
#[derive(Args, Clone)]
struct DbArg {
    /// The database: an SQLite file path or a postgres:// URL.
    #[arg(long, env = "SITREP_DB", default_value = "sitrep.db")]
    db: sitrep_core::store::Location,
}

#[derive(Args)]
struct CopyCmd {
    /// The store to copy: an SQLite file path or a postgres:// URL (only read).
    #[arg(long)]
    from: sitrep_core::store::Location,
    /// The store to fill: created if missing; refused if it holds any article.
    #[arg(long)]
    to: sitrep_core::store::Location,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct ReextractCmd {
    #[command(flatten)]
    db: DbArg,
    #[command(flatten)]
    batch: BatchArgs,
}

/// How a command that writes many articles batches them, and whether it shows its progress.
#[derive(Args)]
struct BatchArgs {
    /// Articles per transaction (two batches are in memory at once: one extracting, one
    /// being written).
    #[arg(long, default_value_t = sitrep_core::ingest::Policy::DEFAULT_BATCH)]
    batch: usize,
    /// No progress lines.
    #[arg(long)]
    quiet: bool,
}

impl BatchArgs {
    /// The ingest policy: this batch, the default cache and the embedded knowledge.
    fn policy(&self) -> sitrep_core::ingest::Policy<'static> {
        sitrep_core::ingest::Policy { batch: self.batch, ..sitrep_core::ingest::Policy::default() }
    }
}

#[derive(Args)]
struct IngestCmd {
    /// Files, folders (read recursively), globs, or `-` for standard input.
    #[arg(required = true)]
    paths: Vec<String>,
    #[command(flatten)]
    db: DbArg,
    #[command(flatten)]
    batch: BatchArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    delivery: live::DeliveryArgs,
}

#[derive(Args)]
struct EventsCmd {
    #[command(flatten)]
    db: DbArg,
    // The filters (`--type`, `--since`, `--bbox`, ...): the API's `/api/events` parameters.
    #[command(flatten)]
    query: sitrep_core::query::EventQuery,
    /// Order: date (newest first), date_asc (oldest first) or fatalities (deadliest first).
    #[arg(long, default_value = "date", value_parser = sort_parser())]
    sort: sitrep_core::store::Sort,
    /// How many events at most. Without it: every matching event (streamed, at any size),
    /// except in the table, which shows the first 100.
    #[arg(long, value_parser = sitrep_core::query::parse_count::<usize>)]
    limit: Option<usize>,
    /// Skip this many.
    #[arg(long, default_value_t = 0, value_parser = sitrep_core::query::parse_count::<usize>)]
    offset: usize,
    #[arg(long, value_enum, default_value_t = EventFormat::Table)]
    format: EventFormat,
    /// GeoJSON with plain properties (actors, place and toll as plain values, for GIS tools)
    /// rather than each event whole.
    #[arg(long)]
    flat: bool,
    /// Write to this file (atomically: a temporary file renamed into place) instead of stdout.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

/// Rows the events table shows without `--limit`.
const TABLE_ROWS: usize = 100;

/// `--sort`: its names listed in the help (`date-asc`, the old spelling, still taken), parsed by
/// the one parser of sorts ([`sitrep_core::store::Sort`]'s `FromStr`, the API's too).
fn sort_parser() -> impl clap::builder::TypedValueParser<Value = sitrep_core::store::Sort> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let names =
        sitrep_core::store::Sort::NAMES
            .map(|n| if n == "date_asc" { PossibleValue::new(n).alias("date-asc") } else { PossibleValue::new(n) });
    PossibleValuesParser::new(names).try_map(|s| s.parse::<sitrep_core::store::Sort>())
}

#[derive(Args)]
struct StatsCmd {
    #[command(flatten)]
    db: DbArg,
    /// How many rows of each count in the table (all in JSON).
    #[arg(long, default_value_t = 10)]
    top: usize,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Args)]
struct FusedCmd {
    #[command(flatten)]
    db: DbArg,
    /// Only events reported by at least this many outlets.
    #[arg(long, default_value_t = 1)]
    min_sources: usize,
    /// Run fusion again first (it runs after every ingest).
    #[arg(long)]
    refuse: bool,
    #[arg(long, default_value_t = 100)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Args)]
struct ChangesCmd {
    #[command(flatten)]
    db: DbArg,
    /// The changes from this moment on, that moment included: a date (YYYY-MM-DD) or an RFC
    /// 3339 time.
    #[arg(long, conflicts_with = "after")]
    since: Option<String>,
    /// The changes after this sequence number (the `seq` of the last change seen: a cursor
    /// that never skips nor repeats). Without `--since` or `--after`: from the start.
    #[arg(long)]
    after: Option<i64>,
    /// How many changes at most (the next ones: `--after` the last `seq` shown).
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Args)]
struct ControlCmd {
    /// A place ("Ahras"): its timeline. Without one, every place with a change of control.
    place: Option<String>,
    #[command(flatten)]
    db: DbArg,
    /// Who held each place on this date (YYYY-MM-DD).
    #[arg(long)]
    date: Option<chrono::NaiveDate>,
    /// Only places in this governorate.
    #[arg(long)]
    admin1: Option<String>,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Args)]
struct ServeCmd {
    #[command(flatten)]
    db: DbArg,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Bearer token that `POST /api/articles` requires; without one the server is read-only.
    #[arg(long, env = "SITREP_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// Poll the feeds (`sitrep feeds add`) beside the API, every --every.
    #[arg(long)]
    poll: bool,
    /// How often --poll polls.
    #[arg(long, value_parser = sitrep_core::dates::parse_duration, default_value = "15m", requires = "poll")]
    every: std::time::Duration,
    #[command(flatten)]
    poll_args: live::PollArgs,
}

#[derive(Args)]
struct SearchCmd {
    /// The query (FTS5: "a phrase", prefix*, AND/OR/NOT).
    query: String,
    #[command(flatten)]
    db: DbArg,
    /// How many hits (1 to 10000).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Args)]
struct GeocodeCmd {
    /// The text (an article body, a sentence); `-` reads standard input.
    text: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Args)]
struct PlacesCmd {
    /// The name to look up.
    name: String,
    /// How many matches to show.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// The governorate the place is in, in any common spelling ("Homs", "Hamah Governorate",
    /// "Rif Dimashq", "Idlib province"): resolve the name there, as an event dataset gives it
    /// ("Tanab village"), instead of a fuzzy look-up.
    #[arg(long)]
    admin1: Option<String>,
}

#[derive(Subcommand)]
enum GazetteerCmd {
    /// Build `crates/sitrep-core/data/gazetteer.tsv.gz` (reproducible: same input, same bytes).
    Build {
        /// Who's On First places TSV (gzip or plain), e.g. ../shared/data/gazetteer/wof-places-sy-iq-lb-jo-tr.tsv.gz
        #[arg(long)]
        wof: std::path::PathBuf,
        /// Governorate outlines (GeoJSON, gzip or plain), e.g.
        /// ../shared/data/gazetteer/syria-governorates.geojson.gz: the governorate of the Syrian
        /// places WOF gives none.
        #[arg(long)]
        admin1_outlines: Option<std::path::PathBuf>,
        /// Where to write the gazetteer (gzip).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Make `crates/sitrep-core/data/places_ucdp.tsv` from a UCDP GED events CSV (CC BY 4.0),
    /// e.g. ../shared/data/ucdp/ucdp-ged-syria-dev.csv; `gazetteer build` then includes it.
    Ucdp {
        /// The UCDP GED CSV.
        #[arg(long)]
        input: std::path::PathBuf,
        /// Who's On First places TSV and governorate outlines, as for `gazetteer build`: the
        /// gazetteer UCDP's places are checked against.
        #[arg(long)]
        wof: std::path::PathBuf,
        #[arg(long)]
        admin1_outlines: Option<std::path::PathBuf>,
        /// Where to write the places.
        #[arg(long, default_value = "crates/sitrep-core/data/places_ucdp.tsv")]
        out: std::path::PathBuf,
        /// Annotated corpus files (JSON Lines) whose UCDP events are left out, so that their
        /// sentences do not find their answers in the gazetteer (repeat the flag).
        #[arg(long = "exclude-corpus", default_values = ["corpus/train.jsonl", "corpus/test.jsonl"])]
        exclude_corpus: Vec<std::path::PathBuf>,
    },
}

#[derive(Args)]
struct CredibilityCmd {
    /// Files, folders (read recursively), globs, or `-` for standard input.
    #[arg(required = true)]
    paths: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Subcommand)]
enum TrainCmd {
    /// The article credibility model: `crates/sitrep-core/data/credibility.tsv` from FA-KES dev
    /// and its labels file (`label_features_file`); reproducible: same inputs, same bytes.
    Credibility {
        /// The FA-KES CSV.
        #[arg(long, default_value = "../shared/data/fakes/fakes-dev.csv")]
        input: std::path::PathBuf,
        /// Its labels (unit_id, label_public, label_features_file).
        #[arg(long, default_value = "../shared/data/fakes/fakes-dev-labels.csv")]
        labels: std::path::PathBuf,
        #[arg(long, default_value = "crates/sitrep-core/data/credibility.tsv")]
        out: std::path::PathBuf,
    },
    /// The learned sentence typer: `crates/sitrep-core/data/typer.tsv.gz` from the corpus's
    /// train part (reproducible: same corpus, same bytes).
    Typer {
        /// The annotated corpus's train part.
        #[arg(long, default_value = "corpus/train.jsonl")]
        corpus: std::path::PathBuf,
        /// Where to write the model (gzip).
        #[arg(long, default_value = "crates/sitrep-core/data/typer.tsv.gz")]
        out: std::path::PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutFormat {
    /// Readable text.
    Text,
    /// A JSON array of articles.
    Json,
    /// One JSON article a line.
    Jsonl,
}

/// How inputs are read (shared by every command that reads articles).
#[derive(Args, Clone)]
pub struct InputArgs {
    /// Read every input as this format instead of detecting it.
    #[arg(long, value_enum)]
    input_format: Option<InFormat>,
    /// Replace invalid UTF-8 bytes instead of refusing the input.
    #[arg(long)]
    lossy: bool,
    /// Largest document (a file, or one CSV/JSON Lines record), in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    max_bytes: u64,
    /// How to read all-numeric dates like 4/5/16 (default: day first; month first for FA-KES CSV).
    #[arg(long, value_enum)]
    date_order: Option<DateOrderArg>,
    /// JSON field / CSV column of the title.
    #[arg(long)]
    title_field: Option<String>,
    /// JSON field / CSV column of the article text.
    #[arg(long)]
    text_field: Option<String>,
    /// JSON field / CSV column of the page's HTML.
    #[arg(long)]
    html_field: Option<String>,
    /// JSON field / CSV column of the URL.
    #[arg(long)]
    url_field: Option<String>,
    /// JSON field / CSV column of the source (outlet).
    #[arg(long)]
    source_field: Option<String>,
    /// JSON field / CSV column of the publication date.
    #[arg(long)]
    date_field: Option<String>,
    /// JSON field / CSV column of the author.
    #[arg(long)]
    byline_field: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum InFormat {
    Text,
    Html,
    Json,
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum DateOrderArg {
    /// Day first: 4/5/16 is 4 May 2016.
    Dmy,
    /// Month first: 4/5/16 is 5 April 2016.
    Mdy,
}

impl InputArgs {
    pub fn options(&self) -> ReadOptions {
        let mut fields = FieldMap::default();
        let set = |slot: &mut Vec<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = vec![v.clone()];
            }
        };
        set(&mut fields.title, &self.title_field);
        set(&mut fields.text, &self.text_field);
        set(&mut fields.html, &self.html_field);
        set(&mut fields.url, &self.url_field);
        set(&mut fields.source, &self.source_field);
        set(&mut fields.date, &self.date_field);
        set(&mut fields.byline, &self.byline_field);
        ReadOptions {
            format: self.input_format.map(|f| match f {
                InFormat::Text => Format::Text,
                InFormat::Html => Format::Html,
                InFormat::Json => Format::Json,
                InFormat::Jsonl => Format::Jsonl,
                InFormat::Csv => Format::Csv,
            }),
            lossy: self.lossy,
            max_bytes: self.max_bytes,
            fields,
            date_order: self.date_order.map(|o| match o {
                DateOrderArg::Dmy => DateOrder::DayFirst,
                DateOrderArg::Mdy => DateOrder::MonthFirst,
            }),
            ..ReadOptions::default()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Read(cmd) => run_read(cmd),
        Command::Extract(cmd) => run_extract(cmd),
        Command::Eval(cmd) => run_eval(cmd),
        Command::Ingest(cmd) => run_ingest(cmd),
        Command::Reextract(cmd) => run_reextract(cmd),
        Command::Copy(cmd) => run_copy(cmd),
        Command::Events(cmd) => run_events(cmd),
        Command::Search(cmd) => run_search(cmd),
        Command::Stats(cmd) => run_stats(cmd),
        Command::Serve(cmd) => run_serve(cmd),
        Command::Fused(cmd) => run_fused(cmd),
        Command::Changes(cmd) => run_changes(cmd),
        Command::Control(cmd) => run_control(cmd),
        Command::Geocode(cmd) => run_geocode(cmd),
        Command::Places(cmd) => run_places(cmd),
        Command::Gazetteer(GazetteerCmd::Build { wof, admin1_outlines, out }) => {
            run_gazetteer_build(&wof, admin1_outlines.as_deref(), &out)
        }
        Command::Gazetteer(GazetteerCmd::Ucdp { input, wof, admin1_outlines, out, exclude_corpus }) => {
            run_gazetteer_ucdp(&input, &wof, admin1_outlines.as_deref(), &out, &exclude_corpus)
        }
        Command::Train(TrainCmd::Typer { corpus, out }) => run_train_typer(&corpus, &out),
        Command::Train(TrainCmd::Credibility { input, labels, out }) => run_train_credibility(&input, &labels, &out),
        Command::Credibility(cmd) => run_credibility(cmd),
        Command::Feeds(cmd) => live::run_feeds(cmd),
        Command::Alerts(cmd) => live::run_alerts(cmd),
        Command::Watch(cmd) => live::run_watch(cmd),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            // A closed pipe (`sitrep read ... | head`) is not an error worth a message.
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.downcast_ref::<serde_json::Error>().is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("sitrep: error: {}", error_line(&e));
            // A database server that cannot be reached or refuses us is not bad input: 1.
            let server = e.chain().any(|c| {
                matches!(c.downcast_ref::<sitrep_core::store::StoreError>(), Some(sitrep_core::store::StoreError::Postgres { .. }))
            });
            ExitCode::from(if server { 1 } else { 2 })
        }
    }
}

/// An error and its causes on one line, each cause said once: a store error names its cause
/// already, and SQLite's causes repeat each other ("unable to open database file" three times).
fn error_line(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        // "Error code 14: unable to open database file": the words after the code.
        let words = text.strip_prefix("Error code ").and_then(|t| t.split_once(": ")).map_or(text.as_str(), |(_, w)| w);
        if !line.contains(words) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

/// Reads every article the arguments name and hands each to `step`, in order. Inputs that
/// cannot be read are reported (one line each) and counted; the first error of `step` stops
/// the run. `after_input` runs once each input is done. Returns how many inputs failed.
fn for_each_article(
    paths: &[String],
    opts: &ReadOptions,
    step: impl FnMut(sitrep_core::Article) -> Result<()>,
    after_input: impl FnMut(&read::Input),
) -> Result<usize> {
    for_each_article_or_error(paths, opts, step, |e| eprintln!("sitrep: error: {e}"), after_input)
}

/// [`for_each_article`] with the read errors handed to `on_error` rather than printed.
fn for_each_article_or_error(
    paths: &[String],
    opts: &ReadOptions,
    mut step: impl FnMut(sitrep_core::Article) -> Result<()>,
    mut on_error: impl FnMut(&sitrep_core::ReadError),
    mut after_input: impl FnMut(&read::Input),
) -> Result<usize> {
    let (inputs, errors) = read::expand(paths);
    for e in &errors {
        on_error(e);
    }
    let mut failed = errors.len();
    let mut stop: Option<anyhow::Error> = None;
    // Read on every core; the articles come back in input order.
    read::read_inputs(&inputs, opts, &mut |item| {
        match item {
            read::Item::Article(Ok(a)) => {
                if let Err(e) = step(a) {
                    stop = Some(e);
                    return std::ops::ControlFlow::Break(());
                }
            }
            read::Item::Article(Err(e)) => {
                on_error(&e);
                failed += 1;
            }
            read::Item::Done(input, summary) => {
                if summary.skipped > 0 {
                    let s = if summary.skipped == 1 { "" } else { "s" };
                    eprintln!("sitrep: {}: {} WARC record{s} skipped (not an HTML page)", input.name(), summary.skipped);
                }
                after_input(input);
            }
        }
        std::ops::ControlFlow::Continue(())
    });
    match stop {
        Some(e) => Err(e),
        None => Ok(failed),
    }
}

fn run_read(cmd: ReadCmd) -> Result<bool> {
    let opts = cmd.input.options();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut first = true;
    if matches!(cmd.format, OutFormat::Json) {
        out.write_all(b"[")?;
    }
    let failed = for_each_article(
        &cmd.paths,
        &opts,
        |a| {
            match cmd.format {
                OutFormat::Text => output::article_text(&mut out, &a)?,
                OutFormat::Jsonl => {
                    serde_json::to_writer(&mut out, &a)?;
                    out.write_all(b"\n")?;
                }
                OutFormat::Json => {
                    out.write_all(if first { b"\n" } else { b",\n" })?;
                    serde_json::to_writer_pretty(&mut out, &a)?;
                }
            }
            first = false;
            Ok(())
        },
        |_| {},
    )?;
    if matches!(cmd.format, OutFormat::Json) {
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    Ok(failed == 0)
}

/// Reads, cleans and extracts; prints the events as they come.
fn run_extract(cmd: ExtractCmd) -> Result<bool> {
    let opts = cmd.input.options();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut sink = output::EventSink::new(match cmd.format {
        EventFormat::Table => output::EventFormat::Table,
        EventFormat::Jsonl => output::EventFormat::Jsonl,
        EventFormat::Json => output::EventFormat::Json,
        EventFormat::Csv => output::EventFormat::Csv,
        EventFormat::Acled | EventFormat::Geojson => {
            anyhow::bail!("--format acled and geojson are exports of stored events: `sitrep ingest`, then `sitrep events --format ...`")
        }
    });
    let kind: sitrep_core::extract::learned::TyperKind = cmd.typer.parse().map_err(anyhow::Error::msg)?;
    anyhow::ensure!((0.0..=1.0).contains(&cmd.min_confidence), "--min-confidence must be between 0 and 1");
    let kb = sitrep_core::Knowledge::builtin();
    let extractor = sitrep_core::extract::Extractor { min_confidence: cmd.min_confidence, ..kb.extractor(kind) };
    sink.start(&mut out)?;
    let failed = for_each_article(
        &cmd.paths,
        &opts,
        |a| {
            let events = kb.events_by(&extractor, &a);
            sink.write(&mut out, Some(&a), &events)?;
            Ok(())
        },
        |_| {},
    )?;
    sink.finish(&mut out)?;
    out.flush()?;
    Ok(failed == 0)
}

/// Scores extraction against a gold file.
fn read_corpus(path: &std::path::Path) -> Result<Vec<sitrep_core::eval::corpus::CorpusArticle>> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    sitrep_core::eval::corpus::parse_corpus(&path.display().to_string(), &text).map_err(anyhow::Error::msg)
}

fn run_corpus_eval(
    path: &std::path::Path,
    typer: Option<&str>,
    cv: Option<(usize, sitrep_core::extract::learned::TrainOptions, sitrep_core::extract::learned::Thresholds)>,
    min_confidence: f32,
    misses: Option<&std::path::Path>,
    format: EvalFormat,
) -> Result<bool> {
    use sitrep_core::extract::learned::TyperKind;
    let corpus = read_corpus(path)?;
    let kinds: Vec<TyperKind> = match typer {
        Some(t) => vec![t.parse().map_err(anyhow::Error::msg)?],
        None => TyperKind::ALL.to_vec(),
    };
    let reports: Vec<_> = match cv {
        Some((k, opts, th)) => {
            sitrep_core::eval::corpus::cross_validate(&corpus, k.max(2), &opts, th, min_confidence).map_err(anyhow::Error::msg)?
        }
        None => kinds.into_iter().map(|k| sitrep_core::eval::corpus::score(&corpus, k, min_confidence)).collect(),
    };
    for r in &reports {
        for f in &r.failed {
            eprintln!("sitrep: {f}");
        }
    }
    if let (Some(out), Some(last)) = (misses, reports.last()) {
        use anyhow::Context;
        std::fs::write(out, last.all.misses.join("\n") + "\n").with_context(|| format!("writing {}", out.display()))?;
    }
    print_report(format, &reports, |out| output::corpus_table(out, &path.display().to_string(), &reports))?;
    Ok(reports.iter().all(|r| r.failed.is_empty()))
}

fn run_train_typer(corpus: &std::path::Path, out: &std::path::Path) -> Result<bool> {
    use anyhow::Context;
    use sitrep_core::extract::learned::{self, Typology};
    let corpus = read_corpus(corpus)?;
    let classes = Typology::builtin().class_names();
    let examples = sitrep_core::eval::corpus::typer_examples(&corpus, &classes).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(!examples.is_empty(), "no coded sentence in the corpus");
    let model = learned::train(&examples, &classes, &learned::TrainOptions::default());
    let bytes = model.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("{} sentences, {} classes -> {} ({} bytes)", examples.len(), classes.len(), out.display(), bytes.len());
    Ok(true)
}

/// Reads the FA-KES CSV and its labels (the rows that fail are named on stderr).
pub(crate) fn read_fakes(input: &std::path::Path, labels: &std::path::Path) -> Result<Vec<sitrep_core::credibility::LabelledArticle>> {
    use anyhow::Context;
    let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    let ltext = std::fs::read_to_string(labels).with_context(|| format!("reading {}", labels.display()))?;
    let (rows, errors) = sitrep_core::credibility::read_fakes(&input.display().to_string(), &text, &labels.display().to_string(), &ltext)?;
    for e in &errors {
        eprintln!("{e}");
    }
    anyhow::ensure!(!rows.is_empty(), "{}: no labelled article", input.display());
    Ok(rows)
}

fn run_train_credibility(input: &std::path::Path, labels: &std::path::Path, out: &std::path::Path) -> Result<bool> {
    use anyhow::Context;
    let rows = read_fakes(input, labels)?;
    let model = sitrep_core::credibility::train_on(&rows, &sitrep_core::credibility::TrainOptions::default());
    let text = model.to_tsv();
    std::fs::write(out, &text).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{} -> {} ({} features, {} outlets, {} bytes)",
        model.trained_on,
        out.display(),
        model.features.len(),
        model.outlets.len(),
        text.len()
    );
    Ok(true)
}

/// `sitrep credibility`: each article's probability and reasons.
fn run_credibility(cmd: CredibilityCmd) -> Result<bool> {
    let opts = cmd.input.options();
    let mut scored = Vec::new();
    let failed = for_each_article(
        &cmd.paths,
        &opts,
        |a| {
            let s = sitrep_core::credibility::score_article(&a);
            scored
                .push(serde_json::json!({ "article_id": a.id, "input": a.input, "title": a.title, "source": a.source, "credibility": s }));
            Ok(())
        },
        |_| {},
    )?;
    print_report(cmd.format, &scored, |out| {
        for s in &scored {
            let c = &s["credibility"];
            writeln!(
                out,
                "{}  {}  {}  credibility {:.2}",
                s["input"].as_str().unwrap_or("-"),
                s["source"].as_str().unwrap_or("-"),
                s["title"].as_str().unwrap_or("-"),
                c["probability"].as_f64().unwrap_or(0.0)
            )?;
            for r in c["reasons"].as_array().into_iter().flatten() {
                writeln!(out, "    {}", r.as_str().unwrap_or(""))?;
            }
        }
        Ok(())
    })?;
    Ok(failed == 0)
}

fn run_eval(cmd: EvalCmd) -> Result<bool> {
    use anyhow::Context;
    if let Some(corpus) = &cmd.corpus {
        let mut opts = sitrep_core::extract::learned::TrainOptions::default();
        if let Some(o) = &cmd.train_options {
            opts.epochs = o[0] as usize;
            opts.learning_rate = o[1] as f32;
            opts.l2 = o[2] as f32;
            opts.min_count = o[3] as usize;
        }
        let mut th = sitrep_core::extract::learned::Thresholds::default();
        if let Some(t) = &cmd.thresholds {
            th = sitrep_core::extract::learned::Thresholds { drop: t[0], retype: t[1], add: t[2], ..th };
        }
        return run_corpus_eval(
            corpus,
            cmd.typer.as_deref(),
            cmd.cv.map(|k| (k, opts, th)),
            cmd.min_confidence,
            cmd.misses.as_deref(),
            cmd.format,
        );
    }
    let (Some(gold_path), Some(docs_dir)) = (&cmd.gold, &cmd.docs) else { anyhow::bail!("--gold and --docs, or --corpus") };
    let gold_text = std::fs::read_to_string(gold_path).with_context(|| format!("reading {}", gold_path.display()))?;
    let gold: sitrep_core::eval::events::Gold =
        serde_json::from_str(&gold_text).with_context(|| format!("{}: not a gold file", gold_path.display()))?;
    let mut docs = Vec::new();
    let opts = ReadOptions::default();
    for d in &gold.documents {
        let path = docs_dir.join(&d.doc);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut article = None;
        let mut failure = None;
        read::read_bytes(&path.display().to_string(), &bytes, &opts, &mut |r| match r {
            Ok(a) => article = Some(a),
            Err(e) => failure = Some(e.to_string()),
        });
        let mut a = article.with_context(|| failure.unwrap_or_else(|| format!("{}: no article", path.display())))?;
        // The gold file may fix the publication date the page itself does not give.
        if a.published.is_none() {
            if let Some(p) = d.published.as_deref().and_then(|p| chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").ok()) {
                a.published = Some(sitrep_core::Published { date: p, time: None });
            }
        }
        let events = sitrep_core::events_of(&a);
        docs.push((d.doc.clone(), a, events));
    }
    let report = sitrep_core::eval::events::score(&gold, &docs);
    print_report(cmd.format, &report, |out| output::eval_table(out, &report))?;
    Ok(true)
}

/// Prints a report as pretty JSON, or as the table `table` writes.
fn print_report<T: serde::Serialize>(
    format: EvalFormat,
    value: &T,
    table: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut out, value)?;
            writeln!(out)?;
        }
        EvalFormat::Table => table(&mut out)?,
    }
    Ok(())
}

/// `sitrep geocode "text"`: the events' places of a text, resolved, with alternatives.
fn run_geocode(cmd: GeocodeCmd) -> Result<bool> {
    use std::io::Read as _;
    let text = if cmd.text == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        cmd.text
    };
    let kb = sitrep_core::Knowledge::builtin();
    let found = sitrep_core::geocode::places_in_text(&text, kb.gazetteer, kb.places, kb.actors);
    print_report(cmd.format, &found, |out| output::geocode_table(out, &found))?;
    Ok(true)
}

/// `sitrep places NAME`: fuzzy gazetteer look-up.
fn run_places(cmd: PlacesCmd) -> Result<bool> {
    let g = sitrep_core::geocode::Gazetteer::builtin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(a) = &cmd.admin1 {
        let Some(gov) = g.admin1_named(a) else {
            writeln!(out, "no governorate matches {a:?}")?;
            return Ok(false);
        };
        let Some(r) = g.resolve_in(&cmd.name, Some(&gov)) else {
            writeln!(out, "no place matches {:?} in {gov}", cmd.name)?;
            return Ok(false);
        };
        writeln!(
            out,
            "{:<28} {:<3} {:<16} {:>9.5} {:>9.5}  precision {}  {}  score {:.2}",
            r.name.as_deref().unwrap_or("(governorate only)"),
            r.country,
            r.admin1.as_deref().unwrap_or("-"),
            r.latitude,
            r.longitude,
            r.geo_precision,
            r.id.as_deref().unwrap_or("-"),
            r.score
        )?;
        for a in r.alternatives.iter().skip(1).take(cmd.limit.saturating_sub(1)) {
            writeln!(
                out,
                "  also: {} ({}, {}, {}) {:.5} {:.5} score {:.2}",
                a.name,
                a.kind,
                a.admin1.as_deref().unwrap_or("-"),
                a.country,
                a.latitude,
                a.longitude,
                a.score
            )?;
        }
        return Ok(true);
    }
    let found = g.lookup(&cmd.name, cmd.limit);
    if found.is_empty() {
        writeln!(out, "no place matches {:?}", cmd.name)?;
        return Ok(false);
    }
    for a in found {
        writeln!(
            out,
            "{:<28} {:<13} {:<3} {:<16} {:>9.5} {:>9.5}  {}  score {:.2}",
            a.name,
            a.kind,
            a.country,
            a.admin1.as_deref().unwrap_or("-"),
            a.latitude,
            a.longitude,
            a.id,
            a.score
        )?;
    }
    Ok(true)
}

/// `sitrep gazetteer build`: WOF + admin1 names + supplement -> the shipped gazetteer.
fn run_gazetteer_ucdp(
    input: &std::path::Path,
    wof: &std::path::Path,
    outlines: Option<&std::path::Path>,
    out: &std::path::Path,
    exclude: &[std::path::PathBuf],
) -> Result<bool> {
    use anyhow::Context;
    // The gazetteer without UCDP's places: what UCDP adds does not depend on what it added before.
    let base: &'static str = Box::leak(gazetteer_tsv(wof, outlines, false)?.into_boxed_str());
    let gazetteer = sitrep_core::geocode::Gazetteer::parse(base).map_err(anyhow::Error::msg)?;
    let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    // The corpus's article texts (a UCDP article's text holds its headlines).
    let mut texts: Vec<String> = Vec::new();
    for p in exclude {
        let body = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        for (n, line) in body.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).with_context(|| format!("{} line {}: not JSON", p.display(), n + 1))?;
            if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
                texts.push(t.to_string());
            }
        }
    }
    let excluded = |headline: &str| !headline.is_empty() && texts.iter().any(|t| t.contains(headline));
    let tsv =
        sitrep_core::geocode::build::ucdp_places(&text, &gazetteer, &excluded).map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    std::fs::write(out, &tsv).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {} ({} places)", out.display(), tsv.lines().filter(|l| l.starts_with("ucdp:")).count());
    Ok(true)
}

fn run_gazetteer_build(wof: &std::path::Path, outlines: Option<&std::path::Path>, out: &std::path::Path) -> Result<bool> {
    use anyhow::Context;
    let tsv = gazetteer_tsv(wof, outlines, true)?;
    // gzip without a name or a time stamp, so that the same input gives the same bytes.
    let mut gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
    gz.write_all(tsv.as_bytes())?;
    let bytes = gz.finish()?;
    let tmp = out.with_extension("tmp");
    std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out)?;
    eprintln!("wrote {} ({} places, {} bytes)", out.display(), tsv.lines().count() - 1, bytes.len());
    Ok(true)
}

/// The gazetteer TSV from WOF, the outlines and the supplement (and the UCDP places, when
/// asked: `gazetteer ucdp` decides what UCDP adds against the gazetteer without them).
fn gazetteer_tsv(wof: &std::path::Path, outlines: Option<&std::path::Path>, with_ucdp: bool) -> Result<String> {
    use anyhow::Context;
    use std::io::Read as _;
    let raw = std::fs::read(wof).with_context(|| format!("reading {}", wof.display()))?;
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(raw.as_slice()).read_to_string(&mut s).with_context(|| format!("decompressing {}", wof.display()))?;
        s
    } else {
        String::from_utf8(raw).with_context(|| format!("{}: not UTF-8", wof.display()))?
    };
    use sitrep_core::geocode::build;
    let outlines = match outlines {
        Some(p) => {
            let raw = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            let mut s = String::new();
            if raw.starts_with(&[0x1f, 0x8b]) {
                flate2::read::GzDecoder::new(raw.as_slice())
                    .read_to_string(&mut s)
                    .with_context(|| format!("decompressing {}", p.display()))?;
            } else {
                s = String::from_utf8(raw).with_context(|| format!("{}: not UTF-8", p.display()))?;
            }
            build::admin1_polygons(&s).map_err(anyhow::Error::msg)?
        }
        None => Vec::new(),
    };
    let supplement = if with_ucdp { format!("{}{}", build::SUPPLEMENT_TSV, build::UCDP_TSV) } else { build::SUPPLEMENT_TSV.to_string() };
    build::build_with_outlines(&text, build::ADMIN1_TSV, &supplement, build::FIXES_TSV, &outlines).map_err(anyhow::Error::msg)
}

/// `sitrep ingest`: read -> clean -> extract -> geocode -> store, in batched transactions.
fn run_ingest(cmd: IngestCmd) -> Result<bool> {
    let opts = cmd.input.options();
    let (inputs, errors) = read::expand(&cmd.paths);
    if inputs.is_empty() {
        // Nothing to read: say why, and leave no empty database behind.
        for e in &errors {
            eprintln!("sitrep: error: {e}");
        }
        return Ok(false);
    }
    let mut store = open_store(&cmd.db.db)?;
    let size_of = |i: &read::Input| match i {
        read::Input::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
        read::Input::Stdin => 0,
    };
    let progress = std::cell::RefCell::new(progress::Progress::new(cmd.batch.quiet, inputs.iter().map(size_of).sum()));
    let policy = cmd.batch.policy();
    let outcome = sitrep_core::ingest::run(store.as_mut(), &policy, |ing| {
        let ing = std::cell::RefCell::new(ing);
        // The walk's only error is a stopped ingest: the outcome says why.
        let _ = for_each_article_or_error(
            &cmd.paths,
            &opts,
            |a| {
                let mut ing = ing.borrow_mut();
                if !ing.push(a) {
                    anyhow::bail!("the store failed");
                }
                progress.borrow_mut().tick(ing.summary());
                Ok(())
            },
            |e| {
                progress.borrow().println(&format!("sitrep: error: {e}"));
                ing.borrow_mut().failed(e.input.clone(), e.kind.to_string());
            },
            |input| progress.borrow_mut().input_done(size_of(input)),
        );
    });
    if let Some(e) = outcome.failure {
        return stop_on_full_disk(e.into(), store.as_ref(), &cmd.db.db);
    }
    let summary = outcome.summary;
    progress.into_inner().finish(&summary);
    // Fusion of what changed: the new reports join the events they tell, or found new ones.
    let fusion = match outcome.fusion {
        Some(Ok(f)) => f,
        Some(Err(e)) => return stop_on_full_disk(e.into(), store.as_ref(), &cmd.db.db),
        None => Default::default(),
    };
    let fusion_secs = outcome.fusion_secs;
    let (articles, events) = store.counts()?;
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for f in &summary.failed {
        // "binary data, not text (NUL bytes)" and the like: the kind, without its detail.
        let kind = f.reason.split([':', '(']).next().unwrap_or(&f.reason).trim().to_string();
        match reasons.iter_mut().find(|(k, _)| *k == kind) {
            Some(r) => r.1 += 1,
            None => reasons.push((kind, 1)),
        }
    }
    let reasons = if reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", reasons.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", "))
    };
    println!(
        "read {}, new {}, replaced {}, unchanged {}, failed {}{reasons}, events added {}; the store holds {articles} articles and {events} events",
        summary.read,
        summary.new,
        summary.replaced,
        summary.unchanged,
        summary.failed.len(),
        summary.events_added
    );
    if summary.reextracted > 0 {
        println!("extracted again first: {} stored articles whose events older rules made", summary.reextracted);
    }
    let changed = fusion.created + fusion.updated + fusion.merged + fusion.deleted;
    if summary.new + summary.replaced > 0 || changed > 0 {
        println!(
            "fusion: {} fused events ({} from several outlets); {} created, {} updated, {} merged, {} deleted ({:.1} s)",
            fusion.fused_events, fusion.multi_source, fusion.created, fusion.updated, fusion.merged, fusion.deleted, fusion_secs
        );
    }
    // Alerts on the fused events this ingest created or updated (after the commit: a
    // delivery that fails is kept and retried, never undoing or holding back what was stored).
    if let Err(e) = live::run_alerts_after_ingest(store.as_mut(), &cmd.delivery) {
        eprintln!("sitrep: error: alerts: {}", error_line(&e));
    }
    Ok(summary.failed.is_empty())
}

/// `sitrep reextract`: the stored articles whose events were made by other rules (another
/// data version) extracted again, ids kept, then fused again.
fn run_reextract(cmd: ReextractCmd) -> Result<bool> {
    let version = sitrep_core::knowledge::DATA_VERSION;
    let mut store = open_to_update(&cmd.db.db)?;
    let stale = store.stale_articles(version)?.len();
    if stale == 0 {
        println!("every stored article's events were made by these rules (data version {version}): nothing to do");
        return Ok(true);
    }
    let policy = cmd.batch.policy();
    let mut progress = progress::Progress::counting(cmd.batch.quiet, stale);
    let r = sitrep_core::ingest::reextract(store.as_mut(), &policy, &mut |done, _| progress.done(done, "articles extracted again"))?;
    progress.clear();
    println!(
        "extracted again {} articles made by older rules: {} events (data version {version}); fusion: {} fused events, {} created, {} updated, {} merged, {} deleted",
        r.articles, r.events, r.fusion.fused_events, r.fusion.created, r.fusion.updated, r.fusion.merged, r.fusion.deleted
    );
    Ok(true)
}

/// `sitrep copy`: every article (each version), event, fused event, membership, change,
/// score, feed, alert and delivery of one store written into another, ids and times kept, in
/// one transaction of the target; a target holding articles is refused (exit 1), untouched.
fn run_copy(cmd: CopyCmd) -> Result<bool> {
    let from = open_existing(&cmd.from)?;
    let mut to = open_store(&cmd.to)?;
    let held = to.counts()?.0;
    if held > 0 {
        eprintln!("sitrep: error: {}: already holds {held} articles; copy only into an empty store", cmd.to);
        return Ok(false);
    }
    let mut progress = None;
    let rows = sitrep_core::store::copy(from.as_ref(), to.as_mut(), &mut |done, total| {
        progress.get_or_insert_with(|| progress::Progress::counting(cmd.quiet, total as usize)).done(done as usize, "rows copied")
    })?;
    if let Some(p) = progress {
        p.clear();
    }
    let (articles, events) = to.counts()?;
    println!("copied {} to {}: {rows} rows, {articles} current articles, {events} events", cmd.from, cmd.to);
    Ok(true)
}

/// An ingest stopped by a full disk: the write-ahead log is checkpointed and truncated (its
/// space freed), and one line says what happened and what to do; exit code 1, as for any
/// input that could not be stored. Other errors go on up.
fn stop_on_full_disk(e: anyhow::Error, store: &dyn sitrep_core::store::EventStore, db: &sitrep_core::store::Location) -> Result<bool> {
    let full = e.chain().any(|c| c.downcast_ref::<sitrep_core::store::StoreError>().is_some_and(|s| s.is_disk_full()));
    if !full {
        return Err(e);
    }
    store.release_space();
    let kept = store.counts().map_or_else(|_| "what was committed".to_string(), |(a, _)| format!("the {a} articles committed"));
    eprintln!("{}", full_disk_line(db, &kept));
    Ok(false)
}

fn full_disk_line(db: &sitrep_core::store::Location, kept: &str) -> String {
    format!(
        "sitrep: error: {db}: the disk is full; the store keeps {kept} before it (its write-ahead log emptied); free some space and run the same ingest again to complete it"
    )
}

/// `sitrep events`: stored events by filter, streamed: every matching event unless
/// `--limit` (the table: the first 100), in flat memory at any size.
fn run_events(cmd: EventsCmd) -> Result<bool> {
    use sitrep_core::export::ExportFormat;
    if cmd.limit == Some(0) {
        anyhow::bail!("--limit 0: give at least 1 (or no --limit for every matching event)");
    }
    if cmd.flat && cmd.format != EventFormat::Geojson {
        anyhow::bail!("--flat is for --format geojson");
    }
    let mut filter = cmd.query.filter(cmd.sort, sitrep_core::extract::actors::ActorDict::builtin())?;
    filter.offset = cmd.offset;
    let store = open_existing(&cmd.db.db)?;
    let limit = cmd.limit.or((cmd.format == EventFormat::Table).then_some(TABLE_ROWS));
    let export = match cmd.format {
        EventFormat::Acled => Some(ExportFormat::Acled),
        EventFormat::Csv => Some(ExportFormat::Csv),
        EventFormat::Jsonl => Some(ExportFormat::Jsonl),
        EventFormat::Geojson => Some(ExportFormat::Geojson { flat: cmd.flat }),
        EventFormat::Json | EventFormat::Table => None,
    };
    // Stdout, or a temporary file beside the output renamed into place at the end.
    let tmp = cmd.output.as_ref().map(|p| temp_beside(p));
    let mut out: Box<dyn Write> = match &tmp {
        Some(t) => {
            use anyhow::Context;
            Box::new(std::io::BufWriter::new(std::fs::File::create(t).with_context(|| format!("creating {}", t.display()))?))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = {
        let result = write_events(store.as_ref(), &filter, limit, cmd.format, export, &mut out);
        match result {
            Ok(n) => n,
            Err(e) => {
                if let Some(t) = &tmp {
                    let _ = std::fs::remove_file(t);
                }
                return Err(naming_the_query(e, "--text"));
            }
        }
    };
    drop(out);
    if let (Some(t), Some(path)) = (&tmp, &cmd.output) {
        use anyhow::Context;
        std::fs::rename(t, path).with_context(|| format!("renaming {} to {}", t.display(), path.display()))?;
        eprintln!("sitrep: wrote {written} events to {}", path.display());
    }
    if cmd.limit.is_none() && limit == Some(written as usize) {
        let total = store.count_events(&filter)?;
        if total > written + cmd.offset as u64 {
            eprintln!(
                "sitrep: showing the first {written} of {total} events (--limit N for more; --format csv, jsonl, json, acled or geojson for all)"
            );
        }
    }
    Ok(true)
}

/// Writes the events a filter selects to `out` in `format` (`export`: one of the export
/// writers'), streamed through a buffer; how many.
fn write_events(
    store: &dyn sitrep_core::store::Store,
    filter: &sitrep_core::store::EventFilter,
    limit: Option<usize>,
    format: EventFormat,
    export: Option<sitrep_core::export::ExportFormat>,
    out: &mut dyn Write,
) -> Result<u64> {
    use sitrep_core::export::ExportWriter;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    let mut writer = export.map(ExportWriter::new);
    let mut sink = output::EventSink::new(match format {
        EventFormat::Json => output::EventFormat::Json,
        _ => output::EventFormat::Table,
    });
    match &mut writer {
        Some(w) => w.start(&mut buf),
        None => sink.start(&mut buf)?,
    }
    let mut io_error: Option<std::io::Error> = None;
    let n = store.for_each_event(filter, limit, &mut |e, stored_at| {
        match &mut writer {
            Some(w) => w.row(&mut buf, &e, stored_at),
            None => {
                if let Err(err) = sink.write(&mut buf, None, std::slice::from_ref(&e)) {
                    io_error = Some(err);
                }
            }
        }
        if buf.len() >= 1 << 16 {
            if let Err(err) = out.write_all(&buf) {
                io_error = Some(err);
            }
            buf.clear();
        }
        match io_error.take() {
            Some(err) => Err(sitrep_core::store::StoreError::Corrupt(format!("writing the output: {err}"))),
            None => Ok(()),
        }
    })?;
    match &mut writer {
        Some(w) => w.finish(&mut buf),
        None => {
            if n == 0 && format == EventFormat::Table {
                sink.write(&mut buf, None, &[])?;
            }
            sink.finish(&mut buf)?;
        }
    }
    out.write_all(&buf)?;
    out.flush()?;
    Ok(n)
}

/// A bad search query is the fault of one argument: say which ("--text: bad search query ...").
fn naming_the_query(e: anyhow::Error, arg: &str) -> anyhow::Error {
    match e.downcast_ref::<sitrep_core::store::StoreError>() {
        Some(sitrep_core::store::StoreError::BadQuery { .. }) => anyhow::anyhow!("{arg}: {e}"),
        _ => e,
    }
}

/// A temporary file beside `path`, to be renamed onto it.
fn temp_beside(path: &std::path::Path) -> std::path::PathBuf {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// Opens a store that must exist already (queries never create an empty file by mistake),
/// only to read it: read-only files and folders can be queried.
fn open_existing(db: &sitrep_core::store::Location) -> Result<Box<dyn sitrep_core::store::Store>> {
    Ok(sitrep_core::store::open(db, sitrep_core::store::Access::ReadOnly)?)
}

/// Opens a store that must exist to write it (its schema upgraded if older): for work on what
/// is stored, which never creates an empty store by mistake.
fn open_to_update(db: &sitrep_core::store::Location) -> Result<Box<dyn sitrep_core::store::Store>> {
    Ok(sitrep_core::store::open(db, sitrep_core::store::Access::Existing)?)
}

/// Opens a store to write it, creating it (or upgrading its schema) if needed.
fn open_store(db: &sitrep_core::store::Location) -> Result<Box<dyn sitrep_core::store::Store>> {
    Ok(sitrep_core::store::open(db, sitrep_core::store::Access::ReadWrite)?)
}

/// `sitrep serve`: the API and the page until SIGTERM or Ctrl-C.
fn run_serve(cmd: ServeCmd) -> Result<bool> {
    if cmd.poll {
        // The poller has its own connection and thread: a slow feed never holds a request,
        // and the API (read-only without a token) serves what each cycle commits.
        let mut store = open_store(&cmd.db.db)?;
        let (every, args) = (cmd.every, cmd.poll_args.clone());
        std::thread::spawn(move || {
            let fetcher = args.fetcher();
            loop {
                let started = std::time::Instant::now();
                if let Err(e) = live::poll_cycle(store.as_mut(), &fetcher, &args) {
                    eprintln!("sitrep: error: poll: {}", error_line(&e));
                }
                std::thread::sleep(every.saturating_sub(started.elapsed()));
            }
        });
    }
    let config = sitrep_server::Config {
        db: cmd.db.db,
        addr: cmd.addr,
        token: cmd.token.filter(|t| !t.is_empty()),
        max_body: cmd.max_body,
        limits: sitrep_server::Limits::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = rt.block_on(sitrep_server::serve(config, sitrep_server::shutdown_signal()));
    // Running queries were stopped at shutdown; a blocking thread still busy does not hold the exit.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    served?;
    Ok(true)
}

/// `sitrep fused`: fused events, most reported first.
fn run_fused(cmd: FusedCmd) -> Result<bool> {
    let mut store = if cmd.refuse { open_to_update(&cmd.db.db)? } else { open_existing(&cmd.db.db)? };
    if cmd.refuse {
        let c = sitrep_core::fuse::refuse_all(store.as_mut(), sitrep_core::Knowledge::builtin())?;
        eprintln!("fusion: {} fused events ({} from several outlets)", c.fused_events, c.multi_source);
    }
    let fused = store.fused_events(cmd.min_sources, cmd.limit, cmd.offset)?;
    // Each with its credibility: its reports' article scores combined with corroboration.
    let creds: Vec<sitrep_core::credibility::EventCredibility> =
        fused.iter().map(|f| sitrep_core::credibility::fused_event_credibility(store.as_ref(), f)).collect::<Result<_, _>>()?;
    let json: Vec<serde_json::Value> = fused
        .iter()
        .zip(&creds)
        .map(|(f, c)| {
            let mut v = serde_json::to_value(f)?;
            v["credibility"] = serde_json::to_value(c)?;
            Ok(v)
        })
        .collect::<Result<_, serde_json::Error>>()?;
    print_report(cmd.format, &json, |out| {
        for (f, c) in fused.iter().zip(&creds) {
            writeln!(
                out,
                "{}  {} reports, {} outlets ({})  {} | {} vs {} | {} | {} | fatalities {} (claims {}-{})  credibility {:.2}",
                f.id,
                f.events.len(),
                f.sources.len(),
                f.sources.join(", "),
                f.sub_event_type,
                f.actor1.as_deref().unwrap_or("-"),
                f.actor2.as_deref().unwrap_or("-"),
                f.location.as_deref().or(f.admin1.as_deref()).unwrap_or("-"),
                f.event_date.map_or("-".to_string(), |d| d.to_string()),
                f.fatalities,
                f.fatalities_range.0,
                f.fatalities_range.1,
                c.score
            )?;
            for r in &c.reasons {
                writeln!(out, "    {r}")?;
            }
        }
        if fused.is_empty() {
            writeln!(out, "no fused events")?;
        }
        Ok(())
    })?;
    Ok(true)
}

/// `sitrep changes [--since T | --after SEQ]`: the change feed, in order; the next page is
/// `--after` the last `seq` shown.
fn run_changes(cmd: ChangesCmd) -> Result<bool> {
    let store = open_existing(&cmd.db.db)?;
    let changes = match &cmd.since {
        Some(since) => store.changes_since(since, cmd.limit)?,
        None => store.changes_after(cmd.after.unwrap_or(0), cmd.limit)?,
    };
    print_report(cmd.format, &changes, |out| {
        for c in &changes {
            writeln!(
                out,
                "{:>6}  {}  {:<8} {}{}",
                c.seq,
                c.at,
                c.kind,
                c.fused_id,
                c.into.as_ref().map_or(String::new(), |i| format!(" -> {i}"))
            )?;
        }
        if changes.is_empty() {
            match (&cmd.since, cmd.after) {
                (Some(since), _) => writeln!(out, "no changes since {since}")?,
                (None, Some(after)) => writeln!(out, "no changes after {after}")?,
                (None, None) => writeln!(out, "no changes")?,
            }
        }
        Ok(())
    })?;
    if changes.len() == cmd.limit {
        if let Some(last) = changes.last() {
            eprintln!("sitrep: more changes may follow: --after {}", last.seq);
        }
    }
    Ok(true)
}

/// `sitrep control`: control timelines from the stored territorial events.
fn run_control(cmd: ControlCmd) -> Result<bool> {
    let store = open_existing(&cmd.db.db)?;
    let timelines = sitrep_core::control::stored_timelines(store.as_ref(), cmd.place.clone(), cmd.admin1.clone())?;
    if let Some(date) = cmd.date {
        let held = sitrep_core::control::holders_on(&timelines, date);
        print_report(cmd.format, &held, |out| {
            for h in &held {
                writeln!(out, "{} ({}): held by {} since {}", h.place, h.admin1.as_deref().unwrap_or("-"), h.holder, h.since)?;
            }
            if held.is_empty() {
                writeln!(out, "no change of control on record by {date}")?;
            }
            Ok(())
        })?;
        return Ok(true);
    }
    print_report(cmd.format, &timelines, |out| {
        for t in &timelines {
            writeln!(
                out,
                "{} ({}){}",
                t.place,
                t.admin1.as_deref().unwrap_or("-"),
                t.holder.as_ref().map_or(String::new(), |h| format!(": held by {h}"))
            )?;
            for e in &t.entries {
                writeln!(out, "  {}", e.summary)?;
                for ev in &e.evidence {
                    writeln!(out, "      \"{ev}\"")?;
                }
            }
        }
        if timelines.is_empty() {
            writeln!(out, "no change of control on record{}", cmd.place.as_ref().map_or(String::new(), |p| format!(" for {p}")))?;
        }
        Ok(())
    })?;
    Ok(true)
}

/// `sitrep stats`: what the store holds.
fn run_stats(cmd: StatsCmd) -> Result<bool> {
    let store = open_existing(&cmd.db.db)?;
    let st = store.stats()?;
    print_report(cmd.format, &st, |out| {
        writeln!(
            out,
            "{} articles ({} without events, {} superseded versions kept), {} events ({} without a place), {} fatalities",
            st.articles, st.articles_without_events, st.superseded_articles, st.events, st.events_without_place, st.fatalities
        )?;
        for (title, counts) in [
            ("event types", &st.by_sub_type),
            ("actors", &st.by_actor),
            ("governorates", &st.by_admin1),
            ("months", &st.by_month),
            ("sources (articles)", &st.sources),
        ] {
            if title == "months" {
                // The latest months, in order; undated events apart.
                let (dated, undated): (Vec<_>, Vec<_>) = counts.iter().partition(|c| c.key != "undated");
                let shown = dated.len().min(cmd.top);
                writeln!(
                    out,
                    "\n{title} ({} in all{}):",
                    dated.len(),
                    if dated.len() > shown { format!(", the latest {shown}") } else { String::new() }
                )?;
                for c in &dated[dated.len() - shown..] {
                    writeln!(out, "  {:>7}  {}", c.count, c.key)?;
                }
                for c in undated {
                    writeln!(out, "  {:>7}  undated", c.count)?;
                }
                continue;
            }
            writeln!(
                out,
                "\n{title} ({} in all{}):",
                counts.len(),
                if counts.len() > cmd.top { format!(", top {}", cmd.top) } else { String::new() }
            )?;
            for c in counts.iter().take(cmd.top) {
                writeln!(out, "  {:>7}  {}", c.count, c.key)?;
            }
        }
        Ok(())
    })?;
    Ok(true)
}

/// `sitrep search`: ranked full-text hits with snippets.
fn run_search(cmd: SearchCmd) -> Result<bool> {
    let store = open_existing(&cmd.db.db)?;
    let hits = store.search(&cmd.query, cmd.limit).map_err(|e| naming_the_query(e.into(), "the search query"))?;
    print_report(cmd.format, &hits, |out| {
        for h in &hits {
            writeln!(out, "{}  {}\n    {}", h.article_id, h.title.as_deref().unwrap_or("-"), h.snippet)?;
        }
        if hits.is_empty() {
            writeln!(out, "no article matches")?;
        }
        Ok(())
    })?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a cause, for chains like SQLite's.
    #[derive(Debug)]
    struct E(String, Option<Box<E>>);
    impl std::fmt::Display for E {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for E {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
        }
    }

    #[test]
    fn a_full_disk_is_said_once() {
        // The chain a full disk gives (path and words, the words, the code and the words).
        let chain = E(
            "s.db: database or disk is full".into(),
            Some(Box::new(E("database or disk is full".into(), Some(Box::new(E("Error code 13: database or disk is full".into(), None)))))),
        );
        let line = error_line(&anyhow::Error::new(chain));
        assert_eq!(line, "s.db: database or disk is full");
        let line = full_disk_line(&sitrep_core::store::Location::sqlite("s.db"), "the 3 articles committed");
        assert_eq!(line.matches("full").count(), 1, "{line}");
        assert!(line.contains("the 3 articles committed") && line.contains("run the same ingest again"), "{line}");
    }
}
