"""Choosing the truck to allocate: the trucks in stock, best fit first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.orders.views import UnitView
from dealer_tui.ui.screens.base import css


class UnitPicker(ModalScreen[UnitView | None]):
    """Enter allocates the truck under the cursor; Escape goes back."""

    CSS_PATH = css("unit_picker")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, order_number: str, units: list[UnitView]) -> None:
        super().__init__()
        self._order_number = order_number
        self._units = units

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(f"Allocate a truck to {self._order_number}", id="picker-title")
            yield OptionList(
                *(
                    Option(self._label(unit), id=str(index))
                    for index, unit in enumerate(self._units)
                ),
                id="picker-units",
            )
            yield Static("Enter allocate · Escape cancel", id="picker-keys")

    @staticmethod
    def _label(unit: UnitView) -> str:
        since = (
            f"in since {unit.received_on:%d/%m/%Y}" if unit.received_on else "in stock"
        )
        factory = (
            f" · factory {unit.factory_order_ref}" if unit.factory_order_ref else ""
        )
        return f"{unit.vin}  {unit.name} · {unit.branch_code} · {since}{factory}"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._units[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
