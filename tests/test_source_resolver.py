"""``SourceResolver``: one write unit's sources at once, exactly as one finder per article.

The ingest writer resolves the speakers of all the articles of a write unit in
one batch of statements. What it stores (rows, ids, fields, aliases) and what
it returns must be what a ``SourceFinder`` per article, one after the other,
gives: the rows made and the aliases recorded by the unit's earlier articles
are keys and candidates for the later ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from claimtrack.extract import extract_claims
from claimtrack.models import SourceKind, Speaker
from claimtrack.sources import resolve_claims
from claimtrack.store import Case
from claimtrack.store.sources import SourceFinder, SourceResolver, normalise_alias

DATA = Path(__file__).parent / "data" / "articles"


def _speakers(path: Path) -> list[Speaker]:
    body = path.read_text(encoding="utf-8")
    resolved = resolve_claims(body, extract_claims(body))
    return [sp for rc in resolved for sp in (rc.speaker, rc.cited) if sp is not None]


def _tables(case: Case) -> tuple[list[Any], list[Any]]:
    with case.engine.connect() as conn:
        sources = conn.execute(
            text(
                "SELECT id, key, name, kind, affiliation, role, prior, prior_reason, match_key "
                "FROM source ORDER BY id"
            )
        ).all()
        aliases = conn.execute(
            text("SELECT id, source_id, alias, norm, origin FROM source_alias ORDER BY id")
        ).all()
    return [tuple(r) for r in sources], [tuple(r) for r in aliases]


def _both(
    tmp_path: Path, articles: list[tuple[int, list[Speaker]]], seed: list[Speaker] | None = None
) -> tuple[Any, Any, list[dict[str, int | None]], list[dict[str, int | None]]]:
    """(tables, tables, ids, ids): one finder per article, and one resolver for all."""
    out = []
    for name in ("finder", "resolver"):
        with Case.open(str(tmp_path / f"{name}.db")) as case:
            if seed:
                with case.write() as s:
                    SourceFinder(s, 1).get_many(seed)
            with case.write() as s:
                if name == "finder":
                    got = [SourceFinder(s, aid).get_many(sps) for aid, sps in articles]
                else:
                    got = SourceResolver(s).resolve(articles)
                ids = [{k: r.id for k, r in g.items()} for g in got]
            out.append((_tables(case), ids))
    (t1, ids1), (t2, ids2) = out
    return t1, t2, ids1, ids2


def test_resolver_stores_what_one_finder_per_article_stores(tmp_path: Path) -> None:
    paths = sorted(DATA.glob("a*.txt"))
    # each article twice: the second sighting finds (and fills) what the first made
    articles = [(10 + i, _speakers(p)) for i, p in enumerate(paths + paths)]
    assert sum(len(sps) for _, sps in articles) > 40
    t1, t2, ids1, ids2 = _both(tmp_path, articles)
    assert t1 == t2
    assert ids1 == ids2
    sources, aliases = t2
    assert len(sources) > 20 and len(aliases) > len(sources)
    # nothing recorded twice
    assert len({(a[1], a[3]) for a in aliases}) == len(aliases)


def test_later_articles_see_the_rows_and_aliases_of_earlier_ones(tmp_path: Path) -> None:
    stored = Speaker(
        name="Mohamed Abdel-Salam", kind=SourceKind.PERSON, key="person:mohamed abdel-salam"
    )
    made = Speaker(name="Ahmed Kirby", kind=SourceKind.PERSON, key="person:ahmed kirby")
    variant = Speaker(
        name="Mohammed Abdel-Salam",
        kind=SourceKind.PERSON,
        key="person:mohammed abdel-salam",
        affiliation="Ministry of Health",
    )
    body = Speaker(
        name="World Health Organization",
        kind=SourceKind.ORGANIZATION,
        key="organization:world health organization",
        aliases=("WHO",),
    )
    # another match key (body:who): a candidate only by the alias the first article records
    by_alias = Speaker(name="WHO", kind=SourceKind.ORGANIZATION, key="organization:who")
    anon = Speaker(
        name="a senior official", kind=SourceKind.ANONYMOUS, key="anonymous:senior official"
    )
    again = Speaker(
        name="Ahmed Kirby", kind=SourceKind.PERSON, key="person:ahmed kirby", role="spokesman"
    )
    articles = [
        (2, [made, body, anon]),
        (3, [variant, by_alias, anon, again]),
        (4, [again, variant, anon]),
    ]
    t1, t2, ids1, ids2 = _both(tmp_path, articles, seed=[stored])
    assert t1 == t2
    assert ids1 == ids2
    sources, aliases = t2
    by_key = {r[1]: r for r in sources}
    # the variant spelling is the stored person, who gains the affiliation
    assert ids2[1]["person:mohammed abdel-salam"] == by_key["person:mohamed abdel-salam"][0]
    assert by_key["person:mohamed abdel-salam"][4] == "Ministry of Health"
    # a row made by an earlier article of the unit: found by key, filled
    assert ids2[1]["person:ahmed kirby"] == ids2[0]["person:ahmed kirby"]
    assert by_key["person:ahmed kirby"][5] == "spokesman"
    # a body reached by an alias recorded by the unit's first article
    assert ids2[1]["organization:who"] == ids2[0]["organization:world health organization"]
    # article-local keys stay one row per article
    assert len({ids2[i]["anonymous:senior official"] for i in range(3)}) == 3
    assert ("WHO", normalise_alias("WHO")) in {(a[2], a[3]) for a in aliases}


def test_the_oldest_matching_source_wins_across_the_unit(tmp_path: Path) -> None:
    def person(name: str) -> Speaker:
        return Speaker(name=name, kind=SourceKind.PERSON, key=f"person:{name.lower()}")

    # "J. Smith" may be either: the stored one, then the ones the unit made, in order
    articles = [
        (2, [person("Jane Smith")]),
        (3, [person("J. Smith"), person("Jo Smith")]),
        (4, [person("Jo Smith"), person("J. Smith")]),
    ]
    t1, t2, ids1, ids2 = _both(tmp_path, articles, seed=[person("John Smith")])
    assert t1 == t2
    assert ids1 == ids2
    john = next(r[0] for r in t2[0] if r[1] == "person:john smith")
    assert ids2[1]["person:j. smith"] == ids2[2]["person:j. smith"] == john
    # without the stored one, the first made in the unit
    (tmp_path / "fresh").mkdir()
    t1, t2, ids1, ids2 = _both(tmp_path / "fresh", articles)
    assert t1 == t2
    assert ids1 == ids2
    assert ids2[1]["person:j. smith"] == ids2[0]["person:jane smith"]
