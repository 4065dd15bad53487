//! Progress of a long run on stderr: a bar (indicatif) on a terminal, a plain line every few
//! seconds when stderr is a file or a pipe, nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sitrep_core::ingest::Summary;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

pub enum Progress {
    Quiet,
    Bar { bar: ProgressBar, started: Instant },
    Lines { started: Instant, last: Instant },
}

impl Progress {
    /// `total_bytes`: the size of every input, the bar's length (0 when unknown: stdin).
    pub fn new(quiet: bool, total_bytes: u64) -> Progress {
        let now = Instant::now();
        if quiet {
            return Progress::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            return Progress::Lines { started: now, last: now };
        }
        let bar = ProgressBar::with_draw_target(Some(total_bytes.max(1)), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {percent:>3}% ETA {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress::Bar { bar, started: now }
    }

    /// A count of `total` things, told how many are done with [`Self::done`].
    pub fn counting(quiet: bool, total: usize) -> Progress {
        Self::new(quiet, total as u64)
    }

    /// `done` of the total of [`Self::counting`] are done.
    pub fn done(&mut self, done: usize, what: &str) {
        match self {
            Progress::Quiet => {}
            Progress::Bar { bar, .. } => {
                bar.set_position(done as u64);
                bar.set_message(format!("{done} {what}"));
            }
            Progress::Lines { last, .. } => {
                if last.elapsed() >= Duration::from_secs(2) {
                    *last = Instant::now();
                    eprintln!("sitrep: {done} {what}");
                }
            }
        }
    }

    /// The end of a count.
    pub fn clear(self) {
        if let Progress::Bar { bar, .. } = self {
            bar.finish_and_clear();
        }
    }

    fn line(summary: &Summary, started: Instant) -> String {
        let rate = summary.read as f64 / started.elapsed().as_secs_f64().max(1e-9);
        format!(
            "{} read, {:.0} articles/s, {} new, {} replaced, {} unchanged, {} failed",
            summary.read,
            rate,
            summary.new,
            summary.replaced,
            summary.unchanged,
            summary.failed.len()
        )
    }

    /// After each article.
    pub fn tick(&mut self, summary: &Summary) {
        match self {
            Progress::Quiet => {}
            Progress::Bar { bar, started } => {
                if summary.read.is_multiple_of(50) {
                    bar.set_message(Self::line(summary, *started));
                }
            }
            Progress::Lines { started, last } => {
                if last.elapsed() >= Duration::from_secs(2) {
                    *last = Instant::now();
                    eprintln!("sitrep: {}", Self::line(summary, *started));
                }
            }
        }
    }

    /// After each input, with its size in bytes.
    pub fn input_done(&mut self, bytes: u64) {
        if let Progress::Bar { bar, .. } = self {
            bar.inc(bytes);
        }
    }

    /// A message that must not tear the bar.
    pub fn println(&self, msg: &str) {
        match self {
            Progress::Bar { bar, .. } => bar.suspend(|| eprintln!("{msg}")),
            _ => eprintln!("{msg}"),
        }
    }

    pub fn finish(self, summary: &Summary) {
        match self {
            Progress::Quiet => {}
            Progress::Bar { bar, .. } => bar.finish_and_clear(),
            Progress::Lines { started, .. } => eprintln!("sitrep: {}", Self::line(summary, started)),
        }
    }
}
