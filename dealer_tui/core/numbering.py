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


def _locked_counter(
    session: Session, series: str, year: int, prefix: str
) -> NumberSeries:
    """The year's counter of the series, locked until the transaction ends."""
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
    return row


def next_number(session: Session, series: str, year: int, prefix: str) -> str:
    """Take the next number of the series for the year, inside the transaction."""
    row = _locked_counter(session, series, year, prefix)
    value = row.next_value
    row.next_value = value + 1
    session.flush()
    return format_number(row.prefix, year, value)


class NumberBlock:
    """Numbers of a series taken one after another in one transaction.

    For a batch that posts many documents at once: the counter is locked
    once, the numbers are handed out in turn, and the counter is written
    back once at the end.  If the transaction rolls back, so does the
    counter, and no number is lost.
    """

    def __init__(self, session: Session, series: str, year: int, prefix: str) -> None:
        self._session = session
        self._row = _locked_counter(session, series, year, prefix)
        self._year = year
        self._next = self._row.next_value

    def take(self) -> str:
        """The next number of the series."""
        number = format_number(self._row.prefix, self._year, self._next)
        self._next += 1
        return number

    def close(self) -> None:
        """Write the counter back; call it before the transaction commits."""
        self._row.next_value = self._next
        self._session.flush()
