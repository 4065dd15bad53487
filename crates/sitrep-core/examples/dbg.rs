fn main() {
    let l = sitrep_core::extract::lexicon::Lexicon::builtin();
    for s in std::env::args().skip(1) {
        for h in l.triggers_in(&s) {
            println!("{} [{}] {:?}", h.trigger.name, &s[h.start..h.end], l.non_event(&s, h.start));
        }
        for c in sitrep_core::extract::numbers::casualties(&s) {
            println!("{:?}", c);
        }
    }
}
