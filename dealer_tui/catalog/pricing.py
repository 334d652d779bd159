"""Pricing a quote: lines, discounts, trade-in, GST and the amount payable.

A quote line is the base truck, an option, an accessory or a contract.
Each line may carry a discount; the quote may carry a discount on its
total, spread over the lines in proportion so the shares add up exactly.
GST is worked out by the invoicing rules of the dealer's jurisdiction, so
a quote and the invoice that follows it agree to the cent.  A trade-in is
taken off the amount payable; an allowance above the appraised value is
an over-allowance, a hidden discount, and counts towards the discount that
needs approval.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dealer_tui.core.errors import Problem
from dealer_tui.invoicing.tax import Jurisdiction, TaxCategory
from dealer_tui.invoicing.totals import Line, apportion, compute_totals

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class LineKind(enum.StrEnum):
    BASE = "base"
    OPTION = "option"
    ACCESSORY = "accessory"
    CONTRACT = "contract"

    @property
    def title(self) -> str:
        return {
            LineKind.BASE: "Truck",
            LineKind.OPTION: "Option",
            LineKind.ACCESSORY: "Accessory",
            LineKind.CONTRACT: "Contract",
        }[self]


@dataclass(frozen=True)
class QuoteLine:
    kind: LineKind
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = ZERO


@dataclass(frozen=True)
class TradeIn:
    description: str
    appraised_value: Decimal
    allowance: Decimal
    payout: Decimal = ZERO

    @property
    def over_allowance(self) -> Decimal:
        """How much more the customer is allowed than the truck is worth."""
        return max(self.allowance - self.appraised_value, ZERO)

    @property
    def net_allowance(self) -> Decimal:
        """The allowance less what is still owed on the truck to a financier."""
        return self.allowance - self.payout


@dataclass(frozen=True)
class PricedLine:
    line: QuoteLine
    gross_amount: Decimal
    discount: Decimal
    total_discount_share: Decimal
    net: Decimal


@dataclass(frozen=True)
class QuoteTotals:
    """The quote's figures, each the sum of the ones it is made of."""

    lines: tuple[PricedLine, ...]
    list_total: Decimal
    line_discounts: Decimal
    total_discount: Decimal
    net_total: Decimal
    gst: Decimal
    total_with_gst: Decimal
    trade_in_allowance: Decimal
    trade_in_payout: Decimal
    over_allowance: Decimal
    payable: Decimal

    @property
    def all_discounts(self) -> Decimal:
        """Line and total discounts plus any trade-in over-allowance."""
        return self.line_discounts + self.total_discount + self.over_allowance

    @property
    def discount_percent(self) -> Decimal:
        if self.list_total == 0:
            return ZERO
        share = self.all_discounts * 100 / self.list_total
        return share.quantize(CENT, ROUND_HALF_UP)


def check_lines(
    lines: Sequence[QuoteLine], total_discount: Decimal, trade_in: TradeIn | None
) -> list[Problem]:
    """Every problem with the quote's figures, naming the line or field."""
    problems = []
    if not any(line.kind is LineKind.BASE for line in lines):
        problems.append(Problem("lines", "a quote needs a truck (base line)"))
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if line.quantity <= 0:
            problems.append(Problem(f"{where} quantity", "must be more than zero"))
        if line.unit_price < 0:
            problems.append(Problem(f"{where} price", "cannot be negative"))
        if line.discount < 0:
            problems.append(Problem(f"{where} discount", "cannot be negative"))
        elif line.discount > (line.quantity * line.unit_price).quantize(CENT):
            problems.append(Problem(f"{where} discount", "is more than the line"))
    gross = sum(
        (
            (ln.quantity * ln.unit_price).quantize(CENT, ROUND_HALF_UP) - ln.discount
            for ln in lines
        ),
        ZERO,
    )
    if total_discount < 0:
        problems.append(Problem("total_discount", "cannot be negative"))
    elif total_discount > gross:
        problems.append(Problem("total_discount", "is more than the quote"))
    if trade_in is not None:
        if trade_in.appraised_value < 0:
            problems.append(Problem("appraised_value", "cannot be negative"))
        if trade_in.allowance < 0:
            problems.append(Problem("allowance", "cannot be negative"))
        if trade_in.payout < 0:
            problems.append(Problem("payout", "cannot be negative"))
    return problems


def price_quote(
    lines: Sequence[QuoteLine],
    jurisdiction: Jurisdiction,
    *,
    total_discount: Decimal = ZERO,
    trade_in: TradeIn | None = None,
) -> QuoteTotals:
    """Price the quote; raise ValueError naming every problem if it cannot be."""
    problems = check_lines(lines, total_discount, trade_in)
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    gross = [
        (line.quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)
        for line in lines
    ]
    after_line = [g - line.discount for g, line in zip(gross, lines, strict=True)]
    shares = (
        apportion(total_discount, after_line)
        if total_discount and any(after_line)
        else tuple(ZERO for _ in lines)
    )
    nets = [a - s for a, s in zip(after_line, shares, strict=True)]
    rate = jurisdiction.rate_for(TaxCategory.STANDARD)
    tax_lines = [
        Line(quantity=Decimal(1), unit_price=net, rate=rate) for net in nets if net > 0
    ]
    totals = compute_totals(tax_lines, (), (), jurisdiction) if tax_lines else None
    net_total = sum(nets, ZERO)
    gst = totals.tax_total if totals else ZERO
    allowance = trade_in.allowance if trade_in else ZERO
    payout = trade_in.payout if trade_in else ZERO
    total_with_gst = net_total + gst
    return QuoteTotals(
        lines=tuple(
            PricedLine(line, g, line.discount, s, n)
            for line, g, s, n in zip(lines, gross, shares, nets, strict=True)
        ),
        list_total=sum(gross, ZERO),
        line_discounts=sum((line.discount for line in lines), ZERO),
        total_discount=total_discount,
        net_total=net_total,
        gst=gst,
        total_with_gst=total_with_gst,
        trade_in_allowance=allowance,
        trade_in_payout=payout,
        over_allowance=trade_in.over_allowance if trade_in else ZERO,
        payable=total_with_gst - allowance + payout,
    )


def needs_approval(totals: QuoteTotals, authority_percent: Decimal) -> bool:
    """Whether the discounts go beyond what the representative may give."""
    return totals.discount_percent > authority_percent
