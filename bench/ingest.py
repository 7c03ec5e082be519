"""Ingest throughput over PolNeAR texts, as whole `claimtrack ingest` processes.

    .venv/bin/python bench/ingest.py [--polnear ../shared/corpora/polnear] [--split train] [--limit N]

Times (wall clock, start-up included) into a throwaway SQLite database:
  1. the first ingest (every article new: decode, extract, resolve, store);
  2. the same ingest again (every article unchanged: decode and hash only).
Prints articles/s for each and the database size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_POLNEAR = REPO.parent / "shared" / "corpora" / "polnear"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR)
    ap.add_argument("--split", default="train")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    args = ap.parse_args()
    folder = args.polnear / args.split / "text"
    files = sorted(str(p) for p in folder.glob("*.txt"))
    if args.limit:
        files = files[: args.limit]
    if not files:
        print(f"no .txt files under {folder}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLAIMTRACK_DB": str(Path(tmp) / "bench.db")}
        cmd = [sys.executable, "-m", "claimtrack", "ingest", "--quiet", *files]
        for label in ("first ingest (new)", "again (unchanged)"):
            start = time.perf_counter()
            proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            print(
                f"{label:<20} {len(files)} files in {elapsed:6.2f}s = "
                f"{len(files) / elapsed:7.1f} files/s  [{summary}] exit {proc.returncode}"
            )
        size = (Path(tmp) / "bench.db").stat().st_size
        print(f"database: {size / 1024 / 1024:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
