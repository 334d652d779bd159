"""The invoice list: a page at a time, filtered by the words typed over it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.text import like_escape, search_key
from dealer_tui.invoicing.document import CREDIT_NOTE, INVOICE
from dealer_tui.invoicing.models import DRAFT, POSTED, Invoice
from dealer_tui.invoicing.services import branch_today, settlement
from dealer_tui.invoicing.sources import PAYERS
from dealer_tui.search.names import FRAGMENT_MIN, account_matches, few_account_ids
from dealer_tui.search.pages import few_rows


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
        ).where(*_list_conditions(session, wanted, today))
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


# Up to this many accounts named by the typed text have their invoices read
# on the account's index; more are found while reading the list's order.
FEW_BUYERS = 300
# Up to this many invoices whose number starts as typed are read by id.
FEW_NUMBERED = 500


def _bought_by(session: Session, key: str) -> Any:
    """Invoices of the customers the typed text names, by name or number.

    The text is looked up among the accounts on their indexes, not among a
    million invoices, and a few accounts' invoices are read on the
    account's index.  When many accounts match, their invoices are common:
    the list reads its own order and keeps those whose buyer, as the
    invoice names them, matches, which soon fills a page.
    """
    ids: set[int] = set()
    for match in account_matches(session, key):
        found = few_account_ids(session, match, FEW_BUYERS)
        if found is None:
            return _buyer_named(key)
        ids.update(found)
    return Invoice.account_id.in_(sorted(ids))


def _buyer_named(key: str) -> Any:
    """The invoice's buyer by name or number, compared on each invoice read."""
    pattern = like_escape(key)
    name = f"%{pattern}%" if len(key) >= FRAGMENT_MIN else f"{pattern}%"
    number = f"{like_escape(key.replace(' ', ''))}%"
    # Written as expressions, so that the buyer's indexes stay out of the way.
    return or_(
        Invoice.buyer_key.concat("").like(name, escape="\\"),
        Invoice.buyer_number.concat("").like(number, escape="\\"),
    )


def _numbered(session: Session, number: str) -> Any:
    """Invoices whose number starts with the typed text."""
    starts = Invoice.number.like(f"{like_escape(number)}%", escape="\\")
    few = few_rows(session, Invoice.id, Invoice.invoice_date, starts, FEW_NUMBERED)
    if few is not None:
        return few
    many = [Invoice.number.concat("").like(f"{like_escape(number)}%", escape="\\")]
    if year := _number_year(number):
        # Posting numbers an invoice in the year of its date, so the list's
        # order is read from that year's first day.
        many += [
            Invoice.invoice_date >= date(year, 1, 1),
            Invoice.invoice_date <= date(year, 12, 31),
        ]
    return and_(*many)


def _number_year(number: str) -> int | None:
    """The year in a typed number that holds one whole: INV2025-00 is 2025."""
    found = re.match(r"[A-Z]+(\d{4})", number)
    if found is None or found.group(1) == "0000":
        return None
    return int(found.group(1))


def _list_conditions(session: Session, wanted: ListFilter, today: date) -> list[Any]:
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
        conditions.append(_numbered(session, wanted.number))
    if wanted.customer and (key := search_key(wanted.customer)):
        conditions.append(_bought_by(session, key))
    state_terms = []
    posted_invoice = and_(Invoice.status == POSTED, Invoice.document_type == INVOICE)
    owed = _owed(session)
    for state in wanted.states:
        if state == "draft":
            state_terms.append(Invoice.status == DRAFT)
        elif state == "posted":
            state_terms.append(Invoice.status == POSTED)
        elif state == "paid":
            state_terms.append(and_(posted_invoice, Invoice.open_amount == 0))
        elif state == "open":
            state_terms.append(and_(posted_invoice, owed))
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
    if len(state_terms) == 1:
        # One state alone stays a plain AND, so that an index can serve it.
        conditions.append(state_terms[0])
    elif state_terms:
        conditions.append(or_(*state_terms))
    if wanted.overdue:
        conditions += [posted_invoice, owed, Invoice.due_date < today]
    return conditions


def _owed(session: Session) -> Any:
    """'Still owed': the condition of the owed invoices' index, in list order.

    SQLite, which keeps no statistics here, would rather read the owed
    invoices by amount and sort them all; marking the test as likely to
    hold lets it take the index in the list's order, which gives a page at
    once.  PostgreSQL weighs the two by its statistics.
    """
    owed = Invoice.open_amount > 0
    if session.get_bind().dialect.name == "sqlite":
        return func.likely(owed)
    return owed
