"""Source resolution over the 3 fixture articles and 10 test articles (tests/data/articles).

sources.json lists, per article, source spans with the expected speaker (name,
kind, key, affiliation) and, for people, the real person they stand for. The
cross-article test runs the matcher over every speaker of all 13 articles and
asserts that people are merged exactly by real identity: never two distinct
people in one entity (John Kirby / John Kerry, Adam Smith / Royston Smith, Ben /
Chris Wallace, Bill / Hillary Clinton, Mike / Boris Johnson), and one entity for
one person across articles (Guido Crosetto with and without his title,
Mohamed / Mohammed Abdel-Salam).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claimtrack.models import Claim, SourceKind, Span, Speaker
from claimtrack.sources import EntityIndex, resolve_claims, scoped_key

DATA = Path(__file__).parent / "data" / "articles"
EXPECTED: dict[str, list[dict]] = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))


def _read(name: str) -> str:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return fh.read()


def _claims(text: str, rows: list[dict]) -> list[Claim]:
    claims = []
    for r in rows:
        end = r["end"]
        m = re.search(r"[.!?]", text[end:])
        stop = end + (m.start() if m else 0)
        if stop <= end:
            stop = min(len(text), end + 1)
        claims.append(
            Claim(source=Span.of(text, r["start"], r["end"]), content=Span.of(text, end, stop))
        )
    return claims


def _resolve(name: str) -> list[Speaker | None]:
    text = _read(name)
    rows = EXPECTED[name]
    for r in rows:
        assert text[r["start"] : r["end"]] == r["text"], (name, r)
    return [rc.speaker for rc in resolve_claims(text, _claims(text, rows))]


def test_thirteen_articles() -> None:
    fixtures = [n for n in EXPECTED if n.startswith("../")]
    written = [n for n in EXPECTED if not n.startswith("../")]
    assert len(fixtures) == 3
    assert len(written) == 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_speakers_of_article(name: str) -> None:
    got = _resolve(name)
    for r, sp in zip(EXPECTED[name], got, strict=True):
        where = f"{name}: {r['text']!r}"
        if r["name"] is None:
            assert sp is None, where
            continue
        assert sp is not None, where
        assert (sp.name, sp.kind.value, sp.key, sp.affiliation) == (
            r["name"],
            r["kind"],
            r["key"],
            r["affiliation"],
        ), where


def _all_entities() -> tuple[EntityIndex, list[tuple[str, dict, Speaker, int]]]:
    index = EntityIndex()
    seen: list[tuple[str, dict, Speaker, int]] = []
    for article, name in enumerate(sorted(EXPECTED)):
        for r, sp in zip(EXPECTED[name], _resolve(name), strict=True):
            if sp is None:
                continue
            scoped = sp.model_copy(update={"key": scoped_key(sp.key, article)})
            seen.append((name, r, sp, index.add(scoped)))
    return index, seen


def test_no_two_people_merged_and_each_person_one_entity() -> None:
    _, seen = _all_entities()
    person_of: dict[int, set[str]] = {}
    entity_of: dict[str, set[int]] = {}
    for _name, r, sp, ent in seen:
        if sp.kind is SourceKind.PERSON:
            person_of.setdefault(ent, set()).add(r["person"])
            entity_of.setdefault(r["person"], set()).add(ent)
    merged = {ent: people for ent, people in person_of.items() if len(people) > 1}
    assert merged == {}
    split = {p: ents for p, ents in entity_of.items() if len(ents) > 1}
    assert split == {}
    # the near misses are all there, as distinct entities
    for a, b in [
        ("John Kirby", "John Kerry"),
        ("Adam Smith", "Royston Smith"),
        ("Ben Wallace", "Chris Wallace"),
        ("Bill Clinton", "Hillary Clinton"),
        ("Mike Johnson", "Boris Johnson"),
    ]:
        assert entity_of[a] != entity_of[b]
    # one person across articles, with and without title or transliteration
    crosetto = [name for name, r, sp, _ in seen if r.get("person") == "Guido Crosetto"]
    assert len(set(crosetto)) == 3
    assert len(entity_of["Guido Crosetto"]) == 1
    abdel = {sp.name for _, r, sp, _ in seen if r.get("person") == "Mohamed Abdel-Salam"}
    assert abdel == {"Mohamed Abdel-Salam", "Mohammed Abdel-Salam"}


def test_bodies_merge_by_alias_and_anonymous_sources_never_merge() -> None:
    _, seen = _all_entities()
    by_text: dict[str, set[int]] = {}
    for _, r, _sp, ent in seen:
        by_text.setdefault(r["text"], set()).add(ent)
    # "Reuters", "Reuters news agency", "a recent report from Reuters"
    assert len(by_text["Reuters"] | by_text["Reuters news agency"]) == 1
    assert by_text["Reuters"] == by_text["a recent report from Reuters"]
    # "The WSJ" and "The Wall Street Journal"
    assert by_text["The WSJ"] == by_text["The Wall Street Journal"]
    # "The Pentagon" and "The U.S. Department of Defense"
    assert by_text["The Pentagon"] == by_text["The U.S. Department of Defense"]
    # metonyms: the Kremlin and Moscow are the Russian government
    assert by_text["The Kremlin"] == by_text["Moscow"]
    assert by_text["London"] == by_text["Downing Street"] == by_text["Britain"]
    # a senior U.S. official in three articles: three sources
    assert len(by_text["A senior U.S. official"]) == 3
    # but the same official within one article is one source
    a09 = {ent for n, r, _, ent in seen if n.startswith("a09") and "official" in r["text"]}
    assert len(a09) == 1
