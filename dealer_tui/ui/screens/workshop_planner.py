"""The workshop planner: who and which bay is booked when, for a day or a week."""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from dealer_tui.core import clock
from dealer_tui.core.auth import Permission
from dealer_tui.core.errors import DealerError
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.widgets.planner_grid import PlannerGrid
from dealer_tui.ui.work import run_service
from dealer_tui.workshop.booking import SlotChoice, reschedule_job
from dealer_tui.workshop.jobs import RESCHEDULABLE, show_minutes
from dealer_tui.workshop.planning import PlannerView, planner_view

LEGEND = "[..] booked  {..} in the workshop  (..) done  · free  blank: not working"


class PlannerScreen(WorkScreen):
    """Mechanics or bays down, time across; arrows move, m picks a job up to move it."""

    CSS_PATH = css("workshop_planner")
    TITLE = "Workshop planner"
    BINDINGS = [
        Binding("m", "move_block", "Move job", id="move"),
        Binding("n", "new_booking", "Book", id="book"),
        Binding(
            "comma",
            "shift(-1)",
            "Previous",
            id="earlier",
            key_display=",",
            tooltip="The day (or week) before",
        ),
        Binding(
            "full_stop",
            "shift(1)",
            "Next",
            id="later",
            key_display=".",
            tooltip="The day (or week) after",
        ),
        Binding("w", "toggle_week", "Day/week", id="week"),
        Binding("b", "toggle_bays", "Mechanics/bays", id="bays", show=False),
        Binding("t", "today", "Today", id="today", show=False),
        Binding("r", "reload", "Reload", id="reload", show=False),
    ]

    def __init__(self, first_day: date | None = None) -> None:
        super().__init__()
        self.first_day = first_day
        self.week = False
        self.by = "mechanic"
        self.view: PlannerView | None = None
        self.message = ""

    def compose_body(self) -> ComposeResult:
        yield Static("Loading the planner ...", markup=False, id="planner-title")
        yield PlannerGrid(id="planner-grid")
        yield Static("", markup=False, id="planner-info")
        yield Static(LEGEND, markup=False, id="planner-legend")

    def on_mount(self) -> None:
        if self.first_day is None:
            self.first_day = self._today()
        self.query_one(PlannerGrid).focus()
        self.action_reload()

    def _today(self) -> date:
        place = self.app.workplace  # type: ignore[attr-defined]
        zone = place.time_zone if place else "UTC"
        return clock.local_today(zone, self.app.frozen_clock)  # type: ignore[attr-defined]

    # -- loading -------------------------------------------------------------

    def _shown_first_day(self) -> date:
        assert self.first_day is not None
        if self.week:
            return self.first_day - timedelta(days=self.first_day.weekday())
        return self.first_day

    def action_reload(self) -> None:
        run_service(
            self,
            planner_view,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            self._shown_first_day(),
            7 if self.week else 1,
            self.by,
            open_weekdays_only=self.week,
            done=self._show,
            group="planner",
            exclusive=True,
        )

    def _show(self, view: PlannerView) -> None:
        self.view = view
        step = 60 if self.week else view.granularity
        grid = self.query_one(PlannerGrid)
        grid.show(view, step)
        booked = sum(day.booked_minutes for day in view.days)
        available = sum(day.available_minutes for day in view.days)
        share = f" ({booked * 100 // available}%)" if available else ""
        first = view.days[0].day if view.days else self._shown_first_day()
        span = f"week of {first:%a %d/%m/%Y}" if self.week else f"{first:%a %d/%m/%Y}"
        rows = "mechanics" if self.by == "mechanic" else "bays"
        self.query_one("#planner-title", Static).update(
            f"{view.branch_code} {rows}, {span} · mechanics booked "
            f"{show_minutes(booked)} of {show_minutes(available)}{share}"
        )
        self.sub_title = span
        self._describe()

    # -- the line under the grid ---------------------------------------------

    def on_planner_grid_cursor_moved(self, event: PlannerGrid.CursorMoved) -> None:
        self.message = ""
        self._describe()
        self.refresh_bindings()

    def _describe(self) -> None:
        grid = self.query_one(PlannerGrid)
        row, column, block = grid.current_row, grid.current_column, grid.current_block
        info = self.query_one("#planner-info", Static)
        if self.view is None or row is None or column is None:
            info.update(self.message or "Nothing to show.")
            return
        zone = self.view.time_zone
        when = f"{clock.local(column.start, zone):%a %d/%m %H:%M}"
        if grid.ghost is not None:
            moving = grid.ghost[0]
            text = (
                f"Moving {moving.number} to {when} with {row.name}: Enter places "
                "it, Escape leaves it where it was."
            )
        elif block is not None:
            start = clock.local(block.job_starts_at, zone)
            end = clock.local(block.job_ends_at, zone)
            text = (
                f"{block.number} {block.registration} {block.customer_name} · "
                f"{block.status.title} {start:%a %d/%m %H:%M}-{end:%H:%M}"
                f" · Enter opens, m moves"
            )
        else:
            text = (
                f"{row.name} · {when} · free"
                if self._is_free(grid)
                else (f"{row.name} · {when} · not working")
            )
        if self.message:
            text = f"{self.message}\n{text}"
        info.update(text)

    @staticmethod
    def _is_free(grid: PlannerGrid) -> bool:
        layout = grid.layout_
        if layout is None:
            return False
        return layout.cells[grid.row][grid.column] == "free"

    # -- keys ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.app.actor  # type: ignore[attr-defined]
        booking = action in ("move_block", "new_booking")
        if booking and not actor.can(Permission.BOOK_WORKSHOP):
            return False
        if action == "move_block":
            grid = self.query_one(PlannerGrid)
            if grid.ghost is not None:
                return True
            block = grid.current_block
            return True if block is not None and block.status in RESCHEDULABLE else None
        return True

    def action_shift(self, direction: int) -> None:
        assert self.first_day is not None
        self.first_day += timedelta(days=7 * direction if self.week else direction)
        self.action_reload()

    def action_today(self) -> None:
        self.first_day = self._today()
        self.action_reload()

    def action_toggle_week(self) -> None:
        grid = self.query_one(PlannerGrid)
        column = grid.current_column
        if column is not None:
            self.first_day = column.day
        self.week = not self.week
        self.action_reload()

    def action_toggle_bays(self) -> None:
        self.by = "bay" if self.by == "mechanic" else "mechanic"
        self.action_reload()

    def action_back(self) -> None:
        grid = self.query_one(PlannerGrid)
        if grid.ghost is not None:
            grid.stop_moving()
            self.message = "Move called off."
            self._describe()
            return
        super().action_back()

    def action_move_block(self) -> None:
        grid = self.query_one(PlannerGrid)
        if grid.ghost is not None:
            self._place()
            return
        block = grid.current_block
        if block is None:
            self.message = "Put the cursor on a job to move it."
        elif block.status not in RESCHEDULABLE:
            self.message = f"A job that is {block.status.title} stays where it is."
        elif grid.start_moving():
            self.message = ""
        self._describe()
        self.refresh_bindings()

    def on_planner_grid_block_chosen(self, event: PlannerGrid.BlockChosen) -> None:
        grid = self.query_one(PlannerGrid)
        if grid.ghost is not None:
            self._place()
        elif event.block is not None:
            self.app.open_record("workshop_job", event.block.job_id)  # type: ignore[attr-defined]

    def _place(self) -> None:
        grid = self.query_one(PlannerGrid)
        if (
            grid.ghost is None
            or grid.current_row is None
            or grid.current_column is None
        ):
            return
        block = grid.ghost[0]
        row = grid.current_row
        if self.by == "mechanic":
            choice = SlotChoice(
                row.resource_id, block.job_bay_id, grid.current_column.start
            )
        else:
            mechanic = block.job_mechanic_id
            assert mechanic is not None
            choice = SlotChoice(mechanic, row.resource_id, grid.current_column.start)
        self.message = "Checking ..."
        self._describe()
        run_service(
            self,
            reschedule_job,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            block.job_id,
            block.version,
            choice,
            at=self.app.frozen_clock,  # type: ignore[attr-defined]
            done=self._placed,
            refused=self._not_placed,
        )

    def _placed(self, view) -> None:  # type: ignore[no-untyped-def]
        grid = self.query_one(PlannerGrid)
        grid.stop_moving()
        zone = view.time_zone
        self.message = (
            f"Moved {view.number} to "
            f"{clock.local(view.starts_at, zone):%a %d/%m %H:%M} with "
            f"{view.mechanic_name} in {view.bay_name or 'no bay'}."
        )
        self.notify(self.message)
        self.action_reload()

    def _not_placed(self, refusal: DealerError) -> None:
        self.message = refusal.message
        self._describe()

    def action_new_booking(self) -> None:
        from dealer_tui.ui.screens.workshop_booking import BookingScreen

        grid = self.query_one(PlannerGrid)
        column = grid.current_column
        day = column.day if column is not None else None
        if day is not None and day < self._today():
            day = None
        self.app.push_screen(BookingScreen(not_before=day))

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.action_reload()
