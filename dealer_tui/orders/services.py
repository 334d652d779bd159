"""Use cases of orders: enter, amend, confirm, allocate, deliver, cancel.

A vehicle order comes from an accepted quote (its lines, prices and
trade-in carried over exactly) or is entered directly; a parts counter
sale is entered at the counter.  Each use case is one transaction that
checks the user's permission, moves the order along the whitelist in
``orders.states`` and leaves an audit entry; the order screen reads its
history back from those entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.quotes import accepted_quote_for_order, mark_quote_ordered
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound, Problem, Refused, ValidationFailed
from dealer_tui.core.models import User
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load
from dealer_tui.orders.common import (
    PARTS_SOURCE,
    ZERO,
    account_by_number,
    apply_credit_check,
    branch_for,
    editor,
    give_back_unit,
    kind_of,
    load_order,
    move,
    new_order,
    recheck_credit,
    record_amendment,
    renumber,
    reprice,
    require_amendable,
    state_of,
    touch,
)
from dealer_tui.orders.models import OrderLine
from dealer_tui.orders.states import OrderKind, OrderState, refusal
from dealer_tui.orders.views import OrderView, view_after
from dealer_tui.parts import services as parts

VEHICLE_LINE_KINDS = {
    "base": "base",
    "truck": "base",
    "option": "option",
    "accessory": "accessory",
    "contract": "contract",
}


# --------------------------------------------------------------------------
# Entering orders
# --------------------------------------------------------------------------


def create_order_from_quote(
    db: Database, actor: Actor, quote_id: int, at: datetime | None = None
) -> int:
    """Make an order of an accepted quote: lines, prices and trade-in exactly.

    Returns the id of the new order, which starts as entered (today, or on
    the day of the instant `at`).
    """
    actor.require(Permission.ENTER_ORDERS)
    with db.write() as session:
        quote = accepted_quote_for_order(session, actor, quote_id)
        account = load(session, Account, quote.account_id, "customer")
        trade = quote.trade_in
        base = next((line for line in quote.lines if line.kind == "base"), None)
        order = new_order(
            session,
            actor,
            OrderKind.VEHICLE,
            account,
            quote.branch_id or branch_for(session, actor, account),
            at,
            rep_id=quote.rep_id,
            description=base.description if base else quote.model_code,
            model_code=quote.model_code,
            quote_id=quote.quote_id,
            quote_number=quote.number,
            quote_revision=quote.revision,
            total_discount=quote.totals.total_discount,
            trade_in_description=trade.description if trade else "",
            trade_in_appraised=trade.appraised_value if trade else ZERO,
            trade_in_allowance=trade.allowance if trade else ZERO,
            trade_in_payout=trade.payout if trade else ZERO,
        )
        for position, line in enumerate(quote.lines, start=1):
            order.lines.append(
                OrderLine(
                    position=position,
                    kind=line.kind,
                    code=line.code,
                    description=line.description,
                    family=line.family,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount=line.discount,
                    tax_category="S",
                )
            )
        totals = reprice(session, order)
        if (totals.net_total, totals.gst, totals.payable) != (
            quote.totals.net_total,
            quote.totals.gst,
            quote.totals.payable,
        ):
            raise Refused(
                f"Quote {quote.number} does not price the same as an order; "
                "revise the quote and try again."
            )
        session.flush()
        mark_quote_ordered(session, actor, quote.quote_id, order.id)
        audit.record(
            session,
            actor,
            "convert",
            "order",
            order.id,
            after={
                "number": order.number,
                "quote": f"{quote.number} v{quote.revision}",
                "customer": account.number,
                "payable": audit.plain(order.payable),
            },
        )
        return order.id


@dataclass(frozen=True)
class OrderForm:
    """A vehicle order entered directly: the customer and the truck, as typed."""

    customer: str
    description: str
    unit_price: str
    model_code: str = ""
    discount: str = ""
    customer_reference: str = ""
    rep: str = ""
    notes: str = ""


def create_order(
    db: Database, actor: Actor, form: OrderForm, at: datetime | None = None
) -> int:
    """Enter a vehicle order without a quote; returns the new order's id."""
    actor.require(Permission.ENTER_ORDERS)
    errors = FieldErrors()
    description = errors.required("description", form.description, 200)
    price_ = errors.money("unit_price", form.unit_price)
    discount = errors.money("discount", form.discount, default=ZERO)
    model_code = errors.optional("model_code", form.model_code, 30).upper()
    reference = errors.optional("customer_reference", form.customer_reference, 40)
    notes = errors.optional("notes", form.notes, 4000)
    if not errors and discount > price_:
        errors.add("discount", "is more than the price")
    with db.write() as session:
        account = account_by_number(session, form.customer, errors)
        rep_id = account.sales_rep_id if account else None
        if form.rep.strip():
            rep_id = session.scalar(
                select(User.id).where(
                    func.lower(User.username) == form.rep.strip().lower()
                )
            )
            if rep_id is None:
                errors.add("rep", f"there is no user '{form.rep.strip()}'")
        if errors or account is None:
            raise ValidationFailed(errors.problems)
        order = new_order(
            session,
            actor,
            OrderKind.VEHICLE,
            account,
            branch_for(session, actor, account),
            at,
            rep_id=rep_id or actor.user_id,
            description=description,
            model_code=model_code,
            customer_reference=reference,
            notes=notes,
        )
        order.lines.append(
            OrderLine(
                position=1,
                kind="base",
                code=model_code,
                description=description,
                quantity=Decimal("1.000"),
                unit_price=price_,
                discount=discount,
                tax_category="S",
            )
        )
        reprice(session, order)
        session.flush()
        audit.record(
            session,
            actor,
            "create",
            "order",
            order.id,
            after={
                "number": order.number,
                "customer": account.number,
                "payable": audit.plain(order.payable),
            },
        )
        return order.id


# --------------------------------------------------------------------------
# Amending
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AmendForm:
    """What may change on an order besides its lines, as typed."""

    customer_reference: str
    notes: str
    total_discount: str = ""


def amend_order(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    form: AmendForm,
    at: datetime | None = None,
) -> OrderView:
    """Change the customer's reference, the notes or the discount on the total."""
    errors = FieldErrors()
    reference = errors.optional("customer_reference", form.customer_reference, 40)
    notes = errors.optional("notes", form.notes, 4000)
    discount = errors.money("total_discount", form.total_discount, default=ZERO)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        actor.require(editor(order))
        require_amendable(order)
        if kind_of(order) is OrderKind.PARTS and discount:
            raise ValidationFailed(
                [Problem("total_discount", "a parts sale takes no total discount")]
            )
        fields = ("customer_reference", "notes", "total_discount", "payable")
        before = audit.snapshot(order, fields)
        payable = order.payable
        order.customer_reference = reference
        order.notes = notes
        order.total_discount = discount
        reprice(session, order)
        touch(order, actor)
        record_amendment(
            session, actor, order, "amend", before, audit.snapshot(order, fields)
        )
        recheck_credit(session, actor, order, payable, at)
    return view_after(db, actor, order_id)


@dataclass(frozen=True)
class LineForm:
    """A line added to a vehicle order, as typed."""

    kind: str
    description: str
    unit_price: str
    quantity: str = "1"
    discount: str = ""
    code: str = ""


def add_line(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    form: LineForm,
    at: datetime | None = None,
) -> OrderView:
    """Add an option, accessory or contract line to a vehicle order."""
    actor.require(Permission.ENTER_ORDERS)
    errors = FieldErrors()
    kind = errors.choice("kind", form.kind, VEHICLE_LINE_KINDS, default="accessory")
    description = errors.required("description", form.description, 200)
    quantity = parts.parse_quantity(errors, "quantity", form.quantity or "1")
    unit_price = errors.money("unit_price", form.unit_price)
    discount = errors.money("discount", form.discount, default=ZERO)
    code = errors.optional("code", form.code, 30).upper()
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        if kind_of(order) is not OrderKind.VEHICLE:
            raise Refused("A parts sale takes parts: look them up at the counter.")
        require_amendable(order, lines=True)
        payable = order.payable
        order.lines.append(
            OrderLine(
                position=len(order.lines) + 1,
                kind=kind,
                code=code,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
                discount=discount,
                tax_category="S",
            )
        )
        try:
            reprice(session, order)
        except ValidationFailed as problems:
            raise _line_problem(problems, len(order.lines)) from None
        touch(order, actor)
        record_amendment(
            session,
            actor,
            order,
            "add_line",
            {"payable": audit.plain(payable)},
            {
                "line": f"{description} x{parts.show_quantity(quantity)} "
                f"at {unit_price}",
                "payable": audit.plain(order.payable),
            },
        )
        recheck_credit(session, actor, order, payable, at)
    return view_after(db, actor, order_id)


def _line_problem(problems: ValidationFailed, position: int) -> ValidationFailed:
    """Problems of the new line named by the form's fields."""
    names = {"quantity": "quantity", "price": "unit_price", "discount": "discount"}
    mapped = []
    for problem in problems.problems:
        head, _, name = problem.field.partition(" ")
        if head == "line" and name.startswith(f"{position} "):
            mapped.append(
                Problem(names.get(name.split(" ")[1], "lines"), problem.message)
            )
        else:
            mapped.append(problem)
    return ValidationFailed(mapped)


def remove_line(
    db: Database, actor: Actor, order_id: int, expected_version: int, position: int
) -> OrderView:
    """Take a line off the order; a part's reservation is given back."""
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        actor.require(editor(order))
        require_amendable(order, lines=True)
        line = next((row for row in order.lines if row.position == position), None)
        if line is None:
            raise NotFound(f"Order {order.number} has no line {position}.")
        if line.kind == "base" and sum(r.kind == "base" for r in order.lines) == 1:
            raise Refused("The truck line stays: cancel the order instead.")
        payable = order.payable
        if line.part_id is not None:
            parts.release(session, actor, PARTS_SOURCE, order.id, line.id)
        order.lines.remove(line)
        renumber(order)
        reprice(session, order)
        touch(order, actor)
        record_amendment(
            session,
            actor,
            order,
            "remove_line",
            {
                "line": f"{line.description} x{parts.show_quantity(line.quantity)}",
                "payable": audit.plain(payable),
            },
            {"line": "removed", "payable": audit.plain(order.payable)},
        )
    return view_after(db, actor, order_id)


# --------------------------------------------------------------------------
# Confirming and the credit check
# --------------------------------------------------------------------------


def confirm_order(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    at: datetime | None = None,
) -> OrderView:
    """Confirm the order: its credit is checked, a sale's parts are reserved.

    Over the credit limit, with the account on hold or invoices unpaid past
    their terms, the order is confirmed but ON HOLD, with the reasons.
    """
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        actor.require(editor(order))
        reprice(session, order)
        if not order.lines:
            raise Refused(f"Order {order.number} has no lines to confirm.")
        move(
            session,
            actor,
            order,
            OrderState.CONFIRMED,
            "confirm",
            payable=order.payable,
        )
        session.flush()
        apply_credit_check(session, actor, order, at)
        if kind_of(order) is OrderKind.PARTS:
            for line in order.lines:
                if line.part_id is not None:
                    parts.reserve(
                        session,
                        actor,
                        branch_id=order.branch_id,
                        part_id=line.part_id,
                        quantity=line.quantity,
                        source_kind=PARTS_SOURCE,
                        source_id=order.id,
                        source_line=line.id,
                    )
    return view_after(db, actor, order_id)


def release_credit_hold(
    db: Database, actor: Actor, order_id: int, expected_version: int, note: str = ""
) -> OrderView:
    """Let a held order go on; the user, the time and the note are recorded."""
    actor.require(Permission.RELEASE_CREDIT_HOLD)
    errors = FieldErrors()
    text = errors.optional("note", note, 300)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        if not order.credit_hold:
            raise Refused(f"Order {order.number} is not on credit hold.")
        reason = order.credit_reason
        order.credit_hold = False
        order.credit_released_by_id = actor.user_id
        order.credit_released_at = clock.now()
        order.credit_release_note = text
        touch(order, actor)
        audit.record(
            session,
            actor,
            "release_hold",
            "order",
            order.id,
            before={"credit_hold": True, "reason": reason},
            after={"credit_hold": False},
            note=text,
        )
    return view_after(db, actor, order_id)


def cancel_order(
    db: Database, actor: Actor, order_id: int, expected_version: int, reason: str
) -> OrderView:
    """Cancel with a reason: the truck goes back to stock, parts are released."""
    errors = FieldErrors()
    why = errors.required("reason", reason, 300)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        actor.require(editor(order))
        refused = refusal(kind_of(order), state_of(order), OrderState.CANCELLED)
        if refused:
            raise Refused(refused)
        vin = give_back_unit(session, actor, order)
        released = Decimal("0.000")
        if kind_of(order) is OrderKind.PARTS:
            released = parts.release(session, actor, PARTS_SOURCE, order.id)
        order.cancel_reason = why
        order.credit_hold = False
        details: dict[str, object] = {"reason": why}
        if vin:
            details["unit_back_in_stock"] = vin
        if released:
            details["parts_released"] = released
        move(session, actor, order, OrderState.CANCELLED, "cancel", **details)
    return view_after(db, actor, order_id)
