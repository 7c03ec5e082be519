"""``claimtrack sources`` and ``claimtrack source show|merge|split|set``: the case's sources."""

from __future__ import annotations

from typing import Annotated

import typer

from claimtrack.cli.app import app, case_from
from claimtrack.cli.output import Column, FormatOption, emit_rows

source_app = typer.Typer(
    help="One source: show its aliases and claims; merge, split or correct it (analyst decisions, "
    "each a review event that survives re-ingesting).",
    no_args_is_help=True,
)
app.add_typer(source_app, name="source")

NameArg = Annotated[str, typer.Argument(help="The source: its id, its name or one of its aliases.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why (kept with the review event).")]


@app.command("sources")
def sources(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Only names containing this text.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Only this kind: person, organization, government, media, anonymous, document.",
        ),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """List the case's sources (merged ones under the source they were merged into):
    name, kind, affiliation, number of claims and reliability once scored."""
    from claimtrack.errors import UsageError
    from claimtrack.models import SourceKind
    from claimtrack.store.queries import sources_list

    if kind is not None and kind.strip().lower() not in {k.value for k in SourceKind}:
        raise UsageError(f"unknown kind {kind!r} (one of {', '.join(k.value for k in SourceKind)})")
    with case_from(ctx) as case:
        rows = sources_list(case, search=search)
    out = [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "affiliation": r.affiliation,
            "claims": r.claims,
            "reliability": None if r.reliability is None else round(r.reliability, 3),
            "letter": r.letter,
        }
        for r in rows
        if kind is None or r.kind == kind.strip().lower()
    ]
    emit_rows(
        out,
        [
            Column("id", justify="right"),
            Column("name", max_width=40),
            Column("kind"),
            Column("affiliation", max_width=24),
            Column("claims", justify="right"),
            Column("letter", "rel."),
            Column("reliability", justify="right"),
        ],
        fmt,
    )


@source_app.command("show")
def source_show(ctx: typer.Context, name: NameArg, fmt: FormatOption = None) -> None:
    """Show one source: its kind, affiliation and prior, its aliases and its claims."""
    from claimtrack.cli.output import OutputFormat, resolve_format, to_json
    from claimtrack.store.sources import source_detail

    with case_from(ctx) as case:
        detail = source_detail(case, name)
    if resolve_format(fmt) is not OutputFormat.TABLE:
        typer.echo(
            to_json(
                {
                    **detail.source,
                    "merged": detail.merged,
                    "aliases": detail.aliases,
                    "claims": detail.claims,
                }
            )
        )
        return
    src = detail.source
    typer.echo(f"source {src['id']}: {src['name']}")
    for field in ("kind", "affiliation", "role", "prior", "prior_reason"):
        if src[field] is not None:
            typer.echo(f"  {field}: {src[field]}")
    if detail.merged:
        typer.echo(f"  merged into it: {', '.join(str(i) for i in detail.merged)}")
    pinned = [
        a["alias"] + (" (pinned)" if a["origin"] == "analyst" else "") for a in detail.aliases
    ]
    typer.echo(f"  aliases: {'; '.join(pinned) if pinned else '-'}")
    typer.echo(f"  claims: {len(detail.claims)}")
    emit_rows(
        detail.claims,
        [
            Column("id", justify="right"),
            Column("article_id", "article", justify="right"),
            Column("source_text", "written", max_width=30),
            Column("content", max_width=70),
        ],
        OutputFormat.TABLE,
    )


@source_app.command("merge")
def source_merge(
    ctx: typer.Context,
    name: NameArg,
    into: Annotated[str, typer.Argument(help="The source it is the same as (it survives).")],
    note: NoteOption = None,
) -> None:
    """Merge source NAME into source INTO: the same person or body under two names."""
    from claimtrack.store.sources import merge_sources

    with case_from(ctx) as case:
        merged, survivor = merge_sources(case, name, into, note=note)
    typer.echo(f"merged source {merged} into source {survivor}")


@source_app.command("split")
def source_split(
    ctx: typer.Context,
    name: NameArg,
    alias: Annotated[
        str, typer.Option("--alias", help="The alias (as written) that is another source.")
    ],
    note: NoteOption = None,
) -> None:
    """Split an alias off source NAME into a new source (the alias is pinned to it, so
    later articles writing it go there too); the claims written that way move with it."""
    from claimtrack.store.sources import split_source

    with case_from(ctx) as case:
        new_id, moved = split_source(case, name, alias, note=note)
    typer.echo(
        f"split {alias!r} into source {new_id} ({len(moved)} claim{'' if len(moved) == 1 else 's'})"
    )


@source_app.command("set")
def source_set(
    ctx: typer.Context,
    name: NameArg,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="person, organization, government, media, anonymous or document."
        ),
    ] = None,
    affiliation: Annotated[
        str | None, typer.Option("--affiliation", help="Country or organisation.")
    ] = None,
    prior: Annotated[
        float | None, typer.Option("--prior", help="Reliability prior in [0, 1].")
    ] = None,
    new_name: Annotated[str | None, typer.Option("--name", help="The name to show.")] = None,
    note: NoteOption = None,
) -> None:
    """Correct a source: its kind, affiliation, reliability prior or shown name."""
    from claimtrack.store.sources import set_source

    with case_from(ctx) as case:
        view = set_source(
            case,
            name,
            kind=kind,
            affiliation=affiliation,
            prior=prior,
            new_name=new_name,
            note=note,
        )
    typer.echo(
        f"source {view['id']}: {view['name']} ({view['kind']}"
        + (f", {view['affiliation']}" if view["affiliation"] else "")
        + (f", prior {view['prior']}" if view["prior"] is not None else "")
        + ")"
    )
