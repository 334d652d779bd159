"""The invoice list: a page at a time, filtered by the words typed over it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select

from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.text import like_escape, search_key
from dealer_tui.invoicing.document import CREDIT_NOTE, INVOICE
from dealer_tui.invoicing.models import DRAFT, POSTED, Invoice
from dealer_tui.invoicing.services import branch_today, settlement
from dealer_tui.invoicing.sources import PAYERS


@dataclass(frozen=True)
class InvoiceRow:
    """One row of the invoice list."""

    id: int
    number: str
    invoice_date: date
    document_type: str
    kind: str
    customer: str
    total: Decimal
    open_amount: Decimal
    state: str
    overdue_days: int


@dataclass(frozen=True)
class ListFilter:
    """What the typed filter of the invoice list asks for."""

    states: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    document_types: frozenset[str] = frozenset()
    overdue: bool = False
    date_from: date | None = None
    date_to: date | None = None
    number: str = ""
    customer: str = ""


_STATE_WORDS = {
    "draft": "draft",
    "drafts": "draft",
    "posted": "posted",
    "open": "open",
    "unpaid": "open",
    "part": "part paid",
    "partly": "part paid",
    "paid": "paid",
    "credited": "credited",
    "overdue": "overdue",
    "late": "overdue",
}
_DOCUMENT_WORDS = {"credit": CREDIT_NOTE, "credits": CREDIT_NOTE, "cn": CREDIT_NOTE}


def read_list_filter(text: str) -> ListFilter:
    """The words typed over the list: state, payer, a date or month, a
    number, and whatever is left as the start of the customer's name.

    'overdue warranty', 'paid 2026-11', 'INV2026-0001', 'draft bianchi'.
    """
    states: set[str] = set()
    kinds: set[str] = set()
    documents: set[str] = set()
    overdue = False
    date_from = date_to = None
    number = ""
    rest = []
    for word in text.split():
        low = word.lower()
        if low in _STATE_WORDS:
            state = _STATE_WORDS[low]
            if state == "overdue":
                overdue = True
            else:
                states.add(state)
        elif low in PAYERS:
            kinds.add(low)
        elif low in _DOCUMENT_WORDS:
            documents.add(_DOCUMENT_WORDS[low])
        elif (span := _date_span(low)) is not None:
            date_from, date_to = span
        elif low[:3] in ("inv", "crn") and any(c.isdigit() for c in low):
            number = word.upper()
        else:
            rest.append(word)
    return ListFilter(
        frozenset(states),
        frozenset(kinds),
        frozenset(documents),
        overdue,
        date_from,
        date_to,
        number,
        " ".join(rest),
    )


def describe_filter(wanted: ListFilter) -> str:
    """The filter in words, as the list understood it."""
    parts = sorted(wanted.states) + sorted(wanted.kinds)
    if wanted.document_types:
        parts.append("credit notes")
    if wanted.overdue:
        parts.append("overdue")
    if wanted.date_from and wanted.date_to:
        if wanted.date_from == wanted.date_to:
            parts.append(f"dated {wanted.date_from:%d/%m/%Y}")
        else:
            parts.append(
                f"dated {wanted.date_from:%d/%m/%Y} to {wanted.date_to:%d/%m/%Y}"
            )
    if wanted.number:
        parts.append(f"number {wanted.number}...")
    if wanted.customer:
        parts.append(f"customer '{wanted.customer}'")
    return "Showing " + (", ".join(parts) if parts else "every invoice")


def _date_span(word: str) -> tuple[date, date] | None:
    """A day (2026-11-30 or 30/11/2026) or a month (2026-11 or 11/2026)."""
    try:
        if "/" in word:
            parts = [int(p) for p in word.split("/")]
            if len(parts) == 3:
                day = date(parts[2], parts[1], parts[0])
                return day, day
            if len(parts) == 2:
                return _month(parts[1], parts[0])
            return None
        parts = [int(p) for p in word.split("-")]
    except ValueError:
        return None
    if len(parts) == 3:
        day = date(parts[0], parts[1], parts[2])
        return day, day
    if len(parts) == 2 and parts[0] > 999:
        return _month(parts[0], parts[1])
    return None


def _month(year: int, month: int) -> tuple[date, date] | None:
    if not 1 <= month <= 12:
        return None
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def invoice_page(
    db: Database,
    actor: Actor,
    text: str,
    request: PageRequest,
    at: datetime | None = None,
) -> tuple[list[InvoiceRow], list[tuple[object, ...]], bool]:
    """A page of invoices and credit notes, oldest first, filtered as typed.

    Overdue is judged on the branch's today, or at the instant `at`.
    """
    actor.require(Permission.VIEW_INVOICES)
    wanted = read_list_filter(text)
    with db.read() as session:
        today = branch_today(session, actor, at)
        stmt = select(
            Invoice.id,
            Invoice.number,
            Invoice.invoice_date,
            Invoice.document_type,
            Invoice.kind,
            Invoice.buyer_name,
            Invoice.total,
            Invoice.open_amount,
            Invoice.status,
            Invoice.credited_amount,
            Invoice.due_date,
            Invoice.invoice_date,
            Invoice.id,
        ).where(*_list_conditions(wanted, today))
        page = fetch_page(session, stmt, (Invoice.invoice_date, Invoice.id), request)
    rows = []
    for row in page.rows:
        state, overdue = settlement(
            row.document_type,
            row.status,
            row.total,
            row.open_amount,
            row.credited_amount,
            row.due_date,
            today,
        )
        rows.append(
            InvoiceRow(
                row.id,
                row.number or "",
                row.invoice_date,
                row.document_type,
                row.kind,
                row.buyer_name,
                row.total,
                row.open_amount,
                state,
                overdue,
            )
        )
    return rows, page.keys, page.has_more


def _list_conditions(wanted: ListFilter, today: date) -> list[Any]:
    conditions: list[Any] = []
    if wanted.kinds:
        conditions.append(Invoice.kind.in_(wanted.kinds))
    if wanted.document_types:
        conditions.append(Invoice.document_type.in_(wanted.document_types))
    if wanted.date_from:
        conditions.append(Invoice.invoice_date >= wanted.date_from)
    if wanted.date_to:
        conditions.append(Invoice.invoice_date <= wanted.date_to)
    if wanted.number:
        pattern = like_escape(wanted.number)
        conditions.append(Invoice.number.like(f"{pattern}%", escape="\\"))
    if wanted.customer:
        key = like_escape(search_key(wanted.customer))
        by_name = Invoice.buyer_key.like(f"{key}%", escape="\\")
        if len(key) >= 3:
            by_name = Invoice.buyer_key.like(f"%{key}%", escape="\\")
        by_number = Invoice.buyer_number.like(f"{key.replace(' ', '')}%", escape="\\")
        conditions.append(or_(by_name, by_number))
    state_terms = []
    posted_invoice = and_(Invoice.status == POSTED, Invoice.document_type == INVOICE)
    for state in wanted.states:
        if state == "draft":
            state_terms.append(Invoice.status == DRAFT)
        elif state == "posted":
            state_terms.append(Invoice.status == POSTED)
        elif state == "paid":
            state_terms.append(and_(posted_invoice, Invoice.open_amount == 0))
        elif state == "open":
            state_terms.append(and_(posted_invoice, Invoice.open_amount > 0))
        elif state == "part paid":
            state_terms.append(
                and_(
                    posted_invoice,
                    Invoice.open_amount > 0,
                    Invoice.open_amount < Invoice.total - Invoice.credited_amount,
                )
            )
        elif state == "credited":
            state_terms.append(
                and_(posted_invoice, Invoice.credited_amount >= Invoice.total)
            )
    if state_terms:
        conditions.append(or_(*state_terms))
    if wanted.overdue:
        conditions += [
            posted_invoice,
            Invoice.open_amount > 0,
            Invoice.due_date < today,
        ]
    return conditions
