"""The per-article pipeline (store level): storing claims and sources, idempotence, rollback.

Extraction and source resolution are replaced by small deterministic fakes so
these tests pin the store's behaviour, not the extractor's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from claimtrack.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION
from claimtrack.models import (
    ArticleMeta,
    Claim,
    ResolvedClaim,
    SourceKind,
    Span,
    Speaker,
    Stance,
)
from claimtrack.store import Case
from claimtrack.store import ingest as ingest_mod
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import ingest_document, span_key
from claimtrack.store.schema import ArticleRow, ClaimRow, SourceAliasRow, SourceRow

_SAID = re.compile(
    r"(?P<content>[A-Z][^.\n]*?), (?P<source>[A-Z][a-z]+(?: [A-Z][a-z]+)*) (?P<cue>said|denied)"
)


def fake_extract(text: str) -> list[Claim]:
    claims = []
    for m in _SAID.finditer(text):
        claims.append(
            Claim(
                source=Span.of(text, *m.span("source")),
                cue=Span.of(text, *m.span("cue")),
                content=Span.of(text, *m.span("content")),
                stance=Stance.DENIES if m.group("cue") == "denied" else Stance.ASSERTS,
                hedged="may" in m.group("content"),
                hedges=("may",) if "may" in m.group("content") else (),
            )
        )
    return claims


def fake_resolve(text: str, claims: list[Claim]) -> list[ResolvedClaim]:
    out = []
    for c in claims:
        assert c.source is not None
        name = c.source.text
        speaker = Speaker(
            name=name,
            kind=SourceKind.PERSON,
            key=f"person:{name.split()[-1].lower()}",
            aliases=(name,),
            role="Minister" if name.startswith("Minister") else None,
        )
        out.append(ResolvedClaim(claim=c, speaker=speaker))
    return out


@pytest.fixture(autouse=True)
def _fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_mod, "extract_claims", fake_extract)
    monkeypatch.setattr(ingest_mod, "resolve_claims", fake_resolve)


@pytest.fixture
def case(db_url: str) -> Iterator[Case]:
    with Case.open(db_url) as c:  # SQLite, or PostgreSQL with CLAIMTRACK_TEST_PG_URL
        yield c


TEXT = (
    "Talks in Geneva\n"
    "The talks may continue next week, Ben Wallace said. "
    "Russia sent no weapons, Wallace denied. "
    "Iran wants a deal, Minister Smith said.\n"
)


def test_article_claims_and_sources_are_stored(case: Case, tmp_path: Path) -> None:
    d = read_document(str(_write(tmp_path, TEXT)))
    result = ingest_document(case, d)
    assert (result.status, result.claims, result.title) == ("new", 3, "Talks in Geneva")
    with case.session() as s:
        article = s.exec(select(ArticleRow)).one()
        assert article.text == TEXT
        assert article.content_hash == d.content_hash
        assert article.size == len(TEXT)
        assert article.extractor_version == EXTRACTOR_VERSION
        claims = s.exec(select(ClaimRow).order_by(col(ClaimRow.ordinal))).all()
        sources = s.exec(select(SourceRow).order_by(col(SourceRow.id))).all()
        aliases = s.exec(select(SourceAliasRow).order_by(col(SourceAliasRow.id))).all()
    assert [c.content_text for c in claims] == [
        "The talks may continue next week",
        "Russia sent no weapons",
        "Iran wants a deal",
    ]
    for c in claims:  # offsets point into the stored text
        assert TEXT[c.content_start : c.content_end] == c.content_text
        assert c.cue_start is not None and c.cue_end is not None
        assert TEXT[c.cue_start : c.cue_end] == c.cue_text
        assert c.span_key == f"{c.content_start}:{c.content_end}:{c.cue_start}"
        assert (c.extractor, c.extractor_version) == (EXTRACTOR_NAME, EXTRACTOR_VERSION)
    assert [c.stance for c in claims] == ["asserts", "denies", "asserts"]
    assert [json.loads(c.hedges) for c in claims] == [["may"], [], []]
    assert claims[0].hedged is True
    # "Ben Wallace" and "Wallace" share the key person:wallace: one source, two aliases
    assert [(s.key, s.name, s.kind) for s in sources] == [
        ("person:wallace", "Ben Wallace", "person"),
        ("person:smith", "Minister Smith", "person"),
    ]
    assert sources[1].role == "Minister"
    assert [(a.source_id, a.alias, a.norm) for a in aliases] == [
        (sources[0].id, "Ben Wallace", "ben wallace"),
        (sources[0].id, "Wallace", "wallace"),
        (sources[1].id, "Minister Smith", "minister smith"),
    ]
    assert [(c.speaker, c.source_kind, c.source_id) for c in claims] == [
        ("Ben Wallace", "person", sources[0].id),
        ("Wallace", "person", sources[0].id),
        ("Minister Smith", "person", sources[1].id),
    ]


def _write(tmp_path: Path, text: str, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_same_text_is_never_stored_twice(case: Case, tmp_path: Path) -> None:
    first = ingest_document(case, read_document(str(_write(tmp_path, TEXT, "a.txt"))))
    again = ingest_document(case, read_document(str(_write(tmp_path, TEXT, "copy.txt"))))
    assert first.status == "new"
    assert (again.status, again.article_id, again.claims) == ("unchanged", first.article_id, 3)
    with case.session() as s:
        assert len(s.exec(select(ArticleRow)).all()) == 1
        assert len(s.exec(select(ClaimRow)).all()) == 3


def test_sources_are_shared_across_articles(case: Case, tmp_path: Path) -> None:
    ingest_document(case, read_document(str(_write(tmp_path, TEXT, "a.txt"))))
    other = "Other story\nThe war is lost, Ben Wallace said.\n"
    ingest_document(case, read_document(str(_write(tmp_path, other, "b.txt"))))
    with case.session() as s:
        assert len(s.exec(select(SourceRow)).all()) == 2
        assert len(s.exec(select(SourceAliasRow)).all()) == 3
        wallace = s.exec(select(SourceRow).where(col(SourceRow.key) == "person:wallace")).one()
        ids = {
            c.source_id
            for c in s.exec(select(ClaimRow).where(col(ClaimRow.speaker) == "Ben Wallace"))
        }
    assert ids == {wallace.id}


def test_explicit_overrides_update_a_stored_article(case: Case, tmp_path: Path) -> None:
    path = str(_write(tmp_path, TEXT))
    ingest_document(case, read_document(path))
    overrides = ArticleMeta(outlet="Reuters")
    result = ingest_document(case, read_document(path, overrides=overrides), overrides=overrides)
    assert result.status == "updated"
    again = ingest_document(case, read_document(path, overrides=overrides), overrides=overrides)
    assert again.status == "unchanged"
    with case.session() as s:
        assert s.exec(select(ArticleRow.outlet)).one() == "Reuters"


def test_a_failure_inside_an_article_rolls_it_back(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("linking failed")

    monkeypatch.setattr(ingest_mod, "_after_claims_stored", explode)
    with pytest.raises(RuntimeError, match="linking failed"):
        ingest_document(case, read_document(str(_write(tmp_path, TEXT))))
    with case.session() as s:
        for table in (ArticleRow, ClaimRow, SourceRow, SourceAliasRow):
            assert s.exec(select(table)).all() == []
    monkeypatch.undo()
    monkeypatch.setattr(ingest_mod, "extract_claims", fake_extract)
    monkeypatch.setattr(ingest_mod, "resolve_claims", fake_resolve)
    assert ingest_document(case, read_document(str(_write(tmp_path, TEXT)))).status == "new"


def test_claims_on_the_same_spans_are_both_kept(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def twice(text: str) -> list[Claim]:
        c = fake_extract(text)[0]
        return [c, c.model_copy(update={"stance": Stance.DENIES})]

    monkeypatch.setattr(ingest_mod, "extract_claims", twice)
    result = ingest_document(case, read_document(str(_write(tmp_path, TEXT))))
    assert result.claims == 2
    with case.session() as s:
        keys = [c.span_key for c in s.exec(select(ClaimRow).order_by(col(ClaimRow.ordinal)))]
    base = span_key(fake_extract(TEXT)[0])
    assert keys == [base, f"{base}#2"]


def test_unresolved_claims_have_no_source(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        ingest_mod, "resolve_claims", lambda text, claims: [ResolvedClaim(claim=c) for c in claims]
    )
    ingest_document(case, read_document(str(_write(tmp_path, TEXT))))
    with case.session() as s:
        claims = s.exec(select(ClaimRow)).all()
        assert s.exec(select(SourceRow)).all() == []
    assert {(c.speaker, c.source_kind, c.source_id) for c in claims} == {(None, "unknown", None)}
