"""Writing the audit trail: one entry per change that matters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from dealer_tui.core.auth import Actor
from dealer_tui.core.models import AuditEntry


def plain(value: Any) -> Any:
    """A value as JSON can hold it, keeping decimals and dates exact as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(record: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(record, name)) for name in fields}


def column_names(record: Any) -> list[str]:
    skip = {"version", "updated_at", "updated_by_id", "password_hash"}
    return [c.key for c in inspect(record).mapper.column_attrs if c.key not in skip]


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Add an audit entry in the caller's transaction."""
    entry = AuditEntry(
        user_id=actor.user_id if actor else None,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        note=note,
    )
    session.add(entry)
    return entry


def changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value differs, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
