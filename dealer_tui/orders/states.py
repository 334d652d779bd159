"""The states of an order and the whitelist of moves between them.

A vehicle order is entered, confirmed (its credit checked), then either
ordered from the factory and in stock when the truck arrives, or given a
unit from stock straight away; it is allocated, made ready for delivery,
delivered and invoiced.  A parts counter order is entered, confirmed (its
parts reserved), sold and invoiced.  Either may be cancelled, with a
reason, until it is delivered.
"""

from __future__ import annotations

import enum


class OrderKind(enum.StrEnum):
    VEHICLE = "vehicle"
    PARTS = "parts"

    @property
    def title(self) -> str:
        return "vehicle order" if self is OrderKind.VEHICLE else "parts sale"


class OrderState(enum.StrEnum):
    ENTERED = "entered"
    CONFIRMED = "confirmed"
    ORDERED_FROM_FACTORY = "ordered_from_factory"
    IN_STOCK = "in_stock"
    ALLOCATED = "allocated"
    READY_FOR_DELIVERY = "ready_for_delivery"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        return self.value.replace("_", " ")

    @property
    def mark(self) -> str:
        """A short word that carries the state without colour."""
        return _MARKS[self]


_MARKS = {
    OrderState.ENTERED: "ENTERED",
    OrderState.CONFIRMED: "CONFIRMED",
    OrderState.ORDERED_FROM_FACTORY: "FACTORY",
    OrderState.IN_STOCK: "IN STOCK",
    OrderState.ALLOCATED: "ALLOCATED",
    OrderState.READY_FOR_DELIVERY: "READY",
    OrderState.DELIVERED: "DELIVERED",
    OrderState.INVOICED: "INVOICED",
    OrderState.CANCELLED: "CANCELLED",
}

# How a parts sale names the states it shares with a vehicle order.
_PARTS_TITLES = {
    OrderState.CONFIRMED: "reserved",
    OrderState.DELIVERED: "sold",
}

_S = OrderState
VEHICLE_MOVES: dict[OrderState, frozenset[OrderState]] = {
    _S.ENTERED: frozenset({_S.CONFIRMED, _S.CANCELLED}),
    _S.CONFIRMED: frozenset({_S.ORDERED_FROM_FACTORY, _S.ALLOCATED, _S.CANCELLED}),
    _S.ORDERED_FROM_FACTORY: frozenset({_S.IN_STOCK, _S.CANCELLED}),
    _S.IN_STOCK: frozenset({_S.ALLOCATED, _S.CANCELLED}),
    # Taking the unit back returns the order to confirmed.
    _S.ALLOCATED: frozenset({_S.READY_FOR_DELIVERY, _S.CONFIRMED, _S.CANCELLED}),
    _S.READY_FOR_DELIVERY: frozenset({_S.DELIVERED, _S.ALLOCATED, _S.CANCELLED}),
    _S.DELIVERED: frozenset({_S.INVOICED}),
    _S.INVOICED: frozenset(),
    _S.CANCELLED: frozenset(),
}
PARTS_MOVES: dict[OrderState, frozenset[OrderState]] = {
    _S.ENTERED: frozenset({_S.CONFIRMED, _S.CANCELLED}),
    _S.CONFIRMED: frozenset({_S.DELIVERED, _S.CANCELLED}),
    _S.DELIVERED: frozenset({_S.INVOICED}),
    _S.INVOICED: frozenset(),
    _S.CANCELLED: frozenset(),
}

# The states in which the customer owes, or will owe, the order's amount:
# these count towards the credit exposure of the customer's other orders.
COMMITTED = frozenset(
    {
        _S.CONFIRMED,
        _S.ORDERED_FROM_FACTORY,
        _S.IN_STOCK,
        _S.ALLOCATED,
        _S.READY_FOR_DELIVERY,
        _S.DELIVERED,
    }
)
# The states past the credit check that a hold stops from moving on.
HELD_BACK = frozenset(
    {_S.CONFIRMED, _S.ORDERED_FROM_FACTORY, _S.IN_STOCK, _S.ALLOCATED}
)


def moves_of(kind: OrderKind) -> dict[OrderState, frozenset[OrderState]]:
    return VEHICLE_MOVES if kind is OrderKind.VEHICLE else PARTS_MOVES


def state_title(kind: OrderKind, state: OrderState) -> str:
    """The state in the words of the kind of order: a sale is 'sold'."""
    if kind is OrderKind.PARTS:
        return _PARTS_TITLES.get(state, state.title)
    return state.title


def amendable(state: OrderState) -> bool:
    """Whether lines, prices and references may still change."""
    return state not in (_S.INVOICED, _S.CANCELLED)


def amendment_is_recorded(state: OrderState) -> bool:
    """Whether a change counts as an amendment of an agreed order."""
    return state not in (_S.ENTERED, _S.INVOICED, _S.CANCELLED)


def refusal(kind: OrderKind, current: OrderState, target: OrderState) -> str | None:
    """Why the order cannot move from one state to the other, or None."""
    if target in moves_of(kind).get(current, frozenset()):
        return None
    now = state_title(kind, current)
    if current is _S.INVOICED:
        return "The order is invoiced: correct it with a credit note."
    if current is _S.CANCELLED:
        return "The order is cancelled."
    if target is _S.CANCELLED:
        return f"An order that is {now} can no longer be cancelled."
    return f"An order that is {now} cannot become {state_title(kind, target)}."
