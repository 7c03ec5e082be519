"""store/reporting: ReportData from a case database, and the report/export commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.errors import NotFoundError
from claimtrack.models import Relation
from claimtrack.report import render_markdown
from claimtrack.store import Case
from claimtrack.store.reporting import Selection, report_data
from claimtrack.store.schema import (
    ArticleRow,
    CaseSettingRow,
    ClaimReviewRow,
    ClaimRow,
    ClaimScoreRow,
    LinkRow,
    SourceAliasRow,
    SourceRow,
    SourceScoreRow,
)

T0 = datetime(2024, 8, 1, 12, 0, tzinfo=UTC)


def _claim(
    cid: int, article: int, ordinal: int, text: str, source: int | None, **kw: object
) -> ClaimRow:
    return ClaimRow(
        id=cid,
        article_id=article,
        ordinal=ordinal,
        span_key=f"{ordinal}:{ordinal + 1}:",
        content_text=text,
        content_start=ordinal,
        content_end=ordinal + len(text),
        source_id=source,
        **kw,
    )


@pytest.fixture
def case(db_url: str) -> Iterator[Case]:
    c = Case.open(db_url)
    with c.write() as s:
        s.add_all(
            [
                ArticleRow(
                    id=1,
                    content_hash="h1",
                    text="x" * 200,
                    title="Talks",
                    outlet="Outlet One",
                    url="https://one.example/a",
                    published=date(2024, 7, 1),
                    ingested_at=T0,
                ),
                ArticleRow(
                    id=2,
                    content_hash="h2",
                    text="y" * 200,
                    title="Echo",
                    outlet="Outlet Two",
                    published=date(2024, 7, 5),
                    ingested_at=T0,
                ),
                ArticleRow(
                    id=3, content_hash="h3", text="z" * 200, title="Undated", ingested_at=T0
                ),
            ]
        )
        s.flush()
        s.add_all(
            [
                SourceRow(id=1, key="media:reuters", name="Reuters", kind="media", created_at=T0),
                SourceRow(
                    id=2,
                    key="person:ben wallace",
                    name="Ben Wallace",
                    kind="person",
                    affiliation="United Kingdom",
                    created_at=T0,
                ),
                SourceRow(
                    id=3,
                    key="person:mr wallace",
                    name="Mr Wallace",
                    kind="person",
                    merged_into=2,
                    created_at=T0,
                ),
                SourceRow(
                    id=4,
                    key="person:houthi spokesman",
                    name="Houthi spokesman",
                    name_override="Mohamed Abdel-Salam",
                    kind="person",
                    created_at=T0,
                ),
            ]
        )
        s.flush()
        s.add(
            SourceAliasRow(source_id=2, alias="the Defence Secretary", norm="the defence secretary")
        )
        s.add_all(
            [
                _claim(1, 1, 0, "Russia is negotiating missile sales", 1),
                _claim(2, 1, 1, "any knowledge of the talks", 4, stance="denies"),
                _claim(3, 2, 0, "Russia is negotiating missile sales, Reuters said", 1),
                _claim(4, 2, 1, "Iran supplies drones", 3),
                _claim(5, 3, 0, "Russia lost many generals", None),
                _claim(6, 3, 1, "not a claim at all", None),
                _claim(7, 3, 2, "Tehran pays in gold", 2),
            ]
        )
        s.flush()
        s.add_all(
            [
                LinkRow(a_id=1, b_id=3, relation="repeats", origin_claim_id=1, created_at=T0),
                LinkRow(a_id=1, b_id=2, relation="contradicts", created_at=T0),
                LinkRow(a_id=4, b_id=7, relation="corroborates", created_at=T0),
                LinkRow(a_id=4, b_id=7, relation="none", origin="analyst", created_at=T0),
                LinkRow(a_id=5, b_id=6, relation="corroborates", created_at=T0),
                ClaimReviewRow(claim_id=6, status="rejected", updated_at=T0),
                ClaimReviewRow(
                    claim_id=2,
                    status="accepted",
                    verdict="false",
                    note="two meetings | reported",
                    updated_at=T0,
                    updated_by="ana",
                ),
                ClaimReviewRow(claim_id=5, status="accepted", source_id=3, updated_at=T0),
                ClaimScoreRow(
                    claim_id=1,
                    probability=0.69,
                    credibility=3,
                    logodds=0.8,
                    low=0.5,
                    high=0.7,
                    explanation=json.dumps([{"label": "Reuters", "weight": 0.8, "group": "g1"}]),
                    computed_at=T0,
                ),
                SourceScoreRow(
                    source_id=1,
                    reliability=0.8,
                    letter="B",
                    confirmed=1,
                    explanation="[]",
                    computed_at=T0,
                ),
                CaseSettingRow(key="anonymity_shrink", value="0.5", updated_at=T0),
            ]
        )
    yield c
    c.close()


def test_effective_sources_links_reviews_and_scores(case: Case) -> None:
    lean = report_data(case, with_explanations=False)
    assert lean.claims[0].score.contributions == ()  # type: ignore[union-attr]
    data = report_data(case)
    claims = {c.id: c for c in data.claims}
    assert sorted(claims) == [1, 2, 3, 4, 5, 7]  # 6 rejected
    assert data.rejected_claims == 1
    assert claims[4].source_id == 2  # merged into Ben Wallace
    assert claims[5].source_id == 2  # analyst's source edit, then the merge
    assert {s.id: s.name for s in data.sources} == {
        1: "Reuters",
        2: "Ben Wallace",
        4: "Mohamed Abdel-Salam",
    }
    links = {(ln.a, ln.b): ln.relation for ln in data.links}
    assert links == {
        (1, 2): Relation.CONTRADICTS,
        (1, 3): Relation.REPEATS,
        (4, 7): Relation.NONE,  # the analyst's rejection wins
    }
    assert claims[1].score is not None and claims[1].score.contributions[0].group == "g1"
    assert claims[2].verdict is not None and claims[2].reviewed_by == "ana"
    assert data.config["anonymity_shrink"] == 0.5
    assert data.config["relay_shrink"] == 0.9  # the default
    assert data.config_overrides == ("anonymity_shrink",)
    assert "anonymity_shrink" in data.config_meanings
    wallace = next(s for s in data.sources if s.id == 2)
    assert wallace.aliases == ("the Defence Secretary",)


def test_report_from_the_database(case: Case) -> None:
    text = render_markdown(report_data(case))
    assert "| Ben Wallace | person | United Kingdom | — | 0 / 0 | 3 |" in text
    assert "Mr Wallace" not in text
    assert "not a claim at all" not in text
    assert "| anonymity\\_shrink | 0.5 | factor on (r - 1/2) for an anonymous source" in text
    assert "Changed for this case: anonymity\\_shrink;" in text
    contested = text.split("### Most contested claims")[1].split("## Key claims")[0]
    assert "| #1 | Russia is negotiating missile sales | Reuters |" in contested
    assert "Why #1 has probability 0.69: the evidence in log-odds" in text
    assert "\n- Reuters\n" in text
    assert "#2 Mohamed Abdel-Salam (denies)" in contested


def test_selection_filters_and_context(case: Case) -> None:
    by_article = report_data(case, Selection(articles=(2,)))
    assert {c.id: c.selected for c in by_article.claims} == {1: False, 2: False, 3: True, 4: True}
    by_alias = report_data(case, Selection(source="THE defence secretary"))
    assert [c.id for c in by_alias.claims if c.selected] == [4, 5, 7]
    by_date = report_data(case, Selection(since=date(2024, 7, 2)))
    assert [c.id for c in by_date.claims if c.selected] == [3, 4]
    by_text = report_data(case, Selection(query="GOLD"))
    assert [(c.id, c.selected) for c in by_text.claims] == [(7, True)]
    with pytest.raises(NotFoundError):
        report_data(case, Selection(source="nobody"))
    with pytest.raises(NotFoundError):
        report_data(case, Selection(articles=(99,)))


def test_commands(case: Case, db_url: str, tmp_path: Path) -> None:
    db = db_url
    runner = CliRunner()
    out = tmp_path / "r.md"
    r1 = runner.invoke(app, ["--db", db, "report", "--out", str(out)])
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(app, ["--db", db, "report"])
    assert r2.exit_code == 0
    assert out.read_text(encoding="utf-8") == r2.stdout
    assert r2.stderr == (
        "warning: 5 claims are not scored yet: run `claimtrack score` (or `claimtrack analyze`) "
        "first\n"
    )
    assert r2.stdout == render_markdown(report_data(case))

    r3 = runner.invoke(app, ["--db", db, "export", "--format", "json"])
    doc = json.loads(r3.stdout)
    assert [c["id"] for c in doc["claims"]] == [1, 2, 3, 4, 5, 7]
    assert doc["articles"][0]["text"] == "x" * 200
    r4 = runner.invoke(app, ["--db", db, "export", "--format", "claimreview", "--author", "Desk"])
    reviews = json.loads(r4.stdout)
    assert [r["claimReviewed"] for r in reviews] == ["any knowledge of the talks"]
    assert reviews[0]["reviewRating"]["alternateName"] == "False"

    bad = runner.invoke(app, ["--db", db, "report", "--since", "someday"])
    assert bad.exit_code == 2
    assert "--since" in bad.stderr
    missing = runner.invoke(app, ["--db", db, "report", "--source", "nobody"])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: no source named 'nobody'")


def test_report_needs_an_existing_case(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["--db", str(tmp_path / "none.db"), "report"])
    assert r.exit_code == 1
    assert not (tmp_path / "none.db").exists()


def test_analyze_reports_bad_inputs_and_still_writes(db_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(
        "Minister speaks\n\nThe minister said the convoy was attacked near the port.\n",
        encoding="utf-8",
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "report.md"
    r = CliRunner().invoke(
        app,
        [
            "--db",
            db_url,
            "analyze",
            str(good),
            str(empty),
            str(tmp_path / "missing.txt"),
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 1
    assert r.stdout == ""
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 3  # two files, then the count
    assert "empty.txt" in errors[0] and "missing.txt" in errors[1]
    assert "1 new, 0 unchanged, 2 failed" in r.stderr
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Credibility report\n")
    assert "| Articles | 1 |" in report


def test_analyze_needs_a_path(db_url: str) -> None:
    r = CliRunner().invoke(app, ["--db", db_url, "analyze"])
    assert r.exit_code == 2


def test_a_verdict_is_dated_and_signed_by_the_event_that_set_it(case: Case) -> None:
    from claimtrack.store.review import set_note, set_verdict

    set_verdict(case, 3, "true", actor="ana")
    set_note(case, 3, "checked against the wire", actor="bob")
    claim = next(c for c in report_data(case).claims if c.id == 3)
    assert claim.reviewed_by == "ana"
    with case.session() as s:
        review = s.get(ClaimReviewRow, 3)
        assert review is not None and review.updated_by == "bob"
        assert claim.reviewed_at is not None and claim.reviewed_at <= review.updated_at
    # the claim seeded with a verdict and no event keeps its review row's signature
    assert next(c for c in report_data(case).claims if c.id == 2).reviewed_by == "ana"
