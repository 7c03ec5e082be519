#!/usr/bin/env python3
"""Speed of claimtrack.scoring on a synthetic case (issue 6: 100k claims < 30 s; one article < 1 s).

    bench/score.py [--claims 100000] [--seed 7]
    bench/score.py --db case.db --claims 780000 [--seed 7]   # then: claimtrack --db case.db score


The case: articles of 10 claims each, ~3 claims per story per outlet, stories of
5-60 claims (the connected components), 2,000 sources (media, officials,
anonymous descriptors), links as a linker would leave them: each claim linked to
~1.5 others of its story (45 % corroborates, 20 % contradicts, 35 % repeats),
hedges on 30 % of claims, analyst verdicts on 0.5 %. It times (1) whole-case
rescoring (graph, source scores, claim scores) and (2) rescoring after one more
article: its 10 claims linked into three stories, affected_claims() then
score_claims(only=affected) on a graph that includes the new article.

With ``--db`` it writes a case of that size into a new SQLite case file instead,
shaped like the bench/ingest.py cases (~15.6 claims an article, ~1.8 links a
claim: 68 % repeats, 25 % corroborates, 7 % contradicts, groups of ~2.6 claims)
and with every story linked to an earlier one, so the case is one connected
component (the worst case for a rescore by components). ``claimtrack --db FILE
score`` then measures the store's rescore of it (peak RSS, CPU).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

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


INGEST_RELS = [Relation.REPEATS] * 68 + [Relation.CORROBORATES] * 25 + [Relation.CONTRADICTS] * 7


def write_case(path: str, n_claims: int, seed: int) -> None:
    """A synthetic case of ``n_claims`` claims written into a new SQLite case file."""
    import hashlib
    import sqlite3

    from claimtrack.store import Case

    if Path(path).exists():
        raise SystemExit(f"{path} exists")
    with Case.open(f"sqlite:///{path}"):
        pass  # the schema
    rng = random.Random(seed)
    sources = make_sources(rng, 2000)
    now = "2026-11-21 00:00:00"
    db = sqlite3.connect(path)
    db.executemany(
        "INSERT INTO source (id, key, name, kind, affiliation, prior, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (s.id, f"{s.kind.value}:{s.id}", s.name, s.kind.value, s.affiliation, s.prior, now)
            for s in sources
        ],
    )
    articles: list[tuple[object, ...]] = []
    claims: list[tuple[object, ...]] = []
    links: list[tuple[object, ...]] = []
    reviews: list[tuple[object, ...]] = []
    stories: list[tuple[int, int]] = []  # (first claim id, size)
    cid = article = 0
    per_article = 16

    def flush() -> None:
        db.executemany(
            "INSERT INTO article (id, content_hash, text, outlet, ingested_at) "
            "VALUES (?, ?, ?, ?, ?)",
            articles,
        )
        db.executemany(
            "INSERT INTO claim (id, article_id, ordinal, span_key, cue_text, content_text, "
            "content_start, content_end, stance, hedged, hedges, speaker, source_kind, "
            "source_id, cited_source_id) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
            claims,
        )
        db.executemany(
            "INSERT INTO link (a_id, b_id, relation, confidence, reason, origin_claim_id, "
            "created_at) VALUES (?, ?, ?, ?, 'synthetic', ?, ?)",
            links,
        )
        db.executemany(
            "INSERT INTO claim_review (claim_id, status, verdict, updated_at) "
            "VALUES (?, 'unreviewed', ?, ?)",
            reviews,
        )
        articles.clear()
        claims.clear()
        links.clear()
        reviews.clear()

    while cid < n_claims:
        size = min(rng.randint(5, 60), n_claims - cid)
        s_no = len(stories)
        first = cid + 1
        for k in range(size):
            cid += 1
            if (cid - 1) % per_article == 0:
                article += 1
                text = f"synthetic article {article}"
                outlet = f"media {1 + 5 * (article % 400)}"
                articles.append(
                    (article, hashlib.sha256(text.encode()).hexdigest(), text, outlet, now)
                )
            src = sources[rng.randrange(len(sources))]
            hedged = rng.random() < 0.3
            content = f"story {s_no}: side {s_no % 7} did thing {rng.randrange(5)}"
            cited = rng.randrange(1, 2000, 5) if rng.random() < 0.1 else None
            claims.append(
                (
                    cid,
                    article,
                    cid,
                    str(cid),
                    rng.choice(CUES),
                    content,
                    len(content),
                    "denies" if rng.random() < 0.1 else "asserts",
                    hedged,
                    f'["{rng.choice(HEDGES)}"]' if hedged else "[]",
                    src.name,
                    src.kind.value,
                    src.id,
                    cited,
                )
            )
            if rng.random() < 0.005:
                reviews.append((cid, rng.choice(["true", "false"]), now))
            if k:
                picks = [rng.randrange(first, cid) for _ in range(1 + (rng.random() < 0.8))]
                for other in sorted(set(picks)):
                    rel = rng.choice(INGEST_RELS)
                    links.append(
                        (
                            other,
                            cid,
                            rel.value,
                            round(rng.uniform(0.5, 1), 2),
                            other if rel == Relation.REPEATS else None,
                            now,
                        )
                    )
        if stories:  # one link to an earlier story: the case is one component
            back, back_size = stories[rng.randrange(len(stories))]
            links.append((back + rng.randrange(back_size), first, "corroborates", 0.6, None, now))
        stories.append((first, size))
        if len(claims) >= 50_000:
            flush()
    flush()
    db.commit()
    n = db.execute("SELECT (SELECT COUNT(*) FROM claim), (SELECT COUNT(*) FROM link)").fetchone()
    mix = dict(db.execute("SELECT relation, COUNT(*) FROM link GROUP BY relation").fetchall())
    db.close()
    print(f"{path}: {article} articles, {n[0]} claims, {n[1]} links {mix}, {len(stories)} stories")


def main() -> None:
    ap = argparse.ArgumentParser(description="time claimtrack.scoring on a synthetic case")
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", help="write the synthetic case into this new SQLite case file")
    args = ap.parse_args()
    if args.db:
        write_case(args.db, args.claims, args.seed)
        return
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
