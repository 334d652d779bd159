"""Keystroke to screen: the real workstation, driven headless at 80x24.

The app runs in this process as the screen tests run it, signed in as the
sales administrator.  Each screen measure runs from the moment the key is
handed to the app, as a terminal's input would hand it over, to the moment
the first frame that shows the result has been turned into the bytes a
terminal is sent: the query, its worker, the repaint, the wait for the
screen's next refresh and the frame itself.  A frame counts once it was
made after the rows it must show had arrived and what it leaves on the
screen shows them: the invoice list's first page, its last page after End
with the cursor on the last row, and the list after each key of a filter
typed into it together with the text typed.  The home screen's panels are
timed as the query alone.  It also counts the rows the list holds and
draws, which must not grow with the data.
"""

from __future__ import annotations

import asyncio
import io
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.cells import get_character_cell_size
from rich.console import Console
from rich.text import Text
from textual import events
from textual._compositor import CompositorUpdate
from textual.constants import MAX_FPS
from textual.widgets import Input

from bench.context import Bench
from bench.measure import Budget, Result
from dealer_tui.today import today_panels
from dealer_tui.ui.app import DealerApp
from dealer_tui.ui.widgets.virtual_table import (
    CURSOR_MARKER,
    PLAIN_MARKER,
    RowWindow,
    VirtualTable,
)

UPDATE_MS = Budget(50)
# The list keeps at most four pages of 100 rows around the cursor, however
# long the list: what it holds must not grow with the data.
HELD_ROWS = Budget(400, on="median")
SCREEN_USER = "jo.admin"
HOME_ROLES = ("chris.counter", "sam.rep", "jo.admin", "dana.service", "mike.manager")
FILTER = "overdue"
COLUMNS, LINES = 80, 24
# No frame for this long after the rows arrived: the screen has nothing to change.
QUIET_S = 0.5
# A cursor move (CSI row;column H), any other control sequence, a new line,
# or text.
_TOKEN = re.compile(
    r"\x1b\[([0-9;?<=>!]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[@-_]|(\n)|([^\x1b\n]+)"
)


async def _until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen never showed what was asked for")
        await asyncio.sleep(0.0005)


class Frames:
    """Every frame the app makes, as a terminal would receive it, and when.

    Headless, the app skips turning a frame into a terminal's bytes; this
    does that work as a real terminal's app would (in full colour), stamps
    the frame once its bytes are ready and keeps them, so that what each
    frame leaves on an 80x24 screen can be read back afterwards.
    """

    def __init__(self, app: DealerApp) -> None:
        self.console = Console(
            file=io.StringIO(),
            width=COLUMNS,
            height=LINES,
            color_system="truecolor",
            force_terminal=True,
        )
        self.made: list[tuple[float, str]] = []
        self._cells = [[" "] * COLUMNS for _ in range(LINES)]
        self._applied = 0
        display = app._display

        def shown(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if isinstance(renderable, CompositorUpdate) and not app._batch_count:
                data = renderable.render_segments(self.console)
                self.made.append((time.perf_counter(), data))

        app._display = shown  # type: ignore[method-assign]

    def screen_after(self, index: int) -> list[str]:
        """The screen's lines once frame `index` (and every one before) is written."""
        while self._applied <= index:
            self._write(self.made[self._applied][1])
            self._applied += 1
        return ["".join(line) for line in self._cells]

    def _write(self, data: str) -> None:
        x = y = 0
        for match in _TOKEN.finditer(data):
            params, final, new_line, text = match.groups()
            if final == "H":
                row, _, column = (params or "").partition(";")
                y, x = int(row or 1) - 1, int(column or 1) - 1
            elif new_line:
                y, x = y + 1, 0
            elif text and 0 <= y < LINES:
                line = self._cells[y]
                for character in text:
                    width = get_character_cell_size(character)
                    if 0 <= x < COLUMNS:
                        line[x] = character
                        if width == 2 and x + 1 < COLUMNS:
                            line[x + 1] = ""
                    x += width

    async def first_showing(
        self, since: float, shows: Callable[[list[str]], bool], timeout: float = 60
    ) -> float:
        """When the first frame made at or after `since` showed what `shows` wants.

        Rows that arrive the same as those already on the screen change
        nothing, and no frame follows: then the screen showed them already
        and their arrival, `since`, is when the user saw the answer.
        """
        deadline = time.perf_counter() + timeout
        # Frames already written to the screen were made before `since`.
        index = self._applied
        while True:
            while index < len(self.made):
                made_at = self.made[index][0]
                lines = self.screen_after(index)
                index += 1
                if made_at >= since and shows(lines):
                    return made_at
            last = self.made[-1][0] if self.made else since
            quiet = time.perf_counter() - max(since, last) > QUIET_S
            if self.made and quiet and shows(self.screen_after(len(self.made) - 1)):
                return since
            if time.perf_counter() > deadline:
                last = self.screen_after(len(self.made) - 1) if self.made else []
                raise TimeoutError(
                    "no frame ever showed what was asked for; the screen showed:\n"
                    + "\n".join(last)
                )
            await asyncio.sleep(0.0005)


@contextmanager
def _rows_arrivals() -> Iterator[list[float]]:
    """The moments a list put a new first or last page in its window."""
    arrived: list[float] = []
    replace = RowWindow.replace

    def noted(window: RowWindow, *args: Any, **kwargs: Any) -> None:
        replace(window, *args, **kwargs)
        arrived.append(time.perf_counter())

    RowWindow.replace = noted  # type: ignore[method-assign]
    try:
        yield arrived
    finally:
        RowWindow.replace = replace  # type: ignore[method-assign]


def _plain(cell: str | Text) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _table_shown(table: VirtualTable) -> Callable[[list[str]], bool]:
    """Whether a screen shows the rows the table holds in view now, cursor too.

    Each row line must start, after the table's left edge, with the row's
    marker and the first characters of its first cell; an empty list must
    show its message.  The table is read when a screen is checked, once its
    rows have arrived, so that its place on the screen is known.
    """

    def shows(lines: list[str]) -> bool:
        area = table.content_region
        highlighted = table.highlighted_row
        wanted = [
            (CURSOR_MARKER if row is highlighted else PLAIN_MARKER)
            + _plain(row.cells[0])[:8]
            for row in table.rows_in_view
        ]
        body = [line[area.x : area.right] for line in lines[area.y + 1 : area.bottom]]
        if not wanted:
            message = (
                table.no_match_message if table.filter_text else table.empty_message
            )
            return any(message[:20] in line for line in body)
        return len(body) >= len(wanted) and all(
            line.startswith(start) for line, start in zip(body, wanted, strict=False)
        )

    return shows


def _typed_shown(box: Input, text: str) -> Callable[[list[str]], bool]:
    """Whether a screen shows `text` in the filter box."""

    def shows(lines: list[str]) -> bool:
        area = box.region
        return any(
            text in line[area.x : area.right] for line in lines[area.y : area.bottom]
        )

    return shows


def _hand_key(app: DealerApp, key: str) -> float:
    """Give the app a key as a terminal's input does; return the moment it did."""
    character = key if len(key) == 1 else None
    event = events.Key(key, character)
    event.set_sender(app)
    driver = app._driver
    assert driver is not None
    started = time.perf_counter()
    driver.send_message(event)
    return started


def measure(bench: Bench) -> list[Result]:
    home = Result(
        "screens",
        "home screen panels, each role",
        "ms",
        budget=UPDATE_MS,
        note=", ".join(HOME_ROLES),
    )
    for _ in range(bench.runs):
        for username in HOME_ROLES:
            actor = bench.actor(username)
            started = time.perf_counter()
            today_panels(bench.db, actor)
            home.samples.append((time.perf_counter() - started) * 1000)
    return [home, *asyncio.run(_invoice_list(bench))]


async def _settled(pilot: Any) -> None:
    """Let every answer arrive and the screen go quiet before the next key."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await asyncio.sleep(0.05)


async def _invoice_list(bench: Bench) -> list[Result]:
    opened = Result(
        "screens", "invoice list opened, first page shown", "ms", budget=UPDATE_MS
    )
    end = Result(
        "screens", "End: last page of the invoice list shown", "ms", budget=UPDATE_MS
    )
    keys = Result(
        "screens",
        f"key typed in the list's filter, list updated ('{FILTER}')",
        "ms",
        budget=UPDATE_MS,
        note=f"key to frame; the screen refreshes at most {MAX_FPS} times a second",
    )
    held = Result(
        "screens",
        f"rows the invoice list holds ({bench.invoice_count():,} invoices)",
        "rows",
        budget=HELD_ROWS,
    )
    drawn = Result("screens", "rows the invoice list draws at 80x24", "rows")
    app = DealerApp(bench.db, bench.actor(SCREEN_USER))
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        frames = Frames(app)
        await _until(lambda: app.workplace is not None and len(app.screen_stack) > 1)
        await pilot.pause()
        with _rows_arrivals() as arrived:
            for _ in range(bench.runs):
                await _settled(pilot)
                started = time.perf_counter()
                app.action_open_list("invoices")
                await _until(lambda: bool(app.screen.query(VirtualTable)))
                table = app.screen.query_one(VirtualTable)
                await _until(
                    lambda t=table: (
                        t._loaded and not t.is_fetching and bool(t.rows_in_view)
                    )
                )
                shown = await frames.first_showing(arrived[-1], _table_shown(table))
                opened.samples.append((shown - started) * 1000)
                box = app.screen.query_one("#list-filter", Input)
                for end_at in range(1, len(FILTER) + 1):
                    await _settled(pilot)
                    wanted = FILTER[:end_at]
                    started = _hand_key(app, wanted[-1])
                    await _until(
                        lambda t=table, w=wanted: (
                            t.filter_text == w and not t.is_fetching
                        )
                    )
                    rows, typed = _table_shown(table), _typed_shown(box, wanted)
                    shown = await frames.first_showing(
                        max(started, arrived[-1]),
                        lambda s, r=rows, t=typed: r(s) and t(s),
                    )
                    keys.samples.append((shown - started) * 1000)
                for _ in FILTER:
                    await pilot.press("backspace")
                await _until(lambda t=table: t.filter_text == "" and not t.is_fetching)
                await pilot.press("down")
                await _settled(pilot)
                started = _hand_key(app, "end")
                await _until(
                    lambda t=table: (
                        not t.is_fetching
                        and t._window.at_end
                        and t.highlighted_row is t._window.rows[-1]
                    )
                )
                shown = await frames.first_showing(
                    max(started, arrived[-1]), _table_shown(table)
                )
                end.samples.append((shown - started) * 1000)
                held.samples.append(float(len(table._window.rows)))
                drawn.samples.append(float(len(table.rows_in_view)))
                app.pop_screen()
                await pilot.pause()
    return [opened, keys, end, held, drawn]
