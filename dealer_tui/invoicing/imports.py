"""By-hand invoices and payments brought in from CSV files.

Every row is checked first and every problem named with its line and
field; nothing is written when any row is bad, unless the good ones are
asked for.  The demo dealership's invoices come in this way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import (
    ImportReport,
    parse_rows,
    record_import,
    reject_line,
)
from dealer_tui.core.db import Database
from dealer_tui.core.models import Branch
from dealer_tui.core.money import show_money
from dealer_tui.core.parse import FieldErrors
from dealer_tui.invoicing.document import INVOICE, Priced, price
from dealer_tui.invoicing.models import POSTED, Invoice, InvoiceLine, Payment
from dealer_tui.invoicing.services import (
    PAYER_KINDS,
    PAYMENT_METHODS,
    LineForm,
    branch_today,
    find_branch,
    invoice_values,
    line_values,
    post_draft,
    read_line,
    totals_values,
)
from dealer_tui.invoicing.sources import BY_HAND, Candidate, SourceLine
from dealer_tui.invoicing.tax import jurisdiction_for
from dealer_tui.invoicing.totals import InvalidDocument

INVOICE_COLUMNS = ("reference", "customer", "description", "unit_price")
INVOICE_OPTIONAL = (
    "kind",
    "branch",
    "invoice_date",
    "note",
    "quantity",
    "discount",
    "category",
    "unit_code",
    "line_kind",
    "prices_include_tax",
    "post",
)
_GROUP_FIELDS = ("customer", "kind", "branch", "invoice_date", "note", "post")


@dataclass
class _Group:
    """The rows of one by-hand invoice in a file."""

    first_line: int
    heading: dict[str, Any]
    lines: list[tuple[int, SourceLine]] = field(default_factory=list)
    has_bad_rows: bool = False


def import_invoices(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """By-hand invoices from CSV: one row per line, grouped by reference.

    The rows of a reference share the customer, payer, branch and date and
    become one draft, posted when they say post=yes; the reference is kept
    as the buyer's reference.  Every row is checked and priced first, and
    nothing is written if any is bad, unless the good invoices are asked
    for.
    """
    actor.require(Permission.DRAFT_INVOICES)
    report = ImportReport("invoices")
    with db.write() as session:
        branches = {b.code: b for b in session.scalars(select(Branch))}
        default_branch = find_branch(session, actor)
        # The reference of every row, bad ones too: an invoice with a bad
        # row is bad as a whole.
        references: dict[int, str] = {}

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, Any]:
            references[errors.line or 0] = (row.get("reference") or "").strip()
            branch_code = (row.get("branch") or default_branch.code).strip().upper()
            if branch_code not in branches:
                errors.add("branch", f"there is no branch '{branch_code}'")
            line = read_line(
                LineForm(
                    description=row.get("description", ""),
                    quantity=row.get("quantity") or "1",
                    unit_price=row.get("unit_price", ""),
                    discount=row.get("discount", ""),
                    category=row.get("category") or "S",
                    unit_code=row.get("unit_code") or "EA",
                    line_kind=row.get("line_kind") or "item",
                ),
                errors,
            )
            return {
                "reference": errors.required("reference", row.get("reference"), 40),
                "customer": errors.required("customer", row.get("customer"), 20)
                .strip()
                .upper(),
                "kind": errors.choice(
                    "kind", row.get("kind"), PAYER_KINDS, default="customer"
                ),
                "branch": branch_code,
                "invoice_date": errors.day(
                    "invoice_date", row.get("invoice_date"), required=True
                ),
                "note": errors.optional("note", row.get("note"), 2000),
                "post": errors.flag("post", row.get("post")),
                "prices_include_tax": errors.flag(
                    "prices_include_tax", row.get("prices_include_tax")
                ),
                "line": line,
            }

        good = parse_rows(report, source, INVOICE_COLUMNS, INVOICE_OPTIONAL, parse)
        groups = _group_rows(report, good)
        for line, reference in references.items():
            if line in report.bad_lines and reference in groups:
                groups[reference].has_bad_rows = True
        numbers = {g.heading["customer"] for g in groups.values()}
        accounts = {
            a.number: a
            for a in session.scalars(select(Account).where(Account.number.in_(numbers)))
        }
        priced: dict[str, Priced] = {}
        for reference, group in groups.items():
            result = _check_group(report, group, accounts, branches)
            if result is not None:
                priced[reference] = result
        if dry_run or (report.bad_rows and not good_rows_only) or not priced:
            return report
        for reference, group in groups.items():
            if reference in priced:
                _write_group(
                    session,
                    actor,
                    reference,
                    group,
                    priced[reference],
                    accounts[group.heading["customer"]],
                    branches[group.heading["branch"]],
                )
                report.imported += 1
        report.written = True
        audit.record(
            session,
            actor,
            "import",
            "invoice",
            "*",
            after={"invoices": report.imported, "left_out": report.bad_rows},
        )
    return report


def _group_rows(
    report: ImportReport, good: list[tuple[int, dict[str, Any]]]
) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for line, values in good:
        heading = {
            name: values[name] for name in (*_GROUP_FIELDS, "prices_include_tax")
        }
        group = groups.setdefault(values["reference"], _Group(line, heading))
        for name in _GROUP_FIELDS:
            if heading[name] != group.heading[name] and values[name] != "":
                reject_line(
                    report,
                    line,
                    name,
                    f"differs from line {group.first_line} of reference "
                    f"{values['reference']}",
                )
        group.lines.append((line, values["line"]))
    return groups


def _check_group(
    report: ImportReport,
    group: _Group,
    accounts: dict[str, Account],
    branches: dict[str, Branch],
) -> Priced | None:
    """The group's priced lines, or None with its problems in the report."""
    heading = group.heading
    lines = [line for number, line in group.lines if number not in report.bad_lines]
    if group.has_bad_rows or len(lines) != len(group.lines):
        for number, _ in group.lines:
            if number not in report.bad_lines:
                reject_line(
                    report, number, "reference", "another row of this invoice is bad"
                )
        return None
    if heading["customer"] not in accounts:
        for number, _ in group.lines:
            reject_line(report, number, "customer", "there is no such customer")
        return None
    branch = branches[heading["branch"]]
    if heading["invoice_date"] > clock.local_today(branch.time_zone):
        reject_line(report, group.first_line, "invoice_date", "is later than today")
        return None
    try:
        return price(
            lines,
            jurisdiction_for(branch.country),
            prices_include_tax=heading["prices_include_tax"],
        )
    except InvalidDocument as invalid:
        for problem in invalid.problems:
            at = group.lines[problem.line - 1][0] if problem.line else group.first_line
            reject_line(report, at, problem.field, problem.message)
        for number, _ in group.lines:
            report.bad_lines.add(number)
        return None


def _write_group(
    session: Session,
    actor: Actor,
    reference: str,
    group: _Group,
    priced: Priced,
    account: Account,
    branch: Branch,
) -> None:
    heading = group.heading
    candidate = Candidate(
        source_kind=BY_HAND,
        source_ref="",
        payer=heading["kind"],
        account_id=account.id,
        branch_code=branch.code,
        ready_on=heading["invoice_date"],
        title="by hand",
        buyer_reference=reference,
        prices_include_tax=heading["prices_include_tax"],
    )
    invoice = Invoice(
        **invoice_values(
            session, actor, candidate, account, branch, heading["invoice_date"]
        ),
        **totals_values(priced),
    )
    invoice.note = heading["note"]
    invoice.lines = [InvoiceLine(**v) for v in line_values(priced)]
    session.add(invoice)
    session.flush()
    if heading["post"]:
        post_draft(session, actor, invoice)


PAYMENT_COLUMNS = ("customer", "reference", "amount")
PAYMENT_OPTIONAL = ("received_on", "method", "payment_reference")


def import_payments(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Payments from CSV against posted invoices, found by customer and the
    buyer's reference; each may pay at most what is open on its invoice."""
    actor.require(Permission.RECORD_PAYMENTS)
    report = ImportReport("payments")
    with db.write() as session:
        today = branch_today(session, actor)

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, Any]:
            values = {
                "customer": errors.required("customer", row.get("customer"), 20)
                .strip()
                .upper(),
                "reference": errors.required("reference", row.get("reference"), 40),
                "amount": errors.money("amount", row.get("amount")),
                "received_on": errors.day("received_on", row.get("received_on"))
                or today,
                "method": errors.choice(
                    "method", row.get("method"), PAYMENT_METHODS, default="eft"
                ),
                "payment_reference": errors.optional(
                    "payment_reference", row.get("payment_reference"), 40
                ),
            }
            if values["amount"] <= 0 and not errors.for_field("amount"):
                errors.add("amount", "must be more than 0")
            if values["received_on"] > today:
                errors.add("received_on", "is later than today")
            return values

        good = parse_rows(report, source, PAYMENT_COLUMNS, PAYMENT_OPTIONAL, parse)
        found: list[tuple[Invoice, dict[str, Any]]] = []
        left: dict[int, Decimal] = {}
        for line, values in good:
            invoices = session.scalars(
                select(Invoice).where(
                    Invoice.buyer_number == values["customer"],
                    Invoice.buyer_reference == values["reference"],
                    Invoice.document_type == INVOICE,
                    Invoice.status == POSTED,
                )
            ).all()
            if len(invoices) != 1:
                what = "no posted invoice" if not invoices else "several invoices"
                reject_line(report, line, "reference", f"{what} has this reference")
                continue
            invoice = invoices[0]
            open_now = left.setdefault(invoice.id, invoice.open_amount)
            if values["amount"] > open_now:
                reject_line(
                    report,
                    line,
                    "amount",
                    f"is more than the {show_money(open_now)} open on {invoice.number}",
                )
                continue
            left[invoice.id] = open_now - values["amount"]
            found.append((invoice, values))
        if dry_run or (report.bad_rows and not good_rows_only) or not found:
            return report
        for invoice, values in found:
            session.add(
                Payment(
                    invoice_id=invoice.id,
                    account_id=invoice.account_id,
                    received_on=values["received_on"],
                    amount=values["amount"],
                    method=values["method"],
                    reference=values["payment_reference"],
                    recorded_by_id=actor.user_id,
                )
            )
            invoice.open_amount -= values["amount"]
            invoice.updated_by_id = actor.user_id
        record_import(session, actor, report, "payment", len(found))
    return report
