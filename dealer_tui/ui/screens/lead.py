"""A lead: its facts, the qualification checklist, the score explained, history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.core.auth import Permission
from dealer_tui.core.money import show_money
from dealer_tui.leads.matching import format_abn
from dealer_tui.leads.pipeline import ActivityKind, Stage
from dealer_tui.leads.qualification import (
    Answer,
    FollowUp,
    LeadStatus,
    Outcome,
    check_transition,
)
from dealer_tui.leads.scoring import SCALE_MAX
from dealer_tui.leads.services import (
    ActivityLine,
    LeadForm,
    LeadView,
    add_contact,
    assign_lead,
    change_status,
    complete_activity,
    lead_view,
    move_opportunity,
    plan_activity,
    record_answers,
    set_ranking_answers,
    update_lead,
)
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.screens.lead_convert import ConversionScreen
from dealer_tui.ui.screens.lead_form import lead_fields
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service

ANSWER_MARKS = {Answer.YES: "[x] yes", Answer.NO: "[ ] NO ", Answer.UNKNOWN: "[?]    "}
FOLLOW_UP_WORDS = {
    FollowUp.OVERDUE: "OVERDUE",
    FollowUp.DUE_TODAY: "due today",
    FollowUp.PLANNED: "planned",
    FollowUp.UNPLANNED: "not planned",
    FollowUp.NONE: "none needed",
}
# Actions that change the lead, hidden from roles that never work leads.
CHANGES = {
    "edit",
    "checklist",
    "ranking",
    "qualify",
    "disqualify",
    "reopen",
    "convert",
    "contact",
    "plan",
    "complete",
    "stage",
}
STATUS_ACTIONS = {
    "qualify": LeadStatus.QUALIFIED,
    "disqualify": LeadStatus.DISQUALIFIED,
    "reopen": LeadStatus.QUALIFYING,
    "convert": LeadStatus.CONVERTED,
}


class LeadScreen(WorkScreen):
    """One lead: checklist, score breakdown, contacts, activities; all by keys."""

    CSS_PATH = css("lead")
    TITLE = "Lead"
    BINDINGS = [
        Binding("q", "checklist", "Checklist", id="checklist"),
        Binding("s", "ranking", "Ranking answers", id="ranking"),
        Binding("y", "qualify", "Qualify", id="qualify"),
        Binding("x", "disqualify", "Disqualify", id="disqualify"),
        Binding("o", "reopen", "Reopen", id="reopen"),
        Binding("v", "convert", "Convert", id="convert"),
        Binding("n", "plan", "Plan activity", id="plan"),
        Binding("d", "complete", "Complete activity", id="complete"),
        Binding("c", "contact", "Add contact", id="contact"),
        Binding("e", "edit", "Edit details", id="edit"),
        Binding("w", "assign", "Assign", id="assign"),
        Binding("g", "stage", "Opportunity stage", id="stage"),
        Binding("a", "account", "Open account", id="account"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id
        self.lead: LeadView | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="lead-body"):
            yield Static("Loading ...", id="lead-head", markup=False)
            yield Static("", id="lead-why", markup=False)
            with Horizontal(id="lead-columns"):
                yield Static("", id="lead-details", markup=False)
                yield Static("", id="lead-checklist", markup=False)
            yield Static("Score", classes="section-title")
            yield Static("", id="lead-score")
            yield Static(
                "Activities (d completes the highlighted one)", classes="section-title"
            )
            yield OptionList(id="lead-activities")
            yield Static("Contacts", classes="section-title")
            yield Static("", id="lead-contacts", markup=False)
            yield Static("", id="lead-more", markup=False)

    def on_mount(self) -> None:
        self.action_reload()

    def _app(self) -> Any:
        return self.app

    def action_reload(self) -> None:
        app = self._app()
        run_service(
            self,
            lead_view,
            app.db,
            app.actor,
            self.lead_id,
            app.frozen_clock,
            done=self.show,
        )

    # -- showing -----------------------------------------------------------

    def show(self, lead: LeadView) -> None:
        self.lead = lead
        self.sub_title = f"{lead.number} {lead.company}"
        status = lead.status.value.upper()
        self.query_one("#lead-head", Static).update(
            f"{lead.number}  {lead.company}  [{status}]  score {lead.score.total:.2f}"
        )
        why = self._why(lead)
        self.query_one("#lead-why", Static).update(why)
        self.query_one("#lead-why").display = bool(why)
        self.query_one("#lead-details", Static).update(self._details(lead))
        self.query_one("#lead-checklist", Static).update(self._checklist(lead))
        self.query_one("#lead-score", Static).update(self._score(lead))
        self._show_activities(lead)
        contacts = [
            f"{'* ' if c.primary else '  '}{c.name}  {c.position}  {c.phone}  {c.email}"
            for c in lead.contacts
        ]
        self.query_one("#lead-contacts", Static).update(
            "\n".join(contacts) or "No contacts yet: c adds one."
        )
        self.query_one("#lead-more", Static).update(self._more(lead))
        self.refresh_bindings()

    def _why(self, lead: LeadView) -> str:
        """Why the next steps are not available, so a dimmed key explains itself."""
        if lead.change_refusal:
            return f"✗ {lead.change_refusal}"
        lines = []
        # The next step's refusal only: qualifying a suspect, converting a
        # prospect.
        step = None
        if lead.status in (LeadStatus.NEW, LeadStatus.QUALIFYING):
            step = "qualify"
        elif lead.status is LeadStatus.QUALIFIED:
            step = "convert"
        if step is not None:
            check = check_transition(lead.status, STATUS_ACTIONS[step], lead.answers)
            if check.refusal:
                lines.append(f"{step.capitalize()}: {check.refusal}")
        if lead.status is LeadStatus.DISQUALIFIED:
            lines.append(f"Disqualified: {lead.disqualification_reason}")
        if lead.status is LeadStatus.CONVERTED:
            lines.append(
                "Converted: the account holds this company now (a opens it); "
                "the lead keeps its history and opportunity."
            )
        return "\n".join(lines)

    def _details(self, lead: LeadView) -> str:
        follow = FOLLOW_UP_WORDS[lead.follow_up]
        due = f"{lead.next_contact_on:%d/%m/%Y} " if lead.next_contact_on else ""
        fleet = "—" if lead.fleet_size is None else f"{lead.fleet_size} trucks"
        rows = [
            f"Segment  {lead.segment.label}",
            f"Source   {lead.source.label}",
            f"ABN      {format_abn(lead.abn) or '—'}",
            f"Phone    {lead.phone or '—'}",
            f"E-mail   {lead.email or '—'}",
            f"Fleet    {fleet}  {lead.fleet_makes}",
            f"Region   {lead.region or '—'}   Owner  {lead.owner or 'nobody'}",
            f"Next     {due}({follow})",
        ]
        if lead.account:
            rows.append(f"Account  {lead.account}")
        if lead.linked_lead:
            rows.append(f"Linked   lead {lead.linked_lead}")
        return "\n".join(rows)

    def _checklist(self, lead: LeadView) -> str:
        rows = ["Qualification checklist"]
        for criterion, answer in lead.answers.items():
            rows.append(f"{ANSWER_MARKS[answer]} {criterion.short}")
        verdict = lead.verdict
        if verdict.outcome is Outcome.QUALIFIES:
            rows.append("All five are yes: qualifies.")
        elif verdict.outcome is Outcome.DISQUALIFIABLE:
            rows.append(f"No: {verdict.reason}.")
        else:
            rows.append(f"{len(verdict.unanswered)} not answered yet.")
        return "\n".join(rows)

    def _score(self, lead: LeadView) -> Table:
        table = Table(box=None, pad_edge=False, expand=False, show_edge=False)
        table.add_column("Parameter")
        table.add_column("Answer", justify="right")
        table.add_column(f"of {SCALE_MAX}", justify="right")
        table.add_column("Weight", justify="right")
        table.add_column("Points", justify="right")
        for part in lead.score.contributions:
            answer = "—" if part.answer is None else str(part.answer)
            table.add_row(
                part.parameter.label,
                answer,
                str(part.value),
                f"{part.weight}",
                f"{part.points:.2f}",
            )
        table.add_row("Total", "", "", "", Text(f"{lead.score.total:.2f}", "bold"))
        return table

    def _show_activities(self, lead: LeadView) -> None:
        activities = self.query_one("#lead-activities", OptionList)
        highlighted = activities.highlighted
        activities.clear_options()
        for item in lead.activities:
            if item.done:
                when = f"{item.due_on:%d/%m/%y} done"
                text = f"{when:<14} {item.kind.label:<7} {item.outcome}"
            else:
                mark = "OVERDUE" if item.overdue else "planned"
                when = f"{item.due_on:%d/%m/%y} {mark}"
                text = f"{when:<14} {item.kind.label:<7} {item.notes}"
            activities.add_option(Option(Text(text.rstrip()), id=str(item.id)))
        if not lead.activities:
            activities.add_option(
                Option("No activities yet: n plans one.", disabled=True)
            )
        elif highlighted is not None and highlighted < len(lead.activities):
            activities.highlighted = highlighted

    def _more(self, lead: LeadView) -> str:
        rows = []
        if lead.opportunity:
            o = lead.opportunity
            rows.append(
                f"Opportunity {o.number}: {o.title} · {o.expected_trucks} trucks · "
                f"{show_money(o.value)} · close {o.close_on:%d/%m/%Y} · "
                f"{o.stage.label.upper()}"
            )
            if o.stage is Stage.LOST:
                rows.append(f"Lost to {o.competitor}: {o.lost_reason}")
        if lead.duplicates:
            rows.append("Possible duplicates:")
            rows.extend(f"  {d.sentence}" for d in lead.duplicates[:5])
        if lead.notes:
            rows.append(f"Notes: {lead.notes}")
        return "\n".join(rows)

    # -- what may be done now ---------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self._app().actor
        lead = self.lead
        if action in CHANGES and not actor.can(Permission.WORK_LEADS):
            return False
        if action == "assign" and not actor.can(Permission.ASSIGN_LEADS):
            return False
        if action == "account":
            if lead is None:
                return None
            return lead.account_id is not None
        if action == "stage":
            if lead is None:
                return None
            if lead.opportunity is None:
                return False
            return True if lead.may_change and lead.opportunity.stage.is_open else None
        if action not in CHANGES and action != "assign":
            return True
        if lead is None or not lead.may_change:
            return None
        if action in STATUS_ACTIONS:
            check = lead.move(STATUS_ACTIONS[action])
            if check is None:
                # Not a move from this status; qualifying a new lead is the
                # next step, so it stays in sight with its reason.
                next_step = action == "qualify" and lead.status is LeadStatus.NEW
                return None if next_step else False
            return True if check.allowed else None
        if action == "complete":
            return any(not a.done for a in lead.activities) or None
        return lead.status is not LeadStatus.CONVERTED or None

    # -- actions -----------------------------------------------------------

    def _form(self, title: str, fields: list[Field], save: Any) -> None:
        self.app.push_screen(FormScreen(title, fields, save), self._saved)

    def _saved(self, lead: LeadView | None, message: str = "Saved.") -> None:
        if lead is not None:
            self.show(lead)
            self.notify(message)

    def action_edit(self) -> None:
        lead = self.lead
        if lead is None:
            return
        app = self._app()
        values = {
            "company": lead.company,
            "segment": lead.segment.value,
            "source": lead.source.value,
            "abn": format_abn(lead.abn),
            "phone": lead.phone,
            "email": lead.email,
            "fleet_size": "" if lead.fleet_size is None else str(lead.fleet_size),
            "fleet_makes": lead.fleet_makes,
            "region": lead.region,
            "notes": lead.notes,
        }

        def save(typed: dict[str, Any]) -> LeadView:
            return update_lead(
                app.db,
                app.actor,
                lead.id,
                lead.version,
                LeadForm(**typed),
                app.frozen_clock,
            )

        self._form(f"Edit {lead.number} {lead.company}", lead_fields(values), save)

    def action_checklist(self) -> None:
        lead = self.lead
        if lead is None:
            return
        app = self._app()

        def save(typed: dict[str, Any]) -> LeadView:
            return record_answers(
                app.db, app.actor, lead.id, lead.version, typed, app.frozen_clock
            )

        fields = [
            Field(
                c.value,
                c.short.capitalize(),
                "" if a is Answer.UNKNOWN else a.value,
                f"{c.question} yes, no or blank",
            )
            for c, a in lead.answers.items()
        ]
        self._form(f"Qualification checklist of {lead.company}", fields, save)

    def action_ranking(self) -> None:
        lead = self.lead
        if lead is None:
            return
        app = self._app()

        def save(typed: dict[str, Any]) -> LeadView:
            return set_ranking_answers(
                app.db, app.actor, lead.id, lead.version, typed, app.frozen_clock
            )

        def shown(value: int | None) -> str:
            return "" if value is None else str(value)

        ranking = lead.ranking
        fields = [
            Field("fleet_size", "Fleet size (trucks)", shown(ranking.fleet_size)),
            Field(
                "after_sales_penetration",
                "After-sales (0-5)",
                shown(ranking.after_sales_penetration),
                "0 none of the servicing to 5 all of it",
            ),
            Field(
                "finance_openness",
                "Maker's finance (0-5)",
                shown(ranking.finance_openness),
                "0 not at all to 5 asking for it",
            ),
            Field(
                "brand_values_fit",
                "Brand values fit (0-5)",
                shown(ranking.brand_values_fit),
                "safety, uptime, cost of ownership",
            ),
        ]
        self._form(f"Ranking answers of {lead.company}", fields, save)

    def _status(self, target: LeadStatus, reason: str = "") -> LeadView:
        lead = self.lead
        assert lead is not None
        app = self._app()
        return change_status(
            app.db, app.actor, lead.id, lead.version, target, reason, app.frozen_clock
        )

    def action_qualify(self) -> None:
        if self.lead is None:
            return
        run_service(
            self,
            self._status,
            LeadStatus.QUALIFIED,
            done=lambda lead: self._saved(lead, "Qualified: a prospect now."),
        )

    def action_reopen(self) -> None:
        if self.lead is None:
            return
        run_service(
            self,
            self._status,
            LeadStatus.QUALIFYING,
            done=lambda lead: self._saved(lead, "Reopened: qualifying again."),
        )

    def action_disqualify(self) -> None:
        lead = self.lead
        if lead is None:
            return

        def save(typed: dict[str, Any]) -> LeadView:
            return self._status(
                LeadStatus.DISQUALIFIED, typed["disqualification_reason"]
            )

        fields = [
            Field(
                "disqualification_reason",
                "Reason",
                lead.verdict.reason,
                "Why the dealer stops working this lead",
            )
        ]
        self._form(f"Disqualify {lead.number} {lead.company}", fields, save)

    def action_convert(self) -> None:
        lead = self.lead
        if lead is None:
            return
        self.app.push_screen(ConversionScreen(lead), self._saved)

    def action_contact(self) -> None:
        lead = self.lead
        if lead is None:
            return
        app = self._app()

        def save(typed: dict[str, Any]) -> LeadView:
            return add_contact(app.db, app.actor, lead.id, typed, app.frozen_clock)

        fields = [
            Field("name", "Name"),
            Field("position", "Position"),
            Field("phone", "Phone"),
            Field("email", "E-mail"),
        ]
        self._form(f"New contact at {lead.company}", fields, save)

    def action_plan(self) -> None:
        lead = self.lead
        if lead is None:
            return
        app = self._app()

        def save(typed: dict[str, Any]) -> LeadView:
            return plan_activity(app.db, app.actor, lead.id, typed, app.frozen_clock)

        kinds = ", ".join(k.value for k in ActivityKind)
        fields = [
            Field("kind", "Kind", ActivityKind.CALL.value, kinds),
            Field(
                "due_on",
                "Due on",
                f"{lead.today + timedelta(days=7):%d/%m/%Y}",
                "YYYY-MM-DD or DD/MM/YYYY",
            ),
            Field("notes", "Notes"),
        ]
        self._form(f"Plan an activity for {lead.company}", fields, save)

    def action_complete(self) -> None:
        lead = self.lead
        if lead is None:
            return
        chosen = self._chosen_activity(lead)
        if chosen is None:
            return
        app = self._app()

        def save(typed: dict[str, Any]) -> LeadView:
            return complete_activity(
                app.db, app.actor, chosen.id, chosen.version, typed, app.frozen_clock
            )

        kinds = ", ".join(k.value for k in ActivityKind)
        asks_next = lead.status.is_open
        fields = [
            Field("outcome", "Outcome", "", "How it went, in a line"),
            Field("notes", "Notes"),
        ]
        if asks_next:
            fields += [
                Field(
                    "next_contact_on",
                    "Next contact on",
                    "",
                    "YYYY-MM-DD or DD/MM/YYYY (required)",
                ),
                Field("next_kind", "Next contact by", ActivityKind.CALL.value, kinds),
            ]
        title = (
            f"Complete: {chosen.kind.label} of {chosen.due_on:%d/%m/%Y} "
            f"with {lead.company}"
        )
        self._form(title, fields, save)

    def _chosen_activity(self, lead: LeadView) -> ActivityLine | None:
        """The highlighted planned activity, else the one due first."""
        open_ones = [a for a in lead.activities if not a.done]
        activities = self.query_one("#lead-activities", OptionList)
        if activities.highlighted is not None and activities.option_count:
            option = activities.get_option_at_index(activities.highlighted)
            for item in open_ones:
                if str(item.id) == option.id:
                    return item
        return open_ones[-1] if open_ones else None

    def action_assign(self) -> None:
        lead = self.lead
        if lead is None:
            return
        app = self._app()

        def save(typed: dict[str, Any]) -> LeadView:
            return assign_lead(
                app.db,
                app.actor,
                lead.id,
                lead.version,
                typed["owner"],
                app.frozen_clock,
            )

        fields = [Field("owner", "Assign to", "", "user name, e.g. sam.rep")]
        self._form(f"Assign {lead.number} {lead.company}", fields, save)

    def action_stage(self) -> None:
        lead = self.lead
        if lead is None or lead.opportunity is None:
            return
        opportunity = lead.opportunity
        app = self._app()

        def save(typed: dict[str, Any]) -> LeadView:
            return move_opportunity(
                app.db,
                app.actor,
                opportunity.id,
                opportunity.version,
                typed,
                app.frozen_clock,
            )

        stages = ", ".join(s.value for s in Stage)
        fields = [
            Field("stage", "Stage", opportunity.stage.value, stages),
            Field("lost_reason", "Lost because", "", "only when lost"),
            Field("competitor", "Lost to", "", "the competitor, only when lost"),
        ]
        self._form(
            f"Opportunity {opportunity.number}: {opportunity.title}", fields, save
        )

    def action_account(self) -> None:
        if self.lead and self.lead.account_id:
            self._app().open_record("customer", self.lead.account_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        lead = self.lead
        if lead is None or event.option_list.id != "lead-activities":
            return
        planned = {str(a.id) for a in lead.activities if not a.done}
        if event.option.id in planned and self.check_action("complete", ()):
            self.action_complete()
