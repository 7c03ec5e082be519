"""Shortcuts the resolver takes for speed give the answers of the slow way."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from claimtrack.models import SourceKind, Span
from claimtrack.sources.lexicon import default_table, extend_table
from claimtrack.sources.mentions import ArticleIndex, Entity, Mention, _caches
from claimtrack.sources.resolve import _CITING, _CITING_FOLDS, _may_cite, _Resolver


def test_citing_folds_are_every_other_character_the_letters_match() -> None:
    letters = set("citingquoting")
    rx = re.compile("[" + "".join(sorted(letters)) + "]", re.IGNORECASE)
    others = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c <= 0xDFFF
        and chr(c).lower() not in letters
        and rx.fullmatch(chr(c)) is not None
    ]
    assert sorted(others) == sorted(_CITING_FOLDS)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The agency said, citing officials, that talks failed.",
        "Reuters reported it , QUOTING two diplomats.",
        "Reuters reported it\n  Quoting two diplomats",
        "Citing officials at the start, no space before",
        "an exciting day, citingly",
        "he was citing",
        "x, c\u0131ting y",  # dotless i: the regex matches it ignoring case
        "x, c\u0130ting y",  # dotted capital I
        "x, quot\u0131ng y",
        "nothing cited here, quoted there",
        "citing\tquoting",
        "\u201cquoting\u201d",
    ],
)
def test_may_cite_is_the_regex_answer(text: str) -> None:
    assert _may_cite(text) == (_CITING.search(text) is not None)


# -- the article index: answers with warm caches and per-entity lists ----------------

_TEXTS = [
    "Republican leaders met on Monday. Republican said nothing. Democrats, NATO and "
    "Reuters reported that Trump spoke. Analysts said Mr. Trump and Donald Trump agreed.",
    "Police said the suspect fled. police cars came. Police Chief John Smith said: "
    "\u201cWe know.\u201d Smith, the city's police chief, added that British officials "
    "agreed. The minister said so. Mr. Smith said it again.",
    "American officials said. American said. Iranian Shia said. FBI said. De said. "
    "Van Buren said Hillary Clinton and Bill Clinton met Clinton.",
]
SHARED = Path(__file__).resolve().parents[2] / "shared"
TRAIN = SHARED / "corpora" / "polnear" / "train" / "text"


def _texts() -> list[str]:
    """The short cases, the bundled articles (fixtures/ and tests/data/articles/: the
    checks run without ../shared) and, when present, 40 PolNeAR train articles."""
    texts = list(_TEXTS)
    here = Path(__file__).resolve().parent
    for path in sorted(
        [*(here.parent / "fixtures").glob("*.txt"), *(here / "data" / "articles").glob("*.txt")]
    ):
        texts.append(path.read_text(encoding="utf-8"))
    if TRAIN.is_dir():
        for path in sorted(TRAIN.glob("*.txt"))[:40]:
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def _mentions(idx: ArticleIndex) -> list[tuple[object, ...]]:
    return [
        (m.start, m.end, m.kind, m.name, m.full_start, m.tokens, m.role, m.affiliation)
        + (m.gender, m.sent, m.in_quote, m.poss, m.bare, m.entity)
        for m in idx.mentions
    ]


def test_warm_run_plans_find_the_mentions_of_a_cold_index() -> None:
    # a table of its own: its run-plan cache starts empty
    table = extend_table(default_table(), [])
    texts = _texts()
    cold = [_mentions(ArticleIndex(text, table)) for text in texts]
    plans = _caches(table).plans
    # one-word runs planned as nothing are passed over on the warm pass (e.g. "Republican")
    assert ("Republican", False) in plans and plans[("Republican", False)][0] == "none"
    assert [_mentions(ArticleIndex(text, table)) for text in texts] == cold


def _antecedent_by_scan(r: _Resolver, e: Entity, m: Mention | None) -> Span | None:
    """``_Resolver._antecedent`` as it was: every mention of the entity, per call."""
    best = None
    for mi in e.mentions:
        cand = r.idx.mentions[mi] if mi < len(r.idx.mentions) else None
        if cand is None or cand.entity != e.id:
            continue
        if len(cand.tokens) >= 2 or cand.kind is not SourceKind.PERSON:
            if m is None or cand.start <= m.start or best is None:
                best = cand
            if m is not None and cand.start > m.start:
                break
    return r.mention_span(best) if best is not None else None


def test_antecedent_from_the_listed_full_mentions_is_the_scan() -> None:
    checked = 0
    for text in _texts():
        r = _Resolver(text, [], default_table())
        for e in r.idx.entities:
            for m in [None, *r.idx.mentions]:
                assert r._antecedent(e, m) == _antecedent_by_scan(r, e, m)
                checked += 1
    assert checked > 100
