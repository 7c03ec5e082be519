"""A learned same-story pair classifier from FNC-1 headlines (an experiment, not shipped).

Headlines related (agree / disagree / discuss) to one FNC-1 body are one story:
pairs of them are positives; each headline is also paired with up to 3 headlines
of other bodies sharing a concept with it (hard negatives; concepts carried by
300 headlines or more are not used to find them). Features per pair: weighted
Dice and containment of linking concepts, rapidfuzz token-set ratio, shared
concepts (all, entities, others) and their weight, shared asserted predicate
classes, "both assert predicates and share none", a negation on one side only,
the distributional soft overlap of bench/soft_overlap.py (neighbours of
bench/build_vectors.py, cosine >= 0.5) and the two concept counts.
scikit-learn's HistGradientBoostingClassifier (200 iterations, random_state 0)
is trained on the bodies outside bench/fnc1_data's held-out 20 % and scored:

1. on the held-out bodies' headline pairs (ROC AUC), against the static
   overlap 0.5 x Dice + 0.25 x containment, with and without the soft feature;
2. on the seeds' same-article claim pairs (all 23 gold links are within an
   article): AUC and gold links among the 10 / 20 / 40 best-scored pairs.

    .venv/bin/python bench/pair_classifier.py [--neighbours /tmp/claimtrack-bench/neighbours.json]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_vectors  # noqa: E402
import seed_links  # noqa: E402
import soft_overlap  # noqa: E402
from fnc1_data import FNC1, heldout_ids, read_bodies  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from claimtrack.linking.text import TextFeatures, analyse, claim_features, lexicon  # noqa: E402

N_SOFT = 10  # the features before the soft overlap (the model without it uses these)


def features(
    ta: TextFeatures, tb: TextFeatures, norm_a: str, norm_b: str, nb: soft_overlap.Neighbours
) -> list[float]:
    w = lexicon().weight
    ca, cb = ta.concepts, tb.concepts
    shared = ca & cb
    ws = sum(map(w, shared))
    wa = sum(map(w, ca)) or 1.0
    wb = sum(map(w, cb)) or 1.0
    soft = soft_overlap.soft_weight(ca, cb, nb, 1.0, w) - ws
    ents = sum(1 for c in shared if c.startswith("e:"))
    pa, pb = ta.predicates, tb.predicates
    return [
        2 * ws / (wa + wb),
        ws / min(wa, wb),
        fuzz.token_set_ratio(norm_a, norm_b) / 100.0,
        float(len(shared)),
        ws,
        float(ents),
        float(len(shared) - ents),
        float(len(pa & pb)),
        float(bool(pa) and bool(pb) and not (pa & pb)),
        float(bool(ta.negation) != bool(tb.negation)),
        soft / (wa + wb),
        float(len(ca)),
        float(len(cb)),
    ]


def stories(fnc1: Path) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Related headlines per body: (training bodies, held-out bodies)."""
    held = heldout_ids(read_bodies(fnc1 / "train_bodies.csv"))
    train: dict[int, set[str]] = defaultdict(set)
    test: dict[int, set[str]] = defaultdict(set)
    with (fnc1 / "train_stances.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["Stance"] != "unrelated":
                bid = int(r["Body ID"])
                (test if bid in held else train)[bid].add(r["Headline"])
    return train, test


def pairs(
    clusters: dict[int, set[str]], nb: soft_overlap.Neighbours, rng: random.Random
) -> tuple[np.ndarray, np.ndarray]:
    memo: dict[str, TextFeatures] = {}

    def an(h: str) -> TextFeatures:
        if h not in memo:
            memo[h] = analyse(h)
        return memo[h]

    def row(h1: str, h2: str) -> list[float]:
        t1, t2 = an(h1), an(h2)
        return features(t1, t2, " ".join(t1.order), " ".join(t2.order), nb)

    items = [(b, h) for b, hs in sorted(clusters.items()) for h in sorted(hs)]
    by_concept: dict[str, list[int]] = defaultdict(list)
    for i, (_, h) in enumerate(items):
        for c in sorted(an(h).concepts):
            by_concept[c].append(i)
    xs: list[list[float]] = []
    ys: list[int] = []
    for _, hs in sorted(clusters.items()):
        for h1, h2 in itertools.combinations(sorted(hs), 2):
            if rng.random() < 0.3:
                xs.append(row(h1, h2))
                ys.append(1)
    for b, h in items:
        near: set[int] = set()
        for c in an(h).concepts:
            if len(by_concept[c]) < 300:
                near.update(by_concept[c])
        other = [j for j in sorted(near) if items[j][0] != b]
        for j in rng.sample(other, min(3, len(other))):
            xs.append(row(h, items[j][1]))
            ys.append(0)
    return np.array(xs), np.array(ys)


def main(argv: list[str] | None = None) -> int:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--neighbours", type=Path, default=build_vectors.OUT)
    ap.add_argument("--seeds", type=Path, default=soft_overlap.SEEDS)
    args = ap.parse_args(argv)
    if args.neighbours.is_file():
        table = json.loads(args.neighbours.read_text(encoding="utf-8"))["neighbours"]
    else:
        corpus = build_vectors.texts(soft_overlap.CORPORA)
        table = build_vectors.build(build_vectors.sentences(corpus))
    nb = soft_overlap.neighbours(table, 0.5)
    train, test = stories(FNC1)
    rng = random.Random(0)
    x_tr, y_tr = pairs(train, nb, rng)
    x_te, y_te = pairs(test, nb, rng)
    print(f"pairs: train {len(y_tr)} ({y_tr.mean():.3f} positive), held-out {len(y_te)}")
    full = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(x_tr, y_tr)
    cols = [*range(N_SOFT), N_SOFT + 1, N_SOFT + 2]
    lexical = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(x_tr[:, cols], y_tr)

    def static(x: np.ndarray) -> np.ndarray:
        return 0.5 * x[:, 0] + 0.25 * np.minimum(1.0, x[:, 1])

    scorers = {
        "static overlap": static,
        "classifier": lambda x: full.predict_proba(x)[:, 1],
        "classifier, no soft": lambda x: lexical.predict_proba(x[:, cols])[:, 1],
    }
    print("1. FNC-1 held-out bodies' headline pairs, ROC AUC")
    for name, fn in scorers.items():
        print(f"   {name:<20} {roc_auc_score(y_te, fn(x_te)):.4f}")
    claims, _ = seed_links.gold_claims(args.seeds / "gold.jsonl")
    gold = set()
    for line in (args.seeds / "links.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            gold.add(frozenset((int(g["a_line"]), int(g["b_line"]))))
    feats = [claim_features(c) for c in claims]
    same = [
        (i, j)
        for i, j in itertools.combinations(range(len(feats)), 2)
        if feats[i].article_id == feats[j].article_id
    ]
    x_s = np.array(
        [features(feats[i].text, feats[j].text, feats[i].norm, feats[j].norm, nb) for i, j in same]
    )
    y_s = np.array([frozenset(p) in gold for p in same])
    print(f"2. Seeds: {len(same)} same-article pairs, {int(y_s.sum())} gold")
    for name, fn in scorers.items():
        s = fn(x_s)
        order = np.argsort(-s, kind="stable")
        tops = " / ".join(str(int(y_s[order[:k]].sum())) for k in (10, 20, 40))
        print(f"   {name:<20} AUC {roc_auc_score(y_s, s):.3f}  gold in top 10 / 20 / 40: {tops}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
