"""The workshop story by keys on the demo: book, check in, log time, finish, invoice.

An advisor books a customer-initiated job that needs an HV-qualified
mechanic and the long bay, sees its parts reserved, finds it on the
planner, checks the truck in on the day, the mechanic logs time, and the
finished job is waiting for invoicing.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Checkbox, Input

from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.workshop_booking import BookingScreen
from dealer_tui.ui.screens.workshop_checkin import CheckInScreen
from dealer_tui.ui.screens.workshop_job import JobCardScreen
from dealer_tui.ui.screens.workshop_planner import PlannerScreen
from dealer_tui.ui.widgets.form import FormScreen
from dealer_tui.ui.widgets.planner_grid import PlannerGrid
from dealer_tui.workshop.jobs import JobStatus
from dealer_tui.workshop.planning import PlannerBlock
from dealer_tui.workshop.services import jobs_ready_to_invoice, log_off
from tests.ui.conftest import settle, signed_in_app


async def _fill(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    focused = pilot.app.screen.focused
    assert isinstance(focused, Input)
    focused.value = ""
    await pilot.press(*text)


async def test_an_hv_job_from_booking_to_invoicing_by_keys(demo_db: Database) -> None:
    """b books EV-TRU for XT19PJ with Eve in the long bay; it ends ready to invoice."""
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BookingScreen)
        await _fill(pilot, "XT19PJ")
        await pilot.press("tab", "tab")
        await _fill(pilot, "EV-TRU")
        await pilot.press("ctrl+f")
        await settle(pilot)
        booking = app.screen
        assert isinstance(booking, BookingScreen) and booking.plan is not None
        plan = booking.plan
        assert plan.customer_number == "C000106"
        first = plan.slots[0]
        # Only Eve holds hv_ev and only the long bay serves the trailer job.
        assert {(s.mechanic_name, s.bay_name) for s in plan.slots} == {
            ("Eve Tran", "Long bay")
        }
        assert [need.describe() for need in plan.parts] == [
            "85117630 HV connector seal kit x1: in stock",
            "85137812 HV coolant (litre) x4: in stock",
        ]
        await pilot.press("enter")
        await settle(pilot)
        card = app.screen
        assert isinstance(card, JobCardScreen) and card.job is not None
        job = card.job
        assert job.status is JobStatus.BOOKED
        assert [line.holding for line in job.parts] == ["1 reserved", "4 reserved"]
        assert (job.mechanic_name, job.bay_name) == ("Eve Tran", "Long bay")

        # The planner of the booked day shows the new block on Eve's row.
        day = first.starts_at.astimezone(ZoneInfo(job.time_zone)).date()
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(PlannerScreen(day))
        await settle(pilot)
        grid = app.screen.query_one(PlannerGrid)
        assert grid.layout_ is not None
        eve = next(r for r in grid.layout_.view.rows if r.name == "Eve Tran")
        assert job.number in {b.number for b in eve.blocks}
        cells = grid.layout_.cells[grid.layout_.view.rows.index(eve)]
        assert any(
            isinstance(c, PlannerBlock) and c.number == job.number for c in cells
        )
        await pilot.press("escape")
        await settle(pilot)

        # On the day: Eve finishes her morning job, the truck arrives.
        app.frozen_clock = first.starts_at - timedelta(minutes=10)
        dana = batch_actor(demo_db, "dana.service")
        log_off(demo_db, dana, 4, "EVE", at=first.starts_at - timedelta(minutes=15))
        app.open_record("workshop_job", job.id)
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)
        app.screen.query_one("#f-agreed_work_confirmed", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        card = app.screen
        assert isinstance(card, JobCardScreen)
        assert card.job is not None and card.job.status is JobStatus.CHECKED_IN

        # Eve logs on at the booked start and off two and a half hours later.
        app.frozen_clock = first.starts_at
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-mechanic", Input).value == "EVE"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert card.job.status is JobStatus.IN_PROGRESS
        app.frozen_clock = first.starts_at + timedelta(minutes=150)
        await pilot.press("o", "p")
        await settle(pilot)
        assert [line.holding for line in card.job.parts] == ["1 picked", "4 picked"]
        assert card.job.time_logs[-1].minutes(app.frozen_clock) == 150
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"Cabling and coupling tested; seal kit fitted.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert card.job.status is JobStatus.FINISHED

    ready = jobs_ready_to_invoice(demo_db, batch_actor(demo_db, "jo.admin"))
    mine = [entry for entry in ready if entry.number == job.number]
    assert [(entry.payer, str(entry.net_total)) for entry in mine] == [
        # 2.5 h x $185.00 = $462.50; $96.40 + 4 x $18.20 = $169.20.
        ("customer", "631.70")
    ]
