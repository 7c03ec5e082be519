"""The ingest pipeline's scheduling (``store.parallel``): the workers keep a write
unit ahead of the writer, run below its priority, and ``ingest --timings``
reports where the wall time went."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from claimtrack.store import Case
from claimtrack.store.documents import InputItem, expand_inputs
from claimtrack.store.ingest import IngestStats, ingest_inputs
from claimtrack.store.parallel import WINDOW, WORKER_NICE, PoolTimes, prepared

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"


def _paths() -> list[str]:
    return sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])


def test_the_pool_runs_a_burst_ahead_and_keeps_input_order() -> None:
    # inputs the workers reject at once (no extraction): only the scheduling is under test
    items = [InputItem(f"/nonexistent/{i}.txt") for i in range(40)]
    pulled: list[int] = []

    def feed() -> Iterator[InputItem]:
        for i, item in enumerate(items):
            pulled.append(i)
            yield item

    times = PoolTimes()
    stream = prepared(feed(), jobs=2, burst=7, times=times)
    first = next(stream)
    # before handing over the first result, 2 * WINDOW + 7 inputs were submitted
    assert len(pulled) == 2 * WINDOW + 7
    rest = list(stream)
    assert [r.item.path for r in [first, *rest]] == [i.path for i in items]
    assert all(r.error is not None and r.pid > 0 for r in [first, *rest])
    assert sum(int(w[4]) for w in times.workers.values()) == len(items)
    assert 1 <= len(times.workers) <= 2
    assert times.created < times.first <= times.closed


def test_without_a_burst_the_window_is_the_workers_own() -> None:
    pulled: list[int] = []

    def feed() -> Iterator[InputItem]:
        for i in range(20):
            pulled.append(i)
            yield InputItem(f"/nonexistent/{i}.txt")

    stream = prepared(feed(), jobs=2)
    next(stream)
    assert len(pulled) == 2 * WINDOW
    assert len(list(stream)) == 19


def test_a_worker_runs_below_the_writers_priority() -> None:
    code = (
        "import os\n"
        "from claimtrack.store.parallel import _init_worker\n"
        "before = os.nice(0)\n"
        "_init_worker(None)\n"
        "print(before, os.nice(0))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    before, after = (int(x) for x in out.split())
    assert WORKER_NICE > 0
    assert after == min(before + WORKER_NICE, 19)


def test_timings_report_the_writers_wall_and_every_worker(tmp_path: Path) -> None:
    paths = _paths()
    stats = IngestStats()
    with Case.open(str(tmp_path / "case.db")) as case:
        outcomes = list(ingest_inputs(case, expand_inputs(paths), jobs=2, stats=stats))
    assert [o.status for o in outcomes] == ["new"] * len(paths)
    assert stats.articles == len(paths)
    pool = stats.pool
    assert pool is not None
    assert sum(int(w[4]) for w in pool.workers.values()) == len(paths)
    assert all(w[3] > 0 for w in pool.workers.values())  # CPU of real extraction
    assert stats.wall >= stats.write_wall + pool.wait + stats.score_wall
    assert stats.write_wall >= stats.link_wall + stats.commit_wall > 0
    lines = stats.timeline_lines()
    assert len(lines) == 3 and all(line.startswith("timeline: ") for line in lines)
    assert f"{len(paths)} new articles" in stats.line()


def test_the_writer_freezes_each_units_survivors_and_thaws_them_after(tmp_path: Path) -> None:
    import gc

    paths = _paths()
    assert len(paths) >= 3 and gc.isenabled() and gc.get_freeze_count() == 0
    with Case.open(str(tmp_path / "case.db")) as case:
        stream = ingest_inputs(case, expand_inputs(paths), jobs=1)
        first = next(stream)  # the first unit (one article) stored
        assert first.status == "new" and gc.get_freeze_count() == 0
        second = next(stream)  # resumed: the first unit's survivors frozen, then the next unit
        assert second.status == "new" and gc.get_freeze_count() > 0
        rest = list(stream)
        assert [o.status for o in rest] == ["new"] * (len(paths) - 2)
        assert gc.get_freeze_count() == 0 and gc.isenabled()
        # a batch abandoned half-way thaws what it froze as well
        stream = ingest_inputs(case, expand_inputs(paths), jobs=1)
        next(stream)
        next(stream)
        stream.close()
        assert gc.get_freeze_count() == 0 and gc.isenabled()
