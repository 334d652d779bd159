"""All quotes, newest first: type a number, a customer, a model or a state."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text

from dealer_tui.catalog.quote_states import QuoteState
from dealer_tui.catalog.quotes import QuoteLine_, quote_page
from dealer_tui.core.money import show_money
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets.service_source import ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column, Page

# Short words for the state column; the full ones are typed to filter.
STATE_WORDS = {
    QuoteState.DRAFT: "draft",
    QuoteState.AWAITING_APPROVAL: "approval",
    QuoteState.SENT: "sent",
    QuoteState.ACCEPTED: "accepted",
    QuoteState.REJECTED: "declined",
    QuoteState.EXPIRED: "expired",
    QuoteState.SUPERSEDED: "replaced",
}


class NewestFirst:
    """A row source read from its end: the newest quote number comes first.

    The service pages by number and version going up; this turns every
    request around, so the table's first page is the service's last.
    """

    def __init__(self, source: ServiceSource) -> None:
        self._source = source

    @property
    def columns(self) -> Any:
        return self._source.columns

    @staticmethod
    def _flip(page: Page) -> Page:
        return Page(tuple(reversed(page.rows)), page.has_more)

    def first(self, limit: int) -> Page:
        return self._flip(self._source.last(limit))

    def last(self, limit: int) -> Page:
        return self._flip(self._source.first(limit))

    def after(self, key: Any, limit: int) -> Page:
        return self._flip(self._source.before(key, limit))

    def before(self, key: Any, limit: int) -> Page:
        return self._flip(self._source.after(key, limit))

    def with_filter(self, text: str) -> NewestFirst:
        return NewestFirst(self._source.with_filter(text))

    def estimated_count(self) -> int | None:
        return None


class QuoteListScreen(ListScreen):
    """Every quote and version, newest first; Enter opens the one lit."""

    TITLE = "Quotes"
    record_kind = "quote"
    placeholder = "Quote number, customer, model or state (sent, draft ...)"

    def make_source(self) -> Any:
        def cells(line: QuoteLine_) -> tuple[str | Text, ...]:
            state = QuoteState(line.state)
            word = STATE_WORDS.get(state, state.value)
            return (
                line.number,
                f"v{line.revision}",
                Text(word, style="bold")
                if state is QuoteState.AWAITING_APPROVAL
                else word,
                line.customer,
                line.model_code,
                show_money(line.payable),
                f"{line.valid_until:%d/%m/%Y}",
            )

        return NewestFirst(
            ServiceSource(
                [
                    Column("Number", 12),
                    Column("Ver", 3),
                    Column("State", 8),
                    Column("Customer", 14, flex=3),
                    Column("Model", 8),
                    Column("Payable", 13, align="right"),
                    Column("Valid to", 10),
                ],
                partial(quote_page, self.app.db, self.app.actor),  # type: ignore[attr-defined]
                cells,
            )
        )
