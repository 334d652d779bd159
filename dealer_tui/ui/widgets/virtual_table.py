"""A table for very large lists that draws only the rows in view.

The table never asks how many rows a list has. It reads rows a page at a
time from a `RowSource` by key (keyset paging): the first page, the last
page, the page after a key and the page before a key. It keeps a window of
loaded rows around the cursor, asks for more when the cursor nears an edge
of that window and lets go of rows far behind it, so a list of a million
customers, trucks or parts costs no more than a list of a hundred.

Source calls run in thread workers, because a source may query a database.
Their answers come back as messages and are applied on the UI thread; every
answer is checked against the request it belongs to, so a page asked for
under an old filter can never overwrite the rows of a newer one.

The value types (`Column`, `Row`, `Page`), the `RowSource` protocol, the
in-memory `ListSource` and the `RowWindow` bookkeeping use no Textual at all;
only `VirtualTable` itself does.
"""

from __future__ import annotations

import copy
import logging
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar, Literal, Protocol, TypeAlias

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import get_current_worker

logger = logging.getLogger(__name__)

Cell: TypeAlias = str | Text
"""What a cell shows: plain text, or Rich text when a cell carries a mark."""

Align: TypeAlias = Literal["left", "center", "right"]

FetchKind: TypeAlias = Literal["first", "last", "after", "before"]

CURSOR_MARKER = "> "
"""Drawn in front of the highlighted row, so the cursor never relies on colour."""

PLAIN_MARKER = "  "

COLUMN_GAP = 1
"""Blank cells between two columns."""

SCROLLBAR_WIDTH = 1

KEPT_ROW_LINES = 512
"""Drawn rows kept for redrawing, a few screens' worth at any terminal size."""

REPLACING_AT_ONCE = 2
"""First or last pages asked for at once; newer keys wait for one of them.

A key typed while an earlier filter is still being looked up starts its
own lookup at once, so a single key never waits. A burst of keys against
a slow source keeps at most this many lookups running: the newest filter
waits for one to finish, and the ones typed before it are never asked.
"""


# --------------------------------------------------------------------------
# Value types and the source protocol
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the table.

    `width` is the least number of cells the column gets. When the table has
    more room than the columns need, the spare cells go to the columns with a
    `flex` weight above zero, in proportion to their weights. Numbers and
    amounts read best with `align="right"`.
    """

    title: str
    width: int
    flex: int = 0
    align: Align = "left"

    def __post_init__(self) -> None:
        if self.width < 1:
            raise ValueError(f"Column {self.title!r} needs a width of at least 1")
        if self.flex < 0:
            raise ValueError(f"Column {self.title!r} cannot have a negative flex")


@dataclass(frozen=True, slots=True)
class Row:
    """One row: an opaque sort key and the text of each cell.

    The key orders the rows and identifies a row to the screen that shows
    the table (a customer number, a VIN, a tuple of name and id). Keys of
    one source are unique.
    """

    key: Any
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """Rows fetched in one call, always in display order.

    `has_more` tells whether further rows exist beyond this page in the
    direction it was fetched: after its last row for `first` and `after`,
    before its first row for `last` and `before`.
    """

    rows: tuple[Row, ...]
    has_more: bool


class RowSource(Protocol):
    """Where a `VirtualTable` reads its rows from, a page at a time.

    Every method may be called from a worker thread, and calls for an old
    filter may still be running while newer ones start, so a source must be
    safe to use from several threads at once (a database source opens its
    own connection or session per call). A source never needs to count its
    rows; a page is asked for with a limit and answers whether more exist.
    """

    @property
    def columns(self) -> Sequence[Column]:
        """The columns every row of this source fills, in order."""
        ...

    def first(self, limit: int) -> Page:
        """Return up to `limit` rows from the start of the list."""
        ...

    def last(self, limit: int) -> Page:
        """Return up to `limit` rows from the end of the list, in display order."""
        ...

    def after(self, key: Any, limit: int) -> Page:
        """Return up to `limit` rows that come strictly after `key`."""
        ...

    def before(self, key: Any, limit: int) -> Page:
        """Return up to `limit` rows that come strictly before `key`."""
        ...

    def with_filter(self, text: str) -> RowSource:
        """Return a source over the same rows narrowed to those matching `text`.

        The returned source filters the unfiltered rows: filters do not
        stack. An empty or blank text gives all rows. This call must be
        cheap; the filtering itself belongs in the paging methods.
        """
        ...

    def estimated_count(self) -> int | None:
        """Return a cheap estimate of the number of rows, or None if unknown.

        Only the scrollbar uses it; it may be rough but must never need a
        count of every row.
        """
        ...


def plain_search_text(row: Row) -> str:
    """Return the text a filter is matched against: every cell, case folded."""
    # A unit separator keeps a search term from matching across two cells.
    try:
        joined = "\x1f".join(row.cells)  # type: ignore[arg-type]
    except TypeError:
        # Only rows with a marked cell take the slower way round; the plain
        # join above is what keeps a million rows quick.
        joined = "\x1f".join(
            cell.plain if isinstance(cell, Text) else str(cell) for cell in row.cells
        )
    return joined.casefold()


def filter_terms(text: str) -> tuple[str, ...]:
    """Split a filter text into case-folded terms that must all match."""
    return tuple(text.casefold().split())


def _row_key(row: Row) -> Any:
    return row.key


def _narrows(terms: tuple[str, ...], known: tuple[str, ...]) -> bool:
    """Whether rows matching `terms` all match `known` too.

    True when every known term lies inside one of the new terms, as when the
    user types on: "cust" then "custom", or "volvo" then "volvo fh".
    """
    return all(any(old in new for new in terms) for old in known)


class _ListRows:
    """The rows of a `ListSource`, shared by the source and its filtered copies."""

    # A few recent filters are remembered, so that each key typed into a
    # filter scans only the matches of the text before it.
    KEPT_FILTERS = 4

    def __init__(self, rows: list[Row], search_text: Callable[[Row], str]) -> None:
        self.rows = rows
        self._search_text = search_text
        self._haystacks: list[str] | None = None
        self._matches: OrderedDict[tuple[str, ...], array[int]] = OrderedDict()
        self._lock = threading.Lock()

    def haystacks(self) -> list[str]:
        """Return the search text of every row, building it on first use."""
        # Built lazily, and under a lock, because the first filter may be
        # typed while two workers are already paging.
        with self._lock:
            if self._haystacks is None:
                self._haystacks = [self._search_text(row) for row in self.rows]
            return self._haystacks

    def known_matches(self, terms: tuple[str, ...]) -> array[int] | None:
        """Return the matches of `terms` if they were found before."""
        with self._lock:
            return self._matches.get(terms)

    def matches(self, terms: tuple[str, ...]) -> array[int]:
        """Return the indexes of the rows matching every term, in row order."""
        with self._lock:
            found = self._matches.get(terms)
            if found is not None:
                self._matches.move_to_end(terms)
                return found
            wider = [
                known
                for known_terms, known in self._matches.items()
                if _narrows(terms, known_terms)
            ]
        haystacks = self.haystacks()
        # The longest term is usually the rarest, so it goes first and
        # leaves the fewest rows for the others.
        ordered_terms = sorted(terms, key=len, reverse=True)
        if wider:
            base = min(wider, key=len)
            candidates = [i for i in base if ordered_terms[0] in haystacks[i]]
        else:
            candidates = [
                i for i, text in enumerate(haystacks) if ordered_terms[0] in text
            ]
        for term in ordered_terms[1:]:
            candidates = [i for i in candidates if term in haystacks[i]]
        found = array("q", candidates)
        with self._lock:
            self._matches[terms] = found
            while len(self._matches) > self.KEPT_FILTERS:
                self._matches.popitem(last=False)
        return found


class ListSource:
    """A `RowSource` over rows held in memory, kept sorted by key.

    Paging bisects the sorted rows, so a page costs the same at any depth.
    A filter keeps the rows whose search text contains every term of the
    filter, case-insensitively. The first page of a filter finds all its
    matches in one pass over the rows (under a tenth of a second for a
    million, in the worker thread) or over the matches of a shorter filter
    typed just before; later pages bisect those matches. The very first
    filter also builds the search text of every row, once.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Iterable[Row],
        *,
        search_text: Callable[[Row], str] = plain_search_text,
    ) -> None:
        """Sort `rows` by key and refuse a key that appears twice."""
        ordered = sorted(rows, key=_row_key)
        for earlier, later in pairwise(ordered):
            if earlier.key == later.key:
                raise ValueError(f"Row key {earlier.key!r} appears more than once")
        self._columns = tuple(columns)
        self._data = _ListRows(ordered, search_text)
        self._terms: tuple[str, ...] = ()

    @property
    def columns(self) -> Sequence[Column]:
        """The columns every row fills, in order."""
        return self._columns

    @property
    def filter_text(self) -> str:
        """The filter this source applies, as normalised terms."""
        return " ".join(self._terms)

    def with_filter(self, text: str) -> ListSource:
        """Return a source over the same rows keeping those that match `text`."""
        narrowed = copy.copy(self)
        narrowed._terms = filter_terms(text)
        return narrowed

    def estimated_count(self) -> int | None:
        """Return the number of rows, or None for a filter not yet run."""
        if not self._terms:
            return len(self._data.rows)
        # Never run the filter just to count: only a page request may.
        known = self._data.known_matches(self._terms)
        return None if known is None else len(known)

    def first(self, limit: int) -> Page:
        """Return up to `limit` rows from the start of the list."""
        return self._forward(0, limit)

    def last(self, limit: int) -> Page:
        """Return up to `limit` rows from the end of the list, in display order."""
        return self._backward(len(self._order()), limit)

    def after(self, key: Any, limit: int) -> Page:
        """Return up to `limit` rows that come strictly after `key`."""
        order = self._order()
        return self._forward(bisect_right(order, key, key=self._key_at), limit)

    def before(self, key: Any, limit: int) -> Page:
        """Return up to `limit` rows that come strictly before `key`."""
        order = self._order()
        return self._backward(bisect_left(order, key, key=self._key_at), limit)

    def _order(self) -> Sequence[int]:
        """Return the indexes of the rows this source shows, in order."""
        if not self._terms:
            return range(len(self._data.rows))
        return self._data.matches(self._terms)

    def _key_at(self, index: int) -> Any:
        return self._data.rows[index].key

    def _forward(self, start: int, limit: int) -> Page:
        rows, order = self._data.rows, self._order()
        picked = order[start : start + limit]
        return Page(tuple(rows[i] for i in picked), start + limit < len(order))

    def _backward(self, stop: int, limit: int) -> Page:
        rows, order = self._data.rows, self._order()
        begin = max(0, stop - limit)
        return Page(tuple(rows[i] for i in order[begin:stop]), begin > 0)


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


def fit_columns(columns: Sequence[Column], available: int) -> list[int]:
    """Return the width of each column for a line of `available` cells.

    Every column gets at least its own width. Cells left over after the
    widths and the gaps between columns go to the flexible columns in
    proportion to their flex weights, the remainder of the division going
    one cell at a time to the largest fractions first, so the columns then
    fill the line exactly. Without a flexible column the spare cells stay
    empty; when the line is too narrow the widths stay as they are and the
    line is cut at its right edge.
    """
    widths = [column.width for column in columns]
    spare = available - sum(widths) - COLUMN_GAP * max(0, len(columns) - 1)
    total_flex = sum(column.flex for column in columns)
    if spare <= 0 or total_flex == 0:
        return widths
    shares = [spare * column.flex / total_flex for column in columns]
    for index, share in enumerate(shares):
        widths[index] += int(share)
    left_over = spare - sum(int(share) for share in shares)
    by_fraction = sorted(
        range(len(columns)),
        key=lambda index: (shares[index] - int(shares[index]), columns[index].flex),
        reverse=True,
    )
    for index in by_fraction[:left_over]:
        widths[index] += 1
    return widths


def fit_plain_cell(cell: str, width: int, align: Align) -> str:
    """Return a plain cell as exactly `width` cells, as `fit_cell` would."""
    if "\n" in cell or "\t" in cell:
        cell = cell.replace("\n", " ").replace("\t", " ")
    length = cell_len(cell)
    if length > width:
        cell = set_cell_size(cell, width - 1) + "…"
        length = cell_len(cell)
    excess = width - length
    if excess <= 0:
        return cell
    if align == "left":
        return cell + " " * excess
    if align == "center":
        left = excess // 2
        return " " * left + cell + " " * (excess - left)
    return " " * excess + cell


def fit_cell(cell: Cell, width: int, align: Align) -> Text:
    """Return the cell as text of exactly `width` cells, cut with an ellipsis."""
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    if "\n" in text.plain or "\t" in text.plain:
        # A cell is one line; a stray line break would tear the row apart.
        text = Text(text.plain.replace("\n", " ").replace("\t", " "), style=text.style)
    text.truncate(width, overflow="ellipsis")
    text.align(align, width)
    return text


# --------------------------------------------------------------------------
# The window of loaded rows
# --------------------------------------------------------------------------


class RowWindow:
    """The stretch of loaded rows around the cursor, and the part in view.

    `rows` is a contiguous run of the source's rows; `at_start` and `at_end`
    say whether it reaches the ends of the list. `cursor` and `top` index
    `rows`. A move whose target lies beyond the loaded rows, while more rows
    exist, waits in a queue and is replayed when those rows arrive, so the
    result of a run of keys never depends on how fast the source answered.
    """

    def __init__(self, height: int = 1, *, min_chunk: int = 100) -> None:
        """Start empty, with `height` rows in view and pages of `min_chunk` or more."""
        self.rows: list[Row] = []
        self.at_start = True
        self.at_end = True
        self.cursor = 0
        self.top = 0
        self.height = max(1, height)
        self.min_chunk = max(1, min_chunk)
        self._queued: list[tuple[int, bool]] = []
        self._held = False
        # Where rows[0] sits in the whole list is known only relative to the
        # end the window was loaded from: `_outside` counts the rows beyond
        # the window on that side.
        self._origin: Literal["start", "end"] = "start"
        self._outside = 0

    @property
    def chunk(self) -> int:
        """How many rows to ask a source for at a time."""
        return max(3 * self.height, self.min_chunk)

    @property
    def margin(self) -> int:
        """Fewer loaded rows than this beyond the view make the window grow."""
        return 2 * self.height

    @property
    def capacity(self) -> int:
        """The most rows the window keeps before letting distant ones go."""
        return 4 * self.chunk

    @property
    def cursor_row(self) -> Row | None:
        """The highlighted row, or None when the window is empty."""
        return self.rows[self.cursor] if self.rows else None

    @property
    def has_queued_moves(self) -> bool:
        """Whether moves are waiting for rows that are not loaded yet."""
        return bool(self._queued)

    def rows_in_view(self) -> list[Row]:
        """Return the loaded rows from the top of the view down."""
        return self.rows[self.top : self.top + self.height]

    def resize(self, height: int) -> None:
        """Set how many rows the view shows and keep the cursor in view."""
        self.height = max(1, height)
        self._settle()

    def hold(self) -> None:
        """Drop queued moves and queue new ones until the next `replace`.

        A first or last page on its way overrides where earlier keys were
        going; keys pressed after it was asked for apply to the new rows.
        """
        self._queued.clear()
        self._held = True

    def clear(self) -> None:
        """Empty the window, forgetting queued moves."""
        self.rows = []
        self.at_start = self.at_end = True
        self.cursor = self.top = 0
        self._queued.clear()
        self._held = False
        self._origin, self._outside = "start", 0

    def replace(self, page: Page, *, from_end: bool) -> None:
        """Load a first page (`from_end` False) or a last page (True).

        The cursor goes to the first or the last row, then any move queued
        while the page was on its way is replayed on the new rows.
        """
        self.rows = list(page.rows)
        self._origin, self._outside = ("end", 0) if from_end else ("start", 0)
        if from_end:
            self.at_end, self.at_start = True, not page.has_more
            self.cursor = max(0, len(self.rows) - 1)
            self.top = max(0, len(self.rows) - self.height)
        else:
            self.at_start, self.at_end = True, not page.has_more
            self.cursor = self.top = 0
        self._note_ends()
        self._held = False
        self._drain()

    def append(self, page: Page) -> None:
        """Add a page fetched after the last loaded row."""
        self.rows.extend(page.rows)
        self.at_end = not page.has_more or not page.rows
        if self._origin == "end":
            self._outside = max(0, self._outside - len(page.rows))
        excess = len(self.rows) - self.capacity
        # Keep a margin above the view, or the window would at once ask
        # again for the rows it has just let go.
        drop = min(excess, self.top - self.margin)
        if drop > 0:
            del self.rows[:drop]
            self.top -= drop
            self.cursor -= drop
            self.at_start = False
            if self._origin == "start":
                self._outside += drop
        self._note_ends()
        self._drain()

    def prepend(self, page: Page) -> None:
        """Add a page fetched before the first loaded row."""
        added = len(page.rows)
        self.rows[:0] = page.rows
        self.top += added
        self.cursor += added
        self.at_start = not page.has_more or not page.rows
        if self._origin == "start":
            self._outside = max(0, self._outside - added)
        excess = len(self.rows) - self.capacity
        below_view = len(self.rows) - (self.top + self.height)
        drop = min(excess, below_view - self.margin)
        if drop > 0:
            del self.rows[len(self.rows) - drop :]
            self.at_end = False
            if self._origin == "end":
                self._outside += drop
        self._note_ends()
        self._drain()

    def move(self, delta: int, *, scroll: bool = False) -> None:
        """Move the cursor by `delta` rows; with `scroll` the view moves along.

        Line keys move without `scroll`, the view following only when the
        cursor would leave it; page keys move with it, so a page down shows
        the next page with the cursor at the same place on the screen.
        """
        last_delta, last_scroll = self._queued[-1] if self._queued else (0, scroll)
        if last_scroll == scroll and last_delta * delta > 0:
            # Consecutive moves of one kind and direction add up, so holding
            # a key down while rows load does not build a long queue.
            self._queued[-1] = (last_delta + delta, scroll)
        else:
            self._queued.append((delta, scroll))
        self._drain()

    def set_cursor(self, index: int) -> None:
        """Put the cursor on a loaded row, as a mouse click does."""
        if self.rows and not self._queued and not self._held:
            self.cursor = min(max(index, 0), len(self.rows) - 1)
            self._settle()

    def to_first(self) -> None:
        """Put the cursor on the first row; only valid when `at_start`."""
        self._queued.clear()
        self.cursor = self.top = 0

    def to_last(self) -> None:
        """Put the cursor on the last row; only valid when `at_end`."""
        self._queued.clear()
        self.cursor = max(0, len(self.rows) - 1)
        self.top = max(0, len(self.rows) - self.height)

    def wants_after(self) -> bool:
        """Whether rows after the last loaded one should be fetched now."""
        if self.at_end or not self.rows or self._held:
            return False
        below_view = len(self.rows) - (self.top + self.height)
        forward_queued = any(delta > 0 for delta, _ in self._queued)
        return below_view < self.margin or forward_queued

    def wants_before(self) -> bool:
        """Whether rows before the first loaded one should be fetched now."""
        if self.at_start or not self.rows or self._held:
            return False
        backward_queued = any(delta < 0 for delta, _ in self._queued)
        return self.top < self.margin or backward_queued

    def view_position(self, estimate: int | None) -> tuple[int, int] | None:
        """Return (index of the top row in the list, rows in the list), if known.

        Exact when the window has seen the end it is counted from; otherwise
        it leans on the source's estimate, and without one it is unknown.
        """
        loaded = len(self.rows)
        if self.at_start and self.at_end:
            return self.top, loaded
        if self._origin == "start":
            first_index = self._outside
            if self.at_end:
                return first_index + self.top, first_index + loaded
            if estimate is None:
                return None
            return first_index + self.top, max(estimate, first_index + loaded + 1)
        if estimate is None:
            return None
        total = max(estimate, self._outside + loaded + 1)
        first_index = total - self._outside - loaded
        return first_index + self.top, total

    def _note_ends(self) -> None:
        # Reaching an end turns a position counted from the other end into
        # an exact one.
        if self.at_start:
            self._origin, self._outside = "start", 0
        elif self.at_end and self._origin == "end":
            self._outside = 0

    def _drain(self) -> None:
        while self._queued and not self._held:
            delta, scroll = self._queued[0]
            target = self.cursor + delta
            if target > len(self.rows) - 1 and not self.at_end:
                break
            if target < 0 and not self.at_start:
                break
            self._queued.pop(0)
            self._apply_move(delta, scroll)
        self._settle()

    def _apply_move(self, delta: int, scroll: bool) -> None:
        target = min(max(self.cursor + delta, 0), max(0, len(self.rows) - 1))
        if scroll:
            self.top += delta
        self.cursor = target
        # Each move settles the view before the next, as it would have if the
        # rows had been there when its key was pressed.
        self._settle()

    def _settle(self) -> None:
        """Keep the view inside the list and the cursor inside the view."""
        if self.at_end:
            self.top = min(self.top, max(0, len(self.rows) - self.height))
        self.top = max(0, self.top)
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + self.height:
            self.top = self.cursor - self.height + 1


# --------------------------------------------------------------------------
# Messages between the worker threads and the widget
# --------------------------------------------------------------------------


class _PageFetched(Message, bubble=False):
    """A source answered a request of the table."""

    def __init__(
        self,
        epoch: int,
        kind: FetchKind,
        anchor: Any,
        page: Page,
        estimate: int | None,
    ) -> None:
        super().__init__()
        self.epoch = epoch
        self.kind = kind
        self.anchor = anchor
        self.page = page
        self.estimate = estimate


class _FetchFailed(Message, bubble=False):
    """A source raised an error instead of answering a request."""

    def __init__(self, epoch: int, kind: FetchKind, error: Exception) -> None:
        super().__init__()
        self.epoch = epoch
        self.kind = kind
        self.error = error


def _call_source(source: RowSource, kind: FetchKind, anchor: Any, limit: int) -> Page:
    if kind == "first":
        return source.first(limit)
    if kind == "last":
        return source.last(limit)
    if kind == "after":
        return source.after(anchor, limit)
    return source.before(anchor, limit)


_NOTHING_HIGHLIGHTED = object()


# --------------------------------------------------------------------------
# The widget
# --------------------------------------------------------------------------


class VirtualTable(Widget, can_focus=True):
    """A keyboard-driven table over a `RowSource` of any length.

    Only the rows in view are drawn and only a few pages around the cursor
    are held. A change repaints only the lines it alters, and a row drawn
    once is not drawn again while it stays the same. The highlighted row
    carries a marker in its first column as well as the cursor colours.
    Filtering hands the source a filter text and starts again from the
    first matching row.
    """

    DEFAULT_CSS = """
    VirtualTable {
        width: 1fr;
        height: 1fr;
        background: $surface;
        color: $foreground;

        & > .virtual-table--header {
            background: $panel;
            color: $foreground;
            text-style: bold;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-table--message {
            color: $text-muted;
            text-style: italic;
        }
        & > .virtual-table--scrollbar {
            color: $scrollbar-background;
        }
        & > .virtual-table--scrollbar-thumb {
            color: $scrollbar;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--message",
        "virtual-table--scrollbar",
        "virtual-table--scrollbar-thumb",
    }

    # Every key has an id, so a keymap can move it when a terminal garbles
    # the default; only Enter is shown in the footer, the rest is common
    # knowledge.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up",
            "cursor_up",
            "Previous row",
            show=False,
            tooltip="Highlight the row above",
            id="virtual_table.cursor_up",
        ),
        Binding(
            "down",
            "cursor_down",
            "Next row",
            show=False,
            tooltip="Highlight the row below",
            id="virtual_table.cursor_down",
        ),
        Binding(
            "pageup",
            "page_up",
            "Previous page",
            show=False,
            tooltip="Show the page above",
            id="virtual_table.page_up",
        ),
        Binding(
            "pagedown",
            "page_down",
            "Next page",
            show=False,
            tooltip="Show the page below",
            id="virtual_table.page_down",
        ),
        Binding(
            "home",
            "first_row",
            "First row",
            show=False,
            tooltip="Go to the first row of the list",
            id="virtual_table.first_row",
        ),
        Binding(
            "end",
            "last_row",
            "Last row",
            show=False,
            tooltip="Go to the last row of the list",
            id="virtual_table.last_row",
        ),
        Binding(
            "enter",
            "choose",
            "Open",
            tooltip="Open the highlighted row",
            id="virtual_table.choose",
        ),
    ]

    class RowHighlighted(Message):
        """The cursor came to rest on another row.

        `key` is None when the list became empty and nothing is highlighted.
        """

        def __init__(self, virtual_table: VirtualTable, key: Any) -> None:
            super().__init__()
            self.virtual_table = virtual_table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            """The table whose cursor moved."""
            return self.virtual_table

    class RowChosen(Message):
        """The user pressed Enter on (or double-clicked) a row."""

        def __init__(self, virtual_table: VirtualTable, key: Any) -> None:
            super().__init__()
            self.virtual_table = virtual_table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            """The table the row was chosen in."""
            return self.virtual_table

    class LoadFailed(Message):
        """The source raised an error; the screen decides how to report it."""

        def __init__(self, virtual_table: VirtualTable, error: Exception) -> None:
            super().__init__()
            self.virtual_table = virtual_table
            self.error = error

        @property
        def control(self) -> VirtualTable:
            """The table that could not load its rows."""
            return self.virtual_table

    def __init__(
        self,
        source: RowSource,
        *,
        filter_text: str = "",
        empty_message: str = "No rows",
        no_match_message: str = "No rows match",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Show the rows of `source`, narrowed by `filter_text` if given."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._base_source = source
        self._filter_text = filter_text
        self._source = source.with_filter(filter_text) if filter_text else source
        self.empty_message = empty_message
        self.no_match_message = no_match_message
        self._window = RowWindow()
        self._estimate: int | None = None
        self._epoch = 0
        self._replace_pending = False
        self._replacing = 0
        self._replace_waiting: FetchKind | None = None
        self._after_pending = False
        self._before_pending = False
        self._loaded = False
        self._failed = False
        self._choose_queued = False
        self._highlighted_key: Any = _NOTHING_HIGHLIGHTED
        # What each row line shows, so a change repaints only the lines it
        # touches; None until the whole table has been asked to repaint.
        self._drawn_lines: tuple[Any, ...] | None = None
        # Rows already drawn, by the row and how it was drawn: moving the
        # cursor or the view redraws them from here.
        self._row_lines: dict[int, tuple[Row, Any, Strip]] = {}
        self._column_widths: tuple[int, list[int]] = (-1, [])
        # A first page asked for before the table was mounted: see `load_early`.
        self._early: Future[tuple[Page, int | None]] | None = None

    # -- public API --------------------------------------------------------

    @property
    def source(self) -> RowSource:
        """The unfiltered source the table reads from."""
        return self._base_source

    @property
    def filter_text(self) -> str:
        """The filter text currently applied to the source."""
        return self._filter_text

    @property
    def is_fetching(self) -> bool:
        """Whether a request to the source is still unanswered."""
        return self._replace_pending or self._after_pending or self._before_pending

    @property
    def highlighted_row(self) -> Row | None:
        """The row under the cursor, or None when nothing is shown."""
        return self._window.cursor_row

    @property
    def highlighted_key(self) -> Any:
        """The key of the row under the cursor, or None when nothing is shown."""
        row = self._window.cursor_row
        return None if row is None else row.key

    @property
    def rows_in_view(self) -> list[Row]:
        """The rows drawn on the screen now, from the top down."""
        return self._window.rows_in_view()

    def set_filter(self, text: str) -> None:
        """Narrow the list to rows matching `text` and show the first of them."""
        self._filter_text = text
        self._source = (
            self._base_source.with_filter(text) if text else self._base_source
        )
        self.reload()

    def set_source(self, source: RowSource) -> None:
        """Read from another source, keeping the filter text, from its first row."""
        self._base_source = source
        # Another source may bring other columns: every line changes.
        self._column_widths = (-1, [])
        self._row_lines.clear()
        self._repaint_all()
        self.set_filter(self._filter_text)

    def reload(self) -> None:
        """Fetch the first page again, for a changed filter or changed data."""
        self._request("first")

    def load_early(self, host: DOMNode) -> None:
        """Ask for the first page now, while the screen is still being made.

        The lookup runs in a thread worker of `host` (the screen composing
        the table) and its answer waits for the table's mount, which shows
        it instead of asking again: the rows are often there for the
        screen's first frame.  Rows are asked for enough to fill the whole
        terminal, so the view is full whatever height the table gets.
        """
        early: Future[tuple[Page, int | None]] = Future()
        source = self._source
        limit = max(self._window.chunk, 3 * host.app.size.height)

        def fetch() -> None:
            try:
                page = _call_source(source, "first", None, limit)
                early.set_result((page, source.estimated_count()))
            except Exception as error:
                logger.error(
                    "A row source failed to give a first page: %s",
                    type(error).__name__,
                )
                early.set_exception(error)

        host.run_worker(
            fetch,
            name="virtual table first page",
            group="virtual-table-replace",
            exclusive=False,
            thread=True,
            exit_on_error=False,
        )
        self._early = early

    # -- lifecycle ---------------------------------------------------------

    def on_mount(self) -> None:
        """Fetch the first page as soon as the table is in the DOM."""
        self._window.resize(self.size.height - 1)
        early, self._early = self._early, None
        if early is None:
            self.reload()
        else:
            self._take_early(early)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the window to the new number of lines in view."""
        self._window.resize(self.size.height - 1)
        self._after_change()

    # -- actions -----------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Highlight the row above."""
        self._move(-1)

    def action_cursor_down(self) -> None:
        """Highlight the row below."""
        self._move(1)

    def action_page_up(self) -> None:
        """Show the page above, the cursor keeping its place on the screen."""
        self._move(-self._window.height, scroll=True)

    def action_page_down(self) -> None:
        """Show the page below, the cursor keeping its place on the screen."""
        self._move(self._window.height, scroll=True)

    def action_first_row(self) -> None:
        """Go to the first row, fetching the first page unless it is loaded."""
        self._choose_queued = False
        if self._window.at_start and not self._replace_pending and self._loaded:
            self._window.to_first()
            self._after_change()
        else:
            self._request("first")

    def action_last_row(self) -> None:
        """Go to the last row, fetching the last page unless it is loaded."""
        self._choose_queued = False
        if self._window.at_end and not self._replace_pending and self._loaded:
            self._window.to_last()
            self._after_change()
        else:
            self._request("last")

    def action_choose(self) -> None:
        """Post `RowChosen` for the highlighted row, once it has arrived."""
        self._choose_queued = True
        self._after_change()

    # -- mouse -------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        """Highlight the clicked row; a double click also chooses it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = self._window.top + offset.y - 1
        if index >= len(self._window.rows):
            return
        self._window.set_cursor(index)
        if event.chain >= 2 and self._window.cursor == index:
            self._choose_queued = True
        self._after_change()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """Scroll the list down a few rows."""
        event.stop()
        self._move(3, scroll=True)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """Scroll the list up a few rows."""
        event.stop()
        self._move(-3, scroll=True)

    # -- fetching ----------------------------------------------------------

    def _move(self, delta: int, *, scroll: bool = False) -> None:
        self._window.move(delta, scroll=scroll)
        self._after_change()

    def _request(self, kind: FetchKind, anchor: Any = None) -> None:
        """Ask the source for a page in a thread worker."""
        exclusive = kind in ("first", "last")
        if exclusive:
            # A new first or last page makes every answer still on its way
            # worthless: the epoch tells them apart when they arrive.
            self._epoch += 1
            self._replace_pending = True
            self._after_pending = self._before_pending = False
            self._choose_queued = False
            self._window.hold()
            if self._replacing >= REPLACING_AT_ONCE:
                self._replace_waiting = kind
                return
            self._replace_waiting = None
        elif kind == "after":
            self._after_pending = True
        else:
            self._before_pending = True
        self._start_fetch(kind, anchor)

    def _take_early(self, early: Future[tuple[Page, int | None]]) -> None:
        """Wait for the first page `load_early` asked for, as for a reload."""
        self._epoch += 1
        self._replace_pending = True
        self._after_pending = self._before_pending = False
        self._choose_queued = False
        self._window.hold()
        self._replacing += 1
        epoch = self._epoch

        def answer(done: Future[tuple[Page, int | None]]) -> Message:
            error = done.exception()
            if isinstance(error, Exception):
                return _FetchFailed(epoch, "first", error)
            page, estimate = done.result()
            return _PageFetched(epoch, "first", None, page, estimate)

        if early.done():
            # Already answered: shown now, before the screen's first frame.
            message = answer(early)
            if isinstance(message, _PageFetched):
                self._page_fetched(message)
            else:
                self._fetch_failed(message)
        else:
            early.add_done_callback(lambda done: self.post_message(answer(done)))

    def _start_fetch(self, kind: FetchKind, anchor: Any) -> None:
        """Run the source call for a request in a thread worker."""
        exclusive = kind in ("first", "last")
        if exclusive:
            self._replacing += 1
        epoch, source, limit = self._epoch, self._source, self._window.chunk

        def fetch() -> None:
            worker = get_current_worker()
            try:
                page = _call_source(source, kind, anchor, limit)
                estimate = source.estimated_count() if exclusive else None
            except Exception as error:
                # Only the kind of error is logged: a database error's text
                # can carry the filter the user typed or a customer's name.
                logger.error(
                    "A row source failed to give a %s page: %s",
                    kind,
                    type(error).__name__,
                )
                if exclusive or not worker.is_cancelled:
                    self.post_message(_FetchFailed(epoch, kind, error))
                return
            # A first or last page always reports back, even when a newer one
            # made it worthless, so that the table can count the lookups
            # running; the epoch sets aside what is stale.
            if exclusive or not worker.is_cancelled:
                self.post_message(_PageFetched(epoch, kind, anchor, page, estimate))

        self.run_worker(
            fetch,
            name=f"virtual table {kind} page",
            group="virtual-table-replace" if exclusive else "virtual-table-extend",
            # Lookups for a first or last page are never cancelled: one
            # cancelled before its thread began would never report back.
            exclusive=False,
            thread=True,
            exit_on_error=False,
        )

    def _replace_ended(self, message: _PageFetched | _FetchFailed) -> None:
        """Count a first or last page lookup as ended; start one that waited."""
        if message.kind not in ("first", "last"):
            return
        self._replacing -= 1
        waiting, self._replace_waiting = self._replace_waiting, None
        if waiting is not None:
            # Asked for with the newest epoch and filter, as the key that
            # waited left them.
            self._start_fetch(waiting, None)

    @on(_PageFetched)
    def _page_fetched(self, message: _PageFetched) -> None:
        self._replace_ended(message)
        if message.epoch != self._epoch:
            return
        window = self._window
        if message.kind in ("first", "last"):
            self._replace_pending = False
            self._loaded, self._failed = True, False
            self._estimate = message.estimate
            window.replace(message.page, from_end=message.kind == "last")
        elif message.kind == "after":
            self._after_pending = False
            # The window may have moved on since the request; a page that no
            # longer joins its edge is dropped and asked for again.
            if window.rows and window.rows[-1].key == message.anchor:
                window.append(message.page)
        else:
            self._before_pending = False
            if window.rows and window.rows[0].key == message.anchor:
                window.prepend(message.page)
        self._after_change()

    @on(_FetchFailed)
    def _fetch_failed(self, message: _FetchFailed) -> None:
        self._replace_ended(message)
        if message.epoch != self._epoch:
            return
        if message.kind in ("first", "last"):
            self._replace_pending = False
            self._loaded, self._failed = True, True
            self._window.clear()
        elif message.kind == "after":
            self._after_pending = False
        else:
            self._before_pending = False
        self.post_message(self.LoadFailed(self, message.error))
        self._refresh_changed_lines()

    def _after_change(self) -> None:
        """Redraw, tell the screen about a new highlight and top up the window."""
        window = self._window
        self._refresh_changed_lines()
        if self._replace_pending or not self._loaded:
            return
        key = self.highlighted_key
        if key != self._highlighted_key:
            self._highlighted_key = key
            self.post_message(self.RowHighlighted(self, key))
        if self._choose_queued and not window.has_queued_moves:
            self._choose_queued = False
            if key is not None:
                self.post_message(self.RowChosen(self, key))
        if window.wants_after() and not self._after_pending:
            self._request("after", window.rows[-1].key)
        if window.wants_before() and not self._before_pending:
            self._request("before", window.rows[0].key)

    # -- drawing -----------------------------------------------------------

    def _repaint_all(self) -> None:
        self._drawn_lines = None
        self.refresh()

    def _line_contents(self) -> tuple[Any, ...]:
        """Return what each row line shows, from the top row line down.

        A line shows a row and whether the cursor is on it, or the message
        of an empty table, or nothing; and its cell of the scrollbar.
        """
        window = self._window
        thumb = self._scrollbar_thumb()
        start, size = thumb if thumb is not None else (-1, 0)
        lines: list[Any] = []
        for line in range(window.height):
            index = window.top + line
            if index < len(window.rows):
                shown: Any = (window.rows[index], index == window.cursor)
            elif line == 0 and not window.rows:
                shown = self._message()
            else:
                shown = None
            lines.append((shown, thumb is not None, start <= line < start + size))
        return tuple(lines)

    def _refresh_changed_lines(self) -> None:
        """Repaint the row lines whose contents changed, and nothing else.

        A cursor move repaints two lines, a page that arrives beyond the view
        none. The terminal's size and the styles are not compared here:
        a change of either makes Textual repaint the whole table itself.
        """
        lines = self._line_contents()
        drawn, self._drawn_lines = self._drawn_lines, lines
        if drawn is None or len(drawn) != len(lines):
            self.refresh()
            return
        width = self.size.width
        changed = [
            Region(0, y + 1, width, 1)
            for y, (before, now) in enumerate(zip(drawn, lines, strict=True))
            if before != now
        ]
        if changed:
            self.refresh(*changed)

    def render_line(self, y: int) -> Strip:
        """Draw line `y`: the header, a row, a message or blank space."""
        width = self.size.width
        body_width = max(0, width - SCROLLBAR_WIDTH)
        base_style = self.get_visual_style().rich_style
        if y == 0:
            header_style = self.get_visual_style("virtual-table--header").rich_style
            titles = tuple(column.title for column in self._source.columns)
            body = self._render_cells(PLAIN_MARKER, titles, body_width, header_style)
            return Strip.join([body, Strip.blank(SCROLLBAR_WIDTH, header_style)])

        window = self._window
        if window.height != max(1, self.size.height - 1):
            # The table is drawn at its new size before it hears of the
            # resize: the rows in view already fill it in this frame.
            window.resize(self.size.height - 1)
        index = window.top + y - 1
        if index < len(window.rows) and y - 1 < window.height:
            row = window.rows[index]
            if index == window.cursor:
                style = self.get_visual_style("virtual-table--cursor").rich_style
                body = self._render_row(row, CURSOR_MARKER, body_width, style)
            else:
                body = self._render_row(row, PLAIN_MARKER, body_width, base_style)
        elif y == 1 and not window.rows:
            body = self._render_message(body_width)
        else:
            body = Strip.blank(body_width, base_style)
        return Strip.join([body, self._render_scrollbar(y - 1)])

    def _render_row(self, row: Row, marker: str, width: int, style: Style) -> Strip:
        """Draw a row, or reuse its line if it was drawn the same way before."""
        how = (marker, width, style)
        kept = self._row_lines.get(id(row))
        # The row itself is kept with its line, so its id cannot be reused
        # by another row while the line is here.
        if kept is not None and kept[0] is row and kept[1] == how:
            return kept[2]
        strip = self._render_cells(marker, row.cells, width, style)
        if len(self._row_lines) >= KEPT_ROW_LINES:
            self._row_lines.clear()
        self._row_lines[id(row)] = (row, how, strip)
        return strip

    def _fitted_widths(self, available: int) -> list[int]:
        if self._column_widths[0] != available:
            self._column_widths = (
                available,
                fit_columns(self._source.columns, available),
            )
        return self._column_widths[1]

    def _render_cells(
        self, marker: str, cells: Sequence[Cell], width: int, style: Style
    ) -> Strip:
        columns = self._source.columns
        widths = self._fitted_widths(width - len(marker))
        fitted = zip(columns, widths, cells, strict=False)
        if all(type(cell) is str for cell in cells):
            # Most rows are plain text: one styled run of characters, with
            # none of the span bookkeeping that marked cells need.
            plain = (" " * COLUMN_GAP).join(
                fit_plain_cell(cell, cell_width, column.align)  # type: ignore[arg-type]
                for column, cell_width, cell in fitted
            )
            plain = marker + plain
            strip = Strip([Segment(plain, style)], cell_len(plain))
            return strip.crop_extend(0, width, style)
        line = Text(marker, no_wrap=True, end="")
        for position, (column, cell_width, cell) in enumerate(fitted):
            if position:
                line.append(" " * COLUMN_GAP)
            line.append_text(fit_cell(cell, cell_width, column.align))
        # The row's style lies under every cell; a marked cell adds its own.
        strip = Strip(line.render(self.app.console), line.cell_len)
        return strip.apply_style(style).crop_extend(0, width, style)

    def _message(self) -> str:
        """What the table says in place of rows when it has none."""
        if not self._loaded:
            return "Loading…"
        if self._failed:
            return "Rows could not be loaded"
        if self._filter_text.strip():
            return self.no_match_message
        return self.empty_message

    def _render_message(self, width: int) -> Strip:
        message = self._message()
        style = self.get_visual_style("virtual-table--message").rich_style
        line = PLAIN_MARKER + message
        strip = Strip([Segment(line, style)], cell_len(line))
        return strip.crop_extend(0, width, style)

    def _render_scrollbar(self, line: int) -> Strip:
        """Draw one cell of the scrollbar for row line `line` (0 is the top row)."""
        track_style = self.get_visual_style("virtual-table--scrollbar").rich_style
        thumb = self._scrollbar_thumb()
        if thumb is None or line < 0:
            return Strip.blank(SCROLLBAR_WIDTH, track_style)
        start, size = thumb
        if start <= line < start + size:
            style = self.get_visual_style("virtual-table--scrollbar-thumb").rich_style
            # A solid block against a thin track, so the thumb shows even
            # where the theme's colours cannot.
            return Strip([Segment("█", style)], SCROLLBAR_WIDTH)
        return Strip([Segment("│", track_style)], SCROLLBAR_WIDTH)

    def _scrollbar_thumb(self) -> tuple[int, int] | None:
        """Return the first line and the length of the thumb, or None for none."""
        window = self._window
        position = window.view_position(self._estimate)
        if position is None:
            return None
        top_index, total = position
        height = window.height
        if total <= height:
            return None
        size = max(1, round(height * height / total))
        start = round(top_index * (height - size) / (total - height))
        return min(max(start, 0), height - size), size
