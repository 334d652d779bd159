"""The ageing of receivables: what each customer owes, by days past due.

An open invoice falls in a bucket by how many days its due date (the
invoice date plus the customer's payment terms) lies behind the day of the
ageing: not yet due, 1-30, 31-60, 61-90 or more than 90 days.  Credit
notes not yet used count against the customer in a column of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

NO_MONEY = Decimal("0.00")
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
BUCKET_TITLES = ("Current", "1-30", "31-60", "61-90", "90+")


@dataclass(frozen=True)
class OpenItem:
    """What is open on one posted document; a credit note's amount is negative."""

    account_id: int
    customer_number: str
    customer_name: str
    due_date: date
    amount: Decimal


@dataclass
class AgeingLine:
    """One customer's open amounts by bucket; `total` is their open balance."""

    account_id: int
    customer_number: str
    customer_name: str
    current: Decimal = NO_MONEY
    days_1_30: Decimal = NO_MONEY
    days_31_60: Decimal = NO_MONEY
    days_61_90: Decimal = NO_MONEY
    days_over_90: Decimal = NO_MONEY
    credits: Decimal = NO_MONEY
    documents: int = field(default=0)

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, name) for name in BUCKETS), self.credits)

    @property
    def past_due(self) -> Decimal:
        return self.total - self.current - self.credits

    def buckets(self) -> tuple[Decimal, ...]:
        return tuple(getattr(self, name) for name in BUCKETS)


def bucket_of(due_date: date, as_of: date) -> str:
    """The bucket of an invoice due on `due_date`, seen on `as_of`."""
    late = (as_of - due_date).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "days_1_30"
    if late <= 60:
        return "days_31_60"
    if late <= 90:
        return "days_61_90"
    return "days_over_90"


def age(items: Iterable[OpenItem], as_of: date) -> tuple[list[AgeingLine], AgeingLine]:
    """A line per customer, most owed first, and the line of all of them.

    Each customer's total is exactly the sum of their open items, and the
    grand total exactly the sum of the customers' totals.
    """
    lines: dict[int, AgeingLine] = {}
    grand = AgeingLine(0, "", "All customers")
    for item in items:
        line = lines.setdefault(
            item.account_id,
            AgeingLine(item.account_id, item.customer_number, item.customer_name),
        )
        name = "credits" if item.amount < 0 else bucket_of(item.due_date, as_of)
        for target in (line, grand):
            setattr(target, name, getattr(target, name) + item.amount)
            target.documents += 1
    ordered = sorted(
        lines.values(), key=lambda line: (-line.total, line.customer_number)
    )
    return ordered, grand
