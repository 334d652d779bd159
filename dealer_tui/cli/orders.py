"""`dealer orders` and `dealer stock`: the delivery schedule, trucks received."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dealer_tui.cli.common import context, out, print_report, user_errors
from dealer_tui.orders.delivery import DeliverySchedule, delivery_schedule
from dealer_tui.orders.schedule import week_of
from dealer_tui.orders.stock import receive_units

app = typer.Typer(help="Orders: the weekly delivery schedule.")
stock_app = typer.Typer(
    help="Trucks in stock: receive a delivery from the factory. Every row is "
    "checked first; nothing is written if any row is bad, unless --good-rows "
    "is given."
)

SCHEDULE_COLUMNS = (
    "day",
    "order",
    "branch",
    "customer_number",
    "customer",
    "truck",
    "vin",
    "state",
    "inspection",
    "rep",
    "credit",
)


@app.command("delivery-schedule")
def schedule(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week, e.g. 2026-W50, or a day in it. Default: this week.",
        ),
    ] = None,
    branch: Annotated[
        str | None, typer.Option("--branch", help="Only this branch (its code).")
    ] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Write CSV to standard output.")
    ] = False,
) -> None:
    """The trucks to hand over in a week, day by day."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        if week is None:
            from dealer_tui.core.clock import local_today
            from dealer_tui.core.services import workplace

            week = week_of(local_today(workplace(db, actor).time_zone)).label
        found = delivery_schedule(db, actor, week, branch)
    if as_csv:
        _write_csv(found)
    else:
        _print_table(found)


def _cells(found: DeliverySchedule) -> list[tuple[str, ...]]:
    return [
        (
            row.day.isoformat(),
            row.order_number,
            row.branch_code,
            row.customer_number,
            row.customer_name,
            row.truck,
            row.vin,
            row.state,
            row.inspection,
            row.rep,
            "ON HOLD" if row.on_hold else "ok",
        )
        for row in found.rows
    ]


def _write_csv(found: DeliverySchedule) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(SCHEDULE_COLUMNS)
    writer.writerows(_cells(found))


def _print_table(found: DeliverySchedule) -> None:
    where = f" at {found.branch}" if found.branch else ""
    week = found.week
    table = Table(
        title=f"Deliveries in week {week.label} "
        f"({week.monday:%a %d/%m} to {week.sunday:%a %d/%m/%Y}){where}"
    )
    table.add_column("Day", no_wrap=True)
    table.add_column("Order", no_wrap=True)
    table.add_column("Customer and truck", ratio=1, overflow="fold")
    table.add_column("VIN", no_wrap=True)
    table.add_column("State")
    table.add_column("Inspection")
    for row in found.rows:
        state = row.state + ("\nON HOLD" if row.on_hold else "")
        table.add_row(
            f"{row.day:%a %d/%m}",
            row.order_number,
            f"{row.customer_name}\n{row.truck}",
            f"…{row.vin[-6:]}" if row.vin else "none yet",
            state,
            row.inspection,
        )
    out.print(table)
    count = len(found.rows)
    out.print(f"{count} deliver{'y' if count == 1 else 'ies'} planned.")


@stock_app.command("receive")
def receive(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV: vin, make, model, branch, and optionally model_year, cost, "
            "received_on, expected_arrival, factory_order_ref, notes.",
        ),
    ],
    good_rows: Annotated[
        bool,
        typer.Option("--good-rows", help="Receive the good rows, leave out bad ones."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, write nothing.")
    ] = False,
) -> None:
    """Receive a delivery of trucks from the factory into stock."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        report = receive_units(
            db, options.actor(db), file, good_rows_only=good_rows, dry_run=dry_run
        )
        print_report(report)
        if report.bad_rows:
            raise typer.Exit(1)
