"""The pre-delivery inspection as the workshop books it.

A small adapter over the workshop's booking: it writes the job draft for
an order's truck, asks for the earliest slot and books it inside the
order's own transaction.  The inspection is the workshop's chassis and
safety inspection with a road test, charged internally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dealer_tui.core import clock
from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused, ValidationFailed
from dealer_tui.workshop.booking import (
    EXCLUSION_VIOLATION,
    JobDraft,
    SlotOffer,
    book_in,
    plan_job,
)
from dealer_tui.workshop.jobs import JobSource, JobStatus, Payer
from dealer_tui.workshop.models import WorkshopJob

# The workshop operations a pre-delivery inspection is made of.
PDI_WORK = "INS120 ROAD900"


@dataclass(frozen=True)
class PdiBooking:
    job_id: int
    number: str
    slot: str


def draft_for(
    vin: str, customer_number: str, branch_code: str, order_number: str, day: date
) -> JobDraft:
    return JobDraft(
        vehicle=vin,
        work=PDI_WORK,
        source=JobSource.WORKSHOP.value,
        customer=customer_number,
        payer=Payer.INTERNAL.value,
        requested_work=f"Pre-delivery inspection for order {order_number}",
        not_before=day.isoformat(),
        branch=branch_code,
    )


def _unbookable(problems: ValidationFailed) -> Refused:
    return Refused(
        "The workshop cannot book the inspection ("
        + "; ".join(p.message for p in problems.problems)
        + "); the order keeps 'inspection needed'."
    )


def earliest_slot(
    db: Database, actor: Actor, draft: JobDraft, at: datetime | None
) -> SlotOffer:
    """The workshop's first free time for the inspection, or a refusal."""
    try:
        plan = plan_job(db, actor, draft, at=at, count=1)
    except ValidationFailed as problems:
        raise _unbookable(problems) from None
    except Refused as refusal:
        raise Refused(
            f"{refusal.message} The order keeps 'inspection needed'."
        ) from None
    if not plan.slots:
        why = "; ".join(plan.unmet) or "nothing is free"
        raise Refused(f"The workshop has no time for the inspection: {why}.")
    return plan.slots[0]


def book(
    session: Session,
    actor: Actor,
    draft: JobDraft,
    offer: SlotOffer,
    now: datetime | None,
) -> PdiBooking:
    """Book the inspection in the caller's transaction; the slot is re-checked."""
    try:
        booked = book_in(session, actor, draft, offer.choice, now=now or clock.now())
    except ValidationFailed as problems:
        raise _unbookable(problems) from None
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            raise Refused(
                "Another advisor has just booked that time: book the inspection "
                "again for the next free slot."
            ) from None
        raise
    return PdiBooking(booked.job_id, booked.number, booked.slot.describe())


def job_done(session: Session, job_id: int | None) -> bool | None:
    """Whether the inspection job is finished; None when it was cancelled."""
    job = session.get(WorkshopJob, job_id) if job_id else None
    if job is None:
        return False
    status = JobStatus(job.status)
    if status in (JobStatus.CANCELLED, JobStatus.NO_SHOW):
        return None
    return status in (JobStatus.FINISHED, JobStatus.INVOICED)
