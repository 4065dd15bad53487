// sitrep's map page: events on an offline basemap, a brushable timeline, filters kept in the
// URL, and an event card with the evidence highlighted in its article. Talks only to this
// server's /api; every text from the API is set as text, never as HTML.
"use strict";

const COLORS = {
  "Battles": "#d62728",
  "Explosions/Remote violence": "#ff7f0e",
  "Violence against civilians": "#9467bd",
  "Protests": "#2ca02c",
  "Riots": "#8c564b",
  "Strategic developments": "#1f77b4",
};
const PRECISION = { 1: "the place itself", 2: "near the place, or part of a region", 3: "the region only" };
// Above this many markers they are clustered; below, each is drawn (and clickable) on its own.
const CLUSTER_ABOVE = 300;
// The most points the page asks for (the server's cap too); beyond, the status line says so.
const MAX_POINTS = 200000;
// Clusters open up into single markers from this zoom on; the map's own limit is above it
// (the cluster plugin needs a maxZoom to work at all).
const MAX_ZOOM = 14;
const UNCLUSTER_AT = 12;

const state = { type: "", actor: "", text: "", since: "", until: "", event: "", control: "" };
// Colours of the usual holders on the control layer; others grey.
const HOLDERS = {
  "Islamic State": "#111111",
  "Syrian government forces": "#c62828",
  "Syrian rebels": "#2e7d32",
  "Syrian Democratic Forces": "#f9a825",
  "Nusra Front": "#6d4c41",
  "Turkey": "#00838f",
};
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
};

async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  for (const k of Object.keys(state)) state[k] = q.get(k) || "";
}

function writeUrl() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v) q.set(k, v);
  const s = q.toString();
  history.replaceState(null, "", s ? `?${s}` : location.pathname);
}

function filterQuery(withDates) {
  const q = new URLSearchParams();
  for (const k of ["type", "actor", "text"]) if (state[k]) q.set(k, state[k]);
  if (withDates) {
    if (state.since) q.set("since", state.since);
    if (state.until) q.set("until", state.until);
  }
  return q;
}

// --- the map ---------------------------------------------------------------------------------

const map = L.map("map", { zoomControl: true, preferCanvas: false, attributionControl: false, minZoom: 4, maxZoom: MAX_ZOOM });
// Syria's extent.
map.fitBounds([[32.3, 35.6], [37.35, 42.4]]);
let markerLayer = null;

async function loadBasemap() {
  const r = await fetch("basemap.geojson");
  const gj = await r.json();
  L.geoJSON(gj, {
    style: (f) =>
      f.properties.kind === "country"
        ? { color: "#90a4ae", weight: 1, fillColor: f.properties.name === "Syria" ? "#fbfaf5" : "#eceff1", fillOpacity: 1 }
        : { color: "#b0a48a", weight: 0.8, fill: false, dashArray: "3 3" },
    interactive: false,
  }).addTo(map);
}

function radius(fatalities) {
  return 5 + Math.min(14, 2 * Math.sqrt(fatalities || 0));
}

// A point from /api/points: [id, lat, lon, type index, sub-type index, date, place, fatalities].
let pointTypes = [];

// "New since your last look", kept in the browser: the newest arrival the server has shown
// (`newest` of /api/points: its clock, not the browser's) is saved when the page is left; the
// points that arrived after the one saved before (`new`: their indexes) are drawn ringed.
const LOOK_KEY = "sitrep.lastLook";
let lastLook = null;
let newestSeen = null;
let freshPoints = new Set();
try {
  lastLook = localStorage.getItem(LOOK_KEY);
} catch (_) {
  lastLook = null;
}
function rememberLook() {
  if (!newestSeen) return;
  try {
    if (!lastLook || newestSeen > (localStorage.getItem(LOOK_KEY) || "")) localStorage.setItem(LOOK_KEY, newestSeen);
  } catch (_) {
    /* storage refused: no marks next time */
  }
}
addEventListener("pagehide", rememberLook);
document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && rememberLook());
let pointSubTypes = [];

function tagMarker() {
  const p = this.getElement && this.getElement();
  if (p) p.setAttribute("data-event-id", this.options.eventId);
}

// Draws the points; calls `done` once every marker is on the map (clusters load in chunks).
function drawMarkers(points, done) {
  if (markerLayer) map.removeLayer(markerLayer);
  const clustered = points.length > CLUSTER_ABOVE;
  markerLayer = clustered
    ? L.markerClusterGroup({
        chunkedLoading: true,
        chunkInterval: 100,
        disableClusteringAtZoom: UNCLUSTER_AT,
        chunkProgress: (processed, total) => {
          if (processed === total) done();
        },
      })
    : L.featureGroup();
  const markers = new Array(points.length);
  let fresh = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const marked = freshPoints.has(i);
    if (marked) fresh++;
    const m = L.circleMarker([p[1], p[2]], {
      radius: radius(p[7]),
      color: marked ? "#ff1744" : "#333",
      weight: marked ? 3 : 1,
      fillColor: COLORS[pointTypes[p[3]]] || "#607d8b",
      fillOpacity: 0.8,
      className: marked ? "ev-marker ev-new" : "ev-marker",
      eventId: p[0],
      point: p,
    });
    m.on("add", tagMarker);
    markers[i] = m;
  }
  // One listener for all: a tooltip made when first hovered, the card on a click.
  markerLayer.on("mouseover", (ev) => {
    const m = ev.layer;
    const p = m.options.point;
    if (!p || m.getTooltip()) return;
    m.bindTooltip(`${pointSubTypes[p[4]]}: ${p[6] || ""} ${p[5] || ""}`).openTooltip();
  });
  markerLayer.on("click", (ev) => ev.layer.options.eventId && openCard(ev.layer.options.eventId));
  markerLayer.addTo(map);
  if (clustered) markerLayer.addLayers(markers);
  else {
    for (const m of markers) markerLayer.addLayer(m);
    done();
  }
  if (clustered && !points.length) done();
  document.body.dataset.markers = String(points.length);
  document.body.dataset.fresh = String(fresh);
  return points.length;
}

// --- the control layer -----------------------------------------------------------------------

let controlLayer = null;

// Who held each place on the last day of the chosen dates (today without one): a diamond per
// place, coloured by holder.
async function drawControl() {
  if (controlLayer) {
    map.removeLayer(controlLayer);
    controlLayer = null;
  }
  document.body.dataset.control = "";
  if (!state.control) return controlLegend(null);
  const day = state.until || new Date().toISOString().slice(0, 10);
  const q = new URLSearchParams({ date: day });
  const { held } = await api(`/api/control?${q}`);
  controlLayer = L.featureGroup();
  let n = 0;
  for (const h of held) {
    if (h.latitude == null || h.longitude == null) continue;
    const icon = L.divIcon({ className: "", html: "", iconSize: [14, 14] });
    const m = L.marker([h.latitude, h.longitude], { icon, keyboard: false });
    m.on("add", () => {
      const e = m.getElement();
      if (!e) return;
      e.classList.add("control-flag");
      e.style.background = HOLDERS[h.holder] || "#78909c";
      e.setAttribute("data-holder", h.holder);
    });
    m.bindTooltip(`${h.place}: held by ${h.holder} since ${h.since}`);
    controlLayer.addLayer(m);
    n += 1;
  }
  controlLayer.addTo(map);
  document.body.dataset.control = String(n);
  controlLegend(held);
}

// Which colour is who on the control layer: the holders on the map, most places first.
function controlLegend(held) {
  const box = $("control-legend");
  box.replaceChildren();
  box.hidden = !held;
  if (!held) return;
  const counts = new Map();
  for (const h of held) if (h.latitude != null) counts.set(h.holder, (counts.get(h.holder) || 0) + 1);
  box.append(el("b", {}, "Control: "));
  const others = [...counts.entries()].filter(([k]) => !HOLDERS[k]).reduce((a, [, c]) => a + c, 0);
  for (const [k, c] of [...counts.entries()].filter(([k]) => HOLDERS[k]).sort((a, b) => b[1] - a[1])) {
    const s = el("span", { class: "holder", "data-holder": k }, `${k} (${c})`);
    s.style.setProperty("--c", HOLDERS[k]);
    box.append(s);
  }
  if (others) {
    const s = el("span", { class: "holder", "data-holder": "other" }, `other holders (${others})`);
    s.style.setProperty("--c", "#78909c");
    box.append(s);
  }
  if (!counts.size) box.append(el("span", {}, "no change of control on record by that day"));
}

// --- the timeline ----------------------------------------------------------------------------

let allDays = [];
function dayNumber(s) {
  return Math.floor(Date.parse(`${s}T00:00:00Z`) / 86400000);
}
function dayString(n) {
  return new Date(n * 86400000).toISOString().slice(0, 10);
}

// `days`: [[date, count], ...] from /api/timeline (the whole store under the filters).
function drawTimeline(days) {
  const svg = $("timeline");
  svg.replaceChildren();
  const counts = new Map(days);
  allDays = [...counts.keys()].sort();
  const w = svg.clientWidth || 800;
  const h = svg.clientHeight || 70;
  if (!allDays.length) {
    svg.append(svgEl("text", { x: 4, y: 14 }, "no dated events"));
    return;
  }
  const first = dayNumber(allDays[0]) - 1;
  const last = dayNumber(allDays[allDays.length - 1]) + 1;
  const span = Math.max(1, last - first);
  // Bucket by day, or by week when days would be thinner than 2 px.
  const bucket = w / span >= 2 ? 1 : 7;
  const buckets = new Map();
  for (const [d, c] of counts) {
    const b = Math.floor((dayNumber(d) - first) / bucket);
    buckets.set(b, (buckets.get(b) || 0) + c);
  }
  const max = Math.max(...buckets.values());
  const x = (day) => ((day - first) / span) * w;
  const lo = state.since ? dayNumber(state.since) : -Infinity;
  const hi = state.until ? dayNumber(state.until) : Infinity;
  for (const [b, c] of buckets) {
    const d0 = first + b * bucket;
    const bh = Math.max(1, (c / max) * (h - 16));
    const inRange = d0 + bucket - 1 >= lo && d0 <= hi;
    const rect = svgEl("rect", { class: inRange ? "bar in" : "bar", x: x(d0), y: h - 12 - bh, width: Math.max(1, x(d0 + bucket) - x(d0) - 0.5), height: bh });
    rect.append(svgEl("title", {}, `${dayString(d0)}${bucket > 1 ? " (week)" : ""}: ${c} events`));
    svg.append(rect);
  }
  svg.append(svgEl("text", { x: 2, y: h - 1 }, dayString(first + 1)));
  svg.append(svgEl("text", { x: w - 2, y: h - 1, "text-anchor": "end" }, dayString(last - 1)));
  if (state.since || state.until) {
    const a = x(state.since ? dayNumber(state.since) : first);
    const b = x((state.until ? dayNumber(state.until) : last) + 1);
    svg.append(svgEl("rect", { class: "brush", x: a, y: 0, width: Math.max(2, b - a), height: h - 12 }));
  }
  svg.dataset.first = first;
  svg.dataset.span = span;
  $("range").textContent = state.since || state.until ? `${state.since || "…"} to ${state.until || "…"}` : "all dates";
}

function svgEl(tag, attrs, text) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

function brushing() {
  const svg = $("timeline");
  let start = null;
  const dayAt = (ev) => {
    const r = svg.getBoundingClientRect();
    const first = Number(svg.dataset.first);
    const span = Number(svg.dataset.span);
    return Math.round(first + ((ev.clientX - r.left) / r.width) * span);
  };
  svg.addEventListener("mousedown", (ev) => {
    if (!svg.dataset.span) return;
    start = dayAt(ev);
  });
  window.addEventListener("mouseup", (ev) => {
    if (start == null) return;
    const end = dayAt(ev);
    const a = Math.min(start, end);
    const b = Math.max(start, end);
    start = null;
    state.since = dayString(a);
    state.until = dayString(b);
    refresh();
  });
  svg.addEventListener("dblclick", () => {
    state.since = state.until = "";
    refresh();
  });
}

// --- the event card --------------------------------------------------------------------------

function chars(s) {
  return Array.from(s);
}

function actorName(a) {
  return a ? a.name : "unknown";
}

async function openCard(id) {
  state.event = id;
  writeUrl();
  const card = $("card");
  const body = $("card-body");
  card.hidden = false;
  body.replaceChildren(el("p", {}, "Loading…"));
  try {
    const { event: e, articles, fused } = await api(`/api/events/${encodeURIComponent(id)}`);
    const main = articles[0];
    const art = main ? await api(`/api/articles/${encodeURIComponent(main.id)}`) : null;
    const dl = el("dl");
    const row = (k, v) => dl.append(el("dt", {}, k), el("dd", {}, v));
    row("Type", `${e.event_type} / ${e.sub_event_type}`);
    row("Actors", `${actorName(e.actor1)} vs ${actorName(e.actor2)}`);
    row("Date", e.event_date ? `${e.event_date}${e.date_text ? ` ("${e.date_text}")` : ""}` : `unresolved${e.date_text ? ` ("${e.date_text}")` : ""}`);
    const where = [e.location, e.admin2, e.admin1, e.country].filter(Boolean).join(", ");
    row("Place", `${where || "unknown"}${e.geo_precision ? ` (precision ${e.geo_precision}: ${PRECISION[e.geo_precision]})` : ""}`);
    row("Fatalities", `${e.fatalities} (${e.fatalities_bound})${e.injured != null ? `, ${e.injured} injured` : ""}`);
    const sources = el("ul");
    for (const a of articles) {
      const li = el("li", {}, `${a.source || "unknown source"}: ${a.title || a.id}${a.published ? `, ${a.published}` : ""}`);
      sources.append(li);
    }
    row("Sources", sources);
    // Credibility: the fused event's (its reports' article scores with their corroboration),
    // else this article's own, with the reasons.
    const cred = fused && fused.credibility;
    const model = art && art.credibility_model;
    if (cred || model) {
      const score = cred ? cred.score : model.probability;
      const why = el("ul", { class: "reasons" });
      for (const r of cred ? cred.reasons : model.reasons) why.append(el("li", {}, r));
      if (cred && model) {
        for (const r of model.reasons) why.append(el("li", {}, `this article: ${r}`));
      }
      row("Credibility", el("div", {}, `${score.toFixed(2)}${cred ? ` (${fused.articles} reports, ${fused.sources.length} outlets)` : ""}`, why));
    }
    const evidence = el("div", { class: "evidences" });
    for (const span of e.evidence) evidence.append(el("blockquote", { class: "evidence" }, span.text));
    const parts = [el("h2", {}, `${e.sub_event_type}${e.location ? ` in ${e.location}` : ""}`), dl, el("h3", {}, "Evidence"), evidence];
    if (art) parts.push(articleView(art, e));
    body.replaceChildren(...parts);
    card.dataset.eventId = id;
  } catch (err) {
    body.replaceChildren(el("p", {}, `Could not load the event: ${err.message}`));
  }
}

// The article's clean paragraphs with this event's evidence spans marked.
function articleView(art, e) {
  const text = chars(art.text);
  const spans = e.evidence.map((s) => [s.start, s.end]);
  const box = el("div", { class: "article" }, el("h3", {}, art.article.title || "Article"));
  for (const p of art.paragraphs) {
    const para = el("p");
    let at = p.start;
    const cuts = spans.filter(([a, b]) => b > p.start && a < p.end).sort((x, y) => x[0] - y[0]);
    for (const [a, b] of cuts) {
      const s = Math.max(a, p.start);
      const t = Math.min(b, p.end);
      if (s > at) para.append(text.slice(at, s).join(""));
      if (t > Math.max(s, at)) para.append(el("mark", {}, text.slice(Math.max(s, at), t).join("")));
      at = Math.max(at, t);
    }
    if (at < p.end) para.append(text.slice(at, p.end).join(""));
    box.append(para);
  }
  return box;
}

// --- loading ---------------------------------------------------------------------------------

let loadSeq = 0;
let lastTimeline = [];
async function refresh() {
  writeUrl();
  const seq = ++loadSeq;
  document.body.dataset.ready = "0";
  $("count").textContent = "loading…";
  try {
    const withDates = filterQuery(true);
    withDates.set("limit", String(MAX_POINTS));
    if (lastLook) withDates.set("new_since", lastLook);
    const allDates = filterQuery(false);
    const [page, timeline] = await Promise.all([api(`/api/points?${withDates}`), api(`/api/timeline?${allDates}`)]);
    if (seq !== loadSeq) return;
    const arrived = performance.now();
    pointTypes = page.types;
    freshPoints = new Set(page.new || []);
    if (page.newest && (!newestSeen || page.newest > newestSeen)) newestSeen = page.newest;
    pointSubTypes = page.sub_types;
    lastTimeline = timeline.days;
    drawTimeline(lastTimeline);
    document.body.dataset.drawn = "0";
    const drawn = new Promise((resolve) =>
      drawMarkers(page.points, () => {
        // Measured: from the data's arrival to every marker (or cluster) on the map.
        document.body.dataset.drawMs = String(Math.round(performance.now() - arrived));
        document.body.dataset.drawn = "1";
        resolve();
      }),
    );
    const n = page.count;
    const shown = page.truncated ? ` (the first ${n} placed drawn: narrow the filters or dates for the rest)` : "";
    const fresh = Number(document.body.dataset.fresh || 0);
    const news = fresh ? `; ${fresh} new since your last look (ringed red)` : "";
    $("count").textContent = `${page.total} events; ${n} on the map${shown}${news}`;
    document.body.dataset.total = String(page.total);
    await Promise.all([drawn, drawControl()]);
  } catch (err) {
    $("count").textContent = `error: ${err.message}`;
  }
  document.body.dataset.ready = "1";
}

async function fillFilters() {
  const [stats, actors] = await Promise.all([api("/api/stats"), api("/api/actors")]);
  for (const c of stats.by_type) $("f-type").append(el("option", { value: c.key }, `${c.key} (${c.count})`));
  for (const a of actors.actors) $("f-actor").append(el("option", { value: a.name }, `${a.name} (${a.events})`));
  $("f-control").checked = !!state.control;
  $("f-type").value = state.type;
  $("f-actor").value = state.actor;
  $("f-text").value = state.text;
}

function legend() {
  for (const [k, c] of Object.entries(COLORS)) {
    const s = el("span", {}, k);
    s.style.setProperty("--c", c);
    $("legend").append(s);
  }
}

async function main() {
  readUrl();
  legend();
  brushing();
  $("f-type").addEventListener("change", (e) => ((state.type = e.target.value), refresh()));
  $("f-actor").addEventListener("change", (e) => ((state.actor = e.target.value), refresh()));
  let typing = null;
  $("f-text").addEventListener("input", (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => ((state.text = e.target.value.trim()), refresh()), 300);
  });
  $("f-control").addEventListener("change", (e) => ((state.control = e.target.checked ? "1" : ""), refresh()));
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("f-clear").addEventListener("click", () => {
    for (const k of Object.keys(state)) state[k] = "";
    $("f-type").value = $("f-actor").value = $("f-text").value = "";
    $("f-control").checked = false;
    $("card").hidden = true;
    refresh();
  });
  $("card-close").addEventListener("click", () => {
    $("card").hidden = true;
    state.event = "";
    writeUrl();
  });
  window.addEventListener("resize", () => drawTimeline(lastTimeline));
  await Promise.all([loadBasemap(), fillFilters()]).catch((err) => ($("count").textContent = `error: ${err.message}`));
  await refresh();
  if (state.event) openCard(state.event);
}

main();
