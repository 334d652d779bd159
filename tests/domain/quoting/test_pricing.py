"""Quote pricing: discounts, trade-in, GST, and totals that add up to the cent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealer_tui.catalog.pricing import (
    LineKind,
    QuoteLine,
    TradeIn,
    needs_approval,
    price_quote,
)
from dealer_tui.invoicing.tax import AUSTRALIA

D = Decimal


def _truck() -> list[QuoteLine]:
    return [
        QuoteLine(LineKind.BASE, "FH-PM", "FH prime mover", D(1), D("289500.00")),
        QuoteLine(LineKind.OPTION, "D13K540", "D13K 540 hp", D(1), D("16800.00")),
        QuoteLine(
            LineKind.ACCESSORY, "BULLBAR", "Bull bar", D(1), D("4950.00"), D("450.00")
        ),
    ]


def test_totals_of_a_quote_with_trade_in() -> None:
    """$311,250 list, $450 and $3,000 discounts, GST $30,780, trade-in $85,000."""
    totals = price_quote(
        _truck(),
        AUSTRALIA,
        total_discount=D("3000.00"),
        trade_in=TradeIn("2016 Volvo FH 540", D("80000.00"), D("85000.00")),
    )
    assert totals.list_total == D("311250.00")
    assert totals.net_total == D("307800.00")
    assert totals.gst == D("30780.00")
    assert totals.total_with_gst == D("338580.00")
    assert totals.over_allowance == D("5000.00")
    assert totals.payable == D("253580.00")
    assert sum(p.total_discount_share for p in totals.lines) == D("3000.00")
    assert totals.discount_percent == D("2.71")


def test_over_allowance_counts_towards_approval() -> None:
    """2.71% of discounts (8,450 of 311,250) is within 3% but not 2.5%."""
    totals = price_quote(
        _truck(),
        AUSTRALIA,
        total_discount=D("3000.00"),
        trade_in=TradeIn("2016 Volvo FH 540", D("80000.00"), D("85000.00")),
    )
    assert not needs_approval(totals, D("3.00"))
    assert needs_approval(totals, D("2.50"))


def test_payout_on_the_trade_in_is_added_back() -> None:
    """$20,000 still owed on the trade-in raises the amount payable by $20,000."""
    totals = price_quote(
        _truck(),
        AUSTRALIA,
        trade_in=TradeIn("Old truck", D("50000.00"), D("50000.00"), D("20000.00")),
    )
    assert totals.payable == totals.total_with_gst - D("50000.00") + D("20000.00")


def test_problems_name_the_line() -> None:
    """A quote without a truck and a line discount above its price are both named."""
    lines = [QuoteLine(LineKind.OPTION, "X", "X", D(1), D("10.00"), D("11.00"))]
    with pytest.raises(ValueError) as refused:
        price_quote(lines, AUSTRALIA)
    assert "a quote needs a truck" in str(refused.value)
    assert "line 1 discount: is more than the line" in str(refused.value)


amounts = st.decimals(min_value=0, max_value=500000, places=2)


@given(
    prices=st.lists(amounts, min_size=1, max_size=12),
    discount_share=st.integers(min_value=0, max_value=100),
)
def test_every_total_is_the_sum_of_its_parts(prices, discount_share) -> None:  # type: ignore[no-untyped-def]
    """Nets add up to the net total; list less discounts is the net total."""
    lines = [QuoteLine(LineKind.BASE, "B", "Base", D(1), prices[0])] + [
        QuoteLine(LineKind.OPTION, f"O{i}", "Option", D(1), p)
        for i, p in enumerate(prices[1:])
    ]
    gross = sum(prices, D("0.00"))
    total_discount = (gross * discount_share / 100).quantize(D("0.01"))
    totals = price_quote(lines, AUSTRALIA, total_discount=total_discount)
    assert sum(p.net for p in totals.lines) == totals.net_total
    assert totals.list_total - totals.line_discounts - totals.total_discount == (
        totals.net_total
    )
    assert totals.total_with_gst == totals.net_total + totals.gst
