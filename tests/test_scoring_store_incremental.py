"""Incremental rescoring (``rescore_claims``, the review hook) leaves exactly the scores
a full rescore (``rescore``) computes: after batches of ingest, and after each kind of
analyst decision (a claim rejected, a claim moved to another source, a link rejected,
a verdict set, changed and cleared), on a case with links, groups and verdicts.

Every claim-score row (probability, number, log-odds, range, explanation) and every
source-score row of a source with claims is compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from claimtrack.models import Relation, Verdict
from claimtrack.store import Case
from claimtrack.store.documents import expand_inputs
from claimtrack.store.ingest import ingest_inputs
from claimtrack.store.review import (
    decide_link,
    reject_claim,
    rescore_after,
    set_claim_source,
    set_verdict,
)
from claimtrack.store.scores import rescore
from tests.scoring_cases import articles_and_reruns, claim_scores

Rows = dict[int, tuple[object, ...]]


def _source_scores(case: Case) -> Rows:
    # sources with a claim: a full rescore also writes the sources no claim names
    with case.session() as s:
        rows = s.connection().execute(
            text(
                "SELECT source_id, reliability, letter, confirmed, refuted, explanation "
                "FROM source_score WHERE source_id IN (SELECT source_id FROM claim "
                "WHERE source_id IS NOT NULL)"
            )
        )
        return {int(r[0]): tuple(r[1:]) for r in rows}


def _assert_full_rescore_agrees(case: Case) -> tuple[Rows, Rows]:
    part, part_sources = claim_scores(case), _source_scores(case)
    rescore(case)
    full, full_sources = claim_scores(case), _source_scores(case)
    assert part.keys() == full.keys()
    assert [k for k in full if part[k] != full[k]] == []
    assert part == full
    assert part_sources == full_sources
    return full, full_sources


def _one(case: Case, sql: str) -> tuple[int, ...]:
    with case.session() as s:
        row = s.connection().execute(text(sql)).first()
    assert row is not None, sql
    return tuple(int(x) for x in row)


@pytest.fixture
def ingested(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Case:
    import claimtrack.store.scores as scores_mod

    monkeypatch.setattr(scores_mod, "SCORE_CHUNK", 5)  # many regions, even on a small case
    # two stories re-run by other outlets with a line added: repeats, groups of several
    paths, reruns = articles_and_reruns(tmp_path, 2)
    assert len(paths) >= 10
    case = Case.open(db_url)
    for batch in (paths[:3], paths[3:7], paths[7:], reruns):
        assert all(o.error is None for o in ingest_inputs(case, expand_inputs(batch)))
        _assert_full_rescore_agrees(case)
    with case.session() as s:
        sql = "SELECT relation, COUNT(*) FROM link GROUP BY relation"
        kinds = {str(r[0]): int(r[1]) for r in s.connection().execute(text(sql))}
    assert {"repeats", "corroborates"} <= kinds.keys()
    return case


def test_ingest_batches_then_decisions_rescore_as_a_full_rescore(ingested: Case) -> None:
    case = ingested
    try:
        # the claim with the most links (in a group, with evidence around it)
        (hub,) = _one(
            case,
            "SELECT x FROM (SELECT a_id AS x FROM link UNION ALL SELECT b_id FROM link) AS ends "
            "GROUP BY x ORDER BY COUNT(*) DESC, x LIMIT 1",
        )
        (gone,) = _one(
            case,
            "SELECT a_id FROM link WHERE relation = 'corroborates' AND a_id <> "
            f"{hub} AND b_id <> {hub} ORDER BY id LIMIT 1",
        )
        before = claim_scores(case)
        reject_claim(case, gone)
        rescore_after(case, [gone])
        after, _ = _assert_full_rescore_agrees(case)
        assert gone not in after
        # rejecting a claim moved the scores of the claims it was evidence for
        assert any(before[k] != after[k] for k in after)

        # a claim moved to another source (its group and weight change)
        cid, other = _one(
            case,
            "SELECT c.id, s.id FROM claim c JOIN link l ON l.b_id = c.id, source s "
            "WHERE c.source_id IS NOT NULL AND s.id <> c.source_id "
            f"AND c.id NOT IN ({gone}) ORDER BY l.id, s.id LIMIT 1",
        )
        set_claim_source(case, cid, other)
        rescore_after(case, [cid])
        _assert_full_rescore_agrees(case)

        # a machine link rejected by the analyst (relation none)
        a, b = _one(
            case,
            "SELECT a_id, b_id FROM link WHERE relation = 'repeats' AND origin = 'machine' "
            f"AND {gone} NOT IN (a_id, b_id) ORDER BY id LIMIT 1",
        )
        decide_link(case, a, b, Relation.NONE)
        rescore_after(case, [a, b])
        _assert_full_rescore_agrees(case)

        # verdicts: set (track records appear), changed, made unverified, cleared
        for verdict in (Verdict.TRUE, Verdict.FALSE, Verdict.UNVERIFIED, None):
            set_verdict(case, hub, verdict)
            rescore_after(case, [hub])
            _, sources = _assert_full_rescore_agrees(case)
            records = sum(int(r[2]) + int(r[3]) for r in sources.values())  # type: ignore[call-overload]
            assert (records > 0) == (verdict in (Verdict.TRUE, Verdict.FALSE))
    finally:
        case.close()


def test_rescore_claims_rewrites_only_the_scores_that_change(ingested: Case) -> None:
    from claimtrack.store.scores import rescore_claims

    case = ingested
    try:
        old = "2000-01-01 00:00:00"
        with case.write() as s:
            s.connection().execute(text(f"UPDATE claim_score SET computed_at = '{old}'"))
        stored = claim_scores(case)
        (hub,) = _one(
            case,
            "SELECT x FROM (SELECT a_id AS x FROM link UNION ALL SELECT b_id FROM link) AS ends "
            "GROUP BY x ORDER BY COUNT(*) DESC, x LIMIT 1",
        )
        with case.write() as s:
            result = rescore_claims(s, [hub])
        assert result.claims > 1  # its group and the groups around it were scored...
        assert claim_scores(case) == stored  # ...to the same values...
        with case.session() as s:
            sql = "SELECT COUNT(*) FROM claim_score WHERE computed_at <> :old"
            assert s.connection().execute(text(sql), {"old": old}).scalar() == 0  # ...kept
        # a claim the analyst rejects changes some scores: those rows, and only those, move
        (gone,) = _one(
            case,
            "SELECT a_id FROM link WHERE relation = 'corroborates' AND a_id <> "
            f"{hub} AND b_id <> {hub} ORDER BY id LIMIT 1",
        )
        reject_claim(case, gone)
        rescore_after(case, [gone])
        after = claim_scores(case)
        assert after.keys() == stored.keys() - {gone}
        moved = {k for k in after if after[k] != stored[k]}
        assert moved
        with case.session() as s:
            sql = "SELECT claim_id FROM claim_score WHERE computed_at <> :old"
            rewritten = {int(r[0]) for r in s.connection().execute(text(sql), {"old": old})}
        assert rewritten == moved
        _assert_full_rescore_agrees(case)
    finally:
        case.close()
