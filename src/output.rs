//! Readable renderings of the library's types for the terminal.

use sitrep_core::{Article, Event};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// An article as readable text: a header of fields, then the clean body.
pub fn article_text(out: &mut impl Write, a: &Article) -> io::Result<()> {
    let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    writeln!(out, "== {}  [{}]  id {}", a.input, a.format.as_str(), a.id)?;
    writeln!(out, "title:      {}", dash(&a.title))?;
    writeln!(out, "source:     {}", dash(&a.source))?;
    writeln!(out, "byline:     {}", dash(&a.byline))?;
    writeln!(out, "dateline:   {}", dash(&a.dateline))?;
    writeln!(out, "published:  {}", a.published.map_or_else(|| "-".into(), |p| p.to_string()))?;
    writeln!(out, "url:        {}", dash(&a.url))?;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &a.dropped {
        *kinds.entry(d.kind.as_str()).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(out, "dropped:    {}", if kinds.is_empty() { "-".into() } else { kinds.join(", ") })?;
    writeln!(out)?;
    for p in &a.paragraphs {
        writeln!(out, "{}", p.text)?;
        writeln!(out)?;
    }
    Ok(())
}

/// How `sitrep extract` prints events.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    Table,
    Jsonl,
    Json,
    Csv,
}

/// Writes events as they come, in one format.
pub struct EventSink {
    format: EventFormat,
    first: bool,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl EventSink {
    pub fn new(format: EventFormat) -> Self {
        EventSink { format, first: true }
    }

    pub fn start(&mut self, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            EventFormat::Json => out.write_all(b"["),
            EventFormat::Csv => writeln!(out, "{}", sitrep_core::export::CSV_COLUMNS.join(",")),
            _ => Ok(()),
        }
    }

    /// Writes events; in the table, under a header naming their article when there is one.
    pub fn write(&mut self, out: &mut impl Write, a: Option<&Article>, events: &[Event]) -> io::Result<()> {
        match self.format {
            EventFormat::Table => {
                match a {
                    Some(a) => writeln!(out, "== {}  {}  ({} events)", a.input, a.title.as_deref().unwrap_or("-"), events.len())?,
                    None if events.is_empty() => writeln!(out, "no event matches")?,
                    None => {}
                }
                for e in events {
                    let date = e
                        .event_date
                        .map(|d| d.to_string())
                        .or_else(|| e.weekday.clone().map(|w| format!("{w} (unresolved)")))
                        .unwrap_or_else(|| "-".into());
                    let actor = |x: &Option<sitrep_core::model::EventActor>| x.as_ref().map_or("-".to_string(), |a| a.name.clone());
                    writeln!(
                        out,
                        "  {} | {} / {} | {} vs {} | {} | {} | fatalities {} ({}){} | conf {:.2}",
                        e.event_id,
                        e.event_type,
                        e.sub_event_type,
                        actor(&e.actor1),
                        actor(&e.actor2),
                        e.location.as_deref().unwrap_or("-"),
                        date,
                        e.fatalities,
                        e.fatalities_bound,
                        e.injured.map(|i| format!(", injured {i}")).unwrap_or_default(),
                        e.confidence
                    )?;
                    for ev in &e.evidence {
                        writeln!(out, "      [{}..{}] {}", ev.start, ev.end, ev.text)?;
                    }
                }
                writeln!(out)
            }
            EventFormat::Jsonl => {
                for e in events {
                    serde_json::to_writer(&mut *out, e)?;
                    out.write_all(b"\n")?;
                }
                Ok(())
            }
            EventFormat::Json => {
                for e in events {
                    out.write_all(if self.first { b"\n" } else { b",\n" })?;
                    serde_json::to_writer_pretty(&mut *out, e)?;
                    self.first = false;
                }
                Ok(())
            }
            EventFormat::Csv => {
                for e in events {
                    let row = sitrep_core::export::csv_row(e);
                    writeln!(out, "{}", row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","))?;
                }
                Ok(())
            }
        }
    }

    pub fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.format == EventFormat::Json {
            out.write_all(b"\n]\n")?;
        }
        Ok(())
    }
}

/// The evaluation report as a table.
pub fn eval_table(out: &mut impl Write, r: &sitrep_core::eval::events::Report) -> io::Result<()> {
    writeln!(out, "| document | must found | may found | unmatched | must_not violations |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for d in &r.documents {
        writeln!(
            out,
            "| {} | {}/{} | {}/{} | {} | {} |",
            d.doc,
            d.must_found,
            d.must,
            d.may_found,
            d.may,
            d.unmatched.len(),
            d.must_not_violations.len()
        )?;
    }
    writeln!(out)?;
    writeln!(out, "must recall:          {:.3} ({} of {})", r.must_recall, r.must_found, r.must)?;
    writeln!(out, "precision:            {:.3} ({} events, {} unmatched)", r.precision, r.events, r.unmatched)?;
    writeln!(out, "must_not violations:  {}", r.must_not_violations)?;
    writeln!(out, "field accuracy over matched must events:")?;
    for (k, v) in &r.field_accuracy {
        writeln!(out, "  {k:<12} {v:.3}")?;
    }
    for d in &r.documents {
        for m in &d.missed {
            writeln!(out, "missed in {}: {}", d.doc, m)?;
        }
        for u in &d.unmatched {
            writeln!(out, "unmatched in {}: {}", d.doc, u)?;
        }
        for v in &d.must_not_violations {
            writeln!(out, "must_not violated in {}: {}", d.doc, v)?;
        }
        for f in &d.field_errors {
            writeln!(out, "field error in {}: {}", d.doc, f)?;
        }
    }
    Ok(())
}

/// `sitrep geocode` output: each place mention and how it was resolved.
pub fn geocode_table(out: &mut impl Write, found: &[sitrep_core::geocode::PlaceFound]) -> io::Result<()> {
    if found.is_empty() {
        return writeln!(out, "no place names found");
    }
    for p in found {
        writeln!(out, "{:?} ({} cue{})", p.text, p.cue, p.qualifier.as_ref().map(|q| format!(", {q}")).unwrap_or_default())?;
        match &p.resolution {
            Some(r) => {
                writeln!(
                    out,
                    "  -> {} [{}] {}, {} | {:.5}, {:.5} | precision {} | score {:.2}",
                    r.name.as_deref().unwrap_or("(governorate only)"),
                    r.id.as_deref().unwrap_or("-"),
                    r.admin2.as_deref().unwrap_or("-"),
                    r.admin1.as_deref().unwrap_or("-"),
                    r.latitude,
                    r.longitude,
                    r.geo_precision,
                    r.score
                )?;
                for a in r.alternatives.iter().skip(1).take(4) {
                    writeln!(
                        out,
                        "     also: {} ({}, {}, {}) score {:.2}",
                        a.name,
                        a.kind,
                        a.admin1.as_deref().unwrap_or("-"),
                        a.country,
                        a.score
                    )?;
                }
            }
            None => writeln!(out, "  -> unresolved (unknown or ambiguous)")?,
        }
    }
    Ok(())
}

/// `sitrep eval --corpus`: each typer's scores side by side, over the file and by origin,
/// then each class's F1.
pub fn corpus_table(out: &mut impl Write, name: &str, reports: &[sitrep_core::eval::corpus::Report]) -> io::Result<()> {
    use sitrep_core::eval::corpus::{Ratio, Scores};
    let Some(first) = reports.first() else { return Ok(()) };
    let s = &first.all;
    writeln!(out, "{name}: {} articles, {} coded sentences, {} gold events", s.articles, s.sentences, s.gold_events)?;
    let head: Vec<&str> = reports.iter().map(|r| r.typer.as_str()).collect();
    type Field = fn(&Scores) -> Ratio;
    let rows: [(&str, Field); 8] = [
        ("event found (recall)", |s| s.detection_recall),
        ("event real (precision)", |s| s.detection_precision),
        ("actor1", |s| s.actor1),
        ("actor2", |s| s.actor2),
        ("place within 10 km", |s| s.place_10km),
        ("admin1", |s| s.admin1),
        ("date", |s| s.date),
        ("fatalities", |s| s.fatalities),
    ];
    let part = |out: &mut dyn Write, title: &str, pick: &dyn Fn(&sitrep_core::eval::corpus::Report) -> Option<&Scores>| -> io::Result<()> {
        writeln!(out, "\n{title}")?;
        writeln!(out, "| measure | {} |", head.join(" | "))?;
        writeln!(out, "|---|{}", "---|".repeat(head.len()))?;
        let cells: Vec<String> = reports.iter().map(|r| pick(r).map_or("-".into(), |s| format!("{:.3}", s.weighted_f1()))).collect();
        writeln!(out, "| sub-type weighted F1 | {} |", cells.join(" | "))?;
        for (label, f) in &rows {
            let cells: Vec<String> = reports
                .iter()
                .map(|r| match pick(r).map(f) {
                    Some(x) if x.of > 0 => format!("{:.3} ({}/{})", x.value(), x.right, x.of),
                    _ => "-".into(),
                })
                .collect();
            writeln!(out, "| {label} | {} |", cells.join(" | "))?;
        }
        Ok(())
    };
    part(out, "all", &|r| Some(&r.all))?;
    for origin in first.by_origin.keys() {
        let n = first.by_origin[origin].sentences;
        part(out, &format!("{origin} ({n} sentences)"), &|r| r.by_origin.get(origin))?;
    }
    writeln!(out, "\nper sub-type F1 (gold support)")?;
    writeln!(out, "| sub-type | support | {} |", head.join(" | "))?;
    writeln!(out, "|---|---|{}", "---|".repeat(head.len()))?;
    for (class, c) in &first.all.classes {
        let cells: Vec<String> =
            reports.iter().map(|r| r.all.classes.get(class).map_or("-".into(), |c| format!("{:.3}", c.f1()))).collect();
        writeln!(out, "| {class} | {} | {} |", c.tp + c.fn_, cells.join(" | "))?;
    }
    Ok(())
}
