"""Converting a qualified prospect: the account, its contacts, the opportunity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.widgets import Static

from dealer_tui.leads.pipeline import Stage
from dealer_tui.leads.services import ConversionForm, LeadView, convert_lead
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.widgets.form import Field, FormScreen


def conversion_summary(lead: LeadView) -> str:
    """What converting will create, in words, above the opportunity's fields."""
    if lead.account:
        account = f"Converts into the linked account {lead.account}."
    else:
        account = f"Creates a new account for {lead.company}."
    people = len(lead.contacts)
    contacts = (
        f"Copies {people} contact{'s' if people != 1 else ''} to the account."
        if people
        else "The lead has no contacts to copy."
    )
    return f"{account}\n{contacts}\nThe opportunity:"


class ConversionScreen(FormScreen):
    """Convert a prospect: Ctrl+S creates account, contacts and opportunity."""

    CSS_PATH = css("lead_convert")

    def __init__(self, lead: LeadView) -> None:
        self.lead = lead
        stages = ", ".join(s.value for s in Stage if s.is_open)
        fields = [
            Field("title", "Opportunity", f"Trucks for {lead.company}"[:200]),
            Field("expected_trucks", "Expected trucks", "", "how many trucks"),
            Field("value", "Value ($)", "", "e.g. 450000.00"),
            Field(
                "close_on",
                "Expected close",
                f"{lead.today + timedelta(days=60):%d/%m/%Y}",
                "YYYY-MM-DD or DD/MM/YYYY",
            ),
            Field("stage", "Stage", Stage.NEEDS_ANALYSIS.value, stages),
        ]
        super().__init__(f"Convert {lead.number} {lead.company}", fields, self._convert)

    def on_mount(self) -> None:
        box = self.query_one("#form-box")
        box.mount(
            Static(conversion_summary(self.lead), id="convert-summary"),
            after=self.query_one("#form-title"),
        )

    def _convert(self, values: dict[str, Any]) -> LeadView:
        app: Any = self.app
        return convert_lead(
            app.db,
            app.actor,
            self.lead.id,
            self.lead.version,
            ConversionForm(**values),
            app.frozen_clock,
        )
