//! Extraction stays linear in the input's length (issue 18: a 1 MB text of repeated story
//! sentences took 4.4 s, 2 MB 16.5 s, 4 MB over a minute, in release). `sitrep bench scaling`
//! measures seconds per MB; this test only guards against the quadratic step coming back, with
//! a bound so generous that no machine load decides it (the fixed code takes a few seconds in
//! the debug profile; the quadratic one took minutes).

use sitrep_core::read::{read_bytes, ReadOptions};

const STORY: &[&str] = &[
    "Syrian government forces shelled the town of Kafr Nabl in Idlib on Sunday, killing four civilians, a monitor said.",
    "Islamic State fighters seized the village of Tal Shair north of Aleppo after clashes with rebels on Monday.",
    "A car bomb exploded near a checkpoint in the city of Azaz on Tuesday, wounding 12 people, activists reported.",
    "Russian warplanes carried out air strikes on the eastern outskirts of Deir ez-Zor, the Syrian Observatory said.",
];

#[test]
fn four_mb_of_repeated_story_sentences_extract_in_linear_time() {
    let mut text = String::from("Fighting in northern Syria\n\n");
    let mut i = 0;
    while text.len() < 4_000_000 {
        text.push_str(STORY[i % STORY.len()]);
        text.push_str(if i % 4 == 3 { "\n\n" } else { " " });
        i += 1;
    }
    let mut article = None;
    read_bytes("story.txt", text.as_bytes(), &ReadOptions::default(), &mut |r| article = Some(r.expect("reads")));
    let article = article.expect("one article");
    let started = std::time::Instant::now();
    let events = sitrep_core::Knowledge::builtin().extractor(Default::default()).extract(&article);
    let took = started.elapsed();
    // The repeated sentences tell the same few events over and over: they merge (4 today),
    // each with thousands of sentences of evidence.
    assert!((1..=20).contains(&events.len()), "{:?}", events.iter().map(|e| &e.sub_event_type).collect::<Vec<_>>());
    assert!(events.iter().map(|e| e.evidence.len()).sum::<usize>() > 10_000);
    assert!(took.as_secs() < 300, "extraction took {took:?}: quadratic again?");
}
