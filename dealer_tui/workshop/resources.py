"""Reading a branch's workshop from the database into the calendar and slot rules.

The slot finder works on plain values (``calendar`` and ``slots``); this
module builds them from the tables inside the caller's session, so that a
booking checks the same facts it is about to write next to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealer_tui.core.errors import Refused
from dealer_tui.core.models import Branch
from dealer_tui.workshop import slots
from dealer_tui.workshop.calendar import BranchCalendar, Leave, WeeklyHours
from dealer_tui.workshop.models import (
    Bay,
    BookingInterval,
    LabourOperation,
    Mechanic,
    MechanicLeave,
    WorkshopBranch,
    WorkshopDay,
)

HORIZON_DAYS = 60


@dataclass(frozen=True)
class WorkshopSetup:
    """One branch's workshop as the slot finder sees it, with names to show."""

    branch_id: int
    branch_code: str
    time_zone: str
    calendar: BranchCalendar
    mechanics: tuple[slots.Mechanic, ...]
    bays: tuple[slots.Bay, ...]
    labour_rate: Decimal
    granularity: int
    mechanic_names: dict[int, str] = field(default_factory=dict)
    mechanic_codes: dict[int, str] = field(default_factory=dict)
    bay_names: dict[int, str] = field(default_factory=dict)
    bay_codes: dict[int, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def mechanic(self, mechanic_id: int) -> slots.Mechanic | None:
        return next((m for m in self.mechanics if m.id == mechanic_id), None)

    def bay(self, bay_id: int) -> slots.Bay | None:
        return next((b for b in self.bays if b.id == bay_id), None)

    def day_start(self, day: date) -> datetime:
        """The first instant of a local day, for 'not before this day'."""
        return self.calendar.instant(day, time(0, 0))


def words(text: str | None) -> frozenset[str]:
    """Codes kept as words separated by spaces or commas."""
    return frozenset(w for w in (text or "").replace(",", " ").split() if w)


def load_setup(session: Session, branch_id: int) -> WorkshopSetup:
    """The branch's calendar, active mechanics with leave, and active bays."""
    branch = session.get(Branch, branch_id)
    settings = session.scalars(
        select(WorkshopBranch).where(WorkshopBranch.branch_id == branch_id)
    ).one_or_none()
    if branch is None or settings is None:
        where = branch.code if branch else "this branch"
        raise Refused(f"The workshop of {where} is not set up yet.")
    special = session.scalars(
        select(WorkshopDay).where(WorkshopDay.branch_id == branch_id)
    ).all()
    calendar = BranchCalendar(
        branch.time_zone,
        WeeklyHours.parse(settings.opening_hours),
        settings.holiday_country,
        settings.holiday_subdivision,
        frozenset(d.day for d in special if d.kind == "closed"),
        frozenset(d.day for d in special if d.kind == "open"),
    )
    people = session.scalars(
        select(Mechanic)
        .where(Mechanic.branch_id == branch_id, Mechanic.active.is_(True))
        .order_by(Mechanic.code)
    ).all()
    leave_rows = session.scalars(
        select(MechanicLeave).where(
            MechanicLeave.mechanic_id.in_([m.id for m in people])
        )
    ).all()
    leave: dict[int, list[Leave]] = {}
    for row in leave_rows:
        leave.setdefault(row.mechanic_id, []).append(
            Leave(row.first_day, row.last_day, row.reason)
        )
    mechanics = tuple(
        slots.Mechanic(
            m.id,
            m.name,
            words(m.skills),
            WeeklyHours.parse(m.working_hours) if m.working_hours else None,
            tuple(leave.get(m.id, ())),
        )
        for m in people
    )
    bay_rows = session.scalars(
        select(Bay)
        .where(Bay.branch_id == branch_id, Bay.active.is_(True))
        .order_by(Bay.code)
    ).all()
    bays = tuple(
        slots.Bay(b.id, b.bay_type, b.name, words(b.also_serves), b.max_length_m)
        for b in bay_rows
    )
    return WorkshopSetup(
        branch_id=branch.id,
        branch_code=branch.code,
        time_zone=branch.time_zone,
        calendar=calendar,
        mechanics=mechanics,
        bays=bays,
        labour_rate=settings.labour_rate,
        granularity=settings.granularity_minutes,
        mechanic_names={m.id: m.name for m in people},
        mechanic_codes={m.id: m.code for m in people},
        bay_names={b.id: b.name for b in bay_rows},
        bay_codes={b.id: b.code for b in bay_rows},
    )


def booked_spans(
    session: Session,
    branch_id: int,
    start: datetime,
    end: datetime,
    *,
    exclude_job: int | None = None,
) -> list[slots.Booking]:
    """Every booked span of the branch's mechanics and bays that meets [start, end)."""
    stmt = select(
        BookingInterval.mechanic_id,
        BookingInterval.bay_id,
        BookingInterval.starts_at,
        BookingInterval.ends_at,
    ).where(
        BookingInterval.branch_id == branch_id,
        BookingInterval.ends_at > start,
        BookingInterval.starts_at < end,
    )
    if exclude_job is not None:
        stmt = stmt.where(BookingInterval.job_id != exclude_job)
    return [
        slots.Booking(starts_at, ends_at, mechanic_id, bay_id)
        for mechanic_id, bay_id, starts_at, ends_at in session.execute(stmt)
    ]


def horizon_end(start: datetime) -> datetime:
    """How far ahead bookings are read for a search that starts at ``start``."""
    return start + timedelta(days=HORIZON_DAYS + 2)


def operation(row: LabourOperation) -> slots.LabourOperation:
    """A stored labour operation as the slot finder takes it."""
    return slots.LabourOperation.from_hours(
        row.code, row.description, row.standard_hours, row.skill, row.bay_type
    )


def bay_type_words(setup: WorkshopSetup) -> frozenset[str]:
    """Every bay type some bay of the branch can serve."""
    served: set[str] = set()
    for bay in setup.bays:
        served |= bay.serves
    return frozenset(served)


def skill_words(mechanics: Iterable[slots.Mechanic]) -> frozenset[str]:
    held: set[str] = set()
    for mechanic in mechanics:
        held |= mechanic.skills
    return frozenset(held)
