"""Entering orders: from an accepted quote, directly, and amending them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from dealer_tui.catalog.models import Quote
from dealer_tui.catalog.quotes import TradeInForm, quote_view
from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied, Refused, ValidationFailed
from dealer_tui.core.models import AuditEntry
from dealer_tui.orders.models import Order
from dealer_tui.orders.services import (
    AmendForm,
    LineForm,
    OrderForm,
    add_line,
    amend_order,
    confirm_order,
    create_order,
    create_order_from_quote,
    remove_line,
)
from dealer_tui.orders.states import OrderState
from dealer_tui.orders.views import order_view
from tests.services.helpers import user
from tests.services.orders_support import accepted_quote, order_dealer


def test_an_accepted_quote_becomes_an_order_with_its_figures_exactly(
    db: Database,
) -> None:
    """Lines, the 5,000.00 discount and the trade-in come over to the cent."""
    order_dealer(db)
    quote_id = accepted_quote(
        db,
        discount="5000",
        trade_in=TradeInForm("2016 Volvo FH 540", "80000", "82000", "10000"),
    )
    rep = user(db, "sales_rep")
    quote = quote_view(db, rep, quote_id)
    order_id = create_order_from_quote(db, rep, quote_id)
    order = order_view(db, rep, order_id)
    assert order.state is OrderState.ENTERED
    assert order.number.startswith("SO20") and order.quote_label == quote.label
    assert [(li.code, li.unit_price, li.discount) for li in order.lines] == [
        (li.code, li.unit_price, li.discount) for li in quote.lines
    ]
    assert [li.net for li in order.lines] == [li.net for li in quote.lines]
    assert order.total_discount == D("5000.00")
    assert order.trade_in == quote.trade_in
    assert (order.net_total, order.gst, order.payable) == (
        quote.totals.net_total,
        quote.totals.gst,
        quote.totals.payable,
    )
    assert order.payable == order.total - D("82000.00") + D("10000.00")
    assert quote_view(db, rep, quote_id).order_id == order_id


def test_a_quote_becomes_one_order_only(db: Database) -> None:
    """Converting the same accepted quote twice is refused, naming the order."""
    order_dealer(db)
    quote_id = accepted_quote(db)
    rep = user(db, "sales_rep")
    create_order_from_quote(db, rep, quote_id)
    with pytest.raises(Refused, match="already order"):
        create_order_from_quote(db, rep, quote_id)
    with db.read() as session:
        assert session.scalar(select(Order.id).where(Order.quote_id == quote_id))


def test_only_an_accepted_quote_becomes_an_order(db: Database) -> None:
    """A draft quote is refused and no order number is used up."""
    from dealer_tui.catalog.quotes import new_quote

    order_dealer(db)
    rep = user(db, "sales_rep")
    draft = new_quote(db, rep, 1, "FH-PM")
    with pytest.raises(Refused, match="Only an accepted quote"):
        create_order_from_quote(db, rep, draft.id)
    with db.read() as session:
        assert session.scalar(select(Order.id)) is None
        assert session.get(Quote, draft.id).order_id is None  # type: ignore[union-attr]


def test_counter_staff_may_not_enter_truck_orders(db: Database) -> None:
    """The counter sells parts; turning a quote into an order is refused."""
    order_dealer(db)
    quote_id = accepted_quote(db)
    with pytest.raises(PermissionDenied):
        create_order_from_quote(db, user(db, "counter"), quote_id)


def test_direct_entry_names_every_bad_field(db: Database) -> None:
    """An unknown customer, no description and a bad price are named together."""
    order_dealer(db)
    with pytest.raises(ValidationFailed) as refused:
        create_order(
            db,
            user(db, "sales_admin"),
            OrderForm(customer="C999", description=" ", unit_price="12x"),
        )
    assert {(p.field, p.message) for p in refused.value.problems} == {
        ("customer", "there is no customer 'C999'"),
        ("description", "is required"),
        ("unit_price", "'12x' is not an amount"),
    }


def test_direct_entry_prices_the_truck_with_gst(db: Database) -> None:
    """A 250,000.00 truck less 2,500.00: net 247,500.00, GST 24,750.00."""
    order_dealer(db)
    order_id = create_order(
        db,
        user(db, "sales_admin"),
        OrderForm(
            customer="c1",
            description="Volvo FM 460 rigid",
            unit_price="250,000.00",
            discount="2500",
            model_code="fm-rig",
        ),
    )
    order = order_view(db, user(db, "sales_admin"), order_id)
    assert order.customer_number == "C1"
    assert order.rep_name == "Sales Rep"
    assert (order.net_total, order.gst, order.payable) == (
        D("247500.00"),
        D("24750.00"),
        D("272250.00"),
    )
    assert order.lines[0].kind == "base" and order.lines[0].code == "FM-RIG"


def _confirmed(db: Database) -> int:
    admin = user(db, "sales_admin")
    order_id = create_order(
        db, admin, OrderForm("C1", "Volvo FM 460 rigid", "250000.00")
    )
    confirm_order(db, admin, order_id, order_view(db, admin, order_id).version)
    return order_id


def test_amending_a_confirmed_order_records_what_who_and_when(db: Database) -> None:
    """A new reference and a 1,000.00 discount are written to the history."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    order_id = _confirmed(db)
    before = order_view(db, admin, order_id)
    after = amend_order(
        db,
        admin,
        order_id,
        before.version,
        AmendForm(customer_reference="PO-7781", notes="", total_discount="1000"),
    )
    assert after.payable == before.payable - D("1100.00")
    with db.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "order",
                AuditEntry.entity_id == str(order_id),
                AuditEntry.action == "amend",
            )
        ).one()
    assert entry.user_id == admin.user_id and entry.at is not None
    assert entry.before == {
        "customer_reference": "",
        "total_discount": "0.00",
        "payable": "275000.00",
    }
    assert entry.after == {
        "customer_reference": "PO-7781",
        "total_discount": "1000.00",
        "payable": "273900.00",
    }
    assert entry.note == "amended after confirmation"
    assert any("amended" in h.what and h.who == "Sales Admin" for h in after.history)


def test_a_stale_amendment_is_refused(db: Database) -> None:
    """Saving over a newer version names who changed the order."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    order_id = _confirmed(db)
    old = order_view(db, admin, order_id)
    amend_order(db, admin, order_id, old.version, AmendForm("PO-1", ""))
    from dealer_tui.core.errors import StaleRecord

    with pytest.raises(StaleRecord, match="Sales Admin changed this order"):
        amend_order(db, admin, order_id, old.version, AmendForm("PO-2", ""))


def test_lines_are_added_and_removed_with_the_totals(db: Database) -> None:
    """A 2,380.00 camera kit adds 2,618.00 with GST; removing it takes it off."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    order_id = _confirmed(db)
    view = order_view(db, admin, order_id)
    grown = add_line(
        db,
        admin,
        order_id,
        view.version,
        LineForm(
            "accessory", "Reversing and side camera kit", "2380", code="acc-camera"
        ),
    )
    assert grown.payable == view.payable + D("2618.00")
    assert grown.lines[-1].code == "ACC-CAMERA"
    with pytest.raises(ValidationFailed) as refused:
        add_line(db, admin, order_id, grown.version, LineForm("tyres", "", "-5", "0"))
    assert {p.field for p in refused.value.problems} == {
        "kind",
        "description",
        "unit_price",
        "quantity",
    }
    shrunk = remove_line(db, admin, order_id, grown.version, 2)
    assert shrunk.payable == view.payable and len(shrunk.lines) == 1
    with pytest.raises(Refused, match="truck line stays"):
        remove_line(db, admin, order_id, shrunk.version, 1)
