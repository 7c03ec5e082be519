"""The index leaves unjudged the candidates that cannot enter a claim's kept links
(``LinkIndex._judge``): the links are exactly those of judging every live candidate."""

from __future__ import annotations

import random
import sys

import pytest

from claimtrack.linking import LinkIndex
from claimtrack.models import CaseClaim, Link, Stance

index_module = sys.modules["claimtrack.linking.index"]

SENTENCES = [
    "Russia's negotiations with Iran over 300 km missiles stalled on Monday",
    "Negotiators said the talks in Tehran about missiles went on",
    "The U.S. denied that Russian warships arrived in Tobruk",
    "Warships of Russia arrived in Tobruk, Libya, officials said",
    "2,000 troops were sent to Benghazi; the troops' supplies arrived late",
    "Iran's drones, Iranian drones and the drone programme",
    "Russia is not negotiating with Iran over missiles, Moscow said",
    "Reuters reported that 120 km missiles were moved to Libya",
]
SPEAKERS = [None, "Ben Wallace", "Reuters", "a senior official"]


def _rounds(n_base: int, rounds: int, seed: int) -> list[CaseClaim]:
    """A case like the ingest bench's: base articles of a few claims each (pieces of
    the sentences above), then the same articles again in later rounds (the same
    texts, new ids and articles), so each claim has near-identical copies."""
    rng = random.Random(seed)
    base = []
    for i in range(n_base):
        words = rng.choice(SENTENCES).split()
        start = rng.randrange(0, max(1, len(words) - 3))
        content = " ".join(words[start : start + rng.randint(3, 10)])
        if rng.random() < 0.3:
            content += " " + rng.choice(SENTENCES)
        stance = Stance.DENIES if rng.random() < 0.08 else Stance.ASSERTS
        base.append((i // 4, content, stance, rng.choice(SPEAKERS)))
    out = []
    for r in range(rounds):
        for article, content, stance, speaker in base:
            out.append(
                CaseClaim(
                    id=len(out) + 1,
                    article_id=1 + article + r * (n_base // 4 + 1),
                    content=content,
                    stance=stance,
                    speaker=speaker,
                )
            )
    return out


def _links(claims: list[CaseClaim], cut: bool, calls: list[int], **options: int) -> list[Link]:
    index = LinkIndex(**options)
    index._cut = cut
    return index.add(claims)


@pytest.mark.parametrize(
    ("seed", "options"),
    [(1, {}), (2, {}), (3, {"max_links": 1}), (4, {"max_links": 2, "max_same_article": 2})],
)
def test_the_cut_gives_the_links_of_judging_every_candidate(
    seed: int, options: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = _rounds(120, 4, seed)
    judged = [0]
    real = index_module.judge

    def counting(*args: object) -> object:
        judged[0] += 1
        return real(*args)

    monkeypatch.setattr(index_module, "judge", counting)
    full = _links(claims, False, judged, **options)
    every = judged[0]
    judged[0] = 0
    cut = _links(claims, True, judged, **options)
    assert cut == full  # relation, confidence, reason, origin: the same links, in order
    assert len(full) > 200
    # the cut leaves many candidates unjudged here (copies judged once enough)
    assert judged[0] < 0.8 * every, (judged[0], every)


def test_the_cut_after_a_snapshot_restore() -> None:
    claims = _rounds(100, 3, 7)
    full = _links(claims, False, [])
    half = LinkIndex()
    first = half.add(claims[:150])
    restored = LinkIndex.from_bytes(half.to_bytes())
    assert restored._cut
    assert first + restored.add(claims[150:]) == full
