"""Build a table of distributional neighbours of linking concepts (PPMI + SVD).

A general word-similarity resource learned from the training corpora, no word
lists: every sentence of the texts below is turned into linking concepts by
claimtrack.linking.text.analyse (light stems, synonym groups, entities; numbers
dropped), concepts co-occurring within WINDOW positions of one sentence are
counted, the counts become positive PMI (context distribution smoothed with
alpha 0.75), truncated SVD (numpy, dense, float64) gives DIM-dimensional
vectors (U x S^0.5), and each word concept keeps its TOP nearest word concepts
by cosine at or above MIN_COS (rounded to 3 decimals). Entities serve as
contexts only; neither targets nor neighbours.

Texts: PolNeAR train (840 articles), FNC-1 train bodies and headlines outside the
held-out 20 % of bench/fnc1_data.split (so the held-out evaluation sees none of
its bodies), Emergent train claim and article headlines.

Deterministic: vocabulary in sorted order, cosines are sign-invariant, output
rounded and sorted. Not shipped: bench/soft_overlap.py measures what it adds to
linking (nothing on the seeds; see there). About 1.2M words, 62k sentences; ~1.5
min (the eigendecomposition of a 4000 x 4000 matrix).

    .venv/bin/python bench/build_vectors.py [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fnc1_data import heldout_ids, read_bodies  # noqa: E402

from claimtrack.linking.text import analyse  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = Path("/tmp/claimtrack-bench/neighbours.json")
WINDOW = 2  # 5 gives topical neighbours ("help": candidate, sanders, democrat)
VOCAB = 4000  # word concepts (targets), by frequency
CONTEXTS = 6000  # context concepts (words and entities), by frequency
MIN_COUNT = 10
DIM = 100
TOP = 8
MIN_COS = 0.35
_SENT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n+")


def texts(corpora: Path) -> list[str]:
    out: list[str] = []
    for path in sorted((corpora / "polnear" / "train" / "text").glob("*.txt")):
        out.append(path.read_text(encoding="utf-8"))
    fnc = corpora / "fnc1"
    bodies = read_bodies(fnc / "train_bodies.csv")
    held = heldout_ids(bodies)
    out.extend(t for b, t in sorted(bodies.items()) if b not in held)
    with (fnc / "train_stances.csv").open(encoding="utf-8", newline="") as fh:
        heads = {r["Headline"] for r in csv.DictReader(fh) if int(r["Body ID"]) not in held}
    out.extend(sorted(heads))
    with (corpora / "emergent" / "emergent_train.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out.extend(sorted({r["claimHeadline"] for r in rows} | {r["articleHeadline"] for r in rows}))
    return out


def sentences(corpus: list[str]) -> list[list[str]]:
    sents = []
    for text in corpus:
        for s in _SENT.split(text):
            if s.strip():
                order = [c for c in analyse(s).order if not c.startswith("n:")]
                if len(order) > 1:
                    sents.append(order)
    return sents


def build(sents: list[list[str]]) -> dict[str, list[list[object]]]:
    freq: Counter[str] = Counter(c for s in sents for c in s)
    ranked = sorted((c for c, n in freq.items() if n >= MIN_COUNT), key=lambda c: (-freq[c], c))
    targets = sorted([c for c in ranked if not c.startswith("e:")][:VOCAB])
    contexts = sorted(ranked[:CONTEXTS])
    ti = {c: i for i, c in enumerate(targets)}
    ci = {c: i for i, c in enumerate(contexts)}
    counts = np.zeros((len(targets), len(contexts)), dtype=np.float64)
    for s in sents:
        n = len(s)
        for i, c in enumerate(s):
            t = ti.get(c)
            if t is None:
                continue
            for j in range(max(0, i - WINDOW), min(n, i + WINDOW + 1)):
                if j != i and s[j] != c:
                    k = ci.get(s[j])
                    if k is not None:
                        counts[t, k] += 1.0
    total = counts.sum()
    pt = counts.sum(axis=1, keepdims=True) / total
    pc = counts.sum(axis=0, keepdims=True) ** 0.75
    pc /= pc.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((counts / total) / (pt * pc))
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    # the left singular vectors and values of PPMI from the eigenvectors of PPMI PPMI^T
    evals, evecs = np.linalg.eigh(ppmi @ ppmi.T)
    top = np.argsort(-evals, kind="stable")[:DIM]
    vec = evecs[:, top] * np.sqrt(np.sqrt(np.clip(evals[top], 0.0, None)))
    norms = np.linalg.norm(vec, axis=1, keepdims=True)
    vec /= np.where(norms > 0, norms, 1.0)
    cos = vec @ vec.T
    np.fill_diagonal(cos, -1.0)
    out: dict[str, list[list[object]]] = {}
    for i, c in enumerate(targets):
        row = np.round(cos[i], 3)
        # cosine descending, then the concept (targets are sorted: index order)
        best = [int(j) for j in np.lexsort((np.arange(len(row)), -row))[:TOP] if row[j] >= MIN_COS]
        if best:
            out[c] = [[targets[j], float(row[j])] for j in best]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    corpus = texts(args.corpora)
    sents = sentences(corpus)
    nb = build(sents)
    meta = {
        "texts": len(corpus),
        "sentences": len(sents),
        "window": WINDOW,
        "vocab": VOCAB,
        "contexts": CONTEXTS,
        "min_count": MIN_COUNT,
        "dim": DIM,
        "top": TOP,
        "min_cos": MIN_COS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"meta": meta, "neighbours": nb}, separators=(",", ":"), sort_keys=True),
        encoding="utf-8",
    )
    print(f"{meta} -> {args.out} ({args.out.stat().st_size} bytes, {len(nb)} concepts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
