"""Invoice totals worked by hand: line nets, tax per rate, allowances, charges."""

from decimal import Decimal as D

import pytest

from dealer_tui.invoicing.tax import (
    AUSTRALIA,
    NEW_ZEALAND,
    SINGAPORE,
    TaxCategory,
)
from dealer_tui.invoicing.totals import (
    DocumentAllowance,
    DocumentCharge,
    InvalidDocument,
    Line,
    TaxSubtotal,
    apportion,
    check_document,
    compute_totals,
    line_amount,
    spread_discount,
)

S = TaxCategory.STANDARD
Z = TaxCategory.ZERO_RATED
E = TaxCategory.EXEMPT


def problems_of(lines, allowances=(), charges=(), jurisdiction=AUSTRALIA):
    return [
        (p.line, p.field)
        for p in check_document(lines, allowances, charges, jurisdiction)
    ]


# Worked examples, one jurisdiction at a time.


def test_australia_three_at_33_335():
    """3 x 33.335 = 100.005 is a net of 100.01; 10% GST 10.001 is 10.00; 110.01 due."""
    totals = compute_totals([Line(D(3), D("33.335"))], [], [], AUSTRALIA)
    assert totals.line_nets == (D("100.01"),)
    assert totals.tax_subtotals == (TaxSubtotal(S, D(10), D("100.01"), D("10.00")),)
    assert totals.line_extension_total == D("100.01")
    assert totals.tax_exclusive_total == D("100.01")
    assert totals.tax_total == D("10.00")
    assert totals.tax_inclusive_total == D("110.01")
    assert totals.payable_amount == D("110.01")
    assert totals.currency == "AUD"


def test_new_zealand_rounds_the_half_cent_of_a_line_up():
    """In NZ too 3 x 33.335 = 100.005 nets 100.01; 15% GST 15.0015 is 15.00; 115.01."""
    totals = compute_totals([Line(D(3), D("33.335"))], [], [], NEW_ZEALAND)
    assert totals.line_nets == (D("100.01"),)
    assert totals.tax_subtotals == (TaxSubtotal(S, D(15), D("100.01"), D("15.00")),)
    assert totals.tax_total == D("15.00")
    assert totals.payable_amount == D("115.01")
    assert totals.currency == "NZD"


def test_new_zealand_drops_the_half_cent_of_tax():
    """In NZ a net of 10.10 at 15% is 1.515 of GST, charged as 1.51; 11.61 due."""
    totals = compute_totals([Line(D(1), D("10.10"))], [], [], NEW_ZEALAND)
    assert totals.tax_subtotals == (TaxSubtotal(S, D(15), D("10.10"), D("1.51")),)
    assert totals.payable_amount == D("11.61")


def test_singapore_nine_percent():
    """In SG 2 x 54.50 = 109.00 at 9% is 9.81 of GST; 118.81 due."""
    totals = compute_totals([Line(D(2), D("54.50"))], [], [], SINGAPORE)
    assert totals.tax_total == D("9.81")
    assert totals.payable_amount == D("118.81")
    assert totals.currency == "SGD"


def test_singapore_rounds_half_a_cent_of_tax_up():
    """In SG a net of 0.50 at 9% is 0.045 of GST, charged as 0.05; 0.55 due."""
    totals = compute_totals([Line(D(1), D("0.50"))], [], [], SINGAPORE)
    assert totals.tax_total == D("0.05")
    assert totals.payable_amount == D("0.55")


def test_line_discount_comes_off_the_rounded_extension():
    """2 x 149.95 = 299.90 less 29.99 is 269.91; 10% GST 26.991 is 26.99; 296.90."""
    totals = compute_totals([Line(D(2), D("149.95"), D("29.99"))], [], [], AUSTRALIA)
    assert totals.line_nets == (D("269.91"),)
    assert totals.tax_total == D("26.99")
    assert totals.payable_amount == D("296.90")


def test_tax_is_rounded_once_per_rate_not_per_line():
    """Three lines of 0.05 are a base of 0.15, GST 0.015 charged 0.02, not 3 x 0.01."""
    lines = [Line(D(1), D("0.05"))] * 3
    totals = compute_totals(lines, [], [], AUSTRALIA)
    assert totals.tax_total == D("0.02")
    assert totals.payable_amount == D("0.17")


def test_splitting_a_line_leaves_the_tax_alone():
    """One line of 3 x 0.05 and three lines of 1 x 0.05 both carry 0.02 of GST."""
    whole = compute_totals([Line(D(3), D("0.05"))], [], [], AUSTRALIA)
    split = compute_totals([Line(D(1), D("0.05"))] * 3, [], [], AUSTRALIA)
    assert whole.tax_subtotals == split.tax_subtotals
    assert whole.payable_amount == split.payable_amount == D("0.17")


def test_allowances_and_charges_count_in_the_base_of_their_rate():
    """S: 1000.00 - 100.00 + 50.00 = 950.00 taxed 95.00; Z: 500 + 20; E: 200."""
    lines = [
        Line(D(1), D("1000.00")),
        Line(D(1), D("500.00"), category=Z),
        Line(D(1), D("200.00"), category=E),
    ]
    allowances = [DocumentAllowance(D("100.00"), S, reason="fleet discount")]
    charges = [
        DocumentCharge(D("50.00"), S, reason="pre-delivery"),
        DocumentCharge(D("20.00"), Z, reason="export freight"),
    ]
    totals = compute_totals(lines, allowances, charges, AUSTRALIA)
    assert totals.tax_subtotals == (
        TaxSubtotal(S, D(10), D("950.00"), D("95.00")),
        TaxSubtotal(Z, D(0), D("520.00"), D("0.00")),
        TaxSubtotal(E, D(0), D("200.00"), D("0.00")),
    )
    assert totals.line_extension_total == D("1700.00")
    assert totals.allowance_total == D("100.00")
    assert totals.charge_total == D("70.00")
    assert totals.tax_exclusive_total == D("1670.00")
    assert totals.tax_total == D("95.00")
    assert totals.tax_inclusive_total == D("1765.00")
    assert totals.payable_amount == D("1765.00")


def test_lines_at_an_old_rate_get_a_subtotal_of_their_own():
    """SG lines at 8% and 9% make two subtotals: 100.00 taxed 8.00 and 9.00."""
    lines = [Line(D(1), D("100.00"), rate=D(8)), Line(D(1), D("100.00"))]
    totals = compute_totals(lines, [], [], SINGAPORE)
    assert totals.tax_subtotals == (
        TaxSubtotal(S, D(8), D("100.00"), D("8.00")),
        TaxSubtotal(S, D(9), D("100.00"), D("9.00")),
    )
    assert totals.tax_total == D("17.00")


def test_rates_written_differently_share_a_subtotal():
    """Rates 10, 10.00 and the default 10% of AU are one subtotal reading rate 10."""
    lines = [
        Line(D(1), D("1.00"), rate=D(10)),
        Line(D(1), D("1.00"), rate=D("10.00")),
        Line(D(1), D("1.00")),
    ]
    totals = compute_totals(lines, [], [], AUSTRALIA)
    assert len(totals.tax_subtotals) == 1
    assert str(totals.tax_subtotals[0].rate) == "10"


def test_empty_sums_read_as_cents():
    """With no allowances or charges their totals read 0.00."""
    totals = compute_totals([Line(D(1), D(5))], [], [], AUSTRALIA)
    assert str(totals.allowance_total) == "0.00"
    assert str(totals.charge_total) == "0.00"
    assert str(totals.line_extension_total) == "5.00"


def test_amounts_with_extra_zeros_read_as_cents():
    """A discount of 5.0000 and an allowance of 1.000 read 5.00 and 1.00 off."""
    totals = compute_totals(
        [Line(D(1), D(10), D("5.0000"))],
        [DocumentAllowance(D("1.000"))],
        [],
        AUSTRALIA,
    )
    assert [str(n) for n in totals.line_nets] == ["5.00"]
    assert [str(n) for n in totals.allowance_nets] == ["1.00"]
    assert str(totals.payable_amount) == "4.40"


def test_category_given_as_its_code_is_understood():
    """A line whose category is the code "Z" is zero-rated."""
    totals = compute_totals([Line(D(1), D(100), category="Z")], [], [], AUSTRALIA)
    assert totals.tax_subtotals == (TaxSubtotal(Z, D(0), D("100.00"), D("0.00")),)


# Prices that include GST.


def test_gross_price_is_what_the_customer_pays():
    """A truck quoted at 110,000.00 including 10% GST: 100,000.00 net, 10,000.00 GST."""
    totals = compute_totals(
        [Line(D(1), D("110000.00"))], [], [], AUSTRALIA, prices_include_tax=True
    )
    assert totals.line_nets == (D("100000.00"),)
    assert totals.tax_total == D("10000.00")
    assert totals.payable_amount == D("110000.00")
    assert totals.prices_include_tax


def test_gross_prices_keep_the_quote_to_the_cent():
    """Quoted 10.00 + 5.00 - 1.00 is 14.00 due: GST 14/11 = 1.27, net 12.73.

    The nets 9.09, 4.55 and 0.91 are 10/11 of each gross, the spare cent on
    the largest remainder (4.545..).
    """
    totals = compute_totals(
        [Line(D(1), D("10.00")), Line(D(1), D("5.00"))],
        [DocumentAllowance(D("1.00"))],
        [],
        AUSTRALIA,
        prices_include_tax=True,
    )
    assert totals.payable_amount == D("14.00")
    assert totals.tax_subtotals == (TaxSubtotal(S, D(10), D("12.73"), D("1.27")),)
    assert totals.line_nets == (D("9.09"), D("4.55"))
    assert totals.allowance_nets == (D("0.91"),)
    assert totals.tax_exclusive_total == D("12.73")


def test_gross_new_zealand_counter_sale():
    """A part quoted at 99.99 including 15% GST holds 13.04 of GST and 86.95 net."""
    totals = compute_totals(
        [Line(D(1), D("99.99"))], [], [], NEW_ZEALAND, prices_include_tax=True
    )
    assert totals.tax_subtotals == (TaxSubtotal(S, D(15), D("86.95"), D("13.04")),)
    assert totals.payable_amount == D("99.99")


def test_gross_prices_over_two_categories():
    """Gross 110.00 at 10% and 50.00 zero-rated: GST 10.00 on 100.00; 160.00 due."""
    totals = compute_totals(
        [Line(D(1), D("110.00")), Line(D(1), D("50.00"), category=Z)],
        [],
        [],
        AUSTRALIA,
        prices_include_tax=True,
    )
    assert totals.line_nets == (D("100.00"), D("50.00"))
    assert totals.tax_total == D("10.00")
    assert totals.payable_amount == D("160.00")


def test_gross_line_of_nothing_takes_no_net():
    """A free line beside a 33.33 gross line keeps a net of 0.00; the other 30.30."""
    totals = compute_totals(
        [Line(D(1), D("33.33")), Line(D(1), D(0))],
        [],
        [],
        AUSTRALIA,
        prices_include_tax=True,
    )
    assert totals.line_nets == (D("30.30"), D("0.00"))
    assert totals.tax_total == D("3.03")


# Validation.


def test_negative_quantity_is_refused_naming_the_line():
    """A quantity of -1 on the second line is a problem of line 2, field quantity."""
    lines = [Line(D(1), D(10)), Line(D(-1), D(10))]
    assert problems_of(lines) == [(2, "quantity")]


def test_every_problem_is_listed_at_once():
    """A float quantity, a negative price and a sub-cent discount are three problems."""
    lines = [Line(1.5, D(-10), D("0.001"))]
    assert problems_of(lines) == [(1, "quantity"), (1, "unit_price"), (1, "discount")]


def test_compute_totals_raises_a_value_error_listing_the_problems():
    """Totals of a line with a negative quantity raise InvalidDocument, a ValueError."""
    with pytest.raises(ValueError, match="line 1, quantity: must not be negative"):
        compute_totals([Line(D(-2), D(10))], [], [], AUSTRALIA)
    with pytest.raises(InvalidDocument) as caught:
        compute_totals([Line(D(-2), D(10))], [], [], AUSTRALIA)
    assert [p.line for p in caught.value.problems] == [1]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (Line(D(1), D(-1)), "unit_price"),
        (Line(D(1), D(10), D("-1.00")), "discount"),
        (Line(D(1), D(10), D("10.01")), "discount"),
        (Line(D(1), D("NaN")), "unit_price"),
        (Line(D(1), D(10), category="X"), "category"),
        (Line(D(1), D(10), category=Z, rate=D(10)), "rate"),
        (Line(D(1), D(10), category=S, rate=D(0)), "rate"),
        (Line(D(1), D(10), rate=10.0), "rate"),
    ],
)
def test_bad_line_fields_are_named(line, field):
    """Each bad field of a line is reported by its name on line 1."""
    assert problems_of([line]) == [(1, field)]


def test_discount_up_to_the_whole_extension_is_allowed():
    """A 3 x 33.335 line (100.01) discounted by 100.01 nets 0.00."""
    totals = compute_totals([Line(D(3), D("33.335"), D("100.01"))], [], [], AUSTRALIA)
    assert totals.line_nets == (D("0.00"),)


def test_a_document_needs_a_line():
    """A document without lines is refused."""
    assert problems_of([]) == [(None, "lines")]


@pytest.mark.parametrize(
    ("allowance", "field"),
    [
        (DocumentAllowance(D("-5.00")), "allowance 1 amount"),
        (DocumentAllowance(D("5.005")), "allowance 1 amount"),
        (DocumentAllowance(D("5.00"), category=E, rate=D(10)), "allowance 1 rate"),
    ],
)
def test_bad_allowances_are_named(allowance, field):
    """A negative, sub-cent or mis-rated allowance is named by its position."""
    assert problems_of([Line(D(1), D(100))], [allowance]) == [(None, field)]


def test_bad_charges_are_named():
    """A float charge amount is a problem of "charge 2 amount"."""
    charges = [DocumentCharge(D(1)), DocumentCharge(1.0)]
    assert problems_of([Line(D(1), D(100))], charges=charges) == [
        (None, "charge 2 amount")
    ]


def test_allowances_beyond_their_rate_are_refused():
    """A 60.00 zero-rated allowance against 50.00 of zero-rated lines is refused."""
    lines = [Line(D(1), D(500)), Line(D(1), D(50), category=Z)]
    allowances = [DocumentAllowance(D("60.00"), Z)]
    problems = check_document(lines, allowances, [], AUSTRALIA)
    assert [p.field for p in problems] == ["allowances"]
    assert "GST zero-rated" in problems[0].message


def test_line_amount_rounds_before_the_discount():
    """3 x 33.335 less 0.01 is 100.01 - 0.01 = 100.00, in AU and in NZ alike."""
    line = Line(D(3), D("33.335"), D("0.01"))
    assert line_amount(line, AUSTRALIA) == D("100.00")
    assert line_amount(line, NEW_ZEALAND) == D("100.00")


# A document discount shared over lines.


def test_apportion_in_proportion():
    """100.00 over weights 600, 300 and 100 is 60.00, 30.00 and 10.00."""
    assert apportion(D("100.00"), [D(600), D(300), D(100)]) == (
        D("60.00"),
        D("30.00"),
        D("10.00"),
    )


def test_apportion_gives_leftover_cents_to_the_largest_remainders():
    """10.00 over 1, 2, 3 is 1.666.., 3.333.., 5.00: the spare cent goes first."""
    assert apportion(D("10.00"), [D(1), D(2), D(3)]) == (
        D("1.67"),
        D("3.33"),
        D("5.00"),
    )


def test_apportion_breaks_ties_in_favour_of_the_earlier_share():
    """0.10 over three equal lines is 0.04, 0.03, 0.03; 0.05 over two is 0.03, 0.02."""
    assert apportion(D("0.10"), [D(1)] * 3) == (D("0.04"), D("0.03"), D("0.03"))
    assert apportion(D("0.05"), [D(7), D(7)]) == (D("0.03"), D("0.02"))


def test_apportion_skips_weights_of_nothing():
    """1.00 over weights 0, 1 and 0 is 0.00, 1.00 and 0.00."""
    assert apportion(D("1.00"), [D(0), D(1), D(0)]) == (
        D("0.00"),
        D("1.00"),
        D("0.00"),
    )


@pytest.mark.parametrize(
    ("amount", "weights", "message"),
    [
        (D("1.005"), [D(1)], "whole cents"),
        (D("1.00"), [], "nothing to share"),
        (D("1.00"), [D(1), D(-1)], "not negative"),
        (D("1.00"), [D(0), D(0)], "add up to nothing"),
        (1.0, [D(1)], "whole cents"),
    ],
)
def test_apportion_refuses_what_it_cannot_share(amount, weights, message):
    """Sub-cent or float amounts and empty, negative or zero weights are refused."""
    with pytest.raises(ValueError, match=message):
        apportion(amount, weights)


def test_spread_discount_raises_each_line_discount_by_its_share():
    """100.00 off lines of 600.00 and 400.00 takes 60.00 and 40.00 off them."""
    lines = [Line(D(2), D(300)), Line(D(1), D(400), D("0.00"))]
    spread = spread_discount(D("100.00"), lines, AUSTRALIA)
    assert [line.discount for line in spread] == [D("60.00"), D("40.00")]
    totals = compute_totals(spread, [], [], AUSTRALIA)
    assert totals.line_nets == (D("540.00"), D("360.00"))
    assert totals.tax_total == D("90.00")


def test_spread_discount_matches_allowances_per_rate():
    """100.00 spread over 600.00 at 10% and 400.00 at 0% equals allowances 60, 40."""
    lines = [Line(D(1), D(600)), Line(D(1), D(400), category=Z)]
    spread = compute_totals(
        spread_discount(D("100.00"), lines, AUSTRALIA), [], [], AUSTRALIA
    )
    allowed = compute_totals(
        lines,
        [DocumentAllowance(D("60.00"), S), DocumentAllowance(D("40.00"), Z)],
        [],
        AUSTRALIA,
    )
    assert spread.tax_subtotals == allowed.tax_subtotals
    assert spread.payable_amount == allowed.payable_amount == D("954.00")


def test_spread_discount_cannot_exceed_the_lines():
    """A discount of 10.01 over lines worth 10.00 is refused."""
    with pytest.raises(InvalidDocument, match=r"discount: 10\.01 is more than"):
        spread_discount(D("10.01"), [Line(D(1), D(10))], AUSTRALIA)


def test_spread_discount_of_nothing_leaves_the_lines():
    """A discount of 0.00 returns the lines unchanged."""
    lines = [Line(D(1), D(0))]
    assert spread_discount(D("0.00"), lines, AUSTRALIA) == tuple(lines)
