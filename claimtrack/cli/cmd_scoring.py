"""``claimtrack score``, ``claimtrack verdict``, ``claimtrack config``: credibility scores."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from claimtrack.cli.app import app, case_from
from claimtrack.cli.output import Column, FormatOption, emit_rows


class VerdictArg(StrEnum):
    true = "true"
    false = "false"
    unverified = "unverified"


@app.command("score")
def score(ctx: typer.Context) -> None:
    """Recompute every claim's credibility and every source's reliability (docs/scoring.md)."""
    from claimtrack.store.scores import rescore

    with case_from(ctx) as case:
        result = rescore(case)
    typer.echo(
        f"scored {result.claims} claims and {result.sources} sources in {result.seconds:.2f} s"
    )


@app.command("verdict")
def verdict(
    ctx: typer.Context,
    claim: Annotated[int, typer.Argument(help="The claim id.")],
    value: Annotated[VerdictArg, typer.Argument(help="true | false | unverified")],
    note: Annotated[
        str | None, typer.Option("--note", help="Why (kept with the claim's review).")
    ] = None,
) -> None:
    """Record the analyst's verdict on a claim (it wins over the evidence and feeds the
    track records of the sources that said it or contradicted it), then rescore."""
    from claimtrack.store.review import set_note, set_verdict
    from claimtrack.store.scores import claim_score, rescore

    with case_from(ctx) as case:
        set_verdict(case, claim, value.value)
        if note is not None:
            set_note(case, claim, note)
        rescore(case)
        got = claim_score(case, claim)
    if got is None:
        typer.echo(f"claim {claim}: {value.value}")
    else:
        typer.echo(
            f"claim {claim}: {value.value}; P = {got['probability']:.2f}, "
            f"credibility {got['credibility']}"
        )


@app.command("config")
def config(
    ctx: typer.Context,
    fmt: FormatOption = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Override a scoring setting for this case (JSON value; dict items as "
            "kind_priors.media=[4,1]). Repeatable; rescores the case.",
        ),
    ] = None,
    unset: Annotated[
        list[str] | None,
        typer.Option("--unset", metavar="KEY", help="Drop an override (back to the default)."),
    ] = None,
) -> None:
    """Print the scoring configuration in force (every constant, its value and meaning).

    `overridden` says which values this case sets. JSONL fields: key, value (JSON),
    default (JSON), overridden, meaning.
    """
    import json

    from claimtrack.errors import UsageError
    from claimtrack.scoring import DEFAULT_CONFIG, config_rows
    from claimtrack.store.scores import case_config, case_overrides, rescore, set_config

    values: dict[str, str] = {}
    for item in set_ or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--set needs KEY=VALUE, got {item!r}")
        values[key.strip()] = value.strip()
    changing = bool(values or unset)
    with case_from(ctx, create=changing) as case:
        if changing:
            cfg = set_config(case, values, unset=unset or ())
            rescore(case)
        else:
            cfg = case_config(case)
        overridden = case_overrides(case)
    defaults = {r["key"]: r["value"] for r in config_rows(DEFAULT_CONFIG)}
    heads = {k.partition(".")[0] for k in overridden}
    rows = [
        {
            "key": r["key"],
            "value": json.loads(r["value"]),
            "default": json.loads(defaults[r["key"]]),
            "overridden": r["key"] in heads,
            "meaning": r["meaning"],
        }
        for r in config_rows(cfg)
    ]
    emit_rows(
        rows,
        [
            Column("key"),
            Column("value", max_width=48),
            Column("overridden"),
            Column("meaning", max_width=60),
        ],
        fmt,
        title="scoring configuration",
    )
