"""Does distributional soft term overlap help linking? (an experiment, not shipped)

Builds the PPMI + SVD neighbour table of bench/build_vectors.py (or reads it with
--neighbours) and compares the linker's weighted concept overlap with a *soft*
overlap, in which a concept of one claim that the other lacks still counts, for
``lam x cosine x min(weights)``, when its best distributional neighbour among the
other claim's unshared concepts has cosine >= ``min_cos``. Three tests:

1. Emergent article headlines (a task the seeds are not): pairs of headlines of
   one claim (positives) against pairs of headlines of different claims that
   share at least one concept; ROC AUC of the static overlap (0.5 x Dice +
   0.25 x containment), and the recall reached at precision 0.9 and 0.8 (the
   region a linker works in). The neighbours for this test are built from
   texts only (PolNeAR train, FNC-1 bodies), no headlines.
2. Seeds, claims of one article (all 23 gold links are within an article): how
   gold pairs rank among the 292 same-article pairs, for the static overlap,
   the soft overlap and the FNC-1 stance model's P(related) (claim vs claim as
   a one-sentence body, averaged over both directions).
3. Seeds with the soft overlap inside relate's similarity (linking only), with the
   index's candidates and with every earlier claim as a candidate.

    .venv/bin/python bench/soft_overlap.py [--neighbours N.json] [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_vectors  # noqa: E402
import seed_links  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from claimtrack.linking.index import LinkIndex  # noqa: E402
from claimtrack.linking.stance import analyse_body, stance_features, stance_model  # noqa: E402
from claimtrack.linking.text import ClaimFeatures, analyse, claim_features, lexicon  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
SEEDS = ROOT.parent / "shared" / "seeds"
Neighbours = Mapping[str, Mapping[str, float]]
# relate's module (the package re-exports the function relate under the same name)
RELATE = sys.modules["claimtrack.linking.relate"]


def neighbours(table: dict[str, list[list[Any]]], min_cos: float) -> Neighbours:
    return {k: {t: c for t, c in v if c >= min_cos} for k, v in table.items()}


def _soft_side(us: list[str], vs: list[str], nb: Neighbours, w: Callable[[str], float]) -> float:
    total = 0.0
    for u in us:
        near = nb.get(u)
        if not near or not vs:
            continue
        cos, v = max((near.get(v, 0.0), v) for v in vs)
        if cos > 0.0:
            total += min(w(u), w(v)) * cos
    return total


def soft_weight(
    ca: frozenset[str],
    cb: frozenset[str],
    nb: Neighbours | None,
    lam: float,
    w: Callable[..., float],
) -> float:
    """The shared weight plus ``lam`` x the mean of both sides' soft matches."""
    ws = sum(map(w, ca & cb))
    if nb is None or lam == 0.0:
        return ws
    ua = [c for c in ca - cb if c[:2] not in ("e:", "n:")]
    ub = [c for c in cb - ca if c[:2] not in ("e:", "n:")]
    return ws + lam * 0.5 * (_soft_side(ua, ub, nb, w) + _soft_side(ub, ua, nb, w))


def overlap(
    ca: frozenset[str], cb: frozenset[str], nb: Neighbours | None = None, lam: float = 0.0
) -> float:
    w = lexicon().weight
    ws = soft_weight(ca, cb, nb, lam, w)
    wa = sum(map(w, ca)) or 1.0
    wb = sum(map(w, cb)) or 1.0
    return ws / (wa + wb) + 0.25 * min(1.0, ws / min(wa, wb))


def auc(scored: list[tuple[float, bool]]) -> float:
    """ROC AUC with ties counted half (rank sum)."""
    s = sorted(scored, key=lambda x: x[0])
    n, pos = len(s), sum(1 for _, y in s if y)
    rank_sum, i = 0.0, 0
    while i < n:
        j = i
        while j < n and s[j][0] == s[i][0]:
            j += 1
        rank_sum += (i + j + 1) / 2 * sum(1 for k in range(i, j) if s[k][1])
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * (n - pos))


def recall_at(scored: list[tuple[float, bool]], precision: float) -> float:
    pos = sum(1 for _, y in scored if y)
    tp, best = 0, 0
    for k, (_, y) in enumerate(sorted(scored, key=lambda x: -x[0]), 1):
        tp += y
        if tp / k >= precision:
            best = tp
    return best / pos


def emergent_pairs(corpora: Path) -> list[tuple[bool, frozenset[str], frozenset[str]]]:
    with (corpora / "emergent" / "emergent_train.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_claim: dict[str, set[str]] = {}
    for r in rows:
        by_claim.setdefault(r["claimId"], set()).add(r["articleHeadline"])
    heads = [(cid, h) for cid, hs in sorted(by_claim.items()) for h in sorted(hs)]
    concepts = {h: analyse(h).concepts for _, h in heads}
    out = []
    for (c1, h1), (c2, h2) in itertools.combinations(heads, 2):
        a, b = concepts[h1], concepts[h2]
        if c1 == c2 or a & b:
            out.append((c1 == c2, a, b))
    return out


@contextmanager
def soft_similarity(nb: Neighbours, lam: float) -> Iterator[None]:
    """relate's similarity with the soft overlap (the index's judge uses it)."""
    original = RELATE._similarity

    def patched(
        a: ClaimFeatures,
        b: ClaimFeatures,
        weight: Mapping[str, float] | None,
        floor: float,
        sums: tuple[float, float] | None = None,
    ) -> tuple[float, list[str]]:
        ca, cb = a.text.concepts, b.text.concepts
        shared = ca & cb
        if weight is None:
            weight = {c: lexicon().weight(c) for c in ca | cb}
        w = weight.__getitem__
        wa, wb = sum(map(w, ca)), sum(map(w, cb))
        ws = soft_weight(ca, cb, nb, lam, w)
        if ws == 0.0:
            return 0.0, []
        dice = 2.0 * ws / (wa + wb)
        cont = min(1.0, ws / min(wa, wb))
        short = (a.denies or b.denies) and min(len(ca), len(cb)) <= 2
        damp = 1.0
        if (
            len(shared) < 2
            and not short
            and ws <= sum(map(w, shared))
            or (shared and all(c.startswith("e:") for c in shared) and ws <= sum(map(w, shared)))
        ):
            damp = 0.6
        elif ws < RELATE.SHARED_MIN and not short:
            damp = 0.5 + 0.5 * ws / RELATE.SHARED_MIN
        fz = fuzz.token_set_ratio(a.norm, b.norm) / 100.0
        return (0.5 * dice + 0.25 * cont + 0.25 * fz) * damp, sorted(shared)

    RELATE._similarity = patched
    try:
        yield
    finally:
        RELATE._similarity = original


@contextmanager
def all_candidates() -> Iterator[None]:
    """Every earlier claim is a candidate (the seeds are 42 claims)."""
    original = LinkIndex._candidates

    def every(self: LinkIndex, f: ClaimFeatures, fids: list[int]) -> list[int]:
        return list(range(len(self)))

    LinkIndex._candidates = every  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        LinkIndex._candidates = original  # type: ignore[method-assign]


def seed_ranking(seeds: Path, nb: Neighbours, lam: float) -> dict[str, dict[str, float]]:
    claims, _ = seed_links.gold_claims(seeds / "gold.jsonl")
    gold = set()
    for line in (seeds / "links.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            gold.add(frozenset((int(g["a_line"]), int(g["b_line"]))))
    feats = [claim_features(c) for c in claims]
    model = stance_model()
    unrelated = model.classes.index("unrelated")

    def related(a: int, b: int) -> float:
        s = model.scores(stance_features(claims[a].content, analyse_body([claims[b].content])))
        m = max(s)
        p = [math.exp(x - m) for x in s]
        return 1.0 - p[unrelated] / sum(p)

    scorers: dict[str, Callable[[int, int], float]] = {
        "static overlap": lambda i, j: overlap(feats[i].text.concepts, feats[j].text.concepts),
        "soft overlap": lambda i, j: overlap(
            feats[i].text.concepts, feats[j].text.concepts, nb, lam
        ),
        "stance model P(related)": lambda i, j: (related(i, j) + related(j, i)) / 2,
    }
    pairs = [
        (i, j)
        for i, j in itertools.combinations(range(len(claims)), 2)
        if claims[i].article_id == claims[j].article_id
    ]
    out = {}
    for name, fn in scorers.items():
        scored = [(fn(i, j), frozenset((i, j)) in gold) for i, j in pairs]
        ranked = sorted(scored, key=lambda x: -x[0])
        row = {"auc": round(auc(scored), 3)}
        for k in (10, 20, 40):
            row[f"gold in top {k}"] = sum(1 for _, y in ranked[:k] if y)
        out[name] = row
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=CORPORA)
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    ap.add_argument("--neighbours", type=Path, help="a table from bench/build_vectors.py")
    ap.add_argument("--min-cos", type=float, default=0.5)
    ap.add_argument("--lam", type=float, default=0.25)
    args = ap.parse_args(argv)
    build_vectors.WINDOW, build_vectors.VOCAB, build_vectors.CONTEXTS = 2, 4000, 6000
    build_vectors.DIM = 100
    if args.neighbours:
        table = json.loads(args.neighbours.read_text(encoding="utf-8"))["neighbours"]
    else:
        table = build_vectors.build(build_vectors.sentences(build_vectors.texts(args.corpora)))
    # 1. Emergent headline pairs, neighbours from texts only (no headlines)
    texts = [
        p.read_text(encoding="utf-8") for p in sorted(args.corpora.glob("polnear/train/text/*"))
    ]
    with (args.corpora / "fnc1" / "train_bodies.csv").open(encoding="utf-8", newline="") as fh:
        texts.extend(r["articleBody"] for r in csv.DictReader(fh))
    text_nb = build_vectors.build(build_vectors.sentences(texts))
    pairs = emergent_pairs(args.corpora)
    n_pos = sum(1 for y, _, _ in pairs if y)
    print(f"1. Emergent headline pairs: {len(pairs)} ({n_pos} of one claim)")
    settings: list[tuple[str, Neighbours | None, float]] = [("static", None, 0.0)]
    for min_cos, lam in ((0.5, 0.25), (0.5, 1.0), (0.6, 0.25), (0.6, 1.0)):
        settings.append((f"soft cos>={min_cos} lam={lam}", neighbours(text_nb, min_cos), lam))
    for name, nb, lam in settings:
        scored = [(overlap(a, b, nb, lam), y) for y, a, b in pairs]
        print(
            f"   {name:<24} AUC {auc(scored):.4f}  recall at P 0.9 {recall_at(scored, 0.9):.3f}"
            f"  at P 0.8 {recall_at(scored, 0.8):.3f}"
        )
    nb = neighbours(table, args.min_cos)
    print(f"2. Seeds, same-article pairs (soft: cos >= {args.min_cos}, lam {args.lam})")
    for name, row in seed_ranking(args.seeds, nb, args.lam).items():
        print(f"   {name:<24} {row}")
    print("3. Seeds with the soft overlap in relate's similarity")
    for lam in (0.0, args.lam, 1.0):
        with soft_similarity(nb, lam):
            res = seed_links.evaluate(args.seeds)
            with all_candidates():
                every = seed_links.evaluate(args.seeds)
        for label, r in (("index candidates", res), ("every earlier claim", every)):
            print(
                f"   lam {lam:<4} {label:<19} predicted {r['predicted']} correct {r['correct']}"
                f"  P {r['precision']:.3f} R {r['recall']:.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
