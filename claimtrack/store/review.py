"""Analyst decisions on claims and links, each one recorded as a review event.

Every function here changes one thing, bumps the row's ``version`` (optimistic
concurrency: pass the version you read as ``expected_version`` and a stale
decision raises ConflictError) and writes a ``review_event`` row holding the old
and the new value as JSON, so ``undo_last`` can put the old value back (and
records that as an ``undo`` event of its own).

Claim decisions live in ``claim_review`` (status, source override, verdict,
note); link decisions are ``link`` rows with ``origin = 'analyst'`` that win
over the machine row of the same pair (relation ``none`` = rejected).

The TUI and the CLI call these same functions; after a change they call
``rescore_after`` so scores follow the decision.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimtrack.errors import ConflictError, NotFoundError, UsageError
from claimtrack.models import Relation, ReviewStatus, Verdict
from claimtrack.store.db import utcnow
from claimtrack.store.schema import (
    ClaimReviewRow,
    ClaimRow,
    LinkRow,
    ReviewEventRow,
    SourceRow,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from claimtrack.store.db import Case

CLAIM_FIELDS = ("status", "source", "verdict", "note")
_UNDO_NOTE = re.compile(r"^undo of event (\d+)")


# --------------------------------------------------------------------------
# shared helpers: events and versions
# --------------------------------------------------------------------------


def default_actor() -> str | None:
    """Who is acting: ``$CLAIMTRACK_ACTOR``, else the login name, else None."""
    return os.environ.get("CLAIMTRACK_ACTOR") or os.environ.get("USER") or None


def record_event(
    s: Session,
    *,
    entity: str,
    entity_id: str | int,
    action: str,
    old: Any,
    new: Any,
    actor: str | None = None,
    note: str | None = None,
) -> ReviewEventRow:
    """Add one ``review_event`` row (old and new value as JSON) to the session."""
    event = ReviewEventRow(
        at=utcnow(),
        actor=actor if actor is not None else default_actor(),
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        old_value=json.dumps(old, sort_keys=True),
        new_value=json.dumps(new, sort_keys=True),
        note=note,
    )
    s.add(event)
    return event


def check_version(what: str, current: int, expected: int | None) -> None:
    """Raise ConflictError when ``expected`` (the version the caller read) is stale."""
    if expected is not None and expected != current:
        raise ConflictError(
            f"{what} was changed by someone else since you loaded it "
            f"(version {current}, you had {expected}); reload and try again"
        )


def bump(row: Any, expected: int | None, what: str) -> None:
    """Check ``row.version`` against ``expected`` and increment it."""
    check_version(what, int(row.version), expected)
    row.version = int(row.version) + 1


@contextmanager
def keep_refused(
    case: Case, entity: str, entity_id: str | int, action: str, value: Any, actor: str | None
) -> Iterator[None]:
    """Record a decision refused as stale as a ``conflict`` event, then re-raise.

    Two reviewers deciding on the same record never silently overwrite each
    other: the second, stale decision raises ConflictError, and its attempt is
    kept in ``review_event`` (action ``conflict``, new value = what was tried),
    so the history holds both. Conflict events are not undoable.
    """
    try:
        yield
    except ConflictError as exc:
        with case.write() as s:
            record_event(
                s,
                entity=entity,
                entity_id=entity_id,
                action="conflict",
                old=None,
                new={"action": action, "value": value},
                actor=actor,
                note=f"refused: {exc.message}",
            )
        raise


# --------------------------------------------------------------------------
# claim decisions (claim_review)
# --------------------------------------------------------------------------


def _claim(s: Session, claim_id: int) -> ClaimRow:
    row = s.get(ClaimRow, claim_id)
    if row is None:
        raise NotFoundError(f"no claim {claim_id} in this case")
    return row


def _get_field(review: ClaimReviewRow | None, field: str) -> Any:
    if review is None:
        return "unreviewed" if field == "status" else None
    return getattr(review, "source_id" if field == "source" else field)


def _set_claim_field(
    s: Session,
    claim_id: int,
    field: str,
    value: Any,
    *,
    expected_version: int | None,
    actor: str | None,
    action: str | None = None,
    note: str | None = None,
) -> ClaimReviewRow:
    _claim(s, claim_id)
    review = s.get(ClaimReviewRow, claim_id)
    what = f"claim {claim_id}"
    check_version(what, review.version if review is not None else 0, expected_version)
    old = _get_field(review, field)
    if review is None:
        review = ClaimReviewRow(claim_id=claim_id, updated_at=utcnow(), version=0)
    if old == value and review.version > 0:
        return review
    setattr(review, "source_id" if field == "source" else field, value)
    review.version = int(review.version) + 1
    review.updated_at = utcnow()
    review.updated_by = actor if actor is not None else default_actor()
    s.add(review)
    record_event(
        s,
        entity="claim",
        entity_id=claim_id,
        action=action or field,
        old=old,
        new=value,
        actor=actor,
        note=note,
    )
    s.flush()
    return review


def set_status(
    case: Case,
    claim_id: int,
    status: ReviewStatus | str,
    *,
    expected_version: int | None = None,
    actor: str | None = None,
) -> ClaimReviewRow:
    """Accept or reject an extraction (or put it back to unreviewed)."""
    value = _enum(ReviewStatus, status, "review status")
    with keep_refused(case, "claim", claim_id, "status", value, actor), case.write() as s:
        return _set_claim_field(
            s, claim_id, "status", value, expected_version=expected_version, actor=actor
        )


def accept_claim(
    case: Case, claim_id: int, *, expected_version: int | None = None, actor: str | None = None
) -> ClaimReviewRow:
    return set_status(
        case, claim_id, ReviewStatus.ACCEPTED, expected_version=expected_version, actor=actor
    )


def reject_claim(
    case: Case, claim_id: int, *, expected_version: int | None = None, actor: str | None = None
) -> ClaimReviewRow:
    return set_status(
        case, claim_id, ReviewStatus.REJECTED, expected_version=expected_version, actor=actor
    )


def set_claim_source(
    case: Case,
    claim_id: int,
    source_id: int | None,
    *,
    expected_version: int | None = None,
    actor: str | None = None,
) -> ClaimReviewRow:
    """Attribute the claim to another source (None: back to the machine's source)."""
    with keep_refused(case, "claim", claim_id, "source", source_id, actor), case.write() as s:
        if source_id is not None and s.get(SourceRow, source_id) is None:
            raise NotFoundError(f"no source {source_id} in this case")
        return _set_claim_field(
            s, claim_id, "source", source_id, expected_version=expected_version, actor=actor
        )


def set_verdict(
    case: Case,
    claim_id: int,
    verdict: Verdict | str | None,
    *,
    expected_version: int | None = None,
    actor: str | None = None,
) -> ClaimReviewRow:
    """The analyst's verdict on a claim: true, false, unverified, or None to clear it."""
    value = None if verdict is None else _enum(Verdict, verdict, "verdict")
    with keep_refused(case, "claim", claim_id, "verdict", value, actor), case.write() as s:
        return _set_claim_field(
            s, claim_id, "verdict", value, expected_version=expected_version, actor=actor
        )


def set_note(
    case: Case,
    claim_id: int,
    note: str | None,
    *,
    expected_version: int | None = None,
    actor: str | None = None,
) -> ClaimReviewRow:
    """Replace the analyst's note on a claim (empty clears it)."""
    value = (note or "").strip() or None
    with keep_refused(case, "claim", claim_id, "note", value, actor), case.write() as s:
        return _set_claim_field(
            s, claim_id, "note", value, expected_version=expected_version, actor=actor
        )


def _enum(kind: Any, value: Any, label: str) -> str:
    try:
        return str(kind(value).value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise UsageError(f"bad {label} {value!r} (use one of: {allowed})") from None


# --------------------------------------------------------------------------
# link decisions (analyst link rows)
# --------------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise UsageError(f"a claim cannot be linked to itself (claim {a})")
    return (a, b) if a < b else (b, a)


def _analyst_link(s: Session, a: int, b: int) -> LinkRow | None:
    from sqlmodel import select

    return s.exec(
        select(LinkRow).where(LinkRow.a_id == a, LinkRow.b_id == b, LinkRow.origin == "analyst")
    ).first()


def _link_state(row: LinkRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"relation": row.relation, "origin_claim": row.origin_claim_id, "note": row.note}


def _apply_link_state(
    s: Session, a: int, b: int, state: dict[str, Any] | None, row: LinkRow | None
) -> LinkRow | None:
    if state is None:
        if row is not None:
            s.delete(row)
        return None
    if row is None:
        row = LinkRow(
            a_id=a,
            b_id=b,
            relation=state["relation"],
            confidence=1.0,
            reason="analyst decision",
            origin="analyst",
            created_at=utcnow(),
            version=0,
        )
    row.relation = state["relation"]
    row.origin_claim_id = state.get("origin_claim")
    row.note = state.get("note")
    row.version = int(row.version) + 1
    s.add(row)
    return row


def decide_link(
    case: Case,
    a: int,
    b: int,
    relation: Relation | str,
    *,
    origin_claim: int | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    actor: str | None = None,
) -> LinkRow:
    """Record the analyst's relation for the pair (a, b); ``none`` rejects the link.

    ``expected_version`` is the version of the analyst row the caller saw (0 when
    it saw none, i.e. it was looking at the machine's link).
    """
    value = _enum(Relation, relation, "relation")
    a, b = _pair(a, b)
    attempt = {"relation": value, "origin_claim": origin_claim, "note": note}
    with keep_refused(case, "link", f"{a}-{b}", "link", attempt, actor), case.write() as s:
        _claim(s, a)
        _claim(s, b)
        if origin_claim is not None and origin_claim not in (a, b):
            raise UsageError(f"the original report must be claim {a} or {b}")
        row = _analyst_link(s, a, b)
        check_version(f"the link {a}-{b}", row.version if row is not None else 0, expected_version)
        old = _link_state(row)
        if value == Relation.REPEATS.value and origin_claim is None and row is None:
            origin_claim = _machine_origin(s, a, b)
        new = {"relation": value, "origin_claim": origin_claim, "note": note}
        if old == new and row is not None:
            return row
        row = _apply_link_state(s, a, b, new, row)
        assert row is not None
        record_event(
            s, entity="link", entity_id=f"{a}-{b}", action="link", old=old, new=new, actor=actor
        )
        s.flush()
        return row


def _machine_origin(s: Session, a: int, b: int) -> int | None:
    from sqlmodel import select

    machine = s.exec(
        select(LinkRow).where(LinkRow.a_id == a, LinkRow.b_id == b, LinkRow.origin == "machine")
    ).first()
    return machine.origin_claim_id if machine is not None else None


def _link_by_id(case: Case, link_id: int) -> LinkRow:
    with case.session() as s:
        row = s.get(LinkRow, link_id)
        if row is None:
            raise NotFoundError(f"no link {link_id} in this case")
        return row


def _expected_for(case: Case, row: LinkRow) -> int:
    """The analyst version a caller looking at ``row`` saw (0 for a machine row)."""
    return int(row.version) if row.origin == "analyst" else 0


def confirm_link(case: Case, link_id: int, *, actor: str | None = None) -> LinkRow:
    """Confirm the link as the machine (or a previous decision) typed it."""
    row = _link_by_id(case, link_id)
    return decide_link(
        case,
        row.a_id,
        row.b_id,
        row.relation,
        origin_claim=row.origin_claim_id,
        note=row.note,
        expected_version=_expected_for(case, row),
        actor=actor,
    )


def reject_link(case: Case, link_id: int, *, actor: str | None = None) -> LinkRow:
    """Reject the link: an analyst row with relation ``none`` hides it from scoring."""
    row = _link_by_id(case, link_id)
    return decide_link(
        case,
        row.a_id,
        row.b_id,
        Relation.NONE,
        expected_version=_expected_for(case, row),
        actor=actor,
    )


def retype_link(
    case: Case, link_id: int, relation: Relation | str, *, actor: str | None = None
) -> LinkRow:
    """Give the link another relation (repeats / corroborates / contradicts / none)."""
    row = _link_by_id(case, link_id)
    origin = row.origin_claim_id if str(relation) == Relation.REPEATS.value else None
    return decide_link(
        case,
        row.a_id,
        row.b_id,
        relation,
        origin_claim=origin,
        expected_version=_expected_for(case, row),
        actor=actor,
    )


def add_link(
    case: Case, a: int, b: int, relation: Relation | str, *, actor: str | None = None
) -> LinkRow:
    """Link two claims the machine did not link (or override its relation)."""
    return decide_link(case, a, b, relation, actor=actor)


# --------------------------------------------------------------------------
# undo
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Undone:
    """What ``undo_last`` reverted."""

    event_id: int
    undo_event_id: int
    entity: str
    entity_id: str
    action: str
    restored: Any

    def describe(self) -> str:
        what = f"{self.entity} {self.entity_id}"
        return f"undid {self.action} on {what} (event {self.event_id})"


def last_undoable(s: Session) -> ReviewEventRow | None:
    """The most recent event that is not an undo and has not been undone."""
    from sqlmodel import col, select

    undone: set[int] = set()
    last_id: int | None = None
    while True:
        stmt = select(ReviewEventRow).order_by(col(ReviewEventRow.id).desc()).limit(500)
        if last_id is not None:
            stmt = stmt.where(col(ReviewEventRow.id) < last_id)
        batch = list(s.exec(stmt))
        if not batch:
            return None
        for event in batch:
            assert event.id is not None
            last_id = event.id
            if event.action == "conflict":  # a refused attempt changed nothing
                continue
            if event.action == "undo":
                match = _UNDO_NOTE.match(event.note or "")
                if match:
                    undone.add(int(match.group(1)))
                continue
            if event.id not in undone:
                return event


def undo_last(case: Case, *, actor: str | None = None) -> Undone:
    """Re-apply the old value of the most recent decision and record an ``undo`` event.

    Raises NotFoundError when there is nothing to undo and ConflictError when the
    value was changed again since (by a later event of another kind) or the last
    action is not one this module can revert.
    """
    with case.write() as s:
        event = last_undoable(s)
        if event is None:
            raise NotFoundError("nothing to undo")
        assert event.id is not None
        old = json.loads(event.old_value) if event.old_value is not None else None
        new = json.loads(event.new_value) if event.new_value is not None else None
        if event.entity == "claim" and event.action in CLAIM_FIELDS:
            claim_id = int(event.entity_id)
            _claim(s, claim_id)
            current = _get_field(s.get(ClaimReviewRow, claim_id), event.action)
            if current != new:
                raise ConflictError(
                    f"cannot undo: the {event.action} of claim {claim_id} changed since "
                    f"(now {current!r})"
                )
            _set_claim_field(
                s,
                claim_id,
                event.action,
                old,
                expected_version=None,
                actor=actor,
                action="undo",
                note=f"undo of event {event.id} ({event.action})",
            )
        elif event.entity == "link" and event.action == "link":
            a, b = (int(x) for x in event.entity_id.split("-"))
            row = _analyst_link(s, a, b)
            if _link_state(row) != new:
                raise ConflictError(f"cannot undo: the link {a}-{b} changed since")
            _apply_link_state(s, a, b, old, row)
            record_event(
                s,
                entity="link",
                entity_id=event.entity_id,
                action="undo",
                old=new,
                new=old,
                actor=actor,
                note=f"undo of event {event.id} (link)",
            )
        else:
            raise ConflictError(
                f"the last action ({event.action} on {event.entity} {event.entity_id}, "
                f"event {event.id}) cannot be undone from here"
            )
        s.flush()
        undo_id = _last_event_id(s)
        return Undone(
            event_id=event.id,
            undo_event_id=undo_id,
            entity=event.entity,
            entity_id=event.entity_id,
            action=event.action,
            restored=old,
        )


def _last_event_id(s: Session) -> int:
    from sqlmodel import col, func, select

    value = s.exec(select(func.max(col(ReviewEventRow.id)))).one()
    return int(value or 0)


def events_for(case: Case, entity: str, entity_id: str | int) -> list[ReviewEventRow]:
    """The history of one claim / link / source, oldest first."""
    from sqlmodel import col, select

    with case.session() as s:
        return list(
            s.exec(
                select(ReviewEventRow)
                .where(ReviewEventRow.entity == entity, ReviewEventRow.entity_id == str(entity_id))
                .order_by(col(ReviewEventRow.id))
            )
        )


def affected_claims(entity: str, entity_id: str) -> list[int]:
    """The claims whose scores an event on (entity, entity_id) can move."""
    if entity == "claim":
        return [int(entity_id)]
    if entity == "link":
        return [int(x) for x in entity_id.split("-")]
    return []


# --------------------------------------------------------------------------
# rescoring
# --------------------------------------------------------------------------


def rescore_after(case: Case, claim_ids: Iterable[int] = ()) -> bool:
    """Run after every decision so scores follow it (claimtrack.store.scores).

    With ``claim_ids`` (the claims a decision touched) only their connected
    component is rescored (the scoring store widens that to the whole case when
    a verdict is involved); without, the whole case. Returns True when scores
    were written.
    """
    from claimtrack.store import scores

    ids = sorted(set(claim_ids))
    with case.write() as s:
        if ids:
            scores.rescore_claims(s, ids)
        else:
            scores.rescore_session(s)
    return True
