"""The job card: the booking, the lines and their parts, time, and what is next."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.core import clock
from dealer_tui.core.auth import Permission
from dealer_tui.core.money import show_money
from dealer_tui.parts.services import show_quantity
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service
from dealer_tui.workshop.booking import (
    SlotOffer,
    cancel_job,
    mark_no_show,
    reschedule_job,
    reschedule_options,
)
from dealer_tui.workshop.jobs import (
    RESCHEDULABLE,
    JobStatus,
    Payer,
    move_refusal,
    show_minutes,
)
from dealer_tui.workshop.services import (
    ExtraWorkForm,
    FinishForm,
    add_extra_work,
    answer_extra_work,
    finish_job,
    log_off,
    log_on,
    pick_parts,
    remove_part,
    set_payer,
)
from dealer_tui.workshop.views import JobView, job_view

ON_FLOOR = (JobStatus.CHECKED_IN, JobStatus.IN_PROGRESS)


class SlotPicker(ModalScreen[SlotOffer | None]):
    """The slots a job could move to; Enter moves it there, Escape leaves it."""

    CSS_PATH = css("workshop_job")
    BINDINGS = [Binding("escape", "close", "Close", id="close")]

    def __init__(self, title: str, offers: list[SlotOffer]) -> None:
        super().__init__()
        self._title = title
        self.offers = offers

    def compose(self) -> ComposeResult:
        with Vertical(id="slot-box"):
            yield Static(self._title, markup=False, id="slot-title")
            options = [
                Option(f"{index + 1}. {offer.describe()}", id=str(index))
                for index, offer in enumerate(self.offers)
            ] or [Option("No free slot in the next 60 days.", disabled=True)]
            yield OptionList(*options, id="slot-list")
            yield Static(
                "Enter moves the job there · Escape leaves it",
                markup=False,
                id="slot-keys",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.offers[int(event.option.id or 0)])

    def action_close(self) -> None:
        self.dismiss(None)


class JobCardScreen(WorkScreen):
    """One workshop job: what was booked, checked in, worked, and handed on."""

    CSS_PATH = css("workshop_job")
    TITLE = "Job card"
    BINDINGS = [
        Binding("i", "check_in", "Check in", id="check_in"),
        Binding("l", "log_on", "Log on", id="log_on"),
        Binding("o", "log_off", "Log off", id="log_off"),
        Binding("p", "pick", "Pick parts", id="pick"),
        Binding("x", "extra", "Extra work", id="extra", show=False),
        Binding("a", "authorise", "Customer: yes", id="authorise", show=False),
        Binding("d", "decline", "Customer: no", id="decline", show=False),
        Binding("y", "payer", "Next payer", id="payer", show=False),
        Binding("u", "remove_part", "Remove part", id="remove_part", show=False),
        Binding("f", "finish", "Finish", id="finish"),
        Binding("m", "move", "Move", id="move"),
        Binding("c", "cancel_job", "Cancel job", id="cancel_job", show=False),
        Binding("n", "no_show", "No-show", id="no_show", show=False),
        Binding("v", "vehicle", "Vehicle", id="vehicle", show=False),
        Binding("r", "reload", "Reload", id="reload", show=False),
    ]

    def __init__(self, job_id: int) -> None:
        super().__init__()
        self.job_id = job_id
        self.job: JobView | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="job-body"):
            yield Static("Loading ...", markup=False, id="job-head")
            yield Static("", markup=False, id="job-booking")
            yield Static("", markup=False, id="job-next")
            yield Static(
                "Lines (y changes the payer, u removes a part)", classes="job-section"
            )
            yield OptionList(id="job-lines")
            yield Static("", markup=False, id="job-time")
            yield Static("", markup=False, id="job-arrival")
            yield Static("", markup=False, id="job-finish")
        yield Static(self._also(), markup=False, id="job-keys")

    # The keys the footer leaves out, each with the action that needs a right.
    _ALSO = (
        ("x extra work", "extra"),
        ("a/d customer says yes/no", "authorise"),
        ("y payer", "payer"),
        ("u remove part", "remove_part"),
        ("c cancel", "cancel_job"),
        ("n no-show", "no_show"),
        ("v vehicle", "vehicle"),
    )

    def _also(self) -> str:
        """The hidden keys this user may use: a counter clerk is shown none
        of the workshop's own."""
        shown = [
            words
            for words, action in self._ALSO
            if self.check_action(action, ()) is not False
        ]
        return "Also: " + " · ".join([*shown, "F1 all keys"])

    def on_mount(self) -> None:
        self.action_reload()

    def _at(self):  # type: ignore[no-untyped-def]
        return self.app.frozen_clock  # type: ignore[attr-defined]

    def action_reload(self) -> None:
        run_service(
            self,
            job_view,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            self.job_id,
            done=self.show,
        )

    def on_screen_resume(self) -> None:
        if self.job is not None:
            self.action_reload()

    # -- showing -------------------------------------------------------------

    def show(self, job: JobView) -> None:
        self.job = job
        self.sub_title = job.number
        hold = "  [CREDIT HOLD at booking]" if job.credit_hold else ""
        self.query_one("#job-head", Static).update(
            f"{job.number}  [{job.status.mark}] {job.status.title} · "
            f"{job.source.title}{hold}"
        )
        when = (
            f"{job.local(job.starts_at)}-{job.local(job.ends_at, '%H:%M')}"
            if job.starts_at
            and job.ends_at
            and job.local(job.starts_at, "%d") == job.local(job.ends_at, "%d")
            else f"{job.local(job.starts_at)} to {job.local(job.ends_at)}"
        )
        estimate = show_money(job.estimate_total)
        self.query_one("#job-booking", Static).update(
            "\n".join(
                [
                    f"Vehicle   {job.registration or job.vin} {job.vehicle_name} · "
                    f"{job.vehicle_odometer_km:,} km",
                    f"Customer  {job.customer_number} {job.customer_name} "
                    f"{job.customer_phone}",
                    f"Booked    {when} · {job.mechanic_name or '—'} · "
                    f"{job.bay_name or 'no bay'}",
                    f"Estimate  {show_minutes(job.estimate_minutes)}, {estimate} "
                    f"ex GST · {job.financial_status}",
                    f"Request   {job.requested_work or '—'}",
                ]
            )
        )
        self.query_one("#job-next", Static).update(f"» {self._next_step(job)}")
        lines = self.query_one("#job-lines", OptionList)
        highlighted = lines.highlighted
        lines.clear_options()
        for op in job.operations:
            extra = "extra " if op.extra else ""
            answer = f" · {op.authorised}" if op.authorised else ""
            lines.add_option(
                Option(
                    f"{op.code:<9} {op.description[:34]:<34} {op.hours:>5} h "
                    f"{op.payer:<8} {extra}{op.status}{answer}",
                    id=f"operation:{op.id}",
                )
            )
        for part in job.parts:
            lines.add_option(
                Option(
                    f"{part.part_number:<9} {part.description[:26]:<26} "
                    f"x{show_quantity(part.quantity):<5} {part.payer:<8} "
                    f"{part.holding}",
                    id=f"part:{part.id}",
                )
            )
        if highlighted is not None and highlighted < lines.option_count:
            lines.highlighted = highlighted
        now = self._at() or clock.now()
        logs = [
            f"{log.mechanic_name} {job.local(log.started_at)}-"
            + (job.local(log.ended_at, "%H:%M") if log.ended_at else "ON NOW")
            + f" ({show_minutes(log.minutes(now))})"
            for log in job.time_logs
        ]
        worked = sum(log.minutes(now) for log in job.time_logs)
        self.query_one("#job-time", Static).update(
            f"Time      {show_minutes(worked)} logged: " + "; ".join(logs)
            if logs
            else "Time      none logged yet"
        )
        arrival = (
            f"Arrived   {job.local(job.arrived_at)} · {job.odometer_km or 0:,} km · "
            f"issues: {job.other_issues or 'none'} · inspection: "
            f"{job.inspection_notes or 'none'}"
            if job.arrived_at
            else ""
        )
        self.query_one("#job-arrival", Static).update(arrival)
        self.query_one("#job-finish", Static).update(self._finish_text(job))
        self.refresh_bindings()

    def _finish_text(self, job: JobView) -> str:
        if job.status is JobStatus.CANCELLED:
            return f"Cancelled: {job.cancel_reason}"
        if job.finished_at is None:
            return ""
        parts = [
            f"Finished  {job.local(job.finished_at)} · {job.findings}",
        ]
        if job.handover_notes:
            parts.append(f"Handover  {job.handover_notes}")
        if job.next_service_due or job.next_service_km:
            due = f"{job.next_service_due:%d/%m/%Y}" if job.next_service_due else ""
            km = f" or {job.next_service_km:,} km" if job.next_service_km else ""
            parts.append(f"Next service {due}{km}")
        for state in job.invoicing:
            reference = f" on {state.reference}" if state.reference else ""
            parts.append(
                f"Invoicing {state.payer}: {show_money(state.net_total)} ex GST, "
                f"{'READY' if state.status == 'ready' else 'invoiced'}{reference}"
            )
        return "\n".join(parts)

    @staticmethod
    def _next_step(job: JobView) -> str:
        status = job.status
        if status is JobStatus.BOOKED:
            return "Check the truck in (i) when it arrives; time and parts come after."
        if status is JobStatus.CHECKED_IN:
            return "Log a mechanic on (l) to start the work."
        if status is JobStatus.IN_PROGRESS:
            if job.logged_on:
                names = ", ".join(log.mechanic_name for log in job.logged_on)
                return f"{names} on the job. Log off (o) before finishing."
            if job.awaiting_answer:
                return "Extra work waits for the customer: yes (a) or no (d)."
            if any("reserved" in p.holding or "SHORT" in p.holding for p in job.parts):
                return "Pick the parts (p), or remove those not used (u)."
            return "Ready to finish (f): findings, hand-over and the next service."
        if status is JobStatus.FINISHED:
            return "Finished: the lines are with invoicing, split by payer."
        return f"This job is {status.title}; nothing more to do."

    # -- what may be done ----------------------------------------------------

    def _line(self) -> tuple[str, int] | None:
        lines = self.query_one("#job-lines", OptionList)
        if lines.highlighted is None:
            return None
        kind, _, line_id = (
            lines.get_option_at_index(lines.highlighted).id or ""
        ).partition(":")
        return kind, int(line_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.app.actor  # type: ignore[attr-defined]
        run = actor.can(Permission.RUN_WORKSHOP)
        book = actor.can(Permission.BOOK_WORKSHOP)
        needs = {
            "check_in": run,
            "log_on": run,
            "log_off": run,
            "pick": run,
            "extra": run,
            "authorise": run,
            "decline": run,
            "payer": run,
            "remove_part": run,
            "finish": run,
            "move": book,
            "cancel_job": book,
            "no_show": book,
        }
        if action in needs and not needs[action]:
            return False
        job = self.job
        if action not in needs:
            return True
        if job is None:
            return None
        status = job.status
        possible = {
            "check_in": move_refusal(status, JobStatus.CHECKED_IN) is None,
            "log_on": status in ON_FLOOR,
            "log_off": bool(job.logged_on),
            "pick": status in ON_FLOOR
            and any("reserved" in p.holding for p in job.parts),
            "extra": status in ON_FLOOR,
            "authorise": status in ON_FLOOR and job.awaiting_answer,
            "decline": status in ON_FLOOR and job.awaiting_answer,
            "payer": status.is_open and self._line() is not None,
            "remove_part": status.is_open and (self._line() or ("", 0))[0] == "part",
            "finish": status is JobStatus.IN_PROGRESS,
            "move": status in RESCHEDULABLE,
            "cancel_job": move_refusal(status, JobStatus.CANCELLED) is None,
            "no_show": move_refusal(status, JobStatus.NO_SHOW) is None,
        }
        return True if possible[action] else None

    def on_option_list_option_highlighted(
        self, event: OptionList.OptionHighlighted
    ) -> None:
        self.refresh_bindings()

    # -- actions -------------------------------------------------------------

    def _call(self, service: Any, *args: Any, **kwargs: Any) -> None:
        run_service(
            self,
            service,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            self.job_id,
            *args,
            done=self._changed,
            **kwargs,
        )

    def _changed(self, job: JobView) -> None:
        self.show(job)

    def _form(self, title: str, fields: list[Field], save: Any) -> None:
        self.app.push_screen(FormScreen(title, fields, save), self._saved)

    def _saved(self, job: JobView | None) -> None:
        if job is not None:
            self.show(job)
            self.notify("Saved.")

    def action_check_in(self) -> None:
        from dealer_tui.ui.screens.workshop_checkin import CheckInScreen

        if self.job is not None:
            self.app.push_screen(CheckInScreen(self.job), self._saved)

    def action_log_on(self) -> None:
        job = self.job
        if job is None:
            return
        db, actor, at = self.app.db, self.app.actor, self._at()  # type: ignore[attr-defined]
        self._form(
            f"Log a mechanic on {job.number}",
            [Field("mechanic", "Mechanic (code)", job.mechanic_code)],
            lambda values: log_on(db, actor, job.id, values["mechanic"], at=at),
        )

    def action_log_off(self) -> None:
        job = self.job
        if job is None:
            return
        if len(job.logged_on) == 1:
            self._call(log_off, at=self._at())
            return
        db, actor, at = self.app.db, self.app.actor, self._at()  # type: ignore[attr-defined]
        self._form(
            f"Log a mechanic off {job.number}",
            [Field("mechanic", "Mechanic (code)", job.logged_on[0].mechanic_code)],
            lambda values: log_off(db, actor, job.id, values["mechanic"], at=at),
        )

    def action_pick(self) -> None:
        self._call(pick_parts)

    def action_extra(self) -> None:
        job = self.job
        if job is None:
            return
        db, actor, at = self.app.db, self.app.actor, self._at()  # type: ignore[attr-defined]
        self._form(
            f"Extra work on {job.number}",
            [
                Field("work", "Work (codes)", "", "e.g. BRK210"),
                Field("parts", "Parts", "", "e.g. 21920111x1"),
                Field("payer", "Payer", Payer.CUSTOMER.value),
                Field("authorised_by", "Agreed by", "", "blank: ask the customer"),
                Field("authorised_how", "How", "", "phone, in person, e-mail"),
            ],
            lambda values: add_extra_work(
                db, actor, job.id, ExtraWorkForm(**values), at=at
            ),
        )

    def action_authorise(self) -> None:
        job = self.job
        if job is None:
            return
        db, actor, at = self.app.db, self.app.actor, self._at()  # type: ignore[attr-defined]
        self._form(
            f"The customer agrees to the extra work on {job.number}",
            [
                Field("authorised_by", "Agreed by", ""),
                Field("authorised_how", "How", "phone"),
            ],
            lambda values: answer_extra_work(
                db, actor, job.id, authorised=True, at=at, **values
            ),
        )

    def action_decline(self) -> None:
        self._call(answer_extra_work, authorised=False, at=self._at())

    def action_payer(self) -> None:
        job, line = self.job, self._line()
        if job is None or line is None:
            return
        kind, line_id = line
        items = job.operations if kind == "operation" else job.parts
        current = next((item.payer for item in items if item.id == line_id), "customer")
        following = Payer(current).following().value
        self._call(set_payer, kind, line_id, following)

    def action_remove_part(self) -> None:
        line = self._line()
        if line is not None and line[0] == "part":
            self._call(remove_part, line[1])

    def action_finish(self) -> None:
        job = self.job
        if job is None:
            return
        db, actor, at = self.app.db, self.app.actor, self._at()  # type: ignore[attr-defined]
        self._form(
            f"Finish {job.number} and hand it to invoicing",
            [
                Field("findings", "Findings", "", "what was found and done"),
                Field("handover_notes", "Hand-over notes", ""),
                Field("next_service_due", "Next service date", "", "YYYY-MM-DD"),
                Field("next_service_km", "Next service km", ""),
            ],
            lambda values: finish_job(
                db, actor, job.id, job.version, FinishForm(**values), at=at
            ),
        )

    def action_move(self) -> None:
        job = self.job
        if job is None:
            return
        run_service(
            self,
            reschedule_options,
            self.app.db,  # type: ignore[attr-defined]
            self.app.actor,  # type: ignore[attr-defined]
            job.id,
            at=self._at(),
            done=lambda offers: self.app.push_screen(
                SlotPicker(f"Move {job.number} to", offers), self._move_to
            ),
        )

    def _move_to(self, offer: SlotOffer | None) -> None:
        job = self.job
        if offer is None or job is None:
            return
        self._call(reschedule_job, job.version, offer.choice, at=self._at())

    def action_cancel_job(self) -> None:
        job = self.job
        if job is None:
            return
        db, actor, at = self.app.db, self.app.actor, self._at()  # type: ignore[attr-defined]
        self._form(
            f"Cancel {job.number}: the time is freed, the parts go back",
            [Field("reason", "Reason", "")],
            lambda values: cancel_job(
                db, actor, job.id, job.version, values["reason"], at=at
            ),
        )

    def action_no_show(self) -> None:
        job = self.job
        if job is not None:
            self._call(mark_no_show, job.version, at=self._at())

    def action_vehicle(self) -> None:
        if self.job is not None:
            self.app.open_record("vehicle", self.job.vehicle_id)  # type: ignore[attr-defined]
