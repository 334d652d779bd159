"""Use cases of a truck's way to the customer: factory, stock, allocation,
delivery planning with the pre-delivery inspection, and the hand-over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound, Problem, Refused, ValidationFailed
from dealer_tui.core.models import Branch, User
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load
from dealer_tui.orders import pdi
from dealer_tui.orders.common import (
    allocated_unit,
    give_back_unit,
    kind_of,
    load_order,
    local_day,
    move,
    require_not_held,
    state_of,
    touch,
)
from dealer_tui.orders.models import (
    ALLOCATED,
    DELIVERED,
    IN_STOCK,
    Order,
    StockUnit,
    UnitAllocation,
)
from dealer_tui.orders.schedule import Week, parse_week
from dealer_tui.orders.states import COMMITTED, OrderKind, OrderState, refusal
from dealer_tui.orders.views import (
    OrderView,
    UnitView,
    order_moves,
    unit_view,
    view_after,
)
from dealer_tui.vehicles.models import Vehicle

# --------------------------------------------------------------------------
# Factory orders, allocation and delivery
# --------------------------------------------------------------------------


def _vehicle_order(order: Order) -> None:
    if kind_of(order) is not OrderKind.VEHICLE:
        raise Refused("A parts sale has no truck.")


def order_from_factory(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    factory_ref: str,
    expected_arrival: str,
) -> OrderView:
    """Record the truck ordered from the factory, with the day it should arrive."""
    actor.require(Permission.MANAGE_STOCK)
    errors = FieldErrors()
    ref = errors.required("factory_ref", factory_ref, 40).upper()
    arrival = errors.day("expected_arrival", expected_arrival, required=True)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        _vehicle_order(order)
        require_not_held(order)
        clash = session.scalar(
            select(Order.number).where(
                Order.factory_order_ref == ref,
                Order.id != order.id,
                Order.state != OrderState.CANCELLED.value,
            )
        )
        if clash:
            raise ValidationFailed(
                [
                    Problem(
                        "factory_ref", f"order {clash} already has factory order {ref}"
                    )
                ]
            )
        order.factory_order_ref = ref
        order.expected_arrival = arrival
        move(
            session,
            actor,
            order,
            OrderState.ORDERED_FROM_FACTORY,
            "factory_order",
            factory_ref=ref,
            expected_arrival=arrival,
        )
    return view_after(db, actor, order_id)


def arrived_unit(session: Session, order: Order) -> StockUnit | None:
    """The unit received for the order's factory order, if it is in stock."""
    if not order.factory_order_ref:
        return None
    return session.scalars(
        select(StockUnit)
        .where(
            StockUnit.factory_order_ref == order.factory_order_ref,
            StockUnit.status == IN_STOCK,
        )
        .order_by(StockUnit.id)
        .limit(1)
    ).first()


def note_arrival(session: Session, actor: Actor, order: Order, unit: StockUnit) -> None:
    """The factory truck is in: the order waiting for it is in stock."""
    move(session, actor, order, OrderState.IN_STOCK, "arrived", vin=unit.vin)


def mark_in_stock(
    db: Database, actor: Actor, order_id: int, expected_version: int
) -> OrderView:
    """Move a factory order to in stock once its truck has been received."""
    actor.require(Permission.MANAGE_STOCK)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        _vehicle_order(order)
        unit = arrived_unit(session, order)
        if unit is None:
            raise Refused(
                f"No truck with factory order {order.factory_order_ref or '—'} has "
                "been received yet: receive it into stock first."
            )
        note_arrival(session, actor, order, unit)
    return view_after(db, actor, order_id)


def _ensure_vehicle(session: Session, unit: StockUnit) -> Vehicle:
    """The vehicle record of the unit, made the first time it is needed."""
    vehicle = session.get(Vehicle, unit.vehicle_id) if unit.vehicle_id else None
    if vehicle is None:
        vehicle = session.scalars(
            select(Vehicle).where(Vehicle.vin == unit.vin)
        ).one_or_none()
    if vehicle is None:
        vehicle = Vehicle(
            vin=unit.vin,
            vin_tail=unit.vin[-6:],
            make=unit.make,
            model=unit.model,
            model_year=unit.model_year,
            branch_id=unit.branch_id,
        )
        session.add(vehicle)
        session.flush()
    unit.vehicle_id = vehicle.id
    return vehicle


def allocate_unit(
    db: Database, actor: Actor, order_id: int, expected_version: int, unit_id: int
) -> OrderView:
    """Give a truck in stock to the order; one truck never goes to two orders.

    The allocation row is unique per unit and per order, so when two users
    allocate the same truck at the same moment the database refuses the
    second, and that user is told to choose another.
    """
    actor.require(Permission.MANAGE_STOCK)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        _vehicle_order(order)
        require_not_held(order)
        reason = refusal(kind_of(order), state_of(order), OrderState.ALLOCATED)
        if reason:
            raise Refused(reason)
        unit = session.get(StockUnit, unit_id)
        if unit is None:
            raise NotFound("The stock unit no longer exists.")
        if unit.status != IN_STOCK:
            raise Refused(
                f"Truck {unit.vin} is {unit.status.replace('_', ' ')}, not in stock."
            )
        if unit.factory_order_ref:
            owner = session.scalar(
                select(Order.number).where(
                    Order.factory_order_ref == unit.factory_order_ref,
                    Order.id != order.id,
                    Order.state.in_(
                        [
                            OrderState.ORDERED_FROM_FACTORY.value,
                            OrderState.IN_STOCK.value,
                        ]
                    ),
                )
            )
            if owner:
                raise Refused(
                    f"Truck {unit.vin} came in for order {owner} "
                    f"(factory order {unit.factory_order_ref})."
                )
        try:
            with session.begin_nested():
                session.add(
                    UnitAllocation(
                        unit_id=unit.id,
                        order_id=order.id,
                        allocated_by_id=actor.user_id,
                    )
                )
        except IntegrityError:
            raise Refused(
                f"Truck {unit.vin} was allocated to another order a moment ago: "
                "choose another truck."
            ) from None
        unit.status = ALLOCATED
        unit.updated_by_id = actor.user_id
        _ensure_vehicle(session, unit)
        move(session, actor, order, OrderState.ALLOCATED, "allocate", vin=unit.vin)
        audit.record(
            session,
            actor,
            "allocate",
            "stock_unit",
            unit.id,
            before={"status": IN_STOCK},
            after={"status": ALLOCATED, "order": order.number},
        )
    return view_after(db, actor, order_id)


def unallocate_unit(
    db: Database, actor: Actor, order_id: int, expected_version: int
) -> OrderView:
    """Take the truck back into stock; the order is confirmed again."""
    actor.require(Permission.MANAGE_STOCK)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        _vehicle_order(order)
        reason = refusal(kind_of(order), state_of(order), OrderState.CONFIRMED)
        if reason:
            raise Refused(reason)
        vin = give_back_unit(session, actor, order)
        move(session, actor, order, OrderState.CONFIRMED, "unallocate", vin=vin)
    return view_after(db, actor, order_id)


def units_to_allocate(db: Database, actor: Actor, order_id: int) -> list[UnitView]:
    """Trucks in stock that may go to the order: its own factory truck first,
    then those of the same model at the order's branch, then the rest."""
    actor.require(Permission.VIEW_ORDERS)
    with db.read() as session:
        order = load(session, Order, order_id, "order")
        taken = select(Order.factory_order_ref).where(
            Order.id != order.id,
            Order.factory_order_ref != "",
            Order.state.in_(
                [OrderState.ORDERED_FROM_FACTORY.value, OrderState.IN_STOCK.value]
            ),
        )
        units = session.scalars(
            select(StockUnit)
            .where(
                StockUnit.status == IN_STOCK,
                or_(
                    StockUnit.factory_order_ref == "",
                    StockUnit.factory_order_ref.not_in(taken),
                ),
            )
            .order_by(StockUnit.vin)
            .limit(200)
        ).all()
        words = set(order.description.upper().split())
        code = order.model_code.upper()

        def same_model(unit: StockUnit) -> bool:
            first = unit.model.upper().split()[:1]
            return bool(first) and (first[0] in words or code.startswith(first[0]))

        def rank(unit: StockUnit) -> tuple[int, int, int, str]:
            return (
                0
                if order.factory_order_ref
                and unit.factory_order_ref == order.factory_order_ref
                else 1,
                0 if same_model(unit) else 1,
                0 if unit.branch_id == order.branch_id else 1,
                unit.vin,
            )

        return [unit_view(session, unit) for unit in sorted(units, key=rank)]


def plan_delivery(
    db: Database, actor: Actor, order_id: int, expected_version: int, day: str
) -> OrderView:
    """Set the day the truck is handed over; an inspection becomes needed."""
    actor.require(Permission.PLAN_DELIVERIES)
    errors = FieldErrors()
    when = errors.day("planned_delivery", day, required=True)
    if errors or when is None:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        _vehicle_order(order)
        state = state_of(order)
        if state not in COMMITTED or state is OrderState.DELIVERED:
            raise Refused(
                f"An order that is {state.title} is not planned for delivery."
            )
        if when < order.ordered_on:
            raise ValidationFailed(
                [
                    Problem(
                        "planned_delivery",
                        "is before the order was entered "
                        f"({order.ordered_on:%d/%m/%Y})",
                    )
                ]
            )
        before = {"planned_delivery": audit.plain(order.planned_delivery)}
        order.planned_delivery = when
        if not order.pdi_status:
            order.pdi_status = "needed"
        touch(order, actor)
        audit.record(
            session,
            actor,
            "plan_delivery",
            "order",
            order.id,
            before=before,
            after={
                "planned_delivery": audit.plain(when),
                "inspection": order.pdi_status,
            },
        )
    return view_after(db, actor, order_id)


def book_pdi(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    at: datetime | None = None,
) -> OrderView:
    """Book the pre-delivery inspection at the workshop's first free time.

    The slot must end before the planned delivery day; otherwise nothing
    is booked and the order keeps 'inspection needed'.
    """
    actor.require(Permission.PLAN_DELIVERIES)
    with db.read() as session:
        order = load(session, Order, order_id, "order")
        moves = order_moves(session, actor, order, allocated_unit(session, order.id))
        if not moves["book_pdi"].allowed:
            raise Refused(moves["book_pdi"].reason)
        unit = allocated_unit(session, order.id)
        account = session.get(Account, order.account_id)
        branch = session.get(Branch, order.branch_id)
        assert unit is not None and account is not None and branch is not None
        today = local_day(session, order.branch_id, at)
        draft = pdi.draft_for(
            unit.vin, account.number, branch.code, order.number, today
        )
        delivery = order.planned_delivery
        zone = branch.time_zone
    offer = pdi.earliest_slot(db, actor, draft, at)
    if delivery is not None and clock.local(offer.ends_at, zone).date() >= delivery:
        raise Refused(
            f"The workshop's first free time for the inspection is "
            f"{offer.describe()}, not before the delivery on {delivery:%d/%m/%Y}: "
            "move the delivery or ask the workshop."
        )
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        booking = pdi.book(session, actor, draft, offer, at)
        order.pdi_status = "booked"
        order.pdi_job_id = booking.job_id
        order.pdi_job_number = booking.number
        touch(order, actor)
        audit.record(
            session,
            actor,
            "book_pdi",
            "order",
            order.id,
            after={"job": booking.number, "slot": booking.slot},
        )
    return view_after(db, actor, order_id)


def mark_ready(
    db: Database, actor: Actor, order_id: int, expected_version: int
) -> OrderView:
    """The truck is prepared and the delivery planned: ready to hand over."""
    actor.require(Permission.PLAN_DELIVERIES)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        _vehicle_order(order)
        require_not_held(order)
        if order.planned_delivery is None:
            raise Refused("Plan the delivery date first.")
        move(
            session,
            actor,
            order,
            OrderState.READY_FOR_DELIVERY,
            "ready",
            planned_delivery=order.planned_delivery,
        )
    return view_after(db, actor, order_id)


def not_ready(
    db: Database, actor: Actor, order_id: int, expected_version: int, reason: str
) -> OrderView:
    """Take a ready order back to allocated, saying why."""
    actor.require(Permission.PLAN_DELIVERIES)
    errors = FieldErrors()
    why = errors.required("reason", reason, 300)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        if state_of(order) is not OrderState.READY_FOR_DELIVERY:
            raise Refused("The order is not ready for delivery.")
        move(session, actor, order, OrderState.ALLOCATED, "not_ready", note=why)
    return view_after(db, actor, order_id)


def deliver(
    db: Database,
    actor: Actor,
    order_id: int,
    expected_version: int,
    at: datetime | None = None,
) -> OrderView:
    """Hand the truck over: the customer owns its vehicle record from today."""
    actor.require(Permission.PLAN_DELIVERIES)
    with db.write() as session:
        order = load_order(session, actor, order_id, expected_version)
        _vehicle_order(order)
        require_not_held(order)
        reason = refusal(kind_of(order), state_of(order), OrderState.DELIVERED)
        if reason:
            raise Refused(reason)
        unit = allocated_unit(session, order.id)
        if unit is None:
            raise Refused("The order has no unit allocated.")
        today = local_day(session, order.branch_id, at)
        vehicle = _ensure_vehicle(session, unit)
        owner_before = vehicle.owner_id
        vehicle.owner_id = order.account_id
        vehicle.branch_id = order.branch_id
        vehicle.updated_by_id = actor.user_id
        unit.status = DELIVERED
        unit.updated_by_id = actor.user_id
        order.delivered_on = today
        move(session, actor, order, OrderState.DELIVERED, "deliver", vin=unit.vin)
        audit.record(
            session,
            actor,
            "deliver",
            "vehicle",
            vehicle.id,
            before={"owner_id": owner_before},
            after={"owner_id": order.account_id, "order": order.number},
        )
    return view_after(db, actor, order_id)


# --------------------------------------------------------------------------
# The weekly delivery schedule
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRow:
    """One truck to hand over: when, to whom, which and how far along."""

    day: date
    order_id: int
    order_number: str
    branch_code: str
    customer_number: str
    customer_name: str
    truck: str
    vin: str
    state: str
    inspection: str
    rep: str
    on_hold: bool


@dataclass(frozen=True)
class DeliverySchedule:
    week: Week
    branch: str | None
    rows: list[ScheduleRow]


_PDI_WORDS = {"": "not planned", "needed": "needed", "booked": "booked"}


def delivery_schedule(
    db: Database, actor: Actor, week: str | Week, branch: str | None = None
) -> DeliverySchedule:
    """Vehicle orders to be delivered in the week, day by day, at one branch
    or all; cancelled orders are left out."""
    actor.require(Permission.VIEW_ORDERS)
    if isinstance(week, str):
        try:
            week = parse_week(week)
        except ValueError as exc:
            raise ValidationFailed([Problem("week", str(exc))]) from None
    rep = aliased(User)
    stmt = (
        select(Order, Account, Branch.code, rep.display_name, StockUnit.vin)
        .join(Account, Account.id == Order.account_id)
        .join(Branch, Branch.id == Order.branch_id)
        .outerjoin(rep, rep.id == Order.rep_id)
        .outerjoin(UnitAllocation, UnitAllocation.order_id == Order.id)
        .outerjoin(StockUnit, StockUnit.id == UnitAllocation.unit_id)
        .where(
            Order.kind == OrderKind.VEHICLE.value,
            Order.planned_delivery >= week.monday,
            Order.planned_delivery <= week.sunday,
            Order.state != OrderState.CANCELLED.value,
        )
        .order_by(Order.planned_delivery, Branch.code, Order.number)
    )
    with db.read() as session:
        code = branch.strip().upper() if branch else None
        if code:
            if session.scalar(select(Branch.id).where(Branch.code == code)) is None:
                raise ValidationFailed(
                    [Problem("branch", f"there is no branch '{code}'")]
                )
            stmt = stmt.where(Branch.code == code)
        rows = []
        for order, account, branch_code, rep_name, vin in session.execute(stmt):
            status = order.pdi_status
            if status == "booked":
                done = pdi.job_done(session, order.pdi_job_id)
                status = "cancelled" if done is None else "done" if done else status
            assert order.planned_delivery is not None
            rows.append(
                ScheduleRow(
                    day=order.planned_delivery,
                    order_id=order.id,
                    order_number=order.number,
                    branch_code=branch_code,
                    customer_number=account.number,
                    customer_name=account.name,
                    truck=order.description,
                    vin=vin or "",
                    state=OrderState(order.state).title,
                    inspection=_PDI_WORDS.get(status, status)
                    + (f" {order.pdi_job_number}" if order.pdi_job_number else ""),
                    rep=rep_name or "",
                    on_hold=order.credit_hold,
                )
            )
    return DeliverySchedule(week, code, rows)
