"""Snapshots of the configurator and the quote at 80x24, on a frozen clock."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from dealer_tui.catalog.models import Quote
from dealer_tui.catalog.quotes import (
    PricingForm,
    QuoteView,
    new_quote,
    request_approval,
)
from dealer_tui.catalog.quotes import set_discounts as give_discount
from dealer_tui.core import clock
from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.ui.screens.configurator import ConfiguratorScreen
from tests.ui.conftest import FROZEN, settle, signed_in_app


@pytest.fixture(autouse=True)
def _frozen_quote_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quotes are dated by the branch's today: 04/12/2026 in Melbourne."""
    monkeypatch.setattr(clock, "now", lambda: FROZEN)


def _numbered(db: Database, quote: QuoteView) -> None:
    """A fixed number, whatever quotes the demo holds already."""
    with db.write() as session:
        session.execute(
            update(Quote).where(Quote.id == quote.id).values(number="Q2026-000042")
        )


def test_configurator_at_80_by_24(demo_db: Database, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """With D13K540 chosen the gearbox family is open and ATO2612F is blocked."""
    rep = batch_actor(demo_db, "sam.rep")
    quote = new_quote(demo_db, rep, 3, "FH-PM")
    _numbered(demo_db, quote)

    async def configure(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(ConfiguratorScreen(quote.id))
        await settle(pilot)
        await pilot.press("down", "right", "down", "down", "enter")
        await settle(pilot)
        await pilot.press("left", "down", "right")
        await settle(pilot)
        # The pointer rests on the legend, so that no row shows as hovered.
        await pilot.hover("#cfg-legend")
        await settle(pilot)

    app = signed_in_app(demo_db, "sam.rep")
    assert snap_compare(app, terminal_size=(80, 24), run_before=configure)


def test_quote_waiting_for_approval_at_80_by_24(
    demo_db: Database, snap_compare
) -> None:  # type: ignore[no-untyped-def]
    """$15,000.00 off waits for a manager; the footer dims what cannot be done."""
    rep = batch_actor(demo_db, "sam.rep")
    quote = new_quote(demo_db, rep, 3, "FH-PM", "Thanh King")
    quote = give_discount(
        demo_db, rep, quote.id, quote.version, PricingForm({}, "15000")
    )
    quote = request_approval(demo_db, rep, quote.id, quote.version)
    _numbered(demo_db, quote)

    async def open_quote(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.open_record("quote", quote.id)
        await settle(pilot)

    app = signed_in_app(demo_db, "sam.rep")
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_quote)
