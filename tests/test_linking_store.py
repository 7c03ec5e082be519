"""Machine links in the case (claimtrack.store.links) and the link / links commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.store import Case
from claimtrack.store.db import utcnow
from claimtrack.store.links import link_new_claims, list_links, relink_case
from claimtrack.store.review import decide_link
from claimtrack.store.schema import ArticleRow, ClaimRow, LinkRow, ReviewEventRow

ARTICLES = [
    ["Russian warships arrived in Tobruk to set up a naval base"],
    ["Russian warships arrived in Benghazi to set up a naval base", "Rain flooded Genoa"],
    ["Russian warships arrived in Tobruk to build a naval base, analysts said"],
]


def store_article(case: Case, n: int, contents: list[str]) -> list[int]:
    """Store one article with its claims and link them (as the ingest hook does)."""
    text = " ".join(contents)
    with case.write() as s:
        art = ArticleRow(content_hash=f"{n:064d}", text=text, ingested_at=utcnow(), size=len(text))
        s.add(art)
        s.flush()
        assert art.id is not None
        rows = []
        start = 0
        for i, c in enumerate(contents):
            row = ClaimRow(
                article_id=art.id,
                ordinal=i,
                span_key=f"{start}:{start + len(c)}:-1",
                content_text=c,
                content_start=start,
                content_end=start + len(c),
            )
            start += len(c) + 1
            s.add(row)
            rows.append(row)
        s.flush()
        ids = [int(r.id) for r in rows if r.id is not None]
        link_new_claims(s, ids)
    return ids


def machine_rows(case: Case) -> list[tuple[int, int, str]]:
    with case.session() as s:
        rows = s.exec(select(LinkRow).where(LinkRow.origin == "machine")).all()
        return sorted((r.a_id, r.b_id, r.relation) for r in rows)


@pytest.fixture
def case(db_url: str) -> Iterator[Case]:
    c = Case.open(db_url)
    yield c
    c.close()


def test_incremental_links_are_stored(case: Case) -> None:
    ids = [store_article(case, n, c) for n, c in enumerate(ARTICLES)]
    tobruk, benghazi, tobruk2 = ids[0][0], ids[1][0], ids[2][0]
    assert machine_rows(case) == [
        (tobruk, benghazi, "contradicts"),
        (tobruk, tobruk2, "corroborates"),
        (benghazi, tobruk2, "contradicts"),
    ]
    links = list_links(case, tobruk)
    assert [(lk.a, lk.b, lk.origin) for lk in links] == [
        (tobruk, benghazi, "machine"),
        (tobruk, tobruk2, "machine"),
    ]
    assert "conflicting places: tobruk vs benghazi" in links[0].reason


def test_rejected_link_never_comes_back(case: Case) -> None:
    ids = [store_article(case, n, c) for n, c in enumerate(ARTICLES[:2])]
    a, b = ids[0][0], ids[1][0]
    decide_link(case, a, b, "none", note="different bases")
    relink_case(case)
    assert machine_rows(case) == []
    [lk] = list_links(case)
    assert (lk.a, lk.b, lk.relation, lk.origin, lk.note) == (
        a,
        b,
        "none",
        "analyst",
        "different bases",
    )
    # a later article does not bring it back either
    store_article(case, 9, ARTICLES[2])
    assert all((x, y) != (a, b) for x, y, _ in machine_rows(case))


def test_relink_recomputes_machine_links(case: Case) -> None:
    for n, c in enumerate(ARTICLES):
        store_article(case, n, c)
    before = machine_rows(case)
    assert relink_case(case) == len(before)
    assert machine_rows(case) == before


def test_link_and_links_commands(case: Case, db_url: str, tmp_path: Path) -> None:
    ids = [store_article(case, n, c) for n, c in enumerate(ARTICLES[:2])]
    a, b = ids[0][0], ids[1][0]
    runner = CliRunner()
    res = runner.invoke(
        app, ["--db", db_url, "link", str(b), str(a), "--as", "corroborates", "--note", "same port"]
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"link {a}-{b}: corroborates (analyst)"
    with case.session() as s:
        [ev] = s.exec(select(ReviewEventRow)).all()
    assert (ev.entity, ev.entity_id, ev.action) == ("link", f"{a}-{b}", "link")
    res = runner.invoke(app, ["--db", db_url, "links", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows == [
        {
            "a": a,
            "b": b,
            "relation": "corroborates",
            "confidence": 1.0,
            "reason": "analyst decision",
            "origin": "analyst",
            "origin_claim": None,
            "note": "same port",
        }
    ]
    res = runner.invoke(app, ["--db", db_url, "link", str(a), str(b), "--as", "maybe"])
    assert res.exit_code == 2
