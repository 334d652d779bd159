"""Measure the virtual table on a million rows, held in memory and in SQLite.

For each source the script times, through the widget running headless at
80x24, how long it takes to show the first page, to jump to the last page
with End, and to show the rows of a new filter; it also times the bare
source calls behind them. The SQLite source lives in a temporary file the
script creates and deletes.

    python bench/virtual_table_bench.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

from dealer_tui.ui.widgets.virtual_table import (
    Column,
    ListSource,
    Page,
    Row,
    RowSource,
    VirtualTable,
)

COLUMNS = (
    Column("No.", 7, align="right"),
    Column("Customer", 24, flex=3),
    Column("City", 12, flex=1),
    Column("Balance", 14, align="right"),
)

FIRST_WORDS = (
    "Alpine",
    "Baltic",
    "Central",
    "Delta",
    "Eastern",
    "Federal",
    "Granite",
    "Harbour",
    "Inland",
    "Jade",
    "Kestrel",
    "Lakeside",
    "Midland",
    "Northern",
    "Orchard",
    "Pioneer",
    "Quarry",
    "Ridge",
    "Summit",
    "Trident",
    "Union",
    "Valley",
    "Western",
    "Yardley",
    "Zenith",
)
TRADES = (
    "Haulage",
    "Logistics",
    "Transport",
    "Freight",
    "Carriers",
    "Tippers",
    "Removals",
    "Tankers",
    "Couriers",
    "Construction",
    "Waste",
    "Timber",
    "Cold-Chain",
    "Livestock",
    "Aggregates",
)
CITIES = (
    "Aberdeen",
    "Bristol",
    "Cardiff",
    "Derby",
    "Exeter",
    "Glasgow",
    "Hull",
    "Inverness",
    "Leeds",
    "Norwich",
    "Oxford",
    "Preston",
    "Reading",
    "Swansea",
    "York",
)

# The in-memory source looks for the words anywhere in a row; the SQLite
# source takes them as the start of the customer name, which its index
# answers without a scan. Each run uses filter texts of its own, so that no
# measure is helped by a filter remembered from an earlier run.


def customer_rows(count: int) -> Iterator[tuple[int, str, str, Decimal]]:
    """Yield reproducible customers: number, name, city and open balance."""
    chance = random.Random(1995)
    for number in range(1, count + 1):
        name = f"{chance.choice(FIRST_WORDS)} {chance.choice(TRADES)} {number:07d}"
        balance = Decimal(chance.randrange(-500_000, 25_000_000)).scaleb(-2)
        yield number, name, chance.choice(CITIES), balance


def display_cells(
    number: int, name: str, city: str, balance: Decimal
) -> tuple[str, ...]:
    """Return the cells a customer row shows."""
    return (str(number), name, city, f"{balance:,.2f}")


class SqliteCustomerSource:
    """Customers in a SQLite file, paged by (folded name, number) on an index."""

    columns: Sequence[Column] = COLUMNS

    def __init__(self, path: Path, prefix: str = "") -> None:
        self.path = path
        self.prefix = " ".join(prefix.casefold().split())

    def with_filter(self, text: str) -> SqliteCustomerSource:
        """Return a source of the customers whose name starts with `text`."""
        return SqliteCustomerSource(self.path, text)

    def estimated_count(self) -> int | None:
        """Return the highest customer number: a count without scanning."""
        if self.prefix:
            return None
        with self._connect() as connection:
            (highest,) = connection.execute("SELECT max(id) FROM customer").fetchone()
        return highest or 0

    def first(self, limit: int) -> Page:
        """Return the first customers by name."""
        return self._page("", (), "ASC", limit)

    def last(self, limit: int) -> Page:
        """Return the last customers by name, in display order."""
        return self._page("", (), "DESC", limit)

    def after(self, key: Any, limit: int) -> Page:
        """Return the customers after a (folded name, number) key."""
        return self._page("AND (name_key, id) > (?, ?)", key, "ASC", limit)

    def before(self, key: Any, limit: int) -> Page:
        """Return the customers before a (folded name, number) key."""
        return self._page("AND (name_key, id) < (?, ?)", key, "DESC", limit)

    def _connect(self) -> sqlite3.Connection:
        # One connection per call: calls come from worker threads, and a
        # SQLite connection is not to be shared between threads.
        return sqlite3.connect(self.path)

    def _page(
        self, keyset: str, key: Sequence[Any], direction: str, limit: int
    ) -> Page:
        where = "name_key >= ? AND name_key < ?" if self.prefix else "1 = 1"
        bounds = (self.prefix, self.prefix + "\U0010ffff") if self.prefix else ()
        sql = (
            "SELECT id, name, city, balance_cents, name_key FROM customer "
            f"WHERE {where} {keyset} "
            f"ORDER BY name_key {direction}, id {direction} LIMIT ?"
        )
        with self._connect() as connection:
            found = connection.execute(sql, (*bounds, *key, limit + 1)).fetchall()
        has_more = len(found) > limit
        found = found[:limit]
        if direction == "DESC":
            found.reverse()
        rows = tuple(
            Row(
                (name_key, number),
                display_cells(number, name, city, Decimal(cents).scaleb(-2)),
            )
            for number, name, city, cents, name_key in found
        )
        return Page(rows, has_more)


def build_list_source(count: int) -> ListSource:
    """Return the customers as an in-memory source ordered like the SQLite one."""
    rows = (
        Row((name.casefold(), number), display_cells(number, name, city, balance))
        for number, name, city, balance in customer_rows(count)
    )
    return ListSource(COLUMNS, rows)


def build_sqlite_source(path: Path, count: int) -> SqliteCustomerSource:
    """Fill a SQLite file with the customers and return a source over it."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "name_key TEXT NOT NULL, city TEXT NOT NULL, "
        "balance_cents INTEGER NOT NULL)"
    )
    connection.executemany(
        "INSERT INTO customer VALUES (?, ?, ?, ?, ?)",
        (
            (number, name, name.casefold(), city, int(balance.scaleb(2)))
            for number, name, city, balance in customer_rows(count)
        ),
    )
    connection.execute("CREATE INDEX customer_by_name ON customer (name_key, id)")
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return SqliteCustomerSource(path)


def timed(action: Callable[[], object]) -> float:
    """Return the seconds one call of `action` takes."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


class BenchApp(App[None]):
    """Nothing but a table, started empty."""

    def compose(self) -> ComposeResult:
        yield VirtualTable(ListSource(COLUMNS, []))


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the app until `condition` holds."""
    while not condition():
        await asyncio.sleep(0.0005)


SOURCE_RUNS_FROM = 5
"""The bare source calls take filters from run 5 on, the widget from run 0."""


def filters_for_run(run: int) -> list[tuple[str, str]]:
    """Return fresh filter texts for a run, so no run reuses an earlier one."""
    many = FIRST_WORDS[(3 * run) % len(FIRST_WORDS)].casefold()
    few_word = FIRST_WORDS[(3 * run + 1) % len(FIRST_WORDS)].casefold()
    few = f"{few_word} {TRADES[run % len(TRADES)].casefold()} 0004"
    return [
        ("filter, many matches", many),
        ("filter, few matches", few),
        ("filter, no match", f"zz{run}q"),
    ]


def typed_filter_for_run(run: int) -> str:
    """Return a filter text for a run that no other measure uses."""
    first_word = FIRST_WORDS[(3 * run + 2) % len(FIRST_WORDS)].casefold()
    return f"{first_word} {TRADES[(run + 7) % len(TRADES)].casefold()}"


async def widget_timings(
    source: RowSource, last_key: Any, repeat: int
) -> dict[str, list[float]]:
    """Drive the table headless at 80x24 and time what a user waits for.

    Each measure runs from the call a key's action makes to the moment the
    rows it asked for are in the table, ready to be drawn.
    """
    results: dict[str, list[float]] = {}

    def note(label: str, seconds: float) -> None:
        results.setdefault(label, []).append(seconds)

    app = BenchApp()
    async with app.run_test(size=(80, 24)):
        table = app.query_one(VirtualTable)
        await until(lambda: not table.is_fetching)

        async def measure(
            label: str, start: Callable[[], None], done: Callable[[], bool]
        ) -> None:
            started = time.perf_counter()
            start()
            await until(done)
            note(label, time.perf_counter() - started)

        def settled() -> bool:
            return not table.is_fetching

        for run in range(repeat):
            await measure(
                "first page shown",
                lambda: table.set_source(source),
                lambda: settled() and bool(table.rows_in_view),
            )
            note("screen drawn (24 lines)", timed(lambda: draw(table)))
            await measure("PageDown", table.action_page_down, settled)
            await measure(
                "End: last page shown",
                table.action_last_row,
                lambda: table.highlighted_key == last_key,
            )
            await measure("Home: first page shown", table.action_first_row, settled)
            for label, text in filters_for_run(run):
                await measure(label, lambda t=text: table.set_filter(t), settled)
            word = typed_filter_for_run(run)

            def type_word(word: str = word) -> None:
                # Every key starts a request that the next key makes stale.
                for end in range(1, len(word) + 1):
                    table.set_filter(word[:end])

            await measure("filter typed key by key, all shown", type_word, settled)
            await measure("filter cleared", lambda: table.set_filter(""), settled)
    return results


def draw(table: VirtualTable) -> None:
    """Draw every line of the table, as the compositor would."""
    for y in range(table.size.height):
        table.render_line(y)


def source_timings(
    source: RowSource, middle_key: Any, repeat: int
) -> dict[str, list[float]]:
    """Time the bare source calls the table makes, with pages of 100 rows."""
    results: dict[str, list[float]] = {}
    calls: list[tuple[str, Callable[[], object]]] = [
        ("first(100)", lambda: source.first(100)),
        ("last(100)", lambda: source.last(100)),
        ("after(middle, 100)", lambda: source.after(middle_key, 100)),
        ("before(middle, 100)", lambda: source.before(middle_key, 100)),
        ("estimated_count()", source.estimated_count),
    ]
    for run in range(repeat):
        # Runs of their own, so the widget measures meet no filter from here.
        filtered = [
            (f"{label}: first(100)", lambda t=text: source.with_filter(t).first(100))
            for label, text in filters_for_run(SOURCE_RUNS_FROM + run)
        ]
        for label, call in calls + filtered:
            results.setdefault(label, []).append(timed(call))
    return results


def report(title: str, results: dict[str, list[float]]) -> None:
    """Print the best and the median of each measure in milliseconds."""
    print(f"\n{title}")
    print(f"  {'measure':<38} {'best ms':>10} {'median ms':>10}")
    for label, seconds in results.items():
        best = min(seconds) * 1000
        median = statistics.median(seconds) * 1000
        print(f"  {label:<38} {best:>10.1f} {median:>10.1f}")


def main(argv: Sequence[str] | None = None) -> None:
    """Build both sources, run every measure and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)
    count, repeat = options.rows, options.repeat

    print(f"Virtual table, {count:,} rows, {repeat} runs per measure")
    started = time.perf_counter()
    memory = build_list_source(count)
    print(f"  in-memory source built in {time.perf_counter() - started:.1f} s")
    memory_last = memory.last(1).rows[-1].key
    memory_middle = memory.first(count // 2 or 1).rows[-1].key
    # The first filter builds the search text of every row once; time it
    # apart so the filter measures below show the steady state.
    print(
        "  in-memory search text built in "
        f"{timed(lambda: memory.with_filter('x').first(1)):.1f} s"
    )

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        sqlite = build_sqlite_source(Path(folder) / "customers.sqlite3", count)
        print(f"  SQLite source built in {time.perf_counter() - started:.1f} s")
        sqlite_last = sqlite.last(1).rows[-1].key
        sqlite_middle = sqlite.first(count // 2 or 1).rows[-1].key

        report("In memory, source calls", source_timings(memory, memory_middle, repeat))
        report("SQLite, source calls", source_timings(sqlite, sqlite_middle, repeat))
        report(
            "In memory, through the widget",
            asyncio.run(widget_timings(memory, memory_last, repeat)),
        )
        report(
            "SQLite, through the widget",
            asyncio.run(widget_timings(sqlite, sqlite_last, repeat)),
        )


if __name__ == "__main__":
    main()
