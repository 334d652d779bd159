"""Finished workshop jobs are billed by the batch run, each payer's part once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

import dealer_tui.invoicing.batch as batch
from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.models import AuditEntry, Branch
from dealer_tui.core.services import batch_actor
from dealer_tui.invoicing.batch import run_invoicing
from dealer_tui.invoicing.models import Invoice
from dealer_tui.invoicing.sources import (
    register_source,
    registered_sources,
    unregister_source,
)
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop.invoice_source import WORKSHOP_JOBS
from dealer_tui.workshop.models import JobCharge, JobInvoicing, WorkshopJob
from dealer_tui.workshop.services import mark_invoiced
from tests.services.helpers import user
from tests.services.workshop_support import utc, workshop_dealer

UNTIL = date(2026, 12, 31)


def test_the_demo_job_is_invoiced_once(demo_db: Database) -> None:
    """JOB2026-000001 is invoiced to its customer; the warranty part is skipped."""
    admin = batch_actor(demo_db, "jo.admin")
    first = run_invoicing(demo_db, admin, date(2026, 12, 31))
    billed = {c.source_ref for c, *_ in first.invoiced}
    assert "JOB2026-000001" in billed
    skipped = {c.source_ref: reason for c, reason in first.skipped}
    assert "no account to bill" in skipped["JOB2026-000002"]
    with demo_db.read() as session:
        status = session.scalar(
            select(WorkshopJob.status).where(WorkshopJob.number == "JOB2026-000001")
        )
    assert status == "invoiced"
    again = run_invoicing(demo_db, admin, date(2026, 12, 31))
    assert not again.invoiced


@pytest.fixture
def workshop_only() -> Iterator[None]:
    """The run asks the workshop alone, whatever else is registered."""
    kept = registered_sources()
    for source in kept:
        unregister_source(source.kind)
    register_source(WORKSHOP_JOBS)
    try:
        yield
    finally:
        unregister_source(WORKSHOP_JOBS.kind)
        for source in kept:
            register_source(source)


def _finished_jobs(db: Database, count: int, contract_on: int = 0) -> Actor:
    """`count` jobs of C1's truck finished in November, an oil change each.

    Job JOB2026-90000n bills 1.5 h at 180.00 to the customer; job number
    `contract_on` also bills a road test, 0.5 h at 180.00, to a contract.
    Returns the sales administrator, who runs the invoicing.
    """
    workshop_dealer(db)
    with db.write() as session:
        branch_id = session.scalar(select(Branch.id).where(Branch.code == "MEL"))
        vehicle = session.scalars(
            select(Vehicle).where(Vehicle.registration == "AAA111")
        ).one()
        for n in range(1, count + 1):
            finished = utc(2026, 11, 2, 1, n)
            job = WorkshopJob(
                number=f"JOB2026-9{n:05d}",
                branch_id=branch_id,
                source="customer",
                status="finished",
                customer_id=vehicle.owner_id,
                vehicle_id=vehicle.id,
                estimate_labour=D("270.00"),
                estimate_parts=D("0.00"),
                finished_at=finished,
            )
            session.add(job)
            session.flush()
            payers = ["customer", "contract"] if n == contract_on else ["customer"]
            for position, payer in enumerate(payers, start=1):
                session.add(
                    JobCharge(
                        job_id=job.id,
                        payer=payer,
                        position=position,
                        kind="labour",
                        code="OIL100" if payer == "customer" else "ROAD900",
                        description="Service" if payer == "customer" else "Road test",
                        quantity=D("1.5") if payer == "customer" else D("0.5"),
                        unit_price=D("180.00"),
                        tax_category="S",
                    )
                )
                session.add(
                    JobInvoicing(
                        job_id=job.id, payer=payer, status="ready", ready_at=finished
                    )
                )
    return user(db, "sales_admin")


def _parts(db: Database) -> dict[tuple[str, str], tuple[str, str]]:
    """(job, payer) -> (status, invoice reference) of every part."""
    with db.read() as session:
        rows = session.execute(
            select(
                WorkshopJob.number,
                JobInvoicing.payer,
                JobInvoicing.status,
                JobInvoicing.invoice_reference,
            ).join(WorkshopJob, WorkshopJob.id == JobInvoicing.job_id)
        ).all()
    return {(job, payer): (status, ref) for job, payer, status, ref in rows}


def _jobs(db: Database) -> dict[str, tuple[str, int]]:
    with db.read() as session:
        rows = session.execute(
            select(WorkshopJob.number, WorkshopJob.status, WorkshopJob.version)
        ).all()
    return {number: (status, version) for number, status, version in rows}


def test_a_run_marks_every_billed_job_with_its_invoice_number(
    db: Database, workshop_only: None
) -> None:
    """Seven jobs in chunks of three: every part invoiced under its own number.

    Job 3's customer and contract parts are both billed, so it is invoiced
    once both are marked; every job is invoiced, its version moved on, and
    each part leaves one audit entry naming the invoice.
    """
    admin = _finished_jobs(db, 7, contract_on=3)
    summary = run_invoicing(db, admin, UNTIL, chunk=3)
    assert summary.failed == []
    numbers = {(c.source_ref, c.payer): n for c, n, _ in summary.invoiced}
    assert len(numbers) == 8
    assert _parts(db) == {key: ("invoiced", n) for key, n in numbers.items()}
    assert set(_jobs(db).values()) == {("invoiced", 2)}
    # 1.5 h x 180.00 = 270.00 + GST 27.00; the road test 90.00 + 9.00.
    totals = {(c.source_ref, c.payer): t for c, _, t in summary.invoiced}
    assert totals[("JOB2026-900003", "contract")] == D("99.00")
    assert totals[("JOB2026-900001", "customer")] == D("297.00")
    with db.read() as session:
        marked = session.execute(
            select(AuditEntry.after, AuditEntry.user_id).where(
                AuditEntry.entity == "workshop_job",
                AuditEntry.action == "invoiced",
            )
        ).all()
        closed = set(session.scalars(select(WorkshopJob.closed_at)))
    assert sorted(after["invoice"] for after, _ in marked) == sorted(numbers.values())
    assert {user_id for _, user_id in marked} == {admin.user_id}
    assert None not in closed
    assert run_invoicing(db, admin, UNTIL).invoiced == []


def test_a_job_billed_meanwhile_fails_alone_and_the_rest_of_its_chunk_is_billed(
    db: Database, workshop_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Job 2 is marked invoiced by hand after the run planned it.

    The run reports job 2 failed, leaves its part as marked by hand and
    writes no invoice for it; jobs 1 and 3, in the same chunk, are billed
    with consecutive numbers.
    """
    admin = _finished_jobs(db, 3)
    plan = batch.plan_run(db, admin, UNTIL)
    with db.read() as session:
        job_2 = session.scalar(
            select(WorkshopJob.id).where(WorkshopJob.number == "JOB2026-900002")
        )
    mark_invoiced(db, admin, job_2, "customer", "WC-1")
    monkeypatch.setattr(batch, "plan_run", lambda *args, **kwargs: plan)
    summary = run_invoicing(db, admin, UNTIL, chunk=10)
    assert [(c.source_ref, why) for c, why in summary.failed] == [
        (
            "JOB2026-900002",
            "Job JOB2026-900002 is no longer waiting for its customer invoice.",
        )
    ]
    billed = [(c.source_ref, n) for c, n, _ in summary.invoiced]
    year = billed[0][1][3:7]
    assert billed == [
        ("JOB2026-900001", f"INV{year}-000001"),
        ("JOB2026-900003", f"INV{year}-000002"),
    ]
    assert _parts(db) == {
        ("JOB2026-900001", "customer"): ("invoiced", f"INV{year}-000001"),
        ("JOB2026-900002", "customer"): ("invoiced", "WC-1"),
        ("JOB2026-900003", "customer"): ("invoiced", f"INV{year}-000002"),
    }
    with db.read() as session:
        refs = set(session.scalars(select(Invoice.source_ref)))
    assert refs == {"JOB2026-900001", "JOB2026-900003"}
