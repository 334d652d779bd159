"""Where invoices come from: delivered orders, parts sales, workshop jobs.

Each business area that has something to bill offers an `InvoiceSource`
and registers it here.  A source lists its candidates up to a date (each
with the reason it must be skipped, if any) and gives the lines of a
candidate as plain data; the invoicing services do the rest, so every
source is billed by the same rules, exactly once per candidate and payer.
A run posts its invoices a chunk at a time and tells the source of the
whole chunk at once, so that marking a thousand jobs billed takes a few
statements, not a few thousand.

By-hand invoices are not a source a run picks up: a person drafts them
and posts them.  `BY_HAND` names them wherever the origin of an invoice
is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database

BY_HAND = "by_hand"

# Who pays an invoice; one workshop job may be billed to several of them.
PAYERS = {
    "customer": "customer",
    "warranty": "warranty (billed to the maker)",
    "contract": "repair-and-maintenance contract",
    "internal": "internal",
    "sublet": "sublet",
}

LINE_KINDS = ("item", "allowance", "charge")


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line to invoice, as a source or a person gives it.

    An item has a quantity, a unit price and a discount in whole cents; an
    allowance or a charge applies to the whole document and carries its
    amount as the unit price of a quantity of one.  `category` is the
    UNCL5305 tax category code (S, Z or E); `rate` None takes today's rate.
    """

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal("0.00")
    category: str = "S"
    rate: Decimal | None = None
    unit_code: str = "EA"
    line_kind: str = "item"
    line_ref: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something ready to be invoiced to one payer.

    `source_ref` with `payer` identifies it within its source for good:
    the database refuses a second invoice for the same three values.
    `skip_reason` is set by the source when it already knows the candidate
    must wait (cancelled, missing data); the run adds its own reasons.
    """

    source_kind: str
    source_ref: str
    payer: str
    account_id: int | None
    branch_code: str
    ready_on: date
    title: str
    lines: tuple[SourceLine, ...] = field(default=())
    skip_reason: str = ""
    buyer_reference: str = ""
    prices_include_tax: bool = False


@dataclass(frozen=True, eq=False, slots=True)
class Billed:
    """A candidate the run has just invoiced, with its invoice's id and number."""

    candidate: Candidate
    invoice_id: int
    number: str


# The candidates a source will not mark billed, each with the reason in a
# sentence a clerk understands.
Refusals = Mapping[Billed, str]


@runtime_checkable
class InvoiceSource(Protocol):
    """What a business area offers so that its work can be invoiced."""

    kind: str
    title: str

    def candidates(
        self, db: Database, actor: Actor, until: date, branch: str | None
    ) -> Iterable[Candidate]:
        """Everything ready to invoice up to the date, at one branch or all."""
        ...

    def lines(self, candidate: Candidate) -> Sequence[SourceLine]:
        """The lines to invoice for a candidate."""
        ...

    def note_invoiced(
        self, session: Session, actor: Actor, billed: Sequence[Billed], at: datetime
    ) -> Refusals:
        """Note, inside the posting transaction, that the candidates are billed.

        The run calls this once per chunk with every invoice of the chunk,
        posted at the instant `at`; a source marks them all together, a
        statement per table.  A candidate the source can no longer mark
        (cancelled, billed by hand meanwhile) is returned with the reason,
        and then nothing at all is marked: the run takes the chunk back,
        reports those candidates failed and posts the others again.
        """
        ...


class LinesGiven:
    """A base for sources whose candidates carry their own lines.

    Such a source needs to note nothing when a candidate is invoiced: the
    invoice itself, found by its source reference, says so.
    """

    def lines(self, candidate: Candidate) -> Sequence[SourceLine]:
        return candidate.lines

    def note_invoiced(
        self, session: Session, actor: Actor, billed: Sequence[Billed], at: datetime
    ) -> Refusals:
        return {}


_REGISTRY: dict[str, InvoiceSource] = {}


def register_source(source: InvoiceSource) -> None:
    """Add a source to the batch run; a later one of the same kind replaces it."""
    if not isinstance(source, InvoiceSource):
        raise TypeError(f"{source!r} is not an invoice source")
    if source.kind == BY_HAND:
        raise ValueError(f"'{BY_HAND}' names invoices made by hand, not a source")
    _REGISTRY[source.kind] = source


def unregister_source(kind: str) -> None:
    """Take a source out of the batch run (if it was in)."""
    _REGISTRY.pop(kind, None)


# The areas that bill through a run, named here so that a run finds them
# however it was started; each module's register() adds its sources.
_AREAS = (
    "dealer_tui.orders.invoice_sources",
    "dealer_tui.workshop.invoice_source",
)
_loaded = False


def _load_areas() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in _AREAS:
        import_module(name).register()


def registered_sources() -> list[InvoiceSource]:
    """The sources a batch run asks, in the order they were registered."""
    _load_areas()
    return list(_REGISTRY.values())


def source_for(kind: str) -> InvoiceSource | None:
    _load_areas()
    return _REGISTRY.get(kind)


def origin_title(source_kind: str | None) -> str:
    """How the origin of an invoice reads on a screen: a source or by hand."""
    if not source_kind:
        return "by hand"
    source = _REGISTRY.get(source_kind)
    return source.title if source else source_kind.replace("_", " ")
