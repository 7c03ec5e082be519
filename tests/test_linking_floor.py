"""relate.judge skips the fuzzy ratio below the lowest similarity any rule can link
at (per pair); its judgements are those of one floor of NEGATION_MIN for every pair."""

from __future__ import annotations

import sys
from itertools import permutations
from typing import Any

import pytest

import claimtrack.linking.relate  # noqa: F401  (the module; the package exports a function)
from claimtrack.linking.text import claim_features
from claimtrack.models import CaseClaim, SourceKind, Stance

relate_module = sys.modules["claimtrack.linking.relate"]

TEXTS = [
    (1, "Turkey will deliver armed drones to Azerbaijan before the summer", {}),
    (1, "Ankara plans shipments of weaponry and drones, supplied to Ganja airbase", {}),
    (2, "Ankara plans shipments of weaponry and drones, supplied to Ganja airbase", {}),
    (1, "Russia is negotiating the sale of anti-ship missiles to the Houthis", {}),
    (
        3,
        "any knowledge of these negotiations with the Houthis",
        {"stance": Stance.DENIES, "speaker": "Kremlin", "source_kind": SourceKind.GOVERNMENT},
    ),
    (4, "Russia held two meetings with Houthi representatives about missiles", {}),
    (4, "the Houthis want anti-ship missiles from Moscow for their war", {}),
    (5, "Russian warships are moving closer to Libya, officials said", {}),
    (5, "Russia relocates military assets from Syria to Libya", {}),
    (6, "Russia relocates military assets from Syria to Libya's port of Tobruk", {}),
    (6, "the Kremlin did not relocate assets to Libya", {}),
    (7, "Iran supplied drones to Russia for its war in Ukraine", {}),
    (7, "Russia used Iranian drones to attack Ukraine's power grid", {}),
]


def _features() -> list[Any]:
    return [
        claim_features(CaseClaim(id=i, article_id=a, content=t, **kw))  # type: ignore[arg-type]
        for i, (a, t, kw) in enumerate(TEXTS, 1)
    ]


def test_per_pair_floor_gives_the_judgements_of_one_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    feats = _features()
    pairs = list(permutations(feats, 2))
    fast = [relate_module.judge(a, b) for a, b in pairs]
    floors = [
        relate_module._floor(a, b, relate_module.negative(a), relate_module.negative(b))
        for a, b in pairs
    ]
    # the floor above NEGATION_MIN skips the fuzzy ratio of some pairs here
    skipped = [
        (a.id, b.id)
        for (a, b), floor in zip(pairs, floors, strict=True)
        if relate_module.NEGATION_MIN
        <= relate_module._similarity(a, b, None, relate_module.NEGATION_MIN)[0]
        < floor
    ]
    assert skipped
    # the judgements before the per-pair floor: NEGATION_MIN for every pair
    monkeypatch.setattr(relate_module, "_floor", lambda *_: relate_module.NEGATION_MIN)
    slow = [relate_module.judge(a, b) for a, b in pairs]
    assert fast == slow
    # the low-floor rules are exercised: a same-article link and a denial below LINK_MIN
    low = [
        (a.id, b.id, j.relation.value)
        for (a, b), j in zip(pairs, fast, strict=True)
        if j is not None and j.similarity < relate_module.LINK_MIN
    ]
    assert (1, 2, "corroborates") in low
    assert any(rel == "contradicts" and 5 in (x, y) for x, y, rel in low)
