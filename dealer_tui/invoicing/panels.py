"""Invoicing's part of the home screen and of the global search."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealer_tui.core.auth import Actor
from dealer_tui.core.money import show_money
from dealer_tui.core.text import like_escape
from dealer_tui.invoicing.document import INVOICE
from dealer_tui.invoicing.models import DRAFT, POSTED, Invoice

if TYPE_CHECKING:
    from dealer_tui.search.services import Hit
    from dealer_tui.today import Panel

PANEL_ROWS = 12


def _branch_filter(actor: Actor) -> list[object]:
    return [Invoice.branch_id == actor.branch_id] if actor.branch_id else []


def drafts_to_post(session: Session, actor: Actor, today: date) -> Panel:
    """Draft invoices at the user's branch waiting to be checked and posted."""
    # The home screen's module lists this panel, so it is imported here.
    from dealer_tui.today import Panel, PanelRow

    where = [Invoice.status == DRAFT, *_branch_filter(actor)]
    total = session.scalar(select(func.count()).select_from(Invoice).where(*where))
    rows = session.execute(
        select(Invoice.id, Invoice.invoice_date, Invoice.buyer_name, Invoice.total)
        .where(*where)
        .order_by(Invoice.invoice_date, Invoice.id)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="drafts_to_post",
        title="Draft invoices to post",
        rows=[
            PanelRow(
                "invoice",
                r.id,
                f"{r.invoice_date:%d/%m/%y} {r.buyer_name} · {show_money(r.total)}",
                "DRAFT",
            )
            for r in rows
        ],
        total=total or 0,
        empty="No draft is waiting to be posted.",
    )


def overdue_invoices(session: Session, actor: Actor, today: date) -> Panel:
    """Posted invoices at the user's branch with money open past the due date."""
    from dealer_tui.today import Panel, PanelRow

    where = [
        Invoice.status == POSTED,
        Invoice.document_type == INVOICE,
        Invoice.open_amount > 0,
        Invoice.due_date < today,
        *_branch_filter(actor),
    ]
    total = session.scalar(select(func.count()).select_from(Invoice).where(*where))
    rows = session.execute(
        select(
            Invoice.id,
            Invoice.number,
            Invoice.due_date,
            Invoice.buyer_name,
            Invoice.open_amount,
        )
        .where(*where)
        .order_by(Invoice.due_date, Invoice.id)
        .limit(PANEL_ROWS)
    )
    return Panel(
        key="overdue_invoices",
        title="Overdue invoices",
        rows=[
            PanelRow(
                "invoice",
                r.id,
                f"{r.number} {r.buyer_name} · {show_money(r.open_amount)} open, "
                f"{(today - r.due_date).days} days",
                "OVERDUE",
            )
            for r in rows
        ],
        total=total or 0,
        empty="No invoice is overdue.",
    )


def invoice_hits(session: Session, text: str, limit: int) -> list[Hit]:
    """Invoices and credit notes whose number starts with the typed text.

    The year and the counter may be typed without the series letters
    ('2026-000123') and without leading zeros after the dash ('2026-123').
    """
    from dealer_tui.search.pages import pattern_order
    from dealer_tui.search.services import Hit

    key = text.strip().upper().replace(" ", "")
    if len(key) < 4 or not any(c.isdigit() for c in key):
        return []
    patterns = [key]
    if key[0].isdigit():
        patterns = [f"INV{key}", f"CRN{key}"]
    conditions = []
    for pattern in patterns:
        conditions.append(Invoice.number.like(f"{like_escape(pattern)}%", escape="\\"))
        year, dash, counter = pattern.partition("-")
        if dash and counter.isdigit() and len(counter) < 6:
            conditions.append(Invoice.number == f"{year}-{int(counter):06d}")
    columns = select(
        Invoice.id,
        Invoice.number,
        Invoice.document_type,
        Invoice.buyer_name,
        Invoice.total,
        Invoice.invoice_date,
    )
    # Each start is read in number order on the number's index and stops at
    # the limit; joined by OR, or sorted by PostgreSQL's collation, every
    # invoice of a year would be read and sorted.
    found = {}
    for condition in conditions:
        for row in session.execute(
            columns.where(condition)
            .order_by(pattern_order(session, Invoice.number))
            .limit(limit)
        ):
            found.setdefault(row.id, row)
    rows = sorted(found.values(), key=lambda row: row.number)[:limit]
    return [
        Hit(
            "invoice",
            r.id,
            r.number,
            f"{'Credit note' if r.document_type != INVOICE else 'Invoice'} "
            f"{r.invoice_date:%d/%m/%Y} · {r.buyer_name} · {show_money(r.total)}",
        )
        for r in rows
    ]
