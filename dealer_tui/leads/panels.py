"""The leads' part of the home screen and of the global search."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.models import User
from dealer_tui.core.text import like_escape, search_key
from dealer_tui.leads.models import Lead, LeadActivity
from dealer_tui.leads.pipeline import ActivityKind
from dealer_tui.leads.qualification import LeadStatus

if TYPE_CHECKING:
    from dealer_tui.search.services import Hit
    from dealer_tui.today import Panel

PANEL_ROWS = 12
SUBSTRING_MIN = 3
_OPEN = [s.value for s in LeadStatus if s.is_open]


def overdue_follow_ups(session: Session, actor: Actor, today: date) -> Panel:
    """Planned activities of open leads whose day has passed, oldest first.

    A sales representative sees the follow-ups of their own leads; anyone
    who may assign leads sees everyone's, with the owner named.
    """
    # The home screen's module lists this panel, so it is imported here.
    from dealer_tui.today import Panel, PanelRow

    everyone = actor.can(Permission.ASSIGN_LEADS)
    where = [
        LeadActivity.done.is_(False),
        LeadActivity.due_on < today,
        Lead.status.in_(_OPEN),
    ]
    if not everyone:
        where.append(Lead.owner_id == actor.user_id)
    base = select(LeadActivity.id).join(Lead, Lead.id == LeadActivity.lead_id)
    total = (
        session.scalar(select(func.count()).select_from(base.where(*where).subquery()))
        or 0
    )
    rows = session.execute(
        select(
            Lead.id,
            Lead.number,
            Lead.company,
            LeadActivity.kind,
            LeadActivity.due_on,
            User.username,
        )
        .join(Lead, Lead.id == LeadActivity.lead_id)
        .outerjoin(User, User.id == Lead.owner_id)
        .where(*where)
        .order_by(LeadActivity.due_on, LeadActivity.id)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="overdue_follow_ups",
        title="Overdue follow-ups",
        rows=[
            PanelRow(
                "lead",
                r.id,
                f"{r.due_on:%d/%m/%y} {ActivityKind(r.kind).label:<7} "
                f"{r.number} {r.company}"
                + (f" · {r.username or 'nobody'}" if everyone else ""),
                "OVERDUE",
            )
            for r in rows
        ],
        total=total,
        empty="No follow-up is overdue.",
    )


def lead_hits(session: Session, text: str, limit: int) -> list[Hit]:
    """Leads whose number or company name starts with (or holds) the text."""
    from dealer_tui.search.services import Hit

    key = search_key(text)
    if not key:
        return []
    pattern = like_escape(key)
    number = like_escape(text.strip().upper())
    columns = (Lead.id, Lead.number, Lead.company, Lead.status)
    found = list(
        session.execute(
            select(*columns)
            .where(
                or_(
                    Lead.company_key.like(f"{pattern}%", escape="\\"),
                    Lead.number.like(f"{number}%", escape="\\"),
                )
            )
            .order_by(Lead.company_key, Lead.id)
            .limit(limit)
        )
    )
    if len(found) < limit and len(key) >= SUBSTRING_MIN:
        seen = {row.id for row in found}
        found += [
            row
            for row in session.execute(
                select(*columns)
                .where(Lead.company_key.like(f"%{pattern}%", escape="\\"))
                .order_by(Lead.company_key, Lead.id)
                .limit(limit)
            )
            if row.id not in seen
        ][: limit - len(found)]
    return [
        Hit("lead", row.id, row.company, f"{row.number}  {row.status}") for row in found
    ]
