"""The status line: dealer and branch, user, database and the branch clock."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from dealer_tui.core import clock


class StatusLine(Static):
    """One line at the top of every work screen."""

    DEFAULT_CSS = """
    StatusLine {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    now: reactive[datetime] = reactive(clock.now, always_update=True)

    def on_mount(self) -> None:
        self.set_interval(15, self._tick)
        self._tick()

    def _tick(self) -> None:
        self.now = clock.now()

    def render(self) -> Table:
        app = self.app
        place = getattr(app, "workplace", None)
        actor = getattr(app, "actor", None)
        db = getattr(app, "db", None)
        # Until the database is open, the app names it from its URL.
        where = db.describe() if db else getattr(app, "database_label", "")
        line = Table.grid(expand=True)
        line.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        line.add_column(justify="right", no_wrap=True)
        if place is None or actor is None:
            line.add_row(Text(f"Dealer workstation · {where}"), "")
            return line
        frozen = getattr(app, "frozen_clock", None)
        moment = clock.local(frozen or self.now, place.time_zone)
        line.add_row(
            Text(
                f"{place.dealer_name} {place.branch_code} · {actor.display_name} "
                f"({actor.role.title}) · {where}"
            ),
            Text(f" {moment:%a %d/%m/%Y %H:%M}"),
        )
        return line
