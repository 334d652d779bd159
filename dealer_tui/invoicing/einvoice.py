"""The e-invoice: a posted invoice or credit note as Peppol PINT A-NZ UBL.

PINT A-NZ is the Australian and New Zealand Peppol billing specification:
a UBL 2.1 Invoice or CreditNote that names the specification in its
CustomizationID, identifies seller and buyer by ABN (scheme 0151) and
carries the document's own totals.  Every amount written here is one the
invoice was posted with, so the document's arithmetic is the invoice's.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from dealer_tui.invoicing.document import (
    Address,
    DocumentLine,
    InvoiceDocument,
    Party,
)
from dealer_tui.invoicing.tax import TaxCategory, plain_rate

CUSTOMIZATION_ID = "urn:peppol:pint:billing-1@aunz-1"
PROFILE_ID = "urn:peppol:bis:billing"
ABN_SCHEME = "0151"
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
# UNCL5189 95: discount; a line discount travels as a line allowance.
DISCOUNT_REASON_CODE = "95"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {"cac": NS_CAC, "cbc": NS_CBC}

# Enough places that quantity x net price of a tax-inclusive line comes
# back to its net within a cent for any quantity a dealer invoices.
NET_PRICE_PLACES = Decimal("0.000001")


def einvoice_problems(document: InvoiceDocument) -> list[str]:
    """Why the document cannot go out as a PINT A-NZ e-invoice, if it cannot."""
    problems = []
    if document.country != "AU" or document.buyer.address.country != "AU":
        problems.append("e-invoices are made for Australian sellers and buyers")
    if not _is_abn(document.seller.abn):
        problems.append("the dealer's ABN is missing or not 11 digits")
    if not _is_abn(document.buyer.abn):
        problems.append(
            f"{document.buyer.name} has no ABN, which a Peppol e-invoice "
            "needs to address the buyer"
        )
    return problems


def _is_abn(text: str) -> bool:
    return len(text) == 11 and text.isdigit()


def to_ubl(document: InvoiceDocument) -> bytes:
    """The UBL 2.1 XML of the document, UTF-8 with an XML declaration.

    Raises ValueError naming what is missing when `einvoice_problems`
    finds anything.
    """
    problems = einvoice_problems(document)
    if problems:
        raise ValueError("; ".join(problems))
    credit = document.is_credit_note
    namespace = NS_CREDIT_NOTE if credit else NS_INVOICE
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: namespace, **NSMAP},
    )
    _text(root, "CustomizationID", CUSTOMIZATION_ID)
    _text(root, "ProfileID", PROFILE_ID)
    _text(root, "ID", document.number)
    _text(root, "IssueDate", document.issue_date.isoformat())
    if not credit and document.due_date:
        _text(root, "DueDate", document.due_date.isoformat())
    _text(
        root,
        "CreditNoteTypeCode" if credit else "InvoiceTypeCode",
        CREDIT_NOTE_TYPE if credit else INVOICE_TYPE,
    )
    if document.note:
        _text(root, "Note", document.note)
    _text(root, "DocumentCurrencyCode", document.currency)
    _text(root, "BuyerReference", document.buyer_reference or document.number)
    if credit and document.credited_number:
        reference = _sub(_sub(root, "BillingReference"), "InvoiceDocumentReference")
        _text(reference, "ID", document.credited_number)
        if document.credited_date:
            _text(reference, "IssueDate", document.credited_date.isoformat())
    _party(_sub(root, "AccountingSupplierParty"), document.seller, seller=True)
    _party(_sub(root, "AccountingCustomerParty"), document.buyer, seller=False)
    if not credit:
        terms = _sub(root, "PaymentTerms")
        _text(terms, "Note", f"Payment within {document.payment_terms_days} days")
    for line in document.allowances:
        _document_amount(root, document, line, charge=False)
    for line in document.charges:
        _document_amount(root, document, line, charge=True)
    _tax_total(root, document)
    _monetary_total(root, document)
    for number, line in enumerate(document.items, start=1):
        _line(root, document, line, number, credit=credit)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _sub(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS_CAC}}}{name}")


def _text(
    parent: etree._Element, name: str, value: str, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS_CBC}}}{name}", **attributes)
    element.text = value
    return element


def _money(
    parent: etree._Element, name: str, amount: Decimal, currency: str
) -> etree._Element:
    return _text(parent, name, f"{amount:.2f}", currencyID=currency)


def _number(value: Decimal) -> str:
    """A quantity, price or rate without trailing zeros: 3.000 reads 3."""
    plain = value.normalize()
    if int(plain.as_tuple().exponent) > 0:
        plain = plain.quantize(Decimal(1))
    return f"{plain:f}"


def _address(parent: etree._Element, address: Address) -> None:
    postal = _sub(parent, "PostalAddress")
    for name, value in (
        ("StreetName", address.street),
        ("CityName", address.city),
        ("PostalZone", address.postcode),
        ("CountrySubentity", address.state),
    ):
        if value:
            _text(postal, name, value)
    _text(_sub(postal, "Country"), "IdentificationCode", address.country)


def _party(parent: etree._Element, party: Party, *, seller: bool) -> None:
    node = _sub(parent, "Party")
    _text(node, "EndpointID", party.abn, schemeID=ABN_SCHEME)
    if party.account_number and not seller:
        _text(_sub(node, "PartyIdentification"), "ID", party.account_number)
    _text(_sub(node, "PartyName"), "Name", party.name)
    _address(node, party.address)
    if seller:
        scheme = _sub(node, "PartyTaxScheme")
        _text(scheme, "CompanyID", party.abn)
        _text(_sub(scheme, "TaxScheme"), "ID", "GST")
    legal = _sub(node, "PartyLegalEntity")
    _text(legal, "RegistrationName", party.name)
    _text(legal, "CompanyID", party.abn, schemeID=ABN_SCHEME)
    if seller and party.phone:
        _text(_sub(node, "Contact"), "Telephone", party.phone)


def _category(
    parent: etree._Element,
    name: str,
    category: TaxCategory,
    rate: Decimal,
    scheme: str,
) -> None:
    node = _sub(parent, name)
    _text(node, "ID", category.uncl5305)
    _text(node, "Percent", _number(plain_rate(rate)))
    if category is TaxCategory.EXEMPT and name == "TaxCategory":
        # An exempt supply is "input taxed" in Australian GST law.
        _text(node, "TaxExemptionReason", "Input taxed supply")
    _text(_sub(node, "TaxScheme"), "ID", scheme)


def _document_amount(
    root: etree._Element,
    document: InvoiceDocument,
    line: DocumentLine,
    *,
    charge: bool,
) -> None:
    node = _sub(root, "AllowanceCharge")
    _text(node, "ChargeIndicator", "true" if charge else "false")
    _text(node, "AllowanceChargeReason", line.description)
    _money(node, "Amount", line.net_amount, document.currency)
    _category(node, "TaxCategory", line.category, line.rate, document.tax_scheme)


def _tax_total(root: etree._Element, document: InvoiceDocument) -> None:
    total = _sub(root, "TaxTotal")
    _money(total, "TaxAmount", document.tax_total, document.currency)
    for tax in document.taxes:
        subtotal = _sub(total, "TaxSubtotal")
        _money(subtotal, "TaxableAmount", tax.taxable_amount, document.currency)
        _money(subtotal, "TaxAmount", tax.tax_amount, document.currency)
        _category(subtotal, "TaxCategory", tax.category, tax.rate, document.tax_scheme)


def _monetary_total(root: etree._Element, document: InvoiceDocument) -> None:
    total = _sub(root, "LegalMonetaryTotal")
    currency = document.currency
    _money(total, "LineExtensionAmount", document.line_extension_total, currency)
    _money(total, "TaxExclusiveAmount", document.tax_exclusive_total, currency)
    _money(total, "TaxInclusiveAmount", document.total, currency)
    if document.allowances:
        _money(total, "AllowanceTotalAmount", document.allowance_total, currency)
    if document.charges:
        _money(total, "ChargeTotalAmount", document.charge_total, currency)
    _money(total, "PayableAmount", document.total, currency)


def _line(
    root: etree._Element,
    document: InvoiceDocument,
    line: DocumentLine,
    number: int,
    *,
    credit: bool,
) -> None:
    currency = document.currency
    node = _sub(root, "CreditNoteLine" if credit else "InvoiceLine")
    _text(node, "ID", str(number))
    _text(
        node,
        "CreditedQuantity" if credit else "InvoicedQuantity",
        _number(line.quantity),
        unitCode=line.unit_code,
    )
    _money(node, "LineExtensionAmount", line.net_amount, currency)
    if document.prices_include_tax:
        # The e-invoice states net prices: a price that included tax is
        # given as the line's net per unit, its discount already inside.
        price = (
            (line.net_amount / line.quantity).quantize(NET_PRICE_PLACES)
            if line.quantity
            else Decimal(0)
        )
    else:
        price = line.unit_price
        if line.discount:
            allowance = _sub(node, "AllowanceCharge")
            _text(allowance, "ChargeIndicator", "false")
            _text(allowance, "AllowanceChargeReasonCode", DISCOUNT_REASON_CODE)
            _text(allowance, "AllowanceChargeReason", "Discount")
            _money(allowance, "Amount", line.discount, currency)
    item = _sub(node, "Item")
    _text(item, "Name", line.description)
    _category(
        item, "ClassifiedTaxCategory", line.category, line.rate, document.tax_scheme
    )
    _text(_sub(node, "Price"), "PriceAmount", _number(price), currencyID=currency)
