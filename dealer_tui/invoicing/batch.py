"""The batch run: invoice everything ready up to a date, each exactly once.

A run asks every registered source for its candidates, decides for each
whether it will be invoiced or skipped (and why), and then posts the
invoices a chunk at a time.  A chunk is one transaction: its invoices are
written whole or not at all, so a run killed at any point leaves whole
invoices behind and the next run finishes the rest.  The database refuses
a second invoice for the same source, payer included, so two runs started
at once bill each candidate once; the run that comes second counts those
as invoiced by another run.

A chunk is written as a few statements, not a few per invoice: each table
takes the chunk's rows at once, its numbers come from one block of the
series, and each source marks its candidates of the chunk billed together.
A candidate that cannot go with its chunk (billed by another run, refused
by its source) is taken out and the rest written again under the same
numbers, so the series stays without a gap.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core import clock
from dealer_tui.core.audit import plain
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError
from dealer_tui.core.models import AuditEntry, Branch
from dealer_tui.core.numbering import NumberBlock
from dealer_tui.invoicing.bulk import insert_many
from dealer_tui.invoicing.document import INVOICE, Priced, PricedLine, price
from dealer_tui.invoicing.models import POSTED, Invoice, InvoiceLine, InvoiceTax
from dealer_tui.invoicing.services import (
    SERIES,
    branch_today,
    buyer_values,
    invoice_values,
    line_values,
    seller_values,
    tax_values,
    totals_values,
)
from dealer_tui.invoicing.sources import (
    PAYERS,
    Billed,
    Candidate,
    InvoiceSource,
    SourceLine,
    registered_sources,
)
from dealer_tui.invoicing.tax import TaxCategory, jurisdiction_for
from dealer_tui.invoicing.totals import InvalidDocument

log = logging.getLogger(__name__)

NO_MONEY = Decimal("0.00")
# Invoices written per transaction.  Larger chunks run faster; a smaller
# one holds the number series for less time while workstations post.
CHUNK = 1000
ANOTHER_RUN = "already invoiced by another run"
# Keys named in one statement: well under what either database takes.
IN_LIST = 500


class BuyerAccount(NamedTuple):
    """What a run needs of a customer account: its terms and how it is named."""

    id: int
    number: str
    name: str
    tax_id: str
    street: str
    suburb: str
    state: str
    postcode: str
    country: str
    payment_terms_days: int
    credit_hold: bool


@dataclass(frozen=True, slots=True)
class Planned:
    """A candidate and what the run will do with it."""

    candidate: Candidate
    source: InvoiceSource
    reason: str = ""
    priced: Priced | None = None
    account: BuyerAccount | None = None
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
    pricer = _Pricer()
    planned = []
    for source, candidate in found:
        key = (candidate.source_kind, candidate.source_ref, candidate.payer)
        account = accounts.get(candidate.account_id or 0)
        at = branches.get(candidate.branch_code)
        reason = _skip_reason(candidate, until, existing, account, at, key in seen)
        seen.add(key)
        priced = None
        if not reason:
            assert at is not None
            priced, reason = pricer(
                source.lines(candidate), at.country, candidate.prices_include_tax
            )
        planned.append(Planned(candidate, source, reason, priced, account, at))
    return planned


def _existing(session: Session, candidates: Sequence[Candidate]) -> dict[tuple, str]:
    """Invoices already made for any of the candidates: key -> how to say so."""
    wanted = {(c.source_kind, c.source_ref, c.payer) for c in candidates}
    refs: dict[str, list[str]] = {}
    for kind, ref in sorted({key[:2] for key in wanted}):
        refs.setdefault(kind, []).append(ref)
    found: dict[tuple, str] = {}
    # A kind and a list of references find their rows through the unique
    # index on the source; a list of whole keys would read every invoice.
    for kind, kind_refs in refs.items():
        for start in range(0, len(kind_refs), IN_LIST):
            rows = session.execute(
                select(Invoice.source_ref, Invoice.source_payer, Invoice.number).where(
                    Invoice.source_kind == kind,
                    Invoice.source_ref.in_(kind_refs[start : start + IN_LIST]),
                )
            )
            for ref, payer, number in rows:
                if (kind, ref, payer) in wanted:
                    found[kind, ref, payer] = (
                        f"already invoiced: {number}"
                        if number
                        else "already invoiced: a draft"
                    )
    return found


def _accounts(session: Session, ids: set[int | None]) -> dict[int, BuyerAccount]:
    wanted = sorted(i for i in ids if i)
    columns = [getattr(Account, name) for name in BuyerAccount._fields]
    accounts: dict[int, BuyerAccount] = {}
    for start in range(0, len(wanted), IN_LIST):
        rows = session.execute(
            select(*columns).where(Account.id.in_(wanted[start : start + IN_LIST]))
        )
        accounts.update((row[0], BuyerAccount(*row)) for row in rows)
    return accounts


def _skip_reason(
    candidate: Candidate,
    until: date,
    existing: dict[tuple, str],
    account: BuyerAccount | None,
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


class _Pricer:
    """Prices candidates' lines, each distinct set of figures once.

    A run bills many jobs with the same figures (an oil change at the
    same hours and price, at the same rate); their nets and totals are the
    same, so only their lines' wording is put on a copy.  Figures that are
    not plain decimals are priced every time, so that what pricing refuses
    is still refused line by line.
    """

    def __init__(self) -> None:
        self._known: dict[tuple, tuple[Priced | None, str]] = {}

    def __call__(
        self, given: Sequence[SourceLine], country: str, prices_include_tax: bool
    ) -> tuple[Priced | None, str]:
        lines = tuple(given)
        if not lines:
            return None, "missing data: no lines to invoice"
        key = _figures(lines, country, prices_include_tax)
        if key is None:
            return _priced(lines, country, prices_include_tax)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = _priced(lines, country, prices_include_tax)
            return known
        priced, reason = known
        if priced is None or all(
            p.line is line for p, line in zip(priced.lines, lines, strict=True)
        ):
            return known
        return (
            Priced(
                tuple(
                    PricedLine(p.position, line, p.category, p.rate, p.net_amount)
                    for p, line in zip(priced.lines, lines, strict=True)
                ),
                priced.totals,
            ),
            reason,
        )


def _figures(
    lines: tuple[SourceLine, ...], country: str, prices_include_tax: bool
) -> tuple | None:
    """What pricing depends on, or None when a figure is not a plain decimal.

    Equal decimals price alike whatever their places (every amount is
    rounded to the cent), but an int, a bool or a float may be refused
    where its equal decimal is not, so those are never looked up.
    """
    figures = []
    for line in lines:
        rate = line.rate
        if (
            type(line.quantity) is not Decimal
            or type(line.unit_price) is not Decimal
            or type(line.discount) is not Decimal
            or (rate is not None and type(rate) is not Decimal)
            or not isinstance(line.category, str)
            or not isinstance(line.line_kind, str)
        ):
            return None
        figures.append(
            (
                line.line_kind,
                line.quantity,
                line.unit_price,
                line.discount,
                line.category,
                rate,
            )
        )
    key = (country, prices_include_tax, tuple(figures))
    try:
        hash(key)
    except TypeError:  # a signalling NaN
        return None
    return key


def _priced(
    lines: Sequence[SourceLine], country: str, prices_include_tax: bool
) -> tuple[Priced | None, str]:
    try:
        return (
            price(
                lines,
                jurisdiction_for(country),
                prices_include_tax=prices_include_tax,
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
    with _collector_paused(), _log_copied_once(db):
        return _run(db, actor, until, branch, dry_run, progress, chunk)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold Python's cycle collector off while a run works.

    A run keeps every candidate, its lines and its pricing until it ends,
    hundreds of thousands of objects none of which is garbage; a collector
    left on walks them all again and again as they pile up, for no gain.
    What the run leaves as cyclic garbage is collected once it is over.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# Pages a run lets its SQLite log (WAL) grow to before copying it into the
# database (4 KiB each, 400 MiB); past that a commit copies it as usual.
_LOG_PAGES = 100_000
# What a run's SQLite connections are set to while it works, and given
# back after.
_RUN_SETTINGS = (("wal_autocheckpoint", _LOG_PAGES),)


@contextmanager
def _log_copied_once(db: Database) -> Iterator[None]:
    """On SQLite, copy the run's log into the database once, when it ends.

    SQLite copies its log into the database file at the first commit that
    finds the log over 1,000 pages, which every chunk of a run is: each
    chunk would copy and sync again the pages the chunk before wrote (the
    ends of the tables and their indexes).  For the run's time the log is
    let grow instead, up to a bound, and copied once at the end, as the
    commit would have done.  Nothing changes on PostgreSQL.
    """
    if not db.is_sqlite:
        yield
        return

    run_thread = threading.get_ident()

    def deferred(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if threading.get_ident() != run_thread:
            return  # another thread's work commits as it always does
        cursor = dbapi_connection.cursor()
        try:
            if _RUN_SETTINGS[0][0] not in record.info:
                for name, _ in _RUN_SETTINGS:
                    record.info[name] = cursor.execute(f"PRAGMA {name}").fetchone()[0]
            for name, value in _RUN_SETTINGS:
                cursor.execute(f"PRAGMA {name}={value}")
        finally:
            cursor.close()

    def restored(dbapi_connection: Any, record: Any) -> None:
        given_back = [
            (name, int(record.info.pop(name)))
            for name, _ in _RUN_SETTINGS
            if name in record.info
        ]
        if dbapi_connection is None:  # closed, not returned
            return
        for name, value in given_back:
            dbapi_connection.execute(f"PRAGMA {name}={value}")

    pool = db.engine.pool
    event.listen(pool, "checkout", deferred)
    event.listen(pool, "checkin", restored)
    try:
        yield
    finally:
        event.remove(pool, "checkout", deferred)
        try:
            # Copy the log now, as a commit would have (outside a transaction).
            connection = db.engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                cursor.close()
            finally:
                connection.close()
        finally:
            event.remove(pool, "checkin", restored)


def _run(
    db: Database,
    actor: Actor,
    until: date | None,
    branch: str | None,
    dry_run: bool,
    progress: Progress | None,
    chunk: int,
) -> RunSummary:
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


class _LeftOut(Exception):
    """Candidates of a chunk that cannot be invoiced with it; the chunk is undone.

    `outcomes` holds, by position in the chunk, what became of each:
    ("skipped", ANOTHER_RUN) when another run billed it first, or
    ("failed", why) when its source refused to mark it billed.
    """

    def __init__(self, outcomes: dict[int, tuple[str, str]]) -> None:
        super().__init__(outcomes)
        self.outcomes = outcomes


def _run_chunk(
    db: Database,
    actor: Actor,
    items: list[Planned],
    summary: RunSummary,
    tell: _Teller,
) -> None:
    """Invoice the items in one transaction, leaving out any that cannot be.

    A candidate another run billed first, or one its source refuses to
    mark, is taken out and the rest of the chunk written again whole, with
    the same numbers.  On any other trouble the candidates go one at a
    time, so that one bad candidate holds up no other.
    """
    outcomes: dict[int, tuple[str, str]] = {}
    pending = list(range(len(items)))
    numbers: list[str] = []
    while pending:
        try:
            with db.write() as session:
                numbers = _write_chunk(session, actor, [items[i] for i in pending])
            break
        except _LeftOut as left_out:
            # Rolled back whole, numbers and all.
            for position, outcome in left_out.outcomes.items():
                outcomes[pending[position]] = outcome
            pending = [i for n, i in enumerate(pending) if n not in left_out.outcomes]
            numbers = []
        except Exception as failure:
            if len(pending) > 1:
                for index, item in enumerate(items):
                    if index in outcomes:
                        _report(items[index], *outcomes[index], summary, tell)
                    else:
                        _run_chunk(db, actor, [item], summary, tell)
                return
            if not isinstance(failure, DealerError):
                log.exception("invoicing %s failed", items[pending[0]].candidate.title)
            message = getattr(failure, "message", None) or type(failure).__name__
            outcomes[pending[0]] = ("failed", message)
            pending = []
    written = dict(zip(pending, numbers, strict=True))
    for index, item in enumerate(items):
        if index in written:
            _invoiced(item, written[index], summary, tell)
        else:
            _report(item, *outcomes[index], summary, tell)


def _invoiced(item: Planned, number: str, summary: RunSummary, tell: _Teller) -> None:
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


def _report(
    item: Planned, outcome: str, reason: str, summary: RunSummary, tell: _Teller
) -> None:
    """A candidate left out: skipped (billed by another run) or failed."""
    if outcome == "failed":
        summary.failed.append((item.candidate, reason))
        tell(item, "failed")
    else:
        summary.skipped.append((item.candidate, reason))
        tell(item, ANOTHER_RUN)


def _write_chunk(session: Session, actor: Actor, items: list[Planned]) -> list[str]:
    """Post the invoices of the items together; their numbers in order.

    Each table takes its rows of the whole chunk in one statement, and each
    source marks its candidates of the chunk billed at once.  Raises
    _LeftOut, before anything is committed, naming the candidates another
    run has billed since they were planned and those their source refuses,
    so that no number is lost to them.
    """
    connection = session.connection()
    at = clock.now()
    headings = []
    numbers = []
    blocks: dict[int, NumberBlock] = {}
    sellers: dict[int, dict[str, str]] = {}
    buyers: dict[int, dict[str, Any]] = {}
    days: dict[int, date] = {}
    series, prefix = SERIES[INVOICE]
    posting = {
        "status": POSTED,
        "created_at": at,
        "updated_at": at,
        "posted_at": at,
        "posted_by_id": actor.user_id,
    }
    for item in items:
        branch, account, priced = item.branch, item.account, item.priced
        assert branch is not None and account is not None and priced is not None
        if branch.id not in days:
            days[branch.id] = clock.local_today(branch.time_zone, at)
            sellers[branch.id] = seller_values(session, branch)
        if account.id not in buyers:
            buyers[account.id] = buyer_values(account)  # type: ignore[arg-type]
        day = days[branch.id]
        if day.year not in blocks:
            blocks[day.year] = NumberBlock(session, series, day.year, prefix)
        number = blocks[day.year].take()
        heading = invoice_values(
            session,
            actor,
            item.candidate,
            account,  # type: ignore[arg-type]
            branch,
            day,
            seller=sellers[branch.id],
            buyer=buyers[account.id],
        )
        heading.update(totals_values(priced))
        heading.update(posting)
        heading["number"] = number
        heading["due_date"] = day + timedelta(days=account.payment_terms_days)
        heading["open_amount"] = heading["total"]
        headings.append(heading)
        numbers.append(number)
    # Both databases skip a source billed already the same way (ON CONFLICT
    # ... DO NOTHING); only the statement's class differs.
    insert_many(connection, Invoice.__table__, headings, once_per_source=True)
    # Nobody else takes numbers of the series while its counter is locked,
    # so a number missing here is a candidate another run billed first.
    written: dict[str, int] = {}
    for start in range(0, len(numbers), IN_LIST):
        written.update(
            connection.execute(
                select(Invoice.number, Invoice.id).where(
                    Invoice.number.in_(numbers[start : start + IN_LIST])
                )
            ).all()
        )
    if len(written) != len(items):
        raise _LeftOut(
            {
                position: ("skipped", ANOTHER_RUN)
                for position, number in enumerate(numbers)
                if number not in written
            }
        )
    lines, taxes, audit_rows = [], [], []
    billed: dict[int, list[tuple[int, Billed]]] = {}
    sources: dict[int, InvoiceSource] = {}
    for position, (item, number) in enumerate(zip(items, numbers, strict=True)):
        assert item.priced is not None
        invoice_id = written[number]
        for values in line_values(item.priced):
            values["invoice_id"] = invoice_id
            lines.append(values)
        for values in tax_values(item.priced):
            values["invoice_id"] = invoice_id
            taxes.append(values)
        audit_rows.append(_audit_row(actor, invoice_id, number, item, at))
        sources[id(item.source)] = item.source
        billed.setdefault(id(item.source), []).append(
            (position, Billed(item.candidate, invoice_id, number))
        )
    insert_many(connection, InvoiceLine.__table__, lines)
    insert_many(connection, InvoiceTax.__table__, taxes)
    insert_many(connection, AuditEntry.__table__, audit_rows)
    refused: dict[int, tuple[str, str]] = {}
    for key, group in billed.items():
        refusals = sources[key].note_invoiced(session, actor, [b for _, b in group], at)
        refused.update(
            (position, ("failed", refusals[b]))
            for position, b in group
            if b in refusals
        )
    if refused:
        raise _LeftOut(refused)
    for block in blocks.values():
        block.close()
    return numbers


def _audit_row(
    actor: Actor, invoice_id: int, number: str, item: Planned, at: datetime
) -> dict[str, Any]:
    assert item.priced is not None
    totals = item.priced.totals
    candidate = item.candidate
    return {
        "at": at,
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
