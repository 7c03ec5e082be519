"""Analyst decisions (claimtrack.store.review) and the read queries (claimtrack.store.queries)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from tui_case import build_case

from claimtrack.errors import ConflictError, NotFoundError, UsageError
from claimtrack.store import Case, review
from claimtrack.store.queries import (
    ClaimQuery,
    article_view,
    articles_list,
    claim_detail,
    claim_ids,
    claims_by_ids,
    claims_page,
    count_claims,
    sources_list,
)
from claimtrack.store.schema import ClaimReviewRow, LinkRow, ReviewEventRow, SourceRow


@pytest.fixture
def case(db_url: str) -> Iterator[Case]:
    c = build_case(db_url)  # type: ignore[arg-type]  # a path or URL (SQLite, or PostgreSQL)
    yield c
    c.close()


def events(case: Case) -> list[ReviewEventRow]:
    with case.session() as s:
        return list(s.exec(select(ReviewEventRow).order_by(ReviewEventRow.id)))  # type: ignore[arg-type]


def test_accept_writes_status_version_and_event(case: Case) -> None:
    row = review.accept_claim(case, 2, actor="ana")
    assert (row.status, row.version, row.updated_by) == ("accepted", 1, "ana")
    [ev] = events(case)
    assert (ev.entity, ev.entity_id, ev.action, ev.actor) == ("claim", "2", "status", "ana")
    assert (json.loads(ev.old_value or ""), json.loads(ev.new_value or "")) == (
        "unreviewed",
        "accepted",
    )
    # the same decision again is not a change: no new event, same version
    assert review.accept_claim(case, 2).version == 1
    assert len(events(case)) == 1
    assert review.reject_claim(case, 2, expected_version=1).version == 2


def test_stale_version_raises_conflict(case: Case) -> None:
    review.set_note(case, 3, "first", expected_version=0)
    with pytest.raises(
        ConflictError, match=r"claim 3 was changed by someone else.*version 1, you had 0"
    ):
        review.set_note(case, 3, "second", expected_version=0)
    with case.session() as s:
        row = s.get(ClaimReviewRow, 3)
        assert row is not None and row.note == "first"


def test_unknown_claim_source_and_bad_values(case: Case) -> None:
    with pytest.raises(NotFoundError, match="no claim 999"):
        review.accept_claim(case, 999)
    with pytest.raises(NotFoundError, match="no source 999"):
        review.set_claim_source(case, 1, 999)
    with pytest.raises(UsageError, match="bad verdict 'maybe'"):
        review.set_verdict(case, 1, "maybe")
    with pytest.raises(UsageError, match="linked to itself"):
        review.add_link(case, 4, 4, "corroborates")
    assert events(case) == []


def test_source_edit_changes_the_effective_source(case: Case) -> None:
    review.set_claim_source(case, 5, 1)  # "Reports" -> Reuters
    [row] = claims_by_ids(case, [5])
    assert (row.source_id, row.source_name, row.letter) == (1, "Reuters", "B")
    assert claim_ids(case, ClaimQuery(source_id=1)) == [1, 5]
    detail = claim_detail(case, 5)
    assert detail.source is not None and detail.source.overridden
    assert detail.source.claim_count == 2
    review.set_claim_source(case, 5, None)
    assert claims_by_ids(case, [5])[0].source_id is None


def test_verdict_note_and_undo_stack(case: Case) -> None:
    review.set_verdict(case, 4, "false")
    review.set_note(case, 4, "  denial is self-serving ")
    detail = claim_detail(case, 4)
    assert (detail.verdict, detail.note, detail.review_version) == (
        "false",
        "denial is self-serving",
        2,
    )
    undone = review.undo_last(case)
    assert (undone.action, undone.entity_id, undone.restored) == ("note", "4", None)
    assert claim_detail(case, 4).note is None
    undone = review.undo_last(case)
    assert (undone.action, undone.restored) == ("verdict", None)
    assert claim_detail(case, 4).verdict is None
    with pytest.raises(NotFoundError, match="nothing to undo"):
        review.undo_last(case)
    kinds = [(e.action, e.note) for e in events(case)]
    assert kinds == [
        ("verdict", None),
        ("note", None),
        ("undo", "undo of event 2 (note)"),
        ("undo", "undo of event 1 (verdict)"),
    ]


def test_undo_refuses_a_value_changed_since(case: Case) -> None:
    review.accept_claim(case, 7)
    with case.write() as s:  # someone else, bypassing events
        row = s.get(ClaimReviewRow, 7)
        assert row is not None
        row.status = "rejected"
        s.add(row)
    with pytest.raises(ConflictError, match="status of claim 7 changed since"):
        review.undo_last(case)


def test_undo_refuses_actions_it_does_not_know(case: Case) -> None:
    with case.write() as s:
        review.record_event(s, entity="source", entity_id=3, action="merge", old=None, new=2)
    with pytest.raises(ConflictError, match="merge on source 3.*cannot be undone from here"):
        review.undo_last(case)


def test_reject_link_hides_it_from_counts_and_contested(case: Case) -> None:
    assert claim_ids(case, ClaimQuery(contested=True)) == [2, 4]
    link = next(li for li in claim_detail(case, 2).links if li.other_id == 4)
    row = review.reject_link(case, link.link_id)
    assert (row.a_id, row.b_id, row.relation, row.origin) == (2, 4, "none", "analyst")
    assert claim_ids(case, ClaimQuery(contested=True)) == []
    assert claims_by_ids(case, [2])[0].contradicting == 0
    shown = next(li for li in claim_detail(case, 2).links if li.other_id == 4)
    assert (shown.relation, shown.origin, shown.machine_relation) == (
        "none",
        "analyst",
        "contradicts",
    )
    review.undo_last(case)
    with case.session() as s:
        assert list(s.exec(select(LinkRow).where(LinkRow.origin == "analyst"))) == []
    assert claim_ids(case, ClaimQuery(contested=True)) == [2, 4]


def test_confirm_retype_and_add_links(case: Case) -> None:
    link = next(li for li in claim_detail(case, 1).links if li.other_id == 2)
    confirmed = review.confirm_link(case, link.link_id)
    assert (confirmed.relation, confirmed.origin, confirmed.version) == (
        "corroborates",
        "analyst",
        1,
    )
    retyped = review.retype_link(case, confirmed.id or 0, "contradicts")
    assert (retyped.relation, retyped.version) == ("contradicts", 2)
    added = review.add_link(case, 9, 3, "corroborates")
    assert (added.a_id, added.b_id, added.origin) == (3, 9, "analyst")
    assert claims_by_ids(case, [3])[0].corroborating == 1
    assert claim_ids(case, ClaimQuery(contested=True)) == [1, 2, 4]
    with pytest.raises(ConflictError, match="the link 1-2 was changed"):
        review.decide_link(case, 1, 2, "repeats", expected_version=1)


def test_repeats_keep_the_original_report(case: Case) -> None:
    link = next(li for li in claim_detail(case, 5).links if li.other_id == 1)
    assert (link.relation, link.original_claim_id) == ("repeats", 1)
    assert review.confirm_link(case, link.link_id).origin_claim_id == 1


# -- queries ---------------------------------------------------------------


def test_sorts_nulls_last_and_reverse(case: Case) -> None:
    assert claim_ids(case, ClaimQuery(sort="credibility")) == [1, 8, 10, 2, 3, 6, 7, 9, 4, 5]
    assert claim_ids(case, ClaimQuery(sort="probability", descending=True)) == [
        1, 10, 8, 6, 2, 7, 9, 3, 4, 5,
    ]  # fmt: skip
    assert claim_ids(case, ClaimQuery(sort="contradicting", descending=True))[:2] == [2, 4]
    assert claim_ids(case, ClaimQuery(sort="source"))[:3] == [
        3,
        7,
        8,
    ]  # "A senior…", Analysts, Ben Wallace (ties by id)
    assert claim_ids(case, ClaimQuery(sort="id", descending=True))[0] == 10
    for column in (
        "letter",
        "stance",
        "hedged",
        "text",
        "article",
        "corroborating",
        "status",
        "verdict",
    ):
        assert sorted(claim_ids(case, ClaimQuery(sort=column))) == list(range(1, 11))
    with pytest.raises(UsageError, match="cannot sort by 'bogus'"):
        claim_ids(case, ClaimQuery(sort="bogus"))


def test_filters(case: Case) -> None:
    assert claim_ids(case, ClaimQuery(article_id=3)) == [8, 9, 10]
    assert claim_ids(case, ClaimQuery(grade="B")) == [1, 10]
    assert claim_ids(case, ClaimQuery(grade="b2")) == [1, 10]
    assert claim_ids(case, ClaimQuery(grade="3")) == [2, 3, 6, 7, 9]
    assert claim_ids(case, ClaimQuery(grade="CD3")) == [2, 3, 6, 7, 9]
    assert claim_ids(case, ClaimQuery(search="WALLACE")) == [8, 9]
    assert claim_ids(case, ClaimQuery(search="100%")) == []
    assert 6 not in claim_ids(case, ClaimQuery(unreviewed=True))
    assert count_claims(case, ClaimQuery(unreviewed=True, article_id=2)) == 1
    with pytest.raises(UsageError, match="bad grade 'Z9'"):
        claim_ids(case, ClaimQuery(grade="Z9"))


def test_pages(case: Case) -> None:
    page = claims_page(case, ClaimQuery(sort="credibility"), limit=3, offset=3)
    assert (page.total, [r.id for r in page.rows]) == (10, [2, 3, 6])
    assert claims_page(case, limit=5, offset=10).rows == []
    with pytest.raises(UsageError):
        claims_page(case, limit=0)


def test_detail_marks_point_into_the_paragraph(case: Case) -> None:
    d = claim_detail(case, 10)
    by_kind = {m.kind: d.paragraph[m.start : m.end] for m in d.marks}
    assert by_kind == {
        "source": "the United States",
        "cue": "said",
        "content": d.text,
    }
    assert d.paragraph.startswith("“Our advice is helping Ukraine")
    assert d.score is not None and d.score.credibility == 2
    assert [(li.relation, li.other_id) for li in d.links] == [("corroborates", 8)]
    assert d.source is not None and (d.source.name, d.source.letter) == ("United States", "B")


def test_merged_sources_resolve_to_the_survivor(case: Case) -> None:
    with case.write() as s:
        row = s.get(SourceRow, 5)  # Guido Crosetto merged into Ben Wallace, for the test
        assert row is not None
        row.merged_into = 7
        s.add(row)
    assert claims_by_ids(case, [6])[0].source_name == "Ben Wallace"
    assert claim_ids(case, ClaimQuery(source_id=7)) == [6, 8, 9]
    names = [r.name for r in sources_list(case)]
    assert "Guido Crosetto" not in names
    assert next(r for r in sources_list(case) if r.id == 7).claims == 3


def test_articles(case: Case) -> None:
    assert [(a.id, a.claims) for a in articles_list(case)] == [(1, 5), (2, 2), (3, 3)]
    view = article_view(case, 2)
    assert [c.id for c in view.claims] == [6, 7]
    for c in view.claims:
        content = next(m for m in c.marks if m.kind == "content")
        assert view.text[content.start : content.end] == c.text
    with pytest.raises(NotFoundError):
        article_view(case, 99)


def test_long_paragraphs_are_cut_around_the_claim(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from claimtrack.store.schema import ArticleRow, ClaimRow

    case = Case.open(str(tmp_path / "long.db"))
    filler = "word " * 400
    text = filler + "Officials said the bridge is closed. " + filler
    start = text.index("the bridge")
    with case.write() as s:
        s.add(
            ArticleRow(
                content_hash="f" * 64, text=text, size=len(text), ingested_at=datetime.now(UTC)
            )
        )
        s.flush()
        s.add(
            ClaimRow(
                article_id=1,
                ordinal=1,
                span_key="x",
                content_text="the bridge is closed",
                content_start=start,
                content_end=start + 20,
            )
        )
    d = claim_detail(case, 1)
    assert len(d.paragraph) < 1300
    [mark] = d.marks
    assert d.paragraph[mark.start : mark.end] == "the bridge is closed"
    assert d.paragraph_start + mark.start == start
    case.close()


def test_rescore_after_a_decision(case: Case) -> None:
    from claimtrack.store.schema import ClaimScoreRow

    review.reject_claim(case, 3)
    assert review.rescore_after(case, [3])
    with case.session() as s:
        assert s.get(ClaimScoreRow, 3) is None  # a rejected extraction is not scored
    review.set_verdict(case, 1, "true")
    review.rescore_after(case, [1])
    [row] = claims_by_ids(case, [1])
    assert row.probability is not None and row.probability > 0.78


@pytest.mark.parametrize(
    "query",
    [
        ClaimQuery(),
        ClaimQuery(descending=True),
        ClaimQuery(sort="credibility"),
        ClaimQuery(sort="probability", descending=True),
        ClaimQuery(sort="source"),
        ClaimQuery(sort="article", descending=True),
        ClaimQuery(sort="contradicting", descending=True),
        ClaimQuery(sort="status", unreviewed=True),
    ],
)
def test_keyset_pages_walk_the_same_order(case: Case, query: ClaimQuery) -> None:
    review.accept_claim(case, 4)
    expected = claim_ids(case, query)
    walked: list[int] = []
    after: int | None = None
    while True:
        page = claims_page(case, query, limit=3, after=after)
        if not page.rows:
            break
        walked += [r.id for r in page.rows]
        after = page.rows[-1].id
    assert walked == expected
    assert page.total == len(expected)
