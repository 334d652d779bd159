"""Invoice and credit-note totals: line nets, tax per rate, and the sums.

Amounts are rounded to the cent at named points only:

- a line's extension, quantity x unit price, before the line discount
  (whole cents) comes off it, which for any valid line gives the same net
  as rounding after the discount; half a cent goes up in every
  jurisdiction;
- the tax of each category and rate, once, on that rate's whole tax base,
  by the jurisdiction's own rule for half a cent of tax;
- for prices that include tax, the nets of the lines, allowances and
  charges at a rate, shared out so that they add up to the rate's gross
  less its tax.

Every total after that is a plain sum of rounded parts, so each equals the
sum of its parts exactly.  The tax base of a rate is as in EN 16931: the
line nets at that rate, less the document allowances and plus the document
charges at that rate.

A credit note is totalled by the same function as an invoice: it lists what
it takes back with positive amounts, and its document type, not a sign,
says that the money goes back to the customer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from dealer_tui.core.errors import Problem
from dealer_tui.invoicing.tax import (
    CENT,
    EXACT,
    ZERO,
    Jurisdiction,
    TaxCategory,
    plain_rate,
    rate_label,
    rate_problem,
    tax_in_gross,
    tax_on_net,
    to_cent,
)

# The start of a sum of money, so an empty sum still reads as 0.00.
NO_MONEY = Decimal("0.00")

_CATEGORY_ORDER = {category: position for position, category in enumerate(TaxCategory)}


class InvalidDocument(ValueError):
    """Lines, allowances or charges that cannot be totalled, every problem listed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Line:
    """One priced line of an invoice or a credit note.

    `unit_price` and `discount` exclude tax, or include it when the whole
    document is priced tax-inclusive.  `discount` is an amount in whole
    cents taken off the line.  `rate` is a percentage; None takes the
    jurisdiction's rate for the category today.
    """

    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = ZERO
    category: TaxCategory = TaxCategory.STANDARD
    rate: Decimal | None = None


@dataclass(frozen=True)
class _DocumentAmount:
    amount: Decimal
    category: TaxCategory = TaxCategory.STANDARD
    rate: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True)
class DocumentAllowance(_DocumentAmount):
    """An amount in whole cents taken off the whole document, such as a fleet
    discount, counted against the tax base of its own category and rate."""


@dataclass(frozen=True)
class DocumentCharge(_DocumentAmount):
    """An amount in whole cents added to the whole document, such as freight,
    counted in the tax base of its own category and rate."""


@dataclass(frozen=True)
class TaxSubtotal:
    """The tax base and the tax of one category and rate on a document."""

    category: TaxCategory
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    """Every amount of a document, each total the exact sum of its parts.

    The nets exclude tax even when the prices included it, and follow the
    order in which the lines, allowances and charges were given.  Tax
    subtotals come in category order (S, Z, E), then by rate.
    """

    currency: str
    prices_include_tax: bool
    line_nets: tuple[Decimal, ...]
    allowance_nets: tuple[Decimal, ...]
    charge_nets: tuple[Decimal, ...]
    tax_subtotals: tuple[TaxSubtotal, ...]
    line_extension_total: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive_total: Decimal
    tax_total: Decimal
    tax_inclusive_total: Decimal
    payable_amount: Decimal


@dataclass(frozen=True)
class CreditedLine:
    """What a credit note takes back from one line of an invoice.

    Give `quantity` for units returned or charged in error, `amount` (whole
    cents, in the invoice's prices) for a price adjustment on the line, or
    neither to take back the whole line.  `line_number` counts the
    invoice's lines from 1.
    """

    line_number: int
    quantity: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class _Entry:
    """A line, allowance or charge as it counts in its rate's tax base."""

    kind: str
    index: int
    amount: Decimal
    key: tuple[TaxCategory, Decimal]

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == "allowance" else self.amount


def line_amount(line: Line, jurisdiction: Jurisdiction) -> Decimal:
    """Quantity x unit price rounded to the cent, less the line discount.

    The amount is in the line's own prices: tax-exclusive, or tax-inclusive
    when the document's prices include tax.  It is not tax, so it rounds
    half up whatever the jurisdiction.
    """
    extension = EXACT.multiply(Decimal(line.quantity), Decimal(line.unit_price))
    return EXACT.subtract(to_cent(extension), _in_cents(line.discount))


def check_document(
    lines: Sequence[Line],
    allowances: Sequence[DocumentAllowance],
    charges: Sequence[DocumentCharge],
    jurisdiction: Jurisdiction,
) -> list[Problem]:
    """Every problem that stops a document from being totalled.

    A line's problem carries the line's number (from 1) and the name of its
    field; an allowance's or a charge's names it in the field, as in
    "allowance 2 amount".
    """
    return _checked(lines, allowances, charges, jurisdiction)[0]


def _checked(
    lines: Sequence[Line],
    allowances: Sequence[DocumentAllowance],
    charges: Sequence[DocumentCharge],
    jurisdiction: Jurisdiction,
) -> tuple[list[Problem], list[_Entry]]:
    """The document's problems, and its entries when the lines are sound."""
    problems: list[Problem] = []
    entries: list[_Entry] = []
    if not lines:
        problems.append(Problem("lines", "a document needs at least one line"))
    for number, line in enumerate(lines, start=1):
        problems += [
            Problem(name, message, number) for name, message in _line_problems(line)
        ]
    for kind, items in (("allowance", allowances), ("charge", charges)):
        for number, item in enumerate(items, start=1):
            problems += [
                Problem(f"{kind} {number} {name}", message)
                for name, message in _amount_problems(item)
            ]
    if not problems:
        entries = _entries(lines, allowances, charges, jurisdiction)
        problems += _tax_base_problems(entries, jurisdiction)
    return problems, entries


def compute_totals(
    lines: Sequence[Line],
    allowances: Sequence[DocumentAllowance],
    charges: Sequence[DocumentCharge],
    jurisdiction: Jurisdiction,
    *,
    prices_include_tax: bool = False,
) -> DocumentTotals:
    """The totals of an invoice or a credit note, tax computed per rate.

    With `prices_include_tax` the unit prices, discounts, allowances and
    charges are tax-inclusive: the payable amount is then exactly what the
    customer was quoted, and the tax of each rate is the tax contained in
    that rate's gross.  Raises InvalidDocument listing every problem.
    """
    problems, entries = _checked(lines, allowances, charges, jurisdiction)
    if problems:
        raise InvalidDocument(problems)

    subtotal_for = _gross_subtotal if prices_include_tax else _net_subtotal
    nets: dict[tuple[str, int], Decimal] = {}
    subtotals = []
    for key, group in _groups(entries):
        subtotal, group_nets = subtotal_for(key, group, jurisdiction)
        subtotals.append(subtotal)
        nets.update(group_nets)

    line_nets = tuple(nets["line", i] for i in range(len(lines)))
    allowance_nets = tuple(nets["allowance", i] for i in range(len(allowances)))
    charge_nets = tuple(nets["charge", i] for i in range(len(charges)))
    line_extension_total = sum(line_nets, NO_MONEY)
    allowance_total = sum(allowance_nets, NO_MONEY)
    charge_total = sum(charge_nets, NO_MONEY)
    tax_exclusive_total = line_extension_total - allowance_total + charge_total
    tax_total = sum((s.tax_amount for s in subtotals), NO_MONEY)
    tax_inclusive_total = tax_exclusive_total + tax_total
    # No prepaid deposit or cash rounding is taken into account here, so
    # the whole tax-inclusive total is payable.
    return DocumentTotals(
        currency=jurisdiction.currency,
        prices_include_tax=prices_include_tax,
        line_nets=line_nets,
        allowance_nets=allowance_nets,
        charge_nets=charge_nets,
        tax_subtotals=tuple(subtotals),
        line_extension_total=line_extension_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive_total=tax_exclusive_total,
        tax_total=tax_total,
        tax_inclusive_total=tax_inclusive_total,
        payable_amount=tax_inclusive_total,
    )


def apportion(amount: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Shares of an amount in whole cents, in proportion to the weights.

    The shares add up to the amount exactly.  Each is its proportional part
    rounded down to the cent; the cents left over go one each to the shares
    that lost most in that rounding, and between equal losses to the
    earlier share, so the same input always gives the same shares.
    """
    if not _is_exact(amount) or not _whole_cents(Decimal(amount)):
        raise ValueError(f"{amount!r} is not an amount in whole cents")
    if not weights:
        raise ValueError("there is nothing to share the amount over")
    if any(not _is_exact(w) or w < 0 for w in weights):
        raise ValueError("every weight must be an exact number, not negative")
    total_weight = sum((Fraction(w) for w in weights), Fraction(0))
    if total_weight == 0:
        raise ValueError("the weights add up to nothing")
    cents = int(Decimal(amount).scaleb(2))
    ideals = [cents * Fraction(w) / total_weight for w in weights]
    return tuple(_from_cents(c) for c in _largest_remainder(cents, ideals))


def spread_discount(
    discount: Decimal, lines: Sequence[Line], jurisdiction: Jurisdiction
) -> tuple[Line, ...]:
    """The lines with a document discount shared over them as line discounts.

    Each line's share is in proportion to its amount (see `apportion`), so
    the shares add up to the discount exactly and each line's amount falls
    by exactly its share.  Raises InvalidDocument naming what is wrong.
    """
    problems = check_document(lines, (), (), jurisdiction)
    problems += [Problem("discount", m) for _, m in _cents_problems("", discount)]
    if problems:
        raise InvalidDocument(problems)
    amounts = [line_amount(line, jurisdiction) for line in lines]
    available = sum(amounts, ZERO)
    if discount > available:
        raise InvalidDocument(
            [Problem("discount", f"{discount} is more than the lines' {available}")]
        )
    if discount == ZERO:
        return tuple(lines)
    shares = apportion(Decimal(discount), amounts)
    return tuple(
        replace(line, discount=_in_cents(line.discount) + share)
        for line, share in zip(lines, shares, strict=True)
    )


def check_credit(
    invoice_lines: Sequence[Line],
    credited: Sequence[CreditedLine],
    jurisdiction: Jurisdiction,
) -> list[Problem]:
    """Every problem with a credit of an invoice's lines.

    A problem carries the position (from 1) of the credited line at fault.
    Together the credits may not take back more units, or more money, than
    an invoice line had.
    """
    problems = check_document(invoice_lines, (), (), jurisdiction)
    if problems:
        return problems
    if not credited:
        return [Problem("lines", "a credit note takes back at least one line")]
    taken_quantity: dict[int, Decimal] = {}
    taken_amount: dict[int, Decimal] = {}
    for number, credit in enumerate(credited, start=1):
        found = _credit_problems(credit, invoice_lines)
        if not found:
            found = _overcredit_problems(
                credit, invoice_lines, jurisdiction, taken_quantity, taken_amount
            )
        problems += [Problem(name, message, number) for name, message in found]
    return problems


def credit_lines(
    invoice_lines: Sequence[Line],
    credited: Sequence[CreditedLine],
    jurisdiction: Jurisdiction,
) -> tuple[Line, ...]:
    """The lines of a credit note taking back parts of an invoice's lines.

    Each keeps the category and rate of the invoice line, so the tax goes
    back at the rate it was charged even after the rate has changed; a line
    whose rate was left to the jurisdiction gets today's rate written in.
    A part of a line's quantity takes its part of the line discount.
    Raises InvalidDocument listing every problem.
    """
    problems = check_credit(invoice_lines, credited, jurisdiction)
    if problems:
        raise InvalidDocument(problems)
    return tuple(
        _credit_line(invoice_lines[credit.line_number - 1], credit, jurisdiction)
        for credit in credited
    )


def credit_totals(
    invoice_lines: Sequence[Line],
    credited: Sequence[CreditedLine],
    jurisdiction: Jurisdiction,
    *,
    allowances: Sequence[DocumentAllowance] = (),
    charges: Sequence[DocumentCharge] = (),
    prices_include_tax: bool = False,
) -> DocumentTotals:
    """The totals of a credit note taking back parts of an invoice.

    Net and tax go back together, at the invoice's rates, and every amount
    is positive.  Pass the invoice's allowances and charges (or the parts
    of them being reversed) to take them back too; a credit of every line
    with all of them gives exactly the invoice's totals.
    """
    return compute_totals(
        credit_lines(invoice_lines, credited, jurisdiction),
        allowances,
        charges,
        jurisdiction,
        prices_include_tax=prices_include_tax,
    )


def _is_exact(value: object) -> bool:
    """Whether a value is a finite exact number: a Decimal or an int."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, Decimal) and value.is_finite()


def _whole_cents(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT, context=EXACT)


def _in_cents(amount: Decimal | int) -> Decimal:
    """A whole-cent amount written with exactly two decimal places."""
    return Decimal(amount).quantize(CENT)


def _from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _number_problem(value: object) -> str | None:
    if isinstance(value, Decimal) and not value.is_finite():
        return "must be a number"
    if not _is_exact(value):
        return "must be an exact decimal number"
    return None


def _cents_problems(name: str, value: object) -> list[tuple[str, str]]:
    """Problems with an amount that must be whole cents and not negative."""
    message = _number_problem(value)
    if message:
        return [(name, message)]
    amount = Decimal(value)
    if amount < ZERO:
        return [(name, "must not be negative")]
    if not _whole_cents(amount):
        return [(name, "must be in whole cents")]
    return []


def _tax_problems(category: object, rate: object) -> list[tuple[str, str]]:
    try:
        category = TaxCategory(category)
    except ValueError:
        return [("category", f"{category!r} is not a tax category; use S, Z or E")]
    if rate is None:
        return []
    message = rate_problem(category, rate)
    return [("rate", message)] if message else []


def _line_problems(line: Line) -> list[tuple[str, str]]:
    found = []
    for name in ("quantity", "unit_price"):
        message = _number_problem(getattr(line, name))
        if message:
            found.append((name, message))
        elif getattr(line, name) < 0:
            found.append((name, _NEGATIVE[name]))
    found += _cents_problems("discount", line.discount)
    if not found:
        extension = to_cent(
            EXACT.multiply(Decimal(line.quantity), Decimal(line.unit_price))
        )
        if line.discount > extension:
            found.append(
                ("discount", f"{line.discount} is more than the line's {extension}")
            )
    return found + _tax_problems(line.category, line.rate)


_NEGATIVE = {
    "quantity": "must not be negative; a credit note takes back positive quantities",
    # As in EN 16931 (BR-27): a reduction is a discount or an allowance.
    "unit_price": "must not be negative; enter a reduction as a discount",
}


def _amount_problems(item: _DocumentAmount) -> list[tuple[str, str]]:
    return _cents_problems("amount", item.amount) + _tax_problems(
        item.category, item.rate
    )


def _key(
    item: Line | _DocumentAmount, jurisdiction: Jurisdiction
) -> tuple[TaxCategory, Decimal]:
    category = TaxCategory(item.category)
    rate = jurisdiction.rate_for(category) if item.rate is None else item.rate
    return category, plain_rate(rate)


def _entries(
    lines: Sequence[Line],
    allowances: Sequence[DocumentAllowance],
    charges: Sequence[DocumentCharge],
    jurisdiction: Jurisdiction,
) -> list[_Entry]:
    entries = [
        _Entry("line", i, line_amount(line, jurisdiction), _key(line, jurisdiction))
        for i, line in enumerate(lines)
    ]
    for kind, items in (("allowance", allowances), ("charge", charges)):
        entries += [
            _Entry(kind, i, _in_cents(item.amount), _key(item, jurisdiction))
            for i, item in enumerate(items)
        ]
    return entries


def _groups(
    entries: Sequence[_Entry],
) -> list[tuple[tuple[TaxCategory, Decimal], list[_Entry]]]:
    """The entries by category and rate, in the order subtotals are shown."""
    groups: dict[tuple[TaxCategory, Decimal], list[_Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.key, []).append(entry)
    return sorted(groups.items(), key=lambda kv: (_CATEGORY_ORDER[kv[0][0]], kv[0][1]))


def _tax_base_problems(
    entries: Sequence[_Entry], jurisdiction: Jurisdiction
) -> list[Problem]:
    problems = []
    for (category, rate), group in _groups(entries):
        if sum((e.signed_amount for e in group), ZERO) < ZERO:
            label = rate_label(jurisdiction, category, rate)
            problems.append(
                Problem(
                    "allowances",
                    f"the allowances at {label} come to more than "
                    f"the lines and charges at {label}",
                )
            )
    return problems


def _net_subtotal(
    key: tuple[TaxCategory, Decimal],
    group: Sequence[_Entry],
    jurisdiction: Jurisdiction,
) -> tuple[TaxSubtotal, dict[tuple[str, int], Decimal]]:
    category, rate = key
    taxable = sum((e.signed_amount for e in group), ZERO)
    tax = tax_on_net(taxable, rate, jurisdiction)
    nets = {(e.kind, e.index): e.amount for e in group}
    return TaxSubtotal(category, rate, taxable, tax), nets


def _gross_subtotal(
    key: tuple[TaxCategory, Decimal],
    group: Sequence[_Entry],
    jurisdiction: Jurisdiction,
) -> tuple[TaxSubtotal, dict[tuple[str, int], Decimal]]:
    """A rate's tax taken out of its gross, and the nets shared to match.

    The tax is rounded once on the rate's gross, so the net of the rate is
    whatever is left; the nets of its entries are their exact tax-exclusive
    parts, rounded by largest remainder to add up to that net.  Each net
    then lies within a cent of its exact part and never exceeds its gross.
    """
    category, rate = key
    gross = sum((e.signed_amount for e in group), ZERO)
    tax = tax_in_gross(gross, rate, jurisdiction)
    taxable = gross - tax
    # Entries of no amount take no net; leaving them out of the sharing
    # keeps a stray cent from landing on them.
    sharing = [e for e in group if e.amount != ZERO]
    net_part = Fraction(100) / (100 + Fraction(rate))
    ideals = [Fraction(e.signed_amount) * 100 * net_part for e in sharing]
    shares = _largest_remainder(int(taxable.scaleb(2)), ideals)
    nets = {(e.kind, e.index): NO_MONEY for e in group}
    for entry, cents in zip(sharing, shares, strict=True):
        signed_net = _from_cents(cents)
        nets[entry.kind, entry.index] = (
            -signed_net if entry.kind == "allowance" else signed_net
        )
    return TaxSubtotal(category, rate, taxable, tax), nets


def _largest_remainder(target: int, ideals: Sequence[Fraction]) -> list[int]:
    """Whole numbers near the ideals that add up to the target exactly.

    The target must lie between the sum of the ideals rounded down and that
    sum plus one per ideal; every caller's target does.
    """
    floors = [math.floor(ideal) for ideal in ideals]
    shortfall = target - sum(floors)
    if not 0 <= shortfall <= len(ideals):
        raise ValueError(f"{target} cannot be shared over {len(ideals)} parts")
    # Largest remainder first; between equal remainders, the earlier part.
    order = sorted(range(len(ideals)), key=lambda i: (floors[i] - ideals[i], i))
    for i in order[:shortfall]:
        floors[i] += 1
    return floors


def _credit_problems(
    credit: CreditedLine, invoice_lines: Sequence[Line]
) -> list[tuple[str, str]]:
    number = credit.line_number
    if isinstance(number, bool) or not isinstance(number, int):
        return [("line_number", "must be a whole number")]
    if not 1 <= number <= len(invoice_lines):
        return [("line_number", f"the invoice has no line {number}")]
    if credit.quantity is not None and credit.amount is not None:
        return [("amount", "credit a quantity or an amount, not both")]
    if credit.amount is not None:
        found = _cents_problems("amount", credit.amount)
        if not found and credit.amount == ZERO:
            found = [("amount", "must be more than 0")]
        return found
    if credit.quantity is not None:
        message = _number_problem(credit.quantity)
        if message:
            return [("quantity", message)]
        if credit.quantity <= ZERO:
            return [("quantity", "must be more than 0")]
    return []


def _overcredit_problems(
    credit: CreditedLine,
    invoice_lines: Sequence[Line],
    jurisdiction: Jurisdiction,
    taken_quantity: dict[int, Decimal],
    taken_amount: dict[int, Decimal],
) -> list[tuple[str, str]]:
    """Problems with taking back more than the invoice line had.

    The running totals of what earlier credits took are updated in place.
    """
    number = credit.line_number
    invoiced = invoice_lines[number - 1]
    quantity = ZERO if credit.amount is not None else credit.quantity
    if quantity is None:
        quantity = Decimal(invoiced.quantity)
    taken_quantity[number] = taken_quantity.get(number, ZERO) + quantity
    if taken_quantity[number] > invoiced.quantity:
        return [
            (
                "quantity",
                f"invoice line {number} had {invoiced.quantity}, "
                f"credits take back {taken_quantity[number]}",
            )
        ]
    amount = line_amount(_credit_line(invoiced, credit, jurisdiction), jurisdiction)
    taken_amount[number] = taken_amount.get(number, ZERO) + amount
    invoiced_amount = line_amount(invoiced, jurisdiction)
    if taken_amount[number] > invoiced_amount:
        return [
            (
                "amount",
                f"invoice line {number} came to {invoiced_amount}, "
                f"credits take back {taken_amount[number]}",
            )
        ]
    return []


def _credit_line(
    invoiced: Line, credit: CreditedLine, jurisdiction: Jurisdiction
) -> Line:
    category, _ = _key(invoiced, jurisdiction)
    rate = invoiced.rate
    if rate is None:
        rate = jurisdiction.rate_for(category)
    if credit.amount is not None:
        return Line(Decimal(1), _in_cents(credit.amount), ZERO, category, rate)
    quantity = credit.quantity
    if quantity is None or quantity == invoiced.quantity:
        return replace(invoiced, category=category, rate=rate)
    part = EXACT.divide(Decimal(quantity), Decimal(invoiced.quantity))
    discount = min(
        to_cent(EXACT.multiply(Decimal(invoiced.discount), part)),
        to_cent(EXACT.multiply(Decimal(quantity), Decimal(invoiced.unit_price))),
    )
    return Line(Decimal(quantity), invoiced.unit_price, discount, category, rate)
