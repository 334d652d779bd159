"""The credit check on confirming: held orders wait for a manager's release."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dealer_tui.core.clock import local_today
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied, Refused
from dealer_tui.invoicing.imports import import_invoices
from dealer_tui.orders import delivery
from dealer_tui.orders.services import (
    LineForm,
    OrderForm,
    add_line,
    confirm_order,
    create_order,
    release_credit_hold,
)
from dealer_tui.orders.states import OrderState
from dealer_tui.orders.views import OrderView, order_view
from tests.services.helpers import user
from tests.services.orders_support import VOLVO_1, order_dealer, unit_id

INVOICE_HEAD = (
    "reference,customer,kind,branch,invoice_date,description,quantity,"
    "unit_code,unit_price,discount,category,line_kind,prices_include_tax,post\n"
)


def _confirm(db: Database, customer: str, price: str) -> OrderView:
    admin = user(db, "sales_admin")
    order_id = create_order(db, admin, OrderForm(customer, "Volvo FM 460", price))
    view = order_view(db, admin, order_id)
    return confirm_order(db, admin, order_id, view.version)


def _invoice(db: Database, customer: str, day: str, amount: str) -> None:
    row = f"R-1,{customer},customer,MEL,{day},Parts,1,EA,{amount},,S,item,no,yes\n"
    report = import_invoices(
        db, user(db, "sales_admin"), text_stream(INVOICE_HEAD + row)
    )
    assert report.written, [str(p) for p in report.problems]


def test_over_the_limit_the_order_goes_on_hold_and_says_why(db: Database) -> None:
    """Coastal Freight's 20,000.00 limit: a 22,000.00 order (with GST) is held."""
    order_dealer(db)
    view = _confirm(db, "C2", "20000.00")
    assert view.state is OrderState.CONFIRMED
    assert view.credit_hold
    assert view.credit_status == (
        "ON HOLD: exposure $22,000.00 is over the credit limit $20,000.00 by $2,000.00"
    )
    assert any(h.what.startswith("put ON HOLD") for h in view.history)


def test_a_held_order_goes_no_further_until_released(db: Database) -> None:
    """Allocation is refused and dimmed with the hold's reason; a manager frees it."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _confirm(db, "C2", "20000.00")
    assert not view.moves["allocate"].allowed
    assert view.moves["allocate"].reason.startswith("The order is ON HOLD:")
    with pytest.raises(Refused, match="must release the credit hold"):
        delivery.allocate_unit(db, admin, view.id, view.version, unit_id(db, VOLVO_1))
    with pytest.raises(PermissionDenied):
        release_credit_hold(db, admin, view.id, view.version, "paid deposit")
    manager = user(db, "sales_manager")
    view = release_credit_hold(
        db, manager, view.id, view.version, "Deposit of 5,000 received"
    )
    assert not view.credit_hold
    assert view.credit_status == (
        "released by Sales Manager (Deposit of 5,000 received)"
    )
    assert view.history[-1].who == "Sales Manager"
    view = delivery.allocate_unit(
        db, admin, view.id, view.version, unit_id(db, VOLVO_1)
    )
    assert view.state is OrderState.ALLOCATED
    with pytest.raises(Refused, match="not on credit hold"):
        release_credit_hold(db, manager, view.id, view.version)


def test_an_account_on_credit_hold_holds_every_order(db: Database) -> None:
    """Held Up Transport has a large limit but its account is on hold."""
    order_dealer(db)
    view = _confirm(db, "C3", "1000.00")
    assert view.credit_reason == "the customer's account is on credit hold"


def test_invoices_past_their_terms_hold_the_order(db: Database) -> None:
    """An unpaid 1,000.00 + GST invoice of 1 October 2026, due 31 October, holds."""
    order_dealer(db)
    _invoice(db, "C1", "2026-10-01", "1000.00")
    view = _confirm(db, "C1", "1000.00")
    assert view.credit_reason == (
        "$1,100.00 is unpaid past its terms (due since 31/10/2026)"
    )


def test_the_open_balance_from_invoicing_counts(db: Database) -> None:
    """2,500.00 owed (2,750.00 with GST) and a 17,600.00 order top 20,000.00."""
    order_dealer(db)
    recent = local_today("Australia/Melbourne") - timedelta(days=3)
    _invoice(db, "C2", recent.isoformat(), "2500.00")
    view = _confirm(db, "C2", "16000.00")
    assert view.credit_reason == (
        "exposure $20,350.00 is over the credit limit $20,000.00 by $350.00"
    )


def test_other_open_orders_count_towards_the_limit(db: Database) -> None:
    """11,000.00 and 8,800.00 pass; another 220.00 makes 20,020.00: held."""
    order_dealer(db)
    assert not _confirm(db, "C2", "10000.00").credit_hold
    assert not _confirm(db, "C2", "8000.00").credit_hold
    third = _confirm(db, "C2", "200.00")
    assert third.credit_reason == (
        "exposure $20,020.00 is over the credit limit $20,000.00 by $20.00"
    )


def test_an_order_that_grows_is_checked_again(db: Database) -> None:
    """18,700.00 passes; a 2,000.00 option (2,200.00 with GST) puts it on hold."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _confirm(db, "C2", "17000.00")
    assert not view.credit_hold
    view = add_line(
        db, admin, view.id, view.version, LineForm("option", "Sleeper cab", "2000")
    )
    assert view.credit_reason == (
        "exposure $20,900.00 is over the credit limit $20,000.00 by $900.00"
    )
