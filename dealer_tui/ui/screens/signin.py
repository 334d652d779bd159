"""Sign-in: user name and password; the role decides what the user may do."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from dealer_tui.core.auth import Actor
from dealer_tui.core.errors import DealerError
from dealer_tui.core.services import sign_in
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.widgets.status_line import StatusLine
from dealer_tui.ui.work import run_service


class SignInScreen(Screen[Actor]):
    """Asks for a user name and password and returns the signed-in user."""

    CSS_PATH = css("signin")
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="quit")]

    def compose(self) -> ComposeResult:
        yield StatusLine()
        with Vertical(id="signin-box"):
            yield Static("Sign in", id="signin-title")
            yield Label("User name")
            yield Input(id="username", placeholder="e.g. sam.rep")
            yield Label("Password")
            yield Input(id="password", password=True)
            yield Static("", id="signin-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "username":
            self.query_one("#password", Input).focus()
            return
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        self._say("Signing in ...")
        run_service(
            self,
            sign_in,
            self.app.db,
            username,
            password,  # type: ignore[attr-defined]
            done=self.dismiss,
            refused=self._refused,
        )

    def _refused(self, refusal: DealerError) -> None:
        self._say(refusal.message)
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()

    def _say(self, text: str) -> None:
        self.query_one("#signin-message", Static).update(text)
