"""The link graph as scoring sees it: resolved links, independence groups, group adjacency.

- Links are unordered pairs. For one pair an analyst link beats machine links
  (relation ``none`` = the analyst rejected the pair: no link); among links of
  the same origin the most confident wins (ties: relation name, reason).
- **Independence groups**: claims joined by ``repeats`` links, and claims joined
  by ``corroborates`` links that come from the same origin (the same cited report,
  the same named speaker, or for impersonal claims the same outlet), are one
  group: they count once.
- **Group adjacency**: ``corroborates`` (+1) and ``contradicts`` (-1) links between
  two groups; several links between the same pair of groups vote with their
  confidence, the winning sign keeps its highest confidence.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from claimtrack.models import CaseClaim, Link, Origin, Relation, SourceKind
from claimtrack.scoring.config import ScoringConfig
from claimtrack.scoring.text import words

_ANONYMOUS = SourceKind.ANONYMOUS
_UNKNOWN = SourceKind.UNKNOWN
_ANALYST = Origin.ANALYST
_NONE = Relation.NONE
_REPEATS = Relation.REPEATS
_CORROBORATES = Relation.CORROBORATES
_CONTRADICTS = Relation.CONTRADICTS


@lru_cache(maxsize=65536)
def _norm(name: str) -> str | None:
    ws = words(name)
    if ws and ws[0] == "the":
        ws = ws[1:]
    return " ".join(ws) or None


def norm_name(name: str | None) -> str | None:
    """Lower-cased words of a name without a leading "the" (None for nothing)."""
    return _norm(name) if name else None


def origin_key(c: CaseClaim) -> str | None:
    """Who a claim ultimately comes from: the cited report, else a named speaker, else
    (an impersonal claim: the article's own "reportedly") the outlet that published it.
    Anonymous speakers have no key: two of them are never known to be one."""
    return origin_of(c.cited, c.source_kind, c.source_id, c.speaker, c.outlet)


def origin_of(
    cited: str | None,
    kind: SourceKind,
    source_id: int | None,
    speaker: str | None,
    outlet: str | None,
) -> str | None:
    """``origin_key`` from a claim's fields (for callers that hold no CaseClaim)."""
    if cited:
        return norm_name(cited)
    if kind is _ANONYMOUS:
        return None
    if source_id is not None:
        return f"#{source_id}"
    if speaker:
        return None if kind is _UNKNOWN else norm_name(speaker)
    return norm_name(outlet)


def _rank(link: Link) -> tuple[bool, float, str, str]:
    return (link.origin is _ANALYST, link.confidence, str(link.relation), link.reason)


def resolve_links(
    links: Iterable[Link], min_confidence: float = 0.0
) -> dict[tuple[int, int], Link]:
    """One effective link per unordered pair (analyst beats machine; ``none`` removes)."""
    best: dict[tuple[int, int], Link] = {}
    for link in links:
        a, b = link.a, link.b
        if a == b:
            continue
        pair = (a, b) if a < b else (b, a)
        cur = best.get(pair)
        if cur is None or _rank(link) > _rank(cur):
            best[pair] = link
    out: dict[tuple[int, int], Link] = {}
    for pair in sorted(best):
        link = best[pair]
        if link.relation is _NONE:
            continue
        if link.origin is not _ANALYST and link.confidence < min_confidence:
            continue
        out[pair] = link
    return out


@dataclass(slots=True)
class GroupEdge:
    signed: float = 0.0
    pos: float = 0.0  # highest confidence of a corroborating link
    neg: float = 0.0  # highest confidence of a contradicting link
    pos_link: tuple[int, int] | None = None
    neg_link: tuple[int, int] | None = None

    def sign_conf(self) -> tuple[int, float, tuple[int, int] | None]:
        if self.signed > 0:
            return 1, self.pos, self.pos_link
        if self.signed < 0:
            return -1, self.neg, self.neg_link
        return 0, 0.0, None


@dataclass
class CaseGraph:
    """Groups and adjacency of one case (or of the part of it handed in)."""

    claims: dict[int, CaseClaim]
    links: dict[tuple[int, int], Link]
    group_of: dict[int, int]  # claim id -> group id (the smallest claim id in it)
    members: dict[int, list[int]]  # group id -> sorted claim ids
    adjacency: dict[int, dict[int, GroupEdge]]  # group id -> neighbour group -> edge
    neighbours: dict[int, list[tuple[int, Relation]]] = field(default_factory=dict)
    origin_claims: dict[int, int] = field(default_factory=dict)  # group -> original claim

    def group_neighbours(self, gid: int) -> list[tuple[int, int, float, tuple[int, int] | None]]:
        """(neighbour group, sign, confidence, link pair) sorted by neighbour group id."""
        out = []
        for h, edge in sorted(self.adjacency.get(gid, {}).items()):
            s, conf, pair = edge.sign_conf()
            if s:
                out.append((h, s, conf, pair))
        return out


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (scoring allocates many small acyclic objects;
    collections triggered by them cost a third of the time on a large case)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build_graph(
    claims: Sequence[CaseClaim] | dict[int, CaseClaim],
    links: Iterable[Link],
    config: ScoringConfig,
) -> CaseGraph:
    with no_gc():
        return _build_graph(claims, links, config)


def _build_graph(
    claims: Sequence[CaseClaim] | dict[int, CaseClaim],
    links: Iterable[Link],
    config: ScoringConfig,
) -> CaseGraph:
    by_id = dict(claims) if isinstance(claims, dict) else {c.id: c for c in claims}
    resolved = resolve_links(links, config.min_link_confidence)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while True:
            p = parent.get(root, root)
            if p == root:
                break
            root = p
        while x != root:
            nxt = parent.get(x, x)
            parent[x] = root
            x = nxt
        return root

    def union(x: int, y: int) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            if rx < ry:
                parent[ry] = rx
            else:
                parent[rx] = ry

    neighbours: dict[int, list[tuple[int, Relation]]] = {}
    keys: dict[int, str | None] = {}
    usable: list[tuple[int, int, Link]] = []
    origins: list[tuple[int, int]] = []
    for pair, link in resolved.items():
        a, b = pair
        ca, cb = by_id.get(a), by_id.get(b)
        if ca is None or cb is None:
            continue
        rel = link.relation
        usable.append((a, b, link))
        if a in neighbours:
            neighbours[a].append((b, rel))
        else:
            neighbours[a] = [(b, rel)]
        if b in neighbours:
            neighbours[b].append((a, rel))
        else:
            neighbours[b] = [(a, rel)]
        if rel is _REPEATS:
            union(a, b)
            oc = link.origin_claim
            if oc is not None and (oc in (a, b)):
                origins.append((a, oc))
        elif rel is _CORROBORATES:
            ka = keys[a] if a in keys else keys.setdefault(a, origin_key(ca))
            kb = keys[b] if b in keys else keys.setdefault(b, origin_key(cb))
            if ka is not None and ka == kb:
                union(a, b)
    group_of: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for cid in sorted(by_id):
        g = find(cid)
        group_of[cid] = g
        members.setdefault(g, []).append(cid)
    adjacency: dict[int, dict[int, GroupEdge]] = {}
    for a, b, link in usable:
        rel = link.relation
        if rel is not _CORROBORATES and rel is not _CONTRADICTS:
            continue
        ga, gb = group_of[a], group_of[b]
        if ga == gb:
            continue
        conf = 1.0 if link.origin is _ANALYST else link.confidence
        for x, y in ((ga, gb), (gb, ga)):
            row = adjacency.get(x)
            if row is None:
                row = adjacency[x] = {}
            edge = row.get(y)
            if edge is None:
                edge = row[y] = GroupEdge()
            if rel is _CORROBORATES:
                edge.signed += conf
                if conf > edge.pos:
                    edge.pos, edge.pos_link = conf, (a, b)
            else:
                edge.signed -= conf
                if conf > edge.neg:
                    edge.neg, edge.neg_link = conf, (a, b)
    origin_claims: dict[int, int] = {}
    for a, oc in sorted(origins):
        g = group_of[a]
        if g not in origin_claims or oc < origin_claims[g]:
            origin_claims[g] = oc
    for lst in neighbours.values():
        lst.sort()
    return CaseGraph(
        claims=by_id,
        links=resolved,
        group_of=group_of,
        members=members,
        adjacency=adjacency,
        neighbours=neighbours,
        origin_claims=origin_claims,
    )


def dependents(graph: CaseGraph, seeds: Iterable[int]) -> set[int]:
    """Claims whose score can change when ``seeds`` (claims or link ends) change.

    A claim's score reads its own group and the groups adjacent to it, and each
    member's weight reads the claims it is linked to. So the claims affected by
    a change at claim ``s`` are the members of the groups of ``s`` and of its
    linked claims, and of the groups adjacent to those.
    """
    touched: set[int] = set()
    for s in seeds:
        if s not in graph.group_of:
            continue
        touched.add(graph.group_of[s])
        for other, _rel in graph.neighbours.get(s, ()):
            touched.add(graph.group_of[other])
    groups = set(touched)
    for g in touched:
        groups.update(graph.adjacency.get(g, {}))
    out: set[int] = set()
    for g in groups:
        out.update(graph.members[g])
    return out
