"""Finding a customer, a vehicle or a document from a few typed characters.

Each kind of record is asked on an index: names by prefix of their search
key, VINs by their last six characters or their start, registrations by
prefix.  A fragment from the middle of a name falls back to a bounded scan
only once the typed text is long enough to be selective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.panels import quote_hits
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.text import compact_key, like_escape, search_key
from dealer_tui.invoicing.panels import invoice_hits
from dealer_tui.leads.panels import lead_hits
from dealer_tui.orders.panels import order_hits
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


def _customers(session: Session, text: str, limit: int) -> list[Hit]:
    key = search_key(text)
    if not key:
        return []
    pattern = like_escape(key)
    found = list(
        session.execute(
            select(Account.id, Account.name, Account.number, Account.suburb)
            .where(
                or_(
                    Account.name_key.like(f"{pattern}%", escape="\\"),
                    Account.number.like(
                        f"{like_escape(key.replace(' ', ''))}%", escape="\\"
                    ),
                    # Digits alone are the end of a customer number: "400"
                    # finds C000400.
                    *(
                        [Account.number.like(f"%{key}", escape="\\")]
                        if key.isdigit() and len(key) >= SUBSTRING_MIN
                        else []
                    ),
                )
            )
            .order_by(Account.name_key)
            .limit(limit)
        )
    )
    if len(found) < limit and len(key) >= SUBSTRING_MIN:
        seen = {row.id for row in found}
        # The scan reads the names' index alone, which is several times
        # faster than reading the rows; only the few found are read whole.
        inside = list(
            session.scalars(
                select(Account.id)
                .where(Account.name_key.like(f"%{pattern}%", escape="\\"))
                .order_by(Account.name_key, Account.id)
                .limit(limit)
            )
        )
        more = [i for i in inside if i not in seen][: limit - len(found)]
        if more:
            found += session.execute(
                select(Account.id, Account.name, Account.number, Account.suburb)
                .where(Account.id.in_(more))
                .order_by(Account.name_key, Account.id)
            ).all()
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
    # looking for one rare plate.
    found = {}
    for column, condition in conditions:
        for row in session.execute(
            columns.where(condition).order_by(column).limit(limit)
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
