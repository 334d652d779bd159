"""The branch calendar: opening hours, closed days and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealer_tui.workshop.calendar import (
    BranchCalendar,
    Leave,
    WeeklyHours,
    epoch_minute,
    instant_at,
    intersect_periods,
    merge_periods,
    subtract_periods,
    total_minutes,
)

MELBOURNE = ZoneInfo("Australia/Melbourne")
WEEKDAYS = WeeklyHours.parse({"mon-fri": "07:00-12:00, 12:30-17:00"})
EVERY_DAY = WeeklyHours.parse({"mon-sun": "07:00-17:00"})
ROUND_THE_CLOCK = WeeklyHours.parse({"mon-sun": "00:00-24:00"})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def spans(periods: list[tuple[int, int, int]]) -> list[tuple[datetime, datetime]]:
    return [(instant_at(start), instant_at(end)) for start, end, _ in periods]


def victoria(hours: WeeklyHours = EVERY_DAY, **extra) -> BranchCalendar:
    return BranchCalendar("Australia/Melbourne", hours, "AU", "VIC", **extra)


# Weekly hours


def test_parse_reads_ranges_of_days_and_several_periods():
    """'mon-fri' with lunch gives two periods each weekday and none at the weekend."""
    hours = WeeklyHours.parse(
        {"mon-fri": "07:00-12:00, 12:30-17:00", "sat": "08:00-12:00"}
    )
    assert hours.periods(0) == ((420, 720), (750, 1020))
    assert hours.periods(4) == ((420, 720), (750, 1020))
    assert hours.periods(5) == ((480, 720),)
    assert hours.periods(6) == ()
    # 5 days x 9.5 h + 4 h = 51.5 h = 3,090 minutes.
    assert hours.minutes_per_week == 3090


def test_parse_accepts_lists_of_days_midnight_and_closed():
    """'sat,sun' names two days, 24:00 ends a day and 'closed' leaves a day empty."""
    hours = WeeklyHours.parse({"sat,sun": "18:00-24:00", "mon": "closed"})
    assert hours.periods(5) == ((1080, 1440),)
    assert hours.periods(6) == ((1080, 1440),)
    assert hours.periods(0) == ()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"mon": "7-17"}, "not a time"),
        ({"mon": "17:00-07:00"}, "ends before it starts"),
        ({"mon": "07:00"}, "not like 07:00-17:00"),
        ({"mon": "07:00-25:00"}, "not a time of day"),
        ({"mon-fri": "07:00-17:00", "fri": "07:00-12:00"}, "fri is given twice"),
        ({"fri-mon": "07:00-17:00"}, "runs forward"),
        ({"funday": "07:00-17:00"}, "does not name weekdays"),
    ],
)
def test_parse_names_what_is_wrong(spec, message):
    """Badly written hours are refused with a message naming the problem."""
    with pytest.raises(ValueError, match=message):
        WeeklyHours.parse(spec)


def test_overlapping_periods_are_joined():
    """07:00-12:00 and 11:00-13:00 on the same day become 07:00-13:00."""
    hours = WeeklyHours((((420, 720), (660, 780)), (), (), (), (), (), ()))
    assert hours.periods(0) == ((420, 780),)


def test_intersect_keeps_shared_hours():
    """Branch 07:00-17:00 and a mechanic on 06:00-14:30 share 07:00-14:30."""
    mechanic = WeeklyHours.uniform(range(7), time(6), time(14, 30))
    shared = EVERY_DAY.intersect(mechanic)
    assert shared.periods(2) == ((420, 870),)


# Minutes and periods


def test_epoch_minute_rounds_seconds_down_or_up():
    """00:01:30 UTC is minute 1, or 2 rounded up; 00:02:00 is 2 either way."""
    assert epoch_minute(utc(1970, 1, 1, 0, 1, 30)) == 1
    assert epoch_minute(utc(1970, 1, 1, 0, 1, 30), round_up=True) == 2
    assert epoch_minute(utc(1970, 1, 1, 0, 2), round_up=True) == 2
    assert instant_at(2) == utc(1970, 1, 1, 0, 2)


def test_epoch_minute_refuses_a_naive_datetime():
    """A datetime without a time zone is not an instant."""
    with pytest.raises(ValueError, match="no time zone"):
        epoch_minute(datetime(2025, 1, 1, 7, 0))


def test_period_arithmetic_on_a_small_example():
    """(0,10), (5,20), (30,40) merge to two; less (8,32) they leave (0,8), (32,40)."""
    merged = merge_periods([(30, 40), (0, 10), (5, 20)])
    assert merged == [(0, 20), (30, 40)]
    assert intersect_periods(merged, [(8, 32)]) == [(8, 20), (30, 32)]
    assert subtract_periods(merged, [(8, 32)]) == [(0, 8), (32, 40)]
    assert total_minutes(merged) == 30


period_lists = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 15)).map(
        lambda p: (p[0], p[0] + p[1])
    ),
    max_size=6,
).map(merge_periods)


def minutes_of(periods: list[tuple[int, int]]) -> set[int]:
    return {m for start, end in periods for m in range(start, end)}


@given(period_lists, period_lists)
def test_period_arithmetic_matches_sets_of_minutes(first, second):
    """Intersection and difference of periods cover exactly the minutes sets give."""
    assert minutes_of(intersect_periods(first, second)) == minutes_of(
        first
    ) & minutes_of(second)
    assert minutes_of(subtract_periods(first, second)) == minutes_of(
        first
    ) - minutes_of(second)
    assert merge_periods(subtract_periods(first, second)) == subtract_periods(
        first, second
    )


# Closed days


def test_public_holiday_of_the_branch_state_closes_the_day():
    """Melbourne Cup Day, Tuesday 4 November 2025, is a holiday in Victoria."""
    calendar = victoria()
    assert calendar.closure(date(2025, 11, 4)) == "public holiday: Melbourne Cup Day"
    assert calendar.day_periods(date(2025, 11, 4)) == []


def test_a_holiday_of_another_state_does_not_close_the_day():
    """A Sydney branch is open on Melbourne Cup Day: 07:00-17:00 AEDT, ten hours."""
    calendar = BranchCalendar("Australia/Sydney", EVERY_DAY, "AU", "NSW")
    assert calendar.closure(date(2025, 11, 4)) is None
    assert spans(calendar.day_periods(date(2025, 11, 4))) == [
        (utc(2025, 11, 3, 20), utc(2025, 11, 4, 6))
    ]


def test_dealer_closed_days_and_open_holidays():
    """The dealer closes on 24 December and opens on Grand Final Friday, 26 Sept."""
    calendar = victoria(
        closed_days=frozenset({date(2025, 12, 24)}),
        open_days=frozenset({date(2025, 9, 26)}),
    )
    assert calendar.closure(date(2025, 12, 24)) == "closed by the dealer"
    assert calendar.is_closed(date(2025, 12, 24))
    assert not calendar.is_closed(date(2025, 9, 26))
    assert calendar.holiday(date(2025, 9, 26)) == "Friday before the AFL Grand Final"
    # 07:00-17:00 AEST is 21:00 to 07:00 UTC.
    assert spans(calendar.day_periods(date(2025, 9, 26))) == [
        (utc(2025, 9, 25, 21), utc(2025, 9, 26, 7))
    ]


def test_a_day_both_closed_and_open_is_refused():
    """Listing one date as closed and as open is a contradiction."""
    with pytest.raises(ValueError, match="both as a closed and as an open day"):
        victoria(
            closed_days=frozenset({date(2025, 1, 27)}),
            open_days=frozenset({date(2025, 1, 27)}),
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_zone": "Australia/Atlantis"}, "not a known time zone"),
        ({"country": "AU", "subdivision": "XYZ"}, "no public holidays are known"),
        ({"country": None, "subdivision": "VIC"}, "needs its country"),
    ],
)
def test_unknown_zone_or_region_is_refused(kwargs, message):
    """A calendar names a real time zone and a region the holidays package knows."""
    settings_ = {"time_zone": "Australia/Melbourne", "country": "AU", **kwargs}
    with pytest.raises(ValueError, match=message):
        BranchCalendar(opening_hours=EVERY_DAY, **settings_)


def test_without_a_country_only_dealer_days_close():
    """With no country given, Australia Day is an ordinary Monday."""
    calendar = BranchCalendar("Australia/Melbourne", WEEKDAYS)
    assert calendar.holiday(date(2025, 1, 27)) is None
    assert len(calendar.day_periods(date(2025, 1, 27))) == 2


def test_open_periods_lists_instants_over_several_days():
    """Friday 24 to Tuesday 28 January 2025 in Victoria: Friday and Tuesday only.

    The weekend has no hours and Monday 27 is Australia Day.
    """
    calendar = victoria(WEEKDAYS)
    assert calendar.open_periods(date(2025, 1, 24), date(2025, 1, 28)) == [
        (utc(2025, 1, 23, 20), utc(2025, 1, 24, 1)),
        (utc(2025, 1, 24, 1, 30), utc(2025, 1, 24, 6)),
        (utc(2025, 1, 27, 20), utc(2025, 1, 28, 1)),
        (utc(2025, 1, 28, 1, 30), utc(2025, 1, 28, 6)),
    ]


# Daylight saving


def test_spring_forward_sunday_is_converted_exactly():
    """On Sunday 5 October 2025 the shop opens 07:00 AEDT (20:00 UTC) for 600 minutes.

    The day before, 07:00 is still AEST, 21:00 UTC.
    """
    calendar = victoria()
    sunday = calendar.day_periods(date(2025, 10, 5))
    assert spans(sunday) == [(utc(2025, 10, 4, 20), utc(2025, 10, 5, 6))]
    assert sunday[0][1] - sunday[0][0] == 600
    saturday = calendar.day_periods(date(2025, 10, 4))
    assert spans(saturday) == [(utc(2025, 10, 3, 21), utc(2025, 10, 4, 7))]


def test_round_the_clock_days_have_23_and_25_hours():
    """00:00-24:00 lasts 1,380 minutes on 5 October 2025 and 1,500 on 6 April 2025."""
    calendar = victoria(ROUND_THE_CLOCK)
    spring = calendar.day_periods(date(2025, 10, 5))
    autumn = calendar.day_periods(date(2025, 4, 6))
    assert total_minutes((s, e) for s, e, _ in spring) == 1380
    assert total_minutes((s, e) for s, e, _ in autumn) == 1500
    # Pieces carry the offset in force: +10:00 before the change, +11:00 after.
    assert [offset for _, _, offset in spring] == [600, 660]
    assert calendar.day_bounds(date(2025, 10, 5)) == (
        epoch_minute(utc(2025, 10, 4, 14)),
        epoch_minute(utc(2025, 10, 5, 13)),
    )


def test_the_skipped_hour_is_never_open():
    """02:00-03:00 does not exist on 5 October 2025, so a period inside it is empty."""
    calendar = victoria(ROUND_THE_CLOCK)
    assert calendar.wall_periods(date(2025, 10, 5), [(120, 180)]) == []
    assert calendar.instant(date(2025, 10, 5), time(2, 30)) == utc(2025, 10, 4, 16)


def test_the_repeated_hour_is_open_twice():
    """02:00-02:30 happens twice on 6 April 2025: 15:00-15:30 and 16:00-16:30 UTC."""
    calendar = victoria(ROUND_THE_CLOCK)
    assert spans(calendar.wall_periods(date(2025, 4, 6), [(120, 150)])) == [
        (utc(2025, 4, 5, 15), utc(2025, 4, 5, 15, 30)),
        (utc(2025, 4, 5, 16), utc(2025, 4, 5, 16, 30)),
    ]
    assert calendar.instant(date(2025, 4, 6), time(2, 30)) == utc(2025, 4, 5, 15, 30)


ZONES = (
    "Australia/Melbourne",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
)
CHANGE_DAYS = (
    date(2025, 4, 6),
    date(2025, 10, 5),
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2025, 3, 9),
    date(2025, 11, 2),
    date(2025, 4, 5),
    date(2025, 9, 6),
    date(2025, 9, 7),
)


@settings(max_examples=40, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    day=st.one_of(
        st.sampled_from(CHANGE_DAYS),
        st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    ),
    start=st.integers(0, 1439),
    length=st.integers(1, 1440),
)
def test_open_minutes_are_exactly_those_the_wall_clock_shows(
    zone_name, day, start, length
):
    """A minute is open exactly when the wall clock shows that date and a time in it."""
    end = min(start + length, 1440)
    calendar = BranchCalendar(zone_name, ROUND_THE_CLOCK)
    zone = ZoneInfo(zone_name)
    got = calendar.wall_periods(day, [(start, end)])
    midnight = epoch_minute(datetime.combine(day, time(), UTC))
    expected = set()
    for minute in range(midnight - 15 * 60, midnight + 39 * 60):
        local = instant_at(minute).astimezone(zone)
        if local.date() == day and start <= local.hour * 60 + local.minute < end:
            expected.add(minute)
    assert {m for s, e, _ in got for m in range(s, e)} == expected
    for low, _, offset in got:
        assert instant_at(low).astimezone(zone).utcoffset() == timedelta(minutes=offset)


# Leave


def test_leave_in_days_covers_whole_local_days_both_included():
    """Leave from Saturday 4 to Sunday 5 October 2025 lasts 24 + 23 hours."""
    calendar = victoria()
    low, high = calendar.leave_period(Leave(date(2025, 10, 4), date(2025, 10, 5)))
    assert instant_at(low) == utc(2025, 10, 3, 14)
    assert instant_at(high) == utc(2025, 10, 5, 13)
    assert high - low == 47 * 60


def test_leave_between_instants_is_taken_as_given():
    """Leave from 13:00 to 17:00 local is the four hours between those instants."""
    calendar = victoria()
    leave = Leave(
        datetime(2025, 3, 3, 13, tzinfo=MELBOURNE),
        datetime(2025, 3, 3, 17, tzinfo=MELBOURNE),
    )
    low, high = calendar.leave_period(leave)
    assert (instant_at(low), instant_at(high)) == (
        utc(2025, 3, 3, 2),
        utc(2025, 3, 3, 6),
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2025, 3, 3), datetime(2025, 3, 4, tzinfo=UTC), "date to date"),
        (datetime(2025, 3, 3), datetime(2025, 3, 4), "need a time zone"),
        (date(2025, 3, 5), date(2025, 3, 4), "ends before it starts"),
    ],
)
def test_inconsistent_leave_is_refused(start, end, message):
    """Leave mixes no dates with instants, has aware instants and runs forward."""
    with pytest.raises(ValueError, match=message):
        Leave(start, end)
