"""The per-article pipeline: a Document in, an article with its claims and sources stored.

``ingest_document(case, doc)`` runs extraction and source resolution (pure,
outside any transaction), then writes the article, its sources (found or
created by ``claimtrack.store.sources.SourceResolver``) and its claims in ONE transaction: either all of
it is stored or none of it. The same text (content hash) is never stored twice.

Later issues hook in at ``_after_claims_stored`` (same transaction).
"""

from __future__ import annotations

import contextlib
import gc
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from claimtrack.errors import ClaimtrackError, DatabaseError
from claimtrack.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract_claims
from claimtrack.models import (
    ArticleMeta,
    CaseClaim,
    Claim,
    Document,
    QuoteType,
    ResolvedClaim,
    ReviewStatus,
    SourceKind,
    Speaker,
    Stance,
)
from claimtrack.sources import resolve_claims
from claimtrack.store.db import IN_CHUNK, Case, insert_rows, rows_for_ids, utcnow
from claimtrack.store.documents import InputItem
from claimtrack.store.sources import SourceEntry, SourceResolver
from claimtrack.store.sources import normalise_alias as normalise_alias  # re-exported

if TYPE_CHECKING:
    from sqlmodel import Session

    from claimtrack.linking.text import ClaimFeatures
    from claimtrack.store.parallel import PoolTimes, Prepared
    from claimtrack.store.schema import ArticleRow

NEW = "new"
UNCHANGED = "unchanged"
UPDATED = "updated"  # same text, metadata changed by an explicit override


@dataclass(frozen=True)
class IngestResult:
    path: str
    status: str  # new | unchanged | updated
    article_id: int
    claims: int
    title: str | None
    content_hash: str


def span_key(claim: Claim) -> str:
    """A claim's identity within its article, stable across re-runs."""
    cue = claim.cue.start if claim.cue is not None else ""
    return f"{claim.content.start}:{claim.content.end}:{cue}"


def find_article(session: Session, content_hash: str) -> ArticleRow | None:
    from sqlmodel import col, select

    from claimtrack.store.schema import ArticleRow

    return session.exec(
        select(ArticleRow).where(col(ArticleRow.content_hash) == content_hash)
    ).first()


def prepare_document(doc: Document) -> list[ResolvedClaim]:
    """The pure steps of the pipeline (extraction, source resolution) for ``doc``.

    Needs no database: ``claimtrack ingest --jobs N`` runs it in worker
    processes and hands the result to ``ingest_document(..., resolved=...)``.
    """
    return list(resolve_claims(doc.text, extract_claims(doc.text)))


WRITE_ATTEMPTS = 5
_LINK_CPU = [0.0]  # CPU seconds spent linking in this process (IngestStats.link)
_PREP_CPU = [0.0]  # CPU seconds spent extracting in this process (jobs=1: IngestStats.prepare)
_LINK_WALL = [0.0]  # wall seconds of the same (IngestStats.link_wall)
_COMMIT_WALL = [0.0]  # wall seconds spent committing write units (IngestStats.commit_wall)


def ingest_document(
    case: Case,
    doc: Document,
    *,
    overrides: ArticleMeta | None = None,
    resolved: Sequence[ResolvedClaim] | PackedClaims | None = None,
    link: bool = True,
    rescore: bool = True,
    features: Sequence[ClaimFeatures] | None = None,
) -> IngestResult:
    """Store ``doc`` unless its text is already in the case.

    ``overrides`` are the metadata fields the analyst set explicitly (CLI
    --title/--outlet/--url/--published; ``doc.meta`` already includes them): on
    an article already stored they are applied to it and the result is
    ``updated``; otherwise a known text is ``unchanged``. ``resolved`` is the
    output of ``prepare_document(doc)`` when it was computed elsewhere (or it
    packed: ``pack_claims``). ``rescore=False`` links the new claims but leaves their scores to the caller
    (a batch rescores everything it touched once, at its end: ``rescore_pending``);
    ``link=False`` stores only, for a caller that links and scores the whole case
    afterwards. ``features``: ``link_features(doc, resolved)`` computed elsewhere.

    Concurrent ingests of the same case: the write unit re-checks the content
    hash under the write lock; a unique-constraint violation (another writer
    stored the same text, or a source this article shares, first) means
    "stored meanwhile" when the text is now there, else the unit is retried.
    """
    with case.session() as s:
        existing_id = find_article_id(s, doc.content_hash)
    if existing_id is not None:
        return _update_existing(case, existing_id, doc, overrides)
    if resolved is None:
        t0 = time.process_time()
        resolved = prepare_document(doc)
        _PREP_CPU[0] += time.process_time() - t0
    packed = pack_claims(resolved)

    from sqlalchemy.exc import IntegrityError

    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with case.write() as s:
                if find_article_id(s, doc.content_hash) is not None:  # stored meanwhile
                    raise _AlreadyStored
                article = _store_article(s, doc)
                claims = _store_claims(s, article, packed, features)
                _after_claims_stored(s, article, claims, link, rescore)
                t_commit = time.perf_counter()
            _COMMIT_WALL[0] += time.perf_counter() - t_commit
            # committed: the link index may trust what it indexed in that unit
            _committed(case, claims)
            return _stored_result(doc, article, len(claims))
        except (_AlreadyStored, IntegrityError):
            with case.session() as s:
                again_id = find_article_id(s, doc.content_hash)
            if again_id is not None:
                return _update_existing(case, again_id, doc, overrides)
            if attempt == WRITE_ATTEMPTS:
                raise
        except DatabaseError as exc:
            # SQLite: another writer held the lock past the busy timeout (a long
            # relink or rescore): wait again rather than fail the article
            if "locked" not in exc.message or attempt == WRITE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _committed(case: Case, claims: Sequence[StoredClaim]) -> None:
    from claimtrack.store.links import confirm_indexed

    confirm_indexed(str(case.engine.url), [c.id for c in claims])  # links._cache_key


def find_article_id(session: Session, content_hash: str) -> int | None:
    """The id of the article with this text, without loading the text."""
    from sqlalchemy import text

    row = (
        session.connection()
        .execute(text("SELECT id FROM article WHERE content_hash = :h"), {"h": content_hash})
        .first()
    )
    return None if row is None else int(row[0])


def _stored_result(doc: Document, article: StoredArticle, n_claims: int) -> IngestResult:
    """The result of a newly stored article."""
    return IngestResult(
        path=doc.path,
        status=NEW,
        article_id=article.id,
        claims=n_claims,
        title=article.title,
        content_hash=doc.content_hash,
    )


class _AlreadyStored(Exception):
    pass


def _update_existing(
    case: Case, article_id: int, doc: Document, overrides: ArticleMeta | None
) -> IngestResult:
    from sqlalchemy import func
    from sqlmodel import col, select

    from claimtrack.store.schema import ArticleRow, ClaimRow

    # the write lock only when there is something to write: re-ingesting an
    # unchanged corpus must not serialise on it
    with case.write() if overrides is not None else case.session() as s:
        article = s.get(ArticleRow, article_id)
        assert article is not None
        status = UNCHANGED
        if overrides is not None:
            for field in ("title", "outlet", "url", "published"):
                value = getattr(overrides, field)
                if value is not None and getattr(article, field) != value:
                    setattr(article, field, value)
                    status = UPDATED
            if status == UPDATED:
                s.add(article)
        n = s.exec(
            select(func.count()).select_from(ClaimRow).where(col(ClaimRow.article_id) == article_id)
        ).one()
        return IngestResult(
            path=doc.path,
            status=status,
            article_id=article_id,
            claims=int(n),
            title=article.title,
            content_hash=doc.content_hash,
        )


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """The article row just inserted (what the rest of its write unit needs)."""

    id: int
    path: str
    title: str | None
    outlet: str | None
    published: date | None


@dataclass(frozen=True, slots=True)
class StoredClaim:
    """A claim row just inserted, as linking reads it from the store (``CaseClaim``)."""

    id: int
    case_claim: CaseClaim
    features: ClaimFeatures | None = None  # its link features, computed by a worker


def _store_article(s: Session, doc: Document) -> StoredArticle:
    return _store_articles(s, [doc])[0]


def _store_articles(s: Session, docs: Sequence[Document]) -> list[StoredArticle]:
    """Insert the article rows of ``docs`` (one statement), ids in order."""
    from claimtrack.store.schema import ArticleRow

    table = ArticleRow.__table__  # type: ignore[attr-defined]
    now = utcnow()
    params = [
        {
            "content_hash": doc.content_hash,
            "text": doc.text,
            "title": doc.meta.title,
            "outlet": doc.meta.outlet,
            "url": doc.meta.url,
            "published": doc.meta.published,
            "path": doc.path,
            "format": doc.format,
            "encoding": doc.encoding,
            "size": len(doc.text),
            "ingested_at": now,
            "extractor_version": EXTRACTOR_VERSION,
        }
        for doc in docs
    ]
    ids = insert_rows(s.connection(), table, params, returning_id=True)
    return [
        StoredArticle(
            id=int(article_id),
            path=doc.path,
            title=doc.meta.title,
            outlet=doc.meta.outlet,
            published=doc.meta.published,
        )
        for article_id, doc in zip(ids, docs, strict=True)
    ]


# the claim columns an article alone decides, in this order: what a worker ships per
# claim (``PackedClaims``); the writer adds the article's and the sources' ids
_CLAIM_COLUMNS = (
    "ordinal",
    "span_key",
    "source_text",
    "source_start",
    "source_end",
    "cue_text",
    "cue_start",
    "cue_end",
    "content_text",
    "content_start",
    "content_end",
    "content_spans",
    "stance",
    "hedged",
    "hedges",
    "quote",
    "confidence",
    "extractor",
    "extractor_version",
    "speaker",
    "source_kind",
    "antecedent_start",
    "antecedent_end",
)


class PackedClaims(NamedTuple):
    """An article's resolved claims as the writer stores them (``pack_claims``).

    What crosses the process boundary from an extraction worker instead of the
    pydantic ``ResolvedClaim`` models (several models a claim, each unpickled
    through ``__setstate__`` by the writer's result thread, under its GIL): plain
    tuples. ``speakers``: the distinct speakers and cited sources (equal ones
    once; the source resolver reads their values only); ``rows``: per claim, the
    ``_CLAIM_COLUMNS`` values, then the indices in ``speakers`` of its speaker and
    of its cited source (-1: none).
    """

    speakers: tuple[Speaker, ...]
    rows: tuple[tuple[Any, ...], ...]


def pack_claims(resolved: Sequence[ResolvedClaim] | PackedClaims) -> PackedClaims:
    """``resolved`` as the claim rows the writer inserts (the same values)."""
    if isinstance(resolved, PackedClaims):
        return resolved
    speakers: list[Speaker] = []
    index: dict[Speaker, int] = {}

    def ref(speaker: Speaker | None) -> int:
        if speaker is None:
            return -1
        i = index.get(speaker)
        if i is None:
            i = index[speaker] = len(speakers)
            speakers.append(speaker)
        return i

    rows: list[tuple[Any, ...]] = []
    keys: set[str] = set()
    for ordinal, item in enumerate(resolved):
        claim = item.claim
        key = span_key(claim)
        if key in keys:  # two claims on the same spans: keep both, distinguish them
            n = 2
            while f"{key}#{n}" in keys:
                n += 1
            key = f"{key}#{n}"
        keys.add(key)
        speaker = item.speaker
        source, cue, content = claim.source, claim.cue, claim.content
        antecedent = speaker.antecedent if speaker is not None else None
        rows.append(
            (
                ordinal,
                key,
                source.text if source else None,
                source.start if source else None,
                source.end if source else None,
                cue.text if cue else None,
                cue.start if cue else None,
                cue.end if cue else None,
                content.text,
                content.start,
                content.end,
                _spans_json(claim),
                claim.stance.value,
                claim.hedged,
                json.dumps(list(claim.hedges), ensure_ascii=False) if claim.hedges else "[]",
                claim.quote.value,
                claim.confidence,
                EXTRACTOR_NAME,
                EXTRACTOR_VERSION,
                speaker.name if speaker else None,
                speaker.kind.value if speaker else "unknown",
                antecedent.start if antecedent else None,
                antecedent.end if antecedent else None,
                ref(speaker),
                ref(item.cited),
            )
        )
    return PackedClaims(tuple(speakers), tuple(rows))


def _speakers(packed: PackedClaims) -> list[Speaker]:
    """The speakers and cited sources of an article's claims, in order."""
    speakers = packed.speakers
    return [speakers[i] for row in packed.rows for i in (row[-2], row[-1]) if i >= 0]


def _store_claims(
    s: Session,
    article: StoredArticle,
    packed: PackedClaims,
    features: Sequence[ClaimFeatures] | None = None,
    sources: dict[str, SourceEntry] | None = None,
) -> list[StoredClaim]:
    """Insert the claims of ``article``; ``sources``: its speakers' rows, found or
    made already (``SourceResolver``, for the whole write unit)."""
    from claimtrack.store.schema import ClaimRow

    if sources is None:
        # one find-or-create path (claimtrack.store.sources): pinned aliases, scoped
        # article-local keys, the cross-article matcher, the outlet table's priors
        sources = SourceResolver(s).resolve([(article.id, _speakers(packed))])[0]
    speakers = packed.speakers
    params: list[dict[str, Any]] = []
    cited_names: list[str | None] = []
    for row in packed.rows:
        values = dict(zip(_CLAIM_COLUMNS, row[:-2], strict=True))
        sp, ci = row[-2], row[-1]
        cited = sources[speakers[ci].key] if ci >= 0 else None
        values["article_id"] = article.id
        values["source_id"] = sources[speakers[sp].key].id if sp >= 0 else None
        values["cited_source_id"] = cited.id if cited else None
        params.append(values)
        cited_names.append(cited.name if cited is not None else None)
    if not params:
        return []
    # one bulk INSERT ... RETURNING id (no ORM objects), in parameter order
    table = ClaimRow.__table__  # type: ignore[attr-defined]
    ids = insert_rows(s.connection(), table, params, returning_id=True)
    if features is not None and len(features) != len(params):
        features = None
    out = []
    for i, (claim_id, values, row, cited_name) in enumerate(
        zip(ids, params, packed.rows, cited_names, strict=True)
    ):
        # what claimtrack.store.links.case_claims would read back
        case_claim = _link_claim(
            values,
            claim_id=claim_id,
            article_id=article.id,
            source_id=values["source_id"],
            cited=cited_name,
            outlet=article.outlet,
            published=article.published,
        )
        f = None
        ci = row[-1]
        if features is not None and cited_name == (speakers[ci].name if ci >= 0 else None):
            f = replace(features[i], id=claim_id, article_id=article.id)
        out.append(StoredClaim(claim_id, case_claim, f))
    return out


def _spans_json(claim: Claim) -> str:
    """``json.dumps`` of the claim's content pieces as ``[[start, end], ...]`` (the same text)."""
    return "[" + ", ".join([f"[{p.start:d}, {p.end:d}]" for p in claim.content_spans]) + "]"


def _kind(value: str) -> SourceKind:
    try:
        return SourceKind(value)
    except ValueError:
        return SourceKind.UNKNOWN


_STANCES = {s.value: s for s in Stance}


def _link_claim(
    values: dict[str, Any],
    *,
    claim_id: int,
    article_id: int,
    source_id: int | None,
    cited: str | None,
    outlet: str | None,
    published: date | None,
) -> CaseClaim:
    """What claimtrack.store.links.case_claims reads back for a claim stored with the
    column ``values`` (the one definition the writer and the extraction workers share)."""
    return CaseClaim.model_construct(
        id=claim_id,
        article_id=article_id,
        content=values["content_text"] or "",
        cue=values["cue_text"],
        source_text=values["source_text"],
        stance=_STANCES[values["stance"]],
        hedged=bool(values["hedged"]),
        hedges=(),
        quote=QuoteType.INDIRECT,
        source_id=source_id,
        speaker=values["speaker"],
        source_kind=_kind(values["source_kind"]),
        affiliation=None,
        cited=cited,
        outlet=outlet,
        published=published,
        verdict=None,
        status=ReviewStatus.UNREVIEWED,
    )


def link_features(
    doc: Document, resolved: Sequence[ResolvedClaim] | PackedClaims
) -> list[ClaimFeatures]:
    """The link features of ``resolved``'s claims as they will be stored (ids 0,
    numbered by the writer; the cited source named as the resolver names it),
    computed where the claims are extracted so that the one writer only links.
    The writer recomputes a claim's features when its stored cited source has
    another name."""
    from claimtrack.linking.text import claim_features

    packed = pack_claims(resolved)
    speakers = packed.speakers
    return [
        claim_features(
            _link_claim(
                dict(zip(_CLAIM_COLUMNS, row[:-2], strict=True)),
                claim_id=0,
                article_id=0,
                source_id=None,
                cited=speakers[row[-1]].name if row[-1] >= 0 else None,
                outlet=doc.meta.outlet,
                published=doc.meta.published,
            )
        )
        for row in packed.rows
    ]


def _after_claims_stored(
    s: Session,
    article: StoredArticle,
    claims: list[StoredClaim],
    link: bool = True,
    rescore: bool = True,
) -> None:
    """HOOK POINT for later issues (linking, scoring): runs inside the article's transaction.

    ``claims`` are inserted (with ids). Anything raised here rolls the whole article
    back. Links the new claims against the case (incrementally: the rest is not
    relinked) and rescores only the claims their links touch.
    """
    from claimtrack.store.links import link_new_claims
    from claimtrack.store.scores import rescore_claims

    ids = [c.id for c in claims]
    if not ids or not link:
        return
    t0, w0 = time.process_time(), time.perf_counter()
    features = [c.features for c in claims]
    link_new_claims(
        s,
        ids,
        [c.case_claim for c in claims],
        None if all(f is None for f in features) else features,
    )
    _LINK_CPU[0] += time.process_time() - t0
    _LINK_WALL[0] += time.perf_counter() - w0
    if rescore:
        rescore_claims(s, ids)


def rescore_pending(
    case: Case, article_ids: Iterable[int] = (), *, jobs: int = 1, stats: IngestStats | None = None
) -> int:
    """Score the claims of ``article_ids`` and every claim still without a score, once.

    A batch ingest links each article as it is stored but scores at its end: the
    regions its articles touch overlap (one developing story), so one pass over
    their union costs what a single article's region costs, not that times the
    number of articles. Claims left unscored by an interrupted batch are picked up
    by the next run. Returns the number of claims rescored. ``jobs > 1``: a rescore
    of several regions runs them in that many worker processes (the same scores);
    ``stats.score_workers`` gets their CPU.
    """
    from claimtrack.store.scores import rescore_claims, unscored_claim_ids

    with case.write() as s:
        conn = s.connection()
        sql = "SELECT id FROM claim WHERE article_id IN :ids"
        wanted = {int(r[0]) for r in rows_for_ids(conn, sql, article_ids)}
        wanted.update(unscored_claim_ids(conn))
        if wanted:
            # other processes read the case by its URL (not an in-memory one)
            shared = case.location.path is not None or not case.location.is_sqlite
            url = case.location.url if shared else None
            result = rescore_claims(s, sorted(wanted), jobs=jobs, url=url)
            if stats is not None:
                stats.score_workers += result.worker_cpu
    return len(wanted)


@dataclass
class IngestStats:
    """Where a batch ingest's CPU time went (seconds of ``time.process_time``).

    ``prepare``: extraction and resolution (summed over the worker processes when
    ``jobs > 1``); ``write``: this process storing articles, claims and sources;
    ``link``: linking the new claims (inside each article's unit); ``score``:
    the batch's final rescore.
    """

    prepare: float = 0.0
    write: float = 0.0
    link: float = 0.0
    score: float = 0.0
    score_workers: float = 0.0  # the final rescore's worker processes (jobs > 1)
    articles: int = 0  # new articles
    claims: int = 0  # their claims
    # the writer's timeline (wall seconds; ``timeline_lines``)
    wall: float = 0.0  # the whole batch
    write_wall: float = 0.0  # storing write units (linking and commits included)
    link_wall: float = 0.0  # of which linking
    commit_wall: float = 0.0  # of which commits
    write_queued: float = 0.0  # of which this thread waited on a CPU run queue
    save_wall: float = 0.0  # saving the link index at the end
    score_wall: float = 0.0  # the final rescore
    end_cpu: float = 0.0  # CPU of those two
    main_cpu: float = 0.0  # CPU of the writer's main thread
    process_cpu: float = 0.0  # CPU of the whole writer process (its other threads too)
    queued: float = 0.0  # the main thread's run queue wait over the batch
    gc_wall: float = 0.0  # the writer process in the garbage collector
    gc_runs: list[int] = field(default_factory=lambda: [0, 0, 0])  # collections per generation
    pool: PoolTimes | None = None  # jobs > 1: the pool's timeline

    def line(self) -> str:
        n = max(self.articles, 1)
        parts = ", ".join(
            f"{name} {secs:.1f}s ({1000 * secs / n:.1f} ms/article)"
            for name, secs in (
                ("extract+resolve", self.prepare),
                ("write", self.write),
                ("link", self.link),
                ("score", self.score),
            )
        )
        if self.score_workers:
            secs = self.score_workers
            parts += f" (+ its worker processes {secs:.1f}s = {1000 * secs / n:.1f} ms/article)"
        return f"timings: {self.articles} new articles, {self.claims} claims; CPU {parts}"

    def timeline_lines(self) -> list[str]:
        """Where the writer's wall time went, and the workers' (``ingest --timings``)."""
        n = max(self.articles, 1)

        def ms(secs: float) -> str:
            return f"{secs:.1f}s ({1000 * secs / n:.1f} ms/article)"

        pool = self.pool
        wait = pool.wait if pool is not None else 0.0
        rest = self.wall - wait - self.write_wall - self.save_wall - self.score_wall
        lines = [
            f"timeline: wall {ms(self.wall)}; writer: waiting for results {ms(wait)}"
            + (f" ({pool.waits} waits)" if pool is not None else "")
            + f", storing units {ms(self.write_wall)} (linking {ms(self.link_wall)}, "
            f"commits {ms(self.commit_wall)}, on a CPU run queue {ms(self.write_queued)}), "
            f"saving the link index {ms(self.save_wall)}, final rescore {ms(self.score_wall)}, "
            f"other {ms(rest)}",
            f"timeline: writer CPU main thread {ms(self.main_cpu)}, other threads (result "
            f"receiving) {ms(self.process_cpu - self.main_cpu)}; main thread on a CPU run "
            f"queue {ms(self.queued)}; garbage collector {ms(self.gc_wall)} "
            f"({'/'.join(str(g) for g in self.gc_runs)} collections of generation 0/1/2)",
        ]
        if pool is not None and pool.workers:
            end = pool.closed or max(w[1] for w in pool.workers.values())
            first = min(w[0] for w in pool.workers.values())
            parts = []
            for pid, (start, _last, busy, cpu, items, queued) in sorted(pool.workers.items()):
                parts.append(
                    f"pid {pid}: {int(items)} inputs, started {start - pool.created:.1f}s after "
                    f"the pool, busy {busy:.1f}s (CPU {cpu:.1f}s, run queue {queued / 1e9:.1f}s), "
                    f"idle {end - pool.created - busy:.1f}s of {end - pool.created:.1f}s"
                )
            lines.append(
                f"timeline: pool: first input started {first - pool.created:.1f}s and first "
                f"result handed over {pool.first - pool.created:.1f}s after the pool was "
                f"created; workers: " + "; ".join(parts)
            )
        return lines


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input: a result, or a one-line error naming the file."""

    name: str  # the path as given, or "<stdin>"
    result: IngestResult | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        return self.result.status if self.result is not None else "failed"


GROUP_ARTICLES = 64  # articles per write unit in a batch ingest


def ingest_inputs(
    case: Case,
    items: Iterable[InputItem],
    *,
    overrides: ArticleMeta | None = None,
    jobs: int = 1,
    analyse: bool = True,
    stats: IngestStats | None = None,
) -> Iterator[IngestOutcome]:
    """Read and ingest each input in turn, never stopping on a bad one.

    ``overrides`` (explicit metadata) apply to every input. Expected problems
    (InputError and friends) and unexpected ones (a bug in a pipeline step)
    both become an outcome with ``error`` set; nothing of that input is stored.
    Streams: one input is read at a time. ``jobs > 1``: reading and extraction
    run in that many worker processes (claimtrack.store.parallel), a few inputs
    ahead; this process stores the results in input order (one writer).

    Up to GROUP_ARTICLES consecutive new articles (1 at first, then 2, 4, ...)
    are stored in one write unit
    (one transaction: each article is still either whole or absent, and ids are
    given in input order as before); when that unit fails for any reason (a bad
    article, a text another process stored meanwhile, a lock held too long),
    it is rolled back and its articles are stored one unit each, so a failure
    stays the failing article's own. Outcomes are yielded in input order.
    Each article is linked as it is stored; scores are computed once at the end
    for everything the batch touched (``rescore_pending``). ``analyse=False``
    stores only: the caller links and scores the whole case afterwards.
    """
    from claimtrack.store.parallel import PoolTimes, run_queue_ns

    stats = stats if stats is not None else IngestStats()
    w_start, c_start, m_start = time.perf_counter(), time.process_time(), time.thread_time()
    q_start = run_queue_ns()
    stats.pool = PoolTimes() if jobs > 1 else None
    gc_timer = _GcTimer(stats)
    gc.callbacks.append(gc_timer)
    # the writer's long-lived objects (the link index: millions of records and strings)
    # would be scanned by every full collection, ~60 of them over a 10k batch; each write
    # unit's survivors are frozen instead (gc.freeze), so a full collection scans what
    # the current unit made. Cycles that die after being frozen wait for the next
    # ordinary full collection after the batch (gc.unfreeze at the end).
    freeze = gc.isenabled() and gc.get_freeze_count() == 0
    try:
        yield from _ingest_all(case, items, overrides, jobs, analyse, stats, freeze)
    finally:
        if freeze:
            gc.unfreeze()
        gc.callbacks.remove(gc_timer)
        stats.wall += time.perf_counter() - w_start
        stats.process_cpu += time.process_time() - c_start
        stats.main_cpu += time.thread_time() - m_start
        stats.queued += (run_queue_ns() - q_start) / 1e9


class _GcTimer:
    """A ``gc.callbacks`` entry adding the collector's wall time to ``stats``."""

    def __init__(self, stats: IngestStats) -> None:
        self.stats = stats
        self.t0 = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.t0 = time.perf_counter()
        else:
            self.stats.gc_wall += time.perf_counter() - self.t0
            self.stats.gc_runs[info["generation"]] += 1


def _ingest_all(
    case: Case,
    items: Iterable[InputItem],
    overrides: ArticleMeta | None,
    jobs: int,
    analyse: bool,
    stats: IngestStats,
    freeze: bool = False,
) -> Iterator[IngestOutcome]:
    from claimtrack.store.parallel import prepared

    stored: list[int] = []  # new articles: scored once, after the batch
    group: list[Prepared] = []
    size = 1  # the first articles are stored (and safe) at once; then 2, 4, ... per unit
    for ready in prepared(
        items,
        overrides=overrides,
        jobs=jobs,
        db=case.location.url,
        times=stats.pool,
        burst=GROUP_ARTICLES,
    ):
        stats.prepare += ready.cpu
        group.append(ready)
        if len(group) >= size:
            yield from _ingest_group(case, group, overrides, analyse, stats, stored)
            group = []
            size = min(2 * size, GROUP_ARTICLES)
            if freeze:
                gc.collect(1)  # the unit's young garbage first: only survivors are frozen
                gc.freeze()
    if group:
        yield from _ingest_group(case, group, overrides, analyse, stats, stored)
    if analyse:
        from claimtrack.store.links import forget_index, save_index

        # what the batch added to the link index is kept in the case for the next
        # process; the index is not needed again here, and scoring can reuse its
        # memory (the writer's peak is the larger of the two, not their sum)
        t0, w0 = time.process_time(), time.perf_counter()
        # derived data: on a locked or full case the next process rebuilds it
        with contextlib.suppress(DatabaseError):
            save_index(case)
        forget_index(case)
        if freeze:  # whatever of the index is garbage now goes before scoring needs memory
            gc.unfreeze()
            gc.collect()
        t1, w1 = time.process_time(), time.perf_counter()
        stats.link += t1 - t0
        stats.save_wall += w1 - w0
        rescore_pending(case, stored, jobs=jobs, stats=stats)
        stats.score += time.process_time() - t1
        stats.score_wall += time.perf_counter() - w1
        stats.end_cpu += time.process_time() - t0


def _outcome_name(ready: Prepared) -> str:
    return "<stdin>" if ready.item.is_stdin else ready.item.path


def _ingest_group(
    case: Case,
    group: Sequence[Prepared],
    overrides: ArticleMeta | None,
    analyse: bool,
    stats: IngestStats,
    stored: list[int],
) -> Iterator[IngestOutcome]:
    """The outcomes of ``group``, in order: its new articles stored in one write unit."""
    from claimtrack.store.parallel import run_queue_ns

    t0, w0, q0 = time.process_time(), time.perf_counter(), run_queue_ns()
    link0, prep0 = _LINK_CPU[0], _PREP_CPU[0]
    lw0, cw0 = _LINK_WALL[0], _COMMIT_WALL[0]
    try:
        try:
            results = _store_group(case, group, overrides, analyse)
        except Exception:  # rolled back: one unit per article, each failing alone
            results = None
        outcomes = []
        for i, ready in enumerate(group):
            if results is not None and results[i] is not None:
                outcomes.append(IngestOutcome(_outcome_name(ready), result=results[i]))
            else:
                outcomes.append(_ingest_one(case, ready, overrides, analyse))
        for outcome in outcomes:
            result = outcome.result
            if result is not None and result.status == NEW:
                stored.append(result.article_id)
                stats.articles += 1
                stats.claims += result.claims
    finally:
        linked, prepped = _LINK_CPU[0] - link0, _PREP_CPU[0] - prep0
        stats.link += linked
        stats.prepare += prepped
        stats.write += time.process_time() - t0 - linked - prepped
        stats.write_wall += time.perf_counter() - w0
        stats.link_wall += _LINK_WALL[0] - lw0
        stats.commit_wall += _COMMIT_WALL[0] - cw0
        stats.write_queued += (run_queue_ns() - q0) / 1e9
    yield from outcomes


def _store_group(
    case: Case,
    group: Sequence[Prepared],
    overrides: ArticleMeta | None,
    analyse: bool,
) -> list[IngestResult | None]:
    """Store the new articles of ``group`` in ONE write unit; raise (rolled back) on any problem.

    Entries are None for inputs left to ``_ingest_one``: errors, and texts stored
    already (or twice in the group), which are reported after the unit commits.
    """
    results: list[IngestResult | None] = [None] * len(group)
    docs = [(i, r.doc, r.resolved) for i, r in enumerate(group) if r.error is None]
    if len(docs) < 2:  # nothing to share a unit with
        return results
    with case.session() as s:
        known = _article_ids(s, [doc.content_hash for _, doc, _ in docs if doc is not None])
    fresh: list[tuple[int, Document, PackedClaims]] = []
    hashes: set[str] = set()
    features = {i: r.features for i, r in enumerate(group)}
    for i, doc, resolved in docs:
        if doc is None or doc.content_hash in known or doc.content_hash in hashes:
            continue
        hashes.add(doc.content_hash)
        if resolved is None:
            t0 = time.process_time()
            resolved = pack_claims(prepare_document(doc))
            _PREP_CPU[0] += time.process_time() - t0
        fresh.append((i, doc, resolved))
    if not fresh:
        return results
    new_claims: list[StoredClaim] = []
    with case.write() as s:
        if _article_ids(s, list(hashes)):  # stored meanwhile: one unit per article
            raise _AlreadyStored
        # the unit's articles, then all their sources (one batch of statements),
        # then each article's claims, linked in turn
        articles = _store_articles(s, [doc for _, doc, _ in fresh])
        sources = SourceResolver(s).resolve(
            [
                (a.id, _speakers(resolved))
                for a, (_, _, resolved) in zip(articles, fresh, strict=True)
            ]
        )
        for (i, doc, resolved), article, found in zip(fresh, articles, sources, strict=True):
            claims = _store_claims(s, article, resolved, features[i], found)
            _after_claims_stored(s, article, claims, analyse, False)
            new_claims.extend(claims)
            results[i] = _stored_result(doc, article, len(claims))
        t_commit = time.perf_counter()
    _COMMIT_WALL[0] += time.perf_counter() - t_commit
    # committed: the link index may trust what it indexed in that unit
    _committed(case, new_claims)
    return results


def _article_ids(session: Session, hashes: Sequence[str]) -> dict[str, int]:
    """The ids of the stored articles among these texts (by content hash)."""
    from sqlalchemy import bindparam, text

    stmt = text("SELECT content_hash, id FROM article WHERE content_hash IN :h").bindparams(
        bindparam("h", expanding=True)
    )
    conn = session.connection()
    wanted = sorted(set(hashes))
    found: dict[str, int] = {}
    for i in range(0, len(wanted), IN_CHUNK):
        for r in conn.execute(stmt, {"h": wanted[i : i + IN_CHUNK]}):
            found[str(r[0])] = int(r[1])
    return found


def _ingest_one(
    case: Case, ready: Prepared, overrides: ArticleMeta | None, analyse: bool
) -> IngestOutcome:
    """One input in a write unit of its own: its outcome, or its error."""
    name = _outcome_name(ready)
    try:
        if ready.error is not None:
            raise ready.error
        assert ready.doc is not None
        result = ingest_document(
            case,
            ready.doc,
            overrides=overrides,
            resolved=ready.resolved,
            link=analyse,
            rescore=False,
            features=ready.features,
        )
    except ClaimtrackError as exc:
        return IngestOutcome(name, error=str(exc) if exc.path else f"{name}: {exc}")
    except Exception as exc:  # a bug in a pipeline step: report it, keep going
        return IngestOutcome(name, error=f"{name}: internal error ({type(exc).__name__}: {exc})")
    return IngestOutcome(name, result=result)
