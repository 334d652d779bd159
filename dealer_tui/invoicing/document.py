"""An invoice as plain data: priced lines, the parties and every total.

Pricing turns the lines a source or a person gives into the nets, tax
subtotals and totals of a document, through the totals module, and names
every problem by the line it is on.  `InvoiceDocument` is a posted
invoice or credit note as its printed and electronic forms show it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dealer_tui.core.errors import Problem
from dealer_tui.invoicing.sources import LINE_KINDS, SourceLine
from dealer_tui.invoicing.tax import Jurisdiction, TaxCategory, plain_rate
from dealer_tui.invoicing.totals import (
    DocumentAllowance,
    DocumentCharge,
    DocumentTotals,
    InvalidDocument,
    Line,
    compute_totals,
)

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class PricedLine:
    """A line as it is stored: its own figures, its tax and its net."""

    position: int
    line: SourceLine
    category: TaxCategory
    rate: Decimal
    net_amount: Decimal


@dataclass(frozen=True)
class Priced:
    """Lines priced together, with the document's totals."""

    lines: tuple[PricedLine, ...]
    totals: DocumentTotals


def price(
    lines: Sequence[SourceLine],
    jurisdiction: Jurisdiction,
    *,
    prices_include_tax: bool = False,
) -> Priced:
    """The nets and totals of the lines, in the order given.

    Raises InvalidDocument listing every problem, each carrying the
    position (from 1) of the line it is on among all the lines given.
    """
    problems = [
        problem
        for n, line in enumerate(lines, start=1)
        for problem in _kind_problems(line, n)
    ]
    if problems:
        raise InvalidDocument(problems)
    items = [(n, s) for n, s in enumerate(lines, start=1) if s.line_kind == "item"]
    allowances = [
        (n, s) for n, s in enumerate(lines, start=1) if s.line_kind == "allowance"
    ]
    charges = [(n, s) for n, s in enumerate(lines, start=1) if s.line_kind == "charge"]
    try:
        totals = compute_totals(
            [_line(s) for _, s in items],
            [DocumentAllowance(*_amount(s)) for _, s in allowances],  # type: ignore[arg-type]
            [DocumentCharge(*_amount(s)) for _, s in charges],  # type: ignore[arg-type]
            jurisdiction,
            prices_include_tax=prices_include_tax,
        )
    except InvalidDocument as invalid:
        raise InvalidDocument(
            _renumber(invalid.problems, items, allowances, charges)
        ) from None
    nets: dict[int, Decimal] = {}
    for group, found in (
        (items, totals.line_nets),
        (allowances, totals.allowance_nets),
        (charges, totals.charge_nets),
    ):
        nets.update({n: net for (n, _), net in zip(group, found, strict=True)})
    priced = []
    for n, source in enumerate(lines, start=1):
        category = TaxCategory(source.category)
        rate = source.rate
        if rate is None:
            rate = jurisdiction.rate_for(category)
        priced.append(PricedLine(n, source, category, plain_rate(rate), nets[n]))
    return Priced(tuple(priced), totals)


def _line(source: SourceLine) -> Line:
    return Line(
        source.quantity,
        source.unit_price,
        source.discount,
        source.category,  # type: ignore[arg-type]
        source.rate,
    )


def _kind_problems(line: SourceLine, position: int) -> list[Problem]:
    if line.line_kind not in LINE_KINDS:
        message = f"'{line.line_kind}' is not item, allowance or charge"
        return [Problem("line_kind", message, position)]
    if line.line_kind == "item":
        return []
    # A document allowance or charge is one amount, never multiplied.
    found = []
    if line.quantity != 1:
        found.append(
            Problem("quantity", f"must be 1 for an {line.line_kind}", position)
        )
    if line.discount:
        found.append(
            Problem("discount", f"an {line.line_kind} takes no discount", position)
        )
    return found


def _amount(source: SourceLine) -> tuple[Decimal, str, Decimal | None, str]:
    return source.unit_price, source.category, source.rate, source.description


def _renumber(
    problems: Sequence[Problem],
    items: Sequence[tuple[int, SourceLine]],
    allowances: Sequence[tuple[int, SourceLine]],
    charges: Sequence[tuple[int, SourceLine]],
) -> list[Problem]:
    """Problems of the totals, placed on the lines as the caller numbered them."""
    placed = []
    pattern = re.compile(r"^(allowance|charge) (\d+) (\w+)$")
    for problem in problems:
        found = pattern.match(problem.field)
        if problem.line is not None:
            placed.append(
                Problem(problem.field, problem.message, items[problem.line - 1][0])
            )
        elif found:
            group = allowances if found.group(1) == "allowance" else charges
            position = group[int(found.group(2)) - 1][0]
            name = "unit_price" if found.group(3) == "amount" else found.group(3)
            placed.append(Problem(name, problem.message, position))
        else:
            placed.append(problem)
    return placed


_STATES = "ACT|NSW|NT|QLD|SA|TAS|VIC|WA"
_PLACE = re.compile(rf"^(?P<city>.*?)\s+(?P<state>{_STATES})\s+(?P<postcode>\d{{4}})$")


@dataclass(frozen=True)
class Address:
    """A postal address in the parts an e-invoice names."""

    street: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = "AU"

    def lines(self) -> list[str]:
        place = " ".join(p for p in (self.city, self.state, self.postcode) if p)
        return [p for p in (self.street, place) if p]

    def one_line(self) -> str:
        return ", ".join(self.lines())


def split_address(text: str, country: str = "AU") -> Address:
    """'18 Boundary Road, Laverton North VIC 3026' in its parts.

    The last comma separates the street from the place; a place ending in a
    state and a postcode gives those too.  Anything else stays the city.
    """
    street, _, place = text.strip().rpartition(",")
    if not street:
        street, place = place, ""
    found = _PLACE.match(place.strip())
    if found:
        return Address(
            street.strip(),
            found.group("city").strip(),
            found.group("state"),
            found.group("postcode"),
            country,
        )
    return Address(street.strip(), place.strip(), "", "", country)


@dataclass(frozen=True)
class Party:
    """The seller or the buyer as the document names them."""

    name: str
    abn: str
    address: Address
    account_number: str = ""
    phone: str = ""


@dataclass(frozen=True)
class DocumentLine:
    position: int
    line_kind: str
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    discount: Decimal
    category: TaxCategory
    rate: Decimal
    net_amount: Decimal


@dataclass(frozen=True)
class DocumentTax:
    category: TaxCategory
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    """A posted invoice or credit note with everything its forms show."""

    document_type: str
    number: str
    issue_date: date
    due_date: date | None
    payment_terms_days: int
    currency: str
    country: str
    tax_scheme: str
    prices_include_tax: bool
    seller: Party
    buyer: Party
    buyer_reference: str
    note: str
    lines: tuple[DocumentLine, ...]
    taxes: tuple[DocumentTax, ...]
    line_extension_total: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive_total: Decimal
    tax_total: Decimal
    total: Decimal
    credited_number: str = ""
    credited_date: date | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == CREDIT_NOTE

    @property
    def items(self) -> tuple[DocumentLine, ...]:
        return tuple(line for line in self.lines if line.line_kind == "item")

    @property
    def allowances(self) -> tuple[DocumentLine, ...]:
        return tuple(line for line in self.lines if line.line_kind == "allowance")

    @property
    def charges(self) -> tuple[DocumentLine, ...]:
        return tuple(line for line in self.lines if line.line_kind == "charge")
