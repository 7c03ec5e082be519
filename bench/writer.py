"""The ingest writer alone, replayed over a saved extraction (no worker noise).

    .venv/bin/python bench/writer.py prepare --start 0 --stop 1000 --out PREP.pkl
    .venv/bin/python bench/writer.py replay PREP.pkl [--case KEPT.db] [--db OUT.db]
                                           [--profile PROF.out] [--repeat 3]
    .venv/bin/python bench/writer.py transfer PREP.pkl [--rounds 5]

``prepare`` writes the bench articles ``start..stop`` of bench/ingest.py (PolNeAR
train + FNC-1 bodies, repeated with changes) to a temporary folder, runs the
workers' step (read, extract, resolve, link features: ``store.parallel``) with
``--jobs 2`` and pickles what the writer receives. ``replay`` feeds that to
``store.ingest.ingest_inputs`` in this one process, into a fresh SQLite case
(or a copy of ``--case``), exactly as ``claimtrack ingest`` does after the
pool, and prints the writer's CPU (write / link / score, as ``--timings``) and
its peak RSS. ``--db`` keeps the resulting case (to compare tables before and
after a change); ``--profile`` writes a cProfile of the run. ``transfer``: the
CPU of unpickling the results as the pool hands them over (see ``transfer``).
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def prepare(start: int, stop: int, out: Path, jobs: int) -> None:
    from ingest import SHARED, base_texts, write_stage

    from claimtrack.store.documents import expand_inputs
    from claimtrack.store.parallel import prepared

    texts = base_texts(SHARED)
    folder = Path(tempfile.mkdtemp(prefix="claimtrack-writer-"))
    try:
        write_stage(texts, start, stop, folder / "stage")
        items = expand_inputs([str(folder / "stage")])
        ready = list(prepared(items, jobs=jobs, db=None))
    finally:
        shutil.rmtree(folder)
    with open(out, "wb") as fh:
        pickle.dump(ready, fh, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(ready)} prepared articles -> {out}")


def _packed(ready: Any) -> Any:
    """A result saved before the workers packed their claims (a list of
    ResolvedClaim), as a worker sends it now."""
    from dataclasses import replace

    from claimtrack.store.ingest import pack_claims

    if isinstance(ready.resolved, list):
        return replace(ready, resolved=pack_claims(ready.resolved))
    return ready


def replay(prep: Path, case_path: Path | None, keep: Path | None, profile: Path | None) -> None:
    import claimtrack.store.parallel as parallel
    from claimtrack.store import Case
    from claimtrack.store.ingest import IngestStats, ingest_inputs

    with open(prep, "rb") as fh:
        ready = pickle.load(fh)
    ready = [_packed(r) for r in ready]
    tmp = Path(tempfile.mkdtemp(prefix="claimtrack-writer-"))
    try:
        db = tmp / "case.db"
        if case_path is not None:
            Case.open(str(case_path), create=False).close()  # fold the WAL in
            shutil.copy(case_path, db)
        parallel.prepared = lambda items, **kw: iter(ready)  # type: ignore[assignment]
        stats = IngestStats()
        prof = cProfile.Profile() if profile is not None else None
        t0, c0 = time.perf_counter(), time.process_time()
        with Case.open(str(db)) as case:
            if prof is not None:
                prof.enable()
            for _ in ingest_inputs(case, [r.item for r in ready], jobs=2, stats=stats):
                pass
            if prof is not None:
                prof.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        n = max(stats.articles, 1)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"writer: {stats.articles} articles, {stats.claims} claims; CPU {cpu:.2f}s "
            f"({1000 * cpu / n:.1f} ms/article), wall {wall:.2f}s; write "
            f"{1000 * stats.write / n:.2f} / link {1000 * stats.link / n:.2f} / score "
            f"{1000 * stats.score / n:.2f} ms/article (+ scoring workers "
            f"{1000 * getattr(stats, 'score_workers', 0.0) / n:.2f}); peak RSS {rss:.0f} MB; "
            f"garbage collector {stats.gc_wall:.2f}s ({'/'.join(map(str, stats.gc_runs))}), "
            f"final rescore wall {stats.score_wall:.2f}s",
            flush=True,
        )
        if prof is not None:
            prof.dump_stats(str(profile))
        if keep is not None:
            Case.open(str(db), create=False).close()
            shutil.copy(db, keep)
    finally:
        shutil.rmtree(tmp)


def transfer(prep: Path, rounds: int) -> None:
    """The CPU of unpickling what the pool sends the writer (its result thread's
    work), per article: the saved results as they are (a prepare made before the
    workers packed their claims: ResolvedClaim models) against the same results as
    the workers send them now (``pack_claims``, features by ``parallel._by_fields``),
    alternating, ``rounds`` times each."""
    from multiprocessing.reduction import ForkingPickler

    import claimtrack.store.parallel as parallel

    with open(prep, "rb") as fh:
        ready = pickle.load(fh)
    saved = [bytes(ForkingPickler.dumps(r)) for r in ready]
    for cls in parallel._FIELDS:
        ForkingPickler.register(cls, parallel._by_fields)
    now = [bytes(ForkingPickler.dumps(_packed(r))) for r in ready]
    n = len(ready)
    best = {"saved": float("inf"), "now": float("inf")}
    for _ in range(rounds):
        for name, blobs in (("saved", saved), ("now", now)):
            t0 = time.process_time()
            for b in blobs:
                pickle.loads(b)
            best[name] = min(best[name], time.process_time() - t0)
    print(
        f"unpickling {n} results: saved form {1000 * best['saved'] / n:.3f} ms/article "
        f"({sum(map(len, saved)) / n / 1024:.1f} KiB), as sent now "
        f"{1000 * best['now'] / n:.3f} ms/article ({sum(map(len, now)) / n / 1024:.1f} KiB); "
        f"best of {rounds}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--stop", type=int, default=1000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("replay")
    r.add_argument("prep", type=Path)
    r.add_argument("--case", type=Path, default=None, help="replay into a copy of this case")
    r.add_argument("--db", type=Path, default=None, help="keep the resulting case here")
    r.add_argument("--profile", type=Path, default=None)
    t = sub.add_parser("transfer")
    t.add_argument("prep", type=Path)
    t.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if args.cmd == "prepare":
        prepare(args.start, args.stop, args.out, args.jobs)
    elif args.cmd == "transfer":
        transfer(args.prep, args.rounds)
    else:
        replay(args.prep, args.case, args.db, args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
