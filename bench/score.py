#!/usr/bin/env python3
"""Speed of claimtrack.scoring on a synthetic case (issue 6: 100k claims < 30 s; one article < 1 s).

    bench/score.py [--claims 100000] [--seed 7]

The case: articles of 10 claims each, ~3 claims per story per outlet, stories of
5-60 claims (the connected components), 2,000 sources (media, officials,
anonymous descriptors), links as a linker would leave them: each claim linked to
~1.5 others of its story (45 % corroborates, 20 % contradicts, 35 % repeats),
hedges on 30 % of claims, analyst verdicts on 0.5 %. It times (1) whole-case
rescoring (graph, source scores, claim scores) and (2) rescoring after one more
article: its 10 claims linked into three stories, affected_claims() then
score_claims(only=affected) on a graph that includes the new article.
"""

from __future__ import annotations

import argparse
import random
import time

from claimtrack.models import (
    CaseClaim,
    Link,
    Relation,
    SourceKind,
    SourceRecord,
    Stance,
    Verdict,
)
from claimtrack.scoring import (
    DEFAULT_CONFIG,
    affected_claims,
    build_graph,
    score_claims,
    score_sources,
)

KINDS = [
    SourceKind.MEDIA,
    SourceKind.PERSON,
    SourceKind.GOVERNMENT,
    SourceKind.ANONYMOUS,
    SourceKind.ORGANIZATION,
]
RELS = [Relation.CORROBORATES] * 9 + [Relation.CONTRADICTS] * 4 + [Relation.REPEATS] * 7
HEDGES = ["may", "could", "reportedly", "allegedly", "unconfirmed"]
CUES = ["said", "told", "claimed", "suggested", "according to", "denied", "admitted"]


def make_sources(rng: random.Random, n: int) -> list[SourceRecord]:
    out = []
    for i in range(1, n + 1):
        kind = KINDS[i % len(KINDS)]
        prior = round(rng.uniform(0.4, 0.95), 2) if kind == SourceKind.MEDIA and i % 3 else None
        out.append(
            SourceRecord(
                id=i,
                name=f"{kind.value} {i}",
                kind=kind,
                prior=prior,
                affiliation=f"side {i % 7}" if i % 4 == 0 else None,
            )
        )
    return out


def make_case(
    n_claims: int, seed: int
) -> tuple[list[SourceRecord], list[CaseClaim], list[Link], list[list[int]]]:
    rng = random.Random(seed)
    sources = make_sources(rng, 2000)
    claims: list[CaseClaim] = []
    links: list[Link] = []
    stories: list[list[int]] = []
    cid = 0
    article = 0
    while cid < n_claims:
        size = min(rng.randint(5, 60), n_claims - cid)
        story = []
        s_no = len(stories)
        for _ in range(size):
            cid += 1
            if cid % 10 == 1:
                article += 1
            src = sources[rng.randrange(len(sources))]
            hedged = rng.random() < 0.3
            claims.append(
                CaseClaim(
                    id=cid,
                    article_id=article,
                    content=f"story {s_no}: side {s_no % 7} did thing {rng.randrange(5)}",
                    cue=rng.choice(CUES),
                    stance=Stance.DENIES if rng.random() < 0.1 else Stance.ASSERTS,
                    hedged=hedged,
                    hedges=(rng.choice(HEDGES),) if hedged else (),
                    source_id=src.id,
                    speaker=src.name,
                    source_kind=src.kind,
                    affiliation=src.affiliation,
                    cited=f"media {rng.randrange(1, 2000, 5)}" if rng.random() < 0.1 else None,
                    outlet=f"media {1 + 5 * (article % 400)}",
                    verdict=rng.choice([Verdict.TRUE, Verdict.FALSE])
                    if rng.random() < 0.005
                    else None,
                )
            )
            story.append(cid)
        for i, c in enumerate(story[1:], start=1):
            for _ in range(1 + (rng.random() < 0.5)):
                other = story[rng.randrange(i)]
                rel = rng.choice(RELS)
                links.append(
                    Link(
                        a=other,
                        b=c,
                        relation=rel,
                        confidence=round(rng.uniform(0.5, 1), 2),
                        reason="synthetic",
                        origin_claim=other if rel == Relation.REPEATS else None,
                    )
                )
        stories.append(story)
    return sources, claims, links, stories


def main() -> None:
    ap = argparse.ArgumentParser(description="time claimtrack.scoring on a synthetic case")
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    cfg = DEFAULT_CONFIG
    sources, claims, links, stories = make_case(args.claims, args.seed)
    print(
        f"case: {len(claims)} claims, {len(links)} links, {len(sources)} sources, "
        f"{len(stories)} stories, {sum(c.verdict is not None for c in claims)} verdicts"
    )

    c0 = time.process_time()
    t0 = time.perf_counter()
    graph = build_graph(claims, links, cfg)
    t1 = time.perf_counter()
    src = score_sources(sources, claims, (), cfg, graph=graph)
    t2 = time.perf_counter()
    scores = score_claims(claims, (), src, cfg, sources=sources, graph=graph)
    t3 = time.perf_counter()
    c3 = time.process_time()
    print(
        f"whole case: {t3 - t0:.2f} s wall, {c3 - c0:.2f} s CPU (graph {t1 - t0:.2f}, sources {t2 - t1:.2f}, "
        f"claims {t3 - t2:.2f}); {len(scores)} claim scores, "
        f"{sum(len(s.contributions) for s in scores.values())} explanation rows"
    )

    # one more article: 10 claims linked into three existing stories
    rng = random.Random(args.seed + 1)
    n = len(claims)
    new = []
    new_links = []
    targets = [stories[rng.randrange(len(stories))] for _ in range(3)]
    for k in range(10):
        s = sources[rng.randrange(len(sources))]
        cid = n + 1 + k
        new.append(
            CaseClaim(
                id=cid,
                article_id=10**6,
                content=f"new claim {k}",
                cue="said",
                source_id=s.id,
                speaker=s.name,
                source_kind=s.kind,
                outlet="media 1",
            )
        )
        story = targets[k % 3]
        for _ in range(2):
            new_links.append(
                Link(
                    a=story[rng.randrange(len(story))],
                    b=cid,
                    relation=rng.choice(RELS),
                    confidence=0.8,
                    reason="new",
                )
            )
    claims2 = claims + new
    links2 = links + new_links
    # the store's path (claimtrack.store.scores.rescore_claims): the connected components
    # of the new claims are loaded, their graph built, the affected claims rescored
    region = {c for s in targets for c in s} | {c.id for c in new}
    sub_claims = [c for c in claims2 if c.id in region]
    sub_links = [lk for lk in links2 if lk.a in region and lk.b in region]
    c7 = time.process_time()
    t7 = time.perf_counter()
    g3 = build_graph(sub_claims, sub_links, cfg)
    aff3 = affected_claims({c.id for c in new}, (), graph=g3)
    part3 = score_claims(sub_claims, (), src, cfg, sources=sources, only=aff3, graph=g3)
    t8 = time.perf_counter()
    c8 = time.process_time()
    print(
        f"one article (10 claims, {len(new_links)} links into 3 stories): "
        f"{t8 - t7:.3f} s wall, {c8 - c7:.3f} s CPU "
        f"({len(sub_claims)} claims in its components, {len(aff3)} rescored)"
    )
    # the same from an in-memory graph of the whole case, rebuilt (for reference)
    t4 = time.perf_counter()
    graph2 = build_graph(claims2, links2, cfg)
    t5 = time.perf_counter()
    affected = affected_claims({c.id for c in new}, (), graph=graph2)
    part = score_claims(claims2, (), src, cfg, sources=sources, only=affected, graph=graph2)
    t6 = time.perf_counter()
    assert affected == aff3 and all(part3[c] == part[c] for c in aff3)
    print(
        f"  (with the whole case's graph rebuilt in memory: graph {t5 - t4:.2f} s, "
        f"affected + rescore {t6 - t5:.3f} s; same scores)"
    )


if __name__ == "__main__":
    main()
