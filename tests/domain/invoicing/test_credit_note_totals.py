"""Credit notes: net and tax taken back together, at the invoice's rates."""

from decimal import Decimal as D

import pytest

from dealer_tui.invoicing.tax import AUSTRALIA, SINGAPORE, TaxCategory
from dealer_tui.invoicing.totals import (
    CreditedLine,
    DocumentAllowance,
    DocumentCharge,
    InvalidDocument,
    Line,
    TaxSubtotal,
    check_credit,
    compute_totals,
    credit_lines,
    credit_totals,
)

S = TaxCategory.STANDARD
Z = TaxCategory.ZERO_RATED

INVOICE_LINES = (
    Line(D(4), D("250.00"), D("100.00")),
    Line(D(1), D("1200.00"), category=Z),
    Line(D(3), D("33.335")),
)
ALLOWANCES = (DocumentAllowance(D("50.00"), reason="fleet discount"),)
CHARGES = (DocumentCharge(D("80.00"), reason="freight"),)


def credit_problems(credited, invoice_lines=INVOICE_LINES):
    return [
        (p.line, p.field, p.message)
        for p in check_credit(invoice_lines, credited, AUSTRALIA)
    ]


def test_full_credit_gives_back_the_invoice_totals():
    """A credit of every line, allowance and charge repeats the invoice: 2333.01.

    S base 900.00 + 100.01 - 50.00 + 80.00 = 1030.01 taxed 103.00; Z 1200.00.
    """
    invoice = compute_totals(INVOICE_LINES, ALLOWANCES, CHARGES, AUSTRALIA)
    credit = credit_totals(
        INVOICE_LINES,
        [CreditedLine(1), CreditedLine(2), CreditedLine(3)],
        AUSTRALIA,
        allowances=ALLOWANCES,
        charges=CHARGES,
    )
    assert credit == invoice
    assert credit.tax_total == D("103.00")
    assert credit.payable_amount == D("2333.01")


def test_credit_of_part_of_a_quantity_takes_its_part_of_the_discount():
    """1 of 4 at 250.00 less 100.00 credits 250.00 - 25.00 = 225.00 and 22.50 GST."""
    totals = credit_totals(INVOICE_LINES, [CreditedLine(1, quantity=D(1))], AUSTRALIA)
    assert totals.line_nets == (D("225.00"),)
    assert totals.tax_subtotals == (TaxSubtotal(S, D(10), D("225.00"), D("22.50")),)
    assert totals.payable_amount == D("247.50")


def test_credit_of_an_amount_is_a_price_adjustment_at_the_line_rate():
    """50.00 taken back on the first line credits 50.00 and 5.00 GST."""
    totals = credit_totals(
        INVOICE_LINES, [CreditedLine(1, amount=D("50.00"))], AUSTRALIA
    )
    assert totals.tax_total == D("5.00")
    assert totals.payable_amount == D("55.00")


def test_credit_keeps_the_category_of_the_line():
    """Crediting the zero-rated export line takes back 1200.00 and no tax."""
    totals = credit_totals(INVOICE_LINES, [CreditedLine(2)], AUSTRALIA)
    assert totals.tax_subtotals == (TaxSubtotal(Z, D(0), D("1200.00"), D("0.00")),)


def test_credit_after_a_rate_change_takes_tax_back_at_the_old_rate():
    """A Singapore line charged at 8% is credited at 8% though the rate is now 9%."""
    invoice_lines = [Line(D(2), D("500.00"), rate=D(8))]
    totals = credit_totals(invoice_lines, [CreditedLine(1, D(1))], SINGAPORE)
    assert totals.tax_subtotals == (TaxSubtotal(S, D(8), D("500.00"), D("40.00")),)
    assert totals.payable_amount == D("540.00")


def test_credit_lines_carry_positive_amounts_and_explicit_rates():
    """Credit lines hold positive quantities and the invoice line's rate written in."""
    lines = credit_lines(
        INVOICE_LINES,
        [CreditedLine(1, D(2)), CreditedLine(3), CreditedLine(2, amount=D(100))],
        AUSTRALIA,
    )
    assert lines == (
        Line(D(2), D("250.00"), D("50.00"), S, D(10)),
        Line(D(3), D("33.335"), D(0), S, D(10)),
        Line(D(1), D(100), D(0), Z, D(0)),
    )


def test_part_discount_never_exceeds_the_part_credited():
    """1 of 3 at 33.335 fully discounted (100.01) credits 33.34 less 33.34: 0.00."""
    invoice_lines = [Line(D(3), D("33.335"), D("100.01"))]
    totals = credit_totals(invoice_lines, [CreditedLine(1, D(1))], AUSTRALIA)
    assert totals.line_nets == (D("0.00"),)


def test_gross_counter_sale_credited_in_full():
    """A counter sale quoted at 110.00 with GST is credited as 110.00 with 10.00 GST."""
    totals = credit_totals(
        [Line(D(1), D("110.00"))],
        [CreditedLine(1)],
        AUSTRALIA,
        prices_include_tax=True,
    )
    assert totals.payable_amount == D("110.00")
    assert totals.tax_total == D("10.00")


def test_credits_together_cannot_take_back_more_units_than_invoiced():
    """Two credits of 3 of the 4 units on line 1 are refused at the second."""
    problems = credit_problems([CreditedLine(1, D(3)), CreditedLine(1, D(3))])
    assert problems == [(2, "quantity", "invoice line 1 had 4, credits take back 6")]


def test_credits_together_cannot_take_back_more_money_than_invoiced():
    """800.00 then 100.01 on a line that came to 900.00 are refused at the second."""
    problems = credit_problems(
        [CreditedLine(1, amount=D("800.00")), CreditedLine(1, amount=D("100.01"))]
    )
    assert problems == [
        (2, "amount", "invoice line 1 came to 900.00, credits take back 900.01")
    ]


@pytest.mark.parametrize(
    ("credit", "field"),
    [
        (CreditedLine(4), "line_number"),
        (CreditedLine(0), "line_number"),
        (CreditedLine(1, D(1), D(1)), "amount"),
        (CreditedLine(1, D(0)), "quantity"),
        (CreditedLine(1, D(-1)), "quantity"),
        (CreditedLine(1, 1.0), "quantity"),
        (CreditedLine(1, amount=D("0.00")), "amount"),
        (CreditedLine(1, amount=D("1.001")), "amount"),
        (CreditedLine(1, amount=D("-5.00")), "amount"),
    ],
)
def test_bad_credits_are_named_by_their_position(credit, field):
    """Each bad credit is reported on its position with the field at fault."""
    assert [(line, name) for line, name, _ in credit_problems([credit])] == [(1, field)]


def test_credit_of_a_line_of_no_units_is_refused():
    """One unit credited from a line of 0 units is refused, not divided by zero."""
    problems = credit_problems([CreditedLine(1, D(1))], [Line(D(0), D(10))])
    assert problems == [(1, "quantity", "invoice line 1 had 0, credits take back 1")]


def test_a_credit_note_takes_back_something():
    """A credit of no lines is refused."""
    assert credit_problems([]) == [
        (None, "lines", "a credit note takes back at least one line")
    ]


def test_credit_totals_raise_listing_every_problem():
    """Credit totals with two bad credits raise InvalidDocument naming both."""
    with pytest.raises(InvalidDocument) as caught:
        credit_totals(
            INVOICE_LINES, [CreditedLine(9), CreditedLine(1, D(5))], AUSTRALIA
        )
    assert [p.line for p in caught.value.problems] == [1, 2]
