"""Small dialogs of quoting: pick a model, choose extras, read a result."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.catalog.quotes import (
    ProductOffer,
    QuoteView,
    models_for_quoting,
    quote_products,
    set_accessories,
)
from dealer_tui.core.errors import DealerError, ValidationFailed
from dealer_tui.core.money import show_money
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.work import run_service


class ModelPicker(ModalScreen[str | None]):
    """Which model to quote: type to narrow the list, Enter takes the one lit."""

    CSS_PATH = css("quote_dialogs")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("down", "to_list", "To the list", show=False, id="to_list"),
    ]

    def __init__(self, customer_name: str) -> None:
        super().__init__()
        self._customer_name = customer_name
        self._models: list[tuple[str, str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box", classes="dialog"):
            yield Static(
                f"New quote for {self._customer_name}: which model?",
                classes="dialog-title",
                markup=False,
            )
            yield Input(placeholder="Model code, name or range", id="picker-filter")
            yield OptionList(id="picker-models")
            yield Static(
                "Type to narrow · Enter takes the model · Escape cancels",
                classes="dialog-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        app: Any = self.app
        run_service(self, models_for_quoting, app.db, app.actor, done=self._loaded)

    def _loaded(self, models: list[tuple[str, str, str]]) -> None:
        self._models = models
        self._show("")

    def _show(self, text: str) -> None:
        words = text.lower().split()
        listed = self.query_one("#picker-models", OptionList)
        listed.clear_options()
        for code, name, range_name in self._models:
            haystack = f"{code} {name} {range_name}".lower()
            if all(word in haystack for word in words):
                row = Table.grid(expand=True, padding=(0, 1, 0, 0))
                row.add_column(no_wrap=True, min_width=8)
                row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
                row.add_column(no_wrap=True)
                row.add_row(code, name, Text(range_name, style="italic"))
                listed.add_option(Option(row, id=code))
        if listed.option_count:
            listed.highlighted = 0
        else:
            listed.add_option(Option("No model matches.", disabled=True))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        listed = self.query_one("#picker-models", OptionList)
        index = listed.highlighted
        if index is not None:
            option = listed.get_option_at_index(index)
            if option.id:
                self.dismiss(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_list":
            return isinstance(self.focused, Input)
        return True

    def action_to_list(self) -> None:
        self.query_one("#picker-models", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExtrasDialog(ModalScreen[QuoteView | None]):
    """Accessories, contracts and warranties: how many of each on the quote."""

    CSS_PATH = css("quote_dialogs")
    BINDINGS = [
        Binding(
            "plus,equals_sign,right", "more", "One more", id="more", key_display="+"
        ),
        Binding("minus,left", "fewer", "One fewer", id="fewer", key_display="-"),
        Binding("0,delete", "none", "None", id="none", key_display="0"),
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self, view: QuoteView) -> None:
        super().__init__()
        self._view = view
        self._offers: list[ProductOffer] = []
        self.quantities: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="extras-box", classes="dialog"):
            yield Static(
                f"Accessories and contracts on {self._view.label}",
                classes="dialog-title",
                markup=False,
            )
            yield OptionList(id="extras-list")
            yield Static("", id="extras-total", markup=False)
            yield Static("", id="extras-message", markup=False)
            yield Static(
                "+ one more · - one fewer · 0 none · Ctrl+S saves · Escape cancels",
                classes="dialog-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        app: Any = self.app
        run_service(
            self, quote_products, app.db, app.actor, self._view.id, done=self._loaded
        )

    def _loaded(self, offers: list[ProductOffer]) -> None:
        self._offers = offers
        self.quantities = {offer.code: offer.quantity for offer in offers}
        self._show(0)
        self.query_one("#extras-list", OptionList).focus()

    def _show(self, keep: int | None) -> None:
        listed = self.query_one("#extras-list", OptionList)
        listed.clear_options()
        for offer in self._offers:
            quantity = self.quantities[offer.code]
            row = Table.grid(expand=True, padding=(0, 1, 0, 0))
            row.add_column(no_wrap=True, justify="right", min_width=4)
            row.add_column(no_wrap=True, min_width=15)
            row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            row.add_column(no_wrap=True, justify="right")
            style = "bold" if quantity else ""
            row.add_row(
                Text(f"{quantity} x" if quantity else "-", style=style),
                Text(offer.code, style=style),
                Text(offer.name, style=style),
                f"{offer.price:,.2f}",
            )
            listed.add_option(Option(row, id=offer.code))
        if not self._offers:
            listed.add_option(Option("No product has a price yet.", disabled=True))
        elif keep is not None:
            listed.highlighted = keep
        total = sum(
            (offer.price * self.quantities[offer.code] for offer in self._offers),
            start=Decimal("0.00"),
        )
        self.query_one("#extras-total", Static).update(
            f"Extras at list price: {show_money(total, self._view.currency)}"
        )

    def _change(self, step: int | None) -> None:
        listed = self.query_one("#extras-list", OptionList)
        index = listed.highlighted
        if index is None or not self._offers:
            return
        code = self._offers[index].code
        quantity = 0 if step is None else self.quantities[code] + step
        self.quantities[code] = max(0, min(quantity, 999))
        self._show(index)

    def action_more(self) -> None:
        self._change(1)

    def action_fewer(self) -> None:
        self._change(-1)

    def action_none(self) -> None:
        self._change(None)

    def action_save(self) -> None:
        app: Any = self.app
        self.query_one("#extras-message", Static).update("Saving ...")
        run_service(
            self,
            set_accessories,
            app.db,
            app.actor,
            self._view.id,
            self._view.version,
            {code: str(qty) for code, qty in self.quantities.items()},
            done=self.dismiss,
            refused=self._refused,
        )

    def _refused(self, refusal: DealerError) -> None:
        text = refusal.message
        if isinstance(refusal, ValidationFailed):
            text = "; ".join(str(problem) for problem in refusal.problems)
        self.query_one("#extras-message", Static).update(f"Not saved: {text}")

    def action_cancel(self) -> None:
        self.dismiss(None)


class MessageDialog(ModalScreen[None]):
    """A result to read: what changed between versions, the new prices."""

    CSS_PATH = css("quote_dialogs")
    BINDINGS = [Binding("escape,enter", "close", "Close", id="close")]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self._title = title
        self._lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="message-box", classes="dialog"):
            yield Static(self._title, classes="dialog-title", markup=False)
            yield Static("\n".join(self._lines), id="message-text", markup=False)
            yield Static("Enter or Escape closes", classes="dialog-keys", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
