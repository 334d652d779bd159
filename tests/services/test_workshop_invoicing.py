"""Finished workshop jobs are billed by the batch run, each payer's part once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.invoicing.batch import run_invoicing
from dealer_tui.workshop.models import WorkshopJob


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
