"""Workshop screens driven by keys on the demo: home, planner, booking, check-in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from textual.widgets import Checkbox, Input, Static

from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.workshop_booking import BookingScreen
from dealer_tui.ui.screens.workshop_checkin import CheckInScreen
from dealer_tui.ui.screens.workshop_job import JobCardScreen
from dealer_tui.ui.screens.workshop_jobs import JobListScreen
from dealer_tui.ui.screens.workshop_planner import PlannerScreen
from dealer_tui.ui.widgets.planner_grid import PlannerGrid
from dealer_tui.workshop.views import job_view
from tests.ui.conftest import settle, signed_in_app

MELBOURNE = ZoneInfo("Australia/Melbourne")
FRIDAY = date(2026, 12, 4)


def _keys(screen) -> set[str]:  # type: ignore[no-untyped-def]
    """The ids of the keys the role may use on the screen (dimmed ones too)."""
    return {b.binding.id or b.binding.action for b in screen.active_bindings.values()}


def _text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


async def test_the_advisors_home_shows_arrivals_and_the_workshop(
    demo_db: Database,
) -> None:
    """Friday 09:30: EM71GY is in, 1KD6XG due at 09:15; three trucks on the floor."""
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        arrivals = home.query_one("#panel-workshop_arrivals").panel  # type: ignore[attr-defined]
        marks = {row.text[:12]: row.mark for row in arrivals.rows}
        assert marks["08:00 EM71GY"] == "IN"
        assert marks["09:15 1KD6XG"] == "DUE"
        assert marks["10:00 FU38WF"] == "DUE"
        floor = home.query_one("#panel-workshop_in_progress").panel  # type: ignore[attr-defined]
        assert floor.total == 3
        assert {"planner", "workshop_jobs", "book_job"} <= _keys(home)


async def test_counter_staff_look_jobs_up_but_do_not_book(demo_db: Database) -> None:
    """The counter sees the planner and the jobs ("where is my truck"), not booking."""
    app = signed_in_app(demo_db, "chris.counter")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = _keys(app.screen)
        assert {"planner", "workshop_jobs"} <= keys
        assert "book_job" not in keys
        # A job opens to be read: none of the workshop's keys are offered.
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, JobListScreen)
        await pilot.press(*"1ME8", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, JobCardScreen)
        assert _text(app.screen, "#job-keys") == "Also: v vehicle · F1 all keys"
        assert not {"check_in", "log_on", "finish", "move"} & _keys(app.screen)


async def test_the_planner_at_80_by_24_shows_the_day_and_scrolls_by_keys(
    demo_db: Database,
) -> None:
    """Friday's four mechanics fit; on a 60x12 screen End and the arrows scroll."""
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        planner = app.screen
        assert isinstance(planner, PlannerScreen)
        grid = planner.query_one(PlannerGrid)
        assert grid.layout_ is not None
        assert [row.name for row in grid.layout_.view.rows] == [
            "Ann Roberts",
            "Ben Okafor",
            "Eve Tran",
            "Raj Patel",
        ]
        # 07:00 to 17:00 in quarter hours: 40 cells, all in view at 80 columns.
        assert len(grid.layout_.columns) == 40
        assert grid.left == 0
        assert "MEL mechanics, Fri 04/12/2026" in _text(planner, "#planner-title")
        await pilot.press("w")
        await settle(pilot)
        assert [d.day.day for d in grid.layout_.view.days] == [30, 1, 2, 3, 4]
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        grid = app.screen.query_one(PlannerGrid)
        assert grid.layout_ is not None and len(grid.layout_.view.rows) == 6
        await pilot.press("end")
        assert grid.left > 0
        await pilot.press("home")
        assert grid.left == 0
        for _ in range(5):
            await pilot.press("down")
        assert grid.row == 5 and grid.top > 0


async def test_moving_a_block_by_keys_rechecks_and_moves_the_job(
    demo_db: Database,
) -> None:
    """Eve's 12:30 eTRU job moves to 14:00; moved onto her 09:15 job it is refused."""
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(PlannerScreen(FRIDAY))
        await settle(pilot)
        planner = app.screen
        grid = planner.query_one(PlannerGrid)
        await pilot.press("down", "down")
        grid.go_to(datetime(2026, 12, 4, 12, 30, tzinfo=MELBOURNE))
        await settle(pilot)
        block = grid.current_block
        assert block is not None and block.registration == "XT23SA"
        await pilot.press("m", *["left"] * 12)
        await pilot.press("enter")
        await settle(pilot)
        assert "cannot be booked" in _text(planner, "#planner-info")
        await pilot.press(*["right"] * 18, "enter")
        await settle(pilot)
        assert grid.ghost is None
        moved = job_view(demo_db, batch_actor(demo_db, "dana.service"), block.job_id)
        assert f"{moved.starts_at.astimezone(MELBOURNE):%H:%M}" == "14:00"


async def test_a_bad_booking_is_marked_at_its_fields(demo_db: Database) -> None:
    """An unknown truck and work code are named and their fields marked."""
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(BookingScreen())
        await settle(pilot)
        screen = app.screen
        screen.query_one("#f-vehicle", Input).value = "NOPE99"
        screen.query_one("#f-work", Input).value = "XYZ"
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert screen.query_one("#f-vehicle", Input).has_class("-invalid")
        assert screen.query_one("#f-work", Input).has_class("-invalid")
        message = _text(screen, "#booking-message")
        assert "Vehicle: no vehicle has registration or VIN 'NOPE99'" in message
        assert "Work: 'XYZ' is neither an operation nor a package" in message
        enabled = {b.binding.id for b in screen.active_bindings.values() if b.enabled}
        assert "book" in _keys(screen) and "book" not in enabled


async def test_check_in_needs_the_agreed_work_confirmed(demo_db: Database) -> None:
    """Ctrl+S without the box ticked marks it; ticked, the truck is checked in."""
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_record("workshop_job", 6)
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckInScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        box = screen.query_one("#f-agreed_work_confirmed", Checkbox)
        assert box.has_class("-invalid")
        assert "Agreed work confirmed: confirm" in _text(screen, "#checkin-message")
        box.value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        card = app.screen
        assert isinstance(card, JobCardScreen) and card.job is not None
        assert card.job.status.value == "checked_in"


async def test_the_job_list_finds_a_registration(demo_db: Database) -> None:
    """j lists the jobs; typing XT23SA narrows to its job; Enter opens the card."""
    app = signed_in_app(demo_db, "dana.service")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, JobListScreen)
        await pilot.press(*"XT23SA", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, JobCardScreen)
        assert app.screen.job is not None and app.screen.job.registration == "XT23SA"


async def test_a_manager_sees_the_job_but_not_the_advisors_keys(
    demo_db: Database,
) -> None:
    """The sales manager may read a job card; check-in and moves are hidden."""
    app = signed_in_app(demo_db, "mike.manager")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_record("workshop_job", 6)
        await settle(pilot)
        keys = _keys(app.screen)
        assert "reload" in keys
        assert not {"check_in", "move", "finish", "log_on"} & keys
