"""The workstation application: sign-in, then the home screen and work screens."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from dealer_tui.core.auth import Actor
from dealer_tui.core.config import log_dir
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError
from dealer_tui.core.services import Workplace, workplace
from dealer_tui.ui.registry import LIST_SCREENS, RECORD_SCREENS, screen_class
from dealer_tui.ui.screens.error import ErrorDialog
from dealer_tui.ui.screens.help import HelpScreen
from dealer_tui.ui.search_provider import RecordSearch
from dealer_tui.ui.work import run_service

log = logging.getLogger(__name__)


class DealerApp(App[None]):
    """Keyboard-driven workstation for a truck dealership."""

    TITLE = "Dealer workstation"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {RecordSearch}
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="help", key_display="F1/?"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        db: Database,
        actor: Actor | None = None,
        *,
        frozen_clock: datetime | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.actor: Actor | None = actor
        self.workplace: Workplace | None = None
        # A fixed instant for snapshots and demos; None follows the real clock.
        self.frozen_clock = frozen_clock

    def on_mount(self) -> None:
        if self.actor is None:
            self._ask_sign_in()
        else:
            self._signed_in(self.actor)

    def _ask_sign_in(self) -> None:
        from dealer_tui.ui.screens.signin import SignInScreen

        self.push_screen(SignInScreen(), self._signed_in)

    def _signed_in(self, actor: Actor | None) -> None:
        if actor is None:
            self.exit()
            return
        self.actor = actor
        run_service(self, workplace, self.db, actor, done=self._at_work)

    def _at_work(self, place: Workplace) -> None:
        from dealer_tui.ui.screens.home import HomeScreen

        self.workplace = place
        self.push_screen(HomeScreen())

    def action_sign_out(self) -> None:
        # Forget the user first: the screens popped below must not work for them.
        self.actor = None
        self.workplace = None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._ask_sign_in()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def open_record(self, kind: str, record_id: int) -> None:
        """Open the screen of a customer, vehicle or document found anywhere."""
        path = RECORD_SCREENS.get(kind)
        if path is None:
            self.notify(f"No screen shows {kind} records.", severity="warning")
            return
        self.push_screen(screen_class(path)(record_id))

    def action_open_list(self, name: str) -> None:
        self.push_screen(screen_class(LIST_SCREENS[name])())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers the keys of the screen in front, as declared."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            node = active.node
            yield SystemCommand(
                binding.description,
                binding.tooltip or f"Key: {self.get_key_display(binding)}",
                lambda node=node, action=binding.action: self.run_action(action, node),
            )
        if self.actor is not None:
            yield SystemCommand(
                "Sign out", "Back to the sign-in screen", self.action_sign_out
            )
        yield SystemCommand("Quit", "Close the workstation", self.exit)

    def show_refusal(self, refusal: DealerError) -> None:
        """A refusal from a service, as the sentence it carries."""
        self.notify(refusal.message, severity="warning", timeout=8, markup=False)

    def show_failure(self, failure: BaseException) -> None:
        """An unexpected failure: logged with its traceback, shown in a dialog."""
        summary = f"{type(failure).__name__}: {failure}"[:300]
        self.push_screen(ErrorDialog(summary, str(log_dir() / "dealer.log")))

    def _handle_exception(self, error: Exception) -> None:
        # Whatever escapes the screens is written to the log with its
        # traceback before the terminal is restored.
        log.error("unhandled failure", exc_info=error)
        super()._handle_exception(error)


__all__ = ["DealerApp", "run_service"]
