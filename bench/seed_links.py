"""Evaluate claim linking on the gold seed links (../shared/seeds).

Builds CaseClaims from the gold claims (gold.jsonl: content, stance, hedged,
speaker, source kind; ``cited`` = the outlet named in the source span), links
them with claimtrack.linking.link_claims and compares with links.jsonl.

Links are unordered pairs. ``a_line``/``b_line`` in links.jsonl index lines of
gold.jsonl (0-based, over the whole file; checked against a_content/b_content).
``confusion`` counts the pairs that are gold or predicted by gold relation ->
predicted relation (``none`` when absent). Recall counts gold links predicted with the same relation; precision counts
predicted links (between gold claims) that are gold links with the same relation.

    .venv/bin/python bench/seed_links.py [--seeds ../shared/seeds] [--verbose] [--ceiling judge|all|find]

``--ceiling`` is a diagnostic, not a result: it replaces the pairwise judgement
of every gold pair by the gold relation at confidence 0.99 (``judge``), and
also adds every gold partner to the index's candidates (``all``), to show how
much of the recall is lost in the judgement of pairs, how much in the index's
candidate search and how much in its one-match-per-article choice. ``find``
adds every gold partner to the candidates and keeps today's judgement: what
perfect candidate generation alone would give.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from claimtrack.linking import link_claims
from claimtrack.linking.text import lexicon
from claimtrack.models import CaseClaim, Link, SourceKind, Stance

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def gold_claims(path: Path) -> tuple[list[CaseClaim], list[dict[str, object]]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    docs: dict[str, int] = {}
    claims = []
    lex = lexicon()
    for i, row in enumerate(rows):
        article = docs.setdefault(row["document"], len(docs) + 1)
        source = (row.get("source") or {}).get("text")
        kind = SourceKind(row.get("source_kind") or "unknown")
        cited = lex.outlet(source) if kind == SourceKind.MEDIA else None
        claims.append(
            CaseClaim(
                id=i,
                article_id=article,
                content=row["content"]["text"],
                cue=(row.get("cue") or {}).get("text"),
                source_text=source,
                stance=Stance(row.get("stance") or "asserts"),
                hedged=bool(row.get("hedged")),
                speaker=row.get("speaker"),
                source_kind=kind,
                cited=cited,
            )
        )
    return claims, rows


def _ceiling(gold: dict[frozenset[int], str], what: str) -> None:
    """Patch the index so that gold pairs are judged (and, with ``all``, found) perfectly."""
    from claimtrack.linking import index as ix
    from claimtrack.linking.relate import Judgement
    from claimtrack.models import Relation

    judge = ix.judge

    def oracle(a: Any, b: Any, weight: Any = None, sums: Any = None) -> Any:
        rel = gold.get(frozenset((a.id, b.id)))
        if rel is not None:
            return Judgement(Relation(rel), 0.99, "gold pair; ", similarity=0.99)
        return judge(a, b, weight, sums)

    if what != "find":
        ix.judge = oracle  # type: ignore[assignment]
    if what in ("all", "find"):
        candidates = ix.LinkIndex._candidates

        def found(self: Any, f: Any, fids: Any) -> Any:
            out = candidates(self, f, fids)
            more = [p for p, cid in enumerate(self._ids) if frozenset((cid, f.id)) in gold]
            return out + [p for p in more if p not in out]

        ix.LinkIndex._candidates = found  # type: ignore[method-assign]


def evaluate(seeds: Path, verbose: bool = False, ceiling: str | None = None) -> dict[str, Any]:
    claims, rows = gold_claims(seeds / "gold.jsonl")
    gold: dict[frozenset[int], str] = {}
    for line in (seeds / "links.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        a, b = int(g["a_line"]), int(g["b_line"])
        if (
            rows[a]["content"]["text"] != g["a_content"]
            or rows[b]["content"]["text"] != g["b_content"]
        ):
            raise SystemExit(f"links.jsonl: line indexes do not match contents ({a}, {b})")
        gold[frozenset((a, b))] = g["relation"]
    if ceiling:
        _ceiling(gold, ceiling)
    links: list[Link] = link_claims(claims)
    pred = {frozenset((lk.a, lk.b)): lk for lk in links}
    tp = sum(1 for k, lk in pred.items() if gold.get(k) == lk.relation.value)
    hit = sum(1 for k, rel in gold.items() if k in pred and pred[k].relation.value == rel)
    found_any = sum(1 for k in gold if k in pred)
    # relation confusion over the gold pairs and the predicted pairs: gold -> predicted
    confusion: dict[str, int] = {}
    for k in set(gold) | set(pred):
        g_rel = gold.get(k, "none")
        p_rel = pred[k].relation.value if k in pred else "none"
        cell = f"{g_rel}->{p_rel}"
        confusion[cell] = confusion.get(cell, 0) + 1
    precision = tp / len(pred) if pred else 0.0
    recall = hit / len(gold) if gold else 0.0
    if verbose:
        text = {c.id: c.content for c in claims}
        for k, lk in sorted(pred.items(), key=lambda kv: (kv[1].a, kv[1].b)):
            g = gold.get(k)
            mark = "OK " if g == lk.relation.value else ("REL" if g else "FP ")
            print(
                f"{mark} {lk.a:>2}-{lk.b:<2} {lk.relation.value:<12} {lk.confidence:.2f} {lk.reason}"
            )
            print(f"      {text[lk.a][:70]!r} | {text[lk.b][:70]!r}")
        for k, rel in gold.items():
            if k not in pred:
                a, b = sorted(k)
                print(f"MISS {a:>2}-{b:<2} {rel:<12} {text[a][:60]!r} | {text[b][:60]!r}")
    return {
        "gold": len(gold),
        "predicted": len(pred),
        "correct": tp,
        "pair_found": found_any,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "confusion": dict(sorted(confusion.items())),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument(
        "--ceiling",
        choices=("judge", "all", "find"),
        help="diagnostic: gold pairs judged perfectly (judge), also found (all), only found (find)",
    )
    args = ap.parse_args(argv)
    if not (args.seeds / "gold.jsonl").is_file():
        print(f"no seeds at {args.seeds}", file=sys.stderr)
        return 2
    res = evaluate(args.seeds, args.verbose, args.ceiling)
    print(json.dumps(res))
    ok = res["recall"] >= 0.8 and res["precision"] >= 0.7
    print("bar (recall >= 0.8, precision >= 0.7):", "PASS" if ok else "FAIL")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
