"""Bad input fuzzing: random bytes and random text fed as articles through the real
pipeline (read, extract, resolve, store). Never a crash; every stored span lies in
the stored text and equals it; a rejected article leaves the case unchanged."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import SQLModel, select

from claimtrack.errors import ClaimtrackError
from claimtrack.store import Case
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import ingest_document
from claimtrack.store.maintenance import check_case
from claimtrack.store.schema import ArticleRow, ClaimRow

SUFFIXES = [".txt", ".md", ".html"]
# pieces that make the extractor and the source resolver work on the text
FRAGMENTS = [
    "said",
    " said ",
    "according to",
    "“",
    "”",
    '"',
    "'",
    "\n",
    "\n\n",
    ", ",
    ". ",
    "The minister",
    "He",
    "she told reporters",
    "officials say",
    "denied that",
    "Ben Wallace",
    "<p>",
    "</p>",
    "<script>x</script>",
    "---\ntitle: x\n---\n",
    "\r\n",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "é",
    "😀",
    "\x00",
    "\x1b[31m",
]

texts = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    ),
    max_size=40,
).map("".join)

_counter = itertools.count()


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return Case.open(str(tmp_path_factory.mktemp("fuzz") / "case.db"))


def _snapshot(case: Case) -> dict[str, tuple[int, int]]:
    """Row count and highest key of every table."""
    out = {}
    with case.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            key = next(iter(table.primary_key.columns))
            row = conn.execute(select(func.count(), func.max(key)).select_from(table)).one()
            out[table.name] = (int(row[0]), hash(row[1]))
    return out


def _feed(case: Case, folder: Path, data: bytes, suffix: str) -> None:
    path = folder / f"in{next(_counter)}{suffix}"
    path.write_bytes(data)
    before = _snapshot(case)
    try:
        doc = read_document(str(path))
        result = ingest_document(case, doc)
    except ClaimtrackError as exc:  # rejected: one line naming the file, nothing stored
        assert "\n" not in str(exc)
        assert _snapshot(case) == before
        return
    with case.session() as s:
        article = s.get(ArticleRow, result.article_id)
        assert article is not None and article.text == doc.text
        claims = s.exec(select(ClaimRow).where(ClaimRow.article_id == result.article_id)).all()
    assert len(claims) == result.claims
    text = article.text
    for c in claims:
        assert 0 <= c.content_start <= c.content_end <= len(text)
        assert text[c.content_start : c.content_end] == c.content_text
        for span in (
            (c.source_start, c.source_end, c.source_text),
            (c.cue_start, c.cue_end, c.cue_text),
        ):
            if span[0] is not None:
                assert span[1] is not None and 0 <= span[0] <= span[1] <= len(text)
                assert text[span[0] : span[1]] == span[2]


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_as_articles(case: Case, tmp_path: Path, data: bytes, suffix: str) -> None:
    _feed(case, tmp_path, data, suffix)


@FUZZ
@given(
    text=texts,
    suffix=st.sampled_from(SUFFIXES),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
)
def test_random_text_as_articles(
    case: Case, tmp_path: Path, text: str, suffix: str, encoding: str
) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _feed(case, tmp_path, data, suffix)


def test_the_fuzzed_case_is_consistent(case: Case) -> None:
    report = check_case(case)
    assert report.problems == []
