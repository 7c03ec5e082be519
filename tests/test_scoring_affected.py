"""``affected_claims`` names every claim whose score a change moves: random cases, each
changed by a new article linked into them, a claim removed, or a link removed; the
claims whose full-case score differs are all among the affected ones (and the
affected set is a small part of the case when its stories are apart)."""

from __future__ import annotations

import random

from claimtrack.models import CaseClaim, SourceRecord, Stance
from claimtrack.scoring import DEFAULT_CONFIG, affected_claims, build_graph, score_case
from tests.scoring_cases import random_link, sources_of_each_kind


def _claim(rng: random.Random, cid: int, sources: list[SourceRecord], article: int) -> CaseClaim:
    src = sources[rng.randrange(len(sources))]
    return CaseClaim(
        id=cid,
        article_id=article,
        # some claims name a source: denials by an interested party, admissions
        content=f"story {rng.randrange(9)} side {cid % 3} did thing"
        + (f" {src.name}" if rng.random() < 0.3 else ""),
        cue=rng.choice(["said", "denied", "admitted", "may"]),
        stance=Stance.DENIES if rng.random() < 0.2 else Stance.ASSERTS,
        source_id=src.id if rng.random() < 0.8 else None,
        speaker=src.name,
        source_kind=src.kind,
        cited="media 4" if rng.random() < 0.1 else None,
        outlet=f"media {4 * (cid % 3)}",
    )


def test_every_claim_a_change_moves_is_affected() -> None:
    sizes = []
    for seed in range(45):
        rng = random.Random(seed)
        sources = sources_of_each_kind()
        n = 300
        claims = [_claim(rng, cid, sources, 1 + cid // 8) for cid in range(1, n + 1)]
        links = [random_link(rng, *rng.sample(range(1, n + 1), 2)) for _ in range(260)]
        _s, before = score_case(sources, claims, links)
        mode = seed % 3
        if mode == 0:  # a new article of three claims, each linked into the case
            new = [_claim(rng, n + k, sources, 999) for k in (1, 2, 3)]
            more = [random_link(rng, c.id, rng.randrange(1, n + 1)) for c in new for _ in range(3)]
            claims2, links2, changed = claims + new, links + more, {c.id for c in new}
        elif mode == 1:  # a claim removed: what it was linked to changed
            gone = rng.randrange(1, n + 1)
            was = build_graph(claims, links, DEFAULT_CONFIG).neighbours.get(gone, [])
            claims2, links2, changed = (
                [c for c in claims if c.id != gone],
                links,
                {o for o, _rel in was},
            )
            del before[gone]
        else:  # a link removed: its ends changed
            i = rng.randrange(len(links))
            claims2, links2, changed = claims, links[:i] + links[i + 1 :], {links[i].a, links[i].b}
        _s2, after = score_case(sources, claims2, links2)
        moved = {c for c in after if c not in before or after[c] != before[c]}
        affected = affected_claims(changed, links2, claims2)
        assert moved <= affected, (seed, sorted(moved - affected))
        sizes.append(len(affected))
    assert sum(sizes) / len(sizes) < 0.3 * 300  # not the whole case
    assert max(sizes) > 30
