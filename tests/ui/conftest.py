"""Screen tests run the real app on a copy of the demo dealership."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.pilot import Pilot

from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.ui.app import DealerApp

# A Friday morning in Melbourne, for screens that show the date.
FROZEN = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)


def signed_in_app(db: Database, username: str = "chris.counter") -> DealerApp:
    return DealerApp(db, batch_actor(db, username), frozen_clock=FROZEN)


async def settle(pilot: Pilot[object]) -> None:
    """Wait until every worker has answered and the screen has redrawn."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
