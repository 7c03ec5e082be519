"""Read-side queries for the review app and the CLI.

Nothing here writes. The claims list never loads a whole case: ``claim_ids``
returns the ordered ids matching a filter (one small indexed query, a few MB for
100k claims) and ``claims_by_ids`` fetches the rows for just the ids on screen;
``claims_page`` does the same with LIMIT/OFFSET for callers that page.

"Effective" values apply the analyst's decisions over the machine's:
- a claim's source is ``claim_review.source_id`` if set, else ``claim.source_id``,
  followed through ``source.merged_into`` to the surviving source;
- a link pair's relation is the analyst row's if there is one, else the
  machine row's; relation ``none`` means rejected (listed, never counted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claimtrack.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from claimtrack.store.db import Case

SORT_COLUMNS: dict[str, str] = {
    "id": "c.id",
    "credibility": "cs.credibility",
    "probability": "cs.probability",
    "source": "lower(COALESCE(s.name_override, s.name, c.speaker, c.source_text))",
    "letter": "ss.letter",
    "stance": "c.stance",
    "hedged": "c.hedged",
    "text": "c.content_text",
    "article": "c.article_id",
    "corroborating": "COALESCE(lc.corr, 0)",
    "contradicting": "COALESCE(lc.contra, 0)",
    "status": "COALESCE(r.status, 'unreviewed')",
    "verdict": "r.verdict",
}

GRADE_LETTERS = "ABCDEF"
GRADE_DIGITS = "123456"


@dataclass(frozen=True)
class ClaimQuery:
    """Filters and order of the claims list (all filters combine with AND)."""

    source_id: int | None = None  # the (surviving) source
    article_id: int | None = None
    grade: str | None = None  # "B", "2", "B2", "AB12": source letters and/or credibility
    contested: bool = False  # has at least one contradicting link
    unreviewed: bool = False
    search: str | None = None  # case-insensitive substring of the claim or its source
    sort: str = "id"
    descending: bool = False

    def describe(self) -> str:
        parts = []
        if self.source_id is not None:
            parts.append(f"source {self.source_id}")
        if self.article_id is not None:
            parts.append(f"article {self.article_id}")
        if self.grade:
            parts.append(f"grade {self.grade}")
        if self.contested:
            parts.append("contested")
        if self.unreviewed:
            parts.append("unreviewed")
        if self.search:
            parts.append(f"“{self.search}”")
        return ", ".join(parts)


@dataclass(frozen=True)
class ClaimListRow:
    id: int
    article_id: int
    article_title: str | None
    ordinal: int
    text: str
    source_id: int | None
    source_name: str | None
    letter: str | None
    credibility: int | None
    probability: float | None
    stance: str
    hedged: bool
    status: str
    verdict: str | None
    corroborating: int = 0
    contradicting: int = 0
    repeats: int = 0

    @property
    def grade(self) -> str:
        return f"{self.letter or '-'}{self.credibility if self.credibility is not None else '-'}"


@dataclass(frozen=True)
class ClaimPage:
    rows: list[ClaimListRow]
    total: int
    offset: int


@dataclass(frozen=True)
class SpanMark:
    """A span relative to the paragraph: kind is ``source``, ``cue`` or ``content``."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceCard:
    id: int
    name: str
    kind: str
    affiliation: str | None
    role: str | None
    letter: str | None
    reliability: float | None
    confirmed: int
    refuted: int
    claim_count: int
    other_claims: list[tuple[int, str]]  # (claim id, text), a few
    overridden: bool = False  # the analyst attributed this claim to it


@dataclass(frozen=True)
class LinkItem:
    link_id: int  # the row that decides (analyst row if any)
    other_id: int
    relation: str  # effective relation; "none" = rejected
    origin: str
    confidence: float
    reason: str
    version: int
    other_text: str
    other_source: str | None
    other_article_id: int
    machine_relation: str | None = None
    original_claim_id: int | None = None

    @property
    def analyst_version(self) -> int:
        return self.version if self.origin == "analyst" else 0


@dataclass(frozen=True)
class ScoreView:
    probability: float
    credibility: int
    low: float
    high: float
    contributions: list[tuple[str, float, str | None]]  # (label, log-odds weight, group)
    logodds: float | None = None  # the stored log-odds (the weights sum to it)


@dataclass(frozen=True)
class ClaimDetail:
    id: int
    article_id: int
    article_title: str | None
    outlet: str | None
    published: str | None
    ordinal: int
    text: str
    source_text: str | None
    cue_text: str | None
    stance: str
    hedged: bool
    hedges: list[str]
    quote: str
    confidence: float
    paragraph: str
    paragraph_start: int
    marks: list[SpanMark]
    source: SourceCard | None
    machine_source_id: int | None
    links: list[LinkItem]
    score: ScoreView | None
    status: str
    verdict: str | None
    note: str | None
    review_version: int  # 0 = no decision yet
    article_path: str | None = None
    article_url: str | None = None
    extractor: str | None = None
    extractor_version: str | None = None
    content_start: int = 0  # absolute offsets of the whole content span
    content_end: int = 0


@dataclass(frozen=True)
class SourceListRow:
    id: int
    name: str
    kind: str
    affiliation: str | None
    letter: str | None
    reliability: float | None
    confirmed: int
    refuted: int
    claims: int


@dataclass(frozen=True)
class ArticleListRow:
    id: int
    title: str | None
    outlet: str | None
    published: str | None
    claims: int
    size: int


@dataclass(frozen=True)
class ArticleClaim:
    id: int
    ordinal: int
    text: str
    source_name: str | None
    grade: str
    status: str
    marks: list[SpanMark] = field(default_factory=list)  # absolute offsets


@dataclass(frozen=True)
class ArticleView:
    id: int
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    text: str
    claims: list[ArticleClaim]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def merge_roots(conn: Connection) -> dict[int, int]:
    """{merged source id: surviving source id} for every merged source."""
    from sqlalchemy import text

    parent = {
        int(r[0]): int(r[1])
        for r in conn.execute(
            text("SELECT id, merged_into FROM source WHERE merged_into IS NOT NULL")
        )
    }
    roots: dict[int, int] = {}
    for sid in parent:
        seen = {sid}
        root = parent[sid]
        while root in parent and root not in seen:
            seen.add(root)
            root = parent[root]
        roots[sid] = root
    return roots


def _source_expr(roots: Mapping[int, int]) -> str:
    eff = "COALESCE(r.source_id, c.source_id)"
    if not roots:
        return eff
    whens = " ".join(f"WHEN {int(k)} THEN {int(v)}" for k, v in sorted(roots.items()))
    return f"(CASE {eff} {whens} ELSE {eff} END)"


def parse_grade(grade: str) -> tuple[set[str], set[int]]:
    """``"B2"`` -> ({"B"}, {2}); letters are source letters, digits credibility."""
    letters: set[str] = set()
    digits: set[int] = set()
    for ch in grade.replace(" ", "").upper():
        if ch in GRADE_LETTERS:
            letters.add(ch)
        elif ch in GRADE_DIGITS:
            digits.add(int(ch))
        else:
            raise UsageError(
                f"bad grade {grade!r}: use source letters A-F and/or credibility 1-6 (e.g. B2)"
            )
    return letters, digits


_EFFECTIVE_LINK = (
    "(l.origin = 'analyst' OR NOT EXISTS (SELECT 1 FROM link x WHERE x.a_id = l.a_id "
    "AND x.b_id = l.b_id AND x.origin = 'analyst'))"
)

_LCOUNT = f"""lc AS (
    SELECT cid,
           SUM(CASE WHEN relation = 'corroborates' THEN 1 ELSE 0 END) AS corr,
           SUM(CASE WHEN relation = 'contradicts' THEN 1 ELSE 0 END) AS contra
    FROM (SELECT l.a_id AS cid, l.relation FROM link l WHERE {_EFFECTIVE_LINK}
          UNION ALL
          SELECT l.b_id AS cid, l.relation FROM link l WHERE {_EFFECTIVE_LINK}) u
    GROUP BY cid
)"""


def _from_where(q: ClaimQuery, roots: Mapping[int, int]) -> tuple[str, str, dict[str, Any]]:
    """(WITH clause, FROM ... WHERE ... text, params) for a claims query."""
    if q.sort not in SORT_COLUMNS:
        raise UsageError(f"cannot sort by {q.sort!r} (use one of: {', '.join(SORT_COLUMNS)})")
    sid = _source_expr(roots)
    params: dict[str, Any] = {}
    where: list[str] = []
    with_clause = ""
    joins: list[str] = []
    if q.source_id is not None:
        where.append(f"{sid} = :source_id")
        params["source_id"] = q.source_id
    if q.article_id is not None:
        where.append("c.article_id = :article_id")
        params["article_id"] = q.article_id
    if q.grade:
        letters, digits = parse_grade(q.grade)
        if letters:
            names = [f"g_l{i}" for i in range(len(letters))]
            where.append(f"ss.letter IN ({', '.join(':' + n for n in names)})")
            params.update(dict(zip(names, sorted(letters), strict=True)))
        if digits:
            names = [f"g_d{i}" for i in range(len(digits))]
            where.append(f"cs.credibility IN ({', '.join(':' + n for n in names)})")
            params.update(dict(zip(names, sorted(digits), strict=True)))
    if q.unreviewed:
        where.append("COALESCE(r.status, 'unreviewed') = 'unreviewed'")
    if q.contested:
        contradicting = f"FROM link l WHERE l.relation = 'contradicts' AND {_EFFECTIVE_LINK}"
        where.append(f"c.id IN (SELECT l.a_id {contradicting} UNION SELECT l.b_id {contradicting})")
    if q.search and q.search.strip():
        needle = q.search.strip().lower()
        needle = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pat"] = f"%{needle}%"
        where.append(
            "(lower(c.content_text) LIKE :pat ESCAPE '\\' OR "
            "lower(COALESCE(s.name_override, s.name, c.speaker, '')) LIKE :pat ESCAPE '\\')"
        )
    # join only what the filters and the order use (the plain list is one index scan)
    used = " ".join(where) + " " + _order(q)
    need = {a for a in ("r", "s", "ss", "cs") if re.search(rf"\b{a}\.", used)}
    if need & {"s", "ss"}:
        need.add("r")  # the effective source reads claim_review
    tables = {
        "r": "LEFT JOIN claim_review r ON r.claim_id = c.id",
        "s": f"LEFT JOIN source s ON s.id = {sid}",
        "ss": f"LEFT JOIN source_score ss ON ss.source_id = {sid}",
        "cs": "LEFT JOIN claim_score cs ON cs.claim_id = c.id",
    }
    if q.sort in ("corroborating", "contradicting"):
        with_clause = "WITH " + _LCOUNT
        joins.append("LEFT JOIN lc ON lc.cid = c.id")
    joins[:0] = [tables[a] for a in ("r", "s", "ss", "cs") if a in need]
    body = "FROM claim c " + " ".join(joins)
    if where:
        body += " WHERE " + " AND ".join(where)
    return with_clause, body, params


def _order(q: ClaimQuery) -> str:
    col = SORT_COLUMNS[q.sort]
    direction = "DESC" if q.descending else "ASC"
    tail = "c.ordinal" if q.sort == "article" else "c.id"
    if q.sort == "id":
        return f"ORDER BY c.id {direction}"
    # NULLs (unscored, unattributed) last in both directions, on both backends
    return f"ORDER BY CASE WHEN {col} IS NULL THEN 1 ELSE 0 END, {col} {direction}, {tail}, c.id"


_ROW_COLUMNS = """c.id, c.article_id, a.title, c.ordinal, c.content_text,
    {sid} AS sid, COALESCE(s.name_override, s.name, c.speaker, c.source_text) AS sname,
    ss.letter, cs.credibility, cs.probability, c.stance, c.hedged,
    COALESCE(r.status, 'unreviewed'), r.verdict"""


# --------------------------------------------------------------------------
# the claims list
# --------------------------------------------------------------------------


def claim_ids(case: Case, q: ClaimQuery = ClaimQuery()) -> list[int]:
    """Every matching claim id, in the query's order (no row data)."""
    from sqlalchemy import text

    with case.engine.connect() as conn:
        roots = merge_roots(conn)
        with_clause, body, params = _from_where(q, roots)
        sql = f"{with_clause} SELECT c.id {body} {_order(q)}"
        return [int(r[0]) for r in conn.execute(text(sql), params)]


def count_claims(case: Case, q: ClaimQuery = ClaimQuery()) -> int:
    from sqlalchemy import text

    with case.engine.connect() as conn:
        roots = merge_roots(conn)
        with_clause, body, params = _from_where(q, roots)
        return int(
            conn.execute(text(f"{with_clause} SELECT COUNT(*) {body}"), params).scalar() or 0
        )


def claims_by_ids(case: Case, ids: Sequence[int]) -> list[ClaimListRow]:
    """The list rows for ``ids`` (in that order; unknown ids are skipped)."""
    from sqlalchemy import bindparam, text

    if not ids:
        return []
    with case.engine.connect() as conn:
        roots = merge_roots(conn)
        sid = _source_expr(roots)
        sql = (
            f"SELECT {_ROW_COLUMNS.format(sid=sid)} FROM claim c "
            "LEFT JOIN claim_review r ON r.claim_id = c.id "
            f"LEFT JOIN source s ON s.id = {sid} "
            f"LEFT JOIN source_score ss ON ss.source_id = {sid} "
            "LEFT JOIN claim_score cs ON cs.claim_id = c.id "
            "LEFT JOIN article a ON a.id = c.article_id "
            "WHERE c.id IN :ids"
        )
        stmt = text(sql).bindparams(bindparam("ids", expanding=True))
        raw = {int(r[0]): r for r in conn.execute(stmt, {"ids": list(ids)})}
        counts = _link_counts(conn, list(raw))
    rows = []
    for cid in ids:
        r = raw.get(cid)
        if r is None:
            continue
        corr, contra, rep = counts.get(cid, (0, 0, 0))
        rows.append(
            ClaimListRow(
                id=cid,
                article_id=int(r[1]),
                article_title=r[2],
                ordinal=int(r[3]),
                text=r[4],
                source_id=int(r[5]) if r[5] is not None else None,
                source_name=r[6],
                letter=r[7],
                credibility=int(r[8]) if r[8] is not None else None,
                probability=float(r[9]) if r[9] is not None else None,
                stance=r[10],
                hedged=bool(r[11]),
                status=r[12],
                verdict=r[13],
                corroborating=corr,
                contradicting=contra,
                repeats=rep,
            )
        )
    return rows


def claims_page(
    case: Case,
    q: ClaimQuery = ClaimQuery(),
    *,
    limit: int = 50,
    offset: int = 0,
    after: int | None = None,
) -> ClaimPage:
    """One page of the claims list, in the query's order.

    Keyset paging: pass ``after`` = the id of the last claim of the previous page
    (the page then starts right after it, however deep; ``offset`` is ignored).
    Offset paging: ``offset`` rows are skipped (simple, slower deep in a big case).
    """
    from sqlalchemy import text

    if limit < 1 or offset < 0:
        raise UsageError("page limit must be positive and offset not negative")
    with case.engine.connect() as conn:
        roots = merge_roots(conn)
        with_clause, body, params = _from_where(q, roots)
        total = int(
            conn.execute(text(f"{with_clause} SELECT COUNT(*) {body}"), params).scalar() or 0
        )
        if after is not None:
            cond, key_params = _keyset(conn, q, with_clause, body, params, after)
            joiner = " AND " if " WHERE " in body else " WHERE "
            sql = f"{with_clause} SELECT c.id {body}{joiner}{cond} {_order(q)} LIMIT :lim"
            run = {**params, **key_params, "lim": limit}
            offset = 0
        else:
            sql = f"{with_clause} SELECT c.id {body} {_order(q)} LIMIT :lim OFFSET :off"
            run = {**params, "lim": limit, "off": offset}
        ids = [int(r[0]) for r in conn.execute(text(sql), run)]
    return ClaimPage(rows=claims_by_ids(case, ids), total=total, offset=offset)


def _keyset(
    conn: Connection,
    q: ClaimQuery,
    with_clause: str,
    body: str,
    params: dict[str, Any],
    after: int,
) -> tuple[str, dict[str, Any]]:
    """The WHERE condition for "comes after claim ``after``" in the order of ``_order(q)``."""
    from sqlalchemy import text

    if q.sort == "id":
        return ("c.id < :k_id" if q.descending else "c.id > :k_id"), {"k_id": after}
    col = SORT_COLUMNS[q.sort]
    tail = "c.ordinal" if q.sort == "article" else "c.id"
    joiner = " AND " if " WHERE " in body else " WHERE "
    row = conn.execute(
        text(f"{with_clause} SELECT {col}, {tail} {body}{joiner}c.id = :k_id"),
        {**params, "k_id": after},
    ).first()
    if row is None:
        raise NotFoundError(f"claim {after} is not in this list (cannot page after it)")
    value, tail_value = row
    # within equal sort values the order is (tail, id), both ascending
    rest = "(t_tail > :k_tail OR (t_tail = :k_tail AND c.id > :k_id))".replace("t_tail", tail)
    if tail == "c.id":
        rest = "c.id > :k_id"
    key = {"k_id": after, "k_tail": tail_value, "k_val": value}
    if value is None:  # NULLs come last: only the rest of the NULLs follow
        return f"({col} IS NULL AND {rest})", key
    beyond = f"{col} < :k_val" if q.descending else f"{col} > :k_val"
    return f"({col} IS NULL OR {beyond} OR ({col} = :k_val AND {rest}))", key


def _effective_links(conn: Connection, ids: Sequence[int]) -> list[Any]:
    """Effective link rows touching ``ids``: (id, a, b, relation, origin, conf, reason,
    version, origin_claim, machine_relation)."""
    from sqlalchemy import bindparam, text

    if not ids:
        return []
    stmt = text(
        "SELECT id, a_id, b_id, relation, origin, confidence, reason, version, origin_claim_id "
        "FROM link WHERE a_id IN :ids OR b_id IN :ids ORDER BY a_id, b_id, id"
    ).bindparams(bindparam("ids", expanding=True))
    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    for r in conn.execute(stmt, {"ids": list(ids)}):
        pairs.setdefault((int(r[1]), int(r[2])), {})[r[4]] = r
    out = []
    for by_origin in pairs.values():
        chosen = by_origin.get("analyst") or by_origin.get("machine")
        if chosen is None:
            chosen = next(iter(by_origin.values()))
        machine = by_origin.get("machine")
        out.append((*chosen, machine[3] if machine is not None else None))
    return out


def _link_counts(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    wanted = set(ids)
    counts: dict[int, list[int]] = {}
    slot = {"corroborates": 0, "contradicts": 1, "repeats": 2}
    for r in _effective_links(conn, ids):
        i = slot.get(r[3])
        if i is None:
            continue
        for cid in (int(r[1]), int(r[2])):
            if cid in wanted:
                counts.setdefault(cid, [0, 0, 0])[i] += 1
    return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


# --------------------------------------------------------------------------
# one claim
# --------------------------------------------------------------------------


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (blank-line or line delimited block) around ``[start, end)``."""
    lo = text.rfind("\n", 0, max(start, 0))
    lo = 0 if lo < 0 else lo + 1
    hi = text.find("\n", max(end, start))
    hi = len(text) if hi < 0 else hi
    return lo, hi


PARAGRAPH_CONTEXT = 600  # characters kept either side of a claim in a very long paragraph


def _clip_window(text: str, p_lo: int, p_hi: int, lo: int, hi: int) -> tuple[int, int]:
    """Shrink an over-long paragraph (an article without line breaks) around the claim,
    cutting at spaces."""
    if lo - p_lo > PARAGRAPH_CONTEXT:
        cut = text.find(" ", lo - PARAGRAPH_CONTEXT, lo)
        p_lo = cut + 1 if cut >= 0 else lo - PARAGRAPH_CONTEXT
    if p_hi - hi > PARAGRAPH_CONTEXT:
        cut = text.rfind(" ", hi, hi + PARAGRAPH_CONTEXT)
        p_hi = cut if cut >= 0 else hi + PARAGRAPH_CONTEXT
    return p_lo, p_hi


def _spans(r: Any) -> list[SpanMark]:
    """Absolute span marks of a claim row (source, cue, content pieces)."""
    marks: list[SpanMark] = []
    if r.source_start is not None and r.source_end is not None:
        marks.append(SpanMark("source", int(r.source_start), int(r.source_end)))
    if r.cue_start is not None and r.cue_end is not None:
        marks.append(SpanMark("cue", int(r.cue_start), int(r.cue_end)))
    pieces: list[Any] = []
    try:
        pieces = json.loads(r.content_spans or "[]")
    except ValueError:
        pieces = []
    if pieces:
        marks.extend(SpanMark("content", int(p[0]), int(p[1])) for p in pieces)
    else:
        marks.append(SpanMark("content", int(r.content_start), int(r.content_end)))
    return marks


def _source_card(
    conn: Connection, source_id: int, claim_id: int, roots: Mapping[int, int]
) -> SourceCard | None:
    from sqlalchemy import bindparam, text

    row = conn.execute(
        text(
            "SELECT s.id, COALESCE(s.name_override, s.name), COALESCE(s.kind_override, s.kind), "
            "COALESCE(s.affiliation_override, s.affiliation), s.role, ss.letter, ss.reliability, "
            "COALESCE(ss.confirmed, 0), COALESCE(ss.refuted, 0) "
            "FROM source s LEFT JOIN source_score ss ON ss.source_id = s.id WHERE s.id = :id"
        ),
        {"id": source_id},
    ).first()
    if row is None:
        return None
    members = [source_id, *(k for k, v in roots.items() if v == source_id)]
    # two index-friendly halves: the machine's attribution (not overridden), and overrides
    machine = (
        "FROM claim c LEFT JOIN claim_review r ON r.claim_id = c.id "
        "WHERE c.source_id IN :members AND r.source_id IS NULL"
    )
    edited = "FROM claim_review r JOIN claim c ON c.id = r.claim_id WHERE r.source_id IN :members"
    count = 0
    others: list[tuple[int, str]] = []
    for part in (machine, edited):
        count += int(
            conn.execute(
                text(f"SELECT COUNT(*) {part}").bindparams(bindparam("members", expanding=True)),
                {"members": members},
            ).scalar()
            or 0
        )
        others += [
            (int(o[0]), str(o[1]))
            for o in conn.execute(
                text(
                    f"SELECT c.id, c.content_text {part} AND c.id != :cid ORDER BY c.id LIMIT 5"
                ).bindparams(bindparam("members", expanding=True)),
                {"members": members, "cid": claim_id},
            )
        ]
    others = sorted(others)[:5]
    return SourceCard(
        id=int(row[0]),
        name=row[1],
        kind=row[2],
        affiliation=row[3],
        role=row[4],
        letter=row[5],
        reliability=float(row[6]) if row[6] is not None else None,
        confirmed=int(row[7]),
        refuted=int(row[8]),
        claim_count=count,
        other_claims=others,
    )


def claim_detail(case: Case, claim_id: int) -> ClaimDetail:
    """Everything the detail pane shows about one claim."""
    from sqlalchemy import bindparam, text

    with case.engine.connect() as conn:
        r = conn.execute(
            text(
                "SELECT c.*, a.title AS a_title, a.outlet AS a_outlet, a.published AS a_published, "
                "a.text AS a_text, a.path AS a_path, a.url AS a_url, "
                "r.status AS r_status, r.verdict AS r_verdict, r.note AS r_note, "
                "r.version AS r_version, r.source_id AS r_source_id "
                "FROM claim c JOIN article a ON a.id = c.article_id "
                "LEFT JOIN claim_review r ON r.claim_id = c.id WHERE c.id = :id"
            ),
            {"id": claim_id},
        ).first()
        if r is None:
            raise NotFoundError(f"no claim {claim_id} in this case")
        roots = merge_roots(conn)
        eff = r.r_source_id if r.r_source_id is not None else r.source_id
        if eff is not None:
            eff = roots.get(int(eff), int(eff))
        card = _source_card(conn, int(eff), claim_id, roots) if eff is not None else None
        if card is not None and r.r_source_id is not None:
            card = SourceCard(**{**card.__dict__, "overridden": True})
        marks = _spans(r)
        lo = min(m.start for m in marks)
        hi = max(m.end for m in marks)
        p_lo, p_hi = paragraph_bounds(r.a_text, lo, hi)
        p_lo, p_hi = min(p_lo, lo), max(p_hi, hi)
        p_lo, p_hi = _clip_window(r.a_text, p_lo, p_hi, lo, hi)
        paragraph = r.a_text[p_lo:p_hi]
        rel = [SpanMark(m.kind, m.start - p_lo, m.end - p_lo) for m in marks]
        score_row = conn.execute(
            text(
                "SELECT probability, credibility, low, high, explanation, logodds FROM claim_score "
                "WHERE claim_id = :id"
            ),
            {"id": claim_id},
        ).first()
        score = None
        if score_row is not None:
            try:
                parts = json.loads(score_row[4] or "[]")
            except ValueError:
                parts = []
            score = ScoreView(
                probability=float(score_row[0]),
                credibility=int(score_row[1]),
                low=float(score_row[2]),
                high=float(score_row[3]),
                contributions=[
                    (str(p.get("label", "")), float(p.get("weight", 0.0)), p.get("group"))
                    for p in parts
                    if isinstance(p, dict)
                ],
                logodds=float(score_row[5]) if score_row[5] is not None else None,
            )
        raw_links = _effective_links(conn, [claim_id])
        others = sorted({int(x[2]) if int(x[1]) == claim_id else int(x[1]) for x in raw_links})
        info: dict[int, Any] = {}
        if others:
            sid = _source_expr(roots)
            stmt = text(
                "SELECT c.id, c.content_text, COALESCE(s.name_override, s.name, c.speaker, "
                "c.source_text), c.article_id FROM claim c "
                "LEFT JOIN claim_review r ON r.claim_id = c.id "
                f"LEFT JOIN source s ON s.id = {sid} WHERE c.id IN :ids"
            ).bindparams(bindparam("ids", expanding=True))
            info = {int(o[0]): o for o in conn.execute(stmt, {"ids": others})}
    order = {"contradicts": 0, "corroborates": 1, "repeats": 2, "none": 3}
    links = []
    for x in raw_links:
        other = int(x[2]) if int(x[1]) == claim_id else int(x[1])
        o = info.get(other)
        links.append(
            LinkItem(
                link_id=int(x[0]),
                other_id=other,
                relation=x[3],
                origin=x[4],
                confidence=float(x[5]),
                reason=x[6] or "",
                version=int(x[7]),
                other_text=o[1] if o is not None else "",
                other_source=o[2] if o is not None else None,
                other_article_id=int(o[3]) if o is not None else 0,
                machine_relation=x[9] if x[4] == "analyst" else None,
                original_claim_id=int(x[8]) if x[8] is not None else None,
            )
        )
    links.sort(key=lambda li: (order.get(li.relation, 9), li.other_id))
    published = r.a_published
    return ClaimDetail(
        id=int(r.id),
        article_id=int(r.article_id),
        article_title=r.a_title,
        outlet=r.a_outlet,
        published=str(published) if published is not None else None,
        ordinal=int(r.ordinal),
        text=r.content_text,
        source_text=r.source_text,
        cue_text=r.cue_text,
        stance=r.stance,
        hedged=bool(r.hedged),
        hedges=_json_list(r.hedges),
        quote=r.quote,
        confidence=float(r.confidence),
        paragraph=paragraph,
        paragraph_start=p_lo,
        marks=rel,
        source=card,
        machine_source_id=int(r.source_id) if r.source_id is not None else None,
        links=links,
        score=score,
        status=r.r_status or "unreviewed",
        verdict=r.r_verdict,
        note=r.r_note,
        review_version=int(r.r_version) if r.r_version is not None else 0,
        article_path=r.a_path,
        article_url=r.a_url,
        extractor=r.extractor,
        extractor_version=r.extractor_version,
        content_start=int(r.content_start),
        content_end=int(r.content_end),
    )


def _json_list(value: str | None) -> list[str]:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(x) for x in data] if isinstance(data, list) else []


# --------------------------------------------------------------------------
# sources and articles
# --------------------------------------------------------------------------


def sources_list(
    case: Case, *, search: str | None = None, limit: int | None = None
) -> list[SourceListRow]:
    """Surviving (unmerged) sources with their track record and claim counts, by name."""
    from sqlalchemy import text

    with case.engine.connect() as conn:
        roots = merge_roots(conn)
        sid = _source_expr(roots)
        counts: dict[int, int] = {}
        for cid, n in conn.execute(
            text(
                f"SELECT {sid}, COUNT(*) FROM claim c LEFT JOIN claim_review r "
                f"ON r.claim_id = c.id GROUP BY {sid}"
            )
        ):
            if cid is not None:
                counts[int(cid)] = counts.get(int(cid), 0) + int(n)
        params: dict[str, Any] = {}
        where = "s.merged_into IS NULL"
        if search and search.strip():
            needle = search.strip().lower().replace("%", "\\%").replace("_", "\\_")
            params["pat"] = f"%{needle}%"
            where += " AND lower(COALESCE(s.name_override, s.name)) LIKE :pat ESCAPE '\\'"
        sql = (
            "SELECT s.id, COALESCE(s.name_override, s.name), COALESCE(s.kind_override, s.kind), "
            "COALESCE(s.affiliation_override, s.affiliation), ss.letter, ss.reliability, "
            "COALESCE(ss.confirmed, 0), COALESCE(ss.refuted, 0) FROM source s "
            f"LEFT JOIN source_score ss ON ss.source_id = s.id WHERE {where} "
            "ORDER BY lower(COALESCE(s.name_override, s.name)), s.id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = conn.execute(text(sql), params).all()
    return [
        SourceListRow(
            id=int(r[0]),
            name=r[1],
            kind=r[2],
            affiliation=r[3],
            letter=r[4],
            reliability=float(r[5]) if r[5] is not None else None,
            confirmed=int(r[6]),
            refuted=int(r[7]),
            claims=counts.get(int(r[0]), 0),
        )
        for r in rows
    ]


def articles_list(case: Case) -> list[ArticleListRow]:
    from sqlalchemy import text

    with case.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.id, a.title, a.outlet, a.published, "
                "(SELECT COUNT(*) FROM claim c WHERE c.article_id = a.id), a.size "
                "FROM article a ORDER BY a.id"
            )
        ).all()
    return [
        ArticleListRow(
            id=int(r[0]),
            title=r[1],
            outlet=r[2],
            published=str(r[3]) if r[3] is not None else None,
            claims=int(r[4]),
            size=int(r[5] or 0),
        )
        for r in rows
    ]


def article_view(case: Case, article_id: int) -> ArticleView:
    """An article's full text with every claim in it (spans in absolute offsets)."""
    from sqlalchemy import text

    with case.engine.connect() as conn:
        a = conn.execute(
            text("SELECT id, title, outlet, published, url, text FROM article WHERE id = :id"),
            {"id": article_id},
        ).first()
        if a is None:
            raise NotFoundError(f"no article {article_id} in this case")
        ids = [
            int(r[0])
            for r in conn.execute(
                text("SELECT id FROM claim WHERE article_id = :id ORDER BY ordinal, id"),
                {"id": article_id},
            )
        ]
        span_rows = {
            int(r.id): r
            for r in conn.execute(
                text(
                    "SELECT id, source_start, source_end, cue_start, cue_end, content_start, "
                    "content_end, content_spans FROM claim WHERE article_id = :id"
                ),
                {"id": article_id},
            )
        }
    listed = claims_by_ids(case, ids)
    claims = [
        ArticleClaim(
            id=c.id,
            ordinal=c.ordinal,
            text=c.text,
            source_name=c.source_name,
            grade=c.grade,
            status=c.status,
            marks=_spans(span_rows[c.id]),
        )
        for c in listed
    ]
    return ArticleView(
        id=int(a[0]),
        title=a[1],
        outlet=a[2],
        published=str(a[3]) if a[3] is not None else None,
        url=a[4],
        text=a[5],
        claims=claims,
    )


def source_name(case: Case, source_id: int) -> str:
    from sqlalchemy import text

    with case.engine.connect() as conn:
        r = conn.execute(
            text("SELECT COALESCE(name_override, name) FROM source WHERE id = :id"),
            {"id": source_id},
        ).first()
    if r is None:
        raise NotFoundError(f"no source {source_id} in this case")
    return str(r[0])


def article_title(case: Case, article_id: int) -> str:
    from sqlalchemy import text

    with case.engine.connect() as conn:
        r = conn.execute(
            text("SELECT COALESCE(title, '(untitled)') FROM article WHERE id = :id"),
            {"id": article_id},
        ).first()
    if r is None:
        raise NotFoundError(f"no article {article_id} in this case")
    return str(r[0])
