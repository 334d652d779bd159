"""The credit check at confirmation: limit, account hold and overdue invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from dealer_tui.orders.credit import CreditPosition, check_credit


def position(**changes) -> CreditPosition:  # type: ignore[no-untyped-def]
    values = {
        "credit_limit": D("20000.00"),
        "account_on_hold": False,
        "open_balance": D("2500.00"),
        "other_orders": D("0.00"),
        "this_order": D("17500.00"),
    }
    values.update(changes)
    return CreditPosition(**values)


def test_exactly_at_the_limit_passes() -> None:
    """2,500.00 owed and a 17,500.00 order make 20,000.00: the limit, not over."""
    decision = check_credit(position())
    assert not decision.hold and decision.reason == ""


def test_one_cent_over_the_limit_holds() -> None:
    """17,500.01 makes the exposure 20,000.01: held, with the cent named."""
    decision = check_credit(position(this_order=D("17500.01")))
    assert decision.hold
    assert decision.reason == (
        "exposure $20,000.01 is over the credit limit $20,000.00 by $0.01"
    )


def test_other_confirmed_orders_count() -> None:
    """A 5,000.00 order not yet invoiced brings a 12,600.00 order over 20,000.00."""
    decision = check_credit(
        position(other_orders=D("5000.00"), this_order=D("12600.00"))
    )
    assert decision.hold
    assert "by $100.00" in decision.reason


def test_every_reason_is_given() -> None:
    """An account on hold with 1,200.00 overdue since 1 Nov gets both reasons."""
    decision = check_credit(
        position(
            account_on_hold=True,
            this_order=D("1.00"),
            overdue=D("1200.00"),
            oldest_due=date(2026, 11, 1),
        )
    )
    assert decision.reason == (
        "the customer's account is on credit hold; "
        "$1,200.00 is unpaid past its terms (due since 01/11/2026)"
    )


def test_headroom_is_what_is_left_of_the_limit() -> None:
    """20,000.00 less 2,500.00 and 17,000.00 leaves 500.00."""
    assert position(this_order=D("17000.00")).headroom == D("500.00")
