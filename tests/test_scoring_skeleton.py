"""The skeleton (compact groups, adjacency, regions) agrees with ``build_graph``, and a
region's claims score a chunk of groups exactly as the whole case scores them."""

from __future__ import annotations

import random

import numpy as np

from claimtrack.models import CaseClaim, Link, SourceRecord, Stance, Verdict
from claimtrack.scoring import (
    DEFAULT_CONFIG,
    affected_claims,
    build_graph,
    score_case,
    score_claims,
)
from claimtrack.scoring.graph import origin_key, resolve_links
from claimtrack.scoring.skeleton import REL_CODE, build_skeleton
from tests.scoring_cases import random_link, sources_of_each_kind


def _case(seed: int) -> tuple[list[SourceRecord], list[CaseClaim], list[Link]]:
    rng = random.Random(seed)
    sources = sources_of_each_kind()
    claims = []
    for cid in range(1, 121):
        src = sources[rng.randrange(len(sources))]
        claims.append(
            CaseClaim(
                id=cid,
                article_id=1 + cid // 8,
                content=f"story {cid % 9} side {cid % 3} did thing",
                cue=rng.choice(["said", "denied", "admitted", "may"]),
                stance=Stance.DENIES if rng.random() < 0.15 else Stance.ASSERTS,
                source_id=src.id if rng.random() < 0.8 else None,
                speaker=src.name,
                source_kind=src.kind,
                cited="media 4" if rng.random() < 0.1 else None,
                outlet=f"media {4 * (cid % 3)}",
                verdict=Verdict.TRUE if cid in (17, 60) else None,
            )
        )
    links = [random_link(rng, *rng.sample(range(1, 121), 2)) for _ in range(220)]
    return sources, claims, links


def test_skeleton_groups_adjacency_and_regions_agree_with_the_whole_case() -> None:
    for seed in range(4):
        sources, claims, links = _case(seed)
        graph = build_graph(claims, links, DEFAULT_CONFIG)
        ids = np.array(sorted(c.id for c in claims), dtype=np.int64)
        pos = {int(c): i for i, c in enumerate(ids)}
        interned: dict[str, int] = {}
        keys = []
        for cid in ids.tolist():
            key = origin_key(graph.claims[cid])
            keys.append(-1 if key is None else interned.setdefault(key, len(interned)))
        resolved = resolve_links(links)
        pa = np.array([pos[a] for a, _b in resolved], dtype=np.int64)
        pb = np.array([pos[b] for _a, b in resolved], dtype=np.int64)
        rel = np.array([REL_CODE[lk.relation] for lk in resolved.values()], dtype=np.int8)
        skel = build_skeleton(ids, keys, pa, pb, rel)
        assert {int(ids[i]): int(ids[skel.root[i]]) for i in range(len(ids))} == graph.group_of
        for gid, members in graph.members.items():
            root = pos[gid]
            assert ids[skel.members(np.array([root]))].tolist() == members
            adjacent = set(ids[skel.adjacent(np.array([root]))].tolist()) - {gid}
            assert adjacent == set(graph.adjacency.get(gid, {}))
        changed = [3, 17, 90]
        got = set(ids[skel.members(skel.affected(skel.positions(changed)))].tolist())
        assert got == affected_claims(changed, (), graph=graph)

        whole_sources, whole = score_case(sources, claims, links)
        roots = np.flatnonzero(skel.root == np.arange(len(ids)))
        seen: list[int] = []
        for chunk in skel.chunks(roots, 10):
            region = set(ids[skel.region(chunk)].tolist())
            part_claims = [c for c in claims if c.id in region]
            part_links = [lk for lk in links if lk.a in region and lk.b in region]
            only = ids[skel.members(chunk)].tolist()
            part_graph = build_graph(part_claims, part_links, DEFAULT_CONFIG)
            part = score_claims(
                part_claims,
                (),
                whole_sources,
                DEFAULT_CONFIG,
                sources=sources,
                only=only,
                graph=part_graph,
            )
            assert part == {c: whole[c] for c in only}
            seen += only
        assert sorted(seen) == sorted(whole)
