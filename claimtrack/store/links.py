"""Machine links in the case: link new claims incrementally and persist them.

``link_new_claims(session, claim_ids)`` is what the ingest pipeline calls after an
article's claims are stored (inside the article's transaction): the new claims
are linked against the case with claimtrack.linking's incremental
:class:`LinkIndex` (not the whole case again) and their links are written as
``link`` rows with ``origin = 'machine'``.

Analyst decisions win: a pair with an analyst row (``claimtrack link A B --as
...``, including a rejection, relation ``none``) never gets a machine row, so a
rejected link does not come back when linking runs again. ``relink_case``
recomputes every machine link of the case from scratch (same rule).

The link index of a case is cached in memory per database and checked against
the claim table before each use (count, highest id, and the claims it indexed
last time, in case that transaction was rolled back); otherwise it is rebuilt
from the stored claims (features only, no linking).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claimtrack.linking import LinkIndex
from claimtrack.models import CaseClaim, Link, SourceKind, Stance
from claimtrack.store.db import Case, rows_for_ids, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

_CLAIMS_SQL = (
    "SELECT c.id, c.article_id, c.content_text, c.cue_text, c.source_text, c.stance, "
    "c.hedged, c.speaker, c.source_kind, c.source_id, cs.name, a.outlet, a.published "
    "FROM claim c JOIN article a ON a.id = c.article_id "
    "LEFT JOIN source cs ON cs.id = c.cited_source_id"
)


def _kind(value: str | None) -> SourceKind:
    try:
        return SourceKind(value or "unknown")
    except ValueError:
        return SourceKind.UNKNOWN


def _stance(value: str | None) -> Stance:
    try:
        return Stance(value or "asserts")
    except ValueError:
        return Stance.ASSERTS


def _case_claim(r: Any) -> CaseClaim:
    published = r[12]
    if isinstance(published, str):
        from datetime import date

        published = date.fromisoformat(published[:10])
    return CaseClaim(
        id=int(r[0]),
        article_id=int(r[1]),
        content=r[2] or "",
        cue=r[3],
        source_text=r[4],
        stance=_stance(r[5]),
        hedged=bool(r[6]),
        speaker=r[7],
        source_kind=_kind(r[8]),
        source_id=r[9],
        cited=r[10],
        outlet=r[11],
        published=published,
    )


def case_claims(conn: Connection, ids: Iterable[int] | None = None) -> list[CaseClaim]:
    """Stored claims as CaseClaims (all of them, or ``ids``), in id order."""
    from sqlalchemy import text

    if ids is None:
        rows: Iterable[Any] = conn.execute(text(_CLAIMS_SQL + " ORDER BY c.id"))
    else:
        rows = rows_for_ids(conn, _CLAIMS_SQL + " WHERE c.id IN :ids ORDER BY c.id", ids)
    return [_case_claim(r) for r in rows]


@dataclass
class _Cached:
    index: LinkIndex
    max_id: int
    pending: dict[int, str] = field(default_factory=dict)  # claim id -> content


_CACHE: dict[str, _Cached] = {}
_LOCK = threading.Lock()


def _cache_key(conn: Connection) -> str:
    return str(conn.engine.url)


def _index_for(conn: Connection, exclude: set[int]) -> LinkIndex:
    """The case's link index over every stored claim except ``exclude``."""
    from sqlalchemy import bindparam, text

    key = _cache_key(conn)
    cached = _CACHE.get(key)
    if cached is not None and cached.pending:
        stmt = text("SELECT id, content_text FROM claim WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        found = {int(r[0]): r[1] for r in conn.execute(stmt, {"ids": list(cached.pending)})}
        if found != cached.pending:
            cached = None  # the transaction that linked them did not commit
        else:
            cached.pending = {}
    if exclude:
        stmt = text("SELECT count(*), max(id) FROM claim WHERE id NOT IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        row = conn.execute(stmt, {"ids": sorted(exclude)}).one()
    else:
        row = conn.execute(text("SELECT count(*), max(id) FROM claim")).one()
    count, max_id = int(row[0] or 0), int(row[1] or 0)
    if cached is not None:
        if len(cached.index) < count:  # claims stored since (another process)
            newer = text("SELECT id FROM claim WHERE id > :m").bindparams(m=cached.max_id)
            extra = [int(r[0]) for r in conn.execute(newer) if int(r[0]) not in exclude]
            cached.index.extend(case_claims(conn, extra))
            cached.max_id = max([cached.max_id, *extra])
        if len(cached.index) == count and cached.max_id == max_id:
            return cached.index
    index = LinkIndex()
    index.extend(c for c in case_claims(conn) if c.id not in exclude)
    _CACHE[key] = _Cached(index, max(index.ids(), default=0))
    return index


def _decided_pairs(conn: Connection, links: Sequence[Link]) -> set[tuple[int, int]]:
    """Pairs among ``links`` that already have a row (analyst or machine)."""
    from sqlalchemy import bindparam, text

    ids = sorted({x for lk in links for x in (lk.a, lk.b)})
    if not ids:
        return set()
    stmt = text("SELECT a_id, b_id FROM link WHERE a_id IN :ids AND b_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    return {(int(r[0]), int(r[1])) for r in conn.execute(stmt, {"ids": ids})}


def _store(session: Session, links: Sequence[Link]) -> int:
    from claimtrack.store.schema import LinkRow

    taken = _decided_pairs(session.connection(), links)
    now = utcnow()
    n = 0
    for lk in links:
        a, b = (lk.a, lk.b) if lk.a < lk.b else (lk.b, lk.a)
        if (a, b) in taken:
            continue
        taken.add((a, b))
        session.add(
            LinkRow(
                a_id=a,
                b_id=b,
                relation=lk.relation.value,
                confidence=lk.confidence,
                reason=lk.reason,
                origin="machine",
                origin_claim_id=lk.origin_claim,
                created_at=now,
            )
        )
        n += 1
    session.flush()
    return n


def link_new_claims(session: Session, claim_ids: Sequence[int]) -> int:
    """Link freshly stored claims against the case and store the machine links.

    Call it inside the transaction that stored the claims (after a flush, so the
    claims have ids). Returns the number of link rows written.
    """
    conn = session.connection()
    new_ids = set(claim_ids)
    with _LOCK:
        index = _index_for(conn, new_ids)
        new = case_claims(conn, new_ids)
        links = index.add(new)
        cached = _CACHE.get(_cache_key(conn))
        if cached is not None and cached.index is index:
            cached.max_id = max([cached.max_id, *new_ids])
            cached.pending.update({c.id: c.content for c in new})
    return _store(session, links)


def relink_case(case: Case) -> int:
    """Recompute every machine link of the case (analyst decisions are kept and win)."""
    from sqlalchemy import text

    with case.write() as s:
        s.connection().execute(text("DELETE FROM link WHERE origin = 'machine'"))
        claims = case_claims(s.connection())
        links = LinkIndex().add(claims)
        _CACHE.pop(_cache_key(s.connection()), None)
        return _store(s, links)


@dataclass(frozen=True)
class LinkListRow:
    a: int
    b: int
    relation: str
    confidence: float
    reason: str
    origin: str
    origin_claim: int | None
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "relation": self.relation,
            "confidence": self.confidence,
            "reason": self.reason,
            "origin": self.origin,
            "origin_claim": self.origin_claim,
            "note": self.note,
        }


def list_links(case: Case, claim: int | None = None) -> list[LinkListRow]:
    """Effective links (an analyst row replaces the machine row of its pair), by pair."""
    from sqlalchemy import text

    sql = "SELECT a_id, b_id, relation, confidence, reason, origin, origin_claim_id, note FROM link"
    params: dict[str, Any] = {}
    if claim is not None:
        sql += " WHERE a_id = :c OR b_id = :c"
        params["c"] = claim
    sql += " ORDER BY a_id, b_id, origin"
    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    with case.session() as s:
        for r in s.connection().execute(text(sql), params):
            pairs.setdefault((int(r[0]), int(r[1])), {})[r[5]] = r
    out = []
    for (a, b), by in pairs.items():
        r = by.get("analyst") or by.get("machine") or next(iter(by.values()))
        out.append(
            LinkListRow(
                a=a,
                b=b,
                relation=str(r[2]),
                confidence=float(r[3]),
                reason=str(r[4] or ""),
                origin=str(r[5]),
                origin_claim=r[6],
                note=r[7],
            )
        )
    return out
