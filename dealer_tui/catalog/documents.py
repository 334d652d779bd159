"""The quote as the customer receives it: a PDF to print, plain text to e-mail.

Both show the same things in the same order: the dealer and the customer,
the truck's specification grouped by option family with its prices, the
accessories and contracts, the discounts, the trade-in, GST, the amount
payable, the finance offer and the date the quote is valid until.  The
trade-in's appraised value is the dealer's own business and is not
printed; the allowance given for it is.  A quote not yet sent prints with
the word DRAFT, so that nobody mistakes it for an offer.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy import select

from dealer_tui.accounts.services import format_abn
from dealer_tui.catalog.models import Quote
from dealer_tui.catalog.pricing import LineKind
from dealer_tui.catalog.quote_states import QuoteState
from dealer_tui.catalog.quotes import LineView, QuoteView, quote_view
from dealer_tui.core.auth import Actor
from dealer_tui.core.config import data_dir
from dealer_tui.core.db import Database
from dealer_tui.core.models import Branch, Dealer
from dealer_tui.core.money import show_money

log = logging.getLogger(__name__)

TEXT_WIDTH = 78
NOT_AN_OFFER = (QuoteState.DRAFT, QuoteState.AWAITING_APPROVAL)


@dataclass(frozen=True)
class Letterhead:
    """Who the quote comes from: the dealer, its ABN and the selling branch."""

    dealer_name: str
    legal_name: str
    abn: str
    branch_name: str
    address: str
    phone: str

    @property
    def abn_text(self) -> str:
        digits = "".join(c for c in self.abn if c.isdigit())
        return format_abn(digits) if len(digits) == 11 else self.abn


# --------------------------------------------------------------------------
# Use cases: the quote with its letterhead, printed or as text
# --------------------------------------------------------------------------


def documents_dir() -> Path:
    """Where printed quotes go unless the user names a file."""
    path = data_dir() / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def quote_document(
    db: Database, actor: Actor, quote_id: int
) -> tuple[QuoteView, Letterhead]:
    """The quote as the documents show it, and the letterhead of its branch."""
    view = quote_view(db, actor, quote_id)
    with db.read() as session:
        dealer = session.scalars(select(Dealer).order_by(Dealer.id).limit(1)).first()
        branch_id = session.scalar(select(Quote.branch_id).where(Quote.id == view.id))
        branch = session.get(Branch, branch_id) if branch_id else None
        head = Letterhead(
            dealer_name=dealer.name if dealer else "",
            legal_name=dealer.legal_name if dealer else "",
            abn=(branch.tax_registration if branch else "")
            or (dealer.tax_registration if dealer else ""),
            branch_name=branch.name if branch else "",
            address=branch.address if branch else "",
            phone=branch.phone if branch else "",
        )
    return view, head


def print_quote(
    db: Database, actor: Actor, quote_id: int, path: Path | None = None
) -> Path:
    """Write the quote as a PDF: to the file named, or to the documents folder."""
    view, head = quote_document(db, actor, quote_id)
    target = path or documents_dir() / f"{view.number}-v{view.revision}.pdf"
    quote_pdf(view, head, target)
    log.info("printed quote %s", view.label)
    return target


def email_text(db: Database, actor: Actor, quote_id: int) -> str:
    """The quote as plain text for an e-mail, with the dealer's letterhead."""
    view, head = quote_document(db, actor, quote_id)
    return quote_text(view, head)


def save_email_text(
    db: Database, actor: Actor, quote_id: int, path: Path | None = None
) -> Path:
    """Write the e-mail text to a file: the one named, or beside the PDFs."""
    view, head = quote_document(db, actor, quote_id)
    target = path or documents_dir() / f"{view.number}-v{view.revision}.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(quote_text(view, head), encoding="utf-8")
    return target


# --------------------------------------------------------------------------
# What both documents share
# --------------------------------------------------------------------------


def plain_number(value: Decimal) -> str:
    """A quantity or rate without trailing zeros: 1.000 as 1, 7.5000 as 7.5."""
    plain = value.normalize()
    if plain.as_tuple().exponent > 0:  # type: ignore[operator]
        plain = plain.quantize(Decimal(1))
    return f"{plain:f}"


def amount(value: Decimal) -> str:
    """An amount in a column: 12,345.60."""
    return f"{value:,.2f}"


@dataclass(frozen=True)
class _Row:
    code: str
    description: str
    price: Decimal
    discount: Decimal
    net: Decimal


@dataclass(frozen=True)
class _Group:
    title: str
    rows: tuple[_Row, ...]


def _row(view: QuoteView, index: int, line: LineView) -> _Row:
    gross = view.totals.lines[index].gross_amount
    description = line.description
    if line.kind in (LineKind.ACCESSORY, LineKind.CONTRACT) and line.quantity != 1:
        description = f"{plain_number(line.quantity)} x {description}"
    return _Row(line.code, description, gross, line.discount, gross - line.discount)


def specification(view: QuoteView) -> list[_Group]:
    """The lines grouped for the page: the truck, each family, then extras."""
    groups: dict[str, list[_Row]] = {}
    for index, line in enumerate(view.lines):
        if line.kind == LineKind.BASE:
            title = "Truck"
        elif line.kind == LineKind.OPTION:
            title = line.family or "Options"
        else:
            title = "Accessories and contracts"
        groups.setdefault(title, []).append(_row(view, index, line))
    return [_Group(title, tuple(rows)) for title, rows in groups.items()]


def totals_rows(view: QuoteView) -> list[tuple[str, Decimal]]:
    """The totals from the list price down to the amount payable."""
    totals = view.totals
    rows = [("List price", totals.list_total)]
    if totals.line_discounts:
        rows.append(("Discounts on lines", -totals.line_discounts))
    if totals.total_discount:
        rows.append(("Discount on the total", -totals.total_discount))
    rows += [
        ("Total excluding GST", totals.net_total),
        ("GST", totals.gst),
        ("Total including GST", totals.total_with_gst),
    ]
    if view.trade_in is not None:
        rows.append(("Trade-in allowance", -totals.trade_in_allowance))
        if totals.trade_in_payout:
            rows.append(("Payout owing on the trade-in", totals.trade_in_payout))
    rows.append((f"Amount payable ({view.currency})", totals.payable))
    return rows


def finance_lines(view: QuoteView) -> list[str]:
    """The finance offer in a few sentences, empty when there is none."""
    offer = view.finance
    if offer is None:
        return []
    terms = offer.terms
    money = view.currency
    lines = [
        f"{terms.kind.title}: {show_money(terms.amount_financed, money)} financed "
        f"after a deposit of {show_money(view.finance_deposit, money)}.",
        f"{terms.term_months} monthly payments of {show_money(offer.payment, money)} "
        f"at {plain_number(terms.annual_rate_percent)}% a year.",
    ]
    if offer.last_payment != offer.payment:
        lines.append(f"The last payment is {show_money(offer.last_payment, money)}.")
    if terms.balloon:
        lines.append(
            f"Balloon (residual) at the end: {show_money(terms.balloon, money)}."
        )
    lines.append(
        f"Payments total {show_money(offer.total_payments, money)}, of which "
        f"{show_money(offer.total_interest, money)} is interest."
    )
    lines.append("The offer is indicative and subject to the financier's approval.")
    return lines


def validity_sentence(view: QuoteView) -> str:
    return (
        f"This quote is valid until {view.valid_until:%d/%m/%Y}. Prices are in "
        f"{view.currency} from the price list of {view.price_date:%d/%m/%Y}, "
        "excluding on-road costs."
    )


def _customer_lines(view: QuoteView) -> list[str]:
    lines = [f"{view.customer_name} ({view.customer_number})"]
    if view.customer_abn:
        lines.append(f"ABN {format_abn(view.customer_abn)}")
    if view.customer_address:
        lines.append(view.customer_address)
    if view.contact_name:
        lines.append(f"Attention: {view.contact_name}")
    return lines


# --------------------------------------------------------------------------
# Plain text, for e-mail
# --------------------------------------------------------------------------


def quote_text(view: QuoteView, letterhead: Letterhead | None = None) -> str:
    """The quote as plain text no wider than 78 columns."""
    return "\n".join(_text_lines(view, letterhead)) + "\n"


def _text_lines(view: QuoteView, head: Letterhead | None) -> Iterator[str]:
    width = TEXT_WIDTH
    title = f"QUOTE {view.label}"
    if view.state in NOT_AN_OFFER:
        title += " (DRAFT)"
    if head is not None:
        yield f"{head.dealer_name:<{width - len(title) - 1}} {title}"
        yield f"{head.legal_name} - ABN {head.abn_text}"
        where = ", ".join(x for x in (head.branch_name, head.address) if x)
        if head.phone:
            where += f" - {head.phone}"
        yield from textwrap.wrap(where, width)
    else:
        yield title
    yield ""
    for label, lines in (
        ("For", _customer_lines(view)),
        ("From", [f"{view.rep_name}, {view.branch_name}".strip(", ")]),
        ("Date", [f"{view.price_date:%d/%m/%Y}"]),
        ("Valid until", [f"{view.valid_until:%d/%m/%Y}"]),
    ):
        for number, line in enumerate(lines):
            yield f"{label if number == 0 else '':<12} {line}"
    yield ""
    yield f"Truck: {view.model_name} ({view.model_code})"
    yield ""
    yield from _text_table(view)
    yield ""
    for label, value in totals_rows(view):
        yield f"{label:>{width - 16}} {amount(value):>15}"
    if view.trade_in is not None:
        yield ""
        yield from textwrap.wrap(
            f"Trade-in: {view.trade_in.description}, allowance "
            f"{show_money(view.trade_in.allowance, view.currency)}.",
            width,
        )
    finance = finance_lines(view)
    if finance:
        yield ""
        yield "Finance offer"
        for line in finance:
            yield from textwrap.wrap(
                line, width, initial_indent="  ", subsequent_indent="  "
            )
    yield ""
    yield from textwrap.wrap(validity_sentence(view), width)


def _text_table(view: QuoteView) -> Iterator[str]:
    width = TEXT_WIDTH
    groups = specification(view)
    # The code column is as wide as the longest code; the description
    # takes what is left beside the three amounts (11, 10 and 11 wide).
    code_width = max([8, *(len(r.code) for g in groups for r in g.rows)])
    text_width = width - code_width - 38
    yield (
        f"{'Specification':<{code_width + text_width + 4}}"
        f"{'Price':>11} {'Discount':>10} {'Amount':>11}"
    )
    yield "-" * width
    for group in groups:
        yield group.title
        for row in group.rows:
            parts = textwrap.wrap(row.description, text_width) or [""]
            discount = amount(row.discount) if row.discount else ""
            yield (
                f"  {row.code:<{code_width}} {parts[0]:<{text_width}} "
                f"{amount(row.price):>11} {discount:>10} {amount(row.net):>11}"
            )
            for more in parts[1:]:
                yield f"  {'':<{code_width}} {more}"
    yield "-" * width


# --------------------------------------------------------------------------
# The printed quote
# --------------------------------------------------------------------------

# The PDF core fonts hold Latin-1 only: a few common marks are written
# plainly, anything else outside Latin-1 prints as a question mark.
_LATIN = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00b7": "-",
        "\u2026": "...",
        "\u00d7": "x",
    }
)
FONT = "Helvetica"
LINE = 4.6
# Family, code, description, price, discount, amount: 180 mm between margins.
COLUMNS = (31.0, 31.0, 56.0, 21.0, 20.0, 21.0)
TITLES = ("", "Code", "Description", "Price", "Discount", "Amount")


def latin(text: str) -> str:
    """The text as the PDF core fonts can print it."""
    return text.translate(_LATIN).encode("latin-1", "replace").decode("latin-1")


class _QuotePage(FPDF):
    def __init__(self, view: QuoteView) -> None:
        super().__init__(format="A4")
        self.view = view
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(latin(f"Quote {view.label}"))

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        self.cell(
            0,
            4,
            latin(f"Quote {self.view.label} - page {self.page_no()} of {{nb}}"),
            align="C",
        )

    def text_line(self, text: str, style: str = "", size: float = 9.5) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(
            0, LINE, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
        )

    def table_header(self) -> None:
        self.set_font(FONT, "B", 9)
        for index, (title, width) in enumerate(zip(TITLES, COLUMNS, strict=True)):
            self.cell(width, 6, title, border="B", align="L" if index < 3 else "R")
        self.ln(7)

    def ensure_room(self, height: float, *, header: bool = True) -> None:
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
            if header:
                self.table_header()

    def _lines(self, width: float, text: str) -> int:
        lines = self.multi_cell(width, LINE, text, dry_run=True, output="LINES")
        return max(1, len(lines))

    def fitted_cell(self, width: float, text: str) -> None:
        """A one-line cell whose type shrinks, down to 6 points, to fit."""
        size = self.font_size_pt
        while size > 6 and self.get_string_width(text) > width - 2 * self.c_margin:
            size -= 0.5
            self.set_font_size(size)
        self.cell(width, LINE, text)

    def spec_group(self, group: _Group) -> None:
        """The family's name beside its first row, a thin rule above it."""
        for number, row in enumerate(group.rows):
            title = latin(group.title) if number == 0 else ""
            self.spec_row(row, title, first=number == 0)

    def spec_row(self, row: _Row, title: str, *, first: bool) -> None:
        self.set_font(FONT, "", 9)
        description = latin(row.description)
        height = LINE * max(
            self._lines(COLUMNS[2], description), self._lines(COLUMNS[0], title)
        )
        self.ensure_room(height + 1)
        if first:
            self.set_draw_color(200)
            self.line(self.l_margin, self.get_y(), self.l_margin + 180, self.get_y())
            self.set_draw_color(0)
            self.set_y(self.get_y() + 0.6)
        top = self.get_y()
        left = self.l_margin
        self.set_font(FONT, "B", 9)
        self.set_xy(left, top)
        self.multi_cell(COLUMNS[0], LINE, title, align="L")
        self.set_font(FONT, "", 9)
        self.set_xy(left + COLUMNS[0], top)
        self.fitted_cell(COLUMNS[1], latin(row.code))
        self.set_font(FONT, "", 9)
        self.set_xy(left + COLUMNS[0] + COLUMNS[1], top)
        self.multi_cell(COLUMNS[2], LINE, description, align="L")
        x = left + sum(COLUMNS[:3])
        discount = amount(row.discount) if row.discount else ""
        for width, text in zip(
            COLUMNS[3:], (amount(row.price), discount, amount(row.net)), strict=True
        ):
            self.set_xy(x, top)
            self.cell(width, LINE, text, align="R")
            x += width
        self.set_xy(left, top + height)


def quote_pdf(view: QuoteView, letterhead: Letterhead, path: Path) -> Path:
    """Print the quote to a PDF file at path; returns the path."""
    page = _QuotePage(view)
    page.add_page()
    _pdf_heading(page, view, letterhead)
    _pdf_parties(page, view)
    page.ln(3)
    page.text_line(
        f"{view.model_name} ({view.model_code}), full specification", "B", 11
    )
    page.ln(1)
    page.table_header()
    for group in specification(view):
        page.spec_group(group)
    page.cell(sum(COLUMNS), 1, "", border="T", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _pdf_totals(page, view)
    if view.trade_in is not None:
        page.ln(2)
        page.text_line("Trade-in", "B", 10)
        page.text_line(
            f"{view.trade_in.description}: allowance "
            f"{show_money(view.trade_in.allowance, view.currency)}"
            + (
                f", payout owing {show_money(view.trade_in.payout, view.currency)}"
                if view.trade_in.payout
                else ""
            )
            + "."
        )
    finance = finance_lines(view)
    if finance:
        page.ln(2)
        page.text_line("Finance offer", "B", 10)
        for line in finance:
            page.text_line(line)
    page.ln(3)
    page.text_line(validity_sentence(view), "B")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.output(str(path))
    return path


def _pdf_heading(page: _QuotePage, view: QuoteView, head: Letterhead) -> None:
    top = page.get_y()
    page.set_font(FONT, "B", 16)
    page.cell(110, 8, latin(head.dealer_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    page.set_font(FONT, "", 9)
    for line in (
        f"{head.legal_name}   ABN {head.abn_text}",
        ", ".join(x for x in (head.branch_name, head.address) if x),
        f"Phone {head.phone}" if head.phone else "",
    ):
        if line:
            page.cell(110, 4.5, latin(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = page.get_y()
    page.set_xy(125, top)
    page.set_font(FONT, "B", 14)
    title = "QUOTE" if view.state not in NOT_AN_OFFER else "QUOTE - DRAFT"
    page.cell(70, 8, title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    page.set_font(FONT, "", 9.5)
    for line in (
        f"Number {view.label}",
        f"Date {view.price_date:%d/%m/%Y}",
        f"Valid until {view.valid_until:%d/%m/%Y}",
    ):
        page.cell(70, 4.5, latin(line), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    page.set_xy(page.l_margin, max(bottom, page.get_y()) + 4)


def _pdf_parties(page: _QuotePage, view: QuoteView) -> None:
    top = page.get_y()
    page.set_font(FONT, "B", 9)
    page.cell(100, 5, "Quoted for", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    page.set_font(FONT, "", 9.5)
    for line in _customer_lines(view):
        page.cell(100, 4.8, latin(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = page.get_y()
    page.set_xy(125, top)
    page.set_font(FONT, "B", 9)
    page.cell(70, 5, "Prepared by", new_x=XPos.LEFT, new_y=YPos.NEXT)
    page.set_font(FONT, "", 9.5)
    for line in (view.rep_name, view.branch_name):
        if line:
            page.cell(70, 4.8, latin(line), new_x=XPos.LEFT, new_y=YPos.NEXT)
    page.set_xy(page.l_margin, max(bottom, page.get_y()))


def _pdf_totals(page: _QuotePage, view: QuoteView) -> None:
    rows = totals_rows(view)
    page.ensure_room(LINE * (len(rows) + 1), header=False)
    page.ln(1)
    label_width = sum(COLUMNS) - 40
    for index, (label, value) in enumerate(rows):
        last = index == len(rows) - 1
        bold = last or label == "Total including GST"
        page.set_font(FONT, "B" if bold else "", 10 if last else 9.5)
        page.cell(label_width, LINE + (1 if last else 0), latin(label), align="R")
        page.cell(
            40,
            LINE + (1 if last else 0),
            amount(value),
            align="R",
            border="T" if last else "",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
