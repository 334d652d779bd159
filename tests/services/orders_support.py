"""A small dealership for the order tests, set up through its own imports.

One Melbourne branch (GST 10%), three customers (a fleet with room on its
limit, a freight company with a 20,000.00 limit, one on account hold),
the Volvo FH range and its products, a few parts in stock, trucks in
stock, and a workshop that can do a pre-delivery inspection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import import_customers
from dealer_tui.catalog.quotes import (
    PricingForm,
    TradeInForm,
    accept,
    new_quote,
    open_configurator,
    save_configuration,
    send,
    set_discounts,
    set_trade_in,
)
from dealer_tui.catalog.services import import_products, import_range
from dealer_tui.core.auth import Actor
from dealer_tui.core.config import fixtures_dir
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.demo.synth import build_vin
from dealer_tui.orders.models import StockUnit
from dealer_tui.orders.stock import receive_units
from dealer_tui.parts.services import import_parts, import_stock
from dealer_tui.workshop.imports import import_operations, import_workshop_setup
from tests.services.helpers import small_dealer, user

D = Decimal
CATALOG = fixtures_dir() / "catalog"
START = datetime(2026, 1, 1, tzinfo=UTC).date()
# Thursday 3 December 2026, 9:30 in Melbourne.
NOW = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)

CUSTOMERS = """\
number,name,credit_limit,payment_terms_days,credit_hold,sales_rep
C1,Bayside Haulage Pty Ltd,2000000.00,30,no,sales_rep
C2,Coastal Freight Lines Pty Ltd,20000.00,30,no,sales_rep
C3,Held Up Transport Pty Ltd,900000.00,30,yes,
"""

PARTS = """\
part_number,description,unit_price,tax_category
21707134,Oil filter,45.60,S
21834199,Air filter element,138.90,S
85143545,Engine oil 10W-30 (litre),9.80,S
"""

STOCK = """\
part_number,branch,bin,on_hand
21707134,MEL,A-01-02,5
21834199,MEL,A-02-01,2
85143545,MEL,BULK,200
"""

WORKSHOP = """
[[workshops]]
branch = "MEL"
holidays = "AU-VIC"
labour_rate = "185.00"
opening_hours = { "mon-fri" = "07:00-12:00, 12:30-16:30" }

[[mechanics]]
branch = "MEL"
code = "ANN"
name = "Ann Roberts"
skills = ["engine", "chassis"]

[[bays]]
branch = "MEL"
code = "S1"
name = "Standard bay 1"
type = "standard"
"""

OPERATIONS = """\
code,description,standard_hours,skill,bay_type
INS120,Chassis and safety inspection,1.25,chassis,standard
ROAD900,Road test,0.50,,
"""

# Volvo (Swedish, no check digit needed) and Mack (North American: the
# ninth character is a check digit) trucks, built with the right digit.
VOLVO_1 = build_vin("YV2", "RT40A", 2026, "B", 100001)
VOLVO_2 = build_vin("YV2", "RT40A", 2026, "B", 100002)
MACK_1 = build_vin("1M1", "AN07Y", 2026, "M", 200001)


def units_csv(*rows: str) -> str:
    return "vin,make,model,model_year,branch,cost,received_on,factory_order_ref\n" + (
        "\n".join(rows) + "\n"
    )


STOCK_UNITS = units_csv(
    f"{VOLVO_1},Volvo,FH 540 prime mover,2026,MEL,241000.00,2026-11-20,",
    f"{VOLVO_2},Volvo,FH 540 prime mover,2026,MEL,241000.00,2026-11-24,",
    f"{MACK_1},Mack,Anthem,2026,MEL,229500.00,2026-11-26,",
)


def order_dealer(db: Database, *, workshop: bool = False) -> Actor:
    """The small dealership; returns the administrator."""
    admin = small_dealer(db)
    for importer, text in (
        (import_customers, CUSTOMERS),
        (import_parts, PARTS),
        (import_stock, STOCK),
    ):
        report = importer(db, admin, text_stream(text))
        assert report.written, [str(p) for p in report.problems]
    import_range(db, admin, CATALOG / "volvo-fh.txt", START)
    import_products(db, admin, CATALOG / "products.csv", START)
    report = receive_units(db, admin, text_stream(STOCK_UNITS), at=NOW)
    assert report.written, [str(p) for p in report.problems]
    if workshop:
        for importer, text in (
            (import_workshop_setup, WORKSHOP),
            (import_operations, OPERATIONS),
        ):
            report = importer(db, admin, text_stream(text))
            assert report.written, [str(p) for p in report.problems]
    return admin


def account_id(db: Database, number: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Account.id).where(Account.number == number))
    assert found is not None
    return found


def unit_id(db: Database, vin: str) -> int:
    with db.read() as session:
        found = session.scalar(select(StockUnit.id).where(StockUnit.vin == vin))
    assert found is not None
    return found


def accepted_quote(
    db: Database,
    customer: str = "C1",
    *,
    discount: str = "",
    trade_in: TradeInForm | None = None,
) -> int:
    """An FH prime mover quoted by the rep, sent and accepted; its id."""
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, account_id(db, customer), "FH-PM", "Dave")
    session = open_configurator(db, rep, quote.id)
    try:
        config = session.configuration.choose("D13K540").choose("ATO3112F")
        quote = save_configuration(db, rep, quote.id, quote.version, config)
    finally:
        session.close()
    if discount:
        quote = set_discounts(
            db, rep, quote.id, quote.version, PricingForm({}, discount)
        )
    if trade_in:
        quote = set_trade_in(db, rep, quote.id, quote.version, trade_in)
    quote = send(db, rep, quote.id, quote.version)
    quote = accept(db, rep, quote.id, quote.version)
    return quote.id
