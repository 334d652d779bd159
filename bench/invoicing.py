"""Batch invoicing next to the raw insert rate, and concurrent posting.

The batch run invoices finished workshop jobs of the generated dealership
(20,000 at the largest size) through `run_invoicing`, as `dealer invoice
run` does: list, plan, price, number, write, mark the jobs, audit.  The
jobs come from the workshop's own invoice source; each run bills them
under a source name of its own and sets them waiting again afterwards
(untimed), so that every run, and every later benchmark, has the same
work to do.

The raw rate is the same rows (the run's invoices with their lines, taxes
and audit entries) inserted again with the driver in one transaction,
under other numbers, and rolled back after timing: what the database can
take.  The ratio of the two is the figure that counts.

Concurrent posting (PostgreSQL): eight processes post drafts at once, as
eight workstations would; afterwards every invoice number of the year is
checked for a gap or a duplicate.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bench.context import Bench
from bench.measure import AT_LEAST, AT_MOST, Budget, Result
from dealer_tui.accounts.models import Account
from dealer_tui.core import clock
from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.models import AuditEntry
from dealer_tui.core.services import batch_actor
from dealer_tui.invoicing.batch import run_invoicing
from dealer_tui.invoicing.models import Invoice
from dealer_tui.invoicing.services import (
    DraftForm,
    LineForm,
    create_draft,
    post_invoice,
)
from dealer_tui.invoicing.sources import (
    Billed,
    Candidate,
    InvoiceSource,
    Refusals,
    SourceLine,
    register_source,
    registered_sources,
    source_for,
    unregister_source,
)
from dealer_tui.workshop.jobs import INVOICE_READY, JobStatus
from dealer_tui.workshop.models import JobInvoicing, WorkshopJob

BATCH_RATIO = Budget(0.25, AT_LEAST, on="median")
NO_GAPS = Budget(0, AT_MOST, on="median")
INVOICING_USER = "jo.admin"
WORKERS = 8
BATCH_RUNS = 3
WORKSHOP_SOURCE = "workshop_job"
# The generated jobs are Melbourne's, finished on Melbourne's days.
WORKSHOP_ZONE = "Australia/Melbourne"


@dataclass
class Rebilled:
    """The workshop's own invoice source, under a source name of the run's own.

    Candidates and the marking of billed jobs are the workshop's; only the
    name differs, so that the jobs a run billed can be billed again by the
    next run once `put_back` has set them waiting again.
    """

    workshop: InvoiceSource
    kind: str
    limit: int
    until: date
    title: str = "finished workshop job"

    def candidates(
        self, db: Database, actor: Actor, until: date, branch: str | None
    ) -> Iterable[Candidate]:
        found = self.workshop.candidates(db, actor, self.until, branch)
        return [replace(c, source_kind=self.kind) for c in islice(found, self.limit)]

    def lines(self, candidate: Candidate) -> Sequence[SourceLine]:
        return self.workshop.lines(candidate)

    def note_invoiced(
        self, session: Session, actor: Actor, billed: Sequence[Billed], at: datetime
    ) -> Refusals:
        return self.workshop.note_invoiced(session, actor, billed, at)


def put_back(db: Database, kind: str) -> None:
    """Set the jobs a run billed waiting to be invoiced again, as they were."""
    billed = select(Invoice.source_ref).where(Invoice.source_kind == kind)
    jobs = select(WorkshopJob.id).where(WorkshopJob.number.in_(billed))
    with db.write() as session:
        session.execute(
            update(JobInvoicing)
            .where(JobInvoicing.job_id.in_(jobs))
            .values(
                status=INVOICE_READY,
                invoice_reference="",
                invoiced_at=None,
                invoiced_by_id=None,
            )
        )
        session.execute(
            update(WorkshopJob)
            .where(WorkshopJob.number.in_(billed))
            .values(status=JobStatus.FINISHED.value, closed_at=None)
        )


def eligible(bench: Bench) -> int:
    """How many jobs a batch run bills: 20,000 at the largest size."""
    return min(bench.scale.ready_jobs, max(20, round(20_000 * bench.scale.factor)))


def _cut_off(bench: Bench, count: int) -> Any:
    """The finish time of the count-th oldest job waiting to be invoiced."""
    with bench.db.read() as session:
        return session.scalar(
            select(WorkshopJob.finished_at)
            .join(JobInvoicing, JobInvoicing.job_id == WorkshopJob.id)
            .where(
                WorkshopJob.status == JobStatus.FINISHED.value,
                JobInvoicing.status == INVOICE_READY,
            )
            .order_by(WorkshopJob.finished_at, WorkshopJob.id)
            .offset(count - 1)
            .limit(1)
        )


def batch(bench: Bench) -> list[Result]:
    """Invoices per second of batch runs, and of raw inserts of the same rows."""
    count = eligible(bench)
    actor = bench.actor(INVOICING_USER)
    runs = Result("batch invoicing", f"batch run of {count:,} jobs", "s", items=count)
    rate = Result("batch invoicing", "batch run", "invoices/s")
    raw = Result("batch invoicing", "raw insert of the same rows", "invoices/s")
    ratio = Result("batch invoicing", "batch / raw insert", "x", budget=BATCH_RATIO)
    until = clock.local(_cut_off(bench, count), WORKSHOP_ZONE).date()
    workshop = source_for(WORKSHOP_SOURCE)
    if workshop is None:
        raise RuntimeError("the workshop offers no invoice source")
    kept = registered_sources()
    for source in kept:
        unregister_source(source.kind)
    try:
        for run in range(max(1, min(bench.runs, BATCH_RUNS))):
            kind = f"bench-{int(time.time()) % 10**8}-{run}"
            register_source(Rebilled(workshop, kind, count, until))
            with bench.db.read() as session:
                audit_before = session.scalar(select(func.max(AuditEntry.id))) or 0
            started = time.perf_counter()
            summary = run_invoicing(bench.db, actor)
            seconds = time.perf_counter() - started
            unregister_source(kind)
            put_back(bench.db, kind)
            made = len(summary.invoiced)
            if not made:
                reasons = summary.skip_reasons.most_common(3)
                raise RuntimeError(f"the batch run invoiced nothing: {reasons}")
            runs.samples.append(seconds)
            rate.samples.append(made / seconds)
            raw_rate = raw_insert_rate(bench.db, kind, audit_before)
            raw.samples.append(raw_rate)
            ratio.samples.append(made / seconds / raw_rate)
            runs.note = (
                f"{made:,} invoiced, {len(summary.skipped):,} skipped, "
                f"{len(summary.failed):,} failed"
            )
    finally:
        for source in kept:
            register_source(source)
    return [runs, rate, raw, ratio]


# --------------------------------------------------------------------------
# The raw rate
# --------------------------------------------------------------------------


def raw_insert_rate(db: Database, kind: str, audit_after: int) -> float:
    """Invoices per second inserting the run's rows again in one transaction.

    The rows are read back as stored and written with the driver under
    new ids, numbers and source names; the transaction is rolled back
    once timed, so the database is left as it was.
    """
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        mark = "?" if db.is_sqlite else "%s"
        where = f"source_kind = {mark}"
        tables = {
            "invoices": _select(cursor, f"SELECT * FROM invoices WHERE {where}", kind),
            "invoice_lines": _select(
                cursor,
                "SELECT * FROM invoice_lines WHERE invoice_id IN "
                f"(SELECT id FROM invoices WHERE {where})",
                kind,
            ),
            "invoice_taxes": _select(
                cursor,
                "SELECT * FROM invoice_taxes WHERE invoice_id IN "
                f"(SELECT id FROM invoices WHERE {where})",
                kind,
            ),
            "audit_log": _select(
                cursor,
                f"SELECT * FROM audit_log WHERE id > {mark} AND entity = 'invoice'",
                audit_after,
            ),
        }
        if not db.is_sqlite:
            connection.rollback()
        copies = _renumbered(cursor, tables, kind, db.is_sqlite)
        quote = db.engine.dialect.identifier_preparer.quote
        if db.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        started = time.perf_counter()
        for table, (columns, rows) in copies.items():
            names = ", ".join(quote(c) for c in columns)
            marks = ", ".join([mark] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        seconds = time.perf_counter() - started
        if db.is_sqlite:
            cursor.execute("ROLLBACK")
        else:
            connection.rollback()
        return len(copies["invoices"][1]) / seconds
    finally:
        connection.close()


Rows = tuple[list[str], list[list[Any]]]


def _select(cursor: Any, sql: str, value: Any) -> Rows:
    cursor.execute(sql, (value,))
    columns = [d[0] for d in cursor.description]
    return columns, [list(row) for row in cursor.fetchall()]


def _renumbered(
    cursor: Any, tables: dict[str, Rows], kind: str, is_sqlite: bool
) -> dict[str, Rows]:
    """The rows under ids past the last, other numbers and another source name."""
    offsets = {}
    for table in tables:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        offsets[table] = cursor.fetchone()[0] + 1
    invoices_columns, invoices = tables["invoices"]
    at = {name: i for i, name in enumerate(invoices_columns)}
    raw_kind = f"raw{kind}"[:20]
    shift = offsets["invoices"]
    for row in invoices:
        row[at["id"]] += shift
        row[at["number"]] = "RAW" + str(row[at["number"]])[3:]
        row[at["source_kind"]] = raw_kind
    for table in ("invoice_lines", "invoice_taxes"):
        columns, rows = tables[table]
        where = {name: i for i, name in enumerate(columns)}
        for row in rows:
            row[where["id"]] += offsets[table]
            row[where["invoice_id"]] += shift
    audit_columns, audit_rows = tables["audit_log"]
    where = {name: i for i, name in enumerate(audit_columns)}
    for row in audit_rows:
        row[where["id"]] += offsets["audit_log"]
        row[where["entity_id"]] = str(int(row[where["entity_id"]]) + shift)
        if not is_sqlite:
            from psycopg.types.json import Json

            for name in ("before", "after"):
                value = row[where[name]]
                row[where[name]] = None if value is None else Json(value)
    return tables


# --------------------------------------------------------------------------
# Concurrent posting
# --------------------------------------------------------------------------


def concurrent(bench: Bench) -> list[Result]:
    """Eight processes posting drafts at once; then the numbers are checked."""
    rate = Result(
        "concurrent posting",
        f"{WORKERS} workstations posting drafts",
        "invoices/s",
    )
    gaps = Result(
        "concurrent posting",
        "gaps and duplicates in the year's invoice numbers",
        "numbers",
        budget=NO_GAPS,
    )
    if bench.db.is_sqlite:
        note = "PostgreSQL only: SQLite takes one writer at a time"
        rate.skipped = gaps.skipped = note
        return [rate, gaps]
    per_worker = max(3, round(50 * bench.scale.factor))
    actor = bench.actor(INVOICING_USER)
    context = multiprocessing.get_context("spawn")
    for _ in range(max(1, min(bench.runs, BATCH_RUNS))):
        drafts = _drafts(bench, actor, WORKERS * per_worker)
        barrier = context.Barrier(WORKERS)
        answers = context.Queue()
        workers = [
            context.Process(
                target=post_drafts,
                args=(bench.url, INVOICING_USER, drafts[n::WORKERS], barrier, answers),
            )
            for n in range(WORKERS)
        ]
        for worker in workers:
            worker.start()
        spans = [answers.get(timeout=600) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        failures = [s for s in spans if isinstance(s, str)]
        if failures:
            raise RuntimeError(f"a worker failed: {failures[0]}")
        posted = sum(len(numbers) for _, _, numbers in spans)
        seconds = max(end for _, end, _ in spans) - min(start for start, _, _ in spans)
        rate.samples.append(posted / seconds)
        rate.note = f"{posted} posted per run"
    missing, doubled, year = number_gaps(bench.db)
    gaps.samples.append(float(missing + doubled))
    gaps.note = f"year {year}: {missing} missing, {doubled} doubled"
    return [rate, gaps]


def _drafts(bench: Bench, actor: Actor, count: int) -> list[tuple[int, int]]:
    """Drafts for customers spread over the accounts: (id, version) each."""
    with bench.db.read() as session:
        total = session.scalar(select(func.count()).select_from(Account)) or 1
        step = max(1, total // count)
        numbers = list(
            session.scalars(
                select(Account.number)
                .where(Account.credit_hold.is_(False))
                .order_by(Account.id)
                .where(Account.id % step == 0)
                .limit(count)
            )
        )
    lines = [
        LineForm("Workshop labour", "2.5", "185.00", unit_code="HUR"),
        LineForm("Oil filter", "2", "45.60"),
    ]
    made = []
    for number in numbers:
        view = create_draft(bench.db, actor, DraftForm(customer=number), lines)
        made.append((view.id, view.version))
    return made


def post_drafts(
    url: str,
    username: str,
    drafts: Sequence[tuple[int, int]],
    barrier: Any,
    answers: Any,
) -> None:
    """One workstation's share: post each draft; tell when it began and ended."""
    try:
        db = Database.open(url)
        actor = batch_actor(db, username)
        numbers = []
        barrier.wait()
        started = time.perf_counter()
        for invoice_id, version in drafts:
            view = post_invoice(db, actor, invoice_id, version)
            numbers.append(view.number)
        answers.put((started, time.perf_counter(), numbers))
        db.dispose()
    except Exception as failure:
        answers.put(f"{type(failure).__name__}: {failure}")


def number_gaps(db: Database) -> tuple[int, int, int]:
    """Numbers missing and numbers doubled in this year's invoice series."""
    year = clock.now().year
    prefix = f"INV{year}-"
    with db.read() as session:
        numbers = list(
            session.scalars(
                select(Invoice.number).where(Invoice.number.like(prefix + "%"))
            )
        )
    counters = sorted(int(n.removeprefix(prefix)) for n in numbers)
    doubled = len(counters) - len(set(counters))
    highest = counters[-1] if counters else 0
    missing = highest - len(set(counters))
    return missing, doubled, year
