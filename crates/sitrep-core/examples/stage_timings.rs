//! Per-stage timings of extraction over a corpus, in microseconds per sentence:
//! `cargo run --release -p sitrep-core --example stage_timings -- ../shared/data/fakes/fakes-dev.csv`
use sitrep_core::extract::{actors::ActorDict, lexicon::Lexicon, numbers, places::PlaceCues, sentences, when};
use sitrep_core::read::{expand, read_all, ReadOptions};
use std::time::Instant;
fn main() {
    let (inputs, _) = expand(&std::env::args().skip(1).collect::<Vec<_>>());
    let (arts, _) = read_all(&inputs, &ReadOptions::default());
    let mut sents = Vec::new();
    for a in &arts {
        for p in &a.paragraphs {
            for s in sentences::split(&a.text, p.byte_start, p.byte_end) {
                sents.push(a.text[s.start..s.end].to_string());
            }
        }
    }
    println!("{} sentences", sents.len());
    let l = Lexicon::builtin();
    let d = ActorDict::builtin();
    let pc = PlaceCues::builtin();
    let reps = 5;
    macro_rules! time {
        ($name:expr, $f:expr) => {{
            let t = Instant::now();
            for _ in 0..reps {
                for s in &sents {
                    let _ = $f(s.as_str());
                }
            }
            println!("{:<12} {:.1} us/sentence", $name, t.elapsed().as_secs_f64() * 1e6 / (reps * sents.len()) as f64);
        }};
    }
    time!("triggers", |s| l.triggers_in(s));
    time!("nonevent", |s: &str| l.non_event(s, s.len() / 2));
    time!("actors", |s| d.mentions(s));
    time!("places", |s| pc.find(s, &[]));
    time!("casualties", numbers::casualties);
    time!("when", |s| when::find(s, None));
}
