#!/usr/bin/env python3
"""How far FA-KES's credible/fake label can be predicted from what an article claims.

Not part of sitrep: an analysis, run by hand, that reads the FA-KES development split
(../shared/data/fakes/fakes-dev.csv, CC BY 4.0, not in this repository). It fits classifiers
by 10-fold cross-validation on

  * the crowd-coded claims themselves (gold, not sitrep's extraction): actor, cause of death,
    governorate, outlet, event date, the four tolls, and how far the toll is from the other
    articles of the same date and place (the best corroboration signal any extractor could
    reach);
  * the outlet alone;
  * TF-IDF words and word pairs of the text (logistic regression): a stronger text baseline
    than the naive Bayes that `sitrep bench fakes-credibility` prints.

FA-KES labels come from matching each article's claims against the Violations Documentation
Center's database, which is not available here; if the claims and co-reports do not predict
the label, no corroboration score built from them will.

Usage: python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn numpy
       /tmp/venv/bin/python tools/fakes-ceiling/ceiling.py ../shared/data/fakes/fakes-dev.csv
"""
import collections
import csv
import datetime
import statistics
import sys

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

TOLLS = ["nb_children", "nb_civilians", "nb_noncivilians", "nb_women"]


def num(x):
    try:
        return float(x)
    except ValueError:
        return 0.0


def main(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    y = np.array([int(r["label"]) for r in rows])
    groups = collections.defaultdict(list)
    for i, r in enumerate(rows):
        groups[(r["date"], r["location"])].append(i)
    values = {k: sorted({r[k] for r in rows}) for k in ["actor", "cause_of_death", "location", "source"]}
    claims, outlet = [], []
    for i, r in enumerate(rows):
        total = sum(num(r[k]) for k in TOLLS)
        others = [sum(num(rows[j][k]) for k in TOLLS) for j in groups[(r["date"], r["location"])] if j != i]
        median = statistics.median(others) if others else total
        try:
            day = datetime.datetime.strptime(r["date"], "%m/%d/%y").date().toordinal()
        except ValueError:
            day = 0
        f = [num(r[k]) for k in TOLLS]
        f += [np.log1p(total), len(others), np.log1p(abs(total - median)),
              float(bool(others) and abs(total - median) <= max(2, 0.2 * max(total, median))), day]
        for k, vs in values.items():
            f += [float(r[k] == v) for v in vs]
        claims.append(f)
        outlet.append([float(r["source"] == v) for v in values["source"]])
    # Two articles of one date and place that claim the same (tolls, actor, cause): does the
    # label follow the claims?
    agree = differ = 0
    for members in groups.values():
        for x in range(len(members)):
            for z in range(x + 1, len(members)):
                a, b = rows[members[x]], rows[members[z]]
                if all(a[k] == b[k] for k in TOLLS + ["actor", "cause_of_death"]):
                    agree += a["label"] == b["label"]
                    differ += a["label"] != b["label"]
    cv = StratifiedKFold(10, shuffle=True, random_state=0)
    print(f"FA-KES dev: {len(rows)} articles, {y.mean():.3f} credible; "
          f"{sum(1 for g in groups.values() if len(g) > 1)} date-and-place groups of several articles")

    def auc(name, model, X):
        p = cross_val_predict(model, X, y, cv=cv, method="predict_proba")[:, 1]
        print(f"  {name}: ROC AUC {roc_auc_score(y, p):.3f}")

    print(f"pairs of articles of one date and place with identical claims: same label {agree}, different {differ}")
    print("gold claims and their agreement with co-reports (10-fold CV):")
    X = np.array(claims)
    auc("logistic regression", make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.3)), X)
    auc("gradient boosting", GradientBoostingClassifier(random_state=0), X)
    auc("random forest", RandomForestClassifier(500, min_samples_leaf=3, random_state=0), X)
    print("outlet alone:")
    auc("logistic regression", LogisticRegression(max_iter=2000), np.array(outlet))
    print("text:")
    text = [r["article_title"] + " " + r["article_content"] for r in rows]
    auc("TF-IDF 1-2 grams, logistic regression",
        make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                      LogisticRegression(max_iter=2000, C=0.3)), text)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/fakes/fakes-dev.csv")
