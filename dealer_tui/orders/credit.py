"""The credit check made when an order is confirmed.

The customer's exposure is what it owes on posted invoices, plus what its
other confirmed orders not yet invoiced will add, plus this order.  The
order goes on hold, with every reason written out, when the exposure is
over the credit limit, when the account itself is on credit hold, or when
invoices are unpaid past their terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dealer_tui.core.money import show_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CreditPosition:
    """What the check reads about the customer, all amounts with GST."""

    credit_limit: Decimal
    account_on_hold: bool
    open_balance: Decimal
    other_orders: Decimal
    this_order: Decimal
    overdue: Decimal = ZERO
    oldest_due: date | None = None

    @property
    def exposure(self) -> Decimal:
        return self.open_balance + self.other_orders + self.this_order

    @property
    def headroom(self) -> Decimal:
        """What is left of the limit after this order; negative when over."""
        return self.credit_limit - self.exposure


@dataclass(frozen=True)
class CreditDecision:
    hold: bool
    reason: str = ""


def check_credit(position: CreditPosition) -> CreditDecision:
    """Hold the order for every reason that applies, or let it through.

    With a limit of 20,000.00, an open balance of 2,500.00 and this order
    at 18,000.00 the exposure is 20,500.00: over by 500.00, so on hold.
    """
    reasons = []
    if position.account_on_hold:
        reasons.append("the customer's account is on credit hold")
    if position.exposure > position.credit_limit:
        over = position.exposure - position.credit_limit
        reasons.append(
            f"exposure {show_money(position.exposure)} is over the credit limit "
            f"{show_money(position.credit_limit)} by {show_money(over)}"
        )
    if position.overdue > 0:
        since = (
            f" (due since {position.oldest_due:%d/%m/%Y})"
            if position.oldest_due
            else ""
        )
        reasons.append(
            f"{show_money(position.overdue)} is unpaid past its terms{since}"
        )
    return CreditDecision(bool(reasons), "; ".join(reasons))
