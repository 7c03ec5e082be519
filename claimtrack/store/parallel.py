"""Reading and extraction in worker processes, storing in one writer (``ingest --jobs N``).

``prepared(items, ...)`` yields one ``Prepared`` per input, in input order:
the decoded Document, its resolved claims and their link features, or the
error that rejected it.
With ``jobs > 1`` the pure steps (read_document, extraction, source resolution)
and the claims' link features (``ingest.link_features``: the text analysis
linking needs, so the writer only looks up and judges) run in a pool of worker
processes; at most ``jobs * WINDOW`` inputs are in
flight, so memory does not grow with the number of files. The caller stores
each result (``ingest_document(case, doc, resolved=...)``) in the one process
that writes.

A worker first asks the case (read-only) whether the text is stored already,
and skips extraction for it: re-running an ingest over a large folder costs
reading and hashing, not extraction.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace

from claimtrack.errors import ClaimtrackError, InputError
from claimtrack.linking.text import ClaimFeatures
from claimtrack.models import ArticleMeta, Document, ResolvedClaim
from claimtrack.store.db import Case
from claimtrack.store.documents import InputItem, read_document
from claimtrack.store.ingest import find_article_id, link_features, prepare_document

WINDOW = 4  # inputs in flight per worker


@dataclass(frozen=True)
class Prepared:
    item: InputItem
    doc: Document | None = None
    resolved: list[ResolvedClaim] | None = None  # None: not extracted (stored already, or jobs=1)
    error: ClaimtrackError | None = None
    cpu: float = 0.0  # CPU seconds the worker spent reading, extracting and resolving it
    # the claims' link features (ingest.link_features), so the writer only links
    features: list[ClaimFeatures] | None = None


def _prepare(item: InputItem, overrides: ArticleMeta | None, case: Case | None) -> Prepared:
    if item.error is not None:
        return Prepared(item, error=item.error)
    try:
        doc = read_document(item.path, overrides=overrides)
        if case is not None:
            with case.session() as s:
                if find_article_id(s, doc.content_hash) is not None:
                    return Prepared(item, doc=doc)  # stored: ingest reports it unchanged
        resolved = prepare_document(doc)
        return Prepared(item, doc=doc, resolved=resolved, features=link_features(doc, resolved))
    except ClaimtrackError as exc:
        return Prepared(item, error=exc)
    except Exception as exc:  # a bug in a pipeline step: reported for this input only
        message = f"internal error ({type(exc).__name__}: {exc})"
        return Prepared(item, error=InputError(message, path=item.path))


_worker_case: Case | None = None


def _init_worker(db: str | None) -> None:
    global _worker_case
    try:
        _worker_case = Case.open(db, create=False, migrate=False) if db is not None else None
    except ClaimtrackError:
        _worker_case = None


def _work(item: InputItem, overrides: ArticleMeta | None) -> Prepared:
    t0 = time.process_time()
    ready = _prepare(item, overrides, _worker_case)
    return replace(ready, cpu=time.process_time() - t0)


def prepared(
    items: Iterable[InputItem],
    *,
    overrides: ArticleMeta | None = None,
    jobs: int = 1,
    db: str | None = None,
) -> Iterator[Prepared]:
    """Each input read and extracted, in order; ``jobs > 1``: in worker processes.

    ``db`` (the case's URL) lets workers skip texts already stored. Standard
    input is always read here, in the calling process.
    """
    if jobs <= 1:  # read here; ingest_document extracts only texts not stored yet
        for item in items:
            yield _read(item, overrides)
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(db,)
    ) as pool:
        pending: deque[tuple[InputItem, Future[Prepared] | None]] = deque()
        for item in items:
            if item.is_stdin:
                pending.append((item, None))
            else:
                pending.append((item, pool.submit(_work, item, overrides)))
            while len(pending) >= jobs * WINDOW:
                yield _result(*pending.popleft(), overrides)
        while pending:
            yield _result(*pending.popleft(), overrides)


def _read(item: InputItem, overrides: ArticleMeta | None) -> Prepared:
    if item.error is not None:
        return Prepared(item, error=item.error)
    try:
        return Prepared(item, doc=read_document(item.path, overrides=overrides))
    except ClaimtrackError as exc:
        return Prepared(item, error=exc)


def _result(
    item: InputItem, future: Future[Prepared] | None, overrides: ArticleMeta | None
) -> Prepared:
    if future is None:
        return _read(item, overrides)
    try:
        return future.result()
    except Exception as exc:  # a worker died (killed, out of memory)
        message = f"worker failed ({type(exc).__name__}: {exc})"
        return Prepared(item, error=InputError(message, path=item.path))
