"""A small, fixed review case built by hand from the fixture articles (real offsets).

Used by tests/test_review*.py and tests/test_tui*.py. Every timestamp is fixed
so the rendered screens are the same on every run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from claimtrack.store import Case
from claimtrack.store.schema import (
    ArticleRow,
    ClaimReviewRow,
    ClaimRow,
    ClaimScoreRow,
    LinkRow,
    SourceRow,
    SourceScoreRow,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
T0 = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)

ARTICLES = [
    (
        "000_24a370afdc010782.txt",
        "Moscow Engages in Secret Arms Talks with Iran-Backed Houthis",
        "Example Daily",
    ),
    ("001_131200fdd3cc008a.txt", "Italy warns as Russia relocates assets to Libya", "Defense News"),
    (
        "002_25a5188a94b2868d.txt",
        "Russia is supplying Iran with military technologies",
        "The Courier",
    ),
]

# key, name, kind, affiliation, letter, reliability, confirmed, refuted
SOURCES = [
    ("media:reuters", "Reuters", "media", None, "B", 0.8, 3, 0),
    (
        "anonymous:0:intel",
        "Western and regional intelligence sources",
        "anonymous",
        None,
        "D",
        0.45,
        0,
        0,
    ),
    (
        "anonymous:0:usofficial",
        "A senior U.S. official",
        "anonymous",
        "United States",
        "D",
        0.45,
        0,
        0,
    ),
    ("person:mohamed abdel-salam", "Mohamed Abdel-Salam", "person", "Houthis", "E", 0.3, 0, 1),
    ("person:guido crosetto", "Guido Crosetto", "person", "Italy", "C", 0.6, 1, 0),
    ("unknown:analysts", "Analysts", "unknown", None, "D", 0.5, 0, 0),
    ("person:ben wallace", "Ben Wallace", "person", "United Kingdom", "C", 0.62, 1, 0),
    ("government:united states", "United States", "government", None, "B", 0.75, 2, 0),
]

# article index, source key (None = impersonal), source text, cue, content, stance, hedged
CLAIMS = [
    (
        0,
        "media:reuters",
        "Reuters",
        "According to",
        "these discussions are taking place amid a backdrop of escalating tensions and shifting alliances in the region",
        "asserts",
        False,
    ),
    (
        0,
        "anonymous:0:intel",
        "Western and regional intelligence sources",
        "indicate",
        "Russia is negotiating the transfer of P-800 Yakhont supersonic anti-ship missiles",
        "asserts",
        False,
    ),
    (
        0,
        "anonymous:0:usofficial",
        "A senior U.S. official",
        "has suggested",
        "these talks are a response to Western support for Ukraine",
        "asserts",
        True,
    ),
    (
        0,
        "person:mohamed abdel-salam",
        "Houthi spokesman Mohamed Abdel-Salam",
        "has denied",
        "any knowledge of these negotiations",
        "denies",
        False,
    ),
    (
        0,
        None,
        "Reports",
        "suggest",
        "Russia has already held at least two meetings with Houthi representatives in Tehran this year",
        "asserts",
        True,
    ),
    (
        1,
        "person:guido crosetto",
        "Defense Minister Guido Crosetto",
        "stated",
        "Russian naval presence closer to Italy poses a heightened risk",
        "asserts",
        False,
    ),
    (
        1,
        "unknown:analysts",
        "Analysts",
        "highlight",
        "an uptick in Russian military flights to Libya",
        "asserts",
        False,
    ),
    (
        2,
        "person:ben wallace",
        "British Defense Secretary Ben Wallace",
        "According to",
        "Moscow will supply military components to Tehran in exchange for Iranian attack drones "
        "that Russia used in its invasion of Ukraine",
        "asserts",
        False,
    ),
    (
        2,
        "person:ben wallace",
        "Mr Wallace",
        "said",
        "Iran must be held accountable for supporting Russia’s invasion of its neighbour",
        "asserts",
        False,
    ),
    (
        2,
        "government:united states",
        "the United States",
        "said",
        "Russia was preparing to provide Iran with advanced military assistance, including air defense "
        "systems, helicopters and fighter jets",
        "asserts",
        False,
    ),
]

# a, b (claim numbers, 1-based), relation, confidence, origin_claim
LINKS = [
    (1, 2, "corroborates", 0.72, None),
    (2, 4, "contradicts", 0.81, None),
    (1, 5, "repeats", 0.64, 1),
    (8, 10, "corroborates", 0.66, None),
    (6, 7, "corroborates", 0.55, None),
]

# claim number: (probability, credibility, logodds, low, high)
SCORES = {
    1: (0.78, 2, 1.27, 0.70, 0.84),
    2: (0.61, 3, 0.45, 0.48, 0.77),
    3: (0.52, 3, 0.08, 0.45, 0.60),
    4: (0.30, 4, -0.85, 0.22, 0.41),
    6: (0.66, 3, 0.66, 0.58, 0.73),
    7: (0.57, 3, 0.28, 0.50, 0.64),
    8: (0.71, 2, 0.90, 0.62, 0.79),
    9: (0.55, 3, 0.20, 0.50, 0.60),
    10: (0.74, 2, 1.05, 0.66, 0.80),
}


def _find(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = text.index(needle, start)
    return i, i + len(needle)


def build_case(path: Path) -> Case:
    """Create the fixture case at ``path`` (through the Case API, migrated) and open it."""
    case = Case.open(str(path))
    with case.write() as s:
        articles = []
        for name, title, outlet in ARTICLES:
            text = (FIXTURES / name).read_text(encoding="utf-8")
            row = ArticleRow(
                content_hash=name.split("_")[1].removesuffix(".txt").ljust(16, "0"),
                text=text,
                title=title,
                outlet=outlet,
                path=name,
                size=len(text),
                ingested_at=T0,
            )
            s.add(row)
            articles.append(row)
        sources = {}
        for key, name, kind, aff, *_ in SOURCES:
            src = SourceRow(key=key, name=name, kind=kind, affiliation=aff, created_at=T0)
            s.add(src)
            sources[key] = src
        s.flush()
        for key, _name, _kind, _aff, letter, rel, conf, ref in SOURCES:
            s.add(
                SourceScoreRow(
                    source_id=sources[key].id,
                    reliability=rel,
                    letter=letter,
                    confirmed=conf,
                    refuted=ref,
                    explanation=json.dumps(
                        [{"label": "prior by kind", "weight": 0.0, "group": None}]
                    ),
                    computed_at=T0,
                )
            )
        claims = []
        ordinals: dict[int, int] = {}
        for art, key, src_text, cue, content, stance, hedged in CLAIMS:
            text = articles[art].text
            s_start, s_end = _find(text, src_text)
            c_start, c_end = _find(text, content)
            if cue == "According to":  # the cue comes before its source
                cue_start = text.rindex(cue, 0, s_start)
                cue_end = cue_start + len(cue)
            else:
                cue_start, cue_end = _find(text, cue, s_end)
            ordinals[art] = ordinals.get(art, 0) + 1
            assert articles[art].id is not None
            claim = ClaimRow(
                article_id=articles[art].id,
                ordinal=ordinals[art],
                span_key=f"{c_start}:{c_end}:{cue_start}",
                source_text=src_text,
                source_start=s_start,
                source_end=s_end,
                cue_text=cue,
                cue_start=cue_start,
                cue_end=cue_end,
                content_text=content,
                content_start=c_start,
                content_end=c_end,
                stance=stance,
                hedged=hedged,
                hedges=json.dumps([cue.split()[-1]] if hedged else []),
                quote="indirect",
                speaker=src_text if key is None else None,
                source_kind="unknown" if key is None else key.split(":")[0],
                source_id=sources[key].id if key is not None else None,
            )
            assert text[c_start:c_end] == content
            s.add(claim)
            claims.append(claim)
        s.flush()
        ids = [c.id for c in claims]
        for a, b, relation, conf, origin in LINKS:
            ia, ib = ids[a - 1], ids[b - 1]
            assert ia is not None and ib is not None
            s.add(
                LinkRow(
                    a_id=min(ia, ib),
                    b_id=max(ia, ib),
                    relation=relation,
                    confidence=conf,
                    reason=f"machine: {relation}",
                    origin="machine",
                    origin_claim_id=ids[origin - 1] if origin else None,
                    created_at=T0,
                )
            )
        for n, (p, cred, lo_odds, low, high) in SCORES.items():
            cid = ids[n - 1]
            assert cid is not None
            s.add(
                ClaimScoreRow(
                    claim_id=cid,
                    probability=p,
                    credibility=cred,
                    logodds=lo_odds,
                    low=low,
                    high=high,
                    explanation=json.dumps(
                        [
                            {
                                "label": "source prior",
                                "weight": round(lo_odds - 0.2, 2),
                                "group": "source",
                            },
                            {"label": "corroboration", "weight": 0.2, "group": "links"},
                        ]
                    ),
                    computed_at=T0,
                )
            )
        # one decision already taken: claim 6 accepted
        cid6 = ids[5]
        assert cid6 is not None
        s.add(
            ClaimReviewRow(
                claim_id=cid6, status="accepted", version=1, updated_at=T0, updated_by="fixture"
            )
        )
    return case
