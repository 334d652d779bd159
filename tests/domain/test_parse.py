"""Reading typed values: amounts, whole numbers, dates, each problem named."""

from datetime import date
from decimal import Decimal

from dealer_tui.core.parse import FieldErrors


def test_money_accepts_dollars_commas_and_cents() -> None:
    """'$1,250.50' reads as 1250.50 exactly."""
    errors = FieldErrors()
    assert errors.money("price", "$1,250.50") == Decimal("1250.50")
    assert not errors


def test_money_refuses_fractions_of_a_cent_and_negatives() -> None:
    """10.005 and -3 are refused, each naming the field and the line."""
    errors = FieldErrors(line=7)
    errors.money("price", "10.005")
    errors.money("credit_limit", "-3")
    assert [str(p) for p in errors.problems] == [
        "line 7, price: '10.005' has more than two decimal places",
        "line 7, credit_limit: cannot be negative",
    ]


def test_money_refuses_text_and_infinity() -> None:
    """'ten' and 'Infinity' are not amounts."""
    errors = FieldErrors()
    errors.money("price", "ten")
    errors.money("price", "Infinity")
    assert len(errors.problems) == 2


def test_dates_in_iso_and_australian_order() -> None:
    """2026-12-04 and 04/12/2026 are the same day; 31/02/2026 is refused."""
    errors = FieldErrors()
    assert errors.day("due", "2026-12-04") == date(2026, 12, 4)
    assert errors.day("due", "04/12/2026") == date(2026, 12, 4)
    assert errors.day("due", "31/02/2026") is None
    assert errors.problems[0].field == "due"


def test_two_digit_years_are_refused() -> None:
    """5/12/26 could be 1926 or 2026: the year must be written in full."""
    errors = FieldErrors()
    assert errors.day("due", "5/12/26") is None
    assert errors.day("due", "0026-12-05") is None
    assert [p.message for p in errors.problems] == [
        "'5/12/26': write the year in full, e.g. 2026",
        "'0026-12-05': write the year in full, e.g. 2026",
    ]


def test_a_year_before_1900_is_refused_either_way() -> None:
    """05/12/0026 is a typing slip, not a date in the first century."""
    errors = FieldErrors()
    assert errors.day("due", "05/12/0026") is None
    assert errors.problems[0].field == "due"
