"""CPU cost and output identity of ``resolve_claims`` over PolNeAR train.

Usage:
  .venv/bin/python bench/resolve_speed.py --time [N]      # CPU ms/article, first and second pass
  .venv/bin/python bench/resolve_speed.py --dump OUT      # every resolved claim as JSON lines
  .venv/bin/python bench/resolve_speed.py --profile [N]   # cProfile of one first pass
  .venv/bin/python bench/resolve_speed.py --paired OLD.py [--n N]  # ArticleIndex: OLD vs this
  .venv/bin/python bench/resolve_speed.py --against TREE [--n N] [--passes P]  # resolve_claims

The claims are extracted once (``extract_claims``) and kept in a pickle
(``--claims``, default /tmp/claimtrack_train_claims.pkl) so that dumps made before
and after a change of the resolver see the very same claims, whatever happens to
the extractor in between. The first pass runs with the resolver's caches as a fresh
process has them (lexicons loaded on one article outside the timed set).

``--paired`` is for a machine shared with other work, where CPU time drifts by
tens of percent between runs: it loads another version of
``claimtrack/sources/mentions.py`` (e.g. ``git show HEAD~3:claimtrack/sources/mentions.py
> /tmp/old.py``) beside the current one and builds each article's ``ArticleIndex``
with both, in alternating order, both with cold caches at the start, so that both
see the same machine at the same moment.

``--against TREE`` does the same for the whole ``resolve_claims``: it loads
``claimtrack.sources`` a second time from another checkout (e.g. ``git worktree add
/tmp/base <commit>``), with its own lexicon caches, and alternates the two per
article (both cold at the start; ``--passes 2`` adds a warm pass).
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from claimtrack.models import Claim
from claimtrack.sources import resolve_claims

SHARED = Path(__file__).resolve().parents[2] / "shared"
TRAIN = SHARED / "corpora" / "polnear" / "train" / "text"


def load(claims_path: Path) -> list[tuple[str, str, list[Claim]]]:
    if claims_path.is_file():
        with open(claims_path, "rb") as fh:
            docs: list[tuple[str, str, list[Claim]]] = pickle.load(fh)
        return docs
    from claimtrack.extract import extract_claims

    docs = []
    for path in sorted(p for p in TRAIN.iterdir() if p.suffix == ".txt"):
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
        docs.append((path.name, text, extract_claims(text)))
    with open(claims_path, "wb") as fh:
        pickle.dump(docs, fh)
    return docs


def dump(docs: list[tuple[str, str, list[Claim]]], out: Path) -> None:
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for name, text, claims in docs:
            for i, rc in enumerate(resolve_claims(text, claims)):
                row = {
                    "doc": name,
                    "i": i,
                    "source": rc.claim.source.model_dump() if rc.claim.source else None,
                    "speaker": rc.speaker.model_dump(mode="json") if rc.speaker else None,
                    "speaker_set": sorted(rc.speaker.model_fields_set) if rc.speaker else None,
                    "cited": rc.cited.model_dump(mode="json") if rc.cited else None,
                }
                fh.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
                n += 1
    print(f"{n} resolved claims of {len(docs)} articles -> {out}")


def timing(docs: list[tuple[str, str, list[Claim]]], n: int) -> None:
    warm, timed = docs[n], docs[:n]
    resolve_claims(warm[1], warm[2])
    for label in ("first pass", "second pass"):
        t0 = time.process_time()
        for _, text, claims in timed:
            resolve_claims(text, claims)
        ms = 1000 * (time.process_time() - t0) / len(timed)
        print(f"resolve_claims over {len(timed)} PolNeAR train articles, {label}: {ms:.2f} ms CPU")


def profile(docs: list[tuple[str, str, list[Claim]]], n: int) -> None:
    import cProfile
    import pstats

    warm, timed = docs[n], docs[:n]
    resolve_claims(warm[1], warm[2])
    prof = cProfile.Profile()
    prof.enable()
    for _, text, claims in timed:
        resolve_claims(text, claims)
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(35)
    stats.sort_stats("cumulative").print_stats(45)


def paired(docs: list[tuple[str, str, list[Claim]]], old_path: Path, n: int) -> None:
    import importlib.util

    from claimtrack.sources import default_table
    from claimtrack.sources import mentions as new

    spec = importlib.util.spec_from_file_location("_mentions_old", old_path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {old_path}")
    old = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = old  # dataclasses look their module up
    spec.loader.exec_module(old)
    table = default_table()
    warm = docs[n]
    resolve_claims(warm[1], warm[2])  # lexicons loaded (shared by both)
    spent = {"old": 0.0, "new": 0.0}
    for k, (_, text, _claims) in enumerate(docs[:n]):
        order = (("old", old), ("new", new)) if k % 2 == 0 else (("new", new), ("old", old))
        for label, module in order:
            t0 = time.process_time()
            module.ArticleIndex(text, table)
            spent[label] += time.process_time() - t0
    o, w = (1000 * spent[k] / n for k in ("old", "new"))
    print(
        f"ArticleIndex over {n} PolNeAR train articles, first pass, paired: "
        f"{old_path} {o:.3f} ms CPU, current {w:.3f} ms CPU ({100 * (1 - w / o):.1f}% less)"
    )


def _sources_from(tree: Path) -> Any:
    """``claimtrack.sources`` of another checkout, loaded beside this one's."""
    import importlib

    import claimtrack

    here = {k: v for k, v in sys.modules.items() if k.startswith("claimtrack.sources")}
    home = list(claimtrack.__path__)
    for k in here:
        del sys.modules[k]
    claimtrack.__path__[:] = [str(tree / "claimtrack")]
    try:
        other = importlib.import_module("claimtrack.sources")
    finally:
        claimtrack.__path__[:] = home
        for k in [k for k in sys.modules if k.startswith("claimtrack.sources")]:
            del sys.modules[k]
        sys.modules.update(here)
    return other


def against(docs: list[tuple[str, str, list[Claim]]], tree: Path, n: int, passes: int) -> None:
    other = _sources_from(tree).resolve_claims
    warm = docs[n]
    other(warm[1], warm[2])
    resolve_claims(warm[1], warm[2])  # lexicons loaded (each copy its own)
    timed = docs[:n]
    del docs[n + 1 :]
    gc.collect()
    gc.freeze()  # as the CLI does: full collections scanning the held claims are noise here
    for p in range(passes):
        spent = {"other": 0.0, "this": 0.0}
        for k, (_, text, claims) in enumerate(timed):
            order = (("other", other), ("this", resolve_claims))
            for label, fn in order if k % 2 == 0 else order[::-1]:
                t0 = time.process_time()
                fn(text, claims)
                spent[label] += time.process_time() - t0
        o, w = (1000 * spent[k] / n for k in ("other", "this"))
        print(
            f"resolve_claims over {n} PolNeAR train articles, pass {p + 1}, paired: "
            f"{tree} {o:.3f} ms CPU, this checkout {w:.3f} ms CPU ({100 * (1 - w / o):.1f}% less)"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=Path, default=Path("/tmp/claimtrack_train_claims.pkl"))
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--time", type=int, nargs="?", const=300)
    ap.add_argument("--profile", type=int, nargs="?", const=300)
    ap.add_argument("--paired", type=Path, metavar="OLD_MENTIONS_PY")
    ap.add_argument("--against", type=Path, metavar="TREE", help="another checkout")
    ap.add_argument("--passes", type=int, default=1, help="passes for --against")
    ap.add_argument("--n", type=int, default=839, help="articles for --paired and --against")
    args = ap.parse_args(argv)
    if not args.claims.is_file() and not TRAIN.is_dir():
        print(f"no PolNeAR train at {TRAIN}", file=sys.stderr)
        return 1
    docs = load(args.claims)
    if args.dump:
        dump(docs, args.dump)
    if args.time or args.profile:
        # hold only the articles timed (as bench/speakers.py --train does): every article
        # more in memory makes each full garbage collection during the passes dearer
        del docs[max(args.time or 0, args.profile or 0) + 1 :]
        gc.collect()
    if args.time:
        timing(docs, args.time)
    if args.profile:
        profile(docs, args.profile)
    if args.paired:
        paired(docs, args.paired, min(args.n, len(docs) - 1))
    if args.against:
        against(docs, args.against, min(args.n, len(docs) - 1), args.passes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
