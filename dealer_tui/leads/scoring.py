"""Ranking by segment: a qualified prospect's score out of 100, explained.

Each segment has a ranking scheme: a weight for each ranking parameter,
which the sales manager edits, and the fleet-size bands that turn a number
of trucks into points. Every parameter is worth 0 to 5 points on its own
scale; its share of the score is its weight over the sum of the weights.

    contribution = value / 5 * weight / sum of weights * 100

The exact contributions are added up and the total is rounded once, to
0.01 with halves rounded up; that is the one rounding point. The
contributions shown beside it are whole hundredths too, and they are made
to add up to the total by the largest-remainder rule: each is first
rounded down, and the hundredths still missing go to the contributions
that lost the most, ties going to the parameter listed first. So a
perfect lead scores 100.00 in every segment, whatever the weights, and
the screen's column of contributions always adds up to the total shown.

The arithmetic runs on exact fractions, so the result does not depend on
the caller's decimal context and is the same on every workstation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from dealer_tui.core.errors import Problem
from dealer_tui.leads.qualification import LeadStatus, Segment

SCALE_MAX = 5
SCORE_MAX = 100
SCORE_PLACES = 2
WEIGHT_PLACES = 2
WEIGHT_LIMIT = Decimal("1000")
# Decimal arithmetic rounds to the context's precision; the few sums done in
# decimals use this one, wide enough for any valid weights, rather than
# whatever context the caller happens to have set.
_DECIMAL_CONTEXT = Context(prec=28)


class RankingParameter(StrEnum):
    """One thing a prospect is ranked on within its segment."""

    FLEET_SIZE = "fleet_size"
    AFTER_SALES_PENETRATION = "after_sales_penetration"
    FINANCE_OPENNESS = "finance_openness"
    BRAND_VALUES_FIT = "brand_values_fit"

    @property
    def label(self) -> str:
        """The parameter's name in the score's explanation."""
        return _PARAMETER_LABELS[self]

    @property
    def question(self) -> str:
        """How the sales rep is asked for the value, with its scale."""
        return _PARAMETER_QUESTIONS[self]


_PARAMETER_LABELS = {
    RankingParameter.FLEET_SIZE: "Fleet size",
    RankingParameter.AFTER_SALES_PENETRATION: "After-sales penetration",
    RankingParameter.FINANCE_OPENNESS: "Openness to the maker's finance",
    RankingParameter.BRAND_VALUES_FIT: "Fit with the brand's values",
}
_PARAMETER_QUESTIONS = {
    RankingParameter.FLEET_SIZE: "How many trucks are in the fleet?",
    RankingParameter.AFTER_SALES_PENETRATION: (
        "How much of the fleet's servicing and parts could come to the "
        "brand's workshops? 0 none to 5 all of it."
    ),
    RankingParameter.FINANCE_OPENNESS: (
        "How open is the company to the maker's finance? "
        "0 not at all to 5 already asking for it."
    ),
    RankingParameter.BRAND_VALUES_FIT: (
        "How well does the company fit the brand's values (safety, uptime, "
        "total cost of ownership)? 0 not at all to 5 completely."
    ),
}


@dataclass(frozen=True)
class FleetBand:
    """Fleets of at least `minimum` trucks earn `points`, up to the next band."""

    minimum: int
    points: int


DEFAULT_FLEET_BANDS: tuple[FleetBand, ...] = (
    FleetBand(1, 1),
    FleetBand(5, 2),
    FleetBand(10, 3),
    FleetBand(25, 4),
    FleetBand(50, 5),
)


@dataclass(frozen=True)
class RankingScheme:
    """A segment's weights and fleet-size bands, as the sales manager set them."""

    segment: Segment
    weights: Mapping[RankingParameter, Decimal]
    fleet_bands: tuple[FleetBand, ...] = DEFAULT_FLEET_BANDS

    def weight(self, parameter: RankingParameter) -> Decimal:
        """The parameter's weight; a parameter left out weighs nothing."""
        return self.weights.get(parameter, Decimal("0"))

    @property
    def total_weight(self) -> Decimal:
        """The sum of the weights, which each weight is a share of."""
        with localcontext(_DECIMAL_CONTEXT):
            return sum((self.weight(p) for p in RankingParameter), Decimal("0"))


def _exact_total_weight(scheme: RankingScheme) -> Fraction:
    return sum((Fraction(scheme.weight(p)) for p in RankingParameter), Fraction(0))


def check_scheme(scheme: RankingScheme) -> list[Problem]:
    """Every problem with a scheme the sales manager edited, each by field."""
    problems: list[Problem] = []
    for parameter in RankingParameter:
        problem = _weight_problem(scheme.weights.get(parameter, Decimal("0")))
        if problem:
            problems.append(Problem(f"weights.{parameter.value}", problem))
    if not problems and _exact_total_weight(scheme) <= 0:
        problems.append(Problem("weights", "at least one weight must be above 0"))
    problems.extend(_band_problems(scheme.fleet_bands))
    return problems


def _weight_problem(weight: object) -> str | None:
    if not isinstance(weight, Decimal) or not weight.is_finite():
        return "is not an exact decimal number"
    if weight < 0:
        return "cannot be negative"
    if weight >= WEIGHT_LIMIT:
        return f"must be below {WEIGHT_LIMIT}"
    if (Fraction(weight) * 10**WEIGHT_PLACES).denominator != 1:
        return f"has more than {WEIGHT_PLACES} decimal places"
    return None


def _band_problems(bands: tuple[FleetBand, ...]) -> list[Problem]:
    if not bands:
        return [Problem("fleet_bands", "at least one band is needed")]
    problems: list[Problem] = []
    for index, band in enumerate(bands, start=1):
        where = f"fleet_bands[{index}]"
        if band.minimum < 1:
            problems.append(Problem(f"{where}.minimum", "must be at least 1 truck"))
        if not 0 <= band.points <= SCALE_MAX:
            problems.append(
                Problem(f"{where}.points", f"must be from 0 to {SCALE_MAX}")
            )
        if index == 1:
            continue
        before = bands[index - 2]
        if band.minimum <= before.minimum:
            problems.append(
                Problem(
                    f"{where}.minimum",
                    f"must be above the band before it ({before.minimum} trucks)",
                )
            )
        # A bigger fleet is never worth less than a smaller one.
        if band.points < before.points:
            problems.append(
                Problem(
                    f"{where}.points",
                    f"cannot be below the band before it ({before.points} points)",
                )
            )
    return problems


def fleet_points(fleet_size: int, bands: tuple[FleetBand, ...]) -> int:
    """The points of the highest band the fleet reaches; 0 below the first.

    With the default bands a fleet of 30 trucks reaches the 25-truck band
    and earns 4 points.
    """
    points = 0
    for band in bands:
        if fleet_size >= band.minimum:
            points = band.points
    return points


@dataclass(frozen=True)
class RankingAnswers:
    """What the sales rep recorded for one prospect; None is not answered.

    The fleet size is a number of trucks; the others are on the 0 to 5 scale.
    """

    fleet_size: int | None = None
    after_sales_penetration: int | None = None
    finance_openness: int | None = None
    brand_values_fit: int | None = None

    def answer(self, parameter: RankingParameter) -> int | None:
        """The recorded answer for one parameter."""
        return getattr(self, parameter.value)


def check_ranking_answers(answers: RankingAnswers) -> list[Problem]:
    """Every answer out of its range, each naming its field."""
    problems: list[Problem] = []
    for parameter in RankingParameter:
        value = answers.answer(parameter)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(parameter.value, "is not a whole number"))
        elif parameter is RankingParameter.FLEET_SIZE:
            if value < 0:
                problems.append(Problem(parameter.value, "cannot be less than 0"))
        elif not 0 <= value <= SCALE_MAX:
            problems.append(Problem(parameter.value, f"must be from 0 to {SCALE_MAX}"))
    return problems


@dataclass(frozen=True)
class Contribution:
    """How one parameter added to the score.

    answer is what was recorded (trucks for fleet size), value its points
    on the 0 to 5 scale, weight the segment's weight, points its share of
    the total out of 100.
    """

    parameter: RankingParameter
    answer: int | None
    value: int
    weight: Decimal
    points: Decimal

    @property
    def answered(self) -> bool:
        """False when nothing was recorded, so the value counted as 0."""
        return self.answer is not None


@dataclass(frozen=True)
class LeadScore:
    """A prospect's total out of 100 and the contribution of each parameter."""

    segment: Segment
    total: Decimal
    contributions: tuple[Contribution, ...]

    @property
    def unanswered(self) -> tuple[RankingParameter, ...]:
        """Parameters with nothing recorded, which scored no points."""
        return tuple(c.parameter for c in self.contributions if not c.answered)

    def contribution(self, parameter: RankingParameter) -> Contribution:
        """The contribution of one parameter."""
        for item in self.contributions:
            if item.parameter is parameter:
                return item
        raise KeyError(parameter)


def score_lead(answers: RankingAnswers, scheme: RankingScheme) -> LeadScore:
    """Score a prospect with its segment's scheme and explain every point.

    Raises ValueError when the answers or the scheme have problems; the
    forms that collect them check them first with the check functions.
    """
    problems = check_ranking_answers(answers) + check_scheme(scheme)
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    values = {p: _value(p, answers, scheme) for p in RankingParameter}
    total_weight = _exact_total_weight(scheme)
    exact = {
        p: Fraction(values[p])
        * Fraction(scheme.weight(p))
        * SCORE_MAX
        / (SCALE_MAX * total_weight)
        for p in RankingParameter
    }
    units = _split_rounded_total(exact)
    contributions = tuple(
        Contribution(
            parameter=p,
            answer=answers.answer(p),
            value=values[p],
            weight=scheme.weight(p),
            points=_hundredths(units[p]),
        )
        for p in RankingParameter
    )
    total = _hundredths(sum(units.values()))
    return LeadScore(scheme.segment, total, contributions)


def _value(
    parameter: RankingParameter, answers: RankingAnswers, scheme: RankingScheme
) -> int:
    answer = answers.answer(parameter)
    if answer is None:
        return 0
    if parameter is RankingParameter.FLEET_SIZE:
        return fleet_points(answer, scheme.fleet_bands)
    return answer


def _split_rounded_total(
    exact: Mapping[RankingParameter, Fraction],
) -> dict[RankingParameter, int]:
    """Whole hundredths for each part that add up to the rounded total."""
    unit = 10**SCORE_PLACES
    scaled = {p: share * unit for p, share in exact.items()}
    total_units = _round_half_up(sum(scaled.values(), Fraction(0)))
    units = {p: math.floor(v) for p, v in scaled.items()}
    missing = total_units - sum(units.values())
    # Largest remainder first; the parameters' own order breaks ties, which
    # keeps the split the same on every run.
    order = sorted(
        scaled,
        key=lambda p: (-(scaled[p] - units[p]), list(RankingParameter).index(p)),
    )
    for parameter in order[:missing]:
        units[parameter] += 1
    return units


def _round_half_up(value: Fraction) -> int:
    """The named rounding rule for the score: halves go up (scores are >= 0)."""
    return math.floor(value + Fraction(1, 2))


def _hundredths(units: int) -> Decimal:
    # Built from text, which is exact under any decimal context.
    return Decimal(f"{units}E-{SCORE_PLACES}")


_STANDARD_WEIGHTS = {
    RankingParameter.FLEET_SIZE: Decimal("3.00"),
    RankingParameter.AFTER_SALES_PENETRATION: Decimal("3.00"),
    RankingParameter.FINANCE_OPENNESS: Decimal("2.00"),
    RankingParameter.BRAND_VALUES_FIT: Decimal("2.00"),
}
# Starting points only: the sales manager tunes them in the database. Long
# haul fleets turn over often, so size matters most; councils buy through
# tenders and seldom take the maker's finance, but keep their trucks long
# and value the workshop.
_SEGMENT_WEIGHTS: Mapping[Segment, Mapping[RankingParameter, Decimal]] = {
    Segment.LONG_HAUL: {
        **_STANDARD_WEIGHTS,
        RankingParameter.FLEET_SIZE: Decimal("4.00"),
        RankingParameter.AFTER_SALES_PENETRATION: Decimal("2.00"),
    },
    Segment.MUNICIPAL: {
        **_STANDARD_WEIGHTS,
        RankingParameter.AFTER_SALES_PENETRATION: Decimal("4.00"),
        RankingParameter.FINANCE_OPENNESS: Decimal("1.00"),
    },
    Segment.REFUSE: {
        **_STANDARD_WEIGHTS,
        RankingParameter.AFTER_SALES_PENETRATION: Decimal("4.00"),
        RankingParameter.FINANCE_OPENNESS: Decimal("1.00"),
    },
}


def default_scheme(segment: Segment) -> RankingScheme:
    """The scheme a new database starts with for the segment."""
    weights = _SEGMENT_WEIGHTS.get(segment, _STANDARD_WEIGHTS)
    return RankingScheme(segment, MappingProxyType(dict(weights)))


def scheme_for(segment: Segment, schemes: Iterable[RankingScheme]) -> RankingScheme:
    """The stored scheme of the segment, or its default when none is stored."""
    for scheme in schemes:
        if scheme.segment is segment:
            return scheme
    return default_scheme(segment)


@dataclass(frozen=True)
class RankedLead:
    """A lead with its status and score, as the priority list takes it."""

    lead_id: int
    status: LeadStatus
    score: LeadScore


def priority_list(leads: Iterable[RankedLead]) -> list[RankedLead]:
    """Qualified prospects only, highest score first.

    Equal scores put the prospect with fewer unanswered parameters first,
    then the lower lead number, so the list never reshuffles on its own.
    """
    prospects = [lead for lead in leads if lead.status.is_prospect]
    prospects.sort(
        key=lambda lead: (
            -lead.score.total,
            len(lead.score.unanswered),
            lead.lead_id,
        )
    )
    return prospects
