"""The exact column types refuse what would lose a cent or a time zone."""

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from dealer_tui.core.types import ExactDecimal, UTCDateTime


def test_money_is_stored_in_cents_on_sqlite() -> None:
    """12.34 is bound as the whole number 1234 on SQLite and read back exactly."""
    money = ExactDecimal(18, 2)
    dialect = sqlite.dialect()
    assert money.process_bind_param(Decimal("12.34"), dialect) == 1234
    assert money.process_result_value(1234, dialect) == Decimal("12.34")


def test_money_refuses_floats_and_extra_places() -> None:
    """A float or a third decimal place never reaches the database."""
    money = ExactDecimal(18, 2)
    with pytest.raises(TypeError):
        money.process_bind_param(0.1, postgresql.dialect())
    with pytest.raises(ValueError):
        money.process_bind_param(Decimal("0.001"), sqlite.dialect())


def test_naive_datetimes_are_refused() -> None:
    """An instant without a zone is ambiguous and is not stored."""
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), sqlite.dialect())
