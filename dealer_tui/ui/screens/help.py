"""Help: every key of the screen in front, with what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from dealer_tui.ui.screens.base import css


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, what it does) for each key of the screen, from its declared bindings."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        if screen.check_action(binding.action, ()) is False:
            continue
        shown = screen.app.get_key_display(binding)
        mark = "" if active.enabled else "  (not available now)"
        rows.append((shown, f"{binding.description}{mark}"))
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists every binding of the screen that was in front."""

    CSS_PATH = css("help")
    BINDINGS = [
        Binding("escape,f1,question_mark,q", "close", "Close help", id="close"),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.rows = binding_rows(screen)
        self._title = f"Keys on this screen: {screen.title or type(screen).__name__}"
        self._doc = (type(screen).__doc__ or "").strip().splitlines()[0:1]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._title, id="help-title")
            if self._doc:
                yield Static(self._doc[0], id="help-doc")
            table = Table(box=None, header_style="bold", expand=True)
            table.add_column("Key", no_wrap=True)
            table.add_column("Does")
            for key, does in self.rows:
                table.add_row(key, does)
            yield Static(table)
            yield Static(
                "Ctrl+P opens the command palette: type a customer, VIN, "
                "registration or document number, or the name of an action.",
                id="help-foot",
            )

    def action_close(self) -> None:
        self.dismiss()
