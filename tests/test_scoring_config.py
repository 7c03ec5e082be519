"""The scoring configuration (overrides, validation, serialisation) and incremental rescoring."""

from __future__ import annotations

import json

import pytest

from claimtrack.errors import UsageError
from claimtrack.models import CaseClaim, Link, Origin, Relation, SourceKind, SourceRecord
from claimtrack.scoring import (
    DEFAULT_CONFIG,
    MEANINGS,
    ScoringConfig,
    affected_claims,
    apply_overrides,
    build_graph,
    config_dict,
    config_rows,
    score_case,
)


def test_every_setting_has_a_meaning_and_round_trips() -> None:
    data = config_dict(DEFAULT_CONFIG)
    assert sorted(data) == sorted(ScoringConfig.model_fields) == sorted(MEANINGS)
    assert ScoringConfig.model_validate(json.loads(json.dumps(data))) == DEFAULT_CONFIG
    rows = config_rows(DEFAULT_CONFIG)
    assert [r["key"] for r in rows] == sorted(data)
    assert {
        "key": "anonymity_shrink",
        "value": "0.6",
        "meaning": MEANINGS["anonymity_shrink"],
    } in rows
    assert data["cue_strength"]["said"] == 1.0
    assert data["cue_strength"]["claimed"] == 0.8
    assert data["cue_strength"]["suggested"] == 0.7
    assert data["cue_strength"]["may"] == 0.5
    assert data["cue_strength"]["reportedly"] == 0.4
    assert data["kind_priors"]["media"] == [3.5, 1.5]


def test_overrides_parse_strings_and_items() -> None:
    cfg = apply_overrides(
        DEFAULT_CONFIG,
        {
            "anonymity_shrink": "0.5",
            "kind_priors.media": "[4, 1]",
            "cue_strength.Hinted": 0.6,
            "track_hedged": "true",
        },
    )
    assert cfg.anonymity_shrink == 0.5
    assert cfg.kind_priors["media"] == (4.0, 1.0)
    assert cfg.kind_priors["person"] == DEFAULT_CONFIG.kind_priors["person"]
    assert cfg.cue_strength["hinted"] == 0.6
    assert cfg.track_hedged is True
    assert DEFAULT_CONFIG.anonymity_shrink == 0.6  # the default is untouched


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"anonymity": 0.5}, "unknown scoring setting 'anonymity'"),
        ({"kind_priors.alien": [1, 1]}, "unknown source kind in 'kind_priors.alien'"),
        ({"anonymity_shrink.x": 1}, "scoring setting 'anonymity_shrink' has no items"),
        ({"anonymity_shrink": 1.5}, "bad scoring setting 'anonymity_shrink'"),
        ({"anonymity_shrink": "lots"}, "bad scoring setting 'anonymity_shrink'"),
        ({"kind_priors.media": [0, 1]}, "kind_priors.media: Beta parameters"),
        ({"cue_strength.may": 2}, "cue_strength.may: must be within"),
        ({"p_probable": 0.9}, "p_confirmed >= p_probable"),
    ],
)
def test_bad_overrides_name_the_key(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as err:
        apply_overrides(DEFAULT_CONFIG, overrides)
    assert message in str(err.value)
    assert err.value.exit_code == 2


def test_config_changes_scores() -> None:
    src = [
        SourceRecord(id=1, name="Reuters", kind=SourceKind.MEDIA, prior=0.9),
        SourceRecord(id=2, name="sources", kind=SourceKind.ANONYMOUS),
    ]
    claims = [
        CaseClaim(
            id=1,
            article_id=1,
            content="x",
            source_id=2,
            speaker="sources",
            source_kind=SourceKind.ANONYMOUS,
            outlet="Reuters",
        )
    ]
    p1 = score_case(src, claims, [])[1][1].probability
    p2 = score_case(src, claims, [], apply_overrides(DEFAULT_CONFIG, {"anonymity_shrink": 0.3}))[1][
        1
    ].probability
    assert p1 == pytest.approx(0.5 + 0.4 * 0.6)
    assert p2 == pytest.approx(0.5 + 0.4 * 0.3)


# ---------------------------------------------------------------------------
# incremental rescoring
# ---------------------------------------------------------------------------


def _world(
    n_stories: int, per_story: int
) -> tuple[list[SourceRecord], list[CaseClaim], list[Link]]:
    sources = [
        SourceRecord(id=i, name=f"Outlet {i}", kind=SourceKind.MEDIA, prior=0.6 + 0.03 * i)
        for i in range(1, 11)
    ]
    claims: list[CaseClaim] = []
    links: list[Link] = []
    cid = 0
    for s in range(n_stories):
        first = cid + 1
        for k in range(per_story):
            cid += 1
            claims.append(
                CaseClaim(
                    id=cid,
                    article_id=cid,
                    content=f"story {s}",
                    source_id=1 + (cid % 10),
                    speaker=f"Outlet {1 + cid % 10}",
                    source_kind=SourceKind.MEDIA,
                )
            )
            if k:
                rel = [Relation.CORROBORATES, Relation.CONTRADICTS, Relation.REPEATS][cid % 3]
                links.append(
                    Link(
                        a=cid - 1,
                        b=cid,
                        relation=rel,
                        confidence=0.9,
                        reason="t",
                        origin=Origin.MACHINE,
                        origin_claim=cid - 1 if rel == Relation.REPEATS else None,
                    )
                )
        links.append(
            Link(a=first, b=cid, relation=Relation.CORROBORATES, confidence=0.7, reason="t")
        )
    return sources, claims, links


def test_affected_claims_is_exactly_what_changes() -> None:
    sources, claims, links = _world(6, 7)
    _src, before = score_case(sources, claims, links)
    # a new article: two claims, one linked into story 2, one into story 4
    n = len(claims)
    new = [
        CaseClaim(
            id=n + 1,
            article_id=99,
            content="story 2",
            source_id=3,
            speaker="Outlet 3",
            source_kind=SourceKind.MEDIA,
        ),
        CaseClaim(
            id=n + 2,
            article_id=99,
            content="story 4",
            source_id=3,
            speaker="Outlet 3",
            source_kind=SourceKind.MEDIA,
        ),
    ]
    new_links = [
        Link(a=16, b=n + 1, relation=Relation.CONTRADICTS, confidence=0.8, reason="t"),
        Link(a=30, b=n + 2, relation=Relation.REPEATS, confidence=0.8, reason="t"),
    ]
    claims2, links2 = claims + new, links + new_links
    _src2, full = score_case(sources, claims2, links2)
    changed = {c for c in full if c not in before or full[c] != before[c]}
    graph = build_graph(claims2, links2, DEFAULT_CONFIG)
    affected = affected_claims({n + 1, n + 2}, links2, claims2, graph=graph)
    assert changed <= affected
    assert {n + 1, n + 2, 16, 30} <= affected
    assert not affected & set(range(1, 8))  # story 0 untouched
    # scoring only the affected claims gives the same as the full rescore
    _s, part = score_case(sources, claims2, links2, only=affected)
    assert set(part) == affected
    assert all(part[c] == full[c] for c in affected)
    # without claims: the connected components (a superset)
    comps = affected_claims({n + 1, n + 2}, links2)
    assert affected <= comps
    assert comps == set(range(15, 22)) | set(range(29, 36)) | {n + 1, n + 2}
