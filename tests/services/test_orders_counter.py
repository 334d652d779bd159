"""Parts over the counter: look up, reserve, sell, cancel; stock never negative."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied, Refused, ValidationFailed
from dealer_tui.core.paging import PageRequest
from dealer_tui.orders.counter import add_part, new_counter_sale, sell
from dealer_tui.orders.services import cancel_order, confirm_order, remove_line
from dealer_tui.orders.states import OrderState
from dealer_tui.orders.views import OrderView, order_view
from dealer_tui.parts.counter import counter_part_page
from dealer_tui.parts.models import Part, PartStock
from tests.services.helpers import user
from tests.services.orders_support import order_dealer

AIR_FILTER = "21834199"
OIL_FILTER = "21707134"


def _stock(db: Database, number: str) -> tuple[D, D]:
    with db.read() as session:
        row = session.execute(
            select(PartStock.on_hand, PartStock.reserved)
            .join(Part, Part.id == PartStock.part_id)
            .where(Part.part_number == number)
        ).one()
    return row[0], row[1]


def _sale(db: Database, *lines: tuple[str, str]) -> OrderView:
    clerk = user(db, "counter")
    sale_id = new_counter_sale(db, clerk, "C1", "Bay 4 pickup")
    view = order_view(db, clerk, sale_id)
    for number, quantity in lines:
        view = add_part(db, clerk, sale_id, view.version, number, quantity)
    return view


def test_parts_are_found_by_number_or_description(db: Database) -> None:
    """'2183' finds the air filter by number; 'filter' finds both filters."""
    order_dealer(db)
    clerk = user(db, "counter")
    branch = clerk.branch_id or 1
    lines, _, _ = counter_part_page(db, clerk, branch, "2183", PageRequest())
    assert [(p.part_number, p.available, p.unit_price) for p in lines] == [
        (AIR_FILTER, D("2.000"), D("138.90"))
    ]
    lines, _, _ = counter_part_page(db, clerk, branch, "FILTER", PageRequest())
    assert [p.part_number for p in lines] == [OIL_FILTER, AIR_FILTER]
    lines, _, _ = counter_part_page(db, clerk, branch, "air filter", PageRequest())
    assert [p.part_number for p in lines] == [AIR_FILTER]


def test_a_sale_is_priced_at_the_part_prices_with_gst(db: Database) -> None:
    """Two oil filters at 45.60 and 2.5 L of oil at 9.80: 115.70, GST 11.57."""
    order_dealer(db)
    view = _sale(db, (OIL_FILTER, "2"), ("85143545", "2.5"))
    assert view.state_title == "entered"
    assert (view.net_total, view.gst, view.payable) == (
        D("115.70"),
        D("11.57"),
        D("127.27"),
    )


def test_bad_part_lines_are_named(db: Database) -> None:
    """An unknown part and a quantity of nought are both named."""
    order_dealer(db)
    clerk = user(db, "counter")
    view = _sale(db)
    with pytest.raises(ValidationFailed) as refused:
        add_part(db, clerk, view.id, view.version, "NOPE-1", "0")
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("quantity", "must be more than zero"),
        ("part_number", "there is no part 'NOPE-1'"),
    ]


def test_reserving_never_makes_available_stock_negative(db: Database) -> None:
    """Three air filters asked, two on hand: two reserved, one short, none below 0."""
    order_dealer(db)
    clerk = user(db, "counter")
    view = _sale(db, (AIR_FILTER, "3"))
    view = confirm_order(db, clerk, view.id, view.version)
    assert view.state_title == "reserved"
    assert view.lines[0].part_text == (
        f"{AIR_FILTER} Air filter element x3: 2 reserved, SHORT 1, "
        "no delivery expected: order it"
    )
    assert _stock(db, AIR_FILTER) == (D("2.000"), D("2.000"))
    with pytest.raises(Refused, match="is short 1"):
        sell(db, clerk, view.id, view.version)


def test_cancelling_releases_exactly_what_was_reserved(db: Database) -> None:
    """Two oil filters reserved of five; cancelling gives back those two only."""
    order_dealer(db)
    clerk = user(db, "counter")
    view = _sale(db, (OIL_FILTER, "2"))
    view = confirm_order(db, clerk, view.id, view.version)
    assert _stock(db, OIL_FILTER) == (D("5.000"), D("2.000"))
    other = _sale(db, (OIL_FILTER, "1"))
    confirm_order(db, clerk, other.id, other.version)
    assert _stock(db, OIL_FILTER) == (D("5.000"), D("3.000"))
    view = cancel_order(db, clerk, view.id, view.version, "Wrong filter ordered")
    assert view.state is OrderState.CANCELLED
    assert _stock(db, OIL_FILTER) == (D("5.000"), D("1.000"))
    assert view.history[-1].what == (
        "cancelled: Wrong filter ordered, parts released 2.000"
    )


def test_removing_a_reserved_line_gives_its_parts_back(db: Database) -> None:
    """Line 2 (one air filter) is taken off a reserved sale; its filter is free."""
    order_dealer(db)
    clerk = user(db, "counter")
    view = _sale(db, (OIL_FILTER, "1"), (AIR_FILTER, "1"))
    view = confirm_order(db, clerk, view.id, view.version)
    view = remove_line(db, clerk, view.id, view.version, 2)
    assert [line.code for line in view.lines] == [OIL_FILTER]
    assert _stock(db, AIR_FILTER) == (D("2.000"), D("0.000"))


def test_a_part_added_to_a_reserved_sale_is_reserved_at_once(db: Database) -> None:
    """Adding one more oil filter after reserving holds it straight away."""
    order_dealer(db)
    clerk = user(db, "counter")
    view = _sale(db, (OIL_FILTER, "1"))
    view = confirm_order(db, clerk, view.id, view.version)
    add_part(db, clerk, view.id, view.version, OIL_FILTER, "1")
    assert _stock(db, OIL_FILTER) == (D("5.000"), D("2.000"))


def test_selling_takes_the_parts_out_of_stock(db: Database) -> None:
    """Selling two reserved oil filters leaves three on hand, none reserved."""
    order_dealer(db)
    clerk = user(db, "counter")
    view = _sale(db, (OIL_FILTER, "2"))
    view = confirm_order(db, clerk, view.id, view.version)
    view = sell(db, clerk, view.id, view.version)
    assert view.state is OrderState.DELIVERED and view.state_title == "sold"
    assert _stock(db, OIL_FILTER) == (D("3.000"), D("0.000"))
    assert view.lines[0].part_text.endswith("2 picked")


def test_a_sales_rep_does_not_sell_parts(db: Database) -> None:
    """Only the counter, the workshop and the sales office sell parts."""
    order_dealer(db)
    with pytest.raises(PermissionDenied):
        new_counter_sale(db, user(db, "sales_rep"), "C1")


def test_an_entered_sale_is_cancelled_without_touching_stock(db: Database) -> None:
    """Nothing was reserved yet, so cancelling leaves the oil filters as they were."""
    order_dealer(db)
    clerk = user(db, "counter")
    view = _sale(db, (OIL_FILTER, "2"))
    view = cancel_order(db, clerk, view.id, view.version, "Customer changed mind")
    assert view.state is OrderState.CANCELLED
    assert _stock(db, OIL_FILTER) == (D("5.000"), D("0.000"))
