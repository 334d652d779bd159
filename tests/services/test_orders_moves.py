"""Every move of an order, made through the services, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dealer_tui.core.auth import Actor
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused, ValidationFailed
from dealer_tui.orders import delivery
from dealer_tui.orders.models import StockUnit
from dealer_tui.orders.services import (
    AmendForm,
    OrderForm,
    amend_order,
    cancel_order,
    confirm_order,
    create_order,
)
from dealer_tui.orders.states import OrderState
from dealer_tui.orders.stock import receive_units
from dealer_tui.orders.views import OrderView, order_view
from dealer_tui.vehicles.models import Vehicle
from tests.services.helpers import user
from tests.services.orders_support import (
    MACK_1,
    NOW,
    VOLVO_1,
    order_dealer,
    unit_id,
    units_csv,
)

S = OrderState


def _entered(db: Database, admin: Actor) -> OrderView:
    order_id = create_order(
        db, admin, OrderForm("C1", "Volvo FH 540 prime mover", "289500.00")
    )
    return order_view(db, admin, order_id)


def _confirmed(db: Database, admin: Actor) -> OrderView:
    view = _entered(db, admin)
    return confirm_order(db, admin, view.id, view.version)


def _allocated(db: Database, admin: Actor, vin: str = VOLVO_1) -> OrderView:
    view = _confirmed(db, admin)
    return delivery.allocate_unit(db, admin, view.id, view.version, unit_id(db, vin))


def _planned(db: Database, admin: Actor) -> OrderView:
    view = _allocated(db, admin)
    day = view.ordered_on + timedelta(days=10)
    return delivery.plan_delivery(db, admin, view.id, view.version, day.isoformat())


def _ready(db: Database, admin: Actor) -> OrderView:
    view = _planned(db, admin)
    return delivery.mark_ready(db, admin, view.id, view.version)


def _delivered(db: Database, admin: Actor) -> OrderView:
    view = _ready(db, admin)
    return delivery.deliver(db, admin, view.id, view.version)


def test_entered_to_confirmed(db: Database) -> None:
    """Confirming a 289,500.00 truck for a customer with room leaves no hold."""
    order_dealer(db)
    view = _confirmed(db, user(db, "sales_admin"))
    assert view.state is S.CONFIRMED and not view.credit_hold
    assert view.credit_status == "OK: within the credit limit and terms"


def test_confirmed_to_allocated_takes_the_truck_out_of_stock(db: Database) -> None:
    """The Volvo is allocated; it gets a vehicle record without an owner yet."""
    order_dealer(db)
    view = _allocated(db, user(db, "sales_admin"))
    assert view.state is S.ALLOCATED
    assert view.unit is not None and view.unit.vin == VOLVO_1
    assert view.unit.status == "allocated"
    with db.read() as session:
        vehicle = session.scalars(select(Vehicle).where(Vehicle.vin == VOLVO_1)).one()
        assert vehicle.owner_id is None


def test_allocated_back_to_confirmed_returns_the_truck(db: Database) -> None:
    """Taking the unit back puts it in stock and the order back to confirmed."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _allocated(db, admin)
    view = delivery.unallocate_unit(db, admin, view.id, view.version)
    assert view.state is S.CONFIRMED and view.unit is None
    with db.read() as session:
        unit = session.get(StockUnit, unit_id(db, VOLVO_1))
        assert unit is not None and unit.status == "in_stock"


def test_allocated_to_ready_needs_a_delivery_date(db: Database) -> None:
    """Without a planned day, ready is refused; with one it is allowed."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _allocated(db, admin)
    assert view.moves["ready"].reason == "Plan the delivery date first."
    with pytest.raises(Refused, match="Plan the delivery date first"):
        delivery.mark_ready(db, admin, view.id, view.version)
    day = view.ordered_on + timedelta(days=10)
    view = delivery.plan_delivery(db, admin, view.id, view.version, day.isoformat())
    view = delivery.mark_ready(db, admin, view.id, view.version)
    assert view.state is S.READY_FOR_DELIVERY
    assert view.pdi_text == "NEEDED: not booked in the workshop yet"


def test_ready_back_to_allocated_with_a_reason(db: Database) -> None:
    """'Bull bar not fitted yet' takes the order back and is kept in its history."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _ready(db, admin)
    with pytest.raises(ValidationFailed):
        delivery.not_ready(db, admin, view.id, view.version, "  ")
    view = delivery.not_ready(
        db, admin, view.id, view.version, "Bull bar not fitted yet"
    )
    assert view.state is S.ALLOCATED
    assert view.history[-1].what == "no longer ready: Bull bar not fitted yet"


def test_ready_to_delivered_gives_the_customer_the_truck(db: Database) -> None:
    """Delivered: the unit is delivered and the vehicle is owned by C1."""
    order_dealer(db)
    view = _delivered(db, user(db, "sales_admin"))
    assert view.state is S.DELIVERED and view.delivered_on is not None
    with db.read() as session:
        vehicle = session.scalars(select(Vehicle).where(Vehicle.vin == VOLVO_1)).one()
        assert vehicle.owner_id == view.account_id
        unit = session.get(StockUnit, unit_id(db, VOLVO_1))
        assert unit is not None and unit.status == "delivered"


def test_factory_order_then_arrival_then_allocation(db: Database) -> None:
    """Ordered from the factory as F-7781; receiving F-7781 puts it in stock."""
    admin_all = order_dealer(db)
    admin = user(db, "sales_admin")
    view = _confirmed(db, admin)
    with pytest.raises(ValidationFailed) as refused:
        delivery.order_from_factory(db, admin, view.id, view.version, "", "soon")
    assert {p.field for p in refused.value.problems} == {
        "factory_ref",
        "expected_arrival",
    }
    view = delivery.order_from_factory(
        db, admin, view.id, view.version, "f-7781", "2027-02-15"
    )
    assert view.state is S.ORDERED_FROM_FACTORY
    assert (view.factory_order_ref, str(view.expected_arrival)) == (
        "F-7781",
        "2027-02-15",
    )
    with pytest.raises(Refused, match="No truck with factory order F-7781"):
        delivery.mark_in_stock(db, admin, view.id, view.version)
    vin = "YV2RT40A7TB100777"
    report = receive_units(
        db,
        admin_all,
        text_stream(units_csv(f"{vin},Volvo,FH 540,2026,MEL,240000,,F-7781")),
        at=NOW,
    )
    assert report.written
    assert report.arrivals == [f"Order {view.number}'s truck {vin} is in stock."]
    view = order_view(db, admin, view.id)
    assert view.state is S.IN_STOCK
    units = delivery.units_to_allocate(db, admin, view.id)
    assert units[0].vin == vin
    view = delivery.allocate_unit(db, admin, view.id, view.version, units[0].id)
    assert view.state is S.ALLOCATED


def test_a_factory_truck_is_kept_for_its_own_order(db: Database) -> None:
    """Another order cannot take the truck that came in for factory order F-1."""
    admin_all = order_dealer(db)
    admin = user(db, "sales_admin")
    waiting = _confirmed(db, admin)
    delivery.order_from_factory(
        db, admin, waiting.id, waiting.version, "F-1", "2027-01-10"
    )
    vin = "YV2RT40A7TB100778"
    receive_units(
        db,
        admin_all,
        text_stream(units_csv(f"{vin},Volvo,FH 540,2026,MEL,240000,,F-1")),
        at=NOW,
    )
    other = _confirmed(db, admin)
    assert vin not in [u.vin for u in delivery.units_to_allocate(db, admin, other.id)]
    with pytest.raises(Refused, match=f"came in for order {waiting.number}"):
        delivery.allocate_unit(db, admin, other.id, other.version, unit_id(db, vin))


@pytest.mark.parametrize(
    "made",
    [_entered, _confirmed, _allocated, _ready],
    ids=["entered", "confirmed", "allocated", "ready"],
)
def test_cancelling_gives_the_reason_and_the_truck_back(db: Database, made) -> None:  # type: ignore[no-untyped-def]
    """A cancelled order keeps its reason; an allocated truck is in stock again."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = made(db, admin)
    with pytest.raises(ValidationFailed) as refused:
        cancel_order(db, admin, view.id, view.version, "")
    assert refused.value.problems[0].field == "reason"
    view = cancel_order(db, admin, view.id, view.version, "Customer lost the tender")
    assert view.state is S.CANCELLED
    assert view.cancel_reason == "Customer lost the tender"
    with db.read() as session:
        unit = session.get(StockUnit, unit_id(db, VOLVO_1))
        assert unit is not None and unit.status == "in_stock"
    with pytest.raises(Refused, match="cancelled"):
        amend_order(db, admin, view.id, view.version, AmendForm("PO", ""))


def test_a_factory_order_can_be_cancelled(db: Database) -> None:
    """Ordered from the factory, then cancelled with a reason."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _confirmed(db, admin)
    view = delivery.order_from_factory(
        db, admin, view.id, view.version, "F-9", "2027-03-01"
    )
    view = cancel_order(db, admin, view.id, view.version, "Build slot lost")
    assert view.state is S.CANCELLED


def test_moves_off_the_whitelist_are_refused(db: Database) -> None:
    """Entered cannot be allocated; delivered cannot be cancelled or re-delivered."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    entered = _entered(db, admin)
    with pytest.raises(Refused, match="entered cannot become allocated"):
        delivery.allocate_unit(
            db, admin, entered.id, entered.version, unit_id(db, MACK_1)
        )
    assert not entered.moves["allocate"].allowed
    done = _delivered(db, admin)
    with pytest.raises(Refused, match="can no longer be cancelled"):
        cancel_order(db, admin, done.id, done.version, "changed mind")
    with pytest.raises(Refused, match="delivered cannot become delivered"):
        delivery.deliver(db, admin, done.id, done.version)
    assert done.moves["cancel"].reason == (
        "An order that is delivered can no longer be cancelled."
    )


def test_one_truck_never_goes_to_two_orders(db: Database) -> None:
    """The second order asking for the allocated Volvo is refused."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    _allocated(db, admin)
    other = _confirmed(db, admin)
    with pytest.raises(Refused, match=f"Truck {VOLVO_1} is allocated"):
        delivery.allocate_unit(db, admin, other.id, other.version, unit_id(db, VOLVO_1))
    assert VOLVO_1 not in [
        u.vin for u in delivery.units_to_allocate(db, admin, other.id)
    ]


def test_an_order_whose_truck_arrived_can_be_cancelled(db: Database) -> None:
    """In stock after its factory truck came in, then cancelled: the truck stays."""
    admin_all = order_dealer(db)
    admin = user(db, "sales_admin")
    view = _confirmed(db, admin)
    view = delivery.order_from_factory(
        db, admin, view.id, view.version, "F-12", "2027-02-01"
    )
    vin = "YV2RT40A7TB100779"
    receive_units(
        db,
        admin_all,
        text_stream(units_csv(f"{vin},Volvo,FH 540,2026,MEL,240000,,F-12")),
        at=NOW,
    )
    view = order_view(db, admin, view.id)
    assert view.state is S.IN_STOCK
    view = cancel_order(db, admin, view.id, view.version, "Finance declined")
    assert view.state is S.CANCELLED
    with db.read() as session:
        unit = session.get(StockUnit, unit_id(db, vin))
        assert unit is not None and unit.status == "in_stock"
