"""Grouping claims by proposition, and the origin -> echoes chains.

- A proposition is a connected component of the claims over ``corroborates`` and
  ``repeats`` links.
- A claim whose only links are ``contradicts`` is not a proposition of its own:
  it is attached to every proposition it contradicts (a denial shows up under
  what it denies). When two such claims only contradict each other, the one
  that asserts (then the earliest) becomes the proposition.
- Propositions that contradict each other list each other's claims.
- Inside a proposition, ``repeats`` links form chains from the original report
  to its echoes (``Link.origin_claim``; without it the earliest claim is taken
  as the original).

Everything is deterministic: claims are ordered by (published date, article,
position, id), undated claims last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from claimtrack.models import Relation, Stance
from claimtrack.report.data import ReportArticle, ReportClaim, ReportData, ReportLink

_SUPPORT = (Relation.CORROBORATES, Relation.REPEATS)


@dataclass(frozen=True)
class ChainStep:
    claim_id: int
    depth: int  # 0 = the original report, 1 = repeats it, 2 = repeats a repeat...


@dataclass(frozen=True)
class Proposition:
    number: int  # 1-based, in report order
    head: int  # the claim that names the proposition
    members: tuple[int, ...]  # corroborating/repeating claims, in claim order
    contradictions: tuple[int, ...]  # claims contradicting any member, in claim order
    chains: tuple[tuple[ChainStep, ...], ...]  # repeats chains (each >= 2 claims)
    echoes: frozenset[int]  # members that repeat another member

    @property
    def size(self) -> int:
        return len(self.members) + len(self.contradictions)


@dataclass(frozen=True)
class Grouping:
    propositions: tuple[Proposition, ...]
    by_claim: Mapping[int, tuple[int, ...]]  # claim id -> numbers of its propositions
    contradicted_by: Mapping[int, tuple[int, ...]]  # claim id -> claims contradicting it


def claim_order_key(
    claim: ReportClaim, articles: Mapping[int, ReportArticle]
) -> tuple[date, int, int, int]:
    art = articles.get(claim.article_id)
    published = art.published if art is not None and art.published is not None else date.max
    return (published, claim.article_id, claim.ordinal, claim.id)


def effective_links(links: Iterable[ReportLink], claim_ids: set[int]) -> list[ReportLink]:
    """Links between known claims that still hold (analyst rejections dropped), sorted."""
    out = [
        ln
        for ln in links
        if ln.relation != Relation.NONE and ln.a in claim_ids and ln.b in claim_ids and ln.a != ln.b
    ]
    out.sort(key=lambda ln: (min(ln.a, ln.b), max(ln.a, ln.b), ln.relation.value))
    return out


class _UnionFind:
    def __init__(self, items: Iterable[int]) -> None:
        self.parent = {i: i for i in items}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group(data: ReportData) -> Grouping:
    articles = {a.id: a for a in data.articles}
    claims = {c.id: c for c in data.claims}
    order = {
        c.id: i
        for i, c in enumerate(sorted(data.claims, key=lambda c: claim_order_key(c, articles)))
    }
    links = effective_links(data.links, set(claims))

    uf = _UnionFind(claims)
    contra: dict[int, set[int]] = defaultdict(set)
    has_support: set[int] = set()
    for ln in links:
        if ln.relation in _SUPPORT:
            uf.union(ln.a, ln.b)
            has_support.update((ln.a, ln.b))
        elif ln.relation == Relation.CONTRADICTS:
            contra[ln.a].add(ln.b)
            contra[ln.b].add(ln.a)

    components: dict[int, list[int]] = defaultdict(list)
    for cid in claims:
        components[uf.find(cid)].append(cid)
    for members in components.values():
        members.sort(key=order.__getitem__)

    # Which components are propositions; which lone contradicting claims attach.
    is_prop: dict[int, bool] = {}
    pending: list[int] = []
    for root, members in components.items():
        if len(members) > 1 or not contra.get(members[0]):
            is_prop[root] = True
        else:
            pending.append(members[0])
    pending.sort(key=lambda cid: (claims[cid].stance != Stance.ASSERTS, order[cid]))
    attached: dict[int, set[int]] = defaultdict(set)  # component root -> attached claims
    for cid in pending:
        targets = {uf.find(o) for o in contra[cid] if is_prop.get(uf.find(o))}
        if targets:
            for t in targets:
                attached[t].add(cid)
        else:
            is_prop[uf.find(cid)] = True

    roots = [r for r, p in is_prop.items() if p]

    contradictions: dict[int, tuple[int, ...]] = {}
    for root in roots:
        member_set = set(components[root])
        found: set[int] = set(attached.get(root, ()))
        for m in member_set:
            found.update(o for o in contra.get(m, ()) if o not in member_set)
        contradictions[root] = tuple(sorted(found, key=order.__getitem__))

    def sort_key(root: int) -> tuple[int, int]:
        comp = components[root]
        return (-(len(comp) + len(contradictions[root])), order[comp[0]])

    roots.sort(key=sort_key)

    repeats_by_comp: dict[int, list[ReportLink]] = defaultdict(list)
    for ln in links:
        if ln.relation == Relation.REPEATS:
            repeats_by_comp[uf.find(ln.a)].append(ln)

    props: list[Proposition] = []
    by_claim: dict[int, list[int]] = defaultdict(list)
    for number, root in enumerate(roots, start=1):
        prop_members = tuple(components[root])
        chains, echoes = _chains(repeats_by_comp.get(root, []), order)
        preferred = [
            m for m in prop_members if claims[m].stance == Stance.ASSERTS and m not in echoes
        ]
        asserting = [m for m in prop_members if claims[m].stance == Stance.ASSERTS]
        head = (preferred or asserting or list(prop_members))[0]
        prop = Proposition(
            number=number,
            head=head,
            members=prop_members,
            contradictions=contradictions[root],
            chains=chains,
            echoes=echoes,
        )
        props.append(prop)
        for cid in prop_members:
            by_claim[cid].append(number)
        for cid in prop.contradictions:
            if not is_prop.get(uf.find(cid)):
                by_claim[cid].append(number)

    contradicted_by = {
        cid: tuple(sorted(others, key=order.__getitem__)) for cid, others in contra.items()
    }
    return Grouping(
        propositions=tuple(props),
        by_claim={k: tuple(v) for k, v in by_claim.items()},
        contradicted_by=contradicted_by,
    )


def _chains(
    repeats: list[ReportLink], order: Mapping[int, int]
) -> tuple[tuple[tuple[ChainStep, ...], ...], frozenset[int]]:
    """Origin -> echoes trees from ``repeats`` links, flattened depth-first."""
    if not repeats:
        return (), frozenset()
    children: dict[int, list[int]] = defaultdict(list)
    parent: dict[int, int] = {}
    nodes: set[int] = set()
    for ln in sorted(repeats, key=lambda ln: (order[ln.a], order[ln.b])):
        if ln.origin_claim in (ln.a, ln.b):
            origin = ln.origin_claim
        else:
            origin = ln.a if order[ln.a] <= order[ln.b] else ln.b
        echo = ln.b if origin == ln.a else ln.a
        nodes.update((ln.a, ln.b))
        if echo in parent:  # an echo of two originals: keep the first, still one group
            continue
        parent[echo] = origin
        children[origin].append(echo)

    seen: set[int] = set()
    chains: list[tuple[ChainStep, ...]] = []
    starts = sorted((n for n in nodes if n not in parent), key=order.__getitem__)
    # cycles (a repeats b repeats a) have no start: begin at their earliest claim
    rest = sorted(nodes, key=order.__getitem__)
    for start in [*starts, *rest]:
        if start in seen:
            continue
        steps: list[ChainStep] = []
        stack = [(start, 0)]
        while stack:
            node, depth = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            steps.append(ChainStep(node, depth))
            for child in sorted(children.get(node, ()), key=order.__getitem__, reverse=True):
                stack.append((child, depth + 1))
        if len(steps) > 1:
            chains.append(tuple(steps))
    echoes = frozenset(s.claim_id for chain in chains for s in chain if s.depth > 0)
    return tuple(chains), echoes
