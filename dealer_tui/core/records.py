"""Loading a record for change, and refusing a save over someone else's."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dealer_tui.core import clock
from dealer_tui.core.auth import Actor
from dealer_tui.core.errors import NotFound, StaleRecord
from dealer_tui.core.model import Versioned
from dealer_tui.core.models import Branch, User

R = TypeVar("R", bound=Versioned)


def actor_time_zone(session: Session, actor: Actor) -> str:
    """The time zone of the user's branch, for messages that name a time."""
    if actor.branch_id:
        branch = session.get(Branch, actor.branch_id)
        if branch:
            return branch.time_zone
    return "UTC"


def load(session: Session, model: type[R], record_id: int, what: str) -> R:
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"The {what} no longer exists.")
    return record


def load_for_change(
    session: Session,
    model: type[R],
    record_id: int,
    expected_version: int,
    what: str,
    time_zone: str = "UTC",
) -> R:
    """The record, if nobody has saved it since the user opened it."""
    record = load(session, model, record_id, what)
    if record.version != expected_version:
        raise StaleRecord(changed_by_message(session, record, what, time_zone))
    return record


def changed_by_message(session: Session, record: Any, what: str, time_zone: str) -> str:
    who = session.get(User, record.updated_by_id) if record.updated_by_id else None
    name = who.display_name if who else "another user"
    when = clock.show_instant(record.updated_at, time_zone)
    return (
        f"{name} changed this {what} at {when}, after you opened it. "
        "Your changes were not saved: reload to see theirs, then make yours again."
    )
