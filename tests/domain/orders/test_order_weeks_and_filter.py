"""Delivery weeks and the order list's filter, as typed."""

from __future__ import annotations

from datetime import date

import pytest

from dealer_tui.orders.filtering import OPEN, describe, parse_filter
from dealer_tui.orders.schedule import Week, parse_week, week_of
from dealer_tui.orders.states import OrderKind, OrderState


def test_week_50_of_2026_runs_from_7_to_13_december() -> None:
    """ISO week 2026-W50 is Monday 7 to Sunday 13 December 2026."""
    week = parse_week("2026-W50")
    assert (week.monday, week.sunday) == (date(2026, 12, 7), date(2026, 12, 13))
    assert week.label == "2026-W50"


@pytest.mark.parametrize("text", ["2026W50", "2026-w50", " 2026-12-09 "])
def test_other_ways_to_name_the_week(text: str) -> None:
    """Without the dash, in lower case, or as a day inside it."""
    assert parse_week(text) == Week(2026, 50)


def test_a_week_that_does_not_exist_is_named() -> None:
    """2026 has 53 ISO weeks; week 54 is refused with the year named."""
    assert parse_week("2026-W53").monday == date(2026, 12, 28)
    with pytest.raises(ValueError, match="2026 has no week 54"):
        parse_week("2026-W54")
    with pytest.raises(ValueError, match="is not a week"):
        parse_week("next week")


def test_the_first_days_of_january_may_belong_to_last_year() -> None:
    """Friday 1 January 2027 is in 2026-W53."""
    assert week_of(date(2027, 1, 1)) == Week(2026, 53)


def test_filter_reads_state_rep_week_kind_and_hold() -> None:
    """Keys narrow the list; plain words are kept for number and customer."""
    wanted = parse_filter("coastal state:conf rep:sam week:2026-W50 kind:v hold")
    assert wanted.words == ("coastal",)
    assert wanted.states == {OrderState.CONFIRMED}
    assert wanted.rep == "sam"
    assert wanted.week == Week(2026, 50)
    assert wanted.kind is OrderKind.VEHICLE
    assert wanted.on_hold
    assert describe(wanted) == (
        "state confirmed; vehicle orders; rep sam; delivery week 2026-W50 "
        "(07/12-13/12); on credit hold; matching coastal"
    )


def test_filter_state_words_and_open() -> None:
    """'ready' and 'factory' name their states; 'open' is every unfinished one."""
    assert parse_filter("state:ready,factory").states == {
        OrderState.READY_FOR_DELIVERY,
        OrderState.ORDERED_FROM_FACTORY,
    }
    assert parse_filter("state:open").states == OPEN
    assert describe(parse_filter("state:open")) == "open orders"


def test_filter_problems_are_sentences() -> None:
    """A wrong state and a wrong week are each named; the rest still filters."""
    wanted = parse_filter("state:shipped week:W99 C000117")
    assert wanted.problems == (
        "'shipped' is not an order state",
        "'W99' is not a week (use 2026-W50 or a day, 2026-12-09)",
    )
    assert wanted.words == ("C000117",)
