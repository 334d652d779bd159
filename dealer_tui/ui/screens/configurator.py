"""The configurator: choose a truck's options family by family, priced as you go.

The families run down the left, each with what it holds; the options of
the family under the cursor fill the rest, each marked with its state in
a symbol as well as a style: [x] chosen, [d] the model's default, [=]
fitted because the rules need it, [ ] free to choose, [#] blocked by the
choices made, [-] left out.  The rule engine answers every choice in
memory within milliseconds, so choosing happens on the spot; only saving
goes to the database.  A blocked option explains itself (w), and the
smallest change of earlier choices that frees it is one key away.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.catalog.configurator import (
    Configuration,
    FreeingChange,
    OptionBlocked,
    OptionState,
)
from dealer_tui.catalog.quotes import (
    ConfiguratorSession,
    QuoteView,
    complete_open_families,
    open_configurator,
    quote_view,
    save_configuration,
)
from dealer_tui.catalog.rules import Family
from dealer_tui.core.errors import DealerError
from dealer_tui.core.money import show_money
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.work import run_service

MARKS = {
    OptionState.CHOSEN: "[x]",
    OptionState.DEFAULT: "[d]",
    OptionState.FORCED: "[=]",
    OptionState.SELECTABLE: "[ ]",
    OptionState.BLOCKED: "[#]",
    OptionState.DECLINED: "[-]",
}
# Styles only underline what the mark already says; no colour carries a state.
STYLES = {
    OptionState.CHOSEN: "bold",
    OptionState.DEFAULT: "",
    OptionState.FORCED: "italic",
    OptionState.SELECTABLE: "",
    OptionState.BLOCKED: "dim",
    OptionState.DECLINED: "dim strike",
}
LEGEND = "[x] chosen [d] default [=] forced [ ] free [#] blocked [-] left out [!] open"
# Below this many cells a family's row drops the word for its state: the
# mark before the name says it already.
WIDE_FAMILIES = 28
# What each state means for the option under the cursor, and the next key.
STATE_HINTS = {
    OptionState.CHOSEN: "chosen by you; x takes the choice back.",
    OptionState.DEFAULT: "the model's default; Enter makes it your choice, "
    "x leaves it out.",
    OptionState.FORCED: "fitted because the rules need it; w says why.",
    OptionState.SELECTABLE: "free to choose; Enter fits it.",
    OptionState.BLOCKED: "blocked by your choices; w says why and what to give up.",
    OptionState.DECLINED: "left out by you; x takes that back.",
}
# The keys that change the truck wait while a save is on its way: the save
# reads the same rule engine, which serves one caller at a time.
CHANGING = {"choose", "decline", "why", "undo", "complete", "save"}


def family_summary(config: Configuration, family: Family) -> tuple[str, str, str]:
    """The family's mark, the word for what it holds, and its count."""
    state = config.family_state(family.code)
    states = {config.status(code).state for code in family.options}
    count = f"{len(state.included)}/{len(family.options)}"
    if state.open:
        return "[!]", "open", count
    if OptionState.CHOSEN in states:
        return "[x]", "chosen", count
    carried = {config.status(code).state for code in state.included}
    if OptionState.FORCED in carried:
        return "[=]", "forced", count
    if state.included:
        return "[d]", "default", count
    return "[ ]", "none", count


def price_difference(
    config: Configuration, family: Family, code: str, prices: dict[str, Decimal]
) -> Decimal | None:
    """The price against the option the truck carries now in a one-option family."""
    state = config.family_state(family.code)
    if not state.cardinality.single_choice or not state.included:
        return None
    current = state.included[0]
    if current == code or code not in prices or current not in prices:
        return None
    return prices[code] - prices[current]


class ConfiguratorScreen(WorkScreen):
    """Choose the truck's options; s saves them to the quote, Escape goes back."""

    CSS_PATH = css("configurator")
    TITLE = "Configurator"
    BINDINGS = [
        Binding(
            "space",
            "choose",
            "Choose",
            id="choose",
            key_display="Enter/Space",
            tooltip="Fit the option under the cursor",
        ),
        Binding(
            "x,delete",
            "decline",
            "Leave out",
            id="decline",
            key_display="x/Del",
            tooltip="Leave the option out, or take back your choice about it",
        ),
        Binding("w", "why", "Why", id="why", tooltip="Why the option is blocked"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo the last step"),
        Binding(
            "c",
            "complete",
            "Complete",
            id="complete",
            tooltip="Fill every open family with the first option that fits",
        ),
        Binding("s", "save", "Save", id="save", tooltip="Save the truck to the quote"),
        Binding("left", "focus_families", "Families", id="families", show=False),
        Binding("right", "focus_options", "Options", id="options", show=False),
    ]

    def __init__(self, quote_id: int) -> None:
        super().__init__()
        self.quote_id = quote_id
        self.session: ConfiguratorSession | None = None
        self.config: Configuration | None = None
        self.view: QuoteView | None = None
        self.version = 0
        # None when the quote holds choices the rules no longer take, so
        # that the truck as it stands now is worth saving.
        self.saved_choices: tuple[Any, ...] | None = ()
        self.saving = False
        self.family_code = ""
        self._notice = ""
        self._notice_code: str | None = None
        self._leave_after_save = False

    @property
    def _app(self) -> Any:
        return self.app

    @property
    def dirty(self) -> bool:
        """Whether the truck differs from what the quote holds."""
        return self.config is not None and self.config.choices != self.saved_choices

    def compose_body(self) -> ComposeResult:
        with Vertical(id="cfg-body"):
            yield Static("Opening the configurator ...", id="cfg-head", markup=False)
            with Horizontal(id="cfg-lists"):
                yield OptionList(id="cfg-families")
                yield OptionList(id="cfg-options")
            yield Static(LEGEND, id="cfg-legend", markup=False)
            yield Static("", id="cfg-message", markup=False)
            yield Static("", id="cfg-price", markup=False)

    def on_mount(self) -> None:
        self.query_one("#cfg-families").border_title = "Families"
        self.query_one("#cfg-options").border_title = "Options"
        run_service(
            self,
            open_configurator,
            self._app.db,
            self._app.actor,
            self.quote_id,
            done=self._opened,
            refused=self._cannot_open,
        )
        self._load_quote()

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def _load_quote(self) -> None:
        run_service(
            self,
            quote_view,
            self._app.db,
            self._app.actor,
            self.quote_id,
            done=self._quote_loaded,
            group="quote",
        )

    def _cannot_open(self, refusal: DealerError) -> None:
        self._app.show_refusal(refusal)
        self.app.pop_screen()

    def _opened(self, session: ConfiguratorSession) -> None:
        self.session = session
        self.config = session.configuration
        self.version = session.version
        self.saved_choices = (
            None if session.not_restored else session.configuration.choices
        )
        self.family_code = session.catalogue.families[0].code
        self._show_families()
        self._show_options()
        if session.not_restored:
            names = session.catalogue.names
            lost = "; ".join(choice.phrase(names) for choice in session.not_restored)
            self._set_notice(
                f"These saved choices no longer fit the rules and were left out: "
                f"{lost}. Save to keep the truck as it is now."
            )
            self._show_message()
        self.query_one("#cfg-families", OptionList).focus()
        self._show_price()
        self.refresh_bindings()

    def _quote_loaded(self, view: QuoteView) -> None:
        self.view = view
        self.sub_title = view.label
        self.query_one("#cfg-head", Static).update(
            f"{view.label} · {view.model_name} ({view.model_code}) · "
            f"{view.customer_name}"
        )
        self._show_price()

    # Drawing

    def _show_families(self) -> None:
        session, config = self.session, self.config
        if session is None or config is None:
            return
        families = self.query_one("#cfg-families", OptionList)
        keep = families.highlighted
        wide = families.content_size.width >= WIDE_FAMILIES
        families.clear_options()
        for family in session.catalogue.families:
            mark, word, count = family_summary(config, family)
            row = Table.grid(expand=True, padding=(0, 1, 0, 0))
            row.add_column(no_wrap=True)
            row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            if wide:
                row.add_column(no_wrap=True, min_width=7)
            row.add_column(no_wrap=True, justify="right", min_width=3)
            style = "bold" if word == "open" else ""
            cells = [Text(mark, style=style), Text(family.name, style=style)]
            if wide:
                cells.append(Text(word, style=style))
            row.add_row(*cells, count)
            families.add_option(Option(row, id=family.code))
        families.highlighted = keep if keep is not None else 0

    def _show_options(self, keep: int | None = None) -> None:
        session, config = self.session, self.config
        if session is None or config is None:
            return
        family = session.catalogue.families_by_code[self.family_code]
        options = self.query_one("#cfg-options", OptionList)
        options.border_title = f"Options: {family.name}"
        options.clear_options()
        code_width = max(len(code) for code in family.options)
        for code in family.options:
            status = config.status(code)
            option = session.catalogue.options_by_code[code]
            price = session.prices.get(code)
            difference = price_difference(config, family, code, session.prices)
            style = STYLES[status.state]
            row = Table.grid(expand=True, padding=(0, 1, 0, 0))
            row.add_column(no_wrap=True)
            row.add_column(no_wrap=True, min_width=code_width)
            row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            row.add_column(no_wrap=True, justify="right", min_width=10)
            row.add_column(no_wrap=True, justify="right", min_width=10)
            row.add_row(
                Text(MARKS[status.state], style=style),
                Text(code, style=style),
                Text(option.name, style=style),
                f"{price:,.2f}" if price is not None else "no price",
                f"{difference:+,.2f}" if difference is not None else "",
            )
            options.add_option(Option(row, id=code))
        options.highlighted = keep if keep is not None else 0
        self._show_message()

    def _highlighted_code(self) -> str | None:
        options = self.query_one("#cfg-options", OptionList)
        index = options.highlighted
        if index is None or index >= options.option_count:
            return None
        return options.get_option_at_index(index).id

    def _show_message(self) -> None:
        shown = self.query_one("#cfg-message", Static)
        if self._notice:
            shown.update(self._notice)
            return
        code = self._highlighted_code()
        session, config = self.session, self.config
        if code is None or session is None or config is None:
            shown.update("")
            return
        option = session.catalogue.options_by_code[code]
        state = config.status(code).state
        shown.update(f"{code} {option.name}: {STATE_HINTS[state]}")

    def _show_price(self) -> None:
        session, config = self.session, self.config
        if session is None or config is None:
            return
        view = self.view
        money = view.currency if view else "AUD"
        model_code = session.engine.model.code
        base = session.prices.get(model_code, Decimal("0.00"))
        options = sum(
            (session.prices.get(code, Decimal("0.00")) for code in config.included()),
            Decimal("0.00"),
        )
        families = session.catalogue.families_by_code
        still_open = [families[code].name for code in config.open_families()]
        done = f"open: {', '.join(still_open)}" if still_open else "complete"
        lines = [
            f"List: truck {show_money(base, money)} + options "
            f"{show_money(options, money)} = {show_money(base + options, money)}"
            f" · {done}"
        ]
        if view is not None:
            totals = view.totals
            lines.append(
                f"Quote as saved: net {show_money(totals.net_total, money)} "
                f"GST {show_money(totals.gst, money)} "
                f"total {show_money(totals.total_with_gst, money)}"
                + (" · NOT SAVED" if self.dirty else "")
            )
        self.query_one("#cfg-price", Static).update("\n".join(lines))

    def _redraw(self) -> None:
        options = self.query_one("#cfg-options", OptionList)
        self._show_families()
        self._show_options(options.highlighted)
        self._show_price()
        self.refresh_bindings()

    def on_resize(self) -> None:
        # The families' rows show the word for their state only when wide.
        self.call_after_refresh(self._show_families)

    # Moving about

    def on_option_list_option_highlighted(
        self, event: OptionList.OptionHighlighted
    ) -> None:
        if event.option_list.id == "cfg-families" and event.option.id:
            if event.option.id != self.family_code:
                self.family_code = event.option.id
                self._notice = ""
                self._show_options()
        elif event.option_list.id == "cfg-options":
            # Redrawing the list highlights the same row again: a notice
            # about it stays until the cursor goes elsewhere.
            if event.option.id != self._notice_code:
                self._notice = ""
            self._show_message()
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "cfg-families":
            self.action_focus_options()
        else:
            self.action_choose()

    def action_focus_families(self) -> None:
        self.query_one("#cfg-families", OptionList).focus()

    def action_focus_options(self) -> None:
        self.query_one("#cfg-options", OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CHANGING and (self.config is None or self.saving):
            return None
        if action == "undo":
            return True if self.config.can_undo else None  # type: ignore[union-attr]
        if action == "complete":
            return True if self.config.open_families() else None  # type: ignore[union-attr]
        if action == "save":
            return True if self.dirty else None
        if action == "back" and self.saving:
            return None
        return True

    # Changing the truck

    def _set_notice(self, text: str) -> None:
        """A message about the option under the cursor, kept while it stays."""
        self._notice = text
        self._notice_code = self._highlighted_code()

    def _apply(self, step: Callable[[], Configuration], done: str = "") -> None:
        """Take one step; a refusal is explained where the hints are shown."""
        try:
            config = step()
            config.statuses  # noqa: B018 -- works the states out, may refuse
        except OptionBlocked as blocked:
            outcome = blocked.explanation.sentences[-1].removeprefix("So ")
            self._set_notice(
                f"Not possible: {outcome}. Press w for why, and for what would free it."
            )
            self._show_message()
            return
        except DealerError as refusal:
            self._set_notice(refusal.message)
            self._show_message()
            return
        self.config = config
        self._set_notice(done)
        self._redraw()

    def action_choose(self) -> None:
        if self.focused is self.query_one("#cfg-families"):
            self.action_focus_options()
            return
        code = self._highlighted_code()
        config = self.config
        if code is None or config is None or self.saving:
            return
        self._apply(lambda: config.choose(code))

    def action_decline(self) -> None:
        code = self._highlighted_code()
        config = self.config
        if code is None or config is None:
            return
        if config.choice_for(code) is not None:
            self._apply(lambda: config.withdraw(code))
        else:
            self._apply(lambda: config.decline(code))

    def action_undo(self) -> None:
        config = self.config
        if config is not None and config.can_undo:
            self._apply(config.undo, "Undone.")

    def action_complete(self) -> None:
        config = self.config
        if config is None:
            return
        self._apply(
            lambda: complete_open_families(config),
            "Every open family now has the first option that fits; u undoes it.",
        )

    def action_why(self) -> None:
        code = self._highlighted_code()
        session, config = self.session, self.config
        if code is None or session is None or config is None:
            return
        subject = session.catalogue.names.option(code)
        state = config.status(code).state
        explanation = config.explain(code)
        change = config.freeing_change(code)
        if explanation is None:
            title = f"Nothing stops {subject}"
            sentences: tuple[str, ...] = (
                f"{subject[:1].upper()}{subject[1:]} is {state.value}: "
                f"{STATE_HINTS[state]}",
            )
        elif explanation.state is OptionState.FORCED:
            title = f"Why {subject} must be fitted"
            sentences = (
                *explanation.sentences,
                "To leave it out, first take back one of the choices named.",
            )
        else:
            title = f"Why {subject} cannot be fitted"
            sentences = explanation.sentences
        blocked = explanation is not None and state is not OptionState.FORCED
        self.app.push_screen(
            WhyDialog(title, sentences, change, blocked=blocked), self._why_answered
        )

    def _why_answered(self, change: FreeingChange | None) -> None:
        config = self.config
        if change is None or config is None:
            return
        self._apply(
            lambda: config.accept(change),
            f"{change.sentence}: done. u undoes it.",
        )

    # Saving and leaving

    def action_save(self) -> None:
        config = self.config
        if config is None or self.saving:
            return
        self.saving = True
        self._set_notice("Saving ...")
        self._show_message()
        self.refresh_bindings()
        run_service(
            self,
            save_configuration,
            self._app.db,
            self._app.actor,
            self.quote_id,
            self.version,
            config,
            done=lambda view: self._saved(view, config),
            refused=self._not_saved,
        )

    def _saved(self, view: QuoteView, config: Configuration) -> None:
        self.saving = False
        self.view = view
        self.version = view.version
        self.saved_choices = config.choices
        self._set_notice(
            f"Saved to {view.label}: net "
            f"{show_money(view.totals.net_total, view.currency)}."
        )
        self._quote_loaded(view)
        self._redraw()
        if self._leave_after_save:
            self.app.pop_screen()

    def _not_saved(self, refusal: DealerError) -> None:
        self.saving = False
        self._leave_after_save = False
        self._set_notice(f"Not saved: {refusal.message}")
        self._show_message()
        self.refresh_bindings()

    def action_back(self) -> None:
        if self.saving:
            return
        if not self.dirty:
            self.app.pop_screen()
            return
        label = self.view.label if self.view else "the quote"
        self.app.push_screen(LeaveDialog(label), self._leave_answered)

    def _leave_answered(self, answer: str | None) -> None:
        if answer == "save":
            self._leave_after_save = True
            self.action_save()
        elif answer == "discard":
            self.app.pop_screen()


class WhyDialog(ModalScreen[FreeingChange | None]):
    """Why an option is blocked or forced, and the change that would free it."""

    CSS_PATH = css("configurator")
    BINDINGS = [
        Binding("a", "accept", "Accept the change", id="accept"),
        Binding("escape,enter", "close", "Close", id="close"),
    ]

    def __init__(
        self,
        title: str,
        sentences: tuple[str, ...],
        change: FreeingChange | None,
        *,
        blocked: bool,
    ) -> None:
        super().__init__()
        self._title = title
        self._sentences = sentences
        self._change = change
        self._blocked = blocked

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="why-box"):
            yield Static(self._title, id="why-title", markup=False)
            yield Static(
                "\n".join(f"· {sentence}." for sentence in self._sentences),
                id="why-text",
                markup=False,
            )
            if self._change is not None:
                extra = (
                    ""
                    if self._change.smallest
                    else " (the search for the fewest stopped early: this works, "
                    "but may give up more than needed)"
                )
                yield Static(
                    f"{self._change.sentence}.{extra}", id="why-change", markup=False
                )
                keys = "a accepts this change · Escape closes"
            elif self._blocked:
                yield Static(
                    "No change of your choices can fit it: the rules leave it "
                    "out of this model.",
                    id="why-change",
                    markup=False,
                )
                keys = "Escape closes"
            else:
                keys = "Escape closes"
            yield Static(keys, id="why-keys", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept":
            return self._change is not None
        return True

    def action_accept(self) -> None:
        self.dismiss(self._change)

    def action_close(self) -> None:
        self.dismiss(None)


class LeaveDialog(ModalScreen[str | None]):
    """The truck has changed since the last save: save it, drop it, or stay."""

    CSS_PATH = css("configurator")
    BINDINGS = [
        Binding("s,y", "answer('save')", "Save and leave", id="save"),
        Binding("d,n", "answer('discard')", "Leave without saving", id="discard"),
        Binding("escape", "answer('')", "Stay", id="stay"),
    ]

    def __init__(self, label: str) -> None:
        super().__init__()
        self._label = label

    def compose(self) -> ComposeResult:
        with Vertical(id="leave-box"):
            yield Static(
                f"The truck has changed since it was saved to {self._label}.",
                markup=False,
            )
            yield Static(
                "s saves and leaves · d leaves without saving · Escape stays",
                id="leave-keys",
                markup=False,
            )

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer or None)
