"""Finding a customer, a vehicle or a document from a few typed characters.

Each kind of record is asked on an index: names by the start of their
search key and, from three characters, by a fragment on the names'
trigram index; customer numbers by their start, and digits alone as the
customer number they stand for; VINs by their last six characters or
their start, registrations by their start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, False_

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.panels import quote_hits
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.models import NumberSeries
from dealer_tui.core.numbering import format_number
from dealer_tui.core.text import compact_key, like_escape, search_key
from dealer_tui.invoicing.panels import invoice_hits
from dealer_tui.leads.panels import lead_hits
from dealer_tui.leads.services import CUSTOMER_PREFIX, CUSTOMER_SERIES
from dealer_tui.orders.panels import order_hits
from dealer_tui.search.names import account_conditions, in_name_order, name_fragment
from dealer_tui.search.pages import pattern_order
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop.panels import job_hits

SUBSTRING_MIN = 3


@dataclass(frozen=True)
class Hit:
    """One search result: what it is, how to show it and how to open it."""

    kind: str
    record_id: int
    title: str
    detail: str


def customer_numbers(session: Session, digits: str) -> list[str]:
    """The customer numbers typed digits stand for: '400' is C000400.

    Numbered as the demo and the imported lists number customers, and as
    the customer series numbers a converted lead in each of its years
    (C2026-000400).
    """
    value = int(digits)
    years = session.scalars(
        select(NumberSeries.year).where(NumberSeries.series == CUSTOMER_SERIES)
    )
    return [f"{CUSTOMER_PREFIX}{value:06d}"] + [
        format_number(CUSTOMER_PREFIX, year, value) for year in years
    ]


def _in_name_order(
    session: Session, conditions: list[ColumnElement[bool]], limit: int
) -> list[Row[Any]]:
    """The first accounts in name order meeting any condition, each asked alone."""
    found: dict[int, Row[Any]] = {}
    for condition in conditions:
        if isinstance(condition, False_):
            continue
        for row in session.execute(
            select(
                Account.id,
                Account.name,
                Account.number,
                Account.suburb,
                Account.name_key,
            )
            .where(condition)
            .order_by(Account.name_key, Account.id)
            .limit(limit)
        ):
            found.setdefault(row.id, row)
    return sorted(found.values(), key=lambda row: (row.name_key, row.id))[:limit]


def _customers(session: Session, text: str, limit: int) -> list[Hit]:
    key = search_key(text)
    if not key:
        return []
    conditions = account_conditions(session, key, inside=False)
    if key.isdigit() and len(key) >= SUBSTRING_MIN:
        conditions.append(Account.number.in_(customer_numbers(session, key)))
    found = _in_name_order(session, conditions, limit)
    if len(found) < limit and len(key) >= SUBSTRING_MIN:
        # Then the names holding the text further in, on the trigram index.
        seen = {row.id for row in found}
        inside = in_name_order(session, [name_fragment(session, key)])
        more = [
            row for row in _in_name_order(session, inside, limit) if row.id not in seen
        ]
        found += more[: limit - len(found)]
    return [
        Hit("customer", row.id, row.name, f"{row.number}  {row.suburb}".strip())
        for row in found
    ]


def _vehicles(session: Session, text: str, limit: int) -> list[Hit]:
    key = compact_key(text)
    if len(key) < 2:
        return []
    pattern = like_escape(key)
    starts = f"{pattern}%"
    conditions = [
        (Vehicle.registration, Vehicle.registration.like(starts, escape="\\"))
    ]
    if len(key) == 17:
        conditions.append((Vehicle.vin, Vehicle.vin == key))
    elif len(key) <= 6:
        conditions.append(
            (Vehicle.vin_tail, Vehicle.vin_tail.like(starts, escape="\\"))
        )
    if len(key) >= 3:
        # The start of the VIN, on its index: a fragment from the middle
        # would mean reading every vehicle at each key.
        conditions.append((Vehicle.vin, Vehicle.vin.like(starts, escape="\\")))
    columns = select(
        Vehicle.id,
        Vehicle.vin,
        Vehicle.registration,
        Vehicle.make,
        Vehicle.model,
        Account.name,
    ).outerjoin(Account, Account.id == Vehicle.owner_id)
    # Each condition reads its own index in that index's order and stops at
    # the limit; the few rows found are put in VIN order here.  Joined by OR
    # and sorted by VIN in the query, PostgreSQL reads the whole VIN index
    # looking for one rare plate; sorted by the database's collation, it
    # sorts every match of a short start.
    found = {}
    for column, condition in conditions:
        for row in session.execute(
            columns.where(condition)
            .order_by(pattern_order(session, column))
            .limit(limit)
        ):
            found.setdefault(row.id, row)
    rows = sorted(found.values(), key=lambda row: row.vin)[:limit]
    return [
        Hit(
            "vehicle",
            row.id,
            f"{row.vin}  {row.registration}".strip(),
            f"{row.make} {row.model} · {row.name or 'no owner'}",
        )
        for row in rows
    ]


Searcher = Callable[[Session, str, int], list[Hit]]

SEARCHERS: list[tuple[Permission, Searcher]] = [
    (Permission.VIEW_VEHICLES, _vehicles),
    (Permission.VIEW_CUSTOMERS, _customers),
    (Permission.VIEW_LEADS, lead_hits),
    (Permission.VIEW_INVOICES, invoice_hits),
    (Permission.VIEW_CATALOG, quote_hits),
    (Permission.VIEW_WORKSHOP, job_hits),
    (Permission.VIEW_ORDERS, order_hits),
]


def register(permission: Permission, searcher: Searcher) -> None:
    """Let a business area add its documents to the global search."""
    SEARCHERS.append((permission, searcher))


def global_search(db: Database, actor: Actor, text: str, limit: int = 8) -> list[Hit]:
    """Customers, vehicles and documents matching the typed text, best first."""
    text = text.strip()
    if not text:
        return []
    hits: list[Hit] = []
    with db.read() as session:
        for permission, searcher in SEARCHERS:
            if actor.can(permission):
                hits.extend(searcher(session, text, limit))
    return hits
