"""Link features computed where claims are extracted (the workers of ``ingest --jobs``):
the writer only links, and the case holds exactly what computing them in the
writer gives."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from link_rows import link_rows
from sqlalchemy import text

from claimtrack.linking.text import claim_features
from claimtrack.store import Case
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import ingest_document, link_features, prepare_document
from claimtrack.store.links import case_claims

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"


def _paths() -> list[str]:
    return sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])


def _links(url: str) -> list[tuple[object, ...]]:
    with Case.open(url) as case:
        return link_rows(case)


def test_worker_features_are_the_stored_claims_features(db_url: str, tmp_path: Path) -> None:
    paths = _paths()
    assert len(paths) >= 10
    checked = 0
    with Case.open(db_url) as case:
        for path in paths:
            doc = read_document(path)
            resolved = prepare_document(doc)
            features = link_features(doc, resolved)
            result = ingest_document(case, doc, resolved=resolved, features=features)
            with case.engine.connect() as conn:
                ids = [
                    int(r[0])
                    for r in conn.execute(
                        text("SELECT id FROM claim WHERE article_id = :a ORDER BY id"),
                        {"a": result.article_id},
                    )
                ]
                stored = case_claims(conn, ids)
            assert len(stored) == len(features) == result.claims
            for claim, f in zip(stored, features, strict=True):
                expected = claim_features(claim)
                if claim.cited is None or expected.cited == f.cited:
                    assert replace(f, id=claim.id, article_id=claim.article_id) == expected
                    checked += 1
        links = _links(db_url)
    assert checked > 100
    with Case.open(str(tmp_path / "writer.db")) as case:
        for path in paths:  # features computed by the writer
            ingest_document(case, read_document(path))
    assert links == _links(str(tmp_path / "writer.db"))
    assert len(links) > 20


def test_jobs_link_as_one_process(tmp_path: Path) -> None:
    inputs = _paths()
    env = {k: v for k, v in os.environ.items() if k != "CLAIMTRACK_DB"}
    env["HOME"] = str(tmp_path)
    for jobs in (1, 2):
        subprocess.run(
            [sys.executable, "-m", "claimtrack", "--db", str(tmp_path / f"j{jobs}.db"), "ingest"]
            + ["--jobs", str(jobs), "--quiet", *inputs],
            check=True,
            capture_output=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
        )
    links = _links(str(tmp_path / "j2.db"))
    assert len(links) > 20
    assert links == _links(str(tmp_path / "j1.db"))
