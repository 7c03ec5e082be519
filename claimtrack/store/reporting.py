"""The read side of the report and the exports: a ``ReportData`` snapshot of the case.

``report_data(case, Selection(...))`` reads everything a report shows in a few
queries (no per-claim round trips), applying the analyst's decisions the same
way the review app does (claimtrack.store.queries):

- a claim's source is ``claim_review.source_id`` if set, else ``claim.source_id``,
  followed through ``source.merged_into``; a source's name, kind, affiliation
  and prior are the ``*_override`` columns when set;
- a pair's link is the analyst row if there is one, else the machine row;
  relation ``none`` (an analyst rejection) is kept in the data and never counted;
- claims the analyst rejected (status ``rejected``) are left out, and counted.

The selection (``--article``, ``--source``, ``--since``, ``--query``) picks
claims; the claims that corroborate, repeat or contradict a selected claim
(its whole proposition) come along as context (``ReportClaim.selected=False``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from claimtrack.errors import NotFoundError
from claimtrack.models import (
    ClaimScore,
    Contribution,
    Origin,
    QuoteType,
    Relation,
    ReviewStatus,
    SourceKind,
    SourceScore,
    Stance,
    Verdict,
)
from claimtrack.store.queries import merge_roots
from claimtrack.store.report_data import (
    ReportArticle,
    ReportClaim,
    ReportData,
    ReportLink,
    ReportSource,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from claimtrack.store.db import Case


@dataclass(frozen=True)
class Selection:
    """Which claims a report is about; empty = the whole case. Filters combine with AND."""

    articles: tuple[int, ...] = ()
    source: str | None = None  # a source name or alias, case-insensitive
    since: date | None = None  # articles published on or after (undated ones drop out)
    query: str | None = None  # text in the claim, case-insensitive

    @property
    def empty(self) -> bool:
        return not (self.articles or self.source or self.since or self.query)

    def describe(self) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        if self.articles:
            out.append(("article", ", ".join(str(a) for a in self.articles)))
        if self.source:
            out.append(("source", self.source))
        if self.since:
            out.append(("since", self.since.isoformat()))
        if self.query:
            out.append(("query", self.query))
        return tuple(out)


def _enum(kind: Any, value: Any, default: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return default


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _datetime(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back naive strings)."""
    if value is None:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _contributions(raw: str | None) -> tuple[Contribution, ...]:
    if not raw:
        return ()
    try:
        rows = json.loads(raw)
    except ValueError:
        return ()
    out = []
    for r in rows if isinstance(rows, list) else ():
        if isinstance(r, dict) and "label" in r and "weight" in r:
            group = r.get("group")
            # model_construct: the rows are checked here; skipping validation halves the read
            out.append(
                Contribution.model_construct(
                    label=str(r["label"]),
                    weight=float(r["weight"]),
                    group=None if group is None else str(group),
                )
            )
    return tuple(out)


def _json_list(raw: str | None) -> tuple[str, ...]:
    if not raw or raw == "[]":
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def scoring_overrides(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The scoring settings among a case's settings: ``scoring.KEY`` rows, a ``scoring``
    object, or bare keys naming a ScoringConfig field (``anonymity_shrink``)."""
    from claimtrack.scoring import ScoringConfig

    fields = set(ScoringConfig.model_fields)
    out: dict[str, Any] = {}
    for key in sorted(settings):
        value = settings[key]
        if key == "scoring" and isinstance(value, dict):
            out.update({str(k): v for k, v in value.items()})
        elif key.startswith("scoring."):
            out[key.removeprefix("scoring.")] = value
        elif key.split(".", 1)[0] in fields:
            out[key] = value
    return out


def _config(conn: Connection) -> tuple[dict[str, Any], dict[str, str], tuple[str, ...]]:
    """The scoring configuration in force (defaults + this case's overrides), the
    settings' meanings, and which settings the case changed."""
    from sqlalchemy import text

    from claimtrack.scoring import DEFAULT_CONFIG, MEANINGS, apply_overrides, config_dict

    settings: dict[str, Any] = {}
    for key, value in conn.execute(text("SELECT key, value FROM case_setting ORDER BY key")):
        try:
            settings[str(key)] = json.loads(value)
        except ValueError:
            settings[str(key)] = value
    overrides = scoring_overrides(settings)
    config = apply_overrides(DEFAULT_CONFIG, overrides) if overrides else DEFAULT_CONFIG
    return config_dict(config), dict(MEANINGS), tuple(sorted(overrides))


def _links(conn: Connection) -> list[ReportLink]:
    from sqlalchemy import text

    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    for r in conn.execute(
        text(
            "SELECT a_id, b_id, relation, confidence, reason, origin, origin_claim_id, note "
            "FROM link ORDER BY a_id, b_id, id"
        )
    ):
        a, b = int(r[0]), int(r[1])
        pairs.setdefault((min(a, b), max(a, b)), {})[str(r[5])] = r
    out = []
    for (a, b), by_origin in sorted(pairs.items()):
        r = by_origin.get("analyst") or by_origin.get("machine") or next(iter(by_origin.values()))
        out.append(
            ReportLink(
                a=a,
                b=b,
                relation=_enum(Relation, r[2], Relation.NONE),
                confidence=min(1.0, max(0.0, float(r[3] if r[3] is not None else 1.0))),
                reason=r[4] or "",
                origin=_enum(Origin, r[5], Origin.MACHINE),
                origin_claim=int(r[6]) if r[6] is not None else None,
                note=r[7],
            )
        )
    return out


_CLAIM_SQL = """
SELECT c.id, c.article_id, c.ordinal, c.content_text, c.content_start, c.content_end,
       c.cue_text, c.source_text, COALESCE(r.source_id, c.source_id), c.speaker, c.source_kind,
       c.cited_source_id, c.stance, c.hedged, c.hedges, c.quote, c.confidence,
       r.status, r.verdict, r.note, r.updated_at, r.updated_by,
       cs.probability, cs.credibility, cs.logodds, cs.low, cs.high, cs.explanation
FROM claim c
LEFT JOIN claim_review r ON r.claim_id = c.id
LEFT JOIN claim_score cs ON cs.claim_id = c.id
ORDER BY c.id
"""


def _verdict_events(conn: Connection) -> dict[int, tuple[Any, str | None, Any]]:
    """{claim id: (at, actor, verdict)} of the latest verdict event of each claim."""
    from sqlalchemy import text

    out: dict[int, tuple[Any, str | None, Any]] = {}
    for entity_id, at, actor, new in conn.execute(
        text(
            "SELECT entity_id, at, actor, new_value FROM review_event "
            "WHERE entity = 'claim' AND action = 'verdict' ORDER BY at, id"
        )
    ):
        try:
            out[int(entity_id)] = (at, actor, json.loads(new) if new else None)
        except ValueError:
            continue
    return out


def _when_decided(
    claims: list[ReportClaim], events: Mapping[int, tuple[Any, str | None, Any]]
) -> list[ReportClaim]:
    """A verdict is dated and signed by the event that set it (a later note does not move it);
    when the history does not explain the current verdict (an undo), the review row says."""
    out = []
    for c in claims:
        event = events.get(c.id)
        if c.verdict is not None and event is not None and event[2] == c.verdict.value:
            c = c.model_copy(
                update={
                    "reviewed_at": _datetime(event[0]),
                    "reviewed_by": event[1] or c.reviewed_by,
                }
            )
        out.append(c)
    return out


def _lookup(kind: Any) -> dict[Any, Any]:
    return {e.value: e for e in kind}


_KINDS = _lookup(SourceKind)
_STANCES = _lookup(Stance)
_QUOTES = _lookup(QuoteType)
_STATUSES = _lookup(ReviewStatus)
_VERDICTS = _lookup(Verdict)


def _claims(conn: Connection, roots: Mapping[int, int], explain: bool) -> list[ReportClaim]:
    """Every claim with its review and score, by id.

    Rows are built with ``model_construct`` (no validation): every value is
    converted to its field's type right here, and a 10k-claim case is read in
    a fraction of the time validation would take.
    """
    from sqlalchemy import text

    out = []
    construct_score = ClaimScore.model_construct
    construct_claim = ReportClaim.model_construct
    for r in conn.execute(text(_CLAIM_SQL)):
        sid = int(r[8]) if r[8] is not None else None
        sid = roots.get(sid, sid) if sid is not None else None
        cited = int(r[11]) if r[11] is not None else None
        cited = roots.get(cited, cited) if cited is not None else None
        score = None
        if r[22] is not None:
            score = construct_score(
                claim_id=int(r[0]),
                probability=float(r[22]),
                credibility=int(r[23]),
                logodds=float(r[24]),
                low=float(r[25]),
                high=float(r[26]),
                contributions=_contributions(r[27]) if explain else (),
            )
        reviewed = bool(r[18] or r[19])
        out.append(
            construct_claim(
                id=int(r[0]),
                article_id=int(r[1]),
                ordinal=int(r[2] or 0),
                content=str(r[3]),
                content_start=r[4],
                content_end=r[5],
                cue=r[6],
                source_text=r[7],
                source_id=sid,
                speaker=r[9],
                source_kind=_KINDS.get(r[10], SourceKind.UNKNOWN),
                cited_source_id=cited,
                stance=_STANCES.get(r[12], Stance.ASSERTS),
                hedged=bool(r[13]),
                hedges=_json_list(r[14]),
                quote=_QUOTES.get(r[15], QuoteType.INDIRECT),
                confidence=float(r[16]) if r[16] is not None else 1.0,
                score=score,
                status=_STATUSES.get(r[17], ReviewStatus.UNREVIEWED),
                verdict=_VERDICTS.get(r[18]),
                note=r[19] or None,
                reviewed_at=_datetime(r[20]) if reviewed else None,
                reviewed_by=r[21] if reviewed else None,
                selected=True,
            )
        )
    return out


def _sources(conn: Connection, ids: set[int], explain: bool) -> list[ReportSource]:
    from sqlalchemy import text

    aliases: dict[int, list[str]] = defaultdict(list)
    for sid, alias in conn.execute(
        text("SELECT source_id, alias FROM source_alias ORDER BY source_id, norm, id")
    ):
        if int(sid) in ids:
            aliases[int(sid)].append(alias)
    out = []
    for r in conn.execute(
        text(
            "SELECT s.id, COALESCE(s.name_override, s.name), COALESCE(s.kind_override, s.kind), "
            "s.key, COALESCE(s.affiliation_override, s.affiliation), s.role, "
            "COALESCE(s.prior_override, s.prior), "
            "CASE WHEN s.prior_override IS NULL THEN s.prior_reason "
            "ELSE 'set by the analyst' END, "
            "ss.reliability, ss.letter, ss.confirmed, ss.refuted, ss.explanation "
            "FROM source s LEFT JOIN source_score ss ON ss.source_id = s.id ORDER BY s.id"
        )
    ):
        sid = int(r[0])
        if sid not in ids:
            continue
        score = None
        if r[8] is not None and r[9]:
            score = SourceScore(
                source_id=sid,
                reliability=float(r[8]),
                letter=str(r[9]),
                confirmed=int(r[10] or 0),
                refuted=int(r[11] or 0),
                contributions=_contributions(r[12]) if explain else (),
            )
        out.append(
            ReportSource(
                id=sid,
                name=r[1],
                kind=_enum(SourceKind, r[2], SourceKind.UNKNOWN),
                key=r[3],
                affiliation=r[4],
                role=r[5],
                aliases=tuple(sorted(set(aliases.get(sid, ())), key=lambda a: (a.casefold(), a))),
                prior=float(r[6]) if r[6] is not None else None,
                prior_reason=r[7],
                score=score,
            )
        )
    return out


def _articles(conn: Connection, ids: set[int], with_text: bool) -> list[ReportArticle]:
    from sqlalchemy import text

    cols = "id, title, outlet, url, published, path, content_hash"
    if with_text:
        cols += ", text"
    out = []
    for r in conn.execute(text(f"SELECT {cols} FROM article ORDER BY id")):
        if int(r[0]) not in ids:
            continue
        out.append(
            ReportArticle(
                id=int(r[0]),
                title=r[1],
                outlet=r[2],
                url=r[3],
                published=_date(r[4]),
                path=r[5],
                content_hash=r[6] or "",
                text=r[7] if with_text else None,
            )
        )
    return out


def _source_matches(conn: Connection, name: str, roots: Mapping[int, int]) -> set[int]:
    """Ids of the (surviving) sources whose name or an alias matches ``name``."""
    from sqlalchemy import text

    from claimtrack.store.ingest import normalise_alias  # the form aliases are stored in

    want = normalise_alias(name)
    found: set[int] = set()
    for sid, sname, override in conn.execute(text("SELECT id, name, name_override FROM source")):
        if want in {normalise_alias(n or "") for n in (sname, override)}:
            found.add(int(sid))
    for sid, norm in conn.execute(text("SELECT source_id, norm FROM source_alias")):
        if norm == want or normalise_alias(norm or "") == want:
            found.add(int(sid))
    return {roots.get(s, s) for s in found}


def _select(
    conn: Connection,
    claims: Sequence[ReportClaim],
    published: Mapping[int, date | None],
    sel: Selection,
    roots: Mapping[int, int],
) -> set[int]:
    out = {c.id for c in claims}
    if sel.articles:
        wanted = set(sel.articles)
        out = {c.id for c in claims if c.id in out and c.article_id in wanted}
    if sel.source:
        ids = _source_matches(conn, sel.source, roots)
        if not ids:
            raise NotFoundError(f"no source named {sel.source!r} in this case")
        out = {
            c.id for c in claims if c.id in out and (c.source_id in ids or c.cited_source_id in ids)
        }
    if sel.since:
        since = sel.since
        out = {
            c.id
            for c in claims
            if c.id in out and (p := published.get(c.article_id)) is not None and p >= since
        }
    if sel.query:
        q = " ".join(sel.query.split()).casefold()
        out = {c.id for c in claims if c.id in out and q in " ".join(c.content.split()).casefold()}
    return out


def _context(selected: set[int], links: Iterable[ReportLink]) -> set[int]:
    """The selected claims, their whole propositions, and what contradicts them."""
    support: dict[int, set[int]] = defaultdict(set)
    contra: dict[int, set[int]] = defaultdict(set)
    for ln in links:
        if ln.relation in (Relation.CORROBORATES, Relation.REPEATS):
            support[ln.a].add(ln.b)
            support[ln.b].add(ln.a)
        elif ln.relation == Relation.CONTRADICTS:
            contra[ln.a].add(ln.b)
            contra[ln.b].add(ln.a)
    seen = set(selected)
    stack = list(selected)
    while stack:
        cid = stack.pop()
        for other in support.get(cid, ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    out = set(seen)
    for cid in seen:
        out.update(contra.get(cid, ()))
    return out


def unscored_claims(case: Case) -> int:
    """How many claims (not rejected by the analyst) have no stored score."""
    from claimtrack.store.scores import count_unscored

    with case.engine.connect() as conn:
        return count_unscored(conn)


def report_data(
    case: Case,
    selection: Selection = Selection(),
    *,
    title: str = "Credibility report",
    with_text: bool = False,
    with_explanations: bool = True,
    analyst: str | None = None,
) -> ReportData:
    """A snapshot of the case (or of the selected claims and their context) for the renderers.

    The articles' text is only read when asked for (the JSON export); the scores'
    explanation rows can be left out (``with_explanations=False``) when not shown.
    """
    with case.engine.connect() as conn:
        if selection.articles:
            from sqlalchemy import bindparam, text

            known = {
                int(r[0])
                for r in conn.execute(
                    text("SELECT id FROM article WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": list(selection.articles)},
                )
            }
            missing = sorted(set(selection.articles) - known)
            if missing:
                raise NotFoundError(f"no article #{missing[0]} in this case")
        config, meanings, overridden = _config(conn)
        roots = merge_roots(conn)
        all_claims = _when_decided(_claims(conn, roots, with_explanations), _verdict_events(conn))
        rejected = {c.id for c in all_claims if c.status == ReviewStatus.REJECTED}
        live = [c for c in all_claims if c.id not in rejected]
        links = [ln for ln in _links(conn) if ln.a not in rejected and ln.b not in rejected]
        from sqlalchemy import text as sql_text

        published = {
            int(r[0]): _date(r[1])
            for r in conn.execute(sql_text("SELECT id, published FROM article"))
        }
        if selection.empty:
            chosen = {c.id for c in live}
            keep = chosen
            n_rejected = len(rejected)
        else:
            chosen = _select(conn, live, published, selection, roots)
            keep = _context(chosen, links)
            n_rejected = len(
                _select(
                    conn,
                    [c for c in all_claims if c.id in rejected],
                    published,
                    selection,
                    roots,
                )
            )
        claims = [
            c if c.id in chosen else c.model_copy(update={"selected": False})
            for c in live
            if c.id in keep
        ]
        source_ids = {s for c in claims for s in (c.source_id, c.cited_source_id) if s is not None}
        data = ReportData(
            title=title,
            selection=selection.describe(),
            articles=tuple(_articles(conn, {c.article_id for c in claims}, with_text)),
            sources=tuple(_sources(conn, source_ids, with_explanations)),
            claims=tuple(claims),
            links=tuple(ln for ln in links if ln.a in keep and ln.b in keep),
            config=config,
            config_meanings=meanings,
            config_overrides=overridden,
            rejected_claims=n_rejected,
            analyst=analyst,
        )
    return data
