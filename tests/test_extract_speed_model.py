"""The tagger's feature names are read from their stored buffer without splitting it into
one string per name (``tagger._Names``): every template, bigram word list and row is the
one that splitting the decoded buffer and slicing each name gives."""

from __future__ import annotations

import bisect
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.extract import lexicon, tagger

PREFIXES = (*tagger._UNI, "L=", "R=", "ss=", "qc=", "inq", "b-=", "b+=", "zz=", "a", "~", "w")


def _shipped_names() -> bytes:
    with np.load(io.BytesIO(lexicon.data_bytes("tagger.npz")), allow_pickle=False) as z:
        return bytes(z["names"])


def _pair_words_of_list(names: list[str], prefix: str) -> tuple[list[str], list[int]]:
    """What the tagger did before ``_Names``: the run's names without the prefix, joined by
    tabs and split at tabs; each name split once when that count is off."""
    lo = bisect.bisect_left(names, prefix)
    hi = bisect.bisect_left(names, prefix[:-1] + chr(ord(prefix[-1]) + 1), lo)
    cut = len(prefix)
    words = "\t".join([name[cut:] for name in names[lo:hi]]).split("\t")
    if len(words) != 2 * (hi - lo):
        words = [w for name in names[lo:hi] for w in name[cut:].split("\t", 1)]
    return words, list(range(lo + 1, hi + 1))


def _check(buf: bytes, probes: list[str]) -> None:
    names = buf.decode("utf-8").split("\n")
    got = tagger._Names(buf)
    assert len(got) == len(names)
    assert got.all() == names
    for prefix in PREFIXES:
        want = tagger._template_of_list(names, prefix)
        found = got.template(prefix)
        assert found == want
        assert list(found) == list(want)
        words, rows = got.pair_words(prefix)
        assert (words, rows.tolist()) == _pair_words_of_list(names, prefix)
    for name in [*names, *probes]:
        k = bisect.bisect_left(names, name)
        want_row = k + 1 if k < len(names) and names[k] == name else 0
        assert got.row_of(name) == want_row


def test_the_shipped_names() -> None:
    buf = _shipped_names()
    names = buf.decode("utf-8").split("\n")
    assert names == sorted(names)
    got = tagger._Names(buf)
    for prefix in PREFIXES:
        assert got.template(prefix) == tagger._template_of_list(names, prefix)
        words, rows = got.pair_words(prefix)
        assert (words, rows.tolist()) == _pair_words_of_list(names, prefix)
    assert len(got.template("w=")) > 10_000
    assert len(got.pair_words("b-=")[0]) > 100_000
    for k in range(0, len(names), 101):
        assert got.row_of(names[k]) == k + 1
    for name in ("", "zzzz", "w=\ud800", "\x00", "w=said ", "inq", "L=none", "R=none"):
        k = bisect.bisect_left(names, name)
        assert got.row_of(name) == (k + 1 if k < len(names) and names[k] == name else 0)
    assert got.row_of("inq") > 0 and got.row_of("L=none") > 0


def test_crafted_names() -> None:
    names = sorted(
        [
            "a",
            "b+=x\ty",
            "b+=é\t“",
            "b-=<s>\tThe",
            "b-=a\tb\tc",  # a word with a tab of its own: each name split once
            "inq",
            "w+1=</s>",
            "w=",
            "w=Ünïcode",
            "w=said",
            "w=says",
            "w=日本",
            "ss=XXx",
            "ÿ=z",
        ]
    )
    _check("\n".join(names).encode("utf-8"), ["w=sa", "w=saidx", "b", "ÿ", "w=\ud800"])


def test_a_single_empty_name() -> None:
    _check(b"", ["", "a"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["w=", "w-1=", "b-=", "b+=", "L=", "st=", "", "w"]),
            st.text(st.characters(blacklist_characters="\n", blacklist_categories=["Cs"])),
        ),
        max_size=40,
    )
)
def test_random_names(parts: list[tuple[str, str]]) -> None:
    names = sorted({p + t for p, t in parts})
    if not names:
        names = [""]
    _check("\n".join(names).encode("utf-8"), [p + "x" for p, _ in parts] + ["w=", "b-="])


@pytest.mark.parametrize("cue_layer", [0.0, 0.5])
def test_the_model_is_built_as_from_a_list(cue_layer: float) -> None:
    # the word table a model builds for new words rests on these lookups: spot-check them
    model = tagger.load(lexicon.data_bytes("tagger.npz"), cue_layer)
    names = _shipped_names().decode("utf-8").split("\n")
    for prefix in tagger._UNI:
        assert model.uni[prefix] == tagger._template_of_list(names, prefix)
    assert model.row == {
        (n.replace("\t", "|", 1) if n[:3] in tagger._PAIRS else n): k + 1
        for k, n in enumerate(names)
    }
    assert model.W.shape == (len(names) + 1, len(model.labels))


@pytest.mark.parametrize("n", [0, 1, 2047, 2048, 2049, 5000, 40_000])
def test_summed_rows_equal_the_whole_gather(n: int) -> None:
    rng = np.random.default_rng(n)
    # weights of very different sizes: any other order of the 21 additions rounds otherwise
    W = rng.standard_normal((3000, 7)) * 10.0 ** rng.integers(-8, 9, size=(3000, 1))
    cols = rng.integers(0, 3000, size=(21, n))
    want = np.take(W, cols, axis=0).sum(axis=0)
    got = tagger._summed_rows(W, cols)
    assert got.shape == (n, 7) and got.dtype == W.dtype
    assert np.array_equal(got, want)
    if n >= 2048:  # the check sees a change of order
        assert not np.array_equal(np.take(W, cols[::-1], axis=0).sum(axis=0), want)


def test_emission_scores_do_not_depend_on_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from claimtrack.extract import api
    from claimtrack.extract.text import analyse

    text = "\n".join(
        f"“It is {k} times too many,” Ann Lee said, adding that the plan may fail." * 3
        for k in range(120)
    )
    doc = analyse(text)
    assert len(doc.words) > 3 * tagger.SUM_BLOCK
    model = api._get_model()
    cue_prob = lexicon.cue_prob()
    with api._lock:
        blocked, ids = tagger.emissions(model, doc, cue_prob)
        monkeypatch.setattr(tagger, "SUM_BLOCK", 10**9)
        whole, ids2 = tagger.emissions(model, doc, cue_prob)
    assert np.array_equal(ids, ids2)
    assert np.array_equal(blocked, whole)
