"""Sign-in: user name and password; the role decides what the user may do."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from dealer_tui.core.errors import DealerError
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.widgets.status_line import StatusLine
from dealer_tui.ui.work import run_service

if TYPE_CHECKING:
    # Actor is named in the base class as text: loading it costs start-up.
    from dealer_tui.core.auth import Actor  # noqa: F401
    from dealer_tui.core.db import Database


class SignInScreen(Screen["Actor"]):
    """Asks for a user name and password and returns the signed-in user.

    The screen may be up before the database is open: signing in waits for
    it, and a database that cannot be used is said here.
    """

    CSS_PATH = css("signin")
    BINDINGS = [
        Binding("ctrl+q", "app.quit", "Quit", id="quit"),
        # Enter is taken before the field sees it, so that keys typed ahead
        # of the screen land in the field Enter moved to; typed before the
        # terminal was taken over, the terminal turns it into a line feed.
        Binding("enter,ctrl+j", "enter", show=False, priority=True, id="signin-enter"),
        # Tab too, so that "name, Tab, password, Enter" typed in one burst
        # (or by a password manager) fills each field.
        Binding(
            "tab,shift+tab", "other_field", show=False, priority=True, id="signin-tab"
        ),
    ]

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
        self.set_focus(self.query_one("#username", Input))
        self.app.when_database_ready(  # type: ignore[attr-defined]
            self._database_ready, self._database_failed
        )

    def action_enter(self) -> None:
        username = self.query_one("#username", Input)
        password = self.query_one("#password", Input)
        if self.focused is username:
            self.set_focus(password)
        elif self.focused is password:
            # Keys typed before Enter may still wait in each field: read
            # the fields once both have taken them.
            username.call_later(password.call_later, self._submit)

    def action_other_field(self) -> None:
        username = self.query_one("#username", Input)
        password = self.query_one("#password", Input)
        self.set_focus(password if self.focused is username else username)

    def _submit(self) -> None:
        if not self.is_attached:
            return
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        self._say("Signing in ...")
        self.app.when_database_ready(  # type: ignore[attr-defined]
            partial(self._sign_in, username, password), self._database_failed
        )

    def _sign_in(self, username: str, password: str, db: Database) -> None:
        if not self.is_attached:
            return
        from dealer_tui.core.services import sign_in

        run_service(
            self,
            sign_in,
            db,
            username,
            password,
            done=self.dismiss,
            refused=self._refused,
        )

    def _database_ready(self, db: Database) -> None:
        """Nothing to do: a sign-in asked for meanwhile waits on its own."""

    def _database_failed(self, problem: str) -> None:
        if self.is_attached:
            self._say(problem)

    def _refused(self, refusal: DealerError) -> None:
        self._say(refusal.message)
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()

    def _say(self, text: str) -> None:
        self.query_one("#signin-message", Static).update(text)
