"""The branch's workshop calendar: opening hours, closed days and time zone.

Opening hours, a mechanic's working hours and leave days are wall-clock
times in the branch's own zone; bookings are instants. This module turns
the former into the latter, day by day, so that the slot finder can work
on plain integers: whole minutes since the Unix epoch, in UTC. A period is
a half-open pair ``(start, end)`` of such minutes; lists of periods are
kept sorted and disjoint.

Daylight-saving days are converted exactly: an instant belongs to an
opening period when the branch's wall clock reads a time inside it, so the
hour that does not exist on the spring-forward day is simply not there and
the repeated hour on the fall-back day counts twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

MINUTES_PER_DAY = 1440
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Period = tuple[int, int]
"""Half-open span ``(start, end)`` in whole minutes since the Unix epoch, UTC."""

OffsetPeriod = tuple[int, int, int]
"""A period together with the branch's UTC offset in minutes during it."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MINUTE = timedelta(minutes=1)
# Wider than any UTC offset in use (-12:00 to +14:00), so that a window of
# this size on each side of a local day holds every instant of that day.
_OFFSET_REACH = 15 * 60
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def epoch_minute(instant: datetime, *, round_up: bool = False) -> int:
    """Whole minutes from the Unix epoch to an aware instant.

    Seconds are dropped, or rounded up to the next minute with ``round_up``
    (used for the end of a busy span and the start of a search, so that a
    partial minute is never handed out twice).
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone")
    if round_up:
        return -((_EPOCH - instant) // _MINUTE)
    return (instant - _EPOCH) // _MINUTE


def instant_at(minute: int) -> datetime:
    """The aware UTC instant that is ``minute`` whole minutes after the epoch."""
    return _EPOCH + timedelta(minutes=minute)


def merge_periods(periods: Iterable[Period]) -> list[Period]:
    """Sort periods and join those that overlap or touch; empty ones vanish."""
    merged: list[Period] = []
    for start, end in sorted(periods):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect_periods(
    first: Sequence[Period], second: Sequence[Period]
) -> list[Period]:
    """The minutes present in both sorted, disjoint period lists."""
    result: list[Period] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            result.append((start, end))
        if first[i][1] <= second[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract_periods(
    periods: Sequence[Period], removed: Sequence[Period]
) -> list[Period]:
    """The minutes of a sorted, disjoint list that the other list does not cover."""
    result: list[Period] = []
    j = 0
    for start, end in periods:
        while j < len(removed) and removed[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < len(removed) and removed[k][0] < end:
            if removed[k][0] > cursor:
                result.append((cursor, removed[k][0]))
            cursor = max(cursor, removed[k][1])
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def total_minutes(periods: Iterable[Period]) -> int:
    """The number of minutes the periods cover (they must not overlap)."""
    return sum(end - start for start, end in periods)


def _clock_minute(text: str, where: str) -> int:
    match = _CLOCK.match(text.strip())
    if match is None:
        raise ValueError(f"{where}: '{text.strip()}' is not a time like 07:30")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours * 60 + minutes > MINUTES_PER_DAY:
        raise ValueError(f"{where}: '{text.strip()}' is not a time of day")
    return hours * 60 + minutes


def _day_numbers(key: str | int) -> list[int]:
    if isinstance(key, int):
        if not 0 <= key <= 6:
            raise ValueError(f"weekday {key} is not between 0 (Monday) and 6")
        return [key]
    numbers: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        try:
            low = WEEKDAY_NAMES.index(first[:3])
            high = WEEKDAY_NAMES.index(last[:3]) if last else low
        except ValueError:
            raise ValueError(f"'{key}' does not name weekdays like mon-fri") from None
        if high < low:
            raise ValueError(f"'{key}': a range of weekdays runs forward, mon-fri")
        numbers.extend(range(low, high + 1))
    return numbers


def _parse_periods(key: str, text: str) -> tuple[tuple[int, int], ...]:
    if text.strip().lower() in ("", "closed"):
        return ()
    periods = []
    for chunk in text.split(","):
        start_text, dash, end_text = chunk.partition("-")
        if not dash:
            raise ValueError(f"{key}: '{chunk.strip()}' is not like 07:00-17:00")
        start = _clock_minute(start_text, key)
        end = _clock_minute(end_text, key)
        if end <= start:
            raise ValueError(f"{key}: '{chunk.strip()}' ends before it starts")
        periods.append((start, end))
    return tuple(periods)


@dataclass(frozen=True)
class WeeklyHours:
    """Wall-clock hours for each weekday, Monday first.

    Each day holds periods of minutes after local midnight, ``(420, 1020)``
    for 07:00 to 17:00; 1440 stands for 24:00. A day with no period is a
    day off. Periods are sorted and overlapping ones joined on creation.
    """

    days: tuple[tuple[tuple[int, int], ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("weekly hours need one entry per weekday, Monday first")
        normalised = []
        for number, periods in enumerate(self.days):
            for start, end in periods:
                if not 0 <= start < end <= MINUTES_PER_DAY:
                    raise ValueError(
                        f"{WEEKDAY_NAMES[number]}: {start}-{end} is not a period "
                        "of minutes between 0 and 1440 that ends after it starts"
                    )
            normalised.append(tuple(merge_periods(periods)))
        object.__setattr__(self, "days", tuple(normalised))

    @classmethod
    def parse(cls, spec: Mapping[str | int, str]) -> WeeklyHours:
        """Read hours written as ``{"mon-fri": "07:00-12:00, 12:30-17:00"}``.

        Keys name weekdays (``mon``, ``sat,sun``, ``mon-fri`` or 0 to 6);
        values list periods separated by commas, or say ``closed``. A day
        that no key names is a day off; naming a day twice is an error.
        """
        days: list[tuple[tuple[int, int], ...] | None] = [None] * 7
        for key, text in spec.items():
            periods = _parse_periods(str(key), text)
            for number in _day_numbers(key):
                if days[number] is not None:
                    raise ValueError(f"{WEEKDAY_NAMES[number]} is given twice")
                days[number] = periods
        return cls(tuple(tuple(periods or ()) for periods in days))

    @classmethod
    def uniform(cls, weekdays: Iterable[int], start: time, end: time) -> WeeklyHours:
        """The same single period on each of the given weekdays (0 is Monday)."""
        period = (start.hour * 60 + start.minute, end.hour * 60 + end.minute)
        chosen = set(weekdays)
        return cls(tuple((period,) if n in chosen else () for n in range(7)))

    def periods(self, weekday: int) -> tuple[tuple[int, int], ...]:
        """The periods of one weekday, in minutes after local midnight."""
        return self.days[weekday]

    def intersect(self, other: WeeklyHours) -> WeeklyHours:
        """The hours that both sets of weekly hours share."""
        return WeeklyHours(
            tuple(
                tuple(intersect_periods(mine, theirs))
                for mine, theirs in zip(self.days, other.days, strict=True)
            )
        )

    @property
    def minutes_per_week(self) -> int:
        """How many wall-clock minutes a normal week holds."""
        return sum(total_minutes(periods) for periods in self.days)


@dataclass(frozen=True)
class Leave:
    """Time a mechanic is away.

    Either whole local days, given as two dates and counting both (Monday 3
    to Friday 7 is five days), or a span between two aware instants, end
    excluded, for a half day or an appointment.
    """

    start: date | datetime
    end: date | datetime
    reason: str = ""

    def __post_init__(self) -> None:
        instants = [isinstance(end, datetime) for end in (self.start, self.end)]
        if instants[0] != instants[1]:
            raise ValueError("leave runs from date to date or from instant to instant")
        if instants[0] and (self.start.tzinfo is None or self.end.tzinfo is None):
            raise ValueError("leave instants need a time zone")
        if self.end < self.start:
            raise ValueError("leave ends before it starts")

    @property
    def whole_days(self) -> bool:
        """Whether the leave is given in whole local days."""
        return not isinstance(self.start, datetime)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not a known time zone") from None


def _offset_at(zone: ZoneInfo, minute: int) -> int:
    offset = instant_at(minute).astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - ZoneInfo always gives one
        raise ValueError("the time zone gives no UTC offset")
    return offset // _MINUTE


@lru_cache(maxsize=8192)
def _day_clock(zone_name: str, day: date) -> tuple[int, tuple[tuple[int, int], ...]]:
    """Local midnight of a day in local epoch minutes, and the UTC offsets.

    The offsets come as ``(from_minute, offset)`` pieces covering every
    instant that could show this date on the wall clock; there is one piece
    on an ordinary day and two on a day the clocks change.
    """
    zone = _zone(zone_name)
    local_midnight = (day.toordinal() - _EPOCH_ORDINAL) * MINUTES_PER_DAY
    low = local_midnight - _OFFSET_REACH
    high = local_midnight + MINUTES_PER_DAY + _OFFSET_REACH
    low_offset = _offset_at(zone, low)
    high_offset = _offset_at(zone, high)
    if low_offset == high_offset:
        return local_midnight, ((low, low_offset),)
    # No zone in use changes its clocks twice within two and a half days,
    # so there is one change in the window: find its first minute.
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(zone, middle) == low_offset:
            low = middle
        else:
            high = middle
    pieces = ((local_midnight - _OFFSET_REACH, low_offset), (high, high_offset))
    return local_midnight, pieces


@lru_cache(maxsize=512)
def _public_holidays(
    country: str, subdivision: str | None, year: int
) -> dict[date, str]:
    return dict(holidays.country_holidays(country, subdiv=subdivision, years=year))


@dataclass(frozen=True)
class BranchCalendar:
    """When a branch's workshop is open.

    ``opening_hours`` are wall-clock hours in ``time_zone`` (an IANA name
    such as ``Australia/Melbourne``). The workshop is closed on the public
    holidays of ``country`` and ``subdivision`` (ISO codes as the
    ``holidays`` package knows them, e.g. ``AU`` and ``VIC``) and on the
    dealer's own ``closed_days``; ``open_days`` are public holidays on which
    the dealer opens all the same, with the usual hours of that weekday.
    """

    time_zone: str
    opening_hours: WeeklyHours
    country: str | None = None
    subdivision: str | None = None
    closed_days: frozenset[date] = field(default_factory=frozenset)
    open_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        _zone(self.time_zone)
        object.__setattr__(self, "closed_days", frozenset(self.closed_days))
        object.__setattr__(self, "open_days", frozenset(self.open_days))
        both = self.closed_days & self.open_days
        if both:
            first = min(both).isoformat()
            raise ValueError(f"{first} is listed both as a closed and as an open day")
        if self.subdivision is not None and self.country is None:
            raise ValueError("a subdivision needs its country")
        if self.country is not None:
            try:
                holidays.country_holidays(
                    self.country, subdiv=self.subdivision, years=()
                )
            except NotImplementedError:
                where = " ".join(filter(None, (self.country, self.subdivision)))
                raise ValueError(f"no public holidays are known for {where}") from None

    @property
    def zone(self) -> ZoneInfo:
        """The branch's time zone."""
        return _zone(self.time_zone)

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on a day, if there is one."""
        if self.country is None:
            return None
        return _public_holidays(self.country, self.subdivision, day.year).get(day)

    def closure(self, day: date) -> str | None:
        """Why the workshop is closed all day, or None if it keeps its hours."""
        if day in self.closed_days:
            return "closed by the dealer"
        if day in self.open_days:
            return None
        name = self.holiday(day)
        return f"public holiday: {name}" if name else None

    def is_closed(self, day: date) -> bool:
        """Whether the whole day is closed (a holiday or a dealer's closed day)."""
        return self.closure(day) is not None

    def local_date(self, instant: datetime) -> date:
        """The date the branch's wall clock shows at an instant."""
        return instant.astimezone(self.zone).date()

    def wall_periods(
        self, day: date, periods: Iterable[tuple[int, int]]
    ) -> list[OffsetPeriod]:
        """Wall-clock periods of one local day as UTC minutes, with their offset.

        A period is cut where the clocks change, so that each piece carries
        the one UTC offset in force during it.
        """
        local_midnight, pieces = _day_clock(self.time_zone, day)
        result: list[OffsetPeriod] = []
        for start, end in periods:
            local_start = local_midnight + start
            local_end = local_midnight + end
            for index, (piece_start, offset) in enumerate(pieces):
                low = local_start - offset
                high = local_end - offset
                if index + 1 < len(pieces):
                    high = min(high, pieces[index + 1][0])
                low = max(low, piece_start)
                if low < high:
                    result.append((low, high, offset))
        result.sort()
        return result

    def day_periods(
        self, day: date, hours: WeeklyHours | None = None
    ) -> list[OffsetPeriod]:
        """The open periods of one local day, limited to ``hours`` if given.

        A closed day has none.
        """
        if self.is_closed(day):
            return []
        periods = self.opening_hours.periods(day.weekday())
        if hours is not None:
            periods = tuple(intersect_periods(periods, hours.periods(day.weekday())))
        return self.wall_periods(day, periods)

    def day_bounds(self, day: date) -> Period:
        """The instants, as minutes, whose local date is this day."""
        pieces = self.wall_periods(day, ((0, MINUTES_PER_DAY),))
        return pieces[0][0], pieces[-1][1]

    def leave_period(self, leave: Leave) -> Period:
        """The minutes a leave covers."""
        if isinstance(leave.start, datetime) and isinstance(leave.end, datetime):
            return epoch_minute(leave.start), epoch_minute(leave.end, round_up=True)
        return self.day_bounds(leave.start)[0], self.day_bounds(leave.end)[1]

    def open_periods(
        self, first_day: date, last_day: date
    ) -> list[tuple[datetime, datetime]]:
        """When the workshop is open from one local date to another, both included.

        Returns aware UTC instants; periods that meet are joined.
        """
        minutes: list[Period] = []
        day = first_day
        while day <= last_day:
            minutes.extend((start, end) for start, end, _ in self.day_periods(day))
            day += timedelta(days=1)
        return [
            (instant_at(start), instant_at(end))
            for start, end in merge_periods(minutes)
        ]

    def instant(self, day: date, clock: time) -> datetime:
        """The UTC instant the wall clock first shows ``clock`` on ``day``.

        A time skipped by the spring-forward change is taken as the moment
        the clocks jump.
        """
        minute = clock.hour * 60 + clock.minute
        pieces = self.wall_periods(day, ((minute, MINUTES_PER_DAY),))
        if not pieces:
            raise ValueError(f"{day.isoformat()} has no wall-clock time after {clock}")
        return instant_at(pieces[0][0])
