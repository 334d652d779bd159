"""Snapshots of the screens at a fixed size, with a frozen clock and the demo data."""

from __future__ import annotations

from dealer_tui.core.db import Database
from tests.ui.conftest import settle, signed_in_app


def test_home_screen_of_counter_staff(demo_db: Database, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The counter clerk's today shows the services due, overdue ones marked."""

    async def wait(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)

    app = signed_in_app(demo_db, "chris.counter")
    assert snap_compare(app, terminal_size=(100, 30), run_before=wait)


def test_home_screen_at_80_by_24(demo_db: Database, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The home screen fits a thin 80x24 terminal."""

    async def wait(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)

    app = signed_in_app(demo_db, "jo.admin")
    assert snap_compare(app, terminal_size=(80, 24), run_before=wait)


def test_customer_screen_at_80_by_24(demo_db: Database, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """A customer's details, credit, contacts and vehicles fit 80x24."""

    async def open_customer(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.open_record("customer", 17)
        await settle(pilot)

    app = signed_in_app(demo_db, "jo.admin")
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_customer)
