"""The new-lead form, and the choice it asks for when the lead may be known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.core.errors import DealerError
from dealer_tui.leads.duplicates import DuplicateLine
from dealer_tui.leads.qualification import Segment
from dealer_tui.leads.services import (
    DuplicateChoice,
    DuplicateDecision,
    DuplicatesFound,
)
from dealer_tui.ui.screens.base import css
from dealer_tui.ui.widgets.form import Field, FormScreen

SEGMENT_HINT = "e.g. " + ", ".join(s.value for s in list(Segment)[:5]) + " ..."
SOURCE_HINT = "e.g. referral, walk_in, website, trade_show, cold_call"


def lead_fields(values: dict[str, str] | None = None) -> list[Field]:
    """The fields of the lead form, filled with values when editing."""
    given = values or {}
    return [
        Field("company", "Company", given.get("company", "")),
        Field("segment", "Segment", given.get("segment", ""), SEGMENT_HINT),
        Field("source", "Source", given.get("source", ""), SOURCE_HINT),
        Field("abn", "ABN", given.get("abn", "")),
        Field("phone", "Phone", given.get("phone", "")),
        Field("email", "E-mail", given.get("email", "")),
        Field("fleet_size", "Fleet size (trucks)", given.get("fleet_size", "")),
        Field(
            "fleet_makes",
            "Makes in the fleet",
            given.get("fleet_makes", ""),
            "e.g. Volvo, Kenworth",
        ),
        Field("region", "Region", given.get("region", ""), "e.g. VIC, QLD"),
        Field("notes", "Notes", given.get("notes", "")),
    ]


def new_lead_fields() -> list[Field]:
    """The form for a new suspect: the lead, its first contact, a first call."""
    fields = lead_fields()
    contact = [
        Field("contact_name", "Contact name"),
        Field("contact_position", "Contact position"),
        Field("contact_phone", "Contact phone"),
        Field("contact_email", "Contact e-mail"),
        Field(
            "next_contact_on",
            "First call on",
            "",
            "YYYY-MM-DD or DD/MM/YYYY; blank for none",
        ),
    ]
    return fields[:6] + contact + fields[6:]


class DuplicateChoiceScreen(ModalScreen[DuplicateDecision | None]):
    """The lead may be a known company: merge into it, link to it, or keep both."""

    CSS_PATH = css("lead_form")
    BINDINGS = [
        Binding("escape", "cancel", "Back to the form", id="cancel"),
        Binding("k", "keep", "Keep both", id="keep"),
    ]

    def __init__(self, matches: list[DuplicateLine]) -> None:
        super().__init__()
        self.matches = matches

    def compose(self) -> ComposeResult:
        with Vertical(id="duplicates-box"):
            yield Static("This may be a company already known", id="duplicates-title")
            for match in self.matches[:5]:
                yield Static(
                    f"• {match.sentence}", classes="duplicate-line", markup=False
                )
            options = []
            for index, match in enumerate(self.matches[:5]):
                if match.kind == "lead":
                    options.append(
                        Option(
                            Text(f"Merge into lead {match.number} {match.name}"),
                            id=f"merge:{index}",
                        )
                    )
                options.append(
                    Option(
                        Text(f"Link to {match.kind} {match.number} {match.name}"),
                        id=f"link:{index}",
                    )
                )
            options.append(Option("Keep both: save the new lead apart", id="keep"))
            yield OptionList(*options, id="duplicates-choices")
            yield Static(
                "Enter chooses · k keeps both · Escape goes back to the form",
                id="duplicates-keys",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice, _, index = (event.option.id or "").partition(":")
        if choice == "keep":
            self.action_keep()
            return
        match = self.matches[int(index)]
        self.dismiss(
            DuplicateDecision(DuplicateChoice(choice), match.kind, match.record_id)
        )

    def action_keep(self) -> None:
        self.dismiss(DuplicateDecision(DuplicateChoice.KEEP))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LeadFormScreen(FormScreen):
    """The lead form; a possible duplicate asks the user what to do, then saves."""

    def __init__(
        self,
        title: str,
        fields: list[Field],
        save: Callable[[dict[str, Any], DuplicateDecision | None], Any],
    ) -> None:
        self._decision: DuplicateDecision | None = None
        super().__init__(title, fields, lambda values: save(values, self._decision))

    def _refused(self, refusal: DealerError) -> None:
        if isinstance(refusal, DuplicatesFound):
            self.query_one("#form-message", Static).update(refusal.message)
            self.app.push_screen(DuplicateChoiceScreen(refusal.matches), self._decided)
            return
        super()._refused(refusal)

    def _decided(self, decision: DuplicateDecision | None) -> None:
        if decision is None:
            self.query_one("#form-message", Static).update(
                "Not saved: change the details, or save again to choose."
            )
            return
        self._decision = decision
        self.action_save()
