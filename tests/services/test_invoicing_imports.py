"""By-hand invoices and payments from CSV, every bad row named, on both databases."""

from __future__ import annotations

from decimal import Decimal as D

from sqlalchemy import func, select

from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.invoicing.imports import import_invoices, import_payments
from dealer_tui.invoicing.models import Invoice, Payment
from tests.services.helpers import small_dealer, user
from tests.services.invoicing_support import add_customers

HEADER = "reference,customer,invoice_date,description,quantity,unit_price,post\n"
GOOD = HEADER + (
    "R-1,C1,2026-10-01,Labour,2,165.00,yes\n"
    "R-1,C1,2026-10-01,Filter,1,48.90,yes\n"
    "R-2,C2,2026-11-01,Tyre,1,950.00,no\n"
)


def _count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_rows_of_a_reference_become_one_invoice(db: Database) -> None:
    """R-1's two rows post as one invoice of 378.90 + 37.89; R-2 stays a draft."""
    admin = small_dealer(db)
    add_customers(db, admin)
    report = import_invoices(db, user(db, "sales_admin"), text_stream(GOOD))
    assert (report.rows, report.imported, report.written) == (3, 2, True)
    with db.read() as session:
        found = session.execute(
            select(Invoice.buyer_reference, Invoice.status, Invoice.total).order_by(
                Invoice.id
            )
        ).all()
    assert found == [
        ("R-1", "posted", D("416.79")),
        ("R-2", "draft", D("1045.00")),
    ]


def test_a_bad_row_stops_the_whole_file_and_is_named(db: Database) -> None:
    """A changed date, an unknown customer and bad prices are named by line.

    With the good invoices only, R-4 is imported: R-5's good row is left
    out with its bad sibling.
    """
    admin = small_dealer(db)
    add_customers(db, admin)
    bad = HEADER + (
        "R-1,C1,2026-10-01,Labour,2,165.00,yes\n"
        "R-1,C1,2026-10-02,Filter,1,48.90,yes\n"
        "R-2,C9,2026-11-01,Tyre,1,950.00,no\n"
        "R-3,C2,2026-11-01,Tyre,1,abc,no\n"
        "R-4,C2,2026-11-01,Tyre,1,950.00,no\n"
        "R-5,C2,2026-11-01,Hose,1,12.3.4,no\n"
        "R-5,C2,2026-11-01,Tyre,1,950.00,no\n"
    )
    report = import_invoices(db, user(db, "sales_admin"), text_stream(bad))
    assert not report.written
    assert {(p.line, p.field) for p in report.problems} == {
        (3, "invoice_date"),
        (2, "reference"),
        (4, "customer"),
        (5, "unit_price"),
        (7, "unit_price"),
        (8, "reference"),
    }
    assert report.bad_lines == {2, 3, 4, 5, 7, 8}
    assert _count(db, Invoice) == 0
    good_only = import_invoices(
        db, user(db, "sales_admin"), text_stream(bad), good_rows_only=True
    )
    assert good_only.imported == 1
    with db.read() as session:
        assert session.scalars(select(Invoice.buyer_reference)).all() == ["R-4"]


def test_payments_are_matched_by_customer_and_reference(db: Database) -> None:
    """A payment of 400.00 against R-1 leaves 16.79 open; too much is refused."""
    admin = small_dealer(db)
    add_customers(db, admin)
    clerk = user(db, "sales_admin")
    import_invoices(db, clerk, text_stream(GOOD))
    rows = (
        "customer,reference,amount,received_on\n"
        "C1,R-1,400.00,2026-10-20\n"
        "C1,R-1,20.00,2026-10-21\n"
        "C2,R-2,10.00,2026-11-02\n"
    )
    report = import_payments(db, clerk, text_stream(rows))
    assert not report.written
    assert [(p.line, p.field) for p in report.problems] == [
        (3, "amount"),
        (4, "reference"),
    ]
    assert _count(db, Payment) == 0
    report = import_payments(db, clerk, text_stream(rows), good_rows_only=True)
    assert report.imported == 1
    with db.read() as session:
        left = session.scalar(
            select(Invoice.open_amount).where(Invoice.buyer_reference == "R-1")
        )
    assert left == D("16.79")
