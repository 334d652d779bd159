"""The virtual table: its paging source, its window of rows and the widget."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Span, Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from dealer_tui.ui.widgets.virtual_table import (
    Column,
    ListSource,
    Page,
    Row,
    RowSource,
    RowWindow,
    VirtualTable,
    fit_cell,
    fit_columns,
    fit_plain_cell,
)

COLUMNS = (
    Column("No.", 6, align="right"),
    Column("Customer", 20, flex=2),
    Column("City", 10, flex=1),
    Column("Balance", 10, align="right"),
)

ROW_COUNT = 100_000

# 24 terminal lines, less one for the compact filter input and one for the
# table's header line.
ROWS_IN_VIEW = 22


def customer_row(number: int) -> Row:
    """Return the synthetic customer row numbered `number`."""
    return Row(
        number,
        (str(number), f"Customer {number:06d}", f"City {number % 97}", "0.00"),
    )


@pytest.fixture(scope="module")
def customers() -> ListSource:
    """A list of 100,000 customers keyed 0 to 99,999."""
    return ListSource(COLUMNS, (customer_row(n) for n in range(ROW_COUNT)))


def small_source(count: int) -> ListSource:
    """Return a list of `count` customers keyed 0 to count - 1."""
    return ListSource(COLUMNS, (customer_row(n) for n in range(count)))


def keys(page: Page) -> list[Any]:
    """Return the keys of a page's rows in order."""
    return [row.key for row in page.rows]


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


def test_fit_columns_gives_spare_cells_to_flexible_columns_by_weight() -> None:
    """At 77 cells, 46 fixed plus 3 gaps leave 28 spare: 19 to flex 2, 9 to flex 1."""
    widths = fit_columns(COLUMNS, 77)
    # 28 * 2 / 3 = 18.67 and 28 / 3 = 9.33: the larger fraction gets the
    # cell left over.
    assert widths == [6, 39, 19, 10]
    assert sum(widths) + 3 == 77


def test_fit_columns_keeps_least_widths_when_the_line_is_too_narrow() -> None:
    """At 30 cells the columns keep their widths 6, 20, 10 and 10."""
    assert fit_columns(COLUMNS, 30) == [6, 20, 10, 10]


def test_fit_columns_leaves_spare_cells_empty_without_flexible_columns() -> None:
    """Two fixed columns of 5 and 7 stay 5 and 7 on a line of 100 cells."""
    columns = [Column("A", 5), Column("B", 7)]
    assert fit_columns(columns, 100) == [5, 7]


@given(
    st.lists(st.tuples(st.integers(1, 30), st.integers(0, 5)), min_size=1, max_size=8),
    st.integers(0, 300),
)
def test_fit_columns_fills_the_line_exactly_when_a_column_can_grow(
    specs: list[tuple[int, int]], available: int
) -> None:
    """No column shrinks, and with spare room and a flex column the line is full."""
    columns = [Column(f"c{i}", width, flex) for i, (width, flex) in enumerate(specs)]
    widths = fit_columns(columns, available)
    assert all(got >= column.width for got, column in zip(widths, columns, strict=True))
    needed = sum(column.width for column in columns) + len(columns) - 1
    if available > needed and any(column.flex for column in columns):
        assert sum(widths) + len(columns) - 1 == available
    else:
        assert widths == [column.width for column in columns]


def test_fit_cell_cuts_long_text_with_an_ellipsis() -> None:
    """ "Customer 000123" in 10 cells reads "Customer …"."""
    assert fit_cell("Customer 000123", 10, "left").plain == "Customer …"


def test_fit_cell_aligns_numbers_to_the_right() -> None:
    """ "12.50" in 8 cells right-aligned reads "   12.50"."""
    assert fit_cell("12.50", 8, "right").plain == "   12.50"


def test_fit_cell_keeps_the_mark_of_rich_text() -> None:
    """A red "HOLD" padded to 6 cells keeps red on cells 0 to 4 only."""
    cell = fit_cell(Text.assemble(("HOLD", "red")), 6, "left")
    assert cell.plain == "HOLD  "
    assert cell.spans == [Span(0, 4, "red")]


def test_fit_cell_turns_a_line_break_into_a_space() -> None:
    """ "Unit 4\\nYard B" in 13 cells reads "Unit 4 Yard B"."""
    assert fit_cell("Unit 4\nYard B", 13, "left").plain == "Unit 4 Yard B"


@settings(max_examples=300, deadline=None)
@given(
    cell=st.text(alphabet="ab 9\n\t…漢ü", max_size=12),
    width=st.integers(1, 14),
    align=st.sampled_from(["left", "center", "right"]),
)
def test_a_plain_cell_fits_as_rich_text_would(
    cell: str, width: int, align: Any
) -> None:
    """A plain cell is cut and padded exactly as the same cell as rich text."""
    assert fit_plain_cell(cell, width, align) == fit_cell(cell, width, align).plain


def test_column_refuses_a_width_below_one() -> None:
    """A column 0 cells wide is refused with its title in the message."""
    with pytest.raises(ValueError, match="Balance"):
        Column("Balance", 0)


# --------------------------------------------------------------------------
# ListSource
# --------------------------------------------------------------------------


def test_list_source_pages_forward_and_backward_by_key() -> None:
    """Of keys 0 to 9, first(3) is 0-2, after(2, 3) is 3-5, before(3, 2) is 1-2."""
    source = small_source(10)
    assert keys(source.first(3)) == [0, 1, 2]
    assert source.first(3).has_more
    assert keys(source.after(2, 3)) == [3, 4, 5]
    assert keys(source.before(3, 2)) == [1, 2]
    assert source.before(3, 2).has_more
    assert not source.before(2, 2).has_more


def test_list_source_last_page_is_in_display_order() -> None:
    """Of keys 0 to 9, last(4) is 6, 7, 8, 9 with more rows before it."""
    page = small_source(10).last(4)
    assert keys(page) == [6, 7, 8, 9]
    assert page.has_more


def test_list_source_says_when_a_page_reaches_the_end() -> None:
    """Of keys 0 to 9, after(6, 3) is 7-9 and no more; after(9, 3) is empty."""
    source = small_source(10)
    assert keys(source.after(6, 3)) == [7, 8, 9]
    assert not source.after(6, 3).has_more
    assert source.after(9, 3) == Page((), False)


def test_list_source_sorts_rows_by_key() -> None:
    """Rows given as keys 3, 1, 2 page as 1, 2, 3."""
    source = ListSource(COLUMNS, [customer_row(3), customer_row(1), customer_row(2)])
    assert keys(source.first(10)) == [1, 2, 3]


def test_list_source_refuses_a_key_given_twice() -> None:
    """Two rows with key 7 are refused, naming the key."""
    with pytest.raises(ValueError, match="7"):
        ListSource(COLUMNS, [customer_row(7), customer_row(7)])


def test_list_source_filter_keeps_rows_matching_every_term() -> None:
    """Of 200 customers, "customer 0001" matches keys 1, 10 to 19 and 100 to 199."""
    source = small_source(200).with_filter("CUSTOMER 0001")
    assert keys(source.first(5)) == [1, 10, 11, 12, 13]
    assert keys(source.after(19, 2)) == [100, 101]
    assert keys(source.before(100, 3)) == [17, 18, 19]
    assert keys(source.last(2)) == [198, 199]


def test_list_source_filter_matches_terms_in_any_cell_and_order() -> None:
    """ "city 5 customer 00000" matches only customer 5, in City 5."""
    source = small_source(200).with_filter("city 5 customer 00000")
    page = source.first(10)
    assert keys(page) == [5]
    assert not page.has_more


def test_list_source_filters_do_not_stack() -> None:
    """Filtering "customer 000002" then "customer 000003" finds key 3 only."""
    source = small_source(10).with_filter("customer 000002")
    assert keys(source.with_filter("customer 000003").first(10)) == [3]


def test_list_source_estimate_counts_a_filter_only_once_it_has_run() -> None:
    """Ten rows estimate to 10; filter "7" is unknown until its first page, then 1."""
    source = small_source(10)
    assert source.estimated_count() == 10
    narrowed = source.with_filter("7")
    assert narrowed.estimated_count() is None
    assert keys(narrowed.first(5)) == [7]
    assert narrowed.estimated_count() == 1


@settings(max_examples=60, deadline=None)
@given(
    typed=st.lists(
        st.sampled_from(["c", "cu", "customer 0", "customer 00", "1", "2 1", "city"]),
        min_size=1,
        max_size=6,
    )
)
def test_list_source_filters_typed_in_a_row_match_a_fresh_source(
    typed: list[str],
) -> None:
    """Each filter finds the same rows as on a source that never saw another."""
    shared = small_source(300)
    for text in typed:
        fresh = small_source(300).with_filter(text)
        assert shared.with_filter(text).first(400) == fresh.first(400)


def test_list_source_is_a_row_source() -> None:
    """A ListSource can stand wherever a RowSource is expected."""
    source: RowSource = small_source(1)
    assert source.columns == COLUMNS


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(0, 120),
    limit=st.integers(1, 9),
    needle=st.sampled_from(["", "1", "2 7", "00005", "city 3", "nothing"]),
)
def test_list_source_paging_visits_every_match_once_in_both_directions(
    count: int, limit: int, needle: str
) -> None:
    """Paging by key from either end yields each matching row exactly once, in order."""
    source = small_source(count).with_filter(needle)
    expected = [
        n
        for n in range(count)
        if all(
            term in f"{n}\x1fcustomer {n:06d}\x1fcity {n % 97}\x1f0.00"
            for term in needle.split()
        )
    ]
    forward: list[int] = []
    page = source.first(limit)
    while True:
        forward.extend(keys(page))
        if not page.has_more:
            break
        page = source.after(forward[-1], limit)
    assert forward == expected

    backward: list[int] = []
    page = source.last(limit)
    while True:
        backward[:0] = keys(page)
        if not page.has_more:
            break
        page = source.before(backward[0], limit)
    assert backward == expected


# --------------------------------------------------------------------------
# RowWindow
# --------------------------------------------------------------------------


def fulfil(window: RowWindow, source: ListSource) -> None:
    """Answer every page the window wants, as the widget's workers would."""
    while True:
        if window.wants_after():
            window.append(source.after(window.rows[-1].key, window.chunk))
        elif window.wants_before():
            window.prepend(source.before(window.rows[0].key, window.chunk))
        else:
            return


def whole_list_window(source: ListSource, count: int, height: int) -> RowWindow:
    """Return a window holding every row at once, the reference for paging."""
    window = RowWindow(height)
    window.replace(source.first(max(count, 1)), from_end=False)
    return window


def paged_window(source: ListSource, height: int) -> RowWindow:
    """Return a window that loads small pages, started on the first page."""
    window = RowWindow(height, min_chunk=3)
    window.replace(source.first(window.chunk), from_end=False)
    fulfil(window, source)
    return window


def do_move(window: RowWindow, source: ListSource, move: tuple[str, int]) -> None:
    """Apply a key to a window the way the widget's actions do."""
    kind, amount = move
    if kind == "line":
        window.move(amount)
    elif kind == "page":
        window.move(amount * window.height, scroll=True)
    elif kind == "home":
        if window.at_start:
            window.to_first()
        else:
            window.hold()
            window.replace(source.first(window.chunk), from_end=False)
    elif window.at_end:
        window.to_last()
    else:
        window.hold()
        window.replace(source.last(window.chunk), from_end=True)


MOVES = st.one_of(
    st.tuples(st.just("line"), st.integers(-3, 3)),
    st.tuples(st.just("page"), st.sampled_from([-1, 1])),
    st.tuples(st.sampled_from(["home", "end"]), st.just(0)),
)


def top_key(window: RowWindow) -> Any:
    """Return the key of the row at the top of the view, or None."""
    in_view = window.rows_in_view()
    return in_view[0].key if in_view else None


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(0, 150),
    height=st.integers(1, 6),
    moves=st.lists(MOVES, max_size=40),
)
def test_paged_window_shows_what_a_whole_list_would(
    count: int, height: int, moves: list[tuple[str, int]]
) -> None:
    """After any keys, a window of small pages shows the same rows and cursor."""
    source = small_source(count)
    whole = whole_list_window(source, count, height)
    paged = paged_window(source, height)
    for move in moves:
        do_move(whole, source, move)
        do_move(paged, source, move)
        fulfil(paged, source)
        assert paged.cursor_row == whole.cursor_row
        assert top_key(paged) == top_key(whole)
        assert paged.view_position(count) == whole.view_position(count)
        assert len(paged.rows) <= paged.capacity + paged.chunk


@settings(max_examples=100, deadline=None)
@given(
    count=st.integers(0, 150),
    height=st.integers(1, 6),
    moves=st.lists(MOVES.filter(lambda m: m[0] in ("line", "page")), max_size=30),
)
def test_keys_pressed_before_pages_arrive_land_where_they_would_have(
    count: int, height: int, moves: list[tuple[str, int]]
) -> None:
    """Moves queued at the edge of the loaded rows are replayed once pages arrive."""
    source = small_source(count)
    whole = whole_list_window(source, count, height)
    paged = paged_window(source, height)
    for move in moves:
        do_move(whole, source, move)
        do_move(paged, source, move)
    fulfil(paged, source)
    assert not paged.has_queued_moves
    assert paged.cursor_row == whole.cursor_row
    assert top_key(paged) == top_key(whole)


def test_window_lets_go_of_rows_far_behind_the_cursor() -> None:
    """Paging down 1,000 customers 5 rows at a time holds at most 60 rows."""
    source = small_source(1000)
    window = paged_window(source, 5)
    # Pages of 15 rows (3 views of 5) and room for four of them.
    assert (window.chunk, window.capacity) == (15, 60)
    for _ in range(150):
        window.move(5, scroll=True)
        fulfil(window, source)
        assert len(window.rows) <= 60
    assert window.cursor_row == customer_row(750)


def test_window_from_the_end_knows_its_place_from_the_estimate() -> None:
    """After the last page of 1,000 rows with 5 in view, the top row is row 995."""
    source = small_source(1000)
    window = RowWindow(5, min_chunk=3)
    window.replace(source.last(window.chunk), from_end=True)
    assert window.view_position(1000) == (995, 1000)
    assert window.view_position(None) is None


def test_window_moves_queued_before_a_new_page_apply_to_it() -> None:
    """End then Up twice, with the last page arriving late, highlights row 997."""
    source = small_source(1000)
    window = paged_window(source, 5)
    window.hold()
    window.move(-1)
    window.move(-1)
    window.replace(source.last(window.chunk), from_end=True)
    assert window.cursor_row == customer_row(997)


# --------------------------------------------------------------------------
# The widget, driven by keys
# --------------------------------------------------------------------------


def pilot_test(
    scenario: Callable[..., Coroutine[Any, Any, None]],
) -> Callable[..., None]:
    """Run an async Pilot scenario as a plain test, fixtures included."""

    @functools.wraps(scenario)
    def test(*args: Any, **kwargs: Any) -> None:
        asyncio.run(scenario(*args, **kwargs))

    return test


class TableApp(App[None]):
    """A filter input above a virtual table, recording the table's messages."""

    def __init__(self, source: RowSource) -> None:
        super().__init__()
        self.source = source
        self.chosen: list[Any] = []
        self.highlighted: list[Any] = []
        self.failures: list[Exception] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter", compact=True, id="filter")
        yield VirtualTable(self.source, id="table")

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(VirtualTable).set_filter(event.value)

    def on_virtual_table_row_chosen(self, message: VirtualTable.RowChosen) -> None:
        self.chosen.append(message.key)

    def on_virtual_table_row_highlighted(
        self, message: VirtualTable.RowHighlighted
    ) -> None:
        self.highlighted.append(message.key)

    def on_virtual_table_load_failed(self, message: VirtualTable.LoadFailed) -> None:
        self.failures.append(message.error)


async def settle(pilot: Pilot[None]) -> VirtualTable:
    """Wait until every page the table asked for has arrived and been applied."""
    table = pilot.app.query_one(VirtualTable)
    for _ in range(1000):
        if not table.is_fetching:
            break
        await pilot.pause(0.01)
    else:
        raise AssertionError("the table never finished fetching")
    # One more turn lets the messages the table posted reach the app.
    await pilot.pause()
    return table


def screen_lines(table: VirtualTable) -> list[str]:
    """Return the text of every line the table draws, trailing blanks removed."""
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def cursor_lines(table: VirtualTable) -> list[str]:
    """Return the lines that carry the cursor marker."""
    return [line for line in screen_lines(table) if line.startswith(">")]


@pilot_test
async def test_first_page_shows_the_first_rows(customers: ListSource) -> None:
    """The table opens on customers 0 to 21 under a header, the cursor on 0."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        lines = screen_lines(table)
        assert table.size.height == ROWS_IN_VIEW + 1
        assert lines[0].split() == ["No.", "Customer", "City", "Balance"]
        assert lines[1].startswith(">      0 Customer 000000")
        assert lines[22].startswith("      21 Customer 000021")
        assert [row.key for row in table.rows_in_view] == list(range(22))
        assert app.highlighted == [0]
        assert len(cursor_lines(table)) == 1


@pilot_test
async def test_the_scrollbar_thumb_follows_the_view(customers: ListSource) -> None:
    """The one-cell thumb sits on the top row line at first and the bottom after End."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        # 22 rows in view out of 100,000 make a thumb of one cell.
        thumb_lines = [
            i for i, line in enumerate(screen_lines(table)) if line.endswith("█")
        ]
        assert thumb_lines == [1]
        await pilot.press("end")
        table = await settle(pilot)
        thumb_lines = [
            i for i, line in enumerate(screen_lines(table)) if line.endswith("█")
        ]
        assert thumb_lines == [22]


@pilot_test
async def test_the_table_fits_80_columns_and_widens_with_the_terminal(
    customers: ListSource,
) -> None:
    """Each line is 80 cells at 80 columns; at 120 the Customer column widens."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        assert {table.render_line(y).cell_length for y in range(23)} == {80}
        narrow_city_at = screen_lines(table)[0].index("City")
    app = TableApp(customers)
    async with app.run_test(size=(120, 24)) as pilot:
        table = await settle(pilot)
        assert {table.render_line(y).cell_length for y in range(23)} == {120}
        assert screen_lines(table)[0].index("City") > narrow_city_at


@pilot_test
async def test_end_shows_the_last_row(customers: ListSource) -> None:
    """End highlights customer 99,999 on the bottom line."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        table = await settle(pilot)
        lines = screen_lines(table)
        assert lines[22].startswith(">  99999 Customer 099999")
        assert lines[1].startswith("   99978 Customer 099978")
        assert table.highlighted_key == 99_999


@pilot_test
async def test_a_repaint_of_the_changed_lines_shows_what_a_full_one_would(
    customers: ListSource,
) -> None:
    """After line, page, End and Home keys each line equals a fresh drawing of it."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        region = table.size.region
        for key in ("down", "down", "pagedown", "up", "end", "up", "up", "home"):
            await pilot.press(key)
            table = await settle(pilot)
            kept = [list(strip) for strip in table.render_lines(region)]
            table._styles_cache.clear()
            fresh = [list(strip) for strip in table.render_lines(region)]
            assert kept == fresh, key


@pilot_test
async def test_home_after_end_returns_to_the_first_row(customers: ListSource) -> None:
    """End then Home highlights customer 0 again."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        await pilot.press("home")
        table = await settle(pilot)
        assert cursor_lines(table)[0].startswith(">      0 Customer 000000")


@pilot_test
async def test_page_down_moves_by_a_page(customers: ListSource) -> None:
    """PageDown twice shows customers 44 to 65 with the cursor on 44."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("pagedown")
        table = await settle(pilot)
        assert table.highlighted_key == 22
        await pilot.press("pagedown")
        table = await settle(pilot)
        lines = screen_lines(table)
        assert lines[1].startswith(">     44 Customer 000044")
        assert lines[22].startswith("      65 Customer 000065")


@pilot_test
async def test_many_page_downs_pressed_at_once_all_count(
    customers: ListSource,
) -> None:
    """Fifty PageDowns in a row highlight customer 1,100, whatever the fetch speed."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*["pagedown"] * 50)
        table = await settle(pilot)
        assert table.highlighted_key == 50 * 22
        await pilot.press("pageup", "up")
        table = await settle(pilot)
        assert table.highlighted_key == 49 * 22 - 1


@pilot_test
async def test_up_and_down_move_the_cursor_one_row(customers: ListSource) -> None:
    """Down three times and Up once highlights customer 2 and reports each step."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "up")
        table = await settle(pilot)
        assert cursor_lines(table)[0].startswith(">      2 Customer 000002")
        assert app.highlighted == [0, 1, 2, 3, 2]


@pilot_test
async def test_the_cursor_row_and_the_header_carry_their_colours(
    customers: ListSource,
) -> None:
    """The highlighted row has the cursor's background, the header the header's."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        cursor = table.get_visual_style("virtual-table--cursor").rich_style
        header = table.get_visual_style("virtual-table--header").rich_style
        plain = table.get_visual_style().rich_style
        assert cursor.bgcolor != plain.bgcolor
        body_width = table.size.width - 1
        for y, style in ((0, header), (1, cursor), (2, plain)):
            strip = table.render_line(y).crop(0, body_width)
            assert {segment.style.bgcolor for segment in strip} == {style.bgcolor}
        assert {segment.style.bold for segment in table.render_line(0)} == {True}


@pilot_test
async def test_enter_posts_row_chosen_with_the_key(customers: ListSource) -> None:
    """PageDown, Down, Enter chooses customer 23."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("pagedown", "down", "enter")
        await settle(pilot)
        assert app.chosen == [23]


@pilot_test
async def test_enter_right_after_end_chooses_the_last_row(
    customers: ListSource,
) -> None:
    """End, Up, Enter pressed before the last page arrives chooses customer 99,998."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end", "up", "enter")
        await settle(pilot)
        assert app.chosen == [99_998]


@pilot_test
async def test_a_typed_filter_shows_only_matching_rows(customers: ListSource) -> None:
    """Typing "customer 00012" leaves customer 12 and customers 120 to 129."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one(Input).focus()
        await pilot.press(*"customer 00012")
        table = await settle(pilot)
        shown = [row.key for row in table.rows_in_view]
        assert shown == [12, *range(120, 130)]
        lines = screen_lines(table)
        assert lines[1].startswith(">     12 Customer 000012")
        assert lines[12] == ""
        assert table.highlighted_key == 12


@pilot_test
async def test_a_filter_without_matches_says_so(customers: ListSource) -> None:
    """A filter matching nothing shows "No rows match" under the header."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one(VirtualTable).set_filter("no such customer")
        table = await settle(pilot)
        assert screen_lines(table)[1].strip() == "No rows match"
        assert table.highlighted_key is None
        assert app.highlighted[-1] is None
        await pilot.press("down", "end", "enter")
        await settle(pilot)
        assert app.chosen == []


@pilot_test
async def test_an_empty_list_says_it_has_no_rows() -> None:
    """A source without rows shows "No rows" under the header."""
    app = TableApp(small_source(0))
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        assert screen_lines(table)[1].strip() == "No rows"


class GatedSource:
    """A source whose pages for one filter wait until the test lets them go."""

    def __init__(self, inner: ListSource, slow_filter: str) -> None:
        self.inner = inner
        self.slow_filter = slow_filter
        self.gate = threading.Event()
        self.slow = False

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(self.inner.columns)

    def with_filter(self, text: str) -> GatedSource:
        narrowed = GatedSource(self.inner.with_filter(text), self.slow_filter)
        narrowed.gate = self.gate
        narrowed.slow = text == self.slow_filter
        return narrowed

    def estimated_count(self) -> int | None:
        return self.inner.estimated_count()

    def _wait(self) -> None:
        if self.slow:
            self.gate.wait(timeout=30)

    def first(self, limit: int) -> Page:
        self._wait()
        return self.inner.first(limit)

    def last(self, limit: int) -> Page:
        self._wait()
        return self.inner.last(limit)

    def after(self, key: Any, limit: int) -> Page:
        self._wait()
        return self.inner.after(key, limit)

    def before(self, key: Any, limit: int) -> Page:
        self._wait()
        return self.inner.before(key, limit)


@pilot_test
async def test_a_stale_page_never_overtakes_a_newer_filter(
    customers: ListSource,
) -> None:
    """The page for "city 1" arriving after "city 2" was shown is thrown away."""
    source = GatedSource(customers, slow_filter="city 1")
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        table.set_filter("city 1")
        table.set_filter("city 2")
        table = await settle(pilot)
        assert table.highlighted_key == 2
        source.gate.set()
        await pilot.app.workers.wait_for_complete()
        table = await settle(pilot)
        assert table.highlighted_key == 2
        assert cursor_lines(table)[0].startswith(">      2 Customer 000002")


class HeldSource:
    """A source whose filtered first pages wait until the test lets them go."""

    def __init__(self, inner: ListSource, asked: list[str] | None = None) -> None:
        self.inner = inner
        self.text = ""
        self.asked: list[str] = [] if asked is None else asked
        self.gate = threading.Event()

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(self.inner.columns)

    def with_filter(self, text: str) -> HeldSource:
        narrowed = HeldSource(self.inner.with_filter(text), self.asked)
        narrowed.text, narrowed.gate = text, self.gate
        return narrowed

    def estimated_count(self) -> int | None:
        return self.inner.estimated_count()

    def first(self, limit: int) -> Page:
        if self.text:
            self.asked.append(self.text)
            self.gate.wait(timeout=30)
        return self.inner.first(limit)

    def last(self, limit: int) -> Page:
        return self.inner.last(limit)

    def after(self, key: Any, limit: int) -> Page:
        return self.inner.after(key, limit)

    def before(self, key: Any, limit: int) -> Page:
        return self.inner.before(key, limit)


@pilot_test
async def test_a_burst_of_keys_asks_a_slow_source_for_the_newest_filter_only(
    customers: ListSource,
) -> None:
    """Two lookups run at once; of the filters typed meanwhile only the last runs."""
    source = HeldSource(customers)
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        for text in ("c", "ci", "cit", "city", "city 2"):
            table.set_filter(text)
        for _ in range(200):
            if len(source.asked) == 2:
                break
            await asyncio.sleep(0.01)
        await pilot.press("down")
        assert source.asked == ["c", "ci"]
        assert table.is_fetching
        source.gate.set()
        table = await settle(pilot)
        assert source.asked == ["c", "ci", "city 2"]
        assert table.filter_text == "city 2"
        # The Down pressed while the lookups ran applies to the newest rows.
        assert table.highlighted_key == 12


class FailingSource(ListSource):
    """A source whose every page fails, as a lost database connection would."""

    def first(self, limit: int) -> Page:
        raise ConnectionError("database went away")


@pilot_test
async def test_a_failing_source_shows_a_message_and_reports_the_error() -> None:
    """A source that raises shows "Rows could not be loaded" and posts LoadFailed."""
    app = TableApp(FailingSource(COLUMNS, [customer_row(1)]))
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        assert screen_lines(table)[1].strip() == "Rows could not be loaded"
        assert [type(error) for error in app.failures] == [ConnectionError]


@pilot_test
async def test_a_marked_cell_shows_its_text(customers: ListSource) -> None:
    """A cell given as red Rich text "HOLD" is drawn with its word."""
    marked = ListSource(
        (Column("No.", 4), Column("Credit", 8)),
        [Row(1, ("1", Text.assemble(("HOLD", "red")))), Row(2, ("2", "open"))],
    )
    app = TableApp(marked)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        lines = screen_lines(table)
        assert lines[1].split() == [">", "1", "HOLD"]
        assert lines[2].split() == ["2", "open"]


@pilot_test
async def test_a_click_highlights_a_row(customers: ListSource) -> None:
    """Clicking the fifth row line highlights customer 4."""
    app = TableApp(customers)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("#table", offset=(10, 5))
        table = await settle(pilot)
        assert table.highlighted_key == 4


def test_every_binding_has_a_description_and_an_id() -> None:
    """Each of the table's keys carries a description and an id for keymaps."""
    for binding in VirtualTable.BINDINGS:
        assert binding.description
        assert binding.id and binding.id.startswith("virtual_table.")


class CountingSource(ListSource):
    """A list that counts the first pages it is asked for."""

    first_pages = 0

    def first(self, limit: int) -> Page:
        CountingSource.first_pages += 1
        return super().first(limit)


class EarlyApp(TableApp):
    """The table's first page is asked for while the app composes it."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter", compact=True, id="filter")
        table = VirtualTable(self.source, id="table")
        table.load_early(self)
        yield table


@pilot_test
async def test_a_first_page_asked_for_early_is_shown_without_asking_again() -> None:
    """The early page shows customers 0 to 21, and no second page is asked for."""
    CountingSource.first_pages = 0
    app = EarlyApp(CountingSource(COLUMNS, (customer_row(n) for n in range(1000))))
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        lines = screen_lines(table)
        assert lines[1].startswith(">      0 Customer 000000")
        assert lines[22].startswith("      21 Customer 000021")
        assert app.highlighted == [0]
        assert CountingSource.first_pages == 1


@pilot_test
async def test_an_early_page_that_arrives_after_the_mount_is_shown(
    customers: ListSource,
) -> None:
    """The early lookup held back until the table is up still fills it."""
    source = GatedSource(customers, "")
    source.slow = True
    app = EarlyApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        assert table.is_fetching and table.rows_in_view == []
        source.gate.set()
        table = await settle(pilot)
        assert screen_lines(table)[1].startswith(">      0 Customer 000000")
        assert app.highlighted == [0]


@pilot_test
async def test_an_early_page_that_fails_shows_the_message() -> None:
    """A failing early lookup shows "Rows could not be loaded" and posts LoadFailed."""
    app = EarlyApp(FailingSource(COLUMNS, [customer_row(1)]))
    async with app.run_test(size=(80, 24)) as pilot:
        table = await settle(pilot)
        assert screen_lines(table)[1].strip() == "Rows could not be loaded"
        assert [type(error) for error in app.failures] == [ConnectionError]
