#!/usr/bin/env python3
"""Check annotated corpus files against corpus/GUIDELINES.md section 7.

    python3 tools/corpus/validate.py FILE.jsonl...

Prints one line per problem (file:line sentence N: what is wrong) and a summary; exit 1 when
any problem was found. Sentences still `"events": null` are counted as not yet coded.
"""
import json, re, sys

TYPES = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Air/drone strike", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Suicide bomb", "Grenade", "Chemical weapon"],
    "Violence against civilians": ["Attack", "Abduction/forced disappearance", "Sexual violence"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other"],
}
SUB = {s: t for t, ss in TYPES.items() for s in ss}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

def check_actor(a, where, probs):
    if a is None:
        return
    if not isinstance(a, dict) or not isinstance(a.get("name"), str) or not a["name"].strip():
        probs.append(f"{where}: actor needs a non-empty name")
    elif a.get("text") is not None and not isinstance(a["text"], str):
        probs.append(f"{where}: actor text must be a string or null")

def check_event(e, sent_text, where, probs):
    st = e.get("sub_event_type")
    if st not in SUB:
        probs.append(f"{where}: unknown sub_event_type {st!r}")
    elif e.get("event_type") != SUB[st]:
        probs.append(f"{where}: event_type of {st!r} is {SUB[st]!r}, not {e.get('event_type')!r}")
    for k in ("actor1", "actor2"):
        check_actor(e.get(k), f"{where} {k}", probs)
        a = e.get(k)
        if a and a.get("text") and a["text"] not in sent_text:
            probs.append(f"{where} {k}: text {a['text']!r} is not in the sentence")
    p = e.get("place")
    if p is not None:
        if not isinstance(p, dict) or not p.get("admin1"):
            probs.append(f"{where}: place needs admin1")
        else:
            if p.get("text") and p["text"] not in sent_text:
                probs.append(f"{where}: place text {p['text']!r} is not in the sentence")
            if (p.get("lat") is None) != (p.get("lon") is None):
                probs.append(f"{where}: place needs both lat and lon, or neither")
            for c in ("lat", "lon"):
                if p.get(c) is not None and not isinstance(p[c], (int, float)):
                    probs.append(f"{where}: place {c} must be a number")
            if p.get("precision") not in (1, 2, 3):
                probs.append(f"{where}: place precision must be 1, 2 or 3")
    d = e.get("date")
    if d is not None and not (isinstance(d, str) and DATE.match(d)):
        probs.append(f"{where}: date must be YYYY-MM-DD or null")
    if d is not None and e.get("time_precision") not in (1, 2, 3):
        probs.append(f"{where}: time_precision must be 1, 2 or 3")
    f = e.get("fatalities")
    if not (isinstance(f, int) and f >= 0):
        probs.append(f"{where}: fatalities must be an integer >= 0")

def main(paths):
    probs, arts, sents, coded, events = [], 0, 0, 0, 0
    for path in paths:
        for ln, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as ex:
                probs.append(f"{path}:{ln}: not JSON: {ex}")
                continue
            arts += 1
            text = r.get("text") or ""
            for k in ("id", "origin", "text", "sentences"):
                if k not in r:
                    probs.append(f"{path}:{ln}: missing {k}")
            if r.get("split") not in ("train", "test"):
                probs.append(f"{path}:{ln}: split must be train or test")
            if r.get("published") is not None and not DATE.match(str(r["published"])):
                probs.append(f"{path}:{ln}: published must be YYYY-MM-DD or null")
            last = 0
            for i, s in enumerate(r.get("sentences") or []):
                sents += 1
                where = f"{path}:{ln} sentence {i}"
                a, b = s.get("start"), s.get("end")
                if not (isinstance(a, int) and isinstance(b, int) and last <= a < b <= len(text)):
                    probs.append(f"{where}: bad offsets {a}..{b}")
                    continue
                last = b
                if s.get("events") is None:
                    continue
                coded += 1
                for j, e in enumerate(s["events"]):
                    events += 1
                    check_event(e, text[a:b], f"{where} event {j}", probs)
    for p in probs:
        print(p)
    print(f"{arts} articles, {sents} sentences, {coded} coded, {events} events, {len(probs)} problems", file=sys.stderr)
    return 1 if probs else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
