"""Quoting's part of the home screen and of the global search."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.models import Quote
from dealer_tui.catalog.quote_states import QuoteState
from dealer_tui.core.auth import Actor
from dealer_tui.core.models import User
from dealer_tui.core.money import show_money
from dealer_tui.core.text import like_escape

if TYPE_CHECKING:
    from dealer_tui.search.services import Hit
    from dealer_tui.today import Panel

PANEL_ROWS = 12
QUOTE_PREFIX = "Q"


def quotes_awaiting_approval(session: Session, actor: Actor, today: date) -> Panel:
    """Quotes whose discount waits for a sales manager, the longest waiting first.

    Every branch's quotes are listed: a branch without a manager of its own
    must not leave its representatives waiting.
    """
    # The home screen's module lists this panel, so it is imported here.
    from dealer_tui.today import Panel, PanelRow

    where = (Quote.state == QuoteState.AWAITING_APPROVAL.value,)
    total = session.scalar(select(func.count()).select_from(Quote).where(*where))
    rows = session.execute(
        select(
            Quote.id,
            Quote.number,
            Quote.revision,
            Quote.discount_percent,
            Quote.payable,
            Account.name,
            User.display_name,
        )
        .join(Account, Account.id == Quote.account_id)
        .join(User, User.id == Quote.rep_id)
        .where(*where)
        .order_by(Quote.updated_at, Quote.id)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="quotes_awaiting_approval",
        title="Quotes awaiting your approval",
        rows=[
            PanelRow(
                "quote",
                r.id,
                f"{r.number} v{r.revision} {r.name} · {r.discount_percent}% off · "
                f"{show_money(r.payable)} · {r.display_name}",
                "APPROVE",
            )
            for r in rows
        ],
        total=total or 0,
        empty="No quote is waiting for approval.",
    )


def quote_hits(session: Session, text: str, limit: int) -> list[Hit]:
    """Quotes whose number starts with the typed text, newest version first.

    The number may be typed without its letter ('2026-000012') and without
    the leading zeros of the counter ('Q2026-12').
    """
    from dealer_tui.search.services import Hit

    key = text.strip().upper().replace(" ", "")
    if len(key) < 4 or not any(c.isdigit() for c in key):
        return []
    if key[0].isdigit():
        key = QUOTE_PREFIX + key
    if not key.startswith(QUOTE_PREFIX):
        return []
    conditions = [Quote.number.like(f"{like_escape(key)}%", escape="\\")]
    year, dash, counter = key.partition("-")
    if dash and counter.isdigit() and len(counter) < 6:
        conditions.append(Quote.number == f"{year}-{int(counter):06d}")
    rows = session.execute(
        select(
            Quote.id,
            Quote.number,
            Quote.revision,
            Quote.state,
            Quote.model_code,
            Quote.payable,
            Account.name,
        )
        .join(Account, Account.id == Quote.account_id)
        .where(or_(*conditions))
        .order_by(Quote.number.desc(), Quote.revision.desc())
        .limit(limit)
    )
    return [
        Hit(
            "quote",
            r.id,
            f"{r.number} v{r.revision}",
            f"{QuoteState(r.state).title} · {r.name} · {r.model_code} · "
            f"{show_money(r.payable)}",
        )
        for r in rows
    ]
