"""A rescore of a few claims reads only their neighbourhood (``scores._LocalRegion``):
the skeleton built from that part of the case names exactly the claims, chunks and
regions the whole case's skeleton names; when the part would be too large, or a
track record may change, the whole case's shape is read instead, with the same
scores."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import text

from claimtrack.models import Relation
from claimtrack.store import Case
from claimtrack.store import scores as scores_mod
from claimtrack.store.documents import expand_inputs
from claimtrack.store.ingest import ingest_inputs
from claimtrack.store.review import decide_link
from claimtrack.store.scores import load_config, rescore, rescore_claims
from tests.scoring_cases import articles_and_reruns, claim_scores


@pytest.fixture
def case(db_url: str, tmp_path: Path) -> Case:
    paths, reruns = articles_and_reruns(tmp_path, 3)
    c = Case.open(db_url)
    assert all(o.error is None for o in ingest_inputs(c, expand_inputs([*paths, *reruns])))
    # an analyst's decision over a machine link: a pair with two link rows
    with c.session() as s:
        a, b = (
            s.connection()
            .execute(
                text("SELECT a_id, b_id FROM link WHERE relation = 'repeats' ORDER BY id LIMIT 1")
            )
            .one()
        )
    decide_link(c, int(a), int(b), Relation.CORROBORATES)
    rescore(c)
    return c


def _groups_and_regions(
    loader: scores_mod._Loader, changed: list[int]
) -> tuple[list[int], list[tuple[list[int], list[int]]]]:
    skel = loader.shape.skel
    affected = skel.affected(skel.positions(changed))
    chunks = [
        (skel.ids[skel.members(ch)].tolist(), skel.ids[skel.region(ch)].tolist())
        for ch in skel.chunks(affected, 7)
    ]
    return skel.ids[skel.members(affected)].tolist(), chunks


def test_the_local_part_names_what_the_whole_case_names(case: Case) -> None:
    try:
        with case.session() as s:
            conn = s.connection()
            config = load_config(conn)
            ids = [int(r[0]) for r in conn.execute(text("SELECT id FROM claim ORDER BY id"))]
            whole = scores_mod._Loader(conn, config)
            assert len(whole.shape.skel.root) > len(set(whole.shape.skel.root.tolist()))
            rng = random.Random(5)
            compared = 0
            for size in (1, 1, 2, 3, 5, 8, 13):
                changed = sorted(rng.sample(ids, size))
                local = scores_mod._Loader(conn, config, part=False)
                part = scores_mod._LocalRegion(local).rows(changed)
                assert part is not None
                local.set_part(part)
                assert len(local.shape.skel.ids) < len(ids) or size > 3
                want = _groups_and_regions(whole, changed)
                assert _groups_and_regions(local, changed) == want
                compared += len(want[0])
            assert compared > 20
    finally:
        case.close()


def test_a_part_too_large_reads_the_whole_case_with_the_same_scores(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        with case.session() as s:
            conn = s.connection()
            ids = [int(r[0]) for r in conn.execute(text("SELECT id FROM claim ORDER BY id"))]
            loader = scores_mod._Loader(conn, load_config(conn), part=False)
            monkeypatch.setattr(scores_mod, "_LOCAL_MIN", 3)
            monkeypatch.setattr(scores_mod, "_LOCAL_SHARE", 10**9)
            assert scores_mod._LocalRegion(loader).rows(ids[:2]) is None
        stored = claim_scores(case)
        with case.write() as s:
            s.connection().execute(text("DELETE FROM claim_score WHERE claim_id IN (1, 2, 3)"))
        with case.write() as s:
            result = rescore_claims(s, [1, 2, 3])
        assert result.claims >= 3
        assert claim_scores(case) == stored
        monkeypatch.undo()
        with case.write() as s:
            s.connection().execute(text("DELETE FROM claim_score WHERE claim_id IN (1, 2, 3)"))
        with case.write() as s:
            rescore_claims(s, [1, 2, 3])
        assert claim_scores(case) == stored
        rescore(case)
        assert claim_scores(case) == stored
    finally:
        case.close()


def test_no_local_part_when_a_track_record_may_change(case: Case) -> None:
    from claimtrack.models import Verdict
    from claimtrack.store.review import rescore_after, set_verdict

    try:
        with case.session() as s:
            conn = s.connection()
            assert not scores_mod._records_possible(conn)
            sql = "SELECT MIN(id) FROM claim WHERE source_id IS NOT NULL AND hedged = :f"
            cid = int(conn.execute(text(sql), {"f": False}).scalar_one())
        set_verdict(case, cid, Verdict.TRUE)
        rescore_after(case, [cid])
        with case.session() as s:
            assert scores_mod._records_possible(s.connection())
        set_verdict(case, cid, None)
        with case.write() as s:  # the stored source scores still count the verdict
            assert scores_mod._records_possible(s.connection())
            rescore_claims(s, [cid])  # widens to the whole case: the record goes
            assert not scores_mod._records_possible(s.connection())
        stored = claim_scores(case)
        rescore(case)
        assert claim_scores(case) == stored
    finally:
        case.close()
