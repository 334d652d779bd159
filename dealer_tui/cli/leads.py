"""`dealer leads`: import leads from CSV and print the ranked priority list."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dealer_tui.cli.common import context, err, out, print_report, user_errors
from dealer_tui.leads.importing import DuplicatePolicy, import_leads
from dealer_tui.leads.services import PriorityLine, priority

app = typer.Typer(help="Leads: import suspects and list the ranked prospects.")

PRIORITY_COLUMNS = (
    "rank",
    "number",
    "company",
    "segment",
    "region",
    "owner",
    "score",
    "unanswered",
    "fleet_size",
    "next_contact",
)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file"),
    ],
    good_rows: Annotated[
        bool,
        typer.Option("--good-rows", help="Import the good rows, leave out bad ones."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, write nothing.")
    ] = False,
    duplicates: Annotated[
        DuplicatePolicy,
        typer.Option(
            "--duplicates",
            help="A row that may be a known lead or customer: ask (name it as "
            "a problem), skip it, keep it apart, link it to the match, or "
            "merge it into the matching lead.",
        ),
    ] = DuplicatePolicy.ASK,
) -> None:
    """Import leads (columns: company, segment, source, abn, owner, status, ...)."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        report = import_leads(
            db,
            options.actor(db),
            file,
            good_rows_only=good_rows,
            dry_run=dry_run,
            duplicates=duplicates,
        )
        print_report(report)
        for note in report.notes:
            out.print(f"  {note}")
        if report.bad_rows:
            raise typer.Exit(1)


def _cells(line: PriorityLine) -> tuple[str, ...]:
    return (
        str(line.rank),
        line.number,
        line.company,
        line.segment.value,
        line.region,
        line.owner,
        f"{line.score:.2f}",
        str(line.unanswered),
        "" if line.fleet_size is None else str(line.fleet_size),
        line.next_contact_on.isoformat() if line.next_contact_on else "",
    )


@app.command("priority")
def priority_command(
    ctx: typer.Context,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="Only this segment, e.g. construction."),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", help="Only this user's prospects; 'none' for nobody's."
        ),
    ] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Write CSV to standard output.")
    ] = False,
) -> None:
    """The qualified prospects ranked by score, highest first."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        lines = priority(db, options.actor(db), segment, owner)
        if as_csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(PRIORITY_COLUMNS)
            writer.writerows(_cells(line) for line in lines)
            return
        if not lines:
            err.print("No qualified prospects match.")
            return
        table = Table(
            title="Priority list: qualified prospects by score",
            box=None,
            header_style="bold",
            pad_edge=False,
        )
        table.add_column("Rank", justify="right", no_wrap=True, min_width=4)
        table.add_column("Number", no_wrap=True, min_width=12)
        table.add_column("Company", ratio=1, min_width=12, no_wrap=True)
        table.add_column("Segment", no_wrap=True, min_width=12)
        table.add_column("Owner", no_wrap=True, min_width=9)
        table.add_column("Score", justify="right", no_wrap=True, min_width=6)
        table.add_column("Next", no_wrap=True, min_width=10)
        for line in lines:
            cells = _cells(line)
            table.add_row(*cells[:4], cells[5], cells[6], cells[9])
        out.print(table)
