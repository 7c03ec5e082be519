"""Extraction speed over PolNeAR train, timed as whole processes on one core.

    .venv/bin/python bench/extract.py [--polnear ../shared/corpora/polnear] [--split train]

Times (wall clock, start-up and imports included):
  1. ``claimtrack extract FILE... --format jsonl`` when the CLI has that command;
  2. this script's own worker process (``bench/extract.py --worker FILE...``),
     which reads each file as the contract says and writes contract JSONL,
     i.e. what the CLI does minus argument parsing.
Both are pinned to one core with ``taskset -c 0`` when taskset exists.
Prints articles/s, MB/s and tokens/s for each, by wall clock and by the
process's CPU time (user + system): on a machine shared with other work the
wall clock mostly measures the others; CPU time is the process's own cost.
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


def worker(paths: list[str]) -> int:
    sys.path.insert(0, str(REPO))
    from claimtrack.extract import extract_claims, to_contract

    out = sys.stdout
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        for claim in extract_claims(text):
            out.write(json.dumps(to_contract(claim, path), ensure_ascii=False) + "\n")
    return 0


def _time(cmd: list[str], label: str, n: int, mb: float, tokens: int) -> None:
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
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
            f"{label:34} {what:4} {n} articles in {secs:6.2f}s: {n / secs:7.1f} articles/s  "
            f"{mb / secs:5.2f} MB/s  {tokens / secs / 1000:6.1f}k tokens/s  ({lines} claims){status}"
        )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        return worker(sys.argv[2:])
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR)
    ap.add_argument("--split", default="train")
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
        "bench/extract.py --worker",
        len(paths),
        size,
        tokens,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
