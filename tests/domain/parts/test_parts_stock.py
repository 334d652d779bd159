"""Promising parts: what comes from stock, what waits, and when it arrives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dealer_tui.parts.stock import (
    Incoming,
    Split,
    arrival_date,
    available,
    fill_waiting,
    split_request,
)

D = Decimal


def test_available_is_on_hand_less_reserved_never_below_zero():
    """5 on hand and 3 reserved leave 2; a stale 6 reserved still shows 0."""
    assert available(D(5), D(3)) == D(2)
    assert available(D(5), D(6)) == D("0.000")


def test_a_request_takes_what_is_free_and_the_rest_waits():
    """3 free and 5 asked: 3 from stock, 2 wait; nothing free: all 5 wait."""
    assert split_request(D(3), D(5)) == Split(D(3), D(2))
    assert split_request(D(0), D(5)) == Split(D(0), D(5))
    assert split_request(D(9), D("1.5")) == Split(D("1.5"), D(0))


def test_a_request_must_ask_for_something():
    """Zero or a negative quantity is refused."""
    with pytest.raises(ValueError, match="more than zero"):
        split_request(D(3), D(0))


def test_shortages_are_filled_first_come_first_served():
    """4 due on the 10th, 6 on the 15th, 3 waiting: 1 more is the 10th, 2 the 15th."""
    deliveries = [
        Incoming(date(2026, 12, 15), D(6)),
        Incoming(date(2026, 12, 10), D(4)),
    ]
    assert arrival_date(deliveries, D(3), D(1)) == date(2026, 12, 10)
    assert arrival_date(deliveries, D(3), D(2)) == date(2026, 12, 15)
    assert arrival_date(deliveries, D(3), D(8)) is None
    assert arrival_date([], D(0), D(1)) is None


def test_free_stock_fills_waiting_reservations_in_order():
    """5 free fill 2 and 2 and the third gets 1 of its 3."""
    waiting = [(1, D(2)), (2, D(2)), (3, D(3)), (4, D(1))]
    assert fill_waiting(D(5), waiting) == [(1, D(2)), (2, D(2)), (3, D(1))]
    assert fill_waiting(D(0), waiting) == []
