use sitrep_core::extract::{lexicon::Lexicon, sentences, Typer};
fn main() {
    let l = Lexicon::builtin();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or(path.clone());
        for s in sentences::split(&text, 0, text.len()) {
            let s = &text[s.start..s.end];
            for h in l.triggers_in(s) {
                println!("{:?} [{}] {:?} | {}", h.trigger.name, &s[h.start..h.end], l.non_event(s, h.start), &s[..s.len().min(80)]);
            }
            let _ = l.type_sentence(s);
        }
    }
}
