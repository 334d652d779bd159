"""`dealer catalog`: import ranges and products, and check the rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from dealer_tui.catalog.analysis import describe
from dealer_tui.catalog.services import (
    check_ranges,
    import_products,
    import_range,
    load_catalogue,
)
from dealer_tui.cli.common import context, err, out, print_report, user_errors
from dealer_tui.core.errors import ValidationFailed

app = typer.Typer(help="The truck catalogue: ranges, options, rules and prices.")

ValidFrom = Annotated[
    str | None,
    typer.Option(
        "--valid-from", help="Date the prices apply from (YYYY-MM-DD); default today."
    ),
]


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD)") from None


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            dir_okay=True,
            readable=True,
            help="Range files (*.txt), or a folder of them; products.csv too.",
        ),
    ],
    valid_from: ValidFrom = None,
) -> None:
    """Import range files and products.csv; a file with a bad line is refused whole."""
    day = _day(valid_from)
    paths: list[Path] = []
    for item in files:
        if item.is_dir():
            paths += sorted(item.glob("*.txt")) + sorted(item.glob("*.csv"))
        else:
            paths.append(item)
    failed = False
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        for path in paths:
            if path.suffix == ".csv":
                report = import_products(db, actor, path, day)
                print_report(report)
                failed |= bool(report.bad_rows)
                continue
            try:
                done = import_range(db, actor, path, day)
            except ValidationFailed as refused:
                failed = True
                for problem in refused.problems:
                    err.print(
                        f"{path.name} line {problem.line}: {problem.field}: "
                        f"{problem.message}",
                        markup=False,
                    )
                err.print(f"{path.name}: not imported.")
                continue
            out.print(
                f"{path.name}: range {done.range_code} revision {done.revision}, "
                f"{done.models} models, {done.options} options, {done.rules} rules, "
                f"prices from {done.valid_from:%d/%m/%Y}."
            )
    if failed:
        raise typer.Exit(1)


@app.command()
def check(
    ctx: typer.Context,
    range_code: Annotated[
        str | None, typer.Argument(help="One range code; default every range.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Check the rules in force on this date.")
    ] = None,
) -> None:
    """Report dead options, mandatory options, contradictions and truck counts."""
    day = _day(on)
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        checks = check_ranges(db, actor, day, range_code)
        trouble = False
        with db.read() as session:
            for result in checks:
                catalogue, _ = load_catalogue(session, result.range_code)
                out.print(f"Range {result.range_code}:")
                for model in result.models:
                    for line in describe(model, catalogue):
                        out.print(line, markup=False, soft_wrap=True)
                trouble |= any(
                    not m.consistent or m.contradictions for m in result.models
                )
    if trouble:
        raise typer.Exit(1)
