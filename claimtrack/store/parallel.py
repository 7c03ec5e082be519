"""Reading and extraction in worker processes, storing in one writer (``ingest --jobs N``).

``prepared(items, ...)`` yields one ``Prepared`` per input, in input order:
the decoded Document, its resolved claims and their link features, or the
error that rejected it.
With ``jobs > 1`` the pure steps (read_document, extraction, source resolution)
and the claims' link features (``ingest.link_features``: the text analysis
linking needs, so the writer only looks up and judges) run in a pool of worker
processes, ``BATCH`` inputs to a task (extracted in one ``extract_many``
call); at most ``jobs * WINDOW + burst`` inputs are in
flight, so memory does not grow with the number of files. ``burst``: how many
results the caller takes at once before it stores them (a write unit): the
workers keep preparing the next unit while the writer stores one, instead of
idling with a full window while the writer works and the writer then waiting
for them. The workers run at a lower priority (``WORKER_NICE``): the writer is
the pipeline's serial step, and on a machine with as many cores as workers it
must not wait for a core while they run ahead. The caller stores
each result (``ingest_document(case, doc, resolved=...)``) in the one process
that writes.

A worker first asks the case (read-only) whether the text is stored already,
and skips extraction for it: re-running an ingest over a large folder costs
reading and hashing, not extraction.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields, replace
from multiprocessing.reduction import ForkingPickler
from typing import Any

from claimtrack.errors import ClaimtrackError, InputError
from claimtrack.extract.api import extract_many
from claimtrack.linking.text import ClaimFeatures, Number, TextFeatures
from claimtrack.models import ArticleMeta, Claim, Document
from claimtrack.sources import resolve_claims
from claimtrack.store.db import Case
from claimtrack.store.documents import InputItem, read_document
from claimtrack.store.ingest import (
    PackedClaims,
    find_article_id,
    link_features,
    pack_claims,
    prepare_document,
)

WINDOW = 4  # inputs in flight per worker (besides the caller's burst)
# inputs a worker reads and extracts together (``extract_many``: the tagger decodes
# several articles' blocks in one pass; the same claims as one at a time). Over 580
# bench articles in one process: extraction 7.0-7.2 ms/article one at a time,
# 4.7 in batches of 16, 3.9-4.2 in batches of 64
BATCH = 16
# the workers' niceness above the writer's (os.nice): at 5 a worker weighs a
# third of the writer in the kernel's fair scheduler, so on 2 cores the writer
# gets a core of its own while the two workers share the other
WORKER_NICE = 5


@dataclass(frozen=True)
class Prepared:
    item: InputItem
    doc: Document | None = None
    # its resolved claims, packed (ingest.pack_claims: plain tuples cross the process
    # boundary); None: not extracted (stored already, or jobs=1)
    resolved: PackedClaims | None = None
    error: ClaimtrackError | None = None
    cpu: float = 0.0  # CPU seconds the worker spent reading, extracting and resolving it
    # the claims' link features (ingest.link_features), so the writer only links
    features: list[ClaimFeatures] | None = None
    # the worker's timeline (``ingest --timings``): its pid, when it started and
    # ended this input (``time.perf_counter``: CLOCK_MONOTONIC, one clock for
    # every process of the machine) and its runqueue wait so far (ns, schedstat)
    pid: int = 0
    started: float = 0.0
    ended: float = 0.0
    queued_ns: int = 0


@dataclass
class PoolTimes:
    """Where the writer's wall time goes around the pool (``ingest --timings``).

    ``created``/``closed``: when the pool was started and shut down; ``first``:
    when the first result was handed over (spawn, imports, model loads);
    ``wait``: wall time the writer spent blocked on a result not ready yet
    (``waits`` of them); ``workers``: per worker pid, [first start, last end,
    busy wall, busy CPU, inputs, runqueue wait ns at its last input].
    """

    created: float = 0.0
    closed: float = 0.0
    first: float = 0.0
    wait: float = 0.0
    waits: int = 0
    workers: dict[int, list[float]] = field(default_factory=dict)

    def record(self, ready: Prepared) -> None:
        if not ready.pid:
            return
        w = self.workers.setdefault(ready.pid, [ready.started, ready.ended, 0.0, 0.0, 0, 0])
        w[0] = min(w[0], ready.started)
        w[1] = max(w[1], ready.ended)
        w[2] += ready.ended - ready.started
        w[3] += ready.cpu
        w[4] += 1
        w[5] = max(w[5], ready.queued_ns)


def run_queue_ns() -> int:
    """Nanoseconds this thread has waited on a CPU run queue (0 where unknown)."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            return int(fh.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _prepare(item: InputItem, overrides: ArticleMeta | None, case: Case | None) -> Prepared:
    if item.error is not None:
        return Prepared(item, error=item.error)
    try:
        doc = read_document(item.path, overrides=overrides)
        if case is not None:
            with case.session() as s:
                if find_article_id(s, doc.content_hash) is not None:
                    return Prepared(item, doc=doc)  # stored: ingest reports it unchanged
        resolved = pack_claims(prepare_document(doc))
        return Prepared(item, doc=doc, resolved=resolved, features=link_features(doc, resolved))
    except ClaimtrackError as exc:
        return Prepared(item, error=exc)
    except Exception as exc:  # a bug in a pipeline step: reported for this input only
        return Prepared(item, error=_internal(item, exc))


def _prepare_many(
    items: tuple[InputItem, ...], overrides: ArticleMeta | None, case: Case | None
) -> list[Prepared]:
    """``_prepare`` of each item, the texts to extract extracted in one
    ``extract_many`` call; each result's ``cpu``/``started``/``ended`` are its own
    share (reading, resolving and features its own, extraction split evenly)."""
    out: list[Prepared] = []
    spent: list[tuple[float, float]] = []  # (wall, cpu) per item
    todo: list[tuple[int, Document]] = []  # (position, document) to extract
    for item in items:
        w0, t0 = time.perf_counter(), time.process_time()
        ready: Prepared | None = None
        if item.error is not None:
            ready = Prepared(item, error=item.error)
        else:
            try:
                doc = read_document(item.path, overrides=overrides)
                if case is not None:
                    with case.session() as s:
                        if find_article_id(s, doc.content_hash) is not None:
                            ready = Prepared(item, doc=doc)  # stored: reported unchanged
                if ready is None:
                    todo.append((len(out), doc))
                    ready = Prepared(item, doc=doc)  # (filled in below)
            except ClaimtrackError as exc:
                ready = Prepared(item, error=exc)
            except Exception as exc:  # a bug in a pipeline step: this input only
                ready = Prepared(item, error=_internal(item, exc))
        out.append(ready)
        spent.append((time.perf_counter() - w0, time.process_time() - t0))
    if todo:
        w0, t0 = time.perf_counter(), time.process_time()
        try:
            extracted: list[list[Claim]] | None = extract_many([doc.text for _, doc in todo])
        except Exception:  # one text breaks the batch: each one alone, as _prepare does
            extracted = None
        share = ((time.perf_counter() - w0) / len(todo), (time.process_time() - t0) / len(todo))
        for j, (k, doc) in enumerate(todo):
            w0, t0 = time.perf_counter(), time.process_time()
            if extracted is None:
                out[k] = _prepare(out[k].item, overrides, None)
            else:
                out[k] = _finish(out[k].item, doc, extracted[j])
            wall, cpu = spent[k]
            spent[k] = (
                wall + share[0] + time.perf_counter() - w0,
                cpu + share[1] + time.process_time() - t0,
            )
    start = time.perf_counter() - sum(wall for wall, _ in spent)
    queued = run_queue_ns()
    results = []
    for ready, (wall, cpu) in zip(out, spent, strict=True):
        results.append(
            replace(
                ready,
                cpu=cpu,
                pid=os.getpid(),
                started=start,
                ended=start + wall,
                queued_ns=queued,
            )
        )
        start += wall
    return results


def _finish(item: InputItem, doc: Document, claims: list[Claim]) -> Prepared:
    """``_prepare``'s steps after extraction: resolution, packing, link features."""
    try:
        resolved = pack_claims(list(resolve_claims(doc.text, claims)))
        return Prepared(item, doc=doc, resolved=resolved, features=link_features(doc, resolved))
    except ClaimtrackError as exc:
        return Prepared(item, error=exc)
    except Exception as exc:  # a bug in a pipeline step: reported for this input only
        return Prepared(item, error=_internal(item, exc))


def _internal(item: InputItem, exc: Exception) -> InputError:
    return InputError(f"internal error ({type(exc).__name__}: {exc})", path=item.path)


_worker_case: Case | None = None


def _by_fields(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a frozen slotted dataclass as a call of its class with its field values.

    The default (``dataclasses._dataclass_setstate``) looks up the class's fields
    again for every object it unpickles, in pure Python, in the writer's result
    thread; the constructor sets the same fields to the same values.
    """
    cls = type(obj)
    return cls, tuple([getattr(obj, name) for name in _FIELDS[cls]])


# (only classes whose constructor takes every field and does nothing else)
_FIELDS = {
    cls: tuple(f.name for f in fields(cls))
    for cls in (ClaimFeatures, TextFeatures, Number)
    if all(f.init for f in fields(cls)) and not hasattr(cls, "__post_init__")
}


def _init_worker(db: str | None) -> None:
    global _worker_case
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    for cls in _FIELDS:  # how this worker's results pickle the link features
        ForkingPickler.register(cls, _by_fields)
    try:
        _worker_case = Case.open(db, create=False, migrate=False) if db is not None else None
    except ClaimtrackError:
        _worker_case = None


def _work(items: tuple[InputItem, ...], overrides: ArticleMeta | None) -> list[Prepared]:
    return _prepare_many(items, overrides, _worker_case)


def prepared(
    items: Iterable[InputItem],
    *,
    overrides: ArticleMeta | None = None,
    jobs: int = 1,
    db: str | None = None,
    times: PoolTimes | None = None,
    burst: int = 0,
) -> Iterator[Prepared]:
    """Each input read and extracted, in order; ``jobs > 1``: in worker processes.

    ``db`` (the case's URL) lets workers skip texts already stored. Standard
    input is always read here, in the calling process. ``times``: filled with
    the pool's timeline.
    """
    if jobs <= 1:  # read here; ingest_document extracts only texts not stored yet
        for item in items:
            yield _read(item, overrides)
        return
    times = times if times is not None else PoolTimes()
    times.created = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(db,)
    ) as pool:
        # (input, its batch's future or None for standard input, its place in the batch)
        pending: deque[tuple[InputItem, Future[list[Prepared]] | None, int]] = deque()
        batch: list[InputItem] = []  # taken, not submitted yet

        def submit() -> None:
            if batch:
                future = pool.submit(_work, tuple(batch), overrides)
                pending.extend((item, future, k) for k, item in enumerate(batch))
                batch.clear()

        for item in items:
            if item.is_stdin:
                submit()
                pending.append((item, None, 0))
            else:
                batch.append(item)
                if len(batch) >= BATCH:
                    submit()
            while len(pending) + len(batch) >= jobs * WINDOW + burst:
                if not pending:  # the next result is still in the batch being filled
                    submit()
                yield _result(*pending.popleft(), overrides, times)
        submit()
        while pending:
            yield _result(*pending.popleft(), overrides, times)
    times.closed = time.perf_counter()


def _read(item: InputItem, overrides: ArticleMeta | None) -> Prepared:
    if item.error is not None:
        return Prepared(item, error=item.error)
    try:
        return Prepared(item, doc=read_document(item.path, overrides=overrides))
    except ClaimtrackError as exc:
        return Prepared(item, error=exc)


def _result(
    item: InputItem,
    future: Future[list[Prepared]] | None,
    place: int,
    overrides: ArticleMeta | None,
    times: PoolTimes,
) -> Prepared:
    if future is None:
        return _read(item, overrides)
    try:
        if future.done():
            ready = future.result()[place]
        else:
            t0 = time.perf_counter()
            ready = future.result()[place]
            times.wait += time.perf_counter() - t0
            times.waits += 1
    except Exception as exc:  # a worker died (killed, out of memory)
        message = f"worker failed ({type(exc).__name__}: {exc})"
        return Prepared(item, error=InputError(message, path=item.path))
    if not times.first:
        times.first = time.perf_counter()
    times.record(ready)
    return ready
