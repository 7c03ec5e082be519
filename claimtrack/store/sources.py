"""Case sources: find-or-create from resolved speakers, and the analyst's control.

Machine side: ``SourceFinder(session, article_id).get_many(speakers)`` (the
ingest pipeline's one find-or-create path, batched per article) gives the source
row each resolved speaker belongs to, in this order:

1. an alias the analyst pinned by a split (``source_alias.origin = 'analyst'``)
   whose normalised form is the speaker's name or one of its aliases;
2. the row with the speaker's key, article-local keys (anonymous, document,
   bare surname) salted with the article id (``claimtrack.sources.scoped_key``);
3. an existing source the cross-article matcher says is the same person or body
   (``claimtrack.sources.match_entity``: same surname and compatible first name,
   the same outlet by alias...), candidates fetched by the indexed
   ``source.match_key`` (normalised surname, significant words) or alias;
4. a new row, with the outlet table's prior and its reason.

Analyst side (each a ``review_event`` of entity ``source``, and a version bump):
``merge_sources`` (``merged_into``), ``split_source`` (a new source, the alias
pinned to it with origin ``analyst``, the claims written that way moved),
``set_source`` (``*_override`` columns). The machine never writes the override
columns, never clears ``merged_into`` and honours pinned aliases, so these
decisions survive re-ingesting and re-resolving.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimtrack.errors import NotFoundError, UsageError
from claimtrack.models import SourceKind, Speaker
from claimtrack.sources import (
    EntityEntry,
    EntityTable,
    KnownEntity,
    default_table,
    is_article_local,
    match_entity,
    match_key,
    scoped_key,
)
from claimtrack.store.db import IN_CHUNK, Case, utcnow
from claimtrack.store.review import bump, record_event

if TYPE_CHECKING:
    from sqlmodel import Session

    from claimtrack.store.schema import SourceRow

ANALYST = "analyst"


@functools.lru_cache(maxsize=1 << 16)
def normalise_alias(alias: str) -> str:
    """The matching form of a name (as the ingest pipeline stores it in source_alias.norm)."""
    text = _SPACES.sub(" ", alias).strip().strip(".,;:'\"\u201c\u201d\u2018\u2019()").strip()
    return text.casefold()


_SPACES = re.compile(r"\s+")


# --------------------------------------------------------------------------
# machine: speaker -> source row
# --------------------------------------------------------------------------


def _reason(entry: EntityEntry) -> str:
    return entry.prior_reason + (f" ({entry.prior_origin})" if entry.prior_origin else "")


_IN_CHUNK = IN_CHUNK  # values per IN (...) query


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), _IN_CHUNK):
        yield values[i : i + _IN_CHUNK]


def source_match_key(key: str, name: str, kind: str) -> str | None:
    """``source.match_key`` of a machine source (``claimtrack.sources.match_key``).

    None for article-local keys (they never merge) and analyst-made sources
    (``split:``), which only their pinned aliases reach.
    """
    if is_article_local(key) or key.startswith("split:"):
        return None
    try:
        return match_key(name, SourceKind(kind))
    except ValueError:
        return None


_ENTRY_COLUMNS = (
    "id, key, name, kind, affiliation, role, prior, prior_reason, match_key, "
    "kind_override, affiliation_override, prior_override, name_override, merged_into"
)
# the same columns of the source table aliased "s" (in queries joining source_alias)
_ENTRY_COLUMNS_S = ", ".join(f"s.{c.strip()}" for c in _ENTRY_COLUMNS.split(","))


@dataclass(slots=True, eq=False)
class SourceEntry:
    """A ``source`` row as the finder reads and writes it: a plain object, no ORM state.

    ``id`` is None only while a row made by the finder is not inserted yet.
    """

    key: str
    name: str
    kind: str
    affiliation: str | None = None
    role: str | None = None
    prior: float | None = None
    prior_reason: str | None = None
    match_key: str | None = None
    id: int | None = None
    kind_override: str | None = None
    affiliation_override: str | None = None
    prior_override: float | None = None
    name_override: str | None = None
    merged_into: int | None = None


def _norms(group: Sequence[Speaker]) -> set[str]:
    return {normalise_alias(a) for sp in group for a in (sp.name, *sp.aliases)} - {""}


def _match_keys(speaker: Speaker) -> set[str]:
    if speaker.kind is SourceKind.PERSON:  # the matcher compares the full names only
        names: tuple[str, ...] = (speaker.name,)
    else:
        names = (speaker.name, *speaker.aliases)
    return {k for n in names if (k := match_key(n, speaker.kind)) is not None}


_BIG = 1 << 62  # rank of the rows made in a unit: after every stored row, in the order made


class SourceResolver:
    """Find-or-create the source rows of the speakers of one write unit's articles.

    ``resolve([(article_id, speakers), ...])`` gives, for each article, the row
    of every speaker by ``Speaker.key`` (as resolved, unscoped), exactly as a
    ``SourceFinder`` per article, one article after the other, would (same rows,
    same ids, same aliases), with the SQL batched over the whole unit: whatever
    the number of articles and speakers, one query for pinned aliases, one for
    keys, one or two for the matcher's candidates (by the indexed
    ``source.match_key`` and ``source_alias.norm``), then one INSERT for the new
    rows, one UPDATE (executemany) for the rows that gained a field, one query
    for the aliases already recorded and one INSERT for the new ones (each IN
    list in chunks of 500). It lives inside the unit's transaction, which holds
    the case's write lock: no other claimtrack process writes meanwhile, so what
    it read and made stays true until the unit ends. Between articles it keeps
    what the store would answer: the rows made and the aliases recorded by the
    unit's earlier articles are candidates, keys and aliases for the later ones.
    """

    def __init__(self, session: Session, table: EntityTable | None = None):
        self.conn = session.connection()
        self.table = table or default_table()
        self.rows: dict[int, SourceEntry] = {}  # id -> row: one object per stored row
        self.keyed: dict[str, SourceEntry] = {}  # scoped key -> the row with that key
        self.fetched_keys: set[str] = set()
        self.pins: dict[str, tuple[int, SourceEntry]] = {}  # norm -> (alias id, row): latest pin
        self.fetched_pins: set[str] = set()
        # the matcher's candidates: rows by match_key, rows with a match_key by alias norm
        self.by_match: dict[str, list[SourceEntry]] = {}
        self.by_norm: dict[str, list[SourceEntry]] = {}
        self.fetched_match: set[str] = set()
        self.fetched_norm: set[str] = set()
        self.rank: dict[int, int] = {}  # id(row) -> order made, for rows made in this unit
        self.made: list[SourceEntry] = []  # made, not inserted yet, in order
        self.changed: dict[int, SourceEntry] = {}  # stored rows that gained a field
        self.alias_rows: list[tuple[SourceEntry, str, str]] = []  # (row, alias, norm) to record
        self.alias_seen: set[tuple[int, str]] = set()  # (id(row), norm) recorded by this unit

    # ---- reading -------------------------------------------------------

    def _entry(self, r: Any) -> SourceEntry:
        """The one SourceEntry of a row selected with ``_ENTRY_COLUMNS``."""
        sid = int(r[0])
        got = self.rows.get(sid)
        if got is None:
            got = self.rows[sid] = SourceEntry(
                id=sid,
                key=r[1],
                name=r[2],
                kind=r[3],
                affiliation=r[4],
                role=r[5],
                prior=None if r[6] is None else float(r[6]),
                prior_reason=r[7],
                match_key=r[8],
                kind_override=r[9],
                affiliation_override=r[10],
                prior_override=None if r[11] is None else float(r[11]),
                name_override=r[12],
                merged_into=r[13],
            )
        return got

    def _select(self, sql: str, values: Sequence[str]) -> Iterator[Any]:
        from sqlalchemy import bindparam, text

        stmt = text(sql).bindparams(bindparam("v", expanding=True))
        for chunk in _chunks(values):
            yield from self.conn.execute(stmt, {"v": list(chunk)})

    def _fetch(self, keys: set[str], pins: set[str], mkeys: set[str], norms: set[str]) -> None:
        """Read what the store holds for these keys, alias norms and match keys (once each)."""
        todo = sorted(pins - self.fetched_pins)
        if todo:
            sql = (
                "SELECT a.norm, a.id, "
                + _ENTRY_COLUMNS_S
                + " FROM source_alias a JOIN source s ON s.id = a.source_id"
                f" WHERE a.origin = '{ANALYST}' AND a.norm IN :v"
            )
            for r in self._select(sql, todo):
                norm, alias_id, row = str(r[0]), int(r[1]), self._entry(r[2:])
                if norm not in self.pins or self.pins[norm][0] < alias_id:
                    self.pins[norm] = (alias_id, row)
            self.fetched_pins.update(todo)
        todo = sorted(keys - self.fetched_keys - set(self.keyed))
        if todo:
            for r in self._select(f"SELECT {_ENTRY_COLUMNS} FROM source WHERE key IN :v", todo):
                row = self._entry(r)
                self.keyed[row.key] = row
            self.fetched_keys.update(todo)
        todo = sorted(mkeys - self.fetched_match)
        if todo:
            sql = f"SELECT {_ENTRY_COLUMNS} FROM source WHERE match_key IN :v"
            for r in self._select(sql, todo):
                row = self._entry(r)
                assert row.match_key is not None
                self.by_match.setdefault(row.match_key, []).append(row)
            self.fetched_match.update(todo)
        todo = sorted(norms - self.fetched_norm)
        if todo:
            # article-local rows (no match_key) never match: their aliases, one set
            # per article, must not make the candidates grow
            sql = (
                "SELECT a.norm, "
                + _ENTRY_COLUMNS_S
                + " FROM source_alias a JOIN source s ON s.id = a.source_id"
                " WHERE a.norm IN :v AND s.match_key IS NOT NULL"
            )
            for r in self._select(sql, todo):
                self.by_norm.setdefault(str(r[0]), []).append(self._entry(r[1:]))
            self.fetched_norm.update(todo)

    # ---- resolving -----------------------------------------------------

    def resolve(
        self,
        articles: Sequence[tuple[int, Iterable[Speaker]]],
        done: dict[str, SourceEntry] | None = None,
    ) -> list[dict[str, SourceEntry]]:
        """The rows of each article's speakers, by ``Speaker.key``; stored before it returns.

        ``done``: scoped keys already resolved for the (one) article, kept as they
        are (their names are still recorded as aliases).
        """
        per: list[dict[str, list[Speaker]]] = []
        for article_id, speakers in articles:
            groups: dict[str, list[Speaker]] = {}
            for sp in speakers:
                groups.setdefault(scoped_key(sp.key, article_id), []).append(sp)
            per.append(groups)
        keys: set[str] = set()
        pins: set[str] = set()
        mkeys: set[str] = set()
        norms: set[str] = set()
        # per scoped key: its names' norms, and the match keys and norms of its candidates
        wanted: list[dict[str, tuple[set[str], set[str], set[str]]]] = []
        for groups in per:
            mine = {}
            for k, group in groups.items():
                ns = _norms(group)
                keys.add(k)
                pins |= ns
                m, n = _wanted(group[0], ns)
                mkeys |= m
                norms |= n
                mine[k] = (ns, m, n)
            wanted.append(mine)
        self._fetch(keys, pins, mkeys, norms)
        out = []
        for groups, mine in zip(per, wanted, strict=True):
            rows = self._article(groups, mine, done or {})
            out.append({sp.key: rows[k] for k, group in groups.items() for sp in group})
        self._flush()
        return out

    def _article(
        self,
        groups: dict[str, list[Speaker]],
        wanted: dict[str, tuple[set[str], set[str], set[str]]],
        done: dict[str, SourceEntry],
    ) -> dict[str, SourceEntry]:
        """One article's rows by scoped key, as a finder of its own would find or make them."""
        todo = [k for k in groups if k not in done]
        norms_of = {k: wanted[k][0] for k in todo}
        found: dict[str, SourceEntry] = {}
        if self.pins:  # an alias the analyst pinned: the latest pin wins
            for k, ns in norms_of.items():
                hits = [self.pins[n] for n in ns if n in self.pins]
                if hits:
                    found[k] = max(hits, key=lambda h: h[0])[1]
        for k in todo:
            if k not in found and (row := self.keyed.get(k)) is not None:
                found[k] = row
        here: list[SourceEntry] = []  # made for this article, in order
        by_match: dict[str, list[SourceEntry]] = {}  # ... as candidates for its later speakers
        by_norm: dict[str, list[SourceEntry]] = {}
        for k in todo:
            if k in found:
                continue
            speaker = groups[k][0]
            row = None
            if not is_article_local(k):
                row = self._match(speaker, wanted[k][1], wanted[k][2], here, by_match, by_norm)
            if row is None:
                row = self._new(speaker, k)
                here.append(row)
                if row.match_key is not None:
                    by_match.setdefault(row.match_key, []).append(row)
                if speaker.kind is not SourceKind.PERSON:
                    for n in norms_of[k]:
                        by_norm.setdefault(n, []).append(row)
            found[k] = row
        for k in todo:
            row = found[k]
            for sp in groups[k]:
                # a row made in this unit is inserted with its final fields
                if self._fill(row, sp) and row.id is not None:
                    self.changed[row.id] = row
        for row in here:  # stored, for the next articles
            self.rank[id(row)] = len(self.rank)
            self.made.append(row)
            self.keyed[row.key] = row
            if row.match_key is not None:
                self.by_match.setdefault(row.match_key, []).append(row)
        found.update((k, done[k]) for k in groups if k in done)
        self._aliases(groups, found)
        return found

    def _match(
        self,
        speaker: Speaker,
        mkeys: set[str],
        norms: set[str],
        here: list[SourceEntry],
        by_match: dict[str, list[SourceEntry]],
        by_norm: dict[str, list[SourceEntry]],
    ) -> SourceEntry | None:
        if not mkeys and not norms:  # e.g. a person without a first name: never merges
            return None
        pool: dict[int, SourceEntry] = {}
        for m in sorted(mkeys):
            for row in (*self.by_match.get(m, ()), *by_match.get(m, ())):
                pool.setdefault(id(row), row)
        for n in sorted(norms):
            for row in (*self.by_norm.get(n, ()), *by_norm.get(n, ())):
                pool.setdefault(id(row), row)
        if not pool:
            return None
        # stored sources oldest first, then those made for this article (in the
        # order met); the unit's earlier articles' rows count as stored
        mine = {id(row) for row in here}
        rank = self.rank

        def order(r: SourceEntry) -> tuple[bool, int]:
            if id(r) in mine:
                return (True, 0)
            return (False, r.id if r.id is not None else _BIG + rank[id(r)])

        rows = sorted(pool.values(), key=order)
        known = [KnownEntity(r.key, r.name, SourceKind(r.kind), ()) for r in rows]
        i = match_entity(speaker, known, table=self.table)
        return rows[i] if i is not None else None

    def _new(self, speaker: Speaker, key: str) -> SourceEntry:
        entry = self.table.by_key.get(speaker.key)
        reason = _reason(entry) if entry is not None and entry.prior is not None else None
        return SourceEntry(
            key=key,
            name=speaker.name,
            kind=speaker.kind.value,
            affiliation=speaker.affiliation,
            role=speaker.role,
            prior=entry.prior if entry is not None else None,
            prior_reason=reason,
            match_key=source_match_key(key, speaker.name, speaker.kind.value),
        )

    def _fill(self, row: SourceEntry, speaker: Speaker) -> bool:
        changed = False
        if row.affiliation is None and speaker.affiliation:
            row.affiliation, changed = speaker.affiliation, True
        if row.role is None and speaker.role:
            row.role, changed = speaker.role, True
        if row.prior is None:
            entry = self.table.by_key.get(row.key)
            if entry is not None and entry.prior is not None:
                row.prior, row.prior_reason = entry.prior, _reason(entry)
                changed = True
        return changed

    def _aliases(self, groups: dict[str, list[Speaker]], found: dict[str, SourceEntry]) -> None:
        """Every name and alias of the article's speakers, recorded for their row."""
        wanted: dict[tuple[int, str], tuple[SourceEntry, str]] = {}
        for k, group in groups.items():
            row = found[k]
            for sp in group:
                for alias in (sp.name, *sp.aliases):
                    norm = normalise_alias(alias)
                    if norm:
                        wanted.setdefault((id(row), norm), (row, alias.strip()))
        for (rid, norm), (row, alias) in wanted.items():
            if (rid, norm) in self.alias_seen:
                continue
            self.alias_seen.add((rid, norm))
            self.alias_rows.append((row, alias, norm))
            if row.match_key is not None:  # a candidate by this alias from now on
                self.by_norm.setdefault(norm, []).append(row)

    # ---- writing -------------------------------------------------------

    def _flush(self) -> None:
        """Insert the rows made, update the rows that gained a field, record the new aliases."""
        from sqlalchemy import bindparam, text

        from claimtrack.store.db import insert_rows
        from claimtrack.store.schema import SourceAliasRow, SourceRow

        made, self.made = self.made, []
        stored = {id(r) for r in self.rows.values()}  # rows that were stored before this unit
        if made:
            now = utcnow()
            params = [
                {
                    "key": r.key,
                    "name": r.name,
                    "kind": r.kind,
                    "affiliation": r.affiliation,
                    "role": r.role,
                    "prior": r.prior,
                    "prior_reason": r.prior_reason,
                    "created_at": now,
                    "match_key": r.match_key,
                }
                for r in made
            ]
            table = SourceRow.__table__  # type: ignore[attr-defined]
            for r, sid in zip(
                made, insert_rows(self.conn, table, params, returning_id=True), strict=True
            ):
                r.id = sid
                self.rows[sid] = r
        if self.changed:  # one executemany for the stored rows that gained a field
            self.conn.execute(
                text(
                    "UPDATE source SET affiliation = :affiliation, role = :role, "
                    "prior = :prior, prior_reason = :prior_reason WHERE id = :id"
                ),
                [
                    {
                        "id": r.id,
                        "affiliation": r.affiliation,
                        "role": r.role,
                        "prior": r.prior,
                        "prior_reason": r.prior_reason,
                    }
                    for _, r in sorted(self.changed.items())
                ],
            )
            self.changed = {}
        wanted, self.alias_rows = self.alias_rows, []
        if not wanted:
            return
        # aliases of rows stored before this unit may be recorded already
        old = [(r, n) for r, _, n in wanted if id(r) in stored]
        have: set[tuple[int, str]] = set()
        if old:
            ids = sorted({int(r.id or 0) for r, _ in old})
            norms = sorted({n for _, n in old})
            stmt = text(
                "SELECT source_id, norm FROM source_alias WHERE source_id IN :ids AND norm IN :v"
            ).bindparams(bindparam("ids", expanding=True), bindparam("v", expanding=True))
            for i in range(0, len(ids), _IN_CHUNK):
                for chunk in _chunks(norms):
                    rows = self.conn.execute(
                        stmt, {"ids": ids[i : i + _IN_CHUNK], "v": list(chunk)}
                    )
                    have.update((int(sid), str(norm)) for sid, norm in rows)
        new = [
            {"source_id": r.id, "alias": alias, "norm": norm, "origin": "machine"}
            for r, alias, norm in wanted
            if (r.id, norm) not in have
        ]
        if new:
            table = SourceAliasRow.__table__  # type: ignore[attr-defined]
            insert_rows(self.conn, table, new)


def _wanted(speaker: Speaker, norms: set[str]) -> tuple[set[str], set[str]]:
    """The match keys and alias norms the matcher's candidates for ``speaker`` have."""
    if is_article_local(speaker.key):
        return set(), set()
    return _match_keys(speaker), norms if speaker.kind is not SourceKind.PERSON else set()


class SourceFinder:
    """Find-or-create the source rows of one article's speakers, in one transaction.

    ``get_many`` is a ``SourceResolver`` for one article: batched and indexed,
    a handful of statements whatever the number of speakers and the size of
    the case. Rows are read and written with plain SQL (no ORM objects); a row
    read twice is one ``SourceEntry``.
    """

    def __init__(self, session: Session, article_id: int, table: EntityTable | None = None):
        self.article_id = article_id
        self.resolver = SourceResolver(session, table)
        self.table = self.resolver.table
        self.by_key: dict[str, SourceEntry] = {}  # scoped key -> row

    def get(self, speaker: Speaker) -> SourceEntry:
        return self.get_many([speaker])[speaker.key]

    def get_many(self, speakers: Iterable[Speaker]) -> dict[str, SourceEntry]:
        """The source row of every speaker, by ``Speaker.key`` (as resolved, unscoped).

        A field the row lacks (affiliation, role, the table's prior) is filled
        from the speakers; every name and alias is recorded in ``source_alias``;
        analyst columns are never touched.
        """
        speakers = list(speakers)
        if not speakers:
            return {}
        out = self.resolver.resolve([(self.article_id, speakers)], self.by_key)[0]
        for sp in speakers:
            self.by_key[scoped_key(sp.key, self.article_id)] = out[sp.key]
        return out


# --------------------------------------------------------------------------
# reading: naming a source, its detail
# --------------------------------------------------------------------------


def _root(s: Session, row: SourceRow) -> SourceRow:
    from claimtrack.store.schema import SourceRow

    seen = {row.id}
    while row.merged_into is not None and row.merged_into not in seen:
        parent = s.get(SourceRow, row.merged_into)
        if parent is None:
            break
        seen.add(parent.id)
        row = parent
    return row


def _members(s: Session, root_id: int) -> list[int]:
    """The source and every source merged into it, directly or not."""
    from sqlmodel import col, select

    from claimtrack.store.schema import SourceRow

    parent = {
        int(r.id): int(r.merged_into)
        for r in s.exec(select(SourceRow).where(col(SourceRow.merged_into).is_not(None))).all()
        if r.id is not None and r.merged_into is not None
    }
    out = [root_id]
    for sid in parent:
        seen = {sid}
        cur = parent[sid]
        while cur in parent and cur not in seen:
            seen.add(cur)
            cur = parent[cur]
        if cur == root_id:
            out.append(sid)
    return out


def find_source(s: Session, name: str) -> SourceRow:
    """The surviving source named ``name``: an id, a (case-insensitive) name, or an alias."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from claimtrack.store.schema import SourceAliasRow, SourceRow

    text = name.strip()
    if not text:
        raise UsageError("empty source name")
    if text.isdigit():
        row = s.get(SourceRow, int(text))
        if row is None:
            raise NotFoundError(f"no source with id {text}")
        return _root(s, row)
    norm = normalise_alias(text)
    shown = func.lower(func.coalesce(col(SourceRow.name_override), col(SourceRow.name)))
    rows = s.exec(select(SourceRow).where(shown == text.casefold())).all()
    if not rows:
        rows = list(
            s.exec(
                select(SourceRow)
                .join(SourceAliasRow, col(SourceAliasRow.source_id) == col(SourceRow.id))
                .where(col(SourceAliasRow.norm) == norm)
            ).all()
        )
    roots: dict[int, SourceRow] = {}
    for r in rows:
        root = _root(s, r)
        assert root.id is not None
        roots[root.id] = root
    if not roots:
        raise NotFoundError(f"no source named {text!r}")
    if len(roots) > 1:
        ids = ", ".join(
            f"{i} ({r.name_override or r.name}, {r.kind_override or r.kind})"
            for i, r in sorted(roots.items())
        )
        raise UsageError(f"{text!r} names several sources: {ids}; give the id")
    return next(iter(roots.values()))


def _view(row: SourceRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name_override or row.name,
        "kind": row.kind_override or row.kind,
        "affiliation": row.affiliation_override
        if row.affiliation_override is not None
        else row.affiliation,
        "role": row.role,
        "prior": row.prior_override if row.prior_override is not None else row.prior,
        "prior_reason": "set by the analyst"
        if row.prior_override is not None
        else row.prior_reason,
        "key": row.key,
        "version": row.version,
    }


@dataclass(frozen=True)
class SourceDetail:
    source: dict[str, Any]
    aliases: list[dict[str, Any]]  # alias, origin, source_id (a merged member's id)
    merged: list[int]  # ids merged into it
    claims: list[dict[str, Any]]  # id, article_id, source_text, content


def source_detail(case: Case, name: str) -> SourceDetail:
    from sqlmodel import col, or_, select

    from claimtrack.store.schema import ClaimReviewRow, ClaimRow, SourceAliasRow

    with case.session() as s:
        root = find_source(s, name)
        assert root.id is not None
        members = _members(s, root.id)
        aliases = [
            {"alias": a.alias, "origin": a.origin, "source_id": a.source_id}
            for a in s.exec(
                select(SourceAliasRow)
                .where(col(SourceAliasRow.source_id).in_(members))
                .order_by(col(SourceAliasRow.id))
            ).all()
        ]
        rows = s.exec(
            select(ClaimRow, ClaimReviewRow)
            .outerjoin(ClaimReviewRow, col(ClaimReviewRow.claim_id) == col(ClaimRow.id))
            .where(
                or_(
                    col(ClaimReviewRow.source_id).in_(members),
                    (col(ClaimRow.source_id).in_(members))
                    & (col(ClaimReviewRow.source_id).is_(None)),
                )
            )
            .order_by(col(ClaimRow.article_id), col(ClaimRow.ordinal))
        ).all()
        claims = [
            {
                "id": c.id,
                "article_id": c.article_id,
                "source_text": c.source_text,
                "content": c.content_text,
            }
            for c, _r in rows
        ]
        return SourceDetail(_view(root), aliases, [m for m in members if m != root.id], claims)


# --------------------------------------------------------------------------
# analyst decisions
# --------------------------------------------------------------------------


def merge_sources(
    case: Case, name: str, into: str, *, actor: str | None = None, note: str | None = None
) -> tuple[int, int]:
    """Merge source ``name`` into ``into``; returns (merged id, surviving id)."""
    with case.write() as s:
        a = find_source(s, name)
        b = find_source(s, into)
        if a.id == b.id:
            raise UsageError(f"{name!r} and {into!r} are the same source ({a.id})")
        old = a.merged_into
        a.merged_into = b.id
        bump(a, None, f"source {a.id}")
        s.add(a)
        record_event(
            s,
            entity="source",
            entity_id=int(a.id or 0),
            action="merge",
            old={"merged_into": old},
            new={"merged_into": b.id},
            actor=actor,
            note=note,
        )
        assert a.id is not None and b.id is not None
        return a.id, b.id


def split_source(
    case: Case, name: str, alias: str, *, actor: str | None = None, note: str | None = None
) -> tuple[int, list[int]]:
    """Split alias ``alias`` off source ``name`` into a new source; returns (new id, moved claims).

    The claims whose written source (or resolved speaker) is that alias move to
    the new source, and the alias is pinned to it (origin ``analyst``) so that
    later articles writing it go there too.
    """
    from sqlmodel import col, or_, select

    from claimtrack.store.schema import ClaimRow, SourceAliasRow, SourceRow

    norm = normalise_alias(alias)
    if not norm:
        raise UsageError("empty alias")
    with case.write() as s:
        root = find_source(s, name)
        assert root.id is not None
        if normalise_alias(root.name_override or root.name) == norm:
            raise UsageError(
                f"{alias!r} is the name of source {root.id}; split off another alias, or "
                "rename it with `claimtrack source set --name`"
            )
        members = _members(s, root.id)
        alias_rows = s.exec(
            select(SourceAliasRow).where(
                col(SourceAliasRow.source_id).in_(members), col(SourceAliasRow.norm) == norm
            )
        ).all()
        claim_rows = [
            c
            for c in s.exec(
                select(ClaimRow).where(
                    col(ClaimRow.source_id).in_(members),
                    or_(col(ClaimRow.source_text).is_not(None), col(ClaimRow.speaker).is_not(None)),
                )
            ).all()
            if normalise_alias(c.source_text or "") == norm
            or normalise_alias(c.speaker or "") == norm
        ]
        if not alias_rows and not claim_rows:
            raise NotFoundError(f"source {root.id} ({root.name}) has no alias {alias!r}")
        new = SourceRow(
            key=f"split:{root.id}:{norm}",
            name=alias.strip(),
            kind=root.kind_override or root.kind,
            affiliation=root.affiliation_override or root.affiliation,
            created_at=utcnow(),
        )
        existing = s.exec(select(SourceRow).where(col(SourceRow.key) == new.key)).first()
        if existing is not None:
            new = existing
        s.add(new)
        s.flush()
        assert new.id is not None
        for a in alias_rows:
            s.delete(a)
        s.flush()
        s.add(SourceAliasRow(source_id=new.id, alias=alias.strip(), norm=norm, origin=ANALYST))
        moved = []
        for c in claim_rows:
            c.source_id = new.id
            s.add(c)
            assert c.id is not None
            moved.append(c.id)
        bump(root, None, f"source {root.id}")
        s.add(root)
        record_event(
            s,
            entity="source",
            entity_id=root.id,
            action="split",
            old={"alias": alias.strip(), "source": root.id, "claims": moved},
            new={"alias": alias.strip(), "source": new.id, "claims": moved},
            actor=actor,
            note=note,
        )
        return new.id, moved


def set_source(
    case: Case,
    name: str,
    *,
    kind: str | None = None,
    affiliation: str | None = None,
    prior: float | None = None,
    new_name: str | None = None,
    actor: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Set the analyst's kind / affiliation / prior / name of a source; returns its new view."""
    if kind is not None:
        try:
            kind = SourceKind(kind.strip().lower()).value
        except ValueError:
            kinds = ", ".join(k.value for k in SourceKind)
            raise UsageError(f"unknown kind {kind!r} (one of {kinds})") from None
    if prior is not None and not 0.0 <= prior <= 1.0:
        raise UsageError(f"prior {prior} is outside [0, 1]")
    if new_name is not None and not new_name.strip():
        raise UsageError("empty name")
    changes = {
        "kind_override": kind,
        "affiliation_override": affiliation.strip() if affiliation is not None else None,
        "prior_override": prior,
        "name_override": new_name.strip() if new_name is not None else None,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise UsageError("nothing to set: give --kind, --affiliation, --prior or --name")
    with case.write() as s:
        row = find_source(s, name)
        old = {k: getattr(row, k) for k in changes}
        for k, v in changes.items():
            setattr(row, k, v)
        bump(row, None, f"source {row.id}")
        s.add(row)
        record_event(
            s,
            entity="source",
            entity_id=int(row.id or 0),
            action="set",
            old=old,
            new=changes,
            actor=actor,
            note=note,
        )
        return _view(row)


def source_events(case: Case, source_id: int) -> Sequence[dict[str, Any]]:
    """The review events about one source, oldest first."""
    from sqlmodel import col, select

    from claimtrack.store.schema import ReviewEventRow

    with case.session() as s:
        return [
            {
                "id": e.id,
                "action": e.action,
                "old": e.old_value,
                "new": e.new_value,
                "actor": e.actor,
            }
            for e in s.exec(
                select(ReviewEventRow)
                .where(
                    col(ReviewEventRow.entity) == "source",
                    col(ReviewEventRow.entity_id) == str(source_id),
                )
                .order_by(col(ReviewEventRow.id))
            ).all()
        ]


__all__ = [
    "SourceDetail",
    "SourceEntry",
    "SourceFinder",
    "SourceResolver",
    "find_source",
    "merge_sources",
    "normalise_alias",
    "set_source",
    "source_match_key",
    "source_detail",
    "source_events",
    "split_source",
]
