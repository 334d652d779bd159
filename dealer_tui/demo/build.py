"""Building the demo dealership from the readable files in fixtures/.

The customers, contacts and vehicles go through the same CSV import a
dealer uses to bring its own data in, so that path is exercised every time.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from dealer_tui.accounts.services import import_contacts, import_customers
from dealer_tui.catalog.services import import_products, import_range
from dealer_tui.core import schema
from dealer_tui.core.auth import Actor
from dealer_tui.core.config import fixtures_dir
from dealer_tui.core.csvimport import ImportReport
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError
from dealer_tui.core.services import (
    BranchSpec,
    DealerSpec,
    UserSpec,
    batch_actor,
    set_up_dealer,
)
from dealer_tui.invoicing.imports import import_invoices, import_payments
from dealer_tui.leads.importing import DuplicatePolicy, import_leads
from dealer_tui.orders.imports import demo_orders, demo_stock_units
from dealer_tui.parts.services import import_deliveries, import_parts, import_stock
from dealer_tui.vehicles.services import import_vehicles
from dealer_tui.workshop.imports import (
    import_bookings,
    import_operations,
    import_packages,
    import_workshop_setup,
)

log = logging.getLogger(__name__)

Step = Callable[[Database, Actor, Path], ImportReport | None]


def read_dealer_spec(path: Path) -> DealerSpec:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return DealerSpec(
        **data["dealer"],
        branches=[BranchSpec(**b) for b in data["branches"]],
        users=[UserSpec(**u) for u in data["users"]],
    )


def _csv_step(importer: Callable[..., ImportReport], name: str) -> Step:
    def step(db: Database, actor: Actor, folder: Path) -> ImportReport:
        report = importer(db, actor, folder / name)
        if not report.written:
            details = "; ".join(str(p) for p in report.problems[:5])
            raise DealerError(f"The demo file {name} did not import: {details}")
        return report

    return step


# The demo's price lists apply from the start of the year, so quotes dated
# in the demo's present find their prices.
CATALOG_FROM = date(2026, 1, 1)


def _catalog_step(db: Database, actor: Actor, folder: Path) -> ImportReport:
    report = ImportReport("catalogue ranges")
    for path in sorted((folder / "catalog").glob("*.txt")):
        import_range(db, actor, path, CATALOG_FROM)
        report.rows += 1
        report.imported += 1
    report.written = True
    products = import_products(
        db, actor, folder / "catalog" / "products.csv", CATALOG_FROM
    )
    if not products.written:
        details = "; ".join(str(p) for p in products.problems[:5])
        raise DealerError(f"The demo products did not import: {details}")
    return report


STEPS: list[Step] = [
    _csv_step(import_customers, "customers.csv"),
    _csv_step(import_contacts, "contacts.csv"),
    _csv_step(import_vehicles, "vehicles.csv"),
    _catalog_step,
    # Parts with stock (some short, with a delivery on its way), the two
    # workshops and a busy fortnight of bookings, two jobs already finished.
    _csv_step(import_parts, "workshop/parts.csv"),
    _csv_step(import_stock, "workshop/stock.csv"),
    _csv_step(import_deliveries, "workshop/deliveries.csv"),
    _csv_step(import_workshop_setup, "workshop/workshop.toml"),
    _csv_step(import_operations, "workshop/operations.csv"),
    _csv_step(import_packages, "workshop/packages.csv"),
    _csv_step(import_bookings, "workshop/bookings.csv"),
    # Some demo leads are companies already on the books: linking them
    # shows duplicate detection at work.
    _csv_step(partial(import_leads, duplicates=DuplicatePolicy.LINK), "leads.csv"),
    # A few months of by-hand invoices and payments, so that the ageing and
    # the overdue list show something; the run bills orders and jobs.
    _csv_step(import_invoices, "invoices.csv"),
    _csv_step(import_payments, "payments.csv"),
    # Trucks in stock and on the ship, then orders taken through their
    # steps: one from the accepted quote, one held for credit and
    # released, one still held, one delivered for the invoice run, a
    # factory order, and parts sold over the counter.
    demo_stock_units,
    demo_orders,
]


def build_demo(path: Path, folder: Path | None = None) -> list[ImportReport]:
    """Create the demo database at path from scratch and fill it."""
    folder = folder or fixtures_dir()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database.open(f"sqlite:///{path}")
    try:
        return fill(db, folder)
    finally:
        db.dispose()


def fill(db: Database, folder: Path | None = None) -> list[ImportReport]:
    """Migrate an empty database and load the demo dealership into it."""
    folder = folder or fixtures_dir()
    schema.upgrade(db)
    set_up_dealer(db, read_dealer_spec(folder / "dealer.toml"))
    actor = batch_actor(db)
    reports = []
    for step in STEPS:
        report = step(db, actor, folder)
        if report is not None:
            reports.append(report)
            log.info("demo: %s", report.summary())
    return reports
