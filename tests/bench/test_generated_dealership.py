"""The generated dealership: its sizes, its determinism and its consistency."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from dealer_tui.core.db import Database
from dealer_tui.core.models import NumberSeries
from dealer_tui.core.services import batch_actor
from dealer_tui.demo.scale import (
    GENERATED_RANGE,
    Scale,
    build_scaled,
    counts,
    generated_marker,
    is_current,
)
from dealer_tui.demo.synth import DEMO_SEED
from dealer_tui.invoicing.document import price
from dealer_tui.invoicing.models import Invoice, InvoiceLine, InvoiceTax, Payment
from dealer_tui.invoicing.services import (
    DraftForm,
    LineForm,
    create_draft,
    post_invoice,
)
from dealer_tui.invoicing.sources import SourceLine
from dealer_tui.invoicing.tax import jurisdiction_for
from dealer_tui.orders.common import price as order_price
from dealer_tui.orders.models import Order
from dealer_tui.workshop.models import BookingInterval, WorkshopJob
from tests.bench.conftest import TINY


def test_a_scale_is_a_name_or_a_factor_of_the_largest() -> None:
    """'tiny' is a thousandth of large; '0.25' a quarter; counts never fall to 0."""
    tiny = Scale.parse("tiny")
    assert (tiny.accounts, tiny.vehicles, tiny.invoices) == (200, 500, 1000)
    assert (tiny.open_jobs, tiny.bookings, tiny.ready_jobs) == (60, 20, 40)
    assert (tiny.mechanics, tiny.bays, tiny.options, tiny.rules) == (4, 2, 80, 60)
    large = Scale.parse("LARGE")
    assert (large.accounts, large.vehicles, large.invoices) == (
        200_000,
        500_000,
        1_000_000,
    )
    assert (large.open_jobs, large.bookings, large.mechanics, large.bays) == (
        50_000,
        2_000,
        40,
        20,
    )
    assert (large.options, large.rules) == (2_500, 3_000)
    assert (tiny.open_orders, large.open_orders) == (12, 10_000)
    quarter = Scale.parse("0.25")
    assert (quarter.label, quarter.accounts) == ("x0.25", 50_000)
    assert quarter.file_name() == "demo-x0.25.sqlite3"
    assert quarter.file_name(7) == "demo-x0.25-seed7.sqlite3"


@pytest.mark.parametrize("typed", ["huge", "0", "-1", "5", ""])
def test_a_scale_that_is_no_scale_is_refused_with_the_sizes(typed: str) -> None:
    """Anything else is refused by a sentence that lists what may be given."""
    with pytest.raises(ValueError, match="tiny, small, medium, large"):
        Scale.parse(typed)


def test_the_tiny_dealership_has_the_counts_of_its_scale(tiny_db: Database) -> None:
    """200 customers, 500 vehicles, 1,000 invoices, 60 jobs, 20 booked ahead."""
    found = counts(tiny_db)
    assert found["accounts"] == 200
    assert found["vehicles"] == 500
    assert found["invoices"] == 1000
    assert found["workshop_jobs"] == 60
    assert found["orders"] == 12
    assert found["contacts"] > 200
    assert found["invoice_lines"] >= 1000
    assert found["invoice_taxes"] == 1000
    with tiny_db.read() as session:
        booked = session.scalar(
            select(func.count())
            .select_from(WorkshopJob)
            .where(WorkshopJob.status == "booked")
        )
    assert booked == 20
    marker = generated_marker(tiny_db)
    assert marker is not None
    assert (marker["scale"], marker["seed"]) == ("tiny", DEMO_SEED)
    assert is_current(tiny_db, TINY, DEMO_SEED)
    assert not is_current(tiny_db, TINY, DEMO_SEED + 1)
    assert not is_current(tiny_db, Scale.parse("small"), DEMO_SEED)


def _rows(db: Database, table: str) -> list[tuple[object, ...]]:
    with db.engine.connect() as connection:
        return list(connection.execute(text(f"SELECT * FROM {table} ORDER BY id")))


def test_the_same_seed_gives_the_same_dealership(tmp_path, tiny_db: Database) -> None:
    """A second build from the same seed writes the very same rows."""
    again = Database.open(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    build_scaled(again, TINY, DEMO_SEED)
    for table in (
        "accounts",
        "contacts",
        "vehicles",
        "invoices",
        "invoice_lines",
        "payments",
        "workshop_jobs",
        "booking_intervals",
        "orders",
        "order_lines",
    ):
        assert _rows(again, table) == _rows(tiny_db, table), table
    again.dispose()


def test_every_invoice_adds_up_as_posting_would_make_it(tiny_db: Database) -> None:
    """Totals are the sum of their lines and taxes, and pricing agrees to the cent."""
    with tiny_db.read() as session:
        lines: dict[int, list[InvoiceLine]] = defaultdict(list)
        for line in session.scalars(select(InvoiceLine).order_by(InvoiceLine.id)):
            lines[line.invoice_id].append(line)
        taxes: dict[int, Decimal] = defaultdict(Decimal)
        for tax in session.scalars(select(InvoiceTax)):
            taxes[tax.invoice_id] += tax.tax_amount
        paid: dict[int, Decimal] = defaultdict(Decimal)
        for payment in session.scalars(select(Payment)):
            paid[payment.invoice_id] += payment.amount
        invoices = list(session.scalars(select(Invoice).order_by(Invoice.id)))
    au = jurisdiction_for("AU")
    for invoice in invoices:
        nets = sum((line.net_amount for line in lines[invoice.id]), Decimal("0.00"))
        assert invoice.tax_exclusive_total == nets
        assert invoice.tax_total == taxes[invoice.id]
        assert invoice.total == invoice.tax_exclusive_total + invoice.tax_total
        assert invoice.open_amount + paid[invoice.id] == invoice.total
        assert invoice.status == "posted" and invoice.due_date > invoice.invoice_date
    for invoice in invoices[::97]:
        priced = price(
            [
                SourceLine(
                    line.description,
                    line.quantity,
                    line.unit_price,
                    line.discount,
                    line.category,
                    line.rate,
                    line.unit_code,
                )
                for line in lines[invoice.id]
            ],
            au,
        )
        assert priced.totals.payable_amount == invoice.total


def test_invoice_numbers_run_without_a_gap_in_each_year(tiny_db: Database) -> None:
    """INV2021-000001 onwards in date order; each year's counter is one past."""
    with tiny_db.read() as session:
        found = session.execute(
            select(Invoice.number, Invoice.invoice_date).order_by(Invoice.id)
        ).all()
        series = {
            row.year: row.next_value
            for row in session.scalars(
                select(NumberSeries).where(NumberSeries.series == "INV")
            )
        }
    by_year: dict[int, list[int]] = defaultdict(list)
    for number, day in found:
        assert number.startswith(f"INV{day.year}-")
        by_year[day.year].append(int(number.split("-")[1]))
    assert min(by_year) == 2021 and max(by_year) == 2026
    for year, counters in by_year.items():
        assert counters == list(range(1, len(counters) + 1))
        assert series[year] == len(counters) + 1
    days = [day for _, day in found]
    assert days == sorted(days) and days[-1] < date(2026, 12, 4)


def test_no_mechanic_or_bay_is_booked_twice_for_a_minute(tiny_db: Database) -> None:
    """No two intervals of one resource overlap, past or booked ahead."""
    with tiny_db.engine.connect() as connection:
        clashes = connection.execute(
            text(
                "SELECT count(*) FROM booking_intervals a JOIN booking_intervals b "
                "ON a.resource_key = b.resource_key AND a.id < b.id "
                "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
            )
        ).scalar_one()
        orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    assert clashes == 0
    assert orphans == []
    with tiny_db.read() as session:
        spans = session.scalar(select(func.count()).select_from(BookingInterval))
    assert spans >= 60


def test_the_workstation_works_on_after_a_build(db: Database) -> None:
    """On each database a new invoice takes the next number and the next free id."""
    build_scaled(db, TINY, DEMO_SEED)
    clerk = batch_actor(db, "jo.admin")
    with db.read() as session:
        number = session.scalar(select(func.min(Invoice.buyer_number)))
        last_id = session.scalar(select(func.max(Invoice.id)))
        next_values = dict(
            session.execute(
                select(NumberSeries.year, NumberSeries.next_value).where(
                    NumberSeries.series == "INV"
                )
            ).all()
        )
        ranges = session.scalar(
            text("SELECT count(*) FROM catalog_ranges WHERE code = :code"),
            {"code": GENERATED_RANGE},
        )
    draft = create_draft(
        db,
        clerk,
        DraftForm(customer=number),
        [LineForm("Workshop labour", "2.5", "185.00", unit_code="HUR")],
    )
    assert draft.id == last_id + 1
    posted = post_invoice(db, clerk, draft.id, draft.version)
    year = posted.invoice_date.year
    assert posted.number == f"INV{year}-{next_values.get(year, 1):06d}"
    assert ranges == 1


def test_open_orders_are_priced_and_numbered_as_entry_makes_them(
    tiny_db: Database,
) -> None:
    """Every open order's figures are what the order rules give; no number skipped."""
    with tiny_db.read() as session:
        orders = list(session.scalars(select(Order).order_by(Order.id)))
        assert len(orders) == 12
        assert {o.state for o in orders} <= {
            "entered",
            "confirmed",
            "ordered_from_factory",
        }
        for order in orders:
            figures = order_price(session, order)
            assert (order.list_total, order.net_total, order.gst, order.total) == (
                figures.list_total,
                figures.net_total,
                figures.gst,
                figures.total,
            ), order.number
            assert tuple(line.net for line in order.lines) == figures.line_nets
            families = [line.family for line in order.lines if line.kind == "option"]
            assert len(families) == len(set(families)), order.number
        series = {
            (s.series, s.year): s.next_value
            for s in session.scalars(
                select(NumberSeries).where(
                    NumberSeries.series.in_(["vehicle_order", "parts_sale"])
                )
            )
        }
    by_series: dict[tuple[str, int], list[int]] = defaultdict(list)
    for order in orders:
        name = "vehicle_order" if order.kind == "vehicle" else "parts_sale"
        by_series[(name, order.ordered_on.year)].append(int(order.number[-6:]))
    for key, numbers in by_series.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
        assert series[key] == len(numbers) + 1, key
