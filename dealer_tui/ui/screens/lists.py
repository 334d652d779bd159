"""List screens: type to filter, arrows to move, Enter to open."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from dealer_tui.accounts.services import CustomerLine, customer_page
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.widgets.service_source import RecordKey, ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column, VirtualTable
from dealer_tui.vehicles.services import VehicleLine, vehicle_page


class ListScreen(WorkScreen):
    """A filter box above a list; typing narrows the list at once."""

    CSS_PATH = css("lists")
    BINDINGS = [
        Binding("ctrl+f", "focus_filter", "Filter", id="filter"),
        Binding("down", "focus_list", "To the list", show=False, id="to_list"),
    ]
    record_kind = ""
    placeholder = "Type to filter"

    def make_source(self) -> ServiceSource:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        yield Input(
            placeholder=self.placeholder, id="list-filter", select_on_focus=False
        )
        table = VirtualTable(
            self.make_source(),
            id="list-table",
            empty_message="The list is empty.",
            no_match_message="Nothing matches.",
        )
        # The first page is asked for while the screen is still being made.
        table.load_early(self)
        yield table

    def on_mount(self) -> None:
        self.query_one("#list-filter", Input).focus()

    def on_key(self, event: events.Key) -> None:
        # Typing while the list has the cursor goes on filtering, as it would
        # in the filter box.
        if (
            isinstance(self.focused, VirtualTable)
            and event.is_printable
            and event.character
        ):
            box = self.query_one("#list-filter", Input)
            box.focus()
            box.cursor_position = len(box.value)
            box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(VirtualTable).set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_focus_list()

    def action_focus_filter(self) -> None:
        self.query_one("#list-filter", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one(VirtualTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_list":
            return isinstance(self.focused, Input)
        return True

    def on_virtual_table_row_chosen(self, event: VirtualTable.RowChosen) -> None:
        key = event.key
        if isinstance(key, RecordKey):
            self.app.open_record(self.record_kind, key.record_id)  # type: ignore[attr-defined]


class CustomerListScreen(ListScreen):
    """All customers; type part of a name or a customer number."""

    TITLE = "Customers"
    record_kind = "customer"
    placeholder = "Customer name or number"

    def make_source(self) -> ServiceSource:
        def cells(line: CustomerLine) -> tuple[str | Text, ...]:
            hold = Text("HOLD", style="bold") if line.credit_hold else ""
            return (line.number, line.name, line.suburb, line.state, line.phone, hold)

        return ServiceSource(
            [
                Column("Number", 8),
                Column("Name", 24, flex=3),
                Column("Suburb", 12, flex=1),
                Column("State", 5),
                Column("Phone", 14),
                Column("Credit", 6),
            ],
            partial(customer_page, self.app.db, self.app.actor),  # type: ignore[attr-defined]
            cells,
        )


class VehicleListScreen(ListScreen):
    """All vehicles; type a registration, the start or last digits of a VIN, a make."""

    TITLE = "Vehicles"
    record_kind = "vehicle"
    placeholder = "Registration, VIN (start or last 6) or make"

    def make_source(self) -> ServiceSource:
        def cells(line: VehicleLine) -> tuple[str | Text, ...]:
            due = (
                line.next_service_due.strftime("%d/%m/%Y")
                if line.next_service_due
                else ""
            )
            return (
                line.vin,
                line.registration,
                f"{line.make} {line.model}",
                str(line.model_year or ""),
                line.owner_name,
                due,
            )

        return ServiceSource(
            [
                Column("VIN", 17),
                Column("Rego", 7),
                Column("Make and model", 14, flex=2),
                Column("Year", 4, align="right"),
                Column("Owner", 14, flex=2),
                Column("Service", 10),
            ],
            partial(vehicle_page, self.app.db, self.app.actor),  # type: ignore[attr-defined]
            cells,
        )


def prepare_list_styles(app: App[Any]) -> None:
    """Read the stylesheets of the customer, vehicle and invoice lists now.

    Textual reads a screen's stylesheet, and styles every widget again, the
    first time that screen is shown.  Done once the home screen is up, the
    first opening of one of these lists takes no longer than the next ones.
    """
    from dealer_tui.ui.screens.invoices import InvoiceListScreen

    sheet = app.stylesheet
    unread = [
        str(path)
        for screen in (CustomerListScreen, VehicleListScreen, InvoiceListScreen)
        for path in screen().css_path
        if not sheet.has_source(str(path), "")
    ]
    if unread:
        for path in dict.fromkeys(unread):
            sheet.read(path)
        sheet.reparse()
        sheet.update(app)
