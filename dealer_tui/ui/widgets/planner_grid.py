"""The planner grid: mechanics or bays down, time across, bookings as blocks.

Each cell is a slice of wall-clock time (a quarter of an hour for a day,
an hour for a week). A booking is drawn as a run of cells between brackets
whose shape tells its state, so colour is never the only sign: ``[..]``
booked, ``{..}`` in the workshop, ``(..)`` done. A free cell is ``·`` (``:``
on the hour), a cell where the mechanic does not work is blank. The row
labels stay put while the cells scroll under the cursor.

`PlannerLayout` works the cells out and uses no Textual; `PlannerGrid` draws
them and moves the cursor, and while a block is being moved, its ghost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from dealer_tui.workshop.jobs import JobStatus
from dealer_tui.workshop.planning import PlannerBlock, PlannerRow, PlannerView

LABEL_WIDTH = 19
HEADER_LINES = 2

OPEN_BRACKETS = {
    JobStatus.BOOKED: ("[", "]"),
    JobStatus.CHECKED_IN: ("{", "}"),
    JobStatus.IN_PROGRESS: ("{", "}"),
    JobStatus.FINISHED: ("(", ")"),
    JobStatus.INVOICED: ("(", ")"),
}
GHOST = ("<", ">")


@dataclass(frozen=True)
class GridColumn:
    """One cell's slice of time: the day, the wall-clock minute and the instants."""

    day_index: int
    day: date
    minute: int
    start: datetime
    end: datetime


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    base = datetime(day.year, day.month, day.day, tzinfo=zone)
    return (base + timedelta(minutes=minute)).astimezone(zone)


class PlannerLayout:
    """The columns and each row's cells for one planner view, worked out once.

    A column of None separates two days. A cell holds the block that
    covers most of it, "free", or "off" where the row does not work.
    """

    def __init__(self, view: PlannerView, step: int) -> None:
        self.view = view
        self.step = step
        zone = ZoneInfo(view.time_zone)
        columns: list[GridColumn | None] = []
        for index, planner_day in enumerate(view.days):
            if index:
                columns.append(None)
            for minute in range(view.first_minute, view.last_minute, step):
                columns.append(
                    GridColumn(
                        index,
                        planner_day.day,
                        minute,
                        _local(planner_day.day, minute, zone),
                        _local(planner_day.day, minute + step, zone),
                    )
                )
        self.columns = columns
        self.cells: list[list[PlannerBlock | str | None]] = [
            self._row_cells(row) for row in view.rows
        ]

    def _row_cells(self, row: PlannerRow) -> list[PlannerBlock | str | None]:
        cells: list[PlannerBlock | str | None] = []
        for column in self.columns:
            if column is None:
                cells.append(None)
                continue
            best: PlannerBlock | None = None
            best_overlap = timedelta(0)
            for block in row.blocks:
                overlap = min(block.ends_at, column.end) - max(
                    block.starts_at, column.start
                )
                if overlap > best_overlap:
                    best, best_overlap = block, overlap
            if best is not None:
                cells.append(best)
                continue
            working = any(
                start < column.end and end > column.start for start, end in row.working
            )
            cells.append("free" if working else "off")
        return cells

    def column_of(self, instant: datetime) -> int | None:
        """The index of the column whose slice holds the instant, if shown."""
        for index, column in enumerate(self.columns):
            if column is not None and column.start <= instant < column.end:
                return index
        return None

    def run_length(self, row: int, column: int) -> int:
        """How many cells the block at (row, column) spans from there on."""
        cells = self.cells[row]
        block = cells[column]
        if not isinstance(block, PlannerBlock):
            return 1
        end = column
        while (
            end + 1 < len(cells)
            and isinstance(cells[end + 1], PlannerBlock)
            and cells[end + 1].job_id == block.job_id  # type: ignore[union-attr]
        ):
            end += 1
        return end - column + 1

    def line(
        self, row: int, ghost: tuple[int, int, PlannerBlock] | None = None
    ) -> list[tuple[str, str]]:
        """(character, kind) for each cell of a row; kinds name the style to use."""
        cells = self.cells[row]
        chars: list[tuple[str, str]] = []
        index = 0
        while index < len(cells):
            cell = cells[index]
            if cell is None:
                chars.append(("│", "separator"))
                index += 1
            elif isinstance(cell, PlannerBlock):
                length = self.run_length(row, index)
                opening, closing = OPEN_BRACKETS.get(cell.status, ("[", "]"))
                kind = _block_kind(cell.status)
                chars.extend(
                    (ch, kind) for ch in _block_text(cell, length, opening, closing)
                )
                index += length
            else:
                column = self.columns[index]
                on_hour = (
                    self.step < 60 and column is not None and column.minute % 60 == 0
                )
                if cell == "free":
                    chars.append((":" if on_hour else "·", "free"))
                else:
                    chars.append((" ", "off"))
                index += 1
        if ghost is not None:
            start, length, block = ghost
            text = _block_text(block, length, *GHOST)
            for offset, ch in enumerate(text):
                position = start + offset
                if 0 <= position < len(chars) and self.columns[position] is not None:
                    chars[position] = (ch, "ghost")
        return chars


def _block_kind(status: JobStatus) -> str:
    if status in (JobStatus.CHECKED_IN, JobStatus.IN_PROGRESS):
        return "busy"
    if status in (JobStatus.FINISHED, JobStatus.INVOICED):
        return "done"
    return "block"


def _block_text(block: PlannerBlock, length: int, opening: str, closing: str) -> str:
    """The block's cells: brackets round the registration, or as much as fits."""
    if length == 1:
        return opening
    if length == 2:
        return opening + closing
    label = block.registration or block.number[-6:]
    inner = length - 2
    return (
        opening
        + label[:inner].ljust(inner, "=" if len(label) < inner else " ")
        + closing
    )


class PlannerGrid(Widget, can_focus=True):
    """Keyboard-driven planner: arrows move over rows and time, Enter opens a block."""

    DEFAULT_CSS = """
    PlannerGrid {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .planner-grid--header { text-style: bold; background: $panel; }
        & > .planner-grid--label { text-style: bold; }
        & > .planner-grid--free { color: $text-muted; }
        & > .planner-grid--off { background: $surface-darken-1; }
        & > .planner-grid--block { background: $primary-muted; }
        & > .planner-grid--busy { background: $warning-muted; text-style: bold; }
        & > .planner-grid--done { background: $success-muted; }
        & > .planner-grid--ghost { background: $accent; text-style: bold; }
        & > .planner-grid--separator { color: $text-muted; }
        & > .planner-grid--cursor { text-style: reverse bold; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "planner-grid--header",
        "planner-grid--label",
        "planner-grid--free",
        "planner-grid--off",
        "planner-grid--block",
        "planner-grid--busy",
        "planner-grid--done",
        "planner-grid--ghost",
        "planner-grid--separator",
        "planner-grid--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(0, -1)", "Cursor earlier", show=False, id="planner.left"),
        Binding("right", "move(0, 1)", "Cursor later", show=False, id="planner.right"),
        Binding("up", "move(-1, 0)", "Row above", show=False, id="planner.up"),
        Binding("down", "move(1, 0)", "Row below", show=False, id="planner.down"),
        Binding("home", "edge(-1)", "First hour", show=False, id="planner.home"),
        Binding("end", "edge(1)", "Last hour", show=False, id="planner.end"),
        Binding("enter", "choose", "Open job", id="planner.open"),
    ]

    class CursorMoved(Message):
        """The cursor rests on another cell."""

        def __init__(self, grid: PlannerGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> PlannerGrid:
            return self.grid

    class BlockChosen(Message):
        """Enter on a block: the screen opens its job (or places a moved one)."""

        def __init__(self, grid: PlannerGrid, block: PlannerBlock | None) -> None:
            super().__init__()
            self.grid = grid
            self.block = block

        @property
        def control(self) -> PlannerGrid:
            return self.grid

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.layout_: PlannerLayout | None = None
        self.row = 0
        self.column = 0
        self.top = 0
        self.left = 0
        # The block being moved and how many cells it spans; drawn at the cursor.
        self.ghost: tuple[PlannerBlock, int] | None = None

    # -- what the screen asks ------------------------------------------------

    def show(self, view: PlannerView, step: int) -> None:
        """Draw a new view, keeping the cursor on the same row and time if shown."""
        keep_time = self.current_column.start if self.current_column else None
        self.layout_ = PlannerLayout(view, step)
        self.row = min(self.row, max(0, len(view.rows) - 1))
        target = self.layout_.column_of(keep_time) if keep_time else None
        self.column = target if target is not None else self._first_column()
        self._follow()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    @property
    def current_row(self) -> PlannerRow | None:
        if self.layout_ is None or not self.layout_.view.rows:
            return None
        return self.layout_.view.rows[self.row]

    @property
    def current_column(self) -> GridColumn | None:
        if self.layout_ is None or not self.layout_.columns:
            return None
        return self.layout_.columns[self.column]

    @property
    def current_block(self) -> PlannerBlock | None:
        if self.layout_ is None or not self.layout_.view.rows:
            return None
        cell = self.layout_.cells[self.row][self.column]
        return cell if isinstance(cell, PlannerBlock) else None

    def go_to(self, instant: datetime) -> None:
        """Put the cursor on the cell holding the instant, if it is shown."""
        if self.layout_ is None:
            return
        found = self.layout_.column_of(instant)
        if found is not None:
            self.column = found
            self._follow()
            self.refresh()
            self.post_message(self.CursorMoved(self))

    def start_moving(self) -> bool:
        """Pick up the block under the cursor; the cursor goes to its first cell."""
        block = self.current_block
        if block is None or self.layout_ is None:
            return False
        first = self.column
        while first > 0 and self.layout_.cells[self.row][first - 1] is block:
            first -= 1
        self.ghost = (block, self.layout_.run_length(self.row, first))
        self.column = first
        self._follow()
        self.refresh()
        self.post_message(self.CursorMoved(self))
        return True

    def stop_moving(self) -> None:
        self.ghost = None
        self.refresh()
        self.post_message(self.CursorMoved(self))

    # -- keys ------------------------------------------------------------------

    def action_move(self, rows: int, columns: int) -> None:
        layout = self.layout_
        if layout is None or not layout.view.rows:
            return
        self.row = max(0, min(len(layout.view.rows) - 1, self.row + rows))
        if columns:
            position = self.column + columns
            while (
                0 <= position < len(layout.columns) and layout.columns[position] is None
            ):
                position += columns
            if 0 <= position < len(layout.columns):
                self.column = position
        self._follow()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def action_edge(self, direction: int) -> None:
        """Jump to the first or last cell of the cursor's day."""
        layout = self.layout_
        column = self.current_column
        if layout is None or column is None:
            return
        same_day = [
            i
            for i, c in enumerate(layout.columns)
            if c is not None and c.day_index == column.day_index
        ]
        self.column = same_day[0] if direction < 0 else same_day[-1]
        self._follow()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def action_choose(self) -> None:
        self.post_message(self.BlockChosen(self, self.current_block))

    def on_resize(self, event: events.Resize) -> None:
        self._follow()

    # -- drawing ---------------------------------------------------------------

    def _first_column(self) -> int:
        layout = self.layout_
        if layout is None:
            return 0
        return next((i for i, c in enumerate(layout.columns) if c is not None), 0)

    @property
    def _visible_cells(self) -> int:
        return max(1, self.size.width - LABEL_WIDTH)

    @property
    def _visible_rows(self) -> int:
        return max(1, self.size.height - HEADER_LINES)

    def _follow(self) -> None:
        """Scroll so that the cursor (and a moved block's start) stays in view."""
        if self.column < self.left:
            self.left = self.column
        elif self.column >= self.left + self._visible_cells:
            self.left = self.column - self._visible_cells + 1
        if self.row < self.top:
            self.top = self.row
        elif self.row >= self.top + self._visible_rows:
            self.top = self.row - self._visible_rows + 1

    def _style(self, kind: str) -> Style:
        return self.get_component_rich_style(f"planner-grid--{kind}", partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        layout = self.layout_
        if layout is None:
            return Strip([Segment(" " * width, base)], width)
        if y < HEADER_LINES:
            return self._header(y, width, base)
        index = self.top + y - HEADER_LINES
        if index >= len(layout.view.rows):
            return Strip([Segment(" " * width, base)], width)
        row = layout.view.rows[index]
        marker = ">" if index == self.row else " "
        percent = row.percent
        usage = "  —" if percent is None else f"{percent:>3}%"
        name = row.name if layout.view.by == "mechanic" else f"{row.code} {row.name}"
        label = f"{marker}{name[:12]:<12} {usage} "
        segments = [
            Segment(label[:LABEL_WIDTH].ljust(LABEL_WIDTH), base + self._style("label"))
        ]
        ghost = None
        if self.ghost is not None and index == self.row:
            ghost = (self.column, self.ghost[1], self.ghost[0])
        chars = layout.line(index, ghost)
        visible = chars[self.left : self.left + self._visible_cells]
        for offset, (char, kind) in enumerate(visible):
            style = base + self._style(kind)
            if index == self.row and self.left + offset == self.column:
                style = style + self._style("cursor")
            segments.append(Segment(char, style))
        return Strip(segments).crop(0, width).extend_cell_length(width, base)

    def _header(self, y: int, width: int, base: Style) -> Strip:
        layout = self.layout_
        assert layout is not None
        style = base + self._style("header")
        if y == 0:
            title = "Mechanic" if layout.view.by == "mechanic" else "Bay"
            label = f" {title:<12} used "
        else:
            label = ""
        cells = [" "] * len(layout.columns)
        for index, column in enumerate(layout.columns):
            if column is None:
                cells[index] = "│"
        if y == 0:
            self._day_labels(cells)
        else:
            self._hour_labels(cells)
        visible = "".join(cells[self.left : self.left + self._visible_cells])
        text = label[:LABEL_WIDTH].ljust(LABEL_WIDTH) + visible
        return Strip([Segment(text[:width].ljust(width), style)], width)

    def _day_labels(self, cells: list[str]) -> None:
        layout = self.layout_
        assert layout is not None
        days = layout.view.days
        several = len(days) > 1
        for index, column in enumerate(layout.columns):
            if column is None or (index and layout.columns[index - 1] is not None):
                continue
            planner_day = days[column.day_index]
            if several:
                text = f"{planner_day.day:%a %d}"
                if planner_day.closure:
                    text += " shut"
                elif planner_day.percent is not None:
                    text += f" {planner_day.percent}%"
            else:
                text = f"{planner_day.day:%A %d/%m/%Y}"
                if planner_day.closure:
                    text += f": closed, {planner_day.closure}"
            _write(cells, index, text)

    def _hour_labels(self, cells: list[str]) -> None:
        """Every hour when a day is shown; the opening hour and noon in a week."""
        layout = self.layout_
        assert layout is not None
        for index, column in enumerate(layout.columns):
            if column is None or column.minute % 60:
                continue
            hour = column.minute // 60
            first = index == 0 or layout.columns[index - 1] is None
            if layout.step < 60 or first or hour == 12:
                _write(cells, index, f"{hour % 24:02d}")


def _write(cells: list[str], start: int, text: str) -> None:
    """Write text into cells from ``start``, stopping at a day separator."""
    for offset, char in enumerate(text):
        position = start + offset
        if position >= len(cells) or cells[position] == "│":
            return
        cells[position] = char
