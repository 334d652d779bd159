"""Keystroke to screen: the real workstation, driven headless at 80x24.

The app runs in this process as the screen tests run it, signed in as the
sales administrator.  Each measure runs from the key (or the action it
triggers) to the moment the screen holds the rows asked for: the home
screen's panels, the invoice list's first page, its last page after End,
and the list after each key of a filter typed into it.  It also counts
the rows the list holds and draws, which must not grow with the data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bench.context import Bench
from bench.measure import Budget, Result
from dealer_tui.today import today_panels
from dealer_tui.ui.app import DealerApp
from dealer_tui.ui.widgets.virtual_table import VirtualTable

UPDATE_MS = Budget(50)
# The list keeps at most four pages of 100 rows around the cursor, however
# long the list: what it holds must not grow with the data.
HELD_ROWS = Budget(400, on="median")
SCREEN_USER = "jo.admin"
HOME_ROLES = ("chris.counter", "sam.rep", "jo.admin", "dana.service", "mike.manager")
FILTER = "overdue"


async def _until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen never showed what was asked for")
        await asyncio.sleep(0.0005)


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
    )
    held = Result(
        "screens",
        f"rows the invoice list holds ({bench.invoice_count():,} invoices)",
        "rows",
        budget=HELD_ROWS,
    )
    drawn = Result("screens", "rows the invoice list draws at 80x24", "rows")
    app = DealerApp(bench.db, bench.actor(SCREEN_USER))
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.workplace is not None and len(app.screen_stack) > 1)
        await pilot.pause()
        for _ in range(bench.runs):
            started = time.perf_counter()
            app.action_open_list("invoices")
            await pilot.pause()
            table = app.screen.query_one(VirtualTable)
            await _until(lambda t=table: not t.is_fetching and bool(t.rows_in_view))
            opened.samples.append((time.perf_counter() - started) * 1000)
            for end_at in range(1, len(FILTER) + 1):
                started = time.perf_counter()
                await pilot.press(FILTER[end_at - 1])
                wanted = FILTER[:end_at]
                await _until(
                    lambda t=table, w=wanted: t.filter_text == w and not t.is_fetching
                )
                keys.samples.append((time.perf_counter() - started) * 1000)
            for _ in FILTER:
                await pilot.press("backspace")
            await _until(lambda t=table: t.filter_text == "" and not t.is_fetching)
            await pilot.press("down")
            started = time.perf_counter()
            await pilot.press("end")
            await _until(
                lambda t=table: (
                    not t.is_fetching
                    and t._window.at_end
                    and t.highlighted_row is t._window.rows[-1]
                )
            )
            end.samples.append((time.perf_counter() - started) * 1000)
            held.samples.append(float(len(table._window.rows)))
            drawn.samples.append(float(len(table.rows_in_view)))
            app.pop_screen()
            await pilot.pause()
    return [opened, keys, end, held, drawn]
