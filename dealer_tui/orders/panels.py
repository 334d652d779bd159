"""Order entry's part of the home screen and of the global search."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core.auth import Actor
from dealer_tui.core.money import show_money
from dealer_tui.core.text import like_escape
from dealer_tui.orders.models import Order
from dealer_tui.orders.states import HELD_BACK, OrderKind, OrderState, state_title

if TYPE_CHECKING:
    from dealer_tui.search.services import Hit
    from dealer_tui.today import Panel

PANEL_ROWS = 12


def _branch(actor: Actor) -> list[object]:
    return [Order.branch_id == actor.branch_id] if actor.branch_id else []


def orders_on_hold(session: Session, actor: Actor, today: date) -> Panel:
    """Orders held for credit, waiting for a manager to release them."""
    from dealer_tui.today import Panel, PanelRow

    where = [
        Order.credit_hold.is_(True),
        Order.state.in_([s.value for s in HELD_BACK]),
    ]
    total = session.scalar(select(func.count()).select_from(Order).where(*where))
    rows = session.execute(
        select(Order.id, Order.number, Account.name, Order.payable)
        .join(Account, Account.id == Order.account_id)
        .where(*where)
        .order_by(Order.number)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="orders_on_hold",
        title="Orders on credit hold",
        rows=[
            PanelRow(
                "order",
                r.id,
                f"{r.number} {r.name} · {show_money(r.payable)}",
                "HOLD",
            )
            for r in rows
        ],
        total=total or 0,
        empty="No order is held for credit.",
    )


def orders_ready_for_delivery(session: Session, actor: Actor, today: date) -> Panel:
    """Trucks ready to hand over at the user's branch, by planned day."""
    from dealer_tui.today import Panel, PanelRow

    where = [Order.state == OrderState.READY_FOR_DELIVERY.value, *_branch(actor)]
    total = session.scalar(select(func.count()).select_from(Order).where(*where))
    rows = session.execute(
        select(Order.id, Order.number, Order.planned_delivery, Account.name)
        .join(Account, Account.id == Order.account_id)
        .where(*where)
        .order_by(Order.planned_delivery, Order.number)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="orders_ready",
        title="Orders ready for delivery",
        rows=[
            PanelRow(
                "order",
                r.id,
                f"{r.planned_delivery:%d/%m/%y} {r.number} {r.name}"
                if r.planned_delivery
                else f"{r.number} {r.name}",
                "LATE" if r.planned_delivery and r.planned_delivery < today else "",
            )
            for r in rows
        ],
        total=total or 0,
        empty="No truck is ready for delivery.",
    )


def todays_parts_sales(session: Session, actor: Actor, today: date) -> Panel:
    """Parts counter sales entered today at the user's branch."""
    from dealer_tui.today import Panel, PanelRow

    where = [
        Order.kind == OrderKind.PARTS.value,
        Order.ordered_on == today,
        *_branch(actor),
    ]
    total = session.scalar(select(func.count()).select_from(Order).where(*where))
    rows = session.execute(
        select(Order.id, Order.number, Order.state, Account.name, Order.payable)
        .join(Account, Account.id == Order.account_id)
        .where(*where)
        .order_by(Order.number.desc())
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="parts_sales_today",
        title="Today's parts sales",
        rows=[
            PanelRow(
                "order",
                r.id,
                f"{r.number} {r.name} · {show_money(r.payable)} · "
                f"{state_title(OrderKind.PARTS, OrderState(r.state))}",
            )
            for r in rows
        ],
        total=total or 0,
        empty="No parts sold over the counter today.",
    )


def order_hits(session: Session, text: str, limit: int) -> list[Hit]:
    """Orders and parts sales whose number starts with the typed text.

    'SO2026-12' finds SO2026-000012; the series letters may be left out.
    """
    from dealer_tui.search.services import Hit

    key = text.strip().upper().replace(" ", "")
    if len(key) < 4 or not any(c.isdigit() for c in key):
        return []
    patterns = [key] if not key[0].isdigit() else [f"SO{key}", f"PS{key}"]
    conditions = []
    for pattern in patterns:
        conditions.append(Order.number.like(f"{like_escape(pattern)}%", escape="\\"))
        head, dash, counter = pattern.partition("-")
        if dash and counter.isdigit() and len(counter) < 6:
            conditions.append(Order.number == f"{head}-{int(counter):06d}")
    rows = session.execute(
        select(Order.id, Order.number, Order.kind, Order.state, Account.name)
        .join(Account, Account.id == Order.account_id)
        .where(or_(*conditions))
        .order_by(Order.number)
        .limit(limit)
    )
    return [
        Hit(
            "order",
            r.id,
            r.number,
            f"{OrderKind(r.kind).title.capitalize()} · {r.name} · "
            f"{state_title(OrderKind(r.kind), OrderState(r.state))}",
        )
        for r in rows
    ]
