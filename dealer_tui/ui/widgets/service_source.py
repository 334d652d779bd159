"""A row source that pages through a service, for the list screens.

The service does the query with keyset paging; this adapter only turns
its answer into table rows.  The row key is the service's sort key, and
the record id travels with it so that choosing a row can open the record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dealer_tui.core.paging import From, PageRequest
from dealer_tui.ui.widgets.virtual_table import Cell, Column, Page, Row

Fetch = Callable[[str, PageRequest], tuple[list[Any], list[tuple[Any, ...]], bool]]


@dataclass(frozen=True)
class RecordKey:
    """Sorts by the service's key; carries the id of the record to open."""

    sort: tuple[Any, ...]
    record_id: int

    def __lt__(self, other: RecordKey) -> bool:
        return self.sort < other.sort


class ServiceSource:
    """Pages of a list service as rows of a VirtualTable."""

    def __init__(
        self,
        columns: Sequence[Column],
        fetch: Fetch,
        cells: Callable[[Any], tuple[Cell, ...]],
        text: str = "",
    ) -> None:
        self._columns = list(columns)
        self._fetch = fetch
        self._cells = cells
        self._text = text

    @property
    def columns(self) -> Sequence[Column]:
        return self._columns

    def _page(self, start: From, key: RecordKey | None, limit: int) -> Page:
        request = PageRequest(start, key.sort if key else None, limit)
        lines, keys, has_more = self._fetch(self._text, request)
        rows = tuple(
            Row(RecordKey(k, line.id), self._cells(line))
            for line, k in zip(lines, keys, strict=True)
        )
        return Page(rows, has_more)

    def first(self, limit: int) -> Page:
        return self._page(From.START, None, limit)

    def last(self, limit: int) -> Page:
        return self._page(From.END, None, limit)

    def after(self, key: Any, limit: int) -> Page:
        return self._page(From.AFTER, key, limit)

    def before(self, key: Any, limit: int) -> Page:
        return self._page(From.BEFORE, key, limit)

    def with_filter(self, text: str) -> ServiceSource:
        return ServiceSource(self._columns, self._fetch, self._cells, text)

    def estimated_count(self) -> int | None:
        return None
