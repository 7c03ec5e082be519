"""The properties of shared/docs/scoring-model.md, each written as a check that a
deliberately broken model (config or case) makes fail, plus the worked example."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from claimtrack.models import (
    CaseClaim,
    ClaimScore,
    Link,
    Origin,
    Relation,
    SourceKind,
    SourceRecord,
    SourceScore,
    Stance,
    Verdict,
)
from claimtrack.scoring import (
    DEFAULT_CONFIG,
    ScoringConfig,
    apply_overrides,
    logit,
    score_case,
    sigmoid,
)

# ---------------------------------------------------------------------------
# a small case builder
# ---------------------------------------------------------------------------

RUSSIA = "Russia is negotiating to supply Yakhont missiles to the Houthis"


class Case:
    def __init__(self) -> None:
        self.sources: list[SourceRecord] = []
        self.claims: list[CaseClaim] = []
        self.links: list[Link] = []

    def source(self, name: str, kind: SourceKind, prior: float | None = None, **kw: object) -> int:
        sid = len(self.sources) + 1
        self.sources.append(
            SourceRecord(id=sid, name=name, kind=kind, prior=prior, prior_reason="table", **kw)  # type: ignore[arg-type]
        )
        return sid

    def claim(self, sid: int | None, content: str = RUSSIA, **kw: object) -> int:
        cid = len(self.claims) + 1
        rec = self.sources[sid - 1] if sid else None
        fields: dict[str, object] = {
            "id": cid,
            "article_id": cid,
            "content": content,
            "cue": "said",
            "source_id": sid,
            "speaker": rec.name if rec else None,
            "source_kind": rec.kind if rec else SourceKind.UNKNOWN,
            "affiliation": rec.affiliation if rec else None,
        }
        fields.update(kw)
        self.claims.append(CaseClaim(**fields))  # type: ignore[arg-type]
        return cid

    def link(self, a: int, b: int, rel: Relation, origin_claim: int | None = None) -> None:
        self.links.append(
            Link(
                a=a,
                b=b,
                relation=rel,
                confidence=1.0,
                reason="test",
                origin=Origin.ANALYST,
                origin_claim=origin_claim,
            )
        )

    def set_verdict(self, cid: int, verdict: Verdict) -> None:
        c = self.claims[cid - 1]
        self.claims[cid - 1] = c.model_copy(update={"verdict": verdict})

    def score(
        self, config: ScoringConfig = DEFAULT_CONFIG
    ) -> tuple[dict[int, SourceScore], dict[int, ClaimScore]]:
        return score_case(self.sources, self.claims, self.links, config)

    def p(self, cid: int, config: ScoringConfig = DEFAULT_CONFIG) -> float:
        return self.score(config)[1][cid].probability


def seed_case() -> tuple[Case, int, int]:
    """The worked example: Reuters citing anonymous intelligence sources, relayed by a
    blog; the Houthi spokesman denies. Returns (case, report claim, denial claim)."""
    case = Case()
    case.source("Reuters", SourceKind.MEDIA, prior=0.85)
    intel = case.source("Western and regional intelligence sources", SourceKind.ANONYMOUS)
    houthi = case.source("Mohamed Abdel-Salam", SourceKind.PERSON, affiliation="Houthis")
    report = case.claim(intel, cue="indicate", cited="Reuters", outlet="Bulletin Blog")
    denial = case.claim(
        houthi,
        content="any knowledge of these negotiations",
        cue="denied",
        stance=Stance.DENIES,
        outlet="Bulletin Blog",
    )
    case.link(denial, report, Relation.CONTRADICTS)
    return case, report, denial


def add_echoes(case: Case, report: int, n: int) -> list[int]:
    """n outlets re-running '..., Reuters reported'."""
    out = []
    for i in range(n):
        e = case.claim(1, cue="reported", outlet=f"Echo Daily {i}")
        case.link(report, e, Relation.REPEATS, origin_claim=report)
        out.append(e)
    return out


def row_weight(score: ClaimScore, needle: str) -> float:
    rows = [r for r in score.contributions if needle in r.label]
    assert len(rows) == 1, [r.label for r in score.contributions]
    return rows[0].weight


# ---------------------------------------------------------------------------
# worked example
# ---------------------------------------------------------------------------


def test_worked_example_first_seed() -> None:
    case, report, denial = seed_case()
    add_echoes(case, report, 5)
    _src, scores = case.score()
    s = scores[report]
    w = row_weight(s, "Reuters-sourced report, via anonymous")
    r_eff = sigmoid(w)
    assert r_eff == pytest.approx(0.70, abs=0.02)
    assert w == pytest.approx(0.85, abs=0.1)
    assert row_weight(s, "5 outlets repeating Reuters") == 0.0
    assert row_weight(s, "denied by Mohamed Abdel-Salam") == pytest.approx(-0.05, abs=0.03)
    assert s.probability == pytest.approx(0.69, abs=0.03)
    assert s.credibility == 3
    # the range leaves out one group at a time
    assert s.low == pytest.approx(0.5 - 0.01, abs=0.02)  # without the report: only the denial
    assert s.high == pytest.approx(sigmoid(w), abs=1e-9)  # without the denial
    # a second outlet with its own (anonymous) sources: P ~ 0.75, the number stays 3
    case.source("The Wall Street Journal", SourceKind.MEDIA, prior=0.85)
    own = case.source("officials familiar with the talks", SourceKind.ANONYMOUS)
    wsj = case.claim(own, outlet="The Wall Street Journal")
    case.link(wsj, report, Relation.CORROBORATES)
    s2 = case.score()[1][report]
    assert s2.probability == pytest.approx(0.75, abs=0.03)
    assert s2.credibility == 3
    # the echoes carry the same score as the report they repeat
    assert case.score()[1][report + 2].probability == s2.probability


# ---------------------------------------------------------------------------
# property 1: echoes count once
# ---------------------------------------------------------------------------


def check_echoes_leave_p_unchanged(case: Case, report: int, add: object) -> None:
    before = case.p(report)
    for n in (1, 2, 5):
        add(case, report, n)  # type: ignore[operator]
        assert case.p(report) == before


def test_property1_echoes_leave_p_unchanged() -> None:
    case, report, _ = seed_case()
    check_echoes_leave_p_unchanged(case, report, add_echoes)

    def cited_copies(case: Case, report: int, n: int) -> None:
        # "..., citing Reuters" linked as corroborating by a machine: same origin, one group
        for i in range(n):
            e = case.claim(None, cue="reported", cited="Reuters", outlet=f"Copy {i}")
            case.link(e, report, Relation.CORROBORATES)

    case2, report2, _ = seed_case()
    check_echoes_leave_p_unchanged(case2, report2, cited_copies)


def test_property1_check_can_fail() -> None:
    def independent(case: Case, report: int, n: int) -> None:
        for i in range(n):
            sid = case.source(f"Independent {len(case.sources)}", SourceKind.MEDIA, prior=0.8)
            e = case.claim(sid, outlet=f"Independent {i}")
            case.link(e, report, Relation.CORROBORATES)

    case, report, _ = seed_case()
    with pytest.raises(AssertionError):
        check_echoes_leave_p_unchanged(case, report, independent)


# ---------------------------------------------------------------------------
# property 2: a self-serving denial moves P by less than 0.06
# ---------------------------------------------------------------------------


def check_self_serving_denial(config: ScoringConfig) -> float:
    worst = 0.0
    for prior in (0.6, 0.9, 0.99):
        for kind in (SourceKind.GOVERNMENT, SourceKind.PERSON):
            case = Case()
            kremlin = case.source("Kremlin", kind, prior=prior, affiliation="Russia")
            tass = case.source("TASS", SourceKind.MEDIA, prior=0.7)
            claim = case.claim(tass, content="Russian troops shelled the Kherson hospital")
            before = case.p(claim, config)
            d = case.claim(kremlin, content="the report", cue="denied", stance=Stance.DENIES)
            case.link(d, claim, Relation.CONTRADICTS)
            worst = max(worst, before - case.p(claim, config))
    assert worst < 0.06
    return worst


def test_property2_self_serving_denial_moves_p_little() -> None:
    worst = check_self_serving_denial(DEFAULT_CONFIG)
    assert worst > 0.0  # it is recorded, with a small weight


def test_property2_check_can_fail() -> None:
    broken = apply_overrides(DEFAULT_CONFIG, {"interested_denial_shrink": 1.0})
    with pytest.raises(AssertionError):
        check_self_serving_denial(broken)


def test_denial_by_a_third_party_is_not_discounted() -> None:
    case = Case()
    un = case.source("UN monitors", SourceKind.ORGANIZATION, prior=0.8)
    tass = case.source("TASS", SourceKind.MEDIA, prior=0.7)
    claim = case.claim(tass, content="Russian troops shelled the Kherson hospital")
    d = case.claim(un, content="the report", cue="denied", stance=Stance.DENIES)
    case.link(d, claim, Relation.CONTRADICTS)
    s = case.score()[1][claim]
    assert row_weight(s, "contradicted by UN monitors") == pytest.approx(-logit(0.8))


def test_admission_against_interest_is_strong_and_no_comment_weighs_nothing() -> None:
    case = Case()
    houthi = case.source("Houthi spokesman", SourceKind.PERSON, affiliation="Houthis")
    admit = case.claim(houthi, content="Houthi fighters fired on the tanker", cue="admitted")
    plain = case.claim(houthi, content="Houthi fighters fired on the tanker", cue="said")
    silent = case.claim(houthi, content="the tanker", cue="declined to comment")
    scores = case.score()[1]
    assert row_weight(scores[admit], "admission against interest") == pytest.approx(logit(0.9))
    assert row_weight(scores[plain], "(this report)") == pytest.approx(logit(0.6))
    assert row_weight(scores[silent], "declined to comment") == 0.0
    assert scores[silent].credibility == 6


# ---------------------------------------------------------------------------
# property 3: a hedge strictly lowers a claim's weight
# ---------------------------------------------------------------------------

HEDGES: list[tuple[str, bool, tuple[str, ...]]] = [
    ("claimed", False, ()),
    ("alleged", False, ()),
    ("suggested", False, ()),
    ("believes", False, ()),
    ("said", True, ("may",)),
    ("said", True, ("could",)),
    ("said", True, ("reportedly",)),
    ("said", True, ("unconfirmed",)),
    ("said", True, ()),  # hedged, hedge word unknown
    ("said", True, ("said",)),  # hedged, but the word is a plain one
]


def weight_of(config: ScoringConfig, cue: str, hedged: bool, hedges: tuple[str, ...]) -> float:
    case = Case()
    sid = case.source("Ben Wallace", SourceKind.PERSON, prior=0.8)
    cid = case.claim(sid, cue=cue, hedged=hedged, hedges=hedges)
    return row_weight(case.score(config)[1][cid], "(this report)")


def check_hedges_lower_weight(config: ScoringConfig) -> list[float]:
    plain = weight_of(config, "said", False, ())
    ws = [weight_of(config, cue, h, hs) for cue, h, hs in HEDGES]
    for w in ws:
        assert w < plain
    return ws


def test_property3_hedge_strictly_lowers_weight() -> None:
    ws = dict(
        zip(
            [h[0] + "/" + ",".join(h[2]) for h in HEDGES],
            check_hedges_lower_weight(DEFAULT_CONFIG),
            strict=True,
        )
    )
    # the cue's strength orders them: said > claimed > suggested > may > reportedly
    assert ws["claimed/"] > ws["suggested/"] > ws["said/may"] > ws["said/reportedly"] > 0
    r = 0.8
    assert ws["said/may"] == pytest.approx(logit(0.5 + (r - 0.5) * 0.5))


def test_property3_check_can_fail() -> None:
    broken = apply_overrides(
        DEFAULT_CONFIG, {"hedge_default": 1.0, "hedge_max": 1.0, "cue_strength.claimed": 1.0}
    )
    with pytest.raises(AssertionError):
        check_hedges_lower_weight(broken)


# ---------------------------------------------------------------------------
# property 4: two independent on-record groups can reach 1; two anonymous never
# ---------------------------------------------------------------------------


def two_groups(config: ScoringConfig, anonymous: bool, prior: float) -> int:
    case = Case()
    ids = []
    for name in ("Reuters", "Associated Press"):
        if anonymous:
            case.source(name, SourceKind.MEDIA, prior=prior)
            sid = case.source(f"officials speaking to {name}", SourceKind.ANONYMOUS)
            ids.append(case.claim(sid, outlet=name))
        else:
            sid = case.source(f"Minister at {name}", SourceKind.GOVERNMENT, prior=prior)
            ids.append(case.claim(sid, outlet=name))
    case.link(ids[0], ids[1], Relation.CORROBORATES)
    return case.score(config)[1][ids[0]].credibility


def check_credibility_one(config: ScoringConfig) -> None:
    assert two_groups(config, anonymous=False, prior=0.9) == 1
    for prior in (0.9, 0.99):
        assert two_groups(config, anonymous=True, prior=prior) != 1


def test_property4_on_record_groups_reach_one_anonymous_never() -> None:
    check_credibility_one(DEFAULT_CONFIG)
    assert two_groups(DEFAULT_CONFIG, anonymous=True, prior=0.99) == 3
    # one anonymous group, or one on-record source alone, is never 1 either
    case = Case()
    cid = case.claim(case.source("Minister", SourceKind.GOVERNMENT, prior=0.99))
    assert case.score()[1][cid].credibility == 2


def test_property4_check_can_fail() -> None:
    broken = apply_overrides(DEFAULT_CONFIG, {"p_confirmed": 0.999})
    with pytest.raises(AssertionError):
        check_credibility_one(broken)


# ---------------------------------------------------------------------------
# property 5: P monotone in the number of independent supporting groups
# ---------------------------------------------------------------------------


def supported(config: ScoringConfig, n: int, anonymous: bool) -> float:
    case = Case()
    target = case.claim(None, cue=None)  # the proposition, nobody's word
    for i in range(n):
        if anonymous:
            case.source(f"Outlet {i}", SourceKind.MEDIA, prior=0.8)
            sid = case.source(f"a source at Outlet {i}", SourceKind.ANONYMOUS)
            c = case.claim(sid, outlet=f"Outlet {i}")
        else:
            sid = case.source(f"Spokesman {i}", SourceKind.PERSON, prior=0.7)
            c = case.claim(sid)
        case.link(target, c, Relation.CORROBORATES)
    return case.p(target, config)


def check_monotone(config: ScoringConfig) -> None:
    for anonymous in (False, True):
        ps = [supported(config, n, anonymous) for n in range(7)]
        assert ps[0] == 0.5
        assert all(b > a for a, b in zip(ps, ps[1:], strict=False)), ps


def test_property5_monotone_in_independent_groups() -> None:
    check_monotone(DEFAULT_CONFIG)


def test_property5_check_can_fail() -> None:
    broken = apply_overrides(DEFAULT_CONFIG, {"anonymous_dependence": 0.0})
    with pytest.raises(AssertionError):
        check_monotone(broken)


# ---------------------------------------------------------------------------
# property 6: a source's reliability never rises from its own claims
# ---------------------------------------------------------------------------


def test_property6_reliability_never_rises_from_own_claims() -> None:
    case = Case()
    blog = case.source("Bulletin Blog", SourceKind.MEDIA)
    fan = case.source("Fan Page", SourceKind.MEDIA)
    base = case.score()[0][blog]
    for i in range(4):
        c = case.claim(blog, content=f"claim number {i}")
        e = case.claim(fan, content=f"claim number {i}", cited="Bulletin Blog")
        case.link(c, e, Relation.REPEATS, origin_claim=c)
        other = case.claim(fan, content=f"claim number {i} again")
        case.link(c, other, Relation.CORROBORATES)
        src = case.score()[0]
        assert src[blog].reliability == base.reliability
        assert (src[blog].confirmed, src[blog].refuted, src[blog].letter) == (0, 0, "F")
    # only a resolution counts; and a source that said one thing three times counts once
    c1 = case.claim(blog, content="the dam was breached")
    c2 = case.claim(blog, content="the dam was breached", outlet="again")
    case.link(c1, c2, Relation.REPEATS)
    case.set_verdict(c1, Verdict.TRUE)
    src = case.score()[0]
    assert src[blog].reliability > base.reliability
    assert (src[blog].confirmed, src[blog].refuted) == (1, 0)


# ---------------------------------------------------------------------------
# property 7: the explanation rows sum exactly to the log-odds
# ---------------------------------------------------------------------------


def test_property7_rows_sum_exactly_to_logodds() -> None:
    case, report, denial = seed_case()
    add_echoes(case, report, 3)
    case.source("The Wall Street Journal", SourceKind.MEDIA, prior=0.85)
    own = case.source("officials familiar with the talks", SourceKind.ANONYMOUS)
    wsj = case.claim(own, outlet="The Wall Street Journal", hedged=True, hedges=("may",))
    case.link(wsj, report, Relation.CORROBORATES)
    case.set_verdict(denial, Verdict.FALSE)
    src, scores = case.score()
    assert len(scores) == len(case.claims)
    for s in scores.values():
        assert sum(r.weight for r in s.contributions) == s.logodds
        assert s.probability == sigmoid(s.logodds)
        assert s.contributions[0].label.startswith("prior")
        assert s.low <= s.probability <= s.high
    for ss in src.values():
        total = sum(r.weight for r in ss.contributions)
        assert total == pytest.approx(logit(ss.reliability), abs=1e-12)


# ---------------------------------------------------------------------------
# property 8: analyst verdicts win and feed the track records
# ---------------------------------------------------------------------------


def check_verdict_wins(config: ScoringConfig) -> None:
    case = Case()
    target_src = case.source("Spokesman", SourceKind.GOVERNMENT, prior=0.9)
    target = case.claim(target_src)
    for i in range(6):
        sid = case.source(f"Witness {i}", SourceKind.PERSON, prior=0.95)
        c = case.claim(sid)
        case.link(target, c, Relation.CORROBORATES)
    doubter = case.source("Doubter", SourceKind.PERSON)
    d = case.claim(doubter, content="no such thing", stance=Stance.DENIES)
    case.link(target, d, Relation.CONTRADICTS)
    before_src, before = case.score(config)
    assert before[target].probability > 0.99
    case.set_verdict(target, Verdict.FALSE)
    src, after = case.score(config)
    s = after[target]
    assert s.probability == min(x.probability for x in after.values())
    assert s.probability < 0.05
    assert s.credibility == 5
    assert (s.low, s.high) == (s.probability, s.probability)
    # track records: the speaker and its corroborators refuted, the doubter confirmed
    assert src[target_src].refuted == 1
    assert src[target_src].reliability < before_src[target_src].reliability
    for sid in range(2, 8):
        assert (src[sid].confirmed, src[sid].refuted) == (0, 1)
    assert (src[doubter].confirmed, src[doubter].refuted) == (1, 0)
    assert src[doubter].reliability > before_src[doubter].reliability


def test_property8_verdicts_win() -> None:
    check_verdict_wins(DEFAULT_CONFIG)


def test_property8_check_can_fail() -> None:
    broken = apply_overrides(DEFAULT_CONFIG, {"verdict_false_probability": 0.4})
    with pytest.raises(AssertionError):
        check_verdict_wins(broken)


def test_verdict_true_and_unverified() -> None:
    case, report, denial = seed_case()
    case.set_verdict(report, Verdict.TRUE)
    case.set_verdict(denial, Verdict.UNVERIFIED)
    scores = case.score()[1]
    assert scores[report].probability == pytest.approx(0.98)
    assert scores[report].credibility == 1
    # the denial now faces a confirmed claim
    assert row_weight(scores[denial], "marked true by the analyst") == pytest.approx(-logit(0.98))
    assert row_weight(scores[denial], "unverified") == 0.0
    assert scores[denial].credibility == 5


# ---------------------------------------------------------------------------
# determinism, grades, links
# ---------------------------------------------------------------------------


def test_same_case_same_scores_whatever_the_order() -> None:
    case, report, _ = seed_case()
    add_echoes(case, report, 3)
    a = score_case(case.sources, case.claims, case.links)
    b = score_case(case.sources[::-1], case.claims[::-1], case.links[::-1])
    assert a == b


def test_source_letters() -> None:
    case = Case()
    anon = case.source("a source", SourceKind.ANONYMOUS)
    person = case.source("Someone", SourceKind.PERSON)
    reuters = case.source("Reuters", SourceKind.MEDIA, prior=0.95)
    rag = case.source("Rag", SourceKind.MEDIA, prior=0.3)
    src = case.score()[0]
    assert [src[i].letter for i in (anon, person, reuters, rag)] == ["F", "F", "B", "E"]
    for i in range(4):
        c = case.claim(reuters, content=f"fact {i}")
        case.set_verdict(c, Verdict.TRUE)
    src = case.score()[0]
    assert (src[reuters].confirmed, src[reuters].letter) == (4, "A")
    c = case.claim(person, content="wrong")
    case.set_verdict(c, Verdict.FALSE)
    src = case.score()[0]
    assert src[person].letter == "D"  # (3 + 0) / (5 + 1) = 0.5
    assert src[person].reliability == pytest.approx(0.5)


def test_analyst_rejection_removes_a_machine_link() -> None:
    case, report, denial = seed_case()
    case.links = [
        lk.model_copy(update={"origin": Origin.MACHINE, "confidence": 0.8}) for lk in case.links
    ]
    with_link = case.score()[1][report]
    assert len(with_link.contributions) == 3
    assert "link confidence 0.80" in with_link.contributions[2].label
    case.links.append(
        Link(
            a=report,
            b=denial,
            relation=Relation.NONE,
            confidence=1.0,
            reason="no",
            origin=Origin.ANALYST,
        )
    )
    without = case.score()[1][report]
    assert len(without.contributions) == 2


def test_nothing_scorable_is_six_and_half() -> None:
    case = Case()
    sid = case.source("someone", SourceKind.ANONYMOUS)
    cid = case.claim(sid)
    s = case.score()[1][cid]
    assert (s.probability, s.credibility, s.logodds) == (0.5, 6, 0.0)


def test_contradicted_claim_gets_five() -> None:
    case = Case()
    a = case.claim(case.source("Blogger", SourceKind.PERSON), content="the bridge collapsed")
    for i in range(2):
        sid = case.source(f"Agency {i}", SourceKind.MEDIA, prior=0.9)
        d = case.claim(sid, content="the bridge collapsed", stance=Stance.DENIES)
        case.link(a, d, Relation.CONTRADICTS)
    s = case.score()[1][a]
    assert s.probability < 0.1
    assert s.credibility == 5
    assert math.isclose(s.logodds, logit(0.6) - 2 * logit(0.9))


def _sum_rows(scores: Sequence[ClaimScore]) -> list[float]:
    return [sum(r.weight for r in s.contributions) for s in scores]


def test_impersonal_claims_count_in_the_outlets_track_record() -> None:
    case = Case()
    planet = case.source("The Daily Planet", SourceKind.MEDIA, prior=0.7)
    c = case.claim(None, content="the mayor resigned", cue="reportedly", outlet="Daily Planet")
    d = case.claim(None, content="the mayor resigned", cue="reportedly", outlet="Daily Planet")
    case.link(c, d, Relation.REPEATS)
    case.set_verdict(c, Verdict.FALSE)
    src = case.score()[0]
    assert (src[planet].confirmed, src[planet].refuted) == (0, 1)
    assert src[planet].reliability == pytest.approx((0.7 * 6) / 7)


def test_unattributed_reports_count_with_partial_dependence() -> None:
    case = Case()
    target = case.claim(None, cue=None)
    for i in range(3):
        case.source(f"Outlet {i}", SourceKind.MEDIA, prior=0.8)
        c = case.claim(None, cue="reported", outlet=f"Outlet {i}")
        case.link(target, c, Relation.CORROBORATES)
    s = case.score()[1][target]
    weights = [r.weight for r in s.contributions[2:]]
    assert weights == pytest.approx([logit(0.8), logit(0.8) / 2, logit(0.8) / 4])
    assert "may share a source" not in s.contributions[2].label
    assert "counted x0.5" in s.contributions[3].label


def test_one_outlets_own_assertions_are_one_group() -> None:
    case = Case()
    case.source("Defense News", SourceKind.MEDIA, prior=0.8)
    a = case.claim(None, content="Russia moved assets to Libya", cue=None, outlet="Defense News")
    b = case.claim(None, content="Russian flights to Libya rose", cue=None, outlet="Defense News")
    c = case.claim(None, content="Russia moved assets to Libya", cue=None, outlet="Other Daily")
    case.link(a, b, Relation.CORROBORATES)
    case.link(a, c, Relation.CORROBORATES)
    scores = case.score()[1]
    assert scores[a].probability == scores[b].probability
    assert [r.group for r in scores[a].contributions] == [None, "g1", "g1", "g3"]
    assert scores[a].contributions[2].label == (
        "+0 1 more claim from Defense News (same origin, counted once)"
    )
