"""Keyset paging: a page of a sorted list, found on an index, never counted.

A page is asked for from the start, from the end, after a key or before
a key.  The key is the tuple of the sort columns of a row, which must end
with something unique (the id) so that no two rows share a key.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


class From(enum.Enum):
    START = "start"
    END = "end"
    AFTER = "after"
    BEFORE = "before"


@dataclass(frozen=True)
class PageRequest:
    """Which page: where from, the key to page from, and how many rows."""

    start: From = From.START
    key: tuple[Any, ...] | None = None
    limit: int = 50


@dataclass(frozen=True)
class PageResult:
    rows: list[Row[Any]]
    keys: list[tuple[Any, ...]]
    has_more: bool


def fetch_page(
    session: Session,
    stmt: Select[Any],
    order: Sequence[ColumnElement[Any]],
    request: PageRequest,
) -> PageResult:
    """Rows of the page in display order, with their keys and whether more exist."""
    limit = max(1, min(request.limit, 1000))
    backwards = request.start in (From.END, From.BEFORE)
    if request.start in (From.AFTER, From.BEFORE):
        if request.key is None:
            raise ValueError("paging after or before needs a key")
        bound = tuple_(*order)
        key = tuple_(*request.key)
        stmt = stmt.where(bound < key if backwards else bound > key)
    ordering = [c.desc() for c in order] if backwards else list(order)
    rows = list(session.execute(stmt.order_by(*ordering).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    width = len(order)
    keys = [tuple(row[-width:]) for row in rows]
    return PageResult(rows=rows, keys=keys, has_more=has_more)
