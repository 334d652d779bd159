"""Use cases of the workshop's day: check-in, extra work, time, parts, finish.

A finished job is handed to invoicing as lines split by payer; the
invoicing area reads them with ``jobs_ready_to_invoice`` and reports each
payer's invoice back with ``mark_invoiced``. Booking, moving and
cancelling jobs are in ``workshop.booking``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound, Problem, Refused, ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load, load_for_change
from dealer_tui.parts import services as parts
from dealer_tui.parts.models import Part
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop import jobs
from dealer_tui.workshop.booking import (
    merge_parts,
    move_status,
    operation_line,
    read_parts,
    read_work,
    vehicle_text,
    zone_of_job,
)
from dealer_tui.workshop.jobs import (
    INVOICE_DONE,
    INVOICE_READY,
    PART_REMOVED,
    SOURCE_KIND,
    JobStatus,
    Payer,
    WorkStatus,
)
from dealer_tui.workshop.models import (
    BookingInterval,
    JobCharge,
    JobInvoicing,
    JobOperation,
    JobPart,
    Mechanic,
    TimeLog,
    WorkshopJob,
)
from dealer_tui.workshop.resources import load_setup
from dealer_tui.workshop.views import JobView, job_view

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# The workshop day: check-in, extra work, time, parts, finish
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInForm:
    """What the advisor records when the truck arrives."""

    odometer_km: str
    agreed_work_confirmed: bool
    other_issues: str = ""
    inspection_notes: str = ""


def check_in(
    db: Database,
    actor: Actor,
    job_id: int,
    expected_version: int,
    form: CheckInForm,
    *,
    at: datetime | None = None,
) -> JobView:
    """Welcome the truck: odometer, the agreed work confirmed, issues and inspection."""
    actor.require(Permission.RUN_WORKSHOP)
    errors = FieldErrors()
    odometer = errors.integer("odometer_km", form.odometer_km, maximum=10_000_000)
    if not form.agreed_work_confirmed:
        errors.add(
            "agreed_work_confirmed", "confirm the agreed work with the customer first"
        )
    issues = errors.optional("other_issues", form.other_issues, 4000)
    notes = errors.optional("inspection_notes", form.inspection_notes, 4000)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        zone = zone_of_job(session, job_id)
        job = load_for_change(
            session, WorkshopJob, job_id, expected_version, "workshop job", zone
        )
        record_check_in(session, actor, job, odometer, issues, notes, at or clock.now())
    return job_view(db, actor, job_id)


def record_check_in(
    session: Session,
    actor: Actor,
    job: WorkshopJob,
    odometer: int,
    issues: str,
    notes: str,
    now: datetime,
) -> None:
    """Check the job in, in the caller's transaction; the odometer never goes back."""
    vehicle = load(session, Vehicle, job.vehicle_id, "vehicle")
    if odometer < vehicle.odometer_km:
        raise ValidationFailed(
            [
                Problem(
                    "odometer_km",
                    f"{odometer:,} km is less than the {vehicle.odometer_km:,} "
                    "km already recorded",
                )
            ]
        )
    before = move_status(session, actor, job, JobStatus.CHECKED_IN)
    job.arrived_at = now
    job.odometer_km = odometer
    job.agreed_work_confirmed = True
    job.other_issues = issues
    job.inspection_notes = notes
    if odometer != vehicle.odometer_km:
        audit.record(
            session,
            actor,
            "update",
            "vehicle",
            vehicle.id,
            before={"odometer_km": vehicle.odometer_km},
            after={"odometer_km": odometer},
        )
        vehicle.odometer_km = odometer
        vehicle.updated_by_id = actor.user_id
    audit.record(
        session,
        actor,
        "check_in",
        "workshop_job",
        job.id,
        before={"status": before.value},
        after={"status": job.status, "odometer_km": odometer},
    )


def _working(session: Session, job_id: int, what: str) -> WorkshopJob:
    """The job, locked, if it is on the workshop floor (checked in or started)."""
    job = session.get(WorkshopJob, job_id, with_for_update=True)
    if job is None:
        raise NotFound("The workshop job no longer exists.")
    if job.status not in (JobStatus.CHECKED_IN.value, JobStatus.IN_PROGRESS.value):
        status = JobStatus(job.status)
        hint = " Check the truck in first." if status is JobStatus.BOOKED else ""
        raise Refused(f"A job that is {status.title} cannot have {what}.{hint}")
    return job


@dataclass(frozen=True)
class ExtraWorkForm:
    """Further work found on the truck, and the customer's answer if given."""

    work: str
    parts: str = ""
    payer: str = Payer.CUSTOMER.value
    authorised_by: str = ""
    authorised_how: str = ""


def add_extra_work(
    db: Database,
    actor: Actor,
    job_id: int,
    form: ExtraWorkForm,
    *,
    at: datetime | None = None,
) -> JobView:
    """Add work found during the job; it waits for the customer's yes unless given.

    Its parts are reserved at once so they are there when the customer
    agrees; a refusal gives them back.
    """
    actor.require(Permission.RUN_WORKSHOP)
    with db.write() as session:
        job = _working(session, job_id, "extra work")
        errors = FieldErrors()
        operations, package_parts = read_work(session, form.work, errors)
        extra = read_parts(session, form.parts, errors)
        payer = Payer(
            errors.choice("payer", form.payer, jobs.PAYER_CHOICES, default="customer")
            or Payer.CUSTOMER.value
        )
        who = errors.optional("authorised_by", form.authorised_by, 120)
        how = errors.optional("authorised_how", form.authorised_how, 40)
        if who and not how:
            errors.add(
                "authorised_how", "say how the customer agreed (phone, in person)"
            )
        if errors:
            raise ValidationFailed(errors.problems)
        setup = load_setup(session, job.branch_id)
        status = WorkStatus.AUTHORISED if who else WorkStatus.REQUESTED
        when = at or clock.now()
        position = _next_position(session, JobOperation, job.id)
        for offset, op in enumerate(operations):
            line = operation_line(
                job, op, position + offset, setup, payer, True, status
            )
            if who:
                line.authorised_by, line.authorised_how = who, how
                line.authorised_at = when
            session.add(line)
        position = _next_position(session, JobPart, job.id)
        added = []
        for offset, (part, quantity) in enumerate(
            merge_parts([*package_parts, *extra])
        ):
            line_part = JobPart(
                job_id=job.id,
                position=position + offset,
                part_id=part.id,
                quantity=quantity,
                unit_price=part.unit_price,
                payer=payer.value,
                extra=True,
                status=status.value,
            )
            session.add(line_part)
            added.append(line_part)
        session.flush()
        for line_part in added:
            parts.reserve(
                session,
                actor,
                branch_id=job.branch_id,
                part_id=line_part.part_id,
                quantity=line_part.quantity,
                source_kind=SOURCE_KIND,
                source_id=job.id,
                source_line=line_part.id,
            )
        job.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "extra_work",
            "workshop_job",
            job.id,
            after={
                "work": " ".join(op.code for op in operations),
                "parts": len(added),
                "status": status.value,
                "authorised_by": who,
            },
        )
    return job_view(db, actor, job_id)


def _next_position(session: Session, model, job_id: int) -> int:  # type: ignore[no-untyped-def]
    highest = session.scalar(
        select(func.max(model.position)).where(model.job_id == job_id)
    )
    return (highest or 0) + 1


def answer_extra_work(
    db: Database,
    actor: Actor,
    job_id: int,
    *,
    authorised: bool,
    authorised_by: str = "",
    authorised_how: str = "",
    at: datetime | None = None,
) -> JobView:
    """Record the customer's answer to all extra work waiting for one.

    A yes names who agreed and how; a no declines the work and gives its
    parts back.
    """
    actor.require(Permission.RUN_WORKSHOP)
    errors = FieldErrors()
    who = how = ""
    if authorised:
        who = errors.required("authorised_by", authorised_by, 120)
        how = errors.required("authorised_how", authorised_how, 40)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        job = _working(session, job_id, "extra work answered")
        waiting_ops = session.scalars(
            select(JobOperation).where(
                JobOperation.job_id == job.id,
                JobOperation.status == WorkStatus.REQUESTED.value,
            )
        ).all()
        waiting_parts = session.scalars(
            select(JobPart).where(
                JobPart.job_id == job.id,
                JobPart.status == WorkStatus.REQUESTED.value,
            )
        ).all()
        if not waiting_ops and not waiting_parts:
            raise Refused("No extra work is waiting for the customer's answer.")
        when = at or clock.now()
        answer = WorkStatus.AUTHORISED if authorised else WorkStatus.DECLINED
        for line in waiting_ops:
            line.status = answer.value
            if authorised:
                line.authorised_by, line.authorised_how = who, how
                line.authorised_at = when
        for line_part in waiting_parts:
            line_part.status = answer.value
            if not authorised:
                parts.release(session, actor, SOURCE_KIND, job.id, line_part.id)
        job.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "authorise" if authorised else "decline",
            "workshop_job",
            job.id,
            after={
                "lines": len(waiting_ops) + len(waiting_parts),
                "authorised_by": who,
                "how": how,
            },
        )
    return job_view(db, actor, job_id)


def _mechanic_at(
    session: Session, branch_id: int, who: str | int, errors: FieldErrors
) -> Mechanic | None:
    if isinstance(who, int):
        mechanic = session.get(Mechanic, who)
    else:
        code = who.strip().upper()
        if not code:
            errors.add("mechanic", "is required: type the mechanic's code")
            return None
        mechanic = session.scalars(
            select(Mechanic).where(
                Mechanic.branch_id == branch_id, func.upper(Mechanic.code) == code
            )
        ).one_or_none()
    if mechanic is None or mechanic.branch_id != branch_id or not mechanic.active:
        errors.add("mechanic", f"no mechanic '{who}' works in this workshop")
        return None
    return mechanic


def log_on(
    db: Database,
    actor: Actor,
    job_id: int,
    mechanic: str | int,
    *,
    at: datetime | None = None,
) -> JobView:
    """A mechanic starts on the job; the first one starts the job itself."""
    actor.require(Permission.RUN_WORKSHOP)
    with db.write() as session:
        job = _working(session, job_id, "time logged")
        errors = FieldErrors()
        person = _mechanic_at(session, job.branch_id, mechanic, errors)
        if errors or person is None:
            raise ValidationFailed(errors.problems)
        start_log(session, actor, job, person, at or clock.now())
    return job_view(db, actor, job_id)


def start_log(
    session: Session, actor: Actor, job: WorkshopJob, person: Mechanic, now: datetime
) -> TimeLog:
    """Log the mechanic on in the caller's transaction; one open log each."""
    open_log = session.scalars(
        select(TimeLog).where(
            TimeLog.mechanic_id == person.id, TimeLog.ended_at.is_(None)
        )
    ).first()
    if open_log is not None:
        other = session.get(WorkshopJob, open_log.job_id)
        where = (
            "this job"
            if open_log.job_id == job.id
            else (f"job {other.number}" if other else "another job")
        )
        raise Refused(f"{person.name} is already logged on to {where}.")
    if job.status == JobStatus.CHECKED_IN.value:
        move_status(session, actor, job, JobStatus.IN_PROGRESS)
    log = TimeLog(
        job_id=job.id,
        mechanic_id=person.id,
        started_at=now,
        logged_by_id=actor.user_id,
    )
    session.add(log)
    session.flush()
    audit.record(
        session,
        actor,
        "log_on",
        "workshop_job",
        job.id,
        after={"mechanic": person.code, "at": audit.plain(now)},
    )
    return log


def log_off(
    db: Database,
    actor: Actor,
    job_id: int,
    mechanic: str | int | None = None,
    *,
    at: datetime | None = None,
) -> JobView:
    """A mechanic stops on the job; with one logged on, naming them is optional."""
    actor.require(Permission.RUN_WORKSHOP)
    now = at or clock.now()
    with db.write() as session:
        job = _working(session, job_id, "time logged")
        open_logs = session.scalars(
            select(TimeLog)
            .where(TimeLog.job_id == job.id, TimeLog.ended_at.is_(None))
            .order_by(TimeLog.id)
        ).all()
        if not open_logs:
            raise Refused("Nobody is logged on to this job.")
        if mechanic is None or mechanic == "":
            if len(open_logs) > 1:
                raise ValidationFailed(
                    [Problem("mechanic", "several are logged on: say who")]
                )
            log = open_logs[0]
        else:
            errors = FieldErrors()
            person = _mechanic_at(session, job.branch_id, mechanic, errors)
            if errors or person is None:
                raise ValidationFailed(errors.problems)
            found = [entry for entry in open_logs if entry.mechanic_id == person.id]
            if not found:
                raise Refused(f"{person.name} is not logged on to this job.")
            log = found[0]
        end_log(session, actor, job, log, now)
    return job_view(db, actor, job_id)


def end_log(
    session: Session, actor: Actor, job: WorkshopJob, log: TimeLog, now: datetime
) -> None:
    """Log the mechanic off in the caller's transaction."""
    if now < log.started_at:
        raise Refused("The end of a time log cannot come before its start.")
    log.ended_at = now
    minutes = int((now - log.started_at).total_seconds() // 60)
    audit.record(
        session,
        actor,
        "log_off",
        "workshop_job",
        job.id,
        after={"mechanic_id": log.mechanic_id, "minutes": minutes},
    )


def pick_parts(db: Database, actor: Actor, job_id: int) -> JobView:
    """Issue every reserved part of the job from stock to the workshop."""
    actor.require(Permission.RUN_WORKSHOP)
    with db.write() as session:
        job = _working(session, job_id, "parts picked")
        picked = parts.pick(session, actor, SOURCE_KIND, job.id)
        if not picked:
            raise Refused("No reserved parts are waiting to be picked for this job.")
    return job_view(db, actor, job_id)


def remove_part(db: Database, actor: Actor, job_id: int, line_id: int) -> JobView:
    """Take a part line off the job and give back exactly what it held."""
    actor.require(Permission.RUN_WORKSHOP)
    with db.write() as session:
        job = session.get(WorkshopJob, job_id, with_for_update=True)
        if job is None:
            raise NotFound("The workshop job no longer exists.")
        if not JobStatus(job.status).is_open:
            raise Refused(
                f"A job that is {JobStatus(job.status).title} keeps its parts."
            )
        line = session.get(JobPart, line_id)
        if line is None or line.job_id != job.id or line.status == PART_REMOVED:
            raise NotFound("That part line is not on this job.")
        held = parts.promises(session, SOURCE_KIND, job.id).get(line.id, [])
        if any(promise.picked for promise in held):
            raise Refused(
                "That part has been picked: return it to the counter, then remove it."
            )
        released = parts.release(session, actor, SOURCE_KIND, job.id, line.id)
        line.status = PART_REMOVED
        audit.record(
            session,
            actor,
            "remove_part",
            "workshop_job",
            job.id,
            after={"line": line.id, "released": audit.plain(released)},
        )
    return job_view(db, actor, job_id)


def set_payer(
    db: Database, actor: Actor, job_id: int, kind: str, line_id: int, payer: str
) -> JobView:
    """Say who pays one line: customer, warranty, contract or internal."""
    actor.require(Permission.RUN_WORKSHOP)
    errors = FieldErrors()
    chosen = errors.choice("payer", payer, jobs.PAYER_CHOICES)
    if errors:
        raise ValidationFailed(errors.problems)
    model = JobOperation if kind == "operation" else JobPart
    with db.write() as session:
        job = session.get(WorkshopJob, job_id, with_for_update=True)
        if job is None:
            raise NotFound("The workshop job no longer exists.")
        if not JobStatus(job.status).is_open:
            raise Refused(
                f"A job that is {JobStatus(job.status).title} has its payers fixed."
            )
        line = session.get(model, line_id)
        if line is None or line.job_id != job.id:
            raise NotFound("That line is not on this job.")
        before = line.payer
        line.payer = chosen
        audit.record(
            session,
            actor,
            "set_payer",
            "workshop_job",
            job.id,
            before={"line": f"{kind} {line_id}", "payer": before},
            after={"line": f"{kind} {line_id}", "payer": chosen},
        )
    return job_view(db, actor, job_id)


@dataclass(frozen=True)
class FinishForm:
    """What the advisor writes when the work is done and tested."""

    findings: str
    handover_notes: str = ""
    next_service_due: str = ""
    next_service_km: str = ""


def finish_job(
    db: Database,
    actor: Actor,
    job_id: int,
    expected_version: int,
    form: FinishForm,
    *,
    at: datetime | None = None,
) -> JobView:
    """Validate the finished job and hand its lines to invoicing, split by payer.

    Refused while a mechanic is logged on, extra work waits for the
    customer, or a part is reserved but not picked or still awaited. The
    lines are frozen as they are now; unused booked time is given back.
    """
    actor.require(Permission.RUN_WORKSHOP)
    now = at or clock.now()
    errors = FieldErrors()
    findings = errors.required("findings", form.findings, 4000)
    handover = errors.optional("handover_notes", form.handover_notes, 4000)
    due = errors.day("next_service_due", form.next_service_due)
    due_km = errors.integer(
        "next_service_km", form.next_service_km, default=0, maximum=10_000_000
    )
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        zone = zone_of_job(session, job_id)
        job = load_for_change(
            session, WorkshopJob, job_id, expected_version, "workshop job", zone
        )
        if due is not None and due <= clock.local(now, zone).date():
            raise ValidationFailed([Problem("next_service_due", "must be after today")])
        record_finish(session, actor, job, findings, handover, due, due_km, now)
    log.info("workshop job %s finished and handed to invoicing", job_id)
    return job_view(db, actor, job_id)


def record_finish(
    session: Session,
    actor: Actor,
    job: WorkshopJob,
    findings: str,
    handover: str,
    due: date | None,
    due_km: int,
    now: datetime,
) -> None:
    """Finish the job in the caller's transaction and freeze its lines by payer."""
    _check_finishable(session, job)
    before = move_status(session, actor, job, JobStatus.FINISHED)
    lines = _charge_lines(session, job)
    if not lines:
        raise Refused("Nothing on this job can be charged: add the work done.")
    for position, line in enumerate(lines, start=1):
        session.add(
            JobCharge(
                job_id=job.id,
                payer=line.payer.value,
                position=position,
                kind=line.kind,
                code=line.code,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_category=line.tax_category,
            )
        )
    for payer in jobs.split_by_payer(lines):
        session.add(
            JobInvoicing(
                job_id=job.id, payer=payer.value, status=INVOICE_READY, ready_at=now
            )
        )
    job.finished_at = now
    job.findings = findings
    job.handover_notes = handover
    job.next_service_due = due
    job.next_service_km = due_km or None
    _trim_time(session, job, now)
    if due is not None or due_km:
        vehicle = load(session, Vehicle, job.vehicle_id, "vehicle")
        old = audit.snapshot(vehicle, ("next_service_due", "next_service_km"))
        if due is not None:
            vehicle.next_service_due = due
        if due_km:
            vehicle.next_service_km = due_km
        vehicle.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "update",
            "vehicle",
            vehicle.id,
            before=old,
            after=audit.snapshot(vehicle, ("next_service_due", "next_service_km")),
        )
    totals = {
        payer.value: audit.plain(sum((line.amount for line in group), Decimal(0)))
        for payer, group in jobs.split_by_payer(lines).items()
    }
    audit.record(
        session,
        actor,
        "finish",
        "workshop_job",
        job.id,
        before={"status": before.value},
        after={"status": job.status, "to_invoice": totals},
    )


def _check_finishable(session: Session, job: WorkshopJob) -> None:
    logged_on = (
        session.execute(
            select(Mechanic.name)
            .join(TimeLog, TimeLog.mechanic_id == Mechanic.id)
            .where(TimeLog.job_id == job.id, TimeLog.ended_at.is_(None))
        )
        .scalars()
        .all()
    )
    if logged_on:
        raise Refused(f"Log off first: {', '.join(logged_on)} still on the job.")
    waiting = (
        session.scalar(
            select(func.count())
            .select_from(JobOperation)
            .where(
                JobOperation.job_id == job.id,
                JobOperation.status == WorkStatus.REQUESTED.value,
            )
        )
        or 0
    )
    waiting += (
        session.scalar(
            select(func.count())
            .select_from(JobPart)
            .where(
                JobPart.job_id == job.id, JobPart.status == WorkStatus.REQUESTED.value
            )
        )
        or 0
    )
    if waiting:
        raise Refused("Extra work still waits for the customer's answer.")
    held = parts.promises(session, SOURCE_KIND, job.id)
    open_parts = [
        promise.part_number
        for line_id, promises in held.items()
        for promise in promises
        if promise.reserved or promise.awaiting
    ]
    if open_parts:
        raise Refused(
            "Pick or remove these parts first: " + ", ".join(sorted(set(open_parts)))
        )


def _charge_lines(session: Session, job: WorkshopJob) -> list[jobs.ChargeLine]:
    lines: list[jobs.ChargeLine] = []
    for op in session.scalars(
        select(JobOperation)
        .where(JobOperation.job_id == job.id)
        .order_by(JobOperation.position)
    ):
        if not WorkStatus(op.status).billable:
            continue
        payer = Payer(op.payer)
        lines.append(
            jobs.ChargeLine(
                payer,
                "labour",
                op.code,
                op.description,
                op.hours.quantize(jobs.QUANTITY),
                op.labour_rate,
                payer.tax_category("S"),
            )
        )
    for line, part in session.execute(
        select(JobPart, Part)
        .join(Part, Part.id == JobPart.part_id)
        .where(JobPart.job_id == job.id)
        .order_by(JobPart.position)
    ):
        if line.status == PART_REMOVED or not WorkStatus(line.status).billable:
            continue
        payer = Payer(line.payer)
        lines.append(
            jobs.ChargeLine(
                payer,
                "part",
                part.part_number,
                part.description,
                line.quantity,
                line.unit_price,
                payer.tax_category(part.tax_category),
            )
        )
    return lines


def _trim_time(session: Session, job: WorkshopJob, finished_at: datetime) -> None:
    """Give back booked time after the job finished; keep what was used."""
    rows = session.scalars(
        select(BookingInterval).where(BookingInterval.job_id == job.id)
    ).all()
    for row in rows:
        if row.starts_at >= finished_at:
            session.delete(row)
        elif row.ends_at > finished_at:
            row.ends_at = finished_at
    session.flush()


# --------------------------------------------------------------------------
# Handing finished jobs to invoicing
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """A line for the invoice: what, how many, at what price, taxed how."""

    kind: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_category: str


@dataclass(frozen=True, slots=True)
class ReadyToInvoice:
    """One payer's part of a finished job, ready to be invoiced.

    ``customer_id`` is the job's customer for the customer and contract
    payers; warranty (the maker) and internal work name no customer.
    """

    job_id: int
    number: str
    branch_code: str
    payer: str
    customer_id: int | None
    customer_number: str
    customer_name: str
    vehicle: str
    finished_at: datetime
    lines: tuple[InvoiceLine, ...]

    @property
    def net_total(self) -> Decimal:
        """The lines before tax, each rounded to the cent, added up."""
        return sum(
            (jobs.to_cent(line.quantity * line.unit_price) for line in self.lines),
            Decimal("0.00"),
        )


def _read_once(column: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """Reads a column's stored values as its type does, each distinct one once."""
    convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
    known: dict[Any, Any] = {}

    def read(stored: Any) -> Any:
        try:
            return known[stored]
        except KeyError:
            value = known[stored] = convert(stored) if convert else stored
            return value

    return read


def _same(value: Any) -> Any:
    return value


def _as_stored(column: Any, stored: bool) -> Any:
    """The column itself, or (stored) its values as the database holds them."""
    return type_coerce(column, NullType()) if stored else column


def jobs_ready_to_invoice(
    db: Database,
    actor: Actor,
    until: datetime | None = None,
    branch: str | None = None,
) -> list[ReadyToInvoice]:
    """Finished jobs not yet invoiced, one entry per job and payer.

    ``until`` keeps jobs finished up to that instant; ``branch`` a branch
    code. Oldest first.
    """
    actor.require(Permission.INVOICE_WORKSHOP)
    # Only the columns the entries need: a batch run lists tens of thousands
    # of jobs, and whole customers and vehicles would cost it more than the
    # invoicing itself.
    stmt = (
        select(
            JobInvoicing.payer,
            JobInvoicing.ready_at,
            WorkshopJob.id,
            WorkshopJob.number,
            WorkshopJob.finished_at,
            Account.id.label("customer_id"),
            Account.number.label("customer_number"),
            Account.name.label("customer_name"),
            Vehicle.registration,
            Vehicle.vin,
            Vehicle.make,
            Vehicle.model,
            Branch.code,
        )
        .join(WorkshopJob, WorkshopJob.id == JobInvoicing.job_id)
        .join(Account, Account.id == WorkshopJob.customer_id)
        .join(Vehicle, Vehicle.id == WorkshopJob.vehicle_id)
        .join(Branch, Branch.id == WorkshopJob.branch_id)
        .where(JobInvoicing.status == INVOICE_READY)
        .order_by(WorkshopJob.finished_at, WorkshopJob.id, JobInvoicing.payer)
    )
    if until is not None:
        stmt = stmt.where(WorkshopJob.finished_at <= until)
    if branch:
        stmt = stmt.where(Branch.code == branch.strip().upper())
    with db.read() as session:
        # Plain rows through the connection: no entity is loaded, so the
        # session's per-row bookkeeping is not needed.
        connection = session.connection()
        found = connection.execute(stmt).all()
        job_ids = sorted({row[2] for row in found})
        charges: dict[tuple[int, str], list[InvoiceLine]] = {}
        # Quantities and prices repeat from job to job: each stored value is
        # read into a decimal once, by the column's own type.
        # (On SQLite they are stored as whole numbers of their smallest unit.)
        dialect = connection.dialect
        stored = dialect.name == "sqlite"
        quantity = _read_once(JobCharge.quantity, dialect) if stored else _same
        unit_price = _read_once(JobCharge.unit_price, dialect) if stored else _same
        for start in range(0, len(job_ids), 500):
            rows = connection.execute(
                select(
                    JobCharge.job_id,
                    JobCharge.payer,
                    JobCharge.kind,
                    JobCharge.code,
                    JobCharge.description,
                    _as_stored(JobCharge.quantity, stored),
                    _as_stored(JobCharge.unit_price, stored),
                    JobCharge.tax_category,
                )
                .where(JobCharge.job_id.in_(job_ids[start : start + 500]))
                .order_by(JobCharge.job_id, JobCharge.position)
            )
            for job_id, payer, kind, code, text, qty, price, tax in rows:
                charges.setdefault((job_id, payer), []).append(
                    InvoiceLine(kind, code, text, quantity(qty), unit_price(price), tax)
                )
    named_payers = (Payer.CUSTOMER.value, Payer.CONTRACT.value)
    result = []
    for row in found:
        payer, ready_at, job_id, number, finished_at, customer_id = row[:6]
        result.append(
            ReadyToInvoice(
                job_id=job_id,
                number=number or "",
                branch_code=row.code,
                payer=payer,
                customer_id=customer_id if payer in named_payers else None,
                customer_number=row.customer_number,
                customer_name=row.customer_name,
                vehicle=vehicle_text(row),
                finished_at=finished_at or ready_at,
                lines=tuple(charges.get((job_id, payer), ())),
            )
        )
    return result


def mark_invoiced(
    db: Database,
    actor: Actor,
    job_id: int,
    payer: str,
    invoice_reference: str,
    *,
    at: datetime | None = None,
) -> None:
    """Record that one payer's part of the job went out on an invoice.

    When every payer's part is invoiced the job itself is invoiced.
    """
    actor.require(Permission.INVOICE_WORKSHOP)
    errors = FieldErrors()
    reference = errors.required("invoice_reference", invoice_reference, 40)
    chosen = errors.choice("payer", payer, jobs.PAYER_CHOICES)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        job = session.get(WorkshopJob, job_id, with_for_update=True)
        if job is None:
            raise NotFound("The workshop job no longer exists.")
        state = session.scalars(
            select(JobInvoicing)
            .where(JobInvoicing.job_id == job.id, JobInvoicing.payer == chosen)
            .with_for_update()
        ).one_or_none()
        if state is None:
            raise Refused(f"Job {job.number} has nothing for the {chosen} to pay.")
        if state.status == INVOICE_DONE:
            raise Refused(
                f"The {chosen} part of job {job.number} is already on invoice "
                f"{state.invoice_reference}."
            )
        state.status = INVOICE_DONE
        state.invoice_reference = reference
        state.invoiced_at = at or clock.now()
        state.invoiced_by_id = actor.user_id
        session.flush()
        left = session.scalar(
            select(func.count())
            .select_from(JobInvoicing)
            .where(JobInvoicing.job_id == job.id, JobInvoicing.status == INVOICE_READY)
        )
        if not left:
            move_status(session, actor, job, JobStatus.INVOICED)
            job.closed_at = state.invoiced_at
        audit.record(
            session,
            actor,
            "invoiced",
            "workshop_job",
            job.id,
            after={"payer": chosen, "invoice": reference, "status": job.status},
        )
