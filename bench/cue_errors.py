"""Where the cue errors are: exact-boundary disagreements, wholly missed and spurious cues.

    .venv/bin/python bench/cue_errors.py GOLD PRED.jsonl [--fold K] [--cues CUES.tsv] [--top 30]

GOLD is a PolNeAR-style folder (text/, attributions/), PRED the contract JSONL of
``bench/eval_extract.py --out``. For development on held-out folds of PolNeAR
train only (``eval_extract.py ../shared/corpora/polnear/train --fold K --data DIR
--out PRED``, then this script with the same GOLD and ``--fold K``): the counts say which kind of cue error dominates and which words
carry it. Tokens and cue matching are the shared evaluator's (token unit).
``--cues`` (the fold's cues.tsv) adds each missed word's cue share in training.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVALUATOR = REPO.parent / "shared" / "tools" / "eval_attribution.py"


def _evaluator() -> object:
    spec = importlib.util.spec_from_file_location("eval_attribution", EVALUATOR)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["eval_attribution"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("gold", type=Path)
    ap.add_argument("pred", type=Path)
    ap.add_argument("--cues", type=Path)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--fold", type=int, help="only the articles of this held-out fifth")
    args = ap.parse_args()
    ev = _evaluator()
    gold = args.gold
    if args.fold is not None:
        sys.path.insert(0, str(REPO / "bench"))
        from eval_extract import fold_folder

        gold = fold_folder(args.gold.resolve(), args.fold)
    docs = ev.load_gold(str(gold))  # type: ignore[attr-defined]
    if args.fold is not None:
        shutil.rmtree(gold)  # symbolic links only; everything is read
    ev.load_predictions(str(args.pred), docs)  # type: ignore[attr-defined]
    share: dict[str, float] = {}
    if args.cues:
        for line in args.cues.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                w, _, p = line.partition("\t")
                share[w] = float(p)

    kinds: Counter[str] = Counter()
    missed_words: Counter[str] = Counter()
    missed_where: Counter[str] = Counter()
    spurious_words: Counter[str] = Counter()
    spurious_where: Counter[str] = Counter()
    longer: Counter[str] = Counter()  # words a prediction adds to a gold cue
    shorter: Counter[str] = Counter()  # words of a gold cue a prediction leaves out
    share_missed: Counter[str] = Counter()
    n_gold = n_pred = 0
    for doc in docs.values():
        toks = ev.Tokens(doc.text, "token")  # type: ignore[attr-defined]
        words = [doc.text[s:e].lower() for s, e in zip(toks.starts, toks.ends, strict=True)]
        gold = [{r: toks.of(a[r]) for r in ev.ROLES} for a in doc.gold]  # type: ignore[attr-defined]
        pred = [{r: toks.of(a[r]) for r in ev.ROLES} for a in doc.predicted]  # type: ignore[attr-defined]
        psrc = frozenset().union(*(p["source"] for p in pred))
        pcon = frozenset().union(*(p["content"] for p in pred))

        gsrc = frozenset().union(*(g["source"] for g in gold))
        gcon = frozenset().union(*(g["content"] for g in gold))
        for g in gold:
            if not g["cue"]:
                continue
            n_gold += 1
            over = [p["cue"] for p in pred if p["cue"] & g["cue"]]
            if g["cue"] in over:
                kinds["gold exact"] += 1
            elif over:
                kinds["gold boundary"] += 1
                for p in over:
                    for t in sorted(p - g["cue"]):
                        longer[words[t]] += 1
                    for t in sorted(g["cue"] - p):
                        shorter[words[t]] += 1
            else:
                kinds["gold missed"] += 1
                heart = [t for t in sorted(g["cue"]) if words[t].isalpha()]
                key = " ".join(words[t] for t in sorted(g["cue"]))
                missed_words[key] += 1
                inside = g["cue"]
                where = (
                    "in predicted content"
                    if inside & pcon
                    else "in predicted source"
                    if inside & psrc
                    else "untagged"
                )
                missed_where[where] += 1
                best = max((share.get(words[t], 0.0) for t in heart), default=0.0)
                bucket = (
                    "share 0 (rare/unseen)"
                    if best == 0
                    else "share <0.15"
                    if best < 0.15
                    else "share <0.4"
                    if best < 0.4
                    else "share >=0.4"
                )
                share_missed[bucket] += 1
        for p in pred:
            if not p["cue"]:
                continue
            n_pred += 1
            if not any(p["cue"] & g["cue"] for g in gold):
                kinds["pred spurious"] += 1
                spurious_words[" ".join(words[t] for t in sorted(p["cue"]))] += 1
                where = (
                    "in gold content"
                    if p["cue"] & gcon
                    else "in gold source"
                    if p["cue"] & gsrc
                    else "outside gold"
                )
                spurious_where[where] += 1
    print(f"gold cues {n_gold}, predicted cues {n_pred}")
    for k, v in sorted(kinds.items()):
        print(f"  {k:<16} {v}")
    print("missed:", dict(missed_where), dict(share_missed))
    print("spurious:", dict(spurious_where))
    for title, counter in (
        ("missed cues", missed_words),
        ("spurious cues", spurious_words),
        ("words predictions add to gold cues", longer),
        ("gold cue words predictions leave out", shorter),
    ):
        print(f"\n{title} ({sum(counter.values())}):")
        print("  " + ", ".join(f"{w!r} {c}" for w, c in counter.most_common(args.top)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
