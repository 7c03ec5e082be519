"""Several documents at once (``extract_many``, ``emissions_many``, ``viterbi_many``): the
same scores, labels and claims as one document at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from claimtrack.extract import api, lexicon, tagger
from claimtrack.extract.api import extract_claims, extract_many
from claimtrack.extract.text import analyse

SHARED = Path(__file__).resolve().parents[2] / "shared"
TRAIN = SHARED / "corpora" / "polnear" / "train" / "text"

TEXTS = [
    "\u201cIt is over,\u201d Smith said on Friday. According to officials, talks stalled.\n"
    'The minister denied it: \u201cWe never met.\u201d "Straight quotes," he added.',
    "",
    "   \n\t ",
    "A | B || c said \u201cunclosed\nSAID Said said. 3.2 percent, analysts say.",
    " ".join(["He said the plan would work."] * 120),  # one line cut into several blocks
    "Moscow is reportedly involved, a senior U.S. official said. \ud800 Lone surrogate, he said.",
    '"Open at the end, she said',
    "\u00abGuillemets\u00bb, il a dit.\r\nMixed\rline endings, they said.\n",
]


def _batch_texts() -> list[str]:
    texts = list(TEXTS)
    if TRAIN.is_dir():
        for path in sorted(TRAIN.glob("*.txt"))[:24]:
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def test_extract_many_gives_each_text_s_claims() -> None:
    texts = _batch_texts()
    assert extract_many(texts) == [extract_claims(t) for t in texts]
    assert extract_many([]) == []


def test_extract_many_over_several_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass holds at most BATCH_TOKENS tokens (a longer text goes alone)."""
    texts = _batch_texts()
    want = [extract_claims(t) for t in texts]
    monkeypatch.setattr(tagger, "BATCH_TOKENS", 60)
    assert extract_many(texts) == want


def test_emissions_and_viterbi_many_match_one_document_at_a_time() -> None:
    model = api._get_model()
    assert model is not None
    cue_prob = lexicon.cue_prob()
    docs = [d for d in (analyse(t) for t in _batch_texts()) if d.words]
    assert len(docs) >= 6
    single = [tagger.emissions(model, d, cue_prob) for d in docs]
    many = tagger.emissions_many(model, docs, cue_prob)
    for (e1, ids1), (e2, ids2) in zip(single, many, strict=True):
        assert e1.dtype == e2.dtype and np.array_equal(e1, e2)  # exactly the same floats
        assert np.array_equal(model.tab[ids1], model.tab[ids2])
    emits = [e for e, _ in single]
    want = [tagger.viterbi(model, e, d) for e, d in zip(emits, docs, strict=True)]
    assert tagger.viterbi_many(model, emits, docs) == want
    # a pass split by BATCH_TOKENS gives the same labels
    old = tagger.BATCH_TOKENS
    try:
        tagger.BATCH_TOKENS = 100
        assert tagger.viterbi_many(model, emits, docs) == want
    finally:
        tagger.BATCH_TOKENS = old
