"""Finance offers: level payments that repay to the balloon, to the cent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealer_tui.catalog.finance import (
    FinanceKind,
    FinanceTerms,
    check_terms,
    finance_offer,
)


def test_loan_with_balloon() -> None:
    """$200,000 at 7.5% for 60 months, $60,000 balloon: $3,180.31 a month."""
    offer = finance_offer(
        FinanceTerms(
            FinanceKind.LOAN,
            Decimal("200000.00"),
            Decimal("7.5"),
            60,
            Decimal("60000.00"),
        )
    )
    assert offer.payment == Decimal("3180.31")
    assert offer.total_payments == Decimal("250818.80")
    assert offer.total_interest == Decimal("50818.80")


def test_lease_is_paid_in_advance_so_it_costs_less_a_month() -> None:
    """The same terms as a lease (in advance) cost $3,160.56 a month."""
    offer = finance_offer(
        FinanceTerms(
            FinanceKind.LEASE,
            Decimal("200000.00"),
            Decimal("7.5"),
            60,
            Decimal("60000.00"),
        )
    )
    assert offer.payment == Decimal("3160.56")


def test_interest_free_loan_splits_evenly() -> None:
    """$1,200 at 0% over 12 months is twelve payments of $100.00."""
    offer = finance_offer(
        FinanceTerms(FinanceKind.LOAN, Decimal("1200.00"), Decimal("0"), 12)
    )
    assert (offer.payment, offer.last_payment, offer.total_interest) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("0.00"),
    )


def test_bad_terms_are_named() -> None:
    """A zero amount, 0 months, a 50% rate and a negative balloon are all named."""
    problems = check_terms(
        FinanceTerms(FinanceKind.LOAN, Decimal("0"), Decimal("50"), 0, Decimal("-1"))
    )
    assert [p.field for p in problems] == [
        "amount_financed",
        "term_months",
        "rate",
        "balloon",
    ]
    with pytest.raises(ValueError):
        finance_offer(FinanceTerms(FinanceKind.LOAN, Decimal("0"), Decimal("5"), 12))


@given(
    kind=st.sampled_from(list(FinanceKind)),
    amount=st.integers(min_value=100_000, max_value=100_000_000),
    rate=st.decimals(min_value=0, max_value=20, places=2),
    months=st.integers(min_value=1, max_value=120),
    balloon_share=st.integers(min_value=0, max_value=60),
)
def test_schedule_repays_exactly(kind, amount, rate, months, balloon_share) -> None:  # type: ignore[no-untyped-def]
    """Payments plus balloon less interest equal the amount financed, exactly."""
    financed = Decimal(amount) / 100
    balloon = (financed * balloon_share / 100).quantize(Decimal("0.01"))
    offer = finance_offer(FinanceTerms(kind, financed, rate, months, balloon))
    assert offer.total_payments - offer.total_interest == financed
    # Each rounded payment is at most half a cent off, and that error grows
    # with interest until the last payment settles it.
    monthly = rate / 1200
    growth = (1 + monthly) ** months
    carried = (growth - 1) / monthly if monthly else Decimal(months)
    assert abs(offer.last_payment - offer.payment) <= Decimal("0.005") * carried + (
        Decimal("0.01")
    )
