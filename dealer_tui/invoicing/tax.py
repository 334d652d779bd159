"""GST as the dealer's jurisdiction charges it: categories, rates and rounding.

A tax category is named by its UNCL5305 code, the code e-invoices (Peppol
PINT A-NZ and its siblings) carry, so a document priced here goes out
without translating its categories.  Rates are percentages, as e-invoices
state them.  How exactly half a cent of tax is rounded is a setting of the
jurisdiction, applied where tax is computed and nowhere else; every other
amount (a line's net, a share of a discount) is rounded half up in every
jurisdiction.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from types import MappingProxyType

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Enough significant digits that no product or quotient of document amounts
# is cut short before it is rounded to the cent; the default 28 could, for
# very large amounts carrying many decimal places.
WORKING_PRECISION = 60
# The context every product, quotient and rounding of amounts is worked in.
EXACT = Context(prec=WORKING_PRECISION)


class TaxCategory(enum.StrEnum):
    """How a supply is taxed, by its UNCL5305 code."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"

    @property
    def uncl5305(self) -> str:
        """The code an e-invoice carries for this category."""
        return self.value

    @property
    def title(self) -> str:
        """The category as staff read it on a screen or a document."""
        return _CATEGORY_TITLES[self]

    @property
    def carries_tax(self) -> bool:
        """Whether supplies in this category are charged tax at a positive rate."""
        return self is TaxCategory.STANDARD


_CATEGORY_TITLES = {
    TaxCategory.STANDARD: "standard",
    TaxCategory.ZERO_RATED: "zero-rated",
    TaxCategory.EXEMPT: "exempt",
}


class Rounding(enum.StrEnum):
    """What becomes of exactly half a cent when an amount is rounded.

    Either way a tie goes the same way for a negative amount as for its
    positive, so an amount and its reversal always round to the same size.
    """

    HALF_UP = "half_up"
    HALF_DOWN = "half_down"

    def to_cent(self, amount: Decimal) -> Decimal:
        """The amount rounded to the cent by this rule."""
        return amount.quantize(CENT, rounding=_DECIMAL_ROUNDING[self], context=EXACT)


# The decimal module's names for these rules count "up" away from zero.
_DECIMAL_ROUNDING = {
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.HALF_DOWN: ROUND_HALF_DOWN,
}


def to_cent(amount: Decimal) -> Decimal:
    """An amount other than tax rounded to the cent: half a cent goes up.

    Line nets and shares of a discount round this way in every
    jurisdiction; only tax follows the jurisdiction's own rule.
    """
    return Rounding.HALF_UP.to_cent(amount)


@dataclass(frozen=True)
class Jurisdiction:
    """The country whose tax law a dealer's documents follow.

    `rates` holds today's rate for every category, used for a new line that
    does not name its own.  A line keeps the rate it was charged at, so a
    credit of an invoice issued before a rate change reverses the old rate.
    `tax_rounding` says what becomes of exactly half a cent of tax.
    """

    code: str
    name: str
    currency: str
    tax_scheme: str
    rates: Mapping[TaxCategory, Decimal] = field(hash=False)
    tax_rounding: Rounding

    def __post_init__(self) -> None:
        missing = [c.value for c in TaxCategory if c not in self.rates]
        if missing:
            raise ValueError(f"{self.name} has no rate for {', '.join(missing)}")
        for category, rate in self.rates.items():
            problem = rate_problem(category, rate)
            if problem:
                raise ValueError(f"{self.name} {category.title} rate {problem}")
        # A read-only copy keeps the frozen jurisdiction frozen all the way.
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))

    def rate_for(self, category: TaxCategory) -> Decimal:
        """Today's rate, in percent, for supplies in the category."""
        return self.rates[category]

    def round_tax(self, amount: Decimal) -> Decimal:
        """An amount of tax rounded to the cent by this jurisdiction's rule."""
        return self.tax_rounding.to_cent(amount)


def rate_problem(category: TaxCategory, rate: object) -> str | None:
    """What is wrong with a rate for a category, or None if it fits."""
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
        return "must be an exact decimal percentage"
    rate = Decimal(rate)
    if not rate.is_finite():
        return "must be a number"
    if category.carries_tax:
        if rate <= ZERO or rate >= HUNDRED:
            return "must be a percentage above 0 and below 100"
    elif rate != ZERO:
        return f"must be 0 for a {category.title} supply"
    return None


# Equal rates are one key of the cache, and they have one plain rate.
@lru_cache(maxsize=256)
def plain_rate(rate: Decimal) -> Decimal:
    """The rate without trailing zeros, so 10.00 and 10 name the same rate."""
    reduced = Decimal(rate).normalize()
    if reduced.as_tuple().exponent > 0:  # type: ignore[operator]
        return reduced.quantize(Decimal(1))
    return reduced


def rate_label(jurisdiction: Jurisdiction, category: TaxCategory, rate: Decimal) -> str:
    """A rate as staff read it, e.g. "GST 10%" or "GST zero-rated"."""
    if category.carries_tax:
        return f"{jurisdiction.tax_scheme} {plain_rate(rate)}%"
    return f"{jurisdiction.tax_scheme} {category.title}"


def tax_on_net(
    taxable_amount: Decimal, rate: Decimal, jurisdiction: Jurisdiction
) -> Decimal:
    """The tax at a rate on a tax-exclusive amount, rounded once to the cent."""
    return jurisdiction.round_tax(
        EXACT.divide(EXACT.multiply(taxable_amount, rate), HUNDRED)
    )


def tax_in_gross(
    gross_amount: Decimal, rate: Decimal, jurisdiction: Jurisdiction
) -> Decimal:
    """The tax contained in a tax-inclusive amount, rounded once to the cent.

    At 10% that is one eleventh of the gross, at 15% three twenty-thirds.
    """
    return jurisdiction.round_tax(
        EXACT.divide(EXACT.multiply(gross_amount, rate), EXACT.add(HUNDRED, rate))
    )


def _gst_rates(standard: str) -> dict[TaxCategory, Decimal]:
    return {
        TaxCategory.STANDARD: Decimal(standard),
        TaxCategory.ZERO_RATED: ZERO,
        TaxCategory.EXEMPT: ZERO,
    }


# The ATO and IRAS both round half a cent of GST up.
AUSTRALIA = Jurisdiction(
    code="AU",
    name="Australia",
    currency="AUD",
    tax_scheme="GST",
    rates=_gst_rates("10"),
    tax_rounding=Rounding.HALF_UP,
)
# New Zealand's GST law lets exactly half a cent of GST be dropped; the
# rule is for the tax only, so line amounts still round half up there.
NEW_ZEALAND = Jurisdiction(
    code="NZ",
    name="New Zealand",
    currency="NZD",
    tax_scheme="GST",
    rates=_gst_rates("15"),
    tax_rounding=Rounding.HALF_DOWN,
)
SINGAPORE = Jurisdiction(
    code="SG",
    name="Singapore",
    currency="SGD",
    tax_scheme="GST",
    rates=_gst_rates("9"),
    tax_rounding=Rounding.HALF_UP,
)

JURISDICTIONS: Mapping[str, Jurisdiction] = MappingProxyType(
    {j.code: j for j in (AUSTRALIA, NEW_ZEALAND, SINGAPORE)}
)


def jurisdiction_for(country_code: str) -> Jurisdiction:
    """The tax rules of a country given by its ISO 3166 two-letter code."""
    code = country_code.strip().upper()
    try:
        return JURISDICTIONS[code]
    except KeyError:
        known = ", ".join(sorted(JURISDICTIONS))
        raise ValueError(
            f"no tax rules for country {country_code!r}; known: {known}"
        ) from None
