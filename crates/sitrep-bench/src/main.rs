//! `sitrep-bench`: sitrep's benchmarks, measured figures printed. Run them in release
//! (`cargo run --release -p sitrep-bench -- fakes-places --input ...`). They read data from
//! outside the repository (`../shared`), so they are commands, not tests, and they live in this
//! crate of their own so that the shipped `sitrep` binary carries none of them (nor their HTTP
//! load client).
//!
//! Each benchmark checks the counts it expects of a known input (`expect.rs`, as tantivy's
//! benches do): a different file under a known name fails loudly, naming it, rather than
//! printing figures that would be compared with the wrong ones.
//!
//! Exit codes as `sitrep`'s: 0 done, 1 a benchmark's own check failed, 2 an error.

mod benches;
mod expect;

use clap::Parser;
use std::process::ExitCode;

/// sitrep's benchmarks (run in release).
#[derive(Parser)]
#[command(name = "sitrep-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: benches::BenchCmd,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match benches::run(cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("sitrep-bench: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
