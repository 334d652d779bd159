"""What the order services share: loading, moving, pricing and dates.

Every function here works inside the caller's transaction; the use cases
in ``services``, ``stock`` and ``delivery`` open the transactions.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.pricing import TradeIn
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.errors import Problem, Refused, ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.core.numbering import next_number
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load_for_change
from dealer_tui.core.types import utc_now
from dealer_tui.invoicing.document import INVOICE
from dealer_tui.invoicing.models import POSTED, Invoice
from dealer_tui.invoicing.services import open_balance
from dealer_tui.invoicing.tax import Jurisdiction, jurisdiction_for
from dealer_tui.orders.credit import CreditPosition, check_credit
from dealer_tui.orders.models import (
    ALLOCATED,
    IN_STOCK,
    Order,
    StockUnit,
    UnitAllocation,
)
from dealer_tui.orders.states import (
    COMMITTED,
    HELD_BACK,
    OrderKind,
    OrderState,
    amendable,
    amendment_is_recorded,
    refusal,
    state_title,
)
from dealer_tui.orders.totals import (
    OrderLineIn,
    OrderTotals,
    line_problems,
    price_parts_sale,
    price_vehicle_order,
)

# How parts reservations name a counter sale as the document they serve.
PARTS_SOURCE = "parts_sale"


def zone_of(session: Session, branch_id: int | None) -> str:
    branch = session.get(Branch, branch_id) if branch_id else None
    return branch.time_zone if branch else "UTC"


def actor_zone(session: Session, actor: Actor) -> str:
    return zone_of(session, actor.branch_id)


def local_day(session: Session, branch_id: int | None, at: datetime | None) -> date:
    """The branch's date now (or at the instant given)."""
    return clock.local_today(zone_of(session, branch_id), at)


def jurisdiction(session: Session, branch_id: int | None) -> Jurisdiction:
    branch = session.get(Branch, branch_id) if branch_id else None
    return jurisdiction_for(branch.country if branch else "AU")


def kind_of(order: Order) -> OrderKind:
    return OrderKind(order.kind)


def state_of(order: Order) -> OrderState:
    return OrderState(order.state)


def load_order(
    session: Session, actor: Actor, order_id: int, expected_version: int
) -> Order:
    """The order for a change, unless someone saved it since it was opened."""
    return load_for_change(
        session, Order, order_id, expected_version, "order", actor_zone(session, actor)
    )


def touch(order: Order, actor: Actor) -> None:
    order.updated_by_id = actor.user_id
    order.updated_at = utc_now()


def trade_in_of(order: Order) -> TradeIn | None:
    if not order.trade_in_description:
        return None
    return TradeIn(
        order.trade_in_description,
        order.trade_in_appraised,
        order.trade_in_allowance,
        order.trade_in_payout,
    )


def lines_in(order: Order) -> list[OrderLineIn]:
    """The order's lines as the pricing rules take them."""
    return [
        OrderLineIn(
            row.kind,
            row.code,
            row.description,
            row.quantity,
            row.unit_price,
            row.discount,
            row.tax_category,
        )
        for row in order.lines
    ]


def price(session: Session, order: Order) -> OrderTotals:
    """The order's figures from its lines; every problem names its line."""
    lines = lines_in(order)
    vehicle = kind_of(order) is OrderKind.VEHICLE
    problems = line_problems(lines, vehicle)
    if problems:
        raise ValidationFailed(problems)
    place = jurisdiction(session, order.branch_id)
    try:
        if vehicle:
            return price_vehicle_order(
                lines,
                place,
                total_discount=order.total_discount,
                trade_in=trade_in_of(order),
            )
        return price_parts_sale(lines, place)
    except ValueError as exc:
        raise ValidationFailed([Problem("lines", str(exc))]) from None


def reprice(session: Session, order: Order) -> OrderTotals:
    """Work the figures out again and keep them on the order and its lines."""
    totals = price(session, order)
    for row, net, share in zip(
        order.lines, totals.line_nets, totals.shares, strict=True
    ):
        row.net = net
        row.total_discount_share = share
    order.list_total = totals.list_total
    order.net_total = totals.net_total
    order.gst = totals.gst
    order.total = totals.total
    order.payable = totals.payable
    return totals


def renumber(order: Order) -> None:
    for position, row in enumerate(order.lines, start=1):
        row.position = position


def hold_refusal(order: Order) -> str | None:
    """Why a held order cannot move on, or None when it is not held."""
    if order.credit_hold and state_of(order) in HELD_BACK:
        return (
            f"The order is ON HOLD: {order.credit_reason}. A sales manager must "
            "release the credit hold first."
        )
    return None


def require_not_held(order: Order) -> None:
    reason = hold_refusal(order)
    if reason:
        raise Refused(reason)


def move(
    session: Session,
    actor: Actor,
    order: Order,
    target: OrderState,
    action: str,
    *,
    note: str = "",
    **after: Any,
) -> None:
    """Move the order along the whitelist and write the audit entry."""
    current = state_of(order)
    reason = refusal(kind_of(order), current, target)
    if reason:
        raise Refused(reason)
    order.state = target.value
    touch(order, actor)
    audit.record(
        session,
        actor,
        action,
        "order",
        order.id,
        before={"state": current.value},
        after={"state": target.value, **{k: audit.plain(v) for k, v in after.items()}},
        note=note,
    )


def state_words(order: Order) -> str:
    return state_title(kind_of(order), state_of(order))


ZERO = Decimal("0.00")
SERIES = {
    OrderKind.VEHICLE: ("vehicle_order", "SO"),
    OrderKind.PARTS: ("parts_sale", "PS"),
}


def new_order(
    session: Session,
    actor: Actor,
    kind: OrderKind,
    account: Account,
    branch_id: int,
    at: datetime | None,
    **values: object,
) -> Order:
    """A new order in the entered state, numbered in its series for the year."""
    today = local_day(session, branch_id, at)
    series, prefix = SERIES[kind]
    order = Order(
        number=next_number(session, series, today.year, prefix),
        kind=kind.value,
        state=OrderState.ENTERED.value,
        account_id=account.id,
        branch_id=branch_id,
        ordered_on=today,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
        **values,
    )
    session.add(order)
    return order


def branch_for(
    session: Session, actor: Actor, account: Account, *, counter: bool = False
) -> int:
    """The branch an order belongs to: the customer's for a truck, the
    clerk's own for a sale over the counter."""
    first, second = (
        (actor.branch_id, account.branch_id)
        if counter
        else (account.branch_id, actor.branch_id)
    )
    branch_id = first or second
    if branch_id is None:
        branch_id = session.scalar(select(Branch.id).order_by(Branch.id).limit(1))
    if branch_id is None:
        raise Refused("The dealer has no branch yet: run `dealer setup` first.")
    return branch_id


def account_by_number(
    session: Session, number: str, errors: FieldErrors
) -> Account | None:
    """The customer with the typed number; a problem at "customer" if none."""
    key = number.strip().upper()
    if not key:
        errors.add("customer", "is required: type the customer number")
        return None
    account = session.scalars(
        select(Account).where(Account.number == key)
    ).one_or_none()
    if account is None:
        errors.add("customer", f"there is no customer '{key}'")
    return account


def editor(order: Order) -> Permission:
    """The permission that changes this kind of order."""
    return (
        Permission.SELL_PARTS
        if kind_of(order) is OrderKind.PARTS
        else Permission.ENTER_ORDERS
    )


def require_amendable(order: Order, *, lines: bool = False) -> None:
    """Refuse changing an invoiced or cancelled order, or a delivered one's lines."""
    state = state_of(order)
    if not amendable(state):
        if state is OrderState.INVOICED:
            raise Refused(
                f"Order {order.number} is invoiced ({order.invoice_number}): it "
                "cannot be amended; correct it with a credit note."
            )
        raise Refused(f"Order {order.number} is cancelled: it cannot be amended.")
    if lines and state is OrderState.DELIVERED:
        raise Refused(f"Order {order.number} is delivered: its lines are final.")


def recheck_credit(
    session: Session, actor: Actor, order: Order, before: Decimal, at: datetime | None
) -> None:
    """An agreed order that grew is checked again; it may go on hold."""
    if order.payable <= before or state_of(order) not in COMMITTED:
        return
    if order.credit_hold or state_of(order) is OrderState.DELIVERED:
        return
    apply_credit_check(session, actor, order, at)


def record_amendment(
    session: Session,
    actor: Actor,
    order: Order,
    action: str,
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    """Audit what changed; after confirmation it is marked as an amendment."""
    old, new = audit.changes(before, after)
    if not new:
        return
    note = (
        "amended after confirmation" if amendment_is_recorded(state_of(order)) else ""
    )
    audit.record(
        session, actor, action, "order", order.id, before=old, after=new, note=note
    )


def _overdue(
    session: Session, account_id: int, today: date
) -> tuple[Decimal, date | None]:
    row = session.execute(
        select(func.sum(Invoice.open_amount), func.min(Invoice.due_date)).where(
            Invoice.account_id == account_id,
            Invoice.status == POSTED,
            Invoice.document_type == INVOICE,
            Invoice.open_amount > 0,
            Invoice.due_date < today,
        )
    ).one()
    return row[0] or ZERO, row[1]


def credit_position(session: Session, order: Order, today: date) -> CreditPosition:
    """What the credit check reads: invoicing's balances and the other orders."""
    account = session.get(Account, order.account_id)
    assert account is not None
    others = session.scalar(
        select(func.sum(Order.payable)).where(
            Order.account_id == account.id,
            Order.id != order.id,
            Order.state.in_([s.value for s in COMMITTED]),
        )
    )
    overdue, oldest = _overdue(session, account.id, today)
    return CreditPosition(
        credit_limit=account.credit_limit,
        account_on_hold=account.credit_hold,
        open_balance=open_balance(session, account.id),
        other_orders=others or ZERO,
        this_order=order.payable,
        overdue=overdue,
        oldest_due=oldest,
    )


def apply_credit_check(
    session: Session, actor: Actor, order: Order, at: datetime | None
) -> None:
    """Check the credit now; over the limit or terms the order goes on hold."""
    today = local_day(session, order.branch_id, at)
    position = credit_position(session, order, today)
    decision = check_credit(position)
    order.credit_checked_at = at or clock.now()
    if decision.hold:
        order.credit_hold = True
        order.credit_reason = decision.reason[:400]
        order.credit_released_by_id = None
        order.credit_released_at = None
        order.credit_release_note = ""
        audit.record(
            session,
            actor,
            "credit_hold",
            "order",
            order.id,
            after={
                "reason": order.credit_reason,
                "exposure": audit.plain(position.exposure),
                "credit_limit": audit.plain(position.credit_limit),
            },
        )


def allocated_unit(session: Session, order_id: int) -> StockUnit | None:
    """The truck allocated to the order, if any."""
    return session.scalars(
        select(StockUnit)
        .join(UnitAllocation, UnitAllocation.unit_id == StockUnit.id)
        .where(UnitAllocation.order_id == order_id)
    ).one_or_none()


def give_back_unit(session: Session, actor: Actor, order: Order) -> str:
    """Take the order's unit back into stock; returns its VIN, or ''."""
    unit = allocated_unit(session, order.id)
    if unit is None:
        return ""
    session.execute(delete(UnitAllocation).where(UnitAllocation.order_id == order.id))
    unit.status = IN_STOCK
    unit.updated_by_id = actor.user_id
    audit.record(
        session,
        actor,
        "unallocate",
        "stock_unit",
        unit.id,
        before={"status": ALLOCATED, "order": order.number},
        after={"status": IN_STOCK},
    )
    return unit.vin
