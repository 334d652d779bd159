"""Finding and booking workshop time: plan, book, move, cancel, no-show.

Booking takes the slot the advisor chose and checks it again inside the
write transaction: on SQLite that transaction holds the write lock, so
nobody books in between; on PostgreSQL the booking intervals table refuses
an overlap by itself, and the loser of a race is told and offered the
next free slot.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused, ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.core.numbering import next_number
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load, load_for_change
from dealer_tui.core.text import compact_key
from dealer_tui.parts import services as parts
from dealer_tui.parts.models import Part
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop import jobs, slots
from dealer_tui.workshop.jobs import (
    SOURCE_KIND,
    JobSource,
    JobStatus,
    Payer,
    WorkStatus,
)
from dealer_tui.workshop.models import (
    BookingInterval,
    JobOperation,
    JobPart,
    LabourOperation,
    ServicePackage,
    ServicePackageItem,
    TimeLog,
    WorkshopJob,
    resource_key,
)
from dealer_tui.workshop.resources import (
    HORIZON_DAYS,
    WorkshopSetup,
    bay_type_words,
    booked_spans,
    horizon_end,
    load_setup,
    operation,
    words,
)
from dealer_tui.workshop.views import JobView, job_view

log = logging.getLogger(__name__)

NUMBER_SERIES = "workshop_job"
NUMBER_PREFIX = "JOB"
# PostgreSQL's codes for an exclusion violation, and for a deadlock, a
# serialisation failure and a lock not available.
EXCLUSION_VIOLATION = "23P01"
LOCK_CONFLICTS = {"40P01", "40001", "55P03"}

# --------------------------------------------------------------------------
# What the screens and commands hand in and get back
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class JobDraft:
    """A job as the advisor types it, before it is checked.

    ``vehicle`` is a registration, a VIN or its last six characters;
    ``customer`` a customer number, blank for the vehicle's owner; ``work``
    operation and package codes; ``parts`` further parts as ``2992241x2``;
    ``not_before`` a date to look for slots from, blank for now.
    """

    vehicle: str
    work: str
    source: str = JobSource.CUSTOMER.value
    customer: str = ""
    parts: str = ""
    payer: str = Payer.CUSTOMER.value
    requested_work: str = ""
    length_m: str = ""
    bay_types: str = ""
    not_before: str = ""
    branch: str = ""


@dataclass(frozen=True)
class SlotChoice:
    """The slot the advisor picked: who, where and from when."""

    mechanic_id: int
    bay_id: int | None
    starts_at: datetime


@dataclass(frozen=True)
class SlotOffer:
    """A slot as the advisor sees it: mechanic and bay by name, local times."""

    mechanic_id: int
    mechanic_name: str
    bay_id: int | None
    bay_name: str
    spans: tuple[tuple[datetime, datetime], ...]
    time_zone: str

    @property
    def starts_at(self) -> datetime:
        return self.spans[0][0]

    @property
    def ends_at(self) -> datetime:
        return self.spans[-1][1]

    @property
    def choice(self) -> SlotChoice:
        return SlotChoice(self.mechanic_id, self.bay_id, self.starts_at)

    def describe(self) -> str:
        """'Wed 09/12 07:00-11:30 · Eve Tran · Long bay 1', over days if it must."""
        zone = ZoneInfo(self.time_zone)
        start = self.starts_at.astimezone(zone)
        end = self.ends_at.astimezone(zone)
        if start.date() == end.date():
            when = f"{start:%a %d/%m %H:%M}-{end:%H:%M}"
        else:
            when = f"{start:%a %d/%m %H:%M} to {end:%a %d/%m %H:%M}"
        where = f" · {self.bay_name}" if self.bay_name else ""
        return f"{when} · {self.mechanic_name}{where}"


class SlotTaken(Refused):
    """The chosen slot cannot be booked; ``offer`` is the next free one, if any."""

    def __init__(self, message: str, offer: SlotOffer | None) -> None:
        super().__init__(message)
        self.offer = offer


@dataclass(frozen=True)
class OperationLine:
    code: str
    description: str
    minutes: int
    skill: str | None
    bay_type: str | None


@dataclass(frozen=True)
class PartNeed:
    """A part the job needs and how the branch's stock stands for it."""

    part_id: int
    part_number: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    available: Decimal
    expected_on: date | None

    @property
    def short(self) -> Decimal:
        return max(self.quantity - self.available, Decimal("0.000"))

    def describe(self) -> str:
        head = (
            f"{self.part_number} {self.description} "
            f"x{parts.show_quantity(self.quantity)}"
        )
        if not self.short:
            return f"{head}: in stock"
        when = (
            f"expected {self.expected_on:%d/%m/%Y}"
            if self.expected_on
            else "no delivery expected: order it"
        )
        return f"{head}: SHORT {parts.show_quantity(self.short)}, {when}"


@dataclass(frozen=True)
class JobPlan:
    """What booking the draft would mean: estimate, standing, parts and slots."""

    branch_code: str
    time_zone: str
    customer_id: int
    customer_number: str
    customer_name: str
    vehicle_id: int
    vehicle_text: str
    source: JobSource
    payer: Payer
    operations: list[OperationLine]
    parts: list[PartNeed]
    work_minutes: int
    estimate: jobs.Estimate
    financial_status: str
    credit_hold: bool
    parts_ready_on: date | None
    slots: list[SlotOffer]
    unmet: list[str]

    @property
    def shortages(self) -> list[PartNeed]:
        return [need for need in self.parts if need.short]


@dataclass(frozen=True)
class BookedJob:
    """A job just booked: its number, its time and what its parts hold."""

    job_id: int
    number: str
    slot: SlotOffer
    promises: list[parts.Promise]


# --------------------------------------------------------------------------
# Reading and checking a draft
# --------------------------------------------------------------------------


@dataclass
class _Draft:
    setup: WorkshopSetup
    customer: Account
    vehicle: Vehicle
    source: JobSource
    payer: Payer
    operations: list[LabourOperation]
    parts: list[tuple[Part, Decimal]]
    requested_work: str
    length: Decimal | None
    bay_types: frozenset[str]
    not_before: date | None


def _branch_id(session: Session, actor: Actor, code: str, errors: FieldErrors) -> int:
    code = code.strip().upper()
    if code:
        found = session.scalars(select(Branch.id).where(Branch.code == code)).first()
        if found is None:
            errors.add("branch", f"there is no branch '{code}'")
            return 0
        return found
    if actor.branch_id:
        return actor.branch_id
    first = session.scalars(select(Branch.id).order_by(Branch.id)).first()
    if first is None:
        errors.add("branch", "the dealer has no branch yet")
        return 0
    return first


def find_vehicle(session: Session, text: str, errors: FieldErrors) -> Vehicle | None:
    """The one vehicle with this registration, VIN or last six of the VIN."""
    key = compact_key(text)
    if not key:
        errors.add("vehicle", "is required: type the registration or the VIN")
        return None
    conditions = [Vehicle.registration == key, Vehicle.vin == key]
    if len(key) == 6:
        conditions.append(Vehicle.vin_tail == key)
    found = session.scalars(
        select(Vehicle).where(or_(*conditions)).order_by(Vehicle.id).limit(3)
    ).all()
    if not found:
        errors.add("vehicle", f"no vehicle has registration or VIN '{text.strip()}'")
        return None
    if len(found) > 1:
        errors.add("vehicle", f"'{text.strip()}' fits several vehicles: type the VIN")
        return None
    return found[0]


def read_work(
    session: Session, text: str, errors: FieldErrors
) -> tuple[list[LabourOperation], list[tuple[Part, Decimal]]]:
    codes = jobs.parse_codes(text)
    if not codes:
        errors.add("work", "is required: type operation or package codes")
        return [], []
    operations = {
        op.code: op
        for op in session.scalars(
            select(LabourOperation).where(
                LabourOperation.code.in_(codes), LabourOperation.active.is_(True)
            )
        )
    }
    packages = {
        p.code: p
        for p in session.scalars(
            select(ServicePackage).where(
                ServicePackage.code.in_(codes), ServicePackage.active.is_(True)
            )
        )
    }
    chosen: list[LabourOperation] = []
    wanted: list[tuple[Part, Decimal]] = []
    for code in codes:
        if code in operations:
            chosen.append(operations[code])
        elif code in packages:
            items = session.execute(
                select(ServicePackageItem, LabourOperation, Part)
                .outerjoin(
                    LabourOperation,
                    LabourOperation.id == ServicePackageItem.operation_id,
                )
                .outerjoin(Part, Part.id == ServicePackageItem.part_id)
                .where(ServicePackageItem.package_id == packages[code].id)
                .order_by(ServicePackageItem.position)
            ).all()
            for item, op, part in items:
                if op is not None:
                    chosen.append(op)
                elif part is not None and item.quantity is not None:
                    wanted.append((part, item.quantity))
        else:
            errors.add("work", f"'{code}' is neither an operation nor a package")
    unique: list[LabourOperation] = []
    for op in chosen:
        if all(op.code != kept.code for kept in unique):
            unique.append(op)
    return unique, wanted


def read_parts(
    session: Session, text: str, errors: FieldErrors
) -> list[tuple[Part, Decimal]]:
    pairs, problems = jobs.parse_parts(text)
    for problem in problems:
        errors.add("parts", problem)
    known = parts.parts_by_number(session, (number for number, _ in pairs))
    found = []
    for number, quantity in pairs:
        if number in known:
            found.append((known[number], quantity))
        else:
            errors.add("parts", f"there is no part '{number}'")
    return found


def merge_parts(pairs: Sequence[tuple[Part, Decimal]]) -> list[tuple[Part, Decimal]]:
    merged: dict[int, tuple[Part, Decimal]] = {}
    for part, quantity in pairs:
        if part.id in merged:
            merged[part.id] = (part, merged[part.id][1] + quantity)
        else:
            merged[part.id] = (part, quantity)
    return list(merged.values())


def _read_draft(session: Session, actor: Actor, draft: JobDraft) -> _Draft:
    """Every problem of the draft at once, each at its field, or the checked draft."""
    errors = FieldErrors()
    branch_id = _branch_id(session, actor, draft.branch, errors)
    setup = load_setup(session, branch_id) if branch_id else None
    vehicle = find_vehicle(session, draft.vehicle, errors)
    customer = None
    number = draft.customer.strip().upper()
    if number:
        customer = session.scalars(
            select(Account).where(Account.number == number)
        ).one_or_none()
        if customer is None:
            errors.add("customer", f"there is no customer '{number}'")
    elif vehicle is not None:
        customer = session.get(Account, vehicle.owner_id) if vehicle.owner_id else None
        if customer is None:
            errors.add("customer", "the vehicle has no owner: type the customer number")
    source = JobSource(
        errors.choice("source", draft.source, jobs.SOURCE_CHOICES, default="customer")
        or JobSource.CUSTOMER.value
    )
    payer = Payer(
        errors.choice("payer", draft.payer, jobs.PAYER_CHOICES, default="customer")
        or Payer.CUSTOMER.value
    )
    operations, package_parts = read_work(session, draft.work, errors)
    extra = read_parts(session, draft.parts, errors)
    try:
        length = jobs.parse_length(draft.length_m)
    except ValueError as exc:
        errors.add("length_m", str(exc))
        length = None
    bay_types = words(draft.bay_types.lower())
    if setup is not None:
        unknown = sorted(bay_types - bay_type_words(setup))
        if unknown:
            errors.add("bay_types", f"no bay here serves {', '.join(unknown)}")
    not_before = errors.day("not_before", draft.not_before)
    requested = errors.optional("requested_work", draft.requested_work, 4000)
    if errors or setup is None or customer is None or vehicle is None:
        raise ValidationFailed(errors.problems)
    return _Draft(
        setup=setup,
        customer=customer,
        vehicle=vehicle,
        source=source,
        payer=payer,
        operations=operations,
        parts=merge_parts([*package_parts, *extra]),
        requested_work=requested,
        length=length,
        bay_types=bay_types,
        not_before=not_before,
    )


def _needs(
    session: Session, setup: WorkshopSetup, wanted: Sequence[tuple[Part, Decimal]]
) -> list[PartNeed]:
    levels = parts.stock_levels(session, setup.branch_id, (p.id for p, _ in wanted))
    needs = []
    for part, quantity in wanted:
        free = levels[part.id].available
        short = max(quantity - free, Decimal("0.000"))
        expected = (
            parts.shortage_arrival(session, setup.branch_id, part.id, short)
            if short
            else None
        )
        needs.append(
            PartNeed(
                part.id,
                part.part_number,
                part.description,
                quantity,
                part.unit_price,
                free,
                expected,
            )
        )
    return needs


def _parts_ready_on(needs: Sequence[PartNeed]) -> date | None:
    days = [need.expected_on for need in needs if need.short and need.expected_on]
    return max(days) if days else None


def _request(
    setup: WorkshopSetup,
    operations: Sequence[LabourOperation],
    ready_on: date | None,
    length: Decimal | None,
    bay_types: frozenset[str],
) -> slots.JobRequest:
    return slots.JobRequest(
        tuple(operation(op) for op in operations),
        setup.day_start(ready_on) if ready_on else None,
        length,
        bay_types,
    )


def _offer(setup: WorkshopSetup, slot: slots.Slot) -> SlotOffer:
    bay_id = int(slot.bay_id) if slot.bay_id is not None else None
    return SlotOffer(
        int(slot.mechanic_id),
        setup.mechanic_names.get(int(slot.mechanic_id), "?"),
        bay_id,
        setup.bay_names.get(bay_id, "") if bay_id is not None else "",
        slot.intervals,
        setup.time_zone,
    )


def _search(
    session: Session,
    setup: WorkshopSetup,
    request: slots.JobRequest,
    not_before: datetime,
    count: int,
    *,
    mechanics: Sequence[slots.Mechanic] | None = None,
    bays: Sequence[slots.Bay] | None = None,
    exclude_job: int | None = None,
    bookings: Sequence[slots.Booking] | None = None,
) -> list[slots.Slot]:
    if bookings is None:
        bookings = booked_spans(
            session,
            setup.branch_id,
            not_before - timedelta(days=1),
            horizon_end(not_before),
            exclude_job=exclude_job,
        )
    return slots.find_slots(
        request,
        setup.calendar,
        setup.mechanics if mechanics is None else mechanics,
        setup.bays if bays is None else bays,
        bookings,
        not_before=not_before,
        count=count,
        granularity=setup.granularity,
        horizon_days=HORIZON_DAYS,
    )


def _search_from(setup: WorkshopSetup, now: datetime, day: date | None) -> datetime:
    if day is None:
        return now
    return max(now, setup.day_start(day))


# --------------------------------------------------------------------------
# Planning and booking
# --------------------------------------------------------------------------


def plan_job(
    db: Database,
    actor: Actor,
    draft: JobDraft,
    *,
    at: datetime | None = None,
    count: int = 5,
) -> JobPlan:
    """Check the draft and show what booking it means, with the earliest slots.

    Nothing is written: the estimate of time and cost, the customer's
    financial standing, the parts (shortages with the day they arrive) and
    the ``count`` earliest slots from ``at`` (now) or the draft's date.
    """
    actor.require(Permission.BOOK_WORKSHOP)
    now = at or clock.now()
    with db.read() as session:
        draft_ = _read_draft(session, actor, draft)
        setup = draft_.setup
        needs = _needs(session, setup, draft_.parts)
        ready_on = _parts_ready_on(needs)
        request = _request(
            setup, draft_.operations, ready_on, draft_.length, draft_.bay_types
        )
        found = _search(
            session, setup, request, _search_from(setup, now, draft_.not_before), count
        )
        unmet = (
            []
            if found
            else slots.unmet_requirements(
                request, setup.calendar, setup.mechanics, setup.bays
            )
        )
        if not found and not unmet:
            unmet = [f"nothing is free in the next {HORIZON_DAYS} days"]
        customer = draft_.customer
        vehicle = draft_.vehicle
        return JobPlan(
            branch_code=setup.branch_code,
            time_zone=setup.time_zone,
            customer_id=customer.id,
            customer_number=customer.number,
            customer_name=customer.name,
            vehicle_id=vehicle.id,
            vehicle_text=vehicle_text(vehicle),
            source=draft_.source,
            payer=draft_.payer,
            operations=[
                OperationLine(
                    op.code,
                    op.description,
                    operation(op).standard_minutes,
                    op.skill,
                    op.bay_type,
                )
                for op in draft_.operations
            ],
            parts=needs,
            work_minutes=request.work_minutes,
            estimate=_estimate(setup, draft_.operations, draft_.parts),
            financial_status=_standing(customer),
            credit_hold=customer.credit_hold,
            parts_ready_on=ready_on,
            slots=[_offer(setup, slot) for slot in found],
            unmet=unmet,
        )


def vehicle_text(vehicle: Vehicle) -> str:
    return f"{vehicle.registration or vehicle.vin} {vehicle.make} {vehicle.model}"


def _standing(customer: Account) -> str:
    return jobs.financial_status(
        customer.credit_hold, customer.credit_limit, customer.payment_terms_days
    )


def _estimate(
    setup: WorkshopSetup,
    operations: Sequence[LabourOperation],
    wanted: Sequence[tuple[Part, Decimal]],
) -> jobs.Estimate:
    return jobs.estimate(
        [(op.standard_hours, setup.labour_rate) for op in operations],
        [(quantity, part.unit_price) for part, quantity in wanted],
    )


def book_job(
    db: Database,
    actor: Actor,
    draft: JobDraft,
    choice: SlotChoice,
    *,
    at: datetime | None = None,
) -> BookedJob:
    """Book the draft into the chosen slot and reserve its parts.

    The slot is checked again inside the write transaction. When it is
    gone (another advisor took it, or it no longer fits) the refusal is a
    ``SlotTaken`` that carries the next free slot.
    """
    actor.require(Permission.BOOK_WORKSHOP)
    now = at or clock.now()
    try:
        with db.write() as session:
            draft_ = _read_draft(session, actor, draft)
            booked = _book(session, actor, draft_, choice, now=now)
        log.info("booked workshop job %s", booked.number)
        return booked
    except IntegrityError as exc:
        if _sqlstate(exc) != EXCLUSION_VIOLATION:
            raise
    except OperationalError as exc:
        if _sqlstate(exc) not in LOCK_CONFLICTS:
            raise
    log.info("a booking lost the race for its slot; the next one is offered")
    raise _taken_meanwhile(db, actor, draft, choice, now)


def _sqlstate(exc: IntegrityError | OperationalError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _taken_meanwhile(
    db: Database, actor: Actor, draft: JobDraft, choice: SlotChoice, now: datetime
) -> SlotTaken:
    """The refusal for a slot another advisor booked a moment earlier."""
    with db.read() as session:
        draft_ = _read_draft(session, actor, draft)
        setup = draft_.setup
        needs = _needs(session, setup, draft_.parts)
        request = _request(
            setup,
            draft_.operations,
            _parts_ready_on(needs),
            draft_.length,
            draft_.bay_types,
        )
        found = _search(session, setup, request, max(now, choice.starts_at), 1)
        offer = _offer(setup, found[0]) if found else None
    return SlotTaken(
        _taken_sentence("Another advisor has just booked that time.", offer), offer
    )


def _taken_sentence(head: str, offer: SlotOffer | None) -> str:
    if offer is None:
        return f"{head} Nothing else is free in the next {HORIZON_DAYS} days."
    return f"{head} Next free: {offer.describe()}."


def _confirm_slot(
    session: Session,
    setup: WorkshopSetup,
    request: slots.JobRequest,
    choice: SlotChoice,
    *,
    now: datetime | None,
    exclude_job: int | None = None,
) -> slots.Slot:
    """The chosen slot worked out again from what is stored now, or a refusal.

    Skills, bay type and length, opening and working hours, closed days,
    leave, parts and every booking are checked by asking the slot finder
    for this mechanic and bay from the chosen start: the slot stands only
    if the answer starts right there.
    """
    if now is not None and choice.starts_at < now - timedelta(minutes=1):
        raise Refused("That time has already passed: find slots again.")
    mechanic = setup.mechanic(choice.mechanic_id)
    if mechanic is None:
        raise Refused("That mechanic does not work in this workshop.")
    missing = sorted(request.skills - mechanic.skills)
    if missing:
        raise Refused(f"{mechanic.name} does not hold: {', '.join(missing)}.")
    bays: list[slots.Bay] = []
    if request.needs_bay:
        bay = setup.bay(choice.bay_id) if choice.bay_id is not None else None
        if bay is None:
            raise Refused("This job needs a bay: choose a slot with one.")
        if not bay.takes(request):
            needed = ", ".join(sorted(request.bay_types))
            raise Refused(f"{bay.name} does not take this job (it needs {needed}).")
        bays = [bay]
    bookings = booked_spans(
        session,
        setup.branch_id,
        choice.starts_at - timedelta(days=1),
        horizon_end(choice.starts_at),
        exclude_job=exclude_job,
    )
    found = _search(
        session,
        setup,
        request,
        choice.starts_at,
        1,
        mechanics=[mechanic],
        bays=bays,
        bookings=bookings,
    )
    if found and found[0].start == choice.starts_at:
        return found[0]
    unbooked = _search(
        session,
        setup,
        request,
        choice.starts_at,
        1,
        mechanics=[mechanic],
        bays=bays,
        bookings=[],
    )
    if unbooked and unbooked[0].start == choice.starts_at:
        reason = "the mechanic or the bay is already booked then"
    else:
        reason = (
            "the work does not fit there (opening or working hours, a closed "
            "day, leave, or parts not yet in)"
        )
    start = choice.starts_at.astimezone(setup.zone)
    others = _search(
        session,
        setup,
        request,
        max(choice.starts_at, now or choice.starts_at),
        1,
        bookings=bookings,
    )
    offer = _offer(setup, others[0]) if others else None
    head = f"{start:%a %d/%m %H:%M} with {mechanic.name} cannot be booked: {reason}."
    raise SlotTaken(_taken_sentence(head, offer), offer)


def _hold_time(session: Session, job: WorkshopJob, slot: slots.Slot) -> None:
    """One interval per span for the mechanic, then for the bay; checked on flush."""
    rows = [
        BookingInterval(
            job_id=job.id,
            branch_id=job.branch_id,
            resource_key=resource_key("mechanic", slot.mechanic_id),
            mechanic_id=int(slot.mechanic_id),
            starts_at=start,
            ends_at=end,
        )
        for start, end in slot.intervals
    ]
    if slot.bay_id is not None:
        rows += [
            BookingInterval(
                job_id=job.id,
                branch_id=job.branch_id,
                resource_key=resource_key("bay", slot.bay_id),
                bay_id=int(slot.bay_id),
                starts_at=start,
                ends_at=end,
            )
            for start, end in slot.intervals
        ]
    session.add_all(rows)
    session.flush()
    job.mechanic_id = int(slot.mechanic_id)
    job.bay_id = int(slot.bay_id) if slot.bay_id is not None else None
    job.starts_at = slot.start
    job.ends_at = slot.end


def _give_up_time(session: Session, job: WorkshopJob) -> None:
    session.execute(delete(BookingInterval).where(BookingInterval.job_id == job.id))
    session.flush()


def _book(
    session: Session,
    actor: Actor,
    draft: _Draft,
    choice: SlotChoice,
    *,
    now: datetime | None,
) -> BookedJob:
    setup = draft.setup
    needs = _needs(session, setup, draft.parts)
    request = _request(
        setup, draft.operations, _parts_ready_on(needs), draft.length, draft.bay_types
    )
    slot = _confirm_slot(session, setup, request, choice, now=now)
    estimate = _estimate(setup, draft.operations, draft.parts)
    booked_at = now or clock.now()
    job = WorkshopJob(
        branch_id=setup.branch_id,
        source=draft.source.value,
        status=JobStatus.BOOKED.value,
        customer_id=draft.customer.id,
        vehicle_id=draft.vehicle.id,
        requested_work=draft.requested_work,
        vehicle_length_m=draft.length,
        vehicle_bay_types=" ".join(sorted(draft.bay_types)),
        estimate_minutes=request.work_minutes,
        estimate_labour=estimate.labour,
        estimate_parts=estimate.parts,
        financial_status=_standing(draft.customer),
        credit_hold_at_booking=draft.customer.credit_hold,
        booked_at=booked_at,
        booked_by_id=actor.user_id,
        updated_by_id=actor.user_id,
    )
    session.add(job)
    session.flush()
    # The time first: on PostgreSQL a clash surfaces here, before anything
    # else is locked for the job.
    _hold_time(session, job, slot)
    year = clock.local(booked_at, setup.time_zone).year
    job.number = next_number(session, NUMBER_SERIES, year, NUMBER_PREFIX)
    for position, op in enumerate(draft.operations, start=1):
        session.add(operation_line(job, op, position, setup, draft.payer, False))
    part_lines = [
        JobPart(
            job_id=job.id,
            position=position,
            part_id=part.id,
            quantity=quantity,
            unit_price=part.unit_price,
            payer=draft.payer.value,
            status=WorkStatus.AGREED.value,
        )
        for position, (part, quantity) in enumerate(draft.parts, start=1)
    ]
    session.add_all(part_lines)
    session.flush()
    promises = [
        parts.reserve(
            session,
            actor,
            branch_id=setup.branch_id,
            part_id=line.part_id,
            quantity=line.quantity,
            source_kind=SOURCE_KIND,
            source_id=job.id,
            source_line=line.id,
        )
        for line in part_lines
    ]
    offer = _offer(setup, slot)
    audit.record(
        session,
        actor,
        "book",
        "workshop_job",
        job.id,
        after={
            "number": job.number,
            "customer": draft.customer.number,
            "vehicle": draft.vehicle.vin,
            "mechanic": offer.mechanic_name,
            "bay": offer.bay_name,
            "starts_at": audit.plain(slot.start),
            "ends_at": audit.plain(slot.end),
            "estimate": audit.plain(estimate.total),
        },
    )
    return BookedJob(job.id, job.number, offer, promises)


def operation_line(
    job: WorkshopJob,
    op: LabourOperation,
    position: int,
    setup: WorkshopSetup,
    payer: Payer,
    extra: bool,
    status: WorkStatus = WorkStatus.AGREED,
) -> JobOperation:
    return JobOperation(
        job_id=job.id,
        position=position,
        operation_id=op.id,
        code=op.code,
        description=op.description,
        standard_minutes=operation(op).standard_minutes,
        hours=op.standard_hours,
        labour_rate=setup.labour_rate,
        payer=payer.value,
        extra=extra,
        status=status.value,
    )


# --------------------------------------------------------------------------
# Moving, cancelling and no-shows
# --------------------------------------------------------------------------


def _job_request(
    session: Session, setup: WorkshopSetup, job: WorkshopJob
) -> slots.JobRequest:
    """What the job's time must fit: its work, its vehicle and its parts."""
    lines = session.scalars(
        select(JobOperation)
        .where(JobOperation.job_id == job.id)
        .order_by(JobOperation.position)
    ).all()
    operations = tuple(
        slots.LabourOperation(
            line.code,
            line.description,
            line.standard_minutes,
            _skill_of(session, line),
            _bay_type_of(session, line),
        )
        for line in lines
        if line.status != WorkStatus.DECLINED.value
    )
    held = parts.promises(session, SOURCE_KIND, job.id)
    waits = [
        promise.expected_on
        for promises in held.values()
        for promise in promises
        if promise.short and promise.expected_on
    ]
    ready_on = max(waits) if waits else None
    return slots.JobRequest(
        operations,
        setup.day_start(ready_on) if ready_on else None,
        job.vehicle_length_m,
        words(job.vehicle_bay_types),
    )


def _skill_of(session: Session, line: JobOperation) -> str | None:
    op = session.get(LabourOperation, line.operation_id) if line.operation_id else None
    return op.skill if op else None


def _bay_type_of(session: Session, line: JobOperation) -> str | None:
    op = session.get(LabourOperation, line.operation_id) if line.operation_id else None
    return op.bay_type if op else None


def reschedule_options(
    db: Database,
    actor: Actor,
    job_id: int,
    *,
    not_before: date | None = None,
    at: datetime | None = None,
    count: int = 5,
) -> list[SlotOffer]:
    """The earliest slots the job could move to, its own time counted free."""
    actor.require(Permission.BOOK_WORKSHOP)
    now = at or clock.now()
    with db.read() as session:
        job = load(session, WorkshopJob, job_id, "workshop job")
        refusal = jobs.reschedule_refusal(JobStatus(job.status))
        if refusal:
            raise Refused(refusal)
        setup = load_setup(session, job.branch_id)
        request = _job_request(session, setup, job)
        found = _search(
            session,
            setup,
            request,
            _search_from(setup, now, not_before),
            count,
            exclude_job=job.id,
        )
        return [_offer(setup, slot) for slot in found]


def reschedule_job(
    db: Database,
    actor: Actor,
    job_id: int,
    expected_version: int,
    choice: SlotChoice,
    *,
    at: datetime | None = None,
) -> JobView:
    """Move the job to another slot; everything is checked again, parts stay held.

    The reservations belong to the job, not to its time, so they move with
    it unchanged; the new time may not start before awaited parts arrive.
    """
    actor.require(Permission.BOOK_WORKSHOP)
    now = at or clock.now()
    try:
        with db.write() as session:
            setup_zone = zone_of_job(session, job_id)
            job = load_for_change(
                session,
                WorkshopJob,
                job_id,
                expected_version,
                "workshop job",
                setup_zone,
            )
            refusal = jobs.reschedule_refusal(JobStatus(job.status))
            if refusal:
                raise Refused(refusal)
            setup = load_setup(session, job.branch_id)
            request = _job_request(session, setup, job)
            before = _time_snapshot(setup, job)
            slot = _confirm_slot(
                session, setup, request, choice, now=now, exclude_job=job.id
            )
            _give_up_time(session, job)
            _hold_time(session, job, slot)
            job.updated_by_id = actor.user_id
            audit.record(
                session,
                actor,
                "reschedule",
                "workshop_job",
                job.id,
                before=before,
                after=_time_snapshot(setup, job),
            )
    except IntegrityError as exc:
        if _sqlstate(exc) != EXCLUSION_VIOLATION:
            raise
        raise Refused(
            "Another advisor has just booked that time: find slots again."
        ) from None
    return job_view(db, actor, job_id)


def zone_of_job(session: Session, job_id: int) -> str:
    zone = session.scalar(
        select(Branch.time_zone)
        .join(WorkshopJob, WorkshopJob.branch_id == Branch.id)
        .where(WorkshopJob.id == job_id)
    )
    return zone or "UTC"


def _time_snapshot(setup: WorkshopSetup, job: WorkshopJob) -> dict[str, object]:
    return {
        "mechanic": setup.mechanic_names.get(job.mechanic_id or 0, ""),
        "bay": setup.bay_names.get(job.bay_id or 0, ""),
        "starts_at": audit.plain(job.starts_at),
        "ends_at": audit.plain(job.ends_at),
    }


def move_status(
    session: Session, actor: Actor, job: WorkshopJob, target: JobStatus
) -> JobStatus:
    current = JobStatus(job.status)
    refusal = jobs.move_refusal(current, target)
    if refusal:
        raise Refused(refusal)
    job.status = target.value
    job.updated_by_id = actor.user_id
    return current


def cancel_job(
    db: Database,
    actor: Actor,
    job_id: int,
    expected_version: int,
    reason: str,
    *,
    at: datetime | None = None,
) -> JobView:
    """Cancel with a reason: the time is freed and exactly the held parts go back."""
    actor.require(Permission.BOOK_WORKSHOP)
    errors = FieldErrors()
    why = errors.required("reason", reason, 500)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        job = load_for_change(
            session,
            WorkshopJob,
            job_id,
            expected_version,
            "workshop job",
            zone_of_job(session, job_id),
        )
        if session.scalar(
            select(func.count()).select_from(TimeLog).where(TimeLog.job_id == job.id)
        ):
            raise Refused(
                "Time has been logged on this job: finish it instead of cancelling."
            )
        before = move_status(session, actor, job, JobStatus.CANCELLED)
        job.cancel_reason = why
        job.closed_at = at or clock.now()
        _give_up_time(session, job)
        released = parts.release(session, actor, SOURCE_KIND, job.id)
        audit.record(
            session,
            actor,
            "cancel",
            "workshop_job",
            job.id,
            before={"status": before.value},
            after={
                "status": job.status,
                "reason": why,
                "parts_released": audit.plain(released),
            },
        )
    return job_view(db, actor, job_id)


def mark_no_show(
    db: Database,
    actor: Actor,
    job_id: int,
    expected_version: int,
    *,
    at: datetime | None = None,
) -> JobView:
    """The truck did not come: free the time and give the parts back."""
    actor.require(Permission.BOOK_WORKSHOP)
    now = at or clock.now()
    with db.write() as session:
        zone = zone_of_job(session, job_id)
        job = load_for_change(
            session, WorkshopJob, job_id, expected_version, "workshop job", zone
        )
        if job.starts_at is not None and job.starts_at > now:
            raise Refused(
                "The truck is not due until "
                f"{clock.show_instant(job.starts_at, zone)}: it cannot be a "
                "no-show yet."
            )
        before = move_status(session, actor, job, JobStatus.NO_SHOW)
        job.closed_at = now
        _give_up_time(session, job)
        released = parts.release(session, actor, SOURCE_KIND, job.id)
        audit.record(
            session,
            actor,
            "no_show",
            "workshop_job",
            job.id,
            before={"status": before.value},
            after={"status": job.status, "parts_released": audit.plain(released)},
        )
    return job_view(db, actor, job_id)


def book_in(
    session: Session,
    actor: Actor,
    draft: JobDraft,
    choice: SlotChoice,
    *,
    now: datetime | None,
) -> BookedJob:
    """Book inside the caller's transaction, with every check ``book_job`` makes.

    ``now`` None leaves out the check that the slot lies ahead, for
    bringing in bookings that were made earlier.
    """
    return _book(session, actor, _read_draft(session, actor, draft), choice, now=now)


@dataclass(frozen=True)
class WorkCode:
    """An operation or a package the advisor can type into a job's work."""

    code: str
    description: str
    minutes: int
    needs: str
    is_package: bool


def work_codes(db: Database, actor: Actor) -> list[WorkCode]:
    """Every active package, then every active operation, with time and needs."""
    actor.require(Permission.BOOK_WORKSHOP)
    with db.read() as session:
        operations = session.scalars(
            select(LabourOperation)
            .where(LabourOperation.active.is_(True))
            .order_by(LabourOperation.code)
        ).all()
        by_id = {op.id: op for op in operations}
        found: list[WorkCode] = []
        for package in session.scalars(
            select(ServicePackage)
            .where(ServicePackage.active.is_(True))
            .order_by(ServicePackage.code)
        ):
            ops = [
                by_id[item.operation_id]
                for item in session.scalars(
                    select(ServicePackageItem)
                    .where(ServicePackageItem.package_id == package.id)
                    .order_by(ServicePackageItem.position)
                )
                if item.operation_id in by_id
            ]
            found.append(
                WorkCode(
                    package.code,
                    package.description,
                    sum(operation(op).standard_minutes for op in ops),
                    _needs_text(ops),
                    True,
                )
            )
        found.extend(
            WorkCode(
                op.code,
                op.description,
                operation(op).standard_minutes,
                _needs_text([op]),
                False,
            )
            for op in operations
        )
        return found


def _needs_text(operations: Sequence[LabourOperation]) -> str:
    skills = sorted({op.skill for op in operations if op.skill})
    bays = sorted({op.bay_type for op in operations if op.bay_type})
    parts_ = []
    if skills:
        parts_.append("skill " + "+".join(skills))
    if bays:
        parts_.append("bay " + "+".join(bays))
    return ", ".join(parts_) or "no bay"
