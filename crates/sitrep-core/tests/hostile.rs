//! Property tests: the readers never panic, whatever bytes they are fed, and every article
//! they return keeps its invariants (offsets into the text, non-empty body); extraction never
//! panics on war-report-like garbage, and its evidence points into the text.

use proptest::prelude::*;
use sitrep_core::read::{read_bytes, ReadOptions};
use sitrep_core::Format;

fn check(name: &str, bytes: &[u8], format: Option<Format>) {
    let opts = ReadOptions { format, max_bytes: 1 << 20, ..ReadOptions::default() };
    read_bytes(name, bytes, &opts, &mut |r| {
        if let Ok(a) = r {
            assert!(!a.paragraphs.is_empty());
            for p in &a.paragraphs {
                assert_eq!(&a.text[p.byte_start..p.byte_end], p.text);
                assert!(p.start <= p.end && p.end <= a.text.chars().count());
            }
            for d in &a.dropped {
                assert!(d.byte_start <= d.byte_end && d.byte_end <= a.text.len());
            }
        }
    });
}

/// Fragments that steer the generator into the parsers' interesting corners.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<html>".to_string()),
        Just("<p>".to_string()),
        Just("</div>".to_string()),
        Just("<script>".to_string()),
        Just("<!--".to_string()),
        Just("{\"title\":".to_string()),
        Just("\"text\": \"".to_string()),
        Just("}\n{".to_string()),
        Just(",\"\n".to_string()),
        Just("ALEPPO – ".to_string()),
        Just("Reporting by: ".to_string()),
        Just("Leave a Reply\n".to_string()),
        Just("eighteen − 12 =\n".to_string()),
        Just("Mon May 30, 2016 12:49:41\n".to_string()),
        Just("string(387) \"[{".to_string()),
        Just("\n\n".to_string()),
        Just("“".to_string()),
        Just("\u{FEFF}".to_string()),
        "[a-zA-Z ,.]{0,40}",
        "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        for (name, f) in [("x.txt", None), ("x.html", Some(Format::Html)), ("x.csv", Some(Format::Csv)), ("x.jsonl", Some(Format::Jsonl)), ("x.json", Some(Format::Json))] {
            check(name, &bytes, f);
        }
    }

    #[test]
    fn arbitrary_compressed_and_warc_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        parts in proptest::collection::vec(fragment(), 0..30),
        cut in 0usize..4000,
    ) {
        // Garbage behind the magic numbers, and real compressed data cut anywhere.
        for magic in [&b"\x1F\x8B"[..], &b"\x28\xB5\x2F\xFD"[..], &b"WARC/1.0\r\n"[..]] {
            let mut b = magic.to_vec();
            b.extend_from_slice(&bytes);
            check("x.warc.gz", &b, None);
        }
        let text = format!("WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http\r\nContent-Length: {}\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}", cut, parts.concat());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        check("x.warc.gz", &gz[..cut.min(gz.len())], None);
        check("x.warc", text.as_bytes(), None);
    }

    #[test]
    fn structured_garbage_never_panics(parts in proptest::collection::vec(fragment(), 0..40)) {
        let text = parts.concat();
        for (name, f) in [("x", None), ("x.txt", Some(Format::Text)), ("x.html", Some(Format::Html)), ("x.csv", Some(Format::Csv)), ("x.jsonl", Some(Format::Jsonl)), ("x.json", Some(Format::Json))] {
            check(name, text.as_bytes(), f);
        }
    }
}

/// Pieces of war reporting that steer the generator into extraction's corners: place runs,
/// possessives, captions, counts, dates, accusations, lists.
fn report_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("the town of ".to_string()),
        Just("Syrias ".to_string()),
        Just("Aleppo ".to_string()),
        Just("al-".to_string()),
        Just("Monitor AFP ".to_string()),
        Just("UN Secretary General ".to_string()),
        Just(" district in the city of ".to_string()),
        Just(" and ".to_string()),
        Just(", ".to_string()),
        Just("killed ".to_string()),
        Just("at least 31 people ".to_string()),
        Just("including one child ".to_string()),
        Just("as well as ".to_string()),
        Just("accused ".to_string()),
        Just(" of shelling ".to_string()),
        Just("on Monday ".to_string()),
        Just("last month ".to_string()),
        Just("(Photos ".to_string()),
        Just("[Anadolu] ".to_string()),
        Just("car bomb exploded ".to_string()),
        Just("ISIS captured ".to_string()),
        Just(". ".to_string()),
        Just("  ".to_string()),
        "[A-Z][a-z]{0,8} ",
        "[0-9]{1,4} ",
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn extraction_never_panics_and_evidence_points_into_the_text(parts in proptest::collection::vec(report_fragment(), 1..60)) {
        let text = format!("Headline\n\n{}\n", parts.concat());
        read_bytes("r.txt", text.as_bytes(), &ReadOptions::default(), &mut |r| {
            if let Ok(a) = r {
                for e in sitrep_core::events_of(&a) {
                    assert!(!e.evidence.is_empty());
                    for ev in &e.evidence {
                        assert!(ev.byte_start <= ev.byte_end && ev.byte_end <= a.text.len());
                        assert_eq!(&a.text[ev.byte_start..ev.byte_end], ev.text.as_str());
                    }
                }
            }
        });
    }
}

#[test]
fn deep_and_unclosed_html_does_not_overflow() {
    let deep = "<div>".repeat(20_000) + "Fighting broke out in Hama on Monday between rebels and the army, activists said.";
    check("deep.html", deep.as_bytes(), Some(Format::Html));
    // Just under the depth limit, the extractors still work on a test thread's stack.
    let limit = sitrep_core::read::html::MAX_DEPTH;
    let deep = "<div>".repeat(limit) + "Fighting broke out in Hama on Monday between rebels and the army, activists said.";
    check("deep.html", deep.as_bytes(), Some(Format::Html));
    let unclosed = "<html><body><p>Rebels took the village of Atshan on Sunday after heavy clashes with the army, a monitor said.<p><b><i><table><tr><td>";
    check("unclosed.html", unclosed.as_bytes(), Some(Format::Html));
}
