"""`dealer workshop`: service invitations and workshop utilisation."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dealer_tui.cli.common import context, fail, out, user_errors
from dealer_tui.cli.parts import DryRun, FileArg, GoodRows, run_import
from dealer_tui.workshop.imports import (
    import_bookings,
    import_operations,
    import_packages,
    import_workshop_setup,
)
from dealer_tui.workshop.jobs import parse_due_within, parse_week
from dealer_tui.workshop.planning import (
    local_today,
    service_invitations,
    utilisation_report,
)
from dealer_tui.workshop.slots import Utilisation

app = typer.Typer(help="Workshop batch work: service invitations and utilisation.")
import_app = typer.Typer(
    help="Import the workshop's set-up and bookings. Every item is checked "
    "first; nothing is written if any is bad, unless --good-rows is given."
)
app.add_typer(import_app, name="import")

Branch = Annotated[
    str | None,
    typer.Option("--branch", help="Branch code, e.g. MEL. Default: every branch."),
]


@app.command()
def invitations(
    ctx: typer.Context,
    due_within: Annotated[
        str,
        typer.Option(
            "--due-within", help="How far ahead: 30d, 4w or a number of days."
        ),
    ] = "30d",
    branch: Branch = None,
    to_csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", dir_okay=False, help="Also write the list to a CSV file."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Count from this day (YYYY-MM-DD), not today."),
    ] = None,
) -> None:
    """Vehicles whose service is due (or overdue), as a list to contact.

    Vehicles already booked into the workshop are left out; --csv also
    writes each vehicle's contact person.
    """
    with user_errors():
        try:
            days = parse_due_within(due_within)
        except ValueError as exc:
            raise fail(f"--due-within: {exc}") from None
        try:
            start = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise fail(f"--as-of: '{as_of}' is not a date like 2026-12-04") from None
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        at = _noon(start) if start else None
        found = service_invitations(db, actor, days, branch, at=at)
        today = start or local_today(db, actor)
        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("Due", no_wrap=True, min_width=8)
        table.add_column("", no_wrap=True, min_width=7)
        table.add_column("Rego", no_wrap=True, min_width=6)
        table.add_column("Vehicle", no_wrap=True, overflow="ellipsis", max_width=14)
        table.add_column("Customer", no_wrap=True, overflow="ellipsis", max_width=21)
        table.add_column("Phone", no_wrap=True, min_width=12)
        for item in found:
            table.add_row(
                f"{item.due:%d/%m/%y}",
                "OVERDUE" if item.overdue(today) else "",
                item.registration or item.vin[-6:],
                item.vehicle,
                f"{item.customer_number} {item.customer_name}",
                item.phone,
            )
        if found:
            out.print(table)
        overdue = sum(1 for item in found if item.overdue(today))
        out.print(
            f"{len(found)} vehicles to invite: service due within {days} days "
            f"({overdue} overdue); vehicles already booked in are left out."
        )
        if to_csv is not None:
            _write_invitations(to_csv, found, today)
            out.print(f"Written to {to_csv}.")


def _noon(day: date) -> datetime:
    """An instant that shows this date on every Australian wall clock."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _write_invitations(path: Path, found, today) -> None:  # type: ignore[no-untyped-def]
    try:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(
                [
                    "due",
                    "overdue",
                    "registration",
                    "vin",
                    "vehicle",
                    "customer_number",
                    "customer",
                    "contact",
                    "phone",
                    "branch",
                ]
            )
            for item in found:
                writer.writerow(
                    [
                        item.due.isoformat(),
                        "yes" if item.overdue(today) else "no",
                        item.registration,
                        item.vin,
                        item.vehicle,
                        item.customer_number,
                        item.customer_name,
                        item.contact,
                        item.phone,
                        item.branch_code,
                    ]
                )
    except OSError as exc:
        raise fail(f"--csv: cannot write {path}: {exc.strerror}") from None


def _cell(row: Utilisation) -> str:
    percent = row.percent
    return "—" if percent is None else f"{percent:.0f}%"


@app.command()
def utilisation(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week", help="ISO week like 2026-W50, or a date in it. Default: now."
        ),
    ] = None,
    branch: Branch = None,
) -> None:
    """Booked against available hours per mechanic and day, for one week."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        try:
            monday = (
                parse_week(week)
                if week
                else parse_week(local_today(db, actor).isoformat())
            )
        except ValueError as exc:
            raise fail(f"--week: {exc}") from None
        report = utilisation_report(db, actor, monday, branch)
        year, number, _ = report.first_day.isocalendar()
        out.print(
            f"Workshop utilisation {report.branch_code}, week {year}-W{number:02d} "
            f"(Mon {report.first_day:%d/%m/%Y} to Sun "
            f"{report.days[-1].day:%d/%m/%Y})"
        )
        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("Mechanic", no_wrap=True)
        for day in report.days:
            table.add_column(f"{day.day:%a}", justify="right")
        table.add_column("Week (booked of available)", justify="right", no_wrap=True)
        for line in report.lines:
            table.add_row(
                line.name,
                *(_cell(day) for day in line.days),
                _week(line.week),
            )
        table.add_row(
            "All mechanics", *(_cell(day) for day in report.days), _week(report.week)
        )
        out.print(table)


def _week(total: Utilisation) -> str:
    return (
        f"{total.booked_hours} of {total.available_hours} h  {_cell(total)}"
        if total.available_minutes
        else "no hours"
    )


SetupFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="TOML file")
]


@import_app.command("setup")
def setup_file(
    ctx: typer.Context,
    file: SetupFile,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Opening hours, mechanics and bays (see fixtures/workshop/workshop.toml)."""
    run_import(ctx, import_workshop_setup, file, good_rows, dry_run)


@import_app.command("operations")
def operations_file(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Labour operations (code, description, standard_hours, skill, bay_type)."""
    run_import(ctx, import_operations, file, good_rows, dry_run)


@import_app.command("packages")
def packages_file(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Service packages, a row per operation or part (package, operation, ...)."""
    run_import(ctx, import_packages, file, good_rows, dry_run)


@import_app.command("bookings")
def bookings_file(
    ctx: typer.Context,
    file: FileArg,
    good_rows: GoodRows = False,
    dry_run: DryRun = False,
) -> None:
    """Bookings made elsewhere (branch, start, vehicle, work, mechanic, bay, ...)."""
    run_import(ctx, import_bookings, file, good_rows, dry_run)
