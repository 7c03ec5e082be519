"""Scores in the case (claimtrack.store.scores) and the score / verdict / config commands."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.models import Verdict
from claimtrack.scoring import logit, sigmoid
from claimtrack.store import Case
from claimtrack.store.db import utcnow
from claimtrack.store.review import decide_link, reject_claim, set_claim_source, set_verdict
from claimtrack.store.schema import (
    ArticleRow,
    CaseSettingRow,
    ClaimReviewRow,
    ClaimRow,
    ClaimScoreRow,
    LinkRow,
    ReviewEventRow,
    SourceRow,
    SourceScoreRow,
)
from claimtrack.store.scores import case_config, rescore, rescore_claims, set_config

RUSSIA = "Russia is negotiating to supply Yakhont missiles to the Houthis"


def add_source(case: Case, key: str, name: str, kind: str, **kw: object) -> int:
    with case.write() as s:
        row = SourceRow(key=key, name=name, kind=kind, created_at=utcnow(), **kw)  # type: ignore[arg-type]
        s.add(row)
        s.flush()
        assert row.id is not None
        return row.id


def add_article(
    case: Case, n: int, outlet: str | None, claims: list[tuple[str, int | None, dict[str, object]]]
) -> list[int]:
    """One article; each claim is (content, source id, extra ClaimRow fields)."""
    text = " ".join(c for c, _s, _x in claims)
    with case.write() as s:
        art = ArticleRow(
            content_hash=f"{n:064d}", text=text, outlet=outlet, ingested_at=utcnow(), size=len(text)
        )
        s.add(art)
        s.flush()
        assert art.id is not None
        rows = []
        start = 0
        for i, (content, sid, extra) in enumerate(claims):
            src = s.get(SourceRow, sid) if sid is not None else None
            fields: dict[str, object] = {"cue_text": "said", **extra}
            row = ClaimRow(
                article_id=art.id,
                ordinal=i,
                span_key=f"{start}:{start + len(content)}:-1",
                content_text=content,
                content_start=start,
                content_end=start + len(content),
                source_id=sid,
                speaker=src.name if src else None,
                source_kind=src.kind if src else "unknown",
                **fields,  # type: ignore[arg-type]
            )
            start += len(content) + 1
            s.add(row)
            rows.append(row)
        s.flush()
        return [int(r.id) for r in rows if r.id is not None]


def machine_link(case: Case, a: int, b: int, relation: str, confidence: float = 0.9) -> None:
    with case.write() as s:
        s.add(
            LinkRow(
                a_id=min(a, b),
                b_id=max(a, b),
                relation=relation,
                confidence=confidence,
                reason="test",
                origin="machine",
                created_at=utcnow(),
            )
        )


def scores(case: Case) -> dict[int, ClaimScoreRow]:
    with case.session() as s:
        return {r.claim_id: r for r in s.exec(select(ClaimScoreRow)).all()}


def source_scores(case: Case) -> dict[int, SourceScoreRow]:
    with case.session() as s:
        return {r.source_id: r for r in s.exec(select(SourceScoreRow)).all()}


@pytest.fixture
def case(db_url: str) -> Iterator[Case]:
    c = Case.open(db_url)
    yield c
    c.close()


@pytest.fixture
def seeded(case: Case) -> tuple[Case, dict[str, int]]:
    """Reuters' anonymous-sourced report relayed by a blog, a Houthi denial, an echo."""
    reuters = add_source(case, "media:reuters", "Reuters", "media")
    intel = add_source(case, "anonymous:1:intel", "intelligence sources", "anonymous")
    houthi = add_source(
        case, "person:abdel-salam", "Mohamed Abdel-Salam", "person", affiliation="Houthis"
    )
    report, denial = add_article(
        case,
        1,
        "Bulletin Blog",
        [
            (RUSSIA, intel, {"cited_source_id": reuters}),
            (
                "any knowledge of these negotiations",
                houthi,
                {"stance": "denies", "cue_text": "denied"},
            ),
        ],
    )
    (echo,) = add_article(case, 2, "Echo Daily", [(RUSSIA, reuters, {"cue_text": "reported"})])
    decide_link(case, report, denial, "contradicts")
    machine_link(case, report, echo, "repeats")
    return case, {
        "reuters": reuters,
        "intel": intel,
        "houthi": houthi,
        "report": report,
        "denial": denial,
        "echo": echo,
    }


def test_rescore_stores_every_score_with_its_explanation(
    seeded: tuple[Case, dict[str, int]],
) -> None:
    case, ids = seeded
    result = rescore(case)
    assert (result.claims, result.sources) == (3, 3)
    got = scores(case)
    rep = got[ids["report"]]
    rows = json.loads(rep.explanation)
    assert sum(r["weight"] for r in rows) == rep.logodds
    assert rep.probability == sigmoid(rep.logodds)
    labels = [r["label"] for r in rows]
    assert labels[0].startswith("prior")
    # Reuters' prior comes from the outlet table (0.80): 1/2 + 0.3 * 0.6 * 0.9
    assert rows[1]["weight"] == pytest.approx(logit(0.5 + 0.3 * 0.6 * 0.9))
    assert "Reuters-sourced report, via anonymous intelligence sources" in labels[1]
    assert any(lb.startswith("+0 1 outlet repeating Reuters") for lb in labels)
    assert "denial by an interested party" in labels[-1]
    assert rep.credibility == 3
    assert got[ids["echo"]].probability == rep.probability
    src = source_scores(case)
    assert (src[ids["reuters"]].letter, src[ids["reuters"]].reliability) == (
        "B",
        pytest.approx(0.8),
    )
    assert src[ids["houthi"]].letter == "F"
    # deterministic: a second run writes the same numbers
    rescore(case)
    again = scores(case)
    assert {k: (v.probability, v.explanation) for k, v in again.items()} == {
        k: (v.probability, v.explanation) for k, v in got.items()
    }


def test_verdict_wins_and_feeds_track_records(seeded: tuple[Case, dict[str, int]]) -> None:
    case, ids = seeded
    rescore(case)
    set_verdict(case, ids["report"], Verdict.FALSE)
    rescore(case)
    got = scores(case)[ids["report"]]
    assert (got.probability, got.credibility) == (pytest.approx(0.02), 5)
    src = source_scores(case)
    # the anonymous source said it: refuted; the denier is confirmed; Reuters relayed it
    assert (src[ids["intel"]].confirmed, src[ids["intel"]].refuted) == (0, 1)
    assert (src[ids["houthi"]].confirmed, src[ids["houthi"]].refuted) == (1, 0)
    assert (src[ids["reuters"]].confirmed, src[ids["reuters"]].refuted) == (0, 1)
    assert src[ids["reuters"]].reliability < 0.8


def test_analyst_decisions_apply(seeded: tuple[Case, dict[str, int]]) -> None:
    case, ids = seeded
    reject_claim(case, ids["denial"])
    other = add_source(case, "person:someone", "Someone Else", "person")
    set_claim_source(case, ids["echo"], other)
    rescore(case)
    got = scores(case)
    assert ids["denial"] not in got  # a rejected claim is neither scored nor evidence
    rows = json.loads(got[ids["report"]].explanation)
    assert not any("denial" in r["label"] for r in rows)
    assert "Someone Else (person)" in json.loads(got[ids["echo"]].explanation)[1]["label"]


def test_incremental_rescore_matches_the_full_one(seeded: tuple[Case, dict[str, int]]) -> None:
    case, ids = seeded
    rescore(case)
    wsj = add_source(case, "media:wsj", "The Wall Street Journal", "media")
    officials = add_source(case, "anonymous:3:officials", "officials", "anonymous")
    new = add_article(case, 3, "The Wall Street Journal", [(RUSSIA, officials, {})])
    unrelated = add_article(case, 4, "Gazette", [("Rain flooded Genoa", wsj, {})])
    machine_link(case, new[0], ids["report"], "corroborates", 0.8)
    with case.write() as s:
        result = rescore_claims(s, new + unrelated)
    assert result.claims == 5  # the group of the report (with its echo), the denial, the two new
    part = scores(case)
    rescore(case)
    full = scores(case)
    assert {k: (v.probability, v.explanation) for k, v in part.items()} == {
        k: (v.probability, v.explanation) for k, v in full.items()
    }
    assert full[ids["report"]].probability > sigmoid(logit(0.5 + 0.3 * 0.6 * 0.9) - 0.05)


def test_config_overrides_are_validated_stored_and_used(case: Case) -> None:
    set_config(case, {"anonymity_shrink": "0.5", "kind_priors.media": "[4, 1]"})
    cfg = case_config(case)
    assert cfg.anonymity_shrink == 0.5 and cfg.kind_priors["media"] == (4.0, 1.0)
    from claimtrack.errors import UsageError

    with pytest.raises(UsageError, match="unknown scoring setting 'nope'"):
        set_config(case, {"nope": 1})
    set_config(case, {}, unset=["anonymity_shrink"])
    assert case_config(case).anonymity_shrink == 0.6
    with case.session() as s:
        row = s.exec(select(CaseSettingRow)).one()
        events = s.exec(select(ReviewEventRow).where(ReviewEventRow.entity == "config")).all()
    assert json.loads(row.value) == {"kind_priors.media": [4, 1]}
    assert len(events) == 2


def test_commands(seeded: tuple[Case, dict[str, int]], db_url: str) -> None:
    case, ids = seeded
    runner = CliRunner()
    res = runner.invoke(app, ["--db", db_url, "score"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("scored 3 claims and 3 sources")
    res = runner.invoke(
        app, ["--db", db_url, "verdict", str(ids["report"]), "false", "--note", "debunked"]
    )
    assert res.exit_code == 0, res.output
    assert res.output.strip() == f"claim {ids['report']}: false; P = 0.02, credibility 5"
    with case.session() as s:
        review = s.get(ClaimReviewRow, ids["report"])
        assert review is not None and (review.verdict, review.note) == ("false", "debunked")
    res = runner.invoke(app, ["--db", db_url, "verdict", str(ids["report"]), "maybe"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["--db", db_url, "config", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    by_key = {r["key"]: r for r in rows}
    assert by_key["anonymity_shrink"] == {
        "key": "anonymity_shrink",
        "value": 0.6,
        "default": 0.6,
        "overridden": False,
        "meaning": by_key["anonymity_shrink"]["meaning"],
    }
    res = runner.invoke(
        app, ["--db", db_url, "config", "--set", "anonymity_shrink=0.3", "--format", "jsonl"]
    )
    assert res.exit_code == 0, res.output
    by_key = {r["key"]: r for r in map(json.loads, res.output.splitlines())}
    assert by_key["anonymity_shrink"]["value"] == 0.3 and by_key["anonymity_shrink"]["overridden"]
    res = runner.invoke(app, ["--db", db_url, "config", "--set", "bogus=1"])
    assert res.exit_code == 2
    assert "unknown scoring setting 'bogus'" in res.output
    res = runner.invoke(app, ["--db", db_url, "config", "--set", "anonymity_shrink"])
    assert res.exit_code == 2
    assert "--set needs KEY=VALUE" in res.output


def test_decisions_rescore_through_the_review_hook(seeded: tuple[Case, dict[str, int]]) -> None:
    from claimtrack.store.review import rescore_after

    case, ids = seeded
    rescore(case)
    set_verdict(case, ids["denial"], Verdict.TRUE)
    rescore_after(case, [ids["denial"]])
    src = source_scores(case)
    assert (src[ids["houthi"]].confirmed, src[ids["intel"]].refuted) == (1, 1)
    assert scores(case)[ids["report"]].credibility == 5
    set_verdict(case, ids["denial"], None)  # cleared: the track records go with it
    rescore_after(case, [ids["denial"]])
    src = source_scores(case)
    assert (src[ids["houthi"]].confirmed, src[ids["intel"]].refuted) == (0, 0)
    before = {k: v.probability for k, v in scores(case).items()}
    rescore(case)
    assert {k: v.probability for k, v in scores(case).items()} == before
