"""Customer import and editing on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import (
    AccountForm,
    account_view,
    customer_page,
    import_contacts,
    import_customers,
    set_credit,
    update_account,
)
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied, StaleRecord, ValidationFailed
from dealer_tui.core.models import AuditEntry
from dealer_tui.core.paging import From, PageRequest
from tests.services.helpers import small_dealer, user

GOOD = """number,name,kind,abn,state,branch,credit_limit,payment_terms_days
C000001,Bayside Haulage Pty Ltd,company,52 083 016 613,VIC,MEL,150000.00,30
C000002,Jan Novak,private,,QLD,MEL,0,14
"""

BAD = """number,name,abn,state,credit_limit,payment_terms_days
C000001,Good Row Pty Ltd,,VIC,100.00,30
C000002,,52 083 016 614,XX,12.345,thirty
C000001,Repeated Number,,,,
"""


def _count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Account)) or 0


def test_import_writes_every_good_row(db: Database) -> None:
    """Two good rows are imported with exact credit limits and audited once."""
    admin = small_dealer(db)
    report = import_customers(db, admin, text_stream(GOOD))
    assert (report.rows, report.imported, report.written) == (2, 2, True)
    with db.read() as session:
        limit = session.scalar(
            select(Account.credit_limit).where(Account.number == "C000001")
        )
        audits = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "import")
        )
    assert limit == Decimal("150000.00")
    assert audits == 1


def test_import_with_a_bad_row_writes_nothing_and_names_each_problem(
    db: Database,
) -> None:
    """Line 3's five bad fields and line 4's repeated number are all named."""
    admin = small_dealer(db)
    report = import_customers(db, admin, text_stream(BAD))
    assert not report.written
    assert _count(db) == 0
    named = {(p.line, p.field) for p in report.problems}
    assert named == {
        (3, "name"),
        (3, "abn"),
        (3, "state"),
        (3, "credit_limit"),
        (3, "payment_terms_days"),
        (4, "number"),
    }
    assert report.bad_lines == {3, 4}


def test_import_of_good_rows_only_leaves_the_bad_out(db: Database) -> None:
    """Asked to import the good rows, line 2 is written and lines 3 and 4 are not."""
    admin = small_dealer(db)
    report = import_customers(db, admin, text_stream(BAD), good_rows_only=True)
    assert (report.imported, report.bad_rows) == (1, 2)
    assert _count(db) == 1


def test_import_refuses_a_missing_column(db: Database) -> None:
    """A file without a name column is refused at its header line."""
    admin = small_dealer(db)
    report = import_customers(db, admin, text_stream("number\nC1\n"))
    assert [(p.line, p.field, p.message) for p in report.problems] == [
        (1, "name", "column is missing")
    ]
    assert not report.written


def test_counter_staff_may_not_import(db: Database) -> None:
    """Importing is for sales administrators and administrators."""
    small_dealer(db)
    with pytest.raises(PermissionDenied):
        import_customers(db, user(db, "counter"), text_stream(GOOD))


def test_second_save_of_the_same_version_is_refused_naming_who(db: Database) -> None:
    """Two users open version 1; the second save says the first one changed it."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(GOOD))
    counter, rep = user(db, "counter"), user(db, "sales_rep")
    opened = customer_page(db, counter, "Bayside", PageRequest())[0][0]
    view = account_view(db, counter, opened.id)
    form = AccountForm(
        name=view.name,
        tax_id=view.tax_id,
        phone="(03) 9000 0000",
        email="",
        street="",
        suburb="Altona",
        state="VIC",
        postcode="3018",
    )
    update_account(db, counter, view.id, view.version, form)
    with pytest.raises(StaleRecord) as refused:
        update_account(db, rep, view.id, view.version, form)
    assert "Counter changed this customer" in refused.value.message


def test_edit_names_every_bad_field(db: Database) -> None:
    """A blank name, a bad ABN and an unknown state are all reported together."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(GOOD))
    view = account_view(db, admin, 1)
    form = AccountForm(
        name="",
        tax_id="12 345 678 901",
        phone="",
        email="",
        street="",
        suburb="",
        state="ZZ",
        postcode="",
    )
    with pytest.raises(ValidationFailed) as refused:
        update_account(db, admin, view.id, view.version, form)
    assert [p.field for p in refused.value.problems] == ["name", "tax_id", "state"]


def test_credit_change_needs_the_permission_and_is_audited(db: Database) -> None:
    """Counter staff cannot set credit; a sales administrator can, and it is audited."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(GOOD))
    view = account_view(db, admin, 1)
    with pytest.raises(PermissionDenied):
        set_credit(db, user(db, "counter"), view.id, view.version, "1.00", "30", True)
    after = set_credit(
        db, user(db, "sales_admin"), view.id, view.version, "2500.50", "14", True
    )
    assert (after.credit_limit, after.payment_terms_days, after.credit_hold) == (
        Decimal("2500.50"),
        14,
        True,
    )
    with db.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "set_credit")
        ).one()
    assert entry.before == {
        "credit_limit": "150000.00",
        "payment_terms_days": 30,
        "credit_hold": False,
    }
    assert entry.after == {
        "credit_limit": "2500.50",
        "payment_terms_days": 14,
        "credit_hold": True,
    }


def test_customer_list_pages_by_key_both_ways(db: Database) -> None:
    """Pages of two from the start, after a key, and from the end line up."""
    admin = small_dealer(db)
    rows = "number,name\n" + "".join(f"C{i:06d},Name {i:02d}\n" for i in range(1, 8))
    import_customers(db, admin, text_stream(rows))
    first, keys, more = customer_page(db, admin, "", PageRequest(From.START, None, 2))
    assert [c.name for c in first] == ["Name 01", "Name 02"] and more
    nxt, _, _ = customer_page(db, admin, "", PageRequest(From.AFTER, keys[-1], 2))
    assert [c.name for c in nxt] == ["Name 03", "Name 04"]
    last, _, more = customer_page(db, admin, "", PageRequest(From.END, None, 3))
    assert [c.name for c in last] == ["Name 05", "Name 06", "Name 07"] and more
    found, _, _ = customer_page(db, admin, "me 0", PageRequest())
    assert len(found) == 7


def test_contacts_import_twice_adds_nothing_the_second_time(db: Database) -> None:
    """The same contact again, or a second primary, is named and not written."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(GOOD))
    contacts = (
        "customer_number,name,primary,email\n"
        "C000001,Ann Lee,yes,ann@bayside.example\n"
        "C000001,Bo Chan,no,not-an-email\n"
    )
    first = import_contacts(db, admin, text_stream(contacts), good_rows_only=True)
    assert (first.imported, [(p.line, p.field) for p in first.problems]) == (
        1,
        [(3, "email")],
    )
    again = import_contacts(
        db,
        admin,
        text_stream(
            "customer_number,name,primary\nC000001,Ann Lee,no\nC000001,Cy Ng,yes\n"
        ),
    )
    assert [(p.line, p.field) for p in again.problems] == [(2, "name"), (3, "primary")]
    assert not again.written


def test_a_row_with_a_missing_comma_is_named(db: Database) -> None:
    """A row with fewer fields than the header may have shifted: it is refused."""
    admin = small_dealer(db)
    report = import_customers(
        db, admin, text_stream("number,name,state,branch\nC1,Short Row,VIC\n")
    )
    assert [str(p) for p in report.problems] == [
        "line 2, row: has 3 fields, the header 4"
    ]
