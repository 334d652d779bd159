"""Ranking by segment: weighted points out of 100, explained and rounded once."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dealer_tui.core.errors import Problem
from dealer_tui.leads.qualification import LeadStatus, Segment
from dealer_tui.leads.scoring import (
    DEFAULT_FLEET_BANDS,
    FleetBand,
    RankedLead,
    RankingAnswers,
    RankingParameter,
    RankingScheme,
    check_ranking_answers,
    check_scheme,
    default_scheme,
    fleet_points,
    priority_list,
    scheme_for,
    score_lead,
)

FLEET = RankingParameter.FLEET_SIZE
AFTER_SALES = RankingParameter.AFTER_SALES_PENETRATION
FINANCE = RankingParameter.FINANCE_OPENNESS
VALUES_FIT = RankingParameter.BRAND_VALUES_FIT


def scheme(
    fleet: str, after_sales: str, finance: str, values_fit: str
) -> RankingScheme:
    return RankingScheme(
        Segment.LONG_HAUL,
        {
            FLEET: Decimal(fleet),
            AFTER_SALES: Decimal(after_sales),
            FINANCE: Decimal(finance),
            VALUES_FIT: Decimal(values_fit),
        },
    )


# Weights 4, 3, 2 and 1 out of 10: shares of 40, 30, 20 and 10 points.
FOUR_THREE_TWO_ONE = scheme("4", "3", "2", "1")


def test_worked_example_scores_74() -> None:
    """30 trucks (4), after-sales 3, finance 5, values 2 with 4/3/2/1 give 74.00."""
    # 4/5*40 = 32.00, 3/5*30 = 18.00, 5/5*20 = 20.00, 2/5*10 = 4.00.
    answers = RankingAnswers(
        fleet_size=30,
        after_sales_penetration=3,
        finance_openness=5,
        brand_values_fit=2,
    )

    score = score_lead(answers, FOUR_THREE_TWO_ONE)

    assert score.total == Decimal("74.00")
    assert [
        (c.parameter, c.answer, c.value, c.weight, c.points)
        for c in score.contributions
    ] == [
        (FLEET, 30, 4, Decimal("4"), Decimal("32.00")),
        (AFTER_SALES, 3, 3, Decimal("3"), Decimal("18.00")),
        (FINANCE, 5, 5, Decimal("2"), Decimal("20.00")),
        (VALUES_FIT, 2, 2, Decimal("1"), Decimal("4.00")),
    ]
    assert score.segment is Segment.LONG_HAUL
    assert score.unanswered == ()


def test_only_the_shares_of_the_weights_count() -> None:
    """Doubling every weight to 8/6/4/2 leaves the worked example at 74.00."""
    answers = RankingAnswers(30, 3, 5, 2)

    assert score_lead(answers, scheme("8", "6", "4", "2")).total == Decimal("74.00")


def test_unanswered_parameters_score_nothing_and_are_listed() -> None:
    """No fleet size or finance answer: 30.00 + 16.00 = 46.00, both listed as open."""
    # Weights 3/3/2/2: after-sales 5/5*30 = 30.00, values 4/5*20 = 16.00.
    answers = RankingAnswers(
        fleet_size=None,
        after_sales_penetration=5,
        finance_openness=None,
        brand_values_fit=4,
    )

    score = score_lead(answers, scheme("3", "3", "2", "2"))

    assert score.total == Decimal("46.00")
    assert score.unanswered == (FLEET, FINANCE)
    assert score.contribution(FLEET).points == Decimal("0.00")
    assert not score.contribution(FLEET).answered


def test_thirds_add_up_to_exactly_100() -> None:
    """Three equal weights on a perfect lead give 33.34 + 33.33 + 33.33 = 100.00."""
    score = score_lead(RankingAnswers(50, 5, 5, 5), scheme("1", "1", "1", "0"))

    assert [c.points for c in score.contributions] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("0.00"),
    ]
    assert score.total == Decimal("100.00")


def test_the_missing_hundredth_goes_to_the_largest_remainder() -> None:
    """33.333 + 26.666 + 13.333 = 73.333 shows as 33.33 + 26.67 + 13.33 = 73.33."""
    score = score_lead(RankingAnswers(50, 4, 2, 5), scheme("1", "1", "1", "0"))

    assert [c.points for c in score.contributions] == [
        Decimal("33.33"),
        Decimal("26.67"),
        Decimal("13.33"),
        Decimal("0.00"),
    ]
    assert score.total == Decimal("73.33")


def test_an_exact_half_hundredth_is_rounded_up() -> None:
    """One truck at weight 0.01 of 1.60 is 1/5*0.01/1.60*100 = 0.125, shown 0.13."""
    answers = RankingAnswers(1, 0, 0, 0)

    score = score_lead(answers, scheme("0.01", "1.59", "0", "0"))

    assert score.total == Decimal("0.13")
    assert score.contribution(FLEET).points == Decimal("0.13")


@pytest.mark.parametrize(
    ("fleet_size", "points"),
    [
        (0, 0),
        (1, 1),
        (4, 1),
        (5, 2),
        (9, 2),
        (10, 3),
        (24, 3),
        (25, 4),
        (49, 4),
        (50, 5),
        (500, 5),
    ],
)
def test_default_fleet_bands(fleet_size: int, points: int) -> None:
    """Bands 1, 5, 10, 25 and 50 trucks earn 1 to 5 points; no truck earns 0."""
    assert fleet_points(fleet_size, DEFAULT_FLEET_BANDS) == points


def test_a_segment_can_have_its_own_bands() -> None:
    """With mining bands of 1/20/100 trucks for 1/3/5 points, 60 trucks earn 3."""
    bands = (FleetBand(1, 1), FleetBand(20, 3), FleetBand(100, 5))

    assert fleet_points(60, bands) == 3


def test_a_weight_problem_is_named_per_parameter() -> None:
    """Negative, float, three-place and 1000 weights each give their own problem."""
    bad = RankingScheme(
        Segment.MINING,
        {
            FLEET: Decimal("-1"),
            AFTER_SALES: 2.5,  # type: ignore[dict-item]
            FINANCE: Decimal("1.005"),
            VALUES_FIT: Decimal("1000"),
        },
    )

    assert check_scheme(bad) == [
        Problem("weights.fleet_size", "cannot be negative"),
        Problem("weights.after_sales_penetration", "is not an exact decimal number"),
        Problem("weights.finance_openness", "has more than 2 decimal places"),
        Problem("weights.brand_values_fit", "must be below 1000"),
    ]


def test_all_weights_zero_is_a_problem() -> None:
    """A scheme whose weights add up to 0 cannot share out any points."""
    assert check_scheme(scheme("0", "0", "0.00", "0")) == [
        Problem("weights", "at least one weight must be above 0")
    ]


def test_fleet_band_problems_are_all_listed() -> None:
    """Bands 0/1, 10/6, 10/2 give four problems naming band and field."""
    bands = (FleetBand(0, 1), FleetBand(10, 6), FleetBand(10, 2))
    bad = RankingScheme(Segment.MINING, FOUR_THREE_TWO_ONE.weights, bands)

    assert check_scheme(bad) == [
        Problem("fleet_bands[1].minimum", "must be at least 1 truck"),
        Problem("fleet_bands[2].points", "must be from 0 to 5"),
        Problem(
            "fleet_bands[3].minimum", "must be above the band before it (10 trucks)"
        ),
        Problem(
            "fleet_bands[3].points", "cannot be below the band before it (6 points)"
        ),
    ]


def test_no_fleet_band_is_a_problem() -> None:
    """A scheme without bands cannot turn trucks into points."""
    bad = RankingScheme(Segment.MINING, FOUR_THREE_TWO_ONE.weights, ())

    assert check_scheme(bad) == [Problem("fleet_bands", "at least one band is needed")]


def test_answers_out_of_range_are_listed() -> None:
    """Fleet -1, rating 6 and a yes/no flag as a rating give three problems."""
    answers = RankingAnswers(
        fleet_size=-1,
        after_sales_penetration=6,
        finance_openness=True,
        brand_values_fit=0,
    )

    assert check_ranking_answers(answers) == [
        Problem("fleet_size", "cannot be less than 0"),
        Problem("after_sales_penetration", "must be from 0 to 5"),
        Problem("finance_openness", "is not a whole number"),
    ]


def test_scoring_bad_answers_raises() -> None:
    """A rating of 6 is refused with a ValueError naming the field."""
    with pytest.raises(ValueError, match="finance_openness: must be from 0 to 5"):
        score_lead(RankingAnswers(10, 1, 6, 1), FOUR_THREE_TWO_ONE)


@pytest.mark.parametrize("segment", list(Segment))
def test_every_default_scheme_is_valid_and_weighs_10(segment: Segment) -> None:
    """Each segment starts with valid weights adding up to 10.00."""
    start = default_scheme(segment)

    assert start.segment is segment
    assert check_scheme(start) == []
    assert start.total_weight == Decimal("10.00")


def test_municipal_defaults_favour_after_sales_over_finance() -> None:
    """Municipal starts at fleet 3, after-sales 4, finance 1, values 2."""
    weights = default_scheme(Segment.MUNICIPAL).weights

    assert [weights[p] for p in RankingParameter] == [
        Decimal("3.00"),
        Decimal("4.00"),
        Decimal("1.00"),
        Decimal("2.00"),
    ]


def test_a_stored_scheme_wins_over_the_default() -> None:
    """scheme_for returns the stored scheme of the segment, else the default."""
    stored = RankingScheme(Segment.MINING, FOUR_THREE_TWO_ONE.weights)

    assert scheme_for(Segment.MINING, [stored]) is stored
    assert scheme_for(Segment.REFUSE, [stored]) == default_scheme(Segment.REFUSE)


def test_priority_list_holds_qualified_prospects_best_first() -> None:
    """80.00 first; the two 74.00 ties by fewer unanswered then lead number."""
    full_74 = score_lead(RankingAnswers(30, 3, 5, 2), FOUR_THREE_TWO_ONE)
    # 40.00 + 18.00 + 16.00 + nothing for the unanswered values fit = 74.00.
    open_74 = score_lead(RankingAnswers(50, 3, 4, None), FOUR_THREE_TWO_ONE)
    # 40.00 + 24.00 + 16.00 + 0.00 = 80.00.
    top_80 = score_lead(RankingAnswers(50, 4, 4, 0), FOUR_THREE_TWO_ONE)
    # 40.00 + 30.00 + 20.00 = 90.00, but still only qualifying.
    suspect_90 = score_lead(RankingAnswers(50, 5, 5, 0), FOUR_THREE_TWO_ONE)
    assert open_74.total == full_74.total == Decimal("74.00")

    ranked = priority_list(
        [
            RankedLead(3, LeadStatus.QUALIFIED, open_74),
            RankedLead(5, LeadStatus.QUALIFIED, full_74),
            RankedLead(2, LeadStatus.QUALIFYING, suspect_90),
            RankedLead(1, LeadStatus.QUALIFIED, full_74),
            RankedLead(4, LeadStatus.QUALIFIED, top_80),
        ]
    )

    assert [lead.lead_id for lead in ranked] == [4, 1, 5, 3]


weights = st.decimals(min_value=0, max_value=Decimal("999.99"), places=2)
ratings = st.one_of(st.none(), st.integers(min_value=0, max_value=5))
schemes = st.builds(
    lambda w: RankingScheme(Segment.OTHER, dict(zip(RankingParameter, w, strict=True))),
    st.lists(weights, min_size=4, max_size=4).filter(lambda w: sum(w) > 0),
)
answer_sets = st.builds(
    RankingAnswers,
    st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    ratings,
    ratings,
    ratings,
)


@given(answer_sets, schemes)
def test_total_is_the_sum_of_its_parts(
    answers: RankingAnswers, ranking: RankingScheme
) -> None:
    """The total equals the sum of the shown points and lies within 0 to 100."""
    score = score_lead(answers, ranking)

    assert score.total == sum(c.points for c in score.contributions)
    assert Decimal("0.00") <= score.total <= Decimal("100.00")
    assert score.total.as_tuple().exponent == -2


@given(answer_sets, schemes)
def test_each_part_is_within_a_hundredth_of_its_exact_share(
    answers: RankingAnswers, ranking: RankingScheme
) -> None:
    """value/5 * weight/total weight * 100 differs from the shown points by < 0.01."""
    score = score_lead(answers, ranking)
    total_weight = Fraction(ranking.total_weight)

    for part in score.contributions:
        exact = Fraction(part.value * 100) * Fraction(part.weight) / (5 * total_weight)
        assert abs(Fraction(part.points) - exact) < Fraction(1, 100)


@given(schemes)
def test_a_perfect_lead_scores_100_and_an_empty_one_0(ranking: RankingScheme) -> None:
    """Fifty trucks and every rating 5 give 100.00; nothing answered gives 0.00."""
    assert score_lead(RankingAnswers(50, 5, 5, 5), ranking).total == Decimal("100.00")
    assert score_lead(RankingAnswers(), ranking).total == Decimal("0.00")


@given(answer_sets, schemes, st.sampled_from(list(RankingParameter)[1:]))
def test_a_better_answer_never_lowers_the_score(
    answers: RankingAnswers, ranking: RankingScheme, parameter: RankingParameter
) -> None:
    """Raising one rating by a point leaves the total the same or higher."""
    before = answers.answer(parameter) or 0
    assume(before < 5)
    better = RankingAnswers(
        **{
            **{p.value: answers.answer(p) for p in RankingParameter},
            parameter.value: before + 1,
        }
    )

    assert score_lead(better, ranking).total >= score_lead(answers, ranking).total


@given(answer_sets, schemes)
def test_scoring_is_deterministic(
    answers: RankingAnswers, ranking: RankingScheme
) -> None:
    """Scoring the same answers twice gives equal totals and contributions."""
    assert score_lead(answers, ranking) == score_lead(answers, ranking)


def test_the_caller_decimal_context_does_not_change_the_score() -> None:
    """Under a 3-digit decimal context the thirds still give 33.34 and 100.00."""
    with localcontext() as context:
        context.prec = 3
        score = score_lead(RankingAnswers(50, 5, 5, 5), scheme("1", "1", "1", "0"))

    assert score.contribution(FLEET).points == Decimal("33.34")
    assert score.total == Decimal("100.00")
