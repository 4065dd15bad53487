//! Building sitrep's gazetteer (`data/gazetteer.tsv.gz`) from Who's On First, the admin1 name
//! table and the hand-made supplement. `sitrep gazetteer build` runs it; the output is
//! deterministic (sorted by id), so the build is reproducible.
//!
//! Output format (version 3), tab-separated with a header line:
//! `id cc kind name lat lon radius_km population admin1 admin2 names folds keys`, `names`
//! being `|`-separated variants (Latin and Arabic script only), `kind` one of locality,
//! neighbourhood, localadmin, district, region, or the supplement's kinds (road, airbase,
//! crossing, camp, region); then three sorted index sections, `#folds`, `#keys` and `#skels`:
//! the distinct [`super::fold::fold`], [`super::fold::key`] and [`super::fold::skeleton`] of
//! the name and its variants -> entry numbers, precomputed so that loading is fast.

use std::collections::{BTreeMap, HashMap};

/// The admin1 name table shipped with sitrep (`data/admin1.tsv`).
pub const ADMIN1_TSV: &str = include_str!("../../data/admin1.tsv");
/// The hand-made supplement shipped with sitrep (`data/places_supplement.tsv`).
pub const SUPPLEMENT_TSV: &str = include_str!("../../data/places_supplement.tsv");

/// The places of UCDP GED's Syrian events shipped with sitrep (`data/places_ucdp.tsv`, in the
/// supplement's format; CC BY 4.0, made by [`ucdp_places`]).
pub const UCDP_TSV: &str = include_str!("../../data/places_ucdp.tsv");

/// The places of a UCDP GED events CSV, in the supplement's format: every distinct
/// `where_coordinates` located exactly (`where_prec` 1) with its governorate (`adm_1`, as the
/// gazetteer names it) and UCDP's point, the kind word off ("Tanab village" -> Tanab) and
/// each of a doubled name's parts a spelling ("Gharnatah/Leylan"). Sorted by governorate and
/// name, numbered `ucdp:1`...: the same file gives the same bytes.
///
/// `g` is the gazetteer without UCDP's places (what UCDP adds is checked against it);
/// `excluded` tells the events to leave out by their `source_headline` (those of the
/// annotated corpus: its UCDP sentences must not find their answers in the gazetteer).
pub fn ucdp_places(csv_text: &str, g: &super::Gazetteer, excluded: &dyn Fn(&str) -> bool) -> Result<String, String> {
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rdr.headers().map_err(|e| format!("UCDP CSV: {e}"))?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n).ok_or(format!("UCDP CSV has no column {n}"));
    let (cw, cp, ca, clat, clon) = (col("where_coordinates")?, col("where_prec")?, col("adm_1")?, col("latitude")?, col("longitude")?);
    let ch = col("source_headline")?;
    let mut places: BTreeMap<(String, String), (String, f64, f64)> = BTreeMap::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| format!("UCDP CSV record {}: {e}", n + 1))?;
        if rec[cp].trim().parse::<f64>().ok() != Some(1.0) || excluded(rec[ch].trim()) {
            continue;
        }
        let (Ok(lat), Ok(lon)) = (rec[clat].trim().parse::<f64>(), rec[clon].trim().parse::<f64>()) else { continue };
        let Some(admin1) = g.admin1_named(rec[ca].trim()) else { continue };
        let raw = rec[cw].trim();
        let name = super::split_kind(raw).0.trim();
        if name.chars().filter(|c| c.is_alphabetic()).count() < 3 || name.contains(['\t', ';']) {
            continue;
        }
        // Only what the gazetteer lacks: not a governorate's name ("Aleppo town" at a point
        // 25 km from the city), nor a place it already finds within 10 km of UCDP's point (its
        // own UCDP entries aside: `g` has none).
        if g.admin1_named(name).is_some() {
            continue;
        }
        let near = |_id: &str, at: (f64, f64)| super::distance_km(at, (lat, lon)) <= 10.0;
        let known =
            g.resolve_in(name, Some(&admin1)).is_some_and(|r| r.id.as_deref().is_some_and(|id| near(id, (r.latitude, r.longitude))))
                || g.candidates(name).iter().any(|&(i, _)| {
                    let e = &g.entries[i];
                    e.admin1 == Some(admin1.as_str()) && near(e.id, (e.lat, e.lon))
                });
        if known {
            continue;
        }
        places.entry((admin1, name.to_string())).or_insert((raw.to_string(), lat, lon));
    }
    let mut out = String::from(
        "# sitrep UCDP places: where UCDP GED (Uppsala Conflict Data Program, Georeferenced Event\n\
         # Dataset, CC BY 4.0; Sundberg & Melander 2013, Davies et al.) located Syrian events exactly\n\
         # (where_prec 1), from its dev half, less the events of sitrep's annotated corpus. Made by\n\
         # `sitrep gazetteer ucdp`; do not edit by hand.\n\
         # Format: as data/places_supplement.tsv (version 1).\n\
         id\tcc\tkind\tname\tlat\tlon\tradius_km\tadmin1\tadmin2\tnames\n",
    );
    for (i, ((admin1, name), (raw, lat, lon))) in places.iter().enumerate() {
        let mut names: Vec<&str> = vec![name.as_str()];
        // (Not a part that names someone: "Dahiet Elasad/Al Assad" is no place called Assad.)
        let actors = crate::extract::actors::ActorDict::builtin();
        names.extend(name.split('/').map(str::trim).filter(|p| {
            p.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && actors.lookup(p).is_none()
                && actors.lookup(&p.replace("Al ", "")).is_none()
        }));
        if raw != name {
            names.push(raw.as_str());
        }
        names.dedup();
        let shown = name.split('/').next().unwrap_or(name).trim();
        out.push_str(&format!("ucdp:{}\tSY\tlocality\t{shown}\t{lat:.5}\t{lon:.5}\t2\t{admin1}\t\t{}\n", i + 1, names.join(";")));
    }
    Ok(out)
}
/// Variants WOF gives a place wrongly (`data/gazetteer_fixes.tsv`).
pub const FIXES_TSV: &str = include_str!("../../data/gazetteer_fixes.tsv");

/// The fixes table: WOF id -> variants to drop.
fn fixes_table(tsv: &str) -> Result<HashMap<String, Vec<String>>, String> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#') && !l.starts_with("wof_id\t") && !l.trim().is_empty()) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() != 3 {
            return Err(format!("gazetteer fix line has {} columns, expected 3: {line}", c.len()));
        }
        m.entry(c[0].to_string()).or_default().push(c[1].to_string());
    }
    Ok(m)
}

fn keep_name(n: &str) -> bool {
    let n = n.trim();
    !n.is_empty()
        && n.len() <= 80
        && n.chars().all(|c| {
            c.is_ascii()
                || ('\u{00C0}'..='\u{024F}').contains(&c)
                || ('\u{1E00}'..='\u{1EFF}').contains(&c)
                || ('\u{0600}'..='\u{06FF}').contains(&c)
                || "‘’ʿʾ`´".contains(c)
                || c.is_whitespace()
        })
}

/// Parses the admin1 table: WOF region name -> (name, aliases).
pub fn admin1_table(tsv: &str) -> HashMap<String, (String, Vec<String>)> {
    let mut m = HashMap::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#') && !l.starts_with("wof_name\t") && !l.trim().is_empty()) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() >= 2 {
            let aliases =
                c.get(2).map(|a| a.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
            m.insert(c[0].to_string(), (c[1].to_string(), aliases));
        }
    }
    m
}

/// A governorate's outline: its WOF region name and its rings of (lon, lat) points.
pub type Outline = (String, Vec<Vec<(f64, f64)>>);

/// Governorate outlines: (WOF region name, rings of (lon, lat)), from a GeoJSON
/// FeatureCollection of Polygon / MultiPolygon features with a `name` property (WOF's
/// `syria-governorates.geojson`).
pub fn admin1_polygons(geojson: &str) -> Result<Vec<Outline>, String> {
    let v: serde_json::Value = serde_json::from_str(geojson).map_err(|e| format!("governorate outlines: {e}"))?;
    let mut out = Vec::new();
    for f in v["features"].as_array().ok_or("governorate outlines: no features")? {
        let name = f["properties"]["name"].as_str().ok_or("governorate outline without a name")?.to_string();
        let g = &f["geometry"];
        let polys: Vec<&serde_json::Value> = match g["type"].as_str() {
            Some("Polygon") => vec![&g["coordinates"]],
            Some("MultiPolygon") => g["coordinates"].as_array().map(|a| a.iter().collect()).unwrap_or_default(),
            _ => return Err(format!("governorate outline {name}: not a polygon")),
        };
        let mut rings = Vec::new();
        for p in polys {
            for ring in p.as_array().into_iter().flatten() {
                let pts: Vec<(f64, f64)> =
                    ring.as_array().into_iter().flatten().filter_map(|c| Some((c[0].as_f64()?, c[1].as_f64()?))).collect();
                rings.push(pts);
            }
        }
        out.push((name, rings));
    }
    Ok(out)
}

/// Whether a point lies inside rings (even-odd rule: holes count out).
fn inside(rings: &[Vec<(f64, f64)>], lon: f64, lat: f64) -> bool {
    let mut c = false;
    for ring in rings {
        for w in ring.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) {
                c = !c;
            }
        }
    }
    c
}

/// Builds the gazetteer TSV from the WOF places TSV, the admin1 table and the supplement.
pub fn build(wof_tsv: &str, admin1_tsv: &str, supplement_tsv: &str, fixes_tsv: &str) -> Result<String, String> {
    build_with_outlines(wof_tsv, admin1_tsv, supplement_tsv, fixes_tsv, &[])
}

/// [`build`], with governorate outlines ([`admin1_polygons`]) for the Syrian places WOF gives
/// no governorate (900 of them, all of Quneitra among them): the governorate whose outline
/// holds the point.
pub fn build_with_outlines(
    wof_tsv: &str,
    admin1_tsv: &str,
    supplement_tsv: &str,
    fixes_tsv: &str,
    outlines: &[Outline],
) -> Result<String, String> {
    let admin1 = admin1_table(admin1_tsv);
    let fixes = fixes_table(fixes_tsv)?;
    let (c, rows) = wof_rows(wof_tsv)?;
    let (region_name, county_name) = area_names(&c, &rows, &admin1);
    let wof = WofBuild { c, admin1: &admin1, fixes: &fixes, outlines, region_name, county_name };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (key, row) in rows.iter().filter_map(|r| wof.row(r)) {
        out.insert(key, row);
    }
    add_supplement(&mut out, supplement_tsv)?;
    Ok(gazetteer_text(&out))
}

/// The columns of the WOF places TSV that the build reads.
struct WofColumns {
    id: usize,
    cc: usize,
    placetype: usize,
    name: usize,
    lat: usize,
    lon: usize,
    population: usize,
    region: usize,
    county: usize,
    names: usize,
}

impl WofColumns {
    /// Finds the columns in the header line; an error names the first one missing.
    fn find(header: &[&str]) -> Result<WofColumns, String> {
        let col = |name: &str| header.iter().position(|h| *h == name).ok_or(format!("WOF file has no column {name}"));
        Ok(WofColumns {
            id: col("wof_id")?,
            cc: col("cc")?,
            placetype: col("placetype")?,
            name: col("name")?,
            lat: col("lat")?,
            lon: col("lon")?,
            population: col("population")?,
            region: col("region_id")?,
            county: col("county_id")?,
            names: col("names")?,
        })
    }
}

/// Splits the WOF places TSV into its columns and its rows (those with every column).
fn wof_rows(wof_tsv: &str) -> Result<(WofColumns, Vec<Vec<&str>>), String> {
    let mut lines = wof_tsv.lines();
    let header: Vec<&str> = lines.next().ok_or("empty WOF file")?.split('\t').collect();
    let c = WofColumns::find(&header)?;
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect::<Vec<_>>()).filter(|r| r.len() == header.len()).collect();
    Ok((c, rows))
}

/// The names of WOF's admin areas by id: regions (as the admin1 table names them) and counties.
fn area_names<'a>(
    c: &WofColumns,
    rows: &[Vec<&'a str>],
    admin1: &HashMap<String, (String, Vec<String>)>,
) -> (HashMap<&'a str, String>, HashMap<&'a str, &'a str>) {
    let mut region_name: HashMap<&str, String> = HashMap::new();
    let mut county_name: HashMap<&str, &str> = HashMap::new();
    for r in rows {
        match r[c.placetype] {
            "region" => {
                let n = admin1.get(r[c.name]).map_or_else(|| r[c.name].to_string(), |(n, _)| n.clone());
                region_name.insert(r[c.id], n);
            }
            "county" => {
                county_name.insert(r[c.id], r[c.name]);
            }
            _ => {}
        }
    }
    (region_name, county_name)
}

/// What turning a WOF row into a gazetteer row needs besides the row: its columns, the
/// tables, the outlines and the admin areas' names by id.
struct WofBuild<'a> {
    c: WofColumns,
    admin1: &'a HashMap<String, (String, Vec<String>)>,
    fixes: &'a HashMap<String, Vec<String>>,
    outlines: &'a [Outline],
    region_name: HashMap<&'a str, String>,
    county_name: HashMap<&'a str, &'a str>,
}

impl<'a> WofBuild<'a> {
    /// The gazetteer row of a WOF row with its sort key (the id, zero-padded), or none for a
    /// row left out.
    fn row(&self, r: &[&'a str]) -> Option<(String, String)> {
        let c = &self.c;
        let kind = self.kept_kind(r)?;
        let radius = match kind {
            "neighbourhood" => 1.0,
            "locality" | "localadmin" => 2.0,
            "district" => 20.0,
            _ => 60.0,
        };
        let a1 = self.admin1_of(r, kind);
        let a2 = if kind == "district" { Some(r[c.name]) } else { self.county_name.get(r[c.county]).copied() };
        let mut names = self.variants(r, kind);
        let name = display_name(r[c.name], kind, a1.as_deref(), &names);
        if name != r[c.name] && keep_name(r[c.name]) && !names.iter().any(|n| n == r[c.name]) {
            names.push(r[c.name].to_string());
        }
        let row = format!(
            "wof:{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r[c.id],
            r[c.cc],
            kind,
            name,
            r[c.lat],
            r[c.lon],
            radius,
            r[c.population].parse::<u64>().unwrap_or(0),
            a1.unwrap_or_default(),
            a2.unwrap_or(""),
            names.join("|")
        );
        Some((format!("wof:{:0>12}", r[c.id]), row))
    }

    /// The gazetteer kind of a WOF row, or none for a row left out: other placetypes, the UN
    /// observers' posts, and the small far-away places of Turkey and Iraq.
    fn kept_kind(&self, r: &[&str]) -> Option<&'static str> {
        let c = &self.c;
        let kind = match r[c.placetype] {
            "locality" => "locality",
            "neighbourhood" => "neighbourhood",
            "localadmin" => "localadmin",
            "county" => "district",
            "region" => "region",
            _ => return None,
        };
        if r[c.name].contains("Observer Force") {
            return None;
        }
        // Syria, Lebanon and Jordan whole; of Turkey and Iraq the borderlands (a box around
        // Syria, about 150 km beyond its borders), their admin areas and their big towns.
        // The war's events beyond Syria happen there, and thousands of far-away Anatolian
        // villages would only add false matches (and load time).
        if matches!(r[c.cc], "TR" | "IQ") {
            let lat: f64 = r[c.lat].parse().unwrap_or(0.0);
            let lon: f64 = r[c.lon].parse().unwrap_or(0.0);
            let pop: u64 = r[c.population].parse().unwrap_or(0);
            let near = (31.0..=38.6).contains(&lat) && (34.5..=44.0).contains(&lon);
            if !near && !matches!(kind, "region" | "district") && pop < 50_000 {
                return None;
            }
        }
        Some(kind)
    }

    /// A WOF row's governorate: its region's (a region's own), else for a Syrian place the
    /// one whose outline holds the point.
    fn admin1_of(&self, r: &[&str], kind: &str) -> Option<String> {
        let c = &self.c;
        let mut a1 = if kind == "region" { self.region_name.get(r[c.id]).cloned() } else { self.region_name.get(r[c.region]).cloned() };
        if a1.is_none() && r[c.cc] == "SY" {
            let (lat, lon) = (r[c.lat].parse::<f64>().unwrap_or(0.0), r[c.lon].parse::<f64>().unwrap_or(0.0));
            a1 = self
                .outlines
                .iter()
                .find(|(_, rings)| inside(rings, lon, lat))
                .map(|(n, _)| self.admin1.get(n).map_or_else(|| n.clone(), |(name, _)| name.clone()));
        }
        a1
    }

    /// A WOF row's name variants to keep: WOF's and, for a region, the admin1 table's name and
    /// aliases; not the place's own name, a repeat, or one the fixes table calls wrong.
    fn variants(&self, r: &[&str], kind: &str) -> Vec<String> {
        let c = &self.c;
        let mut names: Vec<String> = Vec::new();
        let extra: Vec<String> = if kind == "region" {
            self.admin1.get(r[c.name]).map(|(n, a)| std::iter::once(n.clone()).chain(a.iter().cloned()).collect()).unwrap_or_default()
        } else {
            Vec::new()
        };
        let wrong = self.fixes.get(r[c.id]).map_or(&[][..], Vec::as_slice);
        for n in r[c.names].split('|').map(str::to_string).chain(extra) {
            if keep_name(&n) && !names.iter().any(|x| x == n.trim()) && n.trim() != r[c.name] && !wrong.iter().any(|w| w == n.trim()) {
                names.push(n.trim().to_string());
            }
        }
        names
    }
}

/// A WOF place's display name: a region's governorate name; else its WOF name, or in Latin
/// script the first variant that is (WOF's preferred name is sometimes Arabic only).
fn display_name(wof_name: &str, kind: &str, a1: Option<&str>, names: &[String]) -> String {
    let latin = |n: &str| {
        n.chars().all(|c| {
            c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c) || "‘’ʿʾ`´".contains(c)
        })
    };
    if kind == "region" {
        a1.map_or_else(|| wof_name.to_string(), str::to_string)
    } else if !latin(wof_name) {
        names.iter().find(|n| latin(n)).cloned().unwrap_or_else(|| wof_name.to_string())
    } else {
        wof_name.to_string()
    }
}

/// Adds the supplement's rows (its `sup:` and `ucdp:` places) to the gazetteer rows, keyed
/// by id.
fn add_supplement(out: &mut BTreeMap<String, String>, supplement_tsv: &str) -> Result<(), String> {
    for line in supplement_tsv.lines().filter(|l| !l.starts_with('#') && !l.starts_with("id\t") && !l.trim().is_empty()) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() != 10 {
            return Err(format!("supplement line has {} columns, expected 10: {line}", c.len()));
        }
        let names: Vec<&str> = c[9].split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
        let row =
            format!("{}\t{}\t{}\t{}\t{}\t{}\t{}\t0\t{}\t{}\t{}", c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], names.join("|"));
        let key = match c[0].strip_prefix("ucdp:") {
            Some(n) => format!("ucdp:{n:0>12}"),
            None => format!("sup:{:0>12}", c[0].trim_start_matches("sup:")),
        };
        out.insert(key, row);
    }
    Ok(())
}

/// The gazetteer file: entries, then the three indexes (folded name, phonetic key, consonant
/// skeleton -> entry numbers), each sorted so that a reader can binary-search them without
/// building a map.
fn gazetteer_text(out: &BTreeMap<String, String>) -> String {
    let mut s = String::from("id\tcc\tkind\tname\tlat\tlon\tradius_km\tpopulation\tadmin1\tadmin2\tnames\n");
    let mut index = NameIndexes::default();
    for (i, row) in out.values().enumerate() {
        let c: Vec<&str> = row.split('\t').collect();
        for n in std::iter::once(c[3]).chain(c[10].split('|').filter(|n| !n.is_empty())) {
            index.add(i, n);
        }
        s.push_str(row);
        s.push('\n');
    }
    index.write(&mut s);
    s
}

/// The gazetteer's three indexes being built: folded name, phonetic key and consonant
/// skeleton -> entry numbers.
#[derive(Default)]
struct NameIndexes {
    folds: BTreeMap<String, Vec<usize>>,
    keys: BTreeMap<String, Vec<usize>>,
    skels: BTreeMap<String, Vec<usize>>,
}

impl NameIndexes {
    /// Files entry `i` under one of its names' fold, key and skeletons.
    fn add(&mut self, i: usize, n: &str) {
        // The loose index also holds the name without the words that tell twin villages
        // apart ("Umm Tuwaynah al Janubiyah" is found as "Umm Tuwaynah").
        let bare = super::fold::without_qualifiers(n);
        if let Some(b) = bare.filter(|b| !b.is_empty()) {
            let k = super::fold::skeleton(&b);
            if !k.is_empty() {
                file_under(&mut self.skels, k, i);
            }
        }
        let fks =
            [(&mut self.folds, super::fold::fold(n)), (&mut self.keys, super::fold::key(n)), (&mut self.skels, super::fold::skeleton(n))];
        for (map, k) in fks {
            if k.is_empty() {
                continue;
            }
            file_under(map, k, i);
        }
    }

    /// Appends the three index sections, each under its title line.
    fn write(&self, s: &mut String) {
        for (title, map) in [("#folds", &self.folds), ("#keys", &self.keys), ("#skels", &self.skels)] {
            s.push_str(title);
            s.push('\n');
            for (k, ids) in map {
                s.push_str(k);
                s.push('\t');
                s.push_str(&ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","));
                s.push('\n');
            }
        }
    }
}

/// Files entry `i` under index key `k`, once (an entry's names come one after another).
fn file_under(map: &mut BTreeMap<String, Vec<usize>>, k: String, i: usize) {
    let v = map.entry(k).or_default();
    if v.last() != Some(&i) {
        v.push(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WOF: &str = "wof_id\tcc\tplacetype\tname\tlat\tlon\tpopulation\tregion_id\tcounty_id\tnames\n\
        1\tSY\tregion\tQuneitra\t33.1\t35.9\t0\t1\t\t\n\
        2\tSY\tlocality\tAyn Xyz\t33.2\t35.8\t0\t\t\tEin Xyz\n\
        3\tSY\tlocality\tTall Xyz\t36.2\t37.1\t0\t\t\t\n";

    #[test]
    fn ucdp_places_are_the_exactly_located_ones_the_gazetteer_lacks() {
        let csv = "id,where_coordinates,where_prec,adm_1,latitude,longitude,source_headline\n\
                   1,Qaryat Zzyxq village,1.0,Hamah Governorate,35.1,36.7,Shelling on Qaryat Zzyxq\n\
                   2,Qaryat Zzyxq village,1.0,Hamah Governorate,35.2,36.8,Clashes in Qaryat Zzyxq\n\
                   3,Zzyxq Fawqa town,2.0,Hamah Governorate,35.3,36.9,Raids on Zzyxq Fawqa\n\
                   4,Aleppo town,1.0,Aleppo Governorate,36.17,37.44,Shells on Aleppo\n\
                   5,Tall Zzyxqa/Zzyxqa village,1.0,Idlib Governorate,35.9,36.6,A headline the corpus holds\n";
        let tsv = ucdp_places(csv, crate::geocode::Gazetteer::builtin(), &|h| h == "A headline the corpus holds").expect("parses");
        let rows: Vec<&str> = tsv.lines().filter(|l| l.starts_with("ucdp:")).collect();
        // One row per place (the first point), none for an imprecise location, a governorate's
        // name or an event the corpus holds.
        assert_eq!(rows, vec!["ucdp:1\tSY\tlocality\tQaryat Zzyxq\t35.10000\t36.70000\t2\tHama\t\tQaryat Zzyxq;Qaryat Zzyxq village"]);
        assert!(ucdp_places("id,where_prec\n", crate::geocode::Gazetteer::builtin(), &|_| false).is_err(), "missing columns are an error");
    }

    fn square() -> Vec<Outline> {
        let ring = vec![(35.5, 32.9), (36.1, 32.9), (36.1, 33.4), (35.5, 33.4), (35.5, 32.9)];
        vec![("Quneitra".to_string(), vec![ring])]
    }

    #[test]
    fn outlines_give_a_governorate_where_wof_gives_none() {
        let tsv = build_with_outlines(WOF, ADMIN1_TSV, "", "", &square()).unwrap();
        let row = |id: &str| tsv.lines().find(|l| l.starts_with(id)).unwrap().split('\t').nth(8).unwrap().to_string();
        assert_eq!(row("wof:2\t"), "Quneitra", "inside the outline");
        assert_eq!(row("wof:3\t"), "", "outside every outline: none");
        // Without outlines, as before.
        let tsv = build(WOF, ADMIN1_TSV, "", "").unwrap();
        assert_eq!(tsv.lines().find(|l| l.starts_with("wof:2\t")).unwrap().split('\t').nth(8), Some(""));
    }

    #[test]
    fn outlines_parse_from_geojson() {
        let gj = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Quneitra"},
            "geometry":{"type":"Polygon","coordinates":[[[35.5,32.9],[36.1,32.9],[36.1,33.4],[35.5,33.4],[35.5,32.9]]]}}]}"#;
        let o = admin1_polygons(gj).unwrap();
        assert_eq!(o.len(), 1);
        assert!(inside(&o[0].1, 35.8, 33.2));
        assert!(!inside(&o[0].1, 36.5, 33.2));
        assert!(admin1_polygons("{}").is_err());
    }

    #[test]
    fn the_loose_index_holds_names_without_their_qualifiers_and_heads() {
        let tsv = build(WOF, ADMIN1_TSV, "", "").unwrap();
        let skels: Vec<&str> = tsv.lines().skip_while(|l| *l != "#skels").skip(1).map(|l| l.split('\t').next().unwrap()).collect();
        assert!(skels.contains(&super::super::fold::skeleton("Tall Xyz").as_str()));
        assert!(skels.contains(&super::super::fold::skeleton("Xyz").as_str()), "Tall Xyz is found as Xyz: {skels:?}");
        // The same input gives the same bytes.
        assert_eq!(tsv, build(WOF, ADMIN1_TSV, "", "").unwrap());
    }
}
