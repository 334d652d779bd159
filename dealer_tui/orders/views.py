"""Reading orders: the order as its screen shows it, and the order list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.pricing import TradeIn
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound
from dealer_tui.core.models import AuditEntry, Branch, User
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.records import load
from dealer_tui.core.text import like_escape, search_key
from dealer_tui.orders import pdi
from dealer_tui.orders.common import (
    PARTS_SOURCE,
    allocated_unit,
    hold_refusal,
    kind_of,
    state_of,
    state_words,
    trade_in_of,
)
from dealer_tui.orders.filtering import parse_filter
from dealer_tui.orders.models import Order, StockUnit
from dealer_tui.orders.states import (
    COMMITTED,
    OrderKind,
    OrderState,
    amendable,
    refusal,
)
from dealer_tui.parts import services as parts

ACTION_WORDS = {
    "create": "entered",
    "convert": "made from quote",
    "amend": "amended",
    "add_line": "line added",
    "remove_line": "line removed",
    "confirm": "confirmed",
    "credit_hold": "put ON HOLD",
    "release_hold": "credit hold released",
    "factory_order": "ordered from the factory",
    "arrived": "truck arrived in stock",
    "allocate": "unit allocated",
    "unallocate": "unit taken back",
    "plan_delivery": "delivery planned",
    "book_pdi": "inspection booked",
    "ready": "ready for delivery",
    "not_ready": "no longer ready",
    "deliver": "delivered",
    "sell": "sold",
    "cancel": "cancelled",
    "invoice": "invoiced",
}


# --------------------------------------------------------------------------
# What the screens and commands get back
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineView:
    id: int
    position: int
    kind: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    share: Decimal
    net: Decimal
    part_text: str = ""


@dataclass(frozen=True)
class UnitView:
    """A stock truck as the order and the stock list show it."""

    id: int
    vin: str
    make: str
    model: str
    model_year: int | None
    branch_code: str
    status: str
    cost: Decimal
    received_on: date | None
    factory_order_ref: str
    expected_arrival: date | None

    @property
    def name(self) -> str:
        year = f" {self.model_year}" if self.model_year else ""
        return f"{self.make} {self.model}{year}"


@dataclass(frozen=True)
class Move:
    """An action on the order in front, and why it cannot be done if it cannot."""

    name: str
    allowed: bool
    reason: str = ""
    # The order's state alone rules it out, as the whitelist says; the
    # screen dims such a key without repeating the reason.
    by_state: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str


@dataclass(frozen=True)
class OrderView:
    """An order as the order screen shows it."""

    id: int
    version: int
    number: str
    kind: OrderKind
    state: OrderState
    state_title: str
    account_id: int
    customer_number: str
    customer_name: str
    rep_name: str
    branch_code: str
    time_zone: str
    ordered_on: date
    customer_reference: str
    description: str
    model_code: str
    quote_id: int | None
    quote_label: str
    lines: list[OrderLineView]
    list_total: Decimal
    total_discount: Decimal
    net_total: Decimal
    gst: Decimal
    total: Decimal
    trade_in: TradeIn | None
    payable: Decimal
    credit_hold: bool
    credit_reason: str
    credit_checked_at: datetime | None
    credit_released_by: str
    credit_release_note: str
    factory_order_ref: str
    expected_arrival: date | None
    unit: UnitView | None
    planned_delivery: date | None
    pdi_status: str
    pdi_job_number: str
    delivered_on: date | None
    cancel_reason: str
    invoice_number: str
    notes: str
    history: list[HistoryEntry] = field(default_factory=list)
    moves: dict[str, Move] = field(default_factory=dict)

    @property
    def credit_status(self) -> str:
        """The credit check in words, never by colour alone."""
        if self.credit_hold:
            return f"ON HOLD: {self.credit_reason}"
        if self.credit_released_by:
            note = f" ({self.credit_release_note})" if self.credit_release_note else ""
            return f"released by {self.credit_released_by}{note}"
        if self.credit_checked_at is None:
            return "not checked yet (checked on confirming)"
        return "OK: within the credit limit and terms"

    @property
    def pdi_text(self) -> str:
        if self.kind is OrderKind.PARTS:
            return ""
        return {
            "": "not planned yet",
            "needed": "NEEDED: not booked in the workshop yet",
            "booked": f"booked, job {self.pdi_job_number}",
            "done": f"done, job {self.pdi_job_number}",
            "cancelled": f"CANCELLED in the workshop (job {self.pdi_job_number})",
        }.get(self.pdi_status, self.pdi_status)


def unit_view(session: Session, unit: StockUnit) -> UnitView:
    """The stock truck with its branch code, for the order and its picker."""
    branch = session.get(Branch, unit.branch_id)
    return UnitView(
        unit.id,
        unit.vin,
        unit.make,
        unit.model,
        unit.model_year,
        branch.code if branch else "",
        unit.status,
        unit.cost,
        unit.received_on,
        unit.factory_order_ref,
        unit.expected_arrival,
    )


def _history(session: Session, order: Order) -> list[HistoryEntry]:
    rows = session.execute(
        select(AuditEntry, User.display_name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.entity == "order", AuditEntry.entity_id == str(order.id))
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    entries = []
    for entry, who in rows:
        text = ACTION_WORDS.get(entry.action, entry.action.replace("_", " "))
        detail = _change_text(entry.before or {}, entry.after or {})
        if entry.note:
            detail = f"{detail}; {entry.note}" if detail else entry.note
        entries.append(
            HistoryEntry(
                entry.at, who or "batch", f"{text}: {detail}" if detail else text
            )
        )
    return entries


# Figures kept in the audit entry that the history line leaves out.
_UNSHOWN = {"state", "exposure", "credit_limit"}


def _change_text(before: dict[str, object], after: dict[str, object]) -> str:
    shown = []
    for key, value in after.items():
        if key in _UNSHOWN:
            continue
        if key == "reason":
            shown.append(str(value))
            continue
        old = before.get(key)
        name = key.replace("_", " ")
        if old is not None and old != value:
            shown.append(f"{name} {old or '—'} → {value or '—'}")
        else:
            shown.append(f"{name} {value}")
    return ", ".join(shown)


def _pdi_status(session: Session, order: Order) -> str:
    if order.pdi_status != "booked":
        return order.pdi_status
    done = pdi.job_done(session, order.pdi_job_id)
    if done is None:
        return "cancelled"
    return "done" if done else "booked"


def order_moves(
    session: Session, actor: Actor, order: Order, unit: StockUnit | None
) -> dict[str, Move]:
    """Each step the order in front may take now, or why it may not."""
    kind = kind_of(order)
    state = state_of(order)
    moves: dict[str, Move] = {}
    held = hold_refusal(order)

    def add(name: str, allowed: bool, reason: str = "", by_state: bool = False) -> None:
        moves[name] = Move(
            name, allowed, "" if allowed else reason, by_state and not allowed
        )

    def step(name: str, target: OrderState, *, hold: bool = True) -> None:
        why = refusal(kind, state, target)
        if why is not None:
            add(name, False, why, by_state=True)
        elif hold and held:
            add(name, False, held)
        else:
            add(name, True)

    not_editable = (
        "The order is invoiced: correct it with a credit note."
        if state is OrderState.INVOICED
        else "The order is cancelled."
    )
    add("amend", amendable(state), not_editable)
    add(
        "add_line",
        amendable(state) and state is not OrderState.DELIVERED,
        (not_editable if not amendable(state) else "The order is delivered."),
    )
    add(
        "remove_line",
        amendable(state) and state is not OrderState.DELIVERED and len(order.lines) > 0,
        not_editable if not amendable(state) else "There is no line to remove.",
    )
    step("confirm", OrderState.CONFIRMED, hold=False)
    add(
        "release_hold",
        order.credit_hold,
        "The order is not on credit hold.",
        by_state=True,
    )
    step("cancel", OrderState.CANCELLED, hold=False)
    if kind is OrderKind.PARTS:
        step("sell", OrderState.DELIVERED)
        return moves
    step("factory_order", OrderState.ORDERED_FROM_FACTORY)
    step("arrived", OrderState.IN_STOCK, hold=False)
    step("allocate", OrderState.ALLOCATED)
    add(
        "unallocate",
        state is OrderState.ALLOCATED,
        "Only an allocated order gives its unit back.",
        by_state=True,
    )
    planning = state in COMMITTED and state is not OrderState.DELIVERED
    add(
        "plan_delivery",
        planning,
        f"An order that is {state.title} is not planned.",
        by_state=True,
    )
    if unit is None:
        add(
            "book_pdi",
            False,
            "Allocate a unit first: the workshop inspects that truck.",
        )
    elif order.planned_delivery is None:
        add("book_pdi", False, "Plan the delivery date first.")
    elif _pdi_status(session, order) in ("booked", "done"):
        add("book_pdi", False, f"The inspection is booked: job {order.pdi_job_number}.")
    else:
        add(
            "book_pdi",
            state in (OrderState.ALLOCATED, OrderState.READY_FOR_DELIVERY),
            f"An order that is {state.title} is not inspected.",
            by_state=True,
        )
    step("ready", OrderState.READY_FOR_DELIVERY)
    if moves["ready"].allowed and order.planned_delivery is None:
        add("ready", False, "Plan the delivery date first.")
    add(
        "not_ready",
        state is OrderState.READY_FOR_DELIVERY,
        "The order is not ready for delivery.",
        by_state=True,
    )
    step("deliver", OrderState.DELIVERED)
    return moves


def build_view(session: Session, actor: Actor, order: Order) -> OrderView:
    """The order as the screen shows it, read in the caller's session."""
    account = session.get(Account, order.account_id)
    rep = session.get(User, order.rep_id) if order.rep_id else None
    branch = session.get(Branch, order.branch_id)
    releaser = (
        session.get(User, order.credit_released_by_id)
        if order.credit_released_by_id
        else None
    )
    unit = allocated_unit(session, order.id)
    promised: dict[int | None, list[parts.Promise]] = {}
    if kind_of(order) is OrderKind.PARTS:
        promised = parts.promises(session, PARTS_SOURCE, order.id)
    lines = [
        OrderLineView(
            row.id,
            row.position,
            row.kind,
            row.code,
            row.description,
            row.quantity,
            row.unit_price,
            row.discount,
            row.total_discount_share,
            row.net,
            "; ".join(p.describe() for p in promised.get(row.id, [])),
        )
        for row in order.lines
    ]
    return OrderView(
        id=order.id,
        version=order.version,
        number=order.number,
        kind=kind_of(order),
        state=state_of(order),
        state_title=state_words(order),
        account_id=order.account_id,
        customer_number=account.number if account else "",
        customer_name=account.name if account else "",
        rep_name=rep.display_name if rep else "",
        branch_code=branch.code if branch else "",
        time_zone=branch.time_zone if branch else "UTC",
        ordered_on=order.ordered_on,
        customer_reference=order.customer_reference,
        description=order.description,
        model_code=order.model_code,
        quote_id=order.quote_id,
        quote_label=(
            f"{order.quote_number} v{order.quote_revision}"
            if order.quote_number
            else ""
        ),
        lines=lines,
        list_total=order.list_total,
        total_discount=order.total_discount,
        net_total=order.net_total,
        gst=order.gst,
        total=order.total,
        trade_in=trade_in_of(order),
        payable=order.payable,
        credit_hold=order.credit_hold,
        credit_reason=order.credit_reason,
        credit_checked_at=order.credit_checked_at,
        credit_released_by=releaser.display_name if releaser else "",
        credit_release_note=order.credit_release_note,
        factory_order_ref=order.factory_order_ref,
        expected_arrival=order.expected_arrival,
        unit=unit_view(session, unit) if unit else None,
        planned_delivery=order.planned_delivery,
        pdi_status=_pdi_status(session, order),
        pdi_job_number=order.pdi_job_number,
        delivered_on=order.delivered_on,
        cancel_reason=order.cancel_reason,
        invoice_number=order.invoice_number,
        notes=order.notes,
        history=_history(session, order),
        moves=order_moves(session, actor, order, unit),
    )


def order_view(db: Database, actor: Actor, order_id: int) -> OrderView:
    """The order with its lines, credit status, unit, delivery and history."""
    actor.require(Permission.VIEW_ORDERS)
    with db.read() as session:
        return build_view(session, actor, load(session, Order, order_id, "order"))


def view_after(db: Database, actor: Actor, order_id: int) -> OrderView:
    """The view after a change: read back in a fresh transaction."""
    with db.read() as session:
        return build_view(session, actor, load(session, Order, order_id, "order"))


# --------------------------------------------------------------------------
# The order list
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLine_:
    """A row of the order list."""

    id: int
    number: str
    kind: str
    state: str
    customer: str
    rep: str
    planned_delivery: date | None
    description: str
    payable: Decimal
    credit_hold: bool

    @property
    def state_mark(self) -> str:
        return OrderState(self.state).mark


def order_page(
    db: Database, actor: Actor, text: str, request: PageRequest
) -> tuple[list[OrderLine_], list[tuple[object, ...]], bool]:
    """A page of orders by number, filtered by state, customer, rep and week."""
    actor.require(Permission.VIEW_ORDERS)
    wanted = parse_filter(text)
    rep = aliased(User)
    stmt = (
        select(
            Order.id,
            Order.number,
            Order.kind,
            Order.state,
            Account.name,
            rep.display_name,
            Order.planned_delivery,
            Order.description,
            Order.payable,
            Order.credit_hold,
            Order.number,
        )
        .join(Account, Account.id == Order.account_id)
        .outerjoin(rep, rep.id == Order.rep_id)
    )
    for word in wanted.words:
        key = search_key(word)
        pattern = like_escape(key)
        name = Account.name_key.like(
            f"%{pattern}%" if len(key) >= 3 else f"{pattern}%", escape="\\"
        )
        stmt = stmt.where(
            or_(
                Order.number.like(f"%{like_escape(word.upper())}%", escape="\\"),
                Account.number == word.upper(),
                name,
            )
        )
    if wanted.states:
        stmt = stmt.where(Order.state.in_(sorted(s.value for s in wanted.states)))
    if wanted.kind:
        stmt = stmt.where(Order.kind == wanted.kind.value)
    if wanted.on_hold:
        stmt = stmt.where(Order.credit_hold.is_(True))
    if wanted.week:
        stmt = stmt.where(
            Order.planned_delivery >= wanted.week.monday,
            Order.planned_delivery <= wanted.week.sunday,
        )
    if wanted.rep == "me":
        stmt = stmt.where(Order.rep_id == actor.user_id)
    elif wanted.rep:
        pattern = like_escape(wanted.rep)
        stmt = stmt.where(
            or_(
                func.lower(rep.username).like(f"{pattern}%", escape="\\"),
                func.lower(rep.display_name).like(f"{pattern}%", escape="\\"),
            )
        )
    with db.read() as session:
        page = fetch_page(session, stmt, (Order.number,), request)
    lines = [OrderLine_(*row[:10]) for row in page.rows]
    return lines, page.keys, page.has_more


def order_id_for_number(db: Database, actor: Actor, number: str) -> int:
    """The id of the order with this number, for commands that take a number."""
    actor.require(Permission.VIEW_ORDERS)
    with db.read() as session:
        found = session.scalar(
            select(Order.id).where(Order.number == number.strip().upper())
        )
    if found is None:
        raise NotFound(f"There is no order {number.strip().upper()}.")
    return found
