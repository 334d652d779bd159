"""Follow-up activities and opportunities: their kinds, stages and rules.

A sales rep works a lead through activities (a call, a visit, a meeting,
an e-mail), each due on a date and, once done, with an outcome. Finishing
one while the lead is still open means planning the next contact.

A converted prospect becomes an opportunity: so many trucks, worth so
much, expected to close by a date. It moves through its open stages and
ends won or lost; a lost one names the reason and the competitor that won
it, so that won/lost analysis has something to count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from dealer_tui.core.errors import Problem, Refused

OUTCOME_MAX_LENGTH = 200
LOST_REASON_MAX_LENGTH = 300
COMPETITOR_MAX_LENGTH = 120


class ActivityKind(StrEnum):
    """How the sales rep contacts the lead."""

    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"
    EMAIL = "email"

    @property
    def label(self) -> str:
        """The kind as screens show it."""
        return _ACTIVITY_LABELS[self]


_ACTIVITY_LABELS = {
    ActivityKind.CALL: "Call",
    ActivityKind.VISIT: "Visit",
    ActivityKind.MEETING: "Meeting",
    ActivityKind.EMAIL: "E-mail",
}


@dataclass(frozen=True)
class Completion:
    """What the sales rep says when an activity is done."""

    outcome: str
    next_contact_on: date | None
    next_kind: ActivityKind | None = None


def check_completion(
    completion: Completion, lead_is_open: bool, today: date
) -> list[Problem]:
    """Every problem with finishing an activity, each naming its field.

    An outcome is always needed. While the lead is open the next contact
    date is asked for too, and it cannot lie in the past; a closed lead
    needs no next contact.
    """
    problems: list[Problem] = []
    outcome = completion.outcome.strip()
    if not outcome:
        problems.append(Problem("outcome", "is required"))
    elif len(outcome) > OUTCOME_MAX_LENGTH:
        problems.append(
            Problem("outcome", f"is longer than {OUTCOME_MAX_LENGTH} characters")
        )
    if lead_is_open and completion.next_contact_on is None:
        problems.append(
            Problem("next_contact_on", "is required while the lead is open")
        )
    if completion.next_contact_on is not None and completion.next_contact_on < today:
        problems.append(Problem("next_contact_on", "cannot be in the past"))
    if not lead_is_open and completion.next_contact_on is not None:
        problems.append(Problem("next_contact_on", "a closed lead has no next contact"))
    return problems


class Stage(StrEnum):
    """Where an opportunity stands; won and lost are the end."""

    NEEDS_ANALYSIS = "needs_analysis"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"

    @property
    def label(self) -> str:
        """The stage as screens show it."""
        return _STAGE_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Whether the opportunity is still being worked."""
        return self not in (Stage.WON, Stage.LOST)


_STAGE_LABELS = {
    Stage.NEEDS_ANALYSIS: "Needs analysis",
    Stage.PROPOSAL: "Proposal",
    Stage.NEGOTIATION: "Negotiation",
    Stage.WON: "Won",
    Stage.LOST: "Lost",
}

OPEN_STAGES = tuple(s for s in Stage if s.is_open)

STAGE_MOVES: Mapping[Stage, frozenset[Stage]] = {
    Stage.NEEDS_ANALYSIS: frozenset(
        {Stage.PROPOSAL, Stage.NEGOTIATION, Stage.WON, Stage.LOST}
    ),
    Stage.PROPOSAL: frozenset(
        {Stage.NEEDS_ANALYSIS, Stage.NEGOTIATION, Stage.WON, Stage.LOST}
    ),
    Stage.NEGOTIATION: frozenset(
        {Stage.NEEDS_ANALYSIS, Stage.PROPOSAL, Stage.WON, Stage.LOST}
    ),
    Stage.WON: frozenset(),
    Stage.LOST: frozenset(),
}
"""Every stage an opportunity may move to from each stage."""


@dataclass(frozen=True)
class OpportunityTerms:
    """What the sales rep expects: trucks, value, close date and stage."""

    title: str
    expected_trucks: int
    value: Decimal
    close_on: date
    stage: Stage = Stage.NEEDS_ANALYSIS


def check_terms(terms: OpportunityTerms, today: date) -> list[Problem]:
    """Every problem with a new opportunity's terms, each naming its field."""
    problems: list[Problem] = []
    if not terms.title.strip():
        problems.append(Problem("title", "is required"))
    if terms.expected_trucks < 1:
        problems.append(Problem("expected_trucks", "must be at least 1 truck"))
    if terms.value <= 0:
        problems.append(Problem("value", "must be above $0.00"))
    if terms.close_on < today:
        problems.append(Problem("close_on", "cannot be in the past"))
    if not terms.stage.is_open:
        problems.append(Problem("stage", "a new opportunity starts in an open stage"))
    return problems


def ensure_stage_move(current: Stage, target: Stage) -> None:
    """Raise Refused with a sentence when the stage may not move to target."""
    if target is current:
        raise Refused(f"The opportunity is already at {current.label.lower()}.")
    if not current.is_open:
        raise Refused(
            f"The opportunity is {current.value}; a closed opportunity no longer moves."
        )
    if target not in STAGE_MOVES[current]:
        raise Refused(
            f"An opportunity cannot move from {current.label.lower()} to "
            f"{target.label.lower()}."
        )


def check_loss(lost_reason: str, competitor: str) -> list[Problem]:
    """A lost opportunity needs a reason and the competitor, both in words."""
    problems: list[Problem] = []
    for name, text, limit in (
        ("lost_reason", lost_reason, LOST_REASON_MAX_LENGTH),
        ("competitor", competitor, COMPETITOR_MAX_LENGTH),
    ):
        if not text.strip():
            problems.append(Problem(name, "is required when the deal is lost"))
        elif len(text.strip()) > limit:
            problems.append(Problem(name, f"is longer than {limit} characters"))
    return problems
