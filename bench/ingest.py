"""Ingest benchmark at case sizes 1k / 10k / 50k articles, into SQLite and PostgreSQL.

    .venv/bin/python bench/ingest.py [--sizes 1000,10000,50000] [--backends sqlite,postgresql]
                                     [--jobs 2] [--pg-url URL] [--keep FILE]
                                     [--case FILE --start N]   (grow a copy of a kept case)

Articles: the PolNeAR train texts and the FNC-1 bodies (../shared/corpora),
repeated with a change to reach the size (round r > 0 appends a numbered
sentence, so every text is distinct), written to a temporary folder (never
into the repository) in stages: stage k holds the articles that take the case
from the previous size to the next one.

For each backend, one case grows stage by stage, as a newsroom's would. Each
stage runs the whole pipeline as real processes:

  claimtrack ingest --jobs N STAGE_DIR   read, extract, resolve, store, link,
                                         and score what the batch touched
                                         (--timings: where its CPU went)
  claimtrack relink                      only when ingest stored no machine link
  claimtrack score                       only when claims are left unscored

and prints, at each size: the stage's wall time per step, articles/s and
claims/s of the stage and cumulated, and the peak memory: the RSS high-water
mark of the writer process (``ingest``) and of the largest worker, read from
/proc while it runs, and of each later step (``resource.getrusage`` of the
child), and the largest sum of the RSS of the writer and its workers sampled
at one moment (the process tree). PostgreSQL: --pg-url, else $CLAIMTRACK_TEST_PG_URL, else a throwaway
server started with .ci/postgres.sh (stopped at the end). The 1-minute load
average is printed with each line: the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpora"
LINE = re.compile(r"^(new|unchanged|updated)\s+#\d+\s+.*\((\d+) claims?\)")


def base_texts(shared: Path) -> list[str]:
    """PolNeAR train texts then FNC-1 bodies (about 2,500 real articles)."""
    texts = [
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted((shared / "polnear" / "train" / "text").glob("*.txt"))
    ]
    csv.field_size_limit(10**8)
    with open(shared / "fnc1" / "train_bodies.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            body = (row.get("articleBody") or "").strip()
            if len(body) > 200:
                texts.append(body + "\n")
    return texts


def article(texts: list[str], i: int) -> str:
    base = texts[i % len(texts)]
    r = i // len(texts)
    if r == 0:
        return base
    return base.rstrip("\n") + f"\n\nUpdate {r}: the agency said item {i} was revised.\n"


def write_stage(texts: list[str], start: int, stop: int, folder: Path) -> None:
    folder.mkdir(parents=True)
    for i in range(start, stop):
        (folder / f"a{i:06d}.txt").write_text(article(texts, i), encoding="utf-8")


def load() -> float:
    return os.getloadavg()[0]


def _hwm_kb(pid: int, field: str = "VmHWM:") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


@dataclass
class Peak:
    writer_kb: int = 0  # VmHWM of the ingest (writer) process, sampled from /proc
    worker_kb: int = 0  # the largest VmHWM seen among its worker processes
    largest_kb: int = 0  # ru_maxrss from wait4: the largest process of the tree
    tree_kb: int = 0  # the largest sum of the RSS of the writer and its workers at one moment
    cpu_s: float = 0.0  # CPU seconds of the writer and its workers (load-independent)
    stop: threading.Event = field(default_factory=threading.Event)

    def watch(self, pid: int) -> None:
        while not self.stop.is_set():
            self.writer_kb = max(self.writer_kb, _hwm_kb(pid))
            tree = _hwm_kb(pid, "VmRSS:")
            for child in _children(pid):
                self.worker_kb = max(self.worker_kb, _hwm_kb(child))
                tree += _hwm_kb(child, "VmRSS:")
            self.tree_kb = max(self.tree_kb, tree)
            self.stop.wait(0.5)


def run_ingest(
    cmd: list[str], env: dict[str, str], progress: int = 0, offset: int = 0
) -> tuple[float, int, int, Peak, str, str]:
    """Run ingest; return (seconds, new articles, their claims, peak memory, summary,
    the ``--timings`` line: CPU of extraction+resolution, writing, linking, scoring)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = Peak()
    watcher = threading.Thread(target=peak.watch, args=(proc.pid,), daemon=True)
    watcher.start()
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(proc.stderr or []), daemon=True)
    reader.start()
    new = claims = 0
    last = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        m = LINE.match(line)
        if m and m.group(1) == "new":
            new += 1
            claims += int(m.group(2))
            if progress and new % progress == 0:
                t = time.perf_counter() - start
                print(
                    f"         ... {offset + new} articles: {t:.0f}s into the stage, "
                    f"{new / t:.1f} art/s, writer RSS high-water {peak.writer_kb / 1024:.0f} MB, "
                    f"worker {peak.worker_kb / 1024:.0f} MB, load {load():.1f}",
                    flush=True,
                )
        last = line.strip() or last
    # the ru_maxrss of the reaped child is the high-water mark of it and its workers
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    peak.stop.set()
    watcher.join()
    reader.join()
    peak.largest_kb = usage.ru_maxrss  # the largest of the writer and its reaped workers
    peak.cpu_s = usage.ru_utime + usage.ru_stime  # the writer and its workers
    if proc.returncode != 0:
        print(f"  ingest exit {proc.returncode}: {''.join(errors[-3:]).strip()}", file=sys.stderr)
    timings = "\n       ingest ".join(
        e.strip() for e in errors if e.startswith(("timings:", "timeline:"))
    )
    return elapsed, new, claims, peak, last, timings


def _step_rss(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Like run_step but with the child's own rusage (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out_lines: list[str] = []
    err_lines: list[str] = []
    t1 = threading.Thread(target=lambda: out_lines.extend(proc.stdout or []), daemon=True)
    t2 = threading.Thread(target=lambda: err_lines.extend(proc.stderr or []), daemon=True)
    t1.start()
    t2.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    t1.join()
    t2.join()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        return (
            elapsed,
            usage.ru_maxrss,
            f"exit {proc.returncode}: {''.join(err_lines[-2:]).strip()}",
        )
    return elapsed, usage.ru_maxrss, ("".join(out_lines).strip().splitlines() or [""])[-1]


def counts(url: str) -> tuple[int, int, int, int]:
    """(articles, claims, links, scored claims) in the case."""
    sys.path.insert(0, str(REPO))
    from sqlalchemy import text

    from claimtrack.store import Case

    with Case.open(url, create=False) as case, case.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
            for t in ("article", "claim", "link", "claim_score")
        )


def _checkpoint(path: Path) -> None:
    """Open and close the case: SQLite folds its write-ahead log into the one file."""
    sys.path.insert(0, str(REPO))
    from claimtrack.store import Case

    Case.open(str(path), create=False).close()


@dataclass
class Backend:
    name: str
    url: str


def backends(
    names: list[str], pg_url: str | None, tmp: Path, keep: Path | None = None
) -> Iterator[Backend]:
    for name in names:
        if name == "sqlite":
            yield Backend("sqlite", str(tmp / "bench.db"))
            if keep is not None:
                shutil.copy(tmp / "bench.db", keep)
        elif name == "postgresql":
            url = pg_url or os.environ.get("CLAIMTRACK_TEST_PG_URL")
            started = None
            if not url:
                started = tmp / "pg"
                # as root the server runs as `postgres`, which must be able to reach
                # DIR: a TemporaryDirectory is 0700, so open it for traversal only
                tmp.chmod(0o711)
                url = subprocess.run(
                    [str(REPO / ".ci" / "postgres.sh"), "start", str(started)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.strip()
            schema = f"bench_{os.getpid()}"
            _pg_exec(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
            sep = "&" if "?" in url else "?"
            try:
                yield Backend("postgresql", f"{url}{sep}options=-csearch_path%3D{schema}")
            finally:
                _pg_exec(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                if started is not None:
                    subprocess.run([str(REPO / ".ci" / "postgres.sh"), "stop", str(started)])
        else:
            raise SystemExit(f"unknown backend {name!r}")


def _pg_exec(url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        for statement in sql.split(";"):
            conn.execute(text(statement))
    engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--jobs", type=int, default=2, help="ingest --jobs (worker processes)")
    ap.add_argument("--pg-url", default=None)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--no-score", action="store_true", help="skip the link and score steps")
    ap.add_argument("--progress", type=int, default=2500, help="report every N new articles")
    ap.add_argument(
        "--case",
        type=Path,
        default=None,
        help="SQLite only: grow a copy of this case, which holds the first --start articles",
    )
    ap.add_argument("--start", type=int, default=0, help="articles already in --case")
    ap.add_argument("--keep", type=Path, default=None, help="SQLite: copy the case here at the end")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if int(x) > args.start]
    texts = base_texts(args.shared)
    print(
        f"{len(texts)} base articles; sizes {sizes}; ingest --jobs {args.jobs}; "
        f"{os.cpu_count()} cores, load {load():.1f}"
    )
    py = [sys.executable, "-m", "claimtrack"]
    with tempfile.TemporaryDirectory(prefix="claimtrack-bench-") as tmpname:
        tmp = Path(tmpname)
        stages = []
        prev = args.start
        for size in sizes:
            folder = tmp / f"stage-{size}"
            write_stage(texts, prev, size, folder)
            stages.append((size, folder, size - prev))
            prev = size
        if args.case is not None:
            if args.backends != "sqlite":
                raise SystemExit("--case: SQLite only (--backends sqlite)")
            _checkpoint(args.case)
            shutil.copy(args.case, tmp / "bench.db")
        for backend in backends(args.backends.split(","), args.pg_url, tmp, args.keep):
            env = {k: v for k, v in os.environ.items() if k != "CLAIMTRACK_DB"}
            env["CLAIMTRACK_DB"] = backend.url
            print(f"\n== {backend.name}")
            total_s = 0.0
            total_claims = 0
            for size, folder, n in stages:
                before = counts(backend.url)[2] if size != stages[0][0] or args.start else 0
                ing_s, new, claims, peak, summary, timings = run_ingest(
                    [*py, "ingest", "--timings", "--jobs", str(args.jobs), str(folder)],
                    env,
                    progress=args.progress,
                    offset=size - n,
                )
                steps = [("ingest", ing_s, peak.writer_kb)]
                if not args.no_score:
                    if counts(backend.url)[2] == before:  # ingest did not link: link the case
                        s, rss, _out = _step_rss([*py, "relink"], env)
                        steps.append(("relink", s, rss))
                    if counts(backend.url)[3] != counts(backend.url)[1]:  # ingest left some
                        s, rss, _out = _step_rss([*py, "score"], env)
                        steps.append(("score", s, rss))
                stage_s = sum(s for _, s, _ in steps)
                total_s += stage_s
                total_claims += claims
                arts, cl, links, scored = counts(backend.url)
                print(
                    f"{size:>6} articles | stage {n} new={new}: "
                    + ", ".join(f"{name} {s:.1f}s" for name, s, _ in steps)
                    + f" | stage {n / stage_s:.1f} art/s {claims / stage_s:.0f} claims/s"
                    f" | cumulated {total_s:.1f}s = {(size - args.start) / total_s:.1f} art/s "
                    f"{total_claims / total_s:.0f} claims/s"
                    f" | peak RSS: writer {peak.writer_kb / 1024:.0f} MB, worker "
                    f"{peak.worker_kb / 1024:.0f} MB (rusage max {peak.largest_kb / 1024:.0f} MB), "
                    f"tree {peak.tree_kb / 1024:.0f} MB"
                    + "".join(f", {name} {rss / 1024:.0f} MB" for name, _, rss in steps[1:])
                    + f" | ingest CPU {peak.cpu_s:.0f}s = {1000 * peak.cpu_s / max(n, 1):.0f} ms/article"
                    + f" | case: {arts} articles, {cl} claims, {links} links, {scored} scored"
                    f" | load {load():.1f}",
                    flush=True,
                )
                if timings:
                    print(f"       ingest {timings}", flush=True)
                if summary and not summary.startswith(f"{n} new"):
                    print(f"       ingest said: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
