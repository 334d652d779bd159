"""Finding invoices: the list filter, the search, the home panels, the schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import update

from dealer_tui.core.db import Database
from dealer_tui.core.paging import From, PageRequest
from dealer_tui.invoicing.listing import describe_filter, invoice_page, read_list_filter
from dealer_tui.invoicing.models import Invoice
from dealer_tui.invoicing.panels import drafts_to_post, invoice_hits, overdue_invoices
from dealer_tui.invoicing.services import (
    DraftForm,
    LineForm,
    create_draft,
    credit_invoice,
    post_invoice,
    record_payment,
)
from dealer_tui.models import metadata
from dealer_tui.search.services import global_search
from tests.services.helpers import small_dealer, user
from tests.services.invoicing_support import add_customers

LINE = [LineForm("Oil filter", "1", "100.00")]
FAR_FUTURE = datetime(2030, 1, 1, tzinfo=UTC)


def test_the_filter_reads_states_payers_dates_numbers_and_names() -> None:
    """'overdue warranty 2026-11 bay' is overdue warranty invoices of November."""
    wanted = read_list_filter("overdue Warranty 2026-11 bay side")
    assert wanted.overdue
    assert wanted.kinds == {"warranty"}
    assert (wanted.date_from, wanted.date_to) == (date(2026, 11, 1), date(2026, 11, 30))
    assert wanted.customer == "bay side"
    assert read_list_filter("inv2026-0001").number == "INV2026-0001"
    assert read_list_filter("30/11/2026").date_to == date(2026, 11, 30)
    assert read_list_filter("12/2026").date_from == date(2026, 12, 1)
    assert read_list_filter("paid part draft").states == {"paid", "part paid", "draft"}
    assert read_list_filter("credits").document_types == {"credit_note"}
    assert describe_filter(read_list_filter("overdue bay")) == (
        "Showing overdue, customer 'bay'"
    )
    assert describe_filter(read_list_filter("")) == "Showing every invoice"


@pytest.fixture
def office(db: Database):  # type: ignore[no-untyped-def]
    """C1: one paid invoice, one open and overdue by 2030; C2: a draft."""
    admin = small_dealer(db)
    add_customers(db, admin)
    clerk = user(db, "sales_admin")
    paid = create_draft(db, clerk, DraftForm("C1"), LINE)
    paid = post_invoice(db, clerk, paid.id, paid.version)
    record_payment(db, clerk, paid.id, str(paid.total))
    late = create_draft(db, clerk, DraftForm("C1", kind="warranty"), LINE)
    late = post_invoice(db, clerk, late.id, late.version)
    draft = create_draft(db, clerk, DraftForm("C2"), LINE)
    return clerk, paid, late, draft


def _page(db, actor, text, at=FAR_FUTURE):  # type: ignore[no-untyped-def]
    rows, _, _ = invoice_page(db, actor, text, PageRequest(limit=50), at)
    return [(row.number or "draft", row.state) for row in rows]


def test_the_list_filters_as_the_user_types(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    """Each word narrows the list: state, payer, customer and number."""
    clerk, paid, late, _draft = office
    assert _page(db, clerk, "") == [
        (paid.number, "paid"),
        (late.number, "overdue"),
        ("draft", "draft"),
    ]
    assert _page(db, clerk, "overdue") == [(late.number, "overdue")]
    assert _page(db, clerk, "warranty") == [(late.number, "overdue")]
    assert _page(db, clerk, "paid") == [(paid.number, "paid")]
    assert _page(db, clerk, "draft") == [("draft", "draft")]
    assert _page(db, clerk, "novak") == [("draft", "draft")]
    assert _page(db, clerk, "c2") == [("draft", "draft")]
    assert _page(db, clerk, paid.number[:9]) == [
        (paid.number, "paid"),
        (late.number, "overdue"),
    ]
    today = paid.invoice_date
    assert _page(db, clerk, f"{today:%Y-%m} open", today_at(today)) == [
        (late.number, "open")
    ]


def today_at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, tzinfo=UTC)


def test_the_list_pages_by_key(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    """A page of two then the page after it give the three rows in order."""
    clerk, paid, late, draft = office
    rows, keys, more = invoice_page(db, clerk, "", PageRequest(limit=2))
    assert more and [r.id for r in rows] == [paid.id, late.id]
    rest, _, more = invoice_page(db, clerk, "", PageRequest(From.AFTER, keys[-1], 2))
    assert not more and [r.id for r in rest] == [draft.id]


def test_a_credited_invoice_is_shown_as_credited(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    """Crediting the overdue invoice in full makes it 'credited' and not overdue."""
    clerk, _paid, late, _draft = office
    credit_invoice(db, clerk, late.id, "all", "warranty claim refused")
    assert _page(db, clerk, "credited") == [(late.number, "credited")]
    assert _page(db, clerk, "overdue") == []
    assert [state for _, state in _page(db, clerk, "credits")] == ["applied"]


def test_search_finds_a_document_by_its_number(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    """The full number, its start, or the year and counter alone find it."""
    clerk, paid, _late, _draft = office
    year = paid.invoice_date.year
    for typed in (paid.number, paid.number.lower(), f"{year}-000001", f"{year}-1"):
        hits = [h for h in global_search(db, clerk, typed) if h.kind == "invoice"]
        assert [h.title for h in hits][:1] == [paid.number], typed
    with db.read() as session:
        assert invoice_hits(session, "abc", 5) == []


def test_home_panels_show_drafts_and_overdue_invoices(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    """The draft of C2 waits to be posted; the open invoice is overdue by 2030."""
    clerk, paid, late, draft = office
    with db.read() as session:
        drafts = drafts_to_post(session, clerk, date(2030, 1, 1))
        overdue = overdue_invoices(session, clerk, date(2030, 1, 1))
        none_yet = overdue_invoices(session, clerk, paid.invoice_date)
    assert [(r.kind, r.record_id, r.mark) for r in drafts.rows] == [
        ("invoice", draft.id, "DRAFT")
    ]
    assert overdue.total == 1 and overdue.rows[0].record_id == late.id
    assert overdue.rows[0].mark == "OVERDUE"
    assert none_yet.total == 0


def test_the_migrated_tables_match_the_models(db: Database) -> None:
    """The invoicing tables the migration makes are exactly the models' tables."""
    mine = {"invoices", "invoice_lines", "invoice_taxes", "payments"}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [
            d
            for d in compare_metadata(context, metadata)
            if any(table in repr(d) for table in mine)
        ]
    assert differences == []


def test_open_amounts_may_move_on_a_posted_invoice(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    """The guard lets payments move the open amount of a posted invoice."""
    _clerk, _paid, late, _draft = office
    with db.write() as session:
        session.execute(
            update(Invoice)
            .where(Invoice.id == late.id)
            .values(open_amount=D("1.00"), credited_amount=D("0.00"))
        )
