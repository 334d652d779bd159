"""The states of a quote and the moves allowed between them."""

from __future__ import annotations

import enum


class QuoteState(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"

    @property
    def title(self) -> str:
        return self.value.replace("_", " ")

    @property
    def editable(self) -> bool:
        """Only a draft may change; sent prices are frozen."""
        return self is QuoteState.DRAFT


ALLOWED: dict[QuoteState, frozenset[QuoteState]] = {
    QuoteState.DRAFT: frozenset(
        {QuoteState.AWAITING_APPROVAL, QuoteState.SENT, QuoteState.SUPERSEDED}
    ),
    QuoteState.AWAITING_APPROVAL: frozenset(
        {QuoteState.DRAFT, QuoteState.SENT, QuoteState.SUPERSEDED}
    ),
    QuoteState.SENT: frozenset(
        {
            QuoteState.ACCEPTED,
            QuoteState.REJECTED,
            QuoteState.EXPIRED,
            QuoteState.SUPERSEDED,
        }
    ),
    QuoteState.EXPIRED: frozenset({QuoteState.SUPERSEDED}),
    QuoteState.REJECTED: frozenset({QuoteState.SUPERSEDED}),
    QuoteState.ACCEPTED: frozenset(),
    QuoteState.SUPERSEDED: frozenset(),
}


def refusal(current: QuoteState, target: QuoteState) -> str | None:
    """Why the quote cannot move from one state to the other, or None."""
    if target in ALLOWED[current]:
        return None
    if current is QuoteState.ACCEPTED:
        return "The quote is accepted: it can only become an order now."
    if current is QuoteState.SUPERSEDED:
        return "A newer version of this quote replaces it; work on that one."
    if current is QuoteState.EXPIRED and target is QuoteState.ACCEPTED:
        return (
            "The quote has expired: re-price it (a new version at today's "
            "prices) before the customer can accept it."
        )
    return f"A quote that is {current.title} cannot become {target.title}."
