#!/usr/bin/env python3
"""Select the texts of sitrep's annotated corpus (reproducible; reads ../shared).

Writes annotation tasks to corpus/work/<batch>.jsonl: one article a line, in the corpus format
(corpus/GUIDELINES.md section 7) with `"events": null` on every sentence still to be coded.
The split (train or test) is decided here, by article, from a hash of the article id, so that
no article has sentences on both sides.

    python3 tools/corpus/select.py [--shared ../shared]
"""
import argparse, csv, gzip, hashlib, json, os, random, re, sys

TEST_SHARE = 0.3
MAX_SENTENCES = 20

def split_of(article_id):
    h = int(hashlib.sha256(article_id.encode()).hexdigest()[:8], 16)
    return "test" if h / 0xFFFFFFFF < TEST_SHARE else "train"

# Sentence ends: . ! ? followed by space(s) and an upper-case letter, digit or quote; also
# line breaks and runs of tabs (FA-KES joins captions and paragraphs with tabs).
BOUNDARY = re.compile(r'(?<=[.!?])["\u201d\u2019)]?\s+(?=["\u201c\u2018(]?[A-Z0-9])|\s*\n\s*|\s*\t[\t ]*')
ABBREV = re.compile(r'(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Maj|Capt|Sgt|St|Jr|Sr|Prof|Rep|Sen|Gov|Brig|Adm|U\.S|U\.N|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|al|[A-Z])\.)$')

def sentences(text):
    """Character spans of the sentences of `text`."""
    out, start = [], 0
    for m in BOUNDARY.finditer(text):
        piece = text[start:m.start()]
        if ABBREV.search(piece) and "\n" not in m.group(0) and "\t" not in m.group(0):
            continue
        if piece.strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text.rstrip())))
    # trim spaces inside spans
    res = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            res.append((s, e))
    return res

def record(aid, origin, title, source, published, text, hints=None):
    spans = sentences(text)[:MAX_SENTENCES]
    r = {"id": aid, "origin": origin, "written": False, "split": split_of(aid), "title": title,
         "source": source, "published": published, "text": text,
         "sentences": [{"start": s, "end": e, "text": text[s:e], "events": None} for s, e in spans]}
    if hints:
        r["hints"] = hints
    return r

def mdy(d):
    m, dd, y = d.split("/")
    y = int(y); y += 2000 if y < 50 else 1900
    return f"{y:04d}-{int(m):02d}-{int(dd):02d}"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../../corpus/work"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(20261202)

    # FA-KES dev (CC BY 4.0): 130 articles.
    rows = list(csv.DictReader(open(os.path.join(a.shared, "data/fakes/fakes-dev.csv"), encoding="utf-8")))
    rng.shuffle(rows)
    fakes = [record(f"fakes-{r['unit_id']}", "fakes-dev", r["article_title"].strip(), r["source"],
                    mdy(r["date"]), r["article_content"]) for r in rows[:182]]
    for i in range(7):
        write(a.out, f"fakes-{i + 1}", fakes[i * 26:(i + 1) * 26])

    # UCDP GED Syria dev (CC BY 4.0): 350 distinct headlines, each a one-sentence article.
    rows = list(csv.DictReader(open(os.path.join(a.shared, "data/ucdp/ucdp-ged-syria-dev.csv"), encoding="utf-8")))
    by_head = {}
    for r in rows:
        h = r["source_headline"].strip()
        if h and len(h) > 15:
            by_head.setdefault(h, []).append(r)
    heads = sorted(by_head)
    rng.shuffle(heads)
    ucdp = []
    for h in heads[:600]:
        rs = by_head[h]
        aid = "ucdp-" + hashlib.sha256(h.encode()).hexdigest()[:10]
        hints = [{k: r[k] for k in ("date_start", "date_end", "type_of_violence", "side_a", "side_b",
                                     "where_coordinates", "where_prec", "adm_1", "latitude", "longitude", "best")}
                 for r in rs[:6]]
        ucdp.append(record(aid, "ucdp-dev", None, r_source(rs[0]), rs[0]["source_date"][:10] or rs[0]["date_start"][:10], h, hints))
    write(a.out, "ucdp-1", ucdp[:350])
    write(a.out, "ucdp-2", ucdp[350:])

    # News pages (article-extraction dev, MIT; pages (c) their publishers): 40 gold bodies.
    gt = json.load(open(os.path.join(a.shared, "data/article-extraction/ground-truth.json"), encoding="utf-8"))
    ids = sorted(gt)
    rng.shuffle(ids)
    news = []
    for pid in ids[:40]:
        body = gt[pid]["articleBody"]
        spans = sentences(body)[:8]
        if not spans:
            continue
        text = body[:spans[-1][1]]
        r = record("news-" + pid[:12], "article-extraction-dev", None, gt[pid].get("url"), None, text)
        news.append(r)
    write(a.out, "news-1", news)

def r_source(r):
    return (r.get("source_office") or "").split(";")[0].strip() or None

def write(out, name, recs):
    with open(os.path.join(out, name + ".jsonl"), "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n = sum(len(r["sentences"]) for r in recs)
    print(f"{name}: {len(recs)} articles, {n} sentences, test {sum(r['split'] == 'test' for r in recs)}", file=sys.stderr)

if __name__ == "__main__":
    main()
