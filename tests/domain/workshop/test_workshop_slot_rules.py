"""The slot finder checked against a plain minute-by-minute reading of its rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dealer_tui.workshop.calendar import (
    BranchCalendar,
    Leave,
    WeeklyHours,
    epoch_minute,
)
from dealer_tui.workshop.slots import (
    Bay,
    Booking,
    JobRequest,
    LabourOperation,
    Mechanic,
    Slot,
    find_slots,
)

MELBOURNE = ZoneInfo("Australia/Melbourne")
HOURS = (
    WeeklyHours.parse({"mon-fri": "07:00-12:00, 12:30-17:00", "sat": "08:00-12:00"}),
    WeeklyHours.parse({"mon-sun": "07:00-17:00"}),
    WeeklyHours.parse({"mon-sun": "00:00-24:00"}),
)
# An ordinary week, Cup week, and the weeks the clocks go forward and back.
WEEKS = (date(2025, 11, 17), date(2025, 11, 3), date(2025, 10, 2), date(2025, 4, 3))
BAYS = [
    Bay("B1", "standard", max_length_m=Decimal("12.5")),
    Bay("L1", "long", also_serves=frozenset({"standard"})),
]
HORIZON_DAYS = 8


def working_minutes(
    calendar: BranchCalendar, mechanic: Mechanic, first_day: date, last_day: date
) -> tuple[list[int], list[int], list[int]]:
    """Every minute the mechanic works, its local day number, and each day's total."""
    away = {
        minute
        for leave in mechanic.leave
        for minute in range(*calendar.leave_period(leave))
    }
    minutes: list[int] = []
    day_numbers: list[int] = []
    per_day: list[int] = []
    for number in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=number)
        worked = [
            minute
            for start, end, _ in calendar.day_periods(day, mechanic.hours)
            for minute in range(start, end)
            if minute not in away
        ]
        minutes.extend(worked)
        day_numbers.extend([number] * len(worked))
        per_day.append(len(worked))
    return minutes, day_numbers, per_day


def booked_minutes(bookings: list[Booking], mechanic_id=None, bay_id=None) -> set[int]:
    return {
        minute
        for booking in bookings
        if (mechanic_id is not None and booking.mechanic_id == mechanic_id)
        or (bay_id is not None and booking.bay_id == bay_id)
        for minute in range(
            epoch_minute(booking.start), epoch_minute(booking.end, round_up=True)
        )
    }


def earliest_by_rules(calendar, mechanics, bookings, request, not_before, grid):
    """The earliest start, its mechanic and bay, read minute by minute."""
    start = epoch_minute(not_before, round_up=True)
    first_day = calendar.local_date(not_before)
    last_day = first_day + timedelta(days=HORIZON_DAYS)
    work = request.work_minutes
    bays = sorted(
        (bay for bay in BAYS if bay.takes(request)),
        key=lambda bay: len(bay.serves - request.bay_types),
    )
    best = None
    for rank, mechanic in enumerate(mechanics):
        if not request.skills <= mechanic.skills:
            continue
        minutes, day_numbers, per_day = working_minutes(
            calendar, mechanic, first_day, last_day
        )
        for bay in bays:
            busy = booked_minutes(bookings, mechanic.id, bay.id)
            for index, minute in enumerate(minutes):
                # Melbourne's offsets are whole hours, so its wall-clock grid
                # is the UTC grid for every granularity used here.
                if minute < start or minute % grid:
                    continue
                if best is not None and (minute, rank) >= best[:2]:
                    break
                if index + work > len(minutes):
                    break
                day = day_numbers[index]
                if day_numbers[index + work - 1] != day and work <= per_day[day]:
                    continue
                if busy.isdisjoint(minutes[index : index + work]):
                    best = (minute, rank, mechanic.id, bay.id)
                    break
    return best


def check_slot(slot: Slot, calendar, mechanics, bookings, request, start, grid):
    """A slot is in working time, clear of bookings, on the grid, with all its work."""
    mechanic = next(m for m in mechanics if m.id == slot.mechanic_id)
    first_day = calendar.local_date(slot.start)
    minutes, _, _ = working_minutes(
        calendar, mechanic, first_day, first_day + timedelta(days=HORIZON_DAYS)
    )
    used = [
        minute
        for low, high in slot.intervals
        for minute in range(epoch_minute(low), epoch_minute(high))
    ]
    assert len(used) == slot.work_minutes == request.work_minutes
    assert set(used) <= set(minutes)
    # The work is consecutive working time: no working minute is skipped.
    position = minutes.index(used[0])
    assert minutes[position : position + len(used)] == used
    assert booked_minutes(bookings, slot.mechanic_id, slot.bay_id).isdisjoint(used)
    assert used[0] >= start
    assert used[0] % grid == 0


booking_strategy = st.builds(
    lambda whom, day, minute, length: (whom, day, minute, length),
    st.sampled_from(["ann", "bob", "B1", "L1", "ann+B1", "bob+L1"]),
    st.integers(0, 3),
    st.integers(0, 24 * 4 - 1).map(lambda quarter: quarter * 15),
    st.integers(10, 600),
)


@settings(max_examples=100, deadline=None)
@given(
    week=st.sampled_from(WEEKS),
    hours=st.sampled_from(HOURS),
    work=st.integers(1, 1500),
    brakes=st.booleans(),
    grid=st.sampled_from([5, 15, 30, 60]),
    asked_after=st.integers(0, 2 * 24 * 60),
    raw_bookings=st.lists(booking_strategy, max_size=12),
    leave_day=st.one_of(st.none(), st.integers(0, 4)),
)
def test_first_slot_is_the_earliest_the_rules_allow(
    week, hours, work, brakes, grid, asked_after, raw_bookings, leave_day
):
    """The first slot is the earliest start found minute by minute; all are valid."""
    calendar = BranchCalendar("Australia/Melbourne", hours, "AU", "VIC")
    leave = ()
    if leave_day is not None:
        day = week + timedelta(days=leave_day)
        leave = (Leave(day, day),)
    mechanics = [
        Mechanic("ann", "Ann", frozenset({"engine", "brakes"}), leave=leave),
        Mechanic("bob", "Bob", frozenset({"engine"})),
    ]
    operations = [LabourOperation("ENG", "Engine work", work, "engine", "standard")]
    if brakes:
        operations.append(LabourOperation("BRK", "Brakes", 30, "brakes", "standard"))
    request = JobRequest(tuple(operations))
    bookings = []
    for whom, day, minute, length in raw_bookings:
        begin = datetime.combine(week + timedelta(days=day), time(), MELBOURNE)
        begin += timedelta(minutes=minute)
        mechanic_id = next((m for m in ("ann", "bob") if m in whom), None)
        bay_id = next((b for b in ("B1", "L1") if b in whom), None)
        end = begin + timedelta(minutes=length)
        bookings.append(Booking(begin, end, mechanic_id, bay_id))
    not_before = datetime.combine(week, time(), MELBOURNE) + timedelta(
        minutes=asked_after
    )

    slots = find_slots(
        request,
        calendar,
        mechanics,
        BAYS,
        bookings,
        not_before=not_before,
        count=4,
        granularity=grid,
        horizon_days=HORIZON_DAYS,
    )
    expected = earliest_by_rules(
        calendar, mechanics, bookings, request, not_before, grid
    )

    if expected is None:
        assert slots == []
        return
    assert slots, "the rules allow a slot, so one should be found"
    first = slots[0]
    assert (epoch_minute(first.start), first.mechanic_id, first.bay_id) == (
        expected[0],
        expected[2],
        expected[3],
    )
    starts = [slot.start for slot in slots]
    assert starts == sorted(starts)
    assert len({(slot.mechanic_id, slot.start) for slot in slots}) == len(slots)
    start = epoch_minute(not_before, round_up=True)
    for slot in slots:
        check_slot(slot, calendar, mechanics, bookings, request, start, grid)
