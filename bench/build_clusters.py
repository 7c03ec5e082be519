"""Word clusters from unlabeled text, for the attribution tagger (claimtrack/extract/data/clusters.tsv).

    .venv/bin/python bench/build_clusters.py [--corpora ../shared/corpora] [--fold K]
        [--out claimtrack/extract/data/clusters.tsv] [--k 300]

A general word-class resource learned from raw text, no labels: every lower-cased
token (the tagger's unit, ``\\w+``) of the texts below; contexts are the words at
positions -2, -1, +1, +2 (kept apart: "said" after "he" is not "said" before
"he"), counted over the VOCAB most frequent words seen at least MIN_COUNT times,
turned into positive PMI (context distribution smoothed with alpha 0.75), reduced
by truncated SVD to DIM dimensions (scipy, fixed start vector), rows normalised,
and grouped by k-means (scikit-learn, fixed seed) into K clusters. Each word of
the vocabulary gets its cluster number; words outside it get none.

Texts: PolNeAR train (840 articles; with ``--fold K`` the held-out fifth of
bench/train_extractor.py's protocol is left out, so the held-out score sees no
text of its own), FNC-1 train bodies outside the held-out 20 % of
bench/fnc1_data.split, Emergent train claim and article headlines. No dev,
no seeds. Deterministic; a few minutes on one core (fold 0: 11,870 words).

Tried as tagger features and NOT shipped (the feature code is not in the tree;
nothing reads clusters.tsv): the word's cluster and its neighbours' ("cl=",
"cl-1=", "cl+1=", three more weight rows a token). Held-out fold 0 of
bench/train_extractor.py's protocol, clusters built with --fold 0, cue exact F1 /
source overlap F1 of the whole pipeline, against crf5's 67.87 / 70.97: both
layers with clusters 67.51 / 70.23 (CUE_BIAS -0.5: 67.84 / 70.23; 0.0: 67.75 /
70.54); the cue layer only (source/cue/content layer of crf5's fold model)
67.05 / 69.46 (CUE_BIAS -0.5: 67.37 / 69.74; layer weight 0.3, bias -0.5: 67.07).
The clusters made the tagger more conservative (cue exact P 73.4 -> 78.3, R 63.2
-> 59.3) without moving the precision/recall curve.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fnc1_data import SEED, heldout_ids, read_bodies  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "claimtrack" / "extract" / "data" / "clusters.tsv"
VOCAB = 20000
CONTEXTS = 4000
MIN_COUNT = 5
DIM = 100
_WORD = re.compile(r"\w+")


def texts(corpora: Path, fold: int | None) -> list[str]:
    out: list[str] = []
    names = sorted((corpora / "polnear" / "train" / "text").glob("*.txt"))
    for k, path in enumerate(names):
        if fold is None or k % 5 != fold:
            out.append(path.read_text(encoding="utf-8"))
    fnc = corpora / "fnc1"
    bodies = read_bodies(fnc / "train_bodies.csv")
    held = heldout_ids(bodies)
    out.extend(t for b, t in sorted(bodies.items()) if b not in held)
    with (corpora / "emergent" / "emergent_train.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out.extend(sorted({r["claimHeadline"] for r in rows} | {r["articleHeadline"] for r in rows}))
    return out


def build(corpus: list[str], k: int) -> dict[str, int]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import svds
    from sklearn.cluster import KMeans

    lines = [_WORD.findall(t.lower()) for text in corpus for t in text.split("\n") if t.strip()]
    freq = Counter(w for ws in lines for w in ws)
    vocab = sorted((w for w, c in freq.items() if c >= MIN_COUNT), key=lambda w: (-freq[w], w))[
        :VOCAB
    ]
    ctx_words = sorted(freq, key=lambda w: (-freq[w], w))[:CONTEXTS]
    vid = {w: i for i, w in enumerate(vocab)}
    cid = {w: i for i, w in enumerate(ctx_words)}
    offsets = (-2, -1, 1, 2)
    rows: list[int] = []
    cols: list[int] = []
    for ws in lines:
        n = len(ws)
        for i, w in enumerate(ws):
            r = vid.get(w)
            if r is None:
                continue
            for j, off in enumerate(offsets):
                p = i + off
                c = cid.get(ws[p]) if 0 <= p < n else None
                if c is not None:
                    rows.append(r)
                    cols.append(j * CONTEXTS + c)
    m = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(vocab), 4 * CONTEXTS)).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row_sum = np.asarray(m.sum(axis=1)).ravel()
    col = np.asarray(m.sum(axis=0)).ravel() ** 0.75
    col_p = col / col.sum()
    coo = m.tocoo()
    pmi = np.log((coo.data / total) / ((row_sum[coo.row] / total) * col_p[coo.col]))
    keep = pmi > 0
    ppmi = coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=m.shape).tocsr()
    v0 = np.ones(min(ppmi.shape)) / np.sqrt(min(ppmi.shape))
    u, s, _vt = svds(ppmi, k=DIM, v0=v0)
    vec = u * np.sqrt(s)
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9)
    # cosines are invariant to the sign of each singular vector; fix the signs anyway
    vec *= np.sign(vec[np.abs(vec).argmax(axis=0), np.arange(vec.shape[1])])
    km = KMeans(n_clusters=k, n_init=3, random_state=SEED, max_iter=200)
    labels = km.fit_predict(vec)
    # number the clusters by their most frequent word's rank: stable names
    first: dict[int, int] = {}
    for i, lab in enumerate(labels.tolist()):
        first.setdefault(lab, i)
    order = {lab: n for n, (lab, _i) in enumerate(sorted(first.items(), key=lambda x: x[1]))}
    return {w: order[int(lab)] for w, lab in zip(vocab, labels.tolist(), strict=True)}


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--fold", type=int)
    ap.add_argument("--k", type=int, default=300)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    clusters = build(texts(args.corpora, args.fold), args.k)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# word\tcluster (bench/build_clusters.py: PPMI + SVD + k-means over raw train text)\n"
        )
        for w in sorted(clusters):
            fh.write(f"{w}\t{clusters[w]}\n")
    print(f"{len(clusters)} words in {args.k} clusters -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
