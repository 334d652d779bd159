"""Trucks in stock and on their way: type a VIN, a make, a branch or a status."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.binding import Binding

from dealer_tui.core.auth import Permission
from dealer_tui.orders.stock import ReceiptReport, UnitLine, receive_unit, unit_page
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.widgets.service_source import RecordKey, ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column, VirtualTable

STATUS_WORDS = {
    "on_order": "ON ORDER",
    "in_stock": "IN STOCK",
    "allocated": "ALLOCATED",
    "delivered": "DELIVERED",
}


def _when(line: UnitLine) -> str:
    if line.received_on:
        return f"{line.received_on:%d/%m/%y}"
    if line.expected_arrival:
        return f"due {line.expected_arrival:%d/%m/%y}"
    return ""


class StockListScreen(ListScreen):
    """Stock trucks by VIN; Enter opens the order a truck is allocated to."""

    CSS_PATH = css("stock_units")
    TITLE = "Trucks in stock"
    BINDINGS = [Binding("ctrl+n", "receive", "Receive truck", id="receive")]
    placeholder = "VIN (start or last 6), make, model, branch, in stock, on order"

    def __init__(self) -> None:
        # The order each truck on the loaded pages is allocated to, by its id.
        self._orders: dict[int, int | None] = {}
        super().__init__()

    def make_source(self) -> ServiceSource:
        def cells(line: UnitLine) -> tuple[str | Text, ...]:
            self._orders[line.id] = line.order_id
            status = STATUS_WORDS.get(line.status, line.status)
            return (
                line.vin,
                f"{line.make} {line.model}",
                str(line.model_year or ""),
                line.branch_code,
                Text(status, style="bold") if line.status == "in_stock" else status,
                _when(line),
                line.order_number or line.factory_order_ref,
            )

        app: Any = self.app
        return ServiceSource(
            [
                Column("VIN", 17),
                Column("Truck", 12, flex=3),
                Column("Year", 4, align="right"),
                Column("Br", 3),
                Column("Status", 9),
                Column("Since", 9),
                Column("Order", 13),
            ],
            partial(unit_page, app.db, app.actor),
            cells,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "receive":
            return self.app.actor.can(Permission.MANAGE_STOCK)  # type: ignore[attr-defined]
        return super().check_action(action, parameters)

    def on_virtual_table_row_chosen(self, event: VirtualTable.RowChosen) -> None:
        # This screen's own meaning of Enter: not the list's "open the record".
        event.prevent_default()
        key = event.key
        if not isinstance(key, RecordKey):
            return
        order_id = self._orders.get(key.record_id)
        if order_id is None:
            self.notify("This truck is not allocated to an order.")
            return
        self.app.open_record("order", order_id)  # type: ignore[attr-defined]

    def action_receive(self) -> None:
        app: Any = self.app

        def save(values: dict[str, Any]) -> ReceiptReport:
            return receive_unit(app.db, app.actor, values, app.frozen_clock)

        branch = app.workplace.branch_code if app.workplace else ""
        fields = [
            Field("vin", "VIN", "", "17 characters"),
            Field("make", "Make", ""),
            Field("model", "Model", ""),
            Field("model_year", "Model year", ""),
            Field("branch", "Branch", branch),
            Field("cost", "Cost ($)", ""),
            Field("received_on", "Received on", "", "blank for today"),
            Field("factory_order_ref", "Factory order", "", "if it was ordered"),
        ]
        self.app.push_screen(
            FormScreen("Receive a truck into stock", fields, save), self._received
        )

    def _received(self, report: ReceiptReport | None) -> None:
        if report is None:
            return
        self.query_one(VirtualTable).reload()
        self.notify(report.summary(), timeout=8)
