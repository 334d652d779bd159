"""Ranking weights by segment: what each parameter is worth in a lead's score."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.core.auth import Permission
from dealer_tui.leads.scoring import RankingParameter
from dealer_tui.leads.services import (
    SchemeLine,
    WeightsSaved,
    ranking_schemes,
    set_ranking_weights,
)
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service

HEADER = (
    f"{'Segment':<24}{'Fleet':>7}{'After-s':>8}{'Finance':>8}{'Values':>7}{'Leads':>7}"
)


def scheme_text(line: SchemeLine) -> str:
    """One segment's row: its weights, its number of leads, default or set."""
    weights = [line.weights[p] for p in RankingParameter]
    mark = "" if line.version is not None else "  default"
    return (
        f"{line.segment.label[:23]:<24}{weights[0]:>7}{weights[1]:>8}"
        f"{weights[2]:>8}{weights[3]:>7}{line.leads:>7}{mark}"
    )


class RankingScreen(WorkScreen):
    """Each segment's ranking weights; a sales manager changes them with Enter."""

    CSS_PATH = css("lead_ranking")
    TITLE = "Ranking weights"
    BINDINGS = [
        Binding("e", "edit", "Change weights", id="edit"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.schemes: list[SchemeLine] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="ranking-body"):
            yield Static(
                "A parameter's share of the score is its weight over the sum "
                "of the segment's weights. Changing them scores the segment's "
                "leads again.",
                id="ranking-help",
            )
            yield Static(HEADER, id="ranking-header")
            yield OptionList(id="ranking-list")

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        app: Any = self.app
        run_service(self, ranking_schemes, app.db, app.actor, done=self.show)

    def show(self, schemes: list[SchemeLine]) -> None:
        self.schemes = schemes
        options = self.query_one("#ranking-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for line in schemes:
            options.add_option(Option(Text(scheme_text(line)), id=line.segment.value))
        options.highlighted = highlighted if highlighted is not None else 0
        options.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            app: Any = self.app
            if not app.actor.can(Permission.SET_RANKING):
                return False
            return True if self.schemes else None
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.check_action("edit", ()):
            self.action_edit()

    def action_edit(self) -> None:
        options = self.query_one("#ranking-list", OptionList)
        if options.highlighted is None or not self.schemes:
            return
        line = self.schemes[options.highlighted]
        app: Any = self.app

        def save(values: dict[str, Any]) -> WeightsSaved:
            return set_ranking_weights(
                app.db, app.actor, line.segment, line.version, values
            )

        fields = [
            Field(p.value, p.label[:21], f"{line.weights[p]}", "a weight, e.g. 3.00")
            for p in RankingParameter
        ]
        self.app.push_screen(
            FormScreen(f"Ranking weights of {line.segment.label}", fields, save),
            self._saved,
        )

    def _saved(self, saved: WeightsSaved | None) -> None:
        if saved is None:
            return
        self.notify(
            f"Saved the weights of {saved.scheme.segment.label}; "
            f"{saved.rescored} leads scored again."
        )
        self.action_reload()
