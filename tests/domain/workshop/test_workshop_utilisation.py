"""Workshop utilisation: booked against available hours per mechanic and day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dealer_tui.workshop.calendar import BranchCalendar, Leave, WeeklyHours
from dealer_tui.workshop.slots import (
    BookedTime,
    Booking,
    Mechanic,
    Utilisation,
    daily_totals,
    utilisation,
)

MELBOURNE = ZoneInfo("Australia/Melbourne")
WEEKDAYS = WeeklyHours.parse({"mon-fri": "07:00-12:00, 12:30-17:00"})
BRANCH = BranchCalendar("Australia/Melbourne", WEEKDAYS, "AU", "VIC")
ANN = Mechanic("ann", "Ann", frozenset({"engine"}))
BOB = Mechanic("bob", "Bob", frozenset({"engine"}))
MONDAY = date(2025, 11, 17)
TUESDAY = date(2025, 11, 18)


def mel(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MELBOURNE)


def row(rows: list[Utilisation], mechanic_id, day: date) -> Utilisation:
    return next(r for r in rows if r.mechanic_id == mechanic_id and r.day == day)


def test_booked_time_inside_and_outside_the_working_day():
    """07:00-09:00 and 16:00-18:00 on a 570-minute day: 180 in, 60 out, 31.6%."""
    bookings = [
        Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 9), "ann"),
        Booking(mel(2025, 11, 17, 16), mel(2025, 11, 17, 18), "ann", "B1"),
    ]
    monday = row(utilisation(BRANCH, [ANN], bookings, MONDAY, MONDAY), "ann", MONDAY)
    assert (monday.available_minutes, monday.booked_minutes) == (570, 180)
    assert monday.outside_minutes == 60
    assert monday.available_hours == Decimal("9.50")
    assert monday.booked_hours == Decimal("3.00")
    # 180 / 570 = 0.315789..., so 31.6 % rounded half up to one place.
    assert monday.percent == Decimal("31.6")


def test_overlapping_bookings_count_once():
    """07:00-09:00 and 08:00-10:00 book the mechanic for 180 minutes, not 240."""
    bookings = [
        Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 9), "ann"),
        Booking(mel(2025, 11, 17, 8), mel(2025, 11, 17, 10), "ann"),
    ]
    rows = utilisation(BRANCH, [ANN], bookings, MONDAY, MONDAY)
    assert rows[0].booked_minutes == 180


def test_a_booking_over_midnight_is_split_between_the_days():
    """16:00 Monday to 08:00 Tuesday: 60 in and 420 out each day."""
    overnight = [Booking(mel(2025, 11, 17, 16), mel(2025, 11, 18, 8), "ann")]
    rows = utilisation(BRANCH, [ANN], overnight, MONDAY, TUESDAY)
    assert [(r.day, r.booked_minutes, r.outside_minutes) for r in rows] == [
        (MONDAY, 60, 420),
        (TUESDAY, 60, 420),
    ]


def test_leave_weekends_and_holidays_have_no_available_time():
    """Leave on Tuesday, the weekend and Cup Day all give 0 available and no percent."""
    on_leave = Mechanic("ann", "Ann", leave=(Leave(TUESDAY, TUESDAY),))
    rows = utilisation(BRANCH, [on_leave], [], MONDAY, date(2025, 11, 23))
    assert [r.available_minutes for r in rows] == [570, 0, 570, 570, 570, 0, 0]
    assert rows[1].percent is None
    cup_day = utilisation(BRANCH, [ANN], [], date(2025, 11, 4), date(2025, 11, 4))
    assert cup_day[0].available_minutes == 0


def test_mechanic_hours_limit_the_available_time():
    """Bob on 10:00-14:00 has 3.5 hours a day once the lunch break is taken out."""
    part_time = Mechanic("bob", hours=WeeklyHours.parse({"mon-fri": "10:00-14:00"}))
    rows = utilisation(BRANCH, [part_time], [], MONDAY, MONDAY)
    assert rows[0].available_minutes == 210
    assert rows[0].available_hours == Decimal("3.50")


def test_the_spring_forward_sunday_counts_real_minutes():
    """Open round the clock, Sunday 5 October 2025 has 1,380 minutes, not 1,440."""
    calendar = BranchCalendar(
        "Australia/Melbourne", WeeklyHours.parse({"mon-sun": "00:00-24:00"})
    )
    day = date(2025, 10, 5)
    booked_all_day = [Booking(mel(2025, 10, 5, 0), mel(2025, 10, 6, 0), "ann")]
    rows = utilisation(calendar, [ANN], booked_all_day, day, day)
    assert (rows[0].available_minutes, rows[0].booked_minutes) == (1380, 1380)
    assert rows[0].percent == Decimal("100.0")


def test_rows_come_per_mechanic_then_day_and_totals_per_day():
    """Ann 120 and Bob 300 booked on Monday total 420 of 1,140 minutes, 36.8%."""
    bookings = BookedTime(
        [
            Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 9), "ann", "B1"),
            Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 12), "bob", "B2"),
        ]
    )
    rows = utilisation(BRANCH, [ANN, BOB], bookings, MONDAY, TUESDAY)
    assert [(r.mechanic_id, r.day) for r in rows] == [
        ("ann", MONDAY),
        ("ann", TUESDAY),
        ("bob", MONDAY),
        ("bob", TUESDAY),
    ]
    totals = daily_totals(rows)
    assert totals == [
        Utilisation(None, MONDAY, 1140, 420, 0),
        Utilisation(None, TUESDAY, 1140, 0, 0),
    ]
    # 420 / 1140 = 0.368421..., so 36.8 %.
    assert totals[0].percent == Decimal("36.8")


@pytest.mark.parametrize(
    ("available", "booked", "hours", "percent"),
    [
        (60, 20, "0.33", "33.3"),
        (60, 50, "0.83", "83.3"),
        (60, 1, "0.02", "1.7"),
        (1600, 100, "1.67", "6.3"),
    ],
)
def test_hours_and_percent_round_half_up(available, booked, hours, percent):
    """20 min is 0.33 h, 1 min 0.02 h, and 100 of 1,600 minutes (6.25 %) shows 6.3 %."""
    share = Utilisation("ann", MONDAY, available, booked)
    assert share.booked_hours == Decimal(hours)
    assert share.percent == Decimal(percent)


def test_a_backwards_range_of_days_is_refused():
    """The last day may not come before the first."""
    with pytest.raises(ValueError, match="before the first"):
        utilisation(BRANCH, [ANN], [], TUESDAY, MONDAY)
