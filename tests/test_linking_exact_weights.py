"""Concept weights sum to the same float in any order.

A claim's concepts are a frozenset whose iteration order follows the hash seed of
the process that built or unpickled it (an ingest worker, the writer), so the
index and the judge must not depend on the order they sum weights in: every
weight, static or discounted by the case, lies on a grid where sums are exact.
"""

from __future__ import annotations

import random

from claimtrack.linking import LinkIndex
from claimtrack.linking.text import claim_features, exact_weight, lexicon
from tests.test_linking_index import synthetic

TEXT = (
    "New Jersey Governor Chris Christie said the bridge closures in Fort Lee were "
    "ordered by aides without his knowledge, and that 300 investigators in Trenton "
    "and Washington would examine the emails of the Port Authority."
)


def _sums(weights: list[float], rng: random.Random) -> set[float]:
    out = set()
    for _ in range(200):
        rng.shuffle(weights)
        out.add(sum(weights))
    return out


def test_static_weights_sum_the_same_in_any_order() -> None:
    lex = lexicon()
    concepts = sorted(claim_features_of(TEXT))
    assert len(concepts) >= 15
    weights = [lex.weight(c) for c in concepts]
    assert len(_sums(weights, random.Random(1))) == 1


def test_case_discounted_weights_sum_the_same_in_any_order() -> None:
    index = LinkIndex()
    claims = synthetic(400, seed=3)
    index.add(claims)
    concepts = sorted({c for cl in claims[:60] for c in claim_features(cl).text.concepts})
    weights = index.weights(concepts)
    # the case discounts some of them (else this test would not test the discount)
    assert any(weights[c] != lexicon().weight(c) for c in concepts)
    assert len(_sums(list(weights.values()), random.Random(2))) == 1


def test_exact_weight_is_the_nearest_grid_point() -> None:
    assert exact_weight(1.0) == 1.0
    assert exact_weight(0.1) == 6554 / 65536
    assert exact_weight(2.0 + 1 / 200000) == 2.0


def claim_features_of(text: str) -> frozenset[str]:
    from claimtrack.models import CaseClaim

    return claim_features(CaseClaim(id=1, article_id=1, content=text)).text.concepts
