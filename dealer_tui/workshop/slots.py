"""Finding workshop slots: a mechanic and a bay for the labour of a job.

A job is the labour operations a service advisor wants done on one
vehicle. It is worked by one mechanic in one bay, operation after
operation, and it can start only when the branch is open, the mechanic is
at work, the parts are in and neither the mechanic nor the bay is booked.

Work runs through the mechanic's working periods in order: a job that
meets the lunch break carries on after it. A job stays within one working
day whenever that day has room for all of its work; only a job longer than
the day's working time carries over into the next working periods, and it
then keeps the same mechanic and bay. A booked span is never stepped over:
the work from start to end must be free of bookings.

Everything here works on whole minutes since the epoch (see
``calendar``); instants come in and go out as aware UTC datetimes.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from dealer_tui.workshop.calendar import (
    MINUTES_PER_DAY,
    BranchCalendar,
    Leave,
    Period,
    WeeklyHours,
    epoch_minute,
    instant_at,
    intersect_periods,
    merge_periods,
    subtract_periods,
    total_minutes,
)

ResourceId = int | str
"""The identifier of a mechanic or a bay, as the caller stores it."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Working periods are worked out a week at a time, as far as a search needs.
_CHUNK_DAYS = 7
_DAY = timedelta(days=1)
_UNLIMITED = Decimal("Infinity")
_HOURS = Decimal("0.01")
_PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class Mechanic:
    """A mechanic, the skills held and when the mechanic works.

    ``hours`` are wall-clock working hours in the branch's zone; work is
    only ever planned where they meet the branch's opening hours, and
    ``None`` means the mechanic works whenever the branch is open.
    """

    id: ResourceId
    name: str = ""
    skills: frozenset[str] = field(default_factory=frozenset)
    hours: WeeklyHours | None = None
    leave: tuple[Leave, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", frozenset(self.skills))
        object.__setattr__(self, "leave", tuple(self.leave))


@dataclass(frozen=True)
class Bay:
    """A workshop bay: its type, other work it can take and its length limit.

    ``also_serves`` lists further bay types the bay can stand in for, such
    as a long bay that also takes standard work.
    """

    id: ResourceId
    bay_type: str
    name: str = ""
    also_serves: frozenset[str] = field(default_factory=frozenset)
    max_length_m: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "also_serves", frozenset(self.also_serves))
        if isinstance(self.max_length_m, float):
            raise TypeError("give a bay's length limit as a Decimal, not a float")

    @property
    def serves(self) -> frozenset[str]:
        """Every bay type this bay can be used as."""
        return self.also_serves | {self.bay_type}

    def takes(self, request: JobRequest) -> bool:
        """Whether the job's bay types and vehicle length fit this bay."""
        if not request.bay_types <= self.serves:
            return False
        length = request.vehicle_length_m
        return (
            self.max_length_m is None or length is None or length <= self.max_length_m
        )


@dataclass(frozen=True)
class LabourOperation:
    """A labour operation with its standard time, skill and bay type.

    ``skill`` is what the mechanic must hold and ``bay_type`` what the bay
    must serve; either is ``None`` when the operation needs none (a road
    test needs no bay).
    """

    code: str
    description: str
    standard_minutes: int
    skill: str | None = None
    bay_type: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.standard_minutes, bool) or not isinstance(
            self.standard_minutes, int
        ):
            raise TypeError(f"{self.code}: standard time is a whole number of minutes")
        if self.standard_minutes <= 0:
            raise ValueError(f"{self.code}: standard time must be more than zero")

    @classmethod
    def from_hours(
        cls,
        code: str,
        description: str,
        hours: Decimal,
        skill: str | None = None,
        bay_type: str | None = None,
    ) -> LabourOperation:
        """An operation whose standard time is given in decimal hours.

        The time is rounded up to a whole minute, so 0.35 h becomes 21
        minutes and 0.01 h becomes 1 minute.
        """
        if not isinstance(hours, Decimal | int) or isinstance(hours, bool):
            raise TypeError(f"{code}: give standard hours as a Decimal")
        minutes = int((Decimal(hours) * 60).to_integral_value(rounding=ROUND_CEILING))
        return cls(code, description, minutes, skill, bay_type)


@dataclass(frozen=True)
class PartLine:
    """A part a service package uses, with its quantity."""

    part_number: str
    quantity: Decimal
    description: str = ""


@dataclass(frozen=True)
class ServicePackage:
    """A named bundle of labour operations and parts, such as a 'B service'."""

    code: str
    description: str
    operations: tuple[LabourOperation, ...]
    parts: tuple[PartLine, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations", tuple(self.operations))
        object.__setattr__(self, "parts", tuple(self.parts))

    @property
    def work_minutes(self) -> int:
        """The standard time of all the package's operations."""
        return sum(op.standard_minutes for op in self.operations)


@dataclass(frozen=True)
class Booking:
    """A span for which a mechanic, a bay or both are already taken."""

    start: datetime
    end: datetime
    mechanic_id: ResourceId | None = None
    bay_id: ResourceId | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a booking's start and end need a time zone")
        if self.end <= self.start:
            raise ValueError("a booking must end after it starts")


@dataclass(frozen=True)
class JobRequest:
    """What a slot must fit: the operations, the vehicle and the parts.

    ``parts_ready_at`` is the earliest instant the parts can be at the
    branch. ``vehicle_bay_types`` are bay types the vehicle itself needs
    whatever the work, such as ``hv_safe`` for an electric truck.
    """

    operations: tuple[LabourOperation, ...]
    parts_ready_at: datetime | None = None
    vehicle_length_m: Decimal | None = None
    vehicle_bay_types: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations", tuple(self.operations))
        object.__setattr__(self, "vehicle_bay_types", frozenset(self.vehicle_bay_types))
        if self.parts_ready_at is not None and self.parts_ready_at.tzinfo is None:
            raise ValueError("the parts' arrival needs a time zone")
        if isinstance(self.vehicle_length_m, float):
            raise TypeError("give the vehicle's length as a Decimal, not a float")

    @classmethod
    def for_package(
        cls,
        package: ServicePackage,
        *,
        parts_ready_at: datetime | None = None,
        vehicle_length_m: Decimal | None = None,
        vehicle_bay_types: frozenset[str] = frozenset(),
    ) -> JobRequest:
        """The request for a service package's operations."""
        return cls(
            package.operations, parts_ready_at, vehicle_length_m, vehicle_bay_types
        )

    @property
    def work_minutes(self) -> int:
        """The standard time of all operations, worked one after another."""
        return sum(op.standard_minutes for op in self.operations)

    @property
    def skills(self) -> frozenset[str]:
        """Every skill the one mechanic doing the job must hold."""
        return frozenset(op.skill for op in self.operations if op.skill)

    @property
    def bay_types(self) -> frozenset[str]:
        """Every bay type the one bay used for the job must serve."""
        needed = {op.bay_type for op in self.operations if op.bay_type}
        return frozenset(needed) | self.vehicle_bay_types

    @property
    def needs_bay(self) -> bool:
        """Whether any operation or the vehicle needs a bay."""
        return bool(self.bay_types)


@dataclass(frozen=True)
class Slot:
    """A proposed booking: who, where, and the spans the work takes.

    The spans are aware UTC instants in time order; there is more than one
    when the work meets a break or runs over several days.
    """

    mechanic_id: ResourceId
    bay_id: ResourceId | None
    intervals: tuple[tuple[datetime, datetime], ...]
    work_minutes: int

    @property
    def start(self) -> datetime:
        """When the work starts."""
        return self.intervals[0][0]

    @property
    def end(self) -> datetime:
        """When the work is finished."""
        return self.intervals[-1][1]

    def bookings(self) -> list[Booking]:
        """The bookings that taking this slot creates, one per span."""
        return [
            Booking(start, end, self.mechanic_id, self.bay_id)
            for start, end in self.intervals
        ]


def unmet_requirements(
    request: JobRequest,
    calendar: BranchCalendar,
    mechanics: Sequence[Mechanic],
    bays: Sequence[Bay],
) -> list[str]:
    """Sentences saying why no slot can exist, whatever the bookings; empty if none.

    Lets a screen explain an empty list of slots instead of just showing it.
    """
    problems: list[str] = []
    if not request.operations:
        problems.append("the job has no labour operations")
    skilled = [m for m in mechanics if request.skills <= m.skills]
    if not mechanics:
        problems.append("the branch has no mechanics")
    elif not skilled:
        wanted = ", ".join(sorted(request.skills))
        problems.append(f"no mechanic holds all of: {wanted}")
    elif not any(_weekly_minutes(calendar, m) for m in skilled):
        problems.append("no mechanic with those skills works in opening hours")
    if request.needs_bay and not any(bay.takes(request) for bay in bays):
        needed = ", ".join(sorted(request.bay_types))
        length = request.vehicle_length_m
        size = f" for a vehicle of {length} m" if length is not None else ""
        problems.append(f"no bay serves {needed}{size}")
    return problems


def _weekly_minutes(calendar: BranchCalendar, mechanic: Mechanic) -> int:
    if mechanic.hours is None:
        return calendar.opening_hours.minutes_per_week
    return calendar.opening_hours.intersect(mechanic.hours).minutes_per_week


class _Chain:
    """The working periods of a mechanic, as parallel lists, built as needed.

    ``cum[i]`` is the working time before period ``i`` and ``cum_end[i]``
    the working time up to its end, so that a job's end is one bisect away.
    """

    def __init__(
        self,
        calendar: BranchCalendar,
        hours: WeeklyHours,
        leave: list[Period],
        first_day: date,
        last_day: date,
    ) -> None:
        self.calendar = calendar
        self.hours = hours
        self.leave = leave
        self.next_day = first_day
        self.last_day = last_day
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.offsets: list[int] = []
        self.cum: list[int] = []
        self.cum_end: list[int] = []
        self.day_of: list[int] = []
        self.capacity: list[int] = []

    def extend(self) -> bool:
        """Work out the next week of periods; False once past the horizon."""
        if self.next_day > self.last_day:
            return False
        stop = min(self.next_day + timedelta(days=_CHUNK_DAYS), self.last_day + _DAY)
        calendar = self.calendar
        worked = self.cum_end[-1] if self.cum_end else 0
        while self.next_day < stop:
            day = self.next_day
            number = len(self.capacity)
            periods = []
            wall = self.hours.periods(day.weekday())
            if wall and not calendar.is_closed(day):
                periods = calendar.wall_periods(day, wall)
                if self.leave:
                    periods = _without_leave(periods, self.leave)
            for start, end, offset in periods:
                self.starts.append(start)
                self.ends.append(end)
                self.offsets.append(offset)
                self.day_of.append(number)
                self.cum.append(worked)
                worked += end - start
                self.cum_end.append(worked)
            self.capacity.append(sum(end - start for start, end, _ in periods))
            self.next_day = day + _DAY
        return True

    def ensure(self, index: int) -> bool:
        """Build periods until ``index`` exists; False if the horizon ends first."""
        while index >= len(self.starts):
            if not self.extend():
                return False
        return True

    def works_within(self, low: int, high: int) -> bool:
        """Whether any working minute lies in ``[low, high)``."""
        index = bisect_right(self.ends, low)
        return index < len(self.starts) and self.starts[index] < high


def _without_leave(
    periods: list[tuple[int, int, int]], leave: list[Period]
) -> list[tuple[int, int, int]]:
    kept = []
    for start, end, offset in periods:
        kept.extend(
            (low, high, offset) for low, high in subtract_periods([(start, end)], leave)
        )
    return kept


class _Busy:
    """A resource's booked spans, joined and sorted, as two parallel lists."""

    __slots__ = ("ends", "starts")

    def __init__(self, periods: list[Period]) -> None:
        periods.sort()
        starts: list[int] = []
        ends: list[int] = []
        for start, end in periods:
            if ends and start <= ends[-1]:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        self.starts = starts
        self.ends = ends

    def first_clash(self, chain: _Chain, start: int, end: int) -> int | None:
        """The end of the first booking that takes working time in ``[start, end)``."""
        starts = self.starts
        index = bisect_right(self.ends, start)
        while index < len(starts) and starts[index] < end:
            low = max(starts[index], start)
            high = min(self.ends[index], end)
            if chain.works_within(low, high):
                return self.ends[index]
            index += 1
        return None

    def next_after(self, minute: int) -> tuple[int, int] | None:
        """The first booking that ends after ``minute``."""
        index = bisect_right(self.ends, minute)
        if index == len(self.starts):
            return None
        return self.starts[index], self.ends[index]


_NO_BOOKINGS = _Busy([])


class BookedTime:
    """Existing bookings indexed by mechanic and by bay, ready to search.

    Build it once from a branch's bookings and hand it to as many searches
    as the service advisor makes while shaping a job; ``find_slots`` also
    takes the bookings themselves and builds one on the spot.
    """

    def __init__(self, bookings: Iterable[Booking]) -> None:
        by_mechanic: dict[ResourceId, list[Period]] = defaultdict(list)
        by_bay: dict[ResourceId, list[Period]] = defaultdict(list)
        epoch = _EPOCH
        for booking in bookings:
            # Whole days and seconds of a timedelta are plain integers, and
            # reading them is several times quicker than dividing timedeltas.
            since_start = booking.start - epoch
            since_end = booking.end - epoch
            end_seconds = since_end.seconds + (since_end.microseconds > 0)
            # Seconds widen a booking to whole minutes rather than shrink it.
            span = (
                since_start.days * MINUTES_PER_DAY + since_start.seconds // 60,
                since_end.days * MINUTES_PER_DAY - (-end_seconds // 60),
            )
            if booking.mechanic_id is not None:
                by_mechanic[booking.mechanic_id].append(span)
            if booking.bay_id is not None:
                by_bay[booking.bay_id].append(span)
        self._by_mechanic = by_mechanic
        self._by_bay = by_bay
        self._indexed: dict[tuple[bool, ResourceId], _Busy] = {}

    def _busy(self, is_bay: bool, resource: ResourceId) -> _Busy:
        key = (is_bay, resource)
        busy = self._indexed.get(key)
        if busy is None:
            spans = (self._by_bay if is_bay else self._by_mechanic).get(resource, [])
            busy = _Busy(list(spans))
            self._indexed[key] = busy
        return busy

    def mechanic_spans(self, mechanic_id: ResourceId) -> list[Period]:
        """A mechanic's booked spans in minutes, sorted, overlaps joined."""
        busy = self._busy(False, mechanic_id)
        return list(zip(busy.starts, busy.ends, strict=True))

    def bay_spans(self, bay_id: ResourceId) -> list[Period]:
        """A bay's booked spans in minutes, sorted, overlaps joined."""
        busy = self._busy(True, bay_id)
        return list(zip(busy.starts, busy.ends, strict=True))


# A feasible start: start minute, first and last period index, end minute.
_Fit = tuple[int, int, int, int]


class _MechanicSearch:
    """Earliest starts for one mechanic alone, remembered between bays.

    Every bay of the mechanic asks the same questions, so each answer is
    kept together with the span of starting points that lead to it.
    """

    def __init__(self, chain: _Chain, busy: _Busy, work: int, granularity: int) -> None:
        self.chain = chain
        self.busy = busy
        self.work = work
        self.granularity = granularity
        self.known_from: list[int] = []
        self.known: list[tuple[int, _Fit | None]] = []

    def next_fit(self, minute: int) -> _Fit | None:
        """The earliest start at or after ``minute`` that the mechanic can take."""
        index = bisect_right(self.known_from, minute) - 1
        if index >= 0:
            reach, fit = self.known[index]
            if minute <= reach:
                return fit
        fit = self._search(minute)
        reach = fit[0] if fit is not None else math.inf
        position = bisect_left(self.known_from, minute)
        self.known_from.insert(position, minute)
        self.known.insert(position, (reach, fit))
        return fit

    def _search(self, minute: int) -> _Fit | None:
        chain = self.chain
        starts, ends, cum, cum_end = chain.starts, chain.ends, chain.cum, chain.cum_end
        work, granularity = self.work, self.granularity
        while True:
            first = bisect_right(ends, minute)
            while first == len(ends):
                if not chain.extend():
                    return None
                first = bisect_right(ends, minute)
            period_start = starts[first]
            if minute < period_start:
                minute = period_start
            # Starts keep to the branch's wall-clock grid (07:00, 07:15, ...).
            minute += -(minute + chain.offsets[first]) % granularity
            if minute >= ends[first]:
                minute = ends[first]
                continue
            target = cum[first] + minute - period_start + work
            last = bisect_left(cum_end, target, first)
            while last == len(cum_end):
                if not chain.extend():
                    return None
                last = bisect_left(cum_end, target, first)
            day = chain.day_of[first]
            if chain.day_of[last] != day and work <= chain.capacity[day]:
                next_day = bisect_right(chain.day_of, day, first)
                if not chain.ensure(next_day):
                    return None
                minute = starts[next_day]
                continue
            end = starts[last] + target - cum[last]
            clash = self.busy.first_clash(chain, minute, end)
            if clash is not None:
                minute = clash
                continue
            return minute, first, last, end


@dataclass
class _Pair:
    mechanic_rank: int
    bay_rank: int
    search: _MechanicSearch
    bay_busy: _Busy


def _pair_fit(pair: _Pair, minute: int, limit: float) -> tuple[int, _Fit | None] | None:
    """The pair's earliest start from ``minute``, or a bound once past ``limit``.

    Returns None when nothing fits before the horizon; otherwise the start
    (or lower bound) and the fit, which is None for a bound.
    """
    search = pair.search
    while True:
        fit = search.next_fit(minute)
        if fit is None:
            return None
        clash = pair.bay_busy.first_clash(search.chain, fit[0], fit[3])
        if clash is None:
            return fit[0], fit
        minute = clash
        if minute > limit:
            return minute, None


def _next_window(pair: _Pair, fit: _Fit) -> int | None:
    """Where the next distinct option of a pair may start, after ``fit``.

    That is after the next booking of the mechanic or bay that falls in the
    same working period, or else at the next working period.
    """
    chain = pair.search.chain
    start, first = fit[0], fit[1]
    period_end = chain.ends[first]
    candidates = []
    for busy in (pair.search.busy, pair.bay_busy):
        booking = busy.next_after(start)
        if booking is not None and booking[0] < period_end:
            candidates.append(booking[1])
    if candidates:
        return min(candidates)
    if chain.ensure(first + 1):
        return chain.starts[first + 1]
    return None


def _slot(
    pair: _Pair, fit: _Fit, mechanic_id: ResourceId, bay: Bay | None, work: int
) -> Slot:
    chain = pair.search.chain
    start, first, last, end = fit
    spans: list[list[int]] = []
    for index in range(first, last + 1):
        low = start if index == first else chain.starts[index]
        high = end if index == last else chain.ends[index]
        # Pieces cut only where the clocks change are one span of work.
        if spans and spans[-1][1] == low:
            spans[-1][1] = high
        else:
            spans.append([low, high])
    intervals = tuple((instant_at(low), instant_at(high)) for low, high in spans)
    return Slot(mechanic_id, bay.id if bay else None, intervals, work)


def _bay_preference(bay: Bay, request: JobRequest) -> tuple[int, Decimal]:
    # Keep versatile and long bays free for the jobs that need them.
    spare_types = len(bay.serves - request.bay_types)
    length = bay.max_length_m if bay.max_length_m is not None else _UNLIMITED
    return spare_types, Decimal(length)


def find_slots(
    request: JobRequest,
    calendar: BranchCalendar,
    mechanics: Sequence[Mechanic],
    bays: Sequence[Bay],
    bookings: BookedTime | Iterable[Booking],
    *,
    not_before: datetime,
    count: int = 5,
    granularity: int = 15,
    horizon_days: int = 60,
) -> list[Slot]:
    """The ``count`` earliest distinct slots for a job, earliest first.

    A slot has a mechanic holding every skill the operations need and a bay
    serving every bay type they and the vehicle need, starts on the
    branch's wall-clock grid of ``granularity`` minutes, not before
    ``not_before`` nor the parts' arrival, and keeps clear of closed days,
    the mechanic's hours and leave, and every booking of the mechanic or
    the bay. Slots at the same start differ in mechanic: each mechanic is
    offered with the best-fitting free bay (fewest spare bay types, then the
    shortest), ties going to the mechanic listed first. The next options of
    one mechanic and bay start after a booking or a break, not one grid step
    later. The search looks ``horizon_days`` ahead and may return fewer
    slots, or none (see ``unmet_requirements`` for why).
    """
    if count < 1:
        raise ValueError("ask for at least one slot")
    if not 1 <= granularity <= MINUTES_PER_DAY or MINUTES_PER_DAY % granularity:
        raise ValueError("the granularity must divide a day, e.g. 5, 15 or 30 minutes")
    if horizon_days < 1:
        raise ValueError("the horizon must be at least one day")
    work = request.work_minutes
    if work <= 0:
        raise ValueError("the job has no labour operations")

    earliest = not_before
    if request.parts_ready_at is not None and request.parts_ready_at > earliest:
        earliest = request.parts_ready_at
    start_minute = epoch_minute(earliest, round_up=True)
    first_day = calendar.local_date(instant_at(start_minute))
    last_day = first_day + timedelta(days=horizon_days)

    skills = request.skills
    crew = [m for m in mechanics if skills <= m.skills]
    if request.needs_bay:
        suitable = [bay for bay in bays if bay.takes(request)]
        # sorted() is stable, so equally good bays keep the caller's order.
        bay_list: list[Bay | None] = sorted(
            suitable, key=lambda bay: _bay_preference(bay, request)
        )
    else:
        bay_list = [None]
    if not crew or not bay_list:
        return []

    booked = bookings if isinstance(bookings, BookedTime) else BookedTime(bookings)
    searches = _mechanic_searches(
        calendar, crew, booked, work, granularity, first_day, last_day
    )
    bay_busy = [
        booked._busy(True, bay.id) if bay is not None else _NO_BOOKINGS
        for bay in bay_list
    ]
    pairs = [
        _Pair(m_rank, b_rank, searches[m_rank], bay_busy[b_rank])
        for m_rank in range(len(crew))
        for b_rank in range(len(bay_list))
    ]
    return [
        _slot(pair, fit, crew[pair.mechanic_rank].id, bay_list[pair.bay_rank], work)
        for pair, fit in _earliest_fits(pairs, start_minute, count)
    ]


def _earliest_fits(
    pairs: list[_Pair], start_minute: int, count: int
) -> list[tuple[_Pair, _Fit]]:
    """The earliest fits over all pairs, at most one per mechanic and start.

    Pairs wait in a heap keyed by a lower bound of their next start; only
    the pair at the top is worked on, and only until it passes the next
    pair in line, so pairs that cannot compete are never searched far.
    """
    heap: list[tuple[int, int, int, _Fit | None]] = [
        (start_minute, pair.mechanic_rank, pair.bay_rank, None) for pair in pairs
    ]
    heapq.heapify(heap)
    by_ranks = {(pair.mechanic_rank, pair.bay_rank): pair for pair in pairs}
    offered: set[tuple[int, int]] = set()
    fits: list[tuple[_Pair, _Fit]] = []
    while heap and len(fits) < count:
        minute, m_rank, b_rank, fit = heap[0]
        pair = by_ranks[m_rank, b_rank]
        if fit is None:
            limit = min((entry[0] for entry in heap[1:3]), default=math.inf)
            found = _pair_fit(pair, minute, limit)
            if found is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (found[0], m_rank, b_rank, found[1]))
            continue
        if (m_rank, minute) not in offered:
            offered.add((m_rank, minute))
            fits.append((pair, fit))
        following = _next_window(pair, fit)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (following, m_rank, b_rank, None))
    return fits


def _mechanic_searches(
    calendar: BranchCalendar,
    crew: Sequence[Mechanic],
    booked: BookedTime,
    work: int,
    granularity: int,
    first_day: date,
    last_day: date,
) -> list[_MechanicSearch]:
    # Mechanics on the same hours without leave share their working periods.
    chains: dict[tuple[WeeklyHours, tuple[Period, ...]], _Chain] = {}
    searches = []
    for mechanic in crew:
        hours = calendar.opening_hours
        if mechanic.hours is not None:
            hours = hours.intersect(mechanic.hours)
        leave = merge_periods(calendar.leave_period(item) for item in mechanic.leave)
        key = (hours, tuple(leave))
        chain = chains.get(key)
        if chain is None:
            chain = _Chain(calendar, hours, leave, first_day, last_day)
            chains[key] = chain
        busy = booked._busy(False, mechanic.id)
        searches.append(_MechanicSearch(chain, busy, work, granularity))
    return searches


@dataclass(frozen=True)
class Utilisation:
    """Booked against available time of one mechanic, or all, on one day.

    ``booked_minutes`` count booked work inside the available time;
    ``outside_minutes`` count booked work outside it (overtime).
    ``mechanic_id`` is None in a total over all mechanics.
    """

    mechanic_id: ResourceId | None
    day: date
    available_minutes: int
    booked_minutes: int
    outside_minutes: int = 0

    @property
    def available_hours(self) -> Decimal:
        """Available time in hours, rounded half up to hundredths."""
        return _hours(self.available_minutes)

    @property
    def booked_hours(self) -> Decimal:
        """Booked time inside the available time, rounded half up to hundredths."""
        return _hours(self.booked_minutes)

    @property
    def percent(self) -> Decimal | None:
        """Booked as a share of available time, in percent to one decimal.

        Rounded half up; None on a day with no available time.
        """
        if self.available_minutes == 0:
            return None
        share = Decimal(self.booked_minutes * 100) / Decimal(self.available_minutes)
        return share.quantize(_PERCENT, rounding=ROUND_HALF_UP)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(_HOURS, rounding=ROUND_HALF_UP)


def utilisation(
    calendar: BranchCalendar,
    mechanics: Sequence[Mechanic],
    bookings: BookedTime | Iterable[Booking],
    first_day: date,
    last_day: date,
) -> list[Utilisation]:
    """Each mechanic's booked and available minutes per local day.

    Rows come mechanic by mechanic in the order given, each from
    ``first_day`` to ``last_day`` included. Available time is the branch's
    open time within the mechanic's hours, less leave; bookings that
    overlap each other count once.
    """
    if last_day < first_day:
        raise ValueError("the last day comes before the first")
    booked = bookings if isinstance(bookings, BookedTime) else BookedTime(bookings)
    days = [
        first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)
    ]
    rows = []
    for mechanic in mechanics:
        mechanic_booked = booked.mechanic_spans(mechanic.id)
        leave = merge_periods(calendar.leave_period(item) for item in mechanic.leave)
        for day in days:
            periods = calendar.day_periods(day, mechanic.hours)
            available = subtract_periods([(s, e) for s, e, _ in periods], leave)
            in_day = intersect_periods(mechanic_booked, [calendar.day_bounds(day)])
            inside = total_minutes(intersect_periods(in_day, available))
            rows.append(
                Utilisation(
                    mechanic.id,
                    day,
                    total_minutes(available),
                    inside,
                    total_minutes(in_day) - inside,
                )
            )
    return rows


def daily_totals(rows: Iterable[Utilisation]) -> list[Utilisation]:
    """The rows summed over all mechanics, one per day in date order."""
    totals: dict[date, list[int]] = {}
    for row in rows:
        sums = totals.setdefault(row.day, [0, 0, 0])
        sums[0] += row.available_minutes
        sums[1] += row.booked_minutes
        sums[2] += row.outside_minutes
    return [Utilisation(None, day, *sums) for day, sums in sorted(totals.items())]
