"""The pure renderers on a hand-built ReportData: golden bytes, CommonMark shape, grouping, exports.

Regenerate the golden file with ``CLAIMTRACK_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report_render.py``.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from report_sample import sample_data

from claimtrack.models import Relation, Stance
from claimtrack.report import export_claimreview, export_dict, export_json, render_markdown
from claimtrack.report.data import ReportArticle, ReportClaim, ReportData, ReportLink
from claimtrack.report.escape import normalize
from claimtrack.report.grouping import ChainStep, group

GOLDEN = Path(__file__).parent / "golden"
MD = MarkdownIt("commonmark").enable("table")


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CLAIMTRACK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{path} missing: run with CLAIMTRACK_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8")


def check_commonmark(text: str) -> list[Any]:
    """Parses; no raw HTML; every table keeps its column count; one line per row."""
    tokens = MD.parse(text)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    for t in tokens:
        for c in t.children or []:
            assert c.type != "html_inline", c.content
    # every pipe-table in the source became a table with as many columns as its header
    tables = [t for t in tokens if t.type == "table_open"]
    lines = text.splitlines()
    headers = [ln for ln in lines if ln.startswith(("| ---", "| :---"))]
    assert len(tables) == len(headers)
    depth = 0
    width = 0
    count = 0
    for t in tokens:
        if t.type == "thead_open":
            depth, count = 1, 0
        elif t.type in ("th_open", "td_open"):
            count += 1
        elif t.type == "tr_close":
            if depth == 1:
                width = count
                depth = 2
            else:
                assert count == width
            count = 0
    return tokens


def h2(tokens: list[Any]) -> list[str]:
    out = []
    for i, t in enumerate(tokens):
        if t.type == "heading_open" and t.tag == "h2":
            out.append(tokens[i + 1].content)
    return out


def test_sample_report_matches_golden() -> None:
    check_golden("sample-report.md", render_markdown(sample_data()))


def test_sample_report_is_commonmark_with_every_section() -> None:
    tokens = check_commonmark(render_markdown(sample_data()))
    assert h2(tokens) == [
        "Summary",
        "Key claims by proposition",
        "Other claims",
        "Sources",
        "Articles",
        "Analyst verdicts and notes",
        "Method",
    ]


def test_render_is_deterministic_whatever_the_input_order() -> None:
    data = sample_data()
    shuffled = data.model_copy(
        update={
            "claims": tuple(reversed(data.claims)),
            "links": tuple(reversed(data.links)),
            "sources": tuple(reversed(data.sources)),
            "articles": tuple(reversed(data.articles)),
            "config": dict(reversed(list(data.config.items()))),
        }
    )
    assert render_markdown(shuffled) == render_markdown(data)
    assert export_json(shuffled) == export_json(data)


def test_hostile_text_is_escaped_everywhere() -> None:
    text = render_markdown(sample_data())
    assert "<b>" not in text
    assert "\\<b\\>now\\</b\\>" in text
    assert "\n# Wire" not in text
    # the multi-line claim stays on one line, its list marker escaped
    assert "“\\- 1. We need to hold those who support them accountable \\> quoted”" in text
    # a non-http address is never a link
    assert "<javascript:" not in text


def test_contested_table_names_claim_and_denial() -> None:
    text = render_markdown(sample_data())
    section = text.split("### Most contested claims")[1].split("## Key claims")[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| #")]
    assert len(rows) == 1  # the attached denial itself is not "contested"
    assert rows[0].startswith("| #1 | Russia is negotiating the transfer of P-800 Yakhont")
    assert "#2 Mohamed Abdel-Salam (denies)" in rows[0]


def test_empty_case_renders() -> None:
    text = render_markdown(ReportData())
    check_commonmark(text)
    assert "No claim is contradicted" in text
    assert "No scoring configuration" in text


# --------------------------------------------------------------------------
# grouping
# --------------------------------------------------------------------------


def _case(n: int, links: list[tuple[int, int, Relation, int | None]], **kw: Any) -> ReportData:
    stance = kw.get("stance", {})
    return ReportData(
        articles=(ReportArticle(id=1, published=date(2024, 1, 1)),),
        claims=tuple(
            ReportClaim(
                id=i, article_id=1, ordinal=i, content=f"c{i}", stance=stance.get(i, Stance.ASSERTS)
            )
            for i in range(1, n + 1)
        ),
        links=tuple(
            ReportLink(a=a, b=b, relation=r, origin_claim=o, reason="") for a, b, r, o in links
        ),
    )


def test_components_over_corroborates_and_repeats() -> None:
    g = group(
        _case(
            6,
            [
                (1, 2, Relation.CORROBORATES, None),
                (2, 3, Relation.REPEATS, 2),
                (4, 5, Relation.NONE, None),
                (1, 6, Relation.CONTRADICTS, None),
            ],
        )
    )
    assert [(p.members, p.contradictions) for p in g.propositions] == [
        ((1, 2, 3), (6,)),
        ((4,), ()),
        ((5,), ()),
    ]
    assert g.propositions[0].chains == ((ChainStep(2, 0), ChainStep(3, 1)),)
    assert g.propositions[0].echoes == frozenset({3})
    assert g.by_claim[6] == (1,)


def test_a_denial_attaches_to_every_proposition_it_contradicts() -> None:
    g = group(
        _case(
            5,
            [
                (1, 2, Relation.CORROBORATES, None),
                (3, 4, Relation.CORROBORATES, None),
                (5, 1, Relation.CONTRADICTS, None),
                (5, 3, Relation.CONTRADICTS, None),
            ],
            stance={5: Stance.DENIES},
        )
    )
    assert [(p.members, p.contradictions) for p in g.propositions] == [
        ((1, 2), (5,)),
        ((3, 4), (5,)),
    ]
    assert g.by_claim[5] == (1, 2)


def test_two_lone_claims_that_contradict_each_other() -> None:
    g = group(_case(2, [(1, 2, Relation.CONTRADICTS, None)], stance={1: Stance.DENIES}))
    # the asserting claim is the proposition, the denial attaches to it
    assert [(p.head, p.members, p.contradictions) for p in g.propositions] == [(2, (2,), (1,))]


def test_repeats_without_origin_take_the_earliest_and_survive_cycles() -> None:
    g = group(
        _case(
            4,
            [
                (3, 1, Relation.REPEATS, None),
                (1, 2, Relation.REPEATS, 2),
                (2, 3, Relation.REPEATS, 3),
                (3, 4, Relation.REPEATS, 3),
            ],
        )
    )
    (prop,) = g.propositions
    assert prop.members == (1, 2, 3, 4)
    assert len(prop.chains) == 1
    assert sorted(s.claim_id for s in prop.chains[0]) == [1, 2, 3, 4]


# --------------------------------------------------------------------------
# exports
# --------------------------------------------------------------------------


def test_export_json_schema() -> None:
    data = sample_data()
    doc = json.loads(export_json(data))
    assert doc["format"] == "claimtrack-case"
    assert doc["version"] == 1
    assert [a["id"] for a in doc["articles"]] == [1, 2, 3]
    assert [c["id"] for c in doc["claims"]] == [1, 2, 3, 4, 5, 6]
    c2 = doc["claims"][1]
    assert c2["review"] == {
        "status": "accepted",
        "verdict": "false",
        "note": data.claims[1].note,
        "updated_at": "2024-08-01T09:30:00",
        "updated_by": "analyst_1",
    }
    assert c2["score"]["explanation"] == [{"label": "prior", "weight": 0.5, "group": None}]
    assert doc["propositions"][0] == {
        "id": "P1",
        "head": 3,
        "claims": [1, 3, 4],
        "contradicted_by": [2],
        "chains": [[{"claim": 3, "depth": 0}, {"claim": 1, "depth": 1}]],
    }
    assert export_dict(data)["links"][3]["relation"] == "none"


def test_claimreview_for_claims_with_a_verdict() -> None:
    reviews = json.loads(export_claimreview(sample_data()))
    assert [r["identifier"] for r in reviews] == ["claimtrack:claim:2", "claimtrack:claim:4"]
    r = reviews[0]
    assert r["@context"] == "https://schema.org"
    assert r["@type"] == "ClaimReview"
    assert r["claimReviewed"] == "any knowledge of these negotiations"
    assert r["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    assert r["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "Mohamed Abdel-Salam",
        "jobTitle": "spokesman",
        "affiliation": "Houthis | Ansar Allah",
    }
    assert r["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork",
        "url": "https://example.org/a/1",
        "headline": "Moscow | Houthis: *secret* talks <b>now</b>",
        "datePublished": "2024-07-25",
        "publisher": {"@type": "Organization", "name": "EurAsian Times"},
    }
    assert r["author"] == {"@type": "Person", "name": "analyst_1"}
    assert r["datePublished"] == "2024-08-01"
    # unsigned verdicts are signed by the organisation
    assert reviews[1]["author"] == {"@type": "Organization", "name": "Example Desk"}
    assert reviews[1]["reviewRating"]["alternateName"] == "Unverified"
    assert "author" not in reviews[1]["itemReviewed"]  # impersonal "reportedly"


@pytest.mark.parametrize("name", ["sample-export.json"])
def test_export_json_golden(name: str) -> None:
    check_golden(name, export_json(sample_data()))


# --------------------------------------------------------------------------
# hostile data anywhere cannot change the document's structure
# --------------------------------------------------------------------------

_DANGER = list("\\`*_[]<>&|~#-+=!().:;/ 1\n\t") + ["&amp;", "<b>", "](", "```", "    ", "|---|"]
_TEXT = st.lists(st.sampled_from(_DANGER) | st.characters(), min_size=1, max_size=25).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=15, max_size=15))
def test_hostile_data_keeps_the_document_shape(texts: list[str]) -> None:
    base = sample_data()
    t = iter(texts)
    articles = tuple(
        a.model_copy(update={"title": next(t), "outlet": next(t), "path": next(t)})
        for a in base.articles
    )
    claims = tuple(
        c.model_copy(update={"content": next(t)}) if c.id in (1, 2, 5) else c for c in base.claims
    )
    sources = tuple(
        s.model_copy(update={"name": next(t)}) if s.id == 12 else s for s in base.sources
    )
    claims = tuple(
        c.model_copy(update={"note": next(t), "cue": next(t)}) if c.id == 2 else c for c in claims
    )
    data = base.model_copy(update={"articles": articles, "claims": claims, "sources": sources})
    text = render_markdown(data)
    tokens = check_commonmark(text)
    assert h2(tokens) == [
        "Summary",
        "Key claims by proposition",
        "Other claims",
        "Sources",
        "Articles",
        "Analyst verdicts and notes",
        "Method",
    ]
    h3 = [
        tokens[i + 1].content
        for i, x in enumerate(tokens)
        if x.type == "heading_open" and x.tag == "h3"
    ]
    assert h3[:3] == [
        "Credibility of the claims",
        "Reliability of the sources",
        "Most contested claims",
    ]
    assert h3[-3:] == ["How the numbers are made", "Grade meanings", "Configuration in force"]
    assert [h.split(". ", 1)[0] for h in h3[3:-3]] == ["P1"]
    # every claim's full text comes out as text of some paragraph, unchanged
    inline_text = "\n".join(
        "".join(c.content for c in tok.children or [] if c.type == "text")
        for tok in tokens
        if tok.type == "inline"
    )
    for c in data.claims:
        if c.selected:
            assert f"“{normalize(c.content)}”" in inline_text
