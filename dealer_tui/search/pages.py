"""Pages of a list filtered by several tests, each answered on its own index.

A filter that joins tests with OR leaves the database one choice: read
the list's whole order and test every row.  Asked one test at a time,
each is answered on the index that suits it, and the pages are merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, false, func, literal_column, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, False_

from dealer_tui.core.paging import From, PageRequest, PageResult, fetch_page


def few_ids(
    session: Session, id_column: Any, condition: ColumnElement[bool], most: int
) -> list[int] | None:
    """The ids of the rows meeting `condition`, or None if there are more than `most`.

    Asked without an order, so the database reads the condition's own
    index and stops one past `most`.
    """
    return ids_at_most(session, select(id_column).where(condition), most)


def ids_at_most(session: Session, stmt: Any, most: int) -> list[int] | None:
    """The ids the statement selects, or None if there are more than `most`."""
    # Plain rows, not ORM ones: there may be a few thousand ids.
    found = session.connection().execute(stmt.limit(most + 1)).scalars().all()
    return list(found) if len(found) <= most else None


def few_rows(
    session: Session,
    id_column: Any,
    sort_column: Any,
    condition: ColumnElement[bool],
    most: int,
) -> ColumnElement[bool] | None:
    """`condition` made quick to page when few rows meet it; None if over `most`.

    SQLite is handed the ids, which it reads one by one and sorts.
    PostgreSQL is handed the condition again with the stretch of the
    list's order the rows lie in: given a list of ids, or no stretch, it
    would read its order from the start looking for a few rows as if they
    were spread evenly, and a long list of ids costs it more than the
    condition's own index.
    """
    if session.get_bind().dialect.name == "sqlite":
        ids = ids_at_most(session, select(id_column).where(condition), most)
        if ids is None:
            return None
        return id_column.in_(ids) if ids else false()
    # Counted and bounded in the database: only one row comes back.
    found = select(sort_column.label("key")).where(condition).limit(most + 1)
    inner = found.subquery()
    count, low, high = (
        session.connection()
        .execute(select(func.count(), func.min(inner.c.key), func.max(inner.c.key)))
        .one()
    )
    if count > most:
        return None
    if not count:
        return false()
    return and_(condition, sort_column >= low, sort_column <= high)


def page_in_order(
    session: Session,
    order: Sequence[Any],
    condition: ColumnElement[bool],
    request: PageRequest,
    most_read: int,
) -> ColumnElement[bool] | None:
    """The page's rows meeting `condition`, found by reading the list's order.

    Only the order's columns and the test are read, so an index holding
    the order and every column the condition names answers it on its own
    (PostgreSQL tests the rows of a plain index scan only after reading
    each from the table).  At most `most_read` rows of the order are read
    from where the page starts: if the page is not full by then, None.
    Otherwise the rows are named by the order's last column, which is
    unique, and the list reads only those.
    """
    limit = max(1, min(request.limit, 1000))
    backwards = request.start in (From.END, From.BEFORE)
    read = select(*order, condition.label("hit"))
    if request.start in (From.AFTER, From.BEFORE):
        if request.key is None:
            raise ValueError("paging after or before needs a key")
        bound, key = tuple_(*order), tuple_(*request.key)
        read = read.where(bound < key if backwards else bound > key)
    ordering = [c.desc() for c in order] if backwards else list(order)
    stretch = read.order_by(*ordering).limit(most_read).subquery()
    columns = [stretch.c[c.name] for c in order]
    # The stretch is already in order: sorting it again costs nothing.
    found = (
        select(columns[-1])
        .where(stretch.c.hit)
        .order_by(*[c.desc() for c in columns] if backwards else columns)
        .limit(limit + 1)
    )
    values = session.connection().execute(found).scalars().all()
    if len(values) <= limit:
        return None
    return order[-1].in_(values)


def merged_page(
    session: Session,
    stmt: Any,
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any]],
    request: PageRequest,
) -> PageResult:
    """A page of the rows meeting any of the conditions.

    Each condition's page is read on its own, on its own index and in the
    list's order, and the pages are merged: the union's page is among the
    rows of theirs.  The keys sort in Python as the database sorts them
    (plain text and numbers).  A condition that is false is not asked.
    """
    conditions = [c for c in conditions if not isinstance(c, False_)]
    if not conditions:
        return PageResult(rows=[], keys=[], has_more=False)
    if len(conditions) == 1:
        return fetch_page(session, stmt.where(conditions[0]), order, request)
    pages = [
        fetch_page(session, stmt.where(condition), order, request)
        for condition in conditions
    ]
    limit = max(1, min(request.limit, 1000))
    backwards = request.start in (From.END, From.BEFORE)
    rows: dict[tuple[Any, ...], Any] = {}
    for page in pages:
        for row, key in zip(page.rows, page.keys, strict=True):
            rows.setdefault(key, row)
    keys = sorted(rows, reverse=backwards)
    has_more = len(keys) > limit or any(page.has_more for page in pages)
    keys = keys[:limit]
    if backwards:
        keys.reverse()
    return PageResult(rows=[rows[key] for key in keys], keys=keys, has_more=has_more)


def pattern_order(session: Session, column: Any) -> Any:
    """Order by a column whose "starts with" index is a pattern index.

    On PostgreSQL such an index compares plain characters, so it serves an
    ORDER BY only when that is asked with its own operator; the database's
    collation would sort every match first.  SQLite's indexes compare plain
    characters anyway.
    """
    if session.get_bind().dialect.name == "sqlite":
        return column
    return literal_column(f"{column.table.name}.{column.name} USING ~<~")
