"""How long the slot finder takes on a busy branch.

A Melbourne branch with 40 mechanics, 20 bays and 2,000 bookings spread
over the next six weeks asks for the five earliest slots for a job of
three operations (diagnostics, engine and brakes) whose parts arrive
tomorrow at 10:00. The aim is well under 10 ms per search.

Run it with ``python bench/slot_finder_bench.py``.
"""

from __future__ import annotations

import gc
import random
import statistics
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from dealer_tui.workshop.calendar import BranchCalendar, Leave, WeeklyHours
from dealer_tui.workshop.slots import (
    Bay,
    BookedTime,
    Booking,
    JobRequest,
    LabourOperation,
    Mechanic,
    Slot,
    find_slots,
)

MELBOURNE = ZoneInfo("Australia/Melbourne")
NOW = datetime(2025, 9, 15, 8, 0, tzinfo=MELBOURNE)
BOOKINGS = 2000
BUDGET_MS = 10.0
SKILL_SETS = (
    {"engine", "brakes", "diagnostics"},
    {"engine", "diagnostics"},
    {"brakes", "trailer"},
    {"electrical", "diagnostics"},
    {"engine", "brakes", "electrical", "diagnostics", "hv_ev"},
)
BAY_TYPES = ("standard",) * 11 + ("long",) * 4 + ("pit",) * 3 + ("wash", "hv_safe")


def branch() -> BranchCalendar:
    """The branch: weekdays with a lunch break, Saturday mornings, VIC holidays."""
    hours = WeeklyHours.parse(
        {"mon-fri": "07:00-12:00, 12:30-17:00", "sat": "08:00-12:00"}
    )
    return BranchCalendar("Australia/Melbourne", hours, "AU", "VIC")


def crew(rng: random.Random) -> list[Mechanic]:
    """Forty mechanics, a few on part-time hours and a few on leave."""
    part_time = WeeklyHours.parse({"mon-wed": "07:00-15:00"})
    mechanics = []
    for number in range(40):
        leave = ()
        if number % 9 == 0:
            first = NOW.date() + timedelta(days=rng.randrange(14))
            leave = (Leave(first, first + timedelta(days=4), "annual leave"),)
        mechanics.append(
            Mechanic(
                id=number,
                name=f"Mechanic {number}",
                skills=frozenset(SKILL_SETS[number % len(SKILL_SETS)]),
                hours=part_time if number % 10 == 7 else None,
                leave=leave,
            )
        )
    return mechanics


def workshop_bays() -> list[Bay]:
    """Twenty bays; long bays and the HV-safe bay also take standard work."""
    bays = []
    for number, bay_type in enumerate(BAY_TYPES):
        also = {"standard"} if bay_type in ("long", "hv_safe") else set()
        length = Decimal("26") if bay_type == "long" else Decimal("12.5")
        bays.append(Bay(100 + number, bay_type, f"Bay {number + 1}", also, length))
    return bays


def existing_bookings(rng: random.Random, bays: list[Bay]) -> list[Booking]:
    """Bookings on the quarter hour, never two on one mechanic or bay at once."""
    taken: dict[tuple[str, int], list[tuple[datetime, datetime]]] = {}

    def free(key: tuple[str, int], start: datetime, end: datetime) -> bool:
        return all(end <= s or start >= e for s, e in taken.get(key, []))

    bookings: list[Booking] = []
    while len(bookings) < BOOKINGS:
        day = NOW.date() + timedelta(days=rng.randrange(42))
        if day.weekday() >= 5:
            continue
        start_local = datetime.combine(day, time(7), MELBOURNE) + timedelta(
            minutes=15 * rng.randrange(30)
        )
        start = start_local.astimezone(UTC)
        end = start + timedelta(minutes=30 * rng.randrange(1, 9))
        mechanic = rng.randrange(40)
        bay = rng.choice(bays).id if rng.random() > 0.1 else None
        keys = [("m", mechanic)] + ([("b", bay)] if bay is not None else [])
        if all(free(key, start, end) for key in keys):
            for key in keys:
                taken.setdefault(key, []).append((start, end))
            bookings.append(Booking(start, end, mechanic, bay))
    return bookings


def job() -> JobRequest:
    """Diagnostics, an engine repair and a brake reline, parts in tomorrow."""
    operations = (
        LabourOperation("DIAG01", "Fault diagnosis", 45, "diagnostics", "standard"),
        LabourOperation.from_hours(
            "ENG210", "Replace EGR valve", Decimal("2.5"), "engine", "standard"
        ),
        LabourOperation("BRK120", "Reline front brakes", 90, "brakes", "standard"),
    )
    parts_at = datetime.combine(NOW.date() + timedelta(days=1), time(10), MELBOURNE)
    return JobRequest(operations, parts_ready_at=parts_at)


def other_jobs() -> dict[str, JobRequest]:
    """Harder cases: a rare skill in the one HV-safe bay, and a three-day job."""
    return {
        "HV battery job, one HV-safe bay": JobRequest(
            (
                LabourOperation("HV300", "Isolate HV battery", 120, "hv_ev", "hv_safe"),
                LabourOperation("ELE110", "Replace DC-DC converter", 90, "electrical"),
            )
        ),
        "engine overhaul, 26 hours": JobRequest(
            (LabourOperation("ENG999", "Engine overhaul", 1560, "engine", "long"),),
            vehicle_length_m=Decimal("19"),
        ),
    }


def timed(search: Callable[[], object], runs: int = 200) -> tuple[float, float]:
    """Median and 95th-percentile milliseconds over several runs of a search.

    The garbage collector is paused while timing, as ``timeit`` does, so
    that a collection of earlier garbage is not charged to one search.
    """
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            began = clock.perf_counter()
            search()
            times.append((clock.perf_counter() - began) * 1000)
    finally:
        gc.enable()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def show(slot: Slot) -> str:
    """One slot as the branch's wall clock shows it."""
    spans = ", ".join(
        f"{s.astimezone(MELBOURNE):%a %d %b %H:%M}-{e.astimezone(MELBOURNE):%H:%M}"
        for s, e in slot.intervals
    )
    return f"  mechanic {slot.mechanic_id:>2}  bay {slot.bay_id}  {spans}"


def main() -> None:
    """Time the searches and print the slots they find."""
    rng = random.Random(20250915)
    calendar = branch()
    mechanics = crew(rng)
    bays = workshop_bays()
    bookings = existing_bookings(rng, bays)
    request = job()

    def from_list(request: JobRequest = request) -> list[Slot]:
        return find_slots(
            request, calendar, mechanics, bays, bookings, not_before=NOW, count=5
        )

    began = clock.perf_counter()
    slots = from_list()
    cold_ms = (clock.perf_counter() - began) * 1000
    print(f"{len(mechanics)} mechanics, {len(bays)} bays, {len(bookings)} bookings")
    print(f"job: {request.work_minutes} minutes, skills {sorted(request.skills)}")
    for slot in slots:
        print(show(slot))
    print(f"first search, caches cold: {cold_ms:.2f} ms")
    median, slow = timed(from_list)
    print(
        f"search from the list of bookings: median {median:.2f} ms, "
        f"95th percentile {slow:.2f} ms (budget {BUDGET_MS:.0f} ms)"
    )
    median, slow = timed(lambda: BookedTime(bookings))
    print(f"  of which indexing the bookings: median {median:.2f} ms")
    booked = BookedTime(bookings)

    def from_index(request: JobRequest = request) -> list[Slot]:
        return find_slots(
            request, calendar, mechanics, bays, booked, not_before=NOW, count=5
        )

    median, slow = timed(from_index)
    print(
        f"search with the bookings indexed once: median {median:.2f} ms, "
        f"95th percentile {slow:.2f} ms"
    )
    for name, other in other_jobs().items():
        found = from_list(other)
        median, slow = timed(lambda other=other: from_list(other))
        print(f"{name}: median {median:.2f} ms, 95th percentile {slow:.2f} ms")
        if found:
            print(show(found[0]))


if __name__ == "__main__":
    main()
