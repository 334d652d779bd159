"""Invoice documents built in memory for the e-invoice and PDF tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal as D
from functools import cache
from pathlib import Path

from lxml import etree

from dealer_tui.invoicing.document import (
    CREDIT_NOTE,
    INVOICE,
    Address,
    DocumentLine,
    DocumentTax,
    InvoiceDocument,
    Party,
    price,
)
from dealer_tui.invoicing.sources import SourceLine
from dealer_tui.invoicing.tax import AUSTRALIA, Jurisdiction

SELLER = Party(
    "Southern Cross Trucks Pty Ltd",
    "91526018159",
    Address("18 Boundary Road", "Laverton North", "VIC", "3026"),
    phone="(03) 9368 4100",
)
BUYER = Party(
    "Bayside Haulage Pty Ltd",
    "52083016613",
    Address("1 Bay Street", "Altona", "VIC", "3018"),
    account_number="C000001",
)
PRIVATE_BUYER = Party("Jan Novak", "", Address(), account_number="C000002")


def document(
    lines: Sequence[SourceLine],
    *,
    document_type: str = INVOICE,
    buyer: Party = BUYER,
    jurisdiction: Jurisdiction = AUSTRALIA,
    prices_include_tax: bool = False,
    number: str = "INV2026-000042",
) -> InvoiceDocument:
    """A posted document of the lines, priced as the services price them."""
    priced = price(lines, jurisdiction, prices_include_tax=prices_include_tax)
    totals = priced.totals
    credit = document_type == CREDIT_NOTE
    return InvoiceDocument(
        document_type=document_type,
        number=number,
        issue_date=date(2026, 11, 30),
        due_date=None if credit else date(2026, 12, 30),
        payment_terms_days=30,
        currency=jurisdiction.currency,
        country="AU",
        tax_scheme=jurisdiction.tax_scheme,
        prices_include_tax=prices_include_tax,
        seller=SELLER,
        buyer=buyer,
        buyer_reference="PO-77",
        note="",
        lines=tuple(
            DocumentLine(
                p.position,
                p.line.line_kind,
                p.line.description,
                p.line.quantity,
                p.line.unit_code,
                p.line.unit_price,
                p.line.discount,
                p.category,
                p.rate,
                p.net_amount,
            )
            for p in priced.lines
        ),
        taxes=tuple(
            DocumentTax(s.category, s.rate, s.taxable_amount, s.tax_amount)
            for s in totals.tax_subtotals
        ),
        line_extension_total=totals.line_extension_total,
        allowance_total=totals.allowance_total,
        charge_total=totals.charge_total,
        tax_exclusive_total=totals.tax_exclusive_total,
        tax_total=totals.tax_total,
        total=totals.payable_amount,
        credited_number="INV2026-000041" if credit else "",
        credited_date=date(2026, 11, 2) if credit else None,
    )


@cache
def ubl_schema(kind: str) -> etree.XMLSchema:
    """The OASIS UBL 2.1 schema of an Invoice or a CreditNote."""
    import peppol

    folder = Path(peppol.__file__).parent / "schema" / "maindoc"
    return etree.XMLSchema(etree.parse(str(folder / f"UBL-{kind}-2.1.xsd")))


CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": CBC, "cac": CAC}


def amount(node: etree._Element, path: str) -> D:
    found = node.find(path, NS)
    return D(found.text) if found is not None else D(0)


def amounts(node: etree._Element, path: str) -> list[D]:
    return [D(found.text) for found in node.findall(path, NS)]


def arithmetic_problems(xml: bytes) -> list[str]:
    """The e-invoice's calculation rules (EN 16931 / PINT A-NZ) worked again.

    Every document total is compared exactly with the sum of its parts;
    each line's net with quantity x price less its allowances within the
    specification's two cents; each tax amount with its base x rate within
    one cent.
    """
    root = etree.fromstring(xml)
    credit = etree.QName(root).localname == "CreditNote"
    line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    quantity_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    money = root.find("cac:LegalMonetaryTotal", NS)
    problems = []

    def check(rule: str, left: D, right: D, slack: D = D(0)) -> None:
        if abs(left - right) > slack:
            problems.append(f"{rule}: {left} != {right}")

    lines = root.findall(line_tag, NS)
    allowances = root.findall("cac:AllowanceCharge[cbc:ChargeIndicator='false']", NS)
    charges = root.findall("cac:AllowanceCharge[cbc:ChargeIndicator='true']", NS)
    line_total = sum((amount(x, "cbc:LineExtensionAmount") for x in lines), D(0))
    allowance_total = sum((amount(x, "cbc:Amount") for x in allowances), D(0))
    charge_total = sum((amount(x, "cbc:Amount") for x in charges), D(0))
    tax_total = amount(root, "cac:TaxTotal/cbc:TaxAmount")
    check("line nets", amount(money, "cbc:LineExtensionAmount"), line_total)
    check("allowances", amount(money, "cbc:AllowanceTotalAmount"), allowance_total)
    check("charges", amount(money, "cbc:ChargeTotalAmount"), charge_total)
    check(
        "without tax",
        amount(money, "cbc:TaxExclusiveAmount"),
        line_total - allowance_total + charge_total,
    )
    check(
        "with tax",
        amount(money, "cbc:TaxInclusiveAmount"),
        amount(money, "cbc:TaxExclusiveAmount") + tax_total,
    )
    check(
        "payable",
        amount(money, "cbc:PayableAmount"),
        amount(money, "cbc:TaxInclusiveAmount"),
    )
    subtotals = root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    check("tax", tax_total, sum((amount(s, "cbc:TaxAmount") for s in subtotals), D(0)))
    for line in lines:
        quantity = amount(line, quantity_tag)
        price = amount(line, "cac:Price/cbc:PriceAmount")
        off = sum(amounts(line, "cac:AllowanceCharge/cbc:Amount"), D(0))
        check(
            "line net",
            amount(line, "cbc:LineExtensionAmount"),
            quantity * price - off,
            D("0.02"),
        )
    for subtotal in subtotals:
        key = (
            subtotal.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
            amount(subtotal, "cac:TaxCategory/cbc:Percent"),
        )
        base = sum(
            (
                amount(x, "cbc:LineExtensionAmount")
                for x in lines
                if _tax_key(x, "cac:Item/cac:ClassifiedTaxCategory") == key
            ),
            D(0),
        )
        for sign, group in ((-1, allowances), (1, charges)):
            base += sign * sum(
                (
                    amount(x, "cbc:Amount")
                    for x in group
                    if _tax_key(x, "cac:TaxCategory") == key
                ),
                D(0),
            )
        check(f"base {key}", amount(subtotal, "cbc:TaxableAmount"), base)
        check(
            f"tax {key}",
            amount(subtotal, "cbc:TaxAmount"),
            base * key[1] / 100,
            D("0.01"),
        )
    return problems


def _tax_key(node: etree._Element, path: str) -> tuple[str | None, D]:
    return node.findtext(f"{path}/cbc:ID", namespaces=NS), amount(
        node, f"{path}/cbc:Percent"
    )
