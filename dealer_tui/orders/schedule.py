"""Delivery weeks: reading '2026-W50' and naming the week of a day.

Weeks are ISO weeks, Monday to Sunday, as the weekly delivery schedule
and the order list's week filter use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]


def week_of(day: date) -> Week:
    """The ISO week a day falls in: 7 December 2026 is in 2026-W50."""
    year, number, _ = day.isocalendar()
    return Week(year, number)


def parse_week(text: str) -> Week:
    """'2026-W50', '2026W50' or a day in the week ('2026-12-09').

    Raises ValueError with a sentence naming what is wrong.
    """
    raw = text.strip().upper()
    found = _WEEK.match(raw)
    if found:
        year, number = int(found.group(1)), int(found.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"'{text.strip()}': {year} has no week {number}") from None
        return Week(year, number)
    try:
        return week_of(date.fromisoformat(raw))
    except ValueError:
        raise ValueError(
            f"'{text.strip()}' is not a week (use 2026-W50 or a day, 2026-12-09)"
        ) from None
