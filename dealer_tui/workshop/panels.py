"""The service advisor's home panels, and workshop jobs in the global search."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core.auth import Actor
from dealer_tui.core.models import Branch, NumberSeries
from dealer_tui.core.numbering import format_number
from dealer_tui.core.text import like_escape
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop.jobs import JobStatus, WorkStatus
from dealer_tui.workshop.models import JobOperation, Mechanic, TimeLog, WorkshopJob

if TYPE_CHECKING:
    from dealer_tui.search.services import Hit
    from dealer_tui.today import Panel


def _branch_day(
    session: Session, actor: Actor, day: date
) -> tuple[int | None, str, datetime, datetime]:
    branch = session.get(Branch, actor.branch_id) if actor.branch_id else None
    zone = branch.time_zone if branch else "UTC"
    wall = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=wall)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=wall)
    return (branch.id if branch else None), zone, start, end


def todays_arrivals(session: Session, actor: Actor, today: date) -> Panel:
    """Jobs booked to start today at the user's branch, in time order."""
    # The home screen's module lists this panel, so it is read when called.
    from dealer_tui.today import PANEL_ROWS, Panel, PanelRow

    branch_id, zone, start, end = _branch_day(session, actor, today)
    where = [
        WorkshopJob.starts_at >= start,
        WorkshopJob.starts_at < end,
        WorkshopJob.status.in_(
            [
                JobStatus.BOOKED.value,
                JobStatus.CHECKED_IN.value,
                JobStatus.NO_SHOW.value,
            ]
        ),
    ]
    if branch_id:
        where.append(WorkshopJob.branch_id == branch_id)
    total = session.scalar(select(func.count()).select_from(WorkshopJob).where(*where))
    rows = session.execute(
        select(
            WorkshopJob.id,
            WorkshopJob.number,
            WorkshopJob.status,
            WorkshopJob.starts_at,
            Vehicle.registration,
            Vehicle.make,
            Account.name,
        )
        .join(Vehicle, Vehicle.id == WorkshopJob.vehicle_id)
        .join(Account, Account.id == WorkshopJob.customer_id)
        .where(*where)
        .order_by(WorkshopJob.starts_at, WorkshopJob.id)
        .limit(PANEL_ROWS)
    )
    wall = ZoneInfo(zone)
    return Panel(
        key="workshop_arrivals",
        title="Today's arrivals in the workshop",
        rows=[
            PanelRow(
                "workshop_job",
                r.id,
                f"{r.starts_at.astimezone(wall):%H:%M} {r.registration or '—':<7} "
                f"{r.make} · {r.name} · {r.number}",
                "DUE"
                if r.status == JobStatus.BOOKED.value
                else JobStatus(r.status).mark,
            )
            for r in rows
        ],
        total=total or 0,
        empty="No trucks are booked in for today.",
    )


def jobs_in_progress(session: Session, actor: Actor, today: date) -> Panel:
    """Trucks on the workshop floor: checked in or being worked on."""
    from dealer_tui.today import PANEL_ROWS, Panel, PanelRow

    where = [
        WorkshopJob.status.in_(
            [JobStatus.CHECKED_IN.value, JobStatus.IN_PROGRESS.value]
        )
    ]
    if actor.branch_id:
        where.append(WorkshopJob.branch_id == actor.branch_id)
    total = session.scalar(select(func.count()).select_from(WorkshopJob).where(*where))
    waiting = exists().where(
        JobOperation.job_id == WorkshopJob.id,
        JobOperation.status == WorkStatus.REQUESTED.value,
    )
    on_job = (
        select(func.min(Mechanic.name))
        .join(TimeLog, TimeLog.mechanic_id == Mechanic.id)
        .where(TimeLog.job_id == WorkshopJob.id, TimeLog.ended_at.is_(None))
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            WorkshopJob.id,
            WorkshopJob.number,
            WorkshopJob.status,
            Vehicle.registration,
            Account.name,
            waiting.label("waiting"),
            on_job.label("on_job"),
        )
        .join(Vehicle, Vehicle.id == WorkshopJob.vehicle_id)
        .join(Account, Account.id == WorkshopJob.customer_id)
        .where(*where)
        .order_by(WorkshopJob.starts_at, WorkshopJob.id)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="workshop_in_progress",
        title="Jobs in the workshop",
        rows=[
            PanelRow(
                "workshop_job",
                r.id,
                f"{r.number} {r.registration or '—':<7} {r.name}"
                + (f" · {r.on_job} on it" if r.on_job else " · nobody on it"),
                "ASK" if r.waiting else JobStatus(r.status).mark,
            )
            for r in rows
        ],
        total=total or 0,
        empty="No truck is in the workshop.",
    )


def job_hits(session: Session, text: str, limit: int) -> list[Hit]:
    """Workshop jobs by number: 'JOB2026-0000' as typed, or the last digits '42'."""
    from dealer_tui.search.services import Hit
    from dealer_tui.workshop.booking import NUMBER_SERIES

    key = text.strip().upper().replace(" ", "")
    if key.startswith("JOB") and len(key) >= 4:
        where = WorkshopJob.number.like(f"{like_escape(key)}%", escape="\\")
    elif key.isdigit() and len(key) <= 6:
        # The job with that counter in each year of the series, found on the
        # number's index rather than by reading the end of every number.
        series = session.execute(
            select(NumberSeries.prefix, NumberSeries.year).where(
                NumberSeries.series == NUMBER_SERIES
            )
        )
        numbers = [format_number(p, year, int(key)) for p, year in series]
        where = WorkshopJob.number.in_(numbers)
    else:
        return []
    rows = session.execute(
        select(
            WorkshopJob.id,
            WorkshopJob.number,
            WorkshopJob.status,
            Vehicle.registration,
            Account.name,
        )
        .join(Vehicle, Vehicle.id == WorkshopJob.vehicle_id)
        .join(Account, Account.id == WorkshopJob.customer_id)
        .where(where)
        .order_by(WorkshopJob.number.desc())
        .limit(limit)
    )
    return [
        Hit(
            "workshop_job",
            r.id,
            f"{r.number}  {r.registration}".strip(),
            f"{r.name} · {JobStatus(r.status).title}",
        )
        for r in rows
    ]
