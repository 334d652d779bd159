"""The order list: filter as you type by state, customer, rep and week."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from dealer_tui.core.auth import Permission
from dealer_tui.core.money import show_money
from dealer_tui.orders.filtering import describe, parse_filter
from dealer_tui.orders.views import OrderLine_, order_page
from dealer_tui.ui.screens import order_entry
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets.form import FormScreen
from dealer_tui.ui.widgets.service_source import ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column, VirtualTable

FILTER_HELP = (
    "Type an order number or a customer; narrow with state:confirmed (or "
    "open, ready, factory), rep:sam (or me), week:2026-W50, kind:parts, hold"
)


class OrderListScreen(ListScreen):
    """Orders and parts sales; type to filter, Enter opens, Ctrl+N enters one."""

    CSS_PATH = css("order_list")
    TITLE = "Orders"
    BINDINGS = [
        Binding("ctrl+n", "new_order", "New order", id="new_order"),
        Binding("ctrl+k", "new_sale", "New parts sale", id="new_sale"),
    ]
    record_kind = "order"
    placeholder = "Number or customer; state:, rep:, week:, kind:, hold"

    def make_source(self) -> ServiceSource:
        def cells(line: OrderLine_) -> tuple[str | Text, ...]:
            day = f"{line.planned_delivery:%d/%m/%y}" if line.planned_delivery else ""
            hold = Text("HOLD", style="bold") if line.credit_hold else ""
            return (
                line.number,
                line.state_mark,
                line.customer,
                line.rep,
                day,
                show_money(line.payable),
                hold,
            )

        app: Any = self.app
        return ServiceSource(
            [
                Column("Number", 13),
                Column("State", 9),
                Column("Customer", 14, flex=3),
                Column("Rep", 8, flex=1),
                Column("Delivery", 8),
                Column("Payable", 13, align="right"),
                Column("Credit", 6),
            ],
            partial(order_page, app.db, app.actor),
            cells,
        )

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, id="list-filter")
        yield Static("", id="order-filter-help", markup=False)
        yield VirtualTable(
            self.make_source(),
            id="list-table",
            empty_message="There are no orders yet: Ctrl+N enters one.",
            no_match_message="No order matches the filter.",
        )

    # Textual calls the list screen's own mount and filter handlers as well,
    # so these add only the explanation: the list is filtered once a key.
    def on_mount(self) -> None:
        self._explain("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._explain(event.value)

    def _explain(self, text: str) -> None:
        wanted = parse_filter(text)
        if wanted.problems:
            line = "✗ " + "; ".join(wanted.problems)
        elif not text.strip():
            line = FILTER_HELP
        else:
            line = f"Showing {describe(wanted)}"
        self.query_one("#order-filter-help", Static).update(line)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.app.actor  # type: ignore[attr-defined]
        if action == "new_order":
            return actor.can(Permission.ENTER_ORDERS)
        if action == "new_sale":
            return actor.can(Permission.SELL_PARTS)
        return super().check_action(action, parameters)

    def action_new_order(self) -> None:
        self.app.push_screen(
            FormScreen(*order_entry.new_order_form(self.app)), self._created
        )

    def action_new_sale(self) -> None:
        self.app.push_screen(
            FormScreen(*order_entry.new_sale_form(self.app)), self._created
        )

    def _created(self, order_id: int | None) -> None:
        if order_id is None:
            return
        self.query_one(VirtualTable).reload()
        self.app.open_record("order", order_id)  # type: ignore[attr-defined]
