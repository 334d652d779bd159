"""Properties of invoice totals that hold for any valid document."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from dealer_tui.invoicing.tax import (
    AUSTRALIA,
    NEW_ZEALAND,
    SINGAPORE,
    TaxCategory,
    plain_rate,
    tax_on_net,
    to_cent,
)
from dealer_tui.invoicing.totals import (
    CreditedLine,
    DocumentAllowance,
    DocumentCharge,
    Line,
    apportion,
    compute_totals,
    credit_totals,
    line_amount,
    spread_discount,
)

S = TaxCategory.STANDARD
Z = TaxCategory.ZERO_RATED
E = TaxCategory.EXEMPT
CENT = D("0.01")

jurisdictions = st.sampled_from([AUSTRALIA, NEW_ZEALAND, SINGAPORE])
quantities = st.decimals(min_value=0, max_value=500, places=3)
unit_prices = st.one_of(
    st.decimals(min_value=0, max_value=250_000, places=2),
    st.decimals(min_value=0, max_value=1_000, places=3),
)
# Today's rate, an old rate kept by a line, and the untaxed categories.
treatments = st.sampled_from(
    [(S, None), (S, D(8)), (S, D("12.5")), (Z, None), (E, D(0))]
)
cents = st.decimals(min_value=0, max_value=5_000, places=2)


def money_under(limit):
    return st.decimals(min_value=0, max_value=limit, places=2)


@st.composite
def lines(draw, jurisdiction):
    quantity = draw(quantities)
    unit_price = draw(unit_prices)
    category, rate = draw(treatments)
    extension = to_cent(quantity * unit_price)
    discount = draw(st.one_of(st.just(D(0)), money_under(extension)))
    return Line(quantity, unit_price, discount, category, rate)


@st.composite
def documents(draw):
    """A jurisdiction, lines, allowances, charges and whether prices include tax.

    Allowances are drawn against the lines of one tax treatment and kept
    within them, so no rate's tax base goes below zero.
    """
    jurisdiction = draw(jurisdictions)
    doc_lines = draw(st.lists(lines(jurisdiction), min_size=1, max_size=8))
    bases: dict[tuple, D] = {}
    for line in doc_lines:
        key = (line.category, line.rate)
        bases[key] = bases.get(key, D(0)) + line_amount(line, jurisdiction)
    allowances = [
        DocumentAllowance(draw(money_under(base)), category, rate)
        for (category, rate), base in bases.items()
        if draw(st.booleans())
    ]
    charges = [
        DocumentCharge(draw(cents), category, rate)
        for category, rate in draw(st.lists(treatments, max_size=3))
    ]
    prices_include_tax = draw(st.booleans())
    return jurisdiction, doc_lines, allowances, charges, prices_include_tax


def totals_of(document):
    jurisdiction, doc_lines, allowances, charges, prices_include_tax = document
    return compute_totals(
        doc_lines,
        allowances,
        charges,
        jurisdiction,
        prices_include_tax=prices_include_tax,
    )


def key_of(item, jurisdiction):
    category = TaxCategory(item.category)
    rate = jurisdiction.rate_for(category) if item.rate is None else item.rate
    return category, plain_rate(rate)


@settings(deadline=None)
@given(documents())
def test_every_total_is_the_sum_of_its_parts(document):
    """Payable = line nets - allowances + charges + per-rate tax, every sum exact."""
    totals = totals_of(document)
    subtotal_tax = sum(s.tax_amount for s in totals.tax_subtotals)
    assert totals.line_extension_total == sum(totals.line_nets)
    assert totals.allowance_total == sum(totals.allowance_nets)
    assert totals.charge_total == sum(totals.charge_nets)
    assert totals.tax_total == subtotal_tax
    assert totals.tax_exclusive_total == sum(
        s.taxable_amount for s in totals.tax_subtotals
    )
    assert totals.payable_amount == (
        sum(totals.line_nets)
        - sum(totals.allowance_nets)
        + sum(totals.charge_nets)
        + subtotal_tax
    )
    assert totals.tax_inclusive_total == totals.payable_amount


@settings(deadline=None)
@given(documents())
def test_every_amount_is_in_cents(document):
    """Every net, base, tax and total has exactly two decimal places."""
    totals = totals_of(document)
    amounts = [
        *totals.line_nets,
        *totals.allowance_nets,
        *totals.charge_nets,
        *(s.taxable_amount for s in totals.tax_subtotals),
        *(s.tax_amount for s in totals.tax_subtotals),
        totals.line_extension_total,
        totals.allowance_total,
        totals.charge_total,
        totals.tax_exclusive_total,
        totals.tax_total,
        totals.tax_inclusive_total,
        totals.payable_amount,
    ]
    assert all(amount.as_tuple().exponent == -2 for amount in amounts)
    assert all(amount >= 0 for amount in amounts)


@settings(deadline=None)
@given(documents())
def test_net_tax_base_per_rate_is_lines_less_allowances_plus_charges(document):
    """With net prices each rate's base is its line nets - allowances + charges."""
    jurisdiction, doc_lines, allowances, charges, _ = document
    totals = compute_totals(doc_lines, allowances, charges, jurisdiction)
    assert totals.line_nets == tuple(line_amount(x, jurisdiction) for x in doc_lines)
    for subtotal in totals.tax_subtotals:
        key = (subtotal.category, subtotal.rate)
        base = (
            sum(
                net
                for line, net in zip(doc_lines, totals.line_nets, strict=True)
                if key_of(line, jurisdiction) == key
            )
            - sum(a.amount for a in allowances if key_of(a, jurisdiction) == key)
            + sum(c.amount for c in charges if key_of(c, jurisdiction) == key)
        )
        assert subtotal.taxable_amount == base
        assert subtotal.tax_amount == tax_on_net(base, subtotal.rate, jurisdiction)


@settings(deadline=None)
@given(documents())
def test_gross_prices_are_paid_exactly_as_quoted(document):
    """With GST-inclusive prices the payable is the quoted gross; net + tax = gross."""
    jurisdiction, doc_lines, allowances, charges, _ = document
    totals = compute_totals(
        doc_lines, allowances, charges, jurisdiction, prices_include_tax=True
    )
    line_grosses = [line_amount(line, jurisdiction) for line in doc_lines]
    quoted = (
        sum(line_grosses)
        - sum(a.amount for a in allowances)
        + sum(c.amount for c in charges)
    )
    assert totals.payable_amount == quoted
    for subtotal in totals.tax_subtotals:
        key = (subtotal.category, subtotal.rate)
        gross = (
            sum(
                g
                for line, g in zip(doc_lines, line_grosses, strict=True)
                if key_of(line, jurisdiction) == key
            )
            - sum(a.amount for a in allowances if key_of(a, jurisdiction) == key)
            + sum(c.amount for c in charges if key_of(c, jurisdiction) == key)
        )
        assert subtotal.taxable_amount + subtotal.tax_amount == gross


@settings(deadline=None)
@given(documents())
def test_gross_nets_lie_within_a_cent_of_their_exact_part(document):
    """Each net shared out of a gross is within a cent of gross x 100/(100 + rate)."""
    jurisdiction, doc_lines, allowances, charges, _ = document
    totals = compute_totals(
        doc_lines, allowances, charges, jurisdiction, prices_include_tax=True
    )
    pairs = [
        *zip(
            doc_lines,
            [line_amount(line, jurisdiction) for line in doc_lines],
            totals.line_nets,
            strict=True,
        ),
        *zip(
            allowances,
            [a.amount for a in allowances],
            totals.allowance_nets,
            strict=True,
        ),
        *zip(charges, [c.amount for c in charges], totals.charge_nets, strict=True),
    ]
    for item, gross, net in pairs:
        _, rate = key_of(item, jurisdiction)
        exact = gross * 100 / (100 + rate)
        assert abs(net - exact) < CENT
        assert 0 <= net <= gross


@st.composite
def shares_to_make(draw):
    amount = draw(st.decimals(min_value=-10_000, max_value=1_000_000, places=2))
    weights = draw(
        st.lists(
            st.decimals(min_value=0, max_value=100_000, places=3),
            min_size=1,
            max_size=12,
        ).filter(lambda ws: sum(ws) > 0)
    )
    return amount, weights


@given(shares_to_make())
def test_apportioned_shares_add_up_to_the_amount_exactly(case):
    """Shares sum to the amount to the cent, each within a cent of its exact part."""
    amount, weights = case
    shares = apportion(amount, weights)
    total_weight = sum(weights)
    assert sum(shares) == amount
    assert len(shares) == len(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - amount * weight / total_weight) < CENT
        assert share.as_tuple().exponent == -2
    assert apportion(amount, weights) == shares


@st.composite
def split_lines(draw):
    """A document with a line of whole units priced in cents, and that line split."""
    jurisdiction = draw(jurisdictions)
    others = draw(st.lists(lines(jurisdiction), max_size=4))
    quantity = draw(st.integers(min_value=2, max_value=60))
    unit_price = draw(st.decimals(min_value=0, max_value=20_000, places=2))
    category, rate = draw(treatments)
    discount = draw(money_under(quantity * unit_price))
    whole = Line(D(quantity), unit_price, discount, category, rate)
    cuts = sorted(
        draw(st.sets(st.integers(1, quantity - 1), min_size=1, max_size=quantity - 1))
    )
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, quantity], strict=True)]
    part_discounts = apportion(discount, [D(p) for p in parts])
    split = [
        Line(D(p), unit_price, d, category, rate)
        for p, d in zip(parts, part_discounts, strict=True)
    ]
    prices_include_tax = draw(st.booleans())
    return jurisdiction, others, whole, split, prices_include_tax


@settings(deadline=None)
@given(split_lines())
def test_splitting_a_line_never_changes_the_tax(case):
    """One line of n units, or several of the same item making n, carry the same tax."""
    jurisdiction, others, whole, split, prices_include_tax = case
    before = compute_totals(
        [*others, whole], [], [], jurisdiction, prices_include_tax=prices_include_tax
    )
    after = compute_totals(
        [*others, *split], [], [], jurisdiction, prices_include_tax=prices_include_tax
    )
    assert after.tax_subtotals == before.tax_subtotals
    assert after.tax_total == before.tax_total
    assert after.payable_amount == before.payable_amount


@settings(deadline=None)
@given(documents())
def test_a_full_credit_reverses_exactly_what_was_invoiced(document):
    """Crediting every line, allowance and charge gives the invoice's own totals."""
    jurisdiction, doc_lines, allowances, charges, prices_include_tax = document
    credited = [CreditedLine(n) for n in range(1, len(doc_lines) + 1)]
    credit = credit_totals(
        doc_lines,
        credited,
        jurisdiction,
        allowances=allowances,
        charges=charges,
        prices_include_tax=prices_include_tax,
    )
    assert credit == totals_of(document)


@settings(deadline=None)
@given(documents(), st.data())
def test_a_spread_discount_lowers_the_lines_by_exactly_the_discount(document, data):
    """After spreading a discount the line amounts add up to it less than before."""
    jurisdiction, doc_lines, *_ = document
    before = [line_amount(line, jurisdiction) for line in doc_lines]
    discount = data.draw(money_under(sum(before)))
    spread = spread_discount(discount, doc_lines, jurisdiction)
    after = [line_amount(line, jurisdiction) for line in spread]
    assert sum(after) == sum(before) - discount
    assert all(0 <= a <= b for a, b in zip(after, before, strict=True))
