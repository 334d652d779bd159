"""Follow-up activities and opportunities: completion, terms and stage moves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dealer_tui.core.errors import Problem, Refused
from dealer_tui.leads.pipeline import (
    STAGE_MOVES,
    ActivityKind,
    Completion,
    OpportunityTerms,
    Stage,
    check_completion,
    check_loss,
    check_terms,
    ensure_stage_move,
)

TODAY = date(2026, 12, 4)


def test_finishing_an_open_leads_activity_needs_the_next_contact() -> None:
    """An outcome and no next date: the next contact date is asked for."""
    problems = check_completion(Completion("Met the owner", None), True, TODAY)

    assert problems == [
        Problem("next_contact_on", "is required while the lead is open")
    ]


def test_a_finished_activity_needs_an_outcome_and_no_past_date() -> None:
    """A blank outcome and a next contact yesterday are both named."""
    problems = check_completion(
        Completion(" ", date(2026, 12, 3), ActivityKind.VISIT), True, TODAY
    )

    assert problems == [
        Problem("outcome", "is required"),
        Problem("next_contact_on", "cannot be in the past"),
    ]


def test_a_closed_lead_has_no_next_contact() -> None:
    """A converted or disqualified lead's last activity plans nothing more."""
    assert check_completion(Completion("Signed", None), False, TODAY) == []
    assert check_completion(Completion("Signed", TODAY), False, TODAY) == [
        Problem("next_contact_on", "a closed lead has no next contact")
    ]


def test_good_terms_pass_and_bad_ones_are_each_named() -> None:
    """Four trucks for $1,250,000.00 closing in February pass; zeroes do not."""
    good = OpportunityTerms("Tippers", 4, Decimal("1250000.00"), date(2027, 2, 26))
    bad = OpportunityTerms(" ", 0, Decimal("0.00"), date(2026, 12, 1), stage=Stage.WON)

    assert check_terms(good, TODAY) == []
    assert [p.field for p in check_terms(bad, TODAY)] == [
        "title",
        "expected_trucks",
        "value",
        "close_on",
        "stage",
    ]


def test_open_stages_move_freely_and_closed_ones_never() -> None:
    """Proposal to negotiation is fine; won to lost and lost to proposal are refused."""
    ensure_stage_move(Stage.PROPOSAL, Stage.NEGOTIATION)
    with pytest.raises(Refused, match="no longer moves"):
        ensure_stage_move(Stage.WON, Stage.LOST)
    with pytest.raises(Refused, match="no longer moves"):
        ensure_stage_move(Stage.LOST, Stage.PROPOSAL)
    with pytest.raises(Refused, match="already at proposal"):
        ensure_stage_move(Stage.PROPOSAL, Stage.PROPOSAL)


def test_every_open_stage_can_end_won_or_lost() -> None:
    """Each open stage lists won and lost among its moves; closed stages none."""
    for stage in Stage:
        if stage.is_open:
            assert {Stage.WON, Stage.LOST} <= STAGE_MOVES[stage]
        else:
            assert STAGE_MOVES[stage] == frozenset()


def test_a_lost_deal_names_its_reason_and_competitor() -> None:
    """Both blank are named; 'Price' lost to 'Kenworth' passes."""
    assert [p.field for p in check_loss("", " ")] == ["lost_reason", "competitor"]
    assert check_loss("Price", "Kenworth") == []
