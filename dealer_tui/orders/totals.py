"""An order's figures, worked out as its invoice will work them out.

A vehicle order is priced exactly as its quote was (catalog.pricing):
line discounts, a discount on the total shared over the lines, GST by the
invoicing rules, and the trade-in taken off what the customer pays.  A
parts sale is priced by the invoicing totals themselves.  Either way the
lines handed to invoicing carry each line's whole discount, so the
invoice's nets, GST and total agree with the order to the cent.

The trade-in is not on the invoice: the dealer buys the customer's truck,
and its allowance settles part of the invoice like a payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dealer_tui.catalog.pricing import LineKind, QuoteLine, TradeIn, price_quote
from dealer_tui.core.errors import Problem
from dealer_tui.invoicing.tax import Jurisdiction, TaxCategory
from dealer_tui.invoicing.totals import InvalidDocument, Line, compute_totals

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The kinds of line an order holds: those of a quote, and a part sold.
PART = "part"
LINE_KINDS = {k.value for k in LineKind} | {PART}


@dataclass(frozen=True)
class OrderLineIn:
    """One line as it is stored: what it is, how many, at what, less what."""

    kind: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = ZERO
    category: str = TaxCategory.STANDARD.value


@dataclass(frozen=True)
class OrderTotals:
    """The order's figures; every total is the sum of its parts."""

    line_nets: tuple[Decimal, ...]
    shares: tuple[Decimal, ...]
    list_total: Decimal
    line_discounts: Decimal
    total_discount: Decimal
    net_total: Decimal
    gst: Decimal
    total: Decimal
    trade_in_allowance: Decimal
    trade_in_payout: Decimal
    payable: Decimal


@dataclass(frozen=True)
class InvoiceLineOut:
    """A line as invoicing receives it: the whole discount in whole cents."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    category: str
    code: str


def _extension(line: OrderLineIn) -> Decimal:
    return (line.quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)


def price_vehicle_order(
    lines: Sequence[OrderLineIn],
    jurisdiction: Jurisdiction,
    *,
    total_discount: Decimal = ZERO,
    trade_in: TradeIn | None = None,
) -> OrderTotals:
    """Price a vehicle order as a quote; ValueError names every problem."""
    quote_lines = [
        QuoteLine(
            LineKind(line.kind),
            line.code,
            line.description,
            line.quantity,
            line.unit_price,
            line.discount,
        )
        for line in lines
    ]
    priced = price_quote(
        quote_lines, jurisdiction, total_discount=total_discount, trade_in=trade_in
    )
    return OrderTotals(
        line_nets=tuple(p.net for p in priced.lines),
        shares=tuple(p.total_discount_share for p in priced.lines),
        list_total=priced.list_total,
        line_discounts=priced.line_discounts,
        total_discount=priced.total_discount,
        net_total=priced.net_total,
        gst=priced.gst,
        total=priced.total_with_gst,
        trade_in_allowance=priced.trade_in_allowance,
        trade_in_payout=priced.trade_in_payout,
        payable=priced.payable,
    )


def price_parts_sale(
    lines: Sequence[OrderLineIn], jurisdiction: Jurisdiction
) -> OrderTotals:
    """Price a counter sale by the invoicing totals; ValueError names problems."""
    if not lines:
        return OrderTotals((), (), ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)
    try:
        totals = compute_totals(
            [
                Line(
                    line.quantity,
                    line.unit_price,
                    line.discount,
                    TaxCategory(line.category),
                )
                for line in lines
            ],
            (),
            (),
            jurisdiction,
        )
    except InvalidDocument as invalid:
        raise ValueError(str(invalid)) from None
    return OrderTotals(
        line_nets=totals.line_nets,
        shares=tuple(ZERO for _ in lines),
        list_total=sum((_extension(line) for line in lines), ZERO),
        line_discounts=sum((line.discount for line in lines), ZERO),
        total_discount=ZERO,
        net_total=totals.tax_exclusive_total,
        gst=totals.tax_total,
        total=totals.payable_amount,
        trade_in_allowance=ZERO,
        trade_in_payout=ZERO,
        payable=totals.payable_amount,
    )


def line_problems(lines: Sequence[OrderLineIn], vehicle: bool) -> list[Problem]:
    """Every problem with the lines, each naming its line."""
    problems = []
    if vehicle and not any(line.kind == LineKind.BASE.value for line in lines):
        problems.append(Problem("lines", "a vehicle order needs a truck (base line)"))
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if line.kind not in LINE_KINDS:
            problems.append(Problem(f"{where} kind", f"'{line.kind}' is not a kind"))
        if not line.description.strip():
            problems.append(Problem(f"{where} description", "is required"))
        if line.quantity <= 0:
            problems.append(Problem(f"{where} quantity", "must be more than zero"))
        if line.unit_price < 0:
            problems.append(Problem(f"{where} price", "cannot be negative"))
        if line.discount < 0:
            problems.append(Problem(f"{where} discount", "cannot be negative"))
        elif line.discount > _extension(line):
            problems.append(Problem(f"{where} discount", "is more than the line"))
    return problems


def invoice_lines(
    lines: Sequence[OrderLineIn], totals: OrderTotals
) -> list[InvoiceLineOut]:
    """The lines to invoice: each with its own discount and its total share."""
    return [
        InvoiceLineOut(
            line.description,
            line.quantity,
            line.unit_price,
            line.discount + share,
            line.category,
            line.code,
        )
        for line, share in zip(lines, totals.shares, strict=True)
    ]
