"""`dealer invoice`: the batch run, posting, credit notes, payments, documents."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from dealer_tui.cli.common import context, err, fail, out, print_report, user_errors
from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.money import show_money
from dealer_tui.invoicing import imports, services
from dealer_tui.invoicing.ageing import BUCKET_TITLES
from dealer_tui.invoicing.batch import Planned, RunSummary, run_invoicing
from dealer_tui.invoicing.tax import TaxCategory, plain_rate

app = typer.Typer(
    help="Invoices: the batch run, posting, credit notes, payments, the tax "
    "invoice and the e-invoice."
)

Document = Annotated[
    str,
    typer.Argument(help="Invoice or credit note number, or a draft's id."),
]


def _parse_day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{name}: '{text}' is not a date (use YYYY-MM-DD)") from None


def _invoice_id(db: Database, actor: Actor, document: str) -> int:
    """A draft's id as digits, else the number of a posted document."""
    if document.strip().isdigit():
        return int(document.strip())
    return services.invoice_id_for_number(db, actor, document)


@app.command("run")
def run(
    ctx: typer.Context,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Invoice what was ready up to this day (YYYY-MM-DD). Default: today.",
        ),
    ] = None,
    branch: Annotated[
        str | None, typer.Option("--branch", help="Only this branch (its code).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="List what would be invoiced; write nothing."),
    ] = False,
) -> None:
    """Invoice every delivered order, parts sale and finished job exactly once."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        day = _parse_day(until, "--until")
        with Progress(
            TextColumn("invoicing"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            transient=True,
            disable=dry_run,
        ) as bar:
            task = bar.add_task("run", total=None)

            def tick(done: int, total: int, _item: Planned, _outcome: str) -> None:
                bar.update(task, completed=done, total=total)

            summary = run_invoicing(
                db,
                actor,
                day,
                branch.upper() if branch else None,
                dry_run=dry_run,
                progress=tick,
            )
        if dry_run:
            _print_plan(summary)
        else:
            _print_summary(summary)
        if summary.failed:
            raise typer.Exit(1)


def _print_plan(summary: RunSummary) -> None:
    table = Table(title=f"Dry run to {summary.until:%d/%m/%Y}: nothing written")
    table.add_column("Source")
    table.add_column("Payer")
    table.add_column("Decision")
    table.add_column("Total", justify="right")
    for item in summary.planned:
        candidate = item.candidate
        decision = "will invoice" if item.will_invoice else f"skipped: {item.reason}"
        total = show_money(item.priced.totals.payable_amount) if item.priced else ""
        table.add_row(candidate.title, candidate.payer, decision, total)
    out.print(table)
    will = sum(1 for item in summary.planned if item.will_invoice)
    out.print(f"{will} will be invoiced, {len(summary.skipped)} skipped.")


def _print_summary(summary: RunSummary) -> None:
    out.print(
        f"Invoiced {len(summary.invoiced)} "
        f"({show_money(summary.total)} including tax), "
        f"skipped {len(summary.skipped)}, failed {len(summary.failed)}."
    )
    if summary.taxes:
        table = Table(title="Totals per tax rate")
        table.add_column("Tax")
        table.add_column("Taxable", justify="right")
        table.add_column("Tax", justify="right")
        for (category, rate), (taxable, tax) in sorted(
            summary.taxes.items(), key=lambda kv: (kv[0][0].value, kv[0][1])
        ):
            label = (
                f"GST {plain_rate(rate)}%"
                if category is TaxCategory.STANDARD
                else f"GST {category.title}"
            )
            table.add_row(label, show_money(taxable), show_money(tax))
        out.print(table)
    if summary.skipped:
        table = Table(title="Skipped")
        table.add_column("Reason")
        table.add_column("Count", justify="right")
        for reason, count in summary.skip_reasons.most_common():
            table.add_row(reason, str(count))
        out.print(table)
    for candidate, message in summary.failed:
        err.print(f"failed: {candidate.title} ({candidate.payer}): {message}")


@app.command()
def post(ctx: typer.Context, document: Document) -> None:
    """Post a draft invoice: give it its number and open it."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        invoice_id = _invoice_id(db, actor, document)
        view = services.invoice_view(db, actor, invoice_id)
        posted = services.post_invoice(db, actor, invoice_id, view.version)
        out.print(
            f"Posted {posted.number} for {posted.customer_name}: "
            f"{show_money(posted.total)}, due {posted.due_date:%d/%m/%Y}."
        )


@app.command()
def credit(
    ctx: typer.Context,
    document: Document,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the invoice is corrected.")
    ],
    lines: Annotated[
        str,
        typer.Option(
            "--lines",
            help="'all', or lines as '1, 2x3, 4=150.00' (whole line 1, three "
            "units of line 2, $150.00 off line 4).",
        ),
    ] = "all",
) -> None:
    """Issue and post a credit note (adjustment note) for a posted invoice."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        invoice_id = _invoice_id(db, actor, document)
        note = services.credit_invoice(db, actor, invoice_id, lines, reason)
        credited = note.credited.number if note.credited else document
        out.print(
            f"Posted {note.number} crediting {credited}: "
            f"{show_money(note.total)} including {show_money(note.tax_total)} GST."
        )


@app.command()
def pay(
    ctx: typer.Context,
    document: Document,
    amount: Annotated[str, typer.Option("--amount", help="Amount received.")],
    received_on: Annotated[
        str, typer.Option("--on", help="Day received (YYYY-MM-DD). Default: today.")
    ] = "",
    method: Annotated[
        str, typer.Option("--method", help="eft, card, cheque or cash.")
    ] = "eft",
    reference: Annotated[
        str, typer.Option("--reference", help="Bank or receipt reference.")
    ] = "",
) -> None:
    """Record a payment against a posted invoice."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        invoice_id = _invoice_id(db, actor, document)
        view = services.record_payment(
            db, actor, invoice_id, amount, received_on, method, reference
        )
        out.print(
            f"Recorded {show_money(view.payments[-1].amount)} against "
            f"{view.number}; {show_money(view.open_amount)} open ({view.state})."
        )


@app.command()
def pdf(
    ctx: typer.Context,
    document: Document,
    output: Annotated[
        Path | None, typer.Option("--out", help="File to write.", dir_okay=False)
    ] = None,
) -> None:
    """Print the tax invoice or adjustment note to a PDF file."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        path = services.write_pdf(db, actor, _invoice_id(db, actor, document), output)
        out.print(f"Wrote {path}")


@app.command()
def einvoice(
    ctx: typer.Context,
    document: Document,
    output: Annotated[
        Path | None, typer.Option("--out", help="File to write.", dir_okay=False)
    ] = None,
) -> None:
    """Write the Peppol PINT A-NZ e-invoice (UBL 2.1 XML) of a posted document."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        invoice_id = _invoice_id(db, actor, document)
        path = services.write_einvoice(db, actor, invoice_id, output)
        out.print(f"Wrote {path}")


@app.command()
def ageing(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day to age at. Default: today.")
    ] = None,
    branch: Annotated[
        str | None, typer.Option("--branch", help="Only this branch (its code).")
    ] = None,
) -> None:
    """What each customer owes, by days past due."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        result = services.ageing(db, actor, _parse_day(as_of, "--as-of"), branch)
        table = Table(
            title=f"Receivables at {result.as_of:%d/%m/%Y} (days past due)",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        titles = [*BUCKET_TITLES, "Total"]
        with_credits = bool(result.total.credits)
        if with_credits:
            titles.insert(-1, "Credits")
        rows = []
        for line in [*result.lines, result.total]:
            amounts = [*line.buckets(), line.total]
            if with_credits:
                amounts.insert(-1, line.credits)
            name = f"{line.customer_number} {line.customer_name}".strip()
            rows.append([name, *(f"{amount:,.2f}" for amount in amounts)])
        widths = [
            max(len(title), *(len(row[index]) for row in rows))
            for index, title in enumerate(titles, start=1)
        ]
        # The amounts keep their width; the names take what is left.
        room = out.width - sum(widths) - 3 * (len(widths) + 1)
        table.add_column(
            "Customer", no_wrap=True, overflow="ellipsis", max_width=max(12, room)
        )
        for title, width in zip(titles, widths, strict=True):
            table.add_column(title, justify="right", no_wrap=True, min_width=width)
        for row in rows:
            table.add_row(*row, end_section=row is rows[-2] if len(rows) > 1 else False)
        out.print(table)


@app.command("import")
def import_invoices(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    good_rows: Annotated[
        bool, typer.Option("--good-rows", help="Import the good invoices only.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, write nothing.")
    ] = False,
) -> None:
    """Import by-hand invoices (reference, customer, description, unit_price, ...)."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        report = imports.import_invoices(
            db, options.actor(db), file, good_rows_only=good_rows, dry_run=dry_run
        )
        print_report(report)
        if report.bad_rows:
            raise typer.Exit(1)


@app.command("import-payments")
def import_payments(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    good_rows: Annotated[
        bool, typer.Option("--good-rows", help="Import the good rows only.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, write nothing.")
    ] = False,
) -> None:
    """Import payments (customer, reference, amount, received_on, ...)."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        report = imports.import_payments(
            db, options.actor(db), file, good_rows_only=good_rows, dry_run=dry_run
        )
        print_report(report)
        if report.bad_rows:
            raise typer.Exit(1)
