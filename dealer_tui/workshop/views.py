"""Reading workshop jobs: the job card and the list of jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.models import Branch
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.records import load
from dealer_tui.core.text import compact_key, like_escape, search_key
from dealer_tui.parts import services as parts
from dealer_tui.parts.models import Part
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop import jobs
from dealer_tui.workshop.jobs import (
    PART_REMOVED,
    SOURCE_KIND,
    JobSource,
    JobStatus,
    WorkStatus,
)
from dealer_tui.workshop.models import (
    Bay,
    JobCharge,
    JobInvoicing,
    JobOperation,
    JobPart,
    Mechanic,
    TimeLog,
    WorkshopJob,
)

# --------------------------------------------------------------------------
# The job card
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationView:
    id: int
    code: str
    description: str
    hours: Decimal
    payer: str
    status: str
    extra: bool
    authorised: str


@dataclass(frozen=True)
class PartLineView:
    id: int
    part_number: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    payer: str
    status: str
    extra: bool
    holding: str


@dataclass(frozen=True)
class TimeLogView:
    mechanic_code: str
    mechanic_name: str
    started_at: datetime
    ended_at: datetime | None

    def minutes(self, now: datetime) -> int:
        end = self.ended_at or now
        return max(0, int((end - self.started_at).total_seconds() // 60))


@dataclass(frozen=True)
class InvoicingView:
    payer: str
    status: str
    reference: str
    net_total: Decimal


@dataclass(frozen=True)
class JobView:
    """A job as the job card shows it."""

    id: int
    version: int
    number: str
    status: JobStatus
    source: JobSource
    branch_code: str
    time_zone: str
    customer_id: int
    customer_number: str
    customer_name: str
    customer_phone: str
    vehicle_id: int
    registration: str
    vin: str
    vehicle_name: str
    vehicle_odometer_km: int
    requested_work: str
    financial_status: str
    credit_hold: bool
    mechanic_id: int | None
    mechanic_code: str
    mechanic_name: str
    bay_id: int | None
    bay_name: str
    starts_at: datetime | None
    ends_at: datetime | None
    estimate_minutes: int
    estimate_labour: Decimal
    estimate_parts: Decimal
    arrived_at: datetime | None
    odometer_km: int | None
    other_issues: str
    inspection_notes: str
    finished_at: datetime | None
    findings: str
    handover_notes: str
    next_service_due: date | None
    next_service_km: int | None
    cancel_reason: str
    operations: list[OperationView] = field(default_factory=list)
    parts: list[PartLineView] = field(default_factory=list)
    time_logs: list[TimeLogView] = field(default_factory=list)
    invoicing: list[InvoicingView] = field(default_factory=list)

    @property
    def logged_on(self) -> list[TimeLogView]:
        return [log for log in self.time_logs if log.ended_at is None]

    @property
    def awaiting_answer(self) -> bool:
        requested = WorkStatus.REQUESTED.value
        return any(op.status == requested for op in self.operations) or any(
            p.status == requested for p in self.parts
        )

    @property
    def estimate_total(self) -> Decimal:
        return self.estimate_labour + self.estimate_parts

    def local(self, instant: datetime | None, pattern: str = "%a %d/%m %H:%M") -> str:
        if instant is None:
            return ""
        return instant.astimezone(ZoneInfo(self.time_zone)).strftime(pattern)


def job_view(db: Database, actor: Actor, job_id: int) -> JobView:
    """Everything the job card shows: booking, lines, parts, time and invoicing."""
    actor.require(Permission.VIEW_WORKSHOP)
    with db.read() as session:
        return load_job_view(session, job_id)


def load_job_view(session: Session, job_id: int) -> JobView:
    job = load(session, WorkshopJob, job_id, "workshop job")
    branch = session.get(Branch, job.branch_id)
    customer = session.get(Account, job.customer_id)
    vehicle = session.get(Vehicle, job.vehicle_id)
    mechanic = session.get(Mechanic, job.mechanic_id) if job.mechanic_id else None
    bay = session.get(Bay, job.bay_id) if job.bay_id else None
    assert branch is not None and customer is not None and vehicle is not None
    held = parts.promises(session, SOURCE_KIND, job.id)
    part_rows = session.execute(
        select(JobPart, Part)
        .join(Part, Part.id == JobPart.part_id)
        .where(JobPart.job_id == job.id)
        .order_by(JobPart.position)
    ).all()
    logs = session.execute(
        select(TimeLog, Mechanic)
        .join(Mechanic, Mechanic.id == TimeLog.mechanic_id)
        .where(TimeLog.job_id == job.id)
        .order_by(TimeLog.started_at, TimeLog.id)
    ).all()
    charges = session.scalars(select(JobCharge).where(JobCharge.job_id == job.id)).all()
    invoicing = session.scalars(
        select(JobInvoicing)
        .where(JobInvoicing.job_id == job.id)
        .order_by(JobInvoicing.payer)
    ).all()
    return JobView(
        id=job.id,
        version=job.version,
        number=job.number or "",
        status=JobStatus(job.status),
        source=JobSource(job.source),
        branch_code=branch.code,
        time_zone=branch.time_zone,
        customer_id=customer.id,
        customer_number=customer.number,
        customer_name=customer.name,
        customer_phone=customer.phone,
        vehicle_id=vehicle.id,
        registration=vehicle.registration,
        vin=vehicle.vin,
        vehicle_name=f"{vehicle.make} {vehicle.model}",
        vehicle_odometer_km=vehicle.odometer_km,
        requested_work=job.requested_work,
        financial_status=job.financial_status,
        credit_hold=job.credit_hold_at_booking,
        mechanic_id=job.mechanic_id,
        mechanic_code=mechanic.code if mechanic else "",
        mechanic_name=mechanic.name if mechanic else "",
        bay_id=job.bay_id,
        bay_name=bay.name if bay else "",
        starts_at=job.starts_at,
        ends_at=job.ends_at,
        estimate_minutes=job.estimate_minutes,
        estimate_labour=job.estimate_labour,
        estimate_parts=job.estimate_parts,
        arrived_at=job.arrived_at,
        odometer_km=job.odometer_km,
        other_issues=job.other_issues,
        inspection_notes=job.inspection_notes,
        finished_at=job.finished_at,
        findings=job.findings,
        handover_notes=job.handover_notes,
        next_service_due=job.next_service_due,
        next_service_km=job.next_service_km,
        cancel_reason=job.cancel_reason,
        operations=[
            OperationView(
                op.id,
                op.code,
                op.description,
                op.hours,
                op.payer,
                op.status,
                op.extra,
                f"{op.authorised_by} ({op.authorised_how})" if op.authorised_by else "",
            )
            for op in session.scalars(
                select(JobOperation)
                .where(JobOperation.job_id == job.id)
                .order_by(JobOperation.position)
            )
        ],
        parts=[
            PartLineView(
                line.id,
                part.part_number,
                part.description,
                line.quantity,
                line.unit_price,
                line.payer,
                line.status,
                line.extra,
                _holding(held.get(line.id, []), line.status),
            )
            for line, part in part_rows
        ],
        time_logs=[
            TimeLogView(m.code, m.name, log.started_at, log.ended_at) for log, m in logs
        ],
        invoicing=[
            InvoicingView(
                state.payer,
                state.status,
                state.invoice_reference,
                sum(
                    (
                        jobs.to_cent(c.quantity * c.unit_price)
                        for c in charges
                        if c.payer == state.payer
                    ),
                    Decimal("0.00"),
                ),
            )
            for state in invoicing
        ],
    )


def _holding(promises: list[parts.Promise], status: str) -> str:
    if status == PART_REMOVED:
        return "removed"
    if not promises:
        return "nothing held"
    return "; ".join(p.describe().split(": ", 1)[1] for p in promises)


@dataclass(frozen=True)
class JobLine:
    """A row of the job list."""

    id: int
    number: str
    status: JobStatus
    starts_at: datetime | None
    registration: str
    customer_name: str
    mechanic_name: str


def job_page(
    db: Database, actor: Actor, text: str, request: PageRequest
) -> tuple[list[JobLine], list[tuple[object, ...]], bool]:
    """A page of jobs by number; typed text finds a number, registration or customer."""
    actor.require(Permission.VIEW_WORKSHOP)
    stmt = (
        select(
            WorkshopJob.id,
            WorkshopJob.number,
            WorkshopJob.status,
            WorkshopJob.starts_at,
            Vehicle.registration,
            Account.name,
            Mechanic.name,
            WorkshopJob.number,
        )
        .join(Vehicle, Vehicle.id == WorkshopJob.vehicle_id)
        .join(Account, Account.id == WorkshopJob.customer_id)
        .outerjoin(Mechanic, Mechanic.id == WorkshopJob.mechanic_id)
        .where(WorkshopJob.number.is_not(None))
    )
    key = text.strip().upper()
    if key:
        pattern = like_escape(key)
        compact = like_escape(compact_key(key))
        name = like_escape(search_key(key))
        stmt = stmt.where(
            or_(
                WorkshopJob.number.like(f"{pattern}%", escape="\\"),
                WorkshopJob.number.like(f"%{pattern}", escape="\\"),
                Vehicle.registration.like(f"{compact}%", escape="\\"),
                Account.name_key.like(f"{name}%", escape="\\"),
            )
        )
    with db.read() as session:
        page = fetch_page(session, stmt, (WorkshopJob.number,), request)
    lines = [
        JobLine(r[0], r[1], JobStatus(r[2]), r[3], r[4], r[5], r[6] or "")
        for r in page.rows
    ]
    return lines, page.keys, page.has_more
