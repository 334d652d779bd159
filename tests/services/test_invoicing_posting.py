"""Drafts, posting, numbers and the frozen posted invoice, on both databases."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import AccountForm, account_view, update_account
from dealer_tui.core.db import Database
from dealer_tui.core.errors import (
    PermissionDenied,
    Refused,
    StaleRecord,
    ValidationFailed,
)
from dealer_tui.core.models import AuditEntry
from dealer_tui.invoicing.models import Invoice, InvoiceLine
from dealer_tui.invoicing.services import (
    DraftForm,
    LineForm,
    add_line,
    create_draft,
    discard_draft,
    invoice_view,
    post_invoice,
    remove_line,
)
from tests.services.helpers import small_dealer, user
from tests.services.invoicing_support import add_customers

FILTER = LineForm("Oil filter", "3", "33.335")
LABOUR = LineForm("Workshop labour", "2.5", "150.00", "10.00", unit_code="HUR")


@pytest.fixture
def clerk(db: Database):  # type: ignore[no-untyped-def]
    admin = small_dealer(db)
    add_customers(db, admin)
    return user(db, "sales_admin")


def test_a_draft_is_priced_but_has_no_number(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """3 x 33.335 nets 100.01 and 2.5 x 150 - 10 nets 365.00; no number yet."""
    view = create_draft(db, clerk, DraftForm("c1"), [FILTER, LABOUR])
    assert view.status == "draft"
    assert view.number == ""
    assert [line.net_amount for line in view.lines] == [D("100.01"), D("365.00")]
    assert view.tax_exclusive_total == D("465.01")
    # 10% of 465.01 is 46.501: 46.50 of GST, 511.51 in all.
    assert view.tax_total == D("46.50")
    assert view.total == D("511.51")
    assert view.buyer_reference == "C1"
    assert view.why_not["print"].startswith("A draft has no number")


def test_every_bad_line_is_named_by_line_and_field(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """A blank price on line 1 and a negative quantity on line 2 are both named."""
    with pytest.raises(ValidationFailed) as caught:
        create_draft(
            db,
            clerk,
            DraftForm("C1"),
            [LineForm("Filter", "1", ""), LineForm("Hose", "-1", "5.00")],
        )
    assert {(p.line, p.field) for p in caught.value.problems} == {
        (1, "unit_price"),
        (2, "quantity"),
    }
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_an_unknown_customer_is_named(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """Drafting for customer C9 names the customer field."""
    with pytest.raises(ValidationFailed) as caught:
        create_draft(db, clerk, DraftForm("C9"), [FILTER])
    assert caught.value.problems[0].field == "customer"


def test_lines_are_added_and_removed_on_a_draft(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """Adding the labour line and removing the filter leaves 365.00 net."""
    view = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    view = add_line(db, clerk, view.id, view.version, LABOUR)
    assert [line.position for line in view.lines] == [1, 2]
    view = remove_line(db, clerk, view.id, view.version, 1)
    assert [(line.position, line.description) for line in view.lines] == [
        (1, "Workshop labour")
    ]
    assert view.total == D("401.50")


def test_a_stale_draft_is_not_changed(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """Adding a line with the version read before someone else's change is refused."""
    view = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    add_line(db, clerk, view.id, view.version, LABOUR)
    with pytest.raises(StaleRecord):
        add_line(db, clerk, view.id, view.version, LABOUR)


def test_a_bad_new_line_names_its_field(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """A new line with a price of '12.3.4' is refused naming unit_price."""
    view = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    with pytest.raises(ValidationFailed) as caught:
        add_line(db, clerk, view.id, view.version, LineForm("X", "1", "12.3.4"))
    assert [p.field for p in caught.value.problems] == ["unit_price"]


def test_posting_numbers_the_invoice_and_opens_it(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """The first invoice of the year is INV<year>-000001, due after 30 days."""
    draft = create_draft(db, clerk, DraftForm("C1"), [FILTER, LABOUR])
    posted = post_invoice(db, clerk, draft.id, draft.version)
    year = posted.invoice_date.year
    assert posted.number == f"INV{year}-000001"
    assert posted.status == "posted"
    assert posted.state == "open"
    assert posted.open_amount == posted.total == D("511.51")
    assert posted.due_date is not None
    assert (posted.due_date - posted.invoice_date).days == 30
    assert [
        (t.category, t.rate, t.taxable_amount, t.tax_amount) for t in posted.taxes
    ] == [("S", D("10.0000"), D("465.01"), D("46.50"))]
    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "invoice")
        ).all()
    assert actions == ["draft", "post"]


def test_numbers_follow_the_year_of_the_invoice_date(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """An invoice dated last year takes the first number of last year's series."""
    this = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    this = post_invoice(db, clerk, this.id, this.version)
    year = this.invoice_date.year
    last = create_draft(
        db, clerk, DraftForm("C1", invoice_date=f"{year - 1}-12-31"), [FILTER]
    )
    last = post_invoice(db, clerk, last.id, last.version)
    again = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    again = post_invoice(db, clerk, again.id, again.version)
    assert [this.number, last.number, again.number] == [
        f"INV{year}-000001",
        f"INV{year - 1}-000001",
        f"INV{year}-000002",
    ]


def test_a_posted_invoice_cannot_be_posted_or_changed_again(
    db: Database, clerk
) -> None:  # type: ignore[no-untyped-def]
    """Posting twice, adding a line or discarding a posted invoice is refused."""
    draft = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    posted = post_invoice(db, clerk, draft.id, draft.version)
    for attempt in (
        lambda: post_invoice(db, clerk, posted.id, posted.version),
        lambda: add_line(db, clerk, posted.id, posted.version, LABOUR),
        lambda: discard_draft(db, clerk, posted.id, posted.version, "oops"),
    ):
        with pytest.raises(Refused, match="credit note"):
            attempt()


def test_a_draft_without_lines_is_not_posted(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """Posting an empty draft is refused and takes no number."""
    draft = create_draft(db, clerk, DraftForm("C1"))
    assert draft.why_not["post"].startswith("The draft has no lines")
    with pytest.raises(Refused, match="add a line"):
        post_invoice(db, clerk, draft.id, draft.version)
    other = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    posted = post_invoice(db, clerk, other.id, other.version)
    assert posted.number.endswith("-000001")


def test_a_discarded_draft_is_gone_and_audited(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """Discarding needs a reason; the draft and its lines are deleted."""
    draft = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    with pytest.raises(ValidationFailed):
        discard_draft(db, clerk, draft.id, draft.version, " ")
    discard_draft(db, clerk, draft.id, draft.version, "raised twice")
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(InvoiceLine)) == 0
        note = session.scalar(
            select(AuditEntry.note).where(AuditEntry.action == "discard")
        )
    assert note == "raised twice"


def test_posting_freezes_the_buyer(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """Renaming the customer after posting leaves the posted invoice's name alone."""
    draft = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    posted = post_invoice(db, clerk, draft.id, draft.version)
    account = account_view(db, clerk, posted.account_id)
    update_account(
        db,
        clerk,
        account.id,
        account.version,
        AccountForm(
            "Bayside Logistics Pty Ltd",
            account.tax_id,
            "",
            "",
            "9 New Street",
            "Laverton",
            "VIC",
            "3028",
        ),
    )
    again = invoice_view(db, clerk, posted.id)
    assert again.customer_name == "Bayside Haulage Pty Ltd"
    assert again.customer_address == "1 Bay Street, Altona VIC 3018"


def test_the_database_refuses_to_change_a_posted_invoice(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """Raw updates of a posted line's price or of the total are refused."""
    draft = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    posted = post_invoice(db, clerk, draft.id, draft.version)
    statements = [
        update(InvoiceLine)
        .where(InvoiceLine.invoice_id == posted.id)
        .values(unit_price=D("1.00")),
        update(Invoice).where(Invoice.id == posted.id).values(total=D("1.00")),
        text("DELETE FROM invoice_lines"),
        text("DELETE FROM invoices"),
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="never changes"), db.write() as session:
            session.execute(statement)
    # What may move after posting still moves.
    with db.write() as session:
        session.execute(
            update(Invoice).where(Invoice.id == posted.id).values(open_amount=0)
        )


def test_the_database_lets_a_draft_change(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """The same raw update of a draft's line goes through."""
    draft = create_draft(db, clerk, DraftForm("C1"), [FILTER])
    with db.write() as session:
        session.execute(
            update(InvoiceLine)
            .where(InvoiceLine.invoice_id == draft.id)
            .values(unit_price=D("1.00"))
        )


@pytest.mark.parametrize(
    ("username", "permitted"),
    [("counter", False), ("sales_rep", False), ("sales_admin", True)],
)
def test_only_the_sales_office_drafts_and_posts(
    db: Database, username: str, permitted: bool
) -> None:
    """Counter staff and sales representatives may not draft invoices."""
    admin = small_dealer(db)
    add_customers(db, admin)
    actor = user(db, username)
    if permitted:
        draft = create_draft(db, actor, DraftForm("C1"), [FILTER])
        post_invoice(db, actor, draft.id, draft.version)
    else:
        with pytest.raises(PermissionDenied):
            create_draft(db, actor, DraftForm("C1"), [FILTER])


def test_a_future_invoice_date_is_refused(db: Database, clerk) -> None:  # type: ignore[no-untyped-def]
    """A draft dated in the year 2999 names the invoice_date field."""
    with pytest.raises(ValidationFailed) as caught:
        create_draft(db, clerk, DraftForm("C1", invoice_date="2999-01-01"), [FILTER])
    assert caught.value.problems[0].field == "invoice_date"


def test_a_tax_inclusive_draft_keeps_the_quoted_price(db: Database, clerk) -> None:
    """A part quoted at 99.99 including GST is 99.99 due: 90.90 net, 9.09 GST."""
    view = create_draft(
        db,
        clerk,
        DraftForm("C2", prices_include_tax=True),
        [LineForm("Windscreen", "1", "99.99")],
    )
    assert (view.total, view.tax_total, view.lines[0].net_amount) == (
        D("99.99"),
        D("9.09"),
        D("90.90"),
    )
    with db.read() as session:
        terms = session.scalar(
            select(Account.payment_terms_days).where(Account.number == "C2")
        )
    posted = post_invoice(db, clerk, view.id, view.version)
    assert posted.due_date is not None
    assert (posted.due_date - posted.invoice_date).days == terms == 14
