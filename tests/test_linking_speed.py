"""The linker's shortcuts give what the plain code gives: links built without
model_construct, the shared words read from a memo, the cache of unpacked records."""

from __future__ import annotations

import random
import sys

import pytest

from claimtrack.linking import LinkIndex
from claimtrack.linking import text as text_module
from claimtrack.linking.text import _TOKEN, _clean, claim_features, lexicon, shared_words
from claimtrack.models import CaseClaim, Link, Origin, Relation

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
