"""Promising parts: what comes from stock, what waits, and when it arrives.

Pure rules, no database: the services hand in the numbers they read inside
their transaction and write back what these functions decide. Available
stock is what is on hand less what is already reserved; a promise never
takes more than that, and whatever it cannot take waits for a delivery.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.000")


@dataclass(frozen=True)
class Split:
    """A request for a quantity: the part taken from stock and the part that waits."""

    from_stock: Decimal
    awaiting: Decimal


@dataclass(frozen=True)
class Incoming:
    """A delivery on its way: the day it is expected and how much it brings."""

    expected_on: date
    quantity: Decimal


def available(on_hand: Decimal, reserved: Decimal) -> Decimal:
    """On hand less reserved, never shown below zero."""
    return max(on_hand - reserved, ZERO)


def split_request(free: Decimal, quantity: Decimal) -> Split:
    """Take what the free stock allows; the rest of the quantity awaits stock.

    With 3 free and 5 asked for, 3 come from stock and 2 wait.
    """
    if quantity <= 0:
        raise ValueError("a quantity to reserve must be more than zero")
    taken = min(quantity, max(free, ZERO))
    return Split(taken, quantity - taken)


def arrival_date(
    incoming: Iterable[Incoming], already_waiting: Decimal, needed: Decimal
) -> date | None:
    """The day enough has come in for this shortage, after earlier ones.

    Shortages are filled first come, first served: deliveries go to the
    ``already_waiting`` quantity before this ``needed`` one. None when the
    deliveries on their way do not cover it.
    """
    target = already_waiting + needed
    arrived = ZERO
    for delivery in sorted(incoming, key=lambda d: d.expected_on):
        arrived += delivery.quantity
        if arrived >= target:
            return delivery.expected_on
    return None


def fill_waiting(
    free: Decimal, waiting: Sequence[tuple[int, Decimal]]
) -> list[tuple[int, Decimal]]:
    """Share free stock among waiting reservations in their order.

    Returns ``(reservation id, quantity filled)`` for each reservation that
    gets anything; the last one may be filled only in part.
    """
    filled: list[tuple[int, Decimal]] = []
    left = max(free, ZERO)
    for reservation_id, quantity in waiting:
        if left <= 0:
            break
        take = min(quantity, left)
        filled.append((reservation_id, take))
        left -= take
    return filled
