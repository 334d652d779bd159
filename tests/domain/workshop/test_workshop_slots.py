"""The slot finder: the earliest mechanic-and-bay slots for a job."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dealer_tui.workshop.calendar import BranchCalendar, Leave, WeeklyHours
from dealer_tui.workshop.slots import (
    Bay,
    BookedTime,
    Booking,
    JobRequest,
    LabourOperation,
    Mechanic,
    PartLine,
    ServicePackage,
    Slot,
    find_slots,
    unmet_requirements,
)

MELBOURNE = ZoneInfo("Australia/Melbourne")
WEEKDAYS = WeeklyHours.parse({"mon-fri": "07:00-12:00, 12:30-17:00"})
EVERY_DAY = WeeklyHours.parse({"mon-sun": "07:00-17:00"})
ROUND_THE_CLOCK = WeeklyHours.parse({"mon-sun": "00:00-24:00"})
BRANCH = BranchCalendar("Australia/Melbourne", WEEKDAYS, "AU", "VIC")

ANN = Mechanic("ann", "Ann", frozenset({"engine", "brakes", "diagnostics"}))
BOB = Mechanic("bob", "Bob", frozenset({"engine", "diagnostics"}))
EVE = Mechanic("eve", "Eve", frozenset({"electrical", "hv_ev", "diagnostics"}))
CREW = [ANN, BOB, EVE]

STANDARD_1 = Bay("B1", "standard", max_length_m=Decimal("12.5"))
STANDARD_2 = Bay("B2", "standard", max_length_m=Decimal("12.5"))
LONG = Bay("L1", "long", also_serves=frozenset({"standard"}), max_length_m=Decimal(26))
PIT = Bay("P1", "pit")
HV_SAFE = Bay("H1", "hv_safe", also_serves=frozenset({"standard"}))
BAYS = [LONG, STANDARD_1, STANDARD_2, PIT, HV_SAFE]

ENGINE = LabourOperation("ENG100", "Replace injectors", 180, "engine", "standard")
BRAKES = LabourOperation("BRK120", "Reline front brakes", 90, "brakes", "standard")
DIAGNOSIS = LabourOperation("DIAG01", "Fault diagnosis", 45, "diagnostics", "standard")
GEARBOX = LabourOperation("GBX200", "Gearbox oil change", 60, "engine", "pit")
HV_CHECK = LabourOperation("HV300", "Battery isolation check", 120, "hv_ev", "hv_safe")


def mel(*parts: int) -> datetime:
    """An instant given as Melbourne wall-clock time."""
    return datetime(*parts, tzinfo=MELBOURNE)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def job(*operations: LabourOperation, **kwargs) -> JobRequest:
    return JobRequest(operations, **kwargs)


def first(request: JobRequest, not_before: datetime, **kwargs) -> Slot:
    kwargs.setdefault("calendar", BRANCH)
    kwargs.setdefault("mechanics", CREW)
    kwargs.setdefault("bays", BAYS)
    kwargs.setdefault("bookings", [])
    slots = find_slots(
        request,
        kwargs.pop("calendar"),
        kwargs.pop("mechanics"),
        kwargs.pop("bays"),
        kwargs.pop("bookings"),
        not_before=not_before,
        **kwargs,
    )
    assert slots, "expected at least one slot"
    return slots[0]


def local_spans(slot: Slot) -> list[tuple[str, str]]:
    """The slot's spans as Melbourne wall-clock text, easy to read in a test."""
    return [
        (
            start.astimezone(MELBOURNE).strftime("%a %d %H:%M"),
            end.astimezone(MELBOURNE).strftime("%a %d %H:%M"),
        )
        for start, end in slot.intervals
    ]


# Operations and packages


def test_standard_hours_round_up_to_whole_minutes():
    """0.35 h is 21 minutes, 2.5 h is 150 and 0.01 h is rounded up to 1."""
    assert LabourOperation.from_hours("A", "a", Decimal("0.35")).standard_minutes == 21
    assert LabourOperation.from_hours("B", "b", Decimal("2.5")).standard_minutes == 150
    assert LabourOperation.from_hours("C", "c", Decimal("0.01")).standard_minutes == 1


def test_standard_time_refuses_floats_and_zero():
    """A float number of hours and a zero standard time are both refused."""
    with pytest.raises(TypeError, match="Decimal"):
        LabourOperation.from_hours("A", "a", 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="more than zero"):
        LabourOperation("A", "a", 0)
    with pytest.raises(TypeError, match="whole number of minutes"):
        LabourOperation("A", "a", 1.5)  # type: ignore[arg-type]


def test_a_package_becomes_a_request_with_all_its_needs():
    """A 'B service' of 45 + 90 minutes needs diagnostics, brakes and its bay types."""
    package = ServicePackage(
        "SVC-B",
        "B service",
        (DIAGNOSIS, BRAKES),
        (PartLine("2992241", Decimal(1), "brake pad set"),),
    )
    request = JobRequest.for_package(package, vehicle_bay_types=frozenset({"long"}))
    assert package.work_minutes == 135
    assert request.work_minutes == 135
    assert request.skills == {"diagnostics", "brakes"}
    assert request.bay_types == {"standard", "long"}
    assert request.needs_bay


def test_lengths_refuse_floats():
    """Bay limits and vehicle lengths are Decimals, like every exact measure."""
    with pytest.raises(TypeError, match="Decimal"):
        Bay("B9", "standard", max_length_m=12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Decimal"):
        job(ENGINE, vehicle_length_m=18.0)


def test_operations_without_bay_need_no_bay():
    """A road test alone gives a slot with a mechanic and no bay."""
    road_test = LabourOperation("RT01", "Road test", 30, "diagnostics")
    slot = first(job(road_test), mel(2025, 11, 17, 7))
    assert (slot.mechanic_id, slot.bay_id) == ("ann", None)


# Earliest slot basics


def test_earliest_slot_in_an_empty_workshop_starts_on_the_grid():
    """Asked at Monday 08:10 for three hours, Ann in bay B1 gets 08:15-11:15."""
    slot = first(job(ENGINE), mel(2025, 11, 17, 8, 10))
    assert (slot.mechanic_id, slot.bay_id) == ("ann", "B1")
    assert slot.intervals == ((mel(2025, 11, 17, 8, 15), mel(2025, 11, 17, 11, 15)),)
    assert slot.start == utc(2025, 11, 16, 21, 15)
    assert slot.work_minutes == 180


def test_a_coarser_grid_moves_the_start():
    """With a 30-minute grid, 08:10 becomes 08:30."""
    slot = first(job(ENGINE), mel(2025, 11, 17, 8, 10), granularity=30)
    assert slot.start == mel(2025, 11, 17, 8, 30)


def test_options_at_one_start_offer_each_mechanic_once():
    """Ann and Bob both get 07:00, then both 12:30, each in the best bay B1."""
    slots = find_slots(
        job(ENGINE),
        BRANCH,
        [ANN, BOB],
        [STANDARD_1, STANDARD_2],
        [],
        not_before=mel(2025, 11, 17, 7),
        count=4,
    )
    assert [(s.mechanic_id, s.bay_id, s.start) for s in slots] == [
        ("ann", "B1", mel(2025, 11, 17, 7)),
        ("bob", "B1", mel(2025, 11, 17, 7)),
        ("ann", "B1", mel(2025, 11, 17, 12, 30)),
        ("bob", "B1", mel(2025, 11, 17, 12, 30)),
    ]


def test_next_options_of_one_pair_start_after_bookings_and_breaks():
    """Ann booked 09:00-10:00: 2 hours are offered 07:00, 10:00, 12:30, Tue 07:00."""
    two_hours = LabourOperation("BRK200", "Brake adjust", 120, "brakes", "standard")
    slots = find_slots(
        job(two_hours),
        BRANCH,
        [ANN],
        [STANDARD_1],
        [Booking(mel(2025, 11, 17, 9), mel(2025, 11, 17, 10), "ann")],
        not_before=mel(2025, 11, 17, 7),
        count=4,
    )
    assert [s.start for s in slots] == [
        mel(2025, 11, 17, 7),
        mel(2025, 11, 17, 10),
        mel(2025, 11, 17, 12, 30),
        mel(2025, 11, 18, 7),
    ]


def test_asking_for_fewer_or_more_slots():
    """count=1 gives one slot; a search with no possible slot gives none."""
    assert (
        len(
            find_slots(
                job(ENGINE),
                BRANCH,
                CREW,
                BAYS,
                [],
                not_before=mel(2025, 11, 17, 7),
                count=1,
            )
        )
        == 1
    )
    assert (
        find_slots(
            job(HV_CHECK, ENGINE),
            BRANCH,
            CREW,
            BAYS,
            [],
            not_before=mel(2025, 11, 17, 7),
        )
        == []
    )


# Skills and bay types


def test_only_a_mechanic_with_every_skill_is_offered():
    """Engine plus brakes needs Ann; Bob has engine but not brakes."""
    slots = find_slots(
        job(ENGINE, BRAKES),
        BRANCH,
        [BOB, ANN],
        BAYS,
        [],
        not_before=mel(2025, 11, 17, 7),
    )
    assert {s.mechanic_id for s in slots} == {"ann"}
    assert slots[0].work_minutes == 270


def test_missing_skills_and_bays_are_explained():
    """No mechanic holds engine and hv_ev together, and no bay takes a 30 m vehicle."""
    assert unmet_requirements(job(ENGINE, HV_CHECK), BRANCH, CREW, BAYS) == [
        "no mechanic holds all of: engine, hv_ev"
    ]
    too_long = job(ENGINE, vehicle_length_m=Decimal(30))
    assert unmet_requirements(too_long, BRANCH, CREW, [STANDARD_1, LONG]) == [
        "no bay serves standard for a vehicle of 30 m"
    ]
    assert unmet_requirements(job(ENGINE), BRANCH, CREW, BAYS) == []


def test_missing_work_people_or_hours_are_explained():
    """No operations, no mechanics, or skills only on the night shift are explained."""
    assert unmet_requirements(job(), BRANCH, CREW, BAYS) == [
        "the job has no labour operations"
    ]
    assert unmet_requirements(job(ENGINE), BRANCH, [], BAYS) == [
        "the branch has no mechanics"
    ]
    night = Mechanic(
        "nat", "Nat", ANN.skills, hours=WeeklyHours.parse({"mon-fri": "18:00-24:00"})
    )
    assert unmet_requirements(job(ENGINE), BRANCH, [night], BAYS) == [
        "no mechanic with those skills works in opening hours"
    ]


def test_a_plain_standard_bay_is_preferred_to_a_versatile_one():
    """A standard job goes to B1, not to the long bay listed before it."""
    slot = first(job(ENGINE), mel(2025, 11, 17, 7))
    assert slot.bay_id == "B1"


def test_a_long_bay_takes_standard_work_when_standard_bays_are_booked():
    """B1 and B2 booked all Monday: the job goes to the long bay L1 at 07:00."""
    day = [
        Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 17), bay_id="B1"),
        Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 17), bay_id="B2"),
    ]
    slot = first(job(ENGINE), mel(2025, 11, 17, 7), bookings=day)
    assert (slot.bay_id, slot.start) == ("L1", mel(2025, 11, 17, 7))


def test_vehicle_length_and_bay_types_choose_the_bay():
    """An 18 m rig needs L1, a gearbox job needs the pit and an electric truck H1."""
    long_rig = first(job(ENGINE, vehicle_length_m=Decimal(18)), mel(2025, 11, 17, 7))
    assert long_rig.bay_id == "L1"
    assert first(job(GEARBOX), mel(2025, 11, 17, 7)).bay_id == "P1"
    electric = job(ENGINE, vehicle_bay_types=frozenset({"hv_safe"}))
    assert first(electric, mel(2025, 11, 17, 7)).bay_id == "H1"
    assert first(job(HV_CHECK), mel(2025, 11, 17, 7)).mechanic_id == "eve"


def test_a_vehicle_just_at_the_length_limit_fits():
    """A 12.5 m truck fits a bay whose limit is 12.5 m."""
    slot = first(job(ENGINE, vehicle_length_m=Decimal("12.5")), mel(2025, 11, 17, 7))
    assert slot.bay_id == "B1"


# Bookings, leave and parts


def test_a_mechanic_booking_pushes_the_job_back():
    """Ann booked 07:00-10:00: 270 minutes run 10:00-12:00 and 12:30-15:00."""
    slot = first(
        job(ENGINE, BRAKES),
        mel(2025, 11, 17, 7),
        bookings=[Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 10), "ann")],
    )
    assert local_spans(slot) == [
        ("Mon 17 10:00", "Mon 17 12:00"),
        ("Mon 17 12:30", "Mon 17 15:00"),
    ]


def test_a_booking_in_the_middle_is_never_stepped_over():
    """Ann booked 09:00-09:30: 270 minutes cannot start at 07:00, so start at 09:30."""
    slot = first(
        job(ENGINE, BRAKES),
        mel(2025, 11, 17, 7),
        mechanics=[ANN],
        bookings=[Booking(mel(2025, 11, 17, 9), mel(2025, 11, 17, 9, 30), "ann")],
    )
    # 09:30-12:00 is 150 minutes and 12:30-14:30 the other 120 of 270.
    assert local_spans(slot) == [
        ("Mon 17 09:30", "Mon 17 12:00"),
        ("Mon 17 12:30", "Mon 17 14:30"),
    ]


def test_a_bay_booking_blocks_that_bay_only():
    """With only B1 and Bob, B1 booked until noon moves the job to 12:30-15:30."""
    slot = first(
        job(ENGINE),
        mel(2025, 11, 17, 7),
        mechanics=[BOB],
        bays=[STANDARD_1],
        bookings=[Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 12), bay_id="B1")],
    )
    assert local_spans(slot) == [("Mon 17 12:30", "Mon 17 15:30")]


def test_a_bay_booking_outside_the_mechanic_hours_does_not_block():
    """A night booking of B1 from 17:00 to 23:00 leaves 14:00-17:00 free."""
    slot = first(
        job(ENGINE),
        mel(2025, 11, 17, 14),
        mechanics=[BOB],
        bays=[STANDARD_1],
        bookings=[Booking(mel(2025, 11, 17, 17), mel(2025, 11, 17, 23), bay_id="B1")],
    )
    assert local_spans(slot) == [("Mon 17 14:00", "Mon 17 17:00")]


def test_bookings_on_odd_seconds_are_widened_to_whole_minutes():
    """A booking to 09:59:30 keeps the mechanic until 10:00; the job starts 10:00."""
    slot = first(
        job(ENGINE),
        mel(2025, 11, 17, 7),
        mechanics=[BOB],
        bookings=[Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 9, 59, 30), "bob")],
        granularity=5,
    )
    assert slot.start == mel(2025, 11, 17, 10)


def test_leave_days_are_skipped():
    """Ann on leave Monday 17 and Tuesday 18: her job starts Wednesday 07:00."""
    on_leave = Mechanic(
        "ann", "Ann", ANN.skills, leave=(Leave(date(2025, 11, 17), date(2025, 11, 18)),)
    )
    slot = first(job(ENGINE, BRAKES), mel(2025, 11, 17, 7), mechanics=[on_leave])
    assert slot.start == mel(2025, 11, 19, 7)


def test_leave_for_part_of_a_day():
    """Ann away Monday 07:00-13:00: the 3-hour job runs 13:00-16:00."""
    away = Leave(mel(2025, 11, 17, 7), mel(2025, 11, 17, 13), "dentist")
    slot = first(
        job(ENGINE),
        mel(2025, 11, 17, 7),
        mechanics=[Mechanic("ann", "Ann", ANN.skills, leave=(away,))],
    )
    assert local_spans(slot) == [("Mon 17 13:00", "Mon 17 16:00")]


def test_mechanic_hours_limit_the_slot():
    """Bob works 10:00-14:00 only, so a 3-hour job runs 10:00-12:00 and 12:30-13:30."""
    part_time = Mechanic(
        "bob", "Bob", BOB.skills, hours=WeeklyHours.parse({"mon-fri": "10:00-14:00"})
    )
    slot = first(job(ENGINE), mel(2025, 11, 17, 7), mechanics=[part_time])
    assert local_spans(slot) == [
        ("Mon 17 10:00", "Mon 17 12:00"),
        ("Mon 17 12:30", "Mon 17 13:30"),
    ]


def test_work_waits_for_the_parts():
    """Parts in at Monday 13:20: the job starts at 13:30, on the grid."""
    slot = first(
        job(ENGINE, parts_ready_at=mel(2025, 11, 17, 13, 20)), mel(2025, 11, 17, 7)
    )
    assert local_spans(slot) == [("Mon 17 13:30", "Mon 17 16:30")]


def test_parts_due_before_the_request_do_not_pull_it_earlier():
    """Parts already in since Friday: the search still starts at Monday 09:00."""
    slot = first(job(ENGINE, parts_ready_at=mel(2025, 11, 14, 8)), mel(2025, 11, 17, 9))
    assert slot.start == mel(2025, 11, 17, 9)


# Closed days and daylight saving


def test_a_job_that_cannot_finish_today_waits_past_the_public_holiday():
    """Asked Monday 3 November 15:00, 3 hours skip Cup Day to Wednesday 07:00."""
    slot = first(job(ENGINE), mel(2025, 11, 3, 15))
    assert local_spans(slot) == [("Wed 05 07:00", "Wed 05 10:00")]


def test_spring_forward_sunday_gives_ten_hours_of_instants():
    """On Sunday 5 October 2025, 07:00-17:00 AEDT is 20:00 to 06:00 UTC: 600 minutes."""
    calendar = BranchCalendar("Australia/Melbourne", EVERY_DAY, "AU", "VIC")
    ten_hours = LabourOperation("ENG900", "Engine rebuild", 600, "engine", "standard")
    slot = first(job(ten_hours), mel(2025, 10, 4, 17, 30), calendar=calendar)
    assert slot.intervals == ((utc(2025, 10, 4, 20), utc(2025, 10, 5, 6)),)


def test_work_across_the_skipped_hour_lasts_its_minutes():
    """Open all day, 2 hours from 01:00 on 5 October 2025 end at 04:00 wall time."""
    calendar = BranchCalendar("Australia/Melbourne", ROUND_THE_CLOCK)
    two_hours = LabourOperation("ENG210", "EGR valve", 120, "engine", "standard")
    slot = first(job(two_hours), mel(2025, 10, 5, 1), calendar=calendar)
    assert slot.intervals == ((utc(2025, 10, 4, 15), utc(2025, 10, 4, 17)),)
    assert slot.end.astimezone(MELBOURNE).strftime("%H:%M %Z") == "04:00 AEDT"


def test_work_across_the_repeated_hour_lasts_its_minutes():
    """Open all day, 2 hours from 02:00 AEDT on 6 April 2025 end at 03:00 AEST."""
    calendar = BranchCalendar("Australia/Melbourne", ROUND_THE_CLOCK)
    two_hours = LabourOperation("ENG210", "EGR valve", 120, "engine", "standard")
    slot = first(job(two_hours), utc(2025, 4, 5, 15), calendar=calendar)
    assert slot.intervals == ((utc(2025, 4, 5, 15), utc(2025, 4, 5, 17)),)
    assert slot.end.astimezone(MELBOURNE).strftime("%H:%M %Z") == "03:00 AEST"


# Jobs longer than a day


def test_a_job_longer_than_a_day_runs_over_the_weekend():
    """25 hours from Thursday 20 November: Thursday, Friday, then Monday to 13:30."""
    rebuild = LabourOperation("ENG999", "Engine overhaul", 1500, "engine", "standard")
    slot = first(job(rebuild), mel(2025, 11, 20, 7))
    assert local_spans(slot) == [
        ("Thu 20 07:00", "Thu 20 12:00"),
        ("Thu 20 12:30", "Thu 20 17:00"),
        ("Fri 21 07:00", "Fri 21 12:00"),
        ("Fri 21 12:30", "Fri 21 17:00"),
        ("Mon 24 07:00", "Mon 24 12:00"),
        ("Mon 24 12:30", "Mon 24 13:30"),
    ]
    assert sum(
        (end - start for start, end in slot.intervals), timedelta()
    ) == timedelta(minutes=1500)


def test_a_long_job_skips_a_public_holiday():
    """25 hours from Monday 3 November: Monday, Wednesday (not Cup Day), Thursday."""
    rebuild = LabourOperation("ENG999", "Engine overhaul", 1500, "engine", "standard")
    slot = first(job(rebuild), mel(2025, 11, 3, 7))
    assert [span[0][:6] for span in local_spans(slot)] == [
        "Mon 03",
        "Mon 03",
        "Wed 05",
        "Wed 05",
        "Thu 06",
        "Thu 06",
    ]
    assert local_spans(slot)[-1] == ("Thu 06 12:30", "Thu 06 13:30")


def test_a_long_job_may_start_in_the_afternoon():
    """Ann busy until 13:00: 25 hours start Monday 13:00 and end Thursday 09:00."""
    rebuild = LabourOperation("ENG999", "Engine overhaul", 1500, "engine", "standard")
    slot = first(
        job(rebuild),
        mel(2025, 11, 17, 7),
        mechanics=[ANN],
        bookings=[Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 13), "ann")],
    )
    # 240 on Monday + 570 + 570 + 120 on Thursday = 1,500 minutes.
    assert slot.start == mel(2025, 11, 17, 13)
    assert slot.end == mel(2025, 11, 20, 9)


def test_a_long_job_keeps_clear_of_a_later_booking():
    """B1 booked Wednesday 10:00-11:00: the 25-hour job starts Wednesday 11:00."""
    rebuild = LabourOperation("ENG999", "Engine overhaul", 1500, "engine", "standard")
    slot = first(
        job(rebuild),
        mel(2025, 11, 17, 7),
        mechanics=[BOB],
        bays=[STANDARD_1],
        bookings=[Booking(mel(2025, 11, 19, 10), mel(2025, 11, 19, 11), bay_id="B1")],
    )
    # 60 + 270 on Wednesday, 570 Thursday, 570 Friday, 30 on Monday 24th.
    assert slot.start == mel(2025, 11, 19, 11)
    assert slot.end == mel(2025, 11, 24, 7, 30)
    assert slot.bay_id == "B1"


def test_a_short_job_is_not_split_overnight():
    """A 3-hour job asked for at 15:00 starts next morning, not 15:00 to 08:00."""
    slot = first(job(ENGINE), mel(2025, 11, 17, 15))
    assert local_spans(slot) == [("Tue 18 07:00", "Tue 18 10:00")]


def test_a_slot_turns_into_one_booking_per_span():
    """A slot over lunch becomes two bookings for the same mechanic and bay."""
    slot = first(job(ENGINE), mel(2025, 11, 17, 11))
    assert slot.bookings() == [
        Booking(mel(2025, 11, 17, 11), mel(2025, 11, 17, 12), "ann", "B1"),
        Booking(mel(2025, 11, 17, 12, 30), mel(2025, 11, 17, 14, 30), "ann", "B1"),
    ]


def test_nothing_inside_the_horizon_gives_no_slot():
    """Ann on leave for the next 90 days: a 10-day horizon finds nothing for her."""
    away = Mechanic(
        "ann", "Ann", ANN.skills, leave=(Leave(date(2025, 11, 17), date(2026, 2, 14)),)
    )
    assert (
        find_slots(
            job(ENGINE, BRAKES),
            BRANCH,
            [away],
            BAYS,
            [],
            not_before=mel(2025, 11, 17, 7),
            horizon_days=10,
        )
        == []
    )


def test_prepared_bookings_give_the_same_slots():
    """A BookedTime built once gives the same slots as the bookings themselves."""
    bookings = [
        Booking(mel(2025, 11, 17, 7), mel(2025, 11, 17, 12), "ann", "B1"),
        Booking(mel(2025, 11, 17, 12, 30), mel(2025, 11, 17, 15), "bob", "B2"),
    ]
    booked = BookedTime(bookings)
    for request in (job(ENGINE), job(ENGINE, BRAKES), job(GEARBOX)):
        assert find_slots(
            request, BRANCH, CREW, BAYS, booked, not_before=mel(2025, 11, 17, 7)
        ) == find_slots(
            request, BRANCH, CREW, BAYS, bookings, not_before=mel(2025, 11, 17, 7)
        )
    # Monday 07:00 AEDT is 20:00 UTC on the 16th: 20,408 days and 1,200 minutes
    # after the epoch, so minute 29,388,720; noon is 300 minutes later.
    assert booked.mechanic_spans("ann") == [(29_388_720, 29_389_020)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"granularity": 7}, "granularity must divide a day"),
        ({"granularity": 0}, "granularity must divide a day"),
        ({"count": 0}, "at least one slot"),
        ({"horizon_days": 0}, "at least one day"),
        ({"not_before": datetime(2025, 11, 17, 7)}, "no time zone"),
    ],
)
def test_bad_search_settings_are_refused(kwargs, message):
    """A grid not dividing a day, no slots, no horizon or a naive start is refused."""
    kwargs.setdefault("not_before", mel(2025, 11, 17, 7))
    with pytest.raises(ValueError, match=message):
        find_slots(job(ENGINE), BRANCH, CREW, BAYS, [], **kwargs)


def test_a_job_without_work_is_refused():
    """A request with no operations has nothing to plan."""
    with pytest.raises(ValueError, match="no labour operations"):
        find_slots(job(), BRANCH, CREW, BAYS, [], not_before=mel(2025, 11, 17, 7))


def test_bookings_and_requests_need_aware_instants():
    """Naive datetimes are refused in bookings and in the parts' arrival."""
    with pytest.raises(ValueError, match="time zone"):
        Booking(datetime(2025, 11, 17, 7), datetime(2025, 11, 17, 8), "ann")
    with pytest.raises(ValueError, match="must end after it starts"):
        Booking(mel(2025, 11, 17, 8), mel(2025, 11, 17, 8), "ann")
    with pytest.raises(ValueError, match="time zone"):
        job(ENGINE, parts_ready_at=datetime(2025, 11, 17, 7))
