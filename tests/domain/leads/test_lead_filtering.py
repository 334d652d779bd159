"""The lead list's filter language: words, tokens and the problems named."""

from __future__ import annotations

from decimal import Decimal

from dealer_tui.leads.filtering import (
    LeadFilter,
    ScoreBound,
    describe,
    parse_filter,
)
from dealer_tui.leads.qualification import LeadStatus, Segment


def test_an_empty_filter_narrows_nothing() -> None:
    """Blank text is the whole list, described as 'all leads'."""
    wanted = parse_filter("   ")

    assert wanted.is_empty
    assert describe(wanted) == "all leads"


def test_tokens_and_words_combine() -> None:
    """'status:qualified seg:con owner:me overdue score>=50 Smith Haul' reads fully."""
    wanted = parse_filter(
        "status:qualified seg:con owner:me overdue score>=50 Smith Haul"
    )

    assert wanted == LeadFilter(
        words="Smith Haul",
        statuses=(LeadStatus.QUALIFIED,),
        segments=(Segment.CONSTRUCTION,),
        owner="me",
        overdue=True,
        scores=(ScoreBound(">=", Decimal("50")),),
    )
    assert describe(wanted) == (
        "status qualified; segment Construction; my leads; follow-up overdue; "
        "score >= 50; company or number 'Smith Haul'"
    )


def test_a_status_start_matches_every_status_it_begins() -> None:
    """'status:qual' is qualifying and qualified; 'status:open' the three open ones."""
    assert parse_filter("status:qual").statuses == (
        LeadStatus.QUALIFYING,
        LeadStatus.QUALIFIED,
    )
    assert parse_filter("status:open").statuses == (
        LeadStatus.NEW,
        LeadStatus.QUALIFYING,
        LeadStatus.QUALIFIED,
    )
    assert parse_filter("status:new,dis").statuses == (
        LeadStatus.NEW,
        LeadStatus.DISQUALIFIED,
    )


def test_segments_match_by_value_or_label() -> None:
    """'seg:refuse' by value, 'segment:fuel' by the label 'Fuel and bulk liquids'."""
    assert parse_filter("seg:refuse").segments == (Segment.REFUSE,)
    assert parse_filter("segment:fuel").segments == (Segment.TANKER,)


def test_owner_region_and_score_bounds() -> None:
    """owner:none, region:vic and two score bounds make one filter."""
    wanted = parse_filter("owner:none region:vic score>20 score<=80")

    assert wanted.owner == "none"
    assert wanted.region == "VIC"
    assert wanted.scores == (
        ScoreBound(">", Decimal("20")),
        ScoreBound("<=", Decimal("80")),
    )


def test_tokens_that_cannot_be_read_are_named_and_the_rest_still_filters() -> None:
    """A wrong status, segment, score and filter name are each named."""
    wanted = parse_filter("status:lost seg:space score>abc colour:red Smith")

    assert wanted.words == "Smith"
    assert wanted.problems == (
        "'status:lost': a status is one of new, qualifying, qualified, "
        "disqualified, converted or open",
        "'seg:space': no segment starts with 'space'",
        "'score>abc': a score is a number from 0 to 100",
        "'colour:red': filters are status:, seg:, owner:, region:, overdue and score>N",
    )


def test_a_score_above_100_is_not_a_score() -> None:
    """score>150 is named; no lead scores more than 100."""
    assert parse_filter("score>150").problems == (
        "'score>150': a score is a number from 0 to 100",
    )


def test_a_lead_number_is_a_word() -> None:
    """'L2026-000012' is kept as a word to match the lead number."""
    assert parse_filter("L2026-000012").words == "L2026-000012"
