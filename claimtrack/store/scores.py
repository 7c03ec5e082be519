"""Scores in the case: load what scoring needs, compute (claimtrack.scoring), persist.

- ``rescore(case)``: the whole case, in one write transaction (``claimtrack score``;
  also what ``review.rescore_after`` calls after every analyst decision);
- ``rescore_claims(session, claim_ids)``: for the ingest pipeline (at the end of
  a batch) and after review decisions: only the claims whose evidence reads the
  changed claims (``scoring.affected_claims``), loading only what their scores
  read when the case has no verdicts (bounded regions, in chunks);
- ``load_config`` / ``set_config``: the case's overrides of the scoring
  configuration, kept in ``case_setting`` under the key ``scoring``.

What scoring sees is the case with the analyst's decisions applied: the claim's
source as the analyst set it (and followed through merges), the source's
``*_override`` columns, the claim's verdict, analyst links over machine links.
Claims the analyst rejected are neither scored nor used as evidence.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from claimtrack.errors import DatabaseError, NotFoundError, UsageError
from claimtrack.models import (
    CaseClaim,
    ClaimScore,
    Contribution,
    Link,
    Origin,
    QuoteType,
    Relation,
    ReviewStatus,
    SourceKind,
    SourceRecord,
    SourceScore,
    Stance,
    Verdict,
)
from claimtrack.scoring import (
    DEFAULT_CONFIG,
    ScoringConfig,
    affected_claims,
    apply_overrides,
    build_graph,
    score_claims,
    score_sources,
)
from claimtrack.scoring.graph import norm_name, origin_key, resolve_links
from claimtrack.scoring.sources import credited_source, outlet_ids
from claimtrack.store.db import Case, insert_rows, rows_for_ids, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

SETTING_KEY = "scoring"


# --------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------


def _overrides(conn: Connection) -> dict[str, Any]:
    from sqlalchemy import text

    row = conn.execute(
        text("SELECT value FROM case_setting WHERE key = :k"), {"k": SETTING_KEY}
    ).first()
    if row is None:
        return {}
    try:
        data = json.loads(row[0] or "{}")
    except ValueError:
        raise DatabaseError("case_setting 'scoring' is not JSON") from None
    if not isinstance(data, dict):
        raise DatabaseError("case_setting 'scoring' is not a JSON object")
    return data


def case_overrides(case: Case) -> dict[str, Any]:
    """The case's overrides of the scoring configuration (key -> value)."""
    with case.session() as s:
        return _overrides(s.connection())


def load_config(conn: Connection) -> ScoringConfig:
    """The configuration in force: the defaults with the case's overrides applied."""
    return apply_overrides(DEFAULT_CONFIG, _overrides(conn))


def case_config(case: Case) -> ScoringConfig:
    with case.session() as s:
        return load_config(s.connection())


def set_config(
    case: Case,
    values: Mapping[str, Any],
    *,
    unset: Iterable[str] = (),
    actor: str | None = None,
) -> ScoringConfig:
    """Override settings for this case (validated first: a bad key or value is a
    UsageError naming it and nothing is stored); ``unset`` drops overrides.
    Records a review event and returns the configuration now in force."""
    from sqlmodel import select

    from claimtrack.store.review import default_actor, record_event
    from claimtrack.store.schema import CaseSettingRow

    with case.write() as s:
        old = _overrides(s.connection())
        new = dict(old)
        for key in unset:
            if key not in new:
                raise UsageError(f"scoring setting {key!r} is not overridden in this case")
            del new[key]
        for key, value in values.items():
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            new[key] = value
        config = apply_overrides(DEFAULT_CONFIG, new)  # raises UsageError on a bad one
        row = s.exec(select(CaseSettingRow).where(CaseSettingRow.key == SETTING_KEY)).first()
        if row is None:
            row = CaseSettingRow(key=SETTING_KEY, value="{}", updated_at=utcnow())
        row.value = json.dumps(dict(sorted(new.items())), sort_keys=True)
        row.updated_at = utcnow()
        s.add(row)
        record_event(
            s,
            entity="config",
            entity_id=SETTING_KEY,
            action="set",
            old=old,
            new=new,
            actor=actor or default_actor(),
        )
    return config


# --------------------------------------------------------------------------
# loading the case as scoring sees it
# --------------------------------------------------------------------------

_SOURCES_SQL = (
    "SELECT id, COALESCE(name_override, name), COALESCE(kind_override, kind), "
    "COALESCE(affiliation_override, affiliation), "
    "COALESCE(prior_override, prior), "
    "CASE WHEN prior_override IS NOT NULL THEN 'set by the analyst' ELSE prior_reason END, "
    "merged_into FROM source ORDER BY id"
)

_CLAIMS_SQL = (
    "SELECT c.id, c.article_id, c.content_text, c.cue_text, c.source_text, c.stance, "
    "c.hedged, c.hedges, c.quote, c.speaker, c.source_kind, "
    "COALESCE(r.source_id, c.source_id), cs.name, cs.name_override, a.outlet, a.published, "
    "r.verdict, r.status "
    "FROM claim c JOIN article a ON a.id = c.article_id "
    "LEFT JOIN claim_review r ON r.claim_id = c.id "
    "LEFT JOIN source cs ON cs.id = c.cited_source_id"
)

_LINKS_SQL = "SELECT a_id, b_id, relation, confidence, reason, origin, origin_claim_id FROM link"


@dataclass(frozen=True)
class CaseData:
    sources: list[SourceRecord]
    claims: list[CaseClaim]
    links: list[Link]


def _kind(value: str | None) -> SourceKind:
    try:
        return SourceKind(value or "unknown")
    except ValueError:
        return SourceKind.UNKNOWN


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _json_words(value: str | None) -> tuple[str, ...]:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return ()
    return tuple(str(x) for x in data) if isinstance(data, list) else ()


def _load_sources(conn: Connection) -> tuple[list[SourceRecord], dict[int, int]]:
    """Live sources, and merged source id -> surviving source id."""
    from sqlalchemy import text

    rows = conn.execute(text(_SOURCES_SQL)).all()
    parent = {int(r[0]): int(r[6]) for r in rows if r[6] is not None}
    roots: dict[int, int] = {}
    for sid in parent:
        seen = {sid}
        root = parent[sid]
        while root in parent and root not in seen:
            seen.add(root)
            root = parent[root]
        roots[sid] = root
    out = []
    for r in rows:
        if r[6] is not None:
            continue
        prior = None if r[4] is None else min(max(float(r[4]), 0.0), 1.0)
        out.append(
            SourceRecord(
                id=int(r[0]),
                name=str(r[1]),
                kind=_kind(r[2]),
                affiliation=r[3],
                prior=prior,
                prior_reason=r[5],
            )
        )
    return out, roots


_CLAIM_FIELDS = set(
    CaseClaim.model_fields
)  # every field given; shared (frozen models: never added to)
_LINK_FIELDS = set(Link.model_fields)


def _load_claims(
    conn: Connection,
    sources: Mapping[int, SourceRecord],
    roots: Mapping[int, int],
    ids: Iterable[int] | None = None,
) -> list[CaseClaim]:
    from sqlalchemy import text

    if ids is None:
        result: Iterable[Any] = conn.execute(text(_CLAIMS_SQL + " ORDER BY c.id"))
    else:
        result = rows_for_ids(conn, _CLAIMS_SQL + " WHERE c.id IN :ids ORDER BY c.id", ids)
    out = []
    for r in result:
        if r[17] == ReviewStatus.REJECTED.value:
            continue
        sid = None if r[11] is None else int(r[11])
        if sid is not None:
            sid = roots.get(sid, sid)
        rec = sources.get(sid) if sid is not None else None
        try:
            verdict = Verdict(r[16]) if r[16] else None
        except ValueError:
            verdict = None
        try:
            stance = Stance(r[5] or "asserts")
        except ValueError:
            stance = Stance.ASSERTS
        try:
            quote = QuoteType(r[8] or "indirect")
        except ValueError:
            quote = QuoteType.INDIRECT
        out.append(
            # values already of the fields' types: no validation pass, and one
            # shared fields-set (a set of 18 names per claim is ~0.7 KB on a
            # component of 100k+ claims)
            CaseClaim.model_construct(
                _CLAIM_FIELDS,
                id=int(r[0]),
                article_id=int(r[1]),
                content=r[2] or "",
                cue=r[3],
                source_text=r[4],
                stance=stance,
                hedged=bool(r[6]),
                hedges=_json_words(r[7]),
                quote=quote,
                source_id=sid if rec is not None else None,
                speaker=rec.name if rec is not None else r[9],
                source_kind=rec.kind if rec is not None else _kind(r[10]),
                affiliation=rec.affiliation if rec is not None else None,
                cited=r[13] or r[12],
                outlet=r[14],
                published=_date(r[15]),
                verdict=verdict,
                status=ReviewStatus(r[17])
                if r[17] in ReviewStatus._value2member_map_
                else ReviewStatus.UNREVIEWED,
            )
        )
    return out


def _link(r: Any) -> Link | None:
    try:
        # every field converted and checked here (confidence clamped to [0, 1]):
        # no validation pass, one shared fields-set
        return Link.model_construct(
            _LINK_FIELDS,
            a=int(r[0]),
            b=int(r[1]),
            relation=Relation(r[2]),
            confidence=min(max(float(r[3] if r[3] is not None else 1.0), 0.0), 1.0),
            reason=r[4] or "",
            origin=Origin(r[5] or "machine"),
            origin_claim=None if r[6] is None else int(r[6]),
        )
    except ValueError:
        return None


def _load_links(conn: Connection, ids: Iterable[int] | None = None) -> list[Link]:
    from sqlalchemy import bindparam, text

    if ids is None:
        rows = conn.execute(text(_LINKS_SQL + " ORDER BY id")).all()
    else:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        # a_id IN :ids AND b_id IN :ids made SQLite probe the (a_id, b_id) unique
        # index once per pair of ids: quadratic in the component's size. Select by
        # a_id (one probe per id), keep the links whose other end is wanted too.
        stmt = text(_LINKS_SQL + " WHERE a_id IN :ids ORDER BY id").bindparams(
            bindparam("ids", expanding=True)
        )
        keep = set(wanted)
        rows = [r for r in conn.execute(stmt, {"ids": wanted}) if int(r[1]) in keep]
    return [lk for lk in (_link(r) for r in rows) if lk is not None]


def load_case(conn: Connection) -> CaseData:
    """Every live source, every claim not rejected, every link (analyst decisions applied)."""
    sources, roots = _load_sources(conn)
    by_id = {s.id: s for s in sources}
    return CaseData(sources, _load_claims(conn, by_id, roots), _load_links(conn))


def _component(conn: Connection, seeds: Iterable[int]) -> set[int]:
    """The claims connected to ``seeds`` through stored links (any relation)."""
    sql = "SELECT a_id, b_id FROM link WHERE relation <> 'none' AND (a_id IN :ids OR b_id IN :ids)"
    seen = set(seeds)
    frontier = set(seen)
    while frontier:
        nxt: set[int] = set()
        for a, b in rows_for_ids(conn, sql, frontier):
            for x in (int(a), int(b)):
                if x not in seen:
                    seen.add(x)
                    nxt.add(x)
        frontier = nxt
    return seen


# --------------------------------------------------------------------------
# persisting
# --------------------------------------------------------------------------


def _explanation(rows: Sequence[Contribution]) -> str:
    return json.dumps(
        [{"label": r.label, "weight": r.weight, "group": r.group} for r in rows],
        ensure_ascii=False,
    )


def _replace_rows(
    session: Session,
    table: Any,
    key: str,
    replace: Iterable[int] | None,
    rows: list[dict[str, Any]],
) -> None:
    """Delete the rows keyed by ``replace`` (every row when None), then insert ``rows``."""
    from sqlalchemy import bindparam, delete

    if replace is None:
        session.execute(delete(table))
    else:
        wanted = sorted(set(replace))
        column = table.c[key]
        for i in range(0, len(wanted), 500):
            session.execute(
                delete(table).where(column.in_(bindparam("ids", expanding=True))),
                {"ids": wanted[i : i + 500]},
            )
    insert_rows(session.connection(), table, rows)


def _write_claim_scores(
    session: Session, scores: Mapping[int, ClaimScore], replace: Iterable[int] | None
) -> None:
    from claimtrack.store.schema import ClaimScoreRow

    now = utcnow()
    rows = [
        {
            "claim_id": cid,
            "probability": s.probability,
            "credibility": s.credibility,
            "logodds": s.logodds,
            "low": s.low,
            "high": s.high,
            "explanation": _explanation(s.contributions),
            "computed_at": now,
        }
        for cid, s in sorted(scores.items())
    ]
    table = ClaimScoreRow.__table__  # type: ignore[attr-defined]
    _replace_rows(session, table, "claim_id", replace, rows)


def _write_source_scores(
    session: Session, scores: Mapping[int, SourceScore], replace_all: bool
) -> None:
    from claimtrack.store.schema import SourceScoreRow

    now = utcnow()
    rows = [
        {
            "source_id": sid,
            "reliability": s.reliability,
            "letter": s.letter,
            "confirmed": s.confirmed,
            "refuted": s.refuted,
            "explanation": _explanation(s.contributions),
            "computed_at": now,
        }
        for sid, s in sorted(scores.items())
    ]
    table = SourceScoreRow.__table__  # type: ignore[attr-defined]
    _replace_rows(session, table, "source_id", None if replace_all else scores, rows)


_SOURCE_SCORE_COLUMNS = (
    "SELECT source_id, reliability, letter, confirmed, refuted FROM source_score"
)


def _source_scores_of(rows: Iterable[Any]) -> dict[int, SourceScore]:
    """Stored source-score rows (in ``_SOURCE_SCORE_COLUMNS`` order) by source id."""
    out = {}
    for r in rows:
        try:
            out[int(r[0])] = SourceScore(
                source_id=int(r[0]),
                reliability=float(r[1]),
                letter=str(r[2]),
                confirmed=int(r[3] or 0),
                refuted=int(r[4] or 0),
            )
        except ValueError:
            continue
    return out


def _stored_source_scores(conn: Connection) -> dict[int, SourceScore]:
    from sqlalchemy import text

    return _source_scores_of(conn.execute(text(_SOURCE_SCORE_COLUMNS)))


# --------------------------------------------------------------------------
# rescoring
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RescoreResult:
    claims: int  # claim scores written
    sources: int  # source scores written
    seconds: float


def rescore_session(session: Session) -> RescoreResult:
    """Recompute every score of the case inside ``session`` (its transaction)."""
    t0 = time.perf_counter()
    conn = session.connection()
    config = load_config(conn)
    data = load_case(conn)
    graph = build_graph(data.claims, data.links, config)
    src = score_sources(data.sources, data.claims, (), config, graph=graph)
    claims = score_claims(data.claims, (), src, config, sources=data.sources, graph=graph)
    _write_source_scores(session, src, replace_all=True)
    _write_claim_scores(session, claims, replace=None)
    return RescoreResult(len(claims), len(src), time.perf_counter() - t0)


def rescore(case: Case) -> RescoreResult:
    """Recompute and store every claim and source score of the case."""
    with case.write() as s:
        return rescore_session(s)


def rescore_claims(session: Session, claim_ids: Sequence[int]) -> RescoreResult:
    """Rescore what new or changed claims touch, inside the caller's transaction.

    Rescores the claims whose evidence reads them (``scoring.affected_claims``)
    and stores their scores. Source reliabilities are the stored ones (a source
    new to the case gets its prior).

    For a few changed claims (at most BOUNDED_MAX) in a case without analyst
    verdicts (true/false) and track records, only the claims those scores read
    are loaded (``_rescore_bounded``): the cost follows the changed claims'
    neighbourhood, not the case. Otherwise the connected components of
    ``claim_ids`` are loaded (scores computed and written WRITE_SLICE at a time), and when one holds a
    claim with a verdict or a source with a track record (a verdict set or
    cleared, a claim moved to another source), the whole case is rescored.
    """
    if not claim_ids:
        return RescoreResult(0, 0, 0.0)
    conn = session.connection()
    if len(claim_ids) <= BOUNDED_MAX and not _case_has_records(conn):
        # a few articles' claims, and no track record can change: load only what
        # their scores read (on a large batch the regions cover most of the case:
        # one pass over the components is cheaper)
        return _rescore_bounded(session, claim_ids)
    t0 = time.perf_counter()
    config = load_config(conn)
    region = _component(conn, claim_ids)
    sources, roots = _load_sources(conn)
    by_id = {s.id: s for s in sources}
    claims = _load_claims(conn, by_id, roots, region)
    if any(c.verdict in (Verdict.TRUE, Verdict.FALSE) for c in claims):
        return rescore_session(session)
    stored = _stored_source_scores(conn)
    outlets = outlet_ids(sources)
    for c in claims:
        sid = credited_source(c, outlets)
        held = stored.get(sid) if sid is not None else None
        if held is not None and (held.confirmed or held.refuted):
            # a verdict here was cleared, or a source with a record changed hands
            return rescore_session(session)
    links = _load_links(conn, region)
    fresh_ids = {c.source_id for c in claims if c.source_id is not None} - stored.keys()
    fresh = score_sources([by_id[i] for i in sorted(fresh_ids)], claims, links, config)
    graph = build_graph(claims, links, config)
    todo = affected_claims(claim_ids, (), graph=graph)
    _write_source_scores(session, fresh, replace_all=False)
    # scored and written a slice at a time: the scores (and their explanations)
    # of a large batch are never all in memory; rejected claims among the
    # touched ones lose their stored score
    touched = sorted(todo | set(claim_ids))
    n = 0
    for i in range(0, len(touched), WRITE_SLICE):
        part = touched[i : i + WRITE_SLICE]
        scores = score_claims(
            claims,
            (),
            {**stored, **fresh},
            config,
            sources=sources,
            only=[c for c in part if c in todo],
            graph=graph,
        )
        _write_claim_scores(session, scores, replace=part)
        n += len(scores)
    return RescoreResult(n, len(fresh), time.perf_counter() - t0)


# --------------------------------------------------------------------------
# the region a rescore needs (bounded: not the whole connected component)
# --------------------------------------------------------------------------

_LINK_ROWS_SQL = (
    "SELECT id, a_id, b_id, relation, confidence, reason, origin, origin_claim_id FROM link"
)


class _Region:
    """Claims and links loaded on demand, as ``build_graph`` over the whole case sees them.

    ``expand`` loads the links of claims (every row of every pair they are in);
    the resolved, usable links of a claim (``resolve_links``: analyst rows win,
    ``none`` and weak machine links dropped; both ends stored and not rejected)
    are then exactly its links in the whole case's graph.
    """

    def __init__(
        self,
        conn: Connection,
        config: ScoringConfig,
        sources: Mapping[int, SourceRecord],
        roots: Mapping[int, int],
    ) -> None:
        self.conn = conn
        self.config = config
        self.sources = sources
        self.roots = roots
        self.claims: dict[int, CaseClaim] = {}
        self.absent: set[int] = set()  # not stored, or rejected by the analyst
        self.rows: dict[int, Link] = {}  # link row id -> link
        self.expanded: set[int] = set()  # claims whose links are all loaded
        self.usable: dict[int, list[tuple[int, Link]]] = {}  # claim -> (other end, link)
        self._origin: dict[int, str | None] = {}

    def load(self, ids: Iterable[int]) -> None:
        todo = {i for i in ids if i not in self.claims and i not in self.absent}
        if not todo:
            return
        for c in _load_claims(self.conn, self.sources, self.roots, todo):
            self.claims[c.id] = c
        self.absent.update(todo - self.claims.keys())

    def expand(self, ids: Iterable[int]) -> None:
        """Load ``ids`` and all their links, and the claims at the links' other ends."""
        self.load(ids)
        todo = sorted(i for i in ids if i in self.claims and i not in self.expanded)
        if not todo:
            return
        touching: dict[int, Link] = {}  # link row id -> link, every row with an end in todo
        for sql in (" WHERE a_id IN :ids", " WHERE b_id IN :ids"):
            for r in rows_for_ids(self.conn, _LINK_ROWS_SQL + sql, todo):
                rid = int(r[0])
                if rid in touching:
                    continue
                got = self.rows.get(rid)
                lk = got if got is not None else _link(r[1:])
                if lk is None:
                    continue
                self.rows[rid] = touching[rid] = lk
        self.expanded.update(todo)
        wanted = set(todo)
        pairs: dict[tuple[int, int], list[Link]] = {}
        for lk in touching.values():
            pairs.setdefault((min(lk.a, lk.b), max(lk.a, lk.b)), []).append(lk)
        self.load({x for pair in pairs for x in pair})
        for cid in todo:
            self.usable[cid] = []
        min_conf = self.config.min_link_confidence
        for (a, b), links in pairs.items():
            if a not in self.claims or b not in self.claims:
                continue
            best = resolve_links(links, min_conf).get((a, b))
            if best is None:
                continue
            for x, y in ((a, b), (b, a)):
                if x in wanted:
                    self.usable[x].append((y, best))

    def neighbours(self, ids: Iterable[int]) -> set[int]:
        ids = list(ids)
        self.expand(ids)
        return {o for i in ids for o, _lk in self.usable.get(i, ())}

    def origin(self, cid: int) -> str | None:
        if cid not in self._origin:
            self._origin[cid] = origin_key(self.claims[cid])
        return self._origin[cid]

    def groups(self, ids: Iterable[int]) -> set[int]:
        """``ids`` with every claim of their independence groups (``build_graph``'s rule:
        ``repeats`` links, and ``corroborates`` links between claims of one origin)."""
        self.load(ids)
        seen = {i for i in ids if i in self.claims}
        frontier = sorted(seen)
        while frontier:
            self.expand(frontier)
            nxt = []
            for cid in frontier:
                for other, lk in self.usable.get(cid, ()):
                    if other in seen:
                        continue
                    if lk.relation is Relation.REPEATS or (
                        lk.relation is Relation.CORROBORATES
                        and (key := self.origin(cid)) is not None
                        and key == self.origin(other)
                    ):
                        seen.add(other)
                        nxt.append(other)
            frontier = sorted(nxt)
        return seen

    def links_within(self, ids: set[int]) -> list[Link]:
        return [lk for lk in self.rows.values() if lk.a in ids and lk.b in ids]


def _region_for(region: _Region, changed: Iterable[int]) -> set[int]:
    """The claims whose data scoring the claims affected by ``changed`` reads.

    Affected (``scoring.affected_claims``, ``graph.dependents``): with seeds the
    changed claims and their neighbours, the groups of the seeds and of the
    seeds' neighbours (G1), and the groups adjacent to those (within G2 below).
    Scoring a claim of G2 reads its group, the groups adjacent to it (G3), and
    for every member of those the claims it is linked to (one more hop).
    """
    changed = set(changed)
    seeds = changed | region.neighbours(changed)
    g1 = region.groups(seeds | region.neighbours(seeds))
    g2 = region.groups(g1 | region.neighbours(g1))
    g3 = region.groups(g2 | region.neighbours(g2))
    return g3 | region.neighbours(g3)


def _case_has_records(conn: Connection) -> bool:
    """Whether any analyst verdict (true/false) or source track record exists."""
    from sqlalchemy import text

    verdict = conn.execute(
        text("SELECT 1 FROM claim_review WHERE verdict IN ('true', 'false') LIMIT 1")
    ).first()
    if verdict is not None:
        return True
    record = conn.execute(
        text("SELECT 1 FROM source_score WHERE confirmed > 0 OR refuted > 0 LIMIT 1")
    ).first()
    return record is not None


def _stored_scores_for(conn: Connection, ids: Iterable[int]) -> dict[int, SourceScore]:
    sql = _SOURCE_SCORE_COLUMNS + " WHERE source_id IN :ids"
    return _source_scores_of(rows_for_ids(conn, sql, ids))


RESCORE_CHUNK = 20_000  # changed claims per bounded region
BOUNDED_MAX = 5_000  # changed claims (about 250-450 articles): above, the component path
WRITE_SLICE = 10_000  # claim scores computed and written at a time


def _rescore_bounded(session: Session, claim_ids: Sequence[int]) -> RescoreResult:
    """``rescore_claims`` for a case without verdicts or track records, region by region.

    The changed claims are taken in chunks of RESCORE_CHUNK; for each, only the
    claims its scores read are loaded (``_region_for``), so memory follows the
    chunk's neighbourhood, not the case or the batch. Each affected claim is
    scored once, from the same data as a rescore of its whole component.
    """
    t0 = time.perf_counter()
    conn = session.connection()
    config = load_config(conn)
    sources, roots = _load_sources(conn)
    by_id = {s.id: s for s in sources}
    outlets = outlet_ids(sources)
    done: set[int] = set()
    scored_sources: set[int] = set()
    n_claims = n_sources = 0
    wanted = sorted(set(claim_ids))
    for i in range(0, len(wanted), RESCORE_CHUNK):
        chunk = wanted[i : i + RESCORE_CHUNK]
        region = _Region(conn, config, by_id, roots)
        ids = _region_for(region, chunk)
        claims = [region.claims[c] for c in sorted(ids)]
        links = region.links_within(ids)
        graph = build_graph(claims, links, config)
        todo = affected_claims(chunk, (), graph=graph) - done
        needed = {c.source_id for c in claims if c.source_id is not None}
        for c in claims:
            for name in (c.outlet, c.cited):
                key = norm_name(name)
                if key is not None and key in outlets:
                    needed.add(outlets[key])
        stored = _stored_scores_for(conn, needed)
        fresh_ids = (
            {c.source_id for c in claims if c.source_id is not None} - stored.keys()
        ) - scored_sources
        fresh = score_sources([by_id[s] for s in sorted(fresh_ids)], claims, links, config)
        scores = score_claims(
            claims, (), {**stored, **fresh}, config, sources=sources, only=todo, graph=graph
        )
        _write_source_scores(session, fresh, replace_all=False)
        _write_claim_scores(session, scores, replace=todo | (set(chunk) - done))
        done |= todo | set(chunk)
        scored_sources |= fresh.keys()
        n_claims += len(scores)
        n_sources += len(fresh)
    return RescoreResult(n_claims, n_sources, time.perf_counter() - t0)


_UNSCORED = (
    "FROM claim c LEFT JOIN claim_score cs ON cs.claim_id = c.id "
    "LEFT JOIN claim_review r ON r.claim_id = c.id "
    "WHERE cs.claim_id IS NULL AND (r.status IS NULL OR r.status <> 'rejected')"
)


def unscored_claim_ids(conn: Connection) -> list[int]:
    """Claims (not rejected by the analyst) with no stored score, in id order."""
    from sqlalchemy import text

    return [int(r[0]) for r in conn.execute(text("SELECT c.id " + _UNSCORED + " ORDER BY c.id"))]


def count_unscored(conn: Connection) -> int:
    """How many claims (not rejected by the analyst) have no stored score."""
    from sqlalchemy import text

    return int(conn.execute(text("SELECT COUNT(*) " + _UNSCORED)).scalar() or 0)


def claim_score(case: Case, claim_id: int) -> dict[str, Any] | None:
    """The stored score of one claim (probability, credibility, low, high, explanation)."""
    from sqlalchemy import text

    with case.session() as s:
        conn = s.connection()
        if (
            conn.execute(text("SELECT id FROM claim WHERE id = :i"), {"i": claim_id}).first()
            is None
        ):
            raise NotFoundError(f"no claim {claim_id} in this case")
        row = conn.execute(
            text(
                "SELECT probability, credibility, logodds, low, high, explanation "
                "FROM claim_score WHERE claim_id = :i"
            ),
            {"i": claim_id},
        ).first()
    if row is None:
        return None
    return {
        "claim_id": claim_id,
        "probability": float(row[0]),
        "credibility": int(row[1]),
        "logodds": float(row[2]),
        "low": float(row[3]),
        "high": float(row[4]),
        "explanation": json.loads(row[5] or "[]"),
    }


__all__ = [
    "SETTING_KEY",
    "CaseData",
    "RescoreResult",
    "case_config",
    "case_overrides",
    "claim_score",
    "load_case",
    "load_config",
    "rescore",
    "rescore_claims",
    "rescore_session",
    "set_config",
]
