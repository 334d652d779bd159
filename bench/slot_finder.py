"""The slot finder: the five earliest slots for a job of three operations.

The Melbourne workshop of the generated dealership (40 mechanics and 20
bays at the largest size, with its bookings over the coming six weeks)
is read once, as the booking service reads it; then the finder is asked
for the five earliest slots for a diagnosis, an oil change and a brake
job, whose parts arrive the day after at 10:00.  The finder itself has
the budget; the whole booking plan (reading the draft, the parts, the
bookings and finding the slots) is timed beside it.
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bench.context import Bench
from bench.measure import Budget, Result, quiet_collector, timed
from dealer_tui.core.models import Branch
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop import slots
from dealer_tui.workshop.booking import JobDraft, plan_job
from dealer_tui.workshop.models import LabourOperation
from dealer_tui.workshop.resources import (
    HORIZON_DAYS,
    booked_spans,
    horizon_end,
    load_setup,
    operation,
)

FINDER_MS = Budget(10)
WORK = ("DIA300", "OIL100", "BRK210")
ADVISOR = "dana.service"
REPEATS = 40


def measure(bench: Bench) -> list[Result]:
    with bench.db.read() as session:
        branch = session.scalars(select(Branch).where(Branch.code == "MEL")).one()
        setup = load_setup(session, branch.id)
        start_day = bench.as_of + timedelta(days=1)
        not_before = setup.calendar.instant(start_day, time(7))
        bookings = booked_spans(
            session, branch.id, not_before - timedelta(days=1), horizon_end(not_before)
        )
        rows = {
            row.code: row
            for row in session.scalars(
                select(LabourOperation).where(LabourOperation.code.in_(WORK))
            )
        }
        registration = session.scalar(
            select(Vehicle.registration)
            .where(Vehicle.branch_id == branch.id, Vehicle.registration != "")
            .where(Vehicle.owner_id.is_not(None))
            .order_by(Vehicle.id)
            .limit(1)
        )
    request = slots.JobRequest(
        tuple(operation(rows[code]) for code in WORK),
        parts_ready_at=setup.calendar.instant(start_day + timedelta(days=1), time(10)),
    )

    def search() -> list[slots.Slot]:
        return slots.find_slots(
            request,
            setup.calendar,
            setup.mechanics,
            setup.bays,
            bookings,
            not_before=not_before,
            count=5,
            granularity=setup.granularity,
            horizon_days=HORIZON_DAYS,
        )

    found = search()
    finder = Result(
        "slot finder",
        "five earliest slots, three operations",
        "ms",
        budget=FINDER_MS,
        note=f"{len(setup.mechanics)} mechanics, {len(setup.bays)} bays, "
        f"{len(bookings):,} booked spans; {len(found)} slots found",
    )
    with quiet_collector():
        for _ in range(bench.runs * REPEATS):
            finder.samples.append(timed(search)[1])
    plan = Result(
        "slot finder",
        "whole booking plan (draft, parts, bookings, slots)",
        "ms",
        note="read from the database each time",
    )
    if registration:
        actor = bench.actor(ADVISOR)
        draft = JobDraft(vehicle=registration, work=" ".join(WORK))
        for _ in range(bench.runs * 3):
            planned, elapsed = timed(
                lambda: plan_job(bench.db, actor, draft, at=not_before)
            )
            plan.samples.append(elapsed)
        plan.note += f"; {len(planned.slots)} slots offered"
    return [finder, plan]
