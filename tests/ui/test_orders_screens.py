"""Order entry's screens driven by keys on the demo dealership."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Input, OptionList, Static

from dealer_tui.core.db import Database
from dealer_tui.orders.models import Order, StockUnit
from dealer_tui.orders.views import order_view
from dealer_tui.ui.screens import parts_counter
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.screens.order import OrderScreen
from dealer_tui.ui.screens.order_list import OrderListScreen
from dealer_tui.ui.screens.parts_counter import PartsCounterScreen
from dealer_tui.ui.screens.stock_units import StockListScreen
from dealer_tui.ui.screens.unit_picker import UnitPicker
from dealer_tui.ui.widgets import virtual_table
from dealer_tui.ui.widgets.form import FormScreen
from dealer_tui.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import settle, signed_in_app


def _shown(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def _cells(table: VirtualTable) -> list[list[str]]:
    return [
        [c if isinstance(c, str) else c.plain for c in row.cells]
        for row in table.rows_in_view
    ]


def _order_id(db: Database, customer_name: str, state: str) -> int:
    from dealer_tui.accounts.models import Account

    with db.read() as session:
        found = session.scalar(
            select(Order.id)
            .join(Account, Account.id == Order.account_id)
            .where(Account.name == customer_name, Order.state == state)
        )
    assert found is not None
    return found


async def test_the_sales_office_sees_held_and_ready_orders(demo_db: Database) -> None:
    """Jo's today lists Westgate's order ON HOLD and Walker's ready truck."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        held = app.screen.query_one("#panel-orders_on_hold")
        assert "Orders on credit hold · 1" in str(held.query_one(Static).render())
        first = str(held.query_one(OptionList).get_option_at_index(0).prompt)
        assert first.startswith("HOLD SO2026-000003 Westgate Concrete Pumping")
        ready = app.screen.query_one("#panel-orders_ready")
        row = str(ready.query_one(OptionList).get_option_at_index(0).prompt)
        assert row == "08/12/26 SO2026-000001 Walker Family Farms"


async def test_the_counter_sees_todays_parts_sales(demo_db: Database) -> None:
    """Chris's today lists the two parts sales of the morning, one sold."""
    app = signed_in_app(demo_db, "chris.counter")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#panel-parts_sales_today")
        rows = panel.query_one(OptionList)
        texts = [str(rows.get_option_at_index(i).prompt) for i in range(2)]
        assert texts[1].startswith("PS2026-000001 Grampians Tipper Hire")
        assert texts[1].endswith("· sold")
        assert texts[0].endswith("· reserved")


async def test_the_order_list_filters_by_state_and_week(demo_db: Database) -> None:
    """'week:2026-W50' keeps the three trucks planned that week; Enter opens one."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)
        table = app.screen.query_one(VirtualTable)
        await pilot.press(*"week:2026-W50")
        await settle(pilot)
        rows = _cells(table)
        assert [row[0] for row in rows] == [
            "SO2026-000001",
            "SO2026-000002",
            "SO2026-000005",
        ]
        assert "delivery week 2026-W50 (07/12-13/12)" in _shown(
            app.screen, "#order-filter-help"
        )
        await pilot.press(*" state:ready coastal")
        await settle(pilot)
        assert [row[:2] for row in _cells(table)] == [["SO2026-000002", "READY"]]
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.order is not None
        assert app.screen.order.number == "SO2026-000002"
        assert "Unit 1M1AN07Y5TM300311" in _shown(app.screen, "#order-delivery")


async def test_a_manager_releases_the_hold_by_keys(demo_db: Database) -> None:
    """Jo cannot release; Mike presses h, types why, and the hold is gone."""
    order_id = _order_id(demo_db, "Westgate Concrete Pumping", "confirmed")
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("order", order_id)
        await settle(pilot)
        screen = app.screen
        assert _shown(screen, "#order-credit").startswith("Credit: ON HOLD: exposure")
        assert screen.check_action("release_hold", ()) is False
        assert screen.check_action("allocate", ()) is None
        assert "Factory order, Allocate: The order is ON HOLD" in _shown(
            screen, "#order-why"
        )
    app = signed_in_app(demo_db, "mike.manager")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("order", order_id)
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"Director's guarantee signed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert _shown(app.screen, "#order-credit") == (
            "Credit: released by Mike Delaney (Director's guarantee signed)"
        )
        assert "Mike Delaney: credit hold released" in _shown(
            app.screen, "#order-history"
        )


async def test_a_truck_is_allocated_from_the_picker(demo_db: Database) -> None:
    """Burke Grain's order takes the FH 540 still in stock: u, then Enter."""
    order_id = _order_id(demo_db, "Burke Grain Carriers", "confirmed")
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("order", order_id)
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker)
        first = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert first.startswith("YV2RT40A2TB410022  Volvo FH 540 prime mover 2026")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.order is not None
        assert app.screen.order.state.value == "allocated"
        assert "Unit YV2RT40A2TB410022" in _shown(app.screen, "#order-delivery")
    with demo_db.read() as session:
        unit = session.scalars(
            select(StockUnit).where(StockUnit.vin == "YV2RT40A2TB410022")
        ).one()
        assert unit.status == "allocated"


async def test_an_order_is_entered_by_keyboard(demo_db: Database) -> None:
    """Ctrl+N, a bad price marked at its field, corrected, then the new order."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"C000394")
        await pilot.press("tab")
        await pilot.press(*"Volvo FMX 500 8x4 tipper")
        await pilot.press("tab", "tab")
        await pilot.press(*"2x5000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.query_one("#f-unit_price", Input).has_class("-invalid")
        assert _shown(form, "#p-unit_price") == "✗ '2x5000' is not an amount"
        form.query_one("#f-unit_price", Input).value = "295000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        order = app.screen.order
        assert order is not None and order.number == "SO2026-000007"
        assert order.customer_name == "Deniliquin Sand & Gravel"
        assert str(order.payable) == "324500.00"
        await pilot.press("f")
        await settle(pilot)
        assert app.screen.order.state.value == "confirmed"  # type: ignore[union-attr]
        assert _shown(app.screen, "#order-credit") == (
            "Credit: OK: within the credit limit and terms"
        )


async def test_parts_are_looked_up_added_and_reserved(demo_db: Database) -> None:
    """Chris starts a sale, finds 'air filter', adds two and reserves them."""
    app = signed_in_app(demo_db, "chris.counter")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PartsCounterScreen)
        assert screen.check_action("reserve", ()) is None
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"C000201")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _shown(screen, "#counter-sale").startswith("Sale PS2026-000003")
        screen.query_one("#list-filter", Input).focus()
        await pilot.press(*"air filter")
        await settle(pilot)
        rows = _cells(screen.query_one(VirtualTable))
        assert [row[0] for row in rows] == ["21834199"]
        assert rows[0][-1] == "138.90"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#f-quantity", Input).value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "RESERVED" in _shown(screen, "#counter-sale")
        assert _shown(screen, "#counter-lines") == (
            "1. 21834199 Air filter element x2 at 138.90: 2 reserved"
        )


async def test_the_stock_list_shows_the_truck_on_its_way(demo_db: Database) -> None:
    """'on order' keeps the FH16 due on 18 January for Mitchell Civil's order."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StockListScreen)
        await pilot.press(*"on order")
        await settle(pilot)
        rows = _cells(app.screen.query_one(VirtualTable))
        assert rows == [
            [
                "YV2RT70A2VB412230",
                "Volvo FH16 700 prime mover",
                "2027",
                "BNE",
                "ON ORDER",
                "due 18/01/27",
                "F-BNE-2291",
            ]
        ]
        # Enter on a truck not yet allocated says so, and nothing more.
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, StockListScreen)
        assert [n.message for n in app._notifications] == [
            "This truck is not allocated to an order."
        ]


async def test_the_counter_cannot_enter_truck_orders(demo_db: Database) -> None:
    """Chris sees the order list but no New order key; the rep sees no counter."""
    app = signed_in_app(demo_db, "chris.counter")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.check_action("new_order", ()) is False
        assert app.screen.check_action("new_sale", ()) is True


def _count_first_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The filter text of every first page the lists ask their source for."""
    asked: list[str] = []
    call_source = virtual_table._call_source

    def counted(source: Any, kind: str, anchor: Any, limit: int) -> Any:
        if kind == "first":
            asked.append(source._text)
        return call_source(source, kind, anchor, limit)

    monkeypatch.setattr(virtual_table, "_call_source", counted)
    return asked


def _count_list_mounts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The screens whose list-screen mount (the filter's focus) has run."""
    mounted: list[str] = []
    mount = ListScreen.on_mount

    def counted(screen: ListScreen) -> None:
        mounted.append(type(screen).__name__)
        mount(screen)

    monkeypatch.setattr(ListScreen, "on_mount", counted)
    return mounted


async def test_each_key_in_the_order_filter_asks_the_source_once(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen mounts once; 'abc' asks for a first page 3 times, one per key."""
    asked = _count_first_pages(monkeypatch)
    explained: list[str] = []
    explain = OrderListScreen._explain

    def counted_explain(screen: OrderListScreen, text: str) -> None:
        explained.append(text)
        explain(screen, text)

    monkeypatch.setattr(OrderListScreen, "_explain", counted_explain)
    mounted = _count_list_mounts(monkeypatch)
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)
        assert mounted == ["OrderListScreen"]
        assert explained == [""]
        asked.clear()
        for key in "abc":
            await pilot.press(key)
            await settle(pilot)
        assert asked == ["a", "ab", "abc"]
        assert explained == ["", "a", "ab", "abc"]


async def test_the_parts_counter_opens_a_sale_once(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened on PS2026-000001 it mounts and reads the sale once; 'abc' asks 3."""
    with demo_db.read() as session:
        sale_id = session.scalar(
            select(Order.id).where(Order.number == "PS2026-000001")
        )
    assert sale_id is not None
    asked = _count_first_pages(monkeypatch)
    read: list[int] = []

    def counted_view(db: Database, actor: Any, order_id: int) -> Any:
        read.append(order_id)
        return order_view(db, actor, order_id)

    monkeypatch.setattr(parts_counter, "order_view", counted_view)
    mounted = _count_list_mounts(monkeypatch)
    app = signed_in_app(demo_db, "chris.counter")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.push_screen(PartsCounterScreen(sale_id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PartsCounterScreen)
        assert mounted == ["PartsCounterScreen"]
        assert read == [sale_id]
        assert _shown(screen, "#counter-sale").startswith("Sale PS2026-000001")
        assert isinstance(screen.focused, Input)
        asked.clear()
        for key in "abc":
            await pilot.press(key)
            await settle(pilot)
        assert asked == ["a", "ab", "abc"]
