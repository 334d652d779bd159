"""Suspect evaluation: the five questions, the verdict and the status moves."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealer_tui.core.errors import Problem, Refused
from dealer_tui.leads.matching import Party, RecordKind
from dealer_tui.leads.qualification import (
    TRANSITIONS,
    Answer,
    Criterion,
    FollowUp,
    Lead,
    LeadContact,
    LeadSource,
    LeadStatus,
    Outcome,
    QualificationAnswers,
    Segment,
    assess,
    check_lead,
    check_transition,
    ensure_transition,
    follow_up,
    lead_party,
    status_moves,
)

ALL_YES = QualificationAnswers(*[Answer.YES] * 5)
ALL_UNKNOWN = QualificationAnswers()

NEW = LeadStatus.NEW
QUALIFYING = LeadStatus.QUALIFYING
QUALIFIED = LeadStatus.QUALIFIED
DISQUALIFIED = LeadStatus.DISQUALIFIED
CONVERTED = LeadStatus.CONVERTED

answer_sets = st.builds(
    QualificationAnswers, *[st.sampled_from(list(Answer)) for _ in Criterion]
)


def test_five_yes_answers_qualify() -> None:
    """Yes to all five questions gives the outcome 'qualifies' with nothing open."""
    verdict = assess(ALL_YES)

    assert verdict.outcome is Outcome.QUALIFIES
    assert verdict.failed == ()
    assert verdict.unanswered == ()
    assert verdict.reason == ""


def test_one_no_makes_the_lead_disqualifiable_with_that_reason() -> None:
    """A no to 'open to the brand' disqualifies even with two questions still open."""
    answers = QualificationAnswers(
        in_business=Answer.YES,
        financially_viable=Answer.YES,
        open_to_brand=Answer.NO,
    )

    verdict = assess(answers)

    assert verdict.outcome is Outcome.DISQUALIFIABLE
    assert verdict.failed == (Criterion.OPEN_TO_BRAND,)
    assert verdict.unanswered == (
        Criterion.SEGMENT_APPLICABLE,
        Criterion.OPEN_TO_AFTER_SALES,
    )
    assert verdict.reason == "Not open to the brand"


def test_every_no_is_part_of_the_reason_in_question_order() -> None:
    """Two no's give both reasons, joined in the order the questions are asked."""
    answers = QualificationAnswers(
        in_business=Answer.YES,
        financially_viable=Answer.NO,
        segment_applicable=Answer.YES,
        open_to_brand=Answer.NO,
        open_to_after_sales=Answer.YES,
    )

    assert assess(answers).reason == "Not financially viable; Not open to the brand"


def test_unknown_answers_leave_the_lead_undecided() -> None:
    """Four yes and one unknown is undecided, naming the unanswered question."""
    answers = QualificationAnswers(
        in_business=Answer.YES,
        financially_viable=Answer.YES,
        segment_applicable=Answer.YES,
        open_to_brand=Answer.YES,
    )

    verdict = assess(answers)

    assert verdict.outcome is Outcome.UNDECIDED
    assert verdict.unanswered == (Criterion.OPEN_TO_AFTER_SALES,)


@given(answer_sets)
def test_outcome_follows_the_answers(answers: QualificationAnswers) -> None:
    """Qualifies exactly when all are yes; disqualifiable exactly when any is no."""
    given_answers = [a for _, a in answers.items()]
    outcome = assess(answers).outcome

    assert (outcome is Outcome.QUALIFIES) == all(a is Answer.YES for a in given_answers)
    assert (outcome is Outcome.DISQUALIFIABLE) == (Answer.NO in given_answers)


def test_answers_from_a_mapping_leave_the_rest_unknown() -> None:
    """Answers given by criterion fill those fields and keep the others unknown."""
    answers = QualificationAnswers.from_mapping(
        {Criterion.IN_BUSINESS: Answer.YES, Criterion.OPEN_TO_BRAND: Answer.NO}
    )

    assert answers == QualificationAnswers(
        in_business=Answer.YES, open_to_brand=Answer.NO
    )


def test_the_whitelist_is_exactly_the_documented_moves() -> None:
    """new->qualifying->qualified->converted, open ones to disqualified, and reopen."""
    documented = {
        NEW: {QUALIFYING, DISQUALIFIED},
        QUALIFYING: {QUALIFIED, DISQUALIFIED},
        QUALIFIED: {CONVERTED, DISQUALIFIED},
        DISQUALIFIED: {QUALIFYING},
        CONVERTED: set(),
    }

    assert dict(TRANSITIONS) == documented


@pytest.mark.parametrize(("current", "target"), list(product(LeadStatus, LeadStatus)))
def test_a_move_is_allowed_only_when_whitelisted(
    current: LeadStatus, target: LeadStatus
) -> None:
    """With every answer yes and a reason given, only whitelisted moves pass."""
    check = check_transition(current, target, ALL_YES, reason="Sold the business")

    assert check.allowed == (target in TRANSITIONS[current])
    if not check.allowed:
        assert check.refusal is not None
        assert check.refusal.endswith(".")


def test_a_new_lead_cannot_skip_qualifying() -> None:
    """new -> qualified is refused with a sentence saying to start qualifying."""
    check = check_transition(NEW, QUALIFIED, ALL_YES)

    assert check.refusal == (
        "A lead is qualified from qualifying; start qualifying it first."
    )


def test_qualifying_needs_every_answer_yes() -> None:
    """With two questions unknown, qualifying is refused and names both of them."""
    answers = QualificationAnswers(
        in_business=Answer.YES,
        financially_viable=Answer.YES,
        segment_applicable=Answer.YES,
    )

    check = check_transition(QUALIFYING, QUALIFIED, answers)

    assert check.refusal == (
        "The lead cannot be qualified until every question is answered yes; "
        "not answered yet: open to the brand and open to after-sales."
    )


def test_qualifying_a_lead_with_a_no_points_to_disqualifying() -> None:
    """A no to 'in business' refuses qualifying and says to disqualify instead."""
    answers = QualificationAnswers(
        in_business=Answer.NO,
        financially_viable=Answer.YES,
        segment_applicable=Answer.YES,
        open_to_brand=Answer.YES,
        open_to_after_sales=Answer.YES,
    )

    check = check_transition(QUALIFYING, QUALIFIED, answers)

    assert check.refusal == (
        "The lead cannot be qualified because it is no longer in business; "
        "disqualify it instead."
    )


def test_converting_rechecks_the_answers() -> None:
    """A qualified lead whose finance answer turned to no cannot be converted."""
    answers = QualificationAnswers(
        in_business=Answer.YES,
        financially_viable=Answer.NO,
        segment_applicable=Answer.YES,
        open_to_brand=Answer.YES,
        open_to_after_sales=Answer.NO,
    )

    check = check_transition(QUALIFIED, CONVERTED, answers)

    assert check.refusal == (
        "The lead cannot be converted because it is not financially viable and "
        "not open to after-sales; disqualify it instead."
    )


def test_a_qualified_lead_with_all_yes_converts() -> None:
    """qualified -> converted passes when all five answers are still yes."""
    assert check_transition(QUALIFIED, CONVERTED, ALL_YES).allowed


@pytest.mark.parametrize("current", [NEW, QUALIFYING, QUALIFIED])
def test_any_open_lead_can_be_disqualified_with_a_reason(current: LeadStatus) -> None:
    """new, qualifying and qualified all move to disqualified when a reason is given."""
    check = check_transition(current, DISQUALIFIED, ALL_UNKNOWN, "Fleet sold")

    assert check.allowed


@pytest.mark.parametrize("reason", ["", "   "])
def test_disqualifying_without_a_reason_is_refused(reason: str) -> None:
    """A blank reason refuses the move with a request for a reason."""
    check = check_transition(QUALIFYING, DISQUALIFIED, ALL_UNKNOWN, reason)

    assert check.refusal == "Give a reason to disqualify the lead."


def test_a_reason_of_301_characters_is_too_long() -> None:
    """A reason over 300 characters is refused with the limit named."""
    check = check_transition(QUALIFYING, DISQUALIFIED, ALL_UNKNOWN, "x" * 301)

    assert check.refusal == (
        "The disqualification reason is longer than 300 characters."
    )


def test_disqualify_is_offered_before_the_reason_is_asked() -> None:
    """With the reason not asked yet (None), disqualifying is offered as allowed."""
    assert check_transition(NEW, DISQUALIFIED, ALL_UNKNOWN, None).allowed


def test_a_disqualified_lead_is_reopened_through_qualifying() -> None:
    """disqualified -> qualifying is allowed; disqualified -> new says how to reopen."""
    assert check_transition(DISQUALIFIED, QUALIFYING, ALL_UNKNOWN).allowed
    assert check_transition(DISQUALIFIED, NEW, ALL_UNKNOWN).refusal == (
        "A disqualified lead is reopened by moving it back to qualifying."
    )


@pytest.mark.parametrize("target", [NEW, QUALIFYING, QUALIFIED, DISQUALIFIED])
def test_a_converted_lead_stays_converted(target: LeadStatus) -> None:
    """Every move out of converted is refused: the lead is an account now."""
    check = check_transition(CONVERTED, target, ALL_YES, "Closed")

    assert check.refusal == (
        "A converted lead is an account now; its status no longer changes."
    )


def test_moving_to_the_same_status_is_refused() -> None:
    """qualifying -> qualifying is refused as 'already qualifying'."""
    check = check_transition(QUALIFYING, QUALIFYING, ALL_UNKNOWN)

    assert check.refusal == "The lead is already qualifying."


def test_going_back_from_qualified_to_new_is_refused() -> None:
    """qualified -> new is not whitelisted and says so in a sentence."""
    check = check_transition(QUALIFIED, NEW, ALL_YES)

    assert check.refusal == "A qualified lead cannot be moved back to new."


def test_status_moves_offer_every_whitelisted_move_with_its_refusal() -> None:
    """From qualifying with nothing answered: qualify is disabled, disqualify is not."""
    moves = status_moves(QUALIFYING, ALL_UNKNOWN)

    assert [m.target for m in moves] == [QUALIFIED, DISQUALIFIED]
    assert not moves[0].allowed
    assert moves[1].allowed


def test_ensure_transition_raises_refused_with_the_sentence() -> None:
    """A refused move raises Refused carrying the same sentence the check gives."""
    with pytest.raises(Refused) as raised:
        ensure_transition(NEW, DISQUALIFIED, ALL_UNKNOWN)

    assert raised.value.message == "Give a reason to disqualify the lead."


def test_ensure_transition_passes_an_allowed_move() -> None:
    """new -> qualifying raises nothing."""
    ensure_transition(NEW, QUALIFYING, ALL_UNKNOWN)


def test_only_a_qualified_lead_is_a_prospect() -> None:
    """Qualified is a prospect; new, qualifying and the closed statuses are not."""
    assert [s for s in LeadStatus if s.is_prospect] == [QUALIFIED]
    assert [s for s in LeadStatus if s.is_open] == [NEW, QUALIFYING, QUALIFIED]


def test_every_segment_and_source_has_a_label() -> None:
    """Each segment and source has a non-empty label, e.g. 'Refuse collection'."""
    assert Segment.REFUSE.label == "Refuse collection"
    assert all(s.label for s in Segment)
    assert all(s.label for s in LeadSource)
    assert all(c.question.endswith("?") for c in Criterion)


def valid_lead(**changes: object) -> Lead:
    fields: dict[str, object] = {
        "company": "Brindabella Haulage Pty Ltd",
        "segment": Segment.LONG_HAUL,
        "abn": "18 123 456 789",
        "email": "fleet@brindabella.example.com.au",
        "contacts": (LeadContact("Jo Smith", "Fleet manager", "0412 345 678"),),
        "fleet_size": 40,
        "fleet_makes": ("Kenworth", "Volvo"),
    }
    fields.update(changes)
    return Lead(**fields)  # type: ignore[arg-type]


def test_a_complete_lead_has_no_problems() -> None:
    """A lead with a company, valid ABN and e-mail and a named contact passes."""
    assert check_lead(valid_lead()) == []


def test_every_problem_of_a_lead_is_listed_at_once() -> None:
    """Eight mistakes give eight problems at once, each naming its field."""
    lead = valid_lead(
        company="  ",
        abn="18 123 456 788",
        email="fleet at brindabella",
        contacts=(LeadContact(" ", email="jo@"),),
        fleet_size=-1,
        fleet_makes=("Volvo", "volvo "),
        status=DISQUALIFIED,
    )

    assert check_lead(lead) == [
        Problem("company", "is required"),
        Problem("abn", "is not a valid ABN: its check sum does not add up"),
        Problem("email", "an e-mail address looks like name@example.com.au"),
        Problem("fleet_size", "cannot be less than 0"),
        Problem("fleet_makes[2]", "'volvo' is listed twice"),
        Problem("contacts[1].name", "is required"),
        Problem(
            "contacts[1].email", "an e-mail address looks like name@example.com.au"
        ),
        Problem("disqualification_reason", "is required"),
    ]


def test_a_reason_on_an_open_lead_is_a_problem() -> None:
    """A qualifying lead carrying a disqualification reason is flagged."""
    lead = valid_lead(status=QUALIFYING, disqualification_reason="Old reason")

    assert check_lead(lead) == [
        Problem("disqualification_reason", "is only kept for a disqualified lead")
    ]


def test_a_qualified_lead_with_a_no_is_a_problem() -> None:
    """A lead stored as qualified while answered no to after-sales is flagged."""
    answers = QualificationAnswers(open_to_after_sales=Answer.NO)
    lead = valid_lead(status=QUALIFIED, answers=answers)

    assert check_lead(lead) == [
        Problem("status", "a lead with a no among its answers is not qualified")
    ]


@pytest.mark.parametrize(
    ("status", "next_contact_on", "expected"),
    [
        (QUALIFYING, date(2024, 3, 14), FollowUp.OVERDUE),
        (QUALIFYING, date(2024, 3, 15), FollowUp.DUE_TODAY),
        (QUALIFIED, date(2024, 3, 18), FollowUp.PLANNED),
        (NEW, None, FollowUp.UNPLANNED),
        (DISQUALIFIED, date(2024, 3, 1), FollowUp.NONE),
        (CONVERTED, None, FollowUp.NONE),
    ],
)
def test_follow_up_against_15_march_2024(
    status: LeadStatus, next_contact_on: date | None, expected: FollowUp
) -> None:
    """On 15/03/2024 the 14th is overdue, the 15th due today; closed leads need none."""
    assert follow_up(status, next_contact_on, date(2024, 3, 15)) is expected


def test_lead_party_gathers_company_and_contact_details() -> None:
    """The lead's phone and e-mail come first, then each contact's, blanks left out."""
    lead = valid_lead(
        phone="02 6100 0000",
        contacts=(
            LeadContact("Jo Smith", phone="0412 345 678", email="jo@example.com"),
            LeadContact("Sam Lee"),
        ),
    )

    party = lead_party(lead, record_id=7)

    assert party == Party(
        name="Brindabella Haulage Pty Ltd",
        abn="18 123 456 789",
        phones=("02 6100 0000", "0412 345 678"),
        emails=("fleet@brindabella.example.com.au", "jo@example.com"),
        kind=RecordKind.LEAD,
        record_id=7,
    )
