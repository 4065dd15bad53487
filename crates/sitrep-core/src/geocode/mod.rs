//! Geocoding: place strings to coordinates and admin areas, from the gazetteer shipped in
//! `data/gazetteer.tsv.gz` (Who's On First places of Syria and its neighbours, CC-BY, plus a
//! hand-made supplement of regions, roads, airbases and border crossings; see [`build`]).
//!
//! A place string meets its gazetteer entries through two folded keys ([`fold`]); among the
//! candidates, context decides: the country (Syria first), the article's dateline and the
//! governorates it names, the other places of the article (near ones win), the kind of place
//! the cue asked for, and population. An ambiguous name (close scores, far apart) falls back
//! to the governorate both share (precision 3), or stays unresolved: never a confident wrong
//! pin.

pub mod build;
pub mod fold;

pub use crate::model::Alternative;
use crate::model::{Article, Event};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;
use std::sync::LazyLock;

const GAZETTEER_GZ: &[u8] = include_bytes!("../../data/gazetteer.tsv.gz");

/// One gazetteer entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: &'static str,
    pub cc: &'static str,
    pub kind: &'static str,
    pub name: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f32,
    pub population: u64,
    pub admin1: Option<&'static str>,
    pub admin2: Option<&'static str>,
    /// Name variants, `|`-separated (see [`Entry::names`]).
    pub variants: &'static str,
}

impl Entry {
    /// The entry as a candidate with its score, for reports.
    pub fn alternative(&self, score: f32) -> Alternative {
        Alternative {
            id: self.id.to_string(),
            name: self.name.to_string(),
            kind: self.kind.to_string(),
            country: self.cc.to_string(),
            admin1: self.admin1.map(String::from),
            latitude: self.lat,
            longitude: self.lon,
            score: (score * 100.0).round() / 100.0,
        }
    }

    /// The entry's name variants.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.variants.split('|').filter(|s| !s.is_empty())
    }
}

/// The gazetteer, indexed by folded name and phonetic key.
pub struct Gazetteer {
    pub entries: Vec<Entry>,
    /// Folded name -> entry numbers ("3,17"), sorted by name.
    by_fold: Vec<(&'static str, &'static str)>,
    /// Phonetic key -> entry numbers, sorted by key.
    by_key: Vec<(&'static str, &'static str)>,
    /// Consonant skeleton -> entry numbers, sorted (a loose index: see [`fold::skeleton`]).
    by_skel: Vec<(&'static str, &'static str)>,
    /// Governorate centres by admin1 name.
    admin1_centre: HashMap<String, (String, f64, f64)>,
    /// Entry numbers by gazetteer id, built on first use.
    by_id: std::sync::OnceLock<HashMap<&'static str, usize>>,
    /// The countries of its entries, sorted.
    countries: std::sync::OnceLock<Vec<&'static str>>,
}

/// How a place string was resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub text: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub country: String,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    /// ACLED geo precision: 1 the place, 2 near it or part of a region, 3 the region only.
    pub geo_precision: u8,
    pub score: f32,
    /// Every candidate considered, best first.
    pub alternatives: Vec<Alternative>,
}

impl Resolution {
    /// A place resolved only to its governorate (precision 3, at the governorate's centre).
    fn governorate(text: &str, admin1: String, country: String, lat: f64, lon: f64, score: f32, alternatives: Vec<Alternative>) -> Self {
        Resolution {
            text: text.to_string(),
            id: None,
            name: None,
            latitude: lat,
            longitude: lon,
            country,
            admin1: Some(admin1),
            admin2: None,
            geo_precision: 3,
            score,
            alternatives,
        }
    }
}

/// What the article says around a place: governorates named, places already placed.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub admin1: Vec<String>,
    pub points: Vec<(f64, f64)>,
    /// The kind of place the cue asked for ("town", "region", ...), if any.
    pub cue: Option<String>,
    /// Governorates named in the very sentence of the place ("the Hara area in southern
    /// Daraa province"): closer context than the article's.
    pub local_admin1: Vec<String>,
    /// `local_admin1` is given by the caller, a dataset's governorate of the place, not read
    /// from a text ([`Gazetteer::resolve_in`]): the loose skeleton match among its places
    /// competes, and among namesakes of it that score alike the best documented (clearly
    /// more name variants) is taken instead of none.
    pub admin1_given: bool,
}

/// Great-circle distance in km.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

impl Gazetteer {
    /// Parses a gazetteer TSV (the format [`build`] writes). The text lives as long as the
    /// program: the index points into it instead of copying 400,000 keys.
    pub fn parse(tsv: &'static str) -> Result<Self, String> {
        let mut entries = Vec::with_capacity(100_000);
        let mut by_fold = Vec::with_capacity(300_000);
        let mut by_key = Vec::with_capacity(300_000);
        let mut by_skel = Vec::with_capacity(100_000);
        let mut section = 0;
        for (n, line) in tsv.lines().enumerate().skip(1) {
            match line {
                "#folds" => {
                    section = 1;
                    continue;
                }
                "#keys" => {
                    section = 2;
                    continue;
                }
                "#skels" => {
                    section = 3;
                    continue;
                }
                _ => {}
            }
            if section > 0 {
                let (k, ids) = line.split_once('\t').ok_or_else(|| format!("gazetteer line {}: no tab in an index line", n + 1))?;
                match section {
                    1 => &mut by_fold,
                    2 => &mut by_key,
                    _ => &mut by_skel,
                }
                .push((k, ids));
                continue;
            }
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() != 11 {
                return Err(format!("gazetteer line {}: {} columns, expected 11", n + 1, c.len()));
            }
            let num = |s: &str| s.parse::<f64>().map_err(|e| format!("gazetteer line {}: {e}", n + 1));
            let opt = |s: &'static str| (!s.is_empty()).then_some(s);
            entries.push(Entry {
                id: c[0],
                cc: c[1],
                kind: c[2],
                name: c[3],
                lat: num(c[4])?,
                lon: num(c[5])?,
                radius_km: num(c[6])? as f32,
                population: c[7].parse().unwrap_or(0),
                admin1: opt(c[8]),
                admin2: opt(c[9]),
                variants: c[10],
            });
        }
        // The build writes the indexes sorted (checked by a test, not at every start).
        if by_fold.is_empty() || by_key.is_empty() || by_skel.is_empty() {
            return Err("gazetteer indexes missing or not sorted (rebuild it: sitrep gazetteer build)".into());
        }
        let mut admin1_centre = HashMap::new();
        for e in &entries {
            if e.kind == "region" && e.id.starts_with("wof:") {
                admin1_centre.insert(e.name.to_string(), (e.cc.to_string(), e.lat, e.lon));
            }
        }
        Ok(Gazetteer {
            entries,
            by_fold,
            by_key,
            by_skel,
            admin1_centre,
            by_id: std::sync::OnceLock::new(),
            countries: std::sync::OnceLock::new(),
        })
    }

    /// The gazetteer shipped with sitrep (decompressed and indexed on first use).
    pub fn builtin() -> &'static Gazetteer {
        static G: LazyLock<Gazetteer> = LazyLock::new(|| {
            let mut tsv = String::with_capacity(GAZETTEER_GZ.len() * 5);
            flate2::read::GzDecoder::new(GAZETTEER_GZ).read_to_string(&mut tsv).expect("embedded gazetteer decompresses");
            Gazetteer::parse(Box::leak(tsv.into_boxed_str())).expect("embedded gazetteer is valid")
        });
        &G
    }

    fn ids(index: &[(&'static str, &'static str)], k: &str) -> Vec<usize> {
        match index.binary_search_by(|(x, _)| (*x).cmp(k)) {
            Ok(i) => index[i].1.split(',').filter_map(|n| n.parse().ok()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The governorate of the first governorate, district or big town (100,000 people) a text
    /// names in capitals, wherever it stands (one or two words, names spelled exactly).
    pub fn prominent_name_in(&self, text: &str) -> Option<String> {
        self.prominent_names_in(text).into_iter().next()
    }

    /// The governorates of every governorate, district or big town a text names, in order.
    pub fn prominent_names_in(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let words: Vec<&str> = text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')).filter(|w| !w.is_empty()).collect();
        for i in 0..words.len() {
            for n in [2usize, 1] {
                if i + n > words.len() || !words[i].chars().next().is_some_and(char::is_uppercase) {
                    continue;
                }
                let name = words[i..i + n].join(" ");
                let hit = Self::ids(&self.by_fold, &fold::fold(&name)).into_iter().find(|&k| {
                    let e = &self.entries[k];
                    e.cc == "SY" && (matches!(e.kind, "region" | "district") || e.population >= 100_000)
                });
                if let Some(a) = hit.and_then(|k| self.entries[k].admin1) {
                    if !out.iter().any(|x| x == a) {
                        out.push(a.to_string());
                    }
                    break;
                }
            }
        }
        out
    }

    /// The governorates a text names as provinces: the words around "province",
    /// "governorate" and "countryside" ("southern Daraa province", "the countryside of
    /// Idlib"). Cheap: only those few words are folded.
    pub fn provinces_named_in(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if !["rovince", "overnorate", "ountryside"].iter().any(|k| text.contains(k)) {
            return out;
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if !["province", "provinces", "governorate", "countryside"].iter().any(|k| w.eq_ignore_ascii_case(k)) {
                continue;
            }
            let before = words[i.saturating_sub(2)..i].join(" ");
            // After "of", the name up to the next comma or stop, three words at most.
            let mut after = Vec::new();
            if words.get(i + 1) == Some(&"of") {
                for w in words.iter().skip(i + 2).take(3) {
                    after.push(w.trim_end_matches([',', '.', ';', ':']));
                    if w.ends_with([',', '.', ';', ':']) {
                        break;
                    }
                }
            }
            let after = after.join(" ");
            for a in self.prominent_names_in(&before).into_iter().chain(self.prominent_names_in(&after)) {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// Whether the gazetteer has places of this country (ISO code).
    pub fn covers(&self, cc: &str) -> bool {
        let ccs = self.countries.get_or_init(|| {
            let mut v: Vec<&'static str> = self.entries.iter().map(|e| e.cc).collect();
            v.sort_unstable();
            v.dedup();
            v
        });
        ccs.binary_search(&cc).is_ok()
    }

    /// The entry with this gazetteer id ("wof:85678399", "sup:49").
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        let index = self.by_id.get_or_init(|| self.entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect());
        index.get(id).map(|&i| &self.entries[i])
    }

    /// How many entries a name could mean (cheap: no scoring).
    pub fn candidate_count(&self, text: &str) -> usize {
        let count = |index: &[(&'static str, &'static str)], k: &str| match index.binary_search_by(|(x, _)| (*x).cmp(k)) {
            Ok(i) => index[i].1.split(',').count(),
            Err(_) => 0,
        };
        let t = clean_name(text);
        count(&self.by_fold, &fold::fold(t)) + count(&self.by_key, &fold::key(t))
    }

    /// Entries whose names match a string: (entry, match quality).
    pub fn candidates(&self, text: &str) -> Vec<(usize, f32)> {
        let mut out: Vec<(usize, f32)> = Vec::new();
        let f = fold::fold(text);
        {
            let v = Self::ids(&self.by_fold, &f);
            for i in v {
                let e = &self.entries[i];
                let q = if fold::fold(e.name) == f { 1.0 } else { 0.95 };
                out.push((i, q));
            }
        }
        {
            let v = Self::ids(&self.by_key, &fold::key(text));
            for i in v {
                if !out.iter().any(|(j, _)| *j == i) {
                    // A phonetic match is as good as the closest spelling it has.
                    let e = &self.entries[i];
                    // (Latin-script spellings only, at most eight: the cost of a look-up.)
                    let sim = std::iter::once(e.name)
                        .chain(e.names())
                        .filter(|n| n.is_ascii())
                        .take(8)
                        .map(|n| strsim::jaro_winkler(&f, &fold::fold(n)))
                        .fold(0.0, f64::max);
                    out.push((i, 0.6 + 0.3 * sim as f32));
                }
            }
        }
        out
    }

    fn in_admin1(&self, i: usize, admin1: &[String]) -> bool {
        self.entries[i].admin1.is_some_and(|a| admin1.iter().any(|x| x == a))
    }

    /// Loose candidates: entries of these governorates whose consonant skeleton is the name's
    /// ([`fold::skeleton`]: vowels, glides, suffixes and word breaks aside), with or without
    /// the words that tell twin villages apart ([`fold::without_qualifiers`]), and one of
    /// whose spellings is close to the name (Jaro-Winkler 0.85 on the folded forms, words run
    /// together). Quality 0.45-0.85, below a phonetic match of the same closeness.
    pub fn loose_candidates(&self, text: &str, admin1: &[String]) -> Vec<(usize, f32)> {
        let f = fold::fold(text);
        let bare = fold::without_qualifiers(text);
        let mut forms: Vec<String> = vec![f.replace(' ', "")];
        let mut ids: Vec<usize> = Self::ids(&self.by_skel, &fold::skeleton(text));
        if let Some(b) = &bare {
            forms.push(b.replace(' ', ""));
            for i in Self::ids(&self.by_skel, &fold::skeleton(b)) {
                if !ids.contains(&i) {
                    ids.push(i);
                }
            }
        }
        let mut out = Vec::new();
        for i in ids {
            if !self.in_admin1(i, admin1) {
                continue;
            }
            let e = &self.entries[i];
            let mut sim = 0.0f64;
            for n in std::iter::once(e.name).chain(e.names()).filter(|n| !n.chars().any(fold::is_arabic)) {
                let nf = fold::fold(n);
                let nb = fold::without_qualifiers(n);
                for g in std::iter::once(nf.as_str()).chain(nb.as_deref()) {
                    let g = g.replace(' ', "");
                    for q in &forms {
                        sim = sim.max(strsim::jaro_winkler(q, &g));
                    }
                }
            }
            if sim >= 0.85 {
                out.push((i, 0.45 + 0.4 * sim as f32));
            }
        }
        out
    }

    /// The most populous town of a governorate.
    fn biggest_town(&self, admin1: &str) -> Option<usize> {
        (0..self.entries.len())
            .filter(|&i| self.entries[i].kind == "locality" && self.entries[i].admin1 == Some(admin1))
            .max_by_key(|&i| (self.entries[i].population, std::cmp::Reverse(self.entries[i].id)))
    }

    /// Whether a point lies within `km` of a place of this governorate.
    fn near_admin1(&self, lat: f64, lon: f64, admin1: &str, km: f64) -> bool {
        self.entries.iter().any(|e| e.admin1 == Some(admin1) && e.kind != "region" && distance_km((e.lat, e.lon), (lat, lon)) <= km)
    }

    /// The governorate a text names, in any common spelling, with or without its admin word
    /// ("Hamah Governorate", "Rif Dimashq", "Idlib province", "Muhafazat Halab", "Al Hasakah
    /// Governorate"): sitrep's name for it ("Hama", "Rural Damascus", ...). Syria first.
    pub fn admin1_named(&self, text: &str) -> Option<String> {
        let words = fold::Words::builtin();
        let lower = any_ascii::any_ascii(text).to_ascii_lowercase();
        let ws: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
        let mut forms = vec![ws.join(" ")];
        let bare = strip_words(&ws, &words.admin, &words.admin);
        if !bare.is_empty() && bare.len() < ws.len() {
            forms.push(bare.join(" "));
        }
        for form in forms {
            let mut best: Option<(bool, f32, &str)> = None;
            for (i, q) in self.candidates(&form) {
                let e = &self.entries[i];
                if e.kind != "region" || !e.id.starts_with("wof:") || q < 0.87 {
                    continue;
                }
                let (Some(a), sy) = (e.admin1, e.cc == "SY") else { continue };
                if best.is_none_or(|(bsy, bq, _)| (sy, q) > (bsy, bq)) {
                    best = Some((sy, q, a));
                }
            }
            if let Some((_, _, a)) = best {
                return Some(a.to_string());
            }
        }
        None
    }

    /// Resolves a place name in a governorate, as event datasets give them ("Tanab village",
    /// "Homs Governorate"; "Abu Hayj/Khalidiyah", "Aleppo"): the kind word goes and is the cue
    /// ([`split_kind`]), each of a name's alternatives ("A/B", "A (B)") is tried, and the
    /// governorate, in any spelling ([`Gazetteer::admin1_named`]), is the closest context.
    /// The alternative placed in the governorate wins, then the best scored.
    pub fn resolve_in(&self, name: &str, admin1: Option<&str>) -> Option<Resolution> {
        let gov = admin1.and_then(|a| self.admin1_named(a));
        let (whole, kind) = split_kind(name);
        let mut parts: Vec<String> = vec![whole.to_string()];
        for p in whole.split(['/', '(', ')', ';']).map(str::trim).filter(|p| !p.is_empty()) {
            let p = split_kind(p).0.to_string();
            if !p.is_empty() && !parts.contains(&p) {
                parts.push(p);
            }
        }
        let ctx = Context {
            admin1: gov.iter().cloned().collect(),
            local_admin1: gov.iter().cloned().collect(),
            cue: kind.map(String::from),
            admin1_given: true,
            ..Context::default()
        };
        // (inside the governorate, a place rather than the governorate only, score)
        let mut best: Option<((bool, bool, f32), Resolution)> = None;
        for p in &parts {
            let Some(mut r) = self.resolve(p, &ctx) else { continue };
            let inside = gov.is_some() && r.admin1 == gov;
            // A place beyond the governorate only when it lies by its border (the dataset's
            // governorate and the gazetteer's may differ there): else it is a namesake.
            if let Some(g) = gov.as_deref().filter(|_| !inside) {
                if r.geo_precision == 3 || !self.near_admin1(r.latitude, r.longitude, g, 10.0) {
                    continue;
                }
            }
            let rank = (inside, r.geo_precision < 3, r.score);
            if best.as_ref().is_none_or(|(b, _)| rank > *b) {
                r.text = name.trim().to_string();
                best = Some((rank, r));
            }
        }
        // A quarter of a town the gazetteer does not know there ("Dahiet al-Assad", "X
        // suburb"): the governorate's biggest town, at precision 2.
        let words = fold::Words::builtin();
        let quarter = fold::fold(name).split(' ').next().is_some_and(|w| words.quarters.iter().any(|q| q == w))
            || name.split_whitespace().any(|w| words.quarters.iter().any(|q| w.eq_ignore_ascii_case(q)));
        if quarter && best.as_ref().is_none_or(|(_, r)| r.geo_precision == 3) {
            if let Some(t) = gov.as_deref().and_then(|g| self.biggest_town(g)) {
                let e = &self.entries[t];
                return Some(Resolution {
                    text: name.trim().to_string(),
                    id: Some(e.id.to_string()),
                    name: Some(e.name.to_string()),
                    latitude: e.lat,
                    longitude: e.lon,
                    country: e.cc.to_string(),
                    admin1: e.admin1.map(String::from),
                    admin2: e.admin2.map(String::from),
                    geo_precision: 2,
                    score: 0.0,
                    alternatives: vec![e.alternative(0.0)],
                });
            }
        }
        // A name the gazetteer does not know in its governorate: the governorate, at precision 3.
        best.map(|b| b.1).or_else(|| {
            let g = gov?;
            let (cc, lat, lon) = self.admin1_centre(&g)?;
            Some(Resolution::governorate(name.trim(), g, cc, lat, lon, 0.0, Vec::new()))
        })
    }

    /// Resolves "NAME, GOVERNORATE" ("Tanab village, Homs Governorate") when the part after
    /// the last comma names a governorate; `None` when it does not.
    pub fn resolve_name_and_admin1(&self, text: &str) -> Option<Option<Resolution>> {
        let (name, gov) = text.rsplit_once(',')?;
        let a = self.admin1_named(gov)?;
        (!name.trim().is_empty()).then(|| self.resolve_in(name, Some(&a)))
    }

    /// The centre of a governorate.
    pub fn admin1_centre(&self, admin1: &str) -> Option<(String, f64, f64)> {
        self.admin1_centre.get(admin1).cloned()
    }

    fn score(&self, i: usize, quality: f32, ctx: &Context) -> f32 {
        let e = &self.entries[i];
        let mut s = quality;
        if e.cc == "SY" {
            s += 0.3;
        }
        let wants_region = matches!(ctx.cue.as_deref(), Some("region"));
        let wants_district = matches!(ctx.cue.as_deref(), Some("district"));
        s += match e.kind {
            "locality" if wants_region => 0.0,
            "locality" => 0.15,
            "neighbourhood" | "localadmin" => 0.0,
            "district" if wants_district => 0.2,
            "district" => 0.0,
            "region" if wants_region => 0.35,
            "region" => 0.0,
            _ => 0.15, // the supplement's named sites
        };
        // Population tells big towns from hamlets; admin areas' populations say nothing of
        // which place a name means.
        if matches!(e.kind, "locality" | "neighbourhood") {
            s += ((e.population as f32 + 1.0).log10().min(6.5)) * 0.03;
        }
        // The supplement is hand-made from places the news reports (a town WOF lacks, a
        // front-line airbase): between it and a hamlet that shares a variant, it is the one meant.
        if !e.id.starts_with("wof:") {
            s += 0.1;
        }
        if e.admin1.is_some_and(|a| ctx.admin1.iter().any(|x| x == a)) {
            s += 0.35;
        }
        if e.admin1.is_some_and(|a| ctx.local_admin1.iter().any(|x| x == a)) {
            s += 0.4;
        }
        let near = ctx.points.iter().map(|&p| distance_km(p, (e.lat, e.lon))).fold(f64::INFINITY, f64::min);
        if near <= 40.0 {
            s += 0.3;
        } else if near <= 100.0 {
            s += 0.1;
        }
        s
    }

    /// Resolves a place string in context. A name of several words that does not resolve
    /// whole is tried without its last words, then without its first ("Aleppo Monitor" in a
    /// headline that lost its punctuation is Aleppo).
    pub fn resolve(&self, text: &str, ctx: &Context) -> Option<Resolution> {
        let text = clean_name(text);
        if let Some(r) = self.resolve_exact(text, ctx) {
            return Some(r);
        }
        // Part of a name only when the part names a prominent place exactly (a governorate, a
        // district, a town of 10,000, a supplement site): "Bashar Assad" must not become a
        // hamlet called Asad.
        let prominent = |part: &str| {
            self.candidates(part).iter().any(|&(i, q)| {
                let e = &self.entries[i];
                let prominent = matches!(e.kind, "region" | "district") || e.population >= 10_000 || e.id.starts_with("sup:");
                prominent && (q >= 0.95 || (q >= 0.87 && e.id.starts_with("sup:")))
            })
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        let parts = (1..words.len()).rev().map(|n| words[..n].join(" ")).chain((1..words.len()).map(|n| words[n..].join(" ")));
        // A part that is only generic words ("Tall", "Khirbat") names no place of its own.
        let generic = fold::Words::builtin();
        let only_generic = |part: &str| fold::fold(part).split(' ').all(|w| generic.generic(w).is_some() || generic.is_article(w));
        for part in parts {
            if !only_generic(&part) && prominent(&part) {
                if let Some(r) = self.resolve_exact(&part, ctx) {
                    return Some(r);
                }
            }
        }
        None
    }

    /// Resolves a whole place string in context: its candidates, those in reach, ranked; the
    /// best unless a rival makes the name ambiguous.
    fn resolve_exact(&self, text: &str, ctx: &Context) -> Option<Resolution> {
        let mut cands = self.exact_candidates(text, ctx);
        if cands.is_empty() {
            return None;
        }
        self.retain_in_reach(&mut cands, ctx);
        if cands.is_empty() {
            return None;
        }
        self.retain_named_area(&mut cands, ctx);
        // A spelling match (the name, or one of its variants, folded) against a place that only
        // sounds alike: the spelling is the place meant, unless the context says otherwise.
        let spelled: Vec<usize> = cands.iter().filter(|c| c.1 >= 0.95).map(|c| c.0).collect();
        let scored = self.ranked(cands, ctx);
        let alternatives: Vec<Alternative> = scored.iter().take(8).map(|&(i, s)| self.entries[i].alternative(s)).collect();
        let (best, best_score) = scored[0];
        if let Some(r) = self.rival(text, ctx, &scored, &spelled) {
            return self.ambiguous(text, best, r, best_score, alternatives);
        }
        Some(self.resolution(text, best, best_score, alternatives))
    }

    /// The candidates of a whole place string: its own, else those of the name without a
    /// lost apostrophe's `s` or a glued-on article; with the loose matches in the governorate
    /// the caller gives.
    fn exact_candidates(&self, text: &str, ctx: &Context) -> Vec<(usize, f32)> {
        let mut cands = self.candidates(text);
        // Scraped text loses apostrophes: "Aleppos countryside" is Aleppo's.
        if cands.is_empty() && text.len() > 4 && text.ends_with('s') {
            cands = self.candidates(&text[..text.len() - 1]);
        }
        // An article written onto a word ("Alsafira", "Dahiet Elasad"): the name without it.
        if cands.is_empty() {
            if let Some(t) = unglued(text) {
                cands = self.candidates(&t);
            }
        }
        // The governorate the caller gives: the loose skeleton matches of its places compete
        // too.
        if ctx.admin1_given && !ctx.local_admin1.is_empty() {
            let loose = self.loose_candidates(text, &ctx.local_admin1);
            for (i, q) in loose {
                match cands.iter_mut().find(|c| c.0 == i) {
                    Some(c) => c.1 = c.1.max(q),
                    None => cands.push((i, q)),
                }
            }
        }
        cands
    }

    /// Keeps the candidates in reach: Syria's, and beyond Syria exact matches of a place's
    /// own name or places of a governorate the context names.
    fn retain_in_reach(&self, cands: &mut Vec<(usize, f32)>, ctx: &Context) {
        // Beyond Syria a name must match a place's own name exactly (or the article must be
        // about that place's province): Turkish and Iraqi places carry many Arabic and
        // Kurdish variants that news spellings of Syrian villages would otherwise hit.
        // A governorate named by the sentence or the caller is closer still: beyond Syria only
        // places of that governorate.
        cands.retain(|&(i, q)| {
            let e = &self.entries[i];
            e.cc == "SY" || (q >= 1.0 && ctx.local_admin1.is_empty()) || e.admin1.is_some_and(|a| ctx.admin1.iter().any(|x| x == a))
        });
    }

    /// Keeps, when the name is a Syrian governorate's or district's own, only the candidates
    /// in that governorate.
    fn retain_named_area(&self, cands: &mut Vec<(usize, f32)>, ctx: &Context) {
        // A name that is a governorate's or district's own name means that area or a place in
        // it ("Quneitra", "Idlib"): homonymous villages elsewhere are not rivals.
        let named = |kind: &str| {
            cands
                .iter()
                .find(|&&(i, q)| q >= 0.95 && self.entries[i].kind == kind && self.entries[i].cc == "SY")
                .and_then(|&(i, _)| self.entries[i].admin1)
        };
        // A district's name, unless the sentence or the caller names another governorate:
        // "Ras al-Ayn" of Idlib is not the district of Hasakah. A governorate's own name
        // ("Daraa city and the north of Aleppo", "the city of Idlib near Aleppo") is always its
        // seat or itself.
        let district = || named("district").filter(|a| ctx.local_admin1.is_empty() || ctx.local_admin1.iter().any(|x| x == a));
        if let Some(a1) = named("region").or_else(district) {
            cands.retain(|&(i, _)| self.entries[i].admin1 == Some(a1));
        }
    }

    /// The candidates scored in context, best first (ties by id).
    fn ranked(&self, cands: Vec<(usize, f32)>, ctx: &Context) -> Vec<(usize, f32)> {
        let mut scored: Vec<(usize, f32)> = cands.into_iter().map(|(i, q)| (i, self.score(i, q, ctx))).collect();
        if ctx.admin1_given {
            // (A tie-break: at most 0.04.)
            for (i, s) in scored.iter_mut() {
                *s += 0.002 * self.entries[*i].names().count().min(20) as f32;
            }
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| self.entries[a.0].id.cmp(self.entries[b.0].id)));
        scored
    }

    /// The candidate that makes the name ambiguous, if one does: it scores about as well as
    /// the best and lies far away (two entries of one place, a few km apart, are not
    /// ambiguous).
    fn rival(&self, text: &str, ctx: &Context, scored: &[(usize, f32)], spelled: &[usize]) -> Option<usize> {
        let (best, best_score) = scored[0];
        let b = &self.entries[best];
        let admin_area = |k: &str| matches!(k, "district" | "region");
        let rival = scored.iter().skip(1).find(|&&(i, s)| {
            let r = &self.entries[i];
            best_score - s < 0.1
                && admin_area(r.kind) == admin_area(b.kind)
                && distance_km((b.lat, b.lon), (r.lat, r.lon)) > 15.0
                && (spelled.contains(&i) || !spelled.contains(&best))
        });
        let rival = rival.filter(|_| !ctx.admin1_given || !self.best_stands_out(text, scored));
        // The one place whose own name it is ("As Sukhnah") against a place that lists it
        // among its variants: no rival.
        let own = |i: usize| fold::fold(self.entries[i].name) == fold::fold(text);
        let rival = rival.filter(|&&(r, _)| !own(best) || own(r));
        rival.map(|&(r, _)| r)
    }

    /// Whether, among namesakes alike, the best is far better documented than those tied
    /// with it, or the one place whose own name it is.
    fn best_stands_out(&self, text: &str, scored: &[(usize, f32)]) -> bool {
        let (best, best_score) = scored[0];
        let b = &self.entries[best];
        // Namesakes alike but one far better documented (WOF and GeoNames give the places the
        // sources speak of many spellings; a hamlet has one or two): that one, when asked.
        let documented = |i: usize| self.entries[i].names().count();
        let tied = scored.iter().skip(1).filter(|&&(i, s)| {
            let r = &self.entries[i];
            best_score - s < 0.1 && distance_km((b.lat, b.lon), (r.lat, r.lon)) > 15.0
        });
        let tied: Vec<usize> = tied.map(|&(i, _)| i).collect();
        let most = tied.iter().map(|&i| documented(i)).max().unwrap_or(0);
        let mine = documented(best);
        // Or the one place whose own name it is, against places that merely list it among
        // their variants.
        let forms = [Some(fold::fold(text)), unglued(text)];
        let own = |i: usize| {
            let n = fold::fold(self.entries[i].name);
            forms.iter().flatten().any(|f| *f == n)
        };
        let only_mine = own(best) && !tied.iter().any(|&i| own(i));
        only_mine || (mine >= 3 && mine * 2 >= most * 3)
    }

    /// An ambiguous name: the governorate, when the best and its rival share it; else none.
    fn ambiguous(&self, text: &str, best: usize, rival: usize, best_score: f32, alternatives: Vec<Alternative>) -> Option<Resolution> {
        let (b, re) = (&self.entries[best], &self.entries[rival]);
        if re.admin1.is_some() && re.admin1 == b.admin1 {
            let a1 = b.admin1.expect("checked").to_string();
            let (cc, lat, lon) = self.admin1_centre(&a1).unwrap_or((b.cc.to_string(), b.lat, b.lon));
            return Some(Resolution::governorate(text, a1, cc, lat, lon, best_score, alternatives));
        }
        None
    }

    /// The resolution to an entry, with the precision its kind gives.
    fn resolution(&self, text: &str, best: usize, best_score: f32, alternatives: Vec<Alternative>) -> Resolution {
        let b = &self.entries[best];
        let geo_precision = match b.kind {
            "locality" | "neighbourhood" | "localadmin" | "airbase" | "crossing" | "camp" => 1,
            "district" | "road" => 2,
            "region" if b.radius_km <= 30.0 => 2,
            _ => 3,
        };
        Resolution {
            text: text.to_string(),
            id: Some(b.id.to_string()),
            name: Some(b.name.to_string()),
            latitude: b.lat,
            longitude: b.lon,
            country: b.cc.to_string(),
            admin1: b.admin1.map(String::from),
            admin2: b.admin2.map(String::from),
            geo_precision,
            score: best_score,
            alternatives,
        }
    }

    /// Fuzzy look-up for `sitrep places`: exact and phonetic matches, then the closest names.
    pub fn lookup(&self, text: &str, limit: usize) -> Vec<Alternative> {
        let ctx = Context::default();
        let mut found: Vec<(usize, f32)> = self.candidates(text).into_iter().map(|(i, q)| (i, self.score(i, q, &ctx))).collect();
        if found.len() < limit {
            let f = fold::fold(text);
            let mut near: Vec<(usize, f32)> = Vec::new();
            for (i, e) in self.entries.iter().enumerate() {
                let best = std::iter::once(e.name)
                    .chain(e.names())
                    .map(|n| strsim::jaro_winkler(&f, &fold::fold(n)) as f32)
                    .fold(0.0f32, f32::max);
                if best >= 0.88 && !found.iter().any(|(j, _)| *j == i) {
                    near.push((i, self.score(i, best * 0.8, &ctx)));
                }
            }
            found.extend(near);
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        found.into_iter().take(limit).map(|(i, s)| self.entries[i].alternative(s)).collect()
    }
}

/// A place named in a text, and how it resolved (for `sitrep geocode`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlaceFound {
    pub text: String,
    pub cue: String,
    pub qualifier: Option<String>,
    pub resolution: Option<Resolution>,
}

impl crate::extract::places::Toponyms for Gazetteer {
    fn is_toponym(&self, name: &str) -> bool {
        let one_word = !name.contains([' ', '-']);
        let place = |e: &Entry| matches!(e.kind, "locality" | "neighbourhood" | "district" | "region" | "camp" | "airbase" | "crossing");
        if Self::ids(&self.by_fold, &fold::fold(name))
            .into_iter()
            .any(|k| place(&self.entries[k]) && (!one_word || self.entries[k].cc == "SY"))
        {
            return true;
        }
        // A name of several words, or with its article ("al-Bokmal", "Jubata al-Khashab"),
        // spelled close to a Syrian place's: news spellings of a village vary in vowels and
        // doubled letters.
        !one_word
            && self
                .candidates(name)
                .iter()
                .any(|&(k, q)| (TOPONYM_SOUNDALIKE..0.95).contains(&q) && place(&self.entries[k]) && self.entries[k].cc == "SY")
    }

    fn is_region(&self, name: &str) -> bool {
        Self::ids(&self.by_fold, &fold::fold(name)).into_iter().any(|k| self.entries[k].kind == "region" && self.entries[k].cc == "SY")
    }

    fn is_place_word(&self, word: &str) -> bool {
        let w = fold::fold(word);
        let words = fold::Words::builtin();
        words.is_article(&w)
            || words.generic(&w).is_some()
            || words.kinds.iter().any(|(k, _)| k.len() == 1 && k[0] == w)
            || words.admin.iter().any(|a| a.len() == 1 && a[0] == w)
            || words.qualifiers.contains(&w)
            || words.heads.contains(&w)
            || words.quarters.contains(&w)
    }

    fn toponym_country(&self, name: &str) -> Option<String> {
        if !self.is_toponym(name) {
            return None;
        }
        let mut ccs = Self::ids(&self.by_fold, &fold::fold(name)).into_iter().map(|k| self.entries[k].cc);
        let first = ccs.next()?;
        ccs.all(|c| c == first).then(|| first.to_string())
    }
}

/// Finds the place names of a text by their cues and resolves each in the text's context.
/// How close (a phonetic match's quality, 0.6-0.9) a name of several words must be to a
/// Syrian place's spelling to be taken for that place in running text.
const TOPONYM_SOUNDALIKE: f32 = 0.87;

pub fn places_in_text(
    text: &str,
    g: &Gazetteer,
    cues: &crate::extract::places::PlaceCues,
    actors: &crate::extract::actors::ActorDict,
) -> Vec<PlaceFound> {
    // A place as event datasets give it, "NAME, GOVERNORATE" ("Tanab village, Homs
    // Governorate"): that name in that governorate.
    if !text.contains(['\n', '.']) && text.split_whitespace().count() <= 12 {
        if let Some(r) = g.resolve_name_and_admin1(text) {
            let name = text.rsplit_once(',').map_or(text, |(n, _)| n).trim();
            let cue = split_kind(name).1.unwrap_or("name").to_string();
            return vec![PlaceFound { text: name.to_string(), cue, qualifier: None, resolution: r }];
        }
    }
    let mut mentions = Vec::new();
    let mut known: Vec<String> = Vec::new();
    for s in crate::extract::sentences::split(text, 0, text.len()) {
        let sent = &text[s.start..s.end];
        for p in cues.find(sent, &known) {
            if actors.lookup(&p.name).is_some() {
                continue;
            }
            if !known.contains(&p.name) {
                known.push(p.name.clone());
            }
            mentions.push(p);
        }
    }
    // Unambiguous names first, as context for the others.
    let mut ctx = Context::default();
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| g.candidates(&mentions[i].name).len());
    let mut out: Vec<Option<PlaceFound>> = vec![None; mentions.len()];
    for i in order {
        let m = &mentions[i];
        let full = match &m.qualifier {
            Some(q) if !q.contains(" of") => format!("{q} {}", m.name),
            _ => m.name.clone(),
        };
        let here = Context { cue: Some(m.kind.clone()), ..ctx.clone() };
        let r = g.resolve(&full, &here).or_else(|| g.resolve(&m.name, &here));
        if let Some(r) = &r {
            if r.geo_precision <= 2 {
                ctx.points.push((r.latitude, r.longitude));
            }
            if let Some(a) = &r.admin1 {
                if !ctx.admin1.contains(a) {
                    ctx.admin1.push(a.clone());
                }
            }
        }
        out[i] = Some(PlaceFound { text: full, cue: m.kind.clone(), qualifier: m.qualifier.clone(), resolution: r });
    }
    out.into_iter().flatten().collect()
}

/// The words of a name from which leading and trailing words of these lists are stripped
/// (each list's forms matched whole, case-folded); never all of them.
fn strip_words<'a>(ws: &[&'a str], lead: &[Vec<String>], trail: &[Vec<String>]) -> Vec<&'a str> {
    let eq = |a: &[&str], b: &[String]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y));
    let (mut from, mut to) = (0, ws.len());
    while let Some(f) = trail.iter().find(|f| f.len() < to - from && eq(&ws[to - f.len()..to], f)) {
        to -= f.len();
    }
    while let Some(f) = lead.iter().find(|f| f.len() < to - from && eq(&ws[from..from + f.len()], f)) {
        from += f.len();
    }
    ws[from..to].to_vec()
}

/// A place name without the kind word an event dataset puts after it ("Tanab village", "Atmeh
/// IDP camp", "Mintaqat Markaz Hamah district"), and the cue kind that word asks for
/// (`data/name_words.tsv`, classes kind and lead). A name that is only a kind word stays.
pub fn split_kind(name: &str) -> (&str, Option<&'static str>) {
    let words = fold::Words::builtin();
    let name = name.trim();
    let ws: Vec<&str> = name.split_whitespace().collect();
    let mut kind = None;
    let kept = strip_words(&ws, &words.leads, &[]);
    let mut kept_ws = kept.clone();
    if let Some((f, k)) = words.kinds.iter().find(|(f, _)| {
        f.len() < kept.len() && {
            let tail = &kept[kept.len() - f.len()..];
            tail.iter().zip(f).all(|(x, y)| x.trim_matches(|c: char| !c.is_alphanumeric()).eq_ignore_ascii_case(y))
        }
    }) {
        kind = Some(k.as_str());
        kept_ws.truncate(kept.len() - f.len());
    }
    if kept_ws.is_empty() {
        return (name, None);
    }
    // The span of the kept words in the original text.
    let first = kept_ws[0];
    let last = kept_ws[kept_ws.len() - 1];
    let start = first.as_ptr() as usize - name.as_ptr() as usize;
    let end = last.as_ptr() as usize - name.as_ptr() as usize + last.len();
    (&name[start..end], kind)
}

/// A name with an article written onto one of its words ("Alsafira", "Dahiet Elasad") without
/// it ([`fold::unglued_article`]), if any word has one.
fn unglued(text: &str) -> Option<String> {
    let f = fold::fold(text);
    let mut changed = false;
    let words: Vec<&str> = f
        .split(' ')
        .map(|w| match fold::unglued_article(w) {
            Some(r) => {
                changed = true;
                r
            }
            None => w,
        })
        .collect();
    changed.then(|| words.join(" "))
}

/// A place name without a country's possessive before it ("Syria's Idlib", "Syrias Aleppo")
/// or a possessive after it ("Aleppo's").
fn clean_name(text: &str) -> &str {
    let mut t = text.trim();
    for country in ["Syria", "Iraq", "Turkey", "Lebanon", "Jordan"] {
        for poss in ["'s ", "’s ", "s "] {
            if let Some(rest) = t.strip_prefix(country).and_then(|r| r.strip_prefix(poss)) {
                t = rest.trim();
            }
        }
    }
    t.strip_suffix("'s").or_else(|| t.strip_suffix("’s")).unwrap_or(t)
}

/// Offsets a point by a distance and a compass direction ("12 km north").
fn offset(lat: f64, lon: f64, km: f64, direction: &str) -> (f64, f64) {
    let bearing: f64 = match direction {
        "north" => 0.0,
        "northeast" | "north-east" => 45.0,
        "east" => 90.0,
        "southeast" | "south-east" => 135.0,
        "south" => 180.0,
        "southwest" | "south-west" => 225.0,
        "west" => 270.0,
        "northwest" | "north-west" => 315.0,
        _ => return (lat, lon),
    };
    let b = bearing.to_radians();
    (lat + km * b.cos() / 111.0, lon + km * b.sin() / (111.0 * lat.to_radians().cos()))
}

/// Parses "12 km north of" into (km, direction).
fn relative(q: &str) -> Option<(f64, String)> {
    let q = q.to_ascii_lowercase();
    let words: Vec<&str> = q.split_whitespace().collect();
    let km = words.first()?.trim_end_matches("km").parse::<f64>().ok()?;
    let unit_miles = q.contains("mile");
    let dir = words.iter().find(|w| w.starts_with("north") || w.starts_with("south") || w.starts_with("east") || w.starts_with("west"))?;
    let dir = dir.trim_end_matches("ern").to_string();
    Some((if unit_miles { km * 1.609 } else { km }, dir))
}

/// Fills the place fields of an article's events: coordinates, country, admin areas,
/// precision, the gazetteer id and the alternatives considered. `places` are the places the
/// article names (context: a place near the others wins).
pub fn geocode_events(g: &Gazetteer, article: &Article, events: &mut [Event], places: &crate::extract::ArticlePlaces) {
    // An article of a country the gazetteer does not cover ("NAIROBI - Police officers ...")
    // has none of its places: a namesake in Syria would be a wrong point, not a rough one.
    if !places.country.is_empty() && !g.covers(&places.country) {
        for e in events.iter_mut() {
            e.country = Some(places.country.clone());
        }
        return;
    }
    let mut ctx = Context::default();
    let dateline = headline_context(g, article, &mut ctx);
    let seen = confident_places(g, places, &mut ctx);
    locate_events(g, events, places, &mut ctx);
    // Events with no place of their own, or one the gazetteer lacks: the article's dateline,
    // else the governorate its places name most, as a region-level place (precision 3).
    let fallback = dateline.clone().or_else(|| most_named_governorate(g, article, places, &seen));
    if let Some(d) = &fallback {
        for e in events.iter_mut().filter(|e| e.latitude.is_none()) {
            let mut r = d.clone();
            r.geo_precision = 3;
            r.alternatives.clear();
            apply(e, &r);
        }
    }
}

/// Adds to the context the governorates of the dateline and of the headline; returns the
/// dateline resolved.
fn headline_context(g: &Gazetteer, article: &Article, ctx: &mut Context) -> Option<Resolution> {
    // The dateline's governorate is context for every place of the article.
    let dateline = article.dateline.as_deref().and_then(|d| g.resolve(d, ctx));
    if let Some(d) = &dateline {
        if let Some(a) = &d.admin1 {
            ctx.admin1.push(a.clone());
        }
    }
    // A governorate the headline names, with or without a cue ("Shelling of Syrias Deir
    // ez-Zor"), is context too.
    if let Some(a) = article.title.as_deref().and_then(|t| g.prominent_name_in(t)) {
        if !ctx.admin1.contains(&a) {
            ctx.admin1.push(a);
        }
    }
    dateline
}

/// Resolves each distinct name of the article's places once, without context, and adds the
/// confident ones to the context; returns the resolutions (reused for the fallback).
fn confident_places<'p>(g: &Gazetteer, places: &'p crate::extract::ArticlePlaces, ctx: &mut Context) -> Vec<(&'p str, Option<Resolution>)> {
    // The article's places that resolve without context (one place by that name, or clearly
    // the likeliest) are context for all.
    // Each distinct name resolved once, without context; reused below for the fallback.
    let mut seen: Vec<(&str, Option<Resolution>)> = Vec::new();
    for (name, kind) in &places.names {
        if seen.iter().any(|(n, _)| *n == name.as_str()) {
            continue;
        }
        let here = Context { cue: Some(kind.clone()), ..Context::default() };
        let r = g.resolve(name, &here);
        seen.push((name, r.clone()));
        if let Some(r) = r {
            // Confident places are context: their point when it is a place, their governorate
            // always ("in Daraa province" makes Hara the Hara of Daraa).
            if r.score >= 1.2 {
                if r.geo_precision <= 2 {
                    ctx.points.push((r.latitude, r.longitude));
                }
                if let Some(a) = &r.admin1 {
                    if !ctx.admin1.contains(a) {
                        ctx.admin1.push(a.clone());
                    }
                }
            }
        }
    }
    seen
}

/// Locates the events that have a place, in context, each located one adding to the context.
fn locate_events(g: &Gazetteer, events: &mut [Event], places: &crate::extract::ArticlePlaces, ctx: &mut Context) {
    // Places with one clear candidate first; their points and governorates are context
    // for the rest.
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| events[i].location.as_deref().map_or(usize::MAX, |l| g.candidate_count(l)));
    for i in order {
        let e = &mut events[i];
        let Some(loc) = e.location.clone() else {
            continue;
        };
        let Some(r) = locate(g, e, &loc, places, ctx) else { continue };
        if r.geo_precision <= 2 {
            ctx.points.push((r.latitude, r.longitude));
        }
        if let Some(a) = &r.admin1 {
            if !ctx.admin1.contains(a) {
                ctx.admin1.push(a.clone());
            }
        }
        apply(e, &r);
    }
}

/// An event's place `loc` resolved in context: itself, else without its qualifier, else
/// the place the text puts it in; moved by a relative qualifier ("12 km north of").
fn locate(g: &Gazetteer, e: &Event, loc: &str, places: &crate::extract::ArticlePlaces, ctx: &Context) -> Option<Resolution> {
    let cue = e.location_cue.clone();
    // A sentence that speaks of a province names its governorate ("the Hara area in
    // southern Daraa province"); only those are scanned (the scan costs a fold per word).
    let mut local_admin1: Vec<String> = e.evidence.iter().flat_map(|span| g.provinces_named_in(&span.text)).collect();
    // The place the text puts this one in ("the X district in the city of Raqqa").
    let container = places
        .within
        .get(loc)
        .or_else(|| e.location_qualifier.as_ref().and_then(|q| places.within.get(loc.trim_start_matches(q.as_str()).trim())))
        .and_then(|c| g.resolve(c, &Context { cue: cue.clone(), local_admin1: local_admin1.clone(), ..ctx.clone() }));
    let container_admin1 = container.as_ref().and_then(|c| c.admin1.clone());
    if let Some(a) = &container_admin1 {
        local_admin1.push(a.clone());
    }
    let ctx_here = Context { cue: cue.clone(), local_admin1, ..ctx.clone() };
    // "western Qalamoun" may be a place of its own; else the name without its qualifier.
    let mut res = g.resolve(loc, &ctx_here);
    if res.is_none() {
        if let Some(q) = &e.location_qualifier {
            let bare = loc.trim_start_matches(q.as_str()).trim();
            res = g.resolve(bare, &ctx_here);
        }
    }
    // A place the gazetteer lacks, which the text puts on or in another, or one it knows
    // only in another governorate than the container's (a namesake): the container, near.
    let mut via_container = false;
    // (Not a governorate's own name: "the city of Idlib near Aleppo" is Idlib.)
    let own_governorate = res.is_some() && g.admin1_named(loc).is_some();
    let outside = |r: &Resolution| container_admin1.is_some() && r.admin1 != container_admin1 && !own_governorate;
    if res.as_ref().is_none_or(outside) && container.is_some() {
        res = container;
        via_container = true;
    }
    let mut r = res?;
    if via_container {
        r.geo_precision = r.geo_precision.max(2);
    }
    qualify(&mut r, e.location_qualifier.as_deref(), cue.as_deref());
    Some(r)
}

/// Applies a place's qualifier and cue to its resolution: "12 km north of Aleppo" is a point
/// off the anchor; that and a place near, relative to or part of another are rougher.
fn qualify(r: &mut Resolution, qualifier: Option<&str>, cue: Option<&str>) {
    // "12 km north of Aleppo": a point off the anchor.
    if let Some((km, dir)) = qualifier.and_then(relative) {
        let (lat, lon) = offset(r.latitude, r.longitude, km, &dir);
        r.latitude = lat;
        r.longitude = lon;
        r.geo_precision = r.geo_precision.max(2);
    } else if matches!(cue, Some("near" | "relative" | "feature" | "district")) {
        r.geo_precision = r.geo_precision.max(2);
    }
}

/// The governorate the article's places name most (on a tie, the first named), else one
/// its title or lead names, as a governorate-level resolution.
fn most_named_governorate(
    g: &Gazetteer,
    article: &Article,
    places: &crate::extract::ArticlePlaces,
    seen: &[(&str, Option<Resolution>)],
) -> Option<Resolution> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (name, _) in &places.names {
        let resolved = seen.iter().find(|(n, _)| *n == name.as_str()).and_then(|(_, r)| r.as_ref());
        if let Some(a) = resolved.and_then(|r| r.admin1.clone()) {
            match counts.iter_mut().find(|(x, _)| *x == a) {
                Some(c) => c.1 += 1,
                None => counts.push((a, 1)),
            }
        }
    }
    // No place with a cue at all: a governorate or big town named anywhere in the title or
    // the lead ("Explosion rocks down town Damascus").
    if counts.is_empty() {
        let lead = article.paragraphs.first().map_or("", |p| p.text.as_str());
        for text in [article.title.as_deref().unwrap_or(""), lead] {
            if let Some(a) = g.prominent_name_in(text) {
                counts.push((a, 1));
                break;
            }
        }
    }
    // The most named; on a tie, the first named.
    let best = counts.iter().map(|c| c.1).max()?;
    let a1 = counts.into_iter().find(|c| c.1 == best)?.0;
    let (cc, lat, lon) = g.admin1_centre(&a1)?;
    Some(Resolution::governorate(&a1.clone(), a1, cc, lat, lon, 0.0, Vec::new()))
}

fn apply(e: &mut Event, r: &Resolution) {
    e.latitude = Some((r.latitude * 1e5).round() / 1e5);
    e.longitude = Some((r.longitude * 1e5).round() / 1e5);
    e.country = Some(r.country.clone());
    e.admin1 = r.admin1.clone();
    e.admin2 = r.admin2.clone();
    e.geo_precision = Some(r.geo_precision);
    e.geo_id = r.id.clone();
    e.geo_alternatives = r.alternatives.clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str, admin1: &[&str]) -> Option<Resolution> {
        let ctx = Context { admin1: admin1.iter().map(|s| s.to_string()).collect(), ..Context::default() };
        Gazetteer::builtin().resolve(text, &ctx)
    }

    #[test]
    fn news_spellings_meet_the_gazetteer() {
        // With the article's governorate as context (the seeds' dateline is Aleppo); the
        // reference points are the WOF coordinates of the places.
        for (text, admin1, at) in [
            ("Qereh Kubri", "Aleppo", (36.63557, 37.26175)),
            ("Tel Jabin", "Aleppo", (36.35, 37.1333)),
            ("Khanasser", "Aleppo", (35.78159, 37.49919)),
            ("As-Safira", "Aleppo", (36.07696, 37.37251)),
            ("Azaz", "Aleppo", (36.58662, 37.04628)),
        ] {
            let r = resolve(text, &["Aleppo"]).unwrap_or_else(|| panic!("{text} unresolved"));
            assert_eq!(r.geo_precision, 1, "{text}: a town, not its district: {r:#?}");
            assert!(distance_km((r.latitude, r.longitude), at) < 5.0, "{text}: {r:#?}");
            assert_eq!(r.admin1.as_deref(), Some(admin1), "{text}: {r:#?}");
            assert_eq!(r.country, "SY");
        }
    }

    #[test]
    fn a_near_place_of_the_article_decides() {
        // "Ithreya" spells two villages alike; the article's Khanasser-Ithreya highway is near
        // one of them.
        let g = Gazetteer::builtin();
        let road = g.resolve("Khanasser-Ithreya highway", &Context::default()).unwrap();
        let ctx = Context { admin1: vec!["Aleppo".into()], points: vec![(road.latitude, road.longitude)], ..Context::default() };
        let r = g.resolve("Ithreya", &ctx).unwrap();
        assert_eq!(r.admin1.as_deref(), Some("Hama"));
        assert!(distance_km((r.latitude, r.longitude), (35.36508, 37.7884)) < 10.0);
    }

    #[test]
    fn a_place_whose_own_name_it_is_beats_one_that_lists_it_among_variants() {
        // "As Sukhnah" is the Homs town's own name and a variant of As Sakhanah in Aleppo.
        let r = Gazetteer::builtin().resolve("As Sukhnah", &Context::default()).expect("resolves");
        assert_eq!(r.admin1.as_deref(), Some("Homs"));
    }

    #[test]
    fn ambiguous_names_are_decided_by_context() {
        // Two villages called Marah/Mari` far apart: the article's governorate decides; with no
        // context at all the name is ambiguous and no pin is placed.
        let ctx = Context { points: vec![(36.58, 37.04)], ..Context::default() };
        let near_azaz = Gazetteer::builtin().resolve("Marea", &ctx).unwrap();
        assert_eq!(near_azaz.name.as_deref(), Some("Mari`"), "a place near the article's other places wins");
    }

    #[test]
    fn a_spelling_match_beats_a_namesake_that_only_sounds_alike() {
        // "Madaya" is a listed spelling of the Rural Damascus town; an Idlib hamlet "Madayah"
        // only sounds like it: no rival, even with no context.
        let r = resolve("Madaya", &[]).expect("resolved");
        assert_eq!(r.admin1.as_deref(), Some("Rural Damascus"), "{r:#?}");
        // The context still decides for the hamlet when it names its governorate.
        let r = resolve("Madayah", &["Idleb"]).expect("resolved");
        assert_eq!(r.admin1.as_deref(), Some("Idleb"), "{r:#?}");
    }

    #[test]
    fn running_text_finds_syrian_places_spelled_otherwise() {
        use crate::extract::places::Toponyms;
        let g = Gazetteer::builtin();
        // Names of several words or with an article, spelled close to a Syrian place's.
        for name in ["Jubata al-Khashab", "Al-Bokamal", "Sheikh al-Hadid"] {
            assert!(g.is_toponym(name), "{name}");
        }
        // Not a one-word name that only sounds like a village, nor people and things.
        for name in ["Bokamal", "Rami Abdel Rahman", "Human Rights Watch", "Barack Obama", "Bashar al-Assad"] {
            assert!(!g.is_toponym(name), "{name}");
        }
    }

    #[test]
    fn a_governorates_own_name_is_never_a_namesake_elsewhere() {
        // Even where the article and the sentence speak of other governorates ("airstrikes
        // targeted Daraa city and the north of Aleppo", "the countryside of Hama").
        let g = Gazetteer::builtin();
        for (text, admin1) in [("Daraa", "Dar'a"), ("Idlib", "Idleb"), ("Hama", "Hama"), ("Homs", "Homs")] {
            let ctx = Context {
                admin1: vec!["Aleppo".into()],
                local_admin1: vec!["Aleppo".into(), "Hama".into(), "Idleb".into()].into_iter().filter(|a| a != admin1).collect(),
                points: vec![(36.2, 37.16)],
                ..Context::default()
            };
            let r = g.resolve(text, &ctx).unwrap_or_else(|| panic!("{text} unresolved"));
            assert_eq!(r.admin1.as_deref(), Some(admin1), "{text}: {r:#?}");
        }
    }

    #[test]
    fn quarters_of_cities_are_in_their_city() {
        // The supplement's quarters: within a few km of their city's centre, in its
        // governorate, not at a namesake village elsewhere.
        for (text, admin1, city) in
            [("Marjeh", "Aleppo", (36.2, 37.16)), ("Jobar", "Damascus", (33.51, 36.29)), ("Bab Amr", "Homs", (34.73, 36.71))]
        {
            let r = resolve(text, &[admin1]).unwrap_or_else(|| panic!("{text} unresolved"));
            assert_eq!(r.admin1.as_deref(), Some(admin1), "{text}: {r:#?}");
            assert!(distance_km((r.latitude, r.longitude), city) < 8.0, "{text}: {r:#?}");
        }
    }

    #[test]
    fn ahras_is_the_syrian_village() {
        let r = resolve("Ahras", &["Aleppo"]).unwrap();
        assert_eq!((r.country.as_str(), r.admin1.as_deref()), ("SY", Some("Aleppo")));
        assert!(distance_km((r.latitude, r.longitude), (36.39963, 37.14405)) < 5.0);
    }

    #[test]
    fn supplement_places() {
        let r = resolve("western Qalamoun", &[]).unwrap();
        assert_eq!(r.admin1.as_deref(), Some("Rural Damascus"));
        let r = resolve("Menagh airbase", &[]).unwrap();
        assert_eq!(r.geo_precision, 1);
        assert_eq!(resolve("Bab al-Salama", &[]).unwrap().admin1.as_deref(), Some("Aleppo"));
    }

    #[test]
    fn a_supplement_town_beats_a_hamlet_sharing_its_variant() {
        // WOF lists "Ţabqah" among a Hasakeh hamlet's names; the news's Al Tabqah is the
        // supplement's town on the Euphrates.
        let r = resolve("Al Tabqah", &[]).unwrap();
        assert_eq!(r.admin1.as_deref(), Some("Ar-Raqqa"), "{r:#?}");
    }

    #[test]
    fn kobani_is_ayn_al_arab_not_afrin() {
        // WOF gives Afrin the variant "Kobanî" too; data/gazetteer_fixes.tsv drops it.
        let r = resolve("Kobani", &[]).unwrap();
        assert_eq!((r.geo_precision, r.id.as_deref()), (1, Some("wof:1360282145")), "{r:#?}");
    }

    #[test]
    fn a_district_the_text_puts_in_a_city_stays_in_that_city() {
        // The gazetteer knows an al-Touseeiyah only in Daraa; the text puts it in Raqqa.
        let a = crate::read::test_article(
            "t.txt",
            "T\n\nUS jets targeted the al-Touseeiyah district in the city of Raqqah on Monday, killing ten civilians.\n",
        );
        let e = crate::events_of(&a);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(e[0].admin1.as_deref(), Some("Ar-Raqqa"), "{:#?}", e[0]);
        assert_eq!(e[0].geo_precision, Some(2));
        // So does a quarter named before its kind word: the gazetteer knows a Maisaloun only
        // in Raqqa.
        let a = crate::read::test_article("t.txt", "T\n\nOne civilian was killed by shells on Maisaloun neighborhood in Aleppo city.\n");
        let e = crate::events_of(&a);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!((e[0].location.as_deref(), e[0].admin1.as_deref()), (Some("Maisaloun"), Some("Aleppo")), "{:#?}", e[0]);
        // A list shares its container: al-Hamadaniyeh of Aleppo city, not a Hama namesake.
        let a = crate::read::test_article(
            "t.txt",
            "T\n\nTerrorists fired rocket shells on the neighborhoods of al-Hamadaniyeh and al-Midan in Aleppo city on Monday, killing a woman.\n",
        );
        let e = crate::events_of(&a);
        assert!(!e.is_empty() && e.iter().all(|e| e.admin1.as_deref() == Some("Aleppo")), "{e:#?}");
        // A city named as such holds its district from farther: Maghayir of Aleppo's old city,
        // not the Rural Damascus namesake.
        let a = crate::read::test_article(
            "t.txt",
            "T\n\nA missile hit the Maghayir district in the old quarter of the northern Syrian city of Aleppo on Monday, killing five.\n",
        );
        let e = crate::events_of(&a);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!((e[0].admin1.as_deref(), e[0].geo_precision), (Some("Aleppo"), Some(2)), "{:#?}", e[0]);
    }

    #[test]
    fn a_governorate_in_the_same_sentence_outweighs_the_article() {
        // "Hara" names villages in several governorates; the article names Idlib too, but the
        // sentence says Daraa.
        let g = Gazetteer::builtin();
        let idlib = Context { admin1: vec!["Idleb".into(), "Dar'a".into()], points: vec![(35.79, 36.64)], ..Context::default() };
        let local = Context { local_admin1: g.provinces_named_in("air strikes on the Hara area in southern Daraa province"), ..idlib };
        assert_eq!(g.provinces_named_in("in the northern countryside of Aleppo, near Idlib"), vec!["Aleppo".to_string()]);
        assert_eq!(local.local_admin1, vec!["Dar'a".to_string()]);
        let r = g.resolve("Hara", &local).unwrap();
        assert_eq!(r.admin1.as_deref(), Some("Dar'a"), "{r:#?}");
    }

    #[test]
    fn shipped_gazetteer_is_sorted_and_loads() {
        let g = Gazetteer::builtin();
        assert!(g.entries.len() > 20_000);
        assert!(g.by_fold.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(g.by_key.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(g.by_skel.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn relative_positions() {
        let (lat, lon) = offset(36.2, 37.16, 12.0, "north");
        assert!((distance_km((lat, lon), (36.2, 37.16)) - 12.0).abs() < 0.5);
        assert_eq!(relative("12 km north of"), Some((12.0, "north".to_string())));
        assert_eq!(relative("northern"), None);
    }

    fn within(r: &Resolution, id: &str) -> bool {
        let e = Gazetteer::builtin().entry(id).expect("entry");
        distance_km((r.latitude, r.longitude), (e.lat, e.lon)) < 1.0
    }

    #[test]
    fn governorates_in_any_spelling() {
        let g = Gazetteer::builtin();
        for (text, want) in [
            ("Hamah Governorate", "Hama"),
            ("Rif Dimashq Governorate", "Rural Damascus"),
            ("Al Hasakah Governorate", "Al Hasakeh"),
            ("Idlib province", "Idleb"),
            ("Deir ez Zor Governorate", "Deir ez Zor"),
            ("As Suwayda Governorate", "As-Sweida"),
            ("Muhafazat Halab", "Aleppo"),
            ("Damascus", "Damascus"),
            ("Latakia", "Lattakia"),
        ] {
            assert_eq!(g.admin1_named(text).as_deref(), Some(want), "{text}");
        }
        assert_eq!(g.admin1_named("Atlantis Governorate"), None);
    }

    #[test]
    fn kind_words_come_off_and_are_the_cue() {
        assert_eq!(split_kind("Tanab village"), ("Tanab", Some("town")));
        assert_eq!(split_kind("Atmeh IDP camp"), ("Atmeh", Some("camp")));
        assert_eq!(split_kind("Hamah Military Airport"), ("Hamah", Some("facility")));
        assert_eq!(split_kind("Mintaqat Markaz Hamah district"), ("Hamah", Some("district")));
        assert_eq!(split_kind("Qalb Lawzah"), ("Qalb Lawzah", None));
        assert_eq!(split_kind("Village"), ("Village", None), "a name that is only a kind word stays");
    }

    #[test]
    fn a_name_in_its_governorate() {
        let g = Gazetteer::builtin();
        // A kind word, the governorate spelled otherwise, a vowel variant.
        for name in ["Biyanun village", "Bayanoon", "Biyanoun town"] {
            let r = g.resolve_in(name, Some("Aleppo Governorate")).unwrap();
            assert_eq!(r.id.as_deref(), Some("wof:1327223323"), "{name}: {r:#?}");
        }
        // Sun-letter article and generic word: Ash Shaykh Miskin is Sheikh Miskin.
        let a = g.resolve_in("Ash Shaykh Miskin town", Some("Daraa Governorate")).unwrap();
        let b = g.resolve_in("Sheikh Miskin", Some("Dar'a")).unwrap();
        assert_eq!((a.id.clone(), a.geo_precision), (b.id.clone(), 1));
        // An article written onto the name.
        let r = g.resolve_in("Assafira", Some("Aleppo")).unwrap();
        assert!(distance_km((r.latitude, r.longitude), (36.07696, 37.37251)) < 5.0, "{r:#?}");
        // One of a doubled name.
        let r = g.resolve_in("Xyzzyq/Biyanun village", Some("Aleppo")).unwrap();
        assert_eq!(r.id.as_deref(), Some("wof:1327223323"));
    }

    #[test]
    fn the_governorate_given_outweighs_a_namesake_elsewhere() {
        let g = Gazetteer::builtin();
        // Ra's al `Ayn of Idlib, not the Hasakah town and district.
        let r = g.resolve_in("Ras al-Ain village", Some("Idlib Governorate")).unwrap();
        assert_eq!(r.admin1.as_deref(), Some("Idleb"), "{r:#?}");
        assert!(within(&r, "wof:1343638615"), "the better documented of Idlib's two: {r:#?}");
        // Sukayk of Quneitra: WOF gives it no governorate; the build takes it from the outlines.
        let r = g.resolve_in("Sukayk", Some("Quneitra")).unwrap();
        assert_eq!(r.id.as_deref(), Some("wof:1327031635"), "{r:#?}");
        // A namesake beyond the border does not stand for a place of the governorate given.
        let r = g.resolve_in("Abu Ubaydah", Some("Hama")).unwrap();
        assert_eq!(r.country, "SY", "{r:#?}");
    }

    #[test]
    fn loose_skeletons_only_within_the_governorate_given() {
        let g = Gazetteer::builtin();
        // "Byanun" meets Biyanun only by its consonants.
        assert_ne!(fold::key("Byanun"), fold::key("Biyanun"));
        let r = g.resolve_in("Byanun", Some("Aleppo")).unwrap();
        assert_eq!(r.id.as_deref(), Some("wof:1327223323"), "{r:#?}");
        // Not in article text, where no governorate is given.
        let ctx = Context { admin1: vec!["Aleppo".into()], local_admin1: vec!["Aleppo".into()], ..Context::default() };
        assert!(g.resolve("Byanun", &ctx).is_none_or(|r| r.id.as_deref() != Some("wof:1327223323")));
    }

    #[test]
    fn namesakes_of_the_governorate_given() {
        let g = Gazetteer::builtin();
        // Two `Ayn al Bayda in Aleppo: one with a dozen spellings, one with two.
        let r = g.resolve_in("`Ayn al Bayda", Some("Aleppo")).unwrap();
        assert_eq!((r.id.as_deref(), r.geo_precision), (Some("wof:1310095239"), 1), "{r:#?}");
        // In article text (no governorate given) they stay ambiguous: no pin.
        let ctx = Context { admin1: vec!["Aleppo".into()], ..Context::default() };
        assert!(g.resolve("`Ayn al Bayda", &ctx).is_none_or(|r| r.geo_precision == 3));
    }

    #[test]
    fn generic_words_alone_name_no_place() {
        // "Tall" of an unknown "Tall X" is not the town At Tall.
        let r = Gazetteer::builtin().resolve_in("Tall Xyzzyq", Some("Rif Dimashq Governorate")).unwrap();
        assert_eq!((r.id, r.geo_precision, r.admin1.as_deref()), (None, 3, Some("Rural Damascus")));
    }

    #[test]
    fn an_unknown_quarter_is_part_of_the_governorates_town() {
        let g = Gazetteer::builtin();
        let r = g.resolve_in("Dahiet al-Xyzzyq", Some("Aleppo Governorate")).unwrap();
        assert_eq!((r.name.as_deref(), r.geo_precision), (Some("Halab"), 2), "{r:#?}");
        let r = g.resolve_in("Xyzzyq suburb", Some("Homs")).unwrap();
        assert_eq!((r.admin1.as_deref(), r.geo_precision), (Some("Homs"), 2), "{r:#?}");
        // A quarter it knows is that quarter.
        let r = g.resolve_in("Dahiet Elasad suburb", Some("Rif Dimashq Governorate")).unwrap();
        assert_eq!(r.id.as_deref(), Some("wof:1276678259"), "{r:#?}");
    }

    #[test]
    fn name_and_governorate_in_one_string() {
        let g = Gazetteer::builtin();
        let r = g.resolve_name_and_admin1("Biyanun village, Aleppo Governorate").unwrap().unwrap();
        assert_eq!(r.id.as_deref(), Some("wof:1327223323"));
        assert!(g.resolve_name_and_admin1("Biyanun, Xyzzyq").is_none(), "not a governorate after the comma");
        let found = places_in_text(
            "Biyanun village, Aleppo Governorate",
            Gazetteer::builtin(),
            crate::extract::places::PlaceCues::builtin(),
            crate::extract::actors::ActorDict::builtin(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].cue, "town");
    }

    #[test]
    fn unknown_places_stay_unresolved() {
        assert!(resolve("Xyzzyville", &[]).is_none());
    }
}
