"""Booking a workshop job: the truck and the work, then the earliest slots."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.core.auth import Permission
from dealer_tui.core.errors import DealerError, ValidationFailed
from dealer_tui.core.money import show_money
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.work import run_service
from dealer_tui.workshop.booking import (
    BookedJob,
    JobDraft,
    JobPlan,
    SlotOffer,
    SlotTaken,
    WorkCode,
    book_job,
    plan_job,
    work_codes,
)
from dealer_tui.workshop.jobs import show_minutes

# (field, label, placeholder, spans the row)
FIELDS = [
    ("vehicle", "Vehicle", "registration or VIN", False),
    ("customer", "Customer", "number; blank: the owner", False),
    ("work", "Work", "codes, e.g. SVC-A HV410 (Ctrl+L lists them)", True),
    ("parts", "Parts", "more parts, e.g. 21707134x2", True),
    ("source", "Source", "customer planned workshop unplanned parts", False),
    ("payer", "Payer", "customer warranty contract internal", False),
    ("length_m", "Length m", "truck and trailer, e.g. 19", False),
    ("bay_types", "Needs bay", "e.g. hv_safe", False),
    ("not_before", "From day", "YYYY-MM-DD; blank: now", False),
    ("requested_work", "Request", "what the customer asks for", False),
]
LABELS = {name: label for name, label, _, _ in FIELDS}


class WorkPicker(ModalScreen[str | None]):
    """The packages and operations to choose from; Enter adds one to the work."""

    CSS_PATH = css("workshop_booking")
    BINDINGS = [Binding("escape", "close", "Close", id="close")]

    def __init__(self, codes: list[WorkCode]) -> None:
        super().__init__()
        self.codes = codes

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static("Packages and operations · Enter adds · Escape closes")
            yield OptionList(
                *(
                    Option(
                        f"{'PKG ' if c.is_package else '    '}{c.code:<10} "
                        f"{show_minutes(c.minutes):>10}  {c.description[:40]}\n"
                        f"{'':26}needs {c.needs}",
                        id=c.code,
                    )
                    for c in self.codes
                ),
                id="picker-list",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class BookingScreen(WorkScreen):
    """Book a job: type the truck and the work, Ctrl+F finds slots, Enter books one."""

    CSS_PATH = css("workshop_booking")
    TITLE = "Book a workshop job"
    BINDINGS = [
        Binding("ctrl+f", "find", "Find slots", id="find", priority=True),
        Binding("ctrl+b", "book", "Book slot", id="book", priority=True),
        Binding("ctrl+l", "pick_work", "Work list", id="work_list", priority=True),
    ]

    def __init__(
        self, *, not_before: date | None = None, vehicle: str = "", work: str = ""
    ) -> None:
        super().__init__()
        self.initial = {
            "vehicle": vehicle,
            "work": work,
            "source": "customer",
            "payer": "customer",
            "not_before": not_before.isoformat() if not_before else "",
        }
        self.plan: JobPlan | None = None
        self.wanted: SlotOffer | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="booking-body"):
            with Grid(id="booking-form"):
                for name, label, placeholder, wide in FIELDS:
                    yield Label(label, classes="booking-label")
                    yield Input(
                        self.initial.get(name, ""),
                        placeholder=placeholder,
                        id=f"f-{name}",
                        classes="wide" if wide else "",
                    )
            yield Static("", markup=False, id="booking-message")
            yield Static(
                "Type the vehicle and the work, then Ctrl+F for slots.",
                markup=False,
                id="booking-plan",
            )
            yield OptionList(id="booking-slots")

    def on_mount(self) -> None:
        self.query_one("#f-vehicle", Input).focus()

    # -- reading the form ----------------------------------------------------

    def draft(self) -> JobDraft:
        values = {
            name: self.query_one(f"#f-{name}", Input).value for name, *_ in FIELDS
        }
        return JobDraft(**values)

    def _clear_marks(self) -> None:
        for name, *_ in FIELDS:
            self.query_one(f"#f-{name}", Input).remove_class("-invalid")
        self.query_one("#booking-message", Static).update("")

    def _refused(self, refusal: DealerError) -> None:
        message = self.query_one("#booking-message", Static)
        if isinstance(refusal, SlotTaken):
            self.wanted = refusal.offer
            message.update(f"✗ {refusal.message}")
            self.action_find(keep_message=True)
            return
        if not isinstance(refusal, ValidationFailed):
            message.update(f"✗ {refusal.message}")
            return
        first = None
        lines = []
        for problem in refusal.problems:
            label = LABELS.get(problem.field, problem.field)
            lines.append(f"✗ {label}: {problem.message}")
            if problem.field in LABELS:
                widget = self.query_one(f"#f-{problem.field}", Input)
                widget.add_class("-invalid")
                first = first or widget
        message.update("\n".join(lines))
        if first is not None:
            first.focus()

    # -- finding slots -------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_find()

    def action_find(self, keep_message: bool = False) -> None:
        if not keep_message:
            self._clear_marks()
            self.wanted = None
        else:
            for name, *_ in FIELDS:
                self.query_one(f"#f-{name}", Input).remove_class("-invalid")
        self.query_one("#booking-plan", Static).update("Finding slots ...")
        run_service(
            self,
            plan_job,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            self.draft(),
            at=self.app.frozen_clock,  # type: ignore[attr-defined]
            done=self._planned,
            refused=self._refused,
            group="plan",
            exclusive=True,
        )

    def _planned(self, plan: JobPlan) -> None:
        self.plan = plan
        hold = "  [CREDIT HOLD]" if plan.credit_hold else ""
        lines = [
            f"{plan.customer_number} {plan.customer_name} · {plan.vehicle_text}{hold}",
            f"Standing: {plan.financial_status}",
            f"Work {show_minutes(plan.work_minutes)} · estimate "
            f"{show_money(plan.estimate.total)} ex GST (labour "
            f"{show_money(plan.estimate.labour)}, parts "
            f"{show_money(plan.estimate.parts)})",
        ]
        if plan.parts:
            lines.append("Parts: " + "; ".join(need.describe() for need in plan.parts))
        if plan.parts_ready_on:
            lines.append(
                f"Awaited parts arrive {plan.parts_ready_on:%d/%m/%Y}: slots start "
                "no earlier."
            )
        self.query_one("#booking-plan", Static).update("\n".join(lines))
        slots = self.query_one("#booking-slots", OptionList)
        slots.clear_options()
        for index, offer in enumerate(plan.slots):
            slots.add_option(Option(f"{index + 1}. {offer.describe()}", id=str(index)))
        for reason in plan.unmet:
            slots.add_option(Option(Text(f"No slot: {reason}"), disabled=True))
        if plan.slots:
            slots.highlighted = self._wanted_index(plan)
            slots.focus()
        self.refresh_bindings()

    def _wanted_index(self, plan: JobPlan) -> int:
        wanted = self.wanted
        if wanted is None:
            return 0
        for index, offer in enumerate(plan.slots):
            if offer.choice == wanted.choice:
                return index
        return 0

    # -- booking -------------------------------------------------------------

    def _highlighted(self) -> SlotOffer | None:
        if self.plan is None or not self.plan.slots:
            return None
        index = self.query_one("#booking-slots", OptionList).highlighted
        if index is None or index >= len(self.plan.slots):
            return None
        return self.plan.slots[index]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.app.actor  # type: ignore[attr-defined]
        if action in ("find", "book", "pick_work") and not actor.can(
            Permission.BOOK_WORKSHOP
        ):
            return False
        if action == "book":
            return True if self._highlighted() is not None else None
        return True

    def on_option_list_option_highlighted(
        self, event: OptionList.OptionHighlighted
    ) -> None:
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "booking-slots":
            self.action_book()

    def action_book(self) -> None:
        offer = self._highlighted()
        if offer is None:
            self.query_one("#booking-message", Static).update(
                "Find slots first (Ctrl+F), then choose one."
            )
            return
        self._clear_marks()
        self.query_one("#booking-message", Static).update(
            f"Booking {offer.describe()} ..."
        )
        run_service(
            self,
            book_job,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            self.draft(),
            offer.choice,
            at=self.app.frozen_clock,  # type: ignore[attr-defined]
            done=self._booked,
            refused=self._refused,
            group="book",
            exclusive=True,
        )

    def _booked(self, booked: BookedJob) -> None:
        from dealer_tui.ui.screens.workshop_job import JobCardScreen

        short = [p for p in booked.promises if p.short]
        parts = (
            f" {len(booked.promises)} part lines reserved"
            + (f", {len(short)} short" if short else "")
            + "."
            if booked.promises
            else ""
        )
        self.notify(f"Booked {booked.number}: {booked.slot.describe()}.{parts}")
        if self.app.actor.can(Permission.VIEW_WORKSHOP):  # type: ignore[attr-defined]
            self.app.switch_screen(JobCardScreen(booked.job_id))
        else:
            # Booking for another area (a delivery inspection): back to it.
            self.app.pop_screen()

    # -- the list of work codes ----------------------------------------------

    def action_pick_work(self) -> None:
        run_service(
            self,
            work_codes,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            done=lambda codes: self.app.push_screen(WorkPicker(codes), self._add_code),
        )

    def _add_code(self, code: str | None) -> None:
        field = self.query_one("#f-work", Input)
        if code:
            field.value = f"{field.value.strip()} {code}".strip()
        field.focus()
