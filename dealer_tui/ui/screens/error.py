"""The error dialog: an unexpected failure, in words, with where the log is."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from dealer_tui.ui.screens.base import css


class ErrorDialog(ModalScreen[None]):
    """Says something went wrong, that nothing was half-saved, and where the log is."""

    CSS_PATH = css("error")
    BINDINGS = [Binding("escape,enter", "close", "Close", id="close")]

    def __init__(self, summary: str, log_path: str) -> None:
        super().__init__()
        self._summary = summary
        self._log_path = log_path

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static("Something went wrong", id="error-title")
            yield Static(
                "The workstation hit a problem it did not expect. Whatever you "
                "were saving was not saved, so nothing is half-written. Try "
                "again; if it happens again, tell your administrator."
            )
            yield Static(f"What failed: {self._summary}", id="error-summary")
            yield Static(f"The details are in {self._log_path}", id="error-log")
            yield Static("Press Enter or Escape to go on.", id="error-keys")

    def action_close(self) -> None:
        self.dismiss()
