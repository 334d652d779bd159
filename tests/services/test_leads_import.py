"""Importing leads on both databases: every row checked, duplicates decided."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import import_customers
from dealer_tui.core import schema
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied
from dealer_tui.leads.importing import DuplicatePolicy, import_leads
from dealer_tui.leads.models import Lead, LeadActivity, LeadContact
from tests.services.helpers import small_dealer, user

HEADER = (
    "company,segment,abn,phone,contact_name,fleet_size,owner,status,"
    "disqualification_reason,in_business,financially_viable,segment_applicable,"
    "open_to_brand,open_to_after_sales,after_sales_penetration,next_contact,"
    "last_contact,last_outcome\n"
)
GOOD = HEADER + (
    "Ironbark Earthworks,construction,18 123 456 789,,Grace Walsh,30,sales_rep,"
    "qualified,,yes,yes,yes,yes,yes,3,2026-11-20,2026-11-02,Wants pricing\n"
    "Hume Linehaul,long haul,,(03) 9000 1111,,,,,,yes,,,,,,,,\n"
    "Closed Carriers,other,,,,,,disqualified,Sold the business,no,,,,,,,,\n"
)
BAD = HEADER + (
    "Ironbark Earthworks,construction,,,,,,,,,,,,,,,,\n"
    ",space,18 123 456 788,,,many,ghost,,,maybe,,,,,9,someday,,\n"
    "Half Qualified,other,,,,,,qualified,,yes,,,,,,,,\n"
    "Reasonless,other,,,,,,disqualified,,,,,,,,,,\n"
    "Ironbark Earthworks Pty Ltd,construction,,,,,,,,,,,,,,,,\n"
)
CUSTOMERS = (
    "number,name,abn,phone\nC000001,Westgate Pumping,99021146151,(03) 9686 6538\n"
)
DUPLICATES = HEADER + (
    "Westgate Pumping Depot,construction,99 021 146 151,,,,,,,,,,,,,,,\n"
    "New Company,construction,,,,,,,,,,,,,,,,\n"
)


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_good_file_imports_leads_with_answers_and_follow_ups(db: Database) -> None:
    """Three rows: a qualified prospect with history, a qualifying and a dead lead."""
    admin = small_dealer(db)
    report = import_leads(db, admin, text_stream(GOOD))
    assert (report.rows, report.imported, report.written) == (3, 3, True)
    with db.read() as session:
        leads = {lead.company: lead for lead in session.scalars(select(Lead))}
        activities = session.execute(
            select(
                LeadActivity.due_on, LeadActivity.done, LeadActivity.outcome
            ).order_by(LeadActivity.due_on)
        ).all()
        contact = session.scalar(select(LeadContact.name))
    ironbark = leads["Ironbark Earthworks"]
    assert (ironbark.number, ironbark.status, ironbark.abn) == (
        "L2026-000001",
        "qualified",
        "18123456789",
    )
    # 30 trucks (4) and after-sales 3 of construction's 3/3/2/2: 24 + 18.
    assert ironbark.score == Decimal("42.00")
    assert ironbark.next_contact_on == date(2026, 11, 20)
    assert [tuple(a) for a in activities] == [
        (date(2026, 11, 2), True, "Wants pricing"),
        (date(2026, 11, 20), False, ""),
    ]
    assert contact == "Grace Walsh"
    assert leads["Hume Linehaul"].status == "qualifying"
    assert leads["Hume Linehaul"].phone_key == "0390001111"
    assert leads["Closed Carriers"].disqualification_reason == "Sold the business"


def test_a_file_with_bad_rows_writes_nothing_and_names_each_one(db: Database) -> None:
    """Lines 3 to 6 are bad, each field named; line 6 repeats line 2's company."""
    admin = small_dealer(db)
    report = import_leads(db, admin, text_stream(BAD))
    assert not report.written
    assert _count(db, Lead) == 0
    named = {(p.line, p.field) for p in report.problems}
    assert named == {
        (3, "company"),
        (3, "segment"),
        (3, "abn"),
        (3, "fleet_size"),
        (3, "owner"),
        (3, "in_business"),
        (3, "after_sales_penetration"),
        (3, "next_contact"),
        (4, "status"),
        (5, "disqualification_reason"),
        (6, "company"),
    }
    assert report.bad_lines == {3, 4, 5, 6}
    assert report.summary() == (
        "Nothing imported: 4 of 5 rows have problems. Fix them, or import the "
        "good rows only."
    )
    good = import_leads(db, admin, text_stream(BAD), good_rows_only=True)
    assert (good.imported, good.written) == (1, True)


def test_a_known_customer_is_a_problem_unless_the_user_decides(db: Database) -> None:
    """Ask names the account; skip leaves it out; link points the lead at it."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(CUSTOMERS))
    asked = import_leads(db, admin, text_stream(DUPLICATES))
    [problem] = asked.problems
    assert problem.line == 2
    assert problem.message.startswith(
        "may be Account C000001 Westgate Pumping: same ABN 99 021 146 151"
    )
    assert _count(db, Lead) == 0
    dry = import_leads(
        db, admin, text_stream(DUPLICATES), duplicates="skip", dry_run=True
    )
    assert (dry.written, dry.skipped) == (False, 1)
    skipped = import_leads(db, admin, text_stream(DUPLICATES), duplicates="skip")
    assert (skipped.imported, skipped.skipped) == (1, 1)
    linked = import_leads(
        db, admin, text_stream(DUPLICATES), duplicates=DuplicatePolicy.LINK
    )
    # New Company came in with the skip run, so this time it is linked too.
    assert (linked.imported, linked.linked) == (2, 2)
    with db.read() as session:
        account_ids = set(session.scalars(select(Lead.account_id)))
    assert account_ids == {None, 1}


def test_merge_folds_a_row_into_the_known_lead(db: Database) -> None:
    """A second file with the same company and a new contact adds to the lead."""
    admin = small_dealer(db)
    import_leads(
        db, admin, text_stream(HEADER + "Alpha Freight,other,,,,,,,,,,,,,,,,\n")
    )
    again = (
        HEADER + "Alpha Freight Pty Ltd,other,,0412 345 678,Jo Bloggs,,,,,,,,,,,,,\n"
    )
    report = import_leads(db, admin, text_stream(again), duplicates="merge")
    assert (report.imported, report.merged) == (1, 1)
    assert _count(db, Lead) == 1
    with db.read() as session:
        lead = session.scalars(select(Lead)).one()
        contacts = list(session.scalars(select(LeadContact.name)))
    assert lead.phone_key == "0412345678"
    assert contacts == ["Jo Bloggs"]


def test_only_those_who_may_import_leads_do(db: Database) -> None:
    """A sales rep may not import leads; a sales manager may."""
    small_dealer(db)
    with pytest.raises(PermissionDenied):
        import_leads(db, user(db, "sales_rep"), text_stream(GOOD))
    report = import_leads(db, user(db, "sales_manager"), text_stream(GOOD))
    assert report.written


def test_the_migration_gives_existing_accounts_their_name_key(tmp_path: Path) -> None:
    """An account saved before the leads migration gets 'WESTGATE PUMPING' after it."""
    from alembic import command

    from dealer_tui.core.schema import alembic_config

    db = Database.open(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    command.upgrade(alembic_config(db), "0001")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (number, name, name_key, kind, tax_id, phone, "
            "email, street, suburb, state, postcode, country, credit_limit, "
            "payment_terms_days, credit_hold, notes, version, updated_at) VALUES "
            "('C1', 'Westgate Pumping Pty Ltd', 'WESTGATE PUMPING PTY LTD', "
            "'company', '', '', '', '', '', '', '', 'AU', 0, 30, 0, '', 1, "
            "'2026-01-01T00:00:00.000000Z')"
        )
    schema.upgrade(db)
    with db.read() as session:
        assert session.scalar(select(Account.match_name)) == "WESTGATE PUMPING"
    db.dispose()
