//! End-to-end tests through the `sitrep` binary.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn sitrep() -> Command {
    Command::cargo_bin("sitrep").expect("binary builds")
}

fn read_json(args: &[&str]) -> (Vec<Value>, String, Option<i32>) {
    let out = sitrep().arg("read").arg("--format").arg("json").args(args).output().expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {stdout}"));
    (v.as_array().cloned().unwrap_or_default(), String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code())
}

fn body(a: &Value) -> String {
    a["paragraphs"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect::<Vec<_>>().join("\n\n")
}

/// Gold `must_not` texts that are story sentences (events must not be coded from them, but
/// they are part of the reported story and stay in the clean body).
const STORY_MUST_NOT: &[&str] = &[
    "lost several strategic areas",
    "We will, God willing, move to attack",
    "declined to send a high-level military delegation",
    "in a wooded area believed to be in Latakia",
    "Any advancement by the terror group in northern Aleppo will threaten",
    "prepares an assault on rebel-held areas",
    "to launch a joint attack against rebels in Aleppo",
    "move to attack, not just defence",
    "preparing to storm the Khanasser district",
    "In 2015, the leadership of al-Nusra Front called on",
    "will now use its hard-won territory as a base to attack Turkey",
    "could find themselves in the line of fire",
];

#[test]
fn seeds_clean_bodies_hold_the_story_and_no_boilerplate() {
    let gold: Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join("gold/seeds.json")).unwrap()).unwrap();
    let (articles, stderr, code) = read_json(&[fixtures().join("seeds").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(articles.len(), 5);
    for doc in gold["documents"].as_array().unwrap() {
        let name = doc["doc"].as_str().unwrap();
        let a = articles.iter().find(|a| a["input"].as_str().unwrap().ends_with(name)).expect("seed read");
        // Compared with whitespace squashed: the articles have no-break spaces inside sentences.
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let b = squash(&body(a));
        for m in doc["must_not"].as_array().unwrap() {
            let m = m.as_str().unwrap();
            if STORY_MUST_NOT.contains(&m) {
                assert!(b.contains(m), "{name}: story text lost: {m}");
            } else {
                assert!(!b.contains(m), "{name}: boilerplate kept: {m}");
            }
        }
        assert_eq!(a["source"].as_str(), doc["source"].as_str(), "{name} source");
        assert_eq!(a["dateline"].as_str(), doc["dateline"].as_str(), "{name} dateline");
        // Every story paragraph is kept (counted by hand from the articles), nothing else.
        let raw = std::fs::read_to_string(fixtures().join("seeds").join(name)).unwrap();
        let story_paragraphs = match &name[..3] {
            "000" => 9,
            "001" => 14,
            "002" => 13,
            "003" => 7,
            _ => 10,
        };
        assert_eq!(a["paragraphs"].as_array().unwrap().len(), story_paragraphs, "{name}: story paragraphs");
        // Offsets point back into the original input.
        let text = a["text"].as_str().unwrap();
        assert_eq!(text, raw);
        for p in a["paragraphs"].as_array().unwrap() {
            let (s, e) = (p["start"].as_u64().unwrap() as usize, p["end"].as_u64().unwrap() as usize);
            let by_chars: String = text.chars().skip(s).take(e - s).collect();
            assert_eq!(by_chars, p["text"].as_str().unwrap());
        }
    }
    let seed4 = articles.iter().find(|a| a["input"].as_str().unwrap().contains("004_")).unwrap();
    assert_eq!(seed4["published"], "2016-05-30T12:49:41");
    let seed0 = articles.iter().find(|a| a["input"].as_str().unwrap().contains("000_")).unwrap();
    assert_eq!(seed0["byline"], "Taim Khalil");
    assert_eq!(seed0["title"], "ISIS reports gains in Aleppo after clashes with Syrian rebels");
}

#[test]
fn text_output_is_readable() {
    sitrep()
        .args(["read", fixtures().join("seeds/003_c23cbe6c139eb7bd.txt").to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicates::str::contains("dateline:   Qalamoun"))
        .stdout(predicates::str::contains("source:     ARA News"))
        .stdout(predicates::str::contains("Photo: Amaq").not());
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn html_pages_give_their_article() {
    for site in ["sciencealert.com", "hosted.ap.org", "venturebeat.com"] {
        let (articles, stderr, code) = read_json(&[fixtures().join(format!("html/{site}.html")).to_str().unwrap()]);
        assert_eq!(code, Some(0), "{stderr}");
        let a = &articles[0];
        assert_eq!(a["format"], "html");
        assert!(a["title"].as_str().is_some_and(|t| !t.is_empty()), "{site}: title");
        let gold: Value =
            serde_json::from_str(&std::fs::read_to_string(fixtures().join(format!("html/{site}.gold.json"))).unwrap()).unwrap();
        let s = sitrep_core::eval::extraction::score_page(gold["articleBody"].as_str().unwrap(), &body(a));
        assert!(s.recall.unwrap() > 0.95 && s.precision.unwrap() > 0.9, "{site}: {s:?}");
    }
}

#[test]
fn csv_fakes_layout_jsonl_json_and_stdin() {
    let (articles, stderr, code) = read_json(&[fixtures().join("fakes-sample.csv").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(articles.len(), 6);
    assert_eq!(articles[0]["source"], "National News Agency");
    assert_eq!(articles[3]["source"], "Al-Araby Al-Jadeed");
    assert_eq!(articles[0]["published"], "2017-04-16");
    assert!(articles[0]["input"].as_str().unwrap().ends_with("fakes-sample.csv:2"));

    let dir = tempfile::tempdir().unwrap();
    let jl = dir.path().join("a.jsonl");
    std::fs::write(&jl, "{\"headline\":\"Shelling in Idlib\",\"content\":\"Government shelling killed three people in Idlib on Monday, rescuers said.\",\"published_at\":\"2019-05-06\",\"outlet\":\"reuters\"}\n{\"title\":\"x\",\"body\":\"Rebels attacked a checkpoint near Daraa on Sunday, a monitor said.\",\"url\":\"https://example.org/a\"}\n").unwrap();
    let (articles, _, code) = read_json(&[jl.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(articles.len(), 2);
    assert_eq!(articles[0]["title"], "Shelling in Idlib");
    assert_eq!(articles[0]["source"], "Reuters");
    assert_eq!(articles[0]["published"], "2019-05-06");
    assert_eq!(articles[1]["url"], "https://example.org/a");

    // Field names can be chosen on the command line.
    let j = dir.path().join("custom.json");
    std::fs::write(&j, "[{\"headline_en\":\"H\",\"story_en\":\"A car bomb exploded in Azaz on Friday, killing five people.\"}]").unwrap();
    let (articles, stderr, code) = read_json(&["--text-field", "story_en", "--title-field", "headline_en", j.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(articles[0]["title"], "H");

    let out = sitrep()
        .args(["read", "--format", "jsonl", "-"])
        .write_stdin("Title line\n\nBEIRUT (Reuters) - Air strikes hit the town of Saraqeb on Tuesday, residents said.\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["input"], "-");
    assert_eq!(a["dateline"], "Beirut");
    assert_eq!(a["source"], "Reuters");
}

#[test]
fn legacy_encodings_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cp1252.txt"),
        b"Title\n\n\x93Clashes\x94 broke out in Hama \x96 a caf\xE9 was hit on Friday, activists said.\n",
    )
    .unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Title\n\nA barrel bomb hit Daraya on Monday – activists said.\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(dir.path().join("utf16.txt"), utf16).unwrap();
    let (articles, stderr, code) = read_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let all: String = articles.iter().map(body).collect();
    assert!(all.contains("“Clashes” broke out in Hama – a café"));
    assert!(all.contains("Daraya on Monday – activists"));
}

#[test]
fn hostile_inputs_fail_one_line_each_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a_good.txt"), "Good\n\nRebels shelled the town of Nubl on Sunday, state media reported.\n").unwrap();
    std::fs::write(d.join("b_empty.txt"), "").unwrap();
    std::fs::write(d.join("c_binary.bin"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(d.join("d_huge.txt"), "x".repeat(50 * 1024 * 1024)).unwrap();
    let mut broken = "Title\n\n“Clashes” continued in Aleppo on Friday, a monitor said ".as_bytes().to_vec();
    broken.extend_from_slice(b"\xC3\x28 more.\n");
    std::fs::write(d.join("e_broken.txt"), broken).unwrap();
    std::fs::write(d.join("f_unclosed.html"), "<html><head><title>Unclosed</title><body><div><p>Fighting erupted between government forces and rebels in the village of Kafr Nabl on Saturday, according to local activists who spoke to reporters.<p>At least four fighters were killed in the clashes, the activists said, and several others were wounded<div><span>").unwrap();
    std::fs::write(
        d.join("g_bad_row.csv"),
        "title,text\nOne,\"Shelling hit Douma on Monday, rescuers said.\"\nTwo,oops,extra\nThree,\"Air strikes hit Ariha on Tuesday, a monitor said.\"\n",
    )
    .unwrap();
    let out = sitrep().args(["read", "--format", "json", d.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed input makes exit code 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let expect = [
        ("b_empty.txt", "empty input"),
        ("c_binary.bin", "binary data"),
        ("d_huge.txt", "too large"),
        ("e_broken.txt", "invalid UTF-8"),
        ("g_bad_row.csv:3", "bad CSV row: found 3 fields, expected 2"),
    ];
    for (name, reason) in expect {
        let hits: Vec<_> = lines.iter().filter(|l| l.contains(name)).collect();
        assert_eq!(hits.len(), 1, "one line for {name}: {stderr}");
        assert!(hits[0].contains(reason), "{name}: {}", hits[0]);
    }
    assert_eq!(lines.len(), expect.len(), "{stderr}");
    let articles: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let titles: Vec<&str> = articles.iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(titles, vec!["Good", "Unclosed", "One", "Three"]);
    assert!(body(&articles[1]).contains("At least four fighters"));

    // --lossy reads the broken file.
    let out = sitrep().args(["read", "--lossy", d.join("e_broken.txt").to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn missing_paths_and_globs() {
    let out = sitrep().args(["read", "/no/such/file.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.txt: no such file or directory"));
    let pattern = format!("{}/00[34]_*.txt", fixtures().join("seeds").display());
    let (articles, _, code) = read_json(&[&pattern]);
    assert_eq!(code, Some(0));
    assert_eq!(articles.len(), 2);
}

#[test]
fn eval_on_the_seeds_meets_the_acceptance_spec() {
    let out = sitrep()
        .args(["eval", "--format", "json", "--gold"])
        .arg(fixtures().join("gold/seeds.json"))
        .arg("--docs")
        .arg(fixtures().join("seeds"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["must_recall"], 1.0, "{r:#}");
    assert_eq!(r["must_fully_right"], r["must"], "every must event with every field right: {r:#}");
    assert_eq!(r["must_not_violations"], 0, "{r:#}");
    assert!(r["unmatched"].as_u64().unwrap() <= 3, "{r:#}");
    // "place_within_km": every gold place geocoded within its within_km of the reference
    // point; "admin1": in the right governorate (Ahras the Syrian village, not a Turkish town).
    for field in ["type", "actors", "place", "date", "fatalities", "place_within_km", "admin1"] {
        assert_eq!(r["field_accuracy"][field], 1.0, "{field}: {r:#}");
    }
    // The table names the same figures.
    sitrep()
        .args(["eval", "--gold"])
        .arg(fixtures().join("gold/seeds.json"))
        .arg("--docs")
        .arg(fixtures().join("seeds"))
        .assert()
        .success()
        .stdout(predicates::str::contains("must recall:          1.000 (10 of 10)"));
}

#[test]
fn extract_snapshots_of_whole_articles() {
    for entry in std::fs::read_dir(fixtures().join("seeds")).unwrap() {
        let path = entry.unwrap().path();
        let out = sitrep().args(["extract", "--format", "json"]).arg(&path).output().unwrap();
        assert!(out.status.success());
        let events: Value = serde_json::from_slice(&out.stdout).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_json_snapshot!(format!("extract_{}", &name[..3]), events);
    }
}

#[test]
fn extract_formats() {
    let seed = fixtures().join("seeds/000_98bac896701fb69b.txt");
    let jsonl = sitrep().args(["extract", "--format", "jsonl"]).arg(&seed).output().unwrap();
    let lines: Vec<Value> = String::from_utf8(jsonl.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty());
    for e in &lines {
        for k in [
            "event_date",
            "time_precision",
            "event_type",
            "sub_event_type",
            "actor1",
            "actor2",
            "location",
            "latitude",
            "longitude",
            "country",
            "admin1",
            "admin2",
            "geo_precision",
            "fatalities",
            "notes",
            "injured",
            "cameo",
            "evidence",
            "article_id",
            "confidence",
        ] {
            assert!(e.get(k).is_some(), "field {k} missing");
        }
    }
    let csv_out = sitrep().args(["extract", "--format", "csv"]).arg(&seed).output().unwrap();
    let mut rdr = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "event_id");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), lines.len());
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    assert_eq!(&rows[0][col("event_type")], lines[0]["event_type"].as_str().unwrap());
    sitrep().args(["extract"]).arg(&seed).assert().success().stdout(predicates::str::contains("Qereh Kubri"));
}

#[test]
fn geocode_and_places_commands() {
    let out = sitrep()
        .args([
            "geocode",
            "--format",
            "json",
            "ALEPPO – ISIS captured the town of Qereh Kubri and the village of Ahras, 12 km north of Aleppo.",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ahras = found.iter().find(|p| p["text"] == "Ahras").expect("Ahras found");
    assert_eq!(ahras["resolution"]["country"], "SY");
    assert_eq!(ahras["resolution"]["admin1"], "Aleppo");
    assert!(ahras["resolution"]["alternatives"].as_array().is_some_and(|a| !a.is_empty()));
    sitrep().args(["geocode", "Clashes in the town of Tel Jabin"]).assert().success().stdout(predicates::str::contains("Tall Jibbin"));
    sitrep().args(["places", "Marea"]).assert().success().stdout(predicates::str::contains("Mari`"));
    sitrep().args(["places", "Xyzzyqwv"]).assert().code(1).stdout(predicates::str::contains("no place matches"));
}

#[test]
fn places_in_a_governorate() {
    // A name as event datasets give it, with its kind word and the governorate in another
    // spelling: the village of that governorate, not a namesake elsewhere.
    sitrep().args(["places", "Tall Jibbin village", "--admin1", "Aleppo Governorate"]).assert().success().stdout(
        predicates::str::contains("Tall Jibbin").and(predicates::str::contains("Aleppo")).and(predicates::str::contains("precision 1")),
    );
    sitrep()
        .args(["places", "Sheikh Miskin", "--admin1", "Daraa"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Dar'a").and(predicates::str::contains("precision 1")));
    // A name the gazetteer lacks there: the governorate only, at precision 3.
    sitrep()
        .args(["places", "Xyzzyqwv", "--admin1", "Hamah Governorate"])
        .assert()
        .success()
        .stdout(predicates::str::contains("(governorate only)").and(predicates::str::contains("precision 3")));
    sitrep().args(["places", "Tanab", "--admin1", "Atlantis"]).assert().code(1).stdout(predicates::str::contains("no governorate matches"));
    // `geocode` takes "NAME, GOVERNORATE" too.
    let out = sitrep().args(["geocode", "--format", "json", "Tall Jibbin village, Aleppo Governorate"]).output().unwrap();
    assert!(out.status.success());
    let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["cue"], "town");
    assert_eq!(found[0]["resolution"]["admin1"], "Aleppo");
    assert_eq!(found[0]["resolution"]["geo_precision"], 1);
}

#[test]
fn extracted_events_are_geocoded() {
    let out = sitrep().args(["extract", "--format", "jsonl"]).arg(fixtures().join("seeds/000_98bac896701fb69b.txt")).output().unwrap();
    let events: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let marea = events.iter().find(|e| e["location"] == "Marea").expect("Marea event");
    assert_eq!(
        (marea["country"].as_str(), marea["admin1"].as_str(), marea["admin2"].as_str()),
        (Some("SY"), Some("Aleppo"), Some("A'zaz"))
    );
    assert_eq!(marea["geo_precision"], 1);
    assert!((marea["latitude"].as_f64().unwrap() - 36.48).abs() < 0.05);
}

#[test]
fn ingest_twice_then_query_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let seeds = fixtures().join("seeds");
    let out = sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(&seeds).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("read 5, new 5, replaced 0, unchanged 0, failed 0"));
    let again = sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(&seeds).output().unwrap();
    let summary = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(summary.contains("read 5, new 0, replaced 0, unchanged 5"), "{summary}");
    assert!(summary.contains("the store holds 5 articles and 16 events"), "no duplicates: {summary}");

    // An actor by an alias finds the canonical actor's events.
    let ev = sitrep().args(["events", "--format", "jsonl", "--actor", "Daesh", "--db"]).arg(&db).output().unwrap();
    let events: Vec<Value> = String::from_utf8(ev.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["actor1"]["name"] == "Islamic State" || e["actor2"]["name"] == "Islamic State"));
    let battles =
        sitrep().args(["events", "--format", "jsonl", "--type", "Battles", "--admin1", "Aleppo", "--db"]).arg(&db).output().unwrap();
    assert!(String::from_utf8(battles.stdout).unwrap().lines().all(|l| l.contains("\"Battles\"")));

    // Search: phrases, prefixes; a malformed query or a bad limit is an error, not a crash.
    let s = sitrep().args(["search", "--format", "json", "\"car bomb\"", "--db"]).arg(&db).output().unwrap();
    let hits: Vec<Value> = serde_json::from_slice(&s.stdout).unwrap();
    assert!(hits.iter().any(|h| h["title"].as_str().unwrap().contains("checkpoints")));
    sitrep().args(["search", "Qalam*", "--db"]).arg(&db).assert().success().stdout(predicates::str::contains("al-Qaeda branch"));
    sitrep().args(["search", "AND (", "--db"]).arg(&db).assert().code(2).stderr(predicates::str::contains("bad search query"));
    sitrep().args(["search", "x'); DROP TABLE events; --", "--db"]).arg(&db).assert().code(2);
    sitrep().args(["events", "--limit", "0", "--db"]).arg(&db).assert().code(2).stderr(predicates::str::contains("limit"));
    sitrep().args(["events", "--since", "not-a-date", "--db"]).arg(&db).assert().code(2);
    // The store survived the hostile queries.
    let again = sitrep().args(["events", "--format", "jsonl", "--db"]).arg(&db).output().unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap().lines().count(), 16);
}

#[test]
fn acled_and_geojson_exports_parse_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).assert().success();
    let jsonl = sitrep().args(["events", "--format", "jsonl", "--db"]).arg(&db).output().unwrap();
    let events: Vec<Value> = String::from_utf8(jsonl.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();

    // ACLED CSV, written atomically to a file, read back with a CSV reader against ACLED's columns.
    let acled = dir.path().join("out.csv");
    sitrep().args(["events", "--format", "acled", "--output"]).arg(&acled).arg("--db").arg(&db).assert().success();
    let mut rdr = csv::Reader::from_path(&acled).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, sitrep_core::export::ACLED_COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), events.len());
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    for (row, e) in rows.iter().zip(&events) {
        assert_eq!(&row[col("event_type")], e["event_type"].as_str().unwrap());
        assert_eq!(&row[col("sub_event_type")], e["sub_event_type"].as_str().unwrap());
        assert_eq!(&row[col("fatalities")], e["fatalities"].to_string());
        assert_eq!(row[col("admin1")].to_string(), e["admin1"].as_str().unwrap_or("").to_string());
        if let Some(lat) = e["latitude"].as_f64() {
            assert!((row[col("latitude")].parse::<f64>().unwrap() - lat).abs() < 1e-3);
            assert_eq!(&row[col("country")], "Syria");
            assert_eq!(&row[col("iso")], "760");
        }
        assert!(["Political violence", "Demonstrations", "Strategic developments"].contains(&&row[col("disorder_type")]));
    }
    assert!(
        !std::fs::read_dir(dir.path()).unwrap().any(|f| f.unwrap().file_name().to_string_lossy().contains(".tmp-")),
        "no temporary file left"
    );

    // JSON: the same events as JSON Lines, in one array.
    let json = sitrep().args(["events", "--format", "json", "--db"]).arg(&db).output().unwrap();
    let array: Vec<Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(array, events);
    // CSV: one row per event, fields matching the JSON.
    let csv_out = sitrep().args(["events", "--format", "csv", "--db"]).arg(&db).output().unwrap();
    let mut rdr = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap_or_else(|| panic!("no {n} column"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), events.len());
    for (row, e) in rows.iter().zip(&events) {
        assert_eq!(&row[col("event_id")], e["event_id"].as_str().unwrap());
        assert_eq!(&row[col("event_date")], e["event_date"].as_str().unwrap_or(""));
        assert_eq!(&row[col("actor1")], e["actor1"]["name"].as_str().unwrap_or(""));
        assert_eq!(&row[col("fatalities")], e["fatalities"].to_string());
        assert_eq!(&row[col("location")], e["location"].as_str().unwrap_or(""));
    }

    // GeoJSON: a FeatureCollection of points at the events' coordinates.
    let gj = sitrep().args(["events", "--format", "geojson", "--db"]).arg(&db).output().unwrap();
    let fc: Value = serde_json::from_slice(&gj.stdout).unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), events.len());
    for (f, e) in features.iter().zip(&events) {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["properties"]["event_id"], e["event_id"]);
        match e["latitude"].as_f64() {
            Some(lat) => {
                assert_eq!(f["geometry"]["type"], "Point");
                assert_eq!(f["geometry"]["coordinates"][1].as_f64(), Some(lat));
                assert_eq!(f["geometry"]["coordinates"][0].as_f64(), e["longitude"].as_f64());
            }
            None => assert!(f["geometry"].is_null()),
        }
    }
}

fn events_of_db(db: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let out = sitrep().args(["events", "--format", "jsonl", "--db"]).arg(db).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn event_filters_sorting_and_paging() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).assert().success();
    let all = events_of_db(&db, &[]);
    assert_eq!(all.len(), 16);
    // Place, admin area, bounding box, source, article text, fatalities: each narrows.
    let marea = events_of_db(&db, &["--place", "Marea"]);
    assert!(!marea.is_empty() && marea.iter().all(|e| e["location"] == "Marea"));
    let hama = events_of_db(&db, &["--place", "Hama"]);
    assert!(!hama.is_empty() && hama.iter().all(|e| e["admin1"] == "Hama"));
    let around_aleppo = events_of_db(&db, &["--bbox", "36.5,35.5,38.5,37.0"]);
    assert!(!around_aleppo.is_empty() && around_aleppo.len() < all.len());
    for e in &around_aleppo {
        let (lat, lon) = (e["latitude"].as_f64().unwrap(), e["longitude"].as_f64().unwrap());
        assert!((35.5..=37.0).contains(&lat) && (36.5..=38.5).contains(&lon), "{e}");
    }
    let alalam = events_of_db(&db, &["--source", "alalam"]);
    assert!(!alalam.is_empty() && alalam.iter().all(|e| e["source"] == "Alalam"));
    let car_bomb = events_of_db(&db, &["--text", "\"car bomb\""]);
    assert!(!car_bomb.is_empty() && car_bomb.len() < all.len());
    let deadly = events_of_db(&db, &["--min-fatalities", "20"]);
    assert!(deadly.iter().all(|e| e["fatalities"].as_u64().unwrap() >= 20));
    // Sorted deadliest first; pages do not overlap and cover everything.
    let by_toll = events_of_db(&db, &["--sort", "fatalities"]);
    assert!(by_toll.windows(2).all(|w| w[0]["fatalities"].as_u64() >= w[1]["fatalities"].as_u64()));
    let mut paged: Vec<Value> = Vec::new();
    for offset in [0, 4, 8, 12] {
        paged.extend(events_of_db(&db, &["--limit", "4", "--offset", &offset.to_string()]));
    }
    assert_eq!(paged, all);
    // Bad filters are errors with a reason and exit code 2.
    for (args, why) in [
        (vec!["--bbox", "40,0,30,10"], "bbox"),
        (vec!["--bbox", "a,b,c,d"], "not a number"),
        (vec!["--text", "AND ("], "bad search query"),
        (vec!["--since", "2016-06-01", "--until", "2016-01-01"], "after"),
        (vec!["--limit", "0"], "limit"),
        (vec!["--since", "2016-02-30"], "--since"),
    ] {
        sitrep().args(["events", "--db"]).arg(&db).args(&args).assert().code(2).stderr(predicates::str::contains(why));
    }
}

#[test]
fn stats_count_what_the_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    sitrep().args(["stats", "--db"]).arg(&db).assert().code(2).stderr(predicates::str::contains("no such database"));
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).assert().success();
    let out = sitrep().args(["stats", "--format", "json", "--db"]).arg(&db).output().unwrap();
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["articles"], 5);
    assert_eq!(st["events"], 16);
    let sum = |k: &str| st[k].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("by_type"), 16);
    assert_eq!(sum("by_month"), 16);
    assert_eq!(sum("sources"), 5);
    assert!(st["by_actor"].as_array().unwrap().iter().any(|c| c["key"] == "Islamic State"));
    sitrep().args(["stats", "--db"]).arg(&db).assert().success().stdout(predicates::str::contains("5 articles"));
}

#[test]
fn a_corrected_article_replaces_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let story = dir.path().join("story.txt");
    std::fs::write(&story, "Rebels lose Marea\n\nISIS militants captured the town of Marea on 3 May 2016, killing 12 rebels.\n").unwrap();
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(&story).assert().success();
    std::fs::write(&story, "Rebels lose Marea\n\nISIS militants captured the town of Marea on 3 May 2016, killing 15 rebels.\n").unwrap();
    let out = sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(&story).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("new 0, replaced 1"), "{}", String::from_utf8_lossy(&out.stdout));
    let events = events_of_db(&db, &[]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["fatalities"], 15);
    let out = sitrep().args(["stats", "--format", "json", "--db"]).arg(&db).output().unwrap();
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((st["articles"].as_u64(), st["superseded_articles"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn ingest_reports_bad_inputs_and_keeps_going() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(
        fixtures().join("seeds").join(std::fs::read_dir(fixtures().join("seeds")).unwrap().next().unwrap().unwrap().file_name()),
        input.join("good.txt"),
    )
    .unwrap();
    std::fs::write(input.join("empty.txt"), "").unwrap();
    std::fs::write(input.join("binary.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2]).unwrap();
    let out = sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("read 1, new 1") && stdout.contains("failed 2"), "{stdout}");
    assert!(stderr.contains("empty.txt") && stderr.contains("binary.txt"), "{stderr}");
    // A database that is not one is named, not overwritten.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&junk).arg(&input).assert().code(2).stderr(predicates::str::contains("not a"));
    assert_eq!(std::fs::read(&junk).unwrap(), vec![b'x'; 8192]);
}

/// Many distinct articles from the seeds (a unique closing line changes each one's id).
fn corpus(dir: &std::path::Path, n: usize) -> PathBuf {
    let out = dir.join("corpus");
    std::fs::create_dir_all(&out).unwrap();
    let seeds: Vec<String> = {
        let mut v: Vec<_> = std::fs::read_dir(fixtures().join("seeds")).unwrap().map(|e| e.unwrap().path()).collect();
        v.sort();
        v.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    };
    for i in 0..n {
        // The line goes in after the lead paragraph (the seeds end with comment sections,
        // which cleaning drops).
        let seed = &seeds[i % seeds.len()];
        let at = seed.match_indices("\n\n").nth(1).map_or(seed.len(), |(k, _)| k);
        let text = format!("{}\n\nThe monitor filed report number {i} on the fighting.{}", &seed[..at], &seed[at..]);
        std::fs::write(out.join(format!("a{i:04}.txt")), text).unwrap();
    }
    out
}

/// A PostgreSQL schema of its own for a test, on the server `SITREP_TEST_POSTGRES` names (as
/// for the store's tests: `bash .ci/postgres start DIR` starts one; CI sets it), as a `--db`
/// URL; `None`, said on stderr, without one.
fn pg_store(name: &str) -> Option<String> {
    let url = match std::env::var("SITREP_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            eprintln!("{name}: skipped (PostgreSQL), SITREP_TEST_POSTGRES not set");
            return None;
        }
    };
    let schema = format!("cli_{name}");
    let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("the test server");
    c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).expect("a test schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-csearch_path%3D{schema}"))
}

/// `n` fresh stores for a test: SQLite files in `dir`, or (`pg`) PostgreSQL schemas (`None`
/// without a server).
fn fresh_stores(dir: &Path, test: &str, pg: bool, n: usize) -> Option<Vec<String>> {
    (0..n)
        .map(|i| match pg {
            true => pg_store(&format!("{test}_{i}")),
            false => Some(dir.join(format!("{test}_{i}.db")).to_string_lossy().into_owned()),
        })
        .collect()
}

/// Runs the binary on a store; its standard output.
fn on_db(db: &str, args: &[&str]) -> String {
    let out = sitrep().args(args).args(["--db", db]).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What a store holds, from its exports, where no time of storing shows: the current article
/// ids, every event (JSON Lines, sorted: events of one date are exported in storing order), the
/// fused events with their claims and credibility, the counts.
fn holdings(db: &str) -> Vec<String> {
    let store = sitrep_core::store::open(&db.parse().unwrap(), sitrep_core::store::Access::ReadOnly).unwrap();
    let ids = store.article_ids().unwrap().join("\n");
    drop(store);
    let mut events: Vec<String> = on_db(db, &["events", "--format", "jsonl"]).lines().map(String::from).collect();
    events.sort();
    vec![ids, events.join("\n"), on_db(db, &["fused", "--format", "json", "--limit", "100000"]), on_db(db, &["stats", "--format", "json"])]
}

/// Current articles of a store, or 0 while it cannot be read yet.
fn articles_in(db: &str) -> u64 {
    sitrep_core::store::open(&db.parse().unwrap(), sitrep_core::store::Access::ReadOnly).and_then(|s| s.counts()).map_or(0, |c| c.0)
}

/// An ingest killed (SIGKILL) mid-run, once some batches are committed, then run again: the
/// store holds what a clean run's holds, nothing lost, nothing twice.
fn a_killed_ingest_then_its_rerun_equal_a_clean_run(test: &str, pg: bool) {
    let _alone = timing_sensitive();
    let dir = tempfile::tempdir().unwrap();
    let Some(dbs) = fresh_stores(dir.path(), test, pg, 2) else { return };
    let (clean, db) = (&dbs[0], &dbs[1]);
    let input = corpus(dir.path(), 240);
    let input = input.to_str().unwrap();
    // The reference: one clean run.
    on_db(clean, &["ingest", "--quiet", "--batch", "10", input]);
    assert_eq!(articles_in(clean), 240);

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
        .args(["ingest", "--quiet", "--batch", "10", "--db", db, input])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut seen = 0;
    while started.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(20));
        seen = articles_in(db);
        if seen >= 30 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(seen >= 30, "the ingest committed {seen} articles before the kill");
    if !pg {
        let after = sitrep_core::store::SqliteStore::open(Path::new(db)).unwrap();
        assert_eq!(after.integrity_check().unwrap(), "ok");
    }
    let kept = articles_in(db);
    assert!(kept >= seen, "every article committed before the kill is still there ({kept} < {seen})");
    assert!(status.code().is_none() || kept < 240, "killed mid-run");

    // The rerun ends with exactly the articles, events and fused events of the clean run.
    let summary = on_db(db, &["ingest", "--quiet", "--batch", "10", input]);
    assert!(summary.contains(&format!("unchanged {kept}")), "{summary}");
    assert_eq!(holdings(db), holdings(clean));
    if !pg {
        let done = sitrep_core::store::SqliteStore::open(Path::new(db)).unwrap();
        assert_eq!(done.integrity_check().unwrap(), "ok");
    }
}

#[test]
fn a_killed_ingest_leaves_a_sound_database_and_a_rerun_completes_it() {
    a_killed_ingest_then_its_rerun_equal_a_clean_run("killed", false);
}

#[test]
fn postgres_a_killed_ingest_and_its_rerun_equal_a_clean_run() {
    a_killed_ingest_then_its_rerun_equal_a_clean_run("pg_killed", true);
}

#[test]
fn control_timeline_of_ahras_reads_contested() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).assert().success();
    let out = sitrep().args(["control", "Ahras", "--format", "json", "--db"]).arg(&db).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["place"], "Ahras");
    assert!(t[0]["holder"].is_null(), "no change of control stands");
    let entries = t[0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        (e["taker"].as_str(), e["retaken_by"].as_str(), e["status"].as_str()),
        (Some("Islamic State"), Some("Syrian rebels"), Some("contested"))
    );
    assert!(e["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s.as_str().unwrap().contains("rebels regained it entirely a few hours later")));
    sitrep().args(["control", "Ahras", "--db"]).arg(&db).assert().success().stdout(predicates::str::contains(
        "taken by Islamic State from Syrian rebels, retaken by Syrian rebels the same day: contested, not a change of control",
    ));
    // Marea's taking stands.
    sitrep()
        .args(["control", "--date", "2016-06-01", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicates::str::contains("Marea (Aleppo): held by Islamic State"));
}

#[test]
fn fusion_is_the_same_whatever_the_ingest_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("seeds")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    // Two outlets telling one event, in other words, with other tolls.
    let a = dir.path().join("reuters.txt");
    std::fs::write(&a, "Car bomb kills 27 in Azaz\n\nSource: Reuters\n\nA car bomb exploded near a mosque in the town of Azaz on Monday, killing 27 people, a monitor said.\n").unwrap();
    let b = dir.path().join("sana.txt");
    std::fs::write(
        &b,
        "Blast in A'zaz\n\nSource: SANA\n\nTerrorists detonated a car bomb in the city of A'zaz on Monday, killing 12 citizens.\n",
    )
    .unwrap();
    let fused = |name: &str, order: &[PathBuf]| -> Vec<Value> {
        let db = dir.path().join(name);
        for f in order {
            // The two reports carry a publication date through a JSON wrapper.
            sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(f).assert().success();
        }
        let out = sitrep().args(["fused", "--format", "json", "--limit", "1000", "--db"]).arg(&db).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let dated = |p: &PathBuf, url: &str| -> PathBuf {
        let text = std::fs::read_to_string(p).unwrap();
        let (title, body) = text.split_once("\n\n").unwrap();
        let j = dir.path().join(format!("{}.json", p.file_stem().unwrap().to_string_lossy()));
        let source = if url.contains("reuters") { "Reuters" } else { "SANA" };
        std::fs::write(
            &j,
            serde_json::json!({ "title": title, "text": body, "url": url, "source": source, "date": "2016-05-03" }).to_string(),
        )
        .unwrap();
        j
    };
    let (ja, jb) = (dated(&a, "https://reuters.example/azaz"), dated(&b, "https://sana.example/azaz"));
    let mut forward = files.clone();
    forward.push(ja.clone());
    forward.push(jb.clone());
    let mut backward = forward.clone();
    backward.reverse();
    let one = fused("one.db", &forward);
    let two = fused("two.db", &backward);
    assert_eq!(one, two, "same reports, any order: the same fused events and ids");
    let azaz: Vec<&Value> = one.iter().filter(|f| f["sources"].as_array().unwrap().len() == 2).collect();
    assert_eq!(azaz.len(), 1, "the two outlets' reports are one event");
    let f = azaz[0];
    assert_eq!(f["fatalities"], 12);
    let claims: Vec<&str> = f["claims"]["fatalities"].as_array().unwrap().iter().map(|c| c["value"].as_str().unwrap()).collect();
    assert!(claims.contains(&"27") && claims.contains(&"12"), "{claims:?}");
    // Its credibility combines both reports' article scores with their corroboration.
    let c = &f["credibility"];
    let reports = c["reports"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&reports), "{c}");
    let reasons: Vec<&str> = c["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.starts_with("Reuters: ")) && reasons.iter().any(|r| r.starts_with("SANA: ")), "{reasons:?}");
    // The two Marea events of different days (one article) stay two.
    let marea: Vec<&Value> =
        one.iter().filter(|f| f["location"] == "Marea" && f["sub_event_type"] == "Non-state actor overtakes territory").collect();
    assert_eq!(marea.len(), 2);
}

/// The kill test times its kill against an ingest's progress; the 150,000-event test would
/// starve it of the machine's cores: the two take turns.
fn timing_sensitive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Exports stream every matching event (no default limit), ACLED's integer columns stay
/// integers (never blank: pandas would read blanks as floats), `timestamp` is when each event
/// was stored: at 150,000 generated events, past the largest page a query may ask for.
#[test]
fn acled_export_of_150000_events_is_whole_and_typed() {
    let _alone = timing_sensitive();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    let held = common::generated_store(&db, 150_000);
    assert!(held >= 150_000);
    let out = dir.path().join("events.csv");
    let run = sitrep().args(["events", "--format", "acled", "--output"]).arg(&out).arg("--db").arg(&db).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stderr).contains(&format!("wrote {held} events")), "says how many it wrote");
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let ints = ["year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision", "fatalities", "timestamp"];
    let int_cols: Vec<usize> = ints.iter().map(|n| col(n)).collect();
    let mut rows = 0u64;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let mut stamps = std::collections::HashSet::new();
    for r in rdr.records() {
        let r = r.unwrap();
        for (&c, name) in int_cols.iter().zip(ints) {
            assert!(r[c].parse::<i64>().is_ok(), "row {rows}: {name} = {:?} is not an integer", &r[c]);
        }
        let t: i64 = r[col("timestamp")].parse().unwrap();
        assert!(t > now - 3600 && t <= now + 5, "timestamp {t}: when the event was stored");
        stamps.insert(t);
        rows += 1;
    }
    assert_eq!(rows, held, "every event, not a page");
    // The table stays a page, and says so.
    let table = sitrep().args(["events", "--db"]).arg(&db).output().unwrap();
    assert!(String::from_utf8_lossy(&table.stderr).contains(&format!("showing the first 100 of {held} events")));
    // --limit still limits.
    let some = sitrep().args(["events", "--format", "jsonl", "--limit", "7", "--db"]).arg(&db).output().unwrap();
    assert_eq!(String::from_utf8(some.stdout).unwrap().lines().count(), 7);
}

/// Two ingests a second apart: the ACLED timestamp of each event is its own ingest's, not
/// the export's; GeoJSON `--flat` has plain properties.
#[test]
fn acled_timestamps_are_when_stored_and_flat_geojson_is_plain() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let first = std::fs::read_dir(fixtures().join("seeds")).unwrap().map(|e| e.unwrap().path()).min().unwrap();
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(first).assert().success();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).assert().success();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = sitrep().args(["events", "--format", "acled", "--db"]).arg(&db).output().unwrap();
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let t = rdr.headers().unwrap().iter().position(|h| h == "timestamp").unwrap();
    let stamps: std::collections::BTreeSet<i64> = rdr.records().map(|r| r.unwrap()[t].parse().unwrap()).collect();
    assert_eq!(stamps.len(), 2, "two ingests, two times: {stamps:?}");
    let export_time = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!(stamps.iter().all(|&s| s < export_time), "{stamps:?} before the export at {export_time}");

    let gj = sitrep().args(["events", "--format", "geojson", "--flat", "--db"]).arg(&db).output().unwrap();
    assert!(gj.status.success());
    let fc: Value = serde_json::from_slice(&gj.stdout).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        for (k, v) in f["properties"].as_object().unwrap() {
            assert!(!v.is_object() && !v.is_array(), "{k} is plain: {v}");
        }
    }
    assert!(features.iter().any(|f| f["properties"]["actor1"].is_string() && f["properties"]["location"].is_string()));
    let nested = sitrep().args(["events", "--format", "csv", "--flat", "--db"]).arg(&db).output().unwrap();
    assert_eq!(nested.status.code(), Some(2));
}

#[test]
fn a_mistyped_event_type_names_the_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).assert().success();
    let out = sitrep().args(["events", "--type", "Battle", "--db"]).arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"Battle\"") && err.contains("Battles") && err.contains("Strategic developments"), "{err}");
    let out = sitrep().args(["events", "--sub-type", "Armed clashes", "--db"]).arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Armed clash"));
    // Case does not matter.
    sitrep().args(["events", "--type", "battles", "--db"]).arg(&db).assert().success();
}

#[test]
fn csv_on_standard_input_is_read_as_csv() {
    let csv = std::fs::read_to_string(fixtures().join("fakes-sample.csv")).unwrap();
    let out = sitrep().args(["read", "--format", "jsonl", "-"]).write_stdin(csv).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let articles: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(articles.len(), 6);
    assert_eq!(articles[0]["source"], "National News Agency");
    assert_eq!(articles[0]["input"], "-:2");
}

#[test]
fn ingest_of_nothing_says_so_and_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = sitrep().current_dir(dir.path()).env_remove("SITREP_DB").args(["ingest", "/nonexistent"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent: no such file or directory"));
    assert!(!dir.path().join("sitrep.db").exists(), "no database made for nothing");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = sitrep().current_dir(dir.path()).env_remove("SITREP_DB").arg("ingest").arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no files in this folder"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("sitrep.db").exists());
    // `read` and `extract` say it too.
    let out = sitrep().arg("extract").arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no files in this folder"));

    let out = sitrep().args(["ingest", "--db", "/nonexistent/dir/x.db"]).arg(fixtures().join("seeds")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("unable to open database file").count(), 1, "said once: {err}");
}

/// `stats` shows the latest 10 months under a title that says so, undated events apart.
#[test]
fn stats_months_are_the_latest_ten() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("months.csv");
    let mut text = String::from("title,text,source,date\n");
    for m in 1..=12 {
        text.push_str(&format!("T{m},\"A car bomb exploded in the town of Azaz on Monday, killing {m} people.\",SANA,2016-{m:02}-15\n"));
    }
    text.push_str("U,\"A car bomb exploded in the town of Azaz on Monday, killing 99 people.\",SANA,\n");
    std::fs::write(&csv, text).unwrap();
    let db = dir.path().join("s.db");
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(&csv).assert().success();
    let out = sitrep().args(["stats", "--db"]).arg(&db).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    let months = s.split("\nmonths").nth(1).unwrap().split("\n\n").next().unwrap();
    assert!(months.starts_with(" (12 in all, the latest 10):"), "{months}");
    let rows: Vec<&str> = months.lines().skip(1).collect();
    assert_eq!(rows.len(), 11, "{months}");
    assert!(rows[0].ends_with("2016-03") && rows[9].ends_with("2016-12") && rows[10].ends_with("undated"), "{months}");
}

/// The CLI's change feed pages with a cursor: every change once.
#[test]
fn changes_page_with_a_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).assert().success();
    let all: Vec<Value> =
        serde_json::from_slice(&sitrep().args(["changes", "--format", "json", "--db"]).arg(&db).output().unwrap().stdout).unwrap();
    assert!(all.len() > 4);
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let out = sitrep()
            .args(["changes", "--format", "json", "--limit", "4", "--after", &after.to_string(), "--db"])
            .arg(&db)
            .output()
            .unwrap();
        let page: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let Some(last) = page.last() else { break };
        after = last["seq"].as_i64().unwrap();
        seen.extend(page);
    }
    assert_eq!(seen, all);
    // --since includes its moment: resuming from the last `at` repeats rather than skips.
    let at = all[0]["at"].as_str().unwrap();
    let since: Vec<Value> =
        serde_json::from_slice(&sitrep().args(["changes", "--format", "json", "--since", at, "--db"]).arg(&db).output().unwrap().stdout)
            .unwrap();
    assert_eq!(since, all);
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_and_the_good_file_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, "Good\n\nRebels shelled the town of Nubl on Sunday, state media reported.\n").unwrap();
    let fifo = dir.path().join("f.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    // Before: opening the pipe blocked forever (no writer). The timeout turns a hang into a failure.
    let out = sitrep()
        .args(["read", "--format", "json", good.to_str().unwrap(), fifo.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("f.txt: not a regular file (a named pipe)"), "{stderr}");
    let articles: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0]["title"], "Good");
}

#[test]
fn standard_input_stops_at_the_document_limit() {
    // 3 MiB of text on stdin with a 1 MiB limit: refused naming that limit, not the file one.
    let out = sitrep()
        .args(["read", "--max-bytes", "1048576", "-"])
        .write_stdin("Rebels shelled the town. ".repeat(3 * 1024 * 1024 / 25))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("-: too large: over 1048576 bytes, the limit per document"), "{stderr}");
}

/// A store of the seeds in `dir`.
fn seeded_store(dir: &Path) -> PathBuf {
    let db = dir.join("s.db");
    let out = sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(fixtures().join("seeds")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

#[test]
fn bad_search_syntax_in_a_text_filter_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_store(dir.path());
    for q in ["\"", "*", "-Aleppo"] {
        let out = sitrep().args(["events", &format!("--text={q}"), "--db"]).arg(&db).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{q}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("sitrep: error: --text: bad search query"), "{q}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let out = sitrep().args(["search", "--db"]).arg(&db).args(["--", q]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{q}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("the search query: bad search query"));
    }
}

/// Four ingests at once into one fresh store, over inputs that overlap (each generated article
/// given to two of them, the seeds to two more), end with what one ingest of the union into a
/// fresh store holds: the same articles, events and fused events.
fn four_ingests_at_once_equal_one_of_the_union(test: &str, pg: bool) {
    let dir = tempfile::tempdir().unwrap();
    let Some(dbs) = fresh_stores(dir.path(), test, pg, 2) else { return };
    let (db, reference) = (&dbs[0], &dbs[1]);
    let all = corpus(dir.path(), 80);
    let parts: Vec<PathBuf> = (0..4).map(|k| dir.path().join(format!("part{k}"))).collect();
    for p in &parts {
        std::fs::create_dir_all(p).unwrap();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&all).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for (i, f) in files.iter().enumerate() {
        for k in [i % 4, (i + 1) % 4] {
            std::fs::copy(f, parts[k].join(f.file_name().unwrap())).unwrap();
        }
    }
    for k in [1, 3] {
        for e in std::fs::read_dir(fixtures().join("seeds")).unwrap() {
            let f = e.unwrap().path();
            std::fs::copy(&f, parts[k].join(f.file_name().unwrap())).unwrap();
        }
    }
    // Small batches: the writers take turns many times, and all open the fresh store at once.
    let children: Vec<_> = parts
        .iter()
        .map(|p| {
            std::process::Command::new(env!("CARGO_BIN_EXE_sitrep"))
                .args(["ingest", "--quiet", "--batch", "10", "--db", db])
                .arg(p)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "an ingest failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut args = vec!["ingest", "--quiet"];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    on_db(reference, &args);
    assert_eq!(articles_in(reference), 85);
    assert_eq!(holdings(db), holdings(reference), "four ingests at once hold what one of the union holds");
}

#[test]
fn four_ingests_at_once_on_a_fresh_file_hold_what_one_would() {
    four_ingests_at_once_equal_one_of_the_union("four", false);
}

#[test]
fn postgres_four_ingests_at_once_hold_what_one_would() {
    four_ingests_at_once_equal_one_of_the_union("pg_four", true);
}

/// `sitrep copy`: SQLite to PostgreSQL to SQLite, every export of the last byte for byte the
/// first's (stored times, ids and the change feed's numbers kept), and each goes on as the
/// original would; a target holding articles is refused.
#[test]
fn copy_moves_a_whole_store_between_backends_and_its_exports_stay_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pg) = pg_store("copy") else { return };
    let first = dir.path().join("first.db").to_string_lossy().into_owned();
    let last = dir.path().join("last.db").to_string_lossy().into_owned();
    let story = dir.path().join("story.txt");
    let corrected = |n: u32| {
        std::fs::write(
            &story,
            format!("Rebels lose Marea\n\nISIS militants captured the town of Marea on 3 May 2016, killing {n} rebels.\n"),
        )
        .unwrap();
        story.to_str().unwrap().to_string()
    };
    on_db(&first, &["ingest", "--quiet", fixtures().join("seeds").to_str().unwrap()]);
    on_db(&first, &["feeds", "add", "https://example.org/feed.xml", "--name", "example"]);
    let log = dir.path().join("alerts.jsonl");
    on_db(&first, &["alerts", "add", "all", "--file", log.to_str().unwrap(), "--secret", "k"]);
    // A corrected version: an article superseded, its events in the history, an update in the
    // change feed, deliveries for the alert.
    on_db(&first, &["ingest", "--quiet", &corrected(12)]);
    on_db(&first, &["ingest", "--quiet", &corrected(15)]);

    let copy = |from: &str, to: &str| {
        let out = sitrep().args(["copy", "--quiet", "--from", from, "--to", to]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let copied = copy(&first, &pg);
    assert!(copied.contains("6 current articles"), "{copied}");
    copy(&pg, &last);
    let exports = |db: &str| -> Vec<String> {
        [
            &["events", "--format", "jsonl"][..],
            &["events", "--format", "acled"],
            &["events", "--format", "geojson"],
            &["fused", "--format", "json", "--limit", "100000"],
            &["changes", "--format", "json"],
            &["stats", "--format", "json"],
            &["control", "--date", "2016-06-01"],
            &["feeds", "list", "--json"],
            &["alerts", "list", "--json"],
            &["alerts", "log"],
        ]
        .iter()
        .map(|args| on_db(db, args))
        .collect()
    };
    let want = exports(&first);
    assert!(want[4].contains("\"updated\"") && want[9].lines().count() > 1, "{} {}", want[4], want[9]);
    assert_eq!(exports(&pg), want, "PostgreSQL's copy exports as the original");
    assert_eq!(exports(&last), want, "the copy of the copy exports as the original");
    // SQLite's search index made anew: the same hits, ranks and snippets (PostgreSQL's
    // snippets are its own).
    for q in ["Aleppo", "\"car bomb\" OR Marea"] {
        assert_eq!(on_db(&last, &["search", q]), on_db(&first, &["search", q]), "{q}");
    }

    // A target holding articles is refused, untouched.
    let out = sitrep().args(["copy", "--quiet", "--from", &first, "--to", &last]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("{last}: already holds 6 articles")), "{err}");
    assert_eq!(exports(&last), want);

    // Each copy goes on from where the original was: the next correction is fused and numbered
    // alike on both backends (their sequences past the copied numbers).
    let change_kinds = |db: &str| -> Vec<(Value, Value, Value)> {
        let v: Vec<Value> = serde_json::from_str(&on_db(db, &["changes", "--format", "json"])).unwrap();
        v.into_iter().map(|c| (c["seq"].clone(), c["fused_id"].clone(), c["kind"].clone())).collect()
    };
    let before = change_kinds(&first).len();
    for db in [&pg, &last] {
        on_db(db, &["ingest", "--quiet", &corrected(17)]);
    }
    let next = change_kinds(&last);
    assert!(next.len() > before && next[before].0 == before + 1, "numbered on from the copied feed: {next:?}");
    assert_eq!(change_kinds(&pg), next);
    assert_eq!(holdings(&pg), holdings(&last));
}

#[cfg(unix)]
#[test]
fn a_read_only_store_is_queried_and_served_and_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ro");
    std::fs::create_dir_all(&folder).unwrap();
    let db = seeded_store(&folder);
    let beside = |suffix: &str| PathBuf::from(format!("{}{suffix}", db.display()));
    assert!(!beside("-wal").exists() && !beside("-shm").exists(), "the writer tidied up");
    let set = |p: &Path, mode: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    // A read-only file, then a read-only folder too. (As root, chmod does not stop writes: the
    // test still checks that nothing is written beside the file.)
    for (file_mode, folder_mode) in [(0o444, 0o755), (0o444, 0o555)] {
        set(&db, file_mode);
        set(&folder, folder_mode);
        let before = std::fs::read(&db).unwrap();
        for args in [&["events", "--format", "jsonl"][..], &["search", "Aleppo"], &["stats"], &["fused"], &["changes"]] {
            let out = sitrep().args(args).arg("--db").arg(&db).output().unwrap();
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            if args[0] == "events" {
                assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 16);
            }
            assert!(!beside("-wal").exists() && !beside("-shm").exists(), "{args:?} left -wal/-shm files");
        }
        // Served (no token: read-only), then stopped.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_sitrep"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--db"])
            .arg(&db)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut health = None;
        for _ in 0..600 {
            if let Ok(r) = ureq::get(&format!("http://127.0.0.1:{port}/healthz")).call() {
                health = Some(r.into_string().unwrap());
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = server.kill();
        let out = server.wait_with_output().unwrap();
        let health = health.unwrap_or_else(|| panic!("the server did not answer: {}", String::from_utf8_lossy(&out.stderr)));
        assert!(health.contains("\"events\":16"), "{health}");
        assert!(!beside("-wal").exists() && !beside("-shm").exists(), "serve left -wal/-shm files");
        assert_eq!(std::fs::read(&db).unwrap(), before, "the file was not written");
    }
    set(&folder, 0o755);
    set(&db, 0o644);
}

#[test]
fn posts_during_a_cli_ingest_are_stored_and_answered_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_store(dir.path());
    let all = corpus(dir.path(), 200);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--token", "t0k3n", "--db"])
        .arg(&db)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let up = (0..600).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        ureq::get(&format!("{base}/healthz")).call().is_ok()
    });
    assert!(up, "the server did not start");
    let ingest = std::process::Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .args(["ingest", "--quiet", "--batch", "10", "--db"])
        .arg(&db)
        .arg(&all)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut answers = Vec::new();
    for i in 0..6 {
        let body = format!(
            "{{\"title\":\"Post {i}\",\"text\":\"Regime warplanes bombed the town of Saraqeb on 5 May 2016, killing {} civilians, post number {i} said.\",\"url\":\"https://example.org/post{i}\"}}",
            i + 3
        );
        let r = ureq::post(&format!("{base}/api/articles"))
            .set("Authorization", "Bearer t0k3n")
            .set("Content-Type", "application/json")
            .send_string(&body);
        answers.push(match r {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        });
    }
    let out = ingest.wait_with_output().unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(out.status.success(), "the CLI ingest failed: {}", String::from_utf8_lossy(&out.stderr));
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
    }
    let titles: Vec<Value> = events_of_db(&db, &["--place", "Saraqeb"]);
    assert!(titles.len() >= 6, "every posted article's event is stored: {}", titles.len());
    let stats = sitrep().args(["stats", "--format", "json", "--db"]).arg(&db).output().unwrap();
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["articles"], 5 + 200 + 6);
}

#[test]
fn compressed_inputs_read_as_what_they_hold() {
    let c = fixtures().join("compressed");
    let (articles, stderr, code) = read_json(&[
        c.join("sciencealert.com.html.gz").to_str().unwrap(),
        c.join("seeds.jsonl.gz").to_str().unwrap(),
        c.join("003.txt.zst").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let inputs: Vec<&str> = articles.iter().map(|a| a["input"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(inputs, ["sciencealert.com.html.gz", "seeds.jsonl.gz:1", "seeds.jsonl.gz:2", "seeds.jsonl.gz:3", "003.txt.zst"]);
    let formats: Vec<&str> = articles.iter().map(|a| a["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["html", "jsonl", "jsonl", "jsonl", "text"]);
    // The page reads as the uncompressed page does.
    let (plain, _, _) = read_json(&[fixtures().join("html/sciencealert.com.html").to_str().unwrap()]);
    assert_eq!(body(&articles[0]), body(&plain[0]));
    assert_eq!(articles[0]["title"], plain[0]["title"]);
    assert_eq!(articles[1]["url"], "https://example.org/000_98bac896701fb69b.txt");
    assert!(articles[4]["title"].as_str().unwrap().starts_with("Clashes break out between ISIS and al-Qaeda"));

    // Known by their magic bytes, whatever their names say.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(c.join("sciencealert.com.html.gz"), dir.path().join("page.download")).unwrap();
    std::fs::copy(c.join("003.txt.zst"), dir.path().join("story")).unwrap();
    let (articles, stderr, code) = read_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(articles.len(), 2);
    assert_eq!((articles[0]["format"].as_str(), articles[1]["format"].as_str()), (Some("html"), Some("text")));
    assert_eq!(body(&articles[0]), body(&plain[0]));
    // And on standard input.
    let out =
        sitrep().args(["read", "--format", "json", "-"]).write_stdin(std::fs::read(c.join("seeds.jsonl.gz")).unwrap()).output().unwrap();
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.iter().map(|a| a["input"].as_str().unwrap()).collect::<Vec<_>>(), ["-:1", "-:2", "-:3"]);
}

#[test]
fn a_compression_bomb_is_refused_past_the_limit_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("compressed/bomb.html.gz"), dir.path().join("bomb.html.gz")).unwrap();
    std::fs::write(dir.path().join("good.txt"), "Good\n\nRebels shelled the town of Nubl on Sunday, state media reported.\n").unwrap();
    let (articles, stderr, code) = read_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("bomb.html.gz: decompresses to over 10485760 bytes"), "{stderr}");
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0]["title"], "Good");
}

#[test]
fn a_warc_crawl_gives_its_pages_and_one_error_for_a_cut_record() {
    let warc = fixtures().join("warc/crawl.warc.gz");
    let (articles, stderr, code) = read_json(&[warc.to_str().unwrap()]);
    assert_eq!(code, Some(1), "the cut record is a failed input: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].ends_with("crawl.warc.gz#8: bad WARC record: cut short: Content-Length 58219, 27831 bytes left in the file"),
        "{stderr}"
    );
    assert!(lines[1].ends_with("crawl.warc.gz: 5 WARC records skipped (not an HTML page)"), "{stderr}");
    let inputs: Vec<&str> = articles.iter().map(|a| a["input"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(inputs, ["crawl.warc.gz#3", "crawl.warc.gz#7"]);
    assert_eq!(articles[0]["url"], "https://www.sciencealert.com/nasa-finds-water-plumes-above-the-surface-of-jupiter-s-icy-moon-europa");
    // The page gives no date: the crawl's.
    assert_eq!(articles[0]["published"], "2019-12-02T10:20:30");
    let gold: Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join("html/hosted.ap.org.gold.json")).unwrap()).unwrap();
    let s = sitrep_core::eval::extraction::score_page(gold["articleBody"].as_str().unwrap(), &body(&articles[1]));
    assert!(s.recall.unwrap() > 0.95 && s.precision.unwrap() > 0.9, "{s:?}");

    // Uncompressed, cut inside the last record's header: the same pages, one error.
    let dir = tempfile::tempdir().unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(std::fs::File::open(&warc).unwrap()), &mut plain).ok();
    let cut = plain.windows(8).rposition(|w| w == b"WARC/1.0").unwrap() + 40;
    std::fs::write(dir.path().join("crawl.warc"), &plain[..cut]).unwrap();
    let (again, stderr, code) = read_json(&[dir.path().join("crawl.warc").to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert_eq!(again.len(), 2);
    assert_eq!(body(&again[1]), body(&articles[1]));
    assert_eq!(stderr.lines().filter(|l| l.contains("error")).count(), 1, "{stderr}");
    assert!(stderr.contains("crawl.warc#8: bad WARC record: the header at byte"), "{stderr}");

    // Ingested: two articles stored, one failure counted.
    let db = dir.path().join("s.db");
    let out = sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(&warc).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("read 2, new 2") && stdout.contains("failed 1"), "{stdout}");
}

#[test]
fn html_metadata_comes_from_the_pages_own_structured_data() {
    let page = |site: &str| {
        let (a, stderr, code) = read_json(&[fixtures().join(format!("html/{site}.html")).to_str().unwrap()]);
        assert_eq!(code, Some(0), "{stderr}");
        a[0].clone()
    };
    let vb = page("venturebeat.com");
    assert_eq!(vb["title"], "New York State Attorney General investigating WeWork and former CEO");
    assert_eq!(vb["published"], "2019-11-19T07:03:25");
    assert_eq!(vb["source"], "VentureBeat");
    let ap = page("hosted.ap.org");
    assert_eq!(ap["title"], "Unpredictable Sondland faces questions about Trump, Ukraine");
    // article:published_time, the day and time where it was published.
    assert_eq!(ap["published"], "2019-11-20T05:52:20");

    let dir = tempfile::tempdir().unwrap();
    let html = r#"<!DOCTYPE html><html><head><title>Home &gt; World &gt; Air strikes hit Saraqib &amp; Ariha | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Air strikes hit Saraqib &amp; Ariha",
"datePublished":"2016-05-02T08:15:00+03:00","author":{"@type":"Person","name":"Jane Roe"},"publisher":{"@type":"Organization","name":"Daily Example"}}</script>
</head><body><header><svg><title>Arrow</title></svg><a href="/">Home</a></header><article><h1>Air strikes hit Saraqib &amp; Ariha</h1>
<p>Air strikes hit the towns of Saraqib and Ariha in Idlib province, killing at least nine civilians, rescue workers said, as fighting went on across the north of the country.</p>
<p>The strikes came as rebels and government forces fought for the hills south of Aleppo, a monitor said, and aid groups warned of a new wave of people fleeing to the border.</p>
</article></body></html>"#;
    std::fs::write(dir.path().join("page.html"), html).unwrap();
    let (a, stderr, code) = read_json(&[dir.path().join("page.html").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(a[0]["title"], "Air strikes hit Saraqib & Ariha");
    assert_eq!(a[0]["source"], "The Daily Example");
    assert_eq!(a[0]["byline"], "Jane Roe");
    assert_eq!(a[0]["published"], "2016-05-02T08:15:00");
    // Without JSON-LD or OpenGraph: the <title>, its entities decoded, crumbs and site cut.
    let bare = html.replace(r#"<meta property="og:site_name" content="The Daily Example">"#, "");
    let bare = bare[..bare.find("<script").unwrap()].to_string() + &bare[bare.find("</script>").unwrap() + 9..];
    std::fs::write(dir.path().join("page.html"), bare).unwrap();
    let (a, stderr, _) = read_json(&[dir.path().join("page.html").to_str().unwrap()]);
    assert_eq!(a[0]["title"], "Air strikes hit Saraqib & Ariha", "{stderr}");
}

#[test]
fn files_and_records_read_in_parallel_come_out_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let story = "Rebels shelled the town of Nubl on Sunday, state media reported, and four people were hurt.";
    for i in 0..150 {
        std::fs::write(dir.path().join(format!("a{i:03}.txt")), format!("Story {i}\n\n{story} Case {i}.\n")).unwrap();
    }
    let lines: String = (0..300).map(|i| format!("{{\"title\": \"Record {i}\", \"text\": \"{story} Record {i}.\"}}\n")).collect();
    std::fs::write(dir.path().join("b.jsonl"), lines).unwrap();
    std::fs::write(dir.path().join("c.txt"), "Last\n\nThe last story of the folder, read after the rest of it.\n").unwrap();
    let (articles, stderr, code) = read_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let titles: Vec<&str> = articles.iter().map(|a| a["title"].as_str().unwrap()).collect();
    let want: Vec<String> =
        (0..150).map(|i| format!("Story {i}")).chain((0..300).map(|i| format!("Record {i}"))).chain(["Last".to_string()]).collect();
    assert_eq!(titles, want);
    // extract and ingest see the same order: events in file order, every article stored.
    let out = sitrep().args(["extract", "--format", "jsonl"]).arg(dir.path()).output().unwrap();
    let order: Vec<usize> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let id = serde_json::from_str::<Value>(l).unwrap()["article_id"].clone();
            articles.iter().position(|a| a["id"] == id).expect("an event of a read article")
        })
        .collect();
    assert!(order.len() > 400, "{}", order.len());
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    let db = dir.path().join("s.db");
    let out = sitrep().args(["ingest", "--quiet", "--db"]).arg(&db).arg(dir.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("read 451, new 451"), "{}", String::from_utf8_lossy(&out.stdout));
}

/// `sitrep credibility` scores the FA-KES fixture's articles with reasons that quote them.
#[test]
fn credibility_gives_reasons_that_quote_the_fixture_articles() {
    let out = sitrep().args(["credibility", "--format", "json", "fixtures/fakes-sample.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let scored: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(scored.len(), 6);
    for s in &scored {
        let c = &s["credibility"];
        let p = c["probability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(!c["reasons"].as_array().unwrap().is_empty(), "every scored article has a reason: {s}");
    }
    // The last row (Al-Araby Al-Jadeed, "Regime troops thwart rebel attack ..."): its outlet's
    // record, and the words it uses, counted.
    let last: Vec<&str> = scored[5]["credibility"]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(last[0].starts_with("outlet Al-Araby Al-Jadeed: its record in training raises it"), "{last:?}");
    assert!(last.iter().any(|r| r.contains("the words of the government side for its opponents: 'gunmen' (3 times)")), "{last:?}");
    // Whatever the weights, what a reason quotes is in the article.
    let text = std::fs::read_to_string("fixtures/fakes-sample.csv").unwrap().to_lowercase();
    for r in &last {
        for quoted in r.split('\'').skip(1).step_by(2) {
            assert!(text.contains(quoted), "{quoted:?} of {r:?} is not in the article");
        }
    }
    // Its text alone and the outlet's term add up to the probability.
    let c = &scored[5]["credibility"];
    let logit = c["text_logit"].as_f64().unwrap() + c["outlet_term"].as_f64().unwrap();
    assert!((1.0 / (1.0 + (-logit).exp()) - c["probability"].as_f64().unwrap()).abs() < 1e-3);
}

#[test]
fn an_unreachable_database_server_is_one_line_exit_1_without_its_password() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let out = sitrep().args(["stats", "--db", "postgres://sitrep:secret@127.0.0.1:1/sitrep"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("postgres://sitrep:***@127.0.0.1:1/sitrep"), "{err}");
    assert!(!err.contains("secret"), "{err}");
    // Bad input is still 2.
    let out = sitrep().args(["stats", "--db", ""]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
