"""An order's figures agree with the quote and with the invoice to the cent."""

from __future__ import annotations

from decimal import Decimal as D

from dealer_tui.catalog.pricing import LineKind, QuoteLine, TradeIn, price_quote
from dealer_tui.invoicing.tax import jurisdiction_for
from dealer_tui.invoicing.totals import Line, compute_totals
from dealer_tui.orders.totals import (
    OrderLineIn,
    invoice_lines,
    line_problems,
    price_parts_sale,
    price_vehicle_order,
)

AU = jurisdiction_for("AU")
TRUCK = [
    OrderLineIn("base", "FH-PM", "FH prime mover", D("1"), D("289500.00")),
    OrderLineIn("option", "D13K540", "D13K 540 hp", D("1"), D("16800.00"), D("800.00")),
    OrderLineIn("accessory", "ACC-UHF", "UHF radio", D("2"), D("445.00")),
]


def _invoice_totals(lines: list[OrderLineIn], discount: D) -> tuple[D, D, D]:
    priced = price_vehicle_order(lines, AU, total_discount=discount)
    out = invoice_lines(lines, priced)
    totals = compute_totals(
        [Line(o.quantity, o.unit_price, o.discount) for o in out], (), (), AU
    )
    return totals.tax_exclusive_total, totals.tax_total, totals.payable_amount


def test_vehicle_order_prices_as_its_quote() -> None:
    """289,500 + 16,000 + 890 less 3,333.33 off the total: the quote's figures."""
    trade = TradeIn("2016 FH", D("80000.00"), D("82000.00"), D("10000.00"))
    order = price_vehicle_order(TRUCK, AU, total_discount=D("3333.33"), trade_in=trade)
    quote = price_quote(
        [
            QuoteLine(
                LineKind(li.kind),
                li.code,
                li.description,
                li.quantity,
                li.unit_price,
                li.discount,
            )
            for li in TRUCK
        ],
        AU,
        total_discount=D("3333.33"),
        trade_in=trade,
    )
    assert order.net_total == quote.net_total == D("303056.67")
    assert order.gst == quote.gst == D("30305.67")
    assert order.total == D("333362.34")
    assert (
        order.payable == quote.payable == D("333362.34") - D("82000.00") + D("10000.00")
    )
    assert sum(order.shares) == D("3333.33")


def test_the_invoice_lines_total_the_same_as_the_order() -> None:
    """Each line's own and shared discount on the invoice gives the same GST."""
    priced = price_vehicle_order(TRUCK, AU, total_discount=D("3333.33"))
    assert _invoice_totals(TRUCK, D("3333.33")) == (
        priced.net_total,
        priced.gst,
        priced.total,
    )


def test_parts_sale_prices_by_the_invoicing_rules() -> None:
    """Three air filters at 138.90 and 2.5 L of oil at 9.80: 441.20, GST 44.12."""
    sale = price_parts_sale(
        [
            OrderLineIn("part", "21834199", "Air filter", D("3"), D("138.90")),
            OrderLineIn("part", "85143545", "Oil (litre)", D("2.5"), D("9.80")),
        ],
        AU,
    )
    assert (sale.net_total, sale.gst, sale.total) == (
        D("441.20"),
        D("44.12"),
        D("485.32"),
    )
    assert sale.payable == sale.total


def test_line_problems_name_their_line() -> None:
    """No truck line, a zero quantity and a discount above the line, all at once."""
    problems = line_problems(
        [
            OrderLineIn("option", "X", "Option", D("0"), D("10.00")),
            OrderLineIn("accessory", "Y", "Radio", D("1"), D("10.00"), D("10.01")),
        ],
        vehicle=True,
    )
    assert [str(p) for p in problems] == [
        "lines: a vehicle order needs a truck (base line)",
        "line 1 quantity: must be more than zero",
        "line 2 discount: is more than the line",
    ]
