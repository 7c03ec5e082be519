"""``claimtrack link``, ``claimtrack links``, ``claimtrack relink``: claim links."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from claimtrack.cli.app import app, case_from
from claimtrack.cli.output import Column, FormatOption, emit_rows


class LinkAs(StrEnum):
    corroborates = "corroborates"
    contradicts = "contradicts"
    repeats = "repeats"
    none = "none"


@app.command("link")
def link(
    ctx: typer.Context,
    a: Annotated[int, typer.Argument(help="A claim id.")],
    b: Annotated[int, typer.Argument(help="Another claim id.")],
    relation: Annotated[
        LinkAs,
        typer.Option("--as", help="The relation; 'none' rejects the link (it never comes back)."),
    ],
    note: Annotated[
        str | None, typer.Option("--note", help="Why (kept with the decision).")
    ] = None,
    origin: Annotated[
        int | None,
        typer.Option("--origin", help="For repeats: which of the two is the original report."),
    ] = None,
) -> None:
    """Record an analyst decision on the link between claims A and B (a review event)."""
    from claimtrack.store.review import decide_link

    with case_from(ctx) as case:
        row = decide_link(case, a, b, relation.value, origin_claim=origin, note=note)
    typer.echo(f"link {row.a_id}-{row.b_id}: {row.relation} (analyst)")


@app.command("links")
def links(
    ctx: typer.Context,
    fmt: FormatOption = None,
    claim: Annotated[
        int | None, typer.Option("--claim", "-c", help="Only the links of this claim.")
    ] = None,
) -> None:
    """List claim links (an analyst decision replaces the machine's link for its pair).

    JSONL fields: a, b (claim ids), relation, confidence, reason, origin
    (machine | analyst), origin_claim (for repeats), note.
    """
    from claimtrack.store.links import list_links

    with case_from(ctx) as case:
        rows = [r.as_dict() for r in list_links(case, claim)]
    emit_rows(
        rows,
        [
            Column("a"),
            Column("b"),
            Column("relation"),
            Column("confidence"),
            Column("origin"),
            Column("reason", max_width=60),
        ],
        fmt,
    )


@app.command("relink")
def relink(ctx: typer.Context) -> None:
    """Recompute the machine links of the whole case (analyst decisions are kept and win)."""
    from claimtrack.store.links import relink_case

    with case_from(ctx) as case:
        n = relink_case(case)
    typer.echo(f"{n} machine links")
