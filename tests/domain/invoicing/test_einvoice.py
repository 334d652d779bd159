"""The e-invoice: PINT A-NZ UBL 2.1 that passes the schema and adds up."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dealer_tui.invoicing.document import CREDIT_NOTE
from dealer_tui.invoicing.einvoice import (
    CUSTOMIZATION_ID,
    PROFILE_ID,
    einvoice_problems,
    to_ubl,
)
from dealer_tui.invoicing.sources import SourceLine
from tests.domain.invoicing.documents import (
    NS,
    PRIVATE_BUYER,
    arithmetic_problems,
    document,
    ubl_schema,
)

WORKSHOP = [
    SourceLine("Oil filter", D(3), D("33.335")),
    SourceLine("Workshop labour", D("2.5"), D("150.00"), D("10.00"), unit_code="HUR"),
    SourceLine("Brochure", D(1), D("5.00"), category="Z"),
    SourceLine("Stamp duty", D(1), D("12.00"), category="E"),
    SourceLine("Fleet discount", D(1), D("20.00"), line_kind="allowance"),
    SourceLine("Freight", D(1), D("45.00"), line_kind="charge"),
]


def _valid(xml: bytes) -> etree._Element:
    root = etree.fromstring(xml)
    kind = etree.QName(root).localname
    schema = ubl_schema(kind)
    assert schema.validate(root), schema.error_log
    return root


def test_an_invoice_passes_the_ubl_schema_and_its_rules() -> None:
    """Items at S, Z and E, a line discount, an allowance and a charge all add up."""
    xml = to_ubl(document(WORKSHOP))
    root = _valid(xml)
    assert arithmetic_problems(xml) == []
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == CUSTOMIZATION_ID
    assert root.findtext("cbc:ProfileID", namespaces=NS) == PROFILE_ID
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert root.findtext("cbc:DueDate", namespaces=NS) == "2026-12-30"


def test_the_invoice_totals_are_the_posted_ones() -> None:
    """470.01 + 12.00 exempt of lines, -20.00 + 45.00: GST 49.00 on 490.01."""
    xml = to_ubl(document(WORKSHOP))
    root = etree.fromstring(xml)
    money = root.find("cac:LegalMonetaryTotal", NS)
    assert [child.text for child in money] == [
        "482.01",
        "507.01",
        "556.01",
        "20.00",
        "45.00",
        "556.01",
    ]
    subtotals = [
        (
            s.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
            s.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS),
            s.findtext("cbc:TaxableAmount", namespaces=NS),
            s.findtext("cbc:TaxAmount", namespaces=NS),
        )
        for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    ]
    # S: 100.01 + 365.00 - 20.00 + 45.00 = 490.01, taxed 49.001 -> 49.00.
    assert subtotals == [
        ("S", "10", "490.01", "49.00"),
        ("Z", "0", "5.00", "0.00"),
        ("E", "0", "12.00", "0.00"),
    ]


def test_parties_are_named_by_abn() -> None:
    """Seller and buyer carry their ABN as endpoint (scheme 0151) and legal id."""
    root = etree.fromstring(to_ubl(document(WORKSHOP)))
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert seller.find("cbc:EndpointID", NS).get("schemeID") == "0151"
    assert seller.findtext("cbc:EndpointID", namespaces=NS) == "91526018159"
    assert (
        seller.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS)
        == "91526018159"
    )
    assert (
        seller.findtext("cac:PartyTaxScheme/cac:TaxScheme/cbc:ID", namespaces=NS)
        == "GST"
    )
    assert buyer.findtext("cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS) == (
        "52083016613"
    )
    assert buyer.findtext("cac:PostalAddress/cbc:CityName", namespaces=NS) == "Altona"


def test_a_line_discount_travels_as_a_line_allowance() -> None:
    """2.5 x 150.00 less 10.00: price 150, allowance 10.00, net 365.00."""
    root = etree.fromstring(to_ubl(document(WORKSHOP)))
    labour = root.findall("cac:InvoiceLine", NS)[1]
    assert labour.findtext("cbc:InvoicedQuantity", namespaces=NS) == "2.5"
    assert labour.find("cbc:InvoicedQuantity", NS).get("unitCode") == "HUR"
    assert labour.findtext("cbc:LineExtensionAmount", namespaces=NS) == "365.00"
    assert labour.findtext("cac:AllowanceCharge/cbc:Amount", namespaces=NS) == "10.00"
    assert labour.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "150"


def test_a_credit_note_refers_to_its_invoice() -> None:
    """A credit note is a UBL CreditNote (381) referring to its invoice."""
    xml = to_ubl(document(WORKSHOP[:2], document_type=CREDIT_NOTE, number="CRN2026-1"))
    root = _valid(xml)
    assert arithmetic_problems(xml) == []
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    reference = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert reference.findtext("cbc:ID", namespaces=NS) == "INV2026-000041"
    assert reference.findtext("cbc:IssueDate", namespaces=NS) == "2026-11-02"
    assert len(root.findall("cac:CreditNoteLine", NS)) == 2


def test_tax_inclusive_prices_go_out_as_net_prices() -> None:
    """Quoted 99.99 including GST: net 90.90 at a net price of 90.90 each."""
    lines = [
        SourceLine("Windscreen", D(1), D("99.99")),
        SourceLine("Blade", D(3), D("14.95")),
    ]
    xml = to_ubl(document(lines, prices_include_tax=True))
    root = _valid(xml)
    assert arithmetic_problems(xml) == []
    nets = [x.text for x in root.findall("cac:InvoiceLine/cbc:LineExtensionAmount", NS)]
    prices = [
        x.text for x in root.findall("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS)
    ]
    # 99.99 + 44.85 = 144.84 gross; GST 13.17; nets 90.90 and 40.77.
    assert nets == ["90.90", "40.77"]
    assert prices == ["90.9", "13.59"]
    assert (
        root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
        == "144.84"
    )


def test_no_e_invoice_for_a_buyer_without_an_abn() -> None:
    """A private buyer without an ABN cannot be addressed on Peppol."""
    private = document(WORKSHOP[:1], buyer=PRIVATE_BUYER)
    [problem] = einvoice_problems(private)
    assert "Jan Novak has no ABN" in problem
    with pytest.raises(ValueError, match="no ABN"):
        to_ubl(private)


def test_no_empty_elements_are_written() -> None:
    """A seller without a street writes no empty StreetName (the rules forbid it)."""
    root = etree.fromstring(to_ubl(document(WORKSHOP)))
    empty = [e.tag for e in root.iter() if not len(e) and not (e.text or "").strip()]
    assert empty == []


line_items = st.builds(
    SourceLine,
    description=st.sampled_from(["Filter", "Labour", "Tyre", "Hose"]),
    quantity=st.decimals(min_value=0, max_value=200, places=3),
    unit_price=st.decimals(min_value=0, max_value=20_000, places=3),
    category=st.sampled_from(["S", "S", "Z", "E"]),
)


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(line_items, min_size=1, max_size=6),
    gross=st.booleans(),
    credit=st.booleans(),
)
def test_any_document_passes_the_schema_and_adds_up(items, gross, credit) -> None:
    """Whatever the lines, the e-invoice is valid UBL and every total is its parts."""
    made = document(
        items,
        prices_include_tax=gross,
        document_type=CREDIT_NOTE if credit else "invoice",
    )
    xml = to_ubl(made)
    _valid(xml)
    assert arithmetic_problems(xml) == []


def test_the_arithmetic_check_catches_a_wrong_total() -> None:
    """A tax-inclusive total one cent out is reported by the recomputation."""
    xml = to_ubl(document(WORKSHOP))
    wrong = xml.replace(
        b">556.01</cbc:TaxInclusiveAmount>", b">556.02</cbc:TaxInclusiveAmount>"
    )
    assert wrong != xml
    assert any(p.startswith("with tax") for p in arithmetic_problems(wrong))
