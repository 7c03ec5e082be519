"""Claim credibility: evidence log-odds over independence groups (docs/scoring.md).

For a claim X in group G: ``L = logit(prior) + w(G) + sum_H s(G,H) * c(G,H) * w(H)``
over the groups H linked to G (s = +1 corroborates, -1 contradicts, c = link
confidence), ``P = sigmoid(L)``. ``w(G)`` is the weight of the group's original
report (or its strongest member): repeats add nothing. Every term is a
Contribution row and the rows sum to ``L``. The credibility number (1-6) reads
the structure of the evidence (independent groups, on the record or not,
contradiction), not the source's reliability.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claimtrack.models import (
    CaseClaim,
    ClaimScore,
    Contribution,
    Link,
    Relation,
    SourceKind,
    SourceRecord,
    SourceScore,
    Stance,
    Verdict,
)
from claimtrack.scoring.config import DEFAULT_CONFIG, ScoringConfig
from claimtrack.scoring.graph import (
    CaseGraph,
    build_graph,
    dependents,
    no_gc,
    norm_name,
    resolve_links,
)
from claimtrack.scoring.records import constructor
from claimtrack.scoring.sources import curated_prior, outlet_ids, table_prior
from claimtrack.scoring.text import (
    actor_tokens,
    admission_kind,
    content_tokens,
    declined_to_comment,
    hedge_factor,
    mentions,
)

_ANON = SourceKind.ANONYMOUS
_UNKNOWN = SourceKind.UNKNOWN
_MEDIA = SourceKind.MEDIA
_ASSERTS = Stance.ASSERTS
_DENIES = Stance.DENIES
_CONTRADICTS = Relation.CONTRADICTS
_TRUE = Verdict.TRUE
_FALSE = Verdict.FALSE
_RESOLVED = (Verdict.TRUE, Verdict.FALSE)
_contribution = constructor(Contribution)
_claim_score = constructor(ClaimScore)


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _fmt(w: float) -> str:
    return f"{w:+.2f}".replace("-", "\u2212")


@dataclass(slots=True)
class ClaimWeight:
    """What one claim says for its own statement, before it meets any other claim."""

    claim_id: int
    weight: float  # log-odds, >= 0 except for analyst verdicts
    label: str
    anonymous: bool  # not on the record (anonymous or impersonal)
    on_record: bool
    interested: bool = False
    relayed: bool = False


@dataclass(slots=True)
class GroupWeight:
    group: int
    rep: int
    weight: float
    label: str
    anonymous: bool
    on_record: bool
    interested: bool
    echoes: int  # other members of the group
    echo_label: str


class _Model:
    """Per-case caches shared by every claim scored in one call."""

    def __init__(
        self,
        graph: CaseGraph,
        source_scores: Mapping[int, SourceScore],
        sources: Sequence[SourceRecord],
        config: ScoringConfig,
        outlets: Mapping[str, int] | None = None,
    ) -> None:
        self.g = graph
        self.scores = source_scores
        self.cfg = config
        self.records = {s.id: s for s in sources}
        self.by_name = outlet_ids(sources) if outlets is None else outlets
        self.cap = config.reliability_cap
        self._tokens: dict[int, frozenset[str]] = {}
        self._hedge: dict[tuple[str | None, bool, tuple[str, ...]], tuple[float, str | None]] = {}
        self._actor: dict[tuple[str | None, ...], frozenset[str]] = {}
        self._adm: dict[str | None, int] = {}
        self._evidence: dict[tuple[int, int, float], tuple[float, str, str, bool, bool]] = {}
        self._rows: dict[tuple[tuple[int, int, float], float], Contribution] = {}
        self.prior_row = Contribution(
            label=f"prior: a reported claim is true with P = {config.claim_prior:g}",
            weight=logit(config.claim_prior),
            group=None,
        )
        self._claim_w: dict[int, ClaimWeight] = {}
        self._group_w: dict[int, GroupWeight] = {}
        self._kind_mean = {k: a / (a + b) for k, (a, b) in config.kind_priors.items()}

    # -- reliability lookups ------------------------------------------------
    def _clip(self, r: float) -> float:
        return min(max(r, 1.0 - self.cap), self.cap)

    def kind_mean(self, kind: str) -> float:
        m = self._kind_mean.get(kind)
        if m is None:
            a, b = self.cfg.kind_prior(kind)
            m = a / (a + b)
        return m

    def source_r(self, source_id: int | None, kind: SourceKind) -> float:
        if source_id is not None:
            sc = self.scores.get(source_id)
            if sc is not None:
                return sc.reliability
            rec = self.records.get(source_id)
            if rec is not None:
                found = curated_prior(rec, self.cfg)
                if found is not None:
                    return self._clip(found[0])
                kind = rec.kind
        return self._clip(self.kind_mean(kind))

    def outlet_r(self, name: str | None) -> float:
        key = norm_name(name)
        if key is None:
            return self.kind_mean("unknown")
        sid = self.by_name.get(key)
        if sid is not None:
            rec = self.records[sid]
            return self.source_r(sid, rec.kind)
        found = table_prior(name, SourceKind.MEDIA, self.cfg)
        if found is not None:
            return self._clip(found[0])
        return self._clip(self.kind_mean("media"))

    def actor(self, *names: str | None) -> frozenset[str]:
        a = self._actor.get(names)
        if a is None:
            a = self._actor[names] = actor_tokens(*names)
        return a

    def tokens(self, cid: int) -> frozenset[str]:
        t = self._tokens.get(cid)
        if t is None:
            t = self._tokens[cid] = content_tokens(self.g.claims[cid].content)
        return t

    # -- one claim ----------------------------------------------------------
    def claim_weight(self, cid: int) -> ClaimWeight:
        cw = self._claim_w.get(cid)
        if cw is None:
            cw = self._claim_w[cid] = self._compute_claim_weight(self.g.claims[cid])
        return cw

    def relayed(self, cid: int) -> bool:
        """``claim_weight(cid).relayed``, without computing the weight."""
        cw = self._claim_w.get(cid)
        if cw is not None:
            return cw.relayed
        c = self.g.claims[cid]
        if c.verdict is _TRUE or c.verdict is _FALSE or declined_to_comment(c.cue, c.content):
            return False  # as _compute_claim_weight: those return before the relay test
        kind = c.source_kind
        rec = self.records.get(c.source_id) if c.source_id is not None else None
        if rec is not None and c.source_kind == _UNKNOWN:
            kind = rec.kind
        return _relayed(c, kind, c.speaker or (rec.name if rec else None))

    def _compute_claim_weight(self, c: CaseClaim) -> ClaimWeight:
        cfg = self.cfg
        kind = c.source_kind
        rec = self.records.get(c.source_id) if c.source_id is not None else None
        if rec is not None and c.source_kind == _UNKNOWN:
            kind = rec.kind
        speaker = c.speaker or (rec.name if rec else None)
        anonymous = kind == _ANON
        impersonal = speaker is None and not anonymous
        on_record = not anonymous and not impersonal and kind != _UNKNOWN
        if c.verdict is _TRUE or c.verdict is _FALSE:
            p = (
                cfg.verdict_true_probability
                if c.verdict is _TRUE
                else cfg.verdict_false_probability
            )
            return ClaimWeight(
                c.id,
                logit(p),
                f"claim #{c.id} marked {c.verdict.value} by the analyst",
                anonymous=False,
                on_record=True,
            )
        who = speaker or "unnamed source"
        if declined_to_comment(c.cue, c.content):
            return ClaimWeight(
                c.id,
                0.0,
                f"{who} declined to comment (recorded, weighs nothing)",
                anonymous,
                on_record,
            )
        factor = 1.0
        notes: list[str] = []
        vouch = c.cited or c.outlet
        if anonymous:
            r = self.outlet_r(vouch)
            factor *= cfg.anonymity_shrink
            label = f"{vouch}-sourced report, via anonymous {who}" if vouch else f"anonymous {who}"
        elif impersonal:
            r = self.outlet_r(vouch)
            label = f"{vouch} report" if vouch else "unattributed report"
        else:
            r = self.source_r(c.source_id, kind)
            label = who if kind == _UNKNOWN else f"{who} ({kind.value})"
        relayed = _relayed(c, kind, speaker)
        if relayed:
            factor *= cfg.relay_shrink
            notes.append(f"relayed by {c.outlet}")
        hkey = (c.cue, c.hedged, c.hedges)
        hf = self._hedge.get(hkey)
        if hf is None:
            hf = self._hedge[hkey] = hedge_factor(c.cue, c.hedged, c.hedges, cfg)
        h, hword = hf
        if h < 1.0:
            factor *= h
            notes.append(f"hedged: {hword!r} x{h:g}")
        # interested parties
        actor = self.actor(speaker, c.affiliation, rec.affiliation if rec else None)
        interested = False
        admission = False
        adm = 0
        if c.stance is _ASSERTS:
            adm = self._adm.get(c.cue, -1)
            if adm < 0:
                adm = self._adm[c.cue] = admission_kind(c.cue, cfg)
        if actor:
            linked = self.g.neighbours.get(c.id, ())
            opposed = [o for o, rel in linked if rel is _CONTRADICTS]
            if c.stance is _DENIES or opposed:
                interested = mentions(actor, self.tokens(c.id)) or any(
                    mentions(actor, self.tokens(o)) for o in opposed
                )
            if not interested and adm == 2:
                admission = mentions(actor, self.tokens(c.id)) or any(
                    mentions(actor, self.tokens(o)) for o, _ in linked
                )
        if adm == 1 and not interested:
            admission = True
        if interested:
            factor *= cfg.interested_denial_shrink
            notes.append("denial by an interested party")
        r_eff = self._clip(0.5 + (r - 0.5) * factor)
        if admission:
            r_eff = max(r_eff, cfg.admission_reliability)
            notes.append("admission against interest")
        w = logit(r_eff) if r_eff > 0.5 else 0.0
        if r_eff <= 0.5 and r < 0.5:
            notes.append("source below 1/2 gives nothing")
        if notes:
            label = f"{label}; {', '.join(notes)}"
        return ClaimWeight(c.id, w, label, anonymous or impersonal, on_record, interested, relayed)

    # -- one group ----------------------------------------------------------
    def group_weight(self, gid: int) -> GroupWeight:
        gw = self._group_w.get(gid)
        if gw is None:
            gw = self._group_w[gid] = self._compute_group_weight(gid)
        return gw

    def _compute_group_weight(self, gid: int) -> GroupWeight:
        ms = self.g.members[gid]
        claims = self.g.claims
        # only the representative's weight is computed (the others' would go unread)
        chosen = next((m for m in ms if claims[m].verdict in _RESOLVED), None)
        if chosen is None and gid in self.g.origin_claims:
            chosen = self.g.origin_claims[gid]
        if chosen is None:
            # the first report in the case that is not itself relayed, else the first:
            # echoes added later never change the group's weight
            chosen = next((m for m in ms if not self.relayed(m)), ms[0])
        rep = self.claim_weight(chosen)
        echoes = len(ms) - 1
        echo_label = ""
        if echoes:
            outlets = sorted({self.g.claims[m].outlet or f"#{m}" for m in ms if m != rep.claim_id})
            head = self.g.claims[rep.claim_id]
            origin = head.cited or head.speaker or head.outlet or f"claim #{rep.claim_id}"
            noun = "outlet" if len(outlets) == 1 else "outlets"
            if outlets == [head.outlet]:
                more = "claim" if echoes == 1 else "claims"
                echo_label = f"{echoes} more {more} from {origin} (same origin, counted once)"
            else:
                echo_label = (
                    f"{len(outlets)} {noun} repeating {origin} ({echoes} claims, counted once)"
                )
        return GroupWeight(
            gid,
            rep.claim_id,
            rep.weight,
            rep.label,
            rep.anonymous,
            rep.on_record,
            rep.interested,
            echoes,
            echo_label,
        )


def _relayed(c: CaseClaim, kind: SourceKind, speaker: str | None) -> bool:
    """The report reaches us through another outlet: it cites a report of an outlet
    other than the publisher, or the speaker is an outlet other than the publisher."""
    return bool(
        c.cited
        and c.outlet
        and norm_name(c.cited) != norm_name(c.outlet)
        or (kind == _MEDIA and c.outlet and speaker and norm_name(speaker) != norm_name(c.outlet))
    )


_REL_WORD = {1: "corroborated by", -1: "contradicted by"}


def _score_group(
    model: _Model, gid: int
) -> tuple[list[Contribution], list[tuple[float, bool, bool]]]:
    """Evidence rows for group ``gid`` and, per evidence group, (weight, on_record, anon)."""
    cfg = model.cfg
    own = model.group_weight(gid)
    tag = f"g{gid}"
    scale = cfg.link_confidence_scaling
    # [weight, cache key, group tag, anonymous, on_record, dependence factor]
    ev: list[list[Any]] = [[own.weight, None, tag, own.anonymous, own.on_record, 1.0]]
    seen = model._evidence
    for h, sign, conf, _pair in model.g.group_neighbours(gid):
        key = (h, sign, conf)
        got = seen.get(key)
        if got is None:
            hw = model.group_weight(h)
            w = sign * hw.weight
            if scale:
                w *= conf
            word = _REL_WORD[sign]
            if sign < 0 and hw.interested:
                word = "denied by"
            label = f"{word} {hw.label}"
            if scale and conf < 1.0:
                label += f" (link confidence {conf:.2f})"
            if hw.echoes:
                label += f"; {hw.echo_label}"
            got = seen[key] = (w, label, f"g{h}", hw.anonymous, hw.on_record)
        ev.append([got[0], key, got[2], got[3], got[4], 1.0])
    # groups not on the record, on one side, may share a source: partial dependence
    dep = cfg.anonymous_dependence
    if sum(1 for e in ev if e[3]) > 1:
        for side in (1, -1):
            idx = [i for i, e in enumerate(ev) if e[3] and e[0] * side > 0]
            idx.sort(key=lambda i: (-abs(ev[i][0]), ev[i][2]))
            for k, i in enumerate(idx[1:], start=1):
                ev[i][5] = dep**k
    rows = [model.prior_row]
    facts = []
    made = model._rows
    for w, key, t, anon, rec, f in ev:
        cached = None if key is None else made.get((key, f))
        if cached is not None:
            row = cached
        elif key is None:
            row = _row(w * f, f"{own.label} (this report)", t, f)
        else:
            row = made[(key, f)] = _row(w * f, seen[key][1], t, f)
        rows.append(row)
        if key is None and own.echoes:
            rows.append(_contribution(f"+0 {own.echo_label}", 0.0, t))
        facts.append((row.weight, rec, anon))
    return rows, facts


def _row(w: float, label: str, tag: str, f: float) -> Contribution:
    if f != 1.0:
        label = f"{label} (counted x{f:g}: unnamed or unattributed, may share a source)"
    return _contribution(f"{_fmt(w)} {label}", w, tag)  # type: ignore[no-any-return]


def _credibility(p: float, facts: list[tuple[float, bool, bool]], cfg: ScoringConfig) -> int:
    if not any(abs(w) >= cfg.min_weight for w, _r, _a in facts):
        return 6
    on = sum(1 for w, rec, _a in facts if w >= cfg.min_weight and rec)
    off = sum(1 for w, rec, _a in facts if w >= cfg.min_weight and not rec)
    independent = on + min(off, 1)
    serious = any(w <= -cfg.serious_weight for w, _r, _a in facts)
    if p >= cfg.p_confirmed and independent >= 2 and on >= 1 and not serious:
        return 1
    if p >= cfg.p_probable and (independent >= 2 or on >= 1):
        return 2
    if p >= cfg.p_possible:
        return 3
    if serious and p < cfg.p_improbable:
        return 5
    return 4


def score_claims(
    claims: Sequence[CaseClaim],
    links: Iterable[Link],
    source_scores: Mapping[int, SourceScore],
    config: ScoringConfig = DEFAULT_CONFIG,
    *,
    sources: Sequence[SourceRecord] = (),
    only: Iterable[int] | None = None,
    graph: CaseGraph | None = None,
    outlets: Mapping[str, int] | None = None,
) -> dict[int, ClaimScore]:
    """Score every claim (or those in ``only``), deterministic, keyed by claim id.

    ``source_scores`` come from :func:`score_sources`; ``sources`` let an anonymous
    or impersonal claim borrow its outlet's reliability (matched by name);
    ``outlets`` is ``sources.outlet_ids(sources)`` when the caller already has it
    (a case scored in parts).
    """
    with no_gc():
        g = graph if graph is not None else build_graph(claims, links, config)
        return _score_claims(g, source_scores, sources, config, only, outlets)


def _score_claims(
    g: CaseGraph,
    source_scores: Mapping[int, SourceScore],
    sources: Sequence[SourceRecord],
    config: ScoringConfig,
    only: Iterable[int] | None,
    outlets: Mapping[str, int] | None = None,
) -> dict[int, ClaimScore]:
    model = _Model(g, source_scores, sources, config, outlets)
    wanted = sorted(g.claims) if only is None else sorted(set(only) & g.claims.keys())
    by_group: dict[int, list[int]] = {}
    for cid in wanted:
        by_group.setdefault(g.group_of[cid], []).append(cid)
    out: dict[int, ClaimScore] = {}
    for gid in sorted(by_group):
        rows, facts = _score_group(model, gid)
        base = sum(r.weight for r in rows)
        loo = [sigmoid(base - w) for w, _r, _a in facts if w != 0.0]
        p_base = sigmoid(base)
        number = _credibility(p_base, facts, config)
        for cid in by_group[gid]:
            c = g.claims[cid]
            if c.verdict in _RESOLVED:
                target = logit(
                    config.verdict_true_probability
                    if c.verdict == Verdict.TRUE
                    else config.verdict_false_probability
                )
                fix = target - base
                vrows = rows + [
                    Contribution(
                        label=f"{_fmt(fix)} analyst verdict: {c.verdict.value} "
                        "(overrides the evidence)",
                        weight=fix,
                        group="verdict",
                    )
                ]
                lo = sum(r.weight for r in vrows)
                p = sigmoid(lo)
                out[cid] = ClaimScore(
                    claim_id=cid,
                    probability=p,
                    credibility=1 if c.verdict == Verdict.TRUE else 5,
                    logodds=lo,
                    low=p,
                    high=p,
                    contributions=tuple(vrows),
                )
                continue
            extra: list[Contribution] = []
            if c.verdict == Verdict.UNVERIFIED:
                extra.append(
                    Contribution(
                        label="+0 analyst verdict: unverified (the evidence stands)",
                        weight=0.0,
                        group="verdict",
                    )
                )
            crow = tuple(rows + extra)
            # the values of every field, in order (no validation: P and the range are
            # sigmoids, the number is 1-6)
            out[cid] = _claim_score(
                cid, p_base, number, base, min([p_base, *loo]), max([p_base, *loo]), crow
            )
    return out


def affected_claims(
    changed_claim_ids: Iterable[int],
    links: Iterable[Link],
    claims: Sequence[CaseClaim] | None = None,
    config: ScoringConfig = DEFAULT_CONFIG,
    *,
    graph: CaseGraph | None = None,
) -> set[int]:
    """The claims to rescore after ``changed_claim_ids`` (new or edited claims, ends of
    new or changed links) changed: those whose evidence reads one of them.

    A claim's weight reads its own fields and the claims linked to it; a group's
    weight its members (its representative's weight); a claim's score its group's
    weight and edges and the adjacent groups' weights. A change at claim s (its
    fields, or a link at s, or s new or gone: then pass what it was linked to)
    changes the weights of s and of the claims linked to s, the membership of
    their groups (a group that splits leaves each part with one of them) and the
    edges of those groups: so the members of the groups of s and of its linked
    claims (in the graph after the change), and of the groups adjacent to those.

    Without ``claims`` (or a ``graph``) the answer is the connected components of
    the link graph that contain a changed claim (a superset).
    """
    changed = set(changed_claim_ids)
    if graph is None and claims is None:
        return _components(changed, links)
    g = graph if graph is not None else build_graph(claims or (), links, config)
    return dependents(g, changed) | (changed - g.claims.keys())


def _components(changed: set[int], links: Iterable[Link]) -> set[int]:
    adj: dict[int, list[int]] = {}
    for a, b in resolve_links(links):
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    seen = set(changed)
    stack = sorted(changed)
    while stack:
        x = stack.pop()
        for y in adj.get(x, ()):
            if y not in seen:
                seen.add(y)
                stack.append(y)
    return seen
