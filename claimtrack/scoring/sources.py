"""Source reliability: a Beta prior updated only by propositions the analyst resolved.

r = (a + k) / (a + b + n) for k confirmed and n - k refuted propositions, where
(a, b) comes from the source's curated prior (outlet table or analyst), else its
kind. A proposition is a claim the analyst marked true or false together with
the claims linked to it (its independence group agrees with it, corroborating
groups agree, contradicting groups disagree). A source's own claims, their
echoes and machine corroboration never move r: only verdicts do.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from claimtrack.models import (
    CaseClaim,
    Contribution,
    Link,
    SourceKind,
    SourceRecord,
    SourceScore,
    Verdict,
)
from claimtrack.scoring.config import DEFAULT_CONFIG, ScoringConfig
from claimtrack.scoring.graph import CaseGraph, build_graph, no_gc, norm_name
from claimtrack.scoring.records import constructor
from claimtrack.scoring.text import declined_to_comment

LETTERS = "ABCDE"
_contribution = constructor(Contribution)
_source_score = constructor(SourceScore)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def table_prior(
    name: str | None, kind: SourceKind, config: ScoringConfig
) -> tuple[float, str] | None:
    """The built-in outlet table's prior for a source named ``name`` (claimtrack.sources),
    when ``use_outlet_table`` and the table rates it."""
    if not name or not config.use_outlet_table:
        return None
    from claimtrack.sources import default_table

    entry = default_table().lookup(name)
    if entry is None or entry.prior is None:
        return None
    if kind not in (entry.kind, SourceKind.UNKNOWN):
        return None
    return entry.prior, f"outlet table: {entry.prior_reason or entry.name}"


def curated_prior(s: SourceRecord, config: ScoringConfig) -> tuple[float, str] | None:
    """(prior, reason) set on the source (analyst or machine), else from the outlet table."""
    if s.prior is not None:
        return s.prior, s.prior_reason or "curated prior"
    return table_prior(s.name, s.kind, config)


def outlet_ids(sources: Sequence[SourceRecord]) -> dict[str, int]:
    """Normalised name -> source id (media sources first, then the lowest id)."""
    out: dict[str, int] = {}
    for s in sorted(sources, key=lambda r: (r.kind != SourceKind.MEDIA, r.id)):
        key = norm_name(s.name)
        if key and key not in out:
            out[key] = s.id
    return out


def credited_source(c: CaseClaim, outlets: dict[str, int]) -> int | None:
    """Whose track record a claim counts in: its source, or for an impersonal claim
    (no speaker: the article's own "reportedly") the outlet that published it."""
    return credited_of(c.source_id, c.speaker, c.source_kind, c.outlet, outlets)


def credited_of(
    source_id: int | None,
    speaker: str | None,
    kind: SourceKind,
    outlet: str | None,
    outlets: dict[str, int],
) -> int | None:
    """``credited_source`` from a claim's fields (for callers that hold no CaseClaim)."""
    if source_id is not None:
        return source_id
    if speaker is None and kind != SourceKind.ANONYMOUS:
        key = norm_name(outlet)
        if key is not None:
            return outlets.get(key)
    return None


def track_records(
    graph: CaseGraph,
    config: ScoringConfig,
    outlets: dict[str, int] | None = None,
    only: Iterable[int] | None = None,
) -> dict[int, list[tuple[int, bool, str]]]:
    """source id -> [(resolved claim id, confirmed?, what)] in claim-id order, once per
    proposition (a source that said the same thing three times counts once).

    ``only``: the records of these resolved claims alone (whole independence groups
    of them: a case's records can be gathered a set of groups at a time)."""
    outlets = outlets or {}
    seen: set[tuple[int, int]] = set()
    out: dict[int, list[tuple[int, bool, str]]] = {}
    pool = graph.claims if only is None else [c for c in only if c in graph.claims]
    resolved = sorted(
        cid for cid in pool if graph.claims[cid].verdict in (Verdict.TRUE, Verdict.FALSE)
    )
    for rid in resolved:
        r = graph.claims[rid]
        truth = r.verdict == Verdict.TRUE
        g0 = graph.group_of[rid]
        sides = [(g0, 1)] + [(h, s) for h, s, _c, _p in graph.group_neighbours(g0)]
        for gid, sign in sides:
            for cid in graph.members[gid]:
                c = graph.claims[cid]
                sid = credited_source(c, outlets)
                if sid is None:
                    continue
                if c.hedged and not config.track_hedged:
                    continue
                if declined_to_comment(c.cue, c.content):
                    continue
                key = (sid, g0)
                if key in seen:
                    continue
                seen.add(key)
                right = truth if sign > 0 else not truth
                what = f"claim #{rid} \u201c{_short(r.content)}\u201d marked {'true' if truth else 'false'}"
                if cid != rid:
                    rel = "repeated" if gid == g0 else ("agreed with" if sign > 0 else "disputed")
                    what = f"{rel} {what} (its claim #{cid})"
                out.setdefault(sid, []).append((rid, right, what))
    return out


def letter_for(r: float, record: int, curated: bool, config: ScoringConfig) -> str:
    """A-E from r and the track record; F when it cannot be judged (no record, no curated prior)."""
    if record == 0 and not curated:
        return "F"
    letter = "E"
    for grade, threshold in zip(LETTERS, config.letter_thresholds, strict=False):
        if r >= threshold:
            letter = grade
            break
    if letter == "A" and record < config.letter_a_min_record:
        letter = "B"
    if record == 0 and letter < config.letter_max_without_record:
        letter = config.letter_max_without_record
    return letter


def score_sources(
    sources: Sequence[SourceRecord],
    claims: Sequence[CaseClaim],
    links: Iterable[Link],
    config: ScoringConfig = DEFAULT_CONFIG,
    *,
    graph: CaseGraph | None = None,
    records: Mapping[int, Sequence[tuple[int, bool, str]]] | None = None,
) -> dict[int, SourceScore]:
    """Reliability of every source, keyed by source id (deterministic).

    ``records``: the sources' track records (``track_records``) when the caller
    gathered them already (then ``claims``, ``links`` and ``graph`` are not read)."""
    with no_gc():
        if records is None:
            g = graph if graph is not None else build_graph(claims, links, config)
            records = track_records(g, config, outlet_ids(sources))
        return _score_sources(sources, records, config)


def _score_sources(
    sources: Sequence[SourceRecord],
    records: Mapping[int, Sequence[tuple[int, bool, str]]],
    config: ScoringConfig,
) -> dict[int, SourceScore]:
    cap = config.reliability_cap
    out: dict[int, SourceScore] = {}
    for s in sorted(sources, key=lambda r: r.id):
        found = curated_prior(s, config)
        curated = found is not None
        if found is not None:
            p0 = min(max(found[0], 1.0 - cap), cap)
            a = p0 * config.table_prior_strength
            b = (1.0 - p0) * config.table_prior_strength
            label = f"prior {p0:.2f}: {found[1]}"
        else:
            a, b = config.kind_prior(s.kind.value)
            label = f"prior Beta({a:g}, {b:g}) for a {s.kind.value} source"
        prev = _logit(a / (a + b))
        rows = [_contribution(label, prev, "prior")]
        confirmed = refuted = 0
        for _rid, right, what in records.get(s.id, ()):
            if right:
                a += config.track_record_weight
                confirmed += 1
            else:
                b += config.track_record_weight
                refuted += 1
            cur = _logit(a / (a + b))
            rows.append(
                _contribution(
                    f"{'confirmed' if right else 'refuted'}: {what}", cur - prev, "record"
                )
            )
            prev = cur
        r = a / (a + b)
        clipped = min(max(r, 1.0 - cap), cap)
        if clipped != r:
            rows.append(
                Contribution(
                    label=f"capped at {clipped:g}", weight=_logit(clipped) - prev, group="cap"
                )
            )
        # the values of every field, in order (no validation: r is clipped to [0, 1])
        out[s.id] = _source_score(
            s.id,
            clipped,
            letter_for(clipped, confirmed + refuted, curated, config),
            confirmed,
            refuted,
            tuple(rows),
        )
    return out
