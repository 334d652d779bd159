"""`dealer import`: bring customers, contacts and vehicles in from CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealer_tui.accounts.services import import_contacts, import_customers
from dealer_tui.cli.common import context, print_report, user_errors
from dealer_tui.vehicles.services import import_vehicles

app = typer.Typer(
    help="Import data from CSV files. Every row is checked first; nothing is "
    "written if any row is bad, unless --good-rows is given."
)

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file")
]
GoodRows = Annotated[
    bool, typer.Option("--good-rows", help="Import the good rows, leave out bad ones.")
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check every row, write nothing.")
]


def _run(
    ctx: typer.Context, importer, file: Path, good_rows: bool, dry_run: bool
) -> None:  # type: ignore[no-untyped-def]
    with user_errors():
        options = context(ctx)
        db = options.open()
        report = importer(
            db, options.actor(db), file, good_rows_only=good_rows, dry_run=dry_run
        )
        print_report(report)
        if report.bad_rows:
            raise typer.Exit(1)


@app.command()
def customers(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Import customer accounts (columns: number, name, kind, abn, ...)."""
    _run(ctx, import_customers, file, good_rows, dry_run)


@app.command()
def contacts(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Import contacts of existing customers (customer_number, name, ...)."""
    _run(ctx, import_contacts, file, good_rows, dry_run)


@app.command()
def vehicles(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Import vehicles (columns: vin, make, model, owner, ...)."""
    _run(ctx, import_vehicles, file, good_rows, dry_run)
