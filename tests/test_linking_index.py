"""The compact link index: packed feature records, candidates, snapshots."""

from __future__ import annotations

import heapq
import random
import sys
from datetime import date

import pytest

from claimtrack.linking import LinkIndex
from claimtrack.linking.text import claim_features, lexicon
from claimtrack.models import CaseClaim, SourceKind, Stance

index_module = sys.modules["claimtrack.linking.index"]

VARIED = [
    CaseClaim(
        id=1,
        article_id=1,
        content="The U.S. said Russia supplies Iran with 300 km missiles on Monday in 2023",
        speaker="John Kirby",
        source_kind=SourceKind.PERSON,
        published=date(2024, 5, 2),
    ),
    CaseClaim(
        id=2,
        article_id=1,
        content="Moscow intends to supply it with these advanced drones",
        speaker="a senior official",
        source_kind=SourceKind.ANONYMOUS,
    ),
    CaseClaim(
        id=4,
        article_id=2,
        content="negotiating anti-ship missiles for the Houthis",
        stance=Stance.DENIES,
        cited="Reuters",
    ),
    CaseClaim(
        id=5,
        article_id=3,
        content="Reuters reported that Russian warships did not arrive in Tobruk, Libya",
        speaker="Reuters",
        source_kind=SourceKind.MEDIA,
    ),
    CaseClaim(id=7, article_id=3, content="Perhaps – ça va — 2.5 million people fled Benghazi"),
    CaseClaim(id=9, article_id=4, content="the"),
]


def test_every_feature_field_is_packed() -> None:
    # a new ClaimFeatures/TextFeatures field needs a place in LinkIndex._pack/_unpack
    assert index_module.PACKED


def test_packed_features_equal_the_claims_features(monkeypatch: pytest.MonkeyPatch) -> None:
    packed = LinkIndex()
    packed_links = packed.add(VARIED)
    monkeypatch.setattr(index_module, "PACKED", False)
    whole = LinkIndex()
    assert whole.add(VARIED) == packed_links
    for c in VARIED:
        assert packed.features(c.id) == whole.features(c.id)
    # the object pronoun of claim 2 stands for Iran, the previous claim's last entity
    # it does not name
    f2 = packed.features(2)
    assert f2.text.order[-1] == "e:iran"
    assert "iran" in f2.text.entities
    assert packed.features(1) == claim_features(VARIED[0])


def test_membership_with_ids_out_of_order() -> None:
    index = LinkIndex()
    index.extend([VARIED[3], VARIED[0], VARIED[5]])
    assert [c.id in index for c in VARIED] == [True, False, False, True, False, True]
    assert index.ids() == [5, 1, 9]
    assert index.features(1) == claim_features(VARIED[0])
    with pytest.raises(KeyError):
        index.features(2)


WORDS = [
    "missile",
    "warship",
    "drone",
    "negotiation",
    "pipeline",
    "sanction",
    "embassy",
    "harbour",
    "convoy",
    "reactor",
    "election",
    "border",
    "ceasefire",
    "refinery",
    "airbase",
    "Russia",
    "Iran",
    "Libya",
    "Tobruk",
    "Ukraine",
]


def synthetic(n: int, seed: int = 0) -> list[CaseClaim]:
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        words = rng.sample(WORDS, rng.randint(2, 7))
        out.append(CaseClaim(id=i, article_id=1 + i // 7, content=" ".join(words)))
    return out


def reference_candidates(
    concepts: list[frozenset[str]], fc: frozenset[str], max_posting: int, limit: int
) -> list[int]:
    """The candidate rule over plain sets: positions sharing >= 2 live postings (1 for
    claims of <= 3 concepts), static-IDF overlap >= 0.2, best first then higher id."""
    weight = lexicon().weight
    postings: dict[str, list[int]] = {}
    saturated: set[str] = set()
    for pos, cs in enumerate(concepts):
        for key in cs:
            if key in saturated:
                continue
            plist = postings.setdefault(key, [])
            if len(plist) >= max_posting:
                saturated.add(key)
                del postings[key]
            else:
                plist.append(pos)
    counts: dict[int, int] = {}
    for key in fc:
        for pos in postings.get(key, ()):
            counts[pos] = counts.get(pos, 0) + 1
    need = 2 if len(fc) > 3 else 1
    wf = sum(weight(c) for c in fc) or 1.0
    scored = []
    for pos, k in counts.items():
        if k < need:
            continue
        ws = sum(weight(c) for c in fc & concepts[pos])
        wo = sum(weight(c) for c in concepts[pos]) or 1.0
        score = ws / (wf + wo) + 0.25 * ws / min(wf, wo)
        if score >= 0.2 - 1e-12:
            scored.append((round(score, 9), pos + 1))
    return [cid for _, cid in heapq.nlargest(limit, scored)]


@pytest.mark.parametrize("small_pool", [0, 32, 10_000])  # numpy, both, Python scoring
@pytest.mark.parametrize("max_posting", [1, 2, 5, 250])
def test_candidates_follow_the_rule(
    max_posting: int, small_pool: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "_SMALL_POOL", small_pool)
    claims = synthetic(120)
    index = LinkIndex(max_posting=max_posting, max_candidates=6)
    index.extend(claims[:100])
    concepts = [index.features(c.id).text.concepts for c in claims[:100]]
    for c in claims[100:]:
        f = claim_features(c)
        expected = reference_candidates(concepts, f.text.concepts, max_posting, 6)
        assert index.candidates(f) == expected, c.content


def test_snapshot_restores_the_index() -> None:
    claims = synthetic(60, seed=3) + VARIED[:1]
    first = LinkIndex(max_posting=4)
    first.add(claims[:40])
    restored = LinkIndex.from_bytes(first.to_bytes())
    assert restored.ids() == first.ids()
    assert restored._plen == first._plen
    assert restored.weights(["~missil", "e:russia", "unseen"]) == first.weights(
        ["~missil", "e:russia", "unseen"]
    )
    assert restored.max_posting == 4
    assert restored.add(claims[40:]) == first.add(claims[40:])
    assert restored.to_bytes() == first.to_bytes()


def test_snapshot_rejects_other_bytes() -> None:
    with pytest.raises(ValueError, match="not a link index snapshot"):
        LinkIndex.from_bytes(b"\x00garbage")
    with pytest.raises(ValueError, match="another version"):
        LinkIndex.from_bytes(index_module.marshal.dumps((99,) + (None,) * 15))


def test_deltas_on_a_snapshot_restore_the_index() -> None:
    claims = synthetic(90, seed=7) + [
        c.model_copy(update={"id": c.id + 500, "article_id": c.article_id + 500}) for c in VARIED
    ]
    first = LinkIndex(max_posting=5)
    first.add(claims[:30])
    base = first.to_bytes()
    mark = first.mark()
    first.add(claims[30:60])
    delta1 = first.delta_bytes(mark)
    mark = first.mark()
    first.add(claims[60:80])
    delta2 = first.delta_bytes(mark)
    assert first._saturated  # postings saturated on the way, replayed by the deltas
    restored = LinkIndex.from_bytes(base)
    restored.apply_delta(delta1)
    restored.apply_delta(delta2)
    assert restored.ids() == first.ids()
    assert restored.to_bytes() == first.to_bytes()
    assert restored.add(claims[80:]) == first.add(claims[80:])
    assert restored.to_bytes() == first.to_bytes()
    # and the links an index rebuilt from the same claims gives
    rebuilt = LinkIndex(max_posting=5)
    rebuilt.extend(claims[:80])
    again = LinkIndex.from_bytes(base)
    again.apply_delta(delta1)
    again.apply_delta(delta2)
    assert again.add(claims[80:]) == rebuilt.add(claims[80:])


def test_a_delta_applies_only_at_its_mark() -> None:
    claims = synthetic(40, seed=9)
    first = LinkIndex()
    first.add(claims[:20])
    base = first.to_bytes()
    mark = first.mark()
    first.add(claims[20:30])
    delta = first.delta_bytes(mark)
    restored = LinkIndex.from_bytes(base)
    restored.apply_delta(delta)
    before = restored.to_bytes()
    with pytest.raises(ValueError, match="not at the delta's mark"):
        restored.apply_delta(delta)  # twice
    assert restored.to_bytes() == before  # unchanged by the refused delta
    with pytest.raises(ValueError, match="not a link index delta"):
        restored.apply_delta(b"\x00garbage")
    with pytest.raises(ValueError, match="not at the delta's mark"):
        LinkIndex().apply_delta(delta)


def test_precomputed_features_give_the_same_links() -> None:
    from dataclasses import replace

    claims = synthetic(40, seed=5) + [
        c.model_copy(update={"id": c.id + 100, "article_id": c.article_id + 100}) for c in VARIED
    ]
    # computed elsewhere (a worker) without ids, numbered by the writer afterwards
    blank = [claim_features(c.model_copy(update={"id": 0, "article_id": 0})) for c in claims]
    feats = [
        replace(f, id=c.id, article_id=c.article_id) for f, c in zip(blank, claims, strict=True)
    ]
    links = LinkIndex().add(claims)
    assert len(links) > 10
    assert LinkIndex().add_features(feats) == links
    index = LinkIndex()
    index.extend_features(feats[:10])
    reference = LinkIndex()
    reference.extend(claims[:10])
    assert index.add_features(feats[10:]) == reference.add(claims[10:])


def test_offsets_widen_before_they_overflow() -> None:
    from array import array

    offsets = index_module._offset_append(array("I", [0]), 2**32 - 1)
    assert offsets.typecode == "I"
    offsets = index_module._offset_append(offsets, 2**32)
    assert offsets.typecode == "q"
    assert offsets.tolist() == [0, 2**32 - 1, 2**32]


def test_lowered_texts_deflated_after_the_first_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "ZDICT_AFTER", 20)
    claims = synthetic(80, seed=7) + [
        c.model_copy(update={"id": c.id + 100, "article_id": c.article_id + 100}) for c in VARIED
    ]
    packed = LinkIndex(deflate=True)
    first = packed.add(claims[:50])
    records = [
        index_module.marshal.loads(packed._blob[packed._rstart[i] : packed._rstart[i + 1]])
        for i in range(len(packed))
    ]
    assert [type(r[8]) for r in records[:20]] == [str] * 20
    assert bytes in {type(r[8]) for r in records[20:]}
    plain = LinkIndex(deflate=False)
    assert plain.add(claims[:50]) == first
    assert {type(index_module.marshal.loads(plain._blob[plain._rstart[-2] :])[8])} == {str}
    restored = LinkIndex.from_bytes(packed.to_bytes())
    second = packed.add(claims[50:])
    assert restored.add(claims[50:]) == second
    assert len(first) > 10 and len(second) > 10
    monkeypatch.setattr(index_module, "PACKED", False)
    whole = LinkIndex()
    assert whole.add(claims) == first + second
    for c in claims:
        assert packed.features(c.id) == whole.features(c.id)
        assert restored.features(c.id) == whole.features(c.id)
