"""The workshop's tables: calendar, mechanics, bays, operations and jobs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dealer_tui.core.model import Base, Versioned
from dealer_tui.core.types import ExactDecimal, UTCDateTime, utc_now


class WorkshopBranch(Versioned, Base):
    """A branch's workshop: opening hours, holidays and labour rate.

    ``opening_hours`` maps weekdays to periods as the calendar reads them,
    e.g. ``{"mon-fri": "07:00-12:00, 12:30-16:30"}``. Public holidays are
    those of ``holiday_country`` and ``holiday_subdivision``.
    """

    __tablename__ = "workshop_branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), unique=True)
    opening_hours: Mapped[dict[str, str]] = mapped_column(JSON)
    holiday_country: Mapped[str | None] = mapped_column(String(2))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(8))
    labour_rate: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    granularity_minutes: Mapped[int] = mapped_column(Integer, default=15)


class WorkshopDay(Base):
    """A day the workshop closes although open, or opens on a public holiday."""

    __tablename__ = "workshop_days"
    __table_args__ = (UniqueConstraint("branch_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    day: Mapped[date] = mapped_column(Date)
    # "closed" or "open"
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(120), default="")


class Mechanic(Versioned, Base):
    """A mechanic of a branch, the skills held and the hours worked.

    ``skills`` are codes separated by spaces (``engine hv_ev``);
    ``working_hours`` has the form of opening hours, or is empty when the
    mechanic works whenever the workshop is open.
    """

    __tablename__ = "mechanics"
    __table_args__ = (UniqueConstraint("branch_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120))
    skills: Mapped[str] = mapped_column(String(200), default="")
    working_hours: Mapped[dict[str, str] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MechanicLeave(Base):
    """Whole local days a mechanic is away, first and last day included."""

    __tablename__ = "mechanic_leave"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="days_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mechanic_id: Mapped[int] = mapped_column(ForeignKey("mechanics.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120), default="")


class Bay(Versioned, Base):
    """A workshop bay: its type, the types it also serves, its length limit."""

    __tablename__ = "bays"
    __table_args__ = (UniqueConstraint("branch_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120))
    bay_type: Mapped[str] = mapped_column(String(20))
    also_serves: Mapped[str] = mapped_column(String(100), default="")
    max_length_m: Mapped[Decimal | None] = mapped_column(ExactDecimal(6, 2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LabourOperation(Versioned, Base):
    """A labour operation: standard time, the skill and bay type it needs."""

    __tablename__ = "labour_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    standard_hours: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    skill: Mapped[str | None] = mapped_column(String(20))
    bay_type: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServicePackage(Versioned, Base):
    """A named bundle of operations and parts, such as an A service."""

    __tablename__ = "service_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServicePackageItem(Base):
    """One operation, or one part with its quantity, of a service package."""

    __tablename__ = "service_package_items"
    __table_args__ = (
        CheckConstraint(
            "(operation_id IS NULL AND part_id IS NOT NULL AND quantity > 0)"
            " OR (operation_id IS NOT NULL AND part_id IS NULL)",
            name="operation_or_part",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("service_packages.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("labour_operations.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[Decimal | None] = mapped_column(ExactDecimal(14, 3))


class WorkshopJob(Versioned, Base):
    """A workshop job: the booking, the check-in, the work and the hand-over.

    ``status`` moves along the whitelist in ``workshop.jobs``. The booked
    mechanic, bay and span stay on the job after a cancellation so the
    history reads whole; only the booking intervals are given up.
    """

    __tablename__ = "workshop_jobs"
    __table_args__ = (
        Index("ix_workshop_jobs_branch_start", "branch_id", "starts_at"),
        Index("ix_workshop_jobs_status", "status"),
        # The jobs on the floor at a branch (migration 0008).
        Index("ix_workshop_jobs_status_branch", "status", "branch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Taken in the booking transaction once the time is secured.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    customer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    requested_work: Mapped[str] = mapped_column(Text, default="")
    vehicle_length_m: Mapped[Decimal | None] = mapped_column(ExactDecimal(6, 2))
    vehicle_bay_types: Mapped[str] = mapped_column(String(60), default="")
    estimate_minutes: Mapped[int] = mapped_column(Integer, default=0)
    estimate_labour: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    estimate_parts: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    financial_status: Mapped[str] = mapped_column(String(200), default="")
    credit_hold_at_booking: Mapped[bool] = mapped_column(Boolean, default=False)
    mechanic_id: Mapped[int | None] = mapped_column(ForeignKey("mechanics.id"))
    bay_id: Mapped[int | None] = mapped_column(ForeignKey("bays.id"))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    odometer_km: Mapped[int | None] = mapped_column(Integer)
    agreed_work_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    other_issues: Mapped[str] = mapped_column(Text, default="")
    inspection_notes: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    findings: Mapped[str] = mapped_column(Text, default="")
    handover_notes: Mapped[str] = mapped_column(Text, default="")
    next_service_due: Mapped[date | None] = mapped_column(Date)
    next_service_km: Mapped[int | None] = mapped_column(Integer)


class JobOperation(Base):
    """A labour line of a job: agreed at booking, or extra work found later.

    Extra work is ``requested`` until the customer's answer is recorded as
    ``authorised`` (who, how and when) or ``declined``.
    """

    __tablename__ = "job_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("labour_operations.id"))
    code: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    standard_minutes: Mapped[int] = mapped_column(Integer)
    hours: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    labour_rate: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    payer: Mapped[str] = mapped_column(String(10))
    extra: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))
    authorised_by: Mapped[str] = mapped_column(String(120), default="")
    authorised_how: Mapped[str] = mapped_column(String(40), default="")
    authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobPart(Base):
    """A part line of a job; its stock is held by reservations on this line."""

    __tablename__ = "job_parts"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    payer: Mapped[str] = mapped_column(String(10))
    extra: Mapped[bool] = mapped_column(Boolean, default=False)
    # "agreed", "removed" (taken off the job, its parts given back)
    status: Mapped[str] = mapped_column(String(12), default="agreed")


class BookingInterval(Base):
    """A span of time one resource, a mechanic or a bay, is booked for a job.

    One row per job, resource and span. On PostgreSQL an exclusion
    constraint refuses two rows of the same resource that overlap; on
    SQLite the booking transaction, which holds the write lock, checks.
    """

    __tablename__ = "booking_intervals"
    __table_args__ = (
        UniqueConstraint("job_id", "resource_key", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_booking_intervals_resource", "resource_key", "starts_at"),
        Index("ix_booking_intervals_branch", "branch_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    # "mechanic:<id>" or "bay:<id>": one key space for the constraint.
    resource_key: Mapped[str] = mapped_column(String(24))
    mechanic_id: Mapped[int | None] = mapped_column(ForeignKey("mechanics.id"))
    bay_id: Mapped[int | None] = mapped_column(ForeignKey("bays.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TimeLog(Base):
    """A mechanic logged on a job, and off again; one open log per mechanic."""

    __tablename__ = "job_time_logs"
    __table_args__ = (
        Index(
            "uq_job_time_logs_one_open",
            "mechanic_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    mechanic_id: Mapped[int] = mapped_column(ForeignKey("mechanics.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class JobCharge(Base):
    """A line of a finished job for invoicing, frozen when the job was finished."""

    __tablename__ = "job_charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("workshop_jobs.id"), index=True)
    payer: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    tax_category: Mapped[str] = mapped_column(String(2))


class JobInvoicing(Base):
    """Where one payer's part of a finished job stands: ready, then invoiced."""

    __tablename__ = "job_invoicing"
    __table_args__ = (
        UniqueConstraint("job_id", "payer"),
        Index("ix_job_invoicing_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("workshop_jobs.id"))
    payer: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime())
    invoice_reference: Mapped[str] = mapped_column(String(40), default="")
    invoiced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invoiced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def resource_key(kind: str, resource_id: Any) -> str:
    """The key one mechanic or bay books under: 'mechanic:3' or 'bay:7'."""
    return f"{kind}:{resource_id}"
