//! The API through a real server on a loopback port and a real HTTP client: every route, each
//! filter, pagination, formats, auth and malformed parameters.

use serde_json::Value;
use sitrep_core::store::{EventStore, SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const TOKEN: &str = "test-token-123";

struct Server {
    base: String,
    _dir: tempfile::TempDir,
}

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/seeds")
}

/// A database of the seed fixtures.
fn seeded_db(dir: &Path) -> PathBuf {
    let db = dir.join("api.db");
    let mut store = SqliteStore::open(&db).unwrap();
    let (inputs, _) = sitrep_core::read::expand(&[seeds().display().to_string()]);
    let outcome = sitrep_core::ingest::run(&mut store, &Default::default(), |ing| {
        for input in &inputs {
            sitrep_core::read::read_input(input, &Default::default(), &mut |r| assert!(ing.push(r.unwrap())));
        }
    });
    outcome.into_result().unwrap();
    db
}

/// Starts a server on a free loopback port in a background thread; returns its base URL.
fn start(db: PathBuf, token: Option<&str>, max_body: usize) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    let token = token.map(String::from);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tx.send(addr).unwrap();
            let config =
                sitrep_server::Config { db: sitrep_core::store::Location::sqlite(db), addr, token, max_body, limits: Default::default() };
            sitrep_server::serve_on(listener, config, std::future::pending()).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// A server with its own limits and a shutdown switch: (base URL, the switch, the thread that
/// returns once the server has ended).
fn start_stoppable(
    db: PathBuf,
    token: Option<&str>,
    limits: sitrep_server::Limits,
) -> (String, tokio::sync::oneshot::Sender<()>, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let token = token.map(String::from);
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tx.send(addr).unwrap();
            let config = sitrep_server::Config { db: sitrep_core::store::Location::sqlite(db), addr, token, max_body: 4096, limits };
            sitrep_server::serve_on(listener, config, async move {
                let _ = stop_rx.await;
            })
            .await
            .unwrap();
        });
        rt.shutdown_timeout(std::time::Duration::from_secs(1));
    });
    (format!("http://{}", rx.recv().unwrap()), stop_tx, thread)
}

/// A raw connection to a server, with a read timeout long enough never to decide a test (a hang
/// becomes a failure, not a timing).
fn raw(base: &str) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    s
}

/// Reads what the server sends until it closes the connection (or the read timeout).
fn read_all(s: &mut std::net::TcpStream) -> std::io::Result<String> {
    use std::io::Read;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// One shared read-only-by-default server over the seeds (tests that write start their own).
fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded_db(dir.path());
        Server { base: start(db, None, 1 << 20), _dir: dir }
    })
}

/// GET: (status, body).
fn get(url: &str) -> (u16, String) {
    match ureq::get(url).call() {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("{url}: {e}"),
    }
}

fn get_json(path: &str) -> Value {
    let (status, body) = get(&format!("{}{path}", server().base));
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn error(path: &str) -> (u16, String) {
    let (status, body) = get(&format!("{}{path}", server().base));
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: not JSON: {body}"));
    assert_eq!(v["status"].as_u64(), Some(status as u64), "{body}");
    (status, v["error"].as_str().unwrap().to_string())
}

fn ids(v: &Value) -> Vec<String> {
    v["events"].as_array().unwrap().iter().map(|e| e["event_id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn health_and_events() {
    let h = get_json("/healthz");
    assert_eq!((h["status"].as_str(), h["articles"].as_u64(), h["events"].as_u64()), (Some("ok"), Some(5), Some(16)));
    let all = get_json("/api/events?limit=1000");
    assert_eq!(all["total"], 16);
    assert_eq!(all["count"], 16);
    assert!(all["next_cursor"].is_null());
}

#[test]
fn each_filter_narrows() {
    let all = get_json("/api/events?limit=1000");
    let n = |q: &str| get_json(&format!("/api/events?limit=1000&{q}"))["total"].as_u64().unwrap();
    let every = all["total"].as_u64().unwrap();
    let daesh = get_json("/api/events?actor=Daesh&limit=1000");
    assert!(daesh["total"].as_u64().unwrap() > 0);
    assert!(daesh["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor1"]["name"] == "Islamic State" || e["actor2"]["name"] == "Islamic State"));
    for q in [
        "type=Battles",
        "sub_type=Armed%20clash",
        "actor=Daesh",
        "since=2016-05-28",
        "until=2016-05-28",
        "admin1=Aleppo",
        "place=Marea",
        "bbox=36.9,36.3,37.4,36.7",
        "source=Alalam",
        "text=%22car%20bomb%22",
        "min_fatalities=10",
    ] {
        let k = n(q);
        assert!(k > 0 && k < every, "{q}: {k} of {every}");
    }
    // A filter that matches nothing is an empty page, not an error.
    assert_eq!(n("actor=Nobody%20At%20All"), 0);
    let box_events = get_json("/api/events?limit=1000&bbox=36.9,36.3,37.4,36.7");
    for e in box_events["events"].as_array().unwrap() {
        let (lat, lon) = (e["latitude"].as_f64().unwrap(), e["longitude"].as_f64().unwrap());
        assert!((36.3..=36.7).contains(&lat) && (36.9..=37.4).contains(&lon));
    }
    let sorted = get_json("/api/events?limit=1000&sort=fatalities");
    let tolls: Vec<u64> = sorted["events"].as_array().unwrap().iter().map(|e| e["fatalities"].as_u64().unwrap()).collect();
    assert!(tolls.windows(2).all(|w| w[0] >= w[1]));
    let asc = get_json("/api/events?limit=1000&sort=date_asc");
    let dates: Vec<&str> = asc["events"].as_array().unwrap().iter().filter_map(|e| e["event_date"].as_str()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn cursor_pagination_walks_every_event_once() {
    let all = ids(&get_json("/api/events?limit=1000"));
    let mut seen = Vec::new();
    let mut path = "/api/events?limit=4".to_string();
    loop {
        let page = get_json(&path);
        assert!(page["count"].as_u64().unwrap() <= 4);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/events?limit=4&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, all);
}

#[test]
fn formats() {
    let base = &server().base;
    let json = get_json("/api/events?limit=1000");
    let gj = ureq::get(&format!("{base}/api/events?limit=1000&format=geojson")).call().unwrap();
    assert_eq!(gj.content_type(), "application/geo+json");
    let fc: Value = gj.into_json().unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["features"].as_array().unwrap().len(), 16);
    assert_eq!(fc["features"][0]["properties"]["event_id"], json["events"][0]["event_id"]);
    for (format, columns) in [("csv", sitrep_core::export::CSV_COLUMNS), ("acled", sitrep_core::export::ACLED_COLUMNS)] {
        let r = ureq::get(&format!("{base}/api/events?limit=5&format={format}")).call().unwrap();
        assert!(r.content_type().starts_with("text/csv"));
        let next = r.header("x-next-cursor").unwrap().to_string();
        assert_eq!(ids(&get_json(&format!("/api/events?limit=5&cursor={next}"))), ids(&json)[5..10], "{format}: the export's cursor");
        let body = r.into_string().unwrap();
        let mut rdr = csv::Reader::from_reader(body.as_bytes());
        let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(headers, columns.iter().map(|c| c.to_string()).collect::<Vec<_>>());
        assert_eq!(rdr.records().count(), 5);
    }
}

#[test]
fn one_event_and_its_article_with_evidence() {
    let first = &get_json("/api/events?limit=1")["events"][0];
    let id = first["event_id"].as_str().unwrap();
    let e = get_json(&format!("/api/events/{id}"));
    assert_eq!(e["event"]["event_id"], id);
    let art = &e["articles"][0];
    assert_eq!(art["id"], first["article_id"]);
    let evidence = art["evidence"].as_array().unwrap();
    assert!(!evidence.is_empty());
    let a = get_json(&format!("/api/articles/{}", art["id"].as_str().unwrap()));
    let text = a["text"].as_str().unwrap();
    // Every mark points at its evidence text.
    for m in a["marks"].as_array().unwrap() {
        let (b0, b1) = (m["byte_start"].as_u64().unwrap() as usize, m["byte_end"].as_u64().unwrap() as usize);
        assert!(b1 > b0 && b1 <= text.len());
    }
    let span = &evidence[0];
    let (b0, b1) = (span["byte_start"].as_u64().unwrap() as usize, span["byte_end"].as_u64().unwrap() as usize);
    assert_eq!(&text[b0..b1], span["text"].as_str().unwrap());
    assert!(a["events"].as_array().unwrap().iter().any(|x| x["event_id"] == id));
    assert!(!a["paragraphs"].as_array().unwrap().is_empty());
    assert_eq!(error("/api/events/nope").0, 404);
    assert_eq!(error("/api/articles/nope").0, 404);
}

#[test]
fn search_actors_places_stats() {
    let hits = get_json("/api/search?q=%22car%20bomb%22");
    assert!(hits["count"].as_u64().unwrap() >= 1);
    assert!(hits["hits"][0]["snippet"].as_str().unwrap().contains('['));
    let prefix = get_json("/api/search?q=Qalam*&limit=2");
    assert!(prefix["count"].as_u64().unwrap() >= 1);
    let actors = get_json("/api/actors");
    assert!(actors["actors"].as_array().unwrap().iter().any(|a| a["name"] == "Islamic State" && a["events"].as_u64().unwrap() > 0));
    let places = get_json("/api/places");
    let places = places["places"].as_array().unwrap();
    assert!(places.iter().any(|p| p["admin1"] == "Aleppo"));
    assert!(places.windows(2).all(|w| w[0]["events"].as_u64() >= w[1]["events"].as_u64()));
    let st = get_json("/api/stats");
    assert_eq!(st["events"], 16);
    let by_day: u64 = st["by_day"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(by_day, 16);
    assert!(!st["by_type"].as_array().unwrap().is_empty() && !st["by_admin1"].as_array().unwrap().is_empty());
}

#[test]
fn malformed_parameters_are_400s_with_reasons() {
    for (path, why) in [
        ("/api/events?since=2016-13-01", "since"),
        ("/api/events?until=yesterday", "until"),
        ("/api/events?since=2016-06-01&until=2016-01-01", "after"),
        ("/api/events?bbox=1,2,3", "bbox"),
        ("/api/events?bbox=40,0,30,10", "bbox"),
        ("/api/events?bbox=a,b,c,d", "bbox"),
        ("/api/events?sort=random", "sort"),
        ("/api/events?format=xml", "format"),
        ("/api/events?cursor=zzz", "cursor"),
        ("/api/events?cursor=o40", "offset cursor of an older server"),
        ("/api/events?cursor=eyJ2IjoxfQ", "cursor=\"eyJ2IjoxfQ\": not a cursor this server gave"),
        ("/api/events?limit=0", "limit"),
        ("/api/events?limit=99999999999", "limit"),
        ("/api/events?limit=-1", "limit"),
        ("/api/events?min_fatalities=many", "min_fatalities"),
        ("/api/events?text=AND%20(", "bad search query"),
        ("/api/events?colour=red", "unknown parameter"),
        ("/api/events?type=Battles&type=Riots", "twice"),
        ("/api/search", "q is required"),
        ("/api/search?q=AND%20(", "bad search query"),
        ("/api/search?q=x&limit=0", "limit"),
        ("/api/places?limit=0", "limit"),
        ("/api/stats?x=1", "unknown parameter"),
    ] {
        let (status, msg) = error(path);
        assert_eq!(status, 400, "{path}: {msg}");
        assert!(msg.contains(why), "{path}: {msg}");
    }
    // SQL metacharacters are data.
    assert_eq!(get_json("/api/events?actor=x%27%3B%20DROP%20TABLE%20events%3B%20--")["total"], 0);
    assert_eq!(get_json("/healthz")["events"], 16);
    assert_eq!(error("/api/nothing").0, 404);
    assert_eq!(error("/no/such/file.js").0, 404);
}

#[test]
fn openapi_lists_exactly_the_routes() {
    let doc = get_json("/api/openapi.json");
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> = sitrep_server::ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    routes.sort();
    assert_eq!(documented, routes);
    // Every documented event parameter is one the route accepts, and the other way round.
    let params: Vec<&str> =
        doc["paths"]["/api/events"]["get"]["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    let base = &server().base;
    for p in &params {
        let (status, _) = get(&format!("{base}/api/events?{p}="));
        assert_eq!(status, 200, "documented parameter {p} is refused");
    }
}

/// Checks `v` against the schema `s` of `doc` (the subset utoipa writes: `$ref`, `type` (one or
/// a list), `properties`, `required`, `items`, `prefixItems`, `additionalProperties`, `oneOf`,
/// `anyOf`, `allOf`, `enum`). An object may hold no field its schema does not name. The error
/// says where (`at`) and what.
fn conforms(doc: &Value, s: &Value, v: &Value, at: &str) -> Result<(), String> {
    conforms_with(doc, s, v, at, true)
}

fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("a $ref outside the document: {r}"));
            let found = &doc["components"]["schemas"][name];
            assert!(!found.is_null(), "a $ref to a schema the document lacks: {r}");
            resolve(doc, found)
        }
        None => s,
    }
}

/// Every property name an object schema (and its `allOf` parts) documents.
fn property_names(doc: &Value, s: &Value, out: &mut Vec<String>) {
    let s = resolve(doc, s);
    if let Some(p) = s["properties"].as_object() {
        out.extend(p.keys().cloned());
    }
    for part in s["allOf"].as_array().into_iter().flatten() {
        property_names(doc, part, out);
    }
}

fn conforms_with(doc: &Value, s: &Value, v: &Value, at: &str, strict: bool) -> Result<(), String> {
    let s = resolve(doc, s);
    if let Some(parts) = s["allOf"].as_array() {
        for part in parts {
            conforms_with(doc, part, v, at, false)?;
        }
        if strict && v.is_object() {
            let mut names = Vec::new();
            property_names(doc, s, &mut names);
            if let Some(extra) = v.as_object().unwrap().keys().find(|k| !names.contains(k)) {
                return Err(format!("{at}: field {extra:?} is not in the schema"));
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s[key].as_array() {
            let errors: Vec<String> = alts.iter().filter_map(|a| conforms_with(doc, a, v, at, strict).err()).collect();
            if errors.len() == alts.len() {
                return Err(format!("{at}: matches none of {key}: {}", errors.join("; ")));
            }
        }
    }
    if let Some(values) = s["enum"].as_array() {
        if !values.contains(v) {
            return Err(format!("{at}: {v} is not one of {values:?}"));
        }
    }
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let fits = types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            other => panic!("{at}: a schema type this check does not know: {other}"),
        });
        if !fits {
            return Err(format!("{at}: {} is not of type {types:?}", short(v)));
        }
    }
    if let Some(o) = v.as_object() {
        for r in s["required"].as_array().into_iter().flatten() {
            if !o.contains_key(r.as_str().unwrap()) {
                return Err(format!("{at}: required field {r} missing"));
            }
        }
        let props = s["properties"].as_object();
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => conforms_with(doc, ps, x, &format!("{at}.{k}"), true)?,
                None => match &s["additionalProperties"] {
                    Value::Object(_) => conforms_with(doc, &s["additionalProperties"], x, &format!("{at}.{k}"), true)?,
                    _ if strict && s["allOf"].is_null() && props.is_some() => {
                        return Err(format!("{at}: field {k:?} is not in the schema"))
                    }
                    _ => {}
                },
            }
        }
    }
    if let Some(a) = v.as_array() {
        if let Some(prefix) = s["prefixItems"].as_array() {
            if a.len() != prefix.len() && s["items"] == Value::Bool(false) {
                return Err(format!("{at}: {} items, the schema has {}", a.len(), prefix.len()));
            }
            for (i, (x, ps)) in a.iter().zip(prefix).enumerate() {
                conforms_with(doc, ps, x, &format!("{at}[{i}]"), true)?;
            }
        } else if s["items"].is_object() {
            for (i, x) in a.iter().enumerate() {
                conforms_with(doc, &s["items"], x, &format!("{at}[{i}]"), true)?;
            }
        }
    }
    Ok(())
}

fn short(v: &Value) -> String {
    let t = v.to_string();
    if t.len() > 80 {
        format!("{}...", &t[..80])
    } else {
        t
    }
}

/// Checks an answer of `method route` with `status` against its schema in the document.
fn check_answer(method: &str, route: &str, status: u16, v: &Value) {
    static DOC: OnceLock<Value> = OnceLock::new();
    let doc = DOC.get_or_init(|| get_json("/api/openapi.json"));
    let schema = &doc["paths"][route][method]["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "{method} {route} {status}: no schema");
    conforms(doc, schema, v, &format!("{method} {route} {status}")).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_response_is_described_by_a_schema() {
    let doc = get_json("/api/openapi.json");
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for (status, r) in op["responses"].as_object().unwrap() {
                let content = r["content"].as_object();
                if status == "204" {
                    assert!(content.is_none(), "{method} {path} {status}: no body");
                    continue;
                }
                let content = content.unwrap_or_else(|| panic!("{method} {path} {status}: no content"));
                for (ctype, c) in content {
                    let schema = resolve(&doc, &c["schema"]);
                    let bare = schema.as_object().is_some_and(|o| o.len() == 1 && schema["type"] == "object");
                    let described = !schema.is_null()
                        && !bare
                        && (schema["properties"].is_object()
                            || schema["type"] != "object"
                            || schema["allOf"].is_array()
                            || schema["oneOf"].is_array());
                    assert!(described, "{method} {path} {status} {ctype}: a bare schema {schema}");
                }
            }
        }
    }
}

#[test]
fn the_answers_conform_to_their_schemas() {
    let doc = get_json("/api/openapi.json");
    let base = &server().base;
    let one_event = get_json("/api/events?limit=1")["events"][0]["event_id"].as_str().unwrap().to_string();
    let one_article = get_json(&format!("/api/events/{one_event}"))["articles"][0]["id"].as_str().unwrap().to_string();
    let one_fused = get_json("/api/fused?limit=1")["fused"][0]["id"].as_str().unwrap().to_string();
    let mut checked = 0;
    for (route, url, status) in [
        ("/api/events", "/api/events?limit=1000".to_string(), 200),
        ("/api/events", "/api/events?colour=red".to_string(), 400),
        ("/api/events/{id}", format!("/api/events/{one_event}"), 200),
        ("/api/events/{id}", "/api/events/nope".to_string(), 404),
        ("/api/articles/{id}", format!("/api/articles/{one_article}"), 200),
        ("/api/search", "/api/search?q=Aleppo".to_string(), 200),
        ("/api/search", "/api/search".to_string(), 400),
        ("/api/actors", "/api/actors".to_string(), 200),
        ("/api/places", "/api/places".to_string(), 200),
        ("/api/stats", "/api/stats".to_string(), 200),
        ("/api/fused", "/api/fused".to_string(), 200),
        ("/api/fused/{id}", format!("/api/fused/{one_fused}"), 200),
        ("/api/changes", "/api/changes".to_string(), 200),
        ("/api/points", "/api/points?new_since=2000-01-01T00:00:00Z".to_string(), 200),
        ("/api/timeline", "/api/timeline".to_string(), 200),
        ("/api/control", "/api/control".to_string(), 200),
        ("/api/control", "/api/control?date=2016-06-01".to_string(), 200),
        ("/api/control", "/api/control?date=June".to_string(), 400),
        ("/healthz", "/healthz".to_string(), 200),
        ("/api/openapi.json", "/api/openapi.json".to_string(), 200),
    ] {
        let (got, body) = get(&format!("{base}{url}"));
        assert_eq!(got, status, "{url}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let schema = &doc["paths"][route]["get"]["responses"][status.to_string()]["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "{route} {status}: no schema");
        conforms(&doc, schema, &v, url.as_str()).unwrap_or_else(|e| panic!("{e}"));
        checked += 1;
    }
    assert_eq!(checked, 20);
    // A schema that does not fit is caught (the check checks).
    let page = &doc["paths"]["/api/events"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(conforms(&doc, page, &serde_json::json!({"total": 1, "count": 1, "next_cursor": null, "events": [], "extra": 1}), "x").is_err());
    assert!(conforms(&doc, page, &serde_json::json!({"total": "1", "count": 1, "next_cursor": null, "events": []}), "x").is_err());
}

#[test]
fn the_page_and_its_assets_are_served() {
    let base = &server().base;
    let page = ureq::get(&format!("{base}/")).call().unwrap();
    assert!(page.content_type().starts_with("text/html"));
    let html = page.into_string().unwrap();
    for asset in ["vendor/leaflet/leaflet.js", "vendor/leaflet.markercluster/leaflet.markercluster.js", "app.js", "app.css"] {
        assert!(html.contains(asset), "the page loads {asset}");
        let r = ureq::get(&format!("{base}/{asset}")).call().unwrap();
        assert_eq!(r.status(), 200, "{asset}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "no CDN, nothing fetched from the internet");
    // The offline basemap: countries and Syria's governorates.
    let app = ureq::get(&format!("{base}/app.js")).call().unwrap().into_string().unwrap();
    assert!(app.contains("basemap.geojson"));
    let basemap: Value = ureq::get(&format!("{base}/basemap.geojson")).call().unwrap().into_json().unwrap();
    let kinds: Vec<&str> = basemap["features"].as_array().unwrap().iter().map(|f| f["properties"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "governorate").count(), 14);
    assert!(kinds.contains(&"country"));
}

fn post(base: &str, token: Option<&str>, ctype: &str, body: &[u8]) -> (u16, Value) {
    let mut req = ureq::post(&format!("{base}/api/articles")).set("Content-Type", ctype);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let (status, text) = match req.send_bytes(body) {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    };
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")))
}

#[test]
fn posting_articles_needs_the_token() {
    // The shared server has no token: read-only.
    let (status, v) = post(&server().base, Some("anything"), "application/json", b"{\"title\":\"t\",\"text\":\"x\"}");
    assert_eq!(status, 403, "{v}");

    let dir = tempfile::tempdir().unwrap();
    let base = start(dir.path().join("w.db"), Some(TOKEN), 4096);
    let article = br#"{"title":"Marea falls","text":"ISIS militants captured the town of Marea on 3 May 2016, killing 12 rebels.","url":"https://example.org/marea","source":"Example News"}"#;
    assert_eq!(post(&base, None, "application/json", article).0, 401);
    assert_eq!(post(&base, Some("wrong"), "application/json", article).0, 401);
    let (status, v) = post(&base, Some(TOKEN), "application/json", article);
    assert_eq!(status, 201, "{v}");
    assert_eq!((v["new"].as_u64(), v["events_added"].as_u64()), (Some(1), Some(1)));
    // The same article again: stored already.
    let (status, v) = post(&base, Some(TOKEN), "application/json", article);
    assert_eq!((status, v["unchanged"].as_u64()), (200, Some(1)));
    // JSON Lines, two articles, one of them broken.
    let lines =
        b"{\"title\":\"a\",\"text\":\"Regime warplanes bombed the town of Saraqeb on 5 May 2016, killing 4 civilians.\"}\n{not json}\n";
    let (status, v) = post(&base, Some(TOKEN), "application/x-ndjson", lines);
    assert_eq!(status, 201, "{v}");
    assert_eq!((v["new"].as_u64(), v["failed"].as_array().unwrap().len()), (Some(1), 1));
    let (_, h) = get(&format!("{base}/healthz"));
    assert_eq!(serde_json::from_str::<Value>(&h).unwrap()["articles"], 2);
    // Too large, empty, unsupported, unreadable.
    assert_eq!(post(&base, Some(TOKEN), "application/json", &vec![b' '; 5000]).0, 413);
    assert_eq!(post(&base, Some(TOKEN), "application/json", b"  ").0, 400);
    assert_eq!(post(&base, Some(TOKEN), "image/png", b"\x89PNG").0, 415);
    assert_eq!(post(&base, Some(TOKEN), "application/json", b"{\"title\": 3").0, 400);
}

#[test]
fn compressed_bodies_and_warc_crawls_are_posted() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(dir.path().join("w.db"), Some(TOKEN), 1 << 20);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let gz = std::fs::read(fixtures.join("compressed/seeds.jsonl.gz")).unwrap();
    let (status, v) = post(&base, Some(TOKEN), "application/gzip", &gz);
    assert_eq!((status, v["new"].as_u64()), (201, Some(3)), "{v}");
    // Content-Encoding on a typed body.
    let page = std::fs::read(fixtures.join("compressed/sciencealert.com.html.gz")).unwrap();
    let r = ureq::post(&format!("{base}/api/articles"))
        .set("Content-Type", "text/html")
        .set("Content-Encoding", "gzip")
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .send_bytes(&page)
        .unwrap();
    let v: Value = r.into_json().unwrap();
    assert_eq!(v["new"].as_u64(), Some(1), "{v}");
    // A crawl: its two whole pages (the sciencealert one stored already), the cut record one
    // failure.
    let warc = std::fs::read(fixtures.join("warc/crawl.warc.gz")).unwrap();
    let (status, v) = post(&base, Some(TOKEN), "application/warc", &warc);
    assert_eq!(status, 201, "{v}");
    assert_eq!((v["read"].as_u64(), v["new"].as_u64(), v["unchanged"].as_u64()), (Some(2), Some(1), Some(1)), "{v}");
    assert!(v["failed"].as_array().is_some_and(|f| f.len() == 1 && f[0]["input"] == "request.warc#8"), "{v}");
    // A bomb: refused at the document limit, one failure, nothing stored.
    let bomb = std::fs::read(fixtures.join("compressed/bomb.html.gz")).unwrap();
    let (status, v) = post(&base, Some(TOKEN), "application/gzip", &bomb);
    assert_eq!(status, 400, "{v}");
    assert!(v["error"].as_str().is_some_and(|e| e.contains("decompresses to over 10485760 bytes")), "{v}");
    let (_, h) = get(&format!("{base}/healthz"));
    assert_eq!(serde_json::from_str::<Value>(&h).unwrap()["articles"], 5);
}

#[test]
fn a_store_that_cannot_open_stops_the_server_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    let config = sitrep_server::Config {
        db: sitrep_core::store::Location::sqlite(junk),
        addr: "127.0.0.1:0".parse().unwrap(),
        token: None,
        max_body: 1024,
        limits: Default::default(),
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt.block_on(sitrep_server::serve(config, std::future::pending())).unwrap_err();
    assert!(err.to_string().contains("not a sitrep database") || err.to_string().contains("not an SQLite"), "{err}");
    // The store is untouched.
    assert_eq!(std::fs::read(dir.path().join("junk.db")).unwrap(), vec![b'x'; 8192]);
    let _ = SqliteStore::open(&dir.path().join("ok.db")).unwrap().counts().unwrap();
}

#[test]
fn fused_events_changes_and_control() {
    let fused = get_json("/api/fused?limit=1000");
    let list = fused["fused"].as_array().unwrap();
    assert_eq!(list.len(), 16, "the seeds' events are each their own event (no two outlets tell one)");
    let id = list[0]["id"].as_str().unwrap();
    assert_eq!(get_json(&format!("/api/fused/{id}"))["id"], id);
    assert_eq!(error("/api/fused/nope").0, 404);
    let page = get_json("/api/fused?limit=4");
    assert_eq!(page["next_cursor"], "o4");
    assert_eq!(get_json("/api/fused?min_sources=2")["count"], 0);
    let changes = get_json("/api/changes?since=2000-01-01");
    assert_eq!(changes["count"], 16);
    assert!(changes["changes"].as_array().unwrap().iter().all(|c| c["kind"] == "created"));
    assert_eq!(get_json("/api/changes?since=2999-01-01T00:00:00Z")["count"], 0);
    // Without since or cursor: from the start.
    assert_eq!(get_json("/api/changes")["changes"], changes["changes"]);
    assert_eq!(error("/api/changes?since=last%20week").0, 400);
    let ahras = get_json("/api/control?place=Ahras");
    let e = &ahras["timelines"][0]["entries"][0];
    assert_eq!(
        (e["taker"].as_str(), e["retaken_by"].as_str(), e["status"].as_str()),
        (Some("Islamic State"), Some("Syrian rebels"), Some("contested"))
    );
    let held = get_json("/api/control?date=2016-06-01");
    assert!(held["held"].as_array().unwrap().iter().any(|h| h["place"] == "Marea" && h["holder"] == "Islamic State"));
    assert_eq!(error("/api/control?date=June").0, 400);
    // An article says how its claims fare.
    let a = get_json(&format!("/api/articles/{}", list[0]["articles"][0].as_str().unwrap()));
    assert!(a["credibility"]["reason"].as_str().unwrap().contains("uncorroborated"));
    // ... and what the credibility model makes of its text, with reasons.
    let p = a["credibility_model"]["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p), "{}", a["credibility_model"]);
    assert!(!a["credibility_model"]["reasons"].as_array().unwrap().is_empty());
    // A fused event's credibility combines its reports' scores with corroboration.
    let c = &list[0]["credibility"];
    assert!(c["reports"].as_f64().is_some() && c["corroboration"].as_f64().is_some(), "{c}");
    assert!(c["reasons"].as_array().unwrap().len() > list[0]["articles"].as_array().unwrap().len(), "{c}");
    assert_eq!(get_json(&format!("/api/fused/{}", list[0]["id"].as_str().unwrap()))["credibility"], *c);
    // An event names its fused event and that credibility, for the map's card.
    let ev = get_json(&format!("/api/events/{}", list[0]["events"][0].as_str().unwrap()));
    assert_eq!(ev["fused"]["id"], list[0]["id"]);
    assert_eq!(ev["fused"]["credibility"], *c);
}

#[test]
fn concurrent_posts_leave_fusion_as_a_full_run_would() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let base = start(db.clone(), Some(TOKEN), 1 << 20);
    let towns = ["Azaz", "Manbij", "Saraqeb", "Jarablus"];
    let outlets = ["Reuters", "SANA", "AFP"];
    let threads: Vec<_> = towns
        .iter()
        .enumerate()
        .flat_map(|(i, town)| outlets.iter().map(move |outlet| (i, *town, *outlet)))
        .map(|(i, town, outlet)| {
            let base = base.clone();
            let body = serde_json::json!({
                "title": format!("Blast in {town}"),
                "text": format!("A car bomb exploded in the town of {town} on {} May 2016, killing {} people.", 3 + i, 10 + i),
                "url": format!("https://{}.example/{town}", outlet.to_lowercase()),
                "source": outlet,
            })
            .to_string();
            std::thread::spawn(move || post(&base, Some(TOKEN), "application/json", body.as_bytes()))
        })
        .collect();
    for t in threads {
        let (status, v) = t.join().unwrap();
        assert_eq!(status, 201, "{v}");
    }
    let (_, text) = get(&format!("{base}/api/fused?min_sources=3"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["fused"].as_array().map(Vec::len), Some(4), "{v}");
    // A full fusion of the store finds nothing to change.
    let mut store = sitrep_core::store::SqliteStore::open(&db).unwrap();
    let c = sitrep_core::fuse::refuse(&mut store, sitrep_core::Knowledge::builtin()).unwrap();
    assert_eq!((c.created, c.updated, c.merged, c.deleted), (0, 0, 0, 0), "{c:?}");
}

/// Exports stream every matching event unless a limit is given (the JSON page stays 100).
#[test]
fn exports_stream_every_event_by_default() {
    let base = &server().base;
    for (format, ctype) in
        [("acled", "text/csv"), ("csv", "text/csv"), ("jsonl", "application/x-ndjson"), ("geojson", "application/geo+json")]
    {
        let r = ureq::get(&format!("{base}/api/events?format={format}")).call().unwrap();
        assert!(r.content_type().starts_with(ctype), "{format}: {}", r.content_type());
        assert_eq!(r.header("x-total-count"), Some("16"));
        assert_eq!(r.header("x-next-cursor"), Some(""));
        let body = r.into_string().unwrap();
        let rows = match format {
            "acled" | "csv" => csv::Reader::from_reader(body.as_bytes()).records().inspect(|r| assert!(r.is_ok())).count(),
            "jsonl" => body.lines().inspect(|l| assert!(serde_json::from_str::<Value>(l).is_ok())).count(),
            _ => serde_json::from_str::<Value>(&body).unwrap()["features"].as_array().unwrap().len(),
        };
        assert_eq!(rows, 16, "{format}");
    }
    // A limit and a cursor still page an export.
    let first = ureq::get(&format!("{base}/api/events?format=jsonl&limit=12")).call().unwrap();
    let next = first.header("x-next-cursor").unwrap().to_string();
    assert!(!next.is_empty());
    let r = ureq::get(&format!("{base}/api/events?format=jsonl&limit=4&cursor={next}")).call().unwrap();
    assert_eq!(r.header("x-next-cursor"), Some(""));
    assert_eq!(r.into_string().unwrap().lines().count(), 4);
    // ACLED's integer columns are integers on every row.
    let body = ureq::get(&format!("{base}/api/events?format=acled")).call().unwrap().into_string().unwrap();
    let mut rdr = csv::Reader::from_reader(body.as_bytes());
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    for r in rdr.records() {
        let r = r.unwrap();
        for name in ["year", "inter1", "inter2", "interaction", "iso", "geo_precision", "timestamp"] {
            let v = &r[headers.iter().position(|h| h == name).unwrap()];
            assert!(v.parse::<i64>().is_ok(), "{name} = {v:?}");
        }
    }
    // Flat GeoJSON: plain properties only.
    let fc: Value = ureq::get(&format!("{base}/api/events?format=geojson&flat=true")).call().unwrap().into_json().unwrap();
    for f in fc["features"].as_array().unwrap() {
        assert!(f["properties"].as_object().unwrap().values().all(|v| !v.is_object() && !v.is_array()), "{f}");
    }
    assert_eq!(error("/api/events?format=csv&flat=true").0, 400);
    assert_eq!(get_json("/api/events")["count"], 16);
}

#[test]
fn empty_values_are_absent_everywhere_and_big_numbers_are_not_wrapped() {
    for path in [
        "/api/events?until=&since=&type=&min_fatalities=&limit=&cursor=&format=&flat=&sort=",
        "/api/fused?min_sources=&limit=&cursor=",
        "/api/changes?since=&cursor=&limit=",
        "/api/places?limit=",
        "/api/search?q=Aleppo&limit=",
        "/api/control?date=&place=&admin1=",
        "/api/points?until=&type=&limit=",
        "/api/timeline?since=&actor=",
    ] {
        let (status, body) = get(&format!("{}{path}", server().base));
        assert_eq!(status, 200, "{path}: {body}");
    }
    assert!(!get_json("/api/fused?min_sources=1")["fused"].as_array().unwrap().is_empty());
    assert_eq!(get_json("/api/fused?min_sources=18446744073709551615")["count"], 0);
    let (status, msg) = error("/api/events?type=Battle");
    assert_eq!(status, 400);
    assert!(msg.contains("Battles") && msg.contains("Riots"), "{msg}");
}

#[test]
fn points_and_timeline_for_the_map() {
    let all = get_json("/api/events?limit=1000");
    let events = all["events"].as_array().unwrap();
    let placed = events.iter().filter(|e| e["latitude"].is_number()).count();
    let p = get_json("/api/points");
    assert_eq!(p["total"], 16);
    assert_eq!(p["count"].as_u64(), Some(placed as u64));
    assert_eq!(p["truncated"], false);
    let first = &p["points"][0];
    let id = first[0].as_str().unwrap();
    let e = events.iter().find(|e| e["event_id"] == id).unwrap();
    assert_eq!(first[1].as_f64(), e["latitude"].as_f64());
    assert_eq!(p["types"][first[3].as_u64().unwrap() as usize], e["event_type"]);
    assert_eq!(get_json("/api/points?limit=2")["truncated"], true);
    let t = get_json("/api/timeline");
    let dated = events.iter().filter(|e| e["event_date"].is_string()).count() as u64;
    let days = t["days"].as_array().unwrap();
    assert_eq!(days.iter().map(|d| d[1].as_u64().unwrap()).sum::<u64>(), dated);
    assert_eq!(t["dated"].as_u64(), Some(dated));
    let battles = get_json("/api/timeline?type=Battles")["dated"].as_u64().unwrap();
    assert!(battles < dated);
    assert_eq!(error("/api/points?limit=300000").0, 400);
}

#[test]
fn a_favicon_is_served() {
    let r = ureq::get(&format!("{}/favicon.ico", server().base)).call().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.content_type().starts_with("image/"), "{}", r.content_type());
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).unwrap();
    assert!(bytes.starts_with(&[0, 0, 1, 0]), "an ICO file");
}

/// 1,500 articles in one request: their changes share one timestamp; paging with the cursor
/// gets every change exactly once (a client resuming from `since` = the last `at` used to skip
/// the rest of the run for good).
#[test]
fn the_change_feed_pages_through_a_large_ingest_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feed.db");
    let base = start(db.clone(), Some(TOKEN), 16 << 20);
    const OUTLETS: [&str; 5] = ["Reuters", "SANA", "AFP", "Alalam", "ARA News"];
    let towns = ["Azaz", "Manbij", "Saraqeb", "Jarablus", "Douma", "Marea", "Tadef", "Dabiq"];
    let mut body = String::new();
    for i in 0..1500 {
        // A town, day and month of its own for each: 1,500 distinct events.
        let town = towns[(i / 336) % towns.len()];
        let month =
            ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
                [(i / 28) % 12];
        let line = serde_json::json!({
            "title": format!("Report {i}"),
            "text": format!("A car bomb exploded in the town of {town} on {} {month} 2016, killing {} people.", 1 + i % 28, 2 + i % 97),
            "url": format!("https://outlet{}.example/{i}", i % 5),
            "source": OUTLETS[i % 5],
        });
        body.push_str(&line.to_string());
        body.push('\n');
    }
    let (status, summary) = post(&base, Some(TOKEN), "application/x-ndjson", body.as_bytes());
    assert_eq!(status, 201, "{summary}");
    assert_eq!(summary["new"], 1500);
    let store = SqliteStore::open(&db).unwrap();
    let want = store.changes_after(0, 100_000).unwrap();
    assert!(want.len() > 1000, "more changes than one old page: {}", want.len());
    assert!(want.iter().all(|c| c.at == want[0].at), "one run, one timestamp");
    let mut seen: Vec<i64> = Vec::new();
    let mut cursor = "0".to_string();
    loop {
        let (status, text) = get(&format!("{base}/api/changes?cursor={cursor}&limit=100"));
        assert_eq!(status, 200, "{text}");
        let page: Value = serde_json::from_str(&text).unwrap();
        let changes = page["changes"].as_array().unwrap();
        seen.extend(changes.iter().map(|c| c["seq"].as_i64().unwrap()));
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if !page["more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(seen, want.iter().map(|c| c.seq).collect::<Vec<_>>(), "every change, once, in order");
    // `since` the run's time includes it.
    let (_, text) = get(&format!("{base}/api/changes?since={}&limit=100000", want[0].at));
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["count"].as_u64(), Some(want.len() as u64));
    assert_eq!(error_at(&base, "/api/changes?since=2016-01-01&cursor=3").0, 400);
}

fn error_at(base: &str, path: &str) -> (u16, String) {
    let (status, body) = get(&format!("{base}{path}"));
    let v: Value = serde_json::from_str(&body).unwrap();
    (status, v["error"].as_str().unwrap_or("").to_string())
}

#[test]
fn bad_search_syntax_is_a_400_naming_the_parameter_and_no_path() {
    for q in ["%22", "*", "-Aleppo", "car%22bomb"] {
        for (path, param) in [
            (format!("/api/events?text={q}"), "text"),
            (format!("/api/events?text={q}&format=csv"), "text"),
            (format!("/api/points?text={q}"), "text"),
            (format!("/api/timeline?text={q}"), "text"),
            (format!("/api/search?q={q}"), "q"),
        ] {
            let (status, msg) = error(&path);
            assert_eq!(status, 400, "{path}: {msg}");
            assert!(msg.starts_with(&format!("parameter {param}: bad search query")), "{path}: {msg}");
            assert!(!msg.contains(".db") && !msg.contains('/'), "{path}: a path shown: {msg}");
        }
    }
}

#[test]
fn a_1500_term_query_is_answered_at_once() {
    let terms = vec!["Aleppo"; 1500].join("%20OR%20");
    for path in [format!("/api/search?q={terms}"), format!("/api/events?text={terms}")] {
        let (status, msg) = error(&path);
        assert_eq!(status, 400, "{msg}");
        assert!(msg.contains("1500 terms, at most 64"), "{msg}");
    }
    // The server is free for others.
    assert_eq!(get_json("/healthz")["status"], "ok");
}

#[test]
fn a_half_open_request_is_closed_and_does_not_hold_shutdown() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let limits = sitrep_server::Limits {
        header_timeout: std::time::Duration::from_secs(1),
        body_idle_timeout: std::time::Duration::from_secs(1),
        shutdown_grace: std::time::Duration::from_secs(2),
        ..sitrep_server::Limits::default()
    };
    let (base, stop, thread) = start_stoppable(seeded_db(dir.path()), Some(TOKEN), limits);
    // Headers never finished: closed after the header timeout (before: open for ever).
    let mut slow = raw(&base);
    slow.write_all(b"GET /api/stats HTTP/1.1\r\nHost: x\r\n").unwrap();
    let answer = read_all(&mut slow).expect("the server closes a half-open request");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    // A POST announcing 10 GB: refused before its body, with 401 without the token, 413 with it.
    for (auth, code) in [("", "401"), ("Authorization: Bearer test-token-123\r\n", "413")] {
        let mut big = raw(&base);
        let head =
            format!("POST /api/articles HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: text/plain\r\nContent-Length: 10000000000\r\n\r\n");
        big.write_all(head.as_bytes()).unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(&mut big), &mut line).unwrap();
        assert!(line.starts_with(&format!("HTTP/1.1 {code}")), "{auth}: {line}");
    }
    // A body that stops coming: 408 after the body's idle timeout (before: held for ever).
    let mut stalled = raw(&base);
    stalled
        .write_all(b"POST /api/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token-123\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nA few byt")
        .unwrap();
    let answer = read_all(&mut stalled).expect("the server answers a stalled body");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("too slowly"), "{answer}");
    // Another half-open connection, then shutdown: the server ends anyway.
    let mut held = raw(&base);
    held.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let idle = raw(&base);
    stop.send(()).unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        thread.join().unwrap();
        done_tx.send(()).unwrap();
    });
    done_rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the server ended despite open connections");
    drop((held, idle));
}

/// A store of many events: the seeds' events copied under new ids (no extraction).
fn large_db(dir: &Path, copies: usize) -> PathBuf {
    let db = dir.join("large.db");
    let mut store = SqliteStore::open(&db).unwrap();
    let (inputs, _) = sitrep_core::read::expand(&[seeds().display().to_string()]);
    let mut seeds = Vec::new();
    for input in &inputs {
        sitrep_core::read::read_input(input, &Default::default(), &mut |r| {
            let a = r.unwrap();
            let events = sitrep_core::events_of(&a);
            seeds.push((a, events));
        });
    }
    let mut batch = Vec::new();
    for i in 0..copies {
        for (a, events) in &seeds {
            let mut a = a.clone();
            a.id = format!("{}{i:06}", &a.id[..10]);
            a.url = None;
            a.input = format!("copy{i}-{}", a.input);
            let events = events
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    let mut e = e.clone();
                    e.article_id = a.id.clone();
                    e.event_id = format!("{}-{}", a.id, k + 1);
                    e
                })
                .collect();
            batch.push((a, events));
        }
        if batch.len() >= 500 {
            store.put_batch(&batch).unwrap();
            batch.clear();
        }
    }
    store.put_batch(&batch).unwrap();
    db
}

#[test]
fn a_query_over_its_budget_is_a_503_and_frees_its_connection() {
    let dir = tempfile::tempdir().unwrap();
    let db = large_db(dir.path(), 100);
    // No time at all: any query of more than a few rows is stopped at its first check.
    let limits = sitrep_server::Limits { query_budget: std::time::Duration::ZERO, ..sitrep_server::Limits::default() };
    let (base, stop, thread) = start_stoppable(db, None, limits);
    // More requests than pooled connections: each is answered (a stopped query gives its
    // connection back).
    for _ in 0..12 {
        let (status, msg) = error_at(&base, "/api/timeline");
        assert_eq!(status, 503, "{msg}");
        assert!(msg.contains("over its time budget of 0 s per query"), "{msg}");
    }
    stop.send(()).unwrap();
    thread.join().unwrap();
}

/// A request with a method, a token and a JSON body: (status, body).
fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>) -> (u16, String) {
    let mut req = ureq::request(method, url).set("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let r = match body {
        Some(b) => req.send_string(b),
        None => req.call(),
    };
    match r {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn alerts_over_the_api_deliver_a_signed_webhook_after_a_post() {
    use sitrep_core::localhttp::{Response, Server};
    let hook = Server::start(|_| Response::new(204, "text/plain", "")).unwrap();
    // The read-only server has no alerts to show.
    assert_eq!(call("GET", &format!("{}/api/alerts", server().base), None, None).0, 403);
    let dir = tempfile::tempdir().unwrap();
    let base = start(dir.path().join("w.db"), Some(TOKEN), 1 << 16);
    let alerts = format!("{base}/api/alerts");
    assert_eq!(call("GET", &alerts, None, None).0, 401);
    let body = format!(r#"{{"name":"deadly","min_fatalities":10,"webhook":"{}","secret":"k"}}"#, hook.url("/h"));
    let (status, v) = call("POST", &alerts, Some(TOKEN), Some(&body));
    assert_eq!(status, 201, "{v}");
    let v: Value = serde_json::from_str(&v).unwrap();
    check_answer("post", "/api/alerts", 201, &v);
    assert_eq!((v["name"].as_str(), v["secret"].as_str()), (Some("deadly"), Some("k")));
    let (status, v) = call("POST", &alerts, Some(TOKEN), Some(&body));
    assert_eq!(status, 400, "a name taken: {v}");
    let (status, v) = call("POST", &alerts, Some(TOKEN), Some(r#"{"name":"x","type":"Battle","webhook":"http://127.0.0.1:9/"}"#));
    assert!(status == 400 && v.contains("Battle"), "{v}");
    let (status, _) = call("POST", &alerts, Some(TOKEN), Some(r#"{"name":"x","file":"/etc/passwd","webhook":"http://127.0.0.1:9/"}"#));
    assert_eq!(status, 400, "no file sinks over the API");

    let article = br#"{"title":"Marea falls","text":"ISIS militants captured the town of Marea on 3 May 2016, killing 12 rebels.","source":"Example News"}"#;
    let (status, stored) = post(&base, Some(TOKEN), "application/json", article);
    assert_eq!(status, 201);
    check_answer("post", "/api/articles", 201, &stored);
    let end = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while hook.requests().is_empty() && std::time::Instant::now() < end {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let got = hook.requests();
    assert_eq!(got.len(), 1);
    assert!(sitrep_core::alerts::verify("k", &got[0].body, got[0].header("x-sitrep-signature").unwrap()));
    let (status, list) = call("GET", &alerts, Some(TOKEN), None);
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&list).unwrap();
    check_answer("get", "/api/alerts", 200, &list);
    assert_eq!(list["alerts"][0]["name"], "deadly");
    assert!(list["alerts"][0].get("secret").is_none(), "the secret is never listed");
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, l) = call("GET", &alerts, Some(TOKEN), None);
        let l: Value = serde_json::from_str(&l).unwrap();
        if l["alerts"][0]["deliveries"]["delivered"] == 1 || std::time::Instant::now() > end {
            assert_eq!(l["alerts"][0]["deliveries"]["delivered"], 1, "{l}");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(call("DELETE", &format!("{alerts}/deadly"), Some(TOKEN), None).0, 204);
    assert_eq!(call("DELETE", &format!("{alerts}/deadly"), Some(TOKEN), None).0, 404);
}

#[test]
fn points_tell_what_arrived_since_a_last_look() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(dir.path().join("w.db"), Some(TOKEN), 1 << 16);
    let azaz =
        br#"{"title":"Azaz","text":"ISIS militants captured the town of Azaz on 3 May 2016, killing 3 rebels.","source":"Example News"}"#;
    assert_eq!(post(&base, Some(TOKEN), "application/json", azaz).0, 201);
    let (_, first) = call("GET", &format!("{base}/api/points"), None, None);
    let first: Value = serde_json::from_str(&first).unwrap();
    let seen = first["newest"].as_str().unwrap().to_string();
    assert_eq!(first["new"], serde_json::json!([]), "no new_since: nothing marked");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let manbij = br#"{"title":"Manbij","text":"ISIS militants captured the town of Manbij on 4 May 2016, killing 5 rebels.","source":"Example News"}"#;
    assert_eq!(post(&base, Some(TOKEN), "application/json", manbij).0, 201);
    let (status, later) = call("GET", &format!("{base}/api/points?new_since={seen}"), None, None);
    assert_eq!(status, 200, "{later}");
    let later: Value = serde_json::from_str(&later).unwrap();
    let new = later["new"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{later}");
    let i = new[0].as_u64().unwrap() as usize;
    assert_eq!(later["points"][i][6], "Manbij");
    assert!(later["newest"].as_str().unwrap() > seen.as_str());
    assert_eq!(call("GET", &format!("{base}/api/points?new_since=yesterday"), None, None).0, 400);
}

/// Articles for the keyset tests: one event each, town, day, month and toll varying (every
/// tenth of the first thousand undated), `start..end` numbering them (their texts and URLs distinct).
fn keyset_reports(range: std::ops::Range<usize>, year: u32, killed: Option<usize>) -> String {
    const MONTHS: [&str; 12] =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    const OUTLETS: [&str; 5] = ["Reuters", "SANA", "AFP", "Alalam", "ARA News"];
    let towns = ["Azaz", "Manbij", "Saraqeb", "Jarablus", "Douma", "Marea", "Tadef", "Dabiq"];
    let mut body = String::new();
    for i in range {
        let town = towns[i % towns.len()];
        let when = if i % 10 == 9 && i < 1000 { String::new() } else { format!(" on {} {} {year}", 1 + i % 28, MONTHS[(i / 7) % 12]) };
        let line = serde_json::json!({
            "title": format!("Report {i}"),
            "text": format!("A car bomb exploded in the town of {town}{when}, killing {} people.", killed.unwrap_or(2 + i % 13)),
            "url": format!("https://keyset{}.example/{i}", i % 5),
            "source": OUTLETS[i % 5],
        });
        body.push_str(&line.to_string());
        body.push('\n');
    }
    body
}

/// Pages `/api/events?sort=...` from `cursor` (None: the start) `limit` at a time to the end:
/// the ids in order and the pages' totals.
fn page_all(base: &str, sort: &str, limit: usize, cursor: Option<String>) -> (Vec<String>, Vec<u64>) {
    let (mut seen, mut totals, mut cursor) = (Vec::new(), Vec::new(), cursor);
    loop {
        let c = cursor.as_deref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (status, text) = get(&format!("{base}/api/events?sort={sort}&limit={limit}{c}"));
        assert_eq!(status, 200, "{text}");
        let page: Value = serde_json::from_str(&text).unwrap();
        assert!(page["count"].as_u64().unwrap() <= limit as u64);
        totals.push(page["total"].as_u64().unwrap());
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (seen, totals),
        }
    }
}

/// Keyset cursors: a few hundred events (ties on date and toll, some undated) paged 7 at a time
/// under each sort give every event once, in the order of one unpaged query; events stored
/// between two pages that sort before the cursor neither repeat nor skip a row after it; a
/// cursor of another sort, damaged or forged, is a 400.
#[test]
fn keyset_cursors_page_every_event_once_under_each_sort() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(dir.path().join("keyset.db"), Some(TOKEN), 16 << 20);
    let (status, summary) = post(&base, Some(TOKEN), "application/x-ndjson", keyset_reports(0..300, 2016, None).as_bytes());
    assert_eq!(status, 201, "{summary}");
    let unpaged = |sort: &str| {
        let (status, text) = get(&format!("{base}/api/events?sort={sort}&limit=100000"));
        assert_eq!(status, 200, "{text}");
        ids(&serde_json::from_str(&text).unwrap())
    };
    let mut added = 0;
    for (sort, year, killed) in [("date", 2017, None), ("date_asc", 2015, None), ("fatalities", 2016, Some(900))] {
        let all = unpaged(sort);
        assert!(all.len() >= 300 + added, "{sort}: {}", all.len());
        let (seen, totals) = page_all(&base, sort, 7, None);
        assert_eq!(seen, all, "{sort}: paged = unpaged");
        assert!(totals.iter().all(|t| *t == all.len() as u64), "{sort}: {totals:?}");

        // Page one; then events that sort before its last row; then the rest from its cursor.
        let (status, text) = get(&format!("{base}/api/events?sort={sort}&limit=10"));
        assert_eq!(status, 200);
        let first: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ids(&first), all[..10]);
        let cursor = first["next_cursor"].as_str().unwrap().to_string();
        let n = 1000 + added;
        let (status, summary) = post(&base, Some(TOKEN), "application/x-ndjson", keyset_reports(n..n + 5, year, killed).as_bytes());
        assert_eq!(status, 201, "{summary}");
        added += 5;
        let now = unpaged(sort);
        assert_eq!(now.len(), all.len() + 5);
        let new: Vec<usize> = (0..now.len()).filter(|i| !all.contains(&now[*i])).collect();
        assert_eq!(new, [0, 1, 2, 3, 4], "{sort}: the new events sort first");
        let (rest, totals) = page_all(&base, sort, 7, Some(cursor.clone()));
        assert_eq!(rest, all[10..], "{sort}: the pages after the cursor are as they were");
        assert!(totals.iter().all(|t| *t == now.len() as u64), "{sort}: total counts every match: {totals:?}");

        // A cursor continues only its own sort.
        let other = if sort == "date" { "fatalities" } else { "date" };
        let (status, msg) = error_at(&base, &format!("/api/events?sort={other}&cursor={cursor}"));
        assert_eq!(status, 400, "{msg}");
        assert!(msg.contains("parameter cursor") && msg.contains(&format!("made under sort={sort}")), "{msg}");
    }
    // Damaged or forged.
    let (status, text) = get(&format!("{base}/api/events?sort=date&limit=3"));
    assert_eq!(status, 200);
    let good = serde_json::from_str::<Value>(&text).unwrap()["next_cursor"].as_str().unwrap().to_string();
    for bad in [format!("{good}x"), good[..good.len() - 2].to_string(), good.replace('e', "f"), "o3".into(), "%22%27".into()] {
        let (status, msg) = error_at(&base, &format!("/api/events?cursor={bad}"));
        assert_eq!(status, 400, "{bad}: {msg}");
        assert!(msg.starts_with("parameter cursor"), "{bad}: {msg}");
    }
}
