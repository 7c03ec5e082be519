"""Case sources: find-or-create from resolved speakers, and the analyst's control.

Machine side: ``SourceFinder(session, article_id).get(speaker)`` is the source
row a resolved speaker belongs to, in this order:

1. an alias the analyst pinned by a split (``source_alias.origin = 'analyst'``)
   whose normalised form is the speaker's name or one of its aliases;
2. the row with the speaker's key, article-local keys (anonymous, document,
   bare surname) salted with the article id (``claimtrack.sources.scoped_key``);
3. an existing source the cross-article matcher says is the same person or body
   (``claimtrack.sources.match_entity``: same surname and compatible first name,
   the same outlet by alias...), candidates fetched by surname or alias;
4. a new row, with the outlet table's prior and its reason.

Analyst side (each a ``review_event`` of entity ``source``, and a version bump):
``merge_sources`` (``merged_into``), ``split_source`` (a new source, the alias
pinned to it with origin ``analyst``, the claims written that way moved),
``set_source`` (``*_override`` columns). The machine never writes the override
columns, never clears ``merged_into`` and honours pinned aliases, so these
decisions survive re-ingesting and re-resolving.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    scoped_key,
)
from claimtrack.sources.identity import parse_person
from claimtrack.store.db import Case, utcnow
from claimtrack.store.review import bump, record_event

if TYPE_CHECKING:
    from sqlmodel import Session

    from claimtrack.store.schema import SourceRow

ANALYST = "analyst"


def normalise_alias(alias: str) -> str:
    """The matching form of a name (as the ingest pipeline stores it in source_alias.norm)."""
    text = re.sub(r"\s+", " ", alias).strip().strip(".,;:'\"\u201c\u201d\u2018\u2019()").strip()
    return text.casefold()


# --------------------------------------------------------------------------
# machine: speaker -> source row
# --------------------------------------------------------------------------


def _reason(entry: EntityEntry) -> str:
    return entry.prior_reason + (f" ({entry.prior_origin})" if entry.prior_origin else "")


class SourceFinder:
    """Find-or-create the source rows of one article's speakers, in one transaction."""

    def __init__(self, session: Session, article_id: int, table: EntityTable | None = None):
        self.s = session
        self.article_id = article_id
        self.table = table or default_table()
        self.by_key: dict[str, SourceRow] = {}

    def get(self, speaker: Speaker) -> SourceRow:
        key = scoped_key(speaker.key, self.article_id)
        row = self.by_key.get(key)
        if row is None:
            row = (
                self._pinned(speaker)
                or self._by_key(key)
                or self._matched(speaker)
                or self._create(speaker, key)
            )
            self._fill(row, speaker)
            self.by_key[key] = row
        self._add_aliases(row, speaker)
        return row

    def _pinned(self, speaker: Speaker) -> SourceRow | None:
        from sqlmodel import col, select

        from claimtrack.store.schema import SourceAliasRow, SourceRow

        norms = {normalise_alias(a) for a in (speaker.name, *speaker.aliases)} - {""}
        if not norms:
            return None
        hit = self.s.exec(
            select(SourceRow)
            .join(SourceAliasRow, col(SourceAliasRow.source_id) == col(SourceRow.id))
            .where(col(SourceAliasRow.origin) == ANALYST, col(SourceAliasRow.norm).in_(norms))
            .order_by(col(SourceAliasRow.id).desc())
        ).first()
        return hit

    def _by_key(self, key: str) -> SourceRow | None:
        from sqlmodel import col, select

        from claimtrack.store.schema import SourceRow

        return self.s.exec(select(SourceRow).where(col(SourceRow.key) == key)).first()

    def _matched(self, speaker: Speaker) -> SourceRow | None:
        if is_article_local(speaker.key):
            return None
        from sqlmodel import col, or_, select

        from claimtrack.store.schema import SourceAliasRow, SourceRow

        if speaker.kind is SourceKind.PERSON:
            p = parse_person(speaker.name)
            if p is None or p.first is None:
                return None
            last = speaker.name.split()[-1].casefold().replace("%", "").replace("_", "")
            cands = self.s.exec(
                select(SourceRow).where(
                    col(SourceRow.kind) == SourceKind.PERSON.value,
                    col(SourceRow.key).like("person:%"),
                    or_(
                        col(SourceRow.name).ilike(f"%{last}"),
                        col(SourceRow.key).like(f"%{p.surname[:4]}%"),
                    ),
                )
            ).all()
        else:
            norms = {normalise_alias(a) for a in (speaker.name, *speaker.aliases)} - {""}
            cands = self.s.exec(
                select(SourceRow)
                .join(SourceAliasRow, col(SourceAliasRow.source_id) == col(SourceRow.id))
                .where(col(SourceAliasRow.norm).in_(norms))
            ).all()
        known = [
            KnownEntity(r.key, r.name, SourceKind(r.kind), ()) for r in cands if r.id is not None
        ]
        i = match_entity(speaker, known, table=self.table)
        return cands[i] if i is not None else None

    def _create(self, speaker: Speaker, key: str) -> SourceRow:
        from claimtrack.store.schema import SourceRow

        entry = self.table.by_key.get(speaker.key)
        reason = _reason(entry) if entry is not None and entry.prior is not None else None
        row = SourceRow(
            key=key,
            name=speaker.name,
            kind=speaker.kind.value,
            affiliation=speaker.affiliation,
            role=speaker.role,
            prior=entry.prior if entry is not None else None,
            prior_reason=reason,
            created_at=utcnow(),
        )
        self.s.add(row)
        self.s.flush()
        return row

    def _fill(self, row: SourceRow, speaker: Speaker) -> None:
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
        if changed:
            self.s.add(row)

    def _add_aliases(self, row: SourceRow, speaker: Speaker) -> None:
        from sqlmodel import col, select

        from claimtrack.store.schema import SourceAliasRow

        assert row.id is not None
        for alias in (speaker.name, *speaker.aliases):
            norm = normalise_alias(alias)
            if not norm:
                continue
            exists = self.s.exec(
                select(SourceAliasRow).where(
                    col(SourceAliasRow.source_id) == row.id, col(SourceAliasRow.norm) == norm
                )
            ).first()
            if exists is None:
                self.s.add(SourceAliasRow(source_id=row.id, alias=alias.strip(), norm=norm))
                self.s.flush()


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
    "SourceFinder",
    "find_source",
    "merge_sources",
    "normalise_alias",
    "set_source",
    "source_detail",
    "source_events",
    "split_source",
]
