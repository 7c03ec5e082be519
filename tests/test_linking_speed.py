"""The linker's shortcuts give what the plain code gives: links built without
model_construct, the shared words read from a memo, the cache of unpacked records."""

from __future__ import annotations

import random
import sys

import pytest

from claimtrack.linking import LinkIndex
from claimtrack.linking import text as text_module
from claimtrack.linking.relate import judge
from claimtrack.linking.text import _TOKEN, _clean, claim_features, lexicon, shared_words
from claimtrack.models import CaseClaim, Link, Origin, Relation, Stance

index_module = sys.modules["claimtrack.linking.index"]

SENTENCES = [
    "Russia's negotiations with Iran over 300 km missiles stalled on Monday",
    "Negotiators said the talks in Tehran about missiles went on",
    "The U.S. denied that Russian warships arrived in Tobruk",
    "Warships of Russia arrived in Tobruk, Libya, officials said",
    "2,000 troops were sent; the troops' supplies arrived late",
    "Iran's drones, Iranian drones and the drone programme",
]


def _state(link: Link) -> tuple[object, ...]:
    return (
        list(link.__dict__.items()),
        link.model_fields_set,
        link.__pydantic_extra__,
        link.__pydantic_private__,
    )


@pytest.mark.parametrize("fast", [True, False])
def test_machine_links_are_what_model_construct_makes(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "_FAST_LINK", fast)
    assert index_module._FAST_LINK is fast
    for origin_claim in (None, 7):
        made = index_module.machine_link(
            3, 9, Relation.REPEATS, 0.613, "why; shared: x", origin_claim
        )
        ref = Link.model_construct(
            a=3,
            b=9,
            relation=Relation.REPEATS,
            confidence=0.613,
            reason="why; shared: x",
            origin_claim=origin_claim,
        )
        assert _state(made) == _state(ref)
        assert made == ref and hash(made) == hash(ref)
        assert made.origin is Origin.MACHINE
        assert made.model_dump() == ref.model_dump()
        with pytest.raises(Exception, match="frozen"):
            made.a = 4  # type: ignore[misc]


def test_the_fast_path_is_on_for_todays_link_model() -> None:
    assert index_module._FAST_LINK


def _reference_shared_words(a_text: str, b_text: str, shared: list[str], limit: int = 8) -> str:
    """The words as shared_words read them before the memo: a's text, then b's."""
    lex = lexicon()
    words: dict[str, str] = {}
    shown = shared[:limit]
    wanted = {c for c in shown if not c.startswith(("e:", "n:"))}
    for text in (a_text, b_text) if wanted else ():
        for tok in _TOKEN.findall(text):
            if tok[0].isdigit():
                continue
            key = lex.key(tok)
            if key in wanted and key not in words:
                words[key] = _clean(tok)
    out = []
    for c in shown:
        if c.startswith(("e:", "n:")):
            out.append(c[2:])
        else:
            out.append(words.get(c, c.lstrip("~")))
    return ", ".join(out)


@pytest.mark.parametrize("memo_max", [1, 3, 8192])
def test_shared_words_are_the_first_words_of_a_then_b(
    memo_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_module, "_WORDS_MEMO_MAX", memo_max)
    monkeypatch.setattr(text_module, "_WORDS_MEMO", {})
    feats = [
        claim_features(CaseClaim(id=i, article_id=1, content=s)) for i, s in enumerate(SENTENCES, 1)
    ]
    rng = random.Random(5)
    seen = set()
    for _ in range(3):  # again, with the memo filled (or cleared when full)
        for a in feats:
            for b in feats:
                keys = sorted(a.text.concepts | b.text.concepts)
                for shared in (
                    sorted(a.text.concepts & b.text.concepts),
                    rng.sample(keys, min(len(keys), 10)),
                    ["~nonexistent", "e:russia", "n:300"],
                ):
                    got = shared_words(a, b, shared)
                    assert got == _reference_shared_words(a.lowered, b.lowered, shared)
                    seen.add(got)
        assert len(text_module._WORDS_MEMO) <= memo_max
    # words of a ("arrived", "denied"), of b ("officials"), entity keys, the first 8
    union = sorted(feats[2].text.concepts | feats[3].text.concepts)
    assert shared_words(feats[2], feats[3], union) == (
        "arrived, denied, libya, russia, tobruk, united states, officials, warships"
    )
    assert shared_words(feats[1], feats[0], ["~negotiat", "stall"]) == "negotiators, stalled"
    assert len(seen) > 50


def test_the_record_cache_keeps_the_recently_used(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = [
        CaseClaim(id=i, article_id=i, content=SENTENCES[i % len(SENTENCES)] + f" case {i}")
        for i in range(1, 13)
    ]
    index = LinkIndex(hot=3)
    index.extend(claims[:6])
    assert list(index._hot) == [3, 4, 5]  # positions, the latest indexed last
    index._get(3)  # used: now the most recent
    assert list(index._hot) == [4, 5, 3]
    index._get(0)  # unpacked: the least recent (4) leaves
    assert list(index._hot) == [5, 3, 0]
    assert index._get(0) == claim_features(claims[0])
    none = LinkIndex(hot=0)
    none.extend(claims[:6])
    assert not none._hot and none._get(2) == claim_features(claims[2]) and not none._hot


def test_links_do_not_depend_on_the_record_cache() -> None:
    rng = random.Random(11)
    claims = []
    for i in range(1, 160):
        words = rng.sample(SENTENCES, 2)
        claims.append(CaseClaim(id=i, article_id=1 + i // 4, content=" and ".join(words)))
    links = {hot: LinkIndex(hot=hot).add(claims) for hot in (0, 1, 7, 8192)}
    assert len(links[8192]) > 100
    assert links[0] == links[1] == links[7] == links[8192]


WORDS = [
    "officials",
    "said",
    "the",
    "missile",
    "talks",
    "with",
    "Russia",
    "went",
    "on",
    "while",
    "Iran",
    "sent",
    "drones",
    "and",
    "troops",
    "arrived",
    "late",
    "in",
    "Tobruk",
    "after",
    "warships",
    "left",
    "the",
    "harbour",
    "on",
    "Monday",
]


def _story_claims(n: int, seed: int) -> list[CaseClaim]:
    """Claims of random words of one story, a few per article, some denials."""
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        words = " ".join(rng.sample(WORDS, rng.randint(2, 9)))
        stance = Stance.DENIES if rng.random() < 0.1 else Stance.ASSERTS
        out.append(CaseClaim(id=i, article_id=1 + i // 5, content=words, stance=stance))
    return out


@pytest.mark.parametrize("max_posting", [3, 250])
def test_discounted_weights_by_id_are_the_weights(max_posting: int) -> None:
    claims = _story_claims(80, seed=2)
    index = LinkIndex(max_posting=max_posting)
    for size in (1, 5, 19, 20, 21, 80):  # the case discount starts at 20 claims
        index.extend(claims[len(index) : size])
        strs = index._strs
        by_id = index._discounted(range(len(strs)), {})
        assert by_id == [index._weights_of([s])[s] for s in strs]
    assert index._saturated if max_posting == 3 else not index._saturated


def test_candidates_left_unjudged_are_never_linked(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = _story_claims(300, seed=4)
    index = LinkIndex()
    index.add(claims[:200])
    left = kept = 0
    for c in claims[200:]:
        f = index._resolve(claim_features(c))
        fids = index._concept_ids(f)
        positions = index._candidates(f, fids)
        if not positions:
            continue
        weights, wf, sums, judged = index._bounds(f, fids, positions)
        ref = index._weights_of(
            set(f.text.concepts).union(*(index._unpack(p).text.concepts for p in positions))
        )
        assert weights == [ref[k] for k in f.text.concepts]
        assert wf == sum(ref[k] for k in f.text.concepts)
        for pos, wo, live in zip(positions, sums, judged, strict=True):
            other = index._unpack(pos)
            assert wo == sum(ref[k] for k in other.text.concepts)
            if live is not None:
                kept += 1
            else:
                left += 1
                assert judge(other, f, ref) is None and judge(f, other, ref) is None
        index.add([c])
    assert left > 20 and kept > 20, (left, kept)
    # and the links are those of judging every candidate, also from a snapshot
    # (whose claims' stances the index does not hold: taken at their loosest)
    everything = LinkIndex()

    def judge_all(f: object, fids: list[int], positions: list[int]) -> object:
        w, wf, s, _ = LinkIndex._bounds(everything, f, fids, positions)  # type: ignore[arg-type]
        return w, wf, s, [float("inf")] * len(positions)  # unknown bounds: judged

    monkeypatch.setattr(everything, "_bounds", judge_all)
    links = everything.add(claims)
    assert links == LinkIndex().add(claims)
    half = LinkIndex()
    first = half.add(claims[:150])
    restored = LinkIndex.from_bytes(half.to_bytes())
    assert set(restored._flags) == {255}
    assert first + restored.add(claims[150:]) == links
