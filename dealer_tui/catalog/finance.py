"""Finance offers on a quote: a loan or a lease with a balloon (residual).

The payment is the level amount that, paid every month for the term,
repays the amount financed at the stated annual rate and leaves exactly
the balloon owing at the end.  Lease payments are made in advance (at the
start of each month), loan payments in arrears.  The rate is nominal per
year, compounded monthly.  The payment is rounded to the cent once, half
up; the last payment absorbs the difference so the schedule repays to the
cent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from dealer_tui.core.errors import Problem

CENT = Decimal("0.01")
MONTHS_PER_YEAR = 12
MAX_TERM_MONTHS = 120
MAX_RATE = Decimal("40")


class FinanceKind(enum.StrEnum):
    LOAN = "loan"
    LEASE = "lease"

    @property
    def title(self) -> str:
        return (
            "Loan (payments in arrears)"
            if self is FinanceKind.LOAN
            else ("Lease (payments in advance)")
        )


@dataclass(frozen=True)
class FinanceTerms:
    """What the customer asks to finance and on what terms."""

    kind: FinanceKind
    amount_financed: Decimal
    annual_rate_percent: Decimal
    term_months: int
    balloon: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class FinanceOffer:
    terms: FinanceTerms
    payment: Decimal
    last_payment: Decimal
    total_payments: Decimal
    total_interest: Decimal


def check_terms(terms: FinanceTerms) -> list[Problem]:
    """Every problem with the terms, each naming its field."""
    problems = []
    if terms.amount_financed <= 0:
        problems.append(Problem("amount_financed", "must be more than zero"))
    if not 1 <= terms.term_months <= MAX_TERM_MONTHS:
        problems.append(
            Problem("term_months", f"must be 1 to {MAX_TERM_MONTHS} months")
        )
    if not 0 <= terms.annual_rate_percent <= MAX_RATE:
        problems.append(Problem("rate", f"must be between 0 and {MAX_RATE}%"))
    if terms.balloon < 0:
        problems.append(Problem("balloon", "cannot be negative"))
    elif terms.balloon >= terms.amount_financed > 0:
        problems.append(Problem("balloon", "must be less than the amount financed"))
    for name, value in (
        ("amount_financed", terms.amount_financed),
        ("balloon", terms.balloon),
    ):
        if value != value.quantize(CENT):
            problems.append(Problem(name, "must be in whole cents"))
    return problems


def _exact_payment(terms: FinanceTerms) -> Decimal:
    n = terms.term_months
    principal = terms.amount_financed
    balloon = terms.balloon
    if terms.annual_rate_percent == 0:
        return (principal - balloon) / n
    r = terms.annual_rate_percent / Decimal(100) / MONTHS_PER_YEAR
    growth = (1 + r) ** n
    payment = (principal * growth - balloon) * r / (growth - 1)
    if terms.kind is FinanceKind.LEASE:
        payment /= 1 + r
    return payment


def _balance_after(terms: FinanceTerms, payment: Decimal, payments: int) -> Decimal:
    r = terms.annual_rate_percent / Decimal(100) / MONTHS_PER_YEAR
    balance = terms.amount_financed
    for _ in range(payments):
        if terms.kind is FinanceKind.LEASE:
            balance = (balance - payment) * (1 + r)
        else:
            balance = balance * (1 + r) - payment
    return balance


def finance_offer(terms: FinanceTerms) -> FinanceOffer:
    """The monthly payment for the terms, with the schedule's totals."""
    problems = check_terms(terms)
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    with localcontext() as ctx:
        ctx.prec = 50
        payment = _exact_payment(terms).quantize(CENT, ROUND_HALF_UP)
        # Whatever the rounded payments leave over or under the balloon is
        # settled in the last payment, so the schedule is exact to the cent.
        left = _balance_after(terms, payment, terms.term_months - 1)
        r = terms.annual_rate_percent / Decimal(100) / MONTHS_PER_YEAR
        if terms.kind is FinanceKind.LEASE:
            last = left - terms.balloon / (1 + r)
        else:
            last = left * (1 + r) - terms.balloon
        last = last.quantize(CENT, ROUND_HALF_UP)
    total = payment * (terms.term_months - 1) + last + terms.balloon
    return FinanceOffer(
        terms=terms,
        payment=payment,
        last_payment=last,
        total_payments=total,
        total_interest=total - terms.amount_financed,
    )
