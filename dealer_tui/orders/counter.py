"""Use cases of the parts counter: a sale, its parts reserved, then sold.

Stock is reserved through the parts area when the sale is confirmed (and
for each part added after), never beyond what is available; cancelling
releases exactly what the sale held.
"""

from __future__ import annotations

from datetime import datetime

from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused, ValidationFailed
from dealer_tui.core.parse import FieldErrors
from dealer_tui.orders.common import (
    PARTS_SOURCE,
    ZERO,
    account_by_number,
    branch_for,
    kind_of,
    load_order,
    local_day,
    move,
    new_order,
    recheck_credit,
    record_amendment,
    reprice,
    require_amendable,
    require_not_held,
    state_of,
    touch,
)
from dealer_tui.orders.models import OrderLine
from dealer_tui.orders.states import OrderKind, OrderState, refusal
from dealer_tui.orders.views import OrderView, view_after
from dealer_tui.parts import services as parts


def new_counter_sale(
    db: Database,
    actor: Actor,
    customer: str,
    customer_reference: str = "",
    at: datetime | None = None,
) -> int:
    """Start a parts counter sale for a customer; returns its id."""
    actor.require(Permission.SELL_PARTS)
    errors = FieldErrors()
    reference = errors.optional("customer_reference", customer_reference, 40)
    with db.write() as session:
        account = account_by_number(session, customer, errors)
        if errors or account is None:
            raise ValidationFailed(errors.problems)
        order = new_order(
            session,
            actor,
            OrderKind.PARTS,
            account,
            branch_for(session, actor, account, counter=True),
            at,
            rep_id=actor.user_id,
            description="Parts over the counter",
            customer_reference=reference,
        )
        session.flush()
        audit.record(
            session,
            actor,
            "create",
            "order",
            order.id,
            after={"number": order.number, "customer": account.number},
        )
        return order.id


def add_part(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    part_number: str,
    quantity: str,
    at: datetime | None = None,
) -> OrderView:
    """Add a part at its price to a counter sale; reserved at once if confirmed."""
    actor.require(Permission.SELL_PARTS)
    errors = FieldErrors()
    amount = parts.parse_quantity(errors, "quantity", quantity)
    number = errors.required("part_number", part_number, 30).upper()
    with db.write() as session:
        part = parts.parts_by_number(session, [number]).get(number) if number else None
        if number and part is None:
            errors.add("part_number", f"there is no part '{number}'")
        if errors or part is None:
            raise ValidationFailed(errors.problems)
        order = load_order(session, actor, order_id, expected_version)
        if kind_of(order) is not OrderKind.PARTS:
            raise Refused("Parts are sold on a parts sale, not on a vehicle order.")
        require_amendable(order, lines=True)
        payable = order.payable
        line = OrderLine(
            position=len(order.lines) + 1,
            kind="part",
            code=part.part_number,
            description=part.description,
            quantity=amount,
            unit_price=part.unit_price,
            discount=ZERO,
            tax_category=part.tax_category,
            part_id=part.id,
        )
        order.lines.append(line)
        reprice(session, order)
        touch(order, actor)
        session.flush()
        if state_of(order) is OrderState.CONFIRMED:
            parts.reserve(
                session,
                actor,
                branch_id=order.branch_id,
                part_id=part.id,
                quantity=amount,
                source_kind=PARTS_SOURCE,
                source_id=order.id,
                source_line=line.id,
            )
        record_amendment(
            session,
            actor,
            order,
            "add_line",
            {"payable": audit.plain(payable)},
            {
                "line": f"{part.part_number} x{parts.show_quantity(amount)}",
                "payable": audit.plain(order.payable),
            },
        )
        recheck_credit(session, actor, order, payable, at)
    return view_after(db, actor, order_id)


def sell(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    at: datetime | None = None,
) -> OrderView:
    """Hand the reserved parts over the counter: they leave stock, sold."""
    actor.require(Permission.SELL_PARTS)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        if kind_of(order) is not OrderKind.PARTS:
            raise Refused("A vehicle order is delivered, not sold over the counter.")
        require_not_held(order)
        reason = refusal(kind_of(order), state_of(order), OrderState.DELIVERED)
        if reason:
            raise Refused(reason)
        held = parts.promises(session, PARTS_SOURCE, order.id)
        for line in order.lines:
            for promise in held.get(line.id, []):
                if promise.short:
                    raise Refused(
                        f"Line {line.position} ({promise.part_number}) is short "
                        f"{parts.show_quantity(promise.awaiting)}: take it off the "
                        "sale or wait for the delivery."
                    )
        picked = parts.pick(session, actor, PARTS_SOURCE, order.id)
        order.delivered_on = local_day(session, order.branch_id, at)
        move(
            session,
            actor,
            order,
            OrderState.DELIVERED,
            "sell",
            picked=picked,
            payable=order.payable,
        )
    return view_after(db, actor, order_id)
