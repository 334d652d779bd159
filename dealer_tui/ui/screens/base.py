"""What every work screen has: the status line, the footer and help keys."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from dealer_tui.ui.widgets.status_line import StatusLine

HERE = Path(__file__).parent


def css(name: str) -> str:
    """The stylesheet that sits beside a screen's module."""
    return str(HERE / f"{name}.tcss")


class WorkScreen(Screen[None]):
    """A screen with the status line on top and the keys in the footer."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
