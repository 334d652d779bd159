"""The parts counter: look a part up, add it to the customer's sale, sell.

The clerk types the start of a part number or words of its description;
each row shows the stock at the clerk's branch (on hand, reserved and
available) and the price.  Enter adds the part under the cursor to the
open sale; Ctrl+R reserves the sale's parts, Ctrl+L sells them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from dealer_tui.core.auth import Permission
from dealer_tui.core.money import show_money
from dealer_tui.orders.counter import sell
from dealer_tui.orders.services import confirm_order
from dealer_tui.orders.states import OrderKind
from dealer_tui.orders.views import OrderLineView, OrderView, order_view
from dealer_tui.parts.counter import counter_part_page
from dealer_tui.parts.services import PartLine, show_quantity
from dealer_tui.ui.screens import order_entry
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets.form import FormScreen
from dealer_tui.ui.widgets.service_source import RecordKey, ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column, VirtualTable
from dealer_tui.ui.work import run_service


def _line_text(line: OrderLineView) -> str:
    """'1. 21707134 Oil filter x2 at 45.60: 2 reserved'."""
    head = (
        f"{line.position}. {line.code} {line.description} "
        f"x{show_quantity(line.quantity)} at {line.unit_price:,.2f}"
    )
    held = line.part_text.rpartition(": ")[2] if line.part_text else ""
    return f"{head}: {held}" if held else head


class PartsCounterScreen(ListScreen):
    """Parts by number or description with stock and price; Enter adds to the sale."""

    CSS_PATH = css("parts_counter")
    TITLE = "Parts counter"
    BINDINGS = [
        Binding("ctrl+n", "new_sale", "New sale", id="new_sale"),
        Binding("ctrl+r", "reserve", "Reserve", id="reserve"),
        Binding("ctrl+l", "sell", "Sell", id="sell"),
        Binding("ctrl+o", "open_sale", "Open sale", id="open_sale"),
    ]
    placeholder = "Part number or description, e.g. 2183 or air filter"

    def __init__(self, order_id: int | None = None) -> None:
        super().__init__()
        self.sale: OrderView | None = None
        self._start_with = order_id

    @property
    def _app(self) -> Any:
        return self.app

    def make_source(self) -> ServiceSource:
        def cells(line: PartLine) -> tuple[str | Text, ...]:
            free = show_quantity(line.available)
            return (
                line.part_number,
                line.description,
                line.bin,
                show_quantity(line.on_hand),
                show_quantity(line.reserved),
                Text(f"{free} NONE", style="bold") if not line.available else free,
                f"{line.unit_price:,.2f}",
            )

        app = self._app
        return ServiceSource(
            [
                Column("Part", 10),
                Column("Description", 14, flex=3),
                Column("Bin", 8),
                Column("On hand", 7, align="right"),
                Column("Resvd", 5, align="right"),
                Column("Avail", 7, align="right"),
                Column("Price", 9, align="right"),
            ],
            partial(counter_part_page, app.db, app.actor, app.actor.branch_id),
            cells,
        )

    def compose_body(self) -> ComposeResult:
        yield Static("", id="counter-sale")
        yield Input(placeholder=self.placeholder, id="list-filter")
        yield VirtualTable(
            self.make_source(),
            id="list-table",
            empty_message="The parts catalogue is empty.",
            no_match_message="No part matches.",
        )
        yield Static("", id="counter-lines")

    def on_mount(self) -> None:
        # Textual calls the list screen's own on_mount (the filter's focus) too.
        if self._start_with is not None:
            self._load(self._start_with)
        else:
            self._show_sale()

    def _load(self, order_id: int) -> None:
        run_service(
            self, order_view, self._app.db, self._app.actor, order_id, done=self._opened
        )

    def _opened(self, view: OrderView | None) -> None:
        if view is not None:
            self.sale = view
        self._show_sale()
        self.query_one(VirtualTable).reload()

    def _show_sale(self) -> None:
        head = self.query_one("#counter-sale", Static)
        lines = self.query_one("#counter-lines", Static)
        view = self.sale
        if view is None:
            head.update("No sale open: Ctrl+N starts one for a customer.")
            lines.update("")
        else:
            hold = f" · CREDIT {view.credit_status}" if view.credit_hold else ""
            head.update(
                f"Sale {view.number} · {view.customer_name} · "
                f"{view.state_title.upper()} · {show_money(view.payable)}{hold}"
            )
            lines.update(
                "\n".join(_line_text(line) for line in view.lines)
                or "No parts on the sale yet: Enter on a part adds it."
            )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        selling = action in ("new_sale", "reserve", "sell")
        if selling and not self._app.actor.can(Permission.SELL_PARTS):
            return False
        view = self.sale
        moves = {"reserve": "confirm", "sell": "sell"}
        if action in moves:
            allowed = view is not None and view.moves[moves[action]].allowed
            return True if allowed else None
        if action == "open_sale":
            return True if view is not None else None
        return super().check_action(action, parameters)

    def on_virtual_table_row_chosen(self, event: VirtualTable.RowChosen) -> None:
        # This screen's own meaning of Enter: not the list's "open the record".
        event.prevent_default()
        key = event.key
        if not isinstance(key, RecordKey):
            return
        if not self._app.actor.can(Permission.SELL_PARTS):
            self.notify("Your role may look parts up but not sell them.")
            return
        view = self.sale
        if view is None or view.kind is not OrderKind.PARTS:
            self.notify("Start a sale first: Ctrl+N.", severity="warning")
            return
        if not view.moves["add_line"].allowed:
            self.notify(view.moves["add_line"].reason, severity="warning")
            return
        form = order_entry.add_part_form(self._app, view, str(key.sort[0]))
        self.app.push_screen(FormScreen(*form), self._added)

    def _added(self, view: OrderView | None) -> None:
        if view is not None:
            self.notify(f"Added; the sale is {show_money(view.payable)}.")
            self._opened(view)

    def action_new_sale(self) -> None:
        self.app.push_screen(
            FormScreen(*order_entry.new_sale_form(self._app)), self._started
        )

    def _started(self, order_id: int | None) -> None:
        if order_id is not None:
            self._load(order_id)

    def action_reserve(self) -> None:
        view = self.sale
        if view is None:
            return
        run_service(
            self,
            confirm_order,
            self._app.db,
            self._app.actor,
            view.id,
            view.version,
            self._app.frozen_clock,
            done=self._reserved,
        )

    def _reserved(self, view: OrderView) -> None:
        short = [line for line in view.lines if "SHORT" in line.part_text]
        self.notify(
            f"Reserved; {len(short)} line(s) SHORT." if short else "Reserved in full."
        )
        self._opened(view)

    def action_sell(self) -> None:
        view = self.sale
        if view is None:
            return
        run_service(
            self,
            sell,
            self._app.db,
            self._app.actor,
            view.id,
            view.version,
            self._app.frozen_clock,
            done=self._sold,
        )

    def _sold(self, view: OrderView) -> None:
        self.notify(f"Sold {view.number}: {show_money(view.payable)}.")
        self._opened(view)

    def action_open_sale(self) -> None:
        if self.sale is not None:
            self._app.open_record("order", self.sale.id)
