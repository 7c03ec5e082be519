"""Extraction speed over PolNeAR train, timed as whole processes on one core.

    .venv/bin/python bench/extract.py [--polnear ../shared/corpora/polnear] [--split train]

Times (wall clock, start-up and imports included):
  1. ``claimtrack extract FILE... --format jsonl`` when the CLI has that command;
  2. this script's own worker process (``bench/extract.py --worker FILE...``),
     which reads each file as the contract says and writes contract JSONL from
     the extractor alone: no speaker resolution (``speaker`` null,
     ``source_kind`` "unknown"), so it is not the CLI's work and not the bar's
     figure; it shows what the extractor costs without the resolver (about
     half of the CLI's CPU).
Both are pinned to one core with ``taskset -c 0`` when taskset exists.
Prints articles/s, MB/s and tokens/s for each, by wall clock and by the
process's CPU time (user + system): on a machine shared with other work the
wall clock mostly measures the others; CPU time is the process's own cost.

    .venv/bin/python bench/extract.py --stages [--repeat 3]

splits the CLI's CPU time by stage instead, in a process of its own (pinned the
same way) that does what ``claimtrack extract --format jsonl`` does: start-up
(interpreter, imports of the CLI's typer-free ``extract``, the extractor and the
resolver), the first
article (model and lexicons loaded), then per article the extractor
(``extract_many`` over the CLI's chunks of files, reading included), speaker
resolution (``resolve_claims``) and the output (contract rows, JSON lines,
written), and the garbage collector's share of all that; the minimum of
``--repeat`` processes for each figure.

    .venv/bin/python bench/extract.py --against /tmp/base-worktree [--rounds 4] [--stages]

a paired A/B: whole ``claimtrack extract FILE... --format jsonl`` processes of this
checkout and of another one (a ``git worktree`` of a baseline commit, run with its
own code on ``PYTHONPATH``), alternating, pinned as above, ``--rounds`` of each; prints
every run's CPU time, each side's minimum and whether the two outputs are
byte-identical. With ``--stages``, alternating stage workers of both checkouts
instead (each checkout's own ``bench/extract.py --stage-worker``), each side's
minimum per stage. On this shared machine the same code moves by ~15-25% from one
run to the next: only such alternating pairs compare two versions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_POLNEAR = REPO.parent / "shared" / "corpora" / "polnear"


def _chunks(paths: list[str]) -> list[list[str]]:
    """The CLI's chunks: the first file alone, then ``app_extract.CHUNK`` at a time."""
    from claimtrack.cli.app_extract import CHUNK

    return [paths[:1]] + [paths[k : k + CHUNK] for k in range(1, len(paths), CHUNK)]


def worker(paths: list[str]) -> int:
    sys.path.insert(0, str(REPO))
    from claimtrack.extract import to_contract
    from claimtrack.extract.api import extract_many

    out = sys.stdout
    for chunk in _chunks(paths):
        texts = []
        for path in chunk:
            with open(path, encoding="utf-8", newline="") as handle:
                texts.append(handle.read())
        for path, claims in zip(chunk, extract_many(texts), strict=True):
            for claim in claims:
                out.write(json.dumps(to_contract(claim, path), ensure_ascii=False) + "\n")
    return 0


def stage_worker(paths: list[str]) -> int:
    """One process doing what the CLI does, timing each stage by CPU time (JSON out)."""
    import gc

    start_up = time.process_time()  # since the process started: interpreter and imports
    gc.disable()  # as ``app_extract.fast_main``: no collection until the first article is done
    sys.path.insert(0, str(REPO))
    # the CLI's own start-up: its package and the typer-free ``extract`` (the plain
    # ``claimtrack extract FILE... --format jsonl`` imports neither typer nor any command)
    import claimtrack.cli  # noqa: F401
    from claimtrack.cli.app_extract import COLLECT_EVERY, contract_line
    from claimtrack.extract.api import extract_many
    from claimtrack.sources import resolve_claims

    gc_time = [0.0, 0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_time[1] = time.process_time()
        else:
            gc_time[0] += time.process_time() - gc_time[1]

    gc.callbacks.append(on_gc)
    sink = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    imports = time.process_time() - start_up
    start_up = time.process_time()
    stages = {"extract": 0.0, "resolve": 0.0, "output": 0.0}
    first = 0.0
    claims = 0
    since_collect = 0
    # as the CLI does: the first file alone, then chunks read and extracted together, then
    # each file resolved and written
    for k, chunk in enumerate(_chunks(paths)):
        t0 = time.process_time()
        texts = []
        for path in chunk:
            with open(path, encoding="utf-8", newline="") as handle:
                texts.append(handle.read())
        found = extract_many(texts)
        t1 = time.process_time()
        resolving = output = 0.0
        for path, text, claims_of in zip(chunk, texts, found, strict=True):
            a = time.process_time()
            resolved = resolve_claims(text, claims_of)
            b = time.process_time()
            document = json.encoder.encode_basestring(path)
            lines = [contract_line(r.claim, document, r.speaker) for r in resolved]
            if lines:
                sink.write("\n".join(lines) + "\n")
            c = time.process_time()
            resolving += b - a
            output += c - b
            claims += len(lines)
        if k == 0:  # as the CLI does after its first file
            first = time.process_time() - t0
            gc.freeze()
            gc_time[0] = 0.0
            continue
        since_collect += len(chunk)
        if since_collect >= COLLECT_EVERY:
            since_collect = 0
            gc.collect(1)
        stages["extract"] += t1 - t0
        stages["resolve"] += resolving
        stages["output"] += output
    total = time.process_time()
    print(
        json.dumps(
            {
                "start_up": start_up,
                "imports": imports,
                "first_article": first,
                **stages,
                "gc": gc_time[0],
                "total": total,
                "articles": len(paths),
                "claims": claims,
            }
        )
    )
    return 0


def _pin() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def _stage_run(paths: list[str], tree: Path = REPO) -> dict[str, float]:
    """One stage worker process of checkout ``tree`` (its own bench/extract.py and code)."""
    proc = subprocess.run(
        [*_pin(), sys.executable, str(tree / "bench" / "extract.py"), "--stage-worker", *paths],
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
        env=dict(os.environ, PYTHONPATH=str(tree)),
    )
    run: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return run


def stages(paths: list[str], repeat: int) -> None:
    _print_stages([_stage_run(paths) for _ in range(repeat)])


def _print_stages(runs: list[dict[str, float]], label: str = "") -> None:
    best = {key: min(r[key] for r in runs) for key in runs[0]}
    n = int(best["articles"]) - 1
    print(
        f"stages of one claimtrack extract --format jsonl process{label}, CPU time, "
        f"min of {len(runs)} processes ({int(best['claims'])} claims):"
    )
    print(f"  start-up (interpreter + imports)  {best['start_up']:6.3f} s")
    print(f"    of which imports of claimtrack   {best['imports']:6.3f} s")
    print(f"  first article (model, lexicons)    {best['first_article']:6.3f} s")
    for key in ("extract", "resolve", "output"):
        print(
            f"  {key:8} {1000 * best[key] / n:6.2f} ms/article  ({best[key]:6.2f} s, {n} articles)"
        )
    print(f"  gc (inside the stages above)  {1000 * best['gc'] / n:6.2f} ms/article")
    per = best["total"]
    print(f"  whole process {per:6.2f} s CPU: {best['articles'] / per:6.1f} articles/s")
    if len(runs) > 1:
        print("  each process: " + " ".join(f"{r['total']:.2f}" for r in runs) + " s CPU")


def _cli_run(paths: list[str], tree: Path) -> tuple[float, bytes]:
    """CPU time and output of one ``claimtrack extract`` process of checkout ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [*_pin(), sys.executable, "-m", "claimtrack", "extract", *paths, "--format", "jsonl"],
        capture_output=True,
        check=False,
        cwd=tree,
        env=dict(os.environ, PYTHONPATH=str(tree)),
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: exit {proc.returncode}: {proc.stderr[-300:]!r}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, proc.stdout


def against(paths: list[str], other: Path, rounds: int, by_stage: bool) -> None:
    """Paired A/B of this checkout and ``other``: alternating processes, ``rounds`` each."""
    trees = {"this": REPO, "other": other.resolve()}
    if by_stage:
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in trees}
        for _ in range(rounds):
            for key, tree in trees.items():
                runs[key].append(_stage_run(paths, tree))
        for key, tree in trees.items():
            _print_stages(runs[key], f" ({key}: {tree})")
        return
    cpu: dict[str, list[float]] = {k: [] for k in trees}
    outputs: dict[str, set[bytes]] = {k: set() for k in trees}
    for _ in range(rounds):
        for key, tree in trees.items():
            secs, out = _cli_run(paths, tree)
            cpu[key].append(secs)
            outputs[key].add(out)
    n = len(paths)
    print(f"claimtrack extract --format jsonl, alternating, CPU s ({rounds} processes each):")
    for key, tree in trees.items():
        best = min(cpu[key])
        runs_text = " ".join(f"{x:.2f}" for x in cpu[key])
        print(
            f"  {key:5} {best:6.2f} s = {n / best:6.1f} articles/s (min)   runs: {runs_text}   {tree}"
        )
    same = len(outputs["this"]) == 1 and outputs["this"] == outputs["other"]
    print(f"  outputs byte-identical: {'yes' if same else 'NO'}")


def _time(cmd: list[str], label: str, n: int, mb: float, tokens: int) -> None:
    pin = _pin()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(pin + cmd, capture_output=True, check=False)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = proc.stdout.count(b"\n")
    status = "" if proc.returncode == 0 else f"  (exit {proc.returncode}: {proc.stderr[-200:]!r})"
    for what, secs in (("wall", dt), ("cpu", cpu)):
        print(
            f"{label:40} {what:4} {n} articles in {secs:6.2f}s: {n / secs:7.1f} articles/s  "
            f"{mb / secs:5.2f} MB/s  {tokens / secs / 1000:6.1f}k tokens/s  ({lines} claims){status}"
        )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        return worker(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "--stage-worker":
        return stage_worker(sys.argv[2:])
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR)
    ap.add_argument("--split", default="train")
    ap.add_argument("--stages", action="store_true", help="CPU time of the CLI by stage")
    ap.add_argument("--repeat", type=int, default=3, help="processes for --stages (min)")
    ap.add_argument("--against", type=Path, help="another checkout: paired alternating A/B")
    ap.add_argument("--rounds", type=int, default=4, help="processes of each side for --against")
    args = ap.parse_args()

    paths = sorted(str(p) for p in (args.polnear / args.split / "text").glob("*.txt"))
    if not paths:
        print(f"no texts under {args.polnear / args.split / 'text'}", file=sys.stderr)
        return 1
    size = sum(Path(p).stat().st_size for p in paths) / 1e6
    tokens = 0
    for p in paths:
        with open(p, encoding="utf-8", newline="") as handle:
            tokens += len(re.findall(r"\w+|[^\w\s]", handle.read()))
    print(f"{len(paths)} articles, {size:.2f} MB, {tokens} tokens (one core, whole processes)")
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    if (
        os.environ.get("PYTHONDONTWRITEBYTECODE")
        and not (REPO / "claimtrack" / "__pycache__").is_dir()
    ):
        print(
            "PYTHONDONTWRITEBYTECODE is set and claimtrack has no __pycache__: every process "
            "compiles claimtrack's modules (~0.1 s of start-up)"
        )
    if args.against is not None:
        against(paths, args.against, args.rounds, args.stages)
        return 0
    if args.stages:
        stages(paths, args.repeat)
        return 0

    cli = shutil.which("claimtrack") or str(REPO / ".venv" / "bin" / "claimtrack")
    has_extract = False
    if Path(cli).exists():
        helptext = subprocess.run(
            [cli, "--help"], capture_output=True, text=True, check=False
        ).stdout
        has_extract = "extract" in helptext
    if has_extract:
        _time(
            [cli, "extract", *paths, "--format", "jsonl"],
            "claimtrack extract --format jsonl",
            len(paths),
            size,
            tokens,
        )
    else:
        print("claimtrack extract: not available yet (CLI not written)")
    _time(
        [sys.executable, __file__, "--worker", *paths],
        "bench/extract.py --worker (no speakers)",
        len(paths),
        size,
        tokens,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
