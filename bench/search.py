"""Palette search as the user types, at the largest size.

A counter clerk types a customer's name, a fragment from the middle of a
name, a VIN (whole, its start, its last six characters), a registration
or a document number, one key at a time; every key asks the global search
again, as the palette does.  Each key's answer is one sample.  The things
typed are taken from the middle of the generated tables, so that no index
is helped by looking for the first rows; one fragment matches nothing,
which is the slowest case for a search that must look everywhere.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bench.context import Bench
from bench.measure import Budget, Result, quiet_collector, timed
from dealer_tui.accounts.models import Account
from dealer_tui.core.text import compact_key
from dealer_tui.invoicing.models import Invoice
from dealer_tui.search.services import global_search
from dealer_tui.vehicles.models import Vehicle

KEYSTROKE_MS = Budget(50)
SEARCH_USER = "chris.counter"
NO_MATCH = "ZQXW"


def typed(text: str, shortest: int = 2) -> list[str]:
    """What the search box holds after each key: 'AB', 'ABC', ... the whole."""
    return [text[:end] for end in range(shortest, len(text) + 1)]


def middle_row(bench: Bench, model: type, *where: object) -> object:
    """The row in the middle of a table by id (among those matching `where`)."""
    with bench.db.read() as session:
        low, high = session.execute(
            select(func.min(model.id), func.max(model.id)).where(*where)
        ).one()
        if low is None:
            return None
        return session.scalars(
            select(model)
            .where(model.id >= (low + high) // 2, *where)
            .order_by(model.id)
            .limit(1)
        ).one()


def queries(bench: Bench) -> dict[str, list[str]]:
    """Each kind of search and the texts typed for it, key by key."""
    customer = middle_row(bench, Account, Account.kind == "company")
    vehicle = middle_row(bench, Vehicle, Vehicle.registration != "")
    invoice = middle_row(bench, Invoice)
    found: dict[str, list[str]] = {}
    if customer is not None:
        words = customer.name.split()
        found["customer name, from its start"] = typed(customer.name[:12])
        middle = max(words[1:] or words, key=len)
        found["customer name, a word from its middle"] = typed(middle, 3)
    if vehicle is not None:
        found["VIN, whole, from its start"] = typed(vehicle.vin)
        found["VIN, last six characters"] = typed(vehicle.vin_tail)
        found["registration"] = typed(compact_key(vehicle.registration))
    if invoice is not None and invoice.number:
        found["invoice number"] = typed(invoice.number, 4)
        year, _, counter = invoice.number.removeprefix("INV").partition("-")
        found["invoice number without its series"] = typed(
            f"{year}-{counter.lstrip('0')}", 4
        )
    found["text that matches nothing"] = typed(NO_MATCH)
    return found


def measure(bench: Bench) -> list[Result]:
    """Time the global search for every key typed, for each kind of search."""
    actor = bench.actor(SEARCH_USER)
    results = []
    for kind, texts in queries(bench).items():
        result = Result(
            "search",
            f"{kind} ({len(texts)} keys)",
            "ms",
            budget=KEYSTROKE_MS,
            note=f"typed '{texts[-1]}'",
        )
        hits: list[int] = []
        # A first pass warms the caches as a user's earlier searches would.
        for text in texts:
            global_search(bench.db, actor, text)
        with quiet_collector():
            for _ in range(bench.runs):
                for text in texts:
                    found, elapsed = timed(
                        lambda text=text: global_search(bench.db, actor, text)
                    )
                    result.samples.append(elapsed)
                    hits.append(len(found))
        result.note += f"; {hits[-1]} hits for the whole text"
        results.append(result)
    return results
