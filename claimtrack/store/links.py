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
last time, in case that transaction was rolled back); otherwise it is restored
from the case's stored snapshot (``link_index_segment``: a whole index, then
what each later ingest added, ``save_index``) or, when there is none it can
trust, rebuilt from the stored claims (features only, no linking) and stored.

A snapshot is used only when it is provably the index a rebuild would give:
triggers (migration 5) delete every segment when a claim, article or source
column the index reads changes or a claim is deleted; each segment names the
linking code and data that made it (``linker_key``); the restored index must
hold exactly the stored claims up to its highest id (a count) and that claim's
text. Claims stored after it are then indexed as usual. Anything else (no
segment, another linker, a broken chain) rebuilds.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from claimtrack.linking import LinkIndex
from claimtrack.linking.text import ClaimFeatures, claim_features
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
    head: int | None = None  # the stored segment this index was at (restored or saved)
    head_mark: tuple[int, int] | None = None  # index.mark() at ``head``
    chain: list[int] = field(default_factory=list)  # sizes of the head's chain, base first


SNAPSHOT_MIGRATION = 5  # the migration that adds link_index_segment and its triggers
COMPACT_SEGMENTS = 64  # a chain longer than this is written again as one base
# the claim, article and source columns the index is built from (case_claims);
# changing any of them (or deleting a row) drops every stored segment
_CLAIM_COLUMNS = (
    "id, article_id, content_text, cue_text, source_text, stance, hedged, speaker, "
    "source_kind, source_id, cited_source_id"
)
_TRIGGERS_SQLITE = (
    "CREATE TRIGGER link_index_stale_claim AFTER UPDATE OF {claim} ON claim "
    "BEGIN DELETE FROM link_index_segment; END",
    "CREATE TRIGGER link_index_stale_claim_delete AFTER DELETE ON claim "
    "BEGIN DELETE FROM link_index_segment; END",
    "CREATE TRIGGER link_index_stale_article AFTER UPDATE OF id, outlet, published ON article "
    "BEGIN DELETE FROM link_index_segment; END",
    "CREATE TRIGGER link_index_stale_article_delete AFTER DELETE ON article "
    "BEGIN DELETE FROM link_index_segment; END",
    "CREATE TRIGGER link_index_stale_source AFTER UPDATE OF id, name ON source "
    "BEGIN DELETE FROM link_index_segment; END",
    "CREATE TRIGGER link_index_stale_source_delete AFTER DELETE ON source "
    "BEGIN DELETE FROM link_index_segment; END",
)
_TRIGGERS_POSTGRESQL = (
    "CREATE FUNCTION link_index_stale() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN DELETE FROM link_index_segment; RETURN NULL; END $$",
    "CREATE TRIGGER link_index_stale_claim AFTER UPDATE OF {claim} OR DELETE OR TRUNCATE "
    "ON claim FOR EACH STATEMENT EXECUTE FUNCTION link_index_stale()",
    "CREATE TRIGGER link_index_stale_article AFTER UPDATE OF id, outlet, published OR DELETE "
    "OR TRUNCATE ON article FOR EACH STATEMENT EXECUTE FUNCTION link_index_stale()",
    "CREATE TRIGGER link_index_stale_source AFTER UPDATE OF id, name OR DELETE OR TRUNCATE "
    "ON source FOR EACH STATEMENT EXECUTE FUNCTION link_index_stale()",
)


def create_snapshot_triggers(conn: Connection) -> None:
    """The triggers of migration 5 (one statement list per dialect)."""
    statements = _TRIGGERS_POSTGRESQL if conn.dialect.name == "postgresql" else _TRIGGERS_SQLITE
    for statement in statements:
        conn.exec_driver_sql(statement.format(claim=_CLAIM_COLUMNS))


@lru_cache(maxsize=1)
def linker_key() -> str:
    """The linking code and data a stored index was built with: the SHA-256 of
    every file of the claimtrack.linking package (sources and data), so any change
    to how claims are analysed invalidates the stored snapshots."""
    from importlib import resources

    digest = hashlib.sha256(f"{LinkIndex.__module__}:{_snapshot_versions()}".encode())
    pending = [resources.files("claimtrack.linking")]
    files = []
    while pending:
        node = pending.pop()
        for child in node.iterdir():
            if child.is_dir():
                if child.name != "__pycache__":
                    pending.append(child)
            elif not child.name.endswith((".pyc", ".pyo")):
                files.append(child)
    root = str(resources.files("claimtrack.linking"))
    for f in sorted(files, key=str):
        digest.update(str(f)[len(root) :].encode() + b"\0")
        digest.update(f.read_bytes())
    return digest.hexdigest()


def _snapshot_versions() -> str:
    from claimtrack.linking import index as index_module

    return f"{index_module._SNAPSHOT}.{index_module._DELTA}.{index_module.PACKED}"


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


def _snapshots_kept(conn: Connection) -> bool:
    """Whether the case has the snapshot table and its triggers (migration 5)."""
    from claimtrack.store.migrations import current_version

    return current_version(conn) >= SNAPSHOT_MIGRATION


def _chain(conn: Connection) -> list[tuple[int, int, int, int]]:
    """(id, max claim id, claims, size) of the stored segments to restore, base
    first: the latest base of this linker and the latest child of each row."""
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT id, parent_id, max_claim_id, claims, size FROM link_index_segment "
            "WHERE linker = :k ORDER BY id"
        ),
        {"k": linker_key()},
    ).all()
    bases = [r for r in rows if r[1] is None]
    if not bases:
        return []
    chain = [bases[-1]]
    children: dict[int, Any] = {}
    for r in rows:
        if r[1] is not None:
            children[int(r[1])] = r  # the latest child (ids ascend)
    while int(chain[-1][0]) in children:
        chain.append(children[int(chain[-1][0])])
    return [(int(r[0]), int(r[2]), int(r[3]), int(r[4])) for r in chain]


def _restore(conn: Connection, exclude: set[int]) -> _Cached | None:
    """The case's index from its stored segments, or None when there is none it
    can trust (see the module docstring)."""
    from sqlalchemy import bindparam, text

    chain = _chain(conn)
    if not chain:
        return None
    stmt = text("SELECT id, data FROM link_index_segment WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    data = {int(r[0]): bytes(r[1]) for r in conn.execute(stmt, {"ids": [c[0] for c in chain]})}
    if len(data) != len(chain):
        return None  # deleted meanwhile
    try:
        index = LinkIndex.from_bytes(data.pop(chain[0][0]), deflate=False)
        for seg_id, _, claims, _ in chain[1:]:
            index.apply_delta(data.pop(seg_id))
            if len(index) != claims:
                return None
    except ValueError:
        return None
    _, max_id, claims, _ = chain[-1]
    if len(index) != claims or (exclude and min(exclude) <= max_id):
        return None
    stored = conn.execute(
        text("SELECT COUNT(*) FROM claim WHERE id <= :m"), {"m": max_id}
    ).scalar_one()
    if int(stored) != claims:
        return None  # another writer's claims below its highest id, or deleted ones
    content = None
    if max_id:
        row = conn.execute(
            text("SELECT content_text FROM claim WHERE id = :i"), {"i": max_id}
        ).first()
        if row is None or max_id not in index:
            return None
        content = row[0]
        if index.features(max_id).lowered != " ".join((content or "").lower().split()):
            return None  # not this case's claim
    return _Cached(
        index,
        max_id,
        content,
        head=chain[-1][0],
        head_mark=index.mark(),
        chain=[c[3] for c in chain],
    )


def _store_base(conn: Connection, cached: _Cached) -> None:
    """Store the whole index as a new base segment (older segments deleted)."""
    from sqlalchemy import text

    data = cached.index.to_bytes()
    conn.execute(text("DELETE FROM link_index_segment"))
    cached.head = _insert_segment(conn, None, cached, data)
    cached.head_mark = cached.index.mark()
    cached.chain = [len(data)]


def _insert_segment(conn: Connection, parent: int | None, cached: _Cached, data: bytes) -> int:
    from sqlalchemy import insert

    from claimtrack.store.schema import LinkIndexSegmentRow

    table = LinkIndexSegmentRow.__table__  # type: ignore[attr-defined]
    stmt = insert(table).returning(table.c.id)
    row = conn.execute(
        stmt,
        {
            "parent_id": parent,
            "linker": linker_key(),
            "max_claim_id": cached.max_id,
            "claims": len(cached.index),
            "size": len(data),
            "data": data,
            "created_at": utcnow(),
        },
    ).scalar_one()
    return int(row)


def save_index(case: Case) -> bool:
    """Store what the cached index of ``case`` gained since it was restored or
    last saved (a segment on top of it; the whole index again once the chain is
    long), so the next process restores it instead of rebuilding. Nothing is
    stored when the case has changed underneath (its segment was deleted by a
    trigger) or the index holds claims of an uncommitted unit. Returns whether a
    segment was written."""
    from sqlalchemy import text

    with _LOCK:
        cached = _CACHE.get(str(case.engine.url))
        if cached is None or cached.pending or cached.head is None or cached.head_mark is None:
            return False
        if cached.index.mark() == cached.head_mark:
            return False
        with case.write() as s:
            conn = s.connection()
            if not _snapshots_kept(conn):
                return False
            latest = conn.execute(
                text("SELECT id FROM link_index_segment WHERE id = :h"), {"h": cached.head}
            ).first()
            if latest is None:
                return False  # the case changed underneath: the next process rebuilds
            delta = cached.index.delta_bytes(cached.head_mark)
            if len(cached.chain) >= COMPACT_SEGMENTS or sum(cached.chain[1:]) + len(delta) > max(
                cached.chain[0], 1 << 20
            ):
                _store_base(conn, cached)
            else:
                cached.head = _insert_segment(conn, cached.head, cached, delta)
                cached.head_mark = cached.index.mark()
                cached.chain.append(len(delta))
        return True


def _index_for(conn: Connection, exclude: set[int]) -> LinkIndex:
    """The case's link index over every stored claim except ``exclude``.

    Reuses the cached index and adds the claims stored since by others (ids above
    the cached highest id: an index range, never a scan of the claim table).
    Without one, restores the stored snapshot or rebuilds (and stores) it.
    """
    from sqlalchemy import text

    key = _cache_key(conn)
    cached = _CACHE.get(key)
    if cached is None and _snapshots_kept(conn):
        cached = _restore(conn, exclude)
        if cached is not None:
            _CACHE[key] = cached
        else:
            index = LinkIndex()
            claims = [c for c in case_claims(conn) if c.id not in exclude]
            index.extend(claims)
            last = claims[-1] if claims else None
            cached = _CACHE[key] = _Cached(
                index, last.id if last else 0, last.content if last else None
            )
            del claims
            # in this unit's transaction: stored only if it commits, and any
            # change to those claims after it deletes it again (triggers)
            _store_base(conn, cached)
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
    if _snapshots_kept(conn):
        _store_base(conn, _CACHE[key])
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
    session: Session,
    claim_ids: Sequence[int],
    claims: Sequence[CaseClaim] | None = None,
    features: Sequence[ClaimFeatures | None] | None = None,
) -> int:
    """Link freshly stored claims against the case and store the machine links.

    Call it inside the transaction that stored the claims. ``claims`` are those
    claims as ``case_claims`` would read them (the ingest pipeline has them in
    hand, inserted in this transaction: no link row can name them yet); without
    them they are read back, and pairs that have a row are skipped.
    ``features``: ``claim_features`` of ``claims`` (same order) computed
    elsewhere (the extraction workers; None: computed here). Returns the number of link rows written.
    """
    conn = session.connection()
    new_ids = set(claim_ids)
    with _LOCK:
        index = _index_for(conn, new_ids)
        if claims is None:
            new = case_claims(conn, new_ids)
        else:
            new = sorted((c for c in claims if c.id in new_ids), key=lambda c: c.id)
        if claims is not None and features is not None and len(features) == len(claims):
            by_id = {c.id: f for c, f in zip(claims, features, strict=True)}
            links = index.add_features(
                f if (f := by_id[c.id]) is not None else claim_features(c) for c in new
            )
        else:
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
