"""GST rules of the jurisdictions: categories, rates, rounding and tax."""

import ast
from decimal import Decimal as D
from pathlib import Path

import pytest

import dealer_tui.invoicing.tax as tax_module
import dealer_tui.invoicing.totals as totals_module
from dealer_tui.invoicing.tax import (
    AUSTRALIA,
    NEW_ZEALAND,
    SINGAPORE,
    Jurisdiction,
    Rounding,
    TaxCategory,
    jurisdiction_for,
    plain_rate,
    rate_label,
    rate_problem,
    tax_in_gross,
    tax_on_net,
    to_cent,
)


def test_categories_carry_their_uncl5305_codes():
    """Standard, zero-rated and exempt are S, Z and E, as e-invoices code them."""
    assert TaxCategory.STANDARD.uncl5305 == "S"
    assert TaxCategory.ZERO_RATED.uncl5305 == "Z"
    assert TaxCategory.EXEMPT.uncl5305 == "E"
    assert TaxCategory("Z") is TaxCategory.ZERO_RATED


def test_only_the_standard_category_carries_tax():
    """A standard supply is taxed at a positive rate; zero-rated and exempt are not."""
    assert TaxCategory.STANDARD.carries_tax
    assert not TaxCategory.ZERO_RATED.carries_tax
    assert not TaxCategory.EXEMPT.carries_tax


@pytest.mark.parametrize(
    ("code", "currency", "standard_rate", "rounding"),
    [
        ("AU", "AUD", D("10"), Rounding.HALF_UP),
        ("NZ", "NZD", D("15"), Rounding.HALF_DOWN),
        ("SG", "SGD", D("9"), Rounding.HALF_UP),
    ],
)
def test_each_country_has_its_gst_rules(code, currency, standard_rate, rounding):
    """AU charges 10%, NZ 15% and SG 9% GST; only NZ drops an exact half cent of it."""
    jurisdiction = jurisdiction_for(code)
    assert jurisdiction.code == code
    assert jurisdiction.currency == currency
    assert jurisdiction.tax_scheme == "GST"
    assert jurisdiction.rate_for(TaxCategory.STANDARD) == standard_rate
    assert jurisdiction.rate_for(TaxCategory.ZERO_RATED) == D(0)
    assert jurisdiction.rate_for(TaxCategory.EXEMPT) == D(0)
    assert jurisdiction.tax_rounding is rounding


def test_country_code_is_read_in_any_case_and_spacing():
    """The code typed as ' nz ' finds New Zealand."""
    assert jurisdiction_for(" nz ") is NEW_ZEALAND


def test_unknown_country_is_refused_naming_the_known_ones():
    """A country without tax rules raises ValueError listing AU, NZ and SG."""
    with pytest.raises(ValueError, match=r"'FR'.*AU, NZ, SG"):
        jurisdiction_for("FR")


def test_rates_of_a_jurisdiction_cannot_be_changed():
    """The rates of a jurisdiction are read-only."""
    with pytest.raises(TypeError):
        AUSTRALIA.rates[TaxCategory.STANDARD] = D(12)


def test_a_jurisdiction_needs_a_rate_for_every_category():
    """A jurisdiction without an exempt rate is refused."""
    with pytest.raises(ValueError, match="no rate for E"):
        Jurisdiction(
            code="XX",
            name="Nowhere",
            currency="XXX",
            tax_scheme="GST",
            rates={TaxCategory.STANDARD: D(5), TaxCategory.ZERO_RATED: D(0)},
            tax_rounding=Rounding.HALF_UP,
        )


def test_a_jurisdiction_with_a_taxed_exempt_rate_is_refused():
    """An exempt rate of 5% is refused."""
    with pytest.raises(ValueError, match="exempt rate must be 0"):
        Jurisdiction(
            code="XX",
            name="Nowhere",
            currency="XXX",
            tax_scheme="GST",
            rates={
                TaxCategory.STANDARD: D(5),
                TaxCategory.ZERO_RATED: D(0),
                TaxCategory.EXEMPT: D(5),
            },
            tax_rounding=Rounding.HALF_UP,
        )


@pytest.mark.parametrize(
    ("amount", "half_up", "half_down"),
    [
        (D("1.515"), D("1.52"), D("1.51")),
        (D("100.005"), D("100.01"), D("100.00")),
        (D("1.5151"), D("1.52"), D("1.52")),
        (D("1.5149"), D("1.51"), D("1.51")),
        (D("-1.515"), D("-1.52"), D("-1.51")),
    ],
)
def test_rounding_rules_differ_only_on_an_exact_half_cent(amount, half_up, half_down):
    """1.515 is 1.52 rounded half up and 1.51 half down; 1.5151 is 1.52 either way."""
    assert Rounding.HALF_UP.to_cent(amount) == half_up
    assert Rounding.HALF_DOWN.to_cent(amount) == half_down


def test_amounts_other_than_tax_round_half_up_everywhere():
    """100.005 is 100.01 and -1.515 is -1.52 as a line amount, in NZ as in AU."""
    assert to_cent(D("100.005")) == D("100.01")
    assert to_cent(D("-1.515")) == D("-1.52")
    assert to_cent(D("1.5149")) == D("1.51")


def test_the_tax_rounding_rule_is_used_for_tax_only():
    """NZ rounds 1.515 of GST to 1.51; AU rounds the same 1.515 to 1.52."""
    assert NEW_ZEALAND.round_tax(D("1.515")) == D("1.51")
    assert AUSTRALIA.round_tax(D("1.515")) == D("1.52")


def test_tax_on_a_net_amount_in_australia():
    """10% of 100.01 is 10.001, rounded to 10.00."""
    assert tax_on_net(D("100.01"), D(10), AUSTRALIA) == D("10.00")


def test_new_zealand_drops_half_a_cent_of_tax():
    """15% of 10.10 is 1.515: New Zealand charges 1.51, where half up gives 1.52."""
    assert tax_on_net(D("10.10"), D(15), NEW_ZEALAND) == D("1.51")
    assert Rounding.HALF_UP.to_cent(D("10.10") * D(15) / 100) == D("1.52")


def test_singapore_rounds_half_a_cent_of_tax_up():
    """9% of 0.50 is 0.045, charged as 0.05."""
    assert tax_on_net(D("0.50"), D(9), SINGAPORE) == D("0.05")


@pytest.mark.parametrize(
    ("jurisdiction", "gross", "rate", "tax"),
    [
        (AUSTRALIA, D("110.00"), D(10), D("10.00")),
        (AUSTRALIA, D("99.99"), D(10), D("9.09")),
        (NEW_ZEALAND, D("115.00"), D(15), D("15.00")),
        (NEW_ZEALAND, D("99.99"), D(15), D("13.04")),
        (SINGAPORE, D("109.00"), D(9), D("9.00")),
        (AUSTRALIA, D("50.00"), D(0), D("0.00")),
    ],
)
def test_tax_contained_in_a_gross_amount(jurisdiction, gross, rate, tax):
    """The GST in 99.99 is 99.99/11 = 9.09 at 10% and 99.99 x 3/23 = 13.04 at 15%."""
    assert tax_in_gross(gross, rate, jurisdiction) == tax


def test_tax_amounts_are_in_cents():
    """Tax on 100 at 10% reads 10.00, not 10 or 10.000."""
    assert str(tax_on_net(D(100), D(10), AUSTRALIA)) == "10.00"


@pytest.mark.parametrize(
    ("rate", "plain"),
    [(D("10.00"), "10"), (D("12.50"), "12.5"), (D("0.000"), "0"), (D(9), "9")],
)
def test_plain_rate_drops_trailing_zeros(rate, plain):
    """10.00 reads 10 and 12.50 reads 12.5, so equal rates look the same."""
    assert str(plain_rate(rate)) == plain


def test_rate_labels_read_as_staff_say_them():
    """A 10% standard rate reads "GST 10%"; a zero-rated supply "GST zero-rated"."""
    assert rate_label(AUSTRALIA, TaxCategory.STANDARD, D("10.00")) == "GST 10%"
    assert rate_label(AUSTRALIA, TaxCategory.ZERO_RATED, D(0)) == "GST zero-rated"


@pytest.mark.parametrize(
    ("category", "rate", "fits"),
    [
        (TaxCategory.STANDARD, D(10), True),
        (TaxCategory.STANDARD, D(0), False),
        (TaxCategory.STANDARD, D(100), False),
        (TaxCategory.STANDARD, D(-1), False),
        (TaxCategory.STANDARD, 10.0, False),
        (TaxCategory.STANDARD, D("NaN"), False),
        (TaxCategory.ZERO_RATED, D(0), True),
        (TaxCategory.ZERO_RATED, D(10), False),
        (TaxCategory.EXEMPT, D("0.00"), True),
    ],
)
def test_rate_must_fit_the_category(category, rate, fits):
    """A standard rate lies strictly between 0% and 100%; other categories are 0%."""
    assert (rate_problem(category, rate) is None) is fits


@pytest.mark.parametrize("module", [tax_module, totals_module])
def test_money_modules_import_no_ui_database_or_io(module):
    """The tax and totals modules import only the standard library and pure code."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    allowed = {
        "__future__",
        "collections.abc",
        "dataclasses",
        "decimal",
        "enum",
        "fractions",
        "functools",
        "math",
        "types",
        "dealer_tui.core.errors",
        "dealer_tui.invoicing.tax",
    }
    assert imported <= allowed
