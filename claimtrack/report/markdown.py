"""The Markdown credibility report: a pure function of ``ReportData``.

The output is CommonMark with GFM pipe tables, one line per table row, every
piece of data escaped (``claimtrack.report.escape``), long text truncated in
tables and given in full in the claim lists. Same data, same bytes: no clock,
no locale, totally ordered everything, fixed number formats.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from claimtrack.models import Stance, Verdict
from claimtrack.report.data import ReportArticle, ReportClaim, ReportData, ReportSource
from claimtrack.report.escape import cell, heading, inline, truncate, url
from claimtrack.report.grouping import Grouping, Proposition, claim_order_key, group

TEXT_WIDTH = 60  # claim text in tables
NAME_WIDTH = 30  # names in tables
TITLE_WIDTH = 44  # article titles in tables
HEADING_WIDTH = 90
CONTESTED_ROWS = 10

CREDIBILITY_MEANINGS: Mapping[int, tuple[str, str]] = {
    1: (
        "confirmed",
        "P ≥ p_confirmed, two or more independent supporting groups, one on the record, "
        "no serious contradiction",
    ),
    2: ("probably true", "P ≥ p_probable, with independent support or an on-the-record source"),
    3: ("possibly true", "P ≥ p_possible"),
    4: ("doubtful", "P below p_possible, not both seriously contradicted and improbable"),
    5: ("improbable", "seriously contradicted and P below p_improbable"),
    6: ("cannot be judged", "no evidence weighs anything (|weight| below min_weight)"),
}
RELIABILITY_MEANINGS: Mapping[str, tuple[str, str]] = {
    "A": (
        "completely reliable",
        "reliability ≥ the first letter threshold, with a track record of letter_a_min_record",
    ),
    "B": ("usually reliable", "reliability ≥ the second threshold (best a curated prior gives)"),
    "C": ("fairly reliable", "reliability ≥ the third threshold"),
    "D": ("not usually reliable", "reliability ≥ the fourth threshold"),
    "E": ("unreliable", "reliability below every threshold"),
    "F": (
        "cannot be judged",
        "no track record and no curated prior (every new source starts here)",
    ),
}
VERDICT_NAMES: Mapping[Verdict, str] = {
    Verdict.TRUE: "True",
    Verdict.FALSE: "False",
    Verdict.UNVERIFIED: "Unverified",
}

METHOD_TEXT = """\
Every claim gets two grades, computed apart (the Admiralty scale): the
reliability of its **source** (a letter, A–F) and the credibility of the
**information** (a number, 1–6); the report never collapses them into one.

- **Source reliability** is the probability that a claim the source asserts is
  true: a prior from the kind of source (or a curated outlet table, or the
  analyst's override), updated only by propositions the analyst has resolved
  (the track record: confirmed / refuted), never by the source's own echoes.
  The letter follows from that probability and the amount of track record:
  F while there is neither a track record nor a curated prior.
- **Evidence for a proposition** is added in log-odds. Each claim weighs the
  log-odds of its source's effective reliability, shrunk toward one half for
  anonymity, hedging ("reportedly", "allegedly", "may") and relaying, with the
  sign of its stance; a source below one half gives nothing, not inverse truth.
  A denial by an interested party weighs almost nothing.
- **Independence groups**: claims that repeat one original report (linked as
  repeats, or "citing" it) form one group and count once, so circular
  reporting cannot pass for confirmation.
- The **probability** is the logistic of the prior plus the group weights; its
  **range** is the lowest and highest probability obtained by leaving out each
  independence group in turn.
- The **credibility number** comes from the structure of the evidence, not from
  the probability alone: 1 needs two or more independent supporting groups, one
  on the record, and no serious contradiction; 5 needs independent
  contradiction; 6 means nothing scorable exists.
- **Analyst verdicts win**: a claim marked false or true is graded by the
  verdict, and the verdict updates its sources' track records.

Claims are grouped by proposition: claims joined by corroborates or repeats
links form one proposition; a claim that only contradicts is listed under what
it contradicts. The source chain runs from the original report to its echoes."""


# --------------------------------------------------------------------------
# small formatting helpers
# --------------------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:.2f}"


def _table(header: Sequence[str], align: str, rows: Iterable[Sequence[str]]) -> list[str]:
    """A GFM pipe table; ``align`` has one of l/r/c per column."""
    if len(align) != len(header):
        raise ValueError("one alignment per column")
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


class _View:
    """Indexes over the data shared by the sections."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.articles: dict[int, ReportArticle] = {a.id: a for a in data.articles}
        self.sources: dict[int, ReportSource] = {s.id: s for s in data.sources}
        self.claims: dict[int, ReportClaim] = {c.id: c for c in data.claims}
        self.ordered: list[ReportClaim] = sorted(
            data.claims, key=lambda c: claim_order_key(c, self.articles)
        )
        self.selected: list[ReportClaim] = [c for c in self.ordered if c.selected]
        self.grouping: Grouping = group(data)
        self._article_lines: dict[int, str] = {}
        self.claim_counts: Counter[int] = Counter(
            c.source_id for c in self.selected if c.source_id is not None
        )

    def is_contested(self, cid: int) -> bool:
        """Directly contradicted, and a member of a proposition (not a mere attached denial)."""
        if not self.grouping.contradicted_by.get(cid):
            return False
        return any(
            cid in self.grouping.propositions[n - 1].members
            for n in self.grouping.by_claim.get(cid, ())
        )

    def source_name(self, claim: ReportClaim) -> str:
        src = self.sources.get(claim.source_id) if claim.source_id is not None else None
        if src is not None:
            return src.name
        return claim.speaker or claim.source_text or "unattributed"

    def cited_name(self, claim: ReportClaim) -> str | None:
        if claim.cited_source_id is None or claim.cited_source_id == claim.source_id:
            return None
        src = self.sources.get(claim.cited_source_id)
        return src.name if src is not None else None

    def source_label(self, claim: ReportClaim, width: int | None = None) -> str:
        """Who said it, as plain text: "Name", "Name (citing Reuters)", "Name (denies)".

        With ``width``, the names are shortened but "citing" and "denies" always show.
        """
        label = self.source_name(claim)
        extras = []
        cited = self.cited_name(claim)
        if cited:
            extras.append(f"citing {cited if width is None else truncate(cited, width // 2)}")
        if claim.stance == Stance.DENIES:
            extras.append("denies")
        if width is not None:
            label = truncate(label, width)
        return f"{label} ({', '.join(extras)})" if extras else label

    def letter(self, claim: ReportClaim) -> str:
        src = self.sources.get(claim.source_id) if claim.source_id is not None else None
        if src is None or src.score is None:
            return "—"
        return src.score.letter

    def article_line(self, art: ReportArticle) -> str:
        """The sub-item naming a claim's article: title, outlet, date, address."""
        line = self._article_lines.get(art.id)
        if line is None:
            title = f"“{inline(art.title)}”" if art.title else "untitled article"
            outlet = inline(art.outlet) if art.outlet else "unknown outlet"
            address = url(art.url) if art.url else (inline(art.path) if art.path else "no address")
            line = f"  - {title}, {outlet}, {_date(art)}, {address}"
            self._article_lines[art.id] = line
        return line

    def article(self, claim: ReportClaim) -> ReportArticle:
        return self.articles.get(claim.article_id) or ReportArticle(id=claim.article_id)


def _cred(claim: ReportClaim) -> str:
    return str(claim.score.credibility) if claim.score is not None else "—"


def _prob(claim: ReportClaim) -> str:
    s = claim.score
    if s is None:
        return "—"
    return f"{_num(s.probability)} ({_num(s.low)}–{_num(s.high)})"


def _period(articles: Iterable[ReportArticle]) -> str:
    """The span of publication dates, with how many articles have none."""
    arts = list(articles)
    dates = sorted(a.published for a in arts if a.published is not None)
    undated = len(arts) - len(dates)
    if not dates:
        return "undated" if arts else "—"
    span = dates[0].isoformat() if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    return span + (f" ({undated} undated)" if undated else "")


def _date(article: ReportArticle) -> str:
    return article.published.isoformat() if article.published else "undated"


# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------


def _header(v: _View) -> list[str]:
    data = v.data
    lines = [f"# {heading(data.title) or 'Credibility report'}", ""]
    if data.selection:
        parts = "; ".join(f"{inline(k)} {inline(val)}" for k, val in data.selection)
        lines.append(
            f"Selection: {parts}. Claims outside the selection that corroborate, "
            "repeat or contradict a selected claim are shown as context."
        )
    else:
        lines.append("The whole case.")
    if data.rejected_claims:
        n = data.rejected_claims
        lines.append("")
        lines.append(
            f"{n} claim{'s' if n != 1 else ''} rejected by the analyst as extraction "
            f"error{'s' if n != 1 else ''} {'are' if n != 1 else 'is'} left out."
        )
    return lines


def _summary(v: _View) -> list[str]:
    sel = v.selected
    article_ids = {c.article_id for c in sel}
    contested = [c for c in sel if v.is_contested(c.id)]
    props = {n for c in sel for n in v.grouping.by_claim.get(c.id, ())}
    verdicts = [c for c in sel if c.verdict is not None]
    lines = ["## Summary", ""]
    lines += _table(
        ["What", "Count"],
        "lr",
        [
            ["Articles", str(len(article_ids))],
            ["Published", _period(v.articles[a] for a in article_ids if a in v.articles)],
            ["Claims", str(len(sel))],
            ["Sources", str(len(v.claim_counts))],
            ["Propositions", str(len(props))],
            ["Contested claims", str(len(contested))],
            ["Analyst verdicts", str(len(verdicts))],
        ],
    )

    cred = Counter(c.score.credibility if c.score is not None else 0 for c in sel)
    lines += ["", "### Credibility of the claims", ""]
    rows = [[str(n), CREDIBILITY_MEANINGS[n][0], str(cred.get(n, 0))] for n in range(1, 7)]
    if cred.get(0):
        rows.append(["—", "not scored yet", str(cred[0])])
    lines += _table(["Number", "Meaning", "Claims"], "clr", rows)

    letters: Counter[str] = Counter()
    for sid in v.claim_counts:
        src = v.sources.get(sid)
        letters[src.score.letter if src is not None and src.score is not None else "—"] += 1
    lines += ["", "### Reliability of the sources", ""]
    rows = [[k, RELIABILITY_MEANINGS[k][0], str(letters.get(k, 0))] for k in "ABCDEF"]
    if letters.get("—"):
        rows.append(["—", "not scored yet", str(letters["—"])])
    lines += _table(["Letter", "Meaning", "Sources"], "clr", rows)

    lines += ["", "### Most contested claims", ""]
    if not contested:
        lines.append("No claim is contradicted by another claim in this selection.")
        return lines

    def spread(c: ReportClaim) -> float:
        return (c.score.high - c.score.low) if c.score is not None else 0.0

    pos = {c.id: i for i, c in enumerate(v.ordered)}
    contested.sort(
        key=lambda c: (-len(v.grouping.contradicted_by[c.id]), -round(spread(c), 6), pos[c.id])
    )
    rows = []
    for c in contested[:CONTESTED_ROWS]:
        against = v.grouping.contradicted_by[c.id]
        names = ", ".join(f"#{o} {v.source_label(v.claims[o])}" for o in against)
        rows.append(
            [
                f"#{c.id}",
                cell(c.content, TEXT_WIDTH),
                cell(v.source_label(c, NAME_WIDTH)),
                _cred(c),
                _prob(c),
                cell(names, NAME_WIDTH + 10),
            ]
        )
    lines += _table(
        ["Claim", "Text", "Source", "Cred.", "Probability (range)", "Contradicted by"],
        "rllcll",
        rows,
    )
    if len(contested) > CONTESTED_ROWS:
        lines += ["", f"And {len(contested) - CONTESTED_ROWS} more contested claims."]
    return lines


def _role(v: _View, prop: Proposition, cid: int) -> str:
    if cid in prop.contradictions:
        own = [
            n
            for n in v.grouping.by_claim.get(cid, ())
            if n != prop.number and cid in v.grouping.propositions[n - 1].members
        ]
        return "contradicts" + (f" (P{own[0]})" if own else "")
    if any(chain[0].claim_id == cid for chain in prop.chains):
        return "origin"
    if cid in prop.echoes:
        return "echo"
    if cid == prop.head:
        return "claim"
    return "corroborates"


def _claim_entry(v: _View, c: ReportClaim, role: str | None = None) -> list[str]:
    """A list item with everything about one claim, text in full."""
    art = v.article(c)
    extras = []
    written = c.source_text
    if written and " ".join(written.split()).casefold() != v.source_name(c).casefold():
        extras.append(f"written “{inline(written)}”")
    cited = v.cited_name(c)
    if cited:
        extras.append(f"citing {inline(cited)}")
    if c.stance == Stance.DENIES:
        extras.append("denies")
    who = inline(v.source_name(c)) + (f" ({'; '.join(extras)})" if extras else "")
    cue = f", cue “{inline(c.cue)}”" if c.cue else ""
    head = f"- **#{c.id}**" + (f" ({role})" if role else "")
    if not c.selected:
        head += " (context, outside the selection)"
    grade = f"credibility {_cred(c)}, source {v.letter(c)}, probability {_prob(c)}"
    lines = [f"{head} {who}{cue}: “{inline(c.content)}”"]
    lines.append(f"  - {grade}")
    lines.append(v.article_line(art))
    if cited:
        chain = " → ".join(inline(x) for x in (cited, v.source_name(c), art.outlet or "?"))
        lines.append(f"  - source chain: {chain}")
    if c.verdict is not None or c.note:
        parts = []
        if c.verdict is not None:
            parts.append(f"verdict **{VERDICT_NAMES[c.verdict]}**")
        if c.note:
            parts.append(f"note: {inline(c.note)}")
        by = f" ({inline(c.reviewed_by)})" if c.reviewed_by else ""
        lines.append(f"  - analyst{by}: " + "; ".join(parts))
    return lines


def _proposition(v: _View, prop: Proposition) -> list[str]:
    head = v.claims[prop.head]
    lines = [f"### P{prop.number}. {heading(head.content, HEADING_WIDTH)}", ""]
    sources = {v.source_name(v.claims[m]) for m in prop.members}
    facts = [
        f"credibility **{_cred(head)}**"
        + (
            f" ({CREDIBILITY_MEANINGS[head.score.credibility][0]})"
            if head.score is not None
            else ""
        ),
        f"probability {_prob(head)}",
        f"{len(prop.members)} claim{'s' if len(prop.members) != 1 else ''} "
        f"from {len(sources)} source{'s' if len(sources) != 1 else ''}",
    ]
    if prop.contradictions:
        n = len(prop.contradictions)
        facts.append(f"**contested** by {n} claim{'s' if n != 1 else ''}")
    lines += ["Head claim: " + "; ".join(facts) + ".", ""]
    if head.score is not None and head.score.contributions:
        lines += [
            f"Why #{head.id} has probability {_num(head.score.probability)}: the evidence in "
            "log-odds, one row per independence group:",
            "",
        ]
        lines += [f"- {inline(row.label)}" for row in head.score.contributions]
        lines.append("")

    if prop.chains:
        lines += ["Source chain, from the origin to its echoes:", ""]
        parents: list[int] = []
        for chain in prop.chains:
            for step in chain:
                c = v.claims[step.claim_id]
                art = v.article(c)
                if step.depth == 0:
                    what = "origin"
                    parents = [c.id]
                else:
                    del parents[step.depth :]
                    what = f"repeats #{parents[-1]}"
                    parents.append(c.id)
                lines.append(
                    "  " * step.depth
                    + f"- #{c.id} {inline(v.source_label(c))}, "
                    + f"{inline(art.outlet) if art.outlet else 'unknown outlet'}, {_date(art)} "
                    + f"({what})"
                )
        lines.append("")

    roles = {cid: _role(v, prop, cid) for cid in (*prop.members, *prop.contradictions)}
    rows = []
    for cid in roles:
        c = v.claims[cid]
        art = v.article(c)
        rows.append(
            [
                f"#{c.id}",
                roles[cid],
                cell(v.source_label(c, NAME_WIDTH)),
                v.letter(c),
                _cred(c),
                _prob(c),
                cell(art.outlet, NAME_WIDTH),
                _date(art),
            ]
        )
    lines += _table(
        ["Claim", "Role", "Source", "Letter", "Cred.", "Probability (range)", "Outlet", "Date"],
        "rllcclll",
        rows,
    )
    lines += ["", "Quoted text:", ""]
    for cid, role in roles.items():
        lines += _claim_entry(v, v.claims[cid], role)
    return lines


def _is_key(v: _View, prop: Proposition) -> bool:
    if prop.size > 1:
        return True
    c = v.claims[prop.head]
    return c.verdict is not None or bool(c.note)


def _claims_sections(v: _View) -> list[str]:
    selected_ids = {c.id for c in v.selected}
    props = [
        p
        for p in v.grouping.propositions
        if selected_ids.intersection(p.members) or selected_ids.intersection(p.contradictions)
    ]
    key = [p for p in props if _is_key(v, p)]
    other = [p for p in props if not _is_key(v, p)]
    lines = ["## Key claims by proposition", ""]
    if not key:
        lines.append(
            "No claim is corroborated, repeated or contradicted by another, "
            "and none has an analyst verdict."
        )
    for i, prop in enumerate(key):
        if i:
            lines.append("")
        lines += _proposition(v, prop)
    lines += ["", "## Other claims", ""]
    if not other:
        lines.append("Every claim belongs to a key proposition.")
    else:
        lines.append("Claims that nothing else in the case corroborates, repeats or contradicts.")
        lines.append("")
        for prop in other:
            lines += _claim_entry(v, v.claims[prop.head], f"P{prop.number}")
    return lines


def _sources_section(v: _View) -> list[str]:
    lines = ["## Sources", ""]
    ids = sorted(
        v.claim_counts,
        key=lambda sid: (
            (-v.claim_counts[sid], v.sources[sid].name.casefold(), sid)
            if sid in v.sources
            else (-v.claim_counts[sid], "", sid)
        ),
    )
    unattributed = sum(1 for c in v.selected if c.source_id is None)
    if not ids:
        lines.append("No claim is attributed to a known source.")
        return lines
    rows = []
    for sid in ids:
        src = v.sources.get(sid) or ReportSource(id=sid, name=f"source {sid}")
        score = src.score
        rows.append(
            [
                cell(src.name, NAME_WIDTH),
                src.kind.value,
                cell(src.affiliation, NAME_WIDTH),
                score.letter if score is not None else "—",
                f"{score.confirmed} / {score.refuted}" if score is not None else "0 / 0",
                str(v.claim_counts[sid]),
            ]
        )
    lines += _table(
        ["Source", "Kind", "Affiliation", "Letter", "Confirmed / refuted", "Claims"],
        "lllccr",
        rows,
    )
    if unattributed:
        lines += [
            "",
            f"{unattributed} claim{'s are' if unattributed != 1 else ' is'} not attributed "
            "to any source (impersonal: “reportedly”, “allegedly”).",
        ]
    return lines


def _articles_section(v: _View) -> list[str]:
    counts = Counter(c.article_id for c in v.selected)
    arts = sorted(
        (v.articles[a] for a in counts if a in v.articles),
        key=lambda a: (a.published or date.max, a.id),
    )
    lines = ["## Articles", ""]
    if not arts:
        lines.append("No article.")
        return lines
    rows = [
        [
            f"A{a.id}",
            cell(a.title, TITLE_WIDTH),
            cell(a.outlet, NAME_WIDTH),
            _date(a),
            str(counts[a.id]),
        ]
        for a in arts
    ]
    return lines + _table(["Article", "Title", "Outlet", "Date", "Claims"], "rlllr", rows)


def _verdicts_section(v: _View) -> list[str]:
    reviewed = [c for c in v.selected if c.verdict is not None or c.note]
    lines = ["## Analyst verdicts and notes", ""]
    if not reviewed:
        lines.append("The analyst has not recorded any verdict or note yet.")
        return lines
    rows = [
        [
            f"#{c.id}",
            cell(c.content, TEXT_WIDTH // 2),
            VERDICT_NAMES[c.verdict] if c.verdict is not None else "—",
            c.status.value,
            cell(c.reviewed_by, NAME_WIDTH // 2),
            c.reviewed_at.date().isoformat() if c.reviewed_at else "—",
            cell(c.note, TEXT_WIDTH),
        ]
        for c in reviewed
    ]
    lines += _table(["Claim", "Text", "Verdict", "Status", "By", "Date", "Note"], "rllllll", rows)
    lines += ["", "Notes are given in full with each claim above."]
    return lines


def _flatten(config: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key in sorted(config, key=str):
        value = config[key]
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out += _flatten(value, name + ".")
        elif isinstance(value, float):
            out.append((name, repr(value)))
        elif isinstance(value, str):
            out.append((name, value))
        else:
            out.append((name, json.dumps(value, sort_keys=True, ensure_ascii=False)))
    return out


def _config_rows(config: Mapping[str, Any], meanings: Mapping[str, str]) -> list[list[str]]:
    rows = []
    said: set[str] = set()
    for name, value in _flatten(config):
        head = name.split(".", 1)[0]
        meaning = meanings.get(name) or (meanings.get(head, "") if head not in said else "")
        said.add(head)
        rows.append([cell(name), cell(value, TEXT_WIDTH), cell(meaning) if meaning else ""])
    return rows


def _method_section(v: _View) -> list[str]:
    lines = ["## Method", "", "### How the numbers are made", "", METHOD_TEXT, ""]
    lines += ["### Grade meanings", ""]
    lines += _table(
        ["Credibility", "Meaning", "When"],
        "cll",
        [[str(n), m, w] for n, (m, w) in CREDIBILITY_MEANINGS.items()],
    )
    lines.append("")
    lines += _table(
        ["Reliability", "Meaning", "When"],
        "cll",
        [[k, m, w] for k, (m, w) in RELIABILITY_MEANINGS.items()],
    )
    lines += ["", "### Configuration in force", ""]
    rows = _config_rows(v.data.config, v.data.config_meanings)
    if not rows:
        lines.append("No scoring configuration is recorded in this case.")
        return lines
    if v.data.config_overrides:
        changed = ", ".join(inline(k) for k in sorted(v.data.config_overrides))
        lines += [f"Changed for this case: {changed}; every other value is the default.", ""]
    else:
        lines += ["The built-in defaults: nothing is changed for this case.", ""]
    lines += _table(["Setting", "Value", "Meaning"], "lll", rows)
    return lines


def render_markdown(data: ReportData) -> str:
    """The whole report as a string (ends with exactly one newline)."""
    v = _View(data)
    sections = [
        _header(v),
        _summary(v),
        _claims_sections(v),
        _sources_section(v),
        _articles_section(v),
        _verdicts_section(v),
        _method_section(v),
    ]
    lines: list[str] = []
    for i, section in enumerate(sections):
        if i:
            lines.append("")
        lines += section
    return "\n".join(lines) + "\n"
