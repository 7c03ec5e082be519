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
import math
import time
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

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
    CaseGraph,
    ScoringConfig,
    apply_overrides,
    build_graph,
    score_claims,
    score_sources,
)
from claimtrack.scoring.graph import no_gc, norm_name, origin_of, resolve_links
from claimtrack.scoring.records import constructor
from claimtrack.scoring.skeleton import REL_CODE, Skeleton, _csr, _gather, build_skeleton
from claimtrack.scoring.sources import credited_of, outlet_ids, track_records
from claimtrack.store.db import IN_CHUNK, Case, insert_rows, rows_for_ids, utcnow

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


_new_claim = constructor(CaseClaim)
_new_link = constructor(Link)
_new_source = constructor(SourceRecord)
_new_source_score = constructor(SourceScore)


def _cached(fn: Any) -> Any:
    table: dict[Any, Any] = {}

    def get(value: Any) -> Any:
        try:
            return table[value]
        except KeyError:
            got = table[value] = fn(value)
            return got
        except TypeError:  # unhashable
            return fn(value)

    return get


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
    kinds = _cached(_kind)
    for r in rows:
        if r[6] is not None:
            continue
        prior = None if r[4] is None else min(max(float(r[4]), 0.0), 1.0)
        # the values of every field, in order (one shared fields-set, no validation)
        out.append(
            _new_source(
                int(r[0]),
                str(r[1]),
                kinds(r[2]),
                None if r[3] is None else str(r[3]),
                prior,
                None if r[5] is None else str(r[5]),
            )
        )
    return out, roots


def _enum_of(enum: Any, default: Any) -> Any:
    """raw value -> member of ``enum`` (``default`` for an empty or unknown one), cached."""
    table: dict[Any, Any] = {}

    def get(value: Any) -> Any:
        got = table.get(value)
        if got is None:
            try:
                got = enum(value or default.value)
            except ValueError:
                got = default
            table[value] = got
        return got

    return get


_STANCES = _enum_of(Stance, Stance.ASSERTS)
_QUOTES = _enum_of(QuoteType, QuoteType.INDIRECT)
_STATUSES = _enum_of(ReviewStatus, ReviewStatus.UNREVIEWED)
_VERDICTS = {v.value: v for v in Verdict}


def _rows_for_ids(conn: Connection, sql: str, ids: Iterable[int]) -> Iterator[Any]:
    """``db.rows_for_ids``, each chunk's rows fetched at once."""
    from sqlalchemy import bindparam, text

    stmt = text(sql).bindparams(bindparam("ids", expanding=True))
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), IN_CHUNK):
        yield from conn.execute(stmt, {"ids": wanted[i : i + IN_CHUNK]}).all()


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
        result = _rows_for_ids(conn, _CLAIMS_SQL + " WHERE c.id IN :ids ORDER BY c.id", ids)
    out = []
    rejected = ReviewStatus.REJECTED.value
    words, dates, kinds = _cached(_json_words), _cached(_date), _cached(_kind)
    verdicts, stances, quotes, statuses = _VERDICTS, _STANCES, _QUOTES, _STATUSES
    make = _new_claim
    for r in result:
        if r[17] == rejected:
            continue
        sid = None if r[11] is None else int(r[11])
        if sid is not None:
            sid = roots.get(sid, sid)
        rec = sources.get(sid) if sid is not None else None
        # the values of every field of CaseClaim, in order (no validation pass)
        out.append(
            make(
                int(r[0]),
                int(r[1]),
                r[2] or "",
                r[3],
                r[4],
                stances(r[5]),
                bool(r[6]),
                words(r[7]),
                quotes(r[8]),
                sid if rec is not None else None,
                rec.name if rec is not None else r[9],
                rec.kind if rec is not None else kinds(r[10]),
                rec.affiliation if rec is not None else None,
                r[13] or r[12],
                r[14],
                dates(r[15]),
                verdicts.get(r[16]) if r[16] else None,
                statuses(r[17]),
            )
        )
    return out


_RELATIONS = {r.value: r for r in Relation}
_ORIGIN_OF = {o.value: o for o in Origin}


def _link(r: Any) -> Link | None:
    """A stored link row (a, b, relation, confidence, reason, origin, origin claim) as a
    Link, every field converted and checked here (confidence clamped to [0, 1]); None
    for a row scoring cannot read."""
    relation = _RELATIONS.get(r[2])
    origin = _ORIGIN_OF.get(r[5] or "machine")
    if relation is None or origin is None:
        return None
    try:
        confidence = min(max(float(r[3] if r[3] is not None else 1.0), 0.0), 1.0)
    except ValueError:
        return None
    link: Link = _new_link(
        int(r[0]),
        int(r[1]),
        relation,
        confidence,
        r[4] or "",
        origin,
        None if r[6] is None else int(r[6]),
    )
    return link


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
            out[int(r[0])] = _new_source_score(
                int(r[0]), float(r[1]), str(r[2]), int(r[3] or 0), int(r[4] or 0), ()
            )
        except ValueError:
            continue
    return out


def _stored_source_scores(conn: Connection) -> dict[int, SourceScore]:
    from sqlalchemy import text

    return _source_scores_of(conn.execute(text(_SOURCE_SCORE_COLUMNS)))


# --------------------------------------------------------------------------
# rescoring, a region at a time
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RescoreResult:
    claims: int  # claim scores computed
    sources: int  # source scores written
    seconds: float
    worker_cpu: float = 0.0  # CPU seconds of the scoring worker processes (``jobs > 1``)


SCORE_CHUNK = 6_000  # claims scored per region (their groups, in adjacent runs)
# regions from which a rescore with ``jobs > 1`` runs them in worker processes: starting
# them (spawn, imports) costs ~1-2 s of CPU each, a region ~1 s (at 1,000 bench
# articles, 4 regions, on a busy machine the final rescore took 15.4 s in workers
# against 6.1 s here)
PARALLEL_REGIONS = 8
_YIELD = 20_000  # rows fetched at a time by the whole-table reads

_SHAPE_CLAIMS_BASE = (
    "SELECT c.id, c.source_kind, c.speaker, COALESCE(r.source_id, c.source_id), cs.name, "
    "cs.name_override, a.outlet, r.verdict, r.status "
    "FROM claim c JOIN article a ON a.id = c.article_id "
    "LEFT JOIN claim_review r ON r.claim_id = c.id "
    "LEFT JOIN source cs ON cs.id = c.cited_source_id"
)
_SHAPE_CLAIMS_SQL = _SHAPE_CLAIMS_BASE + " ORDER BY c.id"
_SHAPE_CLAIMS_IN = _SHAPE_CLAIMS_BASE + " WHERE c.id IN :ids ORDER BY c.id"
_SHAPE_LINKS_SQL = "SELECT id, a_id, b_id, relation, confidence, origin, origin_claim_id FROM link"
_LINK_ROWS_SQL = (
    "SELECT id, a_id, b_id, relation, confidence, reason, origin, origin_claim_id FROM link"
)
_REL_CODE = {r.value: code for r, code in REL_CODE.items()}
_REL_CODE[Relation.NONE.value] = -1
_ORIGINS = {o.value: o is Origin.ANALYST for o in Origin}
_REL_OF = {code: r for r, code in REL_CODE.items()}
_ORIGIN_FLAG = {True: Origin.ANALYST, False: Origin.MACHINE}


@dataclass
class _Shape:
    """The case as the skeleton sees it, and what the rescore paths check per claim."""

    skel: Skeleton
    verdict: NDArray[np.bool_]  # per position: marked true or false by the analyst
    credited: NDArray[np.int64]  # per position: whose track record it counts in (-1: none)
    raw_a: NDArray[np.int64]  # every stored link row but ``none`` (any ends): components
    raw_b: NDArray[np.int64]
    # the usable links (one per pair, as build_graph resolves them; both ends live)
    link_a: NDArray[np.int64]  # positions, link_a < link_b
    link_b: NDArray[np.int64]
    link_rel: NDArray[np.int8]
    link_conf: NDArray[np.float64]
    link_analyst: NDArray[np.bool_]
    link_origin: NDArray[np.int64]  # the original report of a repeat (-1: none)
    link_ptr: NDArray[np.int64]  # the links of each claim: CSR by position
    link_idx: NDArray[np.int64]


class _Loader:
    """Sources (live, merges followed) and the case's shape, read once per rescore."""

    def __init__(
        self,
        conn: Connection,
        config: ScoringConfig,
        part: tuple[Iterable[Any], Iterable[Any]] | Literal[False] | None = None,
    ) -> None:
        """``part``: (claim rows, link rows) of a part of the case (``_LocalRegion``),
        as ``_SHAPE_CLAIMS_SQL`` and ``_SHAPE_LINKS_SQL`` give them (claims in id
        order); the shape is then that part's. None: the whole case's. False: not
        read yet (``set_part``)."""
        self.conn = conn
        self.config = config
        self.sources, self.roots = _load_sources(conn)
        self.by_id = {s.id: s for s in self.sources}
        self.outlets = outlet_ids(self.sources)
        self.shape: _Shape
        if part is not False:
            self.set_part(part)

    def set_part(self, part: tuple[Iterable[Any], Iterable[Any]] | None) -> None:
        """Read the shape: of the whole case (None) or of the rows ``part``."""
        if part is None:
            part = (self._stream(_SHAPE_CLAIMS_SQL), self._stream(_SHAPE_LINKS_SQL))
        with no_gc():
            self.shape = self._shape(*part)

    def _stream(self, sql: str) -> Iterable[Any]:
        from sqlalchemy import text

        return self.conn.execute(text(sql).execution_options(yield_per=_YIELD))

    def claim_key(self, r: Any, kinds: dict[Any, SourceKind]) -> tuple[str | None, int | None]:
        """A live claim row's (origin key, credited source), as scoring reads them."""
        sid, rec = r[3], None
        if sid is not None:
            sid = self.roots.get(int(sid), int(sid))
            rec = self.by_id.get(sid)
        if rec is not None:
            source_id, speaker, kind = sid, rec.name, rec.kind
        else:
            source_id, speaker = None, r[2]
            kind = kinds.get(r[1]) or kinds.setdefault(r[1], _kind(r[1]))
        key = origin_of(r[5] or r[4], kind, source_id, speaker, r[6])
        return key, credited_of(source_id, speaker, kind, r[6], self.outlets)

    def _shape(self, claim_rows: Iterable[Any], link_rows: Iterable[Any]) -> _Shape:
        ids, keys, credited = array("q"), array("q"), array("q")
        verdict = bytearray()
        interned: dict[str, int] = {}
        kinds: dict[Any, SourceKind] = {}
        claim_key = self.claim_key
        for r in claim_rows:
            if r[8] == _REJECTED:
                continue
            key, got = claim_key(r, kinds)
            ids.append(int(r[0]))
            keys.append(-1 if key is None else interned.setdefault(key, len(interned)))
            credited.append(-1 if got is None else got)
            verdict.append(r[7] in _RESOLVED_VALUES)
        del interned
        lid, la, lb, lconf = array("q"), array("q"), array("q"), array("d")
        lrel, lanalyst, lorigin = array("b"), bytearray(), array("q")
        raw_a, raw_b = array("q"), array("q")
        for r in link_rows:
            rel = r[3]
            if rel is not None and rel != "none":
                raw_a.append(int(r[1]))
                raw_b.append(int(r[2]))
            code = _REL_CODE.get(rel)
            analyst = _ORIGINS.get(r[5] or "machine")
            if code is None or analyst is None:
                continue  # not a link scoring reads (``_link``)
            try:
                conf = min(max(float(r[4] if r[4] is not None else 1.0), 0.0), 1.0)
            except ValueError:
                continue
            lid.append(int(r[0]))
            la.append(int(r[1]))
            lb.append(int(r[2]))
            lconf.append(conf)
            lrel.append(code)
            lanalyst.append(analyst)
            lorigin.append(-1 if r[6] is None else int(r[6]))
        links = self._resolve(
            np.frombuffer(ids, dtype=np.int64),
            np.frombuffer(lid, dtype=np.int64),
            np.frombuffer(la, dtype=np.int64),
            np.frombuffer(lb, dtype=np.int64),
            np.frombuffer(lconf, dtype=np.float64),
            np.frombuffer(lrel, dtype=np.int8),
            np.frombuffer(bytes(lanalyst), dtype=np.bool_),
            np.frombuffer(lorigin, dtype=np.int64),
        )
        del lid, la, lb, lconf, lrel, lanalyst, lorigin
        pa, pb = links[0], links[1]
        id_arr = np.frombuffer(ids, dtype=np.int64).copy()
        skel = build_skeleton(id_arr, keys, pa, pb, links[2])
        every = np.arange(len(pa), dtype=np.int64)
        ptr, idx = _csr(len(id_arr), np.concatenate([pa, pb]), np.concatenate([every, every]))
        return _Shape(
            skel,
            np.frombuffer(bytes(verdict), dtype=np.bool_).copy(),
            np.frombuffer(credited, dtype=np.int64).copy(),
            np.frombuffer(raw_a, dtype=np.int64).copy(),
            np.frombuffer(raw_b, dtype=np.int64).copy(),
            *links,
            ptr,
            idx,
        )

    def _resolve(
        self,
        ids: NDArray[np.int64],
        lid: NDArray[np.int64],
        a: NDArray[np.int64],
        b: NDArray[np.int64],
        conf: NDArray[np.float64],
        rel: NDArray[np.int8],
        analyst: NDArray[np.bool_],
        origin: NDArray[np.int64],
    ) -> tuple[
        NDArray[np.int64],
        NDArray[np.int64],
        NDArray[np.int8],
        NDArray[np.float64],
        NDArray[np.bool_],
        NDArray[np.int64],
    ]:
        """One usable link per pair, as ``graph.resolve_links`` leaves them, both ends
        live: (position, position, relation code, confidence, analyst's, original
        report or -1)."""
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        keep = lo != hi
        order = np.flatnonzero(keep)[np.lexsort((lid[keep], hi[keep], lo[keep]))]
        lo, hi = lo[order], hi[order]
        first = np.ones(len(order), dtype=bool)
        if len(order):
            first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, len(order)))
        rows = order[starts]  # the row of each pair (its only one, or replaced below)
        r_rel = rel[rows].copy()
        r_conf = conf[rows].copy()
        r_analyst = analyst[rows].copy()
        r_origin = origin[rows].copy()
        several = np.flatnonzero(counts > 1)
        if len(several):
            # a pair with several rows (an analyst's decision over the machine's link):
            # ranked by resolve_links itself, on the rows as Links
            wanted = set()
            for i in several.tolist():
                s = int(starts[i])
                wanted.update(lid[order[s : s + int(counts[i])]].tolist())
            found = rows_for_ids(self.conn, _LINK_ROWS_SQL + " WHERE id IN :ids", wanted)
            links = sorted(found, key=lambda r: int(r[0]))
            best = resolve_links(lk for lk in (_link(r[1:]) for r in links) if lk is not None)
            for i in several.tolist():
                lk = best.get((int(lo[starts[i]]), int(hi[starts[i]])))
                if lk is None:  # ``none`` won
                    r_rel[i] = -1
                    continue
                r_rel[i] = _REL_CODE[lk.relation.value]
                r_conf[i] = lk.confidence
                r_analyst[i] = lk.origin is Origin.ANALYST
                r_origin[i] = -1 if lk.origin_claim is None else lk.origin_claim
        usable = (r_rel >= 0) & (r_analyst | (r_conf >= self.config.min_link_confidence))
        lo, hi = lo[starts][usable], hi[starts][usable]
        pa, pb = np.searchsorted(ids, lo), np.searchsorted(ids, hi)
        n = len(ids)
        live = (pa < n) & (pb < n)
        live[live] &= (ids[pa[live]] == lo[live]) & (ids[pb[live]] == hi[live])
        usable[usable] = live
        return (
            pa[live],
            pb[live],
            r_rel[usable],
            r_conf[usable],
            r_analyst[usable],
            r_origin[usable],
        )

    # -- regions -------------------------------------------------------------
    def load(self, positions: NDArray[np.int64]) -> tuple[list[CaseClaim], CaseGraph]:
        """The claims at ``positions`` and the graph of the links among them."""
        with no_gc():  # many small acyclic objects: collections cost more than they free
            return self._load(positions)

    def _load(self, positions: NDArray[np.int64]) -> tuple[list[CaseClaim], CaseGraph]:
        shape = self.shape
        ids = shape.skel.ids
        claims = _load_claims(self.conn, self.by_id, self.roots, ids[positions].tolist())
        # the usable links among them, from the shape (resolved there: one per pair)
        inside = np.zeros(len(ids), dtype=bool)
        inside[positions] = True
        pairs = np.unique(_gather(shape.link_ptr, shape.link_idx, positions))
        pairs = pairs[inside[shape.link_a[pairs]] & inside[shape.link_b[pairs]]]
        del inside
        rels, origins = _REL_OF, _ORIGIN_FLAG
        links = [
            _new_link(a, b, rels[r], conf, "", origins[an], None if oc < 0 else oc)
            for a, b, r, conf, an, oc in zip(
                ids[shape.link_a[pairs]].tolist(),
                ids[shape.link_b[pairs]].tolist(),
                shape.link_rel[pairs].tolist(),
                shape.link_conf[pairs].tolist(),
                shape.link_analyst[pairs].tolist(),
                shape.link_origin[pairs].tolist(),
                strict=True,
            )
        ]
        return claims, build_graph(claims, links, self.config)

    def regions(
        self, roots: NDArray[np.int64]
    ) -> Iterator[tuple[list[int], list[CaseClaim], CaseGraph]]:
        """(claim ids of the groups ``roots``, the claims and graph their scores read),
        SCORE_CHUNK claims at a time."""
        skel = self.shape.skel
        for chunk in skel.chunks(roots, SCORE_CHUNK):
            claims, graph = self.load(skel.region(chunk))
            yield skel.ids[skel.members(chunk)].tolist(), claims, graph
            del claims, graph  # before the next region is loaded

    def score_region(
        self,
        claims: list[CaseClaim],
        source_scores: dict[int, SourceScore],
        only: list[int],
        graph: CaseGraph,
    ) -> dict[int, ClaimScore]:
        """The scores of the claims ``only`` of one region, read from its ``claims``."""
        return score_claims(
            claims,
            (),
            source_scores,
            self.config,
            sources=self.sources,
            only=only,
            graph=graph,
            outlets=self.outlets,
        )

    def source_scores(self) -> dict[int, SourceScore]:
        """Every live source's score. The track records read the groups of the claims
        marked true or false and the groups adjacent to them: gathered SCORE_CHUNK
        claims of those groups at a time."""
        skel = self.shape.skel
        marked = np.flatnonzero(self.shape.verdict)
        records: dict[int, list[tuple[int, bool, str]]] = {}
        for chunk in skel.chunks(skel.groups(marked), SCORE_CHUNK):
            claims, graph = self.load(skel.members(skel.adjacent(chunk)))
            mine = skel.members(chunk)
            only = skel.ids[mine[self.shape.verdict[mine]]].tolist()
            for sid, rows in track_records(graph, self.config, self.outlets, only).items():
                records.setdefault(sid, []).extend(rows)
            del claims, graph
        for rows in records.values():
            rows.sort(key=lambda row: row[0])  # claim-id order (stable within a claim)
        return score_sources(self.sources, (), (), self.config, records=records)

    def component(self, claim_ids: Sequence[int]) -> NDArray[np.int64]:
        """Positions of the live claims connected to ``claim_ids`` through stored
        links (any relation but ``none``, through rejected claims too)."""
        a, b = self.shape.raw_a, self.shape.raw_b
        nodes = np.unique(np.concatenate([a, b, np.asarray(claim_ids, dtype=np.int64)]))
        ia, ib = np.searchsorted(nodes, a), np.searchsorted(nodes, b)
        ptr, idx = _csr(len(nodes), np.concatenate([ia, ib]), np.concatenate([ib, ia]))
        seen = np.zeros(len(nodes), dtype=bool)
        frontier = np.searchsorted(nodes, np.unique(np.asarray(claim_ids, dtype=np.int64)))
        seen[frontier] = True
        while len(frontier):
            nxt = _gather(ptr, idx, frontier)
            nxt = np.unique(nxt[~seen[nxt]])
            seen[nxt] = True
            frontier = nxt
        return self.shape.skel.positions(nodes[seen])


_REJECTED = ReviewStatus.REJECTED.value
_RESOLVED_VALUES = (Verdict.TRUE.value, Verdict.FALSE.value)


def _row_json(label: Any, weight: Any, group: Any) -> str:
    """``json.dumps({"label": label, "weight": weight, "group": group},
    ensure_ascii=False)``, the same text, without the encoder's set-up per call (a
    str label, a finite float weight, a str or no group; else json.dumps itself)."""
    if (
        type(label) is str
        and type(weight) is float
        and math.isfinite(weight)
        and (group is None or type(group) is str)
    ):
        g = "null" if group is None else encode_basestring(group)
        return f'{{"label": {encode_basestring(label)}, "weight": {weight!r}, "group": {g}}}'
    item = {"label": label, "weight": weight, "group": group}
    return json.dumps(item, ensure_ascii=False)


class _ExplanationCache:
    """One JSON text per list of explanation rows: the claims of a group share theirs,
    and the groups of a region share rows (the prior, an evidence group's row), each
    encoded once: ``json.dumps`` of the list is its items' texts joined by ", "."""

    def __init__(self) -> None:
        self.made: dict[tuple[int, ...], str] = {}
        self.rows: dict[int, tuple[Contribution, str]] = {}

    def __call__(self, rows: Sequence[Contribution]) -> str:
        key = tuple(map(id, rows))  # the rows are alive (held by the scores) meanwhile
        got = self.made.get(key)
        if got is None:
            texts = []
            for r in rows:
                held = self.rows.get(id(r))
                if held is None:
                    held = self.rows[id(r)] = (r, _row_json(r.label, r.weight, r.group))
                texts.append(held[1])
            got = self.made[key] = "[" + ", ".join(texts) + "]"
        return got


def _claim_rows(scores: Mapping[int, ClaimScore]) -> list[dict[str, Any]]:
    now = utcnow()
    explain = _ExplanationCache()
    return [
        {
            "claim_id": cid,
            "probability": s.probability,
            "credibility": s.credibility,
            "logodds": s.logodds,
            "low": s.low,
            "high": s.high,
            "explanation": explain(s.contributions),
            "computed_at": now,
        }
        for cid, s in sorted(scores.items())
    ]


_STORED_CLAIM_SCORES = (
    "SELECT claim_id, probability, credibility, logodds, low, high, explanation "
    "FROM claim_score WHERE claim_id IN :ids"
)


def _write_changed(session: Session, scores: Mapping[int, ClaimScore]) -> int:
    """Store the scores that differ from the stored ones (or are new); returns how many."""
    return _write_changed_rows(session, _claim_rows(scores))


def _write_changed_rows(session: Session, rows: list[dict[str, Any]]) -> int:
    """``_write_changed`` of the rows ``_claim_rows`` made."""
    from claimtrack.store.schema import ClaimScoreRow

    conn = session.connection()
    held = {
        int(r[0]): (float(r[1]), int(r[2]), float(r[3]), float(r[4]), float(r[5]), r[6])
        for r in _rows_for_ids(conn, _STORED_CLAIM_SCORES, [r["claim_id"] for r in rows])
    }
    changed = [
        row
        for row in rows
        if held.get(row["claim_id"])
        != (
            row["probability"],
            row["credibility"],
            row["logodds"],
            row["low"],
            row["high"],
            row["explanation"],
        )
    ]
    table = ClaimScoreRow.__table__  # type: ignore[attr-defined]
    # only the rows just read can be there to replace (this transaction holds the
    # write lock): a batch's new claims cost no DELETE statements
    stale = [r["claim_id"] for r in changed if r["claim_id"] in held]
    _replace_rows(session, table, "claim_id", stale, changed)
    return len(changed)


def rescore_session(session: Session) -> RescoreResult:
    """Recompute every score of the case inside ``session`` (its transaction).

    Memory does not grow with the case: the case's shape is read into compact
    arrays (``scoring.skeleton``), then its groups are scored SCORE_CHUNK claims
    at a time, each chunk from the claims its scores read, and written.
    """
    with no_gc():  # many small acyclic objects: collections cost more than they free
        conn = session.connection()
        return _rescore_all(session, _Loader(conn, load_config(conn)))


def _rescore_all(session: Session, loader: _Loader) -> RescoreResult:
    from claimtrack.store.schema import ClaimScoreRow

    t0 = time.perf_counter()
    conn = session.connection()
    src = loader.source_scores()
    _write_source_scores(session, src, replace_all=True)
    # claims read only the reliabilities: the explanations are written, let them go
    src = {
        sid: _new_source_score(sid, s.reliability, s.letter, s.confirmed, s.refuted, ())
        for sid, s in src.items()
    }
    skel = loader.shape.skel
    table = ClaimScoreRow.__table__  # type: ignore[attr-defined]
    _replace_rows(session, table, "claim_id", None, [])
    n = 0
    groups = np.flatnonzero(skel.root == np.arange(len(skel.ids)))
    for only, claims, graph in loader.regions(groups):
        scores = loader.score_region(claims, src, only, graph)
        del claims, graph
        insert_rows(conn, table, _claim_rows(scores))
        n += len(scores)
    return RescoreResult(n, len(src), time.perf_counter() - t0)


def rescore(case: Case) -> RescoreResult:
    """Recompute and store every claim and source score of the case."""
    with case.write() as s:
        return rescore_session(s)


def rescore_claims(
    session: Session, claim_ids: Sequence[int], *, jobs: int = 1, url: str | None = None
) -> RescoreResult:
    """Rescore what new or changed claims touch, inside the caller's transaction.

    Rescores the claims whose evidence reads them (``scoring.affected_claims``:
    the groups of the changed claims and of the claims linked to them, and the
    groups adjacent), a region at a time as ``rescore_session`` does, and writes
    only the scores that changed; a changed claim that is gone or rejected loses
    its score, and the claims it was linked to are rescored. Source
    reliabilities are the stored ones (a source new to the case gets its prior).
    When the connected components of ``claim_ids`` hold a claim marked true or
    false, or a claim of a source with a track record (a verdict set or cleared,
    a claim moved to another source), track records may change: the whole case
    is rescored.

    ``jobs > 1`` with ``url`` (the case's, for other processes to read it): the
    regions are scored in that many worker processes when there are several
    (``_score_parallel``), the same scores written in the same order.
    """
    if not claim_ids:
        return RescoreResult(0, 0, 0.0)
    with no_gc():
        return _rescore_some(session, claim_ids, jobs, url)


def _rescore_some(
    session: Session, claim_ids: Sequence[int], jobs: int = 1, url: str | None = None
) -> RescoreResult:
    t0 = time.perf_counter()
    conn = session.connection()
    loader = _Loader(conn, load_config(conn), part=False)
    stored = _StoredScores(conn)
    part = None
    if not _records_possible(conn):
        # no track record can change: only the claims' neighbourhood is read
        part = _LocalRegion(loader).rows(claim_ids)
    if part is None:
        stored.load_all()
    loader.set_part(part)
    shape, skel = loader.shape, loader.shape.skel
    if part is None:
        comp = loader.component(claim_ids)
        if shape.verdict[comp].any():
            return _rescore_all(session, loader)
        recorded = [sid for sid, s in stored.items() if s.confirmed or s.refuted]
        if recorded and np.isin(shape.credited[comp], recorded).any():
            # a verdict here was cleared, or a source with a record changed hands
            return _rescore_all(session, loader)
    live = skel.positions(claim_ids)
    gone = sorted(set(claim_ids) - set(skel.ids[live].tolist()))
    seeds = live
    if gone:
        # what a rejected (or deleted) claim was linked to
        a, b = shape.raw_a, shape.raw_b
        was = np.concatenate([b[np.isin(a, gone)], a[np.isin(b, gone)]])
        seeds = np.union1d(live, skel.positions(was))
        from claimtrack.store.schema import ClaimScoreRow

        table = ClaimScoreRow.__table__  # type: ignore[attr-defined]
        _replace_rows(session, table, "claim_id", gone, [])
    n = n_src = 0
    roots = skel.affected(seeds)
    if jobs > 1 and url is not None:
        chunks = list(skel.chunks(roots, SCORE_CHUNK))
        if len(chunks) >= PARALLEL_REGIONS:
            n, n_src, cpu = _score_parallel(session, loader, stored, chunks, jobs, url)
            return RescoreResult(n, n_src, time.perf_counter() - t0, cpu)
    for only, claims, graph in loader.regions(roots):
        done, made = _score_here(session, loader, stored, only, claims, graph)
        del claims, graph
        n += done
        n_src += made
    return RescoreResult(n, n_src, time.perf_counter() - t0)


def _score_here(
    session: Session,
    loader: _Loader,
    stored: _StoredScores,
    only: list[int],
    claims: list[CaseClaim],
    graph: CaseGraph,
) -> tuple[int, int]:
    """Score and write one region in this process: (claim scores, source scores written)."""
    n_src = 0
    stored.need(claims, loader.outlets)
    fresh_ids = {c.source_id for c in claims if c.source_id is not None} - stored.keys()
    if fresh_ids:
        fresh = score_sources(
            [loader.by_id[i] for i in sorted(fresh_ids)], claims, (), loader.config, graph=graph
        )
        _write_source_scores(session, fresh, replace_all=False)
        stored.update(fresh)
        n_src += len(fresh)
    scores = loader.score_region(claims, stored, only, graph)
    _write_changed(session, scores)
    return len(scores), n_src


def _records_possible(conn: Connection) -> bool:
    """Whether a rescore may change a track record: the case holds a claim marked true
    or false, or a stored source score counts one (a verdict cleared since)."""
    from sqlalchemy import text

    marked = "SELECT 1 FROM claim_review WHERE verdict IN ('true', 'false')"
    counted = "SELECT 1 FROM source_score WHERE confirmed <> 0 OR refuted <> 0"
    return any(
        conn.execute(text(sql + " LIMIT 1")).first() is not None for sql in (marked, counted)
    )


class _StoredScores(dict[int, SourceScore]):
    """The stored source scores, read as the regions need them (or all at once)."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn
        self.asked: set[int] = set()
        self.everything = False

    def load_all(self) -> None:
        self.update(_stored_source_scores(self.conn))
        self.everything = True

    def need(self, claims: Iterable[CaseClaim], outlets: Mapping[str, int]) -> None:
        """Fetch the stored scores scoring ``claims`` may read: their sources', and the
        outlets' their reports are vouched for by (``claims._Model.outlet_r``)."""
        if self.everything:
            return
        wanted = _read_sources(claims, outlets) - self.asked
        if wanted:
            self.asked |= wanted
            sql = _SOURCE_SCORE_COLUMNS + " WHERE source_id IN :ids"
            self.update(_source_scores_of(_rows_for_ids(self.conn, sql, wanted)))


def _read_sources(claims: Iterable[CaseClaim], outlets: Mapping[str, int]) -> set[int]:
    """The sources whose scores scoring ``claims`` may read: theirs, and the outlets'
    their reports are vouched for by (``claims._Model.outlet_r``)."""
    wanted: set[int] = set()
    for c in claims:
        if c.source_id is not None:
            wanted.add(c.source_id)
        for name in (c.cited, c.outlet):
            sid = outlets.get(norm_name(name) or "") if name else None
            if sid is not None:
                wanted.add(sid)
    return wanted


# --------------------------------------------------------------------------
# the regions of a rescore in worker processes
# --------------------------------------------------------------------------

_REGION_SOURCES = (
    "SELECT c.id, COALESCE(r.source_id, c.source_id) FROM claim c "
    "LEFT JOIN claim_review r ON r.claim_id = c.id WHERE c.id IN :ids"
)


def _score_parallel(
    session: Session,
    loader: _Loader,
    stored: _StoredScores,
    chunks: list[NDArray[np.int64]],
    jobs: int,
    url: str,
) -> tuple[int, int, float]:
    """The region loop of ``_rescore_some``, each region loaded and scored in a worker
    process (which reads the committed case), written here in region order.

    Serially, region k scores the sources of its claims that have no stored score
    ("fresh") and writes them, and the regions after it read those scores. Here
    the rescore has no track record to change (``_rescore_some`` rescored the
    whole case otherwise), so a fresh score is the source's prior alone, whoever
    computes it: each worker scores the fresh sources its region reads that the
    serial loop would hold by then (first seen in a region up to its own), and
    the sources first seen in region k are written with region k, as before.
    Returns (claims scored, source scores written, the workers' CPU seconds).
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    from sqlalchemy import text

    conn = session.connection()
    skel = loader.shape.skel
    regions = [(skel.region(chunk), skel.ids[skel.members(chunk)]) for chunk in chunks]
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(regions)),
        mp_context=ctx,
        initializer=_init_scorer,
        initargs=(url, loader.shape),
    )
    try:
        # the region each source without a stored score is first seen in
        scored = {int(r[0]) for r in conn.execute(text("SELECT source_id FROM source_score"))}
        source_of: dict[int, int] = {}
        every = np.unique(np.concatenate([skel.ids[pos] for pos, _ in regions]))
        for r in _rows_for_ids(conn, _REGION_SOURCES, every.tolist()):
            if r[1] is not None:
                sid = loader.roots.get(int(r[1]), int(r[1]))
                if sid in loader.by_id:
                    source_of[int(r[0])] = sid
        first: dict[int, int] = {}
        for k, (pos, _) in enumerate(regions):
            for cid in skel.ids[pos].tolist():
                got = source_of.get(cid)
                if got is not None and got not in scored and got not in first:
                    first[got] = k
        del source_of
        order = np.array(sorted(first), dtype=np.int64)
        firsts = np.array([first[sid] for sid in order.tolist()], dtype=np.int64)

        def submit(k: int) -> Future[tuple[list[tuple[Any, ...]], dict[int, SourceScore], float]]:
            pos, only = regions[k]
            return pool.submit(_score_region_task, pos, only, order[firsts <= k])

        pending: deque[Future[tuple[list[tuple[Any, ...]], dict[int, SourceScore], float]]]
        n = n_src = 0
        cpu = 0.0
        broken = False
        written: dict[int, SourceScore] = {}  # the fresh source scores written so far
        try:
            pending = deque(submit(k) for k in range(min(2 * jobs, len(regions))))
        except Exception:  # no worker process could start: every region here
            broken = True
        for k in range(len(regions)):
            if not broken:
                try:
                    rows, fresh, used = pending.popleft().result()
                    if k + len(pending) + 1 < len(regions):
                        pending.append(submit(k + len(pending) + 1))
                except Exception:  # a worker died (killed, out of memory): the rest here
                    broken = True
                    stored.update(written)  # as the serial loop holds them by now
            if broken:
                # the writer's own reads see what it wrote for the regions before
                pos, only = regions[k]
                claims, graph = loader.load(pos)
                done, made = _score_here(session, loader, stored, only.tolist(), claims, graph)
                del claims, graph
                n += done
                n_src += made
                continue
            cpu += used
            mine = {sid: sc for sid, sc in fresh.items() if first.get(sid) == k}
            if mine:
                _write_source_scores(session, mine, replace_all=False)
                written.update(mine)
                n_src += len(mine)
            now = utcnow()
            _write_changed_rows(
                session, [dict(zip(_SCORE_COLUMNS, r, strict=True), computed_at=now) for r in rows]
            )
            n += len(rows)
            del rows, fresh
        return n, n_src, cpu
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_SCORE_COLUMNS = ("claim_id", "probability", "credibility", "logodds", "low", "high", "explanation")
_scorer: _Loader | None = None


def _init_scorer(url: str, shape: _Shape) -> None:
    """A scoring worker: the case open read-only, its sources and the writer's shape."""
    global _scorer
    case = Case.open(url, create=False, migrate=False)
    conn = case.engine.connect()
    _scorer = _Loader(conn, load_config(conn), part=False)
    _scorer.shape = shape


def _score_region_task(
    positions: NDArray[np.int64], only: NDArray[np.int64], fresh_by_now: NDArray[np.int64]
) -> tuple[list[tuple[Any, ...]], dict[int, SourceScore], float]:
    """One region of ``_score_parallel``: its claims' score rows (``_SCORE_COLUMNS``),
    the fresh source scores it computed, and the CPU seconds it took."""
    t0 = time.process_time()
    loader = _scorer
    assert loader is not None
    with no_gc():
        claims, graph = loader.load(positions)
        stored = _StoredScores(loader.conn)
        stored.need(claims, loader.outlets)
        allowed = set(fresh_by_now.tolist())
        fresh_ids = (_read_sources(claims, loader.outlets) & allowed) - stored.keys()
        fresh: dict[int, SourceScore] = {}
        if fresh_ids:
            fresh = score_sources(
                [loader.by_id[i] for i in sorted(fresh_ids)], claims, (), loader.config, graph=graph
            )
            stored.update(fresh)
        scores = loader.score_region(claims, stored, only.tolist(), graph)
        del claims, graph
        rows = [tuple(r[c] for c in _SCORE_COLUMNS) for r in _claim_rows(scores)]
    return rows, fresh, time.process_time() - t0


class _TooLarge(Exception):
    """The neighbourhood outgrew what reading the whole case's shape costs."""


_LOCAL_LINKS = (_SHAPE_LINKS_SQL + " WHERE a_id IN :ids", _SHAPE_LINKS_SQL + " WHERE b_id IN :ids")
_LOCAL_SHARE = 3  # the neighbourhood is read claim by claim up to 1/3 of the case
_LOCAL_MIN = 2_000  # ... or this many claims (a small case)
_REPEATS_BIT, _CORROBORATES_BIT, _CONTRADICTS_BIT = 1, 2, 4


class _LocalRegion:
    """The part of the case that rescoring a few claims reads, found from those claims
    outwards through indexed queries (links by either end, claims by id) instead of
    reading the whole case's shape.

    ``Skeleton.affected`` and ``Skeleton.region`` need, around the changed claims S:
    N1 = S and the claims linked to them; the independence groups of N1, whole
    (G1); the groups adjacent to those, whole (A); the groups adjacent to A, whole
    (AA); and every claim linked to a member of AA. Each step follows the
    stored links of the claims it holds, so every group and adjacency of A and AA
    is complete and a skeleton built from these claims alone gives exactly the
    whole case's ``affected`` set and regions. Links are followed generously (a
    pair with several rows by each of its rows' relations, whatever the analyst's
    decision among them): the part may be larger than needed, never smaller; the
    skeleton then resolves the rows exactly.
    """

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.conn = loader.conn
        self.min_conf = loader.config.min_link_confidence
        self.claims: dict[int, Any] = {}  # live claim id -> its shape row
        self.key: dict[int, str | None] = {}
        self.asked: set[int] = set()  # claim ids whose row was asked for
        self.links: dict[int, Any] = {}  # link id -> row
        self.ends: dict[int, dict[int, list[Any]]] = {}  # claim -> other end -> link rows
        self.nb: dict[int, list[tuple[int, int]]] = {}  # claim -> [(live neighbour, bits)]
        self.kinds: dict[Any, SourceKind] = {}
        self.limit = 0

    def rows(self, claim_ids: Sequence[int]) -> tuple[list[Any], list[Any]] | None:
        """(claim rows, link rows) of the part a rescore of ``claim_ids`` reads, or None
        when it holds more than a third of the case (reading the case's shape is
        cheaper then)."""
        from sqlalchemy import text

        top = self.conn.execute(text("SELECT MAX(id) FROM claim")).scalar()
        self.limit = max(_LOCAL_MIN, int(top or 0) // _LOCAL_SHARE)
        try:
            return self._rows(claim_ids)
        except _TooLarge:
            return None

    def _rows(self, claim_ids: Sequence[int]) -> tuple[list[Any], list[Any]]:
        changed = sorted(set(claim_ids))
        if len(changed) > self.limit:
            raise _TooLarge
        self._claims(changed)
        start = {i for i in changed if i in self.claims}
        gone = [i for i in changed if i not in self.claims]
        if gone:
            # what a rejected (or deleted) claim was linked to: every stored link but none
            self._links(gone)
            for g in gone:
                for other, rows in self.ends[g].items():
                    if other in self.claims and any(r[3] not in (None, "none") for r in rows):
                        start.add(other)
        g1 = self._closure(self._expand(start))
        a = self._closure(g1 | self._cross(g1))
        aa = self._closure(a | self._cross(a))
        part = self._expand(aa)
        gone_set = set(gone)
        links = [
            r
            for r in self.links.values()
            if (int(r[1]) in part and int(r[2]) in part)
            or int(r[1]) in gone_set
            or int(r[2]) in gone_set
        ]
        return [self.claims[i] for i in sorted(part)], links

    # -- reading -------------------------------------------------------------
    def _claims(self, ids: Iterable[int]) -> None:
        want = [i for i in ids if i not in self.asked]
        if not want:
            return
        self.asked.update(want)
        if len(self.asked) > self.limit:
            raise _TooLarge
        key = self.loader.claim_key
        for r in _rows_for_ids(self.conn, _SHAPE_CLAIMS_IN, want):
            if r[8] == _REJECTED:
                continue
            cid = int(r[0])
            self.claims[cid] = r
            self.key[cid] = key(r, self.kinds)[0]

    def _links(self, ids: Iterable[int]) -> None:
        want = sorted({i for i in ids if i not in self.ends})
        if not want:
            return
        mine = set(want)
        for i in want:
            self.ends[i] = {}
        got: dict[int, Any] = {}
        for sql in _LOCAL_LINKS:
            for r in _rows_for_ids(self.conn, sql, want):
                got[int(r[0])] = r
        others = set()
        for lid, r in sorted(got.items()):
            self.links[lid] = r
            a, b = int(r[1]), int(r[2])
            if a == b:
                continue
            if a in mine:
                self.ends[a].setdefault(b, []).append(r)
                others.add(b)
            if b in mine:
                self.ends[b].setdefault(a, []).append(r)
                others.add(a)
        self._claims(others)

    def _neighbours(self, x: int) -> list[tuple[int, int]]:
        """The live claims linked to ``x`` (links read), each with the relations (bits)
        of the rows scoring may use between them."""
        got = self.nb.get(x)
        if got is None:
            got = []
            for y, rows in self.ends[x].items():
                if y not in self.claims:
                    continue
                bits = 0
                for r in rows:
                    code = _REL_CODE.get(r[3])
                    analyst = _ORIGINS.get(r[5] or "machine")
                    if code is None or code < 0 or analyst is None:
                        continue
                    try:
                        conf = min(max(float(r[4] if r[4] is not None else 1.0), 0.0), 1.0)
                    except ValueError:
                        continue
                    if analyst or conf >= self.min_conf or len(rows) > 1:
                        bits |= 1 << code
                if bits:
                    got.append((y, bits))
            self.nb[x] = got
        return got

    # -- following links ------------------------------------------------------
    def _expand(self, claims: set[int]) -> set[int]:
        """``claims`` and every live claim linked to one of them."""
        self._links(claims)
        out = set(claims)
        for x in claims:
            out.update(y for y, _bits in self._neighbours(x))
        return out

    def _cross(self, claims: set[int]) -> set[int]:
        """The claims linked to ``claims`` by corroborates or contradicts (links read)."""
        out: set[int] = set()
        for x in claims:
            out.update(
                y
                for y, bits in self._neighbours(x)
                if bits & (_CORROBORATES_BIT | _CONTRADICTS_BIT)
            )
        return out

    def _closure(self, claims: set[int]) -> set[int]:
        """``claims`` with the whole independence group of each (``build_skeleton``'s
        joins: repeats, corroborates between claims of one origin)."""
        out = set(claims)
        frontier = set(claims)
        key = self.key
        while frontier:
            self._links(frontier)
            nxt: set[int] = set()
            for x in frontier:
                kx = key.get(x)
                for y, bits in self._neighbours(x):
                    if y in out:
                        continue
                    if bits & _REPEATS_BIT or (
                        bits & _CORROBORATES_BIT and kx is not None and kx == key.get(y)
                    ):
                        nxt.add(y)
            out |= nxt
            frontier = nxt
        return out


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
