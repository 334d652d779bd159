"""The yardstick for start-up: a Textual app that shows one line and waits.

The start-up scenario launches it exactly as it launches the workstation,
so that the ratio of the two says what the workstation adds.
"""

from textual.app import App, ComposeResult
from textual.widgets import Static

READY = "Bare Textual app ready"


class BareApp(App[None]):
    """Nothing but a line of text."""

    def compose(self) -> ComposeResult:
        yield Static(READY)


if __name__ == "__main__":
    BareApp().run()
