"""The extractor's fast paths give exactly what the plain ones give.

Each shortcut taken for speed (token facts read from the tagger's word flags, the hedge
finder over tokens instead of the hedge regex over characters, the bulk word flags, the
hash table of bigram rows, the suffix pre-checks of the stemmers) is checked here against
the straightforward computation it replaces, on crafted and random text.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimtrack.extract import api, features, lexicon, tagger
from claimtrack.extract.text import analyse

SHARED = Path(__file__).resolve().parents[2] / "shared"
TRAIN = SHARED / "corpora" / "polnear" / "train" / "text"

TEXTS = [
    "The deal is believed to be close, officials said. It is reportedly done.",
    "Sources said the talks may collapse; others suggested they could resume.",
    "“It seems unlikely,” he said, adding that rumours of a deal were unconfirmed.",
    "Analysts estimate it appears to work. Are believed to, is thought to, is said to.",
    "He did not say it. She didn't confirm. They never claimed it. No one knew.",
    "The ministry denied the reports and dismissed them as speculation.",
    # case-insensitive matching knows more than str.lower: ſ is s, ı and İ are i, K is k
    "The plan ſuggests a deal. It İs believed to work. It is lıkely. It is liKely.",
    "Some ſpeculate; ALLEGEDLY, it MAY be so. Apparently‘ perhaps’ possibly.",
    "is\nbelieved\tto be true, appear  to be; appeared\u00a0to be; is believed",
    "reportedly",
    "He said: “it is\u0301 believed to be caf\u00e9-ish maybe.” Probably.",
    "Whether it could or might, it probably, possibly, perhaps will be 3may, may3, _may.",
]


def _facts(text: str) -> tuple[object, api._Facts]:
    doc = analyse(text)
    facts = api._tag(doc)[3]
    assert facts is not None
    return doc, facts


def _all_windows(doc: object, facts: api._Facts) -> None:
    n = len(doc.words)  # type: ignore[attr-defined]
    for a in range(n):
        for b in range(a + 1, min(n, a + 40) + 1):
            fast = api._hedges_in(doc, a, b, facts)  # type: ignore[arg-type]
            plain = api._hedges_in(doc, a, b, None)  # type: ignore[arg-type]
            assert fast == plain, (doc.words[a:b], fast, plain)  # type: ignore[attr-defined]


def test_the_shipped_hedge_list_takes_the_token_path() -> None:
    finder = api._hedge_finder()
    assert finder is not None
    assert "believed" in finder.words and ("is", "believed", "to") in finder.phrases["is"]


@pytest.mark.parametrize("text", TEXTS)
def test_hedges_over_tokens_equal_the_regex_on_every_window(text: str) -> None:
    doc, facts = _facts(text)
    _all_windows(doc, facts)


def test_hedge_windows_with_unusual_letters_go_to_the_regex() -> None:
    doc, facts = _facts("It ſuggests a deal and İs believed to work.")
    unsafe = [doc.words[i] for i in facts.unsafe_at]  # type: ignore[attr-defined]
    assert unsafe == ["ſuggests", "İs"]
    # the regex finds both (lower-cased as written); a lower-cased token would match neither
    found = api._hedges_in(doc, 0, len(doc.words), facts)  # type: ignore[arg-type, attr-defined]
    assert found == ["ſuggests", "i\u0307s believed to"]


_ALPHABET = st.sampled_from(
    [
        *"is believed to may could likely seem suggest rumour appear said denied not",
        *" " * 6,
        "\n",
        ",",
        ".",
        "“",
        "”",
        '"',
        "ſ",
        "ı",
        "İ",
        "\u212a",
        "é",
        "\u0301",
        "_",
        "3",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_hedges_over_tokens_equal_the_regex_on_random_text(text: str) -> None:
    doc = analyse(text)
    if not doc.words:
        return
    facts = api._tag(doc)[3]
    assert facts is not None
    _all_windows(doc, facts)


def _claims_without_facts(monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> list[object]:
    with monkeypatch.context() as m:
        m.setattr(api, "_facts", lambda doc, flags: None)
        return api.extract_many(texts)  # type: ignore[return-value]


def test_claims_with_token_facts_equal_claims_without(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stance, negation, quote type and hedges read from the word flags: the same claims."""
    fast = api.extract_many(TEXTS)
    assert sum(len(c) for c in fast) >= 10
    assert fast == _claims_without_facts(monkeypatch, TEXTS)


@pytest.mark.skipif(not TRAIN.is_dir(), reason="needs ../shared (PolNeAR train)")
def test_claims_with_token_facts_equal_claims_without_on_polnear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = sorted(TRAIN.glob("*.txt"))[:60]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    fast = api.extract_many(texts)
    assert sum(len(c) for c in fast) > 500
    assert fast == _claims_without_facts(monkeypatch, texts)


def test_bulk_word_flags_equal_the_word_lists() -> None:
    words = {w.lower() for t in TEXTS for w in re.findall(r"\w+|[^\w\s]", t)}
    words |= {"denial", "denials", "dismissing", "reportedly", "according", "said", "x"}
    lows = sorted(words)
    cue_prob = lexicon.cue_prob()
    flags = api._word_flags(lows, cue_prob).tolist()
    finder = api._hedge_finder()
    assert finder is not None
    for low, f in zip(lows, flags, strict=True):
        den = lexicon.denials().word(low)
        sure = (den and not low.startswith("denial")) or cue_prob.get(low, 0.0) >= api.SURE_CUE
        want = {
            api._SURE: sure,
            api._IMPERSONAL: lexicon.impersonal().word(low),
            api._DENIAL: den,
            api._NEGATABLE: lexicon.negatable().word(low),
            api._NEGATION: lexicon.negations().word(low),
            api._HEDGE: finder.may_start(low),
            api._UNSAFE: api._unsafe(low),
            api._ALNUM: low[:1].isalnum(),
        }
        assert {bit: bool(f & bit) for bit in want} == want, low
    assert api._word_flags(["said"], cue_prob)[0] & api._SURE


def test_a_lower_cased_first_letter_keeps_its_class() -> None:
    """``_ALNUM`` is read from the lower-cased form, the quote type asks the written one."""
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        assert c.isalnum() == c.lower()[0].isalnum(), hex(cp)


def test_only_the_kelvin_sign_lowers_to_ascii() -> None:
    """What ``_unsafe`` relies on: a non-ASCII character either lowers to non-ASCII (its
    token goes to the regex) or is the Kelvin sign, which the regex matches as "k" too."""
    lowers_to_ascii = [
        cp
        for cp in range(0x80, 0x110000)
        if not 0xD800 <= cp <= 0xDFFF and chr(cp).lower().isascii()
    ]
    assert lowers_to_ascii == [0x212A]
    assert re.fullmatch("k", "\u212a", re.IGNORECASE)


def test_code_table_finds_exactly_the_stored_keys() -> None:
    rng = np.random.default_rng(7)
    keys = rng.choice(10**9, 5000, replace=False).astype(np.int64)
    rows = np.arange(1, 5001, dtype=np.int64)
    table = tagger._CodeTable(keys, rows)
    asked = np.concatenate([keys, rng.integers(0, 10**9, 5000), keys[::-7], np.array([0])])
    want = dict(zip(keys.tolist(), rows.tolist(), strict=True))
    assert table.get(asked).tolist() == [want.get(k, 0) for k in asked.tolist()]
    # crowded: keys that share their home slot still resolve
    crowded = (np.arange(200, dtype=np.int64) << 40) | 5
    small = tagger._CodeTable(crowded, np.arange(1, 201, dtype=np.int64))
    assert small.get(crowded).tolist() == list(range(1, 201))
    assert small.get(crowded + 1).tolist() == [0] * 200
    assert tagger._CodeTable(keys[:0], rows[:0]).get(keys[:3]).tolist() == [0, 0, 0]


def _family_plain(w: str) -> str:
    for suffix in ("ing", "ies", "ied", "ed", "es", "s", "e", "y"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def _stem_plain(w: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


@given(st.text(alphabet=string.ascii_lowercase[:8] + "gsdeyin", max_size=9))
def test_stem_and_family_pre_checks_change_nothing(w: str) -> None:
    assert features.family(w) == _family_plain(w)
    assert features._stem(w) == _stem_plain(w)


def test_model_word_table_matches_one_form_at_a_time() -> None:
    """Rows filled a column at a time for many forms equal rows filled for each form alone."""
    model = api._get_model()
    assert model is not None
    cue_prob = lexicon.cue_prob()
    words = ["Said", "said", "SAID", "according", "“", "the", "İs", "ſaid", "x", "Pledged"]
    raw = lexicon.data_bytes("tagger.npz")
    one = tagger.load(raw, api.CUE_LAYER_WEIGHT)
    many = tagger.load(raw, api.CUE_LAYER_WEIGHT)
    one.flag_of = many.flag_of = api._word_flags
    for w in words:
        one.add([w], cue_prob)
    many.add(words, cue_prob)
    n = len(words)
    assert np.array_equal(one.tab[:n], many.tab[:n])
    strong = one.tab[:n, tagger._STRONG] > 0
    assert strong.any()
    assert np.array_equal(one.near_l[:n][strong], many.near_l[:n][strong])
    assert np.array_equal(one.near_r[:n][strong], many.near_r[:n][strong])


@pytest.mark.parametrize(
    "text", ["", "plain", "caf\u00e9 “quoted”", "a\ud800b", "\udfff", "x\U0001f600y\udc80"]
)
def test_surrogate_check_equals_the_regex(text: str) -> None:
    from claimtrack.extract import text as text_mod

    assert text_mod._no_surrogates(text) == (text_mod._SURROGATE_RE.search(text) is None)
    assert analyse(text).clean_words == (text_mod._SURROGATE_RE.search(text) is None)
