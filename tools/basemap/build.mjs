// Builds crates/sitrep-server/web/basemap.geojson, the map page's offline basemap:
// country outlines around Syria (Natural Earth 1:50m via the npm package world-atlas, ISC,
// public-domain data) and Syria's 14 governorates (Who's On First, CC-BY; polygons from WOF's
// "meso" source, CC0), coordinates rounded to 3 decimals (about 100 m).
//
//   cd tools/basemap && npm install world-atlas@2 topojson-client@3 && \
//     node build.mjs ../../../shared/data/gazetteer/syria-governorates.geojson.gz \
//     > ../../crates/sitrep-server/web/basemap.geojson
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const world = JSON.parse(readFileSync(require.resolve("world-atlas/countries-50m.json"), "utf8"));
const govPath = process.argv[2];
if (!govPath) {
  console.error("usage: node build.mjs syria-governorates.geojson.gz > basemap.geojson");
  process.exit(2);
}
const governorates = JSON.parse(gunzipSync(readFileSync(govPath)).toString("utf8"));

// Countries whose outline crosses this box (lon 25..50, lat 27..43) and whose own bounding
// box is centred near it (not Russia, which reaches into it).
const box = [25, 27, 50, 43];
const round = (c) => [Math.round(c[0] * 1000) / 1000, Math.round(c[1] * 1000) / 1000];
function ring(r) {
  const out = [];
  for (const c of r) {
    const p = round(c);
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}
function geometry(g) {
  if (g.type === "Polygon") return { type: "Polygon", coordinates: g.coordinates.map(ring) };
  if (g.type === "MultiPolygon") return { type: "MultiPolygon", coordinates: g.coordinates.map((p) => p.map(ring)) };
  return g;
}
function touchesBox(g) {
  const pts = g.type === "Polygon" ? g.coordinates.flat() : g.coordinates.flat(2);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const centred = cx >= 15 && cx <= 60 && cy >= 20 && cy <= 48;
  return centred && pts.some(([x, y]) => x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]);
}
const countries = feature(world, world.objects.countries).features.filter((f) => f.geometry && touchesBox(f.geometry));
const features = [
  ...countries.map((f) => ({ type: "Feature", properties: { kind: "country", name: f.properties.name }, geometry: geometry(f.geometry) })),
  ...governorates.features.map((f) => ({
    type: "Feature",
    properties: { kind: "governorate", name: f.properties.name, name_ar: f.properties.name_ar, wof_id: f.properties.wof_id },
    geometry: geometry(f.geometry),
  })),
];
process.stdout.write(JSON.stringify({ type: "FeatureCollection", features }) + "\n");
