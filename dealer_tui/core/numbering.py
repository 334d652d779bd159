"""Gap-free document numbers, sequential per series and year.

The counter row is locked for the rest of the posting transaction, so two
workstations posting at once take turns, and a transaction that rolls back
gives its number back.  On SQLite the write transaction already holds the
database write lock.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dealer_tui.core.models import NumberSeries


def format_number(prefix: str, year: int, value: int) -> str:
    return f"{prefix}{year}-{value:06d}"


def next_number(session: Session, series: str, year: int, prefix: str) -> str:
    """Take the next number of the series for the year, inside the transaction."""
    stmt = (
        select(NumberSeries)
        .where(NumberSeries.series == series, NumberSeries.year == year)
        .with_for_update()
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    NumberSeries(series=series, year=year, prefix=prefix, next_value=1)
                )
        except IntegrityError:
            # Another transaction created the year's counter first.
            pass
        row = session.scalars(stmt).one()
    value = row.next_value
    row.next_value = value + 1
    session.flush()
    return format_number(row.prefix, year, value)
