"""The batch run: invoice everything ready up to a date, each exactly once.

A run asks every registered source for its candidates, decides for each
whether it will be invoiced or skipped (and why), and then posts the
invoices a chunk at a time.  A chunk is one transaction: its invoices are
written whole or not at all, so a run killed at any point leaves whole
invoices behind and the next run finishes the rest.  The database refuses
a second invoice for the same source, payer included, so two runs started
at once bill each candidate once; the run that comes second counts those
as invoiced by another run.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Table, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core import clock
from dealer_tui.core.audit import plain
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError
from dealer_tui.core.models import AuditEntry, Branch
from dealer_tui.core.numbering import NumberBlock
from dealer_tui.core.types import utc_now
from dealer_tui.invoicing.document import INVOICE, Priced, price
from dealer_tui.invoicing.models import POSTED, Invoice, InvoiceLine, InvoiceTax
from dealer_tui.invoicing.services import (
    SERIES,
    branch_today,
    invoice_values,
    line_values,
    seller_values,
    tax_values,
    totals_values,
)
from dealer_tui.invoicing.sources import (
    PAYERS,
    Candidate,
    InvoiceSource,
    registered_sources,
)
from dealer_tui.invoicing.tax import TaxCategory, jurisdiction_for
from dealer_tui.invoicing.totals import InvalidDocument

log = logging.getLogger(__name__)

NO_MONEY = Decimal("0.00")
# Invoices written per transaction.  Larger chunks run faster; a smaller
# one holds the number series for less time while workstations post.
CHUNK = 100
ANOTHER_RUN = "already invoiced by another run"


@dataclass(frozen=True)
class Planned:
    """A candidate and what the run will do with it."""

    candidate: Candidate
    source: InvoiceSource
    reason: str = ""
    priced: Priced | None = None
    account: Account | None = None
    branch: Branch | None = None

    @property
    def will_invoice(self) -> bool:
        return not self.reason


@dataclass
class RunSummary:
    """What a run did (or, in a dry run, would do)."""

    until: date
    branch: str | None
    dry_run: bool
    planned: list[Planned] = field(default_factory=list)
    invoiced: list[tuple[Candidate, str, Decimal]] = field(default_factory=list)
    skipped: list[tuple[Candidate, str]] = field(default_factory=list)
    failed: list[tuple[Candidate, str]] = field(default_factory=list)
    # (category, rate) -> [tax base, tax], over the invoices written.
    taxes: dict[tuple[TaxCategory, Decimal], list[Decimal]] = field(
        default_factory=dict
    )

    @property
    def total(self) -> Decimal:
        return sum((amount for _, _, amount in self.invoiced), NO_MONEY)

    @property
    def skip_reasons(self) -> Counter[str]:
        """How many were skipped for each reason (the part before any colon)."""
        return Counter(reason.split(":")[0] for _, reason in self.skipped)

    def add_taxes(self, priced: Priced) -> None:
        for subtotal in priced.totals.tax_subtotals:
            sums = self.taxes.setdefault(
                (subtotal.category, subtotal.rate), [NO_MONEY, NO_MONEY]
            )
            sums[0] += subtotal.taxable_amount
            sums[1] += subtotal.tax_amount


# Told of each candidate as the run passes it: how many are done of how
# many, the candidate, and what became of it.
Progress = Callable[[int, int, Planned, str], None]


def plan_run(
    db: Database, actor: Actor, until: date, branch: str | None = None
) -> list[Planned]:
    """Every candidate of every source, each marked to invoice or skip."""
    actor.require(Permission.RUN_INVOICING)
    wanted_branch = branch.strip().upper() if branch else None
    found = [
        (source, candidate)
        for source in registered_sources()
        for candidate in source.candidates(db, actor, until, wanted_branch)
        # A source asked for one branch that still gives others leaves them
        # to a run of their own branch.
        if wanted_branch is None or candidate.branch_code == wanted_branch
    ]
    with db.read() as session:
        existing = _existing(session, [c for _, c in found])
        accounts = _accounts(session, {c.account_id for _, c in found})
        branches = {b.code: b for b in session.scalars(select(Branch))}
    seen: set[tuple[str, str, str]] = set()
    planned = []
    for source, candidate in found:
        key = (candidate.source_kind, candidate.source_ref, candidate.payer)
        account = accounts.get(candidate.account_id or 0)
        at = branches.get(candidate.branch_code)
        reason = _skip_reason(candidate, until, existing, account, at, key in seen)
        seen.add(key)
        priced = None
        if not reason:
            priced, reason = _priced(source, candidate, at)
        planned.append(Planned(candidate, source, reason, priced, account, at))
    return planned


def _existing(session: Session, candidates: Sequence[Candidate]) -> dict[tuple, str]:
    """Invoices already made for any of the candidates: key -> how to say so."""
    keys = sorted({(c.source_kind, c.source_ref, c.payer) for c in candidates})
    found: dict[tuple, str] = {}
    columns = (Invoice.source_kind, Invoice.source_ref, Invoice.source_payer)
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(*columns, Invoice.number).where(
                tuple_(*columns).in_(keys[start : start + 500])
            )
        )
        for kind, ref, payer, number in rows:
            found[kind, ref, payer] = (
                f"already invoiced: {number}" if number else "already invoiced: a draft"
            )
    return found


def _accounts(session: Session, ids: set[int | None]) -> dict[int, Account]:
    wanted = sorted(i for i in ids if i)
    accounts: dict[int, Account] = {}
    for start in range(0, len(wanted), 500):
        accounts.update(
            (a.id, a)
            for a in session.scalars(
                select(Account).where(Account.id.in_(wanted[start : start + 500]))
            )
        )
    return accounts


def _skip_reason(
    candidate: Candidate,
    until: date,
    existing: dict[tuple, str],
    account: Account | None,
    branch: Branch | None,
    repeated: bool,
) -> str:
    key = (candidate.source_kind, candidate.source_ref, candidate.payer)
    if candidate.skip_reason:
        return candidate.skip_reason
    if key in existing:
        return existing[key]
    if repeated:
        return "already invoiced: listed twice in this run"
    if candidate.ready_on > until:
        return f"not ready: ready on {candidate.ready_on:%d/%m/%Y}"
    if candidate.payer not in PAYERS:
        return f"missing data: no payer '{candidate.payer}'"
    if account is None:
        return "missing data: no customer account"
    if branch is None:
        return f"missing data: no branch '{candidate.branch_code}'"
    if account.credit_hold:
        return "credit hold"
    return ""


def _priced(
    source: InvoiceSource, candidate: Candidate, branch: Branch | None
) -> tuple[Priced | None, str]:
    assert branch is not None
    lines = list(source.lines(candidate))
    if not lines:
        return None, "missing data: no lines to invoice"
    try:
        return (
            price(
                lines,
                jurisdiction_for(branch.country),
                prices_include_tax=candidate.prices_include_tax,
            ),
            "",
        )
    except InvalidDocument as invalid:
        first = invalid.problems[0]
        where = f"line {first.line} " if first.line else ""
        return None, f"missing data: {where}{first.field} {first.message}"


def run_invoicing(
    db: Database,
    actor: Actor,
    until: date | None = None,
    branch: str | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> RunSummary:
    """Invoice every candidate ready up to `until` (today) exactly once.

    A dry run only plans.  `progress` is told of each candidate as the run
    passes it: "invoiced", "skipped", "failed" or ANOTHER_RUN.
    """
    actor.require(Permission.RUN_INVOICING)
    if until is None:
        with db.read() as session:
            until = branch_today(session, actor)
    summary = RunSummary(until, branch, dry_run)
    summary.planned = plan_run(db, actor, until, branch)
    tell = _Teller(len(summary.planned), progress)
    for item in summary.planned:
        if not item.will_invoice:
            summary.skipped.append((item.candidate, item.reason))
            tell(item, "skipped")
    if dry_run:
        return summary
    todo = [item for item in summary.planned if item.will_invoice]
    size = max(1, chunk)
    for start in range(0, len(todo), size):
        _run_chunk(db, actor, todo[start : start + size], summary, tell)
    log.info(
        "invoicing run to %s: %d invoiced, %d skipped, %d failed",
        until,
        len(summary.invoiced),
        len(summary.skipped),
        len(summary.failed),
    )
    return summary


class _Teller:
    """Counts the candidates passed and tells the progress callback."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.progress = progress

    def __call__(self, item: Planned, outcome: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, item, outcome)


class _AlreadyInvoiced(Exception):
    """Another run wrote an invoice of the chunk first; the chunk is undone."""


def _run_chunk(
    db: Database,
    actor: Actor,
    items: list[Planned],
    summary: RunSummary,
    tell: _Teller,
) -> None:
    """Invoice the items in one transaction; on any trouble, one at a time."""
    try:
        with db.write() as session:
            numbers = _write_chunk(session, actor, items)
    except Exception as failure:
        if len(items) > 1:
            # The chunk was rolled back whole, numbers and all: each of its
            # candidates goes again in a transaction of its own, so one bad
            # candidate or one billed by another run holds up no other.
            for item in items:
                _run_chunk(db, actor, [item], summary, tell)
            return
        item = items[0]
        if isinstance(failure, _AlreadyInvoiced):
            summary.skipped.append((item.candidate, ANOTHER_RUN))
            tell(item, ANOTHER_RUN)
            return
        if not isinstance(failure, DealerError):
            log.exception("invoicing %s failed", item.candidate.title)
        message = getattr(failure, "message", None) or type(failure).__name__
        summary.failed.append((item.candidate, message))
        tell(item, "failed")
        return
    for item, number in zip(items, numbers, strict=True):
        candidate = item.candidate
        assert item.priced is not None
        total = item.priced.totals.payable_amount
        summary.invoiced.append((candidate, number, total))
        summary.add_taxes(item.priced)
        log.info(
            "invoiced %s: %s %s for %s, %s",
            number,
            candidate.source_kind,
            candidate.source_ref,
            candidate.payer,
            total,
        )
        tell(item, "invoiced")


def _bulk_insert(
    connection: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    once: bool = False,
) -> None:
    """Insert many rows in one driver call, each value through its column type.

    The values are made ready for the driver here, row by row, as
    SQLAlchemy would, without its per-row bookkeeping: the run spends its
    time on invoices, not on parameters.  `once` skips a row whose source
    is invoiced already.
    """
    if not rows:
        return
    # A column left out takes its default, as the model would give it.
    defaults = {
        column.key: column.default.arg
        if column.default.is_scalar
        else column.default.arg(None)
        for column in table.columns
        if column.key not in rows[0] and column.default is not None
    }
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    sql, order, positional, converters = _prepared(
        connection.dialect, table, tuple(rows[0]), once
    )
    remembering = [(index, _remembering(convert)) for index, convert in converters]
    pick = itemgetter(*order)
    params: list[Any] = []
    for row in rows:
        values = list(pick(row)) if len(order) > 1 else [pick(row)]
        for index, convert in remembering:
            values[index] = convert(values[index])
        params.append(
            tuple(values) if positional else dict(zip(order, values, strict=True))
        )
    connection.exec_driver_sql(sql, params)


@lru_cache(maxsize=64)
def _prepared(
    dialect: Dialect, table: Table, names: tuple[str, ...], once: bool
) -> tuple[str, tuple[str, ...], bool, tuple[tuple[int, Any], ...]]:
    """An insert compiled for these columns, and how its values are made ready.

    Positional drivers take the values in the statement's order, the others
    by name; either way only the values whose type converts them go through
    a converter.  Compiled once per table and set of columns.
    """
    statement: Insert = insert(table)
    if once:
        make = postgresql_insert if dialect.name == "postgresql" else sqlite_insert
        statement = make(table).on_conflict_do_nothing(
            index_elements=["source_kind", "source_ref", "source_payer"]
        )
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup or ()) if compiled.positional else names
    converters = tuple(
        (index, convert)
        for index, name in enumerate(order)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    )
    return compiled.string, order, compiled.positional, converters


def _remembering(converter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The converter, giving a value it has seen before its answer at once.

    A chunk repeats many values (its day, its instant, rates, 0.00), and a
    column type converts equal values to equal driver values.
    """
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = converter(value)
            return converted
        except TypeError:  # a value that cannot be a key, such as a dict
            return converter(value)

    return convert


def _write_chunk(session: Session, actor: Actor, items: list[Planned]) -> list[str]:
    """Post the invoices of the items together; their numbers in order.

    Each table takes its rows of the whole chunk in one statement.  Raises
    _AlreadyInvoiced when another run has billed any of the candidates
    since they were planned, so that no number is lost to them.
    """
    connection = session.connection()
    headings = []
    numbers = []
    blocks: dict[int, NumberBlock] = {}
    sellers: dict[int, dict[str, str]] = {}
    days: dict[int, date] = {}
    series, prefix = SERIES[INVOICE]
    for item in items:
        branch, account, priced = item.branch, item.account, item.priced
        assert branch is not None and account is not None and priced is not None
        if branch.id not in days:
            days[branch.id] = clock.local_today(branch.time_zone)
            sellers[branch.id] = seller_values(session, branch)
        day = days[branch.id]
        if day.year not in blocks:
            blocks[day.year] = NumberBlock(session, series, day.year, prefix)
        number = blocks[day.year].take()
        heading = invoice_values(
            session,
            actor,
            item.candidate,
            account,
            branch,
            day,
            seller=sellers[branch.id],
        )
        heading.update(totals_values(priced))
        heading.update(
            status=POSTED,
            number=number,
            due_date=day + timedelta(days=account.payment_terms_days),
            posted_at=heading["created_at"],
            posted_by_id=actor.user_id,
            open_amount=heading["total"],
        )
        headings.append(heading)
        numbers.append(number)
    # Both databases skip a source billed already the same way (ON CONFLICT
    # ... DO NOTHING); only the statement's class differs.
    _bulk_insert(connection, Invoice.__table__, headings, once=True)
    # Nobody else takes numbers of the series while its counter is locked,
    # so a number missing here is a candidate another run billed first.
    written = dict(
        connection.execute(
            select(Invoice.number, Invoice.id).where(Invoice.number.in_(numbers))
        ).all()
    )
    if len(written) != len(items):
        raise _AlreadyInvoiced()
    lines, taxes, audit_rows = [], [], []
    for item, number in zip(items, numbers, strict=True):
        assert item.priced is not None
        invoice_id = written[number]
        lines += [{**v, "invoice_id": invoice_id} for v in line_values(item.priced)]
        taxes += [{**v, "invoice_id": invoice_id} for v in tax_values(item.priced)]
        audit_rows.append(_audit_row(actor, invoice_id, number, item))
        item.source.invoiced(session, item.candidate, invoice_id, number)
    _bulk_insert(connection, InvoiceLine.__table__, lines)
    _bulk_insert(connection, InvoiceTax.__table__, taxes)
    _bulk_insert(connection, AuditEntry.__table__, audit_rows)
    for block in blocks.values():
        block.close()
    return numbers


def _audit_row(
    actor: Actor, invoice_id: int, number: str, item: Planned
) -> dict[str, Any]:
    assert item.priced is not None
    totals = item.priced.totals
    candidate = item.candidate
    return {
        "at": utc_now(),
        "user_id": actor.user_id,
        "action": "post",
        "entity": "invoice",
        "entity_id": str(invoice_id),
        "before": None,
        "after": {
            "status": "posted",
            "number": number,
            "source": f"{candidate.source_kind} {candidate.source_ref}",
            "payer": candidate.payer,
            "total": plain(totals.payable_amount),
            "tax_total": plain(totals.tax_total),
        },
        "note": "batch run",
    }
