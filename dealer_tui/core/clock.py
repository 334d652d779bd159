"""Instants in UTC, shown in the branch's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


def local(instant: datetime, time_zone: str) -> datetime:
    """The instant as the branch's wall clock shows it."""
    if instant.tzinfo is None:
        raise ValueError("instants must be aware datetimes")
    return instant.astimezone(ZoneInfo(time_zone))


def local_today(time_zone: str, at: datetime | None = None) -> date:
    return local(at or now(), time_zone).date()


def show_instant(instant: datetime | None, time_zone: str) -> str:
    if instant is None:
        return ""
    return local(instant, time_zone).strftime("%d/%m/%Y %H:%M %Z")
