"""`dealer parts`: bring the parts catalogue, stock and deliveries in; receive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealer_tui.cli.common import context, out, print_report, user_errors
from dealer_tui.parts.services import (
    import_deliveries,
    import_parts,
    import_stock,
    receive_delivery,
)

app = typer.Typer(help="Parts: import the catalogue, stock and deliveries; receive.")
import_app = typer.Typer(
    help="Import parts files. Every row is checked first; nothing is written if "
    "any row is bad, unless --good-rows is given."
)
app.add_typer(import_app, name="import")

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file")
]
GoodRows = Annotated[
    bool, typer.Option("--good-rows", help="Import the good rows, leave out bad ones.")
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check every row, write nothing.")
]


def run_import(  # type: ignore[no-untyped-def]
    ctx: typer.Context, importer, file: Path, good_rows: bool, dry_run: bool
) -> None:
    """Run an import as every import command does: report, exit 1 on bad rows."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        report = importer(
            db, options.actor(db), file, good_rows_only=good_rows, dry_run=dry_run
        )
        print_report(report)
        if report.bad_rows:
            raise typer.Exit(1)


@import_app.command("parts")
def parts_file(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """The catalogue (part_number, description, unit_price, tax_category, unit)."""
    run_import(ctx, import_parts, file, good_rows, dry_run)


@import_app.command("stock")
def stock_file(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Stock on hand per branch (part_number, branch, on_hand, bin)."""
    run_import(ctx, import_stock, file, good_rows, dry_run)


@import_app.command("deliveries")
def deliveries_file(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Deliveries on their way (part_number, branch, quantity, expected_on)."""
    run_import(ctx, import_deliveries, file, good_rows, dry_run)


@app.command()
def receive(
    ctx: typer.Context,
    delivery: Annotated[int, typer.Argument(help="The delivery's number.")],
) -> None:
    """Book a delivery into stock; reservations waiting for it are filled."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        receipt = receive_delivery(db, options.actor(db), delivery)
        out.print(
            f"Received {receipt.quantity.normalize():f} of {receipt.part_number}: "
            f"{receipt.on_hand.normalize():f} on hand, "
            f"{receipt.filled_for_waiting.normalize():f} went to waiting orders."
        )
