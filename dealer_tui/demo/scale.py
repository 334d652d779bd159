"""A dealer group's dealership, generated from a seed at any size.

`dealer demo --scale large` builds the dealership the speed budgets are
measured on: about 200,000 customer accounts with their contacts, 500,000
vehicles, 1,000,000 posted invoices with their lines, taxes and payments,
50,000 open workshop jobs (2,000 of them booked over the coming six weeks
into a Melbourne workshop of 40 mechanics and 20 bays, the others finished
and waiting to be invoiced), the demo's truck ranges and a generated range
of 2,500 options and 3,000 rules.  Smaller scales shrink every count; the
same seed and scale always give the same dealership.

The dealer, its branches and sign-ins (those of the demo), the ranges, the
parts and the workshop set-up go through the import services a dealer
uses.  The large tables are written through the driver (see demo.bulk),
from the same synthetic customers and vehicles as the demo fixtures.
Invoice amounts come from a few thousand line sets priced once by the
invoicing rules themselves, so every stored total is what posting would
have given.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from dealer_tui.accounts.models import Account, Contact
from dealer_tui.accounts.services import ACCOUNT_IMPORT_COLUMNS
from dealer_tui.catalog.ruletext import format_catalogue
from dealer_tui.catalog.services import import_products, import_range
from dealer_tui.catalog.synthetic import synthetic_catalogue
from dealer_tui.core import audit, schema
from dealer_tui.core.auth import Actor
from dealer_tui.core.config import fixtures_dir
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError
from dealer_tui.core.models import AuditEntry, Branch, Dealer, NumberSeries, User
from dealer_tui.core.numbering import format_number
from dealer_tui.core.services import batch_actor, set_up_dealer
from dealer_tui.core.text import compact_key, search_key
from dealer_tui.demo.build import CATALOG_FROM, read_dealer_spec
from dealer_tui.demo.bulk import BulkLoad
from dealer_tui.demo.scale_orders import Buyer as OrderBuyer
from dealer_tui.demo.scale_orders import OpenOrders, load_parts, load_ranges
from dealer_tui.demo.synth import (
    _FIRST_NAMES,
    _SURNAMES,
    DEMO_AS_OF,
    DEMO_SEED,
    SyntheticDealership,
)
from dealer_tui.invoicing.document import INVOICE, price
from dealer_tui.invoicing.models import Invoice, InvoiceLine, InvoiceTax, Payment
from dealer_tui.invoicing.services import (
    SERIES,
    line_values,
    tax_values,
    totals_values,
)
from dealer_tui.invoicing.sources import SourceLine
from dealer_tui.invoicing.tax import jurisdiction_for
from dealer_tui.leads.matching import normalise_company_name
from dealer_tui.orders.models import Order, OrderLine
from dealer_tui.parts.models import Part
from dealer_tui.parts.services import import_parts, import_stock
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.vehicles.services import VEHICLE_IMPORT_COLUMNS
from dealer_tui.workshop.booking import NUMBER_PREFIX, NUMBER_SERIES
from dealer_tui.workshop.imports import import_operations, import_workshop_setup
from dealer_tui.workshop.jobs import INVOICE_READY, JobStatus, to_cent
from dealer_tui.workshop.models import (
    BookingInterval,
    JobCharge,
    JobInvoicing,
    JobOperation,
    LabourOperation,
    WorkshopJob,
    resource_key,
)
from dealer_tui.workshop.resources import WorkshopSetup, load_setup

log = logging.getLogger(__name__)

# Bumped whenever the generator would make a different dealership from the
# same seed and scale, so that a kept one is known to be out of date.
GENERATOR_VERSION = 2
MARKER_ACTION = "generate"
MARKER_ENTITY = "dealership"

SIZES = {"tiny": 0.001, "small": 0.01, "medium": 0.1, "large": 1.0}
LARGEST_FACTOR = 4.0
HISTORY_YEARS = 6
BOOKING_WEEKS = 6
INVOICE_TEMPLATES = 3000
GENERATED_RANGE = "SYN"


@dataclass(frozen=True)
class Scale:
    """How big a generated dealership is: a named size or a factor of large."""

    label: str
    factor: float

    @classmethod
    def parse(cls, text: str) -> Scale:
        """Read 'tiny', 'small', 'medium', 'large' or a factor such as 0.25."""
        word = text.strip().lower()
        if word in SIZES:
            return cls(word, SIZES[word])
        try:
            factor = float(word)
        except ValueError:
            factor = 0.0
        if not 0 < factor <= LARGEST_FACTOR:
            names = ", ".join(SIZES)
            raise ValueError(
                f"'{text}' is not a scale: give {names} or a factor of large "
                f"above 0 and at most {LARGEST_FACTOR:g}, such as 0.25"
            )
        return cls(f"x{factor:g}", factor)

    def _count(self, largest: int, least: int) -> int:
        return max(least, round(largest * self.factor))

    @property
    def accounts(self) -> int:
        return self._count(200_000, 60)

    @property
    def vehicles(self) -> int:
        return self._count(500_000, 150)

    @property
    def invoices(self) -> int:
        return self._count(1_000_000, 300)

    @property
    def open_jobs(self) -> int:
        return self._count(50_000, 60)

    @property
    def open_orders(self) -> int:
        """Trucks ordered and parts sales taken, not yet delivered or sold."""
        return self._count(10_000, 12)

    @property
    def bookings(self) -> int:
        """The open jobs booked ahead; the others are finished, not invoiced."""
        return self._count(2_000, 20)

    @property
    def ready_jobs(self) -> int:
        return self.open_jobs - self.bookings

    @property
    def options(self) -> int:
        return self._count(2_500, 80)

    @property
    def rules(self) -> int:
        return self._count(3_000, 60)

    @property
    def mechanics(self) -> int:
        return self._count(40, 4)

    @property
    def bays(self) -> int:
        return self._count(20, 2)

    def file_name(self, seed: int = DEMO_SEED) -> str:
        """The file a scaled demo is kept in, beside the normal demo."""
        suffix = "" if seed == DEMO_SEED else f"-seed{seed}"
        return f"demo-{self.label}{suffix}.sqlite3"


@dataclass(frozen=True)
class StepReport:
    """One step of a build: what it made and how long it took."""

    what: str
    rows: int
    seconds: float

    def summary(self) -> str:
        if self.rows < 1000 or not self.seconds:
            return f"{self.what} in {self.seconds:.1f} s"
        rate = self.rows / self.seconds
        return f"{self.what}: {self.rows:,} rows in {self.seconds:.1f} s, {rate:,.0f}/s"


Progress = Callable[[StepReport], None]


# --------------------------------------------------------------------------
# Knowing a generated dealership again
# --------------------------------------------------------------------------


def generated_marker(db: Database) -> dict[str, Any] | None:
    """What the database says about its generation, or None if it was not made so."""
    try:
        with db.read() as session:
            entry = session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.action == MARKER_ACTION,
                    AuditEntry.entity == MARKER_ENTITY,
                )
                .order_by(AuditEntry.id.desc())
                .limit(1)
            ).one_or_none()
    except SQLAlchemyError:
        # No audit table: an empty database, or not a dealer's at all.
        return None
    return dict(entry.after or {}) if entry else None


def is_current(db: Database, scale: Scale, seed: int) -> bool:
    """Whether the database holds this scale and seed, built by this generator."""
    marker = generated_marker(db)
    if not marker or not schema.status(db).up_to_date:
        return False
    return (
        marker.get("scale") == scale.label
        and marker.get("seed") == seed
        and marker.get("generator") == GENERATOR_VERSION
    )


def clear_for_build(db: Database) -> None:
    """Make a shared database ready for a build, refusing one that holds real data.

    An empty database is used as it is; one that holds a generated
    dealership is emptied; anything else is refused.
    """
    with db.engine.connect() as connection:
        place = connection.execute(text("SELECT current_schema()")).scalar_one()
        tables = connection.execute(
            text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = :place"
            ),
            {"place": place},
        ).scalar_one()
    if not tables:
        return
    if generated_marker(db) is None:
        raise DealerError(
            "That database is not empty and holds no generated dealership: "
            "give an empty database to build into."
        )
    name = db.engine.dialect.identifier_preparer.quote(place)
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))
    db.engine.dispose()


# --------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------


def build_scaled(
    db: Database,
    scale: Scale,
    seed: int = DEMO_SEED,
    *,
    as_of: date = DEMO_AS_OF,
    progress: Progress | None = None,
) -> list[StepReport]:
    """Migrate an empty database and fill it with a generated dealership."""
    reports: list[StepReport] = []

    def step(what: str, rows: int, started: float) -> None:
        report = StepReport(what, rows, time.perf_counter() - started)
        reports.append(report)
        log.info("generated dealership: %s", report.summary())
        if progress:
            progress(report)

    started = time.perf_counter()
    schema.upgrade(db)
    folder = fixtures_dir()
    set_up_dealer(db, read_dealer_spec(folder / "dealer.toml"))
    actor = batch_actor(db)
    step("schema, dealer, branches and sign-ins", 0, started)

    started = time.perf_counter()
    rows = _catalogue(db, actor, folder, scale, seed)
    step(
        f"truck ranges and a range of {scale.options:,} options and "
        f"{scale.rules:,} rules",
        rows,
        started,
    )

    started = time.perf_counter()
    rows = _workshop(db, actor, folder, scale, seed)
    step(
        f"parts and a workshop of {scale.mechanics} mechanics and {scale.bays} bays",
        rows,
        started,
    )

    generator = _Generator(db, actor, scale, seed, as_of)
    for what, make in generator.steps():
        started = time.perf_counter()
        rows = make()
        step(what, rows, started)
    if not db.is_sqlite:
        started = time.perf_counter()
        _vacuum(db)
        step("statistics and visibility maps for the planner", 0, started)

    with db.write() as session:
        audit.record(
            session,
            actor,
            MARKER_ACTION,
            MARKER_ENTITY,
            scale.label,
            after={
                "scale": scale.label,
                "factor": scale.factor,
                "seed": seed,
                "as_of": as_of.isoformat(),
                "generator": GENERATOR_VERSION,
                "rows": {r.what: r.rows for r in reports},
            },
            note="generated dealership for measuring speed",
        )
    return reports


def _vacuum(db: Database) -> None:
    """What autovacuum would do a while after a bulk load, done at once.

    Without it PostgreSQL plans the first queries on empty statistics and
    cannot answer counts from its indexes alone.  SQLite is left as a
    dealer's own file would be: nobody gathers statistics there.
    """
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE"
        )


def _checked(report: Any, what: str) -> int:
    if not report.written:
        details = "; ".join(str(p) for p in report.problems[:5])
        raise DealerError(f"The {what} did not import: {details}")
    return int(report.imported)


def _catalogue(
    db: Database, actor: Actor, folder: Path, scale: Scale, seed: int
) -> int:
    """The demo's ranges and products, then a generated range of the scale's size."""
    rows = 0
    for path in sorted((folder / "catalog").glob("*.txt")):
        rows += import_range(db, actor, path, CATALOG_FROM).options
    rows += _checked(
        import_products(db, actor, folder / "catalog" / "products.csv", CATALOG_FROM),
        "demo products",
    )
    catalogue = synthetic_catalogue(seed, scale.options, scale.rules)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "generated-range.txt"
        path.write_text(format_catalogue(catalogue), encoding="utf-8")
        rows += import_range(db, actor, path, CATALOG_FROM).options
    return rows


def _workshop(db: Database, actor: Actor, folder: Path, scale: Scale, seed: int) -> int:
    """The demo's parts and operations, and the scale's mechanics and bays."""
    workshop = folder / "workshop"
    rows = _checked(import_parts(db, actor, workshop / "parts.csv"), "demo parts")
    rows += _checked(import_stock(db, actor, workshop / "stock.csv"), "demo stock")
    rows += _checked(
        import_operations(db, actor, workshop / "operations.csv"), "operations"
    )
    setup = workshop_setup_text(scale, seed)
    rows += _checked(
        import_workshop_setup(db, actor, text_stream(setup)), "workshop set-up"
    )
    return rows


# Skill sets of the generated mechanics, and the bays' types with what else
# each takes: most work fits a standard bay, long bays also take standard
# work, and there is one bay for high-voltage trucks.
_SKILL_SETS = (
    ("engine", "brakes", "diagnostics", "chassis"),
    ("engine", "electrical", "diagnostics", "chassis", "trailer"),
    ("brakes", "trailer", "chassis"),
    ("electrical", "diagnostics", "hv_ev", "chassis"),
    ("engine", "brakes", "chassis"),
)
_BAY_TYPES = (
    ("standard", ""),
    ("standard", ""),
    ("long", "standard"),
    ("pit", ""),
    ("standard", ""),
    ("long", "standard"),
    ("standard", ""),
    ("pit", ""),
    ("hv_safe", "standard"),
    ("wash", ""),
)


def workshop_setup_text(scale: Scale, seed: int) -> str:
    """The Melbourne and Brisbane workshops as a set-up file, in its TOML form."""
    rng = random.Random(f"{seed}/workshop")
    lines = [
        "[[workshops]]",
        'branch = "MEL"',
        'holidays = "AU-VIC"',
        'labour_rate = "185.00"',
        "slot_minutes = 15",
        'opening_hours = { "mon-fri" = "07:00-12:00, 12:30-16:30" }',
        "",
        "[[workshops]]",
        'branch = "BNE"',
        'holidays = "AU-QLD"',
        'labour_rate = "176.00"',
        "slot_minutes = 15",
        'opening_hours = { "mon-fri" = "06:30-11:30, 12:00-15:30" }',
    ]
    names: set[str] = set()
    for number in range(scale.mechanics + 2):
        branch = "MEL" if number < scale.mechanics else "BNE"
        name = ""
        while not name or name in names:
            name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
        names.add(name)
        skills = ", ".join(f'"{s}"' for s in _SKILL_SETS[number % len(_SKILL_SETS)])
        lines += [
            "",
            "[[mechanics]]",
            f'branch = "{branch}"',
            f'code = "M{number + 1:02d}"',
            f'name = "{name}"',
            f"skills = [{skills}]",
        ]
    for number in range(scale.bays + 2):
        branch = "MEL" if number < scale.bays else "BNE"
        bay_type, also = _BAY_TYPES[number % len(_BAY_TYPES)]
        length = "26" if bay_type == "long" else "12.5"
        lines += [
            "",
            "[[bays]]",
            f'branch = "{branch}"',
            f'code = "B{number + 1:02d}"',
            f'name = "{bay_type.replace("_", " ").title()} bay {number + 1}"',
            f'type = "{bay_type}"',
            f'max_length_m = "{length}"',
        ]
        if also:
            lines.append(f'also_serves = ["{also}"]')
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# The large tables
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Buyer:
    """What an invoice freezes of its customer."""

    number: str
    name: str
    key: str
    tax_id: str
    street: str
    suburb: str
    state: str
    postcode: str
    terms: int
    branch_id: int
    rep_id: int | None = None


@dataclass(frozen=True)
class _Template:
    """A set of lines priced once, shared by many invoices."""

    kind: str
    lines: tuple[tuple[Any, ...], ...]
    taxes: tuple[tuple[Any, ...], ...]
    totals: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return self.totals[-1]


_LINE_COLUMNS = (
    "position",
    "line_kind",
    "description",
    "quantity",
    "unit_code",
    "unit_price",
    "discount",
    "category",
    "rate",
    "net_amount",
    "source_line_ref",
)
_TAX_COLUMNS = ("position", "category", "rate", "taxable_amount", "tax_amount")
_TOTAL_COLUMNS = (
    "line_extension_total",
    "allowance_total",
    "charge_total",
    "tax_exclusive_total",
    "tax_total",
    "total",
)
# Who pays the generated invoices, as shares of a thousand.
_INVOICE_KINDS = (
    ("customer", 860),
    ("warranty", 70),
    ("contract", 50),
    ("internal", 20),
)
_METHODS = ("eft",) * 8 + ("card", "cheque")


class _Generator:
    """The bulk steps of one build, sharing what each step learns."""

    def __init__(
        self, db: Database, actor: Actor, scale: Scale, seed: int, as_of: date
    ) -> None:
        self.db = db
        self.actor = actor
        self.scale = scale
        self.seed = seed
        self.as_of = as_of
        self.synthetic = SyntheticDealership(
            seed, scale.accounts, scale.vehicles, as_of
        )
        # A fixed stamp for "saved at", so that the same seed gives the same rows.
        self.stamp = datetime.combine(as_of, datetime.min.time(), UTC) - timedelta(
            days=1
        )
        with db.read() as session:
            self.branches = {b.code: b for b in session.scalars(select(Branch))}
            self.users = {
                u.username: u.id for u in session.scalars(select(User)) if u.id
            }
            self.dealer = session.scalars(select(Dealer)).one()
            self.parts = list(session.scalars(select(Part).order_by(Part.id)))
            self.operations = list(
                session.scalars(select(LabourOperation).order_by(LabourOperation.id))
            )
            self.workshop: WorkshopSetup = load_setup(session, self.branches["MEL"].id)
        self.buyers: list[_Buyer] = []
        # Owned vehicles: their ids, owners' account ids and odometers.
        self.owned_ids = array("l")
        self.owners = array("l")
        self.odometers = array("l")
        self.first_account = 0

    def steps(self) -> list[tuple[str, Callable[[], int]]]:
        scale = self.scale
        return [
            (f"{scale.accounts:,} customers and their contacts", self.customers),
            (f"{scale.vehicles:,} vehicles", self.vehicles),
            (
                f"{scale.invoices:,} invoices with lines, taxes and payments",
                self.invoices,
            ),
            (
                f"{scale.open_jobs:,} open workshop jobs, {scale.bookings:,} "
                "of them booked ahead",
                self.jobs,
            ),
            (
                f"{scale.open_orders:,} open truck orders and parts sales",
                self.orders,
            ),
        ]

    def _rng(self, stream: str) -> random.Random:
        return random.Random(f"{self.seed}/scale/{stream}")

    # --- customers and vehicles -------------------------------------------

    def customers(self) -> int:
        accounts, contacts = Account.__table__, Contact.__table__
        actor_id = self.actor.user_id
        with BulkLoad(self.db) as load:
            first = self.first_account = load.next_id(accounts)
            with load.indexes_set_aside([accounts, contacts]):
                written = load.write(
                    accounts, _ACCOUNT_COLUMNS, self._account_rows(first)
                )
                first_contact = load.next_id(contacts)
                written += load.write(
                    contacts,
                    _CONTACT_COLUMNS,
                    (
                        (
                            first_contact + n,
                            self._account_id(c.customer_number),
                            c.name,
                            c.position,
                            c.phone,
                            c.email,
                            c.primary,
                            1,
                            self.stamp,
                            actor_id,
                        )
                        for n, c in enumerate(self.synthetic.contacts())
                    ),
                )
            load.restart_ids([accounts, contacts])
        return written

    def _account_id(self, number: str) -> int:
        return self.first_account + int(number[1:]) - 101

    def _account_rows(self, first: int) -> Iterator[tuple[Any, ...]]:
        branch_ids = {code: b.id for code, b in self.branches.items()}
        actor_id = self.actor.user_id
        for index, c in enumerate(self.synthetic.customers()):
            branch_id = branch_ids[c.branch]
            name_key = search_key(c.name)
            self.buyers.append(
                _Buyer(
                    c.number,
                    c.name,
                    name_key,
                    c.abn,
                    c.street,
                    c.suburb,
                    c.state,
                    c.postcode,
                    c.payment_terms_days,
                    branch_id,
                    self.users.get(c.sales_rep),
                )
            )
            # About one account in a hundred is on credit hold.
            hold = index % 97 == 41
            yield (
                first + index,
                c.number,
                c.name,
                name_key,
                normalise_company_name(c.name),
                c.kind,
                c.abn,
                c.phone,
                c.email,
                c.street,
                c.suburb,
                c.state,
                c.postcode,
                "AU",
                branch_id,
                self.users.get(c.sales_rep),
                c.credit_limit,
                c.payment_terms_days,
                hold,
                "",
                1,
                self.stamp,
                actor_id,
            )

    def vehicles(self) -> int:
        vehicles = Vehicle.__table__
        with BulkLoad(self.db) as load:
            first = load.next_id(vehicles)
            with load.indexes_set_aside([vehicles]):
                written = load.write(
                    vehicles, _VEHICLE_COLUMNS, self._vehicle_rows(first)
                )
            load.restart_ids([vehicles])
        return written

    def _vehicle_rows(self, first: int) -> Iterator[tuple[Any, ...]]:
        branch_ids = {code: b.id for code, b in self.branches.items()}
        actor_id = self.actor.user_id
        for index, v in enumerate(self.synthetic.vehicles()):
            vehicle_id = first + index
            owner = self._account_id(v.owner) if v.owner else None
            if owner is not None:
                self.owned_ids.append(vehicle_id)
                self.owners.append(owner)
                self.odometers.append(v.odometer_km)
            yield (
                vehicle_id,
                v.vin,
                v.vin[-6:],
                v.make,
                v.model,
                v.model_year,
                compact_key(v.registration),
                v.registration_state,
                v.odometer_km,
                owner,
                branch_ids.get(v.branch),
                v.next_service_due,
                v.next_service_km,
                1,
                self.stamp,
                actor_id,
            )

    # --- invoices -----------------------------------------------------------

    def invoices(self) -> int:
        """Posted invoices over the past years, numbered without gaps per year."""
        scale = self.scale
        rng = self._rng("invoices")
        templates = self._templates(rng)
        by_kind: dict[str, list[int]] = {}
        for number, template in enumerate(templates):
            by_kind.setdefault(template.kind, []).append(number)
        kinds = [kind for kind, share in _INVOICE_KINDS for _ in range(share)]
        first_day = date(self.as_of.year - HISTORY_YEARS + 1, 1, 1)
        span = (self.as_of - first_day).days
        count = scale.invoices
        # Per invoice: its day, buyer, lines and what is still open of it.
        days = array("l")
        buyers = array("l")
        chosen = array("l")
        open_cents = array("q")
        paid_after = array("l")
        recent = self.as_of - timedelta(days=120)
        last_year = self.as_of - timedelta(days=365)
        for n in range(count):
            day = first_day + timedelta(days=n * span // count)
            kind = kinds[rng.randrange(len(kinds))]
            pool = by_kind.get(kind) or by_kind["customer"]
            template = pool[rng.randrange(len(pool))]
            buyer = rng.randrange(len(self.buyers))
            total = templates[template].total
            cents = int(total * 100)
            draw = rng.random()
            if day >= recent:
                left = cents if draw < 0.55 else 0
                if 0.55 <= draw < 0.65:
                    left = cents - cents * rng.randint(2, 8) // 10
            elif day >= last_year:
                left = cents if draw < 0.03 else 0
            else:
                # A few disputed invoices stay open for years.
                left = cents if draw < 0.002 else 0
            days.append(day.toordinal())
            buyers.append(buyer)
            chosen.append(template)
            open_cents.append(left)
            terms = self.buyers[buyer].terms
            latest = max(0, min(terms + 20, (self.as_of - day).days - 1))
            paid_after.append(rng.randint(0, latest))
        plan = _InvoicePlan(days, buyers, chosen, open_cents, paid_after, templates)
        tables = [
            Invoice.__table__,
            InvoiceLine.__table__,
            InvoiceTax.__table__,
            Payment.__table__,
        ]
        with BulkLoad(self.db) as load:
            first = load.next_id(Invoice.__table__)
            plan.store(load)
            with load.indexes_set_aside(tables):
                written = load.write(
                    Invoice.__table__,
                    _INVOICE_COLUMNS,
                    self._invoice_rows(plan, first),
                )
                line_columns = ("id", "invoice_id", *_LINE_COLUMNS, "price_adjustment")
                written += load.write(
                    InvoiceLine.__table__,
                    line_columns,
                    _part_rows(
                        plan, first, load.next_id(InvoiceLine.__table__), lines=True
                    ),
                    as_stored=True,
                )
                written += load.write(
                    InvoiceTax.__table__,
                    ("id", "invoice_id", *_TAX_COLUMNS),
                    _part_rows(
                        plan, first, load.next_id(InvoiceTax.__table__), lines=False
                    ),
                    as_stored=True,
                )
                written += load.write(
                    Payment.__table__,
                    _PAYMENT_COLUMNS,
                    self._payment_rows(plan, first, load.next_id(Payment.__table__)),
                )
            load.restart_ids(tables)
        self._number_series(SERIES[INVOICE], plan.last_numbers())
        return written

    def _templates(self, rng: random.Random) -> list[_Template]:
        """Line sets as a workshop, the parts counter and the sales office bill."""
        au = jurisdiction_for("AU")
        templates = []
        for number in range(INVOICE_TEMPLATES):
            kind = "customer"
            lines: list[SourceLine] = []
            draw = rng.random()
            if draw < 0.02:
                lines.append(
                    SourceLine(
                        rng.choice(_TRUCKS),
                        Decimal(1),
                        Decimal(rng.randrange(185_000, 420_000, 100)),
                    )
                )
            elif draw < 0.35:
                for _ in range(rng.randint(1, 4)):
                    part = rng.choice(self.parts)
                    lines.append(
                        SourceLine(
                            part.description,
                            Decimal(rng.randint(1, 6)),
                            part.unit_price,
                            line_ref=part.part_number,
                        )
                    )
            else:
                kind = rng.choice(("customer", "customer", "warranty", "contract"))
                if number % 40 == 0:
                    kind = "internal"
                operation = rng.choice(self.operations)
                hours = Decimal(rng.randint(2, 40)) / 4
                lines.append(
                    SourceLine(
                        f"Workshop labour: {operation.description}",
                        hours,
                        Decimal("185.00"),
                        unit_code="HUR",
                        line_ref=operation.code,
                    )
                )
                for _ in range(rng.randint(0, 3)):
                    part = rng.choice(self.parts)
                    lines.append(
                        SourceLine(
                            part.description,
                            Decimal(rng.randint(1, 4)),
                            part.unit_price,
                            line_ref=part.part_number,
                        )
                    )
            if kind == "internal":
                lines = [
                    SourceLine(
                        s.description,
                        s.quantity,
                        s.unit_price,
                        category="E",
                        unit_code=s.unit_code,
                        line_ref=s.line_ref,
                    )
                    for s in lines
                ]
            priced = price(lines, au)
            totals = totals_values(priced)
            templates.append(
                _Template(
                    kind,
                    tuple(
                        tuple(v[c] for c in _LINE_COLUMNS) for v in line_values(priced)
                    ),
                    tuple(
                        tuple(v[c] for c in _TAX_COLUMNS) for v in tax_values(priced)
                    ),
                    tuple(totals[c] for c in _TOTAL_COLUMNS),
                )
            )
        return templates

    def _invoice_rows(
        self, plan: _InvoicePlan, first: int
    ) -> Iterator[tuple[Any, ...]]:
        series, prefix = SERIES[INVOICE]
        sellers = {
            b.id: (
                self.dealer.legal_name,
                compact_key(b.tax_registration),
                b.address,
                b.phone,
            )
            for b in self.branches.values()
        }
        actor_id = self.actor.user_id
        zero = Decimal("0.00")
        for n, year, counter in plan.numbered():
            day = date.fromordinal(plan.days[n])
            buyer = self.buyers[plan.buyers[n]]
            template = plan.templates[plan.chosen[n]]
            left = Decimal(plan.open_cents[n]).scaleb(-2)
            posted = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                hours=n % 8
            )
            yield (
                first + n,
                INVOICE,
                template.kind,
                "posted",
                format_number(prefix, year, counter),
                series,
                day,
                day + timedelta(days=buyer.terms),
                buyer.branch_id,
                self.first_account + plan.buyers[n],
                buyer.number,
                "",
                "AU",
                "AUD",
                False,
                buyer.terms,
                *sellers[buyer.branch_id],
                buyer.number,
                buyer.name,
                buyer.key,
                buyer.tax_id,
                buyer.street,
                buyer.suburb,
                buyer.state,
                buyer.postcode,
                "AU",
                *template.totals,
                left,
                zero,
                posted,
                actor_id,
                posted,
                actor_id,
                1,
                posted,
                actor_id,
            )

    def _payment_rows(
        self, plan: _InvoicePlan, first_invoice: int, first: int
    ) -> Iterator[tuple[Any, ...]]:
        actor_id = self.actor.user_id
        written = 0
        for n in range(len(plan.days)):
            total_cents = int(plan.templates[plan.chosen[n]].total * 100)
            paid = total_cents - plan.open_cents[n]
            if paid <= 0:
                continue
            received = date.fromordinal(plan.days[n] + plan.paid_after[n])
            yield (
                first + written,
                first_invoice + n,
                self.first_account + plan.buyers[n],
                received,
                Decimal(paid).scaleb(-2),
                _METHODS[n % len(_METHODS)],
                f"REM{first_invoice + n}",
                datetime.combine(received, datetime.min.time(), UTC)
                + timedelta(hours=2),
                actor_id,
            )
            written += 1

    def _number_series(self, series: tuple[str, str], last: dict[int, int]) -> None:
        name, prefix = series
        with self.db.write() as session:
            for year, value in sorted(last.items()):
                session.add(
                    NumberSeries(
                        series=name, year=year, prefix=prefix, next_value=value + 1
                    )
                )

    # --- workshop jobs ------------------------------------------------------

    def jobs(self) -> int:
        """Jobs finished and waiting to be invoiced, then jobs booked ahead."""
        rng = self._rng("jobs")
        setup = self.workshop
        planner = _JobPlanner(self, setup, rng)
        planner.finished(self.scale.ready_jobs)
        planner.booked(self.scale.bookings)
        tables = [
            WorkshopJob.__table__,
            JobOperation.__table__,
            BookingInterval.__table__,
            JobCharge.__table__,
            JobInvoicing.__table__,
        ]
        with BulkLoad(self.db) as load:
            first = load.next_id(WorkshopJob.__table__)
            with load.indexes_set_aside(tables):
                written = load.write(
                    WorkshopJob.__table__, _JOB_COLUMNS, planner.job_rows(first)
                )
                written += load.write(
                    JobOperation.__table__,
                    _JOB_OPERATION_COLUMNS,
                    planner.operation_rows(first, load.next_id(JobOperation.__table__)),
                )
                written += load.write(
                    BookingInterval.__table__,
                    _INTERVAL_COLUMNS,
                    planner.interval_rows(
                        first, load.next_id(BookingInterval.__table__)
                    ),
                )
                written += load.write(
                    JobCharge.__table__,
                    _CHARGE_COLUMNS,
                    planner.charge_rows(first, load.next_id(JobCharge.__table__)),
                )
                written += load.write(
                    JobInvoicing.__table__,
                    _JOB_INVOICING_COLUMNS,
                    planner.invoicing_rows(first, load.next_id(JobInvoicing.__table__)),
                )
            load.restart_ids(tables)
        self._number_series((NUMBER_SERIES, NUMBER_PREFIX), planner.last_numbers())
        return written

    # --- open orders ----------------------------------------------------------

    def orders(self) -> int:
        """Trucks on order and parts sales taken, priced by the order rules."""
        with self.db.read() as session:
            ranges = load_ranges(session, self.as_of, skip=[GENERATED_RANGE])
            parts = load_parts(session)
        places = {b.id: jurisdiction_for(b.country) for b in self.branches.values()}
        buyers = [
            OrderBuyer(self._account_id(b.number), b.branch_id, b.rep_id)
            for b in self.buyers
        ]
        planned = OpenOrders(
            self._rng("orders"),
            self.as_of,
            buyers,
            ranges,
            parts,
            places,
            self.actor.user_id,
        )
        planned.plan(self.scale.open_orders)
        tables = [Order.__table__, OrderLine.__table__]
        with BulkLoad(self.db) as load:
            first = load.next_id(Order.__table__)
            with load.indexes_set_aside(tables):
                written = load.write(
                    Order.__table__,
                    list(Order.__table__.columns.keys()),
                    planned.order_rows(Order.__table__, first),
                )
                written += load.write(
                    OrderLine.__table__,
                    list(OrderLine.__table__.columns.keys()),
                    planned.line_rows(
                        OrderLine.__table__, first, load.next_id(OrderLine.__table__)
                    ),
                )
            load.restart_ids(tables)
        for (series, prefix, year), value in sorted(planned.last.items()):
            self._number_series((series, prefix), {year: value})
        return written


class _InvoicePlan:
    """Each generated invoice's day, buyer, lines and open amount, in date order."""

    def __init__(
        self,
        days: array[int],
        buyers: array[int],
        chosen: array[int],
        open_cents: array[int],
        paid_after: array[int],
        templates: list[_Template],
    ) -> None:
        self.days = days
        self.buyers = buyers
        self.chosen = chosen
        self.open_cents = open_cents
        self.paid_after = paid_after
        self.templates = templates
        self.stored_lines: list[list[tuple[Any, ...]]] = []
        self.stored_taxes: list[list[tuple[Any, ...]]] = []

    def store(self, load: BulkLoad) -> None:
        """Convert each template's lines and taxes once, as the database keeps them.

        A generated line gives back nothing: it is no credit note's line.
        """
        lines, taxes = InvoiceLine.__table__, InvoiceTax.__table__
        self.stored_lines = [
            [
                load.stored(lines, (*_LINE_COLUMNS, "price_adjustment"), (*v, False))
                for v in template.lines
            ]
            for template in self.templates
        ]
        self.stored_taxes = [
            [load.stored(taxes, _TAX_COLUMNS, v) for v in template.taxes]
            for template in self.templates
        ]

    def numbered(self) -> Iterator[tuple[int, int, int]]:
        """Each invoice's position, year and number within its year."""
        year, counter = 0, 0
        for n, ordinal in enumerate(self.days):
            this_year = date.fromordinal(ordinal).year
            if this_year != year:
                year, counter = this_year, 0
            counter += 1
            yield n, year, counter

    def last_numbers(self) -> dict[int, int]:
        last: dict[int, int] = {}
        for _, year, counter in self.numbered():
            last[year] = counter
        return last


def _part_rows(
    plan: _InvoicePlan, first_invoice: int, first: int, *, lines: bool
) -> Iterator[tuple[Any, ...]]:
    """The stored lines (or tax subtotals) of every invoice, in invoice order."""
    next_id = first
    parts = plan.stored_lines if lines else plan.stored_taxes
    for n, template_number in enumerate(plan.chosen):
        for values in parts[template_number]:
            yield (next_id, first_invoice + n, *values)
            next_id += 1


_TRUCKS = (
    "Volvo FH 540 prime mover, new",
    "Volvo FM 460 rigid, new",
    "Mack Anthem prime mover, new",
    "UD Quon GW 26 460, new",
    "Volvo FH16 700 prime mover, used",
)


@dataclass
class _Cursor:
    """How far back a mechanic's finished work reaches: a day, a period, minutes."""

    day: date
    period: int | None = None
    used: int = 0


@dataclass
class _Job:
    number: str
    status: str
    source: str
    customer_id: int
    vehicle_id: int
    odometer: int
    operation: LabourOperation
    mechanic_id: int
    bay_id: int | None
    starts_at: datetime
    ends_at: datetime
    booked_at: datetime


class _JobPlanner:
    """Places jobs in the workshop's open hours, never two on one mechanic or bay."""

    def __init__(self, owner: _Generator, setup: WorkshopSetup, rng: random.Random):
        self.owner = owner
        self.setup = setup
        self.rng = rng
        self.jobs: list[_Job] = []
        self.counters: dict[int, int] = {}
        self.rate = setup.labour_rate
        self.days: dict[date, list[tuple[int, int, int]]] = {}
        # Work short enough to fit in one opening period, with a bay for it
        # when it needs one, by the skill it needs.
        self.by_skill: dict[str | None, list[LabourOperation]] = {}
        for op in owner.operations:
            if op.standard_hours <= 4 and (op.bay_type is None or self._bay_for(op)):
                self.by_skill.setdefault(op.skill, []).append(op)

    def _number(self, booked_at: datetime) -> str:
        year = booked_at.astimezone(self.setup.zone).year
        self.counters[year] = self.counters.get(year, 0) + 1
        return format_number(NUMBER_PREFIX, year, self.counters[year])

    def last_numbers(self) -> dict[int, int]:
        return dict(self.counters)

    def _vehicle(self) -> tuple[int, int, int]:
        owner = self.owner
        pick = self.rng.randrange(len(owner.owned_ids))
        return owner.owned_ids[pick], owner.owners[pick], owner.odometers[pick]

    def _work_for(self, skills: frozenset[str]) -> LabourOperation:
        fitting = [
            op
            for skill, ops in self.by_skill.items()
            if skill is None or skill in skills
            for op in ops
        ]
        return self.rng.choice(fitting)

    def _bay_for(self, operation: LabourOperation) -> list[int]:
        wanted = operation.bay_type
        if wanted is None:
            return []
        return [
            int(bay.id)
            for bay in self.setup.bays
            if bay.bay_type == wanted or wanted in bay.also_serves
        ]

    def finished(self, count: int) -> None:
        """Jobs done in the weeks before, mechanic by mechanic, latest first.

        Each mechanic works back from the day before; the first mechanics
        each keep a bay of their own, the others work without one.
        """
        mechanics = list(self.setup.mechanics)
        own_bays = [int(b.id) for b in self.setup.bays]
        cursors = [_Cursor(self.owner.as_of - timedelta(days=1)) for _ in mechanics]
        for made in range(count):
            index = made % len(mechanics)
            mechanic = mechanics[index]
            operation = self._work_for(mechanic.skills)
            begin, finish = self._earlier(cursors[index], operation)
            starts_at = _instant(begin)
            vehicle, customer, odometer = self._vehicle()
            booked_at = starts_at - timedelta(days=7 + self.rng.randrange(14))
            self.jobs.append(
                _Job(
                    self._number(booked_at),
                    JobStatus.FINISHED.value,
                    self.rng.choice(("planned", "customer", "unplanned")),
                    customer,
                    vehicle,
                    odometer,
                    operation,
                    int(mechanic.id),
                    own_bays[index] if index < len(own_bays) else None,
                    starts_at,
                    _instant(finish),
                    booked_at,
                )
            )

    def _periods(self, day: date) -> list[tuple[int, int, int]]:
        if day not in self.days:
            self.days[day] = self.setup.calendar.day_periods(day)
        return self.days[day]

    def _earlier(self, cursor: _Cursor, operation: LabourOperation) -> tuple[int, int]:
        """The latest open span of the operation's length before the cursor."""
        minutes = int(operation.standard_hours * 60)
        while True:
            periods = self._periods(cursor.day)
            if cursor.period is None:
                cursor.period = len(periods) - 1
            while cursor.period >= 0:
                start, end, _ = periods[cursor.period]
                finish = end - cursor.used
                if finish - minutes >= start:
                    cursor.used += minutes
                    return finish - minutes, finish
                cursor.period -= 1
                cursor.used = 0
            cursor.day -= timedelta(days=1)
            cursor.period = None
            cursor.used = 0

    def booked(self, count: int) -> None:
        """Jobs booked over the coming weeks on the quarter hour."""
        setup = self.setup
        taken: dict[str, list[tuple[int, int]]] = {}
        first = self.owner.as_of + timedelta(days=1)
        days = [first + timedelta(days=n) for n in range(BOOKING_WEEKS * 7)]
        open_days = [(d, self._periods(d)) for d in days]
        open_days = [(d, p) for d, p in open_days if p]
        mechanics = list(setup.mechanics)

        def free(key: str, start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e in taken.get(key, ()))

        made = 0
        tries = 0
        while made < count:
            tries += 1
            if tries > count * 200:
                raise DealerError(
                    f"The workshop has no room for {count} bookings in "
                    f"{BOOKING_WEEKS} weeks: give it more mechanics."
                )
            _, periods = self.rng.choice(open_days)
            start, end, _ = self.rng.choice(periods)
            mechanic = self.rng.choice(mechanics)
            operation = self._work_for(mechanic.skills)
            minutes = int(operation.standard_hours * 60)
            room = (end - start - minutes) // 15
            if room < 0:
                continue
            begin = start + 15 * self.rng.randint(0, room)
            finish = begin + minutes
            bays = self._bay_for(operation)
            keys = [resource_key("mechanic", mechanic.id)]
            bay_id = None
            if bays:
                bay_id = self.rng.choice(bays)
                keys.append(resource_key("bay", bay_id))
            if not all(free(key, begin, finish) for key in keys):
                continue
            for key in keys:
                taken.setdefault(key, []).append((begin, finish))
            vehicle, customer, odometer = self._vehicle()
            booked_at = self.owner.stamp - timedelta(hours=self.rng.randrange(400))
            self.jobs.append(
                _Job(
                    self._number(booked_at),
                    JobStatus.BOOKED.value,
                    self.rng.choice(("planned", "customer", "workshop")),
                    customer,
                    vehicle,
                    odometer,
                    operation,
                    int(mechanic.id),
                    bay_id,
                    _instant(begin),
                    _instant(finish),
                    booked_at,
                )
            )
            made += 1

    def _labour(self, job: _Job) -> tuple[Decimal, Decimal]:
        hours = job.operation.standard_hours
        return hours, to_cent(hours * self.rate)

    def job_rows(self, first: int) -> Iterator[tuple[Any, ...]]:
        actor_id = self.owner.actor.user_id
        zero = Decimal("0.00")
        for n, job in enumerate(self.jobs):
            done = job.status == JobStatus.FINISHED.value
            _, labour = self._labour(job)
            yield (
                first + n,
                job.number,
                self.setup.branch_id,
                job.source,
                job.status,
                job.customer_id,
                job.vehicle_id,
                job.operation.description,
                None,
                "",
                int(job.operation.standard_hours * 60),
                labour,
                zero,
                "",
                False,
                job.mechanic_id,
                job.bay_id,
                job.starts_at,
                job.ends_at,
                job.booked_at,
                actor_id,
                "",
                None,
                job.starts_at - timedelta(minutes=20) if done else None,
                job.odometer if done else None,
                done,
                "",
                "",
                job.ends_at if done else None,
                "Work done as booked." if done else "",
                "",
                None,
                None,
                1,
                job.ends_at if done else job.booked_at,
                actor_id,
            )

    def operation_rows(self, first_job: int, first: int) -> Iterator[tuple[Any, ...]]:
        for n, job in enumerate(self.jobs):
            hours, _ = self._labour(job)
            op = job.operation
            yield (
                first + n,
                first_job + n,
                1,
                op.id,
                op.code,
                op.description,
                int(hours * 60),
                hours,
                self.rate,
                "customer",
                False,
                "agreed",
                "",
                "",
                None,
            )

    def interval_rows(self, first_job: int, first: int) -> Iterator[tuple[Any, ...]]:
        next_id = first
        branch_id = self.setup.branch_id
        for n, job in enumerate(self.jobs):
            yield (
                next_id,
                first_job + n,
                branch_id,
                resource_key("mechanic", job.mechanic_id),
                job.mechanic_id,
                None,
                job.starts_at,
                job.ends_at,
            )
            next_id += 1
            if job.bay_id is not None:
                yield (
                    next_id,
                    first_job + n,
                    branch_id,
                    resource_key("bay", job.bay_id),
                    None,
                    job.bay_id,
                    job.starts_at,
                    job.ends_at,
                )
                next_id += 1

    def _finished(self, first_job: int) -> Iterator[tuple[int, _Job]]:
        for n, job in enumerate(self.jobs):
            if job.status == JobStatus.FINISHED.value:
                yield first_job + n, job

    def charge_rows(self, first_job: int, first: int) -> Iterator[tuple[Any, ...]]:
        for n, (job_id, job) in enumerate(self._finished(first_job)):
            hours, _ = self._labour(job)
            op = job.operation
            yield (
                first + n,
                job_id,
                "customer",
                1,
                "labour",
                op.code,
                op.description,
                hours,
                self.rate,
                "S",
            )

    def invoicing_rows(self, first_job: int, first: int) -> Iterator[tuple[Any, ...]]:
        for n, (job_id, job) in enumerate(self._finished(first_job)):
            yield (first + n, job_id, "customer", INVOICE_READY, job.ends_at, "")


def _instant(minute: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)


_VERSIONED = ("version", "updated_at", "updated_by_id")
# The import's own columns, with the id the generator gives each row.
_ACCOUNT_COLUMNS = ("id", *ACCOUNT_IMPORT_COLUMNS)
_CONTACT_COLUMNS = (
    "id",
    "account_id",
    "name",
    "position",
    "phone",
    "email",
    "primary",
    *_VERSIONED,
)
_VEHICLE_COLUMNS = ("id", *VEHICLE_IMPORT_COLUMNS)
_INVOICE_COLUMNS = (
    "id",
    "document_type",
    "kind",
    "status",
    "number",
    "series",
    "invoice_date",
    "due_date",
    "branch_id",
    "account_id",
    "buyer_reference",
    "note",
    "country",
    "currency",
    "prices_include_tax",
    "payment_terms_days",
    "seller_name",
    "seller_abn",
    "seller_address",
    "seller_phone",
    "buyer_number",
    "buyer_name",
    "buyer_key",
    "buyer_abn",
    "buyer_street",
    "buyer_suburb",
    "buyer_state",
    "buyer_postcode",
    "buyer_country",
    *_TOTAL_COLUMNS,
    "open_amount",
    "credited_amount",
    "created_at",
    "created_by_id",
    "posted_at",
    "posted_by_id",
    *_VERSIONED,
)
_PAYMENT_COLUMNS = (
    "id",
    "invoice_id",
    "account_id",
    "received_on",
    "amount",
    "method",
    "reference",
    "recorded_at",
    "recorded_by_id",
)
_JOB_COLUMNS = (
    "id",
    "number",
    "branch_id",
    "source",
    "status",
    "customer_id",
    "vehicle_id",
    "requested_work",
    "vehicle_length_m",
    "vehicle_bay_types",
    "estimate_minutes",
    "estimate_labour",
    "estimate_parts",
    "financial_status",
    "credit_hold_at_booking",
    "mechanic_id",
    "bay_id",
    "starts_at",
    "ends_at",
    "booked_at",
    "booked_by_id",
    "cancel_reason",
    "closed_at",
    "arrived_at",
    "odometer_km",
    "agreed_work_confirmed",
    "other_issues",
    "inspection_notes",
    "finished_at",
    "findings",
    "handover_notes",
    "next_service_due",
    "next_service_km",
    *_VERSIONED,
)
_JOB_OPERATION_COLUMNS = (
    "id",
    "job_id",
    "position",
    "operation_id",
    "code",
    "description",
    "standard_minutes",
    "hours",
    "labour_rate",
    "payer",
    "extra",
    "status",
    "authorised_by",
    "authorised_how",
    "authorised_at",
)
_INTERVAL_COLUMNS = (
    "id",
    "job_id",
    "branch_id",
    "resource_key",
    "mechanic_id",
    "bay_id",
    "starts_at",
    "ends_at",
)
_CHARGE_COLUMNS = (
    "id",
    "job_id",
    "payer",
    "position",
    "kind",
    "code",
    "description",
    "quantity",
    "unit_price",
    "tax_category",
)
_JOB_INVOICING_COLUMNS = (
    "id",
    "job_id",
    "payer",
    "status",
    "ready_at",
    "invoice_reference",
)


def counts(db: Database) -> dict[str, int]:
    """How many rows the generated tables hold."""
    tables = {
        "accounts": Account,
        "contacts": Contact,
        "vehicles": Vehicle,
        "invoices": Invoice,
        "invoice_lines": InvoiceLine,
        "invoice_taxes": InvoiceTax,
        "payments": Payment,
        "workshop_jobs": WorkshopJob,
        "booking_intervals": BookingInterval,
        "orders": Order,
    }
    with db.read() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in tables.items()
        }


__all__ = [
    "SIZES",
    "Scale",
    "StepReport",
    "build_scaled",
    "clear_for_build",
    "counts",
    "generated_marker",
    "is_current",
    "workshop_setup_text",
]
