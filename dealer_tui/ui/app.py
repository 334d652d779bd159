"""The workstation application: sign-in, then the home screen and work screens.

Given a database URL rather than an open database, the application draws
the sign-in screen first and opens the database behind it: the database
layer, the schema check and the sign-in service are loaded in a worker
while the user types, and signing in waits for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from dealer_tui.core.config import log_dir
from dealer_tui.core.errors import DealerError, SchemaMismatch
from dealer_tui.ui.registry import LIST_SCREENS, RECORD_SCREENS, screen_class
from dealer_tui.ui.work import run_service

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.widget import AwaitMount

    from dealer_tui.core.auth import Actor
    from dealer_tui.core.db import Database
    from dealer_tui.core.services import Workplace

    # What to call once the database is open, and what if it cannot be.
    Waiting = tuple[Callable[[Database], None], Callable[[str], None]]

log = logging.getLogger(__name__)


def record_search() -> type[Provider]:
    """The palette's global search, loaded when the palette first opens."""
    from dealer_tui.ui.search_provider import RecordSearch

    return RecordSearch


def database_label(url: str) -> str:
    """How the status line names a database not yet open, as `describe` will."""
    scheme, _, rest = url.partition("://")
    if scheme.partition("+")[0] == "sqlite":
        return f"local file {Path(rest.partition('?')[0]).name}"
    parsed = urlsplit(url)
    database = unquote(parsed.path.lstrip("/")) or None
    return f"shared {database}@{parsed.hostname or 'localhost'}"


def open_database(url: str) -> Database:
    """Open the database, check its schema and load the sign-in service.

    Runs in a worker: this is where the database layer is first imported.
    """
    from dealer_tui.core import schema
    from dealer_tui.core.db import Database

    db = Database.open(url)
    try:
        schema.check(db)
    except BaseException:
        db.dispose()
        raise
    # Signing in and the home screen's workplace come from here; loading
    # them now keeps the first sign-in from paying for it.
    import dealer_tui.core.services  # noqa: F401

    return db


def cannot_open(url: str, failure: Exception) -> str:
    """The sentence for a database that could not be opened or reached."""
    cause = getattr(failure, "orig", None) or failure
    detail = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"The database ({database_label(url)}) cannot be opened: {detail}"


class DealerApp(App[None]):
    """Keyboard-driven workstation for a truck dealership."""

    TITLE = "Dealer workstation"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {record_search}
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="help", key_display="F1/?"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        db: Database | str,
        actor: Actor | None = None,
        *,
        frozen_clock: datetime | None = None,
        leave_on_schema_mismatch: bool = False,
    ) -> None:
        super().__init__()
        # An open database, or None while the one named by the URL opens.
        self.db: Database | None = None
        if isinstance(db, str):
            self.database_url = db
        else:
            self.db = db
            self.database_url = db.url
        self.database_label = database_label(self.database_url)
        self.database_problem: str | None = None
        # The demo is built anew when its schema does not match: the
        # workstation then leaves at once for that to happen.
        self._leave_on_schema_mismatch = leave_on_schema_mismatch
        self.left_on_schema_mismatch = False
        self._opening = False
        self._waiting: list[Waiting] = []
        self.actor: Actor | None = actor
        self.workplace: Workplace | None = None
        # A fixed instant for snapshots and demos; None follows the real clock.
        self.frozen_clock = frozen_clock

    async def on_mount(self) -> None:
        if self.db is None:
            # Opened once the first screen is drawn, so that drawing it does
            # not share the interpreter with loading the database layer.
            self.call_after_refresh(self._open_database)
        if self.actor is None:
            # Waiting for the sign-in screen to be mounted gives keys typed
            # before it appeared to its first field.
            await self._ask_sign_in()
        else:
            self._signed_in(self.actor)

    def when_database_ready(
        self, ready: Callable[[Database], None], failed: Callable[[str], None]
    ) -> None:
        """Call `ready` once the database is open and checked, else `failed`.

        A database that could not be opened is tried again for the next
        caller: a server may have come back since.
        """
        if self.db is not None:
            ready(self.db)
            return
        self._waiting.append((ready, failed))
        if not self._opening and self.database_problem is not None:
            self._open_database()

    def _open_database(self) -> None:
        if self._opening or self.db is not None:
            return
        self._opening = True
        url = self.database_url

        def job() -> None:
            try:
                db = open_database(url)
            except SchemaMismatch as mismatch:
                self.call_from_thread(self._schema_mismatch, mismatch.message)
            except DealerError as refusal:
                self.call_from_thread(self._database_failed, refusal.message)
            except Exception as failure:
                log.exception("the database could not be opened")
                self.call_from_thread(self._database_failed, cannot_open(url, failure))
            else:
                self.call_from_thread(self._database_opened, db)

        self.run_worker(job, thread=True, exit_on_error=False, group="database")

    def _database_opened(self, db: Database) -> None:
        self._opening = False
        self.db = db
        self.database_problem = None
        waiting, self._waiting = self._waiting, []
        for ready, _ in waiting:
            ready(db)

    def _schema_mismatch(self, problem: str) -> None:
        if self._leave_on_schema_mismatch:
            self.left_on_schema_mismatch = True
            self.exit()
        else:
            self._database_failed(problem)

    def _database_failed(self, problem: str) -> None:
        self._opening = False
        self.database_problem = problem
        waiting, self._waiting = self._waiting, []
        for _, failed in waiting:
            failed(problem)

    def _ask_sign_in(self) -> AwaitMount:
        from dealer_tui.ui.screens.signin import SignInScreen

        return self.push_screen(SignInScreen(), self._signed_in)

    def _signed_in(self, actor: Actor | None) -> None:
        if actor is None:
            self.exit()
            return
        from dealer_tui.core.services import workplace

        self.actor = actor
        run_service(self, workplace, self.db, actor, done=self._at_work)

    def _at_work(self, place: Workplace) -> None:
        from dealer_tui.ui.screens.home import HomeScreen
        from dealer_tui.ui.screens.lists import prepare_list_styles

        self.workplace = place
        self.push_screen(HomeScreen())
        # The lists' styles are read while the user looks at the home screen.
        self.call_after_refresh(prepare_list_styles, self)

    def action_sign_out(self) -> None:
        # Forget the user first: the screens popped below must not work for them.
        self.actor = None
        self.workplace = None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._ask_sign_in()

    def action_help(self) -> None:
        from dealer_tui.ui.screens.help import HelpScreen

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
        from dealer_tui.ui.screens.error import ErrorDialog

        summary = f"{type(failure).__name__}: {failure}"[:300]
        self.push_screen(ErrorDialog(summary, str(log_dir() / "dealer.log")))

    def _handle_exception(self, error: Exception) -> None:
        # Whatever escapes the screens is written to the log with its
        # traceback before the terminal is restored.
        log.error("unhandled failure", exc_info=error)
        super()._handle_exception(error)


__all__ = ["DealerApp", "run_service"]
