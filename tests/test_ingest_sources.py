"""Sources through the ingest pipeline: one find-or-create path (store.sources.SourceFinder).

Claims are given (source spans found in small texts, or the gold spans of
tests/data/articles); the real resolver gives the speakers; ``ingest_document``
stores them. Asserts what the case database holds: article-local sources never
merge across articles, people merge by the cross-article matcher (not only by
equal keys), new sources carry the outlet table's prior, an analyst's split
alias applies to later articles, and migration 4 fills ``source.match_key``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlmodel import col, func, select

from claimtrack.models import Claim, SourceKind, Span, Speaker
from claimtrack.sources import default_table, resolve_claims
from claimtrack.store import Case, utcnow
from claimtrack.store import migrations as mig
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import ingest_document
from claimtrack.store.schema import ArticleRow, ClaimRow, SourceAliasRow, SourceRow
from claimtrack.store.sources import SourceFinder, split_source

DATA = Path(__file__).parent / "data" / "articles"


@pytest.fixture
def case(db_url: str) -> Iterator[Case]:
    with Case.open(db_url) as c:  # SQLite, or PostgreSQL with CLAIMTRACK_TEST_PG_URL
        yield c


def _claims(text: str, sources: list[str]) -> list[Claim]:
    """One claim per source string, in order: the source span, then the rest of its sentence."""
    out, pos = [], 0
    for src in sources:
        i = text.index(src, pos)
        j = i + len(src)
        m = re.search(r"[.!?]", text[j:])
        assert m is not None
        out.append(Claim(source=Span.of(text, i, j), content=Span.of(text, j, j + m.start())))
        pos = j
    return out


def ingest(case: Case, folder: Path, name: str, text: str, sources: list[str]) -> tuple[str, int]:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    doc = read_document(str(path))
    result = ingest_document(case, doc, resolved=resolve_claims(doc.text, _claims(text, sources)))
    return result.status, result.article_id


def claim_sources(case: Case, article_id: int) -> list[int | None]:
    with case.session() as s:
        return [
            c.source_id
            for c in s.exec(
                select(ClaimRow)
                .where(col(ClaimRow.article_id) == article_id)
                .order_by(col(ClaimRow.ordinal))
            )
        ]


def source(case: Case, source_id: int | None) -> SourceRow:
    with case.session() as s:
        row = s.get(SourceRow, source_id)
        assert row is not None
        return row


A1 = (
    "A senior U.S. official said the ships were hit. "
    "Mohamed Abdel-Salam said the strikes would continue. "
    "John Kirby said the Navy was ready. "
    "The Financial Times reported that the port was closed.\n"
)
S1 = ["A senior U.S. official", "Mohamed Abdel-Salam", "John Kirby", "The Financial Times"]
A2 = (
    "A senior U.S. official said the talks were over. "
    "Mohammed Abdel-Salam said Yemen would respond. "
    "John Kerry said the climate deal held. "
    "Mr Kerry said more was needed.\n"
)
S2 = ["A senior U.S. official", "Mohammed Abdel-Salam", "John Kerry", "Mr Kerry"]
A3 = "Mr Kerry said the summit was a success.\n"


def test_anonymous_sources_never_merge_and_people_merge_by_the_matcher(
    case: Case, tmp_path: Path
) -> None:
    _, a1 = ingest(case, tmp_path, "a1.txt", A1, S1)
    _, a2 = ingest(case, tmp_path, "a2.txt", A2, S2)
    off1, salam1, kirby, ft = claim_sources(case, a1)
    off2, salam2, kerry, mr_kerry = claim_sources(case, a2)
    # "a senior U.S. official" in two articles: two sources, keys salted with the article
    assert off1 != off2
    assert source(case, off1).key == f"anonymous:senior us official@{a1}"
    assert source(case, off2).key == f"anonymous:senior us official@{a2}"
    # Mohamed / Mohammed Abdel-Salam: one source (different keys, same person)
    assert salam1 == salam2
    assert source(case, salam1).key == "person:mohamed abdel-salam"
    # John Kirby and John Kerry: two; "Mr Kerry" in the same article is John Kerry
    assert len({kirby, kerry}) == 2
    assert mr_kerry == kerry
    with case.session() as s:
        keys = sorted(s.exec(select(SourceRow.key)))
        aliases = sorted(
            s.exec(select(SourceAliasRow.norm).where(col(SourceAliasRow.source_id) == salam1))
        )
    assert keys == sorted(
        [
            f"anonymous:senior us official@{a1}",
            f"anonymous:senior us official@{a2}",
            "person:mohamed abdel-salam",
            "person:john kirby",
            "person:john kerry",
            "media:financial times",
        ]
    )
    assert aliases == ["mohamed abdel-salam", "mohammed abdel-salam"]
    # match keys: people by surname, bodies by their significant words, none for local ones
    assert source(case, salam1).match_key == "person:abdelsalam"
    assert source(case, ft).match_key == "body:financial times"
    assert source(case, off1).match_key is None


def test_a_new_outlet_source_carries_the_tables_prior_and_reason(
    case: Case, tmp_path: Path
) -> None:
    _, a1 = ingest(case, tmp_path, "a1.txt", A1, S1)
    ft = source(case, claim_sources(case, a1)[3])
    entry = default_table().by_key["media:financial times"]
    assert entry.prior == 0.8
    assert (ft.name, ft.kind, ft.prior) == ("Financial Times", "media", 0.8)
    assert ft.prior_reason == f"{entry.prior_reason} ({entry.prior_origin})"
    assert "MBFC" in ft.prior_reason
    # a person has no table prior
    assert source(case, claim_sources(case, a1)[2]).prior is None


def test_an_analyst_split_alias_applies_to_a_later_article(case: Case, tmp_path: Path) -> None:
    _, a2 = ingest(case, tmp_path, "a2.txt", A2, S2)
    kerry = claim_sources(case, a2)[2]
    new_id, moved = split_source(case, "John Kerry", "Mr Kerry")
    assert len(moved) == 1
    assert claim_sources(case, a2)[2:] == [kerry, new_id]
    # a later article writing only "Mr Kerry" (an article-local surname key): the pinned source
    _, a3 = ingest(case, tmp_path, "a3.txt", A3, ["Mr Kerry"])
    assert claim_sources(case, a3) == [new_id]
    with case.session() as s:  # no source was made for the later article's "Mr Kerry"
        assert not any(k.startswith("local:") for k in s.exec(select(SourceRow.key)))
        assert s.exec(select(func.count()).select_from(SourceRow)).one() == 4


def test_reingesting_the_same_text_changes_nothing(case: Case, tmp_path: Path) -> None:
    ingest(case, tmp_path, "a1.txt", A1, S1)
    ingest(case, tmp_path, "a2.txt", A2, S2)

    def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        with case.session() as s:
            sources = [
                (r.id, r.key, r.name, r.kind, r.prior, r.match_key, r.version)
                for r in s.exec(select(SourceRow).order_by(col(SourceRow.id)))
            ]
            claims = [
                (c.id, c.article_id, c.source_id, c.cited_source_id)
                for c in s.exec(select(ClaimRow).order_by(col(ClaimRow.id)))
            ]
            return sources, claims

    before = snapshot()
    assert ingest(case, tmp_path, "again.txt", A1, S1)[0] == "unchanged"
    assert ingest(case, tmp_path, "a2.txt", A2, S2)[0] == "unchanged"
    assert snapshot() == before


def test_finder_batches_in_one_article_and_matches_within_the_batch(case: Case) -> None:
    def person(name: str) -> Speaker:
        return Speaker(name=name, kind=SourceKind.PERSON, key=f"person:{name.lower()}")

    with case.write() as s:
        s.add(ArticleRow(content_hash="0" * 64, text="x", ingested_at=utcnow()))
        s.flush()
        rows = SourceFinder(s, 1).get_many(
            [
                person("Mohamed Abdel-Salam"),
                person("Mohammed Abdel-Salam"),  # new in the same batch: the row just made
                person("Bill Clinton"),
                person("William Clinton"),
                person("Hillary Clinton"),
                Speaker(name="Smith", kind=SourceKind.PERSON, key="local:person:smith"),
            ]
        )
        ids = {k: r.id for k, r in rows.items()}
    assert ids["person:mohamed abdel-salam"] == ids["person:mohammed abdel-salam"]
    assert ids["person:bill clinton"] == ids["person:william clinton"]
    assert ids["person:hillary clinton"] != ids["person:bill clinton"]
    assert len(set(ids.values())) == 4
    assert source(case, ids["local:person:smith"]).key == "local:person:smith@1"


# --------------------------------------------------------------------------
# the 13 test articles through the store (tests/test_sources_articles.py, stored)
# --------------------------------------------------------------------------

EXPECTED: dict[str, list[dict]] = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))


def test_thirteen_articles_no_two_people_in_one_source_and_one_source_per_person(
    case: Case,
) -> None:
    person_of: dict[int, set[str]] = {}
    sources_of: dict[str, set[int]] = {}
    by_text: dict[str, set[int]] = {}
    for name in sorted(EXPECTED):
        doc = read_document(str(DATA / name))
        rows = EXPECTED[name]
        claims = []
        for r in rows:
            end = r["end"]
            m = re.search(r"[.!?]", doc.text[end:])
            stop = end + (m.start() if m else 0)
            stop = stop if stop > end else min(len(doc.text), end + 1)
            claims.append(
                Claim(
                    source=Span.of(doc.text, r["start"], end), content=Span.of(doc.text, end, stop)
                )
            )
        result = ingest_document(case, doc, resolved=resolve_claims(doc.text, claims))
        assert result.status == "new"
        for r, sid in zip(rows, claim_sources(case, result.article_id), strict=True):
            if r["name"] is None:
                assert sid is None, (name, r)
                continue
            assert sid is not None, (name, r)
            by_text.setdefault(r["text"], set()).add(sid)
            if r["kind"] == "person":
                person_of.setdefault(sid, set()).add(r["person"])
                sources_of.setdefault(r["person"], set()).add(sid)
    assert {sid: p for sid, p in person_of.items() if len(p) > 1} == {}
    assert {p: ids for p, ids in sources_of.items() if len(ids) > 1} == {}
    for a, b in [
        ("John Kirby", "John Kerry"),
        ("Adam Smith", "Royston Smith"),
        ("Ben Wallace", "Chris Wallace"),
        ("Bill Clinton", "Hillary Clinton"),
        ("Mike Johnson", "Boris Johnson"),
    ]:
        assert sources_of[a] != sources_of[b]
    assert len(sources_of["Mohamed Abdel-Salam"]) == 1
    assert len(sources_of["Guido Crosetto"]) == 1
    # bodies by alias; a senior U.S. official in three articles: three sources
    assert by_text["Reuters"] == by_text["Reuters news agency"]
    assert by_text["The WSJ"] == by_text["The Wall Street Journal"]
    assert by_text["The Kremlin"] == by_text["Moscow"]
    assert len(by_text["A senior U.S. official"]) == 3


# --------------------------------------------------------------------------
# migration 4: match_key for the sources of an older case
# --------------------------------------------------------------------------


def test_migration_4_fills_match_key_of_existing_sources(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Case.open(str(path), migrate=False)
    mig.migrate(old, target=3)
    with old.engine.begin() as conn:
        for i, (key, name, kind) in enumerate(
            [
                ("person:mohamed abdel-salam", "Mohamed Abdel-Salam", "person"),
                ("media:reuters", "Reuters news agency", "media"),
                ("local:person:smith@4", "Mr Smith", "person"),
                ("anonymous:senior us official@4", "senior U.S. official", "anonymous"),
                ("split:1:mr kerry", "Mr Kerry", "person"),
            ],
            start=1,
        ):
            conn.execute(
                sql(
                    "INSERT INTO source (id, key, name, kind, version, created_at) "
                    "VALUES (:i, :k, :n, :t, 1, '2026-01-01 00:00:00')"
                ),
                {"i": i, "k": key, "n": name, "t": kind},
            )
    old.close()
    with Case.open(str(path)) as case:
        assert case.schema_version() == mig.LATEST_VERSION
        with case.session() as s:
            got = [
                (r.key, r.match_key) for r in s.exec(select(SourceRow).order_by(col(SourceRow.id)))
            ]
    assert got == [
        ("person:mohamed abdel-salam", "person:abdelsalam"),
        ("media:reuters", "body:reuters"),
        ("local:person:smith@4", None),
        ("anonymous:senior us official@4", None),
        ("split:1:mr kerry", None),
    ]
