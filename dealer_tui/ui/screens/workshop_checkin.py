"""Checking a truck in: the agreed work confirmed, odometer, issues, inspection."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Static

from dealer_tui.core.errors import DealerError, ValidationFailed
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.work import run_service
from dealer_tui.workshop.services import CheckInForm, check_in
from dealer_tui.workshop.views import JobView

FIELDS = (
    ("odometer_km", "Odometer (km)"),
    ("agreed_work_confirmed", "Agreed work confirmed"),
    ("other_issues", "Other issues"),
    ("inspection_notes", "Inspection notes"),
)


class CheckInScreen(WorkScreen):
    """Welcome the truck: go through the agreed work with the customer, then Ctrl+S."""

    CSS_PATH = css("workshop_checkin")
    TITLE = "Check in"
    BINDINGS = [
        Binding("ctrl+s", "save", "Check in", id="save", priority=True),
    ]

    def __init__(self, job: JobView) -> None:
        super().__init__()
        self.job = job

    def compose_body(self) -> ComposeResult:
        job = self.job
        work = [
            f"  {op.code:<9} {op.description}  ({op.hours} h, {op.payer})"
            for op in job.operations
        ] + [
            f"  {part.part_number:<9} {part.description}  ({part.holding})"
            for part in job.parts
        ]
        with VerticalScroll(id="checkin-body"):
            yield Static(
                f"{job.number} · {job.registration or job.vin} {job.vehicle_name} · "
                f"{job.customer_name}",
                markup=False,
                id="checkin-head",
            )
            yield Static(
                "Agreed work, to go through with the customer:\n" + "\n".join(work),
                markup=False,
                id="checkin-work",
            )
            yield Static("", markup=False, id="checkin-message")
            with Horizontal(classes="checkin-row"):
                yield Label("Odometer (km)")
                yield Input(
                    str(job.vehicle_odometer_km),
                    id="f-odometer_km",
                    placeholder=f"at least {job.vehicle_odometer_km:,}",
                )
            with Horizontal(classes="checkin-row"):
                yield Label("Agreed work confirmed")
                yield Checkbox("with the customer", False, id="f-agreed_work_confirmed")
            with Horizontal(classes="checkin-row"):
                yield Label("Other issues")
                yield Input(
                    id="f-other_issues", placeholder="what else the customer says"
                )
            with Horizontal(classes="checkin-row"):
                yield Label("Inspection notes")
                yield Input(id="f-inspection_notes", placeholder="walk-round findings")
            yield Static(
                "Ctrl+S checks in · Escape goes back", markup=False, id="checkin-keys"
            )

    def on_mount(self) -> None:
        self.query_one("#f-odometer_km", Input).focus()

    def form(self) -> CheckInForm:
        return CheckInForm(
            odometer_km=self.query_one("#f-odometer_km", Input).value,
            agreed_work_confirmed=self.query_one(
                "#f-agreed_work_confirmed", Checkbox
            ).value,
            other_issues=self.query_one("#f-other_issues", Input).value,
            inspection_notes=self.query_one("#f-inspection_notes", Input).value,
        )

    def action_save(self) -> None:
        for name, _ in FIELDS:
            self.query_one(f"#f-{name}").remove_class("-invalid")
        self.query_one("#checkin-message", Static).update("Checking in ...")
        run_service(
            self,
            check_in,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            self.job.id,
            self.job.version,
            self.form(),
            at=self.app.frozen_clock,  # type: ignore[attr-defined]
            done=self._checked_in,
            refused=self._refused,
        )

    def _checked_in(self, job: JobView) -> None:
        self.dismiss(job)  # type: ignore[arg-type]

    def _refused(self, refusal: DealerError) -> None:
        message = self.query_one("#checkin-message", Static)
        if not isinstance(refusal, ValidationFailed):
            message.update(f"✗ {refusal.message}")
            return
        labels = dict(FIELDS)
        lines = []
        first = None
        for problem in refusal.problems:
            lines.append(
                f"✗ {labels.get(problem.field, problem.field)}: {problem.message}"
            )
            if problem.field in labels:
                widget = self.query_one(f"#f-{problem.field}")
                widget.add_class("-invalid")
                first = first or widget
        message.update("\n".join(lines))
        if first is not None:
            first.focus()
