#!/usr/bin/env python3
"""Assemble corpus/train.jsonl and corpus/test.jsonl from the annotators' files.

    python3 tools/corpus/merge.py

Reads corpus/annotated/*.jsonl (texts selected by select.py, coded) and corpus/written/*.jsonl
(sentences we wrote), keeps the articles whose every sentence is coded, drops annotation-time
fields (`hints`), and writes each article to the part its `split` names, sorted by id.
"""
import glob, json, os, sys

root = os.path.join(os.path.dirname(__file__), "../../corpus")
parts = {"train": [], "test": []}
skipped = 0
seen = set()
for path in sorted(glob.glob(os.path.join(root, "annotated/*.jsonl")) + glob.glob(os.path.join(root, "written/*.jsonl"))):
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        if r["id"] in seen:
            print(f"{path}: duplicate article {r['id']}, later copy ignored", file=sys.stderr)
            continue
        if any(s.get("events") is None for s in r["sentences"]):
            skipped += 1
            continue
        seen.add(r["id"])
        r.pop("hints", None)
        parts[r["split"]].append(r)
for name, recs in parts.items():
    recs.sort(key=lambda r: r["id"])
    with open(os.path.join(root, f"{name}.jsonl"), "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    n = sum(len(r["sentences"]) for r in recs)
    e = sum(len(s["events"]) for r in recs for s in r["sentences"])
    print(f"{name}: {len(recs)} articles, {n} sentences, {e} events", file=sys.stderr)
if skipped:
    print(f"{skipped} articles not fully coded yet, left out", file=sys.stderr)
