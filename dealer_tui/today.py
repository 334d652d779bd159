"""The "today" home screen's content: what is due now for the user's role.

Each business area contributes panels; a panel says what is due, for whom,
and which record each row opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.panels import quotes_awaiting_approval
from dealer_tui.core import clock
from dealer_tui.core.auth import Actor, Permission, Role
from dealer_tui.core.db import Database
from dealer_tui.core.money import show_money
from dealer_tui.core.services import workplace
from dealer_tui.invoicing.panels import drafts_to_post, overdue_invoices
from dealer_tui.leads.panels import overdue_follow_ups
from dealer_tui.orders.panels import (
    orders_on_hold,
    orders_ready_for_delivery,
    todays_parts_sales,
)
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop.panels import jobs_in_progress, todays_arrivals

PANEL_ROWS = 12


@dataclass(frozen=True)
class PanelRow:
    kind: str
    record_id: int
    text: str
    mark: str = ""


@dataclass(frozen=True)
class Panel:
    """One box on the home screen: a title, rows to open, and a count."""

    key: str
    title: str
    rows: list[PanelRow] = field(default_factory=list)
    total: int = 0
    empty: str = "Nothing due."


PanelMaker = Callable[[Session, Actor, date], Panel]


def services_due(session: Session, actor: Actor, today: date) -> Panel:
    """Vehicles whose service is overdue or due within two weeks."""
    horizon = today + timedelta(days=14)
    where = (Vehicle.next_service_due.is_not(None), Vehicle.next_service_due <= horizon)
    if actor.branch_id:
        where += (Vehicle.branch_id == actor.branch_id,)
    total = session.scalar(select(func.count()).select_from(Vehicle).where(*where)) or 0
    rows = session.execute(
        select(
            Vehicle.id,
            Vehicle.registration,
            Vehicle.make,
            Vehicle.model,
            Vehicle.next_service_due,
            Account.name,
        )
        .outerjoin(Account, Account.id == Vehicle.owner_id)
        .where(*where)
        .order_by(Vehicle.next_service_due, Vehicle.id)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="services_due",
        title="Services due (overdue and next 14 days)",
        rows=[
            PanelRow(
                "vehicle",
                r.id,
                f"{r.next_service_due:%d/%m/%y} {r.registration or '—':<7} "
                f"{r.make} {r.model} · {r.name or 'no owner'}",
                "OVERDUE" if r.next_service_due < today else "",
            )
            for r in rows
        ],
        total=total,
        empty="No services due in the next 14 days.",
    )


def credit_holds(session: Session, actor: Actor, today: date) -> Panel:
    """Customers on credit hold: orders for them wait for a release."""
    where = (Account.credit_hold.is_(True),)
    total = session.scalar(select(func.count()).select_from(Account).where(*where)) or 0
    rows = session.execute(
        select(Account.id, Account.number, Account.name, Account.credit_limit)
        .where(*where)
        .order_by(Account.name_key)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="credit_holds",
        title="Customers on credit hold",
        rows=[
            PanelRow(
                "customer",
                r.id,
                f"{r.number} {r.name} · limit {show_money(r.credit_limit)}",
                "HOLD",
            )
            for r in rows
        ],
        total=total,
        empty="No customer is on credit hold.",
    )


def my_customers(session: Session, actor: Actor, today: date) -> Panel:
    """The representative's own accounts, for a quick call."""
    where = (Account.sales_rep_id == actor.user_id,)
    total = session.scalar(select(func.count()).select_from(Account).where(*where)) or 0
    rows = session.execute(
        select(Account.id, Account.number, Account.name, Account.suburb)
        .where(*where)
        .order_by(Account.name_key)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="my_customers",
        title="My accounts",
        rows=[
            PanelRow("customer", r.id, f"{r.number} {r.name} · {r.suburb}")
            for r in rows
        ],
        total=total,
        empty="No accounts are assigned to you.",
    )


PANELS: dict[Role, list[PanelMaker]] = {
    Role.COUNTER: [todays_parts_sales, services_due],
    Role.SALES_REP: [overdue_follow_ups, my_customers],
    Role.SALES_ADMIN: [
        orders_on_hold,
        orders_ready_for_delivery,
        drafts_to_post,
        overdue_invoices,
        credit_holds,
    ],
    Role.SERVICE_ADVISOR: [todays_arrivals, jobs_in_progress, services_due],
    Role.SALES_MANAGER: [
        quotes_awaiting_approval,
        orders_on_hold,
        overdue_follow_ups,
        credit_holds,
    ],
    Role.ADMINISTRATOR: [credit_holds, services_due],
}


def add_panel(roles: list[Role], maker: PanelMaker, *, first: bool = False) -> None:
    """Let a business area put its panel on the home screen of these roles."""
    for role in roles:
        if first:
            PANELS[role].insert(0, maker)
        else:
            PANELS[role].append(maker)


def today_panels(db: Database, actor: Actor, at: datetime | None = None) -> list[Panel]:
    """The panels of the user's home screen, for the branch's today (or `at`)."""
    actor.require(Permission.VIEW_CUSTOMERS)
    zone = workplace(db, actor).time_zone
    day = clock.local_today(zone, at)
    with db.read() as session:
        return [maker(session, actor, day) for maker in PANELS[actor.role]]
