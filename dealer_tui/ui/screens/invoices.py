"""The invoice list: filter as you type, open an invoice, draft one by hand."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from dealer_tui.core.auth import Permission
from dealer_tui.invoicing.listing import (
    InvoiceRow,
    describe_filter,
    invoice_page,
    read_list_filter,
)
from dealer_tui.invoicing.services import DraftForm, InvoiceView, create_draft
from dealer_tui.invoicing.sources import PAYERS
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.widgets.service_source import ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column, VirtualTable

FILTER_HELP = (
    "Type a customer or a number; narrow with draft, open, part, paid, "
    "overdue, credit, a payer (warranty, contract ...) or a date (2026-11)"
)


def state_cell(row: InvoiceRow) -> str | Text:
    """The state in words; an overdue invoice says how many days late it is."""
    if row.state == "overdue":
        return Text(f"late {row.overdue_days}d", style="bold")
    if row.state == "draft":
        return Text("draft", style="italic")
    return row.state


class InvoiceListScreen(ListScreen):
    """Invoices and credit notes, oldest first; End jumps to the newest."""

    CSS_PATH = css("invoices")
    TITLE = "Invoices"
    BINDINGS = [
        Binding("ctrl+n", "new_invoice", "New invoice", id="new_invoice"),
    ]
    record_kind = "invoice"
    placeholder = "Customer or number; draft, open, paid, overdue, warranty, 2026-11"

    def make_source(self) -> ServiceSource:
        def cells(row: InvoiceRow) -> tuple[str | Text, ...]:
            return (
                row.number or "(draft)",
                f"{row.invoice_date:%d/%m/%y}",
                row.customer,
                row.kind,
                f"{row.total:,.2f}",
                f"{row.open_amount:,.2f}" if row.state != "draft" else "",
                state_cell(row),
            )

        app: Any = self.app
        return ServiceSource(
            [
                Column("Number", 14),
                Column("Date", 8),
                Column("Customer", 8, flex=3),
                Column("Payer", 8),
                Column("Total", 10, align="right"),
                Column("Open", 10, align="right"),
                Column("State", 11),
            ],
            partial(invoice_page, app.db, app.actor, at=app.frozen_clock),
            cells,
        )

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, id="list-filter")
        yield Static(FILTER_HELP, id="invoice-filter-help", markup=False)
        table = VirtualTable(
            self.make_source(),
            id="list-table",
            empty_message="No invoices yet: Ctrl+N drafts one by hand.",
            no_match_message="No invoice matches the filter.",
        )
        table.load_early(self)
        yield table

    def on_input_changed(self, event: Input.Changed) -> None:
        # The list screen's own handler runs as well (Textual calls the
        # handler of every class in turn), so the table is filtered once.
        text = event.value
        explained = describe_filter(read_list_filter(text)) if text.strip() else ""
        # The line has a fixed height: new words need a repaint, not a layout.
        help_line = self.query_one("#invoice-filter-help", Static)
        help_line.update(explained or FILTER_HELP, layout=False)

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_screen_resume(self) -> None:
        # Back from an invoice that was posted, paid or credited: show it so.
        if getattr(self, "_left", False):
            self.query_one(VirtualTable).reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_invoice":
            return self.app.actor.can(Permission.DRAFT_INVOICES)  # type: ignore[attr-defined]
        return super().check_action(action, parameters)

    def action_new_invoice(self) -> None:
        app: Any = self.app

        def save(values: dict[str, Any]) -> InvoiceView:
            return create_draft(app.db, app.actor, DraftForm(**values))

        fields = [
            Field("customer", "Customer number", "", "e.g. C000101"),
            Field("kind", "Payer", "customer", ", ".join(PAYERS)),
            Field("invoice_date", "Invoice date", "", "blank for today"),
            Field("buyer_reference", "Their reference", "", "order or PO number"),
            Field("prices_include_tax", "Prices include GST", False),
            Field("note", "Note", ""),
        ]
        self.app.push_screen(
            FormScreen("New invoice by hand (a draft)", fields, save), self._created
        )

    def _created(self, view: InvoiceView | None) -> None:
        if view is None:
            return
        self.notify(f"Drafted an invoice for {view.customer_name}: add its lines.")
        self.app.open_record("invoice", view.id)  # type: ignore[attr-defined]
