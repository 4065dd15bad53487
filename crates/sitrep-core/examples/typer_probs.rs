//! What the learned typer says of sentences: `cargo run --example typer_probs -- "sentence" ...`
//! prints the five likeliest classes of each, and the word it takes for the trigger.

use sitrep_core::extract::learned::Model;

fn main() {
    let m = Model::builtin();
    for s in std::env::args().skip(1) {
        let p = m.predict(&s);
        let mut order: Vec<usize> = (0..p.probs.len()).collect();
        order.sort_by(|&a, &b| p.probs[b].total_cmp(&p.probs[a]));
        println!("{s}\n  trigger {:?}", &s[p.trigger.0..p.trigger.1]);
        for &c in order.iter().take(5) {
            println!("  {:.3} {}", p.probs[c], m.classes[c]);
        }
    }
}
