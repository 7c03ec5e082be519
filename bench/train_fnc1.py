"""Train the FNC-1 stance model shipped as claimtrack/linking/data/stance_model.json.

1. Splits ../shared/corpora/fnc1/train_* by Body ID (fixed seed, 20 % held out)
   into /tmp/claimtrack-bench/fnc1/ (never into the repo).
2. Computes claimtrack.linking.stance features for every training pair.
3. Fits scikit-learn's GradientBoostingClassifier (training only: the runtime
   reads the exported trees with plain Python) and writes the trees as JSON.

    .venv/bin/pip install scikit-learn   # training only
    .venv/bin/python bench/train_fnc1.py [--out-dir /tmp/claimtrack-bench/fnc1]
    .venv/bin/python bench/fnc1.py --bodies /tmp/claimtrack-bench/fnc1/heldout_bodies.csv \
        --stances /tmp/claimtrack-bench/fnc1/heldout_stances.csv --out /tmp/.../pred.csv
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fnc1_data import FNC1, OUT, ROOT, read_bodies, read_stances, split  # noqa: E402

from claimtrack.linking.stance import (  # noqa: E402
    FEATURE_NAMES,
    STANCES,
    StanceModel,
    analyse_body,
    stance_features,
)

MODEL = ROOT / "claimtrack" / "linking" / "data" / "stance_model.json"


def features(bodies_csv: Path, stances_csv: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bodies = read_bodies(bodies_csv)
    rows = read_stances(stances_csv)
    cache = {}
    X = np.zeros((len(rows), len(FEATURE_NAMES)), dtype=np.float64)
    y = np.zeros(len(rows), dtype=np.int64)
    groups = np.zeros(len(rows), dtype=np.int64)
    for i, r in enumerate(rows):
        bid = int(r["Body ID"])
        if bid not in cache:
            cache[bid] = analyse_body(bodies[bid])
        X[i] = stance_features(r["Headline"], cache[bid])
        y[i] = STANCES.index(r["Stance"])
        groups[i] = bid
    return X, y, groups


def export(clf, classes: list[str]) -> dict:  # type: ignore[no-untyped-def]
    init = clf._raw_predict_init(np.zeros((1, clf.n_features_in_)))[0].tolist()
    trees: list[list[dict[str, list[float]]]] = [[] for _ in classes]
    for stage in clf.estimators_:
        for k, est in enumerate(stage):
            t = est.tree_
            trees[k].append(
                {
                    "f": [int(v) for v in t.feature],
                    "t": [round(float(v), 6) for v in t.threshold],
                    "l": [int(v) for v in t.children_left],
                    "r": [int(v) for v in t.children_right],
                    "v": [round(float(v), 6) for v in t.value[:, 0, 0]],
                }
            )
    return {
        "classes": classes,
        "features": list(FEATURE_NAMES),
        "init": init,
        "learning_rate": clf.learning_rate,
        "trees": trees,
    }


def main() -> int:
    from sklearn.ensemble import GradientBoostingClassifier

    ap = argparse.ArgumentParser()
    ap.add_argument("--fnc1", type=Path, default=FNC1)
    ap.add_argument("--out-dir", type=Path, default=OUT)
    ap.add_argument("--trees", type=int, default=200)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--disagree-weight", type=float, default=3.0)
    ap.add_argument("--agree-weight", type=float, default=1.5)
    args = ap.parse_args()
    paths = split(args.fnc1, args.out_dir)
    cache = args.out_dir / "train_features.npz"
    t0 = time.time()
    if (
        cache.is_file()
        and cache.stat().st_mtime > (ROOT / "claimtrack" / "linking" / "stance.py").stat().st_mtime
    ):
        d = np.load(cache)
        X, y = d["X"], d["y"]
    else:
        X, y, _ = features(paths["train_bodies"], paths["train_stances"])
        np.savez(cache, X=X, y=y)
    print(f"features: {X.shape} in {time.time() - t0:.0f}s", flush=True)
    w = np.ones(len(y))
    w[y == STANCES.index("disagree")] = args.disagree_weight
    w[y == STANCES.index("agree")] = args.agree_weight
    t0 = time.time()
    clf = GradientBoostingClassifier(
        n_estimators=args.trees,
        max_depth=args.depth,
        learning_rate=args.rate,
        subsample=0.8,
        random_state=0,
    )
    clf.fit(X, y, sample_weight=w)
    print(f"trained in {time.time() - t0:.0f}s", flush=True)
    spec = export(clf, list(STANCES))
    model = StanceModel(spec)
    sample = X[:200]
    ours = np.array([model.scores(x) for x in sample])
    theirs = clf.decision_function(sample)
    assert np.allclose(ours, theirs, atol=1e-3), "exported trees disagree with sklearn"
    MODEL.write_text(json.dumps(spec, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {MODEL} ({MODEL.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
