"""Delivered trucks and parts sold are billed by the batch run, exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from dealer_tui.catalog.quotes import TradeInForm
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused
from dealer_tui.invoicing.batch import run_invoicing
from dealer_tui.invoicing.models import Invoice
from dealer_tui.orders import delivery
from dealer_tui.orders.counter import add_part, new_counter_sale, sell
from dealer_tui.orders.invoice_sources import register
from dealer_tui.orders.services import (
    AmendForm,
    amend_order,
    confirm_order,
    create_order_from_quote,
)
from dealer_tui.orders.states import OrderState
from dealer_tui.orders.views import OrderView, order_view
from tests.services.helpers import user
from tests.services.orders_support import (
    VOLVO_1,
    accepted_quote,
    order_dealer,
    unit_id,
)


@pytest.fixture(autouse=True)
def _order_sources() -> None:
    """Order entry's two sources are in the run, whatever an earlier test did."""
    register()


def _delivered_truck(db: Database) -> OrderView:
    admin = user(db, "sales_admin")
    quote_id = accepted_quote(
        db,
        discount="3333.33",
        trade_in=TradeInForm("2016 Volvo FH 540", "80000", "82000", "10000"),
    )
    order_id = create_order_from_quote(db, admin, quote_id)
    view = order_view(db, admin, order_id)
    view = confirm_order(db, admin, order_id, view.version)
    view = delivery.allocate_unit(
        db, admin, order_id, view.version, unit_id(db, VOLVO_1)
    )
    day = (view.ordered_on + timedelta(days=1)).isoformat()
    view = delivery.plan_delivery(db, admin, order_id, view.version, day)
    view = delivery.mark_ready(db, admin, order_id, view.version)
    return delivery.deliver(db, admin, order_id, view.version)


def _sold_parts(db: Database) -> OrderView:
    clerk = user(db, "counter")
    sale_id = new_counter_sale(db, clerk, "C1")
    view = order_view(db, clerk, sale_id)
    view = add_part(db, clerk, sale_id, view.version, "21707134", "2")
    view = confirm_order(db, clerk, sale_id, view.version)
    return sell(db, clerk, sale_id, view.version)


def _invoices(db: Database) -> dict[str, Invoice]:
    with db.read() as session:
        rows = session.scalars(
            select(Invoice).where(Invoice.source_kind.is_not(None))
        ).all()
    return {str(row.source_ref): row for row in rows}


def test_the_run_bills_the_truck_and_the_parts_sale_exactly_once(
    db: Database,
) -> None:
    """Two invoices whose totals are the orders' totals; a second run bills none."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    truck = _delivered_truck(db)
    parts = _sold_parts(db)
    until = max(truck.delivered_on, parts.delivered_on)  # type: ignore[type-var]
    summary = run_invoicing(db, admin, until)
    billed = {c.source_ref: total for c, _, total in summary.invoiced}
    assert billed == {truck.number: truck.total, parts.number: D("100.32")}
    assert summary.failed == []
    invoices = _invoices(db)
    assert invoices[truck.number].source_kind == "vehicle_order"
    assert invoices[truck.number].tax_total == truck.gst
    assert invoices[truck.number].total == truck.total
    assert invoices[parts.number].source_kind == "parts_sale"
    for view in (truck, parts):
        after = order_view(db, admin, view.id)
        assert after.state is OrderState.INVOICED
        assert after.invoice_number == invoices[view.number].number
    again = run_invoicing(db, admin, until)
    assert again.invoiced == [] and again.planned == []


def test_an_invoiced_order_cannot_be_amended(db: Database) -> None:
    """Once billed, a change is refused and pointed at a credit note."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    truck = _delivered_truck(db)
    run_invoicing(db, admin, truck.delivered_on)
    view = order_view(db, admin, truck.id)
    assert not view.moves["amend"].allowed
    with pytest.raises(Refused, match="correct it with a credit note"):
        amend_order(db, admin, view.id, view.version, AmendForm("PO-9", ""))


def test_an_order_not_yet_delivered_is_not_billed(db: Database) -> None:
    """A confirmed truck order is no candidate of the run."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    order_id = create_order_from_quote(db, admin, accepted_quote(db))
    view = order_view(db, admin, order_id)
    confirm_order(db, admin, order_id, view.version)
    summary = run_invoicing(db, admin, view.ordered_on + timedelta(days=30))
    assert [c.source_ref for c, _, _ in summary.invoiced] == []
