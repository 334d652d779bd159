"""Core services on both databases: schema, sign-in, money, numbering, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dealer_tui.accounts.models import Account
from dealer_tui.core import schema
from dealer_tui.core.db import Database
from dealer_tui.core.errors import SignInFailed
from dealer_tui.core.models import AuditEntry
from dealer_tui.core.numbering import next_number
from dealer_tui.core.services import sign_in
from tests.services.helpers import PASSWORD, small_dealer


def test_schema_is_current_after_upgrade(db: Database) -> None:
    """A migrated database reports the code's head revision."""
    found = schema.status(db)
    assert found.up_to_date
    schema.check(db)


def test_money_round_trips_exactly(db: Database) -> None:
    """Amounts with cents, huge amounts and their SQL sum come back exactly."""
    small_dealer(db)
    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("9999999999999.99")]
    with db.write() as session:
        for i, amount in enumerate(amounts):
            session.add(
                Account(
                    number=f"T{i}",
                    name=f"Test {i}",
                    name_key=f"TEST {i}",
                    credit_limit=amount,
                )
            )
    with db.read() as session:
        stored = session.scalars(select(Account.credit_limit).order_by(Account.number))
        assert list(stored) == amounts
        total = session.scalar(select(func.sum(Account.credit_limit)))
    assert total == Decimal("10000000000000.29")


def test_sign_in_with_the_right_password(db: Database) -> None:
    """The counter user signs in and gets the counter role."""
    small_dealer(db)
    actor = sign_in(db, "Counter", PASSWORD)
    assert actor.username == "counter"
    assert actor.role.value == "counter"


@pytest.mark.parametrize(
    ("username", "password"),
    [("counter", "wrong-password"), ("nobody", PASSWORD), ("", "")],
)
def test_sign_in_refuses_wrong_details(
    db: Database, username: str, password: str
) -> None:
    """A wrong password or unknown user gets one sentence that does not say which."""
    small_dealer(db)
    with pytest.raises(SignInFailed):
        sign_in(db, username, password)


def test_signing_in_is_audited(db: Database) -> None:
    """Each sign-in leaves an audit entry naming the user."""
    small_dealer(db)
    actor = sign_in(db, "counter", PASSWORD)
    with db.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sign_in")
        ).one()
    assert entry.user_id == actor.user_id


def test_numbers_are_sequential_per_series_and_year(db: Database) -> None:
    """Two invoice numbers in 2026 follow each other; 2027 starts again at 1."""
    with db.write() as session:
        first = next_number(session, "invoice", 2026, "INV")
        second = next_number(session, "invoice", 2026, "INV")
        other_year = next_number(session, "invoice", 2027, "INV")
    assert (first, second, other_year) == (
        "INV2026-000001",
        "INV2026-000002",
        "INV2027-000001",
    )


def test_a_rolled_back_number_is_given_again(db: Database) -> None:
    """A posting that fails gives its number back, so no gap appears."""
    with pytest.raises(RuntimeError), db.write() as session:
        next_number(session, "invoice", 2026, "INV")
        raise RuntimeError("posting failed")
    with db.write() as session:
        assert next_number(session, "invoice", 2026, "INV") == "INV2026-000001"
