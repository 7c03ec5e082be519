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
from claimtrack.store.db import Case, insert_rows, rows_for_ids, utcnow

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
    max_content: str | None  # content of claim max_id: tells a replaced database apart
    pending: dict[int, str] = field(default_factory=dict)  # claim id -> content
    unit: object | None = None  # the transaction that indexed ``pending`` (kept alive)


_CACHE: dict[str, _Cached] = {}
_LOCK = threading.Lock()


def _cache_key(conn: Connection) -> str:
    return str(conn.engine.url)


def forget_index(case: Case) -> None:
    """Drop the cached link index of ``case`` (the next linking rebuilds it from the store).

    Its memory is freed at once by reference counting (no collection pass: on a
    large heap that costs more than it frees).
    """
    with _LOCK:
        _CACHE.pop(str(case.engine.url), None)


def confirm_indexed(url: str, claim_ids: Iterable[int]) -> None:
    """The unit that stored and indexed ``claim_ids`` committed: no need to check them again.

    The ingest pipeline calls it after an article's transaction commits, so the
    next article does not re-read the previous one's claims.
    """
    with _LOCK:
        cached = _CACHE.get(url)
        if cached is not None:
            for cid in claim_ids:
                cached.pending.pop(cid, None)


def _still_valid(conn: Connection, cached: _Cached, exclude: set[int]) -> bool:
    """Whether the cached index is the index of this database (cheap checks only).

    Claims are never deleted and ids only grow, so the index is stale only when
    the unit that indexed claims did not commit (``pending``), or the database
    was replaced (the claim at the cached highest id is not the same, or a new
    claim got an id at or below it).
    """
    from sqlalchemy import bindparam, text

    if exclude and min(exclude) <= cached.max_id:
        return False
    if cached.pending and cached.unit is not None and conn.get_transaction() is cached.unit:
        # indexed earlier in this very transaction (a batch's write unit of several
        # articles), which holds the write lock: nothing to check
        return True
    if cached.pending:
        stmt = text("SELECT id, content_text FROM claim WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        found = {int(r[0]): r[1] for r in conn.execute(stmt, {"ids": list(cached.pending)})}
        if found != cached.pending:
            return False  # the transaction that linked them did not commit
        cached.pending = {}
    if cached.max_id:
        row = conn.execute(
            text("SELECT content_text FROM claim WHERE id = :i"), {"i": cached.max_id}
        ).first()
        if row is None or row[0] != cached.max_content:
            return False
    return True


def _index_for(conn: Connection, exclude: set[int]) -> LinkIndex:
    """The case's link index over every stored claim except ``exclude``.

    Reuses the cached index and adds the claims stored since by others (ids above
    the cached highest id: an index range, never a scan of the claim table).
    """
    from sqlalchemy import text

    key = _cache_key(conn)
    cached = _CACHE.get(key)
    if cached is not None and _still_valid(conn, cached, exclude):
        newer = text("SELECT id FROM claim WHERE id > :m ORDER BY id").bindparams(m=cached.max_id)
        extra = [int(r[0]) for r in conn.execute(newer) if int(r[0]) not in exclude]
        if extra:  # claims stored since by another process
            others = case_claims(conn, extra)
            cached.index.extend(others)
            cached.max_id = extra[-1]
            cached.max_content = others[-1].content
        return cached.index
    index = LinkIndex()
    claims = [c for c in case_claims(conn) if c.id not in exclude]
    index.extend(claims)
    last = claims[-1] if claims else None
    _CACHE[key] = _Cached(index, last.id if last else 0, last.content if last else None)
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


def _rows_touching(conn: Connection, claim_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Pairs with a row (analyst or machine) that have one end in ``claim_ids`` (indexed)."""
    sql = "SELECT a_id, b_id FROM link WHERE a_id IN :ids UNION SELECT a_id, b_id FROM link WHERE b_id IN :ids"
    return {(int(r[0]), int(r[1])) for r in rows_for_ids(conn, sql, claim_ids)}


def _store(
    session: Session, links: Sequence[Link], taken: set[tuple[int, int]] | None = None
) -> int:
    """Insert machine rows for ``links`` except pairs in ``taken`` (default: pairs with a row)."""
    from claimtrack.store.schema import LinkRow

    conn = session.connection()
    if taken is None:
        taken = _decided_pairs(conn, links)
    now = utcnow()
    rows = []
    for lk in links:
        a, b = (lk.a, lk.b) if lk.a < lk.b else (lk.b, lk.a)
        if (a, b) in taken:
            continue
        taken.add((a, b))
        rows.append(
            {
                "a_id": a,
                "b_id": b,
                "relation": lk.relation.value,
                "confidence": lk.confidence,
                "reason": lk.reason,
                "origin": "machine",
                "origin_claim_id": lk.origin_claim,
                "note": None,
                "version": 1,
                "created_at": now,
            }
        )
    insert_rows(conn, LinkRow.__table__, rows)  # type: ignore[attr-defined]
    return len(rows)


def link_new_claims(
    session: Session, claim_ids: Sequence[int], claims: Sequence[CaseClaim] | None = None
) -> int:
    """Link freshly stored claims against the case and store the machine links.

    Call it inside the transaction that stored the claims. ``claims`` are those
    claims as ``case_claims`` would read them (the ingest pipeline has them in
    hand, inserted in this transaction: no link row can name them yet); without
    them they are read back, and pairs that have a row are skipped. Returns the number of link rows written.
    """
    conn = session.connection()
    new_ids = set(claim_ids)
    with _LOCK:
        index = _index_for(conn, new_ids)
        if claims is None:
            new = case_claims(conn, new_ids)
        else:
            new = sorted((c for c in claims if c.id in new_ids), key=lambda c: c.id)
        links = index.add(new)
        cached = _CACHE.get(_cache_key(conn))
        if cached is not None and cached.index is index and new:
            cached.max_id = max(cached.max_id, new[-1].id)
            cached.max_content = next(c.content for c in new if c.id == cached.max_id)
            if not cached.pending or conn.get_transaction() is not cached.unit:
                cached.unit = conn.get_transaction()
            cached.pending.update({c.id: c.content for c in new})
    if claims is not None:
        # the claims were inserted in this very transaction (the ingest pipeline),
        # and a link row can only name a stored claim (foreign keys): no row
        # touches them yet
        return _store(session, links, set())
    # every link has an end among the new claims: only rows touching them can exist
    return _store(session, links, _rows_touching(conn, new_ids))


def relink_case(case: Case) -> int:
    """Recompute every machine link of the case (analyst decisions are kept and win)."""
    from sqlalchemy import text

    with case.write() as s:
        s.connection().execute(text("DELETE FROM link WHERE origin = 'machine'"))
        claims = case_claims(s.connection())
        links = LinkIndex().add(claims)
        _CACHE.pop(_cache_key(s.connection()), None)
        # only analyst rows are left: read them once rather than by the links' ends
        conn = s.connection()
        taken = {(int(r[0]), int(r[1])) for r in conn.execute(text("SELECT a_id, b_id FROM link"))}
        return _store(s, links, taken)


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
