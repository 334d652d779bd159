"""The printed tax invoice and adjustment note, as a PDF.

The page shows what the tax office asks of a tax invoice: the words "Tax
invoice", the seller's identity and ABN, the date of issue, what was
supplied with its quantity and price, the GST, and the buyer's identity
and ABN (which the ATO asks for from A$1,000).  A credit note prints as an
"Adjustment note" that names the invoice it adjusts.
"""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from dealer_tui.accounts.services import format_abn
from dealer_tui.core.money import SYMBOLS, show_money
from dealer_tui.invoicing.document import DocumentLine, InvoiceDocument
from dealer_tui.invoicing.tax import TaxCategory, plain_rate

# The PDF core fonts hold Latin-1 only; these common marks have a plain
# equivalent there, anything else prints as a question mark.
_PLAIN = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00b7": "-",
        "\u2026": "...",
    }
)

PAGE_WIDTH = 180.0
COLUMNS = (("Description", 88.0), ("Qty", 18.0), ("Unit price", 26.0))
COLUMNS += (("GST", 16.0), ("Amount", 32.0))


def latin(text: str) -> str:
    """The text as the PDF core fonts can print it."""
    plain = text.translate(_PLAIN)
    return plain.encode("latin-1", "replace").decode("latin-1")


def title_of(document: InvoiceDocument) -> str:
    """'Tax invoice', or for a credit note the term of the country."""
    if document.is_credit_note:
        return "Adjustment note" if document.country == "AU" else "Credit note"
    return "Tax invoice"


def quantity_text(quantity: Decimal) -> str:
    """3.000 as '3' and 2.500 as '2.5'."""
    plain = quantity.normalize()
    if plain.as_tuple().exponent > 0:  # type: ignore[operator]
        plain = plain.quantize(Decimal(1))
    return f"{plain:f}"


def price_text(price: Decimal, currency: str) -> str:
    """A unit price with its cents, or with every place it was priced in."""
    exponent = int(price.normalize().as_tuple().exponent)
    places = max(2, -exponent)
    return f"{SYMBOLS.get(currency, currency + ' ')}{price:,.{places}f}"


def rate_text(line: DocumentLine) -> str:
    if line.category is TaxCategory.STANDARD:
        return f"{plain_rate(line.rate)}%"
    return "free" if line.category is TaxCategory.ZERO_RATED else "exempt"


class _Page(FPDF):
    def __init__(self, document: InvoiceDocument) -> None:
        super().__init__(format="A4")
        self.document = document
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(latin(f"{title_of(document)} {document.number}"))
        self.set_author(latin(document.seller.name))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(
            0,
            5,
            latin(f"{self.document.number} - page {self.page_no()}/{{nb}}"),
            align="R",
        )

    def text_line(self, text: str, size: float = 10, style: str = "") -> None:
        self.set_font("Helvetica", style, size)
        self.cell(0, size * 0.5, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_pdf(document: InvoiceDocument, *, compress: bool = True) -> bytes:
    """The printed form of a posted invoice or credit note."""
    pdf = _Page(document)
    pdf.compress = compress
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf, document)
    _parties(pdf, document)
    _lines(pdf, document)
    _totals(pdf, document)
    return bytes(pdf.output())


def _heading(pdf: _Page, document: InvoiceDocument) -> None:
    seller = document.seller
    top = pdf.get_y()
    pdf.text_line(seller.name, 13, "B")
    pdf.text_line(f"ABN {format_abn(seller.abn)}")
    for line in seller.address.lines():
        pdf.text_line(line)
    if seller.phone:
        pdf.text_line(f"Phone {seller.phone}")
    bottom = pdf.get_y()
    pdf.set_xy(120, top)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(75, 9, latin(title_of(document)), align="R")
    facts = [f"Number {document.number}", f"Date {document.issue_date:%d/%m/%Y}"]
    if document.is_credit_note and document.credited_number:
        when = (
            f" of {document.credited_date:%d/%m/%Y}" if document.credited_date else ""
        )
        facts.append(f"Adjusts invoice {document.credited_number}{when}")
    elif document.due_date:
        facts.append(f"Due {document.due_date:%d/%m/%Y}")
    pdf.set_font("Helvetica", "", 10)
    for offset, fact in enumerate(facts, start=2):
        pdf.set_xy(100, top + 5 * offset)
        pdf.cell(95, 5, latin(fact), align="R")
    pdf.set_y(max(bottom, top + 5 * (len(facts) + 2)) + 4)


def _parties(pdf: _Page, document: InvoiceDocument) -> None:
    buyer = document.buyer
    pdf.text_line("Bill to", 9, "B")
    pdf.text_line(buyer.name, 11, "B")
    if buyer.abn:
        pdf.text_line(f"ABN {format_abn(buyer.abn)}")
    for line in buyer.address.lines():
        pdf.text_line(line)
    details = [f"Account {buyer.account_number}"] if buyer.account_number else []
    if document.buyer_reference:
        details.append(f"Your reference {document.buyer_reference}")
    if details:
        pdf.text_line("   ".join(details), 9)
    if document.note:
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(PAGE_WIDTH, 4.5, latin(document.note))
    pdf.ln(4)


def _row(pdf: _Page, cells: list[str], *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    for index, ((_, width), text) in enumerate(zip(COLUMNS, cells, strict=True)):
        align = "L" if index == 0 else "R"
        if index == 0:
            # Long descriptions are cut to the column rather than wrapped,
            # so the figures of a line always stay on its row.
            while text and pdf.get_string_width(latin(text)) > width - 2:
                text = text[:-1]
        pdf.cell(width, 6, latin(text), border="B" if bold else 0, align=align)
    pdf.ln(6)


def _lines(pdf: _Page, document: InvoiceDocument) -> None:
    currency = document.currency
    _row(pdf, [title for title, _ in COLUMNS], bold=True)
    for line in document.items:
        _row(
            pdf,
            [
                line.description,
                quantity_text(line.quantity),
                price_text(line.unit_price, currency),
                rate_text(line),
                show_money(line.net_amount, currency),
            ],
        )
        if line.discount:
            _row(
                pdf,
                ["   less discount", "", "", "", show_money(-line.discount, currency)],
            )
    for line in document.allowances:
        amount = show_money(-line.net_amount, currency)
        _row(pdf, [f"Allowance: {line.description}", "", "", rate_text(line), amount])
    for line in document.charges:
        amount = show_money(line.net_amount, currency)
        _row(pdf, [f"Charge: {line.description}", "", "", rate_text(line), amount])
    if document.prices_include_tax:
        pdf.text_line(
            "Prices were quoted including GST; amounts are shown without it.", 8
        )
    pdf.ln(3)


def _total_row(pdf: _Page, label: str, amount: str, *, bold: bool = False) -> None:
    pdf.set_x(15 + PAGE_WIDTH - 110)
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    pdf.cell(78, 6, latin(label), align="R")
    pdf.cell(32, 6, latin(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _totals(pdf: _Page, document: InvoiceDocument) -> None:
    currency = document.currency
    scheme = document.tax_scheme
    _total_row(
        pdf,
        f"Total excluding {scheme}",
        show_money(document.tax_exclusive_total, currency),
    )
    for tax in document.taxes:
        if tax.category is TaxCategory.STANDARD:
            label = (
                f"{scheme} {plain_rate(tax.rate)}% on "
                f"{show_money(tax.taxable_amount, currency)}"
            )
        else:
            label = (
                f"{'GST-free' if tax.category is TaxCategory.ZERO_RATED else 'Exempt'}"
                f" supplies {show_money(tax.taxable_amount, currency)}"
            )
        _total_row(pdf, label, show_money(tax.tax_amount, currency))
    _total_row(pdf, f"Total {scheme}", show_money(document.tax_total, currency))
    label = "Total credited" if document.is_credit_note else f"Total including {scheme}"
    _total_row(pdf, label, show_money(document.total, currency), bold=True)
    pdf.ln(4)
    if document.is_credit_note:
        reduction = show_money(document.tax_total, currency)
        pdf.text_line(
            f"This adjustment note reduces the {scheme} of invoice "
            f"{document.credited_number} by {reduction}.",
            9,
        )
    elif document.due_date:
        pdf.text_line(
            f"Please pay {show_money(document.total, currency)} by "
            f"{document.due_date:%d/%m/%Y} ({document.payment_terms_days} days), "
            f"quoting {document.number}.",
            9,
        )
