"""Use cases of invoicing: drafts, posting, credit notes, payments, balances.

An invoice moves draft -> posted and no further.  Posting takes the next
number of the series for the year of the invoice date inside the posting
transaction, so numbers have no gap and no duplicate however many
workstations and runs post at once, and freezes the parties and every
amount.  A correction is a credit note, posted at once, that takes back
lines of the invoice with their tax; a payment or a credit note lowers
what is open on the invoice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.config import data_dir
from dealer_tui.core.db import Database
from dealer_tui.core.errors import (
    NotFound,
    Problem,
    Refused,
    ValidationFailed,
)
from dealer_tui.core.models import Branch, Dealer
from dealer_tui.core.money import show_money
from dealer_tui.core.numbering import next_number
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load, load_for_change
from dealer_tui.core.text import compact_key, search_key
from dealer_tui.core.types import utc_now
from dealer_tui.invoicing.ageing import AgeingLine, OpenItem, age
from dealer_tui.invoicing.document import (
    CREDIT_NOTE,
    INVOICE,
    Address,
    DocumentLine,
    DocumentTax,
    InvoiceDocument,
    Party,
    Priced,
    price,
    split_address,
)
from dealer_tui.invoicing.einvoice import einvoice_problems, to_ubl
from dealer_tui.invoicing.models import (
    DRAFT,
    POSTED,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    Payment,
)
from dealer_tui.invoicing.sources import (
    BY_HAND,
    LINE_KINDS,
    PAYERS,
    Candidate,
    SourceLine,
    origin_title,
)
from dealer_tui.invoicing.tax import TaxCategory, jurisdiction_for
from dealer_tui.invoicing.totals import (
    CreditedLine,
    InvalidDocument,
    Line,
    check_credit,
    credit_lines,
)

log = logging.getLogger(__name__)

NO_MONEY = Decimal("0.00")
SERIES = {INVOICE: ("INV", "INV"), CREDIT_NOTE: ("CRN", "CRN")}
PAYMENT_METHODS = {"eft": "eft", "card": "card", "cheque": "cheque", "cash": "cash"}
CATEGORIES = {c.value: c.value for c in TaxCategory}
PAYER_KINDS = {kind: kind for kind in PAYERS}


# --------------------------------------------------------------------------
# Reading typed input
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LineForm:
    """A line as typed: every figure still text."""

    description: str
    quantity: str = "1"
    unit_price: str = ""
    discount: str = ""
    category: str = "S"
    unit_code: str = "EA"
    line_kind: str = "item"


@dataclass(frozen=True)
class DraftForm:
    """The heading of a by-hand invoice as typed."""

    customer: str
    kind: str = "customer"
    invoice_date: str = ""
    buyer_reference: str = ""
    note: str = ""
    prices_include_tax: bool = False
    branch: str = ""


def exact(
    errors: FieldErrors,
    name: str,
    text: str | None,
    places: int,
    *,
    default: Decimal | None = None,
) -> Decimal:
    """A non-negative number with at most `places` decimal places."""
    raw = (text or "").strip().replace(",", "").replace("$", "")
    if not raw:
        if default is None:
            errors.add(name, "is required")
            return Decimal(0)
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(name, f"'{text}' is not a number")
        return Decimal(0)
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        errors.add(name, f"'{text}' is not a number this can hold")
        return Decimal(0)
    if value < 0:
        errors.add(name, "cannot be negative")
        return Decimal(0)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        errors.add(name, f"'{text}' has more than {places} decimal places")
        return Decimal(0)
    return value


def read_line(form: LineForm, errors: FieldErrors) -> SourceLine:
    """A typed line as a line to price; problems go to `errors` by field."""
    kind = errors.choice(
        "line_kind", form.line_kind, {k: k for k in LINE_KINDS}, default="item"
    )
    return SourceLine(
        description=errors.required("description", form.description, 200),
        quantity=exact(errors, "quantity", form.quantity, 3, default=Decimal(1)),
        unit_price=exact(errors, "unit_price", form.unit_price, 4),
        discount=exact(errors, "discount", form.discount, 2, default=NO_MONEY),
        category=errors.choice("category", form.category, CATEGORIES, default="S"),
        unit_code=(errors.optional("unit_code", form.unit_code, 3) or "EA").upper(),
        line_kind=kind,
    )


def _read_lines(forms: Sequence[LineForm]) -> list[SourceLine]:
    problems: list[Problem] = []
    lines = []
    for number, form in enumerate(forms, start=1):
        errors = FieldErrors(line=number)
        lines.append(read_line(form, errors))
        problems += errors.problems
    if problems:
        raise ValidationFailed(problems)
    return lines


# --------------------------------------------------------------------------
# Where and when
# --------------------------------------------------------------------------


def find_branch(session: Session, actor: Actor, code: str = "") -> Branch:
    """The branch named by code, else the actor's, else the first one."""
    if code.strip():
        branch = session.scalars(
            select(Branch).where(Branch.code == code.strip().upper())
        ).one_or_none()
        if branch is None:
            raise ValidationFailed([Problem("branch", f"there is no branch '{code}'")])
        return branch
    branch = session.get(Branch, actor.branch_id) if actor.branch_id else None
    branch = branch or session.scalars(select(Branch).order_by(Branch.id)).first()
    if branch is None:
        raise Refused("The dealer has no branch yet: run `dealer setup` first.")
    return branch


def branch_today(session: Session, actor: Actor, at: datetime | None = None) -> date:
    """Today's date where the actor works (or the date at the instant `at`)."""
    return clock.local_today(find_branch(session, actor).time_zone, at)


def seller_values(session: Session, branch: Branch) -> dict[str, str]:
    """The seller as an invoice of the branch names it today."""
    dealer = session.get(Dealer, branch.dealer_id)
    return {
        "seller_name": dealer.legal_name if dealer else branch.name,
        "seller_abn": compact_key(branch.tax_registration),
        "seller_address": branch.address,
        "seller_phone": branch.phone,
    }


def buyer_values(account: Account) -> dict[str, Any]:
    """The buyer and their terms as an invoice names them today."""
    return {
        "buyer_number": account.number,
        "buyer_name": account.name,
        "buyer_key": search_key(account.name),
        "buyer_abn": account.tax_id,
        "buyer_street": account.street,
        "buyer_suburb": account.suburb,
        "buyer_state": account.state,
        "buyer_postcode": account.postcode,
        "buyer_country": account.country or "AU",
        "payment_terms_days": account.payment_terms_days,
    }


def totals_values(priced: Priced | None) -> dict[str, Decimal]:
    """An invoice's total columns from its priced lines (all 0.00 for none)."""
    if priced is None:
        names = (
            "line_extension_total",
            "allowance_total",
            "charge_total",
            "tax_exclusive_total",
            "tax_total",
            "total",
        )
        return dict.fromkeys(names, NO_MONEY)
    totals = priced.totals
    return {
        "line_extension_total": totals.line_extension_total,
        "allowance_total": totals.allowance_total,
        "charge_total": totals.charge_total,
        "tax_exclusive_total": totals.tax_exclusive_total,
        "tax_total": totals.tax_total,
        "total": totals.payable_amount,
    }


def line_values(priced: Priced) -> list[dict[str, Any]]:
    """The rows of an invoice's lines, without the invoice they belong to."""
    return [
        {
            "position": p.position,
            "line_kind": p.line.line_kind,
            "description": p.line.description,
            "quantity": p.line.quantity,
            "unit_code": p.line.unit_code,
            "unit_price": p.line.unit_price,
            "discount": p.line.discount,
            "category": p.category.value,
            "rate": p.rate,
            "net_amount": p.net_amount,
            "source_line_ref": p.line.line_ref,
        }
        for p in priced.lines
    ]


def tax_values(priced: Priced) -> list[dict[str, Any]]:
    """The rows of an invoice's tax subtotals, in the order the totals give."""
    return [
        {
            "position": position,
            "category": subtotal.category.value,
            "rate": subtotal.rate,
            "taxable_amount": subtotal.taxable_amount,
            "tax_amount": subtotal.tax_amount,
        }
        for position, subtotal in enumerate(priced.totals.tax_subtotals, start=1)
    ]


def _source_lines(lines: Iterable[InvoiceLine]) -> list[SourceLine]:
    return [
        SourceLine(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            category=line.category,
            rate=line.rate,
            unit_code=line.unit_code,
            line_kind=line.line_kind,
            line_ref=line.source_line_ref,
        )
        for line in lines
    ]


def _price_or_refuse(
    lines: Sequence[SourceLine], country: str, prices_include_tax: bool
) -> Priced:
    try:
        return price(
            lines, jurisdiction_for(country), prices_include_tax=prices_include_tax
        )
    except InvalidDocument as invalid:
        raise ValidationFailed(list(invalid.problems)) from None


# --------------------------------------------------------------------------
# Building and posting
# --------------------------------------------------------------------------


def invoice_values(
    session: Session,
    actor: Actor,
    candidate: Candidate,
    account: Account,
    branch: Branch,
    invoice_date: date,
    *,
    seller: dict[str, str] | None = None,
    buyer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The heading of a new invoice for the candidate, not yet numbered.

    `seller` and `buyer`, when given, are the branch's and the account's
    values as `seller_values` and `buyer_values` give them, found once for
    many invoices.
    """
    series, _ = SERIES[INVOICE]
    by_hand = candidate.source_kind == BY_HAND
    return {
        "document_type": INVOICE,
        "kind": candidate.payer,
        "status": DRAFT,
        "series": series,
        "invoice_date": invoice_date,
        "branch_id": branch.id,
        "account_id": account.id,
        "buyer_reference": candidate.buyer_reference or account.number,
        "source_kind": None if by_hand else candidate.source_kind,
        "source_ref": None if by_hand else candidate.source_ref,
        "source_payer": None if by_hand else candidate.payer,
        "country": branch.country,
        "currency": branch.currency,
        "prices_include_tax": candidate.prices_include_tax,
        **(seller or seller_values(session, branch)),
        **(buyer or buyer_values(account)),
        "created_by_id": actor.user_id,
        "updated_by_id": actor.user_id,
        "version": 1,
        "updated_at": utc_now(),
        "created_at": utc_now(),
        "open_amount": NO_MONEY,
    }


def posting_values(
    session: Session, document_type: str, invoice_date: date, terms_days: int
) -> dict[str, Any]:
    """What posting adds to a heading: the number, the due date, the stamp."""
    series, prefix = SERIES[document_type]
    return {
        "status": POSTED,
        "number": next_number(session, series, invoice_date.year, prefix),
        "due_date": invoice_date + timedelta(days=terms_days),
        "posted_at": utc_now(),
    }


def _account(session: Session, customer: str) -> Account:
    key = customer.strip().upper()
    account = session.scalars(select(Account).where(Account.number == key)).first()
    if account is None:
        raise ValidationFailed([Problem("customer", f"there is no customer '{key}'")])
    return account


def _read_draft(form: DraftForm, errors: FieldErrors) -> dict[str, Any]:
    return {
        "customer": errors.required("customer", form.customer, 20),
        "kind": errors.choice("kind", form.kind, PAYER_KINDS, default="customer"),
        "invoice_date": errors.day("invoice_date", form.invoice_date),
        "buyer_reference": errors.optional("buyer_reference", form.buyer_reference, 40),
        "note": errors.optional("note", form.note, 2000),
    }


def create_draft(
    db: Database,
    actor: Actor,
    form: DraftForm,
    lines: Sequence[LineForm] = (),
) -> InvoiceView:
    """A by-hand draft invoice for a customer, with the lines typed so far."""
    actor.require(Permission.DRAFT_INVOICES)
    errors = FieldErrors()
    values = _read_draft(form, errors)
    if errors:
        raise ValidationFailed(errors.problems)
    source_lines = _read_lines(lines)
    with db.write() as session:
        branch = find_branch(session, actor, form.branch)
        account = _account(session, values["customer"])
        today = clock.local_today(branch.time_zone)
        day = values["invoice_date"] or today
        if day > today:
            raise ValidationFailed(
                [Problem("invoice_date", "cannot be later than today")]
            )
        candidate = Candidate(
            source_kind=BY_HAND,
            source_ref="",
            payer=values["kind"],
            account_id=account.id,
            branch_code=branch.code,
            ready_on=day,
            title="by hand",
            lines=tuple(source_lines),
            buyer_reference=values["buyer_reference"],
            prices_include_tax=form.prices_include_tax,
        )
        priced = (
            _price_or_refuse(source_lines, branch.country, form.prices_include_tax)
            if source_lines
            else None
        )
        invoice = Invoice(
            **invoice_values(session, actor, candidate, account, branch, day),
            **totals_values(priced),
        )
        invoice.note = values["note"]
        session.add(invoice)
        if priced is not None:
            invoice.lines = [InvoiceLine(**v) for v in line_values(priced)]
        session.flush()
        audit.record(
            session,
            actor,
            "draft",
            "invoice",
            invoice.id,
            after={"customer": account.number, "total": str(invoice.total)},
        )
        invoice_id = invoice.id
    return invoice_view(db, actor, invoice_id)


def _draft_for_change(
    session: Session, invoice_id: int, expected_version: int
) -> Invoice:
    invoice = load_for_change(session, Invoice, invoice_id, expected_version, "invoice")
    if invoice.status != DRAFT:
        raise Refused(
            f"{invoice.number} is posted and never changes: correct it with a "
            "credit note."
        )
    return invoice


def _reprice(session: Session, invoice: Invoice, lines: list[SourceLine]) -> None:
    """Put the lines on the draft with their nets, and its totals."""
    priced = (
        _price_or_refuse(lines, invoice.country, invoice.prices_include_tax)
        if lines
        else None
    )
    # The old lines go first: the new ones take the same positions.
    invoice.lines = []
    session.flush()
    invoice.lines = [InvoiceLine(**v) for v in line_values(priced)] if priced else []
    for name, value in totals_values(priced).items():
        setattr(invoice, name, value)


def add_line(
    db: Database,
    actor: Actor,
    invoice_id: int,
    expected_version: int,
    form: LineForm,
) -> InvoiceView:
    """Add a typed line to a draft; the whole draft is priced again."""
    actor.require(Permission.DRAFT_INVOICES)
    errors = FieldErrors()
    line = read_line(form, errors)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        invoice = _draft_for_change(session, invoice_id, expected_version)
        lines = [*_source_lines(invoice.lines), line]
        try:
            _reprice(session, invoice, lines)
        except ValidationFailed as failed:
            # Only the new line's problems can be new: name them by field.
            raise ValidationFailed(
                [
                    Problem(p.field, p.message)
                    if p.line == len(lines)
                    else Problem(p.field, p.message, p.line)
                    for p in failed.problems
                ]
            ) from None
        invoice.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "add_line",
            "invoice",
            invoice.id,
            after={"description": line.description, "total": str(invoice.total)},
        )
    return invoice_view(db, actor, invoice_id)


def remove_line(
    db: Database, actor: Actor, invoice_id: int, expected_version: int, position: int
) -> InvoiceView:
    """Take a line off a draft; the lines after it move up one place."""
    actor.require(Permission.DRAFT_INVOICES)
    with db.write() as session:
        invoice = _draft_for_change(session, invoice_id, expected_version)
        lines = _source_lines(invoice.lines)
        if not 1 <= position <= len(lines):
            raise ValidationFailed(
                [Problem("line", f"the draft has no line {position}")]
            )
        removed = lines.pop(position - 1)
        _reprice(session, invoice, lines)
        invoice.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "remove_line",
            "invoice",
            invoice.id,
            before={"description": removed.description},
        )
    return invoice_view(db, actor, invoice_id)


def discard_draft(
    db: Database, actor: Actor, invoice_id: int, expected_version: int, reason: str
) -> None:
    """Throw a draft away; it never had a number, so no number is lost."""
    actor.require(Permission.DRAFT_INVOICES)
    errors = FieldErrors()
    why = errors.required("reason", reason, 200)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        invoice = _draft_for_change(session, invoice_id, expected_version)
        audit.record(
            session,
            actor,
            "discard",
            "invoice",
            invoice.id,
            before={"customer": invoice.buyer_number, "total": str(invoice.total)},
            note=why,
        )
        session.delete(invoice)


def post_invoice(
    db: Database, actor: Actor, invoice_id: int, expected_version: int
) -> InvoiceView:
    """Post a draft: number it, freeze its parties and amounts, open it."""
    actor.require(Permission.POST_INVOICES)
    with db.write() as session:
        invoice = _draft_for_change(session, invoice_id, expected_version)
        number = post_draft(session, actor, invoice)
    log.info("posted invoice %s", number)
    return invoice_view(db, actor, invoice_id)


def post_draft(session: Session, actor: Actor, invoice: Invoice) -> str:
    """Post the draft inside the caller's transaction; its new number."""
    if not any(line.line_kind == "item" for line in invoice.lines):
        raise Refused("A draft without lines cannot be posted: add a line first.")
    branch = session.get(Branch, invoice.branch_id)
    account = session.get(Account, invoice.account_id)
    assert branch is not None and account is not None
    today = clock.local_today(branch.time_zone)
    if invoice.invoice_date > today:
        raise Refused(
            f"The invoice is dated {invoice.invoice_date:%d/%m/%Y}, after today: "
            "correct the date before posting."
        )
    priced = _price_or_refuse(
        _source_lines(invoice.lines), invoice.country, invoice.prices_include_tax
    )
    for line, figures in zip(invoice.lines, priced.lines, strict=True):
        line.net_amount = figures.net_amount
        line.rate = figures.rate
    # The lines are settled while the invoice is still a draft: the database
    # refuses any change to the lines of a posted invoice.
    session.flush()
    frozen = {
        **seller_values(session, branch),
        **buyer_values(account),
        **totals_values(priced),
    }
    for name, value in frozen.items():
        setattr(invoice, name, value)
    for name, value in posting_values(
        session, INVOICE, invoice.invoice_date, account.payment_terms_days
    ).items():
        setattr(invoice, name, value)
    invoice.posted_by_id = actor.user_id
    invoice.updated_by_id = actor.user_id
    invoice.open_amount = invoice.total
    invoice.taxes = [InvoiceTax(**v) for v in tax_values(priced)]
    session.flush()
    audit.record(
        session,
        actor,
        "post",
        "invoice",
        invoice.id,
        before={"status": DRAFT},
        after={
            "status": POSTED,
            "number": invoice.number,
            "total": str(invoice.total),
            "tax_total": str(invoice.tax_total),
        },
    )
    return invoice.number or ""


# --------------------------------------------------------------------------
# Credit notes
# --------------------------------------------------------------------------

_CREDIT_ITEM = (
    "name lines as 1 (all of line 1), 2x3 (3 units of line 2) or "
    "4=150.00 (150.00 off line 4), separated by commas, or 'all'"
)


def read_credit_spec(text: str) -> tuple[bool, list[CreditedLine], list[Problem]]:
    """'all', or lines to credit as '1, 2x3, 4=150.00' (whole, units, amount).

    The numbers are the lines' numbers on the invoice.
    """
    raw = (text or "").strip().lower()
    if raw in ("", "all"):
        return True, [], []
    wanted: list[CreditedLine] = []
    problems: list[Problem] = []
    for part in (p.strip() for p in raw.split(",")):
        number_text, _, rest = part.replace("x", "*").partition("*")
        amount_text = ""
        if not rest:
            number_text, _, amount_text = part.partition("=")
        errors = FieldErrors()
        number = errors.integer("lines", number_text, minimum=1)
        if rest:
            quantity = exact(errors, "lines", rest, 3)
            wanted.append(CreditedLine(number, quantity=quantity))
        elif amount_text:
            amount = errors.money("lines", amount_text)
            wanted.append(CreditedLine(number, amount=amount))
        else:
            wanted.append(CreditedLine(number))
        if errors:
            problems.append(Problem("lines", f"'{part}': {_CREDIT_ITEM}"))
    return False, wanted, problems


def _as_items(
    wanted: list[CreditedLine], lines: Sequence[InvoiceLine]
) -> tuple[list[CreditedLine], list[Problem]]:
    """Credits of invoice lines by number, as credits of its item lines."""
    item_number = {}
    for line in lines:
        if line.line_kind == "item":
            item_number[line.position] = len(item_number) + 1
    found, problems = [], []
    for credit in wanted:
        line = next((x for x in lines if x.position == credit.line_number), None)
        if line is None:
            problems.append(
                Problem("lines", f"the invoice has no line {credit.line_number}")
            )
        elif line.line_kind != "item":
            problems.append(
                Problem(
                    "lines",
                    f"line {credit.line_number} is a document {line.line_kind}: "
                    "it is credited with the whole invoice ('all')",
                )
            )
        else:
            found.append(replace(credit, line_number=item_number[line.position]))
    return found, problems


def _prior_credits(session: Session, invoice: Invoice) -> list[CreditedLine]:
    """What earlier credit notes took back, line by line."""
    items = [line for line in invoice.lines if line.line_kind == "item"]
    number_of = {line.id: n for n, line in enumerate(items, start=1)}
    notes = session.scalars(
        select(Invoice).where(
            Invoice.credited_invoice_id == invoice.id, Invoice.status == POSTED
        )
    ).all()
    taken = []
    for note in notes:
        for line in note.lines:
            if line.credited_line_id not in number_of:
                continue
            number = number_of[line.credited_line_id]
            if line.price_adjustment:
                taken.append(CreditedLine(number, amount=line.unit_price))
            else:
                taken.append(CreditedLine(number, quantity=line.quantity))
    return taken


def credit_invoice(
    db: Database,
    actor: Actor,
    invoice_id: int,
    lines: str,
    reason: str,
) -> InvoiceView:
    """Issue and post a credit note taking back lines of a posted invoice.

    `lines` is 'all' (or blank) for the whole invoice, or line numbers as
    '1, 2x3, 4=150.00'.  Tax goes back with the net at the rate it was
    charged; together the credit notes never take back more than the
    invoice.  The credit lowers what is open on the invoice.
    """
    actor.require(Permission.POST_INVOICES)
    errors = FieldErrors()
    why = errors.required("reason", reason, 200)
    whole, wanted, problems = read_credit_spec(lines)
    problems = errors.problems + problems
    if problems:
        raise ValidationFailed(problems)
    with db.write() as session:
        invoice = _locked(session, invoice_id)
        _check_creditable(invoice)
        note = _credit_note(session, actor, invoice, whole, wanted, why)
        note_id = note.id
    log.info("posted credit note %s for %s", note.number, invoice.number)
    return invoice_view(db, actor, note_id)


def _locked(session: Session, invoice_id: int) -> Invoice:
    """The invoice, held until the transaction ends.

    Two workstations crediting or paying the same invoice take turns, so the
    second sees what the first did before it checks what is left.
    """
    invoice = session.get(Invoice, invoice_id, with_for_update=True)
    if invoice is None:
        raise NotFound("The invoice no longer exists.")
    return invoice


def _check_creditable(invoice: Invoice) -> None:
    if invoice.document_type != INVOICE:
        raise Refused("A credit note cannot be credited; issue an invoice instead.")
    if invoice.status != POSTED:
        raise Refused("A draft has nothing to credit: change or discard the draft.")


def _credit_note(
    session: Session,
    actor: Actor,
    invoice: Invoice,
    whole: bool,
    wanted: list[CreditedLine],
    reason: str,
) -> Invoice:
    jurisdiction = jurisdiction_for(invoice.country)
    items = [line for line in invoice.lines if line.line_kind == "item"]
    invoiced = [_line_of(line) for line in items]
    prior = _prior_credits(session, invoice)
    wanted, problems = _as_items(wanted, invoice.lines)
    if problems:
        raise ValidationFailed(problems)
    if whole:
        if prior:
            raise Refused(
                f"Part of {invoice.number} is credited already: name the lines "
                "still to credit."
            )
        wanted = [CreditedLine(n) for n in range(1, len(items) + 1)]
    found = check_credit(invoiced, [*prior, *wanted], jurisdiction)
    if found:
        raise ValidationFailed(
            [_credit_problem(p, prior, wanted, items) for p in found]
        )
    taken = credit_lines(invoiced, wanted, jurisdiction)
    sources = [
        SourceLine(
            description=items[credit.line_number - 1].description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            category=TaxCategory(line.category).value,
            rate=line.rate,
            unit_code=items[credit.line_number - 1].unit_code,
        )
        for credit, line in zip(wanted, taken, strict=True)
    ]
    if whole:
        sources += [
            source
            for source in _source_lines(invoice.lines)
            if source.line_kind != "item"
        ]
    priced = _price_or_refuse(sources, invoice.country, invoice.prices_include_tax)
    total = priced.totals.payable_amount
    if invoice.credited_amount + total > invoice.total:
        raise Refused(
            f"That credit of {show_money(total)} would take back more than "
            f"{invoice.number}'s {show_money(invoice.total)}; "
            f"{show_money(invoice.total - invoice.credited_amount)} is left to credit."
        )
    values = {
        column: getattr(invoice, column)
        for column in (
            "kind",
            "branch_id",
            "account_id",
            "buyer_reference",
            "country",
            "currency",
            "prices_include_tax",
            "seller_name",
            "seller_abn",
            "seller_address",
            "seller_phone",
            "buyer_number",
            "buyer_name",
            "buyer_key",
            "buyer_abn",
            "buyer_street",
            "buyer_suburb",
            "buyer_state",
            "buyer_postcode",
            "buyer_country",
            "payment_terms_days",
        )
    }
    branch = session.get(Branch, invoice.branch_id)
    assert branch is not None
    today = max(clock.local_today(branch.time_zone), invoice.invoice_date)
    series, _ = SERIES[CREDIT_NOTE]
    note = Invoice(
        **values,
        document_type=CREDIT_NOTE,
        series=series,
        invoice_date=today,
        credited_invoice_id=invoice.id,
        note=reason,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
        posted_by_id=actor.user_id,
        **totals_values(priced),
        **posting_values(session, CREDIT_NOTE, today, 0),
    )
    note.due_date = None
    note.lines = [InvoiceLine(**v) for v in line_values(priced)]
    for line, credit in zip(note.lines, wanted, strict=False):
        source = items[credit.line_number - 1]
        line.credited_line_id = source.id
        line.price_adjustment = credit.amount is not None
    note.taxes = [InvoiceTax(**v) for v in tax_values(priced)]
    applied = min(total, invoice.open_amount)
    invoice.open_amount -= applied
    invoice.credited_amount += total
    invoice.updated_by_id = actor.user_id
    note.open_amount = total - applied
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor,
        "credit",
        "invoice",
        invoice.id,
        after={
            "credit_note": note.number,
            "total": str(total),
            "tax_total": str(note.tax_total),
            "applied": str(applied),
        },
        note=reason,
    )
    return note


def _credit_problem(
    problem: Problem,
    prior: list[CreditedLine],
    wanted: list[CreditedLine],
    items: list[InvoiceLine],
) -> Problem:
    """A problem of the credit, naming the invoice line as the user numbers it.

    Earlier credit notes come first in what was checked, so a problem on
    one of the new credits has its position shifted by theirs.
    """
    if not problem.line or problem.line <= len(prior):
        return Problem("lines", problem.message)
    credit = wanted[problem.line - len(prior) - 1]
    position = items[credit.line_number - 1].position
    return Problem("lines", f"line {position}: {problem.message}")


def _line_of(line: InvoiceLine) -> Line:
    return Line(
        line.quantity,
        line.unit_price,
        line.discount,
        TaxCategory(line.category),
        line.rate,
    )


# --------------------------------------------------------------------------
# Payments and balances
# --------------------------------------------------------------------------


def record_payment(
    db: Database,
    actor: Actor,
    invoice_id: int,
    amount: str,
    received_on: str = "",
    method: str = "eft",
    reference: str = "",
) -> InvoiceView:
    """Record money received against a posted invoice, up to what is open."""
    actor.require(Permission.RECORD_PAYMENTS)
    errors = FieldErrors()
    paid = errors.money("amount", amount)
    day = errors.day("received_on", received_on)
    how = errors.choice("method", method, PAYMENT_METHODS, default="eft")
    ref = errors.optional("reference", reference, 40)
    if not errors and paid <= 0:
        errors.add("amount", "must be more than 0")
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        invoice = _locked(session, invoice_id)
        if invoice.document_type != INVOICE or invoice.status != POSTED:
            raise Refused("Payments are recorded against posted invoices only.")
        if invoice.open_amount <= 0:
            raise Refused(f"{invoice.number} is paid: nothing is open on it.")
        if paid > invoice.open_amount:
            raise ValidationFailed(
                [
                    Problem(
                        "amount",
                        f"{show_money(paid)} is more than the "
                        f"{show_money(invoice.open_amount)} open on {invoice.number}",
                    )
                ]
            )
        branch = session.get(Branch, invoice.branch_id)
        today = clock.local_today(branch.time_zone if branch else "UTC")
        day = day or today
        if day > today:
            raise ValidationFailed(
                [Problem("received_on", "cannot be later than today")]
            )
        session.add(
            Payment(
                invoice_id=invoice.id,
                account_id=invoice.account_id,
                received_on=day,
                amount=paid,
                method=how,
                reference=ref,
                recorded_by_id=actor.user_id,
            )
        )
        before = invoice.open_amount
        invoice.open_amount -= paid
        invoice.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "payment",
            "invoice",
            invoice.id,
            before={"open_amount": str(before)},
            after={"open_amount": str(invoice.open_amount), "paid": str(paid)},
        )
    return invoice_view(db, actor, invoice_id)


def open_balance(source: Session | Database, account_id: int) -> Decimal:
    """What the customer owes: posted invoices less credit notes and payments.

    Order entry's credit check reads this inside its own transaction, so a
    session is taken as well as the database.
    """
    if isinstance(source, Database):
        with source.read() as session:
            return open_balance(session, account_id)
    rows = source.execute(
        select(Invoice.document_type, func.sum(Invoice.open_amount))
        .where(Invoice.account_id == account_id, Invoice.status == POSTED)
        .group_by(Invoice.document_type)
    ).all()
    owed = dict(rows)
    return (owed.get(INVOICE) or NO_MONEY) - (owed.get(CREDIT_NOTE) or NO_MONEY)


@dataclass(frozen=True)
class Ageing:
    """Receivables by customer and by how long they are past due."""

    as_of: date
    lines: list[AgeingLine]
    total: AgeingLine


def ageing(
    db: Database,
    actor: Actor,
    as_of: date | None = None,
    branch: str | None = None,
) -> Ageing:
    """Open amounts per customer in buckets of days past the due date."""
    actor.require(Permission.VIEW_INVOICES)
    with db.read() as session:
        day = as_of or branch_today(session, actor)
        stmt = select(
            Invoice.account_id,
            Invoice.buyer_number,
            Invoice.buyer_name,
            Invoice.document_type,
            Invoice.due_date,
            Invoice.invoice_date,
            Invoice.open_amount,
        ).where(Invoice.status == POSTED, Invoice.open_amount != 0)
        if branch:
            stmt = stmt.where(
                Invoice.branch_id == find_branch(session, actor, branch).id
            )
        items = [
            OpenItem(
                account_id=row.account_id,
                customer_number=row.buyer_number,
                customer_name=row.buyer_name,
                due_date=row.due_date or row.invoice_date,
                amount=row.open_amount
                if row.document_type == INVOICE
                else -row.open_amount,
            )
            for row in session.execute(stmt)
        ]
    lines, total = age(items, day)
    return Ageing(day, lines, total)


# --------------------------------------------------------------------------
# Looking invoices up
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLineView:
    position: int
    number: int | None
    line_kind: str
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    discount: Decimal
    category: str
    rate: Decimal
    net_amount: Decimal


@dataclass(frozen=True)
class TaxView:
    category: str
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class PaymentView:
    received_on: date
    amount: Decimal
    method: str
    reference: str


@dataclass(frozen=True)
class RelatedView:
    """A credit note of an invoice, or the invoice a credit note corrects."""

    id: int
    number: str
    invoice_date: date
    total: Decimal


@dataclass(frozen=True)
class InvoiceView:
    """An invoice or credit note as its screen shows it."""

    id: int
    version: int
    document_type: str
    kind: str
    status: str
    number: str
    invoice_date: date
    due_date: date | None
    branch_code: str
    account_id: int
    customer_number: str
    customer_name: str
    customer_abn: str
    customer_address: str
    buyer_reference: str
    note: str
    origin: str
    prices_include_tax: bool
    currency: str
    lines: list[InvoiceLineView]
    taxes: list[TaxView]
    line_extension_total: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive_total: Decimal
    tax_total: Decimal
    total: Decimal
    open_amount: Decimal
    state: str
    overdue_days: int
    payments: list[PaymentView] = field(default_factory=list)
    credit_notes: list[RelatedView] = field(default_factory=list)
    credited: RelatedView | None = None
    # Why each action cannot be done now; an action missing here can.
    why_not: dict[str, str] = field(default_factory=dict)

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == CREDIT_NOTE

    @property
    def title(self) -> str:
        what = "Credit note" if self.is_credit_note else "Invoice"
        return f"{what} {self.number or '(draft)'}"


def settlement(
    document_type: str,
    status: str,
    total: Decimal,
    open_amount: Decimal,
    credited_amount: Decimal,
    due_date: date | None,
    today: date,
) -> tuple[str, int]:
    """The state in words and how many days past due an open invoice is.

    An invoice is a draft, open, part paid, overdue, paid, or credited (in
    full); a credit note is applied, or credit open while some of it is
    still owed to the customer.
    """
    if status == DRAFT:
        return "draft", 0
    if document_type == CREDIT_NOTE:
        return ("applied", 0) if open_amount == 0 else ("credit open", 0)
    if credited_amount >= total:
        return "credited", 0
    if open_amount == 0:
        return "paid", 0
    overdue = (today - due_date).days if due_date and due_date < today else 0
    if overdue:
        return "overdue", overdue
    return ("open" if open_amount == total - credited_amount else "part paid"), 0


def invoice_view(
    db: Database, actor: Actor, invoice_id: int, at: datetime | None = None
) -> InvoiceView:
    """The invoice with its lines, taxes, payments and credit notes.

    Whether it is overdue is judged on the branch's today, or at `at`.
    """
    actor.require(Permission.VIEW_INVOICES)
    with db.read() as session:
        invoice = load(session, Invoice, invoice_id, "invoice")
        branch = session.get(Branch, invoice.branch_id)
        today = clock.local_today(branch.time_zone if branch else "UTC", at)
        payments = session.scalars(
            select(Payment)
            .where(Payment.invoice_id == invoice.id)
            .order_by(Payment.received_on, Payment.id)
        ).all()
        notes = session.scalars(
            select(Invoice)
            .where(Invoice.credited_invoice_id == invoice.id)
            .order_by(Invoice.id)
        ).all()
        credited = (
            session.get(Invoice, invoice.credited_invoice_id)
            if invoice.credited_invoice_id
            else None
        )
        state, overdue = settlement(
            invoice.document_type,
            invoice.status,
            invoice.total,
            invoice.open_amount,
            invoice.credited_amount,
            invoice.due_date,
            today,
        )
        item_number = 0
        lines = []
        for line in invoice.lines:
            number = None
            if line.line_kind == "item":
                item_number += 1
                number = item_number
            lines.append(
                InvoiceLineView(
                    line.position,
                    number,
                    line.line_kind,
                    line.description,
                    line.quantity,
                    line.unit_code,
                    line.unit_price,
                    line.discount,
                    line.category,
                    line.rate,
                    line.net_amount,
                )
            )
        view = InvoiceView(
            id=invoice.id,
            version=invoice.version,
            document_type=invoice.document_type,
            kind=invoice.kind,
            status=invoice.status,
            number=invoice.number or "",
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            branch_code=branch.code if branch else "",
            account_id=invoice.account_id,
            customer_number=invoice.buyer_number,
            customer_name=invoice.buyer_name,
            customer_abn=invoice.buyer_abn,
            customer_address=_buyer_address(invoice).one_line(),
            buyer_reference=invoice.buyer_reference,
            note=invoice.note,
            origin=_origin(invoice),
            prices_include_tax=invoice.prices_include_tax,
            currency=invoice.currency,
            lines=lines,
            taxes=[
                TaxView(t.category, t.rate, t.taxable_amount, t.tax_amount)
                for t in invoice.taxes
            ],
            line_extension_total=invoice.line_extension_total,
            allowance_total=invoice.allowance_total,
            charge_total=invoice.charge_total,
            tax_exclusive_total=invoice.tax_exclusive_total,
            tax_total=invoice.tax_total,
            total=invoice.total,
            open_amount=invoice.open_amount,
            state=state,
            overdue_days=overdue,
            payments=[
                PaymentView(p.received_on, p.amount, p.method, p.reference)
                for p in payments
            ],
            credit_notes=[
                RelatedView(n.id, n.number or "", n.invoice_date, n.total)
                for n in notes
            ],
            credited=RelatedView(
                credited.id,
                credited.number or "",
                credited.invoice_date,
                credited.total,
            )
            if credited
            else None,
        )
        why_not = _why_not(invoice)
    return replace(view, why_not=why_not)


def _origin(invoice: Invoice) -> str:
    if invoice.document_type == CREDIT_NOTE:
        return "credit note"
    title = origin_title(invoice.source_kind)
    if invoice.source_ref:
        return f"{title} {invoice.source_ref} ({invoice.source_payer})"
    return title


def _buyer_address(invoice: Invoice) -> Address:
    return Address(
        invoice.buyer_street,
        invoice.buyer_suburb,
        invoice.buyer_state,
        invoice.buyer_postcode,
        invoice.buyer_country,
    )


def _why_not(invoice: Invoice) -> dict[str, str]:
    """What cannot be done to the invoice now, each with the reason."""
    reasons: dict[str, str] = {}
    posted = invoice.status == POSTED
    number = invoice.number or "This invoice"
    if posted:
        frozen = f"{number} is posted and never changes"
        reasons["post"] = f"{number} is posted already"
        reasons["add_line"] = f"{frozen}: correct it with a credit note"
        reasons["discard"] = f"{frozen}: correct it with a credit note"
    else:
        unnumbered = "A draft has no number yet: post it first"
        if not invoice.lines:
            reasons["post"] = "The draft has no lines yet: add one first"
        reasons["credit"] = "A draft has nothing to credit"
        reasons["pay"] = "A draft cannot be paid: post it first"
        reasons["print"] = unnumbered
        reasons["export"] = unnumbered
    if invoice.document_type == CREDIT_NOTE:
        reasons["credit"] = "A credit note is not credited"
        reasons["pay"] = "A credit note is not paid"
    elif posted:
        if invoice.credited_amount >= invoice.total:
            reasons["credit"] = f"{number} is credited in full"
        if invoice.open_amount <= 0:
            reasons["pay"] = f"{number} is paid: nothing is open"
    if posted:
        missing = einvoice_problems(_document(invoice, None))
        if missing:
            reasons["export"] = "No e-invoice: " + "; ".join(missing)
    return reasons


def invoice_id_for_number(db: Database, actor: Actor, number: str) -> int:
    """The invoice or credit note with this number."""
    actor.require(Permission.VIEW_INVOICES)
    with db.read() as session:
        found = session.scalar(
            select(Invoice.id).where(Invoice.number == number.strip().upper())
        )
    if found is None:
        raise NotFound(f"There is no invoice or credit note {number.strip()}.")
    return found


# --------------------------------------------------------------------------
# The printed and electronic forms
# --------------------------------------------------------------------------


def _document(invoice: Invoice, credited: Invoice | None) -> InvoiceDocument:
    jurisdiction = jurisdiction_for(invoice.country)
    return InvoiceDocument(
        document_type=invoice.document_type,
        number=invoice.number or "",
        issue_date=invoice.invoice_date,
        due_date=invoice.due_date,
        payment_terms_days=invoice.payment_terms_days,
        currency=invoice.currency,
        country=invoice.country,
        tax_scheme=jurisdiction.tax_scheme,
        prices_include_tax=invoice.prices_include_tax,
        seller=Party(
            invoice.seller_name,
            invoice.seller_abn,
            split_address(invoice.seller_address, invoice.country),
            phone=invoice.seller_phone,
        ),
        buyer=Party(
            invoice.buyer_name,
            invoice.buyer_abn,
            _buyer_address(invoice),
            account_number=invoice.buyer_number,
        ),
        buyer_reference=invoice.buyer_reference,
        note=invoice.note,
        lines=tuple(
            DocumentLine(
                line.position,
                line.line_kind,
                line.description,
                line.quantity,
                line.unit_code,
                line.unit_price,
                line.discount,
                TaxCategory(line.category),
                line.rate,
                line.net_amount,
            )
            for line in invoice.lines
        ),
        taxes=tuple(
            DocumentTax(TaxCategory(t.category), t.rate, t.taxable_amount, t.tax_amount)
            for t in invoice.taxes
        ),
        line_extension_total=invoice.line_extension_total,
        allowance_total=invoice.allowance_total,
        charge_total=invoice.charge_total,
        tax_exclusive_total=invoice.tax_exclusive_total,
        tax_total=invoice.tax_total,
        total=invoice.total,
        credited_number=credited.number or "" if credited else "",
        credited_date=credited.invoice_date if credited else None,
    )


def invoice_document(db: Database, actor: Actor, invoice_id: int) -> InvoiceDocument:
    """A posted invoice or credit note as its printed and electronic forms show it."""
    actor.require(Permission.VIEW_INVOICES)
    with db.read() as session:
        invoice = load(session, Invoice, invoice_id, "invoice")
        if invoice.status != POSTED:
            raise Refused("A draft has no number yet: post it before printing it.")
        credited = (
            session.get(Invoice, invoice.credited_invoice_id)
            if invoice.credited_invoice_id
            else None
        )
        return _document(invoice, credited)


def documents_dir() -> Path:
    """Where printed and electronic invoices go unless the user names a file."""
    path = data_dir() / "invoices"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_pdf(
    db: Database, actor: Actor, invoice_id: int, path: Path | None = None
) -> Path:
    """Print the tax invoice (or adjustment note) to a PDF file."""
    from dealer_tui.invoicing.pdf import render_pdf

    document = invoice_document(db, actor, invoice_id)
    target = path or documents_dir() / f"{document.number}.pdf"
    _write(target, render_pdf(document))
    log.info("printed %s", document.number)
    return target


def write_einvoice(
    db: Database, actor: Actor, invoice_id: int, path: Path | None = None
) -> Path:
    """Write the PINT A-NZ e-invoice (UBL 2.1 XML) of a posted document."""
    document = invoice_document(db, actor, invoice_id)
    missing = einvoice_problems(document)
    if missing:
        raise Refused(f"No e-invoice for {document.number}: {'; '.join(missing)}.")
    target = path or documents_dir() / f"{document.number}.xml"
    _write(target, to_ubl(document))
    log.info("wrote the e-invoice of %s", document.number)
    return target


def _write(target: Path, content: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    except OSError as exc:
        raise Refused(f"Could not write {target}: {exc.strerror or exc}.") from None
