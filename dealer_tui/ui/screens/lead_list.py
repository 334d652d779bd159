"""The lead list: filter and sort as you type, open a lead, add one, hand out many."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from dealer_tui.core.auth import Permission
from dealer_tui.leads.filtering import describe, parse_filter
from dealer_tui.leads.qualification import FollowUp
from dealer_tui.leads.services import (
    BY_REGION,
    DistributionReport,
    DuplicateDecision,
    LeadForm,
    LeadLine,
    LeadSort,
    LeadView,
    create_lead,
    distribute_leads,
    lead_page,
)
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.screens.lead_form import LeadFormScreen, new_lead_fields
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.widgets.service_source import ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column, VirtualTable

FILTER_HELP = (
    "Type a company or lead number, and narrow with status:qualified, "
    "seg:construction, owner:me (or a user, or none), region:vic, overdue, "
    "score>50"
)


def follow_up_cell(line: LeadLine) -> str | Text:
    """The next contact in words as well as colour: late, today or the date."""
    day = line.next_contact_on
    if line.follow_up is FollowUp.OVERDUE and day is not None:
        return Text(f"{day:%d/%m} late", style="bold")
    if line.follow_up is FollowUp.DUE_TODAY:
        return Text("today", style="bold")
    if line.follow_up is FollowUp.PLANNED and day is not None:
        return f"{day:%d/%m/%y}"
    if line.follow_up is FollowUp.UNPLANNED:
        return "none"
    return ""


class LeadListScreen(ListScreen):
    """Leads: type to filter (status:, seg:, owner:, region:, overdue, score>N)."""

    CSS_PATH = css("lead_list")
    TITLE = "Leads"
    BINDINGS = [
        Binding("ctrl+n", "new_lead", "New lead", id="new_lead"),
        Binding("ctrl+t", "toggle_sort", "Sort", id="sort"),
        Binding("ctrl+g", "distribute", "Assign matching", id="distribute"),
        Binding("ctrl+r", "ranking", "Ranking weights", id="ranking"),
    ]
    record_kind = "lead"
    placeholder = "Company or number; status:, seg:, owner:, region:, overdue, score>N"

    def __init__(self) -> None:
        self.sort = LeadSort.SCORE
        super().__init__()

    def make_source(self) -> ServiceSource:
        def cells(line: LeadLine) -> tuple[str | Text, ...]:
            return (
                line.number,
                line.company,
                line.status.value,
                line.segment.value.replace("_", " "),
                line.owner,
                f"{line.score:.2f}",
                follow_up_cell(line),
            )

        app: Any = self.app
        return ServiceSource(
            [
                Column("Number", 12),
                Column("Company", 12, flex=3),
                Column("Status", 10),
                Column("Segment", 9, flex=1),
                Column("Owner", 8),
                Column("Score", 6, align="right"),
                Column("Next", 10),
            ],
            partial(lead_page, app.db, app.actor, sort=self.sort, at=app.frozen_clock),
            cells,
        )

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, id="list-filter")
        yield Static("", id="lead-filter-help", markup=False)
        yield VirtualTable(
            self.make_source(),
            id="list-table",
            empty_message="There are no leads yet: Ctrl+N adds one.",
            no_match_message="No lead matches the filter.",
        )

    # Textual calls the list screen's own mount and filter handlers as well,
    # so these add only the explanation: the list is filtered once a key.
    def on_mount(self) -> None:
        self._explain("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._explain(event.value)

    def _explain(self, text: str) -> None:
        wanted = parse_filter(text)
        line = f"{describe(wanted)} · {self.sort.label} (Ctrl+T)"
        if wanted.problems:
            line = "✗ " + "; ".join(wanted.problems)
        elif not text.strip():
            line = f"{FILTER_HELP} · {self.sort.label} (Ctrl+T)"
        self.query_one("#lead-filter-help", Static).update(line)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.app.actor  # type: ignore[attr-defined]
        if action == "new_lead":
            return actor.can(Permission.WORK_LEADS)
        if action == "distribute":
            return actor.can(Permission.ASSIGN_LEADS)
        return super().check_action(action, parameters)

    def action_toggle_sort(self) -> None:
        self.sort = LeadSort.COMPANY if self.sort is LeadSort.SCORE else LeadSort.SCORE
        self.query_one(VirtualTable).set_source(self.make_source())
        self._explain(self.query_one("#list-filter", Input).value)

    def action_ranking(self) -> None:
        self.app.action_open_list("ranking")  # type: ignore[attr-defined]

    def action_new_lead(self) -> None:
        app: Any = self.app

        def save(values: dict[str, Any], decision: DuplicateDecision | None) -> Any:
            return create_lead(
                app.db, app.actor, LeadForm(**values), decision, app.frozen_clock
            )

        self.app.push_screen(
            LeadFormScreen("New lead (a suspect)", new_lead_fields(), save),
            self._created,
        )

    def _created(self, lead: LeadView | None) -> None:
        if lead is None:
            return
        self.query_one(VirtualTable).reload()
        self.notify(f"Saved {lead.number} {lead.company}.")
        self.app.open_record("lead", lead.id)  # type: ignore[attr-defined]

    def action_distribute(self) -> None:
        app: Any = self.app
        text = self.query_one("#list-filter", Input).value

        def save(values: dict[str, Any]) -> DistributionReport:
            return distribute_leads(
                app.db, app.actor, text, values["to"], app.frozen_clock
            )

        title = (
            "Assign every open lead that matches the filter: "
            f"{describe(parse_filter(text))}"
        )
        fields = [
            Field("to", "Assign to", "", f"a user name, or '{BY_REGION}'"),
        ]
        self.app.push_screen(FormScreen(title, fields, save), self._distributed)

    def _distributed(self, report: DistributionReport | None) -> None:
        if report is None:
            return
        self.query_one(VirtualTable).reload()
        self.notify(report.summary(), timeout=8)
