"""The workshop's week at a glance: the planner grid, utilisation, invitations.

Reads only. The planner shows mechanics (or bays) down and time across,
with each booking as a block; utilisation is booked against available
hours per mechanic and day, as the slot rules count them; invitations list
the vehicles whose service falls due, for the advisor to call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account, Contact
from dealer_tui.core import clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Problem, ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop import slots
from dealer_tui.workshop.calendar import (
    instant_at,
    merge_periods,
    subtract_periods,
)
from dealer_tui.workshop.jobs import JobStatus
from dealer_tui.workshop.models import BookingInterval, WorkshopJob
from dealer_tui.workshop.resources import WorkshopSetup, booked_spans, load_setup

VIEWS = ("mechanic", "bay")
OPEN_STATUSES = (
    JobStatus.BOOKED.value,
    JobStatus.CHECKED_IN.value,
    JobStatus.IN_PROGRESS.value,
)


@dataclass(frozen=True)
class PlannerBlock:
    """One span of a job on one row of the planner."""

    job_id: int
    version: int
    number: str
    status: JobStatus
    registration: str
    customer_name: str
    starts_at: datetime
    ends_at: datetime
    job_starts_at: datetime
    job_ends_at: datetime
    # The row the span is drawn on (one of the two is set) ...
    mechanic_id: int | None
    bay_id: int | None
    # ... and the mechanic and bay the whole job is booked with.
    job_mechanic_id: int | None
    job_bay_id: int | None


@dataclass(frozen=True)
class PlannerRow:
    """A mechanic or a bay: when it can work, its bookings, its utilisation."""

    resource_id: int
    code: str
    name: str
    detail: str
    working: tuple[tuple[datetime, datetime], ...]
    blocks: tuple[PlannerBlock, ...]
    available_minutes: int
    booked_minutes: int

    @property
    def percent(self) -> Decimal | None:
        if not self.available_minutes:
            return None
        share = Decimal(self.booked_minutes * 100) / self.available_minutes
        return share.quantize(Decimal(1))


@dataclass(frozen=True)
class PlannerDay:
    """A day of the planner: when the branch is open, or why it is closed."""

    day: date
    closure: str | None
    available_minutes: int
    booked_minutes: int

    @property
    def percent(self) -> Decimal | None:
        if not self.available_minutes:
            return None
        share = Decimal(self.booked_minutes * 100) / self.available_minutes
        return share.quantize(Decimal(1))


@dataclass(frozen=True)
class PlannerView:
    """What the planner grid draws, for ``days`` days from ``first_day``.

    ``first_minute`` and ``last_minute`` are the wall-clock minutes of the
    earliest opening and latest closing of the shown days, on whole hours.
    """

    branch_id: int
    branch_code: str
    time_zone: str
    by: str
    first_day: date
    days: tuple[PlannerDay, ...]
    rows: tuple[PlannerRow, ...]
    first_minute: int
    last_minute: int
    granularity: int
    mechanic_names: dict[int, str] = field(default_factory=dict)
    bay_names: dict[int, str] = field(default_factory=dict)


def _branch(session: Session, actor: Actor, code: str | None) -> int:
    if code:
        found = session.scalar(select(Branch.id).where(Branch.code == code.upper()))
        if found is None:
            raise ValidationFailed([Problem("branch", f"there is no branch '{code}'")])
        return found
    if actor.branch_id:
        return actor.branch_id
    first = session.scalar(select(Branch.id).order_by(Branch.id).limit(1))
    if first is None:
        raise ValidationFailed([Problem("branch", "the dealer has no branch yet")])
    return first


def _working(
    setup: WorkshopSetup, hours_of: slots.Mechanic | None, first: date, last: date
) -> list[tuple[int, int]]:
    """Minutes a mechanic (or, with None, the branch) works over the days."""
    calendar = setup.calendar
    minutes: list[tuple[int, int]] = []
    day = first
    while day <= last:
        hours = hours_of.hours if hours_of is not None else None
        minutes.extend((s, e) for s, e, _ in calendar.day_periods(day, hours))
        day += timedelta(days=1)
    merged = merge_periods(minutes)
    if hours_of is not None and hours_of.leave:
        leave = merge_periods(calendar.leave_period(item) for item in hours_of.leave)
        merged = subtract_periods(merged, leave)
    return merged


def planner_view(
    db: Database,
    actor: Actor,
    first_day: date,
    days: int = 1,
    by: str = "mechanic",
    branch: str | None = None,
    *,
    open_weekdays_only: bool = False,
) -> PlannerView:
    """The planner for ``days`` days from ``first_day``: rows, blocks, utilisation.

    ``open_weekdays_only`` leaves out the weekdays the workshop never opens
    (a Monday-to-Friday workshop's weekend); holidays stay, marked closed.
    """
    actor.require(Permission.VIEW_WORKSHOP)
    if by not in VIEWS:
        raise ValueError(f"the planner shows {' or '.join(VIEWS)}")
    if not 1 <= days <= 14:
        raise ValueError("the planner shows 1 to 14 days")
    last_day = first_day + timedelta(days=days - 1)
    with db.read() as session:
        setup = load_setup(session, _branch(session, actor, branch))
        calendar = setup.calendar
        start = calendar.day_bounds(first_day)[0]
        end = calendar.day_bounds(last_day)[1]
        blocks = _blocks(session, setup.branch_id, instant_at(start), instant_at(end))
        bookings = booked_spans(
            session, setup.branch_id, instant_at(start), instant_at(end)
        )
        mechanic_rows = slots.utilisation(
            calendar, setup.mechanics, bookings, first_day, last_day
        )
        if by == "mechanic":
            rows = [
                _row(
                    mechanic.id,
                    setup.mechanic_codes.get(int(mechanic.id), ""),
                    mechanic.name,
                    " ".join(sorted(mechanic.skills)),
                    _working(setup, mechanic, first_day, last_day),
                    [b for b in blocks if b.mechanic_id == mechanic.id],
                    [r for r in mechanic_rows if r.mechanic_id == mechanic.id],
                )
                for mechanic in setup.mechanics
            ]
        else:
            as_people = [slots.Mechanic(bay.id, bay.name) for bay in setup.bays]
            bay_bookings = [
                slots.Booking(b.start, b.end, b.bay_id)
                for b in bookings
                if b.bay_id is not None
            ]
            bay_rows = slots.utilisation(
                calendar, as_people, bay_bookings, first_day, last_day
            )
            rows = [
                _row(
                    bay.id,
                    setup.bay_codes.get(int(bay.id), ""),
                    bay.name,
                    " ".join([bay.bay_type, *sorted(bay.also_serves)]),
                    _working(setup, None, first_day, last_day),
                    [b for b in blocks if b.bay_id == bay.id],
                    [r for r in bay_rows if r.mechanic_id == bay.id],
                )
                for bay in setup.bays
            ]
        totals = {t.day: t for t in slots.daily_totals(mechanic_rows)}
        shown = []
        day = first_day
        while day <= last_day:
            total = totals.get(day)
            if open_weekdays_only and not calendar.opening_hours.periods(day.weekday()):
                day += timedelta(days=1)
                continue
            shown.append(
                PlannerDay(
                    day,
                    calendar.closure(day),
                    total.available_minutes if total else 0,
                    total.booked_minutes if total else 0,
                )
            )
            day += timedelta(days=1)
        low, high = _window(setup, first_day, last_day)
        return PlannerView(
            branch_id=setup.branch_id,
            branch_code=setup.branch_code,
            time_zone=setup.time_zone,
            by=by,
            first_day=first_day,
            days=tuple(shown),
            rows=tuple(rows),
            first_minute=low,
            last_minute=high,
            granularity=setup.granularity,
            mechanic_names=dict(setup.mechanic_names),
            bay_names=dict(setup.bay_names),
        )


def _row(
    resource_id: slots.ResourceId,
    code: str,
    name: str,
    detail: str,
    working: Sequence[tuple[int, int]],
    blocks: Sequence[PlannerBlock],
    usage: Sequence[slots.Utilisation],
) -> PlannerRow:
    return PlannerRow(
        int(resource_id),
        code,
        name,
        detail,
        tuple((instant_at(s), instant_at(e)) for s, e in working),
        tuple(blocks),
        sum(u.available_minutes for u in usage),
        sum(u.booked_minutes for u in usage),
    )


def _window(setup: WorkshopSetup, first: date, last: date) -> tuple[int, int]:
    """The wall-clock hours that hold every opening period of the days shown."""
    low, high = 24 * 60, 0
    week = setup.calendar.opening_hours
    for weekday in range(7):
        for start, end in week.periods(weekday):
            low, high = min(low, start), max(high, end)
    if high <= low:
        return 7 * 60, 17 * 60
    return low - low % 60, high + (-high) % 60


def _blocks(
    session: Session, branch_id: int, start: datetime, end: datetime
) -> list[PlannerBlock]:
    rows = session.execute(
        select(BookingInterval, WorkshopJob, Vehicle.registration, Account.name)
        .join(WorkshopJob, WorkshopJob.id == BookingInterval.job_id)
        .join(Vehicle, Vehicle.id == WorkshopJob.vehicle_id)
        .join(Account, Account.id == WorkshopJob.customer_id)
        .where(
            BookingInterval.branch_id == branch_id,
            BookingInterval.ends_at > start,
            BookingInterval.starts_at < end,
        )
        .order_by(BookingInterval.starts_at, BookingInterval.id)
    ).all()
    return [
        PlannerBlock(
            job_id=job.id,
            version=job.version,
            number=job.number or "",
            status=JobStatus(job.status),
            registration=registration or "",
            customer_name=customer,
            starts_at=interval.starts_at,
            ends_at=interval.ends_at,
            job_starts_at=job.starts_at or interval.starts_at,
            job_ends_at=job.ends_at or interval.ends_at,
            mechanic_id=interval.mechanic_id,
            bay_id=interval.bay_id,
            job_mechanic_id=job.mechanic_id,
            job_bay_id=job.bay_id,
        )
        for interval, job, registration, customer in rows
    ]


@dataclass(frozen=True)
class UtilisationLine:
    """A mechanic's week: each day, then the week."""

    code: str
    name: str
    days: tuple[slots.Utilisation, ...]
    week: slots.Utilisation


@dataclass(frozen=True)
class UtilisationReport:
    branch_code: str
    first_day: date
    lines: tuple[UtilisationLine, ...]
    days: tuple[slots.Utilisation, ...]
    week: slots.Utilisation


def utilisation_report(
    db: Database, actor: Actor, week_start: date, branch: str | None = None
) -> UtilisationReport:
    """Booked against available hours per mechanic and day, Monday to Sunday."""
    actor.require(Permission.VIEW_WORKSHOP)
    monday = week_start - timedelta(days=week_start.weekday())
    sunday = monday + timedelta(days=6)
    with db.read() as session:
        setup = load_setup(session, _branch(session, actor, branch))
        calendar = setup.calendar
        start = instant_at(calendar.day_bounds(monday)[0])
        end = instant_at(calendar.day_bounds(sunday)[1])
        bookings = booked_spans(session, setup.branch_id, start, end)
    rows = slots.utilisation(calendar, setup.mechanics, bookings, monday, sunday)
    lines = []
    for mechanic in setup.mechanics:
        own = tuple(r for r in rows if r.mechanic_id == mechanic.id)
        lines.append(
            UtilisationLine(
                setup.mechanic_codes.get(int(mechanic.id), ""),
                mechanic.name,
                own,
                _sum(own, mechanic.id, monday),
            )
        )
    days = tuple(slots.daily_totals(rows))
    return UtilisationReport(
        setup.branch_code, monday, tuple(lines), days, _sum(days, None, monday)
    )


def _sum(
    rows: Sequence[slots.Utilisation], mechanic_id: slots.ResourceId | None, day: date
) -> slots.Utilisation:
    return slots.Utilisation(
        mechanic_id,
        day,
        sum(r.available_minutes for r in rows),
        sum(r.booked_minutes for r in rows),
        sum(r.outside_minutes for r in rows),
    )


@dataclass(frozen=True)
class Invitation:
    """A vehicle to invite for its service, with whom to call."""

    vehicle_id: int
    registration: str
    vin: str
    vehicle: str
    due: date
    due_km: int | None
    odometer_km: int
    customer_number: str
    customer_name: str
    contact: str
    phone: str
    branch_code: str

    def overdue(self, today: date) -> bool:
        return self.due < today


def service_invitations(
    db: Database,
    actor: Actor,
    due_within_days: int,
    branch: str | None = None,
    *,
    at: datetime | None = None,
) -> list[Invitation]:
    """Vehicles whose service is due within the days given (or overdue).

    Vehicles already booked in (a job booked, checked in or in progress)
    are left out: they need no call. Soonest due first.
    """
    actor.require(Permission.VIEW_WORKSHOP)
    if due_within_days < 0 or due_within_days > 3660:
        raise ValidationFailed([Problem("due_within", "give 0 to 3660 days")])
    with db.read() as session:
        branch_id = _branch(session, actor, branch) if branch else None
        zone = "UTC"
        if branch_id or actor.branch_id:
            found = session.get(Branch, branch_id or actor.branch_id)
            zone = found.time_zone if found else zone
        today = clock.local_today(zone, at)
        horizon = today + timedelta(days=due_within_days)
        booked = exists().where(
            and_(
                WorkshopJob.vehicle_id == Vehicle.id,
                WorkshopJob.status.in_(OPEN_STATUSES),
            )
        )
        stmt = (
            select(Vehicle, Account, Branch.code)
            .join(Account, Account.id == Vehicle.owner_id)
            .outerjoin(Branch, Branch.id == Vehicle.branch_id)
            .where(
                Vehicle.next_service_due.is_not(None),
                Vehicle.next_service_due <= horizon,
                ~booked,
            )
            .order_by(Vehicle.next_service_due, Vehicle.id)
        )
        if branch_id:
            stmt = stmt.where(Vehicle.branch_id == branch_id)
        found_rows = session.execute(stmt).all()
        owners = sorted({account.id for _, account, _ in found_rows})
        contacts: dict[int, Contact] = {}
        if owners:
            for person in session.scalars(
                select(Contact)
                .where(Contact.account_id.in_(owners))
                .order_by(Contact.account_id, Contact.primary.desc(), Contact.id)
            ):
                contacts.setdefault(person.account_id, person)
        result = []
        for vehicle, account, code in found_rows:
            person = contacts.get(account.id)
            assert vehicle.next_service_due is not None
            result.append(
                Invitation(
                    vehicle_id=vehicle.id,
                    registration=vehicle.registration,
                    vin=vehicle.vin,
                    vehicle=f"{vehicle.make} {vehicle.model}",
                    due=vehicle.next_service_due,
                    due_km=vehicle.next_service_km,
                    odometer_km=vehicle.odometer_km,
                    customer_number=account.number,
                    customer_name=account.name,
                    contact=person.name if person else "",
                    phone=(person.phone if person and person.phone else account.phone),
                    branch_code=code or "",
                )
            )
        return result


def local_today(db: Database, actor: Actor, at: datetime | None = None) -> date:
    """Today on the wall clock of the user's branch."""
    with db.read() as session:
        branch = session.get(Branch, actor.branch_id) if actor.branch_id else None
        return clock.local_today(branch.time_zone if branch else "UTC", at)
