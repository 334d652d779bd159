"""Pricing lines into a document, addresses, the ageing and the printed form."""

from __future__ import annotations

import contextlib
import zlib
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealer_tui.invoicing.ageing import AgeingLine, OpenItem, age, bucket_of
from dealer_tui.invoicing.document import CREDIT_NOTE, Address, price, split_address
from dealer_tui.invoicing.pdf import latin, price_text, render_pdf, title_of
from dealer_tui.invoicing.sources import SourceLine
from dealer_tui.invoicing.tax import AUSTRALIA, NEW_ZEALAND, TaxCategory
from dealer_tui.invoicing.totals import InvalidDocument
from tests.domain.invoicing.documents import PRIVATE_BUYER, document

# Pricing


def test_lines_allowances_and_charges_keep_their_positions() -> None:
    """An allowance between two items keeps place 2; nets 100.01, 20.00, 365.00."""
    priced = price(
        [
            SourceLine("Filter", D(3), D("33.335")),
            SourceLine("Fleet discount", D(1), D("20.00"), line_kind="allowance"),
            SourceLine("Labour", D("2.5"), D(150), D(10)),
        ],
        AUSTRALIA,
    )
    assert [(p.position, p.net_amount) for p in priced.lines] == [
        (1, D("100.01")),
        (2, D("20.00")),
        (3, D("365.00")),
    ]
    assert priced.totals.tax_exclusive_total == D("445.01")
    assert priced.lines[0].rate == D(10)
    assert priced.lines[0].category is TaxCategory.STANDARD


def test_new_zealand_lines_round_half_up_and_only_gst_half_down() -> None:
    """In NZ 3 x 33.335 nets 100.01; 15% GST 15.0015 is 15.00; 115.01 due."""
    priced = price([SourceLine("Filter", D(3), D("33.335"))], NEW_ZEALAND)
    assert priced.lines[0].net_amount == D("100.01")
    assert priced.totals.tax_total == D("15.00")
    assert priced.totals.payable_amount == D("115.01")


def test_problems_name_the_position_of_the_line() -> None:
    """A bad price on line 3 and a bad allowance on line 2 are named there."""
    with pytest.raises(InvalidDocument) as caught:
        price(
            [
                SourceLine("Filter", D(1), D(10)),
                SourceLine("Discount", D(1), D("-5.00"), line_kind="allowance"),
                SourceLine("Hose", D(1), D("-1")),
            ],
            AUSTRALIA,
        )
    assert sorted((p.line, p.field) for p in caught.value.problems) == [
        (2, "unit_price"),
        (3, "unit_price"),
    ]


def test_an_allowance_is_one_amount() -> None:
    """An allowance of quantity 2 or with a discount is refused on its line."""
    with pytest.raises(InvalidDocument) as caught:
        price(
            [
                SourceLine("Filter", D(1), D(100)),
                SourceLine("Discount", D(2), D(5), D(1), line_kind="allowance"),
                SourceLine("Odd", D(1), D(5), line_kind="rebate"),
            ],
            AUSTRALIA,
        )
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (2, "quantity"),
        (2, "discount"),
        (3, "line_kind"),
    ]


prices = st.decimals(min_value=0, max_value=50_000, places=3)
quantities = st.decimals(min_value=0, max_value=100, places=3)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(quantities, prices, st.sampled_from("SZE")), min_size=1, max_size=8
    ),
    st.booleans(),
)
def test_every_total_of_a_priced_document_is_the_sum_of_its_parts(lines, gross):
    """Nets add up to the line total, taxes to the tax total, both to the total."""
    priced = price(
        [SourceLine("x", q, p, category=c) for q, p, c in lines],
        AUSTRALIA,
        prices_include_tax=gross,
    )
    totals = priced.totals
    assert (
        sum((p.net_amount for p in priced.lines), D(0)) == totals.line_extension_total
    )
    assert sum((s.tax_amount for s in totals.tax_subtotals), D(0)) == totals.tax_total
    assert (
        sum((s.taxable_amount for s in totals.tax_subtotals), D(0))
        == totals.tax_exclusive_total
    )
    assert totals.tax_exclusive_total + totals.tax_total == totals.payable_amount


# Addresses


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "18 Boundary Road, Laverton North VIC 3026",
            Address("18 Boundary Road", "Laverton North", "VIC", "3026"),
        ),
        (
            "Unit 2, 5 Smith St, Darwin NT 0800",
            Address("Unit 2, 5 Smith St", "Darwin", "NT", "0800"),
        ),
        ("PO Box 12, Somewhere", Address("PO Box 12", "Somewhere")),
        ("Lot 7 Highway", Address("Lot 7 Highway")),
        ("", Address()),
    ],
)
def test_a_branch_address_is_split_into_its_parts(text: str, address: Address) -> None:
    """The last comma parts street from place; a state and postcode end the place."""
    assert split_address(text) == address


# The ageing


def _item(account: int, due: date, amount: str) -> OpenItem:
    return OpenItem(account, f"C{account}", f"Customer {account}", due, D(amount))


@pytest.mark.parametrize(
    ("due", "bucket"),
    [
        (date(2026, 12, 4), "current"),
        (date(2026, 12, 3), "days_1_30"),
        (date(2026, 11, 4), "days_1_30"),
        (date(2026, 11, 3), "days_31_60"),
        (date(2026, 10, 5), "days_31_60"),
        (date(2026, 10, 4), "days_61_90"),
        (date(2026, 9, 5), "days_61_90"),
        (date(2026, 9, 4), "days_over_90"),
    ],
)
def test_ageing_buckets_count_whole_days_past_due(due: date, bucket: str) -> None:
    """Seen on 4 Dec: due today is current, 30 days late is 1-30, 31 is 31-60."""
    assert bucket_of(due, date(2026, 12, 4)) == bucket


def test_ageing_lines_add_up_per_customer_and_in_all() -> None:
    """C1 owes 100.00 current and 50.00 late less a 30.00 credit; C2 owes 500.00."""
    today = date(2026, 12, 4)
    lines, grand = age(
        [
            _item(1, date(2026, 12, 20), "100.00"),
            _item(1, date(2026, 8, 1), "50.00"),
            _item(1, date(2026, 11, 1), "-30.00"),
            _item(2, date(2026, 11, 20), "500.00"),
        ],
        today,
    )
    assert [line.customer_number for line in lines] == ["C2", "C1"]
    c2, c1 = lines
    assert (c1.current, c1.days_over_90, c1.credits, c1.total) == (
        D("100.00"),
        D("50.00"),
        D("-30.00"),
        D("120.00"),
    )
    assert c1.past_due == D("50.00")
    assert c2.days_1_30 == D("500.00")
    assert grand.total == D("620.00") == c1.total + c2.total
    assert grand.documents == 4


def test_an_empty_ageing_is_all_zero() -> None:
    """No open items: no customer lines and a total of 0.00."""
    lines, grand = age([], date(2026, 12, 4))
    assert lines == []
    assert isinstance(grand, AgeingLine) and grand.total == D("0.00")


# The printed form


def _text(pdf: bytes) -> bytes:
    """The page content of an uncompressed PDF, and of a compressed one."""
    assert pdf.startswith(b"%PDF")
    chunks = [pdf]
    for part in pdf.split(b"stream\n")[1:]:
        body = part.split(b"\nendstream")[0]
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(body))
    return b"".join(chunks)


def test_a_tax_invoice_shows_what_the_ato_asks_for() -> None:
    """Title, seller and ABN, date, lines with quantity and price, GST, buyer ABN."""
    made = document(
        [
            SourceLine("Workshop labour", D("2.5"), D("165.00"), unit_code="HUR"),
            SourceLine("Oil filter", D(2), D("48.90")),
        ]
    )
    text = _text(render_pdf(made))
    for expected in (
        b"Tax invoice",
        b"Southern Cross Trucks Pty Ltd",
        b"ABN 91 526 018 159",
        b"Number INV2026-000042",
        b"Date 30/11/2026",
        b"Due 30/12/2026",
        b"Bayside Haulage Pty Ltd",
        b"ABN 52 083 016 613",
        b"Workshop labour",
        b"2.5",
        b"$165.00",
        b"$412.50",
        b"GST 10% on $510.30",
        b"$51.03",
        b"Total including GST",
        b"$561.33",
    ):
        assert expected in text, expected


def test_an_adjustment_note_names_the_invoice_it_adjusts() -> None:
    """A credit note prints as an adjustment note that names INV2026-000041."""
    made = document(
        [SourceLine("Oil filter", D(1), D("48.90"))], document_type=CREDIT_NOTE
    )
    assert title_of(made) == "Adjustment note"
    text = _text(render_pdf(made, compress=False))
    assert b"Adjustment note" in text
    assert b"Adjusts invoice INV2026-000041 of 02/11/2026" in text
    assert b"Total credited" in text


def test_a_private_buyer_prints_without_an_abn() -> None:
    """A buyer without an ABN is named; no empty ABN line is printed for them."""
    made = document([SourceLine("Tyre", D(1), D("950.00"))], buyer=PRIVATE_BUYER)
    text = _text(render_pdf(made, compress=False))
    assert b"Jan Novak" in text
    assert text.count(b"ABN ") == 1


def test_text_outside_latin_1_prints_plainly() -> None:
    """A dash and curly quotes become plain marks; other letters a question mark."""
    assert latin("O\u2019Brien \u2014 \u201cBig\u201d \u6f22") == 'O\'Brien - "Big" ?'


def test_unit_prices_print_every_place_they_were_priced_in() -> None:
    """33.335 prints with three places and 1250 with two."""
    assert price_text(D("33.335"), "AUD") == "$33.335"
    assert price_text(D("1250.0000"), "AUD") == "$1,250.00"
