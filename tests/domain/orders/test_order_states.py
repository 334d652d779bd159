"""The whitelist of order moves, for vehicle orders and parts sales."""

from __future__ import annotations

import pytest

from dealer_tui.orders.states import (
    PARTS_MOVES,
    VEHICLE_MOVES,
    OrderKind,
    OrderState,
    amendable,
    refusal,
    state_title,
)

S = OrderState
VEHICLE_ALLOWED = {
    (S.ENTERED, S.CONFIRMED),
    (S.ENTERED, S.CANCELLED),
    (S.CONFIRMED, S.ORDERED_FROM_FACTORY),
    (S.CONFIRMED, S.ALLOCATED),
    (S.CONFIRMED, S.CANCELLED),
    (S.ORDERED_FROM_FACTORY, S.IN_STOCK),
    (S.ORDERED_FROM_FACTORY, S.CANCELLED),
    (S.IN_STOCK, S.ALLOCATED),
    (S.IN_STOCK, S.CANCELLED),
    (S.ALLOCATED, S.READY_FOR_DELIVERY),
    (S.ALLOCATED, S.CONFIRMED),
    (S.ALLOCATED, S.CANCELLED),
    (S.READY_FOR_DELIVERY, S.DELIVERED),
    (S.READY_FOR_DELIVERY, S.ALLOCATED),
    (S.READY_FOR_DELIVERY, S.CANCELLED),
    (S.DELIVERED, S.INVOICED),
}


@pytest.mark.parametrize("current", list(OrderState))
@pytest.mark.parametrize("target", list(OrderState))
def test_vehicle_moves_are_exactly_the_whitelist(current, target) -> None:
    """A vehicle order moves only along the sixteen listed moves."""
    allowed = (current, target) in VEHICLE_ALLOWED
    assert (refusal(OrderKind.VEHICLE, current, target) is None) is allowed


def test_the_table_holds_the_same_moves_as_the_test() -> None:
    """The module's table and the list above agree, move for move."""
    table = {(a, b) for a, targets in VEHICLE_MOVES.items() for b in targets}
    assert table == VEHICLE_ALLOWED


def test_parts_sale_moves() -> None:
    """A sale is entered, reserved (confirmed), sold and invoiced; never allocated."""
    table = {(a, b) for a, targets in PARTS_MOVES.items() for b in targets}
    assert table == {
        (S.ENTERED, S.CONFIRMED),
        (S.ENTERED, S.CANCELLED),
        (S.CONFIRMED, S.DELIVERED),
        (S.CONFIRMED, S.CANCELLED),
        (S.DELIVERED, S.INVOICED),
    }
    assert refusal(OrderKind.PARTS, S.CONFIRMED, S.ALLOCATED) is not None


def test_refusals_say_why_in_the_clerks_words() -> None:
    """Invoiced orders point to a credit note; delivered ones cannot be cancelled."""
    invoiced = refusal(OrderKind.VEHICLE, S.INVOICED, S.CANCELLED)
    assert invoiced == "The order is invoiced: correct it with a credit note."
    delivered = refusal(OrderKind.VEHICLE, S.DELIVERED, S.CANCELLED)
    assert delivered == "An order that is delivered can no longer be cancelled."
    sold = refusal(OrderKind.PARTS, S.DELIVERED, S.CANCELLED)
    assert sold == "An order that is sold can no longer be cancelled."
    skip = refusal(OrderKind.VEHICLE, S.CONFIRMED, S.DELIVERED)
    assert skip == "An order that is confirmed cannot become delivered."


def test_a_parts_sale_speaks_of_reserved_and_sold() -> None:
    """The shared states read 'reserved' and 'sold' on a parts sale."""
    assert state_title(OrderKind.PARTS, S.CONFIRMED) == "reserved"
    assert state_title(OrderKind.PARTS, S.DELIVERED) == "sold"
    assert state_title(OrderKind.VEHICLE, S.READY_FOR_DELIVERY) == "ready for delivery"


def test_only_invoiced_and_cancelled_orders_are_final() -> None:
    """Every state but invoiced and cancelled may still be amended."""
    assert {s for s in OrderState if not amendable(s)} == {S.INVOICED, S.CANCELLED}
